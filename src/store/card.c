/* card: renders README.md from the manifest; see card.h. Every figure
 * comes from the manifest, nothing is recomputed from the shards. */
#include "store/card.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/jsonl.h"
#include "store/layout.h"
#include "store/record.h"

const char *card_size_category(unsigned long long n)
{
	static const struct {
		unsigned long long below;
		const char *name;
	} cats[] = {{1000ULL, "n<1K"},		 {10000ULL, "1K<n<10K"},      {100000ULL, "10K<n<100K"},
		    {1000000ULL, "100K<n<1M"},	 {10000000ULL, "1M<n<10M"},   {100000000ULL, "10M<n<100M"},
		    {1000000000ULL, "100M<n<1B"}};
	for (size_t i = 0; i < sizeof cats / sizeof *cats; i++)
		if (n < cats[i].below)
			return cats[i].name;
	return "n>1T";
}

static json_int_t get_int(const json_t *o, const char *path)
{
	/* path: "a.b.c" */
	char key[64];
	const json_t *v = o;
	while (v && *path) {
		size_t n = strcspn(path, ".");
		snprintf(key, sizeof key, "%.*s", (int)n, path);
		v = json_object_get(v, key);
		path += n + (path[n] == '.');
	}
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

static const char *get_str(const json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : dflt;
}

static void yaml_header(const json_t *m, buf *out)
{
	json_int_t records = get_int(m, "counts.records");
	const json_t *lic = json_object_get(json_object_get(m, "counts"), "per_license");
	if (!lic) {
		buf_puts(out, "---\n"
			      "# Apache-2.0: the C++/CUDA in every record was written by NVIDIA Warp's code\n"
			      "# generator (warp-lang, Apache-2.0) from kernels jitsynth generated; the same\n"
			      "# license keeps the pairs usable wherever Warp itself is.\n"
			      "license: apache-2.0\n");
	} else { /* ingested code keeps its own licences: one, or "other" (see the card's Origins) */
		const char *one = json_object_size(lic) == 1 ? json_object_iter_key(json_object_iter((json_t *)lic)) : NULL;
		buf_puts(out, "---\n# the Python (and so the pairs) carry the licences of the code they came from: "
			      "see Origins\nlicense: ");
		if (one && strcmp(one, "unknown"))
			for (const char *c = one; *c; c++)
				buf_putc(out, (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c));
		else
			buf_puts(out, "other");
		buf_putc(out, '\n');
	}
	buf_puts(out, "task_categories:\n- text-generation\n- translation\n"
		      "tags:\n- code\n- cuda\n- cpp\n- nvidia-warp\n- compiler\n- synthetic\n");
	buf_printf(out, "size_categories:\n- %s\n", card_size_category((unsigned long long)records));
	buf_puts(out, "pretty_name: jitsynth Warp kernels (Python to C++/CUDA)\n"
		      "configs:\n- config_name: default\n  data_files:\n  - split: train\n    path:\n");
	json_t *sh = json_object_get(m, "shards");
	size_t i;
	json_t *v;
	json_array_foreach(sh, i, v) buf_printf(out, "    - %s\n", get_str(v, "file", "?"));
	buf_puts(out, "---\n\n");
}

static void schema(buf *out)
{
	buf_puts(out, "## Schema\n\nOne JSON object per line:\n\n"
		      "| field | type | meaning |\n|---|---|---|\n"
		      "| `id` | string | `s<seed>-<index>`, stable for a seed |\n"
		      "| `kernel_name` | string | the `@wp.kernel` function's name |\n"
		      "| `category` | string | one of the kernel categories below |\n"
		      "| `python_source` | string | the whole module Warp compiled, from `import warp as wp` |\n"
		      "| `ir.cpu.forward`, `ir.cpu.backward` | string | the kernel's C++ forward and adjoint functions, "
		      "as Warp wrote them |\n"
		      "| `ir.cpu.module` | string | the whole C++ translation unit |\n"
		      "| `ir.cuda.forward`, `ir.cuda.backward`, `ir.cuda.module` | string | the same for CUDA |\n"
		      "| `meta` | object | `seed`, `index`, `warp_version`, `jitsynth_version`, `kernel_hash`, "
		      "`validated` (per device: `none`, `syntax`, `compile`; `run` for CPU) |\n"
		      "| `exec` | object | with `--validate run` only: the CPU kernel executed. `status` "
		      "(`executed`, or `not_executed` with `class` and `reason`), `launch` (shape; tiled kernels end "
		      "with the block's lanes), `inputs_seed`, `params` (per parameter: `role` input/output/"
		      "accumulator/inout/value, `dtype`, `shape`, first scalars `in` and `out`), `digest` "
		      "(xxh3-64 of every output), `finite`, `deterministic` (two runs agree), `grad` (the adjoint "
		      "against finite differences: `status` pass/fail/unsupported, `class`, `reason`, `rel_err`) |\n\n"
		      "Warp's `// <python line>  <L n>` comments in the IR give line numbers of `python_source`, "
		      "aligning each Python line with its C++/CUDA lines. With one device only that key is "
		      "present under `ir`.\n\n");
}

static void json_list(const json_t *a, buf *out)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) buf_printf(out, "%s%s", i ? ", " : "", json_string_value(v) ? json_string_value(v) : "?");
}

static void options(const json_t *m, buf *out)
{
	const json_t *o = json_object_get(m, "options");
	char *codegen = json_dumps(json_object_get(o, "codegen"), JSON_COMPACT | JSON_PRESERVE_ORDER);
	buf_printf(out, "## How it was made\n\n"
			"Generated by jitsynth %s with NVIDIA Warp (warp-lang) **%s**: random kernels compiled by "
			"Warp's own code generator.\n\n"
			"| option | value |\n|---|---|\n",
		   get_str(m, "jitsynth_version", "?"), get_str(m, "warp_version", "?"));
	uint64_t seed = 0;
	if (json_object_get(o, "n"))
		buf_printf(out, "| kernels requested (`-n`) | %lld |\n| seed | %llu |\n", (long long)get_int(o, "n"),
			   rec_json_get_u64(json_object_get(o, "seed"), &seed) == 0 ? (unsigned long long)seed : 0ULL);
	if (json_is_object(json_object_get(o, "part")))
		buf_printf(out,
			   "| part (`--part`) | %lld/%lld (of parts 0..%lld): kernels %lld..%lld only, duplicates kept; "
			   "`jitsynth merge` of all the parts makes the run's dataset |\n",
			   (long long)get_int(o, "part.k"), (long long)get_int(o, "part.of"),
			   (long long)get_int(o, "part.of") - 1, (long long)get_int(o, "part.first"),
			   (long long)get_int(o, "part.end") - 1);
	buf_puts(out, "| devices | ");
	json_list(json_object_get(o, "devices"), out);
	buf_puts(out, " |\n| categories | ");
	json_list(json_object_get(o, "categories"), out);
	buf_printf(out, " |\n| Warp codegen options | `%s` |\n", codegen ? codegen : "null");
	buf_printf(out, "| shard size | %lld records |\n| format | %s |\n", (long long)get_int(o, "shard_size"),
		   get_str(o, "format", "jsonl"));
	json_t *dd = json_object_get(o, "dedup");
	buf_printf(out, "| dedup | %s |\n", json_is_false(dd) ? "off (`--no-dedup`)" : "exact + structural");
	json_t *from = json_object_get(m, "merged_from");
	if (json_is_array(from)) {
		buf_puts(out, "| merged from | ");
		size_t i;
		json_t *v;
		json_array_foreach(from, i, v) buf_printf(out, "%s`%s`", i ? ", " : "", get_str(v, "dir", "?"));
		buf_puts(out, " |\n");
	}
	buf_puts(out, "\n");
	free(codegen);
}

static void counts(const json_t *m, buf *out)
{
	const json_t *c = json_object_get(m, "counts");
	buf_printf(out, "## Counts\n\n%lld records from %lld kernels; %lld rejected (in `rejects.jsonl` with the "
			"reason)%s.\n\n",
		   (long long)get_int(c, "records"), (long long)get_int(c, "kernels"), (long long)get_int(c, "rejects"),
		   json_is_false(json_object_get(m, "complete")) ? "; **the run was interrupted** (manifest "
								   "`complete: false`)"
								 : "");
	const json_t *pc = json_object_get(c, "per_category");
	if (json_object_size(pc)) {
		buf_puts(out, "| category | records |\n|---|---|\n");
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)pc, k, v) buf_printf(out, "| %s | %lld |\n", k,
								    (long long)(json_is_integer(v) ? json_integer_value(v)
										  : get_int(v, "records")));
		buf_puts(out, "\n");
	}
	const json_t *dd = json_object_get(c, "dedup");
	if (dd)
		buf_printf(out, "Duplicates dropped: %lld exact (same normalised Python), %lld structural (same code up "
				"to identifier names, with the same forward IR up to variable numbering).\n\n",
			   (long long)get_int(dd, "exact"), (long long)get_int(dd, "structural"));
}

/* Origins and licences by count (ingested records: `origin`, `source`). */
static void origins(const json_t *m, buf *out)
{
	const json_t *c = json_object_get(m, "counts");
	const json_t *po = json_object_get(c, "per_origin"), *pl = json_object_get(c, "per_license");
	if (!po && !pl)
		return;
	buf_puts(out, "## Origins\n\nRecords with `origin: \"ingested\"` come from real Warp code (`jitsynth ingest`); "
		      "their `source` holds `path`, `line`, `package`, `version` or `commit`, `license` (SPDX id, "
		      "`unknown` where none was found), `route` (`import`: the module imported in its package; "
		      "`standalone`: the kernel with its static dependencies, `import_error` saying why) and `span` "
		      "(the kernel's lines of `python_source`). Records without `origin` were generated.\n\n"
		      "| origin | records |\n|---|---|\n");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)po, k, v) buf_printf(out, "| %s | %lld |\n", k, (long long)json_integer_value(v));
	buf_puts(out, "\n| license | records |\n|---|---|\n");
	json_object_foreach((json_t *)pl, k, v) buf_printf(out, "| %s | %lld |\n", k, (long long)json_integer_value(v));
	buf_puts(out, "\n");
}

static void execution(const json_t *m, buf *out)
{
	const json_t *r = json_object_get(json_object_get(m, "validation"), "run");
	if (!r)
		return;
	const json_t *g = json_object_get(r, "grad");
	buf_printf(out, "## Execution\n\n"
			"Every CPU kernel was run (jitsynth's run tier: Warp's generated entry points, built by g++, on "
			"inputs derived from the record's seed): **%lld** executed, %lld with finite outputs, %lld "
			"deterministic. Adjoint check against central finite differences: %lld pass, %lld fail, %lld "
			"unsupported (classes and examples in `manifest.json`, `validation.run`).\n\n",
		   (long long)get_int(r, "executed"), (long long)get_int(r, "finite"),
		   (long long)get_int(r, "deterministic"), (long long)get_int(g, "pass"), (long long)get_int(g, "fail"),
		   (long long)get_int(g, "unsupported"));
}

static void validation(const json_t *m, buf *out)
{
	const char *v = get_str(json_object_get(m, "options"), "validate", "none");
	buf_printf(out, "## Validation\n\n"
			"Every record compiled through Warp's code generator without error, and its forward and "
			"backward functions were found in the generated module (otherwise it is in `rejects.jsonl`). "
			"Further checks of the C++/CUDA (`meta.validated` per device: `syntax`, `compile`, `run`) for this "
			"run: **%s**. Shard SHA-256 checksums are in `manifest.json`.\n\n",
		   v);
	execution(m, out);
}

static void loading(const json_t *m, const char *dir, buf *out)
{
	buf_puts(out, "## Loading\n\n```python\nfrom datasets import load_dataset\n\n"
		      "# the shards listed in this card's header\n");
	json_t *sh = json_object_get(m, "shards");
	size_t i, n = json_array_size(sh);
	json_t *v;
	int zst = 0;
	json_array_foreach(sh, i, v) zst |= strstr(get_str(v, "file", ""), ".zst") != NULL;
	if (n > 4) {
		buf_printf(out, "ds = load_dataset(\"json\", data_files=\"%s/train-*.jsonl%s\", split=\"train\")\n",
			   dir, zst ? ".zst" : "");
	} else {
		buf_puts(out, "ds = load_dataset(\"json\", data_files=[");
		json_array_foreach(sh, i, v) buf_printf(out, "%s\"%s/%s\"", i ? ", " : "", dir, get_str(v, "file", "?"));
		buf_puts(out, "], split=\"train\")\n");
	}
	buf_printf(out, "\n# or let datasets read this card's configs\nds = load_dataset(\"%s\", split=\"train\")\n"
			"print(ds[0][\"python_source\"], ds[0][\"ir\"][\"cpu\"][\"forward\"])\n```\n\n",
		   dir);
	if (zst)
		buf_puts(out, "The shards are zstd-compressed (`.jsonl.zst`): `pip install zstandard` lets `datasets` "
			      "read them; `zstd -d` gives plain JSON lines.\n\n");
	buf_puts(out, "`manifest.json` (options, versions, counts, checksums, timing) and `rejects.jsonl` are not "
		      "data files; the header's `configs` keeps them out of the dataset.\n");
}

void card_render(const json_t *m, const char *dir, buf *out)
{
	yaml_header(m, out);
	buf_puts(out, "# jitsynth: NVIDIA Warp kernels, Python to C++/CUDA\n\n"
		      "Aligned pairs of a Python `@wp.kernel` and the C++ (CPU) and CUDA code that NVIDIA Warp "
		      "generates for it, forward and backward (adjoint), for training and evaluating code models "
		      "(translation, compilation, decompilation).\n\n");
	schema(out);
	options(m, out);
	counts(m, out);
	origins(m, out);
	validation(m, out);
	loading(m, dir, out);
}

int card_write(const char *dir, buf *err)
{
	buf p = BUF_INIT;
	buf_printf(&p, "%s/manifest.json", dir);
	json_error_t e;
	json_t *m = json_load_file(p.data, 0, &e);
	buf_free(&p);
	if (!m || !json_is_object(m)) {
		buf_printf(err, "cannot write the dataset card: '%s/manifest.json' %s", dir,
			   m ? "is not an object" : e.text);
		json_decref(m);
		return -1;
	}
	buf card = BUF_INIT;
	card_render(m, dir, &card);
	json_decref(m);
	int rc = write_file_atomic(dir, LAYOUT_CARD, card.data, card.len, err);
	buf_free(&card);
	return rc;
}

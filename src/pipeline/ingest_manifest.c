/* ingest_manifest: counts and the manifest of an ingest run (see
 * ingest_manifest.h). The manifest has generate's shape (format, counts,
 * shards, rejects), so readers, verify, merge and the card take it, plus
 * counts.ingest (found / paired / not paired by reason, routes) and
 * per_origin / per_license. */
#include "pipeline/ingest_manifest.h"

#include <string.h>
#include <time.h>

#include "common/dev.h"
#include "store/card.h"
#include "store/layout.h"
#include "store/record.h"

void ig_counts_init(ig_counts *c)
{
	memset(c, 0, sizeof *c);
	c->per_category = json_object();
	c->per_license = json_object();
}

void ig_counts_free(ig_counts *c)
{
	json_decref(c->per_category);
	json_decref(c->per_license);
	memset(c, 0, sizeof *c);
}

static void bump(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	json_object_set_new(o, key, json_integer(v ? json_integer_value(v) + 1 : 1));
}

void ig_count_record(ig_counts *c, const json_t *rec)
{
	const char *cat = json_string_value(json_object_get(rec, "category"));
	json_t *pc = json_object_get(c->per_category, cat ? cat : "(none)");
	if (!pc)
		json_object_set_new(c->per_category, cat ? cat : "(none)",
				    pc = json_pack("{s:i}", "records", 0));
	json_object_set_new(pc, "records",
			    json_integer(json_integer_value(json_object_get(pc, "records")) + 1));
	const char *lic = json_string_value(json_object_get(json_object_get(rec, "source"), "license"));
	bump(c->per_license, lic ? lic : "unknown");
	const json_t *ir = json_object_get(rec, "ir");
	for (int d = 0; d < 2; d++)
		c->per_device[d] += json_object_get(ir, dev_name((dev_id)d)) != NULL;
}

int ig_write_manifest(const ingest_options *o, const ingest_result *res, const src_tree *trees, size_t ntrees,
		      const ig_counts *c, const shard_set *shards, const jsonl_file *rejects, buf *err)
{
	json_t *m = json_object(), *opt = json_object(), *counts = json_object(), *devs = json_array(),
	       *cats = json_array(), *perdev = json_object(), *sources = json_array();
	json_object_set_new(m, "format", json_string("jitsynth-dataset-1"));
	json_object_set_new(m, "complete", json_true());
	json_object_set_new(m, "jitsynth_version", json_string(JITSYNTH_VERSION));
	json_object_set_new(m, "warp_version",
			    json_string(*res->warp_version ? res->warp_version : "unknown"));
	for (int d = 0; d < 2; d++)
		if (o->pool.devices & DEV_BIT(d)) {
			json_array_append_new(devs, json_string(dev_name((dev_id)d)));
			json_object_set_new(perdev, dev_name((dev_id)d),
					    json_integer((json_int_t)c->per_device[d]));
		}
	const char *k;
	json_t *v;
	json_object_foreach(c->per_category, k, v) json_array_append_new(cats, json_string(k));
	for (size_t i = 0; i < ntrees; i++) {
		json_t *s = json_pack("{s:s, s:s, s:s, s:I}", "src", o->srcs[i], "package", trees[i].package,
				      "license", trees[i].license, "files", (json_int_t)trees[i].n);
		if (*trees[i].version)
			json_object_set_new(s, "version", json_string(trees[i].version));
		if (*trees[i].commit)
			json_object_set_new(s, "commit", json_string(trees[i].commit));
		json_array_append_new(sources, s);
	}
	json_object_set_new(opt, "origin", json_string("ingested"));
	json_object_set_new(opt, "sources", sources);
	json_object_set_new(opt, "devices", devs);
	json_object_set_new(opt, "categories", cats);
	json_object_set_new(opt, "shard_size", json_integer((json_int_t)o->shard_size));
	json_object_set_new(opt, "format", json_string(jsonl_format_name(o->format)));
	json_object_set_new(opt, "validate", json_string("none"));
	json_object_set_new(opt, "dedup", json_boolean(o->dedup));
	json_object_set_new(m, "options", opt);
	json_object_set_new(counts, "kernels", json_integer((json_int_t)res->found));
	json_object_set_new(counts, "records", json_integer((json_int_t)res->records));
	json_object_set_new(counts, "rejects", json_integer((json_int_t)res->rejects));
	json_object_set(counts, "per_category", c->per_category);
	json_object_set_new(counts, "per_device", perdev);
	json_object_set_new(counts, "per_origin", json_pack("{s:I}", "ingested", (json_int_t)res->records));
	json_object_set(counts, "per_license", c->per_license);
	json_object_set_new(counts, "dedup",
			    json_pack("{s:I, s:I}", "exact", (json_int_t)res->exact, "structural",
				      (json_int_t)res->structural));
	json_object_set_new(counts, "ingest",
			    json_pack("{s:I, s:I, s:I, s:I, s:I, s:O, s:{s:I, s:I}, s:O}", "files",
				      (json_int_t)res->files, "files_with_kernels",
				      (json_int_t)res->files_with_kernels, "found", (json_int_t)res->found,
				      "module_level", (json_int_t)res->module_level, "paired",
				      (json_int_t)res->paired, "not_paired_by_reason", res->by_reason,
				      "files_by_route", "import", (json_int_t)res->route_import, "standalone",
				      (json_int_t)res->route_standalone, "per_source", res->per_source));
	json_object_set_new(m, "counts", counts);
	json_t *sh = json_array();
	for (size_t i = 0; i < shards->ndone; i++)
		json_array_append_new(sh, json_pack("{s:s, s:I, s:I, s:s}", "file", shards->done[i].name,
						    "records", (json_int_t)shards->done[i].records, "bytes",
						    (json_int_t)shards->done[i].bytes, "sha256",
						    shards->done[i].sha256));
	json_object_set_new(m, "shards", sh);
	json_object_set_new(m, "rejects",
			    json_pack("{s:s, s:I, s:s}", "file", LAYOUT_REJECTS, "records",
				      (json_int_t)rejects->lines, "sha256", rejects->sha256));
	char when[32];
	time_t t = time(NULL);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	json_object_set_new(m, "timing", json_pack("{s:f, s:s}", "seconds", res->seconds, "finished", when));
	int rc = json_write_atomic(o->out, LAYOUT_MANIFEST, m, JSON_INDENT(2) | JSON_PRESERVE_ORDER, err);
	json_decref(m);
	return rc < 0 ? rc : card_write(o->out, err);
}

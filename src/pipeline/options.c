/* options: the dataset-deciding options of a run as JSON, both ways: written
 * into the manifest and the resume journal, read back by --resume, which
 * refuses options that contradict the run being resumed. */
#include <stdio.h>
#include <string.h>

#include "common/dev.h"
#include "pipeline/run.h"
#include "store/journal.h"
#include "store/record.h"

/* The categories a run draws from: 0 means the 11 seed categories. */
static uint32_t category_mask(uint32_t categories)
{
	return categories ? categories & GEN_ALL_MASK : GEN_SEED_MASK;
}

/* Journals written before `--categories all` existed listed the first 19
 * profiles for a default run (and read that list back as the default). */
#define LEGACY_DEFAULT_MASK ((1u << 19) - 1)

/* {"loop": {"if": 0, ...}, ...}: the entries a weights file set. */
static json_t *weights_json(const signed char (*weights)[GEN_STMT_KINDS])
{
	json_t *w = json_object();
	for (int c = 0; c < GEN_CATEGORY_COUNT; c++) {
		json_t *kinds = NULL;
		for (int k = 0; k < GEN_STMT_KINDS; k++)
			if (weights[c][k] >= 0) {
				kinds = kinds ? kinds : json_object();
				json_object_set_new(kinds, gen_stmt_names[k], json_integer(weights[c][k]));
			}
		if (kinds)
			json_object_set_new(w, gen_category_name((gen_category)c), kinds);
	}
	return w;
}

/* The weights of a resumed run: gen_options only points at its table. */
static gen_weights resumed_weights;

static int weights_from_json(const json_t *w, gen_options *g)
{
	memset(resumed_weights, -1, sizeof resumed_weights);
	g->weights = w ? (const signed char (*)[GEN_STMT_KINDS])resumed_weights : NULL;
	if (!w)
		return 0;
	const char *cat, *kind;
	json_t *kinds, *v;
	if (!json_is_object(w))
		return -1;
	json_object_foreach((json_t *)w, cat, kinds) {
		int c = gen_category_from_name(cat), k = -1;
		if (c < 0 || !json_is_object(kinds))
			return -1;
		json_object_foreach(kinds, kind, v) {
			for (k = 0; k < GEN_STMT_KINDS && strcmp(gen_stmt_names[k], kind); k++)
				;
			if (k == GEN_STMT_KINDS || !json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > 100)
				return -1;
			resumed_weights[c][k] = (signed char)json_integer_value(v);
		}
	}
	return 0;
}

json_t *run_options_json(const run_options *o)
{
	json_t *devs = json_array(), *cats = json_array();
	for (int d = 0; d < DEV_COUNT; d++)
		if (o->pool.devices & DEV_BIT(d))
			json_array_append_new(devs, json_string(dev_name((dev_id)d)));
	uint32_t mask = category_mask(o->gen.categories);
	for (int c = 0; c < GEN_CATEGORY_COUNT; c++)
		if (mask & (1u << c))
			json_array_append_new(cats, json_string(gen_category_name((gen_category)c)));
	json_t *j = json_pack("{s:I, s:o, s:o, s:o, s:i, s:i, s:I, s:s, s:i, s:b, s:s, s:s, s:{s:b, s:s}}", "n",
			 (json_int_t)o->n, "seed", rec_json_u64(o->gen.seed), "devices", devs, "categories", cats,
			 "max_stmts", o->gen.max_stmts, "max_depth", o->gen.max_depth, "shard_size",
			 (json_int_t)o->shard_size, "format", jsonl_format_name(o->format), "zstd_level",
			 o->zstd_level, "dedup", o->dedup, "validate", o->exec ? "run" : chk_tier_name(o->chk.tier), "arch",
			 o->chk.arch ? o->chk.arch : "sm_90", "codegen", "enable_backward", 1, "mode", "release");
	if (o->gen.weights)
		json_object_set_new(j, "weights", weights_json(o->gen.weights));
	if (o->part_n) {
		uint64_t first, end;
		run_range(o, &first, &end);
		json_object_set_new(j, "part", json_pack("{s:I, s:I, s:I, s:I}", "k", (json_int_t)o->part_k, "of",
							 (json_int_t)o->part_n, "first", (json_int_t)first, "end",
							 (json_int_t)end));
	}
	if (o->gen.style != GEN_STYLE_SYNTHETIC) /* absent: synthetic (older runs' journals and manifests) */
		json_object_set_new(j, "style", json_string(gen_style_name(o->gen.style)));
	return j;
}

void run_range(const run_options *o, uint64_t *first, uint64_t *end)
{
	if (!o->part_n) {
		*first = 0, *end = o->n;
		return;
	}
	uint64_t base = o->n / o->part_n, rem = o->n % o->part_n, k = o->part_k;
	*first = k * base + (k < rem ? k : rem);
	*end = *first + base + (k < rem);
}

/* "part": {"k", "of", "first", "end"}, absent for a whole run; the range
 * must be the one run_range gives. */
static int part_from_json(const json_t *p, run_options *t)
{
	t->part_k = t->part_n = 0;
	if (!p)
		return 0;
	json_int_t k, of, first, end;
	if (json_unpack((json_t *)p, "{s:I, s:I, s:I, s:I}", "k", &k, "of", &of, "first", &first, "end", &end) < 0 ||
	    of < 1 || k < 0 || k >= of || (uint64_t)of > t->n)
		return -1;
	t->part_k = (uint64_t)k, t->part_n = (uint64_t)of;
	uint64_t f, e;
	run_range(t, &f, &e);
	return f == (uint64_t)first && e == (uint64_t)end ? 0 : -1;
}

/* Parses the journal's options into a scratch copy of run_options. */
static int from_json(const json_t *j, run_options *t)
{
	json_int_t n, shard, level;
	uint64_t seed;
	int dedup, max_stmts = 0, max_depth = 0; /* absent from older journals */
	const char *fmt, *tier, *arch;
	json_t *devs, *cats, *seedv;
	if (json_unpack((json_t *)j, "{s:I, s:o, s:o, s:o, s?i, s?i, s:I, s:s, s:i, s:b, s:s, s:s}", "n", &n, "seed",
			&seedv, "devices", &devs, "categories", &cats, "max_stmts", &max_stmts, "max_depth", &max_depth,
			"shard_size", &shard, "format", &fmt, "zstd_level", &level, "dedup", &dedup, "validate", &tier,
			"arch", &arch) < 0 ||
	    rec_json_get_u64(seedv, &seed) < 0 || n < 1 || shard < 1 || max_stmts < 0 || max_depth < 0 || jsonl_format_parse(fmt, &t->format) < 0 ||
	    (strcmp(tier, "run") ? chk_tier_parse(tier, &t->chk.tier) < 0 : (t->chk.tier = CHK_COMPILE, t->exec = 1, 0)))
		return -1;
	t->gen.max_stmts = max_stmts;
	t->gen.max_depth = max_depth;
	if (weights_from_json(json_object_get(j, "weights"), &t->gen) < 0)
		return -1;
	json_t *style = json_object_get(j, "style");
	int st = style ? gen_style_from_name(json_string_value(style)) : GEN_STYLE_SYNTHETIC;
	if (st < 0)
		return -1;
	t->gen.style = (gen_style)st;
	/* arch points into the journal's JSON, freed after this call: keep the
	 * caller's string when it is the same, else a static copy */
	static char arch_copy[32];
	if (!t->chk.arch || strcmp(t->chk.arch, arch) != 0) {
		snprintf(arch_copy, sizeof arch_copy, "%s", arch);
		t->chk.arch = arch_copy;
	}
	t->n = (uint64_t)n;
	t->gen.seed = seed;
	t->shard_size = (size_t)shard;
	t->zstd_level = (int)level;
	t->dedup = dedup;
	t->pool.devices = 0;
	size_t i;
	json_t *v;
	json_array_foreach(devs, i, v) {
		int d = dev_from_name(json_string_value(v) ? json_string_value(v) : "");
		t->pool.devices |= d < 0 ? 0 : DEV_BIT(d);
	}
	t->gen.categories = 0;
	json_array_foreach(cats, i, v) {
		int c = gen_category_from_name(json_string_value(v) ? json_string_value(v) : "");
		if (c < 0)
			return -1;
		t->gen.categories |= 1u << c;
	}
	if (t->gen.categories == GEN_SEED_MASK || t->gen.categories == LEGACY_DEFAULT_MASK)
		t->gen.categories = 0; /* the generator's default */
	if (part_from_json(json_object_get(j, "part"), t) < 0)
		return -1;
	return t->pool.devices ? 0 : -1;
}

int run_options_from_json(const json_t *j, run_options *o) { return from_json(j, o); }

int run_resume_options(run_options *o, unsigned given, buf *err)
{
	journal j; /* read, not loaded: the run's lock is not taken yet */
	if (journal_read(o->out_dir, &j, err) < 0)
		return -1;
	run_options t = *o;
	int rc = -1;
	if (from_json(j.options, &t) < 0) {
		buf_printf(err, "cannot resume: the journal in '%s' holds unreadable options", o->out_dir);
		goto out;
	}
	static const struct {
		unsigned bit;
		const char *flag;
	} flags[] = {{RUN_GIVEN_N, "-n"},
		     {RUN_GIVEN_SEED, "--seed"},
		     {RUN_GIVEN_DEVICES, "--devices"},
		     {RUN_GIVEN_CATEGORIES, "--categories"},
		     {RUN_GIVEN_SHARD_SIZE, "--shard-size"},
		     {RUN_GIVEN_FORMAT, "--format"},
		     {RUN_GIVEN_ZSTD_LEVEL, "--zstd-level"},
		     {RUN_GIVEN_DEDUP, "--no-dedup"},
		     {RUN_GIVEN_VALIDATE, "--validate"},
		     {RUN_GIVEN_ARCH, "--arch"},
		     {RUN_GIVEN_MAX_STMTS, "--max-stmts"},
		     {RUN_GIVEN_MAX_DEPTH, "--max-depth"},
		     {RUN_GIVEN_WEIGHTS, "--weights"},
		     {RUN_GIVEN_PART, "--part"},
		     {RUN_GIVEN_STYLE, "--style"}};
	int differs[15] = {t.n != o->n,
			  t.gen.seed != o->gen.seed,
			  t.pool.devices != o->pool.devices,
			  category_mask(t.gen.categories) != category_mask(o->gen.categories),
			  t.shard_size != o->shard_size,
			  t.format != o->format,
			  t.zstd_level != o->zstd_level,
			  t.dedup != o->dedup,
			  t.chk.tier != o->chk.tier || t.exec != o->exec,
			  strcmp(t.chk.arch ? t.chk.arch : "sm_90", o->chk.arch ? o->chk.arch : "sm_90") != 0,
			  t.gen.max_stmts != o->gen.max_stmts,
			  t.gen.max_depth != o->gen.max_depth,
			  !t.gen.weights != !o->gen.weights ||
			      (t.gen.weights && memcmp(t.gen.weights, o->gen.weights, sizeof(gen_weights)) != 0),
			  t.part_k != o->part_k || t.part_n != o->part_n,
			  t.gen.style != o->gen.style};
	for (int i = 0; i < 15; i++)
		if ((given & flags[i].bit) && differs[i]) {
			buf_printf(err,
				   "cannot resume: %s differs from the run in '%s'; drop it to continue that run, or start a new one with --force",
				   flags[i].flag, o->out_dir);
			goto out;
		}
	*o = t;
	rc = 0;
out:
	journal_release(&j);
	return rc;
}

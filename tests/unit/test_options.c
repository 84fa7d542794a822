/* test_options: a run's dataset-deciding options as JSON (run_options_json)
 * and read back from the resume journal (run_resume_options): every field
 * round trips, options not given come from the journal, a given option that
 * differs is refused naming its flag, unreadable or missing journals too. */
#include "test.h"

#include <jansson.h>
#include <unistd.h>

#include "common/dev.h"
#include "common/util.h"
#include "pipeline/run.h"
#include "store/journal.h"

static int dir_setup(void **s)
{
	(void)s;
	return test_dir_make("test_options");
}

/* What the CLI fills for a plain `generate -n 1000 -o DIR`. */
static void defaults(run_options *o)
{
	memset(o, 0, sizeof *o);
	o->n = 1000;
	o->out_dir = test_dir;
	pool_options_init(&o->pool);
	o->gen.seed = 42;
	o->shard_size = 100;
	o->format = JSONL_PLAIN;
	o->dedup = 1;
	o->chk.tier = CHK_NONE;
}

/* Every dataset option away from its default. */
static gen_weights some_weights;
static void everything_set(run_options *o)
{
	defaults(o);
	o->n = 777;
	o->gen.seed = 0x123456789abcULL;
	o->gen.categories = (1u << GEN_LOOP) | (1u << GEN_MATRIX) | (1u << GEN_LINALG);
	o->gen.max_stmts = 12;
	o->gen.max_depth = 3;
	memset(some_weights, -1, sizeof some_weights);
	some_weights[GEN_LOOP][5] = 0;	   /* loop.if */
	some_weights[GEN_LOOP][6] = 50;	   /* loop.for */
	some_weights[GEN_LINALG][8] = 100; /* linalg.jump */
	o->gen.weights = (const signed char(*)[GEN_STMT_KINDS])some_weights;
	o->pool.devices = DEV_BIT(DEV_CPU);
	o->shard_size = 250;
	o->format = JSONL_ZST;
	o->zstd_level = 7;
	o->dedup = 0;
	o->chk.tier = CHK_COMPILE;
	o->chk.arch = "sm_80";
}

static char *dump(const json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

static void assert_json_text(const run_options *o, const char *want)
{
	json_t *j = run_options_json(o);
	char *got = dump(j);
	assert_string_equal(got, want);
	free(got);
	json_decref(j);
}

/* Starts DIR's journal with o's options, as run_generate does. */
static void start_journal(const run_options *o)
{
	buf err = BUF_INIT;
	json_t *j = run_options_json(o);
	assert_int_equal(journal_start(test_dir, j, &err), 0);
	json_decref(j);
	buf_free(&err);
}

/* Starts DIR's journal with a hand-written options object. */
static void start_journal_text(const char *options)
{
	json_error_t e;
	json_t *j = json_loads(options, 0, &e);
	if (!j)
		fail_msg("bad test JSON: %s", e.text);
	buf err = BUF_INIT;
	assert_int_equal(journal_start(test_dir, j, &err), 0);
	json_decref(j);
	buf_free(&err);
}

/* run_resume_options must fail with one line containing `why`. */
static void assert_refused(run_options *o, unsigned given, const char *why)
{
	buf err = BUF_INIT;
	assert_int_equal(run_resume_options(o, given, &err), -1);
	if (!strstr(buf_cstr(&err), why))
		fail_msg("'%s' lacks '%s'", buf_cstr(&err), why);
	assert_null(strchr(buf_cstr(&err), '\n'));
	buf_free(&err);
}

static void assert_resumes(run_options *o, unsigned given)
{
	buf err = BUF_INIT;
	int rc = run_resume_options(o, given, &err);
	if (rc != 0)
		fail_msg("refused: %s", buf_cstr(&err));
	assert_int_equal(err.len, 0);
	buf_free(&err);
}

static const char *const seed_names =
    "\"arithmetic\",\"conditional\",\"loop\",\"math\",\"vector\",\"atomic\",\"nested\","
    "\"multi_cond\",\"combined\",\"scalar_param\",\"random_math\"";

static void test_json_of_defaults(void **s)
{
	(void)s;
	run_options o;
	defaults(&o);
	char want[1024];
	snprintf(want, sizeof want,
		 "{\"n\":1000,\"seed\":42,\"devices\":[\"cpu\",\"cuda\"],\"categories\":[%s],"
		 "\"max_stmts\":0,\"max_depth\":0,\"shard_size\":100,\"format\":\"jsonl\",\"zstd_level\":0,"
		 "\"dedup\":true,\"validate\":\"none\",\"arch\":\"sm_90\","
		 "\"codegen\":{\"enable_backward\":true,\"mode\":\"release\"}}",
		 seed_names);
	assert_json_text(&o, want);
	/* the seed mask spelt out is the same dataset */
	o.gen.categories = GEN_SEED_MASK;
	assert_json_text(&o, want);
}

static void test_json_of_everything_set(void **s)
{
	(void)s;
	run_options o;
	everything_set(&o);
	assert_json_text(&o,
			 "{\"n\":777,\"seed\":20015998343868,\"devices\":[\"cpu\"],"
			 "\"categories\":[\"loop\",\"matrix\",\"linalg\"],\"max_stmts\":12,\"max_depth\":3,"
			 "\"shard_size\":250,\"format\":\"jsonl.zst\",\"zstd_level\":7,\"dedup\":false,"
			 "\"validate\":\"compile\",\"arch\":\"sm_80\","
			 "\"codegen\":{\"enable_backward\":true,\"mode\":\"release\"},"
			 "\"weights\":{\"loop\":{\"if\":0,\"for\":50},\"linalg\":{\"jump\":100}}}");
}

/* Options that do not decide the bytes stay out; bits past the last
 * category are not written; a weights table with no entry is still "set". */
static void test_json_leaves_out_run_only_options(void **s)
{
	(void)s;
	run_options a, b;
	defaults(&a);
	defaults(&b);
	b.pool.jobs = 9;
	b.pool.batch = 2;
	b.force = 1;
	b.resume = 1;
	b.chk.cxx = "clang++";
	b.chk.threads = 4;
	b.out_dir = "/elsewhere";
	json_t *ja = run_options_json(&a), *jb = run_options_json(&b);
	assert_true(json_equal(ja, jb));
	json_decref(jb);

	b.gen.categories = GEN_ALL_MASK | (1u << 31);
	jb = run_options_json(&b);
	json_t *cats = json_object_get(jb, "categories");
	assert_int_equal(json_array_size(cats), GEN_CATEGORY_COUNT);
	assert_string_equal(json_string_value(json_array_get(cats, GEN_CATEGORY_COUNT - 1)), "linalg");
	assert_null(json_object_get(jb, "weights"));
	json_decref(jb);

	gen_weights none;
	memset(none, -1, sizeof none);
	b.gen.weights = (const signed char(*)[GEN_STMT_KINDS])none;
	jb = run_options_json(&b);
	json_t *w = json_object_get(jb, "weights");
	assert_true(json_is_object(w));
	assert_int_equal(json_object_size(w), 0);
	json_decref(jb);
	json_decref(ja);
}

static void test_round_trip_of_every_field(void **s)
{
	(void)s;
	run_options o, r;
	everything_set(&o);
	start_journal(&o);
	defaults(&r);
	r.pool.jobs = 5; /* not a dataset option: kept */
	r.chk.cxx = "clang++";
	r.resume = 1;
	assert_resumes(&r, 0);
	assert_int_equal(r.n, 777);
	assert_int_equal(r.gen.seed, 0x123456789abcULL);
	assert_int_equal(r.gen.categories, o.gen.categories);
	assert_int_equal(r.gen.max_stmts, 12);
	assert_int_equal(r.gen.max_depth, 3);
	assert_int_equal(r.pool.devices, DEV_BIT(DEV_CPU));
	assert_int_equal(r.shard_size, 250);
	assert_int_equal(r.format, JSONL_ZST);
	assert_int_equal(r.zstd_level, 7);
	assert_int_equal(r.dedup, 0);
	assert_int_equal(r.chk.tier, CHK_COMPILE);
	assert_string_equal(r.chk.arch, "sm_80");
	/* the table read back is a copy in static storage, equal entry by entry */
	assert_non_null(r.gen.weights);
	assert_ptr_not_equal(r.gen.weights, o.gen.weights);
	assert_memory_equal(r.gen.weights, some_weights, sizeof(gen_weights));
	assert_int_equal(r.pool.jobs, 5);
	assert_string_equal(r.chk.cxx, "clang++");
	assert_int_equal(r.resume, 1);
	assert_string_equal(r.out_dir, test_dir);
	/* and it writes the same JSON again */
	json_t *a = run_options_json(&o), *b = run_options_json(&r);
	assert_true(json_equal(a, b));
	json_decref(a);
	json_decref(b);
}

/* Options the user did not give are replaced by the journal's, weights
 * and arch included (a table the journal lacks is dropped). */
static void test_options_not_given_come_from_journal(void **s)
{
	(void)s;
	run_options o, r;
	defaults(&o);
	start_journal(&o);
	everything_set(&r);
	assert_resumes(&r, 0);
	json_t *a = run_options_json(&o), *b = run_options_json(&r);
	assert_true(json_equal(a, b));
	json_decref(a);
	json_decref(b);
	assert_null(r.gen.weights);
	assert_int_equal(r.gen.categories, 0);
	assert_string_equal(r.chk.arch, "sm_90");
}

/* Sets the option behind one RUN_GIVEN_* bit away from its default. */
static gen_weights other_weights;
static void change(run_options *o, unsigned bit)
{
	switch (bit) {
	case RUN_GIVEN_N:
		o->n = 999;
		break;
	case RUN_GIVEN_SEED:
		o->gen.seed = 43;
		break;
	case RUN_GIVEN_DEVICES:
		o->pool.devices = DEV_BIT(DEV_CUDA);
		break;
	case RUN_GIVEN_CATEGORIES:
		o->gen.categories = 1u << GEN_TILE;
		break;
	case RUN_GIVEN_SHARD_SIZE:
		o->shard_size = 101;
		break;
	case RUN_GIVEN_FORMAT:
		o->format = JSONL_ZST;
		break;
	case RUN_GIVEN_ZSTD_LEVEL:
		o->zstd_level = 9;
		break;
	case RUN_GIVEN_DEDUP:
		o->dedup = 0;
		break;
	case RUN_GIVEN_VALIDATE:
		o->chk.tier = CHK_SYNTAX;
		break;
	case RUN_GIVEN_ARCH:
		o->chk.arch = "sm_80";
		break;
	case RUN_GIVEN_MAX_STMTS:
		o->gen.max_stmts = 5;
		break;
	case RUN_GIVEN_MAX_DEPTH:
		o->gen.max_depth = 2;
		break;
	case RUN_GIVEN_PART:
		o->part_k = 1, o->part_n = 4;
		break;
	case RUN_GIVEN_WEIGHTS:
		memset(other_weights, -1, sizeof other_weights);
		other_weights[GEN_MATH][1] = 30;
		o->gen.weights = (const signed char(*)[GEN_STMT_KINDS])other_weights;
		break;
	default:
		fail_msg("no RUN_GIVEN bit %#x", bit);
	}
}

/* Each bit and the flag its refusal names. */
static const struct {
	unsigned bit;
	const char *flag;
} conflicts[] = {
    {RUN_GIVEN_N, "-n"},
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
};
#define NCONFLICTS (sizeof conflicts / sizeof *conflicts)
#define GIVEN_ALL ((1u << 14) - 1)

static void test_each_given_conflict_is_refused(void **s)
{
	(void)s;
	assert_int_equal(NCONFLICTS, 14);
	run_options o;
	defaults(&o);
	start_journal(&o);
	for (size_t i = 0; i < NCONFLICTS; i++) {
		run_options r, before;
		defaults(&r);
		change(&r, conflicts[i].bit);
		memcpy(&before, &r, sizeof r);
		char why[700];
		snprintf(why, sizeof why,
			 "cannot resume: %s differs from the run in '%s'; drop it to continue that run, or "
			 "start a "
			 "new one with --force",
			 conflicts[i].flag, test_dir);
		assert_refused(&r, conflicts[i].bit, why);
		assert_memory_equal(&r, &before, sizeof r); /* untouched when refused */
		/* every other option given as well: still this flag named */
		r = before;
		assert_refused(&r, GIVEN_ALL, why);
		/* the same change, not given: the journal's value wins */
		assert_resumes(&r, GIVEN_ALL & ~conflicts[i].bit);
		json_t *a = run_options_json(&o), *b = run_options_json(&r);
		if (!json_equal(a, b))
			fail_msg("%s: journal's value not taken", conflicts[i].flag);
		json_decref(a);
		json_decref(b);
	}
}

/* Weights given against a journal that has other weights: compared by
 * content, not by pointer. */
static void test_weights_compared_by_content(void **s)
{
	(void)s;
	run_options o, r;
	everything_set(&o);
	start_journal(&o);
	gen_weights copy;
	memcpy(copy, some_weights, sizeof copy);
	everything_set(&r);
	r.gen.weights = (const signed char(*)[GEN_STMT_KINDS])copy;
	assert_resumes(&r, RUN_GIVEN_WEIGHTS);
	assert_memory_equal(r.gen.weights, some_weights, sizeof(gen_weights));

	everything_set(&r);
	copy[GEN_LOOP][6] = 51;
	r.gen.weights = (const signed char(*)[GEN_STMT_KINDS])copy;
	assert_refused(&r, RUN_GIVEN_WEIGHTS, "cannot resume: --weights differs");
	everything_set(&r);
	r.gen.weights = NULL;
	assert_refused(&r, RUN_GIVEN_WEIGHTS, "cannot resume: --weights differs");
}

/* Given options equal to the journal's are accepted, spelt differently
 * where they mean the same: categories 0 and the seed mask, arch unset
 * and "sm_90". The caller's arch string is kept when equal. */
static void test_given_equal_options_accepted(void **s)
{
	(void)s;
	run_options o, r;
	everything_set(&o);
	start_journal(&o);
	static const char arch[] = "sm_80";
	everything_set(&r);
	r.chk.arch = arch;
	assert_resumes(&r, GIVEN_ALL);
	assert_ptr_equal(r.chk.arch, arch); /* the caller's equal string kept */

	defaults(&o);
	o.gen.categories = GEN_SEED_MASK;
	o.chk.arch = "sm_90";
	start_journal(&o);
	defaults(&r);
	assert_null(r.chk.arch);
	assert_resumes(&r, GIVEN_ALL);
	assert_int_equal(r.gen.categories, 0);
	assert_string_equal(r.chk.arch, "sm_90"); /* unset: the journal's */
}

/* Journals of runs before `--categories all` list the first 19 profiles for
 * a default run: read back as the default, and a default given matches. */
static void test_legacy_default_categories_read_as_default(void **s)
{
	(void)s;
	run_options o, r;
	defaults(&o);
	json_t *j = run_options_json(&o), *cats = json_array();
	for (int c = 0; c < 19; c++)
		json_array_append_new(cats, json_string(gen_category_name((gen_category)c)));
	assert_string_equal(json_string_value(json_array_get(cats, 18)), "multi_dim");
	json_object_set_new(j, "categories", cats);
	buf err = BUF_INIT;
	assert_int_equal(journal_start(test_dir, j, &err), 0);
	json_decref(j);
	buf_free(&err);

	defaults(&r);
	r.gen.categories = 1u << GEN_TILE;
	assert_resumes(&r, 0);
	assert_int_equal(r.gen.categories, 0);
	defaults(&r);
	assert_resumes(&r, RUN_GIVEN_CATEGORIES);
	assert_int_equal(r.gen.categories, 0);
	r.gen.categories = 1u << GEN_TILE;
	assert_refused(&r, RUN_GIVEN_CATEGORIES, "cannot resume: --categories differs");
}

/* max_stmts and max_depth are absent from older journals: 0. */
static void test_older_journal_without_size_budget(void **s)
{
	(void)s;
	start_journal_text("{\"n\":5,\"seed\":1,\"devices\":[\"cuda\"],\"categories\":[\"loop\"],"
			   "\"shard_size\":2,\"format\":\"jsonl\",\"zstd_level\":0,\"dedup\":true,"
			   "\"validate\":\"syntax\",\"arch\":\"sm_90\"}");
	run_options r;
	everything_set(&r);
	assert_resumes(&r, 0);
	assert_int_equal(r.n, 5);
	assert_int_equal(r.gen.max_stmts, 0);
	assert_int_equal(r.gen.max_depth, 0);
	assert_int_equal(r.pool.devices, DEV_BIT(DEV_CUDA));
	assert_int_equal(r.gen.categories, 1u << GEN_LOOP);
	assert_int_equal(r.chk.tier, CHK_SYNTAX);
	assert_null(r.gen.weights);
}

static void test_unreadable_options_refused(void **s)
{
	(void)s;
	static const char *const bad[] = {
	    "{}",
	    /* "seed" missing */
	    "{\"n\":5,\"devices\":[\"cpu\"],\"categories\":[],\"shard_size\":2,\"format\":\"jsonl\","
	    "\"zstd_level\":0,\"dedup\":true,\"validate\":\"none\",\"arch\":\"sm_90\"}",
	    /* the same options with one value spoilt, below */
	};
	static const char *const good =
	    "{\"n\":5,\"seed\":1,\"devices\":[\"cpu\"],\"categories\":[\"loop\"],\"max_stmts\":1,\"max_"
	    "depth\":1,"
	    "\"shard_size\":2,\"format\":\"jsonl\",\"zstd_level\":0,\"dedup\":true,\"validate\":\"none\","
	    "\"arch\":\"sm_90\"";
	static const char *const spoil[][2] = {
	    {"\"n\":5", "\"n\":0"},
	    {"\"shard_size\":2", "\"shard_size\":0"},
	    {"\"max_stmts\":1", "\"max_stmts\":-1"},
	    {"\"max_depth\":1", "\"max_depth\":-1"},
	    {"\"format\":\"jsonl\"", "\"format\":\"gz\""},
	    {"\"validate\":\"none\"", "\"validate\":\"full\""},
	    {"\"dedup\":true", "\"dedup\":1"},
	    {"[\"cpu\"]", "[]"},
	    {"[\"cpu\"]", "[\"tpu\"]"},
	    {"[\"loop\"]", "[\"loops\"]"},
	    {"[\"loop\"]", "[7]"},
	    {"\"arch\":\"sm_90\"", "\"arch\":90"},
	};
	static const char *const bad_weights[] = {
	    ",\"weights\":[]",
	    ",\"weights\":{\"loops\":{\"if\":1}}",
	    ",\"weights\":{\"loop\":{\"iff\":1}}",
	    ",\"weights\":{\"loop\":{\"if\":101}}",
	    ",\"weights\":{\"loop\":{\"if\":-1}}",
	    ",\"weights\":{\"loop\":{\"if\":\"1\"}}",
	    ",\"weights\":{\"loop\":3}",
	};
	char why[700];
	snprintf(why, sizeof why, "cannot resume: the journal in '%s' holds unreadable options", test_dir);
	size_t cases = 0;
	for (size_t i = 0; i < sizeof bad / sizeof *bad + sizeof spoil / sizeof *spoil +
				   sizeof bad_weights / sizeof *bad_weights;
	     i++) {
		buf text = BUF_INIT;
		if (i < sizeof bad / sizeof *bad) {
			buf_puts(&text, bad[i]);
		} else if (i < sizeof bad / sizeof *bad + sizeof spoil / sizeof *spoil) {
			const char *const *sp = spoil[i - sizeof bad / sizeof *bad];
			const char *at = strstr(good, sp[0]);
			assert_non_null(at);
			buf_append(&text, good, (size_t)(at - good));
			buf_puts(&text, sp[1]);
			buf_puts(&text, at + strlen(sp[0]));
			buf_putc(&text, '}');
		} else {
			buf_puts(&text, good);
			buf_puts(&text,
				 bad_weights[i - sizeof bad / sizeof *bad - sizeof spoil / sizeof *spoil]);
			buf_putc(&text, '}');
		}
		start_journal_text(buf_cstr(&text));
		run_options r, before;
		defaults(&r);
		memcpy(&before, &r, sizeof r);
		buf err = BUF_INIT;
		if (run_resume_options(&r, 0, &err) != -1)
			fail_msg("accepted: %s", buf_cstr(&text));
		if (strcmp(buf_cstr(&err), why) != 0)
			fail_msg("'%s' for %s", buf_cstr(&err), buf_cstr(&text));
		assert_memory_equal(&r, &before, sizeof r);
		buf_free(&err);
		buf_free(&text);
		cases++;
	}
	assert_int_equal(cases, 21);
	/* and the good one is good */
	buf text = BUF_INIT;
	buf_puts(&text, good);
	buf_puts(&text, ",\"weights\":{\"loop\":{\"if\":100,\"jump\":0}}}");
	start_journal_text(buf_cstr(&text));
	buf_free(&text);
	run_options r;
	defaults(&r);
	assert_resumes(&r, 0);
	assert_int_equal(r.gen.weights[GEN_LOOP][5], 100);
	assert_int_equal(r.gen.weights[GEN_LOOP][8], 0);
	assert_int_equal(r.gen.weights[GEN_LOOP][0], -1);
	assert_int_equal(r.gen.weights[GEN_ARITHMETIC][5], -1);
}

/* --part K/N: the parts in order tile 0..n, sizes within one of another */
static void test_part_ranges_tile_the_run(void **s)
{
	(void)s;
	static const uint64_t ns[] = {1, 2, 5, 7, 48, 1000, 1001, UINT64_C(1) << 40};
	static const uint64_t parts[] = {1, 2, 3, 4, 7, 64, 1u << 20};
	for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
		for (size_t b = 0; b < sizeof parts / sizeof *parts; b++) {
			run_options o;
			defaults(&o);
			o.n = ns[a], o.part_n = parts[b];
			if (o.part_n > o.n)
				continue;
			uint64_t at = 0, lo = UINT64_MAX, hi = 0;
			for (o.part_k = 0; o.part_k < o.part_n; o.part_k++) {
				uint64_t first, end;
				run_range(&o, &first, &end);
				assert_int_equal(first, at);
				assert_true(end > first);
				lo = end - first < lo ? end - first : lo;
				hi = end - first > hi ? end - first : hi;
				at = end;
			}
			assert_int_equal(at, o.n);
			assert_true(hi - lo <= 1);
		}
	run_options o;
	defaults(&o);
	uint64_t first, end;
	run_range(&o, &first, &end); /* no part: the whole run */
	assert_int_equal(first, 0);
	assert_int_equal(end, 1000);
}

/* The part round trips through the journal, with its range; a range that
 * is not run_range's is unreadable. */
static void test_part_round_trip(void **s)
{
	(void)s;
	run_options o, r;
	defaults(&o);
	o.n = 10, o.part_k = 2, o.part_n = 4;
	json_t *j = run_options_json(&o);
	char *txt = dump(json_object_get(j, "part"));
	assert_string_equal(txt, "{\"k\":2,\"of\":4,\"first\":6,\"end\":8}");
	free(txt);
	json_decref(j);
	start_journal(&o);
	defaults(&r);
	assert_resumes(&r, 0);
	assert_int_equal(r.part_k, 2);
	assert_int_equal(r.part_n, 4);
	assert_int_equal(r.n, 10);
	unlink(test_path("journal.jsonl"));
	json_t *bad = run_options_json(&o);
	json_object_set_new(json_object_get(bad, "part"), "first", json_integer(5));
	char *btxt = dump(bad);
	start_journal_text(btxt);
	free(btxt);
	json_decref(bad);
	defaults(&r);
	assert_refused(&r, 0, "holds unreadable options");
}

static void test_missing_journal_refused(void **s)
{
	(void)s;
	run_options r, before;
	defaults(&r);
	memcpy(&before, &r, sizeof r);
	assert_refused(&r, 0, "cannot resume: no run journal '");
	assert_refused(&r, 0, test_dir);
	assert_memory_equal(&r, &before, sizeof r);
	assert_int_not_equal(access(test_dir, F_OK), -1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, dir_setup, test_dir_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_json_of_defaults),
	    T(test_json_of_everything_set),
	    T(test_json_leaves_out_run_only_options),
	    T(test_round_trip_of_every_field),
	    T(test_options_not_given_come_from_journal),
	    T(test_each_given_conflict_is_refused),
	    T(test_weights_compared_by_content),
	    T(test_given_equal_options_accepted),
	    T(test_legacy_default_categories_read_as_default),
	    T(test_older_journal_without_size_budget),
	    T(test_unreadable_options_refused),
	    T(test_part_ranges_tile_the_run),
	    T(test_part_round_trip),
	    T(test_missing_journal_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

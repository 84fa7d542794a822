/* test_manifest: manifest.json as manifest_write leaves it, built from real
 * inputs (shards and rejects written here, a metrics accumulator): every
 * block parsed back and checked against them, shard checksums against the
 * files, equal inputs giving manifests that differ only in "timing". */
#include "test.h"

#include <jansson.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/dev.h"
#include "common/util.h"
#include "pipeline/manifest.h"
#include "store/layout.h"
#include "store/record.h"

static int dir_setup(void **s)
{
	(void)s;
	return test_dir_make("test_manifest");
}

static void sha256_of_file(const char *name, char hex[65])
{
	buf b = BUF_INIT;
	test_read(name, &b);
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)buf_cstr(&b), b.len, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	buf_free(&b);
}

static const char *const sources[] = {
    "import warp as wp\n\n@wp.kernel\ndef k0(a: wp.array(dtype=float)):\n    i = wp.tid()\n"
    "    a[i] = wp.sin(a[i])\n",
    "import warp as wp\n\n@wp.kernel\ndef k1(a: wp.array(dtype=float)):\n    i = wp.tid()\n"
    "    if a[i] > 0.0:\n        a[i] = wp.sqrt(a[i])\n",
    "import warp as wp\n\n@wp.kernel\ndef k2(a: wp.array(dtype=float)):\n    i = wp.tid()\n"
    "    for j in range(3):\n        a[i] = a[i] + wp.cos(float(j))\n",
};
#define NSOURCES (sizeof sources / sizeof *sources)

/* Everything manifest_write reads, built the way run_generate builds it. */
typedef struct inputs {
	run_options o;
	run_state s;
	run_point timeline[2];
	metrics mx;
	shard_set shards;
	jsonl_file rejects;
} inputs;

static void inputs_init(inputs *in, chk_tier tier, unsigned devices)
{
	memset(in, 0, sizeof *in);
	buf err = BUF_INIT;
	run_options *o = &in->o;
	o->n = 7;
	o->out_dir = test_dir;
	pool_options_init(&o->pool);
	o->pool.devices = devices;
	o->pool.jobs = 3;
	o->gen.seed = 42;
	o->shard_size = 2;
	o->format = JSONL_PLAIN;
	o->dedup = 1;
	o->chk.tier = tier;
	o->chk.arch = tier != CHK_NONE ? "sm_80" : NULL;

	/* 5 records in shards of 2: three shards */
	shards_init(&in->shards, test_dir, o->shard_size, o->format, o->zstd_level);
	for (int i = 0; i < 5; i++) {
		char line[64];
		int n = snprintf(line, sizeof line, "{\"id\":%d,\"python_source\":\"...\"}\n", i);
		assert_true(shards_write(&in->shards, line, (size_t)n, &err) >= 0);
	}
	assert_int_equal(shards_finish(&in->shards, &err), 0);
	assert_int_equal(in->shards.ndone, 3);

	assert_int_equal(jsonl_open(&in->rejects, test_dir, LAYOUT_REJECTS, &err), 0);
	static const char r0[] = "{\"index\":5,\"stage\":\"warp\",\"reason\":\"bad type 'x'\"}\n";
	static const char r1[] = "{\"index\":6,\"stage\":\"validate\",\"reason\":\"nvrtc: error\"}\n";
	assert_int_equal(jsonl_write(&in->rejects, r0, sizeof r0 - 1, &err), 0);
	assert_int_equal(jsonl_write(&in->rejects, r1, sizeof r1 - 1, &err), 0);
	assert_int_equal(jsonl_commit(&in->rejects, &err), 0);

	metrics_init(&in->mx);
	for (size_t i = 0; i < NSOURCES; i++)
		metrics_add_source(&in->mx, sources[i], strlen(sources[i]));
	metrics_add_reject(&in->mx, "warp", "bad type 'x'");
	metrics_add_reject(&in->mx, "validate", "nvrtc: error");

	run_state *s = &in->s;
	s->dispatched = s->done = 7;
	s->records = 5;
	s->rejects = 2;
	s->cat_records[GEN_LOOP] = 3;
	s->cat_records[GEN_MATH] = 2;
	s->cat_rejects[GEN_MATRIX] = 1; /* rejects only */
	s->cat_rejects[GEN_MATH] = 1;
	s->dropped_exact = 4;
	s->dropped_structural = 6;
	s->stage_rejects[STAGE_WARP] = 1;
	s->stage_rejects[STAGE_WORKER] = 0;
	s->stage_rejects[STAGE_EXTRACT] = 0;
	s->stage_rejects[STAGE_VALIDATE] = 1;
	s->complete = 1;
	s->elapsed = 2.0;
	s->peak_rss_kib = 1234;
	s->resumed_from = 0;
	snprintf(s->pool.warp_version, sizeof s->pool.warp_version, "1.9.1");
	s->pool.restarts = 1;
	s->pool.worker_peak_rss_kib = 5678;
	in->timeline[0] = (run_point){.done = 3, .seconds = 0.5, .worker_rss_kib = 100};
	in->timeline[1] = (run_point){.done = 7, .seconds = 2.0, .worker_rss_kib = 200};
	s->timeline = in->timeline;
	s->ntimeline = 2;
	s->chk.compiles[DEV_CPU] = 2;
	s->chk.compiles[DEV_CUDA] = 3;
	s->chk.seconds[DEV_CPU] = 0.25;
	s->chk.seconds[DEV_CUDA] = 0.75;
	s->chk.cxx_pch = 1;
	assert_int_equal(err.len, 0);
	buf_free(&err);
}

static void inputs_release(inputs *in)
{
	metrics_release(&in->mx);
	shards_release(&in->shards);
	jsonl_release(&in->rejects);
}

/* Writes the manifest, returns its text in *text (if given) and parsed. */
static json_t *write_and_load(const inputs *in, buf *text)
{
	buf err = BUF_INIT;
	int rc = manifest_write(&in->o, &in->s, &in->mx, &in->shards, &in->rejects, &err);
	if (rc != 0)
		fail_msg("manifest_write: %s", buf_cstr(&err));
	assert_int_equal(err.len, 0);
	buf_free(&err);
	assert_int_not_equal(access(test_path(".manifest.json.tmp"), F_OK), 0);
	buf t = BUF_INIT;
	test_read(LAYOUT_MANIFEST, &t);
	assert_true(t.len > 0 && t.data[t.len - 1] == '\n');
	json_error_t e;
	json_t *m = json_loadb(t.data, t.len, 0, &e);
	if (!m)
		fail_msg("manifest is not JSON: %s", e.text);
	if (text)
		buf_append(text, t.data, t.len);
	buf_free(&t);
	return m;
}

static json_int_t int_at(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v))
		fail_msg("'%s' is not an integer", key);
	return json_integer_value(v);
}

static void test_header_and_options(void **s)
{
	(void)s;
	inputs in;
	inputs_init(&in, CHK_NONE, DEV_ALL);
	json_t *m = write_and_load(&in, NULL);
	assert_string_equal(json_string_value(json_object_get(m, "format")), "jitsynth-dataset-1");
	assert_true(json_is_true(json_object_get(m, "complete")));
	assert_string_equal(json_string_value(json_object_get(m, "jitsynth_version")), JITSYNTH_VERSION);
	assert_string_equal(json_string_value(json_object_get(m, "warp_version")), "1.9.1");
	json_t *want = run_options_json(&in.o);
	assert_true(json_equal(json_object_get(m, "options"), want));
	json_decref(want);
	/* the top-level keys, in their fixed order */
	static const char *const keys[] = {"format",  "complete", "jitsynth_version", "warp_version",
					   "options", "counts",	  "metrics",	      "shards",
					   "rejects", "timing"};
	size_t i = 0;
	for (void *it = json_object_iter(m); it; it = json_object_iter_next(m, it)) {
		assert_true(i < sizeof keys / sizeof *keys);
		assert_string_equal(json_object_iter_key(it), keys[i++]);
	}
	assert_int_equal(i, sizeof keys / sizeof *keys);
	json_decref(m);

	in.s.complete = 0;
	m = write_and_load(&in, NULL);
	assert_true(json_is_false(json_object_get(m, "complete")));
	json_decref(m);
	inputs_release(&in);
}

static void test_counts(void **s)
{
	(void)s;
	inputs in;
	inputs_init(&in, CHK_NONE, DEV_ALL);
	json_t *m = write_and_load(&in, NULL), *c = json_object_get(m, "counts");
	assert_int_equal(int_at(c, "kernels"), 7);
	assert_int_equal(int_at(c, "records"), 5);
	assert_int_equal(int_at(c, "rejects"), 2);
	json_t *st = json_object_get(c, "rejects_by_stage");
	assert_int_equal(json_object_size(st), 4);
	assert_int_equal(int_at(st, "warp"), 1);
	assert_int_equal(int_at(st, "worker"), 0);
	assert_int_equal(int_at(st, "extract"), 0);
	assert_int_equal(int_at(st, "validate"), 1);
	json_t *dd = json_object_get(c, "dedup");
	assert_int_equal(int_at(dd, "exact"), 4);
	assert_int_equal(int_at(dd, "structural"), 6);
	/* only categories with records or rejects */
	json_t *pc = json_object_get(c, "per_category");
	assert_int_equal(json_object_size(pc), 3);
	json_t *loop = json_object_get(pc, "loop"), *math = json_object_get(pc, "math"),
	       *matrix = json_object_get(pc, "matrix");
	assert_int_equal(int_at(loop, "records"), 3);
	assert_int_equal(int_at(loop, "rejects"), 0);
	assert_int_equal(int_at(math, "records"), 2);
	assert_int_equal(int_at(math, "rejects"), 1);
	assert_int_equal(int_at(matrix, "records"), 0);
	assert_int_equal(int_at(matrix, "rejects"), 1);
	json_t *pd = json_object_get(c, "per_device");
	assert_int_equal(json_object_size(pd), 2);
	assert_int_equal(int_at(pd, "cpu"), 5);
	assert_int_equal(int_at(pd, "cuda"), 5);
	json_decref(m);
	inputs_release(&in);
}

static void test_per_device_only_requested(void **s)
{
	(void)s;
	static const unsigned masks[] = {DEV_BIT(DEV_CPU), DEV_BIT(DEV_CUDA)};
	for (size_t i = 0; i < 2; i++) {
		inputs in;
		inputs_init(&in, CHK_NONE, masks[i]);
		json_t *m = write_and_load(&in, NULL);
		json_t *pd = json_object_get(json_object_get(m, "counts"), "per_device");
		assert_int_equal(json_object_size(pd), 1);
		assert_int_equal(int_at(pd, dev_name(i ? DEV_CUDA : DEV_CPU)), 5);
		json_t *devs = json_object_get(json_object_get(m, "options"), "devices");
		assert_int_equal(json_array_size(devs), 1);
		json_decref(m);
		inputs_release(&in);
		assert_int_equal(rm_tree(test_dir), 0);
		assert_int_equal(mkdir(test_dir, 0700), 0);
	}
}

static void test_validation_only_with_a_tier(void **s)
{
	(void)s;
	inputs in;
	inputs_init(&in, CHK_NONE, DEV_ALL);
	json_t *m = write_and_load(&in, NULL);
	assert_null(json_object_get(m, "validation"));
	assert_null(json_object_get(json_object_get(m, "timing"), "validation"));
	json_decref(m);

	static const chk_tier tiers[] = {CHK_SYNTAX, CHK_COMPILE};
	for (size_t i = 0; i < 2; i++) {
		in.o.chk.tier = tiers[i];
		in.o.chk.arch = "sm_80";
		in.o.chk.cxx = i ? "clang++" : NULL;
		m = write_and_load(&in, NULL);
		json_t *v = json_object_get(m, "validation");
		assert_true(json_is_object(v));
		assert_string_equal(json_string_value(json_object_get(v, "tier")), chk_tier_name(tiers[i]));
		assert_int_equal(int_at(v, "records_passed"), 5);
		assert_int_equal(int_at(v, "rejected"), 1);
		json_t *tc = json_object_get(v, "toolchain");
		assert_string_equal(json_string_value(json_object_get(tc, "arch")), "sm_80");
		assert_string_equal(json_string_value(json_object_get(tc, "cxx")), i ? "clang++" : "g++");
		assert_non_null(json_string_value(json_object_get(tc, "cuda")));
		/* between "counts"/"metrics" and "shards" */
		const char *prev = NULL;
		for (void *it = json_object_iter(m); it && strcmp(json_object_iter_key(it), "validation");
		     it = json_object_iter_next(m, it))
			prev = json_object_iter_key(it);
		assert_string_equal(prev, "metrics");
		json_t *tv = json_object_get(json_object_get(m, "timing"), "validation");
		json_t *comp = json_object_get(tv, "compilations"),
		       *secs = json_object_get(tv, "compiler_seconds");
		assert_int_equal(json_integer_value(json_array_get(comp, 0)), 2);
		assert_int_equal(json_integer_value(json_array_get(comp, 1)), 3);
		assert_true(json_real_value(json_array_get(secs, 1)) == 0.75);
		assert_true(json_is_true(json_object_get(tv, "cxx_pch")));
		json_decref(m);
	}
	inputs_release(&in);
}

static void test_shards_and_rejects_listed(void **s)
{
	(void)s;
	inputs in;
	inputs_init(&in, CHK_NONE, DEV_ALL);
	json_t *m = write_and_load(&in, NULL), *sh = json_object_get(m, "shards");
	assert_int_equal(json_array_size(sh), in.shards.ndone);
	static const size_t want_records[] = {2, 2, 1};
	for (size_t i = 0; i < in.shards.ndone; i++) {
		const shard_info *d = &in.shards.done[i];
		json_t *e = json_array_get(sh, i);
		char name[64];
		layout_shard_name(name, sizeof name, i);
		assert_string_equal(json_string_value(json_object_get(e, "file")), name);
		assert_string_equal(d->name, name);
		assert_int_equal(int_at(e, "records"), d->records);
		assert_int_equal(d->records, want_records[i]);
		assert_int_equal(int_at(e, "bytes"), d->bytes);
		struct stat st;
		assert_int_equal(stat(test_path(name), &st), 0);
		assert_int_equal(d->bytes, st.st_size);
		assert_string_equal(json_string_value(json_object_get(e, "sha256")), d->sha256);
	}
	/* one checksum recomputed from the file's bytes */
	char hex[65];
	sha256_of_file(in.shards.done[1].name, hex);
	assert_string_equal(json_string_value(json_object_get(json_array_get(sh, 1), "sha256")), hex);

	json_t *rj = json_object_get(m, "rejects");
	assert_string_equal(json_string_value(json_object_get(rj, "file")), LAYOUT_REJECTS);
	assert_int_equal(int_at(rj, "records"), 2);
	sha256_of_file(LAYOUT_REJECTS, hex);
	assert_string_equal(json_string_value(json_object_get(rj, "sha256")), hex);
	assert_string_equal(in.rejects.sha256, hex);
	json_decref(m);
	inputs_release(&in);
}

static void test_metrics_block(void **s)
{
	(void)s;
	inputs in;
	inputs_init(&in, CHK_NONE, DEV_ALL);
	json_t *m = write_and_load(&in, NULL), *mx = json_object_get(m, "metrics");
	json_t *want = metrics_json(&in.mx);
	assert_true(json_equal(mx, want));
	json_decref(want);
	assert_int_equal(int_at(json_object_get(mx, "statements"), "kernels"), NSOURCES);
	assert_int_equal(int_at(json_object_get(mx, "nesting_depth"), "kernels"), NSOURCES);
	json_t *reasons = json_object_get(mx, "rejects_by_reason");
	assert_int_equal(json_object_size(reasons), 2);
	assert_int_equal(int_at(reasons, "warp: bad type \"…\""), 1);
	assert_int_equal(int_at(reasons, "validate: nvrtc"), 1);
	assert_true(int_at(json_object_get(mx, "builtins"), "used") > 0);
	json_decref(m);
	inputs_release(&in);
}

static void test_timing(void **s)
{
	(void)s;
	inputs in;
	inputs_init(&in, CHK_NONE, DEV_ALL);
	json_t *m = write_and_load(&in, NULL), *t = json_object_get(m, "timing");
	const char *when = json_string_value(json_object_get(t, "finished"));
	assert_non_null(when);
	assert_int_equal(strlen(when), 20); /* 2025-01-02T03:04:05Z */
	assert_int_equal(when[10], 'T');
	assert_int_equal(when[19], 'Z');
	assert_true(json_real_value(json_object_get(t, "seconds")) == 2.0);
	assert_true(json_real_value(json_object_get(t, "kernels_per_second")) == 3.5);
	assert_int_equal(int_at(t, "jobs"), 3);
	assert_int_equal(int_at(t, "resumed_from"), 0);
	assert_int_equal(int_at(t, "worker_restarts"), 1);
	assert_int_equal(int_at(t, "peak_rss_kib"), 1234);
	assert_int_equal(int_at(t, "worker_peak_rss_kib"), 5678);
	json_t *tl = json_object_get(t, "timeline");
	assert_int_equal(json_array_size(tl), 2);
	json_t *p = json_array_get(tl, 1);
	assert_int_equal(json_integer_value(json_array_get(p, 0)), 7);
	assert_true(json_real_value(json_array_get(p, 1)) == 2.0);
	assert_int_equal(json_integer_value(json_array_get(p, 2)), 200);
	json_decref(m);

	in.s.elapsed = 0; /* no division by zero */
	m = write_and_load(&in, NULL);
	assert_true(json_real_value(json_object_get(json_object_get(m, "timing"), "kernels_per_second")) ==
		    0.0);
	json_decref(m);
	inputs_release(&in);
}

/* Two runs of the same options: only "timing" differs, byte for byte
 * everything before it (the last key) is the same. */
static void test_equal_inputs_differ_only_in_timing(void **s)
{
	(void)s;
	inputs in;
	inputs_init(&in, CHK_COMPILE, DEV_ALL);
	buf a = BUF_INIT, b = BUF_INIT;
	json_t *ma = write_and_load(&in, &a);
	in.s.elapsed = 9.25;
	in.s.peak_rss_kib = 99;
	in.s.pool.restarts = 0;
	in.s.pool.worker_peak_rss_kib = 1;
	in.s.chk.compiles[DEV_CUDA] = 30;
	in.s.chk.seconds[DEV_CPU] = 4.5;
	in.s.ntimeline = 1;
	in.o.pool.jobs = 8;
	json_t *mb = write_and_load(&in, &b);
	assert_false(json_equal(ma, mb));
	assert_false(json_equal(json_object_get(ma, "timing"), json_object_get(mb, "timing")));
	assert_int_equal(json_object_del(ma, "timing"), 0);
	assert_int_equal(json_object_del(mb, "timing"), 0);
	assert_true(json_equal(ma, mb));
	const char *ta = strstr(buf_cstr(&a), "\n  \"timing\": {"),
		   *tb = strstr(buf_cstr(&b), "\n  \"timing\": {");
	assert_non_null(ta);
	assert_non_null(tb);
	assert_int_equal(ta - a.data, tb - b.data);
	assert_memory_equal(a.data, b.data, (size_t)(ta - a.data));
	json_decref(ma);
	json_decref(mb);
	buf_free(&a);
	buf_free(&b);
	inputs_release(&in);
}

static void test_unwritable_dir_is_an_error(void **s)
{
	(void)s;
	inputs in;
	inputs_init(&in, CHK_NONE, DEV_ALL);
	char bad[700];
	/* a missing directory, and a path through a regular file (root can
	 * write anywhere, so no chmod) */
	static const char *const under[] = {"missing/deeper", LAYOUT_REJECTS};
	for (size_t i = 0; i < 2; i++) {
		snprintf(bad, sizeof bad, "%s/%s", test_dir, under[i]);
		in.o.out_dir = bad;
		buf err = BUF_INIT;
		assert_int_equal(manifest_write(&in.o, &in.s, &in.mx, &in.shards, &in.rejects, &err), -1);
		char want[800];
		snprintf(want, sizeof want, "cannot write '%s/.manifest.json.tmp': ", bad);
		if (strncmp(buf_cstr(&err), want, strlen(want)) != 0)
			fail_msg("'%s' is not '%s...'", buf_cstr(&err), want);
		assert_null(strchr(buf_cstr(&err), '\n'));
		buf_free(&err);
	}
	assert_int_not_equal(access(test_path(LAYOUT_MANIFEST), F_OK), 0);
	inputs_release(&in);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, dir_setup, test_dir_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_header_and_options),
	    T(test_counts),
	    T(test_per_device_only_requested),
	    T(test_validation_only_with_a_tier),
	    T(test_shards_and_rejects_listed),
	    T(test_metrics_block),
	    T(test_timing),
	    T(test_equal_inputs_differ_only_in_timing),
	    T(test_unwritable_dir_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

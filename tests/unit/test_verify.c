/* test_verify: `jitsynth verify`'s checks on datasets written here through
 * the store's own writers (shards, rejects, journal) with a manifest that
 * lists them: a clean dataset holds; a flipped byte, a cut file, a missing,
 * extra or twice-listed shard, a name outside the directory, changed
 * rejects, counts that do not add up, a journal that disagrees with the
 * manifest (checksum, Warp version, rejects) are each one line naming the
 * file; .zst shards are counted decompressed; a FIFO or a link is named, not
 * read; a live writer's directory and a directory with no dataset are
 * refused. */
#include "test.h"

#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "pipeline/verify.h"
#include "store/journal.h"
#include "store/jsonl.h"
#include "store/layout.h"
#include "store/lock.h"
#include "store/shards.h"

static char dir[512];

static int dir_setup(void **s)
{
	(void)s;
	const char *t = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/test_verify.XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int dir_teardown(void **s)
{
	(void)s;
	return rm_tree(dir);
}

static const char *path_of(const char *name)
{
	static char p[600];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return p;
}

/* ---- a dataset, as generate writes one ---- */

enum { PER_SHARD = 3 };

typedef struct dataset {
	shard_set shards;
	json_t *manifest;
	uint64_t rejects_bytes;
	char rejects_sha[65];
} dataset;

static void write_json(const char *name, json_t *j)
{
	assert_int_equal(json_dump_file(j, path_of(name), JSON_INDENT(2) | JSON_PRESERVE_ORDER), 0);
}

/* n shards of PER_SHARD records, rejects.jsonl of 2 lines, the manifest;
 * with a journal listing every shard but the last (as after a run whose
 * last shard was partial), each made with `warp`. */
static void make_dataset(dataset *d, jsonl_format fmt, size_t n, int with_journal, const char *warp)
{
	buf err = BUF_INIT, line = BUF_INIT;
	shards_init(&d->shards, dir, PER_SHARD, fmt, 0);
	for (size_t i = 0; i < n * PER_SHARD; i++) {
		buf_reset(&line);
		buf_printf(&line, "{\"id\":\"s1-%09zu\",\"python_source\":\"x = %zu\"}\n", i, i);
		assert_true(shards_write(&d->shards, line.data, line.len, &err) >= 0);
	}
	assert_int_equal(shards_finish(&d->shards, &err), 0);
	jsonl_file rj;
	assert_int_equal(jsonl_open(&rj, dir, LAYOUT_REJECTS, &err), 0);
	assert_int_equal(jsonl_write(&rj, "{\"index\":1}\n", 12, &err), 0);
	assert_int_equal(jsonl_write(&rj, "{\"index\":2}\n", 12, &err), 0);
	assert_int_equal(jsonl_commit(&rj, &err), 0);
	d->rejects_bytes = rj.bytes;
	memcpy(d->rejects_sha, rj.sha256, 65);
	jsonl_release(&rj);

	json_t *opt = json_pack("{s:I, s:i, s:i, s:s}", "n", (json_int_t)(n * PER_SHARD), "seed", 1,
				"shard_size", PER_SHARD, "format", jsonl_format_name(fmt));
	json_t *sh = json_array();
	for (size_t i = 0; i < d->shards.ndone; i++) {
		const shard_info *s = &d->shards.done[i];
		json_array_append_new(sh, json_pack("{s:s, s:I, s:I, s:s}", "file", s->name, "records",
						    (json_int_t)s->records, "bytes", (json_int_t)s->bytes,
						    "sha256", s->sha256));
	}
	d->manifest = json_pack("{s:s, s:b, s:s, s:O, s:{s:I, s:i}, s:o, s:{s:s, s:i, s:s}}", "format",
				"jitsynth-dataset-1", "complete", 1, "warp_version", "1.19.0", "options", opt,
				"counts", "records", (json_int_t)(n * PER_SHARD), "rejects", 2, "shards", sh,
				"rejects", "file", LAYOUT_REJECTS, "records", 2, "sha256", d->rejects_sha);
	write_json(LAYOUT_MANIFEST, d->manifest);
	if (with_journal) {
		assert_int_equal(journal_start(dir, opt, &err), 0);
		for (size_t i = 0; i + 1 < d->shards.ndone; i++) {
			journal_entry e = {.shard = d->shards.done[i], .rejects_bytes = d->rejects_bytes};
			snprintf(e.warp_version, sizeof e.warp_version, "%s", warp);
			memcpy(e.rejects_sha256, d->rejects_sha, 65);
			assert_int_equal(journal_append(dir, &e, &err), 0);
		}
	}
	json_decref(opt);
	buf_free(&err);
	buf_free(&line);
}

static void dataset_release(dataset *d)
{
	shards_release(&d->shards);
	json_decref(d->manifest);
}

/* ---- running verify ---- */

typedef struct lines {
	buf all;
	size_t n;
} lines;

static void collect(const char *line, void *ctx)
{
	lines *l = ctx;
	assert_null(strchr(line, '\n'));
	assert_int_equal(strncmp(line, dir, strlen(dir)), 0); /* each names its file */
	buf_printf(&l->all, "%s\n", line);
	l->n++;
}

/* Runs verify; the lines must be `want` of them, each containing, in
 * order, the texts in expect (NULL-terminated). */
static void expect_lines(size_t want, const char *const *expect)
{
	lines l = {BUF_INIT, 0};
	verify_result res;
	buf err = BUF_INIT;
	assert_int_equal(verify_dataset(dir, collect, &l, &res, &err), 0);
	assert_int_equal(res.mismatches, l.n);
	if (l.n != want)
		fail_msg("%zu mismatches, not %zu:\n%s", l.n, want, buf_cstr(&l.all));
	for (size_t i = 0; expect && expect[i]; i++)
		if (!strstr(buf_cstr(&l.all), expect[i]))
			fail_msg("no line says '%s':\n%s", expect[i], buf_cstr(&l.all));
	buf_free(&l.all);
	buf_free(&err);
}

static void flip_byte(const char *name, long at)
{
	FILE *f = fopen(path_of(name), "r+b");
	assert_non_null(f);
	fseek(f, at, SEEK_SET);
	int c = fgetc(f);
	fseek(f, at, SEEK_SET);
	fputc(c ^ 0x20, f);
	fclose(f);
}

/* ---- the cases ---- */

static void test_clean_dataset_holds(void **s)
{
	(void)s;
	dataset d;
	make_dataset(&d, JSONL_PLAIN, 3, 1, "1.19.0");
	lines l = {BUF_INIT, 0};
	verify_result res;
	buf err = BUF_INIT;
	assert_int_equal(verify_dataset(dir, collect, &l, &res, &err), 0);
	assert_int_equal(res.mismatches, 0);
	assert_int_equal(res.shards, 3);
	assert_int_equal(res.records, 3 * PER_SHARD);
	assert_int_equal(res.rejects, 2);
	assert_true(res.have_manifest && res.have_journal && res.complete);
	buf_free(&err);
	buf_free(&l.all);
	dataset_release(&d);
}

static void test_flipped_byte_is_named(void **s)
{
	(void)s;
	dataset d;
	make_dataset(&d, JSONL_PLAIN, 3, 1, "1.19.0");
	flip_byte("train-00001.jsonl", 20);
	const char *const want[] = {"/train-00001.jsonl: differs from what manifest.json says: SHA-256 ",
				    NULL};
	expect_lines(1, want);
	dataset_release(&d);
}

static void test_cut_shard_says_size_and_records(void **s)
{
	(void)s;
	dataset d;
	make_dataset(&d, JSONL_PLAIN, 2, 0, "1.19.0");
	assert_int_equal(truncate(path_of("train-00000.jsonl"), 10), 0);
	char want[128];
	snprintf(want, sizeof want, " 10 bytes, not %zu;", d.shards.done[0].bytes);
	const char *const w[] = {want, "0 records, not 3", NULL};
	expect_lines(1, w);
	dataset_release(&d);
}

static void test_zst_shards_counted_decompressed(void **s)
{
	(void)s;
	dataset d;
	make_dataset(&d, JSONL_ZST, 2, 1, "1.19.0");
	expect_lines(0, NULL);
	verify_facts f;
	buf why = BUF_INIT;
	assert_int_equal(verify_file(path_of("train-00000.jsonl.zst"), 1, UINT64_MAX, &f, &why), 0);
	assert_int_equal(f.lines, PER_SHARD);
	assert_int_equal(f.bytes, d.shards.done[0].bytes);
	assert_int_equal(truncate(path_of("train-00001.jsonl.zst"), (off_t)d.shards.done[1].bytes - 3), 0);
	const char *const w[] = {"/train-00001.jsonl.zst: not a valid zstd stream (manifest.json lists it)",
				 NULL};
	expect_lines(1, w);
	buf_free(&why);
	dataset_release(&d);
}

static void test_missing_extra_twice_and_outside(void **s)
{
	(void)s;
	dataset d;
	make_dataset(&d, JSONL_PLAIN, 3, 0, "1.19.0");
	unlink(path_of("train-00002.jsonl"));
	FILE *f = fopen(path_of("train-00007.jsonl"), "wb");
	fputs("{}\n", f);
	fclose(f);
	json_t *sh = json_object_get(d.manifest, "shards");
	json_array_append(sh, json_array_get(sh, 0));
	json_array_append_new(sh, json_pack("{s:s}", "file", "../outside.jsonl"));
	write_json(LAYOUT_MANIFEST, d.manifest);
	const char *const w[] = {"/train-00002.jsonl: missing (manifest.json lists it)",
				 "/train-00007.jsonl: a shard manifest.json does not list",
				 "/manifest.json: lists 'train-00000.jsonl' more than once",
				 "/manifest.json: shards[4] names no file of this directory", NULL};
	expect_lines(4, w);
	dataset_release(&d);
}

static void test_rejects_and_counts(void **s)
{
	(void)s;
	dataset d;
	make_dataset(&d, JSONL_PLAIN, 2, 0, "1.19.0");
	flip_byte(LAYOUT_REJECTS, 3);
	json_object_set_new(json_object_get(d.manifest, "counts"), "records", json_integer(99));
	write_json(LAYOUT_MANIFEST, d.manifest);
	const char *const w[] = {"/rejects.jsonl: differs from what manifest.json says: its SHA-256",
				 "/manifest.json: counts.records says 99, its shards hold 6 records", NULL};
	expect_lines(2, w);
	dataset_release(&d);
}

static void test_journal_disagreeing_with_manifest(void **s)
{
	(void)s;
	dataset d;
	make_dataset(&d, JSONL_PLAIN, 3, 1, "9.9.9"); /* the manifest says 1.19.0 */
	const char *const w[] = {
	    "/train-00000.jsonl: made with Warp 9.9.9 (journal.jsonl), but manifest.json says 1.19.0",
	    "/train-00001.jsonl: made with Warp 9.9.9", NULL};
	expect_lines(2, w);
	dataset_release(&d);

	/* a journaled checksum that is not the manifest's, a shard in the
	 * middle the journal lacks, rejects the journal vouched for changed */
	rm_tree(dir);
	mkdir(dir, 0700);
	make_dataset(&d, JSONL_PLAIN, 3, 0, "1.19.0");
	buf err = BUF_INIT;
	json_t *opt = json_object_get(d.manifest, "options");
	assert_int_equal(journal_start(dir, opt, &err), 0);
	journal_entry e = {.shard = d.shards.done[0], .rejects_bytes = d.rejects_bytes};
	e.shard.sha256[0] = e.shard.sha256[0] == 'a' ? 'b' : 'a';
	memcpy(e.rejects_sha256, d.rejects_sha, 65);
	e.rejects_sha256[5] = e.rejects_sha256[5] == '0' ? '1' : '0';
	assert_int_equal(journal_append(dir, &e, &err), 0);
	const char *const w2[] = {
	    "/train-00000.jsonl: journal.jsonl and manifest.json disagree",
	    "/train-00001.jsonl: manifest.json lists it, journal.jsonl does not",
	    "/rejects.jsonl: its first 24 bytes differ from what journal.jsonl recorded", NULL};
	expect_lines(3, w2);
	buf_free(&err);
	dataset_release(&d);
}

/* A killed run: no manifest, the journal is the list; the shard it was
 * writing (the journal's next) is no mismatch, one beyond it is. */
static void test_journal_only(void **s)
{
	(void)s;
	dataset d;
	make_dataset(&d, JSONL_PLAIN, 3, 1, "1.19.0");
	unlink(path_of(LAYOUT_MANIFEST));
	lines l = {BUF_INIT, 0};
	verify_result res;
	buf err = BUF_INIT;
	assert_int_equal(verify_dataset(dir, collect, &l, &res, &err), 0);
	assert_int_equal(res.mismatches, 0);
	assert_false(res.have_manifest);
	assert_int_equal(res.shards, 2);
	FILE *f = fopen(path_of("train-00003.jsonl"), "wb");
	fclose(f);
	flip_byte("train-00000.jsonl", 5);
	const char *const w[] = {"/train-00003.jsonl: a shard journal.jsonl does not list",
				 "/train-00000.jsonl: differs from what journal.jsonl says", NULL};
	expect_lines(2, w);
	buf_free(&err);
	buf_free(&l.all);
	dataset_release(&d);
}

/* Named, never read: a FIFO would hang a reader, a link leads anywhere. */
static void test_fifo_and_link_are_named(void **s)
{
	(void)s;
	dataset d;
	make_dataset(&d, JSONL_PLAIN, 2, 0, "1.19.0");
	unlink(path_of("train-00000.jsonl"));
	assert_int_equal(mkfifo(path_of("train-00000.jsonl"), 0600), 0);
	unlink(path_of("train-00001.jsonl"));
	assert_int_equal(symlink("/dev/zero", path_of("train-00001.jsonl")), 0);
	const char *const w[] = {"/train-00000.jsonl: not a regular file",
				 "/train-00001.jsonl: a symbolic link, not a file", NULL};
	expect_lines(2, w);
	dataset_release(&d);
}

static void test_bad_manifest_is_a_mismatch(void **s)
{
	(void)s;
	FILE *f = fopen(path_of(LAYOUT_MANIFEST), "wb");
	fputs("{\"format\": \"jitsynth-dataset-1\", \"shards\": [", f);
	fclose(f);
	const char *const w[] = {"/manifest.json: not valid JSON (line 1", NULL};
	expect_lines(1, w);
	f = fopen(path_of(LAYOUT_MANIFEST), "wb");
	fputs("{\"shards\": []}", f);
	fclose(f);
	const char *const w2[] = {"/manifest.json: not a jitsynth manifest", NULL};
	expect_lines(1, w2);
}

static void test_refusals(void **s)
{
	(void)s;
	verify_result res;
	buf err = BUF_INIT;
	assert_int_equal(verify_dataset(dir, NULL, NULL, &res, &err), -1);
	assert_non_null(
	    strstr(buf_cstr(&err), "holds no jitsynth dataset (no manifest.json, no journal.jsonl)"));
	dataset d;
	make_dataset(&d, JSONL_PLAIN, 1, 0, "1.19.0");
	dir_lock l = DIR_LOCK_INIT;
	assert_int_equal(lock_acquire(dir, &l, NULL, &err), 0);
	buf_reset(&err);
	assert_int_equal(verify_dataset(dir, NULL, NULL, &res, &err), -1);
	char want[96];
	snprintf(want, sizeof want, "is being written by jitsynth (pid %ld)", (long)getpid());
	assert_non_null(strstr(buf_cstr(&err), want));
	lock_release(&l);
	buf_reset(&err);
	assert_int_equal(verify_dataset(dir, NULL, NULL, &res, &err), 0);
	assert_int_equal(res.mismatches, 0);
	buf_free(&err);
	dataset_release(&d);
}

/* verify_file's prefix: hashes the first `limit` bytes, sizes the whole. */
static void test_file_prefix(void **s)
{
	(void)s;
	FILE *f = fopen(path_of("x.jsonl"), "wb");
	fputs("a\nb\nc\n", f);
	fclose(f);
	verify_facts whole, two;
	buf why = BUF_INIT;
	assert_int_equal(verify_file(path_of("x.jsonl"), 0, UINT64_MAX, &whole, &why), 0);
	assert_int_equal(verify_file(path_of("x.jsonl"), 0, 2, &two, &why), 0);
	assert_int_equal(whole.bytes, 6);
	assert_int_equal(whole.lines, 3);
	assert_int_equal(two.bytes, 6);
	assert_int_equal(two.lines, 1);
	/* SHA-256("a\n") */
	assert_string_equal(two.sha256, "87428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7");
	assert_int_equal(verify_file(path_of("nothing"), 0, UINT64_MAX, &whole, &why), -1);
	assert_string_equal(why.data, "missing");
	buf_free(&why);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, dir_setup, dir_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_clean_dataset_holds),
	    T(test_flipped_byte_is_named),
	    T(test_cut_shard_says_size_and_records),
	    T(test_zst_shards_counted_decompressed),
	    T(test_missing_extra_twice_and_outside),
	    T(test_rejects_and_counts),
	    T(test_journal_disagreeing_with_manifest),
	    T(test_journal_only),
	    T(test_fifo_and_link_are_named),
	    T(test_bad_manifest_is_a_mismatch),
	    T(test_refusals),
	    T(test_file_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

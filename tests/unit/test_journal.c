/* test_journal: the resume journal on disk: the header line written
 * atomically with the jitsynth version, entries appended and read back field
 * by field (the Warp version and the rejects' SHA-256 included), journals
 * from before those fields still read, a torn last line cut off so appends
 * go on (but not by journal_read, which takes no lock), malformed lines and
 * headers refused with how to go on. */
#include "test.h"

#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "store/journal.h"
#include "store/record.h"

static int dir_setup(void **s)
{
	(void)s;
	return test_dir_make("test_journal");
}

static void append_raw(const char *text)
{
	FILE *f = fopen(test_path("journal.jsonl"), "ab");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static off_t size_of(const char *name)
{
	struct stat st;
	assert_int_equal(stat(test_path(name), &st), 0);
	return st.st_size;
}

/* An entry whose every field holds a value derived from k. */
static journal_entry entry(uint64_t k)
{
	journal_entry e;
	memset(&e, 0, sizeof e);
	snprintf(e.shard.name, sizeof e.shard.name, "train-%05llu.jsonl", (unsigned long long)k);
	e.shard.records = 10 + k;
	e.shard.bytes = 1000 + k;
	for (int i = 0; i < 64; i++)
		e.shard.sha256[i] = "0123456789abcdef"[(i + k) % 16];
	e.next_index = 100 * (k + 1);
	e.records = 90 * (k + 1);
	e.rejects = 7 + k;
	for (int c = 0; c < GEN_CATEGORY_COUNT; c++) {
		e.cat_records[c] = k * 1000 + (uint64_t)c;
		e.cat_rejects[c] = k + (uint64_t)c * 3;
	}
	e.dropped_exact = 3 + k;
	e.dropped_structural = 5 + k;
	e.rejects_bytes = 4096 + k;
	for (int i = 0; i < 4; i++)
		e.stage_rejects[i] = k + (uint64_t)i;
	if (k % 2 == 0) { /* odd entries leave them out, as older journals did */
		snprintf(e.warp_version, sizeof e.warp_version, "1.%llu.0", (unsigned long long)k);
		for (int i = 0; i < 64; i++)
			e.rejects_sha256[i] = "fedcba9876543210"[(i + k) % 16];
	}
	return e;
}

static void assert_entry_equal(const journal_entry *a, const journal_entry *b)
{
	assert_string_equal(a->shard.name, b->shard.name);
	assert_int_equal(a->shard.records, b->shard.records);
	assert_int_equal(a->shard.bytes, b->shard.bytes);
	assert_string_equal(a->shard.sha256, b->shard.sha256);
	assert_int_equal(a->next_index, b->next_index);
	assert_int_equal(a->records, b->records);
	assert_int_equal(a->rejects, b->rejects);
	assert_memory_equal(a->cat_records, b->cat_records, sizeof a->cat_records);
	assert_memory_equal(a->cat_rejects, b->cat_rejects, sizeof a->cat_rejects);
	assert_int_equal(a->dropped_exact, b->dropped_exact);
	assert_int_equal(a->dropped_structural, b->dropped_structural);
	assert_int_equal(a->rejects_bytes, b->rejects_bytes);
	assert_memory_equal(a->stage_rejects, b->stage_rejects, sizeof a->stage_rejects);
	assert_string_equal(a->warp_version, b->warp_version);
	assert_string_equal(a->rejects_sha256, b->rejects_sha256);
}

/* Starts the journal with {"n": 7, "seed": 42} and appends entries 0..n-1. */
static void start_with(size_t n)
{
	buf err = BUF_INIT;
	json_t *opt = json_pack("{s:i, s:i}", "n", 7, "seed", 42);
	assert_int_equal(journal_start(test_dir, opt, &err), 0);
	json_decref(opt);
	for (size_t k = 0; k < n; k++) {
		journal_entry e = entry(k);
		assert_int_equal(journal_append(test_dir, &e, &err), 0);
	}
	assert_int_equal(err.len, 0);
	buf_free(&err);
}

/* journal_load must fail with a message containing `why`, leaving j empty. */
static void assert_load_fails(const char *why)
{
	journal j;
	buf err = BUF_INIT;
	assert_int_equal(journal_load(test_dir, &j, &err), -1);
	if (!strstr(buf_cstr(&err), why))
		fail_msg("'%s' lacks '%s'", buf_cstr(&err), why);
	assert_null(j.options);
	assert_null(j.entries);
	assert_int_equal(j.n, 0);
	buf_free(&err);
}

static void test_start_writes_header_line(void **s)
{
	(void)s;
	start_with(0);
	buf text = BUF_INIT;
	test_read("journal.jsonl", &text);
	assert_string_equal(buf_cstr(&text), "{\"journal\":\"jitsynth-1\",\"jitsynth_version\":\"" JITSYNTH_VERSION
					      "\",\"options\":{\"n\":7,\"seed\":42}}\n");
	assert_int_not_equal(access(test_path(".journal.jsonl.tmp"), F_OK), 0);
	buf_free(&text);
}

static void test_entries_round_trip(void **s)
{
	(void)s;
	start_with(3);
	journal j;
	buf err = BUF_INIT;
	assert_int_equal(journal_load(test_dir, &j, &err), 0);
	assert_int_equal(j.n, 3);
	assert_string_equal(j.jitsynth_version, JITSYNTH_VERSION);
	assert_int_equal(json_integer_value(json_object_get(j.options, "n")), 7);
	assert_int_equal(json_integer_value(json_object_get(j.options, "seed")), 42);
	for (uint64_t k = 0; k < 3; k++) {
		journal_entry want = entry(k);
		assert_entry_equal(&j.entries[k], &want);
	}
	journal_release(&j);
	assert_null(j.options);
	assert_int_equal(j.n, 0);
	buf_free(&err);
}

/* A run killed between start and its first shard: header only, no entry. */
static void test_cut_to_header_loads_no_entries(void **s)
{
	(void)s;
	start_with(0);
	journal j;
	buf err = BUF_INIT;
	assert_int_equal(journal_load(test_dir, &j, &err), 0);
	assert_int_equal(j.n, 0);
	assert_null(j.entries);
	assert_true(json_is_object(j.options));
	journal_release(&j);
	buf_free(&err);
}

static void test_torn_last_line_is_cut_and_appends_go_on(void **s)
{
	(void)s;
	start_with(2);
	off_t good = size_of("journal.jsonl");
	append_raw("{\"shard\":\"train-00002.jsonl\",\"shard_rec");
	journal j;
	buf err = BUF_INIT;
	assert_int_equal(journal_load(test_dir, &j, &err), 0);
	assert_int_equal(j.n, 2);
	journal_release(&j);
	assert_int_equal(size_of("journal.jsonl"), good);

	journal_entry e = entry(2);
	assert_int_equal(journal_append(test_dir, &e, &err), 0);
	assert_int_equal(journal_load(test_dir, &j, &err), 0);
	assert_int_equal(j.n, 3);
	assert_entry_equal(&j.entries[2], &e);
	journal_release(&j);
	assert_int_equal(err.len, 0);
	buf_free(&err);
}

static void test_malformed_line_is_named(void **s)
{
	(void)s;
	start_with(1);
	append_raw("{not json\n");
	journal_entry e = entry(1);
	buf err = BUF_INIT;
	assert_int_equal(journal_append(test_dir, &e, &err), 0);
	off_t before = size_of("journal.jsonl");
	assert_load_fails("line 3 of '");
	assert_load_fails("/journal.jsonl' is damaged; `jitsynth verify ");
	assert_load_fails("`--force` starts the run over");
	assert_int_equal(size_of("journal.jsonl"), before); /* never cut */
	buf_free(&err);
}

/* Valid JSON that is not a valid entry: each field checked. */
static void test_bad_entry_fields_are_malformed(void **s)
{
	(void)s;
	static const char *const bad[] = {"{\"shard\":\"train-00000.jsonl\"}", "[1,2,3]"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		start_with(0);
		append_raw(bad[i]);
		append_raw("\n");
		assert_load_fails("line 2 of '");
	}
	/* a good entry with one field spoilt: a short sha256, a negative count,
	 * a path for a shard name */
	static const char *const spoil[][2] = {{"\"sha256\":\"0", "\"sha256\":\""},
					       {"\"records\":", "\"records\":-"},
					       {"\"shard\":\"", "\"shard\":\"../"}};
	for (size_t i = 0; i < sizeof spoil / sizeof *spoil; i++) {
		start_with(1);
		buf text = BUF_INIT, out = BUF_INIT;
		test_read("journal.jsonl", &text);
		const char *nl = strchr(text.data, '\n') + 1, *at = strstr(nl, spoil[i][0]);
		assert_non_null(at);
		buf_append(&out, text.data, (size_t)(at - text.data));
		buf_puts(&out, spoil[i][1]);
		buf_puts(&out, at + strlen(spoil[i][0]));
		FILE *f = fopen(test_path("journal.jsonl"), "wb");
		fwrite(out.data, 1, out.len, f);
		fclose(f);
		assert_load_fails("line 2 of '");
		buf_free(&text);
		buf_free(&out);
	}
}

static void test_header_must_hold_options(void **s)
{
	(void)s;
	FILE *f = fopen(test_path("journal.jsonl"), "wb");
	fputs("{\"journal\":\"jitsynth-1\"}\n", f);
	fclose(f);
	assert_load_fails("/journal.jsonl' is not a jitsynth run journal (line 1 is no journal header); start over with --force");
}

static void test_empty_or_missing_journal(void **s)
{
	(void)s;
	assert_load_fails("cannot resume: no run journal '");
	FILE *f = fopen(test_path("journal.jsonl"), "wb");
	fclose(f);
	assert_load_fails("cannot resume: '");
	assert_load_fails("/journal.jsonl' is empty; start the run without --resume");
	/* a header torn before its newline is no header either */
	append_raw("{\"journal\":\"jitsynth-1\",\"options\":{}}");
	assert_load_fails("is empty");
}

static void test_append_needs_a_started_journal(void **s)
{
	(void)s;
	journal_entry e = entry(0);
	buf err = BUF_INIT;
	assert_int_equal(journal_append(test_dir, &e, &err), -1);
	assert_non_null(strstr(buf_cstr(&err), "cannot write '"));
	assert_non_null(strstr(buf_cstr(&err), "/journal.jsonl': No such file or directory"));
	assert_int_not_equal(access(test_path("journal.jsonl"), F_OK), 0);
	buf_free(&err);
}

/* A journal written before the versions and the rejects' SHA-256 were
 * recorded: it loads, those fields read as "". */
static void test_older_journal_loads_without_versions(void **s)
{
	(void)s;
	start_with(0);
	FILE *f = fopen(test_path("journal.jsonl"), "wb");
	fputs("{\"journal\":\"jitsynth-1\",\"options\":{\"n\":7}}\n", f);
	fclose(f);
	journal_entry e = entry(1); /* odd: without the new fields */
	buf err = BUF_INIT;
	assert_int_equal(journal_append(test_dir, &e, &err), 0);
	buf text = BUF_INIT;
	test_read("journal.jsonl", &text);
	assert_null(strstr(text.data, "warp_version"));
	journal j;
	assert_int_equal(journal_load(test_dir, &j, &err), 0);
	assert_string_equal(j.jitsynth_version, "");
	assert_int_equal(j.n, 1);
	assert_entry_equal(&j.entries[0], &e);
	journal_release(&j);
	buf_free(&text);
	buf_free(&err);
}

/* The new fields, when there, must be what they say. */
static void test_bad_versions_are_damage(void **s)
{
	(void)s;
	static const char *const bad[] = {"\"warp_version\":7", "\"rejects_sha256\":\"abc\"",
					  "\"warp_version\":\"0123456789012345678901234567890123456789\""};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		start_with(1);
		buf text = BUF_INIT;
		test_read("journal.jsonl", &text);
		text.data[--text.len] = '\0'; /* the last '\n' */
		text.data[--text.len] = '\0'; /* the last '}' */
		FILE *f = fopen(test_path("journal.jsonl"), "wb");
		fprintf(f, "%s,%s}\n", text.data, bad[i]);
		fclose(f);
		/* a duplicate key: jansson keeps the last, which is the bad one */
		assert_load_fails("line 2 of '");
		buf_free(&text);
	}
	FILE *f = fopen(test_path("journal.jsonl"), "wb");
	fputs("{\"journal\":\"jitsynth-1\",\"jitsynth_version\":5,\"options\":{}}\n", f);
	fclose(f);
	assert_load_fails("is not a jitsynth run journal");
}

/* journal_read is for those who do not hold the lock: it cuts nothing. */
static void test_read_cuts_nothing(void **s)
{
	(void)s;
	start_with(2);
	append_raw("{\"shard\":\"train-00002.jsonl\",\"shard_rec");
	off_t torn = size_of("journal.jsonl");
	journal j;
	buf err = BUF_INIT;
	assert_int_equal(journal_read(test_dir, &j, &err), 0);
	assert_int_equal(j.n, 2);
	journal_release(&j);
	assert_int_equal(size_of("journal.jsonl"), torn);
	buf_free(&err);
}

/* journal_header: the options and version of line 1, whatever follows. */
static void test_header_whatever_follows(void **s)
{
	(void)s;
	char ver[32];
	assert_null(journal_header(test_dir, ver, sizeof ver)); /* no journal */
	start_with(1);
	append_raw("{not json\n");
	json_t *opt = journal_header(test_dir, ver, sizeof ver);
	assert_non_null(opt);
	assert_string_equal(ver, JITSYNTH_VERSION);
	assert_int_equal(json_integer_value(json_object_get(opt, "seed")), 42);
	json_decref(opt);
	FILE *f = fopen(test_path("journal.jsonl"), "wb");
	fputs("{\"options\":[]}\n", f);
	fclose(f);
	assert_null(journal_header(test_dir, ver, sizeof ver));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, dir_setup, test_dir_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_start_writes_header_line),	    T(test_entries_round_trip),
	    T(test_cut_to_header_loads_no_entries), T(test_torn_last_line_is_cut_and_appends_go_on),
	    T(test_malformed_line_is_named),	    T(test_bad_entry_fields_are_malformed),
	    T(test_header_must_hold_options),	    T(test_empty_or_missing_journal),
	    T(test_append_needs_a_started_journal), T(test_older_journal_loads_without_versions),
	    T(test_bad_versions_are_damage),	    T(test_read_cuts_nothing),
	    T(test_header_whatever_follows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

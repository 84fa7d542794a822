/* test_reader: the dataset reader on hand-made directories: manifest order,
 * shard globbing, malformed lines named by file and line and skipped, a
 * truncated zstd shard, the seed layout (paired and unpaired files). */
#include "test.h"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/jsonl.h"
#include "store/reader.h"

static char root[] = "/tmp/test_reader.XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void sub(const char *rel)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0777), 0);
}

static char *path_of(const char *rel)
{
	static char p[512];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	return p;
}

/* Reads all of dir: the "python_source" values joined by ',' and the
 * messages joined by '|'. */
static void drain(const char *dir, buf *got, buf *msgs)
{
	buf err = BUF_INIT;
	reader *r = reader_open(path_of(dir), &err);
	assert_non_null(r);
	reader_record rec;
	int rc;
	while ((rc = reader_next(r, &rec, &err)) != READER_END) {
		if (rc == READER_OK)
			buf_printf(got, "%s%s", got->len ? "," : "", reader_str(rec.json, "python_source", NULL));
		else
			buf_printf(msgs, "%s%s", msgs->len ? "|" : "", err.data);
		buf_reset(&err);
	}
	reader_close(r);
	buf_free(&err);
}

static void test_glob_order_and_malformed(void **s)
{
	(void)s;
	sub("g");
	put("g/train-00010.jsonl", "{\"python_source\":\"c\"}\n");
	put("g/train-00002.jsonl", "{\"python_source\":\"a\"}\n\n{\"python_source\": \n[1]\n{\"x\":1}\n"
				   "{\"python_source\":\"b\"}");
	put("g/.train-00003.jsonl.tmp", "{\"python_source\":\"tmp\"}\n");
	put("g/notes.txt", "hello\n");
	buf got = BUF_INIT, msgs = BUF_INIT;
	drain("g", &got, &msgs);
	assert_string_equal(got.data, "a,b,c");
	assert_non_null(strstr(msgs.data, "train-00002.jsonl:3: invalid JSON"));
	assert_non_null(strstr(msgs.data, "train-00002.jsonl:4: not a JSON object"));
	assert_non_null(strstr(msgs.data, "train-00002.jsonl:5: not a record"));
	buf_free(&got);
	buf_free(&msgs);
}

static void test_manifest_lists_shards(void **s)
{
	(void)s;
	sub("m");
	put("m/manifest.json", "{\"shards\":[{\"file\":\"train-00001.jsonl\"},{\"file\":\"missing.jsonl\"},"
			       "{\"file\":\"../etc/passwd\"},{\"file\":\"train-00000.jsonl\"}]}");
	put("m/train-00000.jsonl", "{\"python_source\":\"second\"}\n");
	put("m/train-00001.jsonl", "{\"python_source\":\"first\"}\n");
	buf got = BUF_INIT, msgs = BUF_INIT;
	drain("m", &got, &msgs);
	assert_string_equal(got.data, "first,second");
	assert_non_null(strstr(msgs.data, "missing.jsonl: cannot open"));
	assert_null(strstr(msgs.data, "passwd"));
	buf_free(&got);
	buf_free(&msgs);
}

static void test_truncated_zstd(void **s)
{
	(void)s;
	sub("z");
	jsonl_file j;
	buf err = BUF_INIT, line = BUF_INIT;
	assert_int_equal(jsonl_open_fmt(&j, path_of("z"), "train-00000.jsonl", JSONL_ZST, 1, &err), 0);
	for (int i = 0; i < 20000; i++) {
		buf_reset(&line);
		buf_printf(&line, "{\"python_source\":\"k%d\",\"pad\":\"%08x%08x\"}\n", i, i * 2654435761u, i * 40503u);
		jsonl_write(&j, line.data, line.len, &err);
	}
	assert_int_equal(jsonl_commit(&j, &err), 0);
	size_t keep = j.bytes / 2;
	jsonl_release(&j);
	assert_int_equal(truncate(path_of("z/train-00000.jsonl.zst"), (off_t)keep), 0);
	buf got = BUF_INIT, msgs = BUF_INIT;
	drain("z", &got, &msgs);
	assert_true(got.len > 0);
	assert_non_null(strstr(msgs.data, "train-00000.jsonl.zst: truncated zstd stream after line"));
	buf_free(&got);
	buf_free(&msgs);
	buf_free(&err);
	buf_free(&line);
}

#define PAIR(py, fwd, dev) "{\"python_source\":\"" py "\",\"cpp_forward\":\"" fwd "\",\"metadata\":{\"kernel_name\":\"k\",\"category\":\"loop\",\"device\":\"" dev "\"}}"

static void test_seed_layout(void **s)
{
	(void)s;
	sub("s");
	sub("s/cpu");
	sub("s/cuda");
	put("s/cpu/pair_000000.json", PAIR("p0", "c0", "cpu"));
	put("s/cuda/pair_000000.json", PAIR("p0", "g0", "cuda")); /* same kernel: one record */
	put("s/cpu/pair_000001.json", PAIR("p1", "c1", "cpu"));
	put("s/cuda/pair_000001.json", PAIR("other", "g1", "cuda")); /* different: two */
	put("s/cuda/pair_000002.json", "{\"python_source\": 1}");
	put("s/cpu/pair_000010.json", PAIR("p10", "c10", "cpu"));
	buf err = BUF_INIT;
	reader *r = reader_open(path_of("s"), &err);
	assert_non_null(r);
	assert_int_equal(reader_get_layout(r), READER_SEED);
	reader_record rec;
	assert_int_equal(reader_next(r, &rec, &err), READER_OK);
	assert_string_equal(reader_forward(rec.json, "cpu", NULL), "c0");
	assert_string_equal(reader_forward(rec.json, "cuda", NULL), "g0");
	assert_string_equal(reader_str(rec.json, "category", NULL), "loop");
	assert_string_equal(rec.file, "cpu/pair_000000.json");
	assert_int_equal(reader_next(r, &rec, &err), READER_OK);
	assert_string_equal(reader_forward(rec.json, "cpu", NULL), "c1");
	assert_null(reader_forward(rec.json, "cuda", NULL));
	assert_int_equal(reader_next(r, &rec, &err), READER_OK);
	assert_string_equal(reader_forward(rec.json, "cuda", NULL), "g1");
	assert_int_equal(reader_next(r, &rec, &err), READER_BAD);
	assert_non_null(strstr(err.data, "cuda/pair_000002.json:1: not a seed pair"));
	buf_reset(&err);
	assert_int_equal(reader_next(r, &rec, &err), READER_OK);
	assert_string_equal(reader_str(rec.json, "python_source", NULL), "p10");
	assert_int_equal(reader_next(r, &rec, &err), READER_END);
	reader_close(r);
	buf_free(&err);
}

static void test_not_a_dataset(void **s)
{
	(void)s;
	sub("e");
	buf err = BUF_INIT;
	assert_null(reader_open(path_of("e"), &err));
	assert_non_null(strstr(err.data, "holds no dataset"));
	buf_reset(&err);
	assert_null(reader_open(path_of("nope"), &err));
	assert_non_null(strstr(err.data, "cannot open"));
	buf_free(&err);
}

static int rm_entry(const char *p, const struct stat *sb, int f, struct FTW *w)
{
	(void)sb, (void)f, (void)w;
	return remove(p);
}

int main(void)
{
	assert_non_null(mkdtemp(root));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glob_order_and_malformed),
		cmocka_unit_test(test_manifest_lists_shards),
		cmocka_unit_test(test_truncated_zstd),
		cmocka_unit_test(test_seed_layout),
		cmocka_unit_test(test_not_a_dataset),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}

/* test_reader: the dataset reader on hand-made directories: manifest order,
 * shard globbing, malformed lines named by file and line and skipped, a
 * truncated zstd shard, the seed layout (paired and unpaired files), and a
 * dataset as untrusted input: links to devices, FIFOs and directories
 * refused by name (an alarm fails a reader that hangs on one), lines and
 * seed pair files over READER_MAX_BYTES skipped by file:line. */
#include "test.h"

#include <fcntl.h>
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

static void link_to(const char *rel, const char *target)
{
	assert_int_equal(symlink(target, path_of(rel)), 0);
}

static void fifo(const char *rel) { assert_int_equal(mkfifo(path_of(rel), 0600), 0); }

/* Shards that are a link to a device, a FIFO, a link to a directory: each
 * named and skipped at once (a reader that opened them would block or read
 * forever); a link to a regular file, even outside the directory, is read. */
static void test_only_regular_files(void **s)
{
	(void)s;
	sub("r");
	put("r/train-00000.jsonl", "{\"python_source\":\"a\"}\n");
	link_to("r/train-00001.jsonl", "/dev/zero");
	fifo("r/train-00002.jsonl");
	put("outside.jsonl", "{\"python_source\":\"b\"}\n");
	link_to("r/train-00003.jsonl", "../outside.jsonl");
	sub("r/adir");
	link_to("r/train-00004.jsonl", "adir");
	buf got = BUF_INIT, msgs = BUF_INIT;
	drain("r", &got, &msgs);
	assert_string_equal(got.data, "a,b");
	assert_non_null(strstr(msgs.data, "train-00001.jsonl: is a link to a character device, not a "
					  "regular file"));
	assert_non_null(strstr(msgs.data, "train-00002.jsonl: is a FIFO, not a regular file"));
	assert_non_null(strstr(msgs.data, "train-00004.jsonl: is a link to a directory, not a regular file"));
	buf_free(&got);
	buf_free(&msgs);
}

/* A manifest that is a FIFO is named; the shards are still read. */
static void test_manifest_not_regular(void **s)
{
	(void)s;
	sub("mf");
	fifo("mf/manifest.json");
	put("mf/train-00000.jsonl", "{\"python_source\":\"a\"}\n");
	buf got = BUF_INIT, msgs = BUF_INIT;
	drain("mf", &got, &msgs);
	assert_string_equal(got.data, "a");
	assert_non_null(strstr(msgs.data, "manifest.json: is a FIFO, not a regular file"));
	buf_free(&got);
	buf_free(&msgs);
}

/* A file of `hole` NUL bytes (sparse: no disk, no memory) then `tail`. */
static void put_after_hole(const char *rel, const char *head, off_t hole, const char *tail)
{
	int fd = open(path_of(rel), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, head, strlen(head)), (ssize_t)strlen(head));
	assert_int_equal(lseek(fd, hole, SEEK_CUR) >= 0, 1);
	assert_int_equal(write(fd, tail, strlen(tail)), (ssize_t)strlen(tail));
	close(fd);
}

/* A record line of exactly n bytes, its '\n' included. */
static void put_line_of(FILE *f, size_t n)
{
	static const char head[] = "{\"python_source\":\"", tail[] = "\"}\n";
	fputs(head, f);
	for (size_t i = sizeof head - 1 + sizeof tail - 1; i < n; i++)
		fputc('x', f);
	fputs(tail, f);
}

/* Lines up to READER_MAX_BYTES are read; a longer one is named by file:line
 * and skipped (never held whole), and the lines after it are read. */
static void test_line_limit(void **s)
{
	(void)s;
	sub("l");
	FILE *f = fopen(path_of("l/train-00000.jsonl"), "wb");
	assert_non_null(f);
	put_line_of(f, READER_MAX_BYTES);
	fclose(f);
	put_after_hole("l/train-00001.jsonl", "{\"python_source\":\"a\"}\n", (off_t)READER_MAX_BYTES,
		       "\n{\"python_source\":\"b\"}\n");
	buf err = BUF_INIT;
	reader *r = reader_open(path_of("l"), &err);
	assert_non_null(r);
	reader_record rec;
	assert_int_equal(reader_next(r, &rec, &err), READER_OK);
	assert_int_equal(rec.len, READER_MAX_BYTES);
	assert_int_equal(reader_next(r, &rec, &err), READER_OK);
	assert_string_equal(reader_str(rec.json, "python_source", NULL), "a");
	assert_int_equal(reader_next(r, &rec, &err), READER_BAD);
	assert_non_null(strstr(err.data, "train-00001.jsonl:2: line longer than 64 MiB"));
	buf_reset(&err);
	assert_int_equal(reader_next(r, &rec, &err), READER_OK);
	assert_string_equal(reader_str(rec.json, "python_source", NULL), "b");
	assert_int_equal(rec.lineno, 3);
	assert_int_equal(reader_next(r, &rec, &err), READER_END);
	reader_close(r);
	buf_free(&err);
}

/* Seed pair files: a FIFO and one over READER_MAX_BYTES named and skipped;
 * a cpu and a cuda file of one kernel that together would make a record
 * longer than a line may be stay two records. */
static void test_seed_untrusted(void **s)
{
	(void)s;
	sub("sp");
	sub("sp/cpu");
	sub("sp/cuda");
	fifo("sp/cpu/pair_000000.json");
	put_after_hole("sp/cpu/pair_000001.json", "", (off_t)READER_MAX_BYTES, "{}");
	buf big = BUF_INIT;
	buf_puts(&big, "{\"python_source\":\"p\",\"metadata\":{\"kernel_name\":\"k\"},\"cpp_forward\":\"");
	for (size_t i = 0; i < READER_MAX_BYTES / 2; i++)
		buf_putc(&big, 'x');
	buf_puts(&big, "\"}");
	put("sp/cpu/pair_000002.json", big.data);
	put("sp/cuda/pair_000002.json", big.data);
	buf_free(&big);
	buf got = BUF_INIT, msgs = BUF_INIT;
	drain("sp", &got, &msgs);
	assert_string_equal(got.data, "p,p");
	assert_non_null(strstr(msgs.data, "cpu/pair_000000.json:1: is a FIFO, not a regular file"));
	assert_non_null(strstr(msgs.data, "cpu/pair_000001.json:1: larger than 64 MiB"));
	buf_free(&got);
	buf_free(&msgs);
}

static int rm_entry(const char *p, const struct stat *sb, int f, struct FTW *w)
{
	(void)sb, (void)f, (void)w;
	return remove(p);
}

int main(void)
{
	assert_non_null(mkdtemp(root));
	alarm(60); /* a reader blocked on a FIFO or reading /dev/zero fails the test */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glob_order_and_malformed),
		cmocka_unit_test(test_manifest_lists_shards),
		cmocka_unit_test(test_truncated_zstd),
		cmocka_unit_test(test_seed_layout),
		cmocka_unit_test(test_not_a_dataset),
		cmocka_unit_test(test_only_regular_files),
		cmocka_unit_test(test_manifest_not_regular),
		cmocka_unit_test(test_line_limit),
		cmocka_unit_test(test_seed_untrusted),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}

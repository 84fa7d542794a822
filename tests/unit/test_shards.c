/* test_shards: shard rotation every shard_size records, the temporary name
 * until a shard completes, counts, sizes and SHA-256 checked against the
 * files (hashed here with OpenSSL, zstd decoded here), adopted shards, zstd
 * on the compressor thread byte-identical to the caller's and its errors. */
#include "test.h"

#include <openssl/sha.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include "common/util.h"
#include "store/shards.h"

static int dir_setup(void **s)
{
	(void)s;
	return test_dir_make("test_shards");
}

static int exists(const char *name)
{
	return access(test_path(name), F_OK) == 0;
}

static void sha256_hex(const buf *b, char hex[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)buf_cstr(b), b->len, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* The plain bytes of one whole zstd stream. */
static void unzstd(const buf *in, buf *out)
{
	ZSTD_DStream *d = ZSTD_createDStream();
	ZSTD_inBuffer ib = {in->data, in->len, 0};
	char chunk[4096];
	size_t left = 1;
	while (ib.pos < ib.size) {
		ZSTD_outBuffer ob = {chunk, sizeof chunk, 0};
		left = ZSTD_decompressStream(d, &ob, &ib);
		assert_false(ZSTD_isError(left));
		buf_append(out, chunk, ob.pos);
	}
	assert_int_equal(left, 0); /* the frame is complete */
	ZSTD_freeDStream(d);
}

/* Line i of the records written by write_lines. */
static void line_of(size_t i, buf *b)
{
	buf_reset(b);
	buf_printf(b, "{\"id\":\"s42-%zu\",\"python_source\":\"x = %zu\"}\n", i, i * i);
}

/* Writes lines from..to-1; returns the results of shards_write as digits. */
static void write_lines(shard_set *s, size_t from, size_t to, char *rcs)
{
	buf err = BUF_INIT, line = BUF_INIT;
	for (size_t i = from; i < to; i++) {
		line_of(i, &line);
		int rc = shards_write(s, line.data, line.len, &err);
		assert_true(rc >= 0);
		rcs[i - from] = (char)('0' + rc);
	}
	rcs[to - from] = '\0';
	assert_int_equal(err.len, 0);
	buf_free(&err);
	buf_free(&line);
}

/* The shard named d->name holds exactly lines from..from+d->records-1 and
 * its recorded size and checksum are those of the file. */
static void assert_shard(const shard_info *d, const char *name, size_t from, size_t records, int zst)
{
	assert_string_equal(d->name, name);
	assert_int_equal(d->records, records);
	buf disk = BUF_INIT, plain = BUF_INIT, want = BUF_INIT, line = BUF_INIT;
	test_read(name, &disk);
	assert_int_equal(d->bytes, disk.len);
	char hex[65];
	sha256_hex(&disk, hex);
	assert_string_equal(d->sha256, hex);
	if (zst)
		unzstd(&disk, &plain);
	else
		buf_append(&plain, disk.data, disk.len);
	for (size_t i = from; i < from + records; i++) {
		line_of(i, &line);
		buf_append(&want, line.data, line.len);
	}
	assert_int_equal(plain.len, want.len);
	assert_memory_equal(plain.data, want.data, want.len);
	buf_free(&disk);
	buf_free(&plain);
	buf_free(&want);
	buf_free(&line);
}

static void test_rotates_every_shard_size_records(void **s)
{
	(void)s;
	shard_set set;
	shards_init(&set, test_dir, 3, JSONL_PLAIN, 0);
	char rcs[16];
	write_lines(&set, 0, 7, rcs);
	assert_string_equal(rcs, "0010010");
	assert_int_equal(set.ndone, 2);
	buf err = BUF_INIT;
	assert_int_equal(shards_finish(&set, &err), 0);
	assert_int_equal(set.ndone, 3);
	assert_shard(&set.done[0], "train-00000.jsonl", 0, 3, 0);
	assert_shard(&set.done[1], "train-00001.jsonl", 3, 3, 0);
	assert_shard(&set.done[2], "train-00002.jsonl", 6, 1, 0);
	assert_false(exists("train-00003.jsonl"));
	assert_false(exists(".train-00002.jsonl.tmp"));
	shards_release(&set);
	assert_null(set.done);
	buf_free(&err);
}

static void test_temp_name_until_complete(void **s)
{
	(void)s;
	shard_set set;
	shards_init(&set, test_dir, 2, JSONL_PLAIN, 0);
	char rcs[4];
	write_lines(&set, 0, 1, rcs);
	assert_true(exists(".train-00000.jsonl.tmp"));
	assert_false(exists("train-00000.jsonl"));
	write_lines(&set, 1, 2, rcs);
	assert_string_equal(rcs, "1");
	assert_false(exists(".train-00000.jsonl.tmp"));
	assert_true(exists("train-00000.jsonl"));
	/* release with a shard open removes its temporary, keeps the done one */
	write_lines(&set, 2, 3, rcs);
	assert_true(exists(".train-00001.jsonl.tmp"));
	shards_release(&set);
	assert_false(exists(".train-00001.jsonl.tmp"));
	assert_false(exists("train-00001.jsonl"));
	assert_true(exists("train-00000.jsonl"));
}

/* A run whose record count is a multiple of shard_size ends with no empty
 * shard; finishing twice or with nothing written is harmless. */
static void test_finish_at_boundary_adds_no_empty_shard(void **s)
{
	(void)s;
	shard_set set;
	buf err = BUF_INIT;
	shards_init(&set, test_dir, 2, JSONL_PLAIN, 0);
	assert_int_equal(shards_finish(&set, &err), 0);
	assert_int_equal(set.ndone, 0);
	char rcs[8];
	write_lines(&set, 0, 4, rcs);
	assert_string_equal(rcs, "0101");
	assert_int_equal(shards_finish(&set, &err), 0);
	assert_int_equal(shards_finish(&set, &err), 0);
	assert_int_equal(set.ndone, 2);
	assert_false(exists("train-00002.jsonl"));
	assert_false(exists(".train-00002.jsonl.tmp"));
	shards_release(&set);
	buf_free(&err);
}

static void test_zst_shards_decode_to_the_lines(void **s)
{
	(void)s;
	shard_set set;
	shards_init(&set, test_dir, 50, JSONL_ZST, 19);
	char rcs[128];
	write_lines(&set, 0, 20, rcs);
	assert_true(exists(".train-00000.jsonl.zst.tmp"));
	write_lines(&set, 20, 120, rcs);
	assert_int_equal(set.ndone, 2);
	buf err = BUF_INIT;
	assert_int_equal(shards_finish(&set, &err), 0);
	assert_int_equal(set.ndone, 3);
	assert_shard(&set.done[0], "train-00000.jsonl.zst", 0, 50, 1);
	assert_shard(&set.done[1], "train-00001.jsonl.zst", 50, 50, 1);
	assert_shard(&set.done[2], "train-00002.jsonl.zst", 100, 20, 1);
	assert_false(exists("train-00000.jsonl"));
	/* 50 near-identical lines compress well below their size */
	buf raw = BUF_INIT;
	line_of(0, &raw);
	assert_true(set.done[0].bytes < 50 * raw.len / 4);
	shards_release(&set);
	buf_free(&raw);
	buf_free(&err);
}

/* Compressed on a thread of its own (shards.async, as generate does it):
 * byte for byte the shards the caller's thread makes, lines of many sizes
 * (some larger than zstd's blocks) across rotation; a release with a shard
 * open stops the thread and removes the temporary. */
static void test_async_zst_is_byte_identical(void **s)
{
	(void)s;
	buf big = BUF_INIT, err = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
	shard_set set[2];
	char dir2[600];
	snprintf(dir2, sizeof dir2, "%s", test_path("async"));
	assert_int_equal(mkdir(dir2, 0755), 0);
	for (int k = 0; k < 2; k++) {
		shards_init(&set[k], k ? dir2 : test_dir, 70, JSONL_ZST, 3);
		set[k].async = k;
	}
	for (size_t i = 0; i < 150; i++) {
		buf_reset(&big);
		buf_printf(&big, "{\"i\":%zu,\"t\":\"", i);
		for (size_t j = 0; j < (i * 7919) % 300000; j++)
			buf_putc(&big, (char)('a' + (j * i + j / 13) % 26));
		buf_puts(&big, "\"}\n");
		for (int k = 0; k < 2; k++)
			assert_true(shards_write(&set[k], big.data, big.len, &err) >= 0);
	}
	for (int k = 0; k < 2; k++)
		assert_int_equal(shards_finish(&set[k], &err), 0);
	assert_int_equal(set[0].ndone, 3);
	assert_int_equal(set[1].ndone, 3);
	for (size_t d = 0; d < 3; d++) {
		buf_reset(&a), buf_reset(&b);
		test_read(set[0].done[d].name, &a);
		char rel[80];
		snprintf(rel, sizeof rel, "async/%s", set[1].done[d].name);
		test_read(rel, &b);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.data, b.data, a.len);
		assert_int_equal(set[1].done[d].bytes, b.len);
		assert_string_equal(set[0].done[d].sha256, set[1].done[d].sha256);
	}
	assert_true(shards_write(&set[1], "{}\n", 3, &err) >= 0);
	assert_true(exists("async/.train-00003.jsonl.zst.tmp"));
	for (int k = 0; k < 2; k++)
		shards_release(&set[k]);
	assert_false(exists("async/.train-00003.jsonl.zst.tmp"));
	assert_int_equal(err.len, 0);
	buf_free(&big), buf_free(&err), buf_free(&a), buf_free(&b);
}

/* The compressor's write error (a file size limit, in a child) comes back
 * from a later write or from finish, as one line naming the file. */
static void test_async_zst_write_error_comes_back(void **s)
{
	(void)s;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGXFSZ, SIG_IGN);
		struct rlimit rl = {64 << 10, 64 << 10};
		setrlimit(RLIMIT_FSIZE, &rl);
		shard_set set;
		shards_init(&set, test_dir, 1000, JSONL_ZST, 1);
		set.async = 1;
		buf err = BUF_INIT, line = BUF_INIT;
		uint64_t x = 88172645463325252u;
		int rc = 0;
		for (int i = 0; i < 200 && rc >= 0; i++) {
			buf_reset(&line);
			for (size_t j = 0; j < 4096; j++) /* xorshift64: incompressible enough */
				x ^= x << 13, x ^= x >> 7, x ^= x << 17, buf_printf(&line, "%08x", (unsigned)x);
			buf_putc(&line, '\n');
			rc = shards_write(&set, line.data, line.len, &err);
		}
		if (rc >= 0)
			rc = shards_finish(&set, &err);
		int ok = rc < 0 && strstr(buf_cstr(&err), "cannot write '") && strstr(buf_cstr(&err), "File too large") &&
			 !strchr(buf_cstr(&err), '\n');
		if (!ok)
			fprintf(stderr, "rc %d, err '%s'\n", rc, buf_cstr(&err));
		shards_release(&set);
		buf_free(&err), buf_free(&line);
		_exit(ok ? 0 : 1);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_false(exists("train-00000.jsonl.zst"));
}

/* Resume: shards of the interrupted run are adopted as they were, and the
 * next shard is numbered after them. */
static void test_adopted_shards_come_first(void **s)
{
	(void)s;
	shard_set set;
	shards_init(&set, test_dir, 2, JSONL_PLAIN, 0);
	shard_info old[9];
	for (int i = 0; i < 9; i++) { /* more than the first allocation holds */
		memset(&old[i], 0, sizeof old[i]);
		snprintf(old[i].name, sizeof old[i].name, "train-%05d.jsonl", i);
		old[i].records = 2;
		old[i].bytes = 100 + (size_t)i;
		memset(old[i].sha256, 'a' + i, 64);
		shards_adopt(&set, &old[i]);
	}
	assert_int_equal(set.ndone, 9);
	char rcs[4];
	write_lines(&set, 0, 3, rcs);
	assert_string_equal(rcs, "010");
	assert_true(exists(".train-00010.jsonl.tmp"));
	buf err = BUF_INIT;
	assert_int_equal(shards_finish(&set, &err), 0);
	assert_int_equal(set.ndone, 11);
	for (int i = 0; i < 9; i++) {
		assert_string_equal(set.done[i].name, old[i].name);
		assert_int_equal(set.done[i].bytes, old[i].bytes);
		assert_string_equal(set.done[i].sha256, old[i].sha256);
	}
	assert_shard(&set.done[9], "train-00009.jsonl", 0, 2, 0);
	assert_shard(&set.done[10], "train-00010.jsonl", 2, 1, 0);
	shards_release(&set);
	buf_free(&err);
}

static void test_unwritable_dir_is_named(void **s)
{
	(void)s;
	shard_set set;
	shards_init(&set, test_path("missing"), 2, JSONL_PLAIN, 0);
	buf err = BUF_INIT;
	assert_int_equal(shards_write(&set, "{}\n", 3, &err), -1);
	assert_non_null(strstr(buf_cstr(&err), "/missing/.train-00000.jsonl.tmp'"));
	assert_int_equal(set.ndone, 0);
	shards_release(&set);
	buf_free(&err);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, dir_setup, test_dir_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_rotates_every_shard_size_records),
	    T(test_temp_name_until_complete),
	    T(test_finish_at_boundary_adds_no_empty_shard),
	    T(test_zst_shards_decode_to_the_lines),
	    T(test_async_zst_is_byte_identical),
	    T(test_async_zst_write_error_comes_back),
	    T(test_adopted_shards_come_first),
	    T(test_unwritable_dir_is_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

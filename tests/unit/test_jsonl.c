/* test_jsonl: the temp-then-rename writer, plain and zstd: round trip
 * through the reader, SHA-256 of the bytes on disk, nothing left behind. */
#include "test.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/jsonl.h"
#include "store/reader.h"

static char dir[] = "/tmp/test_jsonl.XXXXXX";

static void sha_of_file(const char *path, char hex[65], size_t *size)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	char chunk[4096];
	size_t n;
	*size = 0;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		EVP_DigestUpdate(c, chunk, n);
		*size += n;
	}
	fclose(f);
	unsigned char md[32];
	unsigned len;
	EVP_DigestFinal_ex(c, md, &len);
	EVP_MD_CTX_free(c);
	for (unsigned i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static void round_trip(jsonl_format fmt, const char *final_name)
{
	jsonl_file j;
	buf err = BUF_INIT, line = BUF_INIT;
	assert_int_equal(jsonl_open_fmt(&j, dir, "t.jsonl", fmt, 5, &err), 0);
	for (int i = 0; i < 5000; i++) {
		buf_reset(&line);
		buf_printf(&line, "{\"python_source\": \"x = %d\", \"i\": %d}\n", i, i);
		assert_int_equal(jsonl_write(&j, line.data, line.len, &err), 0);
	}
	assert_int_equal(jsonl_commit(&j, &err), 0);
	char path[256], hex[65];
	size_t size;
	snprintf(path, sizeof path, "%s/%s", dir, final_name);
	sha_of_file(path, hex, &size);
	assert_string_equal(hex, j.sha256);
	assert_int_equal(size, j.bytes);
	assert_int_equal(j.lines, 5000);
	if (fmt == JSONL_ZST)
		assert_true(j.bytes < j.raw_bytes / 4);
	else
		assert_int_equal(j.bytes, j.raw_bytes);
	char tmp[256];
	snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, final_name);
	assert_int_not_equal(access(tmp, F_OK), 0);
	jsonl_release(&j);

	reader *r = reader_open_file(path, &err);
	assert_non_null(r);
	reader_record rec;
	int i = 0, rc;
	while ((rc = reader_next(r, &rec, &err)) == READER_OK) {
		assert_int_equal(json_integer_value(json_object_get(rec.json, "i")), i);
		assert_int_equal(rec.lineno, (size_t)i + 1);
		assert_string_equal(rec.file, final_name);
		i++;
	}
	assert_int_equal(rc, READER_END);
	assert_int_equal(i, 5000);
	reader_close(r);
	unlink(path);
	buf_free(&err);
	buf_free(&line);
}

static void test_plain_round_trip(void **s)
{
	(void)s;
	round_trip(JSONL_PLAIN, "t.jsonl");
}

static void test_zstd_round_trip(void **s)
{
	(void)s;
	round_trip(JSONL_ZST, "t.jsonl.zst");
}

static void test_discard_leaves_nothing(void **s)
{
	(void)s;
	jsonl_file j;
	buf err = BUF_INIT;
	assert_int_equal(jsonl_open_fmt(&j, dir, "d.jsonl", JSONL_ZST, 0, &err), 0);
	assert_int_equal(jsonl_write(&j, "{}\n", 3, &err), 0);
	jsonl_discard(&j);
	jsonl_discard(&j);
	jsonl_release(&j);
	char tmp[256];
	snprintf(tmp, sizeof tmp, "%s/.d.jsonl.zst.tmp", dir);
	assert_int_not_equal(access(tmp, F_OK), 0);
	buf_free(&err);
}

static void test_open_failure_says_where(void **s)
{
	(void)s;
	jsonl_file j;
	buf err = BUF_INIT;
	assert_int_equal(jsonl_open_fmt(&j, "/nonexistent/dir", "x.jsonl", JSONL_ZST, 0, &err), -1);
	assert_non_null(strstr(err.data, "/nonexistent/dir/.x.jsonl.zst.tmp"));
	buf_free(&err);
}

static void test_format_words(void **s)
{
	(void)s;
	jsonl_format f;
	assert_int_equal(jsonl_format_parse("jsonl.zst", &f), 0);
	assert_int_equal(f, JSONL_ZST);
	assert_int_equal(jsonl_format_parse("jsonl", &f), 0);
	assert_int_equal(f, JSONL_PLAIN);
	assert_int_equal(jsonl_format_parse("gz", &f), -1);
	assert_string_equal(jsonl_format_suffix(JSONL_ZST), ".zst");
}

int main(void)
{
	assert_non_null(mkdtemp(dir));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_round_trip),
		cmocka_unit_test(test_zstd_round_trip),
		cmocka_unit_test(test_discard_leaves_nothing),
		cmocka_unit_test(test_open_failure_says_where),
		cmocka_unit_test(test_format_words),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return rc;
}

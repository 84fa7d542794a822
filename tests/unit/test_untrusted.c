/* test_untrusted: text from a dataset made safe for a terminal (escape
 * sequences, C0/C1 controls, DEL, bad UTF-8, bidi overrides shown as \xNN;
 * printable ASCII and valid UTF-8 kept; '\n' kept only in multi-line text)
 * and files opened only when they are regular. */
#include "test.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/untrusted.h"

static void expect_text(const char *in, size_t n, int keep_nl, const char *want)
{
	buf b = BUF_INIT;
	untrusted_text(&b, in, n, keep_nl);
	assert_string_equal(buf_cstr(&b), want);
	buf_free(&b);
}

#define EXPECT(in, keep_nl, want) expect_text(in, sizeof in - 1, keep_nl, want)

static void test_escape_sequences(void **s)
{
	(void)s;
	EXPECT("plain text, (1/2) ~", 0, "plain text, (1/2) ~");
	EXPECT("\x1b[31mred\x1b[0m", 0, "\\x1b[31mred\\x1b[0m");
	EXPECT("\x1b]0;title\x07", 0, "\\x1b]0;title\\x07");
	EXPECT("a\rb\tc\x7f", 0, "a\\x0db\\x09c\\x7f");
	EXPECT("nul\0x", 0, "nul\\x00x");
}

static void test_newlines(void **s)
{
	(void)s;
	EXPECT("one\ntwo\n", 1, "one\ntwo\n");
	EXPECT("one\ntwo", 0, "one\\x0atwo");
	EXPECT("crlf\r\n", 1, "crlf\\x0d\n");
}

static void test_utf8(void **s)
{
	(void)s;
	EXPECT("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	EXPECT("c1 \x9b" "31m", 0, "c1 \\x9b31m");            /* raw C1 CSI */
	EXPECT("c1 \xc2\x9b" "31m", 0, "c1 \\xc2\\x9b31m");  /* U+009B encoded */
	EXPECT("rlo \xe2\x80\xae!", 0, "rlo \\xe2\\x80\\xae!"); /* U+202E */
	EXPECT("iso \xe2\x81\xa6.", 0, "iso \\xe2\\x81\\xa6.");  /* U+2066 */
	EXPECT("over \xc0\xaf", 0, "over \\xc0\\xaf");          /* overlong '/' */
	EXPECT("sur \xed\xa0\x80", 0, "sur \\xed\\xa0\\x80");   /* a surrogate */
	EXPECT("cut \xe2\x82", 0, "cut \\xe2\\x82");            /* truncated */
	EXPECT("big \xf4\x90\x80\x80", 0, "big \\xf4\\x90\\x80\\x80");
}

static char dir[] = "/tmp/test_untrusted.XXXXXX";

static char *in_dir(const char *name)
{
	static char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return p;
}

static void test_open_regular_only(void **s)
{
	(void)s;
	assert_non_null(mkdtemp(dir));
	FILE *f = fopen(in_dir("file"), "wb");
	assert_non_null(f);
	fputs("abc", f);
	fclose(f);
	assert_int_equal(symlink("file", in_dir("link")), 0);
	assert_int_equal(symlink("/dev/null", in_dir("dev")), 0);
	assert_int_equal(mkfifo(in_dir("fifo"), 0600), 0);
	buf err = BUF_INIT;
	off_t size = 0;
	int fd = untrusted_open(in_dir("link"), &size, &err);
	assert_true(fd >= 0);
	assert_int_equal(size, 3);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	assert_int_equal(untrusted_open(in_dir("dev"), NULL, &err), -1);
	assert_string_equal(err.data, "is a link to a character device, not a regular file (a dataset's files "
				      "must be regular files or links to them)");
	buf_reset(&err);
	assert_null(untrusted_fopen(in_dir("fifo"), NULL, &err));
	assert_non_null(strstr(err.data, "is a FIFO, not a regular file"));
	buf_reset(&err);
	assert_int_equal(untrusted_open(dir, NULL, &err), -1);
	assert_non_null(strstr(err.data, "is a directory, not a regular file"));
	buf_reset(&err);
	assert_int_equal(untrusted_open(in_dir("absent"), NULL, &err), -1);
	assert_string_equal(err.data, "cannot open: No such file or directory");
	buf_free(&err);
	unlink(in_dir("file")), unlink(in_dir("link")), unlink(in_dir("dev")), unlink(in_dir("fifo"));
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_sequences),
		cmocka_unit_test(test_newlines),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_open_regular_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test.h: what every cmocka unit test includes, plus fixture loading and a
 * private scratch directory per test program (test_dir_make in the group's
 * setup, test_dir_teardown as its teardown, test_path for names in it). */
#ifndef JS_TEST_H
#define JS_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/util.h"

/* Reads tests/fixtures/NAME (tests run from the repository root). */
static inline void load_fixture(const char *name, buf *out)
{
	char path[512];
	snprintf(path, sizeof path, "tests/fixtures/%s", name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(out, chunk, n);
	fclose(f);
}

/* The scratch directory: $TMPDIR/NAME.XXXXXX, made by test_dir_make. */
static char test_dir[512];

static inline int test_dir_make(const char *name)
{
	const char *t = getenv("TMPDIR");
	snprintf(test_dir, sizeof test_dir, "%s/%s.XXXXXX", t && *t ? t : "/tmp", name);
	return mkdtemp(test_dir) ? 0 : -1;
}

static inline int test_dir_teardown(void **state)
{
	(void)state;
	return rm_tree(test_dir);
}

/* test_dir/NAME, in a static buffer (valid until the next call). */
static inline const char *test_path(const char *name)
{
	static char p[600];
	snprintf(p, sizeof p, "%s/%s", test_dir, name);
	return p;
}

/* Appends the whole file test_dir/NAME to out; fails the test if it is missing. */
static inline void test_read(const char *name, buf *out)
{
	FILE *f = fopen(test_path(name), "rb");
	if (!f)
		fail_msg("cannot open '%s'", test_path(name));
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(out, chunk, n);
	fclose(f);
}

#endif

/* test.h: what every cmocka unit test includes, plus fixture loading. */
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

#endif

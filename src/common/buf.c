/* buf: growable, length-carrying strings (see buf.h). Allocation failure is
 * fatal through xrealloc: a generator that cannot allocate a few KiB has
 * nothing sensible left to do. */
#include "common/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

void buf_grow(buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_append(buf *b, const void *data, size_t len)
{
	buf_grow(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void buf_puts(buf *b, const char *s) { buf_append(b, s, strlen(s)); }

void buf_putc(buf *b, char c) { buf_append(b, &c, 1); }

void buf_vprintf(buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	char small[256];
	int n = vsnprintf(small, sizeof small, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		buf_append(b, small, (size_t)n);
		return;
	}
	buf_grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_indent(buf *b, int n)
{
	buf_grow(b, (size_t)n);
	for (int i = 0; i < n; i++)
		b->data[b->len++] = ' ';
	b->data[b->len] = '\0';
}

void buf_reset(buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_free(buf *b)
{
	free(b->data);
	*b = (buf)BUF_INIT;
}

char *buf_detach(buf *b, size_t *len)
{
	if (!b->data)
		buf_grow(b, 0), b->data[0] = '\0';
	char *p = b->data;
	if (len)
		*len = b->len;
	*b = (buf)BUF_INIT;
	return p;
}

const char *buf_cstr(const buf *b) { return b->data ? b->data : ""; }

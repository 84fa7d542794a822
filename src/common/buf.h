/* buf: the one growable byte string used everywhere (length-carrying, always
 * NUL-terminated so it can be handed to C string APIs, never re-strlen'ed).
 * A zeroed buf is a valid empty string; buf_free releases it. */
#ifndef JS_BUF_H
#define JS_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
	char *data; /* NULL until the first append; buf_cstr() never returns NULL */
	size_t len;
	size_t cap;
} buf;

#define BUF_INIT {0}

void buf_grow(buf *b, size_t extra);
void buf_append(buf *b, const void *data, size_t len);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf *b, const char *fmt, va_list ap);
/* Appends n spaces (used for Python indentation). */
void buf_indent(buf *b, int n);
void buf_reset(buf *b);
void buf_free(buf *b);
/* Takes ownership of the bytes: the caller frees the result, b becomes empty. */
char *buf_detach(buf *b, size_t *len);
const char *buf_cstr(const buf *b);

#endif

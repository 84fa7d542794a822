/* fuzz_untrusted: libFuzzer target for untrusted_text, the terminal
 * sanitiser every CLI printer of dataset text goes through (its UTF-8
 * decoder is a parser of untrusted bytes). The first byte picks whether '\n'
 * is kept. The output must be valid UTF-8 with no C0 control (but '\n' when
 * kept), DEL, C1 or bidi override; sanitising it again must change nothing;
 * and input that is already safe must come out unchanged. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/untrusted.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 if s is valid UTF-8 holding only what a terminal shows as text. */
static int safe(const unsigned char *s, size_t n, int keep_nl)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], cp, len;
		if (c < 0x80) {
			if ((c < 0x20 && !(c == '\n' && keep_nl)) || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		if (!len || i + len > n)
			return 0;
		cp = c & (0x7fu >> len);
		for (unsigned k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3fu);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0x80 && cp <= 0x9f) ||
		    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			return 0;
		i += len;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int keep_nl = data[0] & 1;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	buf once = BUF_INIT, twice = BUF_INIT;
	untrusted_text(&once, s, n, keep_nl);
	if (!safe((const unsigned char *)buf_cstr(&once), once.len, keep_nl) || strlen(buf_cstr(&once)) != once.len)
		abort();
	untrusted_text(&twice, buf_cstr(&once), once.len, keep_nl);
	if (twice.len != once.len || memcmp(buf_cstr(&twice), buf_cstr(&once), once.len))
		abort(); /* not idempotent */
	if (safe((const unsigned char *)s, n, keep_nl) && (once.len != n || memcmp(buf_cstr(&once), s, n)))
		abort(); /* changed safe text */
	buf_free(&once);
	buf_free(&twice);
	return 0;
}

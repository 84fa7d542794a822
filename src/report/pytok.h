/* pytok: Python's surface syntax as logical lines of tokens, for the
 * realism measure (realism.h). Reads untrusted text: never executes it,
 * never fails, bounded by the text's size. Knows strings (prefixes, triple
 * quotes, escapes), comments, brackets and backslashes that join physical
 * lines, and indentation; nothing of Python's grammar past that. */
#ifndef JS_PYTOK_H
#define JS_PYTOK_H

#include <stddef.h>

typedef enum { PT_NAME, PT_NUMBER, PT_STRING, PT_OP } pytok_kind;

typedef struct pytok {
	pytok_kind kind;
	unsigned len, line; /* line: 1-based physical line of its start */
	const char *s;
} pytok;

typedef struct pyline {
	size_t first, ntok;	  /* tokens tok[first .. first + ntok) */
	unsigned indent;	  /* column of the first token (a tab counts to the next multiple of 8) */
	unsigned line, last_line; /* physical lines it spans */
} pyline;

typedef struct pysrc {
	pytok *tok;
	pyline *lines;
	unsigned *comments; /* physical line of each '#' comment */
	size_t ntok, nlines, ncomments;
} pysrc;

/* Tokenizes src[0..n); an unterminated string or bracket ends at the end of
 * the text. Free with pysrc_free. */
void pysrc_scan(pysrc *p, const char *src, size_t n);
void pysrc_free(pysrc *p);

/* Whether token t is the operator or name text s. */
int pytok_is(const pytok *t, const char *s);

#endif

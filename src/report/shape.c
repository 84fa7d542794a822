/* shape: see shape.h. One pass over the source, one logical line at a
 * time; the only state is the indentation stack of the kernel body, which
 * is bounded, so any source (even a hostile one) costs O(n) and no heap. */
#include "report/shape.h"

#include <string.h>

/* Python itself refuses more than 100 levels; deeper lines count here as
 * SHAPE_MAX_LEVELS - 1 deep. */
enum { SHAPE_MAX_LEVELS = 200 };

typedef struct line {
	size_t start;    /* its first non-blank character */
	unsigned indent; /* the column of start (tabs to multiples of 8, as Python) */
} line;

static int is_ident(char c)
{
	return c == '_' || (unsigned)((c | 32) - 'a') < 26u || (unsigned)(c - '0') < 10u;
}

/* Past the string literal whose quote is s[i]. Prefixes (r, b, f) are
 * letters before it and need nothing; an escaped quote never closes it. A
 * one-quote string left open ends at the newline, as the line does. */
static size_t skip_string(const char *s, size_t n, size_t i)
{
	char q = s[i];
	int triple = i + 2 < n && s[i + 1] == q && s[i + 2] == q;
	for (i += triple ? 3 : 1; i < n; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (!triple && s[i] == '\n')
			return i;
		if (s[i] == q && (!triple || (i + 2 < n && s[i + 1] == q && s[i + 2] == q)))
			return i + (triple ? 3 : 1);
	}
	return n;
}

static int is_continuation(const char *s, size_t n, size_t i)
{
	return s[i] == '\\' && i + 1 < n && (s[i + 1] == '\n' || (s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n'));
}

/* The next logical line from *pos, blank and comment-only lines skipped;
 * *pos moves past it. Returns 0 at the end of the source. */
static int next_line(const char *s, size_t n, size_t *pos, line *ln)
{
	size_t i = *pos;
	for (;;) {
		unsigned col = 0;
		for (; i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\f'); i++)
			col = s[i] == ' ' ? col + 1 : s[i] == '\t' ? (col / 8 + 1) * 8 : 0;
		if (i >= n) {
			*pos = n;
			return 0;
		}
		if (s[i] == '#')
			while (i < n && s[i] != '\n')
				i++;
		if (i < n && (s[i] == '\n' || s[i] == '\r')) {
			i++;
			continue;
		}
		if (i >= n)
			continue;
		ln->start = i;
		ln->indent = col;
		break;
	}
	/* to the newline outside brackets, strings and continuations */
	int depth = 0;
	while (i < n && !(s[i] == '\n' && depth == 0)) {
		char c = s[i];
		if (c == '#') {
			while (i < n && s[i] != '\n')
				i++;
		} else if (c == '"' || c == '\'') {
			i = skip_string(s, n, i);
		} else if (is_continuation(s, n, i)) {
			i += s[i + 1] == '\n' ? 2 : 3;
		} else {
			if (c == '(' || c == '[' || c == '{')
				depth++;
			else if ((c == ')' || c == ']' || c == '}') && depth > 0)
				depth--;
			i++;
		}
	}
	*pos = i < n ? i + 1 : n;
	return 1;
}

/* Whether the logical line starts with `word` as a whole word. */
static int starts_with(const char *s, size_t n, const line *ln, const char *word)
{
	size_t k = strlen(word);
	return ln->start + k <= n && !memcmp(s + ln->start, word, k) && (ln->start + k == n || !is_ident(s[ln->start + k]));
}

/* Counts the lines indented deeper than the def, up to the first that is
 * not: the body, whatever follows it (helpers, the next kernel). */
static void measure_body(const char *s, size_t n, size_t pos, unsigned def_indent, shape_info *out)
{
	unsigned stack[SHAPE_MAX_LEVELS];
	size_t sp = 0;
	line ln;
	while (next_line(s, n, &pos, &ln) && ln.indent > def_indent) {
		if (sp == 0) {
			stack[sp++] = ln.indent; /* the body's own level: depth 0 */
		} else if (ln.indent > stack[sp - 1]) {
			if (sp < SHAPE_MAX_LEVELS)
				stack[sp++] = ln.indent;
		} else {
			while (sp > 1 && ln.indent < stack[sp - 1])
				sp--;
		}
		out->statements++;
		if (sp - 1 > out->depth)
			out->depth = (unsigned)(sp - 1);
	}
}

int shape_scan(const char *src, size_t n, shape_info *out)
{
	memset(out, 0, sizeof *out);
	size_t pos = 0;
	line ln;
	int decorated = 0; /* @wp.kernel seen; other decorators may follow it */
	while (next_line(src, n, &pos, &ln)) {
		if (starts_with(src, n, &ln, "@wp.kernel")) {
			decorated = 1;
		} else if (decorated && starts_with(src, n, &ln, "def")) {
			measure_body(src, n, pos, ln.indent, out);
			return 0;
		} else if (src[ln.start] != '@') {
			decorated = 0;
		}
	}
	return -1;
}

/* scan: @wp.kernel functions by surface syntax (see scan.h). Two passes:
 * the text is cut into logical lines (a line continues inside brackets,
 * after a backslash and inside a triple-quoted string; comments and string
 * contents are blanked in a copy so that no `@` or `def` inside one counts),
 * then decorators, defs and classes are read off the logical lines with a
 * stack of enclosing blocks by indentation. */
#include "ingest/scan.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

typedef struct lline {
	size_t start; /* offset of its first non-blank character in the copy */
	int line;     /* physical line where it starts */
	int indent;   /* columns before it (a tab counts to the next multiple of 8) */
} lline;

typedef struct block {
	int indent;
	int is_def;
	long kernel; /* index into r->k of the kernel this def is, or -1 */
} block;

/* Blanks comments and string contents of text (a copy), keeping newlines,
 * and records where each logical line starts. */
static lline *logical_lines(char *s, size_t len, size_t *nout)
{
	size_t n = 0, cap = 64;
	lline *v = xmalloc(cap * sizeof *v);
	int depth = 0, line = 1, at_start = 1, col = 0;
	char quote = 0;
	int triple = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (quote) {
			if (c == '\\' && i + 1 < len) {
				s[i] = ' ';
				if (s[i + 1] != '\n')
					s[i + 1] = ' ';
				else
					line++;
				i++;
				continue;
			}
			if (c == quote &&
			    (!triple || (i + 2 < len && s[i + 1] == quote && s[i + 2] == quote))) {
				i += triple ? 2 : 0;
				quote = 0;
				continue;
			}
			if (c == '\n') {
				line++;
				if (!triple) /* an unterminated string ends with its line */
					quote = 0, at_start = depth == 0, col = 0;
				continue;
			}
			s[i] = ' ';
			continue;
		}
		if (c == '\n') {
			line++;
			if (depth == 0 && !(i > 0 && s[i - 1] == '\\'))
				at_start = 1;
			col = 0;
			continue;
		}
		if (at_start) {
			if (c == ' ') {
				col++;
				continue;
			}
			if (c == '\t') {
				col = (col / 8 + 1) * 8;
				continue;
			}
			if (c == '\r' || c == '\f')
				continue;
			if (c != '#') {
				if (n == cap)
					v = xrealloc(v, (cap *= 2) * sizeof *v);
				v[n++] = (lline){.start = i, .line = line, .indent = col};
			}
			at_start = 0;
		}
		if (c == '#') {
			while (i < len && s[i] != '\n')
				s[i++] = ' ';
			i--;
		} else if (c == '"' || c == '\'') {
			quote = c;
			triple = i + 2 < len && s[i + 1] == c && s[i + 2] == c;
			i += triple ? 2 : 0;
		} else if (c == '(' || c == '[' || c == '{') {
			depth++;
		} else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	*nout = n;
	return v;
}

/* Whether s (blanked copy) at a logical line's start is the decorator
 * `@wp.kernel` or `@warp.kernel`, bare or called. */
static int is_kernel_decorator(const char *s, size_t len, size_t at)
{
	if (s[at] != '@')
		return 0;
	size_t i = at + 1;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	static const char *const names[] = {"wp.kernel", "warp.kernel"};
	for (int k = 0; k < 2; k++) {
		size_t n = strlen(names[k]);
		if (len - i >= n && !memcmp(s + i, names[k], n)) {
			char after = i + n < len ? s[i + n] : '\n';
			if (!isalnum((unsigned char)after) && after != '_' && after != '.')
				return 1;
		}
	}
	return 0;
}

/* The keyword at s+at ("def", "async def", "class") and the name after it. */
static int block_head(const char *s, size_t len, size_t at, int *is_def, char *name, size_t nlen)
{
	size_t i = at;
	if (len - i > 6 && !memcmp(s + i, "async", 5) && isspace((unsigned char)s[i + 5])) {
		i += 5;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
	}
	if (len - i > 4 && !memcmp(s + i, "def", 3) && isspace((unsigned char)s[i + 3]))
		*is_def = 1, i += 3;
	else if (len - i > 6 && !memcmp(s + i, "class", 5) && isspace((unsigned char)s[i + 5]))
		*is_def = 0, i += 5;
	else
		return 0;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	size_t j = 0;
	while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_' || (unsigned char)s[i] >= 0x80) &&
	       j + 1 < nlen)
		name[j++] = s[i++];
	name[j] = '\0';
	return j > 0;
}

/* The last physical line before logical line `next` that holds code. */
static int last_code_line(const char *s, const lline *v, size_t next, size_t nlines, size_t len)
{
	size_t end = next < nlines ? v[next].start : len;
	int line = next < nlines ? v[next].line : 1;
	if (next >= nlines)
		for (size_t i = 0; i < len; i++)
			line += s[i] == '\n';
	/* walk back over blank text to the last non-blank character */
	while (end > 0 && isspace((unsigned char)s[end - 1])) {
		if (s[end - 1] == '\n')
			line--;
		end--;
	}
	return line;
}

static void close_blocks(block *st, int *top, int indent, scan_result *r, const char *s, const lline *v,
			 size_t at, size_t nlines, size_t len)
{
	while (*top > 0 && st[*top - 1].indent >= indent) {
		block b = st[--*top];
		if (b.kernel >= 0)
			r->k[b.kernel].last = last_code_line(s, v, at, nlines, len);
	}
}

void scan_kernels(const char *text, size_t len, scan_result *r)
{
	char *s = xmalloc(len + 1);
	memcpy(s, text, len);
	s[len] = '\0';
	size_t nl;
	lline *v = logical_lines(s, len, &nl);
	block *st = xmalloc((nl + 1) * sizeof *st);
	int top = 0, kernel_deco = 0, deco_line = 0;
	for (size_t i = 0; i < nl; i++) {
		close_blocks(st, &top, v[i].indent, r, s, v, i, nl, len);
		size_t at = v[i].start;
		if (s[at] == '@') {
			if (!kernel_deco && !deco_line)
				deco_line = v[i].line;
			kernel_deco |= is_kernel_decorator(s, len, at);
			continue;
		}
		int is_def = 0;
		char name[128];
		if (block_head(s, len, at, &is_def, name, sizeof name)) {
			long k = -1;
			if (kernel_deco && is_def) {
				if (r->n == r->cap)
					r->k = xrealloc(r->k,
							(r->cap = r->cap ? r->cap * 2 : 16) * sizeof *r->k);
				scan_kernel *sk = &r->k[r->n];
				memset(sk, 0, sizeof *sk);
				snprintf(sk->name, sizeof sk->name, "%s", name);
				sk->line = v[i].line;
				sk->first = deco_line ? deco_line : v[i].line;
				sk->last = v[i].line;
				sk->toplevel = top == 0;
				for (int b = 0; b < top; b++)
					sk->in_def |= st[b].is_def;
				k = (long)r->n++;
			}
			st[top++] = (block){.indent = v[i].indent, .is_def = is_def, .kernel = k};
		}
		kernel_deco = 0;
		deco_line = 0;
	}
	close_blocks(st, &top, -1, r, s, v, nl, nl, len);
	free(st);
	free(v);
	free(s);
}

void scan_result_free(scan_result *r)
{
	free(r->k);
	*r = (scan_result){0};
}

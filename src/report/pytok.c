/* pytok: the tokenizer behind the realism measure. One pass over the text;
 * tokens point into it (the text outlives the pysrc). */
#include "report/pytok.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static int is_ident_start(unsigned char c)
{
	return c == '_' || (unsigned)((c | 32) - 'a') < 26u || c >= 0x80;
}
static int is_ident(unsigned char c)
{
	return is_ident_start(c) || (unsigned)(c - '0') < 10u;
}

int pytok_is(const pytok *t, const char *s)
{
	size_t n = strlen(s);
	return t && t->len == n && !memcmp(t->s, s, n);
}

static void push_tok(pysrc *p, size_t *cap, pytok t)
{
	if (p->ntok == *cap) {
		*cap = *cap ? 2 * *cap : 256;
		p->tok = xrealloc(p->tok, *cap * sizeof *p->tok);
	}
	p->tok[p->ntok++] = t;
}

static void push_line(pysrc *p, size_t *cap, pyline l)
{
	if (p->nlines == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		p->lines = xrealloc(p->lines, *cap * sizeof *p->lines);
	}
	p->lines[p->nlines++] = l;
}

static void push_comment(pysrc *p, size_t *cap, unsigned line)
{
	if (p->ncomments == *cap) {
		*cap = *cap ? 2 * *cap : 32;
		p->comments = xrealloc(p->comments, *cap * sizeof *p->comments);
	}
	p->comments[p->ncomments++] = line;
}

/* The end of the string literal whose quote starts at s[i]; counts the
 * newlines it spans into *line. */
static size_t string_end(const char *s, size_t n, size_t i, unsigned *line)
{
	char q = s[i];
	int triple = i + 2 < n && s[i + 1] == q && s[i + 2] == q;
	i += triple ? 3 : 1;
	while (i < n) {
		if (s[i] == '\\' && i + 1 < n) {
			if (s[i + 1] == '\n')
				(*line)++;
			i += 2;
			continue;
		}
		if (s[i] == '\n') {
			if (!triple)
				return i; /* an unterminated one-line string ends at the line's end */
			(*line)++;
		}
		if (s[i] == q && (!triple || (i + 2 < n && s[i + 1] == q && s[i + 2] == q)))
			return i + (triple ? 3 : 1);
		i++;
	}
	return n;
}

/* Whether s[i..) is a string prefix (r, b, f, u, rb, br, ...) then a quote. */
static size_t prefix_len(const char *s, size_t n, size_t i)
{
	size_t k = i;
	while (k < n && k - i < 2 && strchr("rRbBfFuU", s[k]) && s[k])
		k++;
	return k < n && k > i && (s[k] == '\'' || s[k] == '"') ? k - i : 0;
}

static size_t op_len(const char *s, size_t n, size_t i)
{
	static const char *const ops[] = {"**=", "//=", ">>=", "<<=", "...", "->", ":=", "**", "//",
					  "<<",	 ">>",	"<=",  ">=",  "==",  "!=", "+=", "-=", "*=",
					  "/=",	 "%=",	"&=",  "|=",  "^=",  "@=", NULL};
	for (const char *const *o = ops; *o; o++) {
		size_t l = strlen(*o);
		if (i + l <= n && !memcmp(s + i, *o, l))
			return l;
	}
	return 1;
}

void pysrc_scan(pysrc *p, const char *s, size_t n)
{
	memset(p, 0, sizeof *p);
	size_t tcap = 0, lcap = 0, ccap = 0, i = 0;
	unsigned line = 1, col = 0;
	int depth = 0, at_line_start = 1, open = 0;
	pyline cur = {0};
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n') {
			if (!depth && open) {
				cur.ntok = p->ntok - cur.first;
				cur.last_line = line;
				push_line(p, &lcap, cur);
				open = 0;
			}
			if (!depth)
				at_line_start = 1, col = 0;
			line++, i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
			if (at_line_start)
				col = c == '\t' ? (col / 8 + 1) * 8 : col + 1;
			i++;
			continue;
		}
		if (c == '\\' && i + 1 < n &&
		    (s[i + 1] == '\n' || (s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n'))) {
			i += s[i + 1] == '\n' ? 2 : 3; /* joins the next physical line */
			line++;
			continue;
		}
		if (c == '#') {
			push_comment(p, &ccap, line);
			while (i < n && s[i] != '\n')
				i++;
			continue;
		}
		if (at_line_start) {
			cur = (pyline){.first = p->ntok, .indent = col, .line = line};
			at_line_start = 0, open = 1;
		}
		pytok t = {.s = s + i, .line = line};
		size_t pl = prefix_len(s, n, i);
		if (c == '\'' || c == '"' || pl) {
			size_t e = string_end(s, n, i + pl, &line);
			t.kind = PT_STRING, t.len = (unsigned)(e - i);
			i = e;
		} else if (is_ident_start(c)) {
			size_t e = i;
			while (e < n && is_ident((unsigned char)s[e]))
				e++;
			t.kind = PT_NAME, t.len = (unsigned)(e - i);
			i = e;
		} else if ((unsigned)(c - '0') < 10u ||
			   (c == '.' && i + 1 < n && (unsigned)(s[i + 1] - '0') < 10u)) {
			size_t e = i;
			while (e < n && (is_ident((unsigned char)s[e]) || s[e] == '.' ||
					 ((s[e] == '+' || s[e] == '-') && (s[e - 1] | 32) == 'e' &&
					  (s[i + 1] | 32) != 'x')))
				e++;
			t.kind = PT_NUMBER, t.len = (unsigned)(e - i);
			i = e;
		} else {
			size_t l = op_len(s, n, i);
			if (c == '(' || c == '[' || c == '{')
				depth++;
			else if ((c == ')' || c == ']' || c == '}') && depth > 0)
				depth--;
			t.kind = PT_OP, t.len = (unsigned)l;
			i += l;
		}
		push_tok(p, &tcap, t);
	}
	if (open) {
		cur.ntok = p->ntok - cur.first;
		cur.last_line = line;
		push_line(p, &lcap, cur);
	}
}

void pysrc_free(pysrc *p)
{
	free(p->tok);
	free(p->lines);
	free(p->comments);
	memset(p, 0, sizeof *p);
}

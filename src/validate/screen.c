/* screen: a module's text is refused before any compiler sees it unless the
 * only files it can make the compiler read are Warp's own headers (see
 * chk.h, "Screening"). A small lexer of translation phases 1-4: splices
 * joined, comments, string and character literals and pp-numbers skipped as
 * the compilers do, every directive looked at. Where GCC and NVRTC could
 * read a text differently (a backslash before spaces and a newline, a lone
 * CR, trigraphs, NUL, raw strings, stray backslashes), the text is refused
 * rather than guessed at. Knows nothing of compilers or the engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "validate/chk.h"

/* The headers Warp's code generator includes (warp/_src/codegen.py,
 * cpu_module_header and cuda_module_header), by plain name. */
static const char *const allowed_headers[] = {"builtin.h", "deterministic.h"};

/* The directives a module may hold: those Warp writes (#define, #if, #else,
 * #endif, #include) and the rest of the conditional family. Every other one
 * (#line and GNU line markers, #pragma, #embed, #include_next, #import, #ident,
 * #assert, ...) either names a file or is not Warp's. */
static const char *const allowed_directives[] = {"define",  "undef",	"if",	"ifdef", "ifndef", "elif",
						 "elifdef", "elifndef", "else", "endif", "include"};

/* Identifiers that read files or hide a directive inside an expression. */
static const char *const refused_words[] = {"_Pragma", "__pragma", "__has_include", "__has_include_next",
					    "__has_embed"};

#define SHOW_MAX 60

typedef struct lexer {
	const char *s; /* the text with its splices (backslash-newline) removed */
	size_t n, i;
	const size_t *splice; /* offsets in s where a splice was removed, ascending */
	size_t nsplice;
	buf *why;
} lexer;

static inline int is_ident(unsigned char c)
{
	return (unsigned)((c | 0x20) - 'a') < 26 || (unsigned)(c - '0') < 10 || c == '_' || c == '$' || c >= 0x80;
}

static inline int is_hspace(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/* The original line number of offset `at` of the spliced text. */
static unsigned long line_of(const lexer *lx, size_t at)
{
	unsigned long line = 1;
	for (size_t k = 0; k < at && k < lx->n; k++)
		line += lx->s[k] == '\n';
	for (size_t k = 0; k < lx->nsplice && lx->splice[k] <= at; k++)
		line++;
	return line;
}

/* Appends text of the module for a message: printable ASCII only, capped. */
static void show(buf *b, const char *p, size_t n)
{
	size_t m = n < SHOW_MAX ? n : SHOW_MAX;
	for (size_t k = 0; k < m; k++)
		buf_putc(b, p[k] >= 0x20 && p[k] < 0x7f ? p[k] : '?');
	if (m < n)
		buf_puts(b, "...");
}

static int refuse(lexer *lx, size_t at, const char *what)
{
	buf_printf(lx->why, "line %lu: %s", line_of(lx, at), what);
	return 1;
}

/* Skips one comment at lx->i, if there is one; returns whether it did.
 * *newline is set when a block comment spans lines. */
static int skip_comment(lexer *lx, int *newline)
{
	const char *s = lx->s;
	if (lx->i + 1 >= lx->n || s[lx->i] != '/')
		return 0;
	if (s[lx->i + 1] == '/') {
		const char *nl = memchr(s + lx->i, '\n', lx->n - lx->i);
		lx->i = nl ? (size_t)(nl - s) : lx->n;
		return 1;
	}
	if (s[lx->i + 1] != '*')
		return 0;
	const char *end = memmem(s + lx->i + 2, lx->n - lx->i - 2, "*/", 2);
	size_t stop = end ? (size_t)(end - s) + 2 : lx->n;
	if (memchr(s + lx->i, '\n', stop - lx->i))
		*newline = 1;
	lx->i = stop;
	return 1;
}

/* Skips blanks and comments up to (not past) the end of the logical line;
 * a block comment may carry the line on, as it does for the compilers. */
static void skip_blank(lexer *lx)
{
	int nl = 0;
	while (lx->i < lx->n) {
		if (is_hspace((unsigned char)lx->s[lx->i]))
			lx->i++;
		else if (!skip_comment(lx, &nl))
			break;
	}
}

static int in_list(const char *w, size_t n, const char *const *list, size_t count)
{
	for (size_t k = 0; k < count; k++)
		if (strlen(list[k]) == n && !memcmp(list[k], w, n))
			return 1;
	return 0;
}

/* #include's operand: exactly "NAME" or <NAME> of an allowed header, then
 * nothing but blanks and comments to the end of the line. */
static int check_include(lexer *lx, size_t at)
{
	skip_blank(lx);
	const char *s = lx->s;
	size_t op = lx->i;
	int ok = 0;
	if (lx->i < lx->n && (s[lx->i] == '"' || s[lx->i] == '<')) {
		char close = s[lx->i] == '"' ? '"' : '>';
		size_t k = lx->i + 1;
		while (k < lx->n && s[k] != close && s[k] != '\n')
			k++;
		if (k < lx->n && s[k] == close) {
			ok = in_list(s + lx->i + 1, k - lx->i - 1, allowed_headers,
				     sizeof allowed_headers / sizeof *allowed_headers);
			lx->i = k + 1;
			skip_blank(lx);
			ok = ok && (lx->i >= lx->n || s[lx->i] == '\n');
		}
	}
	if (ok)
		return 0;
	const char *nl = memchr(s + op, '\n', lx->n - op);
	size_t end = nl ? (size_t)(nl - s) : lx->n;
	buf what = BUF_INIT;
	buf_puts(&what, "#include ");
	show(&what, s + op, end - op);
	buf_puts(&what, ": a module may include only Warp's own headers (");
	for (size_t k = 0; k < sizeof allowed_headers / sizeof *allowed_headers; k++)
		buf_printf(&what, "%s\"%s\"", k ? ", " : "", allowed_headers[k]);
	buf_puts(&what, "), by plain name");
	int r = refuse(lx, at, what.data);
	buf_free(&what);
	return r;
}

/* A directive: lx->i is just past its '#' (or "%:"). */
static int check_directive(lexer *lx, size_t at)
{
	skip_blank(lx);
	const char *s = lx->s;
	size_t w = lx->i;
	if (w < lx->n && s[w] >= '0' && s[w] <= '9')
		return refuse(lx, at, "a line marker (# N \"file\") is not allowed in a module");
	while (lx->i < lx->n && is_ident((unsigned char)s[lx->i]))
		lx->i++;
	size_t wn = lx->i - w;
	if (!wn) {
		if (lx->i >= lx->n || s[lx->i] == '\n')
			return 0; /* the null directive */
		return refuse(lx, at, "a '#' that starts no directive is not allowed in a module");
	}
	if (wn == 7 && !memcmp(s + w, "include", 7))
		return check_include(lx, at);
	if (in_list(s + w, wn, allowed_directives, sizeof allowed_directives / sizeof *allowed_directives))
		return 0;
	buf what = BUF_INIT;
	buf_putc(&what, '#');
	show(&what, s + w, wn);
	buf_puts(&what,
		 " is not allowed in a module (Warp's code uses only #define, #undef, #if...#endif and "
		 "#include of its own headers)");
	int r = refuse(lx, at, what.data);
	buf_free(&what);
	return r;
}

/* Skips a string or character literal from its opening quote to its closing
 * one or, as the compilers do with an unterminated one, the end of the line. */
static void skip_literal(lexer *lx)
{
	char q = lx->s[lx->i++];
	while (lx->i < lx->n && lx->s[lx->i] != q && lx->s[lx->i] != '\n')
		lx->i += lx->s[lx->i] == '\\' && lx->i + 1 < lx->n && lx->s[lx->i + 1] != '\n' ? 2 : 1;
	if (lx->i < lx->n && lx->s[lx->i] == q)
		lx->i++;
}

/* A pp-number: a digit (or '.' and a digit) and what may follow it, digit
 * separators and exponent signs included. */
static void skip_number(lexer *lx)
{
	const char *s = lx->s;
	lx->i++;
	while (lx->i < lx->n) {
		unsigned char c = (unsigned char)s[lx->i];
		if ((c == '+' || c == '-') && strchr("eEpP", s[lx->i - 1]))
			lx->i++;
		else if (c == '\'' && lx->i + 1 < lx->n && is_ident((unsigned char)s[lx->i + 1]))
			lx->i += 2;
		else if (is_ident(c) || c == '.')
			lx->i++;
		else
			break;
	}
}

static int scan(lexer *lx)
{
	const char *s = lx->s;
	int bol = 1; /* only blanks and comments since the start of a line */
	if (lx->n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		lx->i = 3; /* a byte order mark, which both compilers skip */
	while (lx->i < lx->n) {
		size_t at = lx->i;
		unsigned char c = (unsigned char)s[at];
		if (c == '\n') {
			bol = 1;
			lx->i++;
			continue;
		}
		if (is_hspace(c)) {
			lx->i++;
			continue;
		}
		int nl = 0;
		if (c == '/' && skip_comment(lx, &nl)) {
			bol |= nl;
			continue;
		}
		if (c == '#' || (c == '%' && at + 1 < lx->n && s[at + 1] == ':')) {
			size_t len = c == '#' ? 1 : 2;
			if (bol) {
				lx->i += len;
				if (check_directive(lx, at))
					return 1;
				bol = 0;
				continue;
			}
			if (at + 2 * len <= lx->n && !memcmp(s + at + len, c == '#' ? "#" : "%:", len))
				return refuse(lx, at, "token pasting (##) is not allowed in a module");
			lx->i += len;
			continue;
		}
		bol = 0;
		if (c == '"' || c == '\'') {
			skip_literal(lx);
		} else if ((c >= '0' && c <= '9') ||
			   (c == '.' && at + 1 < lx->n && s[at + 1] >= '0' && s[at + 1] <= '9')) {
			skip_number(lx);
		} else if (is_ident(c)) {
			while (lx->i < lx->n && is_ident((unsigned char)s[lx->i]))
				lx->i++;
			size_t wn = lx->i - at;
			if (s[at] == '_' && in_list(s + at, wn, refused_words, /* all begin with '_' */
				    sizeof refused_words / sizeof *refused_words)) {
				buf what = BUF_INIT;
				show(&what, s + at, wn);
				buf_puts(
				    &what,
				    " is not allowed in a module (it can read files or hide a directive)");
				int r = refuse(lx, at, what.data);
				buf_free(&what);
				return r;
			}
			if (lx->i < lx->n && s[lx->i] == '"' && s[lx->i - 1] == 'R' &&
			    in_list(s + at, wn, (const char *const[]){"R", "LR", "uR", "UR", "u8R"}, 5))
				return refuse(
				    lx, at,
				    "a raw string literal is not allowed in a module (Warp writes none)");
		} else if (c == '\\') {
			return refuse(lx, at,
				      "a backslash outside a literal (a universal character name?) is not "
				      "allowed in a module");
		} else {
			lx->i++;
		}
	}
	return 0;
}

int chk_screen(const char *text, size_t len, buf *why)
{
	if (len > (size_t)CHK_MODULE_MIB << 20) {
		buf_printf(why, "the module is %zu MiB, more than the %d MiB a module may have", len >> 20,
			   CHK_MODULE_MIB);
		return 1;
	}
	/* Phases 1-2: what the two compilers could read differently is refused;
	 * backslash-newline splices are removed (and remembered for line
	 * numbers). Only NUL, CR, '?' and '\\' need a look; a text without a
	 * splice (Warp's own modules) is scanned where it lies, not copied. */
	buf sp = BUF_INIT;
	size_t *splice = NULL, nsplice = 0, cap = 0;
	const char *bad = NULL;
	size_t i = 0, from = 0; /* text[from..i) is still to be copied into sp */
	static const unsigned char look[256] = {['\0'] = 1, ['\r'] = 1, ['?'] = 1, ['\\'] = 1};
	for (; i < len && !bad; i++) {
		char c = text[i];
		if (!look[(unsigned char)c])
			continue;
		if (c == '\0')
			bad = "a NUL byte is not allowed in a module";
		else if (c == '\r' && (i + 1 >= len || text[i + 1] != '\n'))
			bad = "a carriage return that ends no line is not allowed in a module";
		else if (c == '?' && i + 2 < len && text[i + 1] == '?' && strchr("=/'()!<>-", text[i + 2]))
			bad = "a trigraph (?\?=, ?\?/, ...) is not allowed in a module";
		else if (c == '\\') {
			size_t k = i + 1;
			while (k < len && is_hspace((unsigned char)text[k]) && text[k] != '\r')
				k++;
			size_t eol = k < len && text[k] == '\r' ? k + 1 : k;
			if (eol < len && text[eol] == '\n') {
				if (k != i + 1) {
					bad = "a backslash followed by blanks at the end of a line is not "
					      "allowed in a module (is it a line continuation?)";
					i++; /* as the loop's own step would: the line count below stops here */
					break;
				}
				if (nsplice == cap) {
					cap = cap ? 2 * cap : 16;
					splice = xrealloc(splice, cap * sizeof *splice);
				}
				buf_append(&sp, text + from, i - from);
				splice[nsplice++] = sp.len;
				i = eol;
				from = eol + 1;
			}
		}
	}
	int r = 0;
	if (bad) {
		unsigned long line = 1; /* the bad byte's: every newline before it, spliced or not */
		for (size_t k = 0; k + 1 < i; k++)
			line += text[k] == '\n';
		buf_printf(why, "line %lu: %s", line, bad);
		r = 1;
	} else {
		if (nsplice)
			buf_append(&sp, text + from, len - from);
		lexer lx = {.s = nsplice ? sp.data : len ? text : "",
			    .n = nsplice ? sp.len : len,
			    .splice = splice,
			    .nsplice = nsplice,
			    .why = why};
		r = scan(&lx);
	}
	free(splice);
	buf_free(&sp);
	return r;
}

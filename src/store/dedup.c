/* dedup: normalisers (a small Python tokenizer, a small C++ tokenizer) that
 * turn a record into a canonical token text, and the fingerprint sets. See
 * dedup.h for what each fingerprint keeps and drops. */
#include "store/dedup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "common/util.h"

/* --- name maps: name -> order of first appearance, reset per record --- */

typedef struct nm_slot {
	uint64_t key;
	uint32_t gen, val;
} nm_slot;

typedef struct namemap {
	nm_slot *s;
	size_t cap, n;
	uint32_t gen;
} namemap;

static void nm_reset(namemap *m)
{
	m->n = 0;
	if (++m->gen == 0) {
		memset(m->s, 0, m->cap * sizeof *m->s);
		m->gen = 1;
	}
}

static void nm_grow(namemap *m)
{
	size_t ocap = m->cap;
	nm_slot *old = m->s;
	m->cap = ocap ? 2 * ocap : 256;
	m->s = xcalloc(m->cap, sizeof *m->s);
	for (size_t i = 0; i < ocap; i++) {
		if (old[i].gen != m->gen)
			continue;
		size_t j = old[i].key & (m->cap - 1);
		while (m->s[j].gen == m->gen)
			j = (j + 1) & (m->cap - 1);
		m->s[j] = old[i];
	}
	free(old);
}

/* The index of name, numbering new names 0, 1, 2, ... */
static unsigned nm_index(namemap *m, const char *name, size_t len)
{
	if (2 * (m->n + 1) > m->cap)
		nm_grow(m);
	uint64_t key = XXH64(name, len, 0);
	size_t j = key & (m->cap - 1);
	while (m->s[j].gen == m->gen) {
		if (m->s[j].key == key)
			return m->s[j].val;
		j = (j + 1) & (m->cap - 1);
	}
	m->s[j] = (nm_slot){key, m->gen, (uint32_t)m->n};
	return (unsigned)m->n++;
}

struct dedup {
	dedup_set exact, structural;
	dedup_counts counts;
	namemap names, nums;
	buf a, b;
};

dedup *dedup_new(void)
{
	dedup *dd = xcalloc(1, sizeof *dd);
	dd->names.gen = dd->nums.gen = 1;
	return dd;
}

void dedup_free(dedup *dd)
{
	if (!dd)
		return;
	dedup_set_free(&dd->exact);
	dedup_set_free(&dd->structural);
	free(dd->names.s);
	free(dd->nums.s);
	buf_free(&dd->a);
	buf_free(&dd->b);
	free(dd);
}

/* --- shared lexing helpers --- */

static int is_id0(unsigned char c) { return c == '_' || (unsigned)((c | 32) - 'a') < 26u || c >= 0x80; }
static int is_digit(unsigned char c) { return (unsigned)(c - '0') < 10u; }
static int is_id(unsigned char c) { return is_id0(c) || is_digit(c); }

static int in_list(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == n && !memcmp(*list, s, n))
			return 1;
	return 0;
}

static const char *const py_keywords[] = {
	"False", "None",  "True",  "and",    "as",   "assert", "async",  "await",    "break",
	"class", "continue", "def", "del",   "elif", "else",   "except", "finally",  "for",
	"from",  "global", "if",   "import", "in",   "is",     "lambda", "nonlocal", "not",
	"or",    "pass",  "raise", "return", "try",  "while",  "with",   "yield",    NULL};

/* Names that mean the same in every kernel: Python builtins Warp accepts
 * bare, and the module alias itself. */
static const char *const py_builtins[] = {"wp",  "warp", "float", "int",   "bool",     "range", "len",
					  "abs", "min",  "max",   "round", "print",    "tuple", "list",
					  "isinstance", "float32", "int32", "float64", "int64", NULL};

/* End of the number that starts at s[start]. */
static size_t scan_number(const char *s, size_t n, size_t start)
{
	int hex = start + 1 < n && s[start] == '0' && (s[start + 1] | 32) == 'x';
	size_t i = start + 1;
	while (i < n && (is_id((unsigned char)s[i]) || s[i] == '.' ||
			 ((s[i] == '+' || s[i] == '-') && (s[i - 1] | 32) == 'e' && !hex)))
		i++;
	return i;
}

/* End of the string literal whose quote is at s[i]. */
static size_t scan_string(const char *s, size_t n, size_t i)
{
	char q = s[i];
	int triple = i + 2 < n && s[i + 1] == q && s[i + 2] == q;
	i += triple ? 3 : 1;
	while (i < n) {
		if (s[i] == '\\') {
			i += 2;
			continue;
		}
		if (s[i] == q && (!triple || (i + 2 < n && s[i + 1] == q && s[i + 2] == q)))
			return i + (triple ? 3 : 1);
		if (s[i] == '\n' && !triple)
			return i;
		i++;
	}
	return n;
}

static void emit(buf *out, const char *s, size_t n)
{
	if (out->len)
		buf_putc(out, ' ');
	buf_append(out, s, n);
}

/* --- Python --- */

typedef struct pyst {
	const char *s;
	size_t n, i;
	int depth;
	int ind[128];
	int nind;
	int structural;
	const char *prev; /* previous token, for '.' and 'def' */
	size_t prevlen;
	namemap *names;
	buf *out;
} pyst;

/* Handles the start of a physical line at bracket depth 0: skips blank,
 * comment-only and top-level import lines, emits INDENT/DEDENT. Returns 1
 * if a line with tokens starts at st->i. */
static int py_line_start(pyst *st)
{
	for (;;) {
		if (st->i >= st->n)
			return 0;
		int col = 0;
		while (st->i < st->n && (st->s[st->i] == ' ' || st->s[st->i] == '\t'))
			col = st->s[st->i++] == '\t' ? (col / 8 + 1) * 8 : col + 1;
		const char *p = st->s + st->i;
		size_t left = st->n - st->i;
		int skip = left == 0 || *p == '\n' || *p == '#' || *p == '\r' ||
			   (col == 0 && ((left > 7 && !memcmp(p, "import ", 7)) || (left > 5 && !memcmp(p, "from ", 5))));
		if (skip) {
			const char *nl = memchr(p, '\n', left);
			st->i = nl ? (size_t)(nl - st->s) + 1 : st->n;
			continue;
		}
		if (col > st->ind[st->nind - 1] && st->nind < (int)(sizeof st->ind / sizeof *st->ind)) {
			st->ind[st->nind++] = col;
			emit(st->out, "INDENT", 6);
		}
		while (st->nind > 1 && col < st->ind[st->nind - 1]) {
			st->nind--;
			emit(st->out, "DEDENT", 6);
		}
		return 1;
	}
}

static int next_is_kwarg_eq(const pyst *st, size_t j)
{
	while (j < st->n && (st->s[j] == ' ' || st->s[j] == '\t'))
		j++;
	return j + 1 < st->n && st->s[j] == '=' && st->s[j + 1] != '=';
}

static void py_ident(pyst *st, size_t start)
{
	const char *w = st->s + start;
	size_t n = st->i - start;
	int after_dot = st->prevlen == 1 && *st->prev == '.';
	int after_def = st->prevlen == 3 && !memcmp(st->prev, "def", 3);
	if (after_def)
		emit(st->out, "FN", 2);
	else if (!st->structural || after_dot || in_list(w, n, py_keywords) || in_list(w, n, py_builtins) ||
		 (st->depth > 0 && next_is_kwarg_eq(st, st->i)))
		emit(st->out, w, n);
	else {
		char t[24];
		int k = snprintf(t, sizeof t, "v%u", nm_index(st->names, w, n));
		emit(st->out, t, (size_t)k);
	}
	st->prev = w;
	st->prevlen = n;
}

static int is_string_start(const pyst *st)
{
	size_t i = st->i;
	while (i < st->n && i < st->i + 2 && strchr("rRbBuUfF", st->s[i]) && st->s[i])
		i++;
	return i < st->n && (st->s[i] == '"' || st->s[i] == '\'');
}

/* One token at st->i (not whitespace). */
static void py_token(pyst *st)
{
	const char *s = st->s;
	size_t start = st->i;
	unsigned char c = (unsigned char)s[st->i];
	if (is_id0(c) && is_string_start(st)) {
		while (s[st->i] != '"' && s[st->i] != '\'')
			st->i++;
		st->i = scan_string(s, st->n, st->i);
		emit(st->out, st->structural ? "S" : s + start, st->structural ? 1 : st->i - start);
	} else if (is_id0(c)) {
		while (st->i < st->n && is_id((unsigned char)s[st->i]))
			st->i++;
		py_ident(st, start);
		return;
	} else if (is_digit(c) || (c == '.' && st->i + 1 < st->n && is_digit((unsigned char)s[st->i + 1]))) {
		st->i = scan_number(s, st->n, st->i);
		emit(st->out, st->structural ? "N" : s + start, st->structural ? 1 : st->i - start);
	} else if (c == '"' || c == '\'') {
		st->i = scan_string(s, st->n, st->i);
		emit(st->out, st->structural ? "S" : s + start, st->structural ? 1 : st->i - start);
	} else {
		st->depth += strchr("([{", c) ? 1 : strchr(")]}", c) && st->depth > 0 ? -1 : 0;
		st->i++;
		emit(st->out, s + start, 1);
	}
	st->prev = s + start;
	st->prevlen = st->i - start;
}

void dedup_norm_python(dedup *dd, const char *python, size_t len, int structural, buf *out)
{
	pyst st = {.s = python, .n = len, .nind = 1, .structural = structural, .names = &dd->names, .out = out};
	nm_reset(&dd->names);
	buf_reset(out);
	int line_open = 0;
	while (st.i < st.n) {
		if (!line_open) {
			if (!py_line_start(&st))
				break;
			line_open = 1;
		}
		char c = python[st.i];
		if (c == '#') {
			const char *nl = memchr(python + st.i, '\n', st.n - st.i);
			st.i = nl ? (size_t)(nl - python) : st.n;
		} else if (c == '\\' && st.i + 1 < st.n && python[st.i + 1] == '\n') {
			st.i += 2;
		} else if (c == '\n') {
			st.i++;
			if (st.depth == 0) {
				emit(out, ";", 1);
				line_open = 0;
			}
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
			st.i++;
		} else {
			py_token(&st);
		}
	}
	if (line_open)
		emit(out, ";", 1);
}

/* --- Warp's C++/CUDA forward function --- */

/* Position of Warp's "_<8 hex>" hash in an identifier (followed by '_' or
 * the end), the last one if several; -1 if none. */
static long hash_pos(const char *w, size_t n)
{
	long found = -1;
	for (size_t p = 0; p + 9 <= n; p++) {
		if (w[p] != '_' || (p + 9 < n && w[p + 9] != '_'))
			continue;
		size_t k = 1;
		while (k <= 8 && ((unsigned)(w[p + k] - '0') < 10u || (unsigned)(w[p + k] - 'a') < 6u))
			k++;
		if (k == 9)
			found = (long)p;
	}
	return found;
}

static int all_digits(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

static void ir_ident(dedup *dd, const char *w, size_t n, int after_arrow, buf *out)
{
	char t[40];
	int k = -1;
	long h = hash_pos(w, n);
	int var = n > 4 && !memcmp(w, "var_", 4), adj = n > 4 && !memcmp(w, "adj_", 4);
	if (h >= 0) {
		buf_puts(out, out->len ? " K" : "K");
		buf_append(out, w + h + 9, n - (size_t)h - 9);
		return;
	}
	if (after_arrow)
		k = snprintf(t, sizeof t, "n%u", nm_index(&dd->names, w, n));
	else if ((var || adj) && all_digits(w + 4, n - 4))
		k = snprintf(t, sizeof t, "%c%u", var ? 't' : 'a', nm_index(&dd->nums, w + 4, n - 4));
	else if (var || adj)
		k = snprintf(t, sizeof t, "%sn%u", var ? "" : "a", nm_index(&dd->names, w + 4, n - 4));
	if (k > 0)
		emit(out, t, (size_t)k);
	else
		emit(out, w, n);
}

void dedup_norm_ir(dedup *dd, const char *s, size_t n, buf *out)
{
	nm_reset(&dd->names);
	nm_reset(&dd->nums);
	buf_reset(out);
	size_t i = 0;
	int arrow = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t start = i;
		if (c == '/' && i + 1 < n && s[i + 1] == '/') {
			const char *nl = memchr(s + i, '\n', n - i);
			i = nl ? (size_t)(nl - s) : n;
			continue;
		}
		if (c == '/' && i + 1 < n && s[i + 1] == '*') {
			const char *e = memmem(s + i + 2, n - i - 2, "*/", 2);
			i = e ? (size_t)(e - s) + 2 : n;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
			i++;
			continue;
		}
		if (is_id0(c)) {
			while (i < n && is_id((unsigned char)s[i]))
				i++;
			ir_ident(dd, s + start, i - start, arrow, out);
		} else if (is_digit(c) || (c == '.' && i + 1 < n && is_digit((unsigned char)s[i + 1]))) {
			i = scan_number(s, n, i);
			emit(out, s + start, i - start);
		} else if (c == '"' || c == '\'') {
			i = scan_string(s, n, i);
			emit(out, s + start, i - start);
		} else {
			i++;
			emit(out, s + start, 1);
		}
		arrow = c == '>' && start > 0 && s[start - 1] == '-';
	}
}

/* --- fingerprints and sets --- */

static uint64_t fp_of(const buf *b)
{
	uint64_t h = XXH64(b->data ? b->data : "", b->len, 0);
	return h ? h : 1;
}

uint64_t dedup_exact_fp(dedup *dd, const char *python, size_t python_len)
{
	dedup_norm_python(dd, python, python_len, 0, &dd->a);
	return fp_of(&dd->a);
}

uint64_t dedup_structural_fp(dedup *dd, const char *python, size_t python_len, const char *fwd, size_t fwd_len)
{
	dedup_norm_python(dd, python, python_len, 1, &dd->a);
	if (fwd && fwd_len) {
		dedup_norm_ir(dd, fwd, fwd_len, &dd->b);
		buf_puts(&dd->a, "\n--ir--\n");
		buf_append(&dd->a, dd->b.data, dd->b.len);
	}
	return fp_of(&dd->a);
}

dedup_verdict dedup_check(dedup *dd, const char *python, size_t python_len, const char *fwd, size_t fwd_len)
{
	return dedup_check_fp(dd, dedup_exact_fp(dd, python, python_len),
			      dedup_structural_fp(dd, python, python_len, fwd, fwd_len));
}

dedup_verdict dedup_check_fp(dedup *dd, uint64_t exact, uint64_t structural)
{
	dd->counts.checked++;
	if (dedup_set_has(&dd->exact, exact)) {
		dd->counts.exact++;
		return DEDUP_EXACT;
	}
	if (dedup_set_has(&dd->structural, structural)) {
		dd->counts.structural++;
		return DEDUP_STRUCTURAL;
	}
	dedup_set_add(&dd->exact, exact);
	dedup_set_add(&dd->structural, structural);
	return DEDUP_NEW;
}

dedup_counts dedup_get_counts(const dedup *dd) { return dd->counts; }

static void set_grow(dedup_set *s)
{
	size_t ocap = s->cap;
	uint64_t *old = s->slot;
	s->cap = ocap ? 2 * ocap : 1024;
	s->slot = xcalloc(s->cap, sizeof *s->slot);
	s->n = 0;
	for (size_t i = 0; i < ocap; i++)
		if (old[i])
			dedup_set_add(s, old[i]);
	free(old);
}

int dedup_set_has(const dedup_set *s, uint64_t fp)
{
	if (!s->cap)
		return 0;
	fp = fp ? fp : 1;
	for (size_t j = fp & (s->cap - 1); s->slot[j]; j = (j + 1) & (s->cap - 1))
		if (s->slot[j] == fp)
			return 1;
	return 0;
}

int dedup_set_add(dedup_set *s, uint64_t fp)
{
	fp = fp ? fp : 1;
	if (2 * (s->n + 1) > s->cap)
		set_grow(s);
	size_t j = fp & (s->cap - 1);
	for (; s->slot[j]; j = (j + 1) & (s->cap - 1))
		if (s->slot[j] == fp)
			return 0;
	s->slot[j] = fp;
	s->n++;
	return 1;
}

void dedup_set_free(dedup_set *s)
{
	free(s->slot);
	memset(s, 0, sizeof *s);
}

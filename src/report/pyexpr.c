/* pyexpr: the depth of a Python expression's tree, over pytok tokens, by
 * precedence climbing. A name, number or string is 1; an operator, a call
 * or a subscript is one more than its deepest operand (a call's arguments,
 * a subscript's base and index); parentheses, attribute access and tuples
 * add nothing. Never fails: a token it does not expect counts as a leaf. */
#include "report/pyexpr.h"

#include <string.h>

enum { MAX_RECURSION = 200 };

typedef struct ex {
	const pytok *t;
	size_t i, e;
	int rec;
} ex;

static const pytok *peek(const ex *x)
{
	return x->i < x->e ? &x->t[x->i] : NULL;
}
static unsigned umax(unsigned a, unsigned b)
{
	return a > b ? a : b;
}

static int is_close(const pytok *t)
{
	return t && (pytok_is(t, ")") || pytok_is(t, "]") || pytok_is(t, "}"));
}

/* Binary precedence of t, 0 if t is no binary operator; *skip: tokens of the
 * operator ("not in", "is not": 2). */
static int binary_prec(const ex *x, size_t *skip)
{
	static const struct {
		const char *op;
		int prec;
	} ops[] = {{"or", 1}, {"and", 2}, {"<", 4},   {">", 4},	 {"==", 4}, {"!=", 4}, {"<=", 4}, {">=", 4},
		   {"in", 4}, {"|", 5},	  {"^", 6},   {"&", 7},	 {"<<", 8}, {">>", 8}, {"+", 9},  {"-", 9},
		   {"*", 10}, {"/", 10},  {"//", 10}, {"%", 10}, {"@", 10}, {"**", 12}};
	const pytok *t = peek(x);
	*skip = 1;
	if (!t || t->kind == PT_STRING || t->kind == PT_NUMBER)
		return 0;
	if (pytok_is(t, "is") || pytok_is(t, "not")) {
		const pytok *n = x->i + 1 < x->e ? &x->t[x->i + 1] : NULL;
		if (pytok_is(t, "is")) {
			*skip = pytok_is(n, "not") ? 2 : 1;
			return 4;
		}
		if (pytok_is(n, "in")) {
			*skip = 2;
			return 4;
		}
		return 0;
	}
	for (size_t k = 0; k < sizeof ops / sizeof *ops; k++)
		if (pytok_is(t, ops[k].op))
			return ops[k].prec;
	return 0;
}

static unsigned parse_expr(ex *x, int minprec);

/* A comma-separated list up to the closing bracket (consumed); keyword
 * arguments, stars and slices are read through. The deepest element. */
static unsigned parse_list(ex *x)
{
	unsigned d = 0;
	while (x->i < x->e && !is_close(peek(x))) {
		const pytok *t = peek(x);
		if (t->kind == PT_NAME && x->i + 1 < x->e && pytok_is(&x->t[x->i + 1], "=")) {
			x->i += 2; /* keyword argument */
			continue;
		}
		if (pytok_is(t, "*") || pytok_is(t, "**") || pytok_is(t, ",") || pytok_is(t, ":") ||
		    pytok_is(t, "for") || pytok_is(t, "in")) {
			x->i++;
			continue;
		}
		size_t before = x->i;
		d = umax(d, parse_expr(x, 1));
		if (x->i == before)
			x->i++;
	}
	if (x->i < x->e)
		x->i++; /* the closing bracket */
	return d;
}

static unsigned parse_primary(ex *x)
{
	const pytok *t = peek(x);
	if (!t)
		return 0;
	x->i++;
	unsigned d;
	if (pytok_is(t, "("))
		d = parse_list(x);
	else if (pytok_is(t, "[") || pytok_is(t, "{"))
		d = 1 + parse_list(x);
	else if (t->kind == PT_STRING) {
		while (peek(x) && peek(x)->kind == PT_STRING) /* implicit concatenation */
			x->i++;
		d = 1;
	} else if (pytok_is(t, "lambda")) {
		while (peek(x) && !pytok_is(peek(x), ":"))
			x->i++;
		x->i += x->i < x->e;
		return parse_expr(x, 1);
	} else
		d = 1;
	for (;;) {
		const pytok *p = peek(x);
		if (pytok_is(p, ".") && x->i + 1 < x->e) {
			x->i += 2;
		} else if (pytok_is(p, "(")) {
			x->i++;
			d = 1 + parse_list(x);
		} else if (pytok_is(p, "[")) {
			x->i++;
			d = 1 + umax(d, parse_list(x));
		} else
			break;
	}
	return d;
}

static unsigned parse_unary(ex *x)
{
	const pytok *t = peek(x);
	if (pytok_is(t, "-") || pytok_is(t, "+") || pytok_is(t, "~")) {
		x->i++;
		return 1 + parse_expr(x, 11);
	}
	if (pytok_is(t, "not")) {
		x->i++;
		return 1 + parse_expr(x, 3);
	}
	return parse_primary(x);
}

static unsigned parse_expr(ex *x, int minprec)
{
	if (++x->rec > MAX_RECURSION) {
		x->i = x->e;
		x->rec--;
		return 1;
	}
	unsigned d = parse_unary(x);
	for (;;) {
		size_t skip;
		int p = binary_prec(x, &skip);
		if (p && p >= minprec) {
			x->i += skip;
			unsigned r = parse_expr(x, p == 12 ? p : p + 1); /* ** is right-associative */
			d = 1 + umax(d, r);
			continue;
		}
		if (minprec <= 1 && pytok_is(peek(x), "if")) { /* a if c else b */
			x->i++;
			unsigned c = parse_expr(x, 2), b = 0;
			if (pytok_is(peek(x), "else")) {
				x->i++;
				b = parse_expr(x, 1);
			}
			d = 1 + umax(d, umax(c, b));
			continue;
		}
		break;
	}
	x->rec--;
	return d;
}

unsigned pyexpr_depth(const pytok *t, size_t b, size_t e)
{
	ex x = {t, b, e, 0};
	unsigned d = 0;
	while (x.i < x.e) { /* a tuple a, b: its deepest element */
		size_t before = x.i;
		d = umax(d, parse_expr(&x, 1));
		if (x.i == before)
			x.i++;
	}
	return d;
}

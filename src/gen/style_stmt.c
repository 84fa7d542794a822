/* style_stmt: the statements of the realistic style (style.h) and the
 * scope they live in: fresh names (a name once declared keeps its type, as
 * Warp wants), values by type, declarations, updates, if/elif/else, bounded
 * accumulation loops, the idioms of simulation code (an Euler step, a
 * spring, damping) and the values stores get. */
#include <stdio.h>
#include <string.h>

#include "gen/ctx.h"
#include "gen/style.h"

#define PICK(list) (list)[rng_below(&c->r, (uint32_t)count_of(list))]

static int count_of(const char *const *l)
{
	int n = 0;
	while (l[n])
		n++;
	return n;
}

void rs_line(rctx *c)
{
	buf_indent(c->b, c->indent);
}

static int name_taken(const rctx *c, const char *s)
{
	for (int i = 0; i < c->ntaken; i++)
		if (!strcmp(c->taken[i], s))
			return 1;
	for (int i = 0; i < c->nval; i++)
		if (!strcmp(c->val[i].name, s))
			return 1;
	for (int i = 0; i < c->narr; i++)
		if (!strcmp(c->arr[i].name, s))
			return 1;
	for (int i = 0; i < c->ntid; i++)
		if (!strcmp(c->tid[i], s))
			return 1;
	return !strcmp(c->gather, s) || !strcmp(c->helper, s) || !strcmp(s, "wp") || !strcmp(s, "params");
}

/* base, or base2, base3, ...: a name nothing in the kernel has. */
const char *rs_fresh(rctx *c, const char *base, char *out)
{
	snprintf(out, RS_NAME, "%s", base);
	for (int k = 2; name_taken(c, out); k++)
		snprintf(out, RS_NAME, "%s%d", base, k);
	return out;
}

void rs_add_val(rctx *c, const char *name, rtype t, int mut)
{
	if (c->nval == RS_MAX_VALS)
		return;
	rval *v = &c->val[c->nval++];
	snprintf(v->name, sizeof v->name, "%s", name);
	if (c->ntaken < RS_MAX_TAKEN) /* a name once declared keeps its type (Warp) */
		snprintf(c->taken[c->ntaken++], RS_NAME, "%s", name);
	v->t = t;
	v->mut = (unsigned char)mut;
	v->param = 0;
}

/* A random value of type t in scope (-1 if none); mut_only: a local the body may reassign. */
int rs_find(const rctx *c, rtype t, int mut_only)
{
	int idx[RS_MAX_VALS], n = 0;
	for (int i = 0; i < c->nval; i++)
		if (c->val[i].t == t && (!mut_only || c->val[i].mut))
			idx[n++] = i;
	return n ? idx[rng_below((rng *)&c->r, (uint32_t)n)] : -1;
}

void rs_index(rctx *c, const rarr *a)
{
	if (c->ntid == 0) {
		buf_puts(c->b, "0");
		return;
	}
	if (a->ndim == 2)
		buf_printf(c->b, "%s, %s", c->tid[0], c->tid[1]);
	else
		buf_puts(c->b, c->tid[c->ntid - 1]);
}

static int draw_depth(rctx *c)
{
	static const unsigned char w[] = {0, 55, 36, 8, 1}; /* depth 1..4 */
	int d = gen_pick(&c->r, w, 5);
	return d < 1 ? 1 : d;
}

/* A type to compute in: what the kernel already has, mostly. */
static rtype draw_type(rctx *c)
{
	if (c->nval && rng_chance(&c->r, 0.85)) {
		const rval *v = &c->val[rng_below(&c->r, (uint32_t)c->nval)];
		if (v->t != RT_INT || (v->mut && rng_chance(&c->r, 0.5)))
			return v->t;
	}
	/* a type something in scope or an input has, float if none */
	static const rtype ts[] = {RT_FLOAT, RT_FLOAT, RT_VEC3, RT_VEC3,
				   RT_FLOAT, RT_VEC3,  RT_QUAT, RT_MAT33};
	for (int tries = 0; tries < 4; tries++) {
		rtype t = ts[rng_below(&c->r, sizeof ts / sizeof *ts)];
		if (rs_find(c, t, 0) >= 0 || rs_find_input(c, t) >= 0)
			return t;
	}
	return RT_FLOAT;
}

int rs_decl(rctx *c, rtype t, const char *name)
{
	char nm[RS_NAME];
	const char *const *pool = style_locals[t];
	rs_fresh(c, name ? name : pool[rng_below(&c->r, (uint32_t)count_of(pool))], nm);
	rs_line(c);
	buf_printf(c->b, "%s = ", nm);
	size_t at = c->b->len;
	rs_expr(c, t, draw_depth(c));
	int literal = t == RT_FLOAT || t == RT_INT;
	for (size_t i = at; i < c->b->len && literal; i++)
		literal =
		    !((c->b->data[i] | 32) >= 'a' && (c->b->data[i] | 32) <= 'z') || c->b->data[i] == 'e';
	if (literal) { /* x = float(0.5): a variable, which loops may update (Warp) */
		const char *cast = t == RT_FLOAT ? "float(" : "int(";
		size_t n = strlen(cast);
		buf_grow(c->b, n + 1);
		memmove(c->b->data + at + n, c->b->data + at, c->b->len - at);
		memcpy(c->b->data + at, cast, n);
		c->b->len += n;
		buf_putc(c->b, ')');
	}
	buf_putc(c->b, '\n');
	rs_add_val(c, nm, t, 1);
	c->stmts++;
	return c->nval - 1;
}

void rs_value(rctx *c, rtype t)
{
	for (int i = c->nval - 1; i >= c->nparams_scalar; i--)
		if (c->val[i].t == t && rng_chance(&c->r, 0.4)) {
			buf_puts(c->b, c->val[i].name);
			return;
		}
	if (!rs_has(c, t)) { /* from what the kernel has: a scaled vector, a length */
		int f = rs_find(c, RT_FLOAT, 0), v = rs_find(c, RT_VEC3, 0);
		if (t == RT_VEC3 && v < 0 && f >= 0) {
			int w = rs_find(c, RT_FLOAT, 0);
			buf_puts(c->b, "wp.vec3(");
			rs_put_val(c, f);
			if (w != f) {
				buf_puts(c->b, ", ");
				rs_put_val(c, w);
				buf_puts(c->b, ", 0.0");
			}
			buf_putc(c->b, ')');
			return;
		}
	}
	rs_expr(c, t, 1 + (int)rng_below(&c->r, 2));
}

/* Idioms of simulation code over the values in scope: an explicit Euler
 * step (a = a + b * h), a spring between two points (d = a - b; l =
 * wp.length(d); f = d / wp.max(l, eps) * (k * (l - r))), a damped value. */
static int idiom(rctx *c)
{
	int a = rs_find(c, RT_VEC3, 1), b = rs_find(c, RT_VEC3, 0), h = rs_find(c, RT_FLOAT, 0);
	if (a < 0 || b < 0 || h < 0)
		return 0;
	char d[RS_NAME], l[RS_NAME], f[RS_NAME];
	switch (rng_below(&c->r, 3)) {
	case 0:
		rs_line(c);
		buf_printf(c->b, "%s = %s + ", c->val[a].name, c->val[a].name);
		rs_put_val(c, b);
		buf_puts(c->b, " * ");
		rs_put_val(c, h);
		buf_putc(c->b, '\n');
		c->stmts++;
		return 1;
	case 1: {
		int k = rs_find(c, RT_FLOAT, 0);
		rs_fresh(c, rng_chance(&c->r, 0.5) ? "d" : "delta", d);
		rs_line(c);
		buf_printf(c->b, "%s = %s - ", d, c->val[a].name);
		rs_put_val(c, b);
		buf_putc(c->b, '\n');
		rs_add_val(c, d, RT_VEC3, 1);
		rs_fresh(c, rng_chance(&c->r, 0.5) ? "l" : "dist", l);
		rs_line(c);
		buf_printf(c->b, "%s = wp.length(%s)\n", l, d);
		rs_add_val(c, l, RT_FLOAT, 1);
		rs_fresh(c, rng_chance(&c->r, 0.5) ? "f" : "fs", f);
		rs_line(c);
		buf_printf(c->b, "%s = %s / wp.max(%s, 1.0e-6) * (", f, d, l);
		rs_put_val(c, k);
		buf_printf(c->b, " * (%s - ", l);
		rs_put_val(c, h);
		buf_puts(c->b, "))\n");
		rs_add_val(c, f, RT_VEC3, 1);
		c->stmts += 3;
		return 1;
	}
	default: {
		int k = rs_find(c, RT_FLOAT, 0);
		rs_line(c);
		buf_printf(c->b, "%s = %s * wp.exp(-", c->val[a].name, c->val[a].name);
		rs_put_val(c, k);
		buf_puts(c->b, " * ");
		rs_put_val(c, h);
		buf_puts(c->b, ")\n");
		c->stmts++;
		return 1;
	}
	}
}

/* x = expr or x += expr for a local x of type t; declares one if none. */
static void update(rctx *c)
{
	int i = -1;
	for (int k = 0; k < 4 && i < 0; k++)
		i = rs_find(c, draw_type(c), 1);
	if (i < 0) {
		rs_decl(c, draw_type(c), NULL);
		return;
	}
	rtype t = c->val[i].t;
	rs_line(c);
	if ((t == RT_FLOAT || t == RT_VEC3) && rng_chance(&c->r, 0.5)) {
		buf_printf(c->b, "%s %s ", c->val[i].name, rng_chance(&c->r, 0.75) ? "+=" : "-=");
		rs_expr(c, t, draw_depth(c));
	} else {
		buf_printf(c->b, "%s = ", c->val[i].name);
		size_t at = c->b->len;
		rs_expr(c, t, draw_depth(c));
		if (c->b->len - at == strlen(c->val[i].name) &&
		    !memcmp(c->b->data + at, c->val[i].name, c->b->len - at)) {
			c->b->len = at; /* not x = x */
			rs_binop(c, t, t == RT_QUAT || t == RT_XFORM ? "*" : "+", t, 2);
		}
	}
	buf_putc(c->b, '\n');
	c->stmts++;
}

/* A float comparison, or a vector's length against a float. */
static void cond(rctx *c)
{
	static const char *const ops[] = {">", "<", ">=", "<=", NULL};
	size_t at = c->b->len;
	if (rs_find(c, RT_VEC3, 0) >= 0 && rng_chance(&c->r, 0.3)) {
		buf_puts(c->b, "wp.length(");
		rs_leaf(c, RT_VEC3);
		buf_puts(c->b, ")");
	} else
		rs_expr(c, RT_FLOAT, 1 + (int)rng_below(&c->r, 2));
	size_t end = c->b->len;
	buf_printf(c->b, " %s ", PICK(ops));
	if (rng_chance(&c->r, 0.2))
		buf_puts(c->b, "0.0");
	else
		rs_right_leaf(c, RT_FLOAT, at, end);
}

/* Statements inside a block: updates only, so nothing declared in a branch
 * or a loop is used after it. */
static void block(rctx *c, int n)
{
	int mark = c->nval;
	c->indent += 4;
	for (int i = 0; i < n; i++) {
		if (rs_find(c, RT_FLOAT, 1) < 0 && rs_find(c, RT_VEC3, 1) < 0)
			rs_decl(c, draw_type(c), NULL);
		else
			update(c);
	}
	c->indent -= 4;
	c->nval = mark;
}

void rs_if(rctx *c, int elif)
{
	rs_line(c);
	buf_puts(c->b, "if ");
	cond(c);
	buf_puts(c->b, ":\n");
	c->stmts++;
	block(c, 1 + (int)rng_below(&c->r, 2));
	if (elif) {
		rs_line(c);
		buf_puts(c->b, "elif ");
		cond(c);
		buf_puts(c->b, ":\n");
		c->stmts++;
		block(c, 1);
	}
	if (elif || rng_chance(&c->r, 0.3)) {
		rs_line(c);
		buf_puts(c->b, "else:\n");
		c->stmts++;
		block(c, 1);
	}
}

/* for k in range(K): acc += ... with acc declared before the loop. */
void rs_loop(rctx *c, int nested_if)
{
	char acc[RS_NAME], k[RS_NAME];
	rtype t = rng_chance(&c->r, 0.5) ? RT_FLOAT : RT_VEC3;
	rs_fresh(c,
		 t == RT_FLOAT ? (rng_chance(&c->r, 0.5) ? "total" : "s")
			       : (rng_chance(&c->r, 0.5) ? "acc" : "sum_v"),
		 acc);
	rs_line(c);
	buf_printf(c->b, "%s = %s\n", acc, t == RT_FLOAT ? "float(0.0)" : "wp.vec3(0.0)");
	c->stmts++;
	rs_fresh(c, c->loops ? "j" : "k", k);
	rs_line(c);
	static const char *const trips[] = {"3", "4", "2", "8", "6", NULL};
	buf_printf(c->b, "for %s in range(%s):\n", k, PICK(trips));
	c->stmts++;
	int mark = c->nval;
	rs_add_val(c, k, RT_INT, 0);
	c->indent += 4;
	c->loops++;
	if (nested_if) {
		rs_line(c);
		buf_puts(c->b, "if ");
		cond(c);
		buf_puts(c->b, ":\n");
		c->stmts++;
		c->indent += 4;
	}
	rs_line(c);
	buf_printf(c->b, "%s += ", acc);
	rs_expr(c, t, 2);
	buf_putc(c->b, '\n');
	c->stmts++;
	if (nested_if)
		c->indent -= 4;
	c->loops--;
	c->indent -= 4;
	c->nval = mark;
	rs_add_val(c, acc, t, 1);
}

void rs_stmt(rctx *c, int budget)
{
	(void)budget;
	unsigned k = rng_below(&c->r, 100);
	if (k < 14 && idiom(c))
		return;
	if (k < 55)
		rs_decl(c, draw_type(c), NULL);
	else if (k < 99)
		update(c);
	else if (rng_chance(&c->r, 0.6)) /* rare: the categories' constructs bring the nesting */
		rs_if(c, 0);
	else
		rs_loop(c, 0);
}

/* An initialiser's value from the thread's index, for a kernel that reads
 * no array (real code numbers and spaces its outputs so): x = float(tid),
 * k = tid % 4, k = tid // 2, k = j + i, ... Shallow, at most one literal:
 * every modulus and divisor a nonzero one; nothing multiplies or shifts,
 * so nothing overflows. Declares the local; returns its index in val. */
int rs_index_decl(rctx *c, rtype t)
{
	static const char *const ks[] = {"2", "3", "4", "8", "16", NULL};
	char nm[RS_NAME];
	const char *i = c->tid[c->ntid - 1], *j = c->tid[0];
	rs_fresh(c, PICK(style_locals[t]), nm);
	rs_line(c);
	buf_printf(c->b, "%s = ", nm);
	if (t == RT_FLOAT)
		buf_printf(c->b, "float(%s)", rng_chance(&c->r, 0.7) ? i : j);
	else
		switch (rng_below(&c->r, c->ntid == 2 ? 6 : 4)) {
		case 0:
			buf_printf(c->b, "%s %% %s", i, PICK(ks));
			break;
		case 1:
			buf_printf(c->b, "%s // %s", i, PICK(ks));
			break;
		case 2:
			buf_printf(c->b, "%s + 1", i);
			break;
		case 3:
			buf_printf(c->b, "%s & 1", i);
			break;
		case 4:
			buf_printf(c->b, "%s + %s", j, i);
			break;
		default:
			buf_printf(c->b, "%s - %s", i, j);
			break;
		}
	buf_putc(c->b, '\n');
	rs_add_val(c, nm, t, 1);
	c->stmts++;
	return c->nval - 1;
}

/* style_expr: the typed expressions of the realistic style (style.h):
 * shallow trees over named values (scalar parameters, loaded fields,
 * locals) and Warp's builtins by the types they take; style_stmt.c writes
 * the statements around them. Every division
 * and guarded builtin gets an argument of a safe form (tests/gen_safety.py). */
#include <stdio.h>
#include <string.h>

#include "gen/ctx.h"
#include "gen/style.h"

/* The share of operator nodes that call one of the wider builtins (style_bridge.c). */
#define RS_CATALOG_SHARE 0.12

#define PICK(list) (list)[rng_below(&c->r, (uint32_t)count_of(list))]

static int count_of(const char *const *l)
{
	int n = 0;
	while (l[n])
		n++;
	return n;
}

/* An input array of type t (-1 if none). */
int rs_find_input(rctx *c, rtype t)
{
	int idx[RS_MAX_ARRS], n = 0;
	for (int i = 0; i < c->narr; i++)
		if (c->arr[i].role == RR_IN && c->arr[i].t == t)
			idx[n++] = i;
	return n ? idx[rng_below(&c->r, (uint32_t)n)] : -1;
}

void rs_put_val(rctx *c, int i)
{
	if (c->val[i].param && c->sprefix[0])
		buf_puts(c->b, c->sprefix);
	buf_puts(c->b, c->val[i].name);
}

void rs_leaf(rctx *c, rtype t)
{
	int v = rs_find(c, t, 0);
	if (v >= 0 && rng_chance(&c->r, 0.85)) {
		rs_put_val(c, v);
		return;
	}
	int a = rs_find_input(c, t);
	if (a >= 0) {
		rarr *ar = &c->arr[a];
		ar->used = 1;
		buf_printf(c->b, "%s[", ar->name);
		if (c->gather[0] && ar->ndim == 1 && rng_chance(&c->r, 0.5))
			buf_puts(c->b, c->gather);
		else
			rs_index(c, ar);
		buf_putc(c->b, ']');
		return;
	}
	if (v >= 0) {
		rs_put_val(c, v);
		return;
	}
	static const char *const fl[] = {"1.0", "0.5", "0.0", "2.0", "0.1", NULL};
	int vv = t == RT_FLOAT ? rs_find(c, RT_VEC3, 0) : -1;
	switch (t) {
	case RT_FLOAT:
		if (vv >= 0 && rng_chance(&c->r, 0.8)) { /* a vector's length or component */
			if (rng_chance(&c->r, 0.5)) {
				buf_puts(c->b, "wp.length(");
				rs_put_val(c, vv);
				buf_putc(c->b, ')');
			} else {
				rs_put_val(c, vv);
				buf_printf(c->b, "[%u]", rng_below(&c->r, 3));
			}
		} else
			buf_puts(c->b, PICK(fl));
		break;
	case RT_INT:
		buf_puts(c->b, "1");
		break;
	case RT_VEC3: {
		int f = rs_find(c, RT_FLOAT, 0);
		if (f >= 0 && rng_chance(&c->r, 0.7)) {
			buf_puts(c->b, "wp.vec3(");
			rs_put_val(c, f);
			buf_putc(c->b, ')');
		} else if (rng_chance(&c->r, 0.15))
			buf_puts(c->b, "wp.vec3(0.0, 1.0, 0.0)");
		else
			buf_puts(c->b, "wp.vec3(0.0)");
		break;
	}
	case RT_QUAT:
		buf_puts(c->b, "wp.quat_identity()");
		break;
	case RT_XFORM:
		buf_puts(c->b, "wp.transform_identity()");
		break;
	case RT_MAT33:
		buf_puts(c->b, "wp.identity(n=3, dtype=float)");
		break;
	default:
		buf_puts(c->b, "0.0");
	}
}

static void call1(rctx *c, const char *fn, rtype a, int d)
{
	buf_printf(c->b, "wp.%s(", fn);
	rs_expr(c, a, d);
	buf_putc(c->b, ')');
}

static void call2(rctx *c, const char *fn, rtype a, rtype b, int d)
{
	buf_printf(c->b, "wp.%s(", fn);
	rs_expr(c, a, d);
	buf_puts(c->b, ", ");
	rs_expr(c, b, d);
	buf_putc(c->b, ')');
}

/* Whether b[from..) holds a top-level + or - (or a conditional): then it
 * needs parentheses as the left operand of * or -. */
static int additive(const buf *b, size_t from)
{
	int depth = 0;
	for (size_t i = from; i + 2 < b->len; i++) {
		char ch = b->data[i];
		depth += ch == '(' || ch == '[';
		depth -= ch == ')' || ch == ']';
		if (!depth && ch == ' ' && (b->data[i + 1] == '+' || b->data[i + 1] == '-') &&
		    b->data[i + 2] == ' ')
			return 1;
	}
	return 0;
}

/* Whether b[x0..x1) and b[y0..y1) are the same text (x - x, dt <= dt). */
static int same_text(const buf *b, size_t x0, size_t x1, size_t y0, size_t y1)
{
	return x1 - x0 == y1 - y0 && !memcmp(b->data + x0, b->data + y0, x1 - x0);
}

/* The right operand: a leaf, drawn again (up to twice) while it repeats the left one. */
void rs_right_leaf(rctx *c, rtype t, size_t l0, size_t l1)
{
	size_t r0 = c->b->len;
	for (int tries = 0; tries < 3; tries++) {
		c->b->len = r0;
		rs_leaf(c, t);
		if (!same_text(c->b, l0, l1, r0, c->b->len))
			return;
	}
	c->b->len = r0; /* only one value of the type: a constant instead */
	c->b->data[r0] = '\0';
	static const char *const fl[] = {"0.5", "2.0", "1.0", "0.1", NULL};
	int f = t == RT_VEC3 ? rs_find(c, RT_FLOAT, 0) : -1;
	if (t == RT_FLOAT)
		buf_puts(c->b, PICK(fl));
	else if (t == RT_INT)
		buf_puts(c->b, "1");
	else if (f >= 0) {
		buf_puts(c->b, "wp.vec3(");
		rs_put_val(c, f);
		buf_putc(c->b, ')');
	} else
		rs_leaf(c, t);
}

void rs_binop(rctx *c, rtype a, const char *op, rtype b, int d)
{
	size_t at = c->b->len;
	rs_expr(c, a, d);
	if (op[0] != '+' && additive(c->b, at)) {
		buf_putc(c->b, ')');
		buf_grow(c->b, 1);
		memmove(c->b->data + at + 1, c->b->data + at, c->b->len - at);
		c->b->data[at] = '(';
		c->b->len++;
		c->b->data[c->b->len] = '\0';
	}
	size_t end = c->b->len;
	buf_printf(c->b, " %s ", op);
	int paren = d > 1 && rng_chance(&c->r, 0.3);
	if (paren) {
		buf_putc(c->b, '(');
		rs_expr(c, b, d);
		buf_putc(c->b, ')');
	} else if (a == b)
		rs_right_leaf(c, b, at, end);
	else
		rs_expr(c, b, 1);
}

int rs_has(rctx *c, rtype t)
{
	return rs_find(c, t, 0) >= 0 || rs_find_input(c, t) >= 0;
}

static void expr_float(rctx *c, int d)
{
	unsigned k = rng_below(&c->r, 40);
	if ((k == 4 || k == 5 || k == 12 || k == 13) && !rs_has(c, RT_VEC3))
		k = 16;
	if (k >= 16 || d < 2) { /* plain arithmetic, most of the time */
		static const char *const ops[] = {"+", "-", "*", "*", "+", NULL};
		rs_binop(c, RT_FLOAT, PICK(ops), RT_FLOAT, d);
		return;
	}
	switch (k) {
	case 0:
		rs_binop(c, RT_FLOAT, "+", RT_FLOAT, d);
		break;
	case 1:
		rs_binop(c, RT_FLOAT, "-", RT_FLOAT, d);
		break;
	case 2:
	case 3:
		rs_binop(c, RT_FLOAT, "*", RT_FLOAT, d);
		break;
	case 4:
		call1(c, "length", RT_VEC3, d);
		break;
	case 5:
		call2(c, "dot", RT_VEC3, RT_VEC3, d);
		break;
	case 6:
		if (rng_chance(&c->r, 0.25)) {
			buf_puts(c->b, "wp.lerp(");
			rs_expr(c, RT_FLOAT, d);
			buf_puts(c->b, ", ");
			rs_leaf(c, RT_FLOAT);
			buf_puts(c->b, ", ");
			rs_leaf(c, RT_FLOAT);
			buf_putc(c->b, ')');
		} else
			call2(c, rng_chance(&c->r, 0.5) ? "min" : "max", RT_FLOAT, RT_FLOAT, d);
		break;
	case 7:
		buf_puts(c->b, "wp.clamp(");
		rs_expr(c, RT_FLOAT, d);
		buf_puts(c->b, ", 0.0, 1.0)");
		break;
	case 8: {
		static const char *const f1[] = {"abs",	  "sin",   "cos",     "tanh",	 "sign",
						 "floor", "tan",   "atan",    "sinh",	 "cosh",
						 "ceil",  "round", "trunc",   "degrees", "radians",
						 "cbrt",  "step",  "nonzero", NULL};
		call1(c, PICK(f1), RT_FLOAT, d);
		break;
	}
	case 9: { /* the guarded ones, in the forms tests/gen_safety.py proves */
		static const char *const pre[] = {
		    "wp.sqrt(wp.max(",		"wp.log(wp.max(",    "wp.log2(wp.max(",
		    "wp.log10(wp.max(",		"wp.asin(wp.clamp(", "wp.acos(wp.clamp(",
		    "wp.smoothstep(0.0, 1.0, ", "wp.pow(wp.abs(",    NULL};
		static const char *const post[] = {", 0.0))",	 ", 1.0e-6))",	  ", 1.0e-6))",
						   ", 1.0e-6))", ", -1.0, 1.0))", ", -1.0, 1.0))",
						   ")",		 ") + 1.0, ",	  NULL};
		unsigned k2 = rng_below(&c->r, 8);
		buf_puts(c->b, pre[k2]);
		rs_leaf(c, RT_FLOAT);
		buf_puts(c->b, post[k2]);
		if (k2 == 7) {
			rs_leaf(c, RT_FLOAT);
			buf_putc(c->b, ')');
		}
		break;
	}
	case 10:
		buf_puts(c->b, "wp.exp(-");
		rs_leaf(c, RT_FLOAT);
		buf_puts(c->b, " * ");
		rs_leaf(c, RT_FLOAT);
		buf_putc(c->b, ')');
		break;
	case 11:
		rs_expr(c, RT_FLOAT, d);
		buf_puts(c->b, " / wp.max(");
		rs_leaf(c, RT_FLOAT);
		buf_puts(c->b, ", 1.0e-6)");
		break;
	case 12: {
		static const char *const n1[] = {"length_sq", "length_sq", "norm_l1", "norm_l2", NULL};
		call1(c, PICK(n1), RT_VEC3, d);
		break;
	}
	case 13: /* a component of a named vector */
		rs_leaf(c, RT_VEC3);
		buf_printf(c->b, "[%u]", rng_below(&c->r, 3));
		break;
	case 14:
		call2(c, "atan2", RT_FLOAT, RT_FLOAT, d);
		break;
	default:
		if (rs_find(c, RT_MAT33, 0) >= 0)
			if (rng_chance(&c->r, 0.2))
				call2(c, "ddot", RT_MAT33, RT_MAT33, d);
			else
				call1(c, rng_chance(&c->r, 0.5) ? "determinant" : "trace", RT_MAT33, d);
		else
			rs_binop(c, RT_FLOAT, "*", RT_FLOAT, d);
	}
}

static void expr_vec(rctx *c, int d)
{
	unsigned k = rng_below(&c->r, 40);
	if (k >= 14 || d < 2) {
		if (k & 1)
			rs_binop(c, RT_VEC3, k & 2 ? "+" : "-", RT_VEC3, d);
		else
			rs_binop(c, RT_VEC3, "*", RT_FLOAT, d);
		return;
	}
	switch (k) {
	case 0:
	case 1:
		rs_binop(c, RT_VEC3, "+", RT_VEC3, d);
		break;
	case 2:
		rs_binop(c, RT_VEC3, "-", RT_VEC3, d);
		break;
	case 3:
	case 4:
		rs_binop(c, RT_VEC3, "*", RT_FLOAT, d);
		break;
	case 5:
		call2(c, "cross", RT_VEC3, RT_VEC3, d);
		break;
	case 6:
		call1(c, "normalize", RT_VEC3, d);
		break;
	case 7:
		if (rs_find(c, RT_QUAT, 0) >= 0)
			call2(c, rng_chance(&c->r, 0.7) ? "quat_rotate" : "quat_rotate_inv", RT_QUAT, RT_VEC3,
			      d);
		else
			rs_binop(c, RT_FLOAT, "*", RT_VEC3, d);
		break;
	case 8:
		if (rs_find(c, RT_XFORM, 0) >= 0)
			call2(c, rng_chance(&c->r, 0.6) ? "transform_point" : "transform_vector", RT_XFORM,
			      RT_VEC3, d);
		else
			call2(c, "cross", RT_VEC3, RT_VEC3, d);
		break;
	case 9:
		if (rs_find(c, RT_MAT33, 0) >= 0 && rng_chance(&c->r, 0.2))
			call1(c, "get_diag", RT_MAT33, d);
		else if (rs_find(c, RT_MAT33, 0) >= 0)
			rs_binop(c, RT_MAT33, "*", RT_VEC3, d);
		else
			rs_binop(c, RT_VEC3, "-", RT_VEC3, d);
		break;
	case 10:
		buf_puts(c->b, "wp.vec3(");
		for (int i = 0; i < 3; i++) {
			if (i)
				buf_puts(c->b, ", ");
			rs_expr(c, RT_FLOAT, d > 2 ? 2 : 1);
		}
		buf_putc(c->b, ')');
		break;
	case 11: {
		static const char *const v2[] = {"cw_mul", "cw_mul", "min", "max", NULL};
		if (rng_chance(&c->r, 0.15)) {
			call1(c, "abs", RT_VEC3, d);
		} else if (rng_chance(&c->r, 0.15)) { /* every component of u*u + 1 is >= 1 */
			int u = rs_find(c, RT_VEC3, 0);
			buf_puts(c->b, "wp.cw_div(");
			rs_expr(c, RT_VEC3, d);
			buf_puts(c->b, ", wp.cw_mul(");
			if (u >= 0) {
				rs_put_val(c, u);
				buf_puts(c->b, ", ");
				rs_put_val(c, u);
			} else
				buf_puts(c->b, "wp.vec3(1.0), wp.vec3(1.0)");
			buf_puts(c->b, ") + wp.vec3(1.0))");
		} else
			call2(c, PICK(v2), RT_VEC3, RT_VEC3, d);
		break;
	}
	case 12:
		if (rs_find(c, RT_XFORM, 0) >= 0)
			call1(c, "transform_get_translation", RT_XFORM, d);
		else
			rs_binop(c, RT_VEC3, "*", RT_FLOAT, d);
		break;
	default:
		buf_puts(c->b, "wp.lerp(");
		rs_expr(c, RT_VEC3, d);
		buf_puts(c->b, ", ");
		rs_expr(c, RT_VEC3, d);
		buf_puts(c->b, ", ");
		rs_leaf(c, RT_FLOAT);
		buf_putc(c->b, ')');
	}
}

static void expr_quat(rctx *c, int d)
{
	switch (rng_below(&c->r, 9)) {
	case 6:
		buf_puts(c->b, "wp.quat_slerp(");
		rs_expr(c, RT_QUAT, d);
		buf_puts(c->b, ", ");
		rs_leaf(c, RT_QUAT);
		buf_puts(c->b, ", ");
		rs_leaf(c, RT_FLOAT);
		buf_putc(c->b, ')');
		break;
	case 7:
		buf_puts(c->b, "wp.quat_rpy(");
		for (int i = 0; i < 3; i++) {
			if (i)
				buf_puts(c->b, ", ");
			rs_leaf(c, RT_FLOAT);
		}
		buf_putc(c->b, ')');
		break;
	case 8:
		if (rs_find(c, RT_MAT33, 0) >= 0) {
			call1(c, "quat_from_matrix", RT_MAT33, d);
			break;
		}
		buf_puts(c->b, "wp.quat_twist(wp.normalize(");
		rs_leaf(c, RT_VEC3);
		buf_puts(c->b, "), ");
		rs_leaf(c, RT_QUAT);
		buf_putc(c->b, ')');
		break;
	case 0:
		rs_binop(c, RT_QUAT, "*", RT_QUAT, d);
		break;
	case 1:
		call1(c, "quat_inverse", RT_QUAT, d);
		break;
	case 2:
		call1(c, "normalize", RT_QUAT, d);
		break;
	case 3:
		buf_puts(c->b, "wp.quat_from_axis_angle(wp.normalize(");
		rs_expr(c, RT_VEC3, d - 1 > 1 ? d - 1 : 1);
		buf_puts(c->b, "), ");
		rs_expr(c, RT_FLOAT, d - 1 > 1 ? d - 1 : 1);
		buf_putc(c->b, ')');
		break;
	case 4:
		if (rs_find(c, RT_XFORM, 0) >= 0) {
			call1(c, "transform_get_rotation", RT_XFORM, d);
			break;
		}
		/* fall through */
	default:
		call1(c, "quat_inverse", RT_QUAT, d);
	}
}

static void expr_xform(rctx *c, int d)
{
	switch (rng_below(&c->r, 3)) {
	case 0:
		call2(c, "transform", RT_VEC3, RT_QUAT, d);
		break;
	case 1:
		call2(c, "transform_multiply", RT_XFORM, RT_XFORM, d);
		break;
	default:
		call1(c, "transform_inverse", RT_XFORM, d);
	}
}

static void expr_mat(rctx *c, int d)
{
	switch (rng_below(&c->r, 10)) {
	case 7:
		call1(c, "diag", RT_VEC3, d);
		break;
	case 8:
		buf_puts(c->b, "wp.matrix_from_rows(");
		for (int i = 0; i < 3; i++) {
			if (i)
				buf_puts(c->b, ", ");
			rs_leaf(c, RT_VEC3);
		}
		buf_putc(c->b, ')');
		break;
	case 9: { /* invertible: eigenvalues 1 and 1 + 0.5 |v|^2 */
		int v = rs_find(c, RT_VEC3, 0);
		if (v < 0) {
			call1(c, "skew", RT_VEC3, d);
			break;
		}
		buf_puts(c->b, "wp.inverse(wp.identity(n=3, dtype=float) + wp.outer(");
		rs_put_val(c, v);
		buf_puts(c->b, ", ");
		rs_put_val(c, v);
		buf_puts(c->b, ") * 0.5)");
		break;
	}
	case 0:
		call2(c, "outer", RT_VEC3, RT_VEC3, d);
		break;
	case 1:
		call1(c, "skew", RT_VEC3, d);
		break;
	case 2:
		call1(c, "quat_to_matrix", RT_QUAT, d);
		break;
	case 3:
		call1(c, "transpose", RT_MAT33, d);
		break;
	case 4:
		rs_binop(c, RT_MAT33, "*", RT_FLOAT, d);
		break;
	case 5:
		rs_binop(c, RT_MAT33, "+", RT_MAT33, d);
		break;
	default:
		rs_binop(c, RT_MAT33, "*", RT_MAT33, d);
	}
}

static void expr_int(rctx *c, int d)
{
	switch (rng_below(&c->r, 5)) {
	case 0:
		rs_binop(c, RT_INT, "+", RT_INT, d);
		break;
	case 1:
		rs_binop(c, RT_INT, "-", RT_INT, d);
		break;
	case 2:
		rs_expr(c, RT_INT, d);
		buf_puts(c->b, rng_chance(&c->r, 0.5) ? " * 2" : " + 1");
		break;
	case 3:
		call2(c, rng_chance(&c->r, 0.5) ? "min" : "max", RT_INT, RT_INT, d);
		break;
	default:
		rs_leaf(c, RT_INT);
		buf_puts(c->b, rng_chance(&c->r, 0.5) ? " // 2" : " % 2");
	}
}

void rs_expr(rctx *c, rtype t, int depth)
{
	if (depth > c->depth_max)
		depth = c->depth_max;
	if (depth <= 1 || rng_chance(&c->r, 0.35)) {
		rs_leaf(c, t);
		return;
	}
	if (rng_chance(&c->r, RS_CATALOG_SHARE) && rs_catalog_call(c, t, depth))
		return;
	switch (t) {
	case RT_FLOAT:
		expr_float(c, depth - 1);
		break;
	case RT_VEC3:
		expr_vec(c, depth - 1);
		break;
	case RT_QUAT:
		expr_quat(c, depth - 1);
		break;
	case RT_XFORM:
		expr_xform(c, depth - 1);
		break;
	case RT_MAT33:
		expr_mat(c, depth - 1);
		break;
	case RT_INT:
		expr_int(c, depth - 1);
		break;
	default:
		rs_leaf(c, t);
	}
}

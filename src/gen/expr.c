/* expr: typed expression trees over Warp scalars (float32/float64/int32) and
 * conditions: operands, arithmetic, safe division, conversions, selects,
 * shifts, helper calls, and gen_op, the operator node of any type (vector,
 * matrix, quaternion and transform operators live in expr_vec.c and
 * expr_spatial.c). Each production is legal for its operand types and keeps
 * a safe domain (nonzero divisors, in-range shifts, clamped conversions). */
#include "gen/expr.h"

#include <string.h>

/* Reads and clears the `top` flag: only the outermost operator of a
 * statement operand or call argument goes without parentheses. */
static int gen_take_top(gen_ctx *c)
{
	int t = c->top;
	c->top = 0;
	return t;
}

/* An operand: a leaf when depth runs out (or by chance), else an operator. */
void gen_sub(gen_ctx *c, wty t, int depth, int allow_lit)
{
	if (depth <= 0 || rng_chance(&c->r, 0.25)) {
		gen_leaf(c, t, allow_lit);
		return;
	}
	gen_op(c, t, depth);
}

/* gen_sub, but not the text [at, at + n) already written (the other operand):
 * `x - x`, `tid > tid` and `wp.min(a[tid], a[tid])` are legal but dead.
 * Redraws twice, then settles for a literal. */
void gen_sub_other(gen_ctx *c, wty t, int depth, int allow_lit, size_t at, size_t n)
{
	int top = c->top;
	for (int tries = 0;; tries++) {
		size_t r0 = c->b->len;
		gen_sub(c, t, depth, allow_lit);
		if (c->b->len - r0 != n || memcmp(c->b->data + at, c->b->data + r0, n) != 0)
			return;
		c->b->len = r0;
		c->b->data[r0] = '\0';
		c->top = top;
		if (tries == 2) {
			gen_const(c, t);
			return;
		}
	}
}

/* A whole operand (statement right-hand side or call argument). */
void gen_top(gen_ctx *c, wty t, int depth)
{
	c->top = 1;
	gen_sub(c, t, depth, 1);
}

// bin = "(" expr op expr ")"   (no parentheses at the top of an operand)
void gen_bin(gen_ctx *c, wty lt, const char *op, wty rt, int depth, int top)
{
	if (!top)
		gen_put(c, "(");
	size_t at = c->b->len;
	gen_sub(c, lt, depth - 1, 0);
	size_t n = c->b->len - at;
	buf_printf(c->b, " %s ", op);
	if (lt == rt)
		gen_sub_other(c, rt, depth - 1, 1, at, n);
	else
		gen_sub(c, rt, depth - 1, 1);
	if (!top)
		gen_put(c, ")");
}

/* "y * y" for a leaf y: a square is >= 0, so `y * y + 1` is a safe divisor
 * (for int32 too: y*y + 1 is never 0 or -1 modulo 2^32). */
static void gen_dup_square(gen_ctx *c, wty t)
{
	size_t at = c->b->len;
	unsigned feat = c->feat;
	c->feat &= ~(unsigned)FE_RAND; /* two draws would differ */
	gen_leaf(c, t, 0);
	c->feat = feat;
	size_t n = c->b->len - at;
	gen_put(c, " * ");
	buf_grow(c->b, n); /* the copy below then cannot move the bytes it reads */
	buf_append(c->b, c->b->data + at, n);
}

/* div = e "/" lit | e "/" "(wp.abs(e) + lit)" | e "/" "(y * y + lit)"
 * idiv = e ("//" | "%") (lit | "(wp.abs(e) + 1)" | "(y * y + 1)")
 * Denominators are never zero; the int forms also never hit INT_MIN / -1. */
void gen_div(gen_ctx *c, wty t, int depth, int top)
{
	rng *r = &c->r;
	int isint = t == WT_I32;
	if (!top)
		gen_put(c, "(");
	gen_sub(c, t, depth - 1, 0);
	gen_put(c, isint ? (rng_chance(r, 0.5) ? " // " : " % ") : " / ");
	switch (rng_below(r, 3)) {
	case 0:
		if (isint)
			gen_lit_fix(c, t, rng_range(r, 2, 16), 0);
		else
			gen_lit(c, t);
		break;
	case 1:
		gen_put(c, "(wp.abs(");
		c->top = 1;
		gen_sub(c, t, depth - 1, 0);
		gen_put(c, ") + ");
		gen_lit_fix(c, t, 1, 0);
		gen_put(c, ")");
		break;
	default:
		gen_put(c, "(");
		gen_dup_square(c, t);
		gen_put(c, " + ");
		if (isint)
			gen_put(c, "1");
		else
			gen_lit(c, t);
		gen_put(c, ")");
		break;
	}
	if (!top)
		gen_put(c, ")");
}

/* cast = conv(e): float32/float64/int32 from another scalar type of this
 * kernel (float32 is always a legal source: its literals exist). */
static void gen_cast(gen_ctx *c, wty t, int depth)
{
	wtyset from = ((c->types & WT_SCALARS) | WT_BIT(WT_I32) | WT_BIT(WT_F32)) & ~WT_BIT(t);
	wty s = wty_pick(&c->r, from);
	gen_conv_open(c, t, s);
	if (t != WT_I32 && rng_chance(&c->r, 0.1)) {
		gen_cond(c, depth - 1); /* bools convert to 0/1 */
	} else {
		c->top = 1;
		c->noconst = t == WT_F64; /* see gen_cast_var */
		gen_sub(c, s, depth - 1, 0);
		c->noconst = 0;
	}
	gen_conv_close(c, t, s);
}

// select = "(" e "if" cond "else" e ")" | "wp.where(" cond "," e "," e ")"
void gen_select(gen_ctx *c, wty t, int depth)
{
	int d = depth - 1;
	if (rng_chance(&c->r, 0.5)) {
		gen_put(c, "(");
		size_t at = c->b->len;
		gen_sub(c, t, d, 1);
		size_t n = c->b->len - at;
		gen_put(c, " if ");
		gen_cond(c, d);
		gen_put(c, " else ");
		gen_sub_other(c, t, d, 1, at, n);
		gen_put(c, ")");
	} else {
		gen_put(c, "wp.where(");
		gen_cond(c, d);
		gen_put(c, ", ");
		c->top = 1;
		size_t at = c->b->len;
		gen_sub(c, t, d, 1);
		size_t n = c->b->len - at;
		gen_put(c, ", ");
		c->top = 1;
		gen_sub_other(c, t, d, 1, at, n);
		gen_put(c, ")");
	}
}

/* shift = "(" e "&" 65535 ")" "<<" k | "(" e "&" 255 ")" "<<" "(" e "&" 15 ")"
 *       | e ">>" k | e ">>" "(" e "&" 31 ")" | "~" e | wp.bit_count(e)
 * Left operands are masked non-negative and shifted at most 15 places, so
 * no int32 shift overflows or shifts by >= 32 (undefined in C++). */
void gen_shift_op(gen_ctx *c, int depth, int top)
{
	rng *r = &c->r;
	int d = depth - 1;
	int k = (int)rng_below(r, 6);
	if (k == 5) {
		gen_tpl(c, "wp.bit_count(#)", WT_I32, depth);
		return;
	}
	if (!top)
		gen_put(c, "(");
	switch (k) {
	case 0:
		gen_put(c, "(");
		gen_sub(c, WT_I32, d, 0);
		buf_printf(c->b, " & 65535) << %d", rng_range(r, 0, 15));
		break;
	case 1:
		gen_put(c, "(");
		gen_sub(c, WT_I32, d, 0);
		gen_put(c, " & 255) << (");
		gen_sub(c, WT_I32, d, 0);
		gen_put(c, " & 15)");
		break;
	case 2:
		gen_sub(c, WT_I32, d, 0);
		buf_printf(c->b, " >> %d", rng_range(r, 1, 31));
		break;
	case 3:
		gen_sub(c, WT_I32, d, 0);
		gen_put(c, " >> (");
		gen_sub(c, WT_I32, d, 0);
		gen_put(c, " & 31)");
		break;
	default:
		gen_put(c, "~");
		c->noconst = 1; /* see P_NEG in expr.c */
		gen_sub(c, WT_I32, d, 0);
		c->noconst = 0;
		break;
	}
	if (!top)
		gen_put(c, ")");
}

/* call = helper "(" e, ... ")" for a helper returning one value of type t. */
static int gen_call(gen_ctx *c, wty t, int depth)
{
	int idx[GEN_MAX_FNS], n = 0;
	for (int i = 0; i < c->nfn; i++)
		if (c->fn[i].nret == 1 && c->fn[i].ret[0] == t)
			idx[n++] = i;
	if (!n)
		return 0;
	const gen_fn *f = &c->fn[idx[rng_below(&c->r, (uint32_t)n)]];
	buf_printf(c->b, "%s(", f->name);
	for (int i = 0; i < f->nargs; i++) {
		if (i)
			gen_put(c, ", ");
		gen_arg(c, f->arg[i], depth - 1);
	}
	gen_put(c, ")");
	return 1;
}

/* sop = e ("+" | "-" | "*") e | div | "-" e | math | cast | select
 *     | from_vec (float32) | e ("&" | "|" | "^") e (int32) | shift (int32)
 *     | builtin (norms, lerp, smoothstep, ...)
 * An operator node of scalar type t; depth >= 1. */
static void gen_scalar_op(gen_ctx *c, wty t, int depth, int top)
{
	enum { P_BIN, P_DIV, P_NEG, P_MATH, P_CAST, P_VEC, P_SEL, P_BITS, P_SHIFT, P_BUILTIN, P_N };
	unsigned f = c->feat;
	unsigned char w[P_N] = {
		10, 2, 1,
		(unsigned char)(f & FE_MATH ? 7 : 0),
		(unsigned char)(f & FE_CAST ? 1 : 0),
		(unsigned char)((f & FE_VEC) && t == WT_F32 ? 5 : 0),
		(unsigned char)(f & FE_SELECT ? 2 : 0),
		(unsigned char)((f & FE_BITS) && t == WT_I32 ? 2 : 0),
		(unsigned char)((f & FE_SHIFT) && t == WT_I32 ? 4 : 0),
		(unsigned char)(f & FE_BUILTIN ? 3 : 0),
	};
	static const char *const arith[] = {"+", "-", "*", "+", "-", "*", "+"};
	static const char *const bits[] = {"&", "|", "^"};
	switch (gen_pick(&c->r, w, P_N)) {
	case P_DIV: gen_div(c, t, depth, top); break;
	case P_NEG:
		/* Warp folds `-x` of a constant x (a literal, an unrolled loop's
		 * counter) into a constant, and a name bound to a constant may not
		 * change in a dynamic loop: negate only non-constant leaves. */
		gen_put(c, "-");
		c->noconst = 1;
		gen_sub(c, t, depth - 1, 0);
		c->noconst = 0;
		break;
	case P_MATH: gen_math(c, t, depth); break;
	case P_CAST: gen_cast(c, t, depth); break;
	case P_VEC: gen_from_vec(c, depth); break;
	case P_SEL: gen_select(c, t, depth); break;
	case P_BITS: gen_bin(c, t, bits[rng_below(&c->r, 3)], t, depth, top); break;
	case P_SHIFT: gen_shift_op(c, depth, top); break;
	case P_BUILTIN:
		if (!gen_builtin_op(c, t, depth))
			gen_bin(c, t, "+", t, depth, top);
		break;
	default: gen_bin(c, t, arith[rng_below(&c->r, 7)], t, depth, top); break;
	}
}

/* op: an operator node (never a bare literal: a variable bound to a literal
 * is a compile-time constant to Warp and may not change in a dynamic loop). */
void gen_op(gen_ctx *c, wty t, int depth)
{
	int top = gen_take_top(c);
	c->noconst = 0;
	if (depth < 1)
		depth = 1;
	if ((c->feat & FE_CALL) && c->nfn && rng_chance(&c->r, 0.25) && gen_call(c, t, depth))
		return;
	if (t == WT_XFORM || t == WT_SPATIAL)
		gen_spatial_op(c, t, depth, top);
	else if ((c->feat & FE_BUILTIN) && !wty_is_scalar(t) && rng_chance(&c->r, 0.35) && gen_builtin_op(c, t, depth))
		return;
	else if (wty_is_vec(t))
		gen_vec_op(c, t, depth, top);
	else if (wty_is_mat(t))
		gen_mat_op(c, t, depth, top);
	else if (t == WT_QUAT)
		gen_quat_op(c, depth, top);
	else
		gen_scalar_op(c, t, depth, top);
}

/* cmp = e ("<" | "<=" | ">" | ">=" | "==" | "!=") e
 * cond = cmp | cond ("and" | "or") cond | "not" "(" cmp ")" | "tid % k == r" */
void gen_cond(gen_ctx *c, int depth)
{
	static const char *const fcmp[] = {"<", "<=", ">", ">=", "<", ">", "!="};
	static const char *const icmp[] = {"<", "<=", ">", ">=", "==", "!="};
	rng *r = &c->r;
	c->top = 0;
	int k = (int)rng_below(r, 12);
	if (depth >= 2 && k < 2) {
		gen_cond(c, depth - 1);
		gen_put(c, k == 0 ? " and " : " or ");
		gen_cond(c, depth - 1);
		return;
	}
	if (depth >= 1 && k == 2) {
		gen_put(c, "not (");
		gen_cond(c, depth - 1);
		gen_put(c, ")");
		return;
	}
	if (k == 3) {
		int m = rng_range(r, 2, 5);
		buf_printf(c->b, "%s %% %d == %d", c->tid[0], m, (int)rng_below(r, (uint32_t)m));
		return;
	}
	wty t = wty_pick(r, (c->types & WT_SCALARS) | WT_BIT(WT_I32));
	size_t at = c->b->len;
	gen_sub(c, t, depth - 1, 0);
	size_t n = c->b->len - at;
	buf_printf(c->b, " %s ", t == WT_I32 ? icmp[rng_below(r, 6)] : fcmp[rng_below(r, 7)]);
	gen_sub_other(c, t, depth - 1, 1, at, n);
}

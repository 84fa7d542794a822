/* expr: typed expression trees over Warp scalars (float32/float64/int32) and
 * conditions. Each production is legal for its operand types and keeps a safe
 * domain (nonzero divisors, guarded sqrt/log/pow/acos, in-bounds indices). */
#include "gen/ctx.h"

#include <string.h>

/* lit = digits "." digits | "wp.float64(" float ")" | int
 * mant / 10^dec is the value; floats always carry a decimal point so Warp
 * types them float32, never int32. */
void gen_lit_fix(gen_ctx *c, wty t, long mant, int dec)
{
	if (t == WT_I32) {
		buf_printf(c->b, "%ld", mant);
		return;
	}
	if (dec < 1) {
		mant *= 10;
		dec = 1;
	}
	long p = 1;
	for (int i = 0; i < dec; i++)
		p *= 10;
	long a = mant < 0 ? -mant : mant;
	if (t == WT_F64)
		gen_put(c, "wp.float64(");
	buf_printf(c->b, "%s%ld.%0*ld", mant < 0 ? "-" : "", a / p, dec, a % p);
	if (t == WT_F64)
		gen_put(c, ")");
}

/* A random positive literal: mostly small round numbers, as people write. */
void gen_lit(gen_ctx *c, wty t)
{
	rng *r = &c->r;
	if (t == WT_I32) {
		static const int odd[] = {0, 1, 2, 3, 100, 255, 1024};
		int k = (int)rng_below(r, 20);
		long v = k < 12 ? rng_range(r, 1, 9) : k < 17 ? rng_range(r, 10, 64) : odd[rng_below(r, 7)];
		gen_lit_fix(c, t, v, 0);
		return;
	}
	static const struct { long m; int dec; } special[] = {
		{5, 1}, {25, 2}, {314159, 5}, {1, 3}, {1000, 1}, {2718, 3}, {75, 2}, {1, 2},
	};
	int k = (int)rng_below(r, 20);
	if (k < 7)
		gen_lit_fix(c, t, rng_range(r, 1, 10), 0);
	else if (k < 13)
		gen_lit_fix(c, t, rng_range(r, 1, 99), 1);
	else if (k < 18)
		gen_lit_fix(c, t, rng_range(r, 1, 499), 2);
	else {
		int s = (int)rng_below(r, 8);
		gen_lit_fix(c, t, special[s].m, special[s].dec);
	}
}

/* index = tid | mirror | (v + k) % n | wp.min(v + k, n - 1) | wp.max(v - k, 0)
 *       | v // k | 0,   with n = a.shape[0], v a non-negative int (tid, a loop
 * counter). Launch dim equals every array's length, so tid < n and each
 * form is in [0, n). Stores use only tid or its mirror, which are
 * permutations: no two threads write one element. mode: 0 read, 1 store,
 * 2 atomic (any in-bounds index is fine). */
static void gen_index1(gen_ctx *c, const gen_arr *a, int mode, int d)
{
	rng *r = &c->r;
	const char *tid = c->tid[d];
	if (mode == 1) {
		if (rng_chance(r, 0.85))
			gen_put(c, tid);
		else
			buf_printf(c->b, "%s.shape[%d] - 1 - %s", a->name, d, tid);
		return;
	}
	if (mode == 0 && (!(c->feat & FE_NEIGHBOR) || rng_chance(r, 0.6))) {
		gen_put(c, tid);
		return;
	}
	const gen_var *v = gen_var_pick(c, WT_I32, VAR_INDEX);
	const char *vn = v ? v->name : tid;
	int k = rng_range(r, 1, 7);
	switch (rng_below(r, mode == 2 ? 7 : 5)) {
	case 0: buf_printf(c->b, "(%s + %d) %% %s.shape[%d]", vn, k, a->name, d); break;
	case 1: buf_printf(c->b, "wp.min(%s + %d, %s.shape[%d] - 1)", vn, k, a->name, d); break;
	case 2: buf_printf(c->b, "wp.max(%s - %d, 0)", tid, k); break;
	case 3: buf_printf(c->b, "%s.shape[%d] - 1 - %s", a->name, d, tid); break;
	case 4: buf_printf(c->b, "%s %% %s.shape[%d]", vn, a->name, d); break;
	case 5: buf_printf(c->b, "%s // %d", tid, k + 1); break;
	default: gen_put(c, "0"); break;
	}
}

/* index = index1 ("," index1)*: one per dimension d, from tid component d
 * and a.shape[d] (every array of a kernel has the launch's shape). */
void gen_index(gen_ctx *c, const gen_arr *a, int mode)
{
	for (int d = 0; d < a->ndim; d++) {
		if (d)
			gen_put(c, ", ");
		gen_index1(c, a, mode, d);
	}
}

// read = name "[" index "]"
void gen_read(gen_ctx *c, const gen_arr *a)
{
	buf_printf(c->b, "%s[", a->name);
	gen_index(c, a, 0);
	gen_put(c, "]");
}

/* leaf = lit | var | read | ctor "(" read ")" | float(counter) | a.shape[0]
 *      | vleaf ".x" | vleaf "[k]"
 * Reads of arrays of another scalar type come converted, so every input
 * array can feed the kernel. allow_lit = 0 asks for a non-literal when one
 * exists, so an operator never combines two bare constants. */
void gen_leaf(gen_ctx *c, wty t, int allow_lit)
{
	int noconst = c->noconst;
	c->top = 0;
	c->noconst = 0;
	if (!wty_is_scalar(t)) {
		gen_compound_leaf(c, t);
		return;
	}
	enum { L_LIT, L_VAR, L_READ, L_XREAD, L_CAST, L_SHAPE, L_COMP, L_N };
	int nv = gen_var_count(c, t, 0);
	const gen_arr *a = gen_arr_pick(c, t, 0);
	const gen_arr *x = (c->feat & FE_CAST) ? gen_arr_pick_other(c, t) : NULL;
	int castable = wty_is_float(t) && (c->feat & FE_CAST);
	/* components only of existing vectors: a constructor here could recurse */
	wty vt = (c->feat & FE_VEC) ? gen_vec_type(c) : WT_V3;
	const gen_arr *va = (c->feat & FE_VEC) ? gen_arr_pick(c, vt, 0) : NULL;
	int nvv = (c->feat & FE_VEC) ? gen_var_count(c, vt, 0) : 0;
	unsigned char w[L_N] = {
		(unsigned char)(allow_lit ? 3 : 0),
		(unsigned char)(nv ? 5 : 0),
		(unsigned char)(a ? 5 : 0),
		(unsigned char)(x ? (a ? 1 : 4) : 0),
		(unsigned char)(castable ? 1 : 0),
		(unsigned char)(t == WT_I32 && c->narr ? 1 : 0),
		(unsigned char)(t == WT_F32 && (va || nvv) ? 4 : 0),
	};
	if ((c->feat & (FE_RAND | FE_STATIC)) && rng_chance(&c->r, 0.2)) {
		if ((c->feat & FE_RAND) && gen_rand_leaf(c, t))
			return;
		if ((c->feat & FE_STATIC) && allow_lit && !noconst) {
			gen_static(c, t);
			return;
		}
	}
	switch (gen_pick(&c->r, w, L_N)) {
	case L_VAR: {
		const gen_var *v = gen_var_pick(c, t, 0);
		gen_put(c, noconst && (v->flags & VAR_LOOP) ? c->tid[0] : v->name);
		break;
	}
	case L_READ: gen_read(c, a); break;
	case L_XREAD:
		gen_conv_open(c, t, x->dtype);
		gen_read(c, x);
		gen_conv_close(c, t, x->dtype);
		break;
	case L_CAST: gen_cast_var(c, t, gen_var_pick(c, WT_I32, 0)); break;
	case L_SHAPE: buf_printf(c->b, "%s.shape[0]", gen_arr_sized(c)->name); break;
	case L_COMP:
		if (nvv && (!va || rng_chance(&c->r, 0.5)))
			gen_put(c, gen_var_pick(c, vt, 0)->name);
		else
			gen_read(c, va);
		gen_comp_suffix(c, vt);
		break;
	default:
		if (noconst && t != WT_F64) { /* nothing else fits: a call is no constant */
			buf_printf(c->b, "%s(", wty_spell(t, &c->r));
			gen_lit(c, t);
			gen_put(c, ")");
		} else {
			gen_lit(c, t);
		}
		break;
	}
}

/* conv = ctor "(" e ")" | "int(wp.clamp(" e ", -1.0e6, 1.0e6))"
 * A float converted to int outside int's range (or NaN) is undefined in
 * C++, so floats are clamped first; Warp's float clamp is
 * fmin(fmax(lo, x), hi), which maps NaN to lo. The caller writes e between
 * gen_conv_open and gen_conv_close. */
void gen_conv_open(gen_ctx *c, wty t, wty from)
{
	buf_printf(c->b, "%s(", wty_spell(t, &c->r));
	if (t == WT_I32 && wty_is_float(from))
		gen_put(c, "wp.clamp(");
}

void gen_conv_close(gen_ctx *c, wty t, wty from)
{
	if (t == WT_I32 && wty_is_float(from))
		gen_put(c, from == WT_F64 ? ", wp.float64(-1.0e6), wp.float64(1.0e6))" : ", -1.0e6, 1.0e6)");
	gen_put(c, ")");
}

/* ctor "(" v ")". Warp turns wp.float64(x) of a compile-time constant x
 * into a retyping of x itself (warp 1.19 codegen.py add_call), which
 * corrupts a constant-bound name such as the counter of an unrolled loop:
 * later uses of it see a float64. Counters go through float() first. */
void gen_cast_var(gen_ctx *c, wty t, const gen_var *v)
{
	const char *name = v ? v->name : c->tid[0];
	if (t == WT_F64 && v && (v->flags & VAR_LOOP))
		buf_printf(c->b, "wp.float64(float(%s))", name);
	else
		buf_printf(c->b, "%s(%s)", wty_spell(t, &c->r), name);
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

void gen_expr(gen_ctx *c, wty t, int depth) { gen_sub(c, t, depth, 1); }

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
void gen_dup_square(gen_ctx *c, wty t)
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

/* A template expands to an expression: '#' an operand of type t, '$' a
 * float32 operand, 'L' a positive literal, 'O' one, 'Z' zero, 'P' a pow
 * exponent, 'C' clamp bounds "-a, b", 'U' "-1.0, 1.0", 'T' tan's safe range,
 * 'K' a component index of vector t; all literals typed as t. '@' is an
 * operand of type t in operator position (parenthesized when compound). */
void gen_tpl(gen_ctx *c, const char *tpl, wty t, int depth)
{
	static const struct { long m; int dec; } pexp[] = {{5, 1}, {15, 1}, {2, 0}, {3, 0}, {33, 2}, {25, 1}};
	rng *r = &c->r;
	wty lt = wty_is_scalar(t) ? t : WT_F32;
	size_t at = 0, n = 0; /* the previous '#' operand */
	int first = 1;        /* the first operand is never a bare literal */
	c->top = 0;
	for (const char *p = tpl; *p; p++) {
		switch (*p) {
		case '@': gen_sub(c, t, depth - 1, 0); first = 0; break;
		case '#': {
			size_t a0 = c->b->len;
			c->top = 1;
			if (n)
				gen_sub_other(c, t, depth - 1, 1, at, n);
			else
				gen_sub(c, t, depth - 1, !first);
			at = a0;
			n = c->b->len - a0;
			first = 0;
			break;
		}
		case '$': c->top = 1; gen_sub(c, WT_F32, depth - 1, !first); first = 0; break;
		case 'L': gen_lit(c, lt); break;
		case 'O': gen_lit_fix(c, lt, 1, 0); break;
		case 'Z': gen_lit_fix(c, lt, 0, 0); break;
		case 'P': {
			int k = (int)rng_below(r, 6);
			gen_lit_fix(c, lt, pexp[k].m, pexp[k].dec);
			break;
		}
		case 'C': {
			int dec = lt == WT_I32 ? 0 : 1;
			gen_lit_fix(c, lt, -rng_range(r, 1, lt == WT_I32 ? 50 : 100), dec);
			gen_put(c, ", ");
			gen_lit_fix(c, lt, rng_range(r, 1, lt == WT_I32 ? 50 : 100), dec);
			break;
		}
		case 'U': gen_lit_fix(c, lt, -1, 0); gen_put(c, ", "); gen_lit_fix(c, lt, 1, 0); break;
		case 'T': gen_lit_fix(c, lt, -15, 1); gen_put(c, ", "); gen_lit_fix(c, lt, 15, 1); break;
		case 'K': buf_printf(c->b, "%d", (int)rng_below(r, (uint32_t)wty_dim(t))); break;
		default: buf_putc(c->b, *p); break;
		}
	}
}

/* math = wp.sin(e) | ... | wp.sqrt(wp.abs(e)) | wp.log(wp.abs(e) + 1.0)
 *      | wp.exp(wp.clamp(e, lo, hi)) | wp.pow(wp.abs(e), lit) | wp.atan2(e, e)
 *      | wp.asin(wp.clamp(e, -1.0, 1.0)) | wp.min(e, e) | wp.clamp(e, lo, hi) ...
 * Each argument is wrapped so the function's domain holds (t a float type;
 * for int32 only abs/min/max/clamp/sign exist). */
void gen_math(gen_ctx *c, wty t, int depth)
{
	static const char *const ftpl[] = {
		"wp.sin(#)", "wp.cos(#)", "wp.tanh(#)", "wp.atan(#)", "wp.abs(#)", "wp.floor(#)",
		"wp.ceil(#)", "wp.round(#)", "wp.trunc(#)", "wp.sign(#)", "wp.frac(#)", "wp.cbrt(#)",
		"wp.sin(#)", "wp.cos(#)", "wp.sqrt(wp.abs(#))", "wp.sqrt(wp.max(#, Z))",
		"wp.sqrt(wp.abs(#) + L)", "wp.log(wp.abs(#) + O)", "wp.log2(wp.abs(#) + O)",
		"wp.log10(wp.abs(#) + L)", "wp.log(wp.max(#, L))", "wp.exp(wp.clamp(#, C))",
		"wp.exp(-wp.abs(#))", "wp.exp(wp.sin(#))", "wp.sinh(wp.clamp(#, C))",
		"wp.cosh(wp.clamp(#, C))", "wp.pow(wp.abs(#), P)", "wp.pow(L, wp.clamp(#, C))",
		"wp.pow(wp.abs(#) + O, wp.sin(#))", "wp.asin(wp.clamp(#, U))", "wp.acos(wp.clamp(#, U))",
		"wp.acos(wp.tanh(#))", "wp.tan(wp.clamp(#, T))", "wp.atan2(#, #)", "wp.min(#, #)",
		"wp.max(#, #)", "wp.clamp(#, C)", "wp.min(#, L)", "wp.max(#, L)", "wp.exp(wp.min(#, L))",
	};
	static const char *const itpl[] = {
		"wp.abs(#)", "wp.min(#, #)", "wp.max(#, #)", "wp.clamp(#, C)", "wp.sign(#)", "wp.min(#, L)",
		"wp.max(#, L)",
	};
	rng *r = &c->r;
	if (t == WT_I32)
		gen_tpl(c, itpl[rng_below(r, sizeof itpl / sizeof *itpl)], t, depth);
	else
		gen_tpl(c, ftpl[rng_below(r, sizeof ftpl / sizeof *ftpl)], t, depth);
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

/* sop = e ("+" | "-" | "*") e | div | "-" e | math | cast | select
 *     | from_vec (float32) | e ("&" | "|" | "^") e (int32) | shift (int32)
 *     | matx (norms, lerp, smoothstep, ...)
 * An operator node of scalar type t; depth >= 1. */
static void gen_scalar_op(gen_ctx *c, wty t, int depth, int top)
{
	enum { P_BIN, P_DIV, P_NEG, P_MATH, P_CAST, P_VEC, P_SEL, P_BITS, P_SHIFT, P_MATX, P_N };
	unsigned f = c->feat;
	unsigned char w[P_N] = {
		10, 2, 1,
		(unsigned char)(f & FE_MATH ? 7 : 0),
		(unsigned char)(f & FE_CAST ? 1 : 0),
		(unsigned char)((f & FE_VEC) && t == WT_F32 ? 5 : 0),
		(unsigned char)(f & FE_SELECT ? 2 : 0),
		(unsigned char)((f & FE_BITS) && t == WT_I32 ? 2 : 0),
		(unsigned char)((f & FE_SHIFT) && t == WT_I32 ? 4 : 0),
		(unsigned char)(f & FE_MATX ? 3 : 0),
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
	case P_MATX:
		if (!gen_matx_op(c, t, depth))
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
		gen_xform_op(c, t, depth, top);
	else if ((c->feat & FE_MATX) && !wty_is_scalar(t) && rng_chance(&c->r, 0.35) && gen_matx_op(c, t, depth))
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

/* expr_vec: expression trees over Warp's float32 vectors (vec2/3/4),
 * matrices (mat22/33/44) and quaternions, their leaves, and the scalars
 * taken from them (dot, length, components). Operand shapes always agree:
 * mat<n> * vec<n>. */
#include "gen/expr.h"

/* A vector type this kernel already uses, else vec3 (the common one). */
wty gen_vec_type(gen_ctx *c)
{
	wtyset v = c->types & WT_VECS;
	return v ? wty_pick(&c->r, v) : WT_V3;
}

/* wp.vecN(a, b, ...) with each component from `one` (a scalar generator). */
static void gen_vec_ctor(gen_ctx *c, wty t, int depth, int lits)
{
	buf_printf(c->b, "%s(", wty_spell(t, NULL));
	for (int i = 0; i < wty_dim(t); i++) {
		if (i)
			gen_put(c, ", ");
		if (lits)
			gen_lit_fix(c, WT_F32, rng_range(&c->r, -20, 20), 1);
		else
			gen_arg(c, WT_F32, depth);
	}
	gen_put(c, ")");
}

/* const = lit | wp.vecN(lit, ...) | wp.identity(n=N, dtype=float) | wp.quat_identity() */
void gen_const(gen_ctx *c, wty t)
{
	c->top = 0;
	if (wty_is_vec(t))
		gen_vec_ctor(c, t, 0, 1);
	else if (wty_is_mat(t))
		buf_printf(c->b, "wp.identity(n=%d, dtype=float)", wty_dim(t));
	else if (t == WT_QUAT)
		gen_put(c, "wp.quat_identity()");
	else if (t == WT_XFORM || t == WT_SPATIAL)
		gen_spatial_leaf(c, t);
	else
		gen_lit(c, t);
}

/* vleaf = var | read | wp.vecN(lit, ...) | wp.vecN(lit) | wp.vecN(leaf, ...)
 * mleaf = var | wp.identity(n=N, dtype=float) | wp.diag(vleaf) | wp.outer(vleaf, vleaf)
 * qleaf = var | wp.quat_identity() | wp.quat_from_axis_angle(wp.normalize(vleaf), leaf) */
void gen_compound_leaf(gen_ctx *c, wty t)
{
	rng *r = &c->r;
	const gen_var *v = gen_var_pick(c, t, 0);
	if (v && rng_chance(r, 0.6)) {
		gen_put(c, v->name);
		return;
	}
	if (t == WT_XFORM || t == WT_SPATIAL || (!wty_is_vec(t) && gen_arr_pick(c, t, 0) && rng_chance(r, 0.5))) {
		gen_spatial_leaf(c, t);
		return;
	}
	if ((c->feat & FE_RAND) && rng_chance(r, 0.3) && gen_rand_leaf(c, t))
		return;
	if (wty_is_vec(t)) {
		const gen_arr *a = gen_arr_pick(c, t, 0);
		int k = (int)rng_below(r, 20);
		if (a && k < 14)
			gen_read(c, a);
		else if (k < 16)
			gen_vec_ctor(c, t, 0, 1);
		else if (k < 17) {
			buf_printf(c->b, "%s(", wty_spell(t, NULL));
			gen_lit(c, WT_F32);
			gen_put(c, ")");
		} else
			gen_vec_ctor(c, t, 0, 0);
	} else if (wty_is_mat(t)) {
		wty vt = wty_vec(wty_dim(t));
		switch (rng_below(r, 3)) {
		case 0: buf_printf(c->b, "wp.identity(n=%d, dtype=float)", wty_dim(t)); break;
		case 1:
			gen_put(c, "wp.diag(");
			gen_compound_leaf(c, vt);
			gen_put(c, ")");
			break;
		default:
			gen_put(c, "wp.outer(");
			gen_compound_leaf(c, vt);
			gen_put(c, ", ");
			gen_compound_leaf(c, vt);
			gen_put(c, ")");
			break;
		}
	} else if (t == WT_QUAT) {
		if (rng_chance(r, 0.4)) {
			gen_put(c, "wp.quat_identity()");
			return;
		}
		gen_put(c, "wp.quat_from_axis_angle(wp.normalize(");
		gen_compound_leaf(c, WT_V3);
		gen_put(c, "), ");
		gen_leaf(c, WT_F32, 1);
		gen_put(c, ")");
	}
}

/* vop = v ("+" | "-") v | v "*" f | f "*" v | v "/" (wp.abs(f) + lit) | "-" v
 *     | wp.normalize(v) | wp.cross(v, v) | wp.vecN(f, ...) | wp.cw_mul(v, v)
 *     | wp.min(v, v) | wp.max(v, v) | m "*" v | wp.quat_rotate(q, v) | select */
void gen_vec_op(gen_ctx *c, wty t, int depth, int top)
{
	enum { V_ADD, V_SCALE, V_DIV, V_NEG, V_NORM, V_CROSS, V_CTOR, V_CW, V_MINMAX, V_MAT, V_QUAT, V_SEL, V_N };
	unsigned f = c->feat;
	int d = depth - 1;
	unsigned char w[V_N] = {
		6, 5, 1, 1, 2,
		(unsigned char)(t == WT_V3 ? 2 : 0), 2, 1,
		(unsigned char)(f & FE_MATH ? 1 : 0),
		(unsigned char)(f & FE_MAT ? 2 : 0),
		(unsigned char)((f & FE_MAT) && t == WT_V3 ? 2 : 0),
		(unsigned char)(f & FE_SELECT ? 1 : 0),
	};
	switch (gen_pick(&c->r, w, V_N)) {
	case V_SCALE:
		if (rng_chance(&c->r, 0.5)) {
			gen_bin(c, t, "*", WT_F32, depth, top);
		} else {
			if (!top)
				gen_put(c, "(");
			gen_sub(c, WT_F32, d, 1);
			gen_put(c, " * ");
			gen_sub(c, t, d, 0);
			if (!top)
				gen_put(c, ")");
		}
		break;
	case V_DIV: gen_tpl(c, top ? "@ / (wp.abs($) + L)" : "(@ / (wp.abs($) + L))", t, depth); break;
	case V_NEG:
		gen_put(c, "-");
		gen_sub(c, t, d, 0);
		break;
	case V_NORM: gen_tpl(c, "wp.normalize(#)", t, depth); break;
	case V_CROSS: gen_tpl(c, "wp.cross(#, #)", t, depth); break;
	case V_CTOR: gen_vec_ctor(c, t, d, 0); break;
	case V_CW: gen_tpl(c, rng_chance(&c->r, 0.7) ? "wp.cw_mul(#, #)" : "wp.abs(#)", t, depth); break;
	case V_MINMAX: gen_tpl(c, rng_chance(&c->r, 0.5) ? "wp.min(#, #)" : "wp.max(#, #)", t, depth); break;
	case V_MAT:
		if (!top)
			gen_put(c, "(");
		gen_sub(c, wty_mat(wty_dim(t)), d, 0);
		gen_put(c, " * ");
		gen_sub(c, t, d, 0);
		if (!top)
			gen_put(c, ")");
		break;
	case V_QUAT:
		gen_put(c, rng_chance(&c->r, 0.7) ? "wp.quat_rotate(" : "wp.quat_rotate_inv(");
		c->top = 1;
		gen_sub(c, WT_QUAT, d, 1);
		gen_put(c, ", ");
		gen_arg(c, t, d);
		gen_put(c, ")");
		break;
	case V_SEL: gen_select(c, t, depth); break;
	default: gen_bin(c, t, rng_chance(&c->r, 0.6) ? "+" : "-", t, depth, top); break;
	}
}

/* mop = m ("+" | "-" | "*") m | m "*" f | wp.transpose(m) | wp.outer(v, v)
 *     | wp.diag(v) | wp.mat22(f, f, f, f) */
void gen_mat_op(gen_ctx *c, wty t, int depth, int top)
{
	wty vt = wty_vec(wty_dim(t));
	int d = depth - 1;
	static const char *const ops[] = {"+", "-", "*"};
	switch (rng_below(&c->r, 7)) {
	case 0: case 1: gen_bin(c, t, ops[rng_below(&c->r, 3)], t, depth, top); break;
	case 2: gen_bin(c, t, "*", WT_F32, depth, top); break;
	case 3: gen_tpl(c, "wp.transpose(#)", t, depth); break;
	case 4:
		gen_put(c, "wp.outer(");
		gen_arg(c, vt, d);
		gen_put(c, ", ");
		gen_arg(c, vt, d);
		gen_put(c, ")");
		break;
	case 5:
		gen_put(c, "wp.diag(");
		gen_arg(c, vt, d);
		gen_put(c, ")");
		break;
	default:
		if (t == WT_M22) {
			gen_put(c, "wp.mat22(");
			for (int i = 0; i < 4; i++) {
				if (i)
					gen_put(c, ", ");
				gen_arg(c, WT_F32, d > 1 ? 1 : d);
			}
			gen_put(c, ")");
		} else {
			gen_tpl(c, "wp.transpose(#)", t, depth);
		}
		break;
	}
}

// qop = q "*" q | wp.quat_inverse(q) | wp.normalize(q) | wp.quat_from_axis_angle(wp.normalize(v3), f)
void gen_quat_op(gen_ctx *c, int depth, int top)
{
	switch (rng_below(&c->r, 4)) {
	case 0: gen_bin(c, WT_QUAT, "*", WT_QUAT, depth, top); break;
	case 1: gen_tpl(c, "wp.quat_inverse(#)", WT_QUAT, depth); break;
	case 2: gen_tpl(c, "wp.normalize(#)", WT_QUAT, depth); break;
	default:
		gen_put(c, "wp.quat_from_axis_angle(wp.normalize(");
		gen_arg(c, WT_V3, depth - 1);
		gen_put(c, "), ");
		gen_arg(c, WT_F32, depth - 1);
		gen_put(c, ")");
		break;
	}
}

// suffix = "." ("x" | "y" | "z" | "w") | "[" k "]"
void gen_comp_suffix(gen_ctx *c, wty vt)
{
	static const char comp[] = "xyzw";
	rng *r = &c->r;
	int k = (int)rng_below(r, (uint32_t)wty_dim(vt));
	if (rng_chance(r, 0.6))
		buf_printf(c->b, ".%c", comp[k]);
	else
		buf_printf(c->b, "[%d]", k);
}

/* A component of a vector: v.x | v[k], on a leaf or a parenthesized op. */
static void gen_component(gen_ctx *c, wty vt, int depth)
{
	rng *r = &c->r;
	if (depth <= 1 || rng_chance(r, 0.7)) {
		gen_compound_leaf(c, vt);
	} else {
		gen_put(c, "(");
		c->top = 1;
		gen_op(c, vt, depth - 1);
		gen_put(c, ")");
	}
	gen_comp_suffix(c, vt);
}

/* from_vec = wp.dot(v, v) | wp.length(v) | wp.length_sq(v) | v.x | v[k]
 *          | wp.determinant(m + I) | wp.trace(m) | m[i][j]  (all float32) */
void gen_from_vec(gen_ctx *c, int depth)
{
	rng *r = &c->r;
	wty vt = gen_vec_type(c);
	int d = depth - 1;
	int k = (int)rng_below(r, (c->feat & FE_MAT) ? 10 : 7);
	switch (k) {
	case 0: case 1: gen_tpl(c, "wp.dot(#, #)", vt, depth); break;
	case 2: gen_tpl(c, "wp.length(#)", vt, depth); break;
	case 3: gen_tpl(c, "wp.length_sq(#)", vt, depth); break;
	case 7:
		if (rng_chance(r, 0.5))
			gen_determinant(c, wty_mat(wty_dim(vt)), depth);
		else
			gen_tpl(c, "wp.trace(#)", wty_mat(wty_dim(vt)), depth);
		break;
	case 8: {
		wty mt = wty_mat(wty_dim(vt));
		gen_compound_leaf(c, mt);
		int col = (int)rng_below(r, (uint32_t)wty_dim(mt)),
		    row = (int)rng_below(r, (uint32_t)wty_dim(mt));
		buf_printf(c->b, "[%d][%d]", row, col);
		break;
	}
	default: gen_component(c, vt, d + 1); break;
	}
}

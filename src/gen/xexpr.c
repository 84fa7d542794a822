/* xexpr: the wider language of the profiles beyond the seed 11: transforms
 * and spatial vectors, extra matrix/vector builtins (inverse of an SPD matrix,
 * skew, norms, lerp, ...), random draws, safe shifts, helper calls, wp.static,
 * break/continue and the bitwise atomics. Same safety discipline as expr.c. */
#include "gen/ctx.h"

static void comma(gen_ctx *c) { gen_put(c, ", "); }

/* "v, v": one vector twice (outer(v, v) and v * v are never negative
 * definite / negative), a leaf or, with depth left, a parenthesized op. */
static void gen_dup_vec(gen_ctx *c, wty t, int depth)
{
	size_t at = c->b->len;
	unsigned feat = c->feat;
	c->feat &= ~(unsigned)FE_RAND; /* two draws would differ */
	if (depth > 1 && rng_chance(&c->r, 0.4)) {
		c->top = 1;
		gen_op(c, t, depth - 1);
	} else {
		gen_compound_leaf(c, t);
	}
	c->feat = feat;
	size_t len = c->b->len - at;
	comma(c);
	buf_grow(c->b, len); /* the copy cannot move the bytes it reads */
	buf_append(c->b, c->b->data + at, len);
}

/* xleaf = read | wp.transform(v3, q) | wp.transform_identity()
 *       | wp.spatial_vector(v3, v3) | wp.spatial_vector(f, f, f, f, f, f) | const */
void gen_xleaf(gen_ctx *c, wty t)
{
	rng *r = &c->r;
	const gen_arr *a = gen_arr_pick(c, t, 0);
	c->top = 0;
	if (a && rng_chance(r, 0.7)) {
		gen_read(c, a);
		return;
	}
	if (t == WT_XFORM) {
		if (rng_chance(r, 0.2)) {
			gen_put(c, "wp.transform_identity()");
			return;
		}
		gen_put(c, "wp.transform(");
		gen_compound_leaf(c, WT_V3);
		comma(c);
		gen_compound_leaf(c, WT_QUAT);
		gen_put(c, ")");
	} else if (t == WT_SPATIAL) {
		gen_put(c, "wp.spatial_vector(");
		if (rng_chance(r, 0.7)) {
			gen_compound_leaf(c, WT_V3);
			comma(c);
			gen_compound_leaf(c, WT_V3);
		} else {
			for (int i = 0; i < 6; i++) {
				if (i)
					comma(c);
				gen_leaf(c, WT_F32, 1);
			}
		}
		gen_put(c, ")");
	} else {
		gen_const(c, t);
	}
}

/* xop = x "*" x | wp.transform_multiply(x, x) | wp.transform_inverse(x)
 *     | wp.transform(v3, q)
 * sop = s ("+" | "-") s | s "*" f | wp.spatial_cross(s, s) | wp.spatial_cross_dual(s, s)
 *     | wp.transform_twist(x, s) | wp.transform_wrench(x, s) | wp.spatial_vector(v3, v3) */
void gen_xform_op(gen_ctx *c, wty t, int depth, int top)
{
	rng *r = &c->r;
	int d = depth - 1;
	if (t == WT_XFORM) {
		switch (rng_below(r, 4)) {
		case 0: gen_bin(c, t, "*", t, depth, top); break;
		case 1: gen_tpl(c, "wp.transform_multiply(#, #)", t, depth); break;
		case 2: gen_tpl(c, "wp.transform_inverse(#)", t, depth); break;
		default:
			gen_put(c, "wp.transform(");
			gen_arg(c, WT_V3, d);
			comma(c);
			gen_arg(c, WT_QUAT, d);
			gen_put(c, ")");
			break;
		}
		return;
	}
	switch (rng_below(r, 7)) {
	case 0: gen_bin(c, t, rng_chance(r, 0.5) ? "+" : "-", t, depth, top); break;
	case 1: gen_bin(c, t, "*", WT_F32, depth, top); break;
	case 2: gen_tpl(c, rng_chance(r, 0.5) ? "wp.spatial_cross(#, #)" : "wp.spatial_cross_dual(#, #)", t, depth); break;
	case 3: case 4:
		gen_put(c, rng_chance(r, 0.5) ? "wp.transform_twist(" : "wp.transform_wrench(");
		gen_arg(c, WT_XFORM, d);
		comma(c);
		gen_arg(c, t, d);
		gen_put(c, ")");
		break;
	default:
		gen_put(c, "wp.spatial_vector(");
		gen_arg(c, WT_V3, d);
		comma(c);
		gen_arg(c, WT_V3, d);
		gen_put(c, ")");
		break;
	}
}

/* matx (float32) = wp.norm_l1(v) | wp.norm_l2(v) | wp.norm_huber(v) | wp.ddot(m, m)
 *     | wp.lerp(f, f, w01) | wp.smoothstep(0.0, 1.0, f) | wp.step(f) | wp.copysign(f, f)
 *     | wp.erf(f) | wp.degrees(f) | wp.rint(f) | float(wp.argmax(v)) | wp.spatial_dot(s, s)
 * matx (vec) = wp.lerp(v, v, w01) | wp.get_diag(m) | m[k] | wp.transform_point(x, v3)
 *     | wp.transform_vector(x, v3) | wp.spatial_top(s) | wp.velocity_at_point(s, v3) ...
 * matx (mat) = wp.inverse(I + wp.outer(v, v) * c) | wp.inverse(wp.diag(v * v + 1))
 *     | wp.skew(v3) | wp.matrix_from_rows(v, ...) | wp.quat_to_matrix(q) | wp.cw_mul(m, m)
 * matx (quat) = wp.quat_slerp(q, q, w01) | wp.quat_rpy(f, f, f) | wp.quat_from_matrix(wp.quat_to_matrix(q))
 *     | wp.transform_get_rotation(x) | wp.quat_twist(wp.normalize(v3), q)
 * Inverses only of I + c * v v^T (c > 0) or of a diagonal >= 1: symmetric
 * positive definite, so always invertible. Returns 0 if none applies. */
int gen_matx_op(gen_ctx *c, wty t, int depth)
{
	rng *r = &c->r;
	int d = depth - 1, xf = (c->feat & FE_XFORM) != 0;
	c->top = 0;
	if (t == WT_F32) {
		static const char *const tpl[] = {
			"wp.lerp(#, #, wp.clamp($, 0.0, 1.0))", "wp.smoothstep(0.0, 1.0, #)", "wp.step(#)",
			"wp.copysign(#, #)", "wp.erf(#)", "wp.erfc(#)", "wp.degrees(#)", "wp.radians(#)", "wp.rint(#)",
		};
		wty vt = gen_vec_type(c);
		switch (rng_below(r, xf ? 9 : 8)) {
		case 0: gen_tpl(c, rng_chance(r, 0.5) ? "wp.norm_l1(#)" : "wp.norm_l2(#)", vt, depth); break;
		case 1: gen_tpl(c, rng_chance(r, 0.5) ? "wp.norm_huber(#)" : "wp.norm_pseudo_huber(#)", vt, depth); break;
		case 2: gen_tpl(c, rng_chance(r, 0.5) ? "wp.ddot(#, #)" : "wp.determinant(#)", wty_mat(wty_dim(vt)), depth); break;
		case 3: gen_tpl(c, rng_chance(r, 0.5) ? "float(wp.argmax(#))" : "float(wp.argmin(#))", vt, depth); break;
		case 8: gen_tpl(c, "wp.spatial_dot(#, #)", WT_SPATIAL, depth); break;
		default: gen_tpl(c, tpl[rng_below(r, sizeof tpl / sizeof *tpl)], t, depth); break;
		}
		return 1;
	}
	if (wty_is_vec(t)) {
		int n = wty_dim(t);
		switch (rng_below(r, t == WT_V3 && xf ? 8 : 4)) {
		case 0: gen_tpl(c, "wp.lerp(#, #, wp.clamp($, 0.0, 1.0))", t, depth); break;
		case 1: gen_tpl(c, "wp.get_diag(#)", wty_mat(n), depth); break;
		case 2:
			gen_compound_leaf(c, wty_mat(n));
			buf_printf(c->b, "[%d]", (int)rng_below(r, (uint32_t)n));
			break;
		case 3:
			gen_put(c, "wp.cw_div(");
			gen_arg(c, t, d);
			gen_put(c, ", wp.cw_mul(");
			gen_dup_vec(c, t, d);
			buf_printf(c->b, ") + %s(1.0))", wty_spell(t, NULL));
			break;
		case 4: case 5:
			gen_put(c, rng_chance(r, 0.5) ? "wp.transform_point(" : "wp.transform_vector(");
			gen_arg(c, WT_XFORM, d);
			comma(c);
			gen_arg(c, t, d);
			gen_put(c, ")");
			break;
		case 6: gen_tpl(c, rng_chance(r, 0.5) ? "wp.spatial_top(#)" : "wp.spatial_bottom(#)", WT_SPATIAL, depth); break;
		default:
			if (rng_chance(r, 0.5)) {
				gen_put(c, "wp.transform_get_translation(");
				gen_arg(c, WT_XFORM, d);
			} else {
				gen_put(c, "wp.velocity_at_point(");
				gen_arg(c, WT_SPATIAL, d);
				comma(c);
				gen_arg(c, WT_V3, d);
			}
			gen_put(c, ")");
			break;
		}
		return 1;
	}
	if (wty_is_mat(t)) {
		int n = wty_dim(t);
		wty vt = wty_vec(n);
		switch (rng_below(r, n == 3 ? 7 : n == 4 && xf ? 6 : 5)) {
		case 0:
			buf_printf(c->b, "wp.inverse(wp.identity(n=%d, dtype=float) + wp.outer(", n);
			gen_dup_vec(c, vt, d);
			gen_put(c, ") * ");
			gen_lit_fix(c, WT_F32, rng_range(r, 1, 50), 2);
			gen_put(c, ")");
			break;
		case 1:
			gen_put(c, "wp.inverse(wp.diag(wp.cw_mul(");
			gen_dup_vec(c, vt, d);
			buf_printf(c->b, ") + %s(1.0)))", wty_spell(vt, NULL));
			break;
		case 2: case 3:
			gen_put(c, rng_chance(r, 0.5) ? "wp.matrix_from_rows(" : "wp.matrix_from_cols(");
			for (int i = 0; i < n; i++) {
				if (i)
					comma(c);
				gen_arg(c, vt, d > 1 ? 1 : d);
			}
			gen_put(c, ")");
			break;
		case 4: gen_tpl(c, "wp.cw_mul(#, #)", t, depth); break;
		case 5:
			if (n == 4) {
				gen_tpl(c, "wp.transform_to_matrix(#)", WT_XFORM, depth);
				break;
			}
			gen_tpl(c, "wp.skew(#)", WT_V3, depth);
			break;
		default: gen_tpl(c, "wp.quat_to_matrix(#)", WT_QUAT, depth); break;
		}
		return 1;
	}
	if (t == WT_QUAT) {
		switch (rng_below(r, xf ? 6 : 5)) {
		case 0: gen_tpl(c, "wp.quat_slerp(#, #, wp.clamp($, 0.0, 1.0))", t, depth); break;
		case 1: gen_tpl(c, "wp.quat_rpy($, $, $)", t, depth); break;
		case 2: gen_tpl(c, "wp.quat_from_matrix(wp.quat_to_matrix(#))", t, depth); break;
		case 3:
			gen_put(c, "wp.quat_twist(wp.normalize(");
			gen_arg(c, WT_V3, d);
			gen_put(c, "), ");
			gen_arg(c, t, d);
			gen_put(c, ")");
			break;
		case 4:
			gen_put(c, "wp.quat_from_euler(");
			gen_arg(c, WT_V3, d);
			buf_printf(c->b, ", %d, %d, %d)", 0, 1, 2);
			break;
		default: gen_tpl(c, "wp.transform_get_rotation(#)", WT_XFORM, depth); break;
		}
		return 1;
	}
	return 0;
}

/* rleaf (float32) = wp.randf(s) | wp.randf(s, lo, hi) | wp.randn(s) | wp.noise(s, f)
 *       | wp.noise(s, v2) | wp.pnoise(s, f, K) | float(wp.randi(s, 0, K)) | float(wp.poisson(s, lam))
 * rleaf (int32) = wp.randi(s) | wp.randi(s, lo, hi) | int(wp.randu(s) % wp.uint32(K))
 * rleaf (vec3) = wp.sample_unit_sphere(s) | ..._surface | ..._hemisphere | ..._cube | wp.curlnoise(s, v3, ...)
 * rleaf (vec2) = wp.sample_unit_disk(s) | ..._square | ..._ring | wp.sample_triangle(s)
 * s is the kernel's state from wp.rand_init; 0 when t has no draw. */
int gen_rand_leaf(gen_ctx *c, wty t)
{
	static const char *const v3[] = {"sample_unit_sphere", "sample_unit_sphere_surface", "sample_unit_hemisphere",
	                                 "sample_unit_hemisphere_surface", "sample_unit_cube"};
	static const char *const v2[] = {"sample_unit_disk", "sample_unit_square", "sample_unit_ring", "sample_triangle"};
	rng *r = &c->r;
	const char *s = c->rstate;
	if (!s)
		return 0;
	c->top = 0;
	if (t == WT_F32) {
		switch (rng_below(r, 9)) {
		case 0: case 1: buf_printf(c->b, "wp.randf(%s)", s); break;
		case 2:
			buf_printf(c->b, "wp.randf(%s, ", s);
			gen_lit_fix(c, t, -rng_range(r, 0, 20), 1);
			comma(c);
			gen_lit_fix(c, t, rng_range(r, 1, 20), 1);
			gen_put(c, ")");
			break;
		case 3: buf_printf(c->b, "wp.randn(%s)", s); break;
		case 4:
			buf_printf(c->b, "wp.noise(%s, ", s);
			gen_leaf(c, WT_F32, 0);
			gen_put(c, ")");
			break;
		case 5:
			buf_printf(c->b, "wp.noise(%s, ", s);
			gen_compound_leaf(c, rng_chance(r, 0.5) ? WT_V2 : WT_V3);
			gen_put(c, ")");
			break;
		case 6:
			buf_printf(c->b, "wp.pnoise(%s, ", s);
			gen_leaf(c, WT_F32, 0);
			buf_printf(c->b, ", %d)", rng_range(r, 2, 16));
			break;
		case 7: buf_printf(c->b, "float(wp.randi(%s, 0, %d))", s, rng_range(r, 2, 100)); break;
		default:
			buf_printf(c->b, "float(wp.poisson(%s, ", s);
			gen_lit_fix(c, t, rng_range(r, 1, 80), 1);
			gen_put(c, "))");
			break;
		}
		return 1;
	}
	if (t == WT_I32) {
		int lo = -rng_range(r, 0, 10);
		switch (rng_below(r, 3)) {
		case 0: buf_printf(c->b, "wp.randi(%s)", s); break;
		case 1: buf_printf(c->b, "wp.randi(%s, %d, %d)", s, lo, lo + rng_range(r, 1, 100)); break;
		default: buf_printf(c->b, "int(wp.randu(%s) %% wp.uint32(%d))", s, rng_range(r, 2, 1000)); break;
		}
		return 1;
	}
	if (t == WT_V3 || t == WT_V2) {
		if (rng_chance(r, 0.15)) {
			buf_printf(c->b, "wp.curlnoise(%s, ", s);
			gen_compound_leaf(c, t);
			buf_printf(c->b, ", wp.uint32(%d), 2.0, 0.5)", rng_range(r, 1, 4));
		} else if (t == WT_V3) {
			buf_printf(c->b, "wp.%s(%s)", v3[rng_below(r, 5)], s);
		} else {
			buf_printf(c->b, "wp.%s(%s)", v2[rng_below(r, 4)], s);
		}
		return 1;
	}
	return 0;
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
int gen_call(gen_ctx *c, wty t, int depth)
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
			comma(c);
		gen_arg(c, f->arg[i], depth - 1);
	}
	gen_put(c, ")");
	return 1;
}

/* static = wp.static(lit op lit): a constant Warp folds at codegen time. */
void gen_static(gen_ctx *c, wty t)
{
	rng *r = &c->r;
	c->top = 0;
	if (t == WT_I32)
		buf_printf(c->b, "wp.static(%d %s %d)", rng_range(r, 1, 16), rng_chance(r, 0.5) ? "*" : "+", rng_range(r, 1, 16));
	else if (t == WT_F32)
		buf_printf(c->b, "wp.static(%d.0 %s %d.0)", rng_range(r, 1, 9), rng_chance(r, 0.5) ? "/" : "*", rng_range(r, 1, 9));
	else
		gen_const(c, t);
}

/* jump = "if" cond ":" ("break" | "continue")   (continue only where the
 * innermost loop steps its counter first: for, or the while_break form) */
void gen_jump(gen_ctx *c)
{
	gen_line(c);
	gen_put(c, "if ");
	gen_cond(c, rng_range(&c->r, 1, 2));
	gen_put(c, ":\n");
	c->indent += 4;
	gen_line(c);
	gen_put(c, c->cont_ok && rng_chance(&c->r, 0.5) ? "continue\n" : "break\n");
	c->indent -= 4;
}

/* batomic = [name "="] wp.atomic_(and|or|xor)(arr, index, e)
 *         | [name "="] wp.atomic_exch(arr, index, e) | name "=" wp.atomic_cas(arr, index, e, e)
 * (int32 arrays; other element types get the arithmetic atomics) */
void gen_atomic_bits(gen_ctx *c, const gen_arr *a)
{
	static const char *const ops[] = {"and", "or", "xor", "exch", "cas"};
	rng *r = &c->r;
	if (a->dtype != WT_I32) {
		gen_atomic(c, a);
		return;
	}
	int k = (int)rng_below(r, 5);
	gen_var *v = NULL;
	if ((k == 4 || rng_chance(r, 0.2)) && c->nvar < GEN_MAX_VARS - 8)
		v = gen_decl_start(c, "old", WT_I32);
	else
		gen_line(c);
	if (k == 4 && !v)
		k = 3;
	buf_printf(c->b, "wp.atomic_%s(%s, ", ops[k], a->name);
	gen_index(c, a, 2);
	comma(c);
	if (k == 4) {
		gen_arg(c, WT_I32, gen_depth(c) - 1);
		comma(c);
	}
	gen_arg(c, WT_I32, gen_depth(c));
	gen_put(c, ")\n");
	if (v)
		gen_decl_finish(v, WT_I32);
	c->written |= 1u << (a - c->arr);
}

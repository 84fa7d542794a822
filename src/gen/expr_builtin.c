/* expr_builtin: Warp's builtin calls written from template tables: the
 * template expander, the scalar math builtins with their domains guarded
 * (sqrt/log/pow/acos, ...), and the wider library by result type (inverse
 * of an SPD matrix, skew, norms, lerp, transform_point, quat_slerp, ...). */
#include "gen/expr.h"

#include <stdio.h>

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

/* wp.determinant(m + wp.identity(n=N, dtype=float)): a generated matrix is
 * often exactly singular (an outer product, a multiple or transpose of
 * one: rank 1), and the determinant of a singular matrix is pure rounding
 * noise that CPU and CUDA compute differently; m + I is singular only on a
 * set of measure zero. */
void gen_determinant(gen_ctx *c, wty mt, int depth)
{
	char tpl[64];
	snprintf(tpl, sizeof tpl, "wp.determinant(# + wp.identity(n=%d, dtype=float))", wty_dim(mt));
	gen_tpl(c, tpl, mt, depth);
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
	gen_put(c, ", ");
	buf_grow(c->b, len); /* the copy cannot move the bytes it reads */
	buf_append(c->b, c->b->data + at, len);
}

/* builtin (float32) = wp.norm_l1(v) | wp.norm_l2(v) | wp.norm_huber(v) | wp.ddot(m, m)
 *     | wp.lerp(f, f, w01) | wp.smoothstep(0.0, 1.0, f) | wp.step(f) | wp.copysign(f, f)
 *     | wp.erf(f) | wp.degrees(f) | wp.rint(f) | float(wp.argmax(v)) | wp.spatial_dot(s, s)
 * builtin (vec) = wp.lerp(v, v, w01) | wp.get_diag(m) | m[k] | wp.transform_point(x, v3)
 *     | wp.transform_vector(x, v3) | wp.spatial_top(s) | wp.velocity_at_point(s, v3) ...
 * builtin (mat) = wp.inverse(I + wp.outer(v, v) * c) | wp.inverse(wp.diag(v * v + 1))
 *     | wp.skew(v3) | wp.matrix_from_rows(v, ...) | wp.quat_to_matrix(q) | wp.cw_mul(m, m)
 * builtin (quat) = wp.quat_slerp(q, q, w01) | wp.quat_rpy(f, f, f) | wp.quat_from_matrix(wp.quat_to_matrix(q))
 *     | wp.transform_get_rotation(x) | wp.quat_twist(wp.normalize(v3), q)
 * Inverses only of I + c * v v^T (c > 0) or of a diagonal >= 1: symmetric
 * positive definite, so always invertible. Returns 0 if none applies. */
int gen_builtin_op(gen_ctx *c, wty t, int depth)
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
		case 2:
			if (rng_chance(r, 0.5))
				gen_tpl(c, "wp.ddot(#, #)", wty_mat(wty_dim(vt)), depth);
			else
				gen_determinant(c, wty_mat(wty_dim(vt)), depth);
			break;
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
			gen_put(c, ", ");
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
				gen_put(c, ", ");
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
					gen_put(c, ", ");
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

/* expr_spatial: transforms (wp.transform: a translation and a rotation)
 * and spatial vectors (wp.spatial_vector: six float32), their leaves and
 * operators. The builtins that take them apart (transform_point,
 * spatial_top, ...) are in expr_builtin.c's table. */
#include "gen/expr.h"

/* spatial_leaf = read | wp.transform(v3, q) | wp.transform_identity()
 *              | wp.spatial_vector(v3, v3) | wp.spatial_vector(f, f, f, f, f, f) | const */
void gen_spatial_leaf(gen_ctx *c, wty t)
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
		gen_put(c, ", ");
		gen_compound_leaf(c, WT_QUAT);
		gen_put(c, ")");
	} else if (t == WT_SPATIAL) {
		gen_put(c, "wp.spatial_vector(");
		if (rng_chance(r, 0.7)) {
			gen_compound_leaf(c, WT_V3);
			gen_put(c, ", ");
			gen_compound_leaf(c, WT_V3);
		} else {
			for (int i = 0; i < 6; i++) {
				if (i)
					gen_put(c, ", ");
				gen_leaf(c, WT_F32, 1);
			}
		}
		gen_put(c, ")");
	} else {
		gen_const(c, t);
	}
}

/* xform_op = x "*" x | wp.transform_multiply(x, x) | wp.transform_inverse(x)
 *          | wp.transform(v3, q)
 * spatial_op = s ("+" | "-") s | s "*" f | wp.spatial_cross(s, s) | wp.spatial_cross_dual(s, s)
 *            | wp.transform_twist(x, s) | wp.transform_wrench(x, s) | wp.spatial_vector(v3, v3) */
void gen_spatial_op(gen_ctx *c, wty t, int depth, int top)
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
			gen_put(c, ", ");
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
		gen_put(c, ", ");
		gen_arg(c, t, d);
		gen_put(c, ")");
		break;
	default:
		gen_put(c, "wp.spatial_vector(");
		gen_arg(c, WT_V3, d);
		gen_put(c, ", ");
		gen_arg(c, WT_V3, d);
		gen_put(c, ")");
		break;
	}
}

/* core_vector: the cores of the categories that build vectors and
 * rotations: vector (vector values reduced to a scalar), quaternion (a
 * rotation built from an axis and an angle, combined with other rotations,
 * applied to vectors and taken apart again: matrix, axis-angle,
 * roll/pitch/yaw, twist) and transform (rigid transforms applied to points). */
#include "gen/core.h"

#include "gen/expr.h"
#include "gen/stmt.h"

/* vector = v = vop NEWLINE [w = vop] NEWLINE s = from_vec: vector values
 * reduced to a scalar (dot, length, component). */
const gen_var *gen_core_vector(gen_ctx *c)
{
	wty vt = gen_vec_type(c);
	const gen_var *v = gen_decl(c, NULL, vt);
	if (rng_chance(&c->r, 0.5))
		v = gen_decl(c, NULL, vt);
	gen_var *s = gen_decl_start(c, NULL, WT_F32);
	if (s) {
		gen_from_vec(c, gen_depth(c) + 1);
		gen_put(c, "\n");
		gen_decl_finish(s, WT_F32);
	}
	return rng_chance(&c->r, 0.5) && s ? s : v;
}

/* qmix = wp.quat_inverse(q) | q "*" qop | qop "*" q | wp.quat_slerp(q, qop, w01)
 *      | wp.normalize(q "*" q) | wp.quat_rpy(f, f, f) | wp.quaternion(v3, f)
 *      | wp.quat_twist(axis, q) | wp.quat_from_euler(v3, 0, 1, 2) */
static void quat_mix(gen_ctx *c, const gen_var *q, const gen_var *axis)
{
	rng *r = &c->r;
	int d = gen_depth(c);
	switch (rng_below(r, 9)) {
	case 0: buf_printf(c->b, "wp.quat_inverse(%s)", q->name); break;
	case 1:
		buf_printf(c->b, "%s * ", q->name);
		gen_sub(c, WT_QUAT, d, 0);
		break;
	case 2:
		gen_sub(c, WT_QUAT, d, 0);
		buf_printf(c->b, " * %s", q->name);
		break;
	case 3:
		buf_printf(c->b, "wp.quat_slerp(%s, ", q->name);
		gen_arg(c, WT_QUAT, d);
		gen_put(c, ", wp.clamp(");
		gen_arg(c, WT_F32, d);
		gen_put(c, ", 0.0, 1.0))");
		break;
	case 4: buf_printf(c->b, "wp.normalize(%s * %s)", q->name, q->name); break;
	case 5:
		gen_put(c, "wp.quat_rpy(");
		for (int i = 0; i < 3; i++) {
			if (i)
				gen_put(c, ", ");
			gen_arg(c, WT_F32, d > 1 ? 1 : d);
		}
		gen_put(c, ")");
		break;
	case 6:
		gen_put(c, "wp.quaternion(");
		gen_arg(c, WT_V3, d);
		gen_put(c, ", ");
		gen_arg(c, WT_F32, d);
		gen_put(c, ")");
		break;
	case 7: buf_printf(c->b, "wp.quat_twist(%s, %s)", axis->name, q->name); break;
	default:
		gen_put(c, "wp.quat_from_euler(");
		gen_arg(c, WT_V3, d);
		buf_printf(c->b, ", %d, %d, %d)", 0, 1, 2);
		break;
	}
}

/* quaternion = axis = wp.normalize(v3) NEWLINE q = wp.quat_from_axis_angle(axis, f)
 *   [NEWLINE q2 = qmix] NEWLINE p = (wp.quat_rotate | wp.quat_rotate_inv)(q, v3)
 *   [NEWLINE R = wp.quat_to_matrix(q) NEWLINE p2 = R * p]
 *   [NEWLINE ax, ang = wp.quat_to_axis_angle(q) | e = wp.quat_to_rpy(q)
 *    | a = wp.quat_twist_angle[_signed](axis, q) | e = wp.quat_to_euler(q, 2, 1, 0)] */
const gen_var *gen_core_quaternion(gen_ctx *c)
{
	rng *r = &c->r;
	c->types |= WT_BIT(WT_F32) | WT_BIT(WT_V3) | WT_BIT(WT_QUAT);
	gen_var *axis = gen_decl_start(c, "axis", WT_V3);
	if (!axis)
		return NULL;
	gen_put(c, "wp.normalize(");
	gen_arg(c, WT_V3, gen_depth(c));
	gen_put(c, ")\n");
	gen_decl_finish(axis, WT_V3);
	gen_var *q = gen_decl_start(c, "q", WT_QUAT);
	if (!q)
		return NULL;
	buf_printf(c->b, "wp.quat_from_axis_angle(%s, ", axis->name);
	gen_arg(c, WT_F32, gen_depth(c));
	gen_put(c, ")\n");
	gen_decl_finish(q, WT_QUAT);
	if (rng_chance(r, 0.7)) {
		gen_var *q2 = gen_decl_start(c, "rot", WT_QUAT);
		if (!q2)
			return NULL;
		quat_mix(c, q, axis);
		gen_put(c, "\n");
		gen_decl_finish(q2, WT_QUAT);
		q = q2;
	}
	gen_var *p = gen_decl_start(c, "p", WT_V3);
	if (!p)
		return NULL;
	buf_printf(c->b, "%s(%s, ", rng_chance(r, 0.7) ? "wp.quat_rotate" : "wp.quat_rotate_inv", q->name);
	gen_arg(c, WT_V3, gen_depth(c));
	gen_put(c, ")\n");
	gen_decl_finish(p, WT_V3);
	const gen_var *res = p;
	if (rng_chance(r, 0.4)) {
		c->types |= WT_BIT(WT_M33);
		gen_var *m = gen_decl_start(c, "R", WT_M33);
		if (!m)
			return res;
		buf_printf(c->b, "wp.quat_to_matrix(%s)\n", q->name);
		gen_decl_finish(m, WT_M33);
		gen_var *p2 = gen_decl_start(c, "p", WT_V3);
		if (!p2)
			return res;
		buf_printf(c->b, "%s * %s\n", m->name, p->name);
		gen_decl_finish(p2, WT_V3);
		res = p2;
	}
	if (rng_chance(r, 0.5)) {
		gen_var *e = NULL;
		switch (rng_below(r, 4)) {
		case 0: {
			gen_var *ax = gen_var_add(c, "ax", WT_ANY, VAR_LOCAL), *ang = gen_var_add(c, "ang", WT_ANY, VAR_LOCAL);
			if (!ax || !ang)
				return res;
			gen_line(c);
			buf_printf(c->b, "%s, %s = wp.quat_to_axis_angle(%s)\n", ax->name, ang->name, q->name);
			gen_decl_finish(ax, WT_V3);
			gen_decl_finish(ang, WT_F32);
			break;
		}
		case 1:
			if ((e = gen_decl_start(c, "rpy", WT_V3)))
				buf_printf(c->b, "wp.quat_to_rpy(%s)\n", q->name);
			break;
		case 2:
			if ((e = gen_decl_start(c, "ang", WT_F32)))
				buf_printf(c->b, "wp.%s(%s, %s)\n", rng_chance(r, 0.5) ? "quat_twist_angle" : "quat_twist_angle_signed",
				           axis->name, q->name);
			break;
		default:
			if ((e = gen_decl_start(c, "euler", WT_V3)))
				buf_printf(c->b, "wp.quat_to_euler(%s, 2, 1, 0)\n", q->name);
			break;
		}
		if (e)
			gen_decl_finish(e, e->name[0] == 'a' ? WT_F32 : WT_V3);
	}
	return res;
}

// transform = q = qop NEWLINE xf = wp.transform(v, q) NEWLINE p = wp.transform_point(xf, v) ...
const gen_var *gen_core_transform(gen_ctx *c)
{
	rng *r = &c->r;
	c->types |= WT_BIT(WT_V3) | WT_BIT(WT_QUAT) | WT_BIT(WT_XFORM);
	if (rng_chance(r, 0.4))
		c->types |= WT_BIT(WT_SPATIAL);
	gen_decl(c, NULL, WT_QUAT);
	gen_decl(c, NULL, WT_XFORM);
	if (rng_chance(r, 0.4))
		gen_decl(c, NULL, WT_SPATIAL);
	gen_var *p = gen_decl_start(c, NULL, WT_V3);
	if (!p)
		return NULL;
	gen_put(c, rng_chance(r, 0.5) ? "wp.transform_point(" : "wp.transform_vector(");
	c->top = 1;
	gen_sub(c, WT_XFORM, 1, 1);
	gen_put(c, ", ");
	c->top = 1;
	gen_sub(c, WT_V3, gen_depth(c), 1);
	gen_put(c, ")\n");
	gen_decl_finish(p, WT_V3);
	return rng_chance(r, 0.5) ? p : gen_result(c);
}

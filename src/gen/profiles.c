/* profiles: the 11 categories of the seed dataset and those beyond (matrix,
 * transform, struct, func, random, bitwise, while_break, multi_dim,
 * quaternion, geometry, tile, dtypes, linalg). Each sets the
 * parameter shapes, expression features and statement mix of its kernels,
 * and its core emits the category's defining construct exactly once. */
#include "gen/ctx.h"

/* The element type of the first output array when scalar, else float32:
 * cores compute in it so the final store needs no conversion. */
wty gen_work_type(gen_ctx *c)
{
	for (int i = 0; i < c->narr; i++)
		if (c->arr[i].out && wty_is_scalar(c->arr[i].dtype))
			return c->arr[i].dtype;
	return (c->types & WT_BIT(WT_F64)) && !(c->types & WT_BIT(WT_F32)) ? WT_F64 : WT_F32;
}

/* A declared local holding the core's result, or NULL when the variable
 * table is full (never in practice: cores run with an almost empty table). */
static const gen_var *decl_op(gen_ctx *c, wty t) { return gen_decl(c, NULL, t); }

/* nest = for_head ":" [stmt] (nest | accum) [stmt]   (`levels` loops deep)
 * A single top-level loop is sometimes a counted while loop instead. */
static void gen_loop_nest(gen_ctx *c, const gen_var *acc, int levels)
{
	int mark = c->nvar;
	if (rng_chance(&c->r, 0.15) && c->loops == 0 && levels == 1) {
		gen_while(c, 1, acc);
		return;
	}
	gen_for_head(c, c->loops > 0);
	gen_enter(c);
	c->loops++;
	if (levels > 1 && rng_chance(&c->r, 0.3))
		gen_stmt(c);
	if (levels > 1)
		gen_loop_nest(c, acc, levels - 1);
	else
		gen_accum(c, acc);
	if (rng_chance(&c->r, 0.4))
		gen_stmt(c);
	c->loops--;
	gen_leave(c, mark);
}

/* arith = name "=" e ("+" | "-" | "*") e | name "=" e "/" safe_divisor
 * then more declarations; one to three in all. */
static const gen_var *core_arith(gen_ctx *c)
{
	static const char *const ops[] = {"+", "-", "*", "+", "-", "*"};
	wty t = gen_work_type(c);
	const gen_var *v = NULL;
	for (int n = rng_range(&c->r, 1, 3); n > 0; n--) {
		gen_var *d = gen_decl_start(c, NULL, t);
		if (!d)
			break;
		if (rng_chance(&c->r, 0.25))
			gen_div(c, t, gen_depth(c) + 1, 1);
		else
			gen_bin(c, t, ops[rng_below(&c->r, 6)], t, gen_depth(c) + 1, 1);
		gen_put(c, "\n");
		gen_decl_finish(d, t);
		v = d;
	}
	return v;
}

// cond = r = e NEWLINE "if" cmp ":" block ["else:" block]
static const gen_var *core_cond(gen_ctx *c)
{
	const gen_var *v = decl_op(c, gen_work_type(c));
	if (v)
		gen_if(c, 0, rng_chance(&c->r, 0.85), v);
	return v;
}

// loop = acc = T(0) NEWLINE for_head ":" accum ...
static const gen_var *core_loop(gen_ctx *c)
{
	const gen_var *acc = gen_decl_zero(c, rng_chance(&c->r, 0.5) ? "acc" : "total", gen_work_type(c));
	if (!acc)
		return NULL;
	gen_loop_nest(c, acc, 1);
	return acc;
}

// math = name = wp.f(...) (one to three), math calls at the top
static const gen_var *core_math(gen_ctx *c)
{
	wty t = gen_work_type(c);
	if (t == WT_I32)
		t = WT_F32;
	const gen_var *v = NULL;
	for (int n = rng_range(&c->r, 1, 3); n > 0; n--) {
		gen_var *d = gen_decl_start(c, NULL, t);
		if (!d)
			break;
		gen_math(c, t, gen_depth(c) + 1);
		gen_put(c, "\n");
		gen_decl_finish(d, t);
		v = d;
	}
	return v;
}

/* vector = v = vop NEWLINE [w = vop] NEWLINE s = from_vec: vector values
 * reduced to a scalar (dot, length, component). */
static const gen_var *core_vector(gen_ctx *c)
{
	wty vt = gen_vec_type(c);
	const gen_var *v = decl_op(c, vt);
	if (rng_chance(&c->r, 0.5))
		v = decl_op(c, vt);
	gen_var *s = gen_decl_start(c, NULL, WT_F32);
	if (s) {
		gen_from_vec(c, gen_depth(c) + 1);
		gen_put(c, "\n");
		gen_decl_finish(s, WT_F32);
	}
	return rng_chance(&c->r, 0.5) && s ? s : v;
}

// atomic = wp.atomic_op(out, index, e) (one to three), maybe inside a loop
static const gen_var *core_atomic(gen_ctx *c)
{
	int n = rng_range(&c->r, 1, 3);
	if (rng_chance(&c->r, 0.25)) {
		int mark = c->nvar;
		gen_for_head(c, 0);
		gen_enter(c);
		c->loops++;
		gen_atomic(c, gen_arr_pick(c, WT_ANY, 1));
		c->loops--;
		gen_leave(c, mark);
		n--;
	}
	for (; n > 0; n--)
		gen_atomic(c, gen_arr_pick(c, WT_ANY, 1));
	return NULL;
}

// nested = acc = T(0) NEWLINE for ...: for ...: [for ...:] accum
static const gen_var *core_nested(gen_ctx *c)
{
	const gen_var *acc = gen_decl_zero(c, rng_chance(&c->r, 0.5) ? "acc" : "total", gen_work_type(c));
	if (!acc)
		return NULL;
	gen_loop_nest(c, acc, rng_chance(&c->r, 0.2) ? 3 : 2);
	return acc;
}

// multi_cond = r = e NEWLINE "if" c ":" b ("elif" c ":" b)+ ["else:" b]
static const gen_var *core_multi_cond(gen_ctx *c)
{
	wty t = gen_work_type(c);
	const gen_var *v = rng_chance(&c->r, 0.5) ? decl_op(c, t) : gen_decl_zero(c, NULL, t);
	if (v)
		gen_if(c, rng_range(&c->r, 1, 4), rng_chance(&c->r, 0.85), v);
	return v;
}

/* combined = acc = T(0) NEWLINE for_head ":" "if" cond ":" acc = math
 *            ["else:" accum] ...: a loop around a branch computing math. */
static const gen_var *core_combined(gen_ctx *c)
{
	wty t = gen_work_type(c);
	const gen_var *acc = gen_decl_zero(c, rng_chance(&c->r, 0.5) ? "acc" : "total", t);
	if (!acc)
		return NULL;
	int mark = c->nvar;
	gen_for_head(c, 0);
	gen_enter(c);
	c->loops++;
	if (rng_chance(&c->r, 0.3))
		gen_stmt(c);
	gen_line(c);
	gen_put(c, "if ");
	gen_cond(c, rng_range(&c->r, 1, 2));
	gen_put(c, ":\n");
	int inner = gen_enter(c);
	gen_line(c);
	buf_printf(c->b, "%s = %s + ", acc->name, acc->name);
	gen_math(c, t, gen_depth(c));
	gen_put(c, "\n");
	gen_leave(c, inner);
	if (rng_chance(&c->r, 0.7)) {
		gen_line(c);
		gen_put(c, "else:\n");
		inner = gen_enter(c);
		gen_accum(c, acc);
		gen_leave(c, inner);
	}
	c->loops--;
	gen_leave(c, mark);
	return acc;
}

/* scalar = name = p op e  for each scalar parameter p, or an int p as a
 * clamped loop bound: for i in range(wp.min(p, K)): accum */
static const gen_var *core_scalar(gen_ctx *c)
{
	static const char *const ops[] = {"*", "+", "-", "*"};
	const gen_var *last = NULL;
	for (int i = 0; i < c->nscalar; i++) {
		const gen_var *p = &c->scalar[i];
		if (p->type == WT_I32 && rng_chance(&c->r, 0.5)) {
			wty t = gen_work_type(c);
			const gen_var *acc = gen_decl_zero(c, "acc", t);
			if (!acc)
				continue;
			gen_line(c);
			buf_printf(c->b, "for i in range(wp.min(%s, %d)):\n", p->name, rng_range(&c->r, 4, 32));
			int mark = c->nvar;
			gen_var_add(c, "i", WT_I32, VAR_INDEX | VAR_LOOP);
			gen_enter(c);
			c->loops++;
			gen_accum(c, acc);
			c->loops--;
			gen_leave(c, mark);
			last = acc;
			continue;
		}
		gen_var *d = gen_decl_start(c, NULL, p->type);
		if (!d)
			break;
		buf_printf(c->b, "%s %s ", p->name, ops[rng_below(&c->r, 4)]);
		gen_sub(c, p->type, gen_depth(c), 1);
		gen_put(c, "\n");
		gen_decl_finish(d, p->type);
		last = d;
	}
	return last;
}

// random_math = name = math (deep), one or two
static const gen_var *core_random_math(gen_ctx *c) { return core_math(c); }

#define W(decl, assign, aug, store, atomic, if_, for_, while_) {decl, assign, aug, store, atomic, if_, for_, while_}
#define W9(decl, assign, aug, store, atomic, if_, for_, while_, jump) \
	{decl, assign, aug, store, atomic, if_, for_, while_, jump}
#define FL (WT_BIT(WT_F32))
#define V3 (WT_BIT(WT_V3))
#define FLD (WT_BIT(WT_F32) | WT_BIT(WT_F64))
#define FDI (WT_BIT(WT_F32) | WT_BIT(WT_F64) | WT_BIT(WT_I32))

/* name, prefix, args, scalars, dtypes, features, depth, stmts, nest, weights, core */
static const gen_profile profiles[GEN_CATEGORY_COUNT] = {
	[GEN_ARITHMETIC] = {"arithmetic", "arith", 2, 5, 0, 0, FDI, FE_CAST | FE_BITS | FE_NEIGHBOR, 1, 3, 1, 4, 0,
	                    W(5, 2, 2, 2, 0, 0, 0, 0), core_arith},
	[GEN_CONDITIONAL] = {"conditional", "cond", 2, 5, 0, 0, FDI, FE_CAST | FE_SELECT | FE_NEIGHBOR, 1, 3, 1, 3, 1,
	                     W(4, 2, 2, 2, 0, 2, 0, 0), core_cond},
	[GEN_LOOP] = {"loop", "loop", 1, 4, 0, 1, FDI, FE_CAST | FE_NEIGHBOR, 1, 2, 1, 3, 1,
	              W(3, 2, 2, 1, 0, 0, 1, 1), core_loop},
	[GEN_MATH] = {"math", "math", 1, 4, 0, 0, FLD, FE_MATH | FE_CAST, 1, 3, 1, 4, 0,
	              W(5, 2, 2, 2, 0, 0, 0, 0), core_math},
	[GEN_VECTOR] = {"vector", "vec", 1, 4, 0, 0, FL | WT_VECS, FE_VEC | FE_MAT | FE_MATH, 1, 3, 1, 4, 0,
	                W(5, 2, 2, 2, 0, 0, 0, 0), core_vector},
	[GEN_ATOMIC] = {"atomic", "atomic", 1, 4, 0, 0, FDI | WT_BIT(WT_V3), FE_CAST | FE_NEIGHBOR, 1, 2, 0, 3, 1,
	                W(3, 1, 1, 0, 3, 1, 1, 0), core_atomic},
	[GEN_NESTED] = {"nested", "nested", 1, 4, 0, 1, FDI, FE_CAST | FE_NEIGHBOR, 1, 2, 0, 2, 1,
	                W(3, 2, 3, 1, 0, 1, 1, 0), core_nested},
	[GEN_MULTI_COND] = {"multi_cond", "multicond", 1, 5, 0, 0, FDI, FE_CAST | FE_SELECT, 1, 3, 0, 3, 1,
	                    W(4, 2, 2, 1, 0, 1, 0, 0), core_multi_cond},
	[GEN_COMBINED] = {"combined", "combined", 2, 5, 0, 1, FLD, FE_MATH | FE_CAST | FE_NEIGHBOR | FE_SELECT, 1, 3, 1, 3, 2,
	                  W(3, 2, 2, 1, 1, 2, 2, 1), core_combined},
	[GEN_SCALAR_PARAM] = {"scalar_param", "scalar", 2, 5, 1, 3, FDI, FE_CAST | FE_MATH, 1, 3, 1, 3, 1,
	                      W(4, 2, 2, 2, 0, 1, 1, 0), core_scalar},
	[GEN_RANDOM_MATH] = {"random_math", "randmath", 1, 4, 0, 1, FLD, FE_MATH | FE_CAST, 3, 6, 0, 2, 0,
	                     W(5, 2, 2, 2, 0, 0, 0, 0), core_random_math},
	/* beyond the seed dataset */
	[GEN_MATRIX] = {"matrix", "mat", 1, 4, 0, 1, FL | WT_VECS | WT_MATS, FE_VEC | FE_MAT | FE_MATX | FE_MATH | FE_STATIC,
	                1, 3, 1, 4, 1, W(5, 2, 2, 2, 0, 1, 1, 0), gen_core_matrix, NULL},
	[GEN_TRANSFORM] = {"transform", "xform", 1, 4, 0, 1,
	                   FL | V3 | WT_BIT(WT_QUAT) | WT_BIT(WT_XFORM) | WT_BIT(WT_SPATIAL),
	                   FE_VEC | FE_MAT | FE_XFORM | FE_MATX | FE_MATH, 1, 3, 1, 4, 1, W(5, 2, 2, 2, 0, 1, 1, 0),
	                   gen_core_transform, NULL},
	[GEN_STRUCT] = {"struct", "struct", 1, 4, 0, 1, FL | V3, FE_VEC | FE_MATH | FE_CAST, 1, 3, 1, 4, 1,
	                W(4, 3, 3, 2, 0, 1, 1, 0), gen_core_struct, gen_setup_struct},
	[GEN_FUNC] = {"func", "func", 1, 4, 0, 1, FDI | V3, FE_MATH | FE_CALL | FE_CAST | FE_SELECT | FE_VEC, 1, 3, 1, 4, 1,
	              W(5, 2, 2, 2, 0, 1, 1, 0), gen_core_func, gen_setup_func},
	[GEN_RANDOM] = {"random", "rand", 1, 4, 0, 2, FL | V3 | WT_BIT(WT_V2), FE_RAND | FE_MATH | FE_VEC, 1, 3, 1, 4, 1,
	                W(5, 2, 2, 2, 1, 1, 1, 0), gen_core_random, gen_setup_random},
	[GEN_BITWISE] = {"bitwise", "bits", 1, 4, 0, 1, WT_BIT(WT_I32), FE_BITS | FE_SHIFT | FE_NEIGHBOR | FE_STATIC, 1, 3, 1,
	                 4, 1, W(5, 2, 2, 2, 2, 1, 1, 0), gen_core_bitwise, NULL},
	[GEN_WHILE_BREAK] = {"while_break", "whilebrk", 1, 4, 0, 1, FDI, FE_CAST | FE_NEIGHBOR | FE_SELECT, 1, 2, 1, 3, 2,
	                     W9(3, 2, 2, 1, 0, 1, 1, 1, 4), gen_core_while, NULL},
	[GEN_MULTI_DIM] = {"multi_dim", "grid", 1, 4, 0, 1, FDI, FE_CAST | FE_NEIGHBOR | FE_MATH, 1, 3, 1, 4, 1,
	                   W(5, 2, 2, 2, 1, 1, 1, 0), gen_core_grid, gen_setup_grid},
	[GEN_QUATERNION] = {"quaternion", "quat", 1, 4, 0, 1, FL | V3 | WT_BIT(WT_QUAT), FE_VEC | FE_MAT | FE_MATX | FE_MATH,
	                    1, 3, 1, 4, 1, W(5, 2, 2, 2, 0, 1, 1, 0), gen_core_quat, NULL},
	[GEN_GEOMETRY] = {"geometry", "geom", 1, 4, 0, 1, FL | V3, FE_VEC | FE_MATH, 1, 2, 1, 3, 1,
	                  W(4, 2, 2, 2, 0, 1, 1, 0), gen_core_geom, gen_setup_geom},
	/* no stores or atomics: the core's tile_store writes the outputs */
	[GEN_TILE] = {"tile", "tile", 1, 4, 0, 1, FL, FE_MATH | FE_SELECT, 1, 2, 0, 3, 1, W(4, 2, 2, 0, 0, 1, 1, 0),
	              gen_core_tile, gen_setup_tile},
	/* the extra arrays are the setup's: the shared grammar never sees them */
	[GEN_DTYPES] = {"dtypes", "dtype", 1, 4, 0, 1, FDI, FE_CAST | FE_BITS | FE_SELECT | FE_NEIGHBOR, 1, 3, 1, 3, 1,
	                W(4, 2, 2, 2, 1, 1, 1, 0), gen_core_dtypes, gen_setup_dtypes},
	[GEN_LINALG] = {"linalg", "linalg", 1, 4, 0, 1, FL | WT_VECS, FE_VEC | FE_MAT | FE_MATX | FE_MATH, 1, 3, 1, 3, 1,
	                W(5, 2, 2, 2, 0, 1, 1, 0), gen_core_linalg, gen_setup_linalg},
};

const gen_profile *gen_profile_get(gen_category cat)
{
	return (unsigned)cat < GEN_CATEGORY_COUNT ? &profiles[cat] : &profiles[0];
}

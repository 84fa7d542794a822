/* expr_leaf: the leaves of expression trees: literals, variables, array
 * reads at in-bounds indices, conversions between scalar types, random draws
 * from the kernel's state and wp.static constants. The operators above them
 * are expr.c's; vectors' and matrices' leaves are expr_vec.c's. */
#include "gen/expr.h"

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

/* static = wp.static(lit op lit): a constant Warp folds at codegen time. */
static void gen_static(gen_ctx *c, wty t)
{
	rng *r = &c->r;
	c->top = 0;
	/* draws in separate statements: C leaves the order of a call's
	 * arguments unspecified, and the kernel must not depend on the compiler */
	if (t == WT_I32) {
		int b = rng_range(r, 1, 16), mul = rng_chance(r, 0.5), a = rng_range(r, 1, 16);
		buf_printf(c->b, "wp.static(%d %s %d)", a, mul ? "*" : "+", b);
	} else if (t == WT_F32) {
		int b = rng_range(r, 1, 9), div = rng_chance(r, 0.5), a = rng_range(r, 1, 9);
		buf_printf(c->b, "wp.static(%d.0 %s %d.0)", a, div ? "/" : "*", b);
	} else
		gen_const(c, t);
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

/* A readable scalar array whose element type is not t (read through a
 * conversion), or NULL. */
static const gen_arr *arr_pick_other(gen_ctx *c, wty t)
{
	int idx[GEN_MAX_ARRS], n = 0;
	for (int i = 0; i < c->narr; i++) {
		const gen_arr *a = &c->arr[i];
		if (a->in && a->dtype != t && wty_is_scalar(a->dtype))
			idx[n++] = i;
	}
	return n ? &c->arr[idx[rng_below(&c->r, (uint32_t)n)]] : NULL;
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
	const gen_arr *x = (c->feat & FE_CAST) ? arr_pick_other(c, t) : NULL;
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
			gen_put(c, ", ");
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

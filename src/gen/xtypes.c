/* xtypes: the dtypes and linalg profiles: the parts of Warp's type system
 * the shared expression grammar (float32/float64/int32, square float32
 * matrices) does not model. dtypes: arrays of int8..uint64 and float16,
 * indexed and fabric arrays, vectors of half/double/int components,
 * conversions, wp.cast bit reinterpretation, wp.block_dim, printf. linalg:
 * non-square matrix types declared at module level, spatial matrices,
 * float64 matrices. Each value is built by a fixed template around random
 * float32 expressions, and every template is safe: no integer overflow in
 * signed arithmetic (int64 products stay far below 2^63, narrow unsigned
 * values are never multiplied since C++ promotes them to int), shifts by
 * literals below the width, divisors and moduli are non-zero literals. */
#include "gen/ctx.h"

#include <stdio.h>
#include <string.h>

/* The element types and containers the shared grammar lacks. A dtypes
 * kernel reads one or two inputs of them and may write one output. */
typedef struct xdtype {
	const char *spell; /* element type ("wp.int8") or whole annotation ("wp.indexedarray(...)") */
	const char *ctor;  /* conversion to the element type, NULL for float containers */
	int kind;          /* X_INT, X_HALF, X_CONTAINER */
	int lo, hi;        /* for int outputs: clamp range before converting */
	unsigned char wide;    /* 64-bit ints: reads reduced modulo a literal first */
	unsigned char noshape; /* no .shape in kernels (gen_arr.noshape) */
} xdtype;

enum { X_INT, X_HALF, X_CONTAINER };

static const xdtype xdtypes[] = {
	{"wp.int8", "wp.int8", X_INT, -100, 100, 0, 0},
	{"wp.uint8", "wp.uint8", X_INT, 0, 255, 0, 0},
	{"wp.int16", "wp.int16", X_INT, -30000, 30000, 0, 0},
	{"wp.uint16", "wp.uint16", X_INT, 0, 60000, 0, 0},
	{"wp.int64", "wp.int64", X_INT, -1000000, 1000000, 1, 0},
	{"wp.uint32", "wp.uint32", X_INT, 0, 1000000, 0, 0},
	{"wp.uint64", "wp.uint64", X_INT, 0, 1000000, 1, 0},
	{"wp.float16", "wp.float16", X_HALF, 0, 0, 0, 0},
	{"wp.indexedarray(dtype=float)", NULL, X_CONTAINER, 0, 0, 0, 0},
	{"wp.indexedarray1d(dtype=float)", NULL, X_CONTAINER, 0, 0, 0, 0},
	{"wp.fabricarray(dtype=float)", NULL, X_CONTAINER, 0, 0, 0, 1},
};
enum { XD_COUNT = sizeof xdtypes / sizeof *xdtypes, XD_SCALARS = 8 };

/* The dtypes profile's extra arrays, between its setup and core. */
typedef struct xstate {
	int arr[2], dt[2], n; /* c->arr indices and xdtypes entries of the inputs */
	int out, out_dt;      /* an extra output (c->arr index), or -1 */
} xstate;

static _Thread_local xstate X;

/* An extra array: invisible to the shared grammar (in = out = 0, like the
 * struct profile's arrays), its annotation in sname. */
static int add_xarr(gen_ctx *c, const char *name, const xdtype *d)
{
	if (c->narr >= GEN_MAX_ARRS)
		return -1;
	gen_arr *a = &c->arr[c->narr];
	memset(a, 0, sizeof *a);
	snprintf(a->name, sizeof a->name, "%s", name);
	a->sname = d->spell;
	a->dtype = WT_ANY;
	a->ndim = 1;
	a->noshape = d->noshape;
	return c->narr++;
}

/* phase 0: one or two inputs of narrow/wide/half element types or of
 * indexed/fabric containers, and sometimes an output of one of them. */
void gen_setup_dtypes(gen_ctx *c, int phase)
{
	static const char *const ins[] = {"codes", "labels", "keys", "raw", "samples", "levels", "counts", "packed_in"};
	static const char *const outs[] = {"quant", "packed", "codes_out", "narrow"};
	rng *r = &c->r;
	if (phase != 0)
		return;
	X.n = 0;
	X.out = -1;
	int n = rng_chance(r, 0.4) ? 2 : 1;
	for (int i = 0; i < n; i++) {
		int dt = (int)rng_below(r, XD_COUNT);
		int k = add_xarr(c, ins[(i * 4 + (int)rng_below(r, 4)) % 8], &xdtypes[dt]);
		if (k < 0)
			break;
		X.arr[X.n] = k;
		X.dt[X.n++] = dt;
	}
	if (rng_chance(r, 0.5)) {
		int dt = (int)rng_below(r, XD_SCALARS);
		X.out = add_xarr(c, outs[rng_below(r, 4)], &xdtypes[dt]);
		X.out_dt = dt;
	}
	c->types |= WT_BIT(WT_F32) | WT_BIT(WT_I32);
}

/* A local of a type outside the shared grammar: written, never reused by
 * it; the suffix counter is the grammar's, so names never repeat. */
static void local_name(gen_ctx *c, char *out, const char *base) { snprintf(out, GEN_NAME, "%s%d", base, c->fresh++); }

/* name "=" text: a float32 local whose right-hand side the caller writes. */
static gen_var *start_f(gen_ctx *c, const char *base) { return gen_decl_start(c, base, WT_F32); }

static void end_f(gen_ctx *c, gen_var *v)
{
	gen_put(c, "\n");
	gen_decl_finish(v, WT_F32);
}

/* x = float(e[tid]): an extra input read as float32 (integers reduced
 * modulo a literal first when they may exceed float's exact range). */
static const gen_var *read_x(gen_ctx *c, int i)
{
	const gen_arr *a = &c->arr[X.arr[i]];
	const xdtype *d = &xdtypes[X.dt[i]];
	gen_var *v = start_f(c, "x");
	if (!v)
		return NULL;
	if (d->wide && rng_chance(&c->r, 0.5))
		buf_printf(c->b, "float(%s[%s] %% %s(%d))", a->name, c->tid[0], d->ctor, rng_range(&c->r, 3, 1000));
	else
		buf_printf(c->b, "%s(%s[%s])", rng_chance(&c->r, 0.5) ? "float" : "wp.float32", a->name, c->tid[0]);
	end_f(c, v);
	return v;
}

/* One typed computation, converted back to float32 at the end. */
static const gen_var *typed_value(gen_ctx *c, const gen_var *x)
{
	rng *r = &c->r;
	char h[GEN_NAME];
	gen_var *v;
	switch (rng_below(r, 7)) {
	case 0: /* half precision arithmetic */
		local_name(c, h, "h");
		gen_line(c);
		buf_printf(c->b, "%s = wp.float16(", h);
		gen_arg(c, WT_F32, 1);
		gen_put(c, ")\n");
		gen_line(c);
		buf_printf(c->b, "%s = %s * wp.float16(%d.5) + wp.float16(%s)\n", h, h, rng_range(r, 0, 2), x ? x->name : "1.0");
		v = start_f(c, "hf");
		if (v) {
			buf_printf(c->b, "float(%s)", h);
			end_f(c, v);
		}
		return v;
	case 1: /* int64: tid * K + L with K <= 100003 never nears 2^63 */
		local_name(c, h, "k");
		gen_line(c);
		buf_printf(c->b, "%s = wp.int64(%s) * wp.int64(%d) + wp.int64(%d)\n", h, c->tid[0], rng_range(r, 3, 100003),
		           rng_range(r, 0, 999));
		v = start_f(c, "kf");
		if (v) {
			buf_printf(c->b, "float(%s %% wp.int64(%d))", h, rng_range(r, 2, 997));
			end_f(c, v);
		}
		return v;
	case 2: /* uint32 hash: unsigned wrap-around is defined */
		local_name(c, h, "u");
		gen_line(c);
		buf_printf(c->b, "%s = wp.uint32(%s) * wp.uint32(%s)\n", h, c->tid[0],
		           rng_chance(r, 0.5) ? "2654435761" : "2246822519");
		gen_line(c);
		buf_printf(c->b, "%s = %s ^ (%s >> wp.uint32(%d))\n", h, h, h, rng_range(r, 5, 17));
		v = start_f(c, "uf");
		if (v) {
			buf_printf(c->b, "float(%s %% wp.uint32(%d)) * 0.001", h, rng_range(r, 100, 1000));
			end_f(c, v);
		}
		return v;
	case 3: /* reinterpretation of a float's bits */
		if (!x)
			return NULL;
		local_name(c, h, "bits");
		gen_line(c);
		buf_printf(c->b, "%s = wp.cast(%s, wp.uint32)\n", h, x->name);
		v = start_f(c, "bf");
		if (v) {
			buf_printf(c->b, "float((%s >> wp.uint32(%d)) & wp.uint32(%d))", h, rng_range(r, 0, 23), rng_range(r, 15, 1023));
			end_f(c, v);
		}
		return v;
	case 4: /* double precision */
		v = start_f(c, "df");
		if (v) {
			gen_put(c, "float(wp.float64(");
			gen_arg(c, WT_F32, 1);
			buf_printf(c->b, ") * wp.float64(%d.25) - wp.float64(%d.0))", rng_range(r, 0, 3), rng_range(r, 0, 9));
			end_f(c, v);
		}
		return v;
	case 5: { /* vectors of half, double and int components */
		static const char *const fv[] = {"wp.vec3h", "wp.vec3d", "wp.vec2h", "wp.vec4d", "wp.vec2d"};
		static const char *const fc[] = {"wp.float16", "wp.float64", "wp.float16", "wp.float64", "wp.float64"};
		static const int fn[] = {3, 3, 2, 4, 2};
		local_name(c, h, "w");
		v = NULL;
		if (rng_chance(r, 0.4)) {
			/* int vector: components below 100, so dot stays tiny */
			int n = rng_range(r, 2, 4);
			gen_line(c);
			buf_printf(c->b, "%s = wp.vec%di(%s %% %d", h, n, c->tid[0], rng_range(r, 2, 99));
			for (int i = 1; i < n; i++)
				buf_printf(c->b, ", %d", rng_range(r, -9, 9));
			gen_put(c, ")\n");
			v = start_f(c, "vf");
			if (v) {
				buf_printf(c->b, "float(wp.dot(%s, %s) + %s[%d])", h, h, h, rng_range(r, 0, n - 1));
				end_f(c, v);
			}
			return v;
		}
		int k = (int)rng_below(r, 5);
		gen_line(c);
		buf_printf(c->b, "%s = %s(", h, fv[k]);
		for (int i = 0; i < fn[k]; i++) {
			buf_printf(c->b, "%s%s(", i ? ", " : "", fc[k]);
			if (i == 0 || rng_chance(r, 0.5))
				gen_arg(c, WT_F32, 1);
			else
				gen_lit(c, WT_F32);
			gen_put(c, ")");
		}
		gen_put(c, ")\n");
		v = start_f(c, "vf");
		if (v) {
			buf_printf(c->b, "float(wp.length(%s) + %s[%d])", h, h, rng_range(r, 0, fn[k] - 1));
			end_f(c, v);
		}
		return v;
	}
	default: { /* the lane within the block: an index >= 0 */
		local_name(c, h, "lane");
		gen_line(c);
		buf_printf(c->b, "%s = %s %% wp.block_dim()\n", h, c->tid[0]);
		gen_var_add(c, h, WT_I32, VAR_INDEX);
		v = start_f(c, "lf");
		if (v) {
			buf_printf(c->b, "float(%s) * ", h);
			gen_sub(c, WT_F32, 1, 1);
			end_f(c, v);
		}
		return v;
	}
	}
}

/* dtypes = x = float(e[tid]) ... NEWLINE typed values NEWLINE r = x + ...
 *          ["if" tid == 0 ":" printf] [o[tid] = T(clamp(r))] */
const gen_var *gen_core_dtypes(gen_ctx *c)
{
	rng *r = &c->r;
	const gen_var *x = NULL, *parts[4];
	int np = 0;
	for (int i = 0; i < X.n; i++)
		if ((x = read_x(c, i)) != NULL)
			parts[np++] = x;
	for (int k = rng_range(r, 1, 2); k > 0 && np < 4; k--) {
		const gen_var *v = typed_value(c, x);
		if (v)
			parts[np++] = v;
	}
	gen_var *s = start_f(c, "mix");
	if (!s)
		return np ? parts[np - 1] : NULL;
	for (int i = 0; i < np; i++)
		buf_printf(c->b, "%s%s", i ? " + " : "", parts[i]->name);
	if (!np)
		gen_sub(c, WT_F32, 1, 1);
	end_f(c, s);
	if (rng_chance(r, 0.3)) {
		gen_line(c);
		buf_printf(c->b, "if %s == 0:\n", c->tid[0]);
		gen_line(c);
		if (rng_chance(r, 0.7))
			buf_printf(c->b, "    wp.printf(\"%s=%%d %s=%%f\\n\", %s, %s)\n", c->tid[0], s->name, c->tid[0], s->name);
		else
			buf_printf(c->b, "    print(%s)\n", s->name);
	}
	if (X.out >= 0) {
		const xdtype *d = &xdtypes[X.out_dt];
		gen_line(c);
		buf_printf(c->b, "%s[%s] = %s(", c->arr[X.out].name, c->tid[0], d->ctor);
		if (d->kind == X_HALF)
			buf_printf(c->b, "%s)\n", s->name);
		else
			buf_printf(c->b, "wp.clamp(%s, %d.0, %d.0))\n", s->name, d->lo, d->hi);
	}
	return s;
}

/* The linalg profile's module-level types, between its setup and core. */
static _Thread_local struct {
	int rows, cols;
	char name[8];
} L;

/* phase 0: `matRC = wp.types.matrix(shape=(R, C), dtype=wp.float32)`, a
 * non-square matrix type the kernel constructs by name. */
void gen_setup_linalg(gen_ctx *c, int phase)
{
	static const int shapes[][2] = {{2, 3}, {3, 2}, {3, 4}, {4, 3}, {2, 4}, {4, 2}};
	rng *r = &c->r;
	if (phase != 0)
		return;
	int k = (int)rng_below(r, 6);
	L.rows = shapes[k][0];
	L.cols = shapes[k][1];
	snprintf(L.name, sizeof L.name, "mat%d%d", L.rows, L.cols);
	buf_printf(c->b, "%s = wp.types.matrix(shape=(%d, %d), dtype=%s)\n\n\n", L.name, L.rows, L.cols,
	           rng_chance(r, 0.5) ? "wp.float32" : "float");
	c->types |= WT_BIT(WT_F32) | WT_BIT(wty_vec(L.rows)) | WT_BIT(wty_vec(L.cols));
}

/* wp.vecN(e, ..., e) of float32 expressions. */
static void vec_of(gen_ctx *c, int n)
{
	buf_printf(c->b, "wp.vec%d(", n);
	for (int i = 0; i < n; i++) {
		if (i)
			gen_put(c, ", ");
		gen_arg(c, WT_F32, 1);
	}
	gen_put(c, ")");
}

// nonsquare = m = matRC(e...) NEWLINE y = m @ vecC NEWLINE g = m @ wp.transpose(m) | wp.outer(..) ...
static const gen_var *nonsquare(gen_ctx *c)
{
	rng *r = &c->r;
	int R = L.rows, C = L.cols;
	char m[GEN_NAME], o[GEN_NAME];
	local_name(c, m, "m");
	gen_line(c);
	if (rng_chance(r, 0.7)) {
		buf_printf(c->b, "%s = %s(", m, L.name);
		for (int i = 0; i < R * C; i++) {
			if (i)
				gen_put(c, ", ");
			if (rng_chance(r, 0.4))
				gen_arg(c, WT_F32, 1);
			else
				gen_lit(c, WT_F32);
		}
		gen_put(c, ")\n");
	} else {
		buf_printf(c->b, "%s = wp.outer(", m);
		vec_of(c, R);
		gen_put(c, ", ");
		vec_of(c, C);
		gen_put(c, ")\n");
	}
	gen_var *y = gen_decl_start(c, "y", wty_vec(R));
	if (!y)
		return NULL;
	buf_printf(c->b, "%s @ ", m);
	vec_of(c, C);
	gen_put(c, "\n");
	gen_decl_finish(y, wty_vec(R));
	gen_var *g = gen_decl_start(c, "g", wty_mat(R));
	if (!g)
		return y;
	if (rng_chance(r, 0.5))
		buf_printf(c->b, "%s @ wp.transpose(%s)\n", m, m);
	else
		buf_printf(c->b, "wp.mul(%s, wp.transpose(%s)) + wp.identity(n=%d, dtype=float)\n", m, m, R);
	gen_decl_finish(g, wty_mat(R));
	local_name(c, o, "t");
	gen_line(c);
	buf_printf(c->b, "%s = %s * ", o, m);
	gen_lit(c, WT_F32);
	buf_printf(c->b, " - wp.outer(%s, ", y->name);
	vec_of(c, C);
	gen_put(c, ")\n");
	gen_var *s = start_f(c, "s");
	if (!s)
		return g;
	switch (rng_below(r, 3)) {
	case 0: buf_printf(c->b, "wp.ddot(%s, %s) + wp.determinant(%s)", m, o, g->name); break;
	case 1: buf_printf(c->b, "wp.trace(%s) + %s[%d, %d]", g->name, o, rng_range(r, 0, R - 1), rng_range(r, 0, C - 1)); break;
	default: buf_printf(c->b, "wp.length(%s) + wp.ddot(%s, %s)", y->name, o, o); break;
	}
	end_f(c, s);
	return s;
}

/* spatial = T = wp.spatial_adjoint(R, wp.skew(p) @ R) | I6 * k + wp.outer(sv, sv)
 *           NEWLINE f = T @ sv NEWLINE s = wp.spatial_dot(f, sv) ... */
static const gen_var *spatial(gen_ctx *c)
{
	rng *r = &c->r;
	char sv[GEN_NAME], T[GEN_NAME], f[GEN_NAME];
	local_name(c, sv, "sv");
	gen_line(c);
	buf_printf(c->b, "%s = wp.spatial_vector(", sv);
	vec_of(c, 3);
	gen_put(c, ", ");
	vec_of(c, 3);
	gen_put(c, ")\n");
	local_name(c, T, "T");
	gen_line(c);
	if (rng_chance(r, 0.5)) {
		char R[GEN_NAME];
		local_name(c, R, "R");
		buf_printf(c->b, "%s = wp.quat_to_matrix(wp.quat_from_axis_angle(wp.normalize(", R);
		vec_of(c, 3);
		gen_put(c, " + wp.vec3(0.0, 0.0, 1.0e-3)), ");
		gen_arg(c, WT_F32, 1);
		gen_put(c, "))\n");
		gen_line(c);
		buf_printf(c->b, "%s = wp.spatial_adjoint(%s, wp.skew(", T, R);
		vec_of(c, 3);
		buf_printf(c->b, ") @ %s)\n", R);
	} else {
		buf_printf(c->b, "%s = wp.identity(n=6, dtype=float) * ", T);
		gen_lit(c, WT_F32);
		buf_printf(c->b, " + wp.outer(%s, %s)\n", sv, sv);
	}
	local_name(c, f, "f");
	gen_line(c);
	buf_printf(c->b, "%s = %s @ %s\n", f, T, sv);
	gen_var *s = start_f(c, "s");
	if (!s)
		return NULL;
	switch (rng_below(r, 3)) {
	case 0: buf_printf(c->b, "wp.spatial_dot(%s, %s)", f, sv); break;
	case 1: buf_printf(c->b, "wp.length(wp.spatial_top(%s)) + wp.dot(wp.spatial_bottom(%s), wp.spatial_top(%s))", f, f, sv); break;
	default: buf_printf(c->b, "wp.spatial_dot(wp.spatial_cross(%s, %s), %s) + %s[%d, %d]", sv, f, sv, T, rng_range(r, 0, 5), rng_range(r, 0, 5)); break;
	}
	end_f(c, s);
	return s;
}

// double = md = wp.mat22d(...) | wp.mat33d(...) NEWLINE s = float(wp.determinant(md) ...)
static const gen_var *double_mat(gen_ctx *c)
{
	rng *r = &c->r;
	int n = rng_range(r, 2, 3);
	char m[GEN_NAME];
	local_name(c, m, "md");
	gen_line(c);
	buf_printf(c->b, "%s = wp.mat%d%dd(", m, n, n);
	for (int i = 0; i < n * n; i++) {
		gen_put(c, i ? ", wp.float64(" : "wp.float64(");
		if (rng_chance(r, 0.4))
			gen_arg(c, WT_F32, 1);
		else
			gen_lit(c, WT_F32);
		gen_put(c, ")");
	}
	gen_put(c, ")\n");
	gen_var *s = start_f(c, "s");
	if (!s)
		return NULL;
	buf_printf(c->b, "float(wp.determinant(%s) + wp.trace(wp.transpose(%s) @ %s))", m, m, m);
	end_f(c, s);
	return s;
}

/* linalg = one or two of: nonsquare, spatial, double; then r = s + s' */
const gen_var *gen_core_linalg(gen_ctx *c)
{
	rng *r = &c->r;
	const gen_var *a = nonsquare(c), *b = NULL;
	int k = (int)rng_below(r, 3);
	if (k == 1)
		b = spatial(c);
	else if (k == 2)
		b = double_mat(c);
	if (!a || !b || a->type != WT_F32 || b->type != WT_F32)
		return b ? b : a;
	gen_var *s = start_f(c, "res");
	if (!s)
		return b;
	buf_printf(c->b, "%s + %s", a->name, b->name);
	end_f(c, s);
	return s;
}

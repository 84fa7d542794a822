/* core_dtypes: the core of the dtypes category: the element types and
 * containers the shared expression grammar (float32/float64/int32) does not
 * model: arrays of int8..uint64 and float16, indexed and fabric arrays,
 * vectors of half/double/int components, conversions, wp.cast bit
 * reinterpretation, wp.block_dim, printf. Each value is built by a fixed
 * template around random float32 expressions, and every template is safe:
 * no integer overflow in signed arithmetic (int64 products stay far below
 * 2^63, narrow unsigned values are never multiplied since C++ promotes them
 * to int), shifts by literals below the width, divisors and moduli are
 * non-zero literals. */
#include "gen/core.h"

#include <stdio.h>
#include <string.h>

#include "gen/expr.h"
#include "gen/stmt.h"

/* The element types and containers the shared grammar lacks. A dtypes
 * kernel reads one or two inputs of them and may write one output. */
typedef struct dtype_spec {
	const char *spell; /* element type ("wp.int8") or whole annotation ("wp.indexedarray(...)") */
	const char *ctor;  /* conversion to the element type, NULL for float containers */
	int kind;          /* DT_INT, DT_HALF, DT_CONTAINER */
	int lo, hi;        /* for int outputs: clamp range before converting */
	unsigned char wide;    /* 64-bit ints: reads reduced modulo a literal first */
	unsigned char noshape; /* no .shape in kernels (gen_arr.noshape) */
} dtype_spec;

enum { DT_INT, DT_HALF, DT_CONTAINER };

static const dtype_spec dtype_specs[] = {
	{.spell = "wp.int8", .ctor = "wp.int8", .kind = DT_INT, .lo = -100, .hi = 100},
	{.spell = "wp.uint8", .ctor = "wp.uint8", .kind = DT_INT, .lo = 0, .hi = 255},
	{.spell = "wp.int16", .ctor = "wp.int16", .kind = DT_INT, .lo = -30000, .hi = 30000},
	{.spell = "wp.uint16", .ctor = "wp.uint16", .kind = DT_INT, .lo = 0, .hi = 60000},
	{.spell = "wp.int64", .ctor = "wp.int64", .kind = DT_INT, .lo = -1000000, .hi = 1000000, .wide = 1},
	{.spell = "wp.uint32", .ctor = "wp.uint32", .kind = DT_INT, .lo = 0, .hi = 1000000},
	{.spell = "wp.uint64", .ctor = "wp.uint64", .kind = DT_INT, .lo = 0, .hi = 1000000, .wide = 1},
	{.spell = "wp.float16", .ctor = "wp.float16", .kind = DT_HALF},
	/* the containers last: outputs draw from the DT_SCALARS entries before them */
	{.spell = "wp.indexedarray(dtype=float)", .kind = DT_CONTAINER},
	{.spell = "wp.indexedarray1d(dtype=float)", .kind = DT_CONTAINER},
	{.spell = "wp.fabricarray(dtype=float)", .kind = DT_CONTAINER, .noshape = 1},
};
enum { DT_COUNT = sizeof dtype_specs / sizeof *dtype_specs, DT_SCALARS = 8 };

/* The arrays of those types a dtypes kernel has, between its setup and core. */
typedef struct dtypes_state {
	int arr[2], dt[2], n; /* c->arr indices and dtype_specs entries of the inputs */
	int out, out_dt;      /* the output of one of them (c->arr index), or -1 */
} dtypes_state;

static _Thread_local dtypes_state D;

/* An array of one of those types: invisible to the shared grammar (in = out
 * = 0, like the struct category's arrays), its annotation in sname. */
static int add_typed_arr(gen_ctx *c, const char *name, const dtype_spec *d)
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
	D.n = 0;
	D.out = -1;
	int n = rng_chance(r, 0.4) ? 2 : 1;
	for (int i = 0; i < n; i++) {
		int dt = (int)rng_below(r, DT_COUNT);
		int k = add_typed_arr(c, ins[(i * 4 + (int)rng_below(r, 4)) % 8], &dtype_specs[dt]);
		if (k < 0)
			break;
		D.arr[D.n] = k;
		D.dt[D.n++] = dt;
	}
	if (rng_chance(r, 0.5)) {
		int dt = (int)rng_below(r, DT_SCALARS);
		D.out = add_typed_arr(c, outs[rng_below(r, 4)], &dtype_specs[dt]);
		D.out_dt = dt;
	}
	c->types |= WT_BIT(WT_F32) | WT_BIT(WT_I32);
}

/* A local of a type outside the shared grammar: written, never reused by
 * it; the suffix counter is the grammar's, so names never repeat. */

/* name "=" text: a float32 local whose right-hand side the caller writes. */
static gen_var *start_f(gen_ctx *c, const char *base) { return gen_decl_start(c, base, WT_F32); }

static void end_f(gen_ctx *c, gen_var *v)
{
	gen_put(c, "\n");
	gen_decl_finish(v, WT_F32);
}

/* x = float(e[tid]): one of those inputs read as float32 (integers reduced
 * modulo a literal first when they may exceed float's exact range). */
static const gen_var *read_input(gen_ctx *c, int i)
{
	const gen_arr *a = &c->arr[D.arr[i]];
	const dtype_spec *d = &dtype_specs[D.dt[i]];
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
		gen_fresh_name(c, h, "h");
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
		gen_fresh_name(c, h, "k");
		gen_line(c);
		{
			int add = rng_range(r, 0, 999), mul = rng_range(r, 3, 100003);
			buf_printf(c->b, "%s = wp.int64(%s) * wp.int64(%d) + wp.int64(%d)\n", h, c->tid[0],
				   mul, add);
		}
		v = start_f(c, "kf");
		if (v) {
			buf_printf(c->b, "float(%s %% wp.int64(%d))", h, rng_range(r, 2, 997));
			end_f(c, v);
		}
		return v;
	case 2: /* uint32 hash: unsigned wrap-around is defined */
		gen_fresh_name(c, h, "u");
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
		gen_fresh_name(c, h, "bits");
		gen_line(c);
		buf_printf(c->b, "%s = wp.cast(%s, wp.uint32)\n", h, x->name);
		v = start_f(c, "bf");
		if (v) {
			int mask = rng_range(r, 15, 1023), shift = rng_range(r, 0, 23);
			buf_printf(c->b, "float((%s >> wp.uint32(%d)) & wp.uint32(%d))", h, shift, mask);
			end_f(c, v);
		}
		return v;
	case 4: /* double precision */
		v = start_f(c, "df");
		if (v) {
			gen_put(c, "float(wp.float64(");
			gen_arg(c, WT_F32, 1);
			int sub = rng_range(r, 0, 9), mul = rng_range(r, 0, 3);
			buf_printf(c->b, ") * wp.float64(%d.25) - wp.float64(%d.0))", mul, sub);
			end_f(c, v);
		}
		return v;
	case 5: { /* vectors of half, double and int components */
		static const char *const fv[] = {"wp.vec3h", "wp.vec3d", "wp.vec2h", "wp.vec4d", "wp.vec2d"};
		static const char *const fc[] = {"wp.float16", "wp.float64", "wp.float16", "wp.float64", "wp.float64"};
		static const int fn[] = {3, 3, 2, 4, 2};
		gen_fresh_name(c, h, "w");
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
		gen_fresh_name(c, h, "lane");
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
	for (int i = 0; i < D.n; i++)
		if ((x = read_input(c, i)) != NULL)
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
	if (D.out >= 0) {
		const dtype_spec *d = &dtype_specs[D.out_dt];
		gen_line(c);
		buf_printf(c->b, "%s[%s] = %s(", c->arr[D.out].name, c->tid[0], d->ctor);
		if (d->kind == DT_HALF)
			buf_printf(c->b, "%s)\n", s->name);
		else
			buf_printf(c->b, "wp.clamp(%s, %d.0, %d.0))\n", s->name, d->lo, d->hi);
	}
	return s;
}

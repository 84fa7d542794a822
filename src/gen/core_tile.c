/* core_tile: the core of the tile category: kernels for wp.launch_tiled,
 * where wp.tid() is a tile's coordinate and the block's threads share tiles
 * of compile-time shape (module-level constants): tile_load, tile_map,
 * arithmetic on tiles, reductions, tile_transpose, tile_broadcast,
 * tile_matmul, tile_store. Tile values are not in the variable table: only
 * the core touches them, at the top level of the body, so every thread of a
 * block reaches every tile call. */
#include "gen/core.h"

#include <stdio.h>
#include <string.h>

#include "gen/expr.h"
#include "gen/stmt.h"

/* The tile shape of the kernel being generated, set by the setup. */
typedef struct tdef {
	int dims;     /* 1 or 2 */
	int square;   /* 2D with M == N: transposes keep the shape */
	char m[16], n[16], k[16]; /* constant names: rows, columns, matmul depth */
} tdef;

static _Thread_local tdef T;

/* tile_matmul needs the worker to give ModuleBuilder the option
 * output_arch (None, as Warp does for codegen without a device): it does. */
enum { TILE_MATMUL = 1 };

/* phase 0: the shape constants above the kernel; arrays 1D or 2D like the
 * launch grid, whose coordinates are named i (, j). */
void gen_setup_tile(gen_ctx *c, int phase)
{
	static const char *const stem[] = {"TILE", "BLOCK"};
	static const int sizes[] = {4, 8, 16, 32};
	rng *r = &c->r;
	if (phase != 0)
		return;
	memset(&T, 0, sizeof T);
	T.dims = rng_chance(r, 0.5) ? 2 : 1;
	const char *s = stem[rng_below(r, 2)];
	int wrap = rng_chance(r, 0.4); /* NAME = wp.constant(K) or NAME = K */
	if (T.dims == 1) {
		snprintf(T.m, sizeof T.m, "%s%s", s, rng_chance(r, 0.5) ? "" : "_SIZE");
		int n = 8 << rng_below(r, 5); /* 8..128 */
		buf_printf(c->b, wrap ? "%s = wp.constant(%d)\n" : "%s = %d\n", T.m, n);
	} else {
		int m = sizes[rng_below(r, 4)], n = rng_chance(r, 0.5) ? m : sizes[rng_below(r, 4)];
		T.square = m == n;
		snprintf(T.m, sizeof T.m, "%s_M", s);
		snprintf(T.n, sizeof T.n, "%s_N", s);
		snprintf(T.k, sizeof T.k, "%s_K", s);
		buf_printf(c->b, wrap ? "%s = wp.constant(%d)\n%s = wp.constant(%d)\n%s = wp.constant(%d)\n"
		                      : "%s = %d\n%s = %d\n%s = %d\n",
		           T.m, m, T.n, n, T.k, sizes[rng_below(r, 3)]);
	}
	gen_put(c, "\n\n");
	c->ntid = T.dims;
	c->tid[0] = "i";
	c->tid[1] = "j";
	for (int a = 0; a < c->narr; a++)
		c->arr[a].ndim = (unsigned char)T.dims;
	c->types |= WT_BIT(WT_F32);
}

/* "shape=(M, N)" / "shape=M" and the matching "offset=(i * M, j * N)". */
static void shape_args(gen_ctx *c, const char *m, const char *n, const char *oi, const char *oj)
{
	if (T.dims == 1) {
		buf_printf(c->b, "shape=%s, offset=%s * %s", m, oi, m);
		return;
	}
	buf_printf(c->b, "shape=(%s, %s), offset=(%s * %s, %s * %s)", m, n, oi, m, oj, n);
}

/* Every tile gets a fresh name (gen_fresh_name): a tile never changes shape
 * or dtype once named. */

/* load = name "=" wp.tile_load(a, shape=..., offset=... [, storage="shared"]) */
static void gen_tile_load(gen_ctx *c, const gen_arr *a, char *name)
{
	gen_line(c);
	buf_printf(c->b, "%s = wp.tile_load(%s, ", gen_fresh_name(c, name, "t"), a->name);
	shape_args(c, T.m, T.n, c->tid[0], c->tid[1]);
	if (rng_chance(&c->r, 0.25))
		gen_put(c, ", storage=\"shared\"");
	gen_put(c, ")\n");
}

/* A float32 scalar operand for broadcasting over a tile: a variable when
 * there is one, else a literal. */
static void scalar_arg(gen_ctx *c)
{
	const gen_var *v = gen_var_pick(c, WT_F32, 0);
	if (v && rng_chance(&c->r, 0.6))
		gen_put(c, v->name);
	else
		gen_lit(c, WT_F32);
}

/* "shape=M" or "shape=(M, N)": the kernel's tile shape. */
static void put_shape(gen_ctx *c)
{
	if (T.dims == 1)
		buf_printf(c->b, "shape=%s", T.m);
	else
		buf_printf(c->b, "shape=(%s, %s)", T.m, T.n);
}

/* top = wp.tile_map(unary, t) | wp.tile_map(binary, t, u) | wp.tile_map(binary, t, s)
 *     | t ("+" | "-") u | t "*" s | s "*" t
 *     | wp.tile_scan_(inclusive | exclusive | max_inclusive | min_inclusive)(t)
 *     | wp.tile_astype(wp.tile_astype(t, dtype=wp.float64), dtype=float)
 *     | t "+" wp.tile_full(shape, value, dtype=float) | wp.tile_zeros(shape, dtype=float) "-" t
 *     | wp.tile_broadcast(row, shape=(M, N)) "+" t  (2D: row a 1 x N tile)
 *     | t "*" wp.tile_arange(M, dtype=float) | wp.tile_map(wp.add, t, wp.tile_ones(...))  (1D)
 *     | wp.tile_transpose(t)  (square 2D only)
 * t, u tiles of the common shape; writes `name = top`. */
static void gen_tile_op(gen_ctx *c, const char *t, const char *u, char *name)
{
	static const char *const un[] = {"wp.sin", "wp.cos", "wp.tanh", "wp.abs", "wp.floor", "wp.ceil", "wp.neg"};
	static const char *const bin[] = {"wp.add", "wp.sub", "wp.mul", "wp.min", "wp.max"};
	static const char *const scan[] = {"inclusive", "exclusive", "max_inclusive", "min_inclusive"};
	rng *r = &c->r;
	gen_line(c);
	buf_printf(c->b, "%s = ", gen_fresh_name(c, name, "t"));
	switch (rng_below(r, T.square ? 11 : 10)) {
	case 0: buf_printf(c->b, "wp.tile_map(%s, %s)\n", un[rng_below(r, 7)], t); break;
	case 1: buf_printf(c->b, "wp.tile_map(%s, %s, %s)\n", bin[rng_below(r, 5)], t, u); break;
	case 2:
		buf_printf(c->b, "wp.tile_map(%s, %s, ", bin[rng_below(r, 5)], t);
		scalar_arg(c);
		gen_put(c, ")\n");
		break;
	case 3: buf_printf(c->b, "%s %s %s\n", t, rng_chance(r, 0.6) ? "+" : "-", u); break;
	case 4:
		if (rng_chance(r, 0.5)) {
			buf_printf(c->b, "%s * ", t);
			scalar_arg(c);
		} else {
			scalar_arg(c);
			buf_printf(c->b, " * %s", t);
		}
		gen_put(c, "\n");
		break;
	case 5: buf_printf(c->b, "wp.tile_scan_%s(%s)\n", scan[rng_below(r, 4)], t); break;
	case 6: buf_printf(c->b, "wp.tile_astype(wp.tile_astype(%s, dtype=wp.float64), dtype=float)\n", t); break;
	case 7:
		if (rng_chance(r, 0.5)) {
			buf_printf(c->b, "%s + wp.tile_full(", t);
			put_shape(c);
			gen_put(c, ", value=");
			gen_lit(c, WT_F32);
			gen_put(c, ", dtype=float)\n");
		} else {
			gen_put(c, "wp.tile_zeros(");
			put_shape(c);
			buf_printf(c->b, ", dtype=float) - %s\n", t);
		}
		break;
	case 8: case 9:
		if (T.dims == 2) {
			buf_printf(c->b, "wp.tile_broadcast(wp.tile_load(%s, shape=(1, %s), offset=(0, %s * %s)), shape=(%s, %s)) + %s\n",
			           c->arr[rng_below(r, (uint32_t)c->narr)].name, T.n, c->tid[1], T.n, T.m, T.n, t);
		} else if (rng_chance(r, 0.5)) {
			buf_printf(c->b, "%s * wp.tile_arange(%s, dtype=float)\n", t, T.m);
		} else {
			buf_printf(c->b, "wp.tile_map(wp.add, %s, wp.tile_ones(shape=%s, dtype=float))\n", t, T.m);
		}
		break;
	default: buf_printf(c->b, "wp.tile_transpose(%s)\n", t); break;
	}
}

/* matmul = acc "=" wp.tile_zeros(shape=(M, N), dtype=float) NEWLINE
 *          "for" k "in range(" K "):" a = load(A, (M, K)) b = load(B, (K, N)) wp.tile_matmul(a, b, acc)
 *        | c "=" wp.tile_matmul(load(A, (M, K)), load(B, (K, N)))
 * A and B are inputs (or the single array); offsets walk the depth. */
static void gen_tile_matmul(gen_ctx *c, char *name)
{
	rng *r = &c->r;
	const gen_arr *a = gen_arr_pick(c, WT_F32, 0), *b = gen_arr_pick(c, WT_F32, 0);
	char ta[GEN_NAME], tb[GEN_NAME];
	if (rng_chance(r, 0.4)) {
		gen_line(c);
		buf_printf(c->b, "%s = wp.tile_load(%s, shape=(%s, %s), offset=(%s * %s, 0))\n", gen_fresh_name(c, ta, "a"), a->name,
		           T.m, T.k, c->tid[0], T.m);
		gen_line(c);
		buf_printf(c->b, "%s = wp.tile_load(%s, shape=(%s, %s), offset=(0, %s * %s))\n", gen_fresh_name(c, tb, "b"), b->name,
		           T.k, T.n, c->tid[1], T.n);
		gen_line(c);
		buf_printf(c->b, "%s = wp.tile_matmul(%s, %s)\n", gen_fresh_name(c, name, "prod"), ta, tb);
		return;
	}
	gen_line(c);
	buf_printf(c->b, "%s = wp.tile_zeros(shape=(%s, %s), dtype=float)\n", gen_fresh_name(c, name, "sum"), T.m, T.n);
	gen_line(c);
	if (rng_chance(r, 0.5))
		buf_printf(c->b, "for k in range(%d):\n", rng_range(r, 1, 4));
	else
		buf_printf(c->b, "for k in range(wp.min(%s.shape[1] // %s, %d)):\n", a->name, T.k, rng_range(r, 2, 16));
	c->indent += 4;
	gen_line(c);
	buf_printf(c->b, "%s = wp.tile_load(%s, shape=(%s, %s), offset=(%s * %s, k * %s))\n", gen_fresh_name(c, ta, "a"), a->name,
	           T.m, T.k, c->tid[0], T.m, T.k);
	gen_line(c);
	buf_printf(c->b, "%s = wp.tile_load(%s, shape=(%s, %s), offset=(k * %s, %s * %s))\n", gen_fresh_name(c, tb, "b"), b->name,
	           T.k, T.n, T.k, c->tid[1], T.n);
	gen_line(c);
	buf_printf(c->b, "wp.tile_matmul(%s, %s, %s)\n", ta, tb, name);
	c->indent -= 4;
}

/* red = s "=" (wp.tile_sum | wp.tile_max | wp.tile_min)(t) | wp.tile_reduce(wp.add | wp.max, t)
 *     | wp.tile_dot(t, u) | wp.tile_sum(wp.tile(x))
 * then either stored (1D, into a second output at i) or read back as
 * x = s[0] and broadcast over t; or x = float(wp.tile_argmax(t0)[0]) of the loaded t0
 * | wp.tile_extract(t, 0 [, 0]), read straight from t. */
static void gen_tile_reduce(gen_ctx *c, char *t, const char *u, const char *raw, const gen_arr *out2)
{
	static const char *const red[] = {"wp.tile_sum(%s)", "wp.tile_max(%s)", "wp.tile_min(%s)",
	                                  "wp.tile_reduce(wp.add, %s)", "wp.tile_reduce(wp.max, %s)"};
	rng *r = &c->r;
	char s[GEN_NAME];
	const gen_var *v = gen_var_pick(c, WT_F32, VAR_MUT);
	int k = (int)rng_below(r, out2 ? 7 : 10);
	if (k < 7) {
		gen_line(c);
		buf_printf(c->b, "%s = ", gen_fresh_name(c, s, "red"));
		if (k < 5)
			buf_printf(c->b, red[k], t);
		else if (k == 5 || !v)
			buf_printf(c->b, "wp.tile_dot(%s, %s)", t, u);
		else
			buf_printf(c->b, "wp.tile_sum(wp.tile(%s))", v->name);
		gen_put(c, "\n");
	}
	if (out2) {
		gen_line(c);
		buf_printf(c->b, "wp.tile_store(%s, %s, offset=%s)\n", out2->name, s, c->tid[0]);
		c->written |= 1u << (out2 - c->arr);
		return;
	}
	gen_var *x = gen_decl_start(c, "m", WT_F32);
	if (!x)
		return;
	if (k < 7)
		buf_printf(c->b, "%s[0]\n", s);
	else if (k == 7)
		/* of the loaded tile: a mapped one (floor, ceil, max with a
		 * constant) has ties, which CPU and CUDA break differently */
		buf_printf(c->b, "float(wp.%s(%s)[0])\n", rng_chance(r, 0.5) ? "tile_argmax" : "tile_argmin", raw);
	else
		buf_printf(c->b, T.dims == 1 ? "wp.tile_extract(%s, 0)\n" : "wp.tile_extract(%s, 0, 0)\n", t);
	gen_decl_finish(x, WT_F32);
	char w[GEN_NAME];
	gen_line(c);
	buf_printf(c->b, "%s = wp.tile_map(wp.sub, %s, %s)\n", gen_fresh_name(c, w, "t"), t, x->name);
	snprintf(t, GEN_NAME, "%s", w);
}

/* store = (wp.tile_store | wp.tile_atomic_add)(out, t, offset=i * M | (i * M, j * N)) */
static void gen_tile_store(gen_ctx *c, const gen_arr *out, const char *t)
{
	gen_line(c);
	buf_printf(c->b, "wp.%s(%s, %s, offset=", rng_chance(&c->r, 0.25) ? "tile_atomic_add" : "tile_store", out->name, t);
	if (T.dims == 1)
		buf_printf(c->b, "%s * %s)\n", c->tid[0], T.m);
	else
		buf_printf(c->b, "(%s * %s, %s * %s))\n", c->tid[0], T.m, c->tid[1], T.n);
	c->written |= 1u << (out - c->arr);
}

/* tile = load+ [matmul] op+ [red] store+: every output gets a tile (in 1D a
 * second output gets the reduction, one value per tile). */
const gen_var *gen_core_tile(gen_ctx *c)
{
	rng *r = &c->r;
	char t[GEN_NAME], u[GEN_NAME], v[GEN_NAME];
	const gen_arr *a = gen_arr_pick(c, WT_F32, 0);
	gen_tile_load(c, a, t);
	char raw[GEN_NAME];
	snprintf(raw, sizeof raw, "%s", t);
	snprintf(u, sizeof u, "%s", t);
	const gen_arr *b = gen_arr_pick(c, WT_F32, 0);
	if (b != a && rng_chance(r, 0.8))
		gen_tile_load(c, b, u);
	if (TILE_MATMUL && T.dims == 2 && rng_chance(r, 0.4)) {
		gen_tile_matmul(c, v);
		snprintf(u, sizeof u, "%s", v);
	}
	for (int n = rng_range(r, 1, 3); n > 0; n--) {
		gen_tile_op(c, t, u, v);
		snprintf(u, sizeof u, "%s", t);
		snprintf(t, sizeof t, "%s", v);
	}
	const gen_arr *out = gen_arr_pick(c, WT_F32, 1), *out2 = NULL;
	for (int i = 0; i < c->narr; i++)
		if (c->arr[i].out && &c->arr[i] != out)
			out2 = &c->arr[i];
	if (rng_chance(r, 0.5) || (out2 && T.dims == 1))
		gen_tile_reduce(c, t, u, raw, T.dims == 1 ? out2 : NULL);
	gen_tile_store(c, out, t);
	for (int i = 0; i < c->narr; i++)
		if (c->arr[i].out && !((c->written >> i) & 1))
			gen_tile_store(c, &c->arr[i], u);
	return NULL;
}

/* style_bridge: the realistic style's door to the typed builtin catalog
 * (style.h). At a share of its call sites the realistic expression
 * generator (style_expr.c) asks the synthetic grammar (expr*.c) for one
 * builtin call of the type it needs, over the same named values in scope
 * (scalar parameters, loaded fields, locals, the thread index): norms,
 * spatial vectors, erf, copysign, quat_from_euler, transform_to_matrix,
 * bit operations, ... Warp's builtins that real code calls now and then.
 * No array is visible to the synthetic grammar, so the parameter roles
 * (style.h) stay as they are; its domain guards hold as in the synthetic
 * style (tests/gen_safety.py). The geometry category's queries (meshes,
 * BVHs, hash grids, volumes on a wp.uint64 parameter) come from the
 * synthetic core (core_geometry.c) the same way, and a share of the
 * quaternion, transform, matrix and linalg kernels get their category's
 * synthetic core (core_vector.c, core_matrix.c) beside their own flavour. */
#include <string.h>

#include <stdio.h>

#include "gen/core.h"
#include "gen/ctx.h"
#include "gen/expr.h"
#include "gen/profiles.h"
#include "gen/style.h"

static const wty to_wty[RT_COUNT] = {WT_F32, WT_I32, WT_V3, WT_QUAT, WT_XFORM, WT_M33};

static void add_var(gen_ctx *g, const char *name, wty t, unsigned flags)
{
	if (g->nvar >= GEN_MAX_VARS || strlen(name) >= GEN_NAME)
		return;
	gen_var *v = &g->var[g->nvar++];
	memcpy(v->name, name, strlen(name) + 1);
	v->type = t;
	v->flags = (unsigned char)flags;
	v->trips = 1;
}

/* A synthetic context over c's values: no arrays, the thread index, c's rng. */
static void bridge_init(rctx *c, gen_ctx *g_, gen_category profile)
{
	gen_ctx *g = g_;
	memset(g, 0, sizeof *g);
	g->r = c->r;
	g->b = c->b;
	g->p = gen_profile_get(profile);
	g->feat = FE_MATH | FE_VEC | FE_MAT | FE_CAST | FE_SELECT | FE_XFORM | FE_BUILTIN | FE_BITS | FE_SHIFT;
	g->types = WT_BIT(WT_F32) | WT_BIT(WT_I32) | WT_BIT(WT_V3) | WT_BIT(WT_QUAT) | WT_BIT(WT_XFORM) |
		   WT_BIT(WT_M33) | WT_BIT(WT_SPATIAL);
	if (c->rstate[0]) { /* wp.randi, wp.sample_unit_disk, wp.pnoise, ... */
		g->rstate = c->rstate;
		g->feat |= FE_RAND;
	}
	g->max_depth = c->depth_max < 2 ? c->depth_max : 2; /* --max-depth holds here too */
	g->indent = c->indent;
	g->tid[0] = c->ntid ? c->tid[c->ntid - 1] : "0";
	g->ntid = 1;
	if (c->ntid)
		add_var(g, c->tid[c->ntid - 1], WT_I32, VAR_INDEX);
	for (int i = 0; i < c->nval; i++)
		if (!c->val[i].param || !c->sprefix[0]) /* params.x: not a plain name */
			add_var(g, c->val[i].name, to_wty[c->val[i].t], c->val[i].param ? 0 : VAR_LOCAL);
}

/* What this style never writes (style.h), though the synthetic grammar
 * may: wp.frac, and % but by an int literal ("x % (wp.abs(y) + 1)"). */
static int forbidden(const buf *b, size_t at)
{
	return memmem(b->data + at, b->len - at, "wp.frac(", 8) || memmem(b->data + at, b->len - at, "% (", 3);
}

/* Builtins the synthetic grammar has no node for, in the forms real code
 * (and Warp's tests) call them: the functional operators, the float
 * classification, erfinv, the narrow types' round trips, the transform and
 * matrix conversions, triangle tests. gen_tpl's letters: '#' an operand of
 * the template's type, '$' a float, 'L' a positive literal; a leading "V:"
 * makes the operands vec3 (X: transform) whatever the result. */
static const char *const tpl_float[] = {
    "wp.add(#, #)", "wp.sub(#, #)", "wp.mul(#, #)", "wp.div(#, L)", "wp.neg(#)", "wp.pos(#)",
    "wp.floordiv(#, L)", "wp.where(wp.isfinite(#), #, 0.0)", "wp.where(wp.isnan(#), 0.0, #)",
    "wp.where(wp.isinf(#), 0.0, #)", "wp.erfinv(wp.clamp(#, -0.9, 0.9))", "wp.erfcinv(wp.clamp(#, 0.1, 1.9))",
    "float(wp.float16(#))", "float(wp.float64(#))", "wp.float32(wp.int8(wp.clamp(#, -100.0, 100.0)))",
    "wp.float32(wp.uint8(wp.clamp(#, 0.0, 255.0)))", "wp.float32(wp.int16(wp.clamp(#, -1000.0, 1000.0)))",
    "wp.float32(wp.uint16(wp.clamp(#, 0.0, 60000.0)))", "wp.float32(wp.int64(wp.clamp(#, -1.0e6, 1.0e6)))",
    "wp.float32(wp.uint32(wp.clamp(#, 0.0, 1.0e6)))", "wp.float32(wp.uint64(wp.clamp(#, 0.0, 1.0e6)))",
    "float(wp.len(wp.vec3($, $, $)))", "float(wp.bfloat16(#))", "wp.div_approx(#, L)", "# * wp.static(L * L)",
    "V:float(wp.intersect_tri_tri(#, #, #, #, #, #))", "wp.determinant(wp.matrix(#, #, #, #, shape=(2, 2)))", "V:wp.length(wp.closest_point_edge_edge(#, #, #, #, 1.0e-6))",
    NULL};
static const char *const tpl_int[] = {
    "wp.bit_and(#, L)", "wp.bit_or(#, L)", "wp.bit_xor(#, #)", "wp.rshift(#, 1)",
    "wp.lshift(wp.bit_and(#, 255), 2)", "wp.invert(#)", "wp.add(#, #)", "wp.sub(#, L)", "wp.floordiv(#, L)",
    "wp.neg(#)", "wp.where(wp.unot(# > 0), 1, 0)", NULL};
static const char *const tpl_vec[] = {
    "wp.add(#, #)", "wp.sub(#, #)", "wp.mul(#, $)", "wp.neg(#)", "wp.div(#, L)", "wp.vector($, $, $)",
    "wp.transform_point(wp.transform_to_matrix(wp.transform_identity()), #)", "wp.smooth_normalize(#)",
    "wp.div_approx(#, L)", "wp.inverse_approx(wp.diag(wp.abs(#) + wp.vec3(1.0))) * #",
    "wp.transform_point(wp.transform_compose(#, wp.quat_identity(), wp.vec3(1.0)), #)", NULL};
static const char *const tpl_xform[] = {
    "wp.transform_from_matrix(wp.transform_to_matrix(#))", "wp.transformation(wp.transform_get_translation(#), wp.quat_identity())",
    "wp.mul(#, #)", NULL};
static const char *const tpl_quat[] = {"wp.mul(#, #)", "wp.quaternion(wp.vec3($, $, $), L)", NULL};

static int own_template(gen_ctx *g, wty w, int d)
{
	const char *const *t = w == WT_F32 ? tpl_float : w == WT_I32 ? tpl_int : w == WT_V3 ? tpl_vec
				: w == WT_XFORM ? tpl_xform : w == WT_QUAT ? tpl_quat : NULL;
	if (!t)
		return 0;
	int n = 0;
	while (t[n])
		n++;
	const char *s = t[rng_below(&g->r, (uint32_t)n)];
	if (s[0] && s[1] == ':') {
		w = s[0] == 'V' ? WT_V3 : WT_XFORM;
		s += 2;
	}
	gen_tpl(g, s, w, d);
	return 1;
}

int rs_catalog_call(rctx *c, rtype t, int depth)
{
	if (c->ntid == 0 || depth < 2)
		return 0;
	gen_ctx g;
	bridge_init(c, &g, GEN_MATH);
	wty w = to_wty[t];
	size_t at = c->b->len;
	unsigned k = rng_below(&g.r, 100);
	int d = depth > 3 ? 3 : depth;
	int done = 0;
	if (k >= 70)
		done = own_template(&g, w, d);
	else if (w == WT_F32 && k < 35) {
		g.top = 1;
		gen_math(&g, w, d);
		done = 1;
	} else if (w == WT_I32) {
		g.top = 0;
		buf_putc(c->b, '(');
		gen_op(&g, w, d);
		buf_putc(c->b, ')');
		done = 1;
	} else
		done = gen_builtin_op(&g, w, d);
	c->r = g.r;
	if (done && forbidden(c->b, at)) {
		c->b->len = at;
		c->b->data[at] = '\0';
		done = 0;
	}
	return done;
}

void rs_core_setup(rctx *c)
{
	gen_ctx g;
	buf pre = {0};
	bridge_init(c, &g, c->cat);
	g.b = &pre;
	if (c->cat == GEN_GEOMETRY) {
		gen_setup_geometry(&g, 0);
		snprintf(c->geo_id, sizeof c->geo_id, "%s", g.sparam[0]);
	} else if (c->cat == GEN_LINALG)
		gen_setup_linalg(&g, 0); /* the module's matrix type: mat23 = wp.types.matrix(...) */
	else if (c->cat == GEN_TILE) {
		gen_setup_tile(&g, 0); /* the tile shape's constants; the launch's dimensions */
		c->ntid = g.ntid;
	}
	snprintf(c->pre, sizeof c->pre, "%s", pre.len ? pre.data : "");
	buf_free(&pre);
	c->r = g.r;
}

static int rtype_of(wty t, rtype *out)
{
	for (int i = 0; i < RT_COUNT; i++)
		if (to_wty[i] == t) {
			*out = (rtype)i;
			return 1;
		}
	return 0;
}

static int taken_by(rctx *c, const char *s)
{
	for (int j = 0; j < c->ntaken; j++)
		if (!strcmp(c->taken[j], s))
			return 1;
	for (int j = 0; j < c->narr; j++)
		if (!strcmp(c->arr[j].name, s))
			return 1;
	for (int j = 0; j < c->nval; j++)
		if (!strcmp(c->val[j].name, s))
			return 1;
	for (int j = 0; j < c->ntid; j++)
		if (!strcmp(c->tid[j], s))
			return 1;
	return !strcmp(s, c->geo_id) || !strcmp(s, c->helper) || !strcmp(s, c->gather) || !strcmp(s, c->rstate);
}

/* Calls f on every name the text b[at..) assigns at a line's start
 * ("t3 = ...", "ax, ang = ...", "for k in"): the core's tiles and loop
 * counters are in no table. */
static int each_assigned(rctx *c, const buf *b, size_t at, int (*f)(rctx *, const char *))
{
	const char *p = b->data + at, *end = b->data + b->len;
	int hits = 0;
	while (p < end) {
		while (p < end && *p == ' ')
			p++;
		int loop = end - p > 4 && !memcmp(p, "for ", 4); /* the tile core's "for k in range(...)" */
		if (loop)
			p += 4;
		for (;;) {
			const char *q = p;
			while (q < end && (*q == '_' || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
					   (q > p && *q >= '0' && *q <= '9')))
				q++;
			if (q == p || q - p >= RS_NAME || q + 2 >= end || !(q[0] == ' ' || q[0] == ','))
				break;
			char nm[RS_NAME];
			memcpy(nm, p, (size_t)(q - p));
			nm[q - p] = '\0';
			int more = q[0] == ',' && q[1] == ' ';
			if (!more && !(q[1] == '=' && q[2] == ' ') && !(loop && end - q > 4 && !memcmp(q, " in ", 4)))
				break;
			hits += f(c, nm);
			if (!more)
				break;
			p = q + 2;
		}
		while (p < end && *p != '\n')
			p++;
		p++;
	}
	return hits;
}

int rs_take(rctx *c, const char *s)
{
	if (!taken_by(c, s) && c->ntaken < RS_MAX_TAKEN)
		snprintf(c->taken[c->ntaken++], RS_NAME, "%s", s);
	return 0;
}

/* Whether a local the core declared has a name c already has (the core's
 * names end in its own counter: lower3, query4). */
static int clash(rctx *c, const gen_ctx *g, int from, size_t at)
{
	if (each_assigned(c, c->b, at, taken_by))
		return 1;
	for (int i = from; i < g->nvar; i++) {
		for (int j = 0; j < c->ntaken; j++)
			if (!strcmp(c->taken[j], g->var[i].name))
				return 1;
		for (int j = 0; j < c->narr; j++)
			if (!strcmp(c->arr[j].name, g->var[i].name))
				return 1;
		for (int j = 0; j < c->nval; j++)
			if (!strcmp(c->val[j].name, g->var[i].name))
				return 1;
		if (!strcmp(g->var[i].name, c->geo_id) || !strcmp(g->var[i].name, c->helper))
			return 1;
	}
	return 0;
}

/* The tile core's view: the float inputs and outputs, 1-D or 2-D like the
 * launch, indexed by the tile coordinates c->tid. */
static int tile_arrays(rctx *c, gen_ctx *g, int *ga)
{
	int in = 0, out = 0;
	g->ntid = c->ntid;
	g->tid[0] = c->tid[0];
	g->tid[1] = c->tid[1];
	for (int i = 0; i < c->narr && g->narr < GEN_MAX_ARRS; i++) {
		const rarr *a = &c->arr[i];
		if (a->t != RT_FLOAT || (a->role != RR_IN && a->role != RR_OUT) || strlen(a->name) >= GEN_NAME)
			continue;
		gen_arr *x = &g->arr[g->narr];
		memset(x, 0, sizeof *x);
		memcpy(x->name, a->name, strlen(a->name) + 1);
		x->dtype = WT_F32;
		x->in = a->role == RR_IN;
		x->out = a->role == RR_OUT;
		x->ndim = (unsigned char)a->ndim;
		ga[g->narr++] = i;
		in |= x->in;
		out |= x->out;
	}
	return in && out; /* one to load, one to store */
}

/* Whether the tile core loaded an output (its broadcast draws any array):
 * an output is never read (style.h). */
static int loads_output(const gen_ctx *g, const buf *b, size_t at)
{
	char pat[GEN_NAME + 16];
	for (int i = 0; i < g->narr; i++) {
		if (!g->arr[i].out)
			continue;
		int n = snprintf(pat, sizeof pat, "tile_load(%s,", g->arr[i].name);
		if (memmem(b->data + at, b->len - at, pat, (size_t)n))
			return 1;
	}
	return 0;
}

static const gen_var *(*core_of(gen_category cat))(gen_ctx *)
{
	switch (cat) {
	case GEN_GEOMETRY:
		return gen_core_geometry;
	case GEN_QUATERNION:
		return gen_core_quaternion;
	case GEN_TRANSFORM:
		return gen_core_transform;
	case GEN_MATRIX:
		return gen_core_matrix;
	case GEN_LINALG:
		return gen_core_linalg;
	case GEN_TILE:
		return gen_core_tile;
	default:
		return NULL;
	}
}

int rs_has_core(gen_category cat) { return core_of(cat) != NULL; }

void rs_core(rctx *c)
{
	const gen_var *(*core)(gen_ctx *) = core_of(c->cat);
	if (!core)
		return;
	size_t at = c->b->len;
	for (int tries = 0; tries < 4; tries++) {
		gen_ctx g;
		bridge_init(c, &g, c->cat);
		snprintf(g.sparam[0], GEN_NAME, "%.23s", c->geo_id);
		g.has_sparam = c->geo_id[0] != '\0';
		int ga[GEN_MAX_ARRS]; /* tile: c's float arrays, by g's index */
		if (c->cat == GEN_TILE && !tile_arrays(c, &g, ga))
			break; /* no float input or output with a short name: no tiles */
		g.fresh = tries * 20;
		int from = g.nvar;
		c->b->len = at;
		c->b->data[at] = '\0';
		core(&g);
		if (clash(c, &g, from, at) || forbidden(c->b, at) || loads_output(&g, c->b, at)) {
			rng_below(&c->r, 2); /* another draw next time */
			continue;
		}
		c->r = g.r;
		for (int i = 0; c->cat == GEN_TILE && i < g.narr; i++) {
			c->arr[ga[i]].used = 1;
			if ((g.written >> i) & 1)
				c->arr[ga[i]].done = 1; /* stored by tiles: not by the thread too */
		}
		for (int i = from; i < g.nvar; i++) {
			rtype t;
			if ((g.var[i].flags & VAR_LOCAL) && rtype_of(g.var[i].type, &t))
				rs_add_val(c, g.var[i].name, t, 1);
			else if (c->ntaken < RS_MAX_TAKEN) /* mat23, float64, ...: a name taken all the same */
				snprintf(c->taken[c->ntaken++], RS_NAME, "%s", g.var[i].name);
		}
		each_assigned(c, c->b, at, rs_take);
		for (const char *p = c->b->data + at; *p; p++)
			c->stmts += *p == '\n';
		if (c->cat == GEN_GEOMETRY && rng_chance(&c->r, 0.4))
			rs_geometry_followup(c);
		if (c->cat == GEN_TILE && rng_chance(&c->r, 0.5))
			rs_tile_followup(c);
		return;
	}
	c->b->len = at; /* no free names (never seen): the kernel goes without */
	c->b->data[at] = '\0';
}

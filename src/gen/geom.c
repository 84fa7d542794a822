/* geom: the geometry profile: a kernel parameter of type wp.uint64 naming a
 * mesh, BVH, hash grid or volume, and the queries on it (closest point, ray
 * casts, box and neighbour loops, volume sampling). The kernels only have to
 * pass Warp's code generator: nothing here builds the objects they name. */
#include "gen/ctx.h"

#include <stdio.h>

static void put(gen_ctx *c, const char *s) { buf_puts(c->b, s); }

static void arg(gen_ctx *c, wty t, int depth)
{
	c->top = 1;
	gen_sub(c, t, depth, 1);
}

enum { G_MESH_POINT, G_MESH_RAY, G_MESH_AABB, G_BVH, G_HASH_GRID, G_VOLUME, G_KINDS };

/* The kind of object a kernel queries, drawn by the setup; set per kernel
 * before the core reads it, like the struct profile's state in xcores.c. */
static _Thread_local int geo_kind;

/* phase 0: the id parameter, named after what it identifies. */
void gen_setup_geom(gen_ctx *c, int phase)
{
	static const char *const names[G_KINDS][2] = {
		{"mesh", "mesh_id"}, {"mesh", "mesh_id"}, {"mesh", "mesh_id"},
		{"bvh", "bvh_id"},   {"hash_grid", "grid_id"}, {"volume", "vol"},
	};
	rng *r = &c->r;
	if (phase != 0)
		return;
	geo_kind = (int)rng_below(r, G_KINDS);
	c->has_sparam = 1;
	snprintf(c->sparam[0], GEN_NAME, "%s", names[geo_kind][rng_below(r, 2)]);
	snprintf(c->sparam[1], GEN_NAME, "%s", "wp.uint64");
	c->types |= WT_BIT(WT_F32) | WT_BIT(WT_V3);
}

/* name "=" text..., a local of type t whose right-hand side the caller writes. */
static gen_var *start(gen_ctx *c, const char *base, wty t) { return gen_decl_start(c, base, t); }

/* A positive float32 literal in [lo, hi] tenths: distances and radii. */
static void dist_lit(gen_ctx *c, int lo, int hi) { gen_lit_fix(c, WT_F32, rng_range(&c->r, lo, hi), 1); }

/* lo = p - wp.vec3(r) NEWLINE hi = p + wp.vec3(r): a box around p. */
static void gen_box(gen_ctx *c, const gen_var *p, const gen_var **lo, const gen_var **hi)
{
	int r = rng_range(&c->r, 1, 50);
	gen_var *l = start(c, "lower", WT_V3);
	if (!l)
		return;
	buf_printf(c->b, "%s - wp.vec3(", p->name);
	gen_lit_fix(c, WT_F32, r, 1);
	put(c, ")\n");
	gen_decl_finish(l, WT_V3);
	gen_var *h = start(c, "upper", WT_V3);
	if (!h)
		return;
	buf_printf(c->b, "%s + wp.vec3(", p->name);
	gen_lit_fix(c, WT_F32, r, 1);
	put(c, ")\n");
	gen_decl_finish(h, WT_V3);
	*lo = l;
	*hi = h;
}

/* A term for acc from a query result index k (an int that may be any
 * value): float(k) * e, or an input read at k wrapped into bounds. */
static void index_term(gen_ctx *c, const char *k)
{
	const gen_arr *a = gen_arr_pick(c, WT_F32, 0);
	if (a && a->ndim == 1 && rng_chance(&c->r, 0.6)) {
		buf_printf(c->b, "%s[wp.abs(%s) %% %s.shape[0]]", a->name, k, a->name);
		return;
	}
	buf_printf(c->b, "float(%s) * ", k);
	gen_sub(c, WT_F32, 1, 1);
}

/* loop = k "=" int(0) NEWLINE "while" next "(" query "," k "):" acc "+=" term
 * Opens the loop body: the caller writes the update, then closes it. */
static void query_loop(gen_ctx *c, const char *next, const char *query, const char *base, char *k, size_t cap)
{
	snprintf(k, cap, "%s%d", base, c->fresh++);
	gen_line(c);
	buf_printf(c->b, "%s = int(0)\n", k);
	gen_line(c);
	buf_printf(c->b, "while wp.%s(%s, %s):\n", next, query, k);
}

/* geometry = acc = float(0) NEWLINE p = v3 NEWLINE query ... (one kind):
 *   mesh point: query = wp.mesh_query_point[_no_sign](id, p, d) NEWLINE
 *               "if" query.result ":" acc = wp.length(wp.mesh_eval_position(id, query.face, query.u, query.v) - p) ...
 *   mesh ray:   query = wp.mesh_query_ray(id, p, dir, d) NEWLINE "if" query.result ":" acc = query.t ...
 *   mesh box:   query = wp.mesh_query_aabb(id, lo, hi) NEWLINE loop(mesh_query_aabb_next)
 *   bvh:        query = wp.bvh_query_aabb(id, lo, hi) | wp.bvh_query_ray(id, p, dir) NEWLINE loop(bvh_query_next)
 *   hash grid:  query = wp.hash_grid_query(id, p, r) NEWLINE loop(hash_grid_query_next)
 *   volume:     uvw = wp.volume_world_to_index(id, p) NEWLINE acc = wp.volume_sample_f(id, uvw, mode) ... */
const gen_var *gen_core_geom(gen_ctx *c)
{
	rng *r = &c->r;
	const char *id = c->sparam[0];
	const gen_var *acc = gen_decl_zero(c, rng_chance(r, 0.5) ? "acc" : "dist", WT_F32);
	gen_var *p = start(c, rng_chance(r, 0.5) ? "p" : "x", WT_V3);
	if (!acc || !p)
		return acc;
	arg(c, WT_V3, gen_depth(c));
	put(c, "\n");
	gen_decl_finish(p, WT_V3);
	char query[GEN_NAME], k[GEN_NAME];
	snprintf(query, sizeof query, "query%d", c->fresh++);
	int mark = c->nvar;
	switch (geo_kind) {
	case G_MESH_POINT:
		gen_line(c);
		buf_printf(c->b, "%s = wp.%s(%s, %s, ", query, rng_chance(r, 0.6) ? "mesh_query_point" : "mesh_query_point_no_sign",
		           id, p->name);
		dist_lit(c, 10, 1000);
		put(c, ")\n");
		gen_line(c);
		buf_printf(c->b, "if %s.result:\n", query);
		gen_enter(c);
		gen_line(c);
		buf_printf(c->b, "%s = wp.length(wp.mesh_eval_position(%s, %s.face, %s.u, %s.v) - %s)", acc->name, id, query,
		           query, query, p->name);
		if (rng_chance(r, 0.5))
			buf_printf(c->b, " * %s.sign", query);
		put(c, "\n");
		if (rng_chance(r, 0.4)) {
			gen_line(c);
			buf_printf(c->b, "%s += wp.dot(wp.mesh_eval_face_normal(%s, %s.face), %s)\n", acc->name, id, query,
			           p->name);
		}
		gen_leave(c, mark);
		break;
	case G_MESH_RAY: {
		gen_var *dir = start(c, "dir", WT_V3);
		if (!dir)
			return acc;
		put(c, "wp.normalize(");
		arg(c, WT_V3, gen_depth(c));
		put(c, ")\n");
		gen_decl_finish(dir, WT_V3);
		gen_line(c);
		buf_printf(c->b, "%s = wp.mesh_query_ray(%s, %s, %s, ", query, id, p->name, dir->name);
		dist_lit(c, 100, 100000);
		put(c, ")\n");
		gen_line(c);
		buf_printf(c->b, "if %s.result:\n", query);
		gen_enter(c);
		gen_line(c);
		if (rng_chance(r, 0.5))
			buf_printf(c->b, "%s = %s.t\n", acc->name, query);
		else
			buf_printf(c->b, "%s = wp.dot(%s.normal, %s) * %s.t\n", acc->name, query, dir->name, query);
		if (rng_chance(r, 0.4)) {
			gen_line(c);
			buf_printf(c->b, "%s += wp.length(wp.mesh_eval_velocity(%s, %s.face, %s.u, %s.v))\n", acc->name, id, query,
			           query, query);
		}
		gen_leave(c, mark);
		break;
	}
	case G_MESH_AABB: case G_BVH: {
		const gen_var *lo = NULL, *hi = NULL;
		int ray = geo_kind == G_BVH && rng_chance(r, 0.4);
		if (ray) {
			gen_line(c);
			buf_printf(c->b, "%s = wp.bvh_query_ray(%s, %s, wp.normalize(", query, id, p->name);
			arg(c, WT_V3, gen_depth(c));
			put(c, "))\n");
		} else {
			gen_box(c, p, &lo, &hi);
			if (!lo)
				return acc;
			gen_line(c);
			buf_printf(c->b, "%s = wp.%s(%s, %s, %s)\n", query, geo_kind == G_BVH ? "bvh_query_aabb" : "mesh_query_aabb",
			           id, lo->name, hi->name);
		}
		int mesh = geo_kind == G_MESH_AABB;
		query_loop(c, mesh ? "mesh_query_aabb_next" : "bvh_query_next", query, mesh ? "face" : "bi", k, sizeof k);
		gen_enter(c);
		c->loops++;
		gen_line(c);
		buf_printf(c->b, "%s += ", acc->name);
		if (mesh && rng_chance(r, 0.5))
			buf_printf(c->b, "wp.length(wp.mesh_eval_position(%s, %s, 0.25, 0.5) - %s)", id, k, p->name);
		else
			index_term(c, k);
		put(c, "\n");
		c->loops--;
		gen_leave(c, mark);
		break;
	}
	case G_HASH_GRID: {
		gen_line(c);
		int rad = rng_range(r, 1, 40);
		buf_printf(c->b, "%s = wp.hash_grid_query(%s, %s, ", query, id, p->name);
		gen_lit_fix(c, WT_F32, rad, 1);
		put(c, ")\n");
		query_loop(c, "hash_grid_query_next", query, "index", k, sizeof k);
		gen_enter(c);
		c->loops++;
		const gen_arr *pts = gen_arr_pick(c, WT_V3, 0);
		gen_line(c);
		if (pts && pts->ndim == 1) {
			buf_printf(c->b, "%s += wp.length(%s[%s %% %s.shape[0]] - %s)\n", acc->name, pts->name, k, pts->name,
			           p->name);
		} else {
			buf_printf(c->b, "%s += ", acc->name);
			index_term(c, k);
			put(c, "\n");
		}
		c->loops--;
		gen_leave(c, mark);
		if (rng_chance(r, 0.3)) {
			gen_line(c);
			buf_printf(c->b, "%s += float(wp.hash_grid_point_id(%s, %s))\n", acc->name, id, c->tid[0]);
		}
		break;
	}
	default: {
		static const char *const modes[] = {"wp.Volume.LINEAR", "wp.Volume.CLOSEST"};
		const char *mode = modes[rng_below(r, 2)];
		gen_var *uvw = start(c, "uvw", WT_V3);
		if (!uvw)
			return acc;
		buf_printf(c->b, "wp.volume_world_to_index(%s, %s)\n", id, p->name);
		gen_decl_finish(uvw, WT_V3);
		gen_line(c);
		switch (rng_below(r, 4)) {
		case 0: buf_printf(c->b, "%s = wp.volume_sample_f(%s, %s, %s)\n", acc->name, id, uvw->name, mode); break;
		case 1:
			buf_printf(c->b, "grad%d = wp.vec3()\n", c->fresh);
			gen_line(c);
			buf_printf(c->b, "%s = wp.volume_sample_grad_f(%s, %s, %s, grad%d)\n", acc->name, id, uvw->name, mode,
			           c->fresh);
			gen_line(c);
			buf_printf(c->b, "%s += wp.length(grad%d)\n", acc->name, c->fresh++);
			break;
		case 2:
			buf_printf(c->b, "%s = wp.length(wp.volume_sample_v(%s, %s, %s))\n", acc->name, id, uvw->name, mode);
			break;
		default:
			buf_printf(c->b, "%s = wp.volume_lookup_f(%s, int(%s[0]), int(%s[1]), int(%s[2]))\n", acc->name, id,
			           uvw->name, uvw->name, uvw->name);
			break;
		}
		if (rng_chance(r, 0.3)) {
			gen_line(c);
			buf_printf(c->b, "%s += wp.length(wp.volume_index_to_world(%s, %s) - %s)\n", acc->name, id, uvw->name,
			           p->name);
		}
		break;
	}
	}
	return acc;
}

/* core_geometry: the core of the geometry category: a kernel parameter of
 * type wp.uint64 naming a mesh, BVH, hash grid or volume, and the queries on
 * it (closest point, ray casts, box and neighbour loops, volume sampling).
 * The kernels only have to pass Warp's code generator: nothing here builds
 * the objects they name. */
#include "gen/core.h"

#include <stdio.h>

#include "gen/expr.h"
#include "gen/stmt.h"

enum { G_MESH_POINT, G_MESH_RAY, G_MESH_AABB, G_BVH, G_HASH_GRID, G_VOLUME, G_KINDS };

/* The kind of object a kernel queries, drawn by the setup; set per kernel
 * before the core reads it, like the struct category's state in core_defs.c. */
static _Thread_local int geo_kind;

/* phase 0: the id parameter, named after what it identifies. */
void gen_setup_geometry(gen_ctx *c, int phase)
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
	gen_put(c, ")\n");
	gen_decl_finish(l, WT_V3);
	gen_var *h = start(c, "upper", WT_V3);
	if (!h)
		return;
	buf_printf(c->b, "%s + wp.vec3(", p->name);
	gen_lit_fix(c, WT_F32, r, 1);
	gen_put(c, ")\n");
	gen_decl_finish(h, WT_V3);
	*lo = l;
	*hi = h;
}

/* A term for acc from a query result index k (an int that may be any
 * value): float(k) * e, or an input read at k wrapped into bounds. The
 * callers hide acc: a query may hit every object, and a term reading acc
 * would compound over the hits. */
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
static void query_loop(gen_ctx *c, const char *next, const char *query, const char *base, char *k)
{
	gen_fresh_name(c, k, base);
	gen_line(c);
	buf_printf(c->b, "%s = int(0)\n", k);
	gen_line(c);
	buf_printf(c->b, "while wp.%s(%s, %s):\n", next, query, k);
}

/* A "where the query hit" term of the mesh point queries: the closest
 * point's distance, its face normal, or a vertex of its face. */
static void mesh_hit_terms(gen_ctx *c, const char *id, const char *q, const gen_var *acc, const gen_var *p)
{
	rng *r = &c->r;
	gen_line(c);
	buf_printf(c->b, "%s = wp.length(wp.mesh_eval_position(%s, %s.face, %s.u, %s.v) - %s)", acc->name, id, q, q, q,
	           p->name);
	if (rng_chance(r, 0.5))
		buf_printf(c->b, " * %s.sign", q);
	gen_put(c, "\n");
	if (rng_chance(r, 0.5)) {
		gen_line(c);
		switch (rng_below(r, 4)) {
		case 0: buf_printf(c->b, "%s += wp.dot(wp.mesh_eval_face_normal(%s, %s.face), %s)\n", acc->name, id, q, p->name); break;
		case 1:
			buf_printf(c->b, "%s += wp.length(wp.mesh_get_point(%s, %s.face * 3 + %d) - %s)\n", acc->name, id, q,
			           (int)rng_below(r, 3), p->name);
			break;
		case 2: buf_printf(c->b, "%s += float(wp.mesh_get_index(%s, %s.face * 3))\n", acc->name, id, q); break;
		default: buf_printf(c->b, "%s += wp.length(wp.mesh_get_velocity(%s, %s.face * 3))\n", acc->name, id, q); break;
		}
	}
}

// mesh_point = query = wp.mesh_query_point[_variant](id, p, d) NEWLINE "if" query.result ":" hit_terms
static void gen_mesh_point(gen_ctx *c, const char *id, const char *q, const gen_var *acc, const gen_var *p)
{
	static const char *const fns[] = {"mesh_query_point", "mesh_query_point_no_sign", "mesh_query_point_sign_normal",
	                                  "mesh_query_point_sign_winding_number", "mesh_query_point_sign_parity",
	                                  "mesh_query_furthest_point_no_sign"};
	rng *r = &c->r;
	int mark = c->nvar, k = rng_chance(r, 0.4) ? 0 : (int)rng_below(r, 6);
	gen_line(c);
	buf_printf(c->b, "%s = wp.%s(%s, %s, ", q, fns[k], id, p->name);
	dist_lit(c, 10, 1000);
	gen_put(c, ")\n");
	gen_line(c);
	buf_printf(c->b, "if %s.result:\n", q);
	gen_enter(c);
	mesh_hit_terms(c, id, q, acc, p);
	gen_leave(c, mark);
}

/* mesh_ray = dir = wp.normalize(v3) NEWLINE
 *   ( query = wp.mesh_query_ray(id, p, dir, d) NEWLINE "if" query.result ":" acc = query.t ...
 *   | "if" wp.mesh_query_ray_anyhit(id, p, dir, d) ":" acc += 1.0
 *   | acc = float(wp.mesh_query_ray_count_intersections(id, p, dir)) ) */
static void gen_mesh_ray(gen_ctx *c, const char *id, const char *q, const gen_var *acc, const gen_var *p)
{
	rng *r = &c->r;
	int mark = c->nvar;
	gen_var *dir = start(c, "dir", WT_V3);
	if (!dir)
		return;
	gen_put(c, "wp.normalize(");
	gen_arg(c, WT_V3, gen_depth(c));
	gen_put(c, ")\n");
	gen_decl_finish(dir, WT_V3);
	gen_line(c);
	switch (rng_below(r, 5)) {
	case 0:
		buf_printf(c->b, "if wp.mesh_query_ray_anyhit(%s, %s, %s, ", id, p->name, dir->name);
		dist_lit(c, 100, 100000);
		gen_put(c, "):\n");
		gen_line(c);
		buf_printf(c->b, "    %s += 1.0\n", acc->name);
		return;
	case 1:
		buf_printf(c->b, "%s = float(wp.mesh_query_ray_count_intersections(%s, %s, %s))\n", acc->name, id, p->name,
		           dir->name);
		return;
	default: break;
	}
	buf_printf(c->b, "%s = wp.mesh_query_ray(%s, %s, %s, ", q, id, p->name, dir->name);
	dist_lit(c, 100, 100000);
	gen_put(c, ")\n");
	gen_line(c);
	buf_printf(c->b, "if %s.result:\n", q);
	gen_enter(c);
	gen_line(c);
	if (rng_chance(r, 0.5))
		buf_printf(c->b, "%s = %s.t\n", acc->name, q);
	else
		buf_printf(c->b, "%s = wp.dot(%s.normal, %s) * %s.t\n", acc->name, q, dir->name, q);
	if (rng_chance(r, 0.4)) {
		gen_line(c);
		buf_printf(c->b, "%s += wp.length(wp.mesh_eval_velocity(%s, %s.face, %s.u, %s.v))\n", acc->name, id, q, q, q);
	}
	gen_leave(c, mark);
}

/* walk = query = (wp.mesh_query_aabb(id, lo, hi) | wp.mesh_query_sphere(id, p, r)
 *               | wp.bvh_query_aabb(id, lo, hi) | wp.bvh_query_ray(id, p, dir) | wp.bvh_query_sphere(id, p, r))
 *        NEWLINE loop(mesh_query_aabb_next | bvh_query_next) */
static void gen_walk(gen_ctx *c, int mesh, const char *id, const char *q, const gen_var *acc, const gen_var *p)
{
	rng *r = &c->r;
	int mark = c->nvar, k = (int)rng_below(r, mesh ? 3 : 4);
	char idx[GEN_NAME];
	if (k == 3) {
		gen_line(c);
		buf_printf(c->b, "%s = wp.bvh_query_ray(%s, %s, wp.normalize(", q, id, p->name);
		gen_arg(c, WT_V3, gen_depth(c));
		gen_put(c, "))\n");
	} else if (k == 2) {
		gen_line(c);
		buf_printf(c->b, "%s = wp.%s(%s, %s, ", q, mesh ? "mesh_query_sphere" : "bvh_query_sphere", id, p->name);
		dist_lit(c, 1, 50);
		gen_put(c, ")\n");
	} else {
		const gen_var *lo = NULL, *hi = NULL;
		gen_box(c, p, &lo, &hi);
		if (!lo)
			return;
		gen_line(c);
		buf_printf(c->b, "%s = wp.%s(%s, %s, %s)\n", q, mesh ? "mesh_query_aabb" : "bvh_query_aabb", id, lo->name,
		           hi->name);
	}
	query_loop(c, mesh ? "mesh_query_aabb_next" : "bvh_query_next", q, mesh ? "face" : "bi", idx);
	gen_enter(c);
	c->loops++;
	gen_line(c);
	buf_printf(c->b, "%s += ", acc->name);
	if (mesh && rng_chance(r, 0.5)) {
		buf_printf(c->b, "wp.length(wp.mesh_eval_position(%s, %s, 0.25, 0.5) - %s)", id, idx, p->name);
	} else {
		unsigned saved = gen_var_hide((gen_var *)acc); /* see gen_accum: a hit count long */
		index_term(c, idx);
		gen_var_show((gen_var *)acc, saved);
	}
	gen_put(c, "\n");
	c->loops--;
	gen_leave(c, mark);
}

// grid = query = wp.hash_grid_query(id, p, r) NEWLINE loop(hash_grid_query_next) [acc += float(wp.hash_grid_point_id(id, tid))]
static void gen_grid(gen_ctx *c, const char *id, const char *q, const gen_var *acc, const gen_var *p)
{
	rng *r = &c->r;
	int mark = c->nvar;
	char idx[GEN_NAME];
	gen_line(c);
	buf_printf(c->b, "%s = wp.hash_grid_query(%s, %s, ", q, id, p->name);
	dist_lit(c, 1, 40);
	gen_put(c, ")\n");
	query_loop(c, "hash_grid_query_next", q, "index", idx);
	gen_enter(c);
	c->loops++;
	const gen_arr *pts = gen_arr_pick(c, WT_V3, 0);
	gen_line(c);
	if (pts && pts->ndim == 1) {
		buf_printf(c->b, "%s += wp.length(%s[%s %% %s.shape[0]] - %s)\n", acc->name, pts->name, idx, pts->name, p->name);
	} else {
		buf_printf(c->b, "%s += ", acc->name);
		unsigned saved = gen_var_hide((gen_var *)acc); /* see gen_accum */
		index_term(c, idx);
		gen_var_show((gen_var *)acc, saved);
		gen_put(c, "\n");
	}
	c->loops--;
	gen_leave(c, mark);
	if (rng_chance(r, 0.3)) {
		gen_line(c);
		buf_printf(c->b, "%s += float(wp.hash_grid_point_id(%s, %s))\n", acc->name, id, c->tid[0]);
	}
}

/* volume = uvw = wp.volume_world_to_index(id, p) NEWLINE acc = sample (one or two)
 * sample = wp.volume_sample_f(id, uvw, mode) | wp.volume_sample(id, uvw, mode, dtype=float)
 *        | wp.volume_sample_grad_f(id, uvw, mode, g) | wp.length(wp.volume_sample_v(id, uvw, mode))
 *        | wp.volume_lookup_f(id, i, j, k) | float(wp.volume_lookup_i(id, i, j, k)) | float(wp.volume_sample_i(id, uvw))
 *        | wp.volume_lookup(id, i, j, k, dtype=float) | wp.length(wp.volume_lookup_v(id, i, j, k))
 *        | wp.length(wp.volume_world_to_index_dir(id, p)) | float(wp.volume_voxel_count(id)) */
static void gen_volume(gen_ctx *c, const char *id, const gen_var *acc, const gen_var *p)
{
	static const char *const modes[] = {"wp.Volume.LINEAR", "wp.Volume.CLOSEST"};
	rng *r = &c->r;
	const char *mode = modes[rng_below(r, 2)];
	gen_var *uvw = start(c, "uvw", WT_V3);
	if (!uvw)
		return;
	buf_printf(c->b, "wp.volume_world_to_index(%s, %s)\n", id, p->name);
	gen_decl_finish(uvw, WT_V3);
	const char *u = uvw->name;
	for (int n = rng_range(r, 1, 2), i = 0; i < n; i++) {
		int k = (int)rng_below(r, 11);
		if (k == 3) {
			gen_line(c);
			buf_printf(c->b, "grad%d = wp.vec3()\n", c->fresh);
		}
		gen_line(c);
		buf_printf(c->b, "%s %s ", acc->name, i ? "+=" : "=");
		switch (k) {
		case 0: buf_printf(c->b, "wp.volume_sample_f(%s, %s, %s)\n", id, u, mode); break;
		case 1: buf_printf(c->b, "wp.volume_sample(%s, %s, %s, dtype=float)\n", id, u, mode); break;
		case 2: buf_printf(c->b, "wp.length(wp.volume_sample_v(%s, %s, %s))\n", id, u, mode); break;
		case 3:
			buf_printf(c->b, "wp.volume_sample_grad_f(%s, %s, %s, grad%d)\n", id, u, mode, c->fresh);
			gen_line(c);
			buf_printf(c->b, "%s += wp.length(grad%d)\n", acc->name, c->fresh++);
			break;
		case 4: buf_printf(c->b, "wp.volume_lookup_f(%s, int(%s[0]), int(%s[1]), int(%s[2]))\n", id, u, u, u); break;
		case 5: buf_printf(c->b, "float(wp.volume_lookup_i(%s, int(%s[0]), int(%s[1]), int(%s[2])))\n", id, u, u, u); break;
		case 6: buf_printf(c->b, "wp.volume_lookup(%s, int(%s.x), int(%s.y), int(%s.z), dtype=float)\n", id, u, u, u); break;
		case 7: buf_printf(c->b, "wp.length(wp.volume_lookup_v(%s, int(%s.x), int(%s.y), int(%s.z)))\n", id, u, u, u); break;
		case 8: buf_printf(c->b, "float(wp.volume_sample_i(%s, %s))\n", id, u); break;
		case 9: buf_printf(c->b, "wp.length(wp.volume_world_to_index_dir(%s, %s))\n", id, p->name); break;
		default: buf_printf(c->b, "float(wp.volume_voxel_count(%s))\n", id); break;
		}
	}
	if (rng_chance(r, 0.3)) {
		gen_line(c);
		buf_printf(c->b, "%s += wp.length(wp.%s(%s, %s) - %s)\n", acc->name,
		           rng_chance(r, 0.5) ? "volume_index_to_world" : "volume_index_to_world_dir", id, u, p->name);
	}
}

/* geometry = acc = float(0) NEWLINE p = v3 NEWLINE (mesh_point | mesh_ray | walk | grid | volume)
 * on the kernel's id parameter, and the value acc to store. */
const gen_var *gen_core_geometry(gen_ctx *c)
{
	rng *r = &c->r;
	const char *id = c->sparam[0];
	const gen_var *acc = gen_decl_zero(c, rng_chance(r, 0.5) ? "acc" : "dist", WT_F32);
	gen_var *p = start(c, rng_chance(r, 0.5) ? "p" : "x", WT_V3);
	if (!acc || !p)
		return acc;
	gen_arg(c, WT_V3, gen_depth(c));
	gen_put(c, "\n");
	gen_decl_finish(p, WT_V3);
	char q[GEN_NAME];
	gen_fresh_name(c, q, "query");
	switch (geo_kind) {
	case G_MESH_POINT: gen_mesh_point(c, id, q, acc, p); break;
	case G_MESH_RAY: gen_mesh_ray(c, id, q, acc, p); break;
	case G_MESH_AABB: gen_walk(c, 1, id, q, acc, p); break;
	case G_BVH: gen_walk(c, 0, id, q, acc, p); break;
	case G_HASH_GRID: gen_grid(c, id, q, acc, p); break;
	default: gen_volume(c, id, acc, p); break;
	}
	return acc;
}

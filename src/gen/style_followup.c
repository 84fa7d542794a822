/* style_followup: what real code does next after a category's construct,
 * in the realistic style (style.h): a geometry query's group root and a
 * capsule or sphere walk, or a volume's gradient; a tile from one thread's
 * value; a transform's parts set or taken apart; a 2x2 SVD; a texture
 * lookup. Each only reads inputs and writes fresh locals, so the parameter
 * roles stay as they are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/ctx.h"
#include "gen/style.h"

/* After a geometry query, now and then: the BVH's or mesh's group root, or
 * the volume's gradient where the query looked. */
/* The neighbours within a capsule of the group's root (BVH) or a sphere
 * (mesh) around p, counted: q = query; k = int(0); while next(q, k): n += 1 */
static void query_walk(rctx *c, const char *id, const char *root, const char *p)
{
	char q[RS_NAME], k[RS_NAME], n[RS_NAME];
	int bvh = id[0] == 'b';
	rs_fresh(c, bvh ? "capsule_query" : "sphere_query", q);
	rs_take(c, q);
	rs_line(c);
	if (bvh)
		buf_printf(c->b, "%s = wp.bvh_query_capsule(%s, %s, wp.vec3(0.0, 1.0, 0.0), 0.5, %s)\n", q, id, p, root);
	else
		buf_printf(c->b, "%s = wp.mesh_query_sphere(%s, %s, 0.5)\n", q, id, p);
	rs_fresh(c, bvh ? "item" : "face", k);
	rs_take(c, k);
	rs_fresh(c, "num_hits", n);
	rs_line(c);
	buf_printf(c->b, "%s = int(0)\n", k);
	rs_line(c);
	buf_printf(c->b, "%s = int(0)\n", n);
	rs_line(c);
	buf_printf(c->b, "while wp.%s(%s, %s):\n", bvh ? "bvh_query_next" : "mesh_query_next", q, k);
	rs_line(c);
	buf_printf(c->b, "    %s += 1\n", n);
	rs_add_val(c, n, RT_INT, 1);
	c->stmts += 5;
}

void rs_geometry_followup(rctx *c)
{
	char nm[RS_NAME], gr[RS_NAME];
	const char *id = c->geo_id;
	int v = rs_find(c, RT_VEC3, 1);
	if (!strcmp(id, "mesh") || !strcmp(id, "mesh_id") || !strcmp(id, "bvh") || !strcmp(id, "bvh_id")) {
		rs_line(c);
		buf_printf(c->b, "%s = wp.%s_get_group_root(%s, 0)\n", rs_fresh(c, "root", nm), id[0] == 'm' ? "mesh" : "bvh",
			   id);
		rs_add_val(c, nm, RT_INT, 1);
		c->stmts++;
		if (v >= 0 && rng_chance(&c->r, 0.6))
			query_walk(c, id, nm, c->val[v].name);
	} else if ((!strcmp(id, "volume") || !strcmp(id, "vol")) && v >= 0) {
		rs_fresh(c, "grad", gr);
		rs_line(c);
		buf_printf(c->b, "%s = wp.vec3(0.0)\n", gr);
		rs_add_val(c, gr, RT_VEC3, 1);
		rs_line(c);
		buf_printf(c->b, "%s = wp.volume_sample_grad(%s, wp.volume_world_to_index(%s, %s), wp.Volume.LINEAR, %s, dtype=float)\n",
			   rs_fresh(c, "sdf", nm), id, id, c->val[v].name, gr);
		rs_add_val(c, nm, RT_FLOAT, 1);
		c->stmts += 2;
	}
}

/* The tile shape's constant names, from the setup's text ("TILE = 32",
 * "BLOCK_M = wp.constant(8)"): returns how many (1 or 3). */
static int tile_consts(const rctx *c, char names[3][RS_NAME], int *vals)
{
	int n = 0;
	for (const char *p = c->pre; *p && n < 3;) {
		const char *q = strstr(p, " = ");
		const char *nl = strchr(p, '\n');
		if (!q || !nl || q > nl)
			break;
		const char *d = q + 3;
		while (d < nl && (*d < '0' || *d > '9'))
			d++; /* "32" or "wp.constant(32)" */
		vals[n] = (int)strtol(d, NULL, 10);
		snprintf(names[n++], RS_NAME, "%.*s", (int)(q - p < RS_NAME - 1 ? q - p : RS_NAME - 1), p);
		p = nl + 1;
	}
	return n;
}

static const char *fresh_tile(rctx *c, const char *base, char *out)
{
	rs_fresh(c, base, out);
	rs_take(c, out);
	return out;
}

/* After the tile core, now and then: a tile made from one thread's value
 * (tile_from_thread, wp.tile / untile, tile_randf), reshaped, squeezed or
 * viewed, and reduced to a value the thread keeps. At the top level, where
 * every thread of the block runs it. */
void rs_tile_followup(rctx *c)
{
	char k[3][RS_NAME], t[RS_NAME], u[RS_NAME], m[RS_NAME];
	int kv[3] = {0, 0, 0};
	int dims = tile_consts(c, k, kv) == 3 ? 2 : 1;
	if (!k[0][0] || c->ntid == 0)
		return;
	int v = rs_find(c, RT_FLOAT, 1); /* a local: wp.tile(params.x) fails in Warp */
	unsigned kind = rng_below(&c->r, 4);
	const char *tid = c->tid[c->ntid - 1];
	rs_line(c);
	if (kind == 3 && dims == 1) { /* per-thread values to a tile and back */
		buf_printf(c->b, "%s = wp.tile(", fresh_tile(c, "tv", t));
		if (v >= 0)
			rs_put_val(c, v);
		else
			buf_puts(c->b, "1.0");
		buf_puts(c->b, ")\n");
		rs_line(c);
		buf_printf(c->b, "%s = wp.untile(%s)\n", rs_fresh(c, "y", m), t);
		rs_add_val(c, m, RT_FLOAT, 1);
		c->stmts += 2;
		return;
	}
	if (kind == 2) {
		char st[RS_NAME];
		buf_printf(c->b, "%s = wp.rand_init(%u, %s)\n", fresh_tile(c, "rng", st), 1 + rng_below(&c->r, 9999), tid);
		rs_line(c);
		if (dims == 1)
			buf_printf(c->b, "%s = wp.tile_randf(shape=%s, rng=%s)\n", fresh_tile(c, "tr", t), k[0], st);
		else
			buf_printf(c->b, "%s = wp.tile_randf(shape=(%s, %s), rng=%s)\n", fresh_tile(c, "tr", t), k[0], k[1], st);
		c->stmts++;
	} else {
		buf_printf(c->b, "%s = wp.tile_from_thread(shape=", fresh_tile(c, "tb", t));
		if (dims == 1)
			buf_puts(c->b, k[0]);
		else
			buf_printf(c->b, "(%s, %s)", k[0], k[1]);
		buf_puts(c->b, ", value=");
		if (v >= 0)
			rs_put_val(c, v);
		else
			buf_puts(c->b, "1.0");
		buf_puts(c->b, ", thread_idx=0)\n");
	}
	c->stmts++;
	rs_line(c);
	if (dims == 1 && kind == 0) {
		buf_printf(c->b, "%s = wp.tile_reshape(%s, shape=(%s, 1))\n", fresh_tile(c, "tr", u), t, k[0]);
		rs_line(c);
		buf_printf(c->b, "%s = wp.tile_squeeze(%s, axis=(1,))\n", fresh_tile(c, "tq", t), u);
		rs_line(c);
		c->stmts += 2;
	} else if (dims == 2 && kind == 1 && kv[0] == kv[1]) { /* a square tile: its diagonal */
		buf_printf(c->b, "%s = wp.tile_diag_add(%s, wp.tile_ones(shape=%s, dtype=float))\n", fresh_tile(c, "td", u),
			   t, k[0]);
		snprintf(t, sizeof t, "%s", u);
		rs_line(c);
		c->stmts++;
	} else if (dims == 2 && kind != 2) {
		buf_printf(c->b, "%s = wp.tile_view(%s, offset=(0, 0), shape=(%s, 1))\n", fresh_tile(c, "tw", u), t, k[0]);
		snprintf(t, sizeof t, "%s", u);
		rs_line(c);
		c->stmts++;
	}
	buf_printf(c->b, "%s = wp.tile_%s(%s)[0]\n", rs_fresh(c, "m", m), rng_chance(&c->r, 0.6) ? "sum" : "max", t);
	rs_add_val(c, m, RT_FLOAT, 1);
	c->stmts++;
}

/* p, rot, scale = wp.transform_decompose(wp.transform_to_matrix(X)), or a
 * local transform whose translation or rotation is set in place. */
void rs_xform_followup(rctx *c)
{
	char nm[3][RS_NAME];
	int x = rs_find(c, RT_XFORM, 0), v = rs_find(c, RT_VEC3, 0), q = rs_find(c, RT_QUAT, 0);
	if (x < 0 || v < 0)
		return;
	unsigned k = rng_below(&c->r, 3);
	rs_line(c);
	if (k == 0) {
		buf_printf(c->b, "%s, ", rs_fresh(c, "p", nm[0]));
		rs_take(c, nm[0]);
		buf_printf(c->b, "%s, ", rs_fresh(c, "rot", nm[1]));
		rs_take(c, nm[1]);
		buf_printf(c->b, "%s = wp.transform_decompose(wp.transform_to_matrix(", rs_fresh(c, "scale", nm[2]));
		rs_put_val(c, x);
		buf_puts(c->b, "))\n");
		rs_add_val(c, nm[0], RT_VEC3, 1);
		rs_add_val(c, nm[1], RT_QUAT, 1);
		rs_add_val(c, nm[2], RT_VEC3, 1);
		c->stmts++;
		return;
	}
	if (k == 2 && q < 0)
		k = 1;
	buf_printf(c->b, "%s = wp.transform(wp.transform_get_translation(", rs_fresh(c, "X_new", nm[0]));
	rs_put_val(c, x);
	buf_puts(c->b, "), wp.transform_get_rotation(");
	rs_put_val(c, x);
	buf_puts(c->b, "))\n");
	rs_line(c);
	buf_printf(c->b, "wp.transform_set_%s(%s, ", k == 1 ? "translation" : "rotation", nm[0]);
	rs_put_val(c, k == 1 ? v : q);
	buf_puts(c->b, ")\n");
	rs_add_val(c, nm[0], RT_XFORM, 1);
	c->stmts += 2;
}

/* The singular values of a 3x3 matrix's upper-left 2x2 block (wp.svd2's
 * out arguments are fresh locals). */
void rs_svd_followup(rctx *c)
{
	char u[RS_NAME], s[RS_NAME], v[RS_NAME], a[RS_NAME], r[RS_NAME];
	int m = rs_find(c, RT_MAT33, 0);
	if (m < 0)
		return;
	rs_line(c);
	buf_printf(c->b, "%s = wp.mat22(", rs_fresh(c, "A2", a));
	rs_take(c, a);
	for (int i = 0; i < 4; i++) {
		if (i)
			buf_puts(c->b, ", ");
		rs_put_val(c, m);
		buf_printf(c->b, "[%d, %d]", i / 2, i % 2);
	}
	buf_puts(c->b, ")\n");
	rs_line(c);
	buf_printf(c->b, "%s = wp.mat22()\n", rs_fresh(c, "U", u));
	rs_take(c, u);
	rs_line(c);
	buf_printf(c->b, "%s = wp.vec2()\n", rs_fresh(c, "sigma", s));
	rs_take(c, s);
	rs_line(c);
	buf_printf(c->b, "%s = wp.mat22()\n", rs_fresh(c, "V", v));
	rs_take(c, v);
	rs_line(c);
	buf_printf(c->b, "wp.svd2(%s, %s, %s, %s)\n", a, u, s, v);
	rs_line(c);
	buf_printf(c->b, "%s = %s[0]\n", rs_fresh(c, "s_max", r), s);
	rs_add_val(c, r, RT_FLOAT, 1);
	c->stmts += 6;
}

/* texel = wp.texture_sample(tex, wp.vec2(u, v), dtype=float) on the
 * kernel's wp.Texture2D parameter. */
void rs_texture(rctx *c)
{
	char nm[RS_NAME];
	rs_line(c);
	buf_printf(c->b, "%s = wp.texture_sample(%s, wp.vec2(", rs_fresh(c, "texel", nm), c->tex);
	rs_leaf(c, RT_FLOAT);
	buf_puts(c->b, ", ");
	rs_leaf(c, RT_FLOAT);
	buf_puts(c->b, "), dtype=float)\n");
	rs_add_val(c, nm, RT_FLOAT, 1);
	c->stmts++;
}

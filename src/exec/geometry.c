/* geometry: meshes, BVHs and hash grids for geometry kernels; see geometry.h. */
#include "exec/geometry.h"

#include <dlfcn.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "common/util.h"

/* wp::array_t as C lays it out (56 bytes), passed by value to warp.so */
typedef struct c_array {
	void *data, *grad;
	int shape[4], strides[4];
	uint16_t ndim, flags;
} c_array;

struct xgeo_api {
	uint64_t (*mesh_create)(c_array points, c_array vel, c_array tris, int np, int nt, int winding, int ctor,
				int *groups, int leaf);
	void (*mesh_destroy)(uint64_t);
	uint64_t (*bvh_create)(float *lowers, float *uppers, int n, int ctor, int *groups, int leaf);
	void (*bvh_destroy)(uint64_t);
	uint64_t (*grid_create)(int type, int x, int y, int z);
	void (*grid_update)(uint64_t id, int type, double cell, const void *points, const void *groups);
	void (*grid_destroy)(uint64_t id, int type);
	uint64_t (*vol_create)(void *points, int n, const int32_t *mask, float transform[9], float translation[3],
			       bool world, const void *bg, uint32_t bg_size, const char *bg_type, bool rebuildable,
			       uint32_t max_tiles, uint32_t max_lower, uint32_t max_upper, uint32_t *status);
	void (*vol_destroy)(uint64_t id);
	uint64_t (*tex_create)(int ndim, int levels, int *w, int *h, int *d, int channels, int dtype, int filter,
			       int mip_filter, int *address, bool normalized, void **data);
	void (*tex_destroy)(uint64_t id);
};

xgeo_api *xgeo_bind(void *w, buf *err)
{
	xgeo_api *a = xcalloc(1, sizeof *a);
	static const char *const names[] = {"wp_mesh_create_host", "wp_mesh_destroy_host", "wp_bvh_create_host",
					    "wp_bvh_destroy_host", "wp_hash_grid_create_host", "wp_hash_grid_update_host",
					    "wp_hash_grid_destroy_host", "wp_volume_from_tiles_host", "wp_volume_destroy_host",
					    "wp_texture_create_host", "wp_texture_destroy_host"};
	void *f[11];
	for (int i = 0; i < 11; i++)
		if (!(f[i] = dlsym(w, names[i]))) {
			buf_printf(err, "warp.so lacks %s", names[i]);
			free(a);
			return NULL;
		}
	memcpy(&a->mesh_create, &f[0], sizeof f[0]);
	memcpy(&a->mesh_destroy, &f[1], sizeof f[1]);
	memcpy(&a->bvh_create, &f[2], sizeof f[2]);
	memcpy(&a->bvh_destroy, &f[3], sizeof f[3]);
	memcpy(&a->grid_create, &f[4], sizeof f[4]);
	memcpy(&a->grid_update, &f[5], sizeof f[5]);
	memcpy(&a->grid_destroy, &f[6], sizeof f[6]);
	memcpy(&a->vol_create, &f[7], sizeof f[7]);
	memcpy(&a->vol_destroy, &f[8], sizeof f[8]);
	memcpy(&a->tex_create, &f[9], sizeof f[9]);
	memcpy(&a->tex_destroy, &f[10], sizeof f[10]);
	return a;
}

void xgeo_api_free(xgeo_api *api) { free(api); }

static c_array arr1(void *data, int n, int esz)
{
	c_array a = {.data = data, .ndim = 1};
	a.shape[0] = n;
	a.strides[0] = esz;
	return a;
}

#define NPTS 64
#define LAT 8  /* rings: LAT - 1 interior, plus the poles */
#define LON 10

static float *points(xinputs *in, uint64_t seed, int p)
{
	float *v = xin_alloc(in, NPTS * 3 * sizeof(float));
	uint64_t x = seed ^ (0x51ed27ULL * (uint64_t)(p + 1));
	for (int i = 0; i < NPTS * 3; i++)
		v[i] = (float)((double)(rng_splitmix64(&x) >> 11) * (2.0 / 9007199254740992.0) - 1.0);
	return v;
}

static uint64_t make_mesh(const xgeo_api *api, xinputs *in)
{
	int np = (LAT - 1) * LON + 2, nt = 2 * LON + 2 * LON * (LAT - 2);
	float *pt = xin_alloc(in, (size_t)np * 3 * sizeof(float));
	int *tri = xin_alloc(in, (size_t)nt * 3 * sizeof(int));
	int k = 0;
	for (int r = 1; r < LAT; r++)
		for (int c = 0; c < LON; c++, k++) {
			double th = M_PI * r / LAT, ph = 2 * M_PI * c / LON;
			pt[3 * k] = (float)(sin(th) * cos(ph));
			pt[3 * k + 1] = (float)(sin(th) * sin(ph));
			pt[3 * k + 2] = (float)cos(th);
		}
	int top = k, bot = k + 1;
	pt[3 * top + 2] = 1.0f;
	pt[3 * bot + 2] = -1.0f;
	int t = 0;
#define TRI(a, b, c) (tri[3 * t] = (a), tri[3 * t + 1] = (b), tri[3 * t + 2] = (c), t++)
	for (int c = 0; c < LON; c++) {
		int c1 = (c + 1) % LON;
		TRI(top, c, c1); /* outward: counter-clockwise seen from outside */
		TRI(bot, (LAT - 2) * LON + c1, (LAT - 2) * LON + c);
		for (int r = 0; r + 1 < LAT - 1; r++) {
			int a = r * LON + c, b = r * LON + c1, d = (r + 1) * LON + c, e = (r + 1) * LON + c1;
			TRI(a, d, b);
			TRI(b, d, e);
		}
	}
#undef TRI
	float *vel = xin_alloc(in, (size_t)np * 3 * sizeof(float));
	for (int i = 0; i < np * 3; i++)
		vel[i] = 0.5f * pt[i];
	return api->mesh_create(arr1(pt, np, 12), arr1(vel, np, 12), arr1(tri, nt * 3, 4), np, nt, 1, 0, NULL, 1);
}

/* Tiles over [-1.2, 1.2]^3 (voxels of 0.1), every voxel at the background
 * value, whose type is the one the kernel samples: float 0.5, vec3f
 * (0.5, -0.25, 1) or int32 3. */
static uint64_t make_volume(const xgeo_api *api, xinputs *in, int type)
{
	float *pt = xin_alloc(in, 64 * 3 * sizeof(float));
	for (int i = 0; i < 64; i++) {
		pt[3 * i] = -1.2f + 0.8f * (float)(i % 4);
		pt[3 * i + 1] = -1.2f + 0.8f * (float)((i / 4) % 4);
		pt[3 * i + 2] = -1.2f + 0.8f * (float)(i / 16);
	}
	float xf[9] = {0.1f, 0, 0, 0, 0.1f, 0, 0, 0, 0.1f}, tr[3] = {0, 0, 0};
	float f = 0.5f, v[3] = {0.5f, -0.25f, 1.0f};
	int32_t iv = 3;
	const void *bg = type == 1 ? (const void *)v : type == 2 ? (const void *)&iv : (const void *)&f;
	uint32_t sz = type == 1 ? 12 : 4;
	return api->vol_create(pt, 64, NULL, xf, tr, true, bg, sz, type == 1 ? "Vec3f" : type == 2 ? "int32" : "float",
			       false, 0, 0, 0, NULL);
}

/* texture.h's constants */
enum { TEX_FLOAT32 = 2, TEX_LINEAR = 1, TEX_CLAMP = 1, TEX_SIDE = 8, TEX_CHANNELS = 4 };

/* A float32 texture of 4 channels, TEX_SIDE texels a side in each of its
 * ndim dimensions, values seeded in [0, 1), linear filtering, normalised
 * coordinates, clamped addressing; its texture<N>d_t descriptor (tex, width
 * [, height [, depth]], metadata) goes to desc. 0 if warp.so refused it. */
static uint64_t make_texture(const xgeo_api *api, uint64_t seed, int p, int ndim, unsigned char *desc)
{
	int side[3] = {TEX_SIDE, TEX_SIDE, TEX_SIDE}, address[3] = {TEX_CLAMP, TEX_CLAMP, TEX_CLAMP};
	void *data[1] = {NULL};
	uint64_t id = api->tex_create(ndim, 1, side, side + 1, side + 2, TEX_CHANNELS, TEX_FLOAT32, TEX_LINEAR, 0,
				      address, true, data);
	if (!id || !data[0])
		return id;
	size_t n = TEX_CHANNELS;
	for (int d = 0; d < ndim; d++)
		n *= TEX_SIDE;
	uint64_t x = seed ^ (0x7e87u * (uint64_t)(p + 1));
	for (size_t i = 0; i < n; i++)
		((float *)data[0])[i] = (float)((double)(rng_splitmix64(&x) >> 11) * (1.0 / 9007199254740992.0));
	uint32_t meta = TEX_CHANNELS | TEX_FLOAT32 << 3 | TEX_LINEAR << 6 | 1u << 8 | 1u << 13 | TEX_CLAMP << 14 |
			TEX_CLAMP << 16 | TEX_CLAMP << 18;
	memcpy(desc, &id, 8);
	for (int d = 0; d < ndim; d++)
		memcpy(desc + 8 + 4 * d, &side[d], 4);
	memcpy(desc + 8 + 4 * ndim, &meta, 4);
	return id;
}

void xgeo_build(const xgeo_api *api, const sig *s, uint64_t seed, xinputs *in)
{
	in->ngeo = 0;
	for (int p = 0; p < s->nparams && in->ngeo < 8; p++) {
		xgeo_kind k = s->params[p].geo;
		if (k == XG_NONE)
			continue;
		uint64_t id = 0;
		if (k == XG_TEXTURE) {
			const xparam *x = &s->params[p];
			if ((id = make_texture(api, seed, p, x->type->ncomp, in->args + x->offset)))
				memcpy(in->adj_args + x->offset, in->args + x->offset, x->type->size);
			in->geo_id[in->ngeo] = id;
			in->geo_param[in->ngeo++] = p;
			continue;
		}
		if (k == XG_VOLUME) {
			id = make_volume(api, in, s->params[p].vol_type);
		} else if (k == XG_MESH) {
			id = make_mesh(api, in);
		} else if (k == XG_BVH) {
			float *c = points(in, seed, p), *lo = xin_alloc(in, NPTS * 12), *hi = xin_alloc(in, NPTS * 12);
			for (int i = 0; i < NPTS * 3; i++)
				lo[i] = c[i] - 0.2f, hi[i] = c[i] + 0.2f;
			id = api->bvh_create(lo, hi, NPTS, 0, NULL, 1);
		} else {
			c_array *pa = xin_alloc(in, sizeof *pa);
			*pa = arr1(points(in, seed, p), NPTS, 12);
			id = api->grid_create(1, 16, 16, 16);
			api->grid_update(id, 1, 0.5, pa, NULL);
		}
		memcpy(in->args + s->params[p].offset, &id, 8);
		in->geo_id[in->ngeo] = id;
		in->geo_param[in->ngeo++] = p;
	}
}

void xgeo_release(const xgeo_api *api, const sig *s, xinputs *in)
{
	for (int i = 0; i < in->ngeo; i++) {
		xgeo_kind k = s->params[in->geo_param[i]].geo;
		if (k == XG_TEXTURE) {
			if (in->geo_id[i])
				api->tex_destroy(in->geo_id[i]);
		} else if (k == XG_MESH)
			api->mesh_destroy(in->geo_id[i]);
		else if (k == XG_BVH)
			api->bvh_destroy(in->geo_id[i]);
		else if (k == XG_VOLUME)
			api->vol_destroy(in->geo_id[i]);
		else
			api->grid_destroy(in->geo_id[i], 1);
	}
	in->ngeo = 0;
}

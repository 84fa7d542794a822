/* geometry: small real geometry objects behind a kernel's uint64 ids,
 * built through warp.so's own host API (wp_mesh_create_host,
 * wp_bvh_create_host, wp_hash_grid_create_host/update_host,
 * wp_volume_from_tiles_host), so geometry
 * kernels run on CPU: a closed latitude-longitude sphere of radius 1 (72
 * points, 140 triangles) for meshes, 64 boxes of half-size 0.2 around
 * points in [-1, 1)^3 for BVHs, and a float32 hash grid (16^3 cells of 0.5)
 * over the same 64 points, and NanoVDB volumes of one value (the type the
 * kernel samples) over [-1.2, 1.2]^3; textures (wp.Texture1D/2D/3D
 * parameters, wp_texture_create_host) of 8 texels a side, 4 float32
 * channels seeded in [0, 1), linear filtering, normalised coordinates,
 * clamped addressing. The points and texels are a pure function of
 * the inputs' seed. A CUDA runner
 * would use the _device variants on the same host data. */
#ifndef JS_EXEC_GEOMETRY_H
#define JS_EXEC_GEOMETRY_H

#include "common/buf.h"
#include "exec/inputs.h"
#include "exec/sig.h"

typedef struct xgeo_api xgeo_api;

/* Finds the functions in warp.so (a dlopen handle). NULL with err if any is missing. */
xgeo_api *xgeo_bind(void *warp_so, buf *err);
void xgeo_api_free(xgeo_api *api);

/* Builds an object for every geometry parameter of s and writes its id
 * into in->args; xgeo_release destroys them (before xin_free). */
void xgeo_build(const xgeo_api *api, const sig *s, uint64_t seed, xinputs *in);
void xgeo_release(const xgeo_api *api, const sig *s, xinputs *in);

#endif

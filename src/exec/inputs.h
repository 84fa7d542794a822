/* inputs: the buffers a kernel runs on, built from its signature (sig.h):
 * the launch shape, every array (and every array inside a struct) with
 * deterministic contents that are a pure function of (seed, set, parameter,
 * element) and the parameter's type and role, the struct wp_args_* bytes
 * that point at them, and the same for the adjoints (zeroed). Host memory
 * only and no dependence on how it is run: a CUDA runner copies these
 * buffers to the device.
 *
 * Sizes: a 1D launch has 64 threads, 2D 8x8, 3D 4x4x4, 4D 3x3x3x3; every
 * array has the launch's extent in each of its dimensions (the generator's
 * contract: indices are in [0, shape[d])). Tiled kernels launch 2 (or 2x2)
 * tiles of WP_TILE_BLOCK_DIM lanes over arrays of 256 (or 64x64) elements.
 * Contents: floats uniform in [-1, 1), signed integers in [-4, 4], unsigned
 * in [0, 7], plain integer values in [1, 8]; OUTPUT arrays start from seeded
 * values (what a kernel leaves unwritten stays visible), ACCUMULATOR arrays
 * from zero, indexed arrays index their base through a reversed permutation.
 *
 * Ownership: an xinputs owns every buffer; xin_free releases them. */
#ifndef JS_EXEC_INPUTS_H
#define JS_EXEC_INPUTS_H

#include <stddef.h>
#include <stdint.h>

#include "exec/sig.h"

typedef struct xarr {
	int param;	   /* its parameter; arrays inside a struct share it */
	int top;	   /* 1: the parameter itself is this array */
	const xtype *elem; /* element type */
	int ndim, shape[4];
	size_t count;	   /* elements */
	unsigned char *data, *adj;
	size_t bytes;
} xarr;

typedef struct xinputs {
	uint32_t launch[4];
	int ndim;
	size_t size, coord_mult; /* launch_bounds_t's */
	unsigned char *args, *adj_args;
	xarr *arrs;
	int narrs;
	void **allocs;	    /* every buffer (arrays, grads, index arrays, the args), */
	size_t *alloc_bytes; /* with its size: a CUDA runner copies each to the device */
	int nallocs;
	uint64_t geo_id[8]; /* geometry.c's objects, per parameter (first 8 geometry params) */
	int geo_param[8], ngeo;
} xinputs;

/* Zeroed memory that the inputs own (freed by xin_free). */
void *xin_alloc(xinputs *in, size_t n);

/* Builds the inputs of input set `set` (0: the record's; 1, 2: further sets
 * for `eval`). */
void xin_build(const sig *s, uint64_t seed, int set, xinputs *out);
void xin_free(xinputs *in);

/* Perturbation k (k > 0; 0 leaves the inputs as they are) of built inputs:
 * every float scalar the kernel reads as input moves by exactly one step
 * of its own type's encoding (float16: one step of the half encoding,
 * float32: nextafterf, float64: nextafter), up or down by a sign that is a
 * pure function of (k, parameter, array, element, component). What moves:
 * the elements (every float component, struct fields included) of the
 * INPUT and INOUT arrays, and every float scalar passed by value at the
 * top level (plain values, vectors, matrices, the scalar fields of a
 * struct). OUTPUT and ACCUMULATOR arrays, integers, geometry and textures
 * stay. Call it before geometry.c builds its objects. */
void xin_perturb(const sig *s, xinputs *in, int k);

/* The bytes of launch_bounds_t<ndim> for it, into out (at least 40 bytes). */
size_t xin_bounds(const xinputs *in, unsigned char *out);

/* The scalar at element i, component c of an array as a double. */
double xin_get(const xarr *a, const unsigned char *base, size_t i, int c);
void xin_set(const xarr *a, unsigned char *base, size_t i, int c, double v);

#endif

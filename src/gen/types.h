/* types: the generator's small model of Warp's type system: float32/float64/
 * int32 scalars, bool (conditions only), vec2/3/4, mat22/33/44, quat,
 * transform and spatial_vector (all float32), their Python spelling. */
#ifndef JS_GEN_TYPES_H
#define JS_GEN_TYPES_H

#include "common/rng.h"

typedef enum wty {
	WT_F32,
	WT_F64,
	WT_I32,
	WT_BOOL,
	WT_V2,
	WT_V3,
	WT_V4,
	WT_M22,
	WT_M33,
	WT_M44,
	WT_QUAT,
	WT_XFORM,   /* wp.transform (float32) */
	WT_SPATIAL, /* wp.spatial_vector (float32) */
	WT_COUNT
} wty;

/* A set of types, bit t for type t. */
typedef unsigned wtyset;
#define WT_BIT(t) (1u << (t))
#define WT_SCALARS (WT_BIT(WT_F32) | WT_BIT(WT_F64) | WT_BIT(WT_I32))
#define WT_VECS (WT_BIT(WT_V2) | WT_BIT(WT_V3) | WT_BIT(WT_V4))
#define WT_MATS (WT_BIT(WT_M22) | WT_BIT(WT_M33) | WT_BIT(WT_M44))

int wty_is_float(wty t);  /* float32 or float64: the math builtins apply */
int wty_is_scalar(wty t); /* float32, float64 or int32 */
int wty_is_vec(wty t);
int wty_is_mat(wty t);
/* Components of a vector, rows of a matrix, 4 for quat, else 1. */
int wty_dim(wty t);
wty wty_vec(int dim);
wty wty_mat(int dim);

/* Python spelling used in annotations and constructor calls. Scalars have
 * two equivalent spellings (float / wp.float32); r picks one, so kernels
 * show both as real code does. r may be NULL for the canonical one. */
const char *wty_spell(wty t, rng *r);

/* Uniformly random member of a non-empty set. */
wty wty_pick(rng *r, wtyset s);

#endif

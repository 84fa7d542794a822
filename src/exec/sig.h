/* sig: a Warp kernel's signature read from its generated module text, the
 * only thing the run tier trusts: the parameters of `struct wp_args_<name>_<hash>`
 * with their C++ types parsed into a layout (sizes and offsets as g++ lays
 * them out: every Warp value type is an array of one scalar type, structs
 * follow C rules), the launch dimensionality of the forward entry point,
 * and each array parameter's role inferred from the forward function's body
 * (see "Roles"). Works on any CPU module, ours or an ingested one; the same
 * signature serves a CUDA runner (its kernels take the same types).
 *
 * Roles: an array only read is an INPUT; one only written by plain stores
 * (array_store, tile_store) an OUTPUT; one only updated by atomics of one
 * kind (add and sub count as one) an ACCUMULATOR; anything else (read and
 * written, mixed atomics, passed to a helper function) IN-OUT, whose result
 * may depend on thread order and whose gradient Warp's adjoint cannot give
 * (it re-reads overwritten values).
 *
 * Ownership: a sig owns every type and string it holds; sig_free frees it. */
#ifndef JS_EXEC_SIG_H
#define JS_EXEC_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

typedef enum xscalar {
	XS_F16, XS_F32, XS_F64,
	XS_I8, XS_U8, XS_I16, XS_U16, XS_I32, XS_U32, XS_I64, XS_U64, XS_BOOL,
	XS_COUNT
} xscalar;

/* XK_TEXTURE: wp::texture1d_t/2d_t/3d_t (ncomp: its dimensions), a handle
 * to a host texture that geometry.c builds (its geo is XG_TEXTURE). */
typedef enum xkind { XK_VALUE, XK_ARRAY, XK_INDEXED, XK_FABRIC, XK_STRUCT, XK_TEXTURE } xkind;

typedef struct xtype xtype;
typedef struct xfield {
	char *name;
	xtype *type;
	size_t offset;
} xfield;

struct xtype {
	xkind kind;
	xscalar sk;	 /* XK_VALUE: its scalar */
	int ncomp;	 /* XK_VALUE: scalars in it (vec3: 3, mat33: 9, transform: 7) */
	char *name;	 /* the dtype as shown in records ("float32", "vec3f", "Body") */
	xtype *elem;	 /* arrays: the element type */
	xfield *fields;	 /* XK_STRUCT */
	int nfields;
	size_t size, align;
	xtype *next_alloc; /* the sig's list of every type it owns */
};

typedef enum xrole { XR_INPUT, XR_OUTPUT, XR_ACCUM, XR_INOUT, XR_NONE } xrole;

typedef enum xgeo_kind { XG_NONE, XG_MESH, XG_BVH, XG_HASH_GRID, XG_VOLUME, XG_TEXTURE, XG_COUNT } xgeo_kind;

typedef struct xparam {
	char *name;
	xtype *type;
	size_t offset;	/* in struct wp_args_* */
	xrole role;	/* arrays (and structs holding arrays); XR_NONE for plain values */
	int ndim;	/* arrays: dimensions (from the subscripts in the body; else the launch's) */
	int read, stored, atomics; /* what the body does with it (atomics: a bit per kind) */
	xgeo_kind geo;		   /* a uint64 the body passes to wp::mesh_*, bvh_*, hash_grid_*, volume_*; a texture */
	int vol_type;		   /* volumes: the value type its samples ask for: 0 float, 1 vec3f, 2 int32 */
	int stores_elsewhere;	   /* plain stores under two index forms (a[tid], a[n-1-tid]): threads overwrite */
	char store_idx[64];	   /* the index arguments of its first plain store */
} xparam;

typedef struct sig {
	char *entry;	 /* "<name>_<hash>": wp_args_<entry>, <entry>_cpu_forward */
	int launch_ndim; /* launch_bounds_t<N> */
	int tiled;	 /* the body uses tiles: launched with a trailing block dimension */
	int block_dim;	 /* WP_TILE_BLOCK_DIM of the module */
	int has_backward;
	int dynamic_loop; /* a while loop or a range() with a runtime bound: Warp does not differentiate what it carries */
	xparam *params;
	int nparams;
	size_t args_size;
	char *unsupported; /* non-NULL: why this kernel cannot be executed (geometry ids, ...) */
	char *missing_adjoint; /* non-NULL: the builtins the forward calls whose adjoint Warp leaves out ("frac") */
	xtype *types;	   /* every type, for sig_free */
} sig;

/* Parses the module. 0, or -1 with one line in err (no kernel found, a type
 * it cannot lay out). A kernel that parses but cannot run gets
 * sig->unsupported instead. */
int sig_parse(const char *text, size_t len, sig *out, buf *err);
/* The same for the kernel named kernel (its struct wp_args_<kernel>_<hash>)
 * of a module that may hold several; NULL: the first. */
int sig_parse_for(const char *text, size_t len, const char *kernel, sig *out, buf *err);
void sig_free(sig *s);

/* roles.c: fills every parameter's read/stored/atomics, role and ndim from
 * the forward function's text [body, end) (sig_parse calls it). */
void sig_infer_roles(sig *s, const char *body, const char *end);

const char *xscalar_name(xscalar s);
size_t xscalar_size(xscalar s);
int xscalar_is_float(xscalar s);
const char *xrole_name(xrole r);

#endif

/* pyfeat: what a Warp kernel's Python looks like, measured from its text
 * (pytok.h's logical lines; nothing is executed) for the realism measure:
 * size, parameters and their annotations, guards, helper calls, launch
 * dimensions, builtins, literals, expression depth, comments, structs and
 * index indirection. README.md ("Realism") defines each feature. */
#ifndef JS_PYFEAT_H
#define JS_PYFEAT_H

#include <stddef.h>

enum { PYFEAT_MAX_PARAMS = 64, PYFEAT_MAX_NAMES = 64 };

/* How an array parameter is annotated. */
typedef enum { ANN_SUBSCRIPT, ANN_CALL, ANN_OTHER, ANN_COUNT } pyfeat_ann;
/* A parameter's kind. */
typedef enum {
	PK_ARRAY,
	PK_FLOAT,
	PK_INT,
	PK_BOOL,
	PK_VECMAT,
	PK_STRUCT,
	PK_GENERIC,
	PK_OTHER,
	PK_UNTYPED,
	PK_COUNT
} pyfeat_pkind;
/* An array's element type. */
typedef enum {
	DT_F32,
	DT_F64,
	DT_I32,
	DT_OTHER_INT,
	DT_VEC3,
	DT_VEC,
	DT_QUAT,
	DT_TRANSFORM,
	DT_MAT,
	DT_SPATIAL,
	DT_STRUCT,
	DT_GENERIC,
	DT_OTHER,
	DT_COUNT
} pyfeat_dtype;

typedef struct pyfeat_name {
	const char *s; /* into the source text */
	unsigned len;
} pyfeat_name;

typedef struct pyfeat_param {
	pyfeat_name name;
	unsigned char kind, ann, dtype; /* ann, dtype: arrays only */
} pyfeat_param;

typedef struct pyfeat_kernel {
	pyfeat_name name;
	unsigned statements, nest, expr_depth, builtins, literals;
	unsigned dims; /* targets of `... = wp.tid()`; 0 without wp.tid() */
	unsigned char guard, helper, docstring, comment, uses_struct, indirect, loop, atomic;
	size_t nparams; /* parameters; the first PYFEAT_MAX_PARAMS are in param */
	pyfeat_param param[PYFEAT_MAX_PARAMS];
	size_t nlocals; /* distinct assigned names, at most PYFEAT_MAX_NAMES */
	pyfeat_name local[PYFEAT_MAX_NAMES];
} pyfeat_kernel;

typedef void (*pyfeat_fn)(const pyfeat_kernel *k, void *ctx);

/* Calls fn for each @wp.kernel function of src[0..n) (nested ones
 * included, e.g. kernels defined inside test functions), in order.
 * Returns how many there were. */
size_t pyfeat_scan(const char *src, size_t n, pyfeat_fn fn, void *ctx);

/* The depth of the expression tree of tokens [b, e) of the text's token
 * list (pyfeat.c says how it is counted): for the tests. */
unsigned pyfeat_expr_depth_of(const char *expr);

#endif

/* gen: the kernel generator's public face. Kernel `index` of a run is a pure
 * function of (options, index): its category, name and Python source never
 * depend on batching, job count or other kernels. Knows nothing of Warp's
 * compiler; the output is plain Python text. */
#ifndef JS_GEN_H
#define JS_GEN_H

#include <stdint.h>

#include "common/buf.h"

typedef enum gen_category {
	GEN_ARITHMETIC,
	GEN_CONDITIONAL,
	GEN_LOOP,
	GEN_MATH,
	GEN_VECTOR,
	GEN_ATOMIC,
	GEN_NESTED,
	GEN_MULTI_COND,
	GEN_COMBINED,
	GEN_SCALAR_PARAM,
	GEN_RANDOM_MATH,
	GEN_CATEGORY_COUNT
} gen_category;

typedef struct gen_options {
	uint64_t seed;
	/* Bit c set: category c may be drawn. 0 means all categories. */
	uint32_t categories;
} gen_options;

typedef struct gen_kernel {
	gen_category category;
	char name[48];     /* unique within a run: "<prefix>_<tag><index base36>" */
	buf source;        /* whole Python module: "import warp as wp\n\n@wp.kernel\ndef name(...):\n..." */
} gen_kernel;

const char *gen_category_name(gen_category c);
/* Returns the category called `name`, or -1. */
int gen_category_from_name(const char *name);

/* Fills k (which must be zeroed or previously filled) with kernel `index`.
 * The categories are balanced: in every block of K consecutive indices
 * (K = number of enabled categories) each enabled category appears once. */
void gen_kernel_make(const gen_options *opt, uint64_t index, gen_kernel *k);
void gen_kernel_free(gen_kernel *k);

#endif

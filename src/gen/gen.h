/* gen: the kernel generator's public face. Kernel `index` of a run is a pure
 * function of (options, index): its category, name and Python source never
 * depend on batching, job count or other kernels. Knows nothing of Warp's
 * compiler; the output is plain Python text. */
#ifndef JS_GEN_H
#define JS_GEN_H

#include <stdint.h>

#include "common/buf.h"

/* Statement kinds a profile weighs (gen_stmt_names lists their names). */
#define GEN_STMT_KINDS 9

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
	/* opt-in: drawn only when requested by name (or with 'all') */
	GEN_MATRIX,
	GEN_TRANSFORM,
	GEN_STRUCT,
	GEN_FUNC,
	GEN_RANDOM,
	GEN_BITWISE,
	GEN_WHILE_BREAK,
	GEN_MULTI_DIM,
	GEN_QUATERNION,
	GEN_GEOMETRY,
	GEN_TILE,
	GEN_DTYPES,
	GEN_LINALG,
	GEN_CATEGORY_COUNT
} gen_category;

/* The 11 categories of the seed dataset come first; a mask of 0 means them
 * (the CLI's default is every profile: cli.h, gen_cli_defaults). */
#define GEN_SEED_COUNT 11
#define GEN_SEED_MASK ((1u << GEN_SEED_COUNT) - 1)
#define GEN_ALL_MASK ((1u << GEN_CATEGORY_COUNT) - 1)

/* How the kernels read (`--style`): synthetic is the grammar's own text,
 * kept byte for byte; realistic writes them as physics, robotics, graphics
 * and geometry code does (src/gen/style.h). */
typedef enum gen_style { GEN_STYLE_SYNTHETIC, GEN_STYLE_REALISTIC } gen_style;

/* "synthetic", "realistic"; gen_style_from_name: the style called name, or -1. */
const char *gen_style_name(gen_style s);
int gen_style_from_name(const char *name);

typedef struct gen_options {
	uint64_t seed;
	/* Bit c set: category c may be drawn. 0 means the 11 seed categories
	 * (GEN_SEED_MASK; older journals read back so); GEN_ALL_MASK every
	 * profile, what generate and sample draw when not told. */
	uint32_t categories;
	/* > 0: at most this many random statements in the kernel body, nested
	 * ones included (the category's defining construct comes on top), and in
	 * each @wp.func helper */
	int max_stmts;
	int max_depth; /* > 0: random expression trees at most this deep */
	/* NULL, or per category statement weights overriding the profile's
	 * (weights[c][k] < 0: keep the profile's weight for kind k); see
	 * gen_config_parse. */
	const signed char (*weights)[GEN_STMT_KINDS];
	gen_style style; /* 0: synthetic (generate and sample: realistic unless told) */
} gen_options;

typedef struct gen_kernel {
	gen_category category;
	char name[48];     /* unique within a run: "<prefix>_<tag><index base36>" */
	buf source;        /* whole Python module: "import warp as wp\n\n@wp.kernel\ndef name(...):\n..." */
	int stmts;         /* random statements of the kernel body, the core's aside */
} gen_kernel;

const char *gen_category_name(gen_category c);
/* Returns the category called `name`, or -1. */
int gen_category_from_name(const char *name);
/* Appends the help text's list of categories, from the profile table: a
 * "Default: all 24 ... 'seed': the seed dataset's 11, ..." paragraph, then
 * "Further profiles: ..." with the others in table order and 'all'. Lines start with indent and are
 * wrapped at width columns (indent included), each ending in '\n'. */
void gen_categories_help(buf *out, const char *indent, int width);

/* Fills k (which must be zeroed or previously filled) with kernel `index`.
 * The categories are balanced: in every block of K consecutive indices
 * (K = number of enabled categories) each enabled category appears once. */
void gen_kernel_make(const gen_options *opt, uint64_t index, gen_kernel *k);
void gen_kernel_free(gen_kernel *k);

/* Statement weights per category; -1 keeps the profile's weight. */
typedef signed char gen_weights[GEN_CATEGORY_COUNT][GEN_STMT_KINDS];

/* Parses a weights file (`--weights FILE`): lines "CATEGORY.KIND = W", where
 * CATEGORY is a profile name or "*" (every profile), KIND one of
 * gen_stmt_names and W 0..100; '#' starts a comment. Later lines win. Fills
 * every entry of w (-1 where the file says nothing). 0, or -1 with
 * "line N: what" in err. */
int gen_config_parse(const char *text, size_t len, gen_weights w, char *err, size_t errlen);

/* "decl", "assign", ...: the names of the GEN_STMT_KINDS statement kinds. */
extern const char *const gen_stmt_names[GEN_STMT_KINDS];

#endif

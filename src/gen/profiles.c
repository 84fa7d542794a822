/* profiles: the table of categories: the 11 of the seed dataset (drawn by
 * default) and the opt-in ones. Each row sets the parameter shapes,
 * expression features and statement mix of its kernels and names the core
 * that emits the category's defining construct exactly once (core.h). The
 * names, the driver's lookups and the help text all come from this table. */
#include "gen/profiles.h"

#include <stdio.h>
#include <string.h>

#include "gen/core.h"

/* Array element type sets. */
#define FL (WT_BIT(WT_F32))
#define V3 (WT_BIT(WT_V3))
#define FLD (WT_BIT(WT_F32) | WT_BIT(WT_F64))
#define FDI (WT_BIT(WT_F32) | WT_BIT(WT_F64) | WT_BIT(WT_I32))

/* Ranges are inclusive; .w leaves out the statement kinds of weight 0. */
static const gen_profile profiles[GEN_CATEGORY_COUNT] = {
	[GEN_ARITHMETIC] = {
		.name = "arithmetic", .prefix = "arith",
		.args = {2, 5}, .scalars = {0, 0}, .depth = {1, 3}, .stmts = {1, 4}, .nest_max = 0,
		.dtypes = FDI, .feat = FE_CAST | FE_BITS | FE_NEIGHBOR,
		.w = {[ST_DECL] = 5, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 2},
		.core = gen_core_arithmetic,
	},
	[GEN_CONDITIONAL] = {
		.name = "conditional", .prefix = "cond",
		.args = {2, 5}, .scalars = {0, 0}, .depth = {1, 3}, .stmts = {1, 3}, .nest_max = 1,
		.dtypes = FDI, .feat = FE_CAST | FE_SELECT | FE_NEIGHBOR,
		.w = {[ST_DECL] = 4, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 2,
		      [ST_IF] = 2},
		.core = gen_core_conditional,
	},
	[GEN_LOOP] = {
		.name = "loop", .prefix = "loop",
		.args = {1, 4}, .scalars = {0, 1}, .depth = {1, 2}, .stmts = {1, 3}, .nest_max = 1,
		.dtypes = FDI, .feat = FE_CAST | FE_NEIGHBOR,
		.w = {[ST_DECL] = 3, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 1,
		      [ST_FOR] = 1, [ST_WHILE] = 1},
		.core = gen_core_loop,
	},
	[GEN_MATH] = {
		.name = "math", .prefix = "math",
		.args = {1, 4}, .scalars = {0, 0}, .depth = {1, 3}, .stmts = {1, 4}, .nest_max = 0,
		.dtypes = FLD, .feat = FE_MATH | FE_CAST,
		.w = {[ST_DECL] = 5, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 2},
		.core = gen_core_math,
	},
	[GEN_VECTOR] = {
		.name = "vector", .prefix = "vec",
		.args = {1, 4}, .scalars = {0, 0}, .depth = {1, 3}, .stmts = {1, 4}, .nest_max = 0,
		.dtypes = FL | WT_VECS, .feat = FE_VEC | FE_MAT | FE_MATH,
		.w = {[ST_DECL] = 5, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 2},
		.core = gen_core_vector,
	},
	[GEN_ATOMIC] = {
		.name = "atomic", .prefix = "atomic",
		.args = {1, 4}, .scalars = {0, 0}, .depth = {1, 2}, .stmts = {0, 3}, .nest_max = 1,
		.dtypes = FDI | V3, .feat = FE_CAST | FE_NEIGHBOR,
		.w = {[ST_DECL] = 3, [ST_ASSIGN] = 1, [ST_AUG] = 1,
		      [ST_ATOMIC] = 3, [ST_IF] = 1, [ST_FOR] = 1},
		.core = gen_core_atomic,
	},
	[GEN_NESTED] = {
		.name = "nested", .prefix = "nested",
		.args = {1, 4}, .scalars = {0, 1}, .depth = {1, 2}, .stmts = {0, 2}, .nest_max = 1,
		.dtypes = FDI, .feat = FE_CAST | FE_NEIGHBOR,
		.w = {[ST_DECL] = 3, [ST_ASSIGN] = 2, [ST_AUG] = 3, [ST_STORE] = 1,
		      [ST_IF] = 1, [ST_FOR] = 1},
		.core = gen_core_nested,
	},
	[GEN_MULTI_COND] = {
		.name = "multi_cond", .prefix = "multicond",
		.args = {1, 5}, .scalars = {0, 0}, .depth = {1, 3}, .stmts = {0, 3}, .nest_max = 1,
		.dtypes = FDI, .feat = FE_CAST | FE_SELECT,
		.w = {[ST_DECL] = 4, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 1,
		      [ST_IF] = 1},
		.core = gen_core_multi_cond,
	},
	[GEN_COMBINED] = {
		.name = "combined", .prefix = "combined",
		.args = {2, 5}, .scalars = {0, 1}, .depth = {1, 3}, .stmts = {1, 3}, .nest_max = 2,
		.dtypes = FLD, .feat = FE_MATH | FE_CAST | FE_NEIGHBOR | FE_SELECT,
		.w = {[ST_DECL] = 3, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 1,
		      [ST_ATOMIC] = 1, [ST_IF] = 2, [ST_FOR] = 2, [ST_WHILE] = 1},
		.core = gen_core_combined,
	},
	[GEN_SCALAR_PARAM] = {
		.name = "scalar_param", .prefix = "scalar",
		.args = {2, 5}, .scalars = {1, 3}, .depth = {1, 3}, .stmts = {1, 3}, .nest_max = 1,
		.dtypes = FDI, .feat = FE_CAST | FE_MATH,
		.w = {[ST_DECL] = 4, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 2,
		      [ST_IF] = 1, [ST_FOR] = 1},
		.core = gen_core_scalar_param,
	},
	[GEN_RANDOM_MATH] = {
		.name = "random_math", .prefix = "randmath",
		.args = {1, 4}, .scalars = {0, 1}, .depth = {3, 6}, .stmts = {0, 2}, .nest_max = 0,
		.dtypes = FLD, .feat = FE_MATH | FE_CAST,
		.w = {[ST_DECL] = 5, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 2},
		.core = gen_core_random_math,
	},
	/* opt-in: drawn only when named (or with 'all') */
	[GEN_MATRIX] = {
		.name = "matrix", .prefix = "mat",
		.args = {1, 4}, .scalars = {0, 1}, .depth = {1, 3}, .stmts = {1, 4}, .nest_max = 1,
		.dtypes = FL | WT_VECS | WT_MATS, .feat = FE_VEC | FE_MAT | FE_BUILTIN | FE_MATH | FE_STATIC,
		.w = {[ST_DECL] = 5, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 2,
		      [ST_IF] = 1, [ST_FOR] = 1},
		.core = gen_core_matrix,
	},
	[GEN_TRANSFORM] = {
		.name = "transform", .prefix = "xform",
		.args = {1, 4}, .scalars = {0, 1}, .depth = {1, 3}, .stmts = {1, 4}, .nest_max = 1,
		.dtypes = FL | V3 | WT_BIT(WT_QUAT) | WT_BIT(WT_XFORM) | WT_BIT(WT_SPATIAL),
		.feat = FE_VEC | FE_MAT | FE_XFORM | FE_BUILTIN | FE_MATH,
		.w = {[ST_DECL] = 5, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 2,
		      [ST_IF] = 1, [ST_FOR] = 1},
		.core = gen_core_transform,
	},
	[GEN_STRUCT] = {
		.name = "struct", .prefix = "struct",
		.args = {1, 4}, .scalars = {0, 1}, .depth = {1, 3}, .stmts = {1, 4}, .nest_max = 1,
		.dtypes = FL | V3, .feat = FE_VEC | FE_MATH | FE_CAST,
		.w = {[ST_DECL] = 4, [ST_ASSIGN] = 3, [ST_AUG] = 3, [ST_STORE] = 2,
		      [ST_IF] = 1, [ST_FOR] = 1},
		.core = gen_core_struct, .setup = gen_setup_struct,
	},
	[GEN_FUNC] = {
		.name = "func", .prefix = "func",
		.args = {1, 4}, .scalars = {0, 1}, .depth = {1, 3}, .stmts = {1, 4}, .nest_max = 1,
		.dtypes = FDI | V3, .feat = FE_MATH | FE_CALL | FE_CAST | FE_SELECT | FE_VEC,
		.w = {[ST_DECL] = 5, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 2,
		      [ST_IF] = 1, [ST_FOR] = 1},
		.core = gen_core_func, .setup = gen_setup_func,
	},
	[GEN_RANDOM] = {
		.name = "random", .prefix = "rand",
		.args = {1, 4}, .scalars = {0, 2}, .depth = {1, 3}, .stmts = {1, 4}, .nest_max = 1,
		.dtypes = FL | V3 | WT_BIT(WT_V2), .feat = FE_RAND | FE_MATH | FE_VEC,
		.w = {[ST_DECL] = 5, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 2,
		      [ST_ATOMIC] = 1, [ST_IF] = 1, [ST_FOR] = 1},
		.core = gen_core_random, .setup = gen_setup_random,
	},
	[GEN_BITWISE] = {
		.name = "bitwise", .prefix = "bits",
		.args = {1, 4}, .scalars = {0, 1}, .depth = {1, 3}, .stmts = {1, 4}, .nest_max = 1,
		.dtypes = WT_BIT(WT_I32), .feat = FE_BITS | FE_SHIFT | FE_NEIGHBOR | FE_STATIC,
		.w = {[ST_DECL] = 5, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 2,
		      [ST_ATOMIC] = 2, [ST_IF] = 1, [ST_FOR] = 1},
		.core = gen_core_bitwise,
	},
	[GEN_WHILE_BREAK] = {
		.name = "while_break", .prefix = "whilebrk",
		.args = {1, 4}, .scalars = {0, 1}, .depth = {1, 2}, .stmts = {1, 3}, .nest_max = 2,
		.dtypes = FDI, .feat = FE_CAST | FE_NEIGHBOR | FE_SELECT,
		.w = {[ST_DECL] = 3, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 1,
		      [ST_IF] = 1, [ST_FOR] = 1, [ST_WHILE] = 1, [ST_JUMP] = 4},
		.core = gen_core_while_break,
	},
	[GEN_MULTI_DIM] = {
		.name = "multi_dim", .prefix = "grid",
		.args = {1, 4}, .scalars = {0, 1}, .depth = {1, 3}, .stmts = {1, 4}, .nest_max = 1,
		.dtypes = FDI, .feat = FE_CAST | FE_NEIGHBOR | FE_MATH,
		.w = {[ST_DECL] = 5, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 2,
		      [ST_ATOMIC] = 1, [ST_IF] = 1, [ST_FOR] = 1},
		.core = gen_core_multi_dim, .setup = gen_setup_multi_dim,
	},
	[GEN_QUATERNION] = {
		.name = "quaternion", .prefix = "quat",
		.args = {1, 4}, .scalars = {0, 1}, .depth = {1, 3}, .stmts = {1, 4}, .nest_max = 1,
		.dtypes = FL | V3 | WT_BIT(WT_QUAT), .feat = FE_VEC | FE_MAT | FE_BUILTIN | FE_MATH,
		.w = {[ST_DECL] = 5, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 2,
		      [ST_IF] = 1, [ST_FOR] = 1},
		.core = gen_core_quaternion,
	},
	[GEN_GEOMETRY] = {
		.name = "geometry", .prefix = "geom",
		.args = {1, 4}, .scalars = {0, 1}, .depth = {1, 2}, .stmts = {1, 3}, .nest_max = 1,
		.dtypes = FL | V3, .feat = FE_VEC | FE_MATH,
		.w = {[ST_DECL] = 4, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 2,
		      [ST_IF] = 1, [ST_FOR] = 1},
		.core = gen_core_geometry, .setup = gen_setup_geometry,
	},
	/* no stores or atomics: the core's tile_store writes the outputs */
	[GEN_TILE] = {
		.name = "tile", .prefix = "tile",
		.args = {1, 4}, .scalars = {0, 1}, .depth = {1, 2}, .stmts = {0, 3}, .nest_max = 1,
		.dtypes = FL, .feat = FE_MATH | FE_SELECT,
		.w = {[ST_DECL] = 4, [ST_ASSIGN] = 2, [ST_AUG] = 2,
		      [ST_IF] = 1, [ST_FOR] = 1},
		.core = gen_core_tile, .setup = gen_setup_tile,
	},
	/* its arrays of other types are the setup's: the shared grammar never sees them */
	[GEN_DTYPES] = {
		.name = "dtypes", .prefix = "dtype",
		.args = {1, 4}, .scalars = {0, 1}, .depth = {1, 3}, .stmts = {1, 3}, .nest_max = 1,
		.dtypes = FDI, .feat = FE_CAST | FE_BITS | FE_SELECT | FE_NEIGHBOR,
		.w = {[ST_DECL] = 4, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 2,
		      [ST_ATOMIC] = 1, [ST_IF] = 1, [ST_FOR] = 1},
		.core = gen_core_dtypes, .setup = gen_setup_dtypes,
	},
	[GEN_LINALG] = {
		.name = "linalg", .prefix = "linalg",
		.args = {1, 4}, .scalars = {0, 1}, .depth = {1, 3}, .stmts = {1, 3}, .nest_max = 1,
		.dtypes = FL | WT_VECS, .feat = FE_VEC | FE_MAT | FE_BUILTIN | FE_MATH,
		.w = {[ST_DECL] = 5, [ST_ASSIGN] = 2, [ST_AUG] = 2, [ST_STORE] = 2,
		      [ST_IF] = 1, [ST_FOR] = 1},
		.core = gen_core_linalg, .setup = gen_setup_linalg,
	},
};

const gen_profile *gen_profile_get(gen_category cat)
{
	return (unsigned)cat < GEN_CATEGORY_COUNT ? &profiles[cat] : &profiles[0];
}

/* Appends word to the line being filled (*col columns so far, 0: none
 * yet), first starting a new indented line when it would pass width. */
static void put_word(buf *out, const char *indent, int width, int *col, const char *word)
{
	int n = (int)strlen(word);
	if (*col > 0 && *col + 1 + n > width) {
		buf_putc(out, '\n');
		*col = 0;
	}
	if (*col == 0) {
		buf_puts(out, indent);
		*col = (int)strlen(indent);
	} else {
		buf_putc(out, ' ');
		(*col)++;
	}
	buf_puts(out, word);
	*col += n;
}

/* Appends the space-separated words of text. */
static void put_words(buf *out, const char *indent, int width, int *col, const char *text)
{
	char word[64];
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, " ");
		snprintf(word, sizeof word, "%.*s", (int)n, p);
		put_word(out, indent, width, col, word);
		p += n + strspn(p + n, " ");
	}
}

/* Appends the names of categories [from, to), comma-separated, the last
 * one followed by `last`. */
static void put_names(buf *out, const char *indent, int width, int *col, int from, int to, const char *last)
{
	char word[64];
	for (int i = from; i < to; i++) {
		snprintf(word, sizeof word, "%s%s", profiles[i].name, i + 1 < to ? "," : last);
		put_word(out, indent, width, col, word);
	}
}

void gen_categories_help(buf *out, const char *indent, int width)
{
	char text[160];
	int col = 0;
	snprintf(text, sizeof text,
		 "Default: all %d, in the realistic style. 'seed': the seed dataset's %d, in the synthetic style unless --style says otherwise:",
		 GEN_CATEGORY_COUNT, GEN_SEED_COUNT);
	put_words(out, indent, width, &col, text);
	put_names(out, indent, width, &col, 0, GEN_SEED_COUNT, ".");
	buf_putc(out, '\n');
	col = 0;
	put_words(out, indent, width, &col, "Further profiles:");
	put_names(out, indent, width, &col, GEN_SEED_COUNT, GEN_CATEGORY_COUNT, ";");
	snprintf(text, sizeof text, "'all' draws all %d.", GEN_CATEGORY_COUNT);
	put_words(out, indent, width, &col, text);
	buf_putc(out, '\n');
}

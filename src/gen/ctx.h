/* ctx: the state of one kernel under construction (its random stream, output
 * text, parameters, visible variables, nesting) and the generator's internal
 * interface between expr.c, vexpr.c, stmt.c, ctx.c, profiles.c and gen.c. */
#ifndef JS_GEN_CTX_H
#define JS_GEN_CTX_H

#include "common/buf.h"
#include "common/rng.h"
#include "gen/gen.h"
#include "gen/types.h"

enum { GEN_MAX_ARRS = 6, GEN_MAX_SCALARS = 4, GEN_MAX_VARS = 64, GEN_NAME = 24, GEN_MAX_FNS = 3, GEN_FN_ARGS = 4 };
/* Most copies of a loop body that nested unrolled loops may produce. */
enum { GEN_MAX_UNROLL = 64 };

/* Expression features; a profile switches them on. */
enum {
	FE_MATH = 1 << 0,     /* wp.sin, wp.sqrt, wp.min, ... */
	FE_VEC = 1 << 1,      /* vector constructors, dot/cross/length, components */
	FE_MAT = 1 << 2,      /* matrices and quaternions */
	FE_CAST = 1 << 3,     /* int <-> float32 <-> float64 conversions */
	FE_BITS = 1 << 4,     /* & | ^ on int32 */
	FE_SELECT = 1 << 5,   /* `a if c else b` and wp.where */
	FE_NEIGHBOR = 1 << 6, /* array reads at in-bounds indices other than tid */
	FE_RAND = 1 << 7,     /* wp.randf(state), wp.sample_*(state), wp.noise, ... */
	FE_SHIFT = 1 << 8,    /* << >> ~ on int32 (safe amounts), bit_count */
	FE_XFORM = 1 << 9,    /* transforms and spatial vectors */
	FE_CALL = 1 << 10,    /* calls of the module's @wp.func helpers */
	FE_MATX = 1 << 11,    /* inverse, skew, matrix_from_rows, norms, lerp, ... */
	FE_STATIC = 1 << 12,  /* wp.static(constant expression) */
};

/* Statement kinds; also the index into a profile's weight table. */
typedef enum gen_stmt_kind {
	ST_DECL,
	ST_ASSIGN,
	ST_AUG,
	ST_STORE,
	ST_ATOMIC,
	ST_IF,
	ST_FOR,
	ST_WHILE,
	ST_JUMP, /* "if" cond ":" ("break" | "continue"), inside loops */
	ST_COUNT
} gen_stmt_kind;
_Static_assert(ST_COUNT == GEN_STMT_KINDS, "gen.h's GEN_STMT_KINDS counts gen_stmt_kind");

/* Variable flags. VAR_INDEX: an int known to be >= 0 (tid, loop counters),
 * so `(v + k) % n` is a valid index. VAR_MUT: the body may assign it.
 * VAR_LOOP: a loop counter, usable as an inner loop's bound. VAR_CONST: the
 * counter of a loop Warp unrolls, a compile-time constant in each copy. */
enum { VAR_MUT = 1, VAR_INDEX = 2, VAR_LOCAL = 4, VAR_LOOP = 8, VAR_CONST = 16 };

/* As a type argument of gen_var_pick/count and gen_arr_pick: any type. */
#define WT_ANY WT_COUNT

typedef struct gen_var {
	char name[GEN_NAME];
	wty type;
	unsigned char flags;
	unsigned char trips; /* VAR_CONST counters: iterations of their loop */
} gen_var;

typedef struct gen_arr {
	char name[GEN_NAME];
	wty dtype;
	unsigned char in;  /* read by expressions */
	unsigned char out; /* written by stores and atomics */
	unsigned char ndim; /* 1..4: indexed by that many tid components */
	/* NULL, or the element type the shared grammar does not know (a
	 * @wp.struct, wp.int8, ...; then in = out = 0), or with a '(' the whole
	 * annotation (wp.indexedarray(dtype=float), ...) */
	const char *sname;
	unsigned char noshape; /* no .shape in Warp's kernels: a fabric array */
} gen_arr;

/* A @wp.func helper of the module: argument and result types. */
typedef struct gen_fn {
	char name[GEN_NAME];
	wty arg[GEN_FN_ARGS];
	int nargs;
	wty ret[2];
	int nret; /* 2: returns a tuple, unpacked by `a, b = f(...)` */
} gen_fn;

typedef struct gen_ctx gen_ctx;

/* What makes one category: its parameter shapes, expression features,
 * statement mix and the defining construct `core` it always contains. */
typedef struct gen_profile {
	const char *name;
	const char *prefix;
	int args_min, args_max;       /* parameters in total, within 1..5 */
	int scalars_min, scalars_max; /* of which non-array scalars */
	wtyset dtypes;                /* array element types drawn from */
	unsigned feat;
	int depth_min, depth_max;     /* expression tree depth */
	int stmts_min, stmts_max;     /* random statements around the core */
	int nest_max;                 /* block nesting of random statements */
	unsigned char w[ST_COUNT];    /* random statement weights */
	const gen_var *(*core)(gen_ctx *c); /* returns the value to store, or NULL */
	/* NULL, or called with phase 0 after the parameters are drawn (may
	 * write definitions above the kernel and add parameters) and phase 1
	 * after `tid = wp.tid()` (may declare values the body can use). */
	void (*setup)(gen_ctx *c, int phase);
} gen_profile;

struct gen_ctx {
	rng r;
	buf *b;
	const gen_profile *p;
	gen_arr arr[GEN_MAX_ARRS];
	int narr;
	gen_var scalar[GEN_MAX_SCALARS]; /* scalar parameters, in signature order */
	int nscalar;
	gen_var var[GEN_MAX_VARS]; /* visible names, innermost scope last */
	int nvar;
	wtyset types;     /* types locals may take in this kernel */
	unsigned feat;    /* FE_* in force */
	int indent;       /* spaces before the current statement */
	int nest;         /* enclosing blocks (0: function body) */
	int loops;        /* enclosing loops */
	int fresh;        /* suffix counter: local names never repeat */
	int budget;       /* random statements still allowed */
	int reserve;      /* of which kept for bodies still to come (max_stmts) */
	int nstmt;        /* gen_stmt calls so far */
	int post;         /* after the core: only update values, the end stores them */
	int top;          /* next expression is a whole statement operand: no parens */
	int noconst;      /* next leaf must not be a compile-time constant (a loop
	                   * counter or literal): see gen_cast_var and P_NEG */
	unsigned written; /* bit i: arr[i] has been written */
	const unsigned char *w; /* statement weights in force (profile or config) */
	unsigned char wbuf[ST_COUNT];
	int max_depth;    /* expression depth cap (options), 0: none */
	int max_stmts;    /* random statement cap (options), 0: none */
	const char *tid[4]; /* names of the thread index components */
	int ntid;         /* launch dimensions: 1..4 */
	const char *rstate; /* the random state variable (FE_RAND), or NULL */
	int cont_ok;      /* the innermost loop survives `continue` */
	gen_fn fn[GEN_MAX_FNS]; /* helpers callable here */
	int nfn;
	char sparam[2][GEN_NAME]; /* a struct-valued parameter: name, type */
	int has_sparam;
};

const gen_profile *gen_profile_get(gen_category cat);

/* profiles.c: the first output's scalar type (else float32): cores compute in it. */
wty gen_work_type(gen_ctx *c);

/* xcores.c: cores and setups of the profiles beyond the seed 11. */
const gen_var *gen_core_matrix(gen_ctx *c);
const gen_var *gen_core_transform(gen_ctx *c);
const gen_var *gen_core_struct(gen_ctx *c);
const gen_var *gen_core_func(gen_ctx *c);
const gen_var *gen_core_random(gen_ctx *c);
const gen_var *gen_core_bitwise(gen_ctx *c);
const gen_var *gen_core_while(gen_ctx *c);
const gen_var *gen_core_grid(gen_ctx *c);
void gen_setup_struct(gen_ctx *c, int phase);
void gen_setup_func(gen_ctx *c, int phase);
void gen_setup_random(gen_ctx *c, int phase);
void gen_setup_grid(gen_ctx *c, int phase);

/* quat.c, geom.c, tile.c: the quaternion, geometry and tile profiles. */
const gen_var *gen_core_quat(gen_ctx *c);
const gen_var *gen_core_geom(gen_ctx *c);
const gen_var *gen_core_tile(gen_ctx *c);
void gen_setup_geom(gen_ctx *c, int phase);
void gen_setup_tile(gen_ctx *c, int phase);

/* xtypes.c: the dtypes and linalg profiles (types beyond the shared grammar). */
const gen_var *gen_core_dtypes(gen_ctx *c);
const gen_var *gen_core_linalg(gen_ctx *c);
void gen_setup_dtypes(gen_ctx *c, int phase);
void gen_setup_linalg(gen_ctx *c, int phase);

/* xexpr.c: transforms, spatial vectors, extra matrix ops, random draws,
 * shifts, helper calls and wp.static. Each returns 0 when it has nothing
 * for type t here (the caller then falls back to its own productions). */
void gen_xform_op(gen_ctx *c, wty t, int depth, int top);
void gen_xleaf(gen_ctx *c, wty t);
int gen_matx_op(gen_ctx *c, wty t, int depth);
int gen_rand_leaf(gen_ctx *c, wty t);
void gen_shift_op(gen_ctx *c, int depth, int top);
int gen_call(gen_ctx *c, wty t, int depth);
void gen_static(gen_ctx *c, wty t);
void gen_jump(gen_ctx *c);
void gen_atomic_bits(gen_ctx *c, const gen_arr *a);

/* func.c: @wp.func helpers and @wp.struct types written above the kernel. */
void gen_helper(gen_ctx *c, gen_fn *f, wtyset argtypes, wty ret, int nret, const gen_fn *twin);

/* Reads and clears the `top` flag: only the outermost operator of a
 * statement operand or call argument goes without parentheses. */
static inline int gen_take_top(gen_ctx *c)
{
	int t = c->top;
	c->top = 0;
	return t;
}

/* ctx.c: choices, names, scopes. */
int gen_pick(rng *r, const unsigned char *w, int n);
int gen_depth(gen_ctx *c);
void gen_line(gen_ctx *c);
gen_var *gen_var_add(gen_ctx *c, const char *base, wty t, unsigned flags);
const gen_var *gen_var_pick(gen_ctx *c, wty t, unsigned need);
int gen_var_count(const gen_ctx *c, wty t, unsigned need);
const gen_arr *gen_arr_pick(gen_ctx *c, wty t, int want_out);
const gen_arr *gen_arr_pick_other(gen_ctx *c, wty t);
const gen_arr *gen_arr_sized(gen_ctx *c);
int gen_enter(gen_ctx *c);
void gen_leave(gen_ctx *c, int mark);

/* expr.c: scalar and boolean expressions. */
void gen_expr(gen_ctx *c, wty t, int depth);
void gen_top(gen_ctx *c, wty t, int depth);
void gen_sub(gen_ctx *c, wty t, int depth, int allow_lit);
void gen_sub_other(gen_ctx *c, wty t, int depth, int allow_lit, size_t at, size_t n);

/* Appends literal text to the kernel source. */
static inline void gen_put(gen_ctx *c, const char *s) { buf_puts(c->b, s); }
/* A call argument: a whole expression of type t, literals allowed. */
static inline void gen_arg(gen_ctx *c, wty t, int depth)
{
	c->top = 1;
	gen_sub(c, t, depth, 1);
}
void gen_bin(gen_ctx *c, wty lt, const char *op, wty rt, int depth, int top);
void gen_dup_square(gen_ctx *c, wty t);
void gen_div(gen_ctx *c, wty t, int depth, int top);
void gen_op(gen_ctx *c, wty t, int depth);
void gen_leaf(gen_ctx *c, wty t, int allow_lit);
void gen_lit(gen_ctx *c, wty t);
void gen_lit_fix(gen_ctx *c, wty t, long mant, int dec);
void gen_math(gen_ctx *c, wty t, int depth);
void gen_tpl(gen_ctx *c, const char *tpl, wty t, int depth);
void gen_select(gen_ctx *c, wty t, int depth);
void gen_cond(gen_ctx *c, int depth);
void gen_index(gen_ctx *c, const gen_arr *a, int store);
void gen_read(gen_ctx *c, const gen_arr *a);
void gen_cast_var(gen_ctx *c, wty t, const gen_var *v);
void gen_conv_open(gen_ctx *c, wty t, wty from);
void gen_conv_close(gen_ctx *c, wty t, wty from);

/* vexpr.c: vectors, matrices, quaternions and scalars taken from them. */
void gen_vec_op(gen_ctx *c, wty t, int depth, int top);
void gen_mat_op(gen_ctx *c, wty t, int depth, int top);
void gen_quat_op(gen_ctx *c, int depth, int top);
void gen_compound_leaf(gen_ctx *c, wty t);
void gen_const(gen_ctx *c, wty t);
void gen_from_vec(gen_ctx *c, int depth);
void gen_comp_suffix(gen_ctx *c, wty vt);
wty gen_vec_type(gen_ctx *c);

/* stmt.c: statements and blocks. */
void gen_stmt(gen_ctx *c);
void gen_stmts(gen_ctx *c, int n);
void gen_body(gen_ctx *c, int n);
const gen_var *gen_decl(gen_ctx *c, const char *base, wty t);
const gen_var *gen_decl_zero(gen_ctx *c, const char *base, wty t);
void gen_assign(gen_ctx *c, const gen_var *v);
void gen_aug(gen_ctx *c, const gen_var *v);
void gen_store(gen_ctx *c, const gen_arr *a);
void gen_atomic(gen_ctx *c, const gen_arr *a);
void gen_if(gen_ctx *c, int nelif, int has_else, const gen_var *target);
gen_var *gen_decl_start(gen_ctx *c, const char *base, wty t);
void gen_decl_finish(gen_var *v, wty t);
void gen_store_var(gen_ctx *c, const gen_arr *a, const gen_var *v);
void gen_for_head(gen_ctx *c, int inner);
void gen_for(gen_ctx *c, int nbody);
void gen_while(gen_ctx *c, int nbody, const gen_var *acc);
void gen_accum(gen_ctx *c, const gen_var *acc);
wty gen_local_type(gen_ctx *c);

#endif

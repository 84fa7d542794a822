/* ctx: the state of one kernel under construction (its random stream, output
 * text, parameters, visible variables, nesting) and the bookkeeping on it
 * that ctx.c implements: weighted choices, fresh names, scopes, picking
 * variables and arrays by type. Every generator file includes it; the
 * grammar's own interfaces are expr.h, stmt.h, defs.h, core.h and
 * profiles.h. */
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
	FE_BUILTIN = 1 << 11, /* the wider builtins: inverse, skew, matrix_from_rows, norms, lerp, ... */
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
	unsigned char loops; /* enclosing loops where it was declared: a local
	                      * assigned deeper than that carries its value
	                      * from one iteration to the next */
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

/* What makes one category (profiles.h). */
typedef struct gen_profile gen_profile;

typedef struct gen_ctx {
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
} gen_ctx;

/* Appends literal text to the kernel source. */
static inline void gen_put(gen_ctx *c, const char *s) { buf_puts(c->b, s); }

/* Index of a random entry, weighted by w[0..n); 0 when all weights are 0. */
int gen_pick(rng *r, const unsigned char *w, int n);
/* A random expression depth from the profile, capped by --max-depth. */
int gen_depth(gen_ctx *c);
/* Indents the current statement. */
void gen_line(gen_ctx *c);
/* Writes "<base><n>" (a name no other local has) into out[GEN_NAME]; returns out. */
const char *gen_fresh_name(gen_ctx *c, char *out, const char *base);

/* Makes a name visible: `base` itself, or with VAR_LOCAL a fresh
 * "<base><n>". NULL when the table is full. */
gen_var *gen_var_add(gen_ctx *c, const char *base, wty t, unsigned flags);
const gen_var *gen_var_pick(gen_ctx *c, wty t, unsigned need);
int gen_var_count(const gen_ctx *c, wty t, unsigned need);
const gen_arr *gen_arr_pick(gen_ctx *c, wty t, int want_out);
const gen_arr *gen_arr_sized(gen_ctx *c);
/* The first output's scalar type (else float32): cores compute in it. */
wty gen_work_type(gen_ctx *c);

/* A block: gen_enter indents and returns the mark gen_leave restores. */
int gen_enter(gen_ctx *c);
void gen_leave(gen_ctx *c, int mark);

#endif

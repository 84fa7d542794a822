/* style: the realistic style (`--style realistic`): kernels written the way
 * physics, robotics, graphics and geometry code writes Warp. A domain
 * (vocab_real.c) names the kernel, its parameters and locals and gives them
 * fitting types; the driver (style_real.c) lays out the module (structs,
 * @wp.func helpers, constants), the signature with parameter roles, the
 * prologue (wp.tid(), guards, gathers, loads) and the epilogue (own-element
 * stores, atomic scatters); style_flavour.c the categories' constructs;
 * style_stmt.c the statements in between and style_expr.c their typed
 * expressions. Still a pure function of (seed, index, options).
 *
 * Well defined by construction: every array parameter has one role. An
 * input is only read (at the thread's own element, a clamped gathered
 * index, or a bounded neighbour); an output is only written, once per
 * thread at its own element, never read; an accumulator only receives
 * atomics of one kind (add/sub, min or max), never read. Loops have literal
 * trip counts, loop-carried values only add; no wp.frac or float %
 * (tests/gen_safety.py --roles checks it). */
#ifndef JS_GEN_STYLE_H
#define JS_GEN_STYLE_H

#include <stdint.h>

#include "common/buf.h"
#include "common/rng.h"
#include "gen/gen.h"

/* Value types of the realistic style. */
typedef enum { RT_FLOAT, RT_INT, RT_VEC3, RT_QUAT, RT_XFORM, RT_MAT33, RT_COUNT } rtype;

typedef enum { RR_IN, RR_OUT, RR_ACC, RR_INDEX, RR_FLAG } rrole;

/* A domain field: an attribute that some entity has (`q` of `body`). */
typedef struct rfield {
	const char *name; /* attribute: "q", "qd", "mass", ... */
	rtype t;
	const char *local; /* what a person calls the loaded value: "x", "v", "m" */
} rfield;

/* A domain: what kernels of one code base are about. */
typedef struct rdomain {
	const char *name;
	const char *const *entities;  /* "body", "shape", ... (NULL-terminated) */
	const char *const *verbs;     /* kernel name verbs */
	const char *const *scalars_f; /* named float parameters: "dt", "ke", ... */
	const char *const *scalars_v; /* named vec3 parameters: "gravity", ... */
	const char *const *helpers;   /* @wp.func names */
	const char *const *docs;      /* docstring sentences (may use %s for the entity) */
	const char *structname;	      /* "ModelParams", ... */
	const rfield *fields;	      /* attributes, NULL-name terminated */
} rdomain;

extern const rdomain style_domains[];
extern const int style_ndomains;
/* Short local names per type (for values computed in the body). */
extern const char *const *style_locals[RT_COUNT];
const char *style_type_spell(rtype t, int in_array, unsigned spell);

enum { RS_MAX_ARRS = 14, RS_MAX_VALS = 64, RS_NAME = 40, RS_MAX_TAKEN = 128 };

typedef struct rarr {
	char name[RS_NAME];
	rtype t;
	rrole role;
	int ndim;	   /* 1 or 2 */
	int used;	   /* read (inputs) or written (outputs, accumulators) */
	int done;	   /* an output a tile store wrote (style_bridge.c) */
	const char *local; /* suggested name of the loaded value */
} rarr;

typedef struct rval {
	char name[RS_NAME];
	rtype t;
	unsigned char mut;   /* a local the body may reassign */
	unsigned char param; /* a scalar parameter */
} rval;

/* One realistic kernel under construction. */
typedef struct rctx {
	rng r;
	buf *b;
	const rdomain *d;
	gen_category cat;
	const char *entity;
	rarr arr[RS_MAX_ARRS];
	int narr;
	rval val[RS_MAX_VALS];
	int nval;
	char taken[RS_MAX_TAKEN][RS_NAME]; /* every name declared so far, scoped or not */
	int ntaken;
	int nparams_scalar; /* scalar parameters: val[0 .. nparams_scalar) */
	char tid[2][12];
	int ntid;	      /* 0: no wp.tid() (one-thread kernels), 1, 2 */
	char gather[RS_NAME]; /* a clamped gathered index, or "" */
	int indent;
	int depth_max;	      /* expression depth cap */
	int stmts;	      /* statements written in the body */
	int loops;	      /* enclosing loops */
	unsigned feat;	      /* RX_* the category asks for */
	char helper[RS_NAME]; /* a @wp.func of the module, or "" */
	rtype helper_args[3], helper_ret;
	int helper_nargs;
	char sprefix[RS_NAME]; /* "params." when scalars live in a struct */
	char geo_id[RS_NAME];  /* the geometry category's mesh/BVH/grid/volume id, or "" */
	char rstate[RS_NAME];  /* the random state (RX_RAND), or "" */
	char tex[RS_NAME];     /* a wp.Texture2D parameter (rendering), or "" */
	char pre[320];	       /* module text a synthetic core's setup needs (tile shapes) */
	unsigned spell;	       /* RS_SPELL_*: how this kernel spells float and int */
} rctx;

/* How a kernel spells its float and int types, drawn per kernel at Warp's
 * own shares (its shipped code: arrays of float 70 %, of wp.float32 30 %;
 * of int 60 %, of wp.int32 40 %; scalars almost always float and int). */
enum {
	RS_SPELL_ARR_F32 = 1 << 0, /* wp.array[wp.float32], not [float] */
	RS_SPELL_ARR_INT = 1 << 1, /* wp.array[int], not [wp.int32] */
	RS_SPELL_F32 = 1 << 2,	   /* x: wp.float32 */
	RS_SPELL_I32 = 1 << 3,	   /* n: wp.int32 */
};

/* Category flavours: what the kernel must contain. */
enum {
	RX_IF = 1 << 0,
	RX_LOOP = 1 << 1,
	RX_MATHF = 1 << 2,
	RX_VEC = 1 << 3,
	RX_ATOMIC = 1 << 4,
	RX_NESTED = 1 << 5,
	RX_ELIF = 1 << 6,
	RX_SCALARS = 1 << 7,
	RX_RAND = 1 << 8,
	RX_MAT = 1 << 9,
	RX_XFORM = 1 << 10,
	RX_STRUCT = 1 << 11,
	RX_FUNC = 1 << 12,
	RX_BITS = 1 << 13,
	RX_WHILE = 1 << 14,
	RX_2D = 1 << 15,
	RX_QUAT = 1 << 16,
	RX_CORE = 1 << 17,
};

/* style_expr.c: typed expressions and their parts */
int rs_find_input(rctx *c, rtype t); /* an input array of type t, or -1 */
int rs_has(rctx *c, rtype t);	     /* a value or an input of type t exists */
void rs_put_val(rctx *c, int i);     /* val[i] as written (params.x in a struct) */
void rs_leaf(rctx *c, rtype t);	     /* a name, an input's element, or a constant */
void rs_binop(rctx *c, rtype a, const char *op, rtype b, int d);
/* A leaf of type t unlike the left operand b->data[l0..l1) (not x - x). */
void rs_right_leaf(rctx *c, rtype t, size_t l0, size_t l1);

/* style_bridge.c: one call of Warp's wider builtins returning t, written by
 * the synthetic grammar over the values in scope (no arrays); 0 when none
 * applies (nothing written). */
int rs_catalog_call(rctx *c, rtype t, int depth);
/* The synthetic core of c->cat over c's values (RX_CORE): geometry's query
 * on its wp.uint64 parameter (c->geo_id), quaternion, transform, matrix,
 * linalg. rs_core_setup draws what the module needs first (after the
 * import: geometry's parameter name, linalg's matrix type). */
int rs_has_core(gen_category cat);
/* Marks name taken (no local of c gets it); returns 0. */
int rs_take(rctx *c, const char *name);
void rs_core_setup(rctx *c);
void rs_core(rctx *c);

/* style_stmt.c: the scope and the statements */
void rs_line(rctx *c);
/* A value of type t: an expression at most `depth` deep over what is in scope. */
void rs_expr(rctx *c, rtype t, int depth);
/* The value an output or accumulator gets: the latest local of type t,
 * else an expression from what the kernel has. */
void rs_value(rctx *c, rtype t);
/* Declares a new local of type t from an expression; returns its index in val. */
int rs_decl(rctx *c, rtype t, const char *name);
/* An initialiser from the thread's index (a kernel that reads no array);
 * needs c->ntid > 0, t RT_FLOAT or RT_INT. Returns its index in val. */
int rs_index_decl(rctx *c, rtype t);
/* One random statement (declaration, update, if, loop). */
void rs_stmt(rctx *c, int budget);
/* if [elif] [else] over the values in scope; a bounded accumulation loop. */
void rs_if(rctx *c, int elif);
void rs_loop(rctx *c, int nested_if);
int rs_find(const rctx *c, rtype t, int mut_only);
const char *rs_fresh(rctx *c, const char *base, char *out);
void rs_add_val(rctx *c, const char *name, rtype t, int mut);
/* The own-element index of arr a ("tid", "world, i"). */
void rs_index(rctx *c, const rarr *a);

/* style_flavour.c: module definitions and the categories' constructs */
void rs_write_struct(rctx *c);
void rs_write_helper(rctx *c);
void rs_call_helper(rctx *c);
/* kind: "math", "vec", "mat", "xform" or "quat" */
void rs_flavour_decl(rctx *c, const char *kind);
void rs_while_loop(rctx *c);
void rs_random_values(rctx *c);
void rs_comment(rctx *c);

/* style_body.c: guard (if ...: return; flagconst: a mask constant or
 * NULL), loads, own-element stores and accumulator atomics */
void rs_guard(rctx *c, const char *flagconst);
void rs_loads(rctx *c);
void rs_epilogue(rctx *c);

/* style_followup.c: what real code does next after a construct (fresh locals only) */
void rs_geometry_followup(rctx *c);
void rs_tile_followup(rctx *c);
void rs_xform_followup(rctx *c);
void rs_svd_followup(rctx *c);
void rs_texture(rctx *c); /* on c->tex, a wp.Texture2D parameter */

/* style_real.c */
void style_real_make(const gen_options *opt, uint64_t index, gen_category cat, gen_kernel *k);

/* gen.c: the unique kernel name "<prefix>_<tag><index base36>". */
void gen_kernel_name(const gen_options *opt, uint64_t index, const char *prefix, char *out, size_t cap);

#endif

/* expr: the expression grammar's interface, implemented by expr.c (operands,
 * scalar operators, conditions), expr_leaf.c (leaves), expr_builtin.c
 * (builtin calls from templates), expr_vec.c (vectors, matrices,
 * quaternions) and expr_spatial.c (transforms, spatial vectors). Used by
 * those, by the statements (stmt*.c), helpers (defs.c), cores (core_*.c)
 * and the driver (gen.c).
 * Every writer appends to the kernel text; depth bounds the tree below it. */
#ifndef JS_GEN_EXPR_H
#define JS_GEN_EXPR_H

#include <stddef.h>

#include "gen/ctx.h"

/* expr.c */
/* An operand of type t: a leaf when depth runs out (or by chance), else an
 * operator. allow_lit = 0 asks for a non-literal leaf. */
void gen_sub(gen_ctx *c, wty t, int depth, int allow_lit);
/* gen_sub, but never the same text as [at, at + n), the other operand. */
void gen_sub_other(gen_ctx *c, wty t, int depth, int allow_lit, size_t at, size_t n);
/* A whole operand (statement right-hand side or call argument). */
void gen_top(gen_ctx *c, wty t, int depth);
/* A call argument: a whole expression of type t, literals allowed. */
static inline void gen_arg(gen_ctx *c, wty t, int depth)
{
	c->top = 1;
	gen_sub(c, t, depth, 1);
}
/* An operator node of any type t, never a bare literal. */
void gen_op(gen_ctx *c, wty t, int depth);
void gen_bin(gen_ctx *c, wty lt, const char *op, wty rt, int depth, int top);
void gen_div(gen_ctx *c, wty t, int depth, int top);
void gen_select(gen_ctx *c, wty t, int depth);
void gen_shift_op(gen_ctx *c, int depth, int top);
/* A boolean condition (comparisons, and/or/not, tid % k == r). */
void gen_cond(gen_ctx *c, int depth);

/* expr_leaf.c */
void gen_leaf(gen_ctx *c, wty t, int allow_lit);
/* A random positive literal of scalar type t. */
void gen_lit(gen_ctx *c, wty t);
/* The literal mant / 10^dec of type t. */
void gen_lit_fix(gen_ctx *c, wty t, long mant, int dec);
/* An in-bounds index of a: mode 0 read, 1 store (tid or its mirror), 2 atomic. */
void gen_index(gen_ctx *c, const gen_arr *a, int mode);
void gen_read(gen_ctx *c, const gen_arr *a);
/* t(v) for a variable v (NULL: tid), safe for unrolled loop counters. */
void gen_cast_var(gen_ctx *c, wty t, const gen_var *v);
/* A conversion from scalar type `from` to t: the caller writes the value
 * between gen_conv_open and gen_conv_close. */
void gen_conv_open(gen_ctx *c, wty t, wty from);
void gen_conv_close(gen_ctx *c, wty t, wty from);
/* A draw from the kernel's random state; 0 when t has none. */
int gen_rand_leaf(gen_ctx *c, wty t);

/* expr_builtin.c */
/* Expands a template: see the list of its letters there. */
void gen_tpl(gen_ctx *c, const char *tpl, wty t, int depth);
/* wp.determinant(m + I) of a generated matrix of type mt (never of an
 * exactly singular one, whose determinant is rounding noise). */
void gen_determinant(gen_ctx *c, wty mt, int depth);
void gen_math(gen_ctx *c, wty t, int depth);
/* One of the wider builtins returning t; 0 when none applies. */
int gen_builtin_op(gen_ctx *c, wty t, int depth);

/* expr_vec.c */
/* A vector type this kernel already uses, else vec3. */
wty gen_vec_type(gen_ctx *c);
/* A constant of any type t: literal, constant vector, identity. */
void gen_const(gen_ctx *c, wty t);
/* A leaf of a vector, matrix, quaternion, transform or spatial type. */
void gen_compound_leaf(gen_ctx *c, wty t);
void gen_vec_op(gen_ctx *c, wty t, int depth, int top);
void gen_mat_op(gen_ctx *c, wty t, int depth, int top);
void gen_quat_op(gen_ctx *c, int depth, int top);
/* ".x" or "[k]": a component of vector type vt. */
void gen_comp_suffix(gen_ctx *c, wty vt);
/* A float32 taken from vectors or matrices (dot, length, component, ...). */
void gen_from_vec(gen_ctx *c, int depth);

/* expr_spatial.c */
void gen_spatial_leaf(gen_ctx *c, wty t);
void gen_spatial_op(gen_ctx *c, wty t, int depth, int top);

#endif

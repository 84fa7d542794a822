/* stmt: the statement grammar's interface, implemented by stmt.c
 * (declarations, assignments, stores, atomics, if, gen_stmt) and
 * stmt_loop.c (loops, accumulations, break/continue). Used by those, by the
 * driver (gen.c), the helpers (defs.c) and the cores (core_*.c). Each
 * writer emits whole indented lines. */
#ifndef JS_GEN_STMT_H
#define JS_GEN_STMT_H

#include "gen/ctx.h"

/* stmt.c */
/* One random statement, of a kind the profile's weights draw. */
void gen_stmt(gen_ctx *c);
void gen_stmts(gen_ctx *c, int n);
/* `name = op`: a fresh local of type t named after base (NULL: by type);
 * NULL when the variable table is full. */
const gen_var *gen_decl(gen_ctx *c, const char *base, wty t);
/* `name = T(0)` (or an identity): a fresh local a loop may update. */
const gen_var *gen_decl_zero(gen_ctx *c, const char *base, wty t);
/* `name = ` for a fresh local whose right-hand side the caller writes; the
 * local is invisible until gen_decl_finish gives it its type. */
gen_var *gen_decl_start(gen_ctx *c, const char *base, wty t);
void gen_decl_finish(gen_var *v, wty t);
/* `a, b = ` for fresh locals the caller's call returns. */
void gen_unpack_start(gen_ctx *c, gen_var **out, const char *const *bases, int n);
void gen_unpack_finish(gen_var **v, const wty *ts, int n);
/* A float32 local combining the locals so far: a core's result. */
const gen_var *gen_result(gen_ctx *c);
void gen_assign(gen_ctx *c, const gen_var *v);
/* Loop-carried values stay bounded by construction: a float local that a
 * loop assigns and that was declared outside that loop (so its value passes
 * from one trip to the next) is assigned through wp.clamp(e, -B, B), and an
 * accumulator's own term never reads it (gen_accum): products and self-sums
 * iterated over nested loops would otherwise overflow to inf. */
#define GEN_BOUND 1000
int gen_loop_carried(const gen_ctx *c, const gen_var *v);
/* `, -B, B)`: closes a `wp.clamp(` of a t value (float32 or float64). */
void gen_bound_close(gen_ctx *c, wty t);
/* Hides v from the expression grammar's leaves (gen_var_hide returns what
 * gen_var_show needs to restore it): an accumulator's term does not read it. */
unsigned gen_var_hide(gen_var *v);
void gen_var_show(gen_var *v, unsigned saved);
void gen_store(gen_ctx *c, const gen_arr *a);
/* `a[tid] = v` converted to a's element type. */
void gen_store_var(gen_ctx *c, const gen_arr *a, const gen_var *v);
void gen_atomic(gen_ctx *c, const gen_arr *a);
/* The bitwise atomics on int32 arrays (others get gen_atomic). */
void gen_atomic_bits(gen_ctx *c, const gen_arr *a);
/* if/elif/else; with a target, every branch updates it first. */
void gen_if(gen_ctx *c, int nelif, int has_else, const gen_var *target);

/* stmt_loop.c */
/* `for v in range(...):` declaring v; the caller opens and closes the body
 * (inner: a bound may be an enclosing counter). */
void gen_for_head(gen_ctx *c, int inner);
void gen_for(gen_ctx *c, int nbody);
/* A counted while loop; with acc, its body starts by accumulating into it. */
void gen_while(gen_ctx *c, int nbody, const gen_var *acc);
/* `acc += term`: the update a loop body carries. */
void gen_accum(gen_ctx *c, const gen_var *acc);
/* `if cond: break` or continue, inside a loop. */
void gen_jump(gen_ctx *c);

#endif

/* core: the defining construct of every category (gen_core_<name>: writes
 * it once and returns the value to store, or NULL) and the setups that
 * prepare some of them (gen_setup_<name>: see gen_profile.setup). Grouped
 * by what they build: core_scalar.c, core_control.c, core_array.c,
 * core_vector.c, core_matrix.c, core_defs.c, core_dtypes.c, core_geometry.c,
 * core_tile.c. Used by the profile table (profiles.c) only. */
#ifndef JS_GEN_CORE_H
#define JS_GEN_CORE_H

#include "gen/ctx.h"

/* core_scalar.c */
const gen_var *gen_core_arithmetic(gen_ctx *c);
const gen_var *gen_core_math(gen_ctx *c);
const gen_var *gen_core_random_math(gen_ctx *c);
const gen_var *gen_core_scalar_param(gen_ctx *c);
const gen_var *gen_core_random(gen_ctx *c);
void gen_setup_random(gen_ctx *c, int phase);
const gen_var *gen_core_bitwise(gen_ctx *c);

/* core_control.c */
const gen_var *gen_core_conditional(gen_ctx *c);
const gen_var *gen_core_multi_cond(gen_ctx *c);
const gen_var *gen_core_loop(gen_ctx *c);
const gen_var *gen_core_nested(gen_ctx *c);
const gen_var *gen_core_combined(gen_ctx *c);
const gen_var *gen_core_while_break(gen_ctx *c);

/* core_array.c */
const gen_var *gen_core_atomic(gen_ctx *c);
const gen_var *gen_core_multi_dim(gen_ctx *c);
void gen_setup_multi_dim(gen_ctx *c, int phase);

/* core_vector.c */
const gen_var *gen_core_vector(gen_ctx *c);
const gen_var *gen_core_quaternion(gen_ctx *c);
const gen_var *gen_core_transform(gen_ctx *c);

/* core_matrix.c */
const gen_var *gen_core_matrix(gen_ctx *c);
const gen_var *gen_core_linalg(gen_ctx *c);
void gen_setup_linalg(gen_ctx *c, int phase);

/* core_defs.c */
const gen_var *gen_core_struct(gen_ctx *c);
void gen_setup_struct(gen_ctx *c, int phase);
const gen_var *gen_core_func(gen_ctx *c);
void gen_setup_func(gen_ctx *c, int phase);

/* core_dtypes.c */
const gen_var *gen_core_dtypes(gen_ctx *c);
void gen_setup_dtypes(gen_ctx *c, int phase);

/* core_geometry.c */
const gen_var *gen_core_geometry(gen_ctx *c);
void gen_setup_geometry(gen_ctx *c, int phase);

/* core_tile.c */
const gen_var *gen_core_tile(gen_ctx *c);
void gen_setup_tile(gen_ctx *c, int phase);

#endif

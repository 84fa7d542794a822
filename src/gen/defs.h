/* defs: the definitions written above the kernel (defs.c): @wp.func helpers
 * and @wp.struct classes. Used by the struct and func cores (core_defs.c). */
#ifndef JS_GEN_DEFS_H
#define JS_GEN_DEFS_H

#include "gen/ctx.h"

/* Writes helper f: its name and parameter types (or, with twin, an overload
 * of twin), returning nret values, the first of type ret. */
void gen_helper(gen_ctx *c, gen_fn *f, wtyset argtypes, wty ret, int nret, const gen_fn *twin);
/* Writes `class name:` with 2..max random fields (types in ft, names in
 * fn), a nested struct field `props: inner` and an array field `afield`
 * when not NULL; returns the random field count. */
int gen_struct_def(gen_ctx *c, const char *name, const char *inner, wty *ft, const char **fn, int max,
                   const char *afield);

#endif

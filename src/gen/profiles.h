/* profiles: what makes one category, and the table of them (profiles.c).
 * Read by the driver (gen.c), by gen_depth (ctx.c) and by gen_stmt (stmt.c)
 * for the nesting limit. */
#ifndef JS_GEN_PROFILES_H
#define JS_GEN_PROFILES_H

#include "gen/ctx.h"

/* An inclusive range of a random count. */
typedef struct gen_span {
	int min, max;
} gen_span;

/* A category: its parameter shapes, expression features, statement mix and
 * the defining construct `core` it always contains. */
struct gen_profile {
	const char *name;
	const char *prefix;
	gen_span args;             /* parameters in total, within 1..5 */
	gen_span scalars;          /* of which non-array scalars */
	wtyset dtypes;             /* array element types drawn from */
	unsigned feat;             /* FE_* */
	gen_span depth;            /* expression tree depth */
	gen_span stmts;            /* random statements around the core */
	int nest_max;              /* block nesting of random statements */
	unsigned char w[ST_COUNT]; /* random statement weights */
	const gen_var *(*core)(gen_ctx *c); /* returns the value to store, or NULL */
	/* NULL, or called with phase 0 after the parameters are drawn (may
	 * write definitions above the kernel and add parameters) and phase 1
	 * after `tid = wp.tid()` (may declare values the body can use). */
	void (*setup)(gen_ctx *c, int phase);
};

/* The profile of category cat (the first one for an unknown cat). */
const gen_profile *gen_profile_get(gen_category cat);

#endif

/* ctx: the bookkeeping half of a kernel under construction: weighted
 * choices, indentation, fresh local names, visible-variable scopes and
 * picking variables and arrays by type. Writes no grammar of its own. */
#include "gen/ctx.h"

#include <stdio.h>

#include "gen/profiles.h"

/* Index of a random entry, chosen with probability proportional to w[i];
 * 0 when every weight is 0 (callers keep entry 0 always legal). */
int gen_pick(rng *r, const unsigned char *w, int n)
{
	unsigned total = 0;
	for (int i = 0; i < n; i++)
		total += w[i];
	if (total == 0)
		return 0;
	unsigned k = rng_below(r, total);
	for (int i = 0; i < n; i++) {
		if (k < w[i])
			return i;
		k -= w[i];
	}
	return 0;
}

int gen_depth(gen_ctx *c)
{
	int d = rng_range(&c->r, c->p->depth.min, c->p->depth.max);
	return c->max_depth > 0 && d > c->max_depth ? c->max_depth : d;
}

void gen_line(gen_ctx *c) { buf_indent(c->b, c->indent); }

const char *gen_fresh_name(gen_ctx *c, char *out, const char *base)
{
	snprintf(out, GEN_NAME, "%s%d", base, c->fresh++);
	return out;
}

/* Declares `<base><n>`: the counter suffix keeps every local distinct, so a
 * name never changes type (Warp forbids that) and never collides with a
 * parameter or a loop counter (those have no digits). */
gen_var *gen_var_add(gen_ctx *c, const char *base, wty t, unsigned flags)
{
	if (c->nvar >= GEN_MAX_VARS)
		return NULL;
	gen_var *v = &c->var[c->nvar++];
	if (flags & VAR_LOCAL)
		gen_fresh_name(c, v->name, base);
	else
		snprintf(v->name, sizeof v->name, "%s", base);
	v->type = t;
	v->flags = (unsigned char)flags;
	v->trips = 1;
	v->loops = (unsigned char)c->loops;
	return v;
}

/* t == WT_ANY matches any type. A local still being declared has type
 * WT_ANY and no flags, so only a (never made) flagless WT_ANY query sees it. */
static int var_ok(const gen_var *v, wty t, unsigned need)
{
	if ((v->flags & need) != need)
		return 0;
	return t == WT_ANY ? 1 : v->type == t;
}

int gen_var_count(const gen_ctx *c, wty t, unsigned need)
{
	int n = 0;
	for (int i = 0; i < c->nvar; i++)
		if (var_ok(&c->var[i], t, need))
			n++;
	return n;
}

/* A visible variable of type t with all `need` flags, or NULL. Half the
 * time the innermost one: recent values are the ones worth combining, which
 * makes data flow through the kernel rather than scatter. */
const gen_var *gen_var_pick(gen_ctx *c, wty t, unsigned need)
{
	int n = gen_var_count(c, t, need);
	if (n == 0)
		return NULL;
	int k = rng_chance(&c->r, 0.5) ? n - 1 : (int)rng_below(&c->r, (uint32_t)n);
	for (int i = 0; i < c->nvar; i++)
		if (var_ok(&c->var[i], t, need) && k-- == 0)
			return &c->var[i];
	return NULL;
}

/* A readable (want_out = 0) or writable (1) array of element type t, or NULL. */
const gen_arr *gen_arr_pick(gen_ctx *c, wty t, int want_out)
{
	int idx[GEN_MAX_ARRS], n = 0;
	for (int i = 0; i < c->narr; i++) {
		const gen_arr *a = &c->arr[i];
		if ((t == WT_ANY || a->dtype == t) && (want_out ? a->out : a->in))
			idx[n++] = i;
	}
	return n ? &c->arr[idx[rng_below(&c->r, (uint32_t)n)]] : NULL;
}

/* Any array whose .shape a kernel may read (a fabric array's it may not):
 * one uniform draw, then the first sized array if the draw hit a fabric
 * one, so kernels without fabric arrays draw as they always did. */
const gen_arr *gen_arr_sized(gen_ctx *c)
{
	const gen_arr *a = &c->arr[rng_below(&c->r, (uint32_t)c->narr)];
	for (int i = 0; a->noshape && i < c->narr; i++)
		a = &c->arr[i];
	return a;
}

/* Opens an indented block; the mark restores the visible names on leave,
 * since Python/Warp locals of an inner block must not be read after it. */
int gen_enter(gen_ctx *c)
{
	c->indent += 4;
	c->nest++;
	return c->nvar;
}

void gen_leave(gen_ctx *c, int mark)
{
	c->indent -= 4;
	c->nest--;
	c->nvar = mark;
}

/* The element type of the first output array when scalar, else float32:
 * cores compute in it so the final store needs no conversion. */
wty gen_work_type(gen_ctx *c)
{
	for (int i = 0; i < c->narr; i++)
		if (c->arr[i].out && wty_is_scalar(c->arr[i].dtype))
			return c->arr[i].dtype;
	return (c->types & WT_BIT(WT_F64)) && !(c->types & WT_BIT(WT_F32)) ? WT_F64 : WT_F32;
}

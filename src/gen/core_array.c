/* core_array: the cores of the categories that build array access
 * patterns: atomic (wp.atomic_* at in-bounds indices, maybe in a loop) and
 * multi_dim (2D to 4D arrays and launches, a stencil over neighbours). */
#include "gen/core.h"

#include "gen/expr.h"
#include "gen/stmt.h"

// atomic = wp.atomic_op(out, index, e) (one to three), maybe inside a loop
const gen_var *gen_core_atomic(gen_ctx *c)
{
	int n = rng_range(&c->r, 1, 3);
	if (rng_chance(&c->r, 0.25)) {
		int mark = c->nvar;
		gen_for_head(c, 0);
		gen_enter(c);
		c->loops++;
		gen_atomic(c, gen_arr_pick(c, WT_ANY, 1));
		c->loops--;
		gen_leave(c, mark);
		n--;
	}
	for (; n > 0; n--)
		gen_atomic(c, gen_arr_pick(c, WT_ANY, 1));
	return NULL;
}

/* phase 0: every array becomes 2D (or 3D, 4D) with the launch's shape;
 * the thread index is `i, j = wp.tid()` (or row, col / i, j, k / i, j, k, l). */
void gen_setup_multi_dim(gen_ctx *c, int phase)
{
	static const char *const ij[] = {"i", "j", "k", "l"}, *const rc[] = {"row", "col"};
	rng *r = &c->r;
	if (phase != 0)
		return;
	int u = (int)rng_below(r, 20);
	c->ntid = u < 14 ? 2 : u < 17 ? 3 : 4;
	int named = c->ntid == 2 && rng_chance(r, 0.3);
	for (int d = 0; d < c->ntid; d++)
		c->tid[d] = named ? rc[d] : ij[d];
	for (int i = 0; i < c->narr; i++)
		c->arr[i].ndim = (unsigned char)c->ntid;
}

/* grid = s = a[i, j] stencil over in-bounds neighbours (+-1 clamped per
 * dimension) NEWLINE r = e */
const gen_var *gen_core_multi_dim(gen_ctx *c)
{
	rng *r = &c->r;
	wty t = gen_work_type(c);
	const gen_arr *a = gen_arr_pick(c, t, 0);
	if (!a || t == WT_I32)
		return gen_result(c);
	gen_var *s = gen_decl_start(c, rng_chance(r, 0.5) ? "lap" : "nb", t);
	if (!s)
		return NULL;
	int terms = 0;
	for (int d = 0; d < a->ndim; d++) {
		for (int side = 0; side < 2; side++) {
			if (terms++)
				gen_put(c, " + ");
			buf_printf(c->b, "%s[", a->name);
			for (int e = 0; e < a->ndim; e++) {
				if (e)
					gen_put(c, ", ");
				if (e != d)
					gen_put(c, c->tid[e]);
				else if (side)
					buf_printf(c->b, "wp.min(%s + 1, %s.shape[%d] - 1)", c->tid[e], a->name, e);
				else
					buf_printf(c->b, "wp.max(%s - 1, 0)", c->tid[e]);
			}
			gen_put(c, "]");
		}
	}
	gen_put(c, " - ");
	gen_lit_fix(c, t, 2 * a->ndim, 0);
	buf_printf(c->b, " * %s[", a->name);
	for (int e = 0; e < a->ndim; e++)
		buf_printf(c->b, "%s%s", e ? ", " : "", c->tid[e]);
	gen_put(c, "]\n");
	gen_decl_finish(s, t);
	return rng_chance(r, 0.5) ? s : gen_result(c);
}

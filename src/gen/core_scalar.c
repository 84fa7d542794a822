/* core_scalar: the cores of the categories that build scalar computations:
 * arithmetic, math, random_math, scalar_param, random (draws from a state
 * made by wp.rand_init) and bitwise (shifts and the bitwise atomics). */
#include "gen/core.h"

#include "gen/expr.h"
#include "gen/stmt.h"

/* arith = name "=" e ("+" | "-" | "*") e | name "=" e "/" safe_divisor
 * then more declarations; one to three in all. */
const gen_var *gen_core_arithmetic(gen_ctx *c)
{
	static const char *const ops[] = {"+", "-", "*", "+", "-", "*"};
	wty t = gen_work_type(c);
	const gen_var *v = NULL;
	for (int n = rng_range(&c->r, 1, 3); n > 0; n--) {
		gen_var *d = gen_decl_start(c, NULL, t);
		if (!d)
			break;
		if (rng_chance(&c->r, 0.25)) {
			gen_div(c, t, gen_depth(c) + 1, 1);
		} else {
			/* before the operator, the order gcc evaluated the arguments in */
			int depth = gen_depth(c) + 1;
			gen_bin(c, t, ops[rng_below(&c->r, 6)], t, depth, 1);
		}
		gen_put(c, "\n");
		gen_decl_finish(d, t);
		v = d;
	}
	return v;
}

// math = name = wp.f(...) (one to three), math calls at the top
const gen_var *gen_core_math(gen_ctx *c)
{
	wty t = gen_work_type(c);
	if (t == WT_I32)
		t = WT_F32;
	const gen_var *v = NULL;
	for (int n = rng_range(&c->r, 1, 3); n > 0; n--) {
		gen_var *d = gen_decl_start(c, NULL, t);
		if (!d)
			break;
		gen_math(c, t, gen_depth(c) + 1);
		gen_put(c, "\n");
		gen_decl_finish(d, t);
		v = d;
	}
	return v;
}

// random_math = name = math (deep), one or two
const gen_var *gen_core_random_math(gen_ctx *c) { return gen_core_math(c); }

/* scalar = name = p op e  for each scalar parameter p, or an int p as a
 * clamped loop bound: for i in range(wp.min(p, K)): accum */
const gen_var *gen_core_scalar_param(gen_ctx *c)
{
	static const char *const ops[] = {"*", "+", "-", "*"};
	const gen_var *last = NULL;
	for (int i = 0; i < c->nscalar; i++) {
		const gen_var *p = &c->scalar[i];
		if (p->type == WT_I32 && rng_chance(&c->r, 0.5)) {
			wty t = gen_work_type(c);
			const gen_var *acc = gen_decl_zero(c, "acc", t);
			if (!acc)
				continue;
			gen_line(c);
			buf_printf(c->b, "for i in range(wp.min(%s, %d)):\n", p->name, rng_range(&c->r, 4, 32));
			int mark = c->nvar;
			gen_var_add(c, "i", WT_I32, VAR_INDEX | VAR_LOOP);
			gen_enter(c);
			c->loops++;
			gen_accum(c, acc);
			c->loops--;
			gen_leave(c, mark);
			last = acc;
			continue;
		}
		gen_var *d = gen_decl_start(c, NULL, p->type);
		if (!d)
			break;
		buf_printf(c->b, "%s %s ", p->name, ops[rng_below(&c->r, 4)]);
		gen_sub(c, p->type, gen_depth(c), 1);
		gen_put(c, "\n");
		gen_decl_finish(d, p->type);
		last = d;
	}
	return last;
}

/* phase 1: state = wp.rand_init(seed [, offset]): the state every draw
 * advances; seeded by an int parameter when there is one. */
void gen_setup_random(gen_ctx *c, int phase)
{
	rng *r = &c->r;
	if (phase != 1)
		return;
	const char *seed = NULL;
	for (int i = 0; i < c->nscalar; i++)
		if (c->scalar[i].type == WT_I32)
			seed = c->scalar[i].name;
	c->rstate = rng_chance(r, 0.6) ? "state" : "rng";
	gen_line(c);
	buf_printf(c->b, "%s = wp.rand_init(", c->rstate);
	if (seed)
		gen_put(c, seed);
	else
		buf_printf(c->b, "%d", rng_range(r, 1, 99999));
	if (rng_chance(r, 0.8))
		buf_printf(c->b, ", %s", c->tid[0]);
	gen_put(c, ")\n");
	c->types |= WT_BIT(WT_F32);
	if (rng_chance(r, 0.5))
		c->types |= WT_BIT(rng_chance(r, 0.7) ? WT_V3 : WT_V2);
}

// random = x = rleaf-rich op (one to three)
const gen_var *gen_core_random(gen_ctx *c)
{
	const gen_var *v = NULL;
	for (int n = rng_range(&c->r, 1, 3); n > 0; n--) {
		gen_var *d = gen_decl_start(c, NULL, WT_F32);
		if (!d)
			break;
		gen_put(c, "wp.");
		buf_printf(c->b, "%s(%s)", rng_chance(&c->r, 0.7) ? "randf" : "randn", c->rstate);
		gen_put(c, rng_chance(&c->r, 0.5) ? " * " : " + ");
		gen_sub(c, WT_F32, gen_depth(c), 1);
		gen_put(c, "\n");
		gen_decl_finish(d, WT_F32);
		v = d;
	}
	return v;
}

// bitwise = k = shift-rich op (one to three) NEWLINE [batomic]
const gen_var *gen_core_bitwise(gen_ctx *c)
{
	const gen_var *v = NULL;
	for (int n = rng_range(&c->r, 1, 3); n > 0; n--) {
		gen_var *d = gen_decl_start(c, NULL, WT_I32);
		if (!d)
			break;
		gen_shift_op(c, gen_depth(c) + 1, 1);
		gen_put(c, "\n");
		gen_decl_finish(d, WT_I32);
		v = d;
	}
	const gen_arr *a = gen_arr_pick(c, WT_I32, 1);
	if (a && rng_chance(&c->r, 0.5))
		gen_atomic_bits(c, a);
	return v;
}

/* core_control: the cores of the categories that build control flow:
 * conditional, multi_cond (if/elif/else chains), loop and nested (for and
 * counted while loops accumulating a value), combined (a loop around a
 * branch) and while_break (loops left by break and continue). */
#include "gen/core.h"

#include "gen/expr.h"
#include "gen/stmt.h"

/* nest = for_head ":" [stmt] (nest | accum) [stmt]   (`levels` loops deep)
 * A single top-level loop is sometimes a counted while loop instead. */
static void gen_loop_nest(gen_ctx *c, const gen_var *acc, int levels)
{
	int mark = c->nvar;
	if (rng_chance(&c->r, 0.15) && c->loops == 0 && levels == 1) {
		gen_while(c, 1, acc);
		return;
	}
	gen_for_head(c, c->loops > 0);
	gen_enter(c);
	c->loops++;
	if (levels > 1 && rng_chance(&c->r, 0.3))
		gen_stmt(c);
	if (levels > 1)
		gen_loop_nest(c, acc, levels - 1);
	else
		gen_accum(c, acc);
	if (rng_chance(&c->r, 0.4))
		gen_stmt(c);
	c->loops--;
	gen_leave(c, mark);
}

// cond = r = e NEWLINE "if" cmp ":" block ["else:" block]
const gen_var *gen_core_conditional(gen_ctx *c)
{
	const gen_var *v = gen_decl(c, NULL, gen_work_type(c));
	if (v)
		gen_if(c, 0, rng_chance(&c->r, 0.85), v);
	return v;
}

// loop = acc = T(0) NEWLINE for_head ":" accum ...
const gen_var *gen_core_loop(gen_ctx *c)
{
	const gen_var *acc = gen_decl_zero(c, rng_chance(&c->r, 0.5) ? "acc" : "total", gen_work_type(c));
	if (!acc)
		return NULL;
	gen_loop_nest(c, acc, 1);
	return acc;
}

// nested = acc = T(0) NEWLINE for ...: for ...: [for ...:] accum
const gen_var *gen_core_nested(gen_ctx *c)
{
	const gen_var *acc = gen_decl_zero(c, rng_chance(&c->r, 0.5) ? "acc" : "total", gen_work_type(c));
	if (!acc)
		return NULL;
	gen_loop_nest(c, acc, rng_chance(&c->r, 0.2) ? 3 : 2);
	return acc;
}

// multi_cond = r = e NEWLINE "if" c ":" b ("elif" c ":" b)+ ["else:" b]
const gen_var *gen_core_multi_cond(gen_ctx *c)
{
	wty t = gen_work_type(c);
	const gen_var *v = rng_chance(&c->r, 0.5) ? gen_decl(c, NULL, t) : gen_decl_zero(c, NULL, t);
	if (v) {
		int with_else = rng_chance(&c->r, 0.85), nelif = rng_range(&c->r, 1, 4);
		gen_if(c, nelif, with_else, v);
	}
	return v;
}

/* combined = acc = T(0) NEWLINE for_head ":" "if" cond ":" acc = math
 *            ["else:" accum] ...: a loop around a branch computing math. */
const gen_var *gen_core_combined(gen_ctx *c)
{
	wty t = gen_work_type(c);
	const gen_var *acc = gen_decl_zero(c, rng_chance(&c->r, 0.5) ? "acc" : "total", t);
	if (!acc)
		return NULL;
	int mark = c->nvar;
	gen_for_head(c, 0);
	gen_enter(c);
	c->loops++;
	if (rng_chance(&c->r, 0.3))
		gen_stmt(c);
	gen_line(c);
	gen_put(c, "if ");
	gen_cond(c, rng_range(&c->r, 1, 2));
	gen_put(c, ":\n");
	int inner = gen_enter(c);
	gen_line(c);
	buf_printf(c->b, "%s = %s + ", acc->name, acc->name);
	unsigned saved = gen_var_hide((gen_var *)acc); /* see gen_accum */
	gen_math(c, t, gen_depth(c));
	gen_var_show((gen_var *)acc, saved);
	gen_put(c, "\n");
	gen_leave(c, inner);
	if (rng_chance(&c->r, 0.7)) {
		gen_line(c);
		gen_put(c, "else:\n");
		inner = gen_enter(c);
		gen_accum(c, acc);
		gen_leave(c, inner);
	}
	c->loops--;
	gen_leave(c, mark);
	return acc;
}

/* while_break = cnt = int(0) NEWLINE
 *     ("while" cnt "<" K ":" | "while True:" ... "if" cnt ">" K ":" "break")
 *     cnt += 1 NEWLINE [stmt] "if" cond ":" "continue" accum ["if" cond ":" "break"]
 *   | for_head ":" stmt* "if" cond ":" "break" accum
 * The counter steps first, so `continue` never skips it: at most K trips. */
const gen_var *gen_core_while_break(gen_ctx *c)
{
	rng *r = &c->r;
	const gen_var *acc = gen_decl_zero(c, rng_chance(r, 0.5) ? "acc" : "total", gen_work_type(c));
	if (!acc)
		return NULL;
	int mark = c->nvar, cont = c->cont_ok, K = rng_range(r, 2, 12);
	if (rng_chance(r, 0.3)) {
		gen_for_head(c, 0);
		gen_enter(c);
	} else {
		gen_var *cnt = gen_var_add(c, rng_chance(r, 0.5) ? "it" : "step", WT_I32, VAR_LOCAL | VAR_INDEX | VAR_LOOP);
		if (!cnt)
			return acc;
		gen_line(c);
		buf_printf(c->b, "%s = int(0)\n", cnt->name);
		gen_line(c);
		int forever = rng_chance(r, 0.3);
		if (forever)
			gen_put(c, "while True:\n");
		else
			buf_printf(c->b, "while %s < %d:\n", cnt->name, K);
		gen_enter(c);
		gen_line(c);
		buf_printf(c->b, "%s += 1\n", cnt->name);
		if (forever) {
			gen_line(c);
			buf_printf(c->b, "if %s > %d:\n", cnt->name, K);
			gen_line(c);
			gen_put(c, "    break\n");
		}
	}
	c->loops++;
	c->cont_ok = 1;
	if (rng_chance(r, 0.4))
		gen_stmt(c);
	int jumped = rng_chance(r, 0.6);
	if (jumped)
		gen_jump(c);
	gen_accum(c, acc);
	if (!jumped || rng_chance(r, 0.5))
		gen_jump(c); /* every while_break kernel has a break or continue */
	c->cont_ok = cont;
	c->loops--;
	gen_leave(c, mark);
	return acc;
}

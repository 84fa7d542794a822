/* stmt_loop: the loop statements: for-range heads with small trip counts
 * (and a bound on the copies Warp's unrolling makes), for blocks, counted
 * while loops, the accumulation a loop body carries, and break/continue.
 * Every loop is bounded by a small constant. */
#include "gen/stmt.h"

#include "gen/expr.h"

/* Loop bodies Warp would copy out: the product of the trip counts of the
 * enclosing loops it unrolls (constant bounds, up to 16 trips). */
static int unrolled_copies(const gen_ctx *c)
{
	int n = 1;
	for (int i = 0; i < c->nvar; i++)
		if (c->var[i].flags & VAR_CONST)
			n *= c->var[i].trips;
	return n;
}

/* for_head = "for" v "in" "range(" bounds "):"
 * bounds = K | a, b | a, b, s | b, a, -s | wp.min(n, K) | wp.min(arr.shape[0], K)
 *        | i | i, K | i + 1                  (inner: over the enclosing counter)
 * Every form yields counters >= 0 and at most a few dozen iterations.
 * Warp unrolls loops with constant bounds (an unrolled loop's counter is a
 * constant too), so nested constant loops multiply the generated C++; past
 * GEN_MAX_UNROLL copies the loop takes a runtime bound instead. Declares the
 * counter in the caller's scope: the caller restores it with gen_leave. */
void gen_for_head(gen_ctx *c, int inner)
{
	static const char names[] = "ijklmnpq";
	rng *r = &c->r;
	/* kernels indexed by i, j (, k, l) count their loops from the next letter */
	int first = c->tid[0][1] == '\0' ? c->ntid : 0;
	const gen_var *outer = inner ? gen_var_pick(c, WT_I32, VAR_INDEX | VAR_LOOP) : NULL;
	const gen_var *n = NULL; /* an int parameter: a runtime bound */
	for (int i = 0; i < c->nscalar; i++)
		if (c->scalar[i].type == WT_I32 && (!n || rng_chance(r, 0.5)))
			n = &c->scalar[i];
	int small = c->loops > 0 ? 4 : 10;
	char name[2] = {names[first + (c->loops < 4 ? c->loops : 3)], 0};
	int k = (int)rng_below(r, outer ? 9 : 6);
	int a = rng_range(r, 0, 3), b = a + rng_range(r, 1, small), s = rng_range(r, 1, 3);
	int K = rng_range(r, 2, 4 * small);
	if (k == 4 && !n)
		k = 0; /* no int parameter: a constant */
	if (k == 5 && !c->narr)
		k = 0; /* a helper function: no arrays */
	int trips; /* iterations if Warp unrolls the loop, else 0 */
	switch (k) {
	case 0: trips = b - a + 1; break; /* range(1) would be no loop */
	case 1: trips = b - a; break;
	case 2: s = s < 2 ? 2 : s; trips = (b + 4 - a + s - 1) / s; break;
	case 3: s = s > 2 ? 2 : s; trips = (b - a + s - 1) / s; break;
	case 6: case 7: case 8: trips = (outer->flags & VAR_CONST) ? 16 : 0; break;
	default: trips = 0; break;
	}
	if (trips > 0 && unrolled_copies(c) * trips > GEN_MAX_UNROLL) {
		k = 5;
		trips = 0;
	}
	gen_line(c);
	buf_printf(c->b, "for %s in range(", name);
	switch (k) {
	case 0: buf_printf(c->b, "%d", trips); break;
	case 1: buf_printf(c->b, "%d, %d", a, b); break;
	case 2: buf_printf(c->b, "%d, %d, %d", a, b + 4, s); break;
	case 3: buf_printf(c->b, "%d, %d, -%d", b, a, s); break;
	case 4: buf_printf(c->b, "wp.min(%s, %d)", n->name, K); break; /* a runtime int, clamped */
	case 5: buf_printf(c->b, "wp.min(%s.shape[0], %d)", gen_arr_sized(c)->name, K); break;
	case 6: buf_printf(c->b, "%s", outer->name); break;
	case 7: buf_printf(c->b, "%s, %d", outer->name, rng_range(r, 2, 2 * small)); break;
	default: buf_printf(c->b, "%s + 1", outer->name); break;
	}
	gen_put(c, "):\n");
	gen_var *v = gen_var_add(c, name, WT_I32, VAR_INDEX | VAR_LOOP | (trips > 0 ? VAR_CONST : 0));
	if (v)
		v->trips = (unsigned char)(trips > 0 ? trips : 1);
}

// for = for_head block
void gen_for(gen_ctx *c, int nbody)
{
	int mark = c->nvar; /* the counter belongs to the body's scope */
	int cont = c->cont_ok;
	gen_for_head(c, c->loops > 0);
	gen_enter(c);
	c->loops++;
	c->cont_ok = 1;
	gen_stmts(c, nbody < 1 ? 1 : nbody);
	c->cont_ok = cont;
	c->loops--;
	gen_leave(c, mark);
}

unsigned gen_var_hide(gen_var *v)
{
	unsigned saved = (unsigned)v->type << 8 | v->flags;
	v->type = WT_ANY; /* as a local still being declared: see var_ok */
	v->flags = 0;
	return saved;
}

void gen_var_show(gen_var *v, unsigned saved)
{
	v->type = (wty)(saved >> 8);
	v->flags = (unsigned char)(saved & 0xff);
}

/* accum = acc ("+=" | "-=") term | acc = acc "*" lit "+" term
 * term = arr[(tid + i) % n] | float(i) * e | e  -- i the innermost counter
 * The term never reads acc: acc moves by at most |term| a trip (or
 * contracts, times lit < 1), so it stays bounded whatever the trip count. */
void gen_accum(gen_ctx *c, const gen_var *acc_in)
{
	rng *r = &c->r;
	gen_var *acc = (gen_var *)acc_in; /* hidden while the term is written */
	wty t = acc->type;
	const gen_var *i = gen_var_pick(c, WT_I32, VAR_LOOP);
	const gen_arr *a = gen_arr_pick(c, t, 0);
	gen_line(c);
	if (rng_chance(r, 0.2) && t != WT_I32) {
		buf_printf(c->b, "%s = %s * ", acc->name, acc->name);
		gen_lit_fix(c, t, rng_range(r, 5, 99), 2);
		gen_put(c, " + ");
	} else {
		buf_printf(c->b, "%s %s ", acc->name, rng_chance(r, 0.8) ? "+=" : "-=");
	}
	unsigned saved = gen_var_hide(acc);
	int k = (int)rng_below(r, 3);
	if (k == 0 && a && i && a->ndim == 1) {
		if (rng_chance(r, 0.5))
			buf_printf(c->b, "%s[(%s + %s) %% %s.shape[0]]", a->name, c->tid[0], i->name, a->name);
		else
			buf_printf(c->b, "%s[%s %% %s.shape[0]]", a->name, i->name, a->name);
		if (rng_chance(r, 0.5)) {
			gen_put(c, " * ");
			gen_sub(c, t, 1, 1);
		}
	} else if (k == 1 && i) {
		if (t == WT_I32)
			gen_put(c, i->name);
		else
			gen_cast_var(c, t, i);
		gen_put(c, " * ");
		gen_sub(c, t, gen_depth(c), 1);
	} else {
		gen_top(c, t, gen_depth(c));
	}
	gen_var_show(acc, saved);
	gen_put(c, "\n");
}

/* while = cnt "=" int(0) NEWLINE "while" cnt "<" K ["and" cond] ":" block
 *         with "cnt += 1" closing the block: at most K iterations. */
void gen_while(gen_ctx *c, int nbody, const gen_var *acc)
{
	rng *r = &c->r;
	gen_var *cnt = gen_var_add(c, rng_chance(r, 0.5) ? "it" : "step", WT_I32, VAR_LOCAL | VAR_INDEX | VAR_LOOP);
	if (!cnt) {
		gen_stmts(c, nbody);
		return;
	}
	gen_line(c);
	buf_printf(c->b, "%s = int(0)\n", cnt->name);
	gen_line(c);
	buf_printf(c->b, "while %s < %d", cnt->name, rng_range(r, 2, c->loops ? 4 : 10));
	if (rng_chance(r, 0.3)) {
		gen_put(c, " and ");
		gen_cond(c, 1);
	}
	gen_put(c, ":\n");
	int mark = gen_enter(c);
	int cont = c->cont_ok;
	c->loops++;
	c->cont_ok = 0; /* the counter steps at the end: `continue` would skip it */
	if (acc)
		gen_accum(c, acc);
	gen_stmts(c, acc ? nbody - 1 : nbody < 1 ? 1 : nbody);
	c->cont_ok = cont;
	c->loops--;
	gen_line(c);
	if (rng_chance(r, 0.7))
		buf_printf(c->b, "%s += 1\n", cnt->name);
	else
		buf_printf(c->b, "%s = %s + 1\n", cnt->name, cnt->name);
	gen_leave(c, mark);
}

/* jump = "if" cond ":" ("break" | "continue")   (continue only where the
 * innermost loop steps its counter first: for, or the while_break form) */
void gen_jump(gen_ctx *c)
{
	gen_line(c);
	gen_put(c, "if ");
	gen_cond(c, rng_range(&c->r, 1, 2));
	gen_put(c, ":\n");
	c->indent += 4;
	gen_line(c);
	gen_put(c, c->cont_ok && rng_chance(&c->r, 0.5) ? "continue\n" : "break\n");
	c->indent -= 4;
}

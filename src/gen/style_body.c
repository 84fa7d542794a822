/* style_body: the fixed parts of a realistic kernel's body (style.h): the
 * early-return guard, the loads of the inputs at the thread's element (or
 * a sorted-offsets lookup), and the epilogue: one store per output at the
 * thread's own element, one atomic of one kind per accumulator. */
#include <stdio.h>
#include <string.h>

#include "gen/ctx.h"
#include "gen/style.h"

/* if flags[tid] == 0: return, and the like. */
void rs_guard(rctx *c, const char *flagconst)
{
	rarr *f = NULL;
	for (int i = 0; i < c->narr; i++)
		if (c->arr[i].role == RR_FLAG)
			f = &c->arr[i];
	rs_line(c);
	if (f && flagconst) {
		buf_printf(c->b, "if (%s[", f->name);
		rs_index(c, f);
		buf_printf(c->b, "] & %s) == 0:\n", flagconst);
	} else if (f) {
		buf_printf(c->b, "if %s[", f->name);
		rs_index(c, f);
		buf_puts(c->b, "] == 0:\n");
	} else {
		int v = rs_find(c, RT_FLOAT, 0), n = -1;
		for (int i = 0; i < c->nparams_scalar; i++)
			if (c->val[i].t == RT_INT && strncmp(c->val[i].name, "num_", 4) == 0)
				n = i;
		if (n >= 0)
			buf_printf(c->b, "if %s >= %s%s:\n", c->tid[c->ntid - 1], c->sprefix, c->val[n].name);
		else if (v < 0)
			buf_printf(c->b, "if %s >= %s.shape[%d]:\n", c->tid[c->ntid - 1], c->arr[0].name,
				   c->arr[0].ndim - 1);
		else {
			buf_puts(c->b, "if ");
			if (c->val[v].param && c->sprefix[0])
				buf_puts(c->b, c->sprefix);
			buf_printf(c->b, "%s == 0.0:\n", c->val[v].name);
		}
	}
	rs_line(c);
	buf_puts(c->b, "    return\n");
	c->stmts++;
}

void rs_loads(rctx *c)
{
	int gathered = 0;
	for (int i = 0; i < c->narr; i++) {
		rarr *a = &c->arr[i];
		/* a gathered index is there to be used: one input is read through it */
		int through = c->gather[0] && a->ndim == 1 && !gathered && a->role == RR_IN && a->t != RT_INT;
		if (a->role != RR_IN || (!through && !rng_chance(&c->r, c->ntid ? 0.25 : 0.6)))
			continue;
		char nm[RS_NAME];
		if (a->t == RT_INT && a->ndim == 1 && c->ntid && rng_chance(&c->r, 0.15)) {
			/* the segment of a sorted offsets array that holds the thread */
			rs_fresh(c, "seg", nm);
			rs_line(c);
			buf_printf(c->b, "%s = wp.lower_bound(%s, %s)\n", nm, a->name, c->tid[c->ntid - 1]);
			rs_add_val(c, nm, RT_INT, 1);
			a->used = 1;
			c->stmts++;
			continue;
		}
		rs_fresh(c, a->local, nm);
		rs_line(c);
		buf_printf(c->b, "%s = %s[", nm, a->name);
		if (through || (c->gather[0] && a->ndim == 1 && rng_chance(&c->r, 0.4))) {
			buf_puts(c->b, c->gather);
			gathered = 1;
		} else
			rs_index(c, a);
		buf_puts(c->b, "]\n");
		rs_add_val(c, nm, a->t, 1);
		a->used = 1;
		c->stmts++;
	}
}

/* The value an output gets (rs_value; an int output without ints: the thread index). */
static void plain_value(rctx *c, rtype t)
{
	if (t == RT_INT && rs_find(c, RT_INT, 0) < 0) {
		buf_puts(c->b, c->ntid ? c->tid[c->ntid - 1] : "0");
		return;
	}
	rs_value(c, t);
}

/* In a kernel of few statements, an output that gets a bare name mostly
 * gets it scaled or offset by a scalar parameter on its way (out[i] = v *
 * dt, out[i] = v + offset, ...), as real fill and copy kernels do: without
 * it such kernels are few shapes written many times. Names only: no
 * literal, no call, an expression two deep, as real code keeps these. */
static void value_of(rctx *c, rtype t)
{
	size_t at = c->b->len;
	plain_value(c, t);
	size_t n = c->b->len - at;
	if (c->stmts > 8 || (t != RT_FLOAT && t != RT_VEC3) || n == 0 || n >= RS_NAME ||
	    !rng_chance(&c->r, 0.9))
		return;
	char v[RS_NAME];
	memcpy(v, c->b->data + at, n);
	v[n] = '\0';
	for (const char *p = v; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return; /* not a bare name */
	int s = -1;		/* a float scalar parameter, the last one */
	for (int i = 0; i < c->nparams_scalar; i++)
		if (c->val[i].t == RT_FLOAT && strcmp(c->val[i].name, v))
			s = i;
	if (s < 0)
		return;
	char sn[2 * RS_NAME]; /* as written: params.dt in a struct */
	c->b->len = at;
	rs_put_val(c, s);
	snprintf(sn, sizeof sn, "%.*s", (int)(c->b->len - at), c->b->data + at);
	c->b->len = at;
	if (t == RT_VEC3) {
		switch (rng_below(&c->r, 3)) {
		case 0:
			buf_printf(c->b, "%s * %s", v, sn);
			break;
		case 1:
			buf_printf(c->b, "%s * %s", sn, v);
			break;
		default:
			buf_printf(c->b, "-%s", v);
			break;
		}
		return;
	}
	switch (rng_below(&c->r, 6)) {
	case 0:
		buf_printf(c->b, "%s * %s", v, sn);
		break;
	case 1:
		buf_printf(c->b, "%s + %s", v, sn);
		break;
	case 2:
		buf_printf(c->b, "%s - %s", v, sn);
		break;
	case 3:
		buf_printf(c->b, "%s - %s", sn, v);
		break;
	case 4:
		buf_printf(c->b, "%s * %s", v, v);
		break;
	default:
		buf_printf(c->b, "%s * %s", sn, v);
		break;
	}
}

void rs_epilogue(rctx *c)
{
	for (int i = 0; i < c->narr; i++) {
		rarr *a = &c->arr[i];
		if (a->role == RR_OUT && !a->done) {
			rs_line(c);
			buf_printf(c->b, "%s[", a->name);
			rs_index(c, a);
			buf_puts(c->b, "] = ");
			value_of(c, a->t);
			buf_putc(c->b, '\n');
			c->stmts++;
		} else if (a->role == RR_ACC) {
			rs_line(c);
			unsigned k = rng_below(&c->r, 100); /* one kind per accumulator (style.h) */
			const char *op = k < 78			      ? "add"
					 : k < 90 || a->t != RT_FLOAT ? "sub"
					 : k < 95		      ? "max"
								      : "min";
			if (a->t == RT_INT) /* one commutative kind per accumulator */
				op = k < 40 ? "or" : k < 60 ? "xor" : k < 75 ? "and" : k < 90 ? "add" : "max";
			buf_printf(c->b, "wp.atomic_%s(%s, ", op, a->name);
			if (c->gather[0] && a->ndim == 1)
				buf_puts(c->b, c->gather);
			else
				rs_index(c, a);
			buf_puts(c->b, ", ");
			value_of(c, a->t);
			buf_puts(c->b, ")\n");
			c->stmts++;
		}
	}
}

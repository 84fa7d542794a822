/* style_flavour: the parts of a realistic kernel that a category asks for
 * (style.h): the module's @wp.struct and @wp.func helper and the helper's
 * call, the declarations that use one group of builtins (math, vector,
 * matrix, transform, quaternion), the bounded while loop with its break,
 * random values, and the comments a person writes. */
#include <stdio.h>
#include <string.h>

#include "gen/ctx.h"
#include "gen/style.h"

#define PICK(list) (list)[rng_below(&c->r, (uint32_t)count_of(list))]

static int count_of(const char *const *l)
{
	int n = 0;
	while (l[n])
		n++;
	return n;
}

void rs_write_struct(rctx *c)
{
	buf_printf(c->b, "@wp.struct\nclass %s:\n", c->d->structname);
	for (int i = 0; i < c->nparams_scalar; i++)
		buf_printf(c->b, "    %s: %s\n", c->val[i].name, style_type_spell(c->val[i].t, 0, c->spell));
	buf_puts(c->b, "\n\n");
	snprintf(c->sprefix, sizeof c->sprefix, "params.");
}

static void sentence(buf *b, const char *name)
{
	buf_putc(b, (char)(name[0] >= 'a' && name[0] <= 'z' ? name[0] - 32 : name[0]));
	for (const char *p = name + 1; *p; p++)
		buf_putc(b, *p == '_' ? ' ' : *p);
	buf_putc(b, '.');
}

/* @wp.func NAME(args) -> one value, built over its arguments only. */
void rs_write_helper(rctx *c)
{
	rctx h = *c;
	h.narr = 0, h.nval = 0, h.ntid = 0, h.gather[0] = '\0', h.sprefix[0] = '\0', h.helper[0] = '\0';
	h.indent = 4;
	h.stmts = 0;
	/* a name no parameter has (element_volume is a helper and a field) */
	snprintf(c->helper, sizeof c->helper, "%s", PICK(c->d->helpers));
	for (int i = 0; i < c->narr; i++)
		if (!strcmp(c->arr[i].name, c->helper))
			snprintf(c->helper, sizeof c->helper, "%.30s_fn", c->arr[i].name);
	for (int i = 0; i < c->nval; i++)
		if (!strcmp(c->val[i].name, c->helper))
			snprintf(c->helper, sizeof c->helper, "%.30s_fn", c->val[i].name);
	static const rtype at[] = {RT_VEC3, RT_VEC3, RT_FLOAT, RT_FLOAT, RT_VEC3, RT_QUAT};
	int n = 1 + (int)rng_below(&h.r, 3);
	c->helper_ret = rng_chance(&h.r, 0.6) ? RT_VEC3 : RT_FLOAT;
	buf_printf(c->b, "@wp.func\ndef %s(", c->helper);
	for (int i = 0; i < n; i++) {
		/* the first argument has the result's type: the body has something to work on */
		rtype t = i == 0 ? c->helper_ret : at[rng_below(&h.r, sizeof at / sizeof *at)];
		char nm[RS_NAME];
		const char *const *pool = style_locals[t];
		rs_fresh(&h, pool[rng_below(&h.r, (uint32_t)count_of(pool))], nm);
		rs_add_val(&h, nm, t, 0);
		c->helper_args[i] = t;
		buf_printf(c->b, "%s%s: %s", i ? ", " : "", nm, style_type_spell(t, 0, c->spell));
	}
	c->helper_nargs = n;
	buf_puts(c->b, "):\n");
	if (rng_chance(&h.r, 0.6)) {
		buf_puts(c->b, "    \"\"\"");
		sentence(c->b, c->helper);
		buf_puts(c->b, "\"\"\"\n");
	}
	int nd = (int)rng_below(&h.r, 3);
	for (int i = 0; i < nd; i++)
		rs_decl(&h, rng_chance(&h.r, 0.5) ? RT_FLOAT : RT_VEC3, NULL);
	buf_puts(c->b, "    return ");
	rs_expr(&h, c->helper_ret, 3);
	buf_puts(c->b, "\n\n\n");
	c->r = h.r;
}

void rs_call_helper(rctx *c)
{
	char nm[RS_NAME];
	rs_fresh(c, style_locals[c->helper_ret][rng_below(&c->r, 3)], nm);
	rs_line(c);
	buf_printf(c->b, "%s = %s(", nm, c->helper);
	for (int i = 0; i < c->helper_nargs; i++) {
		if (i)
			buf_puts(c->b, ", ");
		rs_value(c, c->helper_args[i]);
	}
	buf_puts(c->b, ")\n");
	rs_add_val(c, nm, c->helper_ret, 1);
	c->stmts++;
}

/* A declaration that uses builtins of one group: math, vector, matrix, ... */
void rs_flavour_decl(rctx *c, const char *fmt_kind)
{
	char nm[RS_NAME];
	rs_line(c);
	if (!strcmp(fmt_kind, "math")) {
		static const char *const fs[] = {"sin",	  "cos", "exp", "sqrt", "tanh",
						 "atan2", "log", "abs", NULL};
		const char *f = PICK(fs);
		buf_printf(c->b, "%s = ", rs_fresh(c, PICK(style_locals[RT_FLOAT]), nm));
		if (!strcmp(f, "sqrt") || !strcmp(f, "log")) {
			buf_printf(c->b, "wp.%s(wp.max(", f);
			rs_expr(c, RT_FLOAT, 2);
			buf_printf(c->b, ", %s))", f[0] == 's' ? "0.0" : "1.0e-6");
		} else if (!strcmp(f, "exp")) {
			buf_puts(c->b, "wp.exp(-");
			rs_expr(c, RT_FLOAT, 1);
			buf_puts(c->b, ")");
		} else if (!strcmp(f, "atan2")) {
			buf_puts(c->b, "wp.atan2(");
			rs_expr(c, RT_FLOAT, 2);
			buf_puts(c->b, ", ");
			rs_expr(c, RT_FLOAT, 2);
			buf_putc(c->b, ')');
		} else {
			buf_printf(c->b, "wp.%s(", f);
			rs_expr(c, RT_FLOAT, 1 + (int)rng_below(&c->r, 2));
			buf_putc(c->b, ')');
		}
		rs_add_val(c, nm, RT_FLOAT, 1);
	} else if (!strcmp(fmt_kind, "vec")) {
		static const char *const fs[] = {"normalize", "cross", "length", NULL};
		const char *f = PICK(fs);
		rtype t = f[0] == 'l' ? RT_FLOAT : RT_VEC3;
		buf_printf(c->b, "%s = wp.%s(", rs_fresh(c, PICK(style_locals[t]), nm), f);
		rs_expr(c, RT_VEC3, 1 + (int)rng_below(&c->r, 2));
		if (f[0] == 'c') {
			buf_puts(c->b, ", ");
			rs_expr(c, RT_VEC3, 1);
		}
		buf_putc(c->b, ')');
		rs_add_val(c, nm, t, 1);
	} else if (!strcmp(fmt_kind, "mat")) {
		static const char *const fs[] = {"outer", "skew", "quat_to_matrix", NULL};
		const char *f = PICK(fs);
		buf_printf(c->b, "%s = wp.%s(", rs_fresh(c, PICK(style_locals[RT_MAT33]), nm), f);
		if (f[0] == 'q')
			rs_expr(c, RT_QUAT, 2);
		else
			rs_expr(c, RT_VEC3, 2);
		if (f[0] == 'o') {
			buf_puts(c->b, ", ");
			rs_expr(c, RT_VEC3, 2);
		}
		buf_putc(c->b, ')');
		rs_add_val(c, nm, RT_MAT33, 1);
	} else if (!strcmp(fmt_kind, "xform")) {
		buf_printf(c->b, "%s = wp.%s(", rs_fresh(c, "p", nm),
			   rng_chance(&c->r, 0.6) ? "transform_point" : "transform_vector");
		rs_expr(c, RT_XFORM, 1);
		buf_puts(c->b, ", ");
		rs_expr(c, RT_VEC3, 2);
		buf_putc(c->b, ')');
		rs_add_val(c, nm, RT_VEC3, 1);
	} else { /* quat */
		buf_printf(c->b, "%s = wp.quat_rotate(", rs_fresh(c, "r", nm));
		rs_expr(c, RT_QUAT, 1);
		buf_puts(c->b, ", ");
		rs_expr(c, RT_VEC3, 2);
		buf_putc(c->b, ')');
		rs_add_val(c, nm, RT_VEC3, 1);
	}
	buf_putc(c->b, '\n');
	c->stmts++;
}

/* it = int(0); while it < K: ...; if ...: break; it += 1 */
void rs_while_loop(rctx *c)
{
	char it[RS_NAME];
	rs_fresh(c, "it", it);
	rs_line(c);
	buf_printf(c->b, "%s = int(0)\n", it);
	rs_line(c);
	buf_printf(c->b, "while %s < %u:\n", it, 4 + rng_below(&c->r, 13));
	c->indent += 4;
	c->loops++;
	int mark = c->nval;
	rs_stmt(c, 1);
	rs_line(c);
	buf_puts(c->b, "if ");
	int v = rs_find(c, RT_FLOAT, 0);
	if (v >= 0) {
		buf_puts(c->b, "wp.abs(");
		if (c->val[v].param && c->sprefix[0])
			buf_puts(c->b, c->sprefix);
		buf_printf(c->b, "%s) < 1.0e-4:\n", c->val[v].name);
	} else
		buf_printf(c->b, "%s > 2:\n", it);
	rs_line(c);
	buf_puts(c->b, "    break\n");
	rs_line(c);
	buf_printf(c->b, "%s += 1\n", it);
	c->nval = mark;
	c->loops--;
	c->indent -= 4;
	c->stmts += 5;
}

void rs_random_values(rctx *c)
{
	char st[RS_NAME], nm[RS_NAME];
	rs_fresh(c, "state", st);
	snprintf(c->rstate, sizeof c->rstate, "%s", st); /* style_bridge.c draws from it too */
	rs_line(c);
	if (c->ntid)
		buf_printf(c->b, "%s = wp.rand_init(%sseed, %s)\n", st, c->sprefix, c->tid[c->ntid - 1]);
	else
		buf_printf(c->b, "%s = wp.rand_init(%sseed)\n", st, c->sprefix);
	rs_line(c);
	switch (rng_below(&c->r, 8)) {
	case 7: { /* a 2-D sample's distance from the origin */
		static const char *const s2[] = {"sample_unit_disk", "sample_unit_ring", "sample_unit_square",
						 "sample_triangle", NULL};
		buf_printf(c->b, "%s = wp.length(wp.%s(%s))\n", rs_fresh(c, "r", nm), PICK(s2), st);
		rs_add_val(c, nm, RT_FLOAT, 1);
		break;
	}
	case 4: {
		static const char *const smp[] = {"sample_unit_sphere", "sample_unit_cube",
						  "sample_unit_hemisphere", NULL};
		buf_printf(c->b, "%s = wp.%s(%s)\n", rs_fresh(c, "p", nm), PICK(smp), st);
		rs_add_val(c, nm, RT_VEC3, 1);
		break;
	}
	case 5: {
		int v = rs_find(c, RT_FLOAT, 0);
		buf_printf(c->b, "%s = wp.noise(%s, ", rs_fresh(c, "n", nm), st);
		if (v >= 0)
			buf_printf(c->b, "%s%s)\n", c->val[v].param ? c->sprefix : "", c->val[v].name);
		else
			buf_puts(c->b, "0.5)\n");
		rs_add_val(c, nm, RT_FLOAT, 1);
		break;
	}
	case 0:
		buf_printf(c->b, "%s = wp.randf(%s)\n", rs_fresh(c, "u", nm), st);
		rs_add_val(c, nm, RT_FLOAT, 1);
		break;
	case 1:
		buf_printf(c->b, "%s = wp.randn(%s)\n", rs_fresh(c, "noise", nm), st);
		rs_add_val(c, nm, RT_FLOAT, 1);
		break;
	case 2:
		buf_printf(c->b, "%s = wp.sample_unit_sphere_surface(%s)\n", rs_fresh(c, "dir", nm), st);
		rs_add_val(c, nm, RT_VEC3, 1);
		break;
	default:
		buf_printf(c->b, "%s = wp.randf(%s, -1.0, 1.0)\n", rs_fresh(c, "jitter", nm), st);
		rs_add_val(c, nm, RT_FLOAT, 1);
	}
	c->stmts += 2;
	for (int i = 0; i < c->narr; i++) /* a draw from a tabulated distribution */
		if (c->arr[i].role == RR_IN && c->arr[i].t == RT_FLOAT && rng_chance(&c->r, 0.2)) {
			rs_line(c);
			buf_printf(c->b, "%s = wp.sample_cdf(%s, %s)\n", rs_fresh(c, "bin", nm), st, c->arr[i].name);
			rs_add_val(c, nm, RT_INT, 1);
			c->arr[i].used = 1;
			c->stmts++;
			break;
		}
}

void rs_comment(rctx *c)
{
	static const char *const cs[] = {"# semi-implicit Euler update",
					 "# clamp to the valid range",
					 "# accumulate the contribution",
					 "# relative position",
					 "# transform to world space",
					 "# damping",
					 "# skip inactive entries",
					 "# write back",
					 "# normal and tangential parts",
					 "# TODO: handle the degenerate case",
					 NULL};
	rs_line(c);
	buf_printf(c->b, "%s\n", PICK(cs));
}

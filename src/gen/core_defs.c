/* core_defs: the cores of the categories that build on definitions above
 * the kernel (written by defs.c): struct (an array of @wp.struct values
 * and/or a struct parameter, their fields read and written) and func (calls
 * of the module's @wp.func helpers, tuple results unpacked). */
#include "gen/core.h"

#include <stdio.h>
#include <string.h>

#include "gen/defs.h"
#include "gen/expr.h"
#include "gen/stmt.h"

/* The struct category's state between its setup and core. */
typedef struct sdef {
	wty ft[6], it[4];
	const char *fn[6], *in[4];
	int nf, ni, arr, par, nest;
	char var[8];
	const char *afield; /* the parameter struct's array field, or NULL */
} sdef;

static _Thread_local sdef S;

/* Makes the fields of the struct value `base` visible as "<base>.<field>"
 * variables (and "<base>.props.<field>" for a nested struct); par: those of
 * the parameter struct. */
static void register_fields(gen_ctx *c, const char *base, const sdef *s, unsigned flags, int par)
{
	char nm[64]; /* fields and bases are short: fits GEN_NAME */
	int nf = par ? s->ni : s->nf;
	for (int i = 0; i < nf; i++) {
		snprintf(nm, sizeof nm, "%s.%s", base, par ? s->in[i] : s->fn[i]);
		gen_var_add(c, nm, par ? s->it[i] : s->ft[i], flags);
	}
	if (!par && s->nest)
		for (int i = 0; i < s->ni; i++) {
			snprintf(nm, sizeof nm, "%s.props.%s", base, s->in[i]);
			gen_var_add(c, nm, s->it[i], flags);
		}
}

/* phase 0: struct types, an array of them and/or a struct parameter (whose
 * type may hold an array field).
 * phase 1: `p = parts[tid]` and the fields as variables; the array field's
 * element at tid. */
void gen_setup_struct(gen_ctx *c, int phase)
{
	static const char *const outer[] = {"Particle", "Body", "Cell", "Agent", "Sample"};
	static const char *const inner[] = {"Props", "Material", "Params", "Config"};
	rng *r = &c->r;
	sdef *s = &S;
	if (phase == 0) {
		memset(s, 0, sizeof *s);
		int mode = (int)rng_below(r, 3); /* 0 array, 1 param, 2 both */
		const char *in = inner[rng_below(r, 4)], *out = outer[rng_below(r, 5)];
		int nest = mode != 1 && rng_chance(r, 0.4);
		static const char *const af[] = {"table", "samples", "lut", "weights_arr"};
		/* an array field only where the struct is a parameter alone: never
		 * an element of an array or nested in one */
		s->afield = mode == 1 && rng_chance(r, 0.5) ? af[rng_below(r, 4)] : NULL;
		if (nest || mode != 0)
			s->ni = gen_struct_def(c, in, NULL, s->it, s->in, 3, s->afield);
		if (mode != 1)
			s->nf = gen_struct_def(c, out, nest ? in : NULL, s->ft, s->fn, 4, NULL);
		s->nest = nest;
		s->arr = mode != 1 && c->narr < GEN_MAX_ARRS;
		s->par = mode != 0;
		if (s->arr) {
			gen_arr *a = &c->arr[c->narr++];
			memmove(c->arr + 1, c->arr, (size_t)(c->narr - 1) * sizeof *a);
			a = &c->arr[0];
			memset(a, 0, sizeof *a);
			snprintf(a->name, sizeof a->name, "%s", rng_chance(r, 0.5) ? "items" : "elems");
			a->sname = out;
			a->ndim = 1;
			a->dtype = WT_ANY;
			c->written <<= 1;
		}
		if (s->par) {
			c->has_sparam = 1;
			snprintf(c->sparam[0], GEN_NAME, "%s", rng_chance(r, 0.5) ? "cfg" : "prm");
			snprintf(c->sparam[1], GEN_NAME, "%s", in);
		}
		for (int i = 0; i < s->nf; i++)
			c->types |= WT_BIT(s->ft[i]);
		for (int i = 0; i < s->ni; i++)
			c->types |= WT_BIT(s->it[i]);
		return;
	}
	if (s->par)
		register_fields(c, c->sparam[0], s, 0, 1);
	if (s->afield) {
		gen_var *v = gen_decl_start(c, "tv", WT_F32);
		if (v) {
			buf_printf(c->b, "%s.%s[%s]\n", c->sparam[0], s->afield, c->tid[0]);
			gen_decl_finish(v, WT_F32);
		}
	}
	if (s->arr) {
		snprintf(s->var, sizeof s->var, "%s", rng_chance(r, 0.5) ? "p" : "e");
		gen_line(c);
		buf_printf(c->b, "%s = %s[%s]\n", s->var, c->arr[0].name, c->tid[0]);
		register_fields(c, s->var, s, VAR_MUT, 0);
	}
}

/* struct = p.f = e (one or two fields) NEWLINE [n = Name() NEWLINE n.f = e ...]
 *          NEWLINE items[tid] = p | n    and a float32 result from fields */
const gen_var *gen_core_struct(gen_ctx *c)
{
	rng *r = &c->r;
	sdef *s = &S;
	if (s->arr) {
		const char *src = s->var;
		char nm[64];
		if (rng_chance(r, 0.3)) {
			/* a fresh struct value, every field set */
			gen_line(c);
			buf_printf(c->b, "n_ = %s()\n", c->arr[0].sname);
			for (int i = 0; i < s->nf; i++) {
				gen_line(c);
				buf_printf(c->b, "n_.%s = ", s->fn[i]);
				c->top = 1;
				gen_op(c, s->ft[i], gen_depth(c));
				gen_put(c, "\n");
			}
			src = "n_";
		} else {
			for (int k = rng_range(r, 1, 2), i = 0; i < k && i < s->nf; i++) {
				int f = (int)rng_below(r, (uint32_t)s->nf);
				snprintf(nm, sizeof nm, "%s.%s", s->var, s->fn[f]);
				for (int j = 0; j < c->nvar; j++)
					if (!strcmp(c->var[j].name, nm))
						gen_assign(c, &c->var[j]);
			}
		}
		gen_line(c);
		buf_printf(c->b, "%s[%s] = %s\n", c->arr[0].name, c->tid[0], src);
	}
	if (s->afield && rng_chance(r, 0.4)) {
		gen_line(c);
		buf_printf(c->b, "%s.%s[%s] = ", c->sparam[0], s->afield, c->tid[0]);
		gen_top(c, WT_F32, gen_depth(c));
		gen_put(c, "\n");
	}
	return gen_result(c);
}

/* phase 0: one to three helpers, later ones may call earlier ones or
 * overload the one before. */
void gen_setup_func(gen_ctx *c, int phase)
{
	rng *r = &c->r;
	if (phase != 0)
		return;
	wtyset args = (c->types & (WT_SCALARS | WT_VECS)) | WT_BIT(WT_F32);
	int n = rng_range(r, 1, GEN_MAX_FNS);
	for (int i = 0; i < n; i++) {
		int two = rng_chance(r, 0.2);
		wty ret = two ? WT_F32 : rng_chance(r, 0.3) ? wty_pick(r, args) : WT_F32;
		/* an overload of the previous helper, unless that one is itself an
		 * overload (a third definition could repeat the first's types) */
		const gen_fn *twin = i > 0 && rng_chance(r, 0.35) && (i < 2 || strcmp(c->fn[i - 1].name, c->fn[i - 2].name))
		                         ? &c->fn[i - 1] : NULL;
		c->nfn = i + 1;
		gen_helper(c, &c->fn[i], args, ret, two ? 2 : 1, twin);
	}
}

// func = r = helper(e, ...) | a, b = helper(e, ...)   (for each helper, last first)
const gen_var *gen_core_func(gen_ctx *c)
{
	static const char *const b2[] = {"lo", "hi"};
	const gen_var *last = NULL;
	for (int i = c->nfn - 1; i >= 0; i--) {
		const gen_fn *f = &c->fn[i];
		gen_var *v[2];
		if (f->nret == 2) {
			gen_unpack_start(c, v, b2, 2);
		} else {
			v[0] = gen_decl_start(c, NULL, f->ret[0]);
			if (!v[0])
				return last;
		}
		buf_printf(c->b, "%s(", f->name);
		for (int k = 0; k < f->nargs; k++) {
			if (k)
				gen_put(c, ", ");
			c->top = 1;
			gen_sub(c, f->arg[k], gen_depth(c), 1);
		}
		gen_put(c, ")\n");
		gen_unpack_finish(v, f->ret, f->nret);
		last = v[0];
	}
	return last;
}

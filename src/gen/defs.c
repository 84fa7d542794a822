/* defs: the definitions written above the kernel. @wp.func helpers: typed
 * parameters, statements, early returns, tuple returns, overloads by type (a
 * helper defined again under the same name with other parameter types),
 * calls of earlier helpers only. No recursion: Warp 1.19's code generator
 * recurses without end on a helper that calls itself (RecursionError), so
 * call chains are bounded by the helper count instead. @wp.struct classes:
 * typed fields, a nested struct, an array field. The kernels that use them
 * are core_defs.c's. */
#include "gen/defs.h"

#include <stdio.h>
#include <string.h>

#include "gen/expr.h"
#include "gen/stmt.h"

/* Parameter names by type; helpers never use i..p (loop counters). */
static const char *arg_name(gen_ctx *c, wty t, int k)
{
	static const char *const fs[] = {"x", "y", "z", "s", "h", "r"};
	static const char *const vs[] = {"v", "d", "u", "dir"};
	static const char *const ms[] = {"A", "B", "M"};
	(void)c;
	if (wty_is_scalar(t) && t != WT_I32)
		return fs[k % 6];
	if (t == WT_I32)
		return k == 0 ? "idx" : "cnt";
	if (wty_is_vec(t))
		return vs[k % 4];
	if (wty_is_mat(t))
		return ms[k % 3];
	return t == WT_QUAT ? (k ? "q2" : "q") : t == WT_XFORM ? "xf" : "sv";
}

/* An overload of twin: its name and parameter count, one parameter of
 * another type from argtypes (Warp picks the overload by the argument
 * types). 0 when argtypes offers no other type for any parameter. */
static int overload_of(gen_ctx *c, gen_fn *f, const gen_fn *twin, wtyset argtypes)
{
	int k = rng_range(&c->r, 1, twin->nargs - 1);
	wtyset other = argtypes & (WT_SCALARS | WT_VECS) & ~WT_BIT(twin->arg[k]) & ~WT_BIT(WT_I32);
	if (twin->nargs < 2 || !other)
		return 0;
	snprintf(f->name, sizeof f->name, "%s", twin->name);
	f->nargs = twin->nargs;
	memcpy(f->arg, twin->arg, sizeof f->arg);
	f->arg[k] = wty_pick(&c->r, other);
	return 1;
}

/* helper = "@wp.func" NEWLINE "def" name "(" (arg ":" type)+ ")" ["->" type] ":"
 *          stmt* ["if" cond ":" "return" e] "return" e ("," e)?
 * One int parameter always comes first: it stands in for tid in
 * conditions. The body sees only its parameters and the helpers before it.
 * twin: NULL, or an earlier helper this one overloads (when it can). */
void gen_helper(gen_ctx *c, gen_fn *f, wtyset argtypes, wty ret, int nret, const gen_fn *twin)
{
	static const char *const names[] = {"helper", "compute", "evaluate", "blend", "energy", "falloff",
	                                    "shade", "smooth", "potential", "response", "weight", "kernel_fn"};
	rng *r = &c->r;
	int self = (int)(f - c->fn);
	int twin_ok = twin && overload_of(c, f, twin, argtypes);
	for (; !twin_ok;) {
		snprintf(f->name, sizeof f->name, "%s", names[rng_below(r, 12)]);
		int dup = 0;
		for (int i = 0; i < self; i++)
			dup |= strcmp(c->fn[i].name, f->name) == 0;
		if (!dup)
			break;
	}
	if (!twin_ok) {
		f->nargs = rng_range(r, 2, GEN_FN_ARGS);
		f->arg[0] = WT_I32;
		for (int i = 1; i < f->nargs; i++)
			f->arg[i] = rng_chance(r, 0.5) ? WT_F32 : wty_pick(r, argtypes);
	}
	f->ret[0] = ret;
	f->ret[1] = WT_F32;
	f->nret = nret;

	/* the kernel's state, set aside: a helper has no arrays, no tid and none
	 * of the kernel's scalar parameters (a loop bound must not name one) */
	int narr = c->narr, nscalar = c->nscalar, nfn = c->nfn, indent = c->indent, nest = c->nest, loops = c->loops;
	wtyset types = c->types;
	unsigned feat = c->feat;
	const char *tid0 = c->tid[0], *rstate = c->rstate;
	int mark = c->nvar;
	c->narr = 0;
	c->nscalar = 0;
	c->nfn = self;
	c->feat &= ~(unsigned)(FE_NEIGHBOR | FE_RAND);
	c->rstate = NULL;
	c->types = WT_BIT(WT_F32) | WT_BIT(ret);

	buf_printf(c->b, "@wp.func\ndef %s(", f->name);
	int nf = 0, nv = 0;
	for (int i = 0; i < f->nargs; i++) {
		wty t = f->arg[i];
		const char *nm = arg_name(c, t, t == WT_I32 ? i : wty_is_scalar(t) ? nf++ : nv++);
		char nmb[GEN_NAME];
		snprintf(nmb, sizeof nmb, "%s", nm);
		for (int j = mark; j < c->nvar; j++)
			if (strcmp(c->var[j].name, nmb) == 0)
				snprintf(nmb, sizeof nmb, "%s%c", nm, "abcd"[i]);
		buf_printf(c->b, "%s%s: %s", i ? ", " : "", nmb, wty_spell(t, r));
		gen_var *v = gen_var_add(c, nmb, t, 0);
		if (i == 0)
			c->tid[0] = v->name;
		c->types |= WT_BIT(t);
	}
	if (nret == 1 && rng_chance(r, 0.7))
		buf_printf(c->b, ") -> %s:\n", wty_spell(ret, r));
	else
		gen_put(c, "):\n");
	c->indent = 4;
	c->nest = 0;
	c->loops = 0;
	c->budget = rng_range(r, 1, 4);
	if (c->max_stmts > 0 && c->budget > c->max_stmts)
		c->budget = c->max_stmts;
	while (c->budget > 0)
		gen_stmt(c);
	int early = rng_chance(r, 0.35);
	for (int k = early ? 0 : 1; k < 2; k++) {
		if (k == 0) {
			gen_line(c);
			gen_put(c, "if ");
			gen_cond(c, rng_range(r, 1, 2));
			gen_put(c, ":\n");
			c->indent += 4;
		}
		for (int i = 0; i < nret; i++) {
			if (i == 0) {
				gen_line(c);
				gen_put(c, "return ");
			} else {
				gen_put(c, ", ");
			}
			gen_top(c, f->ret[i], gen_depth(c));
		}
		gen_put(c, "\n");
		if (k == 0)
			c->indent -= 4;
	}
	gen_put(c, "\n\n");

	c->nvar = mark;
	c->narr = narr;
	c->nscalar = nscalar;
	c->nfn = nfn;
	c->indent = indent;
	c->nest = nest;
	c->loops = loops;
	c->types = types;
	c->feat = feat;
	c->tid[0] = tid0;
	c->rstate = rstate;
}

/* A field name of type t not yet in *used (then marked), or NULL when 64
 * draws found none. */
static const char *field_name(rng *r, wty t, unsigned *used)
{
	static const char *const f[] = {"mass", "radius", "weight", "energy", "pos", "vel", "force", "dir",
	                                "count", "flags", "rot", "uv", "inertia", "temp", "color", "level"};
	static const wty ft[] = {WT_F32, WT_F32, WT_F32, WT_F32, WT_V3, WT_V3, WT_V3, WT_V3,
	                         WT_I32, WT_I32, WT_QUAT, WT_V2, WT_M33, WT_F32, WT_V3, WT_I32};
	for (int tries = 0; tries < 64; tries++) {
		int k = (int)rng_below(r, 16);
		if (ft[k] == t && !(*used & (1u << k))) {
			*used |= 1u << k;
			return f[k];
		}
	}
	return NULL;
}

/* struct = "@wp.struct" NEWLINE "class" Name ":" (field ":" type)+
 * 2..max random fields, their types and names put in ft and fn; returns
 * their count. inner: a struct type to nest as a field, or NULL; afield:
 * the name of a float array field (as long as the launch, like every
 * array), or NULL. */
int gen_struct_def(gen_ctx *c, const char *name, const char *inner, wty *ft, const char **fn, int max,
                   const char *afield)
{
	static const wty pool[] = {WT_F32, WT_F32, WT_V3, WT_V3, WT_I32, WT_QUAT, WT_V2, WT_M33};
	rng *r = &c->r;
	unsigned used = 0;
	int n = 0;
	buf_printf(c->b, "@wp.struct\nclass %s:\n", name);
	for (int k = rng_range(r, 2, max); n < k;) {
		wty t = pool[rng_below(r, n == 0 ? 4 : 8)];
		const char *f = field_name(r, t, &used);
		if (!f)
			continue;
		buf_printf(c->b, "    %s: %s\n", f, wty_spell(t, r));
		ft[n] = t;
		fn[n++] = f;
	}
	if (inner)
		buf_printf(c->b, "    props: %s\n", inner);
	if (afield)
		buf_printf(c->b, "    %s: wp.array(dtype=float)\n", afield);
	gen_put(c, "\n\n");
	return n;
}

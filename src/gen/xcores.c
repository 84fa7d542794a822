/* xcores: the defining constructs of the profiles beyond the seed 11
 * (matrix, transform, struct, func, random, bitwise, while_break, multi_dim)
 * and their setups: struct/helper definitions, the random state, 2D/3D tids. */
#include "gen/ctx.h"

#include <stdio.h>
#include <string.h>

/* name "=" expr of type t, declared; NULL when the table is full. */
static const gen_var *decl(gen_ctx *c, const char *base, wty t) { return gen_decl(c, base, t); }

/* Declares names[0..n) of types ts as locals after `a, b = ...` is written. */
static void decl_many(gen_ctx *c, gen_var **out, const char *const *bases, const wty *ts, int n)
{
	for (int i = 0; i < n; i++)
		out[i] = gen_var_add(c, bases[i], WT_ANY, VAR_LOCAL);
	gen_line(c);
	for (int i = 0; i < n; i++)
		buf_printf(c->b, "%s%s", i ? ", " : "", out[i] ? out[i]->name : "_");
	gen_put(c, " = ");
	(void)ts;
}

static void finish_many(gen_var **v, const wty *ts, int n)
{
	for (int i = 0; i < n; i++)
		if (v[i])
			gen_decl_finish(v[i], ts[i]);
}

/* A float32 result from the locals made so far (the value to store). */
static const gen_var *reduce(gen_ctx *c)
{
	gen_var *s = gen_decl_start(c, NULL, WT_F32);
	if (!s)
		return NULL;
	c->top = 1;
	gen_op(c, WT_F32, gen_depth(c) + 1);
	gen_put(c, "\n");
	gen_decl_finish(s, WT_F32);
	return s;
}

// matrix = m = mop NEWLINE [U, s, V = wp.svd3(m) | Q, R = wp.qr3(m) | E, d = wp.eig3(m + m^T)] NEWLINE r = e
const gen_var *gen_core_matrix(gen_ctx *c)
{
	rng *r = &c->r;
	wty mt = wty_mat(rng_range(r, 2, 4));
	if (rng_chance(r, 0.5))
		mt = WT_M33;
	c->types |= WT_BIT(mt) | WT_BIT(wty_vec(wty_dim(mt)));
	const gen_var *m = decl(c, NULL, mt);
	if (rng_chance(r, 0.5))
		m = decl(c, NULL, mt);
	if (m && mt == WT_M33 && rng_chance(r, 0.45)) {
		static const char *const b3[] = {"U", "sigma", "V"}, *const bq[] = {"Q", "R"}, *const be[] = {"evecs", "evals"};
		static const wty t3[] = {WT_M33, WT_V3, WT_M33}, tq[] = {WT_M33, WT_M33}, te[] = {WT_M33, WT_V3};
		gen_var *v[3];
		switch (rng_below(r, 3)) {
		case 0:
			decl_many(c, v, b3, t3, 3);
			buf_printf(c->b, "wp.svd3(%s)\n", m->name);
			finish_many(v, t3, 3);
			break;
		case 1:
			decl_many(c, v, bq, tq, 2);
			buf_printf(c->b, "wp.qr3(%s)\n", m->name);
			finish_many(v, tq, 2);
			break;
		default:
			decl_many(c, v, be, te, 2);
			buf_printf(c->b, "wp.eig3(%s + wp.transpose(%s))\n", m->name, m->name);
			finish_many(v, te, 2);
			break;
		}
	}
	if (rng_chance(r, 0.5))
		return decl(c, NULL, wty_vec(wty_dim(mt)));
	return reduce(c);
}

// transform = q = qop NEWLINE xf = wp.transform(v, q) NEWLINE p = wp.transform_point(xf, v) ...
const gen_var *gen_core_transform(gen_ctx *c)
{
	rng *r = &c->r;
	c->types |= WT_BIT(WT_V3) | WT_BIT(WT_QUAT) | WT_BIT(WT_XFORM);
	if (rng_chance(r, 0.4))
		c->types |= WT_BIT(WT_SPATIAL);
	decl(c, NULL, WT_QUAT);
	decl(c, NULL, WT_XFORM);
	if (rng_chance(r, 0.4))
		decl(c, NULL, WT_SPATIAL);
	gen_var *p = gen_decl_start(c, NULL, WT_V3);
	if (!p)
		return NULL;
	gen_put(c, rng_chance(r, 0.5) ? "wp.transform_point(" : "wp.transform_vector(");
	c->top = 1;
	gen_sub(c, WT_XFORM, 1, 1);
	gen_put(c, ", ");
	c->top = 1;
	gen_sub(c, WT_V3, gen_depth(c), 1);
	gen_put(c, ")\n");
	gen_decl_finish(p, WT_V3);
	return rng_chance(r, 0.5) ? p : reduce(c);
}

/* Field names by type, and struct type names. */
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
 * Registers "<var>.<field>" names for the fields (prefix is "p." etc).
 * inner: a struct type to nest as a field, or NULL; afield: the name of a
 * float array field (as long as the launch, like every array), or NULL. */
static int gen_struct_def(gen_ctx *c, const char *name, const char *inner, wty *ft, const char **fn, int max,
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

/* The struct profile's state between its setup and core. */
typedef struct sdef {
	wty ft[6], it[4];
	const char *fn[6], *in[4];
	int nf, ni, arr, par, nest;
	char var[8];
	const char *afield; /* the parameter struct's array field, or NULL */
} sdef;

static _Thread_local sdef S;

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
	return reduce(c);
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
			decl_many(c, v, b2, f->ret, 2);
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
		finish_many(v, f->ret, f->nret);
		last = v[0];
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

/* while_break = cnt = int(0) NEWLINE
 *     ("while" cnt "<" K ":" | "while True:" ... "if" cnt ">" K ":" "break")
 *     cnt += 1 NEWLINE [stmt] "if" cond ":" "continue" accum ["if" cond ":" "break"]
 *   | for_head ":" stmt* "if" cond ":" "break" accum
 * The counter steps first, so `continue` never skips it: at most K trips. */
const gen_var *gen_core_while(gen_ctx *c)
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

/* phase 0: every array becomes 2D (or 3D, 4D) with the launch's shape;
 * the thread index is `i, j = wp.tid()` (or row, col / i, j, k / i, j, k, l). */
void gen_setup_grid(gen_ctx *c, int phase)
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
const gen_var *gen_core_grid(gen_ctx *c)
{
	rng *r = &c->r;
	wty t = gen_work_type(c);
	const gen_arr *a = gen_arr_pick(c, t, 0);
	if (!a || t == WT_I32)
		return reduce(c);
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
	return rng_chance(r, 0.5) ? s : reduce(c);
}

/* gen: the driver. Maps a kernel index to its category (exactly balanced
 * per block), its unique name and its parameters, then writes the module:
 * import, decorator, signature, `tid = wp.tid()`, body, final stores. */
#include "gen/gen.h"

#include <stdio.h>
#include <string.h>

#include "gen/ctx.h"
#include "gen/expr.h"
#include "gen/profiles.h"
#include "gen/stmt.h"
#include "gen/style.h"

/* Salts keep the independent random choices about one index apart. */
enum {
	SALT_CATEGORY = 0x63617465,
	SALT_NAME = 0x6e616d65,
	SALT_BODY = 0x626f6479,
};

const char *const gen_stmt_names[GEN_STMT_KINDS] = {
	"decl", "assign", "aug", "store", "atomic", "if", "for", "while", "jump",
};

const char *gen_category_name(gen_category c)
{
	return (unsigned)c < GEN_CATEGORY_COUNT ? gen_profile_get(c)->name : "unknown";
}

const char *gen_style_name(gen_style s) { return s == GEN_STYLE_REALISTIC ? "realistic" : "synthetic"; }

int gen_style_from_name(const char *name)
{
	if (name && !strcmp(name, "synthetic"))
		return GEN_STYLE_SYNTHETIC;
	if (name && !strcmp(name, "realistic"))
		return GEN_STYLE_REALISTIC;
	return -1;
}

int gen_category_from_name(const char *name)
{
	for (int c = 0; c < GEN_CATEGORY_COUNT; c++)
		if (name && strcmp(name, gen_profile_get((gen_category)c)->name) == 0)
			return c;
	return -1;
}

/* Block b = index / K holds indices [bK, bK + K); a Fisher-Yates shuffle of
 * the enabled categories seeded by (seed, b) gives each its slot, so every
 * block contains each category exactly once and the order still varies. */
static gen_category pick_category(const gen_options *opt, uint64_t index)
{
	uint32_t mask = opt->categories & GEN_ALL_MASK;
	if (!mask)
		mask = GEN_SEED_MASK;
	int cats[GEN_CATEGORY_COUNT], k = 0;
	for (int c = 0; c < GEN_CATEGORY_COUNT; c++)
		if (mask & (1u << c))
			cats[k++] = c;
	rng r;
	rng_init(&r, opt->seed, index / (uint64_t)k, SALT_CATEGORY);
	for (int i = k - 1; i > 0; i--) {
		int j = (int)rng_below(&r, (uint32_t)i + 1);
		int t = cats[i];
		cats[i] = cats[j];
		cats[j] = t;
	}
	return (gen_category)cats[index % (uint64_t)k];
}

/* name = prefix "_" tag base36(index). The tag has exactly 4 characters, so
 * everything after it is base36(index) and the name decodes back to the
 * index: distinct indices can never share a name, whatever the tags. The
 * tag only makes names look less sequential. */
void gen_kernel_name(const gen_options *opt, uint64_t index, const char *prefix, char *out, size_t cap)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	rng r;
	rng_init(&r, opt->seed, index, SALT_NAME);
	char tag[5], num[16];
	for (int i = 0; i < 4; i++)
		tag[i] = digits[rng_below(&r, 36)];
	tag[4] = '\0';
	int n = 0;
	uint64_t v = index;
	do {
		num[n++] = digits[v % 36];
		v /= 36;
	} while (v);
	char rev[16];
	for (int i = 0; i < n; i++)
		rev[i] = num[n - 1 - i];
	rev[n] = '\0';
	snprintf(out, cap, "%s_%s%s", prefix, tag, rev);
}

/* Picks a name from pool that no parameter has yet (pools are larger than
 * the 5 parameters a kernel can have, so this ends). */
static const char *fresh_param(gen_ctx *c, const char *const *pool, int n)
{
	for (;;) {
		const char *s = pool[rng_below(&c->r, (uint32_t)n)];
		int used = 0;
		for (int i = 0; i < c->narr; i++)
			used |= strcmp(c->arr[i].name, s) == 0;
		for (int i = 0; i < c->nscalar; i++)
			used |= strcmp(c->scalar[i].name, s) == 0;
		if (!used)
			return s;
	}
}

#define NPOOL(p) ((int)(sizeof p / sizeof *p))

/* Array and scalar parameters. Arguments 1..5, outputs last; a kernel with
 * a single array updates it in place. The element types favour one main
 * type so most kernels need no conversions; all of them become local types. */
static void gen_params(gen_ctx *c)
{
	static const char *const ins[] = {"a", "b", "c", "x", "y", "src", "data", "vals", "inp", "weights",
	                                  "coeffs", "u", "values", "field", "grid", "signal"};
	static const char *const vins[] = {"pos", "vel", "points", "dirs", "normals", "forces", "a", "b", "verts"};
	static const char *const outs[] = {"out", "result", "dst", "res", "output", "y_out", "accum", "dest"};
	static const char *const fsc[] = {"alpha", "beta", "gamma", "scale", "offset", "factor", "bias", "dt",
	                                  "gain", "eps", "threshold", "s", "w", "damping"};
	static const char *const isc[] = {"n", "count", "steps", "iters", "stride", "mode", "num", "width"};
	const gen_profile *p = c->p;
	rng *r = &c->r;
	int nargs = rng_range(r, p->args.min, p->args.max);
	int smax = p->scalars.max < nargs - 1 ? p->scalars.max : nargs - 1;
	int nsc = p->scalars.min > smax ? smax : rng_range(r, p->scalars.min, smax);
	c->narr = nargs - nsc;
	int nout = c->narr >= 3 && rng_chance(r, 0.3) ? 2 : 1;
	wty main = wty_pick(r, p->dtypes & (WT_SCALARS | WT_VECS));
	if (p->dtypes & WT_VECS && rng_chance(r, 0.5))
		main = wty_pick(r, p->dtypes & WT_VECS);
	else if (p->dtypes & WT_BIT(WT_F32) && rng_chance(r, 0.5))
		main = WT_F32; /* float32 dominates real kernels */
	c->types = 0;
	int narr = c->narr;
	c->narr = 0;
	for (int i = 0; i < narr; i++) {
		gen_arr *a = &c->arr[i];
		a->dtype = rng_chance(r, 0.75) ? main : wty_pick(r, p->dtypes);
		a->ndim = 1;
		a->sname = NULL;
		a->out = i >= narr - nout;
		a->in = !a->out || narr == 1 || rng_chance(r, 0.2);
		const char *nm = a->out ? fresh_param(c, outs, NPOOL(outs))
		                 : wty_is_vec(a->dtype) ? fresh_param(c, vins, NPOOL(vins))
		                                        : fresh_param(c, ins, NPOOL(ins));
		snprintf(a->name, sizeof a->name, "%s", nm);
		c->narr = i + 1;
		c->types |= WT_BIT(a->dtype);
	}
	for (int i = 0; i < nsc; i++) {
		gen_var *v = &c->scalar[i];
		int k = (int)rng_below(r, 10);
		v->type = k < 6 ? WT_F32 : k < 9 ? WT_I32 : WT_F64;
		v->flags = 0;
		const char *nm = v->type == WT_I32 ? fresh_param(c, isc, NPOOL(isc)) : fresh_param(c, fsc, NPOOL(fsc));
		snprintf(v->name, sizeof v->name, "%s", nm);
		c->nscalar = i + 1;
		c->types |= WT_BIT(v->type);
	}
	/* vector kernels compute with float32 and, sometimes, matrices/quats */
	if (p->feat & FE_VEC) {
		wty vt = gen_vec_type(c);
		c->types |= WT_BIT(WT_F32) | WT_BIT(vt);
		if (rng_chance(r, 0.3))
			c->types |= WT_BIT(wty_mat(wty_dim(vt)));
		if (rng_chance(r, 0.2))
			c->types |= WT_BIT(WT_QUAT) | WT_BIT(WT_V3);
	}
}

static void put_array_param(gen_ctx *c, const gen_arr *a)
{
	const char *spell = a->sname ? a->sname : wty_spell(a->dtype, &c->r);
	if (strchr(spell, '(')) { /* a whole annotation: wp.indexedarray(dtype=float) */
		buf_printf(c->b, "%s: %s", a->name, spell);
		return;
	}
	if (a->ndim > 1) {
		if (rng_chance(&c->r, 0.7))
			buf_printf(c->b, "%s: wp.array%dd(dtype=%s)", a->name, a->ndim, spell);
		else
			buf_printf(c->b, "%s: wp.array(dtype=%s, ndim=%d)", a->name, spell, a->ndim);
		return;
	}
	if (rng_chance(&c->r, 0.1))
		buf_printf(c->b, "%s: wp.array1d(dtype=%s)", a->name, spell);
	else
		buf_printf(c->b, "%s: wp.array(dtype=%s)", a->name, spell);
}

// signature = "def" name "(" inputs, scalars, outputs ")" ":"   (scalars sometimes last)
static void gen_signature(gen_ctx *c, const char *name)
{
	buf_printf(c->b, "@wp.kernel\ndef %s(", name);
	int scalars_last = rng_chance(&c->r, 0.25);
	int first = 1;
	for (int pass = 0; pass < 3; pass++) {
		int what = pass == 1 ? (scalars_last ? 2 : 1) : pass == 2 ? (scalars_last ? 1 : 2) : 0;
		if (what == 1) {
			if (c->has_sparam) {
				buf_printf(c->b, "%s%s: %s", first ? "" : ", ", c->sparam[0], c->sparam[1]);
				first = 0;
			}
			for (int i = 0; i < c->nscalar; i++) {
				buf_printf(c->b, "%s%s: %s", first ? "" : ", ", c->scalar[i].name,
				           wty_spell(c->scalar[i].type, &c->r));
				first = 0;
			}
			continue;
		}
		for (int i = 0; i < c->narr; i++) {
			if ((what == 0) != !c->arr[i].out)
				continue;
			if (!first)
				buf_puts(c->b, ", ");
			put_array_param(c, &c->arr[i]);
			first = 0;
		}
	}
	buf_puts(c->b, "):\n");
}

/* The most recently declared local of type t (any type when t is WT_ANY). */
static const gen_var *last_local(gen_ctx *c, wty t)
{
	for (int i = c->nvar - 1; i >= 0; i--)
		if ((c->var[i].flags & VAR_LOCAL) && (c->var[i].flags & VAR_MUT) && (t == WT_ANY || c->var[i].type == t))
			return &c->var[i];
	return NULL;
}

/* Every output array gets written: from the latest local of its type (or
 * any latest local, converted), else from a fresh expression. */
static void gen_final_stores(gen_ctx *c)
{
	for (int i = 0; i < c->narr; i++) {
		const gen_arr *a = &c->arr[i];
		if (!a->out || ((c->written >> i) & 1))
			continue;
		const gen_var *v = last_local(c, a->dtype);
		if (!v)
			v = last_local(c, WT_ANY);
		if (v)
			gen_store_var(c, a, v);
		else
			gen_store(c, a);
	}
}

/* kernel = signature NEWLINE INDENT "tid = wp.tid()" stmt* core stmt* final_store* DEDENT
 * Returns the random statements written (those of the core aside). */
static int gen_kernel_body(gen_ctx *c)
{
	const gen_profile *p = c->p;
	c->indent = 4;
	buf_puts(c->b, "    ");
	for (int d = 0; d < c->ntid; d++) {
		buf_printf(c->b, "%s%s", d ? ", " : "", c->tid[d]);
		gen_var_add(c, c->tid[d], WT_I32, VAR_INDEX);
	}
	buf_puts(c->b, " = wp.tid()\n");
	for (int i = 0; i < c->nscalar; i++)
		c->var[c->nvar++] = c->scalar[i];
	if (p->setup)
		p->setup(c, 1);
	int n = rng_range(&c->r, p->stmts.min, p->stmts.max);
	if (c->max_stmts > 0 && n > c->max_stmts)
		n = c->max_stmts;
	int before = (int)rng_below(&c->r, (uint32_t)n + 1);
	c->budget = before;
	int first = c->nstmt; /* helpers' statements aside too */
	while (c->budget > 0)
		gen_stmt(c);
	int core = c->nstmt;
	const gen_var *res = p->core(c);
	first += c->nstmt - core;
	c->post = res != NULL;
	c->budget = n - before;
	while (c->budget > 0)
		gen_stmt(c);
	if (res) {
		const gen_arr *a = gen_arr_pick(c, res->type, 1);
		gen_store_var(c, a ? a : gen_arr_pick(c, WT_ANY, 1), res);
	}
	gen_final_stores(c);
	return c->nstmt - first;
}

void gen_kernel_make(const gen_options *opt, uint64_t index, gen_kernel *k)
{
	k->category = pick_category(opt, index);
	if (opt->style == GEN_STYLE_REALISTIC) {
		style_real_make(opt, index, k->category, k);
		return;
	}
	const gen_profile *p = gen_profile_get(k->category);
	gen_kernel_name(opt, index, p->prefix, k->name, sizeof k->name);
	buf_reset(&k->source);

	gen_ctx c;
	memset(&c, 0, sizeof c);
	rng_init(&c.r, opt->seed, index, SALT_BODY ^ ((uint64_t)k->category << 32));
	c.b = &k->source;
	c.p = p;
	c.feat = p->feat;
	c.w = p->w;
	if (opt->weights) {
		for (int i = 0; i < ST_COUNT; i++)
			c.wbuf[i] = opt->weights[k->category][i] >= 0 ? (unsigned char)opt->weights[k->category][i] : p->w[i];
		c.w = c.wbuf;
	}
	c.max_depth = opt->max_depth;
	c.max_stmts = opt->max_stmts;
	c.tid[0] = "tid";
	c.ntid = 1;
	buf_puts(c.b, "import warp as wp\n\n");
	gen_params(&c);
	if (p->setup)
		p->setup(&c, 0);
	gen_signature(&c, k->name);
	k->stmts = gen_kernel_body(&c);
}

void gen_kernel_free(gen_kernel *k)
{
	buf_free(&k->source);
}

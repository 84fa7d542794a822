/* style_real: the realistic style's driver (style.h). Draws a domain and
 * the category's flavour, then writes the module: constants, a @wp.struct,
 * a @wp.func helper, and the kernel: signature with parameter roles,
 * docstring, wp.tid(), guard, gathered index, loads, the flavour's
 * construct and random statements, own-element stores and atomic scatters.
 * The shares (guards, helpers, 2-D launches, annotation style, ...) are
 * tuned against Warp's own code with `jitsynth stats --compare`
 * (README.md, "Realism"). */
#include <stdio.h>
#include <string.h>

#include "gen/ctx.h"
#include "gen/style.h"

enum { SALT_REAL = 0x7265616c };

/* The share of quaternion, transform, matrix and linalg kernels that get
 * their category's synthetic core too (style_bridge.c). */
#define RS_CORE_SHARE 0.3

#define PICK(list) (list)[rng_below(&c->r, (uint32_t)count_of(list))]

static int count_of(const char *const *l)
{
	int n = 0;
	while (l[n])
		n++;
	return n;
}

static int nfields(const rdomain *d)
{
	int n = 0;
	while (d->fields[n].name)
		n++;
	return n;
}

static unsigned flavour(gen_category cat)
{
	switch (cat) {
	case GEN_CONDITIONAL:
		return RX_IF;
	case GEN_LOOP:
		return RX_LOOP;
	case GEN_MATH:
		return RX_MATHF;
	case GEN_VECTOR:
		return RX_VEC;
	case GEN_ATOMIC:
		return RX_ATOMIC;
	case GEN_NESTED:
		return RX_NESTED;
	case GEN_MULTI_COND:
		return RX_ELIF;
	case GEN_COMBINED:
		return RX_LOOP | RX_IF | RX_MATHF;
	case GEN_SCALAR_PARAM:
		return RX_SCALARS;
	case GEN_RANDOM_MATH:
		return RX_RAND | RX_MATHF;
	case GEN_MATRIX:
		return RX_MAT;
	case GEN_TRANSFORM:
		return RX_XFORM;
	case GEN_STRUCT:
		return RX_STRUCT;
	case GEN_FUNC:
		return RX_FUNC;
	case GEN_RANDOM:
		return RX_RAND;
	case GEN_BITWISE:
		return RX_BITS;
	case GEN_WHILE_BREAK:
		return RX_WHILE;
	case GEN_MULTI_DIM:
		return RX_2D;
	case GEN_QUATERNION:
		return RX_QUAT;
	case GEN_GEOMETRY:
		return RX_VEC | RX_CORE;
	case GEN_LINALG:
		return RX_MAT;
	case GEN_TILE:
		return RX_CORE;
	default:
		return 0;
	}
}

/* --- parameters --- */

static int name_used(const rctx *c, const char *s)
{
	for (int i = 0; i < c->narr; i++)
		if (!strcmp(c->arr[i].name, s))
			return 1;
	for (int i = 0; i < c->nval; i++)
		if (!strcmp(c->val[i].name, s))
			return 1;
	return 0;
}

static const rfield *field_of(rctx *c, rtype t)
{
	const rfield *f = c->d->fields;
	int n = nfields(c->d), idx[32], k = 0;
	for (int i = 0; i < n && k < 32; i++)
		if (f[i].t == t)
			idx[k++] = i;
	return k ? &f[idx[rng_below(&c->r, (uint32_t)k)]] : NULL;
}

/* A parameter name for field f of the kernel's entity (or another one). */
static void param_name(rctx *c, const rfield *f, rrole role, char *out)
{
	static const char *const sfx[] = {"prev", "rest", "0",	 "init", "world", "local", "target",
					  "a",	  "in",	  "cur", "next", "ref",	  NULL};
	static const char *const outs[] = {"out", "result", "dest", "output", NULL};
	char base[RS_NAME];
	unsigned k = rng_below(&c->r, 100);
	const char *ent = rng_chance(&c->r, 0.8) ? c->entity : PICK(c->d->entities);
	static const char *const shorts[RT_COUNT][6] = {{"a", "b", "s", "w", "y", "val"},
							{"n", "ids", "idx", "k", "labels", "ind"},
							{"x", "v", "p", "f", "a", "b"},
							{"q", "r", "rot", "q0", "q1", "qa"},
							{"X", "tf", "pose", "T", "xform", "X_wb"},
							{"A", "R", "M", "K", "F", "m"}};
	if (role == RR_OUT && k < 12)
		snprintf(base, sizeof base, "%s", PICK(outs));
	else if (k >= 64)
		snprintf(base, sizeof base, "%s", shorts[f->t][rng_below(&c->r, 6)]);
	else if (k < 32)
		snprintf(base, sizeof base, "%s_%s", ent, f->name);
	else
		snprintf(base, sizeof base, "%s", f->name);
	if (role == RR_OUT && k >= 12 && rng_chance(&c->r, 0.4))
		snprintf(out, RS_NAME, "%.28s_%s", base, rng_chance(&c->r, 0.5) ? "out" : "new");
	else if (rng_chance(&c->r, 0.12))
		snprintf(out, RS_NAME, "%.28s_%.8s", base, PICK(sfx));
	else
		snprintf(out, RS_NAME, "%.28s", base);
	for (unsigned n = 2; name_used(c, out) && n < 100; n++)
		snprintf(out, RS_NAME, "%.28s_%c%c", base, n < 10 ? (char)('0' + n) : (char)('0' + n / 10),
			 n < 10 ? '\0' : (char)('0' + n % 10));
}

static rarr *add_array(rctx *c, const rfield *f, rrole role, int ndim)
{
	if (c->narr == RS_MAX_ARRS || !f)
		return NULL;
	rarr *a = &c->arr[c->narr];
	memset(a, 0, sizeof *a);
	param_name(c, f, role, a->name);
	a->t = f->t;
	a->role = role;
	a->ndim = ndim;
	a->local = f->local;
	c->narr++;
	return a;
}

static void add_scalar(rctx *c, const char *name, rtype t)
{
	if (name_used(c, name) || c->nval == RS_MAX_VALS)
		return;
	rs_add_val(c, name, t, 0);
	c->val[c->nval - 1].param = 1;
	c->nparams_scalar = c->nval;
}

static const rfield generic_fields[RT_COUNT] = {
    {"value", RT_FLOAT, "val"}, {"index", RT_INT, "idx"}, {"pos", RT_VEC3, "p"},
    {"rot", RT_QUAT, "q"},	{"pose", RT_XFORM, "X"},  {"mat", RT_MAT33, "A"},
};

static const rfield *field_or_generic(rctx *c, rtype t)
{
	const rfield *f = field_of(c, t);
	return f ? f : &generic_fields[t];
}

static rtype draw_field_type(rctx *c)
{
	if (rng_chance(&c->r, 0.22))
		return RT_INT; /* indices, ids, counts: the most common dtype of real code */
	if (rng_chance(&c->r, 0.45))
		return RT_FLOAT;
	const rfield *f = &c->d->fields[rng_below(&c->r, (uint32_t)nfields(c->d))];
	return f->t;
}

static void draw_params(rctx *c, int ndim)
{
	rng *r = &c->r;
	/* inputs: most kernels read one to three fields, a long tail many */
	static const unsigned char win[] = {44, 40, 7, 3, 2, 1, 1, 1, 1};
	int nin = gen_pick(r, win, 9);
	int nout = rng_chance(r, 0.8) ? 1 : rng_chance(r, 0.5) ? 0 : 2;
	int nacc = (c->feat & RX_ATOMIC) || rng_chance(r, 0.08) ? 1 : 0;
	if (c->ntid == 0 && rng_chance(r, 0.3))
		nout = 0, nacc = 1;
	if (!nout && !nacc)
		nout = 1;
	unsigned need[] = {RX_XFORM, RX_QUAT, RX_MAT};
	rtype needt[] = {RT_XFORM, RT_QUAT, RT_MAT33};
	for (int i = 0; i < 3; i++)
		if (c->feat & need[i]) {
			add_array(c, field_or_generic(c, needt[i]), RR_IN, ndim);
			nin--;
		}
	if (c->feat & RX_VEC) {
		add_array(c, field_or_generic(c, RT_VEC3), RR_IN, ndim);
		nin--;
	}
	for (int i = 0; i < nin; i++)
		add_array(c, field_or_generic(c, draw_field_type(c)), RR_IN, ndim);
	for (int i = 0; i < nout; i++)
		add_array(c, field_or_generic(c, draw_field_type(c)), RR_OUT, ndim);
	int vec_in = 0;
	for (int i = 0; i < c->narr; i++)
		vec_in |= c->arr[i].t == RT_VEC3;
	for (int i = 0; i < nacc; i++) {
		rtype t = vec_in && rng_chance(r, 0.6) ? RT_VEC3 : RT_FLOAT;
		if (c->feat & RX_BITS)
			t = RT_INT; /* flag masks: wp.atomic_or, ... */
		add_array(c, field_or_generic(c, t), RR_ACC, ndim);
	}
	/* named scalars: dt, gravity, ... */
	static const unsigned char wsc[] = {80, 12, 5, 2, 1};
	int nsc = gen_pick(r, wsc, 5) + ((c->feat & RX_SCALARS) ? 2 : 0);
	for (int i = 0; i < nsc; i++) {
		if (rng_chance(r, 0.75))
			add_scalar(c, PICK(c->d->scalars_f), RT_FLOAT);
		else
			add_scalar(c, PICK(c->d->scalars_v), RT_VEC3);
	}
}

static void put_annotation(rctx *c, const rarr *a, int subscript)
{
	const char *dt = style_type_spell(a->t, 1, c->spell);
	if (subscript)
		buf_printf(c->b, "%s: wp.array%s[%s]", a->name, a->ndim == 2 ? "2d" : "", dt);
	else
		buf_printf(c->b, "%s: wp.array%s(dtype=%s)", a->name, a->ndim == 2 ? "2d" : "", dt);
}

static void signature(rctx *c, const char *name, const char *structname)
{
	int subscript = rng_chance(&c->r, 0.85);
	int nparams = c->narr + (structname ? 1 : c->nparams_scalar);
	int multiline = nparams > 3 && rng_chance(&c->r, 0.8);
	buf_printf(c->b, "@wp.kernel\ndef %s(", name);
	const char *sep = multiline ? "\n    " : "";
	int first = 1;
	for (int i = 0; i < c->narr; i++) {
		buf_puts(c->b, first ? sep : multiline ? ",\n    " : ", ");
		put_annotation(c, &c->arr[i], subscript);
		first = 0;
	}
	if (c->geo_id[0]) {
		buf_puts(c->b, first ? sep : multiline ? ",\n    " : ", ");
		buf_printf(c->b, "%s: wp.uint64", c->geo_id);
		first = 0;
	}
	if (c->tex[0]) {
		buf_puts(c->b, first ? sep : multiline ? ",\n    " : ", ");
		buf_printf(c->b, "%s: wp.Texture2D", c->tex);
		first = 0;
	}
	if (structname) {
		buf_puts(c->b, first ? sep : multiline ? ",\n    " : ", ");
		buf_printf(c->b, "params: %s", structname);
		first = 0;
	} else
		for (int i = 0; i < c->nparams_scalar; i++) {
			buf_puts(c->b, first ? sep : multiline ? ",\n    " : ", ");
			buf_printf(c->b, "%s: %s", c->val[i].name,
				   style_type_spell(c->val[i].t, 0, c->spell));
			first = 0;
		}
	buf_puts(c->b, multiline ? ",\n):\n" : "):\n");
}

/* --- the kernel body --- */

static const char *plural(const char *e, char *out)
{
	size_t n = strlen(e);
	if (n > 1 && e[n - 1] == 'y' && !strchr("aeiou", e[n - 2]))
		snprintf(out, RS_NAME, "%.*sies", (int)(n - 1), e);
	else if (!strcmp(e, "vertex"))
		snprintf(out, RS_NAME, "vertices");
	else if (n > 1 && (e[n - 1] == 'h' || e[n - 1] == 'x' || e[n - 1] == 's'))
		snprintf(out, RS_NAME, "%ses", e);
	else
		snprintf(out, RS_NAME, "%ss", e);
	return out;
}

static void tid_line(rctx *c)
{
	static const char *const one[] = {"tid", "tid", "tid", "i", "i", "idx", NULL};
	static const char *const two[][2] = {
	    {"world", "i"}, {"i", "j"}, {"env", "tid"}, {"b", "t"}, {"x", "y"}};
	if (c->ntid == 1) {
		snprintf(c->tid[0], sizeof c->tid[0], "%s", PICK(one));
		if (name_used(c, c->tid[0]))
			snprintf(c->tid[0], sizeof c->tid[0], "thread_id");
	} else if (c->ntid == 2) {
		unsigned k = rng_below(&c->r, 5);
		if (name_used(c, two[k][0]) || name_used(c, two[k][1]))
			k = name_used(c, "world") || name_used(c, "i") ? 2 : 0;
		snprintf(c->tid[0], sizeof c->tid[0], "%s", two[k][0]);
		snprintf(c->tid[1], sizeof c->tid[1], "%s", two[k][1]);
	}
	if (!c->ntid)
		return;
	rs_line(c);
	buf_printf(c->b, c->ntid == 2 ? "%s, %s = wp.tid()\n" : "%s = wp.tid()\n", c->tid[0], c->tid[1]);
	c->stmts++;
}

void style_real_make(const gen_options *opt, uint64_t index, gen_category cat, gen_kernel *k)
{
	rctx cc, *c = &cc;
	memset(c, 0, sizeof *c);
	rng_init(&c->r, opt->seed, index, SALT_REAL ^ ((uint64_t)cat << 32));
	rng sp; /* the spelling's own stream: it changes no other draw */
	rng_init(&sp, opt->seed, index, SALT_REAL ^ ((uint64_t)cat << 32) ^ 0x5be11u);
	c->spell = (rng_chance(&sp, 0.3) ? RS_SPELL_ARR_F32 : 0) |
		   (rng_chance(&sp, 0.6) ? RS_SPELL_ARR_INT : 0) |
		   (rng_chance(&sp, 0.08) ? RS_SPELL_F32 : 0) | (rng_chance(&sp, 0.03) ? RS_SPELL_I32 : 0);
	c->b = &k->source;
	c->cat = cat;
	c->d = &style_domains[rng_below(&c->r, (uint32_t)style_ndomains)];
	const char *const *ents = c->d->entities;
	c->entity = ents[rng_below(&c->r, (uint32_t)count_of(ents))];
	c->feat = flavour(cat);
	if (rng_chance(&c->r, 0.12))
		c->feat |= RX_FUNC;
	if (rng_chance(&c->r, 0.06))
		c->feat |= RX_STRUCT;
	if (rng_chance(&c->r, 0.07))
		c->feat |= RX_2D;
	c->depth_max = opt->max_depth > 0 ? opt->max_depth : 3;
	c->ntid = (c->feat & RX_2D) ? 2 : rng_chance(&c->r, 0.3) ? 0 : 1;
	if (cat != GEN_GEOMETRY && rs_has_core(cat) && rng_chance(&c->r, RS_CORE_SHARE))
		c->feat |= RX_CORE;
	if ((c->feat & RX_CORE) && c->ntid == 0)
		c->ntid = 1; /* queries per thread */
	if (c->feat & RX_CORE)
		rs_core_setup(c); /* tile: the launch's dimensions */
	int ndim = c->ntid == 2 ? 2 : 1;

	draw_params(c, ndim);
	if (cat == GEN_TILE) { /* a float input to load, a float output to store */
		int in = 0, out = 0;
		for (int i = 0; i < c->narr; i++) {
			in |= c->arr[i].role == RR_IN && c->arr[i].t == RT_FLOAT;
			out |= c->arr[i].role == RR_OUT && c->arr[i].t == RT_FLOAT;
		}
		if (!in)
			add_array(c, field_or_generic(c, RT_FLOAT), RR_IN, ndim);
		if (!out)
			add_array(c, field_or_generic(c, RT_FLOAT), RR_OUT, ndim);
	}
	const char *flagconst = NULL;
	char constname[RS_NAME];
	int want_guard = (c->feat & RX_BITS) || rng_chance(&c->r, 0.035);
	if (c->ntid == 0 || cat == GEN_TILE) /* every thread of a block reaches the tile calls */
		want_guard = 0;
	if (want_guard && (c->feat & RX_BITS || rng_chance(&c->r, 0.5))) {
		rfield ff = {"flags", RT_INT, "flags"};
		rarr *fa = add_array(c, &ff, RR_FLAG, ndim);
		if (fa && (c->feat & RX_BITS)) {
			char up[RS_NAME];
			size_t n = strlen(c->entity);
			for (size_t i = 0; i <= n; i++)
				up[i] = (char)(c->entity[i] >= 'a' && c->entity[i] <= 'z' ? c->entity[i] - 32
											  : c->entity[i]);
			snprintf(constname, sizeof constname, "%.24s_FLAG_ACTIVE", up);
			flagconst = constname;
		}
	}
	int want_gather = c->ntid == 1 && (rng_chance(&c->r, 0.04) ||
					   (!strcmp(c->d->name, "contacts") && rng_chance(&c->r, 0.3)));
	char gather_arr[RS_NAME] = "";
	if (want_gather) {
		const char *tgt = PICK(c->d->entities);
		rfield gf = {tgt, RT_INT, tgt};
		rarr *ga = add_array(c, &gf, RR_INDEX, 1);
		if (ga)
			snprintf(gather_arr, sizeof gather_arr, "%s", ga->name);
	}
	if (c->feat & RX_RAND)
		add_scalar(c, "seed", RT_INT);
	if (!strcmp(c->d->name, "rendering") && c->ntid && rng_chance(&c->r, 0.15) && !name_used(c, "tex")) {
		snprintf(c->tex, sizeof c->tex, "tex"); /* an image to look up */
		snprintf(c->taken[c->ntaken++], RS_NAME, "tex");
	}
	if (want_guard && c->ntid && !flagconst && rng_chance(&c->r, 0.6)) {
		char pl0[RS_NAME], cnt[RS_NAME];
		snprintf(cnt, sizeof cnt, "num_%.30s", plural(c->entity, pl0));
		add_scalar(c, cnt, RT_INT);
	}
	int has_float = 0;
	for (int i = 0; i < c->narr; i++)
		has_float |= c->arr[i].role == RR_IN && c->arr[i].t == RT_FLOAT;
	for (int i = 0; i < c->nparams_scalar; i++)
		has_float |= c->val[i].t == RT_FLOAT;
	int reads = c->nparams_scalar > 0;
	for (int i = 0; i < c->narr; i++)
		reads |= c->arr[i].role == RR_IN;
	if (!has_float && rng_chance(&c->r, reads ? 0.3 : 0.85)) /* a fill kernel has its value or scale */
		add_scalar(c, PICK(c->d->scalars_f), RT_FLOAT);

	buf_reset(c->b);
	buf_puts(c->b, "import warp as wp\n\n");
	if (c->pre[0])
		buf_printf(c->b, "%s", c->pre);
	if (c->feat & RX_CORE) {
		if (c->geo_id[0] && name_used(c, c->geo_id))
			snprintf(c->geo_id, sizeof c->geo_id, "%s",
				 name_used(c, "geo_id") ? "query_id" : "geo_id");
		if (c->geo_id[0] && c->ntaken < RS_MAX_TAKEN) /* no local takes the parameter's name */
			snprintf(c->taken[c->ntaken++], RS_NAME, "%.39s", c->geo_id);
	}
	if (flagconst)
		buf_printf(c->b, "%s = wp.constant(1)\n\n", flagconst);
	buf_puts(c->b, "\n");
	int use_struct = (c->feat & RX_STRUCT) && c->nparams_scalar > 0;
	if ((c->feat & RX_STRUCT) && !use_struct) {
		add_scalar(c, PICK(c->d->scalars_f), RT_FLOAT);
		use_struct = c->nparams_scalar > 0;
	}
	if (use_struct)
		rs_write_struct(c);
	if (c->feat & RX_FUNC)
		rs_write_helper(c);
	char pl[RS_NAME], prefix[RS_NAME];
	/* at most 28 characters: with the tag and a 13-digit index the name fits gen_kernel.name */
	snprintf(prefix, sizeof prefix, "%.12s_%.15s", PICK(c->d->verbs), plural(c->entity, pl));
	gen_kernel_name(opt, index, prefix, k->name, sizeof k->name);
	signature(c, k->name, use_struct ? c->d->structname : NULL);

	c->indent = 4;
	if (rng_chance(&c->r, 0.09)) {
		const char *doc = PICK(c->d->docs);
		buf_puts(c->b, "    \"\"\"");
		buf_printf(c->b, doc, c->entity);
		buf_puts(c->b, "\"\"\"\n");
	}
	tid_line(c);
	if (want_guard)
		rs_guard(c, flagconst);
	if (gather_arr[0]) {
		const rarr *tgt = NULL;
		for (int i = 0; i < c->narr && !tgt; i++)
			if (c->arr[i].role != RR_INDEX && c->arr[i].ndim == 1)
				tgt = &c->arr[i];
		char nm[RS_NAME], cnt[RS_NAME];
		if (tgt) {
			/* n = x.shape[0]; j = wp.clamp(idx[tid], 0, n - 1): the gathered index stays in
			 * bounds */
			rs_fresh(c, rng_chance(&c->r, 0.5) ? "n" : "count", cnt);
			rs_add_val(c, cnt, RT_INT, 0);
			rs_fresh(c, c->arr[c->narr - 1].local, nm);
			rs_line(c);
			buf_printf(c->b, "%s = %s.shape[0]\n", cnt, tgt->name);
			rs_line(c);
			buf_printf(c->b, "%s = wp.clamp(%s[%s], 0, %s - 1)\n", nm, gather_arr, c->tid[0],
				   cnt);
			snprintf(c->gather, sizeof c->gather, "%s", nm);
			c->stmts += 2;
		}
	}
	int with_comment = rng_chance(&c->r, 0.15);
	if (!(c->feat & RX_CORE) || cat == GEN_QUATERNION || cat == GEN_TRANSFORM || rng_chance(&c->r, 0.5))
		rs_loads(c); /* tiles and queries load for themselves */
	if (with_comment && rng_chance(&c->r, 0.5))
		rs_comment(c), with_comment = 0;
	if (c->tex[0])
		rs_texture(c);
	if (c->feat & RX_RAND)
		rs_random_values(c);
	if (c->feat & RX_MATHF)
		rs_flavour_decl(c, "math");
	if (c->feat & RX_CORE) /* the category's synthetic core in place of its flavour */
		rs_core(c);
	else {
		if (c->feat & RX_VEC)
			rs_flavour_decl(c, "vec");
		if (c->feat & RX_MAT)
			rs_flavour_decl(c, "mat");
		if (c->feat & RX_XFORM)
			rs_flavour_decl(c, "xform");
		if (c->feat & RX_QUAT)
			rs_flavour_decl(c, "quat");
		if ((c->feat & RX_XFORM) && rng_chance(&c->r, 0.35))
			rs_xform_followup(c);
		if ((c->feat & RX_MAT) && rng_chance(&c->r, 0.15))
			rs_svd_followup(c);
	}
	if (c->helper[0])
		rs_call_helper(c);
	static const unsigned char wn[] = {230, 40, 16, 7, 6, 6, 6, 5, 5, 6, 6, 7};
	int n = gen_pick(&c->r, wn, 12);
	if (n >= 9)
		n = 8 + (int)rng_below(&c->r, n == 11 ? 28 : 10); /* the long tail */
	int inputs = 0;
	for (int i = 0; i < c->narr; i++)
		inputs += c->arr[i].role == RR_IN;
	/* a kernel with no construct of its category's computes something of its
	 * own more often than not: bare loads and stores are few shapes */
	unsigned constructs = RX_IF | RX_LOOP | RX_MATHF | RX_VEC | RX_NESTED | RX_ELIF | RX_RAND | RX_MAT |
			      RX_XFORM | RX_WHILE | RX_QUAT | RX_FUNC;
	if (n == 0 && !(c->feat & constructs) && rng_chance(&c->r, 0.6))
		n = 1;
	if (c->feat & RX_CORE)
		n = 0;		/* the core has written the kernel's statements */
	if (!inputs && n < 2) { /* a kernel that reads nothing computes something */
		n = 1;
		if (c->ntid && !(c->feat & RX_CORE) && rng_chance(&c->r, 0.8)) {
			/* mostly from the thread's index, in the type of the first output */
			rtype t = RT_FLOAT;
			for (int i = 0; i < c->narr; i++)
				if (c->arr[i].role == RR_OUT || c->arr[i].role == RR_ACC) {
					t = c->arr[i].t == RT_INT ? RT_INT : RT_FLOAT;
					break;
				}
			rs_index_decl(c, t);
			n = 0;
		}
	}
	if (opt->max_stmts > 0 && n > opt->max_stmts)
		n = opt->max_stmts;
	int at = (int)rng_below(&c->r, (uint32_t)n + 1);
	for (int i = 0; i < n; i++) {
		if (i == at) {
			if (c->feat & RX_IF)
				rs_if(c, 0);
			if (c->feat & RX_ELIF)
				rs_if(c, 1);
			if (c->feat & (RX_LOOP | RX_NESTED))
				rs_loop(c, (c->feat & RX_NESTED) != 0);
			if (c->feat & RX_WHILE)
				rs_while_loop(c);
		}
		rs_stmt(c, n - i);
	}
	if (at == n) {
		if (c->feat & RX_IF)
			rs_if(c, 0);
		if (c->feat & RX_ELIF)
			rs_if(c, 1);
		if (c->feat & (RX_LOOP | RX_NESTED))
			rs_loop(c, (c->feat & RX_NESTED) != 0);
		if (c->feat & RX_WHILE)
			rs_while_loop(c);
	}
	if (with_comment)
		rs_comment(c);
	rs_epilogue(c);
	k->stmts = c->stmts;
}

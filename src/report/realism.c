/* realism: the feature distributions, their distance and their table. The
 * reference walk (files and directories of untrusted Python) is in
 * realism_ref.c. */
#include "report/realism.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "gen/catalog.h"
#include "report/pyfeat.h"

/* A feature: numeric ones bucket by lower edges (edge[0] = 0), categorical
 * ones name their buckets. */
typedef struct feature {
	const char *title;
	const unsigned *edge; /* numeric: nedge lower bounds */
	const char *const *label;
	size_t n;
} feature;

static const unsigned e_stmts[] = {0, 5, 10, 20, 40, 80}, e_params[] = {0, 3, 5, 7, 10, 15},
		      e_nest[] = {0, 1, 2, 3, 4}, e_expr[] = {0, 3, 4, 5, 6, 7, 9},
		      e_builtins[] = {0, 2, 4, 6, 9, 13}, e_lits[] = {0, 1, 3, 6, 11, 21},
		      e_name[] = {1, 3, 6, 10, 15};
static const char *const l_dims[] = {"no wp.tid()", "1-D", "2-D", "3-D", "4-D"},
			 *const l_yes[] = {"yes", "no"}, *const l_kind[] = {"array",
									    "float",
									    "int",
									    "bool",
									    "vector/matrix/quat/transform",
									    "struct",
									    "generic (Any, ...)",
									    "other",
									    "no annotation"},
			 *const l_ann[] = {"subscript wp.array[T]", "call wp.array(dtype=T)",
					   "other (indexed, fabric)"},
			 *const l_dtype[] = {"float32", "float64",	"int32",  "other int, bool, float16",
					     "vec3",	"other vector", "quat",	  "transform",
					     "matrix",	"spatial",	"struct", "generic",
					     "other"};

#define NUM(t, e)                                                                                            \
	{                                                                                                    \
		t, e, NULL, sizeof e / sizeof *e                                                             \
	}
#define CAT(t, l)                                                                                            \
	{                                                                                                    \
		t, NULL, l, sizeof l / sizeof *l                                                             \
	}
static const feature feats[RF_COUNT] = {
    [RF_STATEMENTS] = NUM("statements per kernel", e_stmts),
    [RF_PARAMS] = NUM("parameters per kernel", e_params),
    [RF_NEST] = NUM("nesting depth", e_nest),
    [RF_EXPR_DEPTH] = NUM("expression depth (deepest)", e_expr),
    [RF_BUILTINS] = NUM("distinct wp.* calls per kernel", e_builtins),
    [RF_LITERALS] = NUM("numeric literals per kernel", e_lits),
    [RF_DIMS] = CAT("launch dimensions (targets of wp.tid())", l_dims),
    [RF_GUARD] = CAT("early return (guard, mask)", l_yes),
    [RF_HELPER] = CAT("calls a helper function", l_yes),
    [RF_DOCSTRING] = CAT("docstring", l_yes),
    [RF_COMMENT] = CAT("comment in the kernel", l_yes),
    [RF_STRUCT] = CAT("struct parameter or array of structs", l_yes),
    [RF_INDIRECT] = CAT("index indirection (a[idx[i]], CSR ranges)", l_yes),
    [RF_LOOP] = CAT("loop (for, while)", l_yes),
    [RF_ATOMIC] = CAT("atomic update", l_yes),
    [RF_PARAM_KIND] = CAT("parameter kinds (of all parameters)", l_kind),
    [RF_ANNOTATION] = CAT("array annotation style (of array parameters)", l_ann),
    [RF_DTYPE] = CAT("array dtypes (of array parameters)", l_dtype),
    [RF_PARAM_NAME] = NUM("parameter name length (chars)", e_name),
    [RF_LOCAL_NAME] = NUM("local name length (chars, distinct per kernel)", e_name),
};

size_t realism_nbuckets(realism_feature f)
{
	return feats[f].n;
}
const char *realism_title(realism_feature f)
{
	return feats[f].title;
}

const char *realism_label(realism_feature f, size_t b, char *tmp, size_t tmplen)
{
	const feature *ft = &feats[f];
	if (ft->label)
		return ft->label[b];
	if (b + 1 == ft->n)
		snprintf(tmp, tmplen, "%u+", ft->edge[b]);
	else if (ft->edge[b + 1] - 1 == ft->edge[b])
		snprintf(tmp, tmplen, "%u", ft->edge[b]);
	else
		snprintf(tmp, tmplen, "%u-%u", ft->edge[b], ft->edge[b + 1] - 1);
	return tmp;
}

static void add_num(realism *r, realism_feature f, unsigned v)
{
	const feature *ft = &feats[f];
	size_t b = 0;
	while (b + 1 < ft->n && v >= ft->edge[b + 1])
		b++;
	r->count[f][b]++;
}

static void add_yes(realism *r, realism_feature f, int yes)
{
	r->count[f][yes ? 0 : 1]++;
}

/* --- name sets --- */

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h | 1; /* 0 marks an empty slot */
}

static void names_add(realism_names *s, const char *name, size_t n)
{
	if (s->n >= REALISM_NAMES)
		return;
	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		uint64_t *slot = xcalloc(cap, sizeof *slot);
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i])
				for (size_t j = s->slot[i] & (cap - 1);; j = (j + 1) & (cap - 1))
					if (!slot[j]) {
						slot[j] = s->slot[i];
						break;
					}
		free(s->slot);
		s->slot = slot, s->cap = cap;
	}
	uint64_t h = fnv(name, n);
	for (size_t j = h & (s->cap - 1);; j = (j + 1) & (s->cap - 1)) {
		if (s->slot[j] == h)
			return;
		if (!s->slot[j]) {
			s->slot[j] = h;
			s->n++;
			return;
		}
	}
}

void realism_init(realism *r)
{
	memset(r, 0, sizeof *r);
}

void realism_release(realism *r)
{
	free(r->params.slot);
	free(r->locals.slot);
	free(r->catalog_seen);
	memset(r, 0, sizeof *r);
}

static void on_kernel(const pyfeat_kernel *k, void *ctx)
{
	realism *r = ctx;
	r->kernels++;
	add_num(r, RF_STATEMENTS, k->statements);
	add_num(r, RF_PARAMS, (unsigned)k->nparams);
	add_num(r, RF_NEST, k->nest);
	add_num(r, RF_EXPR_DEPTH, k->expr_depth);
	add_num(r, RF_BUILTINS, k->builtins);
	add_num(r, RF_LITERALS, k->literals);
	r->count[RF_DIMS][k->dims < 4 ? k->dims : 4]++;
	add_yes(r, RF_GUARD, k->guard);
	add_yes(r, RF_HELPER, k->helper);
	add_yes(r, RF_DOCSTRING, k->docstring);
	add_yes(r, RF_COMMENT, k->comment);
	add_yes(r, RF_STRUCT, k->uses_struct);
	add_yes(r, RF_INDIRECT, k->indirect);
	add_yes(r, RF_LOOP, k->loop);
	add_yes(r, RF_ATOMIC, k->atomic);
	size_t np = k->nparams < PYFEAT_MAX_PARAMS ? k->nparams : PYFEAT_MAX_PARAMS;
	for (size_t i = 0; i < np; i++) {
		const pyfeat_param *p = &k->param[i];
		r->count[RF_PARAM_KIND][p->kind]++;
		if (p->kind == PK_ARRAY) {
			r->count[RF_ANNOTATION][p->ann]++;
			r->count[RF_DTYPE][p->dtype]++;
		}
		add_num(r, RF_PARAM_NAME, p->name.len);
		names_add(&r->params, p->name.s, p->name.len);
	}
	for (size_t i = 0; i < k->nlocals; i++) {
		add_num(r, RF_LOCAL_NAME, k->local[i].len);
		names_add(&r->locals, k->local[i].s, k->local[i].len);
	}
}

void realism_add_source(realism *r, const char *src, size_t n)
{
	if (!r->catalog_seen) {
		r->catalog_seen = xmalloc((size_t)gen_catalog_size + 1);
		memset(r->catalog_seen, 0, (size_t)gen_catalog_size + 1);
	}
	gen_catalog_mark(src, n, r->catalog_seen);
	pyfeat_scan(src, n, on_kernel, r);
}

/* --- distances --- */

static uint64_t total(const realism *r, realism_feature f)
{
	uint64_t t = 0;
	for (size_t b = 0; b < feats[f].n; b++)
		t += r->count[f][b];
	return t;
}

double realism_share(const realism *r, realism_feature f, size_t b)
{
	uint64_t t = total(r, f);
	return t ? (double)r->count[f][b] / (double)t : 0;
}

double realism_tv(const realism *a, const realism *b, realism_feature f)
{
	if (!total(a, f) || !total(b, f))
		return NAN;
	double d = 0;
	for (size_t k = 0; k < feats[f].n; k++)
		d += fabs(realism_share(a, f, k) - realism_share(b, f, k));
	return d / 2;
}

double realism_distance(const realism *a, const realism *b)
{
	double sum = 0;
	int n = 0;
	for (int f = 0; f < RF_COUNT; f++) {
		double d = realism_tv(a, b, (realism_feature)f);
		if (!isnan(d))
			sum += d, n++;
	}
	return n ? sum / n : NAN;
}

int realism_off(const realism *a, const realism *ref, realism_feature f, size_t b)
{
	double p = realism_share(a, f, b), q = realism_share(ref, f, b);
	return total(a, f) && total(ref, f) && q >= 0.10 && (p > 2 * q || p < q / 2);
}

/* --- the table --- */

void realism_render(const realism *a, const realism *ref, buf *out)
{
	char tmp[32];
	buf_printf(out, "\nrealism (the kernels' Python; README.md, \"Realism\")");
	if (ref)
		buf_printf(out, "%*s %10s %10s\n", 12, "", "dataset", "reference");
	else
		buf_printf(out, "%*s %10s\n", 12, "", "dataset");
	buf_printf(out, "  %-60s %10llu", "kernels measured", (unsigned long long)a->kernels);
	if (ref)
		buf_printf(out, " %10llu", (unsigned long long)ref->kernels);
	buf_printf(out, "\n  %-60s %10zu", "distinct parameter names", a->params.n);
	if (ref)
		buf_printf(out, " %10zu", ref->params.n);
	buf_printf(out, "\n  %-60s %10zu", "distinct local names", a->locals.n);
	if (ref)
		buf_printf(out, " %10zu", ref->locals.n);
	buf_putc(out, '\n');
	if (ref)
		buf_printf(out, "  (reference: %llu .py files read, %llu skipped)\n",
			   (unsigned long long)ref->files, (unsigned long long)ref->skipped);
	int noff = 0;
	for (int f = 0; f < RF_COUNT; f++) {
		realism_feature ff = (realism_feature)f;
		if (!ref)
			buf_printf(out, "\n  %s", feats[f].title);
		else {
			buf_printf(out, "\n  %-60s", feats[f].title);
			double d = realism_tv(a, ref, ff);
			if (isnan(d))
				buf_printf(out, " %21s\n", "TV -");
			else
				buf_printf(out, " %15s %5.3f\n", "TV", d);
		}
		if (!ref)
			buf_putc(out, '\n');
		for (size_t b = 0; b < feats[f].n; b++) {
			buf_printf(out, "    %-58s %9.1f%%", realism_label(ff, b, tmp, sizeof tmp),
				   100 * realism_share(a, ff, b));
			if (ref) {
				int off = realism_off(a, ref, ff, b);
				noff += off;
				buf_printf(out, " %9.1f%%%s", 100 * realism_share(ref, ff, b),
					   off ? "  off >2x" : "");
			}
			buf_putc(out, '\n');
		}
	}
	if (ref) {
		double d = realism_distance(a, ref);
		if (isnan(d))
			buf_puts(out, "\ndistance   - (no kernels to compare)\n");
		else
			buf_printf(out,
				   "\ndistance   %.3f (mean total-variation distance over %d features; 0 = "
				   "same, 1 = disjoint)\n",
				   d, RF_COUNT);
		buf_printf(out,
			   "off >2x    %d bucket%s (reference share >= 10%%, dataset's more than twice or "
			   "less than half)\n",
			   noff, noff == 1 ? "" : "s");
	}
}

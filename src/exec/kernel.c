/* kernel: one kernel's run inside the runner (runner.c): forward twice on
 * identical fresh inputs (determinism), digest and examples of the outputs,
 * finiteness, and the adjoint check against central finite differences,
 * all written as the record's `exec` object (README, "Execution").
 *
 * Adjoint check: output adjoints seeded with w (uniform in [-1, 1) per
 * component of every float OUTPUT/ACCUMULATOR array), the backward run once,
 * g = <grad of the float INPUT arrays, d> for a random direction d; against
 * fd = (L(x + h d) - L(x - h d)) / 2h with L = <w, outputs>, two forward
 * runs per step. Steps h = 1e-2 and h/4 (inputs are O(1); float32
 * rounding of L over h stays near 1e-5 relative while the truncation error
 * is O(h^2)); fd is the one at h/4; pass when |g - fd| <= 1e-2 (|g| + |fd|)
 * + 1e-4. When fd(h) and fd(h/4) differ by more than 2% the loss is not
 * smooth at x (a branch or an integer conversion switches within the step):
 * "unsupported", class nonsmooth, not a failure. Labelled before running:
 * in-out arrays, outputs stored under two index forms, builtins Warp leaves
 * without adjoint (wp.frac, tile scans); after running, a mismatch in a
 * kernel with a while loop or a runtime-bounded range() (dynamic_loop). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "common/rng.h"
#include "exec/exec_int.h"
#include "exec/geometry.h"
#include "exec/inputs.h"

#define HEAD 4 /* scalars shown per array */
#define GRAD_H 1e-2
#define GRAD_RTOL 1e-2
#define GRAD_ATOL 1e-4
#define GRAD_SMOOTH 2e-2 /* fd(h) against fd(h/4): a smooth loss agrees to O(h^2) */

static const xgeo_api *geo_api; /* the runner's, bound to its warp.so */
static int perturb_k; /* exec_run_kernel's perturbation, for build() */

void exec_set_geometry(const xgeo_api *api) { geo_api = api; }

/* Inputs with their geometry objects (released by release()). */
static void build(const sig *s, uint64_t seed, xinputs *in)
{
	xin_build(s, seed, 0, in);
	xin_perturb(s, in, perturb_k);
	if (geo_api)
		xgeo_build(geo_api, s, seed, in);
}

static void release(const sig *s, xinputs *in)
{
	if (geo_api)
		xgeo_release(geo_api, s, in);
	xin_free(in);
}

json_t *exec_json_num(double v, int is_float)
{
	if (!is_float)
		return json_integer((json_int_t)v);
	if (isnan(v))
		return json_string("nan");
	if (isinf(v))
		return json_string(v > 0 ? "inf" : "-inf");
	return json_real(v);
}

static json_t *head(const xarr *a, const unsigned char *base)
{
	json_t *h = json_array();
	if (a->elem->kind != XK_VALUE)
		return h;
	int nc = a->elem->ncomp;
	for (size_t k = 0; k < HEAD && k < a->count * (size_t)nc; k++)
		json_array_append_new(h, exec_json_num(xin_get(a, base, k / (size_t)nc, (int)(k % (size_t)nc)),
					     xscalar_is_float(a->elem->sk)));
	return h;
}

static json_t *value_head(const xtype *t, const unsigned char *p)
{
	json_t *h = json_array();
	if (t->kind != XK_VALUE)
		return h;
	xarr a = {.elem = t, .count = 1};
	for (int c = 0; c < t->ncomp && c < HEAD; c++)
		json_array_append_new(h, exec_json_num(xin_get(&a, p, 0, c), xscalar_is_float(t->sk)));
	return h;
}

static int is_out(xrole r) { return r == XR_OUTPUT || r == XR_ACCUM || r == XR_INOUT; }

static const xarr *top_arr(const xinputs *in, int p)
{
	for (int i = 0; i < in->narrs; i++)
		if (in->arrs[i].param == p && in->arrs[i].top)
			return &in->arrs[i];
	return NULL;
}

static int all_finite(const xarr *a)
{
	if (a->elem->kind != XK_VALUE || !xscalar_is_float(a->elem->sk))
		return 1;
	for (size_t i = 0; i < a->count; i++)
		for (int c = 0; c < a->elem->ncomp; c++)
			if (!isfinite(xin_get(a, a->data, i, c)))
				return 0;
	return 1;
}

static double rnd(uint64_t seed, uint64_t salt, size_t i)
{
	uint64_t x = seed ^ (salt * 0x9e3779b97f4a7c15ULL);
	x = rng_splitmix64(&x) ^ i;
	return (double)(rng_splitmix64(&x) >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

static int diff_float(const xarr *a)
{
	return a && a->elem->kind == XK_VALUE && (a->elem->sk == XS_F32 || a->elem->sk == XS_F64);
}

/* L = <w, float outputs> after a forward run on inputs moved by t * d. */
static double loss_at(const sig *s, uint64_t seed, exec_fwd_fn fwd, double t)
{
	xinputs in;
	build(s, seed, &in);
	for (int i = 0; i < in.narrs; i++) {
		xarr *a = &in.arrs[i];
		if (!a->top || s->params[a->param].role != XR_INPUT || !diff_float(a))
			continue;
		for (size_t e = 0; e < a->count * (size_t)a->elem->ncomp; e++) {
			size_t el = e / (size_t)a->elem->ncomp;
			int c = (int)(e % (size_t)a->elem->ncomp);
			xin_set(a, a->data, el, c, xin_get(a, a->data, el, c) + t * rnd(seed, 100 + (uint64_t)a->param, e));
		}
	}
	unsigned char dim[48];
	xin_bounds(&in, dim);
	fwd(dim, in.args);
	double L = 0;
	for (int i = 0; i < in.narrs; i++) {
		xarr *a = &in.arrs[i];
		if (!a->top || !is_out(s->params[a->param].role) || !diff_float(a))
			continue;
		for (size_t e = 0; e < a->count * (size_t)a->elem->ncomp; e++)
			L += rnd(seed, 200 + (uint64_t)a->param, e) *
			     xin_get(a, a->data, e / (size_t)a->elem->ncomp, (int)(e % (size_t)a->elem->ncomp));
	}
	release(s, &in);
	return L;
}

/* A parameter's top-level array holds float32 or float64 values (xin_build
 * makes one for each array-typed parameter: diff_float of its xarr). */
static int param_diff_float(const xparam *x)
{
	const xtype *t = x->type;
	return (t->kind == XK_ARRAY || t->kind == XK_INDEXED || t->kind == XK_FABRIC) && t->elem &&
	       t->elem->kind == XK_VALUE && (t->elem->sk == XS_F32 || t->elem->sk == XS_F64);
}

const char *exec_grad_static(const sig *s, const char **cls, char *why, size_t cap)
{
	int nin = 0, nout = 0;
	for (int p = 0; p < s->nparams; p++) {
		const xparam *x = &s->params[p];
		if (x->role == XR_INOUT) {
			*cls = "inout";
			return "in-out array (read and written: Warp's adjoint re-reads overwritten values)";
		}
		if (x->stores_elsewhere) {
			*cls = "overwrite";
			return "an output stored under two index forms (threads overwrite each other's elements)";
		}
		if (x->role == XR_INPUT && param_diff_float(x))
			nin++;
		else if (is_out(x->role) && param_diff_float(x))
			nout++;
	}
	if (s->missing_adjoint) {
		snprintf(why, cap, "Warp has no adjoint for %.100s (MISSINGADJOINT: gradient 0)", s->missing_adjoint);
		*cls = "missing_adjoint";
		return why;
	}
	if (!nin || !nout) {
		*cls = "no_float_io";
		return "no float32/float64 input and output arrays";
	}
	return NULL;
}

static json_t *grad_check(const sig *s, uint64_t seed, exec_fwd_fn fwd, exec_bwd_fn bwd)
{
	json_t *g = json_object();
	const char *cls = NULL;
	char buf_why[160];
	const char *why = exec_grad_static(s, &cls, buf_why, sizeof buf_why);
	if (!why && !bwd)
		cls = "no_backward", why = "no backward entry point";
	if (why) {
		json_object_set_new(g, "status", json_string("unsupported"));
		json_object_set_new(g, "class", json_string(cls));
		json_object_set_new(g, "reason", json_string(why));
		return g;
	}
	xinputs in;
	build(s, seed, &in);
	for (int i = 0; i < in.narrs; i++) {
		xarr *a = &in.arrs[i];
		if (a->top && is_out(s->params[a->param].role) && diff_float(a))
			for (size_t e = 0; e < a->count * (size_t)a->elem->ncomp; e++)
				xin_set(a, a->adj, e / (size_t)a->elem->ncomp, (int)(e % (size_t)a->elem->ncomp),
					rnd(seed, 200 + (uint64_t)a->param, e));
	}
	unsigned char dim[48];
	xin_bounds(&in, dim);
	bwd(dim, in.args, in.adj_args);
	double gd = 0;
	int finite = 1;
	for (int i = 0; i < in.narrs; i++) {
		xarr *a = &in.arrs[i];
		if (!a->top || s->params[a->param].role != XR_INPUT || !diff_float(a))
			continue;
		for (size_t e = 0; e < a->count * (size_t)a->elem->ncomp; e++) {
			double v = xin_get(a, a->adj, e / (size_t)a->elem->ncomp, (int)(e % (size_t)a->elem->ncomp));
			finite &= isfinite(v) != 0;
			gd += v * rnd(seed, 100 + (uint64_t)a->param, e);
		}
	}
	release(s, &in);
	double fd1 = (loss_at(s, seed, fwd, GRAD_H) - loss_at(s, seed, fwd, -GRAD_H)) / (2 * GRAD_H);
	double fd = (loss_at(s, seed, fwd, GRAD_H / 4) - loss_at(s, seed, fwd, -GRAD_H / 4)) / (GRAD_H / 2);
	double err = fabs(gd - fd), rel = err / (fabs(gd) + fabs(fd) + 1e-30);
	int pass = finite && isfinite(fd) && err <= GRAD_RTOL * (fabs(gd) + fabs(fd)) + GRAD_ATOL;
	/* differences that do not settle as the step shrinks: the loss jumps
	 * (a branch, a clamp's corner, an integer conversion) within the step */
	int smooth = isfinite(fd1) && fabs(fd1 - fd) <= GRAD_SMOOTH * (fabs(fd1) + fabs(fd)) + GRAD_ATOL;
	/* a mismatch in a kernel with a dynamic loop is Warp's known limit:
	 * its backward does not replay while loops nor runtime-bounded ranges */
	int loop = !pass && smooth && finite && isfinite(fd) && s->dynamic_loop;
	const char *st = pass ? "pass" : (smooth && !loop) || !finite ? "fail" : "unsupported";
	json_object_set_new(g, "status", json_string(st));
	if (!pass) {
		json_object_set_new(g, "class", json_string(!finite || !isfinite(fd) ? "nonfinite"
							 : !smooth			      ? "nonsmooth"
							 : loop				      ? "dynamic_loop"
											      : "mismatch"));
		json_object_set_new(g, "reason", json_string(!finite || !isfinite(fd) ? "non-finite gradient or difference"
							   : !smooth ? "finite differences do not converge (the loss jumps within the step: a branch, clamp or integer conversion)"
							   : loop ? "adjoint differs from finite differences in a kernel with a while loop or a runtime-bounded range(): Warp's backward does not replay the values they carry"
								  : "adjoint differs from finite differences"));
	}
	json_object_set_new(g, "rel_err", exec_json_num(isfinite(rel) ? rel : 1.0, 1));
	json_object_set_new(g, "adjoint", exec_json_num(gd, 1));
	json_object_set_new(g, "fd", exec_json_num(fd, 1));
	return g;
}

static void dump(json_t *o, buf *out)
{
	char *t = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(7));
	buf_puts(out, t ? t : "{}");
	free(t);
	json_decref(o);
}

void exec_json_not_run(buf *out, const char *cls, const char *reason)
{
	json_t *o = json_object();
	json_object_set_new(o, "status", json_string("not_executed"));
	json_object_set_new(o, "class", json_string(cls));
	json_object_set_new(o, "reason", json_string(reason));
	dump(o, out);
}

static json_t *all_values(const xarr *a)
{
	json_t *v = json_array();
	if (a->elem->kind != XK_VALUE)
		return v;
	for (size_t i = 0; i < a->count; i++)
		for (int c = 0; c < a->elem->ncomp; c++)
			json_array_append_new(v, exec_json_num(xin_get(a, a->data, i, c), xscalar_is_float(a->elem->sk)));
	return v;
}

void exec_run_kernel(const sig *s, uint64_t seed, exec_fwd_fn fwd, exec_bwd_fn bwd, int values, int perturb,
		     buf *out)
{
	xinputs a, b;
	perturb_k = values ? perturb : 0;
	unsigned char dim[48];
	build(s, seed, &a);
	xin_bounds(&a, dim);
	fwd(dim, a.args);
	build(s, seed, &b);
	json_t *params = json_object();
	for (int p = 0; p < s->nparams; p++) {
		const xparam *x = &s->params[p];
		json_t *o = json_object();
		const xarr *arr = top_arr(&b, p);
		json_object_set_new(o, "role", json_string(xrole_name(x->role)));
		json_object_set_new(o, "dtype", json_string(arr ? arr->elem->name : x->type->name));
		if (arr) {
			json_t *sh = json_array();
			for (int d = 0; d < arr->ndim; d++)
				json_array_append_new(sh, json_integer(arr->shape[d]));
			json_object_set_new(o, "shape", sh);
			if (x->role != XR_OUTPUT && x->role != XR_ACCUM)
				json_object_set_new(o, "in", head(arr, arr->data));
		} else if (x->geo != XG_NONE) { /* its id is an address: never in a record */
			static const char *const kind[XG_COUNT] = {"", "mesh", "bvh", "hash_grid", "volume", "texture"};
			json_object_set_new(o, "geometry", json_string(kind[x->geo]));
		} else if (x->type->kind == XK_VALUE) {
			json_object_set_new(o, "in", value_head(x->type, b.args + x->offset));
		}
		json_object_set_new(params, x->name, o);
	}
	fwd(dim, b.args);
	XXH3_state_t *h = XXH3_createState();
	XXH3_64bits_reset(h);
	int det = 1, fin = 1;
	for (int i = 0; i < a.narrs; i++) {
		const xarr *x = &a.arrs[i], *y = &b.arrs[i];
		if (!is_out(s->params[x->param].role))
			continue;
		XXH3_64bits_update(h, x->data, x->bytes);
		det &= memcmp(x->data, y->data, x->bytes) == 0;
		fin &= all_finite(x);
		if (x->top)
			json_object_set_new(json_object_get(params, s->params[x->param].name), "out", head(x, x->data));
		if (x->top && values)
			json_object_set_new(json_object_get(params, s->params[x->param].name), "values", all_values(x));
	}
	char hex[24];
	snprintf(hex, sizeof hex, "%016llx", (unsigned long long)XXH3_64bits_digest(h));
	XXH3_freeState(h);
	json_t *o = json_object(), *launch = json_array();
	for (int d = 0; d < a.ndim; d++)
		json_array_append_new(launch, json_integer(a.launch[d]));
	if (a.coord_mult > 1)
		json_array_append_new(launch, json_integer((json_int_t)a.coord_mult));
	release(s, &a);
	release(s, &b);
	json_object_set_new(o, "status", json_string("executed"));
	json_object_set_new(o, "launch", launch);
	json_object_set_new(o, "tiled", json_boolean(s->tiled));
	char sd[24];
	snprintf(sd, sizeof sd, "%016llx", (unsigned long long)seed);
	json_object_set_new(o, "inputs_seed", json_string(sd));
	if (perturb_k)
		json_object_set_new(o, "perturbation", json_integer(perturb_k));
	json_object_set_new(o, "params", params);
	json_object_set_new(o, "digest", json_string(hex));
	json_object_set_new(o, "finite", json_boolean(fin));
	json_object_set_new(o, "deterministic", json_boolean(det));
	if (!values)
		json_object_set_new(o, "grad", grad_check(s, seed, fwd, bwd));
	dump(o, out);
}

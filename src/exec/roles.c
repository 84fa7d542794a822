/* roles: what a kernel's forward body does with each array parameter, read
 * from Warp's generated C++ (every use of `var_<name>` is the first argument
 * of a call: wp::address for reads, wp::array_store for plain stores,
 * wp::atomic_* for atomics, wp::tile_load/tile_store/tile_atomic_add), and
 * the role that follows (sig.h, "Roles"). Any other use (a helper function,
 * a view, an atomic whose old value is used) makes the array in-out. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "exec/sig.h"

enum { A_ADD = 1, A_MIN = 2, A_MAX = 4, A_AND = 8, A_OR = 16, A_XOR = 32, A_EXCH = 64, A_CAS = 128 };

static int ident(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* The callee whose '(' is at `open` (template arguments skipped), into
 * name[cap]; "" if none. */
static void callee(const char *body, const char *open, char *name, size_t cap)
{
	const char *q = open;
	name[0] = '\0';
	if (q > body && q[-1] == '>') {
		int depth = 0;
		while (q > body) {
			q--;
			if (*q == '>')
				depth++;
			else if (*q == '<' && --depth == 0)
				break;
		}
	}
	const char *e = q;
	while (q > body && (ident(q[-1]) || q[-1] == ':'))
		q--;
	size_t n = (size_t)(e - q);
	if (n >= cap)
		return;
	memcpy(name, q, n);
	name[n] = '\0';
}

/* Top-level arguments of the call whose first argument starts at `a`. */
static int count_args(const char *a, const char *end)
{
	int depth = 0, n = 1;
	for (; a < end; a++) {
		if (*a == '(' || *a == '<')
			depth++;
		else if (*a == ')' || *a == '>') {
			if (depth-- == 0)
				return n;
		} else if (*a == ',' && depth == 0)
			n++;
	}
	return n;
}

static int atomic_kind(const char *op)
{
	static const struct {
		const char *n;
		int k;
	} t[] = {{"add", A_ADD}, {"sub", A_ADD}, {"min", A_MIN}, {"max", A_MAX}, {"and", A_AND},
		 {"or", A_OR},	 {"xor", A_XOR}, {"exch", A_EXCH}, {"cas", A_CAS}};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (!strcmp(op, t[i].n))
			return t[i].k;
	return 0;
}

/* The line holding p starts with "var_N = ": the call's value is used. */
static int value_used(const char *body, const char *p)
{
	const char *l = p;
	while (l > body && l[-1] != '\n')
		l--;
	while (*l == ' ')
		l++;
	return !strncmp(l, "var_", 4) && memchr(l, '=', (size_t)(p - l)) != NULL;
}

static void one_use(xparam *x, const char *body, const char *p, const char *after, const char *end)
{
	if (!strncmp(after, " = _wp_args->", 13) || !strncmp(after, ".shape", 6))
		return; /* its declaration; its shape */
	if (p == body || p[-1] != '(') {
		x->read = x->stored = 1; /* not a call's first argument */
		return;
	}
	char fn[64];
	callee(body, p - 1, fn, sizeof fn);
	int nargs = count_args(after, end);
	int idx = -1;
	if (!strcmp(fn, "wp::address")) {
		x->read = 1;
		idx = nargs - 1;
	} else if (!strcmp(fn, "wp::array_store")) {
		x->stored = 1;
		idx = nargs - 2;
		const char *c1 = memchr(after, ',', (size_t)(end - after)), *c2 = c1;
		for (int k = 0; c2 && k < nargs - 2; k++)
			c2 = memchr(c2 + 1, ',', (size_t)(end - c2 - 1));
		if (c1 && c2 && c2 - c1 < (long)sizeof x->store_idx) {
			char ix[64];
			memcpy(ix, c1, (size_t)(c2 - c1));
			ix[c2 - c1] = '\0';
			if (!x->store_idx[0])
				memcpy(x->store_idx, ix, sizeof ix);
			else if (strcmp(x->store_idx, ix))
				x->stores_elsewhere = 1;
		}
	} else if (!strncmp(fn, "wp::atomic_", 11) && atomic_kind(fn + 11)) {
		x->atomics |= atomic_kind(fn + 11);
		if (value_used(body, p))
			x->read = 1;
		idx = nargs - (atomic_kind(fn + 11) == A_CAS ? 3 : 2);
	} else if (!strcmp(fn, "wp::tile_load") || !strcmp(fn, "wp::tile_load_indexed")) {
		x->read = 1;
	} else if (!strcmp(fn, "wp::tile_store") || !strcmp(fn, "wp::tile_store_indexed")) {
		x->stored = 1;
	} else if (!strcmp(fn, "wp::tile_atomic_add") || !strcmp(fn, "wp::tile_atomic_add_indexed")) {
		x->atomics |= A_ADD;
	} else {
		x->read = x->stored = 1;
	}
	if (idx > x->ndim && idx <= 4)
		x->ndim = idx;
}

static int holds_array(const xtype *t)
{
	if (t->kind == XK_ARRAY || t->kind == XK_INDEXED || t->kind == XK_FABRIC)
		return 1;
	for (int i = 0; i < t->nfields; i++)
		if (holds_array(t->fields[i].type))
			return 1;
	return 0;
}

/* The geometry kind of a uint64 parameter: the first call it is the first
 * argument of, wp::mesh_* / bvh_* / hash_grid_* / volume_*. */
static xgeo_kind geo_of(const char *body, const char *end, const char *pat, size_t pl, int *vol_type)
{
	xgeo_kind found = XG_NONE;
	static const struct {
		const char *p;
		xgeo_kind k;
	} t[] = {{"wp::mesh_", XG_MESH}, {"wp::bvh_", XG_BVH}, {"wp::hash_grid_", XG_HASH_GRID}, {"wp::volume_", XG_VOLUME}};
	for (const char *p = body; (p = memmem(p, (size_t)(end - p), pat, pl)); p += pl) {
		if ((p > body && ident(p[-1])) || (p + pl < end && ident(p[pl])) || p == body || p[-1] != '(')
			continue;
		char fn[64];
		callee(body, p - 1, fn, sizeof fn);
		for (size_t i = 0; i < sizeof t / sizeof *t && !found; i++)
			if (!strncmp(fn, t[i].p, strlen(t[i].p)))
				found = t[i].k;
		if (found != XG_VOLUME) {
			if (found)
				return found;
			continue;
		}
		/* a volume: its type is the first typed sample or lookup's */
		if (strncmp(fn, "wp::volume_sample", 17) && strncmp(fn, "wp::volume_lookup", 17))
			continue;
		size_t n = strlen(fn);
		const char *tmpl = p - 1 > body && p[-2] == '>' ? p - 1 : NULL; /* volume_sample<T>( */
		if (tmpl) {
			const char *lt = tmpl;
			while (lt > body && *lt != '<')
				lt--;
			*vol_type = memmem(lt, (size_t)(tmpl - lt), "vec", 3) ? 1 : memmem(lt, (size_t)(tmpl - lt), "int", 3) ? 2 : 0;
		} else {
			*vol_type = fn[n - 1] == 'v' && fn[n - 2] == '_' ? 1 : fn[n - 1] == 'i' && fn[n - 2] == '_' ? 2 : 0;
		}
		return found;
	}
	return found;
}

void sig_infer_roles(sig *s, const char *body, const char *end)
{
	for (int i = 0; i < s->nparams; i++) {
		xparam *x = &s->params[i];
		xkind k = x->type->kind;
		if (k == XK_TEXTURE) { /* geometry.c builds it */
			x->role = XR_NONE;
			x->geo = XG_TEXTURE;
			continue;
		}
		if (k == XK_VALUE || (k == XK_STRUCT && !holds_array(x->type))) {
			x->role = XR_NONE;
			if (k == XK_VALUE && x->type->ncomp == 1 && x->type->sk == XS_U64) {
				char pat[256];
				size_t pl = (size_t)snprintf(pat, sizeof pat, "var_%s", x->name);
				if (pl < sizeof pat)
					x->geo = geo_of(body, end, pat, pl, &x->vol_type);
			}
			continue;
		}
		char pat[256];
		size_t pl = (size_t)snprintf(pat, sizeof pat, "var_%s", x->name);
		for (const char *p = body; pl < sizeof pat && (p = memmem(p, (size_t)(end - p), pat, pl)); p += pl) {
			const char *after = p + pl;
			if ((p > body && ident(p[-1])) || (after < end && ident(*after)))
				continue;
			if (k == XK_STRUCT) {
				x->read = x->stored = 1;
				continue;
			}
			one_use(x, body, p, after, end);
		}
		if (x->ndim < 1)
			x->ndim = s->launch_ndim;
		int kinds = __builtin_popcount((unsigned)x->atomics);
		if (k == XK_STRUCT || (x->read && (x->stored || x->atomics)) || (x->stored && x->atomics) || kinds > 1)
			x->role = XR_INOUT;
		else if (x->stored)
			x->role = XR_OUTPUT;
		else if (x->atomics)
			x->role = XR_ACCUM;
		else
			x->role = XR_INPUT;
	}
}

/* sig: the kernel's signature and parameter roles from its module text; see
 * sig.h. Reads Warp's own declarations (struct wp_args_*, @wp.struct
 * definitions, the forward entry point and body) and nothing else. */
#include "exec/sig.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static const struct {
	const char *cxx, *name;
	size_t size;
} scalars[XS_COUNT] = {
	[XS_F16] = {"float16", "float16", 2}, [XS_F32] = {"float32", "float32", 4},
	[XS_F64] = {"float64", "float64", 8}, [XS_I8] = {"int8", "int8", 1},
	[XS_U8] = {"uint8", "uint8", 1},      [XS_I16] = {"int16", "int16", 2},
	[XS_U16] = {"uint16", "uint16", 2},   [XS_I32] = {"int32", "int32", 4},
	[XS_U32] = {"uint32", "uint32", 4},   [XS_I64] = {"int64", "int64", 8},
	[XS_U64] = {"uint64", "uint64", 8},   [XS_BOOL] = {"bool", "bool", 1},
};

const char *xscalar_name(xscalar s) { return scalars[s].name; }
size_t xscalar_size(xscalar s) { return scalars[s].size; }
int xscalar_is_float(xscalar s) { return s == XS_F16 || s == XS_F32 || s == XS_F64; }

const char *xrole_name(xrole r)
{
	static const char *const n[] = {"input", "output", "accumulator", "inout", "value"};
	return n[r];
}

/* ---- types ---- */

typedef struct parser {
	sig *s;
	const char *text;
	size_t len;
	buf *err;
	int depth; /* struct nesting, bounded */
} parser;

static xtype *new_type(parser *p, xkind k)
{
	xtype *t = xcalloc(1, sizeof *t);
	t->kind = k;
	t->next_alloc = p->s->types;
	p->s->types = t;
	return t;
}

/* s[0..n) without leading and trailing blanks. */
static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* The next whole line from *q (before end), trimmed, in l/ln; 0 when no
 * newline is left. */
static int next_line(const char **q, const char *end, const char **l, size_t *ln)
{
	const char *nl = *q < end ? memchr(*q, '\n', (size_t)(end - *q)) : NULL;
	if (!nl)
		return 0;
	*l = *q;
	*ln = (size_t)(nl - *q);
	*q = nl + 1;
	trim(l, ln);
	return 1;
}

static int eat(const char **s, size_t *n, const char *word)
{
	size_t w = strlen(word);
	if (*n < w || memcmp(*s, word, w) != 0)
		return 0;
	*s += w;
	*n -= w;
	return 1;
}

/* Splits "A, B, C>" (the inside of a template's <...>, up to its closing
 * '>') into top-level arguments. Returns the count (<= max), -1 if malformed. */
static int template_args(const char *s, size_t n, const char **a, size_t *al, int max)
{
	if (!n || s[n - 1] != '>')
		return -1;
	n--;
	int k = 0, depth = 0;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		char c = i < n ? s[i] : ',';
		if (c == '<')
			depth++;
		else if (c == '>')
			depth--;
		if (c == ',' && depth == 0) {
			if (k == max)
				return -1;
			a[k] = s + start;
			al[k] = i - start;
			trim(&a[k], &al[k]);
			k++;
			start = i + 1;
		}
		if (depth < 0)
			return -1;
	}
	return depth ? -1 : k;
}

static int parse_int(const char *s, size_t n, int lo, int hi)
{
	if (!n || n > 4)
		return -1;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= lo && v <= hi ? v : -1;
}

static int scalar_of(const char *s, size_t n, xscalar *out)
{
	static const struct {
		const char *w;
		xscalar k;
	} alias[] = {{"float", XS_F32}, {"double", XS_F64}, {"int", XS_I32}, {"half", XS_F16}, {"bool", XS_BOOL}};
	eat(&s, &n, "wp::");
	for (int i = 0; i < XS_COUNT; i++)
		if (strlen(scalars[i].cxx) == n && !memcmp(s, scalars[i].cxx, n))
			return *out = (xscalar)i, 0;
	for (size_t i = 0; i < sizeof alias / sizeof *alias; i++)
		if (strlen(alias[i].w) == n && !memcmp(s, alias[i].w, n))
			return *out = alias[i].k, 0;
	return -1;
}

static xtype *parse_type(parser *p, const char *s, size_t n);

static xtype *value_type(parser *p, xscalar sk, int ncomp, const char *shape)
{
	xtype *t = new_type(p, XK_VALUE);
	t->sk = sk;
	t->ncomp = ncomp;
	t->size = scalars[sk].size * (size_t)ncomp;
	t->align = scalars[sk].size;
	buf nm = BUF_INIT;
	buf_printf(&nm, "%s%s%s", shape ? shape : "", shape ? ":" : "", scalars[sk].name);
	t->name = buf_detach(&nm, NULL);
	return t;
}

/* The members of `struct NAME` (a @wp.struct), from its definition in the
 * module: "    TYPE NAME;" lines up to the first that is not one. */
static xtype *struct_type(parser *p, const char *name, size_t nlen)
{
	if (p->depth > 8) {
		buf_printf(p->err, "structs nested too deep");
		return NULL;
	}
	buf pat = BUF_INIT;
	buf_printf(&pat, "\nstruct %.*s\n{\n", (int)nlen, name);
	const char *at = memmem(p->text, p->len, pat.data, pat.len);
	size_t skip = pat.len;
	buf_free(&pat);
	if (!at) {
		buf_printf(p->err, "type %.*s: neither a Warp type nor a struct of the module", (int)(nlen > 60 ? 60 : nlen),
			   name);
		return NULL;
	}
	xtype *t = new_type(p, XK_STRUCT);
	const char *hash = memrchr(name, '_', nlen);
	t->name = xstrndup(name, hash ? (size_t)(hash - name) : nlen);
	const char *q = at + skip, *end = p->text + p->len;
	size_t off = 0, align = 1;
	p->depth++;
	const char *l;
	size_t ln;
	while (next_line(&q, end, &l, &ln)) {
		if (!ln || l[ln - 1] != ';' || memchr(l, '(', ln))
			break;
		ln--;
		const char *sp = NULL;
		for (size_t i = ln; i > 0; i--)
			if (l[i - 1] == ' ') {
				sp = l + i - 1;
				break;
			}
		if (!sp)
			break;
		xtype *ft = parse_type(p, l, (size_t)(sp - l));
		if (ft && ft->kind == XK_TEXTURE) { /* geometry.c builds parameters only */
			buf_printf(p->err, "a texture inside struct %.*s", (int)(nlen > 60 ? 60 : nlen), name);
			ft = NULL;
		}
		if (!ft) {
			p->depth--;
			return NULL;
		}
		if (t->nfields % 8 == 0)
			t->fields = xrealloc(t->fields, (size_t)(t->nfields + 8) * sizeof *t->fields);
		off = (off + ft->align - 1) / ft->align * ft->align;
		t->fields[t->nfields++] = (xfield){xstrndup(sp + 1, (size_t)(l + ln - sp - 1)), ft, off};
		off += ft->size;
		if (ft->align > align)
			align = ft->align;
	}
	p->depth--;
	if (!t->nfields) {
		buf_printf(p->err, "struct %.*s: no members found", (int)(nlen > 60 ? 60 : nlen), name);
		return NULL;
	}
	t->align = align;
	t->size = (off + align - 1) / align * align;
	return t;
}

/* array_t: data, grad, shape_t (int[4]), strides (int[4]), uint16 ndim, flags */
#define ARRAY_T_SIZE 56
/* indexedarray_t: array_t, int *indices[4], shape_t */
#define INDEXED_T_SIZE (ARRAY_T_SIZE + 32 + 16)
/* fabricarray_t: buckets, nbuckets, size */
#define FABRIC_T_SIZE 24

static xtype *parse_type(parser *p, const char *s, size_t n)
{
	trim(&s, &n);
	const char *a[3];
	size_t al[3];
	xscalar sk;
	xkind ak = XK_VALUE;
	if (eat(&s, &n, "wp::array_t<"))
		ak = XK_ARRAY;
	else if (eat(&s, &n, "wp::indexedarray_t<"))
		ak = XK_INDEXED;
	else if (eat(&s, &n, "wp::fabricarray_t<"))
		ak = XK_FABRIC;
	if (ak != XK_VALUE) {
		if (template_args(s, n, a, al, 1) != 1)
			goto bad;
		xtype *e = parse_type(p, a[0], al[0]);
		if (!e)
			return NULL;
		if (e->kind != XK_VALUE && e->kind != XK_STRUCT)
			goto bad;
		xtype *t = new_type(p, ak);
		t->elem = e;
		t->size = ak == XK_ARRAY ? ARRAY_T_SIZE : ak == XK_INDEXED ? INDEXED_T_SIZE : FABRIC_T_SIZE;
		t->align = 8;
		t->name = xstrdup(ak == XK_ARRAY ? "array" : ak == XK_INDEXED ? "indexedarray" : "fabricarray");
		return t;
	}
	if (eat(&s, &n, "wp::vec_t<")) {
		int len;
		char shape[32];
		if (template_args(s, n, a, al, 2) != 2 || (len = parse_int(a[0], al[0], 1, 64)) < 0 ||
		    scalar_of(a[1], al[1], &sk) < 0)
			goto bad;
		snprintf(shape, sizeof shape, "vec%d", len);
		return value_type(p, sk, len, shape);
	}
	if (eat(&s, &n, "wp::mat_t<")) {
		int r, c;
		char shape[32];
		if (template_args(s, n, a, al, 3) != 3 || (r = parse_int(a[0], al[0], 1, 64)) < 0 ||
		    (c = parse_int(a[1], al[1], 1, 64)) < 0 || scalar_of(a[2], al[2], &sk) < 0)
			goto bad;
		snprintf(shape, sizeof shape, "mat%dx%d", r, c);
		return value_type(p, sk, r * c, shape);
	}
	if (eat(&s, &n, "wp::quat_t<")) {
		if (template_args(s, n, a, al, 1) != 1 || scalar_of(a[0], al[0], &sk) < 0)
			goto bad;
		return value_type(p, sk, 4, "quat");
	}
	if (eat(&s, &n, "wp::transform_t<")) {
		if (template_args(s, n, a, al, 1) != 1 || scalar_of(a[0], al[0], &sk) < 0)
			goto bad;
		return value_type(p, sk, 7, "transform");
	}
	if (scalar_of(s, n, &sk) == 0)
		return value_type(p, sk, 1, NULL);
	/* texture1d_t {uint64 tex; int32 width; uint32 metadata}; 2d_t adds a
	 * height, 3d_t a height and a depth (texture.h) */
	static const char *const tex[3] = {"wp::texture1d_t", "wp::texture2d_t", "wp::texture3d_t"};
	for (int d = 0; d < 3; d++)
		if (n == strlen(tex[d]) && !memcmp(s, tex[d], n)) {
			xtype *t = new_type(p, XK_TEXTURE);
			t->ncomp = d + 1;
			t->size = (8 + 4 * (size_t)(d + 2) + 7) / 8 * 8;
			t->align = 8;
			t->name = xstrdup(tex[d] + 4);
			return t;
		}
	if (n && n < 200 && !memchr(s, '<', n) && !memchr(s, ':', n))
		return struct_type(p, s, n);
bad:
	buf_printf(p->err, "cannot lay out the type %.*s", (int)(n > 60 ? 60 : n), s);
	return NULL;
}

/* ---- the kernel ---- */

/* [*b, *e) of the body of function `name` (the text after "name(" up to the
 * first line that is "}"). */
static int function_body(const char *text, size_t len, const char *name, const char **b, const char **e)
{
	const char *at = memmem(text, len, name, strlen(name));
	if (!at)
		return -1;
	const char *end = text + len;
	const char *close = memmem(at, (size_t)(end - at), "\n}\n", 3);
	if (!close)
		return -1;
	*b = at;
	*e = close + 1;
	return 0;
}

static int has(const char *b, const char *e, const char *w)
{
	return memmem(b, (size_t)(e - b), w, strlen(w)) != NULL;
}

/* The "\nstruct wp_args_<kernel>_<hash> {" of kernel (whose hash is hex
 * digits), or the first struct wp_args_ when kernel is NULL. */
static const char *find_args(const char *text, size_t len, const char *kernel)
{
	static const char key[] = "\nstruct wp_args_";
	const char *at = text, *end = text + len;
	size_t kl = kernel ? strlen(kernel) : 0;
	while ((at = memmem(at, (size_t)(end - at), key, sizeof key - 1))) {
		const char *nm = at + sizeof key - 1;
		if (!kernel)
			return at;
		if ((size_t)(end - nm) > kl + 1 && !memcmp(nm, kernel, kl) && nm[kl] == '_') {
			const char *h = nm + kl + 1, *q = h;
			while (q < end && isxdigit((unsigned char)*q))
				q++;
			if (q > h && q < end && *q == ' ')
				return at;
		}
		at++;
	}
	return NULL;
}

int sig_parse(const char *text, size_t len, sig *out, buf *err)
{
	return sig_parse_for(text, len, NULL, out, err);
}

int sig_parse_for(const char *text, size_t len, const char *kernel, sig *out, buf *err)
{
	memset(out, 0, sizeof *out);
	parser p = {.s = out, .text = text, .len = len, .err = err};
	static const char key[] = "\nstruct wp_args_";
	const char *at = find_args(text, len, kernel);
	if (!at) {
		if (kernel)
			buf_printf(err, "no kernel arguments of %.200s (struct wp_args_%.200s_...) in the module", kernel,
				   kernel);
		else
			buf_printf(err, "no kernel arguments (struct wp_args_...) in the module");
		return -1;
	}
	const char *nm = at + sizeof key - 1, *end = text + len, *q = nm;
	while (q < end && (isalnum((unsigned char)*q) || *q == '_'))
		q++;
	if (q == nm || q >= end || q - nm > 200 || !(end - q > 3 && !memcmp(q, " {\n", 3))) {
		buf_printf(err, "malformed struct wp_args_ in the module");
		return -1;
	}
	out->entry = xstrndup(nm, (size_t)(q - nm));
	q += 3;
	size_t off = 0;
	const char *l;
	size_t ln;
	while (next_line(&q, end, &l, &ln)) {
		if (ln == 2 && !memcmp(l, "};", 2))
			break;
		const char *sp = ln ? memrchr(l, ' ', ln) : NULL;
		if (!sp || l[ln - 1] != ';') {
			buf_printf(err, "malformed member of struct wp_args_%s", out->entry);
			goto fail;
		}
		xtype *t = parse_type(&p, l, (size_t)(sp - l));
		if (!t)
			goto fail;
		if (out->nparams % 8 == 0)
			out->params = xrealloc(out->params, (size_t)(out->nparams + 8) * sizeof *out->params);
		off = (off + t->align - 1) / t->align * t->align;
		out->params[out->nparams++] =
			(xparam){.name = xstrndup(sp + 1, (size_t)(l + ln - sp - 2)), .type = t, .offset = off, .role = XR_NONE};
		off += t->size;
	}
	out->args_size = (off + 7) / 8 * 8;
	if (!out->nparams)
		out->args_size = 1; /* an empty struct */

	buf fn = BUF_INIT;
	buf_printf(&fn, "%s_cpu_forward(\n    wp::launch_bounds_t<", out->entry);
	const char *f = memmem(text, len, fn.data, fn.len);
	out->launch_ndim = f && f + fn.len < end ? f[fn.len] - '0' : 0;
	buf_reset(&fn);
	buf_printf(&fn, "%s_cpu_backward(", out->entry);
	out->has_backward = memmem(text, len, fn.data, fn.len) != NULL;
	buf_reset(&fn);
	buf_printf(&fn, "%s_cpu_kernel_forward(", out->entry);
	const char *b, *e;
	int found = function_body(text, len, buf_cstr(&fn), &b, &e);
	buf_free(&fn);
	if (out->launch_ndim < 1 || out->launch_ndim > 4 || found < 0) {
		buf_printf(err, "no CPU forward entry point for %s in the module", out->entry);
		goto fail;
	}
	out->tiled = has(b, e, "wp::tile_");
	out->dynamic_loop = has(b, e, "start_while_") || has(b, e, "goto start_for_");
	const char *bd = memmem(text, len, "#define WP_TILE_BLOCK_DIM ", 26);
	out->block_dim = bd ? atoi(bd + 26) : 256;
	if (out->block_dim < 1 || out->block_dim > 1024)
		out->block_dim = 256;
	sig_infer_roles(out, b, e);
	/* builtins Warp differentiates as if constant (no adj_ call in the
	 * backward: MISSINGADJOINT in Warp's builtin table) */
	static const char *const noadj[] = {"frac", "tile_scan_inclusive", "tile_scan_exclusive",
					    "tile_scan_min_inclusive", "tile_scan_max_inclusive"};
	buf bn = BUF_INIT, miss = BUF_INIT;
	buf_printf(&bn, "%s_cpu_kernel_backward(", out->entry);
	const char *bb, *be;
	if (function_body(text, len, buf_cstr(&bn), &bb, &be) == 0)
		for (size_t i = 0; i < sizeof noadj / sizeof *noadj; i++) {
			char call[64], adj[64];
			snprintf(call, sizeof call, "wp::%s(", noadj[i]);
			snprintf(adj, sizeof adj, "wp::adj_%s(", noadj[i]);
			if (has(b, e, call) && !has(bb, be, adj))
				buf_printf(&miss, "%swp.%s", miss.len ? ", " : "", noadj[i]);
		}
	buf_free(&bn);
	out->missing_adjoint = miss.len ? buf_detach(&miss, NULL) : NULL;
	buf_free(&miss);
	/* geometry: every kind the body queries must come from a uint64
	 * parameter (geometry.c builds a small real object for it) */
	static const char *const geo[XG_COUNT] = {NULL, "wp::mesh_", "wp::bvh_", "wp::hash_grid_", "wp::volume_", "wp::texture_"};
	for (int k = XG_MESH; k < XG_COUNT && !out->unsupported; k++) {
		if (!has(b, e, geo[k]))
			continue;
		int bound = 0;
		for (int i = 0; i < out->nparams; i++)
			bound |= out->params[i].geo == (xgeo_kind)k;
		if (!bound) {
			buf w = BUF_INIT;
			buf_printf(&w, "geometry: %.*s* queries on an id that is not a kernel parameter",
				   (int)strlen(geo[k]) - 1, geo[k]);
			out->unsupported = buf_detach(&w, NULL);
		}
	}
	return 0;
fail:
	sig_free(out);
	return -1;
}

void sig_free(sig *s)
{
	for (xtype *t = s->types, *n; t; t = n) {
		n = t->next_alloc;
		for (int i = 0; i < t->nfields; i++)
			free(t->fields[i].name);
		free(t->fields);
		free(t->name);
		free(t);
	}
	for (int i = 0; i < s->nparams; i++)
		free(s->params[i].name);
	free(s->params);
	free(s->entry);
	free(s->unsupported);
	free(s->missing_adjoint);
	memset(s, 0, sizeof *s);
}

/* inputs: a kernel's launch shape, buffers and wp_args bytes; see inputs.h. */
#include "exec/inputs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "common/util.h"

void *xin_alloc(xinputs *in, size_t n);
#define own xin_alloc
void *xin_alloc(xinputs *in, size_t n)
{
	if (in->nallocs % 16 == 0) {
		in->allocs = xrealloc(in->allocs, (size_t)(in->nallocs + 16) * sizeof *in->allocs);
		in->alloc_bytes = xrealloc(in->alloc_bytes, (size_t)(in->nallocs + 16) * sizeof *in->alloc_bytes);
	}
	void *p = xcalloc(1, n ? n : 1);
	in->alloc_bytes[in->nallocs] = n;
	in->allocs[in->nallocs++] = p;
	return p;
}

/* A value in [0, 1) for (seed, set, param, i, c). */
static double unit(uint64_t seed, int set, int param, size_t i, int c)
{
	uint64_t x = seed ^ ((uint64_t)set << 56) ^ ((uint64_t)(param + 1) << 40) ^ ((uint64_t)c << 32);
	x = rng_splitmix64(&x) ^ i;
	return (double)(rng_splitmix64(&x) >> 11) * (1.0 / 9007199254740992.0);
}

static uint16_t to_half(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	uint32_t sign = (u >> 16) & 0x8000, e = (u >> 23) & 0xff, m = u & 0x7fffff;
	if (e < 103)
		return (uint16_t)sign;
	if (e > 142)
		return (uint16_t)(sign | 0x7c00);
	if (e < 113) { /* subnormal half */
		m |= 0x800000;
		return (uint16_t)(sign | (m >> (126 - e)));
	}
	return (uint16_t)(sign | ((e - 112) << 10) | (m >> 13));
}

static float from_half(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
	float f;
	if (e == 0)
		f = ldexpf((float)m, -24);
	else if (e == 31)
		f = m ? NAN : INFINITY;
	else
		f = ldexpf((float)(m | 0x400), (int)e - 25);
	return sign ? -f : f;
}

static void put_scalar(xscalar sk, unsigned char *p, double v)
{
	switch (sk) {
	case XS_F16: { uint16_t h = to_half((float)v); memcpy(p, &h, 2); break; }
	case XS_F32: { float f = (float)v; memcpy(p, &f, 4); break; }
	case XS_F64: memcpy(p, &v, 8); break;
	case XS_I8: case XS_U8: case XS_BOOL: { int8_t x = (int8_t)v; memcpy(p, &x, 1); break; }
	case XS_I16: case XS_U16: { int16_t x = (int16_t)v; memcpy(p, &x, 2); break; }
	case XS_I32: case XS_U32: { int32_t x = (int32_t)v; memcpy(p, &x, 4); break; }
	default: { int64_t x = (int64_t)v; memcpy(p, &x, 8); break; }
	}
}

static double get_scalar(xscalar sk, const unsigned char *p)
{
	union { uint16_t h; float f; double d; int8_t i8; uint8_t u8; int16_t i16; uint16_t u16;
		int32_t i32; uint32_t u32; int64_t i64; uint64_t u64; } u;
	memcpy(&u, p, xscalar_size(sk));
	switch (sk) {
	case XS_F16: return from_half(u.h);
	case XS_F32: return u.f;
	case XS_F64: return u.d;
	case XS_I8: return u.i8;
	case XS_U8: case XS_BOOL: return u.u8;
	case XS_I16: return u.i16;
	case XS_U16: return u.u16;
	case XS_I32: return u.i32;
	case XS_U32: return u.u32;
	case XS_I64: return (double)u.i64;
	default: return (double)u.u64;
	}
}

double xin_get(const xarr *a, const unsigned char *base, size_t i, int c)
{
	size_t z = xscalar_size(a->elem->sk);
	return get_scalar(a->elem->sk, base + i * a->elem->size + (size_t)c * z);
}

void xin_set(const xarr *a, unsigned char *base, size_t i, int c, double v)
{
	size_t z = xscalar_size(a->elem->sk);
	put_scalar(a->elem->sk, base + i * a->elem->size + (size_t)c * z, v);
}

/* A scalar drawn for an array element (elem 1) or a plain value (0). */
static double draw(xscalar sk, double u, int elem)
{
	if (xscalar_is_float(sk))
		return 2.0 * u - 1.0;
	if (sk == XS_BOOL)
		return u < 0.5 ? 0 : 1;
	if (!elem)
		return 1 + (int)(u * 8); /* counts, sizes, iterations: 1..8 */
	int sgn = sk == XS_I8 || sk == XS_I16 || sk == XS_I32 || sk == XS_I64;
	return sgn ? (int)(u * 9) - 4 : (int)(u * 8);
}

typedef struct ctx {
	const sig *s;
	xinputs *in;
	uint64_t seed;
	int set, param;
	int shape[4], ndim; /* arrays' */
	size_t salt; /* separates the values of a struct's members */
} ctx;

static void fill_value(ctx *c, const xtype *t, unsigned char *dst, unsigned char *adj, size_t i, xrole role, int top);

static void put_array_t(unsigned char *p, void *data, void *grad, int ndim, const int *shape, size_t esz)
{
	memset(p, 0, 56);
	memcpy(p, &data, 8);
	memcpy(p + 8, &grad, 8);
	int strides[4] = {0};
	size_t st = esz;
	for (int d = ndim - 1; d >= 0; d--) {
		strides[d] = (int)st;
		st *= (size_t)shape[d];
	}
	memcpy(p + 16, shape, (size_t)ndim * 4);
	memcpy(p + 32, strides, 16);
	uint16_t nd = (uint16_t)ndim;
	memcpy(p + 48, &nd, 2);
}

static void make_array(ctx *c, const xtype *t, unsigned char *dst, unsigned char *adj, xrole role, int top)
{
	xinputs *in = c->in;
	const xtype *e = t->elem;
	int ndim = t->kind == XK_ARRAY ? c->ndim : 1;
	size_t count = 1;
	int shape[4] = {0};
	for (int d = 0; d < ndim; d++) {
		shape[d] = c->shape[d];
		count *= (size_t)shape[d];
	}
	if (t->kind != XK_ARRAY) { /* indexed and fabric arrays: 1D of the launch's size */
		shape[0] = (int)count;
		for (int d = 1; d < 4; d++)
			shape[d] = 0;
	}
	unsigned char *data = own(in, count * e->size), *grad = own(in, count * e->size);
	if (in->narrs % 8 == 0)
		in->arrs = xrealloc(in->arrs, (size_t)(in->narrs + 8) * sizeof *in->arrs);
	xarr *a = &in->arrs[in->narrs++];
	*a = (xarr){.param = c->param, .top = top, .elem = e, .ndim = ndim, .count = count, .data = data,
		    .adj = grad, .bytes = count * e->size};
	memcpy(a->shape, shape, sizeof shape);
	if (role != XR_ACCUM)
		for (size_t i = 0; i < count; i++)
			fill_value(c, e, data + i * e->size, NULL, i, role, 0);
	if (t->kind == XK_ARRAY) {
		put_array_t(dst, data, grad, ndim, shape, e->size);
		if (adj)
			put_array_t(adj, grad, NULL, ndim, shape, e->size);
	} else if (t->kind == XK_INDEXED) {
		int *idx = own(in, count * sizeof(int));
		for (size_t i = 0; i < count; i++)
			idx[i] = (int)(count - 1 - i);
		put_array_t(dst, data, grad, 1, shape, e->size);
		memcpy(dst + 56, &idx, 8);
		memcpy(dst + 88, shape, 16);
		if (adj) {
			put_array_t(adj, grad, NULL, 1, shape, e->size);
			memcpy(adj + 56, &idx, 8);
			memcpy(adj + 88, shape, 16);
		}
	} else { /* fabricarray_t: one bucket holding every element */
		for (int k = 0; k < 2; k++) {
			unsigned char *p = k ? adj : dst;
			if (!p)
				continue;
			unsigned char *bucket = own(in, 32);
			size_t lo = 0, nb = 1;
			void *ptr = k ? (void *)grad : (void *)data;
			memcpy(bucket, &lo, 8);
			memcpy(bucket + 8, &count, 8);
			memcpy(bucket + 16, &ptr, 8);
			memcpy(p, &bucket, 8);
			memcpy(p + 8, &nb, 8);
			memcpy(p + 16, &count, 8);
		}
	}
}

static void fill_value(ctx *c, const xtype *t, unsigned char *dst, unsigned char *adj, size_t i, xrole role, int top)
{
	switch (t->kind) {
	case XK_VALUE: {
		size_t z = xscalar_size(t->sk);
		for (int k = 0; k < t->ncomp; k++) {
			double u = unit(c->seed, c->set, c->param, i, (int)(k + c->salt));
			put_scalar(t->sk, dst + (size_t)k * z, draw(t->sk, u, !top));
		}
		break;
	}
	case XK_STRUCT:
		for (int f = 0; f < t->nfields; f++) {
			c->salt += 64;
			fill_value(c, t->fields[f].type, dst + t->fields[f].offset, adj ? adj + t->fields[f].offset : NULL,
				   i, role, top);
		}
		break;
	case XK_TEXTURE: /* geometry.c writes its descriptor */
		break;
	default:
		make_array(c, t, dst, adj, role, top && t == c->s->params[c->param].type);
	}
}

void xin_build(const sig *s, uint64_t seed, int set, xinputs *out)
{
	memset(out, 0, sizeof *out);
	static const int extent[5] = {0, 64, 8, 4, 3};
	out->ndim = s->launch_ndim;
	out->coord_mult = s->tiled ? (size_t)s->block_dim : 1;
	out->size = out->coord_mult;
	for (int d = 0; d < out->ndim; d++) {
		out->launch[d] = s->tiled ? 2 : (uint32_t)extent[out->ndim];
		out->size *= out->launch[d];
	}
	out->args = own(out, s->args_size);
	out->adj_args = own(out, s->args_size);
	for (int p = 0; p < s->nparams; p++) {
		const xparam *x = &s->params[p];
		ctx c = {.s = s, .in = out, .seed = seed, .set = set, .param = p, .ndim = x->ndim};
		for (int d = 0; d < 4; d++)
			c.shape[d] = s->tiled ? (s->launch_ndim == 1 ? 256 : 64) : extent[out->ndim];
		fill_value(&c, x->type, out->args + x->offset, out->adj_args + x->offset, 0, x->role, 1);
	}
}

/* Whether perturbation k moves scalar (param, sub, i, c) up: sub is 0 for
 * a value passed by value, 1 + the array's place in in->arrs otherwise. */
static int step_up(int k, int param, int sub, size_t i, int c)
{
	uint64_t x = 0x6a09e667f3bcc909ULL ^ ((uint64_t)k << 48) ^ ((uint64_t)(param + 1) << 32) ^
		     ((uint64_t)sub << 16) ^ (uint64_t)c;
	x = rng_splitmix64(&x) ^ i;
	return (int)(rng_splitmix64(&x) >> 63);
}

/* One step of the half encoding toward +inf (up) or -inf; NaN and the
 * infinities stay. */
static uint16_t half_step(uint16_t h, int up)
{
	if ((h & 0x7fff) >= 0x7c00)
		return h;
	if (!(h & 0x8000)) /* +0 and positives */
		return up ? (uint16_t)(h + 1) : h == 0 ? 0x8001 : (uint16_t)(h - 1);
	return up ? (h == 0x8000 ? 0x0001 : (uint16_t)(h - 1)) : (uint16_t)(h + 1);
}

static void step_scalar(xscalar sk, unsigned char *p, int up)
{
	switch (sk) {
	case XS_F16: {
		uint16_t h;
		memcpy(&h, p, 2);
		h = half_step(h, up);
		memcpy(p, &h, 2);
		break;
	}
	case XS_F32: {
		float f;
		memcpy(&f, p, 4);
		if (isfinite(f))
			f = nextafterf(f, up ? INFINITY : -INFINITY);
		memcpy(p, &f, 4);
		break;
	}
	case XS_F64: {
		double d;
		memcpy(&d, p, 8);
		if (isfinite(d))
			d = nextafter(d, up ? INFINITY : -INFINITY);
		memcpy(p, &d, 8);
		break;
	}
	default: /* integers and bools stay */
		break;
	}
}

/* Every float scalar of a value of type t at p (element i); *c numbers its
 * scalars. Arrays inside a struct are in in->arrs: perturbed there. */
static void step_value(const xtype *t, unsigned char *p, int k, int param, int sub, size_t i, int *c)
{
	if (t->kind == XK_VALUE) {
		size_t z = xscalar_size(t->sk);
		for (int j = 0; j < t->ncomp; j++, (*c)++)
			if (xscalar_is_float(t->sk))
				step_scalar(t->sk, p + (size_t)j * z, step_up(k, param, sub, i, *c));
	} else if (t->kind == XK_STRUCT) {
		for (int f = 0; f < t->nfields; f++)
			step_value(t->fields[f].type, p + t->fields[f].offset, k, param, sub, i, c);
	}
}

void xin_perturb(const sig *s, xinputs *in, int k)
{
	if (k <= 0)
		return;
	for (int p = 0; p < s->nparams; p++) {
		const xparam *x = &s->params[p];
		if (x->geo != XG_NONE || (x->type->kind != XK_VALUE && x->type->kind != XK_STRUCT))
			continue;
		int c = 0;
		step_value(x->type, in->args + x->offset, k, p, 0, 0, &c);
	}
	for (int j = 0; j < in->narrs; j++) {
		const xarr *a = &in->arrs[j];
		xrole r = s->params[a->param].role;
		if (r != XR_INPUT && r != XR_INOUT)
			continue;
		for (size_t i = 0; i < a->count; i++) {
			int c = 0;
			step_value(a->elem, a->data + i * a->elem->size, k, a->param, j + 1, i, &c);
		}
	}
}

void xin_free(xinputs *in)
{
	for (int i = 0; i < in->nallocs; i++)
		free(in->allocs[i]);
	free(in->allocs);
	free(in->alloc_bytes);
	free(in->arrs);
	memset(in, 0, sizeof *in);
}

size_t xin_bounds(const xinputs *in, unsigned char *out)
{
	/* launch_bounds_t<N>: uint32 shape[N], then size_t size, coord_mult */
	size_t off = ((size_t)in->ndim * 4 + 7) / 8 * 8;
	memset(out, 0, off + 16);
	memcpy(out, in->launch, (size_t)in->ndim * 4);
	memcpy(out + off, &in->size, 8);
	memcpy(out + off + 8, &in->coord_mult, 8);
	return off + 16;
}

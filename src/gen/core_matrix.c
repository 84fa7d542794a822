/* core_matrix: the cores of the categories that build matrices: matrix
 * (square float32 matrices and their decompositions svd3/qr3/eig3) and
 * linalg, the matrix types the shared expression grammar does not model:
 * non-square matrix types declared at module level, spatial matrices and
 * float64 matrices, each built by a fixed template around random float32
 * expressions. */
#include "gen/core.h"

#include <stdio.h>

#include "gen/expr.h"
#include "gen/stmt.h"

/* Added to a matrix before svd3/eig3: a generated matrix is often a
 * multiple of the identity or a rotation, whose singular values or
 * eigenvalues coincide, and then U, V or the eigenvectors are not unique
 * (CPU and CUDA pick different ones: two H200 divergences). With distinct
 * diagonal offsets the spectrum is distinct but on a set of measure zero. */
#define SPREAD "wp.diag(wp.vec3(0.0, 0.5, 1.0))"

// matrix = m = mop NEWLINE [U, s, V = wp.svd3(m + D) | Q, R = wp.qr3(m) | E, d = wp.eig3(m + m^T + D)] NEWLINE r = e
const gen_var *gen_core_matrix(gen_ctx *c)
{
	rng *r = &c->r;
	wty mt = wty_mat(rng_range(r, 2, 4));
	if (rng_chance(r, 0.5))
		mt = WT_M33;
	c->types |= WT_BIT(mt) | WT_BIT(wty_vec(wty_dim(mt)));
	const gen_var *m = gen_decl(c, NULL, mt);
	if (rng_chance(r, 0.5))
		m = gen_decl(c, NULL, mt);
	if (m && mt == WT_M33 && rng_chance(r, 0.45)) {
		static const char *const b3[] = {"U", "sigma", "V"}, *const bq[] = {"Q", "R"}, *const be[] = {"evecs", "evals"};
		static const wty t3[] = {WT_M33, WT_V3, WT_M33}, tq[] = {WT_M33, WT_M33}, te[] = {WT_M33, WT_V3};
		gen_var *v[3];
		switch (rng_below(r, 3)) {
		case 0:
			gen_unpack_start(c, v, b3, 3);
			buf_printf(c->b, "wp.svd3(%s + " SPREAD ")\n", m->name);
			gen_unpack_finish(v, t3, 3);
			break;
		case 1:
			gen_unpack_start(c, v, bq, 2);
			buf_printf(c->b, "wp.qr3(%s)\n", m->name);
			gen_unpack_finish(v, tq, 2);
			break;
		default:
			gen_unpack_start(c, v, be, 2);
			buf_printf(c->b, "wp.eig3(%s + wp.transpose(%s) + " SPREAD ")\n", m->name, m->name);
			gen_unpack_finish(v, te, 2);
			break;
		}
	}
	if (rng_chance(r, 0.5))
		return gen_decl(c, NULL, wty_vec(wty_dim(mt)));
	return gen_result(c);
}

/* name "=" text: a float32 local whose right-hand side the caller writes. */
static gen_var *start_f(gen_ctx *c, const char *base) { return gen_decl_start(c, base, WT_F32); }

static void end_f(gen_ctx *c, gen_var *v)
{
	gen_put(c, "\n");
	gen_decl_finish(v, WT_F32);
}

/* The linalg profile's module-level types, between its setup and core. */
static _Thread_local struct {
	int rows, cols;
	char name[8];
} L;

/* phase 0: `matRC = wp.types.matrix(shape=(R, C), dtype=wp.float32)`, a
 * non-square matrix type the kernel constructs by name. */
void gen_setup_linalg(gen_ctx *c, int phase)
{
	static const int shapes[][2] = {{2, 3}, {3, 2}, {3, 4}, {4, 3}, {2, 4}, {4, 2}};
	rng *r = &c->r;
	if (phase != 0)
		return;
	int k = (int)rng_below(r, 6);
	L.rows = shapes[k][0];
	L.cols = shapes[k][1];
	snprintf(L.name, sizeof L.name, "mat%d%d", L.rows, L.cols);
	buf_printf(c->b, "%s = wp.types.matrix(shape=(%d, %d), dtype=%s)\n\n\n", L.name, L.rows, L.cols,
	           rng_chance(r, 0.5) ? "wp.float32" : "float");
	c->types |= WT_BIT(WT_F32) | WT_BIT(wty_vec(L.rows)) | WT_BIT(wty_vec(L.cols));
}

/* wp.vecN(e, ..., e) of float32 expressions. */
static void vec_of(gen_ctx *c, int n)
{
	buf_printf(c->b, "wp.vec%d(", n);
	for (int i = 0; i < n; i++) {
		if (i)
			gen_put(c, ", ");
		gen_arg(c, WT_F32, 1);
	}
	gen_put(c, ")");
}

// nonsquare = m = matRC(e...) | wp.outer(..) NEWLINE m = m / wp.sqrt(wp.ddot(m, m) + 1.0)
//             NEWLINE y = m @ vecC NEWLINE g = m @ wp.transpose(m) (or m^T m when tall) ...
static const gen_var *nonsquare(gen_ctx *c)
{
	rng *r = &c->r;
	int R = L.rows, C = L.cols;
	char m[GEN_NAME], o[GEN_NAME];
	gen_fresh_name(c, m, "m");
	gen_line(c);
	if (rng_chance(r, 0.7)) {
		buf_printf(c->b, "%s = %s(", m, L.name);
		for (int i = 0; i < R * C; i++) {
			if (i)
				gen_put(c, ", ");
			if (rng_chance(r, 0.4))
				gen_arg(c, WT_F32, 1);
			else
				gen_lit(c, WT_F32);
		}
		gen_put(c, ")\n");
	} else {
		buf_printf(c->b, "%s = wp.outer(", m);
		vec_of(c, R);
		gen_put(c, ", ");
		vec_of(c, C);
		gen_put(c, ")\n");
	}
	/* normalised: |m|_F < 1, so m's products, Gram determinant and the
	 * sums below stay O(1) and no rounding difference between devices is
	 * amplified by a determinant of huge entries */
	gen_line(c);
	buf_printf(c->b, "%s = %s / wp.sqrt(wp.ddot(%s, %s) + 1.0)\n", m, m, m, m);
	int n = R < C ? R : C; /* the Gram matrix of the short side: m m^T of a tall m is singular */
	gen_var *y = gen_decl_start(c, "y", wty_vec(R));
	if (!y)
		return NULL;
	buf_printf(c->b, "%s @ ", m);
	vec_of(c, C);
	gen_put(c, "\n");
	gen_decl_finish(y, wty_vec(R));
	gen_var *g = gen_decl_start(c, "g", wty_mat(n));
	if (!g)
		return y;
	const char *fmt = R <= C ? "%s @ wp.transpose(%s)" : "wp.transpose(%s) @ %s";
	if (rng_chance(r, 0.5)) {
		buf_printf(c->b, fmt, m, m);
	} else {
		gen_put(c, "wp.mul(");
		buf_printf(c->b, R <= C ? "%s, wp.transpose(%s)" : "wp.transpose(%s), %s", m, m);
		buf_printf(c->b, ") + wp.identity(n=%d, dtype=float)", n);
	}
	gen_put(c, "\n");
	gen_decl_finish(g, wty_mat(n));
	gen_fresh_name(c, o, "t");
	gen_line(c);
	buf_printf(c->b, "%s = %s * ", o, m);
	gen_lit(c, WT_F32);
	buf_printf(c->b, " - wp.outer(%s, ", y->name);
	vec_of(c, C);
	gen_put(c, ")\n");
	gen_var *s = start_f(c, "s");
	if (!s)
		return g;
	switch (rng_below(r, 3)) {
	case 0: buf_printf(c->b, "wp.ddot(%s, %s) + wp.determinant(%s)", m, o, g->name); break;
	case 1: {
		int col = rng_range(r, 0, C - 1), row = rng_range(r, 0, R - 1);
		buf_printf(c->b, "wp.trace(%s) + %s[%d, %d]", g->name, o, row, col);
		break;
	}
	default: buf_printf(c->b, "wp.length(%s) + wp.ddot(%s, %s)", y->name, o, o); break;
	}
	end_f(c, s);
	return s;
}

/* spatial = sv = wp.spatial_vector(..) NEWLINE sv = sv / wp.sqrt(wp.dot(sv, sv) + 1.0)
 *           NEWLINE T = wp.spatial_adjoint(R, wp.skew(p) @ R) | I6 * k + wp.outer(sv, sv)
 *           NEWLINE f = T @ sv NEWLINE s = wp.spatial_dot(f, sv) ... */
static const gen_var *spatial(gen_ctx *c)
{
	rng *r = &c->r;
	char sv[GEN_NAME], T[GEN_NAME], f[GEN_NAME];
	gen_fresh_name(c, sv, "sv");
	gen_line(c);
	buf_printf(c->b, "%s = wp.spatial_vector(", sv);
	vec_of(c, 3);
	gen_put(c, ", ");
	vec_of(c, 3);
	gen_put(c, ")\n");
	gen_line(c); /* normalised: T @ sv below is cubic in sv */
	buf_printf(c->b, "%s = %s / wp.sqrt(wp.dot(%s, %s) + 1.0)\n", sv, sv, sv, sv);
	gen_fresh_name(c, T, "T");
	gen_line(c);
	if (rng_chance(r, 0.5)) {
		char R[GEN_NAME];
		gen_fresh_name(c, R, "R");
		buf_printf(c->b, "%s = wp.quat_to_matrix(wp.quat_from_axis_angle(wp.normalize(", R);
		vec_of(c, 3);
		gen_put(c, " + wp.vec3(0.0, 0.0, 1.0e-3)), ");
		gen_arg(c, WT_F32, 1);
		gen_put(c, "))\n");
		gen_line(c);
		buf_printf(c->b, "%s = wp.spatial_adjoint(%s, wp.skew(", T, R);
		vec_of(c, 3);
		buf_printf(c->b, ") @ %s)\n", R);
	} else {
		buf_printf(c->b, "%s = wp.identity(n=6, dtype=float) * ", T);
		gen_lit(c, WT_F32);
		buf_printf(c->b, " + wp.outer(%s, %s)\n", sv, sv);
	}
	gen_fresh_name(c, f, "f");
	gen_line(c);
	buf_printf(c->b, "%s = %s @ %s\n", f, T, sv);
	gen_var *s = start_f(c, "s");
	if (!s)
		return NULL;
	switch (rng_below(r, 3)) {
	case 0: buf_printf(c->b, "wp.spatial_dot(%s, %s)", f, sv); break;
	case 1: buf_printf(c->b, "wp.length(wp.spatial_top(%s)) + wp.dot(wp.spatial_bottom(%s), wp.spatial_top(%s))", f, f, sv); break;
	default: {
		int col = rng_range(r, 0, 5), row = rng_range(r, 0, 5);
		buf_printf(c->b, "wp.spatial_dot(wp.spatial_cross(%s, %s), %s) + %s[%d, %d]", sv, f, sv, T, row, col);
		break;
	}
	}
	end_f(c, s);
	return s;
}

// double = md = wp.mat22d(...) | wp.mat33d(...) NEWLINE md = md / |md|-ish NEWLINE s = float(wp.determinant(md) ...)
static const gen_var *double_mat(gen_ctx *c)
{
	rng *r = &c->r;
	int n = rng_range(r, 2, 3);
	char m[GEN_NAME];
	gen_fresh_name(c, m, "md");
	gen_line(c);
	buf_printf(c->b, "%s = wp.mat%d%dd(", m, n, n);
	for (int i = 0; i < n * n; i++) {
		gen_put(c, i ? ", wp.float64(" : "wp.float64(");
		if (rng_chance(r, 0.4))
			gen_arg(c, WT_F32, 1);
		else
			gen_lit(c, WT_F32);
		gen_put(c, ")");
	}
	gen_put(c, ")\n");
	gen_line(c); /* normalised, as nonsquare's m */
	buf_printf(c->b, "%s = %s / wp.sqrt(wp.ddot(%s, %s) + wp.float64(1.0))\n", m, m, m, m);
	gen_var *s = start_f(c, "s");
	if (!s)
		return NULL;
	buf_printf(c->b, "float(wp.determinant(%s) + wp.trace(wp.transpose(%s) @ %s))", m, m, m);
	end_f(c, s);
	return s;
}

/* linalg = one or two of: nonsquare, spatial, double; then r = s + s' */
const gen_var *gen_core_linalg(gen_ctx *c)
{
	rng *r = &c->r;
	const gen_var *a = nonsquare(c), *b = NULL;
	int k = (int)rng_below(r, 3);
	if (k == 1)
		b = spatial(c);
	else if (k == 2)
		b = double_mat(c);
	if (!a || !b || a->type != WT_F32 || b->type != WT_F32)
		return b ? b : a;
	gen_var *s = start_f(c, "res");
	if (!s)
		return b;
	buf_printf(c->b, "%s + %s", a->name, b->name);
	end_f(c, s);
	return s;
}

/* test_gen: the kernel generator: purity (same index, same bytes), exact
 * category balance, unique names, each category's defining construct, the
 * module's shape (header, indentation, brackets) and name round trips. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/catalog.h"
#include "gen/gen.h"

static gen_kernel make(uint64_t seed, uint32_t cats, uint64_t index)
{
	gen_options o = {seed, cats};
	gen_kernel k;
	memset(&k, 0, sizeof k);
	gen_kernel_make(&o, index, &k);
	return k;
}

static void test_deterministic(void **state)
{
	(void)state;
	gen_options o = {12345, 0};
	gen_kernel reused;
	memset(&reused, 0, sizeof reused);
	/* filling a used struct, in another order, gives the same bytes */
	for (uint64_t i = 0; i < 300; i++)
		gen_kernel_make(&o, 299 - i, &reused);
	for (uint64_t i = 0; i < 300; i++) {
		gen_kernel a = make(12345, 0, i);
		gen_kernel_make(&o, i, &reused);
		assert_int_equal(a.category, reused.category);
		assert_string_equal(a.name, reused.name);
		assert_int_equal(a.source.len, reused.source.len);
		assert_memory_equal(a.source.data, reused.source.data, a.source.len);
		gen_kernel_free(&a);
	}
	gen_kernel_free(&reused);
}

static void test_seeds_differ(void **state)
{
	(void)state;
	int same = 0;
	for (uint64_t i = 0; i < 200; i++) {
		gen_kernel a = make(1, 0, i), b = make(2, 0, i);
		same += strcmp(buf_cstr(&a.source), buf_cstr(&b.source)) == 0;
		gen_kernel_free(&a);
		gen_kernel_free(&b);
	}
	assert_true(same <= 2);
}

static void check_balance(uint64_t seed, uint32_t cats, int blocks)
{
	int k = 0, enabled[GEN_CATEGORY_COUNT] = {0};
	for (int c = 0; c < GEN_CATEGORY_COUNT; c++)
		if (cats ? (cats >> c) & 1 : c < GEN_SEED_COUNT)
			enabled[c] = 1, k++;
	for (int b = 0; b < blocks; b++) {
		int seen[GEN_CATEGORY_COUNT] = {0};
		for (int j = 0; j < k; j++) {
			gen_kernel g = make(seed, cats, (uint64_t)b * (uint64_t)k + (uint64_t)j);
			assert_true(g.category >= 0 && g.category < GEN_CATEGORY_COUNT);
			assert_true(enabled[g.category]);
			seen[g.category]++;
			gen_kernel_free(&g);
		}
		for (int c = 0; c < GEN_CATEGORY_COUNT; c++)
			assert_int_equal(seen[c], enabled[c]);
	}
}

static void test_balance(void **state)
{
	(void)state;
	check_balance(7, 0, 100); /* 1100 kernels, every category per block of 11 */
	check_balance(8, (1u << GEN_LOOP) | (1u << GEN_ATOMIC) | (1u << GEN_VECTOR), 50);
	check_balance(9, 1u << GEN_MATH, 20);
	check_balance(10, GEN_ALL_MASK, 40); /* every profile, seed and beyond */
	check_balance(11, (1u << GEN_FUNC) | (1u << GEN_ARITHMETIC), 30);
}

static void test_block_order_varies(void **state)
{
	(void)state;
	int differ = 0;
	for (uint64_t b = 1; b < 20; b++) {
		gen_kernel x = make(3, 0, 0), y = make(3, 0, b * GEN_CATEGORY_COUNT);
		differ += x.category != y.category;
		gen_kernel_free(&x);
		gen_kernel_free(&y);
	}
	assert_true(differ > 5);
}

static int cmp_name(const void *a, const void *b) { return strcmp(a, b); }

static void test_names_unique(void **state)
{
	(void)state;
	enum { N = 20000 };
	char(*names)[48] = calloc(N, sizeof *names);
	assert_non_null(names);
	gen_options o = {99, 0};
	gen_kernel k;
	memset(&k, 0, sizeof k);
	for (uint64_t i = 0; i < N; i++) {
		gen_kernel_make(&o, i, &k);
		memcpy(names[i], k.name, sizeof k.name);
		/* the module defines exactly this name */
		char def[64];
		snprintf(def, sizeof def, "\ndef %s(", k.name);
		assert_non_null(strstr(buf_cstr(&k.source), def));
	}
	gen_kernel_free(&k);
	qsort(names, N, sizeof *names, cmp_name);
	for (int i = 1; i < N; i++)
		assert_string_not_equal(names[i - 1], names[i]);
	free(names);
}

static void test_name_format(void **state)
{
	(void)state;
	static const char *const prefix[GEN_CATEGORY_COUNT] = {
		"arith_", "cond_", "loop_", "math_", "vec_", "atomic_",
		"nested_", "multicond_", "combined_", "scalar_", "randmath_",
		"mat_", "xform_", "struct_", "func_", "rand_", "bits_", "whilebrk_", "grid_",
		"quat_", "geom_", "tile_", "dtype_", "linalg_",
	};
	uint64_t idx[] = {0, 35, 36, 1295, 1296, 123456789, UINT64_MAX};
	for (size_t i = 0; i < sizeof idx / sizeof *idx; i++) {
		gen_kernel k = make(5, GEN_ALL_MASK, idx[i]);
		const char *p = prefix[k.category];
		assert_memory_equal(k.name, p, strlen(p));
		const char *tail = k.name + strlen(p) + 4; /* skip the 4-char tag */
		assert_true(strlen(k.name) >= strlen(p) + 5);
		assert_true(strtoull(tail, NULL, 36) == idx[i]);
		gen_kernel_free(&k);
	}
}

static void test_category_names(void **state)
{
	(void)state;
	static const char *const want[GEN_CATEGORY_COUNT] = {
		"arithmetic", "conditional", "loop", "math", "vector", "atomic",
		"nested", "multi_cond", "combined", "scalar_param", "random_math",
		"matrix", "transform", "struct", "func", "random", "bitwise", "while_break", "multi_dim",
		"quaternion", "geometry", "tile", "dtypes", "linalg",
	};
	for (int c = 0; c < GEN_CATEGORY_COUNT; c++) {
		assert_string_equal(gen_category_name((gen_category)c), want[c]);
		assert_int_equal(gen_category_from_name(want[c]), c);
		assert_int_equal(gen_category_from_name(gen_category_name((gen_category)c)), c);
	}
	assert_int_equal(gen_category_from_name("nope"), -1);
	assert_int_equal(gen_category_from_name(""), -1);
	assert_int_equal(gen_category_from_name(NULL), -1);
}

/* The help text's category list is the profile table's: the default (every
 * profile, realistic) and 'seed' (the 11, synthetic) said first, every
 * category as a whole word in table order, the seed ones before "Further
 * profiles:", then 'all', on lines that start with the indent and fit the
 * width. */
static void test_categories_help(void **state)
{
	(void)state;
	buf b = BUF_INIT;
	gen_categories_help(&b, "    ", 60);
	const char *s = buf_cstr(&b), *optin = strstr(s, "Further profiles:"), *last = s;
	assert_non_null(strstr(s, "Default: all 24, in the realistic"));
	assert_non_null(strstr(s, "'seed':"));
	assert_non_null(strstr(s, "synthetic style unless"));
	assert_non_null(optin);
	for (int c = 0; c < GEN_CATEGORY_COUNT; c++) {
		const char *name = gen_category_name((gen_category)c), *hit = NULL;
		size_t n = strlen(name);
		for (const char *p = strstr(s, name); p && !hit; p = strstr(p + 1, name))
			if (p[-1] == ' ' && p[n] && strchr(",.;", p[n]))
				hit = p;
		assert_non_null(hit);
		assert_true(hit > last);
		assert_true(c < GEN_SEED_COUNT ? hit < optin : hit > optin);
		last = hit;
	}
	assert_non_null(strstr(last, "'all'"));
	for (const char *p = s; *p;) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_true(nl - p <= 60);
		assert_memory_equal(p, "    ", 4);
		assert_true(p[4] != ' ');
		p = nl + 1;
	}
	buf_free(&b);
}

/* ---- source inspection helpers ---- */

static int has_any(const char *s, const char *const *needles)
{
	for (; *needles; needles++)
		if (strstr(s, *needles))
			return 1;
	return 0;
}

static const char *const math_fns[] = {
	"wp.sin(", "wp.cos(", "wp.tan(", "wp.exp(", "wp.sqrt(", "wp.log", "wp.abs(", "wp.pow(",
	"wp.tanh(", "wp.floor(", "wp.ceil(", "wp.min(", "wp.max(", "wp.clamp(", "wp.atan", "wp.asin(",
	"wp.acos(", "wp.sinh(", "wp.cosh(", "wp.round(", "wp.trunc(", "wp.sign(", "wp.frac(", "wp.cbrt(", NULL,
};

/* The parameter list between "def name(" and "):", split at top-level commas. */
static int count_params(const char *src, int *scalars)
{
	const char *p = strstr(src, "\ndef ");
	p = strchr(p, '(') + 1;
	int n = 1, depth = 0, arr = 0;
	*scalars = 0;
	const char *start = p;
	for (; *p && !(depth == 0 && *p == ')'); p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (*p == ',' && depth == 0) {
			arr = strstr(start, "wp.array") && strstr(start, "wp.array") < p;
			*scalars += !arr;
			n++;
			start = p + 1;
		}
	}
	arr = strstr(start, "wp.array") && strstr(start, "wp.array") < p;
	*scalars += !arr;
	return n;
}

static int indent_of(const char *line)
{
	int n = 0;
	while (line[n] == ' ')
		n++;
	return n;
}

/* The start of the line holding p. */
static const char *line_start(const char *s, const char *p)
{
	while (p > s && p[-1] != '\n')
		p--;
	return p;
}

/* A `for` (or while) line inside the body of another one. */
static int has_nested_loop(const char *src)
{
	int outer = -1; /* indentation of the enclosing loop header, -1: none */
	for (const char *l = src; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		int ind = indent_of(l);
		if (outer >= 0 && ind <= outer && l[ind] != '\n')
			outer = -1;
		int loop = !strncmp(l + ind, "for ", 4) || !strncmp(l + ind, "while ", 6);
		if (loop && outer >= 0 && ind > outer)
			return 1;
		if (loop && outer < 0)
			outer = ind;
	}
	return 0;
}

/* Module shape: the fixed header, 4-space indentation, a deeper line after
 * every ':' line, balanced brackets on every line. */
static void check_shape(const gen_kernel *k)
{
	const char *s = buf_cstr(&k->source);
	char head[96];
	assert_memory_equal(s, "import warp as wp\n\n", 19);
	snprintf(head, sizeof head, "\n@wp.kernel\ndef %s(", k->name);
	const char *kern = strstr(s, head);
	assert_non_null(kern);
	if (k->category < GEN_SEED_COUNT) /* nothing above the kernel */
		assert_ptr_equal(kern, s + 18);
	if (k->category == GEN_MULTI_DIM || k->category == GEN_TILE)
		assert_non_null(strstr(kern, " = wp.tid()\n"));
	else
		assert_non_null(strstr(kern, "):\n    tid = wp.tid()\n"));
	assert_int_equal(s[k->source.len - 1], '\n');
	int prev_colon = 0, prev_ind = 0;
	for (const char *l = kern + 12; *l;) {
		const char *e = strchr(l, '\n');
		assert_non_null(e);
		int ind = indent_of(l);
		assert_int_equal(ind % 4, 0);
		if (prev_colon)
			assert_int_equal(ind, prev_ind + 4);
		int depth = 0;
		for (const char *p = l; p < e; p++) {
			depth += (*p == '(' || *p == '[') - (*p == ')' || *p == ']');
			assert_true(depth >= 0);
		}
		assert_int_equal(depth, 0);
		assert_true(e > l);
		prev_colon = e[-1] == ':';
		prev_ind = ind;
		l = e + 1;
	}
	assert_false(prev_colon);
	assert_null(strstr(s, "(null)"));
}

static void check_category(gen_category cat, int n)
{
	for (int i = 0; i < n; i++) {
		gen_kernel k = make(2024 + (uint64_t)cat, 1u << cat, (uint64_t)i);
		const char *s = buf_cstr(&k.source);
		assert_int_equal(k.category, cat);
		check_shape(&k);
		int scalars, params = count_params(s, &scalars);
		/* struct and geometry kernels may add a struct or id parameter,
		 * dtypes kernels up to three arrays of other element types */
		assert_true(params >= 1 && params <= (cat == GEN_STRUCT || cat == GEN_GEOMETRY ? 6 : cat == GEN_DTYPES ? 7 : 5));
		switch (cat) {
		case GEN_ARITHMETIC: {
			static const char *const ops[] = {" + ", " - ", " * ", " / ", " // ", " % ", NULL};
			assert_true(has_any(s, ops));
			break;
		}
		case GEN_CONDITIONAL: assert_non_null(strstr(s, "    if ")); break;
		case GEN_LOOP: {
			static const char *const loops[] = {"    for ", "    while ", NULL};
			assert_true(has_any(s, loops));
			break;
		}
		case GEN_MATH: case GEN_RANDOM_MATH: assert_true(has_any(s, math_fns)); break;
		case GEN_VECTOR: {
			static const char *const vops[] = {"wp.dot(", "wp.length", "wp.determinant(", "wp.trace(",
			                                   ".x", ".y", ".z", ".w", "[0]", "[1]", "[2]", "[3]", NULL};
			assert_non_null(strstr(s, "wp.vec"));
			assert_true(has_any(s, vops));
			break;
		}
		case GEN_ATOMIC: assert_non_null(strstr(s, "wp.atomic_")); break;
		case GEN_NESTED: assert_true(has_nested_loop(s)); break;
		case GEN_MULTI_COND: assert_non_null(strstr(s, "    elif ")); break;
		case GEN_COMBINED:
			assert_non_null(strstr(s, "    for "));
			assert_non_null(strstr(s, "    if "));
			assert_true(has_any(s, math_fns));
			break;
		case GEN_SCALAR_PARAM: assert_true(scalars >= 1); break;
		case GEN_MATRIX: {
			static const char *const mops[] = {"wp.identity(", "wp.outer(", "wp.diag(", "wp.transpose(",
			                                   "wp.inverse(", "wp.skew(", "wp.matrix_from_", "wp.quat_to_matrix(",
			                                   "wp.mat22(", "wp.transform_to_matrix(", NULL};
			assert_true(has_any(s, mops));
			break;
		}
		case GEN_TRANSFORM: {
			static const char *const xops[] = {"wp.transform_point(", "wp.transform_vector(", NULL};
			assert_true(has_any(s, xops));
			break;
		}
		case GEN_STRUCT: assert_non_null(strstr(s, "\n@wp.struct\nclass ")); break;
		case GEN_FUNC: {
			assert_non_null(strstr(s, "\n@wp.func\ndef "));
			/* the kernel calls a helper: "name(" after the kernel's def */
			const char *kern = strstr(s, "@wp.kernel");
			const char *f = strstr(s, "@wp.func\ndef ") + 13;
			char call[40];
			snprintf(call, sizeof call, " %.*s(", (int)(strchr(f, '(') - f), f);
			assert_non_null(strstr(kern, call));
			break;
		}
		case GEN_RANDOM:
			assert_non_null(strstr(s, " = wp.rand_init("));
			assert_true(strstr(s, "wp.randf(") || strstr(s, "wp.randn("));
			break;
		case GEN_BITWISE: {
			static const char *const bops[] = {" << ", " >> ", "~", "wp.bit_count(", NULL};
			assert_true(has_any(s, bops));
			break;
		}
		case GEN_WHILE_BREAK: {
			static const char *const jumps[] = {"break\n", "continue\n", NULL};
			assert_true(has_any(s, jumps));
			break;
		}
		case GEN_MULTI_DIM: {
			static const char *const two[] = {"i, j = wp.tid()", "row, col = wp.tid()", "i, j, k = wp.tid()",
			                                  "i, j, k, l = wp.tid()", NULL};
			assert_true(has_any(s, two));
			assert_null(strstr(s, "dtype=float)\n")); /* no 1D array among 2D ones */
			break;
		}
		case GEN_QUATERNION: {
			static const char *const rot[] = {"wp.quat_rotate(", "wp.quat_rotate_inv(", NULL};
			assert_non_null(strstr(s, " = wp.quat_from_axis_angle("));
			assert_true(has_any(s, rot));
			break;
		}
		case GEN_GEOMETRY: {
			static const char *const queries[] = {"wp.mesh_query_", "wp.bvh_query_", "wp.hash_grid_query(",
			                                      "wp.volume_", NULL};
			static const char *const ids[] = {"mesh: wp.uint64", "mesh_id: wp.uint64", "bvh: wp.uint64",
			                                  "bvh_id: wp.uint64", "hash_grid: wp.uint64", "grid_id: wp.uint64",
			                                  "volume: wp.uint64", "vol: wp.uint64", NULL};
			assert_true(has_any(s, ids));
			assert_true(has_any(s, queries));
			/* a query loop advances with its _next builtin */
			if (strstr(s, "_query_aabb(") || strstr(s, "_query_sphere(") || strstr(s, "bvh_query_ray(") ||
			    strstr(s, "hash_grid_query("))
				assert_non_null(strstr(s, "_next(query"));
			break;
		}
		case GEN_TILE: {
			static const char *const tids[] = {"    i = wp.tid()\n", "    i, j = wp.tid()\n", NULL};
			assert_true(has_any(s, tids));
			assert_non_null(strstr(s, " = wp.tile_load("));
			assert_true(strstr(s, "    wp.tile_store(") || strstr(s, "    wp.tile_atomic_add("));
			/* shapes are module-level constants, defined above the kernel */
			const char *shape = strstr(s, "shape="), *kdef = strstr(s, "@wp.kernel");
			assert_non_null(shape);
			assert_true(shape[6] == 'T' || shape[6] == 'B' || (shape[6] == '(' && (shape[7] == 'T' || shape[7] == 'B')));
			const char *def = strstr(s, "\nTILE") ? strstr(s, "\nTILE") : strstr(s, "\nBLOCK");
			assert_true(def && def < kdef);
			/* tile calls sit at the body's top level, where every thread of
			 * the block reaches them, or in the matmul's depth loop */
			for (const char *p = strstr(kdef, "wp.tile_"); p; p = strstr(p + 1, "wp.tile_")) {
				const char *l = line_start(s, p);
				if (indent_of(l) > 4) {
					while (indent_of(l) != 4)
						l = line_start(s, l - 1);
					assert_memory_equal(l, "    for k in range(", 19);
				}
			}
			break;
		}
		case GEN_DTYPES: {
			/* an input of another element type or container, read at tid
			 * and converted to float32 */
			static const char *const reads[] = {" = float(", " = wp.float32(", NULL};
			static const char *const kinds[] = {"(dtype=wp.int8)", "(dtype=wp.uint8)", "(dtype=wp.int16)",
			                                    "(dtype=wp.uint16)", "(dtype=wp.int64)", "(dtype=wp.uint32)",
			                                    "(dtype=wp.uint64)", "(dtype=wp.float16)", ": wp.indexedarray",
			                                    ": wp.fabricarray", NULL};
			assert_true(has_any(s, kinds));
			assert_true(has_any(s, reads));
			break;
		}
		case GEN_LINALG: {
			/* a non-square matrix type declared above the kernel, built in it */
			const char *def = strstr(s, " = wp.types.matrix(shape=("), *kdef = strstr(s, "@wp.kernel");
			assert_true(def && def < kdef);
			assert_true(def[-1] != def[-2]); /* matRC: rows != cols */
			char ctor[16];
			snprintf(ctor, sizeof ctor, "%.5s(", def - 5);
			assert_true(strstr(kdef, ctor) || strstr(kdef, " = wp.outer("));
			assert_non_null(strstr(kdef, "wp.transpose("));
			break;
		}
		default: break;
		}
		gen_kernel_free(&k);
	}
}

/* Counts kernels of category cat (n drawn) whose source contains needle. */
static int kernels_with(gen_category cat, int n, const char *needle)
{
	int hits = 0;
	for (int i = 0; i < n; i++) {
		gen_kernel k = make(77 + (uint64_t)cat, 1u << cat, (uint64_t)i);
		hits += strstr(buf_cstr(&k.source), needle) != NULL;
		gen_kernel_free(&k);
	}
	return hits;
}

/* Kernels with two @wp.func definitions of one name: overloads by type. */
static int kernels_with_overloads(int n)
{
	int hits = 0;
	for (int i = 0; i < n; i++) {
		gen_kernel k = make(78, 1u << GEN_FUNC, (uint64_t)i);
		const char *s = buf_cstr(&k.source);
		for (const char *p = strstr(s, "@wp.func\ndef "); p; p = strstr(p + 1, "@wp.func\ndef ")) {
			const char *name = p + 13, *paren = strchr(name, '(');
			char def[48];
			snprintf(def, sizeof def, "@wp.func\ndef %.*s(", (int)(paren - name), name);
			if (strstr(paren, def)) {
				hits++;
				break;
			}
		}
		gen_kernel_free(&k);
	}
	return hits;
}

/* The types beyond the shared grammar each appear: every element type and
 * container of the dtypes profile, non-square shapes, spatial and float64
 * matrices, 4-D launches and arrays, struct array fields, overloads, and
 * the utility builtins (cast, block_dim, printf). */
static void test_type_coverage(void **state)
{
	(void)state;
	static const char *const dtypes[] = {"(dtype=wp.int8)", "(dtype=wp.uint8)", "(dtype=wp.int16)",
	                                     "(dtype=wp.uint16)", "(dtype=wp.int64)", "(dtype=wp.uint32)",
	                                     "(dtype=wp.uint64)", "(dtype=wp.float16)", ": wp.indexedarray(dtype=float)",
	                                     ": wp.indexedarray1d(dtype=float)", ": wp.fabricarray(dtype=float)",
	                                     "wp.float16(", "wp.int64(", "wp.uint32(", "wp.cast(", "wp.block_dim()",
	                                     "wp.printf(", "    print(", "wp.vec3h(", "wp.vec3d(", "wp.vec2d(",
	                                     "wp.vec4d(", "wp.vec2h(", "wp.vec3i(", NULL};
	for (const char *const *d = dtypes; *d; d++)
		if (kernels_with(GEN_DTYPES, 400, *d) == 0)
			fail_msg("no dtypes kernel has %s", *d);
	static const char *const linalg[] = {"shape=(2, 3)", "shape=(3, 2)", "shape=(3, 4)", "shape=(4, 3)", "shape=(2, 4)",
	                                     "shape=(4, 2)", "wp.spatial_adjoint(", "wp.identity(n=6, dtype=float)",
	                                     "wp.spatial_dot(", "wp.spatial_cross(", "wp.mat22d(", "wp.mat33d(", "wp.ddot(",
	                                     NULL};
	for (const char *const *d = linalg; *d; d++)
		if (kernels_with(GEN_LINALG, 400, *d) == 0)
			fail_msg("no linalg kernel has %s", *d);
	assert_true(kernels_with(GEN_MULTI_DIM, 400, "    i, j, k, l = wp.tid()\n") > 0);
	assert_true(kernels_with(GEN_MULTI_DIM, 400, ": wp.array4d(dtype=") > 0);
	assert_true(kernels_with(GEN_STRUCT, 400, "    table: wp.array(dtype=float)\n") > 0);
	int ov = kernels_with_overloads(400);
	assert_true(ov >= 20 && ov < 400);
}

static void test_constructs(void **state)
{
	(void)state;
	for (int c = 0; c < GEN_CATEGORY_COUNT; c++)
		check_category((gen_category)c, 300);
}

/* range(...) arguments: literals and loop counters (i..l, itN, stepN), or
 * wp.min(x, K): never a bare parameter or array length. */
static int range_bounded(const char *a)
{
	if (!strncmp(a, "wp.min(", 7))
		return 1;
	for (; *a && *a != ')'; a++) {
		if (!((*a >= 'a' && *a <= 'z') || *a == '_'))
			continue;
		const char *id = a;
		while ((*a >= 'a' && *a <= 'z') || (*a >= '0' && *a <= '9') || *a == '_')
			a++;
		size_t n = (size_t)(a - id);
		int ok = (n == 1 && strchr("ijklmnpq", *id)) || (n > 2 && !strncmp(id, "it", 2) && id[2] >= '0' && id[2] <= '9') ||
		         (n > 4 && !strncmp(id, "step", 4) && id[4] >= '0' && id[4] <= '9');
		if (!ok)
			return 0;
		a--;
	}
	return 1;
}

/* Warp-specific rules: loops are bounded, wp.float64 never wraps a bare
 * loop counter (Warp retypes constants in place), no removed builtins. */
static void test_typing_rules(void **state)
{
	(void)state;
	for (uint64_t i = 0; i < 3000; i++) {
		gen_kernel k = make(77, i % 2 ? GEN_ALL_MASK : 0, i);
		const char *s = buf_cstr(&k.source);
		if (k.category != GEN_MULTI_DIM && k.category != GEN_TILE) { /* there i, j may be tid's components */
			assert_null(strstr(s, "wp.float64(i)"));
			assert_null(strstr(s, "wp.float64(j)"));
		}
		assert_null(strstr(s, "wp.select("));
		for (const char *p = strstr(s, " in range("); p; p = strstr(p + 1, " in range("))
			assert_true(range_bounded(p + 10));
		gen_kernel_free(&k);
	}
}

/* The deepest bracket nesting on any line of s. */
static int max_brackets(const char *s)
{
	int depth = 0, most = 0;
	for (; *s; s++) {
		depth += (*s == '(' || *s == '[') - (*s == ')' || *s == ']');
		most = depth > most ? depth : most;
	}
	return most;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* --max-stmts bounds the random statements of every profile, nested ones
 * included, and so the kernels' length; --max-depth flattens expressions.
 * Unbounded, the same kernels are longer and deeper. */
static void test_size_budget(void **state)
{
	(void)state;
	enum { N = GEN_CATEGORY_COUNT * 100 };
	long lines[3] = {0}, most_stmts = 0;
	for (int m = 0; m < 3; m++) {
		static const int caps[] = {0, 1, 3};
		gen_options o = {.seed = 21, .categories = GEN_ALL_MASK, .max_stmts = caps[m]};
		for (uint64_t i = 0; i < N; i++) {
			gen_kernel k;
			memset(&k, 0, sizeof k);
			gen_kernel_make(&o, i, &k);
			check_shape(&k);
			if (caps[m])
				assert_true(k.stmts >= 0 && k.stmts <= caps[m]);
			else if (k.stmts > most_stmts)
				most_stmts = k.stmts;
			lines[m] += count_lines(buf_cstr(&k.source));
			gen_kernel_free(&k);
		}
	}
	assert_true(most_stmts > 3);
	assert_true(lines[1] < lines[2] && lines[2] < lines[0]);
	int deep[2] = {0};
	for (int m = 0; m < 2; m++) {
		gen_options o = {.seed = 22, .categories = 1u << GEN_RANDOM_MATH, .max_depth = m};
		for (uint64_t i = 0; i < 500; i++) {
			gen_kernel k;
			memset(&k, 0, sizeof k);
			gen_kernel_make(&o, i, &k);
			int b = max_brackets(buf_cstr(&k.source));
			deep[m] = b > deep[m] ? b : deep[m];
			gen_kernel_free(&k);
		}
	}
	/* a depth-1 tree still nests inside its leaves and statement, as in
	 * wp.sin(wp.float64(a[wp.min(i + 1, a.shape[0] - 1)])) */
	assert_true(deep[1] <= 6 && deep[0] >= 10);
}

static void test_all_categories_appear_with_zero_mask(void **state)
{
	(void)state;
	int seen[GEN_CATEGORY_COUNT] = {0};
	for (uint64_t i = 0; i < GEN_SEED_COUNT; i++) {
		gen_kernel k = make(1, 0, i);
		seen[k.category]++;
		gen_kernel_free(&k);
	}
	for (int c = 0; c < GEN_CATEGORY_COUNT; c++) /* 0: the seed 11 */
		assert_int_equal(seen[c], c < GEN_SEED_COUNT);
	gen_kernel z = make(1, 0, 3), sd = make(1, GEN_SEED_MASK, 3);
	assert_string_equal(buf_cstr(&z.source), buf_cstr(&sd.source));
	gen_kernel_free(&z);
	gen_kernel_free(&sd);
	/* bits beyond the last category are ignored */
	gen_kernel a = make(1, GEN_ALL_MASK, 3), b = make(1, ~0u, 3);
	assert_string_equal(buf_cstr(&a.source), buf_cstr(&b.source));
	gen_kernel_free(&a);
	gen_kernel_free(&b);
}

/* Type constructors, array annotations and wp.constant: Warp's Python
 * surface, not builtins. */
static int is_type_name(const char *id, size_t n)
{
	static const char *const types[] = {"array", "array1d", "array2d", "array3d", "array4d", "vec2", "vec3",
	                                    "vec4", "mat22", "mat33", "mat44", "quat", "transform",
	                                    "spatial_vector", "constant", "indexedarray", "indexedarray1d",
	                                    "fabricarray", "vec2h", "vec3h", "vec2d", "vec3d", "vec4d", "vec2i",
	                                    "vec3i", "vec4i", "mat22d", "mat33d", NULL};
	for (const char *const *t = types; *t; t++)
		if (strlen(*t) == n && !strncmp(*t, id, n))
			return 1;
	return 0;
}

/* Every `wp.name(` the generator writes, over every profile, is a builtin
 * of the catalog (itself checked against the pinned Warp by the e2e test
 * test_gen_catalog) or a type; and the catalog is sorted for lookups. */
static void test_catalog(void **state)
{
	(void)state;
	for (int i = 1; i < gen_catalog_size; i++)
		assert_true(strcmp(gen_catalog[i - 1].name, gen_catalog[i].name) < 0);
	assert_non_null(gen_catalog_find("sin", 3));
	assert_null(gen_catalog_find("si", 2));
	assert_null(gen_catalog_find("sinx", 4));
	int used = 0;
	unsigned char *seen = calloc((size_t)gen_catalog_size, 1), *mark = calloc((size_t)gen_catalog_size, 1);
	for (uint64_t i = 0; i < 6000; i++) {
		gen_kernel k = make(31, GEN_ALL_MASK, i);
		for (const char *p = strstr(buf_cstr(&k.source), "wp."); p; p = strstr(p + 1, "wp.")) {
			const char *id = p + 3, *e = id;
			while ((*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9') || *e == '_')
				e++;
			if (*e != '(')
				continue;
			const gen_builtin *b = gen_catalog_find(id, (size_t)(e - id));
			if (p - buf_cstr(&k.source) >= 2 && !strncmp(p - 2, ": ", 2))
				b = NULL; /* an annotation (wp.array(dtype=...)), not a call */
			if (!b && !is_type_name(id, (size_t)(e - id)))
				fail_msg("kernel %llu calls wp.%.*s, not in the catalog", (unsigned long long)i, (int)(e - id), id);
			if (b && !seen[b - gen_catalog])
				seen[b - gen_catalog] = 1, used++;
		}
		gen_catalog_mark(k.source.data, k.source.len, mark);
		gen_kernel_free(&k);
	}
	assert_true(used >= 100);
	/* gen_catalog_mark finds the same calls, and builtins passed as
	 * functions; every group the profiles aim at is covered (coverage:
	 * distinct used / catalog size, per group) */
	int refs = 0;
	for (int i = 0; i < gen_catalog_size; i++) {
		assert_true(mark[i] >= seen[i]);
		refs += mark[i] - seen[i];
	}
	gen_coverage rows[32];
	int n = gen_catalog_coverage(mark, rows, 32), total = 0, size = 0;
	static const char *const want[] = {"Scalar Math", "Vector Math", "Quaternion Math", "Transformations", "Spatial Math",
	                                   "Random", "Utility", "Tile Primitives", "Geometry", "Volumes", NULL};
	for (int g = 0; g < n; g++) {
		print_message("    %-16s %3d / %3d\n", rows[g].group, rows[g].used, rows[g].size);
		assert_true(rows[g].used <= rows[g].size);
		total += rows[g].used;
		size += rows[g].size;
		for (const char *const *w = want; *w; w++)
			if (!strcmp(*w, rows[g].group))
				assert_true(rows[g].used > 0);
	}
	assert_int_equal(total, used + refs);
	assert_int_equal(size, gen_catalog_size);
	free(seen);
	free(mark);
}

/* --weights FILE: the parser (comments, '*', later lines win, errors with
 * their line) and its effect: scalar_param kernels draw random `if`s by
 * default and none once the file sets their weight to 0. */
static int count_ifs(const gen_weights *w)
{
	int n = 0;
	for (uint64_t i = 0; i < 500; i++) {
		gen_options o = {.seed = 4, .categories = 1u << GEN_SCALAR_PARAM,
				 .weights = w ? (const signed char (*)[GEN_STMT_KINDS]) * w : NULL};
		gen_kernel k;
		memset(&k, 0, sizeof k);
		gen_kernel_make(&o, i, &k);
		for (const char *p = strstr(buf_cstr(&k.source), "\n"); p; p = strstr(p + 1, "\n")) {
			const char *q = p + 1;
			while (*q == ' ')
				q++;
			n += !strncmp(q, "if ", 3);
		}
		gen_kernel_free(&k);
	}
	return n;
}

static void test_weights_file(void **state)
{
	(void)state;
	gen_weights w;
	char err[160];
	const char *ok = "# a comment\n\n*.atomic = 7\nloop.atomic = 2  # later lines win\r\nscalar_param.if=0\n";
	assert_int_equal(gen_config_parse(ok, strlen(ok), w, err, sizeof err), 0);
	assert_int_equal(w[GEN_LOOP][4], 2);     /* atomic: gen_stmt_names[4] */
	assert_int_equal(w[GEN_VECTOR][4], 7);
	assert_int_equal(w[GEN_SCALAR_PARAM][5], 0); /* if */
	assert_int_equal(w[GEN_VECTOR][5], -1);      /* not set: the profile's */
	assert_string_equal(gen_stmt_names[4], "atomic");
	assert_string_equal(gen_stmt_names[5], "if");
	static const struct { const char *text, *err; } bad[] = {
		{"loop.if = 1\nloop.bogus = 3\n", "line 2: unknown statement kind 'bogus'"},
		{"bogus.if = 3", "line 1: unknown category 'bogus'"},
		{"loop.if = 101", "line 1: a weight is an integer 0..100"},
		{"loop.if = -1", "line 1: a weight is an integer 0..100"},
		{"loop.if = 3x", "line 1: a weight is an integer 0..100"},
		{"loop if 3", "line 1: expected CATEGORY.KIND = WEIGHT"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_equal(gen_config_parse(bad[i].text, strlen(bad[i].text), w, err, sizeof err), -1);
		assert_non_null(strstr(err, bad[i].err));
	}
	assert_int_equal(gen_config_parse(ok, strlen(ok), w, err, sizeof err), 0);
	assert_true(count_ifs(NULL) > 10);
	assert_int_equal(count_ifs((const gen_weights *)&w), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_seeds_differ),
		cmocka_unit_test(test_balance),
		cmocka_unit_test(test_block_order_varies),
		cmocka_unit_test(test_names_unique),
		cmocka_unit_test(test_name_format),
		cmocka_unit_test(test_category_names),
		cmocka_unit_test(test_categories_help),
		cmocka_unit_test(test_constructs),
		cmocka_unit_test(test_typing_rules),
		cmocka_unit_test(test_size_budget),
		cmocka_unit_test(test_weights_file),
		cmocka_unit_test(test_all_categories_appear_with_zero_mask),
		cmocka_unit_test(test_catalog),
		cmocka_unit_test(test_type_coverage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

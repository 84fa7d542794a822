/* test_gen_style: the realistic style (src/gen/style.h): a pure function of
 * (seed, index, options), category balance and unique names as in the
 * synthetic style, names that decode back to the index, the options it
 * honours, and the features that make it read like Warp code (measured with
 * report/realism.h: subscript annotations, named scalars, guards, helpers,
 * structs, 2-D launches, docstrings, comments, gathers, a long tail). */
#include "test.h"

#include "gen/catalog.h"
#include "gen/gen.h"
#include "report/realism.h"
#include "store/dedup.h"

static gen_kernel make_real(uint64_t seed, uint32_t cats, uint64_t index)
{
	gen_options o = {.seed = seed, .categories = cats, .style = GEN_STYLE_REALISTIC};
	gen_kernel k;
	memset(&k, 0, sizeof k);
	gen_kernel_make(&o, index, &k);
	return k;
}

static void test_pure_function(void **state)
{
	(void)state;
	/* kernel 700 alone, and after 700 others into the same struct */
	gen_kernel a = make_real(4, GEN_ALL_MASK, 700);
	gen_options o = {.seed = 4, .categories = GEN_ALL_MASK, .style = GEN_STYLE_REALISTIC};
	gen_kernel b;
	memset(&b, 0, sizeof b);
	for (uint64_t i = 0; i <= 700; i++)
		gen_kernel_make(&o, i, &b);
	assert_string_equal(buf_cstr(&a.source), buf_cstr(&b.source));
	assert_string_equal(a.name, b.name);
	/* another seed, another kernel; the synthetic style, another text */
	gen_kernel c = make_real(5, GEN_ALL_MASK, 700);
	assert_string_not_equal(buf_cstr(&a.source), buf_cstr(&c.source));
	gen_options s = {.seed = 4, .categories = GEN_ALL_MASK};
	gen_kernel_make(&s, 700, &b);
	assert_int_equal(b.category, a.category); /* the same category draw */
	assert_string_not_equal(buf_cstr(&a.source), buf_cstr(&b.source));
	gen_kernel_free(&a);
	gen_kernel_free(&b);
	gen_kernel_free(&c);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_names_unique_and_decodable(void **state)
{
	(void)state;
	enum { N = 20000 };
	char(*names)[48] = calloc(N, sizeof *names);
	assert_non_null(names);
	int balance[GEN_CATEGORY_COUNT] = {0};
	for (uint64_t i = 0; i < N; i++) {
		gen_kernel k = make_real(99, GEN_ALL_MASK, i);
		memcpy(names[i], k.name, sizeof k.name);
		char def[64];
		snprintf(def, sizeof def, "\ndef %s(", k.name);
		assert_non_null(strstr(buf_cstr(&k.source), def));
		balance[k.category]++;
		gen_kernel_free(&k);
	}
	qsort(names, N, sizeof *names, cmp_name);
	for (int i = 1; i < N; i++)
		assert_string_not_equal(names[i - 1], names[i]);
	free(names);
	for (int c = 0; c < GEN_CATEGORY_COUNT; c++) /* exactly balanced per block of 24 */
		assert_true(balance[c] == N / GEN_CATEGORY_COUNT || balance[c] == N / GEN_CATEGORY_COUNT + 1);
	/* the largest index still fits: "<verb>_<entities>_<tag><index base36>" */
	uint64_t idx[] = {0, 36, 123456789, UINT64_MAX};
	for (size_t i = 0; i < sizeof idx / sizeof *idx; i++) {
		gen_kernel k = make_real(5, GEN_ALL_MASK, idx[i]);
		const char *u = strrchr(k.name, '_');
		assert_non_null(u);
		assert_true(strtoull(u + 5, NULL, 36) == idx[i]);
		gen_kernel_free(&k);
	}
}

/* The realistic style reaches Warp's library as widely as the synthetic
 * style (style_bridge.c, style_followup.c): over 4,800 kernels of every
 * profile more distinct builtins than the synthetic style's 211 in 100,000,
 * and every group of Warp's documentation. */
static void test_catalog_coverage(void **state)
{
	(void)state;
	unsigned char *seen = calloc((size_t)gen_catalog_size, 1);
	assert_non_null(seen);
	for (uint64_t i = 0; i < 4800; i++) {
		gen_kernel k = make_real(99, GEN_ALL_MASK, i);
		gen_catalog_mark(k.source.data, k.source.len, seen);
		gen_kernel_free(&k);
	}
	int used = gen_catalog_used(seen);
	gen_coverage rows[32];
	int n = gen_catalog_coverage(seen, rows, 32);
	assert_true(n >= 14);
	for (int i = 0; i < n; i++)
		if (rows[i].used == 0)
			fail_msg("no builtin of group %s", rows[i].group);
	if (used < 230)
		fail_msg("%d distinct builtins in 4,800 realistic kernels (want >= 230)", used);
	free(seen);
}

static void test_options_honoured(void **state)
{
	(void)state;
	gen_options o = {.seed = 8, .categories = GEN_ALL_MASK, .style = GEN_STYLE_REALISTIC, .max_stmts = 1};
	int most = 0;
	for (uint64_t i = 0; i < 2000; i++) {
		gen_kernel k;
		memset(&k, 0, sizeof k);
		gen_kernel_make(&o, i, &k);
		most = k.stmts > most ? k.stmts : most;
		gen_kernel_free(&k);
	}
	o.max_stmts = 0;
	int most_free = 0;
	for (uint64_t i = 0; i < 2000; i++) {
		gen_kernel k;
		memset(&k, 0, sizeof k);
		gen_kernel_make(&o, i, &k);
		most_free = k.stmts > most_free ? k.stmts : most_free;
		gen_kernel_free(&k);
	}
	assert_true(most < most_free);
	assert_true(most_free >= 25); /* the long tail */
	assert_int_equal(gen_style_from_name("realistic"), GEN_STYLE_REALISTIC);
	assert_int_equal(gen_style_from_name("synthetic"), GEN_STYLE_SYNTHETIC);
	assert_int_equal(gen_style_from_name("Realistic"), -1);
	assert_string_equal(gen_style_name(GEN_STYLE_REALISTIC), "realistic");
}

/* The shares the style is tuned to (README.md, "Realism"), measured by the
 * same parser as `stats`: each feature is present, none dominates. */
static void test_reads_like_warp(void **state)
{
	(void)state;
	realism r;
	realism_init(&r);
	int gathers = 0, structs = 0, helpers = 0, constants = 0;
	for (uint64_t i = 0; i < 4800; i++) {
		gen_kernel k = make_real(11, GEN_ALL_MASK, i);
		const char *s = buf_cstr(&k.source);
		realism_add_source(&r, s, k.source.len);
		gathers += strstr(s, "wp.clamp(") && strstr(s, ".shape[0]\n");
		structs += strstr(s, "@wp.struct\n") != NULL;
		helpers += strstr(s, "@wp.func\n") != NULL;
		constants += strstr(s, "_FLAG_ACTIVE = wp.constant(1)") != NULL;
		gen_kernel_free(&k);
	}
	assert_int_equal(r.kernels, 4800);
	assert_true(realism_share(&r, RF_ANNOTATION, 0) > 0.75 && realism_share(&r, RF_ANNOTATION, 1) > 0.05);
	assert_true(realism_share(&r, RF_DIMS, 2) > 0.05);  /* world, i = wp.tid() */
	assert_true(realism_share(&r, RF_DIMS, 0) > 0.1);   /* one-thread kernels */
	assert_true(realism_share(&r, RF_GUARD, 0) > 0.03); /* early returns */
	assert_true(realism_share(&r, RF_HELPER, 0) > 0.1); /* @wp.func calls */
	assert_true(realism_share(&r, RF_DOCSTRING, 0) > 0.05);
	assert_true(realism_share(&r, RF_COMMENT, 0) > 0.05);
	assert_true(realism_share(&r, RF_STRUCT, 0) > 0.03);
	assert_true(realism_share(&r, RF_INDIRECT, 0) > 0.01);
	assert_true(realism_share(&r, RF_DTYPE, 1) == 0);	 /* no float64 arrays */
	assert_true(realism_share(&r, RF_DTYPE, 2) > 0.1);	 /* int32 indices and ids */
	assert_true(realism_share(&r, RF_EXPR_DEPTH, 6) < 0.01); /* shallow expressions */
	assert_true(realism_share(&r, RF_STATEMENTS, 0) > 0.3);	 /* mostly short, ... */
	assert_true(realism_share(&r, RF_STATEMENTS, 3) > 0.01); /* ... with a tail */
	assert_true(r.params.n > 1000);
	assert_true(gathers > 30 && structs > 100 && helpers > 400 && constants > 100);
	realism_release(&r);
}

/* Small kernels are as common as in Warp's own code, and varied: over
 * 10,000 kernels of the default (every profile, realistic) at least 97.8 %
 * are distinct under the Python half of dedup's structural fingerprint
 * (names and constants normalised; 96.4-96.7 % before fill and copy kernels
 * got their initialisers, scalings and statements), and float and int are
 * spelled both ways Warp's code spells them. */
static void test_small_kernels_vary(void **state)
{
	(void)state;
	static const uint64_t seeds[] = {2026, 7};
	for (int s = 0; s < 2; s++) {
		dedup *dd = dedup_new();
		gen_options o = {.seed = seeds[s], .categories = GEN_ALL_MASK, .style = GEN_STYLE_REALISTIC};
		gen_kernel k;
		memset(&k, 0, sizeof k);
		int dups = 0, f = 0, f32 = 0, i = 0, i32 = 0;
		for (uint64_t n = 0; n < 10000; n++) {
			gen_kernel_make(&o, n, &k);
			const char *src = buf_cstr(&k.source);
			dups += dedup_check(dd, src, k.source.len, NULL, 0) != DEDUP_NEW;
			f += strstr(src, "wp.array[float]") != NULL;
			f32 += strstr(src, "wp.array[wp.float32]") != NULL;
			i += strstr(src, "wp.array[int]") != NULL;
			i32 += strstr(src, "wp.array[wp.int32]") != NULL;
		}
		assert_true(dups <= 220);
		assert_true(f > 2 * f32 && f32 > 500);
		assert_true(i > i32 && i32 > 300);
		gen_kernel_free(&k);
		dedup_free(dd);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pure_function),    cmocka_unit_test(test_names_unique_and_decodable),
	    cmocka_unit_test(test_options_honoured), cmocka_unit_test(test_catalog_coverage),
	    cmocka_unit_test(test_reads_like_warp),  cmocka_unit_test(test_small_kernels_vary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_dedup: the normalisers (what the exact and structural fingerprints
 * keep and drop), the verdicts on planted duplicates, the fingerprint set. */
#include "test.h"

#include "store/dedup.h"

static const char py1[] = "import warp as wp\n\n@wp.kernel\ndef k_0(a: wp.array(dtype=float), out: wp.array(dtype=float)):\n"
			  "    tid = wp.tid()\n    out[tid] = a[tid] * 0.5 + wp.sin(a[tid])\n";
/* the same kernel: other name, spacing, a comment, blank lines */
static const char py1_exact[] = "import warp as wp\n@wp.kernel\ndef other_name( a : wp.array(dtype=float),out: wp.array(dtype=float) ):\n"
				"    # comment\n\n    tid = wp.tid()   \n    out[tid] = a[tid]*0.5 + wp.sin( a[tid] )  # why\n";
/* the same kernel with parameters renamed */
static const char py1_renamed[] = "import warp as wp\n\n@wp.kernel\ndef k_9(src: wp.array(dtype=float), dst: wp.array(dtype=float)):\n"
				  "    i = wp.tid()\n    dst[i] = src[i] * 0.5 + wp.sin(src[i])\n";

static const char fwd1[] = "template <bool wp_linear_contiguous>\nstatic void k_0_0b15e31e_cpu_kernel_forward(\n"
			   "    wp::launch_bounds_t<1> dim,\n    size_t task_index,\n    wp_args_k_0_0b15e31e *_wp_args)\n{\n"
			   "    wp::array_t<wp::float32> var_a = _wp_args->a;\n    wp::array_t<wp::float32> var_out = _wp_args->out;\n"
			   "    wp::int32 var_0;\n    const wp::float32 var_2 = 0.5;\n"
			   "    // tid = wp.tid()      <L 5>\n    var_0 = builtin_tid1d();\n"
			   "    var_1 = wp::address(var_a, var_0);\n    var_3 = wp::mul(var_1, var_2);\n}";
static const char fwd1_renamed[] = "template <bool wp_linear_contiguous>\nstatic void k_9_deadbeef_cpu_kernel_forward(\n"
				   "    wp::launch_bounds_t<1> dim,\n    size_t task_index,\n    wp_args_k_9_deadbeef *_wp_args)\n{\n"
				   "    wp::array_t<wp::float32> var_src = _wp_args->src;\n    wp::array_t<wp::float32> var_dst = _wp_args->dst;\n"
				   "    wp::int32 var_10;\n    const wp::float32 var_12 = 0.5;\n"
				   "    // i = wp.tid()      <L 5>\n    var_10 = builtin_tid1d();\n"
				   "    var_11 = wp::address(var_src, var_10);\n    var_13 = wp::mul(var_11, var_12);\n}";
/* a different constant in the IR: not a duplicate */
static const char fwd1_const[] = "template <bool wp_linear_contiguous>\nstatic void k_9_deadbeef_cpu_kernel_forward(\n"
				 "    wp::launch_bounds_t<1> dim,\n    size_t task_index,\n    wp_args_k_9_deadbeef *_wp_args)\n{\n"
				 "    wp::array_t<wp::float32> var_src = _wp_args->src;\n    wp::array_t<wp::float32> var_dst = _wp_args->dst;\n"
				 "    wp::int32 var_10;\n    const wp::float32 var_12 = 0.75;\n"
				 "    var_10 = builtin_tid1d();\n"
				 "    var_11 = wp::address(var_src, var_10);\n    var_13 = wp::mul(var_11, var_12);\n}";

static void test_exact_normal_form(void **s)
{
	(void)s;
	dedup *dd = dedup_new();
	buf a = BUF_INIT, b = BUF_INIT;
	dedup_norm_python(dd, py1, strlen(py1), 0, &a);
	assert_string_equal(a.data, "@ wp . kernel ; def FN ( a : wp . array ( dtype = float ) , out : wp . array ( dtype = "
				    "float ) ) : ; INDENT tid = wp . tid ( ) ; out [ tid ] = a [ tid ] * 0.5 + wp . sin ( "
				    "a [ tid ] ) ;");
	dedup_norm_python(dd, py1_exact, strlen(py1_exact), 0, &b);
	assert_string_equal(a.data, b.data);
	dedup_free(dd);
	buf_free(&a);
	buf_free(&b);
}

static void test_structural_normal_form(void **s)
{
	(void)s;
	dedup *dd = dedup_new();
	buf a = BUF_INIT, b = BUF_INIT;
	dedup_norm_python(dd, py1, strlen(py1), 1, &a);
	assert_string_equal(a.data, "@ wp . kernel ; def FN ( v0 : wp . array ( dtype = float ) , v1 : wp . array ( dtype = "
				    "float ) ) : ; INDENT v2 = wp . tid ( ) ; v1 [ v2 ] = v0 [ v2 ] * N + wp . sin ( v0 [ "
				    "v2 ] ) ;");
	dedup_norm_python(dd, py1_renamed, strlen(py1_renamed), 1, &b);
	assert_string_equal(a.data, b.data);
	dedup_norm_ir(dd, fwd1, strlen(fwd1), &a);
	dedup_norm_ir(dd, fwd1_renamed, strlen(fwd1_renamed), &b);
	assert_string_equal(a.data, b.data);
	assert_null(strstr(a.data, "0b15e31e"));
	assert_null(strstr(a.data, "L 5")); /* comments dropped */
	assert_non_null(strstr(a.data, "K_cpu_kernel_forward"));
	assert_non_null(strstr(a.data, "t0 = builtin_tid1d"));
	assert_non_null(strstr(a.data, "0.5")); /* literals kept */
	dedup_free(dd);
	buf_free(&a);
	buf_free(&b);
}

static void test_indentation_matters(void **s)
{
	(void)s;
	static const char x[] = "def f(a):\n    if a:\n        b = 1\n    c = 2\n";
	static const char y[] = "def f(a):\n    if a:\n        b = 1\n        c = 2\n";
	dedup *dd = dedup_new();
	assert_int_not_equal(dedup_exact_fp(dd, x, strlen(x)), dedup_exact_fp(dd, y, strlen(y)));
	static const char z[] = "def f(a):\n    if a:\n        b = (1 +\n  2)\n    c = '#x'\n";
	buf a = BUF_INIT;
	dedup_norm_python(dd, z, strlen(z), 1, &a);
	assert_string_equal(a.data, "def FN ( v0 ) : ; INDENT if v0 : ; INDENT v1 = ( N + N ) ; DEDENT v2 = S ;");
	buf_free(&a);
	dedup_free(dd);
}

static void test_verdicts(void **s)
{
	(void)s;
	dedup *dd = dedup_new();
	assert_int_equal(dedup_check(dd, py1, strlen(py1), fwd1, strlen(fwd1)), DEDUP_NEW);
	assert_int_equal(dedup_check(dd, py1_exact, strlen(py1_exact), fwd1, strlen(fwd1)), DEDUP_EXACT);
	assert_int_equal(dedup_check(dd, py1_renamed, strlen(py1_renamed), fwd1_renamed, strlen(fwd1_renamed)),
			 DEDUP_STRUCTURAL);
	assert_int_equal(dedup_check(dd, py1_renamed, strlen(py1_renamed), fwd1_const, strlen(fwd1_const)), DEDUP_NEW);
	assert_int_equal(dedup_check(dd, py1_renamed, strlen(py1_renamed), fwd1_const, strlen(fwd1_const)), DEDUP_EXACT);
	dedup_counts c = dedup_get_counts(dd);
	assert_int_equal(c.checked, 5);
	assert_int_equal(c.exact, 2);
	assert_int_equal(c.structural, 1);
	assert_int_equal(dedup_structural_fp(dd, py1, strlen(py1), fwd1, strlen(fwd1)),
			 dedup_structural_fp(dd, py1_renamed, strlen(py1_renamed), fwd1_renamed, strlen(fwd1_renamed)));
	dedup_free(dd);
}

static void test_set(void **s)
{
	(void)s;
	dedup_set set = {0};
	for (uint64_t i = 0; i < 100000; i++)
		assert_int_equal(dedup_set_add(&set, i * 0x9e3779b97f4a7c15ULL), 1);
	for (uint64_t i = 0; i < 100000; i++) {
		assert_true(dedup_set_has(&set, i * 0x9e3779b97f4a7c15ULL));
		assert_int_equal(dedup_set_add(&set, i * 0x9e3779b97f4a7c15ULL), 0);
	}
	assert_false(dedup_set_has(&set, 12345));
	assert_int_equal(set.n, 100000);
	dedup_set_free(&set);
}

static void test_garbage_input(void **s)
{
	(void)s;
	dedup *dd = dedup_new();
	static const char junk[] = "\"\"\"unterminated\n\t\t)))]]]\\\n'x\n\xff\xfe 0x1e+5 1e-3 ....";
	for (size_t n = 0; n <= sizeof junk - 1; n++) {
		dedup_check(dd, junk, n, junk, n);
		dedup_check(dd, junk + n, sizeof junk - 1 - n, NULL, 0);
	}
	dedup_free(dd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_normal_form), cmocka_unit_test(test_structural_normal_form),
		cmocka_unit_test(test_indentation_matters), cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_set), cmocka_unit_test(test_garbage_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

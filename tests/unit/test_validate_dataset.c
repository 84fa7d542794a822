/* test_validate_dataset: the text helpers behind `jitsynth validate`: Warp's
 * kernel hash is normalised away (or renamed) only where it follows the
 * kernel's name, and the first differing line of two functions is shown. */
#include "test.h"
#include "pipeline/revalidate.h"

static void rehash(const char *in, const char *name, const char *hash, const char *want)
{
	buf out = BUF_INIT;
	vd_rehash(in, strlen(in), name, hash, &out);
	assert_string_equal(buf_cstr(&out), want);
	buf_free(&out);
}

static void test_rehash(void **state)
{
	(void)state;
	rehash("static void k0_897f9253_cpu_kernel_forward(\n    wp_args_k0_897f9253 *_wp_args)", "k0", "HASH",
	       "static void k0_HASH_cpu_kernel_forward(\n    wp_args_k0_HASH *_wp_args)");
	rehash("extern \"C\" __global__ void k0_897f9253_cuda_kernel_forward(", "k0", "0badc0de",
	       "extern \"C\" __global__ void k0_0badc0de_cuda_kernel_forward(");
	rehash("k0_897f9253", "k0", "HASH", "k0_HASH");               /* at the very end */
	rehash("k0_897f9253a_x k0_897F9253_x", "k0", "HASH", "k0_897f9253a_x k0_897F9253_x"); /* 9 digits; upper case */
	rehash("k1_897f9253_x k0_89_x", "k0", "HASH", "k1_897f9253_x k0_89_x"); /* another name; too short */
	rehash("", "k0", "HASH", "");
	rehash("k0_", "k0", "HASH", "k0_");
}

static void test_first_difference(void **state)
{
	(void)state;
	buf out = BUF_INIT;
	const char *a = "void f()\n{\n    x = 1;\n}", *b = "void f()\n{\n    x = 2;\n}";
	vd_first_difference(a, strlen(a), b, strlen(b), "module", "stored", &out);
	assert_string_equal(buf_cstr(&out), "first difference at line 3 of the function:\n"
					    "  module  x = 1;\n  stored  x = 2;");
	buf_reset(&out);
	vd_first_difference(a, strlen(a), a, strlen(a), "module", "stored", &out);
	assert_int_equal(out.len, 0);
	buf_reset(&out);
	vd_first_difference(a, strlen(a), a, 11, "module", "stored", &out); /* b ends early */
	assert_non_null(strstr(buf_cstr(&out), "line 3"));
	assert_non_null(strstr(buf_cstr(&out), "stored  (ends)"));
	buf_reset(&out);
	vd_first_difference("x\n", 2, "x", 1, "a", "b", &out);
	assert_string_equal(buf_cstr(&out), "they differ only in a trailing newline");
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rehash),
		cmocka_unit_test(test_first_difference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_extract: forward/backward functions are found in real Warp 1.19.0
 * output (tests/fixtures/loop_cond.{cpp,cu}, a kernel "k0" with a loop and
 * a branch), complete and exactly as Warp wrote them. */
#include "extract/extract.h"
#include "test.h"

static int count_char(ext_span s, char c)
{
	int n = 0;
	for (size_t i = 0; i < s.len; i++)
		n += s.start[i] == c;
	return n;
}

static int starts_with(ext_span s, const char *p) { return s.len >= strlen(p) && !memcmp(s.start, p, strlen(p)); }

static void test_cpu(void **state)
{
	(void)state;
	buf m = BUF_INIT;
	load_fixture("loop_cond.cpp", &m);
	ext_kernel k;
	char why[128];
	assert_int_equal(ext_kernel_find(m.data, m.len, "k0", DEV_CPU, &k, why, sizeof why), 0);
	assert_string_equal(k.hash, "897f9253");
	assert_true(starts_with(k.forward, "template <bool wp_linear_contiguous>\nstatic void k0_897f9253_cpu_kernel_forward("));
	assert_true(starts_with(k.backward, "template <bool wp_linear_contiguous>\nstatic void k0_897f9253_cpu_kernel_backward("));
	assert_int_equal(k.forward.start[k.forward.len - 1], '}');
	assert_int_equal(count_char(k.forward, '{'), count_char(k.forward, '}'));
	/* the forward ends right before the backward's template line */
	assert_non_null(memmem(k.forward.start, k.forward.len, "wp::array_store(var_out", 23));
	assert_null(memmem(k.forward.start, k.forward.len, "adj_", 4));
	assert_non_null(memmem(k.backward.start, k.backward.len, "adj_", 4));
	buf_free(&m);
}

static void test_cuda(void **state)
{
	(void)state;
	buf m = BUF_INIT;
	load_fixture("loop_cond.cu", &m);
	ext_kernel k;
	char why[128];
	assert_int_equal(ext_kernel_find(m.data, m.len, "k0", DEV_CUDA, &k, why, sizeof why), 0);
	assert_true(starts_with(k.forward, "extern \"C\" __global__ void k0_897f9253_cuda_kernel_forward("));
	assert_true(starts_with(k.backward, "extern \"C\" __global__ void k0_897f9253_cuda_kernel_backward("));
	assert_int_equal(k.backward.start[k.backward.len - 1], '}');
	assert_int_equal(count_char(k.backward, '{'), count_char(k.backward, '}'));
	buf_free(&m);
}

static void test_wrong_name_or_device(void **state)
{
	(void)state;
	buf m = BUF_INIT;
	load_fixture("loop_cond.cpp", &m);
	ext_kernel k;
	char why[128];
	assert_int_equal(ext_kernel_find(m.data, m.len, "k", DEV_CPU, &k, why, sizeof why), -1); /* prefix of k0 */
	assert_int_equal(ext_kernel_find(m.data, m.len, "k0", DEV_CUDA, &k, why, sizeof why), -1);
	assert_non_null(strstr(why, "no cuda forward function for 'k0'"));
	/* a truncated module: the body never closes */
	const char *cut = strstr(m.data, "var_0 = builtin_tid1d()");
	assert_int_equal(ext_kernel_find(m.data, (size_t)(cut - m.data), "k0", DEV_CPU, &k, why, sizeof why), -1);
	buf_free(&m);
}

static void test_braces_in_comments_and_strings(void **state)
{
	(void)state;
	const char *src = "template <bool c>\nstatic void f_0a_cpu_kernel_forward(int x)\n{\n"
			  "    // if x: { not code\n    printf(\"}%d{\", '}');\n    /* } */\n}\nint after;\n";
	ext_kernel k;
	char why[128];
	assert_int_equal(ext_kernel_find(src, strlen(src), "f", DEV_CPU, &k, why, sizeof why), 0);
	assert_int_equal(k.forward.len, strstr(src, "\nint after") - src);
	assert_int_equal(k.backward.len, 0);
}

/* Warp writes launch bounds and cluster dims between `extern "C"` and
 * `__global__` (@wp.kernel(launch_bounds=...), cluster_dim): still found. */
static void test_cuda_attributes(void **state)
{
	(void)state;
	const char *m = "extern \"C\" __launch_bounds__(128) WP_CLUSTER_DIMS(2, 1, 1) __global__ void "
			"kb_0123abcd_cuda_kernel_forward(\n    int dim)\n{\n    if (dim) { return; }\n}\n"
			"extern \"C\" __launch_bounds__(128) __global__ void kb_0123abcd_cuda_kernel_backward(\n"
			"    int dim)\n{\n}\n";
	ext_kernel k;
	char why[128];
	assert_int_equal(ext_kernel_find(m, strlen(m), "kb", DEV_CUDA, &k, why, sizeof why), 0);
	assert_string_equal(k.hash, "0123abcd");
	assert_true(starts_with(k.forward, "extern \"C\" __launch_bounds__(128) WP_CLUSTER_DIMS"));
	assert_int_equal(k.forward.start[k.forward.len - 1], '}');
	assert_true(starts_with(k.backward, "extern \"C\" __launch_bounds__(128) __global__ void kb_0123abcd_cuda_kernel_backward("));
	/* a call that merely mentions __global__ elsewhere on its line is no definition */
	const char *call = "extern \"C\" int x; kb_0123abcd_cuda_kernel_forward(1); /* __global__ */\n";
	assert_int_equal(ext_kernel_find(call, strlen(call), "kb", DEV_CUDA, &k, why, sizeof why), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu),
		cmocka_unit_test(test_cuda),
		cmocka_unit_test(test_cuda_attributes),
		cmocka_unit_test(test_wrong_name_or_device),
		cmocka_unit_test(test_braces_in_comments_and_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

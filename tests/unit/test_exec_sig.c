/* test_exec_sig: the run tier's signature parser and input builder
 * (src/exec/sig.h, inputs.h) on real Warp 1.19.0 output
 * (tests/fixtures/loop_cond.cpp) and on planted module texts: types laid
 * out as g++ does, roles from the forward body, deterministic inputs,
 * texture parameters; which kernels the adjoint check rules out from the
 * signature alone, and the module text such a kernel is built from
 * (exec_int.h: no backward entry point). */
#include "exec/exec_int.h"
#include "exec/inputs.h"
#include "exec/sig.h"
#include "test.h"
#include "validate/chk.h"

static void test_fixture(void **state)
{
	(void)state;
	buf m = BUF_INIT, err = BUF_INIT;
	load_fixture("loop_cond.cpp", &m);
	sig s;
	assert_int_equal(sig_parse(m.data, m.len, &s, &err), 0);
	assert_string_equal(s.entry, "k0_897f9253");
	assert_int_equal(s.launch_ndim, 1);
	assert_int_equal(s.nparams, 3);
	assert_string_equal(s.params[2].name, "out");
	assert_int_equal(s.params[1].offset, 56);
	assert_int_equal(s.args_size, 168);
	assert_int_equal(s.params[0].role, XR_INPUT);
	assert_int_equal(s.params[2].role, XR_OUTPUT);
	assert_null(s.unsupported);
	xinputs a, b;
	xin_build(&s, 7, 0, &a);
	xin_build(&s, 7, 0, &b);
	assert_int_equal(a.size, 64);
	assert_int_equal(a.narrs, 3);
	assert_memory_equal(a.arrs[0].data, b.arrs[0].data, a.arrs[0].bytes);
	double v = xin_get(&a.arrs[0], a.arrs[0].data, 5, 0);
	assert_true(v >= -1 && v < 1);
	xin_free(&b);
	xin_build(&s, 8, 0, &b); /* another seed, other values */
	assert_memory_not_equal(a.arrs[0].data, b.arrs[0].data, a.arrs[0].bytes);
	xin_free(&a);
	xin_free(&b);
	sig_free(&s);
	buf_free(&m);
	buf_free(&err);
}

static const char planted[] =
	"#define WP_TILE_BLOCK_DIM 128\n"
	"\nstruct Body_12345678\n{\n    wp::float32 mass;\n    wp::vec_t<3, wp::float64> v;\n\n    Body_12345678() = default;\n};\n"
	"\nstruct wp_args_k_abcdef01 {\n"
	"    wp::array_t<Body_12345678> bodies;\n"
	"    wp::float16 h;\n"
	"    wp::array_t<wp::transform_t<wp::float32>> acc;\n"
	"    wp::indexedarray_t<wp::int8> idx;\n"
	"    wp::array_t<wp::float32> mixed;\n"
	"    wp::uint64 m;\n"
	"    wp::uint64 vol;\n"
	"    wp::array_t<wp::float32> twice;\n"
	"};\n"
	"static void k_abcdef01_cpu_kernel_forward(wp::launch_bounds_t<2> dim, size_t task_index, wp_args_k_abcdef01 *_wp_args)\n{\n"
	"    wp::array_t<Body_12345678> var_bodies = _wp_args->bodies;\n"
	"    var_1 = wp::address(var_bodies, var_0, var_0);\n"
	"    wp::atomic_add(var_acc, var_0, var_2);\n"
	"    wp::atomic_sub(var_acc, var_0, var_2);\n"
	"    var_3 = wp::address(var_idx, var_0);\n"
	"    wp::atomic_min(var_mixed, var_0, var_2);\n"
	"    wp::atomic_max(var_mixed, var_0, var_2);\n"
	"    var_5 = wp::mesh_query_point(var_m, var_4, var_2);\n"
	"    var_6 = wp::volume_world_to_index(var_vol, var_4);\n"
	"    var_7 = wp::volume_sample_v(var_vol, var_6, var_8);\n"
	"    wp::array_store(var_twice, var_0, var_2);\n"
	"    wp::array_store(var_twice, var_9, var_2);\n"
	"    var_10 = wp::frac(var_2);\n"
	"}\n"
	"static void k_abcdef01_cpu_kernel_backward(wp::launch_bounds_t<2> dim, size_t task_index, wp_args_k_abcdef01 *_wp_args)\n{\n"
	"    wp::adj_add(var_1, var_2, var_3);\n"
	"}\n"
	"WP_API void k_abcdef01_cpu_forward(\n    wp::launch_bounds_t<2> *dim,\n    wp_args_k_abcdef01 *_wp_args)\n{\n}\n";

static void test_planted(void **state)
{
	(void)state;
	buf err = BUF_INIT;
	sig s;
	assert_int_equal(sig_parse(planted, sizeof planted - 1, &s, &err), 0);
	assert_int_equal(s.launch_ndim, 2);
	assert_int_equal(s.block_dim, 128);
	assert_int_equal(s.nparams, 8);
	assert_int_equal(s.params[5].geo, XG_MESH);
	assert_int_equal(s.params[6].geo, XG_VOLUME);
	assert_int_equal(s.params[6].vol_type, 1); /* sampled as vec3 */
	assert_int_equal(s.params[7].role, XR_OUTPUT);
	assert_true(s.params[7].stores_elsewhere); /* a[tid] and a[other]: threads overwrite */
	assert_false(s.params[2].stores_elsewhere);
	assert_non_null(s.missing_adjoint);
	assert_string_equal(s.missing_adjoint, "wp.frac");
	assert_null(s.unsupported);
	const xtype *body = s.params[0].type->elem;
	assert_int_equal(body->kind, XK_STRUCT);
	assert_int_equal(body->fields[1].offset, 8); /* float64 aligned */
	assert_int_equal(body->size, 32);
	assert_int_equal(s.params[1].offset, 56);	/* float16 after an array_t */
	assert_int_equal(s.params[2].offset, 64);
	assert_int_equal(s.params[2].type->elem->ncomp, 7);
	assert_int_equal(s.params[3].type->size, 104);
	assert_int_equal(s.params[0].role, XR_INPUT);
	assert_int_equal(s.params[0].ndim, 2);
	assert_int_equal(s.params[2].role, XR_ACCUM); /* add and sub are one kind */
	assert_int_equal(s.params[4].role, XR_INOUT); /* min and max mixed */
	assert_int_equal(s.params[1].role, XR_NONE);
	sig_free(&s);
	/* what it cannot lay out is an error, not a guess */
	static const char bad[] = "\nstruct wp_args_k_1 {\n    wp::array_t<Nope_1> a;\n};\n";
	assert_int_equal(sig_parse(bad, sizeof bad - 1, &s, &err), -1);
	assert_non_null(strstr(buf_cstr(&err), "Nope_1"));
	buf_free(&err);
}

/* A module of several kernels (an ingested file's): the record's own. */
static void test_pick_kernel(void **state)
{
	(void)state;
	static const char two[] =
		"\nstruct wp_args_step_1a2b3c4d {\n    wp::float32 dt;\n};\n"
		"static void step_1a2b3c4d_cpu_kernel_forward(wp::launch_bounds_t<1> dim, size_t task_index, "
		"wp_args_step_1a2b3c4d *_wp_args)\n{\n}\n"
		"WP_API void step_1a2b3c4d_cpu_forward(\n    wp::launch_bounds_t<1> *dim,\n    wp_args_step_1a2b3c4d *_wp_args)\n{\n}\n"
		"\nstruct wp_args_step_two_5e6f7a8b {\n    wp::int32 n;\n    wp::float32 g;\n};\n"
		"static void step_two_5e6f7a8b_cpu_kernel_forward(wp::launch_bounds_t<1> dim, size_t task_index, "
		"wp_args_step_two_5e6f7a8b *_wp_args)\n{\n}\n"
		"WP_API void step_two_5e6f7a8b_cpu_forward(\n    wp::launch_bounds_t<1> *dim,\n    wp_args_step_two_5e6f7a8b *_wp_args)\n{\n}\n";
	sig s;
	buf err = BUF_INIT;
	assert_int_equal(sig_parse(two, sizeof two - 1, &s, &err), 0);
	assert_string_equal(s.entry, "step_1a2b3c4d"); /* no name: the first */
	sig_free(&s);
	assert_int_equal(sig_parse_for(two, sizeof two - 1, "step_two", &s, &err), 0);
	assert_string_equal(s.entry, "step_two_5e6f7a8b");
	assert_int_equal(s.nparams, 2);
	sig_free(&s);
	/* "step" is a prefix of step_two, but only step_<hash> is its struct */
	assert_int_equal(sig_parse_for(two, sizeof two - 1, "step", &s, &err), 0);
	assert_string_equal(s.entry, "step_1a2b3c4d");
	sig_free(&s);
	assert_int_equal(sig_parse_for(two, sizeof two - 1, "other", &s, &err), -1);
	assert_non_null(strstr(buf_cstr(&err), "other"));
	buf_free(&err);
}

/* Textures are parameters geometry.c builds (laid out as texture.h's
 * structs); scalar-only and int8 signatures lay out as C does. */
static void test_textures_and_scalars(void **state)
{
	(void)state;
	static const char tex[] =
		"\nstruct wp_args_t_0a0b0c0d {\n"
		"    wp::int8 c;\n"
		"    wp::texture2d_t img;\n"
		"    wp::texture1d_t line;\n"
		"    wp::texture3d_t vol;\n"
		"    wp::array_t<wp::int8> codes;\n"
		"};\n"
		"static void t_0a0b0c0d_cpu_kernel_forward(wp::launch_bounds_t<1> dim, size_t task_index, wp_args_t_0a0b0c0d *_wp_args)\n{\n"
		"    var_1 = wp::texture_sample<wp::float32>(var_img, var_0, var_2);\n"
		"}\n"
		"WP_API void t_0a0b0c0d_cpu_forward(\n    wp::launch_bounds_t<1> *dim,\n    wp_args_t_0a0b0c0d *_wp_args)\n{\n}\n";
	buf err = BUF_INIT;
	sig s;
	assert_int_equal(sig_parse(tex, sizeof tex - 1, &s, &err), 0);
	assert_int_equal(s.nparams, 5);
	assert_int_equal(s.params[0].type->sk, XS_I8);
	assert_int_equal(s.params[1].type->kind, XK_TEXTURE);
	assert_int_equal(s.params[1].type->ncomp, 2);
	assert_int_equal(s.params[1].offset, 8);  /* uint64 handle: 8-aligned */
	assert_int_equal(s.params[1].type->size, 24); /* tex, width, height, metadata */
	assert_int_equal(s.params[2].offset, 32);
	assert_int_equal(s.params[2].type->size, 16); /* tex, width, metadata */
	assert_int_equal(s.params[3].offset, 48);
	assert_int_equal(s.params[3].type->size, 24); /* tex, width, height, depth, metadata */
	assert_int_equal(s.params[4].offset, 72);
	assert_int_equal(s.args_size, 128);
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(s.params[i].geo, XG_TEXTURE);
		assert_int_equal(s.params[i].role, XR_NONE);
	}
	assert_null(s.unsupported);
	xinputs in;
	xin_build(&s, 3, 0, &in); /* the descriptors stay zero until geometry.c fills them */
	static const unsigned char zero[24];
	assert_memory_equal(in.args + 8, zero, 24);
	assert_int_equal(in.narrs, 1);
	xin_free(&in);
	sig_free(&s);
	/* no arrays at all: a float and an int */
	static const char sc[] =
		"\nstruct wp_args_s_11223344 {\n    wp::float32 x;\n    wp::int32 n;\n    wp::float64 d;\n};\n"
		"static void s_11223344_cpu_kernel_forward(wp::launch_bounds_t<1> dim, size_t task_index, wp_args_s_11223344 *_wp_args)\n{\n}\n"
		"WP_API void s_11223344_cpu_forward(\n    wp::launch_bounds_t<1> *dim,\n    wp_args_s_11223344 *_wp_args)\n{\n}\n";
	assert_int_equal(sig_parse(sc, sizeof sc - 1, &s, &err), 0);
	assert_int_equal(s.nparams, 3);
	assert_int_equal(s.params[2].offset, 8);
	assert_int_equal(s.args_size, 16);
	sig_free(&s);
	/* a texture inside a struct has no object behind it: refused */
	static const char in_struct[] =
		"\nstruct P_1\n{\n    wp::texture2d_t t;\n};\n\nstruct wp_args_k_1 {\n    P_1 p;\n};\n";
	assert_int_equal(sig_parse(in_struct, sizeof in_struct - 1, &s, &err), -1);
	assert_non_null(strstr(buf_cstr(&err), "texture"));
	buf_free(&err);
}

/* A kernel the adjoint check will not judge is built without its backward
 * entry point: the cut removes the payload, thunk and extern "C"
 * _cpu_backward and nothing else (the forward entry, and the backward
 * template that nothing instantiates any more, stay); a text whose cut
 * would read differently (a comment opened inside the cut hides a
 * #pragma after it) is not cut. */
static void test_without_backward(void **state)
{
	(void)state;
	buf m = BUF_INIT, err = BUF_INIT, out = BUF_INIT;
	load_fixture("loop_cond.cpp", &m);
	sig s;
	assert_int_equal(sig_parse(m.data, m.len, &s, &err), 0);
	const char *cls = NULL;
	char why[160];
	assert_null(exec_grad_static(&s, &cls, why, sizeof why)); /* float in, float out: judged */
	assert_int_equal(exec_tu_without_backward(m.data, m.len, s.entry, &out), 0);
	assert_null(strstr(out.data, "k0_897f9253_cpu_backward("));
	assert_null(strstr(out.data, "k0_897f9253_cpu_block_payload_backward"));
	assert_non_null(strstr(out.data, "k0_897f9253_cpu_forward("));
	assert_non_null(strstr(out.data, "k0_897f9253_cpu_kernel_backward("));
	const char *tail = strstr(m.data, "k0_897f9253_cpu_backward(");
	tail = strstr(tail, "} // extern C\n") + strlen("} // extern C\n");
	size_t after = m.len - (size_t)(tail - m.data);
	assert_memory_equal(out.data + out.len - after, tail, after); /* what follows is kept as it was */
	assert_true(out.len + 1000 < m.len);
	buf_reset(&out);
	assert_int_equal(exec_tu_without_backward(m.data, m.len, "k1_00000000", &out), -1); /* no such kernel */
	assert_int_equal(out.len, 0);
	static const char hidden[] = "int a;\nstruct k_1_cpu_block_payload_backward\n/*\nWP_API void k_1_cpu_backward(\n"
				     "}\n} // extern C\n#pragma GCC poison a */\nint b;\n";
	assert_int_equal(chk_screen(hidden, sizeof hidden - 1, &err), 0);
	assert_int_equal(exec_tu_without_backward(hidden, sizeof hidden - 1, "k_1", &out), -1);
	assert_int_equal(out.len, 0);
	sig_free(&s);
	/* the planted kernel: an in-out array rules its gradient out */
	assert_int_equal(sig_parse(planted, sizeof planted - 1, &s, &err), 0);
	assert_non_null(exec_grad_static(&s, &cls, why, sizeof why));
	assert_string_equal(cls, "inout");
	sig_free(&s);
	buf_free(&m);
	buf_free(&err);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_planted),
		cmocka_unit_test(test_pick_kernel),
		cmocka_unit_test(test_textures_and_scalars),
		cmocka_unit_test(test_without_backward),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

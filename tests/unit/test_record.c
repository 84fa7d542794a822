/* test_record: record and reject lines are valid JSON in the documented
 * schema, byte-identical for equal inputs, and refuse invalid UTF-8; seeds
 * of all 64 bits are written as themselves and read back. */
#include <jansson.h>

#include "store/record.h"
#include "test.h"

static rec_pair sample_pair(void)
{
	static const char py[] = "import warp as wp\n\n@wp.kernel\ndef k(a: wp.array(dtype=float)):\n    pass\n";
	rec_pair p = {.seed = 42, .index = 17, .kernel_name = "k", .category = "loop", .python_source = py,
		      .python_len = sizeof py - 1, .warp_version = "1.19.0", .kernel_hash = "abcd1234"};
	p.ir[0] = (rec_ir){1, {"fwd \"q\"", 7}, {"bwd", 3}, {"module\n", 7}, "none"};
	p.ir[1] = (rec_ir){1, {"cfwd", 4}, {"cbwd", 4}, {"cmodule", 7}, "none"};
	return p;
}

static void test_pair_schema(void **state)
{
	(void)state;
	rec_pair p = sample_pair();
	buf line = BUF_INIT;
	assert_int_equal(rec_pair_line(&p, &line), 0);
	assert_int_equal(line.data[line.len - 1], '\n');
	assert_null(memchr(line.data, '\n', line.len - 1)); /* one line */
	json_error_t e;
	json_t *o = json_loadb(line.data, line.len, 0, &e);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "id")), "s42-000000017");
	assert_string_equal(json_string_value(json_object_get(o, "kernel_name")), "k");
	assert_string_equal(json_string_value(json_object_get(o, "category")), "loop");
	assert_string_equal(json_string_value(json_object_get(o, "python_source")), p.python_source);
	json_t *cpu = json_object_get(json_object_get(o, "ir"), "cpu");
	assert_string_equal(json_string_value(json_object_get(cpu, "forward")), "fwd \"q\"");
	assert_string_equal(json_string_value(json_object_get(cpu, "module")), "module\n");
	json_t *meta = json_object_get(o, "meta");
	assert_int_equal(json_integer_value(json_object_get(meta, "index")), 17);
	assert_string_equal(json_string_value(json_object_get(meta, "kernel_hash")), "abcd1234");
	assert_string_equal(json_string_value(json_object_get(json_object_get(meta, "validated"), "cuda")), "none");
	json_decref(o);

	buf again = BUF_INIT;
	rec_pair_line(&p, &again);
	assert_int_equal(again.len, line.len);
	assert_memory_equal(again.data, line.data, line.len);
	buf_free(&line);
	buf_free(&again);
}

static void test_cpu_only_and_bad_utf8(void **state)
{
	(void)state;
	rec_pair p = sample_pair();
	p.ir[1].present = 0;
	buf line = BUF_INIT;
	assert_int_equal(rec_pair_line(&p, &line), 0);
	assert_null(strstr(line.data, "\"cuda\""));
	buf_reset(&line);
	p.ir[0].module = (ext_span){"\xff\xfe", 2};
	assert_int_equal(rec_pair_line(&p, &line), -1);
	assert_int_equal(line.len, 0);
	buf_free(&line);
}

/* forward and backward cut from the module text are written unchecked (the
 * module's UTF-8 check covers them): the same line as when they are checked
 * copies; a span cut inside a character, or one outside the module, is still
 * checked and refused when it is not UTF-8. */
static void test_spans_inside_the_module(void **state)
{
	(void)state;
	static const char mod[] = "// \xc3\xa9t\xc3\xa9\nvoid f() { x = \"\xe2\x82\xac\"; }\nvoid g() {}\n";
	const char *f = strstr(mod, "void f"), *g = strstr(mod, "void g");
	rec_pair p = sample_pair();
	p.ir[1].present = 0;
	p.ir[0].module = (ext_span){mod, sizeof mod - 1};
	p.ir[0].forward = (ext_span){f, (size_t)(g - f)};
	p.ir[0].backward = (ext_span){g, strlen(g)};
	buf inside = BUF_INIT, copies = BUF_INIT;
	assert_int_equal(rec_pair_line(&p, &inside), 0);
	char *fc = strndup(f, (size_t)(g - f)), *gc = strdup(g);
	p.ir[0].forward.start = fc;
	p.ir[0].backward.start = gc;
	assert_int_equal(rec_pair_line(&p, &copies), 0);
	assert_int_equal(inside.len, copies.len);
	assert_memory_equal(inside.data, copies.data, inside.len);
	/* cut inside the euro sign: not UTF-8, refused */
	const char *euro = strstr(mod, "\xe2");
	p.ir[0].forward = (ext_span){euro + 1, 2};
	buf_reset(&inside);
	assert_int_equal(rec_pair_line(&p, &inside), -1);
	p.ir[0].forward = (ext_span){f, (size_t)(euro + 1 - f)};
	assert_int_equal(rec_pair_line(&p, &inside), -1);
	/* outside the module, not UTF-8: refused */
	p.ir[0].forward = (ext_span){"\xff", 1};
	assert_int_equal(rec_pair_line(&p, &inside), -1);
	free(fc);
	free(gc);
	buf_free(&inside);
	buf_free(&copies);
}

static void test_reject(void **state)
{
	(void)state;
	rec_reject r = {.seed = 1, .index = 2, .kernel_name = "k", .category = "math", .stage = "warp",
			.reason = "WarpCodegenError: bad", .python_source = "src", .python_len = 3};
	buf line = BUF_INIT;
	rec_reject_line(&r, &line);
	json_t *o = json_loadb(line.data, line.len, 0, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "stage")), "warp");
	assert_string_equal(json_string_value(json_object_get(o, "reason")), "WarpCodegenError: bad");
	json_decref(o);
	buf_free(&line);
}

/* jansson's integers are signed: a seed above 2^63-1 is a decimal string,
 * every seed reads back, and nothing that is not a uint64 does. */
static void test_u64_seeds_round_trip(void **state)
{
	(void)state;
	static const uint64_t seeds[] = {0, 42, INT64_MAX, (uint64_t)INT64_MAX + 1, UINT64_MAX};
	for (size_t i = 0; i < sizeof seeds / sizeof *seeds; i++) {
		json_t *v = rec_json_u64(seeds[i]);
		assert_true(seeds[i] <= (uint64_t)INT64_MAX ? json_is_integer(v) : json_is_string(v));
		char *text = json_dumps(v, JSON_ENCODE_ANY);
		json_t *back = json_loads(text, JSON_DECODE_ANY, NULL);
		uint64_t got = 1;
		assert_int_equal(rec_json_get_u64(back, &got), 0);
		assert_true(got == seeds[i]);
		free(text);
		json_decref(v);
		json_decref(back);
	}
	json_t *big = rec_json_u64(UINT64_MAX);
	assert_string_equal(json_string_value(big), "18446744073709551615");
	json_decref(big);
	static const char *const bad[] = {"\"18446744073709551616\"", "\"-1\"", "\"\"", "\"12a\"", "\" 1\"",
					  "\"000000000000000000001\"", "-1", "1.5", "null", "true"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		json_t *v = json_loads(bad[i], JSON_DECODE_ANY, NULL);
		uint64_t got;
		if (rec_json_get_u64(v, &got) != -1)
			fail_msg("%s read as a uint64", bad[i]);
		json_decref(v);
	}
	/* a record holds its seed as itself */
	rec_pair p = sample_pair();
	p.seed = UINT64_MAX;
	buf line = BUF_INIT;
	assert_int_equal(rec_pair_line(&p, &line), 0);
	assert_non_null(strstr(line.data, "\"seed\":\"18446744073709551615\""));
	assert_non_null(strstr(line.data, "\"id\":\"s18446744073709551615-000000017\""));
	buf_free(&line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pair_schema),
		cmocka_unit_test(test_cpu_only_and_bad_utf8),
		cmocka_unit_test(test_spans_inside_the_module),
		cmocka_unit_test(test_reject),
		cmocka_unit_test(test_u64_seeds_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

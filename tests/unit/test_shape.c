/* test_shape: the kernel-shape scanner behind the statements and nesting-
 * depth metrics (report/shape.h) on hand-written sources, tricky ones
 * included; and the metrics accumulator's reject keys, capped reason table
 * and JSON form (report/metrics.h). */
#include "test.h"

#include <jansson.h>

#include "gen/catalog.h"
#include "report/metrics.h"
#include "report/shape.h"

static shape_info scan_ok(const char *src)
{
	shape_info sh;
	assert_int_equal(shape_scan(src, strlen(src), &sh), 0);
	return sh;
}

#define assert_shape(src, stmts, dep)                                                                        \
	do {                                                                                                 \
		shape_info sh_ = scan_ok(src);                                                               \
		assert_int_equal(sh_.statements, (stmts));                                                   \
		assert_int_equal(sh_.depth, (dep));                                                          \
	} while (0)

static void test_flat_kernel(void **s)
{
	(void)s;
	assert_shape("import warp as wp\n\n@wp.kernel\ndef k(a: wp.array(dtype=float)):\n"
		     "    tid = wp.tid()\n    a[tid] = 1.0\n",
		     2, 0);
}

static void test_blocks_and_depth(void **s)
{
	(void)s;
	/* if, for, while and else heads count once each; depth is the deepest block */
	assert_shape("import warp as wp\n\n@wp.kernel\ndef k(a: wp.array(dtype=float)):\n"
		     "    tid = wp.tid()\n"
		     "    for i in range(3):\n"          /* depth 0 */
		     "        if a[tid] > 0.0:\n"        /* depth 1 */
		     "            a[tid] = 0.0\n"        /* depth 2 */
		     "        else:\n"                   /* depth 1 */
		     "            while a[tid] < 1.0:\n" /* depth 2 */
		     "                a[tid] += 0.5\n"   /* depth 3 */
		     "    a[tid] = a[tid] * 2.0\n",      /* depth 0 */
		     8, 3);
}

static void test_elif_chain(void **s)
{
	(void)s;
	assert_shape("@wp.kernel\ndef k(a: wp.array(dtype=int)):\n"
		     "    t = wp.tid()\n"
		     "    if t < 1:\n        a[t] = 1\n"
		     "    elif t < 2:\n        a[t] = 2\n"
		     "    elif t < 3:\n        a[t] = 3\n"
		     "    else:\n        a[t] = 4\n",
		     9, 1);
}

static void test_while_else_break(void **s)
{
	(void)s;
	assert_shape("@wp.kernel\ndef k(a: wp.array(dtype=int)):\n"
		     "    t = wp.tid()\n    n = int(0)\n"
		     "    while n < 4:\n        n += 1\n        if n == t:\n            break\n"
		     "    else:\n        n = 0\n"
		     "    a[t] = n\n",
		     9, 2);
}

static void test_multiline_brackets_and_continuation(void **s)
{
	(void)s;
	/* a call over three lines, a multi-line def header, a backslash
	 * continuation and a list literal: one logical line each */
	assert_shape("@wp.kernel\ndef k(a: wp.array(dtype=float),\n      b: wp.array(dtype=float),\n"
		     "      c: float):\n"
		     "    t = wp.tid()\n"
		     "    x = wp.max(a[t],\n"
		     "               b[t] + (c *\n"
		     "                       2.0))\n"
		     "    y = x + \\\n        1.0\n"
		     "    v = wp.vec3(\n        x,\n        y,\n        c,\n    )\n"
		     "    b[t] = v[0]\n",
		     5, 0);
}

static void test_comments_and_blank_lines(void **s)
{
	(void)s;
	/* comments (at any indentation, even an odd one) and blank lines do not
	 * count and do not change the depth */
	assert_shape("@wp.kernel\ndef k(a: wp.array(dtype=float)):  # the kernel\n"
		     "    # a comment\n\n"
		     "    t = wp.tid()  # trailing: if x:\n"
		     "            # deeply indented comment\n"
		     "\n   \n"
		     "    if t > 0:\n"
		     "  # badly indented comment\n"
		     "        a[t] = 1.0\n",
		     3, 1);
}

static void test_strings_with_colons_hashes_brackets(void **s)
{
	(void)s;
	assert_shape("@wp.kernel\ndef k(a: wp.array(dtype=float)):\n"
		     "    t = wp.tid()\n"
		     "    wp.printf(\"x: %f # not a comment (\\n\", a[t])\n"
		     "    wp.printf('it''s: [%d]\\'', t)\n"
		     "    \"\"\"a docstring-like string over\n  two lines: # ( [ {\"\"\"\n"
		     "    s = r'\\d:('\n"
		     "    a[t] = 0.0\n",
		     6, 0);
}

static void test_helpers_before_and_after(void **s)
{
	(void)s;
	/* @wp.func helpers (with deeper blocks), a struct, constants and a
	 * trailing helper: only the kernel body counts */
	assert_shape("import warp as wp\n\nTILE = 4\n\n"
		     "@wp.struct\nclass S:\n    x: float\n    y: wp.vec3\n\n"
		     "@wp.func\ndef h(x: float):\n    if x > 0.0:\n        for i in range(2):\n"
		     "            if x > 1.0:\n                return 1.0\n    return x\n\n\n"
		     "@wp.kernel\ndef k(a: wp.array(dtype=float), s: S):\n"
		     "    t = wp.tid()\n    a[t] = h(s.x)\n\n\n"
		     "@wp.func\ndef after(x: float):\n    if x:\n        if x:\n            return x\n    return x\n",
		     2, 0);
}

static void test_decorator_forms(void **s)
{
	(void)s;
	/* @wp.kernel with options, other decorators around it, a tab-indented body */
	assert_shape("@wp.kernel(enable_backward=False)\n@other\ndef k(a: wp.array(dtype=float)):\n"
		     "\tt = wp.tid()\n\tif t:\n\t\ta[t] = 0.0\n",
		     3, 1);
	/* @wp.kernel_like is not @wp.kernel; a func between does not count */
	assert_shape("@wp.kernel_like\ndef f(x: float):\n    return x\n"
		     "@wp.kernel\ndef k(a: wp.array(dtype=float)):\n    a[0] = 1.0\n",
		     1, 0);
}

static void test_no_kernel(void **s)
{
	(void)s;
	shape_info sh = {7, 7};
	const char *src = "import warp as wp\n\n@wp.func\ndef h(x: float):\n    return x\n";
	assert_int_equal(shape_scan(src, strlen(src), &sh), -1);
	assert_int_equal(sh.statements, 0);
	assert_int_equal(sh.depth, 0);
	assert_int_equal(shape_scan("", 0, &sh), -1);
	/* a decorator not followed by a def */
	src = "@wp.kernel\nx = 1\ndef k():\n    pass\n";
	assert_int_equal(shape_scan(src, strlen(src), &sh), -1);
}

static void test_robust_input(void **s)
{
	(void)s;
	shape_info sh;
	/* unterminated string, unbalanced brackets, CRLF, no final newline,
	 * a body at the end of the input: no crash, sensible counts */
	const char *src = "@wp.kernel\r\ndef k(a):\r\n    t = 1\r\n    if t:\r\n        x = 'open\r\n    y = ((1,\n";
	assert_int_equal(shape_scan(src, strlen(src), &sh), 0);
	assert_int_equal(sh.statements, 4);
	assert_int_equal(sh.depth, 1);
	/* the scanner reads only src[0..n): a body cut at n */
	src = "@wp.kernel\ndef k():\n    a = 1\n    b = 2\n";
	assert_int_equal(shape_scan(src, strlen(src) - 4, &sh), 0);
	assert_int_equal(sh.statements, 2);
	/* deeper than the indentation stack: counted, capped */
	buf deep = BUF_INIT;
	buf_puts(&deep, "@wp.kernel\ndef k():\n");
	for (int i = 1; i <= 300; i++) {
		buf_indent(&deep, i);
		buf_puts(&deep, "if x:\n");
	}
	assert_int_equal(shape_scan(deep.data, deep.len, &sh), 0);
	assert_int_equal(sh.statements, 300);
	assert_true(sh.depth >= 150 && sh.depth < 300);
	buf_free(&deep);
}

static void test_reject_keys(void **s)
{
	(void)s;
	buf k = BUF_INIT;
	metrics_reject_key("warp", "Invalid argument 'x' at 12 and \"y\" here: the rest", &k);
	assert_string_equal(k.data, "warp: Invalid argument \"…\" at N and \"…\" here");
	/* the cut at 60 characters never splits a UTF-8 sequence */
	buf_reset(&k);
	char reason[200] = "";
	for (int i = 0; i < 59; i++)
		strcat(reason, "x");
	strcat(reason, "\xc3\xa9\xc3\xa9 tail");
	metrics_reject_key("validate", reason, &k);
	json_t *key = json_string(k.data);
	assert_non_null(key); /* valid UTF-8 */
	json_decref(key);
	buf_free(&k);
}

static void test_metrics_json(void **s)
{
	(void)s;
	metrics m;
	metrics_init(&m);
	const char *a = "@wp.kernel\ndef k(a: wp.array(dtype=float)):\n    t = wp.tid()\n    a[t] = wp.sin(a[t])\n";
	const char *b = "@wp.kernel\ndef k(a: wp.array(dtype=float)):\n    t = wp.tid()\n    if t > 0:\n"
			"        a[t] = wp.cos(a[t])\n";
	metrics_add_source(&m, a, strlen(a));
	/* the generate path (measure, then add once kept) counts the same */
	metrics_kernel km = {0};
	metrics_measure(&km, b, strlen(b));
	metrics_add_kernel(&m, &km);
	metrics_kernel_release(&km);
	metrics_add_source(&m, "x = 1\n", 6); /* no kernel: not measured */
	/* more reasons than the table holds: the rest count as "(other)" */
	for (int i = 0; i < METRICS_REASONS + 5; i++) {
		char why[32];
		snprintf(why, sizeof why, "reason %c%c", 'a' + i % 26, 'a' + i / 26);
		metrics_add_reject(&m, "warp", why);
	}
	json_t *j = metrics_json(&m);
	char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(j);
	assert_non_null(strstr(text, "\"statements\":{\"kernels\":2,\"mean\":2.5,\"max\":3,\"counts\":[0,0,1,1]}"));
	assert_non_null(strstr(text, "\"nesting_depth\":{\"kernels\":2,\"mean\":0.5,\"max\":1,\"counts\":[1,1]}"));
	assert_non_null(strstr(text, "\"(other)\":5"));
	assert_int_equal(m.no_kernel, 1);
	assert_int_equal(m.rejects, METRICS_REASONS + 5);
	assert_int_equal(m.reasons.n, METRICS_REASONS + 1);
	/* wp.tid, wp.sin, wp.cos: three distinct catalog entries (the
	 * `a: wp.array(dtype=float)` annotation is no call of Warp's array builtin) */
	json_t *back = json_loads(text, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(back, "builtins"), "used")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(back, "builtins"), "catalog_size")),
			 gen_catalog_size);
	json_decref(back);
	free(text);
	metrics_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flat_kernel),
		cmocka_unit_test(test_blocks_and_depth),
		cmocka_unit_test(test_elif_chain),
		cmocka_unit_test(test_while_else_break),
		cmocka_unit_test(test_multiline_brackets_and_continuation),
		cmocka_unit_test(test_comments_and_blank_lines),
		cmocka_unit_test(test_strings_with_colons_hashes_brackets),
		cmocka_unit_test(test_helpers_before_and_after),
		cmocka_unit_test(test_decorator_forms),
		cmocka_unit_test(test_no_kernel),
		cmocka_unit_test(test_robust_input),
		cmocka_unit_test(test_reject_keys),
		cmocka_unit_test(test_metrics_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

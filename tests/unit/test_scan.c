/* test_scan: the ingest scanner finds @wp.kernel functions by surface
 * syntax: decorators with and without arguments, stacked decorators,
 * multi-line signatures, kernels made inside a function (factories) or a
 * class, and no kernel inside a string or a comment; plus the licence
 * texts it recognises (src/ingest/source.c). */
#include "ingest/scan.h"
#include "ingest/source.h"
#include "test.h"

static scan_result scan(const char *text)
{
	scan_result r = {0};
	scan_kernels(text, strlen(text), &r);
	return r;
}

static void test_module_level(void **state)
{
	(void)state;
	scan_result r = scan("import warp as wp\n"
			     "\n"
			     "@wp.kernel\n"
			     "def a(x: wp.array(dtype=float)):\n"
			     "    x[0] = 1.0\n"
			     "\n"
			     "\n"
			     "@wp.kernel(enable_backward=False)\n"
			     "def b(\n"
			     "    x: wp.array(dtype=float),  # a comment with @wp.kernel\n"
			     "):\n"
			     "    s = \"\"\"\n"
			     "@wp.kernel\n"
			     "def not_a_kernel():\n"
			     "\"\"\"\n"
			     "    x[0] = 2.0\n"
			     "\n"
			     "@wp.func\n"
			     "def helper(x: float):\n"
			     "    return x\n"
			     "\n"
			     "@some.other\n"
			     "@warp.kernel\n"
			     "def c(x: wp.array(dtype=float)):\n"
			     "    pass\n"
			     "# @wp.kernel\n"
			     "# def commented(): pass\n");
	assert_int_equal(r.n, 3);
	assert_string_equal(r.k[0].name, "a");
	assert_int_equal(r.k[0].line, 4);
	assert_int_equal(r.k[0].first, 3);
	assert_int_equal(r.k[0].last, 5);
	assert_true(r.k[0].toplevel);
	assert_string_equal(r.k[1].name, "b");
	assert_int_equal(r.k[1].line, 9);
	assert_int_equal(r.k[1].last, 16);
	assert_string_equal(r.k[2].name, "c");
	assert_int_equal(r.k[2].first, 22);
	assert_int_equal(r.k[2].line, 24);
	assert_int_equal(r.k[2].last, 25);
	scan_result_free(&r);
}

static void test_factory_and_class(void **state)
{
	(void)state;
	scan_result r = scan("def make(f):\n"
			     "    @wp.kernel\n"
			     "    def scaler(a: wp.array(dtype=float)):\n"
			     "        a[0] = f\n"
			     "    return scaler\n"
			     "\n"
			     "class Holder:\n"
			     "    @wp.kernel\n"
			     "    def inner(a: wp.array(dtype=float)):\n"
			     "        pass\n"
			     "\n"
			     "if True:\n"
			     "    @wp.kernel\n"
			     "    def guarded(a: wp.array(dtype=float)):\n"
			     "        pass\n"
			     "@wp.kernelize\n"
			     "def not_it(): pass\n");
	assert_int_equal(r.n, 3);
	assert_string_equal(r.k[0].name, "scaler");
	assert_false(r.k[0].toplevel);
	assert_true(r.k[0].in_def);
	assert_int_equal(r.k[0].last, 4);
	assert_string_equal(r.k[1].name, "inner");
	assert_false(r.k[1].toplevel);
	assert_false(r.k[1].in_def);
	assert_string_equal(r.k[2].name, "guarded");
	assert_true(r.k[2].toplevel); /* runs at import */
	assert_false(r.k[2].in_def);
	scan_result_free(&r);
}

static void test_licences(void **state)
{
	(void)state;
	const char *mit = "Permission is hereby granted, free of charge, to any person";
	const char *apache = "  Apache License\n  Version 2.0, January 2004\n";
	const char *bsd3 = "Redistribution and use in source and binary forms ... Neither the name of";
	const char *bsd2 = "Redistribution and use in source and binary forms, with or without";
	assert_string_equal(src_license_of_text(mit, strlen(mit)), "MIT");
	assert_string_equal(src_license_of_text(apache, strlen(apache)), "Apache-2.0");
	assert_string_equal(src_license_of_text(bsd3, strlen(bsd3)), "BSD-3-Clause");
	assert_string_equal(src_license_of_text(bsd2, strlen(bsd2)), "BSD-2-Clause");
	assert_null(src_license_of_text("GNU GENERAL PUBLIC LICENSE", 26));
	assert_string_equal(src_license_of_field("Apache-2.0"), "Apache-2.0");
	assert_string_equal(src_license_of_field("MIT License"), "MIT");
	assert_null(src_license_of_field("Proprietary"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_module_level),
	    cmocka_unit_test(test_factory_and_class),
	    cmocka_unit_test(test_licences),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_screen: a module's text is screened before any compiler sees it
 * (chk_screen). Real Warp modules pass; an include of anything but Warp's
 * headers by plain name, any directive Warp does not write, _Pragma,
 * __has_include and token pasting are refused with the line and the reason,
 * however they are hidden (splices, comments, digraphs, a directive after a
 * block comment, strings that look like comments); what the compilers could
 * read differently (NUL, a lone CR, trigraphs, raw strings, a backslash
 * before blanks and a newline, universal character names) is refused. */
#include "test.h"
#include "validate/chk.h"

static void allowed_n(const char *text, size_t len)
{
	buf why = BUF_INIT;
	int r = chk_screen(text, len, &why);
	if (r)
		fail_msg("refused: %s\n--- text:\n%.*s", buf_cstr(&why), (int)len, text);
	assert_int_equal(why.len, 0);
	buf_free(&why);
}

static void allowed(const char *text)
{
	allowed_n(text, strlen(text));
}

/* Refused, with `want` in the reason (which is one line). */
static void refused_n(const char *text, size_t len, const char *want)
{
	buf why = BUF_INIT;
	if (!chk_screen(text, len, &why))
		fail_msg("allowed, wanted refused (%s):\n%.*s", want, (int)len, text);
	if (!strstr(buf_cstr(&why), want))
		fail_msg("reason '%s' lacks '%s'", buf_cstr(&why), want);
	assert_null(strchr(buf_cstr(&why), '\n'));
	buf_free(&why);
}

static void refused(const char *text, const char *want)
{
	refused_n(text, strlen(text), want);
}

static void test_warp_modules_pass(void **state)
{
	(void)state;
	buf m = BUF_INIT;
	load_fixture("loop_cond.cpp", &m);
	allowed_n(m.data, m.len);
	buf_reset(&m);
	load_fixture("loop_cond.cu", &m);
	allowed_n(m.data, m.len);
	buf_free(&m);
	allowed("#include <builtin.h>\n#  include  <deterministic.h>\n");
	allowed("  #  include \"builtin.h\" // Warp's\n#include \"deterministic.h\" /* too */\n");
	allowed("%:include \"builtin.h\"\n");
	allowed("#include \"builtin.h\"\r\nint x;\r\n");
	allowed("#\n#undef X\n#ifdef X\n#elif defined(Y) && Y > 2\n#else\n#endif\n#ifndef Z\n#endif\n");
	allowed("#define S(x) #x\n#define T %:x\n");
	allowed("#define A(x) \\\n  (x + 1)\nint y = A(2);\n");
	/* what looks like a directive inside a literal or a comment is none */
	allowed("const char *s = \"#include \\\"/etc/passwd\\\"\";\n// #include \"/dev/zero\"\n");
	allowed("/* #include \"/dev/zero\"\n#pragma once */ int z;\n");
	allowed("char q = '\"'; const char *c = \"/*\"; int n = 1'000'000; // '\n");
	allowed("float f = 1.5e+3f, g = .5e-2, h = 0x1p-3;\n");
	allowed("asm volatile(\".pragma \\\"enable_smem_spilling\\\";\");\n");
	allowed("const char *u = u8\"x\", *w = L\"y\"; auto ch = U'z';\n");
	allowed("\xef\xbb\xbf#include \"builtin.h\"\n");
	allowed("");
}

static void test_includes_refused(void **state)
{
	(void)state;
	const char *only = "a module may include only Warp's own headers";
	refused("#include \"/dev/zero\"\n", "line 1: #include \"/dev/zero\": a module may include only");
	refused("#include \"builtin.h\"\n#include \"/etc/passwd\"\n", "line 2: #include \"/etc/passwd\"");
	refused("#include \"../../x\"\n", "#include \"../../x\"");
	refused("#include \"builtin.h/../../x\"\n", only);
	refused("#include \"warp/native/builtin.h\"\n", only);
	refused("#include <stdio.h>\n", "#include <stdio.h>");
	refused("#include\"/dev/zero\"\n", only);
	refused("#include \"builtin.h\" extra\n", only);
	refused("#include \"builtin.h\n", only);
	refused("#include <builtin.h\n", only);
	refused("#include\n", only);
	refused("#define H \"/etc/passwd\"\n#include H\n", "line 2: #include H: a module may include only");
	refused("#define H(x) #x\n#include H(/etc/passwd)\n", "#include H(/etc/passwd)");
	/* hidden */
	refused("#inc\\\nlude \"/dev/zero\"\n", "line 1: #include \"/dev/zero\"");
	refused("int a;\\\n\n#incl\\\r\nude \"/dev/zero\"\n", "line 3: #include \"/dev/zero\"");
	refused("/**/ #include \"/dev/zero\"\n", only);
	refused("#/**/include /* */ \"/dev/zero\"\n", only);
	refused("/* a\n comment */ #include \"/dev/zero\"\n", "line 2: #include");
	refused("x; /*\n*/ #include \"/dev/zero\"\n", only);
	refused("#include /*\n*/ \"/dev/zero\"\n", only);
	refused("%:include \"/dev/zero\"\n", only);
	refused("\t \v\f#include \"/dev/zero\"\n", only);
	refused("\xef\xbb\xbf#include \"/dev/zero\"\n", only);
	refused("const char *s = \"/*\";\n#include \"/dev/zero\"\n// */\n", "line 2: #include \"/dev/zero\"");
	refused("char c = '/*';\n#include \"/dev/zero\"\n", "line 2");
	refused("char c = 'x\n#include \"/dev/zero\"\n", "line 2"); /* unterminated: ends with the line */
	refused("const char *s = \"x\n#include \"/dev/zero\"\n", "line 2");
	refused("int n = 1'0;\n#include \"/dev/zero\"\n", "line 2");
	refused("// a comment \\\n still one\n#include \"/dev/zero\"\n", "line 3");
	/* what the text shows of itself is printable ASCII, and short */
	refused("#include \"\x1b[31mred\"\n", "#include \"?[31mred\"");
	buf big = BUF_INIT;
	buf_puts(&big, "#include \"");
	for (int i = 0; i < 200; i++)
		buf_putc(&big, 'a');
	buf_puts(&big, "\"\n");
	buf why = BUF_INIT;
	assert_int_equal(chk_screen(big.data, big.len, &why), 1);
	assert_non_null(strstr(buf_cstr(&why), "aaaa..."));
	assert_true(why.len < 300);
	buf_free(&why);
	buf_free(&big);
}

static void test_directives_refused(void **state)
{
	(void)state;
	const char *not_warp = "is not allowed in a module (Warp's code uses only";
	refused("#pragma once\n", "line 1: #pragma is not allowed in a module");
	refused("#pragma GCC dependency \"/etc/passwd\"\n", "#pragma");
	refused("#line 1 \"/etc/passwd\"\n", "#line is not allowed");
	refused("#include_next \"builtin.h\"\n", "#include_next is not allowed");
	refused("#import \"builtin.h\"\n", "#import");
	refused("#embed \"/dev/zero\"\n", "#embed");
	refused("#ident \"x\"\n", not_warp);
	refused("#assert machine(x)\n", not_warp);
	refused("#error no\n", not_warp);
	refused("# 1 \"/etc/passwd\"\n", "line marker");
	refused("#!\n", "starts no directive");
	refused("%:%:\n", "starts no directive");
	refused("#pra\\\ngma once\n", "#pragma");
	refused("int x;\n  /* c */ # /* c */ pragma once\n", "line 2: #pragma");
}

static void test_tricks_refused(void **state)
{
	(void)state;
	refused("_Pragma(\"GCC dependency \\\"/etc/passwd\\\"\")\n", "line 1: _Pragma is not allowed");
	refused("#define P(x) _Pragma(#x)\n", "_Pragma");
	refused("__pragma(once)\n", "__pragma");
	refused("#if __has_include(\"/dev/zero\")\n#endif\n", "line 1: __has_include is not allowed");
	refused("#if defined(__has_include_next)\n#endif\n", "__has_include_next");
	refused("#if __has_embed(\"/dev/zero\")\n#endif\n", "__has_embed");
	refused("#define CAT(a, b) a##b\n", "token pasting (##)");
	refused("#define CAT(a, b) a %:%: b\n", "token pasting");
	refused("const char *r = R\"x(/*)x\";\n#include \"/dev/zero\"\n", "raw string literal");
	refused("auto r = u8R\"(a)\";\n", "raw string");
	refused("int _\\u0050ragma;\n", "a backslash outside a literal");
	refused("?\?=include \"/dev/zero\"\n", "trigraph");
	refused("int x; // ?\?/\n#include \"/dev/zero\"\n", "trigraph");
	refused_n("#include \"builtin.h\"\n\0#include \"/dev/zero\"\n", 43, "line 2: a NUL byte");
	refused("int x;\r#include \"/dev/zero\"\n", "carriage return");
	refused("#define A 1 \\ \n#include \"/dev/zero\"\n", "line 1: a backslash followed by blanks");
}

static void test_size(void **state)
{
	(void)state;
	size_t n = ((size_t)CHK_MODULE_MIB << 20) + 1;
	char *big = malloc(n);
	assert_non_null(big);
	memset(big, ' ', n);
	refused_n(big, n, "more than the 32 MiB a module may have");
	allowed_n(big, n - 2);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_warp_modules_pass),
	    cmocka_unit_test(test_includes_refused),
	    cmocka_unit_test(test_directives_refused),
	    cmocka_unit_test(test_tricks_refused),
	    cmocka_unit_test(test_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

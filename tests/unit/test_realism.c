/* test_realism: the Python surface parser behind the realism measure
 * (report/pytok.h, pyfeat.h, pyexpr.h) on tricky hand-written Python, and
 * the distributions and distance of report/realism.h. */
#include "test.h"

#include <math.h>

#include "report/pyfeat.h"
#include "report/pytok.h"
#include "report/realism.h"

typedef struct seen {
	pyfeat_kernel k[8];
	size_t n;
} seen;

static void keep(const pyfeat_kernel *k, void *ctx)
{
	seen *s = ctx;
	if (s->n < 8)
		s->k[s->n++] = *k;
}

static size_t scan(const char *src, seen *s)
{
	memset(s, 0, sizeof *s);
	return pyfeat_scan(src, strlen(src), keep, s);
}

static int name_is(pyfeat_name n, const char *s)
{
	return n.len == strlen(s) && !memcmp(n.s, s, n.len);
}

static void test_decorators_and_signatures(void **st)
{
	(void)st;
	seen s;
	const char *src = "import warp as wp\n"
			  "@wp.func\ndef helper(x: float):\n    return x * 2.0\n\n"
			  "@wp.kernel(enable_backward=False)\n"
			  "def integrate(\n"
			  "    particle_q: wp.array[wp.vec3],   # positions\n"
			  "    particle_qd: wp.array(dtype=wp.vec3),\n"
			  "    grid: wp.array2d[float],\n"
			  "    indices: wp.array(dtype=int, ndim=1),\n"
			  "    dt: float,\n"
			  "    model: ModelData,\n"
			  "    mask: wp.array[wp.uint8] = None,\n"
			  "):\n"
			  "    \"\"\"Integrates. @wp.kernel def fake(): # not a kernel\"\"\"\n"
			  "    tid = wp.tid()\n"
			  "    if mask[tid] == 0:\n"
			  "        return\n"
			  "    particle_q[tid] = particle_q[tid] + particle_qd[tid] * dt\n";
	assert_int_equal(scan(src, &s), 1);
	const pyfeat_kernel *k = &s.k[0];
	assert_true(name_is(k->name, "integrate"));
	assert_int_equal(k->nparams, 7);
	assert_true(name_is(k->param[0].name, "particle_q"));
	assert_int_equal(k->param[0].kind, PK_ARRAY);
	assert_int_equal(k->param[0].ann, ANN_SUBSCRIPT);
	assert_int_equal(k->param[0].dtype, DT_VEC3);
	assert_int_equal(k->param[1].ann, ANN_CALL);
	assert_int_equal(k->param[1].dtype, DT_VEC3);
	assert_int_equal(k->param[2].dtype, DT_F32);
	assert_int_equal(k->param[3].ann, ANN_CALL);
	assert_int_equal(k->param[3].dtype, DT_I32);
	assert_int_equal(k->param[4].kind, PK_FLOAT);
	assert_int_equal(k->param[5].kind, PK_STRUCT);
	assert_int_equal(k->param[6].dtype, DT_OTHER_INT);
	assert_true(k->uses_struct);
	assert_true(k->docstring);
	assert_true(k->comment); /* in the signature */
	assert_true(k->guard);
	assert_int_equal(k->statements, 4); /* the docstring aside */
	assert_int_equal(k->nest, 1);
	assert_int_equal(k->dims, 1);
	assert_int_equal(k->builtins, 1);
	assert_int_equal(k->literals, 1);
	assert_false(k->helper);
}

static void test_strings_comments_and_nesting(void **st)
{
	(void)st;
	seen s;
	/* a '#' in a string is no comment; a kernel inside a test function is
	 * found; a def inside a kernel body is part of the body; a
	 * backslash joins lines */
	const char *src = "def test_thing(test, device):\n"
			  "    @wp.kernel\n"
			  "    def k(a: wp.array[float], b: wp.array[int], start: wp.array[int]):\n"
			  "        world, i = wp.tid()\n"
			  "        s = \"#notacomment\"\n"
			  "        j = b[i]\n"
			  "        v = a[j] + \\\n"
			  "            1.0\n"
			  "        for n in range(start[i], start[i + 1]):\n"
			  "            v += wp.sin(a[n]) + my_helper(v)\n"
			  "        a[i] = v\n"
			  "    wp.launch(k, dim=1, inputs=[])\n"
			  "@wp.kernel\n"
			  "def k2():\n"
			  "\tpass\n";
	assert_int_equal(scan(src, &s), 2);
	const pyfeat_kernel *k = &s.k[0];
	assert_int_equal(k->dims, 2);
	assert_false(k->comment);
	assert_true(k->indirect);
	assert_true(k->loop);
	assert_true(k->helper);
	assert_int_equal(k->statements, 7);
	assert_int_equal(k->nest, 1);
	assert_int_equal(k->literals, 2);
	assert_int_equal(k->builtins, 2); /* wp.tid, wp.sin */
	assert_false(k->atomic);	  /* v += on a local is no atomic */
	/* locals: world, i, s, j, v, n */
	assert_int_equal(k->nlocals, 6);
	assert_int_equal(s.k[1].statements, 1);
	assert_int_equal(s.k[1].dims, 0);
	assert_int_equal(s.k[1].nparams, 0);
}

static void test_atomics_and_stores(void **st)
{
	(void)st;
	seen s;
	const char *src = "@wp.kernel\ndef k(a: wp.array[float], out: wp.array[float]):\n"
			  "    i = wp.tid()\n    out[0] += a[i]\n";
	assert_int_equal(scan(src, &s), 1);
	assert_true(s.k[0].atomic);
	assert_false(s.k[0].indirect);
	const char *src2 = "@wp.kernel\ndef k(a: wp.array[float], out: wp.array[float]):\n"
			   "    i = wp.tid()\n    wp.atomic_add(out, 0, a[i])\n";
	assert_int_equal(scan(src2, &s), 1);
	assert_true(s.k[0].atomic);
	/* an unterminated string or bracket does not run past the text */
	assert_int_equal(scan("@wp.kernel\ndef k(a: wp.array[float]:\n    x = '''open\n", &s), 1);
	assert_int_equal(scan("@wp.kernel\n", &s), 0);
	assert_int_equal(scan("@wp.kernel\ndef", &s), 0);
}

static void test_expression_depth(void **st)
{
	(void)st;
	assert_int_equal(pyfeat_expr_depth_of("x"), 1);
	assert_int_equal(pyfeat_expr_depth_of("a[i]"), 2);
	assert_int_equal(pyfeat_expr_depth_of("a + b * c"), 3);
	assert_int_equal(pyfeat_expr_depth_of("(a + b) * c"), 3);
	assert_int_equal(pyfeat_expr_depth_of("-x ** 2"), 3);
	assert_int_equal(pyfeat_expr_depth_of("wp.sin(wp.cos(x))"), 3);
	assert_int_equal(pyfeat_expr_depth_of("f(x, y=a + b)"), 3); /* keyword names are not operands */
	assert_int_equal(pyfeat_expr_depth_of("a if c > 0 else b"), 3);
	assert_int_equal(pyfeat_expr_depth_of("a is not None and b not in c"), 3);
	assert_int_equal(pyfeat_expr_depth_of("model.body_q[i].p"), 2);
	/* hostile: deep nesting is bounded, garbage is accepted */
	char deep[4100];
	memset(deep, '(', 4000);
	strcpy(deep + 4000, "x");
	assert_true(pyfeat_expr_depth_of(deep) >= 1);
	assert_true(pyfeat_expr_depth_of(") ] , : = ***") >= 1);
}

static void test_distribution_and_distance(void **st)
{
	(void)st;
	realism a, b;
	realism_init(&a);
	realism_init(&b);
	const char *k1 = "@wp.kernel\ndef k(a: wp.array[float]):\n    i = wp.tid()\n    a[i] = 1.0\n";
	const char *k2 = "@wp.kernel\ndef k(a: wp.array(dtype=float), n: int):\n    i = wp.tid()\n"
			 "    if i >= n:\n        return\n    a[i] = 1.0\n";
	realism_add_source(&a, k1, strlen(k1));
	realism_add_source(&b, k1, strlen(k1));
	assert_true(fabs(realism_distance(&a, &b)) < 1e-12);
	realism_add_source(&b, k2, strlen(k2));
	assert_int_equal(b.kernels, 2);
	assert_true(fabs(realism_tv(&a, &b, RF_GUARD) - 0.5) < 1e-12);
	/* a: all subscript; b: 1 subscript, 1 call -> 0.5 */
	assert_true(fabs(realism_tv(&a, &b, RF_ANNOTATION) - 0.5) < 1e-12);
	assert_true(realism_off(&a, &b, RF_GUARD, 0)); /* 0% against 50% */
	double d = realism_distance(&a, &b);
	assert_true(d > 0 && d < 1);
	assert_int_equal(b.params.n, 2); /* a, n */
	buf out = BUF_INIT;
	realism_render(&a, &b, &out);
	assert_non_null(strstr(out.data, "distance   "));
	assert_non_null(strstr(out.data, "early return"));
	buf_free(&out);
	realism_release(&a);
	realism_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decorators_and_signatures),
	    cmocka_unit_test(test_strings_comments_and_nesting),
	    cmocka_unit_test(test_atomics_and_stores),
	    cmocka_unit_test(test_expression_depth),
	    cmocka_unit_test(test_distribution_and_distance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

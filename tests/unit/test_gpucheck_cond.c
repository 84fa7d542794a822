/* test_gpucheck_cond: the GPU check's conditioning rule
 * (src/pipeline/gpucheck.h gc_conditioning), on the CPU's exec objects
 * as the runner writes them in values mode: perturbed outputs within the
 * tolerance are well-conditioned, one element past it (or an integer that
 * changed, a NaN that appeared) is ill-conditioned, a perturbed run that
 * did not execute leaves it unknown; the relative change is measured.
 * tests/e2e/test_gpu_check.sh runs it on real kernels. */
#include <math.h>

#include "pipeline/gpucheck.h"
#include "test.h"

#define CPU "{\"status\":\"executed\",\"params\":{\"a\":{\"role\":\"input\"}," \
	    "\"out\":{\"values\":[1.0,-2.0,0.0,0.5]},\"n\":{\"values\":[3,4]}}}"

static const char *run(const char *out, const char *n)
{
	static char b[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(b[i], sizeof b[i], "{\"status\":\"executed\",\"perturbation\":1,\"params\":{\"a\":{},"
		 "\"out\":{\"values\":[%s]},\"n\":{\"values\":[%s]}}}", out, n);
	return b[i];
}

static int cond(const char *p1, const char *p2, double *rel, const char **why)
{
	const char *p[2] = {p1, p2};
	return gc_conditioning(CPU, p, 2, GC_RTOL, rel, why);
}

static void test_rule(void **state)
{
	(void)state;
	double rel;
	const char *why;
	/* one float32 ulp here and there: well-conditioned, the change measured */
	assert_int_equal(cond(run("1.0000001,-2.0,0.0,0.5", "3,4"), run("1.0,-2.0000002,0.0,0.50000006", "3,4"), &rel,
			      &why), 0);
	assert_null(why);
	assert_true(rel > 1e-7 && rel < 2e-7);
	/* near zero, the absolute term: 1e-6 against 0 agrees */
	assert_int_equal(cond(run("1.0,-2.0,1e-6,0.5", "3,4"), run("1.0,-2.0,0.0,0.5", "3,4"), &rel, &why), 0);
	/* one element past the tolerance in the second perturbation only */
	assert_int_equal(cond(run("1.0,-2.0,0.0,0.5", "3,4"), run("1.0,-2.0,0.0,0.5002", "3,4"), &rel, &why), 1);
	assert_true(fabs(rel - 0.0002 / 0.5002) < 1e-9);
	/* an integer output that moved, a NaN that appeared */
	assert_int_equal(cond(run("1.0,-2.0,0.0,0.5", "3,5"), run("1.0,-2.0,0.0,0.5", "3,4"), &rel, &why), 1);
	assert_int_equal(cond(run("1.0,\"nan\",0.0,0.5", "3,4"), run("1.0,-2.0,0.0,0.5", "3,4"), &rel, &why), 1);
	/* fewer values: not the same output */
	assert_int_equal(cond(run("1.0,-2.0,0.0", "3,4"), run("1.0,-2.0,0.0,0.5", "3,4"), &rel, &why), 1);
	/* a perturbed run that did not execute, or none at all: unknown */
	assert_int_equal(cond("{\"status\":\"not_executed\",\"class\":\"crash\"}", run("1.0,-2.0,0.0,0.5", "3,4"), &rel,
			      &why), -1);
	assert_non_null(why);
	assert_int_equal(cond(run("1.0,-2.0,0.0,0.5", "3,4"), NULL, &rel, &why), -1);
	assert_non_null(why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

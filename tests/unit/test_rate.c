/* test_rate: run_rate, the kernels/s behind the progress line's rate and
 * ETA: this process's kernels from its first stored one on, so that
 * start-up (Python, Warp, the compilers' headers) and the kernels a resumed
 * run kept from before are both left out. */
#include "test.h"

#include "pipeline/run.h"

static void test_start_up_left_out(void **s)
{
	(void)s;
	/* 2 s of start-up, then 100 kernels in the next second */
	run_state st = {.done = 101, .elapsed = 3.0, .first_stored = 2.0, .first_done = 1};
	assert_true(run_rate(&st) > 99.9 && run_rate(&st) < 100.1); /* not 101 / 3 */
}

static void test_resumed_kernels_left_out(void **s)
{
	(void)s;
	/* resumed at 5000: 50 kernels of this process in 1 s after its first */
	run_state st = {
	    .done = 5051, .resumed_from = 5000, .elapsed = 1.5, .first_stored = 0.5, .first_done = 5001};
	assert_true(run_rate(&st) > 49.9 && run_rate(&st) < 50.1); /* not 5051 / 1.5 */
}

static void test_unknown_until_two_are_stored(void **s)
{
	(void)s;
	run_state none = {.done = 0, .elapsed = 5.0};
	assert_true(run_rate(&none) == 0);
	run_state one = {.done = 1, .elapsed = 5.0, .first_stored = 4.0, .first_done = 1};
	assert_true(run_rate(&one) == 0);
	run_state same_instant = {.done = 3, .elapsed = 4.0, .first_stored = 4.0, .first_done = 1};
	assert_true(run_rate(&same_instant) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_start_up_left_out),
	    cmocka_unit_test(test_resumed_kernels_left_out),
	    cmocka_unit_test(test_unknown_until_two_are_stored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_lock: the output directory's writer lock: taken with our pid in the
 * file, a second writer refused with that pid, released by removing the
 * file, a dead run's file taken over, never inherited by a child process
 * (O_CLOEXEC), seen by lock_probe without creating anything, and the pid
 * parsed strictly. */
#include "test.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "store/layout.h"
#include "store/lock.h"

extern char **environ;

static char dir[512];

static int dir_setup(void **s)
{
	(void)s;
	const char *t = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/test_lock.XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int dir_teardown(void **s)
{
	(void)s;
	return rm_tree(dir);
}

static const char *lock_path(void)
{
	static char p[600];
	snprintf(p, sizeof p, "%s/" LAYOUT_LOCK, dir);
	return p;
}

static void write_lock_file(const char *text)
{
	FILE *f = fopen(lock_path(), "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void read_lock_file(char *out, size_t cap)
{
	FILE *f = fopen(lock_path(), "rb");
	assert_non_null(f);
	size_t n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	fclose(f);
}

static void test_acquire_writes_our_pid_and_closes_on_exec(void **s)
{
	(void)s;
	dir_lock l = DIR_LOCK_INIT;
	buf err = BUF_INIT;
	assert_int_equal(lock_acquire(dir, &l, NULL, &err), 0);
	assert_int_equal(err.len, 0);
	char text[32], want[32];
	read_lock_file(text, sizeof text);
	snprintf(want, sizeof want, "%ld\n", (long)getpid());
	assert_string_equal(text, want);
	assert_true(fcntl(l.fd, F_GETFD) & FD_CLOEXEC);
	lock_release(&l);
	assert_int_equal(l.fd, -1);
	assert_int_not_equal(access(lock_path(), F_OK), 0); /* released: the file is gone */
	lock_release(&l);				    /* twice is fine */
	buf_free(&err);
}

static void test_second_writer_is_refused_with_the_pid(void **s)
{
	(void)s;
	dir_lock a = DIR_LOCK_INIT, b = DIR_LOCK_INIT;
	buf err = BUF_INIT;
	assert_int_equal(lock_acquire(dir, &a, NULL, &err), 0);
	pid_t holder = -1;
	assert_int_equal(lock_acquire(dir, &b, &holder, &err), -1);
	assert_int_equal(holder, getpid());
	char want[128];
	snprintf(want, sizeof want, "is in use by another jitsynth run (pid %ld); wait for it to end",
		 (long)getpid());
	if (!strstr(buf_cstr(&err), want))
		fail_msg("'%s' lacks '%s'", buf_cstr(&err), want);
	assert_int_equal(b.fd, -1);
	assert_null(b.path);
	pid_t probed;
	assert_int_equal(lock_probe(dir, &probed), 1);
	assert_int_equal(probed, getpid());
	lock_release(&a);
	assert_int_equal(lock_probe(dir, &probed), 0);
	buf_reset(&err);
	assert_int_equal(lock_acquire(dir, &b, NULL, &err), 0);
	lock_release(&b);
	buf_free(&err);
}

/* A killed run leaves its file behind, naming a pid that is gone (or a
 * file that names nothing): the flock is free, so the next run takes it. */
static void test_stale_lock_file_is_taken_over(void **s)
{
	(void)s;
	static const char *const stale[] = {"2147483646\n", "", "garbage", "-1\n"};
	for (size_t i = 0; i < sizeof stale / sizeof *stale; i++) {
		write_lock_file(stale[i]);
		pid_t p;
		assert_int_equal(lock_probe(dir, &p), 0);
		dir_lock l = DIR_LOCK_INIT;
		buf err = BUF_INIT;
		assert_int_equal(lock_acquire(dir, &l, NULL, &err), 0);
		char text[32], want[32];
		read_lock_file(text, sizeof text);
		snprintf(want, sizeof want, "%ld\n", (long)getpid());
		assert_string_equal(text, want);
		lock_release(&l);
		buf_free(&err);
	}
}

/* Held, but the file names no pid (a holder between its flock and its
 * write, or a file spoilt meanwhile): refused all the same. */
static void test_held_lock_without_a_pid_is_refused(void **s)
{
	(void)s;
	dir_lock a = DIR_LOCK_INIT, b = DIR_LOCK_INIT;
	buf err = BUF_INIT;
	assert_int_equal(lock_acquire(dir, &a, NULL, &err), 0);
	assert_int_equal(ftruncate(a.fd, 0), 0);
	assert_int_equal(pwrite(a.fd, "x\n", 2, 0), 2);
	pid_t holder = -1;
	assert_int_equal(lock_acquire(dir, &b, &holder, &err), -1);
	assert_int_equal(holder, 0);
	assert_non_null(strstr(buf_cstr(&err), "is in use by another jitsynth run; wait for it to end"));
	lock_release(&a);
	buf_free(&err);
}

/* Workers and compilers are spawned while the lock is held: none may keep
 * it when jitsynth dies. */
static void test_child_does_not_inherit_the_lock(void **s)
{
	(void)s;
	dir_lock l = DIR_LOCK_INIT;
	buf err = BUF_INIT;
	assert_int_equal(lock_acquire(dir, &l, NULL, &err), 0);
	pid_t child;
	char *argv[] = {"sleep", "30", NULL};
	assert_int_equal(posix_spawnp(&child, "sleep", NULL, NULL, argv, environ), 0);
	close(l.fd); /* as if jitsynth died: its own descriptor is gone, the file stays */
	l.fd = -1;
	dir_lock again = DIR_LOCK_INIT;
	assert_int_equal(lock_acquire(dir, &again, NULL, &err), 0);
	lock_release(&again);
	lock_release(&l);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	buf_free(&err);
}

static void test_missing_dir_says_why(void **s)
{
	(void)s;
	char nowhere[600];
	snprintf(nowhere, sizeof nowhere, "%s/nowhere", dir);
	dir_lock l = DIR_LOCK_INIT;
	buf err = BUF_INIT;
	assert_int_equal(lock_acquire(nowhere, &l, NULL, &err), -1);
	assert_non_null(strstr(buf_cstr(&err), "cannot lock '"));
	assert_non_null(strstr(buf_cstr(&err), "No such file or directory"));
	assert_int_equal(l.fd, -1);
	pid_t p;
	assert_int_equal(lock_probe(nowhere, &p), 0);
	assert_int_not_equal(access(nowhere, F_OK), 0); /* nothing created */
	buf_free(&err);
}

/* A link named like the lock file is not followed. */
static void test_lock_file_link_is_refused(void **s)
{
	(void)s;
	char target[600];
	snprintf(target, sizeof target, "%s/target", dir);
	assert_int_equal(symlink(target, lock_path()), 0);
	dir_lock l = DIR_LOCK_INIT;
	buf err = BUF_INIT;
	assert_int_equal(lock_acquire(dir, &l, NULL, &err), -1);
	assert_non_null(strstr(buf_cstr(&err), "cannot lock '"));
	assert_int_not_equal(access(target, F_OK), 0);
	buf_free(&err);
}

static void test_parse_pid(void **s)
{
	(void)s;
	static const struct {
		const char *text;
		pid_t pid;
	} cases[] = {
	    {"123\n", 123}, {"123", 123},      {"2147483647\n", 2147483647},
	    {"", 0},	    {"\n", 0},	       {"0\n", 0},
	    {"-5\n", 0},    {"+5\n", 0},       {"12a\n", 0},
	    {"12\n\n", 0},  {"2147483648", 0}, {"99999999999", 0},
	    {" 12\n", 0},   {"12 \n", 0},      {"007\n", 7},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		if (lock_parse_pid(cases[i].text, strlen(cases[i].text)) != cases[i].pid)
			fail_msg("lock_parse_pid('%s') is %ld, not %ld", cases[i].text,
				 (long)lock_parse_pid(cases[i].text, strlen(cases[i].text)),
				 (long)cases[i].pid);
	assert_int_equal(lock_parse_pid("12\0", 3), 0); /* a NUL is no newline */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, dir_setup, dir_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_acquire_writes_our_pid_and_closes_on_exec),
	    T(test_second_writer_is_refused_with_the_pid),
	    T(test_stale_lock_file_is_taken_over),
	    T(test_held_lock_without_a_pid_is_refused),
	    T(test_child_does_not_inherit_the_lock),
	    T(test_missing_dir_says_why),
	    T(test_lock_file_link_is_refused),
	    T(test_parse_pid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

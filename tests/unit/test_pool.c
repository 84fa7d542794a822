/* test_pool: pool_run() driven against tests/helper/fake_worker, whose
 * FAKE_WORKER script plants crashes, hangs, garbage, Warp errors and
 * start-up failures: every kernel is answered exactly once, by the right
 * callback, with the reason given; restarts are counted; no child or fd is
 * left behind; each case takes milliseconds. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "common/util.h"
#include "warp/pool.h"

/* The fake worker: $FAKE_WORKER_BIN, else next to this binary
 * (build/<flavour>/tests/), else the release build's. */
static const char *fake_bin(void)
{
	static char path[PATH_MAX];
	const char *env = getenv("FAKE_WORKER_BIN");
	if (env && *env)
		return env;
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 16);
	char *slash = n > 0 ? memrchr(path, '/', (size_t)n) : NULL;
	if (slash) {
		strcpy(slash + 1, "fake_worker");
		if (access(path, X_OK) == 0)
			return path;
	}
	return "build/release/tests/fake_worker";
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* One pool run and everything its callbacks saw. */
typedef struct fx {
	uint64_t n, next, answered;
	int *done, *failed; /* per index: task_done / task_failed calls */
	proto_kind *kind;   /* per index: the reply's kind */
	uint64_t *order;    /* indices in the order answered */
	char reason[1024];  /* the last task_failed reason */
	uint64_t error_of;  /* the kernel whose PROTO_ERROR text is kept */
	char error_text[256];
	int bad_texts; /* OUTPUT replies that do not hold their kernel */
	int ready_calls, tasks_before_ready, ready_rc;
	char version[32], native[256];
	uint64_t stop_after; /* tick sets *stop once this many are answered */
	volatile sig_atomic_t stop;
	int evfd; /* watch_fd, poked when kernel poke_at is answered */
	uint64_t poke_at;
	int watched;
	pool_options opt;
	pool_stats stats;
	buf err;
	int rc;
	double wall;
	char dir[256]; /* markers and counters */
	char path[600];
} fx;

static int on_ready(void *ctx, const char *version, const char *native, buf *err)
{
	fx *f = ctx;
	f->ready_calls++;
	snprintf(f->version, sizeof f->version, "%s", version);
	snprintf(f->native, sizeof f->native, "%s", native);
	if (f->ready_rc < 0)
		buf_puts(err, "no compiler for this Warp");
	return f->ready_rc;
}

static pool_next on_next(void *ctx, uint64_t *index, buf *frame)
{
	fx *f = ctx;
	if (!f->ready_calls)
		f->tasks_before_ready++;
	if (f->next >= f->n)
		return POOL_DONE;
	char name[32], src[128];
	*index = f->next++;
	snprintf(name, sizeof name, "k%llu", (unsigned long long)*index);
	int len =
	    snprintf(src, sizeof src, "@wp.kernel\ndef %s(a: wp.array(dtype=float)):\n    a[0] = %llu.0\n",
		     name, (unsigned long long)*index);
	proto_put_request(frame, *index, f->opt.devices, name, src, (size_t)len);
	return POOL_TASK;
}

/* Whether an OUTPUT reply holds kernel `index`'s functions for each device. */
static int texts_ok(const fx *f, const proto_reply *r)
{
	if (r->ntext != dev_count(f->opt.devices))
		return 0;
	for (int d = 0, t = 0; d < DEV_COUNT; d++) {
		if (!(f->opt.devices & DEV_BIT(d)))
			continue;
		char want[64];
		snprintf(want, sizeof want, "_%s_kernel_backward(", dev_name((dev_id)d));
		char name[32];
		int nlen = snprintf(name, sizeof name, "void k%llu_", (unsigned long long)r->index);
		if (!memmem(r->text[t], r->text_len[t], want, strlen(want)) ||
		    !memmem(r->text[t], r->text_len[t], name, (size_t)nlen))
			return 0;
		t++;
	}
	return 1;
}

static void on_done(void *ctx, const proto_reply *r)
{
	fx *f = ctx;
	assert_true(r->index < f->n);
	f->done[r->index]++;
	f->kind[r->index] = r->kind;
	f->order[f->answered++ % f->n] = r->index;
	if (r->kind == PROTO_OUTPUT && !texts_ok(f, r))
		f->bad_texts++;
	if (r->kind == PROTO_ERROR && r->index == f->error_of)
		snprintf(f->error_text, sizeof f->error_text, "%.*s", (int)r->text_len[0], r->text[0]);
	if (f->evfd >= 0 && r->index == f->poke_at) {
		uint64_t one = 1;
		assert_int_equal(write(f->evfd, &one, sizeof one), sizeof one);
	}
}

static void on_failed(void *ctx, uint64_t index, const char *reason)
{
	fx *f = ctx;
	assert_true(index < f->n);
	f->failed[index]++;
	f->order[f->answered++ % f->n] = index;
	snprintf(f->reason, sizeof f->reason, "%s", reason);
}

static int on_watch_fd(void *ctx)
{
	return ((fx *)ctx)->evfd;
}

static void on_watch(void *ctx)
{
	fx *f = ctx;
	uint64_t v;
	if (read(f->evfd, &v, sizeof v) == sizeof v)
		f->watched++;
}

static void on_tick(void *ctx)
{
	fx *f = ctx;
	if (f->stop_after && f->answered >= f->stop_after)
		f->stop = 1;
}

static const pool_callbacks callbacks = {.ready = on_ready,
					 .next_task = on_next,
					 .task_done = on_done,
					 .task_failed = on_failed,
					 .watch_fd = on_watch_fd,
					 .on_watch = on_watch,
					 .tick = on_tick};

/* n kernels, `jobs` workers, `batch` in flight each; short timeouts. */
static void fx_init(fx *f, uint64_t n, int jobs, int batch)
{
	memset(f, 0, sizeof *f);
	f->n = n;
	f->done = xcalloc(n, sizeof *f->done);
	f->failed = xcalloc(n, sizeof *f->failed);
	f->kind = xcalloc(n, sizeof *f->kind);
	f->order = xcalloc(n, sizeof *f->order);
	f->evfd = -1;
	pool_options_init(&f->opt);
	f->opt.python = fake_bin();
	f->opt.worker_script = "unused-by-fake_worker.py";
	f->opt.jobs = jobs;
	f->opt.batch = batch;
	f->opt.timeout = 30; /* far above every bound below: a wait for it fails the test */
	f->opt.startup_timeout = 30;
	f->opt.stop = &f->stop;
	snprintf(f->dir, sizeof f->dir, "%s/test_pool.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	unsetenv("FAKE_WORKER");
	if (access(f->opt.python, X_OK) != 0)
		fail_msg("no fake worker at '%s': build tests/helper/fake_worker.c or set FAKE_WORKER_BIN",
			 f->opt.python);
}

/* A file in the test's temp dir (for markers and counters). */
static const char *fx_path(fx *f, const char *name)
{
	snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
	return f->path;
}

/* Sets FAKE_WORKER; "%s" in fmt stands for the temp dir. */
static void fx_script(fx *f, const char *fmt)
{
	buf b = BUF_INIT;
	for (const char *p = fmt; *p; p++) {
		if (p[0] == '%' && p[1] == 's')
			buf_puts(&b, f->dir), p++;
		else
			buf_putc(&b, *p);
	}
	setenv("FAKE_WORKER", buf_cstr(&b), 1);
	buf_free(&b);
}

/* Runs the pool; checks that no child and no fd outlive it. */
static void fx_run(fx *f)
{
	int fds = count_fds();
	double t0 = now_seconds();
	f->rc = pool_run(&f->opt, &callbacks, f, &f->stats, &f->err);
	f->wall = now_seconds() - t0;
	if (getenv("TEST_POOL_TIMES")) /* each run's wall time, for tuning */
		fprintf(stderr, "pool_run: %.3f s\n", f->wall);
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_int_equal(count_fds(), fds);
	assert_true(f->wall < 5);
	assert_int_equal(f->ready_calls > 0 ? f->tasks_before_ready : 0, 0);
	assert_true(f->ready_calls <= 1);
}

/* The start-up counter die_at_start keeps in the temp dir. */
static long fx_starts(fx *f)
{
	FILE *c = fopen(fx_path(f, "starts"), "r");
	long n = 0;
	if (c) {
		assert_int_equal(fscanf(c, "%ld", &n), 1);
		fclose(c);
	}
	return n;
}

static void fx_release(fx *f)
{
	DIR *d = opendir(f->dir);
	for (struct dirent *e; d && (e = readdir(d));)
		if (e->d_name[0] != '.')
			unlink(fx_path(f, e->d_name));
	if (d)
		closedir(d);
	rmdir(f->dir);
	if (f->evfd >= 0)
		close(f->evfd);
	free(f->done);
	free(f->failed);
	free(f->kind);
	free(f->order);
	buf_free(&f->err);
	unsetenv("FAKE_WORKER");
}

/* Every index answered exactly once; `failed_index` (or none if >= n) by
 * task_failed, the others by task_done. */
static void assert_each_once(const fx *f, uint64_t failed_index)
{
	assert_int_equal(f->rc, 0);
	assert_true(f->answered == f->n);
	for (uint64_t i = 0; i < f->n; i++) {
		assert_int_equal(f->done[i] + f->failed[i], 1);
		assert_int_equal(f->failed[i], i == failed_index);
	}
	assert_int_equal(f->bad_texts, 0);
}

static void test_normal_run(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 300, 3, 4);
	fx_run(&f);
	assert_each_once(&f, UINT64_MAX);
	for (uint64_t i = 0; i < f.n; i++)
		assert_int_equal(f.kind[i], PROTO_OUTPUT);
	assert_int_equal(f.ready_calls, 1);
	assert_string_equal(f.version, "1.19.0");
	assert_string_equal(f.stats.warp_version, "1.19.0");
	assert_string_equal(f.native, "/nonexistent/fake_worker/native");
	assert_int_equal(f.stats.restarts, 0);
	assert_int_equal(f.err.len, 0);
	assert_true(f.wall < 5); /* promptly: far below the 30 s timeouts */
	fx_release(&f);
}

static void test_one_device(void **state)
{
	(void)state;
	for (int d = 0; d < DEV_COUNT; d++) {
		fx f;
		fx_init(&f, 20, 2, 3);
		f.opt.devices = DEV_BIT(d);
		fx_run(&f);
		assert_each_once(&f, UINT64_MAX); /* texts_ok checks the one text */
		fx_release(&f);
	}
}

static void test_replies_out_of_order(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 80, 4, 2);
	fx_script(&f, "shuffle_ms=8");
	fx_run(&f);
	assert_each_once(&f, UINT64_MAX);
	int inversions = 0;
	for (uint64_t i = 1; i < f.n; i++)
		inversions += f.order[i] < f.order[i - 1];
	assert_true(inversions > 0);
	assert_int_equal(f.stats.restarts, 0);
	fx_release(&f);
}

static void test_warp_error_is_task_done(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 30, 2, 4);
	fx_script(&f, "error=3,error=17");
	f.error_of = 17;
	fx_run(&f);
	assert_each_once(&f, UINT64_MAX);
	for (uint64_t i = 0; i < f.n; i++)
		assert_int_equal(f.kind[i], i == 3 || i == 17 ? PROTO_ERROR : PROTO_OUTPUT);
	assert_string_equal(f.error_text, "TypeError: fake_worker rejects kernel 17 ('k17')");
	assert_int_equal(f.stats.restarts, 0);
	fx_release(&f);
}

static void test_crash_once_is_retried(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 40, 2, 4);
	fx_script(&f, "crash=5:%s/crashed");
	fx_run(&f);
	assert_each_once(&f, UINT64_MAX);
	assert_int_equal(f.kind[5], PROTO_OUTPUT);
	assert_int_equal(access(fx_path(&f, "crashed"), F_OK), 0);
	assert_int_equal(f.stats.restarts, 1);
	fx_release(&f);
}

/* Kernel 5 kills every worker that takes it: given up after its retry, the
 * kernels in flight behind it (batch 4) are retried without being charged. */
static void test_crash_always_fails_the_kernel(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 40, 1, 4);
	fx_script(&f, "crash=5");
	fx_run(&f);
	assert_each_once(&f, 5);
	assert_non_null(strstr(f.reason, "worker exited (exited with status 9)"));
	assert_non_null(strstr(f.reason, "fake_worker: crashing on kernel 5"));
	assert_int_equal(f.stats.restarts, 2);
	fx_release(&f);
}

static void test_hang_once_is_killed_and_retried(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 30, 2, 2);
	f.opt.timeout = 0.3;
	fx_script(&f, "hang=7:%s/hung");
	fx_run(&f);
	assert_each_once(&f, UINT64_MAX);
	assert_int_equal(f.kind[7], PROTO_OUTPUT);
	assert_int_equal(f.stats.restarts, 1);
	assert_true(f.wall >= 0.3 && f.wall < 5);
	fx_release(&f);
}

static void test_hang_always_fails_the_kernel(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 10, 1, 1);
	f.opt.timeout = 0.15;
	fx_script(&f, "hang=4");
	fx_run(&f);
	assert_each_once(&f, 4);
	assert_non_null(strstr(f.reason, "worker gave no answer for 0.15 s"));
	assert_int_equal(f.stats.restarts, 2);
	assert_true(f.wall >= 0.3 && f.wall < 5);
	fx_release(&f);
}

static void test_garbage_restarts_the_worker(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 30, 2, 4);
	fx_script(&f, "garbage=2:%s/junk");
	fx_run(&f);
	assert_each_once(&f, UINT64_MAX);
	assert_int_equal(access(fx_path(&f, "junk"), F_OK), 0);
	assert_int_equal(f.stats.restarts, 1);
	fx_release(&f);
}

/* The first start-up fails: the worker is restarted after a back-off and
 * the run completes; a start-up failure is not a restart. */
static void test_startup_failure_once(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 30, 1, 2);
	fx_script(&f, "die_at_start=1:%s/starts");
	fx_run(&f);
	assert_each_once(&f, UINT64_MAX);
	assert_int_equal(fx_starts(&f), 2);
	assert_true(f.wall >= 0.1);
	assert_int_equal(f.stats.restarts, 0);
	assert_int_equal(f.ready_calls, 1);
	fx_release(&f);
}

static void test_startup_failure_always(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 30, 2, 2);
	fx_script(&f, "die_at_start=1-:%s/starts");
	fx_run(&f);
	assert_int_equal(f.rc, -1);
	assert_non_null(
	    strstr(buf_cstr(&f.err), "Warp workers keep failing at start-up (exited, exited with status 1)"));
	assert_non_null(strstr(buf_cstr(&f.err), "fake_worker: failing at start-up as told"));
	assert_null(strchr(buf_cstr(&f.err), '\n'));
	assert_int_equal(fx_starts(&f), f.opt.max_startup_failures);
	assert_int_equal(f.ready_calls, 0);
	assert_true(f.next == 0 && f.answered == 0);
	assert_true(f.wall < 5); /* promptly: far below the 30 s timeouts */
	fx_release(&f);
}

static void test_startup_hang_times_out(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 5, 1, 1);
	f.opt.startup_timeout = 0.2;
	f.opt.max_startup_failures = 1;
	fx_script(&f, "hang_at_start");
	fx_run(&f);
	assert_int_equal(f.rc, -1);
	assert_non_null(strstr(buf_cstr(&f.err), "keep failing at start-up (gave no answer for"));
	assert_true(f.wall >= 0.2 && f.wall < 5);
	fx_release(&f);
}

static void test_fatal_frame(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 5, 2, 2);
	fx_script(&f, "fatal");
	fx_run(&f);
	assert_int_equal(f.rc, -1);
	assert_non_null(strstr(buf_cstr(&f.err), "Warp cannot be used by '"));
	assert_non_null(strstr(buf_cstr(&f.err), "No module named 'warp' (fake_worker)"));
	assert_null(strchr(buf_cstr(&f.err), '\n'));
	assert_int_equal(f.ready_calls, 0);
	assert_true(f.answered == 0);
	fx_release(&f);
}

static void test_missing_interpreter(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 5, 2, 2);
	f.opt.python = "/nonexistent/python3";
	fx_run(&f);
	assert_int_equal(f.rc, -1);
	assert_string_equal(buf_cstr(&f.err),
			    "cannot run Python '/nonexistent/python3': No such file or directory "
			    "(run `make setup`, or pass --python PATH)");
	assert_true(f.wall < 5);
	fx_release(&f);
}

/* *stop set from the tick callback: pool_run returns at once, 0, with its
 * workers killed and reaped (fx_run checks); set before: starts nothing. */
static void test_stop_from_tick(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 100000, 2, 2);
	f.stop_after = 10;
	fx_script(&f, "slow_ms=2");
	fx_run(&f);
	assert_int_equal(f.rc, 0);
	assert_true(f.answered >= 10 && f.answered < 1000);
	assert_true(f.wall < 5);
	for (uint64_t i = 0; i < f.n; i++)
		assert_true(f.done[i] + f.failed[i] <= 1);
	fx_release(&f);

	fx_init(&f, 10, 2, 2);
	f.stop = 1;
	fx_run(&f);
	assert_int_equal(f.rc, 0);
	assert_true(f.ready_calls == 0 && f.answered == 0);
	fx_release(&f);
}

static void test_ready_refuses(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 10, 2, 2);
	f.ready_rc = -1;
	fx_run(&f);
	assert_int_equal(f.rc, -1);
	assert_string_equal(buf_cstr(&f.err), "no compiler for this Warp");
	assert_int_equal(f.stats.restarts, 0); /* the run ends: nothing restarted */
	assert_int_equal(f.ready_calls, 1);
	assert_true(f.next == 0 && f.tasks_before_ready == 0);
	fx_release(&f);
}

static void test_watch_fd_is_reported(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 40, 2, 2);
	f.evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(f.evfd >= 0);
	f.poke_at = 10;
	fx_run(&f);
	assert_each_once(&f, UINT64_MAX);
	assert_int_equal(f.watched, 1);
	fx_release(&f);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* as the CLI does: pool.h requires it */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normal_run),
	    cmocka_unit_test(test_one_device),
	    cmocka_unit_test(test_replies_out_of_order),
	    cmocka_unit_test(test_warp_error_is_task_done),
	    cmocka_unit_test(test_crash_once_is_retried),
	    cmocka_unit_test(test_crash_always_fails_the_kernel),
	    cmocka_unit_test(test_hang_once_is_killed_and_retried),
	    cmocka_unit_test(test_hang_always_fails_the_kernel),
	    cmocka_unit_test(test_garbage_restarts_the_worker),
	    cmocka_unit_test(test_startup_failure_once),
	    cmocka_unit_test(test_startup_failure_always),
	    cmocka_unit_test(test_startup_hang_times_out),
	    cmocka_unit_test(test_fatal_frame),
	    cmocka_unit_test(test_missing_interpreter),
	    cmocka_unit_test(test_stop_from_tick),
	    cmocka_unit_test(test_ready_refuses),
	    cmocka_unit_test(test_watch_fd_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_limits: every compiler runs under the engine's limits, and how it
 * ended decides the verdict. Stand-in g++ scripts that sleep, spin, write a
 * big file or are killed, a real g++ and real NVRTC on a template explosion
 * under small limits: a limit of ours fails the module ("exceeded the
 * compiler's ... limit"), in about the limit's time, with the compiler's
 * whole process group gone; a kill from outside leaves it unchecked (-1,
 * which stops a generate run); a batch that exceeds a limit is checked one
 * module at a time, so its good modules pass; an NVRTC server that dies is
 * replaced, and runs in a process group of its own. */
#include <dirent.h>
#include <glob.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "test.h"
#include "validate/chk.h"

/* A server built with AddressSanitizer has no address-space limit (see
 * nvserver.c): the memory case is not for it. */
#if defined(__SANITIZE_ADDRESS__)
#define SERVER_AS_LIMIT 0
#else
#define SERVER_AS_LIMIT 1
#endif

static char native_dir[1024];
static char tmp[512];
static int have_nvrtc;

static const char bomb[] =
    "template <int N, unsigned long M> struct jitsynth_boom {\n"
    "\tstatic constexpr unsigned long v = jitsynth_boom<N - 1, 2 * M>::v + jitsynth_boom<N - 1, 2 * M + "
    "1>::v;\n"
    "};\n"
    "template <unsigned long M> struct jitsynth_boom<0, M> { static constexpr unsigned long v = M; };\n"
    "static_assert(jitsynth_boom<40, 1>::v != 0, \"boom\");\n";

static int setup(void **state)
{
	(void)state;
	const char *env = getenv("JITSYNTH_WARP_NATIVE");
	glob_t g;
	if (env && *env) {
		snprintf(native_dir, sizeof native_dir, "%s", env);
	} else if (glob(".venv/lib/python3*/site-packages/warp/native", 0, NULL, &g) == 0) {
		snprintf(native_dir, sizeof native_dir, "%s", g.gl_pathv[0]);
		globfree(&g);
	} else {
		fprintf(stderr, "test_limits: no .venv/.../warp/native (run `make setup`)\n");
		return -1;
	}
	const char *t = getenv("TMPDIR");
	snprintf(tmp, sizeof tmp, "%s/test_limits.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmp))
		return -1;
	buf err = BUF_INIT;
	chk_options o = {
	    .tier = CHK_SYNTAX, .devices = DEV_BIT(DEV_CUDA), .native_dir = native_dir, .no_pch = 1};
	chk_engine *e = chk_create(&o, &err);
	have_nvrtc = e != NULL;
	if (!e)
		fprintf(stderr, "test_limits: NVRTC checks skipped: %s\n", buf_cstr(&err));
	chk_free(e);
	buf_free(&err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rm_tree(tmp);
	return 0;
}

/* A stand-in compiler: answers --version as g++ does, else runs `body`. */
static const char *fake_cxx(const char *name, const char *body)
{
	static char path[1024];
	snprintf(path, sizeof path, "%s/%s", tmp, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/bash\n[ \"$1\" = --version ] && exec g++ --version\n%s\n", body);
	fclose(f);
	chmod(path, 0700);
	return path;
}

/* The fixture's module with `extra` after its prologue's includes. */
static void module(const char *fixture, const char *extra, buf *out)
{
	buf m = BUF_INIT;
	load_fixture(fixture, &m);
	const char *at = strstr(m.data, "#include \"deterministic.h\"\n");
	assert_non_null(at);
	size_t cut = (size_t)(at - m.data) + strlen("#include \"deterministic.h\"\n");
	buf_reset(out);
	buf_append(out, m.data, cut);
	buf_puts(out, extra);
	buf_append(out, m.data + cut, m.len - cut);
	buf_free(&m);
}

/* Checks one module on one device; returns ok, *diag (owned) the diagnostic. */
static int check(const chk_options *o, dev_id d, const buf *text, char **diag, double *secs)
{
	buf err = BUF_INIT;
	chk_engine *e = chk_create(o, &err);
	if (!e)
		fail_msg("chk_create: %s", buf_cstr(&err));
	chk_item it = {.index = 1};
	it.text[d] = text->data;
	it.len[d] = text->len;
	chk_result r;
	double t0 = now_seconds();
	chk_check_one(e, &it, &r);
	if (secs)
		*secs = now_seconds() - t0;
	int ok = r.ok[d];
	*diag = r.diag[d] ? xstrdup(r.diag[d]) : NULL;
	chk_result_free(&r);
	chk_free(e);
	buf_free(&err);
	return ok;
}

static void expect(int ok, char *diag, int want_ok, const char *want)
{
	if (ok != want_ok || (want && (!diag || !strstr(diag, want))))
		fail_msg("ok %d (wanted %d), diagnostic: %s (wanted '%s')", ok, want_ok,
			 diag ? diag : "(none)", want ? want : "");
	free(diag);
}

/* Whether pid runs (a zombie that nobody reaps does not). */
static int alive(pid_t pid)
{
	char path[64], st = 'Z';
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	int n = fscanf(f, "%*d %*s %c", &st);
	fclose(f);
	return n == 1 && st != 'Z';
}

static long read_pid(const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", tmp, name);
	FILE *f = fopen(path, "r");
	long pid = 0;
	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return pid;
}

static void test_cxx_wall_clock(void **state)
{
	(void)state;
	char body[2048];
	snprintf(body, sizeof body, "sleep 30 & echo $! >%s/sleeper; wait", tmp);
	chk_options o = {.tier = CHK_SYNTAX,
			 .devices = DEV_BIT(DEV_CPU),
			 .native_dir = native_dir,
			 .cxx = fake_cxx("sleepy", body),
			 .no_pch = 1,
			 .limits = {.wall_s = 1}};
	buf m = BUF_INIT;
	module("loop_cond.cpp", "", &m);
	char *diag;
	double secs;
	int ok = check(&o, DEV_CPU, &m, &diag, &secs);
	expect(ok, diag, 0, "exceeded the compiler's wall-clock limit (1 s)");
	assert_true(secs < 5);
	long sleeper = read_pid("sleeper");
	assert_true(sleeper > 0);
	/* its whole group was killed: SIGKILL is delivered asynchronously, so
	 * on a loaded machine the sleeper may take a moment to be gone (but
	 * far less than its own 30 s) */
	for (int i = 0; i < 50 && alive((pid_t)sleeper); i++)
		usleep(100 * 1000);
	assert_false(alive((pid_t)sleeper));
	buf_free(&m);
}

static void test_cxx_cpu(void **state)
{
	(void)state;
	chk_options o = {.tier = CHK_SYNTAX,
			 .devices = DEV_BIT(DEV_CPU),
			 .native_dir = native_dir,
			 .cxx = fake_cxx("spin", "while :; do :; done"),
			 .no_pch = 1,
			 .limits = {.cpu_s = 1, .wall_s = 30}};
	buf m = BUF_INIT;
	module("loop_cond.cpp", "", &m);
	char *diag;
	double secs;
	int ok = check(&o, DEV_CPU, &m, &diag, &secs);
	expect(ok, diag, 0, "exceeded the compiler's CPU-time limit (1 s)");
	assert_true(secs < 15);
	buf_free(&m);
}

static void test_cxx_file_size(void **state)
{
	(void)state;
	char body[2048];
	snprintf(body, sizeof body, "exec head -c 3M /dev/zero >%s/big", tmp);
	chk_options o = {.tier = CHK_SYNTAX,
			 .devices = DEV_BIT(DEV_CPU),
			 .native_dir = native_dir,
			 .cxx = fake_cxx("writer", body),
			 .no_pch = 1,
			 .limits = {.file_mib = 1}};
	buf m = BUF_INIT;
	module("loop_cond.cpp", "", &m);
	char *diag;
	int ok = check(&o, DEV_CPU, &m, &diag, NULL);
	expect(ok, diag, 0, "exceeded the compiler's file-size limit (1 MiB)");
	buf_free(&m);
}

static void test_cxx_killed_from_outside(void **state)
{
	(void)state;
	chk_options o = {.tier = CHK_SYNTAX,
			 .devices = DEV_BIT(DEV_CPU),
			 .native_dir = native_dir,
			 .cxx = fake_cxx("victim", "kill -9 $$"),
			 .no_pch = 1};
	buf m = BUF_INIT;
	module("loop_cond.cpp", "", &m);
	char *diag;
	int ok = check(&o, DEV_CPU, &m, &diag, NULL);
	expect(ok, diag, -1, "killed by signal 9");
	buf_free(&m);
}

/* A real compiler (g++, or clang, which aborts with "LLVM ERROR: out of
 * memory") on a template explosion: the memory limit stops it; in a batch
 * with good modules, they pass and only it fails. */
static void memory_batch(const char *cxx)
{
	chk_options o = {.tier = CHK_SYNTAX,
			 .devices = DEV_BIT(DEV_CPU),
			 .native_dir = native_dir,
			 .cxx = cxx,
			 .no_pch = 1,
			 .batch = 3,
			 .limits = {.mem_mib = 768}};
	buf err = BUF_INIT, good = BUF_INIT, bad = BUF_INIT;
	chk_engine *e = chk_create(&o, &err);
	assert_non_null(e);
	module("loop_cond.cpp", "", &good);
	module("loop_cond.cpp", bomb, &bad);
	const buf *v[3] = {&good, &bad, &good};
	for (int i = 0; i < 3; i++) {
		chk_item it = {.index = (uint64_t)i, .text = {v[i]->data, NULL}, .len = {v[i]->len, 0}};
		chk_submit(e, &it);
	}
	chk_result r;
	int seen = 0;
	while (chk_wait(e, &r)) {
		if (r.index == 1) {
			assert_int_equal(r.ok[DEV_CPU], 0);
			assert_non_null(
			    strstr(r.diag[DEV_CPU], "exceeded the compiler's memory limit (768 MiB"));
		} else {
			assert_int_equal(r.ok[DEV_CPU], 1);
		}
		seen++;
		chk_result_free(&r);
	}
	assert_int_equal(seen, 3);
	chk_free(e);
	buf_free(&err);
	buf_free(&good);
	buf_free(&bad);
}

static void test_cxx_memory_batch(void **state)
{
	(void)state;
	memory_batch(NULL);
}

/* clang, the run tier's compiler: its memory and CPU limits are told apart
 * as g++'s are. */
static void test_clang_limits(void **state)
{
	(void)state;
	if (system("command -v clang++-16 >/dev/null") != 0)
		fail_msg("clang++-16 is not installed (scripts/setup.sh installs it)");
	memory_batch("clang++-16");
	chk_options o = {.tier = CHK_SYNTAX,
			 .devices = DEV_BIT(DEV_CPU),
			 .native_dir = native_dir,
			 .cxx = "clang++-16",
			 .no_pch = 1,
			 .limits = {.cpu_s = 1, .wall_s = 30}};
	buf m = BUF_INIT;
	module("loop_cond.cpp", bomb, &m);
	char *diag;
	int ok = check(&o, DEV_CPU, &m, &diag, NULL);
	expect(ok, diag, 0, "exceeded the compiler's CPU-time limit (1 s)");
	buf_free(&m);
}

/* The pids of this process's NVRTC servers. */
static int servers(pid_t *out, int cap)
{
	DIR *d = opendir("/proc");
	int n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)) && n < cap) {
		char path[300], line[512];
		snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		int pid = 0, ppid = 0;
		char comm[64], st;
		if (fscanf(f, "%d %63s %c %d", &pid, comm, &st, &ppid) == 4 && ppid == getpid()) {
			snprintf(path, sizeof path, "/proc/%s/cmdline", de->d_name);
			FILE *c = fopen(path, "r");
			size_t k = c ? fread(line, 1, sizeof line - 1, c) : 0;
			line[k] = '\0';
			if (c)
				fclose(c);
			if (k > strlen(line) && !strcmp(line + strlen(line) + 1, CHK_NVRTC_SERVER_COMMAND))
				out[n++] = pid;
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

/* NVRTC on the explosion: each limit stops it, and the server that was
 * killed for it is replaced for the next module. */
static void test_nvrtc_limits(void **state)
{
	(void)state;
	if (!have_nvrtc)
		skip();
	buf good = BUF_INIT, bad = BUF_INIT, err = BUF_INIT;
	module("loop_cond.cu", "", &good);
	module("loop_cond.cu", bomb, &bad);
	struct {
		chk_limits lim;
		int no_pch;
		const char *want;
	} cases[] = {
	    /* 6 s: the good module after it, in a fresh server, must fit on a loaded machine */
	    {{.wall_s = 6}, 1, "exceeded the compiler's wall-clock limit (6 s)"},
	    {{.cpu_s = 2, .wall_s = 60}, 1, "exceeded the compiler's CPU-time limit (2 s)"},
	    {{.mem_mib = 1536}, 1, "exceeded the compiler's memory limit (1536 MiB of address space)"},
	    /* with automatic PCH, NVRTC's heap is a file under the file-size limit */
	    {{.file_mib = 256}, 0, "exceeded the compiler's memory limit (256 MiB of NVRTC heap file)"},
	};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		if (cases[c].lim.mem_mib && !SERVER_AS_LIMIT)
			continue;
		chk_options o = {.tier = CHK_SYNTAX,
				 .devices = DEV_BIT(DEV_CUDA),
				 .native_dir = native_dir,
				 .limits = cases[c].lim,
				 .no_pch = cases[c].no_pch};
		chk_engine *e = chk_create(&o, &err);
		assert_non_null(e);
		pid_t pids[8];
		int n = servers(pids, 8);
		assert_int_equal(n, 1);
		assert_int_equal(getpgid(pids[0]),
				 pids[0]); /* its own group: a terminal's Ctrl-C misses it */
		chk_item it = {.index = 1, .text = {NULL, bad.data}, .len = {0, bad.len}};
		chk_result r;
		double t0 = now_seconds();
		chk_check_one(e, &it, &r);
		double secs = now_seconds() - t0;
		if (r.ok[DEV_CUDA] != 0 || !strstr(r.diag[DEV_CUDA], cases[c].want))
			fail_msg("case %zu: ok %d after %.1f s, %s", c, r.ok[DEV_CUDA], secs,
				 r.diag[DEV_CUDA]);
		assert_true(secs < 40);
		chk_result_free(&r);
		it.text[DEV_CUDA] = good.data;
		it.len[DEV_CUDA] = good.len;
		assert_int_equal(chk_check_one(e, &it, &r), 1);
		chk_result_free(&r);
		chk_free(e);
		assert_int_equal(servers(pids, 8), 0);
	}
	buf_free(&good);
	buf_free(&bad);
	buf_free(&err);
}

/* A server killed from outside while idle is replaced without a word; one
 * killed while it compiles leaves that module unchecked (-1). */
static void test_nvrtc_killed_from_outside(void **state)
{
	(void)state;
	if (!have_nvrtc)
		skip();
	buf good = BUF_INIT, bad = BUF_INIT, err = BUF_INIT;
	module("loop_cond.cu", "", &good);
	module("loop_cond.cu", bomb, &bad);
	chk_options o = {
	    .tier = CHK_SYNTAX, .devices = DEV_BIT(DEV_CUDA), .native_dir = native_dir, .no_pch = 1};
	chk_engine *e = chk_create(&o, &err);
	assert_non_null(e);
	pid_t pids[8];
	assert_int_equal(servers(pids, 8), 1); /* the worker thread's, started by chk_create */
	kill(pids[0], SIGKILL);
	usleep(100000);
	chk_item it = {.index = 1, .text = {NULL, good.data}, .len = {0, good.len}};
	chk_result r;
	chk_submit(e, &it);
	assert_int_equal(chk_wait(e, &r), 1);
	assert_int_equal(r.ok[DEV_CUDA], 1);
	chk_result_free(&r);
	/* now kill it while it compiles the explosion */
	it.text[DEV_CUDA] = bad.data;
	it.len[DEV_CUDA] = bad.len;
	chk_submit(e, &it);
	chk_flush(e);
	sleep(2);
	int n = servers(pids, 8);
	assert_true(n >= 1);
	for (int i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	assert_int_equal(chk_wait(e, &r), 1);
	assert_int_equal(r.ok[DEV_CUDA], -1);
	assert_non_null(strstr(r.diag[DEV_CUDA], "killed by signal 9"));
	chk_result_free(&r);
	chk_free(e);
	buf_free(&good);
	buf_free(&bad);
	buf_free(&err);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], CHK_NVRTC_SERVER_COMMAND))
		return chk_nvrtc_server(argc - 1, argv + 1);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cxx_wall_clock),
	    cmocka_unit_test(test_cxx_cpu),
	    cmocka_unit_test(test_cxx_file_size),
	    cmocka_unit_test(test_cxx_killed_from_outside),
	    cmocka_unit_test(test_cxx_memory_batch),
	    cmocka_unit_test(test_clang_limits),
	    cmocka_unit_test(test_nvrtc_limits),
	    cmocka_unit_test(test_nvrtc_killed_from_outside),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

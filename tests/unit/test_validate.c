/* test_validate: the validation engine against real compilers. The real
 * Warp 1.19.0 fixtures (tests/fixtures/loop_cond.{cpp,cu}) pass both tiers
 * on both devices (real g++, real NVRTC); planted breakage (a mutated
 * forward body, a missing brace, a wrong type) fails, is named by index and
 * carries the compiler's diagnostic; a batch with one bad kernel among good
 * ones bisects to exactly that kernel, in batches of the default sizes too
 * (large ones without NVRTC's PCH); a missing NVRTC is one clear line.
 *
 * Needs the .venv with warp-lang (or JITSYNTH_WARP_NATIVE=.../warp/native),
 * g++ and the CUDA 13 toolkit's libnvrtc; without NVRTC the CUDA checks
 * are skipped (the missing-NVRTC test still runs). */
#include <glob.h>
#include <poll.h>
#include <unistd.h>

#include "common/util.h"
#include "test.h"
#include "validate/chk.h"
#include "validate/cxx.h"
#include "warp/native.h"

static char native_dir[1024];
static int have_nvrtc;

static int find_native(void)
{
	const char *env = getenv("JITSYNTH_WARP_NATIVE");
	if (env && *env) {
		snprintf(native_dir, sizeof native_dir, "%s", env);
		return 0;
	}
	glob_t g;
	if (glob(".venv/lib/python3*/site-packages/warp/native", 0, NULL, &g) != 0)
		return -1;
	snprintf(native_dir, sizeof native_dir, "%s", g.gl_pathv[0]);
	globfree(&g);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	if (find_native() != 0) {
		fprintf(stderr, "test_validate: no .venv/.../warp/native (run `make setup` or set "
				"JITSYNTH_WARP_NATIVE)\n");
		return -1;
	}
	buf err = BUF_INIT;
	chk_options o = {.tier = CHK_SYNTAX, .devices = DEV_BIT(DEV_CUDA), .native_dir = native_dir};
	chk_engine *e = chk_create(&o, &err);
	have_nvrtc = e != NULL;
	if (!e)
		fprintf(stderr, "test_validate: CUDA checks skipped: %s\n", buf_cstr(&err));
	chk_free(e);
	buf_free(&err);
	return 0;
}

static unsigned devices(void)
{
	return DEV_BIT(DEV_CPU) | (have_nvrtc ? DEV_BIT(DEV_CUDA) : 0);
}

/* Replaces the first occurrence of `from` (which must exist) in b. */
static void mutate(buf *b, const char *from, const char *to)
{
	char *hit = strstr(b->data, from);
	assert_non_null(hit);
	buf out = BUF_INIT;
	buf_append(&out, b->data, (size_t)(hit - b->data));
	buf_puts(&out, to);
	buf_puts(&out, hit + strlen(from));
	buf_free(b);
	*b = out;
}

/* A copy of the fixture whose kernel hash (and so every name) is `hash`. */
static void variant(const char *fixture, unsigned hash, buf *out)
{
	buf m = BUF_INIT;
	load_fixture(fixture, &m);
	char h[16];
	snprintf(h, sizeof h, "%08x", hash);
	const char *p = m.data;
	for (;;) {
		const char *hit = strstr(p, "897f9253");
		if (!hit) {
			buf_puts(out, p);
			break;
		}
		buf_append(out, p, (size_t)(hit - p));
		buf_puts(out, h);
		p = hit + 8;
	}
	buf_free(&m);
}

typedef enum breakage { OK, BODY, BRACE, TYPE, BWD } breakage;

static void make_kernel(unsigned hash, breakage br, buf *cpu, buf *cu)
{
	variant("loop_cond.cpp", hash, cpu);
	variant("loop_cond.cu", hash, cu);
	buf *both[2] = {cpu, cu};
	for (int d = 0; d < 2; d++) {
		buf *b = both[d];
		switch (br) {
		case OK:
			break;
		case BODY: /* the forward body calls address() with swapped arguments */
			mutate(b, "var_4 = wp::address(var_a, var_0);", "var_4 = wp::address(var_0, var_a);");
			break;
		case BRACE: { /* the forward function loses its closing brace */
			char *fwd = strstr(b->data, d ? "_cuda_kernel_forward(" : "_cpu_kernel_forward(");
			assert_non_null(fwd);
			char *close = strstr(fwd, "\n}\n");
			assert_non_null(close);
			memmove(close + 1, close + 2, strlen(close + 2) + 1);
			b->len--;
			break;
		}
		case TYPE: /* a float local declared as a pointer */
			mutate(b, "wp::float32 var_5;", "wp::float32* var_5;");
			break;
		case BWD: /* the backward function alone calls an unknown adjoint */
			assert_non_null(strstr(b->data, "_kernel_backward("));
			assert_true(strstr(b->data, "wp::adj_address(") > strstr(b->data, "_kernel_backward("));
			mutate(b, "wp::adj_address(", "wp::adj_addresss(");
			break;
		}
	}
}

static chk_engine *engine(chk_tier tier, int batch, int threads)
{
	buf err = BUF_INIT;
	chk_options o = {
	    .tier = tier, .devices = devices(), .native_dir = native_dir, .batch = batch, .threads = threads};
	chk_engine *e = chk_create(&o, &err);
	if (!e)
		fprintf(stderr, "chk_create: %s\n", buf_cstr(&err));
	assert_non_null(e);
	buf_free(&err);
	return e;
}

static void expect_ok(const chk_result *r)
{
	if (r->ok[DEV_CPU] != 1 || (have_nvrtc && r->ok[DEV_CUDA] != 1))
		fprintf(stderr, "kernel %llu: cpu %d %s\ncuda %d %s\n", (unsigned long long)r->index,
			r->ok[DEV_CPU], r->diag[DEV_CPU] ? r->diag[DEV_CPU] : "", r->ok[DEV_CUDA],
			r->diag[DEV_CUDA] ? r->diag[DEV_CUDA] : "");
	assert_int_equal(r->ok[DEV_CPU], 1);
	assert_int_equal(r->ok[DEV_CUDA], have_nvrtc ? 1 : -1);
	assert_null(r->diag[DEV_CPU]);
	assert_null(r->diag[DEV_CUDA]);
}

static void expect_bad(const chk_result *r, const char *cpu_word, const char *cuda_word)
{
	assert_int_equal(r->ok[DEV_CPU], 0);
	assert_non_null(r->diag[DEV_CPU]);
	assert_non_null(strstr(r->diag[DEV_CPU], "error"));
	assert_non_null(strstr(r->diag[DEV_CPU], "kernel.cpp:"));
	assert_null(strstr(r->diag[DEV_CPU], native_dir)); /* shortened to warp/native/ */
	if (cpu_word)
		assert_non_null(strstr(r->diag[DEV_CPU], cpu_word));
	if (!have_nvrtc)
		return;
	assert_int_equal(r->ok[DEV_CUDA], 0);
	assert_non_null(r->diag[DEV_CUDA]);
	assert_non_null(strstr(r->diag[DEV_CUDA], "error"));
	if (cuda_word)
		assert_non_null(strstr(r->diag[DEV_CUDA], cuda_word));
}

static void check_fixture_tier(chk_tier tier)
{
	chk_engine *e = engine(tier, 1, 1);
	buf cpu = BUF_INIT, cu = BUF_INIT;
	load_fixture("loop_cond.cpp", &cpu);
	load_fixture("loop_cond.cu", &cu);
	chk_item it = {.index = 7, .text = {cpu.data, cu.data}, .len = {cpu.len, cu.len}};
	chk_result r;
	assert_int_equal(chk_check_one(e, &it, &r), 1);
	assert_int_equal(r.index, 7);
	expect_ok(&r);
	chk_result_free(&r);
	buf_free(&cpu);
	buf_free(&cu);
	chk_free(e);
}

static void test_fixture_syntax(void **state)
{
	(void)state;
	check_fixture_tier(CHK_SYNTAX);
}

static void test_fixture_compile(void **state)
{
	(void)state;
	check_fixture_tier(CHK_COMPILE);
}

/* Each kind of breakage, checked alone, fails on both devices. */
static void test_planted(void **state)
{
	(void)state;
	chk_engine *e = engine(CHK_SYNTAX, 1, 1);
	const breakage kinds[] = {BODY, BRACE, TYPE};
	/* words the diagnostics must contain (g++ / NVRTC) */
	const char *cpu_words[] = {"address", NULL, "var_5"};
	const char *cuda_words[] = {"address", NULL, NULL};
	for (int k = 0; k < 3; k++) {
		buf cpu = BUF_INIT, cu = BUF_INIT;
		make_kernel(0x100u + (unsigned)k, kinds[k], &cpu, &cu);
		chk_item it = {.index = 100 + (uint64_t)k,
			       .text = {cpu.data, cu.data}, .len = {cpu.len, cu.len}};
		chk_result r;
		assert_int_equal(chk_check_one(e, &it, &r), 0);
		assert_int_equal(r.index, 100 + (uint64_t)k);
		expect_bad(&r, cpu_words[k], cuda_words[k]);
		chk_result_free(&r);
		buf_free(&cpu);
		buf_free(&cu);
	}
	chk_free(e);
}

/* Runs one batch of n kernels where kernel `bad` has breakage `br`, through
 * the threaded API, waiting on chk_fd with poll() as the pipeline would. */
static void run_batch(int n, int bad, breakage br, int threads)
{
	chk_engine *e = engine(CHK_SYNTAX, n, threads);
	buf cpu[64] = {0}, cu[64] = {0}; /* lent to the engine until each verdict */
	for (int i = 0; i < n; i++) {
		make_kernel(0xa000u + (unsigned)i, i == bad ? br : OK, &cpu[i], &cu[i]);
		chk_item it = {.index = 1000 + (uint64_t)i,
			       .text = {cpu[i].data, cu[i].data}, .len = {cpu[i].len, cu[i].len}};
		chk_submit(e, &it);
	}
	assert_int_equal(chk_outstanding(e), (size_t)n);
	int seen[64] = {0};
	int got = 0;
	while (got < n) {
		struct pollfd p = {.fd = chk_fd(e), .events = POLLIN};
		assert_int_equal(poll(&p, 1, 120000), 1);
		chk_result r;
		while (chk_poll(e, &r)) {
			int i = (int)(r.index - 1000);
			assert_true(i >= 0 && i < n && !seen[i]);
			seen[i] = 1;
			got++;
			if (i == bad)
				expect_bad(&r, NULL, NULL);
			else
				expect_ok(&r);
			chk_result_free(&r);
		}
	}
	chk_result r;
	assert_int_equal(chk_poll(e, &r), 0);
	assert_int_equal(chk_wait(e, &r), 0);
	chk_stats st;
	chk_stats_get(e, &st);
	assert_int_equal(st.kernels[0], (uint64_t)n);
	assert_int_equal(st.failed[0], 1);
	/* one batch, then bisection: more than one compile, fewer than n * 2 */
	assert_true(st.compiles[0] > 1 && st.compiles[0] < 2 * (uint64_t)n);
	if (have_nvrtc)
		assert_int_equal(st.failed[1], 1);
	chk_free(e);
	for (int i = 0; i < n; i++) {
		buf_free(&cpu[i]);
		buf_free(&cu[i]);
	}
}

static void test_batch_bisects_body(void **state)
{
	(void)state;
	run_batch(6, 4, BODY, 2);
}

static void test_batch_bisects_brace(void **state)
{
	(void)state;
	run_batch(5, 1, BRACE, 1);
}

/* A good batch is one compile per device, results via chk_wait, and a
 * partial batch goes out with chk_flush / chk_wait. */
static void test_batch_good(void **state)
{
	(void)state;
	chk_engine *e = engine(CHK_SYNTAX, 4, 2);
	buf lent[3][2] = {{{0}}}; /* cpu, cuda texts, lent until the verdicts */
	for (int i = 0; i < 3; i++) {
		make_kernel(0xb000u + (unsigned)i, OK, &lent[i][0], &lent[i][1]);
		chk_item it = {.index = (uint64_t)i,
			       .text = {lent[i][0].data, lent[i][1].data}, .len = {lent[i][0].len, lent[i][1].len}};
		chk_submit(e, &it);
	}
	/* a kernel with no CUDA text: its CUDA result is "not checked" */
	buf cpu = BUF_INIT, unused = BUF_INIT;
	make_kernel(0xb0ffu, OK, &cpu, &unused);
	chk_item it = {.index = 3, .text = {[DEV_CPU] = cpu.data}, .len = {[DEV_CPU] = cpu.len}};
	chk_submit(e, &it);
	int n = 0;
	chk_result r;
	while (chk_wait(e, &r)) {
		assert_int_equal(r.ok[DEV_CPU], 1);
		assert_int_equal(r.ok[DEV_CUDA], r.index == 3 || !have_nvrtc ? -1 : 1);
		chk_result_free(&r);
		n++;
	}
	assert_int_equal(n, 4);
	chk_stats st;
	chk_stats_get(e, &st);
	assert_int_equal(st.compiles[0], 1);
	if (have_nvrtc)
		assert_int_equal(st.compiles[1], 1);
	chk_free(e);
	buf_free(&cpu);
	buf_free(&unused);
	for (int i = 0; i < 3; i++) {
		buf_free(&lent[i][0]);
		buf_free(&lent[i][1]);
	}
}

/* Each module's body has a namespace of its own in a batch, so the same
 * kernel twice (Warp's helpers are named alike in every module that calls
 * them) compiles in one go. A macro one body defines still reaches the
 * next: such a pair fails only as a combination, and bisection finds both
 * pass alone. A byte budget cuts batches short. */
static void test_batch_duplicate_and_bytes(void **state)
{
	(void)state;
	buf err = BUF_INIT;
	chk_options o = {.tier = CHK_SYNTAX, .devices = DEV_BIT(DEV_CPU), .native_dir = native_dir, .batch = 2};
	chk_engine *e = chk_create(&o, &err);
	assert_non_null(e);
	buf cpu = BUF_INIT, cu = BUF_INIT, spoiler = BUF_INIT;
	make_kernel(0xd000u, OK, &cpu, &cu);
	chk_item it = {.index = 1, .text = {[DEV_CPU] = cpu.data}, .len = {[DEV_CPU] = cpu.len}};
	chk_submit(e, &it);
	it.index = 2;
	chk_submit(e, &it);
	buf_append(&spoiler, cpu.data, cpu.len); /* passes alone; breaks what follows */
	buf_puts(&spoiler, "\n#define wp )\n");
	it = (chk_item){.index = 3, .text = {[DEV_CPU] = spoiler.data}, .len = {[DEV_CPU] = spoiler.len}};
	chk_submit(e, &it);
	it = (chk_item){.index = 4, .text = {[DEV_CPU] = cpu.data}, .len = {[DEV_CPU] = cpu.len}};
	chk_submit(e, &it);
	chk_result r;
	int n = 0;
	while (chk_wait(e, &r)) {
		assert_int_equal(r.ok[DEV_CPU], 1);
		chk_result_free(&r);
		n++;
	}
	assert_int_equal(n, 4);
	chk_stats st;
	chk_stats_get(e, &st);
	assert_int_equal(st.combined_only, 1);
	assert_int_equal(st.compiles[0], 1 + 3); /* the twins at once; the pair, then each alone */
	chk_free(e);
	buf_free(&spoiler);
	o.batch = 4;

	o.batch_bytes = cpu.len + 1; /* two modules exceed it: batches of two */
	e = chk_create(&o, &err);
	assert_non_null(e);
	buf c2[4] = {0}, u2[4] = {0}; /* lent until the verdicts */
	for (uint64_t i = 0; i < 4; i++) {
		make_kernel(0xd100u + (unsigned)i, OK, &c2[i], &u2[i]);
		chk_item it2 = {.index = i, .text = {[DEV_CPU] = c2[i].data}, .len = {[DEV_CPU] = c2[i].len}};
		chk_submit(e, &it2);
	}
	n = 0;
	while (chk_wait(e, &r)) {
		assert_int_equal(r.ok[DEV_CPU], 1);
		chk_result_free(&r);
		n++;
	}
	assert_int_equal(n, 4);
	chk_stats_get(e, &st);
	assert_int_equal(st.compiles[0], 2);
	chk_free(e);
	for (int i = 0; i < 4; i++) {
		buf_free(&c2[i]);
		buf_free(&u2[i]);
	}
	buf_free(&cpu);
	buf_free(&cu);
	buf_free(&err);
}

/* Two hostile modules that fail alone but balance each other's braces (one
 * leaves a namespace open, the next closes it) fail together too: each
 * body's separator is legal only at global scope. */
static void test_batch_brace_pair(void **state)
{
	(void)state;
	chk_engine *e = engine(CHK_SYNTAX, 2, 1);
	buf m[2][2] = {{{0}}}; /* [kernel][cpu, cuda], lent until the verdicts */
	for (int k = 0; k < 2; k++) {
		buf cpu = BUF_INIT, cu = BUF_INIT;
		make_kernel(0xf000u + (unsigned)k, OK, &cpu, &cu);
		buf *src[2] = {&cpu, &cu};
		for (int d = 0; d < 2; d++) {
			size_t p = chk_prologue_len(src[d]->data, src[d]->len);
			buf_append(&m[k][d], src[d]->data, p);
			if (k == 1)
				buf_puts(&m[k][d], "}\n"); /* closes one too many */
			buf_append(&m[k][d], src[d]->data + p, src[d]->len - p);
			if (k == 0)
				buf_puts(&m[k][d], "\nnamespace left_open {\n");
		}
		buf_free(&cpu);
		buf_free(&cu);
		chk_item it = {.index = (uint64_t)k, .text = {m[k][0].data, m[k][1].data}, .len = {m[k][0].len, m[k][1].len}};
		chk_submit(e, &it);
	}
	chk_result r;
	int n = 0;
	while (chk_wait(e, &r)) {
		expect_bad(&r, NULL, NULL);
		chk_result_free(&r);
		n++;
	}
	assert_int_equal(n, 2);
	chk_free(e);
	for (int k = 0; k < 2; k++)
		for (int d = 0; d < 2; d++)
			buf_free(&m[k][d]);
}

/* Files in the NVRTC PCH directory of the (one) live engine's thread 0, or
 * -1 when that cannot be told (TMPDIR unset: other runs' dirs in /tmp). */
static int nvrtc_pch_files(void)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		return -1;
	char pat[1200];
	snprintf(pat, sizeof pat, "%s/jitsynth-chk-*/nvpch0/*", tmp);
	glob_t g;
	int rc = glob(pat, 0, NULL, &g);
	int n = rc == 0 ? (int)g.gl_pathc : 0;
	if (rc == 0)
		globfree(&g);
	return n;
}

/* Submits n kernels (kernel `bad` with breakage br; -1 none) and checks the
 * verdicts; texts in cpu[], cu[] (lent until then, freed here). */
static void submit_and_check(chk_engine *e, unsigned seed, int n, int bad, breakage br)
{
	buf cpu[64] = {0}, cu[64] = {0};
	for (int i = 0; i < n; i++) {
		make_kernel(seed + (unsigned)i, i == bad ? br : OK, &cpu[i], &cu[i]);
		chk_item it = {.index = (uint64_t)i, .text = {cpu[i].data, cu[i].data}, .len = {cpu[i].len, cu[i].len}};
		chk_submit(e, &it);
	}
	chk_result r;
	int got = 0;
	while (chk_wait(e, &r)) {
		if ((int)r.index == bad)
			expect_bad(&r, "adj_addresss", "adj_addresss");
		else
			expect_ok(&r);
		chk_result_free(&r);
		got++;
	}
	assert_int_equal(got, n);
	for (int i = 0; i < n; i++) {
		buf_free(&cpu[i]);
		buf_free(&cu[i]);
	}
}

/* The syntax tier batches CHK_BATCH_SYNTAX (128) modules by default, the
 * compile tier CHK_BATCH_COMPILE (16). A batch of CHK_NVRTC_PCH_BELOW or
 * more compiles once per device without NVRTC's PCH (its directory stays
 * empty); when such a batch fails, bisection finds a breakage in the
 * backward function alone, its smaller compiles with the PCH. */
static void test_batch_large(void **state)
{
	(void)state;
	chk_options o = {.tier = CHK_SYNTAX};
	assert_int_equal(chk_batch_size(&o), CHK_BATCH_SYNTAX);
	assert_int_equal(CHK_BATCH_SYNTAX, 128);
	o.tier = CHK_COMPILE;
	assert_int_equal(chk_batch_size(&o), CHK_BATCH_COMPILE);
	o.batch = 5;
	assert_int_equal(chk_batch_size(&o), 5);

	const int n = 40;
	assert_true(n >= CHK_NVRTC_PCH_BELOW);
	chk_engine *e = engine(CHK_SYNTAX, n, 1);
	submit_and_check(e, 0xe000u, n, -1, OK);
	chk_stats st;
	chk_stats_get(e, &st);
	assert_int_equal(st.compiles[DEV_CPU], 1);
	if (have_nvrtc) {
		assert_int_equal(st.compiles[DEV_CUDA], 1);
		if (nvrtc_pch_files() >= 0)
			assert_int_equal(nvrtc_pch_files(), 0);
	}
	submit_and_check(e, 0xe100u, n, 33, BWD);
	chk_stats_get(e, &st);
	assert_int_equal(st.failed[DEV_CPU], 1);
	/* one batch, then log2(40) levels of two halves */
	assert_true(st.compiles[DEV_CPU] > 2 && st.compiles[DEV_CPU] < 2 + 2 * 7);
	if (have_nvrtc) {
		assert_int_equal(st.failed[DEV_CUDA], 1);
		assert_true(st.compiles[DEV_CUDA] > 2 && st.compiles[DEV_CUDA] < 2 + 2 * 7);
		if (nvrtc_pch_files() >= 0)
			assert_true(nvrtc_pch_files() > 0);
	}
	chk_free(e);
}

/* chk_cancel (a run stopping): kernels whose compilation has not started
 * are dropped, never handed out as failures; what is handed out passed on
 * every device; nothing is left outstanding or leaked. */
static void test_cancel(void **state)
{
	(void)state;
	chk_engine *e = engine(CHK_SYNTAX, 4, 1);
	enum { N = 12 };
	buf cpu[N] = {0}, cu[N] = {0};
	for (int i = 0; i < N; i++) {
		make_kernel(0xf100u + (unsigned)i, OK, &cpu[i], &cu[i]);
		chk_item it = {.index = (uint64_t)i, .text = {cpu[i].data, cu[i].data}, .len = {cpu[i].len, cu[i].len}};
		chk_submit(e, &it);
	}
	chk_cancel(e);
	chk_result r;
	int n = 0;
	while (chk_wait(e, &r)) {
		expect_ok(&r);
		chk_result_free(&r);
		n++;
	}
	/* one thread: at most the batch it had started per device survives */
	assert_true(n <= 4);
	assert_int_equal(chk_outstanding(e), 0);
	chk_stats st;
	chk_stats_get(e, &st);
	assert_true(st.compiles[DEV_CPU] <= 1);
	chk_free(e);
	for (int i = 0; i < N; i++) {
		buf_free(&cpu[i]);
		buf_free(&cu[i]);
	}
}

/* chk_flush_idle (a pipeline whose window is full): while a thread has a
 * batch to compile, the partial batch waits and fills up; once no thread
 * has anything, it goes. With chk_flush in its place the partial batch of
 * two would be compiled on its own: three compiles per device, not two. */
static void test_flush_idle(void **state)
{
	(void)state;
	chk_engine *e = engine(CHK_SYNTAX, 4, 1);
	enum { N = 8 };
	buf cpu[N] = {0}, cu[N] = {0};
	for (int i = 0; i < N; i++)
		make_kernel(0xf200u + (unsigned)i, OK, &cpu[i], &cu[i]);
	for (int i = 0; i < N; i++) {
		chk_item it = {.index = (uint64_t)i, .text = {cpu[i].data, cu[i].data}, .len = {cpu[i].len, cu[i].len}};
		chk_submit(e, &it);
		/* kernels 0-3 are a full batch (a thread compiles it for at
		 * least a tenth of a second); 4 and 5 a partial one */
		if (i == 5)
			chk_flush_idle(e);
	}
	chk_result r;
	for (int n = 0; n < N; n++) {
		assert_true(chk_wait(e, &r));
		expect_ok(&r);
		chk_result_free(&r);
	}
	chk_stats st;
	chk_stats_get(e, &st);
	assert_int_equal(st.compiles[DEV_CPU], 2);
	/* nothing left to compile: a partial batch goes at once */
	chk_item it = {.index = N, .text = {cpu[0].data, cu[0].data}, .len = {cpu[0].len, cu[0].len}};
	chk_submit(e, &it);
	chk_flush_idle(e);
	assert_true(chk_wait(e, &r));
	expect_ok(&r);
	chk_result_free(&r);
	chk_stats_get(e, &st);
	assert_int_equal(st.compiles[DEV_CPU], 3);
	assert_int_equal(chk_outstanding(e), 0);
	chk_free(e);
	for (int i = 0; i < N; i++) {
		buf_free(&cpu[i]);
		buf_free(&cu[i]);
	}
}

/* Unprocessed submissions are discarded without leaks. */
static void test_free_pending(void **state)
{
	(void)state;
	chk_engine *e = engine(CHK_SYNTAX, 8, 1);
	buf cpu = BUF_INIT, cu = BUF_INIT;
	make_kernel(0xc000u, OK, &cpu, &cu);
	chk_item it = {.index = 1, .text = {cpu.data, cu.data}, .len = {cpu.len, cu.len}};
	chk_submit(e, &it);
	chk_submit(e, &it);
	chk_free(e);
	buf_free(&cpu);
	buf_free(&cu);
}

static void test_no_nvrtc(void **state)
{
	(void)state;
	setenv("JITSYNTH_NVRTC", "/nonexistent/libnvrtc.so.13", 1);
	buf err = BUF_INIT;
	chk_options o = {.tier = CHK_SYNTAX, .native_dir = native_dir};
	assert_null(chk_create(&o, &err));
	assert_string_equal(buf_cstr(&err),
			    "NVRTC not found (/nonexistent/libnvrtc.so.13): install the CUDA toolkit "
			    "or use --validate none / --devices cpu");
	/* CPU alone still works, and so does tier none */
	o.devices = DEV_BIT(DEV_CPU);
	chk_engine *e = chk_create(&o, &err);
	assert_non_null(e);
	chk_free(e);
	o.devices = 0;
	o.tier = CHK_NONE;
	e = chk_create(&o, &err);
	assert_non_null(e);
	chk_item it = {.index = 5, .text = {"x", "y"}, .len = {1, 1}};
	chk_submit(e, &it);
	chk_result r;
	assert_int_equal(chk_poll(e, &r), 1);
	assert_int_equal(r.ok[DEV_CPU], -1);
	assert_int_equal(r.ok[DEV_CUDA], -1);
	chk_free(e);
	unsetenv("JITSYNTH_NVRTC");
	buf_free(&err);
}

static void test_no_cxx(void **state)
{
	(void)state;
	buf err = BUF_INIT;
	chk_options o = {
	    .tier = CHK_SYNTAX, .devices = DEV_BIT(DEV_CPU), .native_dir = native_dir, .cxx = "no-such-g++"};
	assert_null(chk_create(&o, &err));
	assert_non_null(strstr(buf_cstr(&err), "C++ compiler not found (no-such-g++)"));
	assert_null(strchr(buf_cstr(&err), '\n'));
	buf_free(&err);
}

/* clang (the run tier's compiler) with the builtin.h PCH: a module with
 * the prologue it was built for uses it; one without WP_NO_BFLOAT16 (Warp
 * leaves it out when a module uses bfloat16) must not get it, or its
 * bfloat16 would be missing; a bad one is still refused. */
static void test_clang_pch(void **state)
{
	(void)state;
	if (system("command -v clang++-16 >/dev/null") != 0)
		fail_msg("clang++-16 is not installed (scripts/setup.sh installs it)");
	buf err = BUF_INIT;
	chk_options o = {.tier = CHK_SYNTAX, .devices = DEV_BIT(DEV_CPU), .native_dir = native_dir, .cxx = "clang++-16",
			 .batch = 1};
	chk_engine *e = chk_create(&o, &err);
	assert_non_null(e);
	buf plain = BUF_INIT, bf16 = BUF_INIT, bad = BUF_INIT;
	load_fixture("loop_cond.cpp", &plain);
	load_fixture("loop_cond.cpp", &bf16);
	mutate(&bf16, "#define WP_NO_BFLOAT16\n", "");
	mutate(&bf16, "struct wp_args_k0_897f9253 {", "static wp::bfloat16 jitsynth_b;\nstruct wp_args_k0_897f9253 {");
	load_fixture("loop_cond.cpp", &bad);
	mutate(&bad, "wp::float32 var_5;", "wp::float32* var_5;");
	const buf *v[3] = {&plain, &bf16, &bad};
	for (int i = 0; i < 3; i++) {
		chk_item it = {.index = (uint64_t)i, .text = {v[i]->data, NULL}, .len = {v[i]->len, 0}};
		chk_submit(e, &it);
	}
	chk_result r;
	int seen = 0;
	while (chk_wait(e, &r)) {
		if (r.ok[DEV_CPU] != (r.index == 2 ? 0 : 1))
			fprintf(stderr, "module %llu: %s\n", (unsigned long long)r.index, r.diag[DEV_CPU] ? r.diag[DEV_CPU] : "");
		assert_int_equal(r.ok[DEV_CPU], r.index == 2 ? 0 : 1);
		seen++;
		chk_result_free(&r);
	}
	assert_int_equal(seen, 3);
	chk_stats st;
	chk_stats_get(e, &st);
	assert_int_equal(st.cxx_pch, 1);
	chk_free(e);
	buf_free(&plain);
	buf_free(&bf16);
	buf_free(&bad);
	buf_free(&err);
}

/* Whether the shared object at so names libjswarm.so among its DT_NEEDED. */
static int links_warm(const char *so)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "readelf -d '%s' | grep -q 'NEEDED.*/libjswarm\\.so'", so);
	return system(cmd) == 0;
}

/* The run tier's warm clang PCH (validate/cxx.h): built with its library,
 * which a module built on it links; a module that does not start as the
 * PCH's modules do is built against the real header and links nothing;
 * a list that does not compile against the headers costs the warm PCH
 * only: the plain PCH, and the module builds. */
static void test_clang_warm(void **state)
{
	(void)state;
	if (system("command -v clang++-16 >/dev/null") != 0)
		fail_msg("clang++-16 is not installed (scripts/setup.sh installs it)");
	char tmp[] = "/tmp/jitsynth-warm-XXXXXX";
	assert_non_null(mkdtemp(tmp));
	buf m = BUF_INIT, bf16 = BUF_INIT, so = BUF_INIT, log = BUF_INIT, err = BUF_INIT;
	load_fixture("loop_cond.cpp", &m);
	load_fixture("loop_cond.cpp", &bf16);
	mutate(&bf16, "#define WP_NO_BFLOAT16\n", "");
	buf_printf(&so, "%s/m.so", tmp);
	const char *lists[2] = {NULL, "template void wp::jitsynth_no_such_template<float>(float);\n"};
	for (int i = 0; i < 2; i++) {
		cxx_config cfg = {.cxx = "clang++-16", .native_dir = native_dir, .tmpdir = tmp, .object = 2, .pch = 1,
				  .warm = lists[i]};
		cxx_tool *t = cxx_create(&cfg, &err);
		assert_non_null(t);
		assert_int_equal(cxx_pch_active(t), 1);
		assert_int_equal(cxx_pch_warm(t), i == 0);
		buf_reset(&log);
		int rc = cxx_build_so(t, m.data, m.len, 0, buf_cstr(&so), &log);
		if (rc != 0)
			fprintf(stderr, "%s", buf_cstr(&log));
		assert_int_equal(rc, 0);
		assert_int_equal(links_warm(buf_cstr(&so)), i == 0);
		assert_int_equal(cxx_build_so(t, bf16.data, bf16.len, 0, buf_cstr(&so), &log), 0);
		assert_int_equal(links_warm(buf_cstr(&so)), 0);
		cxx_free(t);
	}
	unlink(buf_cstr(&so));
	assert_int_equal(rmdir(tmp), 0); /* nothing else left behind */
	buf_free(&m);
	buf_free(&bf16);
	buf_free(&so);
	buf_free(&log);
	buf_free(&err);
}

static void test_prologue(void **state)
{
	(void)state;
	buf m = BUF_INIT;
	load_fixture("loop_cond.cpp", &m);
	size_t p = chk_prologue_len(m.data, m.len);
	assert_true(p > 0 && m.data[p - 1] == '\n');
	assert_true(!strncmp(m.data + p + strspn(m.data + p, "\n"), "struct wp_args_k0_897f9253 {", 28));
	buf_reset(&m);
	load_fixture("loop_cond.cu", &m);
	p = chk_prologue_len(m.data, m.len);
	assert_true(!strncmp(m.data + p + strspn(m.data + p, "\n"),
			     "extern \"C\" __global__ void k0_897f9253_cuda_kernel_forward(", 50));
	buf_free(&m);
	buf nd = BUF_INIT, err = BUF_INIT;
	if (!getenv("JITSYNTH_WARP_NATIVE")) {
		assert_int_equal(warp_native_dir(".venv/bin/python", "src/warp/worker.py", &nd, &err), 0);
		assert_non_null(strstr(buf_cstr(&nd), "/warp/native"));
	}
	assert_int_equal(warp_native_dir("/nonexistent/python", "src/warp/worker.py", &nd, &err), -1);
	assert_null(strchr(buf_cstr(&err), '\n'));
	buf_free(&nd);
	buf_free(&err);
	/* continuation lines belong to the directive; comments after the last
	 * directive to the body (Warp's `// warp/_src/math.py:0` above a helper) */
	const char *cont = "// head\n#define A(x) \\\n  x + 1\n// c\n\nint y;\n";
	assert_int_equal(chk_prologue_len(cont, strlen(cont)), strlen(cont) - strlen("// c\n\nint y;\n"));
	assert_int_equal(chk_prologue_len("// c\nint y;\n", 13), 0);
	chk_tier t;
	assert_int_equal(chk_tier_parse("compile", &t), 0);
	assert_int_equal(t, CHK_COMPILE);
	assert_int_equal(chk_tier_parse("fast", &t), -1);
	assert_string_equal(chk_tier_name(CHK_SYNTAX), "syntax");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], CHK_NVRTC_SERVER_COMMAND))
		return chk_nvrtc_server(argc - 1, argv + 1);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prologue),
	    cmocka_unit_test(test_clang_pch),
	    cmocka_unit_test(test_clang_warm),
	    cmocka_unit_test(test_no_nvrtc),
	    cmocka_unit_test(test_flush_idle),
	    cmocka_unit_test(test_no_cxx),
	    cmocka_unit_test(test_fixture_syntax),
	    cmocka_unit_test(test_fixture_compile),
	    cmocka_unit_test(test_planted),
	    cmocka_unit_test(test_batch_good),
	    cmocka_unit_test(test_batch_bisects_body),
	    cmocka_unit_test(test_batch_bisects_brace),
	    cmocka_unit_test(test_batch_duplicate_and_bytes),
	    cmocka_unit_test(test_batch_large),
	    cmocka_unit_test(test_batch_brace_pair),
	    cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_free_pending),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}

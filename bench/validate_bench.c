/* validate_bench: times the validation engine (src/validate) on a directory
 * of Warp modules, for bench/validate_cost.sh.
 *
 * usage: validate_bench NATIVE_DIR DIR cpu|cuda syntax|compile BATCH pch|nopch [THREADS] [--show]
 * reads the .cpp (cpu) or .cu (cuda) files of DIR; prints one line:
 *   kernels=N setup_s=S per_kernel_ms=M failed=F compiles=C
 * setup_s is engine creation (g++ PCH build) plus a warm-up batch (the
 * first BATCH modules: NVRTC builds its automatic PCH there); per_kernel_ms
 * is the steady-state wall time of the other modules (N = their count,
 * none seen before, so no compiler cache can help) divided by N.
 * --show prints each failure's diagnostic. */
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "validate/chk.h"

static _Noreturn void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("validate_bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(code);
}

static void slurp(const char *path, buf *out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die(1, "cannot read %s", path);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(out, chunk, n);
	fclose(f);
}

static int run_set(chk_engine *e, buf *texts, size_t from, size_t n, int cuda, int show)
{
	for (size_t i = from; i < n; i++) {
		chk_item it = {.index = i};
		it.text[cuda ? DEV_CUDA : DEV_CPU] = texts[i].data;
		it.len[cuda ? DEV_CUDA : DEV_CPU] = texts[i].len;
		chk_submit(e, &it);
	}
	int failed = 0;
	chk_result r;
	while (chk_wait(e, &r)) {
		int ok = r.ok[cuda ? DEV_CUDA : DEV_CPU];
		if (ok != 1) {
			failed++;
			if (show)
				printf("kernel %llu: %s\n", (unsigned long long)r.index,
				       r.diag[cuda ? DEV_CUDA : DEV_CPU]);
		}
		chk_result_free(&r);
	}
	return failed;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], CHK_NVRTC_SERVER_COMMAND)) /* NVRTC runs in copies of this program */
		return chk_nvrtc_server(argc - 1, argv + 1);
	if (argc < 7)
		die(2, "usage: validate_bench NATIVE_DIR DIR cpu|cuda syntax|compile BATCH pch|nopch "
		       "[THREADS] [--show]");
	int cuda = !strcmp(argv[3], "cuda");
	chk_options o = {.native_dir = argv[1],
			 .devices = DEV_BIT(cuda ? DEV_CUDA : DEV_CPU),
			 .batch = atoi(argv[5]),
			 .no_pch = !strcmp(argv[6], "nopch"),
			 .threads = argc > 7 ? atoi(argv[7]) : 1};
	int show = argc > 8 && !strcmp(argv[8], "--show");
	if (chk_tier_parse(argv[4], &o.tier) != 0)
		die(2, "bad tier %s", argv[4]);
	buf pat = BUF_INIT;
	buf_printf(&pat, "%s/*.%s", argv[2], cuda ? "cu" : "cpp");
	glob_t g;
	if (glob(buf_cstr(&pat), 0, NULL, &g) != 0 || g.gl_pathc == 0)
		die(1, "no modules match %s", buf_cstr(&pat));
	buf_free(&pat);
	size_t n = g.gl_pathc;
	buf *texts = xcalloc(n, sizeof *texts);
	for (size_t i = 0; i < n; i++)
		slurp(g.gl_pathv[i], &texts[i]);
	globfree(&g);

	double t0 = now_seconds();
	buf err = BUF_INIT;
	chk_engine *e = chk_create(&o, &err);
	if (!e)
		die(1, "%s", buf_cstr(&err));
	size_t warm = (size_t)(o.batch > 0 ? o.batch : 16);
	if (warm >= n)
		die(1, "need more than %zu modules (one warm-up batch, then the measured ones)", warm);
	run_set(e, texts, 0, warm, cuda, 0);
	double t1 = now_seconds();
	chk_stats before;
	chk_stats_get(e, &before);
	int failed = run_set(e, texts, warm, n, cuda, show);
	double t2 = now_seconds();
	chk_stats st;
	chk_stats_get(e, &st);
	int d = cuda ? 1 : 0;
	printf("kernels=%zu setup_s=%.2f per_kernel_ms=%.1f failed=%d compiles=%llu pch=%d\n", n - warm,
	       t1 - t0, 1000.0 * (t2 - t1) / (double)(n - warm), failed,
	       (unsigned long long)(st.compiles[d] - before.compiles[d]), cuda ? !o.no_pch : st.cxx_pch);
	chk_free(e);
	for (size_t i = 0; i < n; i++)
		buf_free(&texts[i]);
	free(texts);
	buf_free(&err);
	return 0;
}

/* chk: the validation engine; see chk.h. */
#include "validate/chk.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "validate/cxx.h"
#include "validate/nvrtc.h"
#include "validate/scratch.h"

extern char **environ;

enum { DEV_CPU = 0, DEV_CUDA = 1, NDEV = 2 };

/* The name NVRTC gives the program: its diagnostics read "kernel.cu(LINE)". */
#define NVRTC_NAME "kernel.cu"
#define DIAG_MAX_BYTES 2048

typedef struct item {
	uint64_t index;
	char *text[NDEV];
	size_t len[NDEV];
	size_t pro[NDEV]; /* prologue length */
	int ok[NDEV];
	char *diag[NDEV];
	int pending;		  /* device jobs still to finish */
	struct item *prev, *next; /* the live list: every item not yet handed out */
	struct item *done_next;	  /* the done queue */
} item;

typedef struct job {
	int dev;
	size_t n;
	item **v;
	struct job *next;
} job;

struct chk_engine {
	chk_tier tier;
	unsigned devices;
	int batch, nthreads, diag_lines;
	size_t batch_bytes;
	char *native_prefix; /* "<native_dir>/", shown as "warp/native/" in diagnostics */
	nvrtc_lib *nv;
	cxx_tool *cx;
	scratch tmp;
	char *note; /* chk_note */
	/* NVRTC options: nv_opts[slot] is the option vector of thread `slot`
	 * (they differ only in the PCH directory). */
	char ***nv_opts;
	int nv_nopts;

	pthread_mutex_t mu;
	pthread_cond_t job_cv, done_cv;
	pthread_mutex_t sync_mu; /* chk_check_one's slot */
	job *jq_head, *jq_tail;
	item **part[NDEV];
	size_t npart[NDEV], part_bytes[NDEV];
	item live; /* sentinel of the live list */
	item *done_head, *done_tail;
	size_t outstanding, ndone;
	int stop;
	pthread_t *th;
	int nth_started;
	int efd;
	chk_stats st;
};

/* ---- small helpers ---- */

int chk_tier_parse(const char *s, chk_tier *out)
{
	if (!strcmp(s, "none"))
		*out = CHK_NONE;
	else if (!strcmp(s, "syntax"))
		*out = CHK_SYNTAX;
	else if (!strcmp(s, "compile"))
		*out = CHK_COMPILE;
	else
		return -1;
	return 0;
}

const char *chk_tier_name(chk_tier t)
{
	switch (t) {
	case CHK_NONE:
		return "none";
	case CHK_SYNTAX:
		return "syntax";
	case CHK_COMPILE:
		return "compile";
	}
	return "?";
}

size_t chk_prologue_len(const char *text, size_t len)
{
	size_t i = 0;
	int cont = 0; /* the previous line ended with a backslash */
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) + 1 : len;
		size_t j = i;
		while (j < end && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r'))
			j++;
		int blank = j == end || text[j] == '\n';
		int directive = j < end && text[j] == '#';
		int comment = j + 1 < end && text[j] == '/' && text[j + 1] == '/';
		if (!(cont || blank || directive || comment))
			break;
		size_t k = end;
		while (k > i && (text[k - 1] == '\n' || text[k - 1] == '\r'))
			k--;
		cont = (directive || cont) && k > i && text[k - 1] == '\\';
		i = end;
	}
	return i;
}

/* The first lines of a compiler log worth showing: from the line before the
 * first "error" (when it introduces it, e.g. "In function ...:") on. */
static char *diag_excerpt(const char *log, size_t len, int max_lines)
{
	if (!len)
		return xstrdup("(the compiler gave no diagnostic)");
	const char *start = log, *prev = NULL, *p = log, *end = log + len;
	const char *first_err = NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (memmem(p, (size_t)(le - p), "error", 5)) {
			first_err = p;
			break;
		}
		prev = p;
		p = nl ? nl + 1 : end;
	}
	if (first_err) {
		start = first_err;
		if (prev) {
			const char *pe = memchr(prev, '\n', (size_t)(end - prev));
			if (pe && pe > prev && pe[-1] == ':')
				start = prev;
		}
	}
	buf out = BUF_INIT;
	int lines = 0;
	for (p = start; p < end && lines < max_lines && out.len < DIAG_MAX_BYTES; lines++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (out.len + n > DIAG_MAX_BYTES)
			n = DIAG_MAX_BYTES - out.len;
		buf_append(&out, p, n);
		buf_putc(&out, '\n');
		p = nl ? nl + 1 : end;
	}
	while (out.len && (out.data[out.len - 1] == '\n' || out.data[out.len - 1] == ' '))
		out.data[--out.len] = '\0';
	return buf_detach(&out, NULL);
}

int chk_native_dir(const char *python, buf *out, buf *err)
{
	/* On failure the one line printed is the exception, as the pool reports it. */
	static const char code[] = "import os, sys\n"
				   "try:\n"
				   "    import warp\n"
				   "except Exception as e:\n"
				   "    print(f'{type(e).__name__}: {e}'); sys.exit(1)\n"
				   "print(os.path.join(os.path.dirname(warp.__file__), 'native'))\n";
	int fd[2];
	if (pipe2(fd, O_CLOEXEC) != 0) {
		buf_printf(err, "pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	char *argv[] = {(char *)python, "-c", (char *)code, NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, python, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	if (rc != 0) {
		close(fd[0]);
		buf_printf(err, "cannot run Python '%s': %s (run `make setup`, or pass --python PATH)", python,
			   strerror(rc));
		return -1;
	}
	buf text = BUF_INIT;
	char chunk[1024];
	ssize_t n;
	while ((n = read(fd[0], chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			buf_append(&text, chunk, (size_t)n);
	close(fd[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	while (text.len && (text.data[text.len - 1] == '\n' || text.data[text.len - 1] == '\r'))
		text.data[--text.len] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !text.len) {
		buf_printf(err, "Warp cannot be used by '%s': %s (run `make setup`, or pass --python PATH)", python,
			   text.len ? text.data : "it cannot import warp");
		buf_free(&text);
		return -1;
	}
	buf_append(out, text.data, text.len);
	buf_free(&text);
	return 0;
}

/* ---- NVRTC options (Warp's, warp/native/warp.cu) ---- */

static void add_opt(char ***v, int *n, const char *fmt, const char *arg)
{
	buf b = BUF_INIT;
	buf_printf(&b, fmt, arg);
	*v = xrealloc(*v, (size_t)(*n + 1) * sizeof **v);
	(*v)[(*n)++] = buf_detach(&b, NULL);
}

static int arch_number(const char *arch, char *out, size_t cap)
{
	const char *a = arch && *arch ? arch : "sm_90";
	if (!strncmp(a, "sm_", 3))
		a += 3;
	else if (!strncmp(a, "compute_", 8))
		a += 8;
	size_t n = strspn(a, "0123456789");
	if (n == 0 || n + 2 > cap || strspn(a + n, "af") != strlen(a + n) || strlen(a + n) > 1)
		return -1;
	snprintf(out, cap, "%s", a);
	return 0;
}

static char **nvrtc_options(chk_engine *e, const char *native, const char *arch, int slot, int pch,
			    int *nopts)
{
	char **v = NULL;
	int n = 0;
	int major, minor;
	nvrtc_version(e->nv, &major, &minor);
	add_opt(&v, &n, "--gpu-architecture=compute_%s", arch);
	add_opt(&v, &n, "--include-path=%s", native);
	if (pch) {
		buf d = BUF_INIT;
		buf_printf(&d, "%s/nvpch%d", e->tmp.path, slot);
		mkdir(buf_cstr(&d), 0700);
		add_opt(&v, &n, "%s", "-pch");
		add_opt(&v, &n, "--pch-dir=%s", buf_cstr(&d));
		add_opt(&v, &n, "%s", "--pch-messages=false");
		add_opt(&v, &n, "%s", "--pch-verbose=false");
		buf_free(&d);
	}
	add_opt(&v, &n, "%s", "--std=c++17");
	/* Warp's default for CUDA is optimization level 3 = --Ofast-compile=0
	 * (CUDA 12.9+); irrelevant to the front-end-only tier. */
	if (e->tier == CHK_COMPILE && (major > 12 || (major == 12 && minor >= 9)))
		add_opt(&v, &n, "%s", "--Ofast-compile=0");
	add_opt(&v, &n, "%s", "--define-macro=NDEBUG");
	add_opt(&v, &n, "%s", "--undefine-macro=WP_VERIFY_FP");
	/* MathDx (tile matmul/FFT) needs headers warp-lang does not ship. */
	add_opt(&v, &n, "%s", "--define-macro=WP_ENABLE_MATHDX=0");
	add_opt(&v, &n, "%s", "--fmad=true");
	add_opt(&v, &n, "%s", "--device-as-default-execution-space");
	add_opt(&v, &n, "%s", "--extra-device-vectorization");
	add_opt(&v, &n, "%s", "--restrict");
	add_opt(&v, &n, "%s", "--diag-suppress=177,550");
	add_opt(&v, &n, "%s", "--disable-warnings");
	if (e->tier == CHK_SYNTAX)
		add_opt(&v, &n, "%s", "--fdevice-syntax-only");
	*nopts = n;
	return v;
}

/* ---- compiling one set of items (with bisection) ---- */

static int compile_text(chk_engine *e, int dev, const char *src, size_t len, int slot, buf *log)
{
	double t0 = now_seconds();
	int rc;
	if (dev == DEV_CPU)
		rc = cxx_compile(e->cx, src, len, slot, log);
	else
		rc = nvrtc_compile(e->nv, src, NVRTC_NAME, (const char *const *)e->nv_opts[slot], e->nv_nopts,
				   log, NULL);
	double dt = now_seconds() - t0;
	pthread_mutex_lock(&e->mu);
	e->st.compiles[dev]++;
	e->st.seconds[dev] += dt;
	pthread_mutex_unlock(&e->mu);
	return rc;
}

static void set_result(chk_engine *e, item *it, int dev, int rc, const buf *log)
{
	free(it->diag[dev]);
	it->diag[dev] = NULL;
	if (rc == 0) {
		it->ok[dev] = 1;
		return;
	}
	buf tidy = BUF_INIT; /* the log with the long headers path shortened */
	const char *p = log->data ? log->data : "", *end = p + log->len;
	size_t pl = e->native_prefix ? strlen(e->native_prefix) : 0;
	while (p < end) {
		const char *hit = pl ? memmem(p, (size_t)(end - p), e->native_prefix, pl) : NULL;
		if (!hit) {
			buf_append(&tidy, p, (size_t)(end - p));
			break;
		}
		buf_append(&tidy, p, (size_t)(hit - p));
		buf_puts(&tidy, "warp/native/");
		p = hit + pl;
	}
	char *ex = diag_excerpt(buf_cstr(&tidy), tidy.len, e->diag_lines);
	buf_free(&tidy);
	if (rc < 0) {
		buf b = BUF_INIT;
		buf_printf(&b, "validator error: %s", ex);
		free(ex);
		ex = buf_detach(&b, NULL);
	}
	it->ok[dev] = rc > 0 ? 0 : -1;
	it->diag[dev] = ex;
	pthread_mutex_lock(&e->mu);
	if (rc > 0)
		e->st.failed[dev]++;
	else
		e->st.internal[dev]++;
	pthread_mutex_unlock(&e->mu);
}

static void check_set(chk_engine *e, int dev, item **v, size_t n, int slot)
{
	buf src = BUF_INIT, log = BUF_INIT;
	int rc;
	if (n == 1) {
		rc = compile_text(e, dev, v[0]->text[dev], v[0]->len[dev], slot, &log);
		set_result(e, v[0], dev, rc, &log);
		buf_free(&log);
		return;
	}
	buf_append(&src, v[0]->text[dev], v[0]->len[dev]);
	for (size_t i = 1; i <= n; i++) {
		buf_printf(&src, "\nnamespace jitsynth_sep_%zu {}\n", i);
		if (i < n)
			buf_append(&src, v[i]->text[dev] + v[i]->pro[dev], v[i]->len[dev] - v[i]->pro[dev]);
	}
	rc = compile_text(e, dev, src.data, src.len, slot, &log);
	buf_free(&src);
	buf_free(&log);
	if (rc == 0) {
		for (size_t i = 0; i < n; i++)
			set_result(e, v[i], dev, 0, NULL);
		return;
	}
	/* Bisect. A batch whose halves all pass failed only as a combination
	 * (e.g. the same kernel twice): its modules pass on their own. */
	size_t h = n / 2;
	check_set(e, dev, v, h, slot);
	check_set(e, dev, v + h, n - h, slot);
	int any_bad = 0;
	for (size_t i = 0; i < n; i++)
		any_bad |= v[i]->ok[dev] != 1;
	if (!any_bad) {
		pthread_mutex_lock(&e->mu);
		e->st.combined_only++;
		pthread_mutex_unlock(&e->mu);
	}
}

/* Groups a job's items by identical prologue, then checks each group. */
static void run_job(chk_engine *e, job *j, int slot)
{
	int dev = j->dev;
	item **grp = xmalloc(j->n * sizeof *grp);
	char *taken = xcalloc(j->n, 1);
	for (size_t i = 0; i < j->n; i++) {
		if (taken[i])
			continue;
		item *a = j->v[i];
		size_t g = 0;
		for (size_t k = i; k < j->n; k++) {
			item *b = j->v[k];
			if (taken[k] || b->pro[dev] != a->pro[dev] ||
			    memcmp(a->text[dev], b->text[dev], a->pro[dev]))
				continue;
			taken[k] = 1;
			grp[g++] = b;
		}
		check_set(e, dev, grp, g, slot);
	}
	free(taken);
	free(grp);
}

/* ---- queues (all under e->mu) ---- */

static void push_done(chk_engine *e, item *it)
{
	it->done_next = NULL;
	if (e->done_tail)
		e->done_tail->done_next = it;
	else
		e->done_head = it;
	e->done_tail = it;
	e->ndone++;
	uint64_t one = 1;
	ssize_t w = write(e->efd, &one, sizeof one);
	(void)w; /* only fails when the counter would overflow: still readable */
	pthread_cond_broadcast(&e->done_cv);
}

static void push_job(chk_engine *e, int dev)
{
	if (!e->npart[dev])
		return;
	job *j = xcalloc(1, sizeof *j);
	j->dev = dev;
	j->n = e->npart[dev];
	j->v = e->part[dev];
	e->part[dev] = NULL;
	e->npart[dev] = 0;
	e->part_bytes[dev] = 0;
	if (e->jq_tail)
		e->jq_tail->next = j;
	else
		e->jq_head = j;
	e->jq_tail = j;
	pthread_cond_signal(&e->job_cv);
}

static void free_item(item *it)
{
	for (int d = 0; d < NDEV; d++) {
		free(it->text[d]);
		free(it->diag[d]);
	}
	free(it);
}

typedef struct worker_arg {
	chk_engine *e;
	int slot;
} worker_arg;

static void *worker(void *arg)
{
	worker_arg *wa = arg;
	chk_engine *e = wa->e;
	int slot = wa->slot;
	free(wa);
	pthread_mutex_lock(&e->mu);
	for (;;) {
		while (!e->stop && !e->jq_head)
			pthread_cond_wait(&e->job_cv, &e->mu);
		if (e->stop)
			break;
		job *j = e->jq_head;
		e->jq_head = j->next;
		if (!e->jq_head)
			e->jq_tail = NULL;
		pthread_mutex_unlock(&e->mu);
		run_job(e, j, slot);
		pthread_mutex_lock(&e->mu);
		for (size_t i = 0; i < j->n; i++)
			if (--j->v[i]->pending == 0)
				push_done(e, j->v[i]);
		free(j->v);
		free(j);
	}
	pthread_mutex_unlock(&e->mu);
	return NULL;
}

/* Whether the precompiled headers fit in the temp dir's free space.
 * NVRTC maps its PCH file into memory and writes through the mapping, so
 * on a full file system it dies of SIGBUS (seen with CUDA 13.0): there is
 * no error to catch. Measured sizes: NVRTC ~72 MiB per thread's PCH dir,
 * g++ ~26 MiB; the budget below leaves room for the sources and logs. */
#define PCH_MIB_NVRTC 96
#define PCH_MIB_CXX 48
#define SCRATCH_MIB 64
static int pch_fits(chk_engine *e)
{
	uint64_t need = SCRATCH_MIB;
	if (e->devices & CHK_DEV_CUDA)
		need += (uint64_t)(e->nthreads + 1) * PCH_MIB_NVRTC;
	if (e->devices & CHK_DEV_CPU)
		need += PCH_MIB_CXX;
	uint64_t have = scratch_free_bytes(&e->tmp) >> 20;
	if (have >= need)
		return 1;
	const char *slash = strrchr(e->tmp.path, '/');
	int base = slash && slash != e->tmp.path ? (int)(slash - e->tmp.path) : 1;
	buf n = BUF_INIT;
	buf_printf(&n,
		   "only %llu MiB free in %.*s (precompiled headers need %llu): validating without them, "
		   "which is slower; free some space or point TMPDIR elsewhere",
		   (unsigned long long)have, base, e->tmp.path, (unsigned long long)need);
	e->note = buf_detach(&n, NULL);
	return 0;
}

/* ---- public API ---- */

const char *chk_note(const chk_engine *e)
{
	return e ? e->note : NULL;
}

chk_engine *chk_create(const chk_options *opt, buf *err)
{
	chk_engine *e = xcalloc(1, sizeof *e);
	e->tier = opt->tier;
	e->devices = opt->devices ? opt->devices : (CHK_DEV_CPU | CHK_DEV_CUDA);
	e->batch = opt->batch > 0 ? opt->batch : 16;
	e->batch_bytes = opt->batch_bytes ? opt->batch_bytes : (size_t)1 << 20;
	e->nthreads = opt->threads > 0 ? opt->threads : 1;
	e->diag_lines = opt->diag_lines > 0 ? opt->diag_lines : 12;
	e->live.next = e->live.prev = &e->live;
	e->efd = -1;
	pthread_mutex_init(&e->mu, NULL);
	pthread_mutex_init(&e->sync_mu, NULL);
	pthread_cond_init(&e->job_cv, NULL);
	pthread_cond_init(&e->done_cv, NULL);
	e->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (e->efd < 0) {
		buf_printf(err, "validation: eventfd: %s", strerror(errno));
		chk_free(e);
		return NULL;
	}
	if (e->tier == CHK_NONE)
		return e;

	char arch[16];
	if (!opt->native_dir || !*opt->native_dir) {
		buf_puts(err,
			 "validation needs the warp/native headers directory of the installed warp-lang");
		goto fail;
	}
	if ((e->devices & CHK_DEV_CUDA) && arch_number(opt->arch, arch, sizeof arch) != 0) {
		buf_printf(err, "bad --arch '%s': expected e.g. sm_90, compute_90 or 90", opt->arch);
		goto fail;
	}
	buf np = BUF_INIT;
	buf_printf(&np, "%s/", opt->native_dir);
	e->native_prefix = buf_detach(&np, NULL);
	struct stat sb;
	buf hdr = BUF_INIT;
	buf_printf(&hdr, "%s/builtin.h", opt->native_dir);
	int have = stat(buf_cstr(&hdr), &sb) == 0;
	buf_free(&hdr);
	if (!have) {
		buf_printf(err, "no Warp headers in %s (builtin.h missing): is warp-lang installed?",
			   opt->native_dir);
		goto fail;
	}
	if (e->devices & CHK_DEV_CUDA) {
		e->nv = nvrtc_load(err);
		if (!e->nv)
			goto fail;
	}
	if (scratch_open(&e->tmp, err) < 0)
		goto fail;
	int pch = !opt->no_pch && pch_fits(e);
	if (e->devices & CHK_DEV_CPU) {
		cxx_config cc = {.cxx = opt->cxx,
				 .native_dir = opt->native_dir,
				 .tmpdir = e->tmp.path,
				 .object = e->tier == CHK_COMPILE,
				 .pch = pch};
		e->cx = cxx_create(&cc, err);
		if (!e->cx)
			goto fail;
		e->st.cxx_pch = cxx_pch_active(e->cx);
		e->st.cxx_pch_seconds = cxx_pch_seconds(e->cx);
	}
	if (e->nv) {
		/* one option vector per worker plus one for chk_check_one */
		e->nv_opts = xcalloc((size_t)e->nthreads + 1, sizeof *e->nv_opts);
		for (int s = 0; s <= e->nthreads; s++)
			e->nv_opts[s] = nvrtc_options(e, opt->native_dir, arch, s, pch, &e->nv_nopts);
	}
	e->th = xcalloc((size_t)e->nthreads, sizeof *e->th);
	/* The threads block every signal (the mask is inherited), so SIGINT and
	 * friends reach the pipeline's own thread, never a compiling one. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (int s = 0; s < e->nthreads; s++) {
		worker_arg *wa = xmalloc(sizeof *wa);
		wa->e = e;
		wa->slot = s;
		int rc = pthread_create(&e->th[s], NULL, worker, wa);
		if (rc != 0) {
			free(wa);
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			buf_printf(err, "validation: cannot start a thread: %s", strerror(rc));
			goto fail;
		}
		e->nth_started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return e;
fail:
	chk_free(e);
	return NULL;
}

static item *make_item(chk_engine *e, const chk_item *it)
{
	item *x = xcalloc(1, sizeof *x);
	x->index = it->index;
	const char *t[NDEV] = {it->cpu, it->cuda};
	size_t l[NDEV] = {it->cpu_len, it->cuda_len};
	unsigned mask[NDEV] = {CHK_DEV_CPU, CHK_DEV_CUDA};
	for (int d = 0; d < NDEV; d++) {
		x->ok[d] = -1;
		if (e->tier == CHK_NONE || !t[d] || !(e->devices & mask[d]))
			continue;
		x->text[d] = xstrndup(t[d], l[d]);
		x->len[d] = l[d];
		x->pro[d] = chk_prologue_len(t[d], l[d]);
	}
	return x;
}

void chk_submit(chk_engine *e, const chk_item *it)
{
	item *x = make_item(e, it);
	pthread_mutex_lock(&e->mu);
	x->next = &e->live;
	x->prev = e->live.prev;
	e->live.prev->next = x;
	e->live.prev = x;
	e->outstanding++;
	for (int d = 0; d < NDEV; d++) {
		if (!x->text[d])
			continue;
		e->st.kernels[d]++;
		x->pending++;
		e->part[d] = xrealloc(e->part[d], (e->npart[d] + 1) * sizeof *e->part[d]);
		e->part[d][e->npart[d]++] = x;
		e->part_bytes[d] += x->len[d];
		if (e->npart[d] >= (size_t)e->batch || e->part_bytes[d] >= e->batch_bytes)
			push_job(e, d);
	}
	if (!x->pending)
		push_done(e, x);
	pthread_mutex_unlock(&e->mu);
}

void chk_flush(chk_engine *e)
{
	pthread_mutex_lock(&e->mu);
	for (int d = 0; d < NDEV; d++)
		push_job(e, d);
	pthread_mutex_unlock(&e->mu);
}

/* Moves a done item into *out and frees it; called under e->mu. */
static void hand_out(chk_engine *e, chk_result *out)
{
	item *x = e->done_head;
	e->done_head = x->done_next;
	if (!e->done_head) {
		e->done_tail = NULL;
		uint64_t v;
		ssize_t r = read(e->efd, &v, sizeof v); /* drain: no longer readable */
		(void)r;
	}
	e->ndone--;
	e->outstanding--;
	x->prev->next = x->next;
	x->next->prev = x->prev;
	out->index = x->index;
	out->cpu_ok = x->ok[DEV_CPU];
	out->cuda_ok = x->ok[DEV_CUDA];
	out->cpu_diag = x->diag[DEV_CPU];
	out->cuda_diag = x->diag[DEV_CUDA];
	x->diag[DEV_CPU] = x->diag[DEV_CUDA] = NULL;
	free_item(x);
}

int chk_poll(chk_engine *e, chk_result *out)
{
	pthread_mutex_lock(&e->mu);
	int got = e->done_head != NULL;
	if (got)
		hand_out(e, out);
	pthread_mutex_unlock(&e->mu);
	return got;
}

int chk_wait(chk_engine *e, chk_result *out)
{
	pthread_mutex_lock(&e->mu);
	for (;;) {
		if (e->done_head) {
			hand_out(e, out);
			pthread_mutex_unlock(&e->mu);
			return 1;
		}
		if (!e->outstanding) {
			pthread_mutex_unlock(&e->mu);
			return 0;
		}
		/* Nothing done: make sure what waits in a partial batch gets going. */
		for (int d = 0; d < NDEV; d++)
			push_job(e, d);
		pthread_cond_wait(&e->done_cv, &e->mu);
	}
}

size_t chk_outstanding(chk_engine *e)
{
	pthread_mutex_lock(&e->mu);
	size_t n = e->outstanding;
	pthread_mutex_unlock(&e->mu);
	return n;
}

int chk_fd(chk_engine *e)
{
	return e->efd;
}

int chk_check_one(chk_engine *e, const chk_item *it, chk_result *out)
{
	item *x = make_item(e, it);
	pthread_mutex_lock(&e->sync_mu);
	for (int d = 0; d < NDEV; d++) {
		if (!x->text[d])
			continue;
		pthread_mutex_lock(&e->mu);
		e->st.kernels[d]++;
		pthread_mutex_unlock(&e->mu);
		check_set(e, d, &x, 1, e->nthreads);
	}
	pthread_mutex_unlock(&e->sync_mu);
	out->index = x->index;
	out->cpu_ok = x->ok[DEV_CPU];
	out->cuda_ok = x->ok[DEV_CUDA];
	out->cpu_diag = x->diag[DEV_CPU];
	out->cuda_diag = x->diag[DEV_CUDA];
	x->diag[DEV_CPU] = x->diag[DEV_CUDA] = NULL;
	free_item(x);
	return out->cpu_ok != 0 && out->cuda_ok != 0;
}

void chk_stats_get(chk_engine *e, chk_stats *out)
{
	pthread_mutex_lock(&e->mu);
	*out = e->st;
	pthread_mutex_unlock(&e->mu);
}

void chk_free(chk_engine *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&e->mu);
	e->stop = 1;
	pthread_cond_broadcast(&e->job_cv);
	pthread_mutex_unlock(&e->mu);
	for (int s = 0; s < e->nth_started; s++)
		pthread_join(e->th[s], NULL);
	free(e->th);
	while (e->jq_head) {
		job *j = e->jq_head;
		e->jq_head = j->next;
		free(j->v);
		free(j);
	}
	for (int d = 0; d < NDEV; d++)
		free(e->part[d]);
	while (e->live.next != &e->live) {
		item *x = e->live.next;
		x->prev->next = x->next;
		x->next->prev = x->prev;
		free_item(x);
	}
	if (e->nv_opts) {
		for (int s = 0; s <= e->nthreads; s++) {
			for (int i = 0; i < e->nv_nopts; i++)
				free(e->nv_opts[s][i]);
			free(e->nv_opts[s]);
		}
		free(e->nv_opts);
	}
	cxx_free(e->cx);
	nvrtc_unload(e->nv);
	scratch_close(&e->tmp);
	free(e->note);
	free(e->native_prefix);
	if (e->efd >= 0)
		close(e->efd);
	pthread_mutex_destroy(&e->mu);
	pthread_mutex_destroy(&e->sync_mu);
	pthread_cond_destroy(&e->job_cv);
	pthread_cond_destroy(&e->done_cv);
	free(e);
}

void chk_result_free(chk_result *r)
{
	if (!r)
		return;
	free(r->cpu_diag);
	free(r->cuda_diag);
	r->cpu_diag = r->cuda_diag = NULL;
}

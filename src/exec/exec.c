/* exec: the parent side of the run tier (see exec.h): screens and groups a
 * batch, builds its shared object, and drives runner children through it,
 * naming the kernel that ends one and starting the next after it. */
#include "exec/exec.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/rng.h"
#include "common/util.h"
#include "exec/exec_int.h"
#include "exec/sig.h"
#include "validate/child.h"
#include "validate/chk.h"
#include "validate/cxx.h"

/* An address-space limit cannot apply to a runner built with
 * AddressSanitizer, which reserves terabytes of shadow memory at start
 * (as for the NVRTC servers, validate/nvserver.c). */
#if defined(__SANITIZE_ADDRESS__)
#define RUNNER_AS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RUNNER_AS 0
#endif
#endif
#ifndef RUNNER_AS
#define RUNNER_AS 1
#endif

struct exec_tool {
	cxx_tool *cx;
	char *self, *warp_so, *dir;
	unsigned mem_mib, cpu_s, wall_s;
	int values;
	int cuda;
	char *native_dir;
	pthread_mutex_t mu; /* st and seq: exec_batch may run on several threads */
	exec_stats st;
	unsigned seq;
};

uint64_t exec_inputs_seed(uint64_t seed, uint64_t index)
{
	uint64_t x = seed ^ 0x243f6a8885a308d3ULL;
	x = rng_splitmix64(&x) ^ index;
	return rng_splitmix64(&x);
}

exec_tool *exec_create(const exec_options *o, buf *err)
{
	buf so = BUF_INIT;
	buf_printf(&so, "%s/../bin/warp.so", o->native_dir);
	if (!o->cuda && access(buf_cstr(&so), R_OK) != 0) {
		buf_printf(err, "warp.so not found at %s: reinstall warp-lang (make setup) or use --validate compile",
			   buf_cstr(&so));
		buf_free(&so);
		return NULL;
	}
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0) {
		buf_printf(err, "cannot find this program (/proc/self/exe) to run kernels in");
		buf_free(&so);
		return NULL;
	}
	self[n] = '\0';
	cxx_tool *cx = NULL;
	if (!o->cuda) { /* the CUDA runner builds with NVRTC, in itself */
		cxx_config cc = {.cxx = o->cxx ? o->cxx : cxx_run_default(),
				 .native_dir = o->native_dir,
				 .tmpdir = o->scratch,
				 .object = 2,
				 .pch = 1};
		cx = cxx_create(&cc, err);
		if (!cx) {
			buf_free(&so);
			return NULL;
		}
	}
	exec_tool *t = xcalloc(1, sizeof *t);
	pthread_mutex_init(&t->mu, NULL);
	t->cx = cx;
	t->self = xstrdup(self);
	t->warp_so = buf_detach(&so, NULL);
	t->dir = xstrdup(o->scratch);
	t->values = o->values;
	t->cuda = o->cuda;
	t->native_dir = xstrdup(o->native_dir);
	t->mem_mib = o->mem_mib ? o->mem_mib : EXEC_MEM_MIB;
	t->cpu_s = o->cpu_s ? o->cpu_s : EXEC_CPU_SECONDS;
	t->wall_s = o->kernel_wall_s ? o->kernel_wall_s : EXEC_KERNEL_WALL;
	/* Test hook: a shorter wall-clock limit per kernel, so a planted endless
	 * loop costs the suite a second, not ten. */
	const char *hook = getenv("JITSYNTH_TEST_EXEC_WALL");
	if (hook && atoi(hook) > 0)
		t->wall_s = (unsigned)atoi(hook);
	return t;
}

void exec_free(exec_tool *t)
{
	if (!t)
		return;
	if (t->cx)
		cxx_free(t->cx);
	pthread_mutex_destroy(&t->mu);
	free(t->self);
	free(t->warp_so);
	free(t->dir);
	free(t->native_dir);
	free(t);
}

void exec_stats_get(exec_tool *t, exec_stats *out)
{
	pthread_mutex_lock(&t->mu);
	*out = t->st;
	pthread_mutex_unlock(&t->mu);
}

static void count(exec_tool *t, uint64_t *field, double *secs, double dt)
{
	pthread_mutex_lock(&t->mu);
	if (field)
		(*field)++;
	if (secs)
		*secs += dt;
	pthread_mutex_unlock(&t->mu);
}

int exec_runner(int argc, char **argv) { return exec_runner_main(argc, argv); }

static char *not_run(const char *cls, const char *reason)
{
	buf b = BUF_INIT;
	exec_json_not_run(&b, cls, reason);
	return buf_detach(&b, NULL);
}

/* The compiler's first "error:" line (else its first line). */
static void first_line(buf *dst, const char *s)
{
	const char *e = strstr(s, "error:");
	if (e) {
		while (e > s && e[-1] != '\n')
			e--;
		s = e;
	}
	size_t n = strcspn(s, "\n");
	buf_append(dst, s, n > 300 ? 300 : n);
}

/* ---- the runner children ---- */

static const char *sig_name(int s)
{
	switch (s) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGFPE: return "SIGFPE";
	case SIGILL: return "SIGILL";
	case SIGABRT: return "SIGABRT";
	case SIGTRAP: return "SIGTRAP";
	case SIGSYS: return "SIGSYS: a system call the run tier's sandbox does not allow";
	default: return "a signal";
	}
}

/* One runner over v[from..n) of a built batch; fills json[] as results
 * come. Returns the index the runner ended on without a result (the
 * kernel to blame, json filled), n when it finished, or -1 with err. */
static long run_from(exec_tool *t, const char *so, const char *spec, size_t n, size_t from, char **json, buf *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0) {
		buf_printf(err, "cannot run kernels: pipe: %s", strerror(errno));
		return -1;
	}
	char fromarg[48];
	snprintf(fromarg, sizeof fromarg, "%zu%s", from, t->values ? ":values" : "");
	unsigned cpu_s = t->cpu_s * (unsigned)((n - from + 15) / 16); /* per 16 kernels left */
	char *argv[] = {t->self, EXEC_RUNNER_COMMAND, (char *)so, t->warp_so, (char *)spec, fromarg, NULL};
	if (t->cuda) { /* so: unused; the CUDA runner compiles with NVRTC */
		argv[2] = "--cuda";
		argv[3] = t->native_dir;
	}
	extern char **environ;
	char **envp = environ, *asan = NULL;
	size_t ne = 0;
	if (!RUNNER_AS) { /* a kernel's crash must kill the runner by its signal, as without ASan */
		while (environ[ne])
			ne++;
		envp = xcalloc(ne + 2, sizeof *envp);
		size_t k = 0;
		const char *old = getenv("ASAN_OPTIONS");
		for (size_t i = 0; i < ne; i++)
			if (strncmp(environ[i], "ASAN_OPTIONS=", 13) != 0)
				envp[k++] = environ[i];
		buf a = BUF_INIT;
		buf_printf(&a, "ASAN_OPTIONS=%s%shandle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0",
			   old ? old : "", old && *old ? ":" : "");
		asan = buf_detach(&a, NULL);
		envp[k++] = asan;
	}
	/* the running binary's own inode, even when a rebuild replaced the file */
	child_spec sp = {.path = "/proc/self/exe",
			 .argv = argv,
			 .envp = envp,
			 .fd = {-1, p[1], -1},
			 /* the CUDA driver reserves tens of GiB of addresses */
			 .as_bytes = RUNNER_AS && !t->cuda ? (uint64_t)t->mem_mib << 20 : 0,
			 .cpu_s = cpu_s,
			 .file_bytes = 1 << 20};
	buf why = BUF_INIT;
	pid_t pid = child_spawn(&sp, &why);
	if (envp != environ) {
		free(asan);
		free(envp);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		buf_printf(err, "cannot start a kernel runner: %s", buf_cstr(&why));
		buf_free(&why);
		return -1;
	}
	count(t, &t->st.runners, NULL, 0);
	buf acc = BUF_INIT;
	long cur = -1;
	int timed_out = 0, eof = 0;
	double deadline = now_seconds() + t->wall_s + 5; /* loading warp.so and the batch */
	while (!eof) {
		double left = deadline - now_seconds();
		if (left <= 0) {
			timed_out = 1;
			break;
		}
		struct pollfd pf = {.fd = p[0], .events = POLLIN};
		int pr = poll(&pf, 1, (int)(left * 1000) + 1);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0)
			continue;
		char tmp[65536];
		ssize_t r = read(p[0], tmp, sizeof tmp);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			eof = 1;
			break;
		}
		buf_append(&acc, tmp, (size_t)r);
		char *ls = acc.data, *nl;
		while ((nl = memchr(ls, '\n', acc.len - (size_t)(ls - acc.data)))) {
			*nl = '\0';
			unsigned long long k;
			int used = 0;
			if (sscanf(ls, "S %llu%n", &k, &used) == 1 && k < n) {
				cur = (long)k;
				deadline = now_seconds() + t->wall_s;
			} else if (sscanf(ls, "R %llu %n", &k, &used) == 1 && used && k < n && (long)k == cur) {
				json_error_t je;
				json_t *o = json_loads(ls + used, 0, &je);
				free(json[k]);
				json[k] = o ? xstrdup(ls + used) : not_run("runner", "the runner's result was not JSON");
				json_decref(o);
				cur = -1;
			} else if (ls[0] == 'E' && !buf_cstr(&why)[0]) {
				buf_puts(&why, ls + 2);
			}
			ls = nl + 1;
		}
		size_t rest = acc.len - (size_t)(ls - acc.data);
		memmove(acc.data, ls, rest);
		acc.len = rest;
	}
	close(p[0]);
	child_end end;
	if (timed_out)
		child_kill(pid, &end);
	else
		child_wait(pid, now_seconds() + 5, &end);
	buf_free(&acc);
	long ret = (long)n;
	if (cur >= 0) {
		buf r = BUF_INIT;
		const char *cls = "crash";
		if (timed_out) {
			cls = "time";
			buf_printf(&r, "ran past the %u s wall-clock limit (an endless loop?)", t->wall_s);
		} else if (WIFSIGNALED(end.status) &&
			   (WTERMSIG(end.status) == SIGXCPU || (WTERMSIG(end.status) == SIGKILL && end.cpu_s >= cpu_s))) {
			cls = "time";
			buf_printf(&r, "exceeded the runner's CPU limit (%u s)", cpu_s);
		} else if (WIFEXITED(end.status) && WEXITSTATUS(end.status) == EXEC_EXIT_GPU_FAULT) {
			cls = "fault";
			buf_puts(&r, "faulted on the GPU (an illegal address or a trap); the runner starts over after it");
		} else if (WIFSIGNALED(end.status)) {
			if (WTERMSIG(end.status) == SIGSYS)
				cls = "sandbox";
			buf_printf(&r, "crashed with %s (signal %d)", sig_name(WTERMSIG(end.status)), WTERMSIG(end.status));
		} else {
			buf_printf(&r, "the runner exited with status %d during the kernel (out of memory?)",
				   WIFEXITED(end.status) ? WEXITSTATUS(end.status) : -1);
		}
		free(json[cur]);
		json[cur] = not_run(cls, buf_cstr(&r));
		buf_free(&r);
		ret = cur;
	} else {
		for (size_t i = from; i < n; i++)
			if (!json[i]) {
				if (timed_out || !WIFEXITED(end.status) || WEXITSTATUS(end.status) != 0 || why.len) {
					buf_printf(err, "the kernel runner failed before kernel %zu: %s", i,
						   why.len ? buf_cstr(&why) : "it ended without results");
					ret = -1;
				} else {
					json[i] = not_run("runner", "the runner ended without a result");
				}
				break;
			}
	}
	buf_free(&why);
	return ret;
}

/* Runners over the spec's m kernels until every one has its result (a
 * runner that ends on a kernel blames it and the next starts after it);
 * the results go to json[idx[i]]. 0, or -1 with err (nothing handed over). */
static int run_spec(exec_tool *t, const char *so, const char *specp, const size_t *idx, size_t m, char **json,
		    buf *err)
{
	char **sub = xcalloc(m, sizeof *sub);
	double t1 = now_seconds();
	int rc = 0;
	for (size_t from = 0; from < m && rc == 0;) {
		long e = run_from(t, so, specp, m, from, sub, err);
		if (e < 0)
			rc = -1;
		else
			from = (size_t)e + 1;
	}
	count(t, NULL, &t->st.run_s, now_seconds() - t1);
	for (size_t i = 0; i < m; i++) {
		if (rc == 0)
			json[idx[i]] = sub[i];
		else
			free(sub[i]);
	}
	free(sub);
	return rc;
}

/* ---- building (the batch's own text: tu.c) ---- */

static int write_all(const char *path, const char *d, size_t n)
{
	FILE *f = fopen(path, "wbe");
	if (!f)
		return -1;
	size_t w = fwrite(d, 1, n, f);
	return (fclose(f) != 0 || w != n) ? -1 : 0;
}

/* The item's kernel name when it is a plain identifier (it travels in the
 * runners' spec), else NULL: the module's first kernel. */
static const char *item_kernel(const exec_item *it)
{
	const char *k = it->kernel;
	if (!k || !*k || strlen(k) > 200)
		return NULL;
	for (const char *c = k; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_')
			return NULL;
	return k;
}

/* Builds and runs the kernels idx[0..m) (all with the same prologue) as one
 * shared object; a batch that does not build is split in halves. With
 * `lean`, a kernel that will get no adjoint check is built without its
 * backward entry point; one that then does not build alone is built again
 * as it is, so the cut can only save time, never change a verdict. */
static int run_group(exec_tool *t, const exec_item *v, const sig *sg, const size_t *idx, size_t m, int lean,
		     char **json, buf *err)
{
	buf tu = BUF_INIT, log = BUF_INIT, so = BUF_INIT, spec = BUF_INIT, specp = BUF_INIT;
	const sig **ss = xcalloc(m, sizeof *ss);
	size_t *ns = xcalloc(m, sizeof *ns);
	int rc = 0;
	size_t nu = 0, first = 1, ncut = 0;
	for (size_t i = 0; i < m; i++) {
		const exec_item *it = &v[idx[i]];
		const char *kn = item_kernel(it);
		int pk = t->values && it->perturb > 0 ? it->perturb : 0;
		buf_printf(&spec, "K %llu %d %zu %s\n", (unsigned long long)it->seed, pk, it->len, kn ? kn : "-");
		buf_append(&spec, it->text, it->len);
		/* every kernel its layout row, once */
		int seen = 0;
		for (size_t k = 0; k < nu && !seen; k++)
			seen = !strcmp(ss[k]->entry, sg[idx[i]].entry);
		if (!seen) {
			ns[nu] = i;
			ss[nu++] = &sg[idx[i]];
		}
		/* one module is built once: run on several input sets (eval), or
		 * the module of several records (an ingested file's kernels) */
		int dup = 0;
		for (size_t j = 0; j < i && !dup; j++)
			dup = v[idx[j]].len == it->len &&
			      (v[idx[j]].text == it->text || !memcmp(v[idx[j]].text, it->text, it->len));
		if (dup)
			continue;
		/* the prologue once, then each module's body in a namespace of its
		 * own: Warp names a @wp.func helper alike in every module that
		 * calls it (norm_l2_0), so bodies must not share a scope */
		size_t pro = chk_prologue_len(it->text, it->len);
		if (first)
			buf_append(&tu, it->text, pro);
		first = 0;
		buf_printf(&tu, "\nnamespace jitsynth_mod_%zu {\n", i);
		/* no adjoint check to come (eval's values, or a kernel whose
		 * gradient its signature rules out): no backward to build */
		const char *cls;
		char why[160];
		if (lean && (t->values || exec_grad_static(&sg[idx[i]], &cls, why, sizeof why)) &&
		    exec_tu_without_backward(it->text + pro, it->len - pro, sg[idx[i]].entry, &tu) == 0)
			ncut++;
		else
			buf_append(&tu, it->text + pro, it->len - pro);
		buf_printf(&tu, "\n} // namespace jitsynth_mod_%zu\n", i);
	}
	exec_tu_shim(&tu, ss, ns, nu);
	pthread_mutex_lock(&t->mu);
	unsigned q = t->seq++;
	pthread_mutex_unlock(&t->mu);
	buf_printf(&so, "%s/run%u.so", t->dir, q);
	buf_printf(&specp, "%s/run%u.spec", t->dir, q);
	double t0 = now_seconds();
	int b = cxx_build_so(t->cx, tu.data, tu.len, 1000 + (int)(q % 1000), buf_cstr(&so), &log);
	count(t, &t->st.builds, &t->st.build_s, now_seconds() - t0);
	if (b < 0) {
		buf_printf(err, "the C++ compiler could not be run for the run tier: %.*s", (int)strcspn(buf_cstr(&log), "\n"),
			   buf_cstr(&log));
		rc = -1;
	} else if (b != 0 && m > 1) {
		size_t h = m / 2;
		rc = run_group(t, v, sg, idx, h, lean, json, err);
		if (rc == 0)
			rc = run_group(t, v, sg, idx + h, m - h, lean, json, err);
	} else if (b != 0 && ncut) {
		rc = run_group(t, v, sg, idx, m, 0, json, err);
	} else if (b != 0) {
		buf r = BUF_INIT;
		buf_puts(&r, "does not build as a shared object: ");
		first_line(&r, log.len ? buf_cstr(&log) : "no diagnostic");
		json[idx[0]] = not_run("build", buf_cstr(&r));
		buf_free(&r);
	} else if (write_all(buf_cstr(&specp), spec.data, spec.len) != 0) {
		buf_printf(err, "cannot write %s: %s (free some space or point TMPDIR elsewhere)", buf_cstr(&specp),
			   strerror(errno));
		rc = -1;
	} else {
		rc = run_spec(t, buf_cstr(&so), buf_cstr(&specp), idx, m, json, err);
	}
	unlink(buf_cstr(&so));
	unlink(buf_cstr(&specp));
	free(ss);
	free(ns);
	buf_free(&tu);
	buf_free(&log);
	buf_free(&so);
	buf_free(&spec);
	buf_free(&specp);
	return rc;
}

/* The CUDA side (exec_options.cuda): kernels idx[0..m) in one runner's
 * spec, with both modules each; nothing to build here. */
static int run_cuda_group(exec_tool *t, const exec_item *v, const size_t *idx, size_t m, char **json, buf *err)
{
	buf spec = BUF_INIT, specp = BUF_INIT;
	for (size_t i = 0; i < m; i++) {
		const exec_item *it = &v[idx[i]];
		const char *kn = item_kernel(it);
		buf_printf(&spec, "K %llu %zu %zu %s\n", (unsigned long long)it->seed, it->len, it->cuda_len,
			   kn ? kn : "-");
		buf_append(&spec, it->text, it->len);
		buf_append(&spec, it->cuda_text, it->cuda_len);
	}
	pthread_mutex_lock(&t->mu);
	unsigned q = t->seq++;
	pthread_mutex_unlock(&t->mu);
	buf_printf(&specp, "%s/cuda%u.spec", t->dir, q);
	int rc = 0;
	if (write_all(buf_cstr(&specp), spec.data, spec.len) != 0) {
		buf_printf(err, "cannot write %s: %s (free some space or point TMPDIR elsewhere)", buf_cstr(&specp),
			   strerror(errno));
		rc = -1;
	} else {
		rc = run_spec(t, "", buf_cstr(&specp), idx, m, json, err);
	}
	unlink(buf_cstr(&specp));
	buf_free(&spec);
	buf_free(&specp);
	return rc;
}

int exec_batch(exec_tool *t, const exec_item *v, size_t n, char **json, buf *err)
{
	sig *sg = xcalloc(n ? n : 1, sizeof *sg);
	size_t *idx = xcalloc(n ? n : 1, sizeof *idx);
	int *todo = xcalloc(n ? n : 1, sizeof *todo);
	count(t, &t->st.batches, NULL, 0);
	pthread_mutex_lock(&t->mu);
	t->st.kernels += n;
	pthread_mutex_unlock(&t->mu);
	for (size_t i = 0; i < n; i++) {
		json[i] = NULL;
		buf why = BUF_INIT;
		if (chk_screen(v[i].text, v[i].len, &why) ||
		    (t->cuda && chk_screen(v[i].cuda_text, v[i].cuda_len, &why))) {
			json[i] = not_run("refused", buf_cstr(&why));
		} else if (exec_has_asm(v[i].text, v[i].len)) {
			json[i] = not_run("refused", "the module holds inline assembly, which the run tier does not assemble");
		} else if (sig_parse_for(v[i].text, v[i].len, item_kernel(&v[i]), &sg[i], &why) < 0) {
			json[i] = not_run("signature", buf_cstr(&why));
		} else if (sg[i].unsupported) {
			json[i] = not_run("geometry", sg[i].unsupported);
		} else {
			todo[i] = 1;
		}
		buf_free(&why);
	}
	int rc = 0;
	if (t->cuda) {
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (todo[i])
				idx[m++] = i, todo[i] = 0;
		if (m)
			rc = run_cuda_group(t, v, idx, m, json, err);
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (!todo[i])
			continue;
		size_t pl = chk_prologue_len(v[i].text, v[i].len), m = 0;
		for (size_t j = i; j < n; j++)
			if (todo[j] && chk_prologue_len(v[j].text, v[j].len) == pl && !memcmp(v[i].text, v[j].text, pl)) {
				idx[m++] = j;
				todo[j] = 0;
			}
		rc = run_group(t, v, sg, idx, m, 1, json, err);
	}
	for (size_t i = 0; i < n; i++) {
		sig_free(&sg[i]);
		if (rc != 0) {
			free(json[i]);
			json[i] = NULL;
		}
	}
	free(sg);
	free(idx);
	free(todo);
	return rc;
}

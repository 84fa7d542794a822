/* cxx: host C++ compiler subprocesses; see cxx.h. */
#include "validate/cxx.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/util.h"
#include "validate/child.h"
#include "validate/flags.h"
#include "validate/pch_warm.h"
#include "validate/pchcache.h"

extern char **environ;

/* clang builds Warp's float16 (builtin.h's _Float16 branch) on x86-64 from
 * version 15 on. */
#if defined(__x86_64__) || defined(__i386__)
#define CLANG_MIN 15
#else
#define CLANG_MIN 0
#endif

/* How every Warp CPU module without bfloat16 and with the default block
 * size starts (warp/_src/context.py's type defines, codegen.py's
 * cpu_module_header): the macro environment the PCH is built in. GCC checks
 * a module's environment against its PCH by itself; clang's -include-pch
 * does not, so only a text that starts with exactly this gets it. */
static const char pch_prologue[] =
    "#define WP_NO_BFLOAT16\n\n#define WP_TILE_BLOCK_DIM 256\n#define WP_NO_CRT\n#include \"builtin.h\"\n";

/* The longest argv used, including the terminating NULL. */
#define CXX_MAX_ARGS 40

struct cxx_tool {
	char *path;
	char *native_dir;
	char *tmpdir;
	char *pch_dir; /* NULL when no PCH */
	char *pch_file; /* pch_dir/builtin.h.gch, for clang's -include-pch */
	char *warm_lib; /* the warm PCH's code (pch_dir/libjswarm.so, real path), or NULL */
	const char *warm; /* its instantiations (cxx_config's warm); "" when no warm PCH is tried */
	int clang;	/* clang's major version; 0 for GCC */
	int object;
	chk_limits lim;
	double pch_seconds; /* 0 when it came from the cache */
	int pch_cached;	    /* pch_dir is an entry of the cache between runs (pchcache.h) */
	char **envp; /* environ + LC_ALL=C, so diagnostics are plain ASCII */
	size_t nenv;
};

static char *find_in_path(const char *name)
{
	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? xstrdup(name) : NULL;
	const char *p = getenv("PATH");
	if (!p || !*p)
		p = "/usr/local/bin:/usr/bin:/bin";
	buf cand = BUF_INIT;
	while (*p) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		buf_reset(&cand);
		if (n)
			buf_append(&cand, p, n);
		else
			buf_putc(&cand, '.');
		buf_printf(&cand, "/%s", name);
		struct stat st;
		if (stat(buf_cstr(&cand), &st) == 0 && S_ISREG(st.st_mode) &&
		    access(buf_cstr(&cand), X_OK) == 0)
			return buf_detach(&cand, NULL);
		p += n;
		if (*p == ':')
			p++;
	}
	buf_free(&cand);
	return NULL;
}

/* Runs argv under the limits, stdin from in_fd (-1: /dev/null), stdout and stderr
 * (capped) appended to out; *end says how it ended. Returns 0, or -1 (with
 * a reason in log) when it could not be started. */
static int run_in(const cxx_tool *t, const char *const *argv, int in_fd, buf *out, child_end *end, buf *log)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0) {
		buf_printf(log, "cannot run %s: pipe: %s\n", t->path, strerror(errno));
		return -1;
	}
	child_spec sp = {.path = t->path,
			 .argv = (char *const *)argv,
			 .envp = t->envp,
			 .fd = {in_fd, p[1], p[1]},
			 .as_bytes = (uint64_t)t->lim.mem_mib << 20,
			 .cpu_s = t->lim.cpu_s,
			 .file_bytes = (uint64_t)t->lim.file_mib << 20};
	buf why = BUF_INIT;
	pid_t pid = child_spawn(&sp, &why);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		buf_printf(log, "%s\n", buf_cstr(&why));
		buf_free(&why);
		return -1;
	}
	double deadline = now_seconds() + t->lim.wall_s;
	int dr = child_drain(p[0], deadline, (size_t)CHK_LOG_KIB << 10, out);
	close(p[0]);
	if (dr == 1) {
		child_kill(pid, end);
		end->timed_out = 1;
	} else {
		child_wait(pid, deadline, end);
	}
	return 0;
}

static int run(const cxx_tool *t, const char *const *argv, buf *out, child_end *end, buf *log)
{
	return run_in(t, argv, -1, out, end, log);
}

static int has(const buf *out, const char *s)
{
	return out->len && memmem(out->data, out->len, s, strlen(s)) != NULL;
}

/* The verdict on a compilation that ended as *end with output out: 0
 * compiled, 1 rejected, 2 one of our limits stopped it, -1 something else
 * did (a kill from outside, such as the OOM killer's). log says why for 2
 * and -1. The driver reports a killed cc1plus in its output ("Killed signal
 * terminated program cc1plus"); our CPU limit sends SIGXCPU, a kill at the
 * hard CPU limit is told apart by the CPU time used, and running out of
 * address space is a failed allocation, never a signal. */
static int verdict(const cxx_tool *t, const child_end *end, const buf *out, buf *log)
{
	const chk_limits *lim = &t->lim;
	int cpu_spent = end->cpu_s >= lim->cpu_s;
	int lim_hit = -1;
	if (end->timed_out) {
		lim_hit = LIMIT_WALL;
	} else if (has(out, "LLVM ERROR: out of memory")) { /* clang: a failed allocation aborts it */
		lim_hit = LIMIT_MEM;
	} else if (WIFSIGNALED(end->status)) {
		int sig = WTERMSIG(end->status);
		if (sig == SIGXCPU || (sig == SIGKILL && cpu_spent))
			lim_hit = LIMIT_CPU;
		else if (sig == SIGXFSZ)
			lim_hit = LIMIT_FILE;
		else {
			buf_printf(log, "%s killed by signal %d\n", t->path, sig);
			return -1;
		}
	} else if (WEXITSTATUS(end->status) == 0) {
		return 0;
	} else if (has(out, "CPU time limit exceeded signal terminated program") ||
		   (has(out, "Killed signal terminated program") && cpu_spent)) {
		lim_hit = LIMIT_CPU;
	} else if (has(out, "File size limit exceeded signal terminated program")) {
		lim_hit = LIMIT_FILE;
	} else if (has(out, "virtual memory exhausted") || has(out, "out of memory allocating")) {
		lim_hit = LIMIT_MEM;
	} else if (has(out, "Killed signal terminated program")) {
		buf_printf(log,
			   "%s: its compiler proper was killed by signal 9 (from outside: out of memory?)\n",
			   t->path);
		return -1;
	}
	if (lim_hit < 0)
		return 1;
	child_exceeded(log, lim, (child_limit)lim_hit);
	buf_putc(log, '\n');
	return 2;
}

static int write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wbe");
	if (!f)
		return -1;
	size_t w = fwrite(data, 1, len, f);
	int bad = ferror(f);
	if (fclose(f) != 0 || bad || w != len)
		return -1;
	return 0;
}

/* Appends src to dst with every occurrence of `from` replaced by `to`. */
static void replace_all(buf *dst, const char *src, size_t len, const char *from, const char *to)
{
	size_t fl = strlen(from);
	const char *p = src, *end = src + len;
	while (p < end) {
		const char *hit = fl ? memmem(p, (size_t)(end - p), from, fl) : NULL;
		if (!hit) {
			buf_append(dst, p, (size_t)(end - p));
			break;
		}
		buf_append(dst, p, (size_t)(hit - p));
		buf_puts(dst, to);
		p = hit + fl;
	}
}

/* Builds dir/builtin.h.gch from builtin.h; or, warm (the run tier's
 * clang), from builtin.h followed by t->warm's explicit instantiations of
 * the wp:: templates Warp's modules share, precompiled with
 * -fpch-instantiate-templates -fpch-codegen, whose code, with builtin.h's
 * inline functions, is then compiled once into dir/libjswarm.so: a batch
 * built on that PCH links it instead of generating that code (compile_to).
 * The warm header goes in on stdin, since a PCH names its input files and
 * a cache stage is renamed once built. argv[0..n) is the compiler and its
 * flags. 0 when everything was built. */
static int compile_pch_as(cxx_tool *t, const char *dir, const char *const *argv, int n, int warm)
{
	buf hdr = BUF_INIT, gch = BUF_INIT, lib = BUF_INIT, out = BUF_INIT, log = BUF_INIT;
	buf_printf(&gch, "%s/builtin.h.gch", dir);
	buf_printf(&lib, "%s/libjswarm.so", dir);
	int rc = -1, in = -1;
	if (warm) {
		buf text = BUF_INIT;
		buf_puts(&text, "#include \"builtin.h\"\n");
		buf_puts(&text, t->warm);
		buf_printf(&hdr, "%s/warm.h", t->tmpdir);
		int wrote = write_file(buf_cstr(&hdr), text.data, text.len) == 0;
		buf_free(&text);
		if (!wrote || (in = open(buf_cstr(&hdr), O_RDONLY | O_CLOEXEC)) < 0)
			goto out;
	} else {
		buf_printf(&hdr, "%s/builtin.h", t->native_dir);
	}
	const char *a[CXX_MAX_ARGS];
	int k = 0;
	for (int i = 0; i < n; i++)
		a[k++] = argv[i];
	if (t->clang) { /* check the headers by size, not by time: the cache is keyed by their contents */
		a[k++] = "-Xclang";
		a[k++] = "-fno-pch-timestamp";
		a[k++] = "-fno-crash-diagnostics";
	}
	if (warm) {
		a[k++] = "-I";
		a[k++] = t->native_dir;
		a[k++] = "-fpch-instantiate-templates";
		a[k++] = "-fpch-codegen";
	}
	a[k++] = "-x";
	a[k++] = "c++-header";
	a[k++] = warm ? "-" : buf_cstr(&hdr);
	a[k++] = "-o";
	a[k++] = buf_cstr(&gch);
	a[k] = NULL;
	child_end end;
	if (run_in(t, a, in, &out, &end, &log) != 0 || verdict(t, &end, &out, &log) != 0)
		goto out;
	if (warm) {
		k = 0;
		a[k++] = t->path;
		k = flags_cxx(a, k, t->object);
		a[k++] = "-fno-crash-diagnostics";
		a[k++] = "-shared";
		a[k++] = "-o";
		a[k++] = buf_cstr(&lib);
		a[k++] = buf_cstr(&gch);
		a[k] = NULL;
		buf_reset(&out);
		if (run(t, a, &out, &end, &log) != 0 || verdict(t, &end, &out, &log) != 0)
			goto out;
	}
	rc = 0;
out:
	if (in >= 0)
		close(in);
	if (warm)
		unlink(buf_cstr(&hdr));
	if (rc != 0) {
		unlink(buf_cstr(&gch));
		unlink(buf_cstr(&lib));
	}
	buf_free(&hdr);
	buf_free(&gch);
	buf_free(&lib);
	buf_free(&out);
	buf_free(&log);
	return rc;
}

/* The PCH into dir: the run tier's clang tries the warm one first. 0 when
 * the compiler made one. */
static int compile_pch(cxx_tool *t, const char *dir, const char *const *argv, int n)
{
	if (*t->warm && compile_pch_as(t, dir, argv, n, 1) == 0)
		return 0;
	return compile_pch_as(t, dir, argv, n, 0);
}

/* The PCH from the cache between runs (pchcache.h) when it has one for this
 * compiler, these flags and these headers; else built into the cache, or,
 * when there is no usable cache, into TMPDIR/pch. */
static void build_pch(cxx_tool *t, const char *version)
{
	const char *argv[CXX_MAX_ARGS];
	int n = 0;
	argv[n++] = t->path;
	n = flags_cxx(argv, n, t->object);
	/* The macros every Warp module defines (empty, exactly as in the module
	 * text) before it includes builtin.h: GCC only uses a PCH whose macro
	 * environment matches. */
	argv[n++] = "-DWP_NO_BFLOAT16=";
	argv[n++] = "-DWP_TILE_BLOCK_DIM=256";
	argv[n++] = "-DWP_NO_CRT=";
	char key[17];
	char *root = pchcache_root();
	if (root) {
		/* the warm PCH is keyed by its list too (pch_warm.txt) */
		char warm[40];
		const char *kv[CXX_MAX_ARGS];
		int kn = 0;
		for (int i = 1; i < n; i++)
			kv[kn++] = argv[i];
		if (*t->warm) {
			snprintf(warm, sizeof warm, "warm:%016llx",
				 (unsigned long long)XXH3_64bits(t->warm, strlen(t->warm)));
			kv[kn++] = warm;
		}
		pchcache_key(key, t->path, version, kv, kn, t->native_dir);
		t->pch_dir = pchcache_lookup(root, key);
		if (t->pch_dir) {
			t->pch_cached = 1;
			free(root);
			return;
		}
	}
	double t0 = now_seconds();
	char *stage = root ? pchcache_stage(root, key) : NULL;
	if (stage) {
		if (compile_pch(t, stage, argv, n) == 0)
			t->pch_dir = pchcache_publish(root, key, stage);
		else
			pchcache_drop(stage);
		free(stage);
	}
	if (!t->pch_dir) {
		buf dir = BUF_INIT;
		buf_printf(&dir, "%s/pch", t->tmpdir);
		if ((mkdir(buf_cstr(&dir), 0700) == 0 || errno == EEXIST) &&
		    compile_pch(t, buf_cstr(&dir), argv, n) == 0)
			t->pch_dir = buf_detach(&dir, NULL);
		buf_free(&dir);
	}
	if (t->pch_dir)
		t->pch_seconds = now_seconds() - t0;
	free(root);
}

static int compile_to(cxx_tool *t, const char *src, size_t len, int slot, const char *so_path, buf *log);

/* Whether clang takes the PCH (it refuses one whose headers changed): the
 * prologue alone, compiled as a module is (compile_to gives it the PCH). */
static int clang_pch_works(cxx_tool *t)
{
	buf log = BUF_INIT;
	int ok = compile_to(t, pch_prologue, sizeof pch_prologue - 1, -1, NULL, &log) == 0;
	buf_free(&log);
	return ok;
}

const char *cxx_run_default(void)
{
	char *p = find_in_path("clang++-16");
	int found = p != NULL;
	free(p);
	return found ? "clang++-16" : "g++";
}

cxx_tool *cxx_create(const cxx_config *cfg, buf *err)
{
	const char *name = cfg->cxx && *cfg->cxx ? cfg->cxx : "g++";
	char *path = find_in_path(name);
	if (!path) {
		buf_printf(err,
			   "C++ compiler not found (%s): install g++ or pick one with --cxx, or use "
			   "--validate none / --devices cuda",
			   name);
		return NULL;
	}
	cxx_tool *t = xcalloc(1, sizeof *t);
	t->path = path;
	t->native_dir = xstrdup(cfg->native_dir);
	t->tmpdir = xstrdup(cfg->tmpdir);
	t->object = cfg->object;
	t->warm = "";
	child_limits(cfg->limits, &t->lim);
	size_t n = 0;
	while (environ && environ[n])
		n++;
	t->envp = xcalloc(n + 2, sizeof *t->envp);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LC_ALL=", 7) != 0)
			t->envp[k++] = xstrdup(environ[i]);
	t->envp[k++] = xstrdup("LC_ALL=C");
	t->nenv = k;

	/* Does it run at all, and is it GCC (whose .gch lookup the PCH relies on)? */
	buf out = BUF_INIT, log = BUF_INIT;
	const char *argv[] = {t->path, "--version", NULL};
	child_end end;
	int rc = run(t, argv, &out, &end, &log);
	if (rc == 0 && verdict(t, &end, &out, &log) != 0) {
		rc = -1;
		if (!log.len)
			buf_printf(&log, "exit status %d\n",
				   WIFEXITED(end.status) ? WEXITSTATUS(end.status) : -1);
	}
	if (rc != 0) {
		buf_printf(err,
			   "C++ compiler %s does not run (%s --version failed%s%.*s): pick one with --cxx or "
			   "use --validate none",
			   t->path, t->path, log.len ? ": " : "", log.len ? (int)log.len - 1 : 0,
			   buf_cstr(&log));
		buf_free(&out);
		buf_free(&log);
		cxx_free(t);
		return NULL;
	}
	const char *cv = strstr(buf_cstr(&out), "clang version ");
	t->clang = cv ? atoi(cv + strlen("clang version ")) : 0;
	if (t->clang && t->object == 2)
		t->warm = cfg->warm ? cfg->warm : pch_warm_text;
	if (cv && t->clang < CLANG_MIN) {
		buf_printf(err,
			   "%s is clang %d, which cannot compile Warp's float16 code (_Float16) on this target: "
			   "install clang %d or later (apt-get install clang-16), or pick g++ with --cxx g++",
			   t->path, t->clang, CLANG_MIN);
		buf_free(&out);
		buf_free(&log);
		cxx_free(t);
		return NULL;
	}
	int is_gcc = !cv && strstr(buf_cstr(&out), "Free Software Foundation");
	if (cfg->pch && (is_gcc || t->clang))
		build_pch(t, buf_cstr(&out));
	if (t->pch_dir) {
		buf f = BUF_INIT;
		buf_printf(&f, "%s/builtin.h.gch", t->pch_dir);
		t->pch_file = buf_detach(&f, NULL);
		buf_printf(&f, "%s/libjswarm.so", t->pch_dir);
		struct stat st;
		if (*t->warm && lstat(buf_cstr(&f), &st) == 0 && S_ISREG(st.st_mode))
			t->warm_lib = realpath(buf_cstr(&f), NULL); /* batches record its path (DT_NEEDED) */
		buf_free(&f);
		if (t->clang && !clang_pch_works(t)) { /* a module would fail on it: none then */
			free(t->pch_dir);
			t->pch_dir = NULL;
			free(t->warm_lib);
			t->warm_lib = NULL;
		}
	}
	buf_free(&out);
	buf_free(&log);
	return t;
}

void cxx_free(cxx_tool *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nenv; i++)
		free(t->envp[i]);
	free(t->envp);
	free(t->path);
	free(t->native_dir);
	free(t->tmpdir);
	free(t->pch_dir);
	free(t->pch_file);
	free(t->warm_lib);
	free(t);
}

int cxx_compile(cxx_tool *t, const char *src, size_t len, int slot, buf *log)
{
	return compile_to(t, src, len, slot, NULL, log);
}

int cxx_build_so(cxx_tool *t, const char *src, size_t len, int slot, const char *so_path, buf *log)
{
	return compile_to(t, src, len, slot, so_path, log);
}

static int compile_to(cxx_tool *t, const char *src, size_t len, int slot, const char *so_path, buf *log)
{
	buf srcp = BUF_INIT, out = BUF_INIT;
	buf_printf(&srcp, "%s/s%d.cpp", t->tmpdir, slot);
	int rc;
	if (write_file(buf_cstr(&srcp), src, len) != 0) {
		buf_printf(log, "cannot write %s: %s (free some space or point TMPDIR elsewhere)\n",
			   buf_cstr(&srcp), strerror(errno));
		rc = -1;
		goto out;
	}
	const char *argv[CXX_MAX_ARGS];
	int n = 0, pch_used = 0;
	argv[n++] = t->path;
	n = flags_cxx(argv, n, t->object);
	if (t->clang)
		argv[n++] = "-fno-crash-diagnostics"; /* a crash writes no reproducer into /tmp */
	if (t->pch_dir && !t->clang) {
		argv[n++] = "-I";
		argv[n++] = t->pch_dir;
	} else if (t->pch_dir && len >= sizeof pch_prologue - 1 && !memcmp(src, pch_prologue, sizeof pch_prologue - 1)) {
		argv[n++] = "-include-pch";
		argv[n++] = t->pch_file;
		pch_used = 1;
	}
	argv[n++] = "-I";
	argv[n++] = t->native_dir;
	if (so_path) {
		argv[n++] = "-shared";
		argv[n++] = "-o";
		argv[n++] = so_path;
		if (pch_used && t->warm_lib)
			argv[n++] = t->warm_lib; /* the code the warm PCH's users leave out */
	} else if (t->object) { /* code to assembly: no assembler ever reads a dataset's text */
		argv[n++] = "-S";
		argv[n++] = "-o";
		argv[n++] = "/dev/null";
	} else {
		argv[n++] = "-fsyntax-only";
	}
	argv[n++] = "-x";
	argv[n++] = "c++";
	argv[n++] = buf_cstr(&srcp);
	argv[n] = NULL;
	child_end end;
	if (run(t, argv, &out, &end, log) != 0) {
		rc = -1;
		goto out;
	}
	rc = verdict(t, &end, &out, log);
	if (rc == 1) {
		replace_all(log, out.data ? out.data : "", out.len, buf_cstr(&srcp), "kernel.cpp");
		if (!out.len)
			buf_printf(log, "%s exited with status %d and no diagnostic\n", t->path,
				   WEXITSTATUS(end.status));
	}
out:
	unlink(buf_cstr(&srcp));
	buf_free(&srcp);
	buf_free(&out);
	return rc;
}

int cxx_pch_active(const cxx_tool *t)
{
	return t->pch_dir != NULL;
}

int cxx_pch_warm(const cxx_tool *t)
{
	return t->warm_lib != NULL;
}
double cxx_pch_seconds(const cxx_tool *t)
{
	return t->pch_seconds;
}

/* cxx: host C++ compiler subprocesses; see cxx.h. */
#include "validate/cxx.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "validate/flags.h"

extern char **environ;

/* The longest argv used, including the terminating NULL. */
#define CXX_MAX_ARGS 32

struct cxx_tool {
	char *path;
	char *native_dir;
	char *tmpdir;
	char *pch_dir; /* NULL when no PCH */
	int object;
	double pch_seconds;
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

/* Runs argv with stdin from /dev/null and stdout+stderr into outpath.
 * Returns the exit status (0..255), or -1 (with a reason in log) when the
 * process could not be started or died from a signal. */
static int run(const cxx_tool *t, const char *const *argv, const char *outpath, buf *log)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 2, 1);
	pid_t pid;
	int rc = posix_spawn(&pid, t->path, &fa, NULL, (char *const *)argv, t->envp);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		buf_printf(log, "cannot run %s: %s\n", t->path, strerror(rc));
		return -1;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			buf_printf(log, "waitpid(%s): %s\n", t->path, strerror(errno));
			return -1;
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	buf_printf(log, "%s killed by signal %d\n", t->path, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -1;
}

static void read_file(const char *path, buf *out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(out, chunk, n);
	fclose(f);
}

static int write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
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

static void build_pch(cxx_tool *t)
{
	buf dir = BUF_INIT, gch = BUF_INIT, hdr = BUF_INIT, logp = BUF_INIT, log = BUF_INIT;
	buf_printf(&dir, "%s/pch", t->tmpdir);
	buf_printf(&gch, "%s/builtin.h.gch", buf_cstr(&dir));
	buf_printf(&hdr, "%s/builtin.h", t->native_dir);
	buf_printf(&logp, "%s/pch.log", t->tmpdir);
	if (mkdir(buf_cstr(&dir), 0700) != 0 && errno != EEXIST)
		goto out;
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
	argv[n++] = "-x";
	argv[n++] = "c++-header";
	argv[n++] = buf_cstr(&hdr);
	argv[n++] = "-o";
	argv[n++] = buf_cstr(&gch);
	argv[n] = NULL;
	double t0 = now_seconds();
	if (run(t, argv, buf_cstr(&logp), &log) == 0) {
		t->pch_dir = buf_detach(&dir, NULL);
		t->pch_seconds = now_seconds() - t0;
	} else {
		unlink(buf_cstr(&gch));
	}
out:
	unlink(buf_cstr(&logp));
	buf_free(&dir);
	buf_free(&gch);
	buf_free(&hdr);
	buf_free(&logp);
	buf_free(&log);
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
	buf out = BUF_INIT, log = BUF_INIT, p = BUF_INIT;
	buf_printf(&p, "%s/version.log", t->tmpdir);
	const char *argv[] = {t->path, "--version", NULL};
	int rc = run(t, argv, buf_cstr(&p), &log);
	read_file(buf_cstr(&p), &out);
	unlink(buf_cstr(&p));
	if (rc != 0) {
		buf_printf(err,
			   "C++ compiler %s does not run (%s --version failed%s%.*s): pick one with --cxx or "
			   "use --validate none",
			   t->path, t->path, log.len ? ": " : "", log.len ? (int)log.len - 1 : 0,
			   buf_cstr(&log));
		buf_free(&out);
		buf_free(&log);
		buf_free(&p);
		cxx_free(t);
		return NULL;
	}
	int is_gcc = strstr(buf_cstr(&out), "Free Software Foundation") && !strstr(buf_cstr(&out), "clang");
	buf_free(&out);
	buf_free(&log);
	buf_free(&p);
	if (cfg->pch && is_gcc)
		build_pch(t);
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
	free(t);
}

int cxx_compile(cxx_tool *t, const char *src, size_t len, int slot, buf *log)
{
	buf srcp = BUF_INIT, logp = BUF_INIT, out = BUF_INIT;
	buf_printf(&srcp, "%s/s%d.cpp", t->tmpdir, slot);
	buf_printf(&logp, "%s/s%d.log", t->tmpdir, slot);
	int rc;
	if (write_file(buf_cstr(&srcp), src, len) != 0) {
		buf_printf(log, "cannot write %s: %s (free some space or point TMPDIR elsewhere)\n",
			   buf_cstr(&srcp), strerror(errno));
		rc = -1;
		goto out;
	}
	const char *argv[CXX_MAX_ARGS];
	int n = 0;
	argv[n++] = t->path;
	n = flags_cxx(argv, n, t->object);
	if (t->pch_dir) {
		argv[n++] = "-I";
		argv[n++] = t->pch_dir;
	}
	argv[n++] = "-I";
	argv[n++] = t->native_dir;
	if (t->object) {
		argv[n++] = "-c";
		argv[n++] = "-o";
		argv[n++] = "/dev/null";
	} else {
		argv[n++] = "-fsyntax-only";
	}
	argv[n++] = "-x";
	argv[n++] = "c++";
	argv[n++] = buf_cstr(&srcp);
	argv[n] = NULL;
	int st = run(t, argv, buf_cstr(&logp), log);
	if (st < 0) {
		rc = -1;
		goto out;
	}
	if (st != 0) {
		read_file(buf_cstr(&logp), &out);
		replace_all(log, out.data ? out.data : "", out.len, buf_cstr(&srcp), "kernel.cpp");
		if (!out.len)
			buf_printf(log, "%s exited with status %d and no diagnostic\n", t->path, st);
		rc = 1;
	} else {
		rc = 0;
	}
out:
	unlink(buf_cstr(&srcp));
	unlink(buf_cstr(&logp));
	buf_free(&srcp);
	buf_free(&logp);
	buf_free(&out);
	return rc;
}

int cxx_pch_active(const cxx_tool *t)
{
	return t->pch_dir != NULL;
}
double cxx_pch_seconds(const cxx_tool *t)
{
	return t->pch_seconds;
}

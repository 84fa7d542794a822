/* nvserver: NVRTC in server processes, both ends (see nvserver.h): the
 * server's loop (chk_nvrtc_server) and the engine's client. */
#include "validate/nvserver.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "validate/child.h"
#include "validate/nvrtc.h"

/* An address-space limit cannot apply to a server built with AddressSanitizer,
 * which reserves terabytes of shadow memory at start. */
#if defined(__SANITIZE_ADDRESS__)
#define SERVER_AS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SERVER_AS 0
#endif
#endif
#ifndef SERVER_AS
#define SERVER_AS 1
#endif

#define FRAME_MAX ((size_t)4 * CHK_MODULE_MIB << 20) /* a batch of modules, with room */
#define GUARD_ENV "JITSYNTH_NVRTC_SERVER"
#define HELLO_SECONDS 60 /* loading NVRTC takes well under a second */

extern char **environ;

/* ---- frames ---- */

static void put_u32(buf *b, uint32_t v)
{
	buf_append(b, &v, sizeof v);
}

static void put_str(buf *b, const char *p, size_t n)
{
	put_u32(b, (uint32_t)n);
	buf_append(b, p, n);
}

/* Starts a frame in b; frame_end fills in its length. */
static void frame_begin(buf *b)
{
	buf_reset(b);
	put_u32(b, 0);
}

static void frame_end(buf *b)
{
	uint32_t n = (uint32_t)(b->len - sizeof n);
	memcpy(b->data, &n, sizeof n);
}

typedef struct rd {
	const char *p;
	size_t n, i;
	int bad;
} rd;

static uint32_t get_u32(rd *r)
{
	uint32_t v = 0;
	if (r->n - r->i < sizeof v) {
		r->bad = 1;
		return 0;
	}
	memcpy(&v, r->p + r->i, sizeof v);
	r->i += sizeof v;
	return v;
}

static const char *get_str(rd *r, size_t *len)
{
	size_t n = get_u32(r);
	if (r->bad || r->n - r->i < n) {
		r->bad = 1;
		*len = 0;
		return "";
	}
	const char *s = r->p + r->i;
	r->i += n;
	*len = n;
	return s;
}

/* Reads one frame's payload into b (NUL-terminated by buf) by the deadline
 * (<= 0: none): 0, 1 deadline, -1 end of file, error or oversize. */
static int read_frame(int fd, buf *b, double deadline)
{
	double d = deadline > 0 ? deadline : 1e300;
	uint32_t n;
	int r = child_read_full(fd, &n, sizeof n, d);
	if (r)
		return r;
	if (n > FRAME_MAX)
		return -1;
	buf_reset(b);
	buf_grow(b, n);
	r = child_read_full(fd, b->data, n, d);
	if (r)
		return r;
	b->len = n;
	b->data[n] = '\0';
	return 0;
}

/* ---- the server ---- */

static void server_cpu_limit(unsigned cpu_s)
{
	struct rusage ru;
	struct rlimit rl;
	if (!cpu_s || getrusage(RUSAGE_SELF, &ru) != 0 || getrlimit(RLIMIT_CPU, &rl) != 0)
		return;
	rlim_t used = (rlim_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + 1);
	rl.rlim_cur = used + cpu_s;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_CPU, &rl);
}

/* The log, capped at CHK_LOG_KIB: its head and its last line or so. */
static void cap_log(buf *log)
{
	size_t cap = (size_t)CHK_LOG_KIB << 10;
	if (log->len <= cap)
		return;
	size_t tail = CHILD_TAIL, head = cap - tail;
	buf out = BUF_INIT;
	buf_append(&out, log->data, head);
	buf_printf(&out, "\n[... %zu bytes of log dropped ...]\n", log->len - head - tail);
	buf_append(&out, log->data + log->len - tail, tail);
	buf_free(log);
	*log = out;
}

int chk_nvrtc_server(int argc, char **argv)
{
	unsigned cpu_s = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 0;
	signal(SIGPIPE, SIG_IGN);
	/* NVRTC allocates and frees hundreds of MiB per compilation. Under
	 * main()'s 256 KiB mmap threshold each big block was mapped and unmapped
	 * again, and its pages faulted in anew every time: a seventh of the
	 * server's CPU went to the kernel. Keep freed memory in the heap for
	 * the next compilation instead (the peak, bounded by RLIMIT_AS, is the
	 * same). */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	mallopt(M_TOP_PAD, 64 << 20);
	/* NVRTC's front end refuses a TMPDIR of 126 characters or more ("name
	 * of directory for temporary files is too long") and then fails every
	 * module: past NVSRV_TMPDIR_MAX it gets /tmp (chk_create has checked
	 * that it can write there). */
	const char *td = getenv("TMPDIR");
	if (td && strlen(td) > NVSRV_TMPDIR_MAX)
		setenv("TMPDIR", "/tmp", 1);
	/* Replies go to a descriptor of our own; whatever NVRTC might print on
	 * stdout joins stderr (the log file) instead of the protocol. */
	int out = fcntl(1, F_DUPFD_CLOEXEC, 3);
	if (out < 0 || dup2(2, 1) < 0)
		_exit(1);
	buf err = BUF_INIT, f = BUF_INIT, req = BUF_INIT, log = BUF_INIT;
	nvrtc_lib *lib = nvrtc_load(&err);
	int major = 0, minor = 0;
	if (lib)
		nvrtc_version(lib, &major, &minor);
	frame_begin(&f);
	put_u32(&f, lib ? 0 : (uint32_t)-1);
	put_u32(&f, (uint32_t)major);
	put_u32(&f, (uint32_t)minor);
	put_str(&f, err.data ? err.data : "", err.len);
	frame_end(&f);
	if (child_write_full(out, f.data, f.len, 1e300) != 0 || !lib)
		_exit(1);
	const char **opts = NULL;
	size_t opts_cap = 0;
	for (;;) {
		if (read_frame(0, &req, 0) != 0)
			_exit(0); /* the engine closed its end (or spoke nonsense) */
		rd r = {.p = req.data, .n = req.len};
		size_t nopts = get_u32(&r);
		if (nopts > 4096)
			_exit(1);
		if (nopts + 1 > opts_cap) {
			opts_cap = nopts + 1;
			opts = xrealloc(opts, opts_cap * sizeof *opts);
		}
		/* Every string of the frame is made NUL-terminated in place: its
		 * terminator overwrites the next field's first length byte, which has
		 * been read by then. The last one is followed by buf's own NUL. */
		char *last = NULL;
		for (size_t k = 0; k < nopts && !r.bad; k++) {
			size_t n;
			const char *o = get_str(&r, &n);
			if (last)
				*last = '\0';
			opts[k] = o;
			last = (char *)o + n;
		}
		size_t name_len, src_len;
		const char *name = get_str(&r, &name_len);
		if (last)
			*last = '\0';
		last = (char *)name + name_len;
		const char *src = get_str(&r, &src_len);
		*last = '\0';
		if (r.bad || r.i != r.n)
			_exit(1);
		opts[nopts] = NULL;
		buf_reset(&log);
		size_t ptx = 0;
		server_cpu_limit(cpu_s);
		int rc = nvrtc_compile(lib, src, name, opts, (int)nopts, &log, &ptx);
		cap_log(&log);
		frame_begin(&f);
		put_u32(&f, (uint32_t)rc);
		uint64_t p64 = ptx;
		buf_append(&f, &p64, sizeof p64);
		put_str(&f, log.data ? log.data : "", log.len);
		frame_end(&f);
		if (child_write_full(out, f.data, f.len, 1e300) != 0)
			_exit(0);
	}
}

/* ---- the client ---- */

static void reset(nvsrv *s)
{
	if (s->pid)
		close(s->fd);
	s->fd = -1;
	s->pid = 0;
}

/* The last lines of the server's stderr, for a diagnostic. */
static void err_tail(const nvsrv *s, buf *out)
{
	if (!s->errlog)
		return;
	int fd = open(s->errlog, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	char t[512];
	off_t end = lseek(fd, 0, SEEK_END);
	off_t from = end > (off_t)sizeof t ? end - (off_t)sizeof t : 0;
	ssize_t n = end > 0 ? pread(fd, t, sizeof t, from) : 0;
	close(fd);
	while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == ' '))
		n--;
	if (n > 0) {
		buf_puts(out, ": ");
		for (ssize_t k = 0; k < n; k++)
			buf_putc(out, t[k] == '\n' ? ' ' : t[k] >= 0x20 && t[k] < 0x7f ? t[k] : '?');
	}
}

char *nvsrv_self(void)
{
	char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
	if (n <= 0)
		return xstrdup("/proc/self/exe");
	path[n] = '\0';
	return xstrdup(path);
}

int nvsrv_start(nvsrv *s, const chk_limits *lim, int *major, int *minor, buf *err)
{
	if (getenv(GUARD_ENV)) {
		buf_puts(err, "NVRTC server: started from a server (the program's main() does not hand "
			      "`" CHK_NVRTC_SERVER_COMMAND "` to chk_nvrtc_server)");
		return -1;
	}
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		buf_printf(err, "cannot start the NVRTC server: socketpair: %s", strerror(errno));
		return -1;
	}
	int efd =
	    s->errlog ? open(s->errlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600) : -1;
	size_t n = 0;
	while (environ && environ[n])
		n++;
	char **envp = xcalloc(n + 2, sizeof *envp);
	memcpy(envp, environ, n * sizeof *envp);
	envp[n] = GUARD_ENV "=1";
	char cpu[16];
	snprintf(cpu, sizeof cpu, "%u", lim->cpu_s);
	char *argv[] = {"jitsynth", CHK_NVRTC_SERVER_COMMAND, cpu, NULL};
	child_spec sp = {.path = s->exe ? s->exe : "/proc/self/exe",
			 .argv = argv,
			 .envp = envp,
			 .fd = {sv[1], sv[1], efd},
			 .as_bytes = SERVER_AS ? (uint64_t)lim->mem_mib << 20 : 0,
			 .file_bytes = (uint64_t)lim->file_mib << 20};
	buf why = BUF_INIT;
	pid_t pid = child_spawn(&sp, &why);
	free(envp);
	close(sv[1]);
	if (efd >= 0)
		close(efd);
	if (pid < 0) {
		close(sv[0]);
		buf_printf(err, "cannot start the NVRTC server (%s)", buf_cstr(&why));
		buf_free(&why);
		return -1;
	}
	s->pid = pid;
	s->fd = sv[0];
	buf hello = BUF_INIT;
	int r = read_frame(s->fd, &hello, now_seconds() + HELLO_SECONDS);
	rd h = {.p = hello.data, .n = hello.len};
	int status = r == 0 ? (int)get_u32(&h) : -2;
	int ma = (int)get_u32(&h), mi = (int)get_u32(&h);
	size_t mlen;
	const char *msg = get_str(&h, &mlen);
	int rc = 0;
	if (status == 0 && !h.bad) {
		if (major)
			*major = ma;
		if (minor)
			*minor = mi;
	} else {
		child_end end;
		child_kill(s->pid, &end);
		if (status == -1 && !h.bad) {
			buf_append(err, msg, mlen); /* NVRTC not found, and the like: the server's own line */
		} else {
			buf_puts(err, "the NVRTC server did not start");
			if (WIFSIGNALED(end.status) && WTERMSIG(end.status) != SIGKILL)
				buf_printf(err, " (killed by signal %d)", WTERMSIG(end.status));
			err_tail(s, err);
		}
		reset(s);
		rc = -1;
	}
	buf_free(&hello);
	return rc;
}

/* The server died on this compilation (end: how): says what happened and
 * returns the compilation's result. */
static int died(nvsrv *s, const chk_limits *lim, const child_end *end, buf *log)
{
	int rc = -1;
	if (end->timed_out) {
		child_exceeded(log, lim, LIMIT_WALL);
		rc = 2;
	} else if (WIFSIGNALED(end->status)) {
		int sig = WTERMSIG(end->status);
		if (sig == SIGXCPU) {
			child_exceeded(log, lim, LIMIT_CPU);
			rc = 2;
		} else if (sig == SIGXFSZ) {
			child_exceeded(log, lim, LIMIT_FILE);
			rc = 2;
		} else if (sig == SIGSEGV || sig == SIGABRT || sig == SIGILL || sig == SIGFPE) {
			/* a crash on this text, which a retry would repeat */
			buf_printf(log, "NVRTC crashed on it (signal %d, %s)", sig, strsignal(sig));
			err_tail(s, log);
			rc = 1;
		} else {
			buf_printf(log, "NVRTC was killed by signal %d (%s) from outside", sig,
				   strsignal(sig));
			rc = -1;
		}
	} else {
		buf_printf(log, "the NVRTC server exited with status %d without an answer",
			   WIFEXITED(end->status) ? WEXITSTATUS(end->status) : -1);
		err_tail(s, log);
	}
	buf_putc(log, '\n');
	reset(s);
	return rc;
}

/* Whether NVRTC's log says it ran out of memory: -1 no; LIMIT_MEM for
 * "catastrophic error: out of memory" (the address-space limit);
 * LIMIT_HEAP_FILE for "... unable to obtain mapped memory": with automatic
 * PCH, NVRTC's heap is a mapping of a file in the PCH directory, which the
 * file-size limit bounds (and NVRTC itself, at about 4.5 GB). */
static int out_of_memory(const char *log, size_t n)
{
	const char *p = log, *end = log + n;
	while ((p = memmem(p, (size_t)(end - p), "catastrophic error: ", 20)) != NULL) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ln = (size_t)((nl ? nl : end) - p);
		if (memmem(p, ln, "mapped memory", 13))
			return LIMIT_HEAP_FILE;
		if (memmem(p, ln, "memory", 6))
			return LIMIT_MEM;
		p += 20;
	}
	return -1;
}

int nvsrv_compile(nvsrv *s, const chk_limits *lim, const char *src, size_t len, const char *name,
		  char *const *opts, int nopts, buf *log)
{
	siginfo_t si = {0};
	if (s->pid && waitid(P_PID, (id_t)s->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	    si.si_pid == s->pid) {
		/* it died between compilations, on nobody's text: start afresh */
		child_end end;
		child_wait(s->pid, now_seconds() + 10, &end);
		reset(s);
	}
	if (!s->pid && nvsrv_start(s, lim, NULL, NULL, log) < 0) {
		buf_putc(log, '\n');
		return -1;
	}
	double deadline = now_seconds() + lim->wall_s;
	buf f = BUF_INIT;
	frame_begin(&f);
	put_u32(&f, (uint32_t)nopts);
	for (int k = 0; k < nopts; k++)
		put_str(&f, opts[k], strlen(opts[k]));
	put_str(&f, name, strlen(name));
	put_str(&f, src, len);
	frame_end(&f);
	int r = child_write_full(s->fd, f.data, f.len, deadline);
	if (r == 0)
		r = read_frame(s->fd, &f, deadline);
	child_end end;
	if (r != 0) {
		buf_free(&f);
		if (r > 0) {
			child_kill(s->pid, &end);
			end.timed_out = 1;
		} else {
			child_wait(s->pid, now_seconds() + 10, &end);
		}
		return died(s, lim, &end, log);
	}
	rd rp = {.p = f.data, .n = f.len};
	int rc = (int)get_u32(&rp);
	uint64_t ptx;
	if (rp.n - rp.i >= sizeof ptx) {
		memcpy(&ptx, rp.p + rp.i, sizeof ptx);
		rp.i += sizeof ptx;
	} else {
		rp.bad = 1;
	}
	size_t ln;
	const char *text = get_str(&rp, &ln);
	if (rp.bad || rp.i != rp.n || rc < -1 || rc > 1) {
		buf_free(&f);
		child_kill(s->pid, &end);
		reset(s);
		buf_puts(log, "the NVRTC server answered garbage\n");
		return -1;
	}
	int oom = rc == 1 ? out_of_memory(text, ln) : -1;
	buf_append(log, text, ln);
	buf_free(&f);
	if (oom >= 0) {
		/* NVRTC ran out of memory; start afresh next time */
		child_kill(s->pid, &end);
		reset(s);
		buf_reset(log);
		child_exceeded(log, lim, (child_limit)oom);
		buf_putc(log, '\n');
		return 2;
	}
	return rc;
}

void nvsrv_stop(nvsrv *s)
{
	if (s->pid) {
		child_end end;
		child_kill(s->pid, &end);
	}
	reset(s);
	free(s->errlog);
	s->errlog = NULL;
}

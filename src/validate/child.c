/* child: compiler processes in their own group, under limits; see child.h. */
#include "validate/child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"

void child_limits(const chk_limits *in, chk_limits *out)
{
	out->mem_mib = in && in->mem_mib ? in->mem_mib : CHK_MEM_MIB;
	out->cpu_s = in && in->cpu_s ? in->cpu_s : CHK_CPU_SECONDS;
	out->wall_s = in && in->wall_s ? in->wall_s : CHK_WALL_SECONDS;
	out->file_mib = in && in->file_mib ? in->file_mib : CHK_FILE_MIB;
}

static void size_text(buf *b, unsigned mib)
{
	if (mib % 1024 == 0)
		buf_printf(b, "%u GiB", mib / 1024);
	else
		buf_printf(b, "%u MiB", mib);
}

void child_exceeded(buf *log, const chk_limits *lim, child_limit which)
{
	switch (which) {
	case LIMIT_MEM:
		buf_puts(log, "exceeded the compiler's memory limit (");
		size_text(log, lim->mem_mib);
		buf_puts(log, " of address space)");
		break;
	case LIMIT_HEAP_FILE:
		buf_puts(log, "exceeded the compiler's memory limit (");
		size_text(log, lim->file_mib);
		buf_puts(log, " of NVRTC heap file)");
		break;
	case LIMIT_CPU:
		buf_printf(log, "exceeded the compiler's CPU-time limit (%u s)", lim->cpu_s);
		break;
	case LIMIT_WALL:
		buf_printf(log, "exceeded the compiler's wall-clock limit (%u s)", lim->wall_s);
		break;
	case LIMIT_FILE:
		buf_puts(log, "exceeded the compiler's file-size limit (");
		size_text(log, lim->file_mib);
		buf_putc(log, ')');
		break;
	}
}

/* What the child did last before it failed to exec, for the parent. */
typedef struct spawn_error {
	int err;
	char what[24];
} spawn_error;

static _Noreturn void child_fail(int fd, const char *what)
{
	spawn_error se = {.err = errno};
	size_t n = strlen(what);
	memcpy(se.what, what, n < sizeof se.what - 1 ? n : sizeof se.what - 1);
	ssize_t w = write(fd, &se, sizeof se);
	(void)w;
	_exit(127);
}

/* Closes every descriptor from 3 on but `keep`. */
static void close_others(int keep)
{
#ifdef SYS_close_range
	if (keep > 3)
		syscall(SYS_close_range, 3, (unsigned)keep - 1, 0);
	if (syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0) == 0)
		return;
#endif
	long max = sysconf(_SC_OPEN_MAX);
	for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
		if (fd != keep)
			close(fd);
}

static void set_limit(int fd, int res, uint64_t soft, uint64_t hard, const char *what)
{
	struct rlimit rl;
	if (getrlimit(res, &rl) != 0)
		child_fail(fd, what);
	/* never above a limit jitsynth itself runs under */
	if (rl.rlim_max != RLIM_INFINITY && hard > rl.rlim_max)
		hard = rl.rlim_max;
	if (soft > hard)
		soft = hard;
	rl.rlim_cur = soft;
	rl.rlim_max = hard;
	if (setrlimit(res, &rl) != 0)
		child_fail(fd, what);
}

/* Between fork and exec: only async-signal-safe calls, nothing allocated. */
static _Noreturn void in_child(const child_spec *sp, pid_t parent, int efd, int devnull)
{
	if (setpgid(0, 0) != 0)
		child_fail(efd, "setpgid");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
		child_fail(efd, "prctl");
	if (getppid() != parent) /* the parent died before the line above */
		_exit(127);
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &dfl, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (sp->as_bytes)
		set_limit(efd, RLIMIT_AS, sp->as_bytes, sp->as_bytes, "RLIMIT_AS");
	if (sp->cpu_s)
		set_limit(efd, RLIMIT_CPU, sp->cpu_s, (uint64_t)sp->cpu_s + CHILD_CPU_GRACE, "RLIMIT_CPU");
	if (sp->file_bytes)
		set_limit(efd, RLIMIT_FSIZE, sp->file_bytes, sp->file_bytes, "RLIMIT_FSIZE");
	set_limit(efd, RLIMIT_CORE, 0, 0, "RLIMIT_CORE");
	/* The three standard descriptors, first moved out of the way of each
	 * other (a source may be 0, 1 or 2 already). */
	int src[3];
	for (int i = 0; i < 3; i++) {
		int f = sp->fd[i] >= 0 ? sp->fd[i] : devnull;
		src[i] = fcntl(f, F_DUPFD_CLOEXEC, 3);
		if (src[i] < 0)
			child_fail(efd, "dup");
	}
	for (int i = 0; i < 3; i++)
		if (dup2(src[i], i) < 0)
			child_fail(efd, "dup2");
	close_others(efd);
	execve(sp->path, sp->argv, sp->envp);
	child_fail(efd, "exec");
}

pid_t child_spawn(const child_spec *sp, buf *err)
{
	int ep[2];
	if (pipe2(ep, O_CLOEXEC) != 0) {
		buf_printf(err, "cannot run %s: pipe: %s", sp->path, strerror(errno));
		return -1;
	}
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0) {
		buf_printf(err, "cannot run %s: /dev/null: %s", sp->path, strerror(errno));
		close(ep[0]);
		close(ep[1]);
		return -1;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0)
		in_child(sp, parent, ep[1], devnull);
	int fork_errno = errno;
	close(ep[1]);
	close(devnull);
	if (pid < 0) {
		close(ep[0]);
		buf_printf(err, "cannot run %s: fork: %s", sp->path, strerror(fork_errno));
		return -1;
	}
	/* Also in the parent, so that a kill of the group right after this
	 * return cannot miss a child that has not got to its setpgid yet. */
	setpgid(pid, pid);
	spawn_error se;
	ssize_t r;
	while ((r = read(ep[0], &se, sizeof se)) < 0 && errno == EINTR)
		;
	close(ep[0]);
	if (r == (ssize_t)sizeof se) {
		child_end end;
		child_wait(pid, now_seconds() + 10, &end);
		se.what[sizeof se.what - 1] = '\0';
		buf_printf(err, "cannot run %s: %s: %s", sp->path, se.what, strerror(se.err));
		return -1;
	}
	return pid;
}

/* A poll() timeout for `left` seconds, at most a minute (then look again). */
static int poll_ms(double left)
{
	return left > 60 ? 60000 : (int)(left * 1000) + 1;
}

static int wait_exit(pid_t pid, double deadline)
{
	/* a pidfd turns "has it exited?" into something poll() can wait on */
	int pfd = -1;
#ifdef SYS_pidfd_open
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
	int done = 0;
	while (!done) {
		siginfo_t si = {0};
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0) {
			if (errno == EINTR)
				continue;
			done = 1; /* not our child (any more): nothing to wait for */
			break;
		}
		if (si.si_pid == pid)
			break;
		double left = deadline - now_seconds();
		if (left <= 0) {
			done = -1;
			break;
		}
		if (pfd >= 0) {
			struct pollfd p = {.fd = pfd, .events = POLLIN};
			poll(&p, 1, poll_ms(left));
		} else {
			struct timespec ts = {0, 2000000};
			nanosleep(&ts, NULL);
		}
	}
	if (pfd >= 0)
		close(pfd);
	return done;
}

static void reap(pid_t pid, child_end *end)
{
	kill(-pid, SIGKILL); /* what is left of its group: the leader is a zombie, the id still ours */
	struct rusage ru = {0};
	int st = 0;
	pid_t r;
	while ((r = wait4(pid, &st, 0, &ru)) < 0 && errno == EINTR)
		;
	if (r < 0) /* somebody else reaped it: as good as a failed exec */
		st = 127 << 8;
	end->status = st;
	end->cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
		     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

void child_wait(pid_t pid, double deadline, child_end *end)
{
	memset(end, 0, sizeof *end);
	if (wait_exit(pid, deadline) < 0) {
		end->timed_out = 1;
		kill(-pid, SIGKILL);
	}
	reap(pid, end);
}

void child_kill(pid_t pid, child_end *end)
{
	memset(end, 0, sizeof *end);
	kill(-pid, SIGKILL);
	reap(pid, end);
}

/* Waits until fd is ready for `ev` or the deadline: 1 ready, 0 deadline. */
static int ready(int fd, short ev, double deadline)
{
	for (;;) {
		double left = deadline - now_seconds();
		if (left <= 0)
			return 0;
		struct pollfd p = {.fd = fd, .events = ev};
		int r = poll(&p, 1, poll_ms(left));
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return 1; /* let the read or write report it */
	}
}

int child_drain(int fd, double deadline, size_t cap, buf *out)
{
	char chunk[16384];
	buf tail = BUF_INIT;
	size_t kept = 0, dropped = 0;
	int rc = 0;
	for (;;) {
		if (!ready(fd, POLLIN, deadline)) {
			rc = 1;
			break;
		}
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		size_t take = kept < cap ? cap - kept : 0;
		if (take > (size_t)n)
			take = (size_t)n;
		buf_append(out, chunk, take);
		kept += take;
		if (take < (size_t)n) {
			dropped += (size_t)n - take;
			buf_append(&tail, chunk + take, (size_t)n - take);
			if (tail.len > 2 * CHILD_TAIL) {
				memmove(tail.data, tail.data + tail.len - CHILD_TAIL, CHILD_TAIL);
				tail.len = CHILD_TAIL;
			}
		}
	}
	if (dropped) {
		size_t t = tail.len < CHILD_TAIL ? tail.len : CHILD_TAIL;
		buf_printf(out, "\n[... %zu bytes of output dropped ...]\n", dropped - t);
		buf_append(out, tail.data + tail.len - t, t);
	}
	buf_free(&tail);
	return rc;
}

int child_read_full(int fd, void *p, size_t n, double deadline)
{
	char *c = p;
	while (n) {
		if (!ready(fd, POLLIN, deadline))
			return 1;
		ssize_t r = read(fd, c, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

int child_write_full(int fd, const void *p, size_t n, double deadline)
{
	const char *c = p;
	while (n) {
		if (!ready(fd, POLLOUT, deadline))
			return 1;
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL); /* a dead reader is EPIPE, not SIGPIPE */
		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, c, n);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* sandbox: the bubblewrap command line and the seccomp program of a worker
 * that executes outside Python (see sandbox.h). What it does not guarantee
 * is in the README ("The sandbox"). */
#include "warp/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"

extern char **environ;

#if defined(__x86_64__)
#define SBX_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SBX_ARCH AUDIT_ARCH_AARCH64
#endif

void sbx_cmd_init(sbx_cmd *c, const char *python, const char *arg0, const char *arg1)
{
	snprintf(c->as, sizeof c->as, "--as=%llu", (unsigned long long)SBX_AS_BYTES);
	snprintf(c->cpu, sizeof c->cpu, "--cpu=%d", SBX_CPU_SECONDS);
	snprintf(c->fsize, sizeof c->fsize, "--fsize=%llu", (unsigned long long)SBX_FSIZE_BYTES);
	snprintf(c->nofile, sizeof c->nofile, "--nofile=%d", SBX_NOFILE);
	snprintf(c->size, sizeof c->size, "%llu", (unsigned long long)SBX_SCRATCH_BYTES);
	snprintf(c->fd, sizeof c->fd, "%d", SBX_SECCOMP_FD);
	/* prlimit(1) sets hard and soft limits on itself, then execs bwrap:
	 * everything below inherits them and nothing there can raise them. */
	char *fixed[] = {"prlimit", c->as, c->cpu, c->fsize, c->nofile, "--core=0", "--",
			 /* every namespace, the user one mapping us to nobody with no
			  * capability (also when jitsynth runs as root) */
			 "bwrap", "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534",
			 "--cap-drop", "ALL", "--die-with-parent", "--new-session",
			 /* the file system read-only, a fresh /dev and /proc, and a
			  * private tmpfs scratch of bounded size */
			 "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--size", c->size,
			 "--tmpfs", SBX_SCRATCH, "--chdir", SBX_SCRATCH, "--setenv", "TMPDIR", SBX_SCRATCH,
			 "--setenv", "HOME", SBX_SCRATCH, "--seccomp", c->fd, "--", (char *)python, "-u",
			 (char *)arg0, (char *)arg1};
	size_t n = sizeof fixed / sizeof *fixed;
	if (n > sizeof c->argv / sizeof *c->argv - 1)
		BUG("sandbox argv too long");
	memcpy(c->argv, fixed, sizeof fixed);
	c->argv[n] = NULL; /* after arg1, or arg1 itself when it is NULL */
}

/* ---- the seccomp program ----
 * Threads are allowed, new processes are not: clone without CLONE_THREAD,
 * fork and vfork fail with EPERM, clone3 with ENOSYS (glibc then falls back
 * to clone, where the flags can be read). No socket at all (EACCES), no
 * io_uring (it can open sockets by itself), no new namespaces. Another
 * architecture's system calls (x32, i386) kill the process. */

#define STMT(code, k) ((struct sock_filter)BPF_STMT((code), (k)))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP((code), (k), (jt), (jf)))
#define RET_ERRNO(e) STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((e)&SECCOMP_RET_DATA))
#define DENY(nr, e) JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), RET_ERRNO(e)

int sbx_seccomp_fd(buf *err)
{
#ifndef SBX_ARCH
	buf_printf(err, "the sandbox has no seccomp program for this CPU architecture");
	return -1;
#else
	struct sock_filter prog[] = {
		STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		JUMP(BPF_JMP | BPF_JEQ | BPF_K, SBX_ARCH, 1, 0),
		STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#if defined(__x86_64__)
		JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1), /* x32 */
		STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		DENY(__NR_fork, EPERM),
		DENY(__NR_vfork, EPERM),
#endif
		DENY(__NR_clone3, ENOSYS),
		DENY(__NR_socket, EACCES),
		DENY(__NR_io_uring_setup, ENOSYS),
		DENY(__NR_unshare, EPERM),
		DENY(__NR_setns, EPERM),
		JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 1, 0),
		STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* clone: its flags are the first argument on both architectures */
		STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 0, 1),
		STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		RET_ERRNO(EPERM),
	};
	int fd = memfd_create("jitsynth-seccomp", MFD_CLOEXEC);
	if (fd < 0) {
		buf_printf(err, "cannot create the sandbox's seccomp program: %s", strerror(errno));
		return -1;
	}
	if (write(fd, prog, sizeof prog) != (ssize_t)sizeof prog || lseek(fd, 0, SEEK_SET) != 0) {
		buf_printf(err, "cannot write the sandbox's seccomp program: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
#endif
}

/* Reads fd to EOF into out (at most max bytes kept). */
static void read_all(int fd, buf *out, size_t max)
{
	char chunk[4096];
	ssize_t r;
	while ((r = read(fd, chunk, sizeof chunk)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (out->len < max)
			buf_append(out, chunk, (size_t)r < max - out->len ? (size_t)r : max - out->len);
	}
}

int sbx_run(const char *python, const char *code, const char *env_kv, buf *out, buf *errout, buf *err)
{
	int fd = sbx_seccomp_fd(err);
	if (fd < 0)
		return -1;
	int outp[2], errp[2];
	if (pipe2(outp, O_CLOEXEC) < 0) {
		close(fd);
		buf_printf(err, "cannot create a pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(errp, O_CLOEXEC) < 0) {
		close(fd), close(outp[0]), close(outp[1]);
		buf_printf(err, "cannot create a pipe: %s", strerror(errno));
		return -1;
	}
	sbx_cmd c;
	sbx_cmd_init(&c, python, "-c", code);
	size_t ne = 0;
	while (environ[ne])
		ne++;
	char **envp = xcalloc(ne + 2, sizeof *envp);
	memcpy(envp, environ, ne * sizeof *envp);
	if (env_kv)
		envp[ne++] = (char *)env_kv;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd, SBX_SECCOMP_FD);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	pid_t pid;
	int rc = posix_spawnp(&pid, c.argv[0], &fa, NULL, c.argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	free(envp);
	close(fd);
	close(outp[1]);
	close(errp[1]);
	if (rc != 0) {
		close(outp[0]);
		close(errp[0]);
		buf_printf(err, "cannot start the sandbox: prlimit: %s (install util-linux)", strerror(rc));
		return -1;
	}
	/* stdout first: what it prints is small (a path, a line) */
	read_all(outp[0], out, 1 << 16);
	read_all(errp[0], errout, 1 << 16);
	close(outp[0]);
	close(errp[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int sbx_check(const char *python, buf *err)
{
	buf out = BUF_INIT, msgb = BUF_INIT;
	int st = sbx_run(python, "pass", NULL, &out, &msgb, err);
	buf_free(&out);
	if (st == 0 || st < 0) {
		buf_free(&msgb);
		return st;
	}
	char msg[512];
	snprintf(msg, sizeof msg, "%s", buf_cstr(&msgb));
	buf_free(&msgb);
	char *nl = strchr(msg, '\n');
	if (nl)
		*nl = '\0';
	if (strstr(msg, "bwrap") && strstr(msg, "No such file"))
		buf_printf(err, "the sandbox for outside Python needs bubblewrap: install it (apt-get "
				"install bubblewrap)");
	else
		buf_printf(err,
			   "the sandbox for outside Python cannot start (%s); it needs bubblewrap and user "
			   "namespaces (apt-get install bubblewrap; sysctl user.max_user_namespaces > 0)",
			   *msg ? msg : "it exited with an error");
	return -1;
}

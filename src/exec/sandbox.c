/* sandbox: the runner's seccomp allowlist; see sandbox.h. */
#include "exec/sandbox.h"

#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#if defined(__x86_64__)
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX 0
#endif
#endif
#if !defined(SANDBOX) && defined(__x86_64__)
#define SANDBOX 1
#endif
#ifndef SANDBOX
#define SANDBOX 0
#endif

#if SANDBOX
#define ALLOW(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

int sandbox_enter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		ALLOW(SYS_read), ALLOW(SYS_write), ALLOW(SYS_writev), ALLOW(SYS_close), ALLOW(SYS_fstat),
		ALLOW(SYS_newfstatat), ALLOW(SYS_lseek), ALLOW(SYS_ioctl), ALLOW(SYS_mmap), ALLOW(SYS_munmap),
		ALLOW(SYS_mprotect), ALLOW(SYS_mremap), ALLOW(SYS_madvise), ALLOW(SYS_brk), ALLOW(SYS_futex),
		ALLOW(SYS_rt_sigreturn), ALLOW(SYS_rt_sigprocmask), ALLOW(SYS_sigaltstack), ALLOW(SYS_clock_gettime),
		ALLOW(SYS_gettimeofday), ALLOW(SYS_sched_yield), ALLOW(SYS_getpid), ALLOW(SYS_gettid),
		ALLOW(SYS_exit), ALLOW(SYS_exit_group),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_fprog prog = {.len = (unsigned short)(sizeof f / sizeof *f), .filter = f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0 ? 0 : -1;
}
#else
int sandbox_enter(void) { return 0; }
#endif

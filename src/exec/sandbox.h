/* sandbox: what a runner may still do once its batch is loaded. A seccomp
 * filter (no_new_privs + SECCOMP_MODE_FILTER) allows only the system calls
 * that running Warp kernels needs: writes to the descriptors it holds,
 * memory management, futexes, signal returns and masks (the CPU block
 * runtime switches fiber contexts), fstat/ioctl/lseek (stdio), clocks,
 * exit. Anything else, such as open, execve, socket, clone or kill, from a
 * hostile module's code kills the runner with SIGSYS, which the parent
 * reports as the kernel's crash. Not applied in AddressSanitizer builds
 * (the sanitizer's own machinery needs more) nor off x86-64. */
#ifndef JS_EXEC_SANDBOX_H
#define JS_EXEC_SANDBOX_H

/* 0 when the filter is in place (or deliberately not applied), -1 when the
 * kernel refused it. */
int sandbox_enter(void);

#endif

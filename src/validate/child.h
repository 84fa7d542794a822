/* child: one compiler process under the engine's limits (chk.h, "Limits"),
 * for cxx.c (g++, one process per compilation) and nvserver.c (the NVRTC
 * servers). A child runs in its own process group, so that a terminal's
 * Ctrl-C reaches jitsynth alone and a kill reaches the compiler's own
 * children too; it dies with the thread that started it (PR_SET_PDEATHSIG);
 * it inherits no descriptor but its three standard ones, default signal
 * dispositions and an empty signal mask; RLIMIT_AS, RLIMIT_CPU (soft, with
 * SIGKILL CHILD_CPU_GRACE seconds later), RLIMIT_FSIZE and RLIMIT_CORE=0
 * are set before it execs. RLIMIT_NPROC is not: it counts every process of
 * the user, system wide, so no small value is safe, and root ignores it.
 * Knows nothing of what the compilers are asked. */
#ifndef JS_VALIDATE_CHILD_H
#define JS_VALIDATE_CHILD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/buf.h"
#include "validate/chk.h"

#define CHILD_CPU_GRACE 5

/* The engine's limits with their defaults filled in. */
void child_limits(const chk_limits *in, chk_limits *out);

/* The one wording of a limit exceeded, appended to log: "exceeded the
 * compiler's memory limit (4 GiB)". */
typedef enum child_limit {
	LIMIT_MEM,
	LIMIT_HEAP_FILE, /* NVRTC's heap, which with automatic PCH is a file mapping */
	LIMIT_CPU,
	LIMIT_WALL,
	LIMIT_FILE
} child_limit;
void child_exceeded(buf *log, const chk_limits *lim, child_limit which);

typedef struct child_spec {
	const char *path;
	char *const *argv;
	char *const *envp;
	int fd[3];	     /* its stdin, stdout and stderr; -1 means /dev/null */
	uint64_t as_bytes;   /* RLIMIT_AS; 0: not set */
	unsigned cpu_s;	     /* RLIMIT_CPU (soft); 0: not set */
	uint64_t file_bytes; /* RLIMIT_FSIZE; 0: not set */
} child_spec;

/* How a child ended. */
typedef struct child_end {
	int status;    /* as waitpid gives it */
	int timed_out; /* killed by us at its wall-clock deadline */
	double cpu_s;  /* CPU seconds of it and of the descendants it reaped */
} child_end;

/* Starts it; returns its pid (which is also its process group), or -1 with
 * one line in err (an exec failure included). */
pid_t child_spawn(const child_spec *sp, buf *err);

/* Waits for the child until `deadline` (now_seconds()'s clock), then kills
 * its process group; reaps it, and kills what is left of its group. */
void child_wait(pid_t pid, double deadline, child_end *end);

/* Kills the child's process group at once and reaps the child. */
void child_kill(pid_t pid, child_end *end);

/* Reads fd until EOF or `deadline`: appends the first `cap` bytes to out,
 * and when there were more, a line saying how many were dropped and the
 * last CHILD_TAIL bytes (where compilers put their last word). Returns 0 at
 * EOF, 1 at the deadline, -1 on a read error. */
#define CHILD_TAIL 2048
int child_drain(int fd, double deadline, size_t cap, buf *out);

/* Reads or writes exactly n bytes by `deadline`: 0 done, 1 deadline, -1 end
 * of file or error. */
int child_read_full(int fd, void *p, size_t n, double deadline);
int child_write_full(int fd, const void *p, size_t n, double deadline);

#endif

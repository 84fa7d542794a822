/* sandbox: how a worker that executes outside Python is started. Outside
 * code (a seed-layout dataset's python_source, a project that `ingest`
 * imports) runs in a bubblewrap sandbox: no network (its own network
 * namespace, and no socket() at all), a read-only view of the file system
 * but for a private tmpfs scratch at /dev/shm, its own pid namespace, no new
 * process but threads (seccomp), and hard limits on address space, CPU time,
 * file size and open files (prlimit). It owns the command line and the
 * seccomp program; the pool (pool.c) spawns what it builds. */
#ifndef JS_SANDBOX_H
#define JS_SANDBOX_H

#include <stddef.h>

#include "common/buf.h"

/* The limits of a sandboxed worker (hard limits: outside code cannot raise
 * them). Its wall-clock limit per kernel is the pool's --timeout. */
#define SBX_AS_BYTES (4ull << 30)	 /* address space */
#define SBX_CPU_SECONDS 3600		 /* CPU time of the whole worker */
#define SBX_FSIZE_BYTES (256ull << 20)	 /* largest file it may write */
#define SBX_SCRATCH_BYTES (256ull << 20) /* its tmpfs scratch */
#define SBX_NOFILE 256			 /* open files */
#define SBX_SCRATCH "/dev/shm"		 /* where the scratch is mounted */

/* The fd on which the spawned bwrap reads the seccomp program. */
#define SBX_SECCOMP_FD 3

/* The command that runs `python -u ARGS...` in the sandbox: argv points
 * into the struct and at the caller's strings, so both must outlive the
 * spawn. The child must hold sbx_seccomp_fd()'s program on SBX_SECCOMP_FD. */
typedef struct sbx_cmd {
	char *argv[64];
	char as[32], cpu[32], fsize[32], nofile[32], size[32], fd[16];
} sbx_cmd;

/* Fills c for `python -u arg0 arg1` (arg1 may be NULL). */
void sbx_cmd_init(sbx_cmd *c, const char *python, const char *arg0, const char *arg1);

/* A fresh memfd holding the seccomp program (read once by bwrap; make one
 * per spawn), or -1 with the reason in err (no seccomp for this CPU). */
int sbx_seccomp_fd(buf *err);

/* Runs `python -u -c code` in the sandbox, env_kv ("NAME=value", or NULL)
 * added to the environment, and waits. Its stdout goes to out, its stderr
 * to errout (64 KiB of each kept); returns its exit status (128 + signal
 * when killed), or -1 with the reason in err when it cannot start. Stdout
 * is read to its end before stderr: code must write little on stderr. */
int sbx_run(const char *python, const char *code, const char *env_kv, buf *out, buf *errout, buf *err);

/* Starts `python -c pass` in the sandbox and waits: 0 when it works, -1
 * with a one-line reason and how to fix it in err (bubblewrap missing, or
 * user namespaces not allowed here). */
int sbx_check(const char *python, buf *err);

#endif

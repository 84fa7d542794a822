/* nvserver: NVRTC out of jitsynth's process. NVRTC installs its own SIGINT
 * and SIGTERM handlers for the whole process while it compiles and calls
 * exit() from them, and it runs on untrusted text; so each compiling slot
 * of the engine has a long-lived server process that loads NVRTC (nvrtc.h)
 * and compiles what it is sent: the program itself re-executed
 * (`PROGRAM CHK_NVRTC_SERVER_COMMAND`, see chk.h), under the engine's
 * limits (child.h: its own process group, so Ctrl-C at a terminal never
 * reaches it, PR_SET_PDEATHSIG, RLIMIT_AS/FSIZE; RLIMIT_CPU it sets itself
 * before each compilation, as its CPU time adds up over its life).
 *
 * Protocol, over a socketpair (send(MSG_NOSIGNAL): a dead server is an
 * error, never a SIGPIPE): frames of a native u32 length and a payload.
 *   server -> hello:   i32 status (0, or -1 when NVRTC cannot be loaded),
 *                      i32 major, i32 minor, str message
 *   request:           u32 nopts, str opt * nopts, str name, str source
 *   reply:             i32 rc (nvrtc_compile's), u64 PTX size, str log
 * where str is a u32 length and bytes. The log is capped (CHK_LOG_KIB).
 *
 * A server that passes the wall-clock limit is killed; one that dies is
 * reaped and its end classified (a limit of ours, a crash on the text, a
 * kill from outside); either way the next compilation starts a new one, as
 * it does after a server died between compilations. */
#ifndef JS_VALIDATE_NVSERVER_H
#define JS_VALIDATE_NVSERVER_H

/* The longest TMPDIR the servers hand NVRTC (it fails every module past
 * about 125 characters); a longer one is replaced by /tmp in the server. */
#define NVSRV_TMPDIR_MAX 100

#include <stddef.h>
#include <sys/types.h>

#include "common/buf.h"
#include "validate/chk.h"

/* A zeroed nvsrv is valid (no server, stderr to /dev/null). */
typedef struct nvsrv {
	pid_t pid;	 /* 0 while none runs */
	int fd;		 /* our end of its socketpair, while pid is set */
	char *errlog;	 /* set by the caller: the file for its stderr (in the scratch dir); owned */
	const char *exe; /* set by the caller: this program (nvsrv_self); borrowed */
} nvsrv;

/* This program's path, for re-executing it: readlink("/proc/self/exe"),
 * which valgrind answers with its client's path (exec'ing /proc/self/exe
 * itself would start valgrind's tool). Owned by the caller. */
char *nvsrv_self(void);

/* Starts the server, waits for its hello.
 * Returns 0 with NVRTC's version, or -1 with one line in err (NVRTC cannot
 * be loaded: the server's own message; or it could not be started). */
int nvsrv_start(nvsrv *s, const chk_limits *lim, int *major, int *minor, buf *err);

/* Compiles one program (NUL-free text of len bytes) in the server, starting
 * one when none runs. Returns 0 compiled, 1 rejected (log: NVRTC's log, or
 * how NVRTC crashed on it), 2 a limit was exceeded (log says which), -1
 * NVRTC could not be run (log says why: killed from outside, gone). */
int nvsrv_compile(nvsrv *s, const chk_limits *lim, const char *src, size_t len, const char *name,
		  char *const *opts, int nopts, buf *log);

/* Kills the server (if any) and frees what s holds; s may be started again. */
void nvsrv_stop(nvsrv *s);

#endif

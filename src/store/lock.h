/* lock: one writer at a time in a dataset directory. A writer (generate,
 * merge) holds flock(LOCK_EX) on DIR/.jitsynth.lock, a file holding its pid,
 * for as long as it writes; a second writer is refused with that pid. The
 * lock dies with its process, so the file a killed run leaves is stale and
 * the next writer takes it over. Files only: who takes the lock and when is
 * the pipeline's business. */
#ifndef JS_STORE_LOCK_H
#define JS_STORE_LOCK_H

#include <stddef.h>
#include <sys/types.h>

#include "common/buf.h"

typedef struct dir_lock {
	int fd;	    /* -1: not held */
	char *path; /* DIR/.jitsynth.lock */
} dir_lock;

#define DIR_LOCK_INIT                                                                                        \
	{                                                                                                    \
		.fd = -1, .path = NULL                                                                       \
	}

/* Takes the lock on dir (which must exist), opening the lock file with
 * O_CLOEXEC so that workers and compilers never inherit it, and writes our
 * pid into it. Returns 0; or -1 with a one-line reason in err: held by a live
 * run ("... in use by jitsynth pid N ..."; *holder = N, 0 if the file names
 * none) or the file cannot be made. */
int lock_acquire(const char *dir, dir_lock *l, pid_t *holder, buf *err);
/* Removes the lock file (while still holding it) and lets go. Safe on an
 * unheld lock and twice. */
void lock_release(dir_lock *l);

/* For readers, who take no lock: whether a live run holds dir's lock (1,
 * with its pid in *holder, 0 if the file names none), else 0. Opens the
 * file read-only and creates nothing. */
int lock_probe(const char *dir, pid_t *holder);

/* The pid a lock file's text names: decimal digits, optionally followed by
 * a newline, 1..2^31-1; 0 for anything else. */
pid_t lock_parse_pid(const char *text, size_t len);

#endif

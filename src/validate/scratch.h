/* scratch: the validator's private temp dir ("$TMPDIR/jitsynth-chk-XXXXXX",
 * /tmp when TMPDIR is unset), where the precompiled headers and g++'s
 * sources go: about 100 MiB per compiling thread.
 *
 * A process killed outright (SIGKILL, the OOM killer) cannot remove its dir,
 * and a few dozen such runs would fill a disk. So each dir holds a lock file
 * that its owner keeps flock()ed for as long as it lives (the kernel drops
 * the lock when the process dies, however it dies), and scratch_open first
 * removes every dir of the current user whose lock is free: those of dead
 * runs. Live runs, of this or another process namespace, keep their lock.
 *
 * Ownership: the scratch owns its path and lock; scratch_close removes the
 * dir with everything in it. */
#ifndef JS_VALIDATE_SCRATCH_H
#define JS_VALIDATE_SCRATCH_H

#include <stdint.h>

#include "common/buf.h"

typedef struct scratch {
	char *path;  /* NULL when not open */
	int lock_fd; /* meaningful only while path is set */
} scratch;

/* Sweeps the dirs of dead runs, then makes and locks a new dir. Returns 0,
 * or -1 with one line in err. */
int scratch_open(scratch *s, buf *err);

/* Bytes free for an unprivileged user on the dir's file system. */
uint64_t scratch_free_bytes(const scratch *s);

/* Removes the dir and everything in it, drops the lock. Safe on a scratch
 * that was never opened (zeroed) or already closed. */
void scratch_close(scratch *s);

#endif

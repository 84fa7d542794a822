/* pool: the long-lived Python workers that run Warp's compiler. One poll()
 * loop drives N children through callbacks (git's run_processes_parallel):
 * the caller hands out encoded requests and receives replies; the pool owns
 * processes, pipes, timeouts, restarts with back-off and the retry policy.
 * It never prints: failures reach the caller as reasons and error strings.
 * The process must ignore SIGPIPE (the CLI does, in main): a write to a dead
 * worker then fails with EPIPE, which the pool handles. */
#ifndef JS_POOL_H
#define JS_POOL_H

#include <signal.h>
#include <stdint.h>

#include "common/buf.h"
#include "warp/proto.h"

/* The warp-lang whose private code generator worker.py's codegen cache
 * patches (PINNED_WARP there); on another the workers run without it. */
#define WARP_PINNED_VERSION "1.19.0"

typedef struct pool_options {
	const char *python;        /* interpreter that can import warp */
	const char *worker_script; /* path of worker.py */
	int jobs;                  /* workers */
	unsigned devices;          /* DEV_BIT mask, for decoding replies */
	int batch;                 /* requests in flight per worker */
	double timeout;            /* seconds without a reply before a busy worker is killed */
	double startup_timeout;    /* seconds a worker may take to import Warp */
	int max_startup_failures;  /* consecutive start-up failures before giving up */
	int sandbox;               /* workers run outside code: start them in the
				    * sandbox (warp/sandbox.h) */
	const volatile sig_atomic_t *stop; /* when set: finish nothing new, return */
} pool_options;

/* Fills *opt with the defaults above (jobs = 1, batch = 4, timeout = 60 s). */
void pool_options_init(pool_options *opt);

typedef enum pool_next { POOL_TASK, POOL_WAIT, POOL_DONE } pool_next;

typedef struct pool_callbacks {
	/* The first worker is ready, before any kernel is handed out: its Warp
	 * version and header directory (warp/native). Returning -1 (with a
	 * one-line reason in err) ends the run: pool_run returns -1 with it.
	 * May be NULL. */
	int (*ready)(void *ctx, const char *warp_version, const char *native_dir, buf *err);
	/* Appends the request frame of the next kernel to `frame`
	 * (proto_put_request) and sets *index; or says to wait / that all
	 * kernels have been handed out. */
	pool_next (*next_task)(void *ctx, uint64_t *index, buf *frame);
	/* Warp's answer for a kernel: PROTO_OUTPUT or PROTO_ERROR. */
	void (*task_done)(void *ctx, const proto_reply *reply);
	/* The pool gave up on a kernel (its worker crashed or hung on it twice). */
	void (*task_failed)(void *ctx, uint64_t index, const char *reason);
	/* Another fd for the poll loop to watch (e.g. the validator's results),
	 * asked every round, or -1; on_watch is called when it is readable.
	 * Both may be NULL. */
	int (*watch_fd)(void *ctx);
	void (*on_watch)(void *ctx);
	/* Called at most ~10 times a second while the pool runs; may be NULL. */
	void (*tick)(void *ctx);
} pool_callbacks;

typedef struct pool_stats {
	char warp_version[32];
	int restarts;          /* workers restarted after a crash or hang */
	long worker_peak_rss_kib; /* largest VmHWM seen among workers */
	long worker_rss_kib;      /* largest current VmRSS, sampled every second */
} pool_stats;

/* Runs until next_task says POOL_DONE and every kernel is answered, or *stop
 * is set. Returns 0, or -1 with a one-line reason in err when the workers
 * cannot run at all (Python missing, Warp not importable, repeated start-up
 * failures). */
int pool_run(const pool_options *opt, const pool_callbacks *cb, void *ctx, pool_stats *stats,
	     buf *err);

#endif

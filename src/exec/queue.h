/* queue: the run tier for `generate` and `validate --tier run`, off the caller's thread. Kernels
 * are submitted one by one, gathered into batches, and built and run
 * (exec_batch) by `threads` threads; results come back in completion order
 * through xq_poll/xq_wait, and an eventfd (xq_fd) is readable while one is
 * ready, for the pipeline's poll loop.
 *
 * Ownership: xq_submit copies the text; a result's json is the caller's
 * (free). One thread drives a queue (submit, poll, wait, flush, free). */
#ifndef JS_EXEC_QUEUE_H
#define JS_EXEC_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "exec/exec.h"

typedef struct xq xq;

/* batch <= 0: EXEC_BATCH; threads <= 0: 1. NULL with one line in err. */
xq *xq_create(const exec_options *o, int threads, int batch, buf *err);

/* Kernels per shared object for a run of about `kernels` (0: unknown:
 * EXEC_BATCH) on `threads`: as few builds as EXEC_BATCH_MAX allows (each
 * has a fixed cost), as many as the threads, of even sizes, so that no
 * thread builds a large batch while another waits; 200 kernels are one
 * build on one thread and two of 100 on two. */
int xq_batch_size(uint64_t kernels, int threads);
/* kernel: the one to run of a module that may hold several (NULL: its
 * first); text and name are copied. */
void xq_submit(xq *q, uint64_t tag, const char *text, size_t len, uint64_t seed, const char *kernel);
/* Hands a partial batch to the threads now. */
void xq_flush(xq *q);
/* 1 with *tag and *json set when a result is ready, else 0. */
int xq_poll(xq *q, uint64_t *tag, char **json);
/* Blocks for the next result (flushing a partial batch first): 1, or 0 when
 * nothing is outstanding. */
int xq_wait(xq *q, uint64_t *tag, char **json);
size_t xq_outstanding(const xq *q);
int xq_fd(const xq *q);
/* The machinery's failure (the compiler or the runner could not be run),
 * or NULL: the run must stop, nothing is known of the kernels then. */
const char *xq_error(const xq *q);
void xq_stats(xq *q, exec_stats *out);
/* Stops the threads after their batch; discards what is left. NULL is fine. */
void xq_free(xq *q);

#endif

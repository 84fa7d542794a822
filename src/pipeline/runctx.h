/* runctx: the insides of one `generate` run, shared by run.c (the stages)
 * and resume.c (the output directory: a fresh start, or the state an
 * interrupted run's journal vouches for). Nothing else includes it. */
#ifndef JS_PIPELINE_RUNCTX_H
#define JS_PIPELINE_RUNCTX_H

#include <stdint.h>

#include "common/buf.h"
#include "common/dev.h"
#include "pipeline/run.h"
#include "report/metrics.h"
#include "store/dedup.h"
#include "store/jsonl.h"
#include "store/lock.h"
#include "store/shards.h"
#include "exec/queue.h"
#include "validate/scratch.h"

/* One kernel between hand-out and storage, in the reorder window. */
typedef struct slot {
	int ready;
	buf text[DEV_COUNT]; /* module texts, lent to the checker until its verdict, then to a builder */
	int is_reject;
	gen_category category;
	run_stage stage; /* of a reject */
	uint64_t fp_exact, fp_structural; /* dedup fingerprints of a record */
	metrics_kernel km; /* what a record adds to the metrics, if kept */
	buf reason;        /* a reject's reason, as rejects.jsonl holds it */
	char *exec_json;   /* the run tier's exec object, until stored */
	buf line;
} slot;

typedef struct run {
	const run_options *o;
	run_state *s;
	dir_lock lock;   /* on out_dir, from start to end */
	int created_dir; /* out_dir did not exist: removed again if the run leaves nothing */
	char resume_warp[32]; /* the Warp that made the kept shards ("": none kept) */
	char warp_version[32]; /* the first worker's, for the builders (the pool's copy is rewritten at each start) */
	slot *win;
	uint64_t nwin;
	uint64_t first, end; /* the indices this run makes (run_range) */
	uint64_t next_write; /* the oldest index not stored yet */
	shard_set shards;
	jsonl_file rejects;
	int rejects_open;
	int failed;        /* a write failed, or a compiler broke: store nothing more */
	uint64_t answered; /* kernels Warp (or the pool) has answered */
	dedup *dd;       /* NULL with --no-dedup */
	metrics metrics; /* of the stored records and rejects: the manifest's */
	chk_engine *chk; /* NULL with --validate none, and until the first worker is ready */
	xq *xq;          /* the run tier (--validate run), from the first worker's start */
	scratch xsc;     /* its private temp dir */
	int epfd;        /* -1, or an epoll of the builders', the checker's and the run tier's fds */
	struct rb_pool *rb; /* the record builders (run_build.c) */
	buf *err;
	run_progress_fn *progress;
	void *pctx;
	gen_kernel k; /* scratch kernel, reused */
} run;

/* kernel.c: kernel `index` of the run (gen_kernel_make and the test hooks) */
void run_make_kernel(const run_options *o, uint64_t index, gen_kernel *k);
/* run.c, for run_exec.c and run_build.c */
void run_put_reject(run *r, uint64_t index, run_stage stage, const char *reason);
/* run_put_reject with the caller's scratch kernel k, not marking the slot ready */
void run_fill_reject(run *r, gen_kernel *k, uint64_t index, run_stage stage, const char *reason);
/* The module texts a slot holds, cpu first, as on_extracted takes them. */
int run_slot_texts(run *r, uint64_t index, const char **text, size_t *len);

/* run_exec.c: the run tier between the checker and on_extracted */
int rx_start(run *r, const char *native_dir, buf *err);
void rx_submit(run *r, uint64_t index);
void rx_drain(run *r);   /* takes every ready result */
void rx_finish(run *r);  /* waits for every outstanding one */
void rx_release(run *r);

/* run_build.c: the record builders, --jobs threads (see there) */
typedef struct rb_pool rb_pool;
/* Starts them and r->epfd, the fd the pool watches, holding theirs. */
int rb_start(run *r, int threads, buf *err);
/* Adds fd (the checker's, the run tier's) to r->epfd. */
int rb_watch(run *r, int fd, buf *err);
/* The kernel's texts are in its slot (and the run tier's exec object, if
 * any): hands it to a builder, which fills the slot with its record line
 * or an extract reject (validated: the tier the record states). */
void run_on_extracted(run *r, uint64_t index, const char *validated);
void rb_drain(run *r); /* marks every built slot ready */
void rb_wait(run *r);  /* the same, once every handed-out build is done */
void rb_release(run *r); /* stops the builders, closes r->epfd */

/* resume.c */
/* Creates out_dir (or replaces the dataset in it with --force) and opens
 * the journal and rejects. */
int resume_start_fresh(run *r);
/* Puts r where the journal of the interrupted run in out_dir says it
 * stopped: first checks (versions, every kept shard's size, SHA-256 and
 * records, the rejects, no file that is not the run's, no finished shard
 * beyond the journal), then kept shards adopted, the rest removed,
 * counters, dedup and metrics rebuilt from what is kept, and resume_warp
 * set for the first worker's Warp to be checked against. */
int resume_state(run *r);
/* Whether out_dir's manifest says its run is complete. */
int resume_already_complete(const run_options *o);

#endif

/* run: the generate pipeline end to end: generate -> compile with Warp (the
 * worker pool) -> extract -> store, with records written in index order
 * whatever the number of workers. Options are const and filled by the CLI;
 * counters live in run_state. Never prints: progress goes to a callback,
 * errors to an error string. */
#ifndef JS_RUN_H
#define JS_RUN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/buf.h"
#include "gen/gen.h"
#include "pipeline/runtier.h"
#include "store/jsonl.h"
#include "validate/chk.h"
#include "warp/pool.h"

/* Composed of the stages' own options: the CLI fills it once. What a run
 * derives itself (the checker's devices, threads and Warp's header
 * directory) is set when the stage starts. */
typedef struct run_options {
	uint64_t n;              /* kernels to generate */
	const char *out_dir;
	gen_options gen;         /* seed, categories, size budget, --weights table */
	pool_options pool;       /* Python, worker, jobs, devices, batch, timeout, stop */
	chk_options chk;         /* validation tier (CHK_NONE: none), arch, cxx */
	int exec;                /* --validate run: chk at compile (CUDA only) and the run tier on CPU */
	const char *run_cxx;     /* the run tier's compiler: --cxx, or cxx_run_default() */
	size_t shard_size;       /* records per shard */
	jsonl_format format;     /* shards: jsonl or jsonl.zst */
	int zstd_level;          /* 0: default */
	int dedup;               /* drop exact and structural duplicates */
	int force;               /* replace an existing dataset in out_dir */
	int resume;              /* continue the interrupted run in out_dir */
	/* --part K/N (part_n 0: the whole run): this directory holds only the
	 * kernels of part K's index range (run_range), for `merge` to join */
	uint64_t part_k, part_n;
} run_options;

/* The kernel indices [*first, *end) this run makes: 0..n, or part K of N's
 * share (K*floor(n/N) + min(K, n mod N) on: sizes differ by at most one,
 * the parts in order tile 0..n). */
void run_range(const run_options *o, uint64_t *first, uint64_t *end);

/* One point of the throughput timeline, taken every RUN_TIMELINE_STEP
 * kernels: lets a user (and the benchmark) see whether a long run slows. */
#define RUN_TIMELINE_STEP 1000
typedef struct run_point {
	uint64_t done;
	double seconds;
	long worker_rss_kib;
} run_point;

/* Where a kernel that gave no record was stopped (rejects.jsonl "stage"). */
typedef enum run_stage { STAGE_WARP, STAGE_WORKER, STAGE_EXTRACT, STAGE_VALIDATE, STAGE_COUNT } run_stage;
const char *run_stage_name(run_stage st);

typedef struct run_state {
	uint64_t dispatched;     /* the next kernel index to hand out */
	uint64_t done, records, rejects; /* kernels stored (of run_range's), records, rejects */
	uint64_t cat_records[GEN_CATEGORY_COUNT];
	uint64_t cat_rejects[GEN_CATEGORY_COUNT];
	uint64_t dropped_exact, dropped_structural; /* by dedup */
	uint64_t stage_rejects[STAGE_COUNT];
	uint64_t resumed_from;   /* first index this process generated */
	uint64_t resumed_records; /* records kept from before a resume */
	double started, elapsed;
	/* the first kernel this process stored: seconds after `started` (0:
	 * none yet) and `done` then. Rates are measured from here, start-up
	 * (Python, Warp, compilers) left out. */
	double first_stored;
	uint64_t first_done;
	int complete;            /* every kernel answered and stored */
	int resumable;           /* incomplete, with its journal and manifest kept: --resume goes on */
	long peak_rss_kib;       /* this process */
	double cpu_s, main_cpu_s; /* CPU seconds of this process (all its threads, not the workers) and of its main thread */
	run_point *timeline;     /* owned by run_generate; NULL after it returns */
	size_t ntimeline;
	pool_stats pool;
	chk_stats chk;           /* validation counts and compiler time */
	rt_report exec;          /* the run tier's counts (--validate run) */
	double exec_build_s, exec_run_s;
	uint64_t exec_builds;    /* shared objects the run tier compiled */
	char note[320];          /* one line for the user (a slower mode), or "" */
} run_state;

/* Called as the run goes, first once everything has started (so a note can
 * be shown before the work), once more as soon as a stop (o->pool.stop) has
 * ended the hand-out (the kernels in flight are still finishing), last at
 * the end. */
typedef void run_progress_fn(const run_options *o, const run_state *s, void *ctx);

/* Runs the pipeline, holding out_dir's lock (store/lock.h) throughout.
 * Returns 0 when the dataset is complete; -1 with a one-line reason in err
 * otherwise: records already finished are kept and the manifest says the
 * run is incomplete (s->resumable). A stop (o->pool.stop) always leaves a
 * resumable directory, even one with nothing stored yet; a fresh run that
 * failed before it stored anything leaves nothing, so that it can simply
 * be run again. */
int run_generate(const run_options *o, run_state *s, run_progress_fn *progress, void *pctx, buf *err);

/* The options that decide the dataset's bytes, as JSON (manifest, journal). */
json_t *run_options_json(const run_options *o);

/* Which options the user gave explicitly (RUN_GIVEN_* bits): on --resume the
 * others are taken from the journal, and a given one that differs is refused. */
enum {
	RUN_GIVEN_N = 1 << 0,
	RUN_GIVEN_SEED = 1 << 1,
	RUN_GIVEN_DEVICES = 1 << 2,
	RUN_GIVEN_CATEGORIES = 1 << 3,
	RUN_GIVEN_SHARD_SIZE = 1 << 4,
	RUN_GIVEN_FORMAT = 1 << 5,
	RUN_GIVEN_ZSTD_LEVEL = 1 << 6,
	RUN_GIVEN_DEDUP = 1 << 7,
	RUN_GIVEN_VALIDATE = 1 << 8,
	RUN_GIVEN_ARCH = 1 << 9,
	RUN_GIVEN_MAX_STMTS = 1 << 10,
	RUN_GIVEN_MAX_DEPTH = 1 << 11,
	RUN_GIVEN_WEIGHTS = 1 << 12,
	RUN_GIVEN_PART = 1 << 13,
	RUN_GIVEN_STYLE = 1 << 14,
};

/* Rate of this process's work in kernels/s, from its first stored kernel
 * on (0 until two are stored). */
double run_rate(const run_state *s);

/* Fills o's dataset options from the journal of the run in o->out_dir
 * (a --weights table read back from it is kept in static storage). Returns
 * 0, or -1 with a one-line reason (no journal, a conflicting option). */
int run_resume_options(run_options *o, unsigned given, buf *err);

/* The dataset options of o from their JSON (run_options_json's, e.g. a
 * manifest's "options"), over what o holds: 0, or -1 when unreadable.
 * Strings (arch) and a weights table are kept in static storage. */
int run_options_from_json(const json_t *j, run_options *o);

#endif

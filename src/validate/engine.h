/* engine: the validation engine's insides, shared by its three files:
 * engine.c (threads, queues, screening and the public chk_* calls),
 * batch.c (modules grouped into one translation unit, failing batches
 * bisected) and flags.c (the compilers' options). Nothing outside
 * src/validate includes it. */
#ifndef JS_VALIDATE_ENGINE_H
#define JS_VALIDATE_ENGINE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/dev.h"
#include "validate/chk.h"
#include "validate/cxx.h"
#include "validate/nvserver.h"
#include "validate/scratch.h"

/* One kernel's modules: borrowed from the caller (chk_submit). */
typedef struct item {
	uint64_t index;
	const char *text[DEV_COUNT];
	size_t len[DEV_COUNT];
	size_t pro[DEV_COUNT]; /* prologue length */
	int ok[DEV_COUNT];
	char *diag[DEV_COUNT];
	int pending;		  /* device jobs still to finish */
	int cancelled;		  /* chk_cancel: dropped, never handed out */
	struct item *prev, *next; /* the live list: every item not yet handed out */
	struct item *done_next;	  /* the done queue */
} item;

/* One device's batch, as a thread takes it. */
typedef struct job {
	dev_id d;
	size_t n;
	item **v;
	struct job *next;
} job;

struct chk_engine {
	chk_tier tier;
	unsigned devices;
	int batch, nthreads, diag_lines;
	size_t batch_bytes;
	char *native_prefix; /* "<native_dir>/", shown as "warp/native/" in diagnostics */
	chk_limits lim;	     /* the defaults filled in */
	/* NVRTC servers: nvs[slot] is thread `slot`'s (nthreads + 1 of them, the
	 * last for chk_check_one), started when first needed; NULL without CUDA. */
	nvsrv *nvs;
	char *self; /* this program, which the servers are */
	int nv_major, nv_minor;
	cxx_tool *cx;
	scratch tmp;
	char *note; /* chk_note */
	/* NVRTC options of thread `slot`: nv_opts[slot] without PCH (compiles
	 * of CHK_NVRTC_PCH_BELOW modules or more), nv_opts_pch[slot] with the
	 * thread's own PCH directory, or NULL when PCH is off. */
	char ***nv_opts, ***nv_opts_pch;
	int nv_nopts, nv_nopts_pch;

	pthread_mutex_t mu;
	pthread_cond_t job_cv, done_cv;
	pthread_mutex_t sync_mu; /* chk_check_one's slot */
	job *jq_head, *jq_tail;
	item **part[DEV_COUNT];
	size_t npart[DEV_COUNT], part_bytes[DEV_COUNT];
	item live; /* sentinel of the live list */
	item *done_head, *done_tail;
	size_t outstanding, ndone;
	int running; /* jobs the threads are compiling */
	int stop;
	pthread_t *th;
	int nth_started;
	int efd;
	chk_stats st;
};

/* batch.c: checks a job's items, grouped by identical prologue, with the
 * compiler slot `slot` (a thread's PCH directory and option vector). */
void batch_run_job(chk_engine *e, const job *j, int slot);
/* ...and one set of items of one device (bisected when it fails). */
void batch_check(chk_engine *e, dev_id d, item **v, size_t n, int slot);

#endif

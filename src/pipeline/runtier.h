/* runtier: `jitsynth validate DIR --tier run`: every record's CPU module
 * through the run tier (exec.h), in batches, with counts of what executed,
 * what did not (by class, with an example each), finite and deterministic
 * outputs and the adjoint check's verdicts. Never prints (the CLI does). */
#ifndef JS_PIPELINE_RUNTIER_H
#define JS_PIPELINE_RUNTIER_H

#include <signal.h>
#include <stdint.h>

#include "common/buf.h"

typedef struct rt_options {
	const char *native_dir; /* warp/native */
	const char *cxx;	/* NULL: cxx_run_default() */
	int batch;		/* kernels per shared object; <= 0: xq_batch_size of the manifest's count */
	int jobs;		/* threads building and running batches; <= 0: 1 */
	const volatile sig_atomic_t *stop; /* set: stop after the batches in progress */
} rt_options;

#define RT_MAX_CLASSES 16
typedef struct rt_class {
	char name[24];
	uint64_t n;
	char example[200]; /* "kernel: reason" of the first one */
} rt_class;

typedef struct rt_report {
	uint64_t records, no_module, executed, finite, deterministic;
	uint64_t grad_pass, grad_fail, grad_unsupported;
	rt_class not_run[RT_MAX_CLASSES], grad_classes[RT_MAX_CLASSES];
	int nnot_run, ngrad;
	double seconds, build_s, run_s;
	uint64_t builds; /* shared objects compiled */
	int interrupted;
} rt_report;

int rt_run(const char *dir, const rt_options *o, rt_report *rep, buf *err);

/* The counts as JSON (the manifest's validation.run): executed, finite,
 * deterministic, not_executed {class: n}, grad {pass, fail, unsupported,
 * classes {name: {n, example}}}. Timing left out: it is reproducible. */
#include <jansson.h>
json_t *rt_report_json(const rt_report *rep);

/* Adds one exec object's verdicts to rep (also for generate's manifest). */
void rt_count(rt_report *rep, const char *kernel, const char *exec_json);

#endif

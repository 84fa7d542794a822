/* gpucheck: `jitsynth validate DIR --tier run --devices cuda` (`make
 * gpu-check`), on a machine with an NVIDIA GPU: every record's CPU module
 * run by the run tier (the reference, every output's values) and its CUDA
 * module compiled by NVRTC for the GPU and launched twice on the same
 * inputs (exec/cudarun.c); the outputs compared, integers exactly, floats
 * within |cpu - cuda| <= atol + rtol * max(|cpu|, |cuda|) (rtol GC_RTOL, or
 * GC_RTOL_HALF for a kernel that computes through float16); both launches
 * must give identical bytes. Kernels are split into well defined (every
 * array an input, an output each thread writes only its own elements of,
 * or an accumulator of one atomic kind) and the rest, whose results may
 * depend on thread order. Each divergence becomes a line of
 * DIR/divergences.jsonl with a self-contained reproducer: the Python
 * source, the launch, every input's values and both outputs. Never prints
 * (the CLI does). */
#ifndef JS_PIPELINE_GPUCHECK_H
#define JS_PIPELINE_GPUCHECK_H

#include <signal.h>
#include <stdint.h>

#include "common/buf.h"
#include "pipeline/runtier.h"

#define GC_RTOL 1e-4
#define GC_ATOL 1e-5
/* A kernel computing through float16 (a 10-bit mantissa, eps 9.8e-4) is
 * held to two of its rounding steps instead. */
#define GC_RTOL_HALF 2e-3

typedef struct gc_options {
	const char *native_dir; /* warp/native */
	const char *cxx;	/* NULL: g++ */
	int jobs;		/* batches at once (one CPU runner and one CUDA runner each) */
	const char *divergences; /* NULL: DIR/divergences.jsonl */
	const volatile sig_atomic_t *stop;
} gc_options;

/* [0]: well-defined kernels, [1]: the others */
typedef struct gc_report {
	uint64_t records, no_module;
	uint64_t compared[2], agree[2], diverged[2], launches_differ[2];
	uint64_t cpu_not_run, cuda_not_run;
	rt_class not_run[RT_MAX_CLASSES]; /* why a kernel was not compared, by class */
	int nnot_run;
	char gpu[128];
	double seconds;
	int interrupted;
} gc_report;

int gc_run(const char *dir, const gc_options *o, gc_report *rep, buf *err);

#endif

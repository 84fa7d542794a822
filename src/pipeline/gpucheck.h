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
 * (the CLI does).
 *
 * Conditioning: for each kernel whose CPU and CUDA outputs differ, the CPU
 * runs it again on two perturbations of its inputs (exec/inputs.h
 * xin_perturb: every float input scalar one ulp up or down) and compares
 * each with its own unperturbed outputs by the same rule. When either
 * differs, the kernel is ill-conditioned at its inputs: the CPU cannot
 * reproduce its own output to the tolerance under a one-ulp change of its
 * inputs, so a CPU/CUDA difference of that size (an ulp between two libms,
 * amplified) says nothing about either implementation. A classification
 * beside the verdict: the divergence stays in divergences.jsonl and in
 * `diverged`, with "conditioning" added; the tolerance is not widened. */
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
	uint64_t ill_conditioned[2]; /* of the diverged[] whose CPU/CUDA outputs differ */
	uint64_t conditioning_unknown; /* the CPU did not run on perturbed inputs */
	uint64_t cpu_not_run, cuda_not_run;
	rt_class not_run[RT_MAX_CLASSES]; /* why a kernel was not compared, by class */
	int nnot_run;
	char gpu[128];
	double seconds;
	int interrupted;
} gc_report;

int gc_run(const char *dir, const gc_options *o, gc_report *rep, buf *err);

/* GC_PERTURBATIONS perturbations (k = 1, 2) per CPU/CUDA divergence. */
#define GC_PERTURBATIONS 2

/* The conditioning rule, CPU only: cpu_json is a kernel's exec object in
 * values mode, pert[0..n) the same kernel's on perturbed inputs
 * (exec_item.perturb). Returns 1 when any output of any perturbation
 * disagrees with cpu_json's (integers exactly, floats within
 * GC_ATOL + rtol * max), 0 when all agree, -1 when a run is missing or was
 * not executed (*why then names it). *rel gets the largest relative
 * change of any float output. */
int gc_conditioning(const char *cpu_json, const char *const *pert, int n, double rtol, double *rel,
		    const char **why);

#endif

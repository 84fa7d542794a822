/* exec: the run tier (`--validate run`, `validate --tier run`) on CPU.
 * A batch of Warp CPU modules is compiled by g++ into one shared object
 * (validate's cxx tool: Warp's flags, a builtin.h PCH, its limits), with a
 * shim that binds warp.so's CPU block runtime (wp_cpu_block_runtime_get_api)
 * and a table of each argument struct's layout as the compiler sees it; then a
 * runner child (this program again, `__exec-runner`, runner.c) loads it
 * under CPU-time and memory limits and runs each kernel (kernel.c) on
 * inputs built from the signature in its module text (sig.h, inputs.h).
 * A kernel that crashes, spins or exhausts memory ends its runner: it is
 * reported as not executed with the reason, and a new runner goes on with
 * the rest of the batch. No Warp Python runs here.
 *
 * Each kernel's result is its record's `exec` object as JSON text
 * (README, "Execution"): status executed / not_executed (with class and
 * reason), launch shape, inputs seed, per parameter its role, dtype, shape
 * and the first values in and out, an xxh3 digest of the outputs, finite,
 * deterministic, and grad (the adjoint check).
 *
 * Screening: besides chk_screen's rules, a module that holds inline
 * assembly is refused (the assembler runs here, unlike the compile tier).
 *
 * Ownership: results' json strings belong to the caller (free). exec_batch
 * is thread safe (queue.h runs it on several threads). */
#ifndef JS_EXEC_EXEC_H
#define JS_EXEC_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define EXEC_RUNNER_COMMAND "__exec-runner"
#define EXEC_MEM_MIB 2048     /* a runner's address space (warp.so and a batch need ~300 MiB) */
#define EXEC_CPU_SECONDS 20   /* a runner's CPU time per 16 kernels of its batch (16 real kernels take < 1 s) */
#define EXEC_BATCH 128        /* kernels per shared object when the run's size is unknown (exec_batch_size) */
#define EXEC_BATCH_MAX 256    /* ... and at most: each build costs clang ~0.15 s besides its modules */
#define EXEC_KERNEL_WALL 10   /* wall seconds one kernel may take before its runner is killed */

typedef struct exec_options {
	const char *cxx;	/* NULL: cxx_run_default() (clang++-16 if installed, else g++) */
	const char *native_dir; /* warp/native of the installed warp-lang (warp.so is ../bin/warp.so) */
	const char *scratch;	/* an existing private directory */
	unsigned mem_mib, cpu_s, kernel_wall_s; /* 0: the defaults above */
	int values; /* eval: every output scalar in "values", no adjoint check */
	int cuda; /* run on the GPU instead (cudarun.c): items carry their CUDA module too */
} exec_options;

typedef struct exec_item {
	const char *text; /* a CPU module */
	size_t len;
	uint64_t seed; /* the inputs' seed */
	int perturb;   /* with exec_options.values, k > 0: on perturbation k of those inputs (inputs.h xin_perturb) */
	const char *cuda_text; /* with exec_options.cuda: the CUDA module */
	size_t cuda_len;
	/* The record's kernel (its Python name), or NULL for the module's
	 * first: the one of a module holding several (an ingested one) that
	 * runs. A module shared by several items of a batch is built once. */
	const char *kernel;
} exec_item;

/* A CUDA runner that lost its context to a fault ends with this status. */
#define EXEC_EXIT_GPU_FAULT 86

typedef struct exec_stats {
	uint64_t batches, builds, runners, kernels;
	double build_s, run_s;
} exec_stats;

typedef struct exec_tool exec_tool;

exec_tool *exec_create(const exec_options *o, buf *err);
void exec_free(exec_tool *t);

/* Runs n kernels; json[i] gets kernel i's exec object (malloc'd). Returns
 * 0, or -1 with one line in err when the machinery itself failed (the
 * compiler or the runner could not be started): nothing is known then. */
int exec_batch(exec_tool *t, const exec_item *v, size_t n, char **json, buf *err);

void exec_stats_get(exec_tool *t, exec_stats *out);

/* The runner's main (main.c hands it argv when argv[1] is EXEC_RUNNER_COMMAND). */
int exec_runner(int argc, char **argv);

/* A seed for kernel `index` of a run with `seed`: the inputs_seed. */
uint64_t exec_inputs_seed(uint64_t seed, uint64_t index);

#endif

/* exec_int: what the run tier's files share (exec.c, tu.c, runner.c,
 * kernel.c, cudarun.c);
 * nothing outside src/exec includes it. */
#ifndef JS_EXEC_INT_H
#define JS_EXEC_INT_H

#include <jansson.h>
#include <stdint.h>

#include "common/buf.h"
#include "exec/sig.h"

/* wp_cpu_block_runtime_api: five function pointers */
#define EXEC_RT_API_BYTES (5 * sizeof(void *))

typedef void (*exec_fwd_fn)(void *dim, void *args);
typedef void (*exec_bwd_fn)(void *dim, void *args, void *adj_args);

/* kernel.c: runs one kernel (forward twice, adjoint check) and appends its
 * exec JSON object to out. bwd may be NULL. values: no adjoint check, and
 * "values" holds every scalar of every output (for eval's comparison);
 * with values, perturb > 0 runs it on perturbation `perturb` of its inputs
 * (xin_perturb; the object then says "perturbation": k). */
void exec_run_kernel(const sig *s, uint64_t seed, exec_fwd_fn fwd, exec_bwd_fn bwd, int values, int perturb,
		     buf *out);

/* kernel.c: why the adjoint check cannot judge this kernel, known from its
 * signature alone (an in-out array, an output stored under two index
 * forms, a builtin whose adjoint Warp leaves out, no float input and
 * output arrays), with its class in *cls; NULL when it can. The runner
 * asks it before anything else, so exec.c builds such a kernel without its
 * backward entry point. */
const char *exec_grad_static(const sig *s, const char **cls, char *why, size_t cap);

/* The exec object of a kernel that was not executed: its reason class
 * (a short key such as "geometry") and the reason. */
void exec_json_not_run(buf *out, const char *cls, const char *reason);

int exec_runner_main(int argc, char **argv);

/* tu.c, for exec.c's batches: whether a module holds inline assembly
 * outside comments, and the shim appended to a batch of n kernels, sg[i]'s
 * module body being in namespace jitsynth_mod_<ns[i]>. */
int exec_has_asm(const char *s, size_t n);
void exec_tu_shim(buf *tu, const sig *const *sg, const size_t *ns, size_t n);
/* The module text without kernel `entry`'s backward entry point
 * (its block payload and thunk and its extern "C" <entry>_cpu_backward, as
 * Warp writes them) into *out: the compiler then never instantiates the template
 * backward function, and the build costs about 40 % less. 0, or -1 (*out
 * untouched) when the text holds no such section, or when the
 * rest would not pass the screen and the asm check again (a cut must not
 * change how the text around it reads). */
int exec_tu_without_backward(const char *text, size_t len, const char *entry, buf *out);

/* runner.c, shared with cudarun.c: the result stream's descriptor, a
 * write of all of it (or _exit), a whole file read into memory. */
extern int exec_out_fd;
/* The result stream becomes a copy of stdout, and stdout /dev/null, so
 * that nothing a module prints can join the stream. 0, or -1. */
int exec_take_stdout(void);
void exec_emit(const char *s, size_t n);
char *exec_read_file(const char *path, size_t *len);
/* kernel.c: a value as JSON: integers, reals, "nan", "inf", "-inf". */
json_t *exec_json_num(double v, int is_float);
int exec_cuda_runner_main(int argc, char **argv); /* cudarun.c */

/* kernel.c: the geometry builder bound to the runner's warp.so */
struct xgeo_api;
void exec_set_geometry(const struct xgeo_api *api);

#endif

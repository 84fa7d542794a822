/* cuda: running Warp's CUDA kernels on a GPU through the CUDA driver API,
 * loaded at run time with dlopen (libcuda.so.1), so that jitsynth builds
 * and runs where there is no GPU and no driver. Nothing here links against
 * libcuda or includes cuda.h: the few entry points used are declared in
 * cuda.c and resolved with dlsym.
 *
 * A kernel's parameters are given as the host image of its argument block
 * (Warp's CUDA entry points take the same types as the CPU ones, one by
 * value each: launch_bounds_t, then each parameter) plus the host buffers
 * those parameters point at. xcu_launch copies the buffers to the device,
 * rewrites every 8-byte word of a parameter that holds a buffer's host
 * address into the device address (arrays, their grads, the arrays inside
 * structs and indexed arrays alike), launches, waits, and copies every
 * buffer back. Words of the buffers themselves that hold a buffer's host
 * address are rewritten the same way (a fabric array's buckets point at
 * its data). Host addresses are heap pointers of the caller, so no other
 * value can equal one.
 *
 * A spinning kernel cannot be stopped from the host: callers run this in a
 * child process that its parent kills at a wall-clock limit (the runner).
 * The CUDA driver reserves tens of GiB of address space: such a child
 * cannot run under RLIMIT_AS.
 *
 * Ownership: an xcu owns its context's use and every module it loaded;
 * xcu_close releases them. */
#ifndef JS_EXEC_CUDA_H
#define JS_EXEC_CUDA_H

#include <stddef.h>

#include "common/buf.h"

typedef struct xcu xcu;
typedef struct xcu_module xcu_module;

/* One host buffer a kernel's parameters point at; host is read before the
 * launch and written with the device's contents after it. */
typedef struct xcu_buf {
	void *host;
	size_t bytes;
} xcu_buf;

/* Opens device `ordinal` (0: the first GPU) and its primary context. On
 * failure returns NULL with one line in err ("no CUDA driver
 * (libcuda.so.1): run on a machine with an NVIDIA GPU", or the driver's
 * error). */
xcu *xcu_open(int ordinal, buf *err);
void xcu_close(xcu *c);

/* The device's compute capability as NVRTC's architecture number (90 for
 * sm_90) and its name. */
int xcu_arch(const xcu *c);
const char *xcu_name(const xcu *c);

/* Loads a CUBIN (or PTX) image. NULL with one line in err on failure. */
xcu_module *xcu_load(xcu *c, const void *image, size_t len, buf *err);

/* Launches `entry` of module m over `threads` threads in blocks of
 * block_dim (Warp's kernels loop over their launch bounds, so any grid
 * covers them) with nparams parameters, parameter i being size[i] bytes at
 * blob + off[i]; bufs as above. Returns 0, or -1 with one line in err (a
 * missing entry point, a failed launch, a fault in the kernel). With
 * dynamic_smem, the kernel gets all the dynamic shared memory a block may
 * have beside its static shared memory (Warp's tile kernels). After a
 * fault the context is lost: the caller's process must end. */
int xcu_launch(xcu *c, xcu_module *m, const char *entry, const unsigned char *blob, const size_t *off,
	       const size_t *size, int nparams, xcu_buf *bufs, int nbufs, size_t threads, unsigned block_dim,
	       int dynamic_smem, buf *err);

#endif

/* nvrtc: NVIDIA's runtime CUDA compiler, loaded at run time with dlopen so
 * that jitsynth builds and runs where the CUDA toolkit is absent. Nothing
 * here links against libnvrtc or includes nvrtc.h: the handful of entry
 * points used are declared in nvrtc.c and resolved with dlsym.
 *
 * Lookup order: $JITSYNTH_NVRTC when set (and then only it: a bad path
 * simulates a machine without CUDA), else libnvrtc.so.13, libnvrtc.so,
 * $CUDA_HOME/lib64/libnvrtc.so.13, /usr/local/cuda/lib64/libnvrtc.so.13.
 *
 * The library is thread safe: one nvrtc_lib may compile from several
 * threads at once (each call makes and destroys its own program). Once
 * loaded, the shared library stays mapped until the process exits. Only
 * child processes load it (the NVRTC servers, nvserver.h, and the run
 * tier's CUDA runners): NVRTC takes over SIGINT and SIGTERM while it
 * compiles, which jitsynth's own process must never see. */
#ifndef JS_VALIDATE_NVRTC_H
#define JS_VALIDATE_NVRTC_H

#include <stddef.h>

#include "common/buf.h"

typedef struct nvrtc_lib nvrtc_lib;

/* Loads NVRTC. On failure returns NULL and appends one line to err:
 * "NVRTC not found (libnvrtc.so.13): install the CUDA toolkit or use
 * --validate none / --devices cpu". The caller frees with nvrtc_unload. */
nvrtc_lib *nvrtc_load(buf *err);
void nvrtc_unload(nvrtc_lib *lib);

/* NVRTC's version (e.g. 13, 0) and the path it was loaded from. */
void nvrtc_version(const nvrtc_lib *lib, int *major, int *minor);

/* Compiles one program named `name` (the name diagnostics and automatic PCH
 * files use) with the given options. Returns 0 when it compiled, 1 when the
 * compiler rejected it (log holds NVRTC's log), -1 when NVRTC itself failed
 * (log holds the reason). The log is appended to, never reset. When out_size
 * is not NULL it receives the size of the PTX produced (0 for syntax-only). */
int nvrtc_compile(const nvrtc_lib *lib, const char *src, const char *name, const char *const *opts, int nopts,
		  buf *log, size_t *out_size);

/* As nvrtc_compile, for an --gpu-architecture=sm_NN program: on success
 * appends the CUBIN to cubin (the run tier's CUDA side, which loads NVRTC
 * in its own runner process). */
int nvrtc_compile_cubin(const nvrtc_lib *lib, const char *src, const char *name, const char *const *opts, int nopts,
			buf *log, buf *cubin);

#endif

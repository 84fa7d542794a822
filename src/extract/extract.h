/* extract: finds a kernel's forward and backward functions in a module text
 * Warp generated, exactly as Warp wrote them (CPU: the `template <...>`
 * line and `static void NAME_HASH_cpu_kernel_forward(...) {...}`; CUDA:
 * `extern "C" __global__ void NAME_HASH_cuda_kernel_forward(...) {...}`).
 * Spans point into the module text; nothing is copied. */
#ifndef JS_EXTRACT_H
#define JS_EXTRACT_H

#include <stddef.h>

#include "common/dev.h"

typedef struct ext_span {
	const char *start;
	size_t len;
} ext_span;

typedef struct ext_kernel {
	ext_span forward;
	ext_span backward;
	char hash[24]; /* Warp's kernel hash suffix, e.g. "897f9253" */
} ext_kernel;

/* Finds kernel `name`'s functions in module[0..len). Returns 0, or -1 with a
 * short reason ("no cpu forward function for 'k'") in why[0..whylen). A
 * module generated without backward code gives an empty backward span. */
int ext_kernel_find(const char *module, size_t len, const char *name, dev_id d,
		    ext_kernel *out, char *why, size_t whylen);

#endif

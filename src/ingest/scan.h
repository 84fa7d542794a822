/* scan: finds the `@wp.kernel` functions of a Python file from its surface
 * syntax alone (decorators, def, class, indentation; strings, comments,
 * brackets and continuations understood), without running or parsing it.
 * It owns no file I/O: the caller hands it the text. */
#ifndef JS_SCAN_H
#define JS_SCAN_H

#include <stddef.h>

typedef struct scan_kernel {
	char name[128];
	int line;     /* of the `def` */
	int first;    /* of its first decorator */
	int last;     /* last non-blank line of its body */
	int toplevel; /* at module level (not inside a def or class) */
	int in_def;   /* inside a function: a factory's kernel */
} scan_kernel;

typedef struct scan_result {
	scan_kernel *k;
	size_t n, cap;
} scan_result;

/* Scans text[0..len) and appends every @wp.kernel / @warp.kernel function
 * (with or without arguments to the decorator) to r, in file order. */
void scan_kernels(const char *text, size_t len, scan_result *r);
void scan_result_free(scan_result *r);

#endif

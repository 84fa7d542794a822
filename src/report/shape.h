/* shape: how big and how deeply nested a Warp kernel is, read from its
 * Python source by a small line scanner (no parser), for the statements and
 * nesting-depth distributions of `jitsynth stats` and the manifest.
 *
 * Only the body of the first `@wp.kernel` function counts (not @wp.func
 * helpers, structs or module constants). Over that body:
 *
 *   statements     the number of logical lines: a compound head (`if ...:`,
 *                  `elif ...:`, `else:`, `for ...:`, `while ...:`) counts
 *                  as one, like any simple statement; blank lines and
 *                  comment-only lines do not count; physical lines joined
 *                  by open brackets or a trailing backslash, and strings
 *                  (triple-quoted ones included), are one logical line.
 *                  Several statements on one line (`a = 1; b = 2`, or
 *                  `if c: x = 1`) are one logical line.
 *   nesting depth  the deepest block depth of a logical line in the body,
 *                  by indentation: 0 for the body's own level (no if/for/
 *                  while/else block), 1 for a line inside one block, 2
 *                  inside a block inside a block, ...
 */
#ifndef JS_SHAPE_H
#define JS_SHAPE_H

#include <stddef.h>

typedef struct shape_info {
	unsigned statements, depth;
} shape_info;

/* Measures the first @wp.kernel function of src[0..n). Returns 0 with *out
 * filled, or -1 (and *out zeroed) when src defines no @wp.kernel function. */
int shape_scan(const char *src, size_t n, shape_info *out);

#endif

/* realism: how much a dataset's kernels read like Warp code people write.
 * Accumulates pyfeat.h's per-kernel features as fixed-bucket distributions
 * (statements, parameters, nesting, guards, helper calls, launch
 * dimensions, annotation style, dtypes, name lengths, ...), for a dataset
 * (stats.c feeds each record's Python) and for a reference of real Warp
 * code (directories of .py files, read as untrusted text, never executed);
 * renders them side by side with one distance: the mean total-variation
 * distance over the features. Memory is fixed (the name sets are capped).
 * Prints nothing. */
#ifndef JS_REALISM_H
#define JS_REALISM_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

enum { REALISM_BUCKETS = 16, REALISM_NAMES = 1 << 18 };

typedef enum {
	RF_STATEMENTS,
	RF_PARAMS,
	RF_NEST,
	RF_EXPR_DEPTH,
	RF_BUILTINS,
	RF_LITERALS,
	RF_DIMS,
	RF_GUARD,
	RF_HELPER,
	RF_DOCSTRING,
	RF_COMMENT,
	RF_STRUCT,
	RF_INDIRECT,
	RF_LOOP,
	RF_ATOMIC,
	RF_PARAM_KIND,
	RF_ANNOTATION,
	RF_DTYPE,
	RF_PARAM_NAME,
	RF_LOCAL_NAME,
	RF_COUNT
} realism_feature;

/* A set of 64-bit name fingerprints, at most REALISM_NAMES (then it stops growing). */
typedef struct realism_names {
	uint64_t *slot;
	size_t n, cap;
} realism_names;

typedef struct realism {
	uint64_t kernels, files, skipped;
	uint64_t count[RF_COUNT][REALISM_BUCKETS];
	realism_names params, locals;
	unsigned char *catalog_seen; /* Warp builtins called (gen/catalog.h), or NULL before any source */
} realism;

void realism_init(realism *r);
void realism_release(realism *r);
/* Measures every @wp.kernel function of src[0..n). */
void realism_add_source(realism *r, const char *src, size_t n);

/* Called with "PATH: what" for each file or directory of a reference skipped. */
typedef void (*realism_warn_fn)(const char *msg, void *ctx);
/* Adds the .py files at path (a file, or a directory read recursively:
 * regular .py files of at most 16 MiB, hidden entries and __pycache__
 * skipped, links to directories not followed, at most 16 levels and
 * 100,000 files). -1 with err when path cannot be read at all. */
int realism_add_reference(realism *r, const char *path, realism_warn_fn warn, void *ctx, buf *err);

/* The share (0..1) of bucket b of feature f, and the feature's labels. */
double realism_share(const realism *r, realism_feature f, size_t b);
size_t realism_nbuckets(realism_feature f);
const char *realism_label(realism_feature f, size_t b, char *tmp, size_t tmplen);
const char *realism_title(realism_feature f);
/* Total-variation distance of feature f between a and b (0..1), and the
 * mean over the features that both measured. */
double realism_tv(const realism *a, const realism *b, realism_feature f);
double realism_distance(const realism *a, const realism *b);
/* Whether bucket b of f is off by more than 2x where the reference's share
 * is at least 10% (acceptance check of issue 12). */
int realism_off(const realism *a, const realism *ref, realism_feature f, size_t b);

/* The distributions as text: one column for a, or a beside ref with each
 * feature's distance and the mean (ref may be NULL). */
void realism_render(const realism *a, const realism *ref, buf *out);

#endif

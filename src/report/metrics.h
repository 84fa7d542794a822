/* metrics: issue 3's generator metrics over a dataset's kept records and
 * its rejects: Warp builtins used per group of Warp's own catalog, the
 * distributions of statements and nesting depth per kernel (shape.h), and
 * rejects by reason. One accumulator serves `jitsynth stats` (reading the
 * shards) and `generate` (as it stores, for the manifest's "metrics"), so
 * the two agree by construction. It only ever reads a record's Python
 * source, and its memory is fixed: no table grows with the records. */
#ifndef JS_METRICS_H
#define JS_METRICS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "report/hist.h"
#include "report/shape.h"
#include "report/table.h"

/* Statements and depths are counted per value up to METRICS_VALUES - 1;
 * larger ones only count in a histogram's `over`, mean and max. */
enum { METRICS_VALUES = 1024, METRICS_REASONS = 48 };

typedef struct metrics {
	unsigned char *catalog_seen;    /* per entry of Warp's builtin catalog (gen/catalog.h) */
	stats_hist statements, depth;   /* per kernel, width-1 buckets */
	uint64_t no_kernel;             /* sources without a @wp.kernel function */
	stats_table reasons;            /* metrics_reject_key -> rejects */
	uint64_t rejects;
} metrics;

void metrics_init(metrics *m);
void metrics_release(metrics *m);

/* Counts one kept record from its Python source. */
void metrics_add_source(metrics *m, const char *py, size_t n);

/* What one record adds, measured while its source is at hand and added
 * once the record is kept (generate measures before dedup decides). */
typedef struct metrics_kernel {
	unsigned char *seen; /* gen_catalog_size bytes, owned; allocated by the first measure */
	shape_info shape;
	int has_kernel;
} metrics_kernel;

void metrics_measure(metrics_kernel *k, const char *py, size_t n);
void metrics_add_kernel(metrics *m, const metrics_kernel *k);
void metrics_kernel_release(metrics_kernel *k);

/* A reject's reason key: "stage: reason up to its first ':' (or 60
 * characters)", quoted names and numbers folded so that one cause is one
 * key. Appended to out. */
void metrics_reject_key(const char *stage, const char *reason, buf *out);
void metrics_add_reject(metrics *m, const char *stage, const char *reason);

/* A distribution's mean rounded to 2 decimals, as the manifest and the
 * stats table both show it. */
double metrics_mean(const stats_hist *h);

/* The manifest's "metrics" object (see README.md, "Output"). */
json_t *metrics_json(const metrics *m);

#endif

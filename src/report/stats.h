/* stats: figures over a dataset, streamed one record at a time in bounded
 * memory (fixed-bucket histograms, capped name tables, one 64-bit
 * fingerprint per distinct record for uniqueness). Renders the terminal
 * table; html.c renders the same figures as a page. Prints nothing. The
 * generator metrics (builtins per catalog group, statements, nesting depth,
 * rejects by reason) are metrics.h's, the same code as the manifest's. */
#ifndef JS_STATS_H
#define JS_STATS_H

#include <jansson.h>
#include <stdint.h>

#include "common/buf.h"
#include "report/hist.h"
#include "report/metrics.h"
#include "report/realism.h"
#include "report/table.h"
#include "store/dedup.h"

enum { STATS_EXAMPLES = 3, STATS_EXAMPLE_CHARS = 16000 };

typedef struct stats_example {
	char *kernel_name, *category, *python, *cpu, *cuda;
} stats_example;

typedef enum { STATS_PY_CHARS, STATS_PY_LINES, STATS_CPU_CHARS, STATS_CPU_LINES, STATS_CUDA_CHARS,
	       STATS_CUDA_LINES, STATS_NHIST } stats_hist_id;

typedef struct stats {
	char *dir, *layout, *warp_version;
	int complete; /* -1 unknown */
	size_t nshards;
	uint64_t records, malformed, per_device[2];
	stats_hist hist[STATS_NHIST];
	stats_table categories, builtins, validation;
	stats_table origins, licenses; /* "generated" or "ingested"; ingested records' source.license */
	stats_table execution; /* the run tier's exec objects: outcomes, flags, grad verdicts by class */
	uint64_t executed_records; /* records that carry exec */
	metrics metrics; /* builtins per catalog group, shape, rejects by reason */
	int have_dedup;
	uint64_t dedup_exact, dedup_structural;
	dedup *dd;
	dedup_set structural;
	stats_example ex[STATS_EXAMPLES];
	size_t nex;
	realism realism; /* the kernels' features (realism.h) */
	realism *ref;	 /* NULL, or the reference of `--compare` (stats_add_reference) */
	int sources_only; /* stats_scan_sources: no records, only realism */
} stats;

/* Called with "FILE:LINE: what" for each malformed line or file skipped. */
typedef void (*stats_warn_fn)(const char *msg, void *ctx);

stats *stats_new(void);
void stats_free(stats *st);
/* Reads every record of dir (any layout reader.h knows) and its
 * rejects.jsonl[.zst]. -1 with err if dir is no dataset. */
int stats_scan(stats *st, const char *dir, stats_warn_fn warn, void *ctx, buf *err);
void stats_add(stats *st, const json_t *rec);
/* Adds a reference of real Warp code (realism.h) to compare with: a .py
 * file or a directory of them. -1 with err when path cannot be read. */
int stats_add_reference(stats *st, const char *path, stats_warn_fn warn, void *ctx, buf *err);
/* Reads Python sources (a .py file or a directory of them) as the dataset
 * itself: only the realism figures are then measured. */
int stats_scan_sources(stats *st, const char *path, stats_warn_fn warn, void *ctx, buf *err);

/* The figures as a plain-text table. */
void stats_render_table(const stats *st, buf *out);

/* Helpers shared with html.c. */
const char *stats_hist_title(stats_hist_id id);
/* 100 * a / b, 0 when b is 0: the shares both renderings print. */
double stats_pct(uint64_t a, uint64_t b);

#endif

/* parts_scan: the first pass of the merge of parts, on helper threads:
 * each shard file is parsed (the JSON parse is two thirds of a merge's CPU)
 * into what the merge needs of each record -- its index, category, dedup
 * fingerprints and metrics -- while the merge, in index order on its own
 * thread, copies the lines raw. Files are handed out in order and at most
 * a few ahead of the one the merge is at, so memory stays bounded. Which
 * thread parsed what changes nothing in the output. */
#ifndef JS_PIPELINE_PARTS_SCAN_H
#define JS_PIPELINE_PARTS_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "report/metrics.h"

typedef struct parts_meta {
	int64_t index;   /* meta.index, -1 if absent */
	int category;    /* gen_category */
	uint64_t fp_exact, fp_structural;
	metrics_kernel km;
} parts_meta;

typedef struct parts_scan parts_scan;

/* Starts `threads` helpers over paths[0..n) (borrowed until the stop). */
parts_scan *parts_scan_start(char *const *paths, size_t n, int threads);
/* Waits for file i (taken in order 0, 1, ...): its records' metas and
 * their count, or NULL with "FILE:LINE: what" in err. */
const parts_meta *parts_scan_wait(parts_scan *s, size_t i, size_t *count, buf *err);
/* File i is merged: its metas are freed and a helper may go further. */
void parts_scan_done(parts_scan *s, size_t i);
/* Stops the helpers (also early), joins them and frees everything. */
void parts_scan_stop(parts_scan *s);

#endif

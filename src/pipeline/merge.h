/* merge: datasets (of any layout) into one, with dedup across all of them
 * (`jitsynth merge`). */
#ifndef JS_PIPELINE_MERGE_H
#define JS_PIPELINE_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "store/export.h"
#include "store/jsonl.h"

typedef struct merge_options {
	const char *out;
	jsonl_format format;
	int zstd_level;
	size_t shard_size;
	int dedup; /* drop exact and structural duplicates across all inputs */
	int force; /* replace a dataset already in out */
} merge_options;

typedef struct merge_result {
	uint64_t read, written, exact, structural, malformed;
	uint64_t too_large; /* records not written: longer than READER_MAX_BYTES */
	size_t nshards;
} merge_result;

/* Reads dirs in order, keeps the first of each duplicate, writes out's
 * shards, manifest.json (with "merged_from") and README.md. */
int merge_run(const char *const *dirs, size_t ndirs, const merge_options *o, export_warn_fn warn, void *ctx,
	      merge_result *res, buf *err);

#endif

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
	unsigned given; /* MERGE_GIVEN_*: the flags given (parts keep their run's otherwise) */
} merge_options;

enum { MERGE_GIVEN_FORMAT = 1, MERGE_GIVEN_LEVEL = 2, MERGE_GIVEN_SHARD_SIZE = 4, MERGE_GIVEN_DEDUP = 8 };

typedef struct merge_result {
	uint64_t read, written, exact, structural, malformed;
	uint64_t too_large; /* records not written: longer than READER_MAX_BYTES */
	size_t nshards;
	size_t parts;     /* > 0: the inputs were the parts of one run */
	uint64_t rejects; /* the parts' rejects, into rejects.jsonl */
} merge_result;

/* Reads dirs in order, keeps the first of each duplicate, writes out's
 * shards, manifest.json (with "merged_from") and README.md. When the dirs
 * are the parts of one `generate --part` run (parts.h), writes that run's
 * dataset instead, after checking they belong together. */
int merge_run(const char *const *dirs, size_t ndirs, const merge_options *o, export_warn_fn warn, void *ctx,
	      merge_result *res, buf *err);

#endif

/* ingest: real Warp code -> records of the generated schema plus `origin`
 * and `source` (`jitsynth ingest SRC... -o DIR`). Finds kernels with the
 * scanner (ingest/scan.h), compiles each file's through sandboxed workers
 * (warp/ingest.py), extracts every kernel's functions from the modules
 * Warp built and writes shards, rejects.jsonl, the manifest and the card.
 * Prints nothing. */
#ifndef JS_PIPELINE_INGEST_H
#define JS_PIPELINE_INGEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "store/jsonl.h"
#include "warp/pool.h"

typedef struct ingest_options {
	const char *const *srcs;
	size_t nsrcs;
	const char *out;
	pool_options pool; /* python, worker_script, jobs, timeout, stop; devices = what to build */
	jsonl_format format;
	int zstd_level;
	size_t shard_size;
	int dedup;
	int force;
} ingest_options;

typedef struct ingest_result {
	uint64_t files, files_with_kernels, found, module_level, paired, records, rejects;
	uint64_t exact, structural, route_import, route_standalone;
	json_t *by_reason;  /* reason class -> kernels not paired (owned) */
	json_t *per_source; /* [{src, found, module_level, paired, module_level_paired}] (owned) */
	double seconds;
	char warp_version[32];
} ingest_result;

int ingest_run(const ingest_options *o, ingest_result *res, buf *err);
void ingest_result_free(ingest_result *res);

/* The text dedup fingerprints for an ingested record: the kernel's lines
 * source.span of python_source (plus its overload signature), so that the
 * kernels of one file are not duplicates of each other. Appends to out and
 * returns 1 when rec has source.span, else 0. */
int ingest_dedup_text(const json_t *rec, buf *out);

#endif

/* ingest_manifest: what `jitsynth ingest` counts while it stores records
 * (per category, device, licence) and the manifest it writes at the end
 * (then the card, from it). */
#ifndef JS_PIPELINE_INGEST_MANIFEST_H
#define JS_PIPELINE_INGEST_MANIFEST_H

#include <jansson.h>
#include <stdint.h>

#include "common/buf.h"
#include "ingest/source.h"
#include "pipeline/ingest.h"
#include "store/jsonl.h"
#include "store/shards.h"

typedef struct ig_counts {
	json_t *per_category, *per_license;
	uint64_t per_device[2];
} ig_counts;

void ig_counts_init(ig_counts *c);
void ig_counts_free(ig_counts *c);
/* Counts one stored record (its category, devices, source.license). */
void ig_count_record(ig_counts *c, const json_t *rec);

/* manifest.json, then README.md. 0, or -1 with err. */
int ig_write_manifest(const ingest_options *o, const ingest_result *res, const src_tree *trees, size_t ntrees,
		      const ig_counts *c, const shard_set *shards, const jsonl_file *rejects, buf *err);

#endif

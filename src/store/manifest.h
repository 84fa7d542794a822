/* manifest: manifest.json, written last and atomically: the run's options,
 * the Warp version, counts per category and device, every shard with its
 * record count and SHA-256, and timing (the only field that differs between
 * two runs of the same options). */
#ifndef JS_MANIFEST_H
#define JS_MANIFEST_H

#include "common/buf.h"
#include "pipeline/run.h"
#include "store/jsonl.h"
#include "store/shards.h"

int manifest_write(const run_options *o, const run_state *s, const shard_set *shards,
		   const jsonl_file *rejects, buf *err);

#endif

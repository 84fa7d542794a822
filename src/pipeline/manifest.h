/* manifest: manifest.json, written last and atomically: the run's options,
 * the Warp version, counts per category and device, every shard with its
 * record count and SHA-256, the generator metrics (metrics.h), and timing
 * (the only field that differs between two runs of the same options). */
#ifndef JS_MANIFEST_H
#define JS_MANIFEST_H

#include <jansson.h>

#include "common/buf.h"
#include "pipeline/run.h"
#include "report/metrics.h"
#include "store/jsonl.h"
#include "store/shards.h"

/* mx: the metrics of the records and rejects stored, in index order (the
 * manifest's "metrics", a pure function of them). */
int manifest_write(const run_options *o, const run_state *s, const metrics *mx, const shard_set *shards,
		   const jsonl_file *rejects, buf *err);
/* The same with timing.parts (a merge of parts: where each was made). */
int manifest_write_timing(const run_options *o, const run_state *s, const metrics *mx, const shard_set *shards,
			  const jsonl_file *rejects, json_t *parts, buf *err);

#endif

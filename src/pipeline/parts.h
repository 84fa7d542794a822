/* parts: `jitsynth merge` of the parts of one `generate --part K/N` run
 * (merge_run hands them here). The parts are checked first, before the
 * output directory is touched: each complete, intact (verify.c), of the
 * same run (options, versions, toolchain) and together covering every
 * part 0..N-1 once. Then their records are stored in index order through
 * global dedup into shards, their rejects into rejects.jsonl, and the
 * manifest and card written as the single-machine run writes them: the
 * result is that run's dataset byte for byte (manifest timing aside, which
 * names the parts). Prints nothing. */
#ifndef JS_PIPELINE_PARTS_H
#define JS_PIPELINE_PARTS_H

#include <stddef.h>

#include "common/buf.h"
#include "pipeline/merge.h"

/* Whether dir holds a part: its manifest's (or, for a killed run, its
 * journal's) options carry "part". */
int parts_is_part(const char *dir);

typedef struct parts_plan parts_plan;

/* Checks that dirs are all the parts of one run (o's --format,
 * --shard-size, --zstd-level and --no-dedup, when given, must be the
 * run's). NULL with a one-line reason naming the problem otherwise. */
parts_plan *parts_check(const char *const *dirs, size_t ndirs, const merge_options *o, buf *err);
/* Writes the run's dataset into o->out (locked and prepared by the
 * caller). */
int parts_write(parts_plan *p, const merge_options *o, merge_result *res, buf *err);
void parts_free(parts_plan *p);

#endif

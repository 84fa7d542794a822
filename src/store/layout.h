/* layout: the names of a dataset's files, in one place. A dataset
 * directory holds train-NNNNN.jsonl[.zst] shards, rejects.jsonl,
 * manifest.json, journal.jsonl (the resume log) and README.md (the card);
 * files being written carry a leading '.' and a ".tmp" suffix until they
 * are renamed into place. */
#ifndef JS_STORE_LAYOUT_H
#define JS_STORE_LAYOUT_H

#include <stddef.h>

#define LAYOUT_MANIFEST "manifest.json"
#define LAYOUT_REJECTS "rejects.jsonl"
#define LAYOUT_JOURNAL "journal.jsonl"
#define LAYOUT_CARD "README.md"
/* rejects.jsonl while a run writes it, and while --resume sets it aside */
#define LAYOUT_REJECTS_TMP ".rejects.jsonl.tmp"
#define LAYOUT_REJECTS_RESUME ".rejects.jsonl.resume"

/* "train-00003.jsonl" (plain: shards.c and merge add ".zst" through the
 * format) into out[0..cap). */
void layout_shard_name(char *out, size_t cap, size_t index);
/* train-*.jsonl or train-*.jsonl.zst */
int layout_is_shard(const char *name);
/* Any file a jitsynth writer puts in a dataset directory, temporaries
 * included: what --force replaces and --resume sorts out. */
int layout_is_dataset_file(const char *name);

#endif

/* layout: the names of a dataset's files, in one place. A dataset
 * directory holds train-NNNNN.jsonl[.zst] shards, rejects.jsonl,
 * manifest.json, journal.jsonl (the resume log) and README.md (the card);
 * files being written carry a leading '.' and a ".tmp" suffix until they
 * are renamed into place, and a writer holds .jitsynth.lock (lock.h). Names
 * only: which of a directory's files a dataset owns is pipeline/outdir.c's
 * question, answered from its manifest and journal. */
#ifndef JS_STORE_LAYOUT_H
#define JS_STORE_LAYOUT_H

#include <stddef.h>

#define LAYOUT_MANIFEST "manifest.json"
#define LAYOUT_REJECTS "rejects.jsonl"
#define LAYOUT_JOURNAL "journal.jsonl"
#define LAYOUT_CARD "README.md"
#define LAYOUT_LOCK ".jitsynth.lock"
/* rejects.jsonl while a run writes it, and while --resume sets it aside */
#define LAYOUT_REJECTS_TMP ".rejects.jsonl.tmp"
#define LAYOUT_REJECTS_RESUME ".rejects.jsonl.resume"
/* a line of every card jitsynth writes (card.c): how README.md is known */
#define LAYOUT_CARD_MARK "pretty_name: jitsynth "

/* "train-00003.jsonl" (plain: shards.c and merge add ".zst" through the
 * format) into out[0..cap). */
void layout_shard_name(char *out, size_t cap, size_t index);
/* train-*.jsonl or train-*.jsonl.zst: what a reader takes for a shard. */
int layout_is_shard(const char *name);
/* A shard name as jitsynth writes them, exactly: "train-" 5 or more digits
 * ".jsonl" or ".jsonl.zst". Returns 1 with *index and *zst set, else 0. */
int layout_shard_index(const char *name, size_t *index, int *zst);
/* A temporary or the lock, by the exact names jitsynth gives them:
 * ".train-NNNNN.jsonl[.zst].tmp", ".rejects.jsonl.tmp",
 * ".rejects.jsonl.resume", ".manifest.json.tmp", ".journal.jsonl.tmp",
 * ".README.md.tmp", ".jitsynth.lock". */
int layout_is_leftover(const char *name);
/* A file name no jitsynth writer would put in a directory of its own
 * (a path, "", ".", "..") */
int layout_name_unsafe(const char *name);

/* Whether path names a file of the dataset in dir (a shard, the manifest,
 * the rejects, the journal, the card, a temporary, the lock, a seed pair
 * file under cpu/ or cuda/), links and relative paths resolved: what no
 * report may be written over. */
int layout_is_dataset_path(const char *dir, const char *path);

#endif

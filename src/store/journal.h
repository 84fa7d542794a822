/* journal: DIR/journal.jsonl, what makes `generate --resume` possible. Its
 * first line holds the run's options and the jitsynth version; one line is
 * appended (and fsynced) each time a shard completes, with everything needed
 * to continue after it: the shard's size, records and SHA-256, the Warp
 * version that made it, the next kernel index, the counts so far and the
 * length (and SHA-256) of rejects.jsonl's temporary file at that moment. A
 * run killed at any instant resumes from the last line; work after it is
 * redone, deterministically. Journals written before the versions and the
 * rejects checksum were recorded still load (those fields read as ""). */
#ifndef JS_JOURNAL_H
#define JS_JOURNAL_H

#include <jansson.h>
#include <stdint.h>

#include "common/buf.h"
#include "gen/gen.h"
#include "store/shards.h"

typedef struct journal_entry {
	shard_info shard;    /* the shard that completed */
	uint64_t next_index; /* kernels 0..next_index-1 are stored */
	uint64_t records, rejects;
	uint64_t cat_records[GEN_CATEGORY_COUNT];
	uint64_t cat_rejects[GEN_CATEGORY_COUNT];
	uint64_t dropped_exact, dropped_structural; /* dedup */
	uint64_t rejects_bytes;                     /* of .rejects.jsonl.tmp */
	uint64_t stage_rejects[4];                  /* run_stage order */
	char warp_version[32];                      /* that made the shard; "" in older journals */
	char rejects_sha256[65];                    /* of those rejects_bytes; "" in older journals */
} journal_entry;

/* Starts DIR/journal.jsonl with the options line (written atomically),
 * which records this jitsynth's version. */
int journal_start(const char *dir, const json_t *options, buf *err);
/* Appends one entry and fsyncs. */
int journal_append(const char *dir, const journal_entry *e, buf *err);

typedef struct journal {
	json_t *options;        /* owned */
	char jitsynth_version[32]; /* that started the run; "" in older journals */
	journal_entry *entries; /* owned, in order */
	size_t n;
} journal;

/* Reads DIR/journal.jsonl. A torn last line (killed mid-write) is ignored
 * and cut off the file, so that the entries appended next stay readable.
 * Returns 0, or -1 with a one-line reason (no journal, malformed) that says
 * how to go on. Only the run that holds the directory's lock may load. */
int journal_load(const char *dir, journal *j, buf *err);
/* The same without cutting anything: for readers that do not hold the lock
 * (a torn last line is ignored). */
int journal_read(const char *dir, journal *j, buf *err);
/* The options of the journal's header line (owned), with the version that
 * wrote it in jver ("" if not recorded), or NULL if DIR/journal.jsonl is
 * absent or does not start with a jitsynth header: whatever follows. */
json_t *journal_header(const char *dir, char *jver, size_t cap);
void journal_release(journal *j);

#endif

/* verify: a dataset directory against what its own manifest and journal say
 * of it (`jitsynth verify DIR`, and --resume on the shards it keeps): every
 * shard's byte size, SHA-256 and record count, rejects.jsonl's, the counts,
 * shards missing, extra or listed twice, and the journal's entries and Warp
 * versions against the manifest's. Reads only regular files, takes no lock
 * and prints nothing: each mismatch goes to a callback as one line. */
#ifndef JS_PIPELINE_VERIFY_H
#define JS_PIPELINE_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "store/shards.h"

/* What a file holds: its size, SHA-256 (of its first `limit` bytes) and
 * lines (of its JSON lines, decompressed for .zst). */
typedef struct verify_facts {
	uint64_t bytes, lines;
	char sha256[65];
} verify_facts;

/* Reads path (a regular file, links not followed; zst: decompressed to
 * count lines). Hashes and counts only the first `limit` bytes
 * (UINT64_MAX: all); bytes is the whole size. 0, or -1 with what is wrong
 * in why ("missing", "not a regular file", "not a valid zstd stream"...). */
int verify_file(const char *path, int zst, uint64_t limit, verify_facts *f, buf *why);

/* DIR/want->name against want (from a manifest or a journal, named by
 * `by`): 0 if size, SHA-256 and records all hold, else -1 with one line in
 * why saying what differs. */
int verify_shard(const char *dir, const shard_info *want, const char *by, buf *why);

typedef void verify_report_fn(const char *line, void *ctx);

typedef struct verify_result {
	size_t shards;	   /* shard files checked */
	uint64_t records;  /* records they hold */
	uint64_t rejects;  /* lines of rejects.jsonl */
	size_t mismatches; /* lines reported */
	int have_manifest; /* a jitsynth manifest.json was read */
	int have_journal;  /* a journal was compared too */
	int complete;	   /* the manifest says the run is complete */
} verify_result;

/* Checks dir; report gets "DIR/FILE: what" for each mismatch. Returns 0
 * when the checks ran (res->mismatches says how they went), -1 with a
 * one-line reason when dir holds no jitsynth dataset or a live run is
 * writing it. */
int verify_dataset(const char *dir, verify_report_fn *report, void *ctx, verify_result *res, buf *err);

#endif

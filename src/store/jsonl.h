/* jsonl: one output file of JSON lines, written under a temporary name
 * (".NAME.tmp") and renamed into place only when complete, optionally zstd-
 * compressed (streaming), with the SHA-256 of the bytes on disk. */
#ifndef JS_JSONL_H
#define JS_JSONL_H

#include <stdio.h>

#include <jansson.h>
#include <stddef.h>

#include "common/buf.h"

typedef enum jsonl_format {
	JSONL_PLAIN = 0, /* NAME */
	JSONL_ZST = 1,   /* NAME.zst: one zstd frame, streamed */
} jsonl_format;

enum { JSONL_ZSTD_DEFAULT_LEVEL = 3 };

typedef struct jsonl_file {
	FILE *f;
	char *path;     /* final name (with ".zst" for JSONL_ZST) */
	char *tmp_path; /* name while being written */
	void *sha;      /* EVP_MD_CTX, over the bytes on disk */
	size_t lines;
	size_t bytes;     /* bytes on disk (compressed for JSONL_ZST) */
	size_t raw_bytes; /* bytes of JSON lines before compression */
	char sha256[65];  /* hex, set by jsonl_commit */
	jsonl_format format;
	void *zc; /* ZSTD_CCtx, JSONL_ZST only */
	struct jsonl_async *async; /* the compressor thread (jsonl_async_start), or NULL */
	unsigned char *zout;
	size_t zout_cap;
} jsonl_file;

/* Opens dir/name for writing (as dir/.name.tmp), plain JSONL. Returns 0, or
 * -1 with a one-line reason in err. */
int jsonl_open(jsonl_file *j, const char *dir, const char *name, buf *err);
/* The same with a format: JSONL_ZST writes dir/name.zst compressed at
 * `level` (1..19; 0 means JSONL_ZSTD_DEFAULT_LEVEL). */
int jsonl_open_fmt(jsonl_file *j, const char *dir, const char *name, jsonl_format fmt, int level, buf *err);
/* A JSONL_ZST file compresses on a thread of its own from here on (a no-op
 * for plain files): jsonl_write queues a copy of each line and returns, the
 * thread compresses, hashes and writes them in order, exactly the bytes the
 * caller's thread would have made. A write error comes back from a later
 * jsonl_write or from jsonl_commit; until jsonl_commit, jsonl_discard or
 * jsonl_release, `bytes` and the digest are the thread's. */
typedef struct jsonl_async jsonl_async;
int jsonl_async_start(jsonl_file *j, buf *err);
/* Appends one line (which must end with '\n'). */
int jsonl_write(jsonl_file *j, const char *line, size_t len, buf *err);
/* Makes every line written so far durable (plain files only): rejects are
 * synced before a shard completes, so the journal can name their length. */
int jsonl_sync(jsonl_file *j, buf *err);
/* Reopens a plain file interrupted by a crash: its old temporary, renamed by
 * the caller to dir/.name.resume, is copied up to `keep` bytes (what the
 * journal vouches for) into a fresh temporary, hashed and counted, and
 * writing continues after it. */
int jsonl_reopen(jsonl_file *j, const char *dir, const char *name, size_t keep, buf *err);
/* Ends the zstd frame, flushes, fsyncs and renames into place; fills sha256
 * and the final `bytes`. */
int jsonl_commit(jsonl_file *j, buf *err);
/* Abandons the file: closes it and removes the temporary. Safe to call twice. */
void jsonl_discard(jsonl_file *j);
/* Frees names and state after commit or discard. */
void jsonl_release(jsonl_file *j);

/* "" or ".zst": the suffix the format adds to a file name. */
const char *jsonl_format_suffix(jsonl_format fmt);
/* "jsonl" or "jsonl.zst" (the --format words) -> format; -1 if unknown. */
int jsonl_format_parse(const char *s, jsonl_format *fmt);
const char *jsonl_format_name(jsonl_format fmt);

/* Writes a whole small file (the manifest) atomically: tmp, fsync, rename. */
/* Loads the JSON document at path, a file of the user's or a dataset's: only
 * a regular file (common/untrusted.h) of at most 64 MiB. NULL, with a reason
 * in err when err is not NULL, if it is absent, not such a file or not JSON. */
json_t *json_load_regular(const char *path, buf *err);

/* Writes j (json_dumps with flags) and a newline as dir/name, atomically
 * (write_file_atomic). j stays the caller's. */
int json_write_atomic(const char *dir, const char *name, const json_t *j, size_t flags, buf *err);

int write_file_atomic(const char *dir, const char *name, const char *data, size_t len, buf *err);

#endif

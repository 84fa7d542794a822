/* reader: streams the records of a dataset directory one at a time, in
 * constant memory, whatever its layout: jitsynth's (shards listed in
 * manifest.json, else train-*.jsonl[.zst] sorted; .zst decompressed on the
 * fly) or the seed report's (DIR/cpu/pair_*.json, DIR/cuda/pair_*.json).
 * Malformed files and lines are reported by name and line and skipped.
 * A dataset is untrusted input: only regular files are read (a symbolic link
 * is followed when it ends at one; a link to a device, a FIFO or a directory
 * is refused and named), and no line or seed pair file longer than
 * READER_MAX_BYTES is ever held in memory. */
#ifndef JS_READER_H
#define JS_READER_H

#include <jansson.h>
#include <stddef.h>

#include "common/buf.h"

/* The longest JSON line (its '\n' included) or seed pair file a reader
 * accepts; longer ones are skipped, named by file and line, without being
 * held in memory. Writers of datasets (export, merge) write nothing longer. */
#define READER_MAX_BYTES ((size_t)64 << 20)

typedef enum reader_layout {
	READER_JITSYNTH, /* JSON lines in shards */
	READER_SEED,     /* one JSON file per pair under cpu/ and cuda/ */
	READER_FILE,     /* one JSONL(.zst) file opened with reader_open_file */
} reader_layout;

/* One record. Everything is owned by the reader and valid until the next
 * reader_next or reader_close. */
typedef struct reader_record {
	/* The record in jitsynth's schema: {kernel_name, category,
	 * python_source, ir.{cpu,cuda}.forward, ...}. For the seed layout it is
	 * built from the pair files: cpu/pair_N.json and cuda/pair_N.json with
	 * the same python_source become one record with both devices (as
	 * `jitsynth export --layout seed` wrote them), otherwise one record per
	 * file; meta is {"layout": "seed"}. For READER_FILE: the line as is. */
	json_t *json;
	const char *line; /* the raw text: the JSON line (with its '\n' if it
			     had one), or the seed pair file's text */
	size_t len;
	const char *file; /* path relative to the directory: "train-00000.jsonl.zst", "cpu/pair_000003.json" */
	size_t lineno;    /* 1-based line in `file` (1 for seed pair files) */
} reader_record;

enum {
	READER_END = 0, /* no more records */
	READER_OK = 1,  /* *rec filled */
	READER_BAD = 2, /* a malformed line or file was skipped: msg says
			   "FILE:LINE: what"; call reader_next again */
};

typedef struct reader reader;

/* Opens a dataset directory. NULL with a one-line reason in err when it is
 * not readable or holds neither layout. */
reader *reader_open(const char *dir, buf *err);
/* Opens one JSON-lines file (plain or .zst by its name), e.g. rejects.jsonl;
 * records are any JSON objects. NULL with err if it cannot be opened. */
reader *reader_open_file(const char *path, buf *err);
/* The same over bytes in memory (tests, fuzzing): `name` stands for the file
 * (".zst" at its end means compressed; messages quote it). data must stay
 * valid until reader_close. */
reader *reader_open_mem(const void *data, size_t len, const char *name, buf *err);
int reader_next(reader *r, reader_record *rec, buf *msg);
/* From now on every line of a JSON-lines layout, blank ones too, comes as
 * it is: rec->json NULL, nothing parsed (merge copies lines whose fields a
 * first pass read). No effect on the seed layout. */
void reader_set_raw(reader *r);
reader_layout reader_get_layout(const reader *r);
/* DIR/manifest.json parsed, or NULL (absent, unreadable, or seed layout).
 * Borrowed. */
const json_t *reader_manifest(const reader *r);
/* Shard files in reading order (relative names; for the seed layout the
 * directories "cpu/" and "cuda/" that exist). */
size_t reader_nfiles(const reader *r);
const char *reader_file(const reader *r, size_t i);
void reader_close(reader *r);

/* Convenience for readers of the record: ir.<device>.forward (device "cpu"
 * or "cuda") or NULL, and a string member or NULL. */
const char *reader_forward(const json_t *rec, const char *device, size_t *len);
const char *reader_str(const json_t *obj, const char *key, size_t *len);

#endif

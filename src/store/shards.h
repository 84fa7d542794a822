/* shards: the dataset's train-NNNNN.jsonl files, rotated every `shard_size`
 * records; each becomes visible (renamed) only when complete. Keeps the list
 * of finished shards with their counts and checksums for the manifest. */
#ifndef JS_SHARDS_H
#define JS_SHARDS_H

#include <stddef.h>

#include "store/jsonl.h"

typedef struct shard_info {
	char name[64];
	size_t records;
	size_t bytes;
	char sha256[65];
} shard_info;

typedef struct shard_set {
	const char *dir;
	size_t shard_size;
	jsonl_format format;
	int level;
	jsonl_file cur;
	int open;
	int async; /* compress each shard on a thread of its own (jsonl_async_start) */
	shard_info *done;
	size_t ndone, cap;
} shard_set;

void shards_init(shard_set *s, const char *dir, size_t shard_size, jsonl_format format, int level);
/* Adds a shard completed by an earlier, interrupted run (resume). */
void shards_adopt(shard_set *s, const shard_info *done);
/* Appends a record line, opening or rotating shards as needed. Returns 1
 * when this line completed a shard (now the last of s->done), 0 when not,
 * -1 on error. */
int shards_write(shard_set *s, const char *line, size_t len, buf *err);
/* Completes the last, partial shard. */
int shards_finish(shard_set *s, buf *err);
/* Removes an unfinished shard's temporary file and frees the list. */
void shards_release(shard_set *s);

#endif

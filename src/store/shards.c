/* shards: rotation of record files; see shards.h. */
#include "store/shards.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/layout.h"

void shards_init(shard_set *s, const char *dir, size_t shard_size, jsonl_format format, int level)
{
	memset(s, 0, sizeof *s);
	s->dir = dir;
	s->shard_size = shard_size;
	s->format = format;
	s->level = level;
}

static shard_info *shards_push(shard_set *s)
{
	if (s->ndone == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		s->done = xrealloc(s->done, s->cap * sizeof *s->done);
	}
	return &s->done[s->ndone++];
}

void shards_adopt(shard_set *s, const shard_info *done) { *shards_push(s) = *done; }

static int shard_complete(shard_set *s, buf *err)
{
	if (jsonl_commit(&s->cur, err) < 0) {
		jsonl_release(&s->cur);
		s->open = 0;
		return -1;
	}
	shard_info *d = shards_push(s);
	const char *slash = strrchr(s->cur.path, '/');
	snprintf(d->name, sizeof d->name, "%s", slash ? slash + 1 : s->cur.path);
	d->records = s->cur.lines;
	d->bytes = s->cur.bytes;
	memcpy(d->sha256, s->cur.sha256, sizeof d->sha256);
	jsonl_release(&s->cur);
	s->open = 0;
	return 0;
}

int shards_write(shard_set *s, const char *line, size_t len, buf *err)
{
	if (!s->open) {
		char name[64];
		layout_shard_name(name, sizeof name, s->ndone);
		if (jsonl_open_fmt(&s->cur, s->dir, name, s->format, s->level, err) < 0)
			return -1;
		s->open = 1;
		if (s->async && jsonl_async_start(&s->cur, err) < 0)
			return -1;
	}
	if (jsonl_write(&s->cur, line, len, err) < 0)
		return -1;
	if (s->cur.lines >= s->shard_size)
		return shard_complete(s, err) < 0 ? -1 : 1;
	return 0;
}

int shards_finish(shard_set *s, buf *err) { return s->open ? shard_complete(s, err) : 0; }

void shards_release(shard_set *s)
{
	if (s->open)
		jsonl_release(&s->cur);
	free(s->done);
	s->done = NULL;
	s->ndone = s->cap = 0;
	s->open = 0;
}

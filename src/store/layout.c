/* layout: dataset file names (see layout.h). */
#include "store/layout.h"

#include <stdio.h>
#include <string.h>

void layout_shard_name(char *out, size_t cap, size_t index) { snprintf(out, cap, "train-%05zu.jsonl", index); }

static int has_suffix(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);
	return n >= m && !memcmp(s + n - m, sfx, m);
}

int layout_is_shard(const char *name)
{
	return !strncmp(name, "train-", 6) && (has_suffix(name, ".jsonl") || has_suffix(name, ".jsonl.zst"));
}

int layout_is_dataset_file(const char *name)
{
	return strcmp(name, LAYOUT_MANIFEST) == 0 || strcmp(name, LAYOUT_REJECTS) == 0 ||
	       strcmp(name, LAYOUT_JOURNAL) == 0 || strcmp(name, LAYOUT_CARD) == 0 ||
	       (strncmp(name, "train-", 6) == 0 && strstr(name, ".jsonl")) || (name[0] == '.' && strstr(name, ".tmp"));
}

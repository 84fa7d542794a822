/* layout: dataset file names (see layout.h). */
#include "store/layout.h"

#include <stdio.h>
#include <stdlib.h>
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

/* "train-" digits ".jsonl" [".zst"], then exactly `rest`: the name's index. */
static int shard_then(const char *name, const char *rest, size_t *index, int *zst)
{
	if (strncmp(name, "train-", 6) != 0)
		return 0;
	const char *p = name + 6;
	size_t v = 0, nd = 0;
	for (; *p >= '0' && *p <= '9'; p++, nd++) {
		if (v > ((size_t)-1 - 9) / 10)
			return 0;
		v = v * 10 + (size_t)(*p - '0');
	}
	if (nd < 5 || (nd > 5 && name[6] == '0')) /* layout_shard_name pads to 5 digits, no more */
		return 0;
	if (strncmp(p, ".jsonl", 6) != 0)
		return 0;
	p += 6;
	int z = strncmp(p, ".zst", 4) == 0;
	if (z)
		p += 4;
	if (strcmp(p, rest) != 0)
		return 0;
	if (index)
		*index = v;
	if (zst)
		*zst = z;
	return 1;
}

int layout_shard_index(const char *name, size_t *index, int *zst) { return shard_then(name, "", index, zst); }

int layout_is_leftover(const char *name)
{
	static const char *const fixed[] = {LAYOUT_LOCK,	  LAYOUT_REJECTS_TMP, LAYOUT_REJECTS_RESUME,
					    "." LAYOUT_MANIFEST ".tmp", "." LAYOUT_JOURNAL ".tmp", "." LAYOUT_CARD ".tmp"};
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
		if (strcmp(name, fixed[i]) == 0)
			return 1;
	return name[0] == '.' && shard_then(name + 1, ".tmp", NULL, NULL);
}

int layout_name_unsafe(const char *name)
{
	return !*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..");
}

static int is_dataset_name(const char *name)
{
	return layout_is_shard(name) || layout_is_leftover(name) || !strcmp(name, LAYOUT_MANIFEST) ||
	       !strcmp(name, LAYOUT_REJECTS) || !strcmp(name, LAYOUT_REJECTS ".zst") || !strcmp(name, LAYOUT_JOURNAL) ||
	       !strcmp(name, LAYOUT_CARD);
}

int layout_is_dataset_path(const char *dir, const char *path)
{
	char *d = realpath(dir, NULL), *t = realpath(path, NULL);
	if (d && !t) { /* not there yet: its directory must be */
		const char *slash = strrchr(path, '/');
		char *parent = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
		char *rp = parent ? realpath(parent, NULL) : NULL;
		size_t n = rp ? strlen(rp) + strlen(path) + 2 : 0;
		if (rp && (t = malloc(n)))
			snprintf(t, n, "%s/%s", rp, slash ? slash + 1 : path);
		free(parent);
		free(rp);
	}
	int hit = 0;
	char *name = d && t ? strrchr(t, '/') : NULL;
	if (name) {
		*name++ = '\0';
		char *sub = strrchr(t, '/');
		if (!strcmp(t[0] ? t : "/", d))
			hit = is_dataset_name(name);
		else if (sub && !strncmp(name, "pair_", 5)) { /* DIR/cpu/pair_N.json: the seed layout */
			*sub++ = '\0';
			hit = !strcmp(t[0] ? t : "/", d) && (!strcmp(sub, "cpu") || !strcmp(sub, "cuda"));
		}
	}
	free(d);
	free(t);
	return hit;
}

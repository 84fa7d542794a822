/* table: see table.h. Lookups are linear: tables hold a few dozen to a few
 * hundred names, and a record touches each at most a few times. */
#include "report/table.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

stats_count *stats_table_get(stats_table *t, const char *name, size_t len)
{
	if (len >= STATS_NAME) {
		/* never cut a UTF-8 sequence: the name may become a JSON key */
		len = STATS_NAME - 1;
		while (len > 0 && ((unsigned char)name[len] & 0xC0) == 0x80)
			len--;
	}
	for (size_t i = 0; i < t->n; i++)
		if (!strncmp(t->v[i].name, name, len) && t->v[i].name[len] == '\0')
			return &t->v[i];
	if (!t->v)
		t->v = xcalloc(t->cap + 1, sizeof *t->v);
	if (t->n >= t->cap) { /* full: v[cap] is "(other)" */
		name = "(other)";
		len = 7;
		for (size_t i = 0; i < t->n; i++)
			if (!strcmp(t->v[i].name, "(other)"))
				return &t->v[i];
	}
	stats_count *c = &t->v[t->n++];
	memset(c, 0, sizeof *c);
	c->last = UINT64_MAX;
	memcpy(c->name, name, len);
	return c;
}

void stats_table_free(stats_table *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

static int by_count(const void *a, const void *b)
{
	const stats_count *x = a, *y = b;
	return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->name, y->name);
}

stats_count *stats_table_sorted(const stats_table *t)
{
	stats_count *v = xmalloc((t->n + 1) * sizeof *v);
	if (t->n)
		memcpy(v, t->v, t->n * sizeof *v);
	qsort(v, t->n, sizeof *v, by_count);
	return v;
}

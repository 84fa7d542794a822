/* catalog: lookups in the generated builtin table (catalog_table.c): by
 * name (binary search) and by group, for the generator's own tests and for
 * the per-group "distinct builtins used" metrics. */
#include "gen/catalog.h"

#include <string.h>

const gen_builtin *gen_catalog_find(const char *name, size_t len)
{
	int lo = 0, hi = gen_catalog_size - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		const char *m = gen_catalog[mid].name;
		int c = strncmp(m, name, len);
		if (c == 0 && m[len] != '\0')
			c = 1; /* m is longer: it sorts after name */
		if (c == 0)
			return &gen_catalog[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

int gen_catalog_groups(const char **groups, int max)
{
	int n = 0;
	for (int i = 0; i < gen_catalog_size; i++) {
		int seen = 0;
		for (int j = 0; j < n && !seen; j++)
			seen = strcmp(groups[j], gen_catalog[i].group) == 0;
		if (!seen && n < max)
			groups[n++] = gen_catalog[i].group;
	}
	return n;
}

int gen_catalog_group_size(const char *g)
{
	int n = 0;
	for (int i = 0; i < gen_catalog_size; i++)
		n += strcmp(gen_catalog[i].group, g) == 0;
	return n;
}

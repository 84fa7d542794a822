/* catalog: lookups in the generated builtin table (catalog_table.c): by
 * name (binary search) and by group, for the generator's own tests and for
 * the per-group "distinct builtins used / catalog size" metrics. */
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

static int gen_catalog_groups(const char **groups, int max)
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

static int is_ident(char ch) { return ch == '_' || (unsigned)((ch | 32) - 'a') < 26u || (unsigned)(ch - '0') < 10u; }

int gen_catalog_mark(const char *src, size_t n, unsigned char *seen)
{
	int calls = 0;
	for (size_t i = 0; i + 3 < n; i++) {
		if (memcmp(src + i, "wp.", 3) != 0 || (i > 0 && (is_ident(src[i - 1]) || src[i - 1] == '.')))
			continue;
		size_t j = i + 3, k = j;
		while (k < n && is_ident(src[k]))
			k++;
		/* a call, or a builtin passed as a function: wp.tile_map(wp.add, t, u)
		 * (not an annotation such as `n: wp.int32, ...` or
		 * `a: wp.array(dtype=float)`, though Warp also has an array builtin) */
		int annotation = i > 1 && src[i - 2] == ':' && src[i - 1] == ' ';
		int call = k < n && src[k] == '(' && !annotation;
		int arg = i > 0 && (src[i - 1] == '(' || (i > 1 && src[i - 2] == ',' && src[i - 1] == ' '));
		int ref = arg && k < n && (src[k] == ',' || src[k] == ')');
		if (k == j || !(call || ref))
			continue;
		const gen_builtin *b = gen_catalog_find(src + j, k - j);
		if (b) {
			seen[b - gen_catalog] = 1;
			calls++;
		}
		i = k - 1;
	}
	return calls;
}

int gen_catalog_used(const unsigned char *seen)
{
	int n = 0;
	for (int i = 0; i < gen_catalog_size; i++)
		n += seen[i] != 0;
	return n;
}

int gen_catalog_coverage(const unsigned char *seen, gen_coverage *rows, int max)
{
	const char *groups[64];
	int n = gen_catalog_groups(groups, 64);
	if (n > max)
		n = max;
	for (int g = 0; g < n; g++) {
		rows[g] = (gen_coverage){groups[g], 0, 0};
		for (int i = 0; i < gen_catalog_size; i++)
			if (strcmp(gen_catalog[i].group, groups[g]) == 0) {
				rows[g].size++;
				rows[g].used += seen[i] != 0;
			}
	}
	return n;
}

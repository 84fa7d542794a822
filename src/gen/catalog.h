/* catalog: Warp's builtin table as the generator knows it (generated from the
 * pinned warp-lang by src/gen/catalog.sh): every builtin's name, its group in
 * Warp's documentation and its overload count. Metrics group by it. */
#ifndef JS_GEN_CATALOG_H
#define JS_GEN_CATALOG_H

#include <stddef.h>

typedef struct gen_builtin {
	const char *name;  /* as called: wp.<name>(...) */
	const char *group; /* Warp's group: "Scalar Math", "Vector Math", ... */
	int overloads;
} gen_builtin;

extern const gen_builtin gen_catalog[]; /* sorted by name (strcmp) */
extern const int gen_catalog_size;
extern const char gen_catalog_warp[]; /* the Warp version it was taken from */

/* The entry called name[0..len), or NULL. */
const gen_builtin *gen_catalog_find(const char *name, size_t len);

/* Marks seen[i] = 1 for every catalog entry i that src[0..n) calls as
 * `wp.<name>(` or passes as a function (`wp.tile_map(wp.add, t, u)`); seen
 * has gen_catalog_size bytes. Returns the uses found. */
int gen_catalog_mark(const char *src, size_t n, unsigned char *seen);

/* Builtin coverage of one catalog group: distinct builtins used / size. */
typedef struct gen_coverage {
	const char *group;
	int used, size;
} gen_coverage;

/* One row per group (gen_catalog_groups order) from a seen[] array filled
 * by gen_catalog_mark; returns the number of rows (at most max). */
int gen_catalog_coverage(const unsigned char *seen, gen_coverage *rows, int max);
/* Distinct catalog entries marked in seen (every group together). */
int gen_catalog_used(const unsigned char *seen);

#endif

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
/* Distinct groups in first-seen order of a fixed list; returns their count
 * and fills groups[0..max) with their names. */
int gen_catalog_groups(const char **groups, int max);
/* Catalog entries in group g. */
int gen_catalog_group_size(const char *g);

#endif

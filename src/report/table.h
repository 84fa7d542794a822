/* table: the capped name -> count tables behind the stats and the
 * manifest's metrics (categories, builtins, reject reasons, ...). A table
 * never holds more than `cap` names, whatever the dataset's size: names
 * past the cap count under "(other)", so memory stays fixed. */
#ifndef JS_TABLE_H
#define JS_TABLE_H

#include <stddef.h>
#include <stdint.h>

enum { STATS_NAME = 96 }; /* bytes of a name, its NUL included */

typedef struct stats_count {
	char name[STATS_NAME];
	const char *group; /* builtins: "math", "vector", ... */
	uint64_t n, calls;
	uint64_t last; /* record that last counted it */
} stats_count;

typedef struct stats_table {
	stats_count *v; /* cap + 1 entries once the first name comes */
	size_t n, cap;
} stats_table;

/* The entry for name[0..len) (cut to STATS_NAME - 1 bytes at a UTF-8
 * character boundary), added if there is room, else "(other)". */
stats_count *stats_table_get(stats_table *t, const char *name, size_t len);
void stats_table_free(stats_table *t);
/* A copy of the entries, largest count first, equal counts by name; the
 * caller frees it. */
stats_count *stats_table_sorted(const stats_table *t);

#endif

/* hist: fixed-bucket histograms of non-negative integers (lengths, statement
 * counts, nesting depths) with exact count, sum, min and max. Memory is
 * fixed at creation, whatever the number of values added. */
#ifndef JS_HIST_H
#define JS_HIST_H

#include <stddef.h>
#include <stdint.h>

/* Buckets of `width` from 0; larger values only count in `over`. */
typedef struct stats_hist {
	uint64_t *bucket;
	size_t nbuckets, width;
	uint64_t n, over, min, max;
	double sum;
} stats_hist;

void stats_hist_init(stats_hist *h, size_t nbuckets, size_t width);
void stats_hist_free(stats_hist *h);
void stats_hist_add(stats_hist *h, uint64_t v);
double stats_hist_mean(const stats_hist *h);
/* The upper edge of the bucket holding the q-quantile (exact for width 1),
 * never above the maximum seen. */
double stats_hist_quantile(const stats_hist *h, double q);

#endif

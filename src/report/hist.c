/* hist: see hist.h. */
#include "report/hist.h"

#include <stdlib.h>

#include "common/util.h"

void stats_hist_init(stats_hist *h, size_t nbuckets, size_t width)
{
	*h = (stats_hist){.bucket = xcalloc(nbuckets, sizeof *h->bucket), .nbuckets = nbuckets, .width = width,
			  .min = UINT64_MAX};
}

void stats_hist_free(stats_hist *h)
{
	free(h->bucket);
	h->bucket = NULL;
}

void stats_hist_add(stats_hist *h, uint64_t v)
{
	size_t b = (size_t)(v / h->width);
	if (b < h->nbuckets)
		h->bucket[b]++;
	else
		h->over++;
	h->n++;
	h->sum += (double)v;
	h->min = v < h->min ? v : h->min;
	h->max = v > h->max ? v : h->max;
}

double stats_hist_mean(const stats_hist *h) { return h->n ? h->sum / (double)h->n : 0; }

double stats_hist_quantile(const stats_hist *h, double q)
{
	if (!h->n)
		return 0;
	uint64_t want = (uint64_t)(q * (double)h->n + 0.5), seen = 0;
	want = want ? want : 1;
	for (size_t b = 0; b < h->nbuckets; b++) {
		seen += h->bucket[b];
		if (seen >= want) {
			uint64_t edge = h->width == 1 ? b : (b + 1) * h->width - 1;
			return (double)(edge < h->max ? edge : h->max);
		}
	}
	return (double)h->max;
}

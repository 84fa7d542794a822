/* metrics: see metrics.h. The figures only depend on which records and
 * rejects are counted and in which order (the reason table keeps the first
 * METRICS_REASONS keys it meets and counts the rest as "(other)"), never on
 * how the work was scheduled: generate counts in index order, as the shards
 * and rejects.jsonl hold them, and stats reads them in that order. */
#include "report/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "gen/catalog.h"

void metrics_init(metrics *m)
{
	memset(m, 0, sizeof *m);
	m->catalog_seen = xcalloc((size_t)gen_catalog_size + 1, 1);
	stats_hist_init(&m->statements, METRICS_VALUES, 1);
	stats_hist_init(&m->depth, METRICS_VALUES, 1);
	m->reasons.cap = METRICS_REASONS;
}

void metrics_release(metrics *m)
{
	free(m->catalog_seen);
	m->catalog_seen = NULL;
	stats_hist_free(&m->statements);
	stats_hist_free(&m->depth);
	stats_table_free(&m->reasons);
}

static void add_shape(metrics *m, int has_kernel, const shape_info *sh)
{
	if (!has_kernel) {
		m->no_kernel++;
		return;
	}
	stats_hist_add(&m->statements, sh->statements);
	stats_hist_add(&m->depth, sh->depth);
}

void metrics_add_source(metrics *m, const char *py, size_t n)
{
	shape_info sh;
	gen_catalog_mark(py, n, m->catalog_seen);
	add_shape(m, shape_scan(py, n, &sh) == 0, &sh);
}

void metrics_measure(metrics_kernel *k, const char *py, size_t n)
{
	if (!k->seen)
		k->seen = xmalloc((size_t)gen_catalog_size + 1);
	memset(k->seen, 0, (size_t)gen_catalog_size + 1);
	gen_catalog_mark(py, n, k->seen);
	k->has_kernel = shape_scan(py, n, &k->shape) == 0;
}

void metrics_add_kernel(metrics *m, const metrics_kernel *k)
{
	for (int i = 0; i < gen_catalog_size; i++)
		m->catalog_seen[i] |= k->seen[i];
	add_shape(m, k->has_kernel, &k->shape);
}

void metrics_kernel_release(metrics_kernel *k)
{
	free(k->seen);
	k->seen = NULL;
}

void metrics_reject_key(const char *stage, const char *reason, buf *out)
{
	buf_printf(out, "%s: ", stage ? stage : "?");
	size_t n = 0;
	/* past 60 characters only to finish a UTF-8 sequence: keys are JSON */
	for (const char *p = reason ? reason : "";
	     *p && *p != ':' && *p != '\n' && (n < 60 || ((unsigned char)*p & 0xC0) == 0x80); p++, n++) {
		if (*p == '"' || *p == '\'') {
			const char *q = strchr(p + 1, *p);
			if (q && q - p < 80) {
				buf_puts(out, "\"…\"");
				p = q;
				continue;
			}
		}
		if ((unsigned)(*p - '0') < 10u) {
			while ((unsigned)(p[1] - '0') < 10u)
				p++;
			buf_putc(out, 'N');
			continue;
		}
		buf_putc(out, *p);
	}
}

void metrics_add_reject(metrics *m, const char *stage, const char *reason)
{
	buf k = BUF_INIT;
	metrics_reject_key(stage, reason, &k);
	stats_table_get(&m->reasons, k.data, k.len)->n++;
	buf_free(&k);
	m->rejects++;
}

double metrics_mean(const stats_hist *h) { return round(stats_hist_mean(h) * 100.0) / 100.0; }

/* {"kernels", "mean", "max", "counts": [kernels with 0, with 1, ...
 * up to max]} (and "more": kernels past the per-value range, if any). */
static json_t *dist_json(const stats_hist *h)
{
	json_t *counts = json_array();
	for (uint64_t v = 0; h->n && v <= h->max && v < h->nbuckets; v++)
		json_array_append_new(counts, json_integer((json_int_t)h->bucket[v]));
	json_t *o = json_pack("{s:I, s:f, s:I, s:o}", "kernels", (json_int_t)h->n, "mean", metrics_mean(h), "max",
			      (json_int_t)(h->n ? h->max : 0), "counts", counts);
	if (h->over)
		json_object_set_new(o, "more", json_integer((json_int_t)h->over));
	return o;
}

json_t *metrics_json(const metrics *m)
{
	gen_coverage rows[64];
	int nrows = gen_catalog_coverage(m->catalog_seen, rows, 64);
	json_t *groups = json_object();
	for (int i = 0; i < nrows; i++)
		json_object_set_new(groups, rows[i].group, json_pack("{s:i, s:i}", "used", rows[i].used, "size", rows[i].size));
	json_t *reasons = json_object();
	stats_count *v = stats_table_sorted(&m->reasons);
	for (size_t i = 0; i < m->reasons.n; i++)
		json_object_set_new(reasons, v[i].name, json_integer((json_int_t)v[i].n));
	free(v);
	return json_pack("{s:{s:s, s:i, s:i, s:o}, s:o, s:o, s:o}", "builtins", "warp", gen_catalog_warp, "used",
			 gen_catalog_used(m->catalog_seen),
			 "catalog_size", gen_catalog_size, "groups", groups, "statements", dist_json(&m->statements),
			 "nesting_depth", dist_json(&m->depth), "rejects_by_reason", reasons);
}

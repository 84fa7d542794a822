/* stats: the streaming accumulation behind `jitsynth stats` and its table.
 * Memory: histograms and tables are fixed; the uniqueness set holds 8 bytes
 * per distinct record (16 MiB at 1,000,000 records). */
#include "report/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/untrusted.h"
#include "common/util.h"
#include "gen/catalog.h"
#include "store/reader.h"

static const char *const dev_names[2] = {"cpu", "cuda"};

const char *stats_hist_title(stats_hist_id id)
{
	static const char *const t[] = {"Python chars", "Python lines", "CPU forward chars",
					"CPU forward lines", "CUDA forward chars", "CUDA forward lines"};
	return t[id];
}

stats *stats_new(void)
{
	stats *st = xcalloc(1, sizeof *st);
	st->complete = -1;
	for (int i = 0; i < STATS_NHIST; i++)
		if (i % 2 == 0)
			stats_hist_init(&st->hist[i], 16384, 16); /* chars: 0 .. 262,143 */
		else
			stats_hist_init(&st->hist[i], 8192, 1); /* lines: 0 .. 8,191 */
	st->categories.cap = 64;
	st->builtins.cap = 512;
	st->validation.cap = 32;
	st->origins.cap = 8;
	st->licenses.cap = 64;
	st->execution.cap = 48;
	metrics_init(&st->metrics);
	realism_init(&st->realism);
	st->dd = dedup_new();
	return st;
}

void stats_free(stats *st)
{
	if (!st)
		return;
	for (int i = 0; i < STATS_NHIST; i++)
		stats_hist_free(&st->hist[i]);
	stats_table_free(&st->categories);
	stats_table_free(&st->builtins);
	stats_table_free(&st->validation);
	stats_table_free(&st->origins);
	stats_table_free(&st->licenses);
	stats_table_free(&st->execution);
	metrics_release(&st->metrics);
	realism_release(&st->realism);
	if (st->ref)
		realism_release(st->ref);
	free(st->ref);
	dedup_free(st->dd);
	dedup_set_free(&st->structural);
	for (size_t i = 0; i < st->nex; i++) {
		stats_example *e = &st->ex[i];
		free(e->kernel_name), free(e->category), free(e->python), free(e->cpu), free(e->cuda);
	}
	free(st->dir);
	free(st->layout);
	free(st->warp_version);
	free(st);
}

static uint64_t count_lines(const char *s, size_t n)
{
	if (!n)
		return 0;
	uint64_t k = 0;
	for (const char *p = s; (p = memchr(p, '\n', (size_t)(s + n - p))); p++)
		k++;
	return k + (s[n - 1] != '\n');
}

static const char *stats_builtin_group(const char *n)
{
	static const char *const math[] = {"sin",   "cos",   "tan",  "asin", "acos",  "atan",	  "atan2", "sinh",
					   "cosh",  "tanh",  "exp",  "log",  "log2",  "log10",	  "sqrt",  "cbrt",
					   "pow",   "abs",   "floor", "ceil", "round", "trunc",	  "min",   "max",
					   "clamp", "sign",  "step", "lerp", "smoothstep", "mod", "frac", "degrees",
					   "radians", "isnan", "isinf", "isfinite", "nonzero", NULL};
	static const char *const vec[] = {"dot",    "cross",     "normalize", "length",	 "length_sq", "outer",
					  "transpose", "determinant", "inverse", "trace", "diag", "skew",
					  "mul",    "add",       "sub",       "div",    "neg", "cw_mul", "cw_div",
					  "vec2",   "vec3",      "vec4",      "mat22", "mat33", "mat44", "quat",
					  "quat_rotate", "quat_from_axis_angle", "transform", "spatial_vector", NULL};
	if (!strcmp(n, "tid"))
		return "thread";
	if (!strncmp(n, "atomic_", 7))
		return "atomic";
	if (!strncmp(n, "rand", 4) || !strncmp(n, "noise", 5) || !strncmp(n, "pnoise", 6) || !strncmp(n, "curlnoise", 9))
		return "random";
	for (const char *const *p = math; *p; p++)
		if (!strcmp(n, *p))
			return "math";
	for (const char *const *p = vec; *p; p++)
		if (!strcmp(n, *p))
			return "vector/matrix";
	if (!strncmp(n, "vec", 3) || !strncmp(n, "mat", 3) || !strncmp(n, "quat", 4))
		return "vector/matrix";
	if (!strncmp(n, "array", 5) || !strncmp(n, "float", 5) || !strncmp(n, "int", 3) || !strncmp(n, "uint", 4) ||
	    !strcmp(n, "constant") || !strcmp(n, "bool"))
		return "types";
	return "other";
}

/* Every wp.<name>( call in the Python source. */
static void count_builtins(stats *st, const char *s, size_t n)
{
	for (size_t i = 0; i + 3 < n; i++) {
		if (s[i] != 'w' || s[i + 1] != 'p' || s[i + 2] != '.')
			continue;
		if (i > 0 && (s[i - 1] == '_' || s[i - 1] == '.' || (unsigned)((s[i - 1] | 32) - 'a') < 26u ||
			      (unsigned)(s[i - 1] - '0') < 10u))
			continue;
		size_t j = i + 3, k = j;
		while (k < n && (s[k] == '_' || (unsigned)((s[k] | 32) - 'a') < 26u || (unsigned)(s[k] - '0') < 10u))
			k++;
		size_t e = k;
		while (e < n && s[e] == ' ')
			e++;
		if (k == j || e >= n || s[e] != '(')
			continue;
		stats_count *c = stats_table_get(&st->builtins, s + j, k - j);
		c->calls++;
		if (c->last != st->records) {
			c->last = st->records;
			c->n++;
		}
		if (!c->group)
			c->group = stats_builtin_group(c->name);
		i = k - 1;
	}
}

static char *clip(const char *s, size_t n)
{
	if (!s)
		return NULL;
	return xstrndup(s, n < STATS_EXAMPLE_CHARS ? n : STATS_EXAMPLE_CHARS);
}

static void keep_example(stats *st, const json_t *rec, const char *cat, const char *py, size_t pylen)
{
	if (st->nex == STATS_EXAMPLES)
		return;
	for (size_t i = 0; i < st->nex; i++)
		if (!strcmp(st->ex[i].category, cat))
			return;
	size_t lc = 0, lg = 0;
	const char *cpu = reader_forward(rec, "cpu", &lc), *cuda = reader_forward(rec, "cuda", &lg);
	const char *kn = reader_str(rec, "kernel_name", NULL);
	stats_example *e = &st->ex[st->nex++];
	*e = (stats_example){xstrdup(kn ? kn : ""), xstrdup(cat), clip(py, pylen), clip(cpu, lc), clip(cuda, lg)};
}

static void count_validation(stats *st, const json_t *rec, const int *has)
{
	json_t *v = json_object_get(json_object_get(rec, "meta"), "validated");
	for (int d = 0; d < 2; d++) {
		if (!has[d])
			continue;
		const char *s = json_string_value(json_object_get(v, dev_names[d]));
		char key[96];
		int k = snprintf(key, sizeof key, "%s: %s", dev_names[d], s ? s : "(not recorded)");
		stats_table_get(&st->validation, key, (size_t)k)->n++;
	}
}

static void count_key(stats_table *t, const char *a, const char *b)
{
	char key[96];
	int k = snprintf(key, sizeof key, "%s%s%s", a, b ? ": " : "", b ? b : "");
	stats_table_get(t, key, (size_t)(k < (int)sizeof key ? k : (int)sizeof key - 1))->n++;
}

/* The run tier's exec object (README, "Execution"), if the record has one. */
static void count_execution(stats *st, const json_t *rec)
{
	const json_t *x = json_object_get(rec, "exec");
	if (!json_is_object(x))
		return;
	st->executed_records++;
	const char *s = json_string_value(json_object_get(x, "status"));
	if (!s || strcmp(s, "executed")) {
		count_key(&st->execution, "not executed", json_string_value(json_object_get(x, "class")));
		return;
	}
	count_key(&st->execution, "executed", NULL);
	if (json_is_true(json_object_get(x, "finite")))
		count_key(&st->execution, "finite outputs", NULL);
	if (json_is_true(json_object_get(x, "deterministic")))
		count_key(&st->execution, "deterministic", NULL);
	const json_t *g = json_object_get(x, "grad");
	const char *gs = json_string_value(json_object_get(g, "status"));
	char head[32];
	snprintf(head, sizeof head, "grad %s", gs ? gs : "(none)");
	count_key(&st->execution, head, json_string_value(json_object_get(g, "class")));
}

void stats_add(stats *st, const json_t *rec)
{
	size_t pylen = 0;
	const char *py = reader_str(rec, "python_source", &pylen);
	const char *cat = reader_str(rec, "category", NULL);
	cat = cat ? cat : "(none)";
	stats_table_get(&st->categories, cat, strlen(cat))->n++;
	const char *origin = reader_str(rec, "origin", NULL);
	origin = origin ? origin : "generated";
	stats_table_get(&st->origins, origin, strlen(origin))->n++;
	const char *lic = reader_str(json_object_get(rec, "source"), "license", NULL);
	if (lic)
		stats_table_get(&st->licenses, lic, strlen(lic))->n++;
	stats_hist_add(&st->hist[STATS_PY_CHARS], pylen);
	stats_hist_add(&st->hist[STATS_PY_LINES], count_lines(py, pylen));
	int has[2] = {0, 0};
	const char *fwd0 = NULL;
	size_t fwd0len = 0;
	for (int d = 0; d < 2; d++) {
		size_t len = 0;
		const char *f = reader_forward(rec, dev_names[d], &len);
		if (!f)
			continue;
		has[d] = 1;
		st->per_device[d]++;
		stats_hist_add(&st->hist[STATS_CPU_CHARS + 2 * d], len);
		stats_hist_add(&st->hist[STATS_CPU_LINES + 2 * d], count_lines(f, len));
		if (!fwd0)
			fwd0 = f, fwd0len = len;
	}
	count_builtins(st, py ? py : "", pylen);
	metrics_add_source(&st->metrics, py ? py : "", pylen);
	realism_add_source(&st->realism, py ? py : "", pylen);
	count_validation(st, rec, has);
	count_execution(st, rec);
	dedup_set_add(&st->structural, dedup_structural_fp(st->dd, py ? py : "", pylen, fwd0, fwd0len));
	keep_example(st, rec, cat, py ? py : "", pylen);
	st->records++;
}

static void stats_add_reject(stats *st, const json_t *rej)
{
	metrics_add_reject(&st->metrics, reader_str(rej, "stage", NULL), reader_str(rej, "reason", NULL));
}

static void stats_set_manifest(stats *st, const json_t *m)
{
	const char *wv = json_string_value(json_object_get(m, "warp_version"));
	free(st->warp_version);
	st->warp_version = wv ? xstrdup(wv) : NULL;
	json_t *c = json_object_get(m, "complete");
	st->complete = json_is_boolean(c) ? json_is_true(c) : -1;
	json_t *dd = json_object_get(json_object_get(m, "counts"), "dedup");
	if (json_is_object(dd)) {
		st->have_dedup = 1;
		st->dedup_exact = (uint64_t)json_integer_value(json_object_get(dd, "exact"));
		st->dedup_structural = (uint64_t)json_integer_value(json_object_get(dd, "structural"));
	}
}

static void scan_rejects(stats *st, const char *dir, stats_warn_fn warn, void *ctx)
{
	static const char *const names[] = {"rejects.jsonl", "rejects.jsonl.zst"};
	for (size_t i = 0; i < 2; i++) {
		buf p = BUF_INIT, e = BUF_INIT;
		buf_printf(&p, "%s/%s", dir, names[i]);
		reader *r = path_exists(p.data) ? reader_open_file(p.data, &e) : NULL;
		buf_free(&p);
		if (!r && e.len && warn)
			warn(e.data, ctx);
		reader_record rec;
		int rc;
		while (r && (rc = reader_next(r, &rec, &e)) != READER_END) {
			if (rc == READER_OK)
				stats_add_reject(st, rec.json);
			else if (warn)
				warn(e.data, ctx);
			buf_reset(&e);
		}
		reader_close(r);
		buf_free(&e);
	}
}

/* Reads every record r has to give. */
static void scan_reader(stats *st, reader *r, stats_warn_fn warn, void *ctx)
{
	reader_record rec;
	buf msg = BUF_INIT;
	int rc;
	while ((rc = reader_next(r, &rec, &msg)) != READER_END) {
		if (rc == READER_OK)
			stats_add(st, rec.json);
		else {
			st->malformed++;
			if (warn)
				warn(msg.data, ctx);
		}
		buf_reset(&msg);
	}
	buf_free(&msg);
}

/* Whether file i of r was listed before it (a manifest that names a shard
 * twice would count its records twice). */
static int listed_before(const reader *r, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (!strcmp(reader_file(r, k), reader_file(r, i)))
			return 1;
	return 0;
}

int stats_scan(stats *st, const char *dir, stats_warn_fn warn, void *ctx, buf *err)
{
	reader *r = reader_open(dir, err);
	if (!r)
		return -1;
	free(st->dir);
	st->dir = xstrdup(dir);
	free(st->layout);
	st->layout = xstrdup(reader_get_layout(r) == READER_SEED ? "seed (cpu/, cuda/ pair files)" : "jitsynth (JSONL shards)");
	st->nshards = reader_get_layout(r) == READER_SEED ? 0 : reader_nfiles(r);
	if (reader_manifest(r))
		stats_set_manifest(st, reader_manifest(r));
	int twice = 0;
	for (size_t i = 0; reader_get_layout(r) == READER_JITSYNTH && i < reader_nfiles(r); i++)
		twice |= listed_before(r, i);
	if (!twice) {
		scan_reader(st, r, warn, ctx);
	} else {
		/* each shard once, by itself, in the manifest's order */
		st->nshards = 0;
		for (size_t i = 0; i < reader_nfiles(r); i++) {
			buf p = BUF_INIT, e = BUF_INIT;
			if (listed_before(r, i)) {
				buf_printf(&e, "the second listing of '%s' in manifest.json (each shard is counted once; `jitsynth verify %s` shows the damage)",
					   reader_file(r, i), dir);
				if (warn)
					warn(e.data, ctx);
				buf_free(&e);
				continue;
			}
			st->nshards++;
			buf_printf(&p, "%s/%s", dir, reader_file(r, i));
			reader *one = reader_open_file(p.data, &e);
			if (one)
				scan_reader(st, one, warn, ctx);
			else if (warn)
				warn(e.data, ctx);
			reader_close(one);
			buf_free(&p);
			buf_free(&e);
		}
	}
	reader_close(r);
	scan_rejects(st, dir, warn, ctx);
	return 0;
}

int stats_add_reference(stats *st, const char *path, stats_warn_fn warn, void *ctx, buf *err)
{
	if (!st->ref) {
		st->ref = xmalloc(sizeof *st->ref);
		realism_init(st->ref);
	}
	return realism_add_reference(st->ref, path, warn, ctx, err);
}

int stats_scan_sources(stats *st, const char *path, stats_warn_fn warn, void *ctx, buf *err)
{
	free(st->dir);
	st->dir = xstrdup(path);
	free(st->layout);
	st->layout = xstrdup("Python sources (realism figures only)");
	st->sources_only = 1;
	return realism_add_reference(&st->realism, path, warn, ctx, err);
}

/* --- the table --- */

double stats_pct(uint64_t a, uint64_t b) { return b ? 100.0 * (double)a / (double)b : 0; }

/* Text from the dataset (a category, a reason, the Warp version) as one line
 * a terminal shows as it is (untrusted.h), in tmp. */
static const char *cell(buf *tmp, const char *s)
{
	buf_reset(tmp);
	untrusted_text(tmp, s, strlen(s), 0);
	return buf_cstr(tmp);
}

static void render_counts(const char *title, const stats_table *t, uint64_t total, buf *out)
{
	stats_table s = *t;
	s.v = stats_table_sorted(t);
	buf tmp = BUF_INIT;
	buf_printf(out, "\n%-44s %10s %7s\n", title, "count", "%");
	for (size_t i = 0; i < s.n; i++)
		buf_printf(out, "  %-42s %10llu %6.1f%%\n", cell(&tmp, s.v[i].name),
			   (unsigned long long)s.v[i].n, stats_pct(s.v[i].n, total));
	if (!s.n)
		buf_puts(out, "  (none)\n");
	buf_free(&tmp);
	free(s.v);
}

/* Coverage by the groups of Warp's own builtin table: what the generator
 * reaches of the language, not only of the calls it happened to make. */
static void render_coverage(const unsigned char *seen, buf *out)
{
	gen_coverage rows[64];
	int nrows = gen_catalog_coverage(seen, rows, 64);
	buf_printf(out, "\ncatalog coverage (Warp %s builtins): %d of %d distinct used\n", gen_catalog_warp,
		   gen_catalog_used(seen), gen_catalog_size);
	for (int i = 0; i < nrows; i++)
		buf_printf(out, "  %-40s %5d / %-5d %6.1f%%\n", rows[i].group, rows[i].used, rows[i].size,
			   stats_pct((uint64_t)rows[i].used, (uint64_t)rows[i].size));
}

static void render_builtins(const stats *st, buf *out)
{
	static const char *const groups[] = {"thread", "math", "vector/matrix", "atomic", "random", "types", "other"};
	buf_printf(out, "\nbuiltins: %zu distinct wp.* calls %24s %7s %8s\n", st->builtins.n, "records", "%",
		   "calls");
	stats_table s = st->builtins;
	s.v = stats_table_sorted(&st->builtins);
	buf tmp = BUF_INIT;
	for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
		int first = 1;
		for (size_t i = 0; i < s.n; i++) {
			if (strcmp(s.v[i].group ? s.v[i].group : "other", groups[g]))
				continue;
			buf_printf(out, "  %-14s wp.%-24s %10llu %6.1f%% %8llu\n", first ? groups[g] : "",
				   cell(&tmp, s.v[i].name),
				   (unsigned long long)s.v[i].n, stats_pct(s.v[i].n, st->records),
				   (unsigned long long)s.v[i].calls);
			first = 0;
		}
	}
	buf_free(&tmp);
	free(s.v);

	render_coverage(st->metrics.catalog_seen, out);
}

static void dist_row(const char *label, uint64_t n, uint64_t most, buf *out)
{
	enum { BAR = 40 };
	char bar[BAR + 1];
	size_t w = most ? (size_t)((double)BAR * (double)n / (double)most + 0.5) : 0;
	w = n && !w ? 1 : w;
	memset(bar, '#', w);
	bar[w] = '\0';
	buf_printf(out, "  %-12s %-40s %8llu\n", label, bar, (unsigned long long)n);
}

/* A distribution as rows of `value  bar  kernels`: one row per value, or
 * per range of values when they span more than ROWS. */
static void render_dist(const char *title, const stats_hist *h, buf *out)
{
	enum { ROWS = 12 };
	buf_printf(out, "\n%-55s %8s\n", title, "kernels");
	if (!h->n) {
		buf_puts(out, "  (none)\n");
		return;
	}
	uint64_t top = h->max < h->nbuckets ? h->max : h->nbuckets - 1;
	uint64_t first = h->min < top ? h->min : top;
	uint64_t step = (top - first + ROWS) / ROWS, most = h->over;
	for (uint64_t lo = first; lo <= top; lo += step) {
		uint64_t n = 0;
		for (uint64_t v = lo; v <= top && v < lo + step; v++)
			n += h->bucket[v];
		most = n > most ? n : most;
	}
	for (uint64_t lo = first; lo <= top; lo += step) {
		uint64_t hi = lo + step - 1 < top ? lo + step - 1 : top, n = 0;
		char label[48];
		if (lo == hi)
			snprintf(label, sizeof label, "%llu", (unsigned long long)lo);
		else
			snprintf(label, sizeof label, "%llu-%llu", (unsigned long long)lo, (unsigned long long)hi);
		for (uint64_t v = lo; v <= hi; v++)
			n += h->bucket[v];
		dist_row(label, n, most, out);
	}
	if (h->over) { /* past the per-value range */
		char label[48];
		snprintf(label, sizeof label, "%zu+", h->nbuckets);
		dist_row(label, h->over, most, out);
	}
}

/* Statements and nesting depth of the kernels (shape.h says how). */
static void render_shape(const stats *st, buf *out)
{
	const metrics *m = &st->metrics;
	const stats_hist *h[2] = {&m->statements, &m->depth};
	static const char *const names[2] = {"statements", "nesting depth"};
	buf_printf(out, "\n%-22s %10s %10s %10s %10s %10s\n", "kernel body", "kernels", "mean", "p50", "p90", "max");
	for (int i = 0; i < 2; i++)
		buf_printf(out, "  %-20s %10llu %10.2f %10.0f %10.0f %10llu\n", names[i], (unsigned long long)h[i]->n,
			   metrics_mean(h[i]), stats_hist_quantile(h[i], 0.5), stats_hist_quantile(h[i], 0.9),
			   (unsigned long long)(h[i]->n ? h[i]->max : 0));
	if (m->no_kernel)
		buf_printf(out, "  (%llu records without a @wp.kernel function not measured)\n",
			   (unsigned long long)m->no_kernel);
	render_dist("statements per kernel", h[0], out);
	render_dist("nesting depth per kernel", h[1], out);
}

void stats_render_table(const stats *st, buf *out)
{
	buf tmp = BUF_INIT;
	if (st->sources_only) {
		buf_printf(out, "sources    %s (%llu .py files, %llu skipped)\n", cell(&tmp, st->dir),
			   (unsigned long long)st->realism.files, (unsigned long long)st->realism.skipped);
		buf_free(&tmp);
		realism_render(&st->realism, st->ref, out);
		if (st->realism.catalog_seen) /* the sources' kernels, as for a dataset */
			render_coverage(st->realism.catalog_seen, out);
		return;
	}
	buf_printf(out, "dataset    %s\nlayout     %s", cell(&tmp, st->dir ? st->dir : "?"),
		   st->layout ? st->layout : "?");
	if (st->nshards)
		buf_printf(out, ", %zu shard%s", st->nshards, st->nshards == 1 ? "" : "s");
	buf_printf(out, "\nwarp       %s\nmanifest   %s\n",
		   cell(&tmp, st->warp_version ? st->warp_version : "(unknown)"),
		   st->complete < 0 ? "none" : st->complete ? "complete" : "INCOMPLETE (interrupted run)");
	buf_free(&tmp);
	buf_printf(out, "records    %llu   (cpu %llu, cuda %llu; malformed lines or files skipped: %llu)\n",
		   (unsigned long long)st->records, (unsigned long long)st->per_device[0],
		   (unsigned long long)st->per_device[1], (unsigned long long)st->malformed);
	render_counts("category", &st->categories, st->records, out);
	if (st->origins.n > 1 || st->licenses.n) {
		render_counts("origin", &st->origins, st->records, out);
		render_counts("license (ingested records)", &st->licenses, st->records, out);
	}
	buf_printf(out, "\n%-22s %10s %10s %10s %10s %10s\n", "length", "min", "mean", "p50", "p90", "max");
	for (int i = 0; i < STATS_NHIST; i++) {
		const stats_hist *h = &st->hist[i];
		if (!h->n)
			continue;
		buf_printf(out, "  %-20s %10llu %10.1f %10.0f %10.0f %10llu\n", stats_hist_title((stats_hist_id)i),
			   (unsigned long long)h->min, stats_hist_mean(h), stats_hist_quantile(h, 0.5),
			   stats_hist_quantile(h, 0.9), (unsigned long long)h->max);
	}
	render_shape(st, out);
	render_builtins(st, out);
	render_counts("validation (meta.validated)", &st->validation, st->records, out);
	if (st->executed_records)
		render_counts("execution (exec, run tier)", &st->execution, st->executed_records, out);
	buf_printf(out, "\nrejects    %llu\n", (unsigned long long)st->metrics.rejects);
	if (st->metrics.rejects)
		render_counts("reject reason", &st->metrics.reasons, st->metrics.rejects, out);
	if (st->have_dedup)
		buf_printf(out, "\ndedup      dropped %llu exact, %llu structural duplicates (manifest)\n",
			   (unsigned long long)st->dedup_exact, (unsigned long long)st->dedup_structural);
	else
		buf_puts(out, "\ndedup      (no dedup counts in the manifest)\n");
	buf_printf(out, "uniqueness %zu structurally distinct of %llu records (%.1f%%)\n", st->structural.n,
		   (unsigned long long)st->records, stats_pct(st->structural.n, st->records));
	realism_render(&st->realism, st->ref, out);
}

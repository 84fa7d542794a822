/* html: renders the stats page. Charts are plain SVG written here (bar
 * charts and histograms). Every string that reaches the page goes through
 * html_escape (esc), the one escaper: whatever comes from a dataset (the
 * manifest's warp_version, categories, names, reasons, code) is untrusted,
 * and only numbers and this file's own literals are written as they are. No
 * JavaScript: the page is complete as served. */
#include "report/html.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "gen/catalog.h"

static const char *const palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
				      "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295"};

/* Text as HTML character data or an attribute value: the five markup
 * characters as references, control characters but tab and line ends (never
 * meaningful in the page; ESC from a dataset would be a parse error) as
 * U+FFFD. */
static void html_escape(buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '&': buf_puts(out, "&amp;"); break;
		case '<': buf_puts(out, "&lt;"); break;
		case '>': buf_puts(out, "&gt;"); break;
		case '"': buf_puts(out, "&quot;"); break;
		case '\'': buf_puts(out, "&#39;"); break;
		case '\t':
		case '\n':
		case '\r': buf_putc(out, (char)c); break;
		default:
			if (c < 0x20 || c == 0x7f)
				buf_puts(out, "&#xfffd;");
			else
				buf_putc(out, (char)c);
		}
	}
}

static void esc(buf *out, const char *s) { html_escape(out, s, strlen(s)); }

typedef struct bar {
	const char *label;
	uint64_t value;
	const char *note; /* small text after the label, or NULL */
} bar;

/* A horizontal bar chart: one row per bar, value and share of `total`. */
static void svg_bars(buf *out, const char *title, const bar *b, size_t n, uint64_t total)
{
	uint64_t max = 1;
	for (size_t i = 0; i < n; i++)
		max = b[i].value > max ? b[i].value : max;
	int row = 22, lw = 230, bw = 420, h = (int)n * row + 10;
	buf_printf(out, "<figure><figcaption>");
	esc(out, title);
	buf_printf(out, "</figcaption>\n<svg class=\"chart bars\" role=\"img\" width=\"%d\" height=\"%d\" "
			"viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\"><title>",
		   lw + bw + 130, h, lw + bw + 130, h);
	esc(out, title);
	buf_puts(out, "</title>\n");
	for (size_t i = 0; i < n; i++) {
		int y = 5 + (int)i * row;
		double w = (double)bw * (double)b[i].value / (double)max;
		buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"lbl\">", lw - 8, y + 15);
		esc(out, b[i].label);
		if (b[i].note) {
			buf_puts(out, " <tspan class=\"note\">");
			esc(out, b[i].note);
			buf_puts(out, "</tspan>");
		}
		buf_printf(out, "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>", lw, y + 2,
			   w < 1 && b[i].value ? 1 : w, row - 6, palette[i % (sizeof palette / sizeof *palette)]);
		buf_printf(out, "<text x=\"%.1f\" y=\"%d\" class=\"val\">%llu", lw + w + 6, y + 15,
			   (unsigned long long)b[i].value);
		if (total)
			buf_printf(out, " (%.1f%%)", stats_pct(b[i].value, total));
		buf_puts(out, "</text>\n");
	}
	buf_puts(out, "</svg></figure>\n");
}

/* A histogram of h over [min, p99] in up to 30 bins (the last holds the
 * tail), from the fixed buckets. Small integer ranges (nesting depth) get
 * one bar per value, labelled. */
static void svg_hist(buf *out, const stats_hist *h, const char *title)
{
	enum { MAXB = 30 };
	uint64_t bins[MAXB] = {0};
	uint64_t lo = h->min == UINT64_MAX ? 0 : h->min, hi = (uint64_t)stats_hist_quantile(h, 0.99);
	hi = hi > lo ? hi : lo + 1;
	uint64_t step = (hi - lo + MAXB - 1) / MAXB;
	step = step ? step : 1;
	if (h->width > 1 && step % h->width)
		step += h->width - step % h->width;
	int NB = h->width == 1 && hi - lo + 1 < MAXB ? (int)(hi - lo + 1) : MAXB, each = step == 1 && NB <= 12;
	for (size_t b = 0; b < h->nbuckets; b++) {
		if (!h->bucket[b])
			continue;
		uint64_t v = b * h->width;
		size_t k = v < lo ? 0 : (size_t)((v - lo) / step);
		bins[k < (size_t)NB ? k : (size_t)NB - 1] += h->bucket[b];
	}
	bins[NB - 1] += h->over;
	uint64_t max = 1;
	for (int i = 0; i < NB; i++)
		max = bins[i] > max ? bins[i] : max;
	int W = 380, H = 170, x0 = 50, y0 = 140, bw = (W - x0 - 10) / NB;
	buf_puts(out, "<figure><figcaption>");
	esc(out, title);
	buf_printf(out, "</figcaption>\n<svg class=\"chart hist\" role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 "
			"%d %d\" xmlns=\"http://www.w3.org/2000/svg\"><title>",
		   W, H, W, H);
	esc(out, title);
	buf_puts(out, "</title>\n");
	for (int i = 0; i < NB; i++) {
		double bh = 120.0 * (double)bins[i] / (double)max;
		buf_printf(out, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"#4e79a7\"><title>%llu-%llu: "
				"%llu</title></rect>",
			   x0 + i * bw, y0 - bh, bw - 1, bh, (unsigned long long)(lo + (uint64_t)i * step),
			   (unsigned long long)(lo + (uint64_t)(i + 1) * step - 1), (unsigned long long)bins[i]);
		if (each)
			buf_printf(out, "<text x=\"%d\" y=\"%d\" class=\"ax\" text-anchor=\"middle\">%llu%s</text>",
				   x0 + i * bw + bw / 2, y0 + 16, (unsigned long long)(lo + (uint64_t)i),
				   i == NB - 1 && h->max > lo + (uint64_t)i ? "+" : "");
	}
	buf_printf(out, "\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", x0, y0, x0 + NB * bw, y0);
	if (!each) {
		buf_printf(out, "<text x=\"%d\" y=\"%d\" class=\"ax\">%llu</text>", x0, y0 + 16, (unsigned long long)lo);
		buf_printf(out, "<text x=\"%d\" y=\"%d\" class=\"ax\" text-anchor=\"end\">%llu%s</text>", x0 + NB * bw,
			   y0 + 16, (unsigned long long)(lo + (uint64_t)NB * step),
			   h->max > lo + (uint64_t)NB * step ? "+" : "");
	}
	buf_printf(out, "<text x=\"%d\" y=\"%d\" class=\"ax\" text-anchor=\"end\">%llu</text>", x0 - 4, y0 - 114,
		   (unsigned long long)max);
	buf_printf(out, "<text x=\"%d\" y=\"%d\" class=\"ax\">mean %.*f, p50 %.0f, p90 %.0f, max %llu</text>", x0 + 10,
		   14, h->width == 1 && h->max < 100 ? 2 : 0, stats_hist_mean(h), stats_hist_quantile(h, 0.5),
		   stats_hist_quantile(h, 0.9), (unsigned long long)h->max);
	buf_puts(out, "</svg></figure>\n");
}

/* Bars for a table, largest first, at most `limit`. */
static void table_bars(buf *out, const char *title, const stats_table *t, uint64_t total, size_t limit, int groups)
{
	stats_count *v = stats_table_sorted(t);
	size_t n = t->n < limit ? t->n : limit;
	bar *b = xcalloc(n + 1, sizeof *b);
	for (size_t i = 0; i < n; i++)
		b[i] = (bar){v[i].name, v[i].n, groups ? v[i].group : NULL};
	svg_bars(out, title, b, n, total);
	free(b);
	free(v);
}

static void builtin_groups(buf *out, const stats *st)
{
	static const char *const groups[] = {"thread", "math", "vector/matrix", "atomic", "random", "types", "other"};
	enum { NG = sizeof groups / sizeof *groups };
	bar b[NG];
	char notes[NG][48];
	for (size_t g = 0; g < NG; g++) {
		uint64_t calls = 0, names = 0;
		for (size_t i = 0; i < st->builtins.n; i++)
			if (!strcmp(st->builtins.v[i].group ? st->builtins.v[i].group : "other", groups[g]))
				calls += st->builtins.v[i].calls, names++;
		snprintf(notes[g], sizeof notes[g], "(%llu distinct)", (unsigned long long)names);
		b[g] = (bar){groups[g], calls, notes[g]};
	}
	svg_bars(out, "Builtin calls by group (wp.* calls in the Python sources)", b, NG, 0);
}

/* Distinct builtins used per group of Warp's own builtin table: how much of
 * the language the dataset reaches, not only of the calls it happened to
 * make (metrics.h; the manifest's metrics.builtins). */
static void catalog_table(buf *out, const stats *st)
{
	gen_coverage rows[64];
	int nrows = gen_catalog_coverage(st->metrics.catalog_seen, rows, 64);
	int used = gen_catalog_used(st->metrics.catalog_seen);
	buf_puts(out, "<figure><figcaption>Catalog coverage (Warp ");
	esc(out, gen_catalog_warp);
	buf_puts(out, " builtins)</figcaption>\n<table class=\"t coverage\"><tr><th>group</th><th>used</th>"
		      "<th>catalog size</th><th>share</th></tr>\n");
	for (int i = 0; i < nrows; i++) {
		buf_puts(out, "<tr><td>");
		esc(out, rows[i].group);
		buf_printf(out, "</td><td class=\"n\">%d</td><td class=\"n\">%d</td><td class=\"n\">%.1f%%</td></tr>\n",
			   rows[i].used, rows[i].size, stats_pct((uint64_t)rows[i].used, (uint64_t)rows[i].size));
	}
	buf_printf(out, "<tr class=\"total\"><td>all groups</td><td class=\"n\">%d</td><td class=\"n\">%d</td>"
			"<td class=\"n\">%.1f%%</td></tr>\n</table></figure>\n",
		   used, gen_catalog_size, stats_pct((uint64_t)used, (uint64_t)gen_catalog_size));
}

/* Every reject reason (metrics_reject_key) with its count, largest first. */
static void reasons_table(buf *out, const stats *st)
{
	const stats_table *t = &st->metrics.reasons;
	stats_count *v = stats_table_sorted(t);
	buf_puts(out, "<table class=\"t reasons\"><tr><th>reason</th><th>rejects</th><th>share</th></tr>\n");
	for (size_t i = 0; i < t->n; i++) {
		buf_puts(out, "<tr><td><code>");
		esc(out, v[i].name);
		buf_printf(out, "</code></td><td class=\"n\">%llu</td><td class=\"n\">%.1f%%</td></tr>\n",
			   (unsigned long long)v[i].n, stats_pct(v[i].n, st->metrics.rejects));
	}
	buf_puts(out, "</table>\n");
	free(v);
}

/* The realism features (realism.h) as one table: dataset, reference and
 * each feature's distance; buckets off by more than 2x marked. */
static void realism_table(buf *out, const stats *st)
{
	const realism *a = &st->realism, *ref = st->ref;
	char tmp[32];
	buf_puts(out, "<h2>Realism</h2>\n<p class=\"meta\">Features of the kernels' Python (README.md, \"Realism\")");
	if (ref) {
		double d = realism_distance(a, ref);
		buf_printf(out, " beside a reference of real Warp code (%llu kernels in %llu .py files). Distance: <b>", (unsigned long long)ref->kernels, (unsigned long long)ref->files);
		if (isnan(d))
			buf_puts(out, "-");
		else
			buf_printf(out, "%.3f", d);
		buf_puts(out, "</b> (mean total-variation distance; 0 = same).");
	}
	buf_printf(out, "</p>\n<p>%llu kernels measured; %zu distinct parameter names, %zu distinct local names",
		   (unsigned long long)a->kernels, a->params.n, a->locals.n);
	if (ref)
		buf_printf(out, " (reference: %zu, %zu)", ref->params.n, ref->locals.n);
	buf_puts(out, ".</p>\n<table class=\"t realism\"><tr><th>feature</th><th>value</th><th>dataset</th>");
	if (ref)
		buf_puts(out, "<th>reference</th><th>TV</th>");
	buf_puts(out, "</tr>\n");
	for (int f = 0; f < RF_COUNT; f++) {
		realism_feature ff = (realism_feature)f;
		for (size_t b = 0; b < realism_nbuckets(ff); b++) {
			buf_puts(out, "<tr><td>");
			if (!b)
				esc(out, realism_title(ff));
			buf_puts(out, "</td><td>");
			esc(out, realism_label(ff, b, tmp, sizeof tmp));
			buf_printf(out, "</td><td class=\"n\">%.1f%%</td>", 100 * realism_share(a, ff, b));
			if (ref) {
				double tv = realism_tv(a, ref, ff);
				buf_printf(out, "<td class=\"n\">%.1f%%%s</td><td class=\"n\">", 100 * realism_share(ref, ff, b),
					   realism_off(a, ref, ff, b) ? " &#9888;" : "");
				if (!b && !isnan(tv))
					buf_printf(out, "%.3f", tv);
				buf_puts(out, "</td>");
			}
			buf_puts(out, "</tr>\n");
		}
	}
	buf_puts(out, "</table>\n");
}

static void stat_cards(buf *out, const stats *st)
{
	buf_puts(out, "<div class=\"cards\">");
	buf_printf(out, "<div><b>%llu</b>records</div>", (unsigned long long)st->records);
	buf_printf(out, "<div><b>%zu</b>categories</div>", st->categories.n);
	buf_printf(out, "<div><b>%zu</b>distinct builtins</div>", st->builtins.n);
	buf_printf(out, "<div><b>%llu</b>rejects</div>", (unsigned long long)st->metrics.rejects);
	buf_printf(out, "<div><b>%.1f%%</b>structurally unique</div>",
		   stats_pct(st->structural.n, st->records));
	buf_printf(out, "<div><b>%llu</b>malformed lines skipped</div>", (unsigned long long)st->malformed);
	buf_puts(out, "</div>\n");
}

/* Code with comment lines (// and #) dimmed; everything escaped. */
static void code(buf *out, const char *title, const char *s)
{
	buf_puts(out, "<div class=\"col\"><h4>");
	esc(out, title);
	buf_puts(out, "</h4><pre>");
	if (!s) {
		buf_puts(out, "<span class=\"c\">(not in this record)</span></pre></div>");
		return;
	}
	while (*s) {
		size_t n = strcspn(s, "\n");
		size_t ws = strspn(s, " \t");
		int comment = ws < n && (s[ws] == '#' || (s[ws] == '/' && s[ws + 1] == '/'));
		int deco = ws < n && s[ws] == '@';
		if (comment || deco)
			buf_puts(out, comment ? "<span class=\"c\">" : "<span class=\"d\">");
		html_escape(out, s, n);
		if (comment || deco)
			buf_puts(out, "</span>");
		s += n;
		if (*s == '\n')
			buf_putc(out, *s++);
	}
	buf_puts(out, "</pre></div>\n");
}

static void examples(buf *out, const stats *st)
{
	buf_puts(out, "<h2>Example pairs</h2>\n");
	for (size_t i = 0; i < st->nex; i++) {
		const stats_example *e = &st->ex[i];
		buf_puts(out, "<h3>");
		esc(out, e->kernel_name);
		buf_puts(out, " <small>");
		esc(out, e->category);
		buf_puts(out, "</small></h3>\n<div class=\"pair\">");
		code(out, "Python", e->python);
		code(out, "CPU forward (C++)", e->cpu);
		code(out, "CUDA forward", e->cuda);
		buf_puts(out, "</div>\n");
	}
}

static const char css[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1280px;"
	"padding:0 16px;color:#222;background:#fff}"
	"h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;border-bottom:1px solid #ddd;padding-bottom:3px;"
	"margin-top:28px}h3{font-size:14px;margin:16px 0 6px}h3 small{color:#777;font-weight:normal}"
	".meta{color:#555}.cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}"
	".cards div{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:120px;color:#555}"
	".cards b{display:block;font-size:20px;color:#222}"
	".grid{display:flex;flex-wrap:wrap;gap:8px 24px}figure{margin:8px 0}figcaption{font-weight:600;margin:4px 0}"
	"svg text{font:12px system-ui,sans-serif;fill:#222}svg .note{fill:#888}svg .ax{font-size:11px;fill:#555}"
	".pair{display:grid;grid-template-columns:1fr 1fr 1fr;gap:10px}.col{min-width:0}.col h4{margin:2px 0;"
	"font-size:12px;color:#555}pre{background:#f7f7f9;border:1px solid #e3e3e8;border-radius:4px;padding:8px;"
	"font:11px/1.35 ui-monospace,'DejaVu Sans Mono',monospace;overflow:auto;max-height:460px;margin:0;"
	"white-space:pre}pre .c{color:#8a8f98}pre .d{color:#a0522d}p.none{color:#666}"
	"table.t{border-collapse:collapse;margin:4px 0 12px}table.t th,table.t td{padding:2px 10px;text-align:left;"
	"border-bottom:1px solid #eee}table.t td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"table.t tr.total td{font-weight:600;border-top:1px solid #ccc}";

static void header(buf *out, const stats *st)
{
	buf_printf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>jitsynth stats: ");
	esc(out, st->dir ? st->dir : "");
	buf_printf(out, "</title>\n<style>%s</style></head>\n<body>\n<h1>jitsynth dataset report</h1>\n<p class=\"meta\">",
		   css);
	esc(out, st->dir ? st->dir : "");
	buf_puts(out, " &middot; ");
	esc(out, st->layout ? st->layout : "");
	buf_puts(out, " &middot; Warp ");
	esc(out, st->warp_version ? st->warp_version : "unknown");
	buf_printf(out, " &middot; manifest: %s</p>\n",
		   st->complete < 0 ? "none" : st->complete ? "complete" : "INCOMPLETE");
}

void html_render(const stats *st, buf *out)
{
	header(out, st);
	if (st->sources_only) { /* stats --sources: no records, only the realism figures */
		realism_table(out, st);
		buf_puts(out, "</body></html>\n");
		return;
	}
	stat_cards(out, st);
	buf_puts(out, "<h2>Categories</h2>\n");
	table_bars(out, "Records per category", &st->categories, st->records, 64, 0);
	if (st->origins.n > 1 || st->licenses.n) {
		table_bars(out, "Records per origin", &st->origins, st->records, 8, 0);
		table_bars(out, "Ingested records per license", &st->licenses, st->records, 64, 0);
	}
	buf_puts(out, "<h2>Lengths</h2>\n<div class=\"grid\">\n");
	for (int i = 0; i < STATS_NHIST; i++)
		if (st->hist[i].n)
			svg_hist(out, &st->hist[i], stats_hist_title((stats_hist_id)i));
	buf_puts(out, "</div>\n<h2>Kernel shape</h2>\n<p class=\"meta\">The <code>@wp.kernel</code> function's body: "
		      "statements are logical lines (an <code>if</code>/<code>elif</code>/<code>else</code>/<code>for</code>/"
		      "<code>while</code> head counts as one); nesting depth is the deepest block level (0: no block).</p>\n"
		      "<div class=\"grid\">\n");
	if (st->metrics.statements.n)
		svg_hist(out, &st->metrics.statements, "Statements per kernel");
	if (st->metrics.depth.n)
		svg_hist(out, &st->metrics.depth, "Nesting depth per kernel");
	if (!st->metrics.statements.n)
		buf_puts(out, "<p class=\"none\">No @wp.kernel function found in the records.</p>\n");
	buf_puts(out, "</div>\n<h2>Builtin coverage</h2>\n<div class=\"grid\">\n");
	catalog_table(out, st);
	builtin_groups(out, st);
	table_bars(out, "Records using each builtin (top 40)", &st->builtins, st->records, 40, 1);
	buf_puts(out, "</div>\n<h2>Validation</h2>\n");
	table_bars(out, "Validation outcome per device (meta.validated)", &st->validation, st->records, 32, 0);
	if (st->executed_records)
		table_bars(out, "Execution on CPU (exec: outcome, outputs, adjoint check)", &st->execution,
			   st->executed_records, 48, 0);
	buf_puts(out, "<h2>Rejects</h2>\n");
	if (st->metrics.rejects) {
		table_bars(out, "Reject reasons", &st->metrics.reasons, st->metrics.rejects, 48, 0);
		reasons_table(out, st);
	} else
		buf_puts(out, "<p class=\"none\">No rejects: every kernel produced a record.</p>\n");
	buf_puts(out, "<h2>Dedup</h2>\n");
	bar d[3] = {{"records kept", st->records, NULL},
		    {"exact duplicates dropped", st->dedup_exact, NULL},
		    {"structural duplicates dropped", st->dedup_structural, NULL}};
	svg_bars(out, st->have_dedup ? "Dedup at generation (manifest)" : "Dedup (no counts in the manifest)", d,
		 st->have_dedup ? 3 : 1, 0);
	buf_printf(out, "<p>%zu of %llu records are structurally distinct (%.1f%%).</p>\n", st->structural.n,
		   (unsigned long long)st->records,
		   stats_pct(st->structural.n, st->records));
	realism_table(out, st);
	examples(out, st);
	buf_puts(out, "</body></html>\n");
}

int html_write(const stats *st, const char *path, buf *err)
{
	buf page = BUF_INIT, tmp = BUF_INIT;
	html_render(st, &page);
	buf_printf(&tmp, "%s.tmp", path);
	FILE *f = fopen(tmp.data, "wbe");
	int rc = -1;
	if (!f) {
		buf_printf(err, "cannot write '%s': %s", tmp.data, strerror(errno));
		goto out;
	}
	int bad = fwrite(page.data, 1, page.len, f) != page.len;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp.data, path) != 0) {
		buf_printf(err, "cannot write '%s': %s", path, strerror(errno));
		unlink(tmp.data);
		goto out;
	}
	rc = 0;
out:
	buf_free(&page);
	buf_free(&tmp);
	return rc;
}

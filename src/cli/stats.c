/* stats: `jitsynth stats DIR [--html FILE]` prints a dataset's figures as a
 * table and optionally writes the visual report; any layout reader.h knows. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "report/html.h"
#include "store/layout.h"
#include "report/stats.h"

static const char usage[] =
	"usage: jitsynth stats DIR [--compare REF]... [--sources] [--html FILE] [--quiet]\n"
	"\n"
	"Prints the figures of the dataset in DIR (jitsynth's shards, .jsonl or\n"
	".jsonl.zst, or the seed layout DIR/cpu|cuda/pair_*.json): records per\n"
	"category, Python and IR lengths, statements and nesting depth per\n"
	"kernel, builtins used and coverage of Warp's catalog per group,\n"
	"validation outcomes, reject reasons, dedup counts, structural\n"
	"uniqueness, and the realism features of the kernels' Python (README.md,\n"
	"\"Stats\" and \"Realism\", defines each). Streams: memory does not grow\n"
	"with the number of records.\n"
	"\n"
	"      --compare REF  compare the realism features with real Warp code: REF\n"
	"                   is a .py file or a directory of them (read, never run),\n"
	"                   or a dataset directory (its records' python_source,\n"
	"                   e.g. an `ingest` of real code);\n"
	"                   repeat it to pool several; prints both side by side and\n"
	"                   their distance (mean total-variation distance)\n"
	"      --sources    DIR is Python sources (a .py file or a directory of\n"
	"                   them, e.g. `jitsynth sample` output), not a dataset:\n"
	"                   only the realism figures\n"
	"      --html FILE  also write a self-contained HTML report (inline SVG)\n"
	"  -q, --quiet      no table (with --html: only the file)\n"
	"  -h, --help       this help\n";

enum { OPT_HTML = 256, OPT_COMPARE, OPT_SOURCES, WARN_SHOWN = 20, MAX_REFS = 64 };

/* Prints the first WARN_SHOWN warnings (they quote the dataset: names,
 * parser errors); counts the rest. */
void cli_warn_skipped(const char *msg, void *ctx)
{
	cli_warnings *w = ctx;
	if (w->n++ < WARN_SHOWN)
		cli_line(stderr, "jitsynth %s: skipped %s", w->cmd, msg);
}

void cli_warn_summary(const cli_warnings *w)
{
	if (w->n > WARN_SHOWN)
		fprintf(stderr, "jitsynth %s: ... and %llu more malformed lines or files skipped\n", w->cmd,
			(unsigned long long)(w->n - WARN_SHOWN));
}

int cmd_stats(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"html", required_argument, NULL, OPT_HTML},
		{"compare", required_argument, NULL, OPT_COMPARE},
		{"sources", no_argument, NULL, OPT_SOURCES},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *html = NULL, *refs[MAX_REFS];
	int quiet = 0, sources = 0, nrefs = 0, c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_HTML: html = optarg; break;
		case OPT_SOURCES: sources = 1; break;
		case OPT_COMPARE:
			if (nrefs == MAX_REFS)
				return usage_error("stats", "at most %d --compare references (give their parent directory)", MAX_REFS);
			refs[nrefs++] = optarg;
			break;
		case 'q': quiet = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		case ':': return usage_error("stats", "option '%s' needs a value", argv[optind - 1]);
		default: return usage_error("stats", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return usage_error("stats", "give the dataset directory (jitsynth stats DIR)");
	if (optind + 1 < argc)
		return usage_error("stats", "unexpected argument '%s' (one directory at a time)", argv[optind + 1]);
	const char *dir = argv[optind];
	if (html && layout_is_dataset_path(dir, html))
		return usage_error("stats", "--html '%s' is a file of the dataset; write the report elsewhere (e.g. --html report.html)",
				   html);
	stats *st = stats_new();
	buf err = BUF_INIT, out = BUF_INIT;
	cli_warnings w = {"stats", 0};
	int rc = 0;
	for (int i = 0; i < nrefs; i++)
		if (stats_add_reference(st, refs[i], cli_warn_skipped, &w, &err) < 0) {
			cli_line(stderr, "jitsynth stats: %s (give a .py file or a directory of them)", err.data);
			rc = 1;
			goto done;
		}
	if (sources ? stats_scan_sources(st, dir, cli_warn_skipped, &w, &err) < 0
		    : stats_scan(st, dir, cli_warn_skipped, &w, &err) < 0) {
		cli_line(stderr, "jitsynth stats: %s", err.data);
		rc = 1;
		goto done;
	}
	cli_warn_summary(&w);
	if (!quiet) {
		stats_render_table(st, &out);
		cli_text(stdout, out.data, out.len);
	}
	if (html && html_write(st, html, &err) < 0) {
		cli_line(stderr, "jitsynth stats: %s (check the path given to --html)", err.data);
		rc = 1;
	} else if (html && !quiet) {
		putchar('\n');
		cli_line(stdout, "report     %s", html);
	}
	if (fflush(stdout) != 0)
		rc = 1;
done:
	stats_free(st);
	buf_free(&err);
	buf_free(&out);
	return rc;
}

/* export: `jitsynth export DIR --layout seed -o OUT` writes a dataset in the
 * seed report's layout (OUT/cpu/pair_000000.json, OUT/cuda/...). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/export.h"

static const char usage[] =
	"usage: jitsynth export DIR --layout seed -o OUT [--force]\n"
	"\n"
	"Writes the records of the dataset in DIR in the seed report's layout:\n"
	"OUT/cpu/pair_000000.json, OUT/cuda/pair_000000.json, ... each with\n"
	"python_source (from @wp.kernel), cpp_forward and metadata.{kernel_name,\n"
	"category,device}.\n"
	"\n"
	"      --layout seed  the layout to write (seed is the one there is)\n"
	"  -o, --output OUT   the directory to write (created if absent)\n"
	"      --force        replace OUT/cpu and OUT/cuda if they exist\n"
	"  -h, --help         this help\n";

enum { OPT_LAYOUT = 256, OPT_FORCE };

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"layout", required_argument, NULL, OPT_LAYOUT},
		{"output", required_argument, NULL, 'o'},
		{"force", no_argument, NULL, OPT_FORCE},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *layout = NULL, *out = NULL;
	int force = 0, c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_LAYOUT: layout = optarg; break;
		case 'o': out = optarg; break;
		case OPT_FORCE: force = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		case ':': return usage_error("export", "option '%s' needs a value", argv[optind - 1]);
		default: return usage_error("export", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return usage_error("export", "give the dataset directory (jitsynth export DIR --layout seed -o OUT)");
	if (optind + 1 < argc)
		return usage_error("export", "unexpected argument '%s'", argv[optind + 1]);
	if (!layout)
		return usage_error("export", "--layout is required (--layout seed)");
	if (strcmp(layout, "seed"))
		return usage_error("export", "unknown layout '%s' (the layout there is: seed)", layout);
	if (!out || !*out)
		return usage_error("export", "-o OUT is required");
	buf err = BUF_INIT;
	export_result res;
	cli_warnings w = {"export", 0};
	int rc = export_seed(argv[optind], out, force, cli_warn_skipped, &w, &res, &err);
	cli_warn_summary(&w);
	if (rc == 0 && res.records == 0) {
		buf_printf(&err, "'%s' holds no records: nothing exported (give a directory that holds records)",
			   argv[optind]);
		rc = -1;
	}
	if (rc < 0)
		cli_line(stderr, "jitsynth export: %s", err.data);
	else
		cli_line(stdout, "exported %llu records: %llu cpu and %llu cuda pair files in %s%s",
			 (unsigned long long)res.records, (unsigned long long)res.files[0],
			 (unsigned long long)res.files[1], out,
			 res.too_large ? " (some pairs not written: too long to be read back)" : "");
	buf_free(&err);
	return rc < 0 ? 1 : 0;
}

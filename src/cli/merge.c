/* merge: `jitsynth merge A B ... -o OUT` joins datasets (any layout) into
 * new shards, dropping duplicates across all of them, with a manifest and a
 * dataset card. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "pipeline/merge.h"

static const char usage[] =
	"usage: jitsynth merge DIR... -o OUT [--format jsonl.zst|jsonl] [--zstd-level N]\n"
	"                      [--shard-size N] [--no-dedup] [--force]\n"
	"\n"
	"Combines the datasets in DIR... (jitsynth's shards or the seed layout)\n"
	"into OUT: new train-NNNNN.jsonl[.zst] shards, manifest.json (with the\n"
	"sources under merged_from and dedup counts) and README.md. The first of\n"
	"each exact or structural duplicate, in the order given, is kept.\n"
	"When DIR... are the parts of one `generate --part K/N` run (all of\n"
	"them, in any order), OUT becomes that run's dataset, as one machine\n"
	"would have written it: merge checks first that the parts are complete,\n"
	"intact and of the same run, and takes --format, --shard-size and dedup\n"
	"from the run.\n"
	"\n"
	"  -o, --output OUT      the directory to write (created if absent)\n"
	"      --format F        jsonl.zst (default) or jsonl\n"
	"      --zstd-level N    1..19 (default 3) for jsonl.zst\n"
	"      --shard-size N    records per shard (default 10000)\n"
	"      --no-dedup        keep duplicates\n"
	"      --force           replace a dataset already in OUT\n"
	"  -h, --help            this help\n";

enum { OPT_FORMAT = 256, OPT_LEVEL, OPT_SHARD, OPT_NODEDUP, OPT_FORCE };

int cmd_merge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},	{"format", required_argument, NULL, OPT_FORMAT},
		{"zstd-level", required_argument, NULL, OPT_LEVEL}, {"shard-size", required_argument, NULL, OPT_SHARD},
		{"no-dedup", no_argument, NULL, OPT_NODEDUP},	{"force", no_argument, NULL, OPT_FORCE},
		{"help", no_argument, NULL, 'h'},		{0},
	};
	merge_options o = {.format = JSONL_ZST, .shard_size = 10000, .dedup = 1};
	uint64_t v;
	int c, level_given = 0;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o.out = optarg; break;
		case OPT_FORMAT:
			if (jsonl_format_parse(optarg, &o.format) < 0)
				return usage_error("merge", "--format wants jsonl or jsonl.zst, not '%s'", optarg);
			o.given |= MERGE_GIVEN_FORMAT;
			break;
		case OPT_LEVEL:
			if (parse_u64(optarg, 1, 19, &v) < 0)
				return usage_error("merge", "--zstd-level wants 1..19, not '%s'", optarg);
			o.zstd_level = (int)v;
			level_given = 1;
			o.given |= MERGE_GIVEN_LEVEL;
			break;
		case OPT_SHARD:
			if (parse_u64(optarg, 1, UINT64_C(1) << 32, &v) < 0)
				return usage_error("merge", "--shard-size wants a positive count, not '%s'", optarg);
			o.shard_size = (size_t)v;
			o.given |= MERGE_GIVEN_SHARD_SIZE;
			break;
		case OPT_NODEDUP:
			o.dedup = 0;
			o.given |= MERGE_GIVEN_DEDUP;
			break;
		case OPT_FORCE: o.force = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		case ':': return usage_error("merge", "option '%s' needs a value", argv[optind - 1]);
		default: return usage_error("merge", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return usage_error("merge", "give at least one dataset directory (jitsynth merge A B -o OUT)");
	if (!o.out || !*o.out)
		return usage_error("merge", "-o OUT is required");
	if (level_given && o.format != JSONL_ZST)
		return usage_error("merge", "--zstd-level needs --format jsonl.zst");
	buf err = BUF_INIT;
	merge_result res;
	cli_warnings w = {"merge", 0};
	int rc = merge_run((const char *const *)argv + optind, (size_t)(argc - optind), &o, cli_warn_skipped, &w,
			   &res, &err);
	cli_warn_summary(&w);
	if (rc < 0)
		cli_line(stderr, "jitsynth merge: %s", err.data);
	else if (res.parts)
		cli_line(stdout,
			 "merged %zu parts: %llu records into %llu in %zu shard%s, %llu rejects (%llu exact, %llu "
			 "structural duplicates dropped)",
			 res.parts, (unsigned long long)res.read, (unsigned long long)res.written, res.nshards,
			 res.nshards == 1 ? "" : "s", (unsigned long long)res.rejects, (unsigned long long)res.exact,
			 (unsigned long long)res.structural);
	else
		cli_line(stdout,
			 "merged %llu records into %llu in %zu shard%s (%llu exact, %llu structural duplicates "
			 "dropped%s)",
			 (unsigned long long)res.read, (unsigned long long)res.written, res.nshards,
			 res.nshards == 1 ? "" : "s", (unsigned long long)res.exact,
			 (unsigned long long)res.structural,
			 res.too_large ? "; some not written: too long to be read back" : "");
	buf_free(&err);
	return rc < 0 ? 1 : 0;
}

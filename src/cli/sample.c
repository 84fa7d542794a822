/* sample: `jitsynth sample` prints generated kernels without Warp, for
 * looking at what the generator makes and for timing it alone. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>

#include "cli/cli.h"
#include "gen/gen.h"

/* The help text, around the category list printed from the profile table. */
static const char usage_head[] =
	"usage: jitsynth sample [--category C] [-n K] [--seed S] [--start I] [--max-stmts N] [--max-depth N]\n"
	"                      [--style S]\n"
	"\n"
	"Prints K generated kernels (Python source) without running Warp.\n"
	"\n"
	"  -c, --category LIST  categories to draw from, comma-separated, 'seed'\n"
	"                       or 'all'.\n";
static const char usage_tail[] =
	"  -n, --count K        kernels to print (default 1)\n"
	"      --seed S         random seed (default 42)\n"
	"      --start I        index of the first kernel (default 0)\n"
	"      --max-stmts N    at most N random statements per kernel body, nested\n"
	"                       ones included (default: each profile's own range)\n"
	"      --max-depth N    random expression trees at most N deep (default:\n"
	"                       each profile's own range)\n"
	"      --weights FILE   statement weights per profile, lines such as\n"
	"                       'loop.while = 0' or '*.atomic = 5' (0..100)\n"
	"      --style S        realistic (default: written as simulation code is)\n"
	"                       or synthetic (the grammar's own text; the default\n"
	"                       with --category seed)\n"
	"  -h, --help           this help\n";

enum { OPT_SEED = 256, OPT_START, OPT_MAX_STMTS, OPT_MAX_DEPTH, OPT_WEIGHTS, OPT_STYLE };

int cmd_sample(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"category", required_argument, NULL, 'c'},
		{"categories", required_argument, NULL, 'c'},
		{"count", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, OPT_SEED},
		{"start", required_argument, NULL, OPT_START},
		{"max-stmts", required_argument, NULL, OPT_MAX_STMTS},
		{"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
		{"weights", required_argument, NULL, OPT_WEIGHTS},
		{"style", required_argument, NULL, OPT_STYLE},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	gen_options g = {.seed = 42};
	static gen_weights weights;
	uint64_t n = 1, start = 0, v;
	char bad[64];
	int c, cats_given = 0, seed_named = 0, style_given = 0;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":c:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (parse_categories(optarg, &g.categories, &seed_named, bad, sizeof bad) < 0)
				return usage_error("sample", "unknown category '%s' (see --help)", bad);
			cats_given = 1;
			break;
		case 'n':
			if (parse_u64(optarg, 1, UINT64_C(1) << 40, &n) < 0)
				return usage_error("sample", "-n wants a positive count, not '%s'", optarg);
			break;
		case OPT_SEED:
			if (parse_u64(optarg, 0, UINT64_MAX, &g.seed) < 0)
				return usage_error("sample", "--seed wants a non-negative integer, not '%s'", optarg);
			break;
		case OPT_START:
			if (parse_u64(optarg, 0, UINT64_MAX / 2, &start) < 0)
				return usage_error("sample", "--start wants a non-negative integer, not '%s'", optarg);
			break;
		case OPT_MAX_STMTS:
			if (parse_u64(optarg, 1, INT_MAX, &v) < 0)
				return usage_error("sample", "--max-stmts wants a positive integer, not '%s'", optarg);
			g.max_stmts = (int)v;
			break;
		case OPT_MAX_DEPTH:
			if (parse_u64(optarg, 1, INT_MAX, &v) < 0)
				return usage_error("sample", "--max-depth wants a positive integer, not '%s'", optarg);
			g.max_depth = (int)v;
			break;
		case OPT_WEIGHTS: {
			char why[512];
			if (read_weights(optarg, weights, why, sizeof why) < 0)
				return usage_error("sample", "%s", why);
			g.weights = (const signed char (*)[GEN_STMT_KINDS])weights;
			break;
		}
		case OPT_STYLE: {
			int st = gen_style_from_name(optarg);
			if (st < 0)
				return usage_error("sample", "--style wants synthetic or realistic, not '%s'", optarg);
			g.style = (gen_style)st;
			style_given = 1;
			break;
		}
		case 'h':
			print_help(usage_head, "                       ", usage_tail);
			return 0;
		case ':':
			return usage_error("sample", "option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("sample", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("sample", "unexpected argument '%s'", argv[optind]);
	gen_cli_defaults(&g, cats_given, seed_named, style_given);

	gen_kernel k = {0};
	for (uint64_t i = start; i < start + n; i++) {
		gen_kernel_make(&g, i, &k);
		printf("# kernel %llu: %s (%s)\n", (unsigned long long)i, k.name, gen_category_name(k.category));
		fwrite(k.source.data, 1, k.source.len, stdout);
		putchar('\n');
	}
	gen_kernel_free(&k);
	return fflush(stdout) == 0 ? 0 : 1;
}

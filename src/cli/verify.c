/* verify: `jitsynth verify DIR` checks a dataset against its own manifest
 * and journal (pipeline/verify.c): one line per mismatch on stdout, a
 * closing line, exit 0 when everything holds and 1 on any mismatch. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "pipeline/verify.h"

static const char usage[] = "usage: jitsynth verify DIR [--quiet]\n"
			    "\n"
			    "Checks the dataset in DIR against what its own manifest.json (and its\n"
			    "journal.jsonl, when there is one) says of every file: each shard's byte\n"
			    "size, SHA-256 and record count, rejects.jsonl's, the counts, shards that\n"
			    "are missing, extra or listed twice, and the Warp version of each shard.\n"
			    "Prints one line per mismatch; exits 0 when everything holds, 1 on any.\n"
			    "\n"
			    "  -q, --quiet   print only the mismatches\n"
			    "  -h, --help    this help\n";

static void print_mismatch(const char *line, void *ctx)
{
	(void)ctx;
	printf("%s\n", line);
}

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int quiet = 0, c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return usage_error("verify", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return usage_error("verify", "give the dataset directory (jitsynth verify DIR)");
	if (optind + 1 < argc)
		return usage_error("verify", "unexpected argument '%s' (one directory at a time)",
				   argv[optind + 1]);
	const char *dir = argv[optind];
	buf err = BUF_INIT;
	verify_result res;
	int rc = verify_dataset(dir, print_mismatch, NULL, &res, &err);
	fflush(stdout);
	if (rc < 0) {
		fprintf(stderr, "jitsynth verify: %s\n", err.data);
	} else if (res.mismatches) {
		fprintf(stderr,
			"jitsynth verify: %zu mismatch%s in '%s': restore the files named from a copy, or "
			"make the dataset again (jitsynth generate --force)\n",
			res.mismatches, res.mismatches == 1 ? "" : "es", dir);
		rc = -1;
	} else if (!quiet) {
		printf("%s: %zu shard%s (%llu records)", dir, res.shards, res.shards == 1 ? "" : "s",
		       (unsigned long long)res.records);
		if (res.have_manifest)
			printf(" and rejects (%llu line%s) match manifest.json%s",
			       (unsigned long long)res.rejects, res.rejects == 1 ? "" : "s",
			       res.have_journal ? " and journal.jsonl" : "");
		else
			printf(" match journal.jsonl");
		if (!res.have_manifest)
			printf("; no manifest.json: the run did not finish (jitsynth generate --resume "
			       "continues it)");
		else if (!res.complete)
			printf("; the run is incomplete (jitsynth generate --resume continues it)");
		printf("\n");
	}
	buf_free(&err);
	if (fflush(stdout) != 0)
		rc = -1;
	return rc < 0 ? 1 : 0;
}

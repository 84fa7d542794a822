/* ingest: `jitsynth ingest SRC... -o OUT` turns real Warp code (a directory
 * of Python files, a checkout, a package installed in jitsynth's Python)
 * into records with provenance, running the code only in the sandbox. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/dev.h"
#include "pipeline/ingest.h"

static const char usage[] =
    "usage: jitsynth ingest SRC... -o OUT [--devices cpu,cuda] [--jobs N] [--timeout S]\n"
    "                       [--format jsonl|jsonl.zst] [--shard-size N] [--no-dedup]\n"
    "                       [--force] [--python PATH] [--quiet]\n"
    "\n"
    "Finds every @wp.kernel in SRC (a directory of Python files, a git checkout,\n"
    "or the name of a package jitsynth's Python can import, e.g. warp.examples),\n"
    "compiles each through Warp in a sandbox (no network, read-only file system,\n"
    "no new processes, memory and CPU limits) and writes records of the generated\n"
    "schema plus origin \"ingested\" and source {path, line, package, version or\n"
    "commit, license}. A kernel found but not paired is in rejects.jsonl with the\n"
    "reason (factory, generic without overload, missing dependency, Warp's error).\n"
    "\n"
    "  -o, --output OUT      the directory to write (created if absent)\n"
    "      --devices LIST    cpu, cuda or cpu,cuda (default)\n"
    "  -j, --jobs N          sandboxed Warp workers (default: cores)\n"
    "      --timeout S       seconds a file may take before its worker is killed (default 60)\n"
    "      --format F        jsonl.zst (default, as generate) or jsonl\n"
    "      --shard-size N    records per shard (default 10000)\n"
    "      --no-dedup        keep duplicates\n"
    "      --force           replace a dataset already in OUT\n"
    "      --python PATH     an interpreter with warp-lang (default: the .venv)\n"
    "  -q, --quiet           no summary\n"
    "  -h, --help            this help\n";

enum { OPT_DEVICES = 256, OPT_TIMEOUT, OPT_FORMAT, OPT_SHARD, OPT_NODEDUP, OPT_FORCE, OPT_PYTHON };

static void summary(const ingest_result *r)
{
	printf("ingested %llu kernels found in %llu of %llu files (%llu at module level): %llu paired, %llu "
	       "not\n",
	       (unsigned long long)r->found, (unsigned long long)r->files_with_kernels,
	       (unsigned long long)r->files, (unsigned long long)r->module_level,
	       (unsigned long long)r->paired, (unsigned long long)(r->found - r->paired));
	const char *k;
	json_t *v;
	json_object_foreach(r->by_reason, k, v)
	    cli_line(stdout, "  not paired  %6lld  %s", (long long)json_integer_value(v), k);
	size_t i;
	json_t *s;
	json_array_foreach(r->per_source, i, s)
	{
		long long ml = json_integer_value(json_object_get(s, "module_level"));
		long long mlp = json_integer_value(json_object_get(s, "module_level_paired"));
		cli_line(stdout, "  %s: %lld found, %lld paired; module level: %lld of %lld paired (%.1f%%)",
			 json_string_value(json_object_get(s, "src")),
			 (long long)json_integer_value(json_object_get(s, "found")),
			 (long long)json_integer_value(json_object_get(s, "paired")), mlp, ml,
			 ml ? 100.0 * (double)mlp / (double)ml : 0.0);
	}
	printf(
	    "records %llu (%llu exact, %llu structural duplicates dropped); files by route: %llu imported, "
	    "%llu standalone; %.1f s\n",
	    (unsigned long long)r->records, (unsigned long long)r->exact, (unsigned long long)r->structural,
	    (unsigned long long)r->route_import, (unsigned long long)r->route_standalone, r->seconds);
}

int cmd_ingest(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"devices", required_argument, NULL, OPT_DEVICES},
	    {"jobs", required_argument, NULL, 'j'},
	    {"timeout", required_argument, NULL, OPT_TIMEOUT},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"shard-size", required_argument, NULL, OPT_SHARD},
	    {"no-dedup", no_argument, NULL, OPT_NODEDUP},
	    {"force", no_argument, NULL, OPT_FORCE},
	    {"python", required_argument, NULL, OPT_PYTHON},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	ingest_options o = {.format = JSONL_ZST, .shard_size = 10000, .dedup = 1};
	pool_options_init(&o.pool);
	o.pool.jobs = cores > 0 ? (int)cores : 1;
	o.pool.python = default_python();
	o.pool.worker_script = default_worker_script();
	o.pool.stop = &cli_stop;
	o.pool.devices = DEV_ALL;
	int quiet = 0, c;
	uint64_t v;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.out = optarg;
			break;
		case OPT_DEVICES:
			if (dev_parse_list(optarg, &o.pool.devices) < 0)
				return usage_error("ingest",
						   "--devices wants cpu, cuda or cpu,cuda, not '%s'", optarg);
			break;
		case 'j':
			if (parse_u64(optarg, 1, 256, &v) < 0)
				return usage_error("ingest", "--jobs wants 1..256, not '%s'", optarg);
			o.pool.jobs = (int)v;
			break;
		case OPT_TIMEOUT:
			if (parse_seconds(optarg, &o.pool.timeout) < 0)
				return usage_error("ingest", "--timeout wants seconds (e.g. 60), not '%s'",
						   optarg);
			break;
		case OPT_FORMAT:
			if (jsonl_format_parse(optarg, &o.format) < 0)
				return usage_error("ingest", "--format wants jsonl or jsonl.zst, not '%s'",
						   optarg);
			break;
		case OPT_SHARD:
			if (parse_u64(optarg, 1, UINT64_C(1) << 32, &v) < 0)
				return usage_error("ingest", "--shard-size wants a positive count, not '%s'",
						   optarg);
			o.shard_size = (size_t)v;
			break;
		case OPT_NODEDUP:
			o.dedup = 0;
			break;
		case OPT_FORCE:
			o.force = 1;
			break;
		case OPT_PYTHON:
			o.pool.python = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case ':':
			return usage_error("ingest", "option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("ingest", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return usage_error("ingest", "give at least one source (jitsynth ingest SRC -o OUT)");
	if (!o.out || !*o.out)
		return usage_error("ingest", "-o OUT is required");
	o.srcs = (const char *const *)argv + optind;
	o.nsrcs = (size_t)(argc - optind);
	cli_catch_stop();
	ingest_result r;
	buf err = BUF_INIT;
	int rc = ingest_run(&o, &r, &err);
	if (rc < 0)
		cli_line(stderr, "jitsynth ingest: %s", buf_cstr(&err));
	else if (!quiet)
		summary(&r);
	ingest_result_free(&r);
	buf_free(&err);
	if (fflush(stdout) != 0)
		rc = -1;
	return rc < 0 ? 1 : 0;
}

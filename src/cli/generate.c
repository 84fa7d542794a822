/* generate: `jitsynth generate` parses its flags into a const run_options,
 * runs the pipeline, and turns the outcome into messages and exit codes. */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "common/dev.h"
#include "pipeline/run.h"
#include "validate/cxx.h"

/* The help text, around the category list printed from the profile table. */
/* A worker's start costs ~0.25 s of CPU (importing Warp), the time it takes
 * to generate ~30 kernels: by default, no more workers than this many
 * kernels each would keep busy. */
#define GENERATE_KERNELS_PER_WORKER 32

static const char usage_head[] =
	"usage: jitsynth generate [-n N] [-o DIR] [options]\n"
	"\n"
	"Generates N Warp kernels, compiles each with Warp's code generator and\n"
	"writes the Python -> C++/CUDA pairs (forward and backward) as JSONL shards.\n"
	"\n"
	"  -n, --count N         kernels to generate (default 1000)\n"
	"  -o, --output DIR      output directory (default data)\n"
	"      --seed S          random seed (default 42); same seed, same dataset\n"
	"  -j, --jobs N          Warp worker processes (default: number of cores,\n"
	"                        at most one per 32 kernels)\n"
	"      --devices LIST    cpu,cuda (default both)\n"
	"      --categories LIST kernel categories, comma-separated, 'seed' or 'all'.\n";
static const char usage_tail[] =
	"      --max-stmts N     at most N random statements per kernel body, nested\n"
	"                        ones included (default: each profile's own range)\n"
	"      --max-depth N     random expression trees at most N deep (default:\n"
	"                        each profile's own range)\n"
	"      --weights FILE    statement weights per profile, lines such as\n"
	"                        'loop.while = 0' or '*.atomic = 5' (0..100)\n"
	"      --style S         realistic (default: written as simulation code is)\n"
	"                        or synthetic (the grammar's own text; the default\n"
	"                        with --categories seed)\n"
	"      --shard-size N    records per shard (default 10000)\n"
	"      --validate T      compile every pair: none, syntax (default: NVRTC and\n"
	"                        g++ front ends), compile (PTX and object code) or\n"
	"                        run (compile, then every CPU kernel executed: exec)\n"
	"      --arch SM         CUDA architecture for --validate compile (default sm_90)\n"
	"      --cxx CXX         host C++ compiler for CPU validation (default g++;\n"
	"                        the run tier: clang++-16 if installed, else g++)\n"
	"      --format F        jsonl.zst (default: zstd-compressed shards) or jsonl\n"
	"      --zstd-level L    zstd level 1..19 (default 3)\n"
	"      --no-dedup        keep exact and structural duplicates (default: drop)\n"
	"      --part K/N        make only part K (0..N-1) of the N-part run's kernels,\n"
	"                        for `jitsynth merge` to join into the whole dataset\n"
	"      --resume          continue the interrupted run in DIR with its options\n"
	"      --force           replace a dataset already in DIR\n"
	"      --python PATH     Python with warp-lang (default: the .venv made by\n"
	"                        `make setup`, or $JITSYNTH_PYTHON)\n"
	"      --timeout SEC     kill a worker silent this long (default 60)\n"
	"      --batch N         kernels in flight per worker (default 4)\n"
	"  -q, --quiet           no progress line, no summary\n"
	"  -h, --help            this help\n";

/* s as one shell word, for a command line to copy: as is when it is made
 * of characters no shell treats specially, else in single quotes. */
static void shell_quote(buf *out, const char *s)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./+=:,@%") == strlen(s)) {
		buf_puts(out, s);
		return;
	}
	buf_putc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_puts(out, "'\\''");
		else
			buf_putc(out, *s);
	}
	buf_putc(out, '\'');
}

enum {
	OPT_SEED = 256,
	OPT_DEVICES,
	OPT_CATEGORIES,
	OPT_SHARD,
	OPT_FORCE,
	OPT_PYTHON,
	OPT_TIMEOUT,
	OPT_BATCH,
	OPT_FORMAT,
	OPT_LEVEL,
	OPT_NO_DEDUP,
	OPT_RESUME,
	OPT_VALIDATE,
	OPT_ARCH,
	OPT_CXX,
	OPT_MAX_STMTS,
	OPT_MAX_DEPTH,
	OPT_WEIGHTS,
	OPT_PART,
	OPT_STYLE,
};

/* "K/N", 0 <= K < N <= 2^20 (a Slurm array's size at most) */
static int parse_part(const char *s, uint64_t *k, uint64_t *n)
{
	const char *slash = strchr(s, '/');
	char kbuf[32];
	if (!slash || (size_t)(slash - s) >= sizeof kbuf)
		return -1;
	memcpy(kbuf, s, (size_t)(slash - s));
	kbuf[slash - s] = '\0';
	if (parse_u64(slash + 1, 1, UINT64_C(1) << 20, n) < 0 || parse_u64(kbuf, 0, *n - 1, k) < 0)
		return -1;
	return 0;
}

int cmd_generate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"count", required_argument, NULL, 'n'},
		{"output", required_argument, NULL, 'o'},
		{"seed", required_argument, NULL, OPT_SEED},
		{"jobs", required_argument, NULL, 'j'},
		{"devices", required_argument, NULL, OPT_DEVICES},
		{"categories", required_argument, NULL, OPT_CATEGORIES},
		{"max-stmts", required_argument, NULL, OPT_MAX_STMTS},
		{"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
		{"weights", required_argument, NULL, OPT_WEIGHTS},
		{"part", required_argument, NULL, OPT_PART},
		{"style", required_argument, NULL, OPT_STYLE},
		{"shard-size", required_argument, NULL, OPT_SHARD},
		{"force", no_argument, NULL, OPT_FORCE},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"zstd-level", required_argument, NULL, OPT_LEVEL},
		{"no-dedup", no_argument, NULL, OPT_NO_DEDUP},
		{"resume", no_argument, NULL, OPT_RESUME},
		{"validate", required_argument, NULL, OPT_VALIDATE},
		{"arch", required_argument, NULL, OPT_ARCH},
		{"cxx", required_argument, NULL, OPT_CXX},
		{"python", required_argument, NULL, OPT_PYTHON},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"batch", required_argument, NULL, OPT_BATCH},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	run_options o = {
		.n = 1000,
		.out_dir = "data",
		.gen = {.seed = 42},
		.chk = {.tier = CHK_SYNTAX, .arch = "sm_90"},
		.shard_size = 10000,
		.format = JSONL_ZST, /* lean by default: ~20x smaller (README "Output") */
		.dedup = 1,
	};
	static gen_weights weights; /* --weights FILE: o.gen.weights points here */
	pool_options_init(&o.pool);
	o.pool.jobs = cores > 0 ? (int)cores : 1;
	o.pool.python = default_python();
	o.pool.worker_script = default_worker_script();
	o.pool.stop = &cli_stop;
	int quiet = 0, seed_named = 0, jobs_named = 0, c;
	unsigned given = 0;
	uint64_t v;
	char bad[64];
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":n:o:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			given |= RUN_GIVEN_N;
			if (parse_u64(optarg, 1, UINT64_C(1) << 40, &o.n) < 0)
				return usage_error("generate", "-n wants a positive count, not '%s'", optarg);
			break;
		case 'o':
			if (!*optarg)
				return usage_error("generate", "-o wants a directory");
			o.out_dir = optarg;
			break;
		case OPT_SEED:
			given |= RUN_GIVEN_SEED;
			if (parse_u64(optarg, 0, UINT64_MAX, &o.gen.seed) < 0)
				return usage_error("generate", "--seed wants a non-negative integer, not '%s'", optarg);
			break;
		case 'j':
			if (parse_u64(optarg, 1, 256, &v) < 0)
				return usage_error("generate", "--jobs wants 1..256, not '%s'", optarg);
			o.pool.jobs = (int)v;
			jobs_named = 1;
			break;
		case OPT_DEVICES:
			given |= RUN_GIVEN_DEVICES;
			if (dev_parse_list(optarg, &o.pool.devices) < 0)
				return usage_error("generate", "--devices wants cpu, cuda or cpu,cuda, not '%s'", optarg);
			break;
		case OPT_CATEGORIES:
			given |= RUN_GIVEN_CATEGORIES;
			if (parse_categories(optarg, &o.gen.categories, &seed_named, bad, sizeof bad) < 0)
				return usage_error("generate", "unknown category '%s' (see --help)", bad);
			break;
		case OPT_MAX_STMTS:
			given |= RUN_GIVEN_MAX_STMTS;
			if (parse_u64(optarg, 1, INT_MAX, &v) < 0)
				return usage_error("generate", "--max-stmts wants a positive integer, not '%s'", optarg);
			o.gen.max_stmts = (int)v;
			break;
		case OPT_MAX_DEPTH:
			given |= RUN_GIVEN_MAX_DEPTH;
			if (parse_u64(optarg, 1, INT_MAX, &v) < 0)
				return usage_error("generate", "--max-depth wants a positive integer, not '%s'", optarg);
			o.gen.max_depth = (int)v;
			break;
		case OPT_WEIGHTS: {
			char why[512];
			given |= RUN_GIVEN_WEIGHTS;
			if (read_weights(optarg, weights, why, sizeof why) < 0)
				return usage_error("generate", "%s", why);
			o.gen.weights = (const signed char (*)[GEN_STMT_KINDS])weights;
			break;
		}
		case OPT_PART:
			given |= RUN_GIVEN_PART;
			if (parse_part(optarg, &o.part_k, &o.part_n) < 0)
				return usage_error("generate", "--part wants K/N with 0 <= K < N (e.g. 0/4), not '%s'", optarg);
			break;
		case OPT_STYLE: {
			int st = gen_style_from_name(optarg);
			given |= RUN_GIVEN_STYLE;
			if (st < 0)
				return usage_error("generate", "--style wants synthetic or realistic, not '%s'", optarg);
			o.gen.style = (gen_style)st;
			break;
		}
		case OPT_SHARD:
			given |= RUN_GIVEN_SHARD_SIZE;
			if (parse_u64(optarg, 1, UINT64_C(1) << 32, &v) < 0)
				return usage_error("generate", "--shard-size wants a positive count, not '%s'", optarg);
			o.shard_size = (size_t)v;
			break;
		case OPT_FORCE:
			o.force = 1;
			break;
		case OPT_FORMAT:
			given |= RUN_GIVEN_FORMAT;
			if (jsonl_format_parse(optarg, &o.format) < 0)
				return usage_error("generate", "--format wants jsonl or jsonl.zst, not '%s'", optarg);
			break;
		case OPT_LEVEL:
			given |= RUN_GIVEN_ZSTD_LEVEL;
			if (parse_u64(optarg, 1, 19, &v) < 0)
				return usage_error("generate", "--zstd-level wants 1..19, not '%s'", optarg);
			o.zstd_level = (int)v;
			break;
		case OPT_NO_DEDUP:
			given |= RUN_GIVEN_DEDUP;
			o.dedup = 0;
			break;
		case OPT_RESUME:
			o.resume = 1;
			break;
		case OPT_VALIDATE:
			given |= RUN_GIVEN_VALIDATE;
			o.exec = !strcmp(optarg, "run");
			if (o.exec)
				o.chk.tier = CHK_COMPILE;
			else if (chk_tier_parse(optarg, &o.chk.tier) < 0)
				return usage_error("generate", "--validate wants none, syntax, compile or run, not '%s'", optarg);
			break;
		case OPT_ARCH:
			given |= RUN_GIVEN_ARCH;
			if (strncmp(optarg, "sm_", 3) != 0 || parse_u64(optarg + 3, 50, 200, &v) < 0)
				return usage_error("generate", "--arch wants sm_NN (e.g. sm_90), not '%s'", optarg);
			o.chk.arch = optarg;
			break;
		case OPT_CXX:
			if (!*optarg)
				return usage_error("generate", "--cxx wants a compiler");
			o.chk.cxx = optarg;
			break;
		case OPT_PYTHON:
			o.pool.python = optarg;
			break;
		case OPT_TIMEOUT:
			if (parse_seconds(optarg, &o.pool.timeout) < 0)
				return usage_error("generate", "--timeout wants seconds > 0, not '%s'", optarg);
			break;
		case OPT_BATCH:
			if (parse_u64(optarg, 1, 64, &v) < 0)
				return usage_error("generate", "--batch wants 1..64, not '%s'", optarg);
			o.pool.batch = (int)v;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			print_help(usage_head, "                        ", usage_tail);
			return 0;
		case ':':
			return usage_error("generate", "option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("generate", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("generate", "unexpected argument '%s'", argv[optind]);
	gen_cli_defaults(&o.gen, given & RUN_GIVEN_CATEGORIES, seed_named, given & RUN_GIVEN_STYLE);
	if (o.resume && o.force)
		return usage_error("generate", "--resume and --force contradict each other");
	if ((given & RUN_GIVEN_ZSTD_LEVEL) && o.format != JSONL_ZST)
		return usage_error("generate", "--zstd-level needs --format jsonl.zst");
	if (o.part_n > o.n && !o.resume)
		return usage_error("generate", "--part %llu/%llu needs at least %llu kernels (-n)",
				   (unsigned long long)o.part_k, (unsigned long long)o.part_n,
				   (unsigned long long)o.part_n);
	if (o.exec && !(o.pool.devices & DEV_BIT(DEV_CPU)))
		return usage_error("generate", "--validate run executes the CPU kernels: add cpu to --devices");

	buf err = BUF_INIT;
	if (o.resume && run_resume_options(&o, given, &err) < 0) {
		fprintf(stderr, "jitsynth: %s\n", buf_cstr(&err));
		buf_free(&err);
		return 1;
	}
	if (o.exec) /* after --resume, which may bring back --validate run */
		o.run_cxx = o.chk.cxx ? o.chk.cxx : cxx_run_default();

	if (!jobs_named) { /* the cores, but not a worker per handful of kernels */
		uint64_t first, end;
		run_range(&o, &first, &end);
		uint64_t want = (end - first + GENERATE_KERNELS_PER_WORKER - 1) / GENERATE_KERNELS_PER_WORKER;
		if (want < (uint64_t)o.pool.jobs)
			o.pool.jobs = want > 0 ? (int)want : 1;
	}

	cli_catch_stop();
	signal(SIGXFSZ, SIG_IGN); /* a file size limit must fail a write, not kill us */

	rep_progress prog;
	rep_progress_init(&prog, stderr, quiet);
	run_state s;
	int rc = run_generate(&o, &s, rep_progress_update, &prog, &err);
	if (rc == 0 && !quiet)
		rep_summary(&prog, &o, &s);
	if (rc != 0) {
		if (prog.shown)
			fprintf(stderr, "\r\033[K");
		fprintf(stderr, "jitsynth: %s\n", buf_cstr(&err));
		/* a fresh run that failed before storing anything left nothing to
		 * resume; a stopped one always leaves a run to resume */
		if ((cli_stop && s.resumable) || (o.resume ? s.done > s.resumed_from : s.records + s.rejects > 0)) {
			uint64_t first, end;
			run_range(&o, &first, &end);
			buf q = BUF_INIT;
			shell_quote(&q, o.out_dir);
			fprintf(stderr,
				"jitsynth: %llu of %llu kernels are stored in '%s'; `jitsynth generate --resume -o %s` continues the run\n",
				(unsigned long long)s.done, (unsigned long long)(end - first), o.out_dir, q.data);
			buf_free(&q);
		}
	}
	buf_free(&err);
	return rc == 0 ? 0 : 1;
}

/* eval: `jitsynth eval DIR CANDIDATES.jsonl` (pipeline/eval.h): a table of
 * every candidate (compiles, correct, error) and the totals, or the same as
 * JSON with --json; exit 0 when every candidate is correct, 1 otherwise. */
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "pipeline/eval.h"
#include "warp/native.h"

static const char usage[] =
	"usage: jitsynth eval DIR CANDIDATES.jsonl [--json] [options]\n"
	"\n"
	"Runs candidate code against a dataset: each line of CANDIDATES.jsonl,\n"
	"{\"id\": RECORD_ID, \"cpu_forward\": TEXT}, replaces Warp's forward function in\n"
	"that record's CPU module; both are built and run (under the run tier's\n"
	"limits) on three input sets, and every output is compared (integers\n"
	"exactly, floats within 1e-5 relative + 1e-6). Prints per candidate whether\n"
	"it compiles and is correct, with the first difference or error, and the\n"
	"compile and pass rates.\n"
	"\n"
	"      --json          the report as one JSON object on stdout\n"
	"      --cxx CXX       host C++ compiler (default clang++-16 if installed,\n"
	"                      else g++)\n"
	"      --python PATH   an interpreter with warp-lang, to find Warp's headers\n"
	"  -q, --quiet         totals only\n"
	"  -h, --help          this help\n";

enum { OPT_JSON = 1000, OPT_CXX, OPT_PYTHON };

static void print_json(const ev_report *r)
{
	json_t *o = json_object(), *v = json_array();
	for (size_t i = 0; i < r->n; i++) {
		const ev_result *e = &r->v[i];
		json_t *x = json_pack("{s:s, s:s, s:b, s:b}", "id", e->id, "kernel_name", e->kernel, "compiles",
				      e->compiles, "correct", e->correct);
		json_object_set_new(x, "error", e->error ? json_string(e->error) : json_null());
		json_array_append_new(v, x);
	}
	size_t n = r->n;
	json_object_set_new(o, "candidates", json_integer((json_int_t)n));
	json_object_set_new(o, "compiled", json_integer((json_int_t)r->compiled));
	json_object_set_new(o, "correct", json_integer((json_int_t)r->correct));
	json_object_set_new(o, "compile_rate", json_real(n ? (double)r->compiled / (double)n : 0));
	json_object_set_new(o, "pass_rate", json_real(n ? (double)r->correct / (double)n : 0));
	json_object_set_new(o, "results", v);
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	puts(s ? s : "{}");
	free(s);
	json_decref(o);
}

int cmd_eval(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, OPT_JSON},	       {"cxx", required_argument, NULL, OPT_CXX},
		{"python", required_argument, NULL, OPT_PYTHON}, {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},	       {0},
	};
	int quiet = 0, as_json = 0, c;
	const char *cxx = NULL, *python = default_python();
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: as_json = 1; break;
		case OPT_CXX:
			if (!*optarg)
				return usage_error("eval", "--cxx wants a compiler");
			cxx = optarg;
			break;
		case OPT_PYTHON: python = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		case ':': return usage_error("eval", "option '%s' needs a value", argv[optind - 1]);
		default: return usage_error("eval", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return usage_error("eval", "give the dataset directory and the candidates (jitsynth eval DIR CANDIDATES.jsonl)");
	buf nd = BUF_INIT, err = BUF_INIT;
	if (warp_native_dir(python, default_worker_script(), &nd, &err) < 0) {
		cli_line(stderr, "jitsynth eval: %s", buf_cstr(&err));
		buf_free(&nd);
		buf_free(&err);
		return 1;
	}
	cli_catch_stop();
	ev_options o = {.native_dir = buf_cstr(&nd), .cxx = cxx, .stop = &cli_stop};
	ev_report r;
	int rc = ev_run(argv[optind], argv[optind + 1], &o, &r, &err);
	if (rc < 0) {
		cli_line(stderr, "jitsynth eval: %s", buf_cstr(&err));
		rc = 1;
	} else if (as_json) {
		print_json(&r);
		rc = r.interrupted || r.correct != r.n ? 1 : 0;
	} else {
		if (!quiet)
			for (size_t i = 0; i < r.n; i++) {
				const ev_result *e = &r.v[i];
				printf("%-16s %-16s %-8s %-9s ", e->id, e->kernel, e->compiles ? "compiles" : "-",
				       e->correct ? "correct" : "WRONG");
				if (e->error)
					cli_text(stdout, e->error, strlen(e->error));
				putchar('\n');
			}
		size_t n = r.n;
		printf("total      %zu candidates: compiled %llu (%.1f%%), correct %llu (%.1f%%), %.1f s\n", n,
		       (unsigned long long)r.compiled, n ? 100.0 * (double)r.compiled / (double)n : 0.0,
		       (unsigned long long)r.correct, n ? 100.0 * (double)r.correct / (double)n : 0.0, r.seconds);
		if (r.interrupted)
			printf("result     INTERRUPTED\n");
		rc = r.interrupted || r.correct != r.n ? 1 : 0;
	}
	if (fflush(stdout) != 0)
		rc = 1;
	ev_report_free(&r);
	buf_free(&nd);
	buf_free(&err);
	return rc;
}

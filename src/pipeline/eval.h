/* eval: `jitsynth eval DIR CANDIDATES.jsonl`, the harness that makes a
 * dataset a benchmark. Each candidate ({"id": RECORD_ID, "cpu_forward":
 * TEXT}, e.g. a model's translation of the record's python_source) replaces
 * Warp's forward function in its record's CPU module; Warp's module and the
 * candidate's are built and run by the run tier (exec.h, same limits,
 * isolated runners) on three input sets (the record's inputs seed and two
 * derived from it), and every output scalar is compared: integers exactly,
 * floats within EV_RTOL relative plus EV_ATOL absolute (NaN only equals
 * NaN). A candidate that writes zeros or copies an input passes only where
 * Warp's outputs are that too. Never prints (the CLI does). */
#ifndef JS_PIPELINE_EVAL_H
#define JS_PIPELINE_EVAL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define EV_RTOL 1e-5
#define EV_ATOL 1e-6
#define EV_SETS 3

typedef struct ev_options {
	const char *native_dir, *cxx;
	const volatile sig_atomic_t *stop;
} ev_options;

typedef struct ev_result {
	char *id, *kernel;
	int found;    /* the record exists and has a CPU module */
	int compiles; /* the spliced module built */
	int correct;  /* every output of every input set matched */
	char *error;  /* why not (NULL when correct) */
} ev_result;

typedef struct ev_report {
	ev_result *v;
	size_t n;
	uint64_t found, compiled, correct;
	double seconds;
	int interrupted;
} ev_report;

int ev_run(const char *dir, const char *candidates, const ev_options *o, ev_report *rep, buf *err);
void ev_report_free(ev_report *rep);

#endif

/* progress: the terminal side of a run: its note (if any), a rate-limited
 * progress line on a TTY (done/total, kernels/s, ETA) and the closing
 * summary. */
#ifndef JS_CLI_PROGRESS_H
#define JS_CLI_PROGRESS_H

#include <stdio.h>

#include "pipeline/run.h"

typedef struct rep_progress {
	FILE *out;
	int enabled;       /* a terminal and not --quiet */
	double last_shown;
	int shown;         /* a line is on screen and must be cleared */
	int noted;         /* the run's note (if any) has been printed */
	int stopping;      /* the line shown says the run is stopping */
} rep_progress;

void rep_progress_init(rep_progress *p, FILE *out, int quiet);
/* run_progress_fn: prints the run's note once (even when quiet: it says why
 * the run is slower than it should be), redraws at most ~10 times a second
 * (at once when a stop has been asked for: "stopping"), the rate and ETA
 * measured from this process's first stored kernel, the line cut to the
 * terminal's width. */
void rep_progress_update(const run_options *o, const run_state *s, void *p);
/* Clears the progress line and prints the summary. */
void rep_summary(rep_progress *p, const run_options *o, const run_state *s);

#endif

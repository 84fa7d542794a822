/* progress: progress line and summary for `generate` (see progress.h). */
#include "cli/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include "common/util.h"

void rep_progress_init(rep_progress *p, FILE *out, int quiet)
{
	p->out = out;
	p->enabled = !quiet && isatty(fileno(out));
	p->last_shown = 0;
	p->shown = 0;
	p->noted = 0;
	p->stopping = 0;
}

static void fmt_duration(char *out, size_t n, double sec)
{
	long s = (long)(sec + 0.5);
	if (s >= 3600)
		snprintf(out, n, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(out, n, "%ld:%02ld", s / 60, s % 60);
}

/* The terminal's width in columns, 0 if unknown. */
static int term_width(FILE *out)
{
	struct winsize ws;
	return ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
}

void rep_progress_update(const run_options *o, const run_state *s, void *ctx)
{
	rep_progress *p = ctx;
	if (s->note[0] && !p->noted) {
		fprintf(p->out, "%sjitsynth: note: %s\n", p->shown ? "\r\033[K" : "", s->note);
		p->noted = 1;
		p->shown = 0;
	}
	int stopping = o->pool.stop && *o->pool.stop;
	double now = now_seconds();
	/* the first line after a stop is shown at once: the kernels in flight
	 * may take seconds to finish */
	if (!p->enabled || (now - p->last_shown < 0.1 && !(stopping && !p->stopping)))
		return;
	p->last_shown = now;
	p->stopping = stopping;
	double rate = run_rate(s);
	uint64_t first, end;
	run_range(o, &first, &end);
	char eta[32] = "?", line[256];
	if (rate > 0)
		fmt_duration(eta, sizeof eta, (double)(end - first - s->done) / rate);
	int n = snprintf(line, sizeof line, "%llu/%llu kernels  %.1f/s  %s%s  rejects %llu",
			 (unsigned long long)s->done, (unsigned long long)(end - first), rate,
			 stopping ? "stopping: finishing the kernels in flight" : "ETA ", stopping ? "" : eta,
			 (unsigned long long)s->rejects);
	/* one row, whatever the width: a longer line would wrap, and each
	 * refresh (which redraws only the last row) would add one */
	int width = term_width(p->out);
	if (width > 1 && n > width - 1)
		n = width - 1;
	fprintf(p->out, "\r\033[K%.*s", n, line);
	fflush(p->out);
	p->shown = 1;
}

void rep_summary(rep_progress *p, const run_options *o, const run_state *s)
{
	if (p->shown)
		fprintf(p->out, "\r\033[K");
	char took[32];
	fmt_duration(took, sizeof took, s->elapsed);
	/* pairs/s: this process's pairs in this process's time, whatever a
	 * resumed run kept from before */
	uint64_t made = s->records - s->resumed_records;
	fprintf(p->out, "%s: %llu pairs, %llu rejects (%.2f%%), %s, %.1f pairs/s, %d jobs, warp %s\n", o->out_dir,
		(unsigned long long)s->records, (unsigned long long)s->rejects,
		s->done ? 100.0 * (double)s->rejects / (double)s->done : 0.0, took,
		s->elapsed > 0 ? (double)made / s->elapsed : 0.0, o->pool.jobs,
		s->pool.warp_version[0] ? s->pool.warp_version : "?");
	if (s->pool.restarts)
		fprintf(p->out, "%d worker restarts\n", s->pool.restarts);
}

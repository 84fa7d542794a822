/* engine: the validation engine's threads and queues and the public chk_*
 * calls (see chk.h); what a thread does with a batch is batch.c's. */
#include "validate/chk.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "validate/child.h"
#include "validate/engine.h"
#include "validate/flags.h"

/* ---- queues (all under e->mu) ---- */

static void push_done(chk_engine *e, item *it)
{
	it->done_next = NULL;
	if (e->done_tail)
		e->done_tail->done_next = it;
	else
		e->done_head = it;
	e->done_tail = it;
	e->ndone++;
	uint64_t one = 1;
	ssize_t w = write(e->efd, &one, sizeof one);
	(void)w; /* only fails when the counter would overflow: still readable */
	pthread_cond_broadcast(&e->done_cv);
}

static void push_job(chk_engine *e, dev_id d)
{
	if (!e->npart[d])
		return;
	job *j = xcalloc(1, sizeof *j);
	j->d = d;
	j->n = e->npart[d];
	j->v = e->part[d];
	e->part[d] = NULL;
	e->npart[d] = 0;
	e->part_bytes[d] = 0;
	if (e->jq_tail)
		e->jq_tail->next = j;
	else
		e->jq_head = j;
	e->jq_tail = j;
	pthread_cond_signal(&e->job_cv);
}

static void free_item(item *it)
{
	for (int d = 0; d < DEV_COUNT; d++)
		free(it->diag[d]);
	free(it);
}

/* A device job of item x is over: x is done, or dropped when cancelled
 * (under e->mu). */
static void job_over(chk_engine *e, item *x)
{
	if (--x->pending > 0)
		return;
	if (!x->cancelled) {
		push_done(e, x);
		return;
	}
	x->prev->next = x->next;
	x->next->prev = x->prev;
	e->outstanding--;
	free_item(x);
	pthread_cond_broadcast(&e->done_cv);
}

typedef struct worker_arg {
	chk_engine *e;
	int slot;
} worker_arg;

static void *worker(void *arg)
{
	worker_arg *wa = arg;
	chk_engine *e = wa->e;
	int slot = wa->slot;
	free(wa);
	pthread_mutex_lock(&e->mu);
	for (;;) {
		while (!e->stop && !e->jq_head)
			pthread_cond_wait(&e->job_cv, &e->mu);
		if (e->stop)
			break;
		job *j = e->jq_head;
		e->jq_head = j->next;
		if (!e->jq_head)
			e->jq_tail = NULL;
		e->running++;
		pthread_mutex_unlock(&e->mu);
		batch_run_job(e, j, slot);
		pthread_mutex_lock(&e->mu);
		e->running--;
		for (size_t i = 0; i < j->n; i++)
			job_over(e, j->v[i]);
		free(j->v);
		free(j);
	}
	pthread_mutex_unlock(&e->mu);
	return NULL;
}

/* Whether the precompiled headers fit in the temp dir's free space.
 * NVRTC maps its PCH file into memory and writes through the mapping, so
 * on a full file system it dies of SIGBUS (seen with CUDA 13.0): there is
 * no error to catch. Measured sizes: NVRTC ~72 MiB per thread's PCH dir,
 * g++ ~26 MiB; the budget below leaves room for the sources and logs. */
#define PCH_MIB_NVRTC 96
#define PCH_MIB_CXX 48
#define SCRATCH_MIB 64
static int pch_fits(chk_engine *e)
{
	uint64_t need = SCRATCH_MIB;
	if (e->devices & DEV_BIT(DEV_CUDA))
		need += (uint64_t)(e->nthreads + 1) * PCH_MIB_NVRTC;
	if (e->devices & DEV_BIT(DEV_CPU))
		need += PCH_MIB_CXX;
	uint64_t have = scratch_free_bytes(&e->tmp) >> 20;
	if (have >= need)
		return 1;
	const char *slash = strrchr(e->tmp.path, '/');
	int base = slash && slash != e->tmp.path ? (int)(slash - e->tmp.path) : 1;
	buf n = BUF_INIT;
	buf_printf(&n,
		   "only %llu MiB free in %.*s (precompiled headers need %llu): validating without them, "
		   "which is slower; free some space or point TMPDIR elsewhere",
		   (unsigned long long)have, base, e->tmp.path, (unsigned long long)need);
	e->note = buf_detach(&n, NULL);
	return 0;
}

/* ---- public API ---- */

int chk_batch_size(const chk_options *o)
{
	if (o->batch > 0)
		return o->batch;
	return o->tier == CHK_COMPILE ? CHK_BATCH_COMPILE : CHK_BATCH_SYNTAX;
}

const char *chk_note(const chk_engine *e)
{
	return e ? e->note : NULL;
}

chk_engine *chk_create(const chk_options *opt, buf *err)
{
	chk_engine *e = xcalloc(1, sizeof *e);
	e->tier = opt->tier;
	e->devices = opt->devices ? opt->devices : DEV_ALL;
	e->batch = chk_batch_size(opt);
	e->batch_bytes = opt->batch_bytes ? opt->batch_bytes
			 : opt->tier == CHK_COMPILE ? CHK_BATCH_BYTES_COMPILE
						   : CHK_BATCH_BYTES_SYNTAX;
	e->nthreads = opt->threads > 0 ? opt->threads : 1;
	e->diag_lines = opt->diag_lines > 0 ? opt->diag_lines : 12;
	child_limits(&opt->limits, &e->lim);
	e->live.next = e->live.prev = &e->live;
	e->efd = -1;
	pthread_mutex_init(&e->mu, NULL);
	pthread_mutex_init(&e->sync_mu, NULL);
	pthread_cond_init(&e->job_cv, NULL);
	pthread_cond_init(&e->done_cv, NULL);
	e->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (e->efd < 0) {
		buf_printf(err, "validation: eventfd: %s", strerror(errno));
		chk_free(e);
		return NULL;
	}
	if (e->tier == CHK_NONE)
		return e;

	char arch[16];
	if (!opt->native_dir || !*opt->native_dir) {
		buf_puts(err,
			 "validation needs the warp/native headers directory of the installed warp-lang");
		goto fail;
	}
	if ((e->devices & DEV_BIT(DEV_CUDA)) && flags_arch_number(opt->arch, arch, sizeof arch) != 0) {
		buf_printf(err, "bad --arch '%s': expected e.g. sm_90, compute_90 or 90", opt->arch);
		goto fail;
	}
	buf np = BUF_INIT;
	buf_printf(&np, "%s/", opt->native_dir);
	e->native_prefix = buf_detach(&np, NULL);
	struct stat sb;
	buf hdr = BUF_INIT;
	buf_printf(&hdr, "%s/builtin.h", opt->native_dir);
	int have = stat(buf_cstr(&hdr), &sb) == 0;
	buf_free(&hdr);
	if (!have) {
		buf_printf(err, "no Warp headers in %s (builtin.h missing): is warp-lang installed?",
			   opt->native_dir);
		goto fail;
	}
	if (scratch_open(&e->tmp, err) < 0)
		goto fail;
	if (e->devices & DEV_BIT(DEV_CUDA)) {
		const char *td = getenv("TMPDIR");
		if (td && strlen(td) > NVSRV_TMPDIR_MAX && access("/tmp", W_OK | X_OK) != 0) {
			buf_printf(err,
				   "TMPDIR is %zu characters long, more than NVRTC can use (at most %d here), and "
				   "/tmp is not writable: point TMPDIR at a shorter directory, or use --devices cpu",
				   strlen(td), NVSRV_TMPDIR_MAX);
			goto fail;
		}
		/* one server per worker plus one for chk_check_one; the first one
		 * starts now, to say at once whether NVRTC can be loaded */
		e->nvs = xcalloc((size_t)e->nthreads + 1, sizeof *e->nvs);
		e->self = nvsrv_self();
		for (int s = 0; s <= e->nthreads; s++) {
			buf p = BUF_INIT;
			buf_printf(&p, "%s/nvrtc%d.err", e->tmp.path, s);
			e->nvs[s].errlog = buf_detach(&p, NULL);
			e->nvs[s].exe = e->self;
		}
		if (nvsrv_start(&e->nvs[0], &e->lim, &e->nv_major, &e->nv_minor, err) < 0)
			goto fail;
	}
	int pch = !opt->no_pch && pch_fits(e);
	if (e->devices & DEV_BIT(DEV_CPU)) {
		cxx_config cc = {.cxx = opt->cxx,
				 .native_dir = opt->native_dir,
				 .tmpdir = e->tmp.path,
				 .object = e->tier == CHK_COMPILE,
				 .pch = pch,
				 .limits = &e->lim};
		e->cx = cxx_create(&cc, err);
		if (!e->cx)
			goto fail;
		e->st.cxx_pch = cxx_pch_active(e->cx);
		e->st.cxx_pch_seconds = cxx_pch_seconds(e->cx);
	}
	if (e->nvs) {
		/* two option vectors per server: without PCH for large batches,
		 * with it (when it fits) for compiles of < CHK_NVRTC_PCH_BELOW */
		e->nv_opts = xcalloc((size_t)e->nthreads + 1, sizeof *e->nv_opts);
		e->nv_opts_pch = xcalloc((size_t)e->nthreads + 1, sizeof *e->nv_opts_pch);
		for (int s = 0; s <= e->nthreads; s++) {
			e->nv_opts[s] = flags_nvrtc(e->nv_major, e->nv_minor, e->tier, opt->native_dir, arch, NULL,
						    &e->nv_nopts);
			if (!pch)
				continue;
			buf d = BUF_INIT;
			buf_printf(&d, "%s/nvpch%d", e->tmp.path, s);
			mkdir(d.data, 0700);
			e->nv_opts_pch[s] = flags_nvrtc(e->nv_major, e->nv_minor, e->tier, opt->native_dir, arch,
							d.data, &e->nv_nopts_pch);
			buf_free(&d);
		}
	}
	e->th = xcalloc((size_t)e->nthreads, sizeof *e->th);
	/* The threads block every signal (the mask is inherited), so SIGINT and
	 * friends reach the pipeline's own thread, never a compiling one. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (int s = 0; s < e->nthreads; s++) {
		worker_arg *wa = xmalloc(sizeof *wa);
		wa->e = e;
		wa->slot = s;
		int rc = pthread_create(&e->th[s], NULL, worker, wa);
		if (rc != 0) {
			free(wa);
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			buf_printf(err, "validation: cannot start a thread: %s", strerror(rc));
			goto fail;
		}
		e->nth_started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return e;
fail:
	chk_free(e);
	return NULL;
}

/* The item for a kernel; a module that screening refuses is failed here
 * and never queued (*refused gets its DEV_BITs). */
static item *make_item(chk_engine *e, const chk_item *it, unsigned *refused)
{
	item *x = xcalloc(1, sizeof *x);
	x->index = it->index;
	*refused = 0;
	for (int d = 0; d < DEV_COUNT; d++) {
		x->ok[d] = -1;
		if (e->tier == CHK_NONE || !it->text[d] || !(e->devices & DEV_BIT(d)))
			continue;
		buf why = BUF_INIT;
		if (chk_screen(it->text[d], it->len[d], &why)) {
			buf msg = BUF_INIT;
			buf_printf(&msg, "refused before compiling: %s", buf_cstr(&why));
			x->ok[d] = 0;
			x->diag[d] = buf_detach(&msg, NULL);
			*refused |= DEV_BIT(d);
			buf_free(&why);
			continue;
		}
		x->text[d] = it->text[d];
		x->len[d] = it->len[d];
		x->pro[d] = chk_prologue_len(it->text[d], it->len[d]);
	}
	return x;
}

/* Counts the modules screening refused (under e->mu). */
static void count_refused(chk_engine *e, unsigned refused)
{
	for (int d = 0; d < DEV_COUNT; d++)
		if (refused & DEV_BIT(d)) {
			e->st.kernels[d]++;
			e->st.failed[d]++;
		}
}

void chk_submit(chk_engine *e, const chk_item *it)
{
	unsigned refused;
	item *x = make_item(e, it, &refused);
	pthread_mutex_lock(&e->mu);
	count_refused(e, refused);
	x->next = &e->live;
	x->prev = e->live.prev;
	e->live.prev->next = x;
	e->live.prev = x;
	e->outstanding++;
	for (int d = 0; d < DEV_COUNT; d++) {
		if (!x->text[d])
			continue;
		e->st.kernels[d]++;
		x->pending++;
		e->part[d] = xrealloc(e->part[d], (e->npart[d] + 1) * sizeof *e->part[d]);
		e->part[d][e->npart[d]++] = x;
		e->part_bytes[d] += x->len[d];
		if (e->npart[d] >= (size_t)e->batch || e->part_bytes[d] >= e->batch_bytes)
			push_job(e, (dev_id)d);
	}
	if (!x->pending)
		push_done(e, x);
	pthread_mutex_unlock(&e->mu);
}

void chk_cancel(chk_engine *e)
{
	pthread_mutex_lock(&e->mu);
	for (int d = 0; d < DEV_COUNT; d++)
		push_job(e, (dev_id)d);
	while (e->jq_head) {
		job *j = e->jq_head;
		e->jq_head = j->next;
		for (size_t i = 0; i < j->n; i++) {
			j->v[i]->cancelled = 1;
			job_over(e, j->v[i]);
		}
		free(j->v);
		free(j);
	}
	e->jq_tail = NULL;
	pthread_mutex_unlock(&e->mu);
}

void chk_flush(chk_engine *e)
{
	pthread_mutex_lock(&e->mu);
	for (int d = 0; d < DEV_COUNT; d++)
		push_job(e, (dev_id)d);
	pthread_mutex_unlock(&e->mu);
}

void chk_flush_idle(chk_engine *e)
{
	pthread_mutex_lock(&e->mu);
	int busy = e->running;
	for (job *j = e->jq_head; j && busy < e->nthreads; j = j->next)
		busy++;
	if (busy < e->nthreads)
		for (int d = 0; d < DEV_COUNT; d++)
			push_job(e, (dev_id)d);
	pthread_mutex_unlock(&e->mu);
}

/* Moves a finished item's verdicts into *out and frees the item. */
static void take_result(item *x, chk_result *out)
{
	out->index = x->index;
	for (int d = 0; d < DEV_COUNT; d++) {
		out->ok[d] = x->ok[d];
		out->diag[d] = x->diag[d];
		x->diag[d] = NULL;
	}
	free_item(x);
}

/* Moves a done item into *out and frees it; called under e->mu. */
static void hand_out(chk_engine *e, chk_result *out)
{
	item *x = e->done_head;
	e->done_head = x->done_next;
	if (!e->done_head) {
		e->done_tail = NULL;
		uint64_t v;
		ssize_t r = read(e->efd, &v, sizeof v); /* drain: no longer readable */
		(void)r;
	}
	e->ndone--;
	e->outstanding--;
	x->prev->next = x->next;
	x->next->prev = x->prev;
	take_result(x, out);
}

int chk_poll(chk_engine *e, chk_result *out)
{
	pthread_mutex_lock(&e->mu);
	int got = e->done_head != NULL;
	if (got)
		hand_out(e, out);
	pthread_mutex_unlock(&e->mu);
	return got;
}

int chk_wait(chk_engine *e, chk_result *out)
{
	pthread_mutex_lock(&e->mu);
	for (;;) {
		if (e->done_head) {
			hand_out(e, out);
			pthread_mutex_unlock(&e->mu);
			return 1;
		}
		if (!e->outstanding) {
			pthread_mutex_unlock(&e->mu);
			return 0;
		}
		/* Nothing done: make sure what waits in a partial batch gets going. */
		for (int d = 0; d < DEV_COUNT; d++)
			push_job(e, (dev_id)d);
		pthread_cond_wait(&e->done_cv, &e->mu);
	}
}

size_t chk_outstanding(chk_engine *e)
{
	pthread_mutex_lock(&e->mu);
	size_t n = e->outstanding;
	pthread_mutex_unlock(&e->mu);
	return n;
}

int chk_fd(chk_engine *e)
{
	return e->efd;
}

int chk_check_one(chk_engine *e, const chk_item *it, chk_result *out)
{
	unsigned refused;
	item *x = make_item(e, it, &refused);
	pthread_mutex_lock(&e->mu);
	count_refused(e, refused);
	pthread_mutex_unlock(&e->mu);
	pthread_mutex_lock(&e->sync_mu);
	for (int d = 0; d < DEV_COUNT; d++) {
		if (!x->text[d])
			continue;
		pthread_mutex_lock(&e->mu);
		e->st.kernels[d]++;
		pthread_mutex_unlock(&e->mu);
		batch_check(e, (dev_id)d, &x, 1, e->nthreads);
	}
	pthread_mutex_unlock(&e->sync_mu);
	take_result(x, out);
	return out->ok[DEV_CPU] != 0 && out->ok[DEV_CUDA] != 0;
}

void chk_stats_get(chk_engine *e, chk_stats *out)
{
	pthread_mutex_lock(&e->mu);
	*out = e->st;
	pthread_mutex_unlock(&e->mu);
}

void chk_free(chk_engine *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&e->mu);
	e->stop = 1;
	pthread_cond_broadcast(&e->job_cv);
	pthread_mutex_unlock(&e->mu);
	for (int s = 0; s < e->nth_started; s++)
		pthread_join(e->th[s], NULL);
	free(e->th);
	while (e->jq_head) {
		job *j = e->jq_head;
		e->jq_head = j->next;
		free(j->v);
		free(j);
	}
	for (int d = 0; d < DEV_COUNT; d++)
		free(e->part[d]);
	while (e->live.next != &e->live) {
		item *x = e->live.next;
		x->prev->next = x->next;
		x->next->prev = x->prev;
		free_item(x);
	}
	if (e->nv_opts) {
		for (int s = 0; s <= e->nthreads; s++) {
			flags_free(e->nv_opts[s], e->nv_nopts);
			if (e->nv_opts_pch[s])
				flags_free(e->nv_opts_pch[s], e->nv_nopts_pch);
		}
		free(e->nv_opts);
		free(e->nv_opts_pch);
	}
	cxx_free(e->cx);
	if (e->nvs) {
		for (int s = 0; s <= e->nthreads; s++)
			nvsrv_stop(&e->nvs[s]);
		free(e->nvs);
	}
	free(e->self);
	scratch_close(&e->tmp);
	free(e->note);
	free(e->native_prefix);
	if (e->efd >= 0)
		close(e->efd);
	pthread_mutex_destroy(&e->mu);
	pthread_mutex_destroy(&e->sync_mu);
	pthread_cond_destroy(&e->job_cv);
	pthread_cond_destroy(&e->done_cv);
	free(e);
}

void chk_result_free(chk_result *r)
{
	if (!r)
		return;
	for (int d = 0; d < DEV_COUNT; d++) {
		free(r->diag[d]);
		r->diag[d] = NULL;
	}
}

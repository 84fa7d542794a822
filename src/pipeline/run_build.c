/* run_build: the builders of `generate`, --jobs-many threads that turn an
 * answered kernel into what its slot stores, off the ordered main thread:
 * its functions found in Warp's module texts (extract), the record line
 * (JSON), what it adds to the metrics and its dedup fingerprints. Each is a
 * pure function of the kernel index and the module texts, so the line is the
 * same whichever thread builds it and whenever; the main thread still
 * stores slots in index order, and decides on duplicates there.
 *
 * A slot belongs to one builder from rb_submit until the builder hands it
 * back (the done ring, under the lock); the main thread reads it only after
 * taking it from there (rb_drain, rb_wait) and only then marks it ready. An
 * eventfd, in the epoll set the pool watches, says that builds are done. */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/util.h"
#include "extract/extract.h"
#include "pipeline/runctx.h"
#include "store/record.h"

typedef struct rb_job {
	uint64_t index;
	const char *validated; /* a static string: "none", a tier's name */
} rb_job;

struct rb_pool {
	pthread_mutex_t mu;
	pthread_cond_t work; /* a job was queued, or stop */
	pthread_cond_t idle; /* a job was done (rb_wait) */
	rb_job *todo;        /* ring of nwin */
	uint64_t *done;      /* ring of nwin */
	size_t todo_head, todo_n, done_head, done_n, cap;
	size_t busy; /* jobs taken by a builder, not yet in done */
	int stop;
	int efd;
	pthread_t *tid;
	int nthreads;
	run *r;
};

static slot *slot_of(run *r, uint64_t index) { return &r->win[index % r->nwin]; }

/* ---- one build (a builder's, or run_on_extracted's on the main thread) ---- */

/* Fills the slot of `index` with the record line, or a reject's. k and fp
 * are the caller's scratch (fp NULL: no fingerprints). Does not mark the
 * slot ready. */
static void build(run *r, gen_kernel *k, dedup *fp, uint64_t index, const char *validated)
{
	slot *sl = slot_of(r, index);
	const char *text[DEV_COUNT];
	size_t len[DEV_COUNT];
	run_slot_texts(r, index, text, len);
	run_make_kernel(r->o, index, k);
	rec_pair p = {.seed = r->o->gen.seed,
		      .index = index,
		      .kernel_name = k->name,
		      .category = gen_category_name(k->category),
		      .python_source = k->source.data,
		      .python_len = k->source.len,
		      .warp_version = r->warp_version};
	char why[256], hash[24] = "";
	p.kernel_hash = hash;
	p.exec_json = sl->exec_json;
	for (int d = 0, t = 0; d < DEV_COUNT; d++) {
		if (!(r->o->pool.devices & DEV_BIT(d)))
			continue;
		ext_kernel ek;
		if (ext_kernel_find(text[t], len[t], k->name, (dev_id)d, &ek, why, sizeof why) < 0) {
			run_fill_reject(r, k, index, STAGE_EXTRACT, why);
			return;
		}
		if (!hash[0]) {
			snprintf(hash, sizeof hash, "%s", ek.hash);
		} else if (strcmp(hash, ek.hash) != 0) {
			run_fill_reject(r, k, index, STAGE_EXTRACT, "cpu and cuda kernels carry different hashes");
			return;
		}
		p.ir[d] = (rec_ir){.present = 1,
				   .forward = ek.forward,
				   .backward = ek.backward,
				   .module = {text[t], len[t]},
				   .validated = d == DEV_CPU && sl->exec_json ? "run" : validated};
		t++;
	}
	buf_reset(&sl->line);
	size_t want = p.python_len + 1024; /* the line's size, escapes aside: one allocation, not a doubling series */
	for (int d = 0; d < DEV_COUNT; d++)
		want += p.ir[d].forward.len + p.ir[d].backward.len + p.ir[d].module.len;
	buf_grow(&sl->line, want + want / 16);
	if (rec_pair_line(&p, &sl->line) < 0) {
		run_fill_reject(r, k, index, STAGE_EXTRACT, "Warp's output is not valid UTF-8");
		return;
	}
	sl->is_reject = 0;
	sl->category = k->category;
	metrics_measure(&sl->km, p.python_source, p.python_len);
	if (fp) {
		const rec_ir *fwd = p.ir[DEV_CPU].present ? &p.ir[DEV_CPU] : &p.ir[DEV_CUDA];
		sl->fp_exact = dedup_exact_fp(fp, p.python_source, p.python_len);
		sl->fp_structural =
			dedup_structural_fp(fp, p.python_source, p.python_len, fwd->forward.start, fwd->forward.len);
	}
}

/* ---- the builders ---- */

static void *builder(void *arg)
{
	rb_pool *b = arg;
	run *r = b->r;
	gen_kernel k = {0};
	dedup *fp = r->dd ? dedup_new() : NULL; /* its normalisers' scratch only */
	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (!b->todo_n && !b->stop)
			pthread_cond_wait(&b->work, &b->mu);
		if (!b->todo_n)
			break; /* stop, with nothing left */
		rb_job j = b->todo[b->todo_head];
		b->todo_head = (b->todo_head + 1) % b->cap;
		b->todo_n--;
		b->busy++;
		pthread_mutex_unlock(&b->mu);
		build(r, &k, fp, j.index, j.validated);
		pthread_mutex_lock(&b->mu);
		b->busy--;
		b->done[(b->done_head + b->done_n++) % b->cap] = j.index;
		pthread_cond_signal(&b->idle);
		uint64_t one = 1;
		if (b->done_n == 1 && write(b->efd, &one, sizeof one) < 0 && errno != EAGAIN)
			BUG("builders: eventfd write failed");
	}
	pthread_mutex_unlock(&b->mu);
	dedup_free(fp);
	gen_kernel_free(&k);
	return NULL;
}

int rb_start(run *r, int threads, buf *err)
{
	json_decref(json_object()); /* jansson seeds its hashes once, here, before any builder */
	rb_pool *b = xcalloc(1, sizeof *b);
	b->r = r;
	b->cap = (size_t)r->nwin;
	b->todo = xcalloc(b->cap, sizeof *b->todo);
	b->done = xcalloc(b->cap, sizeof *b->done);
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->work, NULL);
	pthread_cond_init(&b->idle, NULL);
	r->rb = b;
	b->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN};
	if (b->efd < 0 || (r->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(r->epfd, EPOLL_CTL_ADD, b->efd, &ev) < 0) {
		buf_printf(err, "cannot start the record builders: %s", strerror(errno));
		return -1;
	}
	b->tid = xcalloc((size_t)threads, sizeof *b->tid);
	/* the builders block every signal (the mask is inherited): SIGINT and
	 * friends reach the main thread, whose poll they must interrupt */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = 0;
	for (; b->nthreads < threads && !rc; b->nthreads += !rc)
		rc = pthread_create(&b->tid[b->nthreads], NULL, builder, b);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		buf_printf(err, "cannot start the record builders: %s (fewer --jobs?)", strerror(rc));
		return -1;
	}
	return 0;
}

int rb_watch(run *r, int fd, buf *err)
{
	struct epoll_event ev = {.events = EPOLLIN};
	if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		buf_printf(err, "cannot watch the compilers' results (epoll): %s", strerror(errno));
		return -1;
	}
	return 0;
}

void run_on_extracted(run *r, uint64_t index, const char *validated)
{
	rb_pool *b = r->rb;
	pthread_mutex_lock(&b->mu);
	if (b->todo_n == b->cap)
		BUG("builders: more jobs than slots");
	b->todo[(b->todo_head + b->todo_n++) % b->cap] = (rb_job){index, validated};
	pthread_cond_signal(&b->work);
	pthread_mutex_unlock(&b->mu);
}

/* Marks every built slot ready; with `wait`, first waits until nothing is
 * queued or being built. */
static void take_done(run *r, int wait)
{
	rb_pool *b = r->rb;
	uint64_t v;
	if (read(b->efd, &v, sizeof v) < 0 && errno != EAGAIN)
		BUG("builders: eventfd read failed");
	pthread_mutex_lock(&b->mu);
	while (wait && (b->todo_n || b->busy))
		pthread_cond_wait(&b->idle, &b->mu);
	for (; b->done_n; b->done_n--) {
		slot_of(r, b->done[b->done_head])->ready = 1;
		b->done_head = (b->done_head + 1) % b->cap;
	}
	pthread_mutex_unlock(&b->mu);
}

void rb_drain(run *r)
{
	if (r->rb)
		take_done(r, 0);
}

void rb_wait(run *r)
{
	if (r->rb)
		take_done(r, 1);
}

void rb_release(run *r)
{
	rb_pool *b = r->rb;
	if (!b)
		return;
	pthread_mutex_lock(&b->mu);
	b->stop = 1;
	pthread_cond_broadcast(&b->work);
	pthread_mutex_unlock(&b->mu);
	for (int i = 0; i < b->nthreads; i++)
		pthread_join(b->tid[i], NULL);
	if (b->efd >= 0)
		close(b->efd);
	pthread_cond_destroy(&b->work);
	pthread_cond_destroy(&b->idle);
	pthread_mutex_destroy(&b->mu);
	free(b->tid);
	free(b->todo);
	free(b->done);
	free(b);
	r->rb = NULL;
	if (r->epfd >= 0)
		close(r->epfd);
	r->epfd = -1;
}

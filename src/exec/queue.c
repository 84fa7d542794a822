/* queue: batches of the run tier on worker threads; see queue.h. */
#include "exec/queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/util.h"

typedef struct xjob {
	size_t n;
	uint64_t *tag;
	exec_item *items; /* texts owned */
	struct xjob *next;
} xjob;

typedef struct xdone {
	uint64_t tag;
	char *json;
	struct xdone *next;
} xdone;

struct xq {
	exec_tool *t;
	int batch, nthreads, efd;
	pthread_t *th;
	pthread_mutex_t mu;
	pthread_cond_t job_cv, done_cv;
	xjob *jq_head, *jq_tail, *part;
	xdone *done_head, *done_tail;
	size_t outstanding;
	int stop;
	char *error;
};

static void job_free(xjob *j)
{
	for (size_t i = 0; i < j->n; i++) {
		free((char *)j->items[i].text);
		free((char *)j->items[i].kernel);
	}
	free(j->items);
	free(j->tag);
	free(j);
}

static void *thread_main(void *arg)
{
	xq *q = arg;
	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (!q->stop && !q->jq_head)
			pthread_cond_wait(&q->job_cv, &q->mu);
		if (q->stop) {
			pthread_mutex_unlock(&q->mu);
			return NULL;
		}
		xjob *j = q->jq_head;
		q->jq_head = j->next;
		if (!q->jq_head)
			q->jq_tail = NULL;
		pthread_mutex_unlock(&q->mu);

		char **json = xcalloc(j->n, sizeof *json);
		buf err = BUF_INIT;
		int rc = exec_batch(q->t, j->items, j->n, json, &err);
		pthread_mutex_lock(&q->mu);
		if (rc < 0 && !q->error)
			q->error = xstrdup(buf_cstr(&err));
		for (size_t i = 0; i < j->n; i++) {
			xdone *d = xcalloc(1, sizeof *d);
			d->tag = j->tag[i];
			d->json = json[i] ? json[i] : xstrdup("{\"status\":\"not_executed\",\"class\":\"runner\",\"reason\":\"the run tier failed\"}");
			if (q->done_tail)
				q->done_tail->next = d;
			else
				q->done_head = d;
			q->done_tail = d;
		}
		pthread_cond_broadcast(&q->done_cv);
		pthread_mutex_unlock(&q->mu);
		uint64_t one = 1;
		if (write(q->efd, &one, sizeof one) < 0) {
			/* the counter is full: readers are behind, and will see it anyway */
		}
		buf_free(&err);
		free(json);
		job_free(j);
	}
}

int xq_batch_size(uint64_t kernels, int threads)
{
	if (!kernels)
		return EXEC_BATCH;
	uint64_t j = threads > 0 ? (uint64_t)threads : 1;
	uint64_t builds = (kernels + EXEC_BATCH_MAX - 1) / EXEC_BATCH_MAX;
	builds = (builds + j - 1) / j * j; /* a multiple of the threads */
	uint64_t b = (kernels + builds - 1) / builds;
	return (int)(b < 1 ? 1 : b);
}

xq *xq_create(const exec_options *o, int threads, int batch, buf *err)
{
	exec_tool *t = exec_create(o, err);
	if (!t)
		return NULL;
	xq *q = xcalloc(1, sizeof *q);
	q->t = t;
	q->batch = batch > 0 ? batch : EXEC_BATCH;
	q->nthreads = threads > 0 ? threads : 1;
	q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->job_cv, NULL);
	pthread_cond_init(&q->done_cv, NULL);
	q->th = xcalloc((size_t)q->nthreads, sizeof *q->th);
	int started = 0;
	for (; started < q->nthreads; started++)
		if (pthread_create(&q->th[started], NULL, thread_main, q) != 0)
			break;
	q->nthreads = started;
	if (q->efd < 0 || !started) {
		buf_printf(err, "run tier: cannot start its threads: %s", strerror(errno));
		xq_free(q);
		return NULL;
	}
	return q;
}

static void hand_over(xq *q)
{
	xjob *j = q->part;
	if (!j)
		return;
	q->part = NULL;
	pthread_mutex_lock(&q->mu);
	if (q->jq_tail)
		q->jq_tail->next = j;
	else
		q->jq_head = j;
	q->jq_tail = j;
	pthread_cond_signal(&q->job_cv);
	pthread_mutex_unlock(&q->mu);
}

void xq_submit(xq *q, uint64_t tag, const char *text, size_t len, uint64_t seed, const char *kernel)
{
	if (!q->part) {
		q->part = xcalloc(1, sizeof *q->part);
		q->part->tag = xcalloc((size_t)q->batch, sizeof *q->part->tag);
		q->part->items = xcalloc((size_t)q->batch, sizeof *q->part->items);
	}
	xjob *j = q->part;
	j->tag[j->n] = tag;
	j->items[j->n++] = (exec_item){.text = xstrndup(text, len), .len = len, .seed = seed,
				       .kernel = kernel ? xstrdup(kernel) : NULL};
	q->outstanding++;
	if (j->n == (size_t)q->batch)
		hand_over(q);
}

void xq_flush(xq *q) { hand_over(q); }

static int take(xq *q, uint64_t *tag, char **json)
{
	xdone *d = q->done_head;
	if (!d)
		return 0;
	q->done_head = d->next;
	if (!q->done_head)
		q->done_tail = NULL;
	*tag = d->tag;
	*json = d->json;
	free(d);
	q->outstanding--;
	return 1;
}

int xq_poll(xq *q, uint64_t *tag, char **json)
{
	uint64_t v;
	if (read(q->efd, &v, sizeof v) < 0) {
		/* nothing signalled: the queue is checked all the same */
	}
	pthread_mutex_lock(&q->mu);
	int got = take(q, tag, json);
	pthread_mutex_unlock(&q->mu);
	if (got) { /* more may be waiting: keep the fd readable */
		uint64_t one = 1;
		pthread_mutex_lock(&q->mu);
		int more = q->done_head != NULL;
		pthread_mutex_unlock(&q->mu);
		if (more && write(q->efd, &one, sizeof one) < 0) {
			/* full counter: readable anyway */
		}
	}
	return got;
}

int xq_wait(xq *q, uint64_t *tag, char **json)
{
	if (!q->outstanding)
		return 0;
	hand_over(q);
	pthread_mutex_lock(&q->mu);
	while (!q->done_head)
		pthread_cond_wait(&q->done_cv, &q->mu);
	int got = take(q, tag, json);
	pthread_mutex_unlock(&q->mu);
	return got;
}

size_t xq_outstanding(const xq *q) { return q->outstanding; }
int xq_fd(const xq *q) { return q->efd; }

const char *xq_error(const xq *q)
{
	pthread_mutex_lock((pthread_mutex_t *)&q->mu);
	const char *e = q->error;
	pthread_mutex_unlock((pthread_mutex_t *)&q->mu);
	return e;
}

void xq_stats(xq *q, exec_stats *out) { exec_stats_get(q->t, out); }

void xq_free(xq *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_broadcast(&q->job_cv);
	pthread_mutex_unlock(&q->mu);
	for (int i = 0; i < q->nthreads; i++)
		pthread_join(q->th[i], NULL);
	if (q->part)
		job_free(q->part);
	for (xjob *j = q->jq_head, *n; j; j = n) {
		n = j->next;
		job_free(j);
	}
	for (xdone *d = q->done_head, *n; d; d = n) {
		n = d->next;
		free(d->json);
		free(d);
	}
	if (q->efd >= 0)
		close(q->efd);
	pthread_cond_destroy(&q->job_cv);
	pthread_cond_destroy(&q->done_cv);
	pthread_mutex_destroy(&q->mu);
	free(q->th);
	free(q->error);
	exec_free(q->t);
	free(q);
}

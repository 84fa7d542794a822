/* parts_scan: see parts_scan.h. One mutex and one condition variable:
 * helpers wait for a file within the window, the merge waits for its file
 * to be done. Each helper has its own dedup (its scratch buffers are not
 * shared; fingerprints are pure functions of the text). */
#include "pipeline/parts_scan.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "gen/gen.h"
#include "store/dedup.h"
#include "store/reader.h"

enum { FILE_WAITING, FILE_TAKEN, FILE_DONE };

typedef struct scan_file {
	const char *path;
	int state;
	parts_meta *meta;
	size_t n, cap;
	buf err; /* set: the file could not be scanned */
} scan_file;

struct parts_scan {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	scan_file *files;
	size_t nfiles;
	size_t next;   /* the next file a helper takes */
	size_t merged; /* files the merge is done with */
	size_t window; /* files a helper may be ahead of the merge */
	int stop;
	pthread_t *threads;
	int nthreads;
};

static void free_metas(scan_file *f)
{
	for (size_t i = 0; i < f->n; i++)
		metrics_kernel_release(&f->meta[i].km);
	free(f->meta);
	f->meta = NULL;
	f->n = f->cap = 0;
}

/* Parses one file into f->meta, or sets f->err. */
static void scan_one(scan_file *f, dedup *dd)
{
	reader *r = reader_open_file(f->path, &f->err);
	if (!r)
		return;
	reader_record rec;
	buf msg = BUF_INIT;
	int st;
	while ((st = reader_next(r, &rec, &msg)) != READER_END) {
		if (st != READER_OK) {
			buf_puts(&f->err, msg.data);
			break;
		}
		const char *cat = reader_str(rec.json, "category", NULL);
		int c = gen_category_from_name(cat ? cat : "");
		if (c < 0) {
			buf_printf(&f->err, "%s:%zu: unknown category", f->path, rec.lineno);
			break;
		}
		const json_t *ix = json_object_get(json_object_get(rec.json, "meta"), "index");
		if (f->n == f->cap) {
			f->cap = f->cap ? 2 * f->cap : 256;
			f->meta = xrealloc(f->meta, f->cap * sizeof *f->meta);
		}
		parts_meta *m = &f->meta[f->n++];
		memset(m, 0, sizeof *m);
		m->index = json_is_integer(ix) && json_integer_value(ix) >= 0 ? (int64_t)json_integer_value(ix) : -1;
		m->category = c;
		size_t plen = 0, flen = 0;
		const char *py = reader_str(rec.json, "python_source", &plen);
		const char *fwd = reader_forward(rec.json, "cpu", &flen);
		if (!fwd)
			fwd = reader_forward(rec.json, "cuda", &flen);
		py = py ? py : "";
		m->fp_exact = dedup_exact_fp(dd, py, plen);
		m->fp_structural = dedup_structural_fp(dd, py, plen, fwd, flen);
		metrics_measure(&m->km, py, plen);
	}
	buf_free(&msg);
	reader_close(r);
}

static void *helper(void *arg)
{
	parts_scan *s = arg;
	dedup *dd = dedup_new();
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->stop && s->next < s->nfiles && s->next >= s->merged + s->window)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->stop || s->next == s->nfiles)
			break;
		scan_file *f = &s->files[s->next++];
		f->state = FILE_TAKEN;
		pthread_mutex_unlock(&s->mu);
		scan_one(f, dd);
		pthread_mutex_lock(&s->mu);
		f->state = FILE_DONE;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	dedup_free(dd);
	return NULL;
}

parts_scan *parts_scan_start(char *const *paths, size_t n, int threads)
{
	parts_scan *s = xcalloc(1, sizeof *s);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->files = xcalloc(n ? n : 1, sizeof *s->files);
	s->nfiles = n;
	for (size_t i = 0; i < n; i++)
		s->files[i].path = paths[i];
	s->nthreads = threads < 1 ? 1 : threads;
	s->window = 2 * (size_t)s->nthreads + 1;
	s->threads = xcalloc((size_t)s->nthreads, sizeof *s->threads);
	for (int t = 0; t < s->nthreads; t++)
		if (pthread_create(&s->threads[t], NULL, helper, s) != 0) {
			s->nthreads = t; /* fewer helpers: as correct, slower */
			break;
		}
	if (s->nthreads == 0) /* not even one: the merge scans for itself */
		s->window = 0;
	return s;
}

const parts_meta *parts_scan_wait(parts_scan *s, size_t i, size_t *count, buf *err)
{
	scan_file *f = &s->files[i];
	if (s->nthreads == 0) {
		dedup *dd = dedup_new();
		scan_one(f, dd);
		dedup_free(dd);
		f->state = FILE_DONE;
	}
	pthread_mutex_lock(&s->mu);
	while (f->state != FILE_DONE)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	if (f->err.len) {
		buf_puts(err, f->err.data);
		return NULL;
	}
	static const parts_meta none; /* an empty file's */
	*count = f->n;
	return f->meta ? f->meta : &none;
}

void parts_scan_done(parts_scan *s, size_t i)
{
	pthread_mutex_lock(&s->mu);
	free_metas(&s->files[i]);
	s->merged = i + 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void parts_scan_stop(parts_scan *s)
{
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	for (int t = 0; t < s->nthreads; t++)
		pthread_join(s->threads[t], NULL);
	for (size_t i = 0; i < s->nfiles; i++) {
		free_metas(&s->files[i]);
		buf_free(&s->files[i].err);
	}
	free(s->files);
	free(s->threads);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

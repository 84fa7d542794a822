/* runtier: the run tier over a stored dataset; see runtier.h. */
#include "pipeline/runtier.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "exec/exec.h"
#include "exec/queue.h"
#include "store/reader.h"
#include "validate/scratch.h"

static void bump(rt_class *v, int *n, const char *name, const char *kernel, const char *reason)
{
	int i = 0;
	while (i < *n && strcmp(v[i].name, name))
		i++;
	if (i == *n) {
		if (*n == RT_MAX_CLASSES)
			i = *n - 1; /* the last one collects the rest */
		else {
			(*n)++;
			snprintf(v[i].name, sizeof v[i].name, "%s", name);
			snprintf(v[i].example, sizeof v[i].example, "%s: %s", kernel, reason ? reason : "");
		}
	}
	v[i].n++;
}

void rt_count(rt_report *rep, const char *kernel, const char *exec_json)
{
	json_t *o = json_loads(exec_json, 0, NULL);
	const char *st = json_string_value(json_object_get(o, "status"));
	if (st && !strcmp(st, "executed")) {
		rep->executed++;
		rep->finite += json_is_true(json_object_get(o, "finite"));
		rep->deterministic += json_is_true(json_object_get(o, "deterministic"));
		json_t *g = json_object_get(o, "grad");
		const char *gs = json_string_value(json_object_get(g, "status"));
		const char *why = json_string_value(json_object_get(g, "reason"));
		const char *gc = json_string_value(json_object_get(g, "class"));
		char cls[24];
		snprintf(cls, sizeof cls, "%s:%.14s", gs && !strcmp(gs, "fail") ? "fail" : "unsup", gc ? gc : "?");
		if (gs && !strcmp(gs, "pass"))
			rep->grad_pass++;
		else if (gs && !strcmp(gs, "fail")) {
			rep->grad_fail++;
			bump(rep->grad_classes, &rep->ngrad, cls, kernel, why);
		} else {
			rep->grad_unsupported++;
			bump(rep->grad_classes, &rep->ngrad, cls, kernel, why);
		}
	} else {
		const char *cls = json_string_value(json_object_get(o, "class"));
		bump(rep->not_run, &rep->nnot_run, cls ? cls : "?", kernel,
		     json_string_value(json_object_get(o, "reason")));
	}
	json_decref(o);
}

static json_t *classes(const rt_class *v, int n)
{
	json_t *o = json_object();
	for (int i = 0; i < n; i++)
		json_object_set_new(o, v[i].name,
				    json_pack("{s:I, s:s}", "n", (json_int_t)v[i].n, "example", v[i].example));
	return o;
}

json_t *rt_report_json(const rt_report *rep)
{
	return json_pack("{s:I, s:I, s:I, s:o, s:{s:I, s:I, s:I, s:o}}", "executed", (json_int_t)rep->executed,
			 "finite", (json_int_t)rep->finite, "deterministic", (json_int_t)rep->deterministic,
			 "not_executed", classes(rep->not_run, rep->nnot_run), "grad", "pass",
			 (json_int_t)rep->grad_pass, "fail", (json_int_t)rep->grad_fail, "unsupported",
			 (json_int_t)rep->grad_unsupported, "classes", classes(rep->grad_classes, rep->ngrad));
}

/* Results come back in completion order; they are counted in record
 * order (so each class's example is the first record's, whatever --jobs).
 * Only the records between the oldest not counted and the newest are held
 * (a few batches per thread), so a dataset of any size takes bounded memory. */
typedef struct order {
	char **name, **json; /* tag t at [t - base], until counted */
	size_t base, n, cap; /* tags base..n-1 held, room for cap */
	size_t next;	     /* the oldest tag not counted */
} order;

/* A new record's tag. */
static size_t order_add(order *w, const char *name)
{
	if (w->n - w->base == w->cap) {
		size_t done = w->next - w->base; /* counted: their slots are free */
		if (done && done >= w->cap / 2) {
			memmove(w->name, w->name + done, (w->n - w->next) * sizeof *w->name);
			memmove(w->json, w->json + done, (w->n - w->next) * sizeof *w->json);
			w->base = w->next;
		} else {
			w->cap = w->cap ? 2 * w->cap : 1024;
			w->name = xrealloc(w->name, w->cap * sizeof *w->name);
			w->json = xrealloc(w->json, w->cap * sizeof *w->json);
		}
	}
	w->name[w->n - w->base] = xstrdup(name);
	w->json[w->n - w->base] = NULL;
	return w->n++;
}

static void order_put(order *w, uint64_t tag, char *json)
{
	if (tag < w->next || tag >= w->n) { /* not ours: never happens */
		free(json);
		return;
	}
	w->json[tag - w->base] = json;
}

static void order_count(order *w, rt_report *rep)
{
	while (w->next < w->n && w->json[w->next - w->base]) {
		size_t i = w->next - w->base;
		rt_count(rep, w->name[i], w->json[i]);
		free(w->json[i]);
		free(w->name[i]);
		w->json[i] = w->name[i] = NULL;
		w->next++;
	}
}

int rt_run(const char *dir, const rt_options *o, rt_report *rep, buf *err)
{
	memset(rep, 0, sizeof *rep);
	double t0 = now_seconds();
	reader *rd = reader_open(dir, err);
	if (!rd)
		return -1;
	scratch sc = {0};
	if (scratch_open(&sc, err) < 0) {
		reader_close(rd);
		return -1;
	}
	exec_options eo = {.cxx = o->cxx, .native_dir = o->native_dir, .scratch = sc.path};
	int jobs = o->jobs > 0 ? o->jobs : 1, rc = 0;
	/* the manifest's count is a hint (an untrusted one: it sizes batches, nothing else) */
	json_int_t hint = json_integer_value(json_object_get(json_object_get(reader_manifest(rd), "counts"), "records"));
	int batch = o->batch > 0 ? o->batch : xq_batch_size(hint > 0 ? (uint64_t)hint : 0, jobs);
	xq *q = xq_create(&eo, jobs, batch, err);
	if (!q) {
		scratch_close(&sc);
		reader_close(rd);
		return -1;
	}
	order w = {0};
	reader_record rec;
	buf msg = BUF_INIT;
	uint64_t tag;
	char *json;
	int r;
	while ((r = reader_next(rd, &rec, &msg)) != READER_END) {
		if (r == READER_BAD)
			continue;
		if (o->stop && *o->stop) {
			rep->interrupted = 1;
			break;
		}
		rep->records++;
		json_t *cpu = json_object_get(json_object_get(rec.json, "ir"), "cpu");
		size_t ml;
		const char *mod = reader_str(cpu, "module", &ml);
		if (!mod) {
			rep->no_module++;
			continue;
		}
		const char *name = reader_str(rec.json, "kernel_name", NULL);
		json_t *meta = json_object_get(rec.json, "meta");
		uint64_t seed = (uint64_t)json_integer_value(json_object_get(meta, "seed"));
		uint64_t index = (uint64_t)json_integer_value(json_object_get(meta, "index"));
		size_t t = order_add(&w, name ? name : "?");
		xq_submit(q, t, mod, ml, exec_inputs_seed(seed, index), name);
		while (xq_poll(q, &tag, &json))
			order_put(&w, tag, json);
		/* a batch just went out: keep no more than two per thread waiting */
		while (w.n % (size_t)batch == 0 && xq_outstanding(q) > (size_t)(2 * jobs * batch) &&
		       xq_wait(q, &tag, &json))
			order_put(&w, tag, json);
		order_count(&w, rep);
		if (xq_error(q))
			break;
	}
	/* interrupted: what is done is counted, the batches in progress end
	 * with xq_free, the rest is dropped */
	while (!xq_error(q) && (rep->interrupted ? xq_poll(q, &tag, &json) : xq_wait(q, &tag, &json)))
		order_put(&w, tag, json);
	if (xq_error(q)) {
		buf_printf(err, "%s", xq_error(q));
		rc = -1;
	} else {
		order_count(&w, rep);
	}
	for (size_t i = w.next; i < w.n; i++)
		free(w.name[i - w.base]), free(w.json[i - w.base]);
	free(w.name);
	free(w.json);
	exec_stats st;
	xq_stats(q, &st);
	rep->build_s = st.build_s;
	rep->builds = st.builds;
	rep->run_s = st.run_s;
	rep->seconds = now_seconds() - t0;
	buf_free(&msg);
	xq_free(q);
	scratch_close(&sc);
	reader_close(rd);
	return rc;
}

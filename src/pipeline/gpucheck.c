/* gpucheck: CPU against CUDA over a stored dataset; see gpucheck.h. */
#include "pipeline/gpucheck.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "exec/exec.h"
#include "store/reader.h"
#include "validate/scratch.h"

#define GC_BATCH 16

typedef struct item {
	char *cpu, *cuda, *name, *id, *category, *python;
	size_t ncpu, ncuda;
	uint64_t seed;
	char *divergence; /* its divergences.jsonl line, or NULL */
	json_t *pending;  /* a CPU/CUDA divergence's line before its conditioning */
	double rtol;
	int w;
} item;

typedef struct shared {
	exec_tool *cpu, *gpu;
	item *v;
	size_t n, next;
	gc_report *rep;
	pthread_mutex_t mu;
	const volatile sig_atomic_t *stop;
	int failed;
	buf err;
} shared;

/* o[k] as a string, "?" when it is none */
static const char *sv(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "?";
}

static void bump(gc_report *rep, const char *cls, const char *kernel, const char *reason)
{
	int i = 0;
	while (i < rep->nnot_run && strcmp(rep->not_run[i].name, cls))
		i++;
	if (i == rep->nnot_run) {
		if (rep->nnot_run == RT_MAX_CLASSES)
			i = rep->nnot_run - 1;
		else {
			rep->nnot_run++;
			snprintf(rep->not_run[i].name, sizeof rep->not_run[i].name, "%s", cls);
			snprintf(rep->not_run[i].example, sizeof rep->not_run[i].example, "%s: %s", kernel,
				 reason ? reason : "");
		}
	}
	rep->not_run[i].n++;
}

/* A JSON value as a double: numbers, and "nan", "inf", "-inf". */
static double val(const json_t *v)
{
	if (json_is_number(v))
		return json_number_value(v);
	const char *s = json_string_value(v);
	if (!s)
		return NAN;
	return !strcmp(s, "inf") ? INFINITY : !strcmp(s, "-inf") ? -INFINITY : NAN;
}

/* Whether two outputs agree: integers exactly, floats within tolerance,
 * NaN with NaN, infinities with their own sign. *where gets the first
 * differing element, *rel the largest relative difference. */
static int agree(const json_t *a, const json_t *b, double rtol, size_t *where, double *rel)
{
	size_t n = json_array_size(a);
	*rel = 0;
	if (n != json_array_size(b)) {
		*where = 0;
		return 0;
	}
	int ok = 1;
	for (size_t i = 0; i < n; i++) {
		const json_t *x = json_array_get(a, i), *y = json_array_get(b, i);
		int same;
		if (json_is_integer(x) && json_is_integer(y)) {
			same = json_integer_value(x) == json_integer_value(y);
		} else {
			double p = val(x), q = val(y);
			if (isnan(p) || isnan(q))
				same = isnan(p) && isnan(q);
			else if (isinf(p) || isinf(q))
				same = p == q;
			else {
				double d = fabs(p - q), m = fmax(fabs(p), fabs(q));
				same = d <= GC_ATOL + rtol * m;
				if (m > 0 && d / m > *rel)
					*rel = d / m;
			}
		}
		if (!same && ok) {
			*where = i;
			ok = 0;
		}
	}
	return ok;
}

static json_t *divergence(item *it, const json_t *cj, const json_t *gj, const char *what, const char *param,
			  size_t where, double rel)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(it->id));
	json_object_set_new(o, "kernel_name", json_string(it->name));
	json_object_set_new(o, "category", json_string(it->category));
	json_object_set_new(o, "well_defined", json_incref(json_object_get(gj, "well_defined")));
	json_object_set_new(o, "divergence", json_string(what));
	if (param) {
		json_object_set_new(o, "param", json_string(param));
		json_object_set_new(o, "first_index", json_integer((json_int_t)where));
		json_object_set_new(o, "max_rel_err", json_real(rel));
		json_object_set_new(o, "conditioning", json_null()); /* its place; conditioned() fills it */
	}
	json_object_set_new(o, "gpu", json_incref(json_object_get(gj, "gpu")));
	json_t *r = json_object();
	json_object_set_new(r, "python_source", json_string(it->python));
	json_object_set_new(r, "launch", json_incref(json_object_get(gj, "launch")));
	json_object_set_new(r, "inputs", json_incref(json_object_get(gj, "inputs")));
	json_t *outs = json_object(), *cp = json_object_get(cj, "params"), *gp = json_object_get(gj, "params");
	const char *k;
	json_t *g;
	json_object_foreach(gp, k, g) {
		json_t *pair = json_object();
		json_object_set_new(pair, "cpu", json_incref(json_object_get(json_object_get(cp, k), "values")));
		json_object_set_new(pair, "cuda", json_incref(json_object_get(g, "values")));
		json_object_set_new(outs, k, pair);
	}
	json_object_set_new(r, "outputs", outs);
	json_object_set_new(o, "reproducer", r);
	return o;
}

static char *line_of(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
	json_decref(o);
	return s;
}

int gc_conditioning(const char *cpu_json, const char *const *pert, int n, double rtol, double *rel,
		    const char **why)
{
	*rel = 0;
	*why = NULL;
	json_t *cj = json_loads(cpu_json ? cpu_json : "{}", 0, NULL);
	int ill = 0;
	for (int k = 0; k < n && !*why; k++) {
		json_t *pj = json_loads(pert[k] ? pert[k] : "{}", 0, NULL);
		const char *st = json_string_value(json_object_get(pj, "status"));
		if (!pert[k] || !st)
			*why = "no result from the CPU on perturbed inputs";
		else if (strcmp(st, "executed"))
			*why = "the CPU did not execute it on perturbed inputs";
		const char *key;
		json_t *c, *pp = json_object_get(pj, "params");
		json_object_foreach(json_object_get(cj, "params"), key, c) {
			const json_t *cv = json_object_get(c, "values");
			if (!cv || *why)
				continue;
			size_t wh;
			double r;
			if (!agree(cv, json_object_get(json_object_get(pp, key), "values"), rtol, &wh, &r))
				ill = 1;
			if (r > *rel)
				*rel = r;
		}
		json_decref(pj);
	}
	json_decref(cj);
	return *why ? -1 : ill;
}

/* The conditioning of the batch's CPU/CUDA divergences v[0..m) (cj: their
 * CPU results): one CPU batch of each on every perturbation (each module
 * built once). 0, or -1 with err (the machinery failed). */
static int condition(shared *s, item *const *v, char *const *cj, size_t m, buf *err)
{
	exec_item pv[GC_PERTURBATIONS * GC_BATCH];
	char *pj[GC_PERTURBATIONS * GC_BATCH]; /* perturbation k + 1 of v[i] at k * m + i */
	for (int k = 0; k < GC_PERTURBATIONS; k++)
		for (size_t i = 0; i < m; i++)
			pv[(size_t)k * m + i] = (exec_item){.text = v[i]->cpu, .len = v[i]->ncpu, .seed = v[i]->seed,
							    .perturb = k + 1, .kernel = v[i]->name};
	size_t np = GC_PERTURBATIONS * m;
	if (exec_batch(s->cpu, pv, np, pj, err) != 0)
		return -1;
	for (size_t i = 0; i < m; i++) {
		const char *pi[GC_PERTURBATIONS], *why;
		for (int k = 0; k < GC_PERTURBATIONS; k++)
			pi[k] = pj[(size_t)k * m + i];
		double rel;
		int ill = gc_conditioning(cj[i], pi, GC_PERTURBATIONS, v[i]->rtol, &rel, &why);
		json_t *c = json_object();
		json_object_set_new(c, "ill_conditioned", ill < 0 ? json_null() : json_boolean(ill));
		json_object_set_new(c, "cpu_rel_change", ill < 0 ? json_null() : json_real(rel));
		if (why)
			json_object_set_new(c, "unknown", json_string(why));
		json_object_set_new(v[i]->pending, "conditioning", c);
		pthread_mutex_lock(&s->mu);
		if (ill > 0)
			s->rep->ill_conditioned[v[i]->w]++;
		else if (ill < 0)
			s->rep->conditioning_unknown++;
		pthread_mutex_unlock(&s->mu);
		v[i]->divergence = line_of(v[i]->pending);
		v[i]->pending = NULL;
	}
	for (size_t i = 0; i < np; i++)
		free(pj[i]);
	return 0;
}

/* Compares one kernel's two results; counts under s->mu. Returns 1 for a
 * CPU/CUDA divergence (its line waits in it->pending for condition()). */
static int judge(shared *s, item *it, const char *cpu_json, const char *gpu_json)
{
	int pending = 0;
	json_t *cj = json_loads(cpu_json ? cpu_json : "{}", 0, NULL);
	json_t *gj = json_loads(gpu_json ? gpu_json : "{}", 0, NULL);
	const char *cs = json_string_value(json_object_get(cj, "status"));
	const char *gs = json_string_value(json_object_get(gj, "status"));
	gc_report *rep = s->rep;
	pthread_mutex_lock(&s->mu);
	if (!cs || strcmp(cs, "executed")) {
		rep->cpu_not_run++;
		char cls[24];
		snprintf(cls, sizeof cls, "cpu:%.19s", sv(cj, "class"));
		bump(rep, cls, it->name, json_string_value(json_object_get(cj, "reason")));
	} else if (!gs || strcmp(gs, "executed")) {
		rep->cuda_not_run++;
		char cls[24];
		snprintf(cls, sizeof cls, "cuda:%.18s", sv(gj, "class"));
		bump(rep, cls, it->name, json_string_value(json_object_get(gj, "reason")));
	} else {
		if (!rep->gpu[0])
			snprintf(rep->gpu, sizeof rep->gpu, "%s", sv(gj, "gpu"));
		int w = json_is_true(json_object_get(gj, "well_defined")) ? 0 : 1;
		double rtol = json_is_true(json_object_get(gj, "half")) ? GC_RTOL_HALF : GC_RTOL;
		rep->compared[w]++;
		const char *bad = NULL, *what = NULL;
		size_t where = 0;
		double rel = 0, worst = 0;
		const char *k;
		json_t *g, *cp = json_object_get(cj, "params");
		json_object_foreach(json_object_get(gj, "params"), k, g) {
			size_t wh;
			double r;
			const json_t *c = json_object_get(json_object_get(cp, k), "values");
			if (!agree(c, json_object_get(g, "values"), rtol, &wh, &r) && !bad)
				bad = k, where = wh, rel = r;
			if (r > worst)
				worst = r;
		}
		int same_launches = json_is_true(json_object_get(gj, "identical"));
		if (!same_launches)
			rep->launches_differ[w]++;
		if (bad)
			what = "cpu_cuda";
		else if (!same_launches)
			what = "cuda_launches";
		if (what) {
			rep->diverged[w]++;
			json_t *o = divergence(it, cj, gj, what, bad, where, bad ? rel : worst);
			if (bad) {
				it->pending = o, it->rtol = rtol, it->w = w;
				pending = 1;
			} else {
				it->divergence = line_of(o);
			}
		} else {
			rep->agree[w]++;
		}
	}
	pthread_mutex_unlock(&s->mu);
	json_decref(cj);
	json_decref(gj);
	return pending;
}

/* The machinery failed: the first error is kept, every worker stops. */
static void *failed(shared *s, buf *err)
{
	pthread_mutex_lock(&s->mu);
	if (!s->failed)
		buf_puts(&s->err, buf_cstr(err));
	s->failed = 1;
	pthread_mutex_unlock(&s->mu);
	buf_free(err);
	return NULL;
}

static void *worker(void *arg)
{
	shared *s = arg;
	exec_item cv[GC_BATCH], gv[GC_BATCH];
	char *cj[GC_BATCH], *gj[GC_BATCH];
	for (;;) {
		pthread_mutex_lock(&s->mu);
		size_t from = s->next;
		int stop = s->failed || (s->stop && *s->stop);
		if (stop && !s->failed)
			s->rep->interrupted = 1;
		if (!stop)
			s->next = from + GC_BATCH < s->n ? from + GC_BATCH : s->n;
		size_t to = s->next;
		pthread_mutex_unlock(&s->mu);
		if (stop || from >= s->n)
			return NULL;
		size_t m = to - from;
		for (size_t i = 0; i < m; i++) {
			item *it = &s->v[from + i];
			cv[i] = (exec_item){.text = it->cpu, .len = it->ncpu, .seed = it->seed, .kernel = it->name};
			gv[i] = cv[i];
			gv[i].cuda_text = it->cuda;
			gv[i].cuda_len = it->ncuda;
		}
		buf err = BUF_INIT;
		int rc = exec_batch(s->cpu, cv, m, cj, &err);
		if (rc == 0) {
			rc = exec_batch(s->gpu, gv, m, gj, &err);
			if (rc != 0)
				for (size_t i = 0; i < m; i++)
					free(cj[i]);
		}
		if (rc != 0)
			return failed(s, &err);
		item *pv[GC_BATCH];
		char *pc[GC_BATCH];
		size_t np = 0;
		for (size_t i = 0; i < m; i++) {
			if (judge(s, &s->v[from + i], cj[i], gj[i])) {
				pv[np] = &s->v[from + i];
				pc[np++] = cj[i];
			} else {
				free(cj[i]);
			}
			free(gj[i]);
		}
		rc = np ? condition(s, pv, pc, np, &err) : 0;
		for (size_t i = 0; i < np; i++)
			free(pc[i]);
		if (rc != 0)
			return failed(s, &err);
		buf_free(&err);
	}
}

static char *str_of(const json_t *o, const char *k)
{
	return xstrdup(sv(o, k));
}

static void items_free(item *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].cpu), free(v[i].cuda), free(v[i].name), free(v[i].id);
		free(v[i].category), free(v[i].python), free(v[i].divergence);
		json_decref(v[i].pending);
	}
	free(v);
}

int gc_run(const char *dir, const gc_options *o, gc_report *rep, buf *err)
{
	memset(rep, 0, sizeof *rep);
	double t0 = now_seconds();
	reader *rd = reader_open(dir, err);
	if (!rd)
		return -1;
	/* the records' modules, all at once: a GPU check is a developer's run
	 * over a dataset of its own (~60 KB per record) */
	item *v = NULL;
	size_t n = 0, cap = 0;
	reader_record rec;
	buf msg = BUF_INIT;
	int r;
	while ((r = reader_next(rd, &rec, &msg)) != READER_END) {
		if (r == READER_BAD)
			continue;
		rep->records++;
		json_t *ir = json_object_get(rec.json, "ir");
		size_t nc, ng;
		const char *cm = reader_str(json_object_get(ir, "cpu"), "module", &nc);
		const char *gm = reader_str(json_object_get(ir, "cuda"), "module", &ng);
		if (!cm || !gm) {
			rep->no_module++;
			continue;
		}
		if (n == cap)
			v = xrealloc(v, (cap = cap ? 2 * cap : 256) * sizeof *v);
		json_t *meta = json_object_get(rec.json, "meta");
		uint64_t seed = (uint64_t)json_integer_value(json_object_get(meta, "seed"));
		uint64_t index = (uint64_t)json_integer_value(json_object_get(meta, "index"));
		v[n++] = (item){.cpu = xstrndup(cm, nc), .ncpu = nc, .cuda = xstrndup(gm, ng), .ncuda = ng,
				.name = str_of(rec.json, "kernel_name"), .id = str_of(rec.json, "id"),
				.category = str_of(rec.json, "category"), .python = str_of(rec.json, "python_source"),
				.seed = exec_inputs_seed(seed, index)};
	}
	buf_free(&msg);
	reader_close(rd);
	scratch sc = {0};
	if (scratch_open(&sc, err) < 0) {
		items_free(v, n);
		return -1;
	}
	exec_options co = {.cxx = o->cxx, .native_dir = o->native_dir, .scratch = sc.path, .values = 1};
	exec_options go = co;
	go.cuda = 1;
	shared s = {.v = v, .n = n, .rep = rep, .stop = o->stop, .err = BUF_INIT};
	pthread_mutex_init(&s.mu, NULL);
	int rc = -1;
	s.cpu = exec_create(&co, err);
	s.gpu = s.cpu ? exec_create(&go, err) : NULL;
	if (s.gpu) {
		int jobs = o->jobs > 0 ? o->jobs : 1;
		pthread_t *th = xcalloc((size_t)jobs, sizeof *th);
		for (int i = 0; i < jobs; i++)
			pthread_create(&th[i], NULL, worker, &s);
		for (int i = 0; i < jobs; i++)
			pthread_join(th[i], NULL);
		free(th);
		rc = 0;
		if (s.failed) {
			buf_puts(err, buf_cstr(&s.err));
			rc = -1;
		}
	}
	if (rc == 0) { /* in record order, whatever the threads' */
		buf path = BUF_INIT;
		if (o->divergences)
			buf_puts(&path, o->divergences);
		else
			buf_printf(&path, "%s/divergences.jsonl", dir);
		FILE *f = fopen(buf_cstr(&path), "we");
		for (size_t i = 0; f && i < n; i++)
			if (v[i].divergence)
				fprintf(f, "%s\n", v[i].divergence);
		if (!f || fclose(f) != 0) {
			buf_printf(err, "cannot write %s: %s", buf_cstr(&path), strerror(errno));
			rc = -1;
		}
		buf_free(&path);
	}
	exec_free(s.cpu);
	exec_free(s.gpu);
	buf_free(&s.err);
	pthread_mutex_destroy(&s.mu);
	scratch_close(&sc);
	items_free(v, n);
	rep->seconds = now_seconds() - t0;
	return rc;
}

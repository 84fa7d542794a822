/* eval: candidates spliced into their records' modules, run against Warp's
 * own forward on three input sets; see eval.h. */
#include "pipeline/eval.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "common/util.h"
#include "exec/exec.h"
#include "store/reader.h"
#include "validate/scratch.h"

#define EV_BATCH 5 /* records per build: 15 runs of one shared object */

typedef struct cand {
	char *id, *text;
	size_t len;
	int used;
} cand;

typedef struct job {
	size_t r;	       /* index into rep->v */
	char *orig, *spliced;  /* module texts */
	size_t olen, slen;
	uint64_t seed[EV_SETS];
} job;

static int load_candidates(const char *path, cand **out, size_t *n, buf *err)
{
	reader *rd = reader_open_file(path, err);
	if (!rd)
		return -1;
	reader_record rec;
	buf msg = BUF_INIT;
	int st;
	size_t cap = 0;
	while ((st = reader_next(rd, &rec, &msg)) != READER_END) {
		if (st != READER_OK)
			continue;
		size_t l;
		const char *id = reader_str(rec.json, "id", NULL);
		const char *t = reader_str(rec.json, "cpu_forward", &l);
		if (!t)
			t = reader_str(rec.json, "forward", &l);
		if (!id || !t)
			continue;
		if (*n == cap)
			*out = xrealloc(*out, (cap = cap ? 2 * cap : 64) * sizeof **out);
		(*out)[(*n)++] = (cand){xstrdup(id), xstrndup(t, l), l, 0};
	}
	buf_free(&msg);
	reader_close(rd);
	return 0;
}

/* Floats within tolerance, NaN with NaN, integers and strings exactly. */
static int same_values(json_t *a, json_t *b, char *why, size_t cap, const char *name)
{
	if (json_array_size(a) != json_array_size(b)) {
		snprintf(why, cap, "output %s: %zu values, Warp's has %zu", name, json_array_size(b), json_array_size(a));
		return 0;
	}
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *x = json_array_get(a, i), *y = json_array_get(b, i);
		int ok;
		if (json_is_number(x) && json_is_number(y)) {
			double u = json_number_value(x), v = json_number_value(y);
			ok = json_is_integer(x) && json_is_integer(y) ? u == v : fabs(u - v) <= EV_ATOL + EV_RTOL * fabs(u);
		} else {
			ok = json_equal(x, y);
		}
		if (!ok) {
			char *sx = json_dumps(x, JSON_ENCODE_ANY | JSON_REAL_PRECISION(7)),
			     *sy = json_dumps(y, JSON_ENCODE_ANY | JSON_REAL_PRECISION(7));
			snprintf(why, cap, "output %s[%zu] = %s, Warp's is %s", name, i, sy ? sy : "?", sx ? sx : "?");
			free(sx);
			free(sy);
			return 0;
		}
	}
	return 1;
}

/* Compares one input set: 1 equal, 0 not (why says how). */
static int compare(const char *warp, const char *cand_json, int set, ev_result *r, char *why, size_t cap)
{
	json_t *a = json_loads(warp, 0, NULL), *b = json_loads(cand_json, 0, NULL);
	int ok = 0;
	const char *sa = json_string_value(json_object_get(a, "status"));
	const char *sb = json_string_value(json_object_get(b, "status"));
	const char *cb = json_string_value(json_object_get(b, "class"));
	if (!sa || strcmp(sa, "executed")) {
		snprintf(why, cap, "Warp's own forward did not run: %s", json_string_value(json_object_get(a, "reason")));
	} else if (!sb || strcmp(sb, "executed")) {
		if (cb && (!strcmp(cb, "build") || !strcmp(cb, "refused") || !strcmp(cb, "signature")))
			r->compiles = 0;
		snprintf(why, cap, "%s", json_string_value(json_object_get(b, "reason")));
	} else {
		json_t *pa = json_object_get(a, "params"), *pb = json_object_get(b, "params");
		const char *k;
		json_t *v;
		ok = 1;
		json_object_foreach(pa, k, v) {
			json_t *va = json_object_get(v, "values");
			if (va && !same_values(va, json_object_get(json_object_get(pb, k), "values"), why, cap, k)) {
				ok = 0;
				break;
			}
		}
		if (!ok && set) {
			size_t l = strlen(why);
			snprintf(why + l, cap - l, " (input set %d)", set);
		}
	}
	json_decref(a);
	json_decref(b);
	return ok;
}

static int run_jobs(exec_tool *t, job *jv, size_t nj, ev_report *rep, buf *err)
{
	size_t n = nj * EV_SETS;
	exec_item *wi = xcalloc(n, sizeof *wi), *ci = xcalloc(n, sizeof *ci);
	char **wj = xcalloc(n, sizeof *wj), **cj = xcalloc(n, sizeof *cj);
	for (size_t i = 0; i < nj; i++)
		for (int s = 0; s < EV_SETS; s++) {
			wi[i * EV_SETS + s] = (exec_item){jv[i].orig, jv[i].olen, jv[i].seed[s]};
			ci[i * EV_SETS + s] = (exec_item){jv[i].spliced, jv[i].slen, jv[i].seed[s]};
		}
	int rc = exec_batch(t, wi, n, wj, err);
	if (rc == 0)
		rc = exec_batch(t, ci, n, cj, err);
	for (size_t i = 0; i < nj && rc == 0; i++) {
		ev_result *r = &rep->v[jv[i].r];
		char why[400] = "";
		r->compiles = 1;
		r->correct = 1;
		for (int s = 0; s < EV_SETS && r->correct; s++)
			r->correct = compare(wj[i * EV_SETS + s], cj[i * EV_SETS + s], s, r, why, sizeof why);
		rep->compiled += (uint64_t)r->compiles;
		rep->correct += (uint64_t)r->correct;
		if (!r->correct)
			r->error = xstrdup(why);
	}
	for (size_t i = 0; i < n; i++)
		free(wj[i]), free(cj[i]);
	free(wi), free(ci), free(wj), free(cj);
	return rc;
}

static void splice(const char *mod, size_t ml, const char *fwd, size_t fl, const char *c, size_t cl, buf *out)
{
	const char *at = fl ? memmem(mod, ml, fwd, fl) : NULL;
	if (!at) { /* no forward to replace: the candidate cannot be placed */
		buf_append(out, mod, ml);
		return;
	}
	buf_append(out, mod, (size_t)(at - mod));
	buf_append(out, c, cl);
	buf_append(out, at + fl, ml - (size_t)(at - mod) - fl);
}

int ev_run(const char *dir, const char *candidates, const ev_options *o, ev_report *rep, buf *err)
{
	memset(rep, 0, sizeof *rep);
	double t0 = now_seconds();
	cand *cv = NULL;
	size_t nc = 0;
	if (load_candidates(candidates, &cv, &nc, err) < 0)
		return -1;
	rep->v = xcalloc(nc ? nc : 1, sizeof *rep->v);
	int rc = -1;
	reader *rd = reader_open(dir, err);
	scratch sc = {0};
	exec_tool *t = NULL;
	if (!rd || scratch_open(&sc, err) < 0)
		goto out;
	exec_options eo = {.cxx = o->cxx, .native_dir = o->native_dir, .scratch = sc.path, .values = 1};
	if (!(t = exec_create(&eo, err)))
		goto out;
	job jv[EV_BATCH];
	size_t nj = 0;
	reader_record rec;
	buf msg = BUF_INIT;
	int st;
	rc = 0;
	while (rc == 0 && (st = reader_next(rd, &rec, &msg)) != READER_END) {
		if (st != READER_OK)
			continue;
		if (o->stop && *o->stop) {
			rep->interrupted = 1;
			break;
		}
		const char *id = reader_str(rec.json, "id", NULL);
		size_t k = 0;
		while (id && k < nc && (cv[k].used || strcmp(cv[k].id, id)))
			k++;
		if (!id || k == nc)
			continue;
		cv[k].used = 1;
		ev_result *r = &rep->v[rep->n++];
		r->id = xstrdup(id);
		const char *kn = reader_str(rec.json, "kernel_name", NULL);
		r->kernel = xstrdup(kn ? kn : "?");
		json_t *cpu = json_object_get(json_object_get(rec.json, "ir"), "cpu");
		size_t ml, fl;
		const char *mod = reader_str(cpu, "module", &ml), *fwd = reader_str(cpu, "forward", &fl);
		if (!mod || !fwd || !memmem(mod, ml, fwd, fl)) {
			r->error = xstrdup("the record has no CPU module holding its forward");
			continue;
		}
		r->found = 1;
		rep->found++;
		json_t *meta = json_object_get(rec.json, "meta");
		uint64_t s0 = exec_inputs_seed((uint64_t)json_integer_value(json_object_get(meta, "seed")),
					       (uint64_t)json_integer_value(json_object_get(meta, "index")));
		job *j = &jv[nj++];
		buf sp = BUF_INIT;
		splice(mod, ml, fwd, fl, cv[k].text, cv[k].len, &sp);
		*j = (job){.r = rep->n - 1, .orig = xstrndup(mod, ml), .olen = ml};
		j->spliced = buf_detach(&sp, &j->slen);
		for (int s = 0; s < EV_SETS; s++) {
			uint64_t x = s0 + (uint64_t)s;
			j->seed[s] = s ? rng_splitmix64(&x) : s0;
		}
		if (nj == EV_BATCH) {
			rc = run_jobs(t, jv, nj, rep, err);
			for (size_t i = 0; i < nj; i++)
				free(jv[i].orig), free(jv[i].spliced);
			nj = 0;
		}
	}
	if (rc == 0 && nj)
		rc = run_jobs(t, jv, nj, rep, err);
	for (size_t i = 0; i < nj; i++)
		free(jv[i].orig), free(jv[i].spliced);
	buf_free(&msg);
	/* candidates naming no record are reported too */
	for (size_t k = 0; k < nc; k++)
		if (!cv[k].used) {
			ev_result *r = &rep->v[rep->n++];
			r->id = xstrdup(cv[k].id);
			r->kernel = xstrdup("?");
			r->error = xstrdup("no record with this id in the dataset");
		}
out:
	rep->seconds = now_seconds() - t0;
	exec_free(t);
	scratch_close(&sc);
	reader_close(rd);
	for (size_t k = 0; k < nc; k++)
		free(cv[k].id), free(cv[k].text);
	free(cv);
	return rc;
}

void ev_report_free(ev_report *rep)
{
	for (size_t i = 0; i < rep->n; i++) {
		free(rep->v[i].id);
		free(rep->v[i].kernel);
		free(rep->v[i].error);
	}
	free(rep->v);
	memset(rep, 0, sizeof *rep);
}

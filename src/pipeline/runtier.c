/* runtier: the run tier over a stored dataset; see runtier.h. */
#include "pipeline/runtier.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "exec/exec.h"
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

typedef struct pending {
	char *text, *name;
	size_t len;
	uint64_t seed;
} pending;

static int flush(exec_tool *t, pending *p, size_t n, rt_report *rep, buf *err)
{
	exec_item *v = xcalloc(n ? n : 1, sizeof *v);
	char **json = xcalloc(n ? n : 1, sizeof *json);
	for (size_t i = 0; i < n; i++)
		v[i] = (exec_item){.text = p[i].text, .len = p[i].len, .seed = p[i].seed, .kernel = p[i].name};
	int rc = exec_batch(t, v, n, json, err);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rt_count(rep, p[i].name, json[i]);
		free(json[i]);
		free(p[i].text);
		free(p[i].name);
	}
	free(v);
	free(json);
	return rc;
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
	exec_tool *t = exec_create(&eo, err);
	if (!t) {
		scratch_close(&sc);
		reader_close(rd);
		return -1;
	}
	int batch = o->batch > 0 ? o->batch : EXEC_BATCH, rc = 0;
	pending *p = xcalloc((size_t)batch, sizeof *p);
	size_t np = 0;
	reader_record rec;
	buf msg = BUF_INIT;
	int r;
	while (rc == 0 && (r = reader_next(rd, &rec, &msg)) != READER_END) {
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
		p[np++] = (pending){xstrndup(mod, ml), xstrdup(name ? name : "?"), ml, exec_inputs_seed(seed, index)};
		if (np == (size_t)batch) {
			rc = flush(t, p, np, rep, err);
			np = 0;
		}
	}
	if (rc == 0 && np)
		rc = flush(t, p, np, rep, err);
	else
		for (size_t i = 0; i < np; i++)
			free(p[i].text), free(p[i].name);
	exec_stats st;
	exec_stats_get(t, &st);
	rep->build_s = st.build_s;
	rep->builds = st.builds;
	rep->run_s = st.run_s;
	rep->seconds = now_seconds() - t0;
	free(p);
	buf_free(&msg);
	exec_free(t);
	scratch_close(&sc);
	reader_close(rd);
	return rc;
}

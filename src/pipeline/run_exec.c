/* run_exec: `generate --validate run`: kernels the compilers passed go to
 * the run tier (exec/queue.h) before their record is made; its exec object
 * goes into the record, a CPU module that does not build (or is refused)
 * becomes a validate reject. Results come back through an epoll set that
 * holds the checker's fd and the run tier's, the one fd the pool watches. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "common/util.h"
#include "exec/exec.h"
#include "pipeline/runctx.h"

int rx_start(run *r, const char *native_dir, buf *err)
{
	if (scratch_open(&r->xsc, err) < 0)
		return -1;
	exec_options eo = {.cxx = r->o->run_cxx, .native_dir = native_dir, .scratch = r->xsc.path};
	uint64_t left = r->end - (r->next_write > r->first ? r->next_write : r->first);
	r->xq = xq_create(&eo, r->o->pool.jobs, xq_batch_size(left, r->o->pool.jobs), err);
	if (!r->xq)
		return -1;
	return rb_watch(r, xq_fd(r->xq), err);
}

void rx_submit(run *r, uint64_t index)
{
	const char *text[DEV_COUNT];
	size_t len[DEV_COUNT];
	run_slot_texts(r, index, text, len); /* cpu first */
	xq_submit(r->xq, index, text[0], len[0], exec_inputs_seed(r->o->gen.seed, index), NULL);
}

static void one(run *r, uint64_t index, char *json)
{
	json_t *o = json_loads(json, 0, NULL);
	const char *cls = json_string_value(json_object_get(o, "class"));
	if (cls && (!strcmp(cls, "build") || !strcmp(cls, "refused"))) {
		buf why = BUF_INIT;
		buf_printf(&why, "cpu (rejected): %s", json_string_value(json_object_get(o, "reason")));
		run_put_reject(r, index, STAGE_VALIDATE, buf_cstr(&why));
		buf_free(&why);
		free(json);
	} else {
		r->win[index % r->nwin].exec_json = json;
		run_on_extracted(r, index, chk_tier_name(r->o->chk.tier));
	}
	json_decref(o);
}

static int broke(run *r)
{
	const char *e = xq_error(r->xq);
	if (!e)
		return 0;
	if (!r->failed) {
		r->failed = 1;
		buf_reset(r->err);
		buf_puts(r->err, e);
	}
	return 1;
}

void rx_drain(run *r)
{
	uint64_t tag;
	char *json;
	while (xq_poll(r->xq, &tag, &json)) {
		if (broke(r))
			free(json);
		else
			one(r, tag, json);
	}
}

void rx_finish(run *r)
{
	uint64_t tag;
	char *json;
	while (xq_wait(r->xq, &tag, &json)) {
		if (broke(r))
			free(json);
		else
			one(r, tag, json);
	}
	exec_stats st;
	xq_stats(r->xq, &st);
	r->s->exec_build_s = st.build_s;
	r->s->exec_builds = st.builds;
	r->s->exec_run_s = st.run_s;
}

void rx_release(run *r)
{
	xq_free(r->xq);
	r->xq = NULL;
	scratch_close(&r->xsc); /* r->epfd is the builders' (rb_release) */
}

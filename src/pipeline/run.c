/* run: ties the stages together for `jitsynth generate` (see run.h).
 *
 * Kernels are handed to the pool by index; answers come back in any order
 * and wait in a reorder window until every earlier index is stored, so the
 * shards are byte-identical whatever --jobs is. The window also bounds
 * memory: no kernel more than WINDOW indices ahead of the oldest unstored
 * one is dispatched. A kernel's source is regenerated when its answer comes
 * back (generation is a pure function and costs microseconds), so nothing
 * but the answer is kept in flight. */
#include "pipeline/run.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "extract/extract.h"
#include "store/jsonl.h"
#include "store/manifest.h"
#include "store/record.h"
#include "store/shards.h"

typedef struct slot {
	int ready;
	int is_reject;
	gen_category category;
	buf line;
} slot;

typedef struct run {
	const run_options *o;
	run_state *s;
	gen_options gopt;
	slot *win;
	uint64_t nwin;
	uint64_t next_write;
	shard_set shards;
	jsonl_file rejects;
	int io_failed;
	buf *err;
	run_progress_fn *progress;
	void *pctx;
	gen_kernel k; /* scratch kernel, reused */
} run;

/* ---- test hooks ---- */

static int hook_lists(const char *var, uint64_t index)
{
	const char *s = getenv(var);
	while (s && *s) {
		char *end;
		unsigned long long v = strtoull(s, &end, 10);
		if (end == s)
			break;
		if (v == index)
			return 1;
		s = *end == ',' ? end + 1 : end;
	}
	return 0;
}

void run_make_kernel(const run_options *o, uint64_t index, gen_kernel *k)
{
	gen_options g = {.seed = o->seed, .categories = o->categories};
	gen_kernel_make(&g, index, k);
	if (hook_lists("JITSYNTH_TEST_REJECT", index)) /* a type error Warp must refuse */
		buf_puts(&k->source, "    jitsynth_planted = wp.vec3(1.0, 2.0, 3.0) + 1\n");
}

/* ---- output order ---- */

static slot *slot_of(run *r, uint64_t index) { return &r->win[index % r->nwin]; }

static void store_ready(run *r)
{
	for (slot *sl; r->next_write < r->s->dispatched && (sl = slot_of(r, r->next_write))->ready;
	     r->next_write++) {
		if (!r->io_failed) {
			int rc = sl->is_reject ? jsonl_write(&r->rejects, sl->line.data, sl->line.len, r->err)
					       : shards_write(&r->shards, sl->line.data, sl->line.len, r->err);
			if (rc < 0)
				r->io_failed = 1;
		}
		if (sl->is_reject) {
			r->s->rejects++;
			r->s->cat_rejects[sl->category]++;
		} else {
			r->s->records++;
			r->s->cat_records[sl->category]++;
		}
		r->s->done++;
		if (r->s->done % RUN_TIMELINE_STEP == 0) {
			r->s->timeline = xrealloc(r->s->timeline, (r->s->ntimeline + 1) * sizeof *r->s->timeline);
			r->s->timeline[r->s->ntimeline++] = (run_point){
				r->s->done, now_seconds() - r->s->started, r->s->pool.worker_rss_kib};
		}
		sl->ready = 0;
		buf_reset(&sl->line);
	}
}

static void put_reject(run *r, uint64_t index, const char *stage, const char *reason)
{
	slot *sl = slot_of(r, index);
	run_make_kernel(r->o, index, &r->k);
	rec_reject rj = {.seed = r->o->seed,
			 .index = index,
			 .kernel_name = r->k.name,
			 .category = gen_category_name(r->k.category),
			 .stage = stage,
			 .reason = reason,
			 .python_source = r->k.source.data,
			 .python_len = r->k.source.len};
	buf_reset(&sl->line);
	rec_reject_line(&rj, &sl->line);
	sl->is_reject = 1;
	sl->category = r->k.category;
	sl->ready = 1;
}

/* ---- pool callbacks ---- */

static pool_next next_task(void *ctx, uint64_t *index, buf *frame)
{
	run *r = ctx;
	if (r->io_failed || r->s->dispatched >= r->o->n)
		return POOL_DONE;
	if (r->s->dispatched - r->next_write >= r->nwin)
		return POOL_WAIT;
	*index = r->s->dispatched++;
	run_make_kernel(r->o, *index, &r->k);
	proto_put_request(frame, *index, r->o->devices, r->k.name, r->k.source.data, r->k.source.len);
	return POOL_TASK;
}

static void task_done(void *ctx, const proto_reply *rep)
{
	run *r = ctx;
	if (rep->kind == PROTO_ERROR) {
		char reason[2048];
		snprintf(reason, sizeof reason, "%.*s", (int)rep->text_len[0], rep->text[0]);
		put_reject(r, rep->index, "warp", reason);
		store_ready(r);
		return;
	}
	run_make_kernel(r->o, rep->index, &r->k);
	rec_pair p = {.seed = r->o->seed,
		      .index = rep->index,
		      .kernel_name = r->k.name,
		      .category = gen_category_name(r->k.category),
		      .python_source = r->k.source.data,
		      .python_len = r->k.source.len,
		      .warp_version = r->s->pool.warp_version};
	char why[256], hash[24] = "";
	p.kernel_hash = hash;
	for (int d = 0, t = 0; d < DEV_COUNT; d++) {
		if (!(r->o->devices & (1u << d)))
			continue;
		ext_kernel ek;
		if (ext_kernel_find(rep->text[t], rep->text_len[t], r->k.name, d == 0 ? EXT_CPU : EXT_CUDA, &ek, why,
				    sizeof why) < 0) {
			put_reject(r, rep->index, "extract", why);
			store_ready(r);
			return;
		}
		if (!hash[0])
			snprintf(hash, sizeof hash, "%s", ek.hash);
		else if (strcmp(hash, ek.hash) != 0) {
			put_reject(r, rep->index, "extract", "cpu and cuda kernels carry different hashes");
			store_ready(r);
			return;
		}
		p.ir[d] = (rec_ir){.present = 1,
				   .forward = ek.forward,
				   .backward = ek.backward,
				   .module = {rep->text[t], rep->text_len[t]},
				   .validated = "none"};
		t++;
	}
	slot *sl = slot_of(r, rep->index);
	buf_reset(&sl->line);
	if (rec_pair_line(&p, &sl->line) < 0) {
		put_reject(r, rep->index, "extract", "Warp's output is not valid UTF-8");
	} else {
		sl->is_reject = 0;
		sl->category = r->k.category;
		sl->ready = 1;
	}
	store_ready(r);
}

static void task_failed(void *ctx, uint64_t index, const char *reason)
{
	run *r = ctx;
	put_reject(r, index, "worker", reason);
	store_ready(r);
}

static void tick(void *ctx)
{
	run *r = ctx;
	r->s->elapsed = now_seconds() - r->s->started;
	if (r->progress)
		r->progress(r->o, r->s, r->pctx);
}

/* ---- output directory ---- */

static int is_dataset_file(const char *name)
{
	return strcmp(name, "manifest.json") == 0 || strcmp(name, "rejects.jsonl") == 0 ||
	       (strncmp(name, "train-", 6) == 0 && strstr(name, ".jsonl")) ||
	       (name[0] == '.' && strstr(name, ".tmp"));
}

/* Creates out_dir, refuses to overwrite a dataset unless --force (then
 * removes only jitsynth's own files), and checks it is writable. */
static int prepare_dir(const run_options *o, buf *err)
{
	if (mkdir(o->out_dir, 0777) < 0 && errno != EEXIST) {
		buf_printf(err, "cannot create output directory '%s': %s (choose another -o)", o->out_dir,
			   strerror(errno));
		return -1;
	}
	DIR *d = opendir(o->out_dir);
	if (!d) {
		buf_printf(err, "cannot open output directory '%s': %s (choose another -o)", o->out_dir,
			   strerror(errno));
		return -1;
	}
	int rc = 0;
	for (struct dirent *e; rc == 0 && (e = readdir(d));) {
		if (!is_dataset_file(e->d_name))
			continue;
		if (!o->force) {
			buf_printf(err, "'%s' already holds a dataset (%s); pass --force to replace it, or choose another -o",
				   o->out_dir, e->d_name);
			rc = -1;
		} else {
			buf path = BUF_INIT;
			buf_printf(&path, "%s/%s", o->out_dir, e->d_name);
			unlink(path.data);
			buf_free(&path);
		}
	}
	closedir(d);
	if (rc == 0 && access(o->out_dir, W_OK | X_OK) < 0) {
		buf_printf(err, "output directory '%s' is not writable: %s (choose another -o, or fix its permissions)",
			   o->out_dir, strerror(errno));
		rc = -1;
	}
	return rc;
}

int run_generate(const run_options *o, run_state *s, run_progress_fn *progress, void *pctx, buf *err)
{
	memset(s, 0, sizeof *s);
	s->started = now_seconds();
	if (access(o->worker_script, R_OK) < 0) {
		buf_printf(err, "cannot read the Warp worker '%s': %s (reinstall jitsynth)", o->worker_script,
			   strerror(errno));
		return -1;
	}
	if (prepare_dir(o, err) < 0)
		return -1;

	run r = {.o = o, .s = s, .err = err, .progress = progress, .pctx = pctx};
	r.nwin = (uint64_t)(o->jobs * o->batch * 4 + 64);
	r.win = xcalloc(r.nwin, sizeof *r.win);
	shards_init(&r.shards, o->out_dir, o->shard_size);
	int rc = -1;
	if (jsonl_open(&r.rejects, o->out_dir, "rejects.jsonl", err) < 0)
		goto out;

	pool_options po;
	pool_options_init(&po);
	po.python = o->python;
	po.worker_script = o->worker_script;
	po.jobs = o->jobs;
	po.devices = o->devices;
	po.batch = o->batch;
	po.timeout = o->timeout;
	po.stop = o->stop;
	pool_callbacks cb = {.next_task = next_task, .task_done = task_done, .task_failed = task_failed, .tick = tick};

	int prc = pool_run(&po, &cb, &r, &s->pool, err);
	s->elapsed = now_seconds() - s->started;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	s->peak_rss_kib = ru.ru_maxrss;
	s->complete = prc == 0 && !r.io_failed && s->done == o->n;
	if (prc == 0 && !r.io_failed && !s->complete)
		buf_printf(err, "interrupted after %llu of %llu kernels", (unsigned long long)s->done,
			   (unsigned long long)o->n);

	/* Keep what is finished even when the run failed: no work is lost. */
	buf err2 = BUF_INIT;
	if (r.io_failed) {
		shards_release(&r.shards);
		jsonl_discard(&r.rejects);
	} else if (shards_finish(&r.shards, &err2) < 0 || jsonl_commit(&r.rejects, &err2) < 0 ||
		   manifest_write(o, s, &r.shards, &r.rejects, &err2) < 0) {
		if (!err->len)
			buf_puts(err, buf_cstr(&err2));
		s->complete = 0;
	}
	buf_free(&err2);
	if (progress)
		progress(o, s, pctx);
	rc = s->complete ? 0 : -1;
out:
	shards_release(&r.shards);
	jsonl_release(&r.rejects);
	for (uint64_t i = 0; i < r.nwin; i++)
		buf_free(&r.win[i].line);
	free(r.win);
	gen_kernel_free(&r.k);
	free(s->timeline);
	s->timeline = NULL;
	return rc;
}

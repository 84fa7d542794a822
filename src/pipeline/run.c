/* run: ties the stages together for `jitsynth generate` (see run.h).
 *
 * Stage order, for each kernel index (the functions below, in this order):
 *   hand_out      generate the kernel, send it to a worker   (pool next_task)
 *   on_compiled   Warp's module texts or error come back      (pool task_done, task_failed)
 *   on_validated  the compilers' verdict                      (chk results; skipped with --validate none)
 *   on_extracted  forward and backward found: the record line (run_build.c, on a builder thread)
 *   on_stored     slots leave in index order: dedup, then a shard or rejects, the journal
 *                 (a .zst shard compresses on a thread of its own: jsonl_async_start)
 *
 * Answers come back in any order and wait in a reorder window until every
 * earlier index is stored, so the shards are byte-identical whatever --jobs
 * is. The window also bounds memory: no kernel more than nwin indices ahead
 * of the oldest unstored one is handed out. A kernel's source is
 * regenerated when its answer comes back (generation is a pure function and
 * costs microseconds), so nothing but the answer is kept in flight. */
#include "pipeline/run.h"

#include <errno.h>
#include <openssl/evp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/util.h"
#include "extract/extract.h"
#include "pipeline/manifest.h"
#include "pipeline/outdir.h"
#include "pipeline/runctx.h"
#include "store/card.h"
#include "store/journal.h"
#include "store/layout.h"
#include "store/record.h"

const char *run_stage_name(run_stage st)
{
	static const char *const names[STAGE_COUNT] = {"warp", "worker", "extract", "validate"};
	return names[st];
}

static double tv_seconds(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec / 1e6; }

static slot *slot_of(run *r, uint64_t index) { return &r->win[index % r->nwin]; }

/* A kernel that gives no record: its slot holds the rejects.jsonl line
 * (k: the caller's scratch kernel; the slot is not marked ready). */
void run_fill_reject(run *r, gen_kernel *k, uint64_t index, run_stage stage, const char *reason)
{
	slot *sl = slot_of(r, index);
	run_make_kernel(r->o, index, k);
	rec_reject rj = {.seed = r->o->gen.seed,
			 .index = index,
			 .kernel_name = k->name,
			 .category = gen_category_name(k->category),
			 .stage = run_stage_name(stage),
			 .reason = reason,
			 .python_source = k->source.data,
			 .python_len = k->source.len};
	buf_reset(&sl->line);
	rec_reject_line(&rj, &sl->line);
	buf_reset(&sl->reason);
	buf_puts(&sl->reason, rec_reject_reason(reason));
	sl->is_reject = 1;
	sl->stage = stage;
	sl->category = k->category;
}

void run_put_reject(run *r, uint64_t index, run_stage stage, const char *reason)
{
	run_fill_reject(r, &r->k, index, stage, reason);
	slot_of(r, index)->ready = 1;
}

static void store_ready(run *r);

/* ---- hand_out ---- */

static pool_next hand_out(void *ctx, uint64_t *index, buf *frame)
{
	run *r = ctx;
	if (r->failed || r->s->dispatched >= r->end)
		return POOL_DONE;
	if (r->s->dispatched - r->next_write >= r->nwin) {
		if (r->chk && r->answered == r->s->dispatched)
			chk_flush_idle(r->chk); /* once the compilers have nothing else to do */
		if (r->xq && r->answered == r->s->dispatched && !chk_outstanding(r->chk))
			xq_flush(r->xq); /* ...nor the run tier's */
		return POOL_WAIT;
	}
	*index = r->s->dispatched++;
	run_make_kernel(r->o, *index, &r->k);
	proto_put_request(frame, *index, r->o->pool.devices, r->k.name, r->k.source.data, r->k.source.len);
	return POOL_TASK;
}

/* ---- on_compiled ---- */


static void on_compiled(void *ctx, const proto_reply *rep)
{
	run *r = ctx;
	r->answered++;
	if (rep->kind == PROTO_ERROR) {
		char reason[2048];
		snprintf(reason, sizeof reason, "%.*s", (int)rep->text_len[0], rep->text[0]);
		run_put_reject(r, rep->index, STAGE_WARP, reason);
	} else {
		/* the slot keeps the texts, lent to the compilers until their
		 * verdict, then to a builder until the record is made */
		slot *sl = slot_of(r, rep->index);
		chk_item it = {.index = rep->index};
		for (int d = 0, t = 0; d < DEV_COUNT; d++) {
			if (!(r->o->pool.devices & DEV_BIT(d)))
				continue;
			buf_reset(&sl->text[d]);
			buf_append(&sl->text[d], rep->text[t], rep->text_len[t]);
			it.text[d] = sl->text[d].data;
			it.len[d] = sl->text[d].len;
			t++;
		}
		if (r->chk)
			chk_submit(r->chk, &it);
		else
			run_on_extracted(r, rep->index, "none");
	}
	store_ready(r);
}

/* The pool gave up on a kernel (its worker crashed or hung on it twice). */
static void on_compile_failed(void *ctx, uint64_t index, const char *reason)
{
	run *r = ctx;
	r->answered++;
	run_put_reject(r, index, STAGE_WORKER, reason);
	store_ready(r);
}

/* ---- on_validated ---- */

/* A device passed if its compiler accepted it, or was not asked (-1 with
 * no diagnostic); -1 with a diagnostic means the compiler could not run. */
static int dev_passed(const chk_result *res, int d) { return res->ok[d] == 1 || (res->ok[d] == -1 && !res->diag[d]); }

/* A compiler that could not be run on a module at all (killed, out of
 * memory, a file size limit, a broken toolkit) says nothing about the
 * kernel: rejecting it would lose a good kernel. The run stops instead, as
 * on a write error, and `--resume` redoes it. Returns 1 when that happened. */
static int compiler_broke(run *r, const chk_result *res)
{
	int d = DEV_CPU;
	while (d < DEV_COUNT && !(res->ok[d] == -1 && res->diag[d]))
		d++;
	if (d == DEV_COUNT)
		return 0;
	if (!r->failed) {
		r->failed = 1;
		buf_reset(r->err);
		buf_printf(r->err, "the %s compiler could not be run on kernel %llu: %.*s", d == DEV_CPU ? "C++" : "CUDA",
			   (unsigned long long)res->index, (int)strcspn(res->diag[d], "\n"), res->diag[d]);
	}
	return 1;
}

static void on_validated(run *r, const chk_result *res)
{
	if (compiler_broke(r, res))
		return;
	if (dev_passed(res, DEV_CPU) && dev_passed(res, DEV_CUDA)) {
		if (r->xq && (r->o->pool.devices & DEV_BIT(DEV_CPU))) {
			rx_submit(r, res->index); /* on to the run tier, then on_extracted */
			return;
		}
		run_on_extracted(r, res->index, chk_tier_name(r->o->chk.tier));
		return;
	}
	buf reason = BUF_INIT;
	for (int d = 0; d < DEV_COUNT; d++)
		if (!dev_passed(res, d))
			buf_printf(&reason, "%s%s (%s): %s", reason.len ? "\n" : "", dev_name((dev_id)d),
				   res->ok[d] == 0 ? "rejected" : "compiler failed", res->diag[d] ? res->diag[d] : "no diagnostic");
	run_put_reject(r, res->index, STAGE_VALIDATE, reason.data);
	buf_free(&reason);
}

int run_slot_texts(run *r, uint64_t index, const char **text, size_t *len)
{
	slot *sl = slot_of(r, index);
	int t = 0;
	for (int d = 0; d < DEV_COUNT; d++)
		if (r->o->pool.devices & DEV_BIT(d)) {
			text[t] = sl->text[d].data;
			len[t++] = sl->text[d].len;
		}
	return t;
}

static int chk_watch_fd(void *ctx)
{
	run *r = ctx;
	return r->epfd;
}

/* The builders', the compilers' or the run tier's results are ready. */
static void on_chk_ready(void *ctx)
{
	run *r = ctx;
	chk_result res;
	rb_drain(r);
	while (r->chk && chk_poll(r->chk, &res)) {
		on_validated(r, &res);
		chk_result_free(&res);
	}
	if (r->xq)
		rx_drain(r);
	store_ready(r);
}

/* ---- on_extracted: run_build.c, on the builder threads ---- */

/* ---- on_stored ---- */

/* The SHA-256 of what the rejects file holds so far (its running digest,
 * copied: the file goes on). */
static void rejects_digest(const jsonl_file *j, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	out[0] = '\0';
	if (c && EVP_MD_CTX_copy_ex(c, j->sha) == 1 && EVP_DigestFinal_ex(c, md, &n) == 1)
		for (unsigned i = 0; i < n && i < 32; i++)
			snprintf(out + 2 * i, 3, "%02x", md[i]);
	EVP_MD_CTX_free(c);
}

/* After a shard completes: make the rejects before it durable, then say so
 * in the journal, so that a crash from here on resumes after this shard. */
static int journal_shard(run *r)
{
	journal_entry e = {.shard = r->shards.done[r->shards.ndone - 1],
			   .next_index = r->next_write + 1,
			   .records = r->s->records,
			   .rejects = r->s->rejects,
			   .dropped_exact = r->s->dropped_exact,
			   .dropped_structural = r->s->dropped_structural,
			   .rejects_bytes = r->rejects.bytes};
	memcpy(e.cat_records, r->s->cat_records, sizeof e.cat_records);
	memcpy(e.cat_rejects, r->s->cat_rejects, sizeof e.cat_rejects);
	memcpy(e.stage_rejects, r->s->stage_rejects, sizeof e.stage_rejects);
	snprintf(e.warp_version, sizeof e.warp_version, "%s", r->s->pool.warp_version);
	rejects_digest(&r->rejects, e.rejects_sha256);
	if (jsonl_sync(&r->rejects, r->err) < 0)
		return -1;
	return journal_append(r->o->out_dir, &e, r->err);
}

/* Stores one answered kernel, in index order: dedup, then shard or rejects. */
static int on_stored(run *r, slot *sl)
{
	if (sl->is_reject) {
		r->s->rejects++;
		r->s->cat_rejects[sl->category]++;
		r->s->stage_rejects[sl->stage]++;
		metrics_add_reject(&r->metrics, run_stage_name(sl->stage), buf_cstr(&sl->reason));
		return jsonl_write(&r->rejects, sl->line.data, sl->line.len, r->err);
	}
	if (r->dd) {
		dedup_verdict v = dedup_check_fp(r->dd, sl->fp_exact, sl->fp_structural);
		if (v != DEDUP_NEW) {
			if (v == DEDUP_EXACT)
				r->s->dropped_exact++;
			else
				r->s->dropped_structural++;
			return 0;
		}
	}
	r->s->records++;
	r->s->cat_records[sl->category]++;
	if (sl->exec_json) {
		run_make_kernel(r->o, r->next_write, &r->k);
		rt_count(&r->s->exec, r->k.name, sl->exec_json);
	}
	metrics_add_kernel(&r->metrics, &sl->km);
	int rc = shards_write(&r->shards, sl->line.data, sl->line.len, r->err);
	return rc == 1 ? journal_shard(r) : rc;
}

/* Empties a stored slot. Buffers that grew past SLOT_KEEP_BYTES are given
 * back: a slot sees every nwin-th kernel, and record sizes are heavy-tailed,
 * so kept capacity would creep towards nwin times the largest record. */
#define SLOT_KEEP_BYTES (64u << 10)
static void slot_trim(slot *sl)
{
	free(sl->exec_json);
	sl->exec_json = NULL;
	buf *b[] = {&sl->line, &sl->text[DEV_CPU], &sl->text[DEV_CUDA], &sl->reason};
	for (size_t i = 0; i < sizeof b / sizeof *b; i++) {
		if (b[i]->cap > SLOT_KEEP_BYTES)
			buf_free(b[i]);
		else
			buf_reset(b[i]);
	}
}

/* Stores every ready slot from the oldest unstored index on. */
static void store_ready(run *r)
{
	for (slot *sl; r->next_write < r->s->dispatched && (sl = slot_of(r, r->next_write))->ready;
	     r->next_write++) {
		if (!r->failed && on_stored(r, sl) < 0)
			r->failed = 1;
		r->s->done++;
		if (r->s->first_stored == 0) {
			r->s->first_stored = now_seconds() - r->s->started;
			r->s->first_done = r->s->done;
		}
		if (r->s->done % RUN_TIMELINE_STEP == 0) {
			r->s->timeline = xrealloc(r->s->timeline, (r->s->ntimeline + 1) * sizeof *r->s->timeline);
			r->s->timeline[r->s->ntimeline++] = (run_point){
				r->s->done, now_seconds() - r->s->started, r->s->pool.worker_rss_kib};
		}
		sl->ready = 0;
		slot_trim(sl);
	}
}

/* ---- start-up and the run ---- */

/* The first worker is ready: start the compilers, against the headers of
 * the warp-lang that worker imports, before any kernel is handed out. */
static int on_ready(void *ctx, const char *warp_version, const char *native_dir, buf *err)
{
	run *r = ctx;
	if (r->resume_warp[0] && strcmp(r->resume_warp, warp_version) != 0) {
		/* kept shards of one Warp, new ones of another: one dataset must
		 * never mix them (nor be stamped with the new one) */
		r->failed = 1;
		buf_printf(err,
			   "cannot resume: the run in '%s' was made with Warp %s, but '%s' imports Warp %s; resume with a Python that has Warp %s (--python PATH), or start over with --force",
			   r->o->out_dir, r->resume_warp, r->o->pool.python, warp_version, r->resume_warp);
		return -1;
	}
	snprintf(r->warp_version, sizeof r->warp_version, "%s", warp_version);
	if (strcmp(warp_version, WARP_PINNED_VERSION) != 0)
		snprintf(r->s->note, sizeof r->s->note,
			 "Warp %s is not the pinned %s: the workers run without their codegen cache (slower; same output)",
			 warp_version, WARP_PINNED_VERSION);
	if (r->o->chk.tier != CHK_NONE) {
		chk_options co = r->o->chk;
		co.devices = r->o->pool.devices;
		if (r->o->exec) { /* the run tier's build compiles the CPU modules */
			if (co.devices & DEV_BIT(DEV_CUDA))
				co.devices = DEV_BIT(DEV_CUDA);
			else
				co.tier = CHK_SYNTAX;
		}
		co.threads = r->o->pool.jobs;
		co.native_dir = native_dir;
		r->chk = chk_create(&co, err);
		if (!r->chk || rb_watch(r, chk_fd(r->chk), err) < 0)
			return -1;
		if (chk_note(r->chk)) {
			size_t used = strlen(r->s->note);
			snprintf(r->s->note + used, sizeof r->s->note - used, "%s%s", used ? "; " : "", chk_note(r->chk));
		}
		if (r->o->exec && rx_start(r, native_dir, err) < 0)
			return -1;
	}
	if (r->progress)
		r->progress(r->o, r->s, r->pctx);
	return 0;
}

static void tick(void *ctx)
{
	run *r = ctx;
	r->s->elapsed = now_seconds() - r->s->started;
	if (r->progress)
		r->progress(r->o, r->s, r->pctx);
}

static void run_release(run *r)
{
	shards_release(&r->shards);
	if (r->rejects_open && r->failed)
		fclose(r->rejects.f), r->rejects.f = NULL; /* keep the temporary for --resume */
	jsonl_release(&r->rejects);
	dedup_free(r->dd);
	metrics_release(&r->metrics);
	rx_release(r);
	rb_release(r); /* the builders are done with the slots */
	if (r->chk)
		chk_free(r->chk);
	for (uint64_t i = 0; i < r->nwin; i++) {
		slot *sl = &r->win[i];
		buf_free(&sl->line);
		buf_free(&sl->text[DEV_CPU]);
		buf_free(&sl->text[DEV_CUDA]);
		buf_free(&sl->reason);
		free(sl->exec_json);
		metrics_kernel_release(&sl->km);
	}
	free(r->win);
	gen_kernel_free(&r->k);
}

double run_rate(const run_state *s)
{
	double t = s->elapsed - s->first_stored;
	return s->first_stored > 0 && s->done > s->first_done && t > 0 ? (double)(s->done - s->first_done) / t : 0;
}

/* A fresh run that failed before it stored anything takes back what it
 * made, so that running it again just works. */
static void take_back(run *r)
{
	jsonl_discard(&r->rejects);
	r->rejects_open = 0;
	buf p = BUF_INIT;
	buf_printf(&p, "%s/" LAYOUT_JOURNAL, r->o->out_dir);
	unlink(p.data);
	buf_free(&p);
}

/* After the workers: the compilers' last verdicts, stored as they come; a
 * stop (Ctrl-C) drops what has not started compiling (chk_cancel). */
static void drain_compilers(run *r)
{
	const volatile sig_atomic_t *stop = r->o->pool.stop;
	int cancelled = 0;
	chk_result res;
	for (;;) {
		if (!cancelled && stop && *stop) {
			chk_cancel(r->chk);
			cancelled = 1;
		}
		if (chk_poll(r->chk, &res)) {
			on_validated(r, &res);
			chk_result_free(&res);
			continue;
		}
		if (!chk_outstanding(r->chk))
			return;
		if (r->xq)
			rx_drain(r);
		rb_drain(r);
		store_ready(r);
		chk_flush(r->chk); /* nothing more will fill a partial batch */
		struct pollfd p = {.fd = r->epfd, .events = POLLIN};
		poll(&p, 1, 100); /* a signal or 100 ms: look at the stop flag again */
	}
}

int run_generate(const run_options *o, run_state *s, run_progress_fn *progress, void *pctx, buf *err)
{
	memset(s, 0, sizeof *s);
	s->started = now_seconds();
	if (access(o->pool.worker_script, R_OK) < 0) {
		buf_printf(err, "cannot read the Warp worker '%s': %s (reinstall jitsynth)", o->pool.worker_script,
			   strerror(errno));
		return -1;
	}
	run r = {.o = o, .s = s, .err = err, .progress = progress, .pctx = pctx, .lock = DIR_LOCK_INIT, .epfd = -1};
	/* the workers' batches, and two compiler batches per compiler thread
	 * (one compiling, one filling): a smaller window would flush them part
	 * full (compiler threads = jobs, see on_ready) */
	r.nwin = (uint64_t)(o->pool.jobs * o->pool.batch * 4 + 64);
	if (o->chk.tier != CHK_NONE)
		r.nwin += (uint64_t)o->pool.jobs * 2 * (uint64_t)chk_batch_size(&o->chk);
	r.win = xcalloc(r.nwin, sizeof *r.win);
	/* a part keeps every record: dedup is global, done by `merge` over
	 * all the parts in index order, as one run would do it */
	r.dd = o->dedup && !o->part_n ? dedup_new() : NULL;
	run_range(o, &r.first, &r.end);
	s->dispatched = r.next_write = r.answered = r.first;
	metrics_init(&r.metrics);
	shards_init(&r.shards, o->out_dir, o->shard_size, o->format, o->zstd_level);
	r.shards.async = 1; /* zstd off the ordered thread */
	int rc = -1;
	if (outdir_lock(o->out_dir, &r.lock, &r.created_dir, err) < 0)
		goto out;
	if (o->resume && resume_already_complete(o)) {
		buf_printf(err, "the run in '%s' is already complete; nothing to resume", o->out_dir);
		goto out;
	}
	if ((o->resume ? resume_state(&r) : resume_start_fresh(&r)) < 0 || rb_start(&r, o->pool.jobs, err) < 0)
		goto out;

	pool_callbacks cb = {.ready = on_ready,
			     .next_task = hand_out,
			     .task_done = on_compiled,
			     .task_failed = on_compile_failed,
			     .watch_fd = chk_watch_fd,
			     .on_watch = on_chk_ready,
			     .tick = tick};
	uint64_t total = r.end - r.first;
	int prc = s->done < total ? pool_run(&o->pool, &cb, &r, &s->pool, err) : 0;
	int stopped = o->pool.stop && *o->pool.stop;
	if (stopped) {
		/* a stop ends the hand-out; what a worker killed by the same
		 * Ctrl-C says at start-up is no diagnosis */
		if (prc < 0 && !r.failed) {
			buf_reset(err);
			prc = 0;
		}
		s->elapsed = now_seconds() - s->started;
		if (progress)
			progress(o, s, pctx); /* "stopping": the compilers finish what they hold */
	}
	if (r.chk) { /* the last kernels are still with the compilers */
		drain_compilers(&r);
		if (r.xq)
			rx_finish(&r);
		store_ready(&r);
		chk_stats_get(r.chk, &s->chk);
	}
	rb_wait(&r); /* the last records the builders hold */
	store_ready(&r);
	s->elapsed = now_seconds() - s->started;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	s->peak_rss_kib = ru.ru_maxrss;
	s->cpu_s = tv_seconds(ru.ru_utime) + tv_seconds(ru.ru_stime);
	getrusage(RUSAGE_THREAD, &ru);
	s->main_cpu_s = tv_seconds(ru.ru_utime) + tv_seconds(ru.ru_stime);
	s->complete = prc == 0 && !r.failed && s->done == total;
	if (prc == 0 && !r.failed && !s->complete)
		buf_printf(err, "interrupted after %llu of %llu kernels", (unsigned long long)s->done,
			   (unsigned long long)total);

	/* Keep what is finished even when the run failed: no work is lost. A
	 * write error leaves the temporaries for --resume to sort out. A stop
	 * leaves a run to resume, even with nothing stored yet (an interrupt
	 * is the user's, and the resume line is what they expect); a fresh run
	 * that failed before it stored anything leaves nothing. */
	buf err2 = BUF_INIT;
	/* a resumed run with nothing left to generate starts no worker: its
	 * Warp is the one the kept shards were made with */
	if (!s->pool.warp_version[0] && r.resume_warp[0])
		snprintf(s->pool.warp_version, sizeof s->pool.warp_version, "%s", r.resume_warp);
	if (!s->complete && !o->resume && !stopped && s->records == 0 && s->rejects == 0) {
		take_back(&r);
	} else if (!r.failed) {
		if (shards_finish(&r.shards, &err2) < 0 || jsonl_commit(&r.rejects, &err2) < 0 ||
		    manifest_write(o, s, &r.metrics, &r.shards, &r.rejects, &err2) < 0 ||
		    card_write(o->out_dir, &err2) < 0) {
			if (!err->len)
				buf_puts(err, buf_cstr(&err2));
			s->complete = 0;
		} else {
			s->resumable = !s->complete;
		}
	}
	buf_free(&err2);
	if (progress)
		progress(o, s, pctx);
	rc = s->complete ? 0 : -1;
out:
	run_release(&r);
	if (r.lock.fd >= 0)
		outdir_unlock(o->out_dir, &r.lock, r.created_dir);
	free(s->timeline);
	s->timeline = NULL;
	return rc;
}

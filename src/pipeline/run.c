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
#include "report/metrics.h"
#include "store/card.h"
#include "validate/chk.h"
#include "store/dedup.h"
#include "store/journal.h"
#include "store/jsonl.h"
#include "store/manifest.h"
#include "store/reader.h"
#include "store/record.h"
#include "store/shards.h"

typedef struct slot {
	int ready;
	buf text[DEV_COUNT]; /* module texts awaiting validation */
	int is_reject;
	gen_category category;
	run_stage stage; /* of a reject */
	uint64_t fp_exact, fp_structural; /* dedup fingerprints of a record */
	metrics_kernel km; /* what a record adds to the metrics, if kept */
	buf reason;        /* a reject's reason, as rejects.jsonl holds it */
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
	uint64_t answered; /* kernels Warp (or the pool) has answered */
	dedup *dd;       /* NULL with --no-dedup */
	metrics metrics; /* of the stored records and rejects: the manifest's */
	chk_engine *chk; /* NULL with --validate none */
	int rejects_open;
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
	gen_options g = {.seed = o->seed,
			 .categories = o->categories,
			 .max_stmts = o->max_stmts,
			 .max_depth = o->max_depth,
			 .weights = o->has_weights ? (const signed char (*)[GEN_STMT_KINDS])o->weights : NULL};
	gen_kernel_make(&g, index, k);
	if (hook_lists("JITSYNTH_TEST_REJECT", index)) /* a type error Warp must refuse */
		buf_puts(&k->source, "    jitsynth_planted = wp.vec3(1.0, 2.0, 3.0) + 1\n");
}

/* ---- output order ---- */

static slot *slot_of(run *r, uint64_t index) { return &r->win[index % r->nwin]; }

/* Empties a stored slot. Buffers that grew past SLOT_KEEP_BYTES are given
 * back: a slot sees every nwin-th kernel, and record sizes are heavy-tailed,
 * so kept capacity would creep towards nwin times the largest record. */
#define SLOT_KEEP_BYTES (64u << 10)
static void slot_trim(slot *sl)
{
	buf *b[] = {&sl->line, &sl->text[0], &sl->text[1], &sl->reason};
	for (size_t i = 0; i < sizeof b / sizeof *b; i++) {
		if (b[i]->cap > SLOT_KEEP_BYTES)
			buf_free(b[i]);
		else
			buf_reset(b[i]);
	}
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
	if (jsonl_sync(&r->rejects, r->err) < 0)
		return -1;
	return journal_append(r->o->out_dir, &e, r->err);
}

/* Stores one answered kernel, in index order: dedup, then shard or rejects. */
static int store_one(run *r, slot *sl)
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
	metrics_add_kernel(&r->metrics, &sl->km);
	int rc = shards_write(&r->shards, sl->line.data, sl->line.len, r->err);
	return rc == 1 ? journal_shard(r) : rc;
}

static void store_ready(run *r)
{
	for (slot *sl; r->next_write < r->s->dispatched && (sl = slot_of(r, r->next_write))->ready;
	     r->next_write++) {
		if (!r->io_failed && store_one(r, sl) < 0)
			r->io_failed = 1;
		r->s->done++;
		if (r->s->done % RUN_TIMELINE_STEP == 0) {
			r->s->timeline = xrealloc(r->s->timeline, (r->s->ntimeline + 1) * sizeof *r->s->timeline);
			r->s->timeline[r->s->ntimeline++] = (run_point){
				r->s->done, now_seconds() - r->s->started, r->s->pool.worker_rss_kib};
		}
		sl->ready = 0;
		slot_trim(sl);
	}
}

const char *run_stage_name(run_stage st)
{
	static const char *const names[STAGE_COUNT] = {"warp", "worker", "extract", "validate"};
	return names[st];
}

static void put_reject(run *r, uint64_t index, run_stage stage, const char *reason)
{
	slot *sl = slot_of(r, index);
	run_make_kernel(r->o, index, &r->k);
	rec_reject rj = {.seed = r->o->seed,
			 .index = index,
			 .kernel_name = r->k.name,
			 .category = gen_category_name(r->k.category),
			 .stage = run_stage_name(stage),
			 .reason = reason,
			 .python_source = r->k.source.data,
			 .python_len = r->k.source.len};
	buf_reset(&sl->line);
	rec_reject_line(&rj, &sl->line);
	buf_reset(&sl->reason);
	buf_puts(&sl->reason, rec_reject_reason(reason));
	sl->is_reject = 1;
	sl->stage = stage;
	sl->category = r->k.category;
	sl->ready = 1;
}

/* ---- pool callbacks ---- */

static pool_next next_task(void *ctx, uint64_t *index, buf *frame)
{
	run *r = ctx;
	if (r->io_failed || r->s->dispatched >= r->o->n)
		return POOL_DONE;
	if (r->s->dispatched - r->next_write >= r->nwin) {
		if (r->chk && r->answered == r->s->dispatched)
			chk_flush(r->chk); /* nothing else can fill the compilers' partial batch */
		return POOL_WAIT;
	}
	*index = r->s->dispatched++;
	run_make_kernel(r->o, *index, &r->k);
	proto_put_request(frame, *index, r->o->devices, r->k.name, r->k.source.data, r->k.source.len);
	return POOL_TASK;
}

/* Extracts a kernel's functions from Warp's module texts (one per requested
 * device, cpu first) and fills its slot with the record line, or a reject. */
static void emit_record(run *r, uint64_t index, const char *const *text, const size_t *len, const char *validated)
{
	run_make_kernel(r->o, index, &r->k);
	rec_pair p = {.seed = r->o->seed,
		      .index = index,
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
		if (ext_kernel_find(text[t], len[t], r->k.name, d == 0 ? EXT_CPU : EXT_CUDA, &ek, why, sizeof why) < 0) {
			put_reject(r, index, STAGE_EXTRACT, why);
			return;
		}
		if (!hash[0]) {
			snprintf(hash, sizeof hash, "%s", ek.hash);
		} else if (strcmp(hash, ek.hash) != 0) {
			put_reject(r, index, STAGE_EXTRACT, "cpu and cuda kernels carry different hashes");
			return;
		}
		p.ir[d] = (rec_ir){.present = 1,
				   .forward = ek.forward,
				   .backward = ek.backward,
				   .module = {text[t], len[t]},
				   .validated = validated};
		t++;
	}
	slot *sl = slot_of(r, index);
	buf_reset(&sl->line);
	if (rec_pair_line(&p, &sl->line) < 0) {
		put_reject(r, index, STAGE_EXTRACT, "Warp's output is not valid UTF-8");
		return;
	}
	sl->is_reject = 0;
	sl->category = r->k.category;
	sl->ready = 1;
	metrics_measure(&sl->km, p.python_source, p.python_len);
	if (r->dd) {
		const rec_ir *fwd = p.ir[0].present ? &p.ir[0] : &p.ir[1];
		sl->fp_exact = dedup_exact_fp(r->dd, p.python_source, p.python_len);
		sl->fp_structural =
			dedup_structural_fp(r->dd, p.python_source, p.python_len, fwd->forward.start, fwd->forward.len);
	}
}

static void task_done(void *ctx, const proto_reply *rep)
{
	run *r = ctx;
	r->answered++;
	if (rep->kind == PROTO_ERROR) {
		char reason[2048];
		snprintf(reason, sizeof reason, "%.*s", (int)rep->text_len[0], rep->text[0]);
		put_reject(r, rep->index, STAGE_WARP, reason);
	} else if (!r->chk) {
		emit_record(r, rep->index, rep->text, rep->text_len, "none");
	} else {
		/* keep the texts until the compilers have judged them */
		slot *sl = slot_of(r, rep->index);
		chk_item it = {.index = rep->index};
		for (int d = 0, t = 0; d < DEV_COUNT; d++) {
			if (!(r->o->devices & (1u << d)))
				continue;
			buf_reset(&sl->text[t]);
			buf_append(&sl->text[t], rep->text[t], rep->text_len[t]);
			if (d == 0)
				it.cpu = sl->text[t].data, it.cpu_len = sl->text[t].len;
			else
				it.cuda = sl->text[t].data, it.cuda_len = sl->text[t].len;
			t++;
		}
		chk_submit(r->chk, &it);
	}
	store_ready(r);
}

/* A device passed if its compiler accepted it, or was not asked (-1 with
 * no diagnostic); -1 with a diagnostic means the compiler could not run. */
static int dev_passed(int ok, const char *diag) { return ok == 1 || (ok == -1 && !diag); }

/* A compiler that could not be run on a module at all (killed, out of
 * memory, a file size limit, a broken toolkit) says nothing about the
 * kernel: rejecting it would lose a good kernel. The run stops instead, as
 * on a write error, and `--resume` redoes it. Returns 1 when that happened. */
static int compiler_broke(run *r, const chk_result *res)
{
	int cpu = res->cpu_ok == -1 && res->cpu_diag;
	const char *why = cpu ? res->cpu_diag : res->cuda_ok == -1 ? res->cuda_diag : NULL;
	if (!why)
		return 0;
	if (!r->io_failed) {
		r->io_failed = 1;
		buf_reset(r->err);
		buf_printf(r->err, "the %s compiler could not be run on kernel %llu: %.*s", cpu ? "C++" : "CUDA",
			   (unsigned long long)res->index, (int)strcspn(why, "\n"), why);
	}
	return 1;
}

/* A validation verdict: the record, or a reject with the compiler's words. */
static void validated(run *r, chk_result *res)
{
	slot *sl = slot_of(r, res->index);
	if (compiler_broke(r, res))
		return;
	if (dev_passed(res->cpu_ok, res->cpu_diag) && dev_passed(res->cuda_ok, res->cuda_diag)) {
		const char *text[2] = {sl->text[0].data, sl->text[1].data};
		size_t len[2] = {sl->text[0].len, sl->text[1].len};
		emit_record(r, res->index, text, len, chk_tier_name(r->o->validate));
		return;
	}
	buf reason = BUF_INIT;
	if (!dev_passed(res->cpu_ok, res->cpu_diag))
		buf_printf(&reason, "cpu (%s): %s", res->cpu_ok == 0 ? "rejected" : "compiler failed",
			   res->cpu_diag ? res->cpu_diag : "no diagnostic");
	if (!dev_passed(res->cuda_ok, res->cuda_diag))
		buf_printf(&reason, "%scuda (%s): %s", reason.len ? "\n" : "",
			   res->cuda_ok == 0 ? "rejected" : "compiler failed", res->cuda_diag ? res->cuda_diag : "no diagnostic");
	put_reject(r, res->index, STAGE_VALIDATE, reason.data);
	buf_free(&reason);
}

static void on_validation(void *ctx)
{
	run *r = ctx;
	chk_result res;
	while (chk_poll(r->chk, &res)) {
		validated(r, &res);
		chk_result_free(&res);
	}
	store_ready(r);
}

static void task_failed(void *ctx, uint64_t index, const char *reason)
{
	run *r = ctx;
	r->answered++;
	put_reject(r, index, STAGE_WORKER, reason);
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
	       strcmp(name, "journal.jsonl") == 0 || strcmp(name, "README.md") == 0 ||
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

/* ---- resume ---- */

static int file_size_is(const char *dir, const char *name, size_t size)
{
	buf path = BUF_INIT;
	buf_printf(&path, "%s/%s", dir, name);
	struct stat st;
	int ok = stat(path.data, &st) == 0 && (size_t)st.st_size == size;
	buf_free(&path);
	return ok;
}

/* Removes what an interrupted run left beyond its journal: shards it did not
 * record as complete, temporaries, the stale manifest and card. */
static void remove_unjournaled(const run_options *o, const journal *j)
{
	DIR *d = opendir(o->out_dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		int keep = !is_dataset_file(e->d_name) || !strcmp(e->d_name, "journal.jsonl") ||
			   !strcmp(e->d_name, ".rejects.jsonl.tmp") || !strcmp(e->d_name, "rejects.jsonl");
		for (size_t i = 0; i < j->n && !keep; i++)
			keep = !strcmp(e->d_name, j->entries[i].shard.name);
		if (!keep) {
			buf path = BUF_INIT;
			buf_printf(&path, "%s/%s", o->out_dir, e->d_name);
			unlink(path.data);
			buf_free(&path);
		}
	}
	if (d)
		closedir(d);
}

/* Feeds the kept shards' records to dedup and the metrics, as if they had
 * just been stored. */
static int resume_records(run *r)
{
	for (size_t i = 0; i < r->shards.ndone; i++) {
		buf path = BUF_INIT, msg = BUF_INIT;
		buf_printf(&path, "%s/%s", r->o->out_dir, r->shards.done[i].name);
		reader *rd = reader_open_file(path.data, r->err);
		buf_free(&path);
		if (!rd)
			return -1;
		reader_record rec;
		int st;
		while ((st = reader_next(rd, &rec, &msg)) != READER_END) {
			if (st != READER_OK)
				continue;
			size_t plen = 0, flen = 0;
			const char *py = reader_str(rec.json, "python_source", &plen);
			metrics_add_source(&r->metrics, py ? py : "", plen);
			if (!r->dd)
				continue;
			const char *fwd = reader_forward(rec.json, "cpu", &flen);
			if (!fwd)
				fwd = reader_forward(rec.json, "cuda", &flen);
			dedup_check_fp(r->dd, dedup_exact_fp(r->dd, py ? py : "", plen),
				       dedup_structural_fp(r->dd, py ? py : "", plen, fwd, flen));
		}
		buf_free(&msg);
		reader_close(rd);
	}
	return 0;
}

/* Feeds the kept rejects (the prefix jsonl_reopen copied into the new
 * temporary) to the metrics, in their order. */
static int resume_rejects(run *r)
{
	if (fflush(r->rejects.f) != 0) {
		buf_printf(r->err, "cannot write '%s': %s", r->rejects.tmp_path, strerror(errno));
		return -1;
	}
	reader *rd = reader_open_file(r->rejects.tmp_path, r->err);
	if (!rd)
		return -1;
	reader_record rec;
	buf msg = BUF_INIT;
	int st;
	while ((st = reader_next(rd, &rec, &msg)) != READER_END)
		if (st == READER_OK)
			metrics_add_reject(&r->metrics, reader_str(rec.json, "stage", NULL),
					   reader_str(rec.json, "reason", NULL));
	buf_free(&msg);
	reader_close(rd);
	return 0;
}

/* Puts r where the journal of the interrupted run says it stopped. */
static int resume_state(run *r)
{
	const run_options *o = r->o;
	journal j;
	if (journal_load(o->out_dir, &j, r->err) < 0)
		return -1;
	int rc = -1;
	for (size_t i = 0; i < j.n; i++) {
		if (!file_size_is(o->out_dir, j.entries[i].shard.name, j.entries[i].shard.bytes)) {
			buf_printf(r->err, "cannot resume: shard '%s/%s' named in the journal is missing or changed",
				   o->out_dir, j.entries[i].shard.name);
			goto out;
		}
		shards_adopt(&r->shards, &j.entries[i].shard);
	}
	remove_unjournaled(o, &j);

	/* rejects: keep the prefix the journal vouches for */
	buf from = BUF_INIT, to = BUF_INIT;
	buf_printf(&from, "%s/.rejects.jsonl.tmp", o->out_dir);
	buf_printf(&to, "%s/.rejects.jsonl.resume", o->out_dir);
	if (access(from.data, F_OK) != 0) {
		buf_reset(&from);
		buf_printf(&from, "%s/rejects.jsonl", o->out_dir);
	}
	rename(from.data, to.data);
	buf_free(&from);
	buf_free(&to);
	const journal_entry *last = j.n ? &j.entries[j.n - 1] : NULL;
	if (jsonl_reopen(&r->rejects, o->out_dir, "rejects.jsonl", last ? last->rejects_bytes : 0, r->err) < 0)
		goto out;
	r->rejects_open = 1;
	if (last) {
		run_state *s = r->s;
		s->records = last->records;
		s->rejects = last->rejects;
		s->dropped_exact = last->dropped_exact;
		s->dropped_structural = last->dropped_structural;
		memcpy(s->cat_records, last->cat_records, sizeof s->cat_records);
		memcpy(s->cat_rejects, last->cat_rejects, sizeof s->cat_rejects);
		memcpy(s->stage_rejects, last->stage_rejects, sizeof s->stage_rejects);
		s->done = s->dispatched = s->resumed_from = r->next_write = r->answered = last->next_index;
	}
	rc = resume_records(r) < 0 || resume_rejects(r) < 0 ? -1 : 0;
out:
	journal_release(&j);
	return rc;
}

static int start_fresh(run *r)
{
	const run_options *o = r->o;
	if (prepare_dir(o, r->err) < 0)
		return -1;
	json_t *opt = run_options_json(o);
	int rc = journal_start(o->out_dir, opt, r->err);
	json_decref(opt);
	if (rc < 0 || jsonl_open(&r->rejects, o->out_dir, "rejects.jsonl", r->err) < 0)
		return -1;
	r->rejects_open = 1;
	return 0;
}

/* Starts the compilers before any work, so a missing NVRTC or g++ fails
 * fast. The headers are those of the warp-lang the workers import. */
static int start_validation(run *r)
{
	const run_options *o = r->o;
	buf native = BUF_INIT;
	int rc = -1;
	if (chk_native_dir(o->python, &native, r->err) < 0)
		goto out;
	chk_options co = {.tier = o->validate,
			  .devices = (o->devices & DEV_CPU ? CHK_DEV_CPU : 0) | (o->devices & DEV_CUDA ? CHK_DEV_CUDA : 0),
			  .arch = o->arch,
			  .cxx = o->cxx,
			  .native_dir = native.data,
			  .threads = o->jobs};
	r->chk = chk_create(&co, r->err);
	rc = r->chk ? 0 : -1;
	if (chk_note(r->chk))
		snprintf(r->s->note, sizeof r->s->note, "%s", chk_note(r->chk));
out:
	buf_free(&native);
	return rc;
}

static int already_complete(const run_options *o)
{
	buf path = BUF_INIT;
	buf_printf(&path, "%s/manifest.json", o->out_dir);
	json_t *m = json_load_file(path.data, 0, NULL);
	int done = json_is_true(json_object_get(m, "complete"));
	json_decref(m);
	buf_free(&path);
	return done;
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
	if (o->resume && already_complete(o)) {
		buf_printf(err, "the run in '%s' is already complete; nothing to resume", o->out_dir);
		return -1;
	}

	run r = {.o = o, .s = s, .err = err, .progress = progress, .pctx = pctx};
	r.nwin = (uint64_t)(o->jobs * o->batch * 4 + 64);
	r.win = xcalloc(r.nwin, sizeof *r.win);
	r.dd = o->dedup ? dedup_new() : NULL;
	metrics_init(&r.metrics);
	shards_init(&r.shards, o->out_dir, o->shard_size, o->format, o->zstd_level);
	int rc = -1;
	if ((o->resume ? resume_state(&r) : start_fresh(&r)) < 0)
		goto out;
	if (o->validate != CHK_NONE && start_validation(&r) < 0)
		goto out;
	if (progress)
		progress(o, s, pctx);

	pool_options po;
	pool_options_init(&po);
	po.python = o->python;
	po.worker_script = o->worker_script;
	po.jobs = o->jobs;
	po.devices = o->devices;
	po.batch = o->batch;
	po.timeout = o->timeout;
	po.stop = o->stop;
	po.extra_fd = r.chk ? chk_fd(r.chk) : -1;
	pool_callbacks cb = {.next_task = next_task,
			     .task_done = task_done,
			     .task_failed = task_failed,
			     .on_extra = on_validation,
			     .tick = tick};

	int prc = s->done < o->n ? pool_run(&po, &cb, &r, &s->pool, err) : 0;
	if (r.chk) { /* the last kernels are still with the compilers */
		chk_result res;
		while (chk_wait(r.chk, &res)) {
			validated(&r, &res);
			chk_result_free(&res);
		}
		store_ready(&r);
		chk_stats_get(r.chk, &s->chk);
	}
	s->elapsed = now_seconds() - s->started;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	s->peak_rss_kib = ru.ru_maxrss;
	s->complete = prc == 0 && !r.io_failed && s->done == o->n;
	if (prc == 0 && !r.io_failed && !s->complete)
		buf_printf(err, "interrupted after %llu of %llu kernels", (unsigned long long)s->done,
			   (unsigned long long)o->n);

	/* Keep what is finished even when the run failed: no work is lost. A
	 * write error leaves the temporaries for --resume to sort out. */
	buf err2 = BUF_INIT;
	if (!r.io_failed && (shards_finish(&r.shards, &err2) < 0 || jsonl_commit(&r.rejects, &err2) < 0 ||
			     manifest_write(o, s, &r.metrics, &r.shards, &r.rejects, &err2) < 0 ||
			     card_write(o->out_dir, &err2) < 0)) {
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
	if (r.rejects_open && r.io_failed)
		fclose(r.rejects.f), r.rejects.f = NULL; /* keep the temporary for --resume */
	jsonl_release(&r.rejects);
	dedup_free(r.dd);
	metrics_release(&r.metrics);
	if (r.chk)
		chk_free(r.chk);
	for (uint64_t i = 0; i < r.nwin; i++) {
		buf_free(&r.win[i].line);
		buf_free(&r.win[i].text[0]);
		buf_free(&r.win[i].text[1]);
		buf_free(&r.win[i].reason);
		metrics_kernel_release(&r.win[i].km);
	}
	free(r.win);
	gen_kernel_free(&r.k);
	free(s->timeline);
	s->timeline = NULL;
	return rc;
}

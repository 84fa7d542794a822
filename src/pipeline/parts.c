/* parts: the merge of a `generate --part K/N` run's parts (see parts.h).
 *
 * A part stores every kernel of its index range, duplicates included: the
 * single-machine run drops a kernel when an earlier *kept* one matches it,
 * which a part cannot know about the parts before it (nor can it say later
 * which kind of duplicate a record it dropped would have been). So dedup
 * happens here, once, over all the records in index order, with the
 * fingerprints `generate` uses; shards rotate every shard_size kept
 * records, and the counts, metrics and manifest come from the same code as
 * the run's (manifest.c), so the output is that run's dataset. */
#include "pipeline/parts.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "pipeline/manifest.h"
#include "pipeline/parts_scan.h"
#include "pipeline/run.h"
#include "pipeline/verify.h"
#include "report/metrics.h"
#include "store/card.h"
#include "store/dedup.h"
#include "store/journal.h"
#include "store/layout.h"
#include "store/reader.h"
#include "store/shards.h"

typedef struct part {
	const char *dir;
	json_t *man; /* owned */
	uint64_t k, first, end;
} part;

struct parts_plan {
	part *p; /* sorted by k */
	size_t n;
	run_options ro; /* the run's options, from the first part's manifest */
};

static json_t *load_manifest(const char *dir)
{
	buf path = BUF_INIT;
	buf_printf(&path, "%s/" LAYOUT_MANIFEST, dir);
	json_t *m = json_load_regular(path.data, NULL);
	buf_free(&path);
	if (m && !json_is_object(m)) {
		json_decref(m);
		m = NULL;
	}
	return m;
}

/* options.part of a manifest, else of the journal's header (a killed run) */
static int journal_is_part(const char *dir)
{
	char jver[32];
	json_t *opt = journal_header(dir, jver, sizeof jver);
	int is = json_is_object(json_object_get(opt, "part"));
	json_decref(opt);
	return is;
}

int parts_is_part(const char *dir)
{
	json_t *m = load_manifest(dir);
	int is = m ? json_is_object(json_object_get(json_object_get(m, "options"), "part")) : journal_is_part(dir);
	json_decref(m);
	return is;
}

static uint64_t get_u64_or(const json_t *o, const char *key, uint64_t dflt)
{
	const json_t *v = json_object_get(o, key);
	return json_is_integer(v) && json_integer_value(v) >= 0 ? (uint64_t)json_integer_value(v) : dflt;
}

/* Reads one part's manifest: complete, its options readable, its count
 * that of its range. */
static int load_part(const char *dir, const char *dir0, part *p, buf *err)
{
	p->dir = dir;
	p->man = load_manifest(dir);
	const json_t *opt = json_object_get(p->man, "options");
	if (!p->man && journal_is_part(dir)) {
		buf_printf(err,
			   "'%s' is an unfinished part (no manifest.json: its run was stopped or killed); finish it with `jitsynth generate --resume -o %s`, then merge again",
			   dir, dir);
		return -1;
	}
	if (!p->man) {
		buf_printf(err,
			   "'%s' holds no finished part (no manifest.json, no journal): the task that makes it failed or never ran; see its log, make it again (`jitsynth generate --part K/N ...`), then merge again",
			   dir);
		return -1;
	}
	if (!json_is_object(json_object_get(opt, "part"))) {
		buf_printf(err,
			   "'%s' is not a part of a `generate --part` run, but '%s' is: merge all the parts of the run on their own, then merge the result with '%s'",
			   dir, dir0, dir);
		return -1;
	}
	run_options t = {0};
	if (run_options_from_json(opt, &t) < 0) {
		buf_printf(err, "'%s' has unreadable options in its manifest.json (damaged); make the part again", dir);
		return -1;
	}
	run_range(&t, &p->first, &p->end);
	p->k = t.part_k;
	uint64_t kernels = get_u64_or(json_object_get(p->man, "counts"), "kernels", UINT64_MAX);
	if (!json_is_true(json_object_get(p->man, "complete"))) {
		buf_printf(err,
			   "'%s' is an incomplete part (part %llu/%llu: %llu of its %llu kernels stored); finish it with `jitsynth generate --resume -o %s`, then merge again",
			   dir, (unsigned long long)t.part_k, (unsigned long long)t.part_n,
			   (unsigned long long)(kernels == UINT64_MAX ? 0 : kernels),
			   (unsigned long long)(p->end - p->first), dir);
		return -1;
	}
	if (kernels != p->end - p->first) {
		buf_printf(err,
			   "'%s' (part %llu/%llu) says it holds %llu kernels, but its range %llu..%llu has %llu (damaged); make the part again",
			   dir, (unsigned long long)t.part_k, (unsigned long long)t.part_n, (unsigned long long)kernels,
			   (unsigned long long)p->first, (unsigned long long)p->end, (unsigned long long)(p->end - p->first));
		return -1;
	}
	return 0;
}

/* v as short compact JSON, for a message */
static void short_json(const json_t *v, char *out, size_t cap)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER) : NULL;
	snprintf(out, cap, "%s", s ? s : "absent");
	if (s && strlen(s) >= cap && cap > 4)
		memcpy(out + cap - 4, "...", 4);
	free(s);
}

/* The first key of a or b (but `skip`) whose values differ, or NULL. */
static const char *first_difference(const json_t *a, const json_t *b, const char *skip)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)a, k, v) if ((!skip || strcmp(k, skip)) && !json_equal(v, json_object_get(b, k))) return k;
	json_object_foreach((json_t *)b, k, v) if ((!skip || strcmp(k, skip)) && !json_object_get(a, k)) return k;
	return NULL;
}

/* p is of the same run as p0: options but the part, versions, toolchain. */
static int same_run(const part *p0, const part *p, buf *err)
{
	const json_t *o0 = json_object_get(p0->man, "options"), *o = json_object_get(p->man, "options");
	const json_t *of0 = json_object_get(json_object_get(o0, "part"), "of"),
		     *of = json_object_get(json_object_get(o, "part"), "of");
	struct {
		const char *what;
		const json_t *a, *b;
	} facts[] = {
		{"the number of parts", of0, of},
		{"jitsynth_version", json_object_get(p0->man, "jitsynth_version"), json_object_get(p->man, "jitsynth_version")},
		{"warp_version", json_object_get(p0->man, "warp_version"), json_object_get(p->man, "warp_version")},
		{"validation.toolchain", json_object_get(json_object_get(p0->man, "validation"), "toolchain"),
		 json_object_get(json_object_get(p->man, "validation"), "toolchain")},
	};
	char va[64], vb[64];
	for (size_t i = 0; i < sizeof facts / sizeof *facts; i++)
		if (!json_equal(facts[i].a, facts[i].b) && (facts[i].a || facts[i].b)) {
			short_json(facts[i].b, vb, sizeof vb);
			short_json(facts[i].a, va, sizeof va);
			buf_printf(err, "'%s' is not from the same run as '%s': %s differs (%s, not %s); merge only the parts of one run",
				   p->dir, p0->dir, facts[i].what, vb, va);
			return -1;
		}
	const char *key = first_difference(o0, o, "part");
	if (key) {
		short_json(json_object_get(o, key), vb, sizeof vb);
		short_json(json_object_get(o0, key), va, sizeof va);
		buf_printf(err, "'%s' is not from the same run as '%s': its option %s differs (%s, not %s); merge only the parts of one run",
			   p->dir, p0->dir, key, vb, va);
		return -1;
	}
	return 0;
}

static int by_k(const void *a, const void *b)
{
	const part *x = a, *y = b;
	return x->k < y->k ? -1 : x->k > y->k;
}

/* Every part 0..N-1 once. */
static int complete_set(const parts_plan *pl, buf *err)
{
	uint64_t of = pl->ro.part_n;
	for (size_t i = 1; i < pl->n; i++)
		if (pl->p[i].k == pl->p[i - 1].k) {
			buf_printf(err, "'%s' and '%s' are both part %llu/%llu; give each part once", pl->p[i - 1].dir,
				   pl->p[i].dir, (unsigned long long)pl->p[i].k, (unsigned long long)of);
			return -1;
		}
	if (pl->n == of)
		return 0;
	uint64_t missing = 0, nmissing = of - pl->n;
	for (size_t i = 0; i < pl->n && pl->p[i].k == missing; i++)
		missing++;
	buf_printf(err, "part %llu/%llu is missing%s (%llu of the run's %llu parts given); merge needs every part 0..%llu",
		   (unsigned long long)missing, (unsigned long long)of, nmissing > 1 ? ", and more" : "",
		   (unsigned long long)pl->n, (unsigned long long)of, (unsigned long long)(of - 1));
	return -1;
}

typedef struct first_line {
	buf line;
	size_t n;
} first_line;

static void keep_first(const char *line, void *ctx)
{
	first_line *f = ctx;
	if (f->n++ == 0)
		buf_puts(&f->line, line);
}

/* The part's files hold what its manifest says (verify.c). */
static int intact(const part *p, uint64_t of, buf *err)
{
	first_line f = {BUF_INIT, 0};
	verify_result vr;
	buf why = BUF_INIT;
	int rc = verify_dataset(p->dir, keep_first, &f, &vr, &why);
	if (rc < 0)
		buf_printf(err, "cannot merge '%s': %s", p->dir, why.data);
	else if (vr.mismatches)
		buf_printf(err, "part %llu/%llu in '%s' is damaged: %s%s; make the part again (`jitsynth verify %s` lists every problem)",
			   (unsigned long long)p->k, (unsigned long long)of, p->dir, f.line.data,
			   f.n > 1 ? ", and more" : "", p->dir);
	buf_free(&why);
	buf_free(&f.line);
	return rc < 0 || vr.mismatches ? -1 : 0;
}

/* A flag given to merge must be the run's: merging parts makes that run's
 * dataset. */
static int flags_agree(const run_options *ro, const merge_options *o, const char *dir0, buf *err)
{
	int lvl = o->zstd_level ? o->zstd_level : JSONL_ZSTD_DEFAULT_LEVEL,
	    rlvl = ro->zstd_level ? ro->zstd_level : JSONL_ZSTD_DEFAULT_LEVEL;
	const char *flag = (o->given & MERGE_GIVEN_FORMAT) && o->format != ro->format ? "--format"
			   : (o->given & MERGE_GIVEN_LEVEL) && lvl != rlvl	  ? "--zstd-level"
			   : (o->given & MERGE_GIVEN_SHARD_SIZE) && o->shard_size != ro->shard_size ? "--shard-size"
			   : (o->given & MERGE_GIVEN_DEDUP) && o->dedup != ro->dedup ? "--no-dedup"
										      : NULL;
	if (!flag)
		return 0;
	buf_printf(err,
		   "%s differs from the run whose parts these are ('%s': --format %s, --shard-size %zu%s): merging parts writes that run's dataset; drop %s (re-merge the result to change it)",
		   flag, dir0, jsonl_format_name(ro->format), ro->shard_size, ro->dedup ? "" : ", --no-dedup", flag);
	return -1;
}

parts_plan *parts_check(const char *const *dirs, size_t ndirs, const merge_options *o, buf *err)
{
	parts_plan *pl = xcalloc(1, sizeof *pl);
	pl->p = xcalloc(ndirs, sizeof *pl->p);
	const char *ref = NULL; /* a part, for the messages about one that is not */
	for (size_t i = 0; i < ndirs && !ref; i++)
		if (parts_is_part(dirs[i]))
			ref = dirs[i];
	ref = ref ? ref : dirs[0];
	for (size_t i = 0; i < ndirs; i++) {
		pl->n++;
		if (load_part(dirs[i], ref, &pl->p[i], err) < 0 || (i && same_run(&pl->p[0], &pl->p[i], err) < 0))
			goto fail;
	}
	if (run_options_from_json(json_object_get(pl->p[0].man, "options"), &pl->ro) < 0)
		goto fail; /* load_part read them */
	if (flags_agree(&pl->ro, o, dirs[0], err) < 0)
		goto fail;
	qsort(pl->p, pl->n, sizeof *pl->p, by_k);
	if (complete_set(pl, err) < 0)
		goto fail;
	for (size_t i = 0; i < pl->n; i++)
		if (intact(&pl->p[i], pl->ro.part_n, err) < 0)
			goto fail;
	return pl;
fail:
	parts_free(pl);
	return NULL;
}

void parts_free(parts_plan *pl)
{
	if (!pl)
		return;
	for (size_t i = 0; i < pl->n; i++)
		json_decref(pl->p[i].man);
	free(pl->p);
	free(pl);
}

/* ---- writing ---- */

typedef struct writer {
	const run_options *ro;
	run_state s;
	shard_set shards;
	jsonl_file rejects;
	dedup *dd;
	metrics mx;
	merge_result *res;
} writer;

/* An index of a record or reject, in order within the part's range. */
static int check_index(const part *p, const reader_record *rec, int64_t i, uint64_t *prev, buf *err)
{
	if (i < 0 || (uint64_t)i < p->first || (uint64_t)i >= p->end || (*prev != UINT64_MAX && (uint64_t)i <= *prev)) {
		buf_printf(err, "%s/%s:%zu: kernel index %lld is out of order or outside part %llu's range %llu..%llu (damaged); make the part again",
			   p->dir, rec->file, rec->lineno, (long long)i, (unsigned long long)p->k,
			   (unsigned long long)p->first, (unsigned long long)p->end);
		return -1;
	}
	*prev = (uint64_t)i;
	return 0;
}

static int bad_line(const part *p, const char *msg, buf *err)
{
	buf_printf(err, "part %llu in '%s': %s (damaged); make the part again", (unsigned long long)p->k, p->dir, msg);
	return -1;
}

/* The shard files of every part, in index order, and which part each is of. */
typedef struct shard_list {
	char **path;
	size_t *part;
	size_t n;
} shard_list;

static int list_shards(const parts_plan *pl, shard_list *sl, buf *err)
{
	memset(sl, 0, sizeof *sl);
	for (size_t i = 0; i < pl->n; i++) {
		reader *r = reader_open(pl->p[i].dir, err);
		if (!r)
			return -1;
		size_t k = reader_nfiles(r);
		sl->path = xrealloc(sl->path, (sl->n + k + 1) * sizeof *sl->path);
		sl->part = xrealloc(sl->part, (sl->n + k + 1) * sizeof *sl->part);
		for (size_t j = 0; j < k; j++, sl->n++) {
			buf b = BUF_INIT;
			buf_printf(&b, "%s/%s", pl->p[i].dir, reader_file(r, j));
			sl->path[sl->n] = b.data;
			sl->part[sl->n] = i;
		}
		reader_close(r);
	}
	return 0;
}

static void free_shards(shard_list *sl)
{
	for (size_t i = 0; i < sl->n; i++)
		free(sl->path[i]);
	free(sl->path);
	free(sl->part);
}

/* Copies shard file i's lines raw, in order, deciding each by the metas
 * the scan read from the same lines. */
static int merge_shard(writer *w, const part *p, const char *path, const parts_meta *meta, size_t count,
		       uint64_t *prev, buf *err)
{
	reader *r = reader_open_file(path, err);
	if (!r)
		return -1;
	reader_set_raw(r);
	reader_record rec;
	buf msg = BUF_INIT;
	size_t j = 0;
	int st, rc = 0;
	while (rc == 0 && (st = reader_next(r, &rec, &msg)) != READER_END) {
		if (st != READER_OK || j == count || !rec.len || rec.line[rec.len - 1] != '\n') {
			rc = bad_line(p, st != READER_OK ? msg.data : "a shard changed while it was merged, or has a line without its newline", err);
			break;
		}
		const parts_meta *m = &meta[j++];
		if ((rc = check_index(p, &rec, m->index, prev, err)) < 0)
			break;
		w->res->read++;
		if (w->dd) {
			dedup_verdict v = dedup_check_fp(w->dd, m->fp_exact, m->fp_structural);
			if (v != DEDUP_NEW) {
				*(v == DEDUP_EXACT ? &w->s.dropped_exact : &w->s.dropped_structural) += 1;
				continue;
			}
		}
		w->s.records++;
		w->s.cat_records[m->category]++;
		metrics_add_kernel(&w->mx, &m->km);
		rc = shards_write(&w->shards, rec.line, rec.len, err) < 0 ? -1 : 0;
	}
	if (rc == 0 && j != count)
		rc = bad_line(p, "a shard changed while it was merged", err);
	buf_free(&msg);
	reader_close(r);
	return rc;
}

/* Every part's records, in index order: parsed by helper threads
 * (parts_scan.h), stored here. */
static int merge_records(writer *w, const parts_plan *pl, buf *err)
{
	shard_list sl;
	if (list_shards(pl, &sl, err) < 0) {
		free_shards(&sl);
		return -1;
	}
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int helpers = cores > 8 ? 8 : cores > 1 ? (int)cores - 1 : 1;
	parts_scan *sc = parts_scan_start(sl.path, sl.n, helpers);
	uint64_t prev = UINT64_MAX;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sl.n; i++) {
		if (i && sl.part[i] != sl.part[i - 1])
			prev = UINT64_MAX; /* a new part: its own range */
		const part *p = &pl->p[sl.part[i]];
		size_t count = 0;
		const parts_meta *meta = parts_scan_wait(sc, i, &count, err);
		if (!meta) {
			buf e = BUF_INIT;
			buf_puts(&e, buf_cstr(err));
			buf_reset(err);
			rc = bad_line(p, e.data, err);
			buf_free(&e);
			break;
		}
		rc = merge_shard(w, p, sl.path[i], meta, count, &prev, err);
		parts_scan_done(sc, i);
	}
	parts_scan_stop(sc);
	free_shards(&sl);
	return rc;
}

static int stage_of(const char *name)
{
	for (int st = 0; name && st < STAGE_COUNT; st++)
		if (!strcmp(run_stage_name((run_stage)st), name))
			return st;
	return -1;
}

static int part_rejects(writer *w, const part *p, buf *err)
{
	buf path = BUF_INIT, msg = BUF_INIT;
	buf_printf(&path, "%s/" LAYOUT_REJECTS, p->dir);
	reader *r = reader_open_file(path.data, err);
	buf_free(&path);
	if (!r)
		return -1;
	reader_record rec;
	uint64_t prev = UINT64_MAX;
	int st, rc = 0;
	while (rc == 0 && (st = reader_next(r, &rec, &msg)) != READER_END) {
		if (st != READER_OK || !rec.len || rec.line[rec.len - 1] != '\n') {
			rc = bad_line(p, st != READER_OK ? msg.data : "rejects.jsonl's last line has no newline", err);
			break;
		}
		const char *stage = reader_str(rec.json, "stage", NULL), *cat = reader_str(rec.json, "category", NULL);
		int sti = stage_of(stage), c = gen_category_from_name(cat ? cat : "");
		if (sti < 0 || c < 0) {
			buf_printf(err, "%s/" LAYOUT_REJECTS ":%zu: unknown stage or category (damaged); make the part again",
				   p->dir, rec.lineno);
			rc = -1;
			break;
		}
		const json_t *ix = json_object_get(rec.json, "index");
		if ((rc = check_index(p, &rec, json_is_integer(ix) ? (int64_t)json_integer_value(ix) : -1, &prev, err)) < 0)
			break;
		w->s.rejects++;
		w->s.cat_rejects[c]++;
		w->s.stage_rejects[sti]++;
		metrics_add_reject(&w->mx, stage, reader_str(rec.json, "reason", NULL));
		rc = jsonl_write(&w->rejects, rec.line, rec.len, err);
	}
	buf_free(&msg);
	reader_close(r);
	return rc;
}

/* timing.parts: where each part was made and how fast */
static json_t *parts_timing(const parts_plan *pl)
{
	json_t *a = json_array();
	for (size_t i = 0; i < pl->n; i++) {
		const json_t *t = json_object_get(pl->p[i].man, "timing");
		json_t *e = json_pack("{s:s, s:I, s:I, s:I}", "dir", pl->p[i].dir, "k", (json_int_t)pl->p[i].k, "first",
				      (json_int_t)pl->p[i].first, "end", (json_int_t)pl->p[i].end);
		const char *keys[] = {"seconds", "kernels_per_second", "jobs", "finished"};
		for (size_t j = 0; j < sizeof keys / sizeof *keys; j++)
			if (json_object_get(t, keys[j]))
				json_object_set(e, keys[j], json_object_get(t, keys[j]));
		json_array_append_new(a, e);
	}
	return a;
}

int parts_write(parts_plan *pl, const merge_options *o, merge_result *res, buf *err)
{
	memset(res, 0, sizeof *res);
	res->parts = pl->n;
	run_options ro = pl->ro;
	ro.out_dir = o->out;
	ro.part_k = ro.part_n = 0; /* the whole run's dataset */
	const json_t *tc = json_object_get(json_object_get(pl->p[0].man, "validation"), "toolchain");
	ro.chk.cxx = json_string_value(json_object_get(tc, "cxx"));
	ro.run_cxx = json_string_value(json_object_get(tc, "run_cxx"));
	writer w = {.ro = &ro, .res = res, .dd = ro.dedup ? dedup_new() : NULL};
	w.s.started = now_seconds();
	snprintf(w.s.pool.warp_version, sizeof w.s.pool.warp_version, "%s",
		 json_string_value(json_object_get(pl->p[0].man, "warp_version")) ?
			 json_string_value(json_object_get(pl->p[0].man, "warp_version")) : "unknown");
	metrics_init(&w.mx);
	shards_init(&w.shards, o->out, ro.shard_size, ro.format, ro.zstd_level);
	int rc = jsonl_open(&w.rejects, o->out, LAYOUT_REJECTS, err);
	int rejects_open = rc == 0;
	if (rc == 0)
		rc = merge_records(&w, pl, err);
	for (size_t i = 0; rc == 0 && i < pl->n; i++) {
		rc = part_rejects(&w, &pl->p[i], err);
		w.s.done += pl->p[i].end - pl->p[i].first;
	}
	if (rc == 0) {
		w.s.complete = 1;
		w.s.elapsed = now_seconds() - w.s.started;
		json_t *t = parts_timing(pl);
		rc = shards_finish(&w.shards, err) < 0 || jsonl_commit(&w.rejects, err) < 0 ||
				     manifest_write_timing(&ro, &w.s, &w.mx, &w.shards, &w.rejects, t, err) < 0 ||
				     card_write(o->out, err) < 0
			     ? -1
			     : 0;
		json_decref(t);
		rejects_open = 0;
	}
	res->written = w.s.records;
	res->rejects = w.s.rejects;
	res->exact = w.s.dropped_exact;
	res->structural = w.s.dropped_structural;
	res->nshards = w.shards.ndone;
	if (rejects_open)
		jsonl_discard(&w.rejects);
	jsonl_release(&w.rejects);
	shards_release(&w.shards);
	dedup_free(w.dd);
	metrics_release(&w.mx);
	return rc;
}

/* merge: joins datasets of any layout into new shards with dedup across
 * all of them, a manifest (with "merged_from") and a card (`jitsynth
 * merge`). Reads through reader.h; prints nothing. */
#include "pipeline/merge.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/dev.h"
#include "common/util.h"
#include "pipeline/ingest.h"
#include "pipeline/outdir.h"
#include "pipeline/parts.h"
#include "store/card.h"
#include "store/dedup.h"
#include "store/layout.h"
#include "store/reader.h"
#include "store/record.h"

typedef struct merge_state {
	const merge_options *o;
	jsonl_file cur;
	int open;
	json_t *shards, *percat, *from, *perorigin, *perlicense;
	uint64_t perdev[2];
	char *warp_version;
	int mixed_warp;
	dedup *dd;
	merge_result *res;
	buf line;
} merge_state;

static int merge_rotate(merge_state *m, buf *err)
{
	if (!m->open)
		return 0;
	m->open = 0;
	int rc = jsonl_commit(&m->cur, err);
	if (rc == 0) {
		const char *slash = strrchr(m->cur.path, '/');
		json_array_append_new(m->shards, json_pack("{s:s, s:I, s:I, s:s}", "file", slash ? slash + 1 : m->cur.path,
							   "records", (json_int_t)m->cur.lines, "bytes",
							   (json_int_t)m->cur.bytes, "sha256", m->cur.sha256));
		m->res->nshards++;
	}
	jsonl_release(&m->cur);
	return rc;
}

static int merge_write(merge_state *m, const char *line, size_t len, buf *err)
{
	if (!m->open) {
		char name[64];
		layout_shard_name(name, sizeof name, m->res->nshards);
		if (jsonl_open_fmt(&m->cur, m->o->out, name, m->o->format, m->o->zstd_level, err) < 0)
			return -1;
		m->open = 1;
	}
	if (jsonl_write(&m->cur, line, len, err) < 0)
		return -1;
	return m->cur.lines >= m->o->shard_size ? merge_rotate(m, err) : 0;
}

static void merge_count(merge_state *m, const json_t *rec)
{
	const char *cat = reader_str(rec, "category", NULL);
	cat = cat ? cat : "(none)";
	json_t *c = json_object_get(m->percat, cat);
	if (!c)
		json_object_set_new(m->percat, cat, c = json_pack("{s:I}", "records", (json_int_t)0));
	json_t *n = json_object_get(c, "records");
	json_integer_set(n, json_integer_value(n) + 1);
	for (int d = 0; d < 2; d++)
		m->perdev[d] += reader_forward(rec, dev_name((dev_id)d), NULL) != NULL;
	const char *origin = reader_str(rec, "origin", NULL);
	const char *keys[2] = {origin ? origin : "generated", NULL};
	if (origin) { /* ingested: its licence too */
		const char *lic = json_string_value(json_object_get(json_object_get(rec, "source"), "license"));
		keys[1] = lic ? lic : "unknown";
	}
	json_t *into[2] = {m->perorigin, m->perlicense};
	for (int i = 0; i < 2; i++)
		if (keys[i]) {
			json_t *had = json_object_get(into[i], keys[i]);
			json_object_set_new(into[i], keys[i], json_integer(had ? json_integer_value(had) + 1 : 1));
		}
}

/* One record: its line (re-encoded for seed-layout input), dedup, then the
 * shard. 1 (nothing written) if the line is longer than a reader takes. */
static int merge_record(merge_state *m, const reader_record *rec, int raw, buf *err)
{
	size_t plen = 0, flen = 0;
	const char *py = reader_str(rec->json, "python_source", &plen);
	const char *fwd = reader_forward(rec->json, "cpu", &flen);
	if (!fwd)
		fwd = reader_forward(rec->json, "cuda", &flen);
	m->res->read++;
	/* the reader's line as it is when it can be: no copy of a long line */
	const char *line = rec->line;
	size_t len = rec->len;
	if (!raw || !len || line[len - 1] != '\n') {
		buf_reset(&m->line);
		if (raw) {
			buf_append(&m->line, rec->line, rec->len);
		} else {
			size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER;
			size_t need = json_dumpb(rec->json, NULL, 0, flags);
			buf_grow(&m->line, need + 1);
			m->line.len = need ? json_dumpb(rec->json, m->line.data, need, flags) : 0;
			if (!m->line.len)
				buf_puts(&m->line, "{}");
		}
		buf_putc(&m->line, '\n');
		line = m->line.data, len = m->line.len;
	}
	if (len > READER_MAX_BYTES)
		return 1;
	if (m->o->dedup) {
		/* an ingested record: its kernel's own lines, not its whole file */
		buf kt = BUF_INIT;
		if (ingest_dedup_text(rec->json, &kt))
			py = kt.data ? kt.data : "", plen = kt.len;
		dedup_verdict v = dedup_check(m->dd, py, plen, fwd, flen);
		buf_free(&kt);
		if (v != DEDUP_NEW) {
			*(v == DEDUP_EXACT ? &m->res->exact : &m->res->structural) += 1;
			return 0;
		}
	}
	merge_count(m, rec->json);
	m->res->written++;
	return merge_write(m, line, len, err);
}

static void merge_note_source(merge_state *m, const char *dir, const reader *r, uint64_t before)
{
	const json_t *man = reader_manifest(r);
	const char *wv = json_string_value(json_object_get(man, "warp_version"));
	if (wv && !m->warp_version)
		m->warp_version = xstrdup(wv);
	else if (wv && strcmp(wv, m->warp_version))
		m->mixed_warp = 1;
	json_t *src = json_pack("{s:s, s:s, s:I}", "dir", dir, "layout",
				reader_get_layout(r) == READER_SEED ? "seed" : "jitsynth", "records_read",
				(json_int_t)(m->res->read - before));
	if (man && json_object_get(man, "options"))
		json_object_set(src, "options", json_object_get(man, "options"));
	json_array_append_new(m->from, src);
}

static int merge_one(merge_state *m, const char *dir, export_warn_fn warn, void *ctx, buf *err)
{
	reader *r = reader_open(dir, err);
	if (!r)
		return -1;
	uint64_t before = m->res->read;
	int raw = reader_get_layout(r) != READER_SEED, rc = 0, got;
	reader_record rec;
	buf msg = BUF_INIT;
	while (rc == 0 && (got = reader_next(r, &rec, &msg)) != READER_END) {
		if (got == READER_OK && (rc = merge_record(m, &rec, raw, err)) == 1) {
			m->res->too_large++;
			buf_printf(&msg,
				   "%s:%zu: as a record it would be longer than %zu MiB, which a reader "
				   "refuses; not written",
				   rec.file, rec.lineno, READER_MAX_BYTES >> 20);
			if (warn)
				warn(msg.data, ctx);
			rc = 0;
		} else if (got != READER_OK) {
			m->res->malformed++;
			if (warn)
				warn(msg.data, ctx);
		}
		buf_reset(&msg);
	}
	merge_note_source(m, dir, r, before);
	buf_free(&msg);
	reader_close(r);
	return rc;
}

static int merge_manifest(merge_state *m, buf *err)
{
	const merge_options *o = m->o;
	json_t *man = json_object(), *opt = json_object(), *counts = json_object(), *perdev = json_object();
	json_object_set_new(man, "format", json_string("jitsynth-dataset-1"));
	json_object_set_new(man, "complete", json_true());
	json_object_set_new(man, "jitsynth_version", json_string(JITSYNTH_VERSION));
	json_object_set_new(man, "warp_version",
			    json_string(m->mixed_warp ? "mixed" : m->warp_version ? m->warp_version : "unknown"));
	json_t *devs = json_array(), *cats = json_array();
	for (int d = 0; d < 2; d++)
		if (m->perdev[d]) {
			json_array_append_new(devs, json_string(dev_name((dev_id)d)));
			json_object_set_new(perdev, dev_name((dev_id)d), json_integer((json_int_t)m->perdev[d]));
		}
	const char *k;
	json_t *v;
	json_object_foreach(m->percat, k, v) json_array_append_new(cats, json_string(k));
	json_object_set_new(opt, "devices", devs);
	json_object_set_new(opt, "categories", cats);
	json_object_set_new(opt, "shard_size", json_integer((json_int_t)o->shard_size));
	json_object_set_new(opt, "format", json_string(jsonl_format_name(o->format)));
	if (o->format == JSONL_ZST)
		json_object_set_new(opt, "zstd_level", json_integer(o->zstd_level ? o->zstd_level : JSONL_ZSTD_DEFAULT_LEVEL));
	json_object_set_new(opt, "dedup", json_boolean(o->dedup));
	json_object_set_new(man, "options", opt);
	json_object_set(man, "merged_from", m->from);
	json_object_set_new(counts, "kernels", json_integer((json_int_t)m->res->read));
	json_object_set_new(counts, "records", json_integer((json_int_t)m->res->written));
	json_object_set_new(counts, "rejects", json_integer(0));
	json_object_set(counts, "per_category", m->percat);
	json_object_set_new(counts, "per_device", perdev);
	json_object_set(counts, "per_origin", m->perorigin);
	if (json_object_size(m->perlicense))
		json_object_set(counts, "per_license", m->perlicense);
	json_object_set_new(counts, "dedup", json_pack("{s:I, s:I}", "exact", (json_int_t)m->res->exact, "structural",
						       (json_int_t)m->res->structural));
	json_object_set_new(counts, "malformed_skipped", json_integer((json_int_t)m->res->malformed));
	json_object_set_new(man, "counts", counts);
	json_object_set(man, "shards", m->shards);
	char when[32];
	time_t t = time(NULL);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	json_object_set_new(man, "timing", json_pack("{s:s}", "finished", when));
	int rc = json_write_atomic(o->out, LAYOUT_MANIFEST, man, JSON_INDENT(2) | JSON_PRESERVE_ORDER, err);
	json_decref(man);
	return rc;
}

int merge_run(const char *const *dirs, size_t ndirs, const merge_options *o, export_warn_fn warn, void *ctx,
	      merge_result *res, buf *err)
{
	memset(res, 0, sizeof *res);
	char *out_real = realpath(o->out, NULL);
	for (size_t i = 0; out_real && i < ndirs; i++) {
		char *in_real = realpath(dirs[i], NULL);
		int same = in_real && !strcmp(in_real, out_real);
		free(in_real);
		if (same) {
			buf_printf(err, "'%s' is both an input and the output (give another -o)", dirs[i]);
			free(out_real);
			return -1;
		}
	}
	free(out_real);
	/* the parts of one --part run: checked before the output is touched */
	parts_plan *pl = NULL;
	for (size_t i = 0; i < ndirs && !pl; i++)
		if (parts_is_part(dirs[i]) && !(pl = parts_check(dirs, ndirs, o, err)))
			return -1;
	dir_lock lock = DIR_LOCK_INIT;
	int created;
	if (outdir_lock(o->out, &lock, &created, err) < 0) {
		parts_free(pl);
		return -1;
	}
	if (outdir_prepare(o->out, o->force, 0, err) < 0) {
		outdir_unlock(o->out, &lock, created);
		parts_free(pl);
		return -1;
	}
	if (pl) {
		int prc = parts_write(pl, o, res, err);
		parts_free(pl);
		outdir_unlock(o->out, &lock, created);
		return prc;
	}
	merge_state m = {.o = o, .res = res, .dd = dedup_new()};
	m.shards = json_array();
	m.percat = json_object();
	m.from = json_array();
	m.perorigin = json_object();
	m.perlicense = json_object();
	int rc = 0;
	for (size_t i = 0; i < ndirs && rc == 0; i++)
		rc = merge_one(&m, dirs[i], warn, ctx, err);
	if (rc == 0)
		rc = merge_rotate(&m, err);
	else if (m.open)
		jsonl_release(&m.cur);
	if (rc == 0 && res->read == 0) {
		buf_printf(err, "no records in '%s'%s: nothing to merge (give directories that hold records)", dirs[0],
			   ndirs > 1 ? " or the other inputs" : "");
		rc = -1;
	}
	if (rc == 0)
		rc = merge_manifest(&m, err);
	if (rc == 0)
		rc = card_write(o->out, err);
	json_decref(m.shards);
	json_decref(m.percat);
	json_decref(m.from);
	json_decref(m.perorigin);
	json_decref(m.perlicense);
	dedup_free(m.dd);
	free(m.warp_version);
	buf_free(&m.line);
	outdir_unlock(o->out, &lock, created);
	return rc;
}

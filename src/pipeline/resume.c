/* resume: the output directory of a `generate` run (see runctx.h): a
 * fresh start, which refuses to overwrite a dataset unless --force and then
 * removes only the dataset's own files (outdir.c), or the state an
 * interrupted run's journal vouches for (--resume). A resume checks before
 * it touches anything: the jitsynth and Warp versions, every kept shard's
 * size, SHA-256 and records (verify.c), the rejects the journal vouches
 * for, and that every file in the directory is the run's; only then does it
 * remove what the run left beyond its journal. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "pipeline/outdir.h"
#include "pipeline/runctx.h"
#include "pipeline/verify.h"
#include "store/journal.h"
#include "store/layout.h"
#include "store/reader.h"
#include "store/record.h"

/* ---- a fresh start ---- */

int resume_start_fresh(run *r)
{
	const run_options *o = r->o;
	if (outdir_prepare(o->out_dir, o->force, 1, r->err) < 0)
		return -1;
	json_t *opt = run_options_json(o);
	int rc = journal_start(o->out_dir, opt, r->err);
	json_decref(opt);
	if (rc < 0)
		return -1;
	if (jsonl_open(&r->rejects, o->out_dir, LAYOUT_REJECTS, r->err) < 0) {
		buf p = BUF_INIT; /* nothing is stored: leave no journal that says otherwise */
		buf_printf(&p, "%s/" LAYOUT_JOURNAL, o->out_dir);
		unlink(p.data);
		buf_free(&p);
		return -1;
	}
	r->rejects_open = 1;
	return 0;
}

/* ---- resume: the checks ---- */

/* The journal's entries are the run's shards 0..n-1, in order, of one Warp. */
static int check_entries(run *r, const journal *j)
{
	const run_options *o = r->o;
	for (size_t i = 0; i < j->n; i++) {
		const journal_entry *e = &j->entries[i];
		char want[64];
		layout_shard_name(want, sizeof want, i);
		snprintf(want + strlen(want), sizeof want - strlen(want), "%s", jsonl_format_suffix(o->format));
		if (strcmp(e->shard.name, want) != 0) {
			buf_printf(r->err,
				   "cannot resume: entry %zu of '%s/" LAYOUT_JOURNAL "' names '%s', not the run's shard '%s' (the journal is damaged); `--force` starts the run over",
				   i + 1, o->out_dir, e->shard.name, want);
			return -1;
		}
		if (!e->warp_version[0])
			continue; /* an older journal: the records say (resume_records) */
		if (r->resume_warp[0] && strcmp(r->resume_warp, e->warp_version) != 0) {
			buf_printf(r->err,
				   "cannot resume: the run in '%s' already mixes Warp %s and %s (%s); `jitsynth verify %s` shows where, `--force` starts over",
				   o->out_dir, r->resume_warp, e->warp_version, e->shard.name, o->out_dir);
			return -1;
		}
		snprintf(r->resume_warp, sizeof r->resume_warp, "%s", e->warp_version);
	}
	return 0;
}

/* Every file of the directory is the run's, and no finished shard is
 * beyond what the journal lists (it would be lost). *redo is set when the
 * shard the run was writing was finished without its journal entry. */
static int check_files(run *r, const journal *j, int *redo)
{
	const run_options *o = r->o;
	outdir_files f;
	outdir_files_read(o->out_dir, &f);
	DIR *d = opendir(o->out_dir);
	int rc = 0;
	*redo = 0;
	if (!d) {
		buf_printf(r->err, "cannot resume: cannot read '%s': %s", o->out_dir, strerror(errno));
		rc = -1;
	}
	for (struct dirent *e; rc == 0 && d && (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		size_t index;
		if (outdir_classify(&f, o->out_dir, e->d_name) == OUTDIR_FOREIGN) {
			buf_printf(r->err,
				   "cannot resume: '%s' holds '%s', which jitsynth did not write; move it out of the directory, then resume",
				   o->out_dir, e->d_name);
			rc = -1;
		} else if (layout_shard_index(e->d_name, &index, NULL) && index > j->n) {
			buf_printf(r->err,
				   "cannot resume: '%s/%s' is a finished shard that the journal does not list (it ends at %zu shards: cut or damaged), and resuming would remove it; `jitsynth verify %s` checks the shards, `jitsynth generate --force -o %s` starts over",
				   o->out_dir, e->d_name, j->n, o->out_dir, o->out_dir);
			rc = -1;
		} else if (layout_shard_index(e->d_name, &index, NULL) && index == j->n) {
			/* the shard being written when the run stopped: a run that was
			 * interrupted finished it early and listed it in its manifest */
			*redo = !outdir_manifest_lists(&f, e->d_name);
		}
	}
	if (d)
		closedir(d);
	outdir_files_release(&f);
	return rc;
}

static int check_shards(run *r, const journal *j)
{
	for (size_t i = 0; i < j->n; i++) {
		buf why = BUF_INIT;
		int bad = verify_shard(r->o->out_dir, &j->entries[i].shard, "the journal", &why) < 0;
		if (bad)
			buf_printf(r->err,
				   "cannot resume: %s; restore the shard from a copy, or start over with --force (`jitsynth verify %s` lists every damaged file)",
				   why.data, r->o->out_dir);
		buf_free(&why);
		if (bad)
			return -1;
	}
	return 0;
}

/* Where the interrupted run's rejects are: set aside by an earlier resume
 * that failed, still being written, or committed by a clean stop. */
static void rejects_source(const char *dir, buf *path)
{
	static const char *const names[] = {LAYOUT_REJECTS_RESUME, LAYOUT_REJECTS_TMP, LAYOUT_REJECTS};
	for (size_t i = 0; i < 3; i++) {
		buf_reset(path);
		buf_printf(path, "%s/%s", dir, names[i]);
		if (path_exists(path->data))
			return;
	}
}

/* The rejects file holds at least what the journal vouches for, unchanged. */
static int check_rejects(run *r, const journal_entry *last, const char *src)
{
	if (!last || last->rejects_bytes == 0)
		return 0;
	verify_facts f;
	buf why = BUF_INIT;
	int rc = -1;
	if (verify_file(src, 0, last->rejects_bytes, &f, &why) < 0)
		buf_printf(r->err,
			   "cannot resume: the rejects of the finished shards are gone ('%s/" LAYOUT_REJECTS "' is %s); start over with --force",
			   r->o->out_dir, why.data);
	else if (f.bytes < last->rejects_bytes)
		buf_printf(r->err,
			   "cannot resume: '%s/" LAYOUT_REJECTS "' holds %llu bytes, but the finished shards' rejects took %llu (it was cut); restore it, or start over with --force",
			   r->o->out_dir, (unsigned long long)f.bytes, (unsigned long long)last->rejects_bytes);
	else if (last->rejects_sha256[0] && strcmp(f.sha256, last->rejects_sha256))
		buf_printf(r->err,
			   "cannot resume: the rejects of the finished shards in '%s/" LAYOUT_REJECTS "' were changed (their SHA-256 differs from the journal's); restore the file, or start over with --force",
			   r->o->out_dir);
	else
		rc = 0;
	buf_free(&why);
	return rc;
}

/* A record's version against the run's: 0, or -1 with the refusal. */
static int check_record_versions(run *r, const char *shard, const json_t *rec, int journal_has_jver)
{
	const json_t *meta = json_object_get(rec, "meta");
	const char *wv = json_string_value(json_object_get(meta, "warp_version"));
	const char *jv = json_string_value(json_object_get(meta, "jitsynth_version"));
	if (!journal_has_jver && jv && strcmp(jv, JITSYNTH_VERSION) != 0) {
		buf_printf(r->err,
			   "cannot resume: the run in '%s' was made by jitsynth %s (%s), this is jitsynth " JITSYNTH_VERSION "; finish it with that version, or start over with --force",
			   r->o->out_dir, jv, shard);
		return -1;
	}
	if (!wv)
		return 0;
	if (!r->resume_warp[0])
		snprintf(r->resume_warp, sizeof r->resume_warp, "%s", wv);
	else if (strcmp(r->resume_warp, wv) != 0) {
		buf_printf(r->err,
			   "cannot resume: the run in '%s' already mixes Warp %s and %s (%s); `--force` starts over",
			   r->o->out_dir, r->resume_warp, wv, shard);
		return -1;
	}
	return 0;
}

/* Feeds the kept shards' records to dedup and the metrics, as if they had
 * just been stored, checking the versions they were made with. */
static int resume_records(run *r, int journal_has_jver)
{
	for (size_t i = 0; i < r->shards.ndone; i++) {
		buf path = BUF_INIT, msg = BUF_INIT;
		buf_printf(&path, "%s/%s", r->o->out_dir, r->shards.done[i].name);
		reader *rd = reader_open_file(path.data, r->err);
		buf_free(&path);
		if (!rd)
			return -1;
		reader_record rec;
		int st, rc = 0;
		while (rc == 0 && (st = reader_next(rd, &rec, &msg)) != READER_END) {
			if (st != READER_OK)
				continue;
			rc = check_record_versions(r, r->shards.done[i].name, rec.json, journal_has_jver);
			size_t plen = 0, flen = 0;
			const char *py = reader_str(rec.json, "python_source", &plen);
			metrics_add_source(&r->metrics, py ? py : "", plen);
			json_t *x = json_object_get(rec.json, "exec");
			if (x) { /* the run tier's counts, as on_stored made them */
				char *t = json_dumps(x, JSON_COMPACT);
				const char *kn = reader_str(rec.json, "kernel_name", NULL);
				rt_count(&r->s->exec, kn ? kn : "?", t ? t : "{}");
				free(t);
			}
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
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ---- resume: the changes ---- */

/* Removes what an interrupted run left beyond its journal (the shard it was
 * writing, temporaries, the stale manifest and card): the run's own files
 * other than the journal, the kept shards and the rejects. */
static void remove_unjournaled(const run_options *o, const journal *j, const char *rejects_src)
{
	outdir_files f;
	outdir_files_read(o->out_dir, &f);
	const char *src = strrchr(rejects_src, '/') + 1;
	DIR *d = opendir(o->out_dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		int keep = outdir_classify(&f, o->out_dir, e->d_name) == OUTDIR_FOREIGN || !strcmp(e->d_name, LAYOUT_JOURNAL) ||
			   !strcmp(e->d_name, LAYOUT_LOCK) || !strcmp(e->d_name, src);
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
	outdir_files_release(&f);
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
int resume_state(run *r)
{
	const run_options *o = r->o;
	journal j;
	if (journal_load(o->out_dir, &j, r->err) < 0)
		return -1;
	int rc = -1, redo = 0;
	const journal_entry *last = j.n ? &j.entries[j.n - 1] : NULL;
	buf src = BUF_INIT, to = BUF_INIT;
	rejects_source(o->out_dir, &src);
	if (j.jitsynth_version[0] && strcmp(j.jitsynth_version, JITSYNTH_VERSION) != 0) {
		buf_printf(r->err,
			   "cannot resume: the run in '%s' was started by jitsynth %s, this is jitsynth " JITSYNTH_VERSION "; finish it with that version, or start over with --force",
			   o->out_dir, j.jitsynth_version);
		goto out;
	}
	if (check_entries(r, &j) < 0 || check_files(r, &j, &redo) < 0 || check_shards(r, &j) < 0 ||
	    check_rejects(r, last, src.data) < 0)
		goto out;
	for (size_t i = 0; i < j.n; i++)
		shards_adopt(&r->shards, &j.entries[i].shard);
	if (resume_records(r, j.jitsynth_version[0] != 0) < 0)
		goto out;
	if (last && (last->next_index <= r->first || last->next_index > r->end)) {
		buf_printf(r->err,
			   "cannot resume: the journal of '%s' says the run stopped at kernel %llu, outside its range %llu..%llu (the journal is damaged); `--force` starts the run over",
			   o->out_dir, (unsigned long long)last->next_index, (unsigned long long)r->first,
			   (unsigned long long)r->end);
		goto out;
	}

	/* everything checked: from here on the directory changes */
	if (redo)
		snprintf(r->s->note, sizeof r->s->note,
			 "shard %zu was finished after the journal's last entry; it is made again (the same records)", j.n);
	remove_unjournaled(o, &j, src.data);
	buf_printf(&to, "%s/" LAYOUT_REJECTS_RESUME, o->out_dir);
	if (strcmp(src.data, to.data) != 0)
		rename(src.data, to.data);
	if (jsonl_reopen(&r->rejects, o->out_dir, LAYOUT_REJECTS, last ? last->rejects_bytes : 0, r->err) < 0)
		goto out;
	r->rejects_open = 1;
	if (last) {
		run_state *s = r->s;
		s->records = s->resumed_records = last->records;
		s->rejects = last->rejects;
		s->dropped_exact = last->dropped_exact;
		s->dropped_structural = last->dropped_structural;
		memcpy(s->cat_records, last->cat_records, sizeof s->cat_records);
		memcpy(s->cat_rejects, last->cat_rejects, sizeof s->cat_rejects);
		memcpy(s->stage_rejects, last->stage_rejects, sizeof s->stage_rejects);
		s->dispatched = r->next_write = r->answered = last->next_index;
		s->done = s->resumed_from = last->next_index - r->first;
	}
	rc = resume_rejects(r);
out:
	buf_free(&src);
	buf_free(&to);
	journal_release(&j);
	return rc;
}

int resume_already_complete(const run_options *o)
{
	buf path = BUF_INIT;
	buf_printf(&path, "%s/" LAYOUT_MANIFEST, o->out_dir);
	json_t *m = json_load_regular(path.data, NULL);
	int done = json_is_true(json_object_get(m, "complete"));
	json_decref(m);
	buf_free(&path);
	return done;
}

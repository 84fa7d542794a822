/* resume: the output directory of a `generate` run (see runctx.h): a
 * fresh start, which refuses to overwrite a dataset unless --force, or the
 * state an interrupted run's journal vouches for (--resume). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline/runctx.h"
#include "store/journal.h"
#include "store/layout.h"
#include "store/reader.h"

/* ---- a fresh start ---- */

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
		if (!layout_is_dataset_file(e->d_name))
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
		int keep = !layout_is_dataset_file(e->d_name) || !strcmp(e->d_name, LAYOUT_JOURNAL) ||
			   !strcmp(e->d_name, LAYOUT_REJECTS_TMP) || !strcmp(e->d_name, LAYOUT_REJECTS);
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
int resume_state(run *r)
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
	buf_printf(&from, "%s/" LAYOUT_REJECTS_TMP, o->out_dir);
	buf_printf(&to, "%s/" LAYOUT_REJECTS_RESUME, o->out_dir);
	if (access(from.data, F_OK) != 0) {
		buf_reset(&from);
		buf_printf(&from, "%s/" LAYOUT_REJECTS, o->out_dir);
	}
	rename(from.data, to.data);
	buf_free(&from);
	buf_free(&to);
	const journal_entry *last = j.n ? &j.entries[j.n - 1] : NULL;
	if (jsonl_reopen(&r->rejects, o->out_dir, LAYOUT_REJECTS, last ? last->rejects_bytes : 0, r->err) < 0)
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

int resume_start_fresh(run *r)
{
	const run_options *o = r->o;
	if (prepare_dir(o, r->err) < 0)
		return -1;
	json_t *opt = run_options_json(o);
	int rc = journal_start(o->out_dir, opt, r->err);
	json_decref(opt);
	if (rc < 0 || jsonl_open(&r->rejects, o->out_dir, LAYOUT_REJECTS, r->err) < 0)
		return -1;
	r->rejects_open = 1;
	return 0;
}

int resume_already_complete(const run_options *o)
{
	buf path = BUF_INIT;
	buf_printf(&path, "%s/" LAYOUT_MANIFEST, o->out_dir);
	json_t *m = json_load_file(path.data, 0, NULL);
	int done = json_is_true(json_object_get(m, "complete"));
	json_decref(m);
	buf_free(&path);
	return done;
}


/* outdir: a writer's output directory (see outdir.h): whose files are in
 * it, the lock, and the fresh start's refusals and removals. */
#include "pipeline/outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/journal.h"
#include "store/jsonl.h"
#include "store/layout.h"

/* How many shards a run of these options can write (dedup only lowers it). */
static void run_range(const json_t *opt, outdir_files *f)
{
	json_t *n = json_object_get(opt, "n"), *sz = json_object_get(opt, "shard_size");
	const char *fmt = json_string_value(json_object_get(opt, "format"));
	if (!json_is_integer(n) || !json_is_integer(sz) || json_integer_value(n) < 1 ||
	    json_integer_value(sz) < 1)
		return;
	unsigned long long kernels = (unsigned long long)json_integer_value(n);
	unsigned long long per = (unsigned long long)json_integer_value(sz);
	unsigned long long shards = kernels / per + (kernels % per != 0);
	if (shards > f->run_shards) {
		f->run_shards = (size_t)shards;
		f->run_zst = fmt && !strcmp(fmt, "jsonl.zst");
	}
}

void outdir_files_read(const char *dir, outdir_files *f)
{
	memset(f, 0, sizeof *f);
	buf p = BUF_INIT;
	buf_printf(&p, "%s/" LAYOUT_MANIFEST, dir);
	json_t *m = json_load_regular(p.data, NULL);
	buf_free(&p);
	const char *format = json_string_value(json_object_get(m, "format"));
	if (json_is_object(m) && format && !strcmp(format, "jitsynth-dataset-1")) {
		f->manifest = m;
		run_range(json_object_get(m, "options"), f);
	} else {
		json_decref(m);
	}
	f->journal = journal_header(dir, f->jitsynth_version, sizeof f->jitsynth_version);
	if (f->journal)
		run_range(f->journal, f);
}

void outdir_files_release(outdir_files *f)
{
	json_decref(f->manifest);
	json_decref(f->journal);
	memset(f, 0, sizeof *f);
}

int outdir_is_dataset(const outdir_files *f)
{
	return f->manifest || f->journal;
}

/* Whether DIR/README.md is a card jitsynth wrote (card.c's marker line). */
static int is_our_card(const char *dir)
{
	buf p = BUF_INIT;
	buf_printf(&p, "%s/" LAYOUT_CARD, dir);
	int fd = open(p.data, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	buf_free(&p);
	if (fd < 0)
		return 0;
	struct stat st;
	char text[8192];
	ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, text, sizeof text - 1) : -1;
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	const char *hit = strstr(text, "\n" LAYOUT_CARD_MARK);
	return hit != NULL;
}

int outdir_manifest_lists(const outdir_files *f, const char *name)
{
	const json_t *m = f->manifest;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(m, "shards"), i, v)
	{
		const char *file = json_string_value(json_object_get(v, "file"));
		if (file && !strcmp(file, name))
			return 1;
	}
	return 0;
}

outdir_class outdir_classify(const outdir_files *f, const char *dir, const char *name)
{
	if (layout_is_leftover(name))
		return OUTDIR_LEFTOVER;
	if (!outdir_is_dataset(f))
		return OUTDIR_FOREIGN;
	if (!strcmp(name, LAYOUT_MANIFEST))
		return f->manifest ? OUTDIR_OWN : OUTDIR_FOREIGN;
	if (!strcmp(name, LAYOUT_JOURNAL))
		return f->journal ? OUTDIR_OWN : OUTDIR_FOREIGN;
	if (!strcmp(name, LAYOUT_REJECTS))
		return OUTDIR_OWN;
	if (!strcmp(name, LAYOUT_CARD))
		return is_our_card(dir) ? OUTDIR_OWN : OUTDIR_FOREIGN;
	size_t index;
	int zst;
	if (!layout_shard_index(name, &index, &zst))
		return OUTDIR_FOREIGN;
	if (outdir_manifest_lists(f, name))
		return OUTDIR_OWN;
	return index < f->run_shards && zst == f->run_zst ? OUTDIR_OWN : OUTDIR_FOREIGN;
}

int outdir_first_foreign(const char *dir, const outdir_files *f, char *name, size_t cap, buf *err)
{
	DIR *d = opendir(dir);
	if (!d) {
		buf_printf(err, "cannot read '%s': %s (choose another -o)", dir, strerror(errno));
		return -1;
	}
	int found = 0;
	for (struct dirent *e; !found && (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (outdir_classify(f, dir, e->d_name) == OUTDIR_FOREIGN) {
			snprintf(name, cap, "%s", e->d_name);
			found = 1;
		}
	}
	closedir(d);
	return found;
}

int outdir_lock(const char *dir, dir_lock *l, int *created, buf *err)
{
	*created = 0;
	if (mkdir(dir, 0777) == 0) {
		*created = 1;
	} else if (errno != EEXIST) {
		buf_printf(err, "cannot create output directory '%s': %s (choose another -o)", dir,
			   strerror(errno));
		return -1;
	}
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		buf_printf(err, "output '%s' is not a directory (choose another -o)", dir);
		return -1;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		buf_printf(
		    err,
		    "output directory '%s' is not writable: %s (choose another -o, or fix its permissions)",
		    dir, strerror(errno));
		return -1;
	}
	if (lock_acquire(dir, l, NULL, err) < 0) {
		if (*created)
			rmdir(dir);
		return -1;
	}
	return 0;
}

void outdir_unlock(const char *dir, dir_lock *l, int created)
{
	lock_release(l);
	if (created)
		rmdir(dir); /* fails, as it should, unless empty */
}

int outdir_prepare(const char *dir, int force, int can_resume, buf *err)
{
	outdir_files f;
	outdir_files_read(dir, &f);
	char name[256];
	int rc = outdir_first_foreign(dir, &f, name, sizeof name, err);
	if (rc > 0) {
		buf_printf(err,
			   "'%s' holds '%s', which jitsynth did not write; jitsynth writes only into an "
			   "empty directory or one of its own datasets: choose another -o, or move '%s' away",
			   dir, name, name);
		rc = -1;
		goto out;
	}
	if (rc < 0)
		goto out;
	if (outdir_is_dataset(&f) && !force) {
		rc = -1;
		if (f.manifest && json_is_true(json_object_get(f.manifest, "complete")))
			buf_printf(err,
				   "'%s' already holds a dataset (" LAYOUT_MANIFEST
				   "); pass --force to replace it, or choose another -o",
				   dir);
		else if (f.journal && can_resume)
			buf_printf(
			    err,
			    "'%s' already holds a dataset, from an interrupted run (" LAYOUT_JOURNAL
			    "); pass --resume to continue it, --force to replace it, or choose another -o",
			    dir);
		else
			buf_printf(err,
				   "'%s' already holds a dataset (" LAYOUT_MANIFEST
				   ", incomplete); pass --force to replace it, or choose another -o",
				   dir);
		goto out;
	}
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, LAYOUT_LOCK))
			continue;
		if (outdir_classify(&f, dir, e->d_name) == OUTDIR_FOREIGN)
			continue; /* none were there a moment ago, and we hold the lock */
		buf p = BUF_INIT;
		buf_printf(&p, "%s/%s", dir, e->d_name);
		if (unlink(p.data) != 0 && errno != ENOENT && rc == 0) {
			buf_printf(
			    err,
			    "cannot remove '%s': %s (fix the directory's permissions, or choose another -o)",
			    p.data, strerror(errno));
			rc = -1;
		}
		buf_free(&p);
	}
	if (d)
		closedir(d);
out:
	outdir_files_release(&f);
	return rc;
}

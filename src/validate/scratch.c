/* scratch: the validator's temp dir, locked while its run lives; see scratch.h. */
#include "validate/scratch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/util.h"

#define PREFIX "jitsynth-chk-"
#define LOCK_NAME ".lock"

static const char *base_dir(void)
{
	const char *t = getenv("TMPDIR");
	return t && *t ? t : "/tmp";
}

/* Removes dir with everything in it, its lock file last: a removal cut
 * short (a run killed while it sweeps or closes) leaves a dir that still
 * has its lock, which the next sweeper takes for a dead run's, never one
 * without, which no sweeper touches. */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		buf p = BUF_INIT;
		struct dirent *de;
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || !strcmp(de->d_name, LOCK_NAME))
				continue;
			buf_reset(&p);
			buf_printf(&p, "%s/%s", dir, de->d_name);
			rm_tree(buf_cstr(&p));
		}
		buf_free(&p);
		closedir(d);
	}
	rm_tree(dir);
}

/* Removes `dir` if its lock file exists and nobody holds it. A dir without
 * a lock file is left alone: it is either being made right now (the lock
 * appears under its final name only once it is held) or not ours to judge. */
static void sweep_one(const char *dir)
{
	buf lock = BUF_INIT;
	buf_printf(&lock, "%s/" LOCK_NAME, dir);
	int fd = open(lock.data, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	buf_free(&lock);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		remove_dir(dir);
	close(fd);
}

static void sweep(const char *base)
{
	DIR *d = opendir(base);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, PREFIX, sizeof PREFIX - 1) != 0)
			continue;
		buf p = BUF_INIT;
		buf_printf(&p, "%s/%s", base, de->d_name);
		struct stat sb;
		if (lstat(p.data, &sb) == 0 && S_ISDIR(sb.st_mode) && sb.st_uid == geteuid())
			sweep_one(p.data);
		buf_free(&p);
	}
	closedir(d);
}

/* The lock is taken on a temporary name and renamed into place, so a
 * sweeper never sees an unheld LOCK_NAME in a live dir. O_CLOEXEC keeps it
 * out of the compilers and workers this process starts: a child that
 * outlived us must not keep our dir alive. */
static int take_lock(scratch *s, buf *err)
{
	buf tmp = BUF_INIT, fin = BUF_INIT;
	buf_printf(&tmp, "%s/" LOCK_NAME ".new", s->path);
	buf_printf(&fin, "%s/" LOCK_NAME, s->path);
	int rc = -1;
	s->lock_fd = open(tmp.data, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	if (s->lock_fd < 0 || flock(s->lock_fd, LOCK_EX) != 0 || rename(tmp.data, fin.data) != 0)
		buf_printf(err, "validation: cannot lock the temp dir %s: %s (check TMPDIR)", s->path,
			   strerror(errno));
	else
		rc = 0;
	buf_free(&tmp);
	buf_free(&fin);
	return rc;
}

int scratch_open(scratch *s, buf *err)
{
	memset(s, 0, sizeof *s);
	s->lock_fd = -1;
	const char *base = base_dir();
	sweep(base);
	buf t = BUF_INIT;
	buf_printf(&t, "%s/" PREFIX "XXXXXX", base);
	if (!mkdtemp(t.data)) {
		buf_printf(err, "validation: cannot make a temp dir %s: %s (set TMPDIR to a writable dir)",
			   buf_cstr(&t), strerror(errno));
		buf_free(&t);
		return -1;
	}
	s->path = buf_detach(&t, NULL);
	if (take_lock(s, err) < 0) {
		scratch_close(s);
		return -1;
	}
	return 0;
}

uint64_t scratch_free_bytes(const scratch *s)
{
	struct statvfs v;
	if (!s->path || statvfs(s->path, &v) != 0)
		return 0;
	return (uint64_t)v.f_bavail * v.f_frsize;
}

void scratch_close(scratch *s)
{
	if (!s->path) /* never opened (zeroed), or mkdtemp failed: no lock either */
		return;
	remove_dir(s->path);
	free(s->path);
	s->path = NULL;
	/* closed last: until the dir is gone no sweeper may take it for dead */
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	s->lock_fd = -1;
}

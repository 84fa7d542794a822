/* lock: the output directory's writer lock (see lock.h): flock on
 * DIR/.jitsynth.lock, re-checked against the path so that a file removed by
 * the previous holder between our open and our flock is never trusted. */
#include "store/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "store/layout.h"

pid_t lock_parse_pid(const char *text, size_t len)
{
	long long v = 0;
	size_t i = 0;
	while (i < len && text[i] >= '0' && text[i] <= '9' && i < 10)
		v = v * 10 + (text[i++] - '0');
	if (i == 0 || (i < len && !(text[i] == '\n' && i + 1 == len)))
		return 0;
	return v >= 1 && v <= 0x7fffffff ? (pid_t)v : 0;
}

/* The pid in the lock file held by someone else (0 if it names none yet:
 * the holder may be between its flock and its write). */
static pid_t read_holder(int fd)
{
	char text[32];
	ssize_t n = pread(fd, text, sizeof text, 0);
	return n > 0 ? lock_parse_pid(text, (size_t)n) : 0;
}

static int same_file(int fd, const char *path)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int lock_acquire(const char *dir, dir_lock *l, pid_t *holder, buf *err)
{
	l->fd = -1;
	buf p = BUF_INIT;
	buf_printf(&p, "%s/" LAYOUT_LOCK, dir);
	l->path = buf_detach(&p, NULL);
	if (holder)
		*holder = 0;
	for (int attempt = 0; attempt < 25; attempt++) {
		int fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0) {
			buf_printf(
			    err, "cannot lock '%s': cannot open '%s': %s (check the directory's permissions)",
			    dir, l->path, strerror(errno));
			goto fail;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			int e = errno;
			pid_t pid = e == EWOULDBLOCK ? read_holder(fd) : 0;
			close(fd);
			if (e != EWOULDBLOCK) {
				buf_printf(err, "cannot lock '%s': %s", l->path, strerror(e));
				goto fail;
			}
			/* a holder that names no live process is starting (its pid
			 * not yet written) or is a reader's brief probe: try again */
			if ((pid == 0 || (kill(pid, 0) != 0 && errno == ESRCH)) && attempt < 24) {
				usleep(10000);
				continue;
			}
			if (holder)
				*holder = pid;
			if (pid)
				buf_printf(err,
					   "'%s' is in use by another jitsynth run (pid %ld); wait for it to "
					   "end, or stop it (kill %ld) and run again",
					   dir, (long)pid, (long)pid);
			else
				buf_printf(err,
					   "'%s' is in use by another jitsynth run; wait for it to end, and "
					   "run again",
					   dir);
			goto fail;
		}
		if (!same_file(fd, l->path)) { /* removed by its last holder meanwhile: retry */
			close(fd);
			continue;
		}
		char text[32];
		int n = snprintf(text, sizeof text, "%ld\n", (long)getpid());
		if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)n, 0) != n) {
			buf_printf(err, "cannot write '%s': %s", l->path, strerror(errno));
			unlink(l->path);
			close(fd);
			goto fail;
		}
		l->fd = fd;
		return 0;
	}
	buf_printf(err, "cannot lock '%s': its lock file keeps changing (another jitsynth run?); run again",
		   dir);
fail:
	free(l->path);
	l->path = NULL;
	return -1;
}

int lock_probe(const char *dir, pid_t *holder)
{
	buf p = BUF_INIT;
	buf_printf(&p, "%s/" LAYOUT_LOCK, dir);
	int fd = open(p.data, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	buf_free(&p);
	*holder = 0;
	if (fd < 0)
		return 0;
	int held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	if (held)
		*holder = read_holder(fd);
	close(fd); /* lets go of the shared lock, if we got it */
	return held;
}

void lock_release(dir_lock *l)
{
	if (l->fd >= 0) {
		if (l->path && same_file(l->fd, l->path))
			unlink(l->path);
		close(l->fd);
	}
	free(l->path);
	l->path = NULL;
	l->fd = -1;
}

/* fuzz_lock: libFuzzer target for the lock file (store/lock.c): whatever
 * DIR/.jitsynth.lock holds (a dead run's pid, a torn write, garbage, a
 * huge number), lock_parse_pid reads exactly a decimal pid in 1..2^31-1 with
 * an optional newline (checked against a plain reference), a free lock is
 * taken over with our pid written in its place, and a held one is seen by
 * lock_probe with the pid its text names. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_tmp.h"
#include "store/layout.h"
#include "store/lock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The rule, spelt out: 1..10 digits, then nothing or one '\n'. */
static pid_t reference_pid(const uint8_t *d, size_t n)
{
	size_t k = 0;
	unsigned long long v = 0;
	while (k < n && d[k] >= '0' && d[k] <= '9') {
		if (k == 10)
			return 0;
		v = v * 10 + (d[k] - '0');
		k++;
	}
	if (k == 0 || !(k == n || (k + 1 == n && d[k] == '\n')))
		return 0;
	return v >= 1 && v <= 0x7fffffffULL ? (pid_t)v : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fz_dir(NULL);
	pid_t want = reference_pid(data, size);
	if (lock_parse_pid((const char *)data, size) != want)
		abort();

	/* a file left by a run that is gone: taken over */
	fz_write(LAYOUT_LOCK, data, size);
	pid_t seen = -1;
	if (lock_probe(dir, &seen) != 0 || seen != 0)
		abort();
	dir_lock a = DIR_LOCK_INIT;
	buf err = BUF_INIT;
	if (lock_acquire(dir, &a, NULL, &err) != 0 || err.len)
		abort();
	char text[32], mine[32];
	int n = snprintf(mine, sizeof mine, "%ld\n", (long)getpid());
	if (pread(a.fd, text, sizeof text, 0) != n || memcmp(text, mine, (size_t)n) != 0)
		abort();

	/* held, with the input as its text: the probe names what it says */
	if (ftruncate(a.fd, 0) != 0 || (size && pwrite(a.fd, data, size, 0) != (ssize_t)size))
		abort();
	if (lock_probe(dir, &seen) != 1 || seen != want)
		abort();
	lock_release(&a);
	if (lock_probe(dir, &seen) != 0)
		abort();
	char path[512];
	fz_path(path, sizeof path, LAYOUT_LOCK);
	if (access(path, F_OK) == 0) /* released: removed */
		abort();
	fz_unlink(LAYOUT_LOCK);
	buf_free(&err);
	return 0;
}

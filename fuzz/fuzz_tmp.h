/* fuzz_tmp: a private scratch directory for the fuzz targets whose reader
 * takes a directory (seed layout, manifest, journal). Made once per process
 * under $TMPDIR or /tmp, emptied by each target after every input, removed
 * at exit. Header-only: each fuzz/fuzz_*.c is linked on its own. */
#ifndef JS_FUZZ_TMP_H
#define JS_FUZZ_TMP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char fz_root[256];
static const char *const *fz_subdirs;

static void fz_path(char *out, size_t cap, const char *rel)
{
	snprintf(out, cap, "%s/%s", fz_root, rel);
}

static void fz_unlink(const char *rel)
{
	char p[512];
	fz_path(p, sizeof p, rel);
	unlink(p);
}

static void fz_cleanup(void)
{
	char p[512];
	for (size_t i = 0; fz_subdirs && fz_subdirs[i]; i++) {
		fz_path(p, sizeof p, fz_subdirs[i]);
		rmdir(p);
	}
	if (*fz_root)
		rmdir(fz_root);
}

/* The scratch directory, with the (NULL-terminated) subdirectories made. */
static const char *fz_dir(const char *const *subdirs)
{
	if (*fz_root)
		return fz_root;
	const char *t = getenv("TMPDIR");
	snprintf(fz_root, sizeof fz_root, "%s/jitsynth-fuzz-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(fz_root)) {
		perror("mkdtemp");
		abort();
	}
	fz_subdirs = subdirs;
	char p[512];
	for (size_t i = 0; subdirs && subdirs[i]; i++) {
		fz_path(p, sizeof p, subdirs[i]);
		if (mkdir(p, 0700) != 0) {
			perror("mkdir");
			abort();
		}
	}
	atexit(fz_cleanup);
	return fz_root;
}

/* Writes dir/rel with exactly these bytes. */
static void fz_write(const char *rel, const void *data, size_t len)
{
	char p[512];
	fz_path(p, sizeof p, rel);
	FILE *f = fopen(p, "wb");
	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
		perror(p);
		abort();
	}
}

#endif

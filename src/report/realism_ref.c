/* realism_ref: reads a reference of real Warp code, files and directories
 * of .py files from anywhere (untrusted): only regular files, bounded sizes,
 * depth and count; links to directories are not followed; nothing runs. A
 * directory holding a dataset (manifest.json: an ingested one, say) gives
 * its records' python_source, through the dataset reader. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/untrusted.h"
#include "common/util.h"
#include "report/realism.h"
#include "store/layout.h"
#include "store/reader.h"

enum { MAX_FILE = 16 << 20, MAX_DEPTH = 16, MAX_FILES = 100000 };

typedef struct walk {
	realism *r;
	realism_warn_fn warn;
	void *ctx;
} walk;

static void skip(walk *w, const char *path, const char *why)
{
	w->r->skipped++;
	if (w->warn) {
		buf m = BUF_INIT;
		buf_printf(&m, "%s: %s", path, why);
		w->warn(m.data, w->ctx);
		buf_free(&m);
	}
}

/* 0 read, -1 not read (err says why). */
static int read_file(walk *w, const char *path, buf *err)
{
	off_t size = 0;
	int fd = untrusted_open(path, &size, err);
	if (fd < 0)
		return -1;
	if (size > MAX_FILE) {
		close(fd);
		buf_printf(err, "larger than %d MiB, not read", MAX_FILE >> 20);
		return -1;
	}
	buf text = BUF_INIT;
	buf_grow(&text, (size_t)size + 1);
	for (;;) {
		if (text.len >= MAX_FILE) {
			close(fd);
			buf_free(&text);
			buf_printf(err, "grew past %d MiB while read, not read", MAX_FILE >> 20);
			return -1;
		}
		buf_grow(&text, 65536);
		ssize_t k = read(fd, text.data + text.len, 65536);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			buf_printf(err, "cannot read: %s", strerror(errno));
			close(fd);
			buf_free(&text);
			return -1;
		}
		if (k == 0)
			break;
		text.len += (size_t)k;
	}
	close(fd);
	realism_add_source(w->r, text.data ? text.data : "", text.len);
	w->r->files++;
	buf_free(&text);
	return 0;
}

static int ends_py(const char *name)
{
	size_t n = strlen(name);
	return n > 3 && !strcmp(name + n - 3, ".py");
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_dir(walk *w, const char *path, int depth)
{
	if (depth > MAX_DEPTH) {
		skip(w, path, "deeper than 16 levels, not read");
		return;
	}
	DIR *d = opendir(path);
	if (!d) {
		skip(w, path, strerror(errno));
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "__pycache__"))
			continue;
		if (n == cap)
			names = xrealloc(names, (cap = cap ? 2 * cap : 64) * sizeof *names);
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_names); /* warnings in a stable order */
	for (size_t i = 0; i < n; i++) {
		buf p = BUF_INIT;
		buf_printf(&p, "%s/%s", path, names[i]);
		struct stat st;
		if (lstat(p.data, &st) == 0 && S_ISDIR(st.st_mode))
			walk_dir(w, p.data, depth + 1);
		else if (ends_py(names[i]) && w->r->files + w->r->skipped < MAX_FILES) {
			buf err = BUF_INIT;
			if (read_file(w, p.data, &err) < 0)
				skip(w, p.data, err.data);
			buf_free(&err);
		}
		buf_free(&p);
		free(names[i]);
	}
	free(names);
}

/* A set of 64-bit hashes (open addressing; 0 stands for empty). */
typedef struct hset {
	uint64_t *v;
	size_t cap, n;
} hset;

/* Adds h; returns whether it was new. */
static int hset_add(hset *s, uint64_t h)
{
	if (!h)
		h = 1;
	if (2 * (s->n + 1) > s->cap) {
		hset t = {xcalloc(s->cap ? 2 * s->cap : 1024, sizeof *t.v), s->cap ? 2 * s->cap : 1024, 0};
		for (size_t i = 0; i < s->cap; i++)
			if (s->v[i])
				hset_add(&t, s->v[i]);
		free(s->v);
		*s = t;
	}
	size_t i = (size_t)h & (s->cap - 1);
	while (s->v[i]) {
		if (s->v[i] == h)
			return 0;
		i = (i + 1) & (s->cap - 1);
	}
	s->v[i] = h;
	s->n++;
	return 1;
}

/* Every record's python_source of the dataset in dir, each text once: an
 * ingested record holds its whole file, shared by that file's kernels. */
static int add_dataset(walk *w, const char *dir, buf *err)
{
	reader *rd = reader_open(dir, err);
	if (!rd)
		return -1;
	hset seen = {0};
	reader_record rec;
	buf msg = BUF_INIT;
	int r;
	while ((r = reader_next(rd, &rec, &msg)) != READER_END) {
		if (r == READER_BAD) {
			skip(w, dir, buf_cstr(&msg));
			buf_reset(&msg);
			continue;
		}
		size_t n;
		const char *src = reader_str(rec.json, "python_source", &n);
		if (src && hset_add(&seen, XXH3_64bits(src, n)))
			realism_add_source(w->r, src, n);
	}
	free(seen.v);
	buf_free(&msg);
	reader_close(rd);
	return 0;
}

int realism_add_reference(realism *r, const char *path, realism_warn_fn warn, void *ctx, buf *err)
{
	walk w = {r, warn, ctx};
	struct stat st;
	if (stat(path, &st) != 0) {
		buf_printf(err, "reference '%s': %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		buf m = BUF_INIT;
		buf_printf(&m, "%s/" LAYOUT_MANIFEST, path);
		int dataset = access(buf_cstr(&m), F_OK) == 0;
		buf_free(&m);
		if (dataset)
			return add_dataset(&w, path, err);
		walk_dir(&w, path, 0);
		return 0;
	}
	buf e = BUF_INIT;
	int rc = read_file(&w, path, &e);
	if (rc < 0)
		buf_printf(err, "reference '%s': %s", path, e.data);
	buf_free(&e);
	return rc;
}

/* source: an ingest SRC's Python files and provenance (see source.h). Every
 * file is read as untrusted (regular files only, size-limited); directories
 * are walked without following symbolic links. */
#include "ingest/source.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/untrusted.h"
#include "common/util.h"

#define SRC_MAX_DEPTH 32
#define SRC_MAX_FILES 100000
#define SRC_MAX_META (1 << 20)

/* Reads a small regular file whole (at most max bytes); 0 or -1. */
static int read_small(const char *path, size_t max, buf *out)
{
	buf why = BUF_INIT;
	off_t size = 0;
	int fd = untrusted_open(path, &size, &why);
	buf_free(&why);
	if (fd < 0)
		return -1;
	char chunk[8192];
	ssize_t r;
	while (out->len < max && (r = read(fd, chunk, sizeof chunk)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		size_t take = (size_t)r < max - out->len ? (size_t)r : max - out->len;
		buf_append(out, chunk, take);
	}
	close(fd);
	return 0;
}

static int is_dir(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int has_init(const char *dir)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/__init__.py", dir);
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static char *parent_of(const char *p)
{
	char *s = xstrdup(p);
	char *slash = strrchr(s, '/');
	if (slash && slash != s)
		*slash = '\0';
	else if (slash)
		slash[1] = '\0';
	return s;
}

/* ---- licences ---- */

static int has(const char *t, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (strncasecmp(t + i, needle, k) == 0)
			return 1;
	return 0;
}

const char *src_license_of_text(const char *t, size_t n)
{
	if (has(t, n, "Apache License") && has(t, n, "Version 2.0"))
		return "Apache-2.0";
	if (has(t, n, "Permission is hereby granted, free of charge"))
		return "MIT";
	if (has(t, n, "Redistribution and use in source and binary forms"))
		return has(t, n, "Neither the name") || has(t, n, "names of its contributors")
			   ? "BSD-3-Clause"
			   : "BSD-2-Clause";
	return NULL;
}

const char *src_license_of_field(const char *v)
{
	size_t n = strlen(v);
	if (!strcmp(v, "MIT") || has(v, n, "MIT License"))
		return "MIT";
	if (!strcmp(v, "Apache-2.0") || has(v, n, "Apache 2") || has(v, n, "Apache License 2") ||
	    has(v, n, "Apache Software License"))
		return "Apache-2.0";
	if (!strcmp(v, "BSD-3-Clause") || has(v, n, "BSD 3") || has(v, n, "3-Clause BSD"))
		return "BSD-3-Clause";
	if (!strcmp(v, "BSD-2-Clause"))
		return "BSD-2-Clause";
	return NULL;
}

/* A licence file in dir (LICENSE*, LICENCE*, COPYING*). */
static const char *license_in(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	const char *id = NULL;
	struct dirent *e;
	while (!id && (e = readdir(d))) {
		if (strncasecmp(e->d_name, "LICENSE", 7) && strncasecmp(e->d_name, "LICENCE", 7) &&
		    strncasecmp(e->d_name, "COPYING", 7))
			continue;
		char p[PATH_MAX];
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		buf t = BUF_INIT;
		if (read_small(p, 1 << 16, &t) == 0)
			id = src_license_of_text(buf_cstr(&t), t.len);
		buf_free(&t);
	}
	closedir(d);
	return id;
}

/* A "Key: value" line of package metadata (first one). */
static int meta_field(const char *meta, const char *key, char *out, size_t n)
{
	size_t k = strlen(key);
	for (const char *l = meta; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (*l == '\n')
			break; /* the body starts */
		if (!strncmp(l, key, k) && l[k] == ':') {
			const char *v = l + k + 1;
			while (*v == ' ')
				v++;
			size_t len = strcspn(v, "\r\n");
			snprintf(out, n, "%.*s", (int)(len < n ? len : n - 1), v);
			return 1;
		}
	}
	return 0;
}

/* The dist-info of package `pkg` in root: version and licence. */
static void dist_info(src_tree *t)
{
	DIR *d = opendir(t->root);
	if (!d)
		return;
	struct dirent *e;
	size_t pl = strlen(t->package);
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 10 || strcmp(e->d_name + n - 10, ".dist-info"))
			continue;
		char p[PATH_MAX];
		snprintf(p, sizeof p, "%s/%s/top_level.txt", t->root, e->d_name);
		buf top = BUF_INIT;
		int match = 0;
		if (read_small(p, 1 << 16, &top) == 0)
			for (const char *l = buf_cstr(&top); *l;
			     l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0))
				match |= strcspn(l, "\r\n") == pl && !strncmp(l, t->package, pl);
		buf_free(&top);
		if (!match)
			continue;
		snprintf(p, sizeof p, "%s/%s/METADATA", t->root, e->d_name);
		buf meta = BUF_INIT;
		if (read_small(p, SRC_MAX_META, &meta) == 0) {
			char v[256];
			meta_field(buf_cstr(&meta), "Version", t->version, sizeof t->version);
			const char *id = NULL;
			if (meta_field(buf_cstr(&meta), "License-Expression", v, sizeof v))
				id = src_license_of_field(v);
			if (!id && meta_field(buf_cstr(&meta), "License", v, sizeof v))
				id = src_license_of_field(v);
			if (id)
				snprintf(t->license, sizeof t->license, "%s", id);
		}
		buf_free(&meta);
		break;
	}
	closedir(d);
}

/* The commit a checkout's HEAD names, from .git's plain files. */
static void git_commit(src_tree *t, const char *top)
{
	char p[PATH_MAX * 2];
	snprintf(p, sizeof p, "%s/.git", top);
	buf head = BUF_INIT, ref = BUF_INIT;
	char gitdir[PATH_MAX];
	snprintf(gitdir, sizeof gitdir, "%.4000s", p);
	if (!is_dir(p)) { /* a worktree: "gitdir: PATH" */
		if (read_small(p, 4096, &head) < 0 || strncmp(buf_cstr(&head), "gitdir: ", 8))
			goto out;
		snprintf(gitdir, sizeof gitdir, "%.*s", (int)strcspn(head.data + 8, "\r\n"), head.data + 8);
		buf_reset(&head);
	}
	snprintf(p, sizeof p, "%s/HEAD", gitdir);
	if (read_small(p, 4096, &head) < 0)
		goto out;
	const char *h = buf_cstr(&head);
	if (!strncmp(h, "ref: ", 5)) {
		char name[512];
		snprintf(name, sizeof name, "%.*s", (int)strcspn(h + 5, "\r\n"), h + 5);
		/* a worktree keeps its refs in the common dir */
		char common[PATH_MAX];
		snprintf(common, sizeof common, "%s", gitdir);
		snprintf(p, sizeof p, "%s/commondir", gitdir);
		buf cd = BUF_INIT;
		if (read_small(p, 4096, &cd) == 0 && cd.len) {
			const char *c = buf_cstr(&cd);
			int n = (int)strcspn(c, "\r\n");
			if (c[0] == '/')
				snprintf(common, sizeof common, "%.*s", n, c);
			else
				snprintf(common, sizeof common, "%.3000s/%.*s", gitdir, n < 1000 ? n : 1000,
					 c);
		}
		buf_free(&cd);
		snprintf(p, sizeof p, "%s/%s", common, name);
		if (strstr(name, "..") == NULL && read_small(p, 4096, &ref) == 0) {
			h = buf_cstr(&ref);
		} else {
			snprintf(p, sizeof p, "%s/packed-refs", common);
			if (read_small(p, 1 << 22, &ref) < 0)
				goto out;
			const char *at = strstr(buf_cstr(&ref), name);
			if (!at || at - ref.data < 41)
				goto out;
			h = at - 41;
		}
	}
	size_t n = 0;
	while (n < 40 && isxdigit((unsigned char)h[n]))
		n++;
	if (n == 40)
		snprintf(t->commit, sizeof t->commit, "%.40s", h);
out:
	buf_free(&head);
	buf_free(&ref);
}

/* ---- files ---- */

static void add_file(src_tree *t, const char *path)
{
	if (t->n == t->cap)
		t->f = xrealloc(t->f, (t->cap = t->cap ? t->cap * 2 : 64) * sizeof *t->f);
	src_file *f = &t->f[t->n++];
	size_t rl = strlen(t->root);
	const char *under_root = path + rl + (path[rl] == '/');
	f->path = xstrdup(path);
	/* source.path: relative to the sys.path entry (so it starts with the
	 * top package), or for plain folders to the SRC's parent */
	char *dpar = strcmp(t->root, t->dir) ? xstrdup(t->root) : parent_of(t->dir);
	size_t pl = strlen(dpar);
	f->rel = xstrdup(path + pl + (path[pl] == '/'));
	free(dpar);
	buf m = BUF_INIT;
	buf_puts(&m, under_root);
	m.len -= 3; /* .py */
	m.data[m.len] = '\0';
	if (m.len >= 9 && !strcmp(m.data + m.len - 9, "/__init__"))
		m.len -= 9, m.data[m.len] = '\0';
	char *mod = xstrdup(buf_cstr(&m));
	for (char *c = mod; *c; c++)
		if (*c == '/')
			*c = '.';
	f->module = mod;
	/* category: the module path below the top package */
	const char *cat = strchr(m.data, '/') ? strchr(m.data, '/') + 1 : m.data;
	f->category = xstrdup(cat);
	buf_free(&m);
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const src_file *)a)->path, ((const src_file *)b)->path);
}

static void walk(src_tree *t, const char *dir, int depth)
{
	if (depth > SRC_MAX_DEPTH || t->n >= SRC_MAX_FILES)
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) && t->n < SRC_MAX_FILES) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "__pycache__"))
			continue;
		char p[PATH_MAX];
		if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p)
			continue;
		struct stat st;
		if (lstat(p, &st) < 0)
			continue;
		size_t n = strlen(e->d_name);
		if (S_ISDIR(st.st_mode))
			walk(t, p, depth + 1);
		else if (S_ISREG(st.st_mode) && n > 3 && !strcmp(e->d_name + n - 3, ".py"))
			add_file(t, p);
	}
	closedir(d);
}

int src_open(const char *dir, src_tree *t, buf *err)
{
	memset(t, 0, sizeof *t);
	t->dir = realpath(dir, NULL);
	if (!t->dir || !is_dir(t->dir)) {
		buf_printf(err, "'%s' is not a directory%s%s", dir, t->dir ? "" : ": ",
			   t->dir ? "" : strerror(errno));
		free(t->dir);
		t->dir = NULL;
		return -1;
	}
	/* the top package: for an installed one, the first folder under
	 * site-packages; else walk up while the parent is a package too */
	char *top = xstrdup(t->dir);
	const char *sp = strstr(t->dir, "/site-packages/");
	sp = sp ? sp : strstr(t->dir, "/dist-packages/");
	int installed = sp != NULL;
	if (installed) {
		size_t rl = (size_t)(sp - t->dir) + 14; /* up to ".../site-packages" */
		t->root = xstrndup(t->dir, rl);
		const char *name = t->dir + rl + 1;
		snprintf(t->package, sizeof t->package, "%.*s", (int)strcspn(name, "/"), name);
	} else if (has_init(top)) {
		for (;;) {
			char *up = parent_of(top);
			if (!strcmp(up, top) || !has_init(up)) {
				free(up);
				break;
			}
			free(top);
			top = up;
		}
		t->root = parent_of(top);
		const char *base = strrchr(top, '/');
		snprintf(t->package, sizeof t->package, "%s", base ? base + 1 : top);
	} else {
		t->root = xstrdup(t->dir);
		const char *base = strrchr(t->dir, '/');
		snprintf(t->package, sizeof t->package, "%s", base && base[1] ? base + 1 : t->dir);
	}
	snprintf(t->license, sizeof t->license, "unknown");
	dist_info(t);
	/* the checkout: .git in the SRC or up to 8 levels above it */
	char *at = xstrdup(t->dir), *git_top = NULL;
	for (int level = 0; level < 8 && !git_top && !installed; level++) {
		char g[PATH_MAX];
		snprintf(g, sizeof g, "%s/.git", at);
		if (path_exists(g)) {
			git_commit(t, at);
			git_top = xstrdup(at);
		}
		char *up = parent_of(at);
		int same = !strcmp(up, at);
		free(at);
		at = up;
		if (same)
			break;
	}
	/* the licence file: in the SRC, up to the sys.path entry, or at the
	 * checkout's top (package metadata first) */
	const char *id = NULL;
	free(at);
	at = xstrdup(t->dir);
	while (!strcmp(t->license, "unknown") && !id) {
		id = license_in(at);
		if (id || !strcmp(at, t->root) || strlen(at) <= strlen(t->root))
			break;
		char *up = parent_of(at);
		free(at);
		at = up;
	}
	if (!id && git_top && !strcmp(t->license, "unknown"))
		id = license_in(git_top);
	if (id)
		snprintf(t->license, sizeof t->license, "%s", id);
	free(git_top);
	free(at);
	free(top);
	walk(t, t->dir, 0);
	qsort(t->f, t->n, sizeof *t->f, cmp_file);
	return 0;
}

void src_free(src_tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->f[i].path);
		free(t->f[i].rel);
		free(t->f[i].module);
		free(t->f[i].category);
	}
	free(t->f);
	free(t->dir);
	free(t->root);
	memset(t, 0, sizeof *t);
}

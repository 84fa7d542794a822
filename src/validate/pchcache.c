/* pchcache: the builtin.h PCH kept between runs; see pchcache.h. */
#include "validate/pchcache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/buf.h"
#include "common/util.h"

#define GCH "builtin.h.gch"
#define LIB "libjswarm.so" /* the warm PCH's code, when the entry has one (cxx.c) */
#define SUM GCH ".xxh3" /* the digests of the PCH and its LIB: a damaged entry is dropped, not used */
#define STALE_STAGE_SECONDS 600

/* A directory of ours that only we can write, reached without a symlink. */
static int private_dir(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
	       (st.st_mode & 022) == 0;
}

/* mkdir -p with 0700 for the parts it creates. */
static int make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir(path, 0700);
		*p = '/';
		if (rc != 0 && errno != EEXIST)
			return -1;
	}
	return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

char *pchcache_root(void)
{
	const char *env = getenv("JITSYNTH_CACHE_DIR");
	buf root = BUF_INIT;
	if (env) {
		if (!*env || strcmp(env, "off") == 0)
			return NULL;
		buf_puts(&root, env);
	} else {
		const char *xdg = getenv("XDG_CACHE_HOME");
		const char *home = getenv("HOME");
		if (xdg && xdg[0] == '/')
			buf_printf(&root, "%s/jitsynth", xdg);
		else if (home && home[0] == '/')
			buf_printf(&root, "%s/.cache/jitsynth", home);
		else
			return NULL;
	}
	char *r = buf_detach(&root, NULL);
	if (r[0] != '/' || make_dirs(r) != 0 || !private_dir(r)) {
		free(r);
		return NULL;
	}
	return r;
}

static void cut(buf *b, size_t n)
{
	b->len = n;
	if (b->data)
		b->data[n] = '\0';
}

/* Adds to *sum, per regular file under path (depth-limited, no symlinks
 * followed), a hash of its name below the root, size and bytes: a sum, so
 * the order readdir gives does not matter. */
static void hash_tree(buf *path, size_t root_len, int depth, XXH64_hash_t *sum)
{
	DIR *d = depth < 8 ? opendir(buf_cstr(path)) : NULL;
	if (!d)
		return;
	struct dirent *e;
	size_t len = path->len;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		cut(path, len);
		buf_printf(path, "/%s", e->d_name);
		struct stat st;
		if (lstat(buf_cstr(path), &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			hash_tree(path, root_len, depth + 1, sum);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		XXH3_state_t *h = XXH3_createState();
		XXH3_64bits_reset(h);
		XXH3_64bits_update(h, buf_cstr(path) + root_len, path->len - root_len + 1);
		XXH3_64bits_update(h, &st.st_size, sizeof st.st_size);
		int fd = open(buf_cstr(path), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0) {
			char chunk[65536];
			ssize_t n;
			while ((n = read(fd, chunk, sizeof chunk)) > 0)
				XXH3_64bits_update(h, chunk, (size_t)n);
			close(fd);
		}
		*sum += XXH3_64bits_digest(h);
		XXH3_freeState(h);
	}
	cut(path, len);
	closedir(d);
}

void pchcache_key(char key[17], const char *compiler, const char *version, const char *const *flags,
		  int nflags, const char *native_dir)
{
	XXH3_state_t *h = XXH3_createState();
	XXH3_64bits_reset(h);
	char real[PATH_MAX];
	const char *c = realpath(compiler, real) ? real : compiler;
	XXH3_64bits_update(h, c, strlen(c) + 1);
	struct stat st;
	if (stat(c, &st) == 0) {
		XXH3_64bits_update(h, &st.st_size, sizeof st.st_size);
		XXH3_64bits_update(h, &st.st_mtim, sizeof st.st_mtim);
	}
	XXH3_64bits_update(h, version, strlen(version) + 1);
	for (int i = 0; i < nflags; i++)
		XXH3_64bits_update(h, flags[i], strlen(flags[i]) + 1);
	const char *n = realpath(native_dir, real) ? real : native_dir;
	XXH3_64bits_update(h, n, strlen(n) + 1);
	XXH64_hash_t sum = 0;
	buf tree = BUF_INIT;
	buf_puts(&tree, n);
	hash_tree(&tree, tree.len, 0, &sum);
	buf_free(&tree);
	XXH3_64bits_update(h, &sum, sizeof sum);
	snprintf(key, 17, "%016llx", (unsigned long long)XXH3_64bits_digest(h));
	XXH3_freeState(h);
}

/* "%016llx" of the XXH3 of the file at path, or "" when it cannot be read. */
static void file_digest(const char *path, char hex[17])
{
	hex[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	XXH3_state_t *h = XXH3_createState();
	XXH3_64bits_reset(h);
	char chunk[1 << 16];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		XXH3_64bits_update(h, chunk, (size_t)n);
	close(fd);
	if (n == 0)
		snprintf(hex, 17, "%016llx", (unsigned long long)XXH3_64bits_digest(h));
	XXH3_freeState(h);
}

/* "<PCH's digest>" or "<PCH's digest> <LIB's digest>" of the entry in
 * dir (hex: 16 or 33 characters and a NUL); empty when the PCH cannot be
 * read. */
static void entry_digest(const char *dir, char hex[34])
{
	buf p = BUF_INIT;
	buf_printf(&p, "%s/" GCH, dir);
	file_digest(buf_cstr(&p), hex);
	buf_reset(&p);
	buf_printf(&p, "%s/" LIB, dir);
	struct stat st;
	if (hex[0] && lstat(buf_cstr(&p), &st) == 0) {
		char lib[17] = "";
		if (S_ISREG(st.st_mode))
			file_digest(buf_cstr(&p), lib);
		if (lib[0])
			snprintf(hex + 16, 18, " %s", lib);
		else
			hex[0] = '\0'; /* a LIB that cannot be read: a damaged entry */
	}
	buf_free(&p);
}

char *pchcache_lookup(const char *root, const char *key)
{
	buf dir = BUF_INIT, gch = BUF_INIT;
	buf_printf(&dir, "%s/pch-%s", root, key);
	buf_printf(&gch, "%s/" GCH, buf_cstr(&dir));
	struct stat st;
	int ok = private_dir(buf_cstr(&dir)) && lstat(buf_cstr(&gch), &st) == 0 && S_ISREG(st.st_mode) &&
		 st.st_uid == geteuid() && st.st_size > 0;
	if (ok) {
		char want[40] = "", got[34];
		buf sum = BUF_INIT;
		buf_printf(&sum, "%s/" SUM, buf_cstr(&dir));
		FILE *f = fopen(buf_cstr(&sum), "re");
		if (f) {
			if (!fgets(want, sizeof want, f))
				want[0] = '\0';
			fclose(f);
		}
		buf_free(&sum);
		entry_digest(buf_cstr(&dir), got);
		if (!want[0] || strcmp(want, got) != 0) {
			pchcache_drop(buf_cstr(&dir));
			ok = 0;
		}
	}
	buf_free(&gch);
	if (!ok) {
		buf_free(&dir);
		return NULL;
	}
	return buf_detach(&dir, NULL);
}

void pchcache_drop(const char *stage)
{
	buf gch = BUF_INIT;
	buf_printf(&gch, "%s/" GCH, stage);
	unlink(buf_cstr(&gch));
	buf_reset(&gch);
	buf_printf(&gch, "%s/" SUM, stage);
	unlink(buf_cstr(&gch));
	buf_reset(&gch);
	buf_printf(&gch, "%s/" LIB, stage);
	unlink(buf_cstr(&gch));
	rmdir(stage);
	buf_free(&gch);
}

/* Stages left by runs killed mid-build: nothing else takes ten minutes. */
static void sweep_stages(const char *root)
{
	DIR *d = opendir(root);
	if (!d)
		return;
	time_t now = time(NULL);
	struct dirent *e;
	buf p = BUF_INIT;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "stage-", 6) != 0)
			continue;
		buf_reset(&p);
		buf_printf(&p, "%s/%s", root, e->d_name);
		struct stat st;
		if (lstat(buf_cstr(&p), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
		    now - st.st_mtime > STALE_STAGE_SECONDS)
			pchcache_drop(buf_cstr(&p));
	}
	buf_free(&p);
	closedir(d);
}

char *pchcache_stage(const char *root, const char *key)
{
	sweep_stages(root);
	buf dir = BUF_INIT;
	buf_printf(&dir, "%s/stage-%s-XXXXXX", root, key);
	char *s = buf_detach(&dir, NULL);
	if (!mkdtemp(s)) {
		free(s);
		return NULL;
	}
	return s;
}

char *pchcache_publish(const char *root, const char *key, const char *stage)
{
	buf dir = BUF_INIT, sum = BUF_INIT;
	buf_printf(&sum, "%s/" SUM, stage);
	char hex[34];
	entry_digest(stage, hex);
	FILE *f = hex[0] ? fopen(buf_cstr(&sum), "we") : NULL;
	int wrote = f && fputs(hex, f) >= 0;
	if (f && fclose(f) != 0)
		wrote = 0;
	buf_printf(&dir, "%s/pch-%s", root, key);
	if (!wrote) {
		unlink(buf_cstr(&sum));
		buf_free(&sum);
		pchcache_drop(stage);
		buf_free(&dir);
		return NULL;
	}
	buf_free(&sum);
	if (rename(stage, buf_cstr(&dir)) != 0) {
		/* ENOTEMPTY/EEXIST: another run was first; theirs is as good */
		pchcache_drop(stage);
		buf_free(&dir);
		return pchcache_lookup(root, key);
	}
	return buf_detach(&dir, NULL);
}

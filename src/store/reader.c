/* reader: see reader.h. One file is open at a time; lines go through one
 * reused buffer (never past READER_MAX_BYTES), zstd through one reused
 * stream, so memory does not grow with the dataset or with one long line.
 * Directory listings (names only) are the one exception. Every file is
 * opened through untrusted_open: regular files only. */
#include "store/reader.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "common/untrusted.h"
#include "common/util.h"
#include "store/layout.h"

enum { CHUNK = 1 << 17 };
#define MAX_MIB (READER_MAX_BYTES >> 20)

typedef struct name_list {
	char **v;
	size_t n, cap;
} name_list;

struct reader {
	reader_layout layout;
	char *dir;
	json_t *manifest;
	name_list files; /* jitsynth shards, or the one file */
	const void *mem; /* reader_open_mem: the one file's bytes */
	size_t mem_len;
	size_t next_file;
	char *pending; /* a message to hand out before the next record */

	/* the open shard */
	FILE *f;
	const char *name;
	size_t lineno;
	ZSTD_DCtx *dz;
	unsigned char *in;
	ZSTD_inBuffer zin;
	size_t zlast; /* last ZSTD_decompressStream result: 0 at a frame end */
	unsigned char *chunk;
	size_t chunk_len, chunk_pos;
	buf line;
	json_t *json;
	int raw; /* reader_set_raw: lines as they are, no JSON parsed */

	/* seed layout */
	name_list cpu, cuda;
	size_t icpu, icuda;
	buf text2;
	buf fname;
};

static void names_add(name_list *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = xstrdup(s);
}

static void names_free(name_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

static int cmp_names(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

static int has_suffix(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);
	return n >= m && !memcmp(s + n - m, sfx, m);
}

static int is_pair_name(const char *s) { return !strncmp(s, "pair_", 5) && has_suffix(s, ".json"); }

/* Names in dir accepted by keep, sorted; -1 if dir cannot be opened. */
static int list_dir(const char *dir, int (*keep)(const char *), name_list *out)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct dirent *e;
	while ((e = readdir(d)))
		if (keep(e->d_name))
			names_add(out, e->d_name);
	closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof *out->v, cmp_names);
	return 0;
}

/* "manifest.json: WHAT; reading train-* files instead", handed out first. */
static void set_pending(reader *r, const char *what)
{
	buf m = BUF_INIT;
	buf_printf(&m, "manifest.json: %s; reading train-* files instead", what);
	free(r->pending);
	r->pending = buf_detach(&m, NULL);
}

static int safe_relative(const char *s) { return *s && *s != '/' && !strstr(s, ".."); }

/* The shard list from the manifest; 0 if it lists them, -1 otherwise. */
static int files_from_manifest(reader *r)
{
	json_t *sh = json_object_get(r->manifest, "shards");
	if (!json_is_array(sh))
		return -1;
	size_t i;
	json_t *v;
	json_array_foreach(sh, i, v)
	{
		const char *f = json_string_value(json_object_get(v, "file"));
		if (f && safe_relative(f))
			names_add(&r->files, f);
	}
	return 0;
}

static void load_manifest(reader *r)
{
	buf p = BUF_INIT, why = BUF_INIT;
	buf_printf(&p, "%s/manifest.json", r->dir);
	json_error_t e;
	off_t size = 0;
	FILE *f = path_exists(p.data) ? untrusted_fopen(p.data, &size, &why) : NULL;
	if (!f && why.len)
		set_pending(r, why.data);
	else if (f && (size_t)size > READER_MAX_BYTES) {
		buf_printf(&why, "larger than %zu MiB, not read", MAX_MIB);
		set_pending(r, why.data);
	} else if (f) {
		r->manifest = json_loadf(f, 0, &e);
		if (!r->manifest) {
			buf_printf(&why, "invalid JSON (%s)", e.text);
			set_pending(r, why.data);
		} else if (!json_is_object(r->manifest)) {
			json_decref(r->manifest);
			r->manifest = NULL;
		}
	}
	if (f)
		fclose(f);
	buf_free(&p);
	buf_free(&why);
}

static int open_seed(reader *r)
{
	buf p = BUF_INIT;
	buf_printf(&p, "%s/cpu", r->dir);
	list_dir(p.data, is_pair_name, &r->cpu);
	buf_reset(&p);
	buf_printf(&p, "%s/cuda", r->dir);
	list_dir(p.data, is_pair_name, &r->cuda);
	buf_free(&p);
	if (r->cpu.n)
		names_add(&r->files, "cpu/");
	if (r->cuda.n)
		names_add(&r->files, "cuda/");
	return r->cpu.n || r->cuda.n ? 0 : -1;
}

static reader *reader_new(reader_layout layout, const char *dir)
{
	reader *r = xcalloc(1, sizeof *r);
	r->layout = layout;
	r->dir = xstrdup(dir);
	r->chunk = xmalloc(CHUNK);
	return r;
}

reader *reader_open(const char *dir, buf *err)
{
	struct stat st;
	if (stat(dir, &st) != 0) {
		buf_printf(err, "cannot open '%s': %s", dir, strerror(errno));
		return NULL;
	}
	if (!S_ISDIR(st.st_mode)) {
		buf_printf(err, "'%s' is not a directory (give the dataset's directory)", dir);
		return NULL;
	}
	reader *r = reader_new(READER_JITSYNTH, dir);
	load_manifest(r);
	if (r->manifest && files_from_manifest(r) == 0)
		return r;
	if (list_dir(dir, layout_is_shard, &r->files) < 0) {
		buf_printf(err, "cannot read directory '%s': %s", dir, strerror(errno));
		reader_close(r);
		return NULL;
	}
	if (r->files.n || r->manifest)
		return r;
	r->layout = READER_SEED;
	if (open_seed(r) == 0)
		return r;
	buf_printf(err, "'%s' holds no dataset: no manifest.json, train-*.jsonl[.zst] or cpu|cuda/pair_*.json", dir);
	reader_close(r);
	return NULL;
}

reader *reader_open_file(const char *path, buf *err)
{
	buf why = BUF_INIT;
	int fd = untrusted_open(path, NULL, &why);
	if (fd < 0) {
		buf_printf(err, "%s: %s", path, why.data);
		buf_free(&why);
		return NULL;
	}
	close(fd);
	const char *slash = strrchr(path, '/');
	buf d = BUF_INIT;
	if (slash)
		buf_append(&d, path, (size_t)(slash - path));
	else
		buf_putc(&d, '.');
	reader *r = reader_new(READER_FILE, d.data);
	buf_free(&d);
	names_add(&r->files, slash ? slash + 1 : path);
	return r;
}

reader *reader_open_mem(const void *data, size_t len, const char *name, buf *err)
{
	(void)err;
	reader *r = reader_new(READER_FILE, ".");
	r->mem = data ? data : ""; /* non-NULL: marks the reader as in-memory */
	r->mem_len = len;
	names_add(&r->files, name);
	return r;
}

static void close_file(reader *r)
{
	if (r->f)
		fclose(r->f);
	r->f = NULL;
	r->chunk_len = r->chunk_pos = 0;
}

static int open_file(reader *r, const char *name, buf *msg)
{
	buf p = BUF_INIT, why = BUF_INIT;
	buf_printf(&p, "%s/%s", r->dir, name);
	if (r->mem && !(r->f = fmemopen((void *)r->mem, r->mem_len, "rb")))
		buf_printf(&why, "cannot open: %s", strerror(errno));
	else if (!r->mem)
		r->f = untrusted_fopen(p.data, NULL, &why);
	buf_free(&p);
	r->name = name;
	r->lineno = 0;
	r->chunk_len = r->chunk_pos = 0;
	if (!r->f) {
		buf_printf(msg, "%s: %s", name, why.data);
		buf_free(&why);
		return -1;
	}
	buf_free(&why);
	if (has_suffix(name, ".zst")) {
		if (!r->dz) {
			r->dz = ZSTD_createDCtx();
			r->in = xmalloc(ZSTD_DStreamInSize());
		}
		ZSTD_DCtx_reset(r->dz, ZSTD_reset_session_only);
		r->zin = (ZSTD_inBuffer){r->in, 0, 0};
		r->zlast = 0;
	}
	return 0;
}

/* Refills the chunk with the file's (decompressed) bytes: >0, 0 at the end,
 * -1 with msg on a read or zstd error. */
static long fill_zstd(reader *r, buf *msg)
{
	for (;;) {
		if (r->zin.pos == r->zin.size) {
			size_t n = fread(r->in, 1, ZSTD_DStreamInSize(), r->f);
			if (n == 0) {
				if (ferror(r->f))
					return buf_printf(msg, "%s: read error: %s", r->name, strerror(errno)), -1;
				if (r->zlast != 0)
					return buf_printf(msg, "%s: truncated zstd stream after line %zu", r->name,
							  r->lineno),
					       -1;
				return 0;
			}
			r->zin = (ZSTD_inBuffer){r->in, n, 0};
		}
		ZSTD_outBuffer out = {r->chunk, CHUNK, 0};
		r->zlast = ZSTD_decompressStream(r->dz, &out, &r->zin);
		if (ZSTD_isError(r->zlast))
			return buf_printf(msg, "%s: corrupt zstd data after line %zu: %s", r->name, r->lineno,
					  ZSTD_getErrorName(r->zlast)),
			       -1;
		if (out.pos)
			return (long)out.pos;
	}
}

static long fill(reader *r, buf *msg)
{
	if (has_suffix(r->name, ".zst"))
		return fill_zstd(r, msg);
	size_t n = fread(r->chunk, 1, CHUNK, r->f);
	if (n == 0 && ferror(r->f))
		return buf_printf(msg, "%s: read error: %s", r->name, strerror(errno)), -1;
	return (long)n;
}

/* The next line into r->line: 1 a line, 2 a line too long (skipped), 0 the
 * end of the file, -1 an error (msg). */
static int next_line(reader *r, buf *msg)
{
	buf_reset(&r->line);
	int any = 0, toolong = 0;
	for (;;) {
		if (r->chunk_pos == r->chunk_len) {
			long n = fill(r, msg);
			if (n < 0)
				return -1;
			if (n == 0)
				break;
			r->chunk_len = (size_t)n;
			r->chunk_pos = 0;
		}
		const unsigned char *s = r->chunk + r->chunk_pos;
		size_t avail = r->chunk_len - r->chunk_pos;
		const unsigned char *nl = memchr(s, '\n', avail);
		size_t take = nl ? (size_t)(nl - s) + 1 : avail;
		any = 1;
		if (!toolong && r->line.len + take > READER_MAX_BYTES) {
			toolong = 1;
			buf_free(&r->line);
		}
		if (!toolong)
			buf_append(&r->line, s, take);
		r->chunk_pos += take;
		if (nl)
			break;
	}
	if (!any)
		return 0;
	r->lineno++;
	return toolong ? 2 : 1;
}

static int blank(const buf *b)
{
	for (size_t i = 0; i < b->len; i++)
		if (!strchr(" \t\r\n", b->data[i]))
			return 0;
	return 1;
}

static void drop_json(reader *r)
{
	if (r->json)
		json_decref(r->json);
	r->json = NULL;
}

/* Parses r->line; READER_OK with rec filled, or READER_BAD with msg. */
static int parse_line(reader *r, reader_record *rec, buf *msg)
{
	json_error_t e;
	r->json = json_loadb(r->line.data, r->line.len, 0, &e);
	if (!r->json)
		return buf_printf(msg, "%s:%zu: invalid JSON: %s", r->name, r->lineno, e.text), READER_BAD;
	if (!json_is_object(r->json)) {
		drop_json(r);
		return buf_printf(msg, "%s:%zu: not a JSON object", r->name, r->lineno), READER_BAD;
	}
	if (r->layout != READER_FILE && !json_is_string(json_object_get(r->json, "python_source"))) {
		drop_json(r);
		return buf_printf(msg, "%s:%zu: not a record (no python_source string)", r->name, r->lineno),
		       READER_BAD;
	}
	*rec = (reader_record){r->json, r->line.data, r->line.len, r->name, r->lineno};
	return READER_OK;
}

static int next_jsonl(reader *r, reader_record *rec, buf *msg)
{
	for (;;) {
		if (!r->f) {
			if (r->next_file == r->files.n)
				return READER_END;
			if (open_file(r, r->files.v[r->next_file++], msg) < 0)
				return READER_BAD;
		}
		int rc = next_line(r, msg);
		if (rc == 0) {
			close_file(r);
			continue;
		}
		if (rc < 0) {
			close_file(r);
			return READER_BAD;
		}
		if (rc == 2)
			return buf_printf(msg, "%s:%zu: line longer than %zu MiB (the most a reader takes), "
					  "not read", r->name, r->lineno, MAX_MIB),
			       READER_BAD;
		if (r->raw) {
			*rec = (reader_record){NULL, r->line.data, r->line.len, r->name, r->lineno};
			return READER_OK;
		}
		if (blank(&r->line))
			continue;
		return parse_line(r, rec, msg);
	}
}

/* Reads DIR/<dev>/<name> into text; json the seed pair or NULL with msg. */
static json_t *seed_load(reader *r, const char *dev, const char *name, buf *text, buf *msg)
{
	buf_reset(&r->fname);
	buf_printf(&r->fname, "%s/%s", dev, name);
	buf p = BUF_INIT, why = BUF_INIT;
	buf_printf(&p, "%s/%s", r->dir, r->fname.data);
	off_t size = 0;
	FILE *f = untrusted_fopen(p.data, &size, &why);
	buf_free(&p);
	buf_reset(text);
	if (!f) {
		buf_printf(msg, "%s:1: %s", r->fname.data, why.data);
		buf_free(&why);
		return NULL;
	}
	size_t n;
	while ((size_t)size <= READER_MAX_BYTES && (n = fread(r->chunk, 1, CHUNK, f)) > 0 &&
	       text->len + n <= READER_MAX_BYTES)
		buf_append(text, r->chunk, n);
	int toolong = (size_t)size > READER_MAX_BYTES || (!feof(f) && !ferror(f));
	fclose(f);
	if (toolong)
		return buf_printf(msg, "%s:1: larger than %zu MiB (the most a reader takes), not read",
				  r->fname.data, MAX_MIB),
		       NULL;
	json_error_t e;
	json_t *j = json_loadb(text->data ? text->data : "", text->len, 0, &e);
	if (!j)
		return buf_printf(msg, "%s:%d: invalid JSON: %s", r->fname.data, e.line, e.text), NULL;
	if (!json_is_string(json_object_get(j, "python_source")) ||
	    !json_is_string(json_object_get(j, "cpp_forward"))) {
		json_decref(j);
		return buf_printf(msg, "%s:1: not a seed pair (needs python_source and cpp_forward strings)",
				  r->fname.data),
		       NULL;
	}
	return j;
}

/* The seed pair in jitsynth's schema, with ir.<dev> only. */
static json_t *seed_record(json_t *pair, const char *dev)
{
	json_t *md = json_object_get(pair, "metadata");
	json_t *rec = json_object();
	const char *kn = json_string_value(json_object_get(md, "kernel_name"));
	const char *cat = json_string_value(json_object_get(md, "category"));
	json_object_set_new(rec, "kernel_name", json_string(kn ? kn : ""));
	json_object_set_new(rec, "category", json_string(cat ? cat : "unknown"));
	json_object_set(rec, "python_source", json_object_get(pair, "python_source"));
	json_t *ir = json_object();
	json_object_set_new(ir, dev, json_pack("{s:O}", "forward", json_object_get(pair, "cpp_forward")));
	json_object_set_new(rec, "ir", ir);
	json_object_set_new(rec, "meta", json_pack("{s:s}", "layout", "seed"));
	return rec;
}

static int seed_single(reader *r, const char *dev, const char *name, reader_record *rec, buf *msg)
{
	json_t *pair = seed_load(r, dev, name, &r->line, msg);
	if (!pair)
		return READER_BAD;
	r->json = seed_record(pair, dev);
	json_decref(pair);
	*rec = (reader_record){r->json, r->line.data, r->line.len, r->fname.data, 1};
	return READER_OK;
}

/* cpu/NAME and cuda/NAME: one record if they hold the same kernel. */
static int seed_both(reader *r, const char *name, reader_record *rec, buf *msg)
{
	buf m2 = BUF_INIT;
	json_t *cu = seed_load(r, "cuda", name, &r->text2, &m2);
	buf_free(&m2);
	int rc = seed_single(r, "cpu", name, rec, msg);
	r->icpu++;
	/* Joined, the two would make a record longer than a line may be: the
	 * cuda file becomes a record of its own on the next call. */
	if (cu && r->line.len + r->text2.len > READER_MAX_BYTES) {
		json_decref(cu);
		cu = NULL;
	}
	if (rc != READER_OK || !cu) {
		if (cu)
			json_decref(cu);
		return rc;
	}
	json_t *md = json_object_get(cu, "metadata");
	if (json_equal(json_object_get(cu, "python_source"), json_object_get(r->json, "python_source")) &&
	    json_equal(json_object_get(md, "kernel_name"), json_object_get(r->json, "kernel_name"))) {
		json_object_set_new(json_object_get(r->json, "ir"), "cuda",
				    json_pack("{s:O}", "forward", json_object_get(cu, "cpp_forward")));
		r->icuda++;
	}
	json_decref(cu);
	return READER_OK;
}

static int next_seed(reader *r, reader_record *rec, buf *msg)
{
	int hc = r->icpu < r->cpu.n, hg = r->icuda < r->cuda.n;
	if (!hc && !hg)
		return READER_END;
	int c = hc && hg ? strverscmp(r->cpu.v[r->icpu], r->cuda.v[r->icuda]) : hc ? -1 : 1;
	if (c == 0)
		return seed_both(r, r->cpu.v[r->icpu], rec, msg);
	if (c < 0)
		return seed_single(r, "cpu", r->cpu.v[r->icpu++], rec, msg);
	return seed_single(r, "cuda", r->cuda.v[r->icuda++], rec, msg);
}

int reader_next(reader *r, reader_record *rec, buf *msg)
{
	drop_json(r);
	memset(rec, 0, sizeof *rec);
	if (r->pending) {
		buf_puts(msg, r->pending);
		free(r->pending);
		r->pending = NULL;
		return READER_BAD;
	}
	return r->layout == READER_SEED ? next_seed(r, rec, msg) : next_jsonl(r, rec, msg);
}

void reader_set_raw(reader *r) { r->raw = r->layout != READER_SEED; }
reader_layout reader_get_layout(const reader *r) { return r->layout; }
const json_t *reader_manifest(const reader *r) { return r->manifest; }
size_t reader_nfiles(const reader *r) { return r->files.n; }
const char *reader_file(const reader *r, size_t i) { return i < r->files.n ? r->files.v[i] : NULL; }

void reader_close(reader *r)
{
	if (!r)
		return;
	drop_json(r);
	close_file(r);
	if (r->manifest)
		json_decref(r->manifest);
	if (r->dz)
		ZSTD_freeDCtx(r->dz);
	free(r->in);
	free(r->chunk);
	free(r->pending);
	free(r->dir);
	names_free(&r->files);
	names_free(&r->cpu);
	names_free(&r->cuda);
	buf_free(&r->line);
	buf_free(&r->text2);
	buf_free(&r->fname);
	free(r);
}

const char *reader_str(const json_t *obj, const char *key, size_t *len)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		return NULL;
	if (len)
		*len = json_string_length(v);
	return json_string_value(v);
}

const char *reader_forward(const json_t *rec, const char *device, size_t *len)
{
	return reader_str(json_object_get(json_object_get(rec, "ir"), device), "forward", len);
}

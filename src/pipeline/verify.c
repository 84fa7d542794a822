/* verify: a dataset against its manifest and journal (see verify.h). Every
 * file is read once, in constant memory: hashed (OpenSSL's EVP SHA-256) and
 * its lines counted, through a streaming zstd decoder for .zst shards. */
#include "pipeline/verify.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "common/util.h"
#include "store/journal.h"
#include "store/layout.h"
#include "store/lock.h"

/* ---- one file ---- */

static void hex(const unsigned char *md, unsigned n, char *out)
{
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static uint64_t count_nl(const void *p, size_t n)
{
	uint64_t c = 0;
	for (const char *s = p, *end = s + n; (s = memchr(s, '\n', (size_t)(end - s))); s++)
		c++;
	return c;
}

int verify_file(const char *path, int zst, uint64_t limit, verify_facts *f, buf *why)
{
	memset(f, 0, sizeof *f);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		buf_puts(why, errno == ENOENT  ? "missing"
			      : errno == ELOOP ? "a symbolic link, not a file"
					       : strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		buf_puts(why, "not a regular file");
		close(fd);
		return -1;
	}
	EVP_MD_CTX *sha = EVP_MD_CTX_new();
	EVP_DigestInit_ex(sha, EVP_sha256(), NULL);
	ZSTD_DCtx *dz = zst && limit == UINT64_MAX ? ZSTD_createDCtx() : NULL;
	size_t zcap = dz ? ZSTD_DStreamOutSize() : 0;
	unsigned char *zout = dz ? xmalloc(zcap) : NULL;
	size_t zleft = 0; /* what the decoder still wants: nonzero at the end means a cut frame */
	int zbad = 0, rc = 0;
	static const size_t chunk = 1 << 16;
	unsigned char *in = xmalloc(chunk);
	uint64_t hashed = 0;
	for (;;) {
		ssize_t n = read(fd, in, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_printf(why, "cannot be read: %s", strerror(errno));
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		f->bytes += (uint64_t)n;
		size_t take = limit - hashed < (uint64_t)n ? (size_t)(limit - hashed) : (size_t)n;
		EVP_DigestUpdate(sha, in, take);
		hashed += take;
		if (!zst) {
			f->lines += count_nl(in, take);
		} else if (dz && !zbad) {
			ZSTD_inBuffer ib = {in, take, 0};
			while (ib.pos < ib.size) {
				ZSTD_outBuffer ob = {zout, zcap, 0};
				zleft = ZSTD_decompressStream(dz, &ob, &ib);
				if (ZSTD_isError(zleft)) {
					zbad = 1;
					break;
				}
				f->lines += count_nl(zout, ob.pos);
			}
		}
	}
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	EVP_DigestFinal_ex(sha, md, &mdlen);
	hex(md, mdlen, f->sha256);
	EVP_MD_CTX_free(sha);
	if (rc == 0 && dz && (zbad || zleft != 0)) {
		buf_puts(why, "not a valid zstd stream");
		rc = -1;
	}
	ZSTD_freeDCtx(dz);
	free(zout);
	free(in);
	close(fd);
	return rc;
}

static int is_zst(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && !strcmp(name + n - 4, ".zst");
}

int verify_shard(const char *dir, const shard_info *want, const char *by, buf *why)
{
	buf path = BUF_INIT, what = BUF_INIT;
	buf_printf(&path, "%s/%s", dir, want->name);
	verify_facts f;
	int rc = verify_file(path.data, is_zst(want->name), UINT64_MAX, &f, &what);
	if (rc < 0) {
		buf_printf(why, "%s: %s (%s lists it)", path.data, what.data, by);
	} else if (f.bytes != want->bytes || strcmp(f.sha256, want->sha256) || f.lines != want->records) {
		buf_printf(why, "%s: differs from what %s says:", path.data, by);
		if (f.bytes != want->bytes)
			buf_printf(why, " %llu bytes, not %zu;", (unsigned long long)f.bytes, want->bytes);
		if (strcmp(f.sha256, want->sha256))
			buf_printf(why, " SHA-256 %.12s..., not %.12s...;", f.sha256, want->sha256);
		if (f.lines != want->records)
			buf_printf(why, " %llu records, not %zu;", (unsigned long long)f.lines,
				   want->records);
		why->data[--why->len] = '\0'; /* the last ';' */
		buf_puts(why, " (the file was changed after it was written)");
		rc = -1;
	}
	buf_free(&path);
	buf_free(&what);
	return rc;
}

/* ---- the dataset ---- */

typedef struct vstate {
	const char *dir;
	verify_report_fn *report;
	void *ctx;
	verify_result *res;
	shard_info *listed; /* the manifest's shards, each name once */
	size_t nlisted;
	const char *warp; /* the manifest's warp_version, or NULL */
} vstate;

static void mismatch(vstate *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mismatch(vstate *v, const char *fmt, ...)
{
	buf line = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&line, fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < line.len; i++) /* one line each, whatever a file holds */
		if (line.data[i] == '\n' || line.data[i] == '\r')
			line.data[i] = ' ';
	v->res->mismatches++;
	if (v->report)
		v->report(line.data, v->ctx);
	buf_free(&line);
}

static const shard_info *find_listed(const vstate *v, const char *name)
{
	for (size_t i = 0; i < v->nlisted; i++)
		if (!strcmp(v->listed[i].name, name))
			return &v->listed[i];
	return NULL;
}

static int is_sha_hex(const char *s)
{
	if (!s || strlen(s) != 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

static int get_count(const json_t *o, const char *key, uint64_t *out)
{
	json_t *x = json_object_get(o, key);
	if (!json_is_integer(x) || json_integer_value(x) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(x);
	return 0;
}

/* The manifest's shard list into v->listed, each entry checked for shape. */
static void read_listed(vstate *v, const json_t *m)
{
	json_t *sh = json_object_get(m, "shards");
	if (!json_is_array(sh)) {
		mismatch(v, "%s/" LAYOUT_MANIFEST ": no \"shards\" list", v->dir);
		return;
	}
	v->listed = xcalloc(json_array_size(sh) + 1, sizeof *v->listed);
	size_t i;
	json_t *e;
	json_array_foreach(sh, i, e)
	{
		const char *file = json_string_value(json_object_get(e, "file"));
		const char *sha = json_string_value(json_object_get(e, "sha256"));
		uint64_t recs, bytes;
		if (!file || strlen(file) >= sizeof v->listed->name || layout_name_unsafe(file)) {
			mismatch(v, "%s/" LAYOUT_MANIFEST ": shards[%zu] names no file of this directory",
				 v->dir, i);
			continue;
		}
		if (find_listed(v, file)) {
			mismatch(v,
				 "%s/" LAYOUT_MANIFEST
				 ": lists '%s' more than once (each of its records would count twice)",
				 v->dir, file);
			continue;
		}
		if (!is_sha_hex(sha) || get_count(e, "records", &recs) < 0 ||
		    get_count(e, "bytes", &bytes) < 0) {
			mismatch(v,
				 "%s/" LAYOUT_MANIFEST
				 ": shards[%zu] ('%s') lacks its records, bytes or SHA-256",
				 v->dir, i, file);
			continue;
		}
		shard_info *s = &v->listed[v->nlisted++];
		snprintf(s->name, sizeof s->name, "%s", file);
		memcpy(s->sha256, sha, 65);
		s->records = (size_t)recs;
		s->bytes = (size_t)bytes;
	}
}

static void check_listed(vstate *v)
{
	uint64_t total = 0;
	for (size_t i = 0; i < v->nlisted; i++) {
		buf why = BUF_INIT;
		if (verify_shard(v->dir, &v->listed[i], LAYOUT_MANIFEST, &why) < 0)
			mismatch(v, "%s", buf_cstr(&why));
		buf_free(&why);
		total += v->listed[i].records;
		v->res->shards++;
	}
	v->res->records = total;
}

/* rejects.jsonl against the manifest's "rejects" (absent in merged ones). */
static void check_rejects(vstate *v, const json_t *m, uint64_t *records)
{
	json_t *rj = json_object_get(m, "rejects");
	if (!rj)
		return;
	const char *file = json_string_value(json_object_get(rj, "file"));
	const char *sha = json_string_value(json_object_get(rj, "sha256"));
	uint64_t want;
	if (!file || layout_name_unsafe(file) || !is_sha_hex(sha) || get_count(rj, "records", &want) < 0) {
		mismatch(v,
			 "%s/" LAYOUT_MANIFEST ": its \"rejects\" entry lacks the file, records or SHA-256",
			 v->dir);
		return;
	}
	*records = want;
	buf path = BUF_INIT, why = BUF_INIT;
	buf_printf(&path, "%s/%s", v->dir, file);
	verify_facts f;
	if (verify_file(path.data, is_zst(file), UINT64_MAX, &f, &why) < 0)
		mismatch(v, "%s: %s (" LAYOUT_MANIFEST " lists it)", path.data, buf_cstr(&why));
	else if (strcmp(f.sha256, sha) || f.lines != want)
		mismatch(v,
			 "%s: differs from what " LAYOUT_MANIFEST
			 " says:%s%s (the file was changed after it was written)",
			 path.data, strcmp(f.sha256, sha) ? " its SHA-256" : "",
			 f.lines != want ? ", its count of lines" : "");
	else
		v->res->rejects = f.lines;
	buf_free(&path);
	buf_free(&why);
}

static void check_counts(vstate *v, const json_t *m, uint64_t rejects)
{
	json_t *c = json_object_get(m, "counts");
	uint64_t n;
	if (json_object_get(c, "records") && (get_count(c, "records", &n) < 0 || n != v->res->records)) {
		json_t *x = json_object_get(c, "records");
		mismatch(v, "%s/" LAYOUT_MANIFEST ": counts.records says %lld, its shards hold %llu records",
			 v->dir, json_is_integer(x) ? (long long)json_integer_value(x) : -1LL,
			 (unsigned long long)v->res->records);
	}
	if (json_object_get(m, "rejects") && json_object_get(c, "rejects") &&
	    (get_count(c, "rejects", &n) < 0 || n != rejects))
		mismatch(v,
			 "%s/" LAYOUT_MANIFEST
			 ": counts.rejects differs from the lines of its rejects file (%llu)",
			 v->dir, (unsigned long long)rejects);
}

/* Shard files in dir that nothing lists; `next` is a killed run's shard in
 * the making (the journal's next), SIZE_MAX if none. */
static void check_extra(vstate *v, const journal *j, size_t next)
{
	DIR *d = opendir(v->dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t index;
		int strict = layout_shard_index(e->d_name, &index, NULL);
		if (!strict && !layout_is_shard(e->d_name))
			continue;
		int listed = v->res->have_manifest ? find_listed(v, e->d_name) != NULL : 0;
		for (size_t i = 0; j && !listed && i < j->n; i++)
			listed = !strcmp(j->entries[i].shard.name, e->d_name);
		if (!listed && !(strict && index == next))
			mismatch(v, "%s/%s: a shard %s does not list", v->dir, e->d_name,
				 v->res->have_manifest ? LAYOUT_MANIFEST : LAYOUT_JOURNAL);
	}
	if (d)
		closedir(d);
}

/* The journal's options that decide file names and content, against the manifest's. */
static void check_options(vstate *v, const json_t *jopt, const json_t *mopt)
{
	static const char *const keys[] = {"n", "seed", "shard_size", "format"};
	for (size_t i = 0; mopt && i < sizeof keys / sizeof *keys; i++)
		if (!json_equal(json_object_get(jopt, keys[i]), json_object_get(mopt, keys[i]))) {
			mismatch(
			    v, "%s/" LAYOUT_JOURNAL ": its option \"%s\" differs from " LAYOUT_MANIFEST "'s",
			    v->dir, keys[i]);
			return;
		}
}

/* The prefix of the rejects file the journal's last entry vouches for. */
static void check_rejects_prefix(vstate *v, const journal_entry *last)
{
	if (!last->rejects_sha256[0] || last->rejects_bytes == 0)
		return; /* an older journal (no checksum to compare), or nothing vouched for */
	buf path = BUF_INIT, why = BUF_INIT;
	buf_printf(&path, "%s/" LAYOUT_REJECTS, v->dir);
	if (!v->res->complete && !path_exists(path.data)) {
		buf_reset(&path);
		buf_printf(&path, "%s/" LAYOUT_REJECTS_TMP, v->dir);
	}
	verify_facts f;
	if (verify_file(path.data, 0, last->rejects_bytes, &f, &why) < 0)
		mismatch(v, "%s: %s (" LAYOUT_JOURNAL " vouches for its first %llu bytes)", path.data,
			 buf_cstr(&why), (unsigned long long)last->rejects_bytes);
	else if (f.bytes < last->rejects_bytes || strcmp(f.sha256, last->rejects_sha256))
		mismatch(v, "%s: its first %llu bytes differ from what " LAYOUT_JOURNAL " recorded (%s)",
			 path.data, (unsigned long long)last->rejects_bytes,
			 f.bytes < last->rejects_bytes ? "it is shorter" : "SHA-256");
	buf_free(&path);
	buf_free(&why);
}

static void check_journal(vstate *v, const json_t *m, journal *j)
{
	const char *first_warp = NULL;
	for (size_t i = 0; i < j->n; i++) {
		const journal_entry *e = &j->entries[i];
		char want[64];
		layout_shard_name(want, sizeof want, i);
		size_t idx;
		int zst;
		if (!layout_shard_index(e->shard.name, &idx, &zst) || idx != i) {
			mismatch(v, "%s/" LAYOUT_JOURNAL ": entry %zu names '%s', not the run's shard %s",
				 v->dir, i + 1, e->shard.name, want);
			continue;
		}
		if (e->warp_version[0] && v->warp && strcmp(e->warp_version, v->warp))
			mismatch(v,
				 "%s/%s: made with Warp %s (" LAYOUT_JOURNAL "), but " LAYOUT_MANIFEST
				 " says %s",
				 v->dir, e->shard.name, e->warp_version, v->warp);
		else if (e->warp_version[0] && first_warp && strcmp(e->warp_version, first_warp))
			mismatch(v, "%s/%s: made with Warp %s, earlier shards with %s (" LAYOUT_JOURNAL ")",
				 v->dir, e->shard.name, e->warp_version, first_warp);
		if (e->warp_version[0] && !first_warp)
			first_warp = e->warp_version;
		if (!v->res->have_manifest) {
			buf why = BUF_INIT;
			if (verify_shard(v->dir, &e->shard, LAYOUT_JOURNAL, &why) < 0)
				mismatch(v, "%s", buf_cstr(&why));
			buf_free(&why);
			v->res->shards++;
			v->res->records += e->shard.records;
			continue;
		}
		const shard_info *s = find_listed(v, e->shard.name);
		if (!s)
			mismatch(v, "%s/%s: " LAYOUT_JOURNAL " lists it, " LAYOUT_MANIFEST " does not",
				 v->dir, e->shard.name);
		else if (s->records != e->shard.records || s->bytes != e->shard.bytes ||
			 strcmp(s->sha256, e->shard.sha256))
			mismatch(v,
				 "%s/%s: " LAYOUT_JOURNAL " and " LAYOUT_MANIFEST
				 " disagree on its size, records or SHA-256",
				 v->dir, e->shard.name);
	}
	/* every shard but the run's last (which may be partial) was journaled */
	for (size_t i = 0; v->res->have_manifest && i + 1 < v->nlisted; i++) {
		int found = 0;
		for (size_t k = 0; k < j->n && !found; k++)
			found = !strcmp(j->entries[k].shard.name, v->listed[i].name);
		if (!found)
			mismatch(v, "%s/%s: " LAYOUT_MANIFEST " lists it, " LAYOUT_JOURNAL " does not",
				 v->dir, v->listed[i].name);
	}
	if (m)
		check_options(v, j->options, json_object_get(m, "options"));
	if (j->n)
		check_rejects_prefix(v, &j->entries[j->n - 1]);
}

int verify_dataset(const char *dir, verify_report_fn *report, void *ctx, verify_result *res, buf *err)
{
	memset(res, 0, sizeof *res);
	pid_t pid;
	if (lock_probe(dir, &pid)) {
		buf_printf(err, "'%s' is being written by jitsynth (pid %ld); verify it when that run ends",
			   dir, (long)pid);
		return -1;
	}
	vstate v = {.dir = dir, .report = report, .ctx = ctx, .res = res};
	buf p = BUF_INIT;
	buf_printf(&p, "%s/" LAYOUT_MANIFEST, dir);
	int have_m = path_exists(p.data);
	buf_reset(&p);
	buf_printf(&p, "%s/" LAYOUT_JOURNAL, dir);
	int have_j = path_exists(p.data);
	buf_free(&p);
	if (!have_m && !have_j) {
		DIR *d = opendir(dir);
		if (d)
			buf_printf(err,
				   "'%s' holds no jitsynth dataset (no " LAYOUT_MANIFEST
				   ", no " LAYOUT_JOURNAL
				   "): verify checks what `jitsynth generate` or `merge` wrote",
				   dir);
		else
			buf_printf(err, "cannot read '%s': %s (check the path)", dir, strerror(errno));
		if (d)
			closedir(d);
		return -1;
	}

	json_t *m = NULL;
	if (have_m) {
		json_error_t je;
		buf mp = BUF_INIT;
		buf_printf(&mp, "%s/" LAYOUT_MANIFEST, dir);
		verify_facts f;
		buf why = BUF_INIT;
		if (verify_file(mp.data, 0, 0, &f, &why) < 0) /* a regular file, not a FIFO or a link */
			mismatch(&v, "%s: %s", mp.data, buf_cstr(&why));
		else if (!(m = json_load_file(mp.data, 0, &je)))
			mismatch(&v, "%s: not valid JSON (line %d: %s)", mp.data, je.line, je.text);
		buf_free(&why);
		const char *fmt = json_string_value(json_object_get(m, "format"));
		if (m && (!json_is_object(m) || !fmt || strcmp(fmt, "jitsynth-dataset-1"))) {
			mismatch(&v, "%s: not a jitsynth manifest (no \"format\": \"jitsynth-dataset-1\")",
				 mp.data);
			json_decref(m);
			m = NULL;
		}
		buf_free(&mp);
	}
	uint64_t rejects = 0;
	if (m) {
		res->have_manifest = 1;
		res->complete = json_is_true(json_object_get(m, "complete"));
		v.warp = json_string_value(json_object_get(m, "warp_version"));
		read_listed(&v, m);
		check_listed(&v);
		check_rejects(&v, m, &rejects);
		check_counts(&v, m, rejects);
	}
	journal j = {0};
	size_t next = SIZE_MAX;
	if (have_j) {
		buf why = BUF_INIT;
		if (journal_read(dir, &j, &why) < 0) {
			mismatch(&v,
				 "%s/" LAYOUT_JOURNAL
				 ": damaged, it cannot be read back (`generate --resume` would refuse it)",
				 dir);
		} else {
			res->have_journal = 1;
			check_journal(&v, m, &j);
			next = j.n;
		}
		buf_free(&why);
	}
	check_extra(&v, res->have_journal ? &j : NULL, m ? SIZE_MAX : next);
	journal_release(&j);
	json_decref(m);
	free(v.listed);
	return 0;
}

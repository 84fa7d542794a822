/* jsonl: temp-then-rename output files with streaming SHA-256 (OpenSSL's
 * EVP digest API) and optional streaming zstd compression (libzstd's
 * ZSTD_compressStream2). A crash leaves at most a ".tmp" file, never a
 * truncated file under a final name. */
#include "store/jsonl.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "common/untrusted.h"
#include "common/util.h"

static char *join(const char *dir, const char *prefix, const char *name, const char *suffix)
{
	buf b = BUF_INIT;
	buf_printf(&b, "%s/%s%s%s", dir, prefix, name, suffix);
	return buf_detach(&b, NULL);
}

const char *jsonl_format_suffix(jsonl_format fmt) { return fmt == JSONL_ZST ? ".zst" : ""; }

const char *jsonl_format_name(jsonl_format fmt) { return fmt == JSONL_ZST ? "jsonl.zst" : "jsonl"; }

int jsonl_format_parse(const char *s, jsonl_format *fmt)
{
	if (!strcmp(s, "jsonl"))
		*fmt = JSONL_PLAIN;
	else if (!strcmp(s, "jsonl.zst") || !strcmp(s, "zst"))
		*fmt = JSONL_ZST;
	else
		return -1;
	return 0;
}

static int zstd_setup(jsonl_file *j, int level, buf *err)
{
	if (level == 0)
		level = JSONL_ZSTD_DEFAULT_LEVEL;
	j->zc = ZSTD_createCCtx();
	if (!j->zc) {
		buf_printf(err, "cannot start zstd for '%s': out of memory", j->path);
		return -1;
	}
	size_t r = ZSTD_CCtx_setParameter(j->zc, ZSTD_c_compressionLevel, level);
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(j->zc, ZSTD_c_checksumFlag, 1);
	if (ZSTD_isError(r)) {
		buf_printf(err, "zstd level %d refused: %s", level, ZSTD_getErrorName(r));
		return -1;
	}
	j->zout_cap = ZSTD_CStreamOutSize();
	j->zout = xmalloc(j->zout_cap);
	return 0;
}

int jsonl_open_fmt(jsonl_file *j, const char *dir, const char *name, jsonl_format fmt, int level, buf *err)
{
	memset(j, 0, sizeof *j);
	j->format = fmt;
	const char *sfx = jsonl_format_suffix(fmt);
	j->path = join(dir, "", name, sfx);
	buf t = BUF_INIT;
	buf_printf(&t, "%s/.%s%s.tmp", dir, name, sfx);
	j->tmp_path = buf_detach(&t, NULL);
	if (fmt == JSONL_ZST && zstd_setup(j, level, err) < 0) {
		jsonl_release(j);
		return -1;
	}
	j->f = fopen(j->tmp_path, "wbe");
	if (!j->f) {
		buf_printf(err, "cannot write '%s': %s", j->tmp_path, strerror(errno));
		jsonl_release(j);
		return -1;
	}
	setvbuf(j->f, NULL, _IOFBF, 1 << 16);
	j->sha = EVP_MD_CTX_new();
	EVP_DigestInit_ex(j->sha, EVP_sha256(), NULL);
	return 0;
}

int jsonl_open(jsonl_file *j, const char *dir, const char *name, buf *err)
{
	return jsonl_open_fmt(j, dir, name, JSONL_PLAIN, 0, err);
}

/* Bytes that go to disk: written, hashed, counted. */
static int sink(jsonl_file *j, const void *data, size_t len, buf *err)
{
	if (len && fwrite(data, 1, len, j->f) != len) {
		buf_printf(err, "cannot write '%s': %s", j->tmp_path, strerror(errno));
		return -1;
	}
	EVP_DigestUpdate(j->sha, data, len);
	j->bytes += len;
	return 0;
}

/* Feeds `len` bytes to the compressor (mode continue) or ends the frame
 * (mode end), writing out whatever it produces. */
static int zstd_feed(jsonl_file *j, const char *data, size_t len, ZSTD_EndDirective mode, buf *err)
{
	ZSTD_inBuffer in = {data, len, 0};
	for (;;) {
		ZSTD_outBuffer out = {j->zout, j->zout_cap, 0};
		size_t left = ZSTD_compressStream2(j->zc, &out, &in, mode);
		if (ZSTD_isError(left)) {
			buf_printf(err, "cannot compress '%s': %s", j->path, ZSTD_getErrorName(left));
			return -1;
		}
		if (sink(j, j->zout, out.pos, err) < 0)
			return -1;
		if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size)
			return 0;
	}
}

/* ---- jsonl_async: the compressor thread ---- */

enum { ASYNC_LINES = 32 }; /* lines queued for the compressor, at most */

struct jsonl_async {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* a line queued, a line compressed, or stop */
	buf q[ASYNC_LINES]; /* q[head..head+n) are the thread's */
	size_t head, n;
	int stop;   /* nothing more comes: compress what is queued, then exit */
	int failed; /* the thread's first error is in err; it drops the rest */
	buf err;
	pthread_t th;
	jsonl_file *j;
};

static void *compressor(void *arg)
{
	jsonl_async *a = arg;
	buf why = BUF_INIT;
	pthread_mutex_lock(&a->mu);
	for (;;) {
		while (!a->n && !a->stop)
			pthread_cond_wait(&a->cv, &a->mu);
		if (!a->n)
			break;
		buf *line = &a->q[a->head];
		int failed = a->failed;
		pthread_mutex_unlock(&a->mu);
		int rc = failed ? 0 : zstd_feed(a->j, line->data, line->len, ZSTD_e_continue, &why);
		pthread_mutex_lock(&a->mu);
		if (rc < 0 && !a->failed) {
			a->failed = 1;
			buf_puts(&a->err, buf_cstr(&why));
		}
		buf_reset(line);
		a->head = (a->head + 1) % ASYNC_LINES;
		a->n--;
		pthread_cond_broadcast(&a->cv);
	}
	pthread_mutex_unlock(&a->mu);
	buf_free(&why);
	return NULL;
}

int jsonl_async_start(jsonl_file *j, buf *err)
{
	if (j->format != JSONL_ZST)
		return 0;
	jsonl_async *a = xcalloc(1, sizeof *a);
	a->j = j;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	/* the thread blocks every signal (the mask is inherited): they are
	 * the main thread's */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&a->th, NULL, compressor, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&a->cv);
		pthread_mutex_destroy(&a->mu);
		free(a);
		buf_printf(err, "cannot start the compressor for '%s': %s", j->path, strerror(rc));
		return -1;
	}
	j->async = a;
	return 0;
}

/* Queues a copy of the line for the compressor: -1 once it has failed. */
static int async_put(jsonl_async *a, const char *line, size_t len, buf *err)
{
	pthread_mutex_lock(&a->mu);
	while (a->n == ASYNC_LINES && !a->failed)
		pthread_cond_wait(&a->cv, &a->mu);
	if (a->failed) {
		buf_puts(err, buf_cstr(&a->err));
		pthread_mutex_unlock(&a->mu);
		return -1;
	}
	buf *b = &a->q[(a->head + a->n) % ASYNC_LINES]; /* not the thread's until n counts it */
	pthread_mutex_unlock(&a->mu);
	buf_reset(b);
	buf_append(b, line, len);
	pthread_mutex_lock(&a->mu);
	a->n++;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	return 0;
}

/* Ends the thread (after what is queued, or dropping it with `drop`): the
 * file is the caller's again. -1, with the thread's error, if it failed. */
static int async_stop(jsonl_file *j, int drop, buf *err)
{
	jsonl_async *a = j->async;
	if (!a)
		return 0;
	pthread_mutex_lock(&a->mu);
	a->stop = 1;
	if (drop && !a->failed) {
		a->failed = 1;
		buf_puts(&a->err, "dropped");
	}
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->th, NULL);
	int rc = a->failed && !drop ? -1 : 0;
	if (rc < 0 && err)
		buf_puts(err, buf_cstr(&a->err));
	for (size_t i = 0; i < ASYNC_LINES; i++)
		buf_free(&a->q[i]);
	buf_free(&a->err);
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->mu);
	free(a);
	j->async = NULL;
	return rc;
}

int jsonl_write(jsonl_file *j, const char *line, size_t len, buf *err)
{
	int rc = j->async			  ? async_put(j->async, line, len, err)
		 : j->format == JSONL_ZST ? zstd_feed(j, line, len, ZSTD_e_continue, err)
					  : sink(j, line, len, err);
	if (rc < 0)
		return -1;
	j->lines++;
	j->raw_bytes += len;
	return 0;
}

int jsonl_commit(jsonl_file *j, buf *err)
{
	if (async_stop(j, 0, err) < 0 || (j->format == JSONL_ZST && zstd_feed(j, NULL, 0, ZSTD_e_end, err) < 0)) {
		jsonl_discard(j);
		return -1;
	}
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_DigestFinal_ex(j->sha, md, &mdlen);
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(j->sha256 + 2 * i, 3, "%02x", md[i]);
	int bad = fflush(j->f) != 0 || fsync(fileno(j->f)) != 0;
	int e = errno;
	bad |= fclose(j->f) != 0;
	j->f = NULL;
	if (!bad && rename(j->tmp_path, j->path) == 0)
		return 0;
	buf_printf(err, "cannot finish '%s': %s", j->path, strerror(bad ? e : errno));
	unlink(j->tmp_path);
	return -1;
}

void jsonl_discard(jsonl_file *j)
{
	async_stop(j, 1, NULL);
	if (j->f) {
		fclose(j->f);
		j->f = NULL;
		unlink(j->tmp_path);
	}
}

void jsonl_release(jsonl_file *j)
{
	jsonl_discard(j);
	if (j->sha)
		EVP_MD_CTX_free(j->sha);
	if (j->zc)
		ZSTD_freeCCtx(j->zc);
	free(j->zout);
	free(j->path);
	free(j->tmp_path);
	j->sha = NULL;
	j->zc = NULL;
	j->zout = NULL;
	j->path = j->tmp_path = NULL;
}

json_t *json_load_regular(const char *path, buf *err)
{
	buf why = BUF_INIT;
	off_t size = 0;
	FILE *f = path_exists(path) ? untrusted_fopen(path, &size, &why) : NULL;
	json_t *j = NULL;
	json_error_t e;
	if (!f && !why.len)
		buf_puts(&why, "does not exist");
	else if (f && size > (off_t)64 << 20)
		buf_puts(&why, "is larger than 64 MiB, not read");
	else if (f && !(j = json_loadf(f, 0, &e)))
		buf_printf(&why, "is not valid JSON (line %d: %s)", e.line, e.text);
	if (f)
		fclose(f);
	if (!j && err)
		buf_printf(err, "'%s' %s", path, why.data);
	buf_free(&why);
	return j;
}

int write_file_atomic(const char *dir, const char *name, const char *data, size_t len, buf *err)
{
	char *path = join(dir, "", name, "");
	char *tmp = join(dir, ".", name, ".tmp");
	FILE *f = fopen(tmp, "wbe");
	int rc = -1;
	if (!f) {
		buf_printf(err, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	int bad = fwrite(data, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) != 0;
	int e = errno;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path) != 0) {
		buf_printf(err, "cannot write '%s': %s", path, strerror(bad ? e : errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(path);
	free(tmp);
	return rc;
}

int jsonl_sync(jsonl_file *j, buf *err)
{
	if (j->format != JSONL_PLAIN)
		BUG("jsonl_sync on a compressed file");
	if (fflush(j->f) != 0 || fsync(fileno(j->f)) != 0) {
		buf_printf(err, "cannot write '%s': %s", j->tmp_path, strerror(errno));
		return -1;
	}
	return 0;
}

int jsonl_reopen(jsonl_file *j, const char *dir, const char *name, size_t keep, buf *err)
{
	if (jsonl_open(j, dir, name, err) < 0) /* creates an empty temporary... */
		return -1;
	fclose(j->f);
	j->f = NULL;
	/* ...which we replace by the kept prefix of the old one, if any */
	buf old = BUF_INIT, why = BUF_INIT;
	buf_printf(&old, "%s/.%s.resume", dir, name);
	int rc = -1;
	FILE *in = path_exists(old.data) ? untrusted_fopen(old.data, NULL, &why) : NULL;
	if (!in && why.len && keep > 0) {
		buf_printf(err, "cannot resume: %s: %s", old.data, why.data);
		goto out;
	}
	j->f = fopen(j->tmp_path, "wbe");
	if (!j->f) {
		buf_printf(err, "cannot write '%s': %s", j->tmp_path, strerror(errno));
		goto out;
	}
	setvbuf(j->f, NULL, _IOFBF, 1 << 16);
	char chunk[1 << 16];
	size_t left = keep;
	while (left > 0) {
		size_t n = in ? fread(chunk, 1, left < sizeof chunk ? left : sizeof chunk, in) : 0;
		if (n == 0) {
			buf_printf(err, "cannot resume: '%s' is shorter than the journal says (%zu bytes missing)",
				   old.data, left);
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			j->lines += chunk[i] == '\n';
		if (sink(j, chunk, n, err) < 0)
			goto out;
		left -= n;
	}
	j->raw_bytes = keep;
	/* on disk before the old copy goes: a kill right after the unlink
	 * must not find the kept rejects only in this process's buffer */
	if (fflush(j->f) != 0 || fsync(fileno(j->f)) != 0) {
		buf_printf(err, "cannot write '%s': %s", j->tmp_path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (in)
		fclose(in);
	if (rc == 0)
		unlink(old.data);
	buf_free(&old);
	buf_free(&why);
	return rc;
}

int json_write_atomic(const char *dir, const char *name, const json_t *j, size_t flags, buf *err)
{
	char *text = json_dumps(j, flags);
	buf b = BUF_INIT;
	buf_puts(&b, text ? text : "null");
	buf_putc(&b, '\n');
	free(text);
	int rc = write_file_atomic(dir, name, b.data, b.len, err);
	buf_free(&b);
	return rc;
}

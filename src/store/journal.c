/* journal: the resume journal (see journal.h), JSON lines via jansson. */
#include "store/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/untrusted.h"
#include "common/util.h"
#include "store/jsonl.h"
#include "store/layout.h"
#include "store/record.h"

#define JOURNAL LAYOUT_JOURNAL

int journal_start(const char *dir, const json_t *options, buf *err)
{
	json_t *o = json_pack("{s:s, s:s, s:O}", "journal", "jitsynth-1", "jitsynth_version", JITSYNTH_VERSION,
			      "options", options);
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	buf b = BUF_INIT;
	buf_puts(&b, text);
	buf_putc(&b, '\n');
	free(text);
	int rc = write_file_atomic(dir, JOURNAL, b.data, b.len, err);
	buf_free(&b);
	return rc;
}

/* write(2) until done: a short write (file size limit, disk nearly full) is
 * followed by the one that says why. */
static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static json_t *u64_array(const uint64_t *v, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}

int journal_append(const char *dir, const journal_entry *e, buf *err)
{
	json_t *o = json_pack("{s:s, s:I, s:I, s:s, s:I, s:I, s:I, s:o, s:o, s:o, s:I, s:I, s:I}", "shard", e->shard.name,
			      "shard_records", (json_int_t)e->shard.records, "shard_bytes", (json_int_t)e->shard.bytes,
			      "sha256", e->shard.sha256, "next_index", (json_int_t)e->next_index, "records",
			      (json_int_t)e->records, "rejects", (json_int_t)e->rejects, "cat_records",
			      u64_array(e->cat_records, GEN_CATEGORY_COUNT), "cat_rejects",
			      u64_array(e->cat_rejects, GEN_CATEGORY_COUNT), "stage_rejects",
			      u64_array(e->stage_rejects, 4), "dropped_exact",
			      (json_int_t)e->dropped_exact, "dropped_structural", (json_int_t)e->dropped_structural,
			      "rejects_bytes", (json_int_t)e->rejects_bytes);
	if (e->warp_version[0])
		json_object_set_new(o, "warp_version", json_string(e->warp_version));
	if (e->rejects_sha256[0])
		json_object_set_new(o, "rejects_sha256", json_string(e->rejects_sha256));
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	buf path = BUF_INIT, line = BUF_INIT;
	buf_printf(&path, "%s/" JOURNAL, dir);
	buf_puts(&line, text);
	buf_putc(&line, '\n');
	free(text);
	int rc = -1, fd = open(path.data, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0 || write_all(fd, line.data, line.len) < 0 || fsync(fd) != 0)
		buf_printf(err, "cannot write '%s': %s", path.data, strerror(errno));
	else
		rc = 0;
	if (fd >= 0)
		close(fd);
	buf_free(&path);
	buf_free(&line);
	return rc;
}

static int get_u64(const json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int get_u64_array(const json_t *o, const char *key, uint64_t *out, size_t n)
{
	json_t *a = json_object_get(o, key);
	if (!json_is_array(a) || json_array_size(a) != n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(a, i);
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return -1;
		out[i] = (uint64_t)json_integer_value(v);
	}
	return 0;
}

static int parse_entry(const json_t *o, journal_entry *e)
{
	memset(e, 0, sizeof *e);
	const char *name = json_string_value(json_object_get(o, "shard"));
	const char *sha = json_string_value(json_object_get(o, "sha256"));
	uint64_t recs, bytes;
	if (!name || strlen(name) >= sizeof e->shard.name || strchr(name, '/') || !sha || strlen(sha) != 64 ||
	    get_u64(o, "shard_records", &recs) || get_u64(o, "shard_bytes", &bytes) ||
	    get_u64(o, "next_index", &e->next_index) || get_u64(o, "records", &e->records) ||
	    get_u64(o, "rejects", &e->rejects) || get_u64(o, "dropped_exact", &e->dropped_exact) ||
	    get_u64(o, "dropped_structural", &e->dropped_structural) ||
	    get_u64(o, "rejects_bytes", &e->rejects_bytes) ||
	    get_u64_array(o, "cat_records", e->cat_records, GEN_CATEGORY_COUNT) ||
	    get_u64_array(o, "cat_rejects", e->cat_rejects, GEN_CATEGORY_COUNT) ||
	    get_u64_array(o, "stage_rejects", e->stage_rejects, 4))
		return -1;
	/* added later: absent from older journals, checked where present */
	json_t *wv = json_object_get(o, "warp_version"), *rs = json_object_get(o, "rejects_sha256");
	if ((wv && (!json_is_string(wv) || json_string_length(wv) >= sizeof e->warp_version)) ||
	    (rs && (!json_is_string(rs) || json_string_length(rs) != 64)))
		return -1;
	if (wv)
		snprintf(e->warp_version, sizeof e->warp_version, "%s", json_string_value(wv));
	if (rs)
		memcpy(e->rejects_sha256, json_string_value(rs), 65);
	snprintf(e->shard.name, sizeof e->shard.name, "%s", name);
	memcpy(e->shard.sha256, sha, 65);
	e->shard.records = (size_t)recs;
	e->shard.bytes = (size_t)bytes;
	return 0;
}

/* The header line's options and version; NULL if o is no header. */
static json_t *header_options(const json_t *o, char *jver, size_t cap)
{
	json_t *opt = json_object_get(o, "options"), *jv = json_object_get(o, "jitsynth_version");
	const char *v = json_string_value(jv);
	if (!json_is_object(opt) || (jv && (!v || strlen(v) >= cap)))
		return NULL;
	snprintf(jver, cap, "%s", v ? v : "");
	return opt;
}

static int journal_scan(const char *dir, journal *j, int cut, buf *err)
{
	memset(j, 0, sizeof *j);
	size_t err0 = err->len;
	buf path = BUF_INIT;
	buf_printf(&path, "%s/" JOURNAL, dir);
	buf why = BUF_INIT;
	/* a dataset from elsewhere may hold anything under this name: only a
	 * regular file is read (a FIFO would hang --resume) */
	FILE *f = path_exists(path.data) ? untrusted_fopen(path.data, NULL, &why) : NULL;
	int rc = -1;
	if (!f) {
		if (why.len)
			buf_printf(err, "cannot resume: '%s' %s; start the run over with --force", path.data, why.data);
		else
			buf_printf(err, "cannot resume: no run journal '%s' (No such file or directory); start the run without --resume",
				   path.data);
		buf_free(&why);
		goto out;
	}
	buf_free(&why);
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	off_t good = 0; /* bytes of complete lines */
	int torn = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[n - 1] != '\n') {
			torn = 1; /* torn by a kill: the entry never completed */
			break;
		}
		good += n;
		json_t *o = json_loadb(line, (size_t)n, 0, NULL);
		journal_entry e;
		if (lineno == 1) {
			json_t *opt = header_options(o, j->jitsynth_version, sizeof j->jitsynth_version);
			if (!opt) {
				buf_printf(err,
					   "cannot resume: '%s' is not a jitsynth run journal (line 1 is no journal header); start over with --force, or choose another -o",
					   path.data);
				json_decref(o);
				break;
			}
			j->options = json_incref(opt);
		} else if (!o || parse_entry(o, &e) < 0) {
			buf_printf(err,
				   "cannot resume: line %zu of '%s' is damaged; `jitsynth verify %s` checks the finished shards, `--force` starts the run over",
				   lineno, path.data, dir);
			json_decref(o);
			break;
		} else {
			j->entries = xrealloc(j->entries, (j->n + 1) * sizeof *j->entries);
			j->entries[j->n++] = e;
		}
		json_decref(o);
	}
	free(line);
	fclose(f);
	if (err->len == err0 && !j->options)
		buf_printf(err, "cannot resume: '%s' is empty; start the run without --resume (with --force)", path.data);
	/* The run goes on appending to this file: cut the torn line off, or the
	 * next entry would be glued to it and the journal unreadable. */
	if (cut && err->len == err0 && torn && truncate(path.data, good) != 0)
		buf_printf(err, "cannot resume: cannot cut the torn last line of '%s': %s (check its permissions)",
			   path.data, strerror(errno));
	rc = err->len > err0 ? -1 : 0;
	if (rc < 0)
		journal_release(j);
out:
	buf_free(&path);
	return rc;
}

int journal_load(const char *dir, journal *j, buf *err) { return journal_scan(dir, j, 1, err); }

int journal_read(const char *dir, journal *j, buf *err) { return journal_scan(dir, j, 0, err); }

json_t *journal_header(const char *dir, char *jver, size_t cap)
{
	buf path = BUF_INIT;
	buf_printf(&path, "%s/" JOURNAL, dir);
	buf why = BUF_INIT;
	FILE *f = path_exists(path.data) ? untrusted_fopen(path.data, NULL, &why) : NULL;
	buf_free(&path);
	buf_free(&why);
	if (!f)
		return NULL;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t n = getline(&line, &lcap, f);
	fclose(f);
	json_t *o = n > 0 ? json_loadb(line, (size_t)n, 0, NULL) : NULL;
	free(line);
	json_t *opt = header_options(o, jver, cap);
	json_incref(opt);
	json_decref(o);
	return opt;
}

void journal_release(journal *j)
{
	json_decref(j->options);
	free(j->entries);
	memset(j, 0, sizeof *j);
}

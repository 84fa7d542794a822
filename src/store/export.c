/* export: the seed-layout writer; see export.h. Streams records through
 * reader.h, one at a time. */
#include "store/export.h"

#include <errno.h>
#include <limits.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/dev.h"
#include "common/util.h"
#include "store/card.h"
#include "store/dedup.h"
#include "store/layout.h"
#include "store/reader.h"
#include "store/record.h"

static const char *export_seed_python(const char *py, size_t len, size_t *out_len)
{
	static const char imp[] = "import warp as wp\n";
	size_t k = sizeof imp - 1;
	if (len >= k && !memcmp(py, imp, k)) {
		py += k, len -= k;
		while (len && *py == '\n')
			py++, len--;
	}
	*out_len = len;
	return py;
}

static int write_text(const char *path, const char *data, size_t len, buf *err)
{
	FILE *f = fopen(path, "wbe");
	if (!f)
		return buf_printf(err, "cannot write '%s': %s", path, strerror(errno)), -1;
	int bad = fwrite(data, 1, len, f) != len;
	bad |= fclose(f) != 0;
	if (bad)
		return buf_printf(err, "cannot write '%s': %s", path, strerror(errno)), -1;
	return 0;
}

/* One seed pair file for record rec and device d: 0 written, 1 not written
 * because the seed reader would refuse it (longer than READER_MAX_BYTES),
 * -1 with err. */
static int seed_pair(const json_t *rec, int d, const char *tmp, uint64_t k, buf *err)
{
	size_t plen = 0;
	/* the record's own forward string, not a copy: it may be tens of MiB */
	json_t *ir = json_object_get(json_object_get(rec, "ir"), dev_name((dev_id)d));
	json_t *fwd = json_object_get(ir, "forward");
	const char *py = reader_str(rec, "python_source", &plen);
	py = export_seed_python(py, plen, &plen);
	const char *kn = reader_str(rec, "kernel_name", NULL), *cat = reader_str(rec, "category", NULL);
	json_t *o = json_object();
	json_object_set_new(o, "python_source", json_stringn(py, plen));
	json_object_set(o, "cpp_forward", fwd);
	json_object_set_new(o, "metadata", json_pack("{s:s, s:s, s:s}", "kernel_name", kn ? kn : "", "category",
						     cat ? cat : "", "device", dev_name((dev_id)d)));
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	size_t len = text ? strlen(text) : 0;
	if (len > READER_MAX_BYTES) {
		free(text);
		return 1;
	}
	buf path = BUF_INIT;
	buf_printf(&path, "%s/%s/pair_%06llu.json", tmp, dev_name((dev_id)d), (unsigned long long)k);
	int rc = text ? write_text(path.data, text, len, err) : -1;
	if (!text)
		buf_printf(err, "cannot encode '%s' (invalid UTF-8?)", path.data);
	free(text);
	buf_free(&path);
	return rc;
}

static int seed_prepare(const char *out, int force, buf *tmp, buf *err)
{
	buf p = BUF_INIT;
	int rc = -1;
	if (make_dir(out, err) < 0)
		goto done;
	for (int d = 0; d < 2; d++) {
		buf_reset(&p);
		buf_printf(&p, "%s/%s", out, dev_name((dev_id)d));
		if (path_exists(p.data) && !force) {
			buf_printf(err, "'%s' already exists (use --force to replace it, or another -o)", p.data);
			goto done;
		}
	}
	buf_printf(tmp, "%s/.export.tmp", out);
	if (rm_tree(tmp->data) < 0 || make_dir(tmp->data, err) < 0)
		goto done;
	for (int d = 0; d < 2; d++) {
		buf_reset(&p);
		buf_printf(&p, "%s/%s", tmp->data, dev_name((dev_id)d));
		if (make_dir(p.data, err) < 0)
			goto done;
	}
	rc = 0;
done:
	buf_free(&p);
	return rc;
}

/* Moves OUT/.export.tmp/<dev> to OUT/<dev> (those that got files). */
static int seed_finish(const char *out, const char *tmp, const export_result *res, buf *err)
{
	buf from = BUF_INIT, to = BUF_INIT;
	int rc = 0;
	for (int d = 0; d < 2 && rc == 0; d++) {
		buf_reset(&from), buf_reset(&to);
		buf_printf(&from, "%s/%s", tmp, dev_name((dev_id)d));
		buf_printf(&to, "%s/%s", out, dev_name((dev_id)d));
		if (!res->files[d])
			continue;
		if (rm_tree(to.data) < 0 || rename(from.data, to.data) != 0) {
			buf_printf(err, "cannot move '%s' into place: %s", to.data, strerror(errno));
			rc = -1;
		}
	}
	rm_tree(tmp);
	buf_free(&from), buf_free(&to);
	return rc;
}

int export_seed(const char *dir, const char *out, int force, export_warn_fn warn, void *ctx, export_result *res,
		buf *err)
{
	memset(res, 0, sizeof *res);
	reader *r = reader_open(dir, err);
	if (!r)
		return -1;
	buf tmp = BUF_INIT, msg = BUF_INIT;
	int rc = seed_prepare(out, force, &tmp, err);
	reader_record rec;
	int got;
	while (rc == 0 && (got = reader_next(r, &rec, &msg)) != READER_END) {
		if (got == READER_BAD) {
			res->malformed++;
			if (warn)
				warn(msg.data, ctx);
			buf_reset(&msg);
			continue;
		}
		res->records++;
		for (int d = 0; d < 2 && rc == 0; d++) {
			if (!reader_forward(rec.json, dev_name((dev_id)d), NULL))
				continue;
			rc = seed_pair(rec.json, d, tmp.data, res->files[d], err);
			if (rc == 0)
				res->files[d]++;
			else if (rc == 1) {
				res->too_large++;
				buf_printf(&msg,
					   "%s:%zu: its %s pair file would be larger than %zu MiB, which "
					   "the seed reader refuses; not written",
					   rec.file, rec.lineno, dev_name((dev_id)d), READER_MAX_BYTES >> 20);
				if (warn)
					warn(msg.data, ctx);
				buf_reset(&msg);
				rc = 0;
			}
		}
	}
	if (rc == 0)
		rc = seed_finish(out, tmp.data, res, err);
	else if (tmp.len)
		rm_tree(tmp.data);
	reader_close(r);
	buf_free(&tmp);
	buf_free(&msg);
	return rc;
}

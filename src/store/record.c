/* record: JSON lines for records and rejects (see record.h). */
#include "store/record.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char *const dev_names[2] = {"cpu", "cuda"};

static void rec_id(char *out, size_t n, uint64_t seed, uint64_t index)
{
	snprintf(out, n, "s%" PRIu64 "-%09" PRIu64, seed, index);
}

json_t *rec_json_u64(uint64_t v)
{
	if (v <= (uint64_t)INT64_MAX)
		return json_integer((json_int_t)v);
	char digits[24];
	snprintf(digits, sizeof digits, "%" PRIu64, v);
	return json_string(digits);
}

int rec_json_get_u64(const json_t *v, uint64_t *out)
{
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return -1;
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	const char *s = json_string_value(v);
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 20)
		return -1;
	uint64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || x > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*out = x;
	return 0;
}

static int dump_cb(const char *data, size_t size, void *line)
{
	buf_append(line, data, size);
	return 0;
}

static void dump_line(json_t *obj, buf *line)
{
	json_dump_callback(obj, dump_cb, line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(7));
	buf_putc(line, '\n');
}

/* json_stringn validates UTF-8; a NULL means the worker sent bad bytes. */
static int set_text(json_t *obj, const char *key, const char *s, size_t n)
{
	json_t *v = json_stringn(s ? s : "", s ? n : 0);
	if (!v)
		return -1;
	json_object_set_new(obj, key, v);
	return 0;
}

/* s[0..n) as a JSON string, unchecked when it lies inside `whole`, whose
 * UTF-8 json_stringn has checked, starting and ending on a character
 * boundary (a substring of valid UTF-8 cut there is valid UTF-8): the
 * forward and backward functions are cut from the module text, so the
 * module's check covers them. Otherwise checked. */
static int set_inside(json_t *obj, const char *key, const char *s, size_t n, const json_t *whole)
{
	const char *w = json_string_value(whole);
	size_t wn = json_string_length(whole);
	int cont_start = n && ((unsigned char)s[0] & 0xC0) == 0x80;
	int cont_end = s && s + n < w + wn && ((unsigned char)s[n] & 0xC0) == 0x80;
	if (!s || !w || s < w || s + n > w + wn || cont_start || cont_end)
		return set_text(obj, key, s, n);
	json_object_set_new(obj, key, json_stringn_nocheck(s, n));
	return 0;
}

int rec_pair_line(const rec_pair *p, buf *line)
{
	char id[64];
	rec_id(id, sizeof id, p->seed, p->index);
	json_t *o = json_object(), *ir = json_object(), *meta = json_object(), *val = json_object();
	int bad = 0;
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "kernel_name", json_string(p->kernel_name));
	json_object_set_new(o, "category", json_string(p->category));
	bad |= set_text(o, "python_source", p->python_source, p->python_len);
	for (int d = 0; d < 2; d++) {
		if (!p->ir[d].present)
			continue;
		json_t *dev = json_object();
		const ext_span *m = &p->ir[d].module;
		json_t *mod = json_stringn(m->start ? m->start : "", m->start ? m->len : 0); /* NULL: not UTF-8 */
		if (!mod) {
			bad = 1;
			json_decref(dev);
			continue;
		}
		const char *w = json_string_value(mod);
		/* the spans point into the caller's text; their offsets hold in the copy */
		const ext_span *f = &p->ir[d].forward, *b = &p->ir[d].backward;
		int fin = m->start && f->start >= m->start && f->start + f->len <= m->start + m->len;
		int bin = m->start && b->start >= m->start && b->start + b->len <= m->start + m->len;
		bad |= fin ? set_inside(dev, "forward", w + (f->start - m->start), f->len, mod)
			   : set_text(dev, "forward", f->start, f->len);
		bad |= bin ? set_inside(dev, "backward", w + (b->start - m->start), b->len, mod)
			   : set_text(dev, "backward", b->start, b->len);
		json_object_set_new(dev, "module", mod);
		json_object_set_new(ir, dev_names[d], dev);
		json_object_set_new(val, dev_names[d], json_string(p->ir[d].validated));
	}
	json_object_set_new(o, "ir", ir);
	json_object_set_new(meta, "seed", rec_json_u64(p->seed));
	json_object_set_new(meta, "index", json_integer((json_int_t)p->index));
	json_object_set_new(meta, "warp_version", json_string(p->warp_version));
	json_object_set_new(meta, "jitsynth_version", json_string(JITSYNTH_VERSION));
	json_object_set_new(meta, "kernel_hash", json_string(p->kernel_hash));
	json_object_set_new(meta, "validated", val);
	json_object_set_new(o, "meta", meta);
	if (p->exec_json) {
		json_t *x = json_loads(p->exec_json, 0, NULL);
		if (x)
			json_object_set_new(o, "exec", x);
	}
	if (!bad)
		dump_line(o, line);
	json_decref(o);
	return bad ? -1 : 0;
}

const char *rec_reject_reason(const char *reason)
{
	json_t *v = json_string(reason); /* NULL for bad UTF-8 */
	int ok = v != NULL;
	json_decref(v);
	return ok ? reason : "(reason was not valid UTF-8)";
}

void rec_reject_line(const rec_reject *r, buf *line)
{
	char id[64];
	rec_id(id, sizeof id, r->seed, r->index);
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "index", json_integer((json_int_t)r->index));
	json_object_set_new(o, "kernel_name", json_string(r->kernel_name));
	json_object_set_new(o, "category", json_string(r->category));
	json_object_set_new(o, "stage", json_string(r->stage));
	const char *reason = rec_reject_reason(r->reason);
	set_text(o, "reason", reason, strlen(reason));
	set_text(o, "python_source", r->python_source, r->python_len);
	dump_line(o, line);
	json_decref(o);
}

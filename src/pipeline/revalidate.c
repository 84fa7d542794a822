/* revalidate: `jitsynth validate DIR` without the printing (see revalidate.h).
 * Records stream from the reader; those with stored modules go straight to
 * chk, those with forwards only wait for Warp's workers, started on the first. */
#include "pipeline/revalidate.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/dev.h"
#include "common/util.h"
#include "extract/extract.h"
#include "warp/native.h"
#include "warp/pool.h"
#include "warp/proto.h"

#define BIT(d) DEV_BIT(d)

/* One record in flight (with chk or the workers). Device masks: bit d. */
typedef struct pend {
	uint64_t seq;
	char *where, *where_cuda; /* "FILE:LINE"; where_cuda for a seed cuda/ file */
	char *kernel;
	buf python;    /* regen: the module source for the worker */
	buf text[DEV_COUNT]; /* what chk compiles (borrowed by it) */
	buf stored[2]; /* regen: the stored forward */
	buf diff[2];   /* regen: how the stored forward differs from Warp's */
	unsigned check, regen, bad, differs, submitted;
} pend;

typedef struct vd {
	const vd_options *o;
	vd_report *rep;
	reader *rd;
	chk_engine *chk;
	unsigned devs;
	const char *field; /* "forward" or the seed's "cpp_forward" */
	pend **by_seq;
	uint64_t nseq, cap_seq;
	size_t limit, cap_f;
	int eof;
	pend *stash; /* the record that started the workers */
	unsigned norder;
	buf msg;
} vd;

enum { ADV_END, ADV_REGEN, ADV_WAIT };

/* ---- findings ---- */

static void add_finding(vd *v, vd_kind kind, uint64_t seq, int dev, const char *where, const char *kernel,
			const char *reason, const char *diag)
{
	vd_report *r = v->rep;
	if (r->nf == v->cap_f) {
		v->cap_f = v->cap_f ? v->cap_f * 2 : 16;
		r->f = xrealloc(r->f, v->cap_f * sizeof *r->f);
	}
	r->f[r->nf++] = (vd_finding){.kind = kind,
				     .seq = seq,
				     .dev = dev,
				     .order = v->norder++,
				     .where = where ? xstrdup(where) : NULL,
				     .kernel = kernel ? xstrdup(kernel) : NULL,
				     .reason = xstrdup(reason),
				     .diag = diag && *diag ? xstrdup(diag) : NULL};
	if (kind == VD_WARN)
		r->warnings++;
	else if (kind == VD_SKIP)
		r->skipped++;
}

static const char *where_of(const pend *p, int d) { return d == 1 && p->where_cuda ? p->where_cuda : p->where; }

static void fail(vd *v, pend *p, int d, const char *reason, const char *diag)
{
	p->bad |= BIT(d);
	add_finding(v, VD_FAIL, p->seq, d, where_of(p, d), p->kernel, reason, diag);
}

static int cmp_finding(const void *a, const void *b)
{
	const vd_finding *x = a, *y = b;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* ---- text helpers ---- */

static int is_hex8(const char *s)
{
	for (int i = 0; i < 8; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return 0;
	return 1;
}

void vd_rehash(const char *s, size_t n, const char *name, const char *hash, buf *out)
{
	size_t nl = strlen(name), i = 0, from = 0;
	while (nl && i + nl + 9 <= n) {
		const char *h = s + i + nl + 1;
		if (memcmp(s + i, name, nl) == 0 && s[i + nl] == '_' && is_hex8(h) &&
		    (i + nl + 9 == n || !isalnum((unsigned char)h[8]))) {
			buf_append(out, s + from, i + nl + 1 - from);
			buf_puts(out, hash);
			i += nl + 9;
			from = i;
		} else {
			i++;
		}
	}
	buf_append(out, s + from, n - from);
}

static size_t line_end(const char *s, size_t n, size_t i)
{
	const char *nl = i < n ? memchr(s + i, '\n', n - i) : NULL;
	return nl ? (size_t)(nl - s) : n;
}

static void show_line(buf *out, const char *label, const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	buf_printf(out, "\n  %-7s %.*s%s", label, (int)(len > 160 ? 160 : len), s, len > 160 ? " ..." : "");
}

void vd_first_difference(const char *a, size_t alen, const char *b, size_t blen, const char *label_a,
			 const char *label_b, buf *out)
{
	for (size_t ia = 0, ib = 0, line = 1;; line++) {
		if (ia >= alen && ib >= blen) {
			if (alen != blen)
				buf_printf(out, "they differ only in a trailing newline");
			return;
		}
		size_t ea = line_end(a, alen, ia), eb = line_end(b, blen, ib);
		if (ia >= alen || ib >= blen || ea - ia != eb - ib || memcmp(a + ia, b + ib, ea - ia) != 0) {
			buf_printf(out, "first difference at line %zu of the function:", line);
			if (ia < alen)
				show_line(out, label_a, a + ia, ea - ia);
			else
				buf_printf(out, "\n  %-7s (ends)", label_a);
			if (ib < blen)
				show_line(out, label_b, b + ib, eb - ib);
			else
				buf_printf(out, "\n  %-7s (ends)", label_b);
			return;
		}
		ia = ea + 1, ib = eb + 1;
	}
}

/* The name of the first `def NAME(` in a Python source. */
static void kernel_from_source(const char *py, size_t n, buf *out)
{
	for (size_t i = 0; i + 4 < n; i++) {
		if (memcmp(py + i, "def ", 4) != 0 || (i && py[i - 1] != '\n' && py[i - 1] != ' '))
			continue;
		size_t j = i + 4;
		while (j < n && (isalnum((unsigned char)py[j]) || py[j] == '_'))
			j++;
		if (j < n && py[j] == '(' && j > i + 4)
			buf_append(out, py + i + 4, j - i - 4);
		return;
	}
}

/* The function name in a stored forward: the identifier before its '('. */
static void function_name(const char *s, size_t n, buf *out)
{
	const char *paren = memchr(s, '(', n);
	if (!paren)
		return;
	const char *e = paren;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	const char *b = e;
	while (b > s && (isalnum((unsigned char)b[-1]) || b[-1] == '_'))
		b--;
	buf_append(out, b, (size_t)(e - b));
}

static int span_is(ext_span sp, const char *s, size_t n) { return sp.len == n && memcmp(sp.start, s, n) == 0; }

/* ---- one record ---- */

static void pend_free(pend *p)
{
	if (!p)
		return;
	free(p->where);
	free(p->where_cuda);
	free(p->kernel);
	buf_free(&p->python);
	for (int d = 0; d < DEV_COUNT; d++) {
		buf_free(&p->text[d]);
		buf_free(&p->stored[d]);
		buf_free(&p->diff[d]);
	}
	free(p);
}

/* The stored forward/backward must be the module's own functions, verbatim. */
static void check_module(vd *v, pend *p, int d, const char *mod, size_t mlen, const char *fwd, size_t flen,
			 const char *bwd, size_t blen)
{
	ext_kernel ek;
	char why[256];
	if (ext_kernel_find(mod, mlen, p->kernel, (dev_id)d, &ek, why, sizeof why) < 0) {
		fail(v, p, d, "the kernel's functions are not found in the module", why);
		return;
	}
	buf diag = BUF_INIT, fn = BUF_INIT, want = BUF_INIT;
	if (!fwd) {
		fail(v, p, d, "no forward stored beside the module", NULL);
	} else if (!span_is(ek.forward, fwd, flen)) {
		function_name(fwd, flen, &fn);
		buf_printf(&want, "%s_", p->kernel);
		vd_first_difference(ek.forward.start, ek.forward.len, fwd, flen, "module", "stored", &diag);
		if (strncmp(buf_cstr(&fn), want.data, want.len) != 0) {
			buf_reset(&want);
			buf_printf(&want, "forward's function '%s' does not belong to the kernel", buf_cstr(&fn));
			fail(v, p, d, want.data, diag.data);
		} else {
			fail(v, p, d, "forward differs from the module", diag.data);
		}
	}
	if (bwd && !span_is(ek.backward, bwd, blen)) {
		buf_reset(&diag);
		vd_first_difference(ek.backward.start, ek.backward.len, bwd, blen, "module", "stored", &diag);
		fail(v, p, d, "backward differs from the module", diag.data);
	}
	buf_free(&diag);
	buf_free(&fn);
	buf_free(&want);
}

static void track(vd *v, pend *p)
{
	if (p->seq >= v->cap_seq) {
		uint64_t cap = v->cap_seq ? v->cap_seq * 2 : 1024;
		while (cap <= p->seq)
			cap *= 2;
		v->by_seq = xrealloc(v->by_seq, cap * sizeof *v->by_seq);
		memset(v->by_seq + v->cap_seq, 0, (cap - v->cap_seq) * sizeof *v->by_seq);
		v->cap_seq = cap;
	}
	v->by_seq[p->seq] = p;
}

/* Reads one record into a pend, with its structural checks done; NULL when
 * it has nothing for the requested devices. */
static pend *take_record(vd *v, uint64_t seq, const reader_record *rec)
{
	const json_t *j = rec->json;
	pend *p = xcalloc(1, sizeof *p);
	p->seq = seq;
	buf s = BUF_INIT;
	buf_printf(&s, "%s:%zu", rec->file, rec->lineno);
	p->where = buf_detach(&s, NULL);
	if (v->rep->layout == READER_SEED && strncmp(rec->file, "cpu/", 4) == 0) {
		buf_printf(&s, "cuda/%s:%zu", rec->file + 4, rec->lineno);
		p->where_cuda = buf_detach(&s, NULL);
	}
	size_t klen = 0, plen = 0;
	const char *kn = reader_str(j, "kernel_name", &klen);
	const char *py = reader_str(j, "python_source", &plen);
	if (kn && klen)
		buf_append(&s, kn, klen);
	else if (py)
		kernel_from_source(py, plen, &s);
	int named = s.len > 0;
	p->kernel = named ? buf_detach(&s, NULL) : xstrdup("?");
	const json_t *ir = json_object_get(j, "ir");
	char why[128];
	for (int d = 0; d < DEV_COUNT; d++) {
		const json_t *x = json_object_get(ir, dev_name((dev_id)d));
		if (!(v->devs & BIT(d)) || !x)
			continue;
		p->check |= BIT(d);
		v->rep->checked[d]++;
		size_t mlen = 0, flen = 0, blen = 0;
		const char *mod = reader_str(x, "module", &mlen);
		const char *fwd = reader_str(x, "forward", &flen);
		const char *bwd = reader_str(x, "backward", &blen);
		if (!named) {
			fail(v, p, d, "the record has no kernel_name", NULL);
		} else if (mod) {
			check_module(v, p, d, mod, mlen, fwd, flen, bwd, blen);
			buf_append(&p->text[d], mod, mlen);
		} else if (fwd && py) {
			p->regen |= BIT(d);
			buf_append(&p->stored[d], fwd, flen);
		} else {
			snprintf(why, sizeof why, "ir.%s has %s", dev_name((dev_id)d),
				 fwd ? "no module and no python_source to regenerate it from" : "neither module nor forward");
			fail(v, p, d, why, NULL);
		}
	}
	if (!p->check) {
		pend_free(p);
		return NULL;
	}
	if (p->regen) { /* the seed's source starts at @wp.kernel */
		if (strncmp(py, "import warp", 11) != 0)
			buf_puts(&p->python, "import warp as wp\n\n");
		buf_append(&p->python, py, plen);
	}
	track(v, p);
	return p;
}

/* Counts the record's devices and forgets it, given chk's verdict (or NULL). */
static void finish(vd *v, pend *p, const chk_result *res)
{
	for (int d = 0; d < DEV_COUNT; d++) {
		if (!(p->check & BIT(d)))
			continue;
		if (res && (p->submitted & BIT(d))) {
			int ok = res->ok[d];
			const char *diag = res->diag[d];
			buf why = BUF_INIT, text = BUF_INIT;
			const char *cc = d ? "NVRTC" : v->o->chk.cxx ? v->o->chk.cxx : "g++";
			const char *tier = chk_tier_name(v->o->chk.tier);
			if (ok == 1 && (p->differs & BIT(d))) {
				buf_printf(&why, "%s differs from what Warp generates (its hash aside); it compiles", v->field);
				add_finding(v, VD_WARN, p->seq, d, where_of(p, d), p->kernel, why.data, p->diff[d].data);
			} else if (ok == 0 && (p->differs & BIT(d))) {
				buf_printf(&why, "%s rejected by %s (%s) in the module Warp regenerates", v->field, cc, tier);
				buf_printf(&text, "%s\n%s", diag ? diag : "", buf_cstr(&p->diff[d]));
				fail(v, p, d, why.data, text.data);
			} else if (ok == 0) {
				buf_printf(&why, "%s rejected by %s (%s)", p->regen & BIT(d) ? "Warp's regenerated module" : "module",
					   cc, tier);
				fail(v, p, d, why.data, diag);
			} else if (ok != 1) {
				buf_printf(&why, "%s could not check it", cc);
				fail(v, p, d, why.data, diag);
			}
			buf_free(&why);
			buf_free(&text);
		}
		if (p->bad & BIT(d))
			v->rep->failed[d]++;
		else
			v->rep->passed[d]++;
	}
	v->by_seq[p->seq] = NULL;
	pend_free(p);
}

/* Hands the record's module texts to chk (which borrows them until the
 * verdict: finish frees them), or finishes it. */
static void submit(vd *v, pend *p)
{
	chk_item it = {.index = p->seq};
	for (int d = 0; d < DEV_COUNT; d++)
		if (p->text[d].len) {
			it.text[d] = p->text[d].data;
			it.len[d] = p->text[d].len;
			p->submitted |= BIT(d);
		}
	if (!p->submitted) {
		finish(v, p, NULL);
		return;
	}
	chk_submit(v->chk, &it);
}

static void on_result(vd *v, chk_result *res)
{
	pend *p = res->index < v->cap_seq ? v->by_seq[res->index] : NULL;
	if (p)
		finish(v, p, res);
	chk_result_free(res);
}

/* Reads records until one needs Warp (ADV_REGEN, *out set) or none are left;
 * keeps at most `limit` records with chk, waiting (or, for the pool loop,
 * returning ADV_WAIT) when it has that many. */
static int advance(vd *v, int may_block, pend **out)
{
	for (;;) {
		if (v->eof || (v->o->pool.stop && *v->o->pool.stop))
			return ADV_END;
		while (chk_outstanding(v->chk) >= v->limit) {
			if (!may_block) {
				chk_flush(v->chk);
				return ADV_WAIT;
			}
			chk_result res;
			if (chk_wait(v->chk, &res))
				on_result(v, &res);
		}
		reader_record rec;
		buf_reset(&v->msg);
		int st = reader_next(v->rd, &rec, &v->msg);
		if (st == READER_END) {
			v->eof = 1;
			return ADV_END;
		}
		uint64_t seq = v->nseq++;
		if (st != READER_OK) {
			add_finding(v, VD_SKIP, seq, -1, NULL, NULL, buf_cstr(&v->msg), NULL);
			continue;
		}
		v->rep->records++;
		pend *p = take_record(v, seq, &rec);
		if (p && p->regen) {
			*out = p;
			return ADV_REGEN;
		}
		if (p)
			submit(v, p);
	}
}

/* ---- Warp's workers, for records without modules ---- */

static pool_next next_task(void *ctx, uint64_t *index, buf *frame)
{
	vd *v = ctx;
	pend *p = v->stash;
	v->stash = NULL;
	if (!p) {
		int a = advance(v, 0, &p);
		if (a != ADV_REGEN)
			return a == ADV_WAIT ? POOL_WAIT : POOL_DONE;
	}
	*index = p->seq;
	proto_put_request(frame, p->seq, v->devs, p->kernel, p->python.data, p->python.len);
	return POOL_TASK;
}

/* Compiles the stored forward in place of Warp's own when they differ. */
static void use_regenerated(vd *v, pend *p, int d, const char *text, size_t len)
{
	ext_kernel ek;
	char why[256];
	if (ext_kernel_find(text, len, p->kernel, (dev_id)d, &ek, why, sizeof why) < 0) {
		fail(v, p, d, "the module Warp regenerates lacks the kernel", why);
		return;
	}
	buf a = BUF_INIT, b = BUF_INIT;
	vd_rehash(p->stored[d].data, p->stored[d].len, p->kernel, "HASH", &a);
	vd_rehash(ek.forward.start, ek.forward.len, p->kernel, "HASH", &b);
	if (a.len == b.len && memcmp(a.data, b.data, a.len) == 0) {
		buf_append(&p->text[d], text, len);
	} else {
		p->differs |= BIT(d);
		vd_first_difference(b.data, b.len, a.data, a.len, "warp", "stored", &p->diff[d]);
		size_t pre = (size_t)(ek.forward.start - text);
		buf_append(&p->text[d], text, pre);
		vd_rehash(p->stored[d].data, p->stored[d].len, p->kernel, ek.hash, &p->text[d]);
		buf_append(&p->text[d], text + pre + ek.forward.len, len - pre - ek.forward.len);
	}
	buf_free(&a);
	buf_free(&b);
}

static void task_done(void *ctx, const proto_reply *rep)
{
	vd *v = ctx;
	pend *p = rep->index < v->cap_seq ? v->by_seq[rep->index] : NULL;
	if (!p)
		return;
	v->rep->regenerated++;
	for (int d = 0, t = 0; d < DEV_COUNT; d++) {
		if (!(v->devs & BIT(d)))
			continue;
		if ((p->regen & BIT(d)) && rep->kind == PROTO_ERROR) {
			char *msg = xstrndup(rep->text[0], rep->text_len[0]);
			fail(v, p, d, "Warp refuses the python_source", msg);
			free(msg);
		} else if (p->regen & BIT(d)) {
			use_regenerated(v, p, d, rep->text[t], rep->text_len[t]);
		}
		t++;
	}
	submit(v, p);
}

static void task_failed(void *ctx, uint64_t index, const char *reason)
{
	vd *v = ctx;
	pend *p = index < v->cap_seq ? v->by_seq[index] : NULL;
	if (!p)
		return;
	for (int d = 0; d < DEV_COUNT; d++)
		if (p->regen & BIT(d))
			fail(v, p, d, "Warp's worker gave up on the python_source", reason);
	submit(v, p);
}

static int chk_watch_fd(void *ctx) { return chk_fd(((vd *)ctx)->chk); }

static void on_chk_ready(void *ctx)
{
	vd *v = ctx;
	chk_result res;
	while (chk_poll(v->chk, &res))
		on_result(v, &res);
}

static int run_workers(vd *v, buf *err)
{
	pool_options po = v->o->pool;
	po.jobs = po.jobs > 0 ? po.jobs : 1;
	po.devices = v->devs;
	po.sandbox = 1; /* python_source comes from the dataset: outside code */
	pool_callbacks cb = {.next_task = next_task,
			     .task_done = task_done,
			     .task_failed = task_failed,
			     .watch_fd = chk_watch_fd,
			     .on_watch = on_chk_ready};
	pool_stats ps;
	memset(&ps, 0, sizeof ps);
	int rc = pool_run(&po, &cb, v, &ps, err);
	snprintf(v->rep->warp_version, sizeof v->rep->warp_version, "%s", ps.warp_version);
	return rc;
}

/* ---- the run ---- */

int vd_run(const char *dir, const vd_options *o, vd_report *rep, buf *err)
{
	memset(rep, 0, sizeof *rep);
	vd v = {.o = o, .rep = rep, .devs = o->chk.devices ? o->chk.devices : DEV_ALL};
	int rc = -1;
	buf native = BUF_INIT;
	v.rd = reader_open(dir, err);
	if (!v.rd)
		goto out;
	rep->layout = reader_get_layout(v.rd);
	v.field = rep->layout == READER_SEED ? "cpp_forward" : "forward";
	if (warp_native_dir(o->pool.python, o->pool.worker_script, &native, err) < 0)
		goto out;
	int threads = o->pool.jobs > 0 ? o->pool.jobs : 1;
	chk_options co = o->chk;
	co.devices = v.devs;
	co.native_dir = native.data;
	co.threads = threads;
	v.chk = chk_create(&co, err);
	if (!v.chk)
		goto out;
	if (chk_note(v.chk))
		snprintf(rep->note, sizeof rep->note, "%s", chk_note(v.chk));
	v.limit = (size_t)threads * 2 * (size_t)chk_batch_size(&co); /* two batches per thread: they fill */
	pend *p = NULL;
	if (advance(&v, 1, &p) == ADV_REGEN) {
		v.stash = p;
		if (run_workers(&v, err) < 0)
			goto out;
	}
	chk_result res;
	while (chk_wait(v.chk, &res))
		on_result(&v, &res);
	rep->interrupted = o->pool.stop && *o->pool.stop;
	if (rep->nf)
		qsort(rep->f, rep->nf, sizeof *rep->f, cmp_finding);
	rc = 0;
out:
	if (rc < 0 && o->pool.stop && *o->pool.stop) {
		/* the Ctrl-C that stopped us also stopped the Warp probe or a
		 * compiler starting up: what they said is no diagnosis */
		buf_reset(err);
		rep->interrupted = 1;
		rc = 0;
	}
	for (uint64_t i = 0; i < v.cap_seq; i++)
		pend_free(v.by_seq[i]); /* left over after a failure */
	free(v.by_seq);
	if (v.chk)
		chk_free(v.chk);
	if (v.rd)
		reader_close(v.rd);
	buf_free(&native);
	buf_free(&v.msg);
	return rc;
}

void vd_report_free(vd_report *rep)
{
	for (size_t i = 0; i < rep->nf; i++) {
		free(rep->f[i].where);
		free(rep->f[i].kernel);
		free(rep->f[i].reason);
		free(rep->f[i].diag);
	}
	free(rep->f);
	rep->f = NULL;
	rep->nf = 0;
}

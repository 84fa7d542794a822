/* batch: checks sets of modules as single translation units (see chk.h,
 * "Batching"): groups a job's modules by identical prologue, compiles each
 * group once, bisects a failing group down to the modules that fail alone
 * (one that exceeded a limit: straight to its modules one by one), and
 * turns a compiler log into a kernel's diagnostic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "validate/engine.h"

/* The name NVRTC gives the program: its diagnostics read "kernel.cu(LINE)". */
#define NVRTC_NAME "kernel.cu"
#define DIAG_MAX_BYTES 2048

size_t chk_prologue_len(const char *text, size_t len)
{
	size_t i = 0, last = 0; /* last: the end of the last directive line */
	int cont = 0;		/* the previous line ended with a backslash */
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) + 1 : len;
		size_t j = i;
		while (j < end && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r'))
			j++;
		int blank = j == end || text[j] == '\n';
		int directive = j < end && text[j] == '#';
		int comment = j + 1 < end && text[j] == '/' && text[j + 1] == '/';
		if (!(cont || blank || directive || comment))
			break;
		size_t k = end;
		while (k > i && (text[k - 1] == '\n' || text[k - 1] == '\r'))
			k--;
		if (directive || cont)
			last = end;
		cont = (directive || cont) && k > i && text[k - 1] == '\\';
		i = end;
	}
	return last;
}

/* The first lines of a compiler log worth showing: from the line before the
 * first "error" (when it introduces it, e.g. "In function ...:") on. */
static char *diag_excerpt(const char *log, size_t len, int max_lines)
{
	if (!len)
		return xstrdup("(the compiler gave no diagnostic)");
	const char *start = log, *prev = NULL, *p = log, *end = log + len;
	const char *first_err = NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (memmem(p, (size_t)(le - p), "error", 5)) {
			first_err = p;
			break;
		}
		prev = p;
		p = nl ? nl + 1 : end;
	}
	if (first_err) {
		start = first_err;
		if (prev) {
			const char *pe = memchr(prev, '\n', (size_t)(end - prev));
			if (pe && pe > prev && pe[-1] == ':')
				start = prev;
		}
	}
	buf out = BUF_INIT;
	int lines = 0;
	for (p = start; p < end && lines < max_lines && out.len < DIAG_MAX_BYTES; lines++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (out.len + n > DIAG_MAX_BYTES)
			n = DIAG_MAX_BYTES - out.len;
		buf_append(&out, p, n);
		buf_putc(&out, '\n');
		p = nl ? nl + 1 : end;
	}
	while (out.len && (out.data[out.len - 1] == '\n' || out.data[out.len - 1] == ' '))
		out.data[--out.len] = '\0';
	return buf_detach(&out, NULL);
}
/* Compiles one translation unit of `modules` modules. */
static int compile_text(chk_engine *e, dev_id d, const char *src, size_t len, size_t modules, int slot,
			buf *log)
{
	double t0 = now_seconds();
	int rc;
	if (d == DEV_CPU)
		rc = cxx_compile(e->cx, src, len, slot, log);
	else if (modules < CHK_NVRTC_PCH_BELOW && e->nv_opts_pch[slot])
		rc = nvsrv_compile(&e->nvs[slot], &e->lim, src, len, NVRTC_NAME, e->nv_opts_pch[slot],
				   e->nv_nopts_pch, log);
	else
		rc = nvsrv_compile(&e->nvs[slot], &e->lim, src, len, NVRTC_NAME, e->nv_opts[slot],
				   e->nv_nopts, log);
	double dt = now_seconds() - t0;
	pthread_mutex_lock(&e->mu);
	e->st.compiles[d]++;
	e->st.seconds[d] += dt;
	pthread_mutex_unlock(&e->mu);
	return rc;
}

static void set_result(chk_engine *e, item *it, dev_id d, int rc, const buf *log)
{
	free(it->diag[d]);
	it->diag[d] = NULL;
	if (rc == 0) {
		it->ok[d] = 1;
		return;
	}
	if (rc == 2) { /* a limit: the log is our own line */
		size_t n = strcspn(buf_cstr(log), "\n");
		it->ok[d] = 0;
		it->diag[d] = xmalloc(n + 1);
		memcpy(it->diag[d], buf_cstr(log), n);
		it->diag[d][n] = '\0';
		pthread_mutex_lock(&e->mu);
		e->st.failed[d]++;
		pthread_mutex_unlock(&e->mu);
		return;
	}
	buf tidy = BUF_INIT; /* the log with the long headers path shortened */
	const char *p = log->data ? log->data : "", *end = p + log->len;
	size_t pl = e->native_prefix ? strlen(e->native_prefix) : 0;
	while (p < end) {
		const char *hit = pl ? memmem(p, (size_t)(end - p), e->native_prefix, pl) : NULL;
		if (!hit) {
			buf_append(&tidy, p, (size_t)(end - p));
			break;
		}
		buf_append(&tidy, p, (size_t)(hit - p));
		buf_puts(&tidy, "warp/native/");
		p = hit + pl;
	}
	char *ex = diag_excerpt(buf_cstr(&tidy), tidy.len, e->diag_lines);
	buf_free(&tidy);
	if (rc < 0) {
		buf b = BUF_INIT;
		buf_printf(&b, "validator error: %s", ex);
		free(ex);
		ex = buf_detach(&b, NULL);
	}
	it->ok[d] = rc > 0 ? 0 : -1;
	it->diag[d] = ex;
	pthread_mutex_lock(&e->mu);
	if (rc > 0)
		e->st.failed[d]++;
	else
		e->st.internal[d]++;
	pthread_mutex_unlock(&e->mu);
}

void batch_check(chk_engine *e, dev_id d, item **v, size_t n, int slot)
{
	buf src = BUF_INIT, log = BUF_INIT;
	int rc;
	if (n == 1) {
		rc = compile_text(e, d, v[0]->text[d], v[0]->len[d], 1, slot, &log);
		set_result(e, v[0], d, rc, &log);
		buf_free(&log);
		return;
	}
	/* the shared prologue once, then each module's body in a namespace of
	 * its own (Warp names a @wp.func helper `norm_l2_0` in every module
	 * that calls it: two such modules must not clash), then a declaration
	 * legal only at global scope (an operator new may not be declared in a
	 * namespace or a block): a body that leaves a brace open, or closes
	 * one too many, fails here instead of pairing with a neighbour's */
	buf_append(&src, v[0]->text[d], v[0]->pro[d]);
	for (size_t i = 0; i < n; i++) {
		buf_printf(&src, "\nnamespace jitsynth_mod_%zu {\n", i);
		buf_append(&src, v[i]->text[d] + v[i]->pro[d], v[i]->len[d] - v[i]->pro[d]);
		buf_printf(&src, "\n}\nstruct jitsynth_sep_%zu; void *operator new(decltype(sizeof 0), jitsynth_sep_%zu *);\n",
			   i, i);
	}
	rc = compile_text(e, d, src.data, src.len, n, slot, &log);
	buf_free(&src);
	buf_free(&log);
	if (rc == 0) {
		for (size_t i = 0; i < n; i++)
			set_result(e, v[i], d, 0, NULL);
		return;
	}
	if (rc == 2) { /* bisecting would hit the limit again at every level */
		for (size_t i = 0; i < n; i++)
			batch_check(e, d, v + i, 1, slot);
		return;
	}
	/* Bisect. A batch whose halves all pass failed only as a combination
	 * (e.g. the same kernel twice): its modules pass on their own. */
	size_t h = n / 2;
	batch_check(e, d, v, h, slot);
	batch_check(e, d, v + h, n - h, slot);
	int any_bad = 0;
	for (size_t i = 0; i < n; i++)
		any_bad |= v[i]->ok[d] != 1;
	if (!any_bad) {
		pthread_mutex_lock(&e->mu);
		e->st.combined_only++;
		pthread_mutex_unlock(&e->mu);
	}
}

/* Groups a job's items by identical prologue, then checks each group. */
void batch_run_job(chk_engine *e, const job *j, int slot)
{
	dev_id d = j->d;
	item **grp = xmalloc(j->n * sizeof *grp);
	char *taken = xcalloc(j->n, 1);
	for (size_t i = 0; i < j->n; i++) {
		if (taken[i])
			continue;
		item *a = j->v[i];
		size_t g = 0;
		for (size_t k = i; k < j->n; k++) {
			item *b = j->v[k];
			if (taken[k] || b->pro[d] != a->pro[d] || memcmp(a->text[d], b->text[d], a->pro[d]))
				continue;
			taken[k] = 1;
			grp[g++] = b;
		}
		batch_check(e, d, grp, g, slot);
	}
	free(taken);
	free(grp);
}

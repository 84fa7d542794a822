/* ingest: SRC trees -> records (see ingest.h). One task per Python file
 * that holds a kernel; answers are stored in file order (sorted paths), so
 * the same trees give the same dataset whatever --jobs. The manifest and
 * the card are in manifest_ingest.c. */
#include "pipeline/ingest.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/dev.h"
#include "common/untrusted.h"
#include "common/util.h"
#include "extract/extract.h"
#include "ingest/scan.h"
#include "ingest/source.h"
#include "pipeline/ingest_manifest.h"
#include "pipeline/outdir.h"
#include "store/dedup.h"
#include "store/layout.h"
#include "store/record.h"
#include "store/shards.h"
#include "warp/proto.h"
#include "warp/sandbox.h"

#define INGEST_MAX_FILE (16u << 20)

typedef struct task {
	size_t tree, file;
	scan_result scan;
	json_t *answer; /* NULL until answered */
	char *failed;	/* the pool gave up: why */
} task;

typedef struct ig {
	const ingest_options *o;
	ingest_result *res;
	src_tree *trees;
	size_t ntrees;
	task *t;
	size_t nt, next, stored;
	shard_set shards;
	jsonl_file rejects;
	dedup *dd;
	ig_counts counts;
	uint64_t (*per_tree)[4]; /* found, module level, paired, module level paired */
	buf line, err;
	int failed;
} ig;

/* ---- finding the trees ---- */

static int name_like(const char *s)
{
	if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.')
			return 0;
	return 1;
}

/* SRC as a directory: itself, or where jitsynth's Python finds the package
 * of that name (asked in the sandbox: finding a dotted name imports its
 * parents). */
static int resolve(const ingest_options *o, const char *src, buf *dir, buf *err)
{
	struct stat st;
	if (stat(src, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			buf_printf(err,
				   "'%s' is not a directory (give a directory of Python files, a checkout or "
				   "a package name)",
				   src);
			return -1;
		}
		buf_puts(dir, src);
		return 0;
	}
	if (!name_like(src)) {
		buf_printf(err, "'%s': no such directory, nor a package name", src);
		return -1;
	}
	static const char code[] =
	    "import importlib.util, os\n"
	    "s = importlib.util.find_spec(os.environ['JITSYNTH_PACKAGE'])\n"
	    "print(s.submodule_search_locations[0] if s and s.submodule_search_locations else '')\n";
	char env[256];
	snprintf(env, sizeof env, "JITSYNTH_PACKAGE=%s", src);
	buf out = BUF_INIT, msg = BUF_INIT;
	int st_ = sbx_run(o->pool.python, code, env, &out, &msg, err);
	while (out.len && (out.data[out.len - 1] == '\n' || out.data[out.len - 1] == '\r'))
		out.data[--out.len] = '\0';
	int rc = 0;
	if (st_ < 0) {
		rc = -1;
	} else if (st_ != 0 || !out.len) {
		buf_printf(err, "'%s' is neither a directory nor a package that '%s' can import", src,
			   o->pool.python);
		rc = -1;
	} else {
		buf_append(dir, out.data, out.len);
	}
	buf_free(&out);
	buf_free(&msg);
	return rc;
}

static int read_text(const char *path, buf *out)
{
	buf why = BUF_INIT;
	off_t size = 0;
	int fd = untrusted_open(path, &size, &why);
	buf_free(&why);
	if (fd < 0 || size > (off_t)INGEST_MAX_FILE) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	char chunk[65536];
	ssize_t r;
	while ((r = read(fd, chunk, sizeof chunk)) != 0 && out->len <= INGEST_MAX_FILE) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		buf_append(out, chunk, (size_t)r);
	}
	close(fd);
	return 0;
}

static void add_tasks(ig *g, size_t ti)
{
	src_tree *tr = &g->trees[ti];
	buf text = BUF_INIT;
	for (size_t i = 0; i < tr->n; i++) {
		buf_reset(&text);
		g->res->files++;
		if (read_text(tr->f[i].path, &text) < 0)
			continue;
		scan_result sr = {0};
		scan_kernels(text.data ? text.data : "", text.len, &sr);
		if (!sr.n) {
			scan_result_free(&sr);
			continue;
		}
		g->res->files_with_kernels++;
		g->res->found += sr.n;
		for (size_t k = 0; k < sr.n; k++)
			g->res->module_level += sr.k[k].toplevel;
		if (g->nt % 64 == 0)
			g->t = xrealloc(g->t, (g->nt + 64) * sizeof *g->t);
		g->t[g->nt++] = (task){.tree = ti, .file = i, .scan = sr};
	}
	buf_free(&text);
}

/* ---- records and rejects ---- */

static void count_reason(ig *g, const char *reason)
{
	/* the class: up to the first ':' ("missing dependency", "Warp's error", ...) */
	char key[64];
	snprintf(key, sizeof key, "%.*s", (int)strcspn(reason, ":;("), reason);
	size_t n = strlen(key);
	while (n && key[n - 1] == ' ')
		key[--n] = '\0';
	json_t *c = json_object_get(g->res->by_reason, key);
	json_object_set_new(g->res->by_reason, key, json_integer(c ? json_integer_value(c) + 1 : 1));
}

static json_t *source_json(const src_tree *tr, const src_file *f, const scan_kernel *k, const json_t *ans)
{
	json_t *s = json_object();
	json_object_set_new(s, "path", json_string(f->rel));
	json_object_set_new(s, "line", json_integer(k->line));
	json_object_set_new(s, "package", json_string(tr->package));
	if (*tr->version)
		json_object_set_new(s, "version", json_string(tr->version));
	if (*tr->commit)
		json_object_set_new(s, "commit", json_string(tr->commit));
	json_object_set_new(s, "license", json_string(tr->license));
	json_object_set_new(s, "module_level", json_boolean(k->toplevel));
	const char *route = ans ? json_string_value(json_object_get(ans, "route")) : NULL;
	if (route && *route)
		json_object_set_new(s, "route", json_string(route));
	const char *ie = ans ? json_string_value(json_object_get(ans, "import_error")) : NULL;
	if (ie && *ie)
		json_object_set_new(s, "import_error", json_string(ie));
	return s;
}

static int write_reject(ig *g, const task *t, const scan_kernel *k, const json_t *ans, const char *reason)
{
	const src_tree *tr = &g->trees[t->tree];
	const src_file *f = &tr->f[t->file];
	char id[40];
	snprintf(id, sizeof id, "i-%016llx",
		 (unsigned long long)XXH64(f->rel, strlen(f->rel), (unsigned long long)k->line * 1000003u));
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "kernel_name", json_string(k->name));
	json_object_set_new(o, "category", json_string(f->category));
	json_object_set_new(o, "stage", json_string("ingest"));
	const char *r = rec_reject_reason(reason);
	json_object_set_new(o, "reason", json_string(r));
	json_object_set_new(o, "origin", json_string("ingested"));
	json_object_set_new(o, "source", source_json(tr, f, k, ans));
	buf_reset(&g->line);
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	buf_puts(&g->line, s ? s : "{}");
	free(s);
	buf_putc(&g->line, '\n');
	count_reason(g, r);
	g->res->rejects++;
	return jsonl_write(&g->rejects, g->line.data, g->line.len, &g->err);
}

int ingest_dedup_text(const json_t *rec, buf *out)
{
	const json_t *src = json_object_get(rec, "source");
	const json_t *span = json_object_get(src, "span");
	const char *py = json_string_value(json_object_get(rec, "python_source"));
	if (!py || json_array_size(span) != 2)
		return 0;
	json_int_t a = json_integer_value(json_array_get(span, 0)),
		   b = json_integer_value(json_array_get(span, 1));
	json_int_t line = 1;
	for (const char *p = py; *p; p++) {
		if (line >= a && line <= b)
			buf_putc(out, *p);
		if (*p == '\n' && ++line > b)
			break;
	}
	const char *sig = json_string_value(json_object_get(src, "overload"));
	if (sig && *sig)
		buf_printf(out, "\n__overload__ = [%s]\n", sig); /* as code: dedup keeps attribute names */
	return 1;
}

/* One record per variant (a kernel, or an overload of a generic one). */
static int write_variant(ig *g, const task *t, const scan_kernel *k, const json_t *ans, const json_t *var)
{
	const src_tree *tr = &g->trees[t->tree];
	const src_file *f = &tr->f[t->file];
	size_t mi = (size_t)json_integer_value(json_array_get(var, 0));
	const char *cname = json_string_value(json_array_get(var, 1));
	const char *sig = json_string_value(json_array_get(var, 2));
	const json_t *mod = json_array_get(json_object_get(ans, "modules"), mi);
	if (!cname || !mod)
		return write_reject(g, t, k, ans, "worker: malformed answer");
	json_t *ir = json_object(), *val = json_object();
	char hash[24] = "";
	for (int d = 0; d < DEV_COUNT; d++) {
		if (!(g->o->pool.devices & DEV_BIT(d)))
			continue;
		const json_t *tx = json_object_get(mod, dev_name((dev_id)d));
		const char *text = json_string_value(tx);
		ext_kernel ek;
		char why[256];
		if (!text || ext_kernel_find(text, json_string_length(tx), cname, (dev_id)d, &ek, why,
					     sizeof why) < 0) {
			json_decref(ir);
			json_decref(val);
			char reason[320];
			snprintf(reason, sizeof reason, "extract: %s", text ? why : "no module text");
			return write_reject(g, t, k, ans, reason);
		}
		snprintf(hash, sizeof hash, "%s", ek.hash);
		json_object_set_new(
		    ir, dev_name((dev_id)d),
		    json_pack("{s:s%, s:s%, s:O}", "forward", ek.forward.start, ek.forward.len, "backward",
			      ek.backward.start ? ek.backward.start : "", ek.backward.len, "module", tx));
		json_object_set_new(val, dev_name((dev_id)d), json_string("none"));
	}
	const json_t *py = json_object_get(mod, "python_source");
	if (!py)
		py = json_object_get(ans, "python_source");
	json_t *src = source_json(tr, f, k, ans);
	const json_t *span = json_object_get(mod, "span");
	json_object_set_new(src, "span",
			    span ? json_deep_copy(span) : json_pack("[i, i]", k->first, k->last));
	if (sig && *sig)
		json_object_set_new(src, "overload", json_string(sig));
	if (json_is_true(json_array_get(var, 3))) /* no overload declared: float32 by jitsynth */
		json_object_set_new(src, "instantiated", json_true());
	char id[40], kname[160];
	buf key = BUF_INIT;
	buf_printf(&key, "%s%c%s%c%s%c%s", tr->package, 0, f->rel, 0, cname, 0, sig ? sig : "");
	snprintf(id, sizeof id, "i-%016llx", (unsigned long long)XXH64(key.data, key.len, 0));
	buf_free(&key);
	snprintf(kname, sizeof kname, "%s", k->name);
	json_t *rec =
	    json_pack("{s:s, s:s, s:s, s:O, s:o, s:{s:s, s:s, s:s, s:o}, s:s, s:o}", "id", id, "kernel_name",
		      kname, "category", f->category, "python_source", py, "ir", ir, "meta", "warp_version",
		      g->res->warp_version, "jitsynth_version", JITSYNTH_VERSION, "kernel_hash", hash,
		      "validated", val, "origin", "ingested", "source", src);
	if (!rec) /* jansson refused a text: not UTF-8 */
		return write_reject(g, t, k, ans, "worker: a text of Warp's answer is not valid UTF-8");
	int rc = 0;
	if (g->o->dedup) {
		buf text = BUF_INIT;
		ingest_dedup_text(rec, &text);
		const json_t *cpu =
		    json_object_get(ir, "cpu") ? json_object_get(ir, "cpu") : json_object_get(ir, "cuda");
		const json_t *fw = json_object_get(cpu, "forward");
		dedup_verdict v = dedup_check(g->dd, text.data ? text.data : "", text.len,
					      json_string_value(fw), json_string_length(fw));
		buf_free(&text);
		if (v != DEDUP_NEW) {
			*(v == DEDUP_EXACT ? &g->res->exact : &g->res->structural) += 1;
			json_decref(rec);
			return 0;
		}
	}
	buf_reset(&g->line);
	size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER;
	size_t need = json_dumpb(rec, NULL, 0, flags);
	buf_grow(&g->line, need + 2);
	g->line.len = json_dumpb(rec, g->line.data, need, flags);
	buf_putc(&g->line, '\n');
	ig_count_record(&g->counts, rec);
	json_decref(rec);
	g->res->records++;
	if (shards_write(&g->shards, g->line.data, g->line.len, &g->err) < 0)
		rc = -1;
	return rc;
}

static int store_task(ig *g, task *t)
{
	const json_t *kinds = t->answer ? json_object_get(t->answer, "kernels") : NULL;
	if (t->answer) {
		const char *route = json_string_value(json_object_get(t->answer, "route"));
		*(route && !strcmp(route, "standalone") ? &g->res->route_standalone
							: &g->res->route_import) += 1;
	}
	for (size_t i = 0; i < t->scan.n; i++) {
		const scan_kernel *k = &t->scan.k[i];
		const json_t *item = json_array_get(kinds, i);
		const char *reject = json_string_value(json_object_get(item, "reject"));
		const json_t *vars = json_object_get(item, "variants");
		uint64_t *pt = g->per_tree[t->tree];
		pt[0]++, pt[1] += k->toplevel;
		int rc;
		if (!t->answer)
			rc = write_reject(g, t, k, NULL, t->failed ? t->failed : "worker: no answer");
		else if (!item)
			rc = write_reject(g, t, k, t->answer, "worker: no verdict for this kernel");
		else if (reject && *reject)
			rc = write_reject(g, t, k, t->answer, reject);
		else if (!json_array_size(vars))
			rc = write_reject(g, t, k, t->answer, "generic without overload");
		else {
			rc = 0;
			g->res->paired++;
			pt[2]++, pt[3] += k->toplevel;
			for (size_t v = 0; v < json_array_size(vars) && rc == 0; v++)
				rc = write_variant(g, t, k, t->answer, json_array_get(vars, v));
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

static void flush(ig *g)
{
	while (!g->failed && g->stored < g->nt && (g->t[g->stored].answer || g->t[g->stored].failed)) {
		task *t = &g->t[g->stored++];
		if (store_task(g, t) < 0)
			g->failed = 1;
		json_decref(t->answer);
		t->answer = NULL;
		free(t->failed);
		t->failed = NULL;
	}
}

/* ---- the pool's callbacks ---- */

static int on_ready(void *ctx, const char *warp_version, const char *native, buf *why)
{
	(void)native, (void)why;
	ig *g = ctx;
	snprintf(g->res->warp_version, sizeof g->res->warp_version, "%s", warp_version);
	return 0;
}

static pool_next next_task(void *ctx, uint64_t *index, buf *frame)
{
	ig *g = ctx;
	if (g->failed || g->next >= g->nt)
		return POOL_DONE;
	task *t = &g->t[g->next];
	const src_tree *tr = &g->trees[t->tree];
	const src_file *f = &tr->f[t->file];
	json_t *ks = json_array();
	for (size_t i = 0; i < t->scan.n; i++)
		json_array_append_new(ks, json_pack("{s:s, s:i, s:b}", "name", t->scan.k[i].name, "line",
						    t->scan.k[i].line, "toplevel", !t->scan.k[i].in_def));
	json_t *req = json_pack("{s:s, s:s, s:s, s:i, s:o}", "file", f->path, "module", f->module, "root",
				tr->root, "devices", (int)g->o->pool.devices, "kernels", ks);
	char *s = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	proto_put_ingest(frame, g->next, s, strlen(s));
	free(s);
	*index = g->next++;
	return POOL_TASK;
}

static void task_done(void *ctx, const proto_reply *r)
{
	ig *g = ctx;
	if (r->index >= g->nt)
		return;
	task *t = &g->t[r->index];
	if (r->kind == PROTO_OUTPUT && r->ntext >= 1) {
		json_error_t je;
		t->answer = json_loadb(r->text[0], r->text_len[0], 0, &je);
	}
	if (!t->answer)
		t->failed = xstrdup(r->kind == PROTO_ERROR ? "worker: the worker refused the request"
							   : "worker: malformed answer");
	flush(g);
}

static void task_failed(void *ctx, uint64_t index, const char *reason)
{
	ig *g = ctx;
	if (index >= g->nt)
		return;
	buf b = BUF_INIT;
	buf_printf(&b, "sandbox: %s", reason);
	g->t[index].failed = xstrdup(buf_cstr(&b));
	buf_free(&b);
	flush(g);
}

/* ---- the run ---- */

int ingest_run(const ingest_options *o, ingest_result *res, buf *err)
{
	memset(res, 0, sizeof *res);
	res->by_reason = json_object();
	double t0 = now_seconds();
	ig g = {.o = o, .res = res};
	g.trees = xcalloc(o->nsrcs, sizeof *g.trees);
	g.per_tree = xcalloc(o->nsrcs, sizeof *g.per_tree);
	int rc = -1, locked = 0, created = 0;
	dir_lock lock = DIR_LOCK_INIT;
	for (size_t i = 0; i < o->nsrcs; i++) {
		buf dir = BUF_INIT;
		int r = resolve(o, o->srcs[i], &dir, err);
		if (r == 0)
			r = src_open(buf_cstr(&dir), &g.trees[i], err);
		buf_free(&dir);
		if (r < 0)
			goto out;
		g.ntrees++;
		add_tasks(&g, i);
	}
	if (outdir_lock(o->out, &lock, &created, err) < 0)
		goto out;
	locked = 1;
	if (outdir_prepare(o->out, o->force, 0, err) < 0)
		goto out;
	g.dd = dedup_new();
	ig_counts_init(&g.counts);
	shards_init(&g.shards, o->out, o->shard_size, o->format, o->zstd_level);
	if (jsonl_open(&g.rejects, o->out, LAYOUT_REJECTS, err) < 0)
		goto out_shards;
	pool_options po = o->pool;
	po.devices = DEV_BIT(DEV_CPU); /* one text per answer: the JSON */
	po.batch = 1;
	po.sandbox = 1;
	pool_callbacks cb = {
	    .ready = on_ready, .next_task = next_task, .task_done = task_done, .task_failed = task_failed};
	pool_stats ps;
	memset(&ps, 0, sizeof ps);
	if (g.nt && pool_run(&po, &cb, &g, &ps, err) < 0)
		goto out_rejects;
	if (g.failed) {
		buf_puts(err, buf_cstr(&g.err));
		goto out_rejects;
	}
	if (o->pool.stop && *o->pool.stop) {
		buf_printf(err, "interrupted: '%s' holds no dataset (run the same command again)", o->out);
		goto out_rejects;
	}
	if (!*res->warp_version)
		snprintf(res->warp_version, sizeof res->warp_version, "%s", ps.warp_version);
	if (shards_finish(&g.shards, err) < 0 || jsonl_commit(&g.rejects, err) < 0)
		goto out_rejects;
	res->seconds = now_seconds() - t0;
	res->per_source = json_array();
	for (size_t i = 0; i < g.ntrees; i++)
		json_array_append_new(res->per_source,
				      json_pack("{s:s, s:I, s:I, s:I, s:I}", "src", o->srcs[i], "found",
						(json_int_t)g.per_tree[i][0], "module_level",
						(json_int_t)g.per_tree[i][1], "paired",
						(json_int_t)g.per_tree[i][2], "module_level_paired",
						(json_int_t)g.per_tree[i][3]));
	rc = ig_write_manifest(o, res, g.trees, g.ntrees, &g.counts, &g.shards, &g.rejects, err);
out_rejects:
	jsonl_release(&g.rejects);
out_shards:
	shards_release(&g.shards);
	ig_counts_free(&g.counts);
	dedup_free(g.dd);
out:
	for (size_t i = 0; i < g.nt; i++) {
		scan_result_free(&g.t[i].scan);
		json_decref(g.t[i].answer);
		free(g.t[i].failed);
	}
	free(g.t);
	for (size_t i = 0; i < g.ntrees; i++)
		src_free(&g.trees[i]);
	free(g.trees);
	free(g.per_tree);
	buf_free(&g.line);
	buf_free(&g.err);
	if (locked)
		outdir_unlock(o->out, &lock, created);
	return rc;
}

void ingest_result_free(ingest_result *res)
{
	json_decref(res->by_reason);
	json_decref(res->per_source);
	res->by_reason = res->per_source = NULL;
}

/* manifest: see manifest.h. Key order is fixed (jansson keeps insertion
 * order) so manifests of equal runs differ only in "timing". */
#include "pipeline/manifest.h"

#include <jansson.h>
#include <stdlib.h>
#include <time.h>

#include "common/dev.h"
#include "store/layout.h"
#include "store/record.h"

int manifest_write(const run_options *o, const run_state *s, const metrics *mx, const shard_set *shards,
		   const jsonl_file *rejects, buf *err)
{
	return manifest_write_timing(o, s, mx, shards, rejects, NULL, err);
}

int manifest_write_timing(const run_options *o, const run_state *s, const metrics *mx, const shard_set *shards,
			  const jsonl_file *rejects, json_t *parts, buf *err)
{
	json_t *m = json_object();
	json_object_set_new(m, "format", json_string("jitsynth-dataset-1"));
	json_object_set_new(m, "complete", json_boolean(s->complete));
	json_object_set_new(m, "jitsynth_version", json_string(JITSYNTH_VERSION));
	json_object_set_new(m, "warp_version", json_string(s->pool.warp_version));

	json_object_set_new(m, "options", run_options_json(o));

	json_t *counts = json_object(), *percat = json_object(), *perdev = json_object();
	json_object_set_new(counts, "kernels", json_integer((json_int_t)s->done));
	json_object_set_new(counts, "records", json_integer((json_int_t)s->records));
	json_object_set_new(counts, "rejects", json_integer((json_int_t)s->rejects));
	for (int c = 0; c < GEN_CATEGORY_COUNT; c++)
		if (s->cat_records[c] || s->cat_rejects[c])
			json_object_set_new(percat, gen_category_name((gen_category)c),
					    json_pack("{s:I, s:I}", "records", (json_int_t)s->cat_records[c], "rejects",
						      (json_int_t)s->cat_rejects[c]));
	for (int d = 0; d < DEV_COUNT; d++)
		if (o->pool.devices & DEV_BIT(d))
			json_object_set_new(perdev, dev_name((dev_id)d), json_integer((json_int_t)s->records));
	json_t *stages = json_object();
	for (int st = 0; st < STAGE_COUNT; st++)
		json_object_set_new(stages, run_stage_name((run_stage)st), json_integer((json_int_t)s->stage_rejects[st]));
	json_object_set_new(counts, "rejects_by_stage", stages);
	json_object_set_new(counts, "dedup", json_pack("{s:I, s:I}", "exact", (json_int_t)s->dropped_exact,
						      "structural", (json_int_t)s->dropped_structural));
	json_object_set_new(counts, "per_category", percat);
	json_object_set_new(counts, "per_device", perdev);
	json_object_set_new(m, "counts", counts);
	json_object_set_new(m, "metrics", metrics_json(mx));

	if (o->chk.tier != CHK_NONE) {
		/* every record passed; what failed is in rejects.jsonl (stage
		 * "validate"). Compiler invocations depend on batching: timing. */
		json_t *val = json_object();
		json_object_set_new(val, "tier", json_string(chk_tier_name(o->chk.tier)));
		json_object_set_new(val, "records_passed", json_integer((json_int_t)s->records));
		json_object_set_new(val, "rejected", json_integer((json_int_t)s->stage_rejects[STAGE_VALIDATE]));
		json_object_set_new(val, "toolchain",
				    json_pack("{s:s, s:s, s:s}", "cuda", "NVRTC (libnvrtc, --fdevice-syntax-only for syntax; PTX for compile)",
					      "cxx", o->chk.cxx ? o->chk.cxx : "g++", "arch", o->chk.arch ? o->chk.arch : "sm_90"));
		if (o->exec) {
			json_object_set_new(json_object_get(val, "toolchain"), "run_cxx", json_string(o->run_cxx ? o->run_cxx : "g++"));
			json_object_set_new(val, "tier", json_string("run"));
			json_object_set_new(val, "run", rt_report_json(&s->exec));
		}
		json_object_set_new(m, "validation", val);
	}

	json_t *sh = json_array();
	for (size_t i = 0; i < shards->ndone; i++) {
		const shard_info *d = &shards->done[i];
		json_array_append_new(sh, json_pack("{s:s, s:I, s:I, s:s}", "file", d->name, "records",
						    (json_int_t)d->records, "bytes", (json_int_t)d->bytes, "sha256",
						    d->sha256));
	}
	json_object_set_new(m, "shards", sh);
	json_object_set_new(m, "rejects", json_pack("{s:s, s:I, s:s}", "file", LAYOUT_REJECTS, "records",
						   (json_int_t)rejects->lines, "sha256", rejects->sha256));

	json_t *timing = json_object();
	char when[32];
	time_t t = time(NULL);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	json_object_set_new(timing, "finished", json_string(when));
	json_object_set_new(timing, "seconds", json_real(s->elapsed));
	json_object_set_new(timing, "kernels_per_second", json_real(s->elapsed > 0 ? (double)(s->done - s->resumed_from) / s->elapsed : 0));
	json_object_set_new(timing, "jobs", json_integer(o->pool.jobs));
	json_object_set_new(timing, "resumed_from", json_integer((json_int_t)s->resumed_from));
	json_object_set_new(timing, "worker_restarts", json_integer(s->pool.restarts));
	json_object_set_new(timing, "peak_rss_kib", json_integer(s->peak_rss_kib));
	json_object_set_new(timing, "cpu_seconds", json_real(s->cpu_s));
	json_object_set_new(timing, "main_thread_cpu_seconds", json_real(s->main_cpu_s));
	if (o->chk.tier != CHK_NONE)
		json_object_set_new(timing, "validation",
				    json_pack("{s:[I,I], s:[f,f], s:b}", "compilations", (json_int_t)s->chk.compiles[0],
					      (json_int_t)s->chk.compiles[1], "compiler_seconds", s->chk.seconds[0],
					      s->chk.seconds[1], "cxx_pch", s->chk.cxx_pch));
	if (o->exec)
		json_object_set_new(timing, "run_tier",
				    json_pack("{s:I, s:f, s:f}", "builds", (json_int_t)s->exec_builds, "build_seconds",
					      s->exec_build_s, "run_seconds", s->exec_run_s));
	json_object_set_new(timing, "worker_peak_rss_kib", json_integer(s->pool.worker_peak_rss_kib));
	json_t *tl = json_array();
	for (size_t i = 0; i < s->ntimeline; i++)
		json_array_append_new(tl, json_pack("[I, f, I]", (json_int_t)s->timeline[i].done, s->timeline[i].seconds,
						    (json_int_t)s->timeline[i].worker_rss_kib));
	json_object_set_new(timing, "timeline", tl);
	if (parts)
		json_object_set(timing, "parts", parts);
	json_object_set_new(m, "timing", timing);

	/* 15 digits: the metrics' means (rounded to 2 decimals) print as such */
	int rc = json_write_atomic(o->out_dir, LAYOUT_MANIFEST, m,
				   JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15), err);
	json_decref(m);
	return rc;
}

/* cudarun: the run tier's CUDA runner (jitsynth __exec-runner --cuda
 * NATIVE_DIR SPEC FROM), a child process like the CPU runner (runner.c)
 * and speaking the same protocol: for each kernel of SPEC from FROM on,
 * "S k", then "R k <JSON>". SPEC holds per kernel "K seed ncpu ncuda", the
 * CPU module (its signature: the CUDA entry point takes the same types, one
 * parameter each) and the CUDA module. Each CUDA module is compiled by
 * NVRTC to a CUBIN for this GPU's architecture with Warp's own options,
 * loaded through the driver API (cuda.h) and launched twice, each time on
 * freshly built inputs (inputs.h: the very bytes the CPU runner uses);
 * the result holds every output array's values (as the CPU runner's
 * values mode does) and whether the two launches gave identical bytes.
 *
 * Not run here: kernels with geometry ids (their objects are built on the
 * host). A fault on the GPU loses the context: the runner exits with
 * EXEC_EXIT_GPU_FAULT between "S k" and "R k", and its parent names the
 * kernel and starts a new runner after it. */
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/util.h"
#include "exec/cuda.h"
#include "exec/exec.h"
#include "exec/exec_int.h"
#include "exec/inputs.h"
#include "exec/sig.h"
#include "validate/flags.h"
#include "validate/nvrtc.h"

#define out_fd exec_out_fd
static char gpu_name[160]; /* "NVIDIA H200 (sm_90)" */

static void emit_result(uint64_t k, buf *line)
{
	char hdr[48];
	int h = snprintf(hdr, sizeof hdr, "R %llu ", (unsigned long long)k);
	exec_emit(hdr, (size_t)h);
	exec_emit(line->data ? line->data : "{}", line->len);
	exec_emit("\n", 1);
}

static int is_out(xrole r)
{
	return r == XR_OUTPUT || r == XR_ACCUM || r == XR_INOUT;
}

/* One launch on fresh inputs; 0, or -1 with err (and *fault when the
 * context is lost). */
static int launch(xcu *c, xcu_module *m, const sig *s, uint64_t seed, xinputs *in, buf *err)
{
	xin_build(s, seed, 0, in);
	unsigned char dim[48];
	size_t nb = xin_bounds(in, dim);
	/* the blob: launch bounds, then the args struct; each parameter by value */
	size_t n = (size_t)s->nparams + 1;
	unsigned char *blob = xmalloc(nb + s->args_size + 1);
	memcpy(blob, dim, nb);
	memcpy(blob + nb, in->args, s->args_size);
	size_t *off = xcalloc(n, sizeof *off), *size = xcalloc(n, sizeof *size);
	off[0] = 0, size[0] = nb;
	for (int p = 0; p < s->nparams; p++) {
		off[p + 1] = nb + s->params[p].offset;
		size[p + 1] = s->params[p].type->size;
	}
	xcu_buf *bufs = xcalloc((size_t)in->nallocs + 1, sizeof *bufs);
	for (int i = 0; i < in->nallocs; i++)
		bufs[i] = (xcu_buf){in->allocs[i], in->alloc_bytes[i]};
	buf entry = BUF_INIT;
	buf_printf(&entry, "%s_cuda_kernel_forward", s->entry);
	int rc = xcu_launch(c, m, buf_cstr(&entry), blob, off, size, (int)n, bufs, in->nallocs, in->size,
			    s->tiled ? (unsigned)s->block_dim : 256, s->tiled, err);
	buf_free(&entry);
	free(bufs);
	free(off);
	free(size);
	free(blob);
	return rc;
}

static void not_run(buf *out, const char *cls, const char *reason)
{
	buf_reset(out);
	exec_json_not_run(out, cls, reason);
}

static void run_one(xcu *c, const nvrtc_lib *nv, char **opts, int nopts, uint64_t k, uint64_t seed,
		    const char *kernel, const char *cpu, size_t ncpu, const char *cuda, size_t ncuda, buf *line)
{
	buf err = BUF_INIT, log = BUF_INIT, cubin = BUF_INIT;
	sig s;
	if (sig_parse_for(cpu, ncpu, kernel, &s, &err) < 0) {
		not_run(line, "signature", buf_cstr(&err));
		goto out_nosig;
	}
	for (int p = 0; p < s.nparams; p++)
		if (s.params[p].geo != XG_NONE) {
			not_run(line, "geometry", "geometry objects are built on the host only");
			goto out;
		}
	char *src = xmalloc(ncuda + 1);
	memcpy(src, cuda, ncuda);
	src[ncuda] = '\0';
	char name[64];
	snprintf(name, sizeof name, "kernel%llu.cu", (unsigned long long)k);
	int r = nvrtc_compile_cubin(nv, src, name, (const char *const *)opts, nopts, &log, &cubin);
	free(src);
	if (r != 0) {
		buf why = BUF_INIT;
		buf_puts(&why, "NVRTC did not compile it for this GPU: ");
		size_t m = strcspn(buf_cstr(&log), "\n");
		buf_append(&why, buf_cstr(&log), m > 300 ? 300 : m);
		not_run(line, "build", buf_cstr(&why));
		buf_free(&why);
		goto out;
	}
	xcu_module *mod = xcu_load(c, cubin.data, cubin.len, &err);
	if (!mod) {
		not_run(line, "build", buf_cstr(&err));
		goto out;
	}
	xinputs a, b;
	if (launch(c, mod, &s, seed, &a, &err) < 0 || launch(c, mod, &s, seed, &b, &err) < 0) {
		/* the context may be lost: end here, the parent names kernel k */
		dprintf(2, "jitsynth cuda runner: %s\n", buf_cstr(&err));
		_exit(EXEC_EXIT_GPU_FAULT);
	}
	json_t *o = json_object(), *params = json_object(), *inputs = json_object();
	int identical = 1, well_defined = 1;
	for (int p = 0; p < s.nparams; p++)
		if (s.params[p].role == XR_INOUT || s.params[p].stores_elsewhere)
			well_defined = 0;
	/* a reproducer's inputs: every input array's values and every scalar */
	xinputs fresh;
	xin_build(&s, seed, 0, &fresh);
	for (int p = 0; p < s.nparams; p++) {
		const xparam *x = &s.params[p];
		json_t *v = json_array();
		const xarr *arr = NULL;
		for (int i = 0; i < fresh.narrs; i++)
			if (fresh.arrs[i].param == p && fresh.arrs[i].top)
				arr = &fresh.arrs[i];
		if (arr && arr->elem->kind == XK_VALUE && x->role != XR_OUTPUT && x->role != XR_ACCUM) {
			for (size_t e = 0; e < arr->count; e++)
				for (int cc = 0; cc < arr->elem->ncomp; cc++)
					json_array_append_new(v, exec_json_num(xin_get(arr, arr->data, e, cc), xscalar_is_float(arr->elem->sk)));
		} else if (!arr && x->type->kind == XK_VALUE) {
			xarr one = {.elem = x->type, .count = 1};
			for (int cc = 0; cc < x->type->ncomp; cc++)
				json_array_append_new(v, exec_json_num(xin_get(&one, fresh.args + x->offset, 0, cc), xscalar_is_float(x->type->sk)));
		}
		json_object_set_new(inputs, x->name, v);
	}
	json_t *launch_shape = json_array();
	for (int d = 0; d < fresh.ndim; d++)
		json_array_append_new(launch_shape, json_integer(fresh.launch[d]));
	xin_free(&fresh);
	for (int i = 0; i < a.narrs; i++) {
		const xarr *x = &a.arrs[i], *y = &b.arrs[i];
		if (!is_out(s.params[x->param].role))
			continue;
		identical &= memcmp(x->data, y->data, x->bytes) == 0;
		if (!x->top || x->elem->kind != XK_VALUE)
			continue;
		json_t *v = json_array();
		for (size_t e = 0; e < x->count; e++)
			for (int cc = 0; cc < x->elem->ncomp; cc++)
				json_array_append_new(v, exec_json_num(xin_get(x, x->data, e, cc), xscalar_is_float(x->elem->sk)));
		json_t *po = json_object();
		json_object_set_new(po, "values", v);
		json_object_set_new(params, s.params[x->param].name, po);
	}
	xin_free(&a);
	xin_free(&b);
	json_object_set_new(o, "status", json_string("executed"));
	json_object_set_new(o, "gpu", json_string(gpu_name));
	json_object_set_new(o, "well_defined", json_boolean(well_defined));
	/* float16 on the way: compared at half precision (gpucheck.h) */
	json_object_set_new(o, "half", json_boolean(memmem(cpu, ncpu, "wp::float16", 11) != NULL));
	json_object_set_new(o, "identical", json_boolean(identical));
	json_object_set_new(o, "launch", launch_shape);
	json_object_set_new(o, "params", params);
	json_object_set_new(o, "inputs", inputs);
	char *t = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
	buf_reset(line);
	buf_puts(line, t ? t : "{}");
	free(t);
	json_decref(o);
out:
	sig_free(&s);
out_nosig:
	buf_free(&err);
	buf_free(&log);
	buf_free(&cubin);
	(void)k;
}

/* argv: __exec-runner --cuda NATIVE_DIR SPEC FROM */
int exec_cuda_runner_main(int argc, char **argv)
{
	if (argc != 5)
		return 2;
	if (exec_take_stdout() != 0)
		return 3;
	uint64_t from = strtoull(argv[4], NULL, 10);
	buf err = BUF_INIT;
	xcu *c = xcu_open(0, &err);
	nvrtc_lib *nv = c ? nvrtc_load(&err) : NULL;
	if (!nv) {
		dprintf(out_fd, "E %s\n", buf_cstr(&err));
		return 3;
	}
	int major, minor, nopts = 0;
	nvrtc_version(nv, &major, &minor);
	char arch[16];
	snprintf(arch, sizeof arch, "%d", xcu_arch(c));
	snprintf(gpu_name, sizeof gpu_name, "%.120s (sm_%s)", xcu_name(c), arch);
	char **opts = flags_nvrtc(major, minor, CHK_COMPILE, argv[2], arch, NULL, &nopts);
	/* a CUBIN for this GPU rather than PTX: Warp's first option is the architecture */
	free(opts[0]);
	buf a = BUF_INIT;
	buf_printf(&a, "--gpu-architecture=sm_%s", arch);
	opts[0] = buf_detach(&a, NULL);
	size_t len;
	char *spec = exec_read_file(argv[3], &len);
	if (!spec) {
		dprintf(out_fd, "E cannot read %s\n", argv[3]);
		return 3;
	}
	const char *p = spec, *end = spec + len;
	buf line = BUF_INIT;
	for (uint64_t k = 0; p < end; k++) {
		unsigned long long seed, n1, n2;
		int used = 0;
		char kn[256];
		/* the newline by hand, as the CPU runner's (runner.c) */
		if (sscanf(p, "K %llu %llu %llu %255s%n", &seed, &n1, &n2, kn, &used) != 4 || !used || p + used >= end ||
		    p[used] != '\n')
			break;
		p += used + 1;
		if (n1 > (size_t)(end - p) || n2 > (size_t)(end - p) - n1)
			break;
		if (k >= from) {
			char hdr[48];
			int h = snprintf(hdr, sizeof hdr, "S %llu\n", (unsigned long long)k);
			exec_emit(hdr, (size_t)h);
			buf_reset(&line);
			run_one(c, nv, opts, nopts, k, seed, strcmp(kn, "-") ? kn : NULL, p, n1, p + n1, n2, &line);
			emit_result(k, &line);
		}
		p += n1 + n2;
	}
	buf_free(&line);
	buf_free(&err);
	free(spec);
	flags_free(opts, nopts);
	nvrtc_unload(nv);
	xcu_close(c);
	return 0;
}

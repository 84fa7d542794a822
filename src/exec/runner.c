/* runner: the child process that runs one batch's kernels (jitsynth
 * __exec-runner SO WARP_SO SPEC FROM), under the limits its parent set.
 * It loads warp.so (for Warp's CPU block runtime, bound into the batch's
 * shim) and the batch's shared object, then for each kernel of SPEC from
 * index FROM on (FROM: "N", or "N:values" for every output's values without
 * the adjoint check; each kernel's spec line "K seed perturbation len name"
 * names its input set, perturbation 0 the plain one, K > 0 inputs.h's
 * xin_perturb K in values mode): writes "S k" to its result stream, builds
 * the inputs (inputs.h), calls <entry>_cpu_forward twice on fresh copies, digests the
 * outputs, checks the adjoint (grad.c), and writes "R k <exec JSON>". A
 * kernel that crashes or spins ends the process between the two lines: the
 * parent names it and starts a new runner after it. Kernel output (printf)
 * goes to /dev/null; results go to the stdout it was given. */
#include <dlfcn.h>
#include <jansson.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/util.h"
#include "exec/exec.h"
#include "exec/exec_int.h"
#include "exec/geometry.h"
#include "exec/sandbox.h"
#include "exec/sig.h"

typedef void (*fwd_fn)(void *dim, void *args);
typedef void (*bwd_fn)(void *dim, void *args, void *adj);

int exec_out_fd = -1;
#define out_fd exec_out_fd

void exec_emit(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(out_fd, s, n);
		if (w <= 0)
			_exit(3);
		s += w;
		n -= (size_t)w;
	}
}

char *exec_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rbe");
	if (!f)
		return NULL;
	buf b = BUF_INIT;
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_append(&b, tmp, n);
	fclose(f);
	return buf_detach(&b, len);
}

static int layout_matches(void *so, const sig *s)
{
	buf nm = BUF_INIT;
	buf_printf(&nm, "js_layout_%s", s->entry);
	const unsigned long long *l = dlsym(so, buf_cstr(&nm));
	buf_free(&nm);
	if (!l || (s->nparams && l[0] != s->args_size))
		return 0;
	for (int i = 0; i < s->nparams; i++)
		if (l[1 + i] != s->params[i].offset)
			return 0;
	return 1;
}

static int values_mode; /* FROM ends in ":values" */

static void warm_lane(void *dim, size_t block, int lane, void *args)
{
	(void)dim, (void)block, (void)lane, (void)args;
}

static void run_one(void *so, uint64_t k, uint64_t seed, int perturb, const char *kernel, const char *text, size_t len)
{
	buf line = BUF_INIT, err = BUF_INIT;
	sig s;
	if (sig_parse_for(text, len, kernel, &s, &err) < 0) {
		exec_json_not_run(&line, "signature", buf_cstr(&err));
		goto out;
	}
	if (s.unsupported) {
		exec_json_not_run(&line, "geometry", s.unsupported);
		sig_free(&s);
		goto out;
	}
	buf nm = BUF_INIT;
	buf_printf(&nm, "%s_cpu_forward", s.entry);
	fwd_fn fwd = (fwd_fn)dlsym(so, buf_cstr(&nm));
	buf_reset(&nm);
	buf_printf(&nm, "%s_cpu_backward", s.entry);
	bwd_fn bwd = (bwd_fn)dlsym(so, buf_cstr(&nm));
	buf_free(&nm);
	if (!fwd) {
		exec_json_not_run(&line, "entry", "no _cpu_forward entry point in the built module");
	} else if (!layout_matches(so, &s)) {
		exec_json_not_run(&line, "layout", "the argument struct's layout differs from the one read from the module");
	} else {
		exec_run_kernel(&s, seed, (exec_fwd_fn)fwd, (exec_bwd_fn)bwd, values_mode, perturb, &line);
	}
	sig_free(&s);
out:
	{
		char hdr[48];
		int h = snprintf(hdr, sizeof hdr, "R %llu ", (unsigned long long)k);
		exec_emit(hdr, (size_t)h);
	}
	exec_emit(line.data, line.len);
	exec_emit("\n", 1);
	buf_free(&line);
	buf_free(&err);
}

int exec_take_stdout(void)
{
	out_fd = dup(1);
	int dn = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (out_fd < 0 || dn < 0)
		return -1;
	dup2(dn, 1);
	close(dn);
	return 0;
}

int exec_runner_main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "--cuda"))
		return exec_cuda_runner_main(argc, argv);
	if (argc != 5)
		return 2;
	if (exec_take_stdout() != 0)
		return 3;
	char *rest;
	uint64_t from = strtoull(argv[4], &rest, 10);
	values_mode = !strcmp(rest, ":values");
	/* global: the batch resolves what warp.so exports (wp_half_bits_to_float, ...) */
	void *w = dlopen(argv[2], RTLD_NOW | RTLD_GLOBAL);
	if (!w) {
		dprintf(out_fd, "E cannot load %s\n", argv[2]);
		return 3;
	}
	const void *(*get_api)(void) = (const void *(*)(void))dlsym(w, "wp_cpu_block_runtime_get_api");
	void *so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!get_api || !so) {
		dprintf(out_fd, "E cannot load the batch: %s\n", dlerror());
		return 3;
	}
	buf gerr = BUF_INIT;
	xgeo_api *geo = xgeo_bind(w, &gerr);
	if (!geo) {
		dprintf(out_fd, "E %s\n", buf_cstr(&gerr));
		return 3;
	}
	buf_free(&gerr);
	exec_set_geometry(geo);
	void *slot = dlsym(so, "js_rt_api");
	if (!slot) {
		dprintf(out_fd, "E the batch has no runtime slot\n");
		return 3;
	}
	memcpy(slot, get_api(), EXEC_RT_API_BYTES);
	size_t len;
	char *spec = exec_read_file(argv[3], &len);
	if (!spec) {
		dprintf(out_fd, "E cannot read %s\n", argv[3]);
		return 3;
	}
	/* Warp's block runtime sets up its fiber pool on first use: do that
	 * before the sandbox */
	{
		const struct {
			void *a, *b, *c, *d;
			int (*run_block)(int, int, void (*)(void *, size_t, int, void *), void *, size_t, void *);
		} *api = get_api();
		unsigned char dim[48] = {0};
		api->run_block(256, 256, warm_lane, dim, 0, NULL);
	}
	json_decref(json_object()); /* jansson seeds its hash tables from /dev/urandom on first use */
	if (sandbox_enter() < 0) {
		dprintf(out_fd, "E the kernel refused the run tier's seccomp filter\n");
		return 3;
	}
	const char *p = spec, *end = spec + len;
	for (uint64_t k = 0; p < end; k++) {
		unsigned long long seed, n;
		int used = 0, pk;
		char kn[256];
		/* "%255s%n" then the newline by hand: a "\n" in the format would
		 * also eat a module's own leading blank lines */
		if (sscanf(p, "K %llu %d %llu %255s%n", &seed, &pk, &n, kn, &used) != 4 || !used || p + used >= end ||
		    p[used] != '\n' || n > (size_t)(end - p - used - 1) || pk < 0)
			break;
		p += used + 1;
		if (k >= from) {
			char hdr[48];
			int h = snprintf(hdr, sizeof hdr, "S %llu\n", (unsigned long long)k);
			exec_emit(hdr, (size_t)h);
			run_one(so, k, seed, pk, strcmp(kn, "-") ? kn : NULL, p, n);
		}
		p += n;
	}
	free(spec);
	xgeo_api_free(geo);
	return 0;
}

/* nvrtc: dlopen'ed NVRTC; see nvrtc.h. */
#include "validate/nvrtc.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* The few NVRTC types and entry points used, declared here so that no CUDA
 * header is needed to build (they match nvrtc.h of CUDA 12 and 13). */
typedef int nvrtc_result; /* nvrtcResult: 0 is NVRTC_SUCCESS, 6 NVRTC_ERROR_COMPILATION */
typedef struct _nvrtcProgram *nvrtc_program;

#define NVRTC_OK 0
#define NVRTC_ERR_COMPILATION 6

struct nvrtc_lib {
	void *handle;
	char *path;
	int major, minor;
	const char *(*get_error_string)(nvrtc_result);
	nvrtc_result (*version)(int *, int *);
	nvrtc_result (*create_program)(nvrtc_program *, const char *, const char *, int, const char *const *,
				       const char *const *);
	nvrtc_result (*destroy_program)(nvrtc_program *);
	nvrtc_result (*compile_program)(nvrtc_program, int, const char *const *);
	nvrtc_result (*get_ptx_size)(nvrtc_program, size_t *);
	nvrtc_result (*get_program_log_size)(nvrtc_program, size_t *);
	nvrtc_result (*get_program_log)(nvrtc_program, char *);
	nvrtc_result (*get_cubin_size)(nvrtc_program, size_t *); /* optional: the run tier's CUDA side */
	nvrtc_result (*get_cubin)(nvrtc_program, char *);
};

static void *try_open(const char *path)
{
	return dlopen(path, RTLD_NOW | RTLD_LOCAL);
}

nvrtc_lib *nvrtc_load(buf *err)
{
	const char *env = getenv("JITSYNTH_NVRTC");
	void *h = NULL;
	char path[1024] = "";
	if (env && *env) {
		snprintf(path, sizeof path, "%s", env);
		h = try_open(path);
	} else {
		const char *cuda_home = getenv("CUDA_HOME");
		char home_path[1024] = "";
		if (cuda_home && *cuda_home)
			snprintf(home_path, sizeof home_path, "%s/lib64/libnvrtc.so.13", cuda_home);
		const char *cands[] = {"libnvrtc.so.13", "libnvrtc.so", home_path,
				       "/usr/local/cuda/lib64/libnvrtc.so.13",
				       "/usr/local/cuda/lib64/libnvrtc.so"};
		for (size_t i = 0; i < sizeof cands / sizeof cands[0] && !h; i++) {
			if (!*cands[i])
				continue;
			h = try_open(cands[i]);
			if (h)
				snprintf(path, sizeof path, "%s", cands[i]);
		}
	}
	if (!h) {
		buf_printf(
		    err,
		    "NVRTC not found (%s): install the CUDA toolkit or use --validate none / --devices cpu",
		    env && *env ? env : "libnvrtc.so.13");
		return NULL;
	}
	nvrtc_lib *lib = xcalloc(1, sizeof *lib);
	lib->handle = h;
	lib->path = xstrdup(path);
	/* dlsym returns void*; going through memcpy keeps -Wpedantic quiet about
	 * object-to-function pointer conversion. */
#define SYM(field, name)                                                                                     \
	do {                                                                                                 \
		void *p_ = dlsym(h, name);                                                                   \
		if (!p_) {                                                                                   \
			buf_printf(                                                                          \
			    err,                                                                             \
			    "NVRTC at %s lacks %s: install a CUDA 12.8+ toolkit or use --validate none",     \
			    path, name);                                                                     \
			nvrtc_unload(lib);                                                                   \
			return NULL;                                                                         \
		}                                                                                            \
		memcpy(&lib->field, &p_, sizeof p_);                                                         \
	} while (0)
	SYM(get_error_string, "nvrtcGetErrorString");
	SYM(version, "nvrtcVersion");
	SYM(create_program, "nvrtcCreateProgram");
	SYM(destroy_program, "nvrtcDestroyProgram");
	SYM(compile_program, "nvrtcCompileProgram");
	SYM(get_ptx_size, "nvrtcGetPTXSize");
	SYM(get_program_log_size, "nvrtcGetProgramLogSize");
	SYM(get_program_log, "nvrtcGetProgramLog");
#undef SYM
	void *cs = dlsym(h, "nvrtcGetCUBINSize"), *cb = dlsym(h, "nvrtcGetCUBIN");
	if (cs && cb) {
		memcpy(&lib->get_cubin_size, &cs, sizeof cs);
		memcpy(&lib->get_cubin, &cb, sizeof cb);
	}
	if (lib->version(&lib->major, &lib->minor) != NVRTC_OK) {
		buf_printf(err, "NVRTC at %s does not answer nvrtcVersion: use --validate none", path);
		nvrtc_unload(lib);
		return NULL;
	}
	return lib;
}

void nvrtc_unload(nvrtc_lib *lib)
{
	if (!lib)
		return;
	/* No dlclose: NVRTC keeps process-wide state (its PCH heap, its C++
	 * runtime's pools) that unloading would leak, and a later nvrtc_load
	 * gets the same mapping back from dlopen at no cost. */
	free(lib->path);
	free(lib);
}

void nvrtc_version(const nvrtc_lib *lib, int *major, int *minor)
{
	*major = lib->major;
	*minor = lib->minor;
}

static void api_error(const nvrtc_lib *lib, buf *log, const char *what, nvrtc_result r)
{
	const char *s = lib->get_error_string(r);
	buf_printf(log, "NVRTC %s failed: %s (%d)\n", what, s ? s : "?", r);
}

static int compile(const nvrtc_lib *lib, const char *src, const char *name, const char *const *opts, int nopts,
		   buf *log, size_t *out_size, buf *cubin)
{
	nvrtc_program prog = NULL;
	if (out_size)
		*out_size = 0;
	nvrtc_result r = lib->create_program(&prog, src, name, 0, NULL, NULL);
	if (r != NVRTC_OK) {
		api_error(lib, log, "nvrtcCreateProgram", r);
		return -1;
	}
	nvrtc_result cr = lib->compile_program(prog, nopts, opts);
	size_t n = 0;
	if (lib->get_program_log_size(prog, &n) == NVRTC_OK && n > 1) {
		buf_grow(log, n);
		if (lib->get_program_log(prog, log->data + log->len) == NVRTC_OK) {
			log->len += strnlen(log->data + log->len, n);
			log->data[log->len] = '\0';
		}
	}
	int rc = 0;
	if (cr == NVRTC_ERR_COMPILATION) {
		rc = 1;
	} else if (cr != NVRTC_OK) {
		api_error(lib, log, "nvrtcCompileProgram", cr);
		rc = -1;
	} else if (cubin) {
		size_t sz = 0;
		if (!lib->get_cubin || lib->get_cubin_size(prog, &sz) != NVRTC_OK || !sz) {
			buf_puts(log, "NVRTC gave no CUBIN (compile for an sm_NN architecture)\n");
			rc = -1;
		} else {
			buf_grow(cubin, sz);
			if (lib->get_cubin(prog, cubin->data + cubin->len) == NVRTC_OK) {
				cubin->len += sz;
			} else {
				buf_puts(log, "NVRTC nvrtcGetCUBIN failed\n");
				rc = -1;
			}
		}
	} else if (out_size) {
		size_t sz = 0;
		if (lib->get_ptx_size(prog, &sz) == NVRTC_OK)
			*out_size = sz;
	}
	lib->destroy_program(&prog);
	return rc;
}

int nvrtc_compile(const nvrtc_lib *lib, const char *src, const char *name, const char *const *opts, int nopts,
		  buf *log, size_t *out_size)
{
	return compile(lib, src, name, opts, nopts, log, out_size, NULL);
}

int nvrtc_compile_cubin(const nvrtc_lib *lib, const char *src, const char *name, const char *const *opts, int nopts,
			buf *log, buf *cubin)
{
	return compile(lib, src, name, opts, nopts, log, NULL, cubin);
}

/* cuda: the CUDA driver API through dlopen; see cuda.h. */
#include "exec/cuda.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* The driver API's types and the entry points used, as cuda.h declares
 * them (CUDA 12 and 13 keep these ABIs). */
typedef int CUresult;
typedef int CUdevice;
typedef void *CUcontext;
typedef void *CUmodule;
typedef void *CUfunction;
typedef void *CUstream;
typedef unsigned long long CUdeviceptr;
enum { CU_ATTR_CC_MAJOR = 75, CU_ATTR_CC_MINOR = 76, CU_ATTR_SMEM_OPTIN = 97 };
enum { CU_FUNC_SHARED_SIZE_BYTES = 1, CU_FUNC_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8 };

typedef struct cu_api {
	CUresult (*Init)(unsigned);
	CUresult (*DeviceGet)(CUdevice *, int);
	CUresult (*DeviceGetAttribute)(int *, int, CUdevice);
	CUresult (*DeviceGetName)(char *, int, CUdevice);
	CUresult (*DevicePrimaryCtxRetain)(CUcontext *, CUdevice);
	CUresult (*DevicePrimaryCtxRelease)(CUdevice);
	CUresult (*CtxSetCurrent)(CUcontext);
	CUresult (*CtxSynchronize)(void);
	CUresult (*ModuleLoadData)(CUmodule *, const void *);
	CUresult (*ModuleUnload)(CUmodule);
	CUresult (*ModuleGetFunction)(CUfunction *, CUmodule, const char *);
	CUresult (*FuncGetAttribute)(int *, int, CUfunction);
	CUresult (*FuncSetAttribute)(CUfunction, int, int);
	CUresult (*MemAlloc)(CUdeviceptr *, size_t);
	CUresult (*MemFree)(CUdeviceptr);
	CUresult (*MemcpyHtoD)(CUdeviceptr, const void *, size_t);
	CUresult (*MemcpyDtoH)(void *, CUdeviceptr, size_t);
	CUresult (*LaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
				 CUstream, void **, void **);
	CUresult (*GetErrorString)(CUresult, const char **);
} cu_api;

struct xcu_module {
	CUmodule mod;
	xcu_module *next;
};

struct xcu {
	void *lib;
	cu_api api;
	CUdevice dev;
	CUcontext ctx;
	int arch, smem_optin;
	char name[128];
	xcu_module *mods;
};

static const char *cu_error(const xcu *c, CUresult r)
{
	const char *s = NULL;
	if (c->api.GetErrorString && c->api.GetErrorString(r, &s) == 0 && s)
		return s;
	return "unknown CUDA error";
}

static int sym(void *lib, const char *name, void *out, buf *err)
{
	void *p = dlsym(lib, name);
	if (!p) {
		buf_printf(err, "the CUDA driver lacks %s: update the NVIDIA driver", name);
		return -1;
	}
	memcpy(out, &p, sizeof p);
	return 0;
}

static int load_api(xcu *c, buf *err)
{
	cu_api *a = &c->api;
	struct {
		const char *name;
		void *slot;
	} t[] = {
		{"cuInit", &a->Init},
		{"cuDeviceGet", &a->DeviceGet},
		{"cuDeviceGetAttribute", &a->DeviceGetAttribute},
		{"cuDeviceGetName", &a->DeviceGetName},
		{"cuDevicePrimaryCtxRetain", &a->DevicePrimaryCtxRetain},
		{"cuDevicePrimaryCtxRelease_v2", &a->DevicePrimaryCtxRelease},
		{"cuCtxSetCurrent", &a->CtxSetCurrent},
		{"cuCtxSynchronize", &a->CtxSynchronize},
		{"cuModuleLoadData", &a->ModuleLoadData},
		{"cuModuleUnload", &a->ModuleUnload},
		{"cuModuleGetFunction", &a->ModuleGetFunction},
		{"cuFuncGetAttribute", &a->FuncGetAttribute},
		{"cuFuncSetAttribute", &a->FuncSetAttribute},
		{"cuMemAlloc_v2", &a->MemAlloc},
		{"cuMemFree_v2", &a->MemFree},
		{"cuMemcpyHtoD_v2", &a->MemcpyHtoD},
		{"cuMemcpyDtoH_v2", &a->MemcpyDtoH},
		{"cuLaunchKernel", &a->LaunchKernel},
		{"cuGetErrorString", &a->GetErrorString},
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (sym(c->lib, t[i].name, t[i].slot, err) < 0)
			return -1;
	return 0;
}

xcu *xcu_open(int ordinal, buf *err)
{
	xcu *c = xcalloc(1, sizeof *c);
	const char *path = getenv("JITSYNTH_LIBCUDA");
	c->lib = dlopen(path && *path ? path : "libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!c->lib) {
		buf_printf(err, "no CUDA driver (%s): run on a machine with an NVIDIA GPU and its driver",
			   path && *path ? path : "libcuda.so.1");
		free(c);
		return NULL;
	}
	CUresult r = 0;
	int major = 0, minor = 0;
	if (load_api(c, err) < 0)
		goto fail;
	if ((r = c->api.Init(0)) != 0 || (r = c->api.DeviceGet(&c->dev, ordinal)) != 0 ||
	    (r = c->api.DeviceGetAttribute(&major, CU_ATTR_CC_MAJOR, c->dev)) != 0 ||
	    (r = c->api.DeviceGetAttribute(&minor, CU_ATTR_CC_MINOR, c->dev)) != 0 ||
	    (r = c->api.DeviceGetAttribute(&c->smem_optin, CU_ATTR_SMEM_OPTIN, c->dev)) != 0 ||
	    (r = c->api.DeviceGetName(c->name, sizeof c->name, c->dev)) != 0 ||
	    (r = c->api.DevicePrimaryCtxRetain(&c->ctx, c->dev)) != 0 || (r = c->api.CtxSetCurrent(c->ctx)) != 0) {
		buf_printf(err, "cannot use GPU %d: %s", ordinal, cu_error(c, r));
		goto fail;
	}
	c->arch = major * 10 + minor;
	return c;
fail:
	if (c->ctx)
		c->api.DevicePrimaryCtxRelease(c->dev);
	dlclose(c->lib);
	free(c);
	return NULL;
}

void xcu_close(xcu *c)
{
	if (!c)
		return;
	for (xcu_module *m = c->mods, *next; m; m = next) {
		next = m->next;
		c->api.ModuleUnload(m->mod);
		free(m);
	}
	c->api.DevicePrimaryCtxRelease(c->dev);
	dlclose(c->lib);
	free(c);
}

int xcu_arch(const xcu *c)
{
	return c->arch;
}

const char *xcu_name(const xcu *c)
{
	return c->name;
}

xcu_module *xcu_load(xcu *c, const void *image, size_t len, buf *err)
{
	(void)len; /* a CUBIN's ELF header carries its size */
	CUmodule mod = NULL;
	CUresult r = c->api.ModuleLoadData(&mod, image);
	if (r != 0) {
		buf_printf(err, "the GPU refused the compiled module: %s", cu_error(c, r));
		return NULL;
	}
	xcu_module *m = xcalloc(1, sizeof *m);
	m->mod = mod;
	m->next = c->mods;
	c->mods = m;
	return m;
}

/* Rewrites, in the nbytes at p, every 8-byte word equal to a buffer's host
 * address into its device address. Parameters are 8-byte aligned where
 * they hold pointers (array_t starts with its data pointer). */
static void patch(unsigned char *p, size_t nbytes, const xcu_buf *bufs, const CUdeviceptr *dev, int nbufs)
{
	for (size_t o = 0; o + sizeof(uint64_t) <= nbytes; o += sizeof(uint64_t)) {
		uint64_t w;
		memcpy(&w, p + o, sizeof w);
		if (!w)
			continue;
		for (int i = 0; i < nbufs; i++)
			if (w == (uint64_t)(uintptr_t)bufs[i].host) {
				uint64_t d = dev[i];
				memcpy(p + o, &d, sizeof d);
				break;
			}
	}
}

int xcu_launch(xcu *c, xcu_module *m, const char *entry, const unsigned char *blob, const size_t *off,
	       const size_t *size, int nparams, xcu_buf *bufs, int nbufs, size_t threads, unsigned block_dim,
	       int dynamic_smem, buf *err)
{
	CUfunction f = NULL;
	CUresult r = c->api.ModuleGetFunction(&f, m->mod, entry);
	if (r != 0) {
		buf_printf(err, "no entry point %s in the module: %s", entry, cu_error(c, r));
		return -1;
	}
	int rc = -1;
	CUdeviceptr *dev = xcalloc((size_t)nbufs + 1, sizeof *dev);
	unsigned char **params = xcalloc((size_t)nparams + 1, sizeof *params);
	void **argv = xcalloc((size_t)nparams + 1, sizeof *argv);
	for (int i = 0; i < nbufs; i++) /* a zero-sized array still gets an address of its own */
		if ((r = c->api.MemAlloc(&dev[i], bufs[i].bytes ? bufs[i].bytes : 16)) != 0) {
			buf_printf(err, "cannot allocate %zu bytes on the GPU: %s", bufs[i].bytes, cu_error(c, r));
			goto out;
		}
	/* buffers that hold pointers themselves (a fabric array's buckets, an
	 * indexed array's index table) get them rewritten too */
	for (int i = 0; i < nbufs; i++) {
		if (!bufs[i].bytes)
			continue;
		unsigned char *tmp = xmalloc(bufs[i].bytes);
		memcpy(tmp, bufs[i].host, bufs[i].bytes);
		patch(tmp, bufs[i].bytes, bufs, dev, nbufs);
		r = c->api.MemcpyHtoD(dev[i], tmp, bufs[i].bytes);
		free(tmp);
		if (r != 0) {
			buf_printf(err, "cannot copy %zu bytes to the GPU: %s", bufs[i].bytes, cu_error(c, r));
			goto out;
		}
	}
	for (int i = 0; i < nparams; i++) {
		params[i] = xmalloc(size[i] ? size[i] : 1);
		memcpy(params[i], blob + off[i], size[i]);
		patch(params[i], size[i], bufs, dev, nbufs);
		argv[i] = params[i];
	}
	/* Tile kernels take their tiles from dynamic shared memory, whose size
	 * Warp computes in Python at build time (not in the module text): give
	 * them all this GPU allows a block beside their static shared memory. */
	unsigned smem = 0;
	int stat = 0;
	if (dynamic_smem && c->api.FuncGetAttribute(&stat, CU_FUNC_SHARED_SIZE_BYTES, f) == 0 &&
	    c->smem_optin > stat) {
		smem = (unsigned)(c->smem_optin - stat);
		if ((r = c->api.FuncSetAttribute(f, CU_FUNC_MAX_DYNAMIC_SHARED_SIZE_BYTES, (int)smem)) != 0) {
			buf_printf(err, "cannot give %s %u bytes of shared memory: %s", entry, smem, cu_error(c, r));
			goto out;
		}
	}
	if (threads) {
		if (!block_dim)
			block_dim = 256;
		size_t blocks = (threads + block_dim - 1) / block_dim;
		if (blocks > 0x7fffffff)
			blocks = 0x7fffffff;
		if ((r = c->api.LaunchKernel(f, (unsigned)blocks, 1, 1, block_dim, 1, 1, smem, NULL, argv, NULL)) != 0) {
			buf_printf(err, "the launch of %s failed: %s", entry, cu_error(c, r));
			goto out;
		}
		if ((r = c->api.CtxSynchronize()) != 0) {
			buf_printf(err, "%s faulted on the GPU: %s", entry, cu_error(c, r));
			goto out;
		}
	}
	for (int i = 0; i < nbufs; i++)
		if (bufs[i].bytes && (r = c->api.MemcpyDtoH(bufs[i].host, dev[i], bufs[i].bytes)) != 0) {
			buf_printf(err, "cannot copy %zu bytes back from the GPU: %s", bufs[i].bytes, cu_error(c, r));
			goto out;
		}
	rc = 0;
out:
	for (int i = 0; i < nbufs; i++)
		if (dev[i])
			c->api.MemFree(dev[i]);
	for (int i = 0; i < nparams; i++)
		free(params[i]);
	free(params);
	free(argv);
	free(dev);
	return rc;
}

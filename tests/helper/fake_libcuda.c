/* fake_libcuda: a stand-in for libcuda.so.1 (JITSYNTH_LIBCUDA, src/exec/cuda.c)
 * so that the GPU check's machinery runs on a machine without a GPU: one
 * "device" of compute capability 9.0 (NVRTC really compiles for sm_90),
 * device memory in host memory, copies as memcpy, and a launch that does
 * nothing: every buffer comes back as it went. So every kernel that writes
 * its outputs diverges from the CPU (whose run is real), which is what
 * tests/e2e/test_gpu_check.sh needs to reach the divergence path and its
 * conditioning. Built by that test: cc -shared -fPIC -o libcuda.so.1 this. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;

static int token;

CUresult cuInit(unsigned flags);
CUresult cuInit(unsigned flags) { (void)flags; return 0; }
CUresult cuDeviceGet(int *dev, int ordinal);
CUresult cuDeviceGet(int *dev, int ordinal) { *dev = ordinal; return ordinal == 0 ? 0 : 101; }
CUresult cuDeviceGetAttribute(int *v, int attr, int dev);
CUresult cuDeviceGetAttribute(int *v, int attr, int dev)
{
	(void)dev;
	*v = attr == 75 ? 9 : attr == 76 ? 0 : attr == 97 ? 232448 : 0;
	return 0;
}
CUresult cuDeviceGetName(char *name, int len, int dev);
CUresult cuDeviceGetName(char *name, int len, int dev)
{
	(void)dev;
	strncpy(name, "Fake GPU (no launch)", (size_t)len - 1);
	name[len - 1] = '\0';
	return 0;
}
CUresult cuDevicePrimaryCtxRetain(void **ctx, int dev);
CUresult cuDevicePrimaryCtxRetain(void **ctx, int dev) { (void)dev; *ctx = &token; return 0; }
CUresult cuDevicePrimaryCtxRelease_v2(int dev);
CUresult cuDevicePrimaryCtxRelease_v2(int dev) { (void)dev; return 0; }
CUresult cuCtxSetCurrent(void *ctx);
CUresult cuCtxSetCurrent(void *ctx) { (void)ctx; return 0; }
CUresult cuCtxSynchronize(void);
CUresult cuCtxSynchronize(void) { return 0; }
CUresult cuModuleLoadData(void **mod, const void *image);
CUresult cuModuleLoadData(void **mod, const void *image) { (void)image; *mod = &token; return 0; }
CUresult cuModuleUnload(void *mod);
CUresult cuModuleUnload(void *mod) { (void)mod; return 0; }
CUresult cuModuleGetFunction(void **fn, void *mod, const char *name);
CUresult cuModuleGetFunction(void **fn, void *mod, const char *name) { (void)mod, (void)name; *fn = &token; return 0; }
CUresult cuFuncGetAttribute(int *v, int attr, void *fn);
CUresult cuFuncGetAttribute(int *v, int attr, void *fn) { (void)attr, (void)fn; *v = 0; return 0; }
CUresult cuFuncSetAttribute(void *fn, int attr, int v);
CUresult cuFuncSetAttribute(void *fn, int attr, int v) { (void)fn, (void)attr, (void)v; return 0; }
CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t n);
CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t n)
{
	void *m = calloc(1, n ? n : 1);
	*p = (CUdeviceptr)(uintptr_t)m;
	return m ? 0 : 2;
}
CUresult cuMemFree_v2(CUdeviceptr p);
CUresult cuMemFree_v2(CUdeviceptr p) { free((void *)(uintptr_t)p); return 0; }
CUresult cuMemcpyHtoD_v2(CUdeviceptr d, const void *h, size_t n);
CUresult cuMemcpyHtoD_v2(CUdeviceptr d, const void *h, size_t n) { memcpy((void *)(uintptr_t)d, h, n); return 0; }
CUresult cuMemcpyDtoH_v2(void *h, CUdeviceptr d, size_t n);
CUresult cuMemcpyDtoH_v2(void *h, CUdeviceptr d, size_t n) { memcpy(h, (const void *)(uintptr_t)d, n); return 0; }
CUresult cuLaunchKernel(void *fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
			unsigned smem, void *stream, void **params, void **extra);
CUresult cuLaunchKernel(void *fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
			unsigned smem, void *stream, void **params, void **extra)
{
	(void)fn, (void)gx, (void)gy, (void)gz, (void)bx, (void)by, (void)bz, (void)smem, (void)stream;
	(void)params, (void)extra;
	return 0;
}
CUresult cuGetErrorString(CUresult r, const char **s);
CUresult cuGetErrorString(CUresult r, const char **s) { (void)r; *s = "fake CUDA error"; return 0; }

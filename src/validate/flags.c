/* flags: option vectors for NVRTC and the host C++ compiler (see flags.h). */
#include "validate/flags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

int chk_tier_parse(const char *s, chk_tier *out)
{
	if (!strcmp(s, "none"))
		*out = CHK_NONE;
	else if (!strcmp(s, "syntax"))
		*out = CHK_SYNTAX;
	else if (!strcmp(s, "compile"))
		*out = CHK_COMPILE;
	else
		return -1;
	return 0;
}

const char *chk_tier_name(chk_tier t)
{
	switch (t) {
	case CHK_NONE:
		return "none";
	case CHK_SYNTAX:
		return "syntax";
	case CHK_COMPILE:
		return "compile";
	}
	return "?";
}

int flags_arch_number(const char *arch, char *out, size_t cap)
{
	const char *a = arch && *arch ? arch : "sm_90";
	if (!strncmp(a, "sm_", 3))
		a += 3;
	else if (!strncmp(a, "compute_", 8))
		a += 8;
	size_t n = strspn(a, "0123456789");
	if (n == 0 || n + 2 > cap || strspn(a + n, "af") != strlen(a + n) || strlen(a + n) > 1)
		return -1;
	snprintf(out, cap, "%s", a);
	return 0;
}

static void add_opt(char ***v, int *n, const char *fmt, const char *arg)
{
	buf b = BUF_INIT;
	buf_printf(&b, fmt, arg);
	*v = xrealloc(*v, (size_t)(*n + 1) * sizeof **v);
	(*v)[(*n)++] = buf_detach(&b, NULL);
}

char **flags_nvrtc(int major, int minor, chk_tier tier, const char *native_dir, const char *arch,
		   const char *pch_dir, int *nopts)
{
	char **v = NULL;
	int n = 0;
	add_opt(&v, &n, "--gpu-architecture=compute_%s", arch);
	add_opt(&v, &n, "--include-path=%s", native_dir);
	if (pch_dir) {
		add_opt(&v, &n, "%s", "-pch");
		add_opt(&v, &n, "--pch-dir=%s", pch_dir);
		add_opt(&v, &n, "%s", "--pch-messages=false");
		add_opt(&v, &n, "%s", "--pch-verbose=false");
	}
	add_opt(&v, &n, "%s", "--std=c++17");
	/* Warp's default for CUDA is optimization level 3 = --Ofast-compile=0
	 * (CUDA 12.9+); irrelevant to the front-end-only tier. */
	if (tier == CHK_COMPILE && (major > 12 || (major == 12 && minor >= 9)))
		add_opt(&v, &n, "%s", "--Ofast-compile=0");
	add_opt(&v, &n, "%s", "--define-macro=NDEBUG");
	add_opt(&v, &n, "%s", "--undefine-macro=WP_VERIFY_FP");
	/* MathDx (tile matmul/FFT) needs headers warp-lang does not ship. */
	add_opt(&v, &n, "%s", "--define-macro=WP_ENABLE_MATHDX=0");
	add_opt(&v, &n, "%s", "--fmad=true");
	add_opt(&v, &n, "%s", "--device-as-default-execution-space");
	add_opt(&v, &n, "%s", "--extra-device-vectorization");
	add_opt(&v, &n, "%s", "--restrict");
	add_opt(&v, &n, "%s", "--diag-suppress=177,550");
	add_opt(&v, &n, "%s", "--disable-warnings");
	if (tier == CHK_SYNTAX)
		add_opt(&v, &n, "%s", "--fdevice-syntax-only");
	*nopts = n;
	v = xrealloc(v, (size_t)(n + 1) * sizeof *v);
	v[n] = NULL;
	return v;
}

void flags_free(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int flags_cxx(const char **argv, int n, int object)
{
	argv[n++] = "-std=c++17";
	argv[n++] = "-DNDEBUG";
	argv[n++] = "-DWP_ENABLE_TILES_IN_STACK_MEMORY";
	if (object == 1)
		argv[n++] = "-O2";
	if (object == 2) { /* the run tier's shared objects: half the build time of -O1, same results (test_exec_run) */
		argv[n++] = "-O0";
		argv[n++] = "-fPIC";
		/* as Warp's own CPU build (warp/native/clang/clang.cpp runs
		 * clang's cc1 without them): no exception tables to generate */
		argv[n++] = "-fno-exceptions";
		argv[n++] = "-fno-asynchronous-unwind-tables";
		/* Warp's own CPU path compiles with clang, whose branch of
		 * builtin.h converts float to half with _Float16: to nearest,
		 * ties to even, as CUDA's cvt.rn.f16.f32. GCC gets the branch for
		 * host code, warp.so's wp_float_to_half_bits, which rounds ties
		 * away from zero. The shim (exec/tu.c) defines this name with
		 * GCC's _Float16, so float16 kernels compute as in Warp. */
		argv[n++] = "-Dwp_float_to_half_bits=js_float_to_half_bits";
	}
	argv[n++] = "-w";
	argv[n++] = "-fmax-errors=20";
	argv[n++] = "-fno-diagnostics-color";
	return n;
}

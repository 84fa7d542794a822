/* flags: the compilers' options, as Warp itself passes them: NVRTC's
 * (warp/native/warp.cu) and the host C++ compiler's for CPU modules
 * (warp/native/clang/clang.cpp), plus the tier names and --arch parsing.
 * Builds option vectors only; compilers are run by nvrtc.c and cxx.c. */
#ifndef JS_VALIDATE_FLAGS_H
#define JS_VALIDATE_FLAGS_H

#include <stddef.h>

#include "validate/chk.h"

/* "sm_90" / "compute_90" / "90" (NULL or "" mean sm_90) -> "90"; -1 if
 * malformed. */
int flags_arch_number(const char *arch, char *out, size_t cap);

/* NVRTC's options for the tier, the architecture number and NVRTC's version
 * (major.minor); with pch_dir (an existing directory), automatic PCH into
 * it. Returns *nopts strings (and a NULL after them), freed by flags_free. */
char **flags_nvrtc(int major, int minor, chk_tier tier, const char *native_dir, const char *arch,
		   const char *pch_dir, int *nopts);
void flags_free(char **v, int n);

/* Appends the C++ flags shared by the PCH build and every compilation to
 * argv from position n; returns the new count. object: compile to code
 * (-O2, Warp's CPU default), not just the front end; 2: position-independent
 * code for a shared object (-O0 -fPIC, the run tier's). Sets no output mode
 * (-fsyntax-only, -S): the caller does. */
int flags_cxx(const char **argv, int n, int object);

#endif

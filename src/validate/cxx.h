/* cxx: Warp CPU modules compiled by the host C++ compiler (g++ unless told
 * otherwise), one subprocess per compilation, spawned without a shell.
 *
 * Flags are Warp's own for CPU modules (warp/native/clang/clang.cpp):
 * -std=c++17, -DNDEBUG, -DWP_ENABLE_TILES_IN_STACK_MEMORY, -I warp/native,
 * and -O2 (Warp's CPU default) for the code tier, which compiles to assembly
 * (-S), not to an object: the assembler would act on a module's inline asm
 * (.incbin or .include of any file) and nothing of Warp's needs it. The
 * generated module defines WP_NO_CRT, so no system header is ever included.
 * Every process runs under the engine's limits (child.h).
 *
 * With GCC, Warp's builtin.h is precompiled once (cxx_create) into
 * TMPDIR/pch/builtin.h.gch with exactly the flags of the compilations that
 * use it and the macros a module defines before including it; modules then
 * pick it up through -I TMPDIR/pch ahead of warp/native. A mismatching
 * module silently falls back to the real header (slower, same verdict).
 * With clang (15 or later: older ones cannot build builtin.h's _Float16 on
 * x86-64, and are refused) the same PCH is given with -include-pch, but only
 * to a text that starts with exactly the macros it was built with; clang
 * runs with -fno-crash-diagnostics, so a crash leaves no files behind.
 * The run tier's clang PCH is warm: builtin.h and the explicit
 * instantiations of pch_warm.h (the wp:: templates Warp's modules share),
 * precompiled with -fpch-instantiate-templates -fpch-codegen, their code
 * and builtin.h's inline functions compiled once into libjswarm.so beside
 * the PCH, which every shared object built on the PCH links. A list that
 * does not build against the headers leaves the plain PCH. */
#ifndef JS_VALIDATE_CXX_H
#define JS_VALIDATE_CXX_H

#include <stddef.h>

#include "common/buf.h"
#include "validate/chk.h"

typedef struct cxx_config {
	const char *cxx;	  /* compiler name or path (g++, or clang 15 or later); NULL means "g++" */
	const char *native_dir;	  /* warp/native */
	const char *tmpdir;	  /* an existing private directory for sources, logs and the PCH */
	int object;		  /* 0: -fsyntax-only; 1: compile to code (-O2 -S, discarded); 2: shared objects (cxx_build_so) */
	int pch;		  /* 1: precompile builtin.h (GCC and clang; ignored for other compilers) */
	const chk_limits *limits; /* NULL or zeroes: the defaults */
	const char *warm;	  /* object 2 with clang: the warm PCH's instantiations; NULL: pch_warm.h's, "": none */
} cxx_config;

typedef struct cxx_tool cxx_tool;

/* Finds the compiler (PATH search unless it contains a '/'), checks that it
 * runs, and builds the PCH. NULL with one line in err when the compiler is
 * missing or broken; a failed PCH build is not an error (no PCH then). */
cxx_tool *cxx_create(const cxx_config *cfg, buf *err);
void cxx_free(cxx_tool *t);

/* Compiles one translation unit. `slot` names this caller's private temp
 * files (two threads must never share a slot). Returns 0 when it compiled,
 * 1 when the compiler rejected it (log holds its diagnostics, with the temp
 * file's name replaced by "kernel.cpp"), 2 when it exceeded a limit (log:
 * "exceeded the compiler's ... limit (...)"), -1 when it could not be run
 * or was killed from outside (log says why). The log is appended to.
 * Thread safe for distinct slots. */
int cxx_compile(cxx_tool *t, const char *src, size_t len, int slot, buf *log);

/* With object 2 (the run tier): compiles and links one translation unit
 * into the shared object so_path (-shared -fPIC). This runs the assembler
 * and the linker on the module's code: callers refuse modules holding
 * inline asm first (exec.h). Returns as cxx_compile. */
int cxx_build_so(cxx_tool *t, const char *src, size_t len, int slot, const char *so_path, buf *log);

/* The run tier's compiler when none is named: clang++-16 when it is on PATH
 * (Warp's own CPU path compiles with clang; clang builds the run tier's
 * shared objects about 1.5x faster than g++, with the same results), else
 * g++. */
const char *cxx_run_default(void);

/* Whether the builtin.h PCH is in use, whether it is the run tier's warm
 * one (clang: pch_warm.h's instantiations performed and compiled once, into
 * a library every batch links), and the seconds its build took. */
int cxx_pch_active(const cxx_tool *t);
int cxx_pch_warm(const cxx_tool *t);
double cxx_pch_seconds(const cxx_tool *t);

#endif

/* chk: proves that generated Warp modules compile, without blocking the
 * pipeline. CPU modules go to the host C++ compiler (cxx.h, subprocesses),
 * CUDA modules to NVRTC (nvserver.h, in server processes), both against the
 * headers of the installed warp-lang (warp/native) with Warp's own options
 * (flags.h). The engine's threads and queues are engine.c's; what a thread
 * does with a batch (grouping, one translation unit, bisection) is
 * batch.c's. Depends on no other stage: callers hand it module texts and
 * Warp's header directory.
 *
 * Tiers: CHK_SYNTAX is the front end only (g++ -fsyntax-only; NVRTC
 * --fdevice-syntax-only); CHK_COMPILE also generates code (g++ -O2 -c to an
 * assembly that is discarded, the assembler never being run on a dataset's
 * text; NVRTC PTX for compute_NN of --arch).
 *
 * Screening: a module's text is untrusted (a dataset's). Before a compiler
 * sees it, chk_screen refuses one that could make the compiler read any file
 * but Warp's own headers: an #include of anything but "builtin.h" or
 * "deterministic.h" by plain name (absolute paths, "..", macros), any
 * directive Warp does not write (#pragma, #line, #embed, #include_next,
 * ...), _Pragma and __has_include, token pasting, and what the two
 * compilers could read differently (NUL, lone CR, trigraphs, raw strings,
 * a backslash before blanks and a newline). A refused module is a failed
 * check (ok 0) whose diagnostic says why; it is never compiled.
 *
 * Limits: every compiler process (g++ and its cc1plus, each NVRTC server)
 * runs in its own process group, dies with jitsynth, and has at most
 * CHK_MEM_MIB of address space, CHK_CPU_SECONDS of CPU and CHK_WALL_SECONDS
 * of wall-clock time per compilation (then its group is killed), writes no
 * file over CHK_FILE_MIB, and CHK_LOG_KIB of its output are kept. A
 * compilation that exceeds one fails its modules (ok 0, "exceeded the
 * compiler's memory limit (4 GiB)"); a batch that does is compiled again one
 * module at a time, so only the culprit fails. A compiler killed from
 * outside (the OOM killer's SIGKILL) says nothing about the module: ok -1.
 *
 * Batching: up to `batch` modules (fewer once they hold `batch_bytes` of
 * text, so one huge module does not drag a whole batch along; defaults per
 * tier below) that share the same prologue (the leading
 * #define/#include block every Warp module starts with, up to its last
 * directive) are compiled as one translation unit: the prologue once, then
 * each module's body in a namespace of its own, `namespace jitsynth_mod_N
 * { BODY }`, followed by a separator legal only at global scope (`struct
 * jitsynth_sep_N; void *operator new(decltype(sizeof 0), jitsynth_sep_N
 * *);`: an operator new may not be declared in a namespace or a block).
 * Warp names a @wp.func helper such as `norm_l2_0` alike in every module
 * that calls it, so bodies must not share a scope; and a body that leaves
 * a brace open, or closes one too many, fails at its own separator instead
 * of pairing with a neighbour that does the opposite. A failing
 * batch is bisected until every failing module has been compiled alone, as
 * it is (no namespace); its diagnostic (first lines) is then the one of its
 * own translation unit. A passing batch means every module in it passes:
 * a body sees the prologue's headers and its own names, as alone (and the
 * macros of the bodies before it: a pair that fails only together is
 * bisected and both pass).
 *
 * Precompiled headers: GCC gets builtin.h precompiled once per engine (see
 * cxx.h); NVRTC gets automatic PCH (-pch) into a per-thread directory, but
 * only for compilations of fewer than CHK_NVRTC_PCH_BELOW modules (small
 * batches, bisection): its PCH costs 3-11 ms of system time per compile and
 * stops paying above ~32 modules. Both live in the engine's scratch dir
 * (scratch.h) and are skipped, with a chk_note, when its file system lacks
 * the room.
 *
 * Threads: `threads` worker threads each take one job (one device's batch)
 * at a time; NVRTC runs in the thread's server process, g++ as a child of it. Results come
 * back in completion order (not submission order), tagged with the index
 * the caller gave.
 *
 * Ownership: chk_submit borrows the texts, which must stay unchanged until
 * their result is handed out (or chk_free); each chk_result handed out by
 * chk_poll/chk_wait/chk_check_one owns its diagnostics until
 * chk_result_free. The engine owns everything else; chk_free discards
 * what has not been handed out. One thread drives an engine (submit, poll,
 * wait, flush, free); chk_check_one may also be called from that thread. */
#ifndef JS_VALIDATE_CHK_H
#define JS_VALIDATE_CHK_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/dev.h"

typedef enum chk_tier { CHK_NONE, CHK_SYNTAX, CHK_COMPILE } chk_tier;

/* The limits (see "Limits"). A batch of 16 real modules takes under 0.5 s
 * of CPU (syntax tier) or 5 s (compile tier) and under 250 MiB of memory
 * (g++ or NVRTC, measured with bench/validate_bench), so these leave 10x or
 * more of headroom while a hostile module stops within a minute (a template
 * explosion reaches 4 GiB in about 30 s); wall time is twice CPU time, as a
 * compiler may get half a core on a loaded machine. The file size bounds
 * the precompiled headers (26 MiB for g++, 72 MiB for NVRTC) and NVRTC's
 * heap, a file mapping when it uses its PCH; nothing else is written. */
#define CHK_MEM_MIB 4096
#define CHK_CPU_SECONDS 60
#define CHK_WALL_SECONDS 120
#define CHK_FILE_MIB 512
#define CHK_LOG_KIB 64
/* Batching defaults. CPU ms per module, one thread (bench/validate_cost.sh,
 * issue 15): g++ -fsyntax-only with its PCH 11.0 at 16 modules per compile,
 * 8.4 at 64, 8.3 at 128; NVRTC --fdevice-syntax-only without PCH 22.9 at
 * 16, 9.3 at 64, 8.5 at 128 (with PCH 13.7 at 16, 10.1 at 64). The syntax
 * tier batches 128 modules or 4 MiB of text (real modules average ~30 KB);
 * the compile tier stays at 16 (5 s of CPU per batch of 16, against the
 * 60 s limit). */
#define CHK_BATCH_SYNTAX 128
#define CHK_BATCH_COMPILE 16
#define CHK_BATCH_BYTES_SYNTAX ((size_t)4 << 20)
#define CHK_BATCH_BYTES_COMPILE ((size_t)1 << 20)
#define CHK_NVRTC_PCH_BELOW 32
#define CHK_MODULE_MIB 32 /* a larger module is refused by chk_screen (real ones are under 1 MiB) */

typedef struct chk_limits {
	unsigned mem_mib;  /* 0 means CHK_MEM_MIB */
	unsigned cpu_s;	   /* 0 means CHK_CPU_SECONDS */
	unsigned wall_s;   /* 0 means CHK_WALL_SECONDS */
	unsigned file_mib; /* 0 means CHK_FILE_MIB */
} chk_limits;

typedef struct chk_options {
	chk_tier tier;
	unsigned devices; /* DEV_BIT mask; 0 means both */
	/* CUDA target: "sm_90" (default), "compute_90" or "90"; PTX is made for compute_NN */
	const char *arch;
	const char *cxx; /* host compiler, default "g++" */
	/* warp/native of the installed warp-lang (required unless tier is CHK_NONE) */
	const char *native_dir;
	int batch;	    /* modules per compilation; <= 0: the tier's CHK_BATCH_*; 1 disables batching */
	size_t batch_bytes; /* ...or fewer, once their text reaches this size; 0: CHK_BATCH_BYTES_* */
	int threads;	    /* worker threads; <= 0 means 1 */
	int no_pch;	    /* 1 turns both precompiled headers off (for measurements) */
	int diag_lines;	    /* lines of diagnostic kept per failure; <= 0 means 12 */
	chk_limits limits;  /* zeroes mean the defaults */
} chk_options;

/* One kernel's modules. A NULL text means that device is not checked. */
typedef struct chk_item {
	uint64_t index; /* the caller's tag, returned in the result */
	const char *text[DEV_COUNT]; /* borrowed: see Ownership */
	size_t len[DEV_COUNT];
} chk_item;

/* Per device: 1 passed, 0 failed (the compiler rejected it, it was refused
 * before compiling or exceeded a limit: diag holds the first lines of the
 * diagnostic, or why), -1 not checked (device off, no text, tier none, or
 * the compiler could not be run: then diag says why). */
typedef struct chk_result {
	uint64_t index;
	int ok[DEV_COUNT];
	char *diag[DEV_COUNT]; /* NULL or owned by the result */
} chk_result;

typedef struct chk_stats {
	uint64_t kernels[DEV_COUNT];  /* modules checked */
	uint64_t failed[DEV_COUNT];   /* modules rejected by the compiler */
	uint64_t internal[DEV_COUNT]; /* modules the compiler could not be run on */
	uint64_t compiles[DEV_COUNT]; /* compiler invocations, bisection included */
	double seconds[DEV_COUNT];    /* summed wall time of those invocations */
	uint64_t combined_only; /* batches that failed while all their halves passed */
	int cxx_pch;		/* 1 when the g++ PCH is in use */
	double cxx_pch_seconds;
} chk_stats;

typedef struct chk_engine chk_engine;

/* The modules per compilation that options o give (their batch, or the
 * tier's default): callers keep about two batches per thread in flight so
 * that batches fill. */
int chk_batch_size(const chk_options *o);

/* Starts an NVRTC server (when CUDA is checked), finds the C++ compiler and builds its
 * PCH (when CPU is checked), makes a private temp dir, starts the threads.
 * Fails fast with NULL and one clear line in err (e.g. "NVRTC not found
 * (libnvrtc.so.13): install the CUDA toolkit or use --validate none /
 * --devices cpu"). With tier CHK_NONE nothing is loaded and every result
 * comes back unchecked. */
chk_engine *chk_create(const chk_options *opt, buf *err);

/* One line about a slower mode the engine had to fall back to (too little
 * free space for precompiled headers), for the caller to print; or NULL. */
const char *chk_note(const chk_engine *e);

/* Queues one kernel (texts borrowed). Never blocks on compilation: a full
 * batch is handed to the threads, a partial one waits for more or chk_flush. */
void chk_submit(chk_engine *e, const chk_item *it);

/* Hands the partial batch (if any) to the threads now. */
void chk_flush(chk_engine *e);

/* The same, but only when a thread would otherwise have nothing to compile:
 * for a caller that can submit no more until results come back (its window
 * is full), whose queued and running batches will bring them. Flushing
 * earlier cuts batches short, and each compilation has a fixed cost (NVRTC
 * ~0.3 s of parsing Warp's headers, g++ ~0.05 s). */
void chk_flush_idle(chk_engine *e);

/* For a run that is stopping: drops every kernel with a device whose
 * compilation has not started (partial batches included); the compilations
 * under way finish, and chk_wait hands out their kernels' results unless
 * another device of the kernel was dropped. */
void chk_cancel(chk_engine *e);

/* Non-blocking: 1 and *out filled when a result is ready, else 0. */
int chk_poll(chk_engine *e, chk_result *out);

/* Blocking: flushes a partial batch if that is all that is left, then waits
 * for a result: 1 and *out filled, or 0 when nothing is outstanding. */
int chk_wait(chk_engine *e, chk_result *out);

/* Submitted kernels whose results have not been handed out yet. */
size_t chk_outstanding(chk_engine *e);

/* A file descriptor (an eventfd) that is readable while results are ready:
 * put it in the pipeline's poll() set, then drain with chk_poll. */
int chk_fd(chk_engine *e);

/* Checks one kernel synchronously in the calling thread, unbatched (for
 * `jitsynth validate`). Returns 1 if every checked device passed, else 0. */
int chk_check_one(chk_engine *e, const chk_item *it, chk_result *out);

void chk_stats_get(chk_engine *e, chk_stats *out);

/* Stops the threads (a compilation in progress finishes first) and the
 * NVRTC servers, discards whatever has not been handed out, removes the
 * temp dir. NULL is fine. */
void chk_free(chk_engine *e);

void chk_result_free(chk_result *r);

/* "none" / "syntax" / "compile" <-> chk_tier; parse returns -1 if unknown. */
int chk_tier_parse(const char *s, chk_tier *out);
const char *chk_tier_name(chk_tier t);

/* Whether a module's text may be compiled (see "Screening"): 0, or 1 with
 * one line in why ("line 5: #include \"/dev/zero\": a module may include
 * only Warp's own headers (...), by plain name"). Module text shown in it
 * is printable ASCII only. */
int chk_screen(const char *text, size_t len, buf *why);

/* NVRTC runs in server processes (nvserver.h): the program that calls
 * chk_create re-executes itself (/proc/self/exe) with this command as its
 * first argument, so its main() must hand it to chk_nvrtc_server before
 * anything else: `if (argc > 1 && !strcmp(argv[1], CHK_NVRTC_SERVER_COMMAND))
 * return chk_nvrtc_server(argc - 1, argv + 1);`. It does not return. */
#define CHK_NVRTC_SERVER_COMMAND "__nvrtc-server"
int chk_nvrtc_server(int argc, char **argv);

/* Exposed for tests: the length of a module's prologue (leading blank,
 * comment and preprocessor lines, continuation lines included, up to the
 * end of the last preprocessor line: comments after it are the body's). */
size_t chk_prologue_len(const char *text, size_t len);

#endif

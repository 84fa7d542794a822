/* native: where the installed warp-lang keeps its C++ headers (warp/native),
 * which every compiler of Warp's modules needs. The workers report it
 * in their READY frame (pool_callbacks.ready); warp_native_dir asks
 * the worker directly, for runs that start no worker pool (validating
 * stored modules). */
#ifndef JS_WARP_NATIVE_H
#define JS_WARP_NATIVE_H

#include "common/buf.h"

/* Asks the worker (`python worker_script --native-dir`) where the warp-lang
 * it imports keeps its headers: out receives ".../site-packages/warp/native".
 * Returns 0, or -1 with one line in err. Blocks for the interpreter's
 * start-up and Warp's import (~0.4 s). */
int warp_native_dir(const char *python, const char *worker_script, buf *out, buf *err);

#endif

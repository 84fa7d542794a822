/* export: `export --layout seed` writes the seed report's layout
 * (OUT/cpu/pair_NNNNNN.json, OUT/cuda/...). Reads through reader.h; prints
 * nothing. */
#ifndef JS_EXPORT_H
#define JS_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* Called with "FILE:LINE: what" for each malformed line or file skipped,
 * and for each pair file not written because the seed reader would refuse
 * it (export never writes a file its own reader cannot read back). */
typedef void (*export_warn_fn)(const char *msg, void *ctx);

typedef struct export_result {
	uint64_t records;  /* records read */
	uint64_t files[2]; /* pair files written: cpu, cuda */
	uint64_t malformed;
	uint64_t too_large; /* pair files not written: longer than READER_MAX_BYTES */
} export_result;

/* Writes dir's records as OUT/<device>/pair_%06u.json, numbered per device
 * from 0, each {"python_source" (without the leading "import warp as wp"
 * line and blank line), "cpp_forward", "metadata": {kernel_name, category,
 * device}}. OUT must be absent or hold no cpu/ or cuda/ unless force.
 * Files are written under OUT/.export.tmp and moved into place at the end. */
int export_seed(const char *dir, const char *out, int force, export_warn_fn warn, void *ctx, export_result *res,
		buf *err);

#endif

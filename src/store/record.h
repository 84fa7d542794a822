/* record: the JSON line of one dataset record or reject, in the schema of
 * the README (id, kernel_name, category, python_source, ir.{cpu,cuda}.
 * {forward,backward,module}, meta). Built with jansson, keys in a fixed
 * order, so equal inputs give byte-identical lines. */
#ifndef JS_RECORD_H
#define JS_RECORD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "extract/extract.h"

#define JITSYNTH_VERSION "0.1.0"

typedef struct rec_ir {
	int present;
	ext_span forward, backward, module;
	const char *validated; /* "none", "syntax", "compile" */
} rec_ir;

typedef struct rec_pair {
	uint64_t seed, index;
	const char *kernel_name;
	const char *category;
	const char *python_source;
	size_t python_len;
	const char *warp_version;
	const char *kernel_hash;
	rec_ir ir[2]; /* [0] cpu, [1] cuda */
	const char *exec_json; /* NULL, or the run tier's exec object (JSON text, exec.h) */
} rec_pair;

/* Appends the record's JSON line (with '\n') to line. Returns -1 if a text
 * is not valid UTF-8 (line is then unchanged). */
int rec_pair_line(const rec_pair *p, buf *line);

/* A kernel that produced no record: which stage refused it and why. */
typedef struct rec_reject {
	uint64_t seed, index;
	const char *kernel_name;
	const char *category;
	const char *stage; /* "warp", "worker", "extract" */
	const char *reason;
	const char *python_source;
	size_t python_len;
} rec_reject;

void rec_reject_line(const rec_reject *r, buf *line);
/* A uint64 (a seed) as JSON: an integer up to INT64_MAX, above it a string
 * of its decimal digits (jansson's integers are signed: a plain cast would
 * store 2^64-1 as -1), so that every seed is written as itself and reads
 * back; datasets written before keep reading, their seeds being integers. */
json_t *rec_json_u64(uint64_t v);
/* Reads one back: a non-negative integer, or a string of 1..20 decimal
 * digits within uint64. 0, or -1. */
int rec_json_get_u64(const json_t *v, uint64_t *out);

/* The reason as rec_reject_line stores it: itself, or a fixed text when it
 * is not valid UTF-8 (what a reader of rejects.jsonl will see). */
const char *rec_reject_reason(const char *reason);

#endif

/* proto: the frames exchanged with the Python worker (src/warp/worker.py
 * documents the wire format). Encoding requests and decoding replies is kept
 * apart from process handling so the decoder can be unit-tested and fuzzed
 * on bytes alone. */
#ifndef JS_PROTO_H
#define JS_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/dev.h"

/* Largest frame either side accepts: far above any real module text, small
 * enough that a corrupted length prefix cannot make us allocate gigabytes. */
#define PROTO_MAX_FRAME (64u << 20)

typedef enum proto_kind {
	PROTO_READY = 'R',  /* text[0] = Warp version, text[1] = native include dir */
	PROTO_OUTPUT = 'O', /* text[d] = module text for the d-th requested device */
	PROTO_ERROR = 'E',  /* text[0] = Warp's message */
	PROTO_FATAL = 'F',  /* text[0] = why the worker cannot start */
} proto_kind;

/* A decoded reply. The texts point into the caller's input bytes (no copy),
 * so they live as long as that input. */
typedef struct proto_reply {
	proto_kind kind;
	uint64_t index;
	int ntext;
	const char *text[DEV_COUNT];
	size_t text_len[DEV_COUNT];
} proto_reply;

/* Appends one request frame for kernel `index` to out. */
void proto_put_request(buf *out, uint64_t index, unsigned devices, const char *name,
		       const char *source, size_t source_len);

/* Appends one ingest request (src/warp/ingest.py): 'I' u64 index, str JSON.
 * Its answer is an OUTPUT frame with one text, a JSON document: decode it
 * with devices = DEV_BIT(DEV_CPU). */
void proto_put_ingest(buf *out, uint64_t index, const char *json, size_t json_len);

typedef enum proto_status { PROTO_OK = 1, PROTO_INCOMPLETE = 0, PROTO_MALFORMED = -1 } proto_status;

/* Decodes the first frame of data[0..len). On PROTO_OK sets *consumed to the
 * frame's size. `devices` is the mask the requests were sent with; an OUTPUT
 * frame must carry exactly that many texts. */
proto_status proto_parse_reply(const char *data, size_t len, unsigned devices, proto_reply *r,
			       size_t *consumed);

#endif

/* fuzz_shard_zst: libFuzzer target for the dataset reader over a
 * `.jsonl.zst` shard (reader_open_mem as "train-00000.jsonl.zst").
 *
 * The first byte picks the mode:
 *   even: the rest is the compressed file as is (corrupt, truncated and
 *         multi-frame zstd streams);
 *   odd:  the rest is JSON-lines text, compressed here into one or two
 *         frames (bit 1; split point from the second byte, bit 2 adds a
 *         zstd checksum) and read back; what the reader hands out must
 *         then be exactly what the plain reader hands out for the text:
 *         the same records, lines and line numbers, the same skips. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "store/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME "train-00000.jsonl.zst"

/* Reads everything; returns the reader's outcomes as text to compare:
 * one "OK <lineno> <len>:<line>" or "BAD :<lineno>: <what>" per call. */
static void drain(reader *r, const char *name, size_t limit, buf *trace)
{
	buf msg = BUF_INIT;
	reader_record rec;
	int rc;
	size_t calls = 0;
	while ((rc = reader_next(r, &rec, &msg)) != READER_END) {
		if (++calls > limit)
			abort(); /* no progress */
		if (rc == READER_OK) {
			if (!json_is_object(rec.json) || !rec.line || rec.len == 0 || rec.lineno == 0 ||
			    strcmp(rec.file, name) != 0)
				abort();
			if (trace) {
				buf_printf(trace, "OK %zu %zu:", rec.lineno, rec.len);
				buf_append(trace, rec.line, rec.len);
			}
		} else if (rc == READER_BAD) {
			size_t n = strlen(name);
			if (msg.len <= n || strncmp(msg.data, name, n) != 0 || msg.data[n] != ':')
				abort();
			if (trace) /* the message less the file name: ":LINE: what" */
				buf_printf(trace, "BAD %s\n", msg.data + n);
		} else {
			abort();
		}
		buf_reset(&msg);
	}
	buf_free(&msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int mode = data[0];
	buf err = BUF_INIT;
	if (!(mode & 1)) {
		reader *r = reader_open_mem(data + 1, size - 1, NAME, &err);
		if (!r)
			abort();
		/* a zstd frame can expand a lot: bound calls by output lines */
		drain(r, NAME, (size_t)1 << 24, NULL);
		reader_close(r);
		buf_free(&err);
		return 0;
	}
	const uint8_t *text = data + 2;
	size_t len = size - 2;
	size_t cut = (mode & 2) && len ? (size_t)data[1] * len / 255 : len;
	size_t cap = ZSTD_compressBound(cut) + ZSTD_compressBound(len - cut);
	unsigned char *z = malloc(cap ? cap : 1);
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, 1);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, (mode & 4) ? 1 : 0);
	size_t zn = ZSTD_compress2(cc, z, cap, text, cut);
	if (ZSTD_isError(zn))
		abort();
	if (cut < len) {
		size_t z2 = ZSTD_compress2(cc, z + zn, cap - zn, text + cut, len - cut);
		if (ZSTD_isError(z2))
			abort();
		zn += z2;
	}
	ZSTD_freeCCtx(cc);

	buf a = BUF_INIT, b = BUF_INIT;
	reader *rz = reader_open_mem(z, zn, NAME, &err);
	reader *rp = reader_open_mem(text, len, "train-00000.jsonl", &err);
	if (!rz || !rp)
		abort();
	drain(rz, NAME, len + 1, &a);
	drain(rp, "train-00000.jsonl", len + 1, &b);
	if (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0))
		abort(); /* compressed and plain reading disagree */
	reader_close(rz);
	reader_close(rp);
	free(z);
	buf_free(&a);
	buf_free(&b);
	buf_free(&err);
	return 0;
}

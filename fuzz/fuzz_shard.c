/* fuzz_shard: libFuzzer target for the dataset reader over one plain JSONL
 * shard (reader_open_mem on the input as "train-00000.jsonl"), and for
 * what `jitsynth stats` does with each record it hands out (stats_add).
 * Every record must be a JSON object whose raw line lies inside the input;
 * every skipped line must come with a "FILE:LINE: what" message; the
 * reader must end after at most one call per input byte (plus one). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/stats.h"
#include "store/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	buf err = BUF_INIT, msg = BUF_INIT;
	reader *r = reader_open_mem(data, size, "train-00000.jsonl", &err);
	if (!r)
		abort();
	stats *st = stats_new();
	reader_record rec;
	int rc;
	size_t calls = 0, bytes = 0;
	while ((rc = reader_next(r, &rec, &msg)) != READER_END) {
		if (++calls > size + 1)
			abort(); /* no progress */
		if (rc == READER_OK) {
			if (!json_is_object(rec.json) || !rec.line || rec.len == 0 || rec.len > size ||
			    rec.lineno == 0 || strcmp(rec.file, "train-00000.jsonl") != 0)
				abort();
			bytes += rec.len;
			size_t n = 0;
			reader_forward(rec.json, "cpu", &n);
			reader_str(rec.json, "kernel_name", &n);
			stats_add(st, rec.json);
		} else if (rc == READER_BAD) {
			if (!msg.len || strncmp(msg.data, "train-00000.jsonl:", 18) != 0)
				abort();
		} else {
			abort();
		}
		buf_reset(&msg);
	}
	if (bytes > size)
		abort();
	buf out = BUF_INIT;
	stats_render_table(st, &out);
	buf_free(&out);
	stats_free(st);
	reader_close(r);
	buf_free(&err);
	buf_free(&msg);
	return 0;
}

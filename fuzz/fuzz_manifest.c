/* fuzz_manifest: libFuzzer target for manifest.json as its readers take it:
 * reader_open on a directory holding it (the shard list; a manifest that is
 * no JSON or no object and so no dataset), the records of the shards it lists (none exist but
 * manifest.json itself, which it may name), stats over the directory
 * (`jitsynth stats`: stats_scan, the table and the HTML page), and the
 * dataset card (card_render, as `generate`, `merge` and `export` write it). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_tmp.h"
#include "report/html.h"
#include "report/stats.h"
#include "store/card.h"
#include "store/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void warn(const char *msg, void *ctx)
{
	if (!msg || !*msg)
		abort();
	++*(size_t *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fz_dir(NULL);
	fz_write("manifest.json", data, size);

	buf err = BUF_INIT, msg = BUF_INIT, out = BUF_INIT;
	reader *r = reader_open(dir, &err);
	/* a manifest that is no JSON object lists nothing: no dataset here */
	if (!r && !err.len)
		abort();
	const json_t *m = r ? reader_manifest(r) : NULL;
	if (m && !json_is_object(m))
		abort();
	for (size_t i = 0; r && i < reader_nfiles(r); i++) {
		const char *f = reader_file(r, i);
		if (!f || !*f || *f == '/' || strstr(f, ".."))
			abort(); /* the reader must never leave the directory */
	}
	reader_record rec;
	int rc;
	size_t calls = 0;
	while (r && (rc = reader_next(r, &rec, &msg)) != READER_END) {
		if (++calls > reader_nfiles(r) + size + 2)
			abort();
		if (rc != READER_OK && (rc != READER_BAD || !msg.len))
			abort();
		buf_reset(&msg);
	}
	if (m)
		card_render(m, dir, &out);
	int opened = r != NULL;
	reader_close(r);
	buf_reset(&err);

	stats *st = stats_new();
	size_t nwarn = 0;
	if ((stats_scan(st, dir, warn, &nwarn, &err) == 0) != opened)
		abort();
	buf_reset(&out);
	stats_render_table(st, &out);
	buf_reset(&out);
	html_render(st, &out);
	stats_free(st);

	fz_unlink("manifest.json");
	buf_free(&out);
	buf_free(&err);
	buf_free(&msg);
	return 0;
}

/* fuzz_seed: libFuzzer target for the dataset reader over the seed
 * report's layout: a directory with cpu/pair_N.json and cuda/pair_N.json
 * (reader_open on a scratch directory), and stats_add over its records.
 *
 * The input is up to four files separated by NUL bytes (JSON text holds
 * none): cpu/pair_000000.json, cuda/pair_000000.json, cpu/pair_000001.json,
 * cuda/pair_000002.json; the first byte's low bits say which of them exist,
 * so matched cpu/cuda pairs, lone files and mismatches all occur. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_tmp.h"
#include "report/stats.h"
#include "store/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const subdirs[] = {"cpu", "cuda", NULL};
static const char *const files[] = {"cpu/pair_000000.json", "cuda/pair_000000.json", "cpu/pair_000001.json",
				    "cuda/pair_000002.json"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *dir = fz_dir(subdirs);
	unsigned present = data[0] & 15;
	const uint8_t *p = data + 1, *end = data + size;
	for (int i = 0; i < 4; i++) {
		const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
		const uint8_t *stop = nul ? nul : end;
		if (present & (1u << i))
			fz_write(files[i], p, (size_t)(stop - p));
		p = nul ? nul + 1 : end;
	}

	buf err = BUF_INIT, msg = BUF_INIT;
	reader *r = reader_open(dir, &err);
	if (!present != !r)
		abort(); /* a seed layout iff some pair file exists */
	if (r) {
		if (reader_get_layout(r) != READER_SEED || reader_manifest(r))
			abort();
		stats *st = stats_new();
		reader_record rec;
		int rc, calls = 0;
		while ((rc = reader_next(r, &rec, &msg)) != READER_END) {
			if (++calls > 4)
				abort(); /* at most one call per file */
			if (rc == READER_OK) {
				if (!json_is_object(rec.json) || !json_is_string(json_object_get(rec.json, "python_source")) ||
				    !(reader_forward(rec.json, "cpu", NULL) || reader_forward(rec.json, "cuda", NULL)) ||
				    rec.len > size || rec.lineno != 1 ||
				    (strncmp(rec.file, "cpu/pair_", 9) && strncmp(rec.file, "cuda/pair_", 10)))
					abort();
				stats_add(st, rec.json);
			} else if (rc != READER_BAD || !msg.len) {
				abort();
			}
			buf_reset(&msg);
		}
		buf out = BUF_INIT;
		stats_render_table(st, &out);
		buf_free(&out);
		stats_free(st);
		reader_close(r);
	}
	for (int i = 0; i < 4; i++)
		if (present & (1u << i))
			fz_unlink(files[i]);
	buf_free(&err);
	buf_free(&msg);
	return 0;
}

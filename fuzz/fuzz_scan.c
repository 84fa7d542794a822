/* fuzz_scan: libFuzzer target for the ingest scanner (ingest/scan.c) and
 * the licence recogniser (ingest/source.c) on any bytes: no crash, no read
 * out of bounds, and every kernel found is sane (a name, 1 <= first <= line
 * <= last, lines within the text). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/scan.h"
#include "ingest/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	int lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += text[i] == '\n';
	scan_result r = {0};
	scan_kernels(text, size, &r);
	for (size_t i = 0; i < r.n; i++) {
		const scan_kernel *k = &r.k[i];
		if (!k->name[0] || k->first < 1 || k->first > k->line || k->line > k->last || k->last > lines)
			abort();
	}
	scan_result_free(&r);
	(void)src_license_of_text(text, size);
	return 0;
}

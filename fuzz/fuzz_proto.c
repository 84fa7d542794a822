/* fuzz_proto: libFuzzer target for the worker reply decoder. A worker can
 * write anything on its pipe; decoding must never read out of bounds, and
 * every frame it accepts must lie inside the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "warp/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the first byte picks the device mask the frames are decoded with */
	if (size < 1)
		return 0;
	unsigned devices = 1 + data[0] % 3;
	const char *p = (const char *)data + 1;
	size_t len = size - 1;
	for (;;) {
		proto_reply r;
		size_t used = 0;
		if (proto_parse_reply(p, len, devices, &r, &used) != PROTO_OK)
			break;
		if (used == 0 || used > len)
			abort();
		for (int i = 0; i < r.ntext; i++)
			if (r.text[i] < p || r.text[i] + r.text_len[i] > p + used)
				abort();
		p += used;
		len -= used;
	}
	return 0;
}

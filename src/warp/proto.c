/* proto: length-prefixed frames to and from the Warp worker. Every length is
 * checked against the bytes actually present: the decoder is fed whatever a
 * (possibly broken) worker wrote. */
#include "warp/proto.h"

#include <string.h>

static void put_u32(buf *out, uint32_t v)
{
	unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};
	buf_append(out, b, 4);
}

static void put_u64(buf *out, uint64_t v)
{
	put_u32(out, (uint32_t)v);
	put_u32(out, (uint32_t)(v >> 32));
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p) { return get_u32(p) | (uint64_t)get_u32(p + 4) << 32; }

void proto_put_request(buf *out, uint64_t index, unsigned devices, const char *name,
		       const char *source, size_t source_len)
{
	size_t name_len = strlen(name);
	put_u32(out, (uint32_t)(1 + 8 + 1 + 4 + name_len + 4 + source_len));
	buf_putc(out, 'K');
	put_u64(out, index);
	buf_putc(out, (char)devices);
	put_u32(out, (uint32_t)name_len);
	buf_append(out, name, name_len);
	put_u32(out, (uint32_t)source_len);
	buf_append(out, source, source_len);
}

void proto_put_ingest(buf *out, uint64_t index, const char *json, size_t json_len)
{
	put_u32(out, (uint32_t)(1 + 8 + 4 + json_len));
	buf_putc(out, 'I');
	put_u64(out, index);
	put_u32(out, (uint32_t)json_len);
	buf_append(out, json, json_len);
}

/* str = u32 length + bytes, inside payload[*pos..end). */
static int take_str(const unsigned char *p, size_t end, size_t *pos, const char **s, size_t *n)
{
	if (end - *pos < 4)
		return 0;
	uint32_t len = get_u32(p + *pos);
	*pos += 4;
	if (end - *pos < len)
		return 0;
	*s = (const char *)p + *pos;
	*n = len;
	*pos += len;
	return 1;
}

proto_status proto_parse_reply(const char *data, size_t len, unsigned devices, proto_reply *r,
			       size_t *consumed)
{
	const unsigned char *p = (const unsigned char *)data;
	if (len < 4)
		return PROTO_INCOMPLETE;
	uint32_t n = get_u32(p);
	if (n < 1 || n > PROTO_MAX_FRAME)
		return PROTO_MALFORMED;
	if (len - 4 < n)
		return PROTO_INCOMPLETE;

	size_t end = 4 + (size_t)n, pos = 5;
	memset(r, 0, sizeof *r);
	r->kind = (proto_kind)p[4];
	int want;
	switch (r->kind) {
	case PROTO_READY:
		want = 2;
		break;
	case PROTO_FATAL:
		want = 1;
		break;
	case PROTO_ERROR:
	case PROTO_OUTPUT:
		if (end - pos < 8)
			return PROTO_MALFORMED;
		r->index = get_u64(p + pos);
		pos += 8;
		want = r->kind == PROTO_ERROR ? 1 : dev_count(devices);
		break;
	default:
		return PROTO_MALFORMED;
	}
	for (int i = 0; i < want; i++)
		if (!take_str(p, end, &pos, &r->text[i], &r->text_len[i]))
			return PROTO_MALFORMED;
	if (pos != end)
		return PROTO_MALFORMED;
	r->ntext = want;
	*consumed = end;
	return PROTO_OK;
}

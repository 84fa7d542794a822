/* test_proto: worker frames encode and decode; truncated, oversized and
 * inconsistent frames are reported, never read past. */
#include "test.h"
#include "warp/proto.h"

static void put_u32(buf *b, uint32_t v)
{
	unsigned char c[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
	buf_append(b, c, 4);
}

static void put_str(buf *b, const char *s)
{
	put_u32(b, (uint32_t)strlen(s));
	buf_puts(b, s);
}

/* An OUTPUT frame as worker.py writes it. */
static void output_frame(buf *b, uint64_t index, const char *cpu, const char *cuda)
{
	buf payload = BUF_INIT;
	buf_putc(&payload, 'O');
	put_u32(&payload, (uint32_t)index);
	put_u32(&payload, (uint32_t)(index >> 32));
	put_str(&payload, cpu);
	if (cuda)
		put_str(&payload, cuda);
	put_u32(b, (uint32_t)payload.len);
	buf_append(b, payload.data, payload.len);
	buf_free(&payload);
}

static void test_request_layout(void **state)
{
	(void)state;
	buf b = BUF_INIT;
	proto_put_request(&b, 0x0102030405ULL, DEV_ALL, "k", "src", 3);
	assert_int_equal(b.len, 4 + 1 + 8 + 1 + 4 + 1 + 4 + 3);
	assert_int_equal((unsigned char)b.data[0], b.len - 4);
	assert_int_equal(b.data[4], 'K');
	assert_int_equal((unsigned char)b.data[5], 0x05);
	assert_int_equal(b.data[13], DEV_ALL);
	assert_memory_equal(b.data + b.len - 3, "src", 3);
	buf_free(&b);
}

static void test_output_roundtrip(void **state)
{
	(void)state;
	buf b = BUF_INIT;
	output_frame(&b, 1ULL << 40, "cpu text", "cuda text");
	output_frame(&b, 7, "a", "b");
	proto_reply r;
	size_t used;
	assert_int_equal(proto_parse_reply(b.data, b.len, DEV_ALL, &r, &used), PROTO_OK);
	assert_int_equal(r.kind, PROTO_OUTPUT);
	assert_true(r.index == 1ULL << 40);
	assert_int_equal(r.ntext, 2);
	assert_int_equal(r.text_len[1], 9);
	assert_memory_equal(r.text[1], "cuda text", 9);
	size_t first = used;
	assert_int_equal(proto_parse_reply(b.data + first, b.len - first, DEV_ALL, &r, &used), PROTO_OK);
	assert_int_equal(r.index, 7);
	assert_int_equal(first + used, b.len);
	buf_free(&b);
}

static void test_every_prefix_is_incomplete(void **state)
{
	(void)state;
	buf b = BUF_INIT;
	output_frame(&b, 3, "cpu", "cuda");
	proto_reply r;
	size_t used;
	for (size_t n = 0; n < b.len; n++)
		assert_int_equal(proto_parse_reply(b.data, n, DEV_ALL, &r, &used), PROTO_INCOMPLETE);
	buf_free(&b);
}

static void test_malformed_frames(void **state)
{
	(void)state;
	proto_reply r;
	size_t used;
	buf b = BUF_INIT;
	/* device count mismatch: one text where two were requested */
	output_frame(&b, 3, "cpu", NULL);
	assert_int_equal(proto_parse_reply(b.data, b.len, DEV_ALL, &r, &used), PROTO_MALFORMED);
	assert_int_equal(proto_parse_reply(b.data, b.len, DEV_BIT(DEV_CPU), &r, &used), PROTO_OK);
	/* a string length running past the frame */
	buf_reset(&b);
	buf_append(&b, "\x09\0\0\0E\x01\0\0\0\0\0\0\0", 13);
	assert_int_equal(proto_parse_reply(b.data, b.len, DEV_BIT(DEV_CPU), &r, &used), PROTO_MALFORMED);
	/* unknown kind, zero length, absurd length */
	assert_int_equal(proto_parse_reply("\x01\0\0\0Z", 5, DEV_BIT(DEV_CPU), &r, &used), PROTO_MALFORMED);
	assert_int_equal(proto_parse_reply("\0\0\0\0", 4, DEV_BIT(DEV_CPU), &r, &used), PROTO_MALFORMED);
	assert_int_equal(proto_parse_reply("\xff\xff\xff\x7f", 4, DEV_BIT(DEV_CPU), &r, &used), PROTO_MALFORMED);
	/* garbage text, as a worker printing on stdout would produce */
	const char *junk = "Warp 1.19.0 initialized\n";
	assert_int_equal(proto_parse_reply(junk, strlen(junk), DEV_BIT(DEV_CPU), &r, &used), PROTO_MALFORMED);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_layout),
		cmocka_unit_test(test_output_roundtrip),
		cmocka_unit_test(test_every_prefix_is_incomplete),
		cmocka_unit_test(test_malformed_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

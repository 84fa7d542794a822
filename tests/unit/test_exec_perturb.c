/* test_exec_perturb: the run tier's perturbed inputs (src/exec/inputs.h
 * xin_perturb), what the GPU check's conditioning runs the CPU on: k = 0
 * is today's input set 0 byte for byte; k = 1 moves every float scalar the
 * kernel reads (input and in-out arrays, struct fields, float16, float64,
 * top-level values and vectors) by exactly one step of its encoding and
 * nothing else (outputs, accumulators, integers); the signs are a pure
 * function of k and the scalar, both ways occur, and k = 1 and k = 2 move
 * differently. On real Warp 1.19.0 output (tests/fixtures/loop_cond.cpp)
 * and on a planted module text covering the types. */
#include <math.h>

#include "exec/inputs.h"
#include "exec/sig.h"
#include "test.h"

static const char planted[] =
	"\nstruct Body_12345678\n{\n    wp::float32 mass;\n    wp::vec_t<3, wp::float64> v;\n\n    Body_12345678() = default;\n};\n"
	"\nstruct wp_args_k_abcdef01 {\n"
	"    wp::array_t<Body_12345678> bodies;\n"
	"    wp::float16 h;\n"
	"    wp::vec_t<3, wp::float32> dir;\n"
	"    wp::int32 n;\n"
	"    wp::array_t<wp::float32> acc;\n"
	"    wp::array_t<wp::float16> mixed;\n"
	"    wp::array_t<wp::int32> ids;\n"
	"    wp::array_t<wp::float32> out;\n"
	"};\n"
	"static void k_abcdef01_cpu_kernel_forward(wp::launch_bounds_t<1> dim, size_t task_index, wp_args_k_abcdef01 *_wp_args)\n{\n"
	"    var_1 = wp::address(var_bodies, var_0);\n"
	"    var_3 = wp::address(var_ids, var_0);\n"
	"    wp::atomic_add(var_acc, var_0, var_2);\n"
	"    wp::atomic_min(var_mixed, var_0, var_2);\n"
	"    wp::atomic_max(var_mixed, var_0, var_2);\n"
	"    wp::array_store(var_out, var_0, var_2);\n"
	"}\n"
	"WP_API void k_abcdef01_cpu_forward(\n    wp::launch_bounds_t<1> *dim,\n    wp_args_k_abcdef01 *_wp_args)\n{\n}\n";

/* Sign-magnitude bits as an ordered integer: neighbours differ by 1. */
static int64_t ordered(uint64_t bits, int width)
{
	uint64_t sign = 1ULL << (width - 1), mag = bits & (sign - 1);
	return bits & sign ? -(int64_t)mag : (int64_t)mag;
}

/* Steps of the encoding between two scalars of kind sk at p and q. */
static int64_t steps(xscalar sk, const unsigned char *p, const unsigned char *q)
{
	uint64_t a = 0, b = 0;
	size_t z = xscalar_size(sk);
	memcpy(&a, p, z);
	memcpy(&b, q, z);
	int64_t d = ordered(a, (int)z * 8) - ordered(b, (int)z * 8);
	return d < 0 ? -d : d;
}

typedef struct tally {
	size_t moved, up, down;
} tally;

/* Every scalar of a value of type t: floats one step apart (counted in
 * *t), everything else identical. */
static void one_step(const xtype *t, const unsigned char *p, const unsigned char *q, tally *n)
{
	if (t->kind == XK_VALUE) {
		size_t z = xscalar_size(t->sk);
		for (int c = 0; c < t->ncomp; c++) {
			const unsigned char *x = p + (size_t)c * z, *y = q + (size_t)c * z;
			if (!xscalar_is_float(t->sk)) {
				assert_memory_equal(x, y, z);
				continue;
			}
			assert_int_equal(steps(t->sk, x, y), 1);
			n->moved++;
			xarr a = {.elem = &(xtype){.kind = XK_VALUE, .sk = t->sk, .ncomp = 1, .size = z}, .count = 1};
			if (xin_get(&a, y, 0, 0) > xin_get(&a, x, 0, 0))
				n->up++;
			else
				n->down++;
		}
	} else if (t->kind == XK_STRUCT) {
		for (int f = 0; f < t->nfields; f++)
			one_step(t->fields[f].type, p + t->fields[f].offset, q + t->fields[f].offset, n);
	}
}

/* The by-value bytes of parameter p (arrays' are pointers: compared by content). */
static int by_value(const xparam *x)
{
	return x->type->kind == XK_VALUE || x->type->kind == XK_STRUCT;
}

/* base against k: k = 0 identical; k > 0 one step in every read float. */
static size_t compare(const sig *s, const xinputs *base, const xinputs *k, int moved)
{
	tally n = {0};
	assert_int_equal(base->narrs, k->narrs);
	for (int p = 0; p < s->nparams; p++) {
		const xparam *x = &s->params[p];
		if (!by_value(x))
			continue;
		if (moved)
			one_step(x->type, base->args + x->offset, k->args + x->offset, &n);
		else
			assert_memory_equal(base->args + x->offset, k->args + x->offset, x->type->size);
	}
	for (int i = 0; i < base->narrs; i++) {
		const xarr *a = &base->arrs[i], *b = &k->arrs[i];
		assert_int_equal(a->bytes, b->bytes);
		xrole r = s->params[a->param].role;
		if (!moved || (r != XR_INPUT && r != XR_INOUT)) {
			assert_memory_equal(a->data, b->data, a->bytes);
			continue;
		}
		for (size_t e = 0; e < a->count; e++)
			one_step(a->elem, a->data + e * a->elem->size, b->data + e * a->elem->size, &n);
	}
	if (moved) {
		assert_true(n.up > 0); /* both ways */
		assert_true(n.down > 0);
	}
	return n.moved;
}

static void perturbed(const sig *s, uint64_t seed, int k, xinputs *out)
{
	xin_build(s, seed, 0, out);
	xin_perturb(s, out, k);
}

/* Whether the arrays' contents (and by-value parameters) of a and b are identical. */
static int same(const sig *s, const xinputs *a, const xinputs *b)
{
	for (int p = 0; p < s->nparams; p++)
		if (by_value(&s->params[p]) &&
		    memcmp(a->args + s->params[p].offset, b->args + s->params[p].offset, s->params[p].type->size))
			return 0;
	for (int i = 0; i < a->narrs; i++)
		if (memcmp(a->arrs[i].data, b->arrs[i].data, a->arrs[i].bytes))
			return 0;
	return 1;
}

static void check_sig(const sig *s, size_t want_moved)
{
	xinputs base, p0, p1, p1b, p2;
	xin_build(s, 7, 0, &base);
	perturbed(s, 7, 0, &p0);
	perturbed(s, 7, 1, &p1);
	perturbed(s, 7, 1, &p1b);
	perturbed(s, 7, 2, &p2);
	assert_int_equal(compare(s, &base, &p0, 0), 0); /* k = 0: today's bytes */
	assert_int_equal(compare(s, &base, &p1, 1), want_moved);
	assert_int_equal(compare(s, &base, &p2, 1), want_moved);
	assert_true(same(s, &p1, &p1b)); /* deterministic */
	assert_false(same(s, &p1, &p2)); /* k = 1 and k = 2: other signs */
	xin_free(&base);
	xin_free(&p0);
	xin_free(&p1);
	xin_free(&p1b);
	xin_free(&p2);
}

static void test_planted(void **state)
{
	(void)state;
	buf err = BUF_INIT;
	sig s;
	assert_int_equal(sig_parse(planted, sizeof planted - 1, &s, &err), 0);
	assert_int_equal(s.nparams, 8);
	assert_int_equal(s.params[0].role, XR_INPUT);
	assert_int_equal(s.params[4].role, XR_ACCUM);
	assert_int_equal(s.params[5].role, XR_INOUT);
	assert_int_equal(s.params[6].role, XR_INPUT);
	assert_int_equal(s.params[7].role, XR_OUTPUT);
	/* bodies: 64 x (mass + 3 components), h, dir's 3, mixed's 64 */
	check_sig(&s, 64 * 4 + 1 + 3 + 64);
	sig_free(&s);
	buf_free(&err);
}

static void test_real_module(void **state)
{
	(void)state;
	buf m = BUF_INIT, err = BUF_INIT;
	load_fixture("loop_cond.cpp", &m);
	sig s;
	assert_int_equal(sig_parse(m.data, m.len, &s, &err), 0);
	assert_int_equal(s.params[2].role, XR_OUTPUT);
	check_sig(&s, 64 * 2); /* a and b move, out stays */
	sig_free(&s);
	buf_free(&m);
	buf_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planted),
		cmocka_unit_test(test_real_module),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

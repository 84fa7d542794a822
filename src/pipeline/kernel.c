/* kernel: kernel i of a run as the pipeline makes it (runctx.h): the
 * generator's, with the test hooks that plant what the end-to-end tests
 * need (JITSYNTH_TEST_REJECT: a kernel Warp refuses; JITSYNTH_TEST_COPY: a
 * duplicate of an earlier kernel). Without those variables, exactly
 * gen_kernel_make. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/runctx.h"

static int hook_lists(const char *var, uint64_t index)
{
	const char *s = getenv(var);
	while (s && *s) {
		char *end;
		unsigned long long v = strtoull(s, &end, 10);
		if (end == s)
			break;
		if (v == index)
			return 1;
		s = *end == ',' ? end + 1 : end;
	}
	return 0;
}

/* src with every identifier `from` (not an attribute: .tid stays) as `to` */
static void rename_word(const buf *src, const char *from, const char *to, buf *out)
{
	size_t n = strlen(from);
	buf_reset(out);
	for (size_t i = 0; i < src->len;) {
		const char *p = src->data + i;
		int word = i + n <= src->len && !memcmp(p, from, n) &&
			   (i == 0 || !(isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '.')) &&
			   (i + n == src->len || !(isalnum((unsigned char)p[n]) || p[n] == '_'));
		if (word)
			buf_puts(out, to), i += n;
		else
			buf_putc(out, *p), i++;
	}
}

/* JITSYNTH_TEST_COPY=i:j[~],...: kernel i (> j) is kernel j's source (as
 * planted itself) under i's name, an exact duplicate of j; with '~' its
 * `tid` is renamed too, a structural one (test_parts, test_slurm plant
 * them across parts). */
static void hook_copy(const run_options *o, uint64_t index, gen_kernel *k)
{
	const char *s = getenv("JITSYNTH_TEST_COPY");
	while (s && *s) {
		char *end;
		unsigned long long i = strtoull(s, &end, 10), j;
		if (end == s || *end != ':')
			return;
		j = strtoull(end + 1, &end, 10);
		int structural = *end == '~';
		end += structural;
		if (i == index && j < index) {
			gen_kernel src = {0};
			buf tmp = BUF_INIT;
			gen_kernel_make(&o->gen, j, &src);
			hook_copy(o, j, &src);
			rename_word(&src.source, src.name, k->name, &k->source);
			if (structural) {
				rename_word(&k->source, "tid", "tix", &tmp);
				buf_reset(&k->source);
				buf_append(&k->source, tmp.data, tmp.len);
			}
			buf_free(&tmp);
			gen_kernel_free(&src);
		}
		if (*end != ',')
			return;
		s = end + 1;
	}
}

void run_make_kernel(const run_options *o, uint64_t index, gen_kernel *k)
{
	gen_kernel_make(&o->gen, index, k);
	hook_copy(o, index, k);
	if (hook_lists("JITSYNTH_TEST_REJECT", index)) /* a type error Warp must refuse */
		buf_puts(&k->source, "    jitsynth_planted = wp.vec3(1.0, 2.0, 3.0) + 1\n");
}


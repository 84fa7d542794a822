/* fuzz_pysrc: libFuzzer target for the realism measure's Python parser
 * (report/pytok.c, pyexpr.c, pyfeat.c, realism.c): any bytes as a reference
 * file. Whatever they hold, the scan ends, every token and logical line lies
 * inside the text, every kernel's names point into it, the counts stay
 * within their bounds, and two scans measure the same. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/pyfeat.h"
#include "report/pytok.h"
#include "report/realism.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct span {
	const char *s;
	size_t n;
} span;

static void inside(span t, const char *p, size_t len)
{
	if (len && (p < t.s || p + len > t.s + t.n))
		abort();
}

static void check_kernel(const pyfeat_kernel *k, void *ctx)
{
	span *t = ctx;
	inside(*t, k->name.s, k->name.len);
	size_t np = k->nparams < PYFEAT_MAX_PARAMS ? k->nparams : PYFEAT_MAX_PARAMS;
	for (size_t i = 0; i < np; i++) {
		inside(*t, k->param[i].name.s, k->param[i].name.len);
		if (k->param[i].kind >= PK_COUNT || k->param[i].ann >= ANN_COUNT || k->param[i].dtype >= DT_COUNT)
			abort();
	}
	if (k->nlocals > PYFEAT_MAX_NAMES)
		abort();
	for (size_t i = 0; i < k->nlocals; i++)
		inside(*t, k->local[i].s, k->local[i].len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	span t = {text, size};
	pysrc p;
	pysrc_scan(&p, text, size);
	for (size_t i = 0; i < p.ntok; i++)
		inside(t, p.tok[i].s, p.tok[i].len);
	for (size_t i = 0; i < p.nlines; i++)
		if (p.lines[i].first + p.lines[i].ntok > p.ntok)
			abort();
	pysrc_free(&p);
	size_t n1 = pyfeat_scan(text, size, check_kernel, &t);
	realism a, b;
	realism_init(&a);
	realism_init(&b);
	realism_add_source(&a, text, size);
	realism_add_source(&b, text, size);
	if (a.kernels != n1 || memcmp(a.count, b.count, sizeof a.count) != 0 || a.params.n != b.params.n)
		abort();
	realism_release(&a);
	realism_release(&b);
	free(text);
	return 0;
}

/* fuzz_verify: libFuzzer target for `jitsynth verify` (pipeline/verify.c):
 * the input is up to four files cut at "\n--8<--\n" lines, in this order:
 * manifest.json, journal.jsonl, train-00000.jsonl, rejects.jsonl (an empty
 * part: no such file). Whatever they hold, verify_dataset either refuses
 * the directory with a reason or reports as many lines as it counts
 * mismatches, each one line naming a file of the directory, the same on a
 * second run; and the outdir classification of each file (what --force
 * and --resume may remove) never calls a file that is not one of the
 * dataset's names its own. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_tmp.h"
#include "pipeline/outdir.h"
#include "pipeline/verify.h"
#include "store/layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const files[] = {LAYOUT_MANIFEST, LAYOUT_JOURNAL, "train-00000.jsonl", LAYOUT_REJECTS};
#define NFILES (sizeof files / sizeof *files)

typedef struct seen {
	buf all;
	size_t n;
	const char *dir;
} seen;

static void collect(const char *line, void *ctx)
{
	seen *s = ctx;
	size_t dl = strlen(s->dir);
	if (strchr(line, '\n') || strchr(line, '\r') || strncmp(line, s->dir, dl) != 0 || line[dl] != '/')
		abort();
	buf_puts(&s->all, line);
	buf_putc(&s->all, '\n');
	s->n++;
}

static void run(const char *dir, seen *s, verify_result *res, int *rc)
{
	buf err = BUF_INIT;
	*rc = verify_dataset(dir, collect, s, res, &err);
	if (*rc != 0 && (*rc != -1 || !err.len || s->n))
		abort();
	if (*rc == 0 && res->mismatches != s->n)
		abort();
	buf_free(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fz_dir(NULL);
	static const char cut[] = "\n--8<--\n";
	const uint8_t *p = data, *end = data + size;
	for (size_t i = 0; i < NFILES; i++) {
		const uint8_t *next = p < end ? memmem(p, (size_t)(end - p), cut, sizeof cut - 1) : NULL;
		const uint8_t *stop = next ? next : end;
		if (stop > p)
			fz_write(files[i], p, (size_t)(stop - p));
		p = next ? next + sizeof cut - 1 : end;
	}

	seen a = {BUF_INIT, 0, dir}, b = {BUF_INIT, 0, dir};
	verify_result ra, rb;
	int rca, rcb;
	run(dir, &a, &ra, &rca);
	run(dir, &b, &rb, &rcb);
	if (rca != rcb || a.n != b.n || strcmp(buf_cstr(&a.all), buf_cstr(&b.all)) != 0)
		abort(); /* verify changes nothing, so it says the same twice */

	outdir_files f;
	outdir_files_read(dir, &f);
	for (size_t i = 0; i < NFILES; i++)
		if (outdir_classify(&f, dir, files[i]) == OUTDIR_LEFTOVER)
			abort(); /* none of these is a temporary */
	if (outdir_classify(&f, dir, "notes.txt") != OUTDIR_FOREIGN ||
	    outdir_classify(&f, dir, "train-mydata.jsonl.bak") != OUTDIR_FOREIGN ||
	    outdir_classify(&f, dir, ".bashrc.tmp") != OUTDIR_FOREIGN ||
	    outdir_classify(&f, dir, LAYOUT_LOCK) != OUTDIR_LEFTOVER)
		abort();
	outdir_files_release(&f);

	for (size_t i = 0; i < NFILES; i++)
		fz_unlink(files[i]);
	buf_free(&a.all);
	buf_free(&b.all);
	return 0;
}

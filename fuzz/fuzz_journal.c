/* fuzz_journal: libFuzzer target for the resume journal: journal_load on a
 * scratch directory holding the input as journal.jsonl, and what --resume
 * does with it (run_resume_options: the options read back and checked
 * against those given). Every entry accepted must be usable as is: a shard
 * name that stays in the directory, a 64-digit SHA-256; and a journal that
 * loads ends with a complete line (a torn one is cut off), so that the
 * entries the resumed run appends can be read back. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_tmp.h"
#include "pipeline/run.h"
#include "store/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = fz_dir(NULL);
	fz_write("journal.jsonl", data, size);

	buf err = BUF_INIT;
	journal j;
	int rc = journal_load(dir, &j, &err);
	if (rc == 0) {
		if (err.len || !json_is_object(j.options) || (j.n && !j.entries))
			abort();
		for (size_t i = 0; i < j.n; i++) {
			const journal_entry *e = &j.entries[i];
			if (!e->shard.name[0] || strchr(e->shard.name, '/') || strlen(e->shard.sha256) != 64)
				abort();
		}
		journal_release(&j);
		/* a torn last line is cut off, so appends stay readable */
		char path[512];
		fz_path(path, sizeof path, "journal.jsonl");
		FILE *f = fopen(path, "rb");
		if (!f || fseek(f, -1, SEEK_END) != 0 || fgetc(f) != '\n')
			abort();
		fclose(f);
	} else if (rc != -1 || !err.len || j.options || j.entries || j.n) {
		abort(); /* a failed load says why and holds nothing */
	}

	/* --resume: options from the journal, against the ones "given" */
	buf_reset(&err);
	run_options o = {.n = 100, .out_dir = dir, .gen = {.seed = 42}, .pool = {.devices = DEV_ALL}, .shard_size = 10000, .dedup = 1};
	unsigned given = size ? data[size - 1] : 0;
	int rrc = run_resume_options(&o, given, &err);
	if (rrc != 0 && (rrc != -1 || !err.len))
		abort();
	if (rrc == 0 && (!o.n || !o.shard_size || !o.pool.devices))
		abort();

	fz_unlink("journal.jsonl");
	buf_free(&err);
	return 0;
}

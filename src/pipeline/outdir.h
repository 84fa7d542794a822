/* outdir: the output directory of a writer (generate, merge): made if
 * absent, locked for the writer's lifetime (store/lock.h), and judged by
 * its own manifest and journal: which of its files the dataset owns, which
 * are jitsynth's leftovers (temporaries and the lock, by their exact
 * names), and which are someone else's. A writer removes only the first two
 * kinds, and refuses a directory that holds the third. */
#ifndef JS_PIPELINE_OUTDIR_H
#define JS_PIPELINE_OUTDIR_H

#include <jansson.h>
#include <stddef.h>

#include "common/buf.h"
#include "store/lock.h"

typedef enum outdir_class {
	OUTDIR_FOREIGN,	 /* not written by jitsynth: never touched */
	OUTDIR_OWN,	 /* the dataset's: listed by its manifest or its journal's run */
	OUTDIR_LEFTOVER, /* a temporary or the lock, by its exact name */
} outdir_class;

/* What the directory's own manifest and journal say it holds. */
typedef struct outdir_files {
	json_t *manifest;	   /* manifest.json if jitsynth's ("format"), else NULL */
	json_t *journal;	   /* the journal header's options if jitsynth's, else NULL */
	char jitsynth_version[32]; /* that started the journal's run; "" if not recorded */
	size_t run_shards;	   /* how many shards the journal's (or manifest's) run can write */
	int run_zst;		   /* ... and whether they end in .zst */
} outdir_files;

void outdir_files_read(const char *dir, outdir_files *f);
void outdir_files_release(outdir_files *f);
/* Whether f is a dataset at all (a jitsynth manifest or journal). */
int outdir_is_dataset(const outdir_files *f);
/* Whether the manifest lists the shard `name`. */
int outdir_manifest_lists(const outdir_files *f, const char *name);
/* What DIR/name is to the dataset f describes. */
outdir_class outdir_classify(const outdir_files *f, const char *dir, const char *name);
/* The first file of dir that is none of jitsynth's (into `name`): 1 if
 * there is one, 0 if not, -1 with err if dir cannot be read. */
int outdir_first_foreign(const char *dir, const outdir_files *f, char *name, size_t cap, buf *err);

/* Makes dir if absent (*created then 1) and takes its lock. -1 with a
 * one-line reason (another run holds it: its pid). */
int outdir_lock(const char *dir, dir_lock *l, int *created, buf *err);
/* Lets go of the lock; removes dir if it was created and is empty. */
void outdir_unlock(const char *dir, dir_lock *l, int created);

/* For a fresh write into a locked dir: refuses one holding a file that is
 * not jitsynth's (naming it), refuses a dataset unless force, and then
 * removes the dataset's own files and jitsynth's leftovers (the lock
 * aside). -1 with a one-line reason that says how to go on (can_resume:
 * the writer has --resume to offer for an interrupted run). */
int outdir_prepare(const char *dir, int force, int can_resume, buf *err);

#endif

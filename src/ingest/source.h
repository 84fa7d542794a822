/* source: what `jitsynth ingest` reads from one SRC (a directory of Python
 * files, a package's directory, a git checkout): its Python files with the
 * module name each would have on sys.path, and the provenance of all of
 * them (package, version or git commit, SPDX licence id), from plain files
 * only (no git, no import). Finding an installed package's directory is the
 * caller's (it needs Python). */
#ifndef JS_SOURCE_H
#define JS_SOURCE_H

#include <stddef.h>

#include "common/buf.h"

typedef struct src_file {
	char *path;	/* absolute */
	char *rel;	/* relative to the project (source.path of its records) */
	char *module;	/* dotted module name under root */
	char *category; /* the module path under the top package, "sim/collide" */
} src_file;

typedef struct src_tree {
	char *dir;  /* the SRC, absolute */
	char *root; /* the sys.path entry its modules import from */
	char package[128];
	char version[64]; /* "" when unknown */
	char commit[48];  /* git commit, "" when not a checkout */
	char license[32]; /* SPDX id, or "unknown" */
	src_file *f;
	size_t n, cap;
} src_tree;

/* Reads the tree at dir (a directory). 0, or -1 with the reason in err. */
int src_open(const char *dir, src_tree *t, buf *err);
void src_free(src_tree *t);

/* The SPDX id of a licence text: "MIT", "Apache-2.0", "BSD-3-Clause",
 * "BSD-2-Clause", or NULL. */
const char *src_license_of_text(const char *text, size_t len);

/* The SPDX id for a package metadata License/License-Expression value. */
const char *src_license_of_field(const char *value);

#endif

/* untrusted: two guards for input jitsynth did not write (a dataset from
 * anywhere): files are opened only when they are regular files, so a link to
 * a device or a FIFO cannot hang or flood a reader, and text is made safe to
 * show on a terminal. HTML escaping is the report's (src/report/html.c). */
#ifndef JS_UNTRUSTED_H
#define JS_UNTRUSTED_H

#include <stdio.h>
#include <sys/types.h>

#include "common/buf.h"

/* Opens path read-only (O_CLOEXEC) if it is a regular file. A symbolic link
 * is followed when it ends at a regular file (wherever that is: the Hugging
 * Face hub's cache keeps a dataset's files as links into its blobs/);
 * anything else (a FIFO, a device, a directory, a socket, or a link to one)
 * is refused from its stat, never opened for reading, and a file swapped for
 * another between the stat and the open is refused too. Returns the fd and
 * its size in *size (if size is not NULL), or -1 with the reason in err,
 * e.g. "cannot open: Permission denied" or "is a link to a
 * character device, not a regular file (...)", to follow "FILE: ". */
int untrusted_open(const char *path, off_t *size, buf *err);
/* The same as a stdio stream ("rb"); NULL with err. */
FILE *untrusted_fopen(const char *path, off_t *size, buf *err);

/* Appends s[0..n) to b as text safe for a terminal. Kept: printable ASCII,
 * valid UTF-8, and '\n' when keep_newlines (a multi-line text meant as
 * such). Written as \xNN, byte by byte: every other C0 control ('\t', '\r'
 * and ESC included, so no escape sequence survives), DEL, C1 controls (raw
 * bytes or UTF-8 encoded), bytes that are not UTF-8, and the bidirectional
 * embedding, override and isolate characters (U+202A-U+202E,
 * U+2066-U+2069), which reorder what a reader sees. */
void untrusted_text(buf *b, const char *s, size_t n, int keep_newlines);

#endif

/* util: allocation that cannot fail silently, BUG() for broken invariants,
 * a clock and a few path helpers (exists, mkdir, rm -r). Library code
 * returns errors: only the CLI prints them and chooses exit codes. */
#ifndef JS_UTIL_H
#define JS_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* A broken internal invariant: prints file:line and aborts. */
#define BUG(msg) bug_at(__FILE__, __LINE__, (msg))
_Noreturn void bug_at(const char *file, int line, const char *msg);

/* Monotonic seconds, for rates and timeouts. */
double now_seconds(void);

/* Whether anything (a link included) exists at path. */
int path_exists(const char *path);
/* mkdir that accepts an existing directory; -1 with "cannot create ..." in
 * err otherwise. */
int make_dir(const char *path, buf *err);

/* Removes path and everything under it (symlinks not followed); absent is
 * fine. Returns 0, or -1 with errno set. */
int rm_tree(const char *path);

#endif

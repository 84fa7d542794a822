/* util: allocation that cannot fail silently, the process-wide error
 * helpers, a clock and rm -r. Library code returns errors; only the CLI
 * calls die(). */
#ifndef JS_UTIL_H
#define JS_UTIL_H

#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Prints "jitsynth: <message>" to stderr and exits with the given code. */
_Noreturn void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A broken internal invariant: prints file:line and aborts. */
#define BUG(msg) bug_at(__FILE__, __LINE__, (msg))
_Noreturn void bug_at(const char *file, int line, const char *msg);

/* Monotonic seconds, for rates and timeouts. */
double now_seconds(void);

/* Removes path and everything under it (symlinks not followed); absent is
 * fine. Returns 0, or -1 with errno set. */
int rm_tree(const char *path);

#endif

/* pchcache: the builtin.h PCH kept between runs (cxx.c builds it).
 *
 * Precompiling Warp's builtin.h costs g++ about 0.7 s of CPU and 27 MB per
 * set of flags; a run that validates a few kernels spent most of its
 * compiler time on it. The PCH depends only on the compiler, its flags and
 * Warp's headers, never on a dataset, so it is kept in
 * $JITSYNTH_CACHE_DIR, else $XDG_CACHE_HOME/jitsynth, else
 * ~/.cache/jitsynth, under a key that hashes exactly those: the compiler's
 * real path, size, mtime and --version text, the compile flags, and the
 * path, size and bytes of every file under warp/native. GCC itself refuses
 * a PCH that its own checks do not match (it then reads the header: slower,
 * same verdict), so a stale entry can cost time, never a wrong result.
 *
 * An entry is built in a staging directory and renamed into place, so a
 * run never sees half a PCH and two runs racing both end with one entry.
 * The root and each entry must be directories of this user that no one
 * else can write (as ssh demands of ~/.ssh); anything else, or
 * JITSYNTH_CACHE_DIR=off, turns the cache off and each run builds its own
 * PCH in its temp dir, as before. Staging directories of killed runs are
 * removed after ten minutes. */
#ifndef JS_VALIDATE_PCHCACHE_H
#define JS_VALIDATE_PCHCACHE_H

#include <stddef.h>

/* The cache root (created 0700 if missing), or NULL when the cache is off
 * or unusable. The caller frees it. */
char *pchcache_root(void);

/* key (17 bytes: 16 hex digits and a NUL) for this compiler (path and
 * its --version output), these compile flags and this warp/native dir. */
void pchcache_key(char key[17], const char *compiler, const char *version, const char *const *flags,
		  int nflags, const char *native_dir);

/* The entry's directory (it holds builtin.h.gch, and libjswarm.so for the
 * run tier's warm clang PCH), or NULL. Caller frees. */
char *pchcache_lookup(const char *root, const char *key);

/* A fresh staging directory to build key's entry in, or NULL. Caller frees. */
char *pchcache_stage(const char *root, const char *key);

/* Moves a built stage into place (or, when another run was first, drops it
 * for theirs) and returns the entry's directory; NULL, with the stage
 * removed, when neither worked. Caller frees. */
char *pchcache_publish(const char *root, const char *key, const char *stage);

/* Removes a stage that is not to be published. */
void pchcache_drop(const char *stage);

#endif

/* dedup: duplicate detection for records, by 64-bit xxHash fingerprints of
 * normalised text kept in an open-addressing set. Owns the normalisers of
 * Python source and of Warp's forward IR; not what to do with a duplicate. */
#ifndef JS_DEDUP_H
#define JS_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

typedef enum dedup_verdict {
	DEDUP_NEW = 0,        /* first of its kind: remembered, keep it */
	DEDUP_EXACT = 1,      /* same normalised Python as an earlier record */
	DEDUP_STRUCTURAL = 2, /* same shape as an earlier record: equal up to
				 identifier names and formatting */
} dedup_verdict;

typedef struct dedup dedup;

dedup *dedup_new(void);
void dedup_free(dedup *dd);

/* The verdict for a record (python: the whole python_source; fwd: its
 * forward IR, CPU preferred, or NULL/0 when there is none). A DEDUP_NEW
 * record's fingerprints are added to the set; duplicates add nothing.
 *  exact:      the Python token stream (comments, blank lines, spacing and
 *              `import` lines dropped; the kernel's `def` name replaced).
 *  structural: the Python token stream with identifiers (not keywords, not
 *              attributes such as wp.sin or v.x, not builtins such as float
 *              or range, not keyword-argument names) renamed in order of
 *              first appearance and numbers/strings replaced by
 *              placeholders, together with the forward IR with comments
 *              dropped, var_N renumbered and var_<name>/adj_<name>/->name
 *              renamed in order of appearance, Warp's kernel-name + 8-hex
 *              hash prefix stripped; IR literals are kept, so kernels that
 *              differ only in a constant are not structural duplicates. */
dedup_verdict dedup_check(dedup *dd, const char *python, size_t python_len, const char *fwd, size_t fwd_len);

/* dedup_check on fingerprints computed earlier (by dedup_exact_fp and
 * dedup_structural_fp): lets a caller fingerprint records as they arrive, in
 * any order, and decide in a fixed order. */
dedup_verdict dedup_check_fp(dedup *dd, uint64_t exact, uint64_t structural);

/* The fingerprints alone, nothing added (for uniqueness metrics). */
uint64_t dedup_exact_fp(dedup *dd, const char *python, size_t python_len);
uint64_t dedup_structural_fp(dedup *dd, const char *python, size_t python_len, const char *fwd, size_t fwd_len);

/* The normalised texts the fingerprints hash (for tests and debugging). */
void dedup_norm_python(dedup *dd, const char *python, size_t len, int structural, buf *out);
void dedup_norm_ir(dedup *dd, const char *fwd, size_t len, buf *out);

/* A set of 64-bit fingerprints (open addressing, linear probing). */
typedef struct dedup_set {
	uint64_t *slot; /* 0 = empty */
	size_t cap, n;
} dedup_set;

/* Adds fp: 1 if new, 0 if already there. */
int dedup_set_add(dedup_set *s, uint64_t fp);
int dedup_set_has(const dedup_set *s, uint64_t fp);
void dedup_set_free(dedup_set *s);

/* Records seen by dedup_check, and how many were duplicates of each kind. */
typedef struct dedup_counts {
	uint64_t checked, exact, structural;
} dedup_counts;
dedup_counts dedup_get_counts(const dedup *dd);

#endif

/* card: the dataset card, DIR/README.md in the Hugging Face convention
 * (YAML header with configs/data_files, license, task categories, size
 * category; then schema, options, versions, counts, validation, loading).
 * Built from DIR/manifest.json alone, so generate, merge and export share it. */
#ifndef JS_CARD_H
#define JS_CARD_H

#include <jansson.h>

#include "common/buf.h"

/* Reads DIR/manifest.json and writes DIR/README.md atomically. Returns 0,
 * or -1 with a one-line reason in err (no or bad manifest, write error). */
int card_write(const char *dir, buf *err);
/* The card text for a manifest (dir is only quoted in the examples). */
void card_render(const json_t *manifest, const char *dir, buf *out);
/* "n<1K", "1K<n<10K", ... the Hugging Face size category of n rows. */
const char *card_size_category(unsigned long long n);

#endif

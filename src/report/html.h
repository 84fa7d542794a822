/* html: the visual report of `jitsynth stats --html FILE`: one self-contained
 * page (inline CSS and SVG charts, no script, no network) drawn from the
 * figures stats.c gathered. */
#ifndef JS_HTML_H
#define JS_HTML_H

#include "common/buf.h"
#include "report/stats.h"

/* The page as text. */
void html_render(const stats *st, buf *out);
/* Renders and writes it to path (temporary name, then rename). -1 with err. */
int html_write(const stats *st, const char *path, buf *err);

#endif

/* config: the small weights file of `--weights FILE`, which overrides the
 * profiles' statement weights without recompiling: one "CATEGORY.KIND = W"
 * per line (see gen.h). Parsing only; gen.c applies the table. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen.h"

static int kind_of(const char *s, size_t n)
{
	for (int k = 0; k < GEN_STMT_KINDS; k++)
		if (strlen(gen_stmt_names[k]) == n && !memcmp(gen_stmt_names[k], s, n))
			return k;
	return -1;
}

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* One line [p, end) without its newline; 0, or -1 with err. */
static int parse_line(const char *p, const char *end, gen_weights w, int line, char *err, size_t errlen)
{
	const char *hash = memchr(p, '#', (size_t)(end - p));
	end = hash ? hash : end;
	p = skip_space(p, end);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (p == end)
		return 0;
	const char *dot = memchr(p, '.', (size_t)(end - p)), *eq = memchr(p, '=', (size_t)(end - p));
	if (!dot || !eq || dot > eq) {
		snprintf(err, errlen, "line %d: expected CATEGORY.KIND = WEIGHT", line);
		return -1;
	}
	char cat[32];
	snprintf(cat, sizeof cat, "%.*s", (int)(dot - p), p);
	int c = strcmp(cat, "*") ? gen_category_from_name(cat) : GEN_CATEGORY_COUNT;
	if (c < 0) {
		snprintf(err, errlen, "line %d: unknown category '%s'", line, cat);
		return -1;
	}
	const char *ke = eq;
	while (ke > dot + 1 && (ke[-1] == ' ' || ke[-1] == '\t'))
		ke--;
	int k = kind_of(dot + 1, (size_t)(ke - dot - 1));
	if (k < 0) {
		snprintf(err, errlen, "line %d: unknown statement kind '%.*s' (decl, assign, aug, store, atomic, if, for, while, jump)",
			 line, (int)(ke - dot - 1), dot + 1);
		return -1;
	}
	const char *v = skip_space(eq + 1, end);
	char *vend;
	long weight = v < end && isdigit((unsigned char)*v) ? strtol(v, &vend, 10) : -1;
	if (weight < 0 || weight > 100 || skip_space(vend, end) != end) {
		snprintf(err, errlen, "line %d: a weight is an integer 0..100", line);
		return -1;
	}
	for (int i = c == GEN_CATEGORY_COUNT ? 0 : c; i < (c == GEN_CATEGORY_COUNT ? GEN_CATEGORY_COUNT : c + 1); i++)
		w[i][k] = (signed char)weight;
	return 0;
}

int gen_config_parse(const char *text, size_t len, gen_weights w, char *err, size_t errlen)
{
	memset(w, -1, sizeof(signed char) * GEN_CATEGORY_COUNT * GEN_STMT_KINDS);
	const char *p = text, *end = text + len;
	for (int line = 1; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (memchr(p, '\0', (size_t)(le - p))) {
			snprintf(err, errlen, "line %d: not a text file", line);
			return -1;
		}
		if (parse_line(p, le, w, line, err, errlen) < 0)
			return -1;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* extract: locates functions in Warp's generated C++/CUDA by their mangled
 * names and matches braces to find their ends. Braces inside comments (Warp
 * copies each Python line into a `//` comment) and string or character
 * literals (printf formats) are skipped. */
#include "extract/extract.h"

#include <stdio.h>
#include <string.h>

static const char *find_mem(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	return nlen <= hlen ? memmem(hay, hlen, needle, nlen) : NULL;
}

/* Start of the line containing p. */
static const char *line_start(const char *base, const char *p)
{
	while (p > base && p[-1] != '\n')
		p--;
	return p;
}

/* From an opening brace, the position just past its matching close, or NULL. */
static const char *match_brace(const char *p, const char *end)
{
	int depth = 0;
	while (p < end) {
		char c = *p;
		if (c == '/' && p + 1 < end && p[1] == '/') {
			while (p < end && *p != '\n')
				p++;
			continue;
		}
		if (c == '/' && p + 1 < end && p[1] == '*') {
			const char *q = find_mem(p + 2, (size_t)(end - p - 2), "*/", 2);
			if (!q)
				return NULL;
			p = q + 2;
			continue;
		}
		if (c == '"' || c == '\'') {
			for (p++; p < end && *p != c; p++)
				if (*p == '\\')
					p++;
			p++;
			continue;
		}
		if (c == '{')
			depth++;
		else if (c == '}' && --depth == 0)
			return p + 1;
		p++;
	}
	return NULL;
}

/* Finds the definition of NAME_<hash>_<dev>_kernel_<which>( and its body. */
static int find_function(const char *module, size_t len, const char *name, const char *dev,
			 const char *which, ext_span *span, char *hash, size_t hashlen)
{
	const char *end = module + len;
	char suffix[64];
	int slen = snprintf(suffix, sizeof suffix, "_%s_kernel_%s(", dev, which);
	size_t nlen = strlen(name);

	for (const char *p = module; (p = find_mem(p, (size_t)(end - p), suffix, (size_t)slen));
	     p += slen) {
		/* the identifier before the suffix must be NAME_<hex hash> */
		const char *h = p;
		while (h > module && ((h[-1] >= '0' && h[-1] <= '9') || (h[-1] >= 'a' && h[-1] <= 'f')))
			h--;
		if (h == p || h - module < (long)nlen + 1 || h[-1] != '_')
			continue;
		const char *id = h - 1 - nlen;
		if (memcmp(id, name, nlen) != 0 || (id > module && (id[-1] == '_' || (id[-1] >= 'a' && id[-1] <= 'z') ||
								   (id[-1] >= 'A' && id[-1] <= 'Z') ||
								   (id[-1] >= '0' && id[-1] <= '9'))))
			continue;
		/* a definition, not a call: the line starts with a declaration */
		const char *ls = line_start(module, id);
		/* (CUDA: `extern "C" [__launch_bounds__(..)] [WP_CLUSTER_DIMS(..)] __global__`) */
		if (!(strncmp(ls, "static void", 11) == 0 || strncmp(ls, "void", 4) == 0 ||
		      (strncmp(ls, "extern \"C\" ", 11) == 0 && find_mem(ls, (size_t)(id - ls), "__global__", 10))))
			continue;
		/* CPU kernels are templates: keep the template line with them */
		if (ls > module + 1) {
			const char *prev = line_start(module, ls - 1);
			if (strncmp(prev, "template", 8) == 0)
				ls = prev;
		}
		const char *brace = memchr(p, '{', (size_t)(end - p));
		const char *semi = memchr(p, ';', (size_t)(end - p));
		if (!brace || (semi && semi < brace))
			continue; /* a declaration only */
		const char *close = match_brace(brace, end);
		if (!close)
			return -1;
		span->start = ls;
		span->len = (size_t)(close - ls);
		snprintf(hash, hashlen, "%.*s", (int)(p - h), h);
		return 0;
	}
	return -1;
}

int ext_kernel_find(const char *module, size_t len, const char *name, dev_id dv,
		    ext_kernel *out, char *why, size_t whylen)
{
	const char *d = dev_name(dv);
	char hash2[24];
	memset(out, 0, sizeof *out);
	if (find_function(module, len, name, d, "forward", &out->forward, out->hash, sizeof out->hash) < 0) {
		snprintf(why, whylen, "no %s forward function for '%s' in Warp's output", d, name);
		return -1;
	}
	if (find_function(module, len, name, d, "backward", &out->backward, hash2, sizeof hash2) == 0 &&
	    strcmp(hash2, out->hash) != 0) {
		snprintf(why, whylen, "%s forward and backward of '%s' carry different hashes", d, name);
		return -1;
	}
	return 0;
}

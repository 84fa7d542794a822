/* untrusted: regular files only, and text safe for a terminal (see
 * untrusted.h). Neither prints. */
#include "common/untrusted.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t m)
{
	return S_ISFIFO(m)   ? "a FIFO"
	       : S_ISCHR(m)  ? "a character device"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISDIR(m)  ? "a directory"
	       : S_ISSOCK(m) ? "a socket"
			     : "not a plain file";
}

int untrusted_open(const char *path, off_t *size, buf *err)
{
	struct stat st, lst, fst;
	if (stat(path, &st) != 0) {
		buf_printf(err, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		int link = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
		buf_printf(err,
			   "is %s%s, not a regular file (a dataset's files must be regular files or "
			   "links to them)",
			   link ? "a link to " : "", kind_of(st.st_mode));
		return -1;
	}
	/* O_NONBLOCK: were it swapped for a FIFO since the stat, the open must
	 * not wait for a writer; the fstat below then refuses it. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		buf_printf(err, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode) || fst.st_ino != st.st_ino ||
	    fst.st_dev != st.st_dev) {
		close(fd);
		buf_puts(err, "changed while being opened (not a regular file now)");
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	if (size)
		*size = fst.st_size;
	return fd;
}

FILE *untrusted_fopen(const char *path, off_t *size, buf *err)
{
	int fd = untrusted_open(path, size, err);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "rb");
	if (!f) {
		buf_printf(err, "cannot open: %s", strerror(errno));
		close(fd);
	}
	return f;
}

/* The length of the UTF-8 sequence at p (1..4), or 0 if it is not one
 * (overlong forms and surrogates included); *cp gets its code point. */
static size_t utf8_seq(const unsigned char *p, size_t n, unsigned *cp)
{
	unsigned c = p[0];
	size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
	if (!len || len > n)
		return 0;
	unsigned v = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) ||
	    (len == 4 && (v < 0x10000 || v > 0x10ffff)))
		return 0;
	*cp = v;
	return len;
}

static int shown_as_is(unsigned cp)
{
	return !(cp >= 0x80 && cp <= 0x9f) && !(cp >= 0x202a && cp <= 0x202e) &&
	       !(cp >= 0x2066 && cp <= 0x2069);
}

void untrusted_text(buf *b, const char *s, size_t n, int keep_newlines)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0, i = 0; /* p[run..i) is kept as it is */
	buf_grow(b, n);
	while (i < n) {
		unsigned c = p[i], cp = 0;
		size_t len = 1;
		int keep;
		if (c < 0x80)
			keep = (c >= 0x20 && c != 0x7f) || (c == '\n' && keep_newlines);
		else {
			len = utf8_seq(p + i, n - i, &cp);
			keep = len && shown_as_is(cp);
			len = len ? len : 1;
		}
		if (keep) {
			i += len;
			continue;
		}
		buf_append(b, p + run, i - run);
		for (size_t k = 0; k < len; k++) {
			char e[4] = {'\\', 'x', hex[p[i + k] >> 4], hex[p[i + k] & 15]};
			buf_append(b, e, 4);
		}
		i += len;
		run = i;
	}
	buf_append(b, p + run, i - run);
}

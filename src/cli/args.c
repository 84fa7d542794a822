/* args: flag value parsing shared by the commands, the printers of
 * untrusted text (cli_line, cli_text), and the paths jitsynth finds next to
 * its executable (worker.py, the .venv's Python). */
#include "cli/cli.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/untrusted.h"
#include "gen/gen.h"
#include "warp/proto.h"

static void put_untrusted(FILE *f, const char *s, size_t n, int lines)
{
	buf b = BUF_INIT;
	untrusted_text(&b, s, n, lines);
	fwrite(buf_cstr(&b), 1, b.len, f);
	buf_free(&b);
}

volatile sig_atomic_t cli_stop;

static void on_stop_signal(int sig)
{
	(void)sig;
	cli_stop = 1;
}

void cli_catch_stop(void)
{
	struct sigaction sa = {.sa_handler = on_stop_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void cli_line(FILE *f, const char *fmt, ...)
{
	buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	put_untrusted(f, buf_cstr(&b), b.len, 0);
	fputc('\n', f);
	buf_free(&b);
}

void cli_text(FILE *f, const char *s, size_t n) { put_untrusted(f, s, n, 1); }

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "jitsynth %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\ntry 'jitsynth %s --help'\n", cmd);
	va_end(ap);
	return EXIT_USAGE;
}

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_seconds(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 86400)
		return -1;
	*out = v;
	return 0;
}

/* Calls fn on each comma-separated item of s; stops at the first failure. */
static int each_item(const char *s, int (*fn)(const char *item, void *ctx), void *ctx)
{
	char item[64];
	while (*s) {
		size_t n = strcspn(s, ",");
		if (n == 0 || n >= sizeof item)
			return -1;
		memcpy(item, s, n);
		item[n] = '\0';
		if (fn(item, ctx) < 0)
			return -1;
		s += n + (s[n] == ',');
	}
	return 0;
}

typedef struct cat_ctx {
	uint32_t mask;
	int seed; /* 'seed' was named */
	char *bad;
	size_t badlen;
} cat_ctx;

static int add_category(const char *item, void *p)
{
	cat_ctx *c = p;
	if (strcmp(item, "all") == 0) { /* every profile, seed and beyond */
		c->mask |= GEN_ALL_MASK;
		return 0;
	}
	if (strcmp(item, "seed") == 0) { /* the seed dataset's 11 */
		c->mask |= GEN_SEED_MASK;
		c->seed = 1;
		return 0;
	}
	int k = gen_category_from_name(item);
	if (k < 0) {
		snprintf(c->bad, c->badlen, "%s", item);
		return -1;
	}
	c->mask |= 1u << k;
	return 0;
}

void print_help(const char *head, const char *indent, const char *tail)
{
	buf cats = BUF_INIT;
	gen_categories_help(&cats, indent, 78);
	fputs(head, stdout);
	fputs(buf_cstr(&cats), stdout);
	fputs(tail, stdout);
	buf_free(&cats);
}

int parse_categories(const char *s, uint32_t *mask, int *seed_named, char *bad, size_t badlen)
{
	cat_ctx c = {0, 0, bad, badlen};
	snprintf(bad, badlen, "%s", s);
	if (!*s || each_item(s, add_category, &c) < 0)
		return -1;
	*mask = c.mask;
	*seed_named = c.seed;
	return 0;
}

void gen_cli_defaults(gen_options *g, int categories_given, int seed_named, int style_given)
{
	if (!categories_given)
		g->categories = GEN_ALL_MASK;
	if (!style_given)
		g->style = seed_named ? GEN_STYLE_SYNTHETIC : GEN_STYLE_REALISTIC;
}

/* The directory of the running executable's nearest ancestor holding
 * src/warp/worker.py: bin/jitsynth and build/asan/jitsynth both work. */
static const char *install_root(void)
{
	static char root[PATH_MAX];
	static int done;
	if (done)
		return root[0] ? root : NULL;
	done = 1;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (int up = 0; up < 4; up++) {
		char *slash = strrchr(exe, '/');
		if (!slash)
			break;
		*slash = '\0';
		char probe[PATH_MAX + 32];
		snprintf(probe, sizeof probe, "%s/src/warp/worker.py", exe);
		if (access(probe, R_OK) == 0) {
			snprintf(root, sizeof root, "%s", exe);
			return root;
		}
	}
	return NULL;
}

const char *default_worker_script(void)
{
	static char path[PATH_MAX + 32];
	const char *env = getenv("JITSYNTH_WORKER");
	if (env && *env)
		return env;
	const char *root = install_root();
	snprintf(path, sizeof path, "%s/src/warp/worker.py", root ? root : ".");
	return path;
}

const char *default_python(void)
{
	static char path[PATH_MAX + 32];
	const char *env = getenv("JITSYNTH_PYTHON");
	if (env && *env)
		return env;
	const char *root = install_root();
	if (root) {
		snprintf(path, sizeof path, "%s/.venv/bin/python", root);
		if (access(path, X_OK) == 0)
			return path;
	}
	return "python3";
}

int read_weights(const char *path, gen_weights w, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rbe");
	if (!f) {
		snprintf(err, errlen, "cannot read weights file '%s': %s", path, strerror(errno));
		return -1;
	}
	char text[1 << 16];
	size_t n = fread(text, 1, sizeof text, f);
	int big = n == sizeof text, bad = ferror(f);
	fclose(f);
	if (bad || big) {
		snprintf(err, errlen, "weights file '%s': %s", path, bad ? "read error" : "larger than 64 KiB");
		return -1;
	}
	char why[160];
	if (gen_config_parse(text, n, w, why, sizeof why) < 0) {
		snprintf(err, errlen, "weights file '%s', %s", path, why);
		return -1;
	}
	return 0;
}

/* fake_worker: a stand-in for src/warp/worker.py that speaks its frame
 * protocol (see worker.py and src/warp/proto.h) in C, with no Warp, so that
 * the pool and the pipeline can be tested in milliseconds. Started as the
 * pool starts the real one, `fake_worker -u SCRIPT`: both arguments are
 * ignored. It answers each kernel with module texts shaped like Warp's (the
 * kernel's forward and backward under NAME_HASH_{cpu,cuda}_kernel_*, HASH =
 * FNV-1a of the source), a pure function of (name, source, devices).
 *
 * FAKE_WORKER scripts its faults: comma-separated items, any number of each.
 *   error=N[:M]    reply 'E' (a Warp error) for kernel N
 *   crash=N[:M]    exit 9 on reaching kernel N, after a line on stderr
 *   hang=N[:M]     sleep forever on reaching kernel N
 *   garbage=N[:M]  write a non-frame line on stdout at kernel N (then go on)
 *   fatal          reply 'F' at start-up and exit 3 (Warp not importable)
 *   hang_at_start  sleep forever before READY
 *   die_at_start[=RANGE:COUNTER]
 *                  exit 1 before READY; with RANGE, only the start-ups whose
 *                  number is in RANGE ("K": 1..K, "A-B", "A-": A and later),
 *                  numbered across processes in the file COUNTER
 *   slow_ms=MS     wait MS ms before each reply
 *   shuffle_ms=MS  wait 0..MS ms before each reply, pseudo-random from the
 *                  kernel index: workers then answer out of order
 * ":M" names a marker file: the fault fires only if M does not exist yet,
 * and creates it (as worker.py's JITSYNTH_TEST_* hooks do). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

typedef struct sbuf {
	char *data;
	size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 256;
		b->data = realloc(b->data, b->cap);
		if (!b->data)
			exit(70);
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	sb_add(b, tmp, n < (int)sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void sb_u32(sbuf *b, uint32_t v)
{
	unsigned char c[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};
	sb_add(b, c, 4);
}

static void sb_str(sbuf *b, const char *s, size_t n)
{
	sb_u32(b, (uint32_t)n);
	sb_add(b, s, n);
}

static void write_all(const void *p, size_t n)
{
	for (const char *c = p; n;) {
		ssize_t w = write(1, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			exit(0); /* the pool has gone */
		c += w, n -= (size_t)w;
	}
}

/* Sends payload[0..len) as one frame. */
static void send_frame(const sbuf *payload)
{
	sbuf f = {0};
	sb_u32(&f, (uint32_t)payload->len);
	sb_add(&f, payload->data, payload->len);
	write_all(f.data, f.len);
	free(f.data);
}

static int read_all(void *p, size_t n)
{
	for (char *c = p; n;) {
		ssize_t r = read(0, c, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r, n -= (size_t)r;
	}
	return 0;
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	while (n--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void hang(void)
{
	for (;;)
		pause();
}

/* ---- the FAKE_WORKER script ---- */

/* Whether item `key` of the script matches kernel `index` (index < 0: a
 * start-up item, no "=N"), honouring an ":M" marker. */
static int fires(const char *key, long long index)
{
	const char *spec = getenv("FAKE_WORKER");
	size_t klen = strlen(key);
	for (const char *s = spec; s && *s; s += strcspn(s, ","), s += *s == ',') {
		if (strncmp(s, key, klen) != 0)
			continue;
		const char *v = s + klen;
		if (index >= 0 && (*v != '=' || strtoll(v + 1, NULL, 10) != index))
			continue;
		if (index < 0 && *v && *v != ',' && *v != ':')
			continue;
		const char *colon = memchr(v, ':', strcspn(v, ","));
		if (!colon)
			return 1;
		char marker[4096];
		snprintf(marker, sizeof marker, "%.*s", (int)strcspn(colon + 1, ","), colon + 1);
		int fd = open(marker, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			continue; /* fired before */
		close(fd);
		return 1;
	}
	return 0;
}

/* The value V of the last item `key=V` (copied to out), or NULL. */
static const char *value_of(const char *key, char *out, size_t n)
{
	const char *spec = getenv("FAKE_WORKER");
	size_t klen = strlen(key);
	const char *found = NULL;
	for (const char *s = spec; s && *s; s += strcspn(s, ","), s += *s == ',')
		if (strncmp(s, key, klen) == 0 && s[klen] == '=')
			found = s + klen + 1;
	if (!found)
		return NULL;
	snprintf(out, n, "%.*s", (int)strcspn(found, ","), found);
	return out;
}

/* die_at_start[=RANGE:COUNTER]: whether this start-up must fail. */
static int startup_fails(void)
{
	char v[4096];
	if (fires("die_at_start", -1))
		return 1;
	if (!value_of("die_at_start", v, sizeof v))
		return 0;
	char *colon = strchr(v, ':'), *end;
	if (!colon)
		return 0;
	long lo = 1, hi = strtol(v, &end, 10);
	if (*end == '-')
		lo = hi, hi = end[1] == ':' ? LONG_MAX : strtol(end + 1, NULL, 10);
	int fd = open(colon + 1, O_RDWR | O_CREAT, 0644);
	if (fd < 0 || flock(fd, LOCK_EX) < 0)
		return 1;
	char num[32] = "";
	ssize_t r = pread(fd, num, sizeof num - 1, 0);
	long nth = (r > 0 ? atol(num) : 0) + 1;
	int len = snprintf(num, sizeof num, "%ld\n", nth);
	if (pwrite(fd, num, (size_t)len, 0) != len)
		return 1;
	close(fd); /* releases the lock */
	return nth >= lo && nth <= hi;
}

/* ---- module texts ---- */

/* One device's module: the kernel's forward and backward, Warp-shaped. */
static void module_text(sbuf *m, const char *dev, const char *name, const char *src, size_t srclen)
{
	uint32_t h = fnv1a(src, srclen);
	int cpu = dev[1] == 'p';
	const char *which[] = {"forward", "backward"};
	sb_printf(m, "// fake Warp module (tests/helper/fake_worker.c)\n#define WP_NO_CRT\n#include "
		     "\"builtin.h\"\n\n");
	sb_printf(m, "struct wp_args_%s_%08x {\n    wp::array_t<wp::float32> out;\n};\n\n", name, h);
	for (int w = 0; w < 2; w++) {
		if (cpu)
			sb_printf(m,
				  "template <bool wp_linear_contiguous>\nstatic void %s_%08x_cpu_kernel_%s(\n"
				  "    wp::launch_bounds_t<1> dim,\n    size_t task_index,\n    "
				  "wp_args_%s_%08x *_wp_args)\n{\n",
				  name, h, which[w], name, h);
		else
			sb_printf(m,
				  "extern \"C\" __global__ void %s_%08x_cuda_kernel_%s(\n"
				  "    wp::launch_bounds_t<1> dim,\n    wp_args_%s_%08x _wp_args)\n{\n",
				  name, h, which[w], name, h);
		for (size_t i = 0, n; i < srclen; i += n + (i + n < srclen)) {
			n = strcspn(src + i, "\n");
			if (n > srclen - i)
				n = srclen - i;
			sb_printf(m, "    // %.*s\n", (int)n, src + i);
		}
		sb_printf(m, "    wp::uint32 var_%d = %uu;\n}\n\n", w, h ^ (uint32_t)(w + 1) * 2654435761u);
	}
}

int main(int argc, char **argv)
{
	(void)argc, (void)argv;
	signal(SIGINT, SIG_IGN); /* as worker.py: jitsynth decides when we stop */
	char v[64];
	long slow = value_of("slow_ms", v, sizeof v) ? atol(v) : 0;
	long shuffle = value_of("shuffle_ms", v, sizeof v) ? atol(v) : 0;
	sbuf p = {0};

	if (startup_fails()) {
		fprintf(stderr, "fake_worker: failing at start-up as told\n");
		return 1;
	}
	if (fires("hang_at_start", -1))
		hang();
	if (fires("fatal", -1)) {
		const char msg[] = "ModuleNotFoundError: No module named 'warp' (fake_worker)";
		sb_add(&p, "F", 1);
		sb_str(&p, msg, sizeof msg - 1);
		send_frame(&p);
		free(p.data);
		return 3;
	}
	sb_add(&p, "R", 1);
	sb_str(&p, "1.19.0", 6);
	sb_str(&p, "/nonexistent/fake_worker/native", 31);
	send_frame(&p);

	for (;;) {
		unsigned char head[4];
		if (read_all(head, 4) < 0)
			break;
		uint32_t n = get_u32(head);
		unsigned char *req = malloc(n ? n : 1);
		if (!req || read_all(req, n) < 0 || n < 18 || req[0] != 'K') {
			free(req);
			break;
		}
		long long index = 0;
		for (int i = 8; i >= 1; i--)
			index = index << 8 | req[i];
		unsigned devices = req[9];
		uint32_t nlen = get_u32(req + 10);
		if (nlen > n - 18 || get_u32(req + 14 + nlen) > n - 18 - nlen) {
			free(req);
			break;
		}
		char *name = strndup((char *)req + 14, nlen);
		const char *src = (char *)req + 18 + nlen;
		size_t srclen = get_u32(req + 14 + nlen);

		if (fires("crash", index)) {
			fprintf(stderr, "fake_worker: crashing on kernel %lld\n", index);
			_exit(9);
		}
		if (fires("hang", index))
			hang();
		if (fires("garbage", index)) {
			static const char junk[] = "Traceback (most recent call last): this is not a frame\n";
			write_all(junk, sizeof junk - 1);
		}
		if (slow || shuffle) {
			uint64_t x = (uint64_t)index * 0x9e3779b97f4a7c15u;
			x ^= x >> 31;
			sleep_ms(slow + (shuffle ? (long)(x % (uint64_t)(shuffle + 1)) : 0));
		}
		p.len = 0;
		if (fires("error", index)) {
			sb_add(&p, "E", 1);
			sb_add(&p, req + 1, 8);
			char msg[256];
			int len = snprintf(msg, sizeof msg,
					   "TypeError: fake_worker rejects kernel %lld ('%s')", index, name);
			sb_str(&p, msg, (size_t)len);
		} else {
			sb_add(&p, "O", 1);
			sb_add(&p, req + 1, 8);
			sbuf m = {0};
			for (int d = 0; d < 2; d++) {
				if (!(devices & (1u << d)))
					continue;
				m.len = 0;
				module_text(&m, d == 0 ? "cpu" : "cuda", name, src, srclen);
				sb_str(&p, m.data, m.len);
			}
			free(m.data);
		}
		send_frame(&p);
		free(name);
		free(req);
	}
	free(p.data);
	return 0; /* end of input: the pool is done with us */
}

/* replay_worker: a stand-in for src/warp/worker.py that answers from real
 * Warp output recorded earlier, at memory speed, so that `jitsynth generate
 * --validate none` is bound by the C process alone (bench/c_side.sh).
 *
 *   replay_worker --pack DATASET PACK
 *       turns a plain-JSONL dataset made with --no-dedup (its train-*.jsonl
 *       and rejects.jsonl) into PACK: one reply frame per kernel index, as
 *       worker.py sent it ('O' with each device's module text, verbatim as
 *       the records hold it, or 'E' with a Warp reject's reason).
 *   replay_worker -u SCRIPT     (as the pool starts the worker; REPLAY_PACK=PACK)
 *       speaks the worker's frame protocol (src/warp/proto.h) and answers
 *       kernel i with PACK's frame for i; an index PACK lacks gets an 'E'.
 * The run must use the recording's seed, profile options and devices. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "replay_worker: %s\n", what);
	exit(2);
}

static void put_u32(FILE *f, uint32_t v)
{
	unsigned char c[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};
	fwrite(c, 1, 4, f);
}

static void put_index(FILE *f, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		fputc((int)(v >> (8 * i)) & 0xff, f);
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_index(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* ---- --pack ---- */

static void pack_line(FILE *out, json_t *o)
{
	json_t *meta = json_object_get(o, "meta");
	if (meta) { /* a record */
		uint64_t index = (uint64_t)json_integer_value(json_object_get(meta, "index"));
		const char *dev[2] = {"cpu", "cuda"};
		const char *text[2] = {0};
		size_t len[2] = {0}, total = 1 + 8;
		for (int d = 0; d < 2; d++) {
			json_t *m = json_object_get(json_object_get(json_object_get(o, "ir"), dev[d]), "module");
			if (m) {
				text[d] = json_string_value(m);
				len[d] = json_string_length(m);
				total += 4 + len[d];
			}
		}
		put_u32(out, (uint32_t)total);
		fputc('O', out);
		put_index(out, index);
		for (int d = 0; d < 2; d++)
			if (text[d]) {
				put_u32(out, (uint32_t)len[d]);
				fwrite(text[d], 1, len[d], out);
			}
		return;
	}
	const char *stage = json_string_value(json_object_get(o, "stage"));
	if (!stage || strcmp(stage, "warp") != 0)
		return; /* not Warp's verdict: the run makes it again */
	json_t *reason = json_object_get(o, "reason");
	size_t n = json_string_length(reason);
	put_u32(out, (uint32_t)(1 + 8 + 4 + n));
	fputc('E', out);
	put_index(out, (uint64_t)json_integer_value(json_object_get(o, "index")));
	put_u32(out, (uint32_t)n);
	fwrite(json_string_value(reason), 1, n, out);
}

static int pack(const char *dir, const char *path)
{
	FILE *out = fopen(path, "wb");
	if (!out)
		die("cannot write the pack");
	char pat[4096];
	snprintf(pat, sizeof pat, "%s/train-*.jsonl", dir);
	glob_t g;
	if (glob(pat, 0, NULL, &g) != 0)
		die("no train-*.jsonl in the dataset (record it with --format jsonl --no-dedup)");
	size_t n = 0;
	for (size_t i = 0; i <= g.gl_pathc; i++) {
		char rej[4096];
		snprintf(rej, sizeof rej, "%s/rejects.jsonl", dir);
		FILE *f = fopen(i < g.gl_pathc ? g.gl_pathv[i] : rej, "rb");
		if (!f)
			continue;
		char *line = NULL;
		size_t cap = 0;
		while (getline(&line, &cap, f) > 0) {
			json_t *o = json_loads(line, 0, NULL);
			if (!o)
				die("a line of the dataset is not JSON");
			pack_line(out, o);
			json_decref(o);
			n++;
		}
		free(line);
		fclose(f);
	}
	globfree(&g);
	if (fclose(out) != 0)
		die("cannot write the pack");
	fprintf(stderr, "replay_worker: packed %zu kernels into %s\n", n, path);
	return 0;
}

/* ---- the worker ---- */

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

static void send_small(char kind, const unsigned char *index8, const char *a, const char *b)
{
	size_t la = strlen(a), lb = b ? strlen(b) : 0, n = 1 + (index8 ? 8 : 0) + 4 + la + (b ? 4 + lb : 0);
	unsigned char *f = malloc(4 + n), *p = f;
	if (!f)
		exit(70);
	uint32_t v[3] = {(uint32_t)n, (uint32_t)la, (uint32_t)lb};
	memcpy(p, (unsigned char[4]){v[0], v[0] >> 8, v[0] >> 16, v[0] >> 24}, 4), p += 4;
	*p++ = (unsigned char)kind;
	if (index8)
		memcpy(p, index8, 8), p += 8;
	memcpy(p, (unsigned char[4]){v[1], v[1] >> 8, v[1] >> 16, v[1] >> 24}, 4), p += 4;
	memcpy(p, a, la), p += la;
	if (b) {
		memcpy(p, (unsigned char[4]){v[2], v[2] >> 8, v[2] >> 16, v[2] >> 24}, 4), p += 4;
		memcpy(p, b, lb);
	}
	write_all(f, 4 + n);
	free(f);
}

static int serve(void)
{
	signal(SIGINT, SIG_IGN); /* as worker.py: jitsynth decides when we stop */
	const char *path = getenv("REPLAY_PACK");
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0)
		die("REPLAY_PACK names no pack (replay_worker --pack DATASET PACK)");
	const unsigned char *pk = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (pk == MAP_FAILED)
		die("cannot map the pack");
	size_t size = (size_t)st.st_size, nidx = 0;
	size_t *at = NULL; /* frame offset + 1 by kernel index, 0: not recorded */
	for (size_t off = 0; off + 13 <= size;) {
		uint32_t n = get_u32(pk + off);
		uint64_t i = get_index(pk + off + 5);
		if (n < 9 || off + 4 + n > size)
			die("the pack is damaged");
		if (i >= nidx) {
			size_t m = (size_t)i * 2 + 1024;
			at = realloc(at, m * sizeof *at);
			if (!at)
				exit(70);
			memset(at + nidx, 0, (m - nidx) * sizeof *at);
			nidx = m;
		}
		at[i] = off + 1;
		off += 4 + n;
	}
	send_small('R', NULL, "1.19.0", "/nonexistent/replay_worker/native");
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
		uint64_t i = get_index(req + 1);
		if (i < nidx && at[i])
			write_all(pk + at[i] - 1, 4 + get_u32(pk + at[i] - 1));
		else
			send_small('E', req + 1, "replay_worker: kernel not in the pack", NULL);
		free(req);
	}
	free(at);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--pack"))
		return pack(argv[2], argv[3]);
	return serve();
}

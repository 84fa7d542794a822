/* pool: worker processes driven by one poll() loop (see pool.h).
 *
 * Each worker is a state machine: STARTING (spawned, waiting for its READY
 * frame) -> IDLE <-> BUSY, and DEAD when it exits, hangs past the timeout or
 * writes garbage. A dead worker's kernels go back to the retry queue; only the
 * kernel it was working on (the first unanswered one: workers answer in
 * order) is charged an attempt, and a kernel charged twice is given up with a
 * reason. Workers are restarted with exponential back-off; too many start-up
 * failures in a row end the run with the worker's own last words. */
#include "warp/pool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "warp/sandbox.h"

extern char **environ;

typedef enum wstate { W_DEAD, W_STARTING, W_IDLE, W_BUSY } wstate;

typedef struct task {
	uint64_t index;
	int attempts; /* times a worker died while working on it */
	buf frame;    /* the encoded request, kept for a retry */
} task;

/* A FIFO of tasks: the retry queue and each worker's in-flight list. */
typedef struct taskq {
	task *v;
	size_t head, len, cap;
} taskq;

typedef struct worker {
	wstate state;
	pid_t pid;
	int to_fd, from_fd, err_fd;
	buf in;       /* bytes read from the worker, not yet decoded */
	buf out;      /* request bytes not yet written */
	size_t out_off;
	buf errtail;  /* the end of the worker's stderr, for failure messages */
	taskq inflight;
	double deadline;   /* kill if no reply by then */
	double restart_at; /* DEAD: earliest restart time */
	long peak_rss_kib;
} worker;

typedef struct pool {
	const pool_options *opt;
	const pool_callbacks *cb;
	void *ctx;
	pool_stats *stats;
	buf *err;
	worker *w;
	taskq retry;
	int exhausted;        /* next_task said POOL_DONE */
	int startup_failures; /* consecutive */
	int readied;          /* the ready callback has run */
	int fatal;
} pool;

void pool_options_init(pool_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->python = "python3";
	opt->jobs = 1;
	opt->devices = DEV_ALL;
	opt->batch = 4;
	opt->timeout = 60;
	opt->startup_timeout = 120;
	opt->max_startup_failures = 3;
}

/* Records the first fatal error only: with N workers, N may report it. */
static void pool_fatal(pool *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pool_fatal(pool *p, const char *fmt, ...)
{
	if (p->fatal)
		return;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(p->err, fmt, ap);
	va_end(ap);
	p->fatal = 1;
}

/* ---- task queues ---- */

static void taskq_push(taskq *q, task t)
{
	if (q->head + q->len == q->cap) {
		if (q->head > 0) {
			memmove(q->v, q->v + q->head, q->len * sizeof *q->v);
			q->head = 0;
		} else {
			q->cap = q->cap ? q->cap * 2 : 8;
			q->v = xrealloc(q->v, q->cap * sizeof *q->v);
		}
	}
	q->v[q->head + q->len++] = t;
}

static task taskq_pop(taskq *q)
{
	task t = q->v[q->head++];
	if (--q->len == 0)
		q->head = 0;
	return t;
}

static void taskq_free(taskq *q)
{
	while (q->len) {
		task t = taskq_pop(q);
		buf_free(&t.frame);
	}
	free(q->v);
	*q = (taskq){0};
}

/* ---- processes ---- */

static void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

/* A "Vm...: N kB" line of /proc/PID/status, in KiB (0 if unreadable). */
static long read_vm(pid_t pid, const char *key)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	long kib = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, strlen(key)) == 0 && sscanf(line + strlen(key), ": %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static int worker_spawn(pool *p, worker *w)
{
	int to[2], from[2], errp[2];
	if (pipe2(to, O_CLOEXEC) || pipe2(from, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
		pool_fatal(p, "cannot create pipes for a worker: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, to[0], 0);
	posix_spawn_file_actions_adddup2(&fa, from[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	char *plain[] = {(char *)p->opt->python, "-u", (char *)p->opt->worker_script, NULL};
	char **argv = plain;
	sbx_cmd sc;
	int sfd = -1;
	if (p->opt->sandbox) {
		buf why = BUF_INIT;
		sfd = sbx_seccomp_fd(&why);
		if (sfd < 0) {
			pool_fatal(p, "%s", buf_cstr(&why));
			buf_free(&why);
			posix_spawn_file_actions_destroy(&fa);
			close(to[0]), close(to[1]), close(from[0]), close(from[1]), close(errp[0]), close(errp[1]);
			return -1;
		}
		sbx_cmd_init(&sc, p->opt->python, p->opt->worker_script, NULL);
		argv = sc.argv;
		posix_spawn_file_actions_adddup2(&fa, sfd, SBX_SECCOMP_FD);
	}
	int rc = posix_spawnp(&w->pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (sfd >= 0)
		close(sfd);
	close(to[0]);
	close(from[1]);
	close(errp[1]);
	if (rc != 0) {
		close(to[1]);
		close(from[0]);
		close(errp[0]);
		pool_fatal(p, "cannot run %s '%s': %s (run `make setup`, or pass --python PATH)",
			   argv == plain ? "Python" : "the sandbox's", argv[0], strerror(rc));
		return -1;
	}
	w->to_fd = to[1];
	w->from_fd = from[0];
	w->err_fd = errp[0];
	set_nonblock(w->to_fd);
	set_nonblock(w->from_fd);
	set_nonblock(w->err_fd);
	w->state = W_STARTING;
	w->deadline = now_seconds() + p->opt->startup_timeout;
	buf_reset(&w->in);
	buf_reset(&w->out);
	buf_reset(&w->errtail);
	w->out_off = 0;
	return 0;
}

/* Kills and reaps the worker; returns a description of how it ended. */
static void worker_reap(worker *w, char *how, size_t howlen)
{
	long rss = read_vm(w->pid, "VmHWM");
	if (rss > w->peak_rss_kib)
		w->peak_rss_kib = rss;
	kill(w->pid, SIGKILL);
	int status = 0;
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
		snprintf(how, howlen, "killed by signal %d", WTERMSIG(status));
	else if (WIFEXITED(status))
		snprintf(how, howlen, "exited with status %d", WEXITSTATUS(status));
	else
		snprintf(how, howlen, "was killed");
	close(w->to_fd);
	close(w->from_fd);
	close(w->err_fd);
	w->state = W_DEAD;
}

/* The last non-empty line of what the worker wrote on stderr. */
static const char *last_line(buf *b, char *line, size_t n)
{
	const char *s = buf_cstr(b);
	size_t end = b->len;
	while (end > 0 && (s[end - 1] == '\n' || s[end - 1] == ' '))
		end--;
	size_t start = end;
	while (start > 0 && s[start - 1] != '\n')
		start--;
	snprintf(line, n, "%.*s", (int)(end - start), s + start);
	return line;
}

/* A worker died, hung or misbehaved: requeue or give up its kernels, and
 * schedule its restart. */
static void worker_fail(pool *p, worker *w, const char *why)
{
	char how[64], line[512];
	int was_starting = w->state == W_STARTING;
	worker_reap(w, how, sizeof how);
	last_line(&w->errtail, line, sizeof line);

	if (was_starting) {
		if (++p->startup_failures >= p->opt->max_startup_failures) {
			pool_fatal(p,
				   "Warp workers keep failing at start-up (%s, %s)%s%s; check that '%s' can `import warp` (run `make setup`)",
				   why, how, *line ? ": " : "", line, p->opt->python);
		}
	} else if (!p->fatal) { /* a run that is ending restarts nothing */
		p->stats->restarts++;
	}

	char reason[768];
	snprintf(reason, sizeof reason, "worker %s (%s)%s%s", why, how, *line ? ": " : "", line);
	for (int first = 1; w->inflight.len; first = 0) {
		task t = taskq_pop(&w->inflight);
		if (first && ++t.attempts >= 2) {
			p->cb->task_failed(p->ctx, t.index, reason);
			buf_free(&t.frame);
		} else {
			taskq_push(&p->retry, t);
		}
	}
	double backoff = 0.05 * (double)(1 << (p->startup_failures < 6 ? p->startup_failures : 6));
	w->restart_at = now_seconds() + backoff;
}

/* ---- I/O ---- */

static void worker_send(worker *w, task t)
{
	buf_append(&w->out, t.frame.data, t.frame.len);
	taskq_push(&w->inflight, t);
}

static int worker_flush(worker *w)
{
	while (w->out_off < w->out.len) {
		ssize_t n = write(w->to_fd, w->out.data + w->out_off, w->out.len - w->out_off);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		w->out_off += (size_t)n;
	}
	buf_reset(&w->out);
	w->out_off = 0;
	return 0;
}

static void drain_stderr(worker *w)
{
	char chunk[4096];
	ssize_t n;
	while ((n = read(w->err_fd, chunk, sizeof chunk)) > 0) {
		buf_append(&w->errtail, chunk, (size_t)n);
		if (w->errtail.len > 8192) { /* keep the tail only */
			size_t keep = 4096;
			memmove(w->errtail.data, w->errtail.data + w->errtail.len - keep, keep);
			w->errtail.len = keep;
			w->errtail.data[keep] = '\0';
		}
	}
}

/* The first READY frame of the run: the caller's ready callback, with the
 * worker's Warp version and header directory. */
static int first_ready(pool *p, const proto_reply *r)
{
	p->readied = 1;
	if (!p->cb->ready)
		return 0;
	char native[4096];
	snprintf(native, sizeof native, "%.*s", (int)r->text_len[1], r->text[1]);
	buf why = BUF_INIT;
	int rc = p->cb->ready(p->ctx, p->stats->warp_version, native, &why);
	if (rc < 0)
		pool_fatal(p, "%s", buf_cstr(&why));
	buf_free(&why);
	return rc;
}

/* Decodes every complete frame; returns -1 with *why set if the worker must go. */
static int handle_frames(pool *p, worker *w, const char **why)
{
	size_t off = 0;
	int rc = 0;
	while (rc == 0) {
		proto_reply r;
		size_t used = 0;
		proto_status st = proto_parse_reply(w->in.data + off, w->in.len - off, p->opt->devices, &r, &used);
		if (st == PROTO_INCOMPLETE)
			break;
		if (st == PROTO_MALFORMED) {
			*why = "wrote a malformed frame";
			rc = -1;
			break;
		}
		off += used;
		if (r.kind == PROTO_READY && w->state == W_STARTING) {
			snprintf(p->stats->warp_version, sizeof p->stats->warp_version, "%.*s",
				 (int)r.text_len[0], r.text[0]);
			w->state = W_IDLE;
			p->startup_failures = 0;
			if (!p->readied && first_ready(p, &r) < 0) {
				*why = "could not start";
				rc = -1;
			}
		} else if (r.kind == PROTO_FATAL) {
			pool_fatal(p, "Warp cannot be used by '%s': %.*s (run `make setup`, or pass --python PATH)",
				   p->opt->python, (int)r.text_len[0], r.text[0]);
			*why = "could not start";
			rc = -1;
		} else if ((r.kind == PROTO_OUTPUT || r.kind == PROTO_ERROR) && w->state == W_BUSY &&
			   w->inflight.len && w->inflight.v[w->inflight.head].index == r.index) {
			task t = taskq_pop(&w->inflight);
			buf_free(&t.frame);
			p->cb->task_done(p->ctx, &r);
			w->deadline = now_seconds() + p->opt->timeout;
			if (!w->inflight.len)
				w->state = W_IDLE;
		} else {
			*why = "answered out of protocol";
			rc = -1;
		}
	}
	if (off) {
		memmove(w->in.data, w->in.data + off, w->in.len - off);
		w->in.len -= off;
		w->in.data[w->in.len] = '\0';
	}
	return rc;
}

static void worker_read(pool *p, worker *w)
{
	const char *why = NULL;
	for (;;) {
		buf_grow(&w->in, 1 << 16);
		ssize_t n = read(w->from_fd, w->in.data + w->in.len, w->in.cap - w->in.len - 1);
		if (n > 0) {
			w->in.len += (size_t)n;
			w->in.data[w->in.len] = '\0';
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		drain_stderr(w);
		if (handle_frames(p, w, &why) == 0)
			why = "exited";
		worker_fail(p, w, why);
		return;
	}
	if (handle_frames(p, w, &why) < 0) {
		drain_stderr(w);
		worker_fail(p, w, why);
	}
}

/* ---- scheduling ---- */

/* Gives an idle worker up to `batch` kernels: retries first, then new ones. */
static void assign(pool *p, worker *w)
{
	while ((int)w->inflight.len < p->opt->batch) {
		task t = {0};
		if (p->retry.len) {
			t = taskq_pop(&p->retry);
		} else if (!p->exhausted) {
			pool_next nx = p->cb->next_task(p->ctx, &t.index, &t.frame);
			if (nx != POOL_TASK) {
				buf_free(&t.frame);
				if (nx == POOL_DONE)
					p->exhausted = 1;
				break;
			}
		} else {
			break;
		}
		worker_send(w, t);
	}
	if (w->inflight.len) {
		w->state = W_BUSY;
		w->deadline = now_seconds() + p->opt->timeout;
	}
}

static int all_done(const pool *p)
{
	if (!p->exhausted || p->retry.len)
		return 0;
	for (int i = 0; i < p->opt->jobs; i++)
		if (p->w[i].inflight.len)
			return 0;
	return 1;
}

static void shutdown_workers(pool *p)
{
	for (int i = 0; i < p->opt->jobs; i++) {
		worker *w = &p->w[i];
		if (w->state != W_DEAD) {
			char how[64];
			worker_reap(w, how, sizeof how);
		}
		if (w->peak_rss_kib > p->stats->worker_peak_rss_kib)
			p->stats->worker_peak_rss_kib = w->peak_rss_kib;
		buf_free(&w->in);
		buf_free(&w->out);
		buf_free(&w->errtail);
		taskq_free(&w->inflight);
	}
	taskq_free(&p->retry);
	free(p->w);
}

static int poll_once(pool *p, struct pollfd *fds, worker **owner)
{
	int nfds = 0;
	double now = now_seconds(), wake = now + 0.1;
	for (int i = 0; i < p->opt->jobs; i++) {
		worker *w = &p->w[i];
		if (w->state == W_DEAD) {
			if (w->restart_at < wake)
				wake = w->restart_at;
			continue;
		}
		if (w->state != W_IDLE && w->deadline < wake)
			wake = w->deadline;
		fds[nfds] = (struct pollfd){.fd = w->from_fd, .events = POLLIN};
		owner[nfds++] = w;
		fds[nfds] = (struct pollfd){.fd = w->err_fd, .events = POLLIN};
		owner[nfds++] = w;
		if (w->out.len > w->out_off) {
			fds[nfds] = (struct pollfd){.fd = w->to_fd, .events = POLLOUT};
			owner[nfds++] = w;
		}
	}
	int watched = p->cb->watch_fd ? p->cb->watch_fd(p->ctx) : -1;
	if (watched >= 0) {
		fds[nfds] = (struct pollfd){.fd = watched, .events = POLLIN};
		owner[nfds++] = NULL;
	}
	int ms = wake > now ? (int)((wake - now) * 1000) + 1 : 0;
	int n = poll(fds, (nfds_t)nfds, ms);
	return n < 0 ? 0 : nfds;
}

int pool_run(const pool_options *opt, const pool_callbacks *cb, void *ctx, pool_stats *stats, buf *err)
{
	if (opt->sandbox && sbx_check(opt->python, err) < 0)
		return -1;
	pool p = {.opt = opt, .cb = cb, .ctx = ctx, .stats = stats, .err = err};
	p.w = xcalloc((size_t)opt->jobs, sizeof *p.w);
	struct pollfd *fds = xcalloc((size_t)opt->jobs * 3 + 1, sizeof *fds);
	worker **owner = xcalloc((size_t)opt->jobs * 3 + 1, sizeof *owner);
	double next_tick = 0, next_rss = 0;

	while (!p.fatal && !(opt->stop && *opt->stop) && !all_done(&p)) {
		double now = now_seconds();
		for (int i = 0; i < opt->jobs && !p.fatal; i++) {
			worker *w = &p.w[i];
			if (w->state == W_DEAD && now >= w->restart_at)
				worker_spawn(&p, w);
			else if ((w->state == W_STARTING || w->state == W_BUSY) && now > w->deadline) {
				char why[64];
				snprintf(why, sizeof why, "gave no answer for %g s",
					 w->state == W_STARTING ? opt->startup_timeout : opt->timeout);
				drain_stderr(w);
				worker_fail(&p, w, why);
			}
			if (w->state == W_IDLE)
				assign(&p, w);
		}
		if (p.fatal || all_done(&p)) /* the last hand-out may have finished the run */
			break;

		int nfds = poll_once(&p, fds, owner);
		for (int i = 0; i < nfds; i++) {
			worker *w = owner[i];
			if (!w) {
				if (fds[i].revents && cb->on_watch)
					cb->on_watch(ctx);
				continue;
			}
			if (w->state == W_DEAD || !fds[i].revents)
				continue;
			if (fds[i].fd == w->err_fd)
				drain_stderr(w);
			else if (fds[i].fd == w->from_fd)
				worker_read(&p, w);
			else if (worker_flush(w) < 0)
				worker_fail(&p, w, "closed its input");
		}
		if (now_seconds() >= next_rss) {
			long rss = 0;
			for (int i = 0; i < opt->jobs; i++) {
				long r = p.w[i].state == W_DEAD ? 0 : read_vm(p.w[i].pid, "VmRSS");
				rss = r > rss ? r : rss;
			}
			stats->worker_rss_kib = rss;
			next_rss = now_seconds() + 1;
		}
		if (cb->tick && now_seconds() >= next_tick) {
			cb->tick(ctx);
			next_tick = now_seconds() + 0.1;
		}
	}
	shutdown_workers(&p);
	free(fds);
	free(owner);
	return p.fatal ? -1 : 0;
}

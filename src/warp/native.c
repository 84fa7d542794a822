/* native: finds warp/native through the interpreter (see native.h). */
#include "warp/native.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int warp_native_dir(const char *python, const char *worker_script, buf *out, buf *err)
{
	int fd[2];
	if (pipe2(fd, O_CLOEXEC) != 0) {
		buf_printf(err, "pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	char *argv[] = {(char *)python, (char *)worker_script, "--native-dir", NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, python, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	if (rc != 0) {
		close(fd[0]);
		buf_printf(err, "cannot run Python '%s': %s (run `make setup`, or pass --python PATH)", python,
			   strerror(rc));
		return -1;
	}
	buf text = BUF_INIT;
	char chunk[1024];
	ssize_t n;
	while ((n = read(fd[0], chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			buf_append(&text, chunk, (size_t)n);
	close(fd[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	while (text.len && (text.data[text.len - 1] == '\n' || text.data[text.len - 1] == '\r'))
		text.data[--text.len] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !text.len) {
		buf_printf(err, "Warp cannot be used by '%s': %s (run `make setup`, or pass --python PATH)", python,
			   text.len ? text.data : "it cannot import warp");
		buf_free(&text);
		return -1;
	}
	buf_append(out, text.data, text.len);
	buf_free(&text);
	return 0;
}

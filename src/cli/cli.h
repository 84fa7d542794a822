/* cli: the command-line layer. Only this layer prints messages and picks
 * exit codes: 0 ok, 1 failure, 2 usage. Each command is cmd_<name>(). */
#ifndef JS_CLI_H
#define JS_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>

#include "gen/gen.h"

enum { EXIT_USAGE = 2 };

int cmd_generate(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_eval(int argc, char **argv);

/* Warnings about malformed input skipped by stats/export/merge: the first
 * few are printed, the rest counted (src/cli/stats.c). */
typedef struct cli_warnings {
	const char *cmd;
	unsigned long long n;
} cli_warnings;
void cli_warn_skipped(const char *msg, void *ctx);
void cli_warn_summary(const cli_warnings *w);

/* The printers of text that may hold anything from a dataset (file and
 * kernel names, categories, reasons, diagnostics, messages quoting them): a
 * dataset is untrusted, so control characters never reach the terminal raw
 * (untrusted_text in common/untrusted.h: C0 and C1 controls, ESC, DEL, bytes
 * that are not UTF-8 are shown as \xNN). Every CLI printer of such text
 * goes through one of these (src/cli/args.c).
 * cli_line: one line, the formatted text with even '\n' shown as \x0a (so
 * a name cannot forge a line of its own), then '\n'.
 * cli_text: a multi-line text made elsewhere (the stats table): '\n' kept. */
void cli_line(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_text(FILE *f, const char *s, size_t n);

/* Prints a command's help on stdout: head, the category list from the
 * generator's profile table (each line after indent), tail. */
void print_help(const char *head, const char *indent, const char *tail);

/* cli_catch_stop: SIGINT and SIGTERM from now on only set cli_stop, which
 * the stages poll (their options' `stop`): a run ends in its clean,
 * resumable path. One flag for the process: it runs one command. */
extern volatile sig_atomic_t cli_stop;
void cli_catch_stop(void);

/* Prints "jitsynth CMD: MESSAGE" and "try 'jitsynth CMD --help'" to stderr,
 * returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Strict number parsing for flags: the whole string, in [min, max]. */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int parse_seconds(const char *s, double *out);
/* "arithmetic,loop" -> category bit mask ('all': every profile; 'seed':
 * the seed dataset's 11, and *seed_named = 1); -1 with the bad name in *bad. */
int parse_categories(const char *s, uint32_t *mask, int *seed_named, char *bad, size_t badlen);
/* What generate and sample draw where the command line says nothing (README,
 * "Styles"): without --categories every profile; without --style the
 * realistic style, or the synthetic one when --categories named 'seed' (the
 * seed dataset's kernels, byte for byte as jitsynth wrote them before the
 * realistic default). gen_options' zero value stays the grammar's own: the
 * 11 seed categories, synthetic. */
void gen_cli_defaults(gen_options *g, int categories_given, int seed_named, int style_given);
/* Reads and parses a --weights file (gen_config_parse) into w: 0, or -1
 * with "PATH: what" in err. */
int read_weights(const char *path, gen_weights w, char *err, size_t errlen);

/* Where jitsynth's files are: the worker script and the venv Python. */
const char *default_worker_script(void);
const char *default_python(void);

#endif

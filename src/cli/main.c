/* main: `jitsynth COMMAND ...` dispatches to the commands in src/cli/. */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "exec/exec.h"
#include "store/record.h"
#include "validate/chk.h"

static const char usage[] =
	"usage: jitsynth COMMAND [options]\n"
	"\n"
	"Manufactures Python -> C++/CUDA training pairs from random NVIDIA Warp\n"
	"kernels compiled by Warp's own code generator.\n"
	"\n"
	"commands:\n"
	"  generate   generate a dataset (jitsynth generate -n 1000 -o data)\n"
	"  sample     print generated kernels without running Warp\n"
	"  stats      figures of a dataset, as a table or an HTML report\n"
	"  export     write a dataset in the seed layout (cpu/pair_000000.json, ...)\n"
	"  merge      combine datasets, dropping duplicates across them\n"
	"  ingest     turn real Warp code into records, in a sandbox\n"
	"  validate   re-check a dataset's pairs with the compilers (NVRTC, g++)\n"
	"  verify     check a dataset's files against its manifest's checksums and counts\n"
	"  eval       run candidate code (e.g. a model's cpu_forward) against the records\n"
	"\n"
	"`jitsynth COMMAND --help` (or `jitsynth help COMMAND`) describes each command.\n";

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{"generate", cmd_generate}, {"sample", cmd_sample},	{"stats", cmd_stats},	    {"export", cmd_export},
	{"merge", cmd_merge},	    {"validate", cmd_validate}, {"verify", cmd_verify}, {"ingest", cmd_ingest},
	{"eval", cmd_eval},
};

static int (*find_command(const char *name))(int, char **)
{
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (!strcmp(commands[i].name, name))
			return commands[i].run;
	return NULL;
}

int main(int argc, char **argv)
{
	/* Records are large (modules of up to megabytes) and heavy-tailed. A fixed
	 * mmap threshold keeps glibc from raising it after each big free, which
	 * would move big buffers into the heap, where freed ones are never given
	 * back: peak RSS would then creep with -n. */
	mallopt(M_MMAP_THRESHOLD, 256 << 10);
	/* A worker or compiler that dies must turn our writes to its pipe into
	 * EPIPE errors, which the pool handles, not kill jitsynth. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		return fputs(usage, stderr), EXIT_USAGE;
	const char *cmd = argv[1];
	/* Hidden: the validation engine runs NVRTC in copies of this program
	 * (src/validate/nvserver.h); not a command for people, so not in usage. */
	if (!strcmp(cmd, CHK_NVRTC_SERVER_COMMAND))
		return chk_nvrtc_server(argc - 1, argv + 1);
	/* Hidden too: the run tier's kernels run in copies of this program
	 * (src/exec/exec.h). */
	if (!strcmp(cmd, EXEC_RUNNER_COMMAND))
		return exec_runner(argc - 1, argv + 1);
	int (*run)(int, char **) = find_command(cmd);
	if (run)
		return run(argc - 1, argv + 1);
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		if (argc < 3)
			return fputs(usage, stdout), 0;
		/* `jitsynth help generate`: that command's help */
		if (!(run = find_command(argv[2]))) {
			fprintf(stderr, "jitsynth: no command '%s' to describe\n", argv[2]);
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
		char *help_argv[] = {argv[2], "--help", NULL};
		return run(2, help_argv);
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version"))
		return printf("jitsynth %s\n", JITSYNTH_VERSION), 0;
	fprintf(stderr, "jitsynth: unknown command '%s'\n", cmd);
	fputs(usage, stderr);
	return EXIT_USAGE;
}

/* c2chain version: the build's version and the libraries it was built with. */
#include <stdio.h>

#include "cli.h"

static int
run(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "c2chain version: takes no arguments\n");
		return EX_USAGE;
	}
	printf("c2chain %s\n", c2c_version());
	return 0;
}

const struct cli_cmd cli_cmd_version = {
	"version",
	run,
	"print the version",
	"usage: c2chain version\n\nPrint the version of c2chain (same as 'c2chain --version').\n",
};

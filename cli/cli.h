/*
 * The command-line front end: a git-style table of subcommands, each in cli/cmd_<verb>.c
 * defining `const struct cli_cmd cli_cmd_<verb>`. CMake generates the table from the file names.
 * The CLI sees only include/c2chain/ and owns stdio, exit codes and option parsing.
 */
#ifndef C2C_CLI_H
#define C2C_CLI_H

#include <sysexits.h>

#include "c2chain/c2chain.h"

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
	const char *summary;
	const char *usage; /* full --help text */
};

/* Map a library error to a sysexits(3) code (one place: 64 usage, 65 bad data, 66 no input,
 * 70 software, 71 OS, 73 can't create, 74 I/O). */
int cli_exit_code(c2c_err err);
/* Print "c2chain: <diag>" (or the error text) on stderr and return cli_exit_code(err). */
int cli_fail(c2c_err err, const struct c2c_diag *diag);
/* Print "c2chain <cmd>: <msg>" and the usage hint on stderr; returns EX_USAGE. */
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* True (and prints the usage on stdout) when argv has -h/--help before "--". */
int cli_wants_help(const struct cli_cmd *cmd, int argc, char **argv);
/* Report an error message (no diag) and return `code`. */
int cli_err(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

/*
 * c2chain: entry point and subcommand dispatch (git.c style). The table is generated at build
 * time from cli/cmd_*.c (cli_commands.h), so adding a subcommand is adding one file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_commands.h"

#define C2C_X_(v) extern const struct cli_cmd cli_cmd_##v;
CLI_COMMANDS(C2C_X_)
#undef C2C_X_

static const struct cli_cmd *const commands[] = {
#define C2C_X_(v) &cli_cmd_##v,
	CLI_COMMANDS(C2C_X_)
#undef C2C_X_
};

int
cli_exit_code(c2c_err err)
{
	switch (err) {
	case C2C_OK:
		return 0;
	case C2C_EINVAL:
		return EX_USAGE;
	case C2C_EFORMAT:
	case C2C_EUNSUPPORTED:
	case C2C_ELIMIT:
		return EX_DATAERR;
	case C2C_ENOTFOUND:
		return EX_NOINPUT;
	case C2C_EIO:
		return EX_IOERR;
	case C2C_EEXISTS:
		return EX_CANTCREAT;
	case C2C_ENOMEM:
		return EX_OSERR;
	case C2C_EVERIFY:
		return 1;
	case C2C_EEND:
	case C2C_ECRYPTO:
		break;
	}
	return EX_SOFTWARE;
}

int
cli_fail(c2c_err err, const struct c2c_diag *diag)
{
	char msg[512];
	(void)c2c_diag_format(diag, err, msg, sizeof(msg));
	fprintf(stderr, "c2chain: %s\n", msg);
	return cli_exit_code(err);
}

int
cli_err(int code, const char *fmt, ...)
{
	va_list ap;
	fputs("c2chain: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int
cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "c2chain %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'c2chain %s --help'.\n", cmd->name);
	return EX_USAGE;
}

int
cli_wants_help(const struct cli_cmd *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(cmd->usage, stdout);
			return 1;
		}
	}
	return 0;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: c2chain <command> [options] [args]\n\n"
		    "Find hosts controlled by command-and-control servers in network telemetry,\n"
		    "locate and group the controllers, assess who may run them, and prove every\n"
		    "claim from the raw records.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(fp, "\n'c2chain <command> --help' describes a command; 'c2chain --version' the "
		    "build.\nExit codes: 0 ok, 1 verification failed, 64 usage, 65 bad data, 66 no "
		    "input,\n70 internal error, 71 OS error, 73 cannot create output, 74 I/O error.\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2) {
			for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
				if (strcmp(argv[2], commands[i]->name) == 0) {
					fputs(commands[i]->usage, stdout);
					return 0;
				}
		}
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("c2chain %s\n", c2c_version());
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i]->name) == 0) {
			if (cli_wants_help(commands[i], argc - 1, argv + 1))
				return 0;
			return commands[i]->run(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "c2chain: '%s' is not a command. See 'c2chain --help'.\n", argv[1]);
	return EX_USAGE;
}

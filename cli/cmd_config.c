/* c2chain config: print the default c2chain.conf, or check a configuration file. */
#include <stdio.h>
#include <string.h>

#include "c2chain/config.h"
#include "cli.h"

static const struct cli_cmd *self(void);

static int
print_cfg(const struct c2c_config *cfg)
{
	struct c2c_buf b;
	c2c_err rc;
	c2c_buf_init(&b, 1u << 20);
	rc = c2c_config_write(cfg, &b);
	if (rc == C2C_OK && fwrite(b.data, 1, b.len, stdout) != b.len)
		rc = C2C_EIO;
	c2c_buf_fini(&b);
	if (rc != C2C_OK)
		return cli_fail(rc, NULL);
	return fflush(stdout) == 0 ? 0 : EX_IOERR;
}

static int
run(int argc, char **argv)
{
	struct c2c_config *cfg = NULL;
	struct c2c_diag diag;
	c2c_err rc;
	int ret;

	memset(&diag, 0, sizeof(diag));
	if (cli_wants_help(self(), argc, argv))
		return 0;
	if (argc == 2 && strcmp(argv[1], "--defaults") == 0) {
		rc = c2c_config_new_default(&cfg);
		if (rc != C2C_OK)
			return cli_fail(rc, NULL);
		ret = print_cfg(cfg);
		c2c_config_free(cfg);
		return ret;
	}
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "--check") == 0) {
		bool show = argc == 4 && strcmp(argv[3], "--print") == 0;
		if (argc == 4 && !show)
			return cli_usage_error(self(), "unexpected argument '%s'", argv[3]);
		rc = c2c_config_load(argv[2], &cfg, &diag);
		if (rc != C2C_OK)
			return cli_fail(rc, &diag);
		ret = show ? print_cfg(cfg) : 0;
		if (!show)
			printf("%s: ok\n", argv[2]);
		c2c_config_free(cfg);
		return ret;
	}
	return cli_usage_error(self(), "expected --defaults or --check FILE");
}

const struct cli_cmd cli_cmd_config = {
	"config",
	run,
	"print the default c2chain.conf or check one",
	"usage: c2chain config --defaults\n"
	"       c2chain config --check FILE [--print]\n"
	"\n"
	"c2chain.conf holds every threshold, weight and the internal subnets used by the\n"
	"behavioural analysis (beacons, long connections, strobes, DNS tunnels); see\n"
	"docs/detection.md.\n"
	"\n"
	"  --defaults       print the complete default file, every key with its comment\n"
	"  --check FILE     parse FILE over the defaults; print 'FILE: ok' or an error\n"
	"                   naming the file and line (exit 65)\n"
	"  --print          with --check: print the resulting full configuration instead\n"
	"\n"
	"Exit codes: 0 ok, 64 usage, 65 invalid file, 66/74 file cannot be read.\n",
};

static const struct cli_cmd *
self(void)
{
	return &cli_cmd_config;
}

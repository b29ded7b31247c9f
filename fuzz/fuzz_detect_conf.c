/* Fuzz the c2chain.conf parser and the Public Suffix List parser with the same bytes: both
 * read files a user hands us. Errors are fine; crashes, leaks and bad lookups are not. */
#include <stdint.h>
#include <string.h>

#include "c2chain/config.h"
#include "c2chain/detect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct c2c_config *cfg = NULL;
	struct c2c_psl *psl = NULL;
	struct c2c_diag d;
	if (c2c_config_parse((const char *)data, size, "fuzz", &cfg, &d) == C2C_OK) {
		struct c2c_buf b;
		c2c_buf_init(&b, 1u << 22);
		(void)c2c_config_write(cfg, &b);
		c2c_buf_fini(&b);
		c2c_config_free(cfg);
	}
	if (c2c_psl_parse((const char *)data, size, "fuzz", true, &psl, &d) == C2C_OK) {
		static const char *const names[] = { "a.b.example.com", "x.y.co.uk", "com", "",
			"a..b", "www.ck", "a.b.c.d.e.f.g.h" };
		size_t off;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			(void)c2c_psl_registered(psl, names[i], &off);
		c2c_psl_free(psl);
	}
	return 0;
}

/* The STIX 2.1 pattern parser and its DNF conversion on arbitrary text. */
#include <stddef.h>
#include <stdint.h>

#include "intel/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static c2c_err
on_ioc(void *ctx, const struct c2c__ioc *ioc)
{
	(*(size_t *)ctx) += ioc->str_len + ioc->port;
	return C2C_OK;
}

static c2c_err
on_unsup(void *ctx, const char *what, const char *reason)
{
	(void)what;
	(void)reason;
	(*(size_t *)ctx)++;
	return C2C_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t acc = 0;
	char err[160];
	struct c2c__stix_emit e = { &acc, on_ioc, on_unsup };
	(void)c2c__stix_pattern((const char *)data, size, &e, err, sizeof(err));
	return 0;
}

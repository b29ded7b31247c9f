/* libFuzzer target: one NetFlow v5 datagram (any bytes) through the export decoder. */
#include <stdint.h>
#include <string.h>

#include "ingest/export.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct c2c_exp *x = c2c__exp_new();
	struct c2c_ingest_stats st;
	struct c2c_input_info info;
	struct c2c_exp_out out;
	if (x == NULL)
		return 0;
	memset(&st, 0, sizeof(st));
	memset(&info, 0, sizeof(info));
	memset(&out, 0, sizeof(out));
	out.st = &st;
	out.info = &info;
	(void)c2c__exp_message(x, NULL, data, size, 0, &out);
	(void)c2c__exp_plausible(data, size);
	c2c__exp_free(x);
	return 0;
}

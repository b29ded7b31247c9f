/* libFuzzer target: a Zeek log in TSV through the Zeek reader (zeek_target.h). */
#include "zeek_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_zeek_log(data, size, C2C_FMT_ZEEK_TSV);
}

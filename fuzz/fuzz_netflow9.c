/* libFuzzer target: NetFlow v9 export streams through the export decoder (export_target.h). */
#include "export_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_export_stream(data, size);
}

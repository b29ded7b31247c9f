/* libFuzzer target: pcapng files through the capture reader and decoder (capture_target.h). */
#include "capture_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_capture_file(data, size);
}

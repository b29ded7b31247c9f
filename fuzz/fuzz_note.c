/*
 * Fuzz signed-note opening and checkpoint parsing with hostile notes: the first line of the
 * input is taken as a verifier key when it parses as one (else a fixed key is used), the rest
 * as the note. A note that opens must have a text that is a prefix of the input ending in '\n'.
 */
#include <string.h>

#include "c2chain/evidence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char vk[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
	struct c2c_verifier v;
	struct c2c_checkpoint cp;
	const uint8_t *nl = memchr(data, '\n', size);
	const uint8_t *note = data;
	size_t len = size, tl = 0;

	if (nl != NULL && c2c_verifier_parse((const char *)data, (size_t)(nl - data), &v) == C2C_OK) {
		note = nl + 1;
		len = size - (size_t)(nl + 1 - data);
	} else if (c2c_verifier_parse(vk, strlen(vk), &v) != C2C_OK) {
		__builtin_trap();
	}
	if (c2c_note_open(note, len, &v, &tl, NULL) == C2C_OK) {
		if (tl == 0 || tl > len || note[tl - 1] != '\n')
			__builtin_trap();
		(void)c2c_checkpoint_parse((const char *)note, tl, &cp);
	}
	(void)c2c_checkpoint_parse((const char *)data, size, &cp);
	return 0;
}

/*
 * Fuzz the canonical JSON writer: any text jansson accepts and the profile can canonicalise
 * must give output that parses back and canonicalises to the same bytes.
 */
#include <string.h>

#include "c2chain/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *v = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    NULL);
	struct c2c_buf a, b;
	if (v == NULL)
		return 0;
	c2c_buf_init(&a, 1 << 24);
	c2c_buf_init(&b, 1 << 24);
	if (c2c_json_canon(v, &a) == C2C_OK) {
		json_t *w = json_loadb((const char *)a.data, a.len,
		    JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
		if (w == NULL)
			__builtin_trap(); /* canonical output must parse back */
		if (c2c_json_canon(w, &b) != C2C_OK || a.len != b.len ||
		    memcmp(a.data, b.data, a.len) != 0)
			__builtin_trap(); /* and re-canonicalise identically */
		json_decref(w);
	}
	c2c_buf_fini(&a);
	c2c_buf_fini(&b);
	json_decref(v);
	return 0;
}

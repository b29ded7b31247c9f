/* STIX bundles: JSON parsing, object indexing, relationships, patterns, windows. */
#include <stddef.h>
#include <stdint.h>

#include "c2chain/intel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct c2c_intel *in;
	struct c2c_intel_hit h[8];
	if (c2c_intel_new(&in) != C2C_OK)
		return 0;
	struct c2c_feed_opts o = { C2C_FEED_STIX, false, NULL };
	(void)c2c_intel_load_mem(in, "bundle.json", data, size, &o, NULL);
	if (c2c_intel_freeze(in) == C2C_OK) {
		for (uint32_t i = 0; i < c2c_intel_indicator_count(in) && i < 32; i++) {
			struct c2c_indicator ind;
			c2c_intel_indicator(in, i, &ind);
			if (ind.value == NULL)
				(void)c2c_intel_match_ip(in, &ind.ip, 0, ind.valid_from, h, 8);
			else
				(void)c2c_intel_match_domain(in, ind.value, ind.valid_until, h, 8);
		}
	}
	c2c_intel_free(in);
	return 0;
}

/* JSON feeds other than STIX: MISP events, warninglists, ThreatFox JSON (first byte picks the
 * kind, or detection). */
#include <stddef.h>
#include <stdint.h>

#include "c2chain/intel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum c2c_feed_kind kinds[] = { C2C_FEED_AUTO, C2C_FEED_MISP_EVENT,
		C2C_FEED_WARNINGLIST, C2C_FEED_THREATFOX_JSON };
	struct c2c_intel *in;
	struct c2c_intel_hit h[8];
	if (size < 1 || c2c_intel_new(&in) != C2C_OK)
		return 0;
	struct c2c_feed_opts o = { kinds[data[0] % 4], false, NULL };
	(void)c2c_intel_load_mem(in, "event.json", data + 1, size - 1, &o, NULL);
	(void)c2c_feed_detect(data + 1, size - 1);
	if (c2c_intel_freeze(in) == C2C_OK) {
		for (uint32_t i = 0; i < c2c_intel_indicator_count(in) && i < 32; i++) {
			struct c2c_indicator ind;
			c2c_intel_indicator(in, i, &ind);
			if (ind.type == C2C_IOC_URL)
				(void)c2c_intel_match_url(in, "h.example", ind.value, C2C_TIME_NONE, h, 8);
			else if (ind.value != NULL)
				(void)c2c_intel_match_domain(in, ind.value, C2C_TIME_NONE, h, 8);
		}
	}
	c2c_intel_free(in);
	return 0;
}

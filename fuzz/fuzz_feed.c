/* Text feed loaders (plain, maltrail, FireHOL, Feodo/ThreatFox CSV, iprep, dataset): the first
 * byte picks the kind (or detection), the rest is the file. Loading, freezing and a few lookups
 * must never crash or leak. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "c2chain/intel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum c2c_feed_kind kinds[] = { C2C_FEED_AUTO, C2C_FEED_PLAIN,
		C2C_FEED_MALTRAIL, C2C_FEED_FIREHOL, C2C_FEED_FEODO_CSV, C2C_FEED_THREATFOX_CSV,
		C2C_FEED_SURICATA_IPREP, C2C_FEED_SURICATA_DATASET };
	struct c2c_intel *in;
	struct c2c_intel_hit h[16];
	if (size < 1 || c2c_intel_new(&in) != C2C_OK)
		return 0;
	struct c2c_feed_opts o = { kinds[data[0] % 8], (data[0] & 0x80) != 0, NULL };
	(void)c2c_intel_load_mem(in, "trails/apt_fuzz.txt", data + 1, size - 1, &o, NULL);
	if (c2c_intel_freeze(in) == C2C_OK) {
		struct c2c_ip ip;
		c2c_ip_from_v4(&ip, 0x0A000001);
		(void)c2c_intel_match_ip(in, &ip, 443, C2C_TIME_NONE, h, 16);
		(void)c2c_intel_match_domain(in, "a.b.evil.example", C2C_TIME_NONE, h, 16);
		(void)c2c_intel_match_url(in, "evil.example", "/gate.php", C2C_TIME_NONE, h, 16);
		for (uint32_t i = 0; i < c2c_intel_indicator_count(in) && i < 64; i++) {
			struct c2c_indicator ind;
			c2c_intel_indicator(in, i, &ind);
			if (ind.type == C2C_IOC_DOMAIN || ind.type == C2C_IOC_DOMAIN_SUFFIX)
				(void)c2c_intel_match_domain(in, ind.value, C2C_TIME_NONE, h, 16);
			else if (ind.value == NULL)
				(void)c2c_intel_match_ip(in, &ind.ip, ind.port, C2C_TIME_NONE, h, 16);
		}
	}
	c2c_intel_free(in);
	return 0;
}

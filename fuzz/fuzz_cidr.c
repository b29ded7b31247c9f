/* CIDR store against a naive scan: the input is a list of (address, prefix) records, then probe
 * addresses. Every covering prefix the naive scan finds must come back, longest first. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c2chain/intel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[64 * 24];
	size_t tl = 0, n = 0;
	uint32_t net[64];
	unsigned len[64];
	if (size < 1)
		return 0;
	size_t nrec = data[0] % 64;
	data++;
	size--;
	for (; n < nrec && size >= 5; n++, data += 5, size -= 5) {
		len[n] = data[4] % 33;
		uint32_t mask = len[n] ? ~0u << (32 - len[n]) : 0;
		net[n] = be32(data) & mask;
		tl += (size_t)snprintf(text + tl, sizeof(text) - tl, "%u.%u.%u.%u/%u\n", net[n] >> 24,
		    (net[n] >> 16) & 255, (net[n] >> 8) & 255, net[n] & 255, len[n]);
	}
	struct c2c_intel *in;
	if (c2c_intel_new(&in) != C2C_OK)
		return 0;
	struct c2c_feed_opts o = { C2C_FEED_PLAIN, false, NULL };
	if (c2c_intel_load_mem(in, "cidr.txt", text, tl, &o, NULL) != C2C_OK ||
	    c2c_intel_freeze(in) != C2C_OK) {
		c2c_intel_free(in);
		return 0;
	}
	for (; size >= 4; data += 4, size -= 4) {
		uint32_t a = be32(data);
		struct c2c_ip ip;
		struct c2c_intel_hit h[80];
		c2c_ip_from_v4(&ip, a);
		size_t got = c2c_intel_match_ip(in, &ip, 0, C2C_TIME_NONE, h, 80);
		size_t want = 0;
		for (size_t i = 0; i < n; i++) {
			uint32_t mask = len[i] ? ~0u << (32 - len[i]) : 0;
			want += (a & mask) == net[i];
		}
		if (got != want || c2c_intel_any_v4(in, a) != (want > 0))
			abort();
		unsigned prev = 33;
		for (size_t i = 0; i < got; i++) {
			struct c2c_indicator ind;
			c2c_intel_indicator(in, h[i].id, &ind);
			if (ind.prefix > prev)
				abort(); /* longest prefix first */
			prev = ind.prefix;
		}
	}
	c2c_intel_free(in);
	return 0;
}

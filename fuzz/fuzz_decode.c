/*
 * Fuzz target: the L2-L4 decoder on one frame. The first two bytes choose the link type
 * (big-endian LINKTYPE_* value), the rest is the frame; the first byte of the frame also sets
 * how many bytes the wire carried beyond the capture (snaplen) when the link type's top bit is
 * set, so the snapped-length paths are reached too.
 */
#include <stdint.h>
#include <string.h>

#include "ingest/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct c2c_defrag *df;
	struct c2c_ingest_stats st;
	struct c2c_decoded dec;
	struct c2c_pkt pkt;
	uint16_t lt;

	if (size < 2 || size > 70000)
		return 0;
	df = c2c__defrag_new();
	lt = (uint16_t)(data[0] << 8 | data[1]);
	memset(&st, 0, sizeof(st));
	memset(&pkt, 0, sizeof(pkt));
	pkt.data = data + 2;
	pkt.caplen = (uint32_t)(size - 2);
	pkt.wirelen = pkt.caplen;
	if ((lt & 0x8000) && pkt.caplen > 0)
		pkt.wirelen += pkt.data[0];
	pkt.linktype = lt & 0x7fff;
	pkt.ts = (c2c_time)size * 1000;
	if (c2c__decode(&pkt, df, &dec, &st)) {
		for (unsigned i = 0; i < dec.n; i++) {
			const struct c2c_l4 *l = &dec.l[i];
			(void)c2c__l4_checksum_ok(l);
			/* Borrowed pointers stay inside the frame or the reassembly buffer. */
			if (l->payload != NULL && l->payload_caplen > 0)
				sink = l->payload[l->payload_caplen - 1];
			if (l->l4hdr != NULL && l->l4_caplen > 0)
				sink = l->l4hdr[l->l4_caplen - 1];
		}
	}
	c2c__defrag_free(df);
	return 0;
}

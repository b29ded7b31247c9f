/* Shared body of the pcap and pcapng fuzz targets: the capture reader over a whole input taken
 * as a (possibly gzip'd) capture file, with every packet decoded and fragments reassembled
 * across packets. The reader dispatches on the magic; the targets differ in their corpora. */
#ifndef C2C_FUZZ_CAPTURE_TARGET_H
#define C2C_FUZZ_CAPTURE_TARGET_H
#include <stdint.h>
#include <string.h>

#include "ingest/internal.h"

static volatile uint8_t sink;

static int
fuzz_capture_file(const uint8_t *data, size_t size)
{
	struct c2c_ingest_stats st;
	struct c2c_input_info info;
	struct c2c_capture *c = NULL;
	struct c2c_defrag *df;
	struct c2c_decoded dec;
	struct c2c_diag diag;
	struct c2c_pkt pkt;
	struct c2c_rd rd;

	memset(&st, 0, sizeof(st));
	memset(&info, 0, sizeof(info));
	info.first_ts = INT64_MAX;
	info.last_ts = INT64_MIN;
	if (c2c_rd_open_mem(&rd, data, size, 0) != C2C_OK)
		return 0;
	df = c2c__defrag_new();
	if (df != NULL && c2c__capture_open(&c, &rd, 0, &st, &info, &diag) == C2C_OK) {
		while (c2c__capture_next(c, &pkt, &diag) == C2C_OK) {
			if (pkt.caplen > 0)
				sink = pkt.data[pkt.caplen - 1]; /* the whole record is readable */
			if (c2c__decode(&pkt, df, &dec, &st)) {
				for (unsigned i = 0; i < dec.n; i++)
					(void)c2c__l4_checksum_ok(&dec.l[i]);
			}
		}
		c2c__capture_free(c);
	}
	c2c__defrag_free(df);
	c2c_rd_close(&rd);
	return 0;
}
#endif

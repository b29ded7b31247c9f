/*
 * Capture reader front end: looks at the first four bytes of the (already inflated) stream and
 * hands the file to the pcap or the pcapng reader. Both read through struct c2c_rd in place
 * (mmap or the gzip window), so a packet costs no allocation and no copy; the reader state is
 * one small struct plus, for pcapng, the interface table of the current section.
 */
#include <string.h>

#include "ingest/capfile.h"

c2c_err
c2c__capture_open(struct c2c_capture **out, struct c2c_rd *rd, uint32_t input,
    struct c2c_ingest_stats *st, struct c2c_input_info *info, struct c2c_diag *diag)
{
	struct c2c_capture *c;
	const uint8_t *p;
	size_t avail = 0;
	uint32_t m;
	c2c_err rc;

	rc = c2c_rd_peek(rd, 4, &p, &avail);
	if (rc == C2C_EEND)
		return c2c_diag_set(diag, C2C_EFORMAT, rd->path, c2c_rd_pos(rd),
		    "file too short for a capture header (%zu bytes)", avail);
	if (rc != C2C_OK)
		return c2c_diag_set(diag, rc, rd->path, c2c_rd_pos(rd), "%s",
		    rc == C2C_EFORMAT ? "corrupt gzip data" : c2c_strerror(rc));
	m = c2c_be32(p);
	c = c2c_calloc(1, sizeof(*c));
	if (c == NULL)
		return C2C_ENOMEM;
	c->rd = rd;
	c->input = input;
	c->st = st;
	c->info = info;
	c->path = rd->path;
	if (m == 0x0a0d0d0a) {
		c->ng = true;
		rc = c2c__pcapng_open(c, diag);
	} else {
		rc = c2c__pcap_open(c, diag);
	}
	if (rc != C2C_OK) {
		c2c__capture_free(c);
		return rc;
	}
	*out = c;
	return C2C_OK;
}

c2c_err
c2c__capture_next(struct c2c_capture *c, struct c2c_pkt *pkt, struct c2c_diag *diag)
{
	c2c_err rc;

	if (c->done)
		return C2C_EEND;
	rc = c->ng ? c2c__pcapng_next(c, pkt, diag) : c2c__pcap_next(c, pkt, diag);
	if (rc != C2C_OK)
		c->done = true;
	return rc;
}

void
c2c__capture_free(struct c2c_capture *c)
{
	if (c == NULL)
		return;
	c2c_free(c->ifs);
	c2c_free(c);
}

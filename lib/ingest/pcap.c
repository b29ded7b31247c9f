/*
 * Classic pcap reader (libpcap savefile format, draft-ietf-opsawg-pcap): a 24-byte global header
 * whose magic gives byte order and timestamp precision (microseconds 0xa1b2c3d4, nanoseconds
 * 0xa1b23c4d, and the modified 0xa1b2cd34 format with 24-byte record headers), then records of
 * a 16-byte header and caplen bytes. Records are handed out in place; a truncated trailing
 * record is counted and ends the file; an impossible caplen is counted and ends it too (the
 * format has no way to resynchronise).
 */
#include <string.h>

#include "ingest/capfile.h"

c2c_err
c2c__pcap_open(struct c2c_capture *c, struct c2c_diag *diag)
{
	const uint8_t *p;
	size_t avail = 0;
	uint32_t m, network;
	bool le;
	c2c_err rc;

	rc = c2c_rd_peek(c->rd, 24, &p, &avail);
	if (rc == C2C_EEND)
		return c2c_diag_set(diag, C2C_EFORMAT, c->path, 0,
		    "pcap global header truncated (%zu of 24 bytes)", avail);
	if (rc != C2C_OK)
		return c2c_diag_set(diag, rc, c->path, 0, "%s",
		    rc == C2C_EFORMAT ? "corrupt gzip data" : c2c_strerror(rc));
	m = c2c_be32(p);
	c->hdrlen = 16;
	switch (m) {
	case 0xa1b2c3d4:
		le = false;
		break;
	case 0xd4c3b2a1:
		le = true;
		break;
	case 0xa1b23c4d:
		le = false;
		c->nsec = true;
		break;
	case 0x4d3cb2a1:
		le = true;
		c->nsec = true;
		break;
	case 0xa1b2cd34:
		le = false;
		c->hdrlen = 24;
		break;
	case 0x34cdb2a1:
		le = true;
		c->hdrlen = 24;
		break;
	default:
		return c2c_diag_set(diag, C2C_EFORMAT, c->path, 0,
		    "not a pcap file (magic 0x%08x)", m);
	}
	c->swap = le;
	if (c2c__cap16(p + 4, le) != 2)
		return c2c_diag_set(diag, C2C_EFORMAT, c->path, 4,
		    "unsupported pcap major version %u", c2c__cap16(p + 4, le));
	c->snaplen = c2c__cap32(p + 16, le);
	network = c2c__cap32(p + 20, le);
	/* The low 16 bits are the link type; the upper bits carry FCS information. */
	c->linktype = (uint16_t)(network & 0xffff);
	c2c__capture_dep(c, 0, 24);
	c2c_rd_advance(c->rd, 24);
	return C2C_OK;
}

c2c_err
c2c__pcap_next(struct c2c_capture *c, struct c2c_pkt *pkt, struct c2c_diag *diag)
{
	const uint8_t *p;
	size_t avail = 0;
	uint32_t sec, frac, caplen, wirelen, maxlen;
	uint64_t off = c2c_rd_pos(c->rd);
	bool le = c->swap;
	c2c_err rc;

	rc = c2c_rd_peek(c->rd, c->hdrlen, &p, &avail);
	if (rc == C2C_EEND) {
		if (avail > 0) {
			c->st->n[C2C_ST_PCAP_TRUNC_RECORD]++;
			c->info->malformed++;
		}
		return C2C_EEND;
	}
	if (rc != C2C_OK)
		goto ioerr;
	sec = c2c__cap32(p, le);
	frac = c2c__cap32(p + 4, le);
	caplen = c2c__cap32(p + 8, le);
	wirelen = c2c__cap32(p + 12, le);
	maxlen = c->snaplen > 262144u ? c->snaplen : 262144u;
	if (maxlen > C2C_CAP_MAX_PKT)
		maxlen = C2C_CAP_MAX_PKT;
	if (caplen > maxlen) {
		c->st->n[C2C_ST_PCAP_BAD_CAPLEN]++;
		c->info->malformed++;
		return C2C_EEND;
	}
	rc = c2c_rd_peek(c->rd, c->hdrlen + caplen, &p, &avail);
	if (rc == C2C_EEND) {
		c->st->n[C2C_ST_PCAP_TRUNC_RECORD]++;
		c->info->malformed++;
		return C2C_EEND;
	}
	if (rc != C2C_OK)
		goto ioerr;
	pkt->ts = (c2c_time)sec * C2C_USEC + (c->nsec ? frac / 1000u : frac);
	pkt->data = p + c->hdrlen;
	pkt->caplen = caplen;
	pkt->wirelen = wirelen < caplen ? caplen : wirelen;
	pkt->linktype = c->linktype;
	pkt->ifindex = 0;
	pkt->ev.input = c->input;
	pkt->ev.rec = -1;
	pkt->ev.off = off;
	pkt->ev.len = c->hdrlen + caplen;
	c2c_rd_advance(c->rd, c->hdrlen + caplen);
	c2c__capture_account(c, pkt);
	return C2C_OK;
ioerr:
	return c2c_diag_set(diag, rc, c->path, off, "%s",
	    rc == C2C_EFORMAT ? "corrupt gzip data" : c2c_strerror(rc));
}

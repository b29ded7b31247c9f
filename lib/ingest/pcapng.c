/*
 * pcapng reader (draft-ietf-opsawg-pcapng). The file is a chain of sections, each opened by a
 * Section Header Block whose byte-order magic fixes the byte order of that section, followed by
 * Interface Description Blocks (one per interface: link type, snaplen, if_tsresol, if_tsoffset)
 * and packet blocks: Enhanced (EPB), Simple (SPB, which belongs to interface 0 and has no
 * timestamp) and the obsolete Packet Block. Interface Statistics Blocks carry cumulative drop
 * counters, kept as measured loss. Every other block is skipped (unknown types are counted).
 * A packet's evidence reference names its whole block. A block whose framing is broken ends
 * the file (counted): pcapng has no way to find the next block.
 */
#include <string.h>

#include "ingest/capfile.h"

#define BT_SHB 0x0a0d0d0au
#define BT_IDB 1u
#define BT_PB 2u
#define BT_SPB 3u
#define BT_NRB 4u
#define BT_ISB 5u
#define BT_EPB 6u
#define BT_JOURNAL 9u
#define BT_DSB 10u
#define BT_CUSTOM 0x00000badu
#define BT_CUSTOM_NC 0x40000badu

/* 10^e for e <= 19. */
static uint64_t
pow10u(unsigned e)
{
	uint64_t v = 1;
	while (e-- > 0)
		v *= 10;
	return v;
}

/* Seconds-plus-fraction in interface units to integer microseconds, truncating finer units and
 * saturating instead of overflowing on absurd values. */
static c2c_time
ts_to_us(const struct c2c_ngif *ifc, uint64_t t)
{
	uint64_t us;

	if (!ifc->ts_pow2) {
		unsigned e = ifc->tsexp;
		if (e >= 6) {
			us = e - 6 > 19 ? 0 : t / pow10u(e - 6);
		} else {
			uint64_t mul = pow10u(6 - e);
			us = t > UINT64_MAX / mul ? UINT64_MAX : t * mul;
		}
	} else {
		unsigned n = ifc->tsexp;
		uint64_t sec, frac;
		if (n >= 84) {
			/* Units so fine that the whole 64-bit value is less than a microsecond. */
			sec = 0;
			frac = 0;
			n = 0;
		} else if (n >= 64) {
			/* t / 2^n < 1 s: drop the low 20 bits (below a microsecond) first. */
			sec = 0;
			frac = t >> 20;
			n -= 20;
		} else {
			sec = t >> n;
			frac = n ? t & ((UINT64_C(1) << n) - 1) : 0;
			if (n > 44) {
				frac >>= n - 44;
				n = 44;
			}
		}
		us = sec > UINT64_MAX / 1000000u ? UINT64_MAX : sec * 1000000u;
		us += n ? (frac * 1000000u) >> n : 0;
		if (us < sec)
			us = UINT64_MAX;
	}
	if (us > (uint64_t)INT64_MAX)
		us = (uint64_t)INT64_MAX;
	{
		c2c_time r = (c2c_time)us;
		int64_t off = ifc->tsoffset;
		if (off > INT64_MAX / C2C_USEC || off < INT64_MIN / C2C_USEC)
			return r;
		off *= C2C_USEC;
		if ((off > 0 && r > INT64_MAX - off) || (off < 0 && r < INT64_MIN - off))
			return r;
		return r + off;
	}
}

/* A block whose framing cannot be trusted: count it and stop reading the file. */
static c2c_err
bad_block(struct c2c_capture *c)
{
	c->st->n[C2C_ST_PCAPNG_BAD_BLOCK]++;
	c->info->malformed++;
	return C2C_EEND;
}

static c2c_err
trunc_block(struct c2c_capture *c)
{
	c->st->n[C2C_ST_PCAP_TRUNC_RECORD]++;
	c->info->malformed++;
	return C2C_EEND;
}

static c2c_err
rd_error(struct c2c_capture *c, c2c_err rc, uint64_t off, struct c2c_diag *diag)
{
	return c2c_diag_set(diag, rc, c->path, off, "%s",
	    rc == C2C_EFORMAT ? "corrupt gzip data" : c2c_strerror(rc));
}

/* Read a Section Header Block at the current position. The first one of the file is held to
 * a higher standard: a bad one means this is not a pcapng file (C2C_EFORMAT). */
static c2c_err
read_shb(struct c2c_capture *c, bool first, struct c2c_diag *diag)
{
	const uint8_t *p;
	size_t avail = 0;
	uint64_t off = c2c_rd_pos(c->rd);
	uint32_t bom, len;
	bool le;
	c2c_err rc;

	rc = c2c_rd_peek(c->rd, 12, &p, &avail);
	if (rc == C2C_EEND) {
		if (first)
			return c2c_diag_set(diag, C2C_EFORMAT, c->path, off,
			    "pcapng section header truncated (%zu bytes)", avail);
		return trunc_block(c);
	}
	if (rc != C2C_OK)
		return rd_error(c, rc, off, diag);
	bom = c2c_be32(p + 8);
	if (bom == 0x4d3c2b1a) {
		le = true;
	} else if (bom == 0x1a2b3c4d) {
		le = false;
	} else {
		if (first)
			return c2c_diag_set(diag, C2C_EFORMAT, c->path, off + 8,
			    "pcapng section header: bad byte-order magic 0x%08x", bom);
		return bad_block(c);
	}
	len = c2c__cap32(p + 4, le);
	if (len < 28 || len % 4 != 0 || len > C2C_RD_MAX_PEEK) {
		if (first)
			return c2c_diag_set(diag, C2C_EFORMAT, c->path, off + 4,
			    "pcapng section header: bad block length %u", len);
		return bad_block(c);
	}
	rc = c2c_rd_peek(c->rd, len, &p, &avail);
	if (rc == C2C_EEND) {
		if (first)
			return c2c_diag_set(diag, C2C_EFORMAT, c->path, off,
			    "pcapng section header truncated (%zu of %u bytes)", avail, len);
		return trunc_block(c);
	}
	if (rc != C2C_OK)
		return rd_error(c, rc, off, diag);
	if (c2c__cap16(p + 12, le) != 1 || c2c__cap32(p + len - 4, le) != len) {
		if (first)
			return c2c_diag_set(diag, C2C_EFORMAT, c->path, off + 12,
			    "pcapng section header: unsupported version %u or length mismatch",
			    c2c__cap16(p + 12, le));
		return bad_block(c);
	}
	c->ngswap = le;
	c->n_if = 0; /* interface ids are per section */
	c->st->n[C2C_ST_PCAPNG_BLOCKS]++;
	c2c__capture_dep(c, off, len);
	c2c_rd_advance(c->rd, len);
	return C2C_OK;
}

c2c_err
c2c__pcapng_open(struct c2c_capture *c, struct c2c_diag *diag)
{
	return read_shb(c, true, diag);
}

/* Options of a block: code, length, value padded to 4 bytes, until opt_endofopt or the end. */
struct opt_iter {
	const uint8_t *p, *end;
	bool le;
};

static bool
opt_next(struct opt_iter *it, uint16_t *code, const uint8_t **val, uint16_t *len)
{
	uint32_t padded;
	if (it->end - it->p < 4)
		return false;
	*code = c2c__cap16(it->p, it->le);
	*len = c2c__cap16(it->p + 2, it->le);
	if (*code == 0)
		return false;
	padded = ((uint32_t)*len + 3u) & ~3u;
	if ((size_t)(it->end - it->p) - 4 < padded)
		return false;
	*val = it->p + 4;
	it->p += 4 + padded;
	return true;
}

static c2c_err
add_iface(struct c2c_capture *c, const uint8_t *p, uint32_t len)
{
	struct c2c_ngif *ifc;
	struct opt_iter it;
	uint16_t code, olen;
	const uint8_t *v;
	bool le = c->ngswap;

	if (len < 20 || c->n_if >= C2C_CAP_MAX_IFACES) {
		c->st->n[C2C_ST_PCAPNG_BAD_IFACE]++;
		c->info->malformed++;
		return C2C_OK;
	}
	if (c->n_if == c->cap_if) {
		uint32_t ncap = c->cap_if ? c->cap_if * 2 : 4;
		struct c2c_ngif *n = c2c_reallocarray(c->ifs, ncap, sizeof(*n));
		if (n == NULL)
			return C2C_ENOMEM;
		c->ifs = n;
		c->cap_if = ncap;
	}
	ifc = &c->ifs[c->n_if++];
	memset(ifc, 0, sizeof(*ifc));
	ifc->linktype = c2c__cap16(p + 8, le);
	ifc->snaplen = c2c__cap32(p + 12, le);
	ifc->tsexp = 6;
	it.p = p + 16;
	it.end = p + len - 4;
	it.le = le;
	while (opt_next(&it, &code, &v, &olen)) {
		if (code == 9 && olen >= 1) { /* if_tsresol */
			ifc->ts_pow2 = (v[0] & 0x80) != 0;
			ifc->tsexp = v[0] & 0x7f;
		} else if (code == 14 && olen >= 8) { /* if_tsoffset */
			ifc->tsoffset = (int64_t)c2c__cap64(v, le);
		}
	}
	return C2C_OK;
}

static void
add_loss(struct c2c_capture *c, uint64_t n)
{
	c->info->loss += n;
	c->st->n[C2C_ST_PCAPNG_IF_DROPS] += n;
}

static void
read_isb(struct c2c_capture *c, const uint8_t *p, uint32_t len)
{
	struct opt_iter it;
	uint16_t code, olen;
	const uint8_t *v;
	uint64_t total = 0;
	uint32_t ifid;
	bool le = c->ngswap, any = false;

	if (len < 24) {
		c->st->n[C2C_ST_PCAPNG_BAD_BLOCK]++;
		c->info->malformed++;
		return;
	}
	ifid = c2c__cap32(p + 8, le);
	if (ifid >= c->n_if) {
		c->st->n[C2C_ST_PCAPNG_BAD_IFACE]++;
		c->info->malformed++;
		return;
	}
	it.p = p + 20;
	it.end = p + len - 4;
	it.le = le;
	while (opt_next(&it, &code, &v, &olen)) {
		/* isb_ifdrop (5): dropped by the interface; isb_osdrop (7): by the OS. */
		if ((code == 5 || code == 7) && olen >= 8) {
			uint64_t d = c2c__cap64(v, le);
			total = total > UINT64_MAX - d ? UINT64_MAX : total + d;
			any = true;
		}
	}
	/* The counters are totals since the capture began: count only what is new. */
	if (any && total > c->ifs[ifid].drops_seen) {
		add_loss(c, total - c->ifs[ifid].drops_seen);
		c->ifs[ifid].drops_seen = total;
	}
}

/* epb_dropcount (4) in an EPB's options: packets lost since the previous packet. */
static void
epb_options(struct c2c_capture *c, const uint8_t *o, const uint8_t *end)
{
	struct opt_iter it = { o, end, c->ngswap };
	uint16_t code, olen;
	const uint8_t *v;
	while (opt_next(&it, &code, &v, &olen))
		if (code == 4 && olen >= 8)
			add_loss(c, c2c__cap64(v, c->ngswap));
}

static bool
bad_iface(struct c2c_capture *c)
{
	c->st->n[C2C_ST_PCAPNG_BAD_IFACE]++;
	c->info->malformed++;
	return false;
}

/* Fill `pkt` from a packet block already in the window; false when the block is unusable
 * (counted). */
static bool
read_packet(struct c2c_capture *c, uint32_t type, const uint8_t *p, uint32_t len,
    struct c2c_pkt *pkt)
{
	const struct c2c_ngif *ifc;
	bool le = c->ngswap;
	uint32_t ifid, caplen, wirelen, body;
	uint64_t t;

	if (type == BT_SPB) {
		if (len < 16) {
			c->st->n[C2C_ST_PCAPNG_BAD_BLOCK]++;
			c->info->malformed++;
			return false;
		}
		if (c->n_if == 0)
			return bad_iface(c);
		ifc = &c->ifs[0];
		wirelen = c2c__cap32(p + 8, le);
		body = len - 16;
		caplen = wirelen < body ? wirelen : body;
		if (ifc->snaplen != 0 && caplen > ifc->snaplen)
			caplen = ifc->snaplen;
		pkt->data = p + 12;
		pkt->ts = c->info->last_ts == INT64_MIN ? 0 : c->info->last_ts;
		pkt->ifindex = 0;
	} else {
		if (len < 32) {
			c->st->n[C2C_ST_PCAPNG_BAD_BLOCK]++;
			c->info->malformed++;
			return false;
		}
		if (type == BT_EPB) {
			ifid = c2c__cap32(p + 8, le);
		} else {
			uint16_t drops = c2c__cap16(p + 10, le);
			ifid = c2c__cap16(p + 8, le);
			if (drops != 0xffff)
				add_loss(c, drops);
		}
		if (ifid >= c->n_if)
			return bad_iface(c);
		ifc = &c->ifs[ifid];
		t = (uint64_t)c2c__cap32(p + 12, le) << 32 | c2c__cap32(p + 16, le);
		caplen = c2c__cap32(p + 20, le);
		wirelen = c2c__cap32(p + 24, le);
		body = len - 32;
		if (caplen > body) {
			c->st->n[C2C_ST_PCAPNG_BAD_BLOCK]++;
			c->info->malformed++;
			return false;
		}
		if (type == BT_EPB) {
			uint32_t padded = (caplen + 3u) & ~3u;
			if (padded < body)
				epb_options(c, p + 28 + padded, p + len - 4);
		}
		pkt->data = p + 28;
		pkt->ts = ts_to_us(ifc, t);
		pkt->ifindex = ifid;
	}
	pkt->caplen = caplen;
	pkt->wirelen = wirelen < caplen ? caplen : wirelen;
	pkt->linktype = ifc->linktype;
	return true;
}

c2c_err
c2c__pcapng_next(struct c2c_capture *c, struct c2c_pkt *pkt, struct c2c_diag *diag)
{
	for (;;) {
		const uint8_t *p;
		size_t avail = 0;
		uint64_t off = c2c_rd_pos(c->rd);
		uint32_t type, len;
		bool le = c->ngswap, got = false;
		c2c_err rc;

		rc = c2c_rd_peek(c->rd, 12, &p, &avail);
		if (rc == C2C_EEND)
			return avail > 0 ? trunc_block(c) : C2C_EEND;
		if (rc != C2C_OK)
			return rd_error(c, rc, off, diag);
		if (c2c_be32(p) == BT_SHB) {
			rc = read_shb(c, false, diag);
			if (rc != C2C_OK)
				return rc;
			continue;
		}
		type = c2c__cap32(p, le);
		len = c2c__cap32(p + 4, le);
		if (len < 12 || len % 4 != 0 || len > C2C_RD_MAX_PEEK)
			return bad_block(c);
		rc = c2c_rd_peek(c->rd, len, &p, &avail);
		if (rc == C2C_EEND)
			return trunc_block(c);
		if (rc != C2C_OK)
			return rd_error(c, rc, off, diag);
		if (c2c__cap32(p + len - 4, le) != len)
			return bad_block(c);
		c->st->n[C2C_ST_PCAPNG_BLOCKS]++;
		switch (type) {
		case BT_IDB:
			rc = add_iface(c, p, len);
			if (rc != C2C_OK)
				return rc;
			c2c__capture_dep(c, off, len);
			break;
		case BT_EPB:
		case BT_SPB:
		case BT_PB:
			got = read_packet(c, type, p, len, pkt);
			break;
		case BT_ISB:
			read_isb(c, p, len);
			break;
		case BT_NRB:
		case BT_JOURNAL:
		case BT_DSB:
		case BT_CUSTOM:
		case BT_CUSTOM_NC:
			break; /* known, carries no packets */
		default:
			c->st->n[C2C_ST_PCAPNG_UNKNOWN_BLOCK]++;
			break;
		}
		c2c_rd_advance(c->rd, len);
		if (got) {
			pkt->ev.input = c->input;
			pkt->ev.rec = -1;
			pkt->ev.off = off;
			pkt->ev.len = len;
			c2c__capture_account(c, pkt);
			return C2C_OK;
		}
	}
}

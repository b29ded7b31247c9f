/*
 * Private to the capture readers (capfile.c, pcap.c, pcapng.c): the reader state behind the
 * opaque struct c2c_capture of internal.h. capfile.c detects the format and dispatches; pcap.c
 * and pcapng.c each read one format through the bounded window of struct c2c_rd.
 */
#ifndef C2C_INGEST_CAPFILE_H
#define C2C_INGEST_CAPFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "ingest/internal.h"

/* Largest packet a record may carry. libpcap refuses records above 256 KiB unless the link type
 * allows more; we accept up to 16 MiB (or the file's snaplen if larger) and count the rest. */
#define C2C_CAP_MAX_PKT (16u << 20)
/* Interfaces one pcapng section may declare (each IDB costs a few bytes of state). */
#define C2C_CAP_MAX_IFACES 4096u

/* One pcapng interface (IDB): how to read its packets' timestamps and lengths. */
struct c2c_ngif {
	uint16_t linktype;
	uint32_t snaplen;
	/* Timestamp units: 10^-tsexp seconds when !ts_pow2, else 2^-tsexp seconds. */
	bool ts_pow2;
	uint8_t tsexp;
	int64_t tsoffset; /* seconds added to every timestamp (if_tsoffset) */
	uint64_t drops_seen; /* largest ISB drop total seen so far (counters are cumulative) */
};

struct c2c_capture {
	struct c2c_rd *rd;
	uint32_t input;
	struct c2c_ingest_stats *st;
	struct c2c_input_info *info;
	const char *path;
	bool ng;   /* pcapng, else pcap */
	bool done; /* the file ended (cleanly or at a counted defect) */
	/* pcap */
	bool swap, nsec;
	uint16_t linktype;
	uint32_t snaplen;
	uint32_t hdrlen; /* record header length: 16, or 24 for the modified (Kuznetsov) format */
	/* pcapng */
	bool ngswap; /* section byte order differs from little-endian reading */
	uint32_t n_if, cap_if;
	struct c2c_ngif *ifs;
};

/* Loads in a file's byte order (`le`: little-endian) from bytes already bounds-checked. */
static inline uint16_t
c2c__cap16(const uint8_t *p, bool le)
{
	if (le)
		return (uint16_t)((unsigned)p[1] << 8 | p[0]);
	return c2c_be16(p);
}

static inline uint32_t
c2c__cap32(const uint8_t *p, bool le)
{
	if (le)
		return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	return c2c_be32(p);
}

static inline uint64_t
c2c__cap64(const uint8_t *p, bool le)
{
	if (le)
		return (uint64_t)c2c__cap32(p + 4, le) << 32 | c2c__cap32(p, le);
	return (uint64_t)c2c__cap32(p, le) << 32 | c2c__cap32(p + 4, le);
}

c2c_err c2c__pcap_open(struct c2c_capture *c, struct c2c_diag *diag);
c2c_err c2c__pcap_next(struct c2c_capture *c, struct c2c_pkt *pkt, struct c2c_diag *diag);
c2c_err c2c__pcapng_open(struct c2c_capture *c, struct c2c_diag *diag);
c2c_err c2c__pcapng_next(struct c2c_capture *c, struct c2c_pkt *pkt, struct c2c_diag *diag);

/* Shared bookkeeping for every delivered packet: counters and first/last timestamps. */
static inline void
c2c__capture_account(struct c2c_capture *c, const struct c2c_pkt *pkt)
{
	c->st->n[C2C_ST_PCAP_RECORDS]++;
	if (pkt->caplen < pkt->wirelen)
		c->st->n[C2C_ST_CAPTURE_SNAPPED]++;
	c->info->records++;
	if (pkt->ts < c->info->first_ts)
		c->info->first_ts = pkt->ts;
	if (pkt->ts > c->info->last_ts)
		c->info->last_ts = pkt->ts;
}

/* Add a dependency record (file header, SHB, IDB) to info->deps while there is room. */
static inline void
c2c__capture_dep(struct c2c_capture *c, uint64_t off, uint32_t len)
{
	struct c2c_input_info *in = c->info;
	if (in->n_deps < C2C_ARRAY_LEN(in->deps)) {
		struct c2c_evref *r = &in->deps[in->n_deps++];
		r->input = c->input;
		r->rec = -1;
		r->off = off;
		r->len = len;
	}
}

#endif

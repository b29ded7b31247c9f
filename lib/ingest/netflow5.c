/*
 * NetFlow v5 (Cisco's fixed format): a 24-byte header and 1..30 records of 48 bytes. Each
 * record is one unidirectional flow; times are router uptime in ms, placed on the wall clock
 * with the header's (sys_uptime, unix_secs, unix_nsecs) pair. The header's flow_sequence counts
 * records, so a jump measures lost records. The sampling field (2 bits mode, 14 bits interval)
 * is recorded on every flow.
 */
#include <string.h>

#include "core/cursor.h"
#include "ingest/export.h"

#define NF5_HDR 24
#define NF5_REC 48
#define NF5_MAX_COUNT 30

/* The fixed record seen as a template with NetFlow v9 field types, so callers that look at raw
 * elements (c2c_exp_view) see v5 records in the same terms as v9. */
static struct c2c_exp_field nf5_fields[] = {
	{ 0, 8, 4, 0 }, { 0, 12, 4, 0 }, { 0, 15, 4, 0 }, { 0, 10, 2, 0 }, { 0, 14, 2, 0 },
	{ 0, 2, 4, 0 }, { 0, 1, 4, 0 }, { 0, 22, 4, 0 }, { 0, 21, 4, 0 }, { 0, 7, 2, 0 },
	{ 0, 11, 2, 0 }, { 0, 6, 1, 0 }, { 0, 4, 1, 0 }, { 0, 5, 1, 0 }, { 0, 16, 2, 0 },
	{ 0, 17, 2, 0 }, { 0, 9, 1, 0 }, { 0, 13, 1, 0 },
};
/* Byte offset of each of those fields inside the 48-byte record. */
static const uint8_t nf5_off[] = { 0, 4, 8, 12, 14, 16, 20, 24, 28, 32, 34, 37, 38, 39, 40, 42,
	44, 45 };
#define NF5_NFIELDS (sizeof(nf5_off) / sizeof(nf5_off[0]))

static const struct c2c_exp_tmpl nf5_tmpl = {
	.version = 5,
	.n = NF5_NFIELDS,
	.cap = NF5_NFIELDS,
	.min_len = NF5_REC,
	.f = nf5_fields,
};

c2c_err
c2c__nf5_decode(struct c2c_exp_msg *m, const uint8_t *p, size_t len)
{
	const struct c2c_exp_out *o = m->out;
	struct c2c_cur c;
	uint16_t version, count, sampling;
	uint32_t uptime, secs, nsecs, seq;
	uint8_t etype, eid;
	c2c_err rc;

	c2c_cur_init(&c, p, len);
	if (!c2c_cur_be16(&c, &version) || !c2c_cur_be16(&c, &count) ||
	    !c2c_cur_be32(&c, &uptime) || !c2c_cur_be32(&c, &secs) || !c2c_cur_be32(&c, &nsecs) ||
	    !c2c_cur_be32(&c, &seq) || !c2c_cur_u8(&c, &etype) || !c2c_cur_u8(&c, &eid) ||
	    !c2c_cur_be16(&c, &sampling)) {
		c2c__exp_malformed(m);
		return C2C_OK;
	}
	/* A count outside 1..30, or records missing from the datagram, make the whole
	 * message suspect: nothing in it is trusted. */
	if (count == 0 || count > NF5_MAX_COUNT || c2c_cur_left(&c) < (size_t)count * NF5_REC ||
	    nsecs >= 1000000000u) {
		c2c__exp_malformed(m);
		return C2C_OK;
	}
	m->len = (uint32_t)(NF5_HDR + (size_t)count * NF5_REC); /* bytes after it are not its own */
	m->version = 5;
	m->domain = (uint32_t)etype << 8 | eid;
	m->export_time = (c2c_time)secs * C2C_USEC + nsecs / 1000;
	m->sys_uptime = uptime;
	m->have_uptime = true;
	/* past the domain cap (C2C_ELIMIT) a message is decoded without sequence tracking */
	rc = c2c__exp_dom(m, &m->dom);
	if (rc == C2C_ENOMEM)
		return rc;
	c2c__exp_seq(m, seq, true, count);

	for (uint16_t r = 0; r < count; r++) {
		const uint8_t *rec;
		const uint8_t *val[NF5_NFIELDS];
		uint16_t vlen[NF5_NFIELDS];
		struct c2c_flow f;
		struct c2c_exp_view v;
		uint32_t first, last;

		(void)c2c_cur_bytes(&c, NF5_REC, &rec);
		memset(&f, 0, sizeof(f));
		f.src = C2C_SRC_NETFLOW5;
		c2c_ip_from_v4_bytes(&f.orig, rec);
		c2c_ip_from_v4_bytes(&f.resp, rec + 4);
		f.orig_pkts = c2c_be32(rec + 16);
		f.orig_ip_bytes = c2c_be32(rec + 20);
		first = c2c_be32(rec + 24);
		last = c2c_be32(rec + 28);
		f.orig_port = c2c_be16(rec + 32);
		f.resp_port = c2c_be16(rec + 34);
		f.proto = rec[38];
		if ((f.proto == 1 || f.proto == 58) && f.orig_port == 0) {
			/* type * 256 + code in the destination port; Zeek's convention */
			uint16_t tc = f.resp_port;
			f.orig_port = (uint16_t)(tc >> 8);
			f.resp_port = (uint16_t)(tc & 0xff);
		}
		/* signed distance: a First a little after the header's uptime is clock skew,
		 * not a 49-day wrap */
		f.ts = m->export_time - (c2c_time)(int32_t)(uptime - first) * 1000;
		f.last = m->export_time - (c2c_time)(int32_t)(uptime - last) * 1000;
		if (f.last < f.ts)
			f.last = f.ts;
		f.have = C2C_HAVE_DURATION;
		f.sampling = sampling & 0x3fff;
		f.first_ev.input = o->input;
		f.first_ev.rec = r;
		f.first_ev.off = m->off;
		f.first_ev.len = m->len;
		f.last_ev = f.first_ev;
		m->rec = r + 1;
		m->data_records++;
		o->st->n[C2C_ST_NF_RECORDS]++;
		rc = c2c__exp_emit(m, &f);
		if (rc != C2C_OK)
			return rc;
		if (o->view != NULL) {
			for (size_t i = 0; i < NF5_NFIELDS; i++) {
				val[i] = rec + nf5_off[i];
				vlen[i] = nf5_fields[i].len;
			}
			v.version = 5;
			v.domain = m->domain;
			v.set_id = 0;
			v.t = &nf5_tmpl;
			v.val = val;
			v.vlen = vlen;
			v.flow = &f;
			v.ev = &f.first_ev;
			o->view(o->view_ctx, &v);
		}
	}
	return C2C_OK;
}

/*
 * NetFlow v9 (RFC 3954): a 20-byte header and FlowSets. FlowSet 0 carries templates, 1 options
 * templates, >= 256 data records decoded with the template of that id from the same (exporter,
 * source id); 2..255 are reserved. Templates are cited by every record decoded with them. The
 * header's sequence number counts export packets (§5.1), so gaps measure lost packets.
 *
 * v9 has no message length: in a stream of datagrams without framing (a raw NetFlow file) a
 * message ends where the next FlowSet header would have a reserved id that is the start of a
 * new export header (5, 9 or 10), or where the bytes run out (c2c__nf9_msg_len).
 */
#include <string.h>

#include "core/cursor.h"
#include "ingest/export.h"

#define NF9_HDR 20

static bool
all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != 0)
			return false;
	}
	return true;
}

static bool
looks_like_header(const uint8_t *p, size_t avail)
{
	uint16_t v;
	if (avail < 16)
		return false;
	v = c2c_be16(p);
	return v == 5 || v == 9 || v == 10;
}

size_t
c2c__nf9_msg_len(const uint8_t *p, size_t avail)
{
	size_t pos = NF9_HDR;
	if (avail < NF9_HDR)
		return 0;
	while (pos + 4 <= avail) {
		uint16_t id = c2c_be16(p + pos), len = c2c_be16(p + pos + 2);
		if (id >= 2 && id < 256 && looks_like_header(p + pos, avail - pos))
			return pos; /* next message */
		if (len < 4) {
			/* Zero fill after the last FlowSet (some exporters pad datagrams):
			 * the message runs to the next non-zero byte. */
			size_t z = pos;
			while (z < avail && p[z] == 0)
				z++;
			if (z == avail)
				return avail;
			/* resume at the next header, aligned as the exporter wrote it */
			return looks_like_header(p + z, avail - z) ? z : avail;
		}
		if (pos + len > avail)
			return avail; /* truncated; decoded (and counted) as such */
		pos += len;
	}
	return avail; /* fewer than 4 bytes after the last FlowSet belong to this message */
}

/* RFC 3954 §5.2: template records fill FlowSet 0; §6.1: options templates fill FlowSet 1. */
static c2c_err
template_set(struct c2c_exp_msg *m, struct c2c_cur *c, bool options)
{
	struct c2c_exp_field f[C2C_EXP_MAX_FIELDS];

	while (c2c_cur_left(c) >= 4) {
		uint16_t id, n = 0, n_scope = 0;
		struct c2c_evref ev;
		bool bad = false;
		c2c_err rc;

		ev.input = m->out->input;
		ev.rec = m->rec;
		ev.off = m->off;
		ev.len = m->len;
		if (!options) {
			uint16_t count;
			(void)c2c_cur_be16(c, &id);
			(void)c2c_cur_be16(c, &count);
			if (id == 0 && count == 0 && all_zero(c->p, c2c_cur_left(c)))
				return C2C_OK; /* padding */
			if (count == 0 || count > C2C_EXP_MAX_FIELDS ||
			    c2c_cur_left(c) < (size_t)count * 4)
				bad = true;
			for (uint16_t i = 0; !bad && i < count; i++) {
				(void)c2c_cur_be16(c, &f[i].id);
				(void)c2c_cur_be16(c, &f[i].len);
				f[i].pen = 0;
			}
			n = count;
		} else {
			uint16_t slen, olen;
			if (c2c_cur_left(c) < 6)
				return C2C_OK; /* padding */
			(void)c2c_cur_be16(c, &id);
			(void)c2c_cur_be16(c, &slen);
			(void)c2c_cur_be16(c, &olen);
			if (id == 0 && slen == 0 && olen == 0 && all_zero(c->p, c2c_cur_left(c)))
				return C2C_OK;
			if (slen % 4 != 0 || olen % 4 != 0 ||
			    (size_t)slen / 4 + olen / 4 > C2C_EXP_MAX_FIELDS ||
			    c2c_cur_left(c) < (size_t)slen + olen)
				bad = true;
			n_scope = (uint16_t)(slen / 4);
			n = (uint16_t)(n_scope + olen / 4);
			for (uint16_t i = 0; !bad && i < n; i++) {
				(void)c2c_cur_be16(c, &f[i].id);
				(void)c2c_cur_be16(c, &f[i].len);
				f[i].pen = 0;
			}
		}
		if (bad || id < 256) {
			if (bad && n > C2C_EXP_MAX_FIELDS)
				m->out->st->n[C2C_ST_NF_TEMPLATE_LIMIT]++;
			c2c__exp_malformed(m);
			return C2C_OK; /* the rest of the FlowSet cannot be framed */
		}
		m->rec++;
		m->out->st->n[C2C_ST_NF_TEMPLATES]++;
		rc = c2c__tmpl_define(m, id, options, n_scope, f, n, &ev);
		if (rc == C2C_ELIMIT)
			m->out->st->n[C2C_ST_NF_TEMPLATE_LIMIT]++;
		else if (rc != C2C_OK)
			return rc;
		if (options) {
			/* options templates are padded to 4 bytes inside the FlowSet */
			size_t used = 6 + (size_t)n * 4;
			size_t pad = (4 - used % 4) % 4;
			if (c2c_cur_left(c) >= pad && all_zero(c->p, pad) && c2c_cur_left(c) - pad < 6)
				(void)c2c_cur_skip(c, pad);
		}
	}
	return C2C_OK;
}

c2c_err
c2c__nf9_decode(struct c2c_exp_msg *m, const uint8_t *p, size_t len)
{
	struct c2c_cur c;
	uint16_t version, count;
	uint32_t uptime, secs, seq, source;
	c2c_err rc;

	c2c_cur_init(&c, p, len);
	if (!c2c_cur_be16(&c, &version) || !c2c_cur_be16(&c, &count) ||
	    !c2c_cur_be32(&c, &uptime) || !c2c_cur_be32(&c, &secs) || !c2c_cur_be32(&c, &seq) ||
	    !c2c_cur_be32(&c, &source)) {
		c2c__exp_malformed(m);
		return C2C_OK;
	}
	m->version = 9;
	m->domain = source;
	m->export_time = (c2c_time)secs * C2C_USEC;
	m->sys_uptime = uptime;
	m->have_uptime = true;
	rc = c2c__exp_dom(m, &m->dom);
	if (rc == C2C_ENOMEM)
		return rc;
	c2c__exp_seq(m, seq, false, 1);

	while (c2c_cur_left(&c) >= 4) {
		uint16_t id, slen;
		struct c2c_cur set;
		const uint8_t *hdr = c.p;

		(void)c2c_cur_be16(&c, &id);
		(void)c2c_cur_be16(&c, &slen);
		if (slen < 4) {
			if (!all_zero(hdr, (size_t)(c.end - hdr)))
				c2c__exp_malformed(m);
			break; /* zero fill to the end of the datagram */
		}
		if (!c2c_cur_sub(&c, (size_t)slen - 4, &set)) {
			c2c__exp_malformed(m); /* FlowSet longer than the datagram */
			return C2C_OK;
		}
		if (id == 0 || id == 1) {
			rc = template_set(m, &set, id == 1);
			if (rc != C2C_OK)
				return rc;
		} else if (id < 256) {
			c2c__exp_malformed(m); /* reserved FlowSet id */
		} else {
			const struct c2c_exp_tmpl *t = c2c__tmpl_find(m, id);
			if (t == NULL) {
				m->out->st->n[C2C_ST_NF_NO_TEMPLATE]++;
				continue;
			}
			rc = c2c__tmpl_data_set(m, t, id, set.p, c2c_cur_left(&set));
			if (rc != C2C_OK)
				return rc;
		}
	}
	if (c2c_cur_left(&c) > 0 && !all_zero(c.p, c2c_cur_left(&c)))
		c2c__exp_malformed(m);
	return C2C_OK;
}

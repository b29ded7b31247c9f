/*
 * IPFIX (RFC 7011): a 16-byte message header and Sets. Set 2 carries template records, 3
 * options template records, >= 256 data records; 0, 1 and 4..255 are not data (§3.3.2).
 * Field specifiers with the enterprise bit carry a 4-byte enterprise number; variable-length
 * fields (length 65535) are skipped through their length prefix. A template record with no
 * fields withdraws that template, and template id 2 (3) withdraws every (options) template of
 * the observation domain (§8.1). Reverse elements (RFC 5103, PEN 29305) make a biflow.
 * The header's sequence number counts data records (§3.1), so gaps measure lost records.
 */
#include <string.h>

#include "core/cursor.h"
#include "ingest/export.h"

#define IPFIX_HDR 16

static bool
zeros(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != 0)
			return false;
	}
	return true;
}

/* One (options) template set: RFC 7011 §3.4.1 / §3.4.2. */
static c2c_err
template_set(struct c2c_exp_msg *m, struct c2c_cur *c, bool options)
{
	struct c2c_exp_field f[C2C_EXP_MAX_FIELDS];

	while (c2c_cur_left(c) >= 4) {
		uint16_t id, count, n_scope = 0;
		struct c2c_evref ev;
		bool bad = false;
		c2c_err rc;

		if (zeros(c->p, c2c_cur_left(c)))
			return C2C_OK; /* set padding */
		ev.input = m->out->input;
		ev.rec = m->rec;
		ev.off = m->off;
		ev.len = m->len;
		(void)c2c_cur_be16(c, &id);
		(void)c2c_cur_be16(c, &count);
		if (count == 0) {
			/* withdrawal: the record is just (id, 0) */
			m->rec++;
			if (id == (options ? 3 : 2))
				c2c__tmpl_withdraw(m, id, true, options);
			else if (id >= 256)
				c2c__tmpl_withdraw(m, id, false, options);
			else
				c2c__exp_malformed(m);
			continue;
		}
		if (options && !c2c_cur_be16(c, &n_scope)) {
			c2c__exp_malformed(m);
			return C2C_OK;
		}
		if (id < 256 || (options && (n_scope == 0 || n_scope > count)))
			bad = true;
		for (uint16_t i = 0; !bad && i < count; i++) {
			uint16_t fid, flen;
			uint32_t pen = 0;
			if (!c2c_cur_be16(c, &fid) || !c2c_cur_be16(c, &flen) ||
			    ((fid & 0x8000) && !c2c_cur_be32(c, &pen))) {
				bad = true;
				break;
			}
			if (i < C2C_EXP_MAX_FIELDS) {
				f[i].id = fid & 0x7fff;
				f[i].len = flen;
				f[i].pen = pen;
			}
		}
		if (bad) {
			c2c__exp_malformed(m);
			return C2C_OK; /* the rest of the set cannot be framed */
		}
		m->rec++;
		m->out->st->n[C2C_ST_NF_TEMPLATES]++;
		if (count > C2C_EXP_MAX_FIELDS) {
			/* well-formed but past the cap: skipped, counted, the set goes on */
			m->out->st->n[C2C_ST_NF_TEMPLATE_LIMIT]++;
			continue;
		}
		rc = c2c__tmpl_define(m, id, options, n_scope, f, count, &ev);
		if (rc == C2C_ELIMIT)
			m->out->st->n[C2C_ST_NF_TEMPLATE_LIMIT]++;
		else if (rc != C2C_OK)
			return rc;
	}
	return C2C_OK;
}

c2c_err
c2c__ipfix_decode(struct c2c_exp_msg *m, const uint8_t *p, size_t len)
{
	struct c2c_cur c;
	uint16_t version, mlen;
	uint32_t etime, seq, domain;
	bool uncounted = false;
	c2c_err rc;

	c2c_cur_init(&c, p, len);
	if (!c2c_cur_be16(&c, &version) || !c2c_cur_be16(&c, &mlen) ||
	    !c2c_cur_be32(&c, &etime) || !c2c_cur_be32(&c, &seq) || !c2c_cur_be32(&c, &domain) ||
	    mlen < IPFIX_HDR) {
		c2c__exp_malformed(m);
		return C2C_OK;
	}
	if (mlen > len) {
		c2c__exp_malformed(m); /* truncated message: decode what is there */
	} else if (mlen < len) {
		c.end = p + mlen; /* trailing bytes are not part of this message */
		m->len = mlen;
	}
	m->version = 10;
	m->domain = domain;
	m->export_time = (c2c_time)etime * C2C_USEC;
	rc = c2c__exp_dom(m, &m->dom);
	if (rc == C2C_ENOMEM)
		return rc;

	while (c2c_cur_left(&c) >= 4) {
		uint16_t id, slen;
		struct c2c_cur set;

		(void)c2c_cur_be16(&c, &id);
		(void)c2c_cur_be16(&c, &slen);
		if (slen < 4 || !c2c_cur_sub(&c, (size_t)slen - 4, &set)) {
			c2c__exp_malformed(m);
			uncounted = true;
			break;
		}
		if (id == 2 || id == 3) {
			rc = template_set(m, &set, id == 3);
			if (rc != C2C_OK)
				return rc;
		} else if (id < 256) {
			c2c__exp_malformed(m);
		} else {
			const struct c2c_exp_tmpl *t = c2c__tmpl_find(m, id);
			if (t == NULL) {
				m->out->st->n[C2C_ST_NF_NO_TEMPLATE]++;
				uncounted = true;
				continue;
			}
			rc = c2c__tmpl_data_set(m, t, id, set.p, c2c_cur_left(&set));
			if (rc != C2C_OK)
				return rc;
		}
	}
	if (c2c_cur_left(&c) > 0)
		c2c__exp_malformed(m);
	/* The sequence number is that of the first data record in this message. Records of sets
	 * without a template cannot be counted, so the next expectation is dropped then. */
	c2c__exp_seq(m, seq, true, m->data_records);
	if (uncounted && m->dom != NULL)
		m->dom->seq_valid = false;
	return C2C_OK;
}

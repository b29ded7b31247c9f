/*
 * DNS (RFC 1035 §4; RFC 7766 for TCP): a bounded parser of one message, and the per-flow state
 * that pairs queries with responses by transaction id the way Zeek's dns.log does (one record
 * per query/response pair; a response without a query and a query without a response are
 * records too). Names are read through a cursor with a cap on compression pointers and on the
 * total length, so pointer loops and over-long names are counted, never followed forever.
 * Over TCP each message has a 2-byte length prefix; messages split across segments are
 * reassembled in a buffer capped at one maximum-size message.
 */
#include <stdio.h>
#include <string.h>

#include "ingest/app.h"

static inline void
inc(struct c2c_ingest_stats *st, enum c2c_stat s)
{
	if (st != NULL)
		st->n[s]++;
}

c2c_err
c2c__dns_name(const uint8_t *msg, size_t len, size_t off, char *out, size_t outlen,
    size_t *next)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, pos = off, wire = 0;
	unsigned ptrs = 0;
	bool jumped = false;

	if (outlen == 0)
		return C2C_EINVAL;
	out[0] = '\0';
	for (;;) {
		uint8_t l;
		if (pos >= len)
			return C2C_EFORMAT;
		l = msg[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t target;
			if (pos + 1 >= len)
				return C2C_EFORMAT;
			if (++ptrs > C2C_DNS_MAX_PTRS)
				return C2C_EFORMAT; /* a pointer loop */
			target = (size_t)(l & 0x3f) << 8 | msg[pos + 1];
			if (!jumped) {
				*next = pos + 2;
				jumped = true;
			}
			pos = target;
			continue;
		}
		if ((l & 0xc0) != 0)
			return C2C_EFORMAT; /* extended label types (RFC 6891 §5) are obsolete */
		if (l == 0) {
			if (!jumped)
				*next = pos + 1;
			break;
		}
		if (pos + 1 + l > len)
			return C2C_EFORMAT;
		wire += 1u + l;
		if (wire > 255)
			return C2C_EFORMAT;
		if (o > 0) {
			if (o + 1 >= outlen)
				return C2C_EFORMAT;
			out[o++] = '.';
		}
		for (size_t i = 0; i < l; i++) {
			uint8_t c = msg[pos + 1 + i];
			if (c >= 'A' && c <= 'Z')
				c = (uint8_t)(c - 'A' + 'a');
			if (c > ' ' && c < 0x7f && c != '\\') {
				if (o + 1 >= outlen)
					return C2C_EFORMAT;
				out[o++] = (char)c;
			} else {
				if (o + 4 >= outlen)
					return C2C_EFORMAT;
				out[o++] = '\\';
				out[o++] = 'x';
				out[o++] = hex[c >> 4];
				out[o++] = hex[c & 15];
			}
		}
		pos += 1u + l;
	}
	out[o] = '\0';
	return C2C_OK;
}

/* Copy a character-string into `out` (printable bytes as is, others as \xHH). */
static void
copy_text(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c >= ' ' && c < 0x7f && c != '\\') {
			if (o + 1 >= outlen)
				break;
			out[o++] = (char)c;
		} else {
			if (o + 4 >= outlen)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

/* One resource record of the answer section into `a`. */
static c2c_err
parse_rr(const uint8_t *msg, size_t len, size_t *off, struct c2c_dns_answer *a, char *owner,
    size_t ownerlen)
{
	struct c2c_cur c;
	uint16_t type, klass, rdlen;
	uint32_t ttl;
	size_t next, rd;

	if (c2c__dns_name(msg, len, *off, owner, ownerlen, &next) != C2C_OK)
		return C2C_EFORMAT;
	c2c_cur_init(&c, msg + next, len - next);
	if (!c2c_cur_be16(&c, &type) || !c2c_cur_be16(&c, &klass) || !c2c_cur_be32(&c, &ttl) ||
	    !c2c_cur_be16(&c, &rdlen) || c2c_cur_left(&c) < rdlen)
		return C2C_EFORMAT;
	(void)klass;
	rd = next + 10;
	*off = rd + rdlen;
	memset(a, 0, sizeof(*a));
	a->type = type;
	a->ttl = ttl;
	switch (type) {
	case 1: /* A */
		if (rdlen != 4)
			return C2C_EFORMAT;
		c2c_ip_from_v4_bytes(&a->ip, msg + rd);
		break;
	case 28: /* AAAA */
		if (rdlen != 16)
			return C2C_EFORMAT;
		c2c_ip_from_v6_bytes(&a->ip, msg + rd);
		break;
	case 2:  /* NS */
	case 5:  /* CNAME */
	case 12: /* PTR */
	case 39: /* DNAME */
		if (c2c__dns_name(msg, rd + rdlen, rd, a->text, sizeof(a->text), &next) != C2C_OK)
			return C2C_EFORMAT;
		break;
	case 15: /* MX: preference, exchange */
		if (rdlen < 3 ||
		    c2c__dns_name(msg, rd + rdlen, rd + 2, a->text, sizeof(a->text), &next) != C2C_OK)
			return C2C_EFORMAT;
		break;
	case 33: /* SRV: priority, weight, port, target */
		if (rdlen < 7 ||
		    c2c__dns_name(msg, rd + rdlen, rd + 6, a->text, sizeof(a->text), &next) != C2C_OK)
			return C2C_EFORMAT;
		break;
	case 6: /* SOA: mname first */
		if (c2c__dns_name(msg, rd + rdlen, rd, a->text, sizeof(a->text), &next) != C2C_OK)
			return C2C_EFORMAT;
		break;
	case 16: { /* TXT: Zeek logs "TXT <len> <string>" per string */
		size_t p = rd, o = 0;
		while (p < rd + rdlen) {
			size_t sl = msg[p];
			char tmp[C2C_NAME_MAX];
			int w;
			if (p + 1 + sl > rd + rdlen)
				return C2C_EFORMAT;
			copy_text(msg + p + 1, sl, tmp, sizeof(tmp));
			w = snprintf(a->text + o, sizeof(a->text) - o, "%sTXT %zu %s", o ? " " : "",
			    sl, tmp);
			if (w < 0 || (size_t)w >= sizeof(a->text) - o) {
				a->text[sizeof(a->text) - 1] = '\0';
				break;
			}
			o += (size_t)w;
			p += 1 + sl;
		}
		break;
	}
	default:
		(void)snprintf(a->text, sizeof(a->text), "<unknown type=%u>", type);
		break;
	}
	return C2C_OK;
}

c2c_err
c2c__dns_parse(const uint8_t *p, size_t len, struct c2c_dns_msg *m)
{
	struct c2c_cur c;
	uint16_t flags;
	size_t off;

	memset(m, 0, sizeof(*m));
	c2c_cur_init(&c, p, len);
	if (!c2c_cur_be16(&c, &m->id) || !c2c_cur_be16(&c, &flags) ||
	    !c2c_cur_be16(&c, &m->qdcount) || !c2c_cur_be16(&c, &m->ancount) ||
	    !c2c_cur_be16(&c, &m->nscount) || !c2c_cur_be16(&c, &m->arcount))
		return C2C_EFORMAT;
	m->qr = (flags & 0x8000) != 0;
	m->opcode = (uint8_t)((flags >> 11) & 0xf);
	m->aa = (flags & 0x0400) != 0;
	m->tc = (flags & 0x0200) != 0;
	m->rd = (flags & 0x0100) != 0;
	m->ra = (flags & 0x0080) != 0;
	m->z = (uint8_t)((flags >> 4) & 0x7);
	m->rcode = (uint8_t)(flags & 0xf);
	off = 12;
	for (unsigned i = 0; i < m->qdcount; i++) {
		char name[C2C_NAME_MAX];
		size_t next;
		struct c2c_cur q;
		uint16_t qt, qc;
		if (c2c__dns_name(p, len, off, name, sizeof(name), &next) != C2C_OK)
			return C2C_EFORMAT;
		c2c_cur_init(&q, p + next, len - next);
		if (!c2c_cur_be16(&q, &qt) || !c2c_cur_be16(&q, &qc))
			return C2C_EFORMAT;
		if (i == 0) {
			memcpy(m->qname, name, sizeof(m->qname));
			m->qtype = qt;
			m->qclass = qc;
			m->have_question = true;
		}
		off = next + 4;
	}
	for (unsigned i = 0; i < m->ancount; i++) {
		struct c2c_dns_answer a;
		char owner[C2C_NAME_MAX];
		if (parse_rr(p, len, &off, &a, owner, sizeof(owner)) != C2C_OK) {
			m->answers_truncated = true;
			break;
		}
		if (i == 0)
			memcpy(m->first_rr_name, owner, sizeof(owner));
		if (m->n_answers < C2C_DNS_MAX_ANSWERS)
			m->answers[m->n_answers++] = a;
		else
			m->answers_truncated = true;
	}
	return C2C_OK;
}

/* ---- per-flow state ----------------------------------------------------------------------- */

struct pending {
	uint16_t id, qtype, qclass;
	bool rd;
	c2c_time ts;
	struct c2c_evref ev;
	char qname[C2C_NAME_MAX];
};

struct c2c_dns_flow {
	bool tcp;
	uint8_t n;                     /* pending queries, oldest first */
	struct pending q[C2C_DNS_MAX_PENDING];
	struct c2c_buf stream[2];      /* TCP reassembly per direction ([0] originator) */
	bool skip[2];                  /* after a gap: drop until the stream is in sync again */
	struct c2c_dns_msg msg;        /* scratch */
	struct c2c_obs obs;            /* scratch */
};

struct c2c_dns_flow *
c2c__dns_flow_new(bool tcp)
{
	struct c2c_dns_flow *d = c2c_calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->tcp = tcp;
	c2c_buf_init(&d->stream[0], 65535 + 2);
	c2c_buf_init(&d->stream[1], 65535 + 2);
	return d;
}

void
c2c__dns_flow_free(struct c2c_dns_flow *d)
{
	if (d == NULL)
		return;
	c2c_buf_fini(&d->stream[0]);
	c2c_buf_fini(&d->stream[1]);
	c2c_free(d);
}

static c2c_err
deliver(struct c2c_dns_flow *d, const struct c2c_app_out *o)
{
	if (o->sink == NULL || o->sink->obs == NULL)
		return C2C_OK;
	return o->sink->obs(o->sink->ctx, &d->obs);
}

static void
obs_from_pending(struct c2c_dns_flow *d, const struct c2c_app_out *o, const struct pending *q)
{
	struct c2c_dns *x = &d->obs.u.dns;
	d->obs = o->tmpl;
	d->obs.kind = C2C_OBS_DNS;
	d->obs.ts = q->ts;
	memset(x, 0, sizeof(*x));
	x->trans_id = q->id;
	x->qtype = q->qtype;
	x->qclass = q->qclass;
	x->rd = q->rd;
	x->rcode = -1;
	x->rtt = -1;
	memcpy(x->query, q->qname, sizeof(x->query));
}

static c2c_err
on_message(struct c2c_dns_flow *d, bool is_orig, const uint8_t *p, size_t len,
    const struct c2c_app_out *o)
{
	struct c2c_dns_msg *m = &d->msg;
	struct c2c_dns *x;
	(void)is_orig;

	if (c2c__dns_parse(p, len, m) != C2C_OK) {
		inc(o->st, C2C_ST_DNS_MALFORMED);
		return C2C_OK;
	}
	inc(o->st, C2C_ST_DNS_MESSAGES);
	if (m->answers_truncated && m->n_answers < C2C_DNS_MAX_ANSWERS)
		inc(o->st, C2C_ST_DNS_BAD_NAME);
	if (!m->qr) {
		struct pending *q;
		if (d->n == C2C_DNS_MAX_PENDING) {
			/* The oldest query goes out unanswered to make room. */
			obs_from_pending(d, o, &d->q[0]);
			inc(o->st, C2C_ST_DNS_UNANSWERED);
			c2c_err rc = deliver(d, o);
			memmove(&d->q[0], &d->q[1], sizeof(d->q[0]) * (C2C_DNS_MAX_PENDING - 1));
			d->n--;
			if (rc != C2C_OK)
				return rc;
		}
		q = &d->q[d->n++];
		q->id = m->id;
		q->qtype = m->qtype;
		q->qclass = m->qclass;
		q->rd = m->rd;
		q->ts = o->tmpl.ts;
		q->ev = o->tmpl.ev;
		memcpy(q->qname, m->qname, sizeof(q->qname));
		return C2C_OK;
	}
	/* A response: pair it with the oldest query of the same id. */
	x = &d->obs.u.dns;
	unsigned i;
	for (i = 0; i < d->n; i++)
		if (d->q[i].id == m->id)
			break;
	if (i < d->n) {
		obs_from_pending(d, o, &d->q[i]);
		d->obs.ev = o->tmpl.ev; /* the response carries the answers */
		x->rtt = o->tmpl.ts - d->q[i].ts;
		memmove(&d->q[i], &d->q[i + 1], sizeof(d->q[0]) * (d->n - i - 1));
		d->n--;
		if (x->query[0] == '\0' && m->have_question)
			memcpy(x->query, m->qname, sizeof(x->query));
	} else {
		d->obs = o->tmpl;
		d->obs.kind = C2C_OBS_DNS;
		memset(x, 0, sizeof(*x));
		x->trans_id = m->id;
		x->rtt = -1;
		if (m->have_question) {
			memcpy(x->query, m->qname, sizeof(x->query));
			x->qtype = m->qtype;
			x->qclass = m->qclass;
		} else {
			/* No question (mDNS announcements): Zeek names the record after the
			 * first answer; qtype and qclass stay unset. */
			memcpy(x->query, m->first_rr_name, sizeof(x->query));
		}
		x->rd = m->rd;
	}
	x->is_response = true;
	x->rcode = m->rcode;
	x->aa = m->aa;
	x->tc = m->tc;
	x->ra = m->ra;
	x->n_answers = m->n_answers;
	x->answers_truncated = m->answers_truncated;
	memcpy(x->answers, m->answers, sizeof(x->answers[0]) * m->n_answers);
	return deliver(d, o);
}

c2c_err
c2c__dns_flow_data(struct c2c_dns_flow *d, bool is_orig, const uint8_t *p, size_t len,
    const struct c2c_app_out *o)
{
	struct c2c_buf *b;
	int s = is_orig ? 0 : 1;
	c2c_err rc = C2C_OK;

	if (!d->tcp)
		return on_message(d, is_orig, p, len, o);
	if (d->skip[s])
		return C2C_OK;
	b = &d->stream[s];
	/* Fast path: whole messages in this segment and nothing buffered. */
	while (b->len == 0 && len >= 2) {
		size_t ml = (size_t)p[0] << 8 | p[1];
		if (len < 2 + ml)
			break;
		rc = on_message(d, is_orig, p + 2, ml, o);
		if (rc != C2C_OK)
			return rc;
		p += 2 + ml;
		len -= 2 + ml;
	}
	if (len == 0)
		return C2C_OK;
	rc = c2c_buf_add(b, p, len);
	if (rc == C2C_ELIMIT) {
		c2c_buf_reset(b);
		d->skip[s] = true;
		inc(o->st, C2C_ST_DNS_MALFORMED);
		return C2C_OK;
	}
	if (rc != C2C_OK)
		return rc;
	size_t used = 0;
	while (b->len - used >= 2) {
		size_t ml = (size_t)b->data[used] << 8 | b->data[used + 1];
		if (b->len - used < 2 + ml)
			break;
		rc = on_message(d, is_orig, b->data + used + 2, ml, o);
		if (rc != C2C_OK)
			return rc;
		used += 2 + ml;
	}
	if (used > 0) {
		memmove(b->data, b->data + used, b->len - used);
		b->len -= used;
	}
	return C2C_OK;
}

void
c2c__dns_flow_gap(struct c2c_dns_flow *d, bool is_orig)
{
	int s = is_orig ? 0 : 1;
	/* A length prefix cannot be found again inside a stream: stop reading this side. */
	c2c_buf_reset(&d->stream[s]);
	d->skip[s] = true;
}

c2c_err
c2c__dns_flow_finish(struct c2c_dns_flow *d, const struct c2c_app_out *o)
{
	c2c_err rc = C2C_OK;
	for (unsigned i = 0; i < d->n && rc == C2C_OK; i++) {
		obs_from_pending(d, o, &d->q[i]);
		d->obs.ev = d->q[i].ev;
		inc(o->st, C2C_ST_DNS_UNANSWERED);
		rc = deliver(d, o);
	}
	d->n = 0;
	return rc;
}

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

/* One resource record of the answer section into `a`, with Zeek's dns.log rendering of its
 * data (base/protocols/dns/main.zeek). *hooked is false for the types whose Zeek event does not
 * reach dns.log (HINFO, CAA, OPT, TKEY, TSIG, SVCB, HTTPS, NAPTR); an empty `text` with
 * *hooked (WKS) names the query without adding an answer. */
static c2c_err
parse_rr(const uint8_t *msg, size_t len, size_t *off, struct c2c_dns_answer *a, char *owner,
    size_t ownerlen, bool *hooked)
{
	struct c2c_cur c;
	uint16_t type, klass, rdlen;
	uint32_t ttl;
	size_t next, rd;
	const uint8_t *r;

	if (c2c__dns_name(msg, len, *off, owner, ownerlen, &next) != C2C_OK)
		return C2C_EFORMAT;
	c2c_cur_init(&c, msg + next, len - next);
	if (!c2c_cur_be16(&c, &type) || !c2c_cur_be16(&c, &klass) || !c2c_cur_be32(&c, &ttl) ||
	    !c2c_cur_be16(&c, &rdlen) || c2c_cur_left(&c) < rdlen)
		return C2C_EFORMAT;
	(void)klass;
	rd = next + 10;
	r = msg + rd;
	*off = rd + rdlen;
	memset(a, 0, sizeof(*a));
	a->type = type;
	a->ttl = ttl;
	*hooked = true;
	switch (type) {
	case 1: /* A */
		if (rdlen != 4)
			return C2C_EFORMAT;
		c2c_ip_from_v4_bytes(&a->ip, r);
		break;
	case 28: /* AAAA */
		if (rdlen != 16)
			return C2C_EFORMAT;
		c2c_ip_from_v6_bytes(&a->ip, r);
		break;
	case 2:  /* NS */
	case 5:  /* CNAME */
	case 12: /* PTR */
	case 6:  /* SOA: mname */
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
	case 16:   /* TXT: "TXT <len> <string>" per string */
	case 99: { /* SPF, the same with "SPF" */
		size_t p = 0, o = 0;
		while (p < rdlen) {
			size_t sl = r[p];
			char tmp[C2C_NAME_MAX];
			int w;
			if (p + 1 + sl > rdlen)
				return C2C_EFORMAT;
			copy_text(r + p + 1, sl, tmp, sizeof(tmp));
			w = snprintf(a->text + o, sizeof(a->text) - o, "%s%s %zu %s", o ? " " : "",
			    type == 16 ? "TXT" : "SPF", sl, tmp);
			if (w < 0 || (size_t)w >= sizeof(a->text) - o) {
				a->text[sizeof(a->text) - 1] = '\0';
				break;
			}
			o += (size_t)w;
			p += 1 + sl;
		}
		break;
	}
	case 11: /* WKS: names the query, adds no answer */
		break;
	case 46: { /* RRSIG: type covered ... signer */
		char signer[C2C_NAME_MAX];
		if (rdlen < 18 ||
		    c2c__dns_name(msg, rd + rdlen, rd + 18, signer, sizeof(signer), &next) != C2C_OK)
			return C2C_EFORMAT;
		(void)snprintf(a->text, sizeof(a->text), "RRSIG %u %.200s", c2c_be16(r),
		    signer[0] ? signer : "<Root>");
		break;
	}
	case 48: /* DNSKEY: flags, protocol, algorithm */
		if (rdlen < 4)
			return C2C_EFORMAT;
		(void)snprintf(a->text, sizeof(a->text), "DNSKEY %u", r[3]);
		break;
	case 43: /* DS: key tag, algorithm, digest type */
		if (rdlen < 4)
			return C2C_EFORMAT;
		(void)snprintf(a->text, sizeof(a->text), "DS %u %u", r[2], r[3]);
		break;
	case 47: { /* NSEC: next name */
		char nxt[C2C_NAME_MAX];
		if (c2c__dns_name(msg, rd + rdlen, rd, nxt, sizeof(nxt), &next) != C2C_OK)
			return C2C_EFORMAT;
		(void)snprintf(a->text, sizeof(a->text), "NSEC %.120s %.120s", owner, nxt);
		break;
	}
	case 50:
		(void)snprintf(a->text, sizeof(a->text), "NSEC3");
		break;
	case 51:
		(void)snprintf(a->text, sizeof(a->text), "NSEC3PARAM");
		break;
	case 65534:
		(void)snprintf(a->text, sizeof(a->text), "BIND9 signing signal");
		break;
	case 44: { /* SSHFP: algorithm, type, fingerprint */
		size_t o;
		if (rdlen < 2)
			return C2C_EFORMAT;
		o = (size_t)snprintf(a->text, sizeof(a->text), "SSHFP: ");
		for (size_t i = 2; i < rdlen && o + 3 < sizeof(a->text); i++)
			o += (size_t)snprintf(a->text + o, sizeof(a->text) - o, "%02x", r[i]);
		break;
	}
	case 29: /* LOC: version, size, horizontal and vertical precision */
		if (rdlen < 4)
			return C2C_EFORMAT;
		(void)snprintf(a->text, sizeof(a->text), "LOC:  %u %u %u", r[1], r[2], r[3]);
		break;
	case 13: case 257: case 41: case 249: case 250: case 64: case 65: case 35:
		*hooked = false;
		break;
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
	bool named = false;
	for (unsigned i = 0; i < m->ancount; i++) {
		struct c2c_dns_answer a;
		char owner[C2C_NAME_MAX];
		bool hooked;
		if (parse_rr(p, len, &off, &a, owner, sizeof(owner), &hooked) != C2C_OK) {
			m->answers_truncated = true;
			break;
		}
		if (!hooked)
			continue;
		if (!named) {
			memcpy(m->first_rr_name, owner, sizeof(owner));
			named = true;
		}
		if (a.type == 11)
			continue; /* WKS */
		if (m->n_answers < C2C_DNS_MAX_ANSWERS)
			m->answers[m->n_answers++] = a;
		else
			m->answers_truncated = true;
	}
	return C2C_OK;
}

/* ---- per-flow state ----------------------------------------------------------------------- */

#define MAX_PENDING_REPLIES 4

struct pending {
	uint16_t id, qtype, qclass;
	bool rd, tc;
	c2c_time ts;
	struct c2c_evref ev;
	char qname[C2C_NAME_MAX];
};

struct c2c_dns_flow {
	bool tcp, mdns, netbios;
	uint8_t n;                     /* pending queries, oldest first */
	uint8_t nr;                    /* pending replies (seen before their query) */
	struct pending q[C2C_DNS_MAX_PENDING];
	struct c2c_obs *r;             /* MAX_PENDING_REPLIES, allocated when first needed */
	struct c2c_buf stream[2];      /* TCP reassembly per direction ([0] originator) */
	bool skip[2];                  /* after a gap: this side is not read any more */
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
c2c__dns_flow_ports(struct c2c_dns_flow *d, uint16_t resp_port)
{
	/* mDNS replies are not answers to a query of the same flow (Zeek keeps them apart);
	 * NetBIOS name queries carry encoded names. */
	d->mdns = resp_port == 5353;
	d->netbios = resp_port == 137;
}

void
c2c__dns_flow_free(struct c2c_dns_flow *d)
{
	if (d == NULL)
		return;
	c2c_buf_fini(&d->stream[0]);
	c2c_buf_fini(&d->stream[1]);
	c2c_free(d->r);
	c2c_free(d);
}

static c2c_err
deliver(const struct c2c_obs *ob, const struct c2c_app_out *o)
{
	if (o->sink == NULL || o->sink->obs == NULL)
		return C2C_OK;
	return o->sink->obs(o->sink->ctx, ob);
}

/* decode_netbios_name(): 32 letters 'A'..'P' to 16 bytes, the first 15 up to the first one
 * that is not alphanumeric, punctuation or below 3. */
static void
netbios_name(char *q)
{
	char out[16];
	size_t i;
	if (strlen(q) != 32)
		return;
	for (i = 0; i < 16; i++) {
		/* Zeek upper-cases and subtracts 'A' in byte arithmetic; so do we, mod 256. */
		unsigned hi = (unsigned char)q[2 * i], lo = (unsigned char)q[2 * i + 1];
		if (hi >= 'a' && hi <= 'z')
			hi -= 'a' - 'A';
		if (lo >= 'a' && lo <= 'z')
			lo -= 'a' - 'A';
		out[i] = (char)(uint8_t)(((hi - 'A') << 4) + (lo - 'A'));
	}
	for (i = 0; i < 15; i++) {
		unsigned char c = (unsigned char)out[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c > ' ' && c < 0x7f) || c < 3))
			break;
	}
	memcpy(q, out, i);
	q[i] = '\0';
}

static void
fill_query(struct c2c_dns *x, const struct pending *q)
{
	x->qtype = q->qtype;
	x->qclass = q->qclass;
	x->rd = q->rd;
	x->tc = q->tc;
	memcpy(x->query, q->qname, sizeof(x->query));
}

/* The reply's part of a record (Zeek's set_session for replies and do_reply). */
static void
fill_reply(struct c2c_dns *x, const struct c2c_dns_msg *m, c2c_time qts, c2c_time rts)
{
	x->is_response = true;
	x->rcode = m->rcode;
	if (m->first_rr_name[0] != '\0' || m->n_answers > 0) {
		x->aa = m->aa;
		x->ra = m->ra;
		if (x->query[0] == '\0')
			memcpy(x->query, m->first_rr_name, sizeof(x->query));
		if (x->rtt < 0 && rts != qts)
			x->rtt = rts - qts;
	}
	x->n_answers = m->n_answers;
	x->answers_truncated = m->answers_truncated;
	memcpy(x->answers, m->answers, sizeof(x->answers[0]) * m->n_answers);
}

static void
new_record(struct c2c_obs *ob, const struct c2c_app_out *o, uint16_t id)
{
	*ob = o->tmpl;
	ob->kind = C2C_OBS_DNS;
	memset(&ob->u.dns, 0, sizeof(ob->u.dns));
	ob->u.dns.trans_id = id;
	ob->u.dns.rcode = -1;
	ob->u.dns.rtt = -1;
}

static c2c_err
on_query(struct c2c_dns_flow *d, const struct c2c_dns_msg *m, const struct c2c_app_out *o)
{
	struct pending q;
	c2c_err rc = C2C_OK;

	memset(&q, 0, sizeof(q));
	q.id = m->id;
	q.ts = o->tmpl.ts;
	q.ev = o->tmpl.ev;
	q.rd = m->rd;
	q.tc = m->tc;
	if (m->have_question) {
		q.qtype = m->qtype;
		q.qclass = m->qclass;
		memcpy(q.qname, m->qname, sizeof(q.qname));
		if (d->netbios)
			netbios_name(q.qname);
	}
	/* A reply that came first waits for its query. */
	for (unsigned i = 0; !d->mdns && i < d->nr; i++) {
		if (d->r[i].u.dns.trans_id != m->id)
			continue;
		d->obs = d->r[i];
		memmove(&d->r[i], &d->r[i + 1], sizeof(d->r[0]) * (d->nr - i - 1));
		d->nr--;
		char keep[C2C_NAME_MAX];
		memcpy(keep, d->obs.u.dns.query, sizeof(keep));
		fill_query(&d->obs.u.dns, &q);
		if (!m->have_question)
			memcpy(d->obs.u.dns.query, keep, sizeof(keep));
		return deliver(&d->obs, o);
	}
	if (d->n == C2C_DNS_MAX_PENDING) {
		/* The oldest query goes out unanswered to make room. */
		new_record(&d->obs, o, d->q[0].id);
		d->obs.ts = d->q[0].ts;
		d->obs.ev = d->q[0].ev;
		fill_query(&d->obs.u.dns, &d->q[0]);
		inc(o->st, C2C_ST_DNS_UNANSWERED);
		rc = deliver(&d->obs, o);
		memmove(&d->q[0], &d->q[1], sizeof(d->q[0]) * (C2C_DNS_MAX_PENDING - 1));
		d->n--;
	}
	d->q[d->n++] = q;
	return rc;
}

static c2c_err
on_reply(struct c2c_dns_flow *d, const struct c2c_dns_msg *m, const struct c2c_app_out *o)
{
	unsigned i;

	for (i = 0; !d->mdns && i < d->n; i++)
		if (d->q[i].id == m->id)
			break;
	if (!d->mdns && i < d->n) {
		new_record(&d->obs, o, m->id);
		d->obs.ts = d->q[i].ts;
		fill_query(&d->obs.u.dns, &d->q[i]);
		fill_reply(&d->obs.u.dns, m, d->q[i].ts, o->tmpl.ts);
		memmove(&d->q[i], &d->q[i + 1], sizeof(d->q[0]) * (d->n - i - 1));
		d->n--;
		return deliver(&d->obs, o); /* ev: the reply, which carries the answers */
	}
	/* A reply without its query: named after its first answer, like Zeek. */
	new_record(&d->obs, o, m->id);
	d->obs.u.dns.rd = m->rd;
	fill_reply(&d->obs.u.dns, m, o->tmpl.ts, o->tmpl.ts);
	if (d->mdns)
		return deliver(&d->obs, o);
	if (d->r == NULL) {
		d->r = c2c_calloc(MAX_PENDING_REPLIES, sizeof(*d->r));
		if (d->r == NULL)
			return C2C_ENOMEM;
	}
	if (d->nr == MAX_PENDING_REPLIES) {
		c2c_err rc = deliver(&d->r[0], o);
		memmove(&d->r[0], &d->r[1], sizeof(d->r[0]) * (MAX_PENDING_REPLIES - 1));
		d->nr--;
		if (rc != C2C_OK)
			return rc;
	}
	d->r[d->nr++] = d->obs;
	return C2C_OK;
}

static c2c_err
on_message(struct c2c_dns_flow *d, const uint8_t *p, size_t len, const struct c2c_app_out *o)
{
	struct c2c_dns_msg *m = &d->msg;

	if (c2c__dns_parse(p, len, m) != C2C_OK) {
		inc(o->st, C2C_ST_DNS_MALFORMED);
		return C2C_OK;
	}
	inc(o->st, C2C_ST_DNS_MESSAGES);
	if (m->answers_truncated && m->n_answers < C2C_DNS_MAX_ANSWERS)
		inc(o->st, C2C_ST_DNS_BAD_NAME);
	return m->qr ? on_reply(d, m, o) : on_query(d, m, o);
}

c2c_err
c2c__dns_flow_data(struct c2c_dns_flow *d, bool is_orig, const uint8_t *p, size_t len,
    const struct c2c_app_out *o)
{
	struct c2c_buf *b;
	int s = is_orig ? 0 : 1;
	c2c_err rc = C2C_OK;

	if (!d->tcp)
		return on_message(d, p, len, o);
	if (d->skip[s])
		return C2C_OK;
	b = &d->stream[s];
	/* Fast path: whole messages in this segment and nothing buffered. */
	while (b->len == 0 && len >= 2) {
		size_t ml = (size_t)p[0] << 8 | p[1];
		if (len < 2 + ml)
			break;
		rc = on_message(d, p + 2, ml, o);
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
		rc = on_message(d, b->data + used + 2, ml, o);
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
		new_record(&d->obs, o, d->q[i].id);
		d->obs.ts = d->q[i].ts;
		d->obs.ev = d->q[i].ev;
		fill_query(&d->obs.u.dns, &d->q[i]);
		inc(o->st, C2C_ST_DNS_UNANSWERED);
		rc = deliver(&d->obs, o);
	}
	d->n = 0;
	for (unsigned i = 0; i < d->nr && rc == C2C_OK; i++)
		rc = deliver(&d->r[i], o);
	d->nr = 0;
	return rc;
}

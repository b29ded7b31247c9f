/*
 * Flow-export decoder session and the file driver for IPFIX files (RFC 5655: a plain stream of
 * IPFIX messages) and raw NetFlow v5/v9 datagram streams (datagrams written back to back).
 *
 * The session keeps per-(exporter, version, domain) state in a fixed open-addressing table
 * (struct c2c_exp_dom): the next expected sequence number, the sampling interval learnt from
 * options data (per sampler id and for the domain as a whole) and the system init time. The
 * template cache lives in tmpl.c. A message is dispatched on its version field.
 */
#include <string.h>
#include <sys/mman.h>

#include "core/cursor.h"
#include "ingest/export.h"
#include "ingest/internal.h"

static const uint8_t hash_key[16] = { 0x63, 0x32, 0x63, 0x2d, 0x65, 0x78, 0x70, 0x6f, 0x72,
	0x74, 0x2d, 0x6b, 0x65, 0x79, 0x21, 0x00 };

uint64_t
c2c__exp_key_hash(const struct c2c_ip *ip, uint8_t version, uint32_t domain, uint32_t id)
{
	uint8_t k[28];
	memcpy(k, ip->a, 16);
	k[16] = ip->family;
	k[17] = version;
	k[18] = (uint8_t)(domain >> 24);
	k[19] = (uint8_t)(domain >> 16);
	k[20] = (uint8_t)(domain >> 8);
	k[21] = (uint8_t)domain;
	k[22] = (uint8_t)(id >> 24);
	k[23] = (uint8_t)(id >> 16);
	k[24] = (uint8_t)(id >> 8);
	k[25] = (uint8_t)id;
	k[26] = k[27] = 0;
	return c2c_siphash(k, sizeof(k), hash_key);
}

struct c2c_exp *
c2c__exp_new(void)
{
	struct c2c_exp *x = c2c_calloc(1, sizeof(*x));
	if (x == NULL)
		return NULL;
	x->tslots = c2c_calloc(C2C_EXP_TSLOTS, sizeof(*x->tslots));
	x->dslots = c2c_calloc(C2C_EXP_DSLOTS, sizeof(*x->dslots));
	if (x->tslots == NULL || x->dslots == NULL) {
		c2c__exp_free(x);
		return NULL;
	}
	return x;
}

void
c2c__exp_free(struct c2c_exp *x)
{
	if (x == NULL)
		return;
	if (x->tslots != NULL) {
		for (size_t i = 0; i < C2C_EXP_TSLOTS; i++) {
			struct c2c_exp_tmpl *t = x->tslots[i];
			if (t != NULL && t != C2C_EXP_TOMB) {
				c2c_free(t->f);
				c2c_free(t);
			}
		}
	}
	if (x->dslots != NULL) {
		for (size_t i = 0; i < C2C_EXP_DSLOTS; i++)
			c2c_free(x->dslots[i]);
	}
	c2c_free(x->tslots);
	c2c_free(x->dslots);
	c2c_free(x);
}

size_t
c2c__exp_templates(const struct c2c_exp *x)
{
	return x->n_tmpl;
}

c2c_err
c2c__exp_dom(struct c2c_exp_msg *m, struct c2c_exp_dom **out)
{
	struct c2c_exp *x = m->x;
	uint64_t h;
	size_t i;
	struct c2c_exp_dom *d = x->last_d;

	if (d != NULL && d->version == m->version && d->domain == m->domain &&
	    d->exporter.family == m->exporter.family &&
	    memcmp(d->exporter.a, m->exporter.a, sizeof(d->exporter.a)) == 0) {
		*out = d;
		return C2C_OK;
	}
	h = c2c__exp_key_hash(&m->exporter, m->version, m->domain, 0);
	i = (size_t)h & (C2C_EXP_DSLOTS - 1);
	for (;;) {
		d = x->dslots[i];
		if (d == NULL)
			break;
		if (d->version == m->version && d->domain == m->domain &&
		    c2c_ip_cmp(&d->exporter, &m->exporter) == 0 && d->exporter.family ==
		    m->exporter.family) {
			x->last_d = d;
			*out = d;
			return C2C_OK;
		}
		i = (i + 1) & (C2C_EXP_DSLOTS - 1);
	}
	if (x->n_dom >= C2C_EXP_MAX_DOMAINS)
		return C2C_ELIMIT;
	d = c2c_calloc(1, sizeof(*d));
	if (d == NULL)
		return C2C_ENOMEM;
	d->exporter = m->exporter;
	d->version = m->version;
	d->domain = m->domain;
	x->dslots[i] = d;
	x->n_dom++;
	x->last_d = d;
	*out = d;
	return C2C_OK;
}

/*
 * Sequence numbers measure loss (DESIGN.md, evidence model 1). NetFlow v5 and IPFIX count data
 * records (RFC 7011 §3.1), NetFlow v9 counts export packets (RFC 3954 §5.1). A forward jump
 * below 2^24 is a gap; anything else (restart, reordering, a duplicate) resynchronises without
 * counting loss.
 */
void
c2c__exp_seq(struct c2c_exp_msg *m, uint32_t seq, bool unit_records, uint32_t n)
{
	struct c2c_exp_dom *d = m->dom;
	struct c2c_ingest_stats *st = m->out->st;
	if (d == NULL)
		return;
	if (d->seq_valid && seq != d->next_seq) {
		uint32_t gap = seq - d->next_seq;
		if (gap < (1u << 24)) {
			st->n[unit_records ? C2C_ST_NF_SEQ_GAPS : C2C_ST_NF_SEQ_GAP_PACKETS] += gap;
			if (m->out->info != NULL)
				m->out->info->loss += gap;
		} else {
			st->n[C2C_ST_NF_SEQ_RESYNC]++;
		}
	}
	d->next_seq = seq + n;
	d->seq_valid = true;
}

uint32_t
c2c__exp_dom_sampling(struct c2c_exp_msg *m, bool have_sampler, uint64_t sampler_id)
{
	struct c2c_exp_dom *d = m->dom;
	if (d == NULL)
		return 0;
	if (have_sampler) {
		for (unsigned i = 0; i < d->n_samplers; i++) {
			if (d->samplers[i].id == sampler_id)
				return d->samplers[i].interval;
		}
	}
	return d->sampling;
}

c2c_err
c2c__exp_message(struct c2c_exp *x, const struct c2c_ip *exporter, const uint8_t *p,
    size_t len, uint64_t off, const struct c2c_exp_out *out)
{
	struct c2c_exp_msg m;
	uint16_t version;

	memset(&m, 0, sizeof(m));
	m.x = x;
	m.out = out;
	if (exporter != NULL)
		m.exporter = *exporter;
	m.base = p;
	m.off = off;
	m.len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	if (out->ev_base != NULL) {
		m.off = out->ev_base->off;
		m.len = out->ev_base->len;
		m.fixed_ev = true;
	}
	out->st->n[C2C_ST_NF_MESSAGES]++;
	if (out->info != NULL && out->ev_base == NULL)
		out->info->records++;
	if (len < 4) {
		out->st->n[C2C_ST_NF_MALFORMED]++;
		if (out->info != NULL)
			out->info->malformed++;
		return C2C_OK;
	}
	version = c2c_be16(p);
	switch (version) {
	case 5:
		return c2c__nf5_decode(&m, p, len);
	case 9:
		return c2c__nf9_decode(&m, p, len);
	case 10:
		return c2c__ipfix_decode(&m, p, len);
	default:
		break;
	}
	out->st->n[C2C_ST_NF_MALFORMED]++;
	if (out->info != NULL)
		out->info->malformed++;
	return C2C_OK;
}

void
c2c__exp_malformed(struct c2c_exp_msg *m)
{
	m->out->st->n[C2C_ST_NF_MALFORMED]++;
	if (m->out->info != NULL)
		m->out->info->malformed++;
}

bool
c2c__exp_plausible(const uint8_t *p, size_t len)
{
	uint16_t v, n;
	if (len < 16)
		return false;
	v = c2c_be16(p);
	n = c2c_be16(p + 2);
	switch (v) {
	case 5:
		/* count 1..30 and the datagram holds exactly the records (RFC-less, Cisco doc) */
		return n >= 1 && n <= 30 && len >= 24 + (size_t)n * 48 &&
		    len <= 24 + (size_t)n * 48 + 64;
	case 9:
		/* count is records; the first FlowSet id is 0, 1 or >= 256 */
		if (len < 24)
			return false;
		v = c2c_be16(p + 20);
		n = c2c_be16(p + 22);
		return (v <= 1 || v >= 256) && n >= 4 && (size_t)n <= len - 20;
	case 10:
		/* the message length equals the datagram length (RFC 7011 §10.3.4) */
		if (n != len)
			return false;
		v = c2c_be16(p + 16);
		n = c2c_be16(p + 18);
		return len == 16 || ((v == 2 || v == 3 || v >= 256) && n >= 4 && n <= len - 16);
	default:
		return false;
	}
}

size_t
c2c__exp_msg_len(const uint8_t *p, size_t avail)
{
	uint16_t v, n;
	if (avail < 4)
		return 0;
	v = c2c_be16(p);
	n = c2c_be16(p + 2);
	switch (v) {
	case 5: {
		size_t l = 24 + (size_t)n * 48;
		if (n == 0 || n > 30 || avail < 24)
			return 0;
		return l <= avail ? l : avail;
	}
	case 9:
		return c2c__nf9_msg_len(p, avail);
	case 10:
		if (n < 16)
			return 0;
		return n <= avail ? n : avail;
	default:
		return 0;
	}
}

/* ---- file driver --------------------------------------------------------------------------- */

/* Peek window: an IPFIX message is at most 65535 bytes; v9 messages have no length field, so
 * the window must hold the longest datagram plus the next header. */
#define EXP_WINDOW (1u << 17)

/* Mapped input is read ahead in two ways, both hints (the results do not depend on them):
 * the cache lines EXP_PREFETCH bytes past each message are prefetched while it is decoded
 * (hardware prefetchers stop at page boundaries), and the pages of the next EXP_POPULATE bytes
 * are mapped with one MADV_POPULATE_READ call (Linux 5.14; ignored where unsupported) instead
 * of a page fault every few pages. */
#define EXP_PREFETCH 4096
#define EXP_POPULATE (1u << 20)
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

static inline void
exp_prefetch(const uint8_t *p, size_t mlen, size_t avail)
{
#if defined(__GNUC__)
	if (avail >= EXP_PREFETCH + mlen) {
		for (size_t o = 0; o < mlen; o += 64)
			__builtin_prefetch(p + EXP_PREFETCH + o);
	}
#else
	(void)p;
	(void)mlen;
	(void)avail;
#endif
}

/* `*done`: offset up to which the mapping was populated. */
static void
exp_populate(const struct c2c_rd *rd, uint64_t *done)
{
	uint64_t from, len;
	if (rd->fd < 0 || rd->map == NULL || rd->gzip || rd->pos + 2 * (uint64_t)EXP_POPULATE <= *done)
		return;
	from = *done > rd->pos ? *done : rd->pos / EXP_POPULATE * EXP_POPULATE;
	if (from >= rd->map_len)
		return;
	len = rd->map_len - from < EXP_POPULATE ? rd->map_len - from : EXP_POPULATE;
	/* `from` is a multiple of EXP_POPULATE, so page aligned in the page-aligned mapping */
	(void)madvise((void *)(uintptr_t)(rd->map + from), (size_t)len, MADV_POPULATE_READ);
	*done = from + len;
}

c2c_err
c2c__ingest_export(struct c2c_ingest_ctx *cx, struct c2c_rd *rd)
{
	struct c2c_exp *x = c2c__exp_new();
	struct c2c_exp_out out;
	uint64_t populated = 0;
	c2c_err rc = C2C_OK;

	if (x == NULL)
		return C2C_ENOMEM;
	memset(&out, 0, sizeof(out));
	out.input = cx->input;
	out.sink = cx->sink;
	out.st = cx->st;
	out.info = cx->info;
	for (;;) {
		const uint8_t *p;
		size_t avail = 0, mlen;
		uint64_t off = c2c_rd_pos(rd);
		c2c_err prc;
		exp_populate(rd, &populated);
		prc = c2c_rd_peek(rd, EXP_WINDOW, &p, &avail);
		if (prc != C2C_OK && prc != C2C_EEND) {
			rc = c2c_diag_set(cx->diag, prc, cx->path, off, "read failed: %s",
			    c2c_strerror(prc));
			break;
		}
		if (avail == 0)
			break;
		mlen = c2c__exp_msg_len(p, avail);
		if (mlen == 0) {
			/* Not a message header: nothing after it can be framed. Count it and stop;
			 * the flows before this point stay valid. */
			cx->st->n[C2C_ST_NF_MALFORMED]++;
			cx->info->malformed++;
			(void)c2c_diag_set(cx->diag, C2C_EFORMAT, cx->path, off,
			    "no NetFlow/IPFIX message header here; %zu trailing bytes ignored", avail);
			c2c_rd_advance(rd, avail);
			if (prc == C2C_EEND)
				break;
			continue;
		}
		exp_prefetch(p, mlen, avail);
		rc = c2c__exp_message(x, NULL, p, mlen, off, &out);
		if (rc != C2C_OK)
			break;
		c2c_rd_advance(rd, mlen);
		if (cx->opts->progress != NULL)
			cx->opts->progress(cx->opts->progress_ctx, rd->raw_read, cx->total,
			    cx->info->records);
	}
	c2c__exp_free(x);
	return rc;
}

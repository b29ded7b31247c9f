/*
 * Flow table: bidirectional flows with Zeek conn.log semantics.
 *
 * Flows live in one slot array (grown by doubling up to the cap, never per packet), chained
 * into a SipHash-keyed bucket array by 32-bit slot indices. Each TCP flow carries two endpoint
 * records that follow Zeek's TCP analyzer (TCPSessionAdapter.cc, TCP_Endpoint.cc) field by
 * field: relative sequence numbers with wrap counts, the INACTIVE .. RESET state machine, the
 * history letters with their repetition rules, and sizes from sequence numbers. UDP and ICMP
 * follow Zeek's UDP/ICMP analyzers, counters follow the ConnSize analyzer. Zeek's timers
 * (inactivity, connection attempt, close delay, expire) are entries of one binary min-heap with
 * lazy cancellation: a popped entry whose due time no longer matches the flow's is skipped, so
 * rescheduling never searches the heap. Flows leave the table (and reach the sink) when a timer
 * removes them, when a SYN reuses their tuple, when the cap forces an eviction, or at the end.
 */
#include "ingest/flowtab.h"

#include <string.h>

#include "ingest/app.h"

#define NONE UINT32_MAX
#define SEC C2C_USEC

/* Zeek's default timer constants (init-bare.zeek). */
#define TCP_ATTEMPT_DELAY (5 * SEC)
#define TCP_CLOSE_DELAY (5 * SEC)
#define TCP_RESET_DELAY (5 * SEC)
#define TCP_SYN_TIMEOUT (5 * SEC)
#define TCP_CONNECTION_LINGER (5 * SEC)
#define TCP_SESSION_TIMER (6 * SEC)
#define TOO_LARGE_SEQ_DELTA 1048576

enum {
	TH_FIN = 0x01,
	TH_SYN = 0x02,
	TH_RST = 0x04,
	TH_ACK = 0x10,
};

/* TCP endpoint states, numbered as Zeek's (and its script-level TCP_* constants). */
enum ep_state {
	EP_INACTIVE = 0,
	EP_SYN_SENT,
	EP_SYN_ACK_SENT,
	EP_PARTIAL,
	EP_ESTABLISHED,
	EP_CLOSED,
	EP_RESET
};

/* History masks (Zeek's HIST_*); the responder's are shifted left by 16. */
enum {
	HIST_SYN_PKT = 0x1,
	HIST_FIN_PKT = 0x2,
	HIST_RST_PKT = 0x4,
	HIST_FIN_RST_PKT = 0x8,
	HIST_DATA_PKT = 0x10,
	HIST_ACK_PKT = 0x20,
	HIST_MULTI_FLAG_PKT = 0x40,
	/* UDP's own masks (UDP.cc) */
	HIST_ORIG_DATA_PKT = 0x1,
	HIST_RESP_DATA_PKT = 0x2
};

enum app_kind { APP_NONE = 0, APP_DNS, APP_TLS, APP_HTTP, APP_DEAD };
enum tmr_kind { TMR_INACT = 0, TMR_ATTEMPT, TMR_DELETE, TMR_EXPIRE };

struct ep {
	uint32_t start_seq, last_seq, ack_seq;
	uint32_t seq_wraps, ack_wraps;
	uint8_t state, prev_state;
	bool did_close;
	uint32_t fin_cnt;
	uint64_t hist_last_syn, hist_last_fin, hist_last_rst;
	uint32_t chk_cnt, chk_thresh, rxmt_cnt, rxmt_thresh, win0_cnt, win0_thresh;
	int64_t len;  /* UDP/ICMP request/reply length, -1 while inactive */
	uint64_t pkts, ip_bytes; /* ConnSize */
	uint32_t app_next; /* next in-order stream sequence number for the parsers */
	bool app_sync;
};

struct fent {
	uint32_t hnext; /* bucket chain, or free list */
	uint32_t gen;   /* bumped when the slot is freed: stale timers are skipped */
	bool in_use, one_way, is_active, reset_seen;
	uint8_t proto, layer, tunnel, app_kind;
	uint16_t oport, rport;
	uint16_t vlan, inner_vlan;
	uint32_t tunnel_id;
	uint32_t hist_seen;
	uint64_t hash;
	uint64_t created;
	struct c2c_ip orig, resp, tun_src, tun_dst;
	c2c_time ts, last, inact_timeout;
	c2c_time inact_due, attempt_due, delete_due, expire_due; /* 0 = not armed */
	struct ep ep[2]; /* [0] originator, [1] responder */
	struct c2c_evref first_ev, last_ev;
	void *app;
	uint8_t hist_len;
	char history[C2C_HISTORY_MAX];
	char uid[C2C_UID_MAX];
	char parent[C2C_UID_MAX];
	char cid[32];
	char service[8];
};

struct tmr {
	c2c_time when;
	uint64_t order; /* push counter: equal times pop in push order */
	uint32_t idx, gen;
	uint8_t kind;
};

struct c2c_flowtab {
	struct c2c_flowtab_cfg cfg;
	struct fent *e;
	uint32_t cap, used, n, free_head;
	uint32_t *bucket;
	uint32_t nbucket; /* power of two */
	struct tmr *heap;
	size_t heap_n, heap_cap;
	uint64_t pushes, created;
	uint8_t key[16];
	c2c_time now;
	uint32_t cache_idx, cache_gen; /* the flow of the previous packet: bursts skip the hash */
};

/* ---- helpers ------------------------------------------------------------------------------ */

static inline int32_t
seq_delta(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static inline uint64_t
full_seq(uint32_t seq, uint32_t wraps)
{
	return (uint64_t)wraps << 32 | seq;
}

static inline uint64_t
rel_space(const struct ep *ep, uint32_t seq, uint32_t wraps)
{
	return full_seq(seq, wraps) - (uint64_t)ep->start_seq;
}

static inline void
inc(struct c2c_flowtab *ft, enum c2c_stat s)
{
	if (ft->cfg.st != NULL)
		ft->cfg.st->n[s]++;
}

static void
add_history(struct fent *e, char c)
{
	if (e->hist_len + 1u < sizeof(e->history)) {
		e->history[e->hist_len++] = c;
		e->history[e->hist_len] = '\0';
	}
}

/* Connection::CheckHistory: record `code` the first time `mask` is seen. True when the mask
 * was already set (the caller may then add a repeat). */
static bool
check_history(struct fent *e, uint32_t mask, char code)
{
	if ((e->hist_seen & mask) == 0) {
		e->hist_seen |= mask;
		add_history(e, code);
		return false;
	}
	return true;
}

static bool
ep_check_history(struct fent *e, int side, uint32_t mask, char code)
{
	if (side == 1) {
		mask <<= 16;
		code = (char)(code - 'A' + 'a');
	}
	return check_history(e, mask, code);
}

static void
ep_add_history(struct fent *e, int side, char code)
{
	add_history(e, side == 1 ? (char)(code - 'A' + 'a') : code);
}

/* Connection::ScaledHistoryEntry: the letter again at 1, 10, 100, ... occurrences. */
static void
scaled_history(struct fent *e, char code, uint32_t *cnt, uint32_t *thresh)
{
	if (++*cnt == *thresh) {
		add_history(e, code);
		uint64_t nt = (uint64_t)*thresh * 10;
		if (nt > UINT32_MAX)
			*cnt = 0;
		else
			*thresh = (uint32_t)nt;
	}
}

static uint64_t
hash_key(const struct c2c_flowtab *ft, const struct c2c_ip *a, uint16_t ap,
    const struct c2c_ip *b, uint16_t bp, uint8_t proto, bool one_way)
{
	uint8_t k[16 + 16 + 2 + 2 + 2];
	/* Two-way flows hash in canonical order (Zeek's ConnKey); one-way ICMP keeps its order. */
	if (!one_way) {
		int c = c2c_ip_cmp(a, b);
		if (c > 0 || (c == 0 && ap > bp)) {
			const struct c2c_ip *t = a;
			uint16_t tp = ap;
			a = b;
			b = t;
			ap = bp;
			bp = tp;
		}
	}
	memcpy(k, a->a, 16);
	memcpy(k + 16, b->a, 16);
	k[32] = (uint8_t)(ap >> 8);
	k[33] = (uint8_t)ap;
	k[34] = (uint8_t)(bp >> 8);
	k[35] = (uint8_t)bp;
	k[36] = proto;
	k[37] = (uint8_t)(one_way ? 1 : 0) | (uint8_t)(a->family == 6 ? 2 : 0);
	return c2c_siphash(k, sizeof(k), ft->key);
}

/* ---- timers ------------------------------------------------------------------------------- */

static bool
tmr_less(const struct tmr *x, const struct tmr *y)
{
	return x->when < y->when || (x->when == y->when && x->order < y->order);
}

static c2c_err
tmr_push(struct c2c_flowtab *ft, uint32_t idx, enum tmr_kind kind, c2c_time when)
{
	struct tmr t;
	size_t i;

	if (ft->heap_n == ft->heap_cap) {
		size_t nc = ft->heap_cap ? ft->heap_cap * 2 : 1024;
		struct tmr *nh = c2c_reallocarray(ft->heap, nc, sizeof(*nh));
		if (nh == NULL)
			return C2C_ENOMEM;
		ft->heap = nh;
		ft->heap_cap = nc;
	}
	t.when = when;
	t.order = ft->pushes++;
	t.idx = idx;
	t.gen = ft->e[idx].gen;
	t.kind = (uint8_t)kind;
	i = ft->heap_n++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!tmr_less(&t, &ft->heap[p]))
			break;
		ft->heap[i] = ft->heap[p];
		i = p;
	}
	ft->heap[i] = t;
	return C2C_OK;
}

static void
tmr_pop(struct c2c_flowtab *ft)
{
	struct tmr last = ft->heap[--ft->heap_n];
	size_t i = 0, n = ft->heap_n;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && tmr_less(&ft->heap[c + 1], &ft->heap[c]))
			c++;
		if (!tmr_less(&ft->heap[c], &last))
			break;
		ft->heap[i] = ft->heap[c];
		i = c;
	}
	if (n > 0)
		ft->heap[i] = last;
}

static c2c_err
arm(struct c2c_flowtab *ft, uint32_t idx, enum tmr_kind kind, c2c_time when)
{
	struct fent *e = &ft->e[idx];
	switch (kind) {
	case TMR_INACT:
		e->inact_due = when;
		break;
	case TMR_ATTEMPT:
		e->attempt_due = when;
		break;
	case TMR_DELETE:
		e->delete_due = when;
		break;
	case TMR_EXPIRE:
		e->expire_due = when;
		break;
	}
	return tmr_push(ft, idx, kind, when);
}

/* Connection::SetInactivityTimeout: a new timeout re-arms the timer from the last packet. */
static c2c_err
set_inactivity(struct c2c_flowtab *ft, uint32_t idx, c2c_time timeout)
{
	struct fent *e = &ft->e[idx];
	if (timeout == e->inact_timeout)
		return C2C_OK;
	e->inact_timeout = timeout;
	if (timeout <= 0) {
		e->inact_due = 0;
		return C2C_OK;
	}
	return arm(ft, idx, TMR_INACT, e->last + timeout);
}

/* ---- slots, hashing ----------------------------------------------------------------------- */

static c2c_err
grow(struct c2c_flowtab *ft)
{
	uint32_t nc, nb;
	struct fent *ne;
	uint32_t *nbk;

	if (ft->cap >= ft->cfg.max_flows)
		return C2C_ELIMIT;
	nc = ft->cap ? ft->cap * 2 : 1024;
	if (nc > ft->cfg.max_flows)
		nc = ft->cfg.max_flows;
	ne = c2c_reallocarray(ft->e, nc, sizeof(*ne));
	if (ne == NULL)
		return C2C_ENOMEM;
	ft->e = ne;
	for (uint32_t i = ft->cap; i < nc; i++) {
		memset(&ft->e[i], 0, sizeof(ft->e[i]));
		ft->e[i].hnext = i + 1 < nc ? i + 1 : ft->free_head;
	}
	ft->free_head = ft->cap;
	ft->cap = nc;
	/* Keep the load factor at or below 1/2. */
	nb = ft->nbucket ? ft->nbucket : 2048;
	while (nb < 2 * nc)
		nb *= 2;
	if (nb != ft->nbucket) {
		nbk = c2c_reallocarray(NULL, nb, sizeof(*nbk));
		if (nbk == NULL)
			return C2C_ENOMEM;
		for (uint32_t i = 0; i < nb; i++)
			nbk[i] = NONE;
		for (uint32_t i = 0; i < ft->cap; i++) {
			struct fent *e = &ft->e[i];
			if (!e->in_use)
				continue;
			uint32_t b = (uint32_t)(e->hash & (nb - 1));
			e->hnext = nbk[b];
			nbk[b] = i;
		}
		c2c_free(ft->bucket);
		ft->bucket = nbk;
		ft->nbucket = nb;
	}
	return C2C_OK;
}

static void
unlink_slot(struct c2c_flowtab *ft, uint32_t idx)
{
	struct fent *e = &ft->e[idx];
	uint32_t *pp = &ft->bucket[e->hash & (ft->nbucket - 1)];
	while (*pp != NONE && *pp != idx)
		pp = &ft->e[*pp].hnext;
	if (*pp == idx)
		*pp = e->hnext;
	e->in_use = false;
	e->gen++;
	e->hnext = ft->free_head;
	ft->free_head = idx;
	ft->n--;
}

/* ---- emission ----------------------------------------------------------------------------- */

static const char *
community_id(struct c2c_flowtab *ft, struct fent *e)
{
	if (e->cid[0] == '\0' && ft->cfg.community_id)
		(void)c2c__community_id(&e->orig, &e->resp, e->oport, e->rport, e->proto,
		    ft->cfg.community_seed, true, e->cid, sizeof(e->cid));
	return e->cid;
}

static void
obs_template(struct c2c_flowtab *ft, struct fent *e, c2c_time ts, const struct c2c_evref *ev,
    struct c2c_app_out *o)
{
	o->sink = ft->cfg.sink;
	o->st = ft->cfg.st;
	o->tmpl.ts = ts;
	o->tmpl.orig = e->orig;
	o->tmpl.resp = e->resp;
	o->tmpl.orig_port = e->oport;
	o->tmpl.resp_port = e->rport;
	o->tmpl.proto = e->proto;
	o->tmpl.uid = e->uid;
	o->tmpl.community_id = community_id(ft, e);
	o->tmpl.ev = *ev;
}

static c2c_err
app_finish(struct c2c_flowtab *ft, struct fent *e)
{
	struct c2c_app_out o;
	c2c_err rc = C2C_OK;

	if (e->app == NULL)
		return C2C_OK;
	obs_template(ft, e, e->last, &e->last_ev, &o);
	switch (e->app_kind) {
	case APP_DNS:
		rc = c2c__dns_flow_finish(e->app, &o);
		c2c__dns_flow_free(e->app);
		break;
	case APP_TLS:
		rc = c2c__tls_flow_finish(e->app, &o);
		c2c__tls_flow_free(e->app);
		break;
	case APP_HTTP:
		rc = c2c__http_flow_finish(e->app, &o);
		c2c__http_flow_free(e->app);
		break;
	default:
		break;
	}
	e->app = NULL;
	e->app_kind = APP_DEAD;
	return rc;
}

/* TCP_Endpoint::Size. */
static uint64_t
ep_size(const struct ep *ep, const struct ep *peer)
{
	uint64_t size, last64, ack64;

	if (ep->prev_state == EP_SYN_SENT && ep->state == EP_RESET && peer->state == EP_INACTIVE) {
		uint64_t ack = full_seq(ep->ack_seq, ep->ack_wraps), start = ep->start_seq;
		if (!(ack == start || ack == start + 1))
			return 0; /* a half-open connection discovered and aborted */
	}
	last64 = full_seq(ep->last_seq, ep->seq_wraps);
	ack64 = full_seq(ep->ack_seq, ep->ack_wraps);
	size = (last64 > ack64 ? last64 : ack64) - (uint64_t)ep->start_seq;
	if (size != 0)
		--size; /* the SYN octet */
	if (ep->fin_cnt > 0 && size != 0)
		--size; /* the FIN octet */
	return size;
}

/* /^\^?S[^HAFGIQ]*R.*$/ (conn_state's test for RSTOS0). */
static bool
rstos0_history(const char *h)
{
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return false;
	for (; *h != '\0'; h++) {
		if (*h == 'R')
			return true;
		if (strchr("HAFGIQ", *h) != NULL)
			return false;
	}
	return false;
}

/* base/protocols/conn/main.zeek conn_state(). */
static enum c2c_conn_state
conn_state(const struct fent *e, uint64_t osize, uint64_t rsize)
{
	if (e->proto == 6) {
		int os = e->ep[0].state, rs = e->ep[1].state;
		bool o_inactive = os == EP_INACTIVE || os == EP_PARTIAL;
		bool r_inactive = rs == EP_INACTIVE || rs == EP_PARTIAL;
		if (rs == EP_RESET) {
			if (os == EP_SYN_SENT || os == EP_SYN_ACK_SENT ||
			    (os == EP_RESET && osize == 0 && rsize == 0))
				return C2C_CS_REJ;
			return o_inactive ? C2C_CS_RSTRH : C2C_CS_RSTR;
		}
		if (os == EP_RESET) {
			if (r_inactive)
				return rstos0_history(e->history) ? C2C_CS_RSTOS0 : C2C_CS_OTH;
			return C2C_CS_RSTO;
		}
		if (rs == EP_CLOSED && os == EP_CLOSED)
			return C2C_CS_SF;
		if (os == EP_CLOSED)
			return r_inactive ? C2C_CS_SH : C2C_CS_S2;
		if (rs == EP_CLOSED)
			return o_inactive ? C2C_CS_SHR : C2C_CS_S3;
		if (os == EP_SYN_SENT && rs == EP_INACTIVE)
			return C2C_CS_S0;
		if (os == EP_ESTABLISHED && rs == EP_ESTABLISHED)
			return C2C_CS_S1;
		return C2C_CS_OTH;
	}
	if (e->proto == 17) {
		if (e->ep[0].len >= 0)
			return e->ep[1].len >= 0 ? C2C_CS_SF : C2C_CS_S0;
		return e->ep[1].len >= 0 ? C2C_CS_SHR : C2C_CS_OTH;
	}
	return C2C_CS_OTH;
}

static bool
tcp_closed(const struct fent *e)
{
	return (e->ep[0].did_close && e->ep[1].did_close) || e->ep[0].state == EP_RESET ||
	    e->ep[1].state == EP_RESET;
}

/* Remove a flow and deliver it (with its pending observations first). */
static c2c_err
emit(struct c2c_flowtab *ft, uint32_t idx, bool open)
{
	struct fent *e = &ft->e[idx];
	struct c2c_flow f;
	uint64_t osize = 0, rsize = 0;
	c2c_err rc;

	rc = app_finish(ft, e);
	memset(&f, 0, sizeof(f));
	f.ts = e->ts;
	f.last = e->last;
	f.orig = e->orig;
	f.resp = e->resp;
	f.orig_port = e->oport;
	f.resp_port = e->rport;
	f.proto = e->proto;
	f.src = C2C_SRC_PCAP;
	f.tunnel = e->tunnel;
	f.tunnel_id = e->tunnel_id;
	f.tun_outer_src = e->tun_src;
	f.tun_outer_dst = e->tun_dst;
	f.vlan = e->vlan;
	f.inner_vlan = e->inner_vlan;
	f.orig_pkts = e->ep[0].pkts;
	f.resp_pkts = e->ep[1].pkts;
	f.orig_ip_bytes = e->ep[0].ip_bytes;
	f.resp_ip_bytes = e->ep[1].ip_bytes;
	if (e->proto == 6) {
		osize = ep_size(&e->ep[0], &e->ep[1]);
		rsize = ep_size(&e->ep[1], &e->ep[0]);
	} else if (e->proto == 17 || e->proto == 1 || e->proto == 58) {
		osize = e->ep[0].len > 0 ? (uint64_t)e->ep[0].len : 0;
		rsize = e->ep[1].len > 0 ? (uint64_t)e->ep[1].len : 0;
	}
	f.orig_bytes = osize;
	f.resp_bytes = rsize;
	f.missed_bytes = 0;
	f.state = (uint8_t)conn_state(e, osize, rsize);
	f.have = C2C_HAVE_RESP_COUNTERS | C2C_HAVE_PAYLOAD_BYTES | C2C_HAVE_STATE |
	    C2C_HAVE_HISTORY | C2C_HAVE_DURATION | C2C_HAVE_UID;
	if (e->service[0] != '\0')
		f.have |= C2C_HAVE_SERVICE;
	if (open)
		f.have |= C2C_HAVE_OPEN;
	memcpy(f.history, e->history, sizeof(f.history));
	memcpy(f.uid, e->uid, sizeof(f.uid));
	memcpy(f.service, e->service, sizeof(e->service));
	memcpy(f.community_id, community_id(ft, e), sizeof(f.community_id));
	memcpy(f.tunnel_parent, e->parent, sizeof(f.tunnel_parent));
	f.first_ev = e->first_ev;
	f.last_ev = e->last_ev;
	inc(ft, C2C_ST_FLOW_EMITTED);
	unlink_slot(ft, idx);
	if (rc != C2C_OK)
		return rc;
	f.seq = ft->cfg.st != NULL ? ft->cfg.st->n[C2C_ST_FLOW_EMITTED] : 0;
	if (ft->cfg.sink != NULL && ft->cfg.sink->flow != NULL)
		return ft->cfg.sink->flow(ft->cfg.sink->ctx, &f);
	return C2C_OK;
}

/* Fire every timer due at or before `now` (Zeek advances its timer manager to the packet's time
 * before dispatching the packet). */
static c2c_err
run_timers(struct c2c_flowtab *ft, c2c_time now)
{
	c2c_err rc = C2C_OK;

	while (rc == C2C_OK && ft->heap_n > 0 && ft->heap[0].when <= now) {
		struct tmr t = ft->heap[0];
		struct fent *e = &ft->e[t.idx];
		tmr_pop(ft);
		if (!e->in_use || e->gen != t.gen)
			continue;
		switch (t.kind) {
		case TMR_INACT:
			if (t.when != e->inact_due || e->inact_timeout <= 0)
				break;
			if (e->last + e->inact_timeout <= t.when) {
				inc(ft, C2C_ST_FLOW_TIMED_OUT);
				rc = emit(ft, t.idx, e->proto != 6 || !tcp_closed(e));
			} else {
				rc = arm(ft, t.idx, TMR_INACT, e->last + e->inact_timeout);
			}
			break;
		case TMR_ATTEMPT:
			if (t.when != e->attempt_due || !e->is_active)
				break;
			if ((e->ep[0].state == EP_SYN_SENT || e->ep[0].state == EP_SYN_ACK_SENT) &&
			    e->ep[1].state == EP_INACTIVE) {
				inc(ft, C2C_ST_FLOW_TIMED_OUT);
				rc = emit(ft, t.idx, true);
			}
			break;
		case TMR_DELETE:
			if (t.when != e->delete_due)
				break;
			inc(ft, C2C_ST_FLOW_CLOSED);
			rc = emit(ft, t.idx, !tcp_closed(e));
			break;
		case TMR_EXPIRE: {
			struct ep *o = &e->ep[0], *r = &e->ep[1];
			if (t.when != e->expire_due || !e->is_active)
				break;
			if (e->last + TCP_CONNECTION_LINGER < t.when) {
				if ((o->did_close || r->did_close) &&
				    ((o->did_close && r->did_close) || o->state == EP_RESET ||
					r->state == EP_RESET || o->state == EP_INACTIVE ||
					r->state == EP_INACTIVE)) {
					inc(ft, C2C_ST_FLOW_TIMED_OUT);
					rc = emit(ft, t.idx, !tcp_closed(e));
					break;
				}
				if (r->state == EP_INACTIVE && o->state == EP_INACTIVE) {
					inc(ft, C2C_ST_FLOW_TIMED_OUT);
					rc = emit(ft, t.idx, true);
					break;
				}
			}
			rc = arm(ft, t.idx, TMR_EXPIRE, t.when + TCP_SESSION_TIMER);
			break;
		}
		default:
			break;
		}
	}
	return rc;
}

/* ---- flow creation ------------------------------------------------------------------------ */

/* Zeek's likely_server_ports in its default configuration: the ports its base protocol
 * scripts add (DNS, HTTP, SSL/DTLS/QUIC, SSH, FTP, SMTP, POP3, IMAP, DCE-RPC, SMB, Kerberos,
 * LDAP, RDP, SIP, SNMP, Syslog, NTP, RADIUS, DHCP, DNP3, Modbus, MySQL, SOCKS, Teredo,
 * VXLAN, Geneve, GTP, AYIYA). Used only to guess the responder of a flow seen mid-stream. */
static bool
likely_server_port(uint8_t proto, uint16_t port)
{
	static const uint16_t tcp[] = { 21, 22, 25, 53, 80, 81, 88, 102, 110, 135, 139, 143, 389,
		443, 445, 502, 563, 585, 587, 614, 631, 636, 989, 990, 992, 993, 995, 1080, 2811,
		3128, 3268, 3306, 3389, 5223, 8000, 8080, 8888, 20000 };
	static const uint16_t udp[] = { 53, 67, 69, 88, 123, 137, 161, 162, 443, 514, 1812, 2123,
		2152, 3478, 3544, 4789, 5060, 5072, 5353, 5355, 6081, 20000 };
	const uint16_t *t = proto == 6 ? tcp : udp;
	size_t n = proto == 6 ? C2C_ARRAY_LEN(tcp) : C2C_ARRAY_LEN(udp);
	for (size_t i = 0; i < n; i++)
		if (t[i] == port)
			return true;
	return false;
}

static void
make_uid(const struct c2c_flowtab *ft, const struct c2c_evref *ev, uint8_t layer, char *out)
{
	static const char b62[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	static const uint8_t k2[16] = { 'c', '2', 'c', 'h', 'a', 'i', 'n', '-', 'u', 'i', 'd', '-',
		'v', '1', 'b', 0 };
	uint8_t m[4 + 8 + 4 + 1];
	uint64_t a, b;
	(void)ft;
	m[0] = (uint8_t)(ev->input >> 24);
	m[1] = (uint8_t)(ev->input >> 16);
	m[2] = (uint8_t)(ev->input >> 8);
	m[3] = (uint8_t)ev->input;
	for (int i = 0; i < 8; i++)
		m[4 + i] = (uint8_t)(ev->off >> (56 - 8 * i));
	m[12] = (uint8_t)((uint32_t)ev->rec >> 24);
	m[13] = (uint8_t)((uint32_t)ev->rec >> 16);
	m[14] = (uint8_t)((uint32_t)ev->rec >> 8);
	m[15] = (uint8_t)ev->rec;
	m[16] = layer;
	a = c2c_siphash(m, sizeof(m), (const uint8_t *)"c2chain-uid-v1a\0");
	b = c2c_siphash(m, sizeof(m), k2) & 0xffffffffu;
	out[0] = 'C';
	for (int i = 11; i >= 1; i--) {
		out[i] = b62[a % 62];
		a /= 62;
	}
	for (int i = 17; i >= 12; i--) {
		out[i] = b62[b % 62];
		b /= 62;
	}
	out[18] = '\0';
}

/* Evict the flow whose timer is due first (the one Zeek would drop soonest). */
static c2c_err
evict_one(struct c2c_flowtab *ft)
{
	while (ft->heap_n > 0) {
		struct tmr t = ft->heap[0];
		struct fent *e = &ft->e[t.idx];
		tmr_pop(ft);
		if (!e->in_use || e->gen != t.gen)
			continue;
		inc(ft, C2C_ST_FLOW_EVICTED_CAP);
		return emit(ft, t.idx, true);
	}
	/* No timer at all: drop the oldest slot in use (cannot happen: every flow has one). */
	for (uint32_t i = 0; i < ft->cap; i++)
		if (ft->e[i].in_use) {
			inc(ft, C2C_ST_FLOW_EVICTED_CAP);
			return emit(ft, i, true);
		}
	return C2C_OK;
}

static c2c_err
new_flow(struct c2c_flowtab *ft, const struct c2c_pkt *pkt, const struct c2c_l4 *l,
    uint8_t layer, uint16_t sport, uint16_t dport, bool one_way, uint64_t h, uint32_t *out)
{
	struct fent *e;
	uint32_t idx, b;
	c2c_err rc;

	if (ft->free_head == NONE) {
		rc = grow(ft);
		if (rc == C2C_ELIMIT)
			rc = evict_one(ft);
		if (rc != C2C_OK)
			return rc;
		if (ft->free_head == NONE)
			return C2C_ENOMEM;
	}
	idx = ft->free_head;
	e = &ft->e[idx];
	ft->free_head = e->hnext;
	uint32_t gen = e->gen;
	memset(e, 0, sizeof(*e));
	e->gen = gen;
	e->in_use = true;
	e->is_active = true;
	e->hash = h;
	e->one_way = one_way;
	e->proto = l->proto;
	e->layer = layer;
	e->orig = l->src;
	e->resp = l->dst;
	e->oport = sport;
	e->rport = dport;
	e->tunnel = l->tunnel;
	e->tunnel_id = l->tunnel_id;
	e->tun_src = l->tun_src;
	e->tun_dst = l->tun_dst;
	e->ts = e->last = pkt->ts;
	e->created = ft->created++;
	e->first_ev = e->last_ev = pkt->ev;
	for (int s = 0; s < 2; s++) {
		e->ep[s].len = -1;
		e->ep[s].chk_thresh = e->ep[s].rxmt_thresh = e->ep[s].win0_thresh = 1;
	}
	make_uid(ft, &pkt->ev, layer, e->uid);
	b = (uint32_t)(h & (ft->nbucket - 1));
	e->hnext = ft->bucket[b];
	ft->bucket[b] = idx;
	ft->n++;
	inc(ft, C2C_ST_FLOW_CREATED);
	*out = idx;
	return C2C_OK;
}

/* Connection::FlipRoles: swap the endpoints and their counters, note '^'. The history mask is
 * not swapped (Zeek does not either). */
static void
flip_roles(struct fent *e)
{
	struct c2c_ip t = e->orig;
	uint16_t tp = e->oport;
	struct ep te = e->ep[0];
	e->orig = e->resp;
	e->resp = t;
	e->oport = e->rport;
	e->rport = tp;
	e->ep[0] = e->ep[1];
	e->ep[1] = te;
	e->cid[0] = '\0';
	add_history(e, '^');
}

/* ---- TCP (TCPSessionAdapter::Process) ----------------------------------------------------- */

static void
init_endpoint(struct ep *ep, uint8_t flags, uint32_t first_seq, uint32_t last_seq)
{
	switch (ep->state) {
	case EP_INACTIVE:
		if (flags & TH_SYN) {
			ep->ack_seq = first_seq;
			ep->start_seq = first_seq;
		} else {
			ep->ack_seq = first_seq - 1;
			ep->start_seq = first_seq - 1;
			last_seq = first_seq;
		}
		ep->last_seq = last_seq;
		break;
	case EP_SYN_SENT:
	case EP_SYN_ACK_SENT:
		if ((flags & TH_SYN) && first_seq != ep->start_seq) {
			ep->start_seq = ep->ack_seq = first_seq;
			ep->last_seq = last_seq;
		}
		break;
	case EP_ESTABLISHED:
	case EP_PARTIAL:
		if (flags & TH_SYN) {
			ep->start_seq = ep->ack_seq = first_seq;
			ep->last_seq = last_seq;
		}
		break;
	case EP_RESET:
		if ((flags & TH_SYN) && ep->prev_state == EP_INACTIVE) {
			ep->start_seq = ep->ack_seq = first_seq;
			ep->last_seq = last_seq;
		}
		break;
	default:
		break;
	}
}

static uint64_t
relative_seq(const struct ep *ep, uint32_t cur, uint32_t last, uint32_t wraps, bool *underflow)
{
	int32_t d = seq_delta(cur, last);
	if (d < 0) {
		if (wraps && cur > last)
			--wraps;
	} else if (d > 0) {
		if (cur < last)
			++wraps;
	}
	if (wraps == 0) {
		d = seq_delta(cur, ep->start_seq);
		if (d < 0)
			*underflow = true;
		return (uint64_t)(int64_t)d;
	}
	return rel_space(ep, cur, wraps);
}

static void
update_history(struct fent *e, int side, uint8_t flags, uint64_t rel_seq, uint32_t len)
{
	struct ep *ep = &e->ep[side];
	int bits = ((flags & TH_SYN) != 0) + ((flags & TH_FIN) != 0) + ((flags & TH_RST) != 0);

	if (bits > 1) {
		if ((flags & TH_FIN) && (flags & TH_RST))
			(void)ep_check_history(e, side, HIST_FIN_RST_PKT, 'I');
		else
			(void)ep_check_history(e, side, HIST_MULTI_FLAG_PKT, 'Q');
	} else if (bits == 1) {
		if (flags & TH_SYN) {
			char code = (flags & TH_ACK) ? 'H' : 'S';
			if (ep_check_history(e, side, HIST_SYN_PKT, code) &&
			    rel_seq != ep->hist_last_syn)
				ep_add_history(e, side, code);
			ep->hist_last_syn = rel_seq;
		}
		if (flags & TH_FIN) {
			if (ep_check_history(e, side, HIST_FIN_PKT, 'F') &&
			    rel_seq + len != ep->hist_last_fin)
				ep_add_history(e, side, 'F');
			ep->hist_last_fin = rel_seq + len;
		}
		if (flags & TH_RST) {
			if (ep_check_history(e, side, HIST_RST_PKT, 'R') &&
			    rel_seq != ep->hist_last_rst)
				ep_add_history(e, side, 'R');
			ep->hist_last_rst = rel_seq;
		}
	} else {
		if (len)
			(void)ep_check_history(e, side, HIST_DATA_PKT, 'D');
		else if (flags & TH_ACK)
			(void)ep_check_history(e, side, HIST_ACK_PKT, 'A');
	}
}

static void
update_last_seq(struct fent *e, int side, uint32_t last_seq, uint8_t flags, uint32_t len,
    int32_t *delta_out)
{
	struct ep *ep = &e->ep[side];
	int32_t d = seq_delta(last_seq, ep->last_seq);

	if ((flags & (TH_SYN | TH_RST)) && (d > TOO_LARGE_SEQ_DELTA || d < -TOO_LARGE_SEQ_DELTA)) {
		/* untrusted */
	} else if ((flags & TH_FIN) && ep->last_seq == ep->start_seq + 1) {
		if (last_seq < ep->last_seq)
			ep->seq_wraps++;
		ep->last_seq = last_seq;
	} else if (ep->state == EP_RESET) {
		/* nothing after a reset is trusted */
	} else if (d > 0) {
		if (last_seq < ep->last_seq)
			ep->seq_wraps++;
		ep->last_seq = last_seq;
	} else if (len > 0) {
		scaled_history(e, side ? 't' : 'T', &ep->rxmt_cnt, &ep->rxmt_thresh);
	}
	*delta_out = d;
}

static void
set_state(struct c2c_flowtab *ft, uint32_t idx, int side, uint8_t ns, c2c_err *rc)
{
	struct fent *e = &ft->e[idx];
	struct ep *ep = &e->ep[side], *peer = &e->ep[!side];
#define HANDSHAKE(s) ((s) == EP_INACTIVE || (s) == EP_SYN_SENT || (s) == EP_SYN_ACK_SENT)
	if (ns == ep->state)
		return;
	/* Finishing the handshake switches to the TCP inactivity timeout. */
	if (!HANDSHAKE(ns) && HANDSHAKE(ep->state) && HANDSHAKE(peer->state) && *rc == C2C_OK)
		*rc = set_inactivity(ft, idx, ft->cfg.tcp_inactivity);
#undef HANDSHAKE
	ep->prev_state = ep->state;
	ep->state = ns;
}

/* TCPSessionAdapter::ConnectionClosed, without the reassembler's deferral. */
static c2c_err
connection_closed(struct c2c_flowtab *ft, uint32_t idx, int side)
{
	struct fent *e = &ft->e[idx];
	struct ep *ep = &e->ep[side], *peer = &e->ep[!side];

	if (ep->did_close)
		return C2C_OK;
	ep->did_close = true;
	if (ep->state == EP_RESET || peer->did_close || peer->state == EP_INACTIVE) {
		e->is_active = false;
		e->attempt_due = e->expire_due = 0; /* CancelTimers */
		return arm(ft, idx, TMR_DELETE, e->last + TCP_CLOSE_DELAY);
	}
	if (ep->prev_state != EP_INACTIVE)
		return arm(ft, idx, TMR_EXPIRE, e->last + TCP_SESSION_TIMER);
	return C2C_OK;
}

static c2c_err
tcp_state_machine(struct c2c_flowtab *ft, uint32_t idx, int *sidep, uint8_t flags,
    uint32_t base_seq, uint32_t len, int32_t delta_last, bool *do_close)
{
	struct fent *e = &ft->e[idx];
	int side = *sidep;
	struct ep *ep = &e->ep[side], *peer = &e->ep[!side];
	bool is_orig = side == 0;
	c2c_err rc = C2C_OK;

	(void)delta_last;
	*do_close = false;
	switch (ep->state) {
	case EP_INACTIVE:
		if (flags & TH_SYN) {
			if (is_orig) {
				set_state(ft, idx, side, (flags & TH_ACK) ? EP_SYN_ACK_SENT :
				    EP_SYN_SENT, &rc);
				if (rc == C2C_OK)
					rc = arm(ft, idx, TMR_ATTEMPT, ft->now + TCP_ATTEMPT_DELAY);
			} else {
				if (!(flags & TH_ACK) && peer->state == EP_SYN_ACK_SENT &&
				    base_seq == ep->start_seq) {
					/* SYN/SYN-ACK reversal: flip and establish. */
					flip_roles(e);
					side = !side;
					ep = &e->ep[side];
					peer = &e->ep[!side];
					set_state(ft, idx, !side, EP_ESTABLISHED, &rc);
				}
				if (peer->state == EP_SYN_SENT)
					set_state(ft, idx, !side, EP_ESTABLISHED, &rc);
				set_state(ft, idx, side, EP_ESTABLISHED, &rc);
			}
		}
		if (flags & TH_FIN) {
			set_state(ft, idx, side, EP_CLOSED, &rc);
			*do_close = true;
		}
		if (flags & TH_RST) {
			set_state(ft, idx, side, EP_RESET, &rc);
			*do_close = true;
		}
		if (ep->state == EP_INACTIVE) {
			if (!is_orig && len == 0 && e->ep[0].state == EP_SYN_SENT) {
				/* an eccentric TCP acking the SYN before its SYN-ACK */
			} else if ((flags & TH_ACK) && peer->state == EP_ESTABLISHED) {
				set_state(ft, idx, side, EP_ESTABLISHED, &rc);
			} else {
				set_state(ft, idx, side, EP_PARTIAL, &rc);
			}
		}
		break;
	case EP_SYN_SENT:
	case EP_SYN_ACK_SENT:
		if (flags & TH_FIN) {
			set_state(ft, idx, side, EP_CLOSED, &rc);
			*do_close = true;
		}
		if (flags & TH_RST) {
			set_state(ft, idx, side, EP_RESET, &rc);
			e->is_active = false;
			*do_close = true;
		}
		break;
	case EP_ESTABLISHED:
	case EP_PARTIAL:
		if ((flags & TH_SYN) && ep->state == EP_PARTIAL && peer->state == EP_INACTIVE &&
		    !(flags & TH_ACK))
			set_state(ft, idx, side, EP_SYN_SENT, &rc);
		if ((flags & TH_FIN) && !(flags & TH_RST)) {
			set_state(ft, idx, side, EP_CLOSED, &rc);
			if (peer->state == EP_RESET && peer->prev_state == EP_CLOSED)
				set_state(ft, idx, !side, EP_CLOSED, &rc);
			*do_close = true;
		}
		if (flags & TH_RST) {
			set_state(ft, idx, side, EP_RESET, &rc);
			*do_close = true;
			e->is_active = false;
		}
		break;
	case EP_CLOSED:
		if ((flags & TH_RST) && peer->state != EP_CLOSED) {
			set_state(ft, idx, side, EP_RESET, &rc);
			if (!ep->did_close)
				*do_close = true;
			/* ResetTimer: the connection goes tcp_reset_delay later. */
			if (rc == C2C_OK && e->delete_due == 0)
				rc = arm(ft, idx, TMR_DELETE, ft->now + TCP_RESET_DELAY);
		}
		break;
	case EP_RESET:
	default:
		break;
	}
	if (rc == C2C_OK && *do_close)
		rc = connection_closed(ft, idx, side);
	*sidep = side;
	return rc;
}

static c2c_err
tcp_packet(struct c2c_flowtab *ft, uint32_t idx, int *sidep, const struct c2c_l4 *l)
{
	struct fent *e = &ft->e[idx];
	int side = *sidep;
	struct ep *ep = &e->ep[side], *peer = &e->ep[!side];
	uint8_t flags = l->tcp_flags;
	uint32_t len = l->payload_len;
	uint32_t base_seq = l->seq, ack_seq = l->ack;
	uint32_t seg_len = len;
	bool underflow = false, do_close = false;
	int32_t delta_last = 0;
	uint64_t rel_seq;
	c2c_err rc;

	if (flags & TH_SYN)
		seg_len++;
	if (flags & TH_FIN)
		seg_len++;
	if (flags & TH_RST)
		seg_len -= len;
	init_endpoint(ep, flags, base_seq, base_seq + seg_len);
	rel_seq = relative_seq(ep, base_seq, ep->last_seq, ep->seq_wraps, &underflow);
	update_history(e, side, flags, rel_seq, len);
	/* update_window: a zero window that is not part of a reset or after the peer's FIN. */
	if (l->win == 0 && !(flags & TH_RST) && peer->state != EP_CLOSED && ep->state != EP_RESET)
		scaled_history(e, side ? 'w' : 'W', &ep->win0_cnt, &ep->win0_thresh);
	if (!e->ep[0].did_close || !e->ep[1].did_close)
		e->last = ft->now;
	if (flags & TH_FIN)
		ep->fin_cnt++;
	if (flags & TH_ACK) {
		if (peer->state == EP_INACTIVE) {
			/* init_peer: number the peer as if its SYN had been seen */
			peer->start_seq = ack_seq - 1;
			peer->ack_seq = ack_seq - 1;
			peer->last_seq = ack_seq - 1;
		} else {
			bool ack_underflow = false;
			(void)relative_seq(peer, ack_seq, peer->ack_seq, peer->ack_wraps, &ack_underflow);
			if (!ack_underflow && !(flags & TH_RST)) {
				int32_t da = seq_delta(ack_seq, peer->ack_seq);
				if (ack_seq == 0 && da > TOO_LARGE_SEQ_DELTA) {
					/* a broken ack rather than a wrap to 0 */
				} else if (da > 0) {
					if (ack_seq < peer->ack_seq)
						peer->ack_wraps++;
					peer->ack_seq = ack_seq;
				}
			}
		}
	}
	update_last_seq(e, side, base_seq + seg_len, flags, len, &delta_last);
	/* The state machine may flip the roles (SYN/SYN-ACK reversal): it updates `side`. */
	rc = tcp_state_machine(ft, idx, &side, flags, base_seq, len, delta_last, &do_close);
	*sidep = side;
	return rc;
}

/* IsReuse: a SYN on a tracked tuple starts a new connection when the old one is closed or
 * the SYN's sequence number differs from the one the connection started with. */
static bool
tcp_is_reuse(const struct fent *e, const struct c2c_l4 *l)
{
	const struct ep *o = &e->ep[0], *r = &e->ep[1], *conn_orig = o;

	if (!(l->tcp_flags & TH_SYN))
		return false;
	if (l->tcp_flags & TH_ACK) {
		if (o->state != EP_INACTIVE)
			return false;
		conn_orig = r;
	}
	if (!(o->did_close || r->did_close)) {
		if (l->seq == conn_orig->start_seq)
			return false;
		if (!(l->tcp_flags & TH_ACK) && conn_orig->state == EP_SYN_ACK_SENT &&
		    r->state == EP_INACTIVE && l->seq == r->start_seq)
			return false;
	}
	return true;
}

/* ---- application payload ------------------------------------------------------------------ */

static bool
dns_port(uint16_t p)
{
	return p == 53 || p == 5353 || p == 5355 || p == 137;
}

static c2c_err
app_deliver(struct fent *e, int side, const uint8_t *p, size_t len,
    const struct c2c_app_out *o)
{
	switch (e->app_kind) {
	case APP_DNS:
		return c2c__dns_flow_data(e->app, side == 0, p, len, o);
	case APP_TLS:
		return c2c__tls_flow_data(e->app, side == 0, p, len, o);
	case APP_HTTP:
		return c2c__http_flow_data(e->app, side == 0, p, len, o);
	default:
		return C2C_OK;
	}
}

static void
app_gap(struct fent *e, int side)
{
	switch (e->app_kind) {
	case APP_DNS:
		c2c__dns_flow_gap(e->app, side == 0);
		break;
	case APP_TLS:
		c2c__tls_flow_gap(e->app, side == 0);
		break;
	case APP_HTTP:
		c2c__http_flow_gap(e->app, side == 0);
		break;
	default:
		break;
	}
}

/* Pick a parser on the first payload: DNS by port, TLS and HTTP by content of the
 * originator's first bytes. */
static c2c_err
app_choose(struct fent *e, int side, const uint8_t *p, size_t len)
{
	if (e->proto == 17) {
		if (dns_port(e->oport) || dns_port(e->rport)) {
			e->app = c2c__dns_flow_new(false);
			e->app_kind = APP_DNS;
			memcpy(e->service, "dns", 4);
			if (e->app != NULL)
				c2c__dns_flow_ports(e->app, e->rport);
		} else {
			e->app_kind = APP_DEAD;
		}
	} else if (e->oport == 53 || e->rport == 53) {
		e->app = c2c__dns_flow_new(true);
		e->app_kind = APP_DNS;
		memcpy(e->service, "dns", 4);
	} else if (side == 0 && c2c__tls_probe(p, len)) {
		e->app = c2c__tls_flow_new();
		e->app_kind = APP_TLS;
		memcpy(e->service, "ssl", 4);
	} else if (side == 0 && c2c__http_probe(p, len)) {
		e->app = c2c__http_flow_new();
		e->app_kind = APP_HTTP;
		memcpy(e->service, "http", 5);
	} else {
		e->app_kind = APP_DEAD;
	}
	if (e->app_kind != APP_DEAD && e->app == NULL) {
		e->app_kind = APP_DEAD;
		e->service[0] = '\0';
		return C2C_ENOMEM;
	}
	return C2C_OK;
}

static c2c_err
app_packet(struct c2c_flowtab *ft, uint32_t idx, int side, const struct c2c_pkt *pkt,
    const struct c2c_l4 *l)
{
	struct fent *e = &ft->e[idx];
	struct ep *ep = &e->ep[side];
	const uint8_t *p = l->payload;
	size_t len = l->payload_caplen < l->payload_len ? l->payload_caplen : l->payload_len;
	struct c2c_app_out o;
	c2c_err rc;

	if (e->app_kind == APP_DEAD || len == 0 || p == NULL)
		return C2C_OK;
	if (e->proto == 6 && (l->tcp_flags & TH_RST))
		return C2C_OK;
	if (e->proto == 6) {
		/* In-order delivery per direction: drop what was already delivered, note gaps. */
		uint32_t dseq = l->seq + ((l->tcp_flags & TH_SYN) ? 1u : 0u);
		if (!ep->app_sync) {
			ep->app_sync = true;
			ep->app_next = dseq;
		}
		int32_t d = seq_delta(dseq, ep->app_next);
		if (d < 0) {
			if ((uint32_t)-d >= len)
				return C2C_OK; /* retransmission */
			p += (uint32_t)-d;
			len -= (uint32_t)-d;
			dseq = ep->app_next;
		} else if (d > 0) {
			inc(ft, C2C_ST_APP_STREAM_GAPS);
			if (e->app_kind != APP_NONE)
				app_gap(e, side);
		}
		ep->app_next = dseq + (uint32_t)len;
		if (l->payload_caplen < l->payload_len)
			ep->app_next = dseq + l->payload_len;
	}
	if (e->app_kind == APP_NONE) {
		rc = app_choose(e, side, p, len);
		if (rc != C2C_OK || e->app_kind == APP_DEAD)
			return rc;
		/* Zeek's DNS analyzer flips a flow whose first message is a reply sent from port
		 * 53 by the originator (nothing seen from the other side yet). */
		if (e->app_kind == APP_DNS && e->proto == 17 && side == 0 && len > 2 &&
		    e->oport == 53 &&
		    (p[2] & 0x80) != 0 && e->ep[1].pkts == 0 && e->ep[0].pkts == 1) {
			flip_roles(e);
			side = 1;
			c2c__dns_flow_ports(e->app, e->rport);
		}
	}
	obs_template(ft, e, pkt->ts, &pkt->ev, &o);
	rc = app_deliver(e, side, p, len, &o);
	if (rc == C2C_OK && e->proto == 6 && l->payload_caplen < l->payload_len) {
		inc(ft, C2C_ST_APP_STREAM_GAPS);
		app_gap(e, side);
	}
	return rc;
}

/* ---- per-layer dispatch ------------------------------------------------------------------- */

static bool
is_icmp(uint8_t proto)
{
	return proto == 1 || proto == 58;
}

/* Does flow `e` carry this packet, and from which side? */
static bool
matches(const struct fent *e, const struct c2c_l4 *l, uint16_t sport, uint16_t dport,
    bool one_way, int *side)
{
	if (e->proto != l->proto || e->one_way != one_way)
		return false;
	if (e->oport == sport && e->rport == dport && c2c_ip_eq(&e->orig, &l->src) &&
	    c2c_ip_eq(&e->resp, &l->dst)) {
		*side = 0;
		return true;
	}
	if (!one_way && e->oport == dport && e->rport == sport && c2c_ip_eq(&e->orig, &l->dst) &&
	    c2c_ip_eq(&e->resp, &l->src)) {
		*side = 1;
		return true;
	}
	return false;
}

static c2c_err
lookup(struct c2c_flowtab *ft, const struct c2c_l4 *l, uint16_t sport, uint16_t dport,
    bool one_way, uint64_t h, uint32_t *idx, int *side)
{
	for (uint32_t i = ft->bucket[h & (ft->nbucket - 1)]; i != NONE; i = ft->e[i].hnext) {
		const struct fent *e = &ft->e[i];
		if (e->hash == h && matches(e, l, sport, dport, one_way, side)) {
			*idx = i;
			return C2C_OK;
		}
	}
	return C2C_ENOTFOUND;
}

static c2c_err
layer_packet(struct c2c_flowtab *ft, const struct c2c_pkt *pkt, const struct c2c_decoded *d,
    uint8_t li, char (*uids)[C2C_UID_MAX])
{
	const struct c2c_l4 *l = &d->l[li];
	uint16_t sport = l->sport, dport = l->dport;
	bool one_way = false, ok = true;
	uint32_t idx;
	int side;
	uint64_t h;
	c2c_err rc;

	if (is_icmp(l->proto)) {
		sport = (uint8_t)l->sport;
		dport = c2c__icmp_counterpart(l->proto, (uint8_t)l->sport, (uint8_t)l->dport,
		    &one_way);
	} else if (l->proto != 6 && l->proto != 17 && l->proto != 132) {
		sport = dport = 0;
	}
	if (ft->cache_idx < ft->cap && ft->e[ft->cache_idx].in_use &&
	    ft->e[ft->cache_idx].gen == ft->cache_gen &&
	    matches(&ft->e[ft->cache_idx], l, sport, dport, one_way, &side)) {
		idx = ft->cache_idx;
		h = ft->e[idx].hash;
		rc = C2C_OK;
	} else {
		h = hash_key(ft, &l->src, sport, &l->dst, dport, l->proto, one_way);
		rc = lookup(ft, l, sport, dport, one_way, h, &idx, &side);
	}
	if (rc == C2C_OK && l->proto == 6 && tcp_is_reuse(&ft->e[idx], l)) {
		inc(ft, C2C_ST_FLOW_REUSED);
		rc = emit(ft, idx, !tcp_closed(&ft->e[idx]));
		if (rc != C2C_OK)
			return rc;
		rc = C2C_ENOTFOUND;
	}
	if (rc == C2C_ENOTFOUND) {
		bool flip = false;
		rc = new_flow(ft, pkt, l, li, sport, dport, one_way, h, &idx);
		if (rc != C2C_OK)
			return rc;
		side = 0;
		struct fent *e = &ft->e[idx];
		if (l->parent >= 0 && l->parent < (int)li)
			memcpy(e->parent, uids[l->parent], C2C_UID_MAX);
		if (li == 0) {
			e->vlan = d->vlan;
			e->inner_vlan = d->inner_vlan;
		}
		/* WantConnection: guess the responder of a flow seen mid-stream from ports. */
		if (l->proto == 6) {
			uint8_t fl = l->tcp_flags;
			if (!(fl & TH_SYN) || (fl & TH_ACK)) {
				if (likely_server_port(6, sport)) {
					if (likely_server_port(6, dport))
						flip = !(fl & TH_SYN) && sport < dport;
					else
						flip = true;
				}
			}
		} else if (l->proto == 17) {
			flip = likely_server_port(17, sport) && !likely_server_port(17, dport);
		}
		if (flip) {
			flip_roles(e);
			side = 1;
		}
		c2c_time to = l->proto == 6 || l->proto == 17 ? ft->cfg.udp_inactivity :
		    ft->cfg.icmp_inactivity;
		rc = set_inactivity(ft, idx, to);
		if (rc == C2C_OK && l->proto == 6)
			rc = arm(ft, idx, TMR_EXPIRE, ft->now + TCP_SYN_TIMEOUT);
		if (rc != C2C_OK)
			return rc;
	}
	if (rc != C2C_OK)
		return rc;
	struct fent *e = &ft->e[idx];
	ft->cache_idx = idx;
	ft->cache_gen = e->gen;

	/* Checksums, as Zeek checks them unless -C: a bad one drops the packet from the flow. */
	if (!ft->cfg.ignore_checksums)
		ok = c2c__l4_checksum_ok(l);
	if (!ok) {
		inc(ft, C2C_ST_FLOW_BAD_CHECKSUM);
		if (l->proto == 6 || l->proto == 17)
			scaled_history(e, side ? 'c' : 'C', &e->ep[side].chk_cnt,
			    &e->ep[side].chk_thresh);
		memcpy(uids[li], e->uid, C2C_UID_MAX);
		return C2C_OK;
	}

	if (l->proto == 6) {
		rc = tcp_packet(ft, idx, &side, l);
		if (rc != C2C_OK)
			return rc;
		if (!e->in_use) /* cannot happen: closing only arms timers */
			return C2C_OK;
	} else if (l->proto == 17) {
		/* UDP.cc counts the UDP header's length field, not the IP one. */
		int64_t ulen = (int64_t)l->payload_len;
		if (l->l4hdr != NULL && l->l4_caplen >= 8)
			ulen = (int64_t)c2c_be16(l->l4hdr + 4) - 8;
		e->last = ft->now;
		(void)check_history(e, side ? HIST_RESP_DATA_PKT : HIST_ORIG_DATA_PKT,
		    side ? 'd' : 'D');
		e->ep[side].len = e->ep[side].len < 0 ? ulen : e->ep[side].len + ulen;
	} else if (is_icmp(l->proto)) {
		int64_t ilen = (int64_t)l->l4_len - 8;
		e->last = ft->now;
		e->ep[side].len = e->ep[side].len < 0 ? ilen : e->ep[side].len + ilen;
	} else {
		/* SCTP and other transports: no payload accounting (Zeek's unknown_transport
		 * logs 0 bytes); SCTP keeps its ports for the Community ID. */
		e->last = ft->now;
	}
	/* The last record cited for the flow is the one that set its last time: after both
	 * sides closed Zeek stops the clock, and so does the evidence (a verifier checks that
	 * every cited record lies within the flow's [ts, ts + duration]). */
	if (e->last == ft->now)
		e->last_ev = pkt->ev;
	/* ConnSize */
	e->ep[side].pkts++;
	e->ep[side].ip_bytes += l->ip_len;
	memcpy(uids[li], e->uid, C2C_UID_MAX);
	if (ft->cfg.observations && (l->proto == 6 || l->proto == 17))
		return app_packet(ft, idx, side, pkt, l);
	return C2C_OK;
}

c2c_err
c2c__flowtab_packet(struct c2c_flowtab *ft, const struct c2c_pkt *pkt, const struct c2c_decoded *d)
{
	char uids[C2C_MAX_LAYERS][C2C_UID_MAX];
	c2c_err rc;

	ft->now = pkt->ts;
	rc = run_timers(ft, pkt->ts);
	for (uint8_t i = 0; rc == C2C_OK && i < d->n && i < C2C_MAX_LAYERS; i++) {
		const struct c2c_l4 *l = &d->l[i];
		uids[i][0] = '\0';
		/* Zeek drops a packet at an IP header with a bad checksum or a zero length (and
		 * everything inside it) unless checksums are ignored. */
		if (!ft->cfg.ignore_checksums &&
		    (l->flags & (C2C_L4F_IP_CSUM_BAD | C2C_L4F_IP_LEN_ZERO)) != 0)
			break;
		if (l->fragment) {
			inc(ft, C2C_ST_FLOW_NO_TRANSPORT);
			continue;
		}
		rc = layer_packet(ft, pkt, d, i, uids);
	}
	return rc;
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

c2c_err
c2c__flowtab_new(const struct c2c_flowtab_cfg *cfg, struct c2c_flowtab **out)
{
	struct c2c_flowtab *ft = c2c_calloc(1, sizeof(*ft));
	c2c_err rc;

	if (ft == NULL)
		return C2C_ENOMEM;
	ft->cfg = *cfg;
	if (ft->cfg.max_flows == 0)
		ft->cfg.max_flows = 1u << 20;
	ft->free_head = NONE;
	ft->cache_idx = NONE;
	/* A fixed key: the table's layout never reaches the output, and a fixed key keeps runs
	 * reproducible; SipHash still spreads crafted tuples. */
	memcpy(ft->key, "c2chain-flowtab!", 16);
	rc = grow(ft);
	if (rc != C2C_OK) {
		c2c__flowtab_free(ft);
		return rc == C2C_ELIMIT ? C2C_EINVAL : rc;
	}
	*out = ft;
	return C2C_OK;
}

static int
cmp_open(const void *a, const void *b, void *ctx)
{
	const struct fent *e = ctx;
	const struct fent *x = &e[*(const uint32_t *)a], *y = &e[*(const uint32_t *)b];
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->first_ev.off != y->first_ev.off)
		return x->first_ev.off < y->first_ev.off ? -1 : 1;
	if (x->layer != y->layer)
		return x->layer < y->layer ? -1 : 1;
	return x->created < y->created ? -1 : x->created > y->created;
}

/* qsort with a context, portable: insertion into a merge sort over indices. */
static void
sort_idx(uint32_t *v, uint32_t *tmp, size_t n, const struct fent *e)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	sort_idx(v, tmp, h, e);
	sort_idx(v + h, tmp, n - h, e);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = cmp_open(&v[j], &v[i], (void *)(uintptr_t)e) < 0 ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

c2c_err
c2c__flowtab_finish(struct c2c_flowtab *ft)
{
	uint32_t *v, *tmp, n = 0;
	c2c_err rc = C2C_OK;

	if (ft->n == 0)
		return C2C_OK;
	v = c2c_reallocarray(NULL, ft->n, sizeof(*v));
	tmp = c2c_reallocarray(NULL, ft->n, sizeof(*tmp));
	if (v == NULL || tmp == NULL) {
		c2c_free(v);
		c2c_free(tmp);
		return C2C_ENOMEM;
	}
	for (uint32_t i = 0; i < ft->cap; i++)
		if (ft->e[i].in_use)
			v[n++] = i;
	sort_idx(v, tmp, n, ft->e);
	for (uint32_t i = 0; i < n && rc == C2C_OK; i++) {
		struct fent *e = &ft->e[v[i]];
		bool open = e->proto != 6 || !tcp_closed(e);
		if (open)
			inc(ft, C2C_ST_FLOW_OPEN_AT_END);
		rc = emit(ft, v[i], open);
	}
	c2c_free(v);
	c2c_free(tmp);
	ft->heap_n = 0;
	return rc;
}

uint32_t
c2c__flowtab_count(const struct c2c_flowtab *ft)
{
	return ft->n;
}

void
c2c__flowtab_free(struct c2c_flowtab *ft)
{
	if (ft == NULL)
		return;
	for (uint32_t i = 0; i < ft->cap; i++) {
		struct fent *e = &ft->e[i];
		if (!e->in_use || e->app == NULL)
			continue;
		switch (e->app_kind) {
		case APP_DNS:
			c2c__dns_flow_free(e->app);
			break;
		case APP_TLS:
			c2c__tls_flow_free(e->app);
			break;
		case APP_HTTP:
			c2c__http_flow_free(e->app);
			break;
		default:
			break;
		}
	}
	c2c_free(ft->e);
	c2c_free(ft->bucket);
	c2c_free(ft->heap);
	c2c_free(ft);
}

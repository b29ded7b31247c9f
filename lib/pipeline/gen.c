/*
 * The synthetic-internet generator (gen.h). A discrete-event loop pops the earliest activity
 * from a calendar queue of sources (per-host web browsing, NTP, update checks; per-victim C2
 * check-ins, long sessions and DNS tunnels; an inbound scanner), builds that activity's packets
 * (Ethernet/IPv4/TCP or UDP with real DNS, TLS ClientHello/ServerHello/Certificate and HTTP
 * payloads), and writes them as pcap while summarising each connection into Zeek conn/dns/ssl/
 * http log lines (TSV and JSON) and IPFIX biflow records. Memory is per source, never per
 * connection, so the output can grow to billions of connections.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "c2chain/gen.h"
#include "c2chain/json.h"
#include "pipeline/gen_world.h"

#define MAX_SEG 1460
#define MAX_PKTS 256
#define FAKE_CERT_LEN 420

/* ---- the world ------------------------------------------------------------------------- */

static const char *const victim_countries[] = { "CN", "US", "DE", "FR", "JP", "BR" };
#define N_VC (sizeof(victim_countries) / sizeof(victim_countries[0]))

/* Documentation ASNs (RFC 5398) in front of the benchmarking range 198.18.0.0/15 (RFC 2544),
 * one /21 each, plus the three documentation /24s (RFC 5737) for CDN, services and sinkhole. */
static struct gen_as g_as[] = {
	{ 64496, "Example Hosting NL", "NL", AS_HOSTING, 0, 21 },
	{ 64497, "Example VPS RU", "RU", AS_HOSTING, 0, 21 },
	{ 64498, "Example Hosting SG", "SG", AS_HOSTING, 0, 21 },
	{ 64499, "Example Datacenter HK", "HK", AS_HOSTING, 0, 21 },
	{ 64500, "Example Broadband KR", "KR", AS_RESIDENTIAL, 0, 21 },
	{ 64501, "Example Cable US", "US", AS_RESIDENTIAL, 0, 21 },
	{ 64502, "Example Hosting DE", "DE", AS_HOSTING, 0, 21 },
	{ 64503, "Example Cloud US", "US", AS_CLOUD, 0, 21 },
	{ 64504, "Example Hosting CN", "CN", AS_HOSTING, 0, 21 },
	{ 64505, "Example CDN", "US", AS_CDN, 0xc0000200, 24 },      /* 192.0.2.0/24 */
	{ 64506, "Example Services", "US", AS_SERVICES, 0xc6336400, 24 }, /* 198.51.100.0/24 */
	{ 64507, "Example Sinkhole Foundation", "DE", AS_SINKHOLE, 0xcb007100, 24 }, /* 203.0.113 */
};
#define N_AS (sizeof(g_as) / sizeof(g_as[0]))
enum { AS_NL, AS_RU, AS_SG, AS_HK, AS_KR_RES, AS_US_RES, AS_DE, AS_US_CLOUD, AS_CN, AS_CDN_I,
	AS_SVC_I, AS_SINK_I };

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define RESOLVER IP4(198, 51, 100, 53)
#define NTP_SRV IP4(198, 51, 100, 123)
#define UPDATE_SRV IP4(198, 51, 100, 80)
#define GATEWAY_MAC 0x02c2c0000001ull

static uint32_t
host_ip(uint64_t idx)
{
	uint32_t ci = (uint32_t)(idx % N_VC);
	uint64_t k = idx / N_VC + 1; /* avoid .0.0 */
	return IP4(10, 0, 0, 0) | ci << 21 | (uint32_t)(k & 0x1fffff);
}

static const char *
host_country(uint64_t idx)
{
	return victim_countries[idx % N_VC];
}

static uint32_t
as_addr(const struct gen_as *a, uint32_t n)
{
	uint32_t size = 1u << (32 - a->plen);
	return a->net + 1 + n % (size - 2);
}

/* ---- writers ------------------------------------------------------------------------------ */

struct out {
	FILE *fp;
	char path[1024], tmp[1100];
};

struct gen {
	const struct c2c_gen_opts *o;
	struct gen_rng rng;
	struct out pcap, ipfix, conn, dns, ssl, http, connj, dnsj;
	struct c2c_gen_stats *st;
	struct c2c_diag *diag;
	uint64_t conn_seq;
	/* IPFIX message under construction */
	uint8_t msg[1500];
	size_t msg_len;
	uint32_t msg_records, ipfix_seq, ipfix_msgs;
	c2c_time msg_last;
	struct gen_family fam[12];
	unsigned n_fam;
	c2c_time end;
	c2c_err err;
	/* Certificates by subject name: building one costs fourteen SHA-256 runs, and a few names
	 * (the CDN, the update server, each C2 family) recur in every TLS connection. */
	struct cert_slot {
		char name[64];
		uint8_t der[FAKE_CERT_LEN], fp[32];
	} certs[16], cert_scratch;
};

static c2c_err
out_open(struct gen *g, struct out *o, const char *dir, const char *name)
{
	(void)snprintf(o->path, sizeof(o->path), "%s/%s", dir, name);
	(void)snprintf(o->tmp, sizeof(o->tmp), "%s.tmp", o->path);
	o->fp = fopen(o->tmp, "wb");
	if (o->fp == NULL)
		return c2c_diag_errno(g->diag, C2C_EIO, o->path, "create");
	(void)setvbuf(o->fp, NULL, _IOFBF, 1 << 20);
	return C2C_OK;
}

static c2c_err
out_close(struct gen *g, struct out *o, bool commit)
{
	c2c_err rc = C2C_OK;
	if (o->fp == NULL)
		return C2C_OK;
	if (ferror(o->fp) || fflush(o->fp) != 0)
		rc = c2c_diag_errno(g->diag, C2C_EIO, o->path, "write");
	if (fclose(o->fp) != 0 && rc == C2C_OK)
		rc = c2c_diag_errno(g->diag, C2C_EIO, o->path, "close");
	o->fp = NULL;
	if (rc == C2C_OK && commit && rename(o->tmp, o->path) != 0)
		rc = c2c_diag_errno(g->diag, C2C_EIO, o->path, "rename");
	if (rc != C2C_OK || !commit)
		(void)remove(o->tmp);
	return rc;
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static void
le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
write_pcap_header(struct gen *g)
{
	uint8_t h[24];
	le32(h, 0xa1b2c3d4);
	h[4] = 2;
	h[5] = 0;
	h[6] = 4;
	h[7] = 0;
	memset(h + 8, 0, 8);
	le32(h + 16, 65535);
	le32(h + 20, 1); /* LINKTYPE_ETHERNET */
	(void)fwrite(h, 1, 24, g->pcap.fp);
	g->st->pcap_bytes += 24;
}

/* ---- packets ------------------------------------------------------------------------------ */

struct pkt {
	c2c_time ts;
	bool from_client;
	uint8_t flags; /* TCP flags, 0 for UDP */
	uint32_t seq, ack;
	const uint8_t *payload;
	uint32_t len;
};

struct conn {
	uint32_t cli, srv;
	uint16_t cport, sport;
	uint8_t proto;
	struct pkt p[MAX_PKTS];
	unsigned n;
	char uid[24];
	const char *service;
	char state[8];
	char history[16];
};

static uint16_t
csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint32_t
csum_add(uint32_t s, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

static void
write_frame(struct gen *g, const struct conn *c, const struct pkt *pk)
{
	uint8_t f[14 + 20 + 20 + MAX_SEG + 64], rec[16];
	uint32_t src = pk->from_client ? c->cli : c->srv, dst = pk->from_client ? c->srv : c->cli;
	uint16_t sp = pk->from_client ? c->cport : c->sport, dp = pk->from_client ? c->sport : c->cport;
	size_t l4 = c->proto == 6 ? 20 : 8, iplen = 20 + l4 + pk->len, flen = 14 + iplen;
	/* Hosts sit behind one gateway: the client's own MAC on its side, the gateway's on the
	 * other. */
	uint64_t cmac = 0x020000000000ull | c->cli, smac = pk->from_client ? cmac : GATEWAY_MAC,
		 dmac = pk->from_client ? GATEWAY_MAC : cmac;
	uint8_t *ip = f + 14, *th = ip + 20;
	uint32_t s;

	if (g->pcap.fp == NULL) {
		g->st->packets++; /* no pcap view asked for: the packet only counts */
		return;
	}
	for (int i = 0; i < 6; i++) {
		f[i] = (uint8_t)(dmac >> (40 - 8 * i));
		f[6 + i] = (uint8_t)(smac >> (40 - 8 * i));
	}
	f[12] = 0x08;
	f[13] = 0x00;
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint32_t)iplen);
	put16(ip + 4, (uint32_t)(g->st->packets & 0xffff));
	put16(ip + 6, 0x4000);
	ip[8] = pk->from_client ? 64 : 52;
	ip[9] = c->proto;
	put16(ip + 10, 0);
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	put16(th, sp);
	put16(th + 2, dp);
	if (c->proto == 6) {
		put32(th + 4, pk->seq);
		put32(th + 8, pk->ack);
		th[12] = 5 << 4;
		th[13] = pk->flags;
		put16(th + 14, 64240);
		put16(th + 16, 0);
		put16(th + 18, 0);
	} else {
		put16(th + 4, (uint32_t)(8 + pk->len));
		put16(th + 6, 0);
	}
	if (pk->len)
		memcpy(th + l4, pk->payload, pk->len);
	/* Transport checksum over the pseudo-header. */
	s = csum_add(0, ip + 12, 8);
	s += c->proto;
	s += (uint32_t)(l4 + pk->len);
	s = csum_add(s, th, l4 + pk->len);
	put16(th + (c->proto == 6 ? 16 : 6), csum_fold(s) ? csum_fold(s) : 0xffff);

	if (g->pcap.fp != NULL) {
		le32(rec, (uint32_t)(pk->ts / C2C_USEC));
		le32(rec + 4, (uint32_t)(pk->ts % C2C_USEC));
		le32(rec + 8, (uint32_t)flen);
		le32(rec + 12, (uint32_t)flen);
		(void)fwrite(rec, 1, 16, g->pcap.fp);
		(void)fwrite(f, 1, flen, g->pcap.fp);
		g->st->pcap_bytes += 16 + flen;
	}
	g->st->packets++;
}

static void
add_pkt(struct conn *c, c2c_time ts, bool fc, uint8_t flags, uint32_t seq, uint32_t ack,
    const uint8_t *p, uint32_t len)
{
	if (c->n >= MAX_PKTS)
		return;
	c->p[c->n].ts = ts;
	c->p[c->n].from_client = fc;
	c->p[c->n].flags = flags;
	c->p[c->n].seq = seq;
	c->p[c->n].ack = ack;
	c->p[c->n].payload = p;
	c->p[c->n].len = len;
	c->n++;
}

enum { F_FIN = 1, F_SYN = 2, F_RST = 4, F_PSH = 8, F_ACK = 16 };

/* A complete TCP exchange: handshake, request, response, FIN both ways. Returns the time of
 * its last packet. */
static c2c_time
tcp_exchange(struct gen *g, struct conn *c, c2c_time t, c2c_time rtt, const uint8_t *req,
    uint32_t reqlen, const uint8_t *resp, uint32_t resplen)
{
	uint32_t cs = (uint32_t)gen_next(&g->rng), ss = (uint32_t)gen_next(&g->rng);
	uint32_t off;
	add_pkt(c, t, true, F_SYN, cs, 0, NULL, 0);
	add_pkt(c, t + rtt, false, F_SYN | F_ACK, ss, cs + 1, NULL, 0);
	t += rtt + 150;
	add_pkt(c, t, true, F_ACK, cs + 1, ss + 1, NULL, 0);
	cs++;
	ss++;
	for (off = 0; off < reqlen; off += MAX_SEG) {
		uint32_t n = reqlen - off < MAX_SEG ? reqlen - off : MAX_SEG;
		t += 40;
		add_pkt(c, t, true, F_PSH | F_ACK, cs, ss, req + off, n);
		cs += n;
	}
	t += rtt;
	for (off = 0; off < resplen; off += MAX_SEG) {
		uint32_t n = resplen - off < MAX_SEG ? resplen - off : MAX_SEG;
		add_pkt(c, t, false, F_PSH | F_ACK, ss, cs, resp + off, n);
		ss += n;
		t += 30;
		if ((off / MAX_SEG) % 2 == 1 || off + n >= resplen)
			add_pkt(c, t, true, F_ACK, cs, ss, NULL, 0);
	}
	t += 2000;
	add_pkt(c, t, true, F_FIN | F_ACK, cs, ss, NULL, 0);
	add_pkt(c, t + rtt, false, F_FIN | F_ACK, ss, cs + 1, NULL, 0);
	add_pkt(c, t + rtt + 100, true, F_ACK, cs + 1, ss + 1, NULL, 0);
	(void)snprintf(c->state, sizeof(c->state), "SF");
	(void)snprintf(c->history, sizeof(c->history), "%s", reqlen ? (resplen ? "ShADadFf"
	    : "ShADaFf") : (resplen ? "ShAdaFf" : "ShAFf"));
	return t + rtt + 100;
}

/* ---- log lines ---------------------------------------------------------------------------- */

static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static void
make_uid(struct gen *g, char *uid)
{
	uint64_t v = gen_next(&g->rng);
	uid[0] = 'C';
	for (int i = 1; i < 18; i++) {
		uid[i] = b62[v % 62];
		v /= 62;
		if (v == 0)
			v = gen_next(&g->rng);
	}
	uid[18] = '\0';
}

static void
ipstr(uint32_t v, char *b)
{
	(void)snprintf(b, 16, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
}

static void
tsstr(c2c_time t, char *b)
{
	(void)snprintf(b, 32, "%lld.%06lld", (long long)(t / C2C_USEC), (long long)(t % C2C_USEC));
}

#define IPFIX_REC_LEN (8 + 8 + 4 + 4 + 2 + 2 + 1 + 8 + 8 + 8 + 8)
#define IPFIX_TMPL_SET_LEN (4 + 4 + 9 * 4 + 2 * 8)

static void
ipfix_flush(struct gen *g)
{
	if (g->ipfix.fp == NULL || g->msg_records == 0)
		return;
	put16(g->msg + 2, (uint32_t)g->msg_len);
	put32(g->msg + 4, (uint32_t)(g->msg_last / C2C_USEC));
	put32(g->msg + 8, g->ipfix_seq);
	/* the data set header sits after the template set in the first message */
	{
		size_t set_off = g->ipfix_msgs == 0 ? 16 + IPFIX_TMPL_SET_LEN : 16;
		put16(g->msg + set_off + 2, (uint32_t)(g->msg_len - set_off));
	}
	(void)fwrite(g->msg, 1, g->msg_len, g->ipfix.fp);
	g->ipfix_seq += g->msg_records;
	g->ipfix_msgs++;
	g->msg_len = 0;
	g->msg_records = 0;
}



/* RFC 7011 message with, in the first message only, the template set of template 256: a
 * biflow (RFC 5103) with reverse counters under PEN 29305. */
static void
ipfix_start(struct gen *g)
{
	uint8_t *m = g->msg;
	static const uint16_t ie[][2] = { { 152, 8 }, { 153, 8 }, { 8, 4 }, { 12, 4 }, { 7, 2 },
		{ 11, 2 }, { 4, 1 }, { 1, 8 }, { 2, 8 } };
	size_t o = 16;
	put16(m, 10);
	put32(m + 12, 1); /* observation domain */
	if (g->ipfix_msgs == 0) {
		put16(m + o, 2);
		put16(m + o + 2, IPFIX_TMPL_SET_LEN);
		put16(m + o + 4, 256);
		put16(m + o + 6, 11);
		o += 8;
		for (size_t i = 0; i < 9; i++, o += 4) {
			put16(m + o, ie[i][0]);
			put16(m + o + 2, ie[i][1]);
		}
		for (uint16_t k = 1; k <= 2; k++, o += 8) {
			put16(m + o, 0x8000u | k);
			put16(m + o + 2, 8);
			put32(m + o + 4, 29305);
		}
	}
	put16(m + o, 256);
	put16(m + o + 2, 0);
	g->msg_len = o + 4;
}

static void
ipfix_add(struct gen *g, const struct conn *c, c2c_time ts, c2c_time last, uint64_t ob,
    uint64_t op, uint64_t rb, uint64_t rp)
{
	uint8_t *r;
	if (g->ipfix.fp == NULL)
		return;
	if (g->msg_len == 0)
		ipfix_start(g);
	r = g->msg + g->msg_len;
	put64(r, (uint64_t)(ts / 1000));
	put64(r + 8, (uint64_t)(last / 1000));
	put32(r + 16, c->cli);
	put32(r + 20, c->srv);
	put16(r + 24, c->cport);
	put16(r + 26, c->sport);
	r[28] = c->proto;
	put64(r + 29, ob);
	put64(r + 37, op);
	put64(r + 45, rb);
	put64(r + 53, rp);
	g->msg_len += IPFIX_REC_LEN;
	g->msg_records++;
	if (last > g->msg_last)
		g->msg_last = last;
	if (g->msg_len + IPFIX_REC_LEN > 1400)
		ipfix_flush(g);
}

static void
write_conn_line(struct gen *g, const struct conn *c, c2c_time ts, c2c_time last, uint64_t op,
    uint64_t oip, uint64_t ob, uint64_t rp, uint64_t rip, uint64_t rb, bool local_orig)
{
	char a[16], b[16], t[32], d[32];
	g->st->connections++;
	if (g->conn.fp != NULL || g->connj.fp != NULL) {
		ipstr(c->cli, a);
		ipstr(c->srv, b);
		tsstr(ts, t);
		(void)snprintf(d, sizeof(d), "%lld.%06lld", (long long)((last - ts) / C2C_USEC),
		    (long long)((last - ts) % C2C_USEC));
	}
	if (g->conn.fp != NULL)
		fprintf(g->conn.fp,
		    "%s\t%s\t%s\t%u\t%s\t%u\t%s\t%s\t%s\t%llu\t%llu\t%s\t%s\t%s\t0\t%s\t%llu\t"
		    "%llu\t%llu\t%llu\t(empty)\n",
		    t, c->uid, a, c->cport, b, c->sport, c->proto == 6 ? "tcp" : "udp",
		    c->service ? c->service : "-", d, (unsigned long long)ob,
		    (unsigned long long)rb, c->state, local_orig ? "T" : "F", local_orig ? "F" : "T",
		    c->history, (unsigned long long)op, (unsigned long long)oip,
		    (unsigned long long)rp, (unsigned long long)rip);
	if (g->connj.fp != NULL) {
		fprintf(g->connj.fp,
		    "{\"ts\":%s,\"uid\":\"%s\",\"id.orig_h\":\"%s\",\"id.orig_p\":%u,"
		    "\"id.resp_h\":\"%s\",\"id.resp_p\":%u,\"proto\":\"%s\",",
		    t, c->uid, a, c->cport, b, c->sport, c->proto == 6 ? "tcp" : "udp");
		if (c->service)
			fprintf(g->connj.fp, "\"service\":\"%s\",", c->service);
		fprintf(g->connj.fp,
		    "\"duration\":%s,\"orig_bytes\":%llu,\"resp_bytes\":%llu,\"conn_state\":\"%s\","
		    "\"local_orig\":%s,\"local_resp\":%s,\"missed_bytes\":0,\"history\":\"%s\","
		    "\"orig_pkts\":%llu,\"orig_ip_bytes\":%llu,\"resp_pkts\":%llu,"
		    "\"resp_ip_bytes\":%llu}\n",
		    d, (unsigned long long)ob, (unsigned long long)rb, c->state,
		    local_orig ? "true" : "false", local_orig ? "false" : "true", c->history,
		    (unsigned long long)op, (unsigned long long)oip, (unsigned long long)rp,
		    (unsigned long long)rip);
	}
	ipfix_add(g, c, ts, last, oip, op, rip, rp);
	if (g->o->max_connections && g->st->connections >= g->o->max_connections)
		g->end = ts; /* stop the event loop */
}

/* Emit a finished connection: its packets to the pcap, one conn line (TSV and JSON) and one
 * IPFIX record. */
static void
emit_conn(struct gen *g, struct conn *c, bool local_orig)
{
	uint64_t op = 0, rp = 0, oip = 0, rip = 0, ob = 0, rb = 0;
	c2c_time ts = c->p[0].ts, last = c->p[0].ts;
	uint64_t l4 = c->proto == 6 ? 20 : 8;

	for (unsigned i = 0; i < c->n; i++) {
		const struct pkt *pk = &c->p[i];
		write_frame(g, c, pk);
		if (pk->ts > last)
			last = pk->ts;
		if (pk->from_client) {
			op++;
			oip += 20 + l4 + pk->len;
			ob += pk->len;
		} else {
			rp++;
			rip += 20 + l4 + pk->len;
			rb += pk->len;
		}
	}
	write_conn_line(g, c, ts, last, op, oip, ob, rp, rip, rb, local_orig);
}

static void
conn_init(struct gen *g, struct conn *c, uint32_t cli, uint32_t srv, uint16_t sport,
    uint8_t proto)
{
	c->cli = cli;
	c->srv = srv;
	c->cport = (uint16_t)(49152 + (g->conn_seq++ % 16000));
	c->sport = sport;
	c->proto = proto;
	c->n = 0;
	c->service = NULL;
	make_uid(g, c->uid);
}

/* ---- application payloads ----------------------------------------------------------------- */

struct payloads {
	uint8_t req[4096], resp[65536];
	uint32_t reqlen, resplen;
};

static size_t
dns_name(uint8_t *p, const char *name)
{
	size_t o = 0;
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);
		p[o++] = (uint8_t)l;
		memcpy(p + o, name, l);
		o += l;
		name += l + (dot ? 1 : 0);
	}
	p[o++] = 0;
	return o;
}

/* A DNS query and its answer (A or TXT). */
static void
dns_msgs(struct payloads *pl, uint16_t id, const char *name, uint16_t qtype, uint32_t a,
    const char *txt, uint32_t ttl)
{
	uint8_t *q = pl->req, *r = pl->resp;
	size_t n;
	put16(q, id);
	put16(q + 2, 0x0100);
	put16(q + 4, 1);
	memset(q + 6, 0, 6);
	n = 12 + dns_name(q + 12, name);
	put16(q + n, qtype);
	put16(q + n + 2, 1);
	n += 4;
	pl->reqlen = (uint32_t)n;
	memcpy(r, q, n);
	put16(r + 2, 0x8180);
	put16(r + 6, 1);
	r[n] = 0xc0;
	r[n + 1] = 12;
	put16(r + n + 2, qtype);
	put16(r + n + 4, 1);
	put32(r + n + 6, ttl);
	if (qtype == 1) {
		put16(r + n + 10, 4);
		put32(r + n + 12, a);
		n += 16;
	} else {
		size_t tl = strlen(txt);
		put16(r + n + 10, (uint32_t)(tl + 1));
		r[n + 12] = (uint8_t)tl;
		memcpy(r + n + 13, txt, tl);
		n += 13 + tl;
	}
	pl->resplen = (uint32_t)n;
}

static size_t
tls_record(uint8_t *p, uint8_t type, const uint8_t *body, size_t len)
{
	p[0] = type;
	p[1] = 3;
	p[2] = 3;
	put16(p + 3, (uint32_t)len);
	memmove(p + 5, body, len);
	return 5 + len;
}

/* ClientHello with SNI: JA3 "771,49199-49200-158-49171,0-10-11-13,29-23-24,0". */
static size_t
client_hello(struct gen *g, uint8_t *out, const char *sni)
{
	uint8_t h[600];
	size_t o = 4, sl = strlen(sni), ext_start;
	static const uint16_t cs[] = { 0xc02f, 0xc030, 0x009e, 0xc013 };
	put16(h + o, 0x0303);
	o += 2;
	for (int i = 0; i < 32; i++)
		h[o++] = (uint8_t)gen_next(&g->rng);
	h[o++] = 0;
	put16(h + o, 8);
	o += 2;
	for (int i = 0; i < 4; i++, o += 2)
		put16(h + o, cs[i]);
	h[o++] = 1;
	h[o++] = 0;
	ext_start = o;
	o += 2;
	put16(h + o, 0); /* server_name */
	put16(h + o + 2, (uint32_t)(sl + 5));
	put16(h + o + 4, (uint32_t)(sl + 3));
	h[o + 6] = 0;
	put16(h + o + 7, (uint32_t)sl);
	memcpy(h + o + 9, sni, sl);
	o += 9 + sl;
	put16(h + o, 10); /* supported_groups */
	put16(h + o + 2, 8);
	put16(h + o + 4, 6);
	put16(h + o + 6, 29);
	put16(h + o + 8, 23);
	put16(h + o + 10, 24);
	o += 12;
	put16(h + o, 11); /* ec_point_formats */
	put16(h + o + 2, 2);
	h[o + 4] = 1;
	h[o + 5] = 0;
	o += 6;
	put16(h + o, 13); /* signature_algorithms */
	put16(h + o + 2, 6);
	put16(h + o + 4, 4);
	put16(h + o + 6, 0x0401);
	put16(h + o + 8, 0x0804);
	o += 10;
	put16(h + ext_start, (uint32_t)(o - ext_start - 2));
	h[0] = 1;
	h[1] = (uint8_t)((o - 4) >> 16);
	put16(h + 2, (uint32_t)(o - 4));
	return tls_record(out, 22, h, o);
}

/* A certificate-shaped DER blob whose bytes, and so SHA-256, depend only on `name`. */
static void
fake_cert(uint8_t *out, const char *name)
{
	uint8_t d[32];
	size_t len = FAKE_CERT_LEN;
	out[0] = 0x30;
	out[1] = 0x82;
	put16(out + 2, (uint32_t)(len - 4));
	c2c_sha256(name, strlen(name), d);
	for (size_t i = 4; i < len; i++) {
		if ((i - 4) % 32 == 0 && i > 4)
			c2c_sha256(d, 32, d);
		out[i] = d[(i - 4) % 32];
	}
}

/* The certificate (DER) and its SHA-256 for a subject name, from the cache when it is there. */
static const struct cert_slot *
cert_for(struct gen *g, const char *name)
{
	size_t len = strlen(name);
	uint32_t h = 2166136261u;
	struct cert_slot *c = &g->cert_scratch;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	if (len < sizeof(c->name)) {
		c = &g->certs[h % C2C_ARRAY_LEN(g->certs)];
		if (strcmp(c->name, name) == 0 && c->name[0] != '\0')
			return c;
		memcpy(c->name, name, len + 1);
	}
	fake_cert(c->der, name);
	c2c_sha256(c->der, sizeof(c->der), c->fp);
	return c;
}

/* ServerHello (JA3S "771,49199,11"), Certificate, ServerHelloDone. */
static size_t
server_flight(struct gen *g, uint8_t *out, const char *cert_name)
{
	uint8_t h[1200];
	const uint8_t *cert = cert_for(g, cert_name)->der;
	size_t o = 0, n = 4, cl = FAKE_CERT_LEN;
	put16(h + n, 0x0303);
	n += 2;
	for (int i = 0; i < 32; i++)
		h[n++] = (uint8_t)gen_next(&g->rng);
	h[n++] = 0;
	put16(h + n, 0xc02f);
	n += 2;
	h[n++] = 0;
	put16(h + n, 6);
	put16(h + n + 2, 11);
	put16(h + n + 4, 2);
	h[n + 6] = 1;
	h[n + 7] = 0;
	n += 8;
	h[0] = 2;
	h[1] = 0;
	put16(h + 2, (uint32_t)(n - 4));
	o += tls_record(out + o, 22, h, n);
	/* Certificate: list length, one certificate. */
	h[0] = 11;
	h[1] = 0;
	put16(h + 2, (uint32_t)(cl + 6));
	h[4] = 0;
	put16(h + 5, (uint32_t)(cl + 3));
	h[7] = 0;
	put16(h + 8, (uint32_t)cl);
	memcpy(h + 10, cert, cl);
	o += tls_record(out + o, 22, h, 10 + cl);
	h[0] = 14;
	h[1] = h[2] = h[3] = 0;
	o += tls_record(out + o, 22, h, 4);
	return o;
}

static size_t
app_data(struct gen *g, uint8_t *out, size_t len)
{
	size_t o = 0;
	while (len > 0) {
		size_t n = len > 16000 ? 16000 : len;
		out[o] = 23;
		out[o + 1] = 3;
		out[o + 2] = 3;
		put16(out + o + 3, (uint32_t)n);
		for (size_t i = 0; i < n; i += 8) {
			uint64_t v = gen_next(&g->rng);
			memcpy(out + o + 5 + i, &v, n - i < 8 ? n - i : 8);
		}
		o += 5 + n;
		len -= n;
	}
	return o;
}

static void
ja3_hash(const char *s, char out[33])
{
	uint8_t d[16];
	c2c_md5(s, strlen(s), d);
	(void)c2c_hex(d, 16, out);
}

/* ---- activities --------------------------------------------------------------------------- */

static struct payloads g_pl;

static c2c_time
rtt_to(uint32_t srv)
{
	return (c2c_time)(8000 + (srv * 2654435761u) % 140000);
}

static void
log_dns(struct gen *g, const struct conn *c, c2c_time ts, c2c_time rtt, uint16_t id,
    const char *q, uint16_t qtype, const char *answer, uint32_t ttl)
{
	char a[16], b[16], t[32];
	ipstr(c->cli, a);
	ipstr(c->srv, b);
	tsstr(ts, t);
	g->st->dns_queries++;
	if (g->dns.fp != NULL)
		fprintf(g->dns.fp,
		    "%s\t%s\t%s\t%u\t%s\t%u\tudp\t%u\t%lld.%06lld\t%s\t1\tC_INTERNET\t%u\t%s\t0\tNOERROR"
		    "\tF\tF\tT\tT\t0\t%s\t%u.000000\tF\n",
		    t, c->uid, a, c->cport, b, c->sport, id, (long long)(rtt / C2C_USEC),
		    (long long)(rtt % C2C_USEC), q, qtype, qtype == 1 ? "A" : "TXT", answer, ttl);
	if (g->dnsj.fp != NULL)
		fprintf(g->dnsj.fp,
		    "{\"ts\":%s,\"uid\":\"%s\",\"id.orig_h\":\"%s\",\"id.orig_p\":%u,\"id.resp_h\":\"%s\","
		    "\"id.resp_p\":%u,\"proto\":\"udp\",\"trans_id\":%u,\"rtt\":%lld.%06lld,"
		    "\"query\":\"%s\",\"qclass\":1,\"qclass_name\":\"C_INTERNET\",\"qtype\":%u,"
		    "\"qtype_name\":\"%s\",\"rcode\":0,\"rcode_name\":\"NOERROR\",\"AA\":false,"
		    "\"TC\":false,\"RD\":true,\"RA\":true,\"Z\":0,\"answers\":[\"%s\"],\"TTLs\":[%u.0],"
		    "\"rejected\":false}\n",
		    t, c->uid, a, c->cport, b, c->sport, id, (long long)(rtt / C2C_USEC),
		    (long long)(rtt % C2C_USEC), q, qtype, qtype == 1 ? "A" : "TXT", answer, ttl);
}

/* One DNS lookup through the resolver. */
static void
do_dns(struct gen *g, uint32_t cli, c2c_time t, const char *name, uint16_t qtype, uint32_t a,
    const char *txt)
{
	static struct conn c;
	char ans[256];
	uint16_t id = (uint16_t)gen_next(&g->rng);
	c2c_time rtt = 900 + (c2c_time)gen_below(&g->rng, 20000);
	conn_init(g, &c, cli, RESOLVER, 53, 17);
	c.service = "dns";
	dns_msgs(&g_pl, id, name, qtype, a, txt, 300);
	add_pkt(&c, t, true, 0, 0, 0, g_pl.req, g_pl.reqlen);
	add_pkt(&c, t + rtt, false, 0, 0, 0, g_pl.resp, g_pl.resplen);
	(void)snprintf(c.state, sizeof(c.state), "SF");
	(void)snprintf(c.history, sizeof(c.history), "Dd");
	if (qtype == 1)
		ipstr(a, ans);
	else
		(void)snprintf(ans, sizeof(ans), "%s", txt);
	log_dns(g, &c, t, rtt, id, name, qtype, ans, 300);
	emit_conn(g, &c, true);
}

static void
log_ssl(struct gen *g, const struct conn *c, c2c_time ts, const char *sni, const char *cert_name)
{
	char a[16], b[16], t[32], ja3[33], ja3s[33], fp[65];
	if (g->ssl.fp == NULL)
		return;
	(void)c2c_hex(cert_for(g, cert_name)->fp, 32, fp);
	ja3_hash("771,49199-49200-158-49171,0-10-11-13,29-23-24,0", ja3);
	ja3_hash("771,49199,11", ja3s);
	ipstr(c->cli, a);
	ipstr(c->srv, b);
	tsstr(ts, t);
	fprintf(g->ssl.fp,
		    "%s\t%s\t%s\t%u\t%s\t%u\tTLSv12\tTLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\tx25519\t%s"
		    "\tF\t-\t-\tT\t%s\t(empty)\t%s\t%s\n",
		    t, c->uid, a, c->cport, b, c->sport, sni, fp, ja3, ja3s);
}

static void
do_tls(struct gen *g, uint32_t cli, uint32_t srv, uint16_t port, c2c_time t, const char *sni,
    const char *cert_name, uint32_t req_extra, uint32_t resp_extra)
{
	static struct conn c;
	size_t rq, rs;
	conn_init(g, &c, cli, srv, port, 6);
	c.service = "ssl";
	rq = client_hello(g, g_pl.req, sni);
	if (req_extra > sizeof(g_pl.req) - rq - 64)
		req_extra = (uint32_t)(sizeof(g_pl.req) - rq - 64);
	rq += app_data(g, g_pl.req + rq, req_extra);
	rs = server_flight(g, g_pl.resp, cert_name);
	if (resp_extra > sizeof(g_pl.resp) - rs - 64)
		resp_extra = (uint32_t)(sizeof(g_pl.resp) - rs - 64);
	rs += app_data(g, g_pl.resp + rs, resp_extra);
	(void)tcp_exchange(g, &c, t, rtt_to(srv), g_pl.req, (uint32_t)rq, g_pl.resp, (uint32_t)rs);
	log_ssl(g, &c, t, sni, cert_name);
	emit_conn(g, &c, true);
}

static void
do_http(struct gen *g, uint32_t cli, uint32_t srv, c2c_time t, const char *host,
    const char *uri, const char *ua, uint32_t body)
{
	static struct conn c;
	char a[16], b[16], ts[32];
	int rq, rs;
	conn_init(g, &c, cli, srv, 80, 6);
	c.service = "http";
	rq = snprintf((char *)g_pl.req, sizeof(g_pl.req),
	    "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\nConnection: close\r\n\r\n",
	    uri, host, ua);
	rs = snprintf((char *)g_pl.resp, sizeof(g_pl.resp),
	    "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %u\r\n\r\n",
	    body);
	for (uint32_t i = 0; i < body && (size_t)rs + i < sizeof(g_pl.resp); i++)
		g_pl.resp[(size_t)rs + i] = (uint8_t)('a' + gen_below(&g->rng, 26));
	(void)tcp_exchange(g, &c, t, rtt_to(srv), g_pl.req, (uint32_t)rq, g_pl.resp,
	    (uint32_t)rs + body);
	ipstr(cli, a);
	ipstr(srv, b);
	tsstr(t, ts);
	if (g->http.fp != NULL)
		fprintf(g->http.fp, "%s\t%s\t%s\t%u\t%s\t80\t1\tGET\t%s\t%s\t1.1\t%s\t0\t%u\t200\tOK\n",
		    ts, c.uid, a, c.cport, b, host, uri, ua, body);
	emit_conn(g, &c, true);
}

static void
do_ntp(struct gen *g, uint32_t cli, c2c_time t)
{
	static struct conn c;
	uint8_t m[48];
	memset(m, 0, sizeof(m));
	m[0] = 0x23;
	conn_init(g, &c, cli, NTP_SRV, 123, 17);
	c.service = "ntp";
	add_pkt(&c, t, true, 0, 0, 0, m, 48);
	m[0] = 0x24;
	add_pkt(&c, t + rtt_to(NTP_SRV), false, 0, 0, 0, m, 48);
	(void)snprintf(c.state, sizeof(c.state), "SF");
	(void)snprintf(c.history, sizeof(c.history), "Dd");
	emit_conn(g, &c, true);
}

static void
do_scan(struct gen *g, c2c_time t)
{
	static struct conn c;
	static const uint16_t ports[] = { 22, 23, 445, 3389, 8080 };
	uint64_t h = gen_below(&g->rng, g->o->hosts);
	uint32_t scanner = as_addr(&g_as[AS_RU], 200 + (uint32_t)gen_below(&g->rng, 3));
	bool rej = gen_below(&g->rng, 10) < 4;
	/* Inbound: the scanner is the originator, the internal host the responder. */
	conn_init(g, &c, scanner, host_ip(h), ports[gen_below(&g->rng, 5)], 6);
	add_pkt(&c, t, true, F_SYN, (uint32_t)gen_next(&g->rng), 0, NULL, 0);
	if (rej)
		add_pkt(&c, t + 300, false, F_RST | F_ACK, 0, c.p[0].seq + 1, NULL, 0);
	(void)snprintf(c.state, sizeof(c.state), rej ? "REJ" : "S0");
	(void)snprintf(c.history, sizeof(c.history), rej ? "Sr" : "S");
	emit_conn(g, &c, false);
}

/* A long session (hours) with keep-alives every minute: its packets are written as time
 * passes, its conn line when it closes (or, still open, at the end of the window). */
struct longconn {
	struct conn c;
	uint32_t cs, ss;
	c2c_time start, end, last;
	uint64_t op, oip, ob, rp, rip, rb;
	bool open;
};

static void
long_pkt(struct gen *g, struct longconn *l, c2c_time t, bool fc, uint8_t flags, uint32_t len)
{
	struct pkt pk;
	uint8_t pay[64];
	for (uint32_t i = 0; i < len; i++)
		pay[i] = (uint8_t)gen_next(&g->rng);
	pk.ts = t;
	pk.from_client = fc;
	pk.flags = flags;
	pk.seq = fc ? l->cs : l->ss;
	pk.ack = fc ? l->ss : l->cs;
	pk.payload = pay;
	pk.len = len;
	write_frame(g, &l->c, &pk);
	if (fc) {
		l->cs += len + ((flags & (F_SYN | F_FIN)) ? 1 : 0);
		l->op++;
		l->oip += 40 + len;
		l->ob += len;
	} else {
		l->ss += len + ((flags & (F_SYN | F_FIN)) ? 1 : 0);
		l->rp++;
		l->rip += 40 + len;
		l->rb += len;
	}
	l->last = t;
}

static void
long_start(struct gen *g, struct longconn *l, uint32_t cli, uint32_t srv, uint16_t port,
    c2c_time t, c2c_time dur)
{
	c2c_time rtt = rtt_to(srv);
	memset(l, 0, sizeof(*l));
	conn_init(g, &l->c, cli, srv, port, 6);
	l->cs = (uint32_t)gen_next(&g->rng);
	l->ss = (uint32_t)gen_next(&g->rng);
	l->start = t;
	l->end = t + dur;
	l->open = true;
	long_pkt(g, l, t, true, F_SYN, 0);
	long_pkt(g, l, t + rtt, false, F_SYN | F_ACK, 0);
	long_pkt(g, l, t + rtt + 200, true, F_ACK, 0);
}

/* One keep-alive exchange; returns false once the session has closed. */
static bool
long_step(struct gen *g, struct longconn *l, c2c_time t)
{
	c2c_time rtt = rtt_to(l->c.srv);
	if (t >= l->end) {
		long_pkt(g, l, t, true, F_FIN | F_ACK, 0);
		long_pkt(g, l, t + rtt, false, F_FIN | F_ACK, 0);
		long_pkt(g, l, t + rtt + 100, true, F_ACK, 0);
		(void)snprintf(l->c.state, sizeof(l->c.state), "SF");
		(void)snprintf(l->c.history, sizeof(l->c.history), "ShADadFf");
		write_conn_line(g, &l->c, l->start, l->last, l->op, l->oip, l->ob, l->rp, l->rip,
		    l->rb, true);
		l->open = false;
		return false;
	}
	long_pkt(g, l, t, true, F_PSH | F_ACK, 48);
	long_pkt(g, l, t + rtt, false, F_PSH | F_ACK, 48);
	return true;
}

/* ---- the event loop ----------------------------------------------------------------------- */

enum src_kind { SRC_WEB, SRC_NTP, SRC_UPDATE, SRC_BEACON, SRC_LONG, SRC_SCAN };

struct ev {
	c2c_time t;
	uint32_t kind, a;
	uint64_t b;
};

struct heap {
	struct ev *v;
	size_t n, cap;
};

static bool
ev_less(const struct ev *x, const struct ev *y)
{
	if (x->t != y->t)
		return x->t < y->t;
	if (x->kind != y->kind)
		return x->kind < y->kind;
	if (x->a != y->a)
		return x->a < y->a;
	return x->b < y->b;
}

static c2c_err
heap_push(struct heap *h, struct ev e)
{
	size_t i;
	if (h->n == h->cap) {
		size_t nc = h->cap ? h->cap * 2 : 1024;
		struct ev *nv = c2c_reallocarray(h->v, nc, sizeof(*nv));
		if (nv == NULL)
			return C2C_ENOMEM;
		h->v = nv;
		h->cap = nc;
	}
	i = h->n++;
	while (i > 0 && ev_less(&e, &h->v[(i - 1) / 2])) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = e;
	return C2C_OK;
}

/* Put `e` at hole `i` and sift it down to its place among h->v[0..h->n). */
static void
heap_sift(struct heap *h, size_t i, struct ev e)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		const struct ev *mv = &e;
		if (l < h->n && ev_less(&h->v[l], mv)) {
			m = l;
			mv = &h->v[l];
		}
		if (r < h->n && ev_less(&h->v[r], mv))
			m = r;
		if (m == i)
			break;
		h->v[i] = h->v[m];
		i = m;
	}
	h->v[i] = e;
}

static struct ev
heap_pop(struct heap *h)
{
	struct ev top = h->v[0], last = h->v[--h->n];
	if (h->n > 0)
		heap_sift(h, 0, last);
	return top;
}

/* The event queue: a calendar of one-second buckets over the observation window, each an
 * unsorted array, in front of a small binary heap that holds the bucket being played. A push
 * costs an append; a bucket is heapified once when the clock reaches it. The order of pops is
 * exactly ev_less's (a total order), as with one big heap, but the heap stays the size of a
 * second of activity instead of every source at once, so it lives in cache at ten million
 * hosts. Events at or after the end of the window are never played and are not kept. */
struct queue {
	struct heap now;      /* events of bucket `cur` (and any pushed behind it) */
	struct heap *bucket;  /* [n_bucket] */
	size_t n_bucket, cur;
	c2c_time t0, end;
	uint64_t pending;     /* events held in the buckets after `cur` */
};

static c2c_err
queue_init(struct queue *q, c2c_time t0, c2c_time end)
{
	memset(q, 0, sizeof(*q));
	q->t0 = t0;
	q->end = end;
	q->n_bucket = (size_t)((end - t0) / C2C_USEC) + 1;
	q->bucket = c2c_calloc(q->n_bucket, sizeof(*q->bucket));
	return q->bucket == NULL ? C2C_ENOMEM : C2C_OK;
}

static void
queue_free(struct queue *q)
{
	if (q->bucket != NULL)
		for (size_t i = 0; i < q->n_bucket; i++)
			c2c_free(q->bucket[i].v);
	c2c_free(q->bucket);
	c2c_free(q->now.v);
	memset(q, 0, sizeof(*q));
}

static c2c_err
queue_push(struct queue *q, struct ev e)
{
	size_t b;
	struct heap *h;
	if (e.t >= q->end)
		return C2C_OK;
	b = e.t <= q->t0 ? 0 : (size_t)((e.t - q->t0) / C2C_USEC);
	if (b <= q->cur)
		return heap_push(&q->now, e);
	h = &q->bucket[b];
	if (h->n == h->cap) {
		size_t nc = h->cap ? h->cap * 2 : 16;
		struct ev *nv = c2c_reallocarray(h->v, nc, sizeof(*nv));
		if (nv == NULL)
			return C2C_ENOMEM;
		h->v = nv;
		h->cap = nc;
	}
	h->v[h->n++] = e;
	q->pending++;
	return C2C_OK;
}

/* The next event in ev_less order; false when the window holds no more. */
static bool
queue_pop(struct queue *q, struct ev *out)
{
	while (q->now.n == 0) {
		struct heap *h;
		if (q->pending == 0 || q->cur + 1 >= q->n_bucket)
			return false;
		h = &q->bucket[++q->cur];
		if (h->n == 0)
			continue;
		/* Take the bucket's array as the heap and heapify it in place (Floyd). */
		c2c_free(q->now.v);
		q->now = *h;
		memset(h, 0, sizeof(*h));
		q->pending -= q->now.n;
		for (size_t i = q->now.n / 2; i-- > 0;)
			heap_sift(&q->now, i, q->now.v[i]);
	}
	*out = heap_pop(&q->now);
	return true;
}

static unsigned
utc_hour(c2c_time t)
{
	return (unsigned)((t / C2C_USEC) % 86400 / 3600);
}

static bool
asleep(const struct gen_family *f, c2c_time t)
{
	unsigned h = utc_hour(t);
	if (f->sleep_from == f->sleep_to)
		return false;
	if (f->sleep_from < f->sleep_to)
		return h >= f->sleep_from && h < f->sleep_to;
	return h >= f->sleep_from || h < f->sleep_to;
}

static c2c_time
exp_wait(struct gen *g, uint32_t mean_s)
{
	/* Exponential inter-arrival by inversion on a 1/1024 grid: integer arithmetic only, so
	 * the same seed gives the same traffic everywhere. -ln(u) ~ sum of halvings. */
	uint64_t u = gen_below(&g->rng, 1u << 20) + 1;
	uint64_t k = 0;
	while (u < (1u << 20)) {
		u <<= 1;
		k++;
	}
	/* k ~ -log2(u): times ln 2 (~0.693) gives -ln(u); add uniform jitter within the step. */
	return (c2c_time)((k * 693 + gen_below(&g->rng, 693)) * (uint64_t)mean_s * 1000);
}

static void
beacon(struct gen *g, struct gen_family *f, uint64_t vi, c2c_time t)
{
	uint64_t h = f->victims[vi];
	uint32_t cli = host_ip(h), srv = f->c2[vi % f->n_c2];
	char uri[64], q[160];
	switch (f->kind) {
	case FAM_HTTPS_BEACON:
		if (gen_below(&g->rng, 4) == 0)
			do_dns(g, cli, t - 30000, f->domain, 1, srv, NULL);
		do_tls(g, cli, srv, f->port, t, f->domain, f->domain,
		    200 + (uint32_t)gen_below(&g->rng, 48), 100 + (uint32_t)gen_below(&g->rng, 64));
		break;
	case FAM_HTTP_BEACON:
		if (gen_below(&g->rng, 4) == 0)
			do_dns(g, cli, t - 30000, f->domain, 1, srv, NULL);
		(void)snprintf(uri, sizeof(uri), "/gate.php?id=%08x", (uint32_t)(h * 2654435761u));
		do_http(g, cli, srv, t, f->domain, uri,
		    "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)",
		    64 + (uint32_t)gen_below(&g->rng, 32));
		break;
	case FAM_DNS_TUNNEL:
		for (int i = 0; i < 12; i++) {
			char txt[64];
			(void)snprintf(q, sizeof(q), "%016llx%016llx.%08x.%s",
			    (unsigned long long)gen_next(&g->rng), (unsigned long long)gen_next(&g->rng),
			    (uint32_t)gen_next(&g->rng), f->domain);
			(void)snprintf(txt, sizeof(txt), "%016llx%016llx%08x",
			    (unsigned long long)gen_next(&g->rng), (unsigned long long)gen_next(&g->rng),
			    (uint32_t)gen_next(&g->rng));
			do_dns(g, cli, t + i * 700000, q, 16, 0, txt);
		}
		break;
	case FAM_LONGCONN:
		break;
	}
}

static c2c_time
next_beacon(struct gen *g, const struct gen_family *f, c2c_time t)
{
	c2c_time iv = (c2c_time)f->interval_s * C2C_USEC;
	if (f->jitter_pct) {
		c2c_time j = iv * f->jitter_pct / 100;
		iv += (c2c_time)gen_below(&g->rng, (uint64_t)(2 * j + 1)) - j;
	}
	t += iv;
	while (asleep(f, t))
		t += 600 * C2C_USEC;
	return t;
}

/* ---- world setup and side files ----------------------------------------------------------- */

static uint64_t
gcd64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static c2c_err
add_family(struct gen *g, const char *name, enum fam_kind kind, const char *domain,
    uint32_t interval_s, uint32_t jitter, uint16_t port, const char *role, const char *op,
    uint64_t n_victims)
{
	struct gen_family *f;
	uint64_t a, b, hosts = g->o->hosts;
	if (g->n_fam >= C2C_ARRAY_LEN(g->fam))
		return C2C_ELIMIT;
	f = &g->fam[g->n_fam++];
	memset(f, 0, sizeof(*f));
	(void)snprintf(f->name, sizeof(f->name), "%s", name);
	(void)snprintf(f->domain, sizeof(f->domain), "%s", domain);
	(void)snprintf(f->role, sizeof(f->role), "%s", role);
	(void)snprintf(f->truth_operator, sizeof(f->truth_operator), "%s", op);
	f->kind = kind;
	f->interval_s = interval_s;
	f->jitter_pct = jitter;
	f->port = port;
	if (n_victims > hosts)
		n_victims = hosts;
	f->n_victims = n_victims;
	f->victims = c2c_calloc(n_victims ? n_victims : 1, sizeof(uint64_t));
	if (f->victims == NULL)
		return C2C_ENOMEM;
	/* Distinct victims without a set: k -> (a*k + b) mod hosts with gcd(a, hosts) = 1. */
	a = 1 + gen_below(&g->rng, hosts > 1 ? hosts - 1 : 1);
	while (gcd64(a, hosts) != 1)
		a++;
	b = gen_below(&g->rng, hosts);
	for (uint64_t k = 0; k < n_victims; k++)
		f->victims[k] = (a * k + b) % hosts;
	return C2C_OK;
}

static void
set_c2(struct gen_family *f, unsigned as_index, uint32_t n)
{
	f->c2_as[f->n_c2] = &g_as[as_index];
	f->c2[f->n_c2++] = as_addr(&g_as[as_index], n);
}

static c2c_err
setup_world(struct gen *g)
{
	uint64_t nv = g->o->hosts * g->o->victim_permille / 1000, nl;
	c2c_err rc;
	struct gen_family *f;

	for (unsigned i = 0; i < N_AS; i++)
		if (g_as[i].net == 0 || g_as[i].plen == 21)
			g_as[i].net = IP4(198, 18, 0, 0) + (i << 11);
	if (nv < 2)
		nv = 2;
	nl = nv / 3 ? nv / 3 : 1;
#define ADD(...)                                                                                  \
	do {                                                                                      \
		rc = add_family(g, __VA_ARGS__);                                                  \
		if (rc != C2C_OK)                                                                 \
			return rc;                                                                \
		f = &g->fam[g->n_fam - 1];                                                        \
	} while (0)
	ADD("trickload", FAM_HTTPS_BEACON, "cdn-update.trickload.example", 300, 10, 443,
	    "rented-hosting", "criminal operator (TrickLoad)", nv);
	set_c2(f, AS_NL, 10);
	set_c2(f, AS_RU, 11);
	f->in_feed = true;
	(void)snprintf(f->feed_label, sizeof(f->feed_label), "TrickLoad");
	ADD("slowrat", FAM_HTTP_BEACON, "api.slowrat.example", 14400, 0, 80, "rented-hosting",
	    "unknown operator (SlowRAT)", nv);
	set_c2(f, AS_SG, 12);
	ADD("longhaul", FAM_LONGCONN, "longhaul.example", 0, 0, 8443, "rented-hosting",
	    "unknown operator (LongHaul)", nl);
	set_c2(f, AS_HK, 13);
	ADD("dnstunnel", FAM_DNS_TUNNEL, "t.tunnel-c2.example", 120, 20, 53, "rented-hosting",
	    "unknown operator (DNS tunnel)", nl);
	set_c2(f, AS_CN, 14);
	f->sleep_from = 0;
	f->sleep_to = 12;
	ADD("sinkholed", FAM_HTTP_BEACON, "old-c2.sinkholed.example", 600, 5, 80, "sinkhole",
	    "sinkhole operator (benign)", nv);
	set_c2(f, AS_SINK_I, 10);
	ADD("relaynet", FAM_HTTPS_BEACON, "relay.relaynet.example", 900, 20, 443,
	    "compromised-relay", "unknown operator behind residential relays", nv);
	set_c2(f, AS_KR_RES, 33);
	set_c2(f, AS_US_RES, 44);
	set_c2(f, AS_KR_RES, 55);
	f->in_feed = true;
	(void)snprintf(f->feed_label, sizeof(f->feed_label), "RelayNet");
	ADD("panda-mimic", FAM_HTTPS_BEACON, "update.violet-cdn.example", 1800, 5, 443,
	    "rented-hosting", "criminal operator imitating APT31 (false flag)", nv);
	set_c2(f, AS_DE, 66);
	f->sleep_from = 1;
	f->sleep_to = 5;
	f->in_feed = true;
	(void)snprintf(f->feed_label, sizeof(f->feed_label), "APT31");
	for (unsigned i = 0; i < 4 && g->o->slow_periods[i]; i++) {
		char name[32], dom[64];
		(void)snprintf(name, sizeof(name), "slow-%us", g->o->slow_periods[i]);
		(void)snprintf(dom, sizeof(dom), "p%u.slowbeacon.example", g->o->slow_periods[i]);
		ADD(name, FAM_HTTP_BEACON, dom, g->o->slow_periods[i], 0, 80, "rented-hosting",
		    "unknown operator (slow beacon)", 2);
		set_c2(f, AS_US_CLOUD, 100 + i);
	}
	for (unsigned i = 0; i < 4 && g->o->beacons[i].interval_s; i++) {
		const struct c2c_gen_beacon *b = &g->o->beacons[i];
		char name[32], dom[64];
		if (b->jitter_pct > 100 || b->sleep_from > 23 || b->sleep_to > 23)
			return c2c_diag_set(g->diag, C2C_EINVAL, "gen", 0,
			    "beacon %u: jitter 0-100 %%, sleep hours 0-23", i + 1);
		(void)snprintf(name, sizeof(name), "beacon-%u", i + 1);
		(void)snprintf(dom, sizeof(dom), "b%u.configured-beacon.example", i + 1);
		ADD(name, FAM_HTTPS_BEACON, dom, b->interval_s, b->jitter_pct, 443, "rented-hosting",
		    "unknown operator (configured beacon)", nv);
		set_c2(f, AS_US_CLOUD, 110 + i);
		f->sleep_from = b->sleep_from;
		f->sleep_to = b->sleep_to;
	}
#undef ADD
	return C2C_OK;
}

static c2c_err
write_text(struct gen *g, const char *dir, const char *name, const char *text)
{
	char path[1024];
	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	return c2c_file_write_atomic(path, text, strlen(text), g->diag);
}

static c2c_err
write_feeds(struct gen *g, const char *dir)
{
	struct c2c_buf b;
	char ip[16];
	c2c_err rc;
	c2c_buf_init(&b, 1 << 20);
	rc = c2c_buf_adds(&b, "# c2chain gen: C2 addresses reported by a (synthetic) tracker.\n"
			      "# One address per line; '#' starts a comment.\n");
	for (unsigned i = 0; i < g->n_fam && rc == C2C_OK; i++) {
		const struct gen_family *f = &g->fam[i];
		if (!f->in_feed || strcmp(f->name, "panda-mimic") == 0)
			continue;
		/* trickload: only its first C2 is known to the tracker; relays: all of them */
		for (unsigned k = 0; k < (strcmp(f->name, "trickload") == 0 ? 1 : f->n_c2); k++) {
			ipstr(f->c2[k], ip);
			rc = c2c_buf_printf(&b, "%s # %s\n", ip, f->feed_label);
		}
	}
	/* A classic false positive: a CDN edge that once served a payload. The allow-list of
	 * CDN/service ranges must suppress it. */
	if (rc == C2C_OK)
		rc = c2c_buf_adds(&b, "192.0.2.7 # payload host (CDN edge)\n");
	if (rc == C2C_OK && c2c_buf_cstr(&b) != NULL)
		rc = write_text(g, dir, "feeds/c2-ips.txt", (const char *)b.data);
	c2c_buf_fini(&b);
	if (rc != C2C_OK)
		return rc;
	rc = write_text(g, dir, "feeds/apt_violettyphoon.txt",
	    "# c2chain gen: a trail list as published about a named group.\n"
	    "# Aliases: apt31, zirconium, judgment panda, violet typhoon\n\n"
	    "# Reference: https://intel.example/reports/violet-typhoon-infrastructure\n\n"
	    "update.violet-cdn.example\n");
	if (rc == C2C_OK)
		rc = write_text(g, dir, "feeds/warninglist-services.json",
		    "{\"description\": \"CDN and public service ranges of the synthetic internet\","
		    " \"list\": [\"192.0.2.0/24\", \"198.51.100.0/24\"], \"matching_attributes\":"
		    " [\"ip-src\", \"ip-dst\", \"domain|ip\"], \"name\": \"Generated CDN and service"
		    " ranges\", \"type\": \"cidr\", \"version\": 1}\n");
	if (rc == C2C_OK)
		rc = write_text(g, dir, "refdata/sinkholes.json",
		    "{\"description\": \"Sinkhole ranges of the synthetic internet\", \"list\":"
		    " [\"203.0.113.0/24\"], \"matching_attributes\": [\"ip-src\", \"ip-dst\"],"
		    " \"name\": \"List of known sinkholes (generated)\", \"type\": \"cidr\","
		    " \"version\": 1}\n");
	if (rc == C2C_OK)
		rc = write_text(g, dir, "refdata/residential-asns.txt",
		    "# ASNs of residential broadband and cable networks (generated)\n"
		    "64500 # Example Broadband KR\n64501 # Example Cable US\n");
	return rc;
}

/* The case's c2chain.conf: the internal prefixes with the country each office is in, so the
 * control matrix can place controlled hosts. */
static c2c_err
write_conf(struct gen *g, const char *dir)
{
	struct c2c_buf b;
	c2c_err rc;
	c2c_buf_init(&b, 1 << 16);
	rc = c2c_buf_adds(&b, "# c2chain.conf of a generated case: the internal prefixes of the\n"
			      "# organisation's offices and the country of each (defaults elsewhere).\n"
			      "[network]\n");
	for (unsigned i = 0; i < N_VC && rc == C2C_OK; i++)
		rc = c2c_buf_printf(&b, "internal_subnet = 10.%u.0.0/11 %s\n", i * 32,
		    victim_countries[i]);
	if (rc == C2C_OK && c2c_buf_cstr(&b) != NULL)
		rc = write_text(g, dir, "c2chain.conf", (const char *)b.data);
	c2c_buf_fini(&b);
	return rc;
}

static c2c_err
write_hosting(struct gen *g, const char *dir)
{
	struct c2c_buf b;
	c2c_err rc;
	c2c_buf_init(&b, 1 << 16);
	rc = c2c_buf_adds(&b, "# Address ranges of hosting, VPS and cloud providers (generated)\n");
	for (unsigned i = 0; i < N_AS && rc == C2C_OK; i++) {
		char ip[16];
		if (g_as[i].kind != AS_HOSTING && g_as[i].kind != AS_CLOUD)
			continue;
		ipstr(g_as[i].net, ip);
		rc = c2c_buf_printf(&b, "%s/%u # %s\n", ip, g_as[i].plen, g_as[i].org);
	}
	if (rc == C2C_OK && c2c_buf_cstr(&b) != NULL)
		rc = write_text(g, dir, "refdata/hosting-ranges.txt", (const char *)b.data);
	c2c_buf_fini(&b);
	return rc;
}

static c2c_err
write_geo_csv(struct gen *g, const char *dir)
{
	struct c2c_buf b;
	c2c_err rc = C2C_OK;
	c2c_buf_init(&b, 1 << 20);
	/* Internal prefixes have a country but no public ASN: a file of their own, so that
	 * geo.csv can build a country+ASN database (--type both needs every row's ASN). */
	for (unsigned i = 0; i < N_VC && rc == C2C_OK; i++)
		rc = c2c_buf_printf(&b, "10.%u.0.0/11,%s\n", i * 32, victim_countries[i]);
	if (rc == C2C_OK && c2c_buf_cstr(&b) != NULL)
		rc = write_text(g, dir, "geo/internal.csv", (const char *)b.data);
	c2c_buf_reset(&b);
	for (unsigned i = 0; i < N_AS && rc == C2C_OK; i++) {
		char ip[16];
		ipstr(g_as[i].net, ip);
		rc = c2c_buf_printf(&b, "%s/%u,%s,%u,%s\n", ip, g_as[i].plen, g_as[i].country,
		    g_as[i].asn, g_as[i].org);
	}
	if (rc == C2C_OK && c2c_buf_cstr(&b) != NULL)
		rc = write_text(g, dir, "geo/geo.csv", (const char *)b.data);
	c2c_buf_fini(&b);
	return rc;
}

static json_t *
actor(const char *id, const char *name, const char *const *aliases, size_t n)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "type", "intrusion-set",
	    "spec_version", "2.1", "id", id, "name", name, "created",
	    "2024-01-01T00:00:00.000Z", "modified", "2024-01-01T00:00:00.000Z");
	json_t *a = json_array();
	for (size_t i = 0; o != NULL && a != NULL && i < n; i++)
		(void)json_array_append_new(a, json_string(aliases[i]));
	if (o == NULL || a == NULL || json_object_set_new(o, "aliases", a) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static c2c_err
write_catalogue(struct gen *g, const char *dir)
{
	static const char *const apt31[] = { "APT31", "ZIRCONIUM", "JUDGMENT PANDA",
		"Violet Typhoon" };
	static const char *const apt40[] = { "APT40", "Leviathan", "TEMP.Periscope" };
	static const char *const apt27[] = { "APT27", "Emissary Panda", "LuckyMouse" };
	static const char *const volt[] = { "Volt Typhoon", "BRONZE SILHOUETTE" };
	char path[1024];
	json_t *b = json_pack("{s:s,s:s,s:[]}", "type", "bundle", "id",
	    "bundle--8c4e2a61-6b0c-5d2e-9f3a-0c2c0c2c0001", "objects");
	json_t *objs = b ? json_object_get(b, "objects") : NULL;
	c2c_err rc = C2C_ENOMEM;
	if (objs != NULL &&
	    json_array_append_new(objs, actor("intrusion-set--3f1a2b4c-5d6e-5f70-8a9b-0c1d2e3f4a01",
		"APT31", apt31, 4)) == 0 &&
	    json_array_append_new(objs, actor("intrusion-set--3f1a2b4c-5d6e-5f70-8a9b-0c1d2e3f4a02",
		"APT40", apt40, 3)) == 0 &&
	    json_array_append_new(objs, actor("intrusion-set--3f1a2b4c-5d6e-5f70-8a9b-0c1d2e3f4a03",
		"APT27", apt27, 3)) == 0 &&
	    json_array_append_new(objs, actor("intrusion-set--3f1a2b4c-5d6e-5f70-8a9b-0c1d2e3f4a04",
		"Volt Typhoon", volt, 2)) == 0) {
		(void)snprintf(path, sizeof(path), "%s/catalogue/actors.json", dir);
		rc = c2c_json_write_file(b, path, g->diag);
	}
	json_decref(b);
	return rc;
}

struct mcell {
	char cc[3], hc[3], role[24];
	uint32_t c2;
	uint64_t host;
};

static int
u64_cmp(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

static int
mcell_cmp(const void *x, const void *y)
{
	const struct mcell *a = x, *b = y;
	int c = strcmp(a->cc, b->cc);
	if (c == 0)
		c = strcmp(a->hc, b->hc);
	if (c == 0)
		c = strcmp(a->role, b->role);
	if (c == 0)
		c = a->c2 < b->c2 ? -1 : a->c2 > b->c2;
	if (c == 0)
		c = a->host < b->host ? -1 : a->host > b->host;
	return c;
}

/* The control matrix of the ground truth: distinct C2 servers and distinct controlled hosts per
 * (controller country, host country, role). DNS tunnels have no contacted C2 address and are
 * listed per family only. */
static json_t *
truth_matrix(struct gen *g)
{
	struct mcell *v;
	size_t n = 0, cap = 0;
	json_t *pairs = json_array();
	for (unsigned i = 0; i < g->n_fam; i++)
		if (g->fam[i].kind != FAM_DNS_TUNNEL)
			cap += g->fam[i].n_victims;
	v = c2c_calloc(cap ? cap : 1, sizeof(*v));
	if (v == NULL || pairs == NULL) {
		c2c_free(v);
		json_decref(pairs);
		return NULL;
	}
	for (unsigned i = 0; i < g->n_fam; i++) {
		const struct gen_family *f = &g->fam[i];
		if (f->kind == FAM_DNS_TUNNEL)
			continue;
		for (uint64_t k = 0; k < f->n_victims; k++) {
			struct mcell *m = &v[n++];
			unsigned ci = (unsigned)(k % f->n_c2);
			(void)snprintf(m->cc, sizeof(m->cc), "%s", f->c2_as[ci]->country);
			(void)snprintf(m->hc, sizeof(m->hc), "%s", host_country(f->victims[k]));
			(void)snprintf(m->role, sizeof(m->role), "%s", f->role);
			m->c2 = f->c2[ci];
			m->host = f->victims[k];
		}
	}
	qsort(v, n, sizeof(*v), mcell_cmp);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		uint64_t hosts = 0, servers = 0;
		uint64_t *h;
		while (j < n && strcmp(v[j].cc, v[i].cc) == 0 && strcmp(v[j].hc, v[i].hc) == 0 &&
		    strcmp(v[j].role, v[i].role) == 0)
			j++;
		/* Cells are sorted by server within the group: distinct servers are changes of c2;
		 * a host may use several servers, so hosts are sorted apart and de-duplicated. */
		h = c2c_calloc(j - i, sizeof(*h));
		if (h == NULL) {
			c2c_free(v);
			json_decref(pairs);
			return NULL;
		}
		for (size_t k = i; k < j; k++) {
			servers += k == i || v[k].c2 != v[k - 1].c2;
			h[k - i] = v[k].host;
		}
		qsort(h, j - i, sizeof(*h), u64_cmp);
		for (size_t k = 0; k < j - i; k++)
			hosts += k == 0 || h[k] != h[k - 1];
		c2c_free(h);
		(void)json_array_append_new(pairs, json_pack("{s:s,s:s,s:s,s:I,s:I}",
		    "controller_country", v[i].cc, "host_country", v[i].hc, "role", v[i].role,
		    "c2_servers", (json_int_t)servers, "controlled_hosts", (json_int_t)hosts));
		i = j;
	}
	c2c_free(v);
	return pairs;
}

static c2c_err
write_truth(struct gen *g, const char *dir)
{
	char ip[16], iso[40], c2[16];
	struct out o = { 0 };
	struct c2c_buf b;
	json_t *gen_o = NULL, *matrix = NULL;
	c2c_err rc;

	/* Canonical JSON (sorted keys) written as a stream: a family's victims are its last key
	 * and are printed one by one, so ten million hosts need no document tree in memory. */
	c2c_buf_init(&b, (size_t)1 << 30);
	rc = out_open(g, &o, dir, "truth.json");
	if (rc == C2C_OK)
		(void)fputs("{\"families\":[", o.fp);
	for (unsigned i = 0; i < g->n_fam && rc == C2C_OK; i++) {
		const struct gen_family *f = &g->fam[i];
		static const char *const kinds[] = { "https-beacon", "http-beacon",
			"long-connection", "dns-tunnel" };
		json_t *fo = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:s,s:s,s:b,s:[]}", "name",
		    f->name, "kind", kinds[f->kind], "domain", f->domain, "interval_s",
		    (json_int_t)f->interval_s, "jitter_pct", (json_int_t)f->jitter_pct, "port",
		    (json_int_t)f->port, "role", f->role, "operator", f->truth_operator, "in_feed",
		    f->in_feed, "c2");
		if (fo == NULL) {
			rc = C2C_ENOMEM;
			break;
		}
		if (f->feed_label[0])
			(void)json_object_set_new(fo, "feed_label", json_string(f->feed_label));
		if (f->sleep_from != f->sleep_to)
			(void)json_object_set_new(fo, "sleep_utc_hours", json_pack("[i,i]",
			    (int)f->sleep_from, (int)f->sleep_to));
		for (unsigned k = 0; k < f->n_c2; k++) {
			ipstr(f->c2[k], ip);
			(void)json_array_append_new(json_object_get(fo, "c2"),
			    json_pack("{s:s,s:s,s:I,s:s,s:s}", "ip", ip, "country",
				f->c2_as[k]->country, "asn", (json_int_t)f->c2_as[k]->asn, "org",
				f->c2_as[k]->org, "role", f->role));
		}
		c2c_buf_reset(&b);
		rc = c2c_json_canon(fo, &b);
		json_decref(fo);
		if (rc != C2C_OK)
			break;
		/* "victims" sorts after every other key: reopen the object before its brace. */
		(void)fprintf(o.fp, "%s%.*s,\"victims\":[", i ? "," : "", (int)(b.len - 1),
		    (const char *)b.data);
		for (uint64_t k = 0; k < f->n_victims; k++) {
			ipstr(host_ip(f->victims[k]), ip);
			ipstr(f->c2[k % f->n_c2], c2);
			(void)fprintf(o.fp, "%s{\"c2\":\"%s\",\"country\":\"%s\",\"ip\":\"%s\"}",
			    k ? "," : "", c2, host_country(f->victims[k]), ip);
		}
		(void)fputs("]}", o.fp);
	}
	if (rc == C2C_OK) {
		gen_o = json_pack("{s:I,s:I,s:I,s:s}", "seed",
		    (json_int_t)(g->o->seed & 0x1fffffffffffffull), "hosts", (json_int_t)g->o->hosts,
		    "hours", (json_int_t)g->o->hours, "start",
		    c2c_time_format_iso(g->o->start, iso, sizeof(iso)));
		matrix = truth_matrix(g);
		c2c_buf_reset(&b);
		rc = gen_o == NULL || matrix == NULL ? C2C_ENOMEM : c2c_json_canon(gen_o, &b);
	}
	if (rc == C2C_OK) {
		(void)fprintf(o.fp, "],\"generator\":%.*s,\"matrix\":", (int)b.len,
		    (const char *)b.data);
		c2c_buf_reset(&b);
		rc = c2c_json_canon(matrix, &b);
	}
	if (rc == C2C_OK)
		(void)fprintf(o.fp, "%.*s}\n", (int)b.len, (const char *)b.data);
	if (rc == C2C_ENOMEM)
		(void)c2c_diag_set(g->diag, rc, o.path, 0, "out of memory writing the ground truth");
	{
		c2c_err r = out_close(g, &o, rc == C2C_OK);
		if (rc == C2C_OK)
			rc = r;
	}
	json_decref(gen_o);
	json_decref(matrix);
	c2c_buf_fini(&b);
	return rc;
}

/* ---- the run ------------------------------------------------------------------------------ */

void
c2c_gen_opts_default(struct c2c_gen_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->hosts = 60;
	o->hours = 24;
	o->start = (c2c_time)1767225600 * C2C_USEC; /* 2026-01-01T00:00:00Z */
	o->web_mean_s = 1800;
	o->victim_permille = 30;
	o->formats = C2C_GEN_ALL;
}

static c2c_err
mkdirs(const char *dir, struct c2c_diag *diag)
{
	static const char *const sub[] = { "", "/feeds", "/refdata", "/geo", "/catalogue",
		"/zeek", "/zeek-json" };
	for (size_t i = 0; i < C2C_ARRAY_LEN(sub); i++) {
		char p[1024];
		(void)snprintf(p, sizeof(p), "%s%s", dir, sub[i]);
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			return c2c_diag_errno(diag, C2C_EIO, dir, "mkdir");
	}
	return C2C_OK;
}

static void
zeek_header(FILE *fp, const char *path, const char *fields, const char *types, c2c_time t)
{
	char iso[40];
	(void)c2c_time_format_iso(t, iso, sizeof(iso));
	iso[10] = '-';
	iso[13] = '-';
	iso[16] = '-';
	iso[19] = '\0';
	fprintf(fp, "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
		    "#path\t%s\n#open\t%s\n#fields\t%s\n#types\t%s\n", path, iso, fields, types);
}

static void
zeek_footer(FILE *fp, c2c_time t)
{
	char iso[40];
	(void)c2c_time_format_iso(t, iso, sizeof(iso));
	iso[10] = '-';
	iso[13] = '-';
	iso[16] = '-';
	iso[19] = '\0';
	fprintf(fp, "#close\t%s\n", iso);
}

static c2c_err
open_outputs(struct gen *g, const char *dir)
{
	c2c_err rc = C2C_OK;
	unsigned f = g->o->formats;
	if (f & C2C_GEN_PCAP)
		rc = out_open(g, &g->pcap, dir, "traffic.pcap");
	if (rc == C2C_OK && (f & C2C_GEN_IPFIX))
		rc = out_open(g, &g->ipfix, dir, "flows.ipfix");
	if (rc == C2C_OK && (f & C2C_GEN_ZEEK_TSV)) {
		rc = out_open(g, &g->conn, dir, "zeek/conn.log");
		if (rc == C2C_OK)
			rc = out_open(g, &g->dns, dir, "zeek/dns.log");
		if (rc == C2C_OK)
			rc = out_open(g, &g->ssl, dir, "zeek/ssl.log");
		if (rc == C2C_OK)
			rc = out_open(g, &g->http, dir, "zeek/http.log");
	}
	if (rc == C2C_OK && (f & C2C_GEN_ZEEK_JSON)) {
		rc = out_open(g, &g->connj, dir, "zeek-json/conn.log");
		if (rc == C2C_OK)
			rc = out_open(g, &g->dnsj, dir, "zeek-json/dns.log");
	}
	if (rc != C2C_OK)
		return rc;
	if (g->pcap.fp)
		write_pcap_header(g);
	if (g->conn.fp) {
		zeek_header(g->conn.fp, "conn",
		    "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
		    "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory"
		    "\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents",
		    "time\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring"
		    "\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]",
		    g->o->start);
		zeek_header(g->dns.fp, "dns",
		    "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery"
		    "\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\t"
		    "answers\tTTLs\trejected",
		    "time\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring"
		    "\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\t"
		    "vector[interval]\tbool",
		    g->o->start);
		zeek_header(g->ssl.fp, "ssl",
		    "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tcipher\tcurve\t"
		    "server_name\tresumed\tlast_alert\tnext_protocol\testablished\tcert_chain_fps\t"
		    "client_cert_chain_fps\tja3\tja3s",
		    "time\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring\tstring\tbool\tstring"
		    "\tstring\tbool\tvector[string]\tvector[string]\tstring\tstring",
		    g->o->start);
		zeek_header(g->http.fp, "http",
		    "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttrans_depth\tmethod\thost\t"
		    "uri\tversion\tuser_agent\trequest_body_len\tresponse_body_len\tstatus_code\t"
		    "status_msg",
		    "time\tstring\taddr\tport\taddr\tport\tcount\tstring\tstring\tstring\tstring\t"
		    "string\tcount\tcount\tcount\tstring",
		    g->o->start);
	}
	return C2C_OK;
}

static c2c_err
close_outputs(struct gen *g, bool commit)
{
	struct out *all[] = { &g->pcap, &g->ipfix, &g->conn, &g->dns, &g->ssl, &g->http,
		&g->connj, &g->dnsj };
	c2c_err rc = C2C_OK;
	if (commit) {
		ipfix_flush(g);
		for (size_t i = 2; i < 6; i++)
			if (all[i]->fp)
				zeek_footer(all[i]->fp, g->end);
	}
	for (size_t i = 0; i < C2C_ARRAY_LEN(all); i++) {
		c2c_err r = out_close(g, all[i], commit && rc == C2C_OK);
		if (rc == C2C_OK)
			rc = r;
	}
	return rc;
}

static c2c_err
run_loop(struct gen *g, struct queue *q, struct longconn *lc, size_t n_lc)
{
	const struct c2c_gen_opts *o = g->o;
	c2c_time last_progress = o->start;
	c2c_err rc = C2C_OK;
	char site[64];

	struct ev e;

	while (rc == C2C_OK && queue_pop(q, &e)) {
		if (e.t >= g->end)
			break; /* --max-connections moved the end */
		switch (e.kind) {
		case SRC_WEB: {
			unsigned hr = utc_hour(e.t);
			if (hr >= 6 && hr < 22) {
				uint32_t n = (uint32_t)gen_below(&g->rng, 1000), cli = host_ip(e.b);
				uint32_t cdn = as_addr(&g_as[AS_CDN_I], n);
				(void)snprintf(site, sizeof(site), "www.site%u.example", n);
				do_dns(g, cli, e.t, site, 1, cdn, NULL);
				do_tls(g, cli, cdn, 443, e.t + 40000, site, "cdn.example",
				    300 + (uint32_t)gen_below(&g->rng, 400),
				    2000 + (uint32_t)gen_below(&g->rng, 28000));
				e.t += exp_wait(g, o->web_mean_s);
			} else {
				e.t += exp_wait(g, o->web_mean_s * 6);
			}
			break;
		}
		case SRC_NTP:
			do_ntp(g, host_ip(e.b), e.t);
			e.t += 1024 * C2C_USEC + (c2c_time)gen_below(&g->rng, 400000) - 200000;
			break;
		case SRC_UPDATE: {
			uint32_t cli = host_ip(e.b);
			do_dns(g, cli, e.t - 20000, "updates.vendor.example", 1, UPDATE_SRV, NULL);
			do_tls(g, cli, UPDATE_SRV, 443, e.t, "updates.vendor.example",
			    "updates.vendor.example", 400, 900 + (uint32_t)gen_below(&g->rng, 200));
			e.t += 6 * 3600 * C2C_USEC + (c2c_time)gen_below(&g->rng, 120000000) -
			    60000000;
			break;
		}
		case SRC_BEACON: {
			struct gen_family *f = &g->fam[e.a];
			if (!asleep(f, e.t))
				beacon(g, f, e.b, e.t);
			e.t = next_beacon(g, f, e.t);
			break;
		}
		case SRC_LONG: {
			struct longconn *l = &lc[e.a];
			const struct gen_family *f = &g->fam[e.b];
			if (!l->open) {
				uint64_t vi = (uint64_t)e.a;
				uint64_t host = f->victims[vi % f->n_victims];
				long_start(g, l, host_ip(host), f->c2[0], f->port, e.t,
				    (3 * 3600 + (c2c_time)gen_below(&g->rng, 4 * 3600)) * C2C_USEC);
				e.t += 60 * C2C_USEC;
			} else if (long_step(g, l, e.t)) {
				e.t += 60 * C2C_USEC;
			} else {
				e.t += (30 * 60 + (c2c_time)gen_below(&g->rng, 3600)) * C2C_USEC;
			}
			break;
		}
		case SRC_SCAN:
			do_scan(g, e.t);
			e.t += 10 * C2C_USEC + (c2c_time)gen_below(&g->rng, 20 * C2C_USEC);
			break;
		default:
			continue;
		}
		if (g->err != C2C_OK)
			rc = g->err;
		else
			rc = queue_push(q, e);
		if (o->progress != NULL && e.t - last_progress > 600 * C2C_USEC) {
			last_progress = e.t;
			o->progress(o->progress_ctx, e.t < g->end ? e.t : g->end, g->end,
			    g->st->connections);
		}
	}
	/* Sessions still open at the end are logged as Zeek logs them when its input ends. */
	for (size_t i = 0; i < n_lc && rc == C2C_OK; i++) {
		struct longconn *l = &lc[i];
		if (!l->open)
			continue;
		(void)snprintf(l->c.state, sizeof(l->c.state), "S1");
		(void)snprintf(l->c.history, sizeof(l->c.history), "ShADad");
		write_conn_line(g, &l->c, l->start, l->last, l->op, l->oip, l->ob, l->rp, l->rip,
		    l->rb, true);
	}
	return rc;
}

c2c_err
c2c_gen_run(const struct c2c_gen_opts *o, const char *dir, struct c2c_gen_stats *st,
    struct c2c_diag *diag)
{
	struct gen *g;
	struct queue q;
	struct longconn *lc = NULL;
	size_t n_lc = 0, li = 0;
	struct c2c_gen_stats lst;
	c2c_err rc;

	if (o->hosts == 0 || o->hours == 0 || o->hosts > (1ull << 24))
		return c2c_diag_set(diag, C2C_EINVAL, dir, 0,
		    "hosts must be 1..16777216 and hours at least 1");
	g = c2c_calloc(1, sizeof(*g));
	if (g == NULL)
		return C2C_ENOMEM;
	memset(&lst, 0, sizeof(lst));
	g->o = o;
	g->st = st != NULL ? st : &lst;
	memset(g->st, 0, sizeof(*g->st));
	g->diag = diag;
	g->rng.s = o->seed;
	g->end = o->start + (c2c_time)o->hours * 3600 * C2C_USEC;
	rc = queue_init(&q, o->start, g->end);
	if (rc == C2C_OK)
		rc = mkdirs(dir, diag);
	if (rc == C2C_OK)
		rc = setup_world(g);
	if (rc == C2C_OK)
		rc = open_outputs(g, dir);
	/* Sources: three per host, one per (family, victim), one scanner. */
	for (uint64_t k = 0; k < o->hosts && rc == C2C_OK; k++) {
		struct ev e = { o->start + exp_wait(g, o->web_mean_s), SRC_WEB, 0, k };
		rc = queue_push(&q, e);
		e.kind = SRC_NTP;
		e.t = o->start + (c2c_time)((k * 7919) % 1024) * C2C_USEC +
		    (c2c_time)gen_below(&g->rng, C2C_USEC);
		if (rc == C2C_OK)
			rc = queue_push(&q, e);
		e.kind = SRC_UPDATE;
		e.t = o->start + (c2c_time)((k * 104729) % 21600) * C2C_USEC + 120 * C2C_USEC;
		if (rc == C2C_OK)
			rc = queue_push(&q, e);
	}
	for (unsigned i = 0; i < g->n_fam; i++)
		if (g->fam[i].kind == FAM_LONGCONN)
			n_lc += g->fam[i].n_victims;
	if (rc == C2C_OK && n_lc > 0) {
		lc = c2c_calloc(n_lc, sizeof(*lc));
		if (lc == NULL)
			rc = C2C_ENOMEM;
	}
	for (unsigned i = 0; i < g->n_fam && rc == C2C_OK; i++) {
		struct gen_family *f = &g->fam[i];
		for (uint64_t k = 0; k < f->n_victims && rc == C2C_OK; k++) {
			struct ev e;
			if (f->kind == FAM_LONGCONN) {
				e.t = o->start + (c2c_time)gen_below(&g->rng, 1800) * C2C_USEC;
				e.kind = SRC_LONG;
				e.a = (uint32_t)li++;
				e.b = i;
			} else {
				e.t = o->start + (c2c_time)gen_below(&g->rng,
				    (uint64_t)f->interval_s * C2C_USEC);
				e.kind = SRC_BEACON;
				e.a = i;
				e.b = k;
			}
			rc = queue_push(&q, e);
		}
	}
	if (rc == C2C_OK) {
		struct ev e = { o->start + 5 * C2C_USEC, SRC_SCAN, 0, 0 };
		rc = queue_push(&q, e);
	}
	if (rc == C2C_OK)
		rc = run_loop(g, &q, lc, n_lc);
	{
		c2c_err r = close_outputs(g, rc == C2C_OK);
		if (rc == C2C_OK)
			rc = r;
	}
	if (rc == C2C_OK)
		rc = write_feeds(g, dir);
	if (rc == C2C_OK)
		rc = write_geo_csv(g, dir);
	if (rc == C2C_OK)
		rc = write_conf(g, dir);
	if (rc == C2C_OK)
		rc = write_hosting(g, dir);
	if (rc == C2C_OK)
		rc = write_catalogue(g, dir);
	if (rc == C2C_OK)
		rc = write_truth(g, dir);
	for (unsigned i = 0; i < g->n_fam; i++)
		c2c_free(g->fam[i].victims);
	queue_free(&q);
	c2c_free(lc);
	c2c_free(g);
	return rc;
}

/* L2-L4 decoder on frames built in code: every link type, shim and tunnel, and each malformed
 * case moving its own counter. */
#include "test.h"
#include "ingest/internal.h"
#include "pktbuild.h"

static struct c2c_ingest_stats st;
static struct c2c_decoded dec;
static struct fb F;
static uint32_t extra_wire;

#define CNT(x) st.n[C2C_ST_##x]

static bool
run(unsigned lt)
{
	struct c2c_pkt p;
	memset(&p, 0, sizeof(p));
	memset(&st, 0, sizeof(st));
	p.data = F.b;
	p.caplen = (uint32_t)F.n;
	p.wirelen = (uint32_t)F.n + extra_wire;
	p.linktype = (uint16_t)lt;
	return c2c__decode(&p, NULL, &dec, &st);
}

/* IPv4 TCP 10.0.0.1:1234 -> 10.0.0.2:80, SYN|ACK, with a 5-byte payload. */
static void
tcp4(struct fb *f)
{
	size_t ip = ip4_begin(f, 6, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2));
	tcp(f, 1234, 80, 1000, 2000, 0x12);
	put(f, "hello", 5);
	ip4_end(f, ip);
}

static void
udp4(struct fb *f, unsigned sport, unsigned dport, const char *payload)
{
	size_t ip = ip4_begin(f, 17, IP4(192, 0, 2, 1), IP4(192, 0, 2, 2));
	size_t u = udp_begin(f, sport, dport);
	put(f, payload, strlen(payload));
	udp_end(f, u);
	ip4_end(f, ip);
}

static void
is_tcp4(const struct c2c_l4 *l)
{
	char a[C2C_IP_STRLEN], b[C2C_IP_STRLEN];
	ASSERT_EQ(l->proto, 6);
	ASSERT_STR_EQ(c2c_ip_format(&l->src, a, sizeof(a)), "10.0.0.1");
	ASSERT_STR_EQ(c2c_ip_format(&l->dst, b, sizeof(b)), "10.0.0.2");
	ASSERT_EQ(l->sport, 1234);
	ASSERT_EQ(l->dport, 80);
	ASSERT_EQ(l->ip_len, 45);
	ASSERT_EQ(l->payload_len, 5);
	ASSERT_MEM_EQ(l->payload, "hello", 5);
}

static void
ethernet_ipv4_tcp(void)
{
	fb_reset(&F);
	eth(&F, 0x0800);
	tcp4(&F);
	put(&F, NULL, 7); /* Ethernet padding beyond the IP length */
	ASSERT(run(1));
	ASSERT_EQ(dec.n, 1);
	is_tcp4(&dec.l[0]);
	ASSERT_EQ(dec.l[0].seq, 1000);
	ASSERT_EQ(dec.l[0].ack, 2000);
	ASSERT_EQ(dec.l[0].tcp_flags, 0x12);
	ASSERT_EQ(dec.l[0].win, 8192);
	ASSERT_EQ(dec.l[0].ttl, 64);
	ASSERT_EQ(dec.l[0].tunnel, 0);
	ASSERT_EQ(dec.l[0].parent, -1);
	ASSERT_EQ(dec.l[0].flags, 0);
	ASSERT(c2c__l4_checksum_ok(&dec.l[0]) == false); /* builder leaves the TCP sum 0 */
	ASSERT_EQ(CNT(DEC_PACKETS), 1);
}

static void
link_types(void)
{
	static const uint8_t null_le[4] = { 2, 0, 0, 0 }, null_be[4] = { 0, 0, 0, 2 };
	static const uint8_t af6[][4] = { { 24, 0, 0, 0 }, { 0, 0, 0, 28 }, { 30, 0, 0, 0 },
		{ 10, 0, 0, 0 } };
	uint8_t sll[16] = { 0 }, sll2[20] = { 0 };

	fb_reset(&F);
	tcp4(&F);
	ASSERT(run(101));
	is_tcp4(&dec.l[0]);
	ASSERT(run(12));
	ASSERT(run(14));
	ASSERT(run(228));
	ASSERT(!run(229)); /* IPv4 bytes on an IPv6 link */
	ASSERT_EQ(CNT(DEC_IP_BAD_VERSION), 1);

	fb_reset(&F);
	put(&F, null_le, 4);
	tcp4(&F);
	ASSERT(run(0));
	is_tcp4(&dec.l[0]);
	memcpy(F.b, null_be, 4);
	ASSERT(run(108));
	ASSERT(run(0));
	for (size_t i = 0; i < C2C_ARRAY_LEN(af6); i++) {
		size_t ip;
		fb_reset(&F);
		put(&F, af6[i], 4);
		ip = ip6_begin(&F, 17, 1, 2);
		put16(&F, 53);
		put16(&F, 5353);
		put16(&F, 8);
		put16(&F, 0);
		ip6_end(&F, ip);
		ASSERT(run(0));
		ASSERT_EQ(dec.l[0].src.family, 6);
		ASSERT_EQ(dec.l[0].sport, 53);
	}
	fb_reset(&F);
	put(&F, "\x07\0\0\0", 4);
	ASSERT(!run(0));
	ASSERT_EQ(CNT(DEC_NON_IP), 1);

	sll[14] = 0x08;
	fb_reset(&F);
	put(&F, sll, 16);
	tcp4(&F);
	ASSERT(run(113));
	is_tcp4(&dec.l[0]);
	sll2[0] = 0x08;
	fb_reset(&F);
	put(&F, sll2, 20);
	tcp4(&F);
	ASSERT(run(276));
	is_tcp4(&dec.l[0]);

	/* PPP with address/control, PPP with a compressed protocol, Cisco HDLC. */
	fb_reset(&F);
	put(&F, "\xff\x03\x00\x21", 4);
	tcp4(&F);
	ASSERT(run(9));
	is_tcp4(&dec.l[0]);
	ASSERT(run(50));
	fb_reset(&F);
	put(&F, "\x21", 1);
	tcp4(&F);
	ASSERT(run(9));
	fb_reset(&F);
	put(&F, "\x0f\x00\x08\x00", 4);
	tcp4(&F);
	ASSERT(run(104));
	ASSERT(run(50));
	fb_reset(&F);
	put(&F, "\xff\x03\xc0\x21", 4); /* LCP */
	ASSERT(!run(9));
	ASSERT_EQ(CNT(DEC_NON_IP), 1);

	fb_reset(&F);
	tcp4(&F);
	ASSERT(!run(147));
	ASSERT_EQ(CNT(DEC_UNKNOWN_LINKTYPE), 1);
}

static void
wifi(void)
{
	static const uint8_t snap[8] = { 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00 };
	uint8_t hdr[26] = { 0x88, 0x01 }; /* QoS data, to DS */
	uint8_t rt[12] = { 0, 0, 12, 0 };
	size_t sub;

	fb_reset(&F);
	put(&F, hdr, 26);
	put(&F, snap, 8);
	tcp4(&F);
	ASSERT(run(105));
	is_tcp4(&dec.l[0]);
	/* The same behind a radiotap header. */
	memmove(F.b + 12, F.b, F.n);
	memcpy(F.b, rt, 12);
	F.n += 12;
	ASSERT(run(127));
	is_tcp4(&dec.l[0]);
	F.b[2] = 200; /* radiotap longer than the frame */
	ASSERT(!run(127));
	ASSERT_EQ(CNT(DEC_RADIOTAP_BAD), 1);

	/* A-MSDU with two subframes: two packets' layers. */
	fb_reset(&F);
	hdr[24] = 0x80;
	put(&F, hdr, 26);
	put(&F, NULL, 12);
	sub = F.n;
	put16(&F, 0);
	put(&F, snap, 8);
	tcp4(&F);
	set16(&F, sub, (unsigned)(F.n - sub - 2));
	while ((F.n - sub + 12) % 4)
		put8(&F, 0);
	put(&F, NULL, 12);
	sub = F.n;
	put16(&F, 0);
	put(&F, snap, 8);
	udp4(&F, 1, 2, "x");
	set16(&F, sub, (unsigned)(F.n - sub - 2));
	ASSERT(run(105));
	ASSERT_EQ(dec.n, 2);
	is_tcp4(&dec.l[0]);
	ASSERT_EQ(dec.l[1].proto, 17);

	fb_reset(&F);
	put(&F, "\x80\x00", 2); /* beacon */
	put(&F, NULL, 30);
	ASSERT(!run(105));
	ASSERT_EQ(CNT(DEC_80211_NON_DATA), 1);
	fb_reset(&F);
	put(&F, "\x08\x41", 2); /* data, protected */
	put(&F, NULL, 40);
	ASSERT(!run(105));
	ASSERT_EQ(CNT(DEC_80211_PROTECTED), 1);
	fb_reset(&F);
	put(&F, "\x08\x01", 2);
	put(&F, NULL, 10);
	ASSERT(!run(105));
	ASSERT_EQ(CNT(DEC_80211_SHORT), 1);
	fb_reset(&F);
	put(&F, "\x08\x01", 2);
	put(&F, NULL, 22);
	put(&F, "\xaa\xaa\x03", 3);
	ASSERT(!run(105));
	ASSERT_EQ(CNT(DEC_LLC_SHORT), 1);
}

static void
vlan_mpls_pppoe_pbb(void)
{
	size_t l;

	/* 802.1ad + 802.1Q + 0x9100: outer and inner VLAN ids. */
	fb_reset(&F);
	eth(&F, 0x88a8);
	put16(&F, 0x2000 | 100);
	put16(&F, 0x8100);
	put16(&F, 200);
	put16(&F, 0x9100);
	put16(&F, 300);
	put16(&F, 0x0800);
	tcp4(&F);
	ASSERT(run(1));
	is_tcp4(&dec.l[0]);
	ASSERT_EQ(dec.vlan, 100);
	ASSERT_EQ(dec.inner_vlan, 200);

	/* MPLS two labels, IPv4 by nibble. */
	fb_reset(&F);
	eth(&F, 0x8847);
	put32(&F, 0x00010040);
	put32(&F, 0x00020140);
	tcp4(&F);
	ASSERT(run(1));
	is_tcp4(&dec.l[0]);
	/* MPLS, control word, Ethernet pseudowire, IPv4. */
	fb_reset(&F);
	eth(&F, 0x8847);
	put32(&F, 0x00010140);
	put32(&F, 0);
	eth(&F, 0x0800);
	tcp4(&F);
	ASSERT(run(1));
	is_tcp4(&dec.l[0]);

	/* PPPoE session carrying IPv4. */
	fb_reset(&F);
	eth(&F, 0x8864);
	put(&F, "\x11\x00\x00\x01", 4);
	l = F.n;
	put16(&F, 0);
	put16(&F, 0x0021);
	tcp4(&F);
	set16(&F, l, (unsigned)(F.n - l - 2));
	ASSERT(run(1));
	is_tcp4(&dec.l[0]);

	/* PBB, FabricPath, VN-Tag, 802.3 + LLC/SNAP. */
	fb_reset(&F);
	eth(&F, 0x88e7);
	put32(&F, 0x00000100);
	put(&F, NULL, 12);
	put16(&F, 0x0800);
	tcp4(&F);
	ASSERT(run(1));
	is_tcp4(&dec.l[0]);
	fb_reset(&F);
	eth(&F, 0x8903);
	put16(&F, 0x0001);
	eth(&F, 0x0800);
	tcp4(&F);
	ASSERT(run(1));
	is_tcp4(&dec.l[0]);
	fb_reset(&F);
	eth(&F, 0x8926);
	put32(&F, 0x00000033);
	put16(&F, 0x0800);
	tcp4(&F);
	ASSERT(run(1));
	is_tcp4(&dec.l[0]);
	fb_reset(&F);
	eth(&F, 0);
	put(&F, "\xaa\xaa\x03\x00\x00\x00\x08\x00", 8);
	tcp4(&F);
	set16(&F, 12, (unsigned)(F.n - 14));
	ASSERT(run(1));
	is_tcp4(&dec.l[0]);
}

static void
link_malformed_counts(void)
{
	static const struct {
		unsigned type, extra;
		enum c2c_stat stat;
	} cases[] = {
		{ 0x8100, 2, C2C_ST_DEC_VLAN_SHORT }, { 0x8847, 3, C2C_ST_DEC_MPLS_SHORT },
		{ 0x8864, 5, C2C_ST_DEC_PPPOE_SHORT }, { 0x88e7, 10, C2C_ST_DEC_PBB_SHORT },
		{ 0x8903, 10, C2C_ST_DEC_FABRICPATH_SHORT }, { 0x8926, 4, C2C_ST_DEC_VNTAG_SHORT },
		{ 0x0806, 28, C2C_ST_DEC_NON_IP }, { 0x0800, 10, C2C_ST_DEC_IP4_SHORT },
		{ 0x86dd, 30, C2C_ST_DEC_IP6_SHORT },
	};
	for (size_t i = 0; i < C2C_ARRAY_LEN(cases); i++) {
		fb_reset(&F);
		eth(&F, cases[i].type);
		put(&F, NULL, cases[i].extra);
		ASSERT(!run(1));
		if (st.n[cases[i].stat] != 1)
			TEST_FAIL_("ethertype 0x%04x: counter %s not moved", cases[i].type,
			    c2c_stat_name(cases[i].stat));
	}
	fb_reset(&F);
	put(&F, NULL, 10);
	ASSERT(!run(1));
	ASSERT_EQ(CNT(DEC_L2_SHORT), 1);
	ASSERT(!run(113));
	ASSERT_EQ(CNT(DEC_L2_SHORT), 1);
	/* An endless VLAN stack stops at the step cap. */
	fb_reset(&F);
	eth(&F, 0x8100);
	for (int i = 0; i < 100; i++) {
		put16(&F, 1);
		put16(&F, 0x8100);
	}
	ASSERT(!run(1));
	ASSERT_EQ(CNT(DEC_TOO_MANY_LAYERS), 1);
}

static void
ipv4_lengths_and_options(void)
{
	size_t ip;

	/* Options (IHL 7) are skipped. */
	fb_reset(&F);
	ip = F.n;
	put8(&F, 0x47);
	put(&F, NULL, 1);
	put16(&F, 0);
	put16(&F, 1);
	put16(&F, 0);
	put8(&F, 64);
	put8(&F, 17);
	put16(&F, 0);
	put32(&F, IP4(1, 1, 1, 1));
	put32(&F, IP4(2, 2, 2, 2));
	put32(&F, 0x01010101);
	put32(&F, 0x01010100);
	put16(&F, 7);
	put16(&F, 9);
	put16(&F, 10);
	put16(&F, 0);
	put16(&F, 0xabcd);
	ip4_end(&F, ip);
	ASSERT(run(101));
	ASSERT_EQ(dec.l[0].ip_hlen, 28);
	ASSERT_EQ(dec.l[0].ip_len, 38);
	ASSERT_EQ(dec.l[0].sport, 7);
	ASSERT_EQ(dec.l[0].payload_len, 2);

	/* Snapped by the capture: counted, kept with its IP length. */
	fb_reset(&F);
	tcp4(&F);
	F.n -= 3;
	extra_wire = 3;
	ASSERT(run(101));
	ASSERT_EQ(dec.l[0].ip_len, 45);
	ASSERT_EQ(dec.l[0].payload_caplen, 2);
	ASSERT(dec.l[0].flags & C2C_L4F_SNAPPED);
	ASSERT_EQ(CNT(DEC_TRUNCATED), 1);
	extra_wire = 0;
	/* Longer than the wire carried: dropped. */
	ASSERT(!run(101));
	ASSERT_EQ(CNT(DEC_IP4_BAD_LEN), 1);

	fb_reset(&F);
	tcp4(&F);
	F.b[0] = 0x44; /* IHL 4 */
	ASSERT(!run(101));
	ASSERT_EQ(CNT(DEC_IP4_BAD_HLEN), 1);
	F.b[0] = 0x45;
	F.b[11] ^= 0xff; /* header checksum */
	ASSERT(run(101));
	ASSERT(dec.l[0].flags & C2C_L4F_IP_CSUM_BAD);
	ASSERT_EQ(CNT(DEC_IP4_BAD_CSUM), 1);
	F.b[2] = 0;
	F.b[3] = 0; /* total length 0 (TSO) */
	ASSERT(run(101));
	ASSERT(dec.l[0].flags & C2C_L4F_IP_LEN_ZERO);
	ASSERT_EQ(dec.l[0].ip_len, 45);
	ASSERT_EQ(CNT(DEC_IP4_LEN_ZERO), 1);
	F.b[0] = 0x55;
	ASSERT(!run(101));
	ASSERT_EQ(CNT(DEC_IP_BAD_VERSION), 1);
}

static void
transports(void)
{
	size_t ip;

	/* ICMP: type and code in the port fields. */
	fb_reset(&F);
	ip = ip4_begin(&F, 1, IP4(1, 2, 3, 4), IP4(5, 6, 7, 8));
	put(&F, "\x08\x00\x00\x00\x00\x01\x00\x01", 8);
	ip4_end(&F, ip);
	ASSERT(run(101));
	ASSERT_EQ(dec.l[0].sport, 8);
	ASSERT_EQ(dec.l[0].dport, 0);
	F.b[22] = 0xf7;
	F.b[23] = 0xfd;
	ASSERT(c2c__l4_checksum_ok(&dec.l[0]));
	/* ICMPv6 echo reply */
	fb_reset(&F);
	ip = ip6_begin(&F, 58, 1, 2);
	put(&F, "\x81\x00\x00\x00\x00\x01\x00\x01", 8);
	ip6_end(&F, ip);
	ASSERT(run(101));
	ASSERT_EQ(dec.l[0].proto, 58);
	ASSERT_EQ(dec.l[0].sport, 129);
	/* SCTP ports; an unknown protocol is a port-less layer; IGMP is none. */
	fb_reset(&F);
	ip = ip4_begin(&F, 132, IP4(1, 2, 3, 4), IP4(5, 6, 7, 8));
	put16(&F, 2905);
	put16(&F, 2906);
	put(&F, NULL, 8);
	ip4_end(&F, ip);
	ASSERT(run(101));
	ASSERT_EQ(dec.l[0].sport, 2905);
	ASSERT_EQ(dec.l[0].dport, 2906);
	F.b[9] = 99;
	ASSERT(run(101));
	ASSERT_EQ(dec.l[0].proto, 99);
	ASSERT_EQ(dec.l[0].sport, 0);
	F.b[9] = 2;
	ASSERT(!run(101));
	ASSERT_EQ(CNT(DEC_IGMP), 1);
	F.b[9] = 50;
	ASSERT(!run(101));
	ASSERT_EQ(CNT(DEC_ESP), 1);

	/* Short transport headers. */
	{
		static const struct {
			unsigned proto, len;
			enum c2c_stat stat;
			bool layer;
		} cases[] = {
			{ 6, 10, C2C_ST_DEC_TCP_SHORT, false }, { 17, 4, C2C_ST_DEC_UDP_SHORT, false },
			{ 1, 4, C2C_ST_DEC_ICMP_SHORT, false }, { 132, 6, C2C_ST_DEC_SCTP_SHORT, true },
		};
		for (size_t i = 0; i < C2C_ARRAY_LEN(cases); i++) {
			fb_reset(&F);
			ip = ip4_begin(&F, cases[i].proto, IP4(1, 2, 3, 4), IP4(5, 6, 7, 8));
			put(&F, NULL, cases[i].len);
			ip4_end(&F, ip);
			ASSERT(run(101) == cases[i].layer);
			ASSERT_EQ(st.n[cases[i].stat], 1);
		}
	}
	/* TCP data offset past the captured bytes: layer kept, flagged. */
	fb_reset(&F);
	tcp4(&F);
	F.b[32] = 0xf0;
	ASSERT(run(101));
	ASSERT(dec.l[0].flags & C2C_L4F_L4_TRUNC);
	ASSERT_EQ(dec.l[0].sport, 1234);
	ASSERT_EQ(CNT(DEC_TCP_SHORT), 1);
}

static void
tcp_checksum_verifies(void)
{
	uint32_t sum = 0;
	uint16_t c;

	fb_reset(&F);
	tcp4(&F);
	/* Pseudo-header + segment. */
	sum += 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 6 + 25;
	c = csum16(F.b + 20, 25, sum);
	set16(&F, 36, c);
	ASSERT(run(101));
	ASSERT(c2c__l4_checksum_ok(&dec.l[0]));
	F.b[44] ^= 1;
	ASSERT(run(101));
	ASSERT(!c2c__l4_checksum_ok(&dec.l[0]));
	/* UDP over IPv4 without a checksum is fine. */
	fb_reset(&F);
	udp4(&F, 1, 2, "abc");
	ASSERT(run(101));
	ASSERT(c2c__l4_checksum_ok(&dec.l[0]));
}

static void
ipv6_extension_headers(void)
{
	size_t ip;

	fb_reset(&F);
	ip = ip6_begin(&F, 0, 1, 2);
	put(&F, "\x3c\x00\x01\x04\x00\x00\x00\x00", 8);         /* hop-by-hop -> dest opts */
	put(&F, "\x2b\x00\x01\x04\x00\x00\x00\x00", 8);         /* dest opts -> routing */
	put(&F, "\x33\x00\x00\x00\x00\x00\x00\x00", 8);         /* routing -> AH */
	put(&F, "\x11\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x02", 12); /* AH -> UDP */
	put16(&F, 500);
	put16(&F, 4500);
	put16(&F, 10);
	put16(&F, 0);
	put16(&F, 0);
	ip6_end(&F, ip);
	ASSERT(run(101));
	ASSERT_EQ(dec.l[0].proto, 17);
	ASSERT_EQ(dec.l[0].sport, 500);
	ASSERT_EQ(dec.l[0].ip_len, 40 + 36 + 10);
	ASSERT_EQ(dec.l[0].payload_len, 2);
	F.b[41] = 200; /* hop-by-hop longer than the packet */
	ASSERT(!run(101));
	ASSERT_EQ(CNT(DEC_IP6_BAD_EXT), 1);

	fb_reset(&F);
	ip = ip6_begin(&F, 59, 1, 2);
	ip6_end(&F, ip);
	ASSERT(!run(101));
	ASSERT_EQ(CNT(DEC_IP6_NO_NEXT), 1);
	F.b[6] = 50;
	ASSERT(!run(101));
	ASSERT_EQ(CNT(DEC_ESP), 1);
	F.b[5] = 8; /* payload length beyond the packet */
	ASSERT(!run(101));
	ASSERT_EQ(CNT(DEC_IP6_BAD_LEN), 1);
}

static void
tunnel_tag(const struct c2c_l4 *l, unsigned type, uint32_t id, const char *src, int parent,
    unsigned depth)
{
	char a[C2C_IP_STRLEN];
	ASSERT_EQ(l->tunnel, type);
	ASSERT_U64_EQ(l->tunnel_id, id);
	ASSERT_STR_EQ(c2c_ip_format(&l->tun_src, a, sizeof(a)), src);
	ASSERT_EQ(l->parent, parent);
	ASSERT_EQ(l->depth, depth);
}

static void
gre_and_erspan(void)
{
	size_t ip;

	/* GRE with checksum and key, IPv4 inside: no outer layer (Zeek logs none). */
	fb_reset(&F);
	eth(&F, 0x0800);
	ip = ip4_begin(&F, 47, IP4(172, 16, 0, 1), IP4(172, 16, 0, 2));
	put16(&F, 0xa000);
	put16(&F, 0x0800);
	put32(&F, 0);
	put32(&F, 77);
	tcp4(&F);
	ip4_end(&F, ip);
	ASSERT(run(1));
	ASSERT_EQ(dec.n, 1);
	is_tcp4(&dec.l[0]);
	tunnel_tag(&dec.l[0], C2C_TUN_GRE, 77, "172.16.0.1", -1, 1);
	F.b[34] |= 0x40; /* routing present */
	ASSERT(!run(1));
	ASSERT_EQ(CNT(DEC_GRE_BAD), 1);

	/* Transparent Ethernet bridging. */
	fb_reset(&F);
	ip = ip4_begin(&F, 47, IP4(172, 16, 0, 1), IP4(172, 16, 0, 2));
	put16(&F, 0);
	put16(&F, 0x6558);
	eth(&F, 0x0800);
	tcp4(&F);
	ip4_end(&F, ip);
	ASSERT(run(101));
	is_tcp4(&dec.l[0]);

	/* PPTP enhanced GRE: key (length, call id), sequence, PPP. */
	fb_reset(&F);
	ip = ip4_begin(&F, 47, IP4(172, 16, 0, 1), IP4(172, 16, 0, 2));
	put16(&F, 0x3001);
	put16(&F, 0x880b);
	put16(&F, 45);
	put16(&F, 0x4242);
	put32(&F, 1);
	put(&F, "\xff\x03\x00\x21", 4);
	tcp4(&F);
	ip4_end(&F, ip);
	ASSERT(run(101));
	is_tcp4(&dec.l[0]);
	tunnel_tag(&dec.l[0], C2C_TUN_GRE, 0x4242, "172.16.0.1", -1, 1);

	/* ERSPAN I, II (session 5), III (session 9, with the platform sub-header). */
	for (int type = 1; type <= 3; type++) {
		fb_reset(&F);
		ip = ip4_begin(&F, 47, IP4(172, 16, 0, 1), IP4(172, 16, 0, 2));
		put16(&F, type == 2 ? 0x1000 : 0);
		put16(&F, type == 3 ? 0x22eb : 0x88be);
		if (type == 2) {
			put32(&F, 1);
			put32(&F, 0x10000005);
			put32(&F, 0);
		} else if (type == 3) {
			put32(&F, 0x20000009);
			put32(&F, 0);
			put32(&F, 1);
			put(&F, NULL, 8);
		}
		eth(&F, 0x0800);
		tcp4(&F);
		ip4_end(&F, ip);
		ASSERT(run(101));
		is_tcp4(&dec.l[0]);
		tunnel_tag(&dec.l[0], C2C_TUN_ERSPAN, type == 1 ? 0 : type == 2 ? 5 : 9,
		    "172.16.0.1", -1, 1);
	}
	fb_reset(&F);
	ip = ip4_begin(&F, 47, IP4(172, 16, 0, 1), IP4(172, 16, 0, 2));
	put16(&F, 0);
	put16(&F, 0x88be);
	put(&F, NULL, 6);
	ip4_end(&F, ip);
	ASSERT(!run(101));
	ASSERT_EQ(CNT(DEC_ERSPAN_BAD), 1);
}

static void
ip_in_ip(void)
{
	size_t o, i;

	/* 6in4, then 4in6. */
	fb_reset(&F);
	o = ip4_begin(&F, 41, IP4(198, 51, 100, 1), IP4(198, 51, 100, 2));
	i = ip6_begin(&F, 17, 1, 2);
	put16(&F, 1000);
	put16(&F, 53);
	put16(&F, 8);
	put16(&F, 0);
	ip6_end(&F, i);
	ip4_end(&F, o);
	ASSERT(run(101));
	ASSERT_EQ(dec.n, 1);
	ASSERT_EQ(dec.l[0].src.family, 6);
	tunnel_tag(&dec.l[0], C2C_TUN_IPIP, 0, "198.51.100.1", -1, 1);

	fb_reset(&F);
	o = ip6_begin(&F, 4, 7, 8);
	tcp4(&F);
	ip6_end(&F, o);
	ASSERT(run(101));
	is_tcp4(&dec.l[0]);
	tunnel_tag(&dec.l[0], C2C_TUN_IPIP, 0, "2001:db8::7", -1, 1);

	/* Twelve nested IPv4-in-IPv4 headers: carriers are no layers, depth counts them. */
	fb_reset(&F);
	{
		size_t at[12];
		for (int k = 0; k < 12; k++)
			at[k] = ip4_begin(&F, 4, IP4(10, 9, 9, k), IP4(10, 8, 8, k));
		tcp4(&F);
		for (int k = 11; k >= 0; k--)
			ip4_end(&F, at[k]);
	}
	ASSERT(run(101));
	ASSERT_EQ(dec.l[0].depth, 12);
	/* Broken inner header. */
	fb_reset(&F);
	o = ip4_begin(&F, 4, IP4(10, 9, 9, 9), IP4(10, 8, 8, 8));
	put(&F, "\x75", 1);
	put(&F, NULL, 30);
	ip4_end(&F, o);
	ASSERT(!run(101));
	ASSERT_EQ(CNT(DEC_IP_BAD_VERSION), 1);
}

static void
udp_tunnels(void)
{
	size_t o, u, i;

	/* VXLAN VNI 123: outer UDP layer, then the inner one with it as parent. */
	fb_reset(&F);
	o = ip4_begin(&F, 17, IP4(192, 168, 56, 11), IP4(192, 168, 56, 12));
	u = udp_begin(&F, 39924, 4789);
	put32(&F, 0x08000000);
	put32(&F, 123u << 8);
	eth(&F, 0x0800);
	tcp4(&F);
	udp_end(&F, u);
	ip4_end(&F, o);
	ASSERT(run(101));
	ASSERT_EQ(dec.n, 2);
	ASSERT_EQ(dec.l[0].dport, 4789);
	ASSERT_EQ(dec.l[0].tunnel, 0);
	is_tcp4(&dec.l[1]);
	tunnel_tag(&dec.l[1], C2C_TUN_VXLAN, 123, "192.168.56.11", 0, 1);
	F.n = 20 + 8 + 8 + 10;
	set16(&F, 2, (unsigned)F.n);
	set16(&F, 24, (unsigned)F.n - 20);
	ASSERT(run(101)); /* the outer UDP layer stays */
	ASSERT_EQ(dec.n, 1);
	ASSERT_EQ(CNT(DEC_VXLAN_BAD), 1);

	/* Geneve with 8 bytes of options, IPv4 payload type. */
	fb_reset(&F);
	o = ip4_begin(&F, 17, IP4(20, 0, 0, 1), IP4(20, 0, 0, 2));
	u = udp_begin(&F, 50901, 6081);
	put16(&F, 0x0200);
	put16(&F, 0x0800);
	put32(&F, 99u << 8);
	put(&F, NULL, 8);
	tcp4(&F);
	udp_end(&F, u);
	ip4_end(&F, o);
	ASSERT(run(101));
	ASSERT_EQ(dec.n, 2);
	tunnel_tag(&dec.l[1], C2C_TUN_GENEVE, 99, "20.0.0.1", 0, 1);
	F.b[28] = 0x3f; /* options longer than the datagram */
	ASSERT(run(101));
	ASSERT_EQ(CNT(DEC_GENEVE_BAD), 1);

	/* GTP-U with sequence number and one extension header, TEID 0x1234. */
	fb_reset(&F);
	o = ip4_begin(&F, 17, IP4(79, 188, 154, 91), IP4(10, 1, 1, 1));
	u = udp_begin(&F, 2152, 2152);
	put8(&F, 0x36);
	put8(&F, 0xff);
	i = F.n;
	put16(&F, 0);
	put32(&F, 0x1234);
	put16(&F, 1);
	put8(&F, 0);
	put8(&F, 0x85);
	put(&F, "\x01\x10\x00\x00", 4);
	tcp4(&F);
	set16(&F, i, (unsigned)(F.n - i - 6));
	udp_end(&F, u);
	ip4_end(&F, o);
	ASSERT(run(101));
	ASSERT_EQ(dec.n, 2);
	is_tcp4(&dec.l[1]);
	tunnel_tag(&dec.l[1], C2C_TUN_GTPU, 0x1234, "79.188.154.91", 0, 1);
	F.b[29] = 1; /* echo request */
	ASSERT(run(101));
	ASSERT_EQ(dec.n, 1);
	ASSERT_EQ(CNT(DEC_GTP_NOT_TPDU), 1);
	F.b[28] = 0x56; /* version 2 */
	ASSERT(run(101));
	ASSERT_EQ(CNT(DEC_GTP_BAD), 1);

	/* AYIYA: identity 2^1 bytes, signature 0, forward, IPv6 inside. */
	fb_reset(&F);
	o = ip4_begin(&F, 17, IP4(192, 168, 3, 101), IP4(216, 14, 98, 22));
	u = udp_begin(&F, 53859, 5072);
	put(&F, "\x10\x00\x11\x29\x00\x00\x00\x00\xaa\xbb", 10);
	i = ip6_begin(&F, 58, 1, 2);
	put(&F, "\x80\x00\x00\x00\x00\x01\x00\x01", 8);
	ip6_end(&F, i);
	udp_end(&F, u);
	ip4_end(&F, o);
	ASSERT(run(101));
	ASSERT_EQ(dec.n, 2);
	ASSERT_EQ(dec.l[1].proto, 58);
	tunnel_tag(&dec.l[1], C2C_TUN_AYIYA, 0, "192.168.3.101", 0, 1);
	F.b[28] = 0xf0; /* 32 KiB identity */
	ASSERT(run(101));
	ASSERT_EQ(CNT(DEC_AYIYA_BAD), 1);

	/* GRE in UDP (RFC 8086). */
	fb_reset(&F);
	o = ip4_begin(&F, 17, IP4(192, 168, 0, 107), IP4(192, 168, 5, 1));
	u = udp_begin(&F, 36527, 4754);
	put16(&F, 0);
	put16(&F, 0x0800);
	tcp4(&F);
	udp_end(&F, u);
	ip4_end(&F, o);
	ASSERT(run(101));
	ASSERT_EQ(dec.n, 2);
	tunnel_tag(&dec.l[1], C2C_TUN_GRE, 0, "192.168.0.107", 0, 1);
}

static void
layer_cap(void)
{
	size_t at[2 * 10];

	/* Ten nested VXLAN tunnels would give 11 layers: the decoder stops at the cap. */
	fb_reset(&F);
	for (int k = 0; k < 10; k++) {
		at[2 * k] = ip4_begin(&F, 17, IP4(10, 0, k, 1), IP4(10, 0, k, 2));
		at[2 * k + 1] = udp_begin(&F, 1000, 4789);
		put32(&F, 0x08000000);
		put32(&F, (uint32_t)k << 8);
		eth(&F, 0x0800);
	}
	tcp4(&F);
	for (int k = 9; k >= 0; k--) {
		udp_end(&F, at[2 * k + 1]);
		ip4_end(&F, at[2 * k]);
	}
	ASSERT(run(101));
	ASSERT_EQ(dec.n, C2C_MAX_LAYERS);
	ASSERT_EQ(CNT(DEC_TOO_MANY_LAYERS), 1);
	ASSERT_EQ(dec.l[C2C_MAX_LAYERS - 1].depth, C2C_MAX_LAYERS - 1);
	ASSERT_EQ(dec.l[C2C_MAX_LAYERS - 1].parent, C2C_MAX_LAYERS - 2);
}

static size_t
teredo_frame(unsigned dport, bool origin, bool bad_len)
{
	size_t o, u, i;
	static const uint8_t teredo_src[16] = { 0x20, 0x01, 0, 0, 0x41, 0x37, 0x9e, 0x50 };

	fb_reset(&F);
	o = ip4_begin(&F, 17, IP4(192, 168, 2, 16), IP4(65, 55, 158, 80));
	u = udp_begin(&F, 3797, dport);
	if (origin)
		put(&F, "\x00\x00\xf2\x1b\xbe\x5a\x6a\x3f", 8);
	i = F.n;
	put32(&F, 0x60000000);
	put16(&F, 0);
	put8(&F, 17);
	put8(&F, 64);
	put(&F, teredo_src, 16);
	put(&F, teredo_src, 16);
	put16(&F, 1286);
	put16(&F, 80);
	put16(&F, 8);
	put16(&F, 0);
	set16(&F, i + 4, bad_len ? 60 : 8);
	udp_end(&F, u);
	ip4_end(&F, o);
	return i;
}

static void
teredo(void)
{
	teredo_frame(3544, true, false);
	ASSERT(run(101));
	ASSERT_EQ(dec.n, 2);
	ASSERT_EQ(dec.l[1].sport, 1286);
	tunnel_tag(&dec.l[1], C2C_TUN_TEREDO, 0, "192.168.2.16", 0, 1);
	/* Found by detection on another port, as Zeek does. */
	teredo_frame(32900, false, false);
	ASSERT(run(101));
	ASSERT_EQ(dec.n, 2);
	teredo_frame(32900, true, false);
	ASSERT(run(101));
	ASSERT_EQ(dec.n, 2);
	/* Inner length disagreeing with the datagram: a violation on the port, silence
	 * elsewhere. */
	teredo_frame(3544, false, true);
	ASSERT(run(101));
	ASSERT_EQ(dec.n, 1);
	ASSERT_EQ(CNT(DEC_TEREDO_BAD), 1);
	teredo_frame(32900, false, true);
	ASSERT(run(101));
	ASSERT_EQ(dec.n, 1);
	ASSERT_EQ(CNT(DEC_TEREDO_BAD), 0);
	/* Plain DNS is left alone. */
	fb_reset(&F);
	udp4(&F, 5353, 53, "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00");
	ASSERT(run(101));
	ASSERT_EQ(dec.n, 1);
}

static void
fragments_without_reassembly(void)
{
	size_t ip;
	fb_reset(&F);
	ip = ip4_begin(&F, 17, IP4(1, 1, 1, 1), IP4(2, 2, 2, 2));
	put16(&F, 10);
	put16(&F, 20);
	put16(&F, 100);
	put16(&F, 0);
	put(&F, NULL, 8);
	ip4_end(&F, ip);
	F.b[6] = 0x20; /* MF */
	ip4_end(&F, ip);
	ASSERT(run(101));
	ASSERT(dec.l[0].fragment);
	ASSERT_EQ(dec.l[0].sport, 10);
	ASSERT_EQ(CNT(DEC_FRAGMENTS), 1);
}

TEST_MAIN(ethernet_ipv4_tcp, link_types, wifi, vlan_mpls_pppoe_pbb, link_malformed_counts,
    ipv4_lengths_and_options, transports, tcp_checksum_verifies, ipv6_extension_headers,
    gre_and_erspan, ip_in_ip, udp_tunnels, layer_cap, teredo, fragments_without_reassembly)

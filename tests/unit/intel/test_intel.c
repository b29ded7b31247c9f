/* Intel store and loaders: values, CIDR longest-prefix and covering prefixes, domain suffixes,
 * URLs, ports, validity windows, allow-lists, notes, duplicates, every feed kind. C2C_TORTURE */
#include "c2chain/intel.h"
#include "test.h"

static struct c2c_intel *
load(const char *name, const char *text, enum c2c_feed_kind kind, bool allow)
{
	struct c2c_intel *in;
	struct c2c_feed_opts o = { kind, allow, NULL };
	ASSERT_OK(c2c_intel_new(&in));
	ASSERT_OK(c2c_intel_load_mem(in, name, text, strlen(text), &o, NULL));
	return in;
}

static void
add(struct c2c_intel *in, const char *name, const char *text, enum c2c_feed_kind kind, bool allow)
{
	struct c2c_feed_opts o = { kind, allow, NULL };
	ASSERT_OK(c2c_intel_load_mem(in, name, text, strlen(text), &o, NULL));
}

static size_t
ip_hits(const struct c2c_intel *in, const char *ip, uint16_t port, c2c_time t,
    struct c2c_intel_hit *h, size_t cap)
{
	struct c2c_ip a;
	ASSERT_OK(c2c_ip_parse(&a, ip));
	return c2c_intel_match_ip(in, &a, port, t, h, cap);
}

static void
plain_list_types(void)
{
	struct c2c_intel *in = load("plain.txt",
	    "# comment\n"
	    "192.0.2.1\n"
	    "198.51.100.0/24 ; inline\n"
	    "2001:db8::1\n"
	    "2001:db8:1::/48\n"
	    "203.0.113.5:8443\n"
	    "Evil.Example\n"
	    ".suffix.example\n"
	    "*.star.example\n"
	    "http://bad.example/gate.php?id=1#frag\n"
	    "bad.example/panel/\n"
	    "10.0.0.1/32\n"
	    "not a value\n"
	    "300.1.1.1\n"
	    "1.2.3.4/40\n",
	    C2C_FEED_AUTO, false);
	struct c2c_feed_info fi;
	c2c_intel_feed(in, 0, &fi);
	ASSERT_EQ(fi.kind, C2C_FEED_PLAIN);
	ASSERT_EQ(fi.entries, 14);
	ASSERT_EQ(fi.by_type[C2C_IOC_IPV4], 3);
	ASSERT_EQ(fi.by_type[C2C_IOC_IPV6], 1);
	ASSERT_EQ(fi.by_type[C2C_IOC_CIDR], 2);
	ASSERT_EQ(fi.by_type[C2C_IOC_DOMAIN], 1);
	ASSERT_EQ(fi.by_type[C2C_IOC_DOMAIN_SUFFIX], 2);
	ASSERT_EQ(fi.by_type[C2C_IOC_URL], 2);
	ASSERT_EQ(fi.unsupported, 1);
	ASSERT_EQ(fi.malformed, 2);
	ASSERT_EQ(c2c_intel_note_count(in), 3);
	struct c2c_intel_note n;
	c2c_intel_note(in, 0, &n);
	ASSERT_EQ(n.line, 13);
	ASSERT_STR_EQ(n.text, "not a value");
	ASSERT(!n.malformed);
	c2c_intel_note(in, 2, &n);
	ASSERT_EQ(n.line, 15);
	ASSERT(n.malformed);
	ASSERT_OK(c2c_intel_freeze(in));
	struct c2c_indicator ind;
	c2c_intel_indicator(in, 0, &ind);
	ASSERT_EQ(ind.type, C2C_IOC_IPV4);
	ASSERT_EQ(ind.line, 2);
	c2c_intel_indicator(in, 5, &ind);
	ASSERT_STR_EQ(ind.value, "evil.example");
	c2c_intel_indicator(in, 8, &ind);
	ASSERT_STR_EQ(ind.value, "bad.example/gate.php?id=1");
	c2c_intel_indicator(in, 10, &ind);
	ASSERT_EQ(ind.type, C2C_IOC_IPV4); /* a /32 is an address */
	ASSERT_EQ(ind.line, 12);
	c2c_intel_free(in);
}

static void
cidr_longest_and_covering(void)
{
	struct c2c_intel *in = load("cidr.txt",
	    "10.0.0.0/8\n10.1.0.0/16\n10.1.2.0/24\n10.1.2.3\n10.200.0.0/16\n0.0.0.0/0\n"
	    "2001:db8::/32\n2001:db8:aa::/48\n",
	    C2C_FEED_PLAIN, false);
	struct c2c_intel_hit h[8];
	ASSERT_OK(c2c_intel_freeze(in));
	ASSERT_EQ(ip_hits(in, "10.1.2.3", 0, C2C_TIME_NONE, h, 8), 5);
	ASSERT_EQ(h[0].id, 3);
	ASSERT_EQ(h[0].how, C2C_MATCH_EXACT);
	ASSERT_EQ(h[1].id, 2); /* /24 */
	ASSERT_EQ(h[1].how, C2C_MATCH_PREFIX);
	ASSERT_EQ(h[2].id, 1); /* /16 */
	ASSERT_EQ(h[3].id, 0); /* /8 */
	ASSERT_EQ(h[4].id, 5); /* /0 */
	ASSERT_EQ(ip_hits(in, "10.1.3.1", 0, C2C_TIME_NONE, h, 8), 3);
	ASSERT_EQ(h[0].id, 1);
	ASSERT_EQ(ip_hits(in, "10.2.0.1", 0, C2C_TIME_NONE, h, 8), 2);
	ASSERT_EQ(ip_hits(in, "10.200.255.255", 0, C2C_TIME_NONE, h, 8), 3);
	ASSERT_EQ(ip_hits(in, "11.0.0.0", 0, C2C_TIME_NONE, h, 8), 1);
	ASSERT_EQ(ip_hits(in, "2001:db8:aa::1", 0, C2C_TIME_NONE, h, 8), 2);
	ASSERT_EQ(h[0].id, 7);
	ASSERT_EQ(ip_hits(in, "2001:db9::1", 0, C2C_TIME_NONE, h, 8), 0);
	/* the IPv4-mapped IPv6 address is not the IPv4 address */
	ASSERT_EQ(ip_hits(in, "::ffff:10.1.2.3", 0, C2C_TIME_NONE, h, 8), 0);
	/* cap: total is still returned */
	ASSERT_EQ(ip_hits(in, "10.1.2.3", 0, C2C_TIME_NONE, h, 2), 5);
	ASSERT(c2c_intel_any_v4(in, 0x0A010203));
	c2c_intel_free(in);
}

static void
ports_and_fast_path(void)
{
	struct c2c_intel *in = load("p.txt", "203.0.113.5:8443\n198.51.100.7\n", C2C_FEED_PLAIN,
	    false);
	struct c2c_intel_hit h[4];
	ASSERT_OK(c2c_intel_freeze(in));
	ASSERT_EQ(ip_hits(in, "203.0.113.5", 8443, C2C_TIME_NONE, h, 4), 1);
	ASSERT_EQ(ip_hits(in, "203.0.113.5", 443, C2C_TIME_NONE, h, 4), 0);
	ASSERT_EQ(ip_hits(in, "203.0.113.5", 0, C2C_TIME_NONE, h, 4), 1);
	ASSERT(c2c_intel_any_v4(in, 0xCB007105));
	ASSERT(c2c_intel_any_v4(in, 0xC6336407));
	ASSERT(!c2c_intel_any_v4(in, 0xC6336408));
	uint32_t addrs[3] = { 0xCB007105, 0x01020304, 0xC6336407 };
	uint8_t out[3];
	ASSERT_EQ(c2c_intel_any_v4_batch(in, addrs, 3, out), 2);
	ASSERT(out[0] && !out[1] && out[2]);
	c2c_intel_free(in);
}

static void
domain_suffix_semantics(void)
{
	struct c2c_intel *in = load("d.txt", "evil.example\n.suffix.example\n", C2C_FEED_PLAIN, false);
	struct c2c_intel_hit h[4];
	ASSERT_OK(c2c_intel_freeze(in));
	ASSERT_EQ(c2c_intel_match_domain(in, "EVIL.example.", C2C_TIME_NONE, h, 4), 1);
	ASSERT_EQ(h[0].how, C2C_MATCH_EXACT);
	/* an exact domain does not cover its subdomains */
	ASSERT_EQ(c2c_intel_match_domain(in, "a.evil.example", C2C_TIME_NONE, h, 4), 0);
	ASSERT_EQ(c2c_intel_match_domain(in, "a.b.suffix.example", C2C_TIME_NONE, h, 4), 1);
	ASSERT_EQ(h[0].how, C2C_MATCH_SUFFIX);
	ASSERT_EQ(c2c_intel_match_domain(in, "suffix.example", C2C_TIME_NONE, h, 4), 1);
	ASSERT_EQ(c2c_intel_match_domain(in, "xsuffix.example", C2C_TIME_NONE, h, 4), 0);
	ASSERT_EQ(c2c_intel_match_domain(in, "example", C2C_TIME_NONE, h, 4), 0);
	c2c_intel_free(in);
}

static void
urls(void)
{
	struct c2c_intel *in = load("u.txt",
	    "http://bad.example/gate.php\nhttps://BAD.example:8080/x\nhttp://1.2.3.4/\n",
	    C2C_FEED_PLAIN, false);
	struct c2c_intel_hit h[4];
	ASSERT_OK(c2c_intel_freeze(in));
	ASSERT_EQ(c2c_intel_match_url(in, "Bad.Example", "/gate.php", C2C_TIME_NONE, h, 4), 1);
	ASSERT_EQ(c2c_intel_match_url(in, "bad.example", "/gate.php?x", C2C_TIME_NONE, h, 4), 0);
	ASSERT_EQ(c2c_intel_match_url(in, "bad.example:8080", "/x", C2C_TIME_NONE, h, 4), 1);
	ASSERT_EQ(c2c_intel_match_url(in, "proxy", "http://bad.example/gate.php", C2C_TIME_NONE,
		      h, 4), 1);
	/* a URL naming only a host is that host */
	ASSERT_EQ(ip_hits(in, "1.2.3.4", 80, C2C_TIME_NONE, h, 4), 1);
	c2c_intel_free(in);
}

static void
allow_lists_and_duplicates(void)
{
	struct c2c_intel *in = load("apt.txt", "204.79.197.200:8443\nevil.example\n8.8.8.8\n",
	    C2C_FEED_PLAIN, false);
	add(in, "wl.json",
	    "{\"name\":\"Azure\",\"type\":\"cidr\",\"list\":[\"204.79.197.0/24\",\"8.8.8.8/32\"]}",
	    C2C_FEED_AUTO, false);
	add(in, "wl2.json",
	    "{\"name\":\"Tops\",\"type\":\"hostname\",\"list\":[\"evil.example\"],"
	    "\"matching_attributes\":[]}",
	    C2C_FEED_AUTO, false);
	add(in, "dup.txt", "8.8.8.8\n8.8.8.8\n", C2C_FEED_PLAIN, false);
	struct c2c_intel_hit h[8];
	struct c2c_indicator ind;
	struct c2c_feed_info fi;
	ASSERT_OK(c2c_intel_freeze(in));
	c2c_intel_feed(in, 1, &fi);
	ASSERT(fi.allow);
	ASSERT_EQ(fi.kind, C2C_FEED_WARNINGLIST);
	ASSERT_STR_EQ(fi.name, "Azure");
	c2c_intel_feed(in, 3, &fi);
	ASSERT_EQ(fi.duplicates, 1);
	ASSERT_EQ(c2c_intel_duplicates_across(in), 1); /* 8.8.8.8 in apt.txt and dup.txt */
	ASSERT_EQ(ip_hits(in, "204.79.197.200", 8443, C2C_TIME_NONE, h, 8), 2);
	c2c_intel_indicator(in, h[0].id, &ind);
	ASSERT(!ind.allow);
	c2c_intel_indicator(in, h[1].id, &ind);
	ASSERT(ind.allow);
	ASSERT_EQ(ind.type, C2C_IOC_CIDR);
	ASSERT_EQ(c2c_intel_match_domain(in, "evil.example", C2C_TIME_NONE, h, 8), 2);
	c2c_intel_indicator(in, h[1].id, &ind);
	ASSERT(ind.allow);
	ASSERT_EQ(ind.type, C2C_IOC_DOMAIN_SUFFIX);
	ASSERT_EQ(c2c_intel_match_domain(in, "a.evil.example", C2C_TIME_NONE, h, 8), 1);
	/* the fast path ignores allow-list entries */
	ASSERT(!c2c_intel_any_v4(in, 0xCC4FC501));
	c2c_intel_free(in);
}

static void
maltrail_labels(void)
{
	struct c2c_intel *in = load("trails/apt_menupass.txt",
	    "# Copyright (c) 2014-2026 Maltrail developers\n"
	    "# Aliases: apt10, stone panda\n"
	    "\n# Reference: https://a.example/1\n"
	    "evil.example\n"
	    "# Reference: https://b.example/2\n"
	    "http://198.51.100.9\n"
	    "/only/path.php\n",
	    C2C_FEED_AUTO, false);
	struct c2c_indicator ind;
	ASSERT_OK(c2c_intel_freeze(in));
	ASSERT_EQ(c2c_intel_indicator_count(in), 2);
	c2c_intel_indicator(in, 0, &ind);
	ASSERT_EQ(ind.type, C2C_IOC_DOMAIN_SUFFIX);
	ASSERT_EQ(ind.n_labels, 4);
	ASSERT_EQ(ind.labels[0].type, C2C_LABEL_INTRUSION_SET);
	ASSERT_STR_EQ(ind.labels[0].value, "apt_menupass");
	ASSERT_STR_EQ(ind.labels[2].value, "stone panda");
	ASSERT_EQ(ind.labels[3].type, C2C_LABEL_REFERENCE);
	ASSERT_STR_EQ(ind.labels[3].value, "https://a.example/1");
	c2c_intel_indicator(in, 1, &ind);
	ASSERT_EQ(ind.type, C2C_IOC_IPV4);
	ASSERT_EQ(ind.line, 7);
	ASSERT_STR_EQ(ind.labels[3].value, "https://b.example/2");
	ASSERT_EQ(c2c_intel_note_count(in), 1);
	c2c_intel_free(in);
}

static void
feodo_threatfox_iprep(void)
{
	struct c2c_intel *in = load("feodo.csv",
	    "# abuse.ch Feodo Tracker Botnet C2 IP Blocklist (CSV)\n"
	    "\"first_seen_utc\",\"dst_ip\",\"dst_port\",\"c2_status\",\"last_online\",\"malware\"\n"
	    "\"2023-05-23 17:51:44\",\"192.9.135.73\",\"1194\",\"online\",\"2024-04-01\",\"Pikabot\"\n"
	    "\"broken\n",
	    C2C_FEED_AUTO, false);
	add(in, "tf.csv",
	    "# ThreatFox IOCs: CSV export\n"
	    "# \"first_seen_utc\",\"ioc_id\",\"ioc_value\",\"ioc_type\",\"threat_type\",\"fk_malware\","
	    "\"malware_alias\",\"malware_printable\",\"last_seen_utc\",\"confidence_level\","
	    "\"reference\",\"tags\",\"anonymous\",\"reporter\"\n"
	    "\"2024-04-04 07:03:03\", \"1256789\", \"45.9.74.13:443\", \"ip:port\", \"botnet_cc\", "
	    "\"win.cobalt_strike\", \"Agentemis,BEACON\", \"Cobalt Strike\", \"\", \"100\", \"None\", "
	    "\"c2,cs\", \"0\", \"abuse_ch\"\n"
	    "\"2024-04-04 07:03:03\", \"1256790\", \"0123456789abcdef0123456789abcdef\", "
	    "\"md5_hash\", \"payload\", \"x\", \"\", \"X\", \"\", \"50\", \"\", \"\", \"0\", \"a\"\n",
	    C2C_FEED_AUTO, false);
	add(in, "iprep.list", "192.168.0.13/24,1,0\n8.8.8.8,10,100\nbad,1\n", C2C_FEED_AUTO, false);
	struct c2c_feed_info fi;
	struct c2c_indicator ind;
	ASSERT_OK(c2c_intel_freeze(in));
	c2c_intel_feed(in, 0, &fi);
	ASSERT_EQ(fi.kind, C2C_FEED_FEODO_CSV);
	ASSERT_EQ(fi.indicators, 1);
	ASSERT_EQ(fi.malformed, 1);
	c2c_intel_indicator(in, 0, &ind);
	ASSERT_EQ(ind.port, 1194);
	ASSERT_EQ(ind.line, 3);
	ASSERT_STR_EQ(ind.labels[0].value, "Pikabot");
	c2c_intel_feed(in, 1, &fi);
	ASSERT_EQ(fi.kind, C2C_FEED_THREATFOX_CSV);
	ASSERT_EQ(fi.indicators, 1);
	ASSERT_EQ(fi.unsupported, 1);
	c2c_intel_indicator(in, 1, &ind);
	ASSERT_EQ(ind.port, 443);
	ASSERT_EQ(ind.score, 100);
	ASSERT_STR_EQ(ind.object, "1256789");
	ASSERT_STR_EQ(ind.labels[0].value, "Cobalt Strike");
	ASSERT_STR_EQ(ind.labels[1].value, "win.cobalt_strike");
	ASSERT_STR_EQ(ind.labels[2].value, "Agentemis");
	c2c_intel_feed(in, 2, &fi);
	ASSERT_EQ(fi.kind, C2C_FEED_SURICATA_IPREP);
	ASSERT_EQ(fi.indicators, 2);
	ASSERT_EQ(fi.malformed, 1);
	c2c_intel_indicator(in, 3, &ind);
	ASSERT_EQ(ind.score, 100);
	ASSERT_EQ(ind.labels[0].type, C2C_LABEL_CATEGORY);
	ASSERT_STR_EQ(ind.labels[0].value, "10");
	c2c_intel_free(in);
}

static void
misp_event_and_threatfox_json(void)
{
	struct c2c_intel *in = load("ev.json",
	    "{\"Event\":{\"uuid\":\"e1\",\"info\":\"x\",\"Tag\":[{\"name\":\"tlp:white\"},"
	    "{\"name\":\"misp-galaxy:threat-actor=\\\"APT 29\\\"\"}],"
	    "\"Attribute\":[{\"uuid\":\"a1\",\"type\":\"ip-dst\",\"value\":\"192.0.2.7\"},"
	    "{\"uuid\":\"a2\",\"type\":\"ip-dst|port\",\"value\":\"192.0.2.8|8080\"},"
	    "{\"uuid\":\"a3\",\"type\":\"domain|ip\",\"value\":\"evil.example|192.0.2.9\"},"
	    "{\"uuid\":\"a4\",\"type\":\"md5\",\"value\":\"00\"},"
	    "{\"uuid\":\"a5\",\"type\":\"hostname\",\"value\":\"h.example\","
	    "\"Galaxy\":[{\"type\":\"malpedia\",\"GalaxyCluster\":[{\"value\":\"Emotet\"}]}]}],"
	    "\"Object\":[{\"Attribute\":[{\"uuid\":\"a6\",\"type\":\"url\","
	    "\"value\":\"http://u.example/p\"}]}]}}",
	    C2C_FEED_AUTO, false);
	add(in, "tf.json",
	    "{\"1\":[{\"ioc_value\":\"evil2.example\",\"ioc_type\":\"domain\",\"malware\":\"win.x\","
	    "\"confidence_level\":75,\"tags\":\"a,b\"}]}",
	    C2C_FEED_AUTO, false);
	struct c2c_feed_info fi;
	struct c2c_indicator ind;
	ASSERT_OK(c2c_intel_freeze(in));
	c2c_intel_feed(in, 0, &fi);
	ASSERT_EQ(fi.kind, C2C_FEED_MISP_EVENT);
	ASSERT_EQ(fi.indicators, 6);
	ASSERT_EQ(fi.unsupported, 1);
	c2c_intel_indicator(in, 0, &ind);
	ASSERT_STR_EQ(ind.object, "a1");
	ASSERT_EQ(ind.n_labels, 2);
	ASSERT_EQ(ind.labels[1].type, C2C_LABEL_INTRUSION_SET);
	ASSERT_STR_EQ(ind.labels[1].value, "APT 29");
	c2c_intel_indicator(in, 1, &ind);
	ASSERT_EQ(ind.port, 8080);
	c2c_intel_indicator(in, 2, &ind);
	ASSERT_EQ(ind.type, C2C_IOC_DOMAIN_SUFFIX);
	c2c_intel_indicator(in, 4, &ind);
	ASSERT_EQ(ind.type, C2C_IOC_DOMAIN);
	ASSERT_EQ(ind.labels[2].type, C2C_LABEL_MALWARE);
	c2c_intel_indicator(in, 5, &ind);
	ASSERT_EQ(ind.type, C2C_IOC_URL);
	c2c_intel_feed(in, 1, &fi);
	ASSERT_EQ(fi.kind, C2C_FEED_THREATFOX_JSON);
	c2c_intel_indicator(in, 6, &ind);
	ASSERT_EQ(ind.score, 75);
	ASSERT_STR_EQ(ind.object, "1");
	c2c_intel_free(in);
}

static void
stix_bundle_windows(void)
{
	struct c2c_intel *in = load("b.json",
	    "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":["
	    "{\"type\":\"indicator\",\"id\":\"indicator--1\",\"pattern_type\":\"stix\","
	    "\"pattern\":\"[ipv4-addr:value = '198.51.100.1' OR domain-name:value = 'c2.example']\","
	    "\"valid_from\":\"2020-01-01T00:00:00Z\",\"valid_until\":\"2021-01-01T00:00:00Z\"},"
	    "{\"type\":\"intrusion-set\",\"id\":\"intrusion-set--1\",\"name\":\"Set X\","
	    "\"aliases\":[\"X1\"]},"
	    "{\"type\":\"campaign\",\"id\":\"campaign--1\",\"name\":\"Camp\"},"
	    "{\"type\":\"relationship\",\"id\":\"relationship--1\",\"relationship_type\":\"indicates\","
	    "\"source_ref\":\"indicator--1\",\"target_ref\":\"campaign--1\"},"
	    "{\"type\":\"relationship\",\"id\":\"relationship--2\","
	    "\"relationship_type\":\"attributed-to\",\"source_ref\":\"campaign--1\","
	    "\"target_ref\":\"intrusion-set--1\"}]}",
	    C2C_FEED_AUTO, false);
	struct c2c_intel_hit h[4];
	struct c2c_indicator ind;
	c2c_time t;
	ASSERT_OK(c2c_intel_freeze(in));
	ASSERT_EQ(c2c_intel_indicator_count(in), 2);
	c2c_intel_indicator(in, 0, &ind);
	ASSERT_STR_EQ(ind.object, "indicator--1");
	ASSERT_EQ(ind.n_labels, 3);
	ASSERT_EQ(ind.labels[0].type, C2C_LABEL_CAMPAIGN);
	ASSERT_STR_EQ(ind.labels[1].value, "Set X");
	ASSERT_STR_EQ(ind.labels[2].value, "X1");
	ASSERT_OK(c2c_time_parse(&t, "2020-06-01T00:00:00Z", 20));
	ASSERT_EQ(ip_hits(in, "198.51.100.1", 0, t, h, 4), 1);
	ASSERT_OK(c2c_time_parse(&t, "2021-01-01T00:00:00Z", 20));
	ASSERT_EQ(ip_hits(in, "198.51.100.1", 0, t, h, 4), 0); /* valid_until is exclusive */
	ASSERT_OK(c2c_time_parse(&t, "2019-12-31T23:59:59Z", 20));
	ASSERT_EQ(c2c_intel_match_domain(in, "c2.example", t, h, 4), 0);
	ASSERT_EQ(c2c_intel_match_domain(in, "c2.example", C2C_TIME_NONE, h, 4), 1);
	c2c_intel_free(in);
}

static void
malformed_files_fail_with_line(void)
{
	struct c2c_intel *in;
	struct c2c_diag d;
	struct c2c_feed_opts o = { C2C_FEED_AUTO, false, NULL };
	const char *bad = "{\"type\":\"bundle\",\n\"objects\": [ }";
	ASSERT_OK(c2c_intel_new(&in));
	memset(&d, 0, sizeof(d));
	ASSERT_ERR(c2c_intel_load_mem(in, "bad.json", bad, strlen(bad), &o, &d), C2C_EFORMAT);
	ASSERT_EQ(d.where, 2);
	ASSERT(d.where_is_line);
	ASSERT_EQ(c2c_intel_feed_count(in), 0);
	const char *csv = "# ThreatFox\n\"first_seen_utc\",\"x\"\n";
	ASSERT_ERR(c2c_intel_load_mem(in, "tf.csv", csv, strlen(csv), &o, &d), C2C_EFORMAT);
	ASSERT_EQ(d.where, 2);
	const char bin[] = "1.2.3.4\n\0\x01\x02";
	o.kind = C2C_FEED_PLAIN;
	ASSERT_ERR(c2c_intel_load_mem(in, "bin", bin, sizeof(bin), &o, &d), C2C_EFORMAT);
	ASSERT_EQ(d.where, 2);
	/* other JSON and binary data are not feeds, and not errors */
	o.kind = C2C_FEED_AUTO;
	ASSERT_OK(c2c_intel_load_mem(in, "schema.json", "{\"$schema\":1}", 13, &o, NULL));
	ASSERT_OK(c2c_intel_load_mem(in, "bin", bin, sizeof(bin), &o, NULL));
	struct c2c_feed_info fi;
	c2c_intel_feed(in, 0, &fi);
	ASSERT_EQ(fi.kind, C2C_FEED_OTHER);
	ASSERT_OK(c2c_intel_freeze(in));
	ASSERT_ERR(c2c_intel_load_mem(in, "x", "1.2.3.4", 7, &o, NULL), C2C_EINVAL);
	ASSERT_ERR(c2c_intel_freeze(in), C2C_EINVAL);
	c2c_intel_free(in);
}

static void
detect_kinds(void)
{
	static const struct {
		const char *text;
		enum c2c_feed_kind k;
	} cases[] = {
		{ "1.2.3.4\n", C2C_FEED_PLAIN },
		{ "# Maltrail developers\nx.example\n", C2C_FEED_MALTRAIL },
		{ "#\n# firehol_level1\n# ipv4 hash:net ipset\n1.0.0.0/8\n", C2C_FEED_FIREHOL },
		{ "1.2.3.4,1,50\n", C2C_FEED_SURICATA_IPREP },
		{ "{\"type\":\"bundle\"}", C2C_FEED_STIX },
		{ "[{\"Event\":{}}]", C2C_FEED_MISP_EVENT },
		{ "{\"query_status\":\"ok\",\"data\":[]}", C2C_FEED_THREATFOX_JSON },
		{ "{\"u1\":{\"info\":\"x\",\"timestamp\":\"1\"}}", C2C_FEED_MISP_FEED },
		{ "{\"values\":[]}", C2C_FEED_OTHER },
	};
	for (size_t i = 0; i < C2C_ARRAY_LEN(cases); i++) {
		enum c2c_feed_kind got =
		    c2c_feed_detect((const uint8_t *)cases[i].text, strlen(cases[i].text));
		/* detection cannot fail: out of memory, a JSON document reads as OTHER */
		if (got != cases[i].k && got == C2C_FEED_OTHER && test_alloc_injected())
			test_oom_exit();
		ASSERT_EQ(got, cases[i].k);
	}
	enum c2c_feed_kind k;
	ASSERT_OK(c2c_feed_kind_parse("suricata-dataset", &k));
	ASSERT_EQ(k, C2C_FEED_SURICATA_DATASET);
	ASSERT_ERR(c2c_feed_kind_parse("nope", &k), C2C_ENOTFOUND);
}

static void
suricata_dataset_base64(void)
{
	/* ".evil.com" in base64, as Suricata's string datasets store it */
	struct c2c_intel *in = load("domains.lst", "LmV2aWwuY29t\n", C2C_FEED_SURICATA_DATASET, false);
	struct c2c_intel_hit h[4];
	ASSERT_OK(c2c_intel_freeze(in));
	ASSERT_EQ(c2c_intel_match_domain(in, "sub.mail.evil.com", C2C_TIME_NONE, h, 4), 1);
	ASSERT_EQ(c2c_intel_match_domain(in, "example.com", C2C_TIME_NONE, h, 4), 0);
	c2c_intel_free(in);
}

static void
shared_feeds_load(void)
{
	char p[4096];
	if (test_shared("threat-intel/maltrail/malware/emotet.txt", p, sizeof(p)) == NULL)
		return;
	struct c2c_intel *in;
	struct c2c_intel_hit h[8];
	ASSERT_OK(c2c_intel_new(&in));
	ASSERT_OK(c2c_intel_load(in, p, NULL, NULL));
	ASSERT_OK(c2c_intel_freeze(in));
	ASSERT(ip_hits(in, "138.197.147.101", 443, C2C_TIME_NONE, h, 8) >= 1);
	c2c_intel_free(in);
}

/* A store large enough for the /24 summary map agrees with a naive scan. */
static void
large_store_fast_path(void)
{
	enum { NX = 5000, NC = 300, NP = 6000 };
	static uint32_t x[NX], cn[NC];
	static unsigned cl[NC];
	uint64_t r = 88172645463325252ull;
	struct c2c_buf b;
	c2c_buf_init(&b, 1 << 20);
	for (int i = 0; i < NX; i++) {
		r ^= r << 13, r ^= r >> 7, r ^= r << 17;
		x[i] = (uint32_t)r;
		ASSERT_OK(c2c_buf_printf(&b, "%u.%u.%u.%u\n", x[i] >> 24, (x[i] >> 16) & 255,
		    (x[i] >> 8) & 255, x[i] & 255));
	}
	for (int i = 0; i < NC; i++) {
		r ^= r << 13, r ^= r >> 7, r ^= r << 17;
		cl[i] = 8 + (unsigned)(r % 24); /* /8 .. /31 */
		cn[i] = (uint32_t)(r >> 32) & (~0u << (32 - cl[i]));
		ASSERT_OK(c2c_buf_printf(&b, "%u.%u.%u.%u/%u\n", cn[i] >> 24, (cn[i] >> 16) & 255,
		    (cn[i] >> 8) & 255, cn[i] & 255, cl[i]));
	}
	struct c2c_intel *in;
	struct c2c_feed_opts o = { C2C_FEED_PLAIN, false, NULL };
	ASSERT_OK(c2c_intel_new(&in));
	ASSERT_OK(c2c_intel_load_mem(in, "big.txt", b.data, b.len, &o, NULL));
	c2c_buf_fini(&b);
	ASSERT_OK(c2c_intel_freeze(in));
	for (int i = 0; i < NP; i++) {
		r ^= r << 13, r ^= r >> 7, r ^= r << 17;
		uint32_t a = i % 3 == 0 ? x[r % NX] : i % 3 == 1 ? cn[r % NC] + (uint32_t)(r >> 40) % 7 : (uint32_t)r;
		bool want = false;
		for (int k = 0; k < NX && !want; k++)
			want = x[k] == a;
		for (int k = 0; k < NC && !want; k++)
			want = (a & (~0u << (32 - cl[k]))) == cn[k];
		ASSERT_EQ(c2c_intel_any_v4(in, a), want);
		struct c2c_ip ip;
		struct c2c_intel_hit h[4];
		c2c_ip_from_v4(&ip, a);
		ASSERT_EQ(c2c_intel_match_ip(in, &ip, 0, C2C_TIME_NONE, h, 4) > 0, want);
	}
	c2c_intel_free(in);
}

TEST_MAIN(plain_list_types, cidr_longest_and_covering, ports_and_fast_path,
    domain_suffix_semantics, urls, allow_lists_and_duplicates, maltrail_labels,
    feodo_threatfox_iprep, misp_event_and_threatfox_json, stix_bundle_windows,
    malformed_files_fail_with_line, detect_kinds, suricata_dataset_base64, shared_feeds_load,
    large_store_fast_path)

/* Reference lists for roles: MISP warninglists, CIDR, ASN and Tor exit lists, pins. Not under
 * torture: jansson 2.14 json_loadb crashes when an allocation inside its lexer fails, which
 * c2c_json_parse (core) cannot prevent. */
#include "c2chain/enrich.h"
#include "test.h"

static const char *
write_tmp(const char *name, const char *text)
{
	static char path[8][1024];
	static int k;
	char *p = path[k++ % 8];
	FILE *fp;
	(void)snprintf(p, 1024, "%s/%s", test_tmpdir(), name);
	fp = fopen(p, "wb");
	ASSERT(fp != NULL);
	fputs(text, fp);
	fclose(fp);
	return p;
}

static struct c2c_ip
ip_of(const char *s)
{
	struct c2c_ip ip;
	if (c2c_ip_parse(&ip, s) != C2C_OK)
		TEST_FAIL_("bad test address %s", s);
	return ip;
}

static void
cidr_and_names(void)
{
	struct c2c_refdata *r;
	struct c2c_ref_match m;
	struct c2c_diag diag = { 0 };
	struct c2c_ip ip;
	const char *wl = write_tmp("sink.json",
	    "{\"name\":\"Test sinkholes\",\"type\":\"cidr\",\"version\":7,\"list\":"
	    "[\"192.0.2.0/24\",\"192.0.2.7\",\"2001:db8::/32\",\"not an address\",5]}");
	const char *names = write_tmp("sinkn.txt", "# hostnames and prefixes\nsinkhole.example\n"
						   "203.0.113.0/25 # a comment\n\n");
	ASSERT_OK(c2c_refdata_new(&r));
	ASSERT_OK(c2c_refdata_load(r, C2C_REF_SINKHOLE, wl, NULL, &diag));
	ASSERT_OK(c2c_refdata_load(r, C2C_REF_SINKHOLE, names, NULL, &diag));
	ASSERT_EQ(c2c_refdata_list_count(r), 2);
	ASSERT_STR_EQ(c2c_refdata_list_get(r, 0)->name, "Test sinkholes");
	ASSERT_STR_EQ(c2c_refdata_list_get(r, 0)->format, "misp-warninglist");
	ASSERT_EQ(c2c_refdata_list_get(r, 0)->version, 7);
	ASSERT_EQ(c2c_refdata_list_get(r, 0)->entries, 3);
	ASSERT_EQ(c2c_refdata_list_get(r, 0)->skipped, 2);
	ASSERT_EQ(c2c_refdata_list_get(r, 1)->entries, 2);
	/* The longest prefix wins. */
	ip = ip_of("192.0.2.7");
	ASSERT_OK(c2c_refdata_match_ip(r, C2C_REF_SINKHOLE, &ip, &m));
	ASSERT_STR_EQ(m.entry, "192.0.2.7");
	ip = ip_of("192.0.2.8");
	ASSERT_OK(c2c_refdata_match_ip(r, C2C_REF_SINKHOLE, &ip, &m));
	ASSERT_STR_EQ(m.entry, "192.0.2.0/24");
	ASSERT_EQ(m.list, 0);
	ip = ip_of("203.0.113.200");
	ASSERT_ERR(c2c_refdata_match_ip(r, C2C_REF_SINKHOLE, &ip, &m), C2C_ENOTFOUND);
	ip = ip_of("203.0.113.100");
	ASSERT_OK(c2c_refdata_match_ip(r, C2C_REF_SINKHOLE, &ip, &m));
	ASSERT_EQ(m.list, 1);
	ip = ip_of("2001:db8:1::5");
	ASSERT_OK(c2c_refdata_match_ip(r, C2C_REF_SINKHOLE, &ip, &m));
	/* Other kinds do not see sinkhole entries. */
	ASSERT_ERR(c2c_refdata_match_ip(r, C2C_REF_CLOUD, &ip, &m), C2C_ENOTFOUND);
	ASSERT_OK(c2c_refdata_match_name(r, C2C_REF_SINKHOLE, "C2.Sinkhole.Example.", &m));
	ASSERT_STR_EQ(m.entry, "sinkhole.example");
	ASSERT_ERR(c2c_refdata_match_name(r, C2C_REF_SINKHOLE, "example", &m), C2C_ENOTFOUND);
	c2c_refdata_free(r);
}

static void
asn_and_tor(void)
{
	struct c2c_refdata *r;
	struct c2c_ref_match m;
	struct c2c_diag diag = { 0 };
	struct c2c_ip ip;
	c2c_time t;
	const char *asn = write_tmp("res.txt", "AS7922,Comcast\n4134\nasX\n");
	const char *tor = write_tmp("tor.txt",
	    "@type tordnsel 1.0\nDownloaded 2016-09-20 13:02:00\n"
	    "ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\n"
	    "Published 2016-09-20 12:20:38\nLastStatus 2016-09-20 13:02:00\n"
	    "ExitAddress 162.247.72.201 2016-09-20 12:39:54\n"
	    "ExitAddress 162.247.72.201 2016-09-25 12:00:00\n"
	    "198.51.100.9 2016-09-21T00:00:00Z\n");
	ASSERT_OK(c2c_refdata_new(&r));
	ASSERT_OK(c2c_refdata_load(r, C2C_REF_RESIDENTIAL, asn, NULL, &diag));
	ASSERT_EQ(c2c_refdata_list_get(r, 0)->entries, 2);
	ASSERT_OK(c2c_refdata_match_asn(r, 7922, &m));
	ASSERT_STR_EQ(m.entry, "AS7922");
	ASSERT_ERR(c2c_refdata_match_asn(r, 7923, &m), C2C_ENOTFOUND);
	ASSERT_OK(c2c_refdata_load(r, C2C_REF_TOR_EXIT, tor, NULL, &diag));
	ASSERT_EQ(c2c_refdata_list_get(r, 1)->entries, 3);
	ASSERT_OK(c2c_time_parse(&t, "2016-09-20T12:39:54Z", 20));
	ASSERT_EQ(c2c_refdata_list_get(r, 1)->first_ts, t);
	ip = ip_of("162.247.72.201");
	/* Contacts a day later, within a 2-day window: match the earliest observation. */
	ASSERT_OK(c2c_refdata_match_tor(r, &ip, t + 86400 * C2C_USEC, t + 86400 * C2C_USEC,
	    2 * 86400 * C2C_USEC, &m));
	ASSERT_EQ(m.observed, t);
	ASSERT_EQ(m.list, 1);
	/* A contact a year later is not covered by these observations. */
	ASSERT_ERR(c2c_refdata_match_tor(r, &ip, t + 365 * 86400 * C2C_USEC,
		       t + 366 * 86400 * C2C_USEC, 86400 * C2C_USEC, &m),
	    C2C_ENOTFOUND);
	/* The window catches the second observation from the other side. */
	ASSERT_OK(c2c_refdata_match_tor(r, &ip, t + 4 * 86400 * C2C_USEC,
	    t + 4 * 86400 * C2C_USEC, 86400 * C2C_USEC, &m));
	ASSERT(m.observed > t);
	ip = ip_of("198.51.100.9");
	ASSERT_OK(c2c_refdata_match_tor(r, &ip, t, t, 86400 * C2C_USEC, &m));
	c2c_refdata_free(r);
}

static void
pins_and_errors(void)
{
	struct c2c_refdata *r;
	struct c2c_diag diag = { 0 };
	uint8_t sha[32];
	json_t *j;
	const char *good = write_tmp("cloud.txt", "10.0.0.0/8\n");
	const char *bad = write_tmp("bad.json", "{\"list\": [1, 2");
	const char *empty = write_tmp("empty.txt", "# nothing\n\n");
	ASSERT_OK(c2c_refdata_new(&r));
	ASSERT_OK(c2c_refdata_load(r, C2C_REF_CLOUD, good, NULL, &diag));
	memcpy(sha, c2c_refdata_list_get(r, 0)->sha256, 32);
	ASSERT_OK(c2c_refdata_load(r, C2C_REF_CLOUD, good, sha, &diag));
	sha[0] ^= 1;
	ASSERT_ERR(c2c_refdata_load(r, C2C_REF_CLOUD, good, sha, &diag), C2C_EVERIFY);
	ASSERT_ERR(c2c_refdata_load(r, C2C_REF_CLOUD, bad, NULL, &diag), C2C_EFORMAT);
	ASSERT_ERR(c2c_refdata_load(r, C2C_REF_CLOUD, empty, NULL, &diag), C2C_EFORMAT);
	ASSERT(strstr(diag.msg, "no usable") != NULL);
	ASSERT_ERR(c2c_refdata_load(r, C2C_REF_CLOUD, "/nonexistent/x", NULL, &diag), C2C_EIO);
	ASSERT_EQ(c2c_refdata_list_count(r), 2);
	ASSERT_OK(c2c_refdata_pin_json(r, 1, &j));
	ASSERT_STR_EQ(json_string_value(json_object_get(j, "kind")), "cloud");
	ASSERT_STR_EQ(json_string_value(json_object_get(j, "format")), "cidr-list");
	json_decref(j);
	c2c_refdata_free(r);
}

static void
real_warninglists(void)
{
	char p1[1024], p2[1024];
	struct c2c_refdata *r;
	struct c2c_ref_match m;
	struct c2c_diag diag = { 0 };
	struct c2c_ip ip;
	if (test_shared("threat-intel/misp-warninglists/lists/sinkholes/list.json", p1,
		sizeof(p1)) == NULL ||
	    test_shared("threat-intel/misp-warninglists/lists/amazon-aws/list.json", p2,
		sizeof(p2)) == NULL)
		return;
	ASSERT_OK(c2c_refdata_new(&r));
	ASSERT_OK(c2c_refdata_load(r, C2C_REF_SINKHOLE, p1, NULL, &diag));
	ASSERT_OK(c2c_refdata_load(r, C2C_REF_CLOUD, p2, NULL, &diag));
	ASSERT(c2c_refdata_list_get(r, 0)->entries >= 100);
	ip = ip_of("104.155.11.149");
	ASSERT_OK(c2c_refdata_match_ip(r, C2C_REF_SINKHOLE, &ip, &m));
	ip = ip_of("104.244.13.1"); /* 104.244.12.0/22 */
	ASSERT_OK(c2c_refdata_match_ip(r, C2C_REF_SINKHOLE, &ip, &m));
	ASSERT_STR_EQ(m.entry, "104.244.12.0/22");
	ip = ip_of("1.178.1.77"); /* amazon-aws 1.178.1.0/24 */
	ASSERT_OK(c2c_refdata_match_ip(r, C2C_REF_CLOUD, &ip, &m));
	ASSERT_EQ(m.list, 1);
	c2c_refdata_free(r);
}

TEST_MAIN(cidr_and_names, asn_and_tor, pins_and_errors, real_warninglists)

/* c2c_scan with host maps (--host-map CC:FILE): hosts placed by the lists, the lists pinned in
 * the case, the same report on re-derivation, a changed list refused, bad lists and bad
 * arguments named. */
#include <stdio.h>

#include "c2chain/pipeline.h"
#include "test.h"

static const char *
tmp_path(const char *name, char *buf, size_t len)
{
	(void)snprintf(buf, len, "%s/%s", test_tmpdir(), name);
	return buf;
}

static void
write_file(const char *path, const void *p, size_t len)
{
	FILE *fp = fopen(path, "wb");
	ASSERT(fp != NULL);
	ASSERT(fwrite(p, 1, len, fp) == len);
	ASSERT(fclose(fp) == 0);
}

static void
le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* One Ethernet/IPv4/TCP SYN record from src to dst:443 (checksums: IPv4 computed, TCP 0). */
static size_t
syn(uint8_t *out, uint32_t ts, const uint8_t src[4], const uint8_t dst[4], unsigned sport)
{
	uint8_t *f = out + 16;
	uint32_t sum = 0;
	memset(out, 0, 16 + 54);
	le32(out, ts);
	le32(out + 8, 54);
	le32(out + 12, 54);
	memcpy(f, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00", 14);
	f[14] = 0x45;
	f[17] = 40;
	f[20] = 0x40;
	f[22] = 64;
	f[23] = 6;
	memcpy(f + 26, src, 4);
	memcpy(f + 30, dst, 4);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(f[14 + i] << 8 | f[15 + i]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f[24] = (uint8_t)(~sum >> 8);
	f[25] = (uint8_t)~sum;
	f[34] = (uint8_t)(sport >> 8);
	f[35] = (uint8_t)sport;
	f[36] = 0x01;
	f[37] = 0xbb; /* 443 */
	f[38 + 3] = 1;
	f[46] = 0x50;
	f[47] = 0x02; /* SYN */
	f[48] = 0xff;
	f[49] = 0xff;
	return 16 + 54;
}

static const json_t *
row(const json_t *arr, const char *cc)
{
	size_t i;
	const json_t *r;
	json_array_foreach(arr, i, r) {
		if (strcmp(json_string_value(json_object_get(r, "country")), cc) == 0)
			return r;
	}
	return NULL;
}

static json_int_t
num(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static void
host_maps_place_hosts(void)
{
	/* Hosts: 203.0.113.10/.11 listed as CN, 198.51.100.7 as US, 192.0.2.9 in no list; all
	 * contact the C2 address 45.9.9.9. */
	static const uint8_t hosts[4][4] = { { 203, 0, 113, 10 }, { 203, 0, 113, 11 },
		{ 198, 51, 100, 7 }, { 192, 0, 2, 9 } };
	static const uint8_t c2[4] = { 45, 9, 9, 9 };
	static const char cn_list[] = "# hosts in CN\n203.0.113.0/24\n2001:db8::/32\n";
	static const char us_list[] = "198.51.100.7\n203.0.113.11/32\n";
	char pcap[1024], feed[1024], cn[1024], us[1024], dir[1100], bad[1100], rep[1024];
	uint8_t buf[24 + 8 * 70];
	size_t len = 24;
	const char *feeds[1], *inputs[1], *maps[2];
	struct c2c_scan_opts o;
	struct c2c_scan_summary sum;
	struct c2c_diag diag = { 0 };
	struct c2c_buf out;
	json_t *report, *res;
	json_error_t jerr;
	char *text;
	size_t tlen;

	memset(buf, 0, 24);
	le32(buf, 0xa1b2c3d4);
	buf[4] = 2;
	buf[6] = 4;
	le32(buf + 16, 65535);
	le32(buf + 20, 1);
	for (unsigned i = 0; i < 4; i++)
		len += syn(buf + len, 1600000000 + i * 60, hosts[i], c2, 40000 + i);
	write_file(tmp_path("c.pcap", pcap, sizeof(pcap)), buf, len);
	write_file(tmp_path("c2.txt", feed, sizeof(feed)), "45.9.9.9\n", 9);
	write_file(tmp_path("cn.cidr", cn, sizeof(cn)), cn_list, sizeof(cn_list) - 1);
	write_file(tmp_path("us.cidr", us, sizeof(us)), us_list, sizeof(us_list) - 1);
	feeds[0] = feed;
	inputs[0] = pcap;
	(void)snprintf(dir, sizeof(dir), "CN:%s", cn);
	maps[0] = dir;
	(void)snprintf(bad, sizeof(bad), "us:%s", us); /* lower case is accepted */
	maps[1] = bad;

	memset(&o, 0, sizeof(o));
	o.inputs = inputs;
	o.n_inputs = 1;
	o.feeds = feeds;
	o.n_feeds = 1;
	o.host_maps = maps;
	o.n_host_maps = 2;
	o.threads = 1;
	tmp_path("case", rep, sizeof(rep));
	ASSERT_OK(c2c_scan(&o, rep, &sum, &diag));
	ASSERT_U64_EQ(sum.intel_hits, 4);
	{
		char p[1100];
		(void)snprintf(p, sizeof(p), "%s/report.json", rep);
		text = test_read_file(p, &tlen);
		ASSERT_NONNULL(text);
	}
	report = json_loadb(text, tlen, 0, &jerr);
	ASSERT_NONNULL(report);
	res = json_object_get(json_object_get(report, "matrix"), "result");
	/* 203.0.113.11 is in both lists: the longer prefix (US /32) wins. No geo database, so
	 * the unlisted host is of unknown country. */
	ASSERT_EQ(num(row(json_object_get(res, "by_host_country"), "CN"), "controlled_hosts"), 1);
	ASSERT_EQ(num(row(json_object_get(res, "by_host_country"), "US"), "controlled_hosts"), 2);
	ASSERT_EQ(num(row(json_object_get(res, "by_host_country"), "??"), "controlled_hosts"), 1);
	ASSERT_EQ(num(json_object_get(res, "host_country_source"), "config"), 3);
	ASSERT_EQ(num(json_object_get(res, "host_country_source"), "unknown"), 1);
	ASSERT_EQ(num(json_object_get(json_object_get(json_object_get(report, "matrix"), "method"),
			  "params"),
		      "host_map_entries"),
	    4);
	/* Both lists are pinned in the scope with their country. */
	{
		size_t i, k = 0;
		const json_t *r;
		json_array_foreach(json_object_get(json_object_get(report, "scope"), "refdata"), i, r) {
			if (strcmp(json_string_value(json_object_get(r, "kind")), "host-map") == 0) {
				ASSERT_STR_EQ(json_string_value(json_object_get(r, "detail")),
				    k == 0 ? "CN" : "US");
				k++;
			}
		}
		ASSERT_EQ(k, 2);
	}
	/* Re-derivation gives the same bytes. */
	c2c_buf_init(&out, (size_t)1 << 26);
	if (c2c_scan_rederive(rep, NULL, &out, &diag) != C2C_OK)
		TEST_FAIL_("rederive: %s: %s", diag.src ? diag.src : "", diag.msg);
	ASSERT_EQ(out.len, tlen);
	ASSERT(memcmp(out.data, text, tlen) == 0);
	c2c_buf_fini(&out);
	/* The events export places hosts by the same lists. */
	c2c_buf_init(&out, (size_t)1 << 26);
	ASSERT_OK(c2c_case_render(rep, "events-csv", &out, &diag));
	ASSERT_OK(c2c_buf_addc(&out, '\0'));
	ASSERT(strstr((const char *)out.data, ",203.0.113.10,,,CN,") != NULL);
	ASSERT(strstr((const char *)out.data, ",203.0.113.11,,,US,") != NULL);
	c2c_buf_fini(&out);
	/* A list changed after the scan is refused by name. */
	write_file(us, "198.51.100.0/24\n", 16);
	c2c_buf_init(&out, (size_t)1 << 26);
	ASSERT_ERR(c2c_scan_rederive(rep, NULL, &out, &diag), C2C_EVERIFY);
	ASSERT(strstr(diag.msg, "digest differs") != NULL);
	c2c_buf_fini(&out);
	json_decref(report);
	free(text);

}

static void
bad_host_maps(void)
{
	char pcap[1024], us[1024], arg[1100], rep[1024];
	const char *inputs[1], *maps[1];
	struct c2c_scan_opts o;
	struct c2c_scan_summary sum;
	struct c2c_diag diag = { 0 };

	write_file(tmp_path("e.pcap", pcap, sizeof(pcap)), "\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0"
	    "\0\0\0\0\xff\xff\0\0\x01\0\0\0", 24);
	/* A line that is no network names the list and the line. */
	write_file(tmp_path("bad.cidr", us, sizeof(us)), "198.51.100.7\nnot-a-net\n", 23);
	(void)snprintf(arg, sizeof(arg), "US:%s", us);
	inputs[0] = pcap;
	maps[0] = arg;
	memset(&o, 0, sizeof(o));
	o.inputs = inputs;
	o.n_inputs = 1;
	o.host_maps = maps;
	o.n_host_maps = 1;
	o.threads = 1;
	tmp_path("case2", rep, sizeof(rep));
	ASSERT_ERR(c2c_scan(&o, rep, &sum, &diag), C2C_EFORMAT);
	ASSERT_STR_EQ(diag.src, us);
	ASSERT_U64_EQ(diag.where, 2);
	/* Arguments without a country, and a missing list. */
	maps[0] = "USA:x";
	ASSERT_ERR(c2c_scan(&o, rep, &sum, &diag), C2C_EINVAL);
	ASSERT(strstr(diag.msg, "CC:FILE") != NULL);
	maps[0] = "1S:x";
	ASSERT_ERR(c2c_scan(&o, rep, &sum, &diag), C2C_EINVAL);
	(void)snprintf(arg, sizeof(arg), "US:%s.missing", us);
	maps[0] = arg;
	ASSERT_ERR(c2c_scan(&o, rep, &sum, &diag), C2C_EIO);
}

TEST_MAIN(host_maps_place_hosts, bad_host_maps)

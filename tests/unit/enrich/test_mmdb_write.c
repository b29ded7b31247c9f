/* MMDB writer: order independence, conflicts, CSV diagnostics, read back. C2C_TORTURE */
#include "c2chain/enrich.h"
#include "test.h"

static c2c_err
build(const char *csv, enum c2c_mmdb_kind kind, struct c2c_buf *out, struct c2c_diag *diag,
    struct c2c_mmdb_writer_stats *st)
{
	struct c2c_mmdb_writer *w;
	c2c_err rc = c2c_mmdb_writer_new(kind, &w);
	if (rc != C2C_OK)
		return rc;
	rc = c2c_mmdb_writer_add_csv_buf(w, csv, strlen(csv), "t.csv", diag);
	if (rc == C2C_OK)
		rc = c2c_mmdb_writer_finish(w, "T", 1600000000, "test", out, diag);
	if (st != NULL)
		c2c_mmdb_writer_stats(w, st);
	c2c_mmdb_writer_free(w);
	return rc;
}

static void
same_bytes_any_order(void)
{
	struct c2c_buf a, b;
	struct c2c_diag diag = { 0 };
	struct c2c_mmdb_writer_stats st;
	c2c_buf_init(&a, 1 << 20);
	c2c_buf_init(&b, 1 << 20);
	ASSERT_OK(build("1.2.3.0/24,CN,4134,\"CHINANET, backbone\"\n2001:db8::/32,DE,3320,DTAG\n"
			"1.2.0.0/16,US,15169,Google\n1.2.0.0/16,US,15169,Google\n",
	    C2C_MMDB_BOTH, &a, &diag, &st));
	ASSERT_EQ(st.networks, 3);
	ASSERT_EQ(st.duplicates, 1);
	ASSERT_EQ(st.values, 3);
	ASSERT_EQ(st.record_size, 24);
	ASSERT_OK(build("1.2.0.0/16,us,AS15169,Google\n2001:db8::/32,DE,3320,DTAG\n"
			"# comment\n\n1.2.3.0/24,CN,4134,\"CHINANET, backbone\"\n",
	    C2C_MMDB_BOTH, &b, &diag, NULL));
	ASSERT_EQ(a.len, b.len);
	ASSERT_MEM_EQ(a.data, b.data, a.len);
	c2c_buf_fini(&a);
	c2c_buf_fini(&b);
}

static void
read_back(void)
{
	struct c2c_buf a;
	struct c2c_diag diag = { 0 };
	struct c2c_geo *g;
	struct c2c_geo_result r;
	struct c2c_ip ip;
	char path[1024];
	static const char *const cases[][3] = { { "1.2.3.4", "CN", "CHINANET, backbone" },
		{ "1.2.200.1", "US", "Google" }, { "::ffff:1.2.3.4", "CN", "CHINANET, backbone" },
		{ "2002:102:304::1", "CN", "CHINANET, backbone" }, { "2001:db8::9", "DE", "DTAG" },
		{ "9.9.9.9", "", "" } };
	c2c_buf_init(&a, 1 << 20);
	ASSERT_OK(build("1.2.3.0/24,CN,4134,\"CHINANET, backbone\"\n2001:db8::/32,DE,3320,DTAG\n"
			"1.2.0.0/16,US,15169,Google\n",
	    C2C_MMDB_BOTH, &a, &diag, NULL));
	(void)snprintf(path, sizeof(path), "%s/w.mmdb", test_tmpdir());
	ASSERT_OK(c2c_file_write_atomic(path, a.data, a.len, &diag));
	c2c_buf_fini(&a);
	ASSERT_OK(c2c_geo_new(&g));
	ASSERT_OK(c2c_geo_open_db(g, path, C2C_GEO_COUNTRY | C2C_GEO_ASN, NULL, &diag));
	ASSERT_STR_EQ(c2c_geo_db_get(g, 0)->pin.type, "T");
	ASSERT_EQ(c2c_geo_db_get(g, 0)->pin.build_epoch, 1600000000);
	for (size_t i = 0; i < C2C_ARRAY_LEN(cases); i++) {
		ASSERT_OK(c2c_ip_parse(&ip, cases[i][0]));
		ASSERT_OK(c2c_geo_lookup(g, &ip, &r));
		ASSERT_STR_EQ(r.country, cases[i][1]);
		ASSERT_STR_EQ(r.as_org, cases[i][2]);
	}
	c2c_geo_free(g);
}

static void
bad_rows(void)
{
	static const struct {
		const char *csv;
		enum c2c_mmdb_kind kind;
		uint64_t line;
		const char *msg;
	} cases[] = {
		{ "1.2.3.0/24,CN\n1.2.3.0/33,CN\n", C2C_MMDB_COUNTRY, 2, "bad network" },
		{ "1.2.3.0/24,C1\n", C2C_MMDB_COUNTRY, 1, "not two letters" },
		{ "1.2.3.0/24\n", C2C_MMDB_COUNTRY, 1, "missing country" },
		{ "1.2.3.0/24,CN\n", C2C_MMDB_ASN, 1, "missing or bad ASN" },
		{ "1.2.3.0/24,CN,0\n", C2C_MMDB_ASN, 1, "missing or bad ASN" },
		{ "a,b,c,d,e\n", C2C_MMDB_COUNTRY, 1, "at most 4 fields" },
		{ "1.2.3.0/24,CN,1,\"open\n", C2C_MMDB_BOTH, 1, "RFC 4180" },
		{ "1.2.3.0/24,CN,1,\xff\xfe\n", C2C_MMDB_BOTH, 1, "not valid UTF-8" },
		{ "::/0,CN\n", C2C_MMDB_COUNTRY, 1, "bad prefix length" },
	};
	for (size_t i = 0; i < C2C_ARRAY_LEN(cases); i++) {
		struct c2c_buf a;
		struct c2c_diag diag = { 0 };
		c2c_buf_init(&a, 1 << 20);
		ASSERT_ERR(build(cases[i].csv, cases[i].kind, &a, &diag, NULL), C2C_EFORMAT);
		if (strstr(diag.msg, cases[i].msg) == NULL || diag.where != cases[i].line ||
		    !diag.where_is_line)
			TEST_FAIL_("case %zu: line %llu '%s'", i, (unsigned long long)diag.where,
			    diag.msg);
		c2c_buf_fini(&a);
	}
}

static void
conflicts(void)
{
	struct c2c_mmdb_writer *w;
	struct c2c_buf a;
	struct c2c_diag diag = { 0 };
	struct c2c_mmdb_writer_stats st;
	const char *csv = "10.0.0.0/8,CN\n10.0.0.0/8,US\n";
	c2c_buf_init(&a, 1 << 20);
	ASSERT_ERR(build(csv, C2C_MMDB_COUNTRY, &a, &diag, NULL), C2C_EFORMAT);
	ASSERT(strstr(diag.msg, "also given at t.csv:1 with different data") != NULL);
	ASSERT_EQ(diag.where, 2);
	ASSERT_OK(c2c_mmdb_writer_new(C2C_MMDB_COUNTRY, &w));
	c2c_mmdb_writer_set_conflict(w, C2C_MMDB_CONFLICT_FIRST);
	ASSERT_OK(c2c_mmdb_writer_add_csv_buf(w, csv, strlen(csv), "t.csv", &diag));
	ASSERT_OK(c2c_mmdb_writer_finish(w, "T", 1, "d", &a, &diag));
	c2c_mmdb_writer_stats(w, &st);
	ASSERT_EQ(st.conflicts, 1);
	ASSERT_EQ(st.networks, 1);
	c2c_mmdb_writer_free(w);
	/* Nothing added, or a zero epoch, is refused. */
	ASSERT_OK(c2c_mmdb_writer_new(C2C_MMDB_COUNTRY, &w));
	ASSERT_ERR(c2c_mmdb_writer_finish(w, "T", 1, "d", &a, &diag), C2C_EINVAL);
	ASSERT_ERR(c2c_mmdb_writer_add_csv_buf(w, "1.0.0.0/8,CN\n", 13, "x", &diag), C2C_OK);
	ASSERT_ERR(c2c_mmdb_writer_finish(w, "T", 0, "d", &a, &diag), C2C_EINVAL);
	c2c_mmdb_writer_free(w);
	c2c_buf_fini(&a);
}

/* The same networks in 24-, 28- and 32-bit trees answer alike, through our IPv4 fast path,
 * through libmaxminddb alone, and for IPv6. */
static void
record_sizes_agree(void)
{
	static const char *const csv = "1.0.0.0/8,AU,13335,One\n1.2.3.0/24,CN,4134,Two\n"
				       "1.2.3.128/25,JP,2497,Three\n200.0.0.0/5,BR,28573,Four\n"
				       "2001:db8::/32,DE,3320,Five\n2001:db8:8000::/33,FR,3215,Six\n";
	static const unsigned sizes[] = { 24, 28, 32 };
	char got[3][64][8];
	uint64_t x = 0x243F6A8885A308D3ULL;
	for (int s = 0; s < 3; s++) {
		struct c2c_mmdb_writer *w;
		struct c2c_buf a;
		struct c2c_diag diag = { 0 };
		struct c2c_geo *g;
		char path[1024];
		ASSERT_OK(c2c_mmdb_writer_new(C2C_MMDB_BOTH, &w));
		ASSERT_OK(c2c_mmdb_writer_set_record_size(w, sizes[s]));
		ASSERT_OK(c2c_mmdb_writer_add_csv_buf(w, csv, strlen(csv), "t", &diag));
		c2c_buf_init(&a, 1 << 20);
		ASSERT_OK(c2c_mmdb_writer_finish(w, "T", 1, "d", &a, &diag));
		(void)snprintf(path, sizeof(path), "%s/r%u.mmdb", test_tmpdir(), sizes[s]);
		ASSERT_OK(c2c_file_write_atomic(path, a.data, a.len, &diag));
		c2c_buf_fini(&a);
		c2c_mmdb_writer_free(w);
		ASSERT_OK(c2c_geo_new(&g));
		ASSERT_OK(c2c_geo_open_db(g, path, C2C_GEO_COUNTRY | C2C_GEO_ASN, NULL, &diag));
		ASSERT_EQ(c2c_geo_db_get(g, 0)->record_size, sizes[s]);
		x = 0x243F6A8885A308D3ULL;
		for (int i = 0; i < 64; i++) {
			struct c2c_geo_result r, u;
			struct c2c_ip ip;
			uint8_t b[16];
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			if (i % 4 == 3) {
				memset(b, 0, sizeof(b));
				b[0] = 0x20, b[1] = 0x01, b[2] = 0x0d, b[3] = 0xb8;
				memcpy(b + 4, &x, 8);
				c2c_ip_from_v6_bytes(&ip, b);
			} else {
				/* Around the networks above, so most addresses hit one. */
				uint32_t v = i % 2 ? (uint32_t)(0x01020300u | (x & 0xff))
						   : (uint32_t)(x >> 32);
				c2c_ip_from_v4(&ip, v);
			}
			ASSERT_OK(c2c_geo_lookup(g, &ip, &r));
			ASSERT_OK(c2c_geo_lookup_uncached(g, &ip, &u));
			ASSERT_STR_EQ(r.country, u.country);
			ASSERT_EQ(r.asn, u.asn);
			(void)snprintf(got[s][i], sizeof(got[s][i]), "%s", r.country);
			if (s > 0)
				ASSERT_STR_EQ(got[s][i], got[0][i]);
		}
		c2c_geo_free(g);
	}
	{
		struct c2c_mmdb_writer *w;
		ASSERT_OK(c2c_mmdb_writer_new(C2C_MMDB_COUNTRY, &w));
		ASSERT_ERR(c2c_mmdb_writer_set_record_size(w, 30), C2C_EINVAL);
		c2c_mmdb_writer_free(w);
	}
}

TEST_MAIN(same_bytes_any_order, read_back, bad_rows, conflicts, record_sizes_agree)

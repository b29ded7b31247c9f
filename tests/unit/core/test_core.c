/* Core: addresses, time, encodings, buffers, canonical JSON, hashing. C2C_TORTURE */
#include <jansson.h>
#include <zlib.h>

#include "test.h"

static void
ip_round_trips(void)
{
	static const char *const cases[][2] = {
		{ "192.0.2.1", "192.0.2.1" }, { "2001:db8::1", "2001:db8::1" },
		{ "2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1" }, { "::", "::" },
		{ "::1", "::1" }, { "fe80::", "fe80::" }, { "1:0:0:2:0:0:0:3", "1:0:0:2::3" },
		{ "::ffff:1.2.3.4", "::ffff:1.2.3.4" }, { "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8" },
		{ "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },
	};
	for (size_t i = 0; i < C2C_ARRAY_LEN(cases); i++) {
		struct c2c_ip ip;
		char buf[C2C_IP_STRLEN];
		ASSERT_OK(c2c_ip_parse(&ip, cases[i][0]));
		ASSERT_STR_EQ(c2c_ip_format(&ip, buf, sizeof(buf)), cases[i][1]);
	}
}

static void
ip_rejects_garbage(void)
{
	static const char *const bad[] = { "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4",
		"1::2::3", ":1", "1:2:3:4:5:6:7:8:9", "12345::", "1.2.3.4/8", "g::", "1:" };
	for (size_t i = 0; i < C2C_ARRAY_LEN(bad); i++) {
		struct c2c_ip ip;
		ASSERT_ERR(c2c_ip_parse(&ip, bad[i]), C2C_EFORMAT);
	}
}

static void
v4_and_mapped_v6_differ(void)
{
	struct c2c_ip a, b;
	ASSERT_OK(c2c_ip_parse(&a, "1.2.3.4"));
	ASSERT_OK(c2c_ip_parse(&b, "::ffff:1.2.3.4"));
	ASSERT(!c2c_ip_eq(&a, &b));
	ASSERT_EQ(c2c_ip_v4(&a), 0x01020304);
}

static void
cidr_membership(void)
{
	struct c2c_ip net, ip;
	unsigned len;
	ASSERT_OK(c2c_cidr_parse(&net, &len, "10.1.2.99/24"));
	ASSERT_EQ(len, 24);
	ASSERT_OK(c2c_ip_parse(&ip, "10.1.2.200"));
	ASSERT(c2c_ip_in_cidr(&ip, &net, len));
	ASSERT_OK(c2c_ip_parse(&ip, "10.1.3.1"));
	ASSERT(!c2c_ip_in_cidr(&ip, &net, len));
	ASSERT_OK(c2c_cidr_parse(&net, &len, "2001:db8::/32"));
	ASSERT_OK(c2c_ip_parse(&ip, "2001:db8:ffff::1"));
	ASSERT(c2c_ip_in_cidr(&ip, &net, len));
	ASSERT_ERR(c2c_cidr_parse(&net, &len, "10.0.0.0/33"), C2C_EFORMAT);
	ASSERT_OK(c2c_ip_parse(&ip, "100.64.1.1"));
	ASSERT(c2c_ip_is_private(&ip));
	ASSERT_OK(c2c_ip_parse(&ip, "8.8.8.8"));
	ASSERT(!c2c_ip_is_private(&ip));
	ASSERT_OK(c2c_ip_parse(&ip, "fd00::1"));
	ASSERT(c2c_ip_is_private(&ip));
}

static void
time_formats(void)
{
	char buf[40];
	c2c_time t;
	ASSERT_OK(c2c_time_parse(&t, "1258531221.486539", 17));
	ASSERT_EQ(t, 1258531221486539LL);
	ASSERT_STR_EQ(c2c_time_format_iso(t, buf, sizeof(buf)), "2009-11-18T08:00:21.486539Z");
	ASSERT_STR_EQ(c2c_time_format_epoch(t, buf, sizeof(buf)), "1258531221.486539");
	ASSERT_OK(c2c_time_parse(&t, "2009-11-18T08:00:21.486539Z", 27));
	ASSERT_EQ(t, 1258531221486539LL);
	ASSERT_OK(c2c_time_parse(&t, "2009-11-18T10:00:21.4865391+02:00", 33));
	ASSERT_EQ(t, 1258531221486539LL);
	ASSERT_OK(c2c_time_parse(&t, "1970-01-01T00:00:00Z", 20));
	ASSERT_EQ(t, 0);
	ASSERT_ERR(c2c_time_parse(&t, "2009-13-18T08:00:21Z", 20), C2C_EFORMAT);
	ASSERT_ERR(c2c_time_parse(&t, "12a", 3), C2C_EFORMAT);
	ASSERT_STR_EQ(c2c_time_format_iso(-1, buf, sizeof(buf)), "1969-12-31T23:59:59.999999Z");
}

static void
encodings(void)
{
	char out[64];
	uint8_t back[32];
	size_t n;
	ASSERT_EQ(c2c_base64((const uint8_t *)"foob", 4, out), 8);
	ASSERT_STR_EQ(out, "Zm9vYg==");
	ASSERT_OK(c2c_unbase64(out, strlen(out), back, sizeof(back), &n));
	ASSERT_EQ(n, 4);
	ASSERT_MEM_EQ(back, "foob", 4);
	ASSERT_ERR(c2c_unbase64("Zm9=Yg==", 8, back, sizeof(back), &n), C2C_EFORMAT);
	ASSERT_STR_EQ(c2c_hex((const uint8_t *)"\x01\xab", 2, out), "01ab");
	ASSERT_OK(c2c_unhex("01AB", 4, back, 2));
	ASSERT_EQ(back[1], 0xab);
}

static void
sha256_known_answer(void)
{
	uint8_t d[32];
	char hex[65];
	c2c_sha256("abc", 3, d);
	ASSERT_STR_EQ(c2c_hex(d, 32, hex),
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void
siphash_reference_vector(void)
{
	/* SipHash-2-4 paper, Appendix A: key 00..0f, message 00..0e -> a129ca6149be45e5. */
	uint8_t key[16], msg[15];
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	ASSERT_U64_EQ(c2c_siphash(msg, 15, key), 0xa129ca6149be45e5ull);
}

/* c2c_crc32 against zlib's crc32 (the reference the evidence format names): every length up
 * to 1100 at every alignment within 16 bytes, from a running value and split in two. */
static void
crc32_matches_zlib(void)
{
	enum { N = 1100 + 16 };
	static uint8_t b[N];
	uint64_t x = 0x9e3779b97f4a7c15u;
	ASSERT_EQ(c2c_crc32(0, "123456789", 9), 0xcbf43926u);
	ASSERT_EQ(c2c_crc32(0, NULL, 0), 0u);
	for (size_t i = 0; i < N; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		b[i] = (uint8_t)(x >> 56);
	}
	for (size_t len = 0; len <= 1100; len++) {
		for (size_t al = 0; al < 16; al++) {
			uint32_t seed = (uint32_t)(len * 2654435761u + al);
			uint32_t want = (uint32_t)crc32_z(seed, b + al, len);
			size_t cut = (len * 7 + al) % (len + 1);
			ASSERT_EQ(c2c_crc32(seed, b + al, len), want);
			ASSERT_EQ(c2c_crc32(c2c_crc32(seed, b + al, cut), b + al + cut, len - cut), want);
		}
	}
}

static void
buf_cap_trips(void)
{
	struct c2c_buf b;
	c2c_buf_init(&b, 8);
	ASSERT_OK(c2c_buf_adds(&b, "12345678"));
	ASSERT_ERR(c2c_buf_addc(&b, '9'), C2C_ELIMIT);
	ASSERT_EQ(b.len, 8);
	c2c_buf_reset(&b);
	ASSERT_OK(c2c_buf_printf(&b, "%d-%s", 42, "x"));
	ASSERT_STR_EQ(c2c_buf_cstr(&b), "42-x");
	c2c_buf_fini(&b);
}

#define JTEXT "{\"b\":[1,true,null],\"a\":\"x\\u0001\\n\\u00e9/\"}"

static void
canonical_json(void)
{
	struct c2c_buf b;
	json_t *v;
	ASSERT_OK(c2c_json_parse(JTEXT, strlen(JTEXT), "t", &v,
	    NULL));
	c2c_buf_init(&b, 1 << 20);
	ASSERT_OK(c2c_json_canon(v, &b));
	ASSERT_STR_EQ(c2c_buf_cstr(&b), "{\"a\":\"x\\u0001\\n\xc3\xa9/\",\"b\":[1,true,null]}");
	json_decref(v);
	c2c_buf_reset(&b);
	v = json_real(1.5);
	ASSERT_NONNULL(v);
	ASSERT_ERR(c2c_json_canon(v, &b), C2C_EINVAL);
	json_decref(v);
	ASSERT_ERR(c2c_json_parse("{\"a\":1,\"a\":2}", 13, "dup.json", &v, NULL), C2C_EFORMAT);
	c2c_buf_fini(&b);
}

static void
reader_gzip_and_plain_agree(void)
{
	/* "hello\n" gzip-compressed, two members concatenated. */
	static const uint8_t gz[] = { 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
		0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0xe7, 0x02, 0x00, 0x20, 0x30, 0x3a, 0x36, 0x06, 0x00,
		0x00, 0x00 };
	uint8_t two[sizeof(gz) * 2];
	struct c2c_rd rd;
	const uint8_t *p;
	size_t avail;
	memcpy(two, gz, sizeof(gz));
	memcpy(two + sizeof(gz), gz, sizeof(gz));
	ASSERT_OK(c2c_rd_open_mem(&rd, two, sizeof(two), 0));
	ASSERT(rd.gzip);
	ASSERT_ERR(c2c_rd_peek(&rd, 100, &p, &avail), C2C_EEND);
	ASSERT_EQ(avail, 12);
	ASSERT_MEM_EQ(p, "hello\nhello\n", 12);
	c2c_rd_advance(&rd, 6);
	ASSERT_OK(c2c_rd_peek(&rd, 6, &p, &avail));
	ASSERT_MEM_EQ(p, "hello\n", 6);
	ASSERT_EQ(c2c_rd_pos(&rd), 6);
	c2c_rd_close(&rd);
	/* Truncated gzip is an error, not silent end of data. */
	ASSERT_OK(c2c_rd_open_mem(&rd, gz, sizeof(gz) - 6, 0));
	ASSERT_ERR(c2c_rd_peek(&rd, 100, &p, &avail), C2C_EFORMAT);
	c2c_rd_close(&rd);
}

static void
reader_skips_past_window(void)
{
	/* A gzip stream longer than the window: advancing beyond what was peeked must land on the
	 * right byte (readers skip records they do not need in full). */
	static uint8_t plain[3u << 20];
	struct c2c_rd rd;
	const uint8_t *p;
	size_t avail;
	char path[512];
	FILE *fp;
	uint8_t *gz;
	size_t gzlen;
	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)(i * 7 + i / 1000);
	(void)snprintf(path, sizeof(path), "%s/big.bin", test_tmpdir());
	fp = fopen(path, "wb");
	ASSERT(fp != NULL);
	ASSERT(fwrite(plain, 1, sizeof(plain), fp) == sizeof(plain));
	ASSERT(fclose(fp) == 0);
	{
		char cmd[1200];
		(void)snprintf(cmd, sizeof(cmd), "gzip -kf '%s'", path);
		ASSERT(system(cmd) == 0);
	}
	(void)snprintf(path, sizeof(path), "%s/big.bin.gz", test_tmpdir());
	gz = (uint8_t *)test_read_file(path, &gzlen);
	ASSERT(gz != NULL);
	ASSERT_OK(c2c_rd_open_mem(&rd, gz, gzlen, 0));
	ASSERT_OK(c2c_rd_peek(&rd, 16, &p, &avail));
	c2c_rd_advance(&rd, (5u << 19) + 3); /* 2.5 MiB: past the first window */
	ASSERT_OK(c2c_rd_peek(&rd, 16, &p, &avail));
	ASSERT_MEM_EQ(p, plain + (5u << 19) + 3, 16);
	c2c_rd_advance(&rd, sizeof(plain) - c2c_rd_pos(&rd) + 10);
	ASSERT_ERR(c2c_rd_peek(&rd, 1, &p, &avail), C2C_EEND);
	c2c_rd_close(&rd);
	free(gz);
}

static void
atomic_write_and_slurp(void)
{
	char path[512];
	uint8_t *data;
	size_t len;
	(void)snprintf(path, sizeof(path), "%s/a.txt", test_tmpdir());
	ASSERT_OK(c2c_file_write_atomic(path, "abc", 3, NULL));
	ASSERT_OK(c2c_file_slurp(path, 100, &data, &len, NULL));
	ASSERT_EQ(len, 3);
	ASSERT_STR_EQ((char *)data, "abc");
	c2c_free(data);
	ASSERT_ERR(c2c_file_slurp(path, 2, &data, &len, NULL), C2C_ELIMIT);
}

static void
evref_round_trip(void)
{
	uint8_t sha[32], back[32];
	struct c2c_evref r = { 3, 7, 123456789012ull, 1514 }, q;
	char buf[C2C_EVREF_STRLEN];
	for (int i = 0; i < 32; i++)
		sha[i] = (uint8_t)i;
	c2c_evref_format(&r, sha, buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "ev:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f/"
			   "123456789012+1514#7");
	ASSERT_OK(c2c_evref_parse(buf, back, &q));
	ASSERT_MEM_EQ(back, sha, 32);
	ASSERT_U64_EQ(q.off, r.off);
	ASSERT_EQ(q.len, r.len);
	ASSERT_EQ(q.rec, 7);
	r.rec = -1;
	c2c_evref_format(&r, sha, buf, sizeof(buf));
	ASSERT_OK(c2c_evref_parse(buf, back, &q));
	ASSERT_EQ(q.rec, -1);
	ASSERT_ERR(c2c_evref_parse("ev:00/1+2", back, &q), C2C_EFORMAT);
	buf[strlen(buf) - 1] = 'x';
	ASSERT_ERR(c2c_evref_parse(buf, back, &q), C2C_EFORMAT);
}

TEST_MAIN(evref_round_trip, ip_round_trips, ip_rejects_garbage, v4_and_mapped_v6_differ, cidr_membership,
    time_formats, encodings, sha256_known_answer, siphash_reference_vector, crc32_matches_zlib, buf_cap_trips,
    canonical_json, reader_gzip_and_plain_agree, reader_skips_past_window, atomic_write_and_slurp)

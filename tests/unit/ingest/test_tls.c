/* TLS: ClientHello SNI/JA3, ServerHello JA3S, leaf certificate digest across segments.
 * C2C_TORTURE */
#include "ingest/app.h"
#include "test.h"

static struct c2c_obs got[4];
static int ngot;

static c2c_err
on_obs(void *ctx, const struct c2c_obs *o)
{
	(void)ctx;
	if (ngot < 4)
		got[ngot++] = *o;
	return C2C_OK;
}

static const struct c2c_sink sink = { NULL, NULL, on_obs };

/* ClientHello body: GREASE in ciphers, extensions and groups must not reach JA3. */
static const uint8_t ch_body[] = {
	0x03, 0x03,                                     /* legacy_version */
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
	26, 27, 28, 29, 30, 31, 32,                     /* random */
	0,                                              /* session id */
	0, 6, 0x13, 0x01, 0x0a, 0x0a, 0xc0, 0x2f,       /* ciphers */
	1, 0,                                           /* compression */
	0, 51,                                          /* extensions length */
	0x0a, 0x0a, 0, 0,                               /* GREASE */
	0, 0, 0, 16, 0, 14, 0, 0, 11, 'E', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm',
	0, 10, 0, 8, 0, 6, 0, 0x1d, 0, 0x17, 0x2a, 0x2a, /* supported_groups */
	0, 11, 0, 2, 1, 0,                              /* ec_point_formats */
	0, 43, 0, 5, 4, 0x03, 0x04, 0x03, 0x03,          /* supported_versions */
};

static const uint8_t sh_body[] = {
	0x03, 0x03, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
	23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 0, 0xc0, 0x2f, 0, 0, 11, 0xff, 0x01, 0, 1, 0, 0,
	11, 0, 2, 1, 0,
};

static size_t
record(uint8_t *out, uint8_t hstype, const uint8_t *body, size_t blen)
{
	out[0] = 0x16, out[1] = 3, out[2] = 1;
	out[3] = (uint8_t)((blen + 4) >> 8), out[4] = (uint8_t)(blen + 4);
	out[5] = hstype, out[6] = 0, out[7] = (uint8_t)(blen >> 8), out[8] = (uint8_t)blen;
	memcpy(out + 9, body, blen);
	return blen + 9;
}

static void
hello_fields(void)
{
	struct c2c_tls t;
	memset(&t, 0, sizeof(t));
	ASSERT_OK(c2c__tls_client_hello(ch_body, sizeof(ch_body), &t));
	ASSERT_STR_EQ(t.sni, "Example.com");
	ASSERT_STR_EQ(t.ja3, "cefebb3c24208325c13a9ad9b14b83c9");
	ASSERT_EQ(t.version, 0x0304);
	ASSERT_OK(c2c__tls_server_hello(sh_body, sizeof(sh_body), &t));
	ASSERT_STR_EQ(t.ja3s, "303951d4c50efb2e991652225a6f02b1");
	ASSERT_ERR(c2c__tls_client_hello(ch_body, 40, &t), C2C_EFORMAT);
}

static void
handshake_across_segments(void)
{
	uint8_t c[512], s[512], cert[64];
	size_t cl, sl = 0;
	struct c2c_app_out o;
	struct c2c_tls_flow *t;
	static const char leaf[] = "0123456789abcdefghij";

	memset(&o, 0, sizeof(o));
	o.sink = &sink;
	ngot = 0;
	ASSERT(c2c__tls_probe((const uint8_t *)"\x16\x03\x01\x00\x10\x01", 6));
	ASSERT(!c2c__tls_probe((const uint8_t *)"GET / ", 6));
	cl = record(c, 1, ch_body, sizeof(ch_body));
	sl = record(s, 2, sh_body, sizeof(sh_body));
	/* Certificate: list length, one certificate of 20 bytes */
	size_t n = 0;
	cert[n++] = 0, cert[n++] = 0, cert[n++] = 23;
	cert[n++] = 0, cert[n++] = 0, cert[n++] = 20;
	memcpy(cert + n, leaf, 20);
	n += 20;
	sl += record(s + sl, 11, cert, n);
	ASSERT_NONNULL(t = c2c__tls_flow_new());
	o.tmpl.ts = 111;
	for (size_t i = 0; i < cl; i += 7)
		ASSERT_OK(c2c__tls_flow_data(t, true, c + i, cl - i < 7 ? cl - i : 7, &o));
	ASSERT_EQ(ngot, 0);
	o.tmpl.ts = 222;
	for (size_t i = 0; i < sl; i += 5)
		ASSERT_OK(c2c__tls_flow_data(t, false, s + i, sl - i < 5 ? sl - i : 5, &o));
	ASSERT_EQ(ngot, 1);
	ASSERT_EQ(got[0].kind, C2C_OBS_TLS);
	ASSERT_EQ(got[0].ts, 111);
	ASSERT_STR_EQ(got[0].u.tls.sni, "Example.com");
	ASSERT_STR_EQ(got[0].u.tls.ja3s, "303951d4c50efb2e991652225a6f02b1");
	ASSERT(got[0].u.tls.have_cert);
	char hex[65];
	ASSERT_STR_EQ(c2c_hex(got[0].u.tls.cert_sha256, 32, hex),
	    "6bc14bdc4517a7a682c6910de2e2946eb8e1ecd04090728fef6d092a7ceb62c5");
	ASSERT_OK(c2c__tls_flow_finish(t, &o));
	ASSERT_EQ(ngot, 1);
	c2c__tls_flow_free(t);
}

static void
garbage_is_counted(void)
{
	struct c2c_ingest_stats st;
	struct c2c_app_out o;
	struct c2c_tls_flow *t;
	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	o.sink = &sink;
	o.st = &st;
	ngot = 0;
	ASSERT_NONNULL(t = c2c__tls_flow_new());
	ASSERT_OK(c2c__tls_flow_data(t, true, (const uint8_t *)"\x16\x09\x09\x00\x01xxxxx", 10, &o));
	ASSERT_EQ(st.n[C2C_ST_TLS_MALFORMED], 1);
	ASSERT_OK(c2c__tls_flow_finish(t, &o));
	ASSERT_EQ(ngot, 0);
	c2c__tls_flow_free(t);
}

TEST_MAIN(hello_fields, handshake_across_segments, garbage_is_counted)

/* HTTP: request headers, proxy forms, pipelining, statuses, headers split across segments.
 * C2C_TORTURE */
#include "ingest/app.h"
#include "test.h"

static struct c2c_obs got[8];
static int ngot;

static c2c_err
on_obs(void *ctx, const struct c2c_obs *o)
{
	(void)ctx;
	if (ngot < 8)
		got[ngot++] = *o;
	return C2C_OK;
}

static const struct c2c_sink sink = { NULL, NULL, on_obs };

static void
parse_request_fields(void)
{
	static const char r[] = "GET /a?b=1 HTTP/1.1\r\nHost: www.example.org\r\n"
				"user-agent:  Mozilla/5.0 (X)\r\n\r\n";
	static const char c[] = "CONNECT c2.example.net:443 HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char a[] = "GET http://user@evil.example:8080/p HTTP/1.0\r\nHost: proxy\r\n\r\n";
	struct c2c_http h;
	ASSERT_OK(c2c__http_parse_request((const uint8_t *)r, sizeof(r) - 1, &h));
	ASSERT_STR_EQ(h.method, "GET");
	ASSERT_STR_EQ(h.uri, "/a?b=1");
	ASSERT_STR_EQ(h.host, "www.example.org");
	ASSERT_STR_EQ(h.user_agent, "Mozilla/5.0 (X)");
	ASSERT(!h.proxy);
	ASSERT_OK(c2c__http_parse_request((const uint8_t *)c, sizeof(c) - 1, &h));
	ASSERT(h.proxy);
	ASSERT_STR_EQ(h.host, "c2.example.net:443");
	ASSERT_OK(c2c__http_parse_request((const uint8_t *)a, sizeof(a) - 1, &h));
	ASSERT(h.proxy);
	ASSERT_STR_EQ(h.host, "evil.example:8080");
	ASSERT_ERR(c2c__http_parse_request((const uint8_t *)"GET /\r\n\r\n", 9, &h), C2C_EFORMAT);
	ASSERT_ERR(c2c__http_parse_request((const uint8_t *)"BREW / HTTP/1.1\r\n\r\n", 19, &h),
	    C2C_EFORMAT);
}

static void
pipelined_flow(void)
{
	static const char req[] = "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
				  "GET /two HTTP/1.1\r\nHost: b\r\n\r\n";
	static const char rsp[] = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n"
				  "Content-Length: 3\r\n\r\nabcHTTP/1.1 404 Not Found\r\n\r\n";
	struct c2c_app_out o;
	struct c2c_http_flow *h;
	memset(&o, 0, sizeof(o));
	o.sink = &sink;
	ngot = 0;
	ASSERT(c2c__http_probe((const uint8_t *)req, 5));
	ASSERT(!c2c__http_probe((const uint8_t *)"\x16\x03\x01", 3));
	ASSERT_NONNULL(h = c2c__http_flow_new());
	for (size_t i = 0; i < sizeof(req) - 1; i += 11)
		ASSERT_OK(c2c__http_flow_data(h, true, (const uint8_t *)req + i,
		    sizeof(req) - 1 - i < 11 ? sizeof(req) - 1 - i : 11, &o));
	ASSERT_EQ(ngot, 0);
	ASSERT_OK(c2c__http_flow_data(h, false, (const uint8_t *)rsp, sizeof(rsp) - 1, &o));
	ASSERT_EQ(ngot, 2);
	ASSERT_STR_EQ(got[0].u.http.method, "POST");
	ASSERT_EQ(got[0].u.http.status, 201);
	ASSERT_STR_EQ(got[1].u.http.uri, "/two");
	ASSERT_STR_EQ(got[1].u.http.host, "b");
	ASSERT_EQ(got[1].u.http.status, 404);
	ASSERT_OK(c2c__http_flow_finish(h, &o));
	ASSERT_EQ(ngot, 2);
	c2c__http_flow_free(h);
}

static void
unanswered_and_oversized(void)
{
	struct c2c_ingest_stats st;
	struct c2c_app_out o;
	struct c2c_http_flow *h;
	static uint8_t big[C2C_HTTP_MAX_HEADER + 100];
	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	o.sink = &sink;
	o.st = &st;
	ngot = 0;
	ASSERT_NONNULL(h = c2c__http_flow_new());
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	memset(big + 19, 'a', sizeof(big) - 19);
	ASSERT_OK(c2c__http_flow_data(h, true, big, sizeof(big), &o));
	ASSERT_EQ(st.n[C2C_ST_HTTP_TOO_LARGE], 1);
	ASSERT_OK(c2c__http_flow_data(h, true, (const uint8_t *)"HEAD /x HTTP/1.1\r\n\r\n", 20, &o));
	ASSERT_OK(c2c__http_flow_finish(h, &o));
	ASSERT_EQ(ngot, 1);
	ASSERT_STR_EQ(got[0].u.http.method, "HEAD");
	ASSERT_EQ(got[0].u.http.status, 0);
	c2c__http_flow_free(h);
}

TEST_MAIN(parse_request_fields, pipelined_flow, unanswered_and_oversized)

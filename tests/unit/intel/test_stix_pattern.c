/* STIX 2.1 pattern parser: grammar, DNF conversion, what becomes an indicator. C2C_TORTURE */
#include "intel/internal.h"
#include "test.h"

struct got {
	char v[8][128];
	uint16_t port[8];
	enum c2c_ioc_type type[8];
	int n, unsup;
	char reason[128];
};

static c2c_err
on_ioc(void *ctx, const struct c2c__ioc *ioc)
{
	struct got *g = ctx;
	if (g->n < 8) {
		if (ioc->str != NULL)
			(void)snprintf(g->v[g->n], sizeof(g->v[0]), "%.*s", (int)ioc->str_len, ioc->str);
		else
			c2c_ip_format(&ioc->ip, g->v[g->n], sizeof(g->v[0]));
		g->port[g->n] = ioc->port;
		g->type[g->n] = ioc->type;
	}
	g->n++;
	return C2C_OK;
}

static c2c_err
on_unsup(void *ctx, const char *what, const char *reason)
{
	struct got *g = ctx;
	(void)what;
	g->unsup++;
	(void)snprintf(g->reason, sizeof(g->reason), "%s", reason);
	return C2C_OK;
}

static c2c_err
run(const char *pat, struct got *g)
{
	char err[160];
	struct c2c__stix_emit e = { g, on_ioc, on_unsup };
	memset(g, 0, sizeof(*g));
	return c2c__stix_pattern(pat, strlen(pat), &e, err, sizeof(err));
}

static void
simple_values(void)
{
	struct got g;
	ASSERT_OK(run("[ipv4-addr:value = '198.51.100.1']", &g));
	ASSERT_EQ(g.n, 1);
	ASSERT_STR_EQ(g.v[0], "198.51.100.1");
	ASSERT_OK(run("[ipv4-addr:value = '223.166.0.0/15']", &g));
	ASSERT_EQ(g.type[0], C2C_IOC_CIDR);
	ASSERT_OK(run("[ipv6-addr:value = '2001:db8::1']", &g));
	ASSERT_EQ(g.type[0], C2C_IOC_IPV6);
	ASSERT_OK(run("[domain-name:value = 'Evil.Example']", &g));
	ASSERT_EQ(g.type[0], C2C_IOC_DOMAIN);
	ASSERT_STR_EQ(g.v[0], "evil.example");
	ASSERT_OK(run("[url:value = 'http://x.example/a\\'b']", &g));
	ASSERT_EQ(g.type[0], C2C_IOC_URL);
	ASSERT_STR_EQ(g.v[0], "x.example/a'b");
	ASSERT_OK(run("[domain-name:value LIKE '%.evil.example']", &g));
	ASSERT_EQ(g.type[0], C2C_IOC_DOMAIN_SUFFIX);
	ASSERT_OK(run("[ipv4-addr:value ISSUBSET '10.0.0.0/8']", &g));
	ASSERT_EQ(g.type[0], C2C_IOC_CIDR);
}

static void
or_and_in(void)
{
	struct got g;
	ASSERT_OK(run("[domain-name:value = 'a.example' OR ipv4-addr:value = '192.0.2.1' OR "
		      "ipv4-addr:value = '192.0.2.2']",
	    &g));
	ASSERT_EQ(g.n, 3);
	ASSERT_OK(run("[ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')] OR "
		      "([domain-name:value = 'b.example'])",
	    &g));
	ASSERT_EQ(g.n, 3);
	ASSERT_OK(run("[network-traffic:dst_ref.type = 'ipv4-addr' AND "
		      "network-traffic:dst_ref.value = '203.0.113.9' AND network-traffic:dst_port = 443]",
	    &g));
	ASSERT_EQ(g.n, 1);
	ASSERT_EQ(g.port[0], 443);
	ASSERT_STR_EQ(g.v[0], "203.0.113.9");
	/* (a OR b) AND port: two indicators with the port each */
	ASSERT_OK(run("[(network-traffic:dst_ref.value = '192.0.2.1' OR "
		      "network-traffic:dst_ref.value = '192.0.2.2') AND network-traffic:dst_port = 8080]",
	    &g));
	ASSERT_EQ(g.n, 2);
	ASSERT_EQ(g.port[1], 8080);
}

static void
unsupported_parts(void)
{
	struct got g;
	ASSERT_OK(run("[file:hashes.'SHA-256' = 'ef53']", &g));
	ASSERT_EQ(g.n, 0);
	ASSERT_EQ(g.unsup, 1);
	ASSERT_OK(run("[ipv4-addr:value != '192.0.2.1']", &g));
	ASSERT_EQ(g.unsup, 1);
	ASSERT_OK(run("[ipv4-addr:value NOT = '192.0.2.1']", &g));
	ASSERT_EQ(g.unsup, 1);
	ASSERT_OK(run("[ipv4-addr:value = '192.0.2.1'] AND [domain-name:value = 'x.example']", &g));
	ASSERT_EQ(g.n, 0);
	ASSERT_STR_EQ(g.reason, "observation AND (needs two correlated observations)");
	ASSERT_OK(run("[ipv4-addr:value = '192.0.2.1' AND domain-name:value = 'x.example']", &g));
	ASSERT_EQ(g.n, 0);
	ASSERT_OK(run("[ipv4-addr:value = '192.0.2.1'] WITHIN 300 SECONDS", &g));
	ASSERT_EQ(g.n, 1);
	ASSERT_EQ(g.unsup, 1); /* the qualifier is reported, the indicator still loads */
	ASSERT_OK(run("[domain-name:value = 'not a domain']", &g));
	ASSERT_EQ(g.unsup, 1);
	ASSERT_OK(run("[ipv4-addr:value = '2001:db8::1']", &g));
	ASSERT_EQ(g.unsup, 1);
	ASSERT_OK(run("[ipv4-addr:value MATCHES '^1']", &g));
	ASSERT_EQ(g.unsup, 1);
	ASSERT_OK(run("[x509-certificate:issuer = 'CN=a' AND x509-certificate:serial_number = '1'] "
		      "FOLLOWEDBY [ipv4-addr:value = '192.0.2.1'] START t'2016-01-01T00:00:00Z' "
		      "STOP t'2017-01-01T00:00:00Z'",
	    &g));
	ASSERT_EQ(g.n, 0);
}

static void
syntax_errors(void)
{
	static const char *const bad[] = { "", "[", "[]", "ipv4-addr:value = '1.2.3.4'",
		"[ipv4-addr:value = '1.2.3.4'", "[ipv4-addr:value = ]", "[ipv4-addr:value '1']",
		"[ipv4-addr:value = '1.2.3.4'] junk", "[ipv4-addr:value IN ('a' 'b')]",
		"[a:b = 'unterminated]", "[(((((((((((((((((((((((((((((((((((a:b = 1)))))))))))))))))"
		"))))))))))))))))))]", "[a:b = 1] WITHIN x SECONDS" };
	for (size_t i = 0; i < C2C_ARRAY_LEN(bad); i++) {
		struct got g;
		ASSERT_ERR(run(bad[i], &g), C2C_EFORMAT);
	}
}

static void
dnf_blowup_is_bounded(void)
{
	/* (a OR b) AND (c OR d) AND ... 10 times = 1024 alternatives: refused, not expanded */
	char pat[4096] = "[";
	for (int i = 0; i < 10; i++) {
		char part[128];
		(void)snprintf(part, sizeof(part),
		    "%s(ipv4-addr:value = '10.0.0.%d' OR ipv4-addr:value = '10.0.1.%d')",
		    i ? " AND " : "", i, i);
		strcat(pat, part);
	}
	strcat(pat, "]");
	struct got g;
	ASSERT_OK(run(pat, &g));
	ASSERT_EQ(g.n, 0);
	ASSERT_EQ(g.unsup, 1);
}

TEST_MAIN(simple_values, or_and_in, unsupported_parts, syntax_errors, dnf_blowup_is_bounded)

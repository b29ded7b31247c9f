/* Host map: CIDR list parsing, diagnostics, and the indexed lookup against the linear longest-
 * prefix rule on random nested prefixes. C2C_TORTURE */
#include "c2chain/infra.h"
#include "test.h"

static struct c2c_ip
ip_of(const char *s)
{
	struct c2c_ip ip;
	if (c2c_ip_parse(&ip, s) != C2C_OK)
		TEST_FAIL_("bad test address %s", s);
	return ip;
}

/* Country of `s` through the indexed map (or "??"), as the matrix sees it. */
static const char *
lookup(const struct c2c_host_map *m, const char *s, char cc[3])
{
	struct c2c_infra_opts o;
	struct c2c_ip ip = ip_of(s);
	c2c_infra_opts_default(&o);
	o.host_map = m->v;
	o.n_host_map = m->n;
	o.host_map_parent = m->parent;
	(void)c2c_infra_host_country(&o, &ip, cc);
	return cc;
}

static void
parse_lists(void)
{
	static const char cn[] = "# CN blocks\n1.0.1.0/24\r\n  1.0.2.0/23  # comment\n\n"
				 "1.0.8.0/21\n36.0.0.0/10\n36.1.2.0/24\n2001:250::/35\n";
	static const char us[] = "36.1.2.0/24\n36.1.2.3\n2001:250:1::/48\n1.0.1.0/24\n";
	struct c2c_host_map m;
	struct c2c_diag diag = { 0 };
	char cc[3];

	c2c_host_map_init(&m);
	ASSERT_OK(c2c_host_map_parse(&m, cn, sizeof(cn) - 1, "CN", "cn.cidr", &diag));
	ASSERT_EQ(m.n, 6);
	ASSERT_OK(c2c_host_map_parse(&m, us, sizeof(us) - 1, "US", "us.cidr", &diag));
	ASSERT_EQ(m.n, 10);
	ASSERT_OK(c2c_host_map_index(&m));
	ASSERT_OK(c2c_host_map_index(&m)); /* idempotent */
	/* 36.1.2.0/24 and 1.0.1.0/24 were given twice: the first (CN) wins. */
	ASSERT_EQ(m.n, 8);
	ASSERT_U64_EQ(m.duplicates, 2);
	ASSERT_U64_EQ(m.conflicts, 2);
	ASSERT_STR_EQ(lookup(&m, "1.0.1.77", cc), "CN");
	ASSERT_STR_EQ(lookup(&m, "1.0.3.255", cc), "CN");
	ASSERT_STR_EQ(lookup(&m, "1.0.4.0", cc), "??");
	ASSERT_STR_EQ(lookup(&m, "36.63.255.255", cc), "CN");
	ASSERT_STR_EQ(lookup(&m, "36.64.0.0", cc), "??");
	ASSERT_STR_EQ(lookup(&m, "36.1.2.3", cc), "US"); /* the /32 inside the CN /24 */
	ASSERT_STR_EQ(lookup(&m, "36.1.2.4", cc), "CN");
	ASSERT_STR_EQ(lookup(&m, "2001:250:1::5", cc), "US");
	ASSERT_STR_EQ(lookup(&m, "2001:250:2::5", cc), "CN");
	ASSERT_STR_EQ(lookup(&m, "::ffff:1.0.1.77", cc), "??"); /* another family */
	ASSERT_STR_EQ(lookup(&m, "0.0.0.1", cc), "??");         /* before every entry */
	ASSERT_STR_EQ(lookup(&m, "ffff::1", cc), "??");         /* after every entry */
	c2c_host_map_fini(&m);

	/* Diagnostics name the list and the line; earlier lines stay. */
	c2c_host_map_init(&m);
	ASSERT_ERR(c2c_host_map_parse(&m, "10.0.0.0/8\n# x\n10.0.0.0/33\n", 27, "CN", "bad.cidr",
		       &diag),
	    C2C_EFORMAT);
	ASSERT_STR_EQ(diag.src, "bad.cidr");
	ASSERT_U64_EQ(diag.where, 3);
	ASSERT(strstr(diag.msg, "'10.0.0.0/33' is not a network") != NULL);
	ASSERT_EQ(m.n, 1);
	ASSERT_ERR(c2c_host_map_parse(&m, "example.com\n", 12, "CN", "bad.cidr", &diag),
	    C2C_EFORMAT);
	ASSERT_ERR(c2c_host_map_parse(&m, "10.0.0.0/8\n", 11, "cn", "x", &diag), C2C_EINVAL);
	ASSERT_ERR(c2c_host_map_parse(&m, "10.0.0.0/8\n", 11, "CHN", "x", &diag), C2C_EINVAL);
	{
		char nul[] = "10.0.0.0/8\n10.\0.0.0/8\n";
		ASSERT_ERR(c2c_host_map_parse(&m, nul, sizeof(nul) - 1, "CN", "x", &diag),
		    C2C_EFORMAT);
		ASSERT_U64_EQ(diag.where, 2);
	}
	/* Host bits are cleared on the way in. */
	{
		struct c2c_ip net = ip_of("10.1.2.3"), want = ip_of("10.1.0.0");
		c2c_host_map_fini(&m);
		c2c_host_map_init(&m);
		ASSERT_OK(c2c_host_map_add(&m, &net, 16, "DE"));
		ASSERT(c2c_ip_eq(&m.v[0].net, &want));
		ASSERT_ERR(c2c_host_map_add(&m, &net, 33, "DE"), C2C_EINVAL);
		ASSERT_ERR(c2c_host_map_add(&m, &net, 8, "D"), C2C_EINVAL);
		ASSERT_OK(c2c_host_map_index(&m));
		ASSERT_STR_EQ(lookup(&m, "10.1.255.1", cc), "DE");
	}
	c2c_host_map_fini(&m);
	/* An empty map indexes and answers nothing. */
	c2c_host_map_init(&m);
	ASSERT_OK(c2c_host_map_index(&m));
	ASSERT_STR_EQ(lookup(&m, "10.1.255.1", cc), "??");
	c2c_host_map_fini(&m);
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random prefixes clustered in a few regions so they nest deeply; random probe addresses near
 * them. The indexed answer must equal the linear rule over the unindexed array. */
static void
index_equals_linear(void)
{
	static const char *const ccs[] = { "CN", "US", "DE", "NL", "RU" };
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	for (int fam = 4; fam <= 6; fam += 2) {
		struct c2c_host_map m;
		struct c2c_host_country *lin;
		size_t nlin;
		c2c_host_map_init(&m);
		for (int i = 0; i < 1500; i++) {
			struct c2c_ip net;
			unsigned width = fam == 4 ? 32 : 128, len;
			memset(&net, 0, sizeof(net));
			net.family = (uint8_t)fam;
			if (fam == 4) {
				net.a[10] = net.a[11] = 0xff;
				net.a[12] = (uint8_t)(10 + rnd(&seed) % 3);
				for (int b = 13; b < 16; b++)
					net.a[b] = (uint8_t)rnd(&seed);
			} else {
				net.a[0] = 0x20;
				net.a[1] = (uint8_t)(1 + rnd(&seed) % 2);
				for (int b = 2; b < 16; b++)
					net.a[b] = (uint8_t)(b < 6 ? rnd(&seed) % 4 : rnd(&seed));
			}
			len = (unsigned)(rnd(&seed) % (width + 1));
			ASSERT_OK(c2c_host_map_add(&m, &net, len, ccs[rnd(&seed) % 5]));
		}
		nlin = m.n;
		lin = c2c_reallocarray(NULL, nlin, sizeof(*lin));
		ASSERT_NONNULL(lin);
		memcpy(lin, m.v, nlin * sizeof(*lin));
		ASSERT_OK(c2c_host_map_index(&m));
		ASSERT(m.n + m.duplicates == nlin);
		for (int i = 0; i < 6000; i++) {
			struct c2c_infra_opts o;
			struct c2c_ip ip = lin[rnd(&seed) % nlin].net;
			char a[3], b[3];
			const char *sa, *sb;
			/* Flip a few low-order bits so probes land inside, beside and between. */
			for (int k = 0; k < 3; k++) {
				unsigned bit = (unsigned)(rnd(&seed) % (fam == 4 ? 32 : 128));
				unsigned byte = (fam == 4 ? 12 : 0) + bit / 8;
				ip.a[byte] ^= (uint8_t)(1u << (bit % 8));
			}
			c2c_infra_opts_default(&o);
			o.host_map = lin;
			o.n_host_map = nlin;
			sa = c2c_infra_host_country(&o, &ip, a);
			o.host_map = m.v;
			o.n_host_map = m.n;
			o.host_map_parent = m.parent;
			sb = c2c_infra_host_country(&o, &ip, b);
			if (strcmp(a, b) != 0 || strcmp(sa, sb) != 0) {
				char t[64];
				TEST_FAIL_("%s: linear %s (%s), indexed %s (%s)",
				    c2c_ip_format(&ip, t, sizeof(t)), a, sa, b, sb);
			}
		}
		c2c_free(lin);
		c2c_host_map_fini(&m);
	}
}

TEST_MAIN(parse_lists, index_equals_linear)

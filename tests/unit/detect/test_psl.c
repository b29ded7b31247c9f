/* Public Suffix List: rule kinds, precedence, the PRIVATE switch, the Debian file. C2C_TORTURE */
#include "c2chain/detect.h"
#include "test.h"

static const char rules[] = "// comment\n"
			    "com\n"
			    "uk\n"
			    "co.uk\n"
			    "*.ck\n"
			    "!www.ck\n"
			    "jp\n"
			    "*.kawasaki.jp\n"
			    "!city.kawasaki.jp\n"
			    "// ===BEGIN PRIVATE DOMAINS===\n"
			    "blogspot.com\n";

static const char *
reg(const struct c2c_psl *p, const char *name)
{
	static char buf[256];
	size_t off;
	if (c2c_psl_registered(p, name, &off) != C2C_OK)
		return "-";
	(void)snprintf(buf, sizeof(buf), "%s", name + off);
	return buf;
}

static void
rules_apply(void)
{
	struct c2c_psl *p = NULL, *q = NULL;
	struct c2c_diag d;
	ASSERT_OK(c2c_psl_parse(rules, sizeof(rules) - 1, "t", true, &p, &d));
	ASSERT_STR_EQ(reg(p, "a.b.example.com"), "example.com");
	ASSERT_STR_EQ(reg(p, "example.com"), "example.com");
	ASSERT_STR_EQ(reg(p, "com"), "-");
	ASSERT_STR_EQ(reg(p, "x.y.co.uk"), "y.co.uk");
	ASSERT_STR_EQ(reg(p, "co.uk"), "-");
	ASSERT_STR_EQ(reg(p, "a.b.c.ck"), "b.c.ck");  /* wildcard */
	ASSERT_STR_EQ(reg(p, "c.ck"), "-");
	ASSERT_STR_EQ(reg(p, "a.www.ck"), "www.ck");  /* exception */
	ASSERT_STR_EQ(reg(p, "a.city.kawasaki.jp"), "city.kawasaki.jp");
	ASSERT_STR_EQ(reg(p, "a.b.kawasaki.jp"), "a.b.kawasaki.jp");
	ASSERT_STR_EQ(reg(p, "x.foo.blogspot.com"), "foo.blogspot.com");
	ASSERT_STR_EQ(reg(p, "a.b.unlisted"), "b.unlisted"); /* default rule "*" */
	ASSERT_STR_EQ(reg(p, ""), "-");
	ASSERT_STR_EQ(reg(p, "a..com"), "-");
	ASSERT_STR_EQ(reg(NULL, "a.b.co.uk"), "co.uk");
	ASSERT_OK(c2c_psl_parse(rules, sizeof(rules) - 1, "t", false, &q, &d));
	ASSERT_STR_EQ(reg(q, "x.foo.blogspot.com"), "blogspot.com");
	c2c_psl_free(p);
	c2c_psl_free(q);
}

static void
bad_rules_name_line(void)
{
	static const char bad[] = "com\n\n*.*.x\n";
	struct c2c_psl *p = NULL;
	struct c2c_diag d;
	memset(&d, 0, sizeof(d));
	ASSERT_ERR(c2c_psl_parse(bad, sizeof(bad) - 1, "list.dat", true, &p, &d), C2C_EFORMAT);
	ASSERT_EQ(d.where, 3);
	ASSERT_ERR(c2c_psl_parse("// only\n", 8, "list.dat", true, &p, &d), C2C_EFORMAT);
}

static void
debian_list(void)
{
	static const char path[] = "/usr/share/publicsuffix/public_suffix_list.dat";
	struct c2c_psl *p = NULL;
	struct c2c_diag d;
	FILE *fp = fopen(path, "rb");
	if (fp == NULL) {
		printf("SKIP: %s absent (Debian package publicsuffix)\n", path);
		return;
	}
	(void)fclose(fp);
	ASSERT_OK(c2c_psl_load(path, true, &p, &d));
	ASSERT_STR_EQ(reg(p, "dnscat.a1b2c3.evil.co.uk"), "evil.co.uk");
	ASSERT_STR_EQ(reg(p, "www.bbc.co.uk"), "bbc.co.uk");
	ASSERT_STR_EQ(reg(p, "x.y.github.io"), "y.github.io");
	ASSERT_STR_EQ(reg(p, "steamcontent.com"), "steamcontent.com");
	c2c_psl_free(p);
}

TEST_MAIN(rules_apply, bad_rules_name_line, debian_list)

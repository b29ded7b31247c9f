/* Enrichment: MaxMind DB lookups against MaxMind's test databases, pins, corrupt databases. */
#include <dirent.h>

#include "c2chain/enrich.h"
#include "test.h"

static struct c2c_ip
ip_of(const char *s)
{
	struct c2c_ip ip;
	if (c2c_ip_parse(&ip, s) != C2C_OK)
		TEST_FAIL_("bad test address %s", s);
	return ip;
}

static const char *
mm(const char *name, char *buf, size_t len)
{
	char rel[256];
	(void)snprintf(rel, sizeof(rel), "maxmind-test-data/test-data/%s", name);
	return test_shared(rel, buf, len);
}

static void
country_db_answers(void)
{
	char path[1024];
	struct c2c_geo *g;
	struct c2c_geo_result r, u;
	struct c2c_ip ip;
	struct c2c_diag diag = { 0 };
	if (mm("GeoIP2-Country-Test.mmdb", path, sizeof(path)) == NULL)
		return;
	ASSERT_OK(c2c_geo_new(&g));
	ASSERT_OK(c2c_geo_open_db(g, path, C2C_GEO_COUNTRY, NULL, &diag));
	/* From source-data/GeoIP2-Country-Test.json. */
	ip = ip_of("2001:218::1");
	ASSERT_OK(c2c_geo_lookup(g, &ip, &r));
	ASSERT_STR_EQ(r.country, "JP");
	ASSERT_EQ(r.country_db, 0);
	ASSERT_EQ(r.asn_db, -1);
	/* IPv4 in an IPv6 database. */
	ip = ip_of("81.2.69.160");
	ASSERT_OK(c2c_geo_lookup(g, &ip, &r));
	ASSERT_STR_EQ(r.country, "GB");
	ASSERT_OK(c2c_geo_lookup(g, &ip, &r)); /* now from the cache */
	ASSERT_STR_EQ(r.country, "GB");
	ASSERT_OK(c2c_geo_lookup_uncached(g, &ip, &u));
	ASSERT_STR_EQ(u.country, "GB");
	{
		uint64_t h, m;
		c2c_geo_cache_stats(g, &h, &m);
		ASSERT_EQ(h, 1);
		ASSERT_EQ(m, 2);
	}
	/* Nothing known. */
	ip = ip_of("10.0.0.1");
	ASSERT_OK(c2c_geo_lookup(g, &ip, &r));
	ASSERT_STR_EQ(r.country, "");
	ASSERT_EQ(r.country_db, -1);
	ASSERT_STR_EQ(r.as_org, "");
	c2c_geo_free(g);
}

static void
asn_and_country_from_two_dbs(void)
{
	char p1[1024], p2[1024];
	struct c2c_geo *g;
	struct c2c_geo_result r;
	struct c2c_ip ip;
	struct c2c_diag diag = { 0 };
	if (mm("GeoLite2-ASN-Test.mmdb", p1, sizeof(p1)) == NULL ||
	    mm("GeoLite2-Country-Test.mmdb", p2, sizeof(p2)) == NULL)
		return;
	ASSERT_OK(c2c_geo_new(&g));
	ASSERT_OK(c2c_geo_open_db(g, p2, C2C_GEO_COUNTRY, NULL, &diag));
	ASSERT_OK(c2c_geo_open_db(g, p1, C2C_GEO_ASN, NULL, &diag));
	ASSERT_EQ(c2c_geo_db_count(g), 2);
	ASSERT_EQ(c2c_geo_db_get(g, 1)->use, C2C_GEO_ASN);
	ASSERT(c2c_geo_db_get(g, 2) == NULL);
	ip = ip_of("1.0.0.1"); /* "1.0.0.0/24": 15169 "Google Inc." */
	ASSERT_OK(c2c_geo_lookup(g, &ip, &r));
	ASSERT_EQ(r.asn, 15169);
	ASSERT_STR_EQ(r.as_org, "Google Inc.");
	ASSERT_EQ(r.asn_db, 1);
	ip = ip_of("12.81.96.1"); /* "12.81.96.0/19": 7018, no organisation */
	ASSERT_OK(c2c_geo_lookup(g, &ip, &r));
	ASSERT_EQ(r.asn, 7018);
	ASSERT_STR_EQ(r.as_org, "");
	ip = ip_of("2001:218::1");
	ASSERT_OK(c2c_geo_lookup(g, &ip, &r));
	ASSERT_STR_EQ(r.country, "JP");
	c2c_geo_free(g);
}

static void
pins_are_checked(void)
{
	char path[1024];
	struct c2c_geo *g;
	struct c2c_geo_pin pin;
	struct c2c_diag diag = { 0 };
	uint8_t sha[32];
	uint64_t size;
	json_t *j;
	char ref[80];
	if (mm("GeoIP2-Country-Test.mmdb", path, sizeof(path)) == NULL)
		return;
	ASSERT_OK(c2c_sha256_file(path, sha, &size, NULL));
	ASSERT_OK(c2c_geo_new(&g));
	ASSERT_OK(c2c_geo_open_db(g, path, C2C_GEO_COUNTRY, NULL, &diag));
	pin = c2c_geo_db_get(g, 0)->pin;
	ASSERT_MEM_EQ(pin.sha256, sha, 32);
	ASSERT_U64_EQ(pin.size, size);
	ASSERT_STR_EQ(pin.type, "GeoIP2-Country");
	ASSERT(pin.build_epoch > 1000000000);
	ASSERT_OK(c2c_geo_pin_json(c2c_geo_db_get(g, 0), &j));
	ASSERT_STR_EQ(json_string_value(json_object_get(j, "type")), "GeoIP2-Country");
	ASSERT_STR_EQ(json_string_value(json_object_get(j, "path")), "GeoIP2-Country-Test.mmdb");
	json_decref(j);
	ASSERT(strncmp(c2c_geo_pin_ref(&pin, ref, sizeof(ref)), "sha256:", 7) == 0);
	c2c_geo_free(g);
	/* The same pin opens; a changed digest or epoch does not. */
	ASSERT_OK(c2c_geo_new(&g));
	ASSERT_OK(c2c_geo_open_db(g, path, C2C_GEO_COUNTRY, &pin, &diag));
	pin.build_epoch++;
	ASSERT_ERR(c2c_geo_open_db(g, path, C2C_GEO_COUNTRY, &pin, &diag), C2C_EVERIFY);
	ASSERT(strstr(diag.msg, "does not match its pin") != NULL);
	pin.build_epoch--;
	pin.sha256[0] ^= 1;
	ASSERT_ERR(c2c_geo_open_db(g, path, C2C_GEO_COUNTRY, &pin, &diag), C2C_EVERIFY);
	ASSERT_EQ(c2c_geo_db_count(g), 1);
	c2c_geo_free(g);
}

static void
wrong_kind_of_database(void)
{
	char path[1024];
	struct c2c_geo *g;
	struct c2c_diag diag = { 0 };
	struct c2c_ip ip;
	json_t *rec;
	unsigned plen;
	if (mm("GeoIP2-Domain-Test.mmdb", path, sizeof(path)) == NULL)
		return;
	ASSERT_OK(c2c_geo_new(&g));
	ASSERT_ERR(c2c_geo_open_db(g, path, C2C_GEO_COUNTRY, NULL, &diag), C2C_EUNSUPPORTED);
	ASSERT(strstr(diag.msg, "has no country data") != NULL);
	ASSERT_EQ(c2c_geo_db_count(g), 0);
	/* Inspection mode accepts it and dumps records. */
	ASSERT_OK(c2c_geo_open_db(g, path, C2C_GEO_ANY, NULL, &diag));
	ip = ip_of("1.2.0.1");
	ASSERT_OK(c2c_geo_record_json(g, 0, &ip, &rec, &plen));
	ASSERT_STR_EQ(json_string_value(json_object_get(rec, "domain")), "maxmind.com");
	ASSERT_EQ(plen, 16);
	json_decref(rec);
	ip = ip_of("10.9.9.9");
	ASSERT_ERR(c2c_geo_record_json(g, 0, &ip, &rec, &plen), C2C_ENOTFOUND);
	c2c_geo_free(g);
}

static void
every_bad_database_is_an_error(void)
{
	static const char *const dirs[] = { "libmaxminddb", "maxminddb-golang",
		"maxminddb-python" };
	char root[1024];
	int n = 0;
	if (test_shared("maxmind-test-data/bad-data", root, sizeof(root)) == NULL)
		return;
	for (size_t d = 0; d < C2C_ARRAY_LEN(dirs); d++) {
		char dir[1100];
		DIR *dp;
		struct dirent *de;
		(void)snprintf(dir, sizeof(dir), "%s/%s", root, dirs[d]);
		dp = opendir(dir);
		ASSERT(dp != NULL);
		while ((de = readdir(dp)) != NULL) {
			char path[1400];
			struct c2c_geo *g;
			struct c2c_diag diag = { 0 };
			c2c_err rc;
			if (strstr(de->d_name, ".mmdb") == NULL)
				continue;
			(void)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			ASSERT_OK(c2c_geo_new(&g));
			rc = c2c_geo_open_db(g, path, C2C_GEO_COUNTRY | C2C_GEO_ASN, NULL, &diag);
			if (rc == C2C_ENOMEM && test_alloc_injected())
				test_oom_exit();
			/* Corrupt (EFORMAT), or structurally valid but useless for enrichment: a "Test"
			 * database with neither country nor ASN fields (EUNSUPPORTED). */
			if (rc != C2C_EFORMAT && rc != C2C_EUNSUPPORTED)
				TEST_FAIL_("%s: %s (%s)", path, c2c_errname(rc), diag.msg);
			ASSERT(diag.msg[0] != '\0');
			ASSERT_STR_EQ(diag.src, path);
			c2c_geo_free(g);
			n++;
		}
		closedir(dp);
	}
	ASSERT(n >= 20);
}

static void
not_an_mmdb(void)
{
	char path[1024];
	struct c2c_geo *g;
	struct c2c_diag diag = { 0 };
	FILE *fp;
	(void)snprintf(path, sizeof(path), "%s/junk.mmdb", test_tmpdir());
	fp = fopen(path, "wb");
	ASSERT(fp != NULL);
	fputs("this is not a database\n", fp);
	fclose(fp);
	ASSERT_OK(c2c_geo_new(&g));
	ASSERT_ERR(c2c_geo_open_db(g, path, C2C_GEO_COUNTRY, NULL, &diag), C2C_EFORMAT);
	ASSERT_ERR(c2c_geo_open_db(g, "/nonexistent/x.mmdb", C2C_GEO_COUNTRY, NULL, &diag),
	    C2C_EIO);
	ASSERT_ERR(c2c_geo_open_db(g, path, 0, NULL, &diag), C2C_EINVAL);
	ASSERT_ERR(c2c_geo_set_cache(g, 25), C2C_EINVAL);
	c2c_geo_free(g);
}

TEST_MAIN(country_db_answers, asn_and_country_from_two_dbs, pins_are_checked,
    wrong_kind_of_database, every_bad_database_is_an_error, not_an_mmdb)

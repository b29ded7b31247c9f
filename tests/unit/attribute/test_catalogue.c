/* Actor catalogue: loading, merging and alias resolution. C2C_TORTURE */
#include <jansson.h>

#include "c2chain/attribute.h"
#include "test.h"

static const char *
write_tmp(const char *name, const char *text)
{
	static char paths[8][512];
	static int next;
	char *p = paths[next++ % 8];
	FILE *f;
	(void)snprintf(p, 512, "%s/%s", test_tmpdir(), name);
	f = fopen(p, "wb");
	ASSERT(f != NULL);
	ASSERT(fputs(text, f) >= 0);
	ASSERT(fclose(f) == 0);
	return p;
}

static const char stix20[] =
    "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"spec_version\":\"2.0\",\"objects\":["
    "{\"type\":\"intrusion-set\",\"id\":\"intrusion-set--4283ae19-69c7-4347-a35e-b56f08eb660b\","
    "\"name\":\"ZIRCONIUM\",\"aliases\":[\"ZIRCONIUM\",\"APT31\",\"Violet Typhoon\"],"
    "\"external_references\":[{\"source_name\":\"mitre-attack\",\"external_id\":\"G0128\"}]},"
    "{\"type\":\"intrusion-set\",\"id\":\"intrusion-set--7113eaa5-ba79-4fb3-b68a-398ee9cd698e\","
    "\"name\":\"Leviathan\",\"aliases\":[\"Leviathan\",\"APT40\",\"MUDCARP\"],"
    "\"external_references\":[{\"source_name\":\"mitre-attack\",\"external_id\":\"G0065\"}]},"
    "{\"type\":\"intrusion-set\",\"id\":\"intrusion-set--00000000-0000-4000-8000-000000000001\","
    "\"name\":\"Old\",\"revoked\":true},"
    "{\"type\":\"malware\",\"id\":\"malware--1\",\"name\":\"x\"}]}";

static const char misp_ta[] =
    "{\"type\":\"threat-actor\",\"name\":\"Threat Actor\",\"uuid\":\"u\",\"version\":1,"
    "\"values\":["
    "{\"value\":\"APT31\",\"uuid\":\"6bf7e6b6-5917-45a6-9567-f0baba79768c\",\"meta\":{"
    "\"country\":\"CN\",\"synonyms\":[\"ZIRCONIUM\",\"JUDGMENT PANDA\",\"BRONZE VINEWOOD\","
    "\"Violet Typhoon\"]}},"
    "{\"value\":\"Volt Typhoon\",\"uuid\":\"f02679fa-5e85-4050-8eb5-c2677d93306f\",\"meta\":{"
    "\"synonyms\":[\"BRONZE SILHOUETTE\",\"VANGUARD PANDA\"]}},"
    "{\"value\":\"Mixed\",\"uuid\":\"0000aaaa-0000-4000-8000-000000000002\",\"meta\":{"
    "\"synonyms\":[\"Violet Typhoon\",\"APT40\"]}}]}";

static struct c2c_catalogue *
load2(const char *a, const char *b)
{
	struct c2c_catalogue_src src[2] = { { a, NULL }, { b, NULL } };
	struct c2c_catalogue *cat = NULL;
	struct c2c_diag d = { 0 };
	ASSERT_OK(c2c_catalogue_load(src, 2, &cat, &d));
	return cat;
}

static const struct c2c_actor *
one(const struct c2c_catalogue *cat, const char *label)
{
	size_t idx[4], n = 0;
	c2c_err rc = c2c_catalogue_resolve(cat, label, idx, 4, &n);
	if (rc != C2C_OK || n != 1)
		TEST_FAIL_("label '%s': rc %s, %zu matches", label, c2c_errname(rc), n);
	return c2c_catalogue_actor(cat, idx[0]);
}

static void
merges_and_resolves_aliases(void)
{
	const char *p1 = write_tmp("cat_stix20.json", stix20);
	const char *p2 = write_tmp("cat_misp.json", misp_ta);
	struct c2c_catalogue *cat = load2(p1, p2);
	const struct c2c_actor *a;
	static const char *const apt31[] = { "APT31", "apt-31", "Apt 31", "ZIRCONIUM",
		"zirconium", "JUDGMENT PANDA", "bronze vinewood", "G0128",
		"misp-galaxy:threat-actor=\"APT31\"",
		"misp-galaxy:mitre-intrusion-set=\"ZIRCONIUM - G0128\"", "apt_judgmentpanda" };
	size_t idx[4], n;

	/* ZIRCONIUM (ATT&CK), APT31 (MISP) merged; Leviathan; Volt Typhoon (MISP only);
	 * "Mixed" stays apart (its synonyms name two groups). Revoked object skipped. */
	ASSERT_EQ(c2c_catalogue_count(cat), 4);
	for (size_t i = 0; i < C2C_ARRAY_LEN(apt31); i++) {
		a = one(cat, apt31[i]);
		ASSERT_STR_EQ(a->key, "G0128");
	}
	a = one(cat, "G0128");
	ASSERT_STR_EQ(a->name, "ZIRCONIUM");
	ASSERT_STR_EQ(a->misp_value, "APT31");
	ASSERT_STR_EQ(a->country, "CN");
	ASSERT_EQ(a->sources, C2C_CAT_STIX | C2C_CAT_MISP_ACTOR);
	ASSERT_STR_EQ(one(cat, "leviathan")->key, "G0065");
	a = one(cat, "VANGUARD PANDA");
	ASSERT_STR_EQ(a->key, "misp:f02679fa-5e85-4050-8eb5-c2677d93306f");
	ASSERT_STR_EQ(a->name, "Volt Typhoon");
	/* "Mixed" names two groups as synonyms: those labels become ambiguous, and say so. */
	ASSERT_OK(c2c_catalogue_resolve(cat, "Violet Typhoon", idx, 4, &n));
	ASSERT_EQ(n, 2);
	ASSERT_OK(c2c_catalogue_resolve(cat, "APT40", idx, 4, &n));
	ASSERT_EQ(n, 2);
	ASSERT_ERR(c2c_catalogue_resolve(cat, "emotet", idx, 4, &n), C2C_ENOTFOUND);
	ASSERT_ERR(c2c_catalogue_resolve(cat, "---", idx, 4, &n), C2C_ENOTFOUND);
	c2c_catalogue_free(cat);
}

static void
order_of_files_does_not_matter(void)
{
	const char *p1 = write_tmp("cat_stix20b.json", stix20);
	const char *p2 = write_tmp("cat_mispb.json", misp_ta);
	struct c2c_catalogue *a = load2(p1, p2), *b = load2(p2, p1);
	ASSERT_EQ(c2c_catalogue_count(a), c2c_catalogue_count(b));
	for (size_t i = 0; i < c2c_catalogue_count(a); i++) {
		const struct c2c_actor *x = c2c_catalogue_actor(a, i), *y = c2c_catalogue_actor(b, i);
		ASSERT_STR_EQ(x->key, y->key);
		ASSERT_STR_EQ(x->name, y->name);
		ASSERT_EQ(x->n_aliases, y->n_aliases);
		for (size_t j = 0; j < x->n_aliases; j++)
			ASSERT_STR_EQ(x->aliases[j], y->aliases[j]);
	}
	c2c_catalogue_free(a);
	c2c_catalogue_free(b);
}

static void
pins_are_checked(void)
{
	const char *p = write_tmp("cat_pin.json", stix20);
	uint8_t sha[32];
	char hex[65];
	uint64_t size;
	struct c2c_catalogue *cat = NULL;
	struct c2c_diag d = { 0 };
	json_t *rd = NULL;
	struct c2c_catalogue_src bad = { p, "00000000000000000000000000000000"
					    "00000000000000000000000000000000" };
	ASSERT_OK(c2c_sha256_file(p, sha, &size, NULL));
	c2c_hex(sha, 32, hex);
	ASSERT_ERR(c2c_catalogue_load(&bad, 1, &cat, &d), C2C_EVERIFY);
	ASSERT(strstr(d.msg, "pinned") != NULL);
	{
		struct c2c_catalogue_src good = { p, hex };
		ASSERT_OK(c2c_catalogue_load(&good, 1, &cat, &d));
	}
	ASSERT_OK(c2c_catalogue_refdata(cat, &rd));
	ASSERT_EQ(json_array_size(rd), 1);
	ASSERT_STR_EQ(json_string_value(json_object_get(json_array_get(rd, 0), "sha256")), hex);
	ASSERT_STR_EQ(json_string_value(json_object_get(json_array_get(rd, 0), "format")),
	    "stix-2.0");
	ASSERT_EQ(json_integer_value(json_object_get(json_array_get(rd, 0), "objects")), 2);
	json_decref(rd);
	c2c_catalogue_free(cat);
}

static void
rejects_unknown_files(void)
{
	const char *p = write_tmp("cat_bad.json", "{\"type\":\"other\"}");
	const char *q = write_tmp("cat_bad2.json", "{\"type\":\"bundle\",");
	struct c2c_catalogue_src s1 = { p, NULL }, s2 = { q, NULL }, s3 = { "/nonexistent/x", NULL };
	struct c2c_catalogue *cat = NULL;
	struct c2c_diag d = { 0 };
	ASSERT_ERR(c2c_catalogue_load(&s1, 1, &cat, &d), C2C_EFORMAT);
	ASSERT_ERR(c2c_catalogue_load(&s2, 1, &cat, &d), C2C_EFORMAT);
	ASSERT_ERR(c2c_catalogue_load(&s3, 1, &cat, &d), C2C_EIO);
	ASSERT_ERR(c2c_catalogue_load(&s1, 0, &cat, &d), C2C_EINVAL);
}

/* The real ATT&CK and MISP files, when present. */
static void
real_catalogue(void)
{
	char b1[512], b2[512], b3[512], b4[512];
	const char *ent = test_shared(
	    "threat-intel/mitre-attack/enterprise-groups-campaigns-software.stix20.json", b1,
	    sizeof(b1));
	const char *ics = test_shared("threat-intel/mitre-attack/ics-attack.json", b2, sizeof(b2));
	const char *ta = test_shared("threat-intel/misp-galaxy/clusters/threat-actor.json", b3,
	    sizeof(b3));
	const char *mi = test_shared("threat-intel/misp-galaxy/clusters/mitre-intrusion-set.json",
	    b4, sizeof(b4));
	struct c2c_catalogue *cat = NULL;
	struct c2c_diag d = { 0 };
	if (ent == NULL || ics == NULL || ta == NULL || mi == NULL || test_alloc_injected() ||
	    getenv("C2C_TEST_FAIL_ALLOC") != NULL)
		return; /* the torture rerun skips the 10 MB files: thousands of allocations */
	{
		struct c2c_catalogue_src src[4] = { { ent, NULL }, { ics, NULL }, { ta, NULL },
			{ mi, NULL } };
		ASSERT_OK(c2c_catalogue_load(src, 4, &cat, &d));
	}
	{
		static const char *const apt31[] = { "APT31", "ZIRCONIUM", "JUDGMENT PANDA",
			"Violet Typhoon", "apt-31", "bronze vinewood", "zirconium" };
		static const char *const apt40[] = { "APT40", "Leviathan", "MUDCARP",
			"apt-c-40" /* not a known alias: must not resolve elsewhere */ };
		static const char *const apt27[] = { "APT27", "Emissary Panda", "TG-3390",
			"LuckyMouse", "Threat Group 3390", "bronze union", "iron tiger" };
		static const char *const volt[] = { "Volt Typhoon", "VANGUARD PANDA",
			"BRONZE SILHOUETTE", "voltzite" };
		for (size_t i = 0; i < C2C_ARRAY_LEN(apt31); i++)
			ASSERT_STR_EQ(one(cat, apt31[i])->key, "G0128");
		for (size_t i = 0; i < 3; i++)
			ASSERT_STR_EQ(one(cat, apt40[i])->key, "G0065");
		for (size_t i = 0; i < C2C_ARRAY_LEN(apt27); i++)
			ASSERT_STR_EQ(one(cat, apt27[i])->key, "G0027");
		for (size_t i = 0; i < C2C_ARRAY_LEN(volt); i++)
			ASSERT_STR_EQ(one(cat, volt[i])->key, "G1017");
		ASSERT_STR_EQ(one(cat, "G1017")->misp_value, "Volt Typhoon");
		ASSERT_STR_EQ(one(cat, "APT1")->key, "G0006");
		/* ICS-only group from the STIX 2.1 bundle merged with the enterprise G0035. */
		ASSERT_STR_EQ(one(cat, "Dragonfly")->key, "G0035");
	}
	c2c_catalogue_free(cat);
}

TEST_MAIN(merges_and_resolves_aliases, order_of_files_does_not_matter, pins_are_checked,
    rejects_unknown_files, real_catalogue)

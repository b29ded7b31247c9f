/* Attribution assessment: the §4.8 worked example and the rules of §4.5-§4.7. */
#include <jansson.h>

#include "c2chain/attribute.h"
#include "c2chain/json.h"
#include "test.h"

#define KSHA "4be0c0ffee4be0c0ffee4be0c0ffee4be0c0ffee4be0c0ffee4be0c0ffee0001"

static json_t *
J(const char *text)
{
	json_error_t err;
	json_t *v;
	/* Test inputs are parsed with the plain allocator: jansson's parser does not survive an
	 * injected allocation failure, and the inputs are not what the torture run tests. */
	json_set_alloc_funcs(malloc, free);
	v = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	json_set_alloc_funcs(c2c_malloc, c2c_free);
	if (v == NULL) {
		if (test_alloc_injected())
			test_oom_exit();
		TEST_FAIL_("bad test JSON at line %d: %s", err.line, err.text);
	}
	return v;
}

static const json_t *
by_key(const json_t *arr, const char *key, const char *val)
{
	size_t i;
	const json_t *o;
	json_array_foreach(arr, i, o) {
		const char *s = json_string_value(json_object_get(o, key));
		if (s != NULL && strcmp(s, val) == 0)
			return o;
	}
	TEST_FAIL_("no element with %s = %s", key, val);
}

static const json_t *
res(const json_t *a)
{
	return json_object_get(a, "result");
}

static long long
score(const json_t *a, const char *h)
{
	return json_integer_value(json_object_get(by_key(json_object_get(res(a), "scores"),
	    "hypothesis", h), "score_e3"));
}

static const char *
rating(const json_t *a, const char *item, const char *h)
{
	const json_t *it = by_key(json_object_get(res(a), "evidence"), "id", item);
	return json_string_value(json_object_get(json_object_get(it, "ratings"), h));
}

static char *
render(const json_t *a)
{
	struct c2c_buf b;
	c2c_buf_init(&b, 1 << 20);
	ASSERT_OK(c2c_wording_render(a, &b));
	ASSERT_NONNULL(c2c_buf_cstr(&b));
	if (getenv("C2C_TEST_DUMP") != NULL) /* for reading the rendered sections by eye */
		printf("----\n%s", (const char *)b.data);
	return (char *)c2c_buf_steal(&b, NULL);
}

/* ---- §4.8: K1, three addresses (two relays), one key link to X via vendor report R ---------- */

static const char k1_findings[] =
    "["
    "{\"id\":\"infrastructure:01\",\"type\":\"infrastructure\",\"rung\":\"L2\","
    " \"subject\":{\"ip\":\"198.51.100.7\"},"
    " \"result\":{\"role\":\"unknown\",\"fqdns\":[\"upd.example.net\"],\"cert_sha256\":\"" KSHA "\","
    "  \"controlled_hosts\":14,\"first_contact\":\"2024-03-01T00:00:00.000000Z\","
    "  \"last_contact\":\"2024-05-31T00:00:00.000000Z\",\"findings\":[\"beacon:a\"]}},"
    "{\"id\":\"infrastructure:02\",\"type\":\"infrastructure\",\"rung\":\"L2\","
    " \"subject\":{\"ip\":\"203.0.113.5\"},"
    " \"result\":{\"role\":\"compromised-relay\",\"role_basis\":\"residential ASN, SSH banner "
    "of a SOHO router\",\"asn\":64501,\"country\":\"DE\",\"geo\":{\"db\":\"GeoLite2-Country\","
    "\"build\":\"2024-05-28\",\"sha256\":\"9f2c\"},\"findings\":[\"beacon:b\"]}},"
    "{\"id\":\"infrastructure:03\",\"type\":\"infrastructure\",\"rung\":\"L2\","
    " \"subject\":{\"ip\":\"203.0.113.9\"},"
    " \"result\":{\"role\":\"compromised-relay\",\"role_basis\":\"residential ASN, SSH banner "
    "of a SOHO router\",\"asn\":64502,\"country\":\"FR\",\"geo\":{\"db\":\"GeoLite2-Country\","
    "\"build\":\"2024-05-28\",\"sha256\":\"9f2c\"},\"findings\":[\"beacon:c\"]}},"
    "{\"id\":\"beacon:a\",\"type\":\"beacon\",\"subject\":{\"host\":\"10.0.0.5\",\"peer\":"
    "\"198.51.100.7\"},\"result\":{\"period_us\":300000000}},"
    "{\"id\":\"beacon:b\",\"type\":\"beacon\",\"subject\":{\"host\":\"10.0.0.6\",\"peer\":"
    "\"203.0.113.5\"},\"result\":{\"period_us\":300000000}},"
    "{\"id\":\"beacon:c\",\"type\":\"beacon\",\"subject\":{\"host\":\"10.0.0.7\",\"peer\":"
    "\"203.0.113.9\"},\"result\":{\"period_us\":300000000}},"
    "{\"id\":\"tls-key-possession:k\",\"type\":\"tls-key-possession\",\"subject\":{\"peer\":"
    "\"198.51.100.7\"},\"result\":{\"cert_sha256\":\"" KSHA "\",\"verified\":true}},"
    "{\"id\":\"operator-hours:k1\",\"type\":\"operator-hours\",\"subject\":{\"cluster\":\"K1\"},"
    " \"result\":{\"utc_start_hour\":1,\"utc_end_hour\":9,\"days\":\"weekdays\"}},"
    "{\"id\":\"beacon:z\",\"type\":\"beacon\",\"subject\":{\"host\":\"10.0.0.9\",\"peer\":"
    "\"192.0.2.99\"},\"result\":{}}"
    "]";

static const char k1_cluster[] =
    "{\"id\":\"K1\",\"members\":[\"203.0.113.9\",\"198.51.100.7\",\"203.0.113.5\"],\"edges\":[]}";

static const char k1_external[] =
    "[{\"id\":\"R\",\"source\":\"R\",\"title\":\"vendor report R\",\"rating\":\"B2\","
    "\"sha256\":\"aa00\",\"assertions\":["
    "{\"kind\":\"certificate\",\"actor\":\"X\",\"cert_sha256\":\"" KSHA "\",\"name\":\"k\"},"
    "{\"kind\":\"operating-hours\",\"actor\":\"X\",\"utc_start_hour\":0,\"utc_end_hour\":10}]}]";

/* The example's hypothesis set is X, FF(X), TOOL, RELAY, UNK: the other standing alternatives
 * are removed by recorded judgements, as §4.2 requires. */
static const char k1_judgements[] =
    "[{\"kind\":\"remove-hypothesis\",\"hypothesis\":\"H-CRIM\",\"reason\":\"no monetisation "
    "traffic\",\"by\":\"analyst A\"},"
    "{\"kind\":\"remove-hypothesis\",\"hypothesis\":\"H-RENT\",\"reason\":\"not in the worked "
    "example\",\"by\":\"analyst A\"},"
    "{\"kind\":\"remove-hypothesis\",\"hypothesis\":\"H-ANON\",\"reason\":\"not in the worked "
    "example\",\"by\":\"analyst A\"},"
    "{\"kind\":\"remove-hypothesis\",\"hypothesis\":\"H-SINK\",\"reason\":\"not in the worked "
    "example\",\"by\":\"analyst A\"},"
    "{\"kind\":\"remove-hypothesis\",\"hypothesis\":\"H-LOCAL\",\"reason\":\"not in the worked "
    "example\",\"by\":\"analyst A\"}]";

static json_t *
assess_k1(void)
{
	json_t *cl = J(k1_cluster), *fi = J(k1_findings), *ex = J(k1_external), *ju = J(k1_judgements);
	struct c2c_assess_params p;
	json_t *a = NULL;
	struct c2c_diag d = { 0 };
	c2c_assess_params_init(&p);
	p.judgements = ju;
	p.question = "Who operates K1 (3 IPs, 1 domain), which controlled 14 hosts?";
	ASSERT_OK(c2c_assess_cluster(NULL, cl, fi, ex, &p, &a, &d));
	json_decref(cl);
	json_decref(fi);
	json_decref(ex);
	json_decref(ju);
	return a;
}

#define HX "H-X:name:x"
#define HFF "H-FF:name:x"

static void
worked_example_matrix(void)
{
	json_t *a = assess_k1();
	const json_t *r = res(a), *sens;
	static const char *const hyps[] = { HX, HFF, "H-TOOL", "H-RELAY", "H-UNK" };
	static const char *const want[4][5] = {
		{ "C", "C", "C", "C", "C" },   /* E1 beacons, public profile */
		{ "C", "C", "N", "CC", "C" },  /* E2 relays */
		{ "CC", "I", "I", "I", "I" },  /* E3 key possession of k, R ties k to X */
		{ "C", "C", "N", "N", "N" },   /* E4 operator hours */
	};
	static const int weights[4] = { 1414, 2000, 2000, 1000 };
	static const char *const groups[4] = { "g1", "g2", "g3", "g4" };

	ASSERT_STR_EQ(json_string_value(json_object_get(a, "type")), "assessment");
	ASSERT_STR_EQ(json_string_value(json_object_get(a, "rung")), "L4");
	ASSERT_EQ(json_array_size(json_object_get(r, "evidence")), 4);
	for (int i = 0; i < 4; i++) {
		char id[8];
		const json_t *it;
		(void)snprintf(id, sizeof(id), "E%d", i + 1);
		it = by_key(json_object_get(r, "evidence"), "id", id);
		ASSERT_EQ(json_integer_value(json_object_get(it, "weight_e3")), weights[i]);
		ASSERT_STR_EQ(json_string_value(json_object_get(it, "group")), groups[i]);
		for (int h = 0; h < 5; h++)
			ASSERT_STR_EQ(rating(a, id, hyps[h]), want[i][h]);
	}
	ASSERT_STR_EQ(json_string_value(json_object_get(by_key(json_object_get(r, "evidence"), "id",
	    "E3"), "spoofability")), "high");
	ASSERT_STR_EQ(json_string_value(json_object_get(by_key(json_object_get(r, "evidence"), "id",
	    "E2"), "spoofability")), "low");
	/* Scores: only E3 produces inconsistency. */
	ASSERT_EQ(score(a, HX), 0);
	ASSERT_EQ(score(a, HFF), -2000);
	ASSERT_EQ(score(a, "H-TOOL"), -2000);
	ASSERT_EQ(score(a, "H-RELAY"), -2000);
	ASSERT_EQ(score(a, "H-UNK"), -2000);
	ASSERT_EQ(json_array_size(json_object_get(r, "scores")), 5);
	ASSERT_STR_EQ(json_string_value(json_object_get(r, "leader")), HX);
	/* E1 is non-diagnostic. */
	ASSERT_EQ(json_array_size(json_object_get(r, "non_diagnostic")), 1);
	ASSERT_STR_EQ(json_string_value(json_array_get(json_object_get(r, "non_diagnostic"), 0)),
	    "E1");
	/* Leave-one-group-out: only without g3 does the leader change (a five-way tie). */
	sens = json_object_get(r, "sensitivity");
	ASSERT_EQ(json_array_size(sens), 4);
	for (int g = 0; g < 4; g++) {
		const json_t *s = by_key(sens, "without", groups[g]);
		ASSERT_EQ(json_is_true(json_object_get(s, "changed")), g == 2);
		ASSERT_EQ(json_array_size(json_object_get(s, "leaders")), g == 2 ? 5 : 1);
	}
	/* Confidence Low: a single hard-to-spoof group; likelihood "likely" (55-80 %). */
	ASSERT_STR_EQ(json_string_value(json_object_get(r, "confidence")), "Low");
	ASSERT_EQ(json_integer_value(json_object_get(r, "stix_confidence")), 15);
	ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(r, "likelihood"), "term")),
	    "likely");
	ASSERT_EQ(json_integer_value(json_array_get(json_object_get(json_object_get(r,
	    "likelihood"), "range"), 0)), 55);
	/* Conservative posterior under uniform priors: 10^-0.9 / (10^-0.9 + 3*10^-1.9 +
	 * 10^-1.6) = 0.6669 (integer evaluation at 1/1024-ban resolution). */
	{
		long long post = json_integer_value(json_object_get(json_object_get(r, "lr"),
		    "posterior_least_e6"));
		ASSERT(post >= 666000 && post <= 668000);
	}
	ASSERT_EQ(json_is_false(json_object_get(json_object_get(r, "confidence_rules"),
	    "a_two_hard_groups_of_different_classes")), 1);
	/* The relays' locations are not operator evidence. */
	ASSERT_EQ(json_array_size(json_object_get(r, "excluded_evidence")), 2);
	/* Unrelated beacon:z is not about K1. */
	ASSERT_EQ(json_array_size(json_object_get(by_key(json_object_get(r, "evidence"), "id",
	    "E1"), "sources")), 3);
	json_decref(a);
}

static void
worked_example_sentences(void)
{
	json_t *a = assess_k1();
	char *md = render(a);
	static const char *const want[] = {
		"We assess that the operator of K1 *likely* controls the private key of "
		"certificate k that [R] associates with X.\n\n",
		"We hold this with *low confidence*: it rests on a single independent evidence "
		"group (E3); two of the three K1 addresses are assessed as compromised relays, and "
		"their location says nothing about the operator.\n\n",
		"Alternatives not excluded: key leak or resale (H-TOOL variant), FF(X) with a stolen "
		"key.\n\n",
		"What would change this assessment:\n- a second infrastructure link of a different "
		"class (e.g. rotation cadence matching X's known servers)\n- evidence that key k is "
		"public\n\n",
		"203.0.113.5 is geolocated to DE by GeoLite2-Country and is assessed as a "
		"compromised relay (residential ASN, SSH banner of a SOHO router). This concerns the "
		"network location of 203.0.113.5 as recorded by GeoLite2-Country (build 2024-05-28, "
		"SHA-256 9f2c). Geolocation databases are unreliable for infrastructure addresses. "
		"This statement does not establish where, or by whom, the server is operated, and "
		"the location of a relay is not used as evidence about the operator.\n\n",
		"Two of the three K1 addresses are assessed as compromised relays.\n\n",
		/* no clustering edges are recorded for K1: the chain rule caps the L4 claim */
		"The L4 claim that K1 belongs to X is capped at low confidence: the cluster on which "
		"it rests holds only with low confidence.\n\n",
		"The coverage of these observations",
		"Hypothesis criminal operator (H-CRIM) was removed by a recorded judgement of "
		"analyst A: no monetisation traffic.\n\n",
	};
	for (size_t i = 0; i < C2C_ARRAY_LEN(want); i++)
		if (strstr(md, want[i]) == NULL)
			TEST_FAIL_("missing sentence:\n%s\n--- in ---\n%s", want[i], md);
	/* The likelihood sentence precedes the confidence sentence. */
	ASSERT(strstr(md, "*likely*") < strstr(md, "*low confidence*"));
	free(md);
	json_decref(a);
}

static void
deterministic_and_order_free(void)
{
	json_t *a = assess_k1(), *b = assess_k1();
	json_t *cl = J(k1_cluster), *fi = J(k1_findings), *ex = J(k1_external), *ju = J(k1_judgements);
	json_t *rev = json_array(), *c = NULL;
	struct c2c_assess_params p;
	struct c2c_buf x, y;
	ASSERT_NONNULL(rev);
	for (size_t i = json_array_size(fi); i-- > 0;)
		ASSERT_OK(c2c_json_append_new(rev, json_incref(json_array_get(fi, i))));
	c2c_assess_params_init(&p);
	p.judgements = ju;
	p.question = "Who operates K1 (3 IPs, 1 domain), which controlled 14 hosts?";
	ASSERT_OK(c2c_assess_cluster(NULL, cl, rev, ex, &p, &c, NULL));
	c2c_buf_init(&x, 1 << 22);
	c2c_buf_init(&y, 1 << 22);
	ASSERT_OK(c2c_json_canon(a, &x));
	ASSERT_OK(c2c_json_canon(b, &y));
	ASSERT_EQ(x.len, y.len);
	ASSERT_MEM_EQ(x.data, y.data, x.len);
	c2c_buf_reset(&y);
	ASSERT_OK(c2c_json_canon(c, &y));
	ASSERT_EQ(x.len, y.len);
	ASSERT_MEM_EQ(x.data, y.data, x.len);
	ASSERT(strncmp(json_string_value(json_object_get(a, "id")), "assessment:", 11) == 0);
	c2c_buf_fini(&x);
	c2c_buf_fini(&y);
	json_decref(a);
	json_decref(b);
	json_decref(c);
	json_decref(cl);
	json_decref(fi);
	json_decref(ex);
	json_decref(ju);
	json_decref(rev);
}

static void
bad_input_is_rejected(void)
{
	json_t *fi = J("[]"), *cl = J("{\"id\":\"K\",\"members\":[]}"), *a = NULL;
	json_t *cl2 = J("{\"id\":\"K\",\"members\":[\"192.0.2.1\"]}");
	json_t *ju = J("[{\"kind\":\"remove-hypothesis\",\"hypothesis\":\"H-NOPE\",\"reason\":\"x\"}]");
	json_t *ex = J("[{\"id\":\"R\",\"source\":\"R\",\"rating\":\"Z9\"}]");
	json_t *pr = J("[{\"hypothesis\":\"H-UNK\",\"min_e6\":0,\"max_e6\":10}]");
	struct c2c_assess_params p;
	struct c2c_diag d = { 0 };
	c2c_assess_params_init(&p);
	ASSERT_ERR(c2c_assess_cluster(NULL, cl, fi, NULL, &p, &a, &d), C2C_EINVAL);
	p.judgements = ju;
	ASSERT_ERR(c2c_assess_cluster(NULL, cl2, fi, NULL, &p, &a, &d), C2C_EINVAL);
	p.judgements = NULL;
	ASSERT_ERR(c2c_assess_cluster(NULL, cl2, fi, ex, &p, &a, &d), C2C_EINVAL);
	p.priors = pr;
	ASSERT_ERR(c2c_assess_cluster(NULL, cl2, fi, NULL, &p, &a, &d), C2C_EINVAL);
	p.priors = NULL;
	/* An empty case: nothing to go on, Insufficient, and the report says so. */
	ASSERT_OK(c2c_assess_cluster(NULL, cl2, fi, NULL, &p, &a, &d));
	ASSERT_STR_EQ(json_string_value(json_object_get(res(a), "confidence")), "Insufficient");
	ASSERT(json_is_null(json_object_get(res(a), "likelihood")));
	{
		char *md = render(a);
		ASSERT(strstr(md, "does not support attributing K to any named actor") != NULL);
		ASSERT(strstr(md, "What would change this assessment:") != NULL);
		free(md);
	}
	json_decref(a);
	json_decref(fi);
	json_decref(cl);
	json_decref(cl2);
	json_decref(ju);
	json_decref(ex);
	json_decref(pr);
}


/* ---- scenario helpers ---------------------------------------------------------------------- */

static struct c2c_catalogue *
small_catalogue(void)
{
	static const char stix[] =
	    "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"spec_version\":\"2.0\",\"objects\":["
	    "{\"type\":\"intrusion-set\",\"id\":\"intrusion-set--4283ae19-69c7-4347-a35e-b56f08eb660b\","
	    "\"name\":\"ZIRCONIUM\",\"aliases\":[\"ZIRCONIUM\",\"APT31\",\"Violet Typhoon\"],"
	    "\"external_references\":[{\"source_name\":\"mitre-attack\",\"external_id\":\"G0128\"}]}]}";
	static const char misp[] =
	    "{\"type\":\"threat-actor\",\"name\":\"Threat Actor\",\"uuid\":\"u\",\"values\":["
	    "{\"value\":\"APT31\",\"uuid\":\"6bf7e6b6-5917-45a6-9567-f0baba79768c\",\"meta\":{"
	    "\"country\":\"CN\",\"cfr-suspected-state-sponsor\":\"China\","
	    "\"synonyms\":[\"ZIRCONIUM\",\"JUDGMENT PANDA\"]}}]}";
	char p1[512], p2[512];
	FILE *f;
	struct c2c_catalogue *cat = NULL;
	(void)snprintf(p1, sizeof(p1), "%s/as_stix.json", test_tmpdir());
	(void)snprintf(p2, sizeof(p2), "%s/as_misp.json", test_tmpdir());
	ASSERT((f = fopen(p1, "wb")) != NULL);
	ASSERT(fputs(stix, f) >= 0 && fclose(f) == 0);
	ASSERT((f = fopen(p2, "wb")) != NULL);
	ASSERT(fputs(misp, f) >= 0 && fclose(f) == 0);
	{
		struct c2c_catalogue_src src[2] = { { p1, NULL }, { p2, NULL } };
		ASSERT_OK(c2c_catalogue_load(src, 2, &cat, NULL));
	}
	return cat;
}

/* n members 192.0.2.(10+i) with `role` and country CN, each with an intel hit labelled APT31
 * from feed number (i % feeds). */
static json_t *
scenario_findings(int n, const char *role, int feeds)
{
	json_t *a = json_array();
	ASSERT_NONNULL(a);
	for (int i = 0; i < n; i++) {
		char ip[32], buf[1024], fsha[80];
		(void)snprintf(ip, sizeof(ip), "192.0.2.%d", 10 + i);
		(void)snprintf(fsha, sizeof(fsha), "feed%02d", feeds ? i % feeds : 0);
		(void)snprintf(buf, sizeof(buf),
		    "{\"id\":\"infrastructure:%d\",\"type\":\"infrastructure\",\"subject\":{\"ip\":"
		    "\"%s\"},\"result\":{\"role\":\"%s\",\"role_basis\":\"residential ASN (AS64%03d), "
		    "router banner\",\"country\":\"CN\",\"controlled_hosts\":2,\"findings\":[]},"
		    "\"evidence\":{\"refdata\":[\"sha256:mmdb\"]}}", i, ip, role, i);
		ASSERT_OK(c2c_json_append_new(a, J(buf)));
		if (feeds == 0)
			continue;
		(void)snprintf(buf, sizeof(buf),
		    "{\"id\":\"intel-hit:%d\",\"type\":\"intel-hit\",\"subject\":{\"host\":\"10.0.0.%d\","
		    "\"peer\":\"%s\"},\"result\":{\"labels\":[{\"label\":\"apt-31\",\"feed\":"
		    "\"maltrail apt_judgmentpanda.txt\",\"feed_sha256\":\"%s\"}]}}", i, i + 1, ip, fsha);
		ASSERT_OK(c2c_json_append_new(a, J(buf)));
	}
	return a;
}

static json_t *
scenario_cluster(const char *id, int n)
{
	json_t *c = J("{\"members\":[]}");
	ASSERT_OK(c2c_json_set_str(c, "id", id));
	for (int i = 0; i < n; i++) {
		char ip[32];
		(void)snprintf(ip, sizeof(ip), "192.0.2.%d", 10 + i);
		ASSERT_OK(c2c_json_append_new(json_object_get(c, "members"), json_string(ip)));
	}
	return c;
}

static int
level_rank(const json_t *a)
{
	const char *c = json_string_value(json_object_get(res(a), "confidence"));
	static const char *const n[] = { "Insufficient", "Low", "Moderate", "High" };
	for (int i = 0; i < 4; i++)
		if (strcmp(c, n[i]) == 0)
			return i;
	TEST_FAIL_("bad confidence %s", c);
}

/* Geolocation and feed overlap alone: never above Low, whatever their number, and even when an
 * analyst rates them as strongly as possible and removes the false-flag hypothesis. */
static void
geolocation_and_feeds_never_above_low(void)
{
	struct c2c_catalogue *cat = small_catalogue();
	for (int feeds = 1; feeds <= 5; feeds++) {
		json_t *fi = scenario_findings(5, "unknown", feeds), *cl = scenario_cluster("K2", 5);
		json_t *a = NULL;
		struct c2c_assess_params p;
		c2c_assess_params_init(&p);
		ASSERT_OK(c2c_assess_cluster(cat, cl, fi, NULL, &p, &a, NULL));
		ASSERT(level_rank(a) <= 1);
		/* Every item is the candidate's feed overlap or geolocation; none is hard to plant. */
		{
			size_t i;
			const json_t *it;
			json_array_foreach(json_object_get(res(a), "evidence"), i, it) {
				const char *sp = json_string_value(json_object_get(it, "spoofability"));
				ASSERT(strcmp(sp, "trivial") == 0 || strcmp(sp, "low") == 0);
			}
			ASSERT_EQ(json_array_size(json_object_get(res(a), "evidence")),
			    (size_t)feeds + 1);
		}
		ASSERT_STR_EQ(rating(a, "E1", "H-X:G0128"), rating(a, "E1", "H-FF:G0128"));
		ASSERT_EQ(score(a, "H-X:G0128"), score(a, "H-FF:G0128"));
		json_decref(a);
		json_decref(fi);
		json_decref(cl);
	}
	{
		/* The strongest reading an analyst could give: plantable items rated against every
		 * alternative, and the false flag removed by judgement. Still Low. */
		json_t *fi = scenario_findings(5, "unknown", 3), *cl = scenario_cluster("K2", 5);
		json_t *ju = J("[{\"kind\":\"remove-hypothesis\",\"hypothesis\":\"H-FF:G0128\","
			       "\"reason\":\"analyst considers a false flag implausible\"},"
			       "{\"kind\":\"evidence\",\"id\":\"J1\",\"class\":\"infrastructure\","
			       "\"spoofability\":\"low\",\"relevance\":\"H\",\"reliability\":\"B2\","
			       "\"candidate\":\"APT31\",\"statement\":\"the overlapping addresses are "
			       "APT31's known servers\",\"ratings\":{\"candidate\":\"CC\",\"H-UNK\":"
			       "\"II\",\"H-CRIM\":\"II\",\"H-TOOL\":\"II\",\"H-RENT\":\"II\","
			       "\"H-RELAY\":\"II\",\"H-ANON\":\"II\",\"H-SINK\":\"II\",\"H-LOCAL\":"
			       "\"II\"}},"
			       "{\"kind\":\"evidence\",\"id\":\"J2\",\"class\":\"language\","
			       "\"spoofability\":\"trivial\",\"relevance\":\"H\",\"reliability\":\"B2\","
			       "\"candidate\":\"APT31\",\"statement\":\"Chinese strings\",\"ratings\":{"
			       "\"candidate\":\"CC\",\"H-UNK\":\"II\",\"H-CRIM\":\"II\",\"H-TOOL\":\"II\","
			       "\"H-RENT\":\"II\",\"H-RELAY\":\"II\",\"H-ANON\":\"II\",\"H-SINK\":\"II\","
			       "\"H-LOCAL\":\"II\"}}]");
		json_t *a = NULL;
		struct c2c_assess_params p;
		c2c_assess_params_init(&p);
		p.judgements = ju;
		ASSERT_OK(c2c_assess_cluster(cat, cl, fi, NULL, &p, &a, NULL));
		ASSERT_STR_EQ(json_string_value(json_object_get(res(a), "leader")), "H-X:G0128");
		ASSERT_STR_EQ(json_string_value(json_object_get(res(a), "confidence")), "Low");
		ASSERT(json_is_true(json_object_get(json_object_get(res(a), "confidence_rules"),
		    "spoofable_only")));
		{
			char *md = render(a);
			ASSERT(strstr(md, "*low confidence*: it rests on 2 independent") == NULL);
			ASSERT(strstr(md, "its support consists only of evidence that is cheap to plant")
			    != NULL);
			ASSERT(strstr(md, "geolocated to CN") != NULL);
			ASSERT(strstr(md, "does not establish where, or by whom, the server is operated")
			    != NULL);
			ASSERT(strstr(md, "The MISP galaxy threat-actor catalogue (rated C3) states "
					  "that ZIRCONIUM is suspected to be sponsored by China. This "
					  "engine did not and cannot verify this") != NULL);
			free(md);
		}
		json_decref(a);
		json_decref(fi);
		json_decref(cl);
		json_decref(ju);
	}
	c2c_catalogue_free(cat);
}

/* Planted (trivially spoofable) evidence pointing at a group: the false flag stays open. */
static void
planted_evidence_keeps_false_flag(void)
{
	struct c2c_catalogue *cat = small_catalogue();
	json_t *fi = scenario_findings(3, "owned", 1), *cl = scenario_cluster("K3", 3);
	json_t *ju = J("[{\"kind\":\"evidence\",\"id\":\"J1\",\"class\":\"language\","
		       "\"spoofability\":\"trivial\",\"relevance\":\"H\",\"reliability\":\"A1\","
		       "\"candidate\":\"APT31\",\"statement\":\"C2 banner in Chinese, compile times in "
		       "UTC+8\",\"ratings\":{\"candidate\":\"CC\",\"false-flag\":\"II\",\"H-UNK\":"
		       "\"II\",\"H-CRIM\":\"II\",\"H-TOOL\":\"II\"}}]");
	json_t *a = NULL;
	struct c2c_assess_params p;
	const json_t *ff;
	ASSERT_OK(c2c_json_append_new(fi, J("{\"id\":\"artefact:1\",\"type\":\"artefact\","
					    "\"subject\":{\"peer\":\"192.0.2.10\"},\"result\":{"
					    "\"class\":\"language\",\"label\":\"Violet Typhoon\","
					    "\"statement\":\"simplified Chinese HTTP error page\"}}")));
	c2c_assess_params_init(&p);
	p.judgements = ju;
	ASSERT_OK(c2c_assess_cluster(cat, cl, fi, NULL, &p, &a, NULL));
	/* The planted item claimed II for the false flag; the engine rates it like X. */
	{
		size_t i;
		const json_t *it;
		int seen = 0;
		json_array_foreach(json_object_get(res(a), "evidence"), i, it) {
			const json_t *r = json_object_get(it, "ratings");
			ASSERT_STR_EQ(json_string_value(json_object_get(r, "H-X:G0128")),
			    json_string_value(json_object_get(r, "H-FF:G0128")));
			seen++;
		}
		ASSERT(seen >= 4); /* role, feed, artefact, geolocation, judgement */
	}
	ff = by_key(json_object_get(res(a), "scores"), "hypothesis", "H-FF:G0128");
	ASSERT(json_is_false(json_object_get(ff, "rejected")));
	ASSERT_EQ(score(a, "H-FF:G0128"), score(a, "H-X:G0128"));
	ASSERT(level_rank(a) <= 1);
	{
		char *md = render(a);
		ASSERT(strstr(md, "FF(ZIRCONIUM)") != NULL);
		ASSERT(strstr(md, "We assess that") == NULL); /* no judgement sentence */
		free(md);
	}
	json_decref(a);
	json_decref(fi);
	json_decref(cl);
	json_decref(ju);
	c2c_catalogue_free(cat);
}

/* A cluster of compromised relays on residential ASNs: relay infrastructure, and its location is
 * not used as operator evidence. */
static void
relay_cluster(void)
{
	struct c2c_catalogue *cat = small_catalogue();
	json_t *fi = scenario_findings(3, "compromised-relay", 1), *cl = scenario_cluster("K4", 3);
	json_t *a = NULL;
	struct c2c_assess_params p;
	const json_t *r, *sc;
	size_t i;
	const json_t *it;
	long long relay_lr, best_other = -1000000;
	c2c_assess_params_init(&p);
	ASSERT_OK(c2c_assess_cluster(cat, cl, fi, NULL, &p, &a, NULL));
	r = res(a);
	ASSERT_EQ(json_array_size(json_object_get(r, "excluded_evidence")), 3);
	json_array_foreach(json_object_get(r, "excluded_evidence"), i, it)
		ASSERT_STR_EQ(json_string_value(json_object_get(it, "class")), "geolocation");
	json_array_foreach(json_object_get(r, "evidence"), i, it)
		ASSERT(strncmp(json_string_value(json_object_get(it, "group_key")), "refdata:geo", 11));
	json_array_foreach(json_object_get(r, "roles"), i, it) {
		ASSERT_STR_EQ(json_string_value(json_object_get(it, "role")), "compromised-relay");
		ASSERT(json_is_false(json_object_get(it, "location_used")));
	}
	/* The role row: relay CC; rented hosting, sinkhole and local contradicted. */
	ASSERT_STR_EQ(rating(a, "E1", "H-RELAY"), "CC");
	ASSERT_STR_EQ(rating(a, "E1", "H-RENT"), "I");
	ASSERT(level_rank(a) <= 1);
	/* The likelihood pass favours relay infrastructure over every other explanation. */
	sc = json_object_get(r, "scores");
	relay_lr = json_integer_value(json_object_get(by_key(sc, "hypothesis", "H-RELAY"),
	    "lr_total_mb"));
	json_array_foreach(sc, i, it) {
		long long v = json_integer_value(json_object_get(it, "lr_total_mb"));
		if (strcmp(json_string_value(json_object_get(it, "hypothesis")), "H-RELAY") != 0 &&
		    v > best_other)
			best_other = v;
	}
	ASSERT(relay_lr > best_other);
	{
		char *md = render(a);
		ASSERT(strstr(md, "Three of the three K4 addresses are assessed as compromised "
				  "relays.") != NULL);
		ASSERT(strstr(md, "192.0.2.11 is geolocated to CN by the pinned geolocation database "
				  "and is assessed as a compromised relay") != NULL);
		ASSERT(strstr(md, "the location of a relay is not used as evidence about the "
				  "operator") != NULL);
		ASSERT(strstr(md, "upstream flow data for the relays") != NULL);
		ASSERT(strstr(md, "does not support attributing K4 to any named actor") != NULL);
		free(md);
	}
	json_decref(a);
	json_decref(fi);
	json_decref(cl);
	c2c_catalogue_free(cat);
}

/* apt1.json (STIX 2.1 example) as external intelligence: an L4 claim capped at Moderate. */
static void
apt1_external_capped(void)
{
	char b[512];
	const char *path = test_shared(
	    "threat-intel/stix2-examples/cti-documentation/examples/example_json/apt1.json", b,
	    sizeof(b));
	char *text;
	json_t *bundle, *ext, *fi, *cl, *a = NULL, *ju;
	struct c2c_assess_params p;
	const json_t *claim;
	if (path == NULL)
		return;
	text = test_read_file(path, NULL);
	ASSERT(text != NULL);
	bundle = J(text);
	free(text);
	ext = J("[{\"id\":\"apt1\",\"source\":\"Mandiant APT1 report (STIX 2.1 example)\","
		"\"rating\":\"B2\",\"sha256\":\"2f22536e419a06c44198b5b4854e33124e76b604929a3da8bd013e0"
		"ab8676c30\"}]");
	ASSERT_OK(c2c_json_set_new(json_array_get(ext, 0), "bundle", bundle));
	fi = J("[{\"id\":\"infrastructure:a\",\"type\":\"infrastructure\",\"subject\":{\"ip\":"
	       "\"58.247.10.20\"},\"result\":{\"role\":\"owned\",\"fqdns\":[\"hugesoft.org\"]}},"
	       "{\"id\":\"infrastructure:b\",\"type\":\"infrastructure\",\"subject\":{\"ip\":"
	       "\"112.65.1.1\"},\"result\":{\"role\":\"owned\"}},"
	       "{\"id\":\"beacon:a\",\"type\":\"beacon\",\"subject\":{\"peer\":\"58.247.10.20\"}},"
	       "{\"id\":\"cluster-edge:1\",\"type\":\"cluster-edge\",\"result\":{\"kind\":"
	       "\"tls-key\",\"spoofability\":\"high\"}},"
	       "{\"id\":\"cluster-edge:2\",\"type\":\"cluster-edge\",\"result\":{\"kind\":"
	       "\"rotation-cadence\",\"spoofability\":\"high\"}}]");
	cl = J("{\"id\":\"K5\",\"members\":[\"58.247.10.20\",\"112.65.1.1\"],\"edges\":["
	       "\"cluster-edge:1\",\"cluster-edge:2\"]}");
	c2c_assess_params_init(&p);
	ASSERT_OK(c2c_assess_cluster(NULL, cl, fi, ext, &p, &a, NULL));
	/* The overlap: 58.247.10.20 in 58.246.0.0/15, 112.65.1.1 in 112.64.0.0/15, hugesoft.org;
	 * one vote for the one document. */
	{
		const json_t *it = by_key(json_object_get(res(a), "evidence"), "group_key", "ext:apt1");
		ASSERT_STR_EQ(json_string_value(json_object_get(it, "derivation")), "external");
		ASSERT(strstr(json_string_value(json_object_get(it, "summary")), "cidr 58.246.0.0/15"));
		ASSERT(strstr(json_string_value(json_object_get(it, "summary")), "domain hugesoft.org"));
	}
	claim = by_key(json_object_get(res(a), "claims"), "hypothesis", "H-X:name:apt1");
	ASSERT_STR_EQ(json_string_value(json_object_get(claim, "rung")), "L4");
	ASSERT_STR_EQ(json_string_value(json_object_get(claim, "ceiling")), "Moderate");
	ASSERT_STR_EQ(json_string_value(json_object_get(claim, "verdict_class")), "V-EXT");
	ASSERT(level_rank(a) <= 2);
	{
		char *md = render(a);
		ASSERT(strstr(md, "The L4 claim that K5 belongs to APT1 is capped at moderate "
				  "confidence: a link from a cluster to a named intrusion set that "
				  "rests on external intelligence is held at most with moderate "
				  "confidence.") != NULL);
		ASSERT(strstr(md, "Mandiant APT1 report (STIX 2.1 example) (rated B2) states that "
				  "APT1 is attributed to Unit 61398. This engine did not and cannot "
				  "verify this from network telemetry.") != NULL);
		free(md);
	}
	json_decref(a);
	/* With two independent hard-to-plant groups the rules alone would give High; the L4
	 * ceiling holds the claim at Moderate. */
	ju = J("[{\"kind\":\"evidence\",\"id\":\"J1\",\"class\":\"capability\",\"spoofability\":"
	       "\"high\",\"relevance\":\"H\",\"reliability\":\"B2\",\"candidate\":\"APT1\","
	       "\"statement\":\"server image carries a WEBC2 build only APT1 is reported to use\","
	       "\"ratings\":{\"candidate\":\"CC\",\"false-flag\":\"I\",\"H-UNK\":\"I\",\"H-CRIM\":"
	       "\"I\",\"H-TOOL\":\"I\",\"H-RENT\":\"I\",\"H-RELAY\":\"I\",\"H-ANON\":\"I\","
	       "\"H-SINK\":\"I\",\"H-LOCAL\":\"I\"}},"
	       "{\"kind\":\"evidence\",\"id\":\"J2\",\"class\":\"behaviour\",\"spoofability\":"
	       "\"high\",\"relevance\":\"H\",\"reliability\":\"B2\",\"candidate\":\"APT1\","
	       "\"statement\":\"operator session from a non-relay origin in APT1's reported range\","
	       "\"ratings\":{\"candidate\":\"CC\",\"false-flag\":\"I\",\"H-UNK\":\"I\",\"H-CRIM\":"
	       "\"I\",\"H-TOOL\":\"I\",\"H-RENT\":\"I\",\"H-RELAY\":\"I\",\"H-ANON\":\"I\","
	       "\"H-SINK\":\"I\",\"H-LOCAL\":\"I\"}}]");
	p.judgements = ju;
	ASSERT_OK(c2c_assess_cluster(NULL, cl, fi, ext, &p, &a, NULL));
	ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(res(a), "confidence_rules"),
	    "level")), "High");
	ASSERT_STR_EQ(json_string_value(json_object_get(res(a), "confidence")), "Moderate");
	ASSERT_EQ(json_integer_value(json_object_get(res(a), "stix_confidence")), 50);
	claim = by_key(json_object_get(res(a), "claims"), "hypothesis", "H-X:name:apt1");
	ASSERT_STR_EQ(json_string_value(json_object_get(claim, "confidence")), "Moderate");
	{
		char *md = render(a);
		ASSERT(strstr(md, "We assess that cluster K5 is *") != NULL);
		ASSERT(strstr(md, "the link to APT1 rests on external intelligence, which caps this "
				  "claim at moderate confidence") != NULL);
		free(md);
	}
	json_decref(a);
	json_decref(ju);
	json_decref(ext);
	json_decref(fi);
	json_decref(cl);
}

TEST_MAIN(worked_example_matrix, worked_example_sentences, deterministic_and_order_free,
    bad_input_is_rejected, geolocation_and_feeds_never_above_low, planted_evidence_keeps_false_flag,
    relay_cluster, apt1_external_capped)

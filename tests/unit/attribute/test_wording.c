/* Wording: the closed template set; likelihood and confidence never share a sentence. C2C_TORTURE */
#include <jansson.h>

#include "c2chain/attribute.h"
#include "test.h"

static json_t *
J(const char *text)
{
	json_t *v;
	/* parsed with the plain allocator: see test_assess.c */
	json_set_alloc_funcs(malloc, free);
	v = json_loads(text, 0, NULL);
	json_set_alloc_funcs(c2c_malloc, c2c_free);
	if (v == NULL) {
		if (test_alloc_injected())
			test_oom_exit();
		TEST_FAIL_("bad JSON: %s", text);
	}
	return v;
}

static char *
one(const char *st_text, c2c_err want)
{
	json_t *st = J(st_text);
	struct c2c_buf b;
	char *s = NULL;
	c2c_buf_init(&b, 1 << 16);
	ASSERT_ERR(c2c_wording_sentence(st, &b), want);
	if (want == C2C_OK) {
		ASSERT_NONNULL(c2c_buf_cstr(&b));
		s = (char *)c2c_buf_steal(&b, NULL);
	}
	c2c_buf_fini(&b);
	json_decref(st);
	return s;
}

static void
renders_templates(void)
{
	char *s = one("{\"template\":\"T-CONFIDENCE\",\"params\":{\"level\":\"low\",\"reasons\":["
		      "{\"template\":\"C-SINGLE-GROUP\",\"params\":{\"items\":[\"E3\"]}},"
		      "{\"template\":\"C-RELAYS\",\"params\":{\"count\":2,\"total\":3,\"cluster\":"
		      "\"K1\"}}]}}", C2C_OK);
	ASSERT_STR_EQ(s, "We hold this with *low confidence*: it rests on a single independent "
			 "evidence group (E3); two of the three K1 addresses are assessed as "
			 "compromised relays, and their location says nothing about the operator.");
	c2c_free(s);
	s = one("{\"template\":\"T-ROLE\",\"params\":{\"count\":21,\"total\":40,\"cluster\":\"K\","
		"\"role\":\"sinkholes\"}}", C2C_OK);
	ASSERT_STR_EQ(s, "21 of the 40 K addresses are assessed as sinkholes.");
	c2c_free(s);
	s = one("{\"template\":\"T-CHANGE\",\"params\":{\"items\":[{\"template\":\"W-UPSTREAM\"},"
		"{\"template\":\"W-KEY-PUBLIC\",\"params\":{\"cert\":\"k\"}}]}}", C2C_OK);
	ASSERT_STR_EQ(s, "What would change this assessment:\n- upstream flow data for the relays, "
			 "which would show where their traffic comes from\n- evidence that key k is "
			 "public");
	c2c_free(s);
}

static void
rejects_what_is_not_in_the_set(void)
{
	/* unknown template, missing parameter, surplus parameter, wrong types, nesting */
	(void)one("{\"template\":\"T-FREE-TEXT\",\"params\":{}}", C2C_EFORMAT);
	(void)one("{\"template\":\"T-LIKELIHOOD-ACTOR\",\"params\":{\"cluster\":\"K\",\"term\":"
		  "\"likely\"}}", C2C_EFORMAT);
	(void)one("{\"template\":\"T-LIKELIHOOD-ACTOR\",\"params\":{\"cluster\":\"K\",\"term\":"
		  "\"likely\",\"actor\":\"X\",\"extra\":\"with high confidence\"}}", C2C_EFORMAT);
	(void)one("{\"template\":\"T-ROLE\",\"params\":{\"count\":\"two\",\"total\":3,\"cluster\":"
		  "\"K\",\"role\":\"x\"}}", C2C_EFORMAT);
	(void)one("{\"template\":\"T-CONFIDENCE\",\"params\":{\"level\":\"low\",\"reasons\":[]}}",
	    C2C_EFORMAT);
	(void)one("{\"template\":\"T-CONFIDENCE\",\"params\":{\"level\":\"low\",\"reasons\":["
		  "\"free text\"]}}", C2C_EFORMAT);
	(void)one("{\"params\":{}}", C2C_EFORMAT);
}

static bool
has_term(const char *s)
{
	static const char *const terms[] = { "*almost no chance*", "*very unlikely*", "*unlikely*",
		"*roughly even chance*", "*likely*", "*very likely*", "*almost certain*" };
	for (size_t i = 0; i < C2C_ARRAY_LEN(terms); i++)
		if (strstr(s, terms[i]) != NULL)
			return true;
	return false;
}

/* No template mixes a likelihood placeholder with a confidence word; the set is closed. */
static void
likelihood_and_confidence_apart(void)
{
	size_t n = c2c_wording_count();
	ASSERT(n >= 30);
	for (size_t i = 0; i < n; i++) {
		const char *id = c2c_wording_id(i), *t = c2c_wording_template(id);
		ASSERT(t != NULL);
		if (strstr(t, "{term}") != NULL) {
			ASSERT(strncmp(id, "T-LIKELIHOOD-", 13) == 0);
			ASSERT(strstr(t, "confidence") == NULL);
		}
		if (strstr(t, "confidence") != NULL)
			ASSERT(strstr(t, "{term}") == NULL && !has_term(t));
		/* Every location template carries the caveat. */
		if (strstr(t, "geolocated") != NULL)
			ASSERT(strstr(t, "does not establish where, or by whom, the server is "
					 "operated") != NULL);
	}
	ASSERT(c2c_wording_template("T-NOPE") == NULL);
	ASSERT(c2c_wording_id(n) == NULL);
}

static void
render_whole_assessment(void)
{
	json_t *a = J("{\"result\":{\"statements\":[{\"template\":\"T-QUESTION\",\"params\":{"
		      "\"question\":\"Who?\"}},{\"template\":\"T-COVERAGE-UNKNOWN\"}]}}");
	struct c2c_buf b;
	c2c_buf_init(&b, 1 << 16);
	ASSERT_OK(c2c_wording_render(a, &b));
	ASSERT_NONNULL(c2c_buf_cstr(&b));
	ASSERT(strncmp((const char *)b.data, "Question: Who?\n\nThe coverage", 28) == 0);
	c2c_buf_fini(&b);
	json_decref(a);
	a = J("{\"result\":{}}");
	c2c_buf_init(&b, 1 << 16);
	ASSERT_ERR(c2c_wording_render(a, &b), C2C_EFORMAT);
	c2c_buf_fini(&b);
	json_decref(a);
}

TEST_MAIN(renders_templates, rejects_what_is_not_in_the_set, likelihood_and_confidence_apart,
    render_whole_assessment)

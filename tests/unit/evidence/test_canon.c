/*
 * Canonical JSON (lib/core/json.c) against RFC 8785 and the cyberphone json-canonicalization
 * test data (testdata/input, testdata/output): the vectors inside our profile must give the
 * published bytes; the ones outside it (floating point, non-ASCII keys) must be rejected.
 * Not run under the allocation-failure torture: jansson 2.14 aborts (assert in lex_scan_string)
 * when an allocation fails in the middle of a string with escapes, which these vectors have.
 */
#include "c2chain/json.h"
#include "test.h"

static void
canon_eq(const char *in, const char *want)
{
	struct c2c_diag d;
	json_t *v = NULL;
	struct c2c_buf b;
	ASSERT_OK(c2c_json_parse(in, strlen(in), "vector", &v, &d));
	c2c_buf_init(&b, 1 << 20);
	ASSERT_OK(c2c_json_canon(v, &b));
	ASSERT_NONNULL(c2c_buf_cstr(&b));
	ASSERT_STR_EQ((const char *)b.data, want);
	c2c_buf_fini(&b);
	json_decref(v);
}

static void
canon_rejects(const char *in)
{
	struct c2c_diag d;
	json_t *v = NULL;
	struct c2c_buf b;
	ASSERT_OK(c2c_json_parse(in, strlen(in), "vector", &v, &d));
	c2c_buf_init(&b, 1 << 20);
	ASSERT_ERR(c2c_json_canon(v, &b), C2C_EINVAL);
	c2c_buf_fini(&b);
	json_decref(v);
}

/* cyberphone testdata/input/arrays.json (integers only: inside the profile). */
static void
cyberphone_arrays(void)
{
	canon_eq("[\n  56,\n  {\n    \"d\": true,\n    \"10\": null,\n    \"1\": [ ]\n  }\n]",
	    "[56,{\"1\":[],\"10\":null,\"d\":true}]");
}

/* testdata/input/simpleString.json; outhex/simpleString.txt gives the exact bytes. */
static void
cyberphone_simple_string(void)
{
	/* A top-level scalar: parsed with JSON_DECODE_ANY (c2c_json_parse wants a document). */
	static const uint8_t hexbytes[] = { 0x22, 0x74, 0x68, 0x69, 0x73, 0x20, 0x69, 0x73, 0x20,
		0x61, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x73, 0x74, 0x72, 0x69, 0x6e, 0x67, 0x20,
		0x31, 0x32, 0x33, 0x35, 0x22 };
	json_t *v = json_loads("    \"this is a test string 1235\"", JSON_DECODE_ANY, NULL);
	struct c2c_buf b;
	ASSERT_NONNULL(v);
	if (test_alloc_injected())
		test_oom_exit(); /* jansson may have truncated the string (see c2c_json_parse) */
	c2c_buf_init(&b, 1 << 20);
	ASSERT_OK(c2c_json_canon(v, &b));
	ASSERT_EQ(b.len, sizeof(hexbytes));
	ASSERT_MEM_EQ(b.data, hexbytes, b.len);
	c2c_buf_fini(&b);
	json_decref(v);
}

/* testdata/input/unicode.json: no normalisation, UTF-8 passes through. */
static void
cyberphone_unicode(void)
{
	canon_eq("{\n  \"Unnormalized Unicode\":\"\\u1e0d\\u0307\"\n}\n",
	    "{\"Unnormalized Unicode\":\"\xe1\xb8\x8d\xcc\x87\"}");
}

/* testdata/input/values.json: its "escaping" and "literals" members (the "numbers" member is
 * floating point, outside the profile, and checked for rejection below). */
static void
cyberphone_values_escaping(void)
{
	canon_eq("{\"escaping\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\","
		 "\"literals\": [null, true, false]}",
	    "{\"escaping\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\","
	    "\"literals\":[null,true,false]}");
}

/* testdata/input/structures.json with its one real (56.0) written as an integer; the key
 * order is the published output's. The original, with 56.0, is rejected. */
static void
cyberphone_structures(void)
{
	canon_eq("{\n  \"1\": {\"f\": {\"f\": \"hi\",\"F\": 5} ,\"\\n\": 56},\n  \"10\": { },\n"
		 "  \"\": \"empty\",\n  \"a\": { },\n  \"111\": [ { } ],\n  \"A\": { }\n}",
	    "{\"\":\"empty\",\"1\":{\"\\n\":56,\"f\":{\"F\":5,\"f\":\"hi\"}},\"10\":{},\"111\":[{}],"
	    "\"A\":{},\"a\":{}}");
	canon_rejects("{\n  \"1\": {\"f\": {\"f\": \"hi\",\"F\": 5} ,\"\\n\": 56.0},\n  \"10\": { },\n"
		      "  \"\": \"empty\",\n  \"a\": { },\n  \"111\": [ { } ],\n  \"A\": { }\n}");
}

/* Outside the profile: floats (values.json "numbers"), non-ASCII keys (weird.json,
 * french.json), integers beyond 2^53-1. */
static void
profile_rejections(void)
{
	canon_rejects("{\"numbers\": [1E30, 4.50, 333333333.33333329, 2e-3, "
		      "0.000000000000000000000000001]}");
	canon_rejects("[4.5]");
	canon_rejects("{\"\\u20ac\": \"Euro Sign\", \"1\": \"One\"}");
	canon_rejects("{\"p\\u00e9ch\\u00e9\": \"is wrong according to French\"}");
	canon_rejects("[9007199254740992]");
	canon_rejects("[-9007199254740992]");
	canon_eq("[9007199254740991,-9007199254740991,0,-1]",
	    "[9007199254740991,-9007199254740991,0,-1]");
}

/* weird.json's values with ASCII keys: DEL and "</script>" are emitted raw; control
 * characters as lower-case \u00xx; RFC 8785 §3.2.2.2 short escapes. */
static void
string_escapes(void)
{
	canon_eq("{\"b\":\"\\u0080Control\\u007f\",\"a\":\"</script>\"}",
	    "{\"a\":\"</script>\",\"b\":\"\xc2\x80" "Control\x7f\"}");
	canon_eq("[\"\\u0000\\u0001\\u001f\\b\\t\\n\\f\\r\\\"\\\\\\/\"]",
	    "[\"\\u0000\\u0001\\u001f\\b\\t\\n\\f\\r\\\"\\\\/\"]");
}

/* Duplicate keys are rejected at parse time (JSON_REJECT_DUPLICATES). */
static void
duplicate_keys_rejected(void)
{
	struct c2c_diag d;
	json_t *v = NULL;
	const char *s = "{\"a\":1,\"a\":2}";
	ASSERT_ERR(c2c_json_parse(s, strlen(s), "dup", &v, &d), C2C_EFORMAT);
	ASSERT(v == NULL);
}

/* Canonical output re-parses and re-canonicalises to the same bytes. */
static void
idempotent(void)
{
	const char *in = "{\"z\":[1,{\"y\":\"\\u0007x\",\"b\":false}],\"a\":{\"c\":null,\"B\":-3}}";
	struct c2c_diag d;
	json_t *v = NULL, *w = NULL;
	struct c2c_buf b1, b2;
	c2c_buf_init(&b1, 1 << 20);
	c2c_buf_init(&b2, 1 << 20);
	ASSERT_OK(c2c_json_parse(in, strlen(in), "x", &v, &d));
	ASSERT_OK(c2c_json_canon(v, &b1));
	ASSERT_OK(c2c_json_parse((const char *)b1.data, b1.len, "x", &w, &d));
	ASSERT_OK(c2c_json_canon(w, &b2));
	ASSERT_EQ(b1.len, b2.len);
	ASSERT_MEM_EQ(b1.data, b2.data, b1.len);
	json_decref(v);
	json_decref(w);
	c2c_buf_fini(&b1);
	c2c_buf_fini(&b2);
}

TEST_MAIN(cyberphone_arrays, cyberphone_simple_string, cyberphone_unicode,
    cyberphone_values_escaping, cyberphone_structures, profile_rejections, string_escapes,
    duplicate_keys_rejected, idempotent)

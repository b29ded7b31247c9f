/*
 * Canonical JSON writer over jansson values (json.h). Keys are sorted by their bytes, which for
 * the ASCII-only keys this profile allows equals RFC 8785's UTF-16 code-unit order. Strings keep
 * UTF-8 as is and escape only what RFC 8785 §3.2.2.2 requires, with lower-case \u00xx.
 */
#include <stdlib.h>
#include <string.h>

#include "c2chain/json.h"
#include "core/internal.h"

#define IJSON_MAX 9007199254740991LL /* 2^53 - 1 */

static c2c_err canon(const json_t *v, struct c2c_buf *out, unsigned depth);

static c2c_err
canon_string(const char *s, size_t len, struct c2c_buf *out)
{
	static const char hx[] = "0123456789abcdef";
	c2c_err rc = c2c_buf_addc(out, '"');
	size_t run = 0;

	for (size_t i = 0; i < len && rc == C2C_OK; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[7];
		if (c >= 0x20 && c != '"' && c != '\\') {
			run++;
			continue;
		}
		rc = c2c_buf_add(out, s + i - run, run);
		run = 0;
		if (rc != C2C_OK)
			break;
		switch (c) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			u[0] = '\\';
			u[1] = 'u';
			u[2] = '0';
			u[3] = '0';
			u[4] = hx[c >> 4];
			u[5] = hx[c & 15];
			u[6] = '\0';
			esc = u;
			break;
		}
		rc = c2c_buf_adds(out, esc);
	}
	if (rc == C2C_OK)
		rc = c2c_buf_add(out, s + len - run, run);
	if (rc == C2C_OK)
		rc = c2c_buf_addc(out, '"');
	return rc;
}

static int
cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static c2c_err
canon_object(const json_t *v, struct c2c_buf *out, unsigned depth)
{
	size_t n = json_object_size(v), i = 0;
	const char **keys;
	const char *k;
	json_t *val;
	c2c_err rc = C2C_OK;

	keys = c2c_calloc(n ? n : 1, sizeof(*keys));
	if (keys == NULL)
		return C2C_ENOMEM;
	json_object_foreach((json_t *)(uintptr_t)v, k, val) {
		for (const char *p = k; *p; p++)
			if ((unsigned char)*p >= 0x80)
				rc = C2C_EINVAL;
		keys[i++] = k;
	}
	if (rc == C2C_OK) {
		qsort(keys, n, sizeof(*keys), cmp_keys);
		rc = c2c_buf_addc(out, '{');
	}
	for (i = 0; i < n && rc == C2C_OK; i++) {
		if (i > 0)
			rc = c2c_buf_addc(out, ',');
		if (rc == C2C_OK)
			rc = canon_string(keys[i], strlen(keys[i]), out);
		if (rc == C2C_OK)
			rc = c2c_buf_addc(out, ':');
		if (rc == C2C_OK)
			rc = canon(json_object_get(v, keys[i]), out, depth + 1);
	}
	if (rc == C2C_OK)
		rc = c2c_buf_addc(out, '}');
	c2c_free(keys);
	return rc;
}

static c2c_err
canon(const json_t *v, struct c2c_buf *out, unsigned depth)
{
	c2c_err rc;
	if (v == NULL || depth > 512)
		return C2C_EINVAL;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return canon_object(v, out, depth);
	case JSON_ARRAY:
		rc = c2c_buf_addc(out, '[');
		for (size_t i = 0; i < json_array_size(v) && rc == C2C_OK; i++) {
			if (i > 0)
				rc = c2c_buf_addc(out, ',');
			if (rc == C2C_OK)
				rc = canon(json_array_get(v, i), out, depth + 1);
		}
		return rc == C2C_OK ? c2c_buf_addc(out, ']') : rc;
	case JSON_STRING:
		return canon_string(json_string_value(v), json_string_length(v), out);
	case JSON_INTEGER: {
		json_int_t n = json_integer_value(v);
		if (n > IJSON_MAX || n < -IJSON_MAX)
			return C2C_EINVAL;
		return c2c_buf_printf(out, "%lld", (long long)n);
	}
	case JSON_REAL:
		return C2C_EINVAL; /* no floating point in anything that is hashed */
	case JSON_TRUE:
		return c2c_buf_adds(out, "true");
	case JSON_FALSE:
		return c2c_buf_adds(out, "false");
	case JSON_NULL:
		return c2c_buf_adds(out, "null");
	}
	return C2C_EINVAL;
}

c2c_err
c2c_json_canon(const json_t *v, struct c2c_buf *out)
{
	return canon(v, out, 0);
}

c2c_err
c2c_json_digest(const json_t *v, uint8_t out[32])
{
	struct c2c_buf b;
	c2c_err rc;
	c2c_buf_init(&b, (size_t)1 << 34);
	rc = c2c_json_canon(v, &b);
	if (rc == C2C_OK)
		c2c_sha256(b.data ? b.data : (const uint8_t *)"", b.len, out);
	c2c_buf_fini(&b);
	return rc;
}

c2c_err
c2c_json_write_file(const json_t *v, const char *path, struct c2c_diag *diag)
{
	struct c2c_buf b;
	c2c_err rc;
	c2c_buf_init(&b, (size_t)1 << 34);
	rc = c2c_json_canon(v, &b);
	if (rc == C2C_OK)
		rc = c2c_buf_addc(&b, '\n');
	if (rc == C2C_OK)
		rc = c2c_file_write_atomic(path, b.data, b.len, diag);
	else
		(void)c2c_diag_set(diag, rc, path, 0, "cannot serialise canonical JSON");
	c2c_buf_fini(&b);
	return rc;
}

c2c_err
c2c_json_parse(const char *text, size_t len, const char *src, json_t **out,
    struct c2c_diag *diag)
{
	json_error_t e;
	uint64_t failures = c2c__alloc_failures();
	json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e);
	/* jansson's lexer ignores a failed append to its token buffer (lex_save), so under memory
	 * pressure it can return a value with a truncated string: any failed allocation during
	 * the parse makes the result untrustworthy. */
	if (v != NULL && c2c__alloc_failures() != failures) {
		json_decref(v);
		return C2C_ENOMEM;
	}
	if (v == NULL && (json_error_code(&e) == json_error_out_of_memory ||
			     c2c__alloc_failures() != failures))
		return C2C_ENOMEM;
	if (v == NULL)
		return c2c_diag_line(diag, C2C_EFORMAT, src, (uint64_t)(e.line > 0 ? e.line : 0),
		    "column %d: %s", e.column, e.text);
	*out = v;
	return C2C_OK;
}

c2c_err
c2c_json_set_new(json_t *obj, const char *key, json_t *val)
{
	if (val == NULL)
		return C2C_ENOMEM;
	return json_object_set_new(obj, key, val) == 0 ? C2C_OK : C2C_ENOMEM;
}

c2c_err
c2c_json_set_str(json_t *obj, const char *key, const char *val)
{
	return c2c_json_set_new(obj, key, json_string(val));
}

c2c_err
c2c_json_set_int(json_t *obj, const char *key, int64_t val)
{
	return c2c_json_set_new(obj, key, json_integer((json_int_t)val));
}

c2c_err
c2c_json_set_bool(json_t *obj, const char *key, int val)
{
	return c2c_json_set_new(obj, key, json_boolean(val));
}

c2c_err
c2c_json_append_new(json_t *arr, json_t *val)
{
	if (val == NULL)
		return C2C_ENOMEM;
	return json_array_append_new(arr, val) == 0 ? C2C_OK : C2C_ENOMEM;
}

/*
 * Fingerprint records (inputs.json and the ledger's "input" and "refdata" entries). An input's
 * fingerprint comes from the struct c2c_input_info that c2c_ingest_file fills in while parsing,
 * so no second pass over the data is needed; reference files are hashed here in one stream.
 */
#include <string.h>

#include "evidence/internal.h"

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s != NULL ? s + 1 : path;
}

static c2c_err
set_time_or_null(json_t *o, const char *key, c2c_time t, bool have)
{
	char buf[32];
	if (!have)
		return c2c_json_set_new(o, key, json_null());
	return c2c_json_set_str(o, key, c2c_time_format_iso(t, buf, sizeof(buf)));
}

static c2c_err
set_hex(json_t *o, const char *key, const uint8_t sha[32])
{
	char hex[65];
	return c2c_json_set_str(o, key, c2c_hex(sha, 32, hex));
}

c2c_err
c2c_fingerprint_input(const char *path, const struct c2c_input_info *info, json_t **out)
{
	json_t *o = json_object(), *deps = json_array();
	bool have_ts = info->first_ts <= info->last_ts;
	c2c_err rc = C2C_ENOMEM;

	if (o == NULL || deps == NULL)
		goto out;
	for (uint32_t i = 0; i < info->n_deps && i < C2C_ARRAY_LEN(info->deps); i++) {
		char ref[C2C_EVREF_STRLEN];
		rc = c2c_json_append_new(deps,
		    json_string(c2c_evref_format(&info->deps[i], info->sha256, ref, sizeof(ref))));
		if (rc != C2C_OK)
			goto out;
	}
	rc = set_hex(o, "sha256", info->sha256);
	if (rc == C2C_OK)
		rc = c2c_json_set_int(o, "size", (int64_t)info->size);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(o, "format", c2c_format_name(info->format));
	if (rc == C2C_OK)
		rc = c2c_json_set_bool(o, "gzip", info->gzip);
	if (rc == C2C_OK)
		rc = c2c_json_set_int(o, "records", (int64_t)info->records);
	if (rc == C2C_OK)
		rc = c2c_json_set_int(o, "malformed", (int64_t)info->malformed);
	if (rc == C2C_OK)
		rc = set_time_or_null(o, "first_ts", info->first_ts, have_ts);
	if (rc == C2C_OK)
		rc = set_time_or_null(o, "last_ts", info->last_ts, have_ts);
	if (rc == C2C_OK)
		rc = c2c_json_set_int(o, "loss", (int64_t)info->loss);
	if (rc == C2C_OK)
		rc = c2c_json_set_int(o, "sampling", (int64_t)info->sampling);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(o, "name", base_name(path));
	if (rc == C2C_OK) {
		rc = c2c_json_set_new(o, "deps", deps);
		deps = NULL;
	}
	if (rc != C2C_OK)
		goto out;
	*out = o;
	o = NULL;
out:
	json_decref(deps);
	json_decref(o);
	return rc;
}

c2c_err
c2c_fingerprint_refdata(const char *path, const char *kind, json_t **out,
    struct c2c_diag *diag)
{
	uint8_t sha[32];
	uint64_t size = 0;
	json_t *o;
	c2c_err rc;

	rc = c2c_sha256_file(path, sha, &size, diag);
	if (rc != C2C_OK)
		return rc;
	o = json_object();
	if (o == NULL)
		return C2C_ENOMEM;
	rc = set_hex(o, "sha256", sha);
	if (rc == C2C_OK)
		rc = c2c_json_set_int(o, "size", (int64_t)size);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(o, "type", kind != NULL ? kind : "refdata");
	if (rc == C2C_OK)
		rc = c2c_json_set_str(o, "name", base_name(path));
	if (rc != C2C_OK) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return C2C_OK;
}

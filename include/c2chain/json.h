/*
 * Canonical JSON (RFC 8785 profile of reference/attribution.md §3.11): object keys sorted, ASCII
 * keys only, integers only (|n| <= 2^53 - 1, the I-JSON range), no insignificant white space,
 * strings escaped per RFC 8785 §3.2.2.2. Values are jansson trees; report.json, ledger entries
 * and every hashed object are written through here.
 */
#ifndef C2C_JSON_H
#define C2C_JSON_H

#include <jansson.h>

#include "c2chain/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Append the canonical form of `v` to `out`. C2C_EINVAL for a real number, a non-ASCII key, or
 * an integer outside the I-JSON range; C2C_ENOMEM / C2C_ELIMIT from the buffer. On error `out`
 * may hold a partial result. */
c2c_err c2c_json_canon(const json_t *v, struct c2c_buf *out);
/* SHA-256 over the canonical form. */
c2c_err c2c_json_digest(const json_t *v, uint8_t out[32]);
/* Write the canonical form plus a newline to `path` atomically. */
c2c_err c2c_json_write_file(const json_t *v, const char *path, struct c2c_diag *diag);
/* Parse JSON text, rejecting duplicate object keys (JSON_REJECT_DUPLICATES); diag names the line
 * and column. The result is owned by the caller (json_decref). */
c2c_err c2c_json_parse(const char *text, size_t len, const char *src, json_t **out,
    struct c2c_diag *diag);

/* Small builders that never fail silently: they return NULL-safe C2C_ENOMEM. */
c2c_err c2c_json_set_str(json_t *obj, const char *key, const char *val);
c2c_err c2c_json_set_int(json_t *obj, const char *key, int64_t val);
c2c_err c2c_json_set_bool(json_t *obj, const char *key, int val);
/* Steals `val` (also on failure). */
c2c_err c2c_json_set_new(json_t *obj, const char *key, json_t *val);
c2c_err c2c_json_append_new(json_t *arr, json_t *val);

#ifdef __cplusplus
}
#endif
#endif

/*
 * c2chain.conf: one INI-like file holding every threshold, weight and the internal subnets
 * (docs/detection.md, "Configuration"). Syntax:
 *
 *     # comment            ; comment
 *     [section]
 *     key = value          # inline comment after white space
 *
 * Every key has a type: integer, duration ("90", "90s", "250ms", "4h", "7d"; no unit = seconds;
 * stored in microseconds), fixed-point decimal (at most 6 fractional digits, stored x 10^6),
 * boolean (true/false, yes/no, on/off, 1/0) or string. `[network] internal_subnet = CIDR [CC]`
 * may repeat; the optional ISO 3166 alpha-2 country goes into the control matrix. The first
 * `internal_subnet` line in a file replaces the built-in list. Unknown sections or keys, bad
 * values and out-of-range numbers are errors naming the file and line.
 *
 * A config object is immutable once loaded (except through c2c_config_set) and may be read from
 * several threads at once.
 */
#ifndef C2C_CONFIG_H
#define C2C_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "c2chain/core.h"

#ifdef __cplusplus
extern "C" {
#endif

struct c2c_config;

/* Value types of keys. */
enum c2c_cfg_type {
	C2C_CFG_INT = 1,
	C2C_CFG_DUR,  /* microseconds */
	C2C_CFG_FIX6, /* decimal x 10^6 */
	C2C_CFG_BOOL,
	C2C_CFG_STR
};

void c2c_config_free(struct c2c_config *cfg);

/* The built-in defaults (the file `c2chain config --defaults` prints). C2C_ENOMEM. */
c2c_err c2c_config_new_default(struct c2c_config **out);

/* Defaults overridden by the file at `path` (plain or gzip). C2C_EIO (diag names the file),
 * C2C_EFORMAT (diag names file and line), C2C_ENOMEM. *out is written only on success. */
c2c_err c2c_config_load(const char *path, struct c2c_config **out, struct c2c_diag *diag);
/* Same from memory; `src` names the text in diagnostics. */
c2c_err c2c_config_parse(const char *text, size_t len, const char *src, struct c2c_config **out,
    struct c2c_diag *diag);

/* Set one key ("section.key") from text as if it were in a file (used for command-line
 * overrides). C2C_ENOTFOUND for an unknown key, C2C_EFORMAT for a bad value (diag says why). */
c2c_err c2c_config_set(struct c2c_config *cfg, const char *name, const char *value,
    struct c2c_diag *diag);

/* Typed reads of "section.key". Reading a key that does not exist or has another type is a
 * programming error; the functions then return 0 / "" / false (unit tests catch it).
 * Integers, durations (us) and fixed-point (x 10^6) all read through c2c_config_int. */
int64_t c2c_config_int(const struct c2c_config *cfg, const char *name);
bool c2c_config_bool(const struct c2c_config *cfg, const char *name);
/* Borrowed from cfg, valid until c2c_config_free / c2c_config_set of that key. */
const char *c2c_config_str(const struct c2c_config *cfg, const char *name);

/* ---- internal subnets ---------------------------------------------------------------------- */
struct c2c_subnet {
	struct c2c_ip net;
	unsigned prefix_len;
	char country[3]; /* "" when none given */
};
size_t c2c_config_n_subnets(const struct c2c_config *cfg);
/* Borrowed; i < c2c_config_n_subnets(). */
const struct c2c_subnet *c2c_config_subnet(const struct c2c_config *cfg, size_t i);
/* True when `ip` lies in an internal subnet; *match (may be NULL) gets the longest matching
 * prefix (borrowed). Linear in the number of subnets: callers cache per address. */
bool c2c_config_is_internal(const struct c2c_config *cfg, const struct c2c_ip *ip,
    const struct c2c_subnet **match);

/* ---- output -------------------------------------------------------------------------------- */
/* Append the full configuration file text with every key, its current value and its
 * documentation comment (the defaults file when cfg came from c2c_config_new_default). */
c2c_err c2c_config_write(const struct c2c_config *cfg, struct c2c_buf *out);
/* Set in `obj` every key of `section` as canonical JSON (integers as is, durations as
 * "<key>_us", fixed point as "<key>_e6", booleans, strings): the method.params of findings.
 * C2C_ENOTFOUND for an unknown section; C2C_ENOMEM. */
c2c_err c2c_config_section_json(const struct c2c_config *cfg, const char *section, json_t *obj);

#ifdef __cplusplus
}
#endif
#endif

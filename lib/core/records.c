/*
 * Names of the record model's enumerations (types.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c2chain/types.h"

static const char *const state_names[] = {
#define C2C_X_(n, s) s,
	C2C_CONN_STATE_MAP(C2C_X_)
#undef C2C_X_
};

const char *
c2c_conn_state_name(enum c2c_conn_state s)
{
	return (unsigned)s < C2C_CS__COUNT ? state_names[s] : "-";
}

c2c_err
c2c_conn_state_parse(const char *s, enum c2c_conn_state *out)
{
	for (unsigned i = 0; i < C2C_CS__COUNT; i++) {
		if (strcmp(s, state_names[i]) == 0) {
			*out = (enum c2c_conn_state)i;
			return C2C_OK;
		}
	}
	return C2C_ENOTFOUND;
}

char *
c2c_evref_format(const struct c2c_evref *ref, const uint8_t sha256[32], char *buf, size_t len)
{
	char hex[65];
	(void)c2c_hex(sha256, 32, hex);
	if (ref->rec >= 0)
		(void)snprintf(buf, len, "ev:%s/%llu+%u#%d", hex, (unsigned long long)ref->off,
		    ref->len, ref->rec);
	else
		(void)snprintf(buf, len, "ev:%s/%llu+%u", hex, (unsigned long long)ref->off,
		    ref->len);
	return buf;
}

static bool
parse_u64(const char **p, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *s = *p;
	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	*out = v;
	return true;
}

c2c_err
c2c_evref_parse(const char *s, uint8_t sha256[32], struct c2c_evref *ref)
{
	uint64_t off, len, rec = 0;
	const char *p;
	if (strncmp(s, "ev:", 3) != 0 || strlen(s) < 3 + 64 + 4 || s[67] != '/')
		return C2C_EFORMAT;
	if (c2c_unhex(s + 3, 64, sha256, 32) != C2C_OK)
		return C2C_EFORMAT;
	p = s + 68;
	if (!parse_u64(&p, UINT64_MAX, &off) || *p++ != '+' || !parse_u64(&p, UINT32_MAX, &len))
		return C2C_EFORMAT;
	ref->rec = -1;
	if (*p == '#') {
		p++;
		if (!parse_u64(&p, INT32_MAX, &rec))
			return C2C_EFORMAT;
		ref->rec = (int32_t)rec;
	}
	if (*p != '\0')
		return C2C_EFORMAT;
	ref->input = 0;
	ref->off = off;
	ref->len = (uint32_t)len;
	return C2C_OK;
}

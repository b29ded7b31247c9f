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

/* Decimal digits of v (at least one). */
static unsigned
dec_len(uint64_t v)
{
	unsigned n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static char *
put_dec(char *p, uint64_t v)
{
	unsigned n = dec_len(v);
	for (unsigned i = n; i > 0; i--) {
		p[i - 1] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

char *
c2c_evref_format(const struct c2c_evref *ref, const uint8_t sha256[32], char *buf, size_t len)
{
	char hex[65];
	char *p = buf;
	(void)c2c_hex(sha256, 32, hex);
	if (len < C2C_EVREF_STRLEN) {
		/* A short buffer gets the truncated text. */
		if (ref->rec >= 0)
			(void)snprintf(buf, len, "ev:%s/%llu+%u#%d", hex,
			    (unsigned long long)ref->off, ref->len, ref->rec);
		else
			(void)snprintf(buf, len, "ev:%s/%llu+%u", hex, (unsigned long long)ref->off,
			    ref->len);
		return buf;
	}
	/* "ev:" 64 hex "/" <= 20 digits "+" <= 10 digits "#" <= 10 digits NUL: 111 bytes. */
	memcpy(p, "ev:", 3);
	memcpy(p + 3, hex, 64);
	p += 67;
	*p++ = '/';
	p = put_dec(p, ref->off);
	*p++ = '+';
	p = put_dec(p, ref->len);
	if (ref->rec >= 0) {
		*p++ = '#';
		p = put_dec(p, (uint64_t)ref->rec);
	}
	*p = '\0';
	return buf;
}

/* Byte order of the decimal renderings of a and b when each is followed by a character below
 * '0' ('+', '#' or the end of the string): a proper prefix sorts first. */
static int
dec_text_cmp(uint64_t a, uint64_t b)
{
	static const uint64_t pow10[20] = { 1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u,
		10000000u, 100000000u, 1000000000u, 10000000000u, 100000000000u, 1000000000000u,
		10000000000000u, 100000000000000u, 1000000000000000u, 10000000000000000u,
		100000000000000000u, 1000000000000000000u, 10000000000000000000u };
	unsigned la, lb;
	if (a == b)
		return 0;
	la = dec_len(a);
	lb = dec_len(b);
	if (la == lb)
		return a < b ? -1 : 1;
	if (la < lb) {
		uint64_t head = b / pow10[lb - la]; /* b's first la digits */
		return a <= head ? -1 : 1;          /* equal: a is a prefix of b */
	}
	return dec_text_cmp(b, a) < 0 ? 1 : -1;
}

int
c2c_evref_text_cmp(const struct c2c_evref *a, const uint8_t sha_a[32],
    const struct c2c_evref *b, const uint8_t sha_b[32])
{
	int c = sha_a == sha_b ? 0 : memcmp(sha_a, sha_b, 32); /* lower-case hex sorts like bytes */
	if (c != 0)
		return c;
	if ((c = dec_text_cmp(a->off, b->off)) != 0)
		return c;
	if ((c = dec_text_cmp(a->len, b->len)) != 0)
		return c;
	if (a->rec < 0 || b->rec < 0) /* the end of the string (no "#") sorts before '#' */
		return a->rec < 0 ? (b->rec < 0 ? 0 : -1) : 1;
	return dec_text_cmp((uint64_t)a->rec, (uint64_t)b->rec);
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

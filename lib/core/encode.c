/*
 * Hex and base64 (RFC 4648 §4, padded) for digests, Community ID and signed notes.
 */
#include <string.h>

#include "c2chain/core.h"

char *
c2c_hex(const uint8_t *p, size_t len, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 15];
	}
	out[2 * len] = '\0';
	return out;
}

static int
hexdig(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

c2c_err
c2c_unhex(const char *s, size_t slen, uint8_t *out, size_t outlen)
{
	if (slen != 2 * outlen)
		return C2C_EFORMAT;
	for (size_t i = 0; i < outlen; i++) {
		int h = hexdig(s[2 * i]), l = hexdig(s[2 * i + 1]);
		if (h < 0 || l < 0)
			return C2C_EFORMAT;
		out[i] = (uint8_t)(h << 4 | l);
	}
	return C2C_OK;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
c2c_base64(const uint8_t *p, size_t len, char *out)
{
	size_t o = 0, i = 0;
	for (; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = b64[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

c2c_err
c2c_unbase64(const char *s, size_t slen, uint8_t *out, size_t cap, size_t *outlen)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0, pad = 0;

	if (slen % 4 != 0)
		return C2C_EFORMAT;
	for (size_t i = 0; i < slen; i++) {
		const char *q;
		if (s[i] == '=') {
			if (i < slen - 2)
				return C2C_EFORMAT;
			pad++;
			continue;
		}
		if (pad)
			return C2C_EFORMAT;
		q = memchr(b64, s[i], 64);
		if (q == NULL || s[i] == '\0')
			return C2C_EFORMAT;
		acc = acc << 6 | (uint32_t)(q - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return C2C_ELIMIT;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	*outlen = o;
	return C2C_OK;
}

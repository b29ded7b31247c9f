/*
 * Fixed-point statistics for the behavioural scores. Nothing here uses floating point: medians
 * and quartiles are returned doubled so they stay integers, ratios are rounded once with an
 * explicit rule (half away from zero, or ceiling where RITA uses math.Ceil), and logarithms come
 * from an integer squaring algorithm. Same input, same bits, on every machine.
 */
#include <stdlib.h>

#include "detect/internal.h"

int64_t
c2c__div_round(c2c_i128 num, c2c_i128 den)
{
	bool neg = (num < 0) != (den < 0);
	c2c_i128 q;
	if (num < 0)
		num = -num;
	if (den < 0)
		den = -den;
	q = (2 * num + den) / (2 * den);
	return (int64_t)(neg ? -q : q);
}

int64_t
c2c__div_ceil(c2c_i128 num, c2c_i128 den)
{
	return (int64_t)((num + den - 1) / den);
}

uint64_t
c2c__isqrt128(c2c_u128 x)
{
	/* Bit-by-bit square root: exact floor, no division. */
	c2c_u128 res = 0, bit = (c2c_u128)1 << 126;
	while (bit > x)
		bit >>= 2;
	while (bit != 0) {
		if (x >= res + bit) {
			x -= res + bit;
			res = (res >> 1) + bit;
		} else {
			res >>= 1;
		}
		bit >>= 2;
	}
	return (uint64_t)res;
}

int64_t
c2c__median2(const int64_t *x, size_t n)
{
	if (n % 2 == 1)
		return 2 * x[n / 2];
	return x[n / 2 - 1] + x[n / 2];
}

void
c2c__quartiles2(const int64_t *x, size_t n, int64_t q2[3])
{
	size_t c1, c2;
	if (n % 2 == 0) {
		c1 = n / 2;
		c2 = n / 2;
	} else {
		c1 = (n - 1) / 2;
		c2 = c1 + 1;
	}
	q2[0] = c2c__median2(x, c1);
	q2[1] = c2c__median2(x, n);
	q2[2] = c2c__median2(x + c2, n - c2);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

void
c2c__sort_i64(int64_t *x, size_t n)
{
	size_t i;
	for (i = 1; i < n && x[i - 1] <= x[i]; i++)
		;
	if (i < n)
		qsort(x, n, sizeof(*x), cmp_i64);
}

int64_t
c2c__log2_e6(uint32_t k)
{
	/* y = k / 2^ip in Q62, 1 <= y < 2; each squaring yields one fractional bit. */
	unsigned ip = 0;
	uint64_t y, frac = 0;
	const unsigned nbits = 40;
	if (k <= 1)
		return 0;
	while ((k >> (ip + 1)) != 0)
		ip++;
	y = (uint64_t)k << (62 - ip);
	for (unsigned i = 0; i < nbits; i++) {
		c2c_u128 sq = (c2c_u128)y * y; /* Q124 */
		y = (uint64_t)(sq >> 62);
		frac <<= 1;
		if (y >= (1ull << 63)) {
			frac |= 1;
			y >>= 1;
		}
	}
	return (int64_t)ip * C2C_E6 +
	    c2c__div_round((c2c_i128)frac * C2C_E6, (c2c_i128)1 << nbits);
}

int64_t
c2c__entropy_e6(const char *s, size_t len)
{
	uint32_t count[256] = { 0 };
	c2c_i128 sum = 0;
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		count[(uint8_t)s[i]]++;
	for (unsigned c = 0; c < 256; c++)
		if (count[c] > 1)
			sum += (c2c_i128)count[c] * c2c__log2_e6(count[c]);
	return c2c__log2_e6((uint32_t)len) - c2c__div_round(sum, (c2c_i128)len);
}

/* The compact IPv4 membership index (lib/intel/v4set.c) against a naive scan, in both forms:
 * flat and lines (buckets over 31 entries in the overflow pool). Input: a count byte, then
 * (first, last) pairs of big-endian addresses, then probe addresses. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "intel/v4set.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct c2c__v4range r[128];
	size_t n = 0;
	if (size < 1)
		return 0;
	size_t want_n = data[0] % 129;
	data++;
	size--;
	for (; n < want_n && size >= 8; n++, data += 8, size -= 8) {
		r[n].first = be32(data);
		r[n].last = be32(data + 4);
		/* mostly narrow ranges, so that lines hold a mix of singles and intervals */
		if ((data[7] & 3) != 0 && r[n].first <= r[n].last)
			r[n].last = r[n].first + ((r[n].last - r[n].first) & 0x3ff);
	}
	static const size_t small[] = { SIZE_MAX, 0 };
	for (size_t f = 0; f < 2; f++) {
		struct c2c__v4set s;
		if (c2c__v4set_build_ex(&s, r, n, small[f], C2C__V4SET_PERBUCKET) != C2C_OK)
			continue;
		const uint8_t *p = data;
		for (size_t left = size; left >= 4; p += 4, left -= 4) {
			uint32_t a = be32(p);
			bool want = false;
			for (size_t i = 0; i < n && !want; i++)
				want = r[i].first <= a && a <= r[i].last;
			/* the range ends and their neighbours as well */
			uint32_t near[3] = { a, n ? r[a % n].first - 1 : 0, n ? r[a % n].last + 1 : 0 };
			for (int k = 0; k < 3; k++) {
				bool w = false;
				for (size_t i = 0; i < n && !w; i++)
					w = r[i].first <= near[k] && near[k] <= r[i].last;
				if (c2c__v4set_has(&s, near[k]) != w)
					abort();
			}
			uint8_t out;
			if (c2c__v4set_has_batch(&s, &a, 1, &out) != want || out != want)
				abort();
		}
		c2c__v4set_fini(&s);
	}
	return 0;
}

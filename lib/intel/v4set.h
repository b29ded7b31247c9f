/*
 * A compact membership index over IPv4 addresses and ranges (inside lib/intel only): "is this
 * address covered by any of the given ranges?" in one cache line.
 *
 * Layout. The ranges are merged into maximal disjoint intervals, then cut at bucket boundaries.
 * A bucket is the top `bits` bits of the address (16 to 24, chosen from the set's size so that
 * a bucket holds about 10 to 20 entries on average); its entries are the remaining low bits
 * (at most 16). Every bucket owns one 64-byte, 64-byte-aligned line of 32 uint16:
 *   line[0]       header: entry count (bits 0-5), BOUNDARY form (bit 14), OVERFLOW (bit 15)
 *   line[1..31]   the entries, strictly increasing
 * Entries come in one of two forms:
 *   - single: a bucket holding only single addresses lists them;
 *   - boundary: a bucket holding any wider interval lists boundaries instead: each interval
 *     [f, l] gives f and, when l is not the bucket's last address, l + 1; an address is covered
 *     when the number of boundaries <= its low bits is odd (a wholly covered bucket is "0").
 * A bucket with more than 31 entries keeps them in a shared overflow pool instead (the line then
 * holds the pool offset and count); with the size-chosen bucket width that is rare.
 *
 * A small set (at most C2C__V4SET_SMALL entries) skips the 4 MiB of lines: it is one sorted
 * array of 32-bit boundaries in the same odd-count form, searched without branches (it fits in
 * the first-level caches).
 *
 * The lookup reads one line at an address computed from the probe alone (no index to read
 * first), compares all of it at once (SSE2 where available) and has no data-dependent branch
 * but the rare overflow test, so independent lookups overlap in the processor; the batch form
 * also prefetches ahead.
 *
 * Built once (c2c__v4set_build), then read-only: safe from several threads at once.
 */
#ifndef C2C_INTEL_V4SET_H
#define C2C_INTEL_V4SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "c2chain/err.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define C2C__V4SET_LINE 32           /* uint16 per line (64 bytes) */
#define C2C__V4SET_INLINE 31         /* entries a line holds */
#define C2C__V4SET_COUNT 0x003fu     /* header: entry count */
#define C2C__V4SET_BOUNDARY 0x4000u  /* header: boundary form */
#define C2C__V4SET_OVERFLOW 0x8000u  /* header: entries in the pool */
#define C2C__V4SET_MINBITS 16
#define C2C__V4SET_MAXBITS 24
#define C2C__V4SET_PERBUCKET 20      /* target upper bound of the average entries per bucket */
#define C2C__V4SET_SMALL 4096        /* entries up to which the flat form is used */

/* One input range, both ends included (first <= last). */
struct c2c__v4range {
	uint32_t first, last;
};

struct c2c__v4set {
	const uint16_t *lines; /* 2^bits lines of C2C__V4SET_LINE; NULL: flat form */
	uint32_t *flat;        /* flat form: sorted boundaries; NULL with lines NULL: empty */
	size_t n_flat;
	unsigned bits, shift;  /* bucket = addr >> shift, shift = 32 - bits */
	uint32_t lowmask;      /* (1 << shift) - 1 */
	uint16_t *pool;        /* overflow entries (plus C2C__V4SET_LINE padding) */
	size_t n_pool;
	size_t n_ranges;       /* maximal disjoint intervals after merging */
	size_t n_overflow;     /* buckets whose entries are in the pool */
	void *mem;             /* the allocation behind lines */
};

/*
 * Build the index of the union of r[0..n) (any order; overlapping, adjacent and duplicate
 * ranges allowed; ranges with first > last are ignored). `s` is overwritten; on success it
 * owns its memory (c2c__v4set_fini). n == 0 gives an empty set that allocates nothing.
 * C2C_OK, C2C_ENOMEM (s left empty), C2C_ELIMIT (overflow pool past 2^32 entries).
 */
c2c_err c2c__v4set_build(struct c2c__v4set *s, const struct c2c__v4range *r, size_t n);
/* The same with the flat form used up to `small_max` entries and buckets sized for about
 * `per_bucket` entries each (tests force either form and wide buckets on small sets). */
c2c_err c2c__v4set_build_ex(struct c2c__v4set *s, const struct c2c__v4range *r, size_t n,
    size_t small_max, size_t per_bucket);
void c2c__v4set_fini(struct c2c__v4set *s);
/* Heap bytes held. */
size_t c2c__v4set_memory(const struct c2c__v4set *s);
/* The lookup of a bucket whose entries are in the pool (out of line: rare). */
bool c2c__v4set_has_pool(const struct c2c__v4set *s, const uint16_t *line, uint32_t x);

/* True when `a` (host order) lies in one of the ranges. */
static inline bool
c2c__v4set_has(const struct c2c__v4set *s, uint32_t a)
{
	if (s->lines == NULL) {
		/* flat form: p = number of boundaries <= a, by a branch-free binary search */
		const uint32_t *b = s->flat;
		size_t n = s->n_flat;
		if (n == 0)
			return false;
		while (n > 1) {
			size_t half = n / 2;
			b = b[half] <= a ? b + half : b;
			n -= half;
		}
		size_t p = (size_t)(b - s->flat) + (*b <= a);
		return (p & 1) != 0;
	}
	const uint16_t *line = s->lines + ((size_t)(a >> s->shift) * C2C__V4SET_LINE);
	uint32_t hdr = line[0], x = a & s->lowmask, n = hdr & C2C__V4SET_COUNT, p;
	if (__builtin_expect((hdr & C2C__V4SET_OVERFLOW) != 0, 0))
		return c2c__v4set_has_pool(s, line, x);
#if defined(__SSE2__)
	{
		/* Unsigned 16-bit "lane > x" via a signed compare of sign-flipped values; lane 0
		 * is the header, entries are lanes 1..n and sorted, so their "entry <= x" bits are
		 * a run of ones from the bottom. */
		const __m128i flip = _mm_set1_epi16((short)-32768);
		const __m128i xv = _mm_set1_epi16((short)(x ^ 0x8000u));
		const __m128i *v = (const __m128i *)(const void *)line;
		__m128i g0 = _mm_cmpgt_epi16(_mm_xor_si128(_mm_load_si128(v), flip), xv);
		__m128i g1 = _mm_cmpgt_epi16(_mm_xor_si128(_mm_load_si128(v + 1), flip), xv);
		__m128i g2 = _mm_cmpgt_epi16(_mm_xor_si128(_mm_load_si128(v + 2), flip), xv);
		__m128i g3 = _mm_cmpgt_epi16(_mm_xor_si128(_mm_load_si128(v + 3), flip), xv);
		uint32_t gt = (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(g0, g1)) |
		    (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(g2, g3)) << 16;
		uint64_t le = (uint64_t)(~gt >> 1) & (((uint64_t)1 << n) - 1);
		p = (uint32_t)__builtin_ctzll(~le);
	}
#else
	p = 0;
	for (uint32_t i = 1; i <= C2C__V4SET_INLINE; i++)
		p += (uint32_t)((line[i] <= x) & (i <= n));
#endif
	/* p entries are <= x; line[p] is the last of them (line[0], the header, when p == 0) */
	bool single = (line[p] == x) & (p > 0);
	bool parity = (p & 1) != 0;
	return (hdr & C2C__V4SET_BOUNDARY) ? parity : single;
}

/* out[i] = c2c__v4set_has(s, a[i]) for i < n, prefetching ahead; returns how many are true. */
size_t c2c__v4set_has_batch(const struct c2c__v4set *s, const uint32_t *a, size_t n,
    uint8_t *out);

#endif

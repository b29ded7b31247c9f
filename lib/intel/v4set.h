/*
 * A compact membership index over IPv4 addresses and ranges (inside lib/intel only): "is this
 * address covered by any of the given ranges?" in one small-table read plus one cache line.
 *
 * Layout. The ranges are merged into maximal disjoint intervals, then cut at /16 boundaries.
 * `top[h]` (h = top 16 bits, 65,537 entries, 256 KiB) gives the run of bucket h in `lo`, an
 * array of uint16 low halves, sorted and strictly increasing within a run:
 *   - a bucket holding only single addresses lists them (2 bytes per address);
 *   - a bucket holding any wider interval lists interval boundaries instead: each interval
 *     [f, l] gives f and, when l < 0xffff, l + 1; an address is covered when the number of
 *     boundaries <= its low half is odd (a bucket wholly covered is the single entry 0).
 * Bit 31 of top[h] marks the boundary form; bits 0-30 are the run start (top[h + 1] & 0x7fffffff
 * its end). The lookup is branch-free apart from a binary search on runs longer than 32 entries
 * so independent lookups overlap in the processor, and the batch form prefetches ahead.
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

#define C2C__V4SET_MODE 0x80000000u
#define C2C__V4SET_OFF 0x7fffffffu
#define C2C__V4SET_SCAN 32 /* entries compared at the end of a lookup; also lo's tail padding */

/* One input range, both ends included (first <= last). */
struct c2c__v4range {
	uint32_t first, last;
};

struct c2c__v4set {
	uint32_t *top;  /* 65,537 entries, NULL for an empty set */
	uint16_t *lo;   /* n_lo entries; lo[-1] and lo[n_lo .. n_lo + SCAN) are valid padding */
	uint16_t *mem;  /* the allocation behind lo */
	size_t n_lo;
	size_t n_ranges; /* maximal disjoint intervals after merging */
};

/*
 * Build the index of the union of r[0..n) (any order; overlapping, adjacent and duplicate
 * ranges allowed; ranges with first > last are ignored). `s` is overwritten; on success it
 * owns its memory (c2c__v4set_fini). n == 0 gives an empty set that allocates nothing.
 * C2C_OK, C2C_ENOMEM (s left empty), C2C_ELIMIT (more than 2^31 - 1 entries).
 */
c2c_err c2c__v4set_build(struct c2c__v4set *s, const struct c2c__v4range *r, size_t n);
void c2c__v4set_fini(struct c2c__v4set *s);
/* Heap bytes held. */
size_t c2c__v4set_memory(const struct c2c__v4set *s);

/* True when `a` (host order) lies in one of the ranges. */
static inline bool
c2c__v4set_has(const struct c2c__v4set *s, uint32_t a)
{
	if (s->top == NULL)
		return false;
	uint32_t h = a >> 16, t = s->top[h];
	uint32_t o = t & C2C__V4SET_OFF, n = (s->top[h + 1] & C2C__V4SET_OFF) - o;
	uint16_t x = (uint16_t)a;
	const uint16_t *b = s->lo + o;
	/* Branch-free narrowing: entries before b are <= x, entries from b + n on are > x. */
	while (n > C2C__V4SET_SCAN) {
		uint32_t half = n / 2;
		b = b[half] <= x ? b + half : b;
		n -= half;
	}
	/* A fixed-width count (no data-dependent loop exit to mispredict); lo is padded with
	 * C2C__V4SET_SCAN entries past its end, so the reads past the window are in bounds. */
	uint32_t p = (uint32_t)(b - (s->lo + o));
#if defined(__SSE2__)
	{
		/* Unsigned 16-bit "entry > x" via a signed compare on sign-flipped values; the
		 * window is sorted, so its "entry <= x" bits are a run of ones from bit 0. */
		const __m128i flip = _mm_set1_epi16((short)-32768);
		const __m128i xv = _mm_set1_epi16((short)(x ^ 0x8000u));
		__m128i g0 = _mm_cmpgt_epi16(_mm_xor_si128(_mm_loadu_si128((const __m128i *)b), flip), xv);
		__m128i g1 = _mm_cmpgt_epi16(
		    _mm_xor_si128(_mm_loadu_si128((const __m128i *)(b + 8)), flip), xv);
		__m128i g2 = _mm_cmpgt_epi16(
		    _mm_xor_si128(_mm_loadu_si128((const __m128i *)(b + 16)), flip), xv);
		__m128i g3 = _mm_cmpgt_epi16(
		    _mm_xor_si128(_mm_loadu_si128((const __m128i *)(b + 24)), flip), xv);
		uint32_t gt = (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(g0, g1)) |
		    (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(g2, g3)) << 16;
		uint64_t valid = ((uint64_t)1 << n) - 1; /* n <= 32 here */
		p += (uint32_t)__builtin_ctzll(~((uint64_t)~gt & valid));
	}
#else
	for (uint32_t i = 0; i < C2C__V4SET_SCAN; i++)
		p += (uint32_t)((b[i] <= x) & (i < n));
#endif
	/* p entries of the run are <= x; lo[-1] is padding, so o + p - 1 is always readable */
	bool single = (s->lo[(ptrdiff_t)o + (ptrdiff_t)p - 1] == x) & (p > 0);
	bool parity = (p & 1) != 0;
	return (t & C2C__V4SET_MODE) ? parity : single;
}

/* out[i] = c2c__v4set_has(s, a[i]) for i < n, prefetching ahead; returns how many are true. */
size_t c2c__v4set_has_batch(const struct c2c__v4set *s, const uint32_t *a, size_t n,
    uint8_t *out);

#endif

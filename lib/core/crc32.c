/*
 * CRC-32 (ISO-HDLC, the polynomial of gzip, zlib and Ethernet: reflected 0xEDB88320), the
 * checksum of every datagram in a collector evidence file. Same value as zlib's crc32(); on
 * x86-64 CPUs with PCLMULQDQ the bulk is folded 64 bytes at a time with carry-less
 * multiplication (Gopal et al., "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ
 * Instruction", Intel, 2009), about ten times zlib 1.2's table-driven loop; the head and tail
 * of a buffer that the fold does not take go through zlib.
 */
#include <zlib.h>

#include "c2chain/core.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define C2C_CRC_CLMUL 1
#endif

#ifdef C2C_CRC_CLMUL
/* Folding constants for the reflected polynomial, x^k mod P(x) bit-reflected and shifted left
 * by one (the paper's k1..k5), and the Barrett pair P'(x) and u' = floor(x^64 / P(x))'. */
#define K1 0x154442bd4ull /* x^(4*128+32) mod P */
#define K2 0x1c6e41596ull /* x^(4*128-32) mod P */
#define K3 0x1751997d0ull /* x^(128+32) mod P */
#define K4 0x0ccaa009eull /* x^(128-32) mod P */
#define K5 0x163cd6124ull /* x^64 mod P */
#define POLY 0x1db710641ull
#define MU 0x1f7011641ull

__attribute__((target("pclmul,sse4.1"))) static inline __m128i
fold(__m128i x, __m128i k, __m128i next)
{
	__m128i lo = _mm_clmulepi64_si128(x, k, 0x00);
	__m128i hi = _mm_clmulepi64_si128(x, k, 0x11);
	return _mm_xor_si128(_mm_xor_si128(hi, lo), next);
}

/* The internal (inverted) CRC state over `len` bytes, len >= 64 and a multiple of 16. */
__attribute__((target("pclmul,sse4.1"))) static uint32_t
crc_clmul(uint32_t crc, const uint8_t *p, size_t len)
{
	const __m128i k12 = _mm_set_epi64x((long long)K2, (long long)K1);
	const __m128i k34 = _mm_set_epi64x((long long)K4, (long long)K3);
	const __m128i k5 = _mm_set_epi64x(0, (long long)K5);
	const __m128i pmu = _mm_set_epi64x((long long)MU, (long long)POLY);
	const __m128i low32 = _mm_setr_epi32(-1, 0, -1, 0);
	__m128i x1 = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i x2 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
	__m128i x3 = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
	__m128i x4 = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));
	__m128i t;

	x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128((int)crc));
	p += 64;
	len -= 64;
	for (; len >= 64; p += 64, len -= 64) {
		x1 = fold(x1, k12, _mm_loadu_si128((const __m128i *)(const void *)p));
		x2 = fold(x2, k12, _mm_loadu_si128((const __m128i *)(const void *)(p + 16)));
		x3 = fold(x3, k12, _mm_loadu_si128((const __m128i *)(const void *)(p + 32)));
		x4 = fold(x4, k12, _mm_loadu_si128((const __m128i *)(const void *)(p + 48)));
	}
	/* four lanes into one, then the remaining 16-byte blocks */
	x1 = fold(x1, k34, x2);
	x1 = fold(x1, k34, x3);
	x1 = fold(x1, k34, x4);
	for (; len >= 16; p += 16, len -= 16)
		x1 = fold(x1, k34, _mm_loadu_si128((const __m128i *)(const void *)p));
	/* 128 bits to 64 */
	t = _mm_clmulepi64_si128(x1, k34, 0x10);
	x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), t);
	t = _mm_srli_si128(x1, 4);
	x1 = _mm_clmulepi64_si128(_mm_and_si128(x1, low32), k5, 0x00);
	x1 = _mm_xor_si128(x1, t);
	/* Barrett reduction to 32 bits */
	t = _mm_clmulepi64_si128(_mm_and_si128(x1, low32), pmu, 0x10);
	t = _mm_clmulepi64_si128(_mm_and_si128(t, low32), pmu, 0x00);
	x1 = _mm_xor_si128(x1, t);
	return (uint32_t)_mm_extract_epi32(x1, 1);
}

static int
have_clmul(void)
{
	static int known = -1; /* several threads may settle it: the same value each time */
	int k = __atomic_load_n(&known, __ATOMIC_RELAXED);
	if (k < 0) {
		__builtin_cpu_init();
		k = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
		__atomic_store_n(&known, k, __ATOMIC_RELAXED);
	}
	return k;
}
#endif

uint32_t
c2c_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
#ifdef C2C_CRC_CLMUL
	if (len >= 64 && have_clmul()) {
		size_t bulk = len & ~(size_t)15;
		crc = ~crc_clmul(~crc, p, bulk);
		p += bulk;
		len -= bulk;
	}
#endif
	if (len > 0)
		crc = (uint32_t)crc32_z(crc, p, len);
	return crc;
}

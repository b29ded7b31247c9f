/*
 * CRC-32 (ISO-HDLC, the polynomial of gzip, zlib and Ethernet: reflected 0xEDB88320), the
 * checksum of every datagram in a collector evidence file. Same value as zlib's crc32(). On
 * x86-64 CPUs with PCLMULQDQ the bulk is folded 64 bytes at a time with carry-less
 * multiplication (Gopal et al., "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ
 * Instruction", Intel, 2009), about three times zlib 1.2's loop, and 256 bytes at a time on
 * 512-bit registers where the CPU has AVX-512 and VPCLMULQDQ; the tail of a buffer that the
 * fold does not take (under 16 bytes) goes through zlib. The folding constants are x^k mod
 * P(x) for the fold distances, bit-reflected and shifted left by one, as in the paper; the
 * unit test checks every path against zlib.
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
#define K2048P 0x11542778aull /* x^(2048+32) mod P: four 512-bit registers apart */
#define K2048M 0x1322d1430ull /* x^(2048-32) mod P */
#define POLY 0x1db710641ull
#define MU 0x1f7011641ull

__attribute__((target("pclmul,sse4.1"))) static inline __m128i
fold(__m128i x, __m128i k, __m128i next)
{
	__m128i lo = _mm_clmulepi64_si128(x, k, 0x00);
	__m128i hi = _mm_clmulepi64_si128(x, k, 0x11);
	return _mm_xor_si128(_mm_xor_si128(hi, lo), next);
}

/* Four 128-bit lanes folded into one, the remaining 16-byte blocks, then the reduction of
 * 128 bits to the 32-bit state. */
__attribute__((target("pclmul,sse4.1"))) static inline uint32_t
crc_finish(__m128i x1, __m128i x2, __m128i x3, __m128i x4, const uint8_t *p, size_t len)
{
	const __m128i k34 = _mm_set_epi64x((long long)K4, (long long)K3);
	const __m128i k5 = _mm_set_epi64x(0, (long long)K5);
	const __m128i pmu = _mm_set_epi64x((long long)MU, (long long)POLY);
	const __m128i low32 = _mm_setr_epi32(-1, 0, -1, 0);
	__m128i t;

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

/* The internal (inverted) CRC state over `len` bytes, len >= 64 and a multiple of 16. */
__attribute__((target("pclmul,sse4.1"))) static uint32_t
crc_clmul(uint32_t crc, const uint8_t *p, size_t len)
{
	const __m128i k12 = _mm_set_epi64x((long long)K2, (long long)K1);
	__m128i x1 = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i x2 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
	__m128i x3 = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
	__m128i x4 = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));

	x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128((int)crc));
	p += 64;
	len -= 64;
	for (; len >= 64; p += 64, len -= 64) {
		x1 = fold(x1, k12, _mm_loadu_si128((const __m128i *)(const void *)p));
		x2 = fold(x2, k12, _mm_loadu_si128((const __m128i *)(const void *)(p + 16)));
		x3 = fold(x3, k12, _mm_loadu_si128((const __m128i *)(const void *)(p + 32)));
		x4 = fold(x4, k12, _mm_loadu_si128((const __m128i *)(const void *)(p + 48)));
	}
	return crc_finish(x1, x2, x3, x4, p, len);
}

/* The same fold on 512-bit registers (VPCLMULQDQ): four lanes per register, and four
 * registers 2048 bits apart while 256 bytes remain, so that the multiplications overlap. */
__attribute__((target("avx512f,vpclmulqdq,pclmul,sse4.1"))) static inline __m512i
fold512(__m512i x, __m512i k, __m512i next)
{
	__m512i lo = _mm512_clmulepi64_epi128(x, k, 0x00);
	__m512i hi = _mm512_clmulepi64_epi128(x, k, 0x11);
	return _mm512_ternarylogic_epi64(lo, hi, next, 0x96); /* lo ^ hi ^ next */
}

__attribute__((target("avx512f,vpclmulqdq,pclmul,sse4.1"))) static uint32_t
crc_vclmul(uint32_t crc, const uint8_t *p, size_t len)
{
	const __m512i k12 = _mm512_broadcast_i32x4(_mm_set_epi64x((long long)K2, (long long)K1));
	const __m512i k2048 = _mm512_broadcast_i32x4(_mm_set_epi64x((long long)K2048M,
	    (long long)K2048P));
	const __m512i c = _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)crc));
	__m512i x = _mm512_xor_si512(_mm512_loadu_si512((const void *)p), c);

	if (len >= 256) {
		__m512i x1 = _mm512_loadu_si512((const void *)(p + 64));
		__m512i x2 = _mm512_loadu_si512((const void *)(p + 128));
		__m512i x3 = _mm512_loadu_si512((const void *)(p + 192));
		for (p += 256, len -= 256; len >= 256; p += 256, len -= 256) {
			x = fold512(x, k2048, _mm512_loadu_si512((const void *)p));
			x1 = fold512(x1, k2048, _mm512_loadu_si512((const void *)(p + 64)));
			x2 = fold512(x2, k2048, _mm512_loadu_si512((const void *)(p + 128)));
			x3 = fold512(x3, k2048, _mm512_loadu_si512((const void *)(p + 192)));
		}
		x = fold512(x, k12, x1);
		x = fold512(x, k12, x2);
		x = fold512(x, k12, x3);
	} else {
		p += 64;
		len -= 64;
	}
	for (; len >= 64; p += 64, len -= 64)
		x = fold512(x, k12, _mm512_loadu_si512((const void *)p));
	return crc_finish(_mm512_extracti32x4_epi32(x, 0), _mm512_extracti32x4_epi32(x, 1),
	    _mm512_extracti32x4_epi32(x, 2), _mm512_extracti32x4_epi32(x, 3), p, len);
}

/* 0: zlib only; 1: PCLMULQDQ; 2: VPCLMULQDQ on 512 bits. */
static int
clmul_level(void)
{
	static int known = -1; /* several threads may settle it: the same value each time */
	int k = __atomic_load_n(&known, __ATOMIC_RELAXED);
	if (k < 0) {
		__builtin_cpu_init();
		k = 0;
		if (__builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1"))
			k = 1;
		if (k == 1 && __builtin_cpu_supports("avx512f") &&
		    __builtin_cpu_supports("vpclmulqdq"))
			k = 2;
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
	int level = len >= 64 ? clmul_level() : 0;
	if (level > 0) {
		size_t bulk = len & ~(size_t)15;
		crc = ~(level == 2 ? crc_vclmul(~crc, p, bulk) : crc_clmul(~crc, p, bulk));
		p += bulk;
		len -= bulk;
	}
#endif
	if (len > 0)
		crc = (uint32_t)crc32_z(crc, p, len);
	return crc;
}

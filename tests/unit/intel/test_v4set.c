/* Compact IPv4 membership index (lib/intel/v4set.c) against a naive reference: random sets of
 * addresses and ranges, bucket edges, 0.0.0.0 and 255.255.255.255, the empty set, duplicates,
 * adjacent and overlapping ranges, long runs, the batch form. C2C_TORTURE */
#include "intel/v4set.h"
#include "test.h"

static uint64_t rs = 0x2545F4914F6CDD1Dull;

static uint32_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)(rs >> 16);
}

static bool
naive(const struct c2c__v4range *r, size_t n, uint32_t a)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].first <= r[i].last && r[i].first <= a && a <= r[i].last)
			return true;
	return false;
}

/* Probe every range end, its neighbours, bucket edges around it, and random addresses; the
 * single and batch lookups of each form must agree with the reference. Forms: `small_max` 0
 * forces the line form, SIZE_MAX the flat form, C2C__V4SET_SMALL is what the store uses. */
static void
check(const struct c2c__v4range *r, size_t n)
{
	static const size_t forms[] = { 0, SIZE_MAX, C2C__V4SET_SMALL };
	size_t np = 0, cap = n * 8 + 2048, want_hits = 0;
	uint32_t *p = malloc(cap * sizeof(*p));
	uint8_t *out = malloc(cap), *want = malloc(cap);
	ASSERT(p != NULL && out != NULL && want != NULL);
	for (size_t i = 0; i < n; i++) {
		uint32_t f = r[i].first, l = r[i].last;
		p[np++] = f;
		p[np++] = l;
		p[np++] = f - 1;
		p[np++] = l + 1;
		p[np++] = f | 0xffffu;
		p[np++] = l & ~0xffffu;
		p[np++] = f + (l - f) / 2;
		p[np++] = (f & ~0xffffu) - 1;
	}
	uint32_t fixed[] = { 0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffeffff, 0xffff0000,
		0xfffffffe, 0xffffffff };
	for (size_t i = 0; i < C2C_ARRAY_LEN(fixed); i++)
		p[np++] = fixed[i];
	while (np < cap)
		p[np++] = rnd();
	for (size_t i = 0; i < np; i++) {
		want[i] = naive(r, n, p[i]);
		want_hits += want[i];
	}
	for (size_t f = 0; f < C2C_ARRAY_LEN(forms); f++) {
		struct c2c__v4set s;
		ASSERT_OK(c2c__v4set_build_ex(&s, r, n, forms[f], C2C__V4SET_PERBUCKET));
		if (forms[f] == 0 && s.n_ranges > 0)
			ASSERT(s.lines != NULL);
		if (forms[f] == SIZE_MAX)
			ASSERT(s.lines == NULL);
		for (size_t i = 0; i < np; i++)
			if (c2c__v4set_has(&s, p[i]) != want[i])
				TEST_FAIL_("address %08x: index says %d, reference %d (%zu ranges, "
					   "form %zu)",
				    p[i], !want[i], want[i], n, forms[f]);
		memset(out, 7, np);
		ASSERT_EQ(c2c__v4set_has_batch(&s, p, np, out), want_hits);
		ASSERT_MEM_EQ(out, want, np);
		c2c__v4set_fini(&s);
	}
	free(p);
	free(out);
	free(want);
}

static void
empty_set(void)
{
	struct c2c__v4set s;
	uint32_t a[3] = { 0, 0x01020304, 0xffffffff };
	uint8_t out[3] = { 9, 9, 9 };
	ASSERT_OK(c2c__v4set_build(&s, NULL, 0));
	ASSERT(s.lines == NULL);
	ASSERT_EQ(c2c__v4set_memory(&s), 0);
	for (int i = 0; i < 3; i++)
		ASSERT(!c2c__v4set_has(&s, a[i]));
	ASSERT_EQ(c2c__v4set_has_batch(&s, a, 3, out), 0);
	ASSERT(out[0] == 0 && out[1] == 0 && out[2] == 0);
	c2c__v4set_fini(&s);
	/* only inverted ranges: still empty */
	struct c2c__v4range bad = { 5, 4 };
	ASSERT_OK(c2c__v4set_build(&s, &bad, 1));
	ASSERT(!c2c__v4set_has(&s, 4) && !c2c__v4set_has(&s, 5));
	c2c__v4set_fini(&s);
}

static void
extremes(void)
{
	struct c2c__v4range r[] = { { 0, 0 }, { 0xffffffff, 0xffffffff } };
	check(r, 2);
	struct c2c__v4set s;
	ASSERT_OK(c2c__v4set_build(&s, r, 2));
	ASSERT(c2c__v4set_has(&s, 0) && c2c__v4set_has(&s, 0xffffffff));
	ASSERT(!c2c__v4set_has(&s, 1) && !c2c__v4set_has(&s, 0xfffffffe));
	ASSERT_EQ(s.n_ranges, 2);
	ASSERT(s.lines == NULL);     /* small: flat form */
	ASSERT_EQ(s.n_flat, 3);      /* 0, 1, 0xffffffff */
	ASSERT(c2c__v4set_memory(&s) <= 64);
	c2c__v4set_fini(&s);
	ASSERT_OK(c2c__v4set_build_ex(&s, r, 2, 0, C2C__V4SET_PERBUCKET));
	ASSERT_EQ(s.bits, 16);
	ASSERT(c2c__v4set_has(&s, 0) && c2c__v4set_has(&s, 0xffffffff));
	c2c__v4set_fini(&s);
	struct c2c__v4range all = { 0, 0xffffffff };
	check(&all, 1);
	ASSERT_OK(c2c__v4set_build_ex(&s, &all, 1, 0, C2C__V4SET_PERBUCKET));
	ASSERT_EQ(s.n_ranges, 1);
	ASSERT_EQ(s.n_overflow, 0); /* one "covered from 0" boundary per bucket */
	c2c__v4set_fini(&s);
	/* ranges ending on the last address of a bucket, singletons on bucket edges among wider
	 * ranges (boundary form with an entry at 0xffff) */
	struct c2c__v4range e[] = { { 0x0000fff0, 0x0000ffff }, { 0x00010000, 0x00010000 },
		{ 0x0002ffff, 0x0002ffff }, { 0x00020000, 0x00020005 }, { 0x0003fffe, 0x00050001 },
		{ 0xfffe0000, 0xffffffff } };
	check(e, C2C_ARRAY_LEN(e));
}

static void
duplicates_adjacent_overlapping(void)
{
	struct c2c__v4range r[] = { { 10, 10 }, { 10, 10 }, { 11, 11 }, { 20, 30 }, { 25, 40 },
		{ 41, 41 }, { 50, 60 }, { 52, 55 }, { 0x0000ffff, 0x0000ffff }, { 0x00010000, 0x00010000 },
		{ 0x00030000, 0x0003ffff }, { 0x00040000, 0x0004ffff }, { 100, 99 } };
	check(r, C2C_ARRAY_LEN(r));
	struct c2c__v4set s;
	ASSERT_OK(c2c__v4set_build(&s, r, C2C_ARRAY_LEN(r)));
	/* {10,11} {20..41} {50..60} {0xffff..0x10000} {0x30000..0x4ffff} */
	ASSERT_EQ(s.n_ranges, 5);
	c2c__v4set_fini(&s);
}

static void
random_singles(void)
{
	enum { N = 1200 };
	static struct c2c__v4range r[N];
	/* half clustered into four buckets, so runs are long and the binary search is used */
	for (size_t i = 0; i < N; i++) {
		uint32_t a = i % 2 ? rnd() : (0x0a000000u | (rnd() & 0x3ffff));
		r[i].first = r[i].last = a;
	}
	r[N - 1] = r[0]; /* a duplicate */
	check(r, N);
}

static void
random_mixed(void)
{
	enum { N = 600 };
	static struct c2c__v4range r[N];
	for (int round = 0; round < 4; round++) {
		size_t n = round == 0 ? 1 : round == 1 ? 17 : N;
		for (size_t i = 0; i < n; i++) {
			uint32_t a = rnd(), len;
			switch (rnd() % 4) {
			case 0: /* single */
				r[i].first = r[i].last = a;
				break;
			case 1: /* CIDR /8 .. /32 */
				len = 8 + rnd() % 25;
				r[i].first = len == 32 ? a : a & ~((1u << (32 - len)) - 1);
				r[i].last = len == 32 ? a : r[i].first | ((1u << (32 - len)) - 1);
				break;
			case 2: /* short arbitrary range, often across a bucket edge */
				r[i].first = (a | 0xffffu) - rnd() % 8;
				r[i].last = r[i].first + rnd() % 16;
				if (r[i].last < r[i].first)
					r[i].last = 0xffffffff;
				break;
			default: /* clustered singles in one /14 */
				r[i].first = r[i].last = 0xc0a80000u | (a & 0x3ffff);
				break;
			}
		}
		check(r, n);
	}
}

static void
every_other_address_one_bucket(void)
{
	enum { N = 32768 };
	static struct c2c__v4range r[N];
	for (uint32_t i = 0; i < N; i++)
		r[i].first = r[i].last = 0x0b0b0000u | (i * 2 + 1);
	struct c2c__v4set s;
	ASSERT_OK(c2c__v4set_build(&s, r, N));
	ASSERT(s.lines != NULL); /* over C2C__V4SET_SMALL entries: line form */
	for (uint32_t a = 0x0b0afff0u; a <= 0x0b0c0010u; a++)
		ASSERT_EQ(c2c__v4set_has(&s, a), (a >> 16) == 0x0b0b && (a & 1) != 0);
	/* one bucket over a line's capacity: its entries go to the pool, 2 bytes each */
	ASSERT_EQ(s.n_overflow, 1);
	ASSERT_EQ(s.n_pool, N);
	ASSERT(c2c__v4set_memory(&s) <= 65537 * 64 + (N + 32) * 2);
	c2c__v4set_fini(&s);
}

/* A set big enough for wider buckets (fewer low bits than 16), with ranges ending on bucket
 * edges; membership has a closed form, so any number of probes can be checked. */
static void
wide_buckets(void)
{
	enum { N = 1 << 16 };
	struct c2c__v4range *r = malloc(2 * N * sizeof(*r));
	ASSERT(r != NULL);
	for (uint32_t i = 0; i < N; i++) {
		r[2 * i].first = i << 12;
		r[2 * i].last = (i << 12) + 1;
		r[2 * i + 1].first = (i << 12) + 4000;
		r[2 * i + 1].last = (i << 12) + 4095;
	}
	struct c2c__v4set s;
	/* one entry per bucket on average: 2^18 buckets of 14 low bits */
	ASSERT_OK(c2c__v4set_build_ex(&s, r, 2 * N, 0, 1));
	free(r);
	ASSERT_EQ(s.bits, 18);
	ASSERT(s.bits > 16);
	ASSERT(s.lowmask < 0xffff);
	ASSERT_EQ(s.n_overflow, 0);
	enum { NP = 1 << 16 };
	static uint32_t p[NP];
	static uint8_t out[NP];
	size_t want_hits = 0;
	for (size_t i = 0; i < NP; i++) {
		uint32_t a = i < 64 ? ((uint32_t)i << s.shift) - 1 + (uint32_t)(i & 1)
		    : i % 16 == 0 ? rnd() : rnd() % ((uint32_t)N << 12 | 4096);
		uint32_t low = a & 4095;
		bool want = a < (uint32_t)N << 12 && (low <= 1 || low >= 4000);
		p[i] = a;
		want_hits += want;
		if (c2c__v4set_has(&s, a) != want)
			TEST_FAIL_("address %08x: index says %d", a, !want);
	}
	ASSERT_EQ(c2c__v4set_has_batch(&s, p, NP, out), want_hits);
	c2c__v4set_fini(&s);
}

TEST_MAIN(empty_set, extremes, duplicates_adjacent_overlapping, random_singles, random_mixed,
    every_other_address_one_bucket, wide_buckets)

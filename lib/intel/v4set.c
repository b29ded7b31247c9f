/*
 * The compact IPv4 membership index (v4set.h): build by radix-sorting the ranges, merging them
 * into maximal disjoint intervals, choosing the bucket width from their number and cutting them
 * at bucket boundaries into one cache line per bucket; the pool lookup; batch lookups with
 * software prefetch.
 */
#include "intel/v4set.h"

#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "c2chain/core.h"

#define LINE_BYTES (C2C__V4SET_LINE * sizeof(uint16_t))

void
c2c__v4set_fini(struct c2c__v4set *s)
{
	c2c_free(s->mem);
	c2c_free(s->pool);
	c2c_free(s->flat);
	memset(s, 0, sizeof(*s));
}

size_t
c2c__v4set_memory(const struct c2c__v4set *s)
{
	if (s->lines == NULL)
		return s->n_flat * sizeof(*s->flat);
	return ((size_t)1 << s->bits) * LINE_BYTES + LINE_BYTES +
	    (s->pool ? (s->n_pool + C2C__V4SET_LINE) * sizeof(*s->pool) : 0);
}

/* Stable LSD radix sort of (first << 32 | last) keys by `first`, one byte per pass; passes on a
 * byte that every key shares are skipped. Result in *a (the two buffers may be swapped). */
static void
sort_by_first(uint64_t **a, uint64_t **tmp, size_t n)
{
	for (unsigned shift = 32; shift < 64; shift += 8) {
		size_t cnt[256] = { 0 };
		uint64_t *src = *a, *dst = *tmp;
		for (size_t i = 0; i < n; i++)
			cnt[(src[i] >> shift) & 255]++;
		if (cnt[(src[0] >> shift) & 255] == n)
			continue;
		size_t sum = 0;
		for (unsigned b = 0; b < 256; b++) {
			size_t c = cnt[b];
			cnt[b] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[cnt[(src[i] >> shift) & 255]++] = src[i];
		*a = dst;
		*tmp = src;
	}
}

/* Merge sorted keys into maximal disjoint, non-adjacent intervals, in place; returns the count. */
static size_t
merge(uint64_t *k, size_t n)
{
	size_t m = 0;
	uint32_t cf = (uint32_t)(k[0] >> 32), cl = (uint32_t)k[0];
	for (size_t i = 1; i < n; i++) {
		uint32_t f = (uint32_t)(k[i] >> 32), l = (uint32_t)k[i];
		if (cl == UINT32_MAX || f <= cl + 1) { /* overlaps or touches the current one */
			if (l > cl)
				cl = l;
			continue;
		}
		k[m++] = (uint64_t)cf << 32 | cl;
		cf = f;
		cl = l;
	}
	k[m++] = (uint64_t)cf << 32 | cl;
	return m;
}

/* Ask for huge pages under a large line array: a lookup touches one line anywhere in it, and
 * with 4 KiB pages that is also a TLB miss. Advice only; nothing depends on it. */
static void
advise_huge(void *p, size_t len)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	const uintptr_t huge = (uintptr_t)1 << 21;
	uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1), b = ((uintptr_t)p + len) & ~(huge - 1);
	if (b > a)
		(void)madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
	(void)p;
	(void)len;
#endif
}

/* Where the entries of bucket h go: into its line, or at pool[off...]. */
static uint16_t *
dest(struct c2c__v4set *s, uint16_t *lines, uint32_t h)
{
	uint16_t *line = lines + (size_t)h * C2C__V4SET_LINE;
	if ((line[0] & C2C__V4SET_OVERFLOW) == 0)
		return line + 1;
	return s->pool + ((uint32_t)line[1] | (uint32_t)line[2] << 16);
}

c2c_err
c2c__v4set_build(struct c2c__v4set *s, const struct c2c__v4range *r, size_t n)
{
	return c2c__v4set_build_ex(s, r, n, C2C__V4SET_SMALL, C2C__V4SET_PERBUCKET);
}

/* The flat form: interval [f, l] gives f and, unless l is the last address, l + 1. */
static c2c_err
build_flat(struct c2c__v4set *s, const uint64_t *keys, size_t m, size_t est)
{
	s->flat = c2c_reallocarray(NULL, est ? est : 1, sizeof(*s->flat));
	if (s->flat == NULL)
		return C2C_ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < m; i++) {
		uint32_t f = (uint32_t)(keys[i] >> 32), l = (uint32_t)keys[i];
		s->flat[k++] = f;
		if (l != UINT32_MAX)
			s->flat[k++] = l + 1;
	}
	s->n_flat = k;
	return C2C_OK;
}

c2c_err
c2c__v4set_build_ex(struct c2c__v4set *s, const struct c2c__v4range *r, size_t n,
    size_t small_max, size_t per_bucket)
{
	c2c_err err = C2C_OK;
	uint64_t *k = NULL, *tmp = NULL, *keys;
	uint32_t *nsing = NULL, *nbound = NULL;
	uint16_t *lines;
	size_t nv = 0, m, nb, est, pool = 0;
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++)
		nv += r[i].first <= r[i].last;
	if (nv == 0)
		return C2C_OK;
	k = c2c_reallocarray(NULL, nv, sizeof(*k));
	tmp = c2c_reallocarray(NULL, nv, sizeof(*tmp));
	if (k == NULL || tmp == NULL) {
		err = C2C_ENOMEM;
		goto out;
	}
	nv = 0;
	for (size_t i = 0; i < n; i++)
		if (r[i].first <= r[i].last)
			k[nv++] = (uint64_t)r[i].first << 32 | r[i].last;
	keys = k;
	sort_by_first(&keys, &tmp, nv);
	k = keys; /* the sort may have swapped the two buffers; k and tmp still own one each */
	m = merge(keys, nv);
	s->n_ranges = m;

	/* Entries: about one per single address and two per wider interval in the line form,
	 * two per interval in the flat form. */
	est = 0;
	for (size_t i = 0; i < m; i++)
		est += 1 + ((uint32_t)(keys[i] >> 32) != (uint32_t)keys[i]);
	if (2 * m <= small_max) {
		err = build_flat(s, keys, m, 2 * m);
		goto out;
	}
	/* Bucket width from the entry count. */
	s->bits = C2C__V4SET_MINBITS;
	while (s->bits < C2C__V4SET_MAXBITS && (per_bucket << s->bits) < est)
		s->bits++;
	s->shift = 32 - s->bits;
	s->lowmask = (uint32_t)(((uint64_t)1 << s->shift) - 1);
	nb = (size_t)1 << s->bits;
	nsing = c2c_calloc(nb, sizeof(*nsing));
	nbound = c2c_calloc(nb, sizeof(*nbound));
	/* one spare line to align the lines on 64 bytes */
	s->mem = c2c_calloc(nb + 1, LINE_BYTES);
	if (nsing == NULL || nbound == NULL || s->mem == NULL) {
		err = C2C_ENOMEM;
		goto out;
	}
	advise_huge(s->mem, (nb + 1) * LINE_BYTES);
	lines = (uint16_t *)(void *)(((uintptr_t)s->mem + LINE_BYTES - 1) &
	    ~(uintptr_t)(LINE_BYTES - 1));
	s->lines = lines;

	/* Count: per bucket the single addresses and the boundaries it would need. Intervals are
	 * disjoint, so the bucket visits total at most m + 2^bits. */
	for (size_t i = 0; i < m; i++) {
		uint32_t f = (uint32_t)(keys[i] >> 32), l = (uint32_t)keys[i];
		if (f == l) {
			nsing[f >> s->shift]++;
			nbound[f >> s->shift] += 1u + ((f & s->lowmask) != s->lowmask);
			continue;
		}
		for (uint32_t h = f >> s->shift;; h++) {
			uint32_t cl = h == l >> s->shift ? (l & s->lowmask) : s->lowmask;
			nbound[h] += 1u + (cl != s->lowmask);
			nsing[h] |= 0x80000000u; /* holds a wider interval */
			if (h == l >> s->shift)
				break;
		}
	}
	/* Headers; buckets over C2C__V4SET_INLINE entries get a run in the pool. */
	for (size_t h = 0; h < nb; h++) {
		bool wide = (nsing[h] & 0x80000000u) != 0;
		size_t cnt = wide ? nbound[h] : nsing[h];
		uint16_t *line = lines + h * C2C__V4SET_LINE;
		uint16_t hdr = wide ? C2C__V4SET_BOUNDARY : 0;
		if (cnt <= C2C__V4SET_INLINE) {
			line[0] = (uint16_t)(hdr | cnt);
			continue;
		}
		if (pool + cnt > UINT32_MAX) {
			err = C2C_ELIMIT;
			goto out;
		}
		line[0] = (uint16_t)(hdr | C2C__V4SET_OVERFLOW);
		line[1] = (uint16_t)pool;
		line[2] = (uint16_t)(pool >> 16);
		line[3] = (uint16_t)cnt;
		line[4] = (uint16_t)(cnt >> 16);
		pool += cnt;
		s->n_overflow++;
	}
	if (s->n_overflow > 0) {
		s->pool = c2c_calloc(pool + C2C__V4SET_LINE, sizeof(*s->pool));
		if (s->pool == NULL) {
			err = C2C_ENOMEM;
			goto out;
		}
		s->n_pool = pool;
	}
	/* Fill in interval order (so each bucket's entries come out increasing), counting the
	 * entries written per bucket in nsing. */
	memset(nsing, 0, nb * sizeof(*nsing));
	for (size_t i = 0; i < m; i++) {
		uint32_t f = (uint32_t)(keys[i] >> 32), l = (uint32_t)keys[i];
		for (uint32_t h = f >> s->shift;; h++) {
			uint32_t cf = h == f >> s->shift ? (f & s->lowmask) : 0;
			uint32_t cl = h == l >> s->shift ? (l & s->lowmask) : s->lowmask;
			uint16_t *d = dest(s, lines, h);
			d[nsing[h]++] = (uint16_t)cf;
			if ((lines[(size_t)h * C2C__V4SET_LINE] & C2C__V4SET_BOUNDARY) != 0 &&
			    cl != s->lowmask)
				d[nsing[h]++] = (uint16_t)(cl + 1);
			if (h == l >> s->shift)
				break;
		}
	}
out:
	c2c_free(k);
	c2c_free(tmp);
	c2c_free(nsing);
	c2c_free(nbound);
	if (err != C2C_OK)
		c2c__v4set_fini(s);
	return err;
}

bool
c2c__v4set_has_pool(const struct c2c__v4set *s, const uint16_t *line, uint32_t x)
{
	const uint16_t *run = s->pool + ((uint32_t)line[1] | (uint32_t)line[2] << 16);
	uint32_t n = (uint32_t)line[3] | (uint32_t)line[4] << 16;
	/* p = number of entries <= x (upper bound) */
	uint32_t a = 0, b = n;
	while (a < b) {
		uint32_t mid = a + (b - a) / 2;
		if (run[mid] <= x)
			a = mid + 1;
		else
			b = mid;
	}
	if ((line[0] & C2C__V4SET_BOUNDARY) != 0)
		return (a & 1) != 0;
	return a > 0 && run[a - 1] == x;
}

size_t
c2c__v4set_has_batch(const struct c2c__v4set *s, const uint32_t *a, size_t n, uint8_t *out)
{
	enum { AHEAD = 16 };
	size_t hits = 0, i = 0;
	/* The line address depends on the probe alone, so one prefetch stage suffices. */
	for (; s->lines != NULL && i + AHEAD < n; i++) {
		__builtin_prefetch(s->lines + (size_t)(a[i + AHEAD] >> s->shift) * C2C__V4SET_LINE);
		bool v = c2c__v4set_has(s, a[i]);
		out[i] = v;
		hits += v;
	}
	for (; i < n; i++) {
		bool v = c2c__v4set_has(s, a[i]);
		out[i] = v;
		hits += v;
	}
	return hits;
}

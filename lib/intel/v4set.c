/*
 * The compact IPv4 membership index (v4set.h): build by radix-sorting the ranges, merging them
 * into maximal disjoint intervals and cutting those at /16 boundaries; batch lookups with
 * software prefetch.
 */
#include "intel/v4set.h"

#include <string.h>

#include "c2chain/core.h"

#define NBUCKET 65536u

void
c2c__v4set_fini(struct c2c__v4set *s)
{
	c2c_free(s->top);
	c2c_free(s->mem);
	memset(s, 0, sizeof(*s));
}

size_t
c2c__v4set_memory(const struct c2c__v4set *s)
{
	if (s->top == NULL)
		return 0;
	return (NBUCKET + 1) * sizeof(*s->top) + (s->n_lo + 1 + C2C__V4SET_SCAN) * sizeof(*s->lo);
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

c2c_err
c2c__v4set_build(struct c2c__v4set *s, const struct c2c__v4range *r, size_t n)
{
	c2c_err err = C2C_OK;
	uint64_t *k = NULL, *tmp = NULL;
	uint32_t *nsing = NULL, *nbound = NULL, *pos = NULL;
	uint64_t *keys;
	size_t nv = 0, m, total = 0;
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++)
		nv += r[i].first <= r[i].last;
	if (nv == 0)
		return C2C_OK;
	k = c2c_reallocarray(NULL, nv, sizeof(*k));
	tmp = c2c_reallocarray(NULL, nv, sizeof(*tmp));
	nsing = c2c_calloc(NBUCKET, sizeof(*nsing));
	nbound = c2c_calloc(NBUCKET, sizeof(*nbound));
	s->top = c2c_calloc(NBUCKET + 1, sizeof(*s->top));
	if (k == NULL || tmp == NULL || nsing == NULL || nbound == NULL || s->top == NULL) {
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

	/* Count: per bucket the single addresses and the boundaries it would need. Intervals are
	 * disjoint, so the bucket visits total at most m + 65,536. */
	for (size_t i = 0; i < m; i++) {
		uint32_t f = (uint32_t)(keys[i] >> 32), l = (uint32_t)keys[i];
		if (f == l) {
			nsing[f >> 16]++;
			nbound[f >> 16] += 1u + ((f & 0xffffu) != 0xffffu);
			continue;
		}
		for (uint32_t h = f >> 16;; h++) {
			uint32_t cl = h == l >> 16 ? (l & 0xffffu) : 0xffffu;
			nbound[h] += 1u + (cl != 0xffffu);
			nsing[h] |= C2C__V4SET_MODE; /* holds a wider interval */
			if (h == l >> 16)
				break;
		}
	}
	for (uint32_t h = 0; h < NBUCKET; h++) {
		bool wide = (nsing[h] & C2C__V4SET_MODE) != 0;
		size_t cnt = wide ? nbound[h] : nsing[h];
		s->top[h] = (uint32_t)total | (wide ? C2C__V4SET_MODE : 0);
		total += cnt;
		if (total > C2C__V4SET_OFF) {
			err = C2C_ELIMIT;
			goto out;
		}
	}
	s->top[NBUCKET] = (uint32_t)total;
	s->mem = c2c_calloc(total + 1 + C2C__V4SET_SCAN, sizeof(*s->mem));
	if (s->mem == NULL) {
		err = C2C_ENOMEM;
		goto out;
	}
	s->lo = s->mem + 1;
	s->n_lo = total;
	/* Fill, reusing nbound as the write cursor of each bucket. */
	pos = nbound;
	for (uint32_t h = 0; h < NBUCKET; h++)
		pos[h] = s->top[h] & C2C__V4SET_OFF;
	for (size_t i = 0; i < m; i++) {
		uint32_t f = (uint32_t)(keys[i] >> 32), l = (uint32_t)keys[i];
		for (uint32_t h = f >> 16;; h++) {
			uint32_t cf = h == f >> 16 ? (f & 0xffffu) : 0;
			uint32_t cl = h == l >> 16 ? (l & 0xffffu) : 0xffffu;
			s->lo[pos[h]++] = (uint16_t)cf;
			if ((s->top[h] & C2C__V4SET_MODE) != 0 && cl != 0xffffu)
				s->lo[pos[h]++] = (uint16_t)(cl + 1);
			if (h == l >> 16)
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

size_t
c2c__v4set_has_batch(const struct c2c__v4set *s, const uint32_t *a, size_t n, uint8_t *out)
{
	enum { NEAR = 8, FAR = 16 };
	size_t hits = 0, i = 0;
	if (s->top == NULL) {
		memset(out, 0, n);
		return 0;
	}
	/* Two-stage prefetch: the top entry FAR ahead, the run NEAR ahead (its top entry is then
	 * in cache, so computing the address costs no stall). */
	for (; i + FAR < n; i++) {
		__builtin_prefetch(&s->top[a[i + FAR] >> 16]);
		uint32_t t = s->top[a[i + NEAR] >> 16] & C2C__V4SET_OFF;
		__builtin_prefetch(&s->lo[t]);
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

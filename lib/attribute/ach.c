/*
 * Scoring of the ACH matrix (reference/attribution.md §4.4), integers only.
 *
 * (i) PARC weighted inconsistency: w = cred x rel read from a table indexed by the sum of their
 *     sqrt(2)-exponents ({500, 707, 1000, 1414, 2000}, x1000), times {II: -2, I: -1, else 0}.
 *     Items of one independence group share one vote: the group contributes its strongest
 *     (most negative) weighted rating per hypothesis.
 * (ii) Bounded likelihood-ratio pass: each rating maps to a log10-likelihood category in
 *     milli-bans (CC expected 0; C and N plausible -300; I surprising -1000; II very surprising
 *     -2000), each item is capped by its spoofability, a group votes with its item of largest
 *     spread, and the posterior of the leader is computed with 10^(-d/1024) evaluated by an
 *     integer square-root chain (no floating point, identical on every machine).
 */
#include <string.h>

#include "attribute/assess_int.h"

static const int pair_weight[5] = { 500, 707, 1000, 1414, 2000 };

void
c2c__ach_weights(struct c2c__model *m)
{
	for (int i = 0; i < m->n_item; i++) {
		struct c2c__item *it = &m->items[i];
		int e = it->cred + it->rel + 2;
		if (e < 0)
			e = 0;
		if (e > 4)
			e = 4;
		it->weight_e3 = pair_weight[e];
	}
}

static int
consistency(uint8_t r)
{
	return r == C2C__R_II ? -2 : (r == C2C__R_I ? -1 : 0);
}

int64_t
c2c__ach_group_contrib(const struct c2c__model *m, int g, int h)
{
	int64_t best = 0;
	for (int i = 0; i < m->n_item; i++) {
		const struct c2c__item *it = &m->items[i];
		int64_t v;
		if (it->group != g)
			continue;
		v = (int64_t)it->weight_e3 * consistency(it->rating[h]);
		if (v < best)
			best = v;
	}
	return best;
}

void
c2c__ach_scores(const struct c2c__model *m, int skip_group, int64_t *scores)
{
	for (int h = 0; h < m->n_hyp; h++) {
		scores[h] = 0;
		for (int g = 0; g < m->n_group; g++)
			if (g != skip_group)
				scores[h] += c2c__ach_group_contrib(m, g, h);
	}
}

int
c2c__ach_leaders(const struct c2c__model *m, const int64_t *scores, int *out, int cap)
{
	int64_t best = INT64_MIN;
	int n = 0;
	for (int h = 0; h < m->n_hyp; h++)
		if (!m->hyp[h].removed && scores[h] > best)
			best = scores[h];
	for (int h = 0; h < m->n_hyp; h++) {
		if (m->hyp[h].removed || scores[h] != best)
			continue;
		if (n < cap)
			out[n] = h;
		n++;
	}
	return n;
}

/* ---- integer powers of ten --------------------------------------------------------------------- */

static uint64_t
isqrt_u64(uint64_t x)
{
	uint64_t r = 0, bit = (uint64_t)1 << 62;
	while (bit > x)
		bit >>= 2;
	while (bit != 0) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

#define Q30 ((uint64_t)1 << 30)

/* base[k] = 10^(-2^k/1024) in Q30 for k = 0..9, from 10^-1 by repeated square roots. */
static void
pow10_bases(uint64_t base[10])
{
	uint64_t v = (Q30 + 5) / 10; /* 0.1 in Q30, rounded */
	base[9] = isqrt_u64(v << 30);
	for (int k = 8; k >= 0; k--)
		base[k] = isqrt_u64(base[k + 1] << 30);
}

uint64_t
c2c__pow10_neg_q30(int64_t d)
{
	uint64_t base[10], v = Q30;
	int64_t q, r;
	if (d <= 0)
		return Q30;
	q = d / 1024;
	r = d % 1024;
	if (q >= 10)
		return 0;
	pow10_bases(base);
	for (int k = 0; k < 10; k++)
		if (r & (1 << k))
			v = (v * base[k] + (Q30 >> 1)) >> 30;
	while (q-- > 0)
		v = (v + 5) / 10;
	return v;
}

/* ---- likelihood-ratio pass --------------------------------------------------------------------- */

static int
lr_of(uint8_t r)
{
	switch (r) {
	case C2C__R_CC: return 0;
	case C2C__R_C: return -300;
	case C2C__R_N: return -300;
	case C2C__R_I: return -1000;
	case C2C__R_II: return -2000;
	default: return 1; /* NA: filled in below */
	}
}

static int64_t
mb_to_units(int64_t mb)
{
	/* milli-bans -> 1/1024 ban, rounded half away from zero */
	int64_t x = mb * 1024;
	return x >= 0 ? (x + 500) / 1000 : -((-x + 500) / 1000);
}

static c2c_err
read_priors(const struct c2c__model *m, const json_t *priors, int64_t *lo, int64_t *hi,
    struct c2c_diag *diag)
{
	size_t i;
	const json_t *p;
	for (int h = 0; h < m->n_hyp; h++)
		lo[h] = hi[h] = 1000000; /* uniform: equal weights cancel */
	json_array_foreach(priors, i, p) {
		const char *id = json_string_value(json_object_get(p, "hypothesis"));
		json_int_t a = json_integer_value(json_object_get(p, "min_e6"));
		json_int_t b = json_integer_value(json_object_get(p, "max_e6"));
		bool found = false;
		if (id == NULL || a <= 0 || b < a || b > 1000000)
			return c2c_diag_set(diag, C2C_EINVAL, "priors", i,
			    "prior %zu needs hypothesis and 0 < min_e6 <= max_e6 <= 1000000", i);
		for (int h = 0; h < m->n_hyp; h++) {
			if (strcmp(m->hyp[h].id, id) == 0) {
				lo[h] = a;
				hi[h] = b;
				found = true;
			}
		}
		if (!found)
			return c2c_diag_set(diag, C2C_EINVAL, "priors", i, "no hypothesis %s", id);
	}
	return C2C_OK;
}

static int64_t
posterior(const struct c2c__model *m, int leader, const int64_t *units, const int64_t *p_lead,
    const int64_t *p_other)
{
	int64_t umax = INT64_MIN, num = 0, den = 0;
	for (int h = 0; h < m->n_hyp; h++)
		if (!m->hyp[h].removed && units[h] > umax)
			umax = units[h];
	for (int h = 0; h < m->n_hyp; h++) {
		int64_t w;
		if (m->hyp[h].removed)
			continue;
		/* Q20 keeps p (<= 1e6) x f within 2^40 and the final x1e6 below 2^63. */
		w = (int64_t)(c2c__pow10_neg_q30(umax - units[h]) >> 10) *
		    (h == leader ? p_lead[h] : p_other[h]);
		den += w;
		if (h == leader)
			num = w;
	}
	if (den == 0)
		return 0;
	return (num * 1000000 + den / 2) / den;
}

c2c_err
c2c__lr_pass(struct c2c__model *m, const json_t *priors, int64_t *total_mb,
    int64_t *post_least_e6, int64_t *post_most_e6, struct c2c_diag *diag)
{
	int64_t lo[C2C__MAX_HYP], hi[C2C__MAX_HYP], units[C2C__MAX_HYP];
	c2c_err rc;

	for (int i = 0; i < m->n_item; i++) {
		struct c2c__item *it = &m->items[i];
		int mx = -100000;
		for (int h = 0; h < m->n_hyp; h++) {
			it->lr_mb[h] = lr_of(it->rating[h]);
			if (it->lr_mb[h] <= 0 && it->lr_mb[h] > mx && !m->hyp[h].removed)
				mx = it->lr_mb[h];
		}
		if (mx == -100000)
			mx = 0;
		for (int h = 0; h < m->n_hyp; h++) {
			if (it->lr_mb[h] > 0)
				it->lr_mb[h] = mx; /* NA carries no information */
			if (it->lr_mb[h] < mx - it->lr_cap_mb)
				it->lr_mb[h] = mx - it->lr_cap_mb; /* spoofability cap */
		}
		/* False-flag neutrality for plantable items: LR = 1 between X and FF(X). */
		if (it->spoof <= C2C__SP_LOW) {
			for (int h = 0; h < m->n_hyp; h++) {
				if (m->hyp[h].kind != C2C__H_FF)
					continue;
				for (int x = 0; x < m->n_hyp; x++)
					if (m->hyp[x].kind == C2C__H_CAND &&
					    m->hyp[x].cand == m->hyp[h].cand)
						it->lr_mb[h] = it->lr_mb[x];
			}
		}
	}
	for (int h = 0; h < m->n_hyp; h++)
		total_mb[h] = 0;
	/* One vote per group: the item with the largest spread (first on ties). */
	for (int g = 0; g < m->n_group; g++) {
		int best = -1, best_spread = -1;
		for (int i = 0; i < m->n_item; i++) {
			const struct c2c__item *it = &m->items[i];
			int mn = 0, mx = -100000;
			if (it->group != g)
				continue;
			mn = 0;
			for (int h = 0; h < m->n_hyp; h++) {
				if (m->hyp[h].removed)
					continue;
				if (it->lr_mb[h] > mx)
					mx = it->lr_mb[h];
				if (it->lr_mb[h] < mn)
					mn = it->lr_mb[h];
			}
			if (mx - mn > best_spread) {
				best_spread = mx - mn;
				best = i;
			}
		}
		if (best < 0)
			continue;
		for (int h = 0; h < m->n_hyp; h++)
			total_mb[h] += m->items[best].lr_mb[h];
	}
	if ((rc = read_priors(m, priors, lo, hi, diag)) != C2C_OK)
		return rc;
	for (int h = 0; h < m->n_hyp; h++)
		units[h] = mb_to_units(total_mb[h]);
	/* Least favourable: the hypothesis at its lowest prior, every rival at its highest. */
	for (int h = 0; h < m->n_hyp; h++) {
		post_least_e6[h] = m->hyp[h].removed ? 0 : posterior(m, h, units, lo, hi);
		post_most_e6[h] = m->hyp[h].removed ? 0 : posterior(m, h, units, hi, lo);
	}
	return C2C_OK;
}

void
c2c_icd203_term(int64_t p, const char **term, int *lo, int *hi)
{
	static const struct {
		int64_t below; /* upper bound (exclusive) in millionths */
		const char *t;
		int lo, hi;
	} band[] = {
		{ 50000, "almost no chance", 1, 5 }, { 200000, "very unlikely", 5, 20 },
		{ 450000, "unlikely", 20, 45 }, { 550001, "roughly even chance", 45, 55 },
		{ 800000, "likely", 55, 80 }, { 950000, "very likely", 80, 95 },
		{ INT64_MAX, "almost certain", 95, 99 },
	};
	size_t i;
	if (p < 10000)
		p = 10000;
	if (p > 990000)
		p = 990000;
	for (i = 0; i + 1 < C2C_ARRAY_LEN(band) && p >= band[i].below; i++)
		;
	*term = band[i].t;
	*lo = band[i].lo;
	*hi = band[i].hi;
}

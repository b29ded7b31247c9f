/*
 * Beacon score in the style of RITA v5 (analysis/beacons.go), in integers. Four sub-scores:
 * timestamp regularity (Bowley skewness and MAD of the non-zero inter-connection intervals),
 * data-size regularity (the same over originator IP bytes), duration (coverage of the window
 * and the longest run of non-empty histogram bins) and histogram shape (coefficient of variation
 * of the bin counts, or the bimodal fit), combined by weights. Every ratio is computed exactly
 * from 128-bit integers and rounded once at the precision of the mode: thousandths for `rita`
 * (its math.Round(x*1000)/1000 and math.Ceil), millionths by default. docs/detection.md gives
 * the formulas; the kernel does not know which mode it runs in beyond `precision`.
 */
#include <string.h>

#include "detect/internal.h"

/* (skewScore + madScore) / 2 of sorted x[0..n), in units of 1/precision. */
static int64_t
stat_score(const struct c2c__beacon_params *p, const int64_t *x, size_t n, int64_t min_iqr,
    int64_t default_mad, int64_t *dev, int64_t *skew_e6, int64_t *mad_e6, int64_t *median2,
    int64_t *mad4)
{
	int64_t q[3], bn = 0, bd = 1, mn, md;
	c2c__quartiles2(x, n, q);
	if (q[2] - q[0] >= 2 * min_iqr && q[1] != q[0] && q[1] != q[2]) {
		bn = q[0] + q[2] - 2 * q[1];
		bd = q[2] - q[0];
	}
	for (size_t i = 0; i < n; i++) {
		int64_t d = 2 * x[i] - q[1];
		dev[i] = d < 0 ? -d : d;
	}
	c2c__sort_i64(dev, n);
	*mad4 = c2c__median2(dev, n);
	*median2 = q[1];
	if (q[1] >= 2) { /* median >= 1 unit */
		mn = 2 * q[1] - *mad4;
		md = 2 * q[1];
		if (mn < 0) {
			mn = 0;
			md = 1;
		}
	} else {
		mn = default_mad;
		md = 1;
	}
	*skew_e6 = c2c__div_round((c2c_i128)bn * C2C_E6, bd);
	*mad_e6 = c2c__div_round((c2c_i128)mn * C2C_E6, md);
	c2c_i128 absbn = bn < 0 ? -(c2c_i128)bn : bn;
	c2c_i128 num = ((c2c_i128)bd - absbn) * md + (c2c_i128)mn * bd;
	return c2c__div_round(num * p->precision, (c2c_i128)2 * bd * md);
}

/* Coefficient-of-variation score round_p(1 - sigma/mu) of the bin counts, 0 when cv > 1. */
static int64_t
cv_score(const uint64_t *h, uint32_t bins, int64_t prec)
{
	c2c_u128 s = 0, s2 = 0, q, a, s_sq;
	int64_t k;
	for (uint32_t i = 0; i < bins; i++) {
		s += h[i];
		s2 += (c2c_u128)h[i] * h[i];
	}
	if (s == 0)
		return 0;
	q = (c2c_u128)bins * s2 - s * s; /* bins^2 * variance */
	s_sq = s * s;
	if (q > s_sq)
		return 0;
	/* k = ceil(y - 1/2) with y = prec * sqrt(q) / s; the score is prec - k. */
	a = (c2c_u128)4 * (c2c_u128)prec * (c2c_u128)prec * q;
	k = (int64_t)(c2c__isqrt128(a) / (2 * s));
	while ((c2c_u128)(2 * k + 1) * (c2c_u128)(2 * k + 1) * s_sq < a)
		k++;
	while (k > 0 && (c2c_u128)(2 * k - 1) * (c2c_u128)(2 * k - 1) * s_sq >= a)
		k--;
	return k >= prec ? 0 : prec - k;
}

/* Histogram of ts over `bins` equal bins of [t_min, t_max]: earlier times fall in bin 0 and the
 * end point in the last bin (RITA's createHistogram). Returns hist and bimodal sub-scores. */
static void
histogram(const struct c2c__beacon_params *p, const int64_t *ts, size_t n, int64_t t_min,
    int64_t t_max, uint64_t *h, int64_t *bucket, struct c2c__beacon_result *r, int64_t *hist_p)
{
	uint32_t bins = p->bins, bars = 0, run = 0, longest = 0, nb = 0;
	uint64_t largest = 0, bin_size, top1 = 0, top2 = 0;
	int64_t cv, bimodal = 0;

	memset(h, 0, bins * sizeof(*h));
	for (size_t i = 0; i < n; i++) {
		c2c_i128 idx = ts[i] <= t_min ? 0
					       : (c2c_i128)bins * (ts[i] - t_min) / (t_max - t_min);
		if (idx >= bins)
			idx = bins - 1;
		h[(size_t)idx]++;
	}
	for (uint32_t i = 0; i < bins; i++) {
		if (h[i] > 0)
			bars++;
		if (h[i] > largest)
			largest = h[i];
	}
	/* Longest run of non-empty bins, wrapping from the last bin to the first. */
	for (uint32_t i = 0; i < 2 * bins; i++) {
		if (h[i % bins] > 0) {
			run++;
		} else {
			if (run > longest)
				longest = run;
			run = 0;
		}
	}
	if (run > longest)
		longest = run;
	if (longest > bins)
		longest = bins;
	/* Bimodal fit: group bar heights into buckets of ceil(largest * sensitivity). */
	bin_size = (uint64_t)c2c__div_ceil((c2c_i128)largest * p->mode_sens_e6, C2C_E6);
	if (bin_size == 0)
		bin_size = 1;
	for (uint32_t i = 0; i < bins; i++)
		if (h[i] > 0)
			bucket[nb++] = (int64_t)(h[i] / bin_size * bin_size);
	c2c__sort_i64(bucket, nb);
	for (uint32_t i = 0; i < nb;) {
		uint32_t j = i;
		while (j < nb && bucket[j] == bucket[i])
			j++;
		uint64_t c = j - i;
		if (c > top1) {
			top2 = top1;
			top1 = c;
		} else if (c > top2) {
			top2 = c;
		}
		i = j;
	}
	if (bars >= p->bimodal_min_bins) {
		int64_t adj = (int64_t)bars - (int64_t)p->outlier_removal;
		if (adj < 1)
			adj = 1;
		bimodal = c2c__div_round((c2c_i128)(top1 + top2) * p->precision, adj);
		if (bimodal > p->precision)
			bimodal = p->precision;
	}
	cv = cv_score(h, bins, p->precision);
	r->total_bars = bars;
	r->longest_run = longest;
	r->cv_score_e6 = cv * (C2C_E6 / p->precision);
	r->bimodal_e6 = bimodal * (C2C_E6 / p->precision);
	*hist_p = cv > bimodal ? cv : bimodal;
}

void
c2c__beacon_score(const struct c2c__beacon_params *p, const int64_t *ts, int64_t *sizes,
    size_t n, int64_t t_min, int64_t t_max, int64_t *scratch, struct c2c__beacon_result *res)
{
	int64_t *iv = scratch, *dev = scratch + n;
	size_t niv = 0;
	uint64_t uniq = n > 0 ? 1 : 0;
	int64_t ts_p, ds_p, hist_p, dur_p = 0, unit = C2C_E6 / p->precision;
	int64_t dummy4;
	c2c_i128 total;

	memset(res, 0, sizeof(*res));
	for (size_t i = 1; i < n; i++) {
		int64_t d = ts[i] - ts[i - 1];
		if (d > 0) {
			iv[niv++] = d;
			uniq++;
		}
	}
	res->unique_ts = uniq;
	if (n < 4 || niv < 3 || uniq < p->min_unique || t_max <= t_min)
		return;
	c2c__sort_i64(iv, niv);
	ts_p = stat_score(p, iv, niv, p->skew_min_iqr_ts, p->precision, dev, &res->ts_skew_e6,
	    &res->ts_mad_score_e6, &res->median2, &res->mad4);
	c2c__sort_i64(sizes, n);
	ds_p = stat_score(p, sizes, n, p->skew_min_iqr_ds, 0, dev, &res->ds_skew_e6,
	    &res->ds_mad_score_e6, &res->ds_median2, &dummy4);
	/* The histogram reuses the scratch: bin counts, then bucket values. */
	histogram(p, ts, n, t_min, t_max, (uint64_t *)scratch, scratch + p->bins, res, &hist_p);
	if (res->total_bars >= p->dur_min_bins) {
		int64_t cov = c2c__div_ceil((c2c_i128)(ts[n - 1] - ts[0]) * p->precision,
		    t_max - t_min);
		int64_t con = c2c__div_ceil((c2c_i128)res->longest_run * p->precision,
		    p->dur_ideal);
		if (cov > p->precision)
			cov = p->precision;
		if (con > p->precision)
			con = p->precision;
		res->coverage_e6 = cov * unit;
		res->consistency_e6 = con * unit;
		dur_p = cov > con ? cov : con;
	}
	res->ts_e6 = ts_p * unit;
	res->ds_e6 = ds_p * unit;
	res->hist_e6 = hist_p * unit;
	res->dur_e6 = dur_p * unit;
	total = (c2c_i128)p->w_ts * res->ts_e6 + (c2c_i128)p->w_ds * res->ds_e6 +
	    (c2c_i128)p->w_dur * res->dur_e6 + (c2c_i128)p->w_hist * res->hist_e6;
	res->score_e6 = c2c__div_round(total * p->precision, (c2c_i128)C2C_E6 * C2C_E6) * unit;
	res->scored = true;
}

int64_t
c2c__bucket_e6(int64_t v, int64_t base, int64_t low, int64_t medium, int64_t high)
{
	int64_t lo, hi, from, span;
	if (v < base)
		return 0;
	if (v > high)
		v = high;
	if (v < low) {
		lo = base;
		hi = low;
		from = 200000;
	} else if (v < medium) {
		lo = low;
		hi = medium;
		from = 400000;
	} else {
		lo = medium;
		hi = high;
		from = 600000;
	}
	span = hi - lo;
	if (span <= 0)
		return from + 200000;
	return from + c2c__div_round((c2c_i128)(v - lo) * 200000, span);
}

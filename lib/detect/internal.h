/* Shared inside lib/detect only, never installed: fixed-point statistics, scoring kernels. */
#ifndef C2C_DETECT_INTERNAL_H
#define C2C_DETECT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "c2chain/detect.h"

/* 128-bit intermediates keep every product exact (GCC and clang on 64-bit targets). */
__extension__ typedef __int128 c2c_i128;
__extension__ typedef unsigned __int128 c2c_u128;

#define C2C_E6 1000000LL

/* ---- stats.c: integer statistics with documented rounding ---------------------------------- */
/* num/den rounded half away from zero (den > 0). */
int64_t c2c__div_round(c2c_i128 num, c2c_i128 den);
/* ceil(num/den) for num >= 0, den > 0. */
int64_t c2c__div_ceil(c2c_i128 num, c2c_i128 den);
/* floor(sqrt(x)). */
uint64_t c2c__isqrt128(c2c_u128 x);
/* Twice the median of sorted x[0..n) (montanaflynn/stats: mean of the two middle values when n
 * is even), so that the result is an exact integer. n > 0. */
int64_t c2c__median2(const int64_t *x, size_t n);
/* Twice Q1, Q2, Q3 of sorted x (stats.Quartile: for odd n the median is left out of both
 * halves). n >= 2 (n = 2 gives Q1 = x0, Q3 = x1). */
void c2c__quartiles2(const int64_t *x, size_t n, int64_t q2[3]);
void c2c__sort_i64(int64_t *x, size_t n);
/* log2(k) x 10^6, rounded half away from zero, for 1 <= k <= 4096 (exact integer algorithm,
 * identical on every machine). */
int64_t c2c__log2_e6(uint32_t k);
/* Shannon entropy in bits per symbol x 10^6 of the bytes s[0..len): log2(n) - sum(c log2 c)/n,
 * each log2 from c2c__log2_e6, the division rounded half away from zero. len <= 4096. */
int64_t c2c__entropy_e6(const char *s, size_t len);

/* ---- beacon.c: RITA v5 style score ------------------------------------------------------- */
struct c2c__beacon_params {
	int64_t w_ts, w_ds, w_dur, w_hist; /* e6, sum 10^6 */
	uint32_t bins;                     /* histogram bins over the window */
	uint32_t dur_min_bins, dur_ideal;
	int64_t mode_sens_e6;
	uint32_t outlier_removal, bimodal_min_bins;
	int64_t skew_min_iqr_ts; /* in timestamp units */
	int64_t skew_min_iqr_ds; /* bytes */
	int64_t precision;       /* 1000 (rita: round3/ceil3) or 1000000 */
	uint32_t min_unique;
};

struct c2c__beacon_result {
	bool scored;
	int64_t score_e6, ts_e6, ds_e6, dur_e6, hist_e6; /* sub-scores, e6 */
	int64_t ts_skew_e6, ts_mad_score_e6, ds_skew_e6, ds_mad_score_e6;
	int64_t cv_score_e6, bimodal_e6, coverage_e6, consistency_e6;
	int64_t median2;   /* twice the median interval, timestamp units */
	int64_t mad4;      /* four times the MAD of intervals, timestamp units */
	int64_t ds_median2; /* twice the median size, bytes */
	uint64_t unique_ts;
	uint32_t total_bars, longest_run;
};

/* Score one series. ts[0..n) sorted ascending, sizes[0..n) any order (sorted in place);
 * window [t_min, t_max] in the same units as ts, t_max > t_min. `scratch` holds max(2n, 2 bins) int64.
 * res->scored is false when the series does not qualify (fewer than min_unique distinct
 * times, fewer than 3 non-zero intervals). */
void c2c__beacon_score(const struct c2c__beacon_params *p, const int64_t *ts, int64_t *sizes,
    size_t n, int64_t t_min, int64_t t_max, int64_t *scratch, struct c2c__beacon_result *res);

/* ---- RITA impact buckets -------------------------------------------------------------------- */
/* v < base: 0; [base, low) -> 0.2..0.4; [low, medium) -> 0.4..0.6; [medium, high] -> 0.6..0.8
 * (v capped at high), linear, rounded half away from zero. Result e6. */
int64_t c2c__bucket_e6(int64_t v, int64_t base, int64_t low, int64_t medium, int64_t high);

/* ---- longconn.c / strobe.c / dnstunnel.c: thresholds ---------------------------------------- */
/* Long connection: true when total_us reaches longconn.base; *impact_e6 from the buckets. */
bool c2c__longconn_eval(const struct c2c_config *cfg, int64_t total_us, int64_t *impact_e6);
/* Strobe: the threshold count for a window of `window_us` (rita: the 24 h count; default:
 * per day of window, at least one day). */
uint64_t c2c__strobe_threshold(const struct c2c_config *cfg, bool rita, int64_t window_us);

/* Per registered domain accumulator for DNS tunnelling. */
struct c2c__dns_domain {
	uint32_t name;          /* interned registered domain */
	uint32_t n_hosts;       /* distinct querying hosts kept in hosts[] (at most 16) */
	uint32_t hosts[16];
	uint64_t hosts_more;    /* further querying hosts not kept */
	uint64_t queries, txt_null;
	uint64_t unique;        /* distinct query names */
	uint64_t sum_len;       /* subdomain characters over distinct names */
	int64_t sum_entropy_e6; /* over distinct names */
	uint64_t *set;          /* open-addressed hashes of distinct names (0 = empty) */
	size_t set_cap;
	bool capped;            /* max_names_per_domain reached */
	c2c_time first, last;
	uint32_t head, tail;    /* evidence chain (analyzer.c) */
	uint16_t tail_used;
	uint64_t stored;
	uint64_t prev_off;
	uint32_t prev_input;
};
/* Record one distinct-name check: true when `h` is new (and then it is kept, unless the cap is
 * reached). C2C_ENOMEM through *rc. */
bool c2c__dns_name_add(struct c2c__dns_domain *dm, uint64_t h, uint64_t cap, c2c_err *rc);
/* Decide: true when reported; *impact_e6 from the buckets; *why (static string) names the
 * default-mode criterion met. */
bool c2c__dns_eval(const struct c2c_config *cfg, bool rita, const struct c2c__dns_domain *dm,
    int64_t *impact_e6, const char **why);

/* ---- varints ------------------------------------------------------------------------------- */
static inline size_t
c2c__uvarint_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static inline uint64_t
c2c__zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t
c2c__unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

#endif

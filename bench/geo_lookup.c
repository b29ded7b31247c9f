/*
 * Geo enrichment benchmark: lookups per second on one core against one country database.
 *
 *   geo_lookup DB N_DISTINCT N_LOOKUPS [CACHE_LOG2]
 *
 * N_DISTINCT distinct IPv4 addresses spread over the whole space (a bijective hash of
 * 0..N-1), then four runs, each over a pre-generated stream so that generation is not timed:
 *   skewed/cached     N_LOOKUPS draws, log-uniform rank (Zipf s=1 like: a few hot addresses,
 *                     a long tail), through c2c_geo_lookup (address cache + decoded records)
 *   skewed/uncached   the same stream through c2c_geo_lookup_uncached: libmaxminddb alone
 *                     (MMDB_lookup_sockaddr + MMDB_get_value per field), no cache of ours
 *   distinct/cached   every distinct address once (no repeats: the cache cannot help)
 *   distinct/uncached the same through libmaxminddb alone
 * Both paths must give the same country for every address of a sample (checked).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "c2chain/enrich.h"

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t
xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

typedef c2c_err (*lookup_fn)(struct c2c_geo *, const struct c2c_ip *, struct c2c_geo_result *);

/* The stream holds the IPv4 addresses themselves (as a flow record would), so a lookup does
 * not pay for an extra random memory access the way an index into a table would. */
static double
run(struct c2c_geo *g, lookup_fn fn, const uint32_t *v4, size_t n, uint64_t *found)
{
	struct c2c_geo_result r;
	struct c2c_ip ip;
	double t0 = now();
	uint64_t f = 0;
	for (size_t i = 0; i < n; i++) {
		c2c_ip_from_v4(&ip, v4[i]);
		if (fn(g, &ip, &r) != C2C_OK) {
			fprintf(stderr, "lookup failed\n");
			exit(1);
		}
		f += r.country[0] != '\0';
	}
	*found = f;
	return (double)n / (now() - t0);
}

int
main(int argc, char **argv)
{
	struct c2c_geo *g;
	struct c2c_diag diag = { 0 };
	uint32_t *addrs, *stream;
	size_t nd, nl;
	unsigned cache_log2 = 20;
	uint64_t f1, f2, f3, f4, hits, misses, h0, m0;
	double r1, r2, r3, r4;

	if (argc < 4) {
		fprintf(stderr, "usage: geo_lookup DB N_DISTINCT N_LOOKUPS [CACHE_LOG2]\n");
		return 64;
	}
	nd = strtoul(argv[2], NULL, 10);
	nl = strtoul(argv[3], NULL, 10);
	if (argc > 4)
		cache_log2 = (unsigned)strtoul(argv[4], NULL, 10);
	if (c2c_geo_new(&g) != C2C_OK || c2c_geo_set_cache(g, cache_log2) != C2C_OK ||
	    c2c_geo_open_db(g, argv[1], C2C_GEO_COUNTRY, NULL, &diag) != C2C_OK) {
		fprintf(stderr, "cannot open %s: %s\n", argv[1], diag.msg);
		return 66;
	}
	addrs = malloc(nd * sizeof(*addrs));
	stream = malloc(nl * sizeof(*stream));
	if (addrs == NULL || stream == NULL || nd == 0)
		return 71;
	/* Distinct addresses: i * odd constant mod 2^32 is a bijection. */
	for (size_t i = 0; i < nd; i++)
		addrs[i] = (uint32_t)(i * 2654435761u + 0x01000000u);
	/* Log-uniform ranks: P(rank <= k) = log(k) / log(N). Ranks map to a shuffled address
	 * order so hot addresses are spread over the space. */
	for (size_t i = 0; i < nl; i++) {
		double u = (double)(xorshift() >> 11) / 9007199254740992.0;
		size_t k = (size_t)exp(u * log((double)nd));
		if (k >= nd)
			k = nd - 1;
		stream[i] = addrs[(k * 40503u + 17u) % nd];
	}
	/* Both paths agree on a sample. */
	for (size_t i = 0; i < nd && i < 100000; i += 7) {
		struct c2c_geo_result a, b;
		struct c2c_ip ip;
		c2c_ip_from_v4(&ip, addrs[i]);
		(void)c2c_geo_lookup(g, &ip, &a);
		(void)c2c_geo_lookup_uncached(g, &ip, &b);
		if (strcmp(a.country, b.country) != 0) {
			fprintf(stderr, "cached and uncached differ\n");
			return 1;
		}
	}
	(void)c2c_geo_set_cache(g, cache_log2); /* start cold */
	c2c_geo_cache_stats(g, &h0, &m0);
	r1 = run(g, c2c_geo_lookup, stream, nl, &f1);
	c2c_geo_cache_stats(g, &hits, &misses);
	hits -= h0;
	r2 = run(g, c2c_geo_lookup_uncached, stream, nl, &f2);
	(void)c2c_geo_set_cache(g, cache_log2);
	r3 = run(g, c2c_geo_lookup, addrs, nd, &f3);
	r4 = run(g, c2c_geo_lookup_uncached, addrs, nd, &f4);
	if (f1 != f2 || f3 != f4) {
		fprintf(stderr, "found counts differ\n");
		return 1;
	}
	printf("distinct=%zu lookups=%zu cache=2^%u hit_rate=%.3f found=%.3f\n", nd, nl,
	    cache_log2, (double)hits / (double)(nl ? nl : 1), (double)f3 / (double)nd);
	printf("skewed/cached %.0f\nskewed/uncached %.0f\ndistinct/cached %.0f\n"
	       "distinct/uncached %.0f\n",
	    r1, r2, r3, r4);
	free(addrs);
	free(stream);
	c2c_geo_free(g);
	return 0;
}

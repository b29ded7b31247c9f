/*
 * Indicator-store benchmark (bench/run_intel.sh builds and runs it against a release build).
 *
 *   intel_lookup synth N_V4 N_V6 N_CIDR N_DOM   synthetic store: load + freeze time, memory,
 *                                               IPv4 lookups/s (single, batch, full match),
 *                                               domain lookups/s, and a plain open-addressing
 *                                               hash set of the same IPv4 addresses as baseline
 *   intel_lookup feeds FILE...                  load + freeze time and memory of those feeds
 *   intel_lookup list FEED ADDRS                lookups of the addresses in ADDRS (one per line,
 *                                               e.g. flow destinations exported by nfdump) in
 *                                               FEED: matches and addresses/s
 *
 * Deterministic: a fixed xorshift seed. One thread (the goal is per core).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "c2chain/intel.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t
xr(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Wall-clock seconds (load times). */
static double
wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this thread: lookup rates are per core, and the shared machine's other
 * processes then only show through the caches, not through lost time slices. */
static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- baseline: open addressing, linear probing, load factor 1/2, multiplicative hash ------ */
struct hset {
	uint32_t *k;
	uint8_t *used;
	size_t mask;
};

static void
hset_init(struct hset *h, size_t n)
{
	size_t cap = 16;
	while (cap < n * 2)
		cap *= 2;
	h->k = calloc(cap, 4);
	h->used = calloc(cap, 1);
	h->mask = cap - 1;
}

static inline size_t
hslot(uint32_t k, size_t mask)
{
	return (size_t)(((uint64_t)k * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

static void
hset_add(struct hset *h, uint32_t k)
{
	size_t i = hslot(k, h->mask);
	while (h->used[i] && h->k[i] != k)
		i = (i + 1) & h->mask;
	h->used[i] = 1;
	h->k[i] = k;
}

static inline int
hset_has(const struct hset *h, uint32_t k)
{
	size_t i = hslot(k, h->mask);
	while (h->used[i]) {
		if (h->k[i] == k)
			return 1;
		i = (i + 1) & h->mask;
	}
	return 0;
}

static void
synth(size_t n4, size_t n6, size_t nc, size_t nd)
{
	size_t cap = (n4 + n6 + nc + nd) * 48 + 64;
	char *text = malloc(cap);
	size_t len = 0;
	uint32_t *v4 = malloc(n4 * 4);
	for (size_t i = 0; i < n4; i++) {
		uint32_t a = (uint32_t)xr();
		v4[i] = a;
		len += (size_t)snprintf(text + len, cap - len, "%u.%u.%u.%u\n", a >> 24, (a >> 16) & 255,
		    (a >> 8) & 255, a & 255);
	}
	for (size_t i = 0; i < n6; i++) {
		uint64_t x = xr(), y = xr();
		len += (size_t)snprintf(text + len, cap - len, "2001:%x:%x:%x:%x:%x:%x:%x\n",
		    (unsigned)(x & 0xffff), (unsigned)((x >> 16) & 0xffff),
		    (unsigned)((x >> 32) & 0xffff), (unsigned)(y & 0xffff),
		    (unsigned)((y >> 16) & 0xffff), (unsigned)((y >> 32) & 0xffff),
		    (unsigned)((y >> 48) & 0xffff));
	}
	for (size_t i = 0; i < nc; i++) {
		uint32_t a = (uint32_t)xr();
		unsigned l = 16 + (unsigned)(xr() % 15); /* /16 .. /30 */
		a &= ~0u << (32 - l);
		len += (size_t)snprintf(text + len, cap - len, "%u.%u.%u.%u/%u\n", a >> 24,
		    (a >> 16) & 255, (a >> 8) & 255, a & 255, l);
	}
	for (size_t i = 0; i < nd; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s%llx.c2-%llu.example\n",
		    i % 4 == 0 ? "." : "", (unsigned long long)xr(),
		    (unsigned long long)(xr() % 1000));
	struct c2c_intel *in;
	struct c2c_diag d;
	c2c_intel_new(&in);
	double t0 = wall();
	if (c2c_intel_load_mem(in, "synthetic.txt", text, len, NULL, &d) != C2C_OK) {
		fprintf(stderr, "load failed: %s\n", d.msg);
		exit(1);
	}
	double t1 = wall();
	if (c2c_intel_freeze(in) != C2C_OK)
		exit(1);
	double t2 = wall();
	size_t total = n4 + n6 + nc + nd, mem = c2c_intel_memory(in);
	printf("store: %zu indicators (ipv4 %zu, ipv6 %zu, cidr %zu, domain %zu), %zu bytes of "
	       "text\n",
	    total, n4, n6, nc, nd, len);
	printf("load %.3f s, freeze %.3f s, memory %.1f MB = %.1f bytes/indicator\n", t1 - t0,
	    t2 - t1, (double)mem / 1e6, (double)mem / (double)total);

	/* probes: 1 in 8 is a listed address, the rest random; then 1 in 2 (a list that really
	 * matches, as in the nfdump comparison) */
	size_t np = (size_t)1 << 24;
	uint32_t *probe = malloc(np * 4);
	uint8_t *out = malloc(np);
	size_t hits = 0;
	double a, b;
	/* baseline hash set over the same IPv4 addresses (exact only, no CIDR) */
	struct hset hs;
	hset_init(&hs, n4 ? n4 : 1);
	for (size_t i = 0; i < n4; i++)
		hset_add(&hs, v4[i]);
	for (int mix = 2; mix >= 0; mix -= 2) {
		unsigned every = mix ? 8 : 2;
		for (size_t i = 0; i < np; i++)
			probe[i] = i % every == 0 ? v4[xr() % n4] : (uint32_t)xr();
		hits = 0;
		a = now();
		for (size_t i = 0; i < np; i++)
			hits += c2c_intel_any_v4(in, probe[i]);
		b = now();
		printf("ipv4 any (exact + cidr), 1 in %u probes listed: %.1f M lookups/s, %zu hits\n",
		    every, (double)np / (b - a) / 1e6, hits);
		a = now();
		hits = c2c_intel_any_v4_batch(in, probe, np, out);
		b = now();
		printf("ipv4 any, batch with prefetch, 1 in %u probes listed: %.1f M lookups/s, %zu "
		       "hits\n",
		    every, (double)np / (b - a) / 1e6, hits);
		hits = 0;
		a = now();
		for (size_t i = 0; i < np; i++)
			hits += (size_t)hset_has(&hs, probe[i]);
		b = now();
		printf("baseline open-addressing hash set (exact ipv4 only), 1 in %u probes listed: "
		       "%.1f M lookups/s, %zu hits, %.1f bytes/address\n",
		    every, (double)np / (b - a) / 1e6, hits,
		    (double)((hs.mask + 1) * 5) / (double)(n4 ? n4 : 1));
		/* the matcher's call: every indicator id, ports, windows, allow-lists */
		struct c2c_intel_hit fh[16];
		size_t nfull = np / 4;
		hits = 0;
		a = now();
		for (size_t i = 0; i < nfull; i++) {
			struct c2c_ip ip;
			c2c_ip_from_v4(&ip, probe[i]);
			hits += c2c_intel_match_ip(in, &ip, 443, 0, fh, 16) > 0;
		}
		b = now();
		printf("ipv4 full match (ids, ports, windows, allow-lists), 1 in %u probes listed: "
		       "%.1f M lookups/s, %zu hits\n",
		    every, (double)nfull / (b - a) / 1e6, hits);
	}
	struct c2c_intel_hit h[16];
	/* domains: random names under the synthetic zones */
	size_t nq = (size_t)1 << 20;
	char name[96];
	hits = 0;
	a = now();
	for (size_t i = 0; i < nq; i++) {
		(void)snprintf(name, sizeof(name), "www.%llx.c2-%llu.example",
		    (unsigned long long)(xr() & 0xfff), (unsigned long long)(xr() % 1000));
		hits += c2c_intel_match_domain(in, name, 0, h, 16) > 0;
	}
	b = now();
	printf("domain (exact + every parent suffix): %.2f M names/s\n", (double)nq / (b - a) / 1e6);
	c2c_intel_free(in);
	free(text);
	free(v4);
	free(probe);
	free(out);
	free(hs.k);
	free(hs.used);
}

static void
list(const char *feed, const char *addrs)
{
	struct c2c_intel *in;
	struct c2c_diag d;
	c2c_intel_new(&in);
	double t0 = wall();
	if (c2c_intel_load(in, feed, NULL, &d) != C2C_OK || c2c_intel_freeze(in) != C2C_OK) {
		fprintf(stderr, "load failed: %s\n", d.msg);
		exit(1);
	}
	double t1 = wall();
	FILE *fp = fopen(addrs, "r");
	size_t n = 0, cap = 1 << 20;
	uint32_t *v = malloc(cap * 4);
	char line[128];
	while (fp && fgets(line, sizeof(line), fp)) {
		struct c2c_ip ip;
		line[strcspn(line, "\r\n, ")] = '\0';
		if (c2c_ip_parse(&ip, line) != C2C_OK || ip.family != 4)
			continue;
		if (n == cap)
			v = realloc(v, (cap *= 2) * 4);
		v[n++] = c2c_ip_v4(&ip);
	}
	if (fp)
		fclose(fp);
	size_t hits = 0, rounds = 0, bhits = 0, brounds = 0;
	double a = now(), b;
	do {
		hits = 0;
		for (size_t i = 0; i < n; i++)
			hits += c2c_intel_any_v4(in, v[i]);
		rounds++;
		b = now();
	} while (b - a < 1.0 && n > 0);
	double single = (double)n * (double)rounds / (b - a) / 1e6;
	uint8_t *out = malloc(n ? n : 1);
	a = now();
	do {
		bhits = c2c_intel_any_v4_batch(in, v, n, out);
		brounds++;
		b = now();
	} while (b - a < 1.0 && n > 0);
	printf("%s: %zu indicators, load+freeze %.3f s; %zu addresses, %zu match (batch %zu); "
	       "%.1f M lookups/s, batch %.1f M lookups/s\n",
	    feed, c2c_intel_indicator_count(in), t1 - t0, n, hits, bhits, single,
	    (double)n * (double)brounds / (b - a) / 1e6);
	free(out);
	c2c_intel_free(in);
	free(v);
}

/* Load every file named (as `c2chain intel check` would), then freeze: the time of each. */
static void
feeds(int n, char **paths)
{
	struct c2c_intel *in;
	struct c2c_diag d;
	c2c_intel_new(&in);
	double t0 = wall(), c0 = now();
	for (int i = 0; i < n; i++)
		if (c2c_intel_load(in, paths[i], NULL, &d) != C2C_OK)
			fprintf(stderr, "%s: %s\n", paths[i], d.msg);
	double t1 = wall();
	c2c_intel_freeze(in);
	double t2 = wall(), c2 = now();
	printf("%d files: load %.3f s, freeze %.3f s, total %.3f s wall (%.3f s CPU); %zu "
	       "indicators, %.1f MB\n",
	    n, t1 - t0, t2 - t1, t2 - t0, c2 - c0, c2c_intel_indicator_count(in),
	    (double)c2c_intel_memory(in) / 1e6);
	c2c_intel_free(in);
}

int
main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "feeds") == 0) {
		feeds(argc - 2, argv + 2);
		return 0;
	}
	if (argc == 6 && strcmp(argv[1], "synth") == 0) {
		synth(strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10),
		    strtoul(argv[4], NULL, 10), strtoul(argv[5], NULL, 10));
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "list") == 0) {
		list(argv[2], argv[3]);
		return 0;
	}
	fprintf(stderr, "usage: intel_lookup synth N_V4 N_V6 N_CIDR N_DOM | list FEED ADDRS\n");
	return 64;
}

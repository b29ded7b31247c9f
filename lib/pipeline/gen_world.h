/*
 * Internal to the generator (gen*.c): the synthetic world — countries, autonomous systems,
 * address plans, C2 families and their victims — drawn deterministically from the seed.
 */
#ifndef C2C_GEN_WORLD_H
#define C2C_GEN_WORLD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "c2chain/gen.h"
#include "c2chain/types.h"

struct gen_rng {
	uint64_t s;
};

static inline uint64_t
gen_next(struct gen_rng *r)
{
	/* splitmix64: tiny, fast, and the same sequence on every platform. */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static inline uint64_t
gen_below(struct gen_rng *r, uint64_t n)
{
	return n ? gen_next(r) % n : 0;
}

enum as_kind { AS_HOSTING, AS_CLOUD, AS_RESIDENTIAL, AS_CDN, AS_SINKHOLE, AS_SERVICES };

struct gen_as {
	uint32_t asn;
	const char *org;
	const char *country;
	enum as_kind kind;
	uint32_t net; /* first address of its block (host order) */
	unsigned plen;
};

enum fam_kind { FAM_HTTPS_BEACON, FAM_HTTP_BEACON, FAM_LONGCONN, FAM_DNS_TUNNEL };

struct gen_family {
	char name[32];
	enum fam_kind kind;
	char role[24];       /* truth role of its C2 endpoints */
	char domain[64];     /* C2 domain (SNI / Host / DNS) */
	uint32_t interval_s; /* beacon period */
	uint32_t jitter_pct;
	uint8_t sleep_from, sleep_to; /* UTC hours without check-ins (from == to: none) */
	uint16_t port;
	uint32_t c2[4];      /* C2 endpoint addresses (host order) */
	unsigned n_c2;
	const struct gen_as *c2_as[4];
	bool in_feed;        /* listed in the generated intel feed */
	char feed_label[48]; /* group named by the feed (for the false flag) */
	char truth_operator[48];
	uint64_t n_victims;
	uint64_t *victims;   /* host indexes */
};

#endif

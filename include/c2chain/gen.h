/*
 * `c2chain gen`: a synthetic internet in miniature, deterministic from a seed, for tests, the
 * demo and benchmarks. Internal networks in several countries, background traffic (web over a
 * CDN, DNS, NTP, software updates, inbound scanners) and C2 families with known ground truth
 * (beacons with interval, jitter and sleep windows; a long connection; a DNS tunnel; a sinkholed
 * C2; relays in residential ASNs; a false-flag setup with planted indicators). It writes the same
 * traffic as pcap, IPFIX and Zeek TSV/JSON logs, the matching threat-intel feeds, an actor
 * catalogue, a CSV for `c2chain geodb build`, a c2chain.conf and truth.json. Generation streams:
 * memory grows with the number of hosts, never with the number of connections.
 */
#ifndef C2C_GEN_H
#define C2C_GEN_H

#include <stdint.h>

#include "c2chain/core.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
	C2C_GEN_PCAP = 1u << 0,
	C2C_GEN_IPFIX = 1u << 1,
	C2C_GEN_ZEEK_TSV = 1u << 2,
	C2C_GEN_ZEEK_JSON = 1u << 3,
	C2C_GEN_ALL = 0xf
};

struct c2c_gen_opts {
	uint64_t seed;
	uint64_t hosts;      /* internal hosts, spread over the victim countries */
	uint32_t hours;      /* observation window */
	c2c_time start;      /* window start (UTC microseconds) */
	uint32_t web_mean_s; /* mean seconds between web visits of one host in working hours */
	uint32_t victim_permille; /* share of hosts infected by each beacon family, per mille */
	unsigned formats;    /* C2C_GEN_* */
	/* Extra slow-beacon families (period seconds, 0 = none), for detection tests. */
	uint32_t slow_periods[4];
	/* Extra HTTPS beacon families as the user describes them (interval 0 = none): check-in
	 * interval, jitter in percent of the interval (uniform, +/-), and UTC hours without
	 * check-ins [sleep_from, sleep_to) (equal: never sleeps; from > to wraps midnight). */
	struct c2c_gen_beacon {
		uint32_t interval_s, jitter_pct;
		uint8_t sleep_from, sleep_to;
	} beacons[4];
	uint64_t max_connections; /* stop after this many connections (0 = no limit) */
	void (*progress)(void *ctx, c2c_time now, c2c_time end, uint64_t connections);
	void *progress_ctx;
};
void c2c_gen_opts_default(struct c2c_gen_opts *o);

struct c2c_gen_stats {
	uint64_t connections, packets, pcap_bytes, dns_queries;
};

/* Generate into directory `dir` (created if missing). Returns C2C_OK, C2C_EIO with diag,
 * C2C_EINVAL for impossible options, C2C_ENOMEM. */
c2c_err c2c_gen_run(const struct c2c_gen_opts *o, const char *dir, struct c2c_gen_stats *st,
    struct c2c_diag *diag);

#ifdef __cplusplus
}
#endif
#endif

/*
 * Synthetic connection workload for the detect benchmark (bench/run_detect.sh): PAIRS
 * (internal host, external server) pairs, CONNS connections in all, over one day. One pair in
 * 10,000 is a planted beacon (fixed period, 5 % jitter, constant size); the others are random
 * times and sizes. Generated in rounds (every pair's k-th connection, then the next round), so
 * memory stays constant whatever the size.
 *
 *   gen_conns tsv PAIRS CONNS > conn.log      Zeek TSV conn log on stdout
 *   gen_conns bench PAIRS CONNS [rita]        feed the flows straight into the analyzer and
 *                                             print wall time, peak RSS and the findings count
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "c2chain/config.h"
#include "c2chain/detect.h"
#include "c2chain/json.h"

#define T0 1700000000LL
#define DAY 86400LL

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

struct conn {
	uint32_t host, peer;
	int64_t ts_us;
	uint64_t obytes, rbytes;
	int64_t dur_us;
	uint16_t port;
};

/* Connection k of pair p (pair p has `per` connections, the first `extra` pairs one more). */
static void
make(uint64_t p, uint64_t k, uint64_t per, struct conn *c)
{
	uint64_t h = p / 100, j = p % 100, r = mix(p * 1000003 + k);
	bool beacon = p % 10000 == 7;
	c->host = (uint32_t)(0x0a000000u + (uint32_t)h);                    /* 10.x.y.z */
	c->peer = (uint32_t)(0x40000000u + (uint32_t)((h * 7919 + j * 104729) & 0xffffff));
	c->port = beacon ? 443 : (uint16_t)(80 + (r >> 60) * 100);
	if (beacon) {
		int64_t period = DAY * 1000000 / (int64_t)(per + 1);
		c->ts_us = T0 * 1000000 + (int64_t)(k + 1) * period +
		    (int64_t)(r % (uint64_t)(period / 20 + 1));
		c->obytes = 420;
		c->rbytes = 1300;
	} else {
		c->ts_us = T0 * 1000000 + (int64_t)(r % (uint64_t)(DAY * 1000000));
		c->obytes = 60 + (r >> 40) % 4000;
		c->rbytes = 40 + (r >> 20) % 60000;
	}
	c->dur_us = (int64_t)((r >> 8) % 5000000);
}

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	uint64_t pairs, conns, per, extra, off = 0;
	bool tsv;
	if (argc < 4 || (strcmp(argv[1], "tsv") != 0 && strcmp(argv[1], "bench") != 0)) {
		fprintf(stderr, "usage: gen_conns tsv|bench PAIRS CONNS [rita]\n");
		return 64;
	}
	tsv = strcmp(argv[1], "tsv") == 0;
	pairs = strtoull(argv[2], NULL, 10);
	conns = strtoull(argv[3], NULL, 10);
	if (pairs == 0 || conns < pairs) {
		fprintf(stderr, "gen_conns: need CONNS >= PAIRS > 0\n");
		return 64;
	}
	per = conns / pairs;
	extra = conns % pairs;
	if (tsv) {
		printf("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
		       "#unset_field\t-\n#path\tconn\n#open\t2023-11-14-22-13-20\n"
		       "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\t"
		       "service\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\t"
		       "local_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\t"
		       "resp_ip_bytes\ttunnel_parents\n"
		       "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\t"
		       "count\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\t"
		       "count\tset[string]\n");
		for (uint64_t k = 0; k <= per; k++) {
			for (uint64_t p = 0; p < pairs; p++) {
				struct conn c;
				if (k == per && p >= extra)
					break;
				make(p, k, per + (p < extra), &c);
				printf("%" PRId64 ".%06" PRId64 "\tC%016" PRIx64 "\t%u.%u.%u.%u\t%u\t"
				       "%u.%u.%u.%u\t%u\ttcp\t-\t%" PRId64 ".%06" PRId64 "\t%" PRIu64
				       "\t%" PRIu64 "\tSF\tT\tF\t0\tShADadFf\t5\t%" PRIu64 "\t5\t%" PRIu64
				       "\t-\n",
				    c.ts_us / 1000000, c.ts_us % 1000000, mix(p << 20 | k),
				    c.host >> 24, c.host >> 16 & 255, c.host >> 8 & 255, c.host & 255,
				    (unsigned)(49152 + k % 16000), c.peer >> 24, c.peer >> 16 & 255,
				    c.peer >> 8 & 255, c.peer & 255, c.port, c.dur_us / 1000000,
				    c.dur_us % 1000000, c.obytes > 200 ? c.obytes - 200 : 0,
				    c.rbytes > 200 ? c.rbytes - 200 : 0, c.obytes, c.rbytes);
			}
		}
		return fflush(stdout) == 0 ? 0 : 74;
	}

	struct c2c_config *cfg = NULL;
	struct c2c_detect *d = NULL;
	struct c2c_diag diag;
	struct c2c_detect_stats st;
	struct rusage ru;
	uint8_t sha[1][32] = { { 0 } };
	json_t *arr = NULL;
	double t0, t1, t2;
	size_t beacons = 0;
	if (c2c_config_new_default(&cfg) != C2C_OK ||
	    (argc > 4 && c2c_config_set(cfg, "detect.mode", argv[4], &diag) != C2C_OK) ||
	    c2c_detect_new(cfg, &d, &diag) != C2C_OK) {
		fprintf(stderr, "gen_conns: cannot set up the analyzer\n");
		return 70;
	}
	t0 = now();
	for (uint64_t k = 0; k <= per; k++) {
		for (uint64_t p = 0; p < pairs; p++) {
			struct conn c;
			struct c2c_flow f;
			if (k == per && p >= extra)
				break;
			make(p, k, per + (p < extra), &c);
			memset(&f, 0, sizeof(f));
			c2c_ip_from_v4(&f.orig, c.host);
			c2c_ip_from_v4(&f.resp, c.peer);
			f.resp_port = c.port;
			f.orig_port = (uint16_t)(49152 + k % 16000);
			f.proto = 6;
			f.ts = c.ts_us;
			f.last = c.ts_us + c.dur_us;
			f.have = C2C_HAVE_DURATION;
			f.orig_ip_bytes = c.obytes;
			f.resp_ip_bytes = c.rbytes;
			f.first_ev.rec = -1;
			f.first_ev.off = off;
			f.first_ev.len = 150;
			off += 150;
			f.last_ev = f.first_ev;
			if (c2c_detect_add_flow(d, &f) != C2C_OK) {
				fprintf(stderr, "gen_conns: add_flow failed\n");
				return 70;
			}
		}
	}
	t1 = now();
	if (c2c_detect_finish(d, (const uint8_t(*)[32])sha, 1, &arr) != C2C_OK) {
		fprintf(stderr, "gen_conns: finish failed\n");
		return 70;
	}
	t2 = now();
	for (size_t i = 0; i < json_array_size(arr); i++)
		beacons += strcmp(json_string_value(json_object_get(json_array_get(arr, i), "type")),
		    "beacon") == 0;
	c2c_detect_get_stats(d, &st);
	getrusage(RUSAGE_SELF, &ru);
	printf("pairs %" PRIu64 " connections %" PRIu64 " planted beacons %" PRIu64 "\n", pairs,
	    conns, (pairs + 9992) / 10000);
	printf("feed %.1f s, finish %.1f s, total %.1f s, peak RSS %.2f GiB, arena %.2f GiB\n",
	    t1 - t0, t2 - t1, t2 - t0, (double)ru.ru_maxrss / (1024.0 * 1024.0),
	    (double)st.arena_bytes / (1024.0 * 1024.0 * 1024.0));
	printf("findings %zu (beacons %zu), series scored %" PRIu64 ", stored %" PRIu64
	       ", dropped %" PRIu64 "\n",
	    json_array_size(arr), beacons, st.series_scored, st.connections_stored,
	    st.dropped_pair_limit + st.dropped_conn_limit + st.dropped_series_limit);
	json_decref(arr);
	c2c_detect_free(d);
	c2c_config_free(cfg);
	return 0;
}

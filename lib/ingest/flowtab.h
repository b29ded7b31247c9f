/*
 * Flow table (flowtab.c): turns decoded packets into bidirectional flows with Zeek conn.log
 * semantics (originator/responder and Zeek's flips, TCP endpoint state machine, history,
 * conn_state, sizes from sequence numbers, ConnSize packet and IP byte counters, Zeek's
 * inactivity and close timers) and hands TCP/UDP payload to the application parsers (app.h).
 * Internal to lib/ingest. docs/internals/flows.md describes the model.
 */
#ifndef C2C_INGEST_FLOWTAB_H
#define C2C_INGEST_FLOWTAB_H

#include <stdbool.h>
#include <stdint.h>

#include "ingest/internal.h"

struct c2c_flowtab;

struct c2c_flowtab_cfg {
	uint32_t input;     /* input index, for uids and evidence */
	uint32_t max_flows; /* cap on tracked flows; 0 = 1 Mi */
	c2c_time tcp_inactivity, udp_inactivity, icmp_inactivity;
	bool community_id;
	uint16_t community_seed;
	bool observations;    /* run the DNS/TLS/HTTP parsers */
	bool ignore_checksums; /* like zeek -C: do not drop packets with bad L4 checksums */
	const struct c2c_sink *sink;   /* borrowed */
	struct c2c_ingest_stats *st;   /* borrowed, counted into */
};

/* Create a table. C2C_OK and *out, or C2C_ENOMEM. The table owns every flow it tracks. */
c2c_err c2c__flowtab_new(const struct c2c_flowtab_cfg *cfg, struct c2c_flowtab **out);
/* Account one decoded packet (every layer of `d`, outermost first). Flows that time out before
 * `pkt->ts` are emitted first. Returns C2C_OK, C2C_ENOMEM, or what the sink returned. */
c2c_err c2c__flowtab_packet(struct c2c_flowtab *ft, const struct c2c_pkt *pkt,
    const struct c2c_decoded *d);
/* End of input: emit every flow still tracked, ordered by (ts, first record offset), with
 * C2C_HAVE_OPEN on those not closed. */
c2c_err c2c__flowtab_finish(struct c2c_flowtab *ft);
/* Flows currently tracked (for tests). */
uint32_t c2c__flowtab_count(const struct c2c_flowtab *ft);
void c2c__flowtab_free(struct c2c_flowtab *ft);

/* Community ID v1 (communityid.c). For ICMP/ICMPv6 pass type as sport and code as dport.
 * Writes "1:<base64>" (needs 31 bytes) or "1:<hex>" (43 bytes); false when the addresses are
 * unusable (then out is ""). */
bool c2c__community_id(const struct c2c_ip *src, const struct c2c_ip *dst, uint16_t sport,
    uint16_t dport, uint8_t proto, uint16_t seed, bool base64, char *out, size_t outlen);
/* Zeek's ICMP4_counterpart / ICMP6_counterpart: the paired message type, or `code` with
 * *one_way set when the type has no counterpart. */
uint16_t c2c__icmp_counterpart(uint8_t proto, uint8_t type, uint8_t code, bool *one_way);

#endif

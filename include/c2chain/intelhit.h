/*
 * Intel hits (detect stage): run the indicator store (intel.h) over flows (both endpoints), DNS
 * query names and answers, TLS SNI and HTTP Host / URL, and turn the matches into `intel-hit`
 * findings (docs/findings.md): rung L1, subject.host = the local side, subject.peer = the matched
 * endpoint, evidence refs = the records, refdata = the feed digests, recheck "refdata". Matches
 * are aggregated per (host, indicator); a match whose value is also on an allow-list is kept in
 * a separate "suppressed" list that names the allow-list.
 *
 * Call order: c2c_intelhit_new(frozen store) -> c2c_intelhit_flow()/c2c_intelhit_obs() for every
 * record (or c2c_intelhit_sink() as an ingest sink) -> c2c_intelhit_findings() -> free.
 * Not thread-safe; one accumulator per thread, merged by the caller if needed.
 */
#ifndef C2C_INTELHIT_H
#define C2C_INTELHIT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "c2chain/core.h"
#include "c2chain/intel.h"
#include "c2chain/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where a value was seen (Zeek's Intel "where" locations, the ones c2chain observes). */
#define C2C_SEEN_WHERE_MAP(X)                                                              \
	X(CONN_ORIG, "conn.orig") X(CONN_RESP, "conn.resp") X(DNS_QUERY, "dns.query")      \
	    X(DNS_ANSWER, "dns.answer") X(TLS_SNI, "tls.sni") X(HTTP_HOST, "http.host")    \
		X(HTTP_URL, "http.url")
enum c2c_seen_where {
	C2C_SEEN_NONE = 0,
#define C2C_X_(e, s) C2C_SEEN_##e,
	C2C_SEEN_WHERE_MAP(C2C_X_)
#undef C2C_X_
	C2C_SEEN__COUNT
};
const char *c2c_seen_where_name(enum c2c_seen_where w);

#define C2C_SEEN_MAX_ALLOW 8

/* One raw match, borrowed for the duration of the callback. */
struct c2c_intel_seen {
	enum c2c_seen_where where;
	c2c_time ts;
	struct c2c_ip host;     /* the side that talked to / asked for the matched value */
	struct c2c_ip peer;     /* the matched endpoint; family 0 for a name-only match */
	uint16_t peer_port;
	const char *value;      /* the matched text (address, name, host/path) */
	const char *fqdn;       /* the name involved (query, SNI, Host), or NULL */
	const struct c2c_evref *ev; /* the record; a flow gives first and last (n_ev 1 or 2) */
	unsigned n_ev;
	uint32_t indicator;     /* block indicator id (c2c_intel_indicator) */
	uint8_t how;            /* enum c2c_match_how */
	bool suppressed;        /* the value is also on an allow-list */
	unsigned n_allow;
	uint32_t allow[C2C_SEEN_MAX_ALLOW]; /* allow-list indicator ids that matched */
};
/* A non-OK return stops processing and is passed back. */
typedef c2c_err (*c2c_intel_seen_cb)(void *ctx, const struct c2c_intel_seen *s);

struct c2c_intelhit;

/* `intel` must be frozen and outlive the accumulator. C2C_ENOMEM, C2C_EINVAL (not frozen). */
c2c_err c2c_intelhit_new(const struct c2c_intel *intel, struct c2c_intelhit **out);
void c2c_intelhit_free(struct c2c_intelhit *h);
/* Also report every raw match to `cb` (may be NULL to stop). */
void c2c_intelhit_set_callback(struct c2c_intelhit *h, c2c_intel_seen_cb cb, void *ctx);
/* Check validity windows against record time (default true). */
void c2c_intelhit_check_time(struct c2c_intelhit *h, bool on);

/* Match one record. C2C_OK, C2C_ENOMEM, or what the callback returned. */
c2c_err c2c_intelhit_flow(struct c2c_intelhit *h, const struct c2c_flow *f);
c2c_err c2c_intelhit_obs(struct c2c_intelhit *h, const struct c2c_obs *o);
/* An ingest sink that feeds both of the above. */
void c2c_intelhit_sink(struct c2c_intelhit *h, struct c2c_sink *out);

/* Raw matches seen so far (block hits, suppressed ones included). */
uint64_t c2c_intelhit_matches(const struct c2c_intelhit *h);

/*
 * The findings: *findings and *suppressed (OUT, caller json_decref()s) are arrays of finding
 * objects sorted by (host, indicator id), each with its "id" computed per docs/findings.md.
 * `digests[i]` is the SHA-256 of input i (the evref input index). C2C_EINVAL when a record
 * names an input >= n_inputs; C2C_ENOMEM.
 */
c2c_err c2c_intelhit_findings(const struct c2c_intelhit *h, const uint8_t (*digests)[32],
    size_t n_inputs, json_t **findings, json_t **suppressed);

#ifdef __cplusplus
}
#endif
#endif

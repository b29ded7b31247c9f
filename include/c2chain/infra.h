/*
 * C2 infrastructure (rungs L2 and L3 of DESIGN.md): one object per C2 endpoint with what the
 * observations and L1 findings say about it and its assessed role; cluster edges between
 * endpoints that a verifier can re-check one by one; clusters; and the country control matrix
 * ("N C2 servers in country X controlled M hosts in country Y"), broken down by role, with a
 * direct recount from the cited findings.
 *
 * Call order:
 *   c2c_infra_new -> c2c_infra_add_obs (every DNS/TLS/HTTP observation, any order)
 *                 -> c2c_infra_add_finding (every L1 finding, any order)
 *                 -> c2c_infra_build (opts: geo, refdata, host map, input digests)
 *                 -> c2c_infra_result_fini, c2c_infra_free
 * Verification: c2c_matrix_recount over the cited findings and the infrastructure objects,
 * then c2c_matrix_check against the matrix in the report.
 *
 * Everything emitted is canonical-JSON-safe (integers and strings only), sorted by documented
 * keys, and independent of the order observations and findings were added in.
 */
#ifndef C2C_INFRA_H
#define C2C_INFRA_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "c2chain/core.h"
#include "c2chain/enrich.h"
#include "c2chain/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Assessed role of a C2 endpoint (attribution.md §4.2, §4.7). */
#define C2C_ROLE_MAP(X)                                                                      \
	X(OWNED, "owned") X(RELAY, "compromised-relay") X(RENTED, "rented-hosting")          \
	    X(ANONYMISER, "anonymiser") X(SINKHOLE, "sinkhole") X(UNKNOWN, "unknown")
enum c2c_role {
#define C2C_X_(e, s) C2C_ROLE_##e,
	C2C_ROLE_MAP(C2C_X_)
#undef C2C_X_
	C2C_ROLE__COUNT
};
const char *c2c_role_name(enum c2c_role r);
/* C2C_OK and *out, or C2C_ENOTFOUND. */
c2c_err c2c_role_parse(const char *s, enum c2c_role *out);

/* Internal prefix -> country of the hosts behind it (from the configuration). Longest prefix
 * wins. `country` is two upper-case letters. */
struct c2c_host_country {
	struct c2c_ip net;
	unsigned len;
	char country[3];
};

/* A host map under construction: the configuration's `internal_subnet CIDR CC` lines and
 * `--host-map CC:FILE` lists. Caller-embedded (c2c_host_map_init / _fini). After
 * c2c_host_map_index, `v` is sorted by (family, address, prefix length) with one entry per
 * network and `parent[i]` is the index of the nearest entry enclosing entry i (UINT32_MAX:
 * none): pass v, n and parent in c2c_infra_opts for lookups in O(log n + depth). */
struct c2c_host_map {
	struct c2c_host_country *v;
	size_t n, cap;
	uint32_t *parent;    /* NULL until indexed; owned */
	uint64_t duplicates; /* networks given again (identical prefix), dropped by the index */
	uint64_t conflicts;  /* of those, given again with another country (the first one wins) */
};
void c2c_host_map_init(struct c2c_host_map *m);
void c2c_host_map_fini(struct c2c_host_map *m);

/* Append one network (host bits are cleared) with its two-letter upper-case country. Drops
 * any index. C2C_EINVAL (bad country, prefix length or family), C2C_ELIMIT (2^31 entries),
 * C2C_ENOMEM. */
c2c_err c2c_host_map_add(struct c2c_host_map *m, const struct c2c_ip *net, unsigned len,
    const char *country);

/* Append every network of a CIDR list held in memory: one IPv4 or IPv6 CIDR (or a bare
 * address: a /32 or /128) per line; blank lines, CR, white space and '#' comments ignored.
 * `src` names the list in diagnostics. C2C_EFORMAT (diag names src and line) for a line that
 * is no network, C2C_EINVAL (bad country), C2C_ELIMIT, C2C_ENOMEM. On error the entries of
 * the lines before it stay appended. */
c2c_err c2c_host_map_parse(struct c2c_host_map *m, const char *text, size_t len,
    const char *country, const char *src, struct c2c_diag *diag);

/* Sort, drop repeated networks (the one added first wins, as in the linear rule) and compute
 * the enclosing-entry index. Idempotent. C2C_ENOMEM. */
c2c_err c2c_host_map_index(struct c2c_host_map *m);

struct c2c_infra_opts {
	/* Country of a controlled host: host_map first (longest prefix), then geo (if any), else
	 * "??". host_map_parent (from c2c_host_map_index, with host_map sorted as it leaves it)
	 * makes the lookup logarithmic; NULL: a linear scan of any array. */
	const struct c2c_host_country *host_map;
	size_t n_host_map;
	const uint32_t *host_map_parent;
	struct c2c_geo *geo;           /* country/ASN of endpoints and hosts; may be NULL */
	const struct c2c_refdata *ref; /* role reference lists; may be NULL */
	/* SHA-256 of each input, by the index used in evidence references (obs->ev.input). */
	const uint8_t (*input_sha256)[32];
	uint32_t n_inputs;
	c2c_time tor_window;       /* Tor exit observations this close count (default 24 h) */
	uint32_t shared_hosting_fqdns; /* more distinct FQDNs than this: rented-hosting (10) */
	uint32_t min_shared_hosts; /* same-host-set edges need at least this many hosts (2) */
	uint32_t top_n;            /* rows in the top-N tables (10) */
	char home_country[3];      /* the statistic's country; "" = most controlled hosts */
};
/* Defaults as documented per field. */
void c2c_infra_opts_default(struct c2c_infra_opts *o);

/* What c2c_infra_build produces; every member is owned (json_decref via _fini). */
struct c2c_infra_result {
	json_t *infrastructure; /* array of "infrastructure" objects, sorted by subject.ip */
	json_t *edges;          /* array of "cluster-edge" findings, sorted by id */
	json_t *clusters;       /* array of "cluster" objects, sorted by id */
	json_t *matrix;         /* one "control-matrix" object */
	/* Counters for the report (inputs that did not fit are counted, never fatal). */
	uint64_t findings_used, findings_skipped, obs_used, obs_dropped;
};
void c2c_infra_result_fini(struct c2c_infra_result *r);

struct c2c_infra;

c2c_err c2c_infra_new(struct c2c_infra **out);
void c2c_infra_free(struct c2c_infra *x);

/* One observation, borrowed for the call. Kept per server address (o->resp): FQDNs from DNS
 * A/AAAA answers (the query name resolves to each answer address), TLS SNI, certificate
 * SHA-256 and JA3S, HTTP Host (not for proxy requests). The first observation of each fact
 * keeps its evidence reference. Caps per address (64 FQDNs, 16 certificates, 16 JA3S) and on
 * addresses (4 M) are counted (obs_dropped), never an error. C2C_ENOMEM only. */
c2c_err c2c_infra_add_obs(struct c2c_infra *x, const struct c2c_obs *o);

/* One L1 finding (docs/findings.md): type intel-hit, beacon, long-connection or dns-tunnel,
 * with "id", subject.host (controlled host), subject.peer (C2 endpoint) and optionally
 * subject.peer_port, subject.fqdn, first_seen/last_seen, and for intel hits the labels in
 * result.labels (array of strings), result.family / result.malware (strings). A dns-tunnel
 * finding without a public subject.peer names no endpoint and is skipped. Other types and
 * findings missing host/peer/id are counted as skipped. The finding is borrowed (copied as
 * needed). C2C_ENOMEM; C2C_EFORMAT with diag for a malformed address or time in a finding. */
c2c_err c2c_infra_add_finding(struct c2c_infra *x, const json_t *finding, struct c2c_diag *diag);

/* Assess every endpoint and emit infrastructure objects, cluster edges, clusters and the
 * control matrix into *out (zeroed first). The accumulator stays usable (build again with other
 * options). C2C_EINVAL (bad options), C2C_ENOMEM. */
c2c_err c2c_infra_build(struct c2c_infra *x, const struct c2c_infra_opts *o,
    struct c2c_infra_result *out, struct c2c_diag *diag);

/* ---- re-checking ------------------------------------------------------------------------- */

/* Re-check one cluster edge against the two infrastructure objects it names (result.a/.b, found
 * by id in `infrastructure`): same-certificate needs the certificate in both cert_sha256 lists,
 * shared-fqdn the name in both fqdns lists, same-host-set both controlled host lists hashing to
 * the edge's value, same-ja3s-ports the JA3S in both ja3s lists and equal port lists. Whether
 * those objects match the raw records is the evidence stage's check of their refs.
 * C2C_OK, or C2C_EVERIFY with the reason in diag. */
c2c_err c2c_cluster_edge_check(const json_t *edge, const json_t *infrastructure,
    struct c2c_diag *diag);

/* ---- the control matrix, recounted -------------------------------------------------------- */

/* Recompute the matrix directly from `findings` (array of L1 findings: the ones the matrix
 * cites) and `infrastructure` (array of infrastructure objects, which give each endpoint's
 * country and role), with the same host-country rules (opts->host_map, opts->geo) and top_n /
 * home_country. Independent of the accumulator. *out is a "control-matrix" object like the one
 * c2c_infra_build emits. C2C_EFORMAT (diag) for a finding that names an endpoint with no
 * infrastructure object, C2C_ENOMEM. */
c2c_err c2c_matrix_recount(const json_t *findings, const json_t *infrastructure,
    const struct c2c_infra_opts *o, json_t **out, struct c2c_diag *diag);

/* Compare every count of `matrix` (result: totals, by_controller_country, by_host_country,
 * pairs, by_role, top tables, statement) with `recount`. C2C_OK when equal, C2C_EVERIFY with
 * the first difference in diag->msg. */
c2c_err c2c_matrix_check(const json_t *matrix, const json_t *recount, struct c2c_diag *diag);

/* Country of a controlled host under `o` (host_map, then geo): writes "CC" or "??" into cc[3]
 * and returns "config", "geo" or "unknown". */
const char *c2c_infra_host_country(const struct c2c_infra_opts *o, const struct c2c_ip *host,
    char cc[3]);

#ifdef __cplusplus
}
#endif
#endif

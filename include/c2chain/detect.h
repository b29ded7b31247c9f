/*
 * Behavioural C2 detection (docs/detection.md): beacons per (internal host, external IP) and per
 * (internal host, FQDN), long connections, strobes and DNS tunnels, scored in integers in the
 * style of RITA v5 (or exactly as RITA v5 in the `rita` mode), emitted as findings per
 * docs/findings.md.
 *
 * Use: c2c_detect_new(cfg) -> feed every flow and observation of every input (any order of
 * inputs; e.g. through c2c_detect_sink with c2c_ingest_file) -> c2c_detect_finish(input
 * digests) -> findings array + c2c_detect_finding_refs for the full evidence lists ->
 * c2c_detect_free. Memory is bounded by the [detect] limits of the configuration; what the
 * limits drop is counted in c2c_detect_stats. Not thread-safe: one analyzer per thread.
 */
#ifndef C2C_DETECT_H
#define C2C_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "c2chain/config.h"
#include "c2chain/core.h"
#include "c2chain/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- public suffix list ---------------------------------------------------------------------- */
struct c2c_psl;
void c2c_psl_free(struct c2c_psl *psl);
/* Load a Public Suffix List file (publicsuffix.org format; Debian package `publicsuffix`:
 * /usr/share/publicsuffix/public_suffix_list.dat). With `private_rules` false the PRIVATE
 * section is ignored. The SHA-256 of the file is kept (c2c_psl_sha256) to pin it as reference
 * data. C2C_EIO, C2C_EFORMAT (diag: file and line), C2C_ENOMEM. */
c2c_err c2c_psl_load(const char *path, bool private_rules, struct c2c_psl **out,
    struct c2c_diag *diag);
c2c_err c2c_psl_parse(const char *text, size_t len, const char *src, bool private_rules,
    struct c2c_psl **out, struct c2c_diag *diag);
const uint8_t *c2c_psl_sha256(const struct c2c_psl *psl);
/* The registered domain (public suffix plus one label) of `name` (lower-case ASCII or
 * punycode, no trailing dot): C2C_OK with *off set so that name + *off is that domain;
 * C2C_ENOTFOUND when name is itself a public suffix or empty. With psl == NULL the rule is
 * "the last two labels". Thread-safe for concurrent readers. */
c2c_err c2c_psl_registered(const struct c2c_psl *psl, const char *name, size_t *off);

/* ---- analyzer ------------------------------------------------------------------------------- */
struct c2c_detect;

/* Counters of what was analysed and what limits or bad records dropped. */
struct c2c_detect_stats {
	uint64_t flows, flows_skipped_direction, flows_bad;
	uint64_t flows_skipped_proto; /* to multicast or broadcast addresses */
	uint64_t obs, obs_dns, obs_names, obs_bad;
	uint64_t pairs, connections_stored;
	uint64_t dropped_pair_limit, dropped_conn_limit, dropped_series_limit;
	uint64_t domains, dropped_domain_limit, names_capped;
	uint64_t joined_at_add, joined_late, joined_dns;
	uint64_t series_scored, beacons_suppressed;
	uint64_t arena_bytes; /* bytes of connection storage in use */
};

/* A new analyzer using `cfg` (borrowed: it must outlive the analyzer). Loads the public suffix
 * list named by dnstunnel.psl_file. C2C_OK; C2C_EIO / C2C_EFORMAT (PSL file, diag says where);
 * C2C_ENOMEM. */
c2c_err c2c_detect_new(const struct c2c_config *cfg, struct c2c_detect **out,
    struct c2c_diag *diag);
void c2c_detect_free(struct c2c_detect *d);

/* Feed one flow / one observation (borrowed for the call). Flows whose direction the
 * [network] switches exclude, and flows over limits, are counted and skipped: C2C_OK. Only
 * C2C_ENOMEM stops (and C2C_EINVAL after finish). No allocation per record in the steady
 * state: storage grows in slabs. */
c2c_err c2c_detect_add_flow(struct c2c_detect *d, const struct c2c_flow *f);
c2c_err c2c_detect_add_obs(struct c2c_detect *d, const struct c2c_obs *o);
/* A sink (types.h) that feeds this analyzer, for c2c_ingest_file. */
void c2c_detect_sink(struct c2c_detect *d, struct c2c_sink *out);

/* Analyse everything fed: the series, the server and DNS passes, the findings and their order,
 * all without the input digests (they may still be being computed). Optional: finish analyses
 * first when this was not called. Call at most once, before finish. C2C_OK, C2C_EINVAL,
 * C2C_ENOMEM. */
c2c_err c2c_detect_analyse(struct c2c_detect *d, uint32_t n_inputs);

/* Analyse everything fed (unless c2c_detect_analyse did) and return the findings (a new JSON
 * array, owned by the caller) with their evidence (references rendered with the digests,
 * Merkle roots) and ids, in a deterministic order: type (beacon, long-connection, strobe, dns-tunnel), then host, then
 * peer address or FQDN. `input_sha256[i]` is the digest of input i (as passed to
 * c2c_ingest_file); references naming an input >= n_inputs are C2C_EINVAL. Call once.
 * C2C_OK, C2C_EINVAL, C2C_ENOMEM. */
c2c_err c2c_detect_finish(struct c2c_detect *d, const uint8_t (*input_sha256)[32],
    uint32_t n_inputs, json_t **findings_out);

/* After finish: the number of findings and the full, sorted evidence list of finding i (the
 * same order as the array), whose rendered strings give the finding's Merkle root when it
 * has more than 64. *refs is borrowed until c2c_detect_free. C2C_ENOTFOUND for i out of
 * range, C2C_EINVAL before finish. */
size_t c2c_detect_n_findings(const struct c2c_detect *d);
c2c_err c2c_detect_finding_refs(const struct c2c_detect *d, size_t i,
    const struct c2c_evref **refs, size_t *n);
/* After finish: the "merkle_root" of finding i as bytes; C2C_ENOTFOUND when it has none (64
 * references or fewer) or i is out of range, C2C_EINVAL before finish. */
c2c_err c2c_detect_finding_root(const struct c2c_detect *d, size_t i, uint8_t root[32]);

void c2c_detect_get_stats(const struct c2c_detect *d, struct c2c_detect_stats *out);

/* RFC 6962 Merkle tree hash over rendered references (leaf = SHA-256(0x00 || ref), node =
 * SHA-256(0x01 || left || right)), as in the "merkle_root" of findings. C2C_ENOMEM. */
c2c_err c2c_detect_merkle_root(const char *const *refs, size_t n, uint8_t out[32]);

#ifdef __cplusplus
}
#endif
#endif

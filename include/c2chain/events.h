/*
 * Exchange format: C2 contacts as rows in the column layout of Shadowserver's sinkhole event
 * reports (event4_sinkhole / event6_sinkhole, anchors.md §8), the record CERTs already
 * exchange. `c2chain report --format events-csv` writes this.
 */
#ifndef C2C_EVENTS_H
#define C2C_EVENTS_H

#include <jansson.h>

#include "c2chain/core.h"
#include "c2chain/infra.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The header line, without the newline: timestamp,protocol,src_ip,...,event_id (30 columns). */
const char *c2c_events_csv_header(void);

/* Append the header and one row per (controlled host, C2 endpoint, C2 port) found in the L1
 * `findings` (intel-hit, beacon, long-connection, dns-tunnel with subject.host and
 * subject.peer) to `out`:
 *   timestamp   earliest first_seen of the row's findings, "YYYY-MM-DD HH:MM:SS" (UTC)
 *   protocol    subject.proto or result.proto when a finding states it, else empty
 *   src_*       the controlled host: ip, asn, geo (host map, then the geo database)
 *   dst_*       the C2 endpoint: ip, port, asn, geo and hostname (first FQDN) from its
 *               infrastructure object
 *   public_source "c2chain"; infection and family: the first intel label (sorted), tag: the
 *   finding types joined by ';' plus "role:<role>"; event_id: the smallest finding id.
 * Region, city, NAICS, sector, device and application columns are empty (not observed).
 * Rows are sorted by (timestamp, src_ip, dst_ip, dst_port); fields are quoted per RFC 4180
 * when needed. `infrastructure` may be NULL (dst_asn/geo/hostname empty). `o` supplies the host
 * map and geo handle (may be NULL). C2C_ENOMEM, C2C_ELIMIT (buffer cap), C2C_EFORMAT (a
 * malformed address or time, with diag). */
c2c_err c2c_events_csv(const json_t *findings, const json_t *infrastructure,
    const struct c2c_infra_opts *o, struct c2c_buf *out, struct c2c_diag *diag);

#ifdef __cplusplus
}
#endif
#endif

/*
 * STIX 2.1 export of a case (report.stix.json; reference/attribution.md §5.2, docs/attribution.md
 * "STIX export"). The bundle is a deterministic function of report.json: SCO ids are UUIDv5 in
 * the STIX SCO namespace over the RFC 8785 form of their id-contributing properties; SDO/SRO ids
 * are UUIDv5 in a per-producer namespace named by the finding or assessment id; created/modified
 * come from the ledger checkpoint time, never from the clock.
 */
#ifndef C2C_STIX_H
#define C2C_STIX_H

#include <jansson.h>

#include "c2chain/core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define C2C_UUID_STRLEN 37
#define C2C_STIX_ID_MAX 96

/* UUIDv5 (RFC 9562 §5.5) of `name` in namespace `ns` (text form "xxxxxxxx-xxxx-..."), written
 * lowercase into out[C2C_UUID_STRLEN]. C2C_EINVAL for a malformed namespace. */
c2c_err c2c_uuid5(const char *ns, const void *name, size_t len, char out[C2C_UUID_STRLEN]);

/* STIX 2.1 id of a cyber-observable: "<type>--<UUIDv5(SCO namespace, JCS(contrib))>", where
 * `contrib` holds the id-contributing properties (e.g. {"value":"198.51.100.7"}). */
c2c_err c2c_stix_sco_id(const char *type, const json_t *contrib, char out[C2C_STIX_ID_MAX]);

/* Build the STIX 2.1 bundle for a report.json object. Members read (docs/attribution.md):
 *   case.id (required), case.producer (default "c2chain"), case.tlp (white|clear|green|amber|red),
 *   ledger.time (checkpoint time, required; case.created is the fallback),
 *   findings[] (intel-hit, beacon, long-connection, dns-tunnel, ... with subject.peer;
 *               infrastructure; cluster; assessment), clusters[] (optional cluster objects),
 *   artefacts[] (optional {"name","sha256"} of report.json, report.dsse.json, ...).
 * On success *bundle_out is owned by the caller. C2C_EINVAL when case.id or the time is missing
 * (diag says which); C2C_ENOMEM. */
c2c_err c2c_stix_export(const json_t *report, json_t **bundle_out, struct c2c_diag *diag);

#ifdef __cplusplus
}
#endif
#endif

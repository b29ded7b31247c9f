/*
 * The pipeline stage: `c2chain scan` end to end (ingest -> intel -> detect -> enrich -> attribute
 * -> evidence -> report) and the deterministic re-run that `c2chain verify` compares against.
 */
#ifndef C2C_PIPELINE_H
#define C2C_PIPELINE_H

#include "c2chain/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Re-derive report.json of the case in `case_dir` from its recorded inputs and options:
 * input files are looked up under `inputs_dir` (NULL: the paths recorded in inputs.json) and
 * must match their recorded digests. The canonical report.json bytes land in `out`.
 * Returns C2C_OK; C2C_ENOTFOUND (an input is missing), C2C_EVERIFY (digest mismatch),
 * C2C_EFORMAT (unreadable case), C2C_EIO, C2C_ENOMEM. */
c2c_err c2c_scan_rederive(const char *case_dir, const char *inputs_dir, struct c2c_buf *out,
    struct c2c_diag *diag);

#ifdef __cplusplus
}
#endif
#endif

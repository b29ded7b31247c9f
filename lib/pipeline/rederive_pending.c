/*
 * Stand-in for the pipeline's re-derivation until lib/pipeline/ implements the scan: `verify`
 * reports the report claim as "missing data" (re-derivation not available) instead of
 * pretending it re-ran the analysis. Replaced by the real c2c_scan_rederive.
 */
#include "c2chain/pipeline.h"

c2c_err
c2c_scan_rederive(const char *case_dir, const char *inputs_dir, struct c2c_buf *out,
    struct c2c_diag *diag)
{
	(void)inputs_dir;
	(void)out;
	return c2c_diag_set(diag, C2C_EUNSUPPORTED, case_dir, 0,
	    "this build cannot re-run the scan (pipeline not built in)");
}

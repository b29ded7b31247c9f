/*
 * Placeholder for the pcap/pcapng driver until that reader lands: the input is recognised and
 * reported as unsupported by this build, never silently skipped.
 */
#include "ingest/internal.h"

c2c_err
c2c__ingest_capture(struct c2c_ingest_ctx *cx, struct c2c_rd *rd)
{
	(void)rd;
	return c2c_diag_set(cx->diag, C2C_EUNSUPPORTED, cx->path, 0,
	    "%s input is not supported by this build", c2c_format_name(cx->info->format));
}

/*
 * Placeholder for captures of NetFlow/IPFIX export packets until that reader lands: no capture
 * is taken for an export capture, so it is read as ordinary traffic.
 */
#include "ingest/internal.h"

bool
c2c__export_pcap_probe(const uint8_t *p, size_t len)
{
	(void)p;
	(void)len;
	return false;
}

c2c_err
c2c__ingest_export_pcap(struct c2c_ingest_ctx *cx, struct c2c_rd *rd)
{
	(void)rd;
	return c2c_diag_set(cx->diag, C2C_EUNSUPPORTED, cx->path, 0,
	    "captures of export packets are not supported by this build");
}

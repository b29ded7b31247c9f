/*
 * Captures (pcap / pcapng) of flow-export packets: UDP datagrams to any port carrying NetFlow
 * v5/v9 or IPFIX. The capture engine (c2c__capture_open/next) and the packet decoder
 * (c2c__decode, with fragment reassembly, since large IPFIX messages are often fragmented) hand
 * over each UDP payload with its source address, which is the exporter; templates are scoped by
 * it. Every flow's reference names the packet record (rec = the record index in the message),
 * and the template it depends on names the packet that carried the template.
 *
 * c2c__export_pcap_probe decides from the first bytes of the file: among the first packets,
 * a majority must be UDP datagrams whose payload passes the export header sanity checks.
 */
#include <string.h>

#include "ingest/export.h"
#include "ingest/internal.h"

#define PROBE_PACKETS 64

/* The export payload of a decoded packet, or NULL. */
static const struct c2c_l4 *
export_layer(const struct c2c_decoded *d)
{
	for (uint8_t i = 0; i < d->n; i++) {
		const struct c2c_l4 *l = &d->l[i];
		if (l->proto == 17 && !l->fragment && l->payload != NULL &&
		    l->payload_caplen == l->payload_len &&
		    c2c__exp_plausible(l->payload, l->payload_caplen))
			return l;
	}
	return NULL;
}

bool
c2c__export_pcap_probe(const uint8_t *p, size_t len)
{
	struct c2c_ingest_stats st;
	struct c2c_input_info info;
	struct c2c_capture *cap = NULL;
	struct c2c_defrag *df;
	struct c2c_rd rd;
	unsigned packets = 0, exports = 0;

	memset(&st, 0, sizeof(st));
	memset(&info, 0, sizeof(info));
	info.first_ts = INT64_MAX;
	info.last_ts = INT64_MIN;
	if (c2c_rd_open_mem(&rd, p, len, C2C_RD_NO_GZIP) != C2C_OK)
		return false;
	df = c2c__defrag_new();
	if (df != NULL && c2c__capture_open(&cap, &rd, 0, &st, &info, NULL) == C2C_OK) {
		struct c2c_pkt pkt;
		struct c2c_decoded d;
		while (packets < PROBE_PACKETS && c2c__capture_next(cap, &pkt, NULL) == C2C_OK) {
			packets++;
			if (c2c__decode(&pkt, df, &d, &st) && export_layer(&d) != NULL)
				exports++;
		}
		c2c__capture_free(cap);
	}
	c2c__defrag_free(df);
	c2c_rd_close(&rd);
	return exports > 0 && exports * 2 > packets;
}

c2c_err
c2c__ingest_export_pcap(struct c2c_ingest_ctx *cx, struct c2c_rd *rd)
{
	struct c2c_capture *cap = NULL;
	struct c2c_defrag *df = NULL;
	struct c2c_exp *x = NULL;
	struct c2c_exp_out out;
	c2c_err rc;

	rc = c2c__capture_open(&cap, rd, cx->input, cx->st, cx->info, cx->diag);
	if (rc != C2C_OK)
		return rc;
	df = c2c__defrag_new();
	x = c2c__exp_new();
	if (df == NULL || x == NULL) {
		rc = C2C_ENOMEM;
		goto out;
	}
	memset(&out, 0, sizeof(out));
	out.input = cx->input;
	out.sink = cx->sink;
	out.st = cx->st;
	out.info = cx->info;
	for (;;) {
		struct c2c_pkt pkt;
		struct c2c_decoded d;
		const struct c2c_l4 *l;

		rc = c2c__capture_next(cap, &pkt, cx->diag);
		if (rc == C2C_EEND) {
			rc = C2C_OK;
			break;
		}
		if (rc != C2C_OK)
			break;
		if (!c2c__decode(&pkt, df, &d, cx->st))
			continue;
		l = export_layer(&d);
		if (l == NULL) {
			cx->st->n[C2C_ST_NF_OTHER_PACKETS]++;
			continue;
		}
		/* the reference names the packet record, which holds the datagram */
		out.ev_base = &pkt.ev;
		rc = c2c__exp_message(x, &l->src, l->payload, l->payload_caplen, pkt.ev.off, &out);
		if (rc != C2C_OK)
			break;
		if (cx->opts->progress != NULL)
			cx->opts->progress(cx->opts->progress_ctx, rd->raw_read, cx->total,
			    cx->info->records);
	}
out:
	c2c__exp_free(x);
	c2c__defrag_free(df);
	c2c__capture_free(cap);
	return rc;
}

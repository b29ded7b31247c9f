/*
 * The pcap/pcapng driver behind c2c_ingest_file: capture reader -> L2-L4 decoder (with IP
 * reassembly) -> flow table -> application parsers -> sink. It owns the per-input objects
 * (reader, reassembly state, flow table), counts records and timestamps into the input's
 * fingerprint, reports progress every 64 Ki packets, and emits every flow still open at the
 * end. Nothing here allocates per packet.
 */
#include <string.h>

#include "ingest/flowtab.h"
#include "ingest/internal.h"

#define PROGRESS_EVERY 65536u

c2c_err
c2c__ingest_capture(struct c2c_ingest_ctx *cx, struct c2c_rd *rd)
{
	const struct c2c_ingest_opts *opts = cx->opts;
	struct c2c_capture *cap = NULL;
	struct c2c_defrag *df = NULL;
	struct c2c_flowtab *ft = NULL;
	struct c2c_flowtab_cfg cfg;
	struct c2c_decoded dec;
	struct c2c_pkt pkt;
	uint64_t n = 0;
	c2c_err rc;

	rc = c2c__capture_open(&cap, rd, cx->input, cx->st, cx->info, cx->diag);
	if (rc != C2C_OK)
		return rc;
	df = c2c__defrag_new();
	if (df == NULL) {
		rc = C2C_ENOMEM;
		goto out;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.input = cx->input;
	cfg.max_flows = opts->max_flows;
	cfg.tcp_inactivity = opts->tcp_inactivity;
	cfg.udp_inactivity = opts->udp_inactivity;
	cfg.icmp_inactivity = opts->icmp_inactivity;
	cfg.community_id = opts->community_id;
	cfg.community_seed = opts->community_seed;
	cfg.observations = opts->observations;
	cfg.ignore_checksums = opts->ignore_checksums;
	cfg.sink = cx->sink;
	cfg.st = cx->st;
	rc = c2c__flowtab_new(&cfg, &ft);
	if (rc != C2C_OK)
		goto out;
	for (;;) {
		rc = c2c__capture_next(cap, &pkt, cx->diag);
		if (rc == C2C_EEND) {
			rc = C2C_OK;
			break;
		}
		if (rc != C2C_OK)
			goto out;
		n++;
		cx->info->records++;
		if (pkt.ts < cx->info->first_ts)
			cx->info->first_ts = pkt.ts;
		if (pkt.ts > cx->info->last_ts)
			cx->info->last_ts = pkt.ts;
		if (c2c__decode(&pkt, df, &dec, cx->st)) {
			rc = c2c__flowtab_packet(ft, &pkt, &dec);
			if (rc != C2C_OK)
				goto out;
		}
		if (opts->progress != NULL && n % PROGRESS_EVERY == 0)
			opts->progress(opts->progress_ctx, rd->map != NULL ? c2c_rd_pos(rd) :
			    rd->raw_read, cx->total, n);
	}
	rc = c2c__flowtab_finish(ft);
	if (rc == C2C_OK && opts->progress != NULL)
		opts->progress(opts->progress_ctx, cx->total, cx->total, n);
out:
	c2c__flowtab_free(ft);
	c2c__defrag_free(df);
	c2c__capture_free(cap);
	return rc;
}

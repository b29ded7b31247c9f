/*
 * The pcap/pcapng driver behind c2c_ingest_file: capture reader -> L2-L4 decoder (with IP
 * reassembly) -> flow table -> application parsers -> sink. It owns the per-input objects
 * (reader, reassembly state, flow table), counts records and timestamps into the input's
 * fingerprint, reports progress every 64 Ki packets, and emits every flow still open at the
 * end. Nothing here allocates per packet.
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ingest/flowtab.h"
#include "ingest/internal.h"

#define PROGRESS_EVERY 65536u
#define RELEASE_STEP ((uint64_t)32 << 20)  /* give back mapped pages 32 MiB at a time */
#define RELEASE_SLACK ((uint64_t)16 << 20) /* ... keeping this much behind the reader */

/* A mapped input stays resident as it is read, so peak memory would grow with the file. The
 * bytes behind the reader are never looked at again (packets are borrowed until the next one;
 * reassembled datagrams live in their own buffers), so their pages are handed back. Pages the
 * digest has not covered yet are kept. */
static void
release_consumed(const struct c2c_rd *rd, uint64_t *released)
{
	uint64_t upto, page;
	long ps;

	if (rd->map == NULL || rd->gzip)
		return;
	upto = rd->pos;
	if (rd->hashing && rd->hashed < upto)
		upto = rd->hashed;
	if (upto < RELEASE_SLACK)
		return;
	ps = sysconf(_SC_PAGESIZE);
	page = ps > 0 ? (uint64_t)ps : 4096;
	upto = (upto - RELEASE_SLACK) / page * page;
	if (upto < *released + RELEASE_STEP)
		return;
	(void)madvise((void *)(uintptr_t)(rd->map + *released), (size_t)(upto - *released),
	    MADV_DONTNEED);
	*released = upto;
}

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
	uint64_t n = 0, released = 0;
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
		n++; /* records and first/last time are counted by the reader (capfile.h) */
		if (c2c__decode(&pkt, df, &dec, cx->st)) {
			rc = c2c__flowtab_packet(ft, &pkt, &dec);
			if (rc != C2C_OK)
				goto out;
		}
		if (n % 4096 == 0)
			release_consumed(rd, &released);
		if (opts->progress != NULL && n % PROGRESS_EVERY == 0)
			opts->progress(opts->progress_ctx, rd->map != NULL ? c2c_rd_pos(rd) :
			    rd->raw_read, cx->total, n);
	}
	rc = c2c__flowtab_finish(ft);
out:
	c2c__flowtab_free(ft);
	c2c__defrag_free(df);
	c2c__capture_free(cap);
	return rc;
}

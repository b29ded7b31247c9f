/*
 * Collector evidence files ("C2CE", docs/collector.md): the datagrams a collector received,
 * verbatim, each with its receive time, exporter address and port and a CRC-32, after a 16-byte
 * file header. Reading one decodes every datagram as an export message from its exporter, so a
 * flow's reference (offset, length) names the datagram bytes in the file. A record cut short at
 * the end (the collector was killed before renaming; only possible for a recovered temporary
 * file) is counted as truncated; a CRC mismatch is counted and the datagram skipped.
 */
#include <string.h>

#include "core/cursor.h"
#include "ingest/export.h"
#include "ingest/internal.h"

static void
put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

static void
put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

void
c2c__c2ce_file_header(uint8_t out[C2CE_FILE_HDR], c2c_time created)
{
	memcpy(out, C2CE_MAGIC, 4);
	out[4] = C2CE_VERSION;
	out[5] = 0;
	put_be16(out + 6, C2CE_FILE_HDR);
	put_be64(out + 8, (uint64_t)created);
}

void
c2c__c2ce_rec_header(uint8_t out[C2CE_REC_HDR], const uint8_t *dgram, uint32_t len,
    c2c_time received, const struct c2c_ip *exporter, uint16_t port)
{
	put_be32(out, len);
	put_be32(out + 4, dgram != NULL ? c2c_crc32(0, dgram, len) : 0);
	put_be64(out + 8, (uint64_t)received);
	put_be16(out + 16, port);
	out[18] = exporter->family;
	out[19] = 0;
	memcpy(out + 20, exporter->a, 16);
}

c2c_err
c2c__ingest_evidence(struct c2c_ingest_ctx *cx, struct c2c_rd *rd)
{
	struct c2c_exp *x;
	struct c2c_exp_out out;
	const uint8_t *p;
	size_t avail = 0;
	uint16_t hlen;
	c2c_err rc;

	rc = c2c_rd_peek(rd, C2CE_FILE_HDR, &p, &avail);
	if (rc != C2C_OK || p[4] != C2CE_VERSION || c2c_be16(p + 6) < C2CE_FILE_HDR)
		return c2c_diag_set(cx->diag, C2C_EFORMAT, cx->path, 0,
		    "not a version %d c2chain evidence file header", C2CE_VERSION);
	hlen = c2c_be16(p + 6);
	rc = c2c_rd_peek(rd, hlen, &p, &avail);
	if (rc != C2C_OK)
		return c2c_diag_set(cx->diag, C2C_EFORMAT, cx->path, 0, "short file header");
	if (cx->info->n_deps < C2C_ARRAY_LEN(cx->info->deps)) {
		struct c2c_evref *d = &cx->info->deps[cx->info->n_deps++];
		d->input = cx->input;
		d->rec = -1;
		d->off = 0;
		d->len = hlen;
	}
	c2c_rd_advance(rd, hlen);
	x = c2c__exp_new();
	if (x == NULL)
		return C2C_ENOMEM;
	memset(&out, 0, sizeof(out));
	out.input = cx->input;
	out.sink = cx->sink;
	out.st = cx->st;
	out.info = cx->info;
	rc = C2C_OK;
	for (;;) {
		uint64_t off = c2c_rd_pos(rd);
		struct c2c_ip ip;
		uint32_t len, crc;
		c2c_err prc = c2c_rd_peek(rd, C2CE_REC_HDR, &p, &avail);

		if (prc != C2C_OK && prc != C2C_EEND) {
			rc = c2c_diag_set(cx->diag, prc, cx->path, off, "read failed");
			break;
		}
		if (avail == 0)
			break;
		if (prc == C2C_EEND) {
			cx->st->n[C2C_ST_NF_EVIDENCE_TRUNCATED]++;
			(void)c2c_diag_set(cx->diag, C2C_OK, cx->path, off,
			    "last record truncated (%zu of %d header bytes)", avail, C2CE_REC_HDR);
			break;
		}
		len = c2c_be32(p);
		crc = c2c_be32(p + 4);
		memset(&ip, 0, sizeof(ip));
		if (p[18] == 4 || p[18] == 6) {
			memcpy(ip.a, p + 20, 16);
			ip.family = p[18];
		}
		if (len > C2CE_MAX_DATAGRAM) {
			/* the length cannot be trusted, so nothing after it can be framed */
			cx->st->n[C2C_ST_NF_MALFORMED]++;
			cx->info->malformed++;
			(void)c2c_diag_set(cx->diag, C2C_OK, cx->path, off,
			    "record length %u too large; rest of file ignored", len);
			break;
		}
		prc = c2c_rd_peek(rd, C2CE_REC_HDR + (size_t)len, &p, &avail);
		if (prc == C2C_EEND) {
			cx->st->n[C2C_ST_NF_EVIDENCE_TRUNCATED]++;
			(void)c2c_diag_set(cx->diag, C2C_OK, cx->path, off,
			    "last record truncated (%zu of %u bytes)", avail,
			    C2CE_REC_HDR + len);
			break;
		}
		if (prc != C2C_OK) {
			rc = c2c_diag_set(cx->diag, prc, cx->path, off, "read failed");
			break;
		}
		if (c2c_crc32(0, p + C2CE_REC_HDR, len) != crc) {
			cx->st->n[C2C_ST_NF_EVIDENCE_BAD_CRC]++;
			cx->info->malformed++;
		} else {
			rc = c2c__exp_message(x, &ip, p + C2CE_REC_HDR, len, off + C2CE_REC_HDR, &out);
			if (rc != C2C_OK)
				break;
		}
		c2c_rd_advance(rd, C2CE_REC_HDR + (size_t)len);
		if (cx->opts->progress != NULL)
			cx->opts->progress(cx->opts->progress_ctx, rd->raw_read, cx->total,
			    cx->info->records);
	}
	c2c__exp_free(x);
	return rc;
}

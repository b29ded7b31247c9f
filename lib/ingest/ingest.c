/*
 * Ingest entry point: opens an input, detects its format from content (never from its name),
 * and hands it to the driver for that format (capture, export, zeek, evidence). Also the names
 * of formats and counters.
 */
#include <stdint.h>
#include <string.h>

#include "ingest/internal.h"

static const char *const stat_names[] = {
#define C2C_X_(e, n) n,
	C2C_STATS_MAP(C2C_X_)
#undef C2C_X_
};

const char *
c2c_stat_name(enum c2c_stat s)
{
	return (unsigned)s < C2C_ST__COUNT ? stat_names[s] : "?";
}

void
c2c_ingest_stats_add(struct c2c_ingest_stats *dst, const struct c2c_ingest_stats *src)
{
	for (unsigned i = 0; i < C2C_ST__COUNT; i++)
		dst->n[i] += src->n[i];
}

const char *
c2c_format_name(enum c2c_format f)
{
	switch (f) {
	case C2C_FMT_PCAP:
		return "pcap";
	case C2C_FMT_PCAPNG:
		return "pcapng";
	case C2C_FMT_IPFIX:
		return "ipfix";
	case C2C_FMT_NETFLOW:
		return "netflow";
	case C2C_FMT_ZEEK_TSV:
		return "zeek-tsv";
	case C2C_FMT_ZEEK_JSON:
		return "zeek-json";
	case C2C_FMT_EVIDENCE:
		return "c2chain-evidence";
	case C2C_FMT_UNKNOWN:
		break;
	}
	return "unknown";
}

enum c2c_format
c2c_format_detect(const uint8_t *p, size_t len)
{
	uint32_t m;
	if (len >= 4) {
		m = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		if (m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1)
			return C2C_FMT_PCAP;
		if (m == 0x0a0d0d0a)
			return C2C_FMT_PCAPNG;
		if (memcmp(p, "C2CE", 4) == 0)
			return C2C_FMT_EVIDENCE;
	}
	if (len >= 16 && p[0] == 0 && p[1] == 10) {
		/* IPFIX message header: version 10, length >= 16. */
		unsigned l = (unsigned)p[2] << 8 | p[3];
		if (l >= 16)
			return C2C_FMT_IPFIX;
	}
	if (len >= 24 && p[0] == 0 && (p[1] == 5 || p[1] == 9))
		return C2C_FMT_NETFLOW;
	if (len >= 1 && p[0] == '#')
		return C2C_FMT_ZEEK_TSV;
	if (len >= 1 && p[0] == '{')
		return C2C_FMT_ZEEK_JSON;
	if (c2c__zeek_conn_probe(p, len))
		return C2C_FMT_ZEEK_TSV; /* headerless conn.log */
	return C2C_FMT_UNKNOWN;
}

void
c2c_ingest_opts_default(struct c2c_ingest_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_flows = 1u << 20;
	o->community_id = true;
	o->hash = true;
	o->observations = true;
	/* Zeek's defaults: tcp_inactivity_timeout 5 min, udp 1 min, icmp 1 min. */
	o->tcp_inactivity = 300 * C2C_USEC;
	o->udp_inactivity = 60 * C2C_USEC;
	o->icmp_inactivity = 60 * C2C_USEC;
}

c2c_err
c2c_ingest_file(const char *path, uint32_t input, const struct c2c_ingest_opts *opts,
    const struct c2c_sink *sink, struct c2c_input_info *info, struct c2c_ingest_stats *stats,
    struct c2c_diag *diag)
{
	struct c2c_ingest_opts defopts;
	struct c2c_input_info linfo;
	struct c2c_ingest_stats lstats;
	struct c2c_ingest_ctx cx;
	struct c2c_rd rd;
	const uint8_t *p;
	size_t avail = 0;
	c2c_err rc;

	if (opts == NULL) {
		c2c_ingest_opts_default(&defopts);
		opts = &defopts;
	}
	memset(&linfo, 0, sizeof(linfo));
	linfo.first_ts = INT64_MAX;
	linfo.last_ts = INT64_MIN;
	memset(&lstats, 0, sizeof(lstats));
	rc = c2c_rd_open(&rd, path, opts->hash ? C2C_RD_HASH : 0, diag);
	if (rc != C2C_OK)
		return rc;
	rc = c2c_rd_peek(&rd, C2C_FORMAT_PEEK, &p, &avail);
	if (rc != C2C_OK && rc != C2C_EEND) {
		c2c_rd_close(&rd);
		return c2c_diag_set(diag, rc, path, 0, "%s", rc == C2C_EFORMAT
		    ? "corrupt gzip data" : c2c_strerror(rc));
	}
	linfo.gzip = rd.gzip;
	linfo.format = c2c_format_detect(p, avail);
	cx.path = path;
	cx.input = input;
	cx.opts = opts;
	cx.sink = sink;
	cx.info = &linfo;
	cx.st = &lstats;
	cx.diag = diag;
	cx.total = rd.map != NULL ? rd.map_len : 0;
	switch (linfo.format) {
	case C2C_FMT_PCAP:
	case C2C_FMT_PCAPNG: {
		/* An export capture (UDP packets carrying NetFlow/IPFIX) reads as flow exports. */
		const uint8_t *head;
		size_t hlen = 0;
		c2c_err prc = c2c_rd_peek(&rd, 1u << 20, &head, &hlen);
		if (prc != C2C_OK && prc != C2C_EEND)
			hlen = avail;
		if (c2c__export_pcap_probe(hlen ? head : p, hlen ? hlen : avail))
			rc = c2c__ingest_export_pcap(&cx, &rd);
		else
			rc = c2c__ingest_capture(&cx, &rd);
		break;
	}
	case C2C_FMT_IPFIX:
	case C2C_FMT_NETFLOW:
		rc = c2c__ingest_export(&cx, &rd);
		break;
	case C2C_FMT_ZEEK_TSV:
	case C2C_FMT_ZEEK_JSON:
		rc = c2c__ingest_zeek(&cx, &rd);
		break;
	case C2C_FMT_EVIDENCE:
		rc = c2c__ingest_evidence(&cx, &rd);
		break;
	case C2C_FMT_UNKNOWN:
	default:
		rc = c2c_diag_set(diag, C2C_EUNSUPPORTED, path, 0,
		    "not a recognised input (pcap, pcapng, IPFIX, NetFlow, Zeek TSV/JSON)");
		break;
	}
	if (rc == C2C_OK && opts->parsed != NULL)
		rc = opts->parsed(opts->parsed_ctx);
	if (rc == C2C_OK && opts->hash)
		rc = c2c_rd_finish(&rd, linfo.sha256, &linfo.size, diag);
	else
		linfo.size = rd.map_len ? rd.map_len : rd.raw_read;
	c2c_rd_close(&rd);
	if (rc != C2C_OK)
		return rc;
	if (opts->progress != NULL) /* every input ends on a complete progress report */
		opts->progress(opts->progress_ctx, linfo.size, linfo.size, linfo.records);
	if (info != NULL)
		*info = linfo;
	if (stats != NULL)
		c2c_ingest_stats_add(stats, &lstats);
	return C2C_OK;
}

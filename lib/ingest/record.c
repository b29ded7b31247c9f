/*
 * Re-parse of one cited record for the verifier (c2c_ingest_record, ingest.h). The dependency
 * records and the record are laid end to end as a miniature input in memory and read by the
 * very driver that read the full input, so `verify` checks the records with the same parser
 * the scan used. A sink wrapper keeps only what the cited record produced and maps evidence
 * offsets in the miniature back to offsets in the original input.
 */
#include <string.h>

#include "ingest/internal.h"

#define MINI_MAX (C2C_RD_MAX_PEEK) /* a record and its dependencies fit one peek */

struct mini_sink {
	const struct c2c_sink *user;
	uint64_t img_off;  /* offset of the cited record inside the miniature */
	uint64_t orig_off; /* and in the original input */
	int32_t rec;
};

static bool
names_record(const struct mini_sink *m, const struct c2c_evref *ev)
{
	return ev->off == m->img_off && (m->rec < 0 || ev->rec == m->rec);
}

static void
map_back(const struct mini_sink *m, struct c2c_evref *ev)
{
	if (ev->off == m->img_off)
		ev->off = m->orig_off;
}

static c2c_err
mini_flow(void *ctx, const struct c2c_flow *f)
{
	struct mini_sink *m = ctx;
	struct c2c_flow copy;
	if (m->user->flow == NULL || (!names_record(m, &f->first_ev) && !names_record(m, &f->last_ev)))
		return C2C_OK;
	copy = *f;
	map_back(m, &copy.first_ev);
	map_back(m, &copy.last_ev);
	return m->user->flow(m->user->ctx, &copy);
}

static c2c_err
mini_obs(void *ctx, const struct c2c_obs *o)
{
	struct mini_sink *m = ctx;
	struct c2c_obs *copy;
	c2c_err rc;
	if (m->user->obs == NULL || !names_record(m, &o->ev))
		return C2C_OK;
	/* An observation is large (DNS answers, HTTP URI): copy on the heap, not the stack. */
	copy = c2c_malloc(sizeof(*copy));
	if (copy == NULL)
		return C2C_ENOMEM;
	*copy = *o;
	map_back(m, &copy->ev);
	rc = m->user->obs(m->user->ctx, copy);
	c2c_free(copy);
	return rc;
}

static bool
is_zeek(enum c2c_format fmt)
{
	return fmt == C2C_FMT_ZEEK_TSV || fmt == C2C_FMT_ZEEK_JSON;
}

static bool
ends_line(const struct c2c_recbytes *r)
{
	return r->len > 0 && r->p[r->len - 1] == '\n';
}

c2c_err
c2c_ingest_record(enum c2c_format fmt, const struct c2c_recbytes *deps, size_t n_deps,
    const struct c2c_recbytes *rec, int32_t rec_index, const struct c2c_sink *sink,
    struct c2c_diag *diag)
{
	static const char src[] = "<cited record>";
	struct c2c_ingest_opts opts;
	struct c2c_input_info info;
	struct c2c_ingest_stats st;
	struct c2c_ingest_ctx cx;
	struct mini_sink ms;
	struct c2c_sink wrap;
	struct c2c_buf img;
	struct c2c_rd rd;
	uint64_t prev_end = 0;
	c2c_err rc;

	for (size_t i = 0; i < n_deps; i++) {
		if (deps[i].off < prev_end || deps[i].off + deps[i].len > rec->off)
			return c2c_diag_set(diag, C2C_EINVAL, src, deps[i].off,
			    "dependency record does not precede the cited record");
		prev_end = deps[i].off + deps[i].len;
	}
	c2c_buf_init(&img, MINI_MAX);
	for (size_t i = 0; i < n_deps; i++) {
		rc = c2c_buf_add(&img, deps[i].p, deps[i].len);
		/* Zeek header lines are cited, like data lines, without their newline: laid end
		 * to end they would run together into one line that names no #fields. */
		if (rc == C2C_OK && is_zeek(fmt) && !ends_line(&deps[i]))
			rc = c2c_buf_addc(&img, '\n');
		if (rc != C2C_OK)
			goto out;
	}
	ms.user = sink;
	ms.img_off = img.len;
	ms.orig_off = rec->off;
	ms.rec = rec_index;
	rc = c2c_buf_add(&img, rec->p, rec->len);
	if (rc != C2C_OK)
		goto out;
	/* A Zeek line is cited without its newline; alone at the end of the miniature input it
	 * would read as a truncated last line. */
	if (is_zeek(fmt) && !ends_line(rec))
		rc = c2c_buf_addc(&img, '\n');
	if (rc != C2C_OK)
		goto out;

	c2c_ingest_opts_default(&opts);
	opts.hash = false;
	/* The question is what the record says, not whether Zeek would have counted it: a packet
	 * with an offloaded (wrong) checksum still names its endpoints. */
	opts.ignore_checksums = true;
	memset(&info, 0, sizeof(info));
	info.format = fmt;
	info.first_ts = INT64_MAX;
	info.last_ts = INT64_MIN;
	memset(&st, 0, sizeof(st));
	wrap.ctx = &ms;
	wrap.flow = mini_flow;
	wrap.obs = mini_obs;
	rc = c2c_rd_open_mem(&rd, img.data, img.len, C2C_RD_NO_GZIP);
	if (rc != C2C_OK)
		goto out;
	cx.path = src;
	cx.input = 0;
	cx.opts = &opts;
	cx.sink = &wrap;
	cx.info = &info;
	cx.st = &st;
	cx.diag = diag;
	cx.total = img.len;
	switch (fmt) {
	case C2C_FMT_PCAP:
	case C2C_FMT_PCAPNG:
		if (c2c__export_pcap_probe(img.data, img.len))
			rc = c2c__ingest_export_pcap(&cx, &rd);
		else
			rc = c2c__ingest_capture(&cx, &rd);
		break;
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
		rc = c2c_diag_set(diag, C2C_EUNSUPPORTED, src, rec->off, "unknown record format");
		break;
	}
	c2c_rd_close(&rd);
out:
	c2c_buf_fini(&img);
	return rc;
}

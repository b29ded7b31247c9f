/*
 * `c2chain scan` end to end (pipeline.h). Reference data is loaded and pinned first; inputs are
 * expanded (folders of rotated logs become ordered file lists) and numbered; one thread ingests
 * while the other analyses (batch.h keeps the record order, so the result does not depend on the
 * thread count); then detection, intel hits, infrastructure, clusters, the control matrix and
 * the assessments are assembled into report.json, every claim is appended to the case's ledger,
 * and the report is committed, signed and rendered. The analysis half (analyze()) touches no
 * case file, so c2c_scan_rederive() can re-run it for `verify` and compare bytes.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "c2chain/attribute.h"
#include "c2chain/c2chain.h"
#include "c2chain/config.h"
#include "c2chain/detect.h"
#include "c2chain/enrich.h"
#include "c2chain/events.h"
#include "c2chain/evidence.h"
#include "c2chain/infra.h"
#include "c2chain/ingest.h"
#include "c2chain/intel.h"
#include "c2chain/intelhit.h"
#include "c2chain/json.h"
#include "c2chain/pipeline.h"
#include "c2chain/report.h"
#include "pipeline/batch.h"
#include "pipeline/scan_internal.h"
#include "pipeline/stix_bundle.h"

/* ---- connection times for the beacon charts ------------------------------------------------ */

/* (input, offset) -> start time of the flows read, for the interval histograms and timelines of
 * beacon findings. Bounded: past SERIES_CAP flows the charts of later beacons are left out
 * (deterministically: the first SERIES_CAP flows in input order are kept). */
#define SERIES_CAP (4u << 20)
struct tsent {
	uint32_t input;
	int32_t rec;
	uint64_t off;
	c2c_time ts;
};

struct tsmap {
	struct tsent *v;
	size_t n, cap;
	bool full;
};

static int
tsent_cmp(const void *a, const void *b)
{
	const struct tsent *x = a, *y = b;
	if (x->input != y->input)
		return x->input < y->input ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->rec < y->rec ? -1 : x->rec > y->rec;
}

/* ---- the run ------------------------------------------------------------------------------ */

struct producer;
struct early;

struct run {
	const struct scan_spec *sp;
	struct c2c_diag *diag;
	struct c2c_config *cfg;
	struct c2c_intel *intel;
	struct c2c_geo *geo;
	struct c2c_refdata *ref;
	struct c2c_catalogue *cat;
	json_t *external;
	/* inputs after expansion */
	char **files;   /* display names (recorded) */
	char **paths;   /* where they are read from */
	size_t n_files;
	struct c2c_input_info *infos;
	uint8_t (*digests)[32];
	struct c2c_ingest_stats stats;
	struct producer *prod; /* the reading thread, until ingest_join */
	pthread_t prod_th;
	/* the case (not in --analysis-only), begun on a thread of its own (case_begin) */
	const char *case_dir;
	const struct c2c_case_opts *case_opts;
	struct early *early;
	/* analyzers */
	struct c2c_detect *det;
	struct c2c_intelhit *ih;
	struct c2c_infra *infra;
	uint64_t flows, observations;
	/* results */
	json_t *report;
	json_t *l1;          /* L1 findings, report order */
	json_t *suppressed;
	struct c2c_infra_result ir;
	json_t *assessments;
	json_t *refdata_list; /* scope.refdata */
	struct c2c_scan_summary *sum;
	struct tsmap *ts;
	json_t *skipped; /* files of input folders that are no input format */
	/* Full reference lists of intel-hit findings cited by Merkle root. */
	char ***reflists;
	size_t *reflist_n;
	size_t n_reflists;
};

static c2c_err
analyze_flow(void *ctx, const struct c2c_flow *f)
{
	struct run *r = ctx;
	c2c_err rc = c2c_detect_add_flow(r->det, f);
	r->flows++;
	if (r->ts->n < SERIES_CAP) {
		if (r->ts->n == r->ts->cap) {
			size_t nc = r->ts->cap ? r->ts->cap * 2 : 4096;
			struct tsent *nv = c2c_reallocarray(r->ts->v, nc, sizeof(*nv));
			if (nv == NULL)
				return C2C_ENOMEM;
			r->ts->v = nv;
			r->ts->cap = nc;
		}
		r->ts->v[r->ts->n].input = f->first_ev.input;
		r->ts->v[r->ts->n].off = f->first_ev.off;
		r->ts->v[r->ts->n].rec = f->first_ev.rec;
		r->ts->v[r->ts->n].ts = f->ts;
		r->ts->n++;
	} else {
		r->ts->full = true;
	}
	if (rc == C2C_OK)
		rc = c2c_intelhit_flow(r->ih, f);
	return rc;
}

static c2c_err
analyze_obs(void *ctx, const struct c2c_obs *o)
{
	struct run *r = ctx;
	c2c_err rc = c2c_detect_add_obs(r->det, o);
	r->observations++;
	if (rc == C2C_OK)
		rc = c2c_intelhit_obs(r->ih, o);
	if (rc == C2C_OK)
		rc = c2c_infra_add_obs(r->infra, o);
	return rc;
}

static c2c_err
keep_reflist(void *ctx, const char *const *refs, size_t n)
{
	struct run *r = ctx;
	char ***lv = c2c_reallocarray(r->reflists, r->n_reflists + 1, sizeof(*lv));
	size_t *nv;
	char **copy;
	if (lv == NULL)
		return C2C_ENOMEM;
	r->reflists = lv;
	nv = c2c_reallocarray(r->reflist_n, r->n_reflists + 1, sizeof(*nv));
	if (nv == NULL)
		return C2C_ENOMEM;
	r->reflist_n = nv;
	copy = c2c_calloc(n ? n : 1, sizeof(*copy));
	if (copy == NULL)
		return C2C_ENOMEM;
	r->reflists[r->n_reflists] = copy;
	r->reflist_n[r->n_reflists++] = n;
	for (size_t i = 0; i < n; i++)
		if ((copy[i] = c2c_strdup(refs[i])) == NULL)
			return C2C_ENOMEM;
	return C2C_OK;
}

/* ---- reference data ------------------------------------------------------------------------ */

static c2c_err
add_refdata_entry(struct run *r, const char *path, const char *kind, const uint8_t sha[32],
    const char *detail)
{
	char hex[65];
	json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "path", path, "kind", kind, "sha256",
	    c2c_hex(sha, 32, hex), "detail", detail ? detail : "");
	return c2c_json_append_new(r->refdata_list, o);
}

static c2c_err
load_refdata(struct run *r)
{
	const struct scan_spec *sp = r->sp;
	c2c_err rc = c2c_intel_new(&r->intel);
	size_t i;

	for (i = 0; i < sp->n_feeds && rc == C2C_OK; i++) {
		struct c2c_feed_opts fo;
		memset(&fo, 0, sizeof(fo));
		rc = c2c_intel_load(r->intel, sp->feeds[i].path, &fo, r->diag);
		if (rc == C2C_OK)
			rc = add_refdata_entry(r, sp->feeds[i].name, "feed", sp->feeds[i].sha256, NULL);
	}
	if (rc == C2C_OK)
		rc = c2c_intel_freeze(r->intel);
	if (rc == C2C_OK)
		rc = c2c_geo_new(&r->geo);
	for (i = 0; i < sp->n_geo && rc == C2C_OK; i++) {
		rc = c2c_geo_open_db(r->geo, sp->geo[i].path, sp->geo[i].use, NULL, r->diag);
		if (rc == C2C_OK)
			rc = add_refdata_entry(r, sp->geo[i].name,
			    sp->geo[i].use == C2C_GEO_ASN ? "asn-db" : "geo-db", sp->geo[i].sha256,
			    c2c_geo_db_get(r->geo, c2c_geo_db_count(r->geo) - 1)->pin.type);
	}
	if (rc == C2C_OK)
		rc = c2c_refdata_new(&r->ref);
	for (i = 0; i < sp->n_refdata && rc == C2C_OK; i++) {
		rc = c2c_refdata_load(r->ref, sp->refdata[i].ref_kind, sp->refdata[i].path,
		    sp->refdata[i].sha256, r->diag);
		if (rc == C2C_OK)
			rc = add_refdata_entry(r, sp->refdata[i].name,
			    c2c_ref_kind_name(sp->refdata[i].ref_kind), sp->refdata[i].sha256, NULL);
	}
	if (rc == C2C_OK && sp->n_catalogues > 0) {
		struct c2c_catalogue_src src[64];
		char hex[64][65];
		size_t n = sp->n_catalogues < 64 ? sp->n_catalogues : 64;
		for (i = 0; i < n; i++) {
			src[i].path = sp->catalogues[i].path;
			src[i].sha256 = c2c_hex(sp->catalogues[i].sha256, 32, hex[i]);
		}
		rc = c2c_catalogue_load(src, n, &r->cat, r->diag);
		for (i = 0; i < n && rc == C2C_OK; i++)
			rc = add_refdata_entry(r, sp->catalogues[i].name, "actor-catalogue",
			    sp->catalogues[i].sha256, NULL);
	}
	if (rc == C2C_OK)
		rc = (r->external = json_array()) ? C2C_OK : C2C_ENOMEM;
	for (i = 0; i < sp->n_external && rc == C2C_OK; i++) {
		uint8_t *text = NULL;
		size_t len = 0;
		json_t *bundle = NULL;
		char hex[65];
		rc = c2c_file_slurp(sp->external[i].path, (size_t)1 << 30, &text, &len, r->diag);
		if (rc == C2C_OK)
			rc = c2c_json_parse((const char *)text, len, sp->external[i].path, &bundle,
			    r->diag);
		c2c_free(text);
		if (rc == C2C_OK)
			rc = c2c_json_append_new(r->external,
			    json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "id", sp->external[i].name, "source",
				sp->external[i].name, "title", sp->external[i].name, "sha256",
				c2c_hex(sp->external[i].sha256, 32, hex), "rating", "C3", "bundle",
				bundle));
		else
			json_decref(bundle);
		if (rc == C2C_OK)
			rc = add_refdata_entry(r, sp->external[i].name, "external-intel",
			    sp->external[i].sha256, NULL);
	}
	if (rc == C2C_OK && sp->config.path != NULL)
		rc = add_refdata_entry(r, sp->config.name, "config", sp->config.sha256, NULL);
	for (i = 0; i < sp->n_host_maps && rc == C2C_OK; i++)
		rc = add_refdata_entry(r, sp->host_maps[i].name, "host-map", sp->host_maps[i].sha256,
		    sp->host_maps[i].country);
	return rc;
}

/* ---- ingest -------------------------------------------------------------------------------- */

struct producer {
	struct run *r;
	struct bqueue q;
	struct batch *cur;
	c2c_err rc;
	struct c2c_diag diag;
	const struct c2c_scan_opts *o;
	bool early; /* the queue was closed once the last input was parsed */
};

static c2c_err
push_cur(struct producer *p)
{
	c2c_err rc = c2c__bq_push(&p->q, p->cur);
	p->cur = NULL;
	return rc;
}

static c2c_err
prod_flow(void *ctx, const struct c2c_flow *f)
{
	struct producer *p = ctx;
	c2c_err rc;
	if (p->cur == NULL && (p->cur = c2c__batch_new()) == NULL)
		return C2C_ENOMEM;
	if (c2c__batch_add_flow(p->cur, f))
		return C2C_OK;
	rc = push_cur(p);
	if (rc != C2C_OK)
		return rc;
	if ((p->cur = c2c__batch_new()) == NULL)
		return C2C_ENOMEM;
	return c2c__batch_add_flow(p->cur, f) ? C2C_OK : C2C_ELIMIT;
}

static c2c_err
prod_obs(void *ctx, const struct c2c_obs *o)
{
	struct producer *p = ctx;
	c2c_err rc;
	if (p->cur == NULL && (p->cur = c2c__batch_new()) == NULL)
		return C2C_ENOMEM;
	if (c2c__batch_add_obs(p->cur, o))
		return C2C_OK;
	rc = push_cur(p);
	if (rc != C2C_OK)
		return rc;
	if ((p->cur = c2c__batch_new()) == NULL)
		return C2C_ENOMEM;
	return c2c__batch_add_obs(p->cur, o) ? C2C_OK : C2C_ELIMIT;
}

struct prog_ctx {
	struct run *r;
	uint32_t i;
	const struct c2c_scan_opts *o;
};

static void
prog(void *ctx, uint64_t done, uint64_t total, uint64_t records)
{
	struct prog_ctx *pc = ctx;
	pc->o->progress(pc->o->progress_ctx, pc->i, (uint32_t)pc->r->n_files,
	    pc->r->files[pc->i], done, total, records);
}

/* The last input is parsed: hand the consumer its last records and close the queue, so the
 * analysis goes on while that input's fingerprint is completed. */
static c2c_err
prod_parsed(void *ctx)
{
	struct producer *p = ctx;
	c2c_err rc = p->cur != NULL ? push_cur(p) : C2C_OK;
	if (rc == C2C_OK) {
		p->early = true;
		c2c__bq_close(&p->q);
	}
	return rc;
}

/* Read every input, delivering records to `sink` (from the thread of `p`, when given). */
static c2c_err
ingest_all(struct run *r, const struct c2c_sink *sink, const struct c2c_scan_opts *o,
    struct producer *p, struct c2c_diag *diag)
{
	struct c2c_ingest_opts io;
	c2c_err rc = C2C_OK;
	c2c_ingest_opts_default(&io);
	/* Offloaded (wrong) checksums are common in captures taken on a sending host; a packet
	 * still shows who talked to whom, and verify re-parses records the same way. */
	io.ignore_checksums = true;
	if (o != NULL && o->analysis_only)
		io.hash = false; /* a timing baseline: no fingerprints, nothing is written */
	for (size_t i = 0; i < r->n_files && rc == C2C_OK; i++) {
		struct prog_ctx pc = { r, (uint32_t)i, o };
		if (o != NULL && o->progress != NULL) {
			io.progress = prog;
			io.progress_ctx = &pc;
		}
		if (p != NULL && i + 1 == r->n_files) {
			io.parsed = prod_parsed;
			io.parsed_ctx = p;
		}
		rc = c2c_ingest_file(r->paths[i], (uint32_t)i, &io, sink, &r->infos[i], &r->stats,
		    diag);
		if (rc != C2C_OK && diag != NULL && diag->src == r->paths[i])
			diag->src = r->files[i];
	}
	return rc;
}

static void *
producer_main(void *arg)
{
	struct producer *p = arg;
	struct c2c_sink sink = { p, prod_flow, prod_obs };
	p->rc = ingest_all(p->r, &sink, p->o, p, &p->diag);
	if (p->rc == C2C_OK && p->cur != NULL)
		p->rc = push_cur(p);
	c2c__batch_free(p->cur);
	p->cur = NULL;
	if (!p->early)
		c2c__bq_close(&p->q);
	return NULL;
}

/* Wait for the reading thread (if still running): its inputs' fingerprints and measurements
 * are complete after this. Returns its error, if any. */
static c2c_err
ingest_join(struct run *r)
{
	struct producer *p = r->prod;
	c2c_err rc;
	if (p == NULL)
		return C2C_OK;
	(void)pthread_join(r->prod_th, NULL);
	c2c__bq_fini(&p->q);
	rc = p->rc;
	if (rc != C2C_OK && r->diag != NULL)
		*r->diag = p->diag;
	c2c_free(p);
	r->prod = NULL;
	return rc;
}

/* Read and analyse every record: with two threads, one reads and parses while this one feeds
 * the analyzers. Returns once every record has been delivered; when the reading thread is
 * still completing the last input's fingerprint, it is left running (r->prod) for
 * ingest_join, so the analysis proceeds meanwhile. */
static c2c_err
ingest(struct run *r, const struct c2c_scan_opts *o, unsigned threads)
{
	struct c2c_sink direct = { r, analyze_flow, analyze_obs };
	struct producer *p;
	c2c_err rc = C2C_OK, prc;
	struct batch *b;

	if (threads < 2)
		return ingest_all(r, &direct, o, NULL, r->diag);
	p = c2c_calloc(1, sizeof(*p));
	if (p == NULL)
		return C2C_ENOMEM;
	p->r = r;
	p->o = o;
	rc = c2c__bq_init(&p->q);
	if (rc != C2C_OK) {
		c2c_free(p);
		return rc;
	}
	if (pthread_create(&r->prod_th, NULL, producer_main, p) != 0) {
		c2c__bq_fini(&p->q);
		c2c_free(p);
		return ingest_all(r, &direct, o, NULL, r->diag);
	}
	r->prod = p;
	while ((b = c2c__bq_pop(&p->q)) != NULL) {
		if (rc == C2C_OK) {
			rc = c2c__batch_replay(b, &direct);
			if (rc != C2C_OK)
				c2c__bq_fail(&p->q, rc);
		}
		c2c__batch_free(b);
	}
	/* The queue closes early only after a clean parse of the last input; otherwise the
	 * thread is done (or failing): join it now. */
	if (rc != C2C_OK || !p->early) {
		prc = ingest_join(r);
		if (rc == C2C_OK)
			rc = prc;
	}
	return rc;
}

/* ---- analysis ------------------------------------------------------------------------------ */

static int
finding_cmp(const void *a, const void *b)
{
	static const char *const order[] = { "intel-hit", "beacon", "long-connection",
		"dns-tunnel", "strobe" };
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	const char *tx = json_string_value(json_object_get(x, "type"));
	const char *ty = json_string_value(json_object_get(y, "type"));
	int ix = 99, iy = 99, c;
	for (int i = 0; i < 5; i++) {
		if (tx && strcmp(tx, order[i]) == 0)
			ix = i;
		if (ty && strcmp(ty, order[i]) == 0)
			iy = i;
	}
	if (ix != iy)
		return ix < iy ? -1 : 1;
	{
		const char *a1 = json_string_value(json_object_get(x, "id"));
		const char *b1 = json_string_value(json_object_get(y, "id"));
		c = strcmp(a1 ? a1 : "", b1 ? b1 : "");
	}
	return c;
}

static c2c_err
sorted_array(json_t *arr)
{
	size_t n = json_array_size(arr);
	json_t **v = c2c_calloc(n ? n : 1, sizeof(*v));
	if (v == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	qsort(v, n, sizeof(*v), finding_cmp);
	json_array_clear(arr);
	for (size_t i = 0; i < n; i++)
		(void)json_array_append_new(arr, v[i]);
	c2c_free(v);
	return C2C_OK;
}

/* The host map: the configuration's internal subnets that name a country, then every
 * --host-map list in the order given (re-checked against its recorded digest), indexed. */
static c2c_err
host_map(const struct run *r, struct c2c_host_map *m)
{
	const struct scan_spec *sp = r->sp;
	size_t k = c2c_config_n_subnets(r->cfg);
	c2c_err rc = C2C_OK;
	c2c_host_map_init(m);
	for (size_t i = 0; i < k && rc == C2C_OK; i++) {
		const struct c2c_subnet *s = c2c_config_subnet(r->cfg, i);
		if (s->country[0] != '\0')
			rc = c2c_host_map_add(m, &s->net, s->prefix_len, s->country);
	}
	for (size_t i = 0; i < sp->n_host_maps && rc == C2C_OK; i++) {
		uint8_t *text = NULL, d[32];
		size_t len = 0;
		rc = c2c_file_slurp(sp->host_maps[i].path, (size_t)1 << 30, &text, &len, r->diag);
		if (rc == C2C_OK) {
			c2c_sha256(text, len, d);
			if (memcmp(d, sp->host_maps[i].sha256, 32) != 0)
				rc = c2c_diag_set(r->diag, C2C_EVERIFY, sp->host_maps[i].path, 0,
				    "host map changed since its digest was taken");
		}
		if (rc == C2C_OK)
			rc = c2c_host_map_parse(m, (const char *)text, len, sp->host_maps[i].country,
			    sp->host_maps[i].path, r->diag);
		c2c_free(text);
	}
	if (rc == C2C_OK)
		rc = c2c_host_map_index(m);
	if (rc != C2C_OK)
		c2c_host_map_fini(m);
	return rc;
}

static json_t *
strings_array(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && i < n; i++)
		if (json_array_append_new(a, json_string(v[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *
iso(c2c_time t)
{
	char b[40];
	return json_string(c2c_time_format_iso(t, b, sizeof(b)));
}

/* scope.inputs and the window. */
static c2c_err
scope_json(struct run *r, json_t **out, c2c_time *first, c2c_time *last)
{
	json_t *scope = json_object(), *in = json_array(), *ctr = json_object();
	c2c_err rc = scope && in && ctr ? C2C_OK : C2C_ENOMEM;
	*first = INT64_MAX;
	*last = INT64_MIN;
	for (size_t i = 0; i < r->n_files && rc == C2C_OK; i++) {
		const struct c2c_input_info *f = &r->infos[i];
		char hex[65];
		json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:b}", "path", r->files[i],
		    "format", c2c_format_name(f->format), "sha256", c2c_hex(f->sha256, 32, hex),
		    "size", (json_int_t)f->size, "records", (json_int_t)f->records, "malformed",
		    (json_int_t)f->malformed, "loss", (json_int_t)f->loss, "gzip", f->gzip);
		if (o != NULL && f->first_ts <= f->last_ts) {
			(void)json_object_set_new(o, "first_seen", iso(f->first_ts));
			(void)json_object_set_new(o, "last_seen", iso(f->last_ts));
			if (f->first_ts < *first)
				*first = f->first_ts;
			if (f->last_ts > *last)
				*last = f->last_ts;
		}
		if (o != NULL && f->sampling > 1)
			(void)json_object_set_new(o, "sampling", json_integer(f->sampling));
		rc = c2c_json_append_new(in, o);
	}
	for (unsigned s = 0; s < C2C_ST__COUNT && rc == C2C_OK; s++)
		if (r->stats.n[s] != 0)
			rc = c2c_json_set_int(ctr, c2c_stat_name((enum c2c_stat)s),
			    (int64_t)r->stats.n[s]);
	if (rc == C2C_OK) {
		(void)json_object_set_new(scope, "inputs", in);
		(void)json_object_set_new(scope, "counters", ctr);
		(void)json_object_set_new(scope, "refdata", json_incref(r->refdata_list));
		if (r->skipped != NULL)
			(void)json_object_set_new(scope, "skipped_files", json_incref(r->skipped));
		in = ctr = NULL;
		if (*first <= *last)
			(void)json_object_set_new(scope, "window", json_pack("{s:o,s:o}", "first_seen",
			    iso(*first), "last_seen", iso(*last)));
		*out = scope;
		scope = NULL;
	}
	json_decref(in);
	json_decref(ctr);
	json_decref(scope);
	return rc;
}

static json_int_t
count_type(const json_t *arr, const char *type)
{
	size_t i;
	const json_t *f;
	json_int_t n = 0;
	json_array_foreach(arr, i, f) {
		const char *t = json_string_value(json_object_get(f, "type"));
		if (t != NULL && strcmp(t, type) == 0)
			n++;
	}
	return n;
}

/* The fixed statements of every report, and the gaps the counters reveal. */
static c2c_err
statements_json(struct run *r, const json_t *mres, c2c_time first, c2c_time last,
    json_t **out)
{
	static const char *const not_claimed[] = {
		"This report does not say who operates any C2 endpoint beyond the hypotheses "
		"section, where each assessment carries its own likelihood and, separately, its "
		"confidence.",
		"Network location is not operator location: a country here is where a pinned "
		"database places an address, not where the people who run it are.",
		"It does not claim completeness: hosts whose C2 traffic is not in the inputs, or "
		"that evaded every detector, are not counted.",
		"No claim that a state is responsible (rung L5) is computed; where one appears it is "
		"quoted from its source with that source's rating.",
	};
	json_t *st = json_object(), *bl = json_array(), *cov = json_array(), *gaps = json_array();
	char b[512], t0[40], t1[40];
	json_int_t n_l1 = (json_int_t)json_array_size(r->l1);
	c2c_err rc = st && bl && cov && gaps ? C2C_OK : C2C_ENOMEM;
	uint64_t loss = 0, mal = 0;
	struct c2c_detect_stats ds;

	for (size_t i = 0; i < r->n_files; i++) {
		loss += r->infos[i].loss;
		mal += r->infos[i].malformed;
	}
	if (rc == C2C_OK) {
		(void)snprintf(b, sizeof(b),
		    "%lld hosts show command-and-control traffic in %lld L1 findings (%lld intel hits, "
		    "%lld beacons, %lld long connections, %lld DNS tunnels); the C2 endpoints are %lld "
		    "addresses.",
		    (long long)json_integer_value(json_object_get(mres, "controlled_hosts")),
		    (long long)n_l1, (long long)count_type(r->l1, "intel-hit"),
		    (long long)count_type(r->l1, "beacon"),
		    (long long)count_type(r->l1, "long-connection"),
		    (long long)count_type(r->l1, "dns-tunnel"),
		    (long long)json_array_size(r->ir.infrastructure));
		rc = c2c_json_append_new(bl, json_string(b));
	}
	if (rc == C2C_OK && json_string_value(json_object_get(mres, "statement")) != NULL)
		rc = c2c_json_append_new(bl, json_incref(json_object_get(mres, "statement")));
	if (rc == C2C_OK && json_array_size(r->assessments) > 0) {
		(void)snprintf(b, sizeof(b),
		    "%zu infrastructure clusters were assessed against competing hypotheses, "
		    "including false flag, compromised relay, rented hosting, anonymiser and "
		    "sinkhole; see Hypotheses.",
		    json_array_size(r->assessments));
		rc = c2c_json_append_new(bl, json_string(b));
	}
	if (rc == C2C_OK && first <= last) {
		(void)snprintf(b, sizeof(b),
		    "The inputs cover %s to %s (UTC): %zu files, %llu records; measured loss %llu "
		    "(capture drops and flow-export sequence gaps), %llu malformed records counted "
		    "and skipped.",
		    c2c_time_format_iso(first, t0, sizeof(t0)), c2c_time_format_iso(last, t1,
			sizeof(t1)),
		    r->n_files, (unsigned long long)r->sum->records, (unsigned long long)loss,
		    (unsigned long long)mal);
		rc = c2c_json_append_new(cov, json_string(b));
	}
	if (rc == C2C_OK && c2c_geo_db_count(r->geo) == 0)
		rc = c2c_json_append_new(gaps, json_string("No geolocation or ASN database was "
							   "given (--geo, --asn): C2 endpoints "
							   "have no country, and the control "
							   "matrix cannot place them."));
	if (rc == C2C_OK && json_array_size(r->skipped) > 0) {
		(void)snprintf(b, sizeof(b), "%zu files in input folders are in no input format and "
					     "were skipped (listed under scope.skipped_files).",
		    json_array_size(r->skipped));
		rc = c2c_json_append_new(gaps, json_string(b));
	}
	if (rc == C2C_OK && r->sp->n_feeds == 0)
		rc = c2c_json_append_new(gaps, json_string("No threat-intelligence feed was given "
							   "(-i): only behaviour can reveal C2."));
	if (rc == C2C_OK && mal > 0) {
		(void)snprintf(b, sizeof(b), "%llu input records were malformed and skipped (see the "
					     "counters under Scope).", (unsigned long long)mal);
		rc = c2c_json_append_new(gaps, json_string(b));
	}
	if (rc == C2C_OK && r->stats.n[C2C_ST_FLOW_EVICTED_CAP] > 0) {
		(void)snprintf(b, sizeof(b), "%llu flows were evicted early from a full flow table; "
					     "their counters may be split.",
		    (unsigned long long)r->stats.n[C2C_ST_FLOW_EVICTED_CAP]);
		rc = c2c_json_append_new(gaps, json_string(b));
	}
	c2c_detect_get_stats(r->det, &ds);
	if (rc == C2C_OK && ds.dropped_pair_limit + ds.dropped_conn_limit + ds.dropped_series_limit >
	    0) {
		(void)snprintf(b, sizeof(b), "Behavioural analysis dropped %llu connections over its "
					     "configured memory limits.",
		    (unsigned long long)(ds.dropped_pair_limit + ds.dropped_conn_limit +
			ds.dropped_series_limit));
		rc = c2c_json_append_new(gaps, json_string(b));
	}
	if (rc == C2C_OK && json_array_size(r->suppressed) > 0) {
		(void)snprintf(b, sizeof(b), "%zu intel matches were suppressed by allow-lists and are "
					     "listed under 'suppressed' in report.json, not counted.",
		    json_array_size(r->suppressed));
		rc = c2c_json_append_new(gaps, json_string(b));
	}
	if (rc == C2C_OK) {
		(void)json_object_set_new(st, "bottom_line", bl);
		(void)json_object_set_new(st, "coverage", cov);
		(void)json_object_set_new(st, "gaps", gaps);
		(void)json_object_set_new(st, "not_claimed",
		    strings_array(not_claimed, C2C_ARRAY_LEN(not_claimed)));
		*out = st;
		return C2C_OK;
	}
	json_decref(bl);
	json_decref(cov);
	json_decref(gaps);
	json_decref(st);
	return rc;
}

/* report.series: per beacon finding, the connection start times (offsets from the first, in
 * microseconds) for the charts; only for series wholly within the recorded time map. */
static c2c_err
series_json(struct run *r, const json_t *det_findings, json_t **out)
{
	json_t *arr = json_array();
	size_t nf = c2c_detect_n_findings(r->det);
	c2c_err rc = arr ? C2C_OK : C2C_ENOMEM;
	qsort(r->ts->v, r->ts->n, sizeof(*r->ts->v), tsent_cmp);
	for (size_t i = 0; i < nf && rc == C2C_OK; i++) {
		const json_t *f = json_array_get(det_findings, i);
		const struct c2c_evref *refs;
		size_t n;
		c2c_time *t;
		bool complete = true;
		const char *type = json_string_value(json_object_get(f, "type"));
		if (type == NULL || strcmp(type, "beacon") != 0)
			continue;
		if (c2c_detect_finding_refs(r->det, i, &refs, &n) != C2C_OK || n < 3)
			continue;
		t = c2c_calloc(n, sizeof(*t));
		if (t == NULL)
			return C2C_ENOMEM;
		/* A connection is cited by its first and its last record; the start times come from
		 * the first records (the map holds flows by their first record). */
		size_t m = 0;
		for (size_t k = 0; k < n; k++) {
			struct tsent key = { refs[k].input, refs[k].rec, refs[k].off, 0 };
			const struct tsent *hit = bsearch(&key, r->ts->v, r->ts->n, sizeof(key),
			    tsent_cmp);
			if (hit != NULL)
				t[m++] = hit->ts;
		}
		complete = m >= 3 && !r->ts->full;
		if (complete) {
			json_t *offs = json_array();
			c2c_time t0 = INT64_MAX;
			for (size_t k = 0; k < m; k++)
				if (t[k] < t0)
					t0 = t[k];
			/* connections in time order */
			for (size_t a = 1; a < m; a++) {
				c2c_time x = t[a];
				size_t b = a;
				while (b > 0 && t[b - 1] > x) {
					t[b] = t[b - 1];
					b--;
				}
				t[b] = x;
			}
			for (size_t k = 0; offs != NULL && k < m && k < 20000; k++)
				(void)json_array_append_new(offs, json_integer(t[k] - t0));
			rc = c2c_json_append_new(arr, json_pack("{s:O,s:I,s:o}", "finding",
			    json_object_get(f, "id"), "t0_us", (json_int_t)t0, "offsets_us", offs));
		}
		c2c_free(t);
	}
	if (rc == C2C_OK)
		*out = arr;
	else
		json_decref(arr);
	return rc;
}

static c2c_err
load_config(struct run *r)
{
	const struct scan_spec *sp = r->sp;
	c2c_err rc = sp->config.path != NULL ? c2c_config_load(sp->config.path, &r->cfg, r->diag)
					     : c2c_config_new_default(&r->cfg);
	for (size_t i = 0; i < sp->n_set && rc == C2C_OK; i++) {
		char key[128];
		const char *eq = strchr(sp->set[i], '=');
		size_t kl = eq ? (size_t)(eq - sp->set[i]) : 0;
		if (eq == NULL || kl == 0 || kl >= sizeof(key))
			return c2c_diag_set(r->diag, C2C_EINVAL, sp->set[i], 0,
			    "--set needs section.key=value");
		memcpy(key, sp->set[i], kl);
		key[kl] = '\0';
		while (kl > 0 && key[kl - 1] == ' ')
			key[--kl] = '\0';
		rc = c2c_config_set(r->cfg, key, eq + 1, r->diag);
	}
	return rc;
}

static bool
is_input(const char *path)
{
	struct c2c_rd rd;
	const uint8_t *p;
	size_t avail = 0;
	enum c2c_format f = C2C_FMT_UNKNOWN;
	if (c2c_rd_open(&rd, path, 0, NULL) != C2C_OK)
		return true; /* let ingest report the error */
	if (c2c_rd_peek(&rd, 64, &p, &avail) == C2C_OK || avail > 0)
		f = c2c_format_detect(p, avail);
	c2c_rd_close(&rd);
	return f != C2C_FMT_UNKNOWN;
}

static c2c_err
note_skipped(struct run *r, const char *path)
{
	if (r->skipped == NULL && (r->skipped = json_array()) == NULL)
		return C2C_ENOMEM;
	return c2c_json_append_new(r->skipped, json_string(path));
}

static c2c_err
expand_inputs(struct run *r)
{
	const struct scan_spec *sp = r->sp;
	c2c_err rc = C2C_OK;
	size_t cap = 0;
	for (size_t i = 0; i < sp->n_inputs && rc == C2C_OK; i++) {
		char **paths = NULL;
		size_t n = 0;
		if (sp->inputs_expanded) {
			paths = c2c_calloc(1, sizeof(*paths));
			if (paths == NULL || (paths[0] = c2c_strdup(sp->inputs[i].path)) == NULL) {
				c2c_free(paths);
				return C2C_ENOMEM;
			}
			n = 1;
		} else {
			rc = c2c_ingest_expand(sp->inputs[i].path, &paths, &n, r->diag);
			if (rc != C2C_OK)
				break;
		}
		if (r->n_files + n > cap) {
			size_t nc = (r->n_files + n) * 2;
			char **f = c2c_reallocarray(r->files, nc, sizeof(*f));
			char **p = f ? c2c_reallocarray(r->paths, nc, sizeof(*p)) : NULL;
			if (f != NULL)
				r->files = f;
			if (p == NULL) {
				c2c_ingest_expand_free(paths, n);
				return C2C_ENOMEM;
			}
			r->paths = p;
			cap = nc;
		}
		for (size_t k = 0; k < n; k++) {
			/* Recorded names keep what the user gave: the argument itself or argument/rest. */
			const char *disp = sp->inputs_expanded ? sp->inputs[i].name : paths[k];
			/* A folder may hold files that are no input (README, scripts): those are
			 * skipped and listed; a file named on its own must be readable input. */
			if (!sp->inputs_expanded && n > 1 && !is_input(paths[k])) {
				rc = note_skipped(r, paths[k]);
				if (rc != C2C_OK) {
					c2c_ingest_expand_free(paths, n);
					return rc;
				}
				continue;
			}
			r->files[r->n_files] = c2c_strdup(disp);
			r->paths[r->n_files] = paths[k];
			paths[k] = NULL;
			if (r->files[r->n_files] == NULL) {
				c2c_free(r->paths[r->n_files]);
				c2c_ingest_expand_free(paths, n);
				return C2C_ENOMEM;
			}
			r->n_files++;
		}
		c2c_ingest_expand_free(paths, n);
	}
	if (rc == C2C_OK && r->n_files == 0)
		return c2c_diag_set(r->diag, C2C_EINVAL, "scan", 0, "no input files");
	if (rc == C2C_OK) {
		r->infos = c2c_calloc(r->n_files, sizeof(*r->infos));
		r->digests = c2c_calloc(r->n_files, sizeof(*r->digests));
		if (r->infos == NULL || r->digests == NULL)
			rc = C2C_ENOMEM;
	}
	return rc;
}

/* Assemble report.json (docs/report-schema.md); takes scope, st and series. */
static c2c_err
build_report(struct run *r, json_t *scope, json_t *st, json_t *series, c2c_time first,
    c2c_time last)
{
	json_t *rep = json_object(), *c = json_object(), *sum, *fb, *idsrc;
	uint8_t d[32];
	char hex[65], id[80];
	c2c_err rc = rep && c ? C2C_OK : C2C_ENOMEM;
	const struct c2c_scan_summary *s = r->sum;

	/* The case id names what was analysed: the digests of inputs and reference data. */
	idsrc = json_pack("{s:O,s:O}", "inputs", json_object_get(scope, "inputs"), "refdata",
	    r->refdata_list);
	if (rc == C2C_OK && (idsrc == NULL || c2c_json_digest(idsrc, d) != C2C_OK))
		rc = C2C_ENOMEM;
	json_decref(idsrc);
	if (rc == C2C_OK) {
		(void)snprintf(id, sizeof(id), "case:%.32s", c2c_hex(d, 32, hex));
		rc = c2c_json_set_str(c, "id", id);
	}
	if (rc == C2C_OK)
		rc = c2c_json_set_str(c, "title", r->sp->title ? r->sp->title : "c2chain case");
	if (rc == C2C_OK)
		rc = c2c_json_set_str(c, "question", r->sp->question ? r->sp->question
		    : "Which hosts are controlled by command-and-control servers, where are the "
		      "controllers, and who may operate them?");
	if (rc == C2C_OK)
		rc = c2c_json_set_str(c, "producer", "c2chain");
	if (rc == C2C_OK && first <= last)
		rc = c2c_json_set_new(c, "created", iso(last));
	fb = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "intel-hit", (json_int_t)s->intel_hits,
	    "beacon", (json_int_t)s->beacons, "long-connection", (json_int_t)s->long_connections,
	    "dns-tunnel", (json_int_t)s->dns_tunnels, "strobe", (json_int_t)s->strobes,
	    "assessment", (json_int_t)s->assessments);
	sum = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "inputs",
	    (json_int_t)s->inputs, "records", (json_int_t)s->records, "malformed",
	    (json_int_t)s->malformed, "flows", (json_int_t)s->flows, "observations",
	    (json_int_t)s->observations, "controlled_hosts", (json_int_t)s->controlled_hosts,
	    "c2_endpoints", (json_int_t)s->c2_endpoints, "countries", (json_int_t)s->countries,
	    "suppressed", (json_int_t)s->suppressed, "findings", fb);
	if (rc == C2C_OK && sum == NULL)
		rc = C2C_ENOMEM;
	if (rc == C2C_OK) {
		(void)json_object_set_new(rep, "schema", json_string("c2chain-report/1"));
		(void)json_object_set_new(rep, "generator", json_pack("{s:s,s:s}", "name", "c2chain",
		    "version", c2c_version()));
		(void)json_object_set_new(rep, "case", c);
		c = NULL;
		if (first <= last)
			(void)json_object_set_new(rep, "ledger", json_pack("{s:o}", "time", iso(last)));
		(void)json_object_set_new(rep, "scope", scope);
		(void)json_object_set_new(rep, "summary", sum);
		(void)json_object_set_new(rep, "statements", st);
		(void)json_object_set_new(rep, "series", series);
		scope = st = series = sum = NULL;
		(void)json_object_set(rep, "findings", r->l1);
		(void)json_object_set(rep, "suppressed", r->suppressed);
		(void)json_object_set(rep, "infrastructure", r->ir.infrastructure);
		(void)json_object_set(rep, "cluster_edges", r->ir.edges);
		(void)json_object_set(rep, "clusters", r->ir.clusters);
		(void)json_object_set(rep, "matrix", r->ir.matrix);
		(void)json_object_set(rep, "assessments", r->assessments);
		r->report = rep;
		rep = NULL;
	}
	json_decref(sum);
	json_decref(c);
	json_decref(rep);
	json_decref(scope);
	json_decref(st);
	json_decref(series);
	return rc;
}

static uint64_t
now_us(void)
{
	struct timespec t;
	if (clock_gettime(CLOCK_MONOTONIC, &t) != 0)
		return 0;
	return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

static void case_start(struct run *r, unsigned threads);

/* Everything but the case files: the report object lands in r->report. */
static c2c_err
analyze(struct run *r, const struct c2c_scan_opts *o, unsigned threads)
{
	json_t *det = NULL, *hits = NULL, *all = NULL, *series = NULL, *scope = NULL, *st = NULL;
	struct c2c_host_map hm;
	struct c2c_infra_opts io;
	c2c_time first = INT64_MAX, last = INT64_MIN;
	c2c_err rc;
	size_t i;
	const json_t *f;

	c2c_host_map_init(&hm);
	r->refdata_list = json_array();
	r->assessments = json_array();
	if (r->refdata_list == NULL || r->assessments == NULL)
		return C2C_ENOMEM;
	rc = load_config(r);
	if (rc == C2C_OK)
		rc = load_refdata(r);
	if (rc == C2C_OK)
		rc = expand_inputs(r);
	if (rc == C2C_OK)
		rc = c2c_detect_new(r->cfg, &r->det, r->diag);
	if (rc == C2C_OK)
		rc = c2c_intelhit_new(r->intel, &r->ih);
	if (rc == C2C_OK)
		rc = c2c_infra_new(&r->infra);
	if (rc == C2C_OK)
		rc = ingest(r, o, threads);
	/* The series need no input digest: analyse them while the reading thread may still be
	 * hashing the last input. */
	if (rc == C2C_OK)
		rc = c2c_detect_analyse(r->det, (uint32_t)r->n_files);
	{
		c2c_err jrc = ingest_join(r);
		if (jrc != C2C_OK)
			rc = jrc;
	}
	if (rc != C2C_OK)
		goto out;
	for (i = 0; i < r->n_files; i++) {
		memcpy(r->digests[i], r->infos[i].sha256, 32);
		r->sum->records += r->infos[i].records;
		r->sum->malformed += r->infos[i].malformed;
		r->sum->bytes += r->infos[i].size;
	}
	r->sum->inputs = (uint32_t)r->n_files;
	r->sum->flows = r->flows;
	r->sum->observations = r->observations;
	/* L1: behaviour and intel hits, in report order. */
	rc = c2c_detect_finish(r->det, (const uint8_t(*)[32])r->digests, (uint32_t)r->n_files, &det);
	if (rc == C2C_OK) {
		c2c_intelhit_set_reflist_cb(r->ih, keep_reflist, r);
		rc = c2c_intelhit_findings(r->ih, (const uint8_t(*)[32])r->digests, r->n_files, &hits,
		    &r->suppressed);
	}
	if (rc != C2C_OK)
		goto out;
	r->l1 = json_array();
	if (r->l1 == NULL || json_array_extend(r->l1, det) != 0 ||
	    json_array_extend(r->l1, hits) != 0) {
		rc = C2C_ENOMEM;
		goto out;
	}
	rc = sorted_array(r->l1);
	/* The case can begin: it needs only the inputs and the L1 reference lists. */
	if (rc == C2C_OK)
		case_start(r, threads);

	/* L2/L3: infrastructure, clusters, the matrix. */
	json_array_foreach(r->l1, i, f) {
		if (rc == C2C_OK)
			rc = c2c_infra_add_finding(r->infra, f, r->diag);
	}
	if (rc == C2C_OK)
		rc = host_map(r, &hm);
	if (rc == C2C_OK) {
		c2c_infra_opts_default(&io);
		io.host_map = hm.v;
		io.n_host_map = hm.n;
		io.host_map_parent = hm.parent;
		io.geo = r->geo;
		io.ref = r->ref;
		io.input_sha256 = (const uint8_t(*)[32])r->digests;
		io.n_inputs = (uint32_t)r->n_files;
		rc = c2c_infra_build(r->infra, &io, &r->ir, r->diag);
	}
	/* L4: one assessment per cluster. */
	if (rc == C2C_OK) {
		all = json_array();
		if (all == NULL || json_array_extend(all, r->l1) != 0 ||
		    json_array_extend(all, r->ir.infrastructure) != 0 ||
		    json_array_extend(all, r->ir.edges) != 0)
			rc = C2C_ENOMEM;
	}
	json_array_foreach(r->ir.clusters, i, f) {
		struct c2c_assess_params ap;
		json_t *a = NULL;
		if (rc != C2C_OK)
			break;
		c2c_assess_params_init(&ap);
		rc = c2c_assess_cluster(r->cat, f, all, r->external, &ap, &a, r->diag);
		if (rc == C2C_OK)
			rc = c2c_json_append_new(r->assessments, a);
	}
	if (rc == C2C_OK)
		rc = series_json(r, det, &series);
	if (rc == C2C_OK)
		rc = scope_json(r, &scope, &first, &last);
	{
		const json_t *mres = json_object_get(r->ir.matrix, "result");
		r->sum->controlled_hosts = (uint64_t)json_integer_value(json_object_get(mres,
		    "controlled_hosts"));
		r->sum->c2_endpoints = json_array_size(r->ir.infrastructure);
		const json_t *row;
		size_t k;
		/* Known controller countries only: "??" is no country. */
		json_array_foreach(json_object_get(mres, "by_controller_country"), k, row) {
			const char *cc = json_string_value(json_object_get(row, "country"));
			if (cc != NULL && strcmp(cc, "??") != 0)
				r->sum->countries++;
		}
		r->sum->findings = json_array_size(r->l1);
		r->sum->intel_hits = (uint64_t)count_type(r->l1, "intel-hit");
		r->sum->beacons = (uint64_t)count_type(r->l1, "beacon");
		r->sum->long_connections = (uint64_t)count_type(r->l1, "long-connection");
		r->sum->dns_tunnels = (uint64_t)count_type(r->l1, "dns-tunnel");
		r->sum->strobes = (uint64_t)count_type(r->l1, "strobe");
		r->sum->suppressed = json_array_size(r->suppressed);
		r->sum->infrastructure = json_array_size(r->ir.infrastructure);
		r->sum->clusters = json_array_size(r->ir.clusters);
		r->sum->assessments = json_array_size(r->assessments);
		if (rc == C2C_OK)
			rc = statements_json(r, mres, first, last, &st);
	}
	if (rc == C2C_OK)
		rc = build_report(r, scope, st, series, first, last);
	scope = st = series = NULL;
out:
	json_decref(det);
	json_decref(hits);
	json_decref(all);
	json_decref(series);
	json_decref(scope);
	json_decref(st);
	c2c_host_map_fini(&hm);
	return rc;
}

static void
run_fini(struct run *r)
{
	(void)ingest_join(r);
	for (size_t i = 0; i < r->n_files; i++) {
		c2c_free(r->files[i]);
		c2c_free(r->paths[i]);
	}
	c2c_free(r->files);
	c2c_free(r->paths);
	c2c_free(r->infos);
	c2c_free(r->digests);
	c2c_detect_free(r->det);
	c2c_intelhit_free(r->ih);
	c2c_infra_free(r->infra);
	c2c_intel_free(r->intel);
	c2c_geo_free(r->geo);
	c2c_refdata_free(r->ref);
	c2c_catalogue_free(r->cat);
	c2c_config_free(r->cfg);
	c2c_infra_result_fini(&r->ir);
	json_decref(r->external);
	json_decref(r->report);
	json_decref(r->l1);
	json_decref(r->suppressed);
	json_decref(r->assessments);
	json_decref(r->refdata_list);
	json_decref(r->skipped);
	if (r->ts != NULL)
		c2c_free(r->ts->v);
	for (size_t i = 0; i < r->n_reflists; i++) {
		for (size_t k = 0; r->reflists[i] != NULL && k < r->reflist_n[i]; k++)
			c2c_free(r->reflists[i][k]);
		c2c_free(r->reflists[i]);
	}
	c2c_free(r->reflists);
	c2c_free(r->reflist_n);
}

/* ---- scan specification -------------------------------------------------------------------- */

static void
spec_files_free(struct spec_file *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		c2c_free(v[i].name);
		c2c_free(v[i].path);
	}
	c2c_free(v);
}

static void
spec_fini(struct scan_spec *sp)
{
	spec_files_free(sp->inputs, sp->n_inputs);
	spec_files_free(sp->feeds, sp->n_feeds);
	spec_files_free(sp->geo, sp->n_geo);
	spec_files_free(sp->refdata, sp->n_refdata);
	spec_files_free(sp->catalogues, sp->n_catalogues);
	spec_files_free(sp->external, sp->n_external);
	spec_files_free(sp->host_maps, sp->n_host_maps);
	c2c_free(sp->config.name);
	c2c_free(sp->config.path);
	for (size_t i = 0; i < sp->n_set; i++)
		c2c_free(sp->set[i]);
	c2c_free(sp->set);
	c2c_free(sp->title);
	c2c_free(sp->question);
	memset(sp, 0, sizeof(*sp));
}

static const struct {
	const char *name;
	enum c2c_ref_kind kind;
} ref_kinds[] = { { "sinkhole", C2C_REF_SINKHOLE }, { "cloud", C2C_REF_CLOUD },
	{ "hosting", C2C_REF_CLOUD }, { "residential", C2C_REF_RESIDENTIAL },
	{ "tor", C2C_REF_TOR_EXIT }, { "tor-exit", C2C_REF_TOR_EXIT } };

/* Fill one spec file from a path given on the command line: name = path, digest computed. */
static c2c_err
spec_from_arg(struct spec_file *f, const char *arg, bool hash, struct c2c_diag *diag)
{
	f->name = c2c_strdup(arg);
	f->path = c2c_strdup(arg);
	if (f->name == NULL || f->path == NULL)
		return C2C_ENOMEM;
	return hash ? c2c_sha256_file(arg, f->sha256, NULL, diag) : C2C_OK;
}

static c2c_err
spec_list(const char *const *args, size_t n, bool hash, struct spec_file **out, size_t *nout,
    struct c2c_diag *diag)
{
	c2c_err rc = C2C_OK;
	*out = c2c_calloc(n ? n : 1, sizeof(**out));
	if (*out == NULL)
		return C2C_ENOMEM;
	*nout = n;
	for (size_t i = 0; i < n && rc == C2C_OK; i++)
		rc = spec_from_arg(&(*out)[i], args[i], hash, diag);
	return rc;
}

static c2c_err
spec_from_opts(const struct c2c_scan_opts *o, struct scan_spec *sp, struct c2c_diag *diag)
{
	c2c_err rc;
	memset(sp, 0, sizeof(*sp));
	rc = spec_list(o->inputs, o->n_inputs, false, &sp->inputs, &sp->n_inputs, diag);
	if (rc == C2C_OK)
		rc = spec_list(o->feeds, o->n_feeds, true, &sp->feeds, &sp->n_feeds, diag);
	if (rc == C2C_OK) {
		sp->geo = c2c_calloc(o->n_geo + o->n_asn + 1, sizeof(*sp->geo));
		rc = sp->geo ? C2C_OK : C2C_ENOMEM;
		for (size_t i = 0; i < o->n_geo + o->n_asn && rc == C2C_OK; i++) {
			bool asn = i >= o->n_geo;
			rc = spec_from_arg(&sp->geo[i], asn ? o->asn[i - o->n_geo] : o->geo[i], true,
			    diag);
			sp->geo[i].use = asn ? C2C_GEO_ASN : C2C_GEO_COUNTRY;
			sp->n_geo = i + 1;
		}
	}
	if (rc == C2C_OK) {
		sp->refdata = c2c_calloc(o->n_refdata + 1, sizeof(*sp->refdata));
		rc = sp->refdata ? C2C_OK : C2C_ENOMEM;
		for (size_t i = 0; i < o->n_refdata && rc == C2C_OK; i++) {
			const char *eq = strchr(o->refdata[i], '=');
			size_t k;
			for (k = 0; eq != NULL && k < C2C_ARRAY_LEN(ref_kinds); k++)
				if (strlen(ref_kinds[k].name) == (size_t)(eq - o->refdata[i]) &&
				    strncmp(o->refdata[i], ref_kinds[k].name, (size_t)(eq - o->refdata[i])) ==
					0)
					break;
			if (eq == NULL || k == C2C_ARRAY_LEN(ref_kinds))
				return c2c_diag_set(diag, C2C_EINVAL, o->refdata[i], 0,
				    "--refdata needs KIND=PATH with KIND sinkhole, cloud, hosting, "
				    "residential or tor-exit");
			rc = spec_from_arg(&sp->refdata[i], eq + 1, true, diag);
			sp->refdata[i].ref_kind = ref_kinds[k].kind;
			sp->n_refdata = i + 1;
		}
	}
	if (rc == C2C_OK)
		rc = spec_list(o->catalogues, o->n_catalogues, true, &sp->catalogues,
		    &sp->n_catalogues, diag);
	if (rc == C2C_OK)
		rc = spec_list(o->external, o->n_external, true, &sp->external, &sp->n_external,
		    diag);
	if (rc == C2C_OK) {
		sp->host_maps = c2c_calloc(o->n_host_maps + 1, sizeof(*sp->host_maps));
		rc = sp->host_maps ? C2C_OK : C2C_ENOMEM;
		for (size_t i = 0; i < o->n_host_maps && rc == C2C_OK; i++) {
			const char *a = o->host_maps[i];
			char cc[3];
			if (strlen(a) < 4 || a[2] != ':')
				return c2c_diag_set(diag, C2C_EINVAL, a, 0,
				    "--host-map needs CC:FILE with CC a two-letter country code");
			for (int k = 0; k < 2; k++) {
				char ch = a[k];
				if (ch >= 'a' && ch <= 'z')
					ch = (char)(ch - 'a' + 'A');
				if (ch < 'A' || ch > 'Z')
					return c2c_diag_set(diag, C2C_EINVAL, a, 0,
					    "--host-map needs CC:FILE with CC a two-letter country code");
				cc[k] = ch;
			}
			cc[2] = '\0';
			rc = spec_from_arg(&sp->host_maps[i], a + 3, true, diag);
			memcpy(sp->host_maps[i].country, cc, 3);
			sp->n_host_maps = i + 1;
		}
	}
	if (rc == C2C_OK && o->config != NULL)
		rc = spec_from_arg(&sp->config, o->config, true, diag);
	if (rc == C2C_OK && o->n_set > 0) {
		sp->set = c2c_calloc(o->n_set, sizeof(*sp->set));
		rc = sp->set ? C2C_OK : C2C_ENOMEM;
		for (size_t i = 0; i < o->n_set && rc == C2C_OK; i++) {
			sp->set[i] = c2c_strdup(o->set[i]);
			rc = sp->set[i] ? C2C_OK : C2C_ENOMEM;
			sp->n_set = i + 1;
		}
	}
	if (rc == C2C_OK && o->title != NULL && (sp->title = c2c_strdup(o->title)) == NULL)
		rc = C2C_ENOMEM;
	if (rc == C2C_OK && o->question != NULL && (sp->question = c2c_strdup(o->question)) == NULL)
		rc = C2C_ENOMEM;
	return rc;
}

static json_t *
files_json(const struct spec_file *v, size_t n, bool geo, bool ref)
{
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && i < n; i++) {
		char hex[65];
		json_t *o = json_pack("{s:s,s:s}", "name", v[i].name, "sha256",
		    c2c_hex(v[i].sha256, 32, hex));
		if (o != NULL && geo)
			(void)json_object_set_new(o, "use", json_string(v[i].use == C2C_GEO_ASN ? "asn"
												 : "country"));
		if (o != NULL && ref)
			(void)json_object_set_new(o, "kind", json_string(c2c_ref_kind_name(v[i].ref_kind)));
		if (json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* scan.json: what `verify` needs to re-run this scan. */
static c2c_err
write_scan_json(const struct run *r, const char *case_dir, struct c2c_diag *diag)
{
	const struct scan_spec *sp = r->sp;
	json_t *in = json_array(), *o;
	char path[4096];
	c2c_err rc;
	for (size_t i = 0; in != NULL && i < r->n_files; i++) {
		char hex[65];
		if (json_array_append_new(in, json_pack("{s:s,s:s}", "name", r->files[i], "sha256",
			c2c_hex(r->infos[i].sha256, 32, hex))) != 0) {
			json_decref(in);
			in = NULL;
		}
	}
	o = json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "schema", "c2chain-scan/1", "inputs", in,
	    "feeds", files_json(sp->feeds, sp->n_feeds, false, false), "geo",
	    files_json(sp->geo, sp->n_geo, true, false), "refdata",
	    files_json(sp->refdata, sp->n_refdata, false, true), "catalogues",
	    files_json(sp->catalogues, sp->n_catalogues, false, false), "external",
	    files_json(sp->external, sp->n_external, false, false), "set",
	    strings_array((const char *const *)sp->set, sp->n_set));
	if (o == NULL)
		return C2C_ENOMEM;
	if (sp->config.name != NULL)
		(void)json_object_set_new(o, "config", files_json(&sp->config, 1, false, false));
	if (sp->n_host_maps > 0) {
		json_t *hm = files_json(sp->host_maps, sp->n_host_maps, false, false);
		for (size_t i = 0; hm != NULL && i < sp->n_host_maps; i++)
			(void)json_object_set_new(json_array_get(hm, i), "country",
			    json_string(sp->host_maps[i].country));
		if (hm == NULL || json_object_set_new(o, "host_maps", hm) != 0) {
			json_decref(o);
			return C2C_ENOMEM;
		}
	}
	if (sp->title != NULL)
		(void)json_object_set_new(o, "title", json_string(sp->title));
	if (sp->question != NULL)
		(void)json_object_set_new(o, "question", json_string(sp->question));
	(void)snprintf(path, sizeof(path), "%s/scan.json", case_dir);
	rc = c2c_json_write_file(o, path, diag);
	json_decref(o);
	return rc;
}

/* ---- the case ------------------------------------------------------------------------------ */

static c2c_err
add_refdata_files(struct c2c_case *c, const struct spec_file *v, size_t n, const char *kind,
    struct c2c_diag *diag)
{
	c2c_err rc = C2C_OK;
	for (size_t i = 0; i < n && rc == C2C_OK; i++)
		rc = c2c_case_add_refdata(c, v[i].path, kind, NULL, diag);
	return rc;
}

static c2c_err
append_all(struct c2c_case *c, const json_t *arr, const char *kind, struct c2c_diag *diag)
{
	size_t i;
	const json_t *f;
	c2c_err rc = C2C_OK;
	json_array_foreach(arr, i, f) {
		if (rc == C2C_OK && json_string_value(json_object_get(f, "id")) != NULL) {
			rc = c2c_case_append(c, kind, f, NULL, diag);
			if (rc != C2C_OK && diag != NULL) {
				/* Name the claim: the ledger only knows it as "claim". */
				char m[sizeof(diag->msg) + 96];
				(void)snprintf(m, sizeof(m), "%.80s: %s",
				    json_string_value(json_object_get(f, "id")), diag->msg);
				memcpy(diag->msg, m, sizeof(diag->msg) - 1);
				diag->msg[sizeof(diag->msg) - 1] = '\0';
			}
		}
	}
	return rc;
}

/* Store the full reference list of every finding that cites it by Merkle root. */
static c2c_err
store_reflists(struct run *r, struct c2c_case *c, struct c2c_diag *diag)
{
	size_t nf = c2c_detect_n_findings(r->det);
	c2c_err rc = C2C_OK;
	for (size_t i = 0; i < r->n_reflists && rc == C2C_OK; i++) {
		uint8_t root[32];
		uint64_t cnt;
		rc = c2c_case_add_reflist(c, (const char *const *)r->reflists[i], r->reflist_n[i],
		    root, &cnt, diag);
	}
	/* Detection findings: straight from their parsed references (the case renders each
	 * reference once, in the list's file), all lists in one call so the case can spread them
	 * over its threads. */
	if (rc == C2C_OK && nf > 0) {
		const struct c2c_evref **lists = c2c_calloc(nf, sizeof(*lists));
		size_t *ns = c2c_calloc(nf, sizeof(*ns)), m = 0;
		uint8_t(*roots)[32] = c2c_calloc(nf, 32);
		if (lists == NULL || ns == NULL || roots == NULL)
			rc = C2C_ENOMEM;
		for (size_t i = 0; i < nf && rc == C2C_OK; i++) {
			const struct c2c_evref *refs;
			size_t n;
			if (c2c_detect_finding_refs(r->det, i, &refs, &n) != C2C_OK || n <= 64 ||
			    c2c_detect_finding_root(r->det, i, roots[m]) != C2C_OK)
				continue;
			lists[m] = refs;
			ns[m++] = n;
		}
		if (rc == C2C_OK)
			rc = c2c_case_add_evref_lists(c, lists, ns, (const uint8_t(*)[32])roots, m, diag);
		c2c_free(lists);
		c2c_free(ns);
		c2c_free(roots);
	}
	return rc;
}

static c2c_err
write_rendered(const char *case_dir, const char *name, struct c2c_buf *b, struct c2c_diag *diag)
{
	char path[4096];
	(void)snprintf(path, sizeof(path), "%s/%s", case_dir, name);
	return c2c_file_write_atomic(path, b->data ? b->data : (const uint8_t *)"", b->len, diag);
}

/* report.md, report.html and report.stix.json, all from the report object alone. */
static c2c_err
render_all(const json_t *report, const char *case_dir, struct c2c_diag *diag)
{
	struct c2c_buf b;
	json_t *bundle = NULL;
	c2c_err rc;
	char path[4096];
	c2c_buf_init(&b, (size_t)1 << 31);
	rc = c2c_report_markdown(report, &b, diag);
	if (rc == C2C_OK)
		rc = write_rendered(case_dir, "report.md", &b, diag);
	c2c_buf_reset(&b);
	if (rc == C2C_OK)
		rc = c2c_report_html(report, &b, diag);
	if (rc == C2C_OK)
		rc = write_rendered(case_dir, "report.html", &b, diag);
	c2c_buf_fini(&b);
	if (rc == C2C_OK)
		rc = c2c__stix_bundle(report, &bundle, diag);
	if (rc == C2C_OK) {
		(void)snprintf(path, sizeof(path), "%s/report.stix.json", case_dir);
		rc = c2c_json_write_file(bundle, path, diag);
	}
	json_decref(bundle);
	return rc;
}

/* diag->src often names a path owned by the run, which is freed before returning: keep a
 * copy that stays valid until the next scan on this thread. */
static void
pin_diag_src(struct c2c_diag *diag)
{
	static _Thread_local char src[4096];
	if (diag != NULL && diag->src != NULL && diag->src != src) {
		(void)snprintf(src, sizeof(src), "%s", diag->src);
		diag->src = src;
	}
}


/* ---- the case, begun early ---------------------------------------------------------------- */

/* Open the case and put in what needs only the L1 results: inputs, reference data, the long
 * reference lists, and the record commitments of every record those cite (the bulk of the
 * evidence work). With two threads this runs beside the L2-L4 analysis (struct early). */
static c2c_err
case_begin(struct run *r, struct c2c_case **cp, struct c2c_diag *diag)
{
	const struct scan_spec *sp = r->sp;
	c2c_err rc;

	*cp = NULL;
	rc = c2c_case_open(r->case_dir, r->case_opts, cp, diag);
	for (size_t i = 0; i < r->n_files && rc == C2C_OK; i++)
		rc = c2c_case_add_input(*cp, r->files[i], &r->infos[i], diag);
	if (rc == C2C_OK)
		rc = add_refdata_files(*cp, sp->feeds, sp->n_feeds, "feed", diag);
	if (rc == C2C_OK)
		rc = add_refdata_files(*cp, sp->geo, sp->n_geo, "mmdb", diag);
	if (rc == C2C_OK)
		rc = add_refdata_files(*cp, sp->refdata, sp->n_refdata, "reference-list", diag);
	if (rc == C2C_OK)
		rc = add_refdata_files(*cp, sp->catalogues, sp->n_catalogues, "actor-catalogue", diag);
	if (rc == C2C_OK)
		rc = add_refdata_files(*cp, sp->external, sp->n_external, "external-intel", diag);
	if (rc == C2C_OK && sp->config.path != NULL)
		rc = add_refdata_files(*cp, &sp->config, 1, "config", diag);
	if (rc == C2C_OK)
		rc = add_refdata_files(*cp, sp->host_maps, sp->n_host_maps, "host-map", diag);
	/* The public suffix list the DNS-tunnel analysis used (named by the configuration). */
	if (rc == C2C_OK && c2c_config_str(r->cfg, "dnstunnel.psl_file")[0] != '\0')
		rc = c2c_case_add_refdata(*cp, c2c_config_str(r->cfg, "dnstunnel.psl_file"),
		    "public-suffix-list", NULL, diag);
	if (rc == C2C_OK)
		rc = store_reflists(r, *cp, diag);

	if (rc == C2C_OK)
		rc = c2c_case_precommit(*cp, diag);
	return rc;
}

struct early {
	struct run *r;
	pthread_t th;
	struct c2c_case *c;
	c2c_err rc;
	struct c2c_diag diag;
};

static void *
early_main(void *arg)
{
	struct early *e = arg;
	e->rc = case_begin(e->r, &e->c, &e->diag);
	return NULL;
}

/* Begin the case on a thread of its own (when the run may use two); case_join finishes. */
static void
case_start(struct run *r, unsigned threads)
{
	struct early *e;
	if (r->case_dir == NULL || threads < 2 || r->early != NULL)
		return;
	e = c2c_calloc(1, sizeof(*e));
	if (e == NULL)
		return; /* case_join begins it here */
	e->r = r;
	if (pthread_create(&e->th, NULL, early_main, e) != 0) {
		c2c_free(e);
		return;
	}
	r->early = e;
}

/* The case begun by case_start (waited for), or begun now. */
static c2c_err
case_join(struct run *r, struct c2c_case **cp)
{
	struct early *e = r->early;
	c2c_err rc;
	if (e == NULL)
		return case_begin(r, cp, r->diag);
	(void)pthread_join(e->th, NULL);
	r->early = NULL;
	*cp = e->c;
	rc = e->rc;
	if (rc != C2C_OK && r->diag != NULL)
		*r->diag = e->diag;
	c2c_free(e);
	return rc;
}

c2c_err
c2c_scan(const struct c2c_scan_opts *o, const char *case_dir, struct c2c_scan_summary *sum,
    struct c2c_diag *diag)
{
	struct scan_spec sp;
	struct run r;
	struct tsmap ts = { NULL, 0, 0, false };
	struct c2c_scan_summary lsum;
	struct c2c_case *c = NULL;
	struct c2c_case_opts co = { o->key_path, NULL, o->threads == 1 ? 1 : 2 };
	uint64_t t0 = now_us(), t1, t2;
	c2c_err rc;

	memset(&r, 0, sizeof(r));
	memset(&lsum, 0, sizeof(lsum));
	r.sum = sum ? sum : &lsum;
	memset(r.sum, 0, sizeof(*r.sum));
	r.diag = diag;
	r.ts = &ts;
	r.sp = &sp;
	if (!o->analysis_only) {
		r.case_dir = case_dir;
		r.case_opts = &co;
	}
	rc = spec_from_opts(o, &sp, diag);
	if (rc == C2C_OK)
		rc = analyze(&r, o, o->threads == 1 ? 1 : 2);
	t1 = now_us();
	if (o->analysis_only) {
		r.sum->analysis_us = t1 - t0;
		if (rc != C2C_OK)
			pin_diag_src(diag);
		run_fini(&r);
		spec_fini(&sp);
		return rc;
	}
	if (rc == C2C_OK || r.early != NULL) {
		c2c_err jrc = case_join(&r, &c);
		if (rc == C2C_OK)
			rc = jrc;
	}
	if (rc == C2C_OK)
		rc = append_all(c, r.l1, "finding", diag);
	if (rc == C2C_OK)
		rc = append_all(c, r.ir.infrastructure, "finding", diag);
	if (rc == C2C_OK)
		rc = append_all(c, r.ir.edges, "finding", diag);
	if (rc == C2C_OK)
		rc = append_all(c, r.ir.clusters, "finding", diag);
	if (rc == C2C_OK && json_string_value(json_object_get(r.ir.matrix, "id")) != NULL)
		rc = c2c_case_append(c, "finding", r.ir.matrix, NULL, diag);
	if (rc == C2C_OK)
		rc = append_all(c, r.assessments, "assessment", diag);
	if (rc == C2C_OK)
		rc = write_scan_json(&r, case_dir, diag);
	if (rc == C2C_OK)
		rc = c2c_case_commit(c, r.report, diag);
	t2 = now_us();

	if (rc == C2C_OK) {
		uint8_t root[32];
		c2c_case_tree(c, &r.sum->ledger_size, root);
		rc = render_all(r.report, case_dir, diag);
	}
	r.sum->analysis_us = t1 - t0;
	r.sum->evidence_us = t2 - t1;
	r.sum->reports_us = now_us() - t2;
	if (rc != C2C_OK)
		pin_diag_src(diag);
	c2c_case_close(c);
	run_fini(&r);
	spec_fini(&sp);
	return rc;
}

/* ---- re-derivation for verify -------------------------------------------------------------- */

/* Where a recorded file is now: under inputs_dir by its recorded name, then by its base name,
 * else the recorded name itself. */
static char *
locate(const char *name, const char *inputs_dir)
{
	struct stat st;
	char buf[4096];
	if (inputs_dir != NULL) {
		const char *base = strrchr(name, '/');
		(void)snprintf(buf, sizeof(buf), "%s/%s", inputs_dir, name);
		if (name[0] != '/' && stat(buf, &st) == 0)
			return c2c_strdup(buf);
		(void)snprintf(buf, sizeof(buf), "%s/%s", inputs_dir, base ? base + 1 : name);
		if (stat(buf, &st) == 0)
			return c2c_strdup(buf);
	}
	return c2c_strdup(name);
}

static c2c_err
spec_files_from_json(const json_t *arr, const char *inputs_dir, bool check, bool geo, bool ref,
    struct spec_file **out, size_t *n, struct c2c_diag *diag)
{
	size_t i;
	const json_t *o;
	c2c_err rc = C2C_OK;
	*n = 0;
	*out = c2c_calloc(json_array_size(arr) + 1, sizeof(**out));
	if (*out == NULL)
		return C2C_ENOMEM;
	json_array_foreach(arr, i, o) {
		struct spec_file *f = &(*out)[i];
		const char *name = json_string_value(json_object_get(o, "name"));
		const char *sha = json_string_value(json_object_get(o, "sha256"));
		uint8_t now[32];
		if (rc != C2C_OK)
			break;
		if (name == NULL || sha == NULL || c2c_unhex(sha, strlen(sha), f->sha256, 32) != C2C_OK)
			return c2c_diag_set(diag, C2C_EFORMAT, "scan.json", 0, "bad file entry %zu", i);
		f->name = c2c_strdup(name);
		f->path = locate(name, inputs_dir);
		*n = i + 1;
		if (f->name == NULL || f->path == NULL)
			return C2C_ENOMEM;
		if (geo) {
			const char *u = json_string_value(json_object_get(o, "use"));
			f->use = u != NULL && strcmp(u, "asn") == 0 ? C2C_GEO_ASN : C2C_GEO_COUNTRY;
		}
		if (ref) {
			const char *k = json_string_value(json_object_get(o, "kind"));
			for (size_t j = 0; k != NULL && j < C2C_ARRAY_LEN(ref_kinds); j++)
				if (strcmp(k, c2c_ref_kind_name(ref_kinds[j].kind)) == 0)
					f->ref_kind = ref_kinds[j].kind;
		}
		if (check) {
			rc = c2c_sha256_file(f->path, now, NULL, diag);
			if (rc == C2C_EIO)
				return c2c_diag_set(diag, C2C_ENOTFOUND, name, 0,
				    "reference file not found (give --inputs DIR)");
			if (rc == C2C_OK && memcmp(now, f->sha256, 32) != 0)
				return c2c_diag_set(diag, C2C_EVERIFY, f->path, 0,
				    "digest differs from the one recorded for %s", name);
		}
	}
	return rc;
}

static c2c_err
spec_from_case(const char *case_dir, const char *inputs_dir, struct scan_spec *sp,
    struct c2c_diag *diag)
{
	char path[4096];
	uint8_t *text = NULL;
	size_t len;
	json_t *o = NULL;
	const json_t *v;
	c2c_err rc;

	memset(sp, 0, sizeof(*sp));
	(void)snprintf(path, sizeof(path), "%s/scan.json", case_dir);
	rc = c2c_file_slurp(path, 1 << 26, &text, &len, diag);
	if (rc == C2C_EIO)
		return c2c_diag_set(diag, C2C_EFORMAT, case_dir, 0, "the case has no scan.json");
	if (rc == C2C_OK)
		rc = c2c_json_parse((const char *)text, len, "scan.json", &o, diag);
	c2c_free(text);
	if (rc != C2C_OK)
		return rc;
	sp->inputs_expanded = true;
	rc = spec_files_from_json(json_object_get(o, "inputs"), inputs_dir, false, false, false,
	    &sp->inputs, &sp->n_inputs, diag);
	if (rc == C2C_OK)
		rc = spec_files_from_json(json_object_get(o, "feeds"), inputs_dir, true, false, false,
		    &sp->feeds, &sp->n_feeds, diag);
	if (rc == C2C_OK)
		rc = spec_files_from_json(json_object_get(o, "geo"), inputs_dir, true, true, false,
		    &sp->geo, &sp->n_geo, diag);
	if (rc == C2C_OK)
		rc = spec_files_from_json(json_object_get(o, "refdata"), inputs_dir, true, false, true,
		    &sp->refdata, &sp->n_refdata, diag);
	if (rc == C2C_OK)
		rc = spec_files_from_json(json_object_get(o, "catalogues"), inputs_dir, true, false,
		    false, &sp->catalogues, &sp->n_catalogues, diag);
	if (rc == C2C_OK)
		rc = spec_files_from_json(json_object_get(o, "external"), inputs_dir, true, false,
		    false, &sp->external, &sp->n_external, diag);
	if (rc == C2C_OK)
		rc = spec_files_from_json(json_object_get(o, "host_maps"), inputs_dir, true, false,
		    false, &sp->host_maps, &sp->n_host_maps, diag);
	for (size_t i = 0; rc == C2C_OK && i < sp->n_host_maps; i++) {
		const char *cc = json_string_value(
		    json_object_get(json_array_get(json_object_get(o, "host_maps"), i), "country"));
		if (cc == NULL || strlen(cc) != 2)
			rc = c2c_diag_set(diag, C2C_EFORMAT, "scan.json", 0,
			    "host map entry %zu has no country", i);
		else
			memcpy(sp->host_maps[i].country, cc, 3);
	}
	if (rc == C2C_OK && (v = json_object_get(o, "config")) != NULL && json_array_size(v) == 1) {
		struct spec_file *cf = NULL;
		size_t n = 0;
		rc = spec_files_from_json(v, inputs_dir, true, false, false, &cf, &n, diag);
		if (rc == C2C_OK) {
			sp->config = cf[0];
			cf[0].name = cf[0].path = NULL;
		}
		spec_files_free(cf, n);
	}
	v = json_object_get(o, "set");
	if (rc == C2C_OK && json_array_size(v) > 0) {
		sp->set = c2c_calloc(json_array_size(v), sizeof(*sp->set));
		rc = sp->set ? C2C_OK : C2C_ENOMEM;
		for (size_t i = 0; i < json_array_size(v) && rc == C2C_OK; i++) {
			const char *s = json_string_value(json_array_get(v, i));
			sp->set[i] = c2c_strdup(s ? s : "");
			rc = sp->set[i] ? C2C_OK : C2C_ENOMEM;
			sp->n_set = i + 1;
		}
	}
	if (rc == C2C_OK && json_string_value(json_object_get(o, "title")) != NULL &&
	    (sp->title = c2c_strdup(json_string_value(json_object_get(o, "title")))) == NULL)
		rc = C2C_ENOMEM;
	if (rc == C2C_OK && json_string_value(json_object_get(o, "question")) != NULL &&
	    (sp->question = c2c_strdup(json_string_value(json_object_get(o, "question")))) == NULL)
		rc = C2C_ENOMEM;
	json_decref(o);
	return rc;
}

c2c_err
c2c_scan_rederive(const char *case_dir, const char *inputs_dir, struct c2c_buf *out,
    struct c2c_diag *diag)
{
	struct scan_spec sp;
	struct run r;
	struct tsmap ts = { NULL, 0, 0, false };
	struct c2c_scan_summary sum;
	struct c2c_scan_opts o;
	c2c_err rc;

	memset(&r, 0, sizeof(r));
	memset(&o, 0, sizeof(o));
	r.sum = &sum;
	memset(&sum, 0, sizeof(sum));
	r.diag = diag;
	r.ts = &ts;
	r.sp = &sp;
	rc = spec_from_case(case_dir, inputs_dir, &sp, diag);
	for (size_t i = 0; i < sp.n_inputs && rc == C2C_OK; i++) {
		struct stat st;
		if (stat(sp.inputs[i].path, &st) != 0)
			rc = c2c_diag_set(diag, C2C_ENOTFOUND, sp.inputs[i].name, 0,
			    "input not found (give --inputs DIR)");
	}
	if (rc == C2C_OK)
		rc = analyze(&r, &o, 1);
	for (size_t i = 0; i < r.n_files && rc == C2C_OK; i++)
		if (memcmp(r.infos[i].sha256, sp.inputs[i].sha256, 32) != 0)
			rc = c2c_diag_set(diag, C2C_EVERIFY, r.paths[i], 0,
			    "digest differs from the one recorded for %s", r.files[i]);
	if (rc == C2C_OK)
		rc = c2c_json_canon(r.report, out);
	if (rc == C2C_OK)
		rc = c2c_buf_addc(out, '\n');
	if (rc != C2C_OK)
		pin_diag_src(diag);
	run_fini(&r);
	spec_fini(&sp);
	return rc;
}

/* ---- rendering a case ---------------------------------------------------------------------- */

static c2c_err
events_csv(const char *case_dir, const json_t *report, struct c2c_buf *out,
    struct c2c_diag *diag)
{
	struct scan_spec sp;
	struct run r;
	struct c2c_host_map hm;
	struct c2c_infra_opts io;
	c2c_err rc;

	memset(&r, 0, sizeof(r));
	r.sp = &sp;
	r.diag = diag;
	rc = spec_from_case(case_dir, NULL, &sp, diag);
	if (rc == C2C_OK)
		rc = load_config(&r);
	if (rc == C2C_OK)
		rc = c2c_geo_new(&r.geo);
	for (size_t i = 0; i < sp.n_geo && rc == C2C_OK; i++)
		rc = c2c_geo_open_db(r.geo, sp.geo[i].path, sp.geo[i].use, NULL, diag);
	c2c_host_map_init(&hm);
	if (rc == C2C_OK)
		rc = host_map(&r, &hm);
	if (rc == C2C_OK) {
		c2c_infra_opts_default(&io);
		io.host_map = hm.v;
		io.n_host_map = hm.n;
		io.host_map_parent = hm.parent;
		io.geo = r.geo;
		rc = c2c_events_csv(json_object_get(report, "findings"),
		    json_object_get(report, "infrastructure"), &io, out, diag);
	}
	c2c_host_map_fini(&hm);
	run_fini(&r);
	spec_fini(&sp);
	return rc;
}

c2c_err
c2c_case_render(const char *case_dir, const char *format, struct c2c_buf *out,
    struct c2c_diag *diag)
{
	char path[4096];
	uint8_t *text = NULL;
	size_t len = 0;
	json_t *report = NULL, *bundle = NULL;
	c2c_err rc;

	(void)snprintf(path, sizeof(path), "%s/report.json", case_dir);
	rc = c2c_file_slurp(path, (size_t)1 << 32, &text, &len, diag);
	if (rc == C2C_OK && strcmp(format, "json") == 0) {
		rc = c2c_buf_add(out, text, len);
		c2c_free(text);
		return rc;
	}
	if (rc == C2C_OK)
		rc = c2c_json_parse((const char *)text, len, path, &report, diag);
	c2c_free(text);
	if (rc != C2C_OK)
		return rc;
	if (strcmp(format, "md") == 0)
		rc = c2c_report_markdown(report, out, diag);
	else if (strcmp(format, "html") == 0)
		rc = c2c_report_html(report, out, diag);
	else if (strcmp(format, "stix") == 0) {
		rc = c2c__stix_bundle(report, &bundle, diag);
		if (rc == C2C_OK)
			rc = c2c_json_canon(bundle, out);
		if (rc == C2C_OK)
			rc = c2c_buf_addc(out, '\n');
	} else if (strcmp(format, "events-csv") == 0)
		rc = events_csv(case_dir, report, out, diag);
	else
		rc = c2c_diag_set(diag, C2C_EINVAL, format, 0,
		    "unknown format (json, md, html, stix, events-csv)");
	json_decref(bundle);
	json_decref(report);
	return rc;
}

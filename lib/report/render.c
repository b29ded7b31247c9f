/*
 * Report sections, written once against the document model (doc.h) and rendered as Markdown or
 * HTML. The input is report.json (docs/report-schema.md); nothing here computes a claim, it only
 * presents what the report object holds, in the order the schema fixes.
 */
#include <stdio.h>
#include <string.h>

#include "c2chain/report.h"
#include "report/doc.h"

static const char *
s_of(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static json_int_t
i_of(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* "a.b.c" path lookup. */
static const json_t *
path(const json_t *o, const char *p)
{
	char key[64];
	while (o != NULL && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		p += n + (dot ? 1 : 0);
	}
	return o;
}

static void
strings(struct doc *d, const json_t *arr)
{
	size_t i;
	const json_t *v;
	if (json_array_size(arr) == 0)
		return;
	doc_list_begin(d);
	json_array_foreach(arr, i, v)
		doc_item(d, json_string_value(v) ? json_string_value(v) : "", NULL);
	doc_list_end(d);
}

static const char *
anchor_of(const char *id, char *buf, size_t len)
{
	size_t o = 0;
	o += (size_t)snprintf(buf, len, "ev-");
	for (; *id && o + 1 < len; id++)
		buf[o++] = (*id >= 'a' && *id <= 'z') || (*id >= '0' && *id <= '9') || *id == '-'
		    ? *id : '-';
	buf[o] = '\0';
	return buf;
}

/* A country code for display: "??" (no database placed the address) reads as "unknown". */
static const char *
known_cc(const char *cc)
{
	return cc[0] == '\0' || strcmp(cc, "??") == 0 ? "unknown" : cc;
}

/* A one-line link from a claim shown in the body to its evidence appendix entry. */
static void
evidence_link(struct doc *d, const json_t *claim)
{
	char anc[96], t[200];
	const char *id = s_of(claim, "id");
	if (*id == '\0')
		return;
	doc_list_begin(d);
	doc_item(d, doc_fmt(t, sizeof(t), "Evidence and method: %s", id),
	    anchor_of(id, anc, sizeof(anc)));
	doc_list_end(d);
}

static void
sec_summary(struct doc *d, const json_t *r)
{
	const json_t *s = json_object_get(r, "summary"), *fb = json_object_get(s, "findings");
	const char *k;
	const json_t *v;
	char b[256];
	doc_heading(d, 2, "bottom-line", "Bottom line");
	strings(d, path(r, "statements.bottom_line"));
	if (s != NULL) {
		/* "countries" counts known controller countries only (never "??"). */
		long long nc = (long long)i_of(s, "countries");
		char where[64];
		if (nc == 0 && i_of(s, "c2_endpoints") > 0)
			(void)snprintf(where, sizeof(where), "none of known location");
		else
			(void)snprintf(where, sizeof(where), "located in %lld countr%s", nc,
			    nc == 1 ? "y" : "ies");
		doc_para(d, doc_fmt(b, sizeof(b),
		    "%lld inputs, %lld records (%lld malformed), %lld flows; %lld controlled hosts, "
		    "%lld C2 endpoints, %s.",
		    (long long)i_of(s, "inputs"), (long long)i_of(s, "records"),
		    (long long)i_of(s, "malformed"), (long long)i_of(s, "flows"),
		    (long long)i_of(s, "controlled_hosts"), (long long)i_of(s, "c2_endpoints"),
		    where));
		if (json_object_size(fb) > 0) {
			static const char *const hdr[] = { "Finding type", "Count" };
			doc_table_begin(d, hdr, 2);
			json_object_foreach((json_t *)(uintptr_t)fb, k, v) {
				char n[32];
				struct doc_cell c[2] = { { k, NULL },
					{ doc_fmt(n, sizeof(n), "%lld", (long long)json_integer_value(v)),
					    NULL } };
				doc_row(d, c);
			}
			doc_table_end(d);
		}
	}
	doc_heading(d, 2, "not-claimed", "What this report does not claim");
	strings(d, path(r, "statements.not_claimed"));
}

static void
sec_scope(struct doc *d, const json_t *r)
{
	static const char *const hdr[] = { "Input", "Format", "SHA-256", "Records", "Malformed",
		"First record", "Last record", "Measured loss" };
	static const char *const rhdr[] = { "Reference data", "Kind", "SHA-256", "Detail" };
	const json_t *in = path(r, "scope.inputs"), *v;
	size_t i;
	doc_heading(d, 2, "scope", "Scope and coverage");
	strings(d, path(r, "statements.coverage"));
	doc_table_begin(d, hdr, 8);
	json_array_foreach(in, i, v) {
		char rec[32], mal[32], loss[32], sha[20];
		struct doc_cell c[8] = { { s_of(v, "path"), NULL }, { s_of(v, "format"), NULL },
			{ doc_fmt(sha, sizeof(sha), "%.16s", s_of(v, "sha256")), NULL },
			{ doc_fmt(rec, sizeof(rec), "%lld", (long long)i_of(v, "records")), NULL },
			{ doc_fmt(mal, sizeof(mal), "%lld", (long long)i_of(v, "malformed")), NULL },
			{ s_of(v, "first_seen"), NULL }, { s_of(v, "last_seen"), NULL },
			{ doc_fmt(loss, sizeof(loss), "%lld", (long long)i_of(v, "loss")), NULL } };
		doc_row(d, c);
	}
	doc_table_end(d);
	in = path(r, "scope.refdata");
	if (json_array_size(in) > 0) {
		doc_table_begin(d, rhdr, 4);
		json_array_foreach(in, i, v) {
			char sha[20];
			struct doc_cell c[4] = { { s_of(v, "path"), NULL }, { s_of(v, "kind"), NULL },
				{ doc_fmt(sha, sizeof(sha), "%.16s", s_of(v, "sha256")), NULL },
				{ s_of(v, "detail"), NULL } };
			doc_row(d, c);
		}
		doc_table_end(d);
	}
	{
		const json_t *ctr = path(r, "scope.counters");
		const char *k;
		if (json_object_size(ctr) > 0) {
			static const char *const chdr[] = { "Counter", "Value" };
			doc_para(d, "Counters of everything read, including every malformed or truncated "
				    "record (counted, never fatal):");
			doc_table_begin(d, chdr, 2);
			json_object_foreach((json_t *)(uintptr_t)ctr, k, v) {
				char n[32];
				struct doc_cell c[2] = { { k, NULL }, { doc_fmt(n, sizeof(n), "%lld",
					(long long)json_integer_value(v)), NULL } };
				doc_row(d, c);
			}
			doc_table_end(d);
		}
	}
}

static const char *
finding_detail(const json_t *f, char *buf, size_t len)
{
	const json_t *res = json_object_get(f, "result");
	const char *type = s_of(f, "type");
	if (strcmp(type, "beacon") == 0)
		return doc_fmt(buf, len, "score %lld.%03lld, %lld connections, median interval %lld s",
		    (long long)(i_of(res, "score_e6") / 1000000),
		    (long long)(i_of(res, "score_e6") % 1000000 / 1000),
		    (long long)i_of(res, "connections"),
		    (long long)(i_of(res, "median_interval_us") / 1000000));
	if (strcmp(type, "long-connection") == 0)
		return doc_fmt(buf, len, "%lld s total over %lld connections",
		    (long long)(i_of(res, "total_duration_us") / 1000000),
		    (long long)i_of(res, "connections"));
	if (strcmp(type, "dns-tunnel") == 0)
		return doc_fmt(buf, len, "%lld unique names under %s in %lld queries (%s)",
		    (long long)i_of(res, "unique_names"), s_of(json_object_get(f, "subject"),
			"fqdn"), (long long)i_of(res, "queries"), s_of(res, "criterion"));
	if (strcmp(type, "intel-hit") == 0)
		return doc_fmt(buf, len, "%s %s", s_of(res, "indicator_type"), s_of(res, "indicator"));
	if (strcmp(type, "strobe") == 0)
		return doc_fmt(buf, len, "%lld connections", (long long)i_of(res, "connections"));
	return doc_fmt(buf, len, "%s", s_of(f, "rung"));
}

static size_t
evidence_count(const json_t *f)
{
	const json_t *ev = json_object_get(f, "evidence");
	if (json_object_get(ev, "count") != NULL)
		return (size_t)json_integer_value(json_object_get(ev, "count"));
	return json_array_size(json_object_get(ev, "refs"));
}

static void
sec_findings(struct doc *d, const json_t *r)
{
	static const char *const hdr[] = { "Finding", "Rung", "Type", "Host", "Peer", "Detail",
		"First seen", "Last seen", "Records cited" };
	const json_t *fs = json_object_get(r, "findings"), *f;
	size_t i;
	doc_heading(d, 2, "findings", "Findings by rung");
	doc_para(d, "L0 facts are the cited records themselves. L1 findings say that traffic "
		    "between a host and a peer is command-and-control: a threat-intelligence hit, a "
		    "beacon, a long connection or a DNS tunnel. Every row links to its evidence.");
	if (json_array_size(fs) == 0) {
		doc_para(d, "No L1 findings.");
		return;
	}
	doc_table_begin(d, hdr, 9);
	json_array_foreach(fs, i, f) {
		const json_t *sub = json_object_get(f, "subject");
		char det[256], anc[96], n[32], peer[300];
		const char *p = s_of(sub, "peer");
		if (*p == '\0')
			p = s_of(sub, "fqdn");
		if (*p == '\0')
			p = s_of(sub, "domain");
		if (i_of(sub, "peer_port") > 0)
			p = doc_fmt(peer, sizeof(peer), "%s:%lld", p, (long long)i_of(sub, "peer_port"));
		anchor_of(s_of(f, "id"), anc, sizeof(anc));
		{
			struct doc_cell c[9] = { { s_of(f, "id"), anc }, { s_of(f, "rung"), NULL },
				{ s_of(f, "type"), NULL }, { s_of(sub, "host"), NULL }, { p, NULL },
				{ finding_detail(f, det, sizeof(det)), NULL },
				{ s_of(f, "first_seen"), NULL }, { s_of(f, "last_seen"), NULL },
				{ doc_fmt(n, sizeof(n), "%zu", evidence_count(f)), NULL } };
			doc_row(d, c);
		}
	}
	doc_table_end(d);
}

static void
chart_top_endpoints(struct doc *d, const json_t *infra)
{
	struct chart_bar bars[12];
	char lbl[12][64];
	size_t n = 0, i;
	const json_t *o;
	struct c2c_buf svg;
	/* The report lists endpoints by controlled hosts (schema order); take the first twelve. */
	json_array_foreach(infra, i, o) {
		const json_t *res = json_object_get(o, "result");
		if (n == 12)
			break;
		(void)snprintf(lbl[n], sizeof(lbl[n]), "%s (%s)",
		    s_of(json_object_get(o, "subject"), "ip"), known_cc(s_of(res, "country")));
		bars[n].label = lbl[n];
		bars[n].value = i_of(json_object_get(res, "controlled_hosts"), "count");
		if (bars[n].value == 0)
			bars[n].value = i_of(res, "controlled_hosts");
		n++;
	}
	if (n == 0 || !d->html || d->rc != C2C_OK)
		return;
	c2c_buf_init(&svg, 1 << 22);
	d->rc = c2c__svg_bars(&svg, "Top C2 endpoints by controlled hosts", bars, n);
	if (d->rc == C2C_OK && c2c_buf_cstr(&svg) != NULL)
		doc_raw_html(d, (const char *)svg.data);
	c2c_buf_fini(&svg);
}

static void
sec_infra(struct doc *d, const json_t *r)
{
	static const char *const hdr[] = { "C2 endpoint", "Country", "AS", "Role", "Role basis",
		"Controlled hosts", "First contact", "Last contact" };
	const json_t *infra = json_object_get(r, "infrastructure"), *o;
	size_t i;
	doc_heading(d, 2, "infrastructure", "Infrastructure and roles");
	doc_para(d, "Network location is not operator location: the country of a C2 endpoint is "
		    "where a pinned database places its address, not where whoever runs it sits.");
	if (json_array_size(infra) == 0) {
		doc_para(d, "No C2 endpoints.");
		return;
	}
	chart_top_endpoints(d, infra);
	doc_table_begin(d, hdr, 8);
	json_array_foreach(infra, i, o) {
		const json_t *res = json_object_get(o, "result"), *basis = json_object_get(res,
		    "role_basis");
		char as[160], hosts[32], rb[256] = "";
		size_t k;
		const json_t *b;
		json_int_t nh = i_of(json_object_get(res, "controlled_hosts"), "count");
		json_array_foreach(basis, k, b) {
			const char *t = json_string_value(b) ? json_string_value(b)
							     : s_of(b, "reason");
			size_t l = strlen(rb);
			(void)snprintf(rb + l, sizeof(rb) - l, "%s%s", l ? "; " : "", t);
		}
		if (nh == 0)
			nh = i_of(res, "controlled_hosts");
		{
			char anc[96];
			struct doc_cell c[8] = { { s_of(json_object_get(o, "subject"), "ip"),
						     anchor_of(s_of(o, "id"), anc, sizeof(anc)) },
				{ known_cc(s_of(res, "country")), NULL },
				{ doc_fmt(as, sizeof(as), "AS%lld %s", (long long)i_of(res, "asn"),
				    s_of(res, "as_org")), NULL },
				{ s_of(res, "role"), NULL }, { rb, NULL },
				{ doc_fmt(hosts, sizeof(hosts), "%lld", (long long)nh), NULL },
				{ s_of(res, "first_contact"), NULL }, { s_of(res, "last_contact"), NULL } };
			doc_row(d, c);
		}
	}
	doc_table_end(d);
	{
		const json_t *cl = json_object_get(r, "clusters"), *c;
		if (json_array_size(cl) > 0) {
			doc_heading(d, 3, "clusters", "Clusters (L3)");
			doc_list_begin(d);
			json_array_foreach(cl, i, c) {
				char line[512] = "", *p = line, anc[96];
				const json_t *m;
				size_t k;
				p += snprintf(line, sizeof(line), "%s: ", s_of(c, "id"));
				json_array_foreach(path(c, "result.members"), k, m) {
					const char *ip = json_string_value(m) ? json_string_value(m) : s_of(m, "ip");
					if ((size_t)(p - line) + strlen(ip) + 4 < sizeof(line))
						p += snprintf(p, sizeof(line) - (size_t)(p - line), "%s%s",
						    k ? ", " : "", ip);
				}
				doc_item(d, line, anchor_of(s_of(c, "id"), anc, sizeof(anc)));
			}
			doc_list_end(d);
		}
	}
}

static int
find_str(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return (int)i;
	return -1;
}

static void
sec_matrix(struct doc *d, const json_t *r)
{
	static const char *const hdr[] = { "Controller country", "Host country", "Role",
		"C2 servers", "Controlled hosts" };
	const json_t *m = json_object_get(r, "matrix"), *pairs, *p;
	const char *rows[64], *cols[64];
	size_t nr = 0, nc = 0, i;
	int64_t vals[64 * 64];
	/* The control-matrix finding keeps its numbers in result (docs/infrastructure.md). */
	if (json_object_get(m, "result") != NULL)
		m = json_object_get(m, "result");
	pairs = json_object_get(m, "pairs");
	doc_heading(d, 2, "matrix", "The control matrix");
	if (json_string_value(json_object_get(m, "statement")) != NULL)
		doc_para(d, s_of(m, "statement"));
	evidence_link(d, json_object_get(r, "matrix"));
	if (json_array_size(pairs) == 0) {
		doc_para(d, "No C2 endpoint could be placed in a country.");
		return;
	}
	memset(vals, 0, sizeof(vals));
	json_array_foreach(pairs, i, p) {
		const char *cc = known_cc(s_of(p, "controller_country"));
		const char *hc = known_cc(s_of(p, "host_country"));
		if (find_str(rows, nr, cc) < 0 && nr < 64)
			rows[nr++] = cc;
		if (find_str(cols, nc, hc) < 0 && nc < 64)
			cols[nc++] = hc;
	}
	json_array_foreach(pairs, i, p) {
		int ri = find_str(rows, nr, known_cc(s_of(p, "controller_country")));
		int ci = find_str(cols, nc, known_cc(s_of(p, "host_country")));
		if (ri >= 0 && ci >= 0)
			vals[(size_t)ri * nc + (size_t)ci] += i_of(p, "controlled_hosts");
	}
	if (d->html && d->rc == C2C_OK) {
		struct c2c_buf svg;
		c2c_buf_init(&svg, 1 << 22);
		d->rc = c2c__svg_heatmap(&svg,
		    "Controlled hosts by controller country (rows) and host country (columns)", rows,
		    nr, cols, nc, vals);
		if (d->rc == C2C_OK && c2c_buf_cstr(&svg) != NULL)
			doc_raw_html(d, (const char *)svg.data);
		c2c_buf_fini(&svg);
	}
	/* One row per (controller country, host country, role) with anything in it. */
	doc_table_begin(d, hdr, 5);
	json_array_foreach(pairs, i, p) {
		const json_t *by = json_object_get(p, "by_role"), *v;
		const char *role;
		json_object_foreach((json_t *)(uintptr_t)by, role, v) {
			char a[32], b[32];
			if (i_of(v, "c2_servers") == 0 && i_of(v, "controlled_hosts") == 0)
				continue;
			{
				struct doc_cell c[5] = { { known_cc(s_of(p, "controller_country")), NULL },
					{ known_cc(s_of(p, "host_country")), NULL }, { role, NULL },
					{ doc_fmt(a, sizeof(a), "%lld", (long long)i_of(v, "c2_servers")),
					    NULL },
					{ doc_fmt(b, sizeof(b), "%lld", (long long)i_of(v, "controlled_hosts")),
					    NULL } };
				doc_row(d, c);
			}
		}
	}
	doc_table_end(d);
}

static void
sec_hypotheses(struct doc *d, const json_t *r)
{
	const json_t *as = json_object_get(r, "assessments"), *a;
	size_t i;
	doc_heading(d, 2, "hypotheses", "Hypotheses");
	if (json_array_size(as) == 0) {
		doc_para(d, "No infrastructure cluster was assessed.");
		return;
	}
	json_array_foreach(as, i, a) {
		char anc[96];
		anchor_of(s_of(a, "id"), anc, sizeof(anc));
		anc[0] = 'h'; /* "hv-...": the appendix entry keeps "ev-..." */
		anc[1] = 'v';
		doc_heading(d, 3, anc, s_of(json_object_get(a, "result"), "question")[0]
		    ? s_of(json_object_get(a, "result"), "question") : s_of(a, "id"));
		strings(d, path(a, "result.sentences"));
		evidence_link(d, a);
	}
}

static void
sec_gaps(struct doc *d, const json_t *r)
{
	doc_heading(d, 2, "gaps", "Gaps");
	if (json_array_size(path(r, "statements.gaps")) == 0)
		doc_para(d, "No gaps were recorded.");
	strings(d, path(r, "statements.gaps"));
}

static void
beacon_charts(struct doc *d, const json_t *r, const char *fid)
{
	const json_t *series = json_object_get(r, "series"), *s;
	size_t i;
	json_array_foreach(series, i, s) {
		const json_t *offs = json_object_get(s, "offsets_us"), *v;
		int64_t bins[48], lo = INT64_MAX, hi = 0, prev = -1;
		size_t k, n = json_array_size(offs);
		char a[64], b[64];
		struct c2c_buf svg;
		if (strcmp(s_of(s, "finding"), fid) != 0 || n < 3 || !d->html)
			continue;
		/* Interval histogram: 48 bins between the shortest and the longest interval. */
		json_array_foreach(offs, k, v) {
			int64_t t = json_integer_value(v);
			if (prev >= 0) {
				if (t - prev < lo)
					lo = t - prev;
				if (t - prev > hi)
					hi = t - prev;
			}
			prev = t;
		}
		memset(bins, 0, sizeof(bins));
		prev = -1;
		json_array_foreach(offs, k, v) {
			int64_t t = json_integer_value(v);
			if (prev >= 0) {
				int64_t idx = hi > lo ? (t - prev - lo) * 47 / (hi - lo) : 0;
				bins[idx]++;
			}
			prev = t;
		}
		c2c_buf_init(&svg, 1 << 22);
		(void)snprintf(a, sizeof(a), "%lld s", (long long)(lo / 1000000));
		(void)snprintf(b, sizeof(b), "%lld s", (long long)(hi / 1000000));
		d->rc = c2c__svg_histogram(&svg, "Intervals between connections", bins, 48, a, b);
		if (d->rc == C2C_OK) {
			/* Timeline: one mark per connection (first 64 shown). */
			struct chart_span sp;
			int64_t t0 = i_of(s, "t0_us");
			memset(&sp, 0, sizeof(sp));
			sp.label = "connections";
			sp.start = t0 + json_integer_value(json_array_get(offs, 0));
			sp.end = t0 + json_integer_value(json_array_get(offs, n - 1));
			json_array_foreach(offs, k, v) {
				if (sp.n_ticks < 64)
					sp.ticks[sp.n_ticks++] = t0 + json_integer_value(v);
			}
			d->rc = c2c__svg_timeline(&svg, "Connections over time (first 64 marked)", &sp,
			    1, sp.start, sp.end);
		}
		if (d->rc == C2C_OK && c2c_buf_cstr(&svg) != NULL)
			doc_raw_html(d, (const char *)svg.data);
		c2c_buf_fini(&svg);
	}
}

/* One appendix entry: the claim's method, its cited records (or Merkle root and samples), the
 * pinned reference data it used and links to the claims it rests on. */
static void
appendix_entry(struct doc *d, const json_t *r, const json_t *f)
{
	const json_t *ev = json_object_get(f, "evidence"), *v, *fl;
	char anc[96], b[256];
	size_t k, n;
	struct c2c_buf t;

	doc_heading(d, 3, anchor_of(s_of(f, "id"), anc, sizeof(anc)), s_of(f, "id"));
	doc_kv(d, "Method:", doc_fmt(b, sizeof(b), "%s v%lld; re-check needs %s",
	    s_of(json_object_get(f, "method"), "id"),
	    (long long)i_of(json_object_get(f, "method"), "version"), s_of(f, "recheck")));
	if (json_object_get(ev, "merkle_root") != NULL)
		doc_kv(d, "Merkle root:", doc_fmt(b, sizeof(b), "%s over %lld records",
		    s_of(ev, "merkle_root"), (long long)i_of(ev, "count")));
	if (strcmp(s_of(f, "type"), "beacon") == 0)
		beacon_charts(d, r, s_of(f, "id"));
	c2c_buf_init(&t, 1 << 24);
	json_array_foreach(json_object_get(ev, json_object_get(ev, "samples") ? "samples" : "refs"),
	    k, v) {
		if (d->rc == C2C_OK)
			d->rc = c2c_buf_printf(&t, "%s%s", t.len ? "\n" : "",
			    json_string_value(v) ? json_string_value(v) : "");
	}
	json_array_foreach(json_object_get(ev, "deps"), k, v) {
		if (d->rc == C2C_OK)
			d->rc = c2c_buf_printf(&t, "%s%s (dependency)", t.len ? "\n" : "",
			    json_string_value(v) ? json_string_value(v) : "");
	}
	json_array_foreach(json_object_get(ev, "refdata"), k, v) {
		if (d->rc == C2C_OK)
			d->rc = c2c_buf_printf(&t, "%s%s (pinned reference data, inputs.json)",
			    t.len ? "\n" : "", json_string_value(v) ? json_string_value(v) : "");
	}
	if (t.len > 0 && c2c_buf_cstr(&t) != NULL)
		doc_code(d, (const char *)t.data);
	c2c_buf_fini(&t);
	/* An infrastructure object lists the findings behind it in its result. */
	fl = json_object_get(ev, "findings");
	if (fl == NULL)
		fl = json_object_get(json_object_get(f, "result"), "findings");
	n = json_array_size(fl);
	if (n > 0) {
		doc_kv(d, "Rests on:", doc_fmt(b, sizeof(b), "%zu claims%s", n,
		    n > 64 ? " (the first 64 linked; all are in report.json)" : ""));
		doc_list_begin(d);
		json_array_foreach(fl, k, v) {
			if (k == 64)
				break;
			doc_item(d, json_string_value(v) ? json_string_value(v) : "",
			    anchor_of(json_string_value(v) ? json_string_value(v) : "", anc,
				sizeof(anc)));
		}
		doc_list_end(d);
	}
}

static void
sec_appendix(struct doc *d, const json_t *r)
{
	static const char *const lists[] = { "findings", "infrastructure", "cluster_edges",
		"clusters", "assessments" };
	const json_t *f;
	size_t i;
	doc_heading(d, 2, "evidence", "Evidence appendix");
	doc_para(d, "Each reference names one record as ev:<SHA-256 of the input>/<byte offset>+"
		    "<length> (#<record> inside a flow-export message). A claim resting on more "
		    "than 64 records cites the Merkle root over all of them; the full list is in "
		    "the case under evidence/. Claims above L1 cite the claims they rest on and "
		    "the pinned reference data (by SHA-256, listed in inputs.json) they used.");
	/* In rung order; the control matrix (one object, L2) goes with the L2 infrastructure. */
	for (size_t l = 0; l < C2C_ARRAY_LEN(lists); l++) {
		json_array_foreach(json_object_get(r, lists[l]), i, f)
			appendix_entry(d, r, f);
		if (l == 1 && json_object_get(json_object_get(r, "matrix"), "id") != NULL)
			appendix_entry(d, r, json_object_get(r, "matrix"));
	}
}

static void
sec_verify(struct doc *d, const json_t *r)
{
	char b[512];
	doc_heading(d, 2, "verify", "How to verify");
	doc_para(d, "Anyone holding the inputs (or an excerpt package) can check every claim "
		    "offline, trusting nobody: the signature over the ledger checkpoint is checked "
		    "first, then the digest of every input and reference file, the inclusion of every "
		    "claim in the ledger, the cited records themselves, and finally the whole analysis "
		    "is re-run and report.json compared byte for byte.");
	doc_code(d, doc_fmt(b, sizeof(b),
	    "c2chain verify CASE --trust %s [--inputs DIR]\n"
	    "c2chain report CASE --package excerpt -o excerpt.tar   # publish only cited records",
	    s_of(json_object_get(r, "case"), "public_key")[0]
		? s_of(json_object_get(r, "case"), "public_key") : "CASE/key/ed25519.pub"));
}

static c2c_err
render(const json_t *r, struct c2c_buf *out, bool html, struct c2c_diag *diag)
{
	struct doc d = { out, html, C2C_OK, 0 };
	char t[512];
	if (!json_is_object(r) || !json_is_array(json_object_get(r, "findings")) ||
	    json_object_get(r, "scope") == NULL)
		return c2c_diag_set(diag, C2C_EINVAL, "report.json", 0,
		    "not a c2chain report (needs scope and findings)");
	(void)snprintf(t, sizeof(t), "c2chain report: %s",
	    s_of(json_object_get(r, "case"), "title")[0] ? s_of(json_object_get(r, "case"), "title")
							  : "case");
	if (html) {
		d.rc = c2c_buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
					 "<title>");
		if (d.rc == C2C_OK)
			d.rc = c2c__html_escape(out, t);
		if (d.rc == C2C_OK)
			d.rc = c2c_buf_adds(out,
			    "</title><style>\n"
			    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;max-width:"
			    "1100px;margin:2em auto;padding:0 1em;color:#1b1f24}\n"
			    "h1{font-size:1.6em}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em;"
			    "margin-top:2em}\n"
			    "table{border-collapse:collapse;margin:1em 0;font-size:13px}th,td{border:1px "
			    "solid #d0d7de;padding:3px 7px;text-align:left;vertical-align:top}"
			    "th{background:#f6f8fa}\n"
			    "pre{background:#f6f8fa;padding:.7em;overflow-x:auto;font-size:12px}\n"
			    "figure.chart{margin:1em 0}figcaption{font-size:12px;color:#57606a}\n"
			    ".bar{fill:#0969da}.cell{fill:#cf222e}.span{fill:#8c959f}.tick{stroke:#cf222e}"
			    ".axis{stroke:#57606a}.lbl{font-size:11px;fill:#1b1f24}.val{font-size:11px;"
			    "fill:#1b1f24}\n"
			    "</style></head><body>\n<h1>");
		if (d.rc == C2C_OK)
			d.rc = c2c__html_escape(out, t);
		if (d.rc == C2C_OK)
			d.rc = c2c_buf_adds(out, "</h1>\n");
	} else {
		doc_heading(&d, 1, "top", t);
	}
	{
		const json_t *c = json_object_get(r, "case");
		if (json_string_value(json_object_get(c, "question")) != NULL)
			doc_kv(&d, "Question:", s_of(c, "question"));
	}
	sec_summary(&d, r);
	sec_scope(&d, r);
	sec_findings(&d, r);
	sec_infra(&d, r);
	sec_matrix(&d, r);
	sec_hypotheses(&d, r);
	sec_gaps(&d, r);
	sec_appendix(&d, r);
	sec_verify(&d, r);
	if (html && d.rc == C2C_OK)
		d.rc = c2c_buf_adds(out, "</body></html>\n");
	return d.rc;
}

c2c_err
c2c_report_markdown(const json_t *report, struct c2c_buf *out, struct c2c_diag *diag)
{
	return render(report, out, false, diag);
}

c2c_err
c2c_report_html(const json_t *report, struct c2c_buf *out, struct c2c_diag *diag)
{
	return render(report, out, true, diag);
}

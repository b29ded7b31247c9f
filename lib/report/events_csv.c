/*
 * Shadowserver sinkhole-event CSV (anchors.md §8) from L1 findings and infrastructure objects.
 * Findings are reduced to one row per (host, endpoint, port): the rows are collected in an
 * array, sorted by (host, endpoint, port) to merge, then by the output key to print.
 */
#include "c2chain/events.h"

#include <stdlib.h>
#include <string.h>

static const char header[] =
    "timestamp,protocol,src_ip,src_port,src_asn,src_geo,src_region,src_city,src_hostname,"
    "src_naics,src_sector,device_vendor,device_type,device_model,dst_ip,dst_port,dst_asn,"
    "dst_geo,dst_region,dst_city,dst_hostname,dst_naics,dst_sector,public_source,infection,"
    "family,tag,application,version,event_id";

const char *
c2c_events_csv_header(void)
{
	return header;
}

enum { T_INTEL = 1, T_BEACON = 2, T_LONG = 4, T_DNS = 8 };

struct ev_row {
	struct c2c_ip host, peer;
	int32_t port; /* -1 none */
	c2c_time first;
	unsigned types;
	const char *id;     /* smallest id, borrowed from the findings */
	const char *label;  /* smallest label, borrowed */
	const char *proto;  /* borrowed */
};

static int
merge_cmp(const void *x, const void *y)
{
	const struct ev_row *a = x, *b = y;
	int c = c2c_ip_cmp(&a->host, &b->host);
	if (c == 0)
		c = c2c_ip_cmp(&a->peer, &b->peer);
	if (c == 0 && a->port != b->port)
		c = a->port < b->port ? -1 : 1;
	return c;
}

static int
out_cmp(const void *x, const void *y)
{
	const struct ev_row *a = x, *b = y;
	int c;
	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	c = c2c_ip_cmp(&a->host, &b->host);
	if (c == 0)
		c = c2c_ip_cmp(&a->peer, &b->peer);
	if (c == 0 && a->port != b->port)
		c = a->port < b->port ? -1 : 1;
	return c;
}

static c2c_err
field(struct c2c_buf *b, const char *s, bool last)
{
	c2c_err rc = C2C_OK;
	if (s != NULL && strpbrk(s, ",\"\r\n") != NULL) {
		rc = c2c_buf_addc(b, '"');
		for (const char *p = s; *p && rc == C2C_OK; p++)
			rc = *p == '"' ? c2c_buf_adds(b, "\"\"") : c2c_buf_addc(b, *p);
		if (rc == C2C_OK)
			rc = c2c_buf_addc(b, '"');
	} else if (s != NULL) {
		rc = c2c_buf_adds(b, s);
	}
	if (rc == C2C_OK)
		rc = c2c_buf_addc(b, last ? '\n' : ',');
	return rc;
}

static const json_t *
infra_for(const json_t *infra, const char *ip)
{
	size_t i;
	json_t *v;
	json_array_foreach(infra, i, v) {
		const char *s = json_string_value(json_object_get(json_object_get(v, "subject"), "ip"));
		if (s != NULL && strcmp(s, ip) == 0)
			return v;
	}
	return NULL;
}

static c2c_err
write_row(struct c2c_buf *b, const struct ev_row *r, const json_t *infra,
    const struct c2c_infra_opts *o)
{
	char ts[40], host[C2C_IP_STRLEN], peer[C2C_IP_STRLEN], port[16], sasn[24] = "", dasn[24] = "",
	    scc[3] = "", tag[160];
	const char *dcc = "", *dhost = "", *role = NULL;
	const json_t *io = NULL;
	size_t tl = 0;
	c2c_err rc = C2C_OK;

	(void)c2c_time_format_iso(r->first, ts, sizeof(ts));
	ts[10] = ' ';
	ts[19] = '\0'; /* "YYYY-MM-DD HH:MM:SS" */
	(void)c2c_ip_format(&r->host, host, sizeof(host));
	(void)c2c_ip_format(&r->peer, peer, sizeof(peer));
	if (r->port >= 0)
		(void)snprintf(port, sizeof(port), "%d", (int)r->port);
	else
		port[0] = '\0';
	if (o != NULL) {
		char cc[3];
		(void)c2c_infra_host_country(o, &r->host, cc);
		if (strcmp(cc, "??") != 0)
			memcpy(scc, cc, 3);
		if (o->geo != NULL) {
			struct c2c_geo_result g;
			rc = c2c_geo_lookup(o->geo, &r->host, &g);
			if (rc != C2C_OK)
				return rc;
			if (g.asn != 0)
				(void)snprintf(sasn, sizeof(sasn), "%u", (unsigned)g.asn);
		}
	}
	if (infra != NULL)
		io = infra_for(infra, peer);
	if (io != NULL) {
		const json_t *res = json_object_get(io, "result");
		json_int_t asn = json_integer_value(json_object_get(res, "asn"));
		const char *cc = json_string_value(json_object_get(res, "country"));
		const char *fq = json_string_value(json_array_get(json_object_get(res, "fqdns"), 0));
		if (asn > 0)
			(void)snprintf(dasn, sizeof(dasn), "%lld", (long long)asn);
		if (cc != NULL && strcmp(cc, "??") != 0)
			dcc = cc;
		if (fq != NULL)
			dhost = fq;
		role = json_string_value(json_object_get(res, "role"));
	}
	tag[0] = '\0';
	static const struct {
		unsigned bit;
		const char *name;
	} types[] = { { T_BEACON, "beacon" }, { T_DNS, "dns-tunnel" }, { T_INTEL, "intel-hit" },
		{ T_LONG, "long-connection" } };
	for (size_t i = 0; i < C2C_ARRAY_LEN(types); i++)
		if (r->types & types[i].bit)
			tl += (size_t)snprintf(tag + tl, sizeof(tag) - tl, "%s%s", tl ? ";" : "",
			    types[i].name);
	if (role != NULL && tl < sizeof(tag))
		(void)snprintf(tag + tl, sizeof(tag) - tl, ";role:%s", role);
	{
		const char *cols[30] = { ts, r->proto, host, "", sasn, scc, "", "", "", "", "", "",
			"", "", peer, port, dasn, dcc, "", "", dhost, "", "", "c2chain", r->label,
			r->label, tag, "", "", r->id };
		for (int i = 0; i < 30 && rc == C2C_OK; i++)
			rc = field(b, cols[i], i == 29);
	}
	return rc;
}

c2c_err
c2c_events_csv(const json_t *findings, const json_t *infrastructure,
    const struct c2c_infra_opts *o, struct c2c_buf *out, struct c2c_diag *diag)
{
	size_t nf = json_array_size(findings), n = 0, u = 0;
	struct ev_row *rows = c2c_reallocarray(NULL, nf + 1, sizeof(*rows));
	c2c_err rc = C2C_OK;

	if (rows == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < nf; i++) {
		const json_t *f = json_array_get(findings, i);
		const json_t *subj = json_object_get(f, "subject"), *res = json_object_get(f, "result");
		const char *type = json_string_value(json_object_get(f, "type"));
		const char *id = json_string_value(json_object_get(f, "id"));
		const char *hs = json_string_value(json_object_get(subj, "host"));
		const char *ps = json_string_value(json_object_get(subj, "peer"));
		const char *fs = json_string_value(json_object_get(f, "first_seen"));
		const json_t *pp = json_object_get(subj, "peer_port"), *lab;
		struct ev_row *r = &rows[n];
		unsigned t;
		if (type == NULL || id == NULL || hs == NULL || ps == NULL)
			continue;
		t = strcmp(type, "intel-hit") == 0	  ? T_INTEL
		    : strcmp(type, "beacon") == 0	  ? T_BEACON
		    : strcmp(type, "long-connection") == 0 ? T_LONG
		    : strcmp(type, "dns-tunnel") == 0	  ? T_DNS
							  : 0;
		if (t == 0)
			continue;
		memset(r, 0, sizeof(*r));
		if (c2c_ip_parse(&r->host, hs) != C2C_OK || c2c_ip_parse(&r->peer, ps) != C2C_OK) {
			rc = c2c_diag_set(diag, C2C_EFORMAT, id, 0, "bad subject address");
			goto out;
		}
		if (t == T_DNS && c2c_ip_is_private(&r->peer))
			continue; /* the resolver, not a C2 endpoint (as in the infrastructure) */
		r->first = 0; /* unknown times sort first, printed as 1970-01-01 00:00:00 */
		if (fs != NULL && c2c_time_parse(&r->first, fs, strlen(fs)) != C2C_OK) {
			rc = c2c_diag_set(diag, C2C_EFORMAT, id, 0, "bad first_seen");
			goto out;
		}
		r->port = json_is_integer(pp) && json_integer_value(pp) >= 0 &&
			json_integer_value(pp) <= 65535
		    ? (int32_t)json_integer_value(pp)
		    : -1;
		r->types = t;
		r->id = id;
		r->proto = json_string_value(json_object_get(subj, "proto"));
		if (r->proto == NULL)
			r->proto = json_string_value(json_object_get(res, "proto"));
		lab = json_array_get(json_object_get(res, "labels"), 0);
		r->label = t == T_INTEL ? json_string_value(lab) : NULL;
		if (t == T_INTEL && r->label == NULL)
			r->label = json_string_value(json_object_get(res, "family"));
		n++;
	}
	if (n > 1)
		qsort(rows, n, sizeof(*rows), merge_cmp);
	for (size_t i = 0; i < n; i++) {
		struct ev_row *d;
		if (u > 0 && merge_cmp(&rows[u - 1], &rows[i]) == 0) {
			d = &rows[u - 1];
			d->types |= rows[i].types;
			if (rows[i].first < d->first)
				d->first = rows[i].first;
			if (strcmp(rows[i].id, d->id) < 0)
				d->id = rows[i].id;
			if (rows[i].label != NULL && (d->label == NULL || strcmp(rows[i].label, d->label) < 0))
				d->label = rows[i].label;
			if (d->proto == NULL)
				d->proto = rows[i].proto;
			continue;
		}
		rows[u++] = rows[i];
	}
	if (u > 1)
		qsort(rows, u, sizeof(*rows), out_cmp);
	rc = c2c_buf_adds(out, header);
	if (rc == C2C_OK)
		rc = c2c_buf_addc(out, '\n');
	for (size_t i = 0; i < u && rc == C2C_OK; i++)
		rc = write_row(out, &rows[i], infrastructure, o);
out:
	c2c_free(rows);
	return rc;
}

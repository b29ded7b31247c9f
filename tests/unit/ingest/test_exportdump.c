/*
 * Record dumper used by the telemetry conformance tests (tests/conformance/test_netflow_*,
 * test_pmacct, test_ipfixcol2, test_zed_dns, test_rita_logs), and its own unit test.
 *
 *   test_exportdump                    self-test (CTest)
 *   test_exportdump raw FILE...        each file is one export datagram from one exporter
 *                                      (templates shared across files): one JSON line per
 *                                      data record with every raw element
 *   test_exportdump stream FILE...     the same, each file a stream of messages
 *   test_exportdump flows PATH...      c2c_ingest_file on each input (directories expanded with
 *                                      c2c_ingest_expand): one JSON line per flow and
 *                                      observation, then one {"stats":...} line per input
 *
 * Output is JSON lines (jansson), so the Python side compares field by field.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/export.h"
#include "test.h"

static json_t *
j_ip(const struct c2c_ip *ip)
{
	char b[C2C_IP_STRLEN];
	if (ip->family == 0)
		return json_null();
	return json_string(c2c_ip_format(ip, b, sizeof(b)));
}

static json_t *
j_ev(const struct c2c_evref *e)
{
	return json_pack("{sI sI sI sI}", "input", (json_int_t)e->input, "rec", (json_int_t)e->rec,
	    "off", (json_int_t)e->off, "len", (json_int_t)e->len);
}

static json_t *
j_flow(const struct c2c_flow *f)
{
	json_t *o = json_object();
	json_object_set_new(o, "src", json_integer(f->src));
	json_object_set_new(o, "ts", json_integer(f->ts));
	json_object_set_new(o, "last", json_integer(f->last));
	json_object_set_new(o, "orig", j_ip(&f->orig));
	json_object_set_new(o, "resp", j_ip(&f->resp));
	json_object_set_new(o, "orig_port", json_integer(f->orig_port));
	json_object_set_new(o, "resp_port", json_integer(f->resp_port));
	json_object_set_new(o, "proto", json_integer(f->proto));
	json_object_set_new(o, "have", json_integer(f->have));
	json_object_set_new(o, "state", json_string(c2c_conn_state_name(f->state)));
	json_object_set_new(o, "orig_pkts", json_integer((json_int_t)f->orig_pkts));
	json_object_set_new(o, "resp_pkts", json_integer((json_int_t)f->resp_pkts));
	json_object_set_new(o, "orig_ip_bytes", json_integer((json_int_t)f->orig_ip_bytes));
	json_object_set_new(o, "resp_ip_bytes", json_integer((json_int_t)f->resp_ip_bytes));
	json_object_set_new(o, "orig_bytes", json_integer((json_int_t)f->orig_bytes));
	json_object_set_new(o, "resp_bytes", json_integer((json_int_t)f->resp_bytes));
	json_object_set_new(o, "sampling", json_integer(f->sampling));
	json_object_set_new(o, "vlan", json_integer(f->vlan));
	json_object_set_new(o, "uid", json_string(f->uid));
	json_object_set_new(o, "history", json_string(f->history));
	json_object_set_new(o, "service", json_string(f->service));
	json_object_set_new(o, "first_ev", j_ev(&f->first_ev));
	json_object_set_new(o, "tmpl_ev", j_ev(&f->tmpl_ev));
	json_object_set_new(o, "exporter", j_ip(&f->exporter));
	json_object_set_new(o, "obs_domain", json_integer(f->obs_domain));
	return o;
}

static json_t *
j_obs(const struct c2c_obs *ob)
{
	json_t *o = json_object(), *u;
	json_object_set_new(o, "kind", json_integer(ob->kind));
	json_object_set_new(o, "ts", json_integer(ob->ts));
	json_object_set_new(o, "orig", j_ip(&ob->orig));
	json_object_set_new(o, "resp", j_ip(&ob->resp));
	json_object_set_new(o, "orig_port", json_integer(ob->orig_port));
	json_object_set_new(o, "resp_port", json_integer(ob->resp_port));
	json_object_set_new(o, "proto", json_integer(ob->proto));
	json_object_set_new(o, "uid", json_string(ob->uid));
	json_object_set_new(o, "ev", j_ev(&ob->ev));
	switch (ob->kind) {
	case C2C_OBS_DNS: {
		const struct c2c_dns *d = &ob->u.dns;
		json_t *ans = json_array();
		for (unsigned i = 0; i < d->n_answers; i++) {
			const struct c2c_dns_answer *a = &d->answers[i];
			json_array_append_new(ans, json_pack("{si si so ss}", "type", a->type,
			    "ttl", (int)a->ttl, "ip", j_ip(&a->ip), "text", a->text));
		}
		u = json_pack("{si si si si sb sb sb sb sb ss so sb sI}", "trans_id", d->trans_id,
		    "qtype", d->qtype, "qclass", d->qclass, "rcode", d->rcode, "is_response",
		    d->is_response, "aa", d->aa, "tc", d->tc, "rd", d->rd, "ra", d->ra, "query",
		    d->query, "answers", ans, "answers_truncated", d->answers_truncated, "rtt",
		    (json_int_t)d->rtt);
		break;
	}
	case C2C_OBS_TLS: {
		const struct c2c_tls *t = &ob->u.tls;
		char hex[65];
		u = json_pack("{si ss ss ss sb ss}", "version", t->version, "sni", t->sni, "ja3",
		    t->ja3, "ja3s", t->ja3s, "have_cert", t->have_cert, "cert_sha256",
		    t->have_cert ? c2c_hex(t->cert_sha256, 32, hex) : "");
		break;
	}
	case C2C_OBS_HTTP: {
		const struct c2c_http *h = &ob->u.http;
		u = json_pack("{ss ss ss ss si sb}", "method", h->method, "host", h->host, "uri",
		    h->uri, "user_agent", h->user_agent, "status", h->status, "proxy", h->proxy);
		break;
	}
	default:
		u = json_null();
	}
	json_object_set_new(o, "u", u);
	return o;
}

static void
print_line(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	if (s != NULL) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
	json_decref(o);
}

/* ---- raw mode ----------------------------------------------------------------------------- */

static void
view_cb(void *ctx, const struct c2c_exp_view *v)
{
	json_t *o = json_object(), *el = json_array();
	char hex[2 * 65535 + 1];
	(void)ctx;
	json_object_set_new(o, "v", json_integer(v->version));
	json_object_set_new(o, "set", json_integer(v->set_id));
	json_object_set_new(o, "domain", json_integer(v->domain));
	json_object_set_new(o, "options", json_boolean(v->t != NULL && v->t->options));
	json_object_set_new(o, "ev", j_ev(v->ev));
	for (uint16_t i = 0; v->t != NULL && i < v->t->n; i++) {
		c2c_hex(v->val[i], v->vlen[i], hex);
		json_array_append_new(el, json_pack("[I i s]", (json_int_t)v->t->f[i].pen,
		    (int)v->t->f[i].id, hex));
	}
	json_object_set_new(o, "el", el);
	json_object_set_new(o, "flow", v->flow != NULL ? j_flow(v->flow) : json_null());
	print_line(o);
}

static json_t *
j_stats(const struct c2c_ingest_stats *st)
{
	json_t *o = json_object();
	for (unsigned i = 0; i < C2C_ST__COUNT; i++) {
		if (st->n[i] != 0)
			json_object_set_new(o, c2c_stat_name((enum c2c_stat)i),
			    json_integer((json_int_t)st->n[i]));
	}
	return o;
}

static int
raw_mode(int argc, char **argv, bool stream)
{
	struct c2c_exp *x = c2c__exp_new();
	struct c2c_ingest_stats st;
	struct c2c_input_info info;
	struct c2c_exp_out out;
	struct c2c_ip exporter;
	int rc = 0;

	memset(&st, 0, sizeof(st));
	memset(&info, 0, sizeof(info));
	memset(&out, 0, sizeof(out));
	memset(&exporter, 0, sizeof(exporter));
	c2c_ip_from_v4(&exporter, 0x7f000001);
	out.st = &st;
	out.info = &info;
	out.view = view_cb;
	for (int i = 0; i < argc; i++) {
		size_t len, off = 0;
		uint8_t *p = (uint8_t *)test_read_file(argv[i], &len);
		if (p == NULL) {
			fprintf(stderr, "cannot read %s\n", argv[i]);
			rc = 1;
			continue;
		}
		out.input = (uint32_t)i;
		if (!stream) {
			/* one file = one datagram, as a collector receives it */
			if (c2c__exp_message(x, &exporter, p, len, 0, &out) != C2C_OK)
				rc = 1;
			off = len;
		}
		while (off < len) {
			size_t ml = c2c__exp_msg_len(p + off, len - off);
			if (ml == 0) {
				st.n[C2C_ST_NF_MALFORMED]++;
				break;
			}
			if (c2c__exp_message(x, &exporter, p + off, ml, off, &out) != C2C_OK)
				rc = 1;
			off += ml;
		}
		free(p);
	}
	print_line(json_pack("{so sI sI}", "stats", j_stats(&st), "loss", (json_int_t)info.loss,
	    "templates", (json_int_t)c2c__exp_templates(x)));
	c2c__exp_free(x);
	return rc;
}

/* ---- flows mode --------------------------------------------------------------------------- */

static c2c_err
flow_cb(void *ctx, const struct c2c_flow *f)
{
	(void)ctx;
	print_line(json_pack("{so}", "flow", j_flow(f)));
	return C2C_OK;
}

static c2c_err
obs_cb(void *ctx, const struct c2c_obs *o)
{
	(void)ctx;
	print_line(json_pack("{so}", "obs", j_obs(o)));
	return C2C_OK;
}

static int
flows_mode(int argc, char **argv)
{
	struct c2c_sink sink = { NULL, flow_cb, obs_cb };
	uint32_t input = 0;
	int rc = 0;

	for (int i = 0; i < argc; i++) {
		char **paths = NULL;
		size_t n = 0;
		struct c2c_diag diag;
		memset(&diag, 0, sizeof(diag));
		if (c2c_ingest_expand(argv[i], &paths, &n, &diag) != C2C_OK) {
			fprintf(stderr, "expand %s: %s\n", argv[i], diag.msg);
			return 1;
		}
		for (size_t k = 0; k < n; k++) {
			struct c2c_ingest_stats st;
			struct c2c_input_info info;
			char msg[512];
			c2c_err e;
			memset(&st, 0, sizeof(st));
			memset(&diag, 0, sizeof(diag));
			e = c2c_ingest_file(paths[k], input++, NULL, &sink, &info, &st, &diag);
			(void)c2c_diag_format(&diag, e, msg, sizeof(msg));
			if (e != C2C_OK) {
				fprintf(stderr, "%s\n", msg);
				rc = 1;
				continue;
			}
			print_line(json_pack("{ss so s{sI sI sI sI sI} ss}", "path", paths[k],
			    "stats", j_stats(&st), "info", "records", (json_int_t)info.records,
			    "malformed", (json_int_t)info.malformed, "loss", (json_int_t)info.loss,
			    "sampling", (json_int_t)info.sampling, "n_deps", (json_int_t)info.n_deps,
			    "diag", diag.msg[0] ? msg : ""));
		}
		c2c_ingest_expand_free(paths, n);
	}
	return rc;
}

/* ---- self-test ---------------------------------------------------------------------------- */

static int n_views;
static char last_el[256];

static void
count_view(void *ctx, const struct c2c_exp_view *v)
{
	(void)ctx;
	n_views++;
	if (v->t != NULL && v->t->n > 0)
		(void)snprintf(last_el, sizeof(last_el), "%u:%u:%u", v->t->f[0].pen, v->t->f[0].id,
		    v->vlen[0]);
}

static void
view_sees_every_field(void)
{
	/* IPFIX: template 256 = { enterprise 9:1 (2 bytes), sourceIPv4Address }, one record */
	static const uint8_t msg[] = {
		0, 10, 0, 46, 0x5f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0, 2, 0, 20, 1, 0, 0, 2, 0x80, 1, 0, 2, 0, 0, 0, 9, 0, 8, 0, 4,
		1, 0, 0, 10, 0xab, 0xcd, 10, 0, 0, 1,
	};
	struct c2c_exp *x = c2c__exp_new();
	struct c2c_ingest_stats st;
	struct c2c_exp_out out;
	ASSERT_NONNULL(x);
	memset(&st, 0, sizeof(st));
	memset(&out, 0, sizeof(out));
	out.st = &st;
	out.view = count_view;
	ASSERT_OK(c2c__exp_message(x, NULL, msg, sizeof(msg), 0, &out));
	ASSERT_EQ(n_views, 1);
	ASSERT_STR_EQ(last_el, "9:1:2");
	ASSERT_U64_EQ(st.n[C2C_ST_NF_UNKNOWN_FIELDS], 1);
	ASSERT_U64_EQ(st.n[C2C_ST_NF_MALFORMED], 0);
	c2c__exp_free(x);
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "raw") == 0)
		return raw_mode(argc - 2, argv + 2, false);
	if (argc >= 2 && strcmp(argv[1], "stream") == 0)
		return raw_mode(argc - 2, argv + 2, true);
	if (argc >= 2 && strcmp(argv[1], "flows") == 0)
		return flows_mode(argc - 2, argv + 2);
	test_init();
	view_sees_every_field();
	printf("%s: 1 tests passed\n", __FILE__);
	return 0;
}

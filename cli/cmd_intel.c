/*
 * c2chain intel: load threat-intel feeds and report on them (check), or match them against
 * values and input files (match). See docs/intel.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c2chain/intel.h"
#include "c2chain/intelhit.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_intel;

static const char usage_text[] =
    "usage: c2chain intel check [options] FEED...\n"
    "       c2chain intel match -i FEED [-i FEED]... [options] [-q FILE] [--query VALUE]... "
    "[INPUT...]\n"
    "\n"
    "check: load every FEED (file, or MISP feed folder with manifest.json) and print per feed\n"
    "its kind, SHA-256, entries, indicators by type, unsupported and malformed entries and\n"
    "duplicates; then totals by type and by feed kind, values present in more than one feed,\n"
    "indicators that fall on an allow-list (MISP warninglists, or feeds given with --allow),\n"
    "and every unsupported or malformed entry with its file and line or object id.\n"
    "Exit status 65 when a file is malformed (the message names file and line); the other\n"
    "feeds are still checked.\n"
    "\n"
    "match: load the feeds given with -i (and allow-lists with -a), then print one JSON line\n"
    "per match: for each value given with --query or read from -q FILE (one value per line,\n"
    "optionally followed by a time, epoch seconds or ISO 8601), and for every flow endpoint,\n"
    "DNS query and answer, TLS SNI and HTTP Host/URL of each INPUT (any format c2chain\n"
    "ingests). A value that is also on an allow-list is reported with \"suppressed_by\".\n"
    "\n"
    "options:\n"
    "  -k, --kind KIND     read FEEDs (check) or -i feeds (match) as KIND instead of detecting:\n"
    "                      plain feodo-csv threatfox-csv threatfox-json maltrail firehol\n"
    "                      misp-event misp-feed stix warninglist suricata-iprep\n"
    "                      suricata-dataset other\n"
    "  -A, --allow FEED    (check) also load FEED as an allow-list\n"
    "  -a FEED             (match) load FEED as an allow-list\n"
    "  -i FEED             (match) load FEED as indicators (repeatable)\n"
    "  -q FILE             (match) values to look up, one per line ('-' = stdin)\n"
    "      --query VALUE   (match) one value to look up (repeatable)\n"
    "      --at TIME       (match) time for queries without one (default: none, validity\n"
    "                      windows ignored)\n"
    "      --no-time       (match) ignore validity windows for INPUT records too\n"
    "      --findings      (match) print the aggregated intel-hit findings of the INPUTs\n"
    "                      instead of one line per match\n"
    "      --json          (check) print one canonical JSON object instead of text\n"
    "      --dump          (check) --json, plus every indicator with its provenance and labels\n"
    "      --notes N       (check) print at most N notes per feed (default 20, 0 = all)\n"
    "  -h, --help          show this help\n";

static void
put_json_line(json_t *v)
{
	struct c2c_buf b;
	c2c_buf_init(&b, (size_t)1 << 30);
	if (c2c_json_canon(v, &b) == C2C_OK && c2c_buf_cstr(&b) != NULL)
		printf("%s\n", (const char *)b.data);
	c2c_buf_fini(&b);
}

static void
indicator_value(const struct c2c_indicator *ind, char *buf, size_t len)
{
	if (ind->value != NULL) {
		(void)snprintf(buf, len, "%s", ind->value);
		return;
	}
	char ip[C2C_IP_STRLEN];
	c2c_ip_format(&ind->ip, ip, sizeof(ip));
	if (ind->type == C2C_IOC_CIDR)
		(void)snprintf(buf, len, "%s/%u", ip, ind->prefix);
	else if (ind->port != 0 && ind->ip.family == 6)
		(void)snprintf(buf, len, "[%s]:%u", ip, ind->port);
	else if (ind->port != 0)
		(void)snprintf(buf, len, "%s:%u", ip, ind->port);
	else
		(void)snprintf(buf, len, "%s", ip);
}

static json_t *
indicator_json(const struct c2c_intel *in, uint32_t id)
{
	struct c2c_indicator ind;
	struct c2c_feed_info fi;
	char v[2100], hex[65];
	c2c_intel_indicator(in, id, &ind);
	c2c_intel_feed(in, ind.feed, &fi);
	indicator_value(&ind, v, sizeof(v));
	json_t *o = json_object(), *labels = json_array();
	json_object_set_new(o, "type", json_string(c2c_ioc_type_name(ind.type)));
	json_object_set_new(o, "value", json_string(v));
	if (ind.port)
		json_object_set_new(o, "port", json_integer(ind.port));
	json_object_set_new(o, "feed", json_string(fi.name));
	json_object_set_new(o, "feed_sha256", json_string(c2c_hex(fi.sha256, 32, hex)));
	if (ind.object != NULL)
		json_object_set_new(o, "object", json_string(ind.object));
	else
		json_object_set_new(o, "line", json_integer((json_int_t)ind.line));
	if (ind.score >= 0)
		json_object_set_new(o, "score", json_integer(ind.score));
	char tb[40];
	if (ind.valid_from != C2C_TIME_NONE)
		json_object_set_new(o, "valid_from",
		    json_string(c2c_time_format_iso(ind.valid_from, tb, sizeof(tb))));
	if (ind.valid_until != C2C_TIME_NONE)
		json_object_set_new(o, "valid_until",
		    json_string(c2c_time_format_iso(ind.valid_until, tb, sizeof(tb))));
	for (size_t i = 0; i < ind.n_labels; i++) {
		json_t *l = json_object();
		json_object_set_new(l, "type", json_string(c2c_label_type_name(ind.labels[i].type)));
		json_object_set_new(l, "value", json_string(ind.labels[i].value));
		json_array_append_new(labels, l);
	}
	json_object_set_new(o, "labels", labels);
	return o;
}

/* ---- check ----------------------------------------------------------------------------------- */

static void
print_feed_text(const struct c2c_feed_info *fi)
{
	char hex[65];
	printf("feed %s\n  name %s  kind %s%s  sha256 %s  size %llu\n", fi->path, fi->name,
	    c2c_feed_kind_name(fi->kind), fi->allow ? " (allow-list)" : "",
	    c2c_hex(fi->sha256, 32, hex), (unsigned long long)fi->size);
	printf("  entries %llu  indicators %llu (", (unsigned long long)fi->entries,
	    (unsigned long long)fi->indicators);
	bool first = true;
	for (int t = 1; t < C2C_IOC__COUNT; t++) {
		if (fi->by_type[t] == 0)
			continue;
		printf("%s%s %llu", first ? "" : ", ", c2c_ioc_type_name((enum c2c_ioc_type)t),
		    (unsigned long long)fi->by_type[t]);
		first = false;
	}
	printf(")  unsupported %llu  malformed %llu  duplicates %llu\n",
	    (unsigned long long)fi->unsupported, (unsigned long long)fi->malformed,
	    (unsigned long long)fi->duplicates);
}

static json_t *
feed_json(const struct c2c_feed_info *fi)
{
	char hex[65];
	json_t *o = json_object(), *bt = json_object();
	json_object_set_new(o, "path", json_string(fi->path));
	json_object_set_new(o, "name", json_string(fi->name));
	json_object_set_new(o, "kind", json_string(c2c_feed_kind_name(fi->kind)));
	json_object_set_new(o, "allow", json_boolean(fi->allow));
	json_object_set_new(o, "sha256", json_string(c2c_hex(fi->sha256, 32, hex)));
	json_object_set_new(o, "size", json_integer((json_int_t)fi->size));
	json_object_set_new(o, "entries", json_integer((json_int_t)fi->entries));
	json_object_set_new(o, "indicators", json_integer((json_int_t)fi->indicators));
	json_object_set_new(o, "unsupported", json_integer((json_int_t)fi->unsupported));
	json_object_set_new(o, "malformed", json_integer((json_int_t)fi->malformed));
	json_object_set_new(o, "duplicates", json_integer((json_int_t)fi->duplicates));
	for (int t = 1; t < C2C_IOC__COUNT; t++)
		json_object_set_new(bt, c2c_ioc_type_name((enum c2c_ioc_type)t),
		    json_integer((json_int_t)fi->by_type[t]));
	json_object_set_new(o, "by_type", bt);
	return o;
}

/* Allow-list entries covering a block indicator's value. */
static size_t
allow_hits(const struct c2c_intel *in, const struct c2c_indicator *ind,
    struct c2c_intel_hit *hits, size_t cap, uint32_t *out)
{
	size_t n = 0, k = 0;
	switch (ind->type) {
	case C2C_IOC_IPV4:
	case C2C_IOC_IPV6:
	case C2C_IOC_CIDR:
		n = c2c_intel_match_ip(in, &ind->ip, ind->port, C2C_TIME_NONE, hits, cap);
		break;
	case C2C_IOC_DOMAIN:
	case C2C_IOC_DOMAIN_SUFFIX:
		n = c2c_intel_match_domain(in, ind->value, C2C_TIME_NONE, hits, cap);
		break;
	case C2C_IOC_URL: {
		char host[1024];
		const char *slash = strchr(ind->value, '/');
		size_t hl = slash ? (size_t)(slash - ind->value) : strlen(ind->value);
		if (hl >= sizeof(host))
			return 0;
		memcpy(host, ind->value, hl);
		host[hl] = '\0';
		n = c2c_intel_match_url(in, host, slash ? slash : "/", C2C_TIME_NONE, hits, cap);
		break;
	}
	default:
		return 0;
	}
	if (n > cap)
		n = cap;
	for (size_t i = 0; i < n; i++) {
		struct c2c_indicator a;
		c2c_intel_indicator(in, hits[i].id, &a);
		if (a.allow)
			out[k++] = hits[i].id;
	}
	return k;
}

static int
run_check(int argc, char **argv)
{
	static const struct option lo[] = { { "kind", required_argument, NULL, 'k' },
		{ "allow", required_argument, NULL, 'A' }, { "json", no_argument, NULL, 'j' },
		{ "notes", required_argument, NULL, 'n' }, { "dump", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	struct c2c_feed_opts fo = { C2C_FEED_AUTO, false, NULL };
	struct c2c_feed_opts ao = { C2C_FEED_AUTO, true, NULL };
	bool as_json = false, dump = false;
	long max_notes = 20;
	const char *allows[64];
	size_t n_allow = 0;
	int c, rc = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:A:h", lo, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (c2c_feed_kind_parse(optarg, &fo.kind) != C2C_OK)
				return cli_usage_error(&cli_cmd_intel, "unknown feed kind '%s'", optarg);
			break;
		case 'A':
			if (n_allow == C2C_ARRAY_LEN(allows))
				return cli_usage_error(&cli_cmd_intel, "too many --allow");
			allows[n_allow++] = optarg;
			break;
		case 'j':
			as_json = true;
			break;
		case 'n':
			max_notes = strtol(optarg, NULL, 10);
			break;
		case 'd':
			dump = true;
			as_json = true;
			break;
		default:
			return cli_usage_error(&cli_cmd_intel, "bad option");
		}
	}
	if (optind >= argc)
		return cli_usage_error(&cli_cmd_intel, "check needs at least one FEED");
	struct c2c_intel *in;
	c2c_err err;
	if ((err = c2c_intel_new(&in)) != C2C_OK)
		return cli_fail(err, NULL);
	for (int i = optind; i < argc; i++) {
		struct c2c_diag d;
		memset(&d, 0, sizeof(d));
		if ((err = c2c_intel_load(in, argv[i], &fo, &d)) != C2C_OK) {
			int code = cli_fail(err, &d);
			if (rc == 0 || code == EX_DATAERR)
				rc = code;
		}
	}
	for (size_t i = 0; i < n_allow; i++) {
		struct c2c_diag d;
		memset(&d, 0, sizeof(d));
		if ((err = c2c_intel_load(in, allows[i], &ao, &d)) != C2C_OK) {
			int code = cli_fail(err, &d);
			if (rc == 0 || code == EX_DATAERR)
				rc = code;
		}
	}
	if ((err = c2c_intel_freeze(in)) != C2C_OK) {
		c2c_intel_free(in);
		return cli_fail(err, NULL);
	}
	size_t nf = c2c_intel_feed_count(in);
	uint64_t by_type[C2C_IOC__COUNT] = { 0 }, by_kind[C2C_FEED__COUNT] = { 0 };
	uint64_t total = 0, unsup = 0, malf = 0, dups = 0;
	json_t *root = json_object(), *feeds = json_array(), *notes = json_array(),
	       *allowed = json_array();
	for (uint32_t i = 0; i < nf; i++) {
		struct c2c_feed_info fi;
		c2c_intel_feed(in, i, &fi);
		if (as_json)
			json_array_append_new(feeds, feed_json(&fi));
		else
			print_feed_text(&fi);
		for (int t = 0; t < C2C_IOC__COUNT; t++)
			by_type[t] += fi.by_type[t];
		if ((unsigned)fi.kind < C2C_FEED__COUNT)
			by_kind[fi.kind] += fi.indicators;
		total += fi.indicators;
		unsup += fi.unsupported;
		malf += fi.malformed;
		dups += fi.duplicates;
	}
	/* notes, grouped by feed in load order, at most max_notes per feed in text mode */
	size_t nn = c2c_intel_note_count(in);
	uint32_t cur = UINT32_MAX;
	long shown = 0;
	uint64_t hidden = 0;
	if (!as_json && nn > 0)
		printf("notes (unsupported or malformed entries):\n");
	for (size_t i = 0; i < nn; i++) {
		struct c2c_intel_note n;
		struct c2c_feed_info fi;
		c2c_intel_note(in, i, &n);
		c2c_intel_feed(in, n.feed, &fi);
		if (n.feed != cur) {
			cur = n.feed;
			shown = 0;
		}
		if (as_json) {
			json_t *o = json_object();
			json_object_set_new(o, "feed", json_string(fi.path));
			if (n.object)
				json_object_set_new(o, "object", json_string(n.object));
			else
				json_object_set_new(o, "line", json_integer((json_int_t)n.line));
			json_object_set_new(o, "kind", json_string(n.malformed ? "malformed" : "unsupported"));
			json_object_set_new(o, "reason", json_string(n.reason));
			json_object_set_new(o, "text", json_string(n.text));
			json_array_append_new(notes, o);
			continue;
		}
		if (max_notes > 0 && shown >= max_notes) {
			hidden++;
			continue;
		}
		shown++;
		if (n.object)
			printf("  %s:%s: %s: %s: %s\n", fi.path, n.object,
			    n.malformed ? "malformed" : "unsupported", n.reason, n.text);
		else
			printf("  %s:%llu: %s: %s: %s\n", fi.path, (unsigned long long)n.line,
			    n.malformed ? "malformed" : "unsupported", n.reason, n.text);
	}
	if (hidden > 0)
		printf("  ... %llu more notes (use --notes 0 to see all)\n", (unsigned long long)hidden);
	/* block indicators that fall on an allow-list */
	uint64_t n_allowed = 0;
	size_t ni = c2c_intel_indicator_count(in);
	struct c2c_intel_hit hits[64];
	for (uint32_t id = 0; id < ni; id++) {
		struct c2c_indicator ind;
		uint32_t al[64];
		c2c_intel_indicator(in, id, &ind);
		if (ind.allow)
			continue;
		size_t k = allow_hits(in, &ind, hits, 64, al);
		if (k == 0)
			continue;
		n_allowed++;
		if (as_json) {
			json_t *o = json_object(), *by = json_array();
			json_object_set_new(o, "indicator", indicator_json(in, id));
			for (size_t j = 0; j < k; j++)
				json_array_append_new(by, indicator_json(in, al[j]));
			json_object_set_new(o, "allowed_by", by);
			json_array_append_new(allowed, o);
		} else if (n_allowed <= 200) {
			struct c2c_feed_info fi;
			struct c2c_indicator a;
			char v[2100], av[2100];
			c2c_intel_feed(in, ind.feed, &fi);
			indicator_value(&ind, v, sizeof(v));
			c2c_intel_indicator(in, al[0], &a);
			indicator_value(&a, av, sizeof(av));
			struct c2c_feed_info af;
			c2c_intel_feed(in, a.feed, &af);
			if (ind.object)
				printf("allow-listed: %s (%s %s) on %s (%s)\n", v, fi.path, ind.object,
				    af.name, av);
			else
				printf("allow-listed: %s (%s:%llu) on %s (%s)\n", v, fi.path,
				    (unsigned long long)ind.line, af.name, av);
		}
	}
	if (as_json) {
		json_t *t = json_object(), *bt = json_object(), *bk = json_object();
		for (int i = 1; i < C2C_IOC__COUNT; i++)
			json_object_set_new(bt, c2c_ioc_type_name((enum c2c_ioc_type)i),
			    json_integer((json_int_t)by_type[i]));
		for (int i = 1; i < C2C_FEED__COUNT; i++)
			if (by_kind[i] > 0)
				json_object_set_new(bk, c2c_feed_kind_name((enum c2c_feed_kind)i),
				    json_integer((json_int_t)by_kind[i]));
		json_object_set_new(t, "indicators", json_integer((json_int_t)total));
		json_object_set_new(t, "by_type", bt);
		json_object_set_new(t, "by_kind", bk);
		json_object_set_new(t, "unsupported", json_integer((json_int_t)unsup));
		json_object_set_new(t, "malformed", json_integer((json_int_t)malf));
		json_object_set_new(t, "duplicates_in_feed", json_integer((json_int_t)dups));
		json_object_set_new(t, "duplicates_across_feeds",
		    json_integer((json_int_t)c2c_intel_duplicates_across(in)));
		json_object_set_new(t, "allow_listed", json_integer((json_int_t)n_allowed));
		json_object_set_new(root, "feeds", feeds);
		json_object_set_new(root, "totals", t);
		json_object_set_new(root, "notes", notes);
		json_object_set_new(root, "allow_listed", allowed);
		if (dump) {
			json_t *all = json_array();
			for (uint32_t id = 0; id < ni; id++) {
				json_t *o = indicator_json(in, id);
				struct c2c_indicator ind;
				c2c_intel_indicator(in, id, &ind);
				json_object_set_new(o, "allow", json_boolean(ind.allow));
				json_array_append_new(all, o);
			}
			json_object_set_new(root, "indicators", all);
		}
		put_json_line(root);
	} else {
		printf("totals: %zu feeds, %llu indicators (", nf, (unsigned long long)total);
		bool first = true;
		for (int i = 1; i < C2C_IOC__COUNT; i++) {
			if (by_type[i] == 0)
				continue;
			printf("%s%s %llu", first ? "" : ", ", c2c_ioc_type_name((enum c2c_ioc_type)i),
			    (unsigned long long)by_type[i]);
			first = false;
		}
		printf(")\nby source kind:");
		for (int i = 1; i < C2C_FEED__COUNT; i++)
			if (by_kind[i] > 0)
				printf(" %s %llu", c2c_feed_kind_name((enum c2c_feed_kind)i),
				    (unsigned long long)by_kind[i]);
		printf("\nunsupported %llu, malformed %llu, duplicates within feeds %llu, values in "
		       "more than one feed %llu, indicators on an allow-list %llu\n",
		    (unsigned long long)unsup, (unsigned long long)malf, (unsigned long long)dups,
		    (unsigned long long)c2c_intel_duplicates_across(in), (unsigned long long)n_allowed);
		json_decref(root);
		json_decref(feeds);
		json_decref(notes);
		json_decref(allowed);
		root = NULL;
	}
	json_decref(root);
	c2c_intel_free(in);
	return rc;
}

/* ---- match ----------------------------------------------------------------------------------- */

struct mctx {
	const struct c2c_intel *in;
	const char *input;
	bool raw;
};

static c2c_err
print_seen(void *ctx, const struct c2c_intel_seen *s)
{
	struct mctx *m = ctx;
	char buf[C2C_IP_STRLEN], tb[40];
	static const char *const hows[] = { "?", "exact", "prefix", "suffix", "substring" };
	if (!m->raw)
		return C2C_OK;
	json_t *o = json_object();
	json_object_set_new(o, "input", json_string(m->input));
	json_object_set_new(o, "where", json_string(c2c_seen_where_name(s->where)));
	json_object_set_new(o, "ts", json_string(c2c_time_format_iso(s->ts, tb, sizeof(tb))));
	json_object_set_new(o, "host", json_string(c2c_ip_format(&s->host, buf, sizeof(buf))));
	if (s->peer.family != 0)
		json_object_set_new(o, "peer", json_string(c2c_ip_format(&s->peer, buf, sizeof(buf))));
	if (s->peer_port != 0)
		json_object_set_new(o, "peer_port", json_integer(s->peer_port));
	if (s->fqdn != NULL && s->fqdn[0] != '\0')
		json_object_set_new(o, "fqdn", json_string(s->fqdn));
	json_object_set_new(o, "value", json_string(s->value));
	json_object_set_new(o, "match", json_string(hows[s->how < 5 ? s->how : 0]));
	json_t *ev = json_array();
	for (unsigned i = 0; i < s->n_ev; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "off", json_integer((json_int_t)s->ev[i].off));
		json_object_set_new(e, "len", json_integer(s->ev[i].len));
		if (s->ev[i].rec >= 0)
			json_object_set_new(e, "rec", json_integer(s->ev[i].rec));
		json_array_append_new(ev, e);
	}
	json_object_set_new(o, "records", ev);
	json_object_set_new(o, "indicator", indicator_json(m->in, s->indicator));
	if (s->suppressed) {
		json_t *by = json_array();
		for (unsigned i = 0; i < s->n_allow; i++)
			json_array_append_new(by, indicator_json(m->in, s->allow[i]));
		json_object_set_new(o, "suppressed_by", by);
	}
	put_json_line(o);
	json_decref(o);
	return C2C_OK;
}

/* One query value: address (with optional :port), name, or URL. */
static void
query_one(const struct c2c_intel *in, const char *v, c2c_time t, uint64_t line)
{
	struct c2c_intel_hit hits[256];
	size_t n = 0;
	struct c2c_ip ip;
	char host[1024];
	const char *p = v;
	const char *sep = strstr(v, "://");
	if (sep != NULL)
		p = sep + 3;
	const char *slash = strchr(p, '/');
	if (c2c_ip_parse(&ip, v) == C2C_OK) {
		n = c2c_intel_match_ip(in, &ip, 0, t, hits, 256);
	} else if (slash != NULL && sep != NULL) {
		size_t hl = (size_t)(slash - p);
		if (hl < sizeof(host)) {
			memcpy(host, p, hl);
			host[hl] = '\0';
			n = c2c_intel_match_url(in, host, slash, t, hits, 256);
		}
	} else if (slash != NULL) {
		size_t hl = (size_t)(slash - p);
		if (hl < sizeof(host)) {
			memcpy(host, p, hl);
			host[hl] = '\0';
			n = c2c_intel_match_url(in, host, slash, t, hits, 256);
		}
	} else {
		/* host:port or [v6]:port */
		const char *colon = strrchr(v, ':');
		size_t hl = colon ? (size_t)(colon - v) : 0;
		if (colon != NULL && hl < sizeof(host) && strchr(v, ':') == colon) {
			memcpy(host, v, hl);
			host[hl] = '\0';
			long port = strtol(colon + 1, NULL, 10);
			if (c2c_ip_parse(&ip, host) == C2C_OK && port > 0 && port < 65536)
				n = c2c_intel_match_ip(in, &ip, (uint16_t)port, t, hits, 256);
			else
				n = c2c_intel_match_domain(in, host, t, hits, 256);
		} else if (v[0] == '[' && colon != NULL && hl > 2 && hl - 2 < sizeof(host) &&
		    v[hl - 1] == ']') {
			memcpy(host, v + 1, hl - 2);
			host[hl - 2] = '\0';
			long port = strtol(colon + 1, NULL, 10);
			if (c2c_ip_parse(&ip, host) == C2C_OK && port > 0 && port < 65536)
				n = c2c_intel_match_ip(in, &ip, (uint16_t)port, t, hits, 256);
		} else {
			n = c2c_intel_match_domain(in, v, t, hits, 256);
		}
	}
	if (n > 256)
		n = 256;
	json_t *by = json_array();
	for (size_t i = 0; i < n; i++) {
		struct c2c_indicator ind;
		c2c_intel_indicator(in, hits[i].id, &ind);
		if (ind.allow)
			json_array_append_new(by, indicator_json(in, hits[i].id));
	}
	static const char *const hows[] = { "?", "exact", "prefix", "suffix", "substring" };
	for (size_t i = 0; i < n; i++) {
		struct c2c_indicator ind;
		c2c_intel_indicator(in, hits[i].id, &ind);
		if (ind.allow)
			continue;
		json_t *o = json_object();
		if (line > 0)
			json_object_set_new(o, "query_line", json_integer((json_int_t)line));
		json_object_set_new(o, "where", json_string("query"));
		json_object_set_new(o, "value", json_string(v));
		json_object_set_new(o, "match", json_string(hows[hits[i].how < 5 ? hits[i].how : 0]));
		json_object_set_new(o, "indicator", indicator_json(in, hits[i].id));
		if (json_array_size(by) > 0)
			json_object_set_new(o, "suppressed_by", json_incref(by));
		put_json_line(o);
		json_decref(o);
	}
	json_decref(by);
}

static int
query_file(const struct c2c_intel *in, const char *path, c2c_time at)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char line[4096];
	uint64_t no = 0;
	if (fp == NULL)
		return cli_err(EX_NOINPUT, "%s: cannot open", path);
	while (fgets(line, sizeof(line), fp) != NULL) {
		no++;
		size_t l = strlen(line);
		while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r'))
			line[--l] = '\0';
		char *v = line;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v == '\0' || *v == '#')
			continue;
		char *sp = strpbrk(v, " \t");
		c2c_time t = at;
		if (sp != NULL) {
			*sp++ = '\0';
			while (*sp == ' ' || *sp == '\t')
				sp++;
			if (*sp != '\0' && c2c_time_parse(&t, sp, strlen(sp)) != C2C_OK) {
				if (fp != stdin)
					fclose(fp);
				return cli_err(EX_DATAERR, "%s:%llu: bad time '%s'", path,
				    (unsigned long long)no, sp);
			}
		}
		query_one(in, v, t, no);
	}
	if (fp != stdin)
		fclose(fp);
	return 0;
}

static int
run_match(int argc, char **argv)
{
	enum { O_QUERY = 256, O_AT, O_NOTIME, O_FINDINGS };
	static const struct option lo[] = { { "kind", required_argument, NULL, 'k' },
		{ "query", required_argument, NULL, O_QUERY }, { "at", required_argument, NULL, O_AT },
		{ "no-time", no_argument, NULL, O_NOTIME },
		{ "findings", no_argument, NULL, O_FINDINGS }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	const char *feeds[256], *allows[256], *queries[256], *qfiles[16];
	size_t nfeeds = 0, nallow = 0, nq = 0, nqf = 0;
	struct c2c_feed_opts fo = { C2C_FEED_AUTO, false, NULL };
	c2c_time at = C2C_TIME_NONE;
	bool no_time = false, findings = false;
	int c, rc = 0;
	c2c_err err;
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:i:a:q:h", lo, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (c2c_feed_kind_parse(optarg, &fo.kind) != C2C_OK)
				return cli_usage_error(&cli_cmd_intel, "unknown feed kind '%s'", optarg);
			break;
		case 'i':
			if (nfeeds < 256)
				feeds[nfeeds++] = optarg;
			break;
		case 'a':
			if (nallow < 256)
				allows[nallow++] = optarg;
			break;
		case 'q':
			if (nqf < 16)
				qfiles[nqf++] = optarg;
			break;
		case O_QUERY:
			if (nq < 256)
				queries[nq++] = optarg;
			break;
		case O_AT:
			if (c2c_time_parse(&at, optarg, strlen(optarg)) != C2C_OK)
				return cli_usage_error(&cli_cmd_intel, "bad --at time '%s'", optarg);
			break;
		case O_NOTIME:
			no_time = true;
			break;
		case O_FINDINGS:
			findings = true;
			break;
		default:
			return cli_usage_error(&cli_cmd_intel, "bad option");
		}
	}
	if (nfeeds == 0)
		return cli_usage_error(&cli_cmd_intel, "match needs at least one -i FEED");
	if (nq == 0 && nqf == 0 && optind >= argc)
		return cli_usage_error(&cli_cmd_intel, "nothing to match: give --query, -q or INPUT");
	struct c2c_intel *in;
	if ((err = c2c_intel_new(&in)) != C2C_OK)
		return cli_fail(err, NULL);
	struct c2c_feed_opts ao = { fo.kind == C2C_FEED_WARNINGLIST ? fo.kind : C2C_FEED_AUTO, true,
		NULL };
	for (size_t i = 0; i < nfeeds + nallow; i++) {
		struct c2c_diag d;
		memset(&d, 0, sizeof(d));
		const char *p = i < nfeeds ? feeds[i] : allows[i - nfeeds];
		if ((err = c2c_intel_load(in, p, i < nfeeds ? &fo : &ao, &d)) != C2C_OK) {
			c2c_intel_free(in);
			return cli_fail(err, &d);
		}
	}
	if ((err = c2c_intel_freeze(in)) != C2C_OK) {
		c2c_intel_free(in);
		return cli_fail(err, NULL);
	}
	for (size_t i = 0; i < nq; i++)
		query_one(in, queries[i], at, 0);
	for (size_t i = 0; i < nqf && rc == 0; i++)
		rc = query_file(in, qfiles[i], at);
	int ninputs = argc - optind;
	if (rc == 0 && ninputs > 0) {
		struct c2c_intelhit *h;
		struct mctx m = { in, NULL, !findings };
		uint8_t(*dig)[32] = calloc((size_t)ninputs, 32);
		if (dig == NULL || (err = c2c_intelhit_new(in, &h)) != C2C_OK) {
			free(dig);
			c2c_intel_free(in);
			return cli_fail(C2C_ENOMEM, NULL);
		}
		c2c_intelhit_check_time(h, !no_time);
		c2c_intelhit_set_callback(h, print_seen, &m);
		struct c2c_sink sink;
		c2c_intelhit_sink(h, &sink);
		struct c2c_ingest_opts io;
		c2c_ingest_opts_default(&io);
		for (int i = 0; i < ninputs && rc == 0; i++) {
			struct c2c_input_info info;
			struct c2c_diag d;
			memset(&d, 0, sizeof(d));
			m.input = argv[optind + i];
			err = c2c_ingest_file(argv[optind + i], (uint32_t)i, &io, &sink, &info, NULL, &d);
			if (err != C2C_OK)
				rc = cli_fail(err, &d);
			else
				memcpy(dig[i], info.sha256, 32);
		}
		if (rc == 0 && findings) {
			json_t *fa, *sa;
			if ((err = c2c_intelhit_findings(h, (const uint8_t(*)[32])dig, (size_t)ninputs,
				 &fa, &sa)) != C2C_OK) {
				rc = cli_fail(err, NULL);
			} else {
				size_t i;
				json_t *f;
				json_array_foreach(fa, i, f) {
					json_t *o = json_object();
					json_object_set_new(o, "list", json_string("findings"));
					json_object_set(o, "finding", f);
					put_json_line(o);
					json_decref(o);
				}
				json_array_foreach(sa, i, f) {
					json_t *o = json_object();
					json_object_set_new(o, "list", json_string("suppressed"));
					json_object_set(o, "finding", f);
					put_json_line(o);
					json_decref(o);
				}
				json_decref(fa);
				json_decref(sa);
			}
		}
		c2c_intelhit_free(h);
		free(dig);
	}
	c2c_intel_free(in);
	return rc;
}

static int
run(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(&cli_cmd_intel, "expected 'check' or 'match'");
	if (strcmp(argv[1], "check") == 0)
		return run_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "match") == 0)
		return run_match(argc - 1, argv + 1);
	return cli_usage_error(&cli_cmd_intel, "unknown intel command '%s'", argv[1]);
}

const struct cli_cmd cli_cmd_intel = {
	"intel",
	run,
	"load, check and match threat-intel feeds",
	usage_text,
};

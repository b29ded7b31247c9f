/*
 * The country control matrix: "N C2 servers in country X controlled M hosts in country Y",
 * from (C2 endpoint, controlled host) contacts, broken down by the endpoint's assessed role.
 *
 * Counting works on a flat array of contacts (endpoint, host, controller country, host
 * country, role). For each grouping (total, controller country, host country, country pair) the
 * array is sorted by (group, role, endpoint) and (group, role, host) and distinct values are
 * counted at run boundaries; hosts over all non-sinkhole roles get one more pass because a host
 * can be controlled from endpoints of several roles. Sinkholes are shown by role but never
 * counted in totals (attribution.md §4.7). c2c_matrix_recount rebuilds the contacts from the
 * cited findings and infrastructure objects alone, so verify can recount.
 */
#include "c2chain/infra.h"

#include <stdlib.h>
#include <string.h>

#include "attribute/internal.h"

#define CC_UNKNOWN ((uint16_t)('?' << 8 | '?'))
#define INLINE_IDS 4096

enum { M_TOTAL, M_CTRL, M_HOST, M_PAIR };

struct row {
	uint32_t key;
	uint64_t e[C2C_ROLE__COUNT], h[C2C_ROLE__COUNT];
	uint64_t e_all, h_all; /* all roles but sinkhole */
};

struct item {
	uint32_t key;
	uint8_t role;
	uint32_t v;
};

static int
item_cmp(const void *x, const void *y)
{
	const struct item *a = x, *b = y;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->role != b->role)
		return a->role < b->role ? -1 : 1;
	return a->v < b->v ? -1 : a->v > b->v;
}

static uint32_t
group_key(const struct c2c__mpair *p, int mode)
{
	switch (mode) {
	case M_CTRL:
		return p->cc_c;
	case M_HOST:
		return p->cc_h;
	case M_PAIR:
		return (uint32_t)p->cc_c << 16 | p->cc_h;
	default:
		return 0;
	}
}

static struct row *
row_find(struct row *rows, size_t n, uint32_t key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rows[mid].key == key)
			return &rows[mid];
		if (rows[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Rows of one grouping, sorted by key. */
static c2c_err
count_mode(const struct c2c__mpair *p, size_t n, int mode, struct item *it, struct row **out,
    size_t *nout)
{
	struct row *rows = NULL;
	size_t nr = 0, m;

	/* Pass 1: distinct endpoints per (group, role); also creates the rows. */
	for (size_t i = 0; i < n; i++) {
		it[i].key = group_key(&p[i], mode);
		it[i].role = p[i].role;
		it[i].v = p[i].e;
	}
	qsort(it, n, sizeof(*it), item_cmp);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || it[i].key != it[i - 1].key)
			nr++;
	rows = c2c_calloc(nr + 1, sizeof(*rows));
	if (rows == NULL)
		return C2C_ENOMEM;
	nr = 0;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || it[i].key != it[i - 1].key)
			rows[nr++].key = it[i].key;
		if (i == 0 || item_cmp(&it[i], &it[i - 1]) != 0)
			rows[nr - 1].e[it[i].role]++;
	}
	/* Pass 2: distinct hosts per (group, role). */
	for (size_t i = 0; i < n; i++) {
		it[i].key = group_key(&p[i], mode);
		it[i].role = p[i].role;
		it[i].v = p[i].h;
	}
	qsort(it, n, sizeof(*it), item_cmp);
	for (size_t i = 0; i < n; i++) {
		struct row *rw;
		if (i > 0 && item_cmp(&it[i], &it[i - 1]) == 0)
			continue;
		rw = row_find(rows, nr, it[i].key); /* every key has a row from pass 1 */
		if (rw != NULL)
			rw->h[it[i].role]++;
	}
	/* Pass 3: distinct hosts per group over every role but sinkhole. */
	m = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i].role == C2C_ROLE_SINKHOLE)
			continue;
		it[m].key = group_key(&p[i], mode);
		it[m].role = 0;
		it[m].v = p[i].h;
		m++;
	}
	qsort(it, m, sizeof(*it), item_cmp);
	for (size_t i = 0; i < m; i++) {
		struct row *rw;
		if (i > 0 && item_cmp(&it[i], &it[i - 1]) == 0)
			continue;
		rw = row_find(rows, nr, it[i].key);
		if (rw != NULL)
			rw->h_all++;
	}
	for (size_t r = 0; r < nr; r++)
		for (unsigned k = 0; k < C2C_ROLE__COUNT; k++)
			if (k != C2C_ROLE_SINKHOLE)
				rows[r].e_all += rows[r].e[k];
	*out = rows;
	*nout = nr;
	return C2C_OK;
}

static void
cc_unpack(uint16_t v, char cc[3])
{
	cc[0] = (char)(v >> 8);
	cc[1] = (char)(v & 0xff);
	cc[2] = '\0';
}

static c2c_err
by_role_json(const struct row *r, json_t **out)
{
	json_t *o = json_object();
	c2c_err rc = o ? C2C_OK : C2C_ENOMEM;
	for (unsigned k = 0; k < C2C_ROLE__COUNT && rc == C2C_OK; k++) {
		json_t *x = json_object();
		if (x == NULL) {
			rc = C2C_ENOMEM;
			break;
		}
		rc = c2c_json_set_int(x, "c2_servers", (int64_t)r->e[k]);
		if (rc == C2C_OK)
			rc = c2c_json_set_int(x, "controlled_hosts", (int64_t)r->h[k]);
		if (rc == C2C_OK)
			rc = c2c_json_set_new(o, c2c_role_name((enum c2c_role)k), x);
		else
			json_decref(x);
	}
	if (rc != C2C_OK) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return C2C_OK;
}

/* One row object: keys per mode, totals, by_role (or without by_role for top tables). */
static c2c_err
row_json(const struct row *r, int mode, bool with_roles, json_t **out)
{
	json_t *o = json_object(), *br = NULL;
	char a[3], b[3];
	c2c_err rc = o ? C2C_OK : C2C_ENOMEM;
	if (rc == C2C_OK && mode == M_PAIR) {
		cc_unpack((uint16_t)(r->key >> 16), a);
		cc_unpack((uint16_t)(r->key & 0xffff), b);
		rc = c2c_json_set_str(o, "controller_country", a);
		if (rc == C2C_OK)
			rc = c2c_json_set_str(o, "host_country", b);
	} else if (rc == C2C_OK && mode != M_TOTAL) {
		cc_unpack((uint16_t)r->key, a);
		rc = c2c_json_set_str(o, "country", a);
	}
	if (rc == C2C_OK)
		rc = c2c_json_set_int(o, "c2_servers", (int64_t)r->e_all);
	if (rc == C2C_OK)
		rc = c2c_json_set_int(o, "controlled_hosts", (int64_t)r->h_all);
	if (rc == C2C_OK && with_roles) {
		rc = by_role_json(r, &br);
		if (rc == C2C_OK)
			rc = c2c_json_set_new(o, "by_role", br);
	}
	if (rc != C2C_OK) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return C2C_OK;
}

static c2c_err
rows_json(const struct row *rows, size_t n, int mode, json_t **out)
{
	json_t *a = json_array();
	c2c_err rc = a ? C2C_OK : C2C_ENOMEM;
	for (size_t i = 0; i < n && rc == C2C_OK; i++) {
		json_t *o;
		rc = row_json(&rows[i], mode, true, &o);
		if (rc == C2C_OK)
			rc = c2c_json_append_new(a, o);
	}
	if (rc != C2C_OK) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return C2C_OK;
}

static int top_by_hosts;

static int
top_cmp(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	uint64_t a1 = top_by_hosts ? a->h_all : a->e_all, b1 = top_by_hosts ? b->h_all : b->e_all;
	uint64_t a2 = top_by_hosts ? a->e_all : a->h_all, b2 = top_by_hosts ? b->e_all : b->h_all;
	if (a1 != b1)
		return a1 > b1 ? -1 : 1;
	if (a2 != b2)
		return a2 > b2 ? -1 : 1;
	return a->key < b->key ? -1 : a->key > b->key;
}

/* Top n rows (by servers, or by hosts) with at least one counted server. */
static c2c_err
top_json(const struct row *rows, size_t n, int mode, bool by_hosts, unsigned top, json_t **out)
{
	struct row *c = c2c_reallocarray(NULL, n + 1, sizeof(*c));
	json_t *a = json_array();
	size_t k = 0;
	c2c_err rc = C2C_OK;
	if (c == NULL || a == NULL) {
		c2c_free(c);
		json_decref(a);
		return C2C_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		if (rows[i].e_all > 0)
			c[k++] = rows[i];
	/* qsort has no context argument; the flag is set and read in this call only (the
	 * library documents builds as not thread-safe for one accumulator, and two concurrent
	 * builds would only race on this int's value, which both set identically per call). */
	top_by_hosts = by_hosts;
	qsort(c, k, sizeof(*c), top_cmp);
	for (size_t i = 0; i < k && i < top && rc == C2C_OK; i++) {
		json_t *o;
		rc = row_json(&c[i], mode, false, &o);
		if (rc == C2C_OK)
			rc = c2c_json_append_new(a, o);
	}
	c2c_free(c);
	if (rc != C2C_OK) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return C2C_OK;
}

/* Distinct endpoints / hosts of the "abroad" subset for the statement. */
static c2c_err
abroad_counts(const struct c2c__mpair *p, size_t n, uint16_t home, struct item *it,
    struct row *r, uint64_t *unknown_e)
{
	size_t m = 0;
	memset(r, 0, sizeof(*r));
	*unknown_e = 0;
	for (int pass = 0; pass < 3; pass++) {
		m = 0;
		for (size_t i = 0; i < n; i++) {
			bool unk = p[i].cc_c == CC_UNKNOWN;
			if (p[i].cc_h != home || p[i].cc_c == home)
				continue;
			if (pass == 2 ? !unk || p[i].role == C2C_ROLE_SINKHOLE : unk)
				continue;
			it[m].key = 0;
			it[m].role = pass == 2 ? 0 : p[i].role;
			it[m].v = pass == 1 ? p[i].h : p[i].e;
			m++;
		}
		qsort(it, m, sizeof(*it), item_cmp);
		for (size_t i = 0; i < m; i++) {
			if (i > 0 && item_cmp(&it[i], &it[i - 1]) == 0)
				continue;
			if (pass == 0)
				r->e[it[i].role]++;
			else if (pass == 1)
				r->h[it[i].role]++;
			else
				(*unknown_e)++;
		}
	}
	/* Hosts over all counted roles. */
	m = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i].cc_h == home && p[i].cc_c != home && p[i].cc_c != CC_UNKNOWN &&
		    p[i].role != C2C_ROLE_SINKHOLE) {
			it[m].key = 0;
			it[m].role = 0;
			it[m].v = p[i].h;
			m++;
		}
	qsort(it, m, sizeof(*it), item_cmp);
	for (size_t i = 0; i < m; i++)
		if (i == 0 || it[i].v != it[i - 1].v)
			r->h_all++;
	for (unsigned k = 0; k < C2C_ROLE__COUNT; k++)
		if (k != C2C_ROLE_SINKHOLE)
			r->e_all += r->e[k];
	return C2C_OK;
}

static const struct c2c_geo_db_info *
country_db(const struct c2c_infra_opts *o)
{
	for (unsigned i = 0; o->geo != NULL && i < c2c_geo_db_count(o->geo); i++) {
		const struct c2c_geo_db_info *d = c2c_geo_db_get(o->geo, i);
		if (d->use & C2C_GEO_COUNTRY)
			return d;
	}
	return NULL;
}

/* ". By assessed role of these C2 servers: owned 2, ..." for the servers counted in `r`. */
static size_t
roles_clause(char *s, size_t size, const struct row *r)
{
	return (size_t)snprintf(s, size,
	    ". By assessed role of these C2 servers: owned %llu, compromised relay %llu, rented "
	    "hosting %llu, anonymiser %llu, unknown %llu.",
	    (unsigned long long)r->e[C2C_ROLE_OWNED], (unsigned long long)r->e[C2C_ROLE_RELAY],
	    (unsigned long long)r->e[C2C_ROLE_RENTED],
	    (unsigned long long)r->e[C2C_ROLE_ANONYMISER],
	    (unsigned long long)r->e[C2C_ROLE_UNKNOWN]);
}

/* The statistic sentence (attribution.md §4.6: broken down by role, with the caveat). A
 * country that is not known is said to be unknown, never printed as a code: when no
 * controlled host has a known country there is no home country and no "abroad" statement. */
static c2c_err
statement(const struct row *ab, const struct row *total, uint64_t unknown_e, uint64_t sink_e,
    const char *home, const struct row *pairs, size_t np, const struct c2c_infra_opts *o,
    json_t *res)
{
	char s[1400], cav[600], ts[40], ref[80];
	size_t l;
	const struct c2c_geo_db_info *db = country_db(o);
	struct row top[3];
	size_t nt = 0;

	/* The three controller countries with most counted servers for `home` (ties: more
	 * hosts, then country code). */
	for (size_t i = 0; i < np; i++) {
		uint16_t c = (uint16_t)(pairs[i].key >> 16), h = (uint16_t)(pairs[i].key & 0xffff);
		char hc[3];
		size_t k;
		cc_unpack(h, hc);
		if (strcmp(hc, home) != 0 || c == h || c == CC_UNKNOWN || pairs[i].e_all == 0)
			continue;
		top_by_hosts = 0;
		for (k = nt; k > 0 && top_cmp(&pairs[i], &top[k - 1]) < 0; k--)
			if (k < 3)
				top[k] = top[k - 1];
		if (k < 3) {
			top[k] = pairs[i];
			if (nt < 3)
				nt++;
		}
	}
	if (strcmp(home, "??") == 0) {
		if (total->e_all == 0) {
			l = (size_t)snprintf(s, sizeof(s), "In this case file, no C2 server controlled "
							   "hosts.");
		} else {
			l = (size_t)snprintf(s, sizeof(s),
			    "In this case file, %llu C2 server%s controlled %llu host%s, but the "
			    "location of every controlled host is unknown (neither a host map nor a "
			    "geolocation database placed them), so no statement about C2 servers "
			    "located abroad is made",
			    (unsigned long long)total->e_all, total->e_all == 1 ? "" : "s",
			    (unsigned long long)total->h_all, total->h_all == 1 ? "" : "s");
			if (l < sizeof(s))
				l += roles_clause(s + l, sizeof(s) - l, total);
		}
		if (l < sizeof(s))
			(void)snprintf(s + l, sizeof(s) - l, " Not counted: %llu sinkhole endpoint%s.",
			    (unsigned long long)sink_e, sink_e == 1 ? "" : "s");
		goto caveat;
	}
	if (ab->e_all == 0 && unknown_e > 0) {
		l = (size_t)snprintf(s, sizeof(s),
		    "In this case file, no C2 server geolocated outside %s controlled hosts in %s; "
		    "the location of %llu C2 server%s that controlled hosts in %s is unknown.",
		    home, home, (unsigned long long)unknown_e, unknown_e == 1 ? "" : "s", home);
	} else if (ab->e_all == 0) {
		l = (size_t)snprintf(s, sizeof(s),
		    "In this case file, no C2 server geolocated outside %s controlled hosts in %s.",
		    home, home);
	} else {
		l = (size_t)snprintf(s, sizeof(s),
		    "In this case file, %llu C2 server%s geolocated outside %s controlled %llu "
		    "host%s in %s; the countries hosting the most of these C2 servers were ",
		    (unsigned long long)ab->e_all, ab->e_all == 1 ? "" : "s", home,
		    (unsigned long long)ab->h_all, ab->h_all == 1 ? "" : "s", home);
		for (size_t k = 0; k < nt && l < sizeof(s); k++) {
			char cc[3];
			cc_unpack((uint16_t)(top[k].key >> 16), cc);
			l += (size_t)snprintf(s + l, sizeof(s) - l, "%s%s (%llu)",
			    k == 0 ? "" : k + 1 == nt ? " and " : ", ", cc,
			    (unsigned long long)top[k].e_all);
		}
		if (l < sizeof(s))
			l += roles_clause(s + l, sizeof(s) - l, ab);
	}
	if (l < sizeof(s))
		l += (size_t)snprintf(s + l, sizeof(s) - l,
		    " Not counted: %llu sinkhole endpoint%s and %llu C2 server%s of unknown location.",
		    (unsigned long long)sink_e, sink_e == 1 ? "" : "s",
		    (unsigned long long)unknown_e, unknown_e == 1 ? "" : "s");
caveat:
	if (db != NULL) {
		(void)c2c_time_format_iso((c2c_time)db->pin.build_epoch * C2C_USEC, ts, sizeof(ts));
		ts[10] = '\0';
		(void)snprintf(cav, sizeof(cav),
		    "This concerns the network location of the C2 servers as recorded by %s, build "
		    "%s, %s. Geolocation databases are unreliable for infrastructure addresses. "
		    "This statement does not establish where, or by whom, the servers are operated.",
		    db->pin.type, ts, c2c_geo_pin_ref(&db->pin, ref, sizeof(ref)));
	} else {
		(void)snprintf(cav, sizeof(cav),
		    "No pinned geolocation database was loaded, so every controller country is "
		    "unknown. This statement does not establish where, or by whom, the servers are "
		    "operated.");
	}
	{
		c2c_err rc = c2c_json_set_str(res, "statement", s);
		return rc == C2C_OK ? c2c_json_set_str(res, "caveat", cav) : rc;
	}
}

c2c_err
c2c__matrix_build(struct c2c__mpair *pairs, size_t n, const struct c2c__mstats *st,
    const struct c2c_infra_opts *o, json_t *finding_ids, json_t **out)
{
	struct row *rows[4] = { NULL, NULL, NULL, NULL }, ab, total;
	size_t nr[4] = { 0, 0, 0, 0 };
	struct item *it = c2c_reallocarray(NULL, n + 1, sizeof(*it));
	json_t *obj = json_object(), *method = json_object(), *params = json_object(),
	       *res = json_object(), *ev = json_object(), *v = NULL;
	char home[3] = "??", hex[65], id[48];
	uint64_t unknown_e = 0;
	c2c_err rc = C2C_ENOMEM;

	if (it == NULL || obj == NULL || method == NULL || params == NULL || res == NULL ||
	    ev == NULL)
		goto out;
	rc = C2C_OK;
	for (int m = 0; m < 4 && rc == C2C_OK; m++)
		rc = count_mode(pairs, n, m, it, &rows[m], &nr[m]);
	if (rc != C2C_OK)
		goto out;
	memset(&total, 0, sizeof(total));
	if (nr[M_TOTAL] == 1)
		total = rows[M_TOTAL][0];
	/* Home country: configured, else the host country with most controlled hosts. */
	if (o->home_country[0] != '\0') {
		memcpy(home, o->home_country, 2);
	} else {
		uint64_t best = 0;
		for (size_t i = 0; i < nr[M_HOST]; i++)
			if (rows[M_HOST][i].key != CC_UNKNOWN && rows[M_HOST][i].h_all > best) {
				best = rows[M_HOST][i].h_all;
				cc_unpack((uint16_t)rows[M_HOST][i].key, home);
			}
	}
	rc = abroad_counts(pairs, n, c2c__cc_pack(home), it, &ab, &unknown_e);
	/* result */
	if (rc == C2C_OK)
		rc = c2c_json_set_int(res, "c2_servers", (int64_t)total.e_all);
	if (rc == C2C_OK)
		rc = c2c_json_set_int(res, "controlled_hosts", (int64_t)total.h_all);
	if (rc == C2C_OK && (rc = by_role_json(&total, &v)) == C2C_OK)
		rc = c2c_json_set_new(res, "by_role", v);
	if (rc == C2C_OK && (rc = rows_json(rows[M_CTRL], nr[M_CTRL], M_CTRL, &v)) == C2C_OK)
		rc = c2c_json_set_new(res, "by_controller_country", v);
	if (rc == C2C_OK && (rc = rows_json(rows[M_HOST], nr[M_HOST], M_HOST, &v)) == C2C_OK)
		rc = c2c_json_set_new(res, "by_host_country", v);
	if (rc == C2C_OK && (rc = rows_json(rows[M_PAIR], nr[M_PAIR], M_PAIR, &v)) == C2C_OK)
		rc = c2c_json_set_new(res, "pairs", v);
	if (rc == C2C_OK &&
	    (rc = top_json(rows[M_CTRL], nr[M_CTRL], M_CTRL, false, o->top_n, &v)) == C2C_OK)
		rc = c2c_json_set_new(res, "top_controller_countries", v);
	if (rc == C2C_OK &&
	    (rc = top_json(rows[M_HOST], nr[M_HOST], M_HOST, true, o->top_n, &v)) == C2C_OK)
		rc = c2c_json_set_new(res, "top_host_countries", v);
	if (rc == C2C_OK &&
	    (rc = top_json(rows[M_PAIR], nr[M_PAIR], M_PAIR, true, o->top_n, &v)) == C2C_OK)
		rc = c2c_json_set_new(res, "top_pairs", v);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(res, "home_country", home);
	if (rc == C2C_OK) {
		json_t *a = json_object(), *br = NULL;
		rc = a ? C2C_OK : C2C_ENOMEM;
		if (rc == C2C_OK)
			rc = c2c_json_set_int(a, "c2_servers", (int64_t)ab.e_all);
		if (rc == C2C_OK)
			rc = c2c_json_set_int(a, "controlled_hosts", (int64_t)ab.h_all);
		if (rc == C2C_OK)
			rc = c2c_json_set_int(a, "unknown_location_c2_servers", (int64_t)unknown_e);
		if (rc == C2C_OK && (rc = by_role_json(&ab, &br)) == C2C_OK)
			rc = c2c_json_set_new(a, "by_role", br);
		if (rc == C2C_OK)
			rc = c2c_json_set_new(res, "abroad", a);
		else
			json_decref(a);
	}
	if (rc == C2C_OK) {
		json_t *hs = json_object();
		rc = hs ? C2C_OK : C2C_ENOMEM;
		if (rc == C2C_OK)
			rc = c2c_json_set_int(hs, "config", (int64_t)st->host_src[0]);
		if (rc == C2C_OK)
			rc = c2c_json_set_int(hs, "geo", (int64_t)st->host_src[1]);
		if (rc == C2C_OK)
			rc = c2c_json_set_int(hs, "unknown", (int64_t)st->host_src[2]);
		if (rc == C2C_OK)
			rc = c2c_json_set_new(res, "host_country_source", hs);
		else
			json_decref(hs);
	}
	if (rc == C2C_OK)
		rc = statement(&ab, &total, unknown_e, total.e[C2C_ROLE_SINKHOLE], home,
		    rows[M_PAIR], nr[M_PAIR], o, res);
	/* method */
	if (rc == C2C_OK)
		rc = c2c_json_set_str(method, "id", "c2chain.matrix");
	if (rc == C2C_OK)
		rc = c2c_json_set_int(method, "version", 1);
	if (rc == C2C_OK)
		rc = c2c_json_set_int(params, "top_n", o->top_n);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(params, "home_country", o->home_country);
	if (rc == C2C_OK)
		rc = c2c_json_set_int(params, "host_map_entries", (int64_t)o->n_host_map);
	if (rc == C2C_OK)
		rc = c2c_json_set_bool(params, "sinkholes_counted", 0);
	/* evidence: the findings recounted (inline up to INLINE_IDS, always count + digest) */
	if (rc == C2C_OK) {
		struct c2c_sha256 h;
		uint8_t d[32];
		size_t nf = json_array_size(finding_ids);
		rc = c2c_sha256_init(&h);
		for (size_t i = 0; i < nf && rc == C2C_OK; i++) {
			const char *s = json_string_value(json_array_get(finding_ids, i));
			c2c_sha256_update(&h, s, strlen(s));
			c2c_sha256_update(&h, "\n", 1);
		}
		if (rc == C2C_OK) {
			c2c_sha256_final(&h, d);
			rc = c2c_json_set_int(ev, "findings_count", (int64_t)nf);
		}
		if (rc == C2C_OK)
			rc = c2c_json_set_str(ev, "findings_sha256", c2c_hex(d, 32, hex));
		if (rc == C2C_OK && nf <= INLINE_IDS) {
			rc = c2c_json_set_new(ev, "findings", finding_ids);
			finding_ids = NULL;
		}
	}
	if (rc == C2C_OK) {
		json_t *rd = json_array();
		char ref[80];
		rc = rd ? C2C_OK : C2C_ENOMEM;
		for (unsigned i = 0; rc == C2C_OK && o->geo && i < c2c_geo_db_count(o->geo); i++)
			rc = c2c__json_arr_str(rd,
			    c2c_geo_pin_ref(&c2c_geo_db_get(o->geo, i)->pin, ref, sizeof(ref)));
		if (rc == C2C_OK)
			rc = c2c_json_set_new(ev, "refdata", rd);
		else
			json_decref(rd);
	}
	if (rc == C2C_OK)
		rc = c2c_json_set_str(obj, "type", "control-matrix");
	if (rc == C2C_OK)
		rc = c2c_json_set_str(obj, "rung", "L2");
	if (rc == C2C_OK) {
		rc = c2c_json_set_new(method, "params", params);
		params = NULL;
	}
	if (rc == C2C_OK) {
		rc = c2c_json_set_new(obj, "method", method);
		method = NULL;
	}
	if (rc == C2C_OK) {
		rc = c2c_json_set_new(obj, "result", res);
		res = NULL;
	}
	if (rc == C2C_OK) {
		rc = c2c_json_set_new(obj, "evidence", ev);
		ev = NULL;
	}
	if (rc == C2C_OK)
		rc = c2c_json_set_str(obj, "recheck", "refdata");
	if (rc == C2C_OK)
		rc = c2c__json_set_id(obj, "control-matrix", id, sizeof(id));
	if (rc == C2C_OK) {
		*out = obj;
		obj = NULL;
	}
out:
	for (int m = 0; m < 4; m++)
		c2c_free(rows[m]);
	c2c_free(it);
	json_decref(finding_ids);
	json_decref(obj);
	json_decref(method);
	json_decref(params);
	json_decref(res);
	json_decref(ev);
	return rc;
}

/* ---- recount from findings --------------------------------------------------------------- */

struct epinfo {
	struct c2c_ip ip;
	uint16_t cc;
	uint8_t role;
};

static int
epinfo_cmp(const void *x, const void *y)
{
	return c2c_ip_cmp(&((const struct epinfo *)x)->ip, &((const struct epinfo *)y)->ip);
}

static int
ip_cmp_v(const void *x, const void *y)
{
	return c2c_ip_cmp(x, y);
}

static int
pair_cmp(const void *x, const void *y)
{
	const struct c2c__mpair *a = x, *b = y;
	if (a->e != b->e)
		return a->e < b->e ? -1 : 1;
	return a->h < b->h ? -1 : a->h > b->h;
}

static int
str_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static bool
l1_type(const char *t)
{
	return t != NULL && (strcmp(t, "intel-hit") == 0 || strcmp(t, "beacon") == 0 ||
				strcmp(t, "long-connection") == 0 || strcmp(t, "dns-tunnel") == 0);
}

c2c_err
c2c_matrix_recount(const json_t *findings, const json_t *infrastructure,
    const struct c2c_infra_opts *o, json_t **out, struct c2c_diag *diag)
{
	size_t ni = json_array_size(infrastructure), nf = json_array_size(findings), np = 0,
	       nh = 0, nid = 0;
	struct epinfo *eps = c2c_reallocarray(NULL, ni + 1, sizeof(*eps));
	struct c2c_ip *hosts = c2c_reallocarray(NULL, nf + 1, sizeof(*hosts));
	struct c2c__mpair *pairs = c2c_reallocarray(NULL, nf + 1, sizeof(*pairs));
	uint32_t *peer_e = c2c_reallocarray(NULL, nf + 1, sizeof(*peer_e));
	struct c2c_ip *fhost = c2c_reallocarray(NULL, nf + 1, sizeof(*fhost));
	const char **ids = c2c_reallocarray(NULL, nf + 1, sizeof(*ids));
	char (*hcc)[3] = NULL;
	struct c2c__mstats st;
	json_t *idarr = NULL;
	c2c_err rc = C2C_ENOMEM;

	memset(&st, 0, sizeof(st));
	if (eps == NULL || hosts == NULL || pairs == NULL || peer_e == NULL || fhost == NULL ||
	    ids == NULL)
		goto out;
	/* Endpoints: country and role as the infrastructure objects state them. */
	for (size_t i = 0; i < ni; i++) {
		const json_t *io = json_array_get(infrastructure, i);
		const json_t *res = json_object_get(io, "result");
		const char *ip = json_string_value(json_object_get(json_object_get(io, "subject"),
		    "ip"));
		const char *cc = json_string_value(json_object_get(res, "country"));
		const char *role = json_string_value(json_object_get(res, "role"));
		enum c2c_role r;
		if (ip == NULL || cc == NULL || strlen(cc) != 2 || role == NULL ||
		    c2c_ip_parse(&eps[i].ip, ip) != C2C_OK || c2c_role_parse(role, &r) != C2C_OK) {
			rc = c2c_diag_set(diag, C2C_EFORMAT, "infrastructure", i,
			    "infrastructure object %zu lacks subject.ip, result.country or "
			    "result.role",
			    i);
			goto out;
		}
		eps[i].cc = c2c__cc_pack(cc);
		eps[i].role = (uint8_t)r;
	}
	qsort(eps, ni, sizeof(*eps), epinfo_cmp);
	/* Findings: the same admission rules as the accumulator. */
	for (size_t i = 0; i < nf; i++) {
		const json_t *f = json_array_get(findings, i);
		const json_t *subj = json_object_get(f, "subject");
		const char *id = json_string_value(json_object_get(f, "id"));
		const char *type = json_string_value(json_object_get(f, "type"));
		const char *hs = json_string_value(json_object_get(subj, "host"));
		const char *ps = json_string_value(json_object_get(subj, "peer"));
		struct epinfo key;
		struct c2c_ip h;
		const struct epinfo *e;
		if (id == NULL || !l1_type(type) || hs == NULL || ps == NULL)
			continue;
		if (c2c_ip_parse(&h, hs) != C2C_OK || c2c_ip_parse(&key.ip, ps) != C2C_OK) {
			rc = c2c_diag_set(diag, C2C_EFORMAT, id, 0, "bad subject address");
			goto out;
		}
		if (strcmp(type, "dns-tunnel") == 0 && c2c_ip_is_private(&key.ip))
			continue;
		e = bsearch(&key, eps, ni, sizeof(*eps), epinfo_cmp);
		if (e == NULL) {
			rc = c2c_diag_set(diag, C2C_EFORMAT, id, 0,
			    "finding names C2 endpoint %s, which has no infrastructure object", ps);
			goto out;
		}
		peer_e[np] = (uint32_t)(e - eps);
		fhost[np] = h;
		hosts[np] = h;
		ids[nid++] = id;
		np++;
	}
	qsort(hosts, np, sizeof(*hosts), ip_cmp_v);
	for (size_t i = 0; i < np; i++)
		if (nh == 0 || !c2c_ip_eq(&hosts[i], &hosts[nh - 1]))
			hosts[nh++] = hosts[i];
	hcc = c2c_reallocarray(NULL, nh + 1, sizeof(*hcc));
	if (hcc == NULL)
		goto out;
	for (size_t i = 0; i < nh; i++) {
		const char *src = c2c_infra_host_country(o, &hosts[i], hcc[i]);
		st.host_src[src[0] == 'c' ? 0 : src[0] == 'g' ? 1 : 2]++;
	}
	for (size_t i = 0; i < np; i++) {
		const struct c2c_ip *hp = bsearch(&fhost[i], hosts, nh, sizeof(*hosts), ip_cmp_v);
		size_t hi = (size_t)(hp - hosts);
		pairs[i].e = peer_e[i];
		pairs[i].h = (uint32_t)hi;
		pairs[i].cc_c = eps[peer_e[i]].cc;
		pairs[i].cc_h = c2c__cc_pack(hcc[hi]);
		pairs[i].role = eps[peer_e[i]].role;
	}
	/* One contact per (endpoint, host), however many findings back it. */
	qsort(pairs, np, sizeof(*pairs), pair_cmp);
	{
		size_t u = 0;
		for (size_t i = 0; i < np; i++)
			if (u == 0 || pair_cmp(&pairs[i], &pairs[u - 1]) != 0)
				pairs[u++] = pairs[i];
		np = u;
	}
	qsort(ids, nid, sizeof(*ids), str_cmp);
	idarr = json_array();
	if (idarr == NULL)
		goto out;
	rc = C2C_OK;
	for (size_t i = 0; i < nid && rc == C2C_OK; i++)
		if (i == 0 || strcmp(ids[i], ids[i - 1]) != 0)
			rc = c2c__json_arr_str(idarr, ids[i]);
	if (rc != C2C_OK)
		goto out;
	rc = c2c__matrix_build(pairs, np, &st, o, idarr, out);
	idarr = NULL;
out:
	json_decref(idarr);
	c2c_free(eps);
	c2c_free(hosts);
	c2c_free(pairs);
	c2c_free(peer_e);
	c2c_free(fhost);
	c2c_free(ids);
	c2c_free(hcc);
	return rc;
}

c2c_err
c2c_matrix_check(const json_t *matrix, const json_t *recount, struct c2c_diag *diag)
{
	const json_t *a = json_object_get(matrix, "result"), *b = json_object_get(recount, "result");
	const json_t *ea = json_object_get(matrix, "evidence"),
		     *eb = json_object_get(recount, "evidence");
	const char *key;
	json_t *v;
	if (!json_is_object(a) || !json_is_object(b))
		return c2c_diag_set(diag, C2C_EVERIFY, "control-matrix", 0, "no result object");
	json_object_foreach((json_t *)(uintptr_t)a, key, v) {
		if (!json_equal(v, json_object_get(b, key)))
			return c2c_diag_set(diag, C2C_EVERIFY, "control-matrix", 0,
			    "result.%s differs from the recount over the cited findings", key);
	}
	if (json_object_size(a) != json_object_size(b))
		return c2c_diag_set(diag, C2C_EVERIFY, "control-matrix", 0,
		    "the recount has other result fields");
	if (!json_equal(json_object_get(ea, "findings_sha256"), json_object_get(eb, "findings_sha256")) ||
	    !json_equal(json_object_get(ea, "findings_count"), json_object_get(eb, "findings_count")))
		return c2c_diag_set(diag, C2C_EVERIFY, "control-matrix", 0,
		    "the cited findings differ from the ones recounted");
	return C2C_OK;
}

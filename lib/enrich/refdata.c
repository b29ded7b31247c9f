/*
 * Pinned reference lists for infrastructure roles: sinkholes, cloud/CDN/hosting ranges,
 * residential ASNs and Tor exits with the times they were seen. Every file is SHA-256'd as it
 * is read and its digest goes into the case, like a geolocation database.
 *
 * All entries live in sorted arrays rebuilt after each load (loads are rare, lookups many):
 * prefixes sorted by (kind, family, length, address) and searched length by length, hostnames
 * by (kind, name) and searched for the name and each parent, ASNs by (asn, list), Tor
 * observations by (address, time).
 */
#include "c2chain/enrich.h"

#include <stdlib.h>
#include <string.h>

#include "c2chain/types.h"

#define REF_MAX_LISTS 64
#define REF_FILE_CAP ((size_t)256 << 20)

struct pfx {
	uint8_t a[16];
	uint8_t family, len, kind;
	uint16_t list;
	uint32_t text; /* offset of the entry text in the string pool */
};

struct name {
	uint32_t text; /* lower-case hostname in the pool */
	uint8_t kind;
	uint16_t list;
};

struct asn_ent {
	uint32_t asn;
	uint16_t list;
	uint32_t text;
};

struct tor_ent {
	uint8_t a[16];
	uint8_t family;
	uint16_t list;
	c2c_time t;
};

struct c2c_refdata {
	struct c2c_ref_list_info lists[REF_MAX_LISTS];
	char *paths[REF_MAX_LISTS];
	unsigned n_lists;
	struct pfx *pfx;
	size_t n_pfx, cap_pfx;
	struct name *names;
	size_t n_names, cap_names;
	struct asn_ent *asns;
	size_t n_asns, cap_asns;
	struct tor_ent *tor;
	size_t n_tor, cap_tor;
	uint8_t lens[4][2][129]; /* kind-1 x family x prefix length present */
	struct c2c_buf pool;
};

const char *
c2c_ref_kind_name(enum c2c_ref_kind k)
{
	switch (k) {
	case C2C_REF_SINKHOLE:
		return "sinkhole";
	case C2C_REF_CLOUD:
		return "cloud";
	case C2C_REF_RESIDENTIAL:
		return "residential";
	case C2C_REF_TOR_EXIT:
		return "tor-exit";
	}
	return "?";
}

c2c_err
c2c_refdata_new(struct c2c_refdata **out)
{
	struct c2c_refdata *r = c2c_calloc(1, sizeof(*r));
	if (r == NULL)
		return C2C_ENOMEM;
	c2c_buf_init(&r->pool, (size_t)1 << 30);
	*out = r;
	return C2C_OK;
}

void
c2c_refdata_free(struct c2c_refdata *r)
{
	if (r == NULL)
		return;
	for (unsigned i = 0; i < r->n_lists; i++)
		c2c_free(r->paths[i]);
	c2c_free(r->pfx);
	c2c_free(r->names);
	c2c_free(r->asns);
	c2c_free(r->tor);
	c2c_buf_fini(&r->pool);
	c2c_free(r);
}

unsigned
c2c_refdata_list_count(const struct c2c_refdata *r)
{
	return r->n_lists;
}

const struct c2c_ref_list_info *
c2c_refdata_list_get(const struct c2c_refdata *r, unsigned i)
{
	return i < r->n_lists ? &r->lists[i] : NULL;
}

static c2c_err
grow(void **p, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *np;
	if (n < *cap)
		return C2C_OK;
	ncap = *cap ? *cap * 2 : 256;
	np = c2c_reallocarray(*p, ncap, size);
	if (np == NULL)
		return C2C_ENOMEM;
	*p = np;
	*cap = ncap;
	return C2C_OK;
}

static c2c_err
pool_add(struct c2c_refdata *r, const char *s, size_t len, uint32_t *off)
{
	c2c_err rc;
	if (r->pool.len > UINT32_MAX - len - 1)
		return C2C_ELIMIT;
	*off = (uint32_t)r->pool.len;
	rc = c2c_buf_add(&r->pool, s, len);
	return rc == C2C_OK ? c2c_buf_addc(&r->pool, '\0') : rc;
}

static const char *
pool_str(const struct c2c_refdata *r, uint32_t off)
{
	return (const char *)r->pool.data + off;
}

/* ---- adding entries ---------------------------------------------------------------------- */

/* Trim spaces; drop a trailing "# comment". */
static void
trim(const char **p, const char **end)
{
	const char *h = memchr(*p, '#', (size_t)(*end - *p));
	if (h != NULL)
		*end = h;
	while (*p < *end && (**p == ' ' || **p == '\t'))
		(*p)++;
	while (*end > *p && ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\r'))
		(*end)--;
}

static c2c_err
add_cidr(struct c2c_refdata *r, enum c2c_ref_kind kind, unsigned list, const char *s,
    size_t len, bool *ok)
{
	char tmp[80];
	struct c2c_ip net;
	unsigned plen;
	struct pfx *e;
	c2c_err rc;
	*ok = false;
	if (len == 0 || len >= sizeof(tmp))
		return C2C_OK;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (c2c_cidr_parse(&net, &plen, tmp) != C2C_OK)
		return C2C_OK;
	rc = grow((void **)&r->pfx, &r->cap_pfx, r->n_pfx, sizeof(*r->pfx));
	if (rc != C2C_OK)
		return rc;
	e = &r->pfx[r->n_pfx];
	memcpy(e->a, net.a, 16);
	e->family = net.family;
	e->len = (uint8_t)plen;
	e->kind = (uint8_t)kind;
	e->list = (uint16_t)list;
	rc = pool_add(r, tmp, len, &e->text);
	if (rc != C2C_OK)
		return rc;
	r->lens[kind - 1][net.family == 6][plen] = 1;
	r->n_pfx++;
	*ok = true;
	return C2C_OK;
}

static c2c_err
add_name(struct c2c_refdata *r, enum c2c_ref_kind kind, unsigned list, const char *s,
    size_t len, bool *ok)
{
	char tmp[C2C_NAME_MAX];
	struct name *e;
	c2c_err rc;
	*ok = false;
	while (len > 0 && s[len - 1] == '.')
		len--;
	if (len > 0 && s[0] == '.') { /* ".example.com": the domain and its children */
		s++;
		len--;
	}
	if (len == 0 || len >= sizeof(tmp))
		return C2C_OK;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
			c == '_'))
			return C2C_OK; /* not a hostname (URL, wildcard, free text): skipped */
		tmp[i] = c;
	}
	rc = grow((void **)&r->names, &r->cap_names, r->n_names, sizeof(*r->names));
	if (rc != C2C_OK)
		return rc;
	e = &r->names[r->n_names];
	e->kind = (uint8_t)kind;
	e->list = (uint16_t)list;
	rc = pool_add(r, tmp, len, &e->text);
	if (rc != C2C_OK)
		return rc;
	r->n_names++;
	*ok = true;
	return C2C_OK;
}

static bool
parse_asn(const char *s, size_t len, uint32_t *asn)
{
	uint64_t v = 0;
	size_t i = 0;
	if (len >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		i = 2;
	if (i == len)
		return false;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*asn = (uint32_t)v;
	return v != 0;
}

static c2c_err
add_asn(struct c2c_refdata *r, unsigned list, const char *s, size_t len, bool *ok)
{
	uint32_t asn;
	size_t tl = 0;
	c2c_err rc;
	*ok = false;
	while (tl < len && s[tl] != ',' && s[tl] != ' ' && s[tl] != '\t')
		tl++;
	if (!parse_asn(s, tl, &asn))
		return C2C_OK;
	rc = grow((void **)&r->asns, &r->cap_asns, r->n_asns, sizeof(*r->asns));
	if (rc != C2C_OK)
		return rc;
	r->asns[r->n_asns].asn = asn;
	r->asns[r->n_asns].list = (uint16_t)list;
	rc = pool_add(r, s, len, &r->asns[r->n_asns].text);
	if (rc != C2C_OK)
		return rc;
	r->n_asns++;
	*ok = true;
	return C2C_OK;
}

/* "<ip> <YYYY-MM-DD HH:MM:SS>" or "<ip> <ISO 8601>" (both UTC). */
static c2c_err
add_tor(struct c2c_refdata *r, unsigned list, const char *s, size_t len, bool *ok)
{
	char ipbuf[C2C_IP_STRLEN], tbuf[40];
	const char *sp = memchr(s, ' ', len);
	struct c2c_ip ip;
	c2c_time t;
	size_t il, tl;
	c2c_err rc;
	*ok = false;
	if (sp == NULL)
		return C2C_OK;
	il = (size_t)(sp - s);
	while (sp < s + len && *sp == ' ')
		sp++;
	tl = (size_t)(s + len - sp);
	if (il == 0 || il >= sizeof(ipbuf) || tl == 0 || tl + 2 >= sizeof(tbuf))
		return C2C_OK;
	memcpy(ipbuf, s, il);
	ipbuf[il] = '\0';
	memcpy(tbuf, sp, tl);
	tbuf[tl] = '\0';
	if (tl == 19 && tbuf[10] == ' ') { /* TorDNSEL form */
		tbuf[10] = 'T';
		tbuf[19] = 'Z';
		tbuf[20] = '\0';
		tl = 20;
	}
	if (c2c_ip_parse(&ip, ipbuf) != C2C_OK || c2c_time_parse(&t, tbuf, tl) != C2C_OK)
		return C2C_OK;
	rc = grow((void **)&r->tor, &r->cap_tor, r->n_tor, sizeof(*r->tor));
	if (rc != C2C_OK)
		return rc;
	memcpy(r->tor[r->n_tor].a, ip.a, 16);
	r->tor[r->n_tor].family = ip.family;
	r->tor[r->n_tor].list = (uint16_t)list;
	r->tor[r->n_tor].t = t;
	r->n_tor++;
	*ok = true;
	return C2C_OK;
}

/* ---- sorting ----------------------------------------------------------------------------- */

static int
pfx_cmp(const void *x, const void *y)
{
	const struct pfx *a = x, *b = y;
	int c;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	c = memcmp(a->a, b->a, 16);
	if (c != 0)
		return c;
	return a->list < b->list ? -1 : a->list > b->list;
}

/* qsort has no context: the pool base is passed through a file-level pointer. Loads are not
 * concurrent (documented: not thread-safe while loading). */
static const struct c2c_refdata *sort_ctx;

static int
name_cmp(const void *x, const void *y)
{
	const struct name *a = x, *b = y;
	int c;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	c = strcmp(pool_str(sort_ctx, a->text), pool_str(sort_ctx, b->text));
	if (c != 0)
		return c;
	return a->list < b->list ? -1 : a->list > b->list;
}

static int
asn_cmp(const void *x, const void *y)
{
	const struct asn_ent *a = x, *b = y;
	if (a->asn != b->asn)
		return a->asn < b->asn ? -1 : 1;
	return a->list < b->list ? -1 : a->list > b->list;
}

static int
tor_cmp(const void *x, const void *y)
{
	const struct tor_ent *a = x, *b = y;
	int c;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->a, b->a, 16);
	if (c != 0)
		return c;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->list < b->list ? -1 : a->list > b->list;
}

static void
resort(struct c2c_refdata *r)
{
	if (r->n_pfx)
		qsort(r->pfx, r->n_pfx, sizeof(*r->pfx), pfx_cmp);
	sort_ctx = r;
	if (r->n_names)
		qsort(r->names, r->n_names, sizeof(*r->names), name_cmp);
	sort_ctx = NULL;
	if (r->n_asns)
		qsort(r->asns, r->n_asns, sizeof(*r->asns), asn_cmp);
	if (r->n_tor)
		qsort(r->tor, r->n_tor, sizeof(*r->tor), tor_cmp);
}

/* ---- loading ----------------------------------------------------------------------------- */

static c2c_err
load_warninglist(struct c2c_refdata *r, enum c2c_ref_kind kind, unsigned li, const char *path,
    const char *text, size_t len, struct c2c_diag *diag)
{
	struct c2c_ref_list_info *in = &r->lists[li];
	json_t *root = NULL, *list, *v;
	const char *type, *name;
	size_t i;
	c2c_err rc = c2c_json_parse(text, len, path, &root, diag);
	if (rc != C2C_OK)
		return rc;
	list = json_object_get(root, "list");
	type = json_string_value(json_object_get(root, "type"));
	if (!json_is_array(list) || type == NULL) {
		json_decref(root);
		return c2c_diag_set(diag, C2C_EFORMAT, path, 0,
		    "not a MISP warninglist: needs \"list\" (array) and \"type\"");
	}
	name = json_string_value(json_object_get(root, "name"));
	if (name != NULL)
		(void)snprintf(in->name, sizeof(in->name), "%s", name);
	v = json_object_get(root, "version");
	if (json_is_integer(v) && json_integer_value(v) > 0)
		in->version = (uint64_t)json_integer_value(v);
	(void)snprintf(in->format, sizeof(in->format), "misp-warninglist");
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		bool ok = false;
		if (s == NULL) {
			in->skipped++;
			continue;
		}
		if (strcmp(type, "cidr") == 0 && kind != C2C_REF_RESIDENTIAL &&
		    kind != C2C_REF_TOR_EXIT)
			rc = add_cidr(r, kind, li, s, strlen(s), &ok);
		else if ((strcmp(type, "hostname") == 0 || strcmp(type, "string") == 0) &&
		    (kind == C2C_REF_SINKHOLE || kind == C2C_REF_CLOUD))
			rc = add_name(r, kind, li, s, strlen(s), &ok);
		else if (strcmp(type, "string") == 0 && kind == C2C_REF_RESIDENTIAL)
			rc = add_asn(r, li, s, strlen(s), &ok);
		if (rc != C2C_OK)
			break;
		if (ok)
			in->entries++;
		else
			in->skipped++;
	}
	json_decref(root);
	return rc;
}

static c2c_err
load_lines(struct c2c_refdata *r, enum c2c_ref_kind kind, unsigned li, const char *text,
    size_t len)
{
	struct c2c_ref_list_info *in = &r->lists[li];
	const char *p = text, *end = text + len;
	c2c_err rc = C2C_OK;
	(void)snprintf(in->format, sizeof(in->format), "%s",
	    kind == C2C_REF_TOR_EXIT      ? "tor-exit-list"
	    : kind == C2C_REF_RESIDENTIAL ? "asn-list"
					  : "cidr-list");
	while (p < end && rc == C2C_OK) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end, *s = p;
		bool ok = false;
		p = eol ? eol + 1 : end;
		if (kind == C2C_REF_TOR_EXIT) {
			/* TorDNSEL: only ExitAddress lines carry addresses; other keywords
			 * (ExitNode, Published, LastStatus, @type, Downloaded) are structure. */
			while (s < le && (*s == ' ' || *s == '\t'))
				s++;
			if (s == le || *s == '#' || *s == '@')
				continue;
			if ((size_t)(le - s) > 12 && memcmp(s, "ExitAddress ", 12) == 0)
				s += 12;
			else if (*s >= 'A' && *s <= 'Z')
				continue;
			while (le > s && (le[-1] == '\r' || le[-1] == ' '))
				le--;
			rc = add_tor(r, li, s, (size_t)(le - s), &ok);
		} else {
			trim(&s, &le);
			if (s == le)
				continue;
			if (kind == C2C_REF_RESIDENTIAL) {
				rc = add_asn(r, li, s, (size_t)(le - s), &ok);
			} else {
				const char *t = s;
				while (t < le && *t != ' ' && *t != '\t' && *t != ',')
					t++;
				rc = add_cidr(r, kind, li, s, (size_t)(t - s), &ok);
				if (rc == C2C_OK && !ok && kind == C2C_REF_SINKHOLE)
					rc = add_name(r, kind, li, s, (size_t)(t - s), &ok);
			}
		}
		if (ok)
			in->entries++;
		else
			in->skipped++;
	}
	return rc;
}

c2c_err
c2c_refdata_load(struct c2c_refdata *r, enum c2c_ref_kind kind, const char *path,
    const uint8_t *expect_sha256, struct c2c_diag *diag)
{
	struct c2c_ref_list_info *in;
	uint8_t *data = NULL;
	size_t len = 0, n_pfx = r->n_pfx, n_names = r->n_names, n_asns = r->n_asns,
	       n_tor = r->n_tor, pool_len = r->pool.len;
	const char *base, *p;
	unsigned li;
	c2c_err rc;

	if (kind < C2C_REF_SINKHOLE || kind > C2C_REF_TOR_EXIT || path == NULL)
		return C2C_EINVAL;
	if (r->n_lists >= REF_MAX_LISTS)
		return c2c_diag_set(diag, C2C_ELIMIT, path, 0, "more than %d reference lists",
		    REF_MAX_LISTS);
	li = r->n_lists;
	in = &r->lists[li];
	memset(in, 0, sizeof(*in));
	rc = c2c_file_slurp(path, REF_FILE_CAP, &data, &len, diag);
	if (rc != C2C_OK)
		return rc;
	/* The pin covers the bytes parsed (after gzip inflation, if any). */
	c2c_sha256(data, len, in->sha256);
	in->size = len;
	in->kind = kind;
	if (expect_sha256 != NULL && memcmp(expect_sha256, in->sha256, 32) != 0) {
		char hex[65];
		rc = c2c_diag_set(diag, C2C_EVERIFY, path, 0,
		    "reference list does not match its pin (sha256 %s)",
		    c2c_hex(in->sha256, 32, hex));
		goto out;
	}
	base = strrchr(path, '/');
	(void)snprintf(in->name, sizeof(in->name), "%s", base ? base + 1 : path);
	for (p = (const char *)data; p < (const char *)data + len && (*p == ' ' || *p == '\n' ||
					   *p == '\r' || *p == '\t');
	     p++)
		;
	if (p < (const char *)data + len && *p == '{')
		rc = load_warninglist(r, kind, li, path, (const char *)data, len, diag);
	else
		rc = load_lines(r, kind, li, (const char *)data, len);
	if (rc == C2C_OK && in->entries == 0)
		rc = c2c_diag_set(diag, C2C_EFORMAT, path, 0,
		    "no usable %s entries (%llu skipped)", c2c_ref_kind_name(kind),
		    (unsigned long long)in->skipped);
	if (rc == C2C_OK) {
		r->paths[li] = c2c_strdup(path);
		if (r->paths[li] == NULL)
			rc = C2C_ENOMEM;
	}
out:
	c2c_free(data);
	if (rc != C2C_OK) {
		/* Roll back what this list added (entries were appended at the end). */
		r->n_pfx = n_pfx;
		r->n_names = n_names;
		r->n_asns = n_asns;
		r->n_tor = n_tor;
		r->pool.len = pool_len;
		memset(in, 0, sizeof(*in));
		return rc;
	}
	if (kind == C2C_REF_TOR_EXIT) {
		c2c_time lo = INT64_MAX, hi = INT64_MIN;
		for (size_t i = n_tor; i < r->n_tor; i++) {
			lo = r->tor[i].t < lo ? r->tor[i].t : lo;
			hi = r->tor[i].t > hi ? r->tor[i].t : hi;
		}
		in->first_ts = lo;
		in->last_ts = hi;
	}
	in->path = r->paths[li];
	r->n_lists++;
	resort(r);
	return C2C_OK;
}

/* ---- matching ---------------------------------------------------------------------------- */

static void
fill_match(const struct c2c_refdata *r, unsigned list, const char *text, c2c_time t,
    struct c2c_ref_match *m)
{
	m->list = list;
	(void)snprintf(m->entry, sizeof(m->entry), "%s", text);
	m->observed = t;
	(void)r;
}

c2c_err
c2c_refdata_match_ip(const struct c2c_refdata *r, enum c2c_ref_kind kind,
    const struct c2c_ip *ip, struct c2c_ref_match *m)
{
	int fam = ip->family == 6;
	if (kind < C2C_REF_SINKHOLE || kind > C2C_REF_TOR_EXIT || (ip->family != 4 && ip->family != 6))
		return C2C_EINVAL;
	for (int len = fam ? 128 : 32; len >= 0; len--) {
		struct pfx key;
		size_t lo = 0, hi = r->n_pfx;
		unsigned bits = (unsigned)len + (fam ? 0u : 96u);
		if (!r->lens[kind - 1][fam][len])
			continue;
		memset(&key, 0, sizeof(key));
		memcpy(key.a, ip->a, 16);
		for (unsigned b = bits; b < 128; b++)
			key.a[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
		key.family = ip->family;
		key.len = (uint8_t)len;
		key.kind = (uint8_t)kind;
		key.list = 0;
		/* Lower bound of (kind, family, len, addr, list 0): the earliest list first. */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (pfx_cmp(&r->pfx[mid], &key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < r->n_pfx && r->pfx[lo].kind == kind && r->pfx[lo].family == ip->family &&
		    r->pfx[lo].len == len && memcmp(r->pfx[lo].a, key.a, 16) == 0) {
			fill_match(r, r->pfx[lo].list, pool_str(r, r->pfx[lo].text), 0, m);
			return C2C_OK;
		}
	}
	return C2C_ENOTFOUND;
}

c2c_err
c2c_refdata_match_name(const struct c2c_refdata *r, enum c2c_ref_kind kind, const char *name,
    struct c2c_ref_match *m)
{
	char low[C2C_NAME_MAX];
	size_t n = strlen(name);
	const char *s;
	if (n == 0 || n >= sizeof(low))
		return C2C_ENOTFOUND;
	for (size_t i = 0; i <= n; i++)
		low[i] = (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] - 'A' + 'a') : name[i];
	while (n > 0 && low[n - 1] == '.')
		low[--n] = '\0';
	/* The name itself, then each parent domain. */
	for (s = low; s != NULL && *s; s = strchr(s, '.') ? strchr(s, '.') + 1 : NULL) {
		size_t lo = 0, hi = r->n_names;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			const struct name *e = &r->names[mid];
			int c = e->kind != kind ? (e->kind < kind ? -1 : 1)
						: strcmp(pool_str(r, e->text), s);
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < r->n_names && r->names[lo].kind == kind &&
		    strcmp(pool_str(r, r->names[lo].text), s) == 0) {
			fill_match(r, r->names[lo].list, s, 0, m);
			return C2C_OK;
		}
	}
	return C2C_ENOTFOUND;
}

c2c_err
c2c_refdata_match_asn(const struct c2c_refdata *r, uint32_t asn, struct c2c_ref_match *m)
{
	size_t lo = 0, hi = r->n_asns;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->asns[mid].asn < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (asn != 0 && lo < r->n_asns && r->asns[lo].asn == asn) {
		char txt[32];
		(void)snprintf(txt, sizeof(txt), "AS%u", (unsigned)asn);
		fill_match(r, r->asns[lo].list, txt, 0, m);
		return C2C_OK;
	}
	return C2C_ENOTFOUND;
}

c2c_err
c2c_refdata_match_tor(const struct c2c_refdata *r, const struct c2c_ip *ip, c2c_time t_first,
    c2c_time t_last, c2c_time window, struct c2c_ref_match *m)
{
	size_t lo = 0, hi = r->n_tor;
	struct tor_ent key;
	c2c_time from, to;
	if (window < 0 || t_last < t_first)
		return C2C_EINVAL;
	from = t_first > INT64_MIN + window ? t_first - window : INT64_MIN;
	to = t_last < INT64_MAX - window ? t_last + window : INT64_MAX;
	memset(&key, 0, sizeof(key));
	memcpy(key.a, ip->a, 16);
	key.family = ip->family;
	key.t = from;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tor_cmp(&r->tor[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < r->n_tor && r->tor[lo].family == ip->family &&
	    memcmp(r->tor[lo].a, ip->a, 16) == 0 && r->tor[lo].t <= to) {
		char txt[C2C_IP_STRLEN];
		fill_match(r, r->tor[lo].list, c2c_ip_format(ip, txt, sizeof(txt)), r->tor[lo].t, m);
		return C2C_OK;
	}
	return C2C_ENOTFOUND;
}

c2c_err
c2c_refdata_pin_json(const struct c2c_refdata *r, unsigned i, json_t **out)
{
	const struct c2c_ref_list_info *in = c2c_refdata_list_get(r, i);
	json_t *o;
	char hex[65];
	c2c_err rc;
	if (in == NULL)
		return C2C_EINVAL;
	o = json_object();
	if (o == NULL)
		return C2C_ENOMEM;
	rc = c2c_json_set_str(o, "sha256", c2c_hex(in->sha256, 32, hex));
	if (rc == C2C_OK)
		rc = c2c_json_set_int(o, "size", (int64_t)in->size);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(o, "kind", c2c_ref_kind_name(in->kind));
	if (rc == C2C_OK)
		rc = c2c_json_set_str(o, "name", in->name);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(o, "format", in->format);
	if (rc == C2C_OK)
		rc = c2c_json_set_int(o, "version", (int64_t)in->version);
	if (rc == C2C_OK)
		rc = c2c_json_set_int(o, "entries", (int64_t)in->entries);
	if (rc != C2C_OK) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return C2C_OK;
}

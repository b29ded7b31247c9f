/*
 * MaxMind DB writer (MaxMind-DB-spec.md, binary format 2.0) behind `c2chain geodb build`.
 *
 * Networks are collected, sorted by (prefix length, address) and inserted into a binary trie of
 * 128-bit keys, IPv4 under ::/96; the most specific network wins because shorter ones go in
 * first. ::ffff:0:0/96 and 2002::/16 are then aliased to the IPv4 subtree, as MaxMind's own
 * databases do. Nodes are numbered in depth-first pre-order (root 0). The data section holds
 * each distinct value once: the map keys, one {"iso_code":CC} map per country and each
 * organisation string are written first and every record refers to them by pointer. Output
 * depends only on the set of networks and the arguments, never on insertion order.
 */
#include "c2chain/enrich.h"

#include <stdlib.h>
#include <string.h>

#include "enrich/internal.h"

#define REC_EMPTY 0u
#define REC_DATA 0x80000000u /* | value index */
#define MAX_ORG 255
#define MAX_NODES 0x7ffffff0u
#define CSV_CAP ((size_t)1 << 30)

struct net_ent {
	uint8_t a[16];
	uint8_t len;  /* in the 128-bit tree */
	uint32_t val; /* value index */
	uint32_t src; /* index into srcs */
	uint64_t line;
};

struct value {
	char cc[3];
	uint32_t asn;
	char *org; /* NULL when none */
};

struct node {
	uint32_t rec[2];
};

struct c2c_mmdb_writer {
	enum c2c_mmdb_kind kind;
	struct net_ent *nets;
	size_t n_nets, cap_nets;
	struct value *vals;
	size_t n_vals, cap_vals;
	uint32_t *vidx; /* open addressing over vals: index + 1, 0 empty */
	size_t vidx_cap;
	char **srcs;
	size_t n_srcs, cap_srcs;
	enum c2c_mmdb_conflict conflict;
	unsigned force_rsize;
	struct c2c_mmdb_writer_stats st;
};

static const uint8_t hash_key[16] = { 'c', '2', 'c', 'h', 'a', 'i', 'n', '-', 'm', 'm', 'd',
	'b', '-', 'w', 'r', 't' };

c2c_err
c2c_mmdb_writer_new(enum c2c_mmdb_kind kind, struct c2c_mmdb_writer **out)
{
	struct c2c_mmdb_writer *w;
	if (kind != C2C_MMDB_COUNTRY && kind != C2C_MMDB_ASN && kind != C2C_MMDB_BOTH)
		return C2C_EINVAL;
	w = c2c_calloc(1, sizeof(*w));
	if (w == NULL)
		return C2C_ENOMEM;
	w->kind = kind;
	*out = w;
	return C2C_OK;
}

void
c2c_mmdb_writer_free(struct c2c_mmdb_writer *w)
{
	if (w == NULL)
		return;
	for (size_t i = 0; i < w->n_vals; i++)
		c2c_free(w->vals[i].org);
	for (size_t i = 0; i < w->n_srcs; i++)
		c2c_free(w->srcs[i]);
	c2c_free(w->srcs);
	c2c_free(w->vals);
	c2c_free(w->vidx);
	c2c_free(w->nets);
	c2c_free(w);
}

void
c2c_mmdb_writer_set_conflict(struct c2c_mmdb_writer *w, enum c2c_mmdb_conflict policy)
{
	w->conflict = policy;
}

c2c_err
c2c_mmdb_writer_set_record_size(struct c2c_mmdb_writer *w, unsigned bits)
{
	if (bits != 0 && bits != 24 && bits != 28 && bits != 32)
		return C2C_EINVAL;
	w->force_rsize = bits;
	return C2C_OK;
}

void
c2c_mmdb_writer_stats(const struct c2c_mmdb_writer *w, struct c2c_mmdb_writer_stats *st)
{
	*st = w->st;
	st->values = w->n_vals;
}

/* Grow an array of `size`-byte elements to hold n + 1. */
static c2c_err
grow(void **p, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *np;
	if (n < *cap)
		return C2C_OK;
	ncap = *cap ? *cap * 2 : 64;
	np = c2c_reallocarray(*p, ncap, size);
	if (np == NULL)
		return C2C_ENOMEM;
	*p = np;
	*cap = ncap;
	return C2C_OK;
}

static uint64_t
value_hash(const char *cc, uint32_t asn, const char *org)
{
	uint8_t buf[3 + 4 + MAX_ORG + 1];
	size_t ol = org ? strlen(org) : 0;
	memcpy(buf, cc, 3);
	memcpy(buf + 3, &asn, 4);
	if (ol)
		memcpy(buf + 7, org, ol);
	return c2c_siphash(buf, 7 + ol, hash_key);
}

static bool
value_eq(const struct value *v, const char *cc, uint32_t asn, const char *org)
{
	const char *vo = v->org ? v->org : "";
	return memcmp(v->cc, cc, 3) == 0 && v->asn == asn && strcmp(vo, org ? org : "") == 0;
}

static c2c_err
vidx_rebuild(struct c2c_mmdb_writer *w, size_t ncap)
{
	uint32_t *ni = c2c_calloc(ncap, sizeof(*ni));
	if (ni == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < w->n_vals; i++) {
		const struct value *v = &w->vals[i];
		size_t j = (size_t)value_hash(v->cc, v->asn, v->org) & (ncap - 1);
		while (ni[j] != 0)
			j = (j + 1) & (ncap - 1);
		ni[j] = (uint32_t)i + 1;
	}
	c2c_free(w->vidx);
	w->vidx = ni;
	w->vidx_cap = ncap;
	return C2C_OK;
}

/* Intern (cc, asn, org) and return its index. */
static c2c_err
value_intern(struct c2c_mmdb_writer *w, const char *cc, uint32_t asn, const char *org,
    uint32_t *idx)
{
	size_t j;
	c2c_err rc;
	if (org != NULL && org[0] == '\0')
		org = NULL;
	if ((w->n_vals + 1) * 2 > w->vidx_cap) {
		rc = vidx_rebuild(w, w->vidx_cap ? w->vidx_cap * 2 : 256);
		if (rc != C2C_OK)
			return rc;
	}
	for (j = (size_t)value_hash(cc, asn, org) & (w->vidx_cap - 1); w->vidx[j] != 0;
	     j = (j + 1) & (w->vidx_cap - 1)) {
		if (value_eq(&w->vals[w->vidx[j] - 1], cc, asn, org)) {
			*idx = w->vidx[j] - 1;
			return C2C_OK;
		}
	}
	if (w->n_vals >= 0x7fffffff)
		return C2C_ELIMIT;
	rc = grow((void **)&w->vals, &w->cap_vals, w->n_vals, sizeof(*w->vals));
	if (rc != C2C_OK)
		return rc;
	memset(&w->vals[w->n_vals], 0, sizeof(w->vals[0]));
	memcpy(w->vals[w->n_vals].cc, cc, 3);
	w->vals[w->n_vals].asn = asn;
	if (org != NULL) {
		w->vals[w->n_vals].org = c2c_strdup(org);
		if (w->vals[w->n_vals].org == NULL)
			return C2C_ENOMEM;
	}
	w->vidx[j] = (uint32_t)w->n_vals + 1;
	*idx = (uint32_t)w->n_vals++;
	return C2C_OK;
}

/* Remember a source name; returns its index (the last one is reused when equal). */
static c2c_err
src_intern(struct c2c_mmdb_writer *w, const char *src, uint32_t *idx)
{
	c2c_err rc;
	if (src == NULL)
		src = "(input)";
	if (w->n_srcs > 0 && strcmp(w->srcs[w->n_srcs - 1], src) == 0) {
		*idx = (uint32_t)w->n_srcs - 1;
		return C2C_OK;
	}
	rc = grow((void **)&w->srcs, &w->cap_srcs, w->n_srcs, sizeof(*w->srcs));
	if (rc != C2C_OK)
		return rc;
	w->srcs[w->n_srcs] = c2c_strdup(src);
	if (w->srcs[w->n_srcs] == NULL)
		return C2C_ENOMEM;
	*idx = (uint32_t)w->n_srcs++;
	return C2C_OK;
}

c2c_err
c2c_mmdb_writer_add(struct c2c_mmdb_writer *w, const struct c2c_ip *net, unsigned prefix_len,
    const char *country, uint32_t asn, const char *org, const char *src, uint64_t line,
    struct c2c_diag *diag)
{
	char cc[3] = "";
	struct net_ent *e;
	uint32_t val = 0, si = 0;
	unsigned tlen;
	c2c_err rc;

	if (net->family == 4 && prefix_len <= 32)
		tlen = 96 + prefix_len;
	else if (net->family == 6 && prefix_len >= 1 && prefix_len <= 128)
		tlen = prefix_len;
	else
		return c2c_diag_line(diag, C2C_EINVAL, src, line, "bad prefix length /%u",
		    prefix_len);
	if (w->kind & C2C_MMDB_COUNTRY) {
		if (country == NULL || strlen(country) != 2)
			return c2c_diag_line(diag, C2C_EINVAL, src, line,
			    "country must be a two-letter ISO 3166-1 code");
		for (int i = 0; i < 2; i++) {
			char c = country[i];
			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			if (c < 'A' || c > 'Z')
				return c2c_diag_line(diag, C2C_EINVAL, src, line,
				    "country '%s' is not two letters", country);
			cc[i] = c;
		}
	}
	if (w->kind & C2C_MMDB_ASN) {
		if (asn == 0)
			return c2c_diag_line(diag, C2C_EINVAL, src, line, "missing or zero ASN");
		if (org != NULL && strlen(org) > MAX_ORG)
			return c2c_diag_line(diag, C2C_EINVAL, src, line,
			    "organisation longer than %d bytes", MAX_ORG);
		/* MMDB strings are UTF-8; readers (ours included) reject anything else. */
		if (org != NULL && !c2c__utf8_valid((const uint8_t *)org, strlen(org)))
			return c2c_diag_line(diag, C2C_EINVAL, src, line,
			    "organisation is not valid UTF-8");
	} else {
		asn = 0;
		org = NULL;
	}
	rc = value_intern(w, cc, asn, org, &val);
	if (rc == C2C_OK)
		rc = src_intern(w, src, &si);
	if (rc == C2C_OK)
		rc = grow((void **)&w->nets, &w->cap_nets, w->n_nets, sizeof(*w->nets));
	if (rc != C2C_OK)
		return rc;
	e = &w->nets[w->n_nets++];
	memset(e, 0, sizeof(*e));
	if (net->family == 4)
		memcpy(e->a + 12, net->a + 12, 4); /* ::a.b.c.d, not ::ffff:a.b.c.d */
	else
		memcpy(e->a, net->a, 16);
	/* Clear host bits in the tree key (IPv4 ones were cleared by the caller's parser). */
	for (unsigned b = tlen; b < 128; b++)
		e->a[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
	e->len = (uint8_t)tlen;
	e->val = val;
	e->src = si;
	e->line = line;
	return C2C_OK;
}

/* ---- CSV --------------------------------------------------------------------------------- */

/* Split one line into up to `max` fields (RFC 4180 quoting). Fields are written NUL-terminated
 * into `store` (cap bytes). Returns the field count, or -1 (bad quoting / too long). */
static int
csv_split(const char *p, const char *end, char *store, size_t cap, char **fields, int max)
{
	size_t o = 0;
	int n = 0;
	for (;;) {
		if (n == max)
			return -1;
		fields[n++] = store + o;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && *p == '"') {
			p++;
			for (;;) {
				if (p >= end)
					return -1;
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						p++;
					} else {
						p++;
						break;
					}
				}
				if (o + 1 >= cap)
					return -1;
				store[o++] = *p++;
			}
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			if (p < end && *p != ',')
				return -1;
		} else {
			const char *q = p;
			while (q < end && *q != ',')
				q++;
			const char *t = q;
			while (t > p && (t[-1] == ' ' || t[-1] == '\t'))
				t--;
			if ((size_t)(t - p) + o + 1 >= cap)
				return -1;
			memcpy(store + o, p, (size_t)(t - p));
			o += (size_t)(t - p);
			p = q;
		}
		store[o++] = '\0';
		if (p >= end)
			return n;
		p++; /* the comma */
	}
}

static c2c_err
parse_asn(const char *s, uint32_t *asn)
{
	uint64_t v = 0;
	if ((s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		s += 2;
	if (*s == '\0')
		return C2C_EFORMAT;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return C2C_EFORMAT;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return C2C_EFORMAT;
	}
	*asn = (uint32_t)v;
	return C2C_OK;
}

c2c_err
c2c_mmdb_writer_add_csv(struct c2c_mmdb_writer *w, const char *path, struct c2c_diag *diag)
{
	uint8_t *data = NULL;
	size_t len = 0;
	c2c_err rc = c2c_file_slurp(path, CSV_CAP, &data, &len, diag);
	if (rc != C2C_OK)
		return rc;
	rc = c2c_mmdb_writer_add_csv_buf(w, (const char *)data, len, path, diag);
	c2c_free(data);
	return rc;
}

c2c_err
c2c_mmdb_writer_add_csv_buf(struct c2c_mmdb_writer *w, const char *text, size_t len,
    const char *path, struct c2c_diag *diag)
{
	const char *p = text, *end = text + len;
	uint64_t line = 0;
	c2c_err rc = C2C_OK;

	while (p < end && rc == C2C_OK) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;
		char store[512], *f[5];
		struct c2c_ip net;
		unsigned plen;
		uint32_t asn = 0;
		int nf;

		line++;
		if (le > p && le[-1] == '\r')
			le--;
		if (line == 1 && le - p >= 3 && (unsigned char)p[0] == 0xef &&
		    (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf)
			p += 3; /* UTF-8 byte order mark */
		while (p < le && (*p == ' ' || *p == '\t'))
			p++;
		if (p == le || *p == '#')
			goto next;
		if (memchr(p, '\0', (size_t)(le - p)) != NULL) {
			rc = c2c_diag_line(diag, C2C_EFORMAT, path, line, "NUL byte in line");
			break;
		}
		nf = csv_split(p, le, store, sizeof(store), f, 5);
		if (nf < 0 || nf == 5) {
			rc = c2c_diag_line(diag, C2C_EFORMAT, path, line,
			    "expected cidr,country[,asn,organisation] (at most 4 fields, RFC 4180 "
			    "quoting, under 512 bytes)");
			break;
		}
		if (c2c_cidr_parse(&net, &plen, f[0]) != C2C_OK) {
			if (line == 1 && (strcmp(f[0], "cidr") == 0 || strcmp(f[0], "network") == 0))
				goto next; /* header */
			rc = c2c_diag_line(diag, C2C_EFORMAT, path, line, "bad network '%.64s'",
			    f[0]);
			break;
		}
		if ((w->kind & C2C_MMDB_COUNTRY) && nf < 2) {
			rc = c2c_diag_line(diag, C2C_EFORMAT, path, line, "missing country");
			break;
		}
		if (w->kind & C2C_MMDB_ASN) {
			if (nf < 3 || parse_asn(f[2], &asn) != C2C_OK || asn == 0) {
				rc = c2c_diag_line(diag, C2C_EFORMAT, path, line,
				    "missing or bad ASN (third field, e.g. 64500 or AS64500)");
				break;
			}
		}
		rc = c2c_mmdb_writer_add(w, &net, plen, nf >= 2 ? f[1] : NULL, asn,
		    nf >= 4 ? f[3] : NULL, path, line, diag);
		if (rc == C2C_EINVAL)
			rc = C2C_EFORMAT; /* a bad field in a file is bad data */
	next:
		p = eol ? eol + 1 : end;
	}
	return rc;
}

/* ---- trie -------------------------------------------------------------------------------- */

static int
net_cmp(const void *x, const void *y)
{
	const struct net_ent *a = x, *b = y;
	int c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	c = memcmp(a->a, b->a, 16);
	if (c != 0)
		return c;
	if (a->src != b->src)
		return a->src < b->src ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

struct trie {
	struct node *n;
	size_t count, cap;
};

static c2c_err
trie_node(struct trie *t, uint32_t r0, uint32_t r1, uint32_t *idx)
{
	c2c_err rc;
	if (t->count >= MAX_NODES)
		return C2C_ELIMIT;
	rc = grow((void **)&t->n, &t->cap, t->count, sizeof(*t->n));
	if (rc != C2C_OK)
		return rc;
	t->n[t->count].rec[0] = r0;
	t->n[t->count].rec[1] = r1;
	*idx = (uint32_t)t->count++;
	return C2C_OK;
}

static unsigned
bit_at(const uint8_t a[16], unsigned i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1u;
}

static bool
is_node(uint32_t r)
{
	return r != REC_EMPTY && !(r & REC_DATA);
}

static c2c_err
trie_insert(struct trie *t, const uint8_t a[16], unsigned len, uint32_t rec)
{
	uint32_t cur = 0;
	for (unsigned d = 0; d < len; d++) {
		unsigned b = bit_at(a, d);
		uint32_t r = t->n[cur].rec[b], nn;
		c2c_err rc;
		if (d == len - 1) {
			t->n[cur].rec[b] = rec;
			return C2C_OK;
		}
		if (is_node(r)) {
			cur = r;
			continue;
		}
		/* Split a covering network (or empty space) one level down. */
		rc = trie_node(t, r, r, &nn);
		if (rc != C2C_OK)
			return rc;
		t->n[cur].rec[b] = nn;
		cur = nn;
	}
	return C2C_OK;
}

/* Point the `len`-bit prefix `a` at record `target`, unless user data already covers or fills
 * that place (then the user's networks win and there is no alias). */
static c2c_err
trie_alias(struct trie *t, const uint8_t a[16], unsigned len, uint32_t target)
{
	uint32_t cur = 0;
	for (unsigned d = 0; d < len; d++) {
		unsigned b = bit_at(a, d);
		uint32_t r = t->n[cur].rec[b], nn;
		c2c_err rc;
		if (d == len - 1) {
			if (r == REC_EMPTY)
				t->n[cur].rec[b] = target;
			return C2C_OK;
		}
		if (is_node(r)) {
			cur = r;
			continue;
		}
		if (r != REC_EMPTY)
			return C2C_OK; /* covered by a user network */
		rc = trie_node(t, REC_EMPTY, REC_EMPTY, &nn);
		if (rc != C2C_OK)
			return rc;
		t->n[cur].rec[b] = nn;
		cur = nn;
	}
	return C2C_OK;
}

/* ---- data section encoding --------------------------------------------------------------- */

enum { T_PTR = 1, T_STR = 2, T_U16 = 5, T_U32 = 6, T_MAP = 7, T_U64 = 9, T_ARRAY = 11 };

static c2c_err
put_ctrl(struct c2c_buf *b, unsigned type, size_t size)
{
	uint8_t h[6];
	size_t n = 0;
	unsigned first = type <= 7 ? type << 5 : 0;
	uint8_t ext = (uint8_t)(type > 7 ? type - 7 : 0);
	uint8_t sz[3];
	size_t nsz = 0;
	if (size < 29) {
		first |= (unsigned)size;
	} else if (size < 285) {
		first |= 29;
		sz[nsz++] = (uint8_t)(size - 29);
	} else if (size < 65821) {
		size_t s = size - 285;
		first |= 30;
		sz[nsz++] = (uint8_t)(s >> 8);
		sz[nsz++] = (uint8_t)s;
	} else {
		size_t s = size - 65821;
		if (s > 0xffffff)
			return C2C_ELIMIT;
		first |= 31;
		sz[nsz++] = (uint8_t)(s >> 16);
		sz[nsz++] = (uint8_t)(s >> 8);
		sz[nsz++] = (uint8_t)s;
	}
	h[n++] = (uint8_t)first;
	if (type > 7)
		h[n++] = ext;
	memcpy(h + n, sz, nsz);
	n += nsz;
	return c2c_buf_add(b, h, n);
}

static c2c_err
put_str(struct c2c_buf *b, const char *s)
{
	size_t l = strlen(s);
	c2c_err rc = put_ctrl(b, T_STR, l);
	return rc == C2C_OK ? c2c_buf_add(b, s, l) : rc;
}

static c2c_err
put_uint(struct c2c_buf *b, unsigned type, uint64_t v)
{
	uint8_t be[8];
	size_t n = 0;
	c2c_err rc;
	for (int i = 7; i >= 0; i--) {
		uint8_t byte = (uint8_t)(v >> (i * 8));
		if (n == 0 && byte == 0)
			continue;
		be[n++] = byte;
	}
	rc = put_ctrl(b, type, n);
	return rc == C2C_OK ? c2c_buf_add(b, be, n) : rc;
}

/* Pointer to data-section offset `off` (spec: "Pointer - 1"). */
static size_t
ptr_len(uint32_t off)
{
	if (off < 2048)
		return 2;
	if (off < 2048 + 524288)
		return 3;
	if (off < 526336u + 134217728u)
		return 4;
	return 5;
}

static c2c_err
put_ptr(struct c2c_buf *b, uint32_t off)
{
	uint8_t h[5];
	size_t n = ptr_len(off);
	uint32_t v;
	switch (n) {
	case 2:
		h[0] = (uint8_t)(T_PTR << 5 | (off >> 8 & 7));
		h[1] = (uint8_t)off;
		break;
	case 3:
		v = off - 2048;
		h[0] = (uint8_t)(T_PTR << 5 | 1 << 3 | (v >> 16 & 7));
		h[1] = (uint8_t)(v >> 8);
		h[2] = (uint8_t)v;
		break;
	case 4:
		v = off - 526336;
		h[0] = (uint8_t)(T_PTR << 5 | 2 << 3 | (v >> 24 & 7));
		h[1] = (uint8_t)(v >> 16);
		h[2] = (uint8_t)(v >> 8);
		h[3] = (uint8_t)v;
		break;
	default:
		h[0] = (uint8_t)(T_PTR << 5 | 3 << 3);
		h[1] = (uint8_t)(off >> 24);
		h[2] = (uint8_t)(off >> 16);
		h[3] = (uint8_t)(off >> 8);
		h[4] = (uint8_t)off;
		break;
	}
	return c2c_buf_add(b, h, n);
}

/* A string stored once at `off` (length `len` inline): a pointer when that is shorter. */
static c2c_err
put_shared_str(struct c2c_buf *b, const char *s, uint32_t off)
{
	size_t l = strlen(s);
	size_t inline_len = l + (l < 29 ? 1 : l < 285 ? 2 : 3);
	if (ptr_len(off) < inline_len)
		return put_ptr(b, off);
	return put_str(b, s);
}

enum { K_COUNTRY, K_ISO, K_ASN, K_ORG, K__N };
static const char *const key_names[K__N] = { "country", "iso_code", "autonomous_system_number",
	"autonomous_system_organization" };

struct org_ref {
	const char *org;
	uint32_t off;
};

static int
org_cmp(const void *x, const void *y)
{
	return strcmp(((const struct org_ref *)x)->org, ((const struct org_ref *)y)->org);
}

static const struct org_ref *
org_find(const struct org_ref *v, size_t n, const char *s)
{
	struct org_ref k = { s, 0 };
	return bsearch(&k, v, n, sizeof(*v), org_cmp);
}

/* Build the data section; val_off[i] = offset of value i's record map. */
static c2c_err
encode_data(struct c2c_mmdb_writer *w, struct c2c_buf *d, uint32_t *val_off)
{
	uint32_t key_off[K__N], cc_off[26 * 26];
	bool cc_used[26 * 26];
	struct org_ref *orgs = NULL;
	size_t n_orgs = 0;
	c2c_err rc = C2C_OK;

	memset(cc_used, 0, sizeof(cc_used));
	/* Keys first, so every record reaches them by a 2-byte pointer. */
	for (int k = 0; k < K__N && rc == C2C_OK; k++) {
		key_off[k] = (uint32_t)d->len;
		if ((w->kind & C2C_MMDB_COUNTRY) || k >= K_ASN)
			rc = put_str(d, key_names[k]);
	}
	/* One {"iso_code": CC} map per country, in code order. */
	if (w->kind & C2C_MMDB_COUNTRY) {
		for (size_t i = 0; i < w->n_vals; i++) {
			const char *cc = w->vals[i].cc;
			cc_used[(cc[0] - 'A') * 26 + (cc[1] - 'A')] = true;
		}
		for (int i = 0; i < 26 * 26 && rc == C2C_OK; i++) {
			char cc[3] = { (char)('A' + i / 26), (char)('A' + i % 26), '\0' };
			if (!cc_used[i])
				continue;
			cc_off[i] = (uint32_t)d->len;
			rc = put_ctrl(d, T_MAP, 1);
			if (rc == C2C_OK)
				rc = put_shared_str(d, key_names[K_ISO], key_off[K_ISO]);
			if (rc == C2C_OK)
				rc = put_str(d, cc);
		}
	}
	/* Each distinct organisation string once, sorted. */
	if (rc == C2C_OK && (w->kind & C2C_MMDB_ASN) && w->n_vals > 0) {
		orgs = c2c_reallocarray(NULL, w->n_vals, sizeof(*orgs));
		if (orgs == NULL)
			rc = C2C_ENOMEM;
		for (size_t i = 0; rc == C2C_OK && i < w->n_vals; i++)
			if (w->vals[i].org != NULL)
				orgs[n_orgs++].org = w->vals[i].org;
		if (rc == C2C_OK && n_orgs > 0) {
			size_t u = 0;
			qsort(orgs, n_orgs, sizeof(*orgs), org_cmp);
			for (size_t i = 0; i < n_orgs && rc == C2C_OK; i++) {
				if (u > 0 && strcmp(orgs[u - 1].org, orgs[i].org) == 0)
					continue;
				orgs[u].org = orgs[i].org;
				orgs[u].off = (uint32_t)d->len;
				rc = put_str(d, orgs[u].org);
				u++;
			}
			n_orgs = u;
		}
	}
	/* The records, in value order (canonical_values sorted them by content). */
	for (size_t i = 0; i < w->n_vals && rc == C2C_OK; i++) {
		const struct value *v = &w->vals[i];
		size_t pairs = 0;
		if (w->kind & C2C_MMDB_COUNTRY)
			pairs++;
		if (w->kind & C2C_MMDB_ASN)
			pairs += v->org != NULL ? 2 : 1;
		val_off[i] = (uint32_t)d->len;
		rc = put_ctrl(d, T_MAP, pairs);
		if (rc == C2C_OK && (w->kind & C2C_MMDB_ASN)) {
			rc = put_shared_str(d, key_names[K_ASN], key_off[K_ASN]);
			if (rc == C2C_OK)
				rc = put_uint(d, T_U32, v->asn);
			if (rc == C2C_OK && v->org != NULL) {
				const struct org_ref *o = org_find(orgs, n_orgs, v->org);
				rc = put_shared_str(d, key_names[K_ORG], key_off[K_ORG]);
				if (rc == C2C_OK)
					rc = o ? put_shared_str(d, v->org, o->off) : C2C_EINVAL;
			}
		}
		if (rc == C2C_OK && (w->kind & C2C_MMDB_COUNTRY)) {
			int ci = (v->cc[0] - 'A') * 26 + (v->cc[1] - 'A');
			rc = put_shared_str(d, key_names[K_COUNTRY], key_off[K_COUNTRY]);
			if (rc == C2C_OK)
				rc = put_ptr(d, cc_off[ci]);
		}
	}
	c2c_free(orgs);
	return rc;
}

/* Order values by content and renumber the networks, so output is independent of the order
 * rows were added in. */
static int
value_cmp(const void *x, const void *y)
{
	const struct value *a = *(const struct value *const *)x, *b = *(const struct value *const *)y;
	int c = memcmp(a->cc, b->cc, 3);
	if (c != 0)
		return c;
	if (a->asn != b->asn)
		return a->asn < b->asn ? -1 : 1;
	return strcmp(a->org ? a->org : "", b->org ? b->org : "");
}

static c2c_err
canonical_values(struct c2c_mmdb_writer *w)
{
	const struct value **pv = c2c_reallocarray(NULL, w->n_vals, sizeof(*pv));
	struct value *nv = c2c_reallocarray(NULL, w->n_vals, sizeof(*nv));
	uint32_t *map = c2c_reallocarray(NULL, w->n_vals, sizeof(*map));
	c2c_err rc = C2C_ENOMEM;
	if (pv == NULL || nv == NULL || map == NULL)
		goto out;
	for (size_t i = 0; i < w->n_vals; i++)
		pv[i] = &w->vals[i];
	qsort(pv, w->n_vals, sizeof(*pv), value_cmp);
	for (size_t i = 0; i < w->n_vals; i++) {
		map[pv[i] - w->vals] = (uint32_t)i;
		nv[i] = *pv[i];
	}
	for (size_t i = 0; i < w->n_nets; i++)
		w->nets[i].val = map[w->nets[i].val];
	c2c_free(w->vals);
	w->vals = nv;
	w->cap_vals = w->n_vals;
	nv = NULL;
	rc = vidx_rebuild(w, w->vidx_cap);
out:
	c2c_free(pv);
	c2c_free(nv);
	c2c_free(map);
	return rc;
}

/* ---- assembling the file ----------------------------------------------------------------- */

static c2c_err
put_record_pair(struct c2c_buf *b, unsigned size, uint32_t l, uint32_t r)
{
	uint8_t h[8];
	size_t n;
	switch (size) {
	case 24:
		h[0] = (uint8_t)(l >> 16);
		h[1] = (uint8_t)(l >> 8);
		h[2] = (uint8_t)l;
		h[3] = (uint8_t)(r >> 16);
		h[4] = (uint8_t)(r >> 8);
		h[5] = (uint8_t)r;
		n = 6;
		break;
	case 28:
		/* The middle byte holds the top nibble of each record (left high, right low). */
		h[0] = (uint8_t)(l >> 16);
		h[1] = (uint8_t)(l >> 8);
		h[2] = (uint8_t)l;
		h[3] = (uint8_t)((l >> 24 & 0x0f) << 4 | (r >> 24 & 0x0f));
		h[4] = (uint8_t)(r >> 16);
		h[5] = (uint8_t)(r >> 8);
		h[6] = (uint8_t)r;
		n = 7;
		break;
	default:
		for (int i = 0; i < 4; i++) {
			h[i] = (uint8_t)(l >> (24 - 8 * i));
			h[4 + i] = (uint8_t)(r >> (24 - 8 * i));
		}
		n = 8;
		break;
	}
	return c2c_buf_add(b, h, n);
}

static c2c_err
put_metadata(struct c2c_buf *b, const char *type, uint64_t epoch, const char *desc,
    uint32_t nodes, unsigned record_size)
{
	static const uint8_t marker[] = { 0xab, 0xcd, 0xef, 'M', 'a', 'x', 'M', 'i', 'n', 'd', '.',
		'c', 'o', 'm' };
	c2c_err rc = c2c_buf_add(b, marker, sizeof(marker));
	if (rc == C2C_OK)
		rc = put_ctrl(b, T_MAP, 9);
#define KV(k, expr)                                   \
	do {                                          \
		if (rc == C2C_OK)                     \
			rc = put_str(b, k);           \
		if (rc == C2C_OK)                     \
			rc = (expr);                  \
	} while (0)
	KV("binary_format_major_version", put_uint(b, T_U16, 2));
	KV("binary_format_minor_version", put_uint(b, T_U16, 0));
	KV("build_epoch", put_uint(b, T_U64, epoch));
	KV("database_type", put_str(b, type));
	KV("description", put_ctrl(b, T_MAP, 1));
	KV("en", put_str(b, desc));
	KV("ip_version", put_uint(b, T_U16, 6));
	KV("languages", put_ctrl(b, T_ARRAY, 1));
	if (rc == C2C_OK)
		rc = put_str(b, "en");
	KV("node_count", put_uint(b, T_U32, nodes));
	KV("record_size", put_uint(b, T_U16, record_size));
#undef KV
	return rc;
}

c2c_err
c2c_mmdb_writer_finish(struct c2c_mmdb_writer *w, const char *database_type,
    uint64_t build_epoch, const char *description, struct c2c_buf *out, struct c2c_diag *diag)
{
	struct trie t = { NULL, 0, 0 };
	struct c2c_buf data;
	uint32_t *val_off = NULL, *newid = NULL, *order = NULL, *stack = NULL;
	uint32_t ipv4 = REC_EMPTY, root, nn = 0;
	size_t u = 0, sp = 0;
	uint64_t maxrec;
	unsigned rsize;
	c2c_err rc;

	c2c_buf_init(&data, (size_t)1 << 31);
	/* libmaxminddb refuses a build_epoch of 0 as invalid metadata. */
	if (w->n_nets == 0 || database_type == NULL || description == NULL || build_epoch == 0 ||
	    build_epoch > 9007199254740991ULL)
		return C2C_EINVAL;
	rc = canonical_values(w);
	if (rc != C2C_OK)
		goto out;
	qsort(w->nets, w->n_nets, sizeof(*w->nets), net_cmp);
	/* Drop identical repeats; the same network with other data is an error. */
	w->st.duplicates = 0;
	w->st.conflicts = 0;
	for (size_t i = 0; i < w->n_nets; i++) {
		if (u > 0 && w->nets[u - 1].len == w->nets[i].len &&
		    memcmp(w->nets[u - 1].a, w->nets[i].a, 16) == 0) {
			const struct net_ent *a = &w->nets[u - 1], *b = &w->nets[i];
			if (a->val != b->val && w->conflict == C2C_MMDB_CONFLICT_FIRST) {
				w->st.conflicts++; /* sorted by (src, line): a came first */
				continue;
			}
			if (a->val != b->val) {
				rc = c2c_diag_line(diag, C2C_EFORMAT, w->srcs[b->src], b->line,
				    "network also given at %s:%llu with different data",
				    w->srcs[a->src], (unsigned long long)a->line);
				goto out;
			}
			w->st.duplicates++;
			continue;
		}
		w->nets[u++] = w->nets[i];
	}
	w->n_nets = u;
	w->st.networks = u;

	rc = trie_node(&t, REC_EMPTY, REC_EMPTY, &root);
	for (size_t i = 0; i < w->n_nets && rc == C2C_OK; i++)
		rc = trie_insert(&t, w->nets[i].a, w->nets[i].len, REC_DATA | w->nets[i].val);
	if (rc != C2C_OK)
		goto out;
	/* The IPv4 subtree: the record reached after 96 zero bits. */
	{
		static const uint8_t zero[16];
		static const uint8_t mapped[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		static const uint8_t six2four[16] = { 0x20, 0x02 };
		uint32_t cur = 0;
		unsigned d;
		for (d = 0; d < 96; d++) {
			uint32_t r = t.n[cur].rec[bit_at(zero, d)];
			if (d == 95 || !is_node(r)) {
				ipv4 = d == 95 ? r : REC_EMPTY;
				break;
			}
			cur = r;
		}
		if (is_node(ipv4)) {
			rc = trie_alias(&t, mapped, 96, ipv4);
			if (rc == C2C_OK)
				rc = trie_alias(&t, six2four, 16, ipv4);
			if (rc != C2C_OK)
				goto out;
		}
	}
	/* Number the nodes in depth-first pre-order, left first; aliases reuse numbers. */
	newid = c2c_reallocarray(NULL, t.count, sizeof(*newid));
	order = c2c_reallocarray(NULL, t.count, sizeof(*order));
	stack = c2c_reallocarray(NULL, t.count + 1, sizeof(*stack));
	if (newid == NULL || order == NULL || stack == NULL) {
		rc = C2C_ENOMEM;
		goto out;
	}
	memset(newid, 0xff, t.count * sizeof(*newid));
	stack[sp++] = 0;
	while (sp > 0) {
		uint32_t x = stack[--sp];
		if (newid[x] != UINT32_MAX)
			continue;
		newid[x] = nn;
		order[nn++] = x;
		for (int side = 1; side >= 0; side--) {
			uint32_t r = t.n[x].rec[side];
			if (is_node(r) && newid[r] == UINT32_MAX)
				stack[sp++] = r;
		}
	}
	w->st.nodes = nn;
	val_off = c2c_reallocarray(NULL, w->n_vals, sizeof(*val_off));
	if (val_off == NULL) {
		rc = C2C_ENOMEM;
		goto out;
	}
	rc = encode_data(w, &data, val_off);
	if (rc != C2C_OK)
		goto out;
	maxrec = (uint64_t)nn + 16 + data.len;
	rsize = maxrec < (1u << 24) ? 24 : maxrec < (1u << 28) ? 28 : 32;
	if (w->force_rsize != 0) {
		if (w->force_rsize < rsize) {
			rc = C2C_ELIMIT;
			goto out;
		}
		rsize = w->force_rsize;
	}
	if (maxrec > UINT32_MAX) {
		rc = C2C_ELIMIT;
		goto out;
	}
	w->st.record_size = rsize;
	c2c_buf_reset(out);
	rc = c2c_buf_reserve(out, (size_t)nn * rsize / 4 + 16 + data.len + 512);
	for (uint32_t i = 0; i < nn && rc == C2C_OK; i++) {
		uint32_t rec[2];
		for (int side = 0; side < 2; side++) {
			uint32_t r = t.n[order[i]].rec[side];
			if (r == REC_EMPTY)
				rec[side] = nn;
			else if (r & REC_DATA)
				rec[side] = nn + 16 + val_off[r & ~REC_DATA];
			else
				rec[side] = newid[r];
		}
		rc = put_record_pair(out, rsize, rec[0], rec[1]);
	}
	if (rc == C2C_OK) {
		static const uint8_t sep[16];
		rc = c2c_buf_add(out, sep, sizeof(sep));
	}
	if (rc == C2C_OK)
		rc = c2c_buf_add(out, data.data, data.len);
	if (rc == C2C_OK)
		rc = put_metadata(out, database_type, build_epoch, description, nn, rsize);
out:
	c2c_buf_fini(&data);
	c2c_free(t.n);
	c2c_free(val_off);
	c2c_free(newid);
	c2c_free(order);
	c2c_free(stack);
	return rc;
}

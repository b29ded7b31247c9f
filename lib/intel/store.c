/*
 * The indicator store. Loaders append 24-byte records (struct rec) plus interned strings and
 * label sets; c2c_intel_freeze() then builds flat, pointer-free lookup tables, one set for block
 * indicators and one for allow-lists:
 *
 *   IPv4 exact   a first level indexed by the top 16 bits -> a run of sorted low 16 bits (2 bytes
 *                per address), so a lookup is one 256 KiB-table read plus one short scan.
 *   IPv6 exact   sorted 128-bit keys, binary search.
 *   CIDR         prefixes turned into disjoint elementary intervals, each owned by its innermost
 *                prefix; every prefix knows its enclosing prefix, so "all covering prefixes" is
 *                a walk up that chain. IPv4 intervals get the same top-16-bit first level.
 *   domain, URL  open-addressing hash (SipHash, power-of-two table, linear probing) over unique
 *                strings; suffix matching hashes each parent name of the query.
 *   IPv4 filter  per set, one compact membership index over the exact addresses and CIDRs
 *                together (v4set.h): c2c_intel_any_v4 is that alone, and an IPv4 match that
 *                misses it ends there.
 *
 * Records sharing a key are contiguous in a permutation array, in id order, so results come
 * out in a deterministic order independent of hashing.
 */
#include "c2chain/intel.h"

#include <stdlib.h>
#include <string.h>

#include "intel/internal.h"
#include "intel/v4set.h"

__extension__ typedef unsigned __int128 u128;

#define NONE UINT32_MAX
#define REC_ALLOW 1u
#define MAX_FEEDS 65535u
#define STR_CAP ((size_t)UINT32_MAX - 1)

/* One indicator: 24 bytes. `key` is the IPv4 address, the index of an IPv6 address in v6keys,
 * or the string-pool offset of a domain / URL / substring (strings are interned, so equal
 * strings have equal offsets). */
struct rec {
	uint32_t key;
	uint32_t line; /* saturates at UINT32_MAX; exact value then in ext */
	uint32_t labels; /* label set id, 0 = none */
	uint32_t ext;    /* index+1 into exts, 0 = none */
	uint16_t feed;
	uint16_t port;
	uint8_t type;
	uint8_t prefix;
	uint8_t flags;
	uint8_t pad;
};

/* Rarely present extras: validity window, object id, score, big line numbers. */
struct ext {
	c2c_time from, until;
	uint64_t line;
	uint32_t object; /* string offset + 1, 0 = none */
	int32_t score;
};

struct note {
	uint64_t line;
	uint32_t feed;
	uint32_t object; /* string offset + 1 */
	uint32_t text;   /* string offset */
	const char *reason; /* static */
	bool malformed;
};

/* A feed's counters; path and name are pool offsets (the pool moves while loading). */
struct feedrec {
	struct c2c_feed_info info;
	uint32_t path, name;
};

struct labelset {
	uint32_t start; /* into members */
	uint32_t n;
};

/* Open-addressing table of u32 values (index + 1; 0 = empty) for interning, with each slot's
 * hash kept alongside so that probes compare hashes before keys and growth never rehashes. */
struct itab {
	uint32_t *slot;
	uint32_t *hash;
	size_t mask; /* cap - 1; cap 0 = no table */
	size_t n;
};

/* Prefix table of one family inside a lookup set. */
struct pfx {
	u128 net;
	uint8_t len;
	uint32_t first, count; /* run in perm */
	uint32_t parent;       /* enclosing prefix or NONE */
};

/* Unique string of the domain / URL tables. */
struct sent {
	uint32_t str;
	uint32_t first, count; /* run in perm */
	uint32_t hash;
};

/* The lookup tables built from one class of indicators (block or allow). */
struct lset {
	/* IPv4 "covered at all?" index over the exact addresses and CIDRs of this set (v4set.h):
	 * a lookup that misses ends after one 256 KiB-table read and one cache line. */
	struct c2c__v4set v4;
	/* IPv4 exact */
	uint32_t *x4idx; /* 65537 entries */
	uint16_t *x4lo;
	uint32_t *x4first; /* n_x4 + 1 */
	size_t n_x4;
	/* IPv6 exact */
	u128 *x6key;
	uint32_t *x6first;
	size_t n_x6;
	/* CIDR, per family */
	struct pfx *p4, *p6;
	size_t n_p4, n_p6;
	uint32_t *c4idx; /* 65537 entries */
	uint32_t *c4start, *c4own;
	size_t n_c4;
	u128 *c6start;
	uint32_t *c6own;
	size_t n_c6;
	/* domains and URLs */
	struct sent *dom, *url;
	size_t n_dom, n_url;
	uint32_t *domtab, *urltab; /* index + 1 */
	size_t dommask, urlmask;
	/* substrings (allow-lists) */
	uint32_t *sub;
	size_t n_sub;
	/* permutation of record ids, runs referenced above */
	uint32_t *perm;
	size_t n_perm;
};

struct c2c_intel {
	struct rec *recs;
	size_t n_recs, cap_recs;
	struct ext *exts;
	size_t n_exts, cap_exts;
	u128 *v6keys;
	size_t n_v6, cap_v6;
	struct c2c_buf strs; /* interned, NUL-terminated */
	struct itab strtab;
	struct feedrec *feeds;
	size_t n_feeds, cap_feeds;
	struct note *notes;
	size_t n_notes, cap_notes;
	/* labels: members are label ids; labels are (type, string) pairs */
	uint32_t *lab_str;
	uint8_t *lab_type;
	size_t n_labs, cap_labs;
	struct itab labtab;
	uint32_t *members;
	size_t n_members, cap_members;
	struct labelset *lsets;
	size_t n_lsets, cap_lsets;
	struct itab lstab;
	/* built by freeze */
	bool frozen;
	struct c2c_label *pub_labels; /* parallel to members */
	struct lset blk, alw;
	uint64_t dup_cross; /* values present in more than one feed */
};

static const uint8_t hkey[16] = { 'c', '2', 'c', 'h', 'a', 'i', 'n', '-', 'i', 'n', 't', 'e', 'l',
	'-', 'k', '1' };

static uint32_t
strhash(const char *s, size_t len)
{
	return (uint32_t)c2c_siphash(s, len, hkey);
}

/* ---- names ------------------------------------------------------------------------------ */

const char *
c2c_ioc_type_name(enum c2c_ioc_type t)
{
	static const char *const names[] = { "none",
#define C2C_X_(e, s) s,
		C2C_IOC_TYPE_MAP(C2C_X_)
#undef C2C_X_
	};
	return (unsigned)t < C2C_ARRAY_LEN(names) ? names[t] : "?";
}

const char *
c2c_label_type_name(enum c2c_label_type t)
{
	static const char *const names[] = { "none",
#define C2C_X_(e, s) s,
		C2C_LABEL_TYPE_MAP(C2C_X_)
#undef C2C_X_
	};
	return (unsigned)t < C2C_ARRAY_LEN(names) ? names[t] : "?";
}

static const char *const kind_names[] = {
#define C2C_X_(e, s) s,
	C2C_FEED_KIND_MAP(C2C_X_)
#undef C2C_X_
};

const char *
c2c_feed_kind_name(enum c2c_feed_kind k)
{
	return (unsigned)k < C2C_ARRAY_LEN(kind_names) ? kind_names[k] : "?";
}

c2c_err
c2c_feed_kind_parse(const char *s, enum c2c_feed_kind *out)
{
	for (size_t i = 0; i < C2C_ARRAY_LEN(kind_names); i++)
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum c2c_feed_kind)i;
			return C2C_OK;
		}
	return C2C_ENOTFOUND;
}

/* ---- growth ------------------------------------------------------------------------------ */

/* Make room for one more element in a growable array. */
static c2c_err
grow(void **p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return C2C_OK;
	size_t nc = *cap ? *cap * 2 : 64;
	void *np = c2c_reallocarray(*p, nc, size);
	if (np == NULL)
		return C2C_ENOMEM;
	*p = np;
	*cap = nc;
	return C2C_OK;
}

#define GROW(arr, n, cap) grow((void **)&(arr), &(cap), (n), sizeof(*(arr)))

/* ---- interning tables --------------------------------------------------------------------- */

typedef bool (*itab_eq)(const struct c2c_intel *in, uint32_t idx, const void *key);

/* Find `key` (with hash h); returns the slot pointer (value 0 when absent). */
static uint32_t *
itab_find(struct itab *t, const struct c2c_intel *in, uint32_t h, itab_eq eq, const void *key)
{
	size_t i = h & t->mask;
	for (;;) {
		uint32_t v = t->slot[i];
		if (v == 0 || (t->hash[i] == h && eq(in, v - 1, key)))
			return &t->slot[i];
		i = (i + 1) & t->mask;
	}
}

/* Fill an empty slot returned by itab_find. */
static void
itab_set(struct itab *t, uint32_t *slot, uint32_t v, uint32_t h)
{
	*slot = v;
	t->hash[slot - t->slot] = h;
	t->n++;
}

/* Keep the load factor at or below one half. */
static c2c_err
itab_reserve(struct itab *t)
{
	size_t cap = t->slot ? t->mask + 1 : 0;
	if ((t->n + 1) * 2 <= cap)
		return C2C_OK;
	size_t nc = cap ? cap * 2 : 256;
	uint32_t *ns = c2c_calloc(nc, sizeof(*ns));
	uint32_t *nh = c2c_reallocarray(NULL, nc, sizeof(*nh));
	if (ns == NULL || nh == NULL) {
		c2c_free(ns);
		c2c_free(nh);
		return C2C_ENOMEM;
	}
	for (size_t i = 0; i < cap; i++) {
		uint32_t v = t->slot[i];
		if (v == 0)
			continue;
		size_t j = t->hash[i] & (nc - 1);
		while (ns[j] != 0)
			j = (j + 1) & (nc - 1);
		ns[j] = v;
		nh[j] = t->hash[i];
	}
	c2c_free(t->slot);
	c2c_free(t->hash);
	t->slot = ns;
	t->hash = nh;
	t->mask = nc - 1;
	return C2C_OK;
}

static const char *
str_at(const struct c2c_intel *in, uint32_t off)
{
	return (const char *)in->strs.data + off;
}

struct strkey {
	const char *s;
	size_t len;
};

static bool
str_eq(const struct c2c_intel *in, uint32_t off, const void *key)
{
	const struct strkey *k = key;
	const char *s = str_at(in, off);
	return strncmp(s, k->s, k->len) == 0 && s[k->len] == '\0';
}

/* The table stores offset + 1 so that offset 0 is representable; itab adds one more. */
static bool
str_eq1(const struct c2c_intel *in, uint32_t idx, const void *key)
{
	return str_eq(in, idx, key);
}

/* Intern a string; *off receives its pool offset. */
static c2c_err
intern(struct c2c_intel *in, const char *s, size_t len, uint32_t *off)
{
	c2c_err err;
	if (memchr(s, '\0', len) != NULL)
		len = strlen(s);
	if ((err = itab_reserve(&in->strtab)) != C2C_OK)
		return err;
	struct strkey k = { s, len };
	uint32_t h = strhash(s, len);
	uint32_t *slot = itab_find(&in->strtab, in, h, str_eq1, &k);
	if (*slot != 0) {
		*off = *slot - 1;
		return C2C_OK;
	}
	if (in->strs.len + len + 1 > STR_CAP)
		return C2C_ELIMIT;
	uint32_t o = (uint32_t)in->strs.len;
	if ((err = c2c_buf_add(&in->strs, s, len)) != C2C_OK ||
	    (err = c2c_buf_addc(&in->strs, '\0')) != C2C_OK)
		return err;
	itab_set(&in->strtab, slot, o + 1, h);
	*off = o;
	return C2C_OK;
}

/* ---- lifecycle ----------------------------------------------------------------------------- */

c2c_err
c2c_intel_new(struct c2c_intel **out)
{
	struct c2c_intel *in = c2c_calloc(1, sizeof(*in));
	if (in == NULL)
		return C2C_ENOMEM;
	c2c_buf_init(&in->strs, STR_CAP);
	/* offset 0 holds the empty string */
	if (c2c_buf_addc(&in->strs, '\0') != C2C_OK) {
		c2c_free(in);
		return C2C_ENOMEM;
	}
	*out = in;
	return C2C_OK;
}

static void
lset_free(struct lset *s)
{
	c2c__v4set_fini(&s->v4);
	c2c_free(s->x4idx);
	c2c_free(s->x4lo);
	c2c_free(s->x4first);
	c2c_free(s->x6key);
	c2c_free(s->x6first);
	c2c_free(s->p4);
	c2c_free(s->p6);
	c2c_free(s->c4idx);
	c2c_free(s->c4start);
	c2c_free(s->c4own);
	c2c_free(s->c6start);
	c2c_free(s->c6own);
	c2c_free(s->dom);
	c2c_free(s->url);
	c2c_free(s->domtab);
	c2c_free(s->urltab);
	c2c_free(s->sub);
	c2c_free(s->perm);
	memset(s, 0, sizeof(*s));
}

void
c2c_intel_free(struct c2c_intel *in)
{
	if (in == NULL)
		return;
	lset_free(&in->blk);
	lset_free(&in->alw);
	c2c_free(in->pub_labels);
	c2c_free(in->recs);
	c2c_free(in->exts);
	c2c_free(in->v6keys);
	c2c_buf_fini(&in->strs);
	c2c_free(in->strtab.slot);
	c2c_free(in->strtab.hash);
	c2c_free(in->feeds);
	c2c_free(in->notes);
	c2c_free(in->lab_str);
	c2c_free(in->lab_type);
	c2c_free(in->labtab.slot);
	c2c_free(in->labtab.hash);
	c2c_free(in->members);
	c2c_free(in->lsets);
	c2c_free(in->lstab.slot);
	c2c_free(in->lstab.hash);
	c2c_free(in);
}

/* ---- feeds ---------------------------------------------------------------------------------- */

c2c_err
c2c__intel_feed_open(struct c2c_intel *in, const char *path, const struct c2c_feed_opts *o,
    struct c2c__feed *f)
{
	c2c_err err;
	uint32_t poff, noff;
	if (in->frozen)
		return C2C_EINVAL;
	if (in->n_feeds >= MAX_FEEDS)
		return C2C_ELIMIT;
	if ((err = GROW(in->feeds, in->n_feeds, in->cap_feeds)) != C2C_OK)
		return err;
	if ((err = intern(in, path, strlen(path), &poff)) != C2C_OK)
		return err;
	noff = poff;
	if (o != NULL && o->name != NULL && (err = intern(in, o->name, strlen(o->name), &noff)) != C2C_OK)
		return err;
	struct feedrec *fr = &in->feeds[in->n_feeds];
	memset(fr, 0, sizeof(*fr));
	fr->path = poff;
	fr->name = noff;
	fr->info.kind = o != NULL ? o->kind : C2C_FEED_AUTO;
	fr->info.allow = o != NULL && o->allow;
	f->in = in;
	f->id = (uint32_t)in->n_feeds;
	f->src = path;
	f->info = &fr->info;
	f->allow = fr->info.allow;
	in->n_feeds++;
	return C2C_OK;
}

c2c_err
c2c__intel_feed_name(struct c2c__feed *f, const char *name)
{
	uint32_t off;
	c2c_err err = intern(f->in, name, strlen(name), &off);
	if (err == C2C_OK)
		f->in->feeds[f->id].name = off;
	return err;
}

void
c2c__intel_feed_abort(struct c2c__feed *f)
{
	struct c2c_intel *in = f->in;
	/* Feeds load one at a time, so everything of this feed sits at the tails. */
	while (in->n_recs > 0 && in->recs[in->n_recs - 1].feed == f->id)
		in->n_recs--;
	while (in->n_notes > 0 && in->notes[in->n_notes - 1].feed == f->id)
		in->n_notes--;
	if (f->id + 1 == in->n_feeds)
		in->n_feeds--;
}

struct c2c_feed_info *
c2c__intel_feed_info(struct c2c_intel *in, uint32_t id)
{
	return &in->feeds[id].info;
}

size_t
c2c_intel_feed_count(const struct c2c_intel *in)
{
	return in->n_feeds;
}

void
c2c_intel_feed(const struct c2c_intel *in, uint32_t feed, struct c2c_feed_info *out)
{
	*out = in->feeds[feed].info;
	out->path = str_at(in, in->feeds[feed].path);
	out->name = str_at(in, in->feeds[feed].name);
}

/* ---- labels --------------------------------------------------------------------------------- */

struct labkey {
	uint8_t type;
	uint32_t str;
};

static bool
lab_eq(const struct c2c_intel *in, uint32_t idx, const void *key)
{
	const struct labkey *k = key;
	return in->lab_type[idx] == k->type && in->lab_str[idx] == k->str;
}

static uint32_t
lab_hash(uint8_t type, uint32_t str)
{
	uint64_t x = ((uint64_t)type << 32 | str) * 0x9E3779B97F4A7C15ull;
	return (uint32_t)(x >> 32);
}

static c2c_err
label_id(struct c2c_intel *in, const struct c2c_label *l, uint32_t *id)
{
	c2c_err err;
	uint32_t off;
	if ((err = intern(in, l->value, strlen(l->value), &off)) != C2C_OK)
		return err;
	if ((err = itab_reserve(&in->labtab)) != C2C_OK)
		return err;
	struct labkey k = { (uint8_t)l->type, off };
	uint32_t h = lab_hash(k.type, off);
	uint32_t *slot = itab_find(&in->labtab, in, h, lab_eq, &k);
	if (*slot != 0) {
		*id = *slot - 1;
		return C2C_OK;
	}
	if ((err = GROW(in->lab_str, in->n_labs, in->cap_labs)) != C2C_OK)
		return err;
	/* lab_type shares cap_labs: grow it to the same capacity */
	uint8_t *nt = c2c_realloc(in->lab_type, in->cap_labs);
	if (nt == NULL)
		return C2C_ENOMEM;
	in->lab_type = nt;
	in->lab_str[in->n_labs] = off;
	in->lab_type[in->n_labs] = (uint8_t)l->type;
	itab_set(&in->labtab, slot, (uint32_t)in->n_labs + 1, h);
	*id = (uint32_t)in->n_labs++;
	return C2C_OK;
}

struct lskey {
	const uint32_t *ids;
	size_t n;
};

static uint32_t
ls_hash(const uint32_t *ids, size_t n)
{
	return strhash((const char *)ids, n * sizeof(*ids));
}

static bool
ls_eq(const struct c2c_intel *in, uint32_t idx, const void *key)
{
	const struct lskey *k = key;
	const struct labelset *ls = &in->lsets[idx];
	return ls->n == k->n && memcmp(in->members + ls->start, k->ids, k->n * 4) == 0;
}

c2c_err
c2c__intel_labelset(struct c2c__feed *f, const struct c2c_label *labels, size_t n, uint32_t *id)
{
	struct c2c_intel *in = f->in;
	uint32_t ids[64];
	size_t k = 0;
	c2c_err err;
	*id = 0;
	for (size_t i = 0; i < n && k < C2C_ARRAY_LEN(ids); i++) {
		uint32_t lid;
		if (labels[i].value == NULL || labels[i].value[0] == '\0')
			continue;
		if ((err = label_id(in, &labels[i], &lid)) != C2C_OK)
			return err;
		bool seen = false;
		for (size_t j = 0; j < k; j++)
			seen = seen || ids[j] == lid;
		if (!seen)
			ids[k++] = lid;
	}
	if (k == 0)
		return C2C_OK;
	if ((err = itab_reserve(&in->lstab)) != C2C_OK)
		return err;
	struct lskey key = { ids, k };
	uint32_t h = ls_hash(ids, k);
	uint32_t *slot = itab_find(&in->lstab, in, h, ls_eq, &key);
	if (*slot != 0) {
		*id = *slot; /* label set ids are index + 1 */
		return C2C_OK;
	}
	if ((err = GROW(in->lsets, in->n_lsets, in->cap_lsets)) != C2C_OK)
		return err;
	while (in->n_members + k > in->cap_members)
		if ((err = grow((void **)&in->members, &in->cap_members, in->cap_members,
			 sizeof(*in->members))) != C2C_OK)
			return err;
	memcpy(in->members + in->n_members, ids, k * sizeof(*ids));
	in->lsets[in->n_lsets].start = (uint32_t)in->n_members;
	in->lsets[in->n_lsets].n = (uint32_t)k;
	in->n_members += k;
	itab_set(&in->lstab, slot, (uint32_t)in->n_lsets + 1, h);
	*id = (uint32_t)++in->n_lsets;
	return C2C_OK;
}

/* ---- adding -------------------------------------------------------------------------------- */

void
c2c__ioc_init(struct c2c__ioc *ioc)
{
	memset(ioc, 0, sizeof(*ioc));
	ioc->from = C2C_TIME_NONE;
	ioc->until = C2C_TIME_NONE;
	ioc->score = -1;
}

static u128
ip128(const struct c2c_ip *ip)
{
	u128 v = 0;
	for (int i = 0; i < 16; i++)
		v = v << 8 | ip->a[i];
	return v;
}

static void
ip_from128(struct c2c_ip *ip, u128 v, unsigned family)
{
	for (int i = 15; i >= 0; i--) {
		ip->a[i] = (uint8_t)v;
		v >>= 8;
	}
	ip->family = (uint8_t)family;
}

c2c_err
c2c__intel_add(struct c2c__feed *f, const struct c2c__ioc *ioc, uint32_t labels)
{
	struct c2c_intel *in = f->in;
	struct rec r;
	c2c_err err;
	memset(&r, 0, sizeof(r));
	r.type = (uint8_t)ioc->type;
	r.feed = (uint16_t)f->id;
	r.port = ioc->port;
	r.labels = labels;
	r.flags = f->allow ? REC_ALLOW : 0;
	switch (ioc->type) {
	case C2C_IOC_IPV4:
		r.key = c2c_ip_v4(&ioc->ip);
		r.prefix = 32;
		break;
	case C2C_IOC_IPV6:
	case C2C_IOC_CIDR:
		if (ioc->type == C2C_IOC_CIDR && ioc->ip.family == 4) {
			/* IPv4 CIDRs keep the address in key; /32 already became IPV4 */
			r.key = c2c_ip_v4(&ioc->ip);
			r.prefix = (uint8_t)ioc->prefix;
			if (ioc->prefix == 0)
				r.key = 0;
			else if (ioc->prefix < 32)
				r.key &= ~((1u << (32 - ioc->prefix)) - 1);
			break;
		}
		if ((err = GROW(in->v6keys, in->n_v6, in->cap_v6)) != C2C_OK)
			return err;
		if (in->n_v6 >= UINT32_MAX)
			return C2C_ELIMIT;
		in->v6keys[in->n_v6] = ip128(&ioc->ip);
		if (ioc->type == C2C_IOC_CIDR && ioc->prefix < 128) /* clear host bits */
			in->v6keys[in->n_v6] &= ~(((u128)1 << (128 - ioc->prefix)) - 1);
		r.key = (uint32_t)in->n_v6++;
		r.prefix = (uint8_t)(ioc->type == C2C_IOC_IPV6 ? 128 : ioc->prefix);
		/* prefix of a CIDR is stored relative to its family; family from pad */
		r.pad = ioc->ip.family;
		break;
	case C2C_IOC_DOMAIN:
	case C2C_IOC_DOMAIN_SUFFIX:
	case C2C_IOC_URL:
	case C2C_IOC_SUBSTRING:
		if ((err = intern(in, ioc->str, ioc->str_len, &r.key)) != C2C_OK)
			return err;
		break;
	default:
		return C2C_EINVAL;
	}
	if (ioc->type == C2C_IOC_IPV4)
		r.pad = 4;
	else if (ioc->type == C2C_IOC_CIDR && ioc->ip.family == 4)
		r.pad = 4;
	bool big_line = ioc->line >= UINT32_MAX;
	r.line = big_line ? UINT32_MAX : (uint32_t)ioc->line;
	if (ioc->from != C2C_TIME_NONE || ioc->until != C2C_TIME_NONE || ioc->object != NULL ||
	    ioc->score >= 0 || big_line) {
		struct ext e;
		e.from = ioc->from;
		e.until = ioc->until;
		e.line = ioc->line;
		e.score = ioc->score;
		e.object = 0;
		if (ioc->object != NULL) {
			uint32_t off;
			if ((err = intern(in, ioc->object, strlen(ioc->object), &off)) != C2C_OK)
				return err;
			e.object = off + 1;
		}
		if ((err = GROW(in->exts, in->n_exts, in->cap_exts)) != C2C_OK)
			return err;
		in->exts[in->n_exts] = e;
		r.ext = (uint32_t)++in->n_exts;
	}
	if ((err = GROW(in->recs, in->n_recs, in->cap_recs)) != C2C_OK)
		return err;
	if (in->n_recs >= UINT32_MAX - 1)
		return C2C_ELIMIT;
	in->recs[in->n_recs++] = r;
	f->info->indicators++;
	f->info->by_type[ioc->type]++;
	return C2C_OK;
}

c2c_err
c2c__intel_note(struct c2c__feed *f, uint64_t line, const char *object, const char *text,
    size_t text_len, bool malformed, const char *reason)
{
	struct c2c_intel *in = f->in;
	struct note n;
	c2c_err err;
	if (malformed)
		f->info->malformed++;
	else
		f->info->unsupported++;
	n.line = line;
	n.feed = f->id;
	n.reason = reason;
	n.malformed = malformed;
	n.object = 0;
	if (text_len > 120)
		text_len = 120;
	/* strip a trailing CR so notes print cleanly */
	while (text_len > 0 && c2c__is_space(text[text_len - 1]))
		text_len--;
	if ((err = intern(in, text, text_len, &n.text)) != C2C_OK)
		return err;
	if (object != NULL) {
		uint32_t off;
		if ((err = intern(in, object, strlen(object), &off)) != C2C_OK)
			return err;
		n.object = off + 1;
	}
	if ((err = GROW(in->notes, in->n_notes, in->cap_notes)) != C2C_OK)
		return err;
	in->notes[in->n_notes++] = n;
	return C2C_OK;
}

size_t
c2c_intel_note_count(const struct c2c_intel *in)
{
	return in->n_notes;
}

void
c2c_intel_note(const struct c2c_intel *in, size_t i, struct c2c_intel_note *out)
{
	const struct note *n = &in->notes[i];
	out->feed = n->feed;
	out->line = n->line;
	out->object = n->object ? str_at(in, n->object - 1) : NULL;
	out->text = str_at(in, n->text);
	out->reason = n->reason;
	out->malformed = n->malformed;
}

size_t
c2c_intel_indicator_count(const struct c2c_intel *in)
{
	return in->n_recs;
}

void
c2c_intel_indicator(const struct c2c_intel *in, uint32_t id, struct c2c_indicator *out)
{
	const struct rec *r = &in->recs[id];
	memset(out, 0, sizeof(*out));
	out->type = (enum c2c_ioc_type)r->type;
	out->port = r->port;
	out->feed = r->feed;
	out->line = r->line;
	out->allow = (r->flags & REC_ALLOW) != 0;
	out->valid_from = C2C_TIME_NONE;
	out->valid_until = C2C_TIME_NONE;
	out->score = -1;
	out->prefix = r->prefix;
	switch (r->type) {
	case C2C_IOC_IPV4:
		c2c_ip_from_v4(&out->ip, r->key);
		break;
	case C2C_IOC_IPV6:
		ip_from128(&out->ip, in->v6keys[r->key], 6);
		break;
	case C2C_IOC_CIDR:
		if (r->pad == 4)
			c2c_ip_from_v4(&out->ip, r->key);
		else
			ip_from128(&out->ip, in->v6keys[r->key], 6);
		break;
	default:
		out->value = str_at(in, r->key);
		break;
	}
	if (r->ext != 0) {
		const struct ext *e = &in->exts[r->ext - 1];
		out->valid_from = e->from;
		out->valid_until = e->until;
		out->score = e->score;
		out->line = e->line;
		out->object = e->object ? str_at(in, e->object - 1) : NULL;
	}
	if (r->labels != 0 && in->pub_labels != NULL) {
		const struct labelset *ls = &in->lsets[r->labels - 1];
		out->n_labels = ls->n;
		out->labels = in->pub_labels + ls->start;
	}
}

/* ---- freeze ------------------------------------------------------------------------------------ */

static u128
rec_addr(const struct c2c_intel *in, const struct rec *r)
{
	if (r->pad == 4)
		return (u128)0xffff << 32 | r->key; /* IPv4-mapped: sorts apart from IPv6 */
	return in->v6keys[r->key];
}

/* Sorting records: each gets a flat key (class, then k1, k2, k3, then id) computed once, so
 * the comparisons read contiguous memory instead of chasing records and IPv6 keys. Classes
 * are few; records are first placed by class (counting sort), then each class is sorted. */
struct skey {
	uint64_t k1, k2, k3;
	uint32_t id, cls;
};

/* Stable LSD radix sort of a[0..n) by (k1, k2, k3), one byte per pass, skipping bytes that
 * every key shares (an IPv4 class sorts in four passes over the low 32 bits of k2). Stable, so
 * keys that tie keep their input order. The result ends in a or tmp: returned. */
static struct skey *
radix_skey(struct skey *a, struct skey *tmp, size_t n)
{
	uint64_t and_[3] = { ~0ull, ~0ull, ~0ull }, or_[3] = { 0, 0, 0 };
	for (size_t i = 0; i < n; i++) {
		and_[0] &= a[i].k3;
		or_[0] |= a[i].k3;
		and_[1] &= a[i].k2;
		or_[1] |= a[i].k2;
		and_[2] &= a[i].k1;
		or_[2] |= a[i].k1;
	}
	for (unsigned w = 0; w < 3; w++)
		for (unsigned sh = 0; sh < 64; sh += 8) {
			if ((((and_[w] ^ or_[w]) >> sh) & 255) == 0)
				continue;
			size_t cnt[256] = { 0 };
			for (size_t i = 0; i < n; i++) {
				uint64_t v = w == 0 ? a[i].k3 : w == 1 ? a[i].k2 : a[i].k1;
				cnt[(v >> sh) & 255]++;
			}
			size_t sum = 0;
			for (unsigned d = 0; d < 256; d++) {
				size_t c = cnt[d];
				cnt[d] = sum;
				sum += c;
			}
			for (size_t i = 0; i < n; i++) {
				uint64_t v = w == 0 ? a[i].k3 : w == 1 ? a[i].k2 : a[i].k1;
				tmp[cnt[(v >> sh) & 255]++] = a[i];
			}
			struct skey *t = a;
			a = tmp;
			tmp = t;
		}
	return a;
}

enum sort_order {
	BY_LOOKUP, /* type class (suffix domains with domains), family, value, prefix, id */
	BY_VALUE   /* type, value, prefix, port, flags, feed, id (duplicate counting) */
};
#define NCLASS 64

static void
skey_of(const struct c2c_intel *in, uint32_t id, enum sort_order o, struct skey *k)
{
	const struct rec *r = &in->recs[id];
	uint8_t t = r->type;
	u128 v = r->key;
	if (t == C2C_IOC_IPV6 || t == C2C_IOC_CIDR)
		v = rec_addr(in, r);
	k->k1 = (uint64_t)(v >> 64);
	k->k2 = (uint64_t)v;
	k->id = id;
	if (o == BY_LOOKUP) {
		if (t == C2C_IOC_DOMAIN_SUFFIX)
			t = C2C_IOC_DOMAIN;
		k->cls = (uint32_t)t << 3 | ((t == C2C_IOC_IPV6 || t == C2C_IOC_CIDR) ? (r->pad & 7u) : 0);
		k->k3 = r->prefix;
	} else {
		/* (feed, id) order is id order: feeds are loaded one after another */
		k->cls = t;
		k->k3 = (uint64_t)r->prefix << 24 | (uint64_t)r->port << 8 | r->flags;
	}
}

/* ids[0..n) (record ids, ascending) sorted in place by `o`; ties keep id order. */
static c2c_err
sort_ids(const struct c2c_intel *in, uint32_t *ids, size_t n, enum sort_order o)
{
	size_t start[NCLASS + 1] = { 0 };
	struct skey *k = c2c_reallocarray(NULL, n ? n : 1, sizeof(*k));
	struct skey *tmp = c2c_reallocarray(NULL, n ? n : 1, sizeof(*tmp));
	if (k == NULL || tmp == NULL) {
		c2c_free(k);
		c2c_free(tmp);
		return C2C_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct skey t;
		skey_of(in, ids[i], o, &t);
		start[t.cls + 1]++;
	}
	for (size_t c = 1; c <= NCLASS; c++)
		start[c] += start[c - 1];
	size_t pos[NCLASS];
	memcpy(pos, start, sizeof(pos));
	for (size_t i = 0; i < n; i++) {
		struct skey t;
		skey_of(in, ids[i], o, &t);
		k[pos[t.cls]++] = t;
	}
	for (size_t c = 0; c < NCLASS; c++) {
		size_t a = start[c], m = start[c + 1] - a;
		if (m < 2)
			continue;
		const struct skey *r = radix_skey(k + a, tmp + a, m);
		for (size_t i = 0; i < m; i++)
			ids[a + i] = r[i].id;
	}
	for (size_t c = 0; c < NCLASS; c++)
		if (start[c + 1] - start[c] == 1)
			ids[start[c]] = k[start[c]].id;
	c2c_free(k);
	c2c_free(tmp);
	return C2C_OK;
}

static bool
same_value(const struct c2c_intel *in, uint32_t a, uint32_t b)
{
	const struct rec *x = &in->recs[a], *y = &in->recs[b];
	if (x->type != y->type || x->port != y->port || x->flags != y->flags)
		return false;
	if (x->type == C2C_IOC_IPV6 || x->type == C2C_IOC_CIDR)
		return x->pad == y->pad && rec_addr(in, x) == rec_addr(in, y) &&
		    x->prefix == y->prefix;
	return x->key == y->key;
}

static c2c_err
count_duplicates(struct c2c_intel *in)
{
	uint32_t *ids = c2c_reallocarray(NULL, in->n_recs ? in->n_recs : 1, sizeof(*ids));
	if (ids == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < in->n_recs; i++)
		ids[i] = (uint32_t)i;
	c2c_err err = sort_ids(in, ids, in->n_recs, BY_VALUE);
	if (err != C2C_OK) {
		c2c_free(ids);
		return err;
	}
	for (size_t i = 0; i < in->n_feeds; i++)
		in->feeds[i].info.duplicates = 0;
	in->dup_cross = 0;
	for (size_t i = 0; i < in->n_recs;) {
		size_t j = i + 1;
		unsigned feeds = 1;
		while (j < in->n_recs && same_value(in, ids[i], ids[j])) {
			if (in->recs[ids[j]].feed == in->recs[ids[j - 1]].feed)
				in->feeds[in->recs[ids[j]].feed].info.duplicates++;
			else
				feeds++;
			j++;
		}
		if (feeds > 1)
			in->dup_cross++;
		i = j;
	}
	c2c_free(ids);
	return C2C_OK;
}

/* Build IPv4 exact tables from a run of ids (sorted by address). */
static c2c_err
build_x4(struct c2c_intel *in, struct lset *s, const uint32_t *ids, size_t n, size_t base)
{
	size_t nu = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || in->recs[ids[i]].key != in->recs[ids[i - 1]].key)
			nu++;
	s->x4idx = c2c_calloc(65537, sizeof(*s->x4idx));
	s->x4lo = c2c_reallocarray(NULL, nu ? nu : 1, sizeof(*s->x4lo));
	s->x4first = c2c_reallocarray(NULL, nu + 1, sizeof(*s->x4first));
	if (s->x4idx == NULL || s->x4lo == NULL || s->x4first == NULL)
		return C2C_ENOMEM;
	size_t u = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t k = in->recs[ids[i]].key;
		if (i == 0 || k != in->recs[ids[i - 1]].key) {
			s->x4lo[u] = (uint16_t)k;
			s->x4first[u] = (uint32_t)(base + i);
			s->x4idx[(k >> 16) + 1]++;
			u++;
		}
	}
	s->x4first[u] = (uint32_t)(base + n);
	for (size_t b = 1; b <= 65536; b++)
		s->x4idx[b] += s->x4idx[b - 1];
	s->n_x4 = nu;
	return C2C_OK;
}

static c2c_err
build_x6(struct c2c_intel *in, struct lset *s, const uint32_t *ids, size_t n, size_t base)
{
	size_t nu = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || in->v6keys[in->recs[ids[i]].key] != in->v6keys[in->recs[ids[i - 1]].key])
			nu++;
	s->x6key = c2c_reallocarray(NULL, nu ? nu : 1, sizeof(*s->x6key));
	s->x6first = c2c_reallocarray(NULL, nu + 1, sizeof(*s->x6first));
	if (s->x6key == NULL || s->x6first == NULL)
		return C2C_ENOMEM;
	size_t u = 0;
	for (size_t i = 0; i < n; i++) {
		u128 k = in->v6keys[in->recs[ids[i]].key];
		if (i == 0 || k != s->x6key[u - 1]) {
			s->x6key[u] = k;
			s->x6first[u] = (uint32_t)(base + i);
			u++;
		}
	}
	s->x6first[u] = (uint32_t)(base + n);
	s->n_x6 = nu;
	return C2C_OK;
}

/* Elementary intervals of a prefix set of one family (`bits` 32 or 128). Prefixes arrive
 * sorted by (network, length), so an enclosing prefix precedes what it encloses. */
struct ivb {
	u128 *start;
	uint32_t *own;
	size_t n, cap;
};

static c2c_err
iv_emit(struct ivb *b, u128 pos, uint32_t own)
{
	if (b->n > 0 && b->start[b->n - 1] == pos) {
		b->own[b->n - 1] = own;
		if (b->n > 1 && b->own[b->n - 2] == own)
			b->n--;
		return C2C_OK;
	}
	if (b->n > 0 && b->own[b->n - 1] == own)
		return C2C_OK;
	if (b->n == b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 64;
		u128 *ns = c2c_reallocarray(b->start, nc, sizeof(*ns));
		if (ns == NULL)
			return C2C_ENOMEM;
		b->start = ns;
		uint32_t *no = c2c_reallocarray(b->own, nc, sizeof(*no));
		if (no == NULL)
			return C2C_ENOMEM;
		b->own = no;
		b->cap = nc;
	}
	b->start[b->n] = pos;
	b->own[b->n] = own;
	b->n++;
	return C2C_OK;
}

static u128
pfx_last(const struct pfx *p, unsigned bits)
{
	unsigned host = bits - p->len;
	u128 mask = host >= 128 ? ~(u128)0 : (((u128)1 << host) - 1);
	return p->net | mask;
}

static c2c_err
build_intervals(struct pfx *p, size_t n, unsigned bits, struct ivb *b)
{
	uint32_t stack[130];
	size_t sp = 0;
	u128 max = bits == 32 ? (u128)UINT32_MAX : ~(u128)0;
	c2c_err err;
	if ((err = iv_emit(b, 0, NONE)) != C2C_OK)
		return err;
	for (size_t i = 0; i < n; i++) {
		while (sp > 0 && pfx_last(&p[stack[sp - 1]], bits) < p[i].net) {
			u128 last = pfx_last(&p[stack[--sp]], bits);
			if (last != max &&
			    (err = iv_emit(b, last + 1, sp ? stack[sp - 1] : NONE)) != C2C_OK)
				return err;
		}
		p[i].parent = sp ? stack[sp - 1] : NONE;
		if ((err = iv_emit(b, p[i].net, (uint32_t)i)) != C2C_OK)
			return err;
		stack[sp++] = (uint32_t)i;
	}
	while (sp > 0) {
		u128 last = pfx_last(&p[stack[--sp]], bits);
		if (last != max && (err = iv_emit(b, last + 1, sp ? stack[sp - 1] : NONE)) != C2C_OK)
			return err;
	}
	return C2C_OK;
}

/* Prefix table and intervals for one family from a run of CIDR ids sorted by (net, len). */
static c2c_err
build_cidr(struct c2c_intel *in, struct lset *s, const uint32_t *ids, size_t n, size_t base,
    unsigned family)
{
	size_t nu = 0;
	c2c_err err;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || rec_addr(in, &in->recs[ids[i]]) != rec_addr(in, &in->recs[ids[i - 1]]) ||
		    in->recs[ids[i]].prefix != in->recs[ids[i - 1]].prefix)
			nu++;
	struct pfx *p = c2c_calloc(nu ? nu : 1, sizeof(*p));
	if (p == NULL)
		return C2C_ENOMEM;
	size_t u = 0;
	for (size_t i = 0; i < n; i++) {
		const struct rec *r = &in->recs[ids[i]];
		u128 a = rec_addr(in, r);
		unsigned bits = family == 4 ? 32 : 128;
		if (family == 4)
			a &= UINT32_MAX;
		if (r->prefix < bits) /* loaders clear host bits; never trust it here */
			a &= ~(((u128)1 << (bits - r->prefix)) - 1);
		if (u > 0 && p[u - 1].net == a && p[u - 1].len == r->prefix) {
			p[u - 1].count++;
			continue;
		}
		p[u].net = a;
		p[u].len = r->prefix;
		p[u].first = (uint32_t)(base + i);
		p[u].count = 1;
		u++;
	}
	struct ivb b = { NULL, NULL, 0, 0 };
	err = build_intervals(p, nu, family == 4 ? 32 : 128, &b);
	if (err != C2C_OK) {
		c2c_free(p);
		c2c_free(b.start);
		c2c_free(b.own);
		return err;
	}
	if (family == 4) {
		s->p4 = p;
		s->n_p4 = nu;
		s->c4own = b.own;
		s->n_c4 = b.n;
		s->c4start = c2c_reallocarray(NULL, b.n, sizeof(*s->c4start));
		s->c4idx = c2c_calloc(65537, sizeof(*s->c4idx));
		if (s->c4start == NULL || s->c4idx == NULL) {
			c2c_free(b.start);
			return C2C_ENOMEM;
		}
		for (size_t i = 0; i < b.n; i++)
			s->c4start[i] = (uint32_t)b.start[i];
		c2c_free(b.start);
		/* c4idx[h] = index of the last interval starting at or before h << 16 */
		size_t j = 0;
		for (size_t h = 0; h < 65536; h++) {
			uint32_t at = (uint32_t)h << 16;
			while (j + 1 < b.n && s->c4start[j + 1] <= at)
				j++;
			s->c4idx[h] = (uint32_t)j;
		}
		s->c4idx[65536] = (uint32_t)(b.n - 1);
	} else {
		s->p6 = p;
		s->n_p6 = nu;
		s->c6start = b.start;
		s->c6own = b.own;
		s->n_c6 = b.n;
	}
	return C2C_OK;
}

/* Unique strings of a run of ids sorted by key, plus their hash table. */
static c2c_err
build_strings(struct c2c_intel *in, const uint32_t *ids, size_t n, size_t base, struct sent **out,
    size_t *nout, uint32_t **tab, size_t *mask)
{
	size_t nu = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || in->recs[ids[i]].key != in->recs[ids[i - 1]].key)
			nu++;
	struct sent *e = c2c_calloc(nu ? nu : 1, sizeof(*e));
	size_t cap = 16;
	while (cap < nu * 2)
		cap *= 2;
	uint32_t *t = c2c_calloc(cap, sizeof(*t));
	if (e == NULL || t == NULL) {
		c2c_free(e);
		c2c_free(t);
		return C2C_ENOMEM;
	}
	size_t u = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t k = in->recs[ids[i]].key;
		if (u > 0 && e[u - 1].str == k) {
			e[u - 1].count++;
			continue;
		}
		const char *s = str_at(in, k);
		e[u].str = k;
		e[u].first = (uint32_t)(base + i);
		e[u].count = 1;
		e[u].hash = strhash(s, strlen(s));
		size_t j = e[u].hash & (cap - 1);
		while (t[j] != 0)
			j = (j + 1) & (cap - 1);
		t[j] = (uint32_t)u + 1;
		u++;
	}
	*out = e;
	*nout = nu;
	*tab = t;
	*mask = cap - 1;
	return C2C_OK;
}

/* The membership index over every IPv4 exact address and CIDR of the set. */
static c2c_err
build_v4(struct lset *s)
{
	size_t n = s->n_x4 + s->n_p4;
	if (n == 0)
		return C2C_OK;
	struct c2c__v4range *r = c2c_reallocarray(NULL, n, sizeof(*r));
	if (r == NULL)
		return C2C_ENOMEM;
	size_t k = 0;
	for (uint32_t h = 0; h < 65536 && s->x4idx != NULL; h++)
		for (uint32_t u = s->x4idx[h]; u < s->x4idx[h + 1]; u++) {
			r[k].first = r[k].last = h << 16 | s->x4lo[u];
			k++;
		}
	for (size_t i = 0; i < s->n_p4; i++) {
		uint32_t net = (uint32_t)s->p4[i].net;
		unsigned len = s->p4[i].len;
		r[k].first = net;
		r[k].last = len == 0 ? UINT32_MAX : net | (uint32_t)((1ull << (32 - len)) - 1);
		k++;
	}
	c2c_err err = c2c__v4set_build(&s->v4, r, k);
	c2c_free(r);
	return err;
}

static c2c_err
build_lset(struct c2c_intel *in, struct lset *s, bool allow)
{
	c2c_err err;
	size_t n = 0;
	for (size_t i = 0; i < in->n_recs; i++)
		if (((in->recs[i].flags & REC_ALLOW) != 0) == allow)
			n++;
	s->perm = c2c_reallocarray(NULL, n ? n : 1, sizeof(*s->perm));
	if (s->perm == NULL)
		return C2C_ENOMEM;
	s->n_perm = n;
	n = 0;
	for (size_t i = 0; i < in->n_recs; i++)
		if (((in->recs[i].flags & REC_ALLOW) != 0) == allow)
			s->perm[n++] = (uint32_t)i;
	if ((err = sort_ids(in, s->perm, n, BY_LOOKUP)) != C2C_OK)
		return err;
	/* Walk the runs by type (the sort's first key). */
	for (size_t i = 0; i < n;) {
		const struct rec *r = &in->recs[s->perm[i]];
		uint8_t t = r->type == C2C_IOC_DOMAIN_SUFFIX ? C2C_IOC_DOMAIN : r->type;
		uint8_t fam = r->pad;
		size_t j = i;
		while (j < n) {
			const struct rec *q = &in->recs[s->perm[j]];
			uint8_t tq = q->type == C2C_IOC_DOMAIN_SUFFIX ? C2C_IOC_DOMAIN : q->type;
			if (tq != t || (t == C2C_IOC_CIDR && q->pad != fam))
				break;
			j++;
		}
		const uint32_t *run = s->perm + i;
		switch (t) {
		case C2C_IOC_IPV4:
			err = build_x4(in, s, run, j - i, i);
			break;
		case C2C_IOC_IPV6:
			err = build_x6(in, s, run, j - i, i);
			break;
		case C2C_IOC_CIDR:
			err = build_cidr(in, s, run, j - i, i, fam);
			break;
		case C2C_IOC_DOMAIN:
			err = build_strings(in, run, j - i, i, &s->dom, &s->n_dom, &s->domtab,
			    &s->dommask);
			break;
		case C2C_IOC_URL:
			err = build_strings(in, run, j - i, i, &s->url, &s->n_url, &s->urltab,
			    &s->urlmask);
			break;
		default: /* SUBSTRING */
			s->sub = c2c_reallocarray(NULL, j - i, sizeof(*s->sub));
			err = s->sub == NULL ? C2C_ENOMEM : C2C_OK;
			if (err == C2C_OK) {
				memcpy(s->sub, run, (j - i) * sizeof(*s->sub));
				s->n_sub = j - i;
			}
			break;
		}
		if (err != C2C_OK)
			return err;
		i = j;
	}
	return build_v4(s);
}

c2c_err
c2c_intel_freeze(struct c2c_intel *in)
{
	c2c_err err;
	if (in->frozen)
		return C2C_EINVAL;
	in->pub_labels = c2c_reallocarray(NULL, in->n_members ? in->n_members : 1,
	    sizeof(*in->pub_labels));
	if (in->pub_labels == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < in->n_members; i++) {
		uint32_t l = in->members[i];
		in->pub_labels[i].type = (enum c2c_label_type)in->lab_type[l];
		in->pub_labels[i].value = str_at(in, in->lab_str[l]);
	}
	if ((err = count_duplicates(in)) != C2C_OK || (err = build_lset(in, &in->blk, false)) != C2C_OK ||
	    (err = build_lset(in, &in->alw, true)) != C2C_OK) {
		lset_free(&in->blk);
		lset_free(&in->alw);
		c2c_free(in->pub_labels);
		in->pub_labels = NULL;
		return err;
	}
	in->frozen = true;
	return C2C_OK;
}

uint64_t
c2c_intel_duplicates_across(const struct c2c_intel *in)
{
	return in->dup_cross;
}

/* ---- lookups ----------------------------------------------------------------------------------- */

/* Index of `lo` within the run x4lo[a..b), or NONE. */
static inline uint32_t
x4_find(const struct lset *s, uint32_t addr)
{
	if (s->x4idx == NULL)
		return NONE;
	uint32_t h = addr >> 16, a = s->x4idx[h], b = s->x4idx[h + 1];
	uint16_t lo = (uint16_t)addr;
	while (b - a > 16) {
		uint32_t m = a + (b - a) / 2;
		if (s->x4lo[m] <= lo)
			a = m;
		else
			b = m;
	}
	for (uint32_t i = a; i < b; i++)
		if (s->x4lo[i] == lo)
			return i;
	return NONE;
}

/* Innermost prefix covering addr, or NONE. */
static inline uint32_t
c4_find(const struct lset *s, uint32_t addr)
{
	if (s->c4idx == NULL)
		return NONE;
	uint32_t h = addr >> 16, a = s->c4idx[h], b = s->c4idx[h + 1] + 1;
	/* last interval in [a, b) with start <= addr; start[a] <= addr holds */
	while (b - a > 1) {
		uint32_t m = a + (b - a) / 2;
		if (s->c4start[m] <= addr)
			a = m;
		else
			b = m;
	}
	return s->c4own[a];
}

static uint32_t
c6_find(const struct lset *s, u128 addr)
{
	if (s->n_c6 == 0)
		return NONE;
	size_t a = 0, b = s->n_c6;
	while (b - a > 1) {
		size_t m = a + (b - a) / 2;
		if (s->c6start[m] <= addr)
			a = m;
		else
			b = m;
	}
	return s->c6own[a];
}

static uint32_t
x6_find(const struct lset *s, u128 addr)
{
	size_t a = 0, b = s->n_x6;
	while (a < b) {
		size_t m = a + (b - a) / 2;
		if (s->x6key[m] < addr)
			a = m + 1;
		else
			b = m;
	}
	return a < s->n_x6 && s->x6key[a] == addr ? (uint32_t)a : NONE;
}

bool
c2c_intel_any_v4(const struct c2c_intel *in, uint32_t addr)
{
	return c2c__v4set_has(&in->blk.v4, addr);
}

size_t
c2c_intel_any_v4_batch(const struct c2c_intel *in, const uint32_t *addrs, size_t n, uint8_t *out)
{
	return c2c__v4set_has_batch(&in->blk.v4, addrs, n, out);
}

static bool
in_window(const struct c2c_intel *in, const struct rec *r, c2c_time t)
{
	if (r->ext == 0 || t == C2C_TIME_NONE)
		return true;
	const struct ext *e = &in->exts[r->ext - 1];
	if (e->from != C2C_TIME_NONE && t < e->from)
		return false;
	if (e->until != C2C_TIME_NONE && t >= e->until)
		return false;
	return true;
}

struct out {
	struct c2c_intel_hit *hits;
	size_t cap, n;
};

static void
put(struct out *o, uint32_t id, uint8_t how)
{
	if (o->n < o->cap) {
		o->hits[o->n].id = id;
		o->hits[o->n].how = how;
	}
	o->n++;
}

/* Emit the records of perm[first .. first+count) that pass port and time. Runs come from two
 * sets (block, allow); each run is already in id order. */
static void
put_run(const struct c2c_intel *in, const struct lset *s, uint32_t first, uint32_t count,
    uint16_t port, c2c_time t, uint8_t how, uint8_t only_type, struct out *o)
{
	for (uint32_t i = first; i < first + count; i++) {
		uint32_t id = s->perm[i];
		const struct rec *r = &in->recs[id];
		if (port != 0 && r->port != 0 && r->port != port)
			continue;
		if (only_type != 0 && r->type != only_type)
			continue;
		if (!in_window(in, r, t))
			continue;
		put(o, id, how);
	}
}

static void
match_ip_set(const struct c2c_intel *in, const struct lset *s, const struct c2c_ip *ip,
    uint16_t port, c2c_time t, struct out *o)
{
	if (ip->family == 4) {
		uint32_t a = c2c_ip_v4(ip);
		if (!c2c__v4set_has(&s->v4, a))
			return;
		uint32_t u = x4_find(s, a);
		if (u != NONE)
			put_run(in, s, s->x4first[u], s->x4first[u + 1] - s->x4first[u], port, t,
			    C2C_MATCH_EXACT, 0, o);
		for (uint32_t p = c4_find(s, a); p != NONE; p = s->p4[p].parent)
			put_run(in, s, s->p4[p].first, s->p4[p].count, port, t, C2C_MATCH_PREFIX, 0,
			    o);
	} else if (ip->family == 6) {
		u128 a = ip128(ip);
		uint32_t u = x6_find(s, a);
		if (u != NONE)
			put_run(in, s, s->x6first[u], s->x6first[u + 1] - s->x6first[u], port, t,
			    C2C_MATCH_EXACT, 0, o);
		for (uint32_t p = c6_find(s, a); p != NONE; p = s->p6[p].parent)
			put_run(in, s, s->p6[p].first, s->p6[p].count, port, t, C2C_MATCH_PREFIX, 0,
			    o);
	}
}

size_t
c2c_intel_match_ip(const struct c2c_intel *in, const struct c2c_ip *ip, uint16_t port,
    c2c_time t, struct c2c_intel_hit *hits, size_t cap)
{
	struct out o = { hits, cap, 0 };
	if (!in->frozen)
		return 0;
	match_ip_set(in, &in->blk, ip, port, t, &o);
	match_ip_set(in, &in->alw, ip, port, t, &o);
	return o.n;
}

static const struct sent *
str_find(const struct c2c_intel *in, const struct sent *e, const uint32_t *tab, size_t mask,
    const char *s, size_t len)
{
	if (tab == NULL)
		return NULL;
	uint32_t h = strhash(s, len);
	for (size_t j = h & mask;; j = (j + 1) & mask) {
		uint32_t v = tab[j];
		if (v == 0)
			return NULL;
		const struct sent *x = &e[v - 1];
		if (x->hash == h) {
			const char *k = str_at(in, x->str);
			if (strncmp(k, s, len) == 0 && k[len] == '\0')
				return x;
		}
	}
}

static void
match_sub(const struct c2c_intel *in, const struct lset *s, const char *v, c2c_time t,
    struct out *o)
{
	for (size_t i = 0; i < s->n_sub; i++) {
		const struct rec *r = &in->recs[s->sub[i]];
		const char *needle = str_at(in, r->key);
		if (needle[0] != '\0' && strstr(v, needle) != NULL && in_window(in, r, t))
			put(o, s->sub[i], C2C_MATCH_SUBSTRING);
	}
}

static void
match_domain_set(const struct c2c_intel *in, const struct lset *s, const char *name, size_t len,
    c2c_time t, struct out *o)
{
	const struct sent *e = str_find(in, s->dom, s->domtab, s->dommask, name, len);
	if (e != NULL)
		put_run(in, s, e->first, e->count, 0, t, C2C_MATCH_EXACT, 0, o);
	for (size_t i = 0; i < len; i++) {
		if (name[i] != '.')
			continue;
		e = str_find(in, s->dom, s->domtab, s->dommask, name + i + 1, len - i - 1);
		if (e != NULL)
			put_run(in, s, e->first, e->count, 0, t, C2C_MATCH_SUFFIX,
			    C2C_IOC_DOMAIN_SUFFIX, o);
	}
	match_sub(in, s, name, t, o);
}

size_t
c2c_intel_match_domain(const struct c2c_intel *in, const char *name, c2c_time t,
    struct c2c_intel_hit *hits, size_t cap)
{
	struct out o = { hits, cap, 0 };
	char buf[1024];
	size_t len = strlen(name);
	if (!in->frozen)
		return 0;
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len >= sizeof(buf))
		return 0;
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	buf[len] = '\0';
	match_domain_set(in, &in->blk, buf, len, t, &o);
	match_domain_set(in, &in->alw, buf, len, t, &o);
	return o.n;
}

size_t
c2c_intel_match_url(const struct c2c_intel *in, const char *host, const char *path, c2c_time t,
    struct c2c_intel_hit *hits, size_t cap)
{
	struct out o = { hits, cap, 0 };
	char buf[2048];
	if (!in->frozen)
		return 0;
	/* An absolute-form request target carries its own host. */
	const char *sep = strstr(path, "://");
	if (sep != NULL) {
		const char *h = sep + 3;
		const char *slash = strchr(h, '/');
		size_t hl = slash ? (size_t)(slash - h) : strlen(h);
		if (hl >= sizeof(buf) - 2)
			return 0;
		memcpy(buf, h, hl);
		buf[hl] = '\0';
		return c2c_intel_match_url(in, buf, slash ? slash : "/", t, hits, cap);
	}
	size_t hl = strlen(host), pl = strlen(path);
	if (hl == 0 || hl + pl + 2 > sizeof(buf))
		return 0;
	for (size_t i = 0; i < hl; i++)
		buf[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] + 32 : host[i]);
	size_t n = hl;
	if (path[0] != '/')
		buf[n++] = '/';
	memcpy(buf + n, path, pl);
	n += pl;
	buf[n] = '\0';
	/* strip the default port the way the loaders do */
	for (int pass = 0; pass < 2; pass++) {
		const struct lset *s = pass ? &in->alw : &in->blk;
		const struct sent *e = str_find(in, s->url, s->urltab, s->urlmask, buf, n);
		if (e != NULL)
			put_run(in, s, e->first, e->count, 0, t, C2C_MATCH_EXACT, 0, &o);
		match_sub(in, s, buf, t, &o);
	}
	return o.n;
}

size_t
c2c_intel_memory(const struct c2c_intel *in)
{
	size_t m = in->cap_recs * sizeof(struct rec) + in->cap_exts * sizeof(struct ext) +
	    in->cap_v6 * sizeof(u128) + in->strs.alloc + (in->strtab.mask + 1) * 8 +
	    in->cap_notes * sizeof(struct note) + in->cap_feeds * sizeof(struct feedrec) +
	    in->cap_members * (4 + sizeof(struct c2c_label)) + in->cap_labs * 5 +
	    in->cap_lsets * sizeof(struct labelset) + (in->labtab.mask + 1) * 8 +
	    (in->lstab.mask + 1) * 8;
	for (int pass = 0; pass < 2; pass++) {
		const struct lset *s = pass ? &in->alw : &in->blk;
		m += c2c__v4set_memory(&s->v4);
		if (s->x4idx)
			m += 65537 * 4 + s->n_x4 * 6 + 4;
		m += s->n_x6 * 20 + (s->n_p4 + s->n_p6) * sizeof(struct pfx);
		if (s->c4idx)
			m += 65537 * 4 + s->n_c4 * 8;
		m += s->n_c6 * 20 + (s->n_dom + s->n_url) * sizeof(struct sent);
		if (s->domtab)
			m += (s->dommask + 1) * 4;
		if (s->urltab)
			m += (s->urlmask + 1) * 4;
		m += s->n_sub * 4 + s->n_perm * 4;
	}
	return m;
}

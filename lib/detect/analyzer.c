/*
 * The streaming front end of behavioural detection. Flows are appended, as they arrive, to the
 * series of their (host, peer) pair: a chain of 64-byte chunks carved from 4 MiB slabs, each
 * connection delta-encoded as varints (time, sizes, duration, port, evidence reference, join
 * key): typically 12-20 bytes per connection and no allocation per record. Observations feed
 * three small tables: join keys (Zeek uid or Community ID) -> FQDN from TLS SNI / HTTP Host /
 * proxy requests, (host, address) -> FQDN from DNS answers, and per registered domain DNS
 * statistics.
 *
 * finish() walks the pairs grouped by host in address order, decodes each series, moves the
 * connections that carry a name to the host's (host, FQDN) series, scores every series (long
 * connection, strobe, beacon), applies the server-centric pass (default mode), evaluates DNS
 * domains and sorts the findings. Memory at finish is one host's connections plus the findings.
 */
#include <stdlib.h>
#include <string.h>

#include "c2chain/json.h"
#include "detect/internal.h"

#define CHUNK 64u
#define CHUNK_DATA (CHUNK - 4u)
#define SLAB_CHUNKS (1u << 16)
#define PAIR_PAGE (1u << 16)
#define MAX_ENTRY 160
#define REFS_INLINE 64
#define SAMPLE 8

enum { K_IP = 0, K_NAME = 1 };
enum { PF_TRUNC = 1, PF_INTERNAL = 2 };
/* Entry header bits. */
enum {
	E_KEY = 1,
	E_LAST = 2,
	E_INPUT = 4,
	E_REC = 8,
	E_OPEN = 16,
	E_OBS = 32, /* carries the reference of the observation that named it */
	E_NAME = 64, /* carries a name index (late joins only, at finish) */
	E_DROP = 128 /* in memory only: a superseded snapshot of an open connection */
};
enum { SRC_SNI = 1, SRC_HTTP = 2, SRC_PROXY = 3, SRC_DNS = 4 };
enum { T_BEACON = 0, T_LONG = 1, T_STROBE = 2, T_DNS = 3 };

struct chain {
	uint32_t head, tail;
	uint16_t tail_used;
};

struct ipent {
	struct c2c_ip ip;
	uint8_t internal;
	uint8_t is_host;
};

struct pair {
	uint32_t host, peer;
	struct chain ch;
	uint8_t kind, flags;
	uint32_t stored;
	uint64_t count;
	int64_t prev_ts;
	uint64_t prev_off;
	uint32_t prev_input;
};

struct keyent {
	uint64_t key; /* 0 = empty */
	uint32_t name;
	uint8_t src;
	struct c2c_evref ev;
};

struct dnsmap {
	uint32_t host, ip; /* ip table indices; host == UINT32_MAX: empty */
	uint32_t name;
	c2c_time ts;
	struct c2c_evref ev;
};

struct entry {
	int64_t ts, dur;
	uint64_t obytes, rbytes, key;
	struct c2c_evref ev, ev2, obs;
	uint32_t name, peer;
	uint16_t port;
	uint8_t flags, src;
};

struct finding {
	uint8_t type;
	uint8_t kind;
	bool psl; /* its evidence pins the public suffix list */
	uint32_t host, peer;
	json_t *obj; /* without "evidence" until c2c_detect_finish */
	struct c2c_evref *refs;
	size_t nrefs;
	uint8_t root[32]; /* Merkle root of the rendered refs (lists over REFS_INLINE) */
};

struct cand {
	uint8_t kind;
	uint32_t host, peer;
	int64_t median2, score_e6;
	int64_t bonus_e6;
	uint32_t shared;  /* clients of the same server whose median interval is within tolerance */
	uint32_t clients; /* clients of the same server with a scored series */
	size_t heavy; /* index into d->pending, or SIZE_MAX */
};

struct series {
	uint8_t kind;
	uint32_t host, peer; /* peer: address index (K_IP) or name index (K_NAME) */
	struct entry *e;     /* sorted by time */
	size_t n;
	bool truncated, proxy;
	uint8_t src; /* how the name was learnt (K_NAME) */
	/* summary (summarize()), kept when the entries are gone */
	bool summarized;
	uint16_t port;         /* most frequent responder port */
	uint32_t peers[16];    /* distinct peer addresses of a name series, sorted */
	size_t n_listed;
	uint64_t peer_count;
};

/* A beacon candidate that may reach min_score after the server-centric pass: compact, its
 * JSON is built only when it is reported. */
struct pending {
	struct series s; /* e == NULL */
	struct c2c__beacon_result br;
	struct c2c_evref *refs;
	size_t nrefs;
	uint64_t conns, total_bytes;
	c2c_time first, last;
	int64_t unit;
};

struct c2c_detect {
	const struct c2c_config *cfg;
	struct c2c_psl *psl;
	bool rita, ext_ext, ext_int, int_int, finished, analysed;
	c2c_err analyse_rc; /* of c2c_detect_analyse */
	uint64_t max_pairs, max_conns, max_series, max_domains, max_names;
	uint8_t hkey[16];
	struct c2c_detect_stats st;
	c2c_time min_ts, max_ts;
	/* addresses */
	struct ipent *ips;
	size_t n_ips, cap_ips;
	uint32_t *ip_slots;
	size_t ip_slot_cap;
	/* names */
	struct c2c_buf names;
	uint32_t *name_off;
	size_t n_names, cap_names;
	uint32_t *name_slots;
	size_t name_slot_cap;
	/* pairs */
	struct pair **pages;
	size_t n_pages;
	size_t n_pairs;
	uint32_t *pair_slots;
	size_t pair_slot_cap;
	/* chunk arena */
	uint8_t **slabs;
	size_t n_slabs;
	uint32_t n_chunks;
	/* joins */
	struct keyent *keys;
	size_t n_keys, key_cap;
	struct dnsmap *dmap;
	size_t n_dmap, dmap_cap;
	/* DNS domains */
	struct c2c__dns_domain *doms;
	size_t n_doms, cap_doms;
	uint32_t *dom_slots;
	size_t dom_slot_cap;
	/* finish */
	struct finding *fnd;
	size_t n_fnd, cap_fnd;
	struct cand *cands;
	size_t n_cands, cap_cands;
	struct pending *pend;
	size_t n_pend, cap_pend;
	const uint8_t (*sha)[32];
	uint32_t n_inputs;
	c2c_time win_lo, win_hi, cut; /* analysis window (us), and the series cut */
	int64_t *scratch, *ts_buf, *sz_buf;
	size_t scratch_cap;
	/* configuration read once (string lookups are too slow per series) */
	struct c2c__beacon_params bp;
	int64_t min_score, bonus_max, bucket[4], lc_base;
	uint64_t strobe_thr;
};

/* ---- small helpers -------------------------------------------------------------------------- */
static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static c2c_err
grow_array(void **p, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *np;
	if (need <= *cap)
		return C2C_OK;
	ncap = *cap ? *cap : 64;
	while (ncap < need)
		ncap *= 2;
	np = c2c_reallocarray(*p, ncap, size);
	if (np == NULL)
		return C2C_ENOMEM;
	*p = np;
	*cap = ncap;
	return C2C_OK;
}

/* Rehash an open-addressed table of uint32 (index + 1) slots. */
static c2c_err
slots_grow(uint32_t **slots, size_t *cap, size_t n, uint64_t (*hash)(struct c2c_detect *, uint32_t),
    struct c2c_detect *d)
{
	size_t ncap = *cap ? *cap * 2 : 1024;
	uint32_t *ns;
	if ((n + 1) * 2 <= *cap)
		return C2C_OK;
	ns = c2c_calloc(ncap, sizeof(*ns));
	if (ns == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < *cap; i++) {
		uint32_t v = (*slots)[i];
		size_t j;
		if (v == 0)
			continue;
		for (j = (size_t)hash(d, v - 1) & (ncap - 1); ns[j] != 0; j = (j + 1) & (ncap - 1))
			;
		ns[j] = v;
	}
	c2c_free(*slots);
	*slots = ns;
	*cap = ncap;
	return C2C_OK;
}

/* ---- address table ---------------------------------------------------------------------- */
static uint64_t
ip_hash_of(struct c2c_detect *d, const struct c2c_ip *ip)
{
	return mix64(c2c_ip_hash(ip, 0x9e3779b97f4a7c15ULL ^ d->hkey[0]));
}

static uint64_t
ip_hash_idx(struct c2c_detect *d, uint32_t i)
{
	return ip_hash_of(d, &d->ips[i].ip);
}

static c2c_err
ip_intern(struct c2c_detect *d, const struct c2c_ip *ip, uint32_t *out)
{
	size_t j, mask;
	c2c_err rc = slots_grow(&d->ip_slots, &d->ip_slot_cap, d->n_ips, ip_hash_idx, d);
	if (rc != C2C_OK)
		return rc;
	mask = d->ip_slot_cap - 1;
	for (j = (size_t)ip_hash_of(d, ip) & mask; d->ip_slots[j] != 0; j = (j + 1) & mask) {
		uint32_t v = d->ip_slots[j] - 1;
		if (c2c_ip_eq(&d->ips[v].ip, ip)) {
			*out = v;
			return C2C_OK;
		}
	}
	if ((rc = grow_array((void **)&d->ips, &d->cap_ips, d->n_ips + 1, sizeof(*d->ips))) !=
	    C2C_OK)
		return rc;
	memset(&d->ips[d->n_ips], 0, sizeof(d->ips[0]));
	d->ips[d->n_ips].ip = *ip;
	d->ips[d->n_ips].internal = c2c_config_is_internal(d->cfg, ip, NULL);
	d->ip_slots[j] = (uint32_t)d->n_ips + 1;
	*out = (uint32_t)d->n_ips++;
	return C2C_OK;
}

/* ---- name table ------------------------------------------------------------------------- */
static const char *
name_str(const struct c2c_detect *d, uint32_t i)
{
	return (const char *)d->names.data + d->name_off[i];
}

static uint64_t
name_hash_of(struct c2c_detect *d, const char *s, size_t len)
{
	return c2c_siphash(s, len, d->hkey);
}

static uint64_t
name_hash_idx(struct c2c_detect *d, uint32_t i)
{
	const char *s = name_str(d, i);
	return name_hash_of(d, s, strlen(s));
}

static c2c_err
name_intern(struct c2c_detect *d, const char *s, size_t len, uint32_t *out)
{
	size_t j, mask;
	c2c_err rc = slots_grow(&d->name_slots, &d->name_slot_cap, d->n_names, name_hash_idx, d);
	if (rc != C2C_OK)
		return rc;
	mask = d->name_slot_cap - 1;
	for (j = (size_t)name_hash_of(d, s, len) & mask; d->name_slots[j] != 0;
	     j = (j + 1) & mask) {
		uint32_t v = d->name_slots[j] - 1;
		const char *t = name_str(d, v);
		if (strncmp(t, s, len) == 0 && t[len] == '\0') {
			*out = v;
			return C2C_OK;
		}
	}
	if ((rc = grow_array((void **)&d->name_off, &d->cap_names, d->n_names + 1,
		 sizeof(*d->name_off))) != C2C_OK)
		return rc;
	d->name_off[d->n_names] = (uint32_t)d->names.len;
	if ((rc = c2c_buf_add(&d->names, s, len)) != C2C_OK ||
	    (rc = c2c_buf_addc(&d->names, '\0')) != C2C_OK)
		return rc;
	d->name_slots[j] = (uint32_t)d->n_names + 1;
	*out = (uint32_t)d->n_names++;
	return C2C_OK;
}

/* ---- chunk arena -------------------------------------------------------------------------- */
static uint8_t *
chunk_at(const struct c2c_detect *d, uint32_t i)
{
	return d->slabs[i / SLAB_CHUNKS] + (size_t)(i % SLAB_CHUNKS) * CHUNK;
}

static c2c_err
chunk_new(struct c2c_detect *d, uint32_t *out)
{
	if (d->n_chunks % SLAB_CHUNKS == 0) {
		size_t s = d->n_chunks / SLAB_CHUNKS;
		uint8_t **ns;
		if (s >= UINT32_MAX / SLAB_CHUNKS - 1)
			return C2C_ELIMIT;
		ns = c2c_reallocarray(d->slabs, s + 1, sizeof(*ns));
		if (ns == NULL)
			return C2C_ENOMEM;
		d->slabs = ns;
		ns[s] = c2c_malloc((size_t)SLAB_CHUNKS * CHUNK);
		if (ns[s] == NULL)
			return C2C_ENOMEM;
		d->n_slabs = s + 1;
		d->st.arena_bytes += (uint64_t)SLAB_CHUNKS * CHUNK;
	}
	uint8_t *c = chunk_at(d, d->n_chunks);
	memset(c, 0, 4);
	*out = d->n_chunks++;
	return C2C_OK;
}

static c2c_err
chain_append(struct c2c_detect *d, struct chain *ch, const uint8_t *p, size_t len)
{
	c2c_err rc;
	while (len > 0) {
		size_t room, take;
		if (ch->head == 0 || ch->tail_used == CHUNK_DATA) {
			uint32_t c;
			if ((rc = chunk_new(d, &c)) != C2C_OK)
				return rc;
			if (ch->head == 0)
				ch->head = c;
			else
				memcpy(chunk_at(d, ch->tail), &c, 4);
			ch->tail = c;
			ch->tail_used = 0;
		}
		room = CHUNK_DATA - ch->tail_used;
		take = len < room ? len : room;
		memcpy(chunk_at(d, ch->tail) + 4 + ch->tail_used, p, take);
		ch->tail_used = (uint16_t)(ch->tail_used + take);
		p += take;
		len -= take;
	}
	return C2C_OK;
}

struct chain_rd {
	const struct c2c_detect *d;
	const struct chain *ch;
	uint32_t cur;
	size_t pos;
};

static bool
rd_byte(struct chain_rd *r, uint8_t *b)
{
	size_t lim;
	if (r->cur == 0)
		return false;
	lim = r->cur == r->ch->tail ? r->ch->tail_used : CHUNK_DATA;
	if (r->pos >= lim) {
		uint32_t next;
		if (r->cur == r->ch->tail)
			return false;
		memcpy(&next, chunk_at(r->d, r->cur), 4);
		r->cur = next;
		r->pos = 0;
		if (r->cur == 0)
			return false;
	}
	*b = chunk_at(r->d, r->cur)[4 + r->pos++];
	return true;
}

static bool
rd_uvarint(struct chain_rd *r, uint64_t *v)
{
	uint64_t x = 0;
	for (unsigned s = 0; s < 64; s += 7) {
		uint8_t b;
		if (!rd_byte(r, &b))
			return false;
		x |= (uint64_t)(b & 0x7f) << s;
		if (!(b & 0x80)) {
			*v = x;
			return true;
		}
	}
	return false;
}

/* ---- encoding of one connection -------------------------------------------------------------- */
static size_t
put_ref(uint8_t *p, const struct c2c_evref *ev, uint64_t base_off)
{
	size_t n = c2c__uvarint_put(p, c2c__zigzag((int64_t)(ev->off - base_off)));
	n += c2c__uvarint_put(p + n, ev->len);
	n += c2c__uvarint_put(p + n, (uint64_t)((int64_t)ev->rec + 1));
	return n;
}

static size_t
encode_entry(struct pair *pr, const struct entry *e, uint8_t *p)
{
	uint8_t hdr = e->flags & (E_KEY | E_OPEN | E_OBS);
	size_t n = 1;
	if (e->ev2.len != 0 && (e->ev2.off != e->ev.off || e->ev2.input != e->ev.input))
		hdr |= E_LAST;
	if (e->ev.input != pr->prev_input)
		hdr |= E_INPUT;
	if (e->ev.rec >= 0)
		hdr |= E_REC;
	p[0] = hdr;
	n += c2c__uvarint_put(p + n, c2c__zigzag(e->ts - pr->prev_ts));
	n += c2c__uvarint_put(p + n, e->obytes);
	n += c2c__uvarint_put(p + n, e->rbytes);
	n += c2c__uvarint_put(p + n, (uint64_t)(e->dur < 0 ? 0 : e->dur));
	n += c2c__uvarint_put(p + n, e->port);
	if (hdr & E_INPUT)
		n += c2c__uvarint_put(p + n, e->ev.input);
	n += c2c__uvarint_put(p + n, c2c__zigzag((int64_t)(e->ev.off - pr->prev_off)));
	n += c2c__uvarint_put(p + n, e->ev.len);
	if (hdr & E_REC)
		n += c2c__uvarint_put(p + n, (uint64_t)e->ev.rec);
	if (hdr & E_LAST) {
		n += c2c__uvarint_put(p + n, e->ev2.input);
		n += put_ref(p + n, &e->ev2, e->ev.off);
	}
	if (hdr & E_OBS) {
		p[n++] = e->src;
		n += c2c__uvarint_put(p + n, e->peer);
		n += c2c__uvarint_put(p + n, e->obs.input);
		n += put_ref(p + n, &e->obs, e->ev.off);
	}
	if (hdr & E_KEY) {
		memcpy(p + n, &e->key, 8);
		n += 8;
	}
	pr->prev_ts = e->ts;
	pr->prev_off = e->ev.off;
	pr->prev_input = e->ev.input;
	return n;
}

struct dec_state {
	int64_t ts;
	uint64_t off;
	uint32_t input;
};

static bool
get_ref(struct chain_rd *r, struct c2c_evref *ev, uint64_t base_off)
{
	uint64_t a, b, c;
	if (!rd_uvarint(r, &a) || !rd_uvarint(r, &b) || !rd_uvarint(r, &c))
		return false;
	ev->off = base_off + (uint64_t)c2c__unzigzag(a);
	ev->len = (uint32_t)b;
	ev->rec = (int32_t)((int64_t)c - 1);
	return true;
}

static bool
decode_entry(struct chain_rd *r, struct dec_state *s, struct entry *e)
{
	uint8_t hdr;
	uint64_t v[6];
	memset(e, 0, sizeof(*e));
	if (!rd_byte(r, &hdr))
		return false;
	for (int i = 0; i < 5; i++)
		if (!rd_uvarint(r, &v[i]))
			return false;
	s->ts += c2c__unzigzag(v[0]);
	e->ts = s->ts;
	e->obytes = v[1];
	e->rbytes = v[2];
	e->dur = (int64_t)v[3];
	e->port = (uint16_t)v[4];
	if (hdr & E_INPUT) {
		if (!rd_uvarint(r, &v[5]))
			return false;
		s->input = (uint32_t)v[5];
	}
	if (!rd_uvarint(r, &v[0]) || !rd_uvarint(r, &v[1]))
		return false;
	s->off += (uint64_t)c2c__unzigzag(v[0]);
	e->ev.input = s->input;
	e->ev.off = s->off;
	e->ev.len = (uint32_t)v[1];
	e->ev.rec = -1;
	if (hdr & E_REC) {
		if (!rd_uvarint(r, &v[0]))
			return false;
		e->ev.rec = (int32_t)v[0];
	}
	if (hdr & E_LAST) {
		if (!rd_uvarint(r, &v[0]))
			return false;
		e->ev2.input = (uint32_t)v[0];
		if (!get_ref(r, &e->ev2, e->ev.off))
			return false;
	}
	if (hdr & E_OBS) {
		uint8_t src;
		if (!rd_byte(r, &src) || !rd_uvarint(r, &v[1]) || !rd_uvarint(r, &v[0]))
			return false;
		e->src = src;
		e->peer = (uint32_t)v[1];
		e->obs.input = (uint32_t)v[0];
		if (!get_ref(r, &e->obs, e->ev.off))
			return false;
	}
	if (hdr & E_KEY) {
		uint8_t k[8];
		for (int i = 0; i < 8; i++)
			if (!rd_byte(r, &k[i]))
				return false;
		memcpy(&e->key, k, 8);
	}
	e->flags = hdr;
	return true;
}

/* ---- pairs -------------------------------------------------------------------------------- */
static struct pair *
pair_at(const struct c2c_detect *d, size_t i)
{
	return &d->pages[i / PAIR_PAGE][i % PAIR_PAGE];
}

static uint64_t
pair_hash3(uint32_t host, uint32_t peer, uint8_t kind)
{
	return mix64(((uint64_t)host << 32 | peer) ^ ((uint64_t)kind << 63) ^ 0x5851f42d4c957f2dULL);
}

static uint64_t
pair_hash_idx(struct c2c_detect *d, uint32_t i)
{
	const struct pair *p = pair_at(d, i);
	return pair_hash3(p->host, p->peer, p->kind);
}

/* Find or create the pair; *out NULL (and C2C_OK) when the pair limit drops it. */
static c2c_err
pair_get(struct c2c_detect *d, uint32_t host, uint32_t peer, uint8_t kind, struct pair **out)
{
	size_t j, mask;
	struct pair *p;
	c2c_err rc = slots_grow(&d->pair_slots, &d->pair_slot_cap, d->n_pairs, pair_hash_idx, d);
	if (rc != C2C_OK)
		return rc;
	mask = d->pair_slot_cap - 1;
	for (j = (size_t)pair_hash3(host, peer, kind) & mask; d->pair_slots[j] != 0;
	     j = (j + 1) & mask) {
		p = pair_at(d, d->pair_slots[j] - 1);
		if (p->host == host && p->peer == peer && p->kind == kind) {
			*out = p;
			return C2C_OK;
		}
	}
	if (d->n_pairs >= d->max_pairs) {
		*out = NULL;
		return C2C_OK;
	}
	if (d->n_pairs % PAIR_PAGE == 0) {
		struct pair **np = c2c_reallocarray(d->pages, d->n_pages + 1, sizeof(*np));
		if (np == NULL)
			return C2C_ENOMEM;
		d->pages = np;
		np[d->n_pages] = c2c_malloc(PAIR_PAGE * sizeof(struct pair));
		if (np[d->n_pages] == NULL)
			return C2C_ENOMEM;
		d->n_pages++;
	}
	p = pair_at(d, d->n_pairs);
	memset(p, 0, sizeof(*p));
	p->host = host;
	p->peer = peer;
	p->kind = kind;
	d->pair_slots[j] = (uint32_t)d->n_pairs + 1;
	d->n_pairs++;
	d->st.pairs++;
	*out = p;
	return C2C_OK;
}

/* ---- join tables -------------------------------------------------------------------------- */
static uint64_t
join_key(const struct c2c_detect *d, const char *uid, const char *cid)
{
	uint8_t buf[64];
	size_t l;
	uint64_t h;
	if (uid[0] != '\0') {
		l = strnlen(uid, C2C_UID_MAX);
		buf[0] = 'u';
		memcpy(buf + 1, uid, l);
	} else if (cid[0] != '\0') {
		l = strnlen(cid, 32);
		buf[0] = 'c';
		memcpy(buf + 1, cid, l);
	} else {
		return 0;
	}
	h = c2c_siphash(buf, l + 1, d->hkey);
	return h == 0 ? 1 : h;
}

static struct keyent *
key_find(const struct c2c_detect *d, uint64_t key)
{
	size_t j, mask;
	if (d->key_cap == 0 || key == 0)
		return NULL;
	mask = d->key_cap - 1;
	for (j = (size_t)mix64(key) & mask; d->keys[j].key != 0; j = (j + 1) & mask)
		if (d->keys[j].key == key)
			return &d->keys[j];
	return NULL;
}

static c2c_err
key_put(struct c2c_detect *d, uint64_t key, uint32_t name, uint8_t src,
    const struct c2c_evref *ev)
{
	size_t j, mask;
	if ((d->n_keys + 1) * 2 > d->key_cap) {
		size_t ncap = d->key_cap ? d->key_cap * 2 : 1024;
		struct keyent *nk = c2c_calloc(ncap, sizeof(*nk));
		if (nk == NULL)
			return C2C_ENOMEM;
		for (size_t i = 0; i < d->key_cap; i++) {
			if (d->keys[i].key == 0)
				continue;
			for (j = (size_t)mix64(d->keys[i].key) & (ncap - 1); nk[j].key != 0;
			     j = (j + 1) & (ncap - 1))
				;
			nk[j] = d->keys[i];
		}
		c2c_free(d->keys);
		d->keys = nk;
		d->key_cap = ncap;
	}
	mask = d->key_cap - 1;
	for (j = (size_t)mix64(key) & mask; d->keys[j].key != 0; j = (j + 1) & mask)
		if (d->keys[j].key == key)
			return C2C_OK; /* the first name seen for a connection stays */
	d->keys[j].key = key;
	d->keys[j].name = name;
	d->keys[j].src = src;
	d->keys[j].ev = *ev;
	d->n_keys++;
	return C2C_OK;
}

static struct dnsmap *
dmap_slot(const struct c2c_detect *d, uint32_t host, uint32_t ip)
{
	size_t mask = d->dmap_cap - 1, j;
	for (j = (size_t)pair_hash3(host, ip, 1) & mask; d->dmap[j].host != UINT32_MAX;
	     j = (j + 1) & mask)
		if (d->dmap[j].host == host && d->dmap[j].ip == ip)
			return &d->dmap[j];
	return &d->dmap[j];
}

static const struct dnsmap *
dmap_find(const struct c2c_detect *d, uint32_t host, uint32_t ip)
{
	const struct dnsmap *m;
	if (d->dmap_cap == 0)
		return NULL;
	m = dmap_slot(d, host, ip);
	return m->host == UINT32_MAX ? NULL : m;
}

static c2c_err
dmap_put(struct c2c_detect *d, uint32_t host, uint32_t ip, uint32_t name, c2c_time ts,
    const struct c2c_evref *ev)
{
	struct dnsmap *m;
	if ((d->n_dmap + 1) * 2 > d->dmap_cap) {
		struct dnsmap *old = d->dmap;
		size_t oldcap = d->dmap_cap, ncap = oldcap ? oldcap * 2 : 1024;
		struct dnsmap *nm = c2c_malloc(ncap * sizeof(*nm));
		if (nm == NULL)
			return C2C_ENOMEM;
		for (size_t i = 0; i < ncap; i++)
			nm[i].host = UINT32_MAX;
		d->dmap = nm;
		d->dmap_cap = ncap;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].host != UINT32_MAX)
				*dmap_slot(d, old[i].host, old[i].ip) = old[i];
		c2c_free(old);
	}
	m = dmap_slot(d, host, ip);
	if (m->host != UINT32_MAX) {
		/* Keep the earliest answer (the one preceding the most connections). */
		if (ts < m->ts) {
			m->ts = ts;
			m->name = name;
			m->ev = *ev;
		}
		return C2C_OK;
	}
	m->host = host;
	m->ip = ip;
	m->name = name;
	m->ts = ts;
	m->ev = *ev;
	d->n_dmap++;
	return C2C_OK;
}

/* ---- lifecycle ------------------------------------------------------------------------------ */
void
c2c_detect_free(struct c2c_detect *d)
{
	if (d == NULL)
		return;
	c2c_psl_free(d->psl);
	c2c_free(d->ips);
	c2c_free(d->ip_slots);
	c2c_buf_fini(&d->names);
	c2c_free(d->name_off);
	c2c_free(d->name_slots);
	for (size_t i = 0; i < d->n_pages; i++)
		c2c_free(d->pages[i]);
	c2c_free(d->pages);
	c2c_free(d->pair_slots);
	for (size_t i = 0; i < d->n_slabs; i++)
		c2c_free(d->slabs[i]);
	c2c_free(d->slabs);
	c2c_free(d->keys);
	c2c_free(d->dmap);
	for (size_t i = 0; i < d->n_doms; i++)
		c2c_free(d->doms[i].set);
	c2c_free(d->doms);
	c2c_free(d->dom_slots);
	for (size_t i = 0; i < d->n_fnd; i++) {
		json_decref(d->fnd[i].obj);
		c2c_free(d->fnd[i].refs);
	}
	c2c_free(d->fnd);
	c2c_free(d->cands);
	for (size_t i = 0; i < d->n_pend; i++)
		c2c_free(d->pend[i].refs);
	c2c_free(d->pend);
	c2c_free(d->scratch);
	c2c_free(d->ts_buf);
	c2c_free(d->sz_buf);
	c2c_free(d);
}

c2c_err
c2c_detect_new(const struct c2c_config *cfg, struct c2c_detect **out, struct c2c_diag *diag)
{
	struct c2c_detect *d = c2c_calloc(1, sizeof(*d));
	const char *psl;
	c2c_err rc = C2C_OK;
	if (d == NULL)
		return C2C_ENOMEM;
	d->cfg = cfg;
	d->rita = strcmp(c2c_config_str(cfg, "detect.mode"), "rita") == 0;
	d->ext_ext = c2c_config_bool(cfg, "network.external_to_external");
	d->ext_int = c2c_config_bool(cfg, "network.external_to_internal");
	d->int_int = c2c_config_bool(cfg, "network.internal_to_internal");
	d->max_pairs = (uint64_t)c2c_config_int(cfg, "detect.max_pairs");
	d->max_conns = (uint64_t)c2c_config_int(cfg, "detect.max_connections");
	d->max_series = (uint64_t)c2c_config_int(cfg, "detect.max_series");
	d->max_domains = (uint64_t)c2c_config_int(cfg, "detect.max_domains");
	d->max_names = (uint64_t)c2c_config_int(cfg, "detect.max_names_per_domain");
	if (d->max_pairs > UINT32_MAX - 1)
		d->max_pairs = UINT32_MAX - 1;
	d->bp.w_ts = c2c_config_int(cfg, "beacon.ts_weight");
	d->bp.w_ds = c2c_config_int(cfg, "beacon.ds_weight");
	d->bp.w_dur = c2c_config_int(cfg, "beacon.dur_weight");
	d->bp.w_hist = c2c_config_int(cfg, "beacon.hist_weight");
	d->bp.bins = (uint32_t)c2c_config_int(cfg, "beacon.histogram_bins");
	d->bp.dur_min_bins = (uint32_t)c2c_config_int(cfg, "beacon.duration_min_bins_seen");
	d->bp.dur_ideal = (uint32_t)c2c_config_int(cfg, "beacon.duration_consistency_ideal");
	d->bp.mode_sens_e6 = c2c_config_int(cfg, "beacon.histogram_mode_sensitivity");
	d->bp.outlier_removal =
	    (uint32_t)c2c_config_int(cfg, "beacon.histogram_bimodal_outlier_removal");
	d->bp.bimodal_min_bins = (uint32_t)c2c_config_int(cfg, "beacon.histogram_bimodal_min_bins");
	d->bp.skew_min_iqr_ts = c2c_config_int(cfg, "beacon.skew_min_iqr");
	d->bp.skew_min_iqr_ds = c2c_config_int(cfg, "beacon.skew_min_iqr_bytes");
	d->bp.precision = d->rita ? 1000 : C2C_E6;
	d->bp.min_unique = (uint32_t)c2c_config_int(cfg, "beacon.min_unique_timestamps");
	if (d->rita)
		d->bp.skew_min_iqr_ts /= C2C_USEC;
	d->min_score = c2c_config_int(cfg, "beacon.min_score");
	d->bonus_max = d->rita ? 0 : c2c_config_int(cfg, "beacon.server_share_bonus_max");
	d->bucket[0] = c2c_config_int(cfg, "beacon.bucket_base");
	d->bucket[1] = c2c_config_int(cfg, "beacon.bucket_low");
	d->bucket[2] = c2c_config_int(cfg, "beacon.bucket_medium");
	d->bucket[3] = c2c_config_int(cfg, "beacon.bucket_high");
	d->lc_base = c2c_config_int(cfg, "longconn.base");
	/* A fixed key: tables must hash the same way on every run (no output depends on it). */
	memcpy(d->hkey, "c2chain-detect-k", 16);
	d->min_ts = INT64_MAX;
	d->max_ts = INT64_MIN;
	c2c_buf_init(&d->names, (size_t)1 << 34);
	{
		uint32_t zero; /* chunk 0 is reserved: it means "none" */
		if ((rc = chunk_new(d, &zero)) != C2C_OK)
			goto out;
	}
	psl = c2c_config_str(cfg, "dnstunnel.psl_file");
	if (psl[0] != '\0' &&
	    (rc = c2c_psl_load(psl, c2c_config_bool(cfg, "dnstunnel.psl_private"), &d->psl,
		 diag)) != C2C_OK)
		goto out;
	*out = d;
	d = NULL;
out:
	c2c_detect_free(d);
	return rc;
}

static c2c_err
sink_flow(void *ctx, const struct c2c_flow *f)
{
	return c2c_detect_add_flow(ctx, f);
}

static c2c_err
sink_obs(void *ctx, const struct c2c_obs *o)
{
	return c2c_detect_add_obs(ctx, o);
}

void
c2c_detect_sink(struct c2c_detect *d, struct c2c_sink *out)
{
	out->ctx = d;
	out->flow = sink_flow;
	out->obs = sink_obs;
}

void
c2c_detect_get_stats(const struct c2c_detect *d, struct c2c_detect_stats *out)
{
	*out = d->st;
}

/* ---- feeding ------------------------------------------------------------------------------ */
static c2c_err
store(struct c2c_detect *d, struct pair *p, const struct entry *e)
{
	uint8_t buf[MAX_ENTRY];
	size_t n;
	c2c_err rc;
	p->count++;
	if (p->stored >= d->max_series) {
		p->flags |= PF_TRUNC;
		d->st.dropped_series_limit++;
		return C2C_OK;
	}
	if (d->st.connections_stored >= d->max_conns) {
		p->flags |= PF_TRUNC;
		d->st.dropped_conn_limit++;
		return C2C_OK;
	}
	n = encode_entry(p, e, buf);
	rc = chain_append(d, &p->ch, buf, n);
	if (rc == C2C_ELIMIT) {
		p->flags |= PF_TRUNC;
		d->st.dropped_conn_limit++;
		return C2C_OK;
	}
	if (rc != C2C_OK)
		return rc;
	p->stored++;
	d->st.connections_stored++;
	return C2C_OK;
}

static bool
is_group_addr(const struct c2c_ip *ip)
{
	if (ip->family == 4) {
		uint32_t v = c2c_ip_v4(ip);
		return (v >> 28) == 0xe || v == 0xffffffffu;
	}
	return ip->a[0] == 0xff;
}

c2c_err
c2c_detect_add_flow(struct c2c_detect *d, const struct c2c_flow *f)
{
	uint32_t oi, ri, host, peer;
	bool o_in, r_in, internal_only = false;
	struct entry e;
	struct pair *p;
	const struct keyent *k;
	const struct dnsmap *m;
	c2c_err rc;

	if (d->finished || d->analysed)
		return C2C_EINVAL;
	d->st.flows++;
	if (f->orig.family == 0 || f->resp.family == 0 || f->last < f->ts) {
		d->st.flows_bad++;
		return C2C_OK;
	}
	if (f->ts < d->min_ts)
		d->min_ts = f->ts;
	if (is_group_addr(&f->resp)) {
		/* Multicast and broadcast (SSDP, mDNS, LLMNR, DHCP) have no server to call home to. */
		d->st.flows_skipped_proto++;
		return C2C_OK;
	}
	if (f->ts > d->max_ts)
		d->max_ts = f->ts;
	if ((rc = ip_intern(d, &f->orig, &oi)) != C2C_OK ||
	    (rc = ip_intern(d, &f->resp, &ri)) != C2C_OK)
		return rc;
	o_in = d->ips[oi].internal;
	r_in = d->ips[ri].internal;
	memset(&e, 0, sizeof(e));
	e.key = join_key(d, f->uid, f->community_id);
	host = oi;
	peer = ri;
	if (o_in && r_in) {
		/* Only a name (e.g. an internal proxy's request) can make this one count. */
		internal_only = !d->int_int;
		if (internal_only && e.key == 0) {
			d->st.flows_skipped_direction++;
			return C2C_OK;
		}
	} else if (!o_in && r_in) {
		if (!d->ext_int) {
			d->st.flows_skipped_direction++;
			return C2C_OK;
		}
		host = ri;
		peer = oi;
	} else if (!o_in && !r_in && !d->ext_ext) {
		d->st.flows_skipped_direction++;
		return C2C_OK;
	}
	d->ips[host].is_host = d->ips[host].is_host || !internal_only;
	e.ts = f->ts;
	e.dur = (f->have & C2C_HAVE_DURATION) || f->last > f->ts ? f->last - f->ts : 0;
	e.obytes = host == oi ? f->orig_ip_bytes : f->resp_ip_bytes;
	e.rbytes = host == oi ? f->resp_ip_bytes : f->orig_ip_bytes;
	e.port = host == oi ? f->resp_port : f->orig_port;
	e.ev = f->first_ev;
	e.ev2 = f->last_ev;
	if (e.key != 0)
		e.flags |= E_KEY;
	if (f->have & C2C_HAVE_OPEN)
		e.flags |= E_OPEN;
	/* A name known already: straight into the (host, FQDN) series. */
	k = key_find(d, e.key);
	m = (k == NULL && !d->rita && !internal_only) ? dmap_find(d, host, peer) : NULL;
	if (m != NULL && m->ts > e.ts)
		m = NULL;
	if (k != NULL || m != NULL) {
		e.flags |= E_OBS;
		e.src = k ? k->src : SRC_DNS;
		e.obs = k ? k->ev : m->ev;
		if ((rc = pair_get(d, host, k ? k->name : m->name, K_NAME, &p)) != C2C_OK)
			return rc;
		if (k)
			d->st.joined_at_add++;
		else
			d->st.joined_dns++;
	} else {
		if ((rc = pair_get(d, host, peer, K_IP, &p)) != C2C_OK)
			return rc;
		if (p != NULL && internal_only)
			p->flags |= PF_INTERNAL;
	}
	if (p == NULL) {
		d->st.dropped_pair_limit++;
		return C2C_OK;
	}
	if (k != NULL || m != NULL) {
		/* The connection's own peer address is kept with the name (for "peers"). */
		e.peer = peer;
	}
	return store(d, p, &e);
}

/* Lower-case copy of a host name without port or trailing dot; false when empty. */
static bool
clean_name(const char *in, char *out, size_t cap)
{
	size_t n = 0;
	const char *s = in;
	if (*s == '[') { /* [v6]:port */
		const char *e = strchr(s, ']');
		if (e == NULL)
			return false;
		s++;
		n = (size_t)(e - s);
		if (n == 0 || n >= cap)
			return false;
		memcpy(out, s, n);
		out[n] = '\0';
		return true;
	}
	for (; *s != '\0' && n + 1 < cap; s++) {
		char c = *s;
		if (c == ':' && strchr(s + 1, ':') == NULL)
			break; /* host:port */
		if (c == '/' || c == ' ')
			break;
		out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	while (n > 0 && out[n - 1] == '.')
		n--;
	out[n] = '\0';
	return n > 0;
}

static struct c2c__dns_domain *
domain_get(struct c2c_detect *d, uint32_t name, c2c_err *rc)
{
	size_t j, mask;
	*rc = C2C_OK;
	if ((d->n_doms + 1) * 2 > d->dom_slot_cap) {
		size_t ncap = d->dom_slot_cap ? d->dom_slot_cap * 2 : 1024;
		uint32_t *ns = c2c_calloc(ncap, sizeof(*ns));
		if (ns == NULL) {
			*rc = C2C_ENOMEM;
			return NULL;
		}
		for (size_t i = 0; i < d->n_doms; i++) {
			for (j = (size_t)mix64(d->doms[i].name) & (ncap - 1); ns[j] != 0;
			     j = (j + 1) & (ncap - 1))
				;
			ns[j] = (uint32_t)i + 1;
		}
		c2c_free(d->dom_slots);
		d->dom_slots = ns;
		d->dom_slot_cap = ncap;
	}
	mask = d->dom_slot_cap - 1;
	for (j = (size_t)mix64(name) & mask; d->dom_slots[j] != 0; j = (j + 1) & mask)
		if (d->doms[d->dom_slots[j] - 1].name == name)
			return &d->doms[d->dom_slots[j] - 1];
	if (d->n_doms >= d->max_domains) {
		d->st.dropped_domain_limit++;
		return NULL;
	}
	if ((*rc = grow_array((void **)&d->doms, &d->cap_doms, d->n_doms + 1, sizeof(*d->doms))) !=
	    C2C_OK)
		return NULL;
	struct c2c__dns_domain *dm = &d->doms[d->n_doms];
	memset(dm, 0, sizeof(*dm));
	dm->name = name;
	dm->first = INT64_MAX;
	dm->last = INT64_MIN;
	d->dom_slots[j] = (uint32_t)d->n_doms + 1;
	d->n_doms++;
	d->st.domains++;
	return dm;
}

static bool
excluded(const struct c2c_detect *d, const char *name, size_t len)
{
	const char *ex = c2c_config_str(d->cfg, "dnstunnel.exclude");
	while (*ex != '\0') {
		size_t l;
		while (*ex == ' ')
			ex++;
		l = strcspn(ex, " ");
		if (l > 0 && l <= len && memcmp(name + len - l, ex, l) == 0 &&
		    (l == len || name[len - l - 1] == '.'))
			return true;
		ex += l;
	}
	return false;
}

static c2c_err
dns_obs(struct c2c_detect *d, const struct c2c_obs *o)
{
	const struct c2c_dns *q = &o->u.dns;
	char name[C2C_NAME_MAX];
	size_t off, len;
	uint32_t nid, rid, host;
	struct c2c__dns_domain *dm;
	c2c_err rc;

	d->st.obs_dns++;
	if (!clean_name(q->query, name, sizeof(name)))
		return C2C_OK;
	len = strlen(name);
	if ((rc = ip_intern(d, &o->orig, &host)) != C2C_OK)
		return rc;
	/* Answers map (client, address) -> the name asked for. */
	if (!d->rita) {
		for (unsigned i = 0; i < q->n_answers && i < C2C_DNS_MAX_ANSWERS; i++) {
			const struct c2c_dns_answer *a = &q->answers[i];
			uint32_t ai;
			if ((a->type != 1 && a->type != 28) || a->ip.family == 0)
				continue;
			if ((rc = name_intern(d, name, len, &nid)) != C2C_OK ||
			    (rc = ip_intern(d, &a->ip, &ai)) != C2C_OK ||
			    (rc = dmap_put(d, host, ai, nid, o->ts, &o->ev)) != C2C_OK)
				return rc;
		}
	}
	if (excluded(d, name, len) || c2c_psl_registered(d->psl, name, &off) != C2C_OK)
		return C2C_OK;
	if ((rc = name_intern(d, name + off, len - off, &rid)) != C2C_OK)
		return rc;
	dm = domain_get(d, rid, &rc);
	if (dm == NULL)
		return rc;
	dm->queries++;
	if (q->qtype == 16 || q->qtype == 10)
		dm->txt_null++;
	if (o->ts < dm->first)
		dm->first = o->ts;
	/* The response record, cited too, comes rtt after the query. */
	if (o->ts + (q->rtt > 0 ? q->rtt : 0) > dm->last)
		dm->last = o->ts + (q->rtt > 0 ? q->rtt : 0);
	{
		bool seen = false;
		for (uint32_t i = 0; i < dm->n_hosts; i++)
			seen = seen || dm->hosts[i] == host;
		if (!seen) {
			if (dm->n_hosts < C2C_ARRAY_LEN(dm->hosts))
				dm->hosts[dm->n_hosts++] = host;
			else
				dm->hosts_more++; /* an upper bound: repeats are not tracked */
		}
	}
	if (c2c__dns_name_add(dm, name_hash_of(d, name, len), d->max_names, &rc)) {
		size_t sub = off > 0 ? off - 1 : 0;
		dm->sum_len += sub;
		dm->sum_entropy_e6 += c2c__entropy_e6(name, sub);
	} else if (rc != C2C_OK) {
		return rc;
	} else if (dm->capped) {
		d->st.names_capped++;
	}
	/* Evidence: every query record of the domain. */
	if (d->st.connections_stored < d->max_conns) {
		uint8_t buf[48];
		size_t n = 0;
		struct chain ch = { dm->head, dm->tail, dm->tail_used };
		n += c2c__uvarint_put(buf + n, o->ev.input);
		n += put_ref(buf + n, &o->ev, dm->prev_off);
		if ((rc = chain_append(d, &ch, buf, n)) == C2C_OK) {
			dm->head = ch.head;
			dm->tail = ch.tail;
			dm->tail_used = ch.tail_used;
			dm->prev_off = o->ev.off;
			dm->stored++;
			d->st.connections_stored++;
		} else if (rc != C2C_ELIMIT) {
			return rc;
		}
	}
	return C2C_OK;
}

c2c_err
c2c_detect_add_obs(struct c2c_detect *d, const struct c2c_obs *o)
{
	char name[C2C_NAME_MAX];
	uint64_t key;
	uint32_t nid;
	uint8_t src;
	c2c_err rc;

	if (d->finished || d->analysed)
		return C2C_EINVAL;
	d->st.obs++;
	if (o->kind == C2C_OBS_DNS)
		return dns_obs(d, o);
	if (o->kind == C2C_OBS_TLS) {
		if (!clean_name(o->u.tls.sni, name, sizeof(name)))
			return C2C_OK;
		src = SRC_SNI;
	} else if (o->kind == C2C_OBS_HTTP) {
		if (!clean_name(o->u.http.host, name, sizeof(name)))
			return C2C_OK;
		src = o->u.http.proxy ? SRC_PROXY : SRC_HTTP;
	} else {
		d->st.obs_bad++;
		return C2C_OK;
	}
	key = join_key(d, o->uid, o->community_id);
	if (key == 0) {
		d->st.obs_bad++;
		return C2C_OK;
	}
	d->st.obs_names++;
	if ((rc = name_intern(d, name, strlen(name), &nid)) != C2C_OK)
		return rc;
	return key_put(d, key, nid, src, &o->ev);
}

/* ---- evidence ----------------------------------------------------------------------------- */
/* Analysis keeps references in numeric order (input, offset, length, record), which needs no
 * input digest: the digests may still be being computed while the series are analysed. */
static int
ref_num_cmp(const void *pa, const void *pb)
{
	const struct c2c_evref *a = pa, *b = pb;
	if (a->input != b->input)
		return a->input < b->input ? -1 : 1;
	if (a->off != b->off)
		return a->off < b->off ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return (a->rec > b->rec) - (a->rec < b->rec);
}

/* The order of the rendered strings ("ev:<hex>/<off>+<len>[#<rec>]", byte order), which is the
 * order the evidence stage stores and hashes reference lists in; equal strings (the same file
 * given twice) are ordered by input. */
static int
ref_cmp(const struct c2c_detect *d, const struct c2c_evref *a, const struct c2c_evref *b)
{
	int c = c2c_evref_text_cmp(a, d->sha[a->input], b, d->sha[b->input]);
	if (c == 0 && a->input != b->input)
		c = a->input < b->input ? -1 : 1;
	return c;
}

static _Thread_local const struct c2c_detect *sort_ctx; /* C11 qsort has no context */

static int
ref_cmp_q(const void *a, const void *b)
{
	return ref_cmp(sort_ctx, a, b);
}

c2c_err
c2c_detect_merkle_root(const char *const *refs, size_t n, uint8_t out[32])
{
	/* RFC 6962 §2.1: bottom-up, an odd last node is promoted unchanged, which yields the
	 * same tree as the recursive split at the largest power of two below n. */
	uint8_t (*lv)[32];
	if (n == 0) {
		c2c_sha256("", 0, out);
		return C2C_OK;
	}
	lv = c2c_reallocarray(NULL, n, 32);
	if (lv == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char leaf[1 + C2C_EVREF_STRLEN]; /* 0x00 || reference */
		size_t len = strlen(refs[i]);
		if (len >= C2C_EVREF_STRLEN) {
			struct c2c_sha256 h;
			if (c2c_sha256_init(&h) != C2C_OK) {
				c2c_free(lv);
				return C2C_ENOMEM;
			}
			c2c_sha256_update(&h, "\0", 1);
			c2c_sha256_update(&h, refs[i], len);
			c2c_sha256_final(&h, lv[i]);
			continue;
		}
		leaf[0] = 0x00;
		memcpy(leaf + 1, refs[i], len);
		c2c_sha256(leaf, len + 1, lv[i]);
	}
	while (n > 1) {
		size_t m = 0;
		for (size_t i = 0; i + 1 < n; i += 2) {
			uint8_t buf[65];
			buf[0] = 1;
			memcpy(buf + 1, lv[i], 32);
			memcpy(buf + 33, lv[i + 1], 32);
			c2c_sha256(buf, sizeof(buf), lv[m++]);
		}
		if (n % 2 == 1)
			memcpy(lv[m++], lv[n - 1], 32);
		n = m;
	}
	memcpy(out, lv[0], 32);
	c2c_free(lv);
	return C2C_OK;
}

/* Sort (numerically) and de-duplicate refs in place; returns the new count. */
static size_t
refs_sort(struct c2c_detect *d, struct c2c_evref *r, size_t n)
{
	size_t m = 0;
	(void)d;
	qsort(r, n, sizeof(*r), ref_num_cmp);
	for (size_t i = 0; i < n; i++)
		if (m == 0 || ref_num_cmp(&r[m - 1], &r[i]) != 0)
			r[m++] = r[i];
	return m;
}

/* Put refs in rendered-string order (the digests are known by now). */
static void
refs_text_order(struct c2c_detect *d, struct c2c_evref *r, size_t n)
{
	size_t i = 1;
	while (i < n && ref_cmp(d, &r[i - 1], &r[i]) < 0)
		i++;
	if (i >= n)
		return;
	sort_ctx = d;
	qsort(r, n, sizeof(*r), ref_cmp_q);
}

/* The "evidence" object of a finding over sorted refs. */
static c2c_err
evidence_json(struct c2c_detect *d, const struct c2c_evref *r, size_t n, bool psl,
    uint8_t root[32], json_t **out)
{
	json_t *ev = json_object(), *arr = json_array();
	char buf[C2C_EVREF_STRLEN];
	c2c_err rc = C2C_ENOMEM;
	char **strs = NULL;

	if (ev == NULL || arr == NULL)
		goto out;
	if (n <= REFS_INLINE) {
		for (size_t i = 0; i < n; i++) {
			c2c_evref_format(&r[i], d->sha[r[i].input], buf, sizeof(buf));
			if ((rc = c2c_json_append_new(arr, json_string(buf))) != C2C_OK)
				goto out;
		}
		rc = c2c_json_set_new(ev, "refs", arr);
		arr = NULL;
	} else {
		char hex[65];
		strs = c2c_calloc(n, sizeof(*strs));
		if (strs == NULL)
			goto out;
		for (size_t i = 0; i < n; i++) {
			c2c_evref_format(&r[i], d->sha[r[i].input], buf, sizeof(buf));
			if ((strs[i] = c2c_strdup(buf)) == NULL)
				goto out;
		}
		if ((rc = c2c_detect_merkle_root((const char *const *)strs, n, root)) != C2C_OK)
			goto out;
		for (size_t i = 0; i < n; i++) {
			if (i == SAMPLE && n > 2 * SAMPLE)
				i = n - SAMPLE;
			if ((rc = c2c_json_append_new(arr, json_string(strs[i]))) != C2C_OK)
				goto out;
		}
		if ((rc = c2c_json_set_int(ev, "count", (int64_t)n)) != C2C_OK ||
		    (rc = c2c_json_set_str(ev, "merkle_root", c2c_hex(root, 32, hex))) != C2C_OK)
			goto out;
		rc = c2c_json_set_new(ev, "samples", arr);
		arr = NULL;
	}
	if (rc == C2C_OK && psl && d->psl != NULL) {
		char hex[72] = "sha256:";
		json_t *rd = json_array();
		c2c_hex(c2c_psl_sha256(d->psl), 32, hex + 7);
		if ((rc = c2c_json_append_new(rd, json_string(hex))) == C2C_OK)
			rc = c2c_json_set_new(ev, "refdata", rd);
		else
			json_decref(rd);
	}
out:
	if (strs != NULL)
		for (size_t i = 0; i < n; i++)
			c2c_free(strs[i]);
	c2c_free(strs);
	json_decref(arr);
	if (rc != C2C_OK) {
		json_decref(ev);
		return rc;
	}
	*out = ev;
	return C2C_OK;
}

/* ---- finish: series analysis ------------------------------------------------------------------ */

static c2c_err
scratch_reserve(struct c2c_detect *d, size_t n)
{
	size_t bins = (size_t)c2c_config_int(d->cfg, "beacon.histogram_bins");
	size_t need = 2 * (n > bins ? n : bins);
	if (need <= d->scratch_cap)
		return C2C_OK;
	c2c_free(d->scratch);
	c2c_free(d->ts_buf);
	c2c_free(d->sz_buf);
	d->scratch = c2c_calloc(need, sizeof(int64_t));
	d->ts_buf = c2c_calloc(need, sizeof(int64_t));
	d->sz_buf = c2c_calloc(need, sizeof(int64_t));
	d->scratch_cap = d->scratch && d->ts_buf && d->sz_buf ? need : 0;
	return d->scratch_cap ? C2C_OK : C2C_ENOMEM;
}

static c2c_err
add_finding(struct c2c_detect *d, uint8_t type, uint8_t kind, uint32_t host, uint32_t peer,
    json_t *obj, struct c2c_evref *refs, size_t nrefs, bool psl)
{
	c2c_err rc = grow_array((void **)&d->fnd, &d->cap_fnd, d->n_fnd + 1, sizeof(*d->fnd));
	if (rc != C2C_OK) {
		json_decref(obj);
		c2c_free(refs);
		return rc;
	}
	d->fnd[d->n_fnd++] = (struct finding){ .type = type, .kind = kind, .psl = psl,
		.host = host, .peer = peer, .obj = obj, .refs = refs, .nrefs = nrefs };
	return C2C_OK;
}

static c2c_err
set_time(json_t *o, const char *k, c2c_time t)
{
	char buf[40];
	return c2c_json_set_str(o, k, c2c_time_format_iso(t, buf, sizeof(buf)));
}

static const char *
src_name(uint8_t s)
{
	switch (s) {
	case SRC_SNI:
		return "tls-sni";
	case SRC_HTTP:
		return "http-host";
	case SRC_PROXY:
		return "http-proxy";
	case SRC_DNS:
		return "dns-answer";
	default:
		return "none";
	}
}

static int
cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static int cmp_ip_idx(const void *a, const void *b);

/* Fill the summary of a series from its entries: the most frequent responder port (ties: the
 * lowest) and, for a name series, its distinct peer addresses. */
static c2c_err
summarize(struct c2c_detect *d, struct series *s)
{
	uint16_t *v;
	uint32_t *pv;
	size_t best = 0, n = 0;
	if (s->summarized)
		return C2C_OK;
	v = c2c_calloc(s->n + 1, sizeof(*v));
	pv = c2c_calloc(s->n + 1, sizeof(*pv));
	if (v == NULL || pv == NULL) {
		c2c_free(v);
		c2c_free(pv);
		return C2C_ENOMEM;
	}
	for (size_t i = 0; i < s->n; i++) {
		v[i] = s->e[i].port;
		pv[i] = s->e[i].peer;
	}
	qsort(v, s->n, sizeof(*v), cmp_u16);
	s->port = 0;
	for (size_t i = 0; i < s->n;) {
		size_t j = i;
		while (j < s->n && v[j] == v[i])
			j++;
		if (j - i > best) {
			best = j - i;
			s->port = v[i];
		}
		i = j;
	}
	if (s->kind == K_NAME) {
		sort_ctx = d;
		qsort(pv, s->n, sizeof(*pv), cmp_ip_idx);
		for (size_t i = 0; i < s->n; i++)
			if (n == 0 || pv[n - 1] != pv[i])
				pv[n++] = pv[i];
		s->peer_count = n;
		s->n_listed = n < 16 ? n : 16;
		memcpy(s->peers, pv, s->n_listed * sizeof(*pv));
	}
	c2c_free(v);
	c2c_free(pv);
	s->summarized = true;
	return C2C_OK;
}

static int
cmp_ip_idx(const void *a, const void *b)
{
	const struct c2c_detect *d = sort_ctx;
	return c2c_ip_cmp(&d->ips[*(const uint32_t *)a].ip, &d->ips[*(const uint32_t *)b].ip);
}

/* Common finding skeleton: type, rung, method, subject, times, recheck. */
static c2c_err
skeleton(struct c2c_detect *d, const struct series *s, const char *type, const char *method,
    const char *section, c2c_time first, c2c_time last, json_t **out)
{
	json_t *o = json_object(), *m = json_object(), *pr = json_object(), *sub = json_object();
	json_t *sec = json_object(), *net = json_object();
	char ip[C2C_IP_STRLEN];
	c2c_err rc = C2C_ENOMEM;
	uint16_t port = 0;

	if (!o || !m || !pr || !sub || !sec || !net)
		goto fail;
	port = s->port;
	if ((rc = c2c_json_set_str(o, "type", type)) != C2C_OK ||
	    (rc = c2c_json_set_str(o, "rung", "L1")) != C2C_OK ||
	    (rc = c2c_json_set_str(m, "id", method)) != C2C_OK ||
	    (rc = c2c_json_set_int(m, "version", 1)) != C2C_OK ||
	    (rc = c2c_json_set_str(pr, "mode", d->rita ? "rita" : "default")) != C2C_OK ||
	    (rc = c2c_config_section_json(d->cfg, section, sec)) != C2C_OK ||
	    (rc = c2c_config_section_json(d->cfg, "network", net)) != C2C_OK ||
	    (rc = set_time(pr, "window_start", d->win_lo)) != C2C_OK ||
	    (rc = set_time(pr, "window_end", d->win_hi)) != C2C_OK)
		goto fail;
	if (strcmp(section, "beacon") == 0 || strcmp(section, "strobe") == 0) {
		json_t *st = json_object();
		if ((rc = c2c_config_section_json(d->cfg, "strobe", st)) != C2C_OK ||
		    (rc = c2c_json_set_new(pr, "strobe", st)) != C2C_OK)
			goto fail;
	}
	rc = c2c_json_set_new(pr, section, sec);
	sec = NULL;
	if (rc == C2C_OK)
		rc = c2c_json_set_new(pr, "network", net);
	net = NULL;
	if (rc == C2C_OK)
		rc = c2c_json_set_new(m, "params", pr);
	pr = NULL;
	if (rc == C2C_OK)
		rc = c2c_json_set_new(o, "method", m);
	m = NULL;
	if (rc != C2C_OK)
		goto fail;
	if ((rc = c2c_json_set_str(sub, "host",
		 c2c_ip_format(&d->ips[s->host].ip, ip, sizeof(ip)))) != C2C_OK)
		goto fail;
	if (s->kind == K_IP) {
		rc = c2c_json_set_str(sub, "peer", c2c_ip_format(&d->ips[s->peer].ip, ip, sizeof(ip)));
	} else {
		rc = c2c_json_set_str(sub, "fqdn", name_str(d, s->peer));
		/* A single peer address is part of the subject; several are listed in result. */
		if (rc == C2C_OK && s->peer_count == 1)
			rc = c2c_json_set_str(sub, "peer",
			    c2c_ip_format(&d->ips[s->peers[0]].ip, ip, sizeof(ip)));
	}
	if (rc == C2C_OK)
		rc = c2c_json_set_int(sub, "peer_port", port);
	if (rc == C2C_OK)
		rc = c2c_json_set_new(o, "subject", sub);
	sub = NULL;
	if (rc == C2C_OK)
		rc = set_time(o, "first_seen", first);
	if (rc == C2C_OK)
		rc = set_time(o, "last_seen", last);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(o, "recheck", s->truncated ? "inputs" : "records");
	if (rc != C2C_OK)
		goto fail;
	*out = o;
	return C2C_OK;
fail:
	json_decref(o);
	json_decref(m);
	json_decref(pr);
	json_decref(sub);
	json_decref(sec);
	json_decref(net);
	return rc == C2C_OK ? C2C_ENOMEM : rc;
}

/* Collect the references of entries [0, n) that `take` selects. */
static c2c_err
collect_refs(struct c2c_detect *d, const struct series *s, bool closed_in_window, bool open,
    struct c2c_evref **out, size_t *nout)
{
	struct c2c_evref *r = c2c_calloc(3 * s->n + 1, sizeof(*r));
	size_t m = 0;
	if (r == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		const struct entry *e = &s->e[i];
		bool is_open = (e->flags & E_OPEN) != 0;
		if (e->flags & E_DROP)
			continue;
		if (!((is_open && open) || (!is_open && closed_in_window && e->ts >= d->cut)))
			continue;
		r[m++] = e->ev;
		if (e->flags & E_LAST)
			r[m++] = e->ev2;
		if (e->flags & E_OBS)
			r[m++] = e->obs;
	}
	for (size_t i = 0; i < m; i++) {
		if (r[i].input >= d->n_inputs) {
			c2c_free(r);
			return C2C_EINVAL;
		}
	}
	*nout = refs_sort(d, r, m);
	*out = r;
	return C2C_OK;
}

static c2c_err
peers_json(struct c2c_detect *d, const struct series *s, json_t *res)
{
	json_t *arr = json_array();
	char ip[C2C_IP_STRLEN];
	c2c_err rc = C2C_OK;
	if (arr == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < s->n_listed && rc == C2C_OK; i++)
		rc = c2c_json_append_new(arr,
		    json_string(c2c_ip_format(&d->ips[s->peers[i]].ip, ip, sizeof(ip))));
	if (rc != C2C_OK) {
		json_decref(arr);
		return rc;
	}
	if ((rc = c2c_json_set_new(res, "peers", arr)) != C2C_OK)
		return rc;
	return c2c_json_set_int(res, "peer_count", (int64_t)s->peer_count);
}

static int cmp_entry_time(const void *a, const void *b);

static int
cmp_entry_ptr_key(const void *a, const void *b)
{
	const struct entry *x = *(const struct entry *const *)a, *y = *(const struct entry *const *)b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->dur != y->dur)
		return x->dur > y->dur ? -1 : 1; /* longest first */
	return cmp_entry_time(x, y);
}

/* Open-connection logs repeat a still-open connection in every snapshot (Zeek's open_conn.log
 * each hour): per connection (join key) keep only the longest snapshot, and none at all when
 * the connection also appears closed. */
static c2c_err
drop_open_snapshots(struct series *s)
{
	struct entry **v;
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		if ((s->e[i].flags & E_OPEN) && (s->e[i].flags & E_KEY))
			n++;
	if (n == 0)
		return C2C_OK;
	v = c2c_calloc(s->n, sizeof(*v));
	if (v == NULL)
		return C2C_ENOMEM;
	n = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].flags & E_KEY)
			v[n++] = &s->e[i];
	qsort(v, n, sizeof(*v), cmp_entry_ptr_key);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		bool closed = false, kept = false;
		for (; j < n && v[j]->key == v[i]->key; j++)
			if (!(v[j]->flags & E_OPEN))
				closed = true;
		for (size_t k = i; k < j; k++) {
			if (!(v[k]->flags & E_OPEN))
				continue;
			if (closed || kept)
				v[k]->flags |= E_DROP;
			kept = true;
		}
		i = j;
	}
	c2c_free(v);
	return C2C_OK;
}

static c2c_err
analyse_series(struct c2c_detect *d, struct series *s)
{
	uint64_t n_closed = 0, tb = 0, open_n = 0;
	int64_t dur = 0, open_dur = 0, impact;
	c2c_time first = INT64_MAX, last = INT64_MIN;
	uint64_t thr;
	json_t *o = NULL, *res = NULL;
	struct c2c_evref *refs = NULL;
	size_t nrefs = 0;
	c2c_err rc = drop_open_snapshots(s);

	if (rc != C2C_OK)
		return rc;
	for (size_t i = 0; i < s->n; i++) {
		const struct entry *e = &s->e[i];
		if (e->flags & E_DROP)
			continue;
		if (e->flags & E_OPEN) {
			open_n++;
			open_dur += e->dur;
		} else if (e->ts >= d->cut) {
			n_closed++;
			dur += e->dur;
			tb += e->obytes + e->rbytes;
		} else {
			continue;
		}
		if (e->ts < first)
			first = e->ts;
		if (e->ts + e->dur > last)
			last = e->ts + e->dur;
	}
	if (n_closed + open_n == 0)
		return C2C_OK;
	/* Long connection: closed connections in the window plus every open one. */
	if (dur + open_dur >= d->lc_base && c2c__longconn_eval(d->cfg, dur + open_dur, &impact)) {
		if ((rc = summarize(d, s)) != C2C_OK ||
		    (rc = skeleton(d, s, "long-connection", "c2chain.long-connection", "longconn",
			 first, last, &o)) != C2C_OK ||
		    (rc = collect_refs(d, s, true, true, &refs, &nrefs)) != C2C_OK)
			goto out;
		res = json_object();
		if ((res == NULL && (rc = C2C_ENOMEM) != C2C_OK) ||
		    (rc = c2c_json_set_int(res, "connections", (int64_t)(n_closed + open_n))) ||
		    (rc = c2c_json_set_int(res, "open_connections", (int64_t)open_n)) ||
		    (rc = c2c_json_set_int(res, "total_duration_us", dur + open_dur)) ||
		    (rc = c2c_json_set_int(res, "open_duration_us", open_dur)) ||
		    (rc = c2c_json_set_int(res, "impact_e6", impact)))
			goto out;
		if (s->kind == K_NAME && (rc = peers_json(d, s, res)) != C2C_OK)
			goto out;
		if ((rc = c2c_json_set_new(o, "result", res)) != C2C_OK)
			goto outr;
		res = NULL;
		rc = add_finding(d, T_LONG, s->kind, s->host, s->peer, o, refs, nrefs, false);
		o = NULL;
		refs = NULL;
		if (rc != C2C_OK)
			goto out;
	}
	if (n_closed < 4)
		goto out;
	/* Strobe or beacon, never both. */
	thr = d->strobe_thr;
	if (n_closed >= thr) {
		if ((rc = summarize(d, s)) != C2C_OK ||
		    (rc = skeleton(d, s, "strobe", "c2chain.strobe", "strobe", first, last, &o)) !=
			C2C_OK ||
		    (rc = collect_refs(d, s, true, false, &refs, &nrefs)) != C2C_OK)
			goto out;
		res = json_object();
		if ((res == NULL && (rc = C2C_ENOMEM) != C2C_OK) || (rc = c2c_json_set_int(res, "connections", (int64_t)n_closed)) ||
		    (rc = c2c_json_set_int(res, "threshold", (int64_t)thr)) ||
		    (rc = c2c_json_set_int(res, "total_bytes", (int64_t)tb)) ||
		    (rc = c2c_json_set_int(res, "impact_e6", 800000)))
			goto out;
		if ((rc = c2c_json_set_new(o, "result", res)) != C2C_OK)
			goto outr;
		res = NULL;
		rc = add_finding(d, T_STROBE, s->kind, s->host, s->peer, o, refs, nrefs, false);
		o = NULL;
		refs = NULL;
		goto out;
	}
	/* Beacon score. */
	{
		struct c2c__beacon_params bp = d->bp;
		struct c2c__beacon_result br;
		size_t m = 0;
		int64_t unit = d->rita ? C2C_USEC : 1, lo, hi;
		if ((rc = scratch_reserve(d, (size_t)n_closed)) != C2C_OK)
			goto out;
		for (size_t i = 0; i < s->n; i++) {
			const struct entry *e = &s->e[i];
			if ((e->flags & (E_OPEN | E_DROP)) || e->ts < d->cut)
				continue;
			/* rita: whole seconds, truncated like ClickHouse's DateTime. */
			d->ts_buf[m] = d->rita ? (e->ts >= 0 ? e->ts / unit : -((-e->ts + unit - 1) / unit))
					       : e->ts;
			d->sz_buf[m] = (int64_t)e->obytes;
			m++;
		}
		c2c__sort_i64(d->ts_buf, m);
		if (!d->rita && m < bp.bins) {
			/* Default mode, sparse series: one bin per connection (at least 6), the
			 * duration thresholds scaled from RITA's 24, so that a regular slow beacon
			 * fills its bins instead of leaving most of 24 empty. The bimodal test is
			 * off: with about one connection per bin any histogram looks "bimodal". */
			uint32_t b = m < 6 ? 6 : (uint32_t)m;
			bp.dur_min_bins = (bp.dur_min_bins * b + bp.bins - 1) / bp.bins;
			bp.dur_ideal = (bp.dur_ideal * b + bp.bins - 1) / bp.bins;
			bp.bimodal_min_bins = UINT32_MAX;
			bp.bins = b;
		}
		lo = d->rita ? d->win_lo / unit : d->win_lo;
		hi = d->rita ? d->win_hi / unit : d->win_hi;
		c2c__beacon_score(&bp, d->ts_buf, d->sz_buf, m, lo, hi, d->scratch, &br);
		if (!br.scored)
			goto out;
		d->st.series_scored++;
		bool heavy = br.score_e6 + d->bonus_max >= d->min_score;
		struct cand c = { s->kind, s->host, s->peer, br.median2 * unit, br.score_e6, 0, 1, 1,
			SIZE_MAX };
		if (heavy) {
			struct pending *pd;
			if ((rc = summarize(d, s)) != C2C_OK ||
			    (rc = collect_refs(d, s, true, false, &refs, &nrefs)) != C2C_OK ||
			    (rc = grow_array((void **)&d->pend, &d->cap_pend, d->n_pend + 1,
				 sizeof(*d->pend))) != C2C_OK)
				goto out;
			pd = &d->pend[d->n_pend];
			memset(pd, 0, sizeof(*pd));
			pd->s = *s;
			pd->s.e = NULL;
			pd->s.n = 0;
			pd->br = br;
			pd->refs = refs;
			pd->nrefs = nrefs;
			pd->conns = m;
			pd->total_bytes = tb;
			pd->first = first;
			pd->last = last;
			pd->unit = unit;
			refs = NULL;
			c.heavy = d->n_pend++;
		}
		if ((rc = grow_array((void **)&d->cands, &d->cap_cands, d->n_cands + 1,
			 sizeof(*d->cands))) != C2C_OK)
			goto out;
		d->cands[d->n_cands++] = c;
	}
out:
	json_decref(res);
outr:
	json_decref(o);
	c2c_free(refs);
	return rc;
}

/* ---- finish: walking the pairs ------------------------------------------------------------- */
static int
cmp_pair_idx(const void *a, const void *b)
{
	const struct c2c_detect *d = sort_ctx;
	const struct pair *x = pair_at(d, *(const uint32_t *)a), *y = pair_at(d, *(const uint32_t *)b);
	int c = c2c_ip_cmp(&d->ips[x->host].ip, &d->ips[y->host].ip);
	if (c != 0)
		return c;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->kind == K_IP)
		return c2c_ip_cmp(&d->ips[x->peer].ip, &d->ips[y->peer].ip);
	return strcmp(name_str(d, x->peer), name_str(d, y->peer));
}

static int
cmp_entry_time(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->ev.input != y->ev.input)
		return x->ev.input < y->ev.input ? -1 : 1;
	if (x->ev.off != y->ev.off)
		return x->ev.off < y->ev.off ? -1 : 1;
	return (x->ev.rec > y->ev.rec) - (x->ev.rec < y->ev.rec);
}

static int
cmp_entry_name(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->name != y->name) {
		int c = strcmp(name_str(sort_ctx, x->name), name_str(sort_ctx, y->name));
		if (c != 0)
			return c;
	}
	return cmp_entry_time(a, b);
}

static bool
entries_sorted(const struct entry *e, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (cmp_entry_time(&e[i - 1], &e[i]) > 0)
			return false;
	return true;
}

struct ebuf {
	struct entry *e;
	size_t n, cap;
};

static c2c_err
ebuf_push(struct ebuf *b, const struct entry *e)
{
	c2c_err rc = grow_array((void **)&b->e, &b->cap, b->n + 1, sizeof(*b->e));
	if (rc == C2C_OK)
		b->e[b->n++] = *e;
	return rc;
}

/* Decode pair p; IP-pair connections that carry a name move to `named`. */
static c2c_err
decode_pair(struct c2c_detect *d, const struct pair *p, struct ebuf *own, struct ebuf *named)
{
	struct chain_rd r = { d, &p->ch, p->ch.head, 0 };
	struct dec_state st = { 0, 0, 0 };
	struct entry e;
	c2c_err rc = C2C_OK;
	own->n = 0;
	for (uint32_t i = 0; i < p->stored && rc == C2C_OK; i++) {
		if (!decode_entry(&r, &st, &e))
			return C2C_EINVAL; /* cannot happen: we wrote it */
		if (p->kind == K_NAME) {
			e.name = p->peer;
			rc = ebuf_push(named, &e);
			continue;
		}
		e.peer = p->peer;
		const struct keyent *k = (e.flags & E_KEY) ? key_find(d, e.key) : NULL;
		const struct dnsmap *m = NULL;
		if (k == NULL && !d->rita && !(p->flags & PF_INTERNAL)) {
			m = dmap_find(d, p->host, p->peer);
			if (m != NULL && m->ts > e.ts)
				m = NULL;
		}
		if (k != NULL || m != NULL) {
			e.flags |= E_OBS;
			e.src = k ? k->src : SRC_DNS;
			e.obs = k ? k->ev : m->ev;
			e.name = k ? k->name : m->name;
			if (k)
				d->st.joined_late++;
			else
				d->st.joined_dns++;
			rc = ebuf_push(named, &e);
		} else if (!(p->flags & PF_INTERNAL)) {
			rc = ebuf_push(own, &e);
		}
	}
	return rc;
}

static c2c_err
analyse_named(struct c2c_detect *d, uint32_t host, struct ebuf *named, bool trunc)
{
	c2c_err rc = C2C_OK;
	if (named->n == 0)
		return C2C_OK;
	sort_ctx = d;
	qsort(named->e, named->n, sizeof(*named->e), cmp_entry_name);
	for (size_t i = 0; i < named->n && rc == C2C_OK;) {
		size_t j = i;
		struct series s;
		while (j < named->n && named->e[j].name == named->e[i].name)
			j++;
		memset(&s, 0, sizeof(s));
		s.kind = K_NAME;
		s.host = host;
		s.peer = named->e[i].name;
		s.e = named->e + i;
		s.n = j - i;
		s.truncated = trunc;
		s.src = named->e[i].src;
		for (size_t k = i; k < j; k++)
			if (named->e[k].src == SRC_PROXY)
				s.src = SRC_PROXY;
		rc = analyse_series(d, &s);
		i = j;
	}
	named->n = 0;
	return rc;
}

static int
cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->peer != y->peer)
		return x->peer < y->peer ? -1 : 1;
	if (x->median2 != y->median2)
		return x->median2 < y->median2 ? -1 : 1;
	return (x->host > y->host) - (x->host < y->host);
}

/* The JSON of a reported beacon; the finding takes p->refs. */
static c2c_err
build_beacon(struct c2c_detect *d, struct pending *p, int64_t score, const struct cand *c)
{
	const struct c2c__beacon_result *br = &p->br;
	json_t *o = NULL, *res = NULL;
	int64_t unit = p->unit;
	c2c_err rc = skeleton(d, &p->s, "beacon", "c2chain.beacon", "beacon", p->first, p->last,
	    &o);
	if (rc != C2C_OK)
		return rc;
	res = json_object();
	if ((res == NULL && (rc = C2C_ENOMEM) != C2C_OK) ||
	    (rc = c2c_json_set_int(res, "connections", (int64_t)p->conns)) ||
	    (rc = c2c_json_set_int(res, "unique_timestamps", (int64_t)br->unique_ts)) ||
	    (rc = c2c_json_set_int(res, "score_e6", score)) ||
	    (rc = c2c_json_set_int(res, "base_score_e6", br->score_e6)) ||
	    (rc = c2c_json_set_int(res, "impact_e6",
		 c2c__bucket_e6(score, d->bucket[0], d->bucket[1], d->bucket[2], d->bucket[3]))) ||
	    (rc = c2c_json_set_int(res, "ts_score_e6", br->ts_e6)) ||
	    (rc = c2c_json_set_int(res, "ds_score_e6", br->ds_e6)) ||
	    (rc = c2c_json_set_int(res, "dur_score_e6", br->dur_e6)) ||
	    (rc = c2c_json_set_int(res, "hist_score_e6", br->hist_e6)) ||
	    (rc = c2c_json_set_int(res, "ts_skew_e6", br->ts_skew_e6)) ||
	    (rc = c2c_json_set_int(res, "ts_mad_score_e6", br->ts_mad_score_e6)) ||
	    (rc = c2c_json_set_int(res, "ds_skew_e6", br->ds_skew_e6)) ||
	    (rc = c2c_json_set_int(res, "ds_mad_score_e6", br->ds_mad_score_e6)) ||
	    (rc = c2c_json_set_int(res, "cv_score_e6", br->cv_score_e6)) ||
	    (rc = c2c_json_set_int(res, "bimodal_e6", br->bimodal_e6)) ||
	    (rc = c2c_json_set_int(res, "coverage_e6", br->coverage_e6)) ||
	    (rc = c2c_json_set_int(res, "consistency_e6", br->consistency_e6)) ||
	    (rc = c2c_json_set_int(res, "bins_seen", br->total_bars)) ||
	    (rc = c2c_json_set_int(res, "longest_run", br->longest_run)) ||
	    (rc = c2c_json_set_int(res, "median_interval_us",
		 c2c__div_round((c2c_i128)br->median2 * unit, 2))) ||
	    (rc = c2c_json_set_int(res, "jitter_us", c2c__div_round((c2c_i128)br->mad4 * unit, 4))) ||
	    (rc = c2c_json_set_int(res, "median_bytes", c2c__div_round(br->ds_median2, 2))) ||
	    (rc = c2c_json_set_int(res, "total_bytes", (int64_t)p->total_bytes)))
		goto out;
	if (p->s.kind == K_NAME &&
	    ((rc = peers_json(d, &p->s, res)) != C2C_OK ||
		(rc = c2c_json_set_str(res, "fqdn_source", src_name(p->s.src))) != C2C_OK))
		goto out;
	if (!d->rita &&
	    ((rc = c2c_json_set_int(res, "shared_period_clients", c->shared)) != C2C_OK ||
		(rc = c2c_json_set_int(res, "server_bonus_e6", c->bonus_e6)) != C2C_OK))
		goto out;
	rc = c2c_json_set_new(o, "result", res);
	res = NULL;
	if (rc != C2C_OK)
		goto out;
	rc = add_finding(d, T_BEACON, p->s.kind, p->s.host, p->s.peer, o, p->refs, p->nrefs,
	    false);
	o = NULL;
	p->refs = NULL;
out:
	json_decref(res);
	json_decref(o);
	return rc;
}

/* Server-centric pass: clients sharing one period to one server (Disclosure, BAYWATCH). */
static c2c_err
server_pass(struct c2c_detect *d)
{
	const struct c2c_config *cfg = d->cfg;
	int64_t tol = c2c_config_int(cfg, "beacon.server_period_tolerance");
	int64_t bonus = c2c_config_int(cfg, "beacon.server_share_bonus");
	int64_t bmax = c2c_config_int(cfg, "beacon.server_share_bonus_max");
	int64_t minscore = c2c_config_int(cfg, "beacon.min_score");
	uint64_t smin = (uint64_t)c2c_config_int(cfg, "beacon.server_suppress_min_clients");
	int64_t sfrac = c2c_config_int(cfg, "beacon.server_suppress_fraction");
	uint64_t hosts = 0;
	c2c_err rc = C2C_OK;

	for (size_t i = 0; i < d->n_ips; i++)
		hosts += d->ips[i].is_host;
	if (d->n_cands > 1)
		qsort(d->cands, d->n_cands, sizeof(*d->cands), cmp_cand);
	for (size_t i = 0; i < d->n_cands;) {
		size_t j = i;
		while (j < d->n_cands && d->cands[j].kind == d->cands[i].kind &&
		    d->cands[j].peer == d->cands[i].peer)
			j++;
		/* Within one server, sorted by median: count those within tolerance of each. */
		size_t lo = i, hi = i;
		for (size_t k = i; k < j; k++) {
			struct cand *c = &d->cands[k];
			c->clients = (uint32_t)(j - i);
			c2c_i128 band = (c2c_i128)c->median2 * tol / C2C_E6;
			while (lo < k && (c2c_i128)c->median2 - d->cands[lo].median2 > band)
				lo++;
			if (hi < k)
				hi = k;
			while (hi + 1 < j && (c2c_i128)d->cands[hi + 1].median2 - c->median2 <= band)
				hi++;
			c->shared = (uint32_t)(hi - lo + 1);
		}
		i = j;
	}
	for (size_t i = 0; i < d->n_cands && rc == C2C_OK; i++) {
		struct cand *c = &d->cands[i];
		struct pending *p;
		bool suppress = false;
		int64_t score = c->score_e6;
		if (!d->rita && c->shared > 1) {
			int64_t b = (int64_t)(c->shared - 1) * bonus;
			c->bonus_e6 = b > bmax ? bmax : b;
		}
		/* A fleet service: a server that a large share of the hosts all contact regularly
		 * (update checks, NTP, the resolver seen in flow records without names), whether
		 * or not their periods agree. */
		if (!d->rita)
			suppress = smin > 0 && c->clients >= smin &&
			    (c2c_i128)c->clients * C2C_E6 >= (c2c_i128)sfrac * (c2c_i128)hosts;
		if (suppress) {
			d->st.beacons_suppressed++;
			continue;
		}
		score += c->bonus_e6;
		if (score > C2C_E6)
			score = C2C_E6;
		if (c->heavy == SIZE_MAX || score < minscore)
			continue;
		p = &d->pend[c->heavy];
		rc = build_beacon(d, p, score, c);
	}
	return rc;
}

static c2c_err
dns_pass(struct c2c_detect *d)
{
	c2c_err rc = C2C_OK;
	for (size_t i = 0; i < d->n_doms && rc == C2C_OK; i++) {
		struct c2c__dns_domain *dm = &d->doms[i];
		int64_t impact;
		const char *why;
		json_t *o = NULL, *m = NULL, *pr = NULL, *sec = NULL, *sub = NULL, *res = NULL,
		       *hl = NULL;
		struct c2c_evref *refs = NULL;
		size_t nrefs = 0;
		char ip[C2C_IP_STRLEN];
		int64_t u = (int64_t)(dm->unique ? dm->unique : 1);
		if (!c2c__dns_eval(d->cfg, d->rita, dm, &impact, &why))
			continue;
		refs = c2c_calloc(dm->stored + 1, sizeof(*refs));
		if (refs == NULL)
			return C2C_ENOMEM;
		{
			struct chain ch = { dm->head, dm->tail, dm->tail_used };
			struct chain_rd r = { d, &ch, ch.head, 0 };
			uint64_t off = 0, in;
			for (uint64_t k = 0; k < dm->stored; k++) {
				if (!rd_uvarint(&r, &in) || !get_ref(&r, &refs[k], off) ||
				    in >= d->n_inputs) {
					c2c_free(refs);
					return C2C_EINVAL;
				}
				refs[k].input = (uint32_t)in;
				off = refs[k].off;
			}
			nrefs = refs_sort(d, refs, dm->stored);
		}
		o = json_object();
		m = json_object();
		pr = json_object();
		sec = json_object();
		sub = json_object();
		res = json_object();
		hl = json_array();
		if (!o || !m || !pr || !sec || !sub || !res || !hl) {
			rc = C2C_ENOMEM;
			goto next;
		}
		/* Querying hosts, sorted by address. */
		for (uint32_t a = 1; a < dm->n_hosts; a++)
			for (uint32_t b = a; b > 0 && c2c_ip_cmp(&d->ips[dm->hosts[b - 1]].ip,
							  &d->ips[dm->hosts[b]].ip) > 0;
			     b--) {
				uint32_t t = dm->hosts[b];
				dm->hosts[b] = dm->hosts[b - 1];
				dm->hosts[b - 1] = t;
			}
		for (uint32_t a = 0; a < dm->n_hosts && rc == C2C_OK; a++)
			rc = c2c_json_append_new(hl, json_string(c2c_ip_format(&d->ips[dm->hosts[a]].ip,
			    ip, sizeof(ip))));
		if (rc != C2C_OK)
			goto next;
		if ((rc = c2c_json_set_str(o, "type", "dns-tunnel")) ||
		    (rc = c2c_json_set_str(o, "rung", "L1")) ||
		    (rc = c2c_json_set_str(m, "id", "c2chain.dns-tunnel")) ||
		    (rc = c2c_json_set_int(m, "version", 1)) ||
		    (rc = c2c_json_set_str(pr, "mode", d->rita ? "rita" : "default")) ||
		    (rc = c2c_config_section_json(d->cfg, "dnstunnel", sec)) ||
		    (rc = c2c_json_set_new(pr, "dnstunnel", sec)))
			goto next;
		sec = NULL;
		if ((rc = c2c_json_set_new(m, "params", pr)))
			goto next;
		pr = NULL;
		if ((rc = c2c_json_set_new(o, "method", m)))
			goto next;
		m = NULL;
		if (dm->n_hosts == 1 && dm->hosts_more == 0 &&
		    (rc = c2c_json_set_str(sub, "host", c2c_ip_format(&d->ips[dm->hosts[0]].ip, ip,
			 sizeof(ip)))))
			goto next;
		if ((rc = c2c_json_set_str(sub, "fqdn", name_str(d, dm->name))) ||
		    (rc = c2c_json_set_new(o, "subject", sub)))
			goto next;
		sub = NULL;
		if ((rc = set_time(o, "first_seen", dm->first)) ||
		    (rc = set_time(o, "last_seen", dm->last)) ||
		    (rc = c2c_json_set_int(res, "unique_names", (int64_t)dm->unique)) ||
		    (rc = c2c_json_set_bool(res, "names_capped", dm->capped)) ||
		    (rc = c2c_json_set_int(res, "queries", (int64_t)dm->queries)) ||
		    (rc = c2c_json_set_int(res, "txt_null_queries", (int64_t)dm->txt_null)) ||
		    (rc = c2c_json_set_int(res, "mean_subdomain_length_e6",
			 c2c__div_round((c2c_i128)dm->sum_len * C2C_E6, u))) ||
		    (rc = c2c_json_set_int(res, "mean_entropy_e6",
			 c2c__div_round(dm->sum_entropy_e6, u))) ||
		    (rc = c2c_json_set_int(res, "impact_e6", impact)) ||
		    (rc = c2c_json_set_str(res, "criterion", why)) ||
		    (rc = c2c_json_set_int(res, "querying_hosts",
			 (int64_t)(dm->n_hosts + dm->hosts_more))) ||
		    (rc = c2c_json_set_new(res, "hosts", hl)))
			goto next;
		hl = NULL;
		if ((rc = c2c_json_set_new(o, "result", res)))
			goto next;
		res = NULL;
		if ((rc = c2c_json_set_str(o, "recheck",
			 dm->capped || dm->stored < dm->queries ? "inputs" : "records")))
			goto next;
		rc = add_finding(d, T_DNS, K_NAME, UINT32_MAX, dm->name, o, refs, nrefs, true);
		o = NULL;
		refs = NULL;
	next:
		json_decref(o);
		json_decref(m);
		json_decref(pr);
		json_decref(sec);
		json_decref(sub);
		json_decref(res);
		json_decref(hl);
		c2c_free(refs);
	}
	return rc;
}

static int
cmp_finding(const void *a, const void *b)
{
	const struct c2c_detect *d = sort_ctx;
	const struct finding *x = a, *y = b;
	int c;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->host != y->host) {
		if (x->host == UINT32_MAX || y->host == UINT32_MAX)
			return x->host == UINT32_MAX ? 1 : -1;
		if ((c = c2c_ip_cmp(&d->ips[x->host].ip, &d->ips[y->host].ip)) != 0)
			return c;
	}
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->kind == K_IP)
		return c2c_ip_cmp(&d->ips[x->peer].ip, &d->ips[y->peer].ip);
	return strcmp(name_str(d, x->peer), name_str(d, y->peer));
}

c2c_err
c2c_detect_analyse(struct c2c_detect *d, uint32_t n_inputs)
{
	uint32_t *order = NULL;
	struct ebuf own = { 0 }, named = { 0 };
	c2c_err rc = C2C_OK;

	if (d->analysed || d->finished)
		return C2C_EINVAL;
	d->analysed = true;
	d->n_inputs = n_inputs;
	if (d->max_ts == INT64_MIN) {
		d->min_ts = d->max_ts = 0;
	}
	/* The analysis window. */
	if (d->rita) {
		int64_t hi = d->max_ts / C2C_USEC, lo = d->min_ts / C2C_USEC;
		if (lo < hi - 86400)
			lo = hi - 86400;
		d->win_hi = hi * C2C_USEC;
		d->win_lo = lo * C2C_USEC;
		d->cut = (lo - (lo % 3600 + 3600) % 3600) * C2C_USEC; /* toStartOfHour */
	} else {
		int64_t w = c2c_config_int(d->cfg, "beacon.window");
		d->win_hi = d->max_ts;
		d->win_lo = d->min_ts < d->max_ts - w ? d->max_ts - w : d->min_ts;
		d->cut = d->win_lo;
	}
	d->strobe_thr = c2c__strobe_threshold(d->cfg, d->rita, d->win_hi - d->win_lo);
	order = c2c_calloc(d->n_pairs + 1, sizeof(*order));
	if (order == NULL) {
		rc = C2C_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < d->n_pairs; i++)
		order[i] = (uint32_t)i;
	sort_ctx = d;
	qsort(order, d->n_pairs, sizeof(*order), cmp_pair_idx);
	for (size_t i = 0; i < d->n_pairs && rc == C2C_OK;) {
		uint32_t host = pair_at(d, order[i])->host;
		bool trunc = false;
		size_t j = i;
		for (; j < d->n_pairs && pair_at(d, order[j])->host == host && rc == C2C_OK; j++) {
			const struct pair *p = pair_at(d, order[j]);
			struct series s;
			if ((rc = decode_pair(d, p, &own, &named)) != C2C_OK)
				break;
			trunc = trunc || (p->flags & PF_TRUNC);
			if (own.n == 0)
				continue;
			sort_ctx = d;
			if (!entries_sorted(own.e, own.n))
				qsort(own.e, own.n, sizeof(*own.e), cmp_entry_time);
			memset(&s, 0, sizeof(s));
			s.kind = K_IP;
			s.host = host;
			s.peer = p->peer;
			s.e = own.e;
			s.n = own.n;
			s.truncated = (p->flags & PF_TRUNC) != 0;
			rc = analyse_series(d, &s);
		}
		if (rc == C2C_OK)
			rc = analyse_named(d, host, &named, trunc);
		i = j;
	}
	if (rc == C2C_OK)
		rc = server_pass(d);
	if (rc == C2C_OK)
		rc = dns_pass(d);
	if (rc == C2C_OK) {
		sort_ctx = d;
		if (d->n_fnd > 1)
			qsort(d->fnd, d->n_fnd, sizeof(*d->fnd), cmp_finding);
	}
out:
	d->analyse_rc = rc;
	c2c_free(order);
	c2c_free(own.e);
	c2c_free(named.e);
	return rc;
}

c2c_err
c2c_detect_finish(struct c2c_detect *d, const uint8_t (*input_sha256)[32], uint32_t n_inputs,
    json_t **findings_out)
{
	json_t *arr = NULL;
	c2c_err rc = C2C_OK;

	if (d->finished)
		return C2C_EINVAL;
	if (!d->analysed)
		rc = c2c_detect_analyse(d, n_inputs);
	else if (n_inputs != d->n_inputs)
		rc = C2C_EINVAL;
	else
		rc = d->analyse_rc;
	d->finished = true;
	d->sha = input_sha256;
	if (rc != C2C_OK)
		goto out;
	arr = json_array();
	if (arr == NULL) {
		rc = C2C_ENOMEM;
		goto out;
	}
	/* Evidence (rendered references, Merkle roots), then the id: a digest of the whole
	 * finding. */
	for (size_t i = 0; i < d->n_fnd && rc == C2C_OK; i++) {
		struct finding *f = &d->fnd[i];
		uint8_t dig[32];
		char id[96], hex[65];
		json_t *o = f->obj, *ev = NULL;
		refs_text_order(d, f->refs, f->nrefs);
		if ((rc = evidence_json(d, f->refs, f->nrefs, f->psl, f->root, &ev)) != C2C_OK ||
		    (rc = c2c_json_set_new(o, "evidence", ev)) != C2C_OK)
			break;
		if ((rc = c2c_json_digest(o, dig)) != C2C_OK)
			break;
		c2c_hex(dig, 8, hex);
		(void)snprintf(id, sizeof(id), "%s:%s", json_string_value(json_object_get(o, "type")),
		    hex);
		if ((rc = c2c_json_set_str(o, "id", id)) != C2C_OK)
			break;
		rc = c2c_json_append_new(arr, json_incref(o));
	}
	if (rc != C2C_OK)
		goto out;
	*findings_out = arr;
	arr = NULL;
out:
	json_decref(arr);
	return rc;
}

size_t
c2c_detect_n_findings(const struct c2c_detect *d)
{
	return d->finished ? d->n_fnd : 0;
}

c2c_err
c2c_detect_finding_refs(const struct c2c_detect *d, size_t i, const struct c2c_evref **refs,
    size_t *n)
{
	if (!d->finished)
		return C2C_EINVAL;
	if (i >= d->n_fnd)
		return C2C_ENOTFOUND;
	*refs = d->fnd[i].refs;
	*n = d->fnd[i].nrefs;
	return C2C_OK;
}

c2c_err
c2c_detect_finding_root(const struct c2c_detect *d, size_t i, uint8_t root[32])
{
	if (!d->finished)
		return C2C_EINVAL;
	if (i >= d->n_fnd)
		return C2C_ENOTFOUND;
	if (d->fnd[i].nrefs <= REFS_INLINE)
		return C2C_ENOTFOUND;
	memcpy(root, d->fnd[i].root, 32);
	return C2C_OK;
}

/*
 * NetFlow v9 / IPFIX template cache and data-record decoding.
 *
 * Templates are keyed by (exporter address, version, source id / observation domain, template
 * id) in an open-addressing table of C2C_EXP_TSLOTS slots; a withdrawn template leaves a
 * tombstone, and the table is rebuilt when tombstones pile up. Each template's fields carry a
 * precomputed `map` code, and a fixed-length data template is compiled into ops (offset,
 * length, slot) so decoding its records is a tight loop of fixed-size loads (see the "data
 * records" section). Caps: C2C_EXP_MAX_TEMPLATES templates, C2C_EXP_MAX_FIELDS
 * fields per template, C2C_EXP_MAX_RECLEN bytes of fixed record length.
 */
#include <string.h>

#include "core/cursor.h"
#include "ingest/export.h"

/* Functions run once per record, inlined into both record paths. */
#if defined(__GNUC__)
#define HOT_INLINE inline __attribute__((always_inline))
#else
#define HOT_INLINE inline
#endif

/* What a field means to the flow record. */
enum {
	M_NONE = 0,
	M_SRC4, M_DST4, M_SRC6, M_DST6,
	M_SPORT, M_DPORT, M_SPORT_ALT, M_DPORT_ALT,
	M_PROTO,
	M_BYTES, M_PKTS, M_BYTES_TOT, M_PKTS_TOT, M_POST_BYTES, M_POST_PKTS,
	M_INIT_BYTES, M_RESP_BYTES, M_INIT_PKTS, M_RESP_PKTS,
	M_REV_BYTES, M_REV_PKTS,
	M_END_UPTIME, M_START_UPTIME,
	M_START_S, M_END_S, M_START_MS, M_END_MS, M_START_NTP, M_END_NTP,
	M_START_DUS, M_END_DUS, M_SYSINIT, M_DUR_MS, M_DUR_US, M_OBS_MS,
	M_ICMP, M_ICMP_TYPE, M_ICMP_CODE,
	M_VLAN,
	M_SAMP_INT, M_SAMP_PKT_INT, M_SAMP_PKT_SPACE, M_SAMP_SIZE, M_SAMP_POP, M_SAMPLER_ID,
	M_KNOWN /* understood but not part of the flow record (interfaces, AS numbers, ...) */
};

/* IANA IPFIX information elements (RFC 7012 registry) that NetFlow v9 shares for ids < 128. */
static uint8_t
map_iana(uint16_t id)
{
	switch (id) {
	case 8: return M_SRC4;
	case 12: return M_DST4;
	case 27: return M_SRC6;
	case 28: return M_DST6;
	case 7: return M_SPORT;
	case 11: return M_DPORT;
	case 180: case 182: return M_SPORT_ALT; /* udpSourcePort, tcpSourcePort */
	case 181: case 183: return M_DPORT_ALT;
	case 4: return M_PROTO;
	case 1: return M_BYTES;
	case 2: return M_PKTS;
	case 85: return M_BYTES_TOT;
	case 86: return M_PKTS_TOT;
	case 23: return M_POST_BYTES;
	case 24: return M_POST_PKTS;
	case 231: return M_INIT_BYTES;
	case 232: return M_RESP_BYTES;
	case 298: return M_INIT_PKTS;
	case 299: return M_RESP_PKTS;
	case 21: return M_END_UPTIME;
	case 22: return M_START_UPTIME;
	case 150: return M_START_S;
	case 151: return M_END_S;
	case 152: return M_START_MS;
	case 153: return M_END_MS;
	case 154: case 156: return M_START_NTP;
	case 155: case 157: return M_END_NTP;
	case 158: return M_START_DUS;
	case 159: return M_END_DUS;
	case 160: return M_SYSINIT;
	case 161: return M_DUR_MS;
	case 162: return M_DUR_US;
	case 323: return M_OBS_MS;
	case 32: case 139: return M_ICMP;
	case 176: case 178: return M_ICMP_TYPE;
	case 177: case 179: return M_ICMP_CODE;
	case 58: case 243: return M_VLAN;
	case 34: case 50: return M_SAMP_INT;
	case 305: return M_SAMP_PKT_INT;
	case 306: return M_SAMP_PKT_SPACE;
	case 309: return M_SAMP_SIZE;
	case 310: return M_SAMP_POP;
	case 48: case 302: return M_SAMPLER_ID;
	/* commonly exported, deliberately not part of the flow record */
	case 3: case 5: case 6: case 9: case 10: case 13: case 14: case 15: case 16: case 17:
	case 18: case 29: case 30: case 31: case 35: case 36: case 37: case 38: case 39: case 40:
	case 41: case 42: case 49: case 52: case 53: case 54: case 55: case 56: case 57: case 59:
	case 60: case 61: case 62: case 63: case 70: case 80: case 81: case 82: case 83: case 84:
	case 89: case 95: case 130: case 131: case 136: case 138: case 144: case 145: case 148:
	case 149: case 225: case 226: case 227: case 228: case 233: case 234: case 235: case 239:
		return M_KNOWN;
	default:
		return M_NONE;
	}
}

/* RFC 5103: PEN 29305 carries the reverse-direction value of IANA element `id`. */
static uint8_t
map_field(uint32_t pen, uint16_t id, bool v9_scope)
{
	if (v9_scope)
		return M_KNOWN; /* RFC 3954 §6.1 scope types (System, Interface, ...), not IEs */
	if (pen == 0)
		return map_iana(id);
	if (pen == C2C_PEN_REVERSE) {
		switch (id) {
		case 1: case 85: return M_REV_BYTES;
		case 2: case 86: return M_REV_PKTS;
		default: return M_KNOWN;
		}
	}
	return M_NONE;
}

static void compile(struct c2c_exp_tmpl *t);

/* ---- cache --------------------------------------------------------------------------------- */

static bool
key_eq(const struct c2c_exp_tmpl *t, const struct c2c_exp_msg *m, uint16_t id)
{
	return t->id == id && t->version == m->version && t->domain == m->domain &&
	    t->exporter.family == m->exporter.family &&
	    memcmp(t->exporter.a, m->exporter.a, sizeof(t->exporter.a)) == 0;
}

/* A template id's entry in struct c2c_exp `recent` (Fibonacci hashing: consecutive ids and
 * the round ids exporters like, 256, 1024, 2048, ..., land apart). */
_Static_assert(C2C_EXP_RECENT == 8, "recent_of() keeps the top 3 bits");
static inline size_t
recent_of(uint16_t id)
{
	return ((uint32_t)id * 0x9e3779b1u) >> 29;
}

static size_t
slot_of(const struct c2c_exp *x, const struct c2c_exp_msg *m, uint16_t id, bool *found)
{
	size_t i = (size_t)c2c__exp_key_hash(&m->exporter, m->version, m->domain, id) &
	    (C2C_EXP_TSLOTS - 1);
	size_t first_free = SIZE_MAX;
	for (size_t probes = 0; probes < C2C_EXP_TSLOTS; probes++) {
		struct c2c_exp_tmpl *t = x->tslots[i];
		if (t == NULL) {
			*found = false;
			return first_free != SIZE_MAX ? first_free : i;
		}
		if (t == C2C_EXP_TOMB) {
			if (first_free == SIZE_MAX)
				first_free = i;
		} else if (key_eq(t, m, id)) {
			*found = true;
			return i;
		}
		i = (i + 1) & (C2C_EXP_TSLOTS - 1);
	}
	*found = false;
	return first_free;
}

/* Rebuild the table without tombstones (rare: only after many withdrawals). */
static c2c_err
rehash(struct c2c_exp *x)
{
	struct c2c_exp_tmpl **old = x->tslots;
	struct c2c_exp_tmpl **nw = c2c_calloc(C2C_EXP_TSLOTS, sizeof(*nw));
	if (nw == NULL)
		return C2C_ENOMEM;
	for (size_t k = 0; k < C2C_EXP_TSLOTS; k++) {
		struct c2c_exp_tmpl *t = old[k];
		size_t i;
		if (t == NULL || t == C2C_EXP_TOMB)
			continue;
		i = (size_t)c2c__exp_key_hash(&t->exporter, t->version, t->domain, t->id) &
		    (C2C_EXP_TSLOTS - 1);
		while (nw[i] != NULL)
			i = (i + 1) & (C2C_EXP_TSLOTS - 1);
		nw[i] = t;
	}
	c2c_free(old);
	x->tslots = nw;
	x->n_tomb = 0;
	return C2C_OK;
}

const struct c2c_exp_tmpl *
c2c__tmpl_find(struct c2c_exp_msg *m, uint16_t id)
{
	struct c2c_exp_tmpl **r = &m->x->recent[recent_of(id)];
	bool found;
	size_t i;
	if (*r != NULL && key_eq(*r, m, id))
		return *r;
	i = slot_of(m->x, m, id, &found);
	if (!found)
		return NULL;
	*r = m->x->tslots[i];
	return *r;
}

static bool
same_fields(const struct c2c_exp_tmpl *t, bool options, uint16_t n_scope,
    const struct c2c_exp_field *f, uint16_t n)
{
	if (t->n != n || t->options != options || t->n_scope != n_scope)
		return false;
	for (uint16_t i = 0; i < n; i++) {
		if (t->f[i].pen != f[i].pen || t->f[i].id != f[i].id || t->f[i].len != f[i].len)
			return false;
	}
	return true;
}

/* A template's message (or the captured packet carrying it) is a dependency record of the
 * input: `verify` re-parses a cited data record after it (docs/evidence.md). Each message is
 * listed once; refreshes of an unchanged template add nothing. Past the input's dependency
 * slots, later templates go unlisted (their records then fail the re-parse, never silently). */
static void
note_dep(struct c2c_exp_msg *m, const struct c2c_evref *ev)
{
	struct c2c_input_info *info = m->out->info;
	if (info == NULL)
		return;
	for (uint32_t i = 0; i < info->n_deps; i++)
		if (info->deps[i].off == ev->off && info->deps[i].len == ev->len)
			return;
	if (info->n_deps < C2C_ARRAY_LEN(info->deps)) {
		struct c2c_evref *d = &info->deps[info->n_deps++];
		*d = *ev;
		d->rec = -1; /* the whole message: its header gives the domain and export time */
	}
}

c2c_err
c2c__tmpl_define(struct c2c_exp_msg *m, uint16_t id, bool options, uint16_t n_scope,
    const struct c2c_exp_field *f, uint16_t n, const struct c2c_evref *ev)
{
	struct c2c_exp *x = m->x;
	struct c2c_exp_tmpl *t;
	uint32_t min_len = 0, unknown = 0;
	bool varlen = false, found;
	size_t i = 0;

	if (n == 0 || n > C2C_EXP_MAX_FIELDS)
		return C2C_ELIMIT;
	for (uint16_t k = 0; k < n; k++) {
		if (f[k].len == C2C_EXP_VARLEN) {
			varlen = true;
			min_len += 1; /* the shortest encoding: one length octet */
		} else {
			min_len += f[k].len;
		}
	}
	if (min_len > C2C_EXP_MAX_RECLEN)
		return C2C_ELIMIT;
	if (x->n_tomb > C2C_EXP_TSLOTS / 4) {
		c2c_err rc = rehash(x);
		if (rc != C2C_OK)
			return rc;
	}
	t = x->recent[recent_of(id)];
	if (t != NULL && key_eq(t, m, id)) {
		found = true; /* a refresh, most often */
	} else {
		i = slot_of(x, m, id, &found);
		t = found ? x->tslots[i] : NULL;
	}
	if (found) {
		if (same_fields(t, options, n_scope, f, n)) {
			t->ev = *ev; /* refresh: same definition, newest record cited */
			return C2C_OK;
		}
	} else {
		if (x->n_tmpl >= C2C_EXP_MAX_TEMPLATES || i == SIZE_MAX)
			return C2C_ELIMIT;
		t = c2c_calloc(1, sizeof(*t));
		if (t == NULL)
			return C2C_ENOMEM;
		t->exporter = m->exporter;
		t->version = m->version;
		t->domain = m->domain;
		t->id = id;
	}
	if (t->cap < n) {
		/* fields and compiled ops in one allocation (fields first: the wider alignment) */
		struct c2c_exp_field *nf = c2c_malloc((size_t)n * (sizeof(*nf) + sizeof(*t->ops)));
		if (nf == NULL) {
			if (!found)
				c2c_free(t);
			return C2C_ENOMEM;
		}
		c2c_free(t->f);
		t->f = nf;
		t->ops = (struct c2c_exp_op *)(void *)(nf + n);
		t->cap = n;
	}
	for (uint16_t k = 0; k < n; k++) {
		t->f[k] = f[k];
		t->f[k].map = map_field(f[k].pen, f[k].id, m->version == 9 && options && k < n_scope);
		if (t->f[k].map == M_NONE)
			unknown++;
	}
	t->n = n;
	t->options = options;
	t->n_scope = n_scope;
	t->min_len = min_len;
	t->varlen = varlen;
	t->ev = *ev;
	note_dep(m, ev);
	compile(t);
	if (!found) {
		if (x->tslots[i] == C2C_EXP_TOMB)
			x->n_tomb--;
		x->tslots[i] = t;
		x->n_tmpl++;
	}
	x->recent[recent_of(id)] = t;
	m->out->st->n[C2C_ST_NF_UNKNOWN_FIELDS] += unknown;
	return C2C_OK;
}

static void
drop_slot(struct c2c_exp *x, size_t i)
{
	struct c2c_exp_tmpl *t = x->tslots[i];
	for (size_t k = 0; k < C2C_EXP_RECENT; k++) {
		if (x->recent[k] == t)
			x->recent[k] = NULL;
	}
	c2c_free(t->f);
	c2c_free(t);
	x->tslots[i] = C2C_EXP_TOMB;
	x->n_tmpl--;
	x->n_tomb++;
}

void
c2c__tmpl_withdraw(struct c2c_exp_msg *m, uint16_t id, bool all, bool options)
{
	struct c2c_exp *x = m->x;
	if (!all) {
		bool found;
		size_t i = slot_of(x, m, id, &found);
		if (found) {
			drop_slot(x, i);
			m->out->st->n[C2C_ST_NF_WITHDRAWN]++;
		}
		return;
	}
	/* RFC 7011 §8.1: a withdrawal of Template ID 2 (3) withdraws all (options) templates of
	 * this observation domain. */
	for (size_t i = 0; i < C2C_EXP_TSLOTS; i++) {
		struct c2c_exp_tmpl *t = x->tslots[i];
		if (t == NULL || t == C2C_EXP_TOMB || t->options != options)
			continue;
		if (t->version == m->version && t->domain == m->domain &&
		    t->exporter.family == m->exporter.family &&
		    c2c_ip_cmp(&t->exporter, &m->exporter) == 0) {
			drop_slot(x, i);
			m->out->st->n[C2C_ST_NF_WITHDRAWN]++;
		}
	}
}

/* ---- data records -------------------------------------------------------------------------- */

/*
 * A decoded record is a set of slots, one per map code: `have` bit m says slot m holds the raw
 * (big-endian decoded) value of a field mapped to m, or for addresses a pointer to its bytes.
 * Both record paths fill slots and one function (build_flow) turns slots into a flow, so they
 * cannot disagree:
 *  - the compiled path (t->fast) runs the template's ops at fixed offsets: a load of 1, 2, 4 or
 *    8 bytes per used field, no lookups and nothing per unused field;
 *  - the split path walks every field through the cursor (variable-length fields, templates
 *    with a field used twice, options templates, and callers that want every raw element).
 * When a field is used twice, the split path keeps what the field order gives: the last
 * value, except for IPv6 addresses (the first) and VLAN ids (the first non-zero).
 */
#define M__SLOTS M_KNOWN
_Static_assert(M__SLOTS <= 64, "map codes must fit the slot mask");
#define B(m) (1ull << (m))

struct rec {
	uint64_t have;
	uint64_t v[M__SLOTS];
};

/* Whether a field of `len` bytes can carry the value of map code `map`. */
static bool
len_ok(uint8_t map, uint16_t len)
{
	switch (map) {
	case M_SRC4: case M_DST4:
		return len == 4;
	case M_SRC6: case M_DST6:
		return len == 16;
	case M_START_NTP: case M_END_NTP:
		return len == 8;
	default:
		return len >= 1 && len <= 8; /* RFC 7011 §6.2 reduced-size encoding */
	}
}

/* Counters whose last field decides even when it is unusable (a bad length clears them). */
#define CLEARS_ON_BAD (B(M_BYTES) | B(M_PKTS) | B(M_BYTES_TOT) | B(M_PKTS_TOT) | \
	B(M_POST_BYTES) | B(M_POST_PKTS) | B(M_INIT_BYTES) | B(M_INIT_PKTS))
#define LIMIT_2_53 (B(M_START_MS) | B(M_END_MS) | B(M_SYSINIT) | B(M_OBS_MS))
#define LIMIT_U32 (B(M_SAMP_INT) | B(M_SAMP_PKT_INT) | B(M_SAMP_PKT_SPACE) | B(M_SAMP_SIZE) | \
	B(M_SAMP_POP))

static inline uint64_t
be_load(const uint8_t *p, unsigned len)
{
	uint64_t r = 0;
	switch (len) {
	case 1:
		return p[0];
	case 2:
		return (uint64_t)p[0] << 8 | p[1];
	case 4:
		return (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3];
	case 8:
		return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
		    (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
		    (uint64_t)p[6] << 8 | p[7];
	default:
		for (unsigned i = 0; i < len; i++)
			r = r << 8 | p[i];
		return r;
	}
}

/* Big-endian 8 bytes (compilers turn this into one load and a byte swap). */
static inline uint64_t
be64(const uint8_t *p)
{
	return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
	    (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
	    (uint64_t)p[6] << 8 | p[7];
}

/* Split path: one field, in template order. */
static void
put_field(struct rec *r, uint8_t map, const uint8_t *p, uint16_t len)
{
	uint64_t bit = B(map), v;
	if (!len_ok(map, len)) {
		if (bit & CLEARS_ON_BAD)
			r->have &= ~bit;
		return;
	}
	if (map == M_SRC4 || map == M_DST4 || map == M_SRC6 || map == M_DST6)
		v = (uint64_t)(uintptr_t)p;
	else
		v = be_load(p, len);
	if (((map == M_SRC6 || map == M_DST6) && (r->have & bit)) ||
	    (map == M_VLAN && (r->have & bit) && (r->v[M_VLAN] & 0xfff) != 0) ||
	    ((map == M_SPORT_ALT || map == M_DPORT_ALT) && v == 0) ||
	    ((bit & LIMIT_2_53) && v >= (1ull << 53)) || ((bit & LIMIT_U32) && v > UINT32_MAX))
		return;
	r->v[map] = v;
	r->have |= bit;
}

/* Slot value when present (and, for the compiled path, within the limits put_field applies). */
static inline bool
slot(const struct rec *r, uint8_t map, uint64_t *v)
{
	uint64_t bit = B(map);
	if (!(r->have & bit))
		return false;
	*v = r->v[map];
	if (((bit & LIMIT_2_53) && *v >= (1ull << 53)) || ((bit & LIMIT_U32) && *v > UINT32_MAX))
		return false;
	return !((map == M_SPORT_ALT || map == M_DPORT_ALT) && *v == 0);
}

static inline const uint8_t *
slot_ptr(const struct rec *r, uint8_t map)
{
	return (const uint8_t *)(uintptr_t)r->v[map];
}

/* NTP timestamp (RFC 7011 §6.1.9/10: dateTimeMicroseconds, dateTimeNanoseconds) to µs. */
static c2c_time
ntp_us(uint64_t v)
{
	int64_t secs = (int64_t)(v >> 32) - 2208988800LL;
	uint64_t frac = v & 0xffffffffu;
	return secs * C2C_USEC + (c2c_time)((frac * 1000000u) >> 32);
}

/* Absolute time from whichever element of one end the record has, most precise first;
 * *delta when it is flowStart/EndDeltaMicroseconds (µs before the export time). */
static inline bool
abs_time(const struct rec *r, uint8_t ntp, uint8_t ms, uint8_t s, uint8_t dus, c2c_time *t,
    bool *delta)
{
	uint64_t v;
	*delta = false;
	if (slot(r, ntp, &v)) {
		*t = ntp_us(v);
	} else if (slot(r, ms, &v)) {
		*t = (c2c_time)v * 1000;
	} else if (slot(r, s, &v) && v <= (uint64_t)INT64_MAX / C2C_USEC) {
		*t = (c2c_time)v * C2C_USEC;
	} else if (slot(r, dus, &v)) {
		*t = (c2c_time)(uint32_t)v;
		*delta = true;
	} else {
		return false;
	}
	return true;
}

static uint64_t
slot_or0(const struct rec *r, uint8_t map)
{
	uint64_t v;
	return slot(r, map, &v) ? v : 0;
}

/* 1-in-N from whichever sampling elements the record carries (0 = none). */
static uint32_t
rec_interval(const struct rec *r)
{
	uint32_t si = (uint32_t)slot_or0(r, M_SAMP_INT), size, pop, pi, ps;
	if (si != 0)
		return si;
	/* RFC 5477: random n-out-of-N (samplingSize of samplingPopulation) */
	size = (uint32_t)slot_or0(r, M_SAMP_SIZE);
	pop = (uint32_t)slot_or0(r, M_SAMP_POP);
	if (size != 0 && pop != 0)
		return pop / size;
	/* systematic count-based: select pi packets, then skip ps */
	pi = (uint32_t)slot_or0(r, M_SAMP_PKT_INT);
	ps = (uint32_t)slot_or0(r, M_SAMP_PKT_SPACE);
	if (pi != 0 && ps != 0)
		return (uint32_t)(((uint64_t)pi + ps) / pi);
	return 0;
}

#define SAMPLING_SLOTS (LIMIT_U32 | B(M_SAMPLER_ID))

/* Options data: sampling intervals and the system init time become domain state. */
static void
options_record(struct c2c_exp_msg *m, const struct rec *r)
{
	struct c2c_exp_dom *d = m->dom;
	uint32_t iv = rec_interval(r);
	uint64_t v, sid;
	if (d == NULL)
		return;
	if (slot(r, M_SYSINIT, &v)) {
		d->have_sys_init = true;
		d->sys_init_ms = (int64_t)v;
	}
	if (iv == 0)
		return;
	if (!slot(r, M_SAMPLER_ID, &sid)) {
		d->sampling = iv;
		return;
	}
	for (unsigned i = 0; i < d->n_samplers; i++) {
		if (d->samplers[i].id == sid) {
			d->samplers[i].interval = iv;
			return;
		}
	}
	if (d->n_samplers < C2C_EXP_MAX_SAMPLERS) {
		d->samplers[d->n_samplers].id = sid;
		d->samplers[d->n_samplers].interval = iv;
		d->n_samplers++;
	} else {
		/* Full: the most recent definition replaces the oldest. */
		memmove(&d->samplers[0], &d->samplers[1],
		    (C2C_EXP_MAX_SAMPLERS - 1) * sizeof(d->samplers[0]));
		d->samplers[C2C_EXP_MAX_SAMPLERS - 1].id = sid;
		d->samplers[C2C_EXP_MAX_SAMPLERS - 1].interval = iv;
	}
}

#define TIME_SLOTS (B(M_START_NTP) | B(M_START_MS) | B(M_START_S) | B(M_START_DUS) | \
	B(M_END_NTP) | B(M_END_MS) | B(M_END_S) | B(M_END_DUS) | B(M_START_UPTIME) | \
	B(M_END_UPTIME) | B(M_SYSINIT) | B(M_DUR_MS) | B(M_DUR_US) | B(M_OBS_MS))

/* Start and end from the record's time elements (RFC 7011 §6, RFC 3954 §8). */
static void
flow_times(struct c2c_exp_msg *m, const struct rec *r, struct c2c_flow *f)
{
	c2c_time exp = m->export_time, ts = 0, te = 0, td = 0, to = 0;
	bool sd = false, ed = false, start, end, dur, obs;
	uint64_t v = 0, up_s = 0, up_e = 0, init_v = 0;
	bool have_up_s = slot(r, M_START_UPTIME, &up_s), have_up_e = slot(r, M_END_UPTIME, &up_e);

	uint64_t h = r->have;
	start = (h & (B(M_START_NTP) | B(M_START_MS) | B(M_START_S) | B(M_START_DUS))) &&
	    abs_time(r, M_START_NTP, M_START_MS, M_START_S, M_START_DUS, &ts, &sd);
	end = (h & (B(M_END_NTP) | B(M_END_MS) | B(M_END_S) | B(M_END_DUS))) &&
	    abs_time(r, M_END_NTP, M_END_MS, M_END_S, M_END_DUS, &te, &ed);
	if (start && sd)
		ts = exp - ts; /* microseconds before the export time */
	if (end && ed)
		te = exp - te;
	if (have_up_s || have_up_e) {
		uint32_t us = (uint32_t)up_s, ue = (uint32_t)up_e;
		if (m->version == 9 && m->have_uptime) {
			/* ms of router uptime; the export header pairs uptime and wall time */
			if (have_up_s && !start) {
				start = true;
				ts = exp - (c2c_time)(int32_t)(m->sys_uptime - us) * 1000;
			}
			if (have_up_e && !end) {
				end = true;
				te = exp - (c2c_time)(int32_t)(m->sys_uptime - ue) * 1000;
			}
		} else {
			int64_t init = 0;
			bool have = false;
			if (slot(r, M_SYSINIT, &init_v)) {
				init = (int64_t)init_v;
				have = true;
			} else if (m->dom != NULL && m->dom->have_sys_init) {
				init = m->dom->sys_init_ms;
				have = true;
			}
			if (have && have_up_s && !start) {
				start = true;
				ts = (init + us) * 1000;
			}
			if (have && have_up_e && !end) {
				end = true;
				te = (init + ue) * 1000;
			}
		}
	}
	dur = (h & (B(M_DUR_US) | B(M_DUR_MS))) != 0;
	if (dur) {
		if (slot(r, M_DUR_US, &v))
			td = (c2c_time)(uint32_t)v;
		else if (slot(r, M_DUR_MS, &v))
			td = (c2c_time)(uint32_t)v * 1000;
	}
	if (dur) {
		if (start && !end) {
			end = true;
			te = ts + td;
		} else if (end && !start) {
			start = true;
			ts = te - td;
		}
	}
	obs = (h & B(M_OBS_MS)) && slot(r, M_OBS_MS, &v);
	if (obs)
		to = (c2c_time)v * 1000;
	if (!start && !end && obs) {
		start = end = true;
		ts = te = to;
		dur = false;
	}
	if (start && end) {
		f->ts = ts;
		f->last = te >= ts ? te : ts;
		if (!obs || dur || te != ts)
			f->have |= C2C_HAVE_DURATION;
	} else if (start || end) {
		f->ts = f->last = start ? ts : te;
	} else {
		f->ts = f->last = exp;
	}
}

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static inline void
set_ip(struct c2c_ip *ip, const uint8_t *p, bool v6)
{
	if (v6) {
		memcpy(ip->a, p, 16);
		ip->family = 6;
	} else {
		memcpy(ip->a, v4mapped, 12);
		memcpy(ip->a + 12, p, 4);
		ip->family = 4;
	}
}

/* set_ip() in two halves for the compiled path: the family (and the v4-mapped prefix) once
 * per set, the address bytes per record. */
static inline void
set_family(struct c2c_ip *ip, bool v6)
{
	if (v6) {
		ip->family = 6;
	} else {
		memcpy(ip->a, v4mapped, 12);
		ip->family = 4;
	}
}

static inline void
set_addr(struct c2c_ip *ip, const uint8_t *p, bool v6)
{
	if (v6)
		memcpy(ip->a, p, 16);
	else
		memcpy(ip->a + 12, p, 4);
}

/* The plan of a set of filled slots: which slot gives each part of the flow. The priorities
 * are those of the exporters' element families: addresses v4 before v6 (a record with both is
 * a v4 flow), deltas before totals before initiator/post counters, RFC 5103 reverse elements
 * before responderOctets/Packets; the dedicated port elements before the tcp/udp ones. */
/* The first of `maps` (in order) whose slot is filled, else 0. */
static uint8_t
first_of(uint64_t h, const uint8_t *maps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (h & B(maps[i]))
			return maps[i];
	}
	return 0;
}

static void
plan_of(uint64_t h, struct c2c_exp_plan *pl)
{
	static const uint8_t src[] = { M_SRC4, M_SRC6 }, dst[] = { M_DST4, M_DST6 };
	static const uint8_t sp[] = { M_SPORT, M_SPORT_ALT }, dp[] = { M_DPORT, M_DPORT_ALT };
	static const uint8_t by[] = { M_BYTES, M_BYTES_TOT, M_INIT_BYTES, M_POST_BYTES };
	static const uint8_t pk[] = { M_PKTS, M_PKTS_TOT, M_INIT_PKTS, M_POST_PKTS };
	static const uint8_t rby[] = { M_REV_BYTES, M_RESP_BYTES };
	static const uint8_t rpk[] = { M_REV_PKTS, M_RESP_PKTS };

	memset(pl, 0, sizeof(*pl));
	pl->orig = first_of(h, src, C2C_ARRAY_LEN(src));
	pl->resp = first_of(h, dst, C2C_ARRAY_LEN(dst));
	pl->orig6 = pl->orig == M_SRC6;
	pl->resp6 = pl->resp == M_DST6;
	pl->proto = (h & B(M_PROTO)) ? M_PROTO : 0;
	pl->sport = first_of(h, sp, C2C_ARRAY_LEN(sp));
	pl->dport = first_of(h, dp, C2C_ARRAY_LEN(dp));
	pl->vlan = (h & B(M_VLAN)) ? M_VLAN : 0;
	pl->bytes = first_of(h, by, C2C_ARRAY_LEN(by));
	pl->pkts = first_of(h, pk, C2C_ARRAY_LEN(pk));
	pl->rbytes = first_of(h, rby, C2C_ARRAY_LEN(rby));
	pl->rpkts = first_of(h, rpk, C2C_ARRAY_LEN(rpk));
	pl->resp_counters = (h & (B(M_RESP_BYTES) | B(M_RESP_PKTS) | B(M_REV_BYTES) |
	    B(M_REV_PKTS))) != 0;
	pl->biflow = (h & (B(M_REV_BYTES) | B(M_REV_PKTS))) != 0;
}

/* ICMP type and code as Zeek logs them (orig_port = type, resp_port = code). Exporters
 * without icmpTypeCode elements put type * 256 + code in the destination port. */
static inline void
icmp_ports(const struct rec *r, struct c2c_flow *f)
{
	uint64_t h = r->have;
	if (h & B(M_ICMP)) {
		uint16_t tc = (uint16_t)r->v[M_ICMP];
		f->orig_port = (uint16_t)(tc >> 8);
		f->resp_port = (uint16_t)(tc & 0xff);
	} else if (h & (B(M_ICMP_TYPE) | B(M_ICMP_CODE))) {
		f->orig_port = (uint8_t)slot_or0(r, M_ICMP_TYPE);
		f->resp_port = (uint8_t)slot_or0(r, M_ICMP_CODE);
	} else if (f->orig_port == 0) {
		uint16_t tc = f->resp_port;
		f->orig_port = (uint16_t)(tc >> 8);
		f->resp_port = (uint16_t)(tc & 0xff);
	}
}

/* The flow of a data record, from its slots and their plan. False when it names no address
 * (not a flow). Every member a record may set is written here (a memset of the flow costs
 * more than the record); the others stay as the caller zeroed them once per set. */
/* The two commonest time layouts, taken before the general flow_times(): NetFlow v9
 * FIRST/LAST_SWITCHED (uptime ms) and IPFIX flowStart/EndMilliseconds. Same results. */
static HOT_INLINE void
record_times(struct c2c_exp_msg *m, const struct rec *r, struct c2c_flow *f)
{
	uint64_t tm = r->have & TIME_SLOTS;
	c2c_time ts, te;
	if (tm == (B(M_START_UPTIME) | B(M_END_UPTIME)) && m->version == 9 && m->have_uptime) {
		c2c_time exp = m->export_time;
		ts = exp - (c2c_time)(int32_t)(m->sys_uptime - (uint32_t)r->v[M_START_UPTIME]) *
		    1000;
		te = exp - (c2c_time)(int32_t)(m->sys_uptime - (uint32_t)r->v[M_END_UPTIME]) *
		    1000;
	} else if (tm == (B(M_START_MS) | B(M_END_MS)) && r->v[M_START_MS] < (1ull << 53) &&
	    r->v[M_END_MS] < (1ull << 53)) {
		ts = (c2c_time)r->v[M_START_MS] * 1000;
		te = (c2c_time)r->v[M_END_MS] * 1000;
	} else {
		flow_times(m, r, f);
		return;
	}
	f->ts = ts;
	f->last = te >= ts ? te : ts;
	f->have |= C2C_HAVE_DURATION;
}

/* The flow members the plan names, from their slots (slot 0 reads as 0: absent parts need
 * no branch; a tcp/udp port element of value 0 leaves the port 0, as no port element would),
 * and ICMP type and code. */
static HOT_INLINE void
plan_members(const struct c2c_exp_plan *pl, const struct rec *r, struct c2c_flow *f)
{
	f->proto = (uint8_t)r->v[pl->proto];
	f->orig_port = (uint16_t)r->v[pl->sport];
	f->resp_port = (uint16_t)r->v[pl->dport];
	f->orig_ip_bytes = r->v[pl->bytes];
	f->orig_pkts = r->v[pl->pkts];
	f->resp_ip_bytes = r->v[pl->rbytes];
	f->resp_pkts = r->v[pl->rpkts];
	f->vlan = (uint16_t)(r->v[pl->vlan] & 0xfff);
	if (f->proto == 1 || f->proto == 58)
		icmp_ports(r, f);
}

static HOT_INLINE bool
build_flow(struct c2c_exp_msg *m, const struct c2c_exp_plan *pl, const struct rec *r,
    struct c2c_flow *f)
{
	if (pl->orig == 0 && pl->resp == 0)
		return false;
	if (pl->orig != 0)
		set_ip(&f->orig, slot_ptr(r, pl->orig), pl->orig6);
	else
		memset(&f->orig, 0, sizeof(f->orig));
	if (pl->resp != 0)
		set_ip(&f->resp, slot_ptr(r, pl->resp), pl->resp6);
	else
		memset(&f->resp, 0, sizeof(f->resp));
	f->src = m->version == 9 ? C2C_SRC_NETFLOW9 : C2C_SRC_IPFIX;
	f->have = 0;
	if (pl->resp_counters) {
		/* RFC 5103 reverse elements or responderOctets/Packets: one biflow record */
		f->have |= C2C_HAVE_RESP_COUNTERS;
		if (pl->biflow)
			m->out->st->n[C2C_ST_NF_BIFLOWS]++;
	}
	plan_members(pl, r, f);
	record_times(m, r, f);
	return true;
}

static void
view_record(struct c2c_exp_msg *m, const struct c2c_exp_tmpl *t, uint16_t set_id,
    const uint8_t *const *val, const uint16_t *vlen, const struct c2c_flow *f,
    const struct c2c_evref *ev)
{
	struct c2c_exp_view v;
	v.version = m->version;
	v.domain = m->domain;
	v.set_id = set_id;
	v.t = t;
	v.val = val;
	v.vlen = vlen;
	v.flow = f;
	v.ev = ev;
	m->out->view(m->out->view_ctx, &v);
}

/* Split a record of template `t` at the cursor into field values; false when it does not fit. */
static bool
split_record(struct c2c_cur *c, const struct c2c_exp_tmpl *t, const uint8_t **val,
    uint16_t *vlen)
{
	for (uint16_t i = 0; i < t->n; i++) {
		uint16_t l = t->f[i].len;
		if (l == C2C_EXP_VARLEN) {
			uint8_t l8;
			if (!c2c_cur_u8(c, &l8))
				return false;
			l = l8;
			if (l8 == 255 && !c2c_cur_be16(c, &l))
				return false;
		}
		if (!c2c_cur_bytes(c, l, &val[i]))
			return false;
		vlen[i] = l;
	}
	return true;
}

/* One record whose slots are filled: options state, or a flow to the sink. `f` is reused
 * for every record of a set: zeroed once by the caller, then build_flow() writes each member
 * a record can set, and the references, exporter and sequence are written for every flow. */
static HOT_INLINE c2c_err
finish_record(struct c2c_exp_msg *m, const struct c2c_exp_tmpl *t, const struct c2c_exp_plan *pl,
    const struct rec *r, struct c2c_flow *f, const struct c2c_evref *ev, uint32_t set_sampling,
    bool *is_flow)
{
	*is_flow = false;
	if (t->options) {
		options_record(m, r);
		m->out->st->n[C2C_ST_NF_OPTIONS_RECORDS]++;
		return C2C_OK;
	}
	if (!build_flow(m, pl, r, f)) {
		m->out->st->n[C2C_ST_NF_NON_FLOW]++;
		return C2C_OK;
	}
	*is_flow = true;
	f->first_ev = f->last_ev = *ev;
	f->tmpl_ev = t->ev;
	if (r->have & SAMPLING_SLOTS) {
		uint64_t sid = 0;
		bool have_sid = slot(r, M_SAMPLER_ID, &sid);
		f->sampling = rec_interval(r);
		if (f->sampling == 0)
			f->sampling = c2c__exp_dom_sampling(m, have_sid, sid);
	} else {
		f->sampling = set_sampling;
	}
	return c2c__exp_emit(m, f);
}

/* Every load op of a compiled template into its slot. */
static void
fill_slots(const struct c2c_exp_tmpl *t, const uint8_t *p, struct rec *r)
{
	for (const struct c2c_exp_op *op = t->ops + t->n_addr; op < t->ops + t->n_ops; op++)
		r->v[op->slot] = be_load(p + op->off, op->len);
}

/* The end of a record on the compiled path: its sequence number, the input's time range, the
 * sink (whose refusal the caller returns). */
static HOT_INLINE c2c_err
emit_record(struct c2c_flow *f, uint64_t *seq, c2c_time *lo, c2c_time *hi,
    c2c_err (*sink)(void *, const struct c2c_flow *), void *sink_ctx)
{
	f->seq = (*seq)++;
	if (f->ts < *lo)
		*lo = f->ts;
	if (f->last > *hi)
		*hi = f->last;
	return sink != NULL ? sink(sink_ctx, f) : C2C_OK;
}

/* State of a set's record loop in fast_set(), handed to direct_records() and back. */
struct run {
	int32_t rec;
	uint64_t seq;
	c2c_time lo, hi;
	uint32_t have0;
	uint16_t ooff, roff;
};

enum { T_GENERAL, T_UPTIME, T_MS, T_INIT };

/* The n records of a set on the direct path: the members the plan names loaded straight
 * from the record (t->dir), no slots, for the fixed time layouts (`tmode` is a constant in
 * each inlined copy) and templates without sampling elements. ICMP records, and ms times past
 * 2^53, fill the slots and take the general rules. The loads read up to 8 bytes before a
 * record: the caller checks that the message has them. Returns the records decoded (fewer
 * when the sink refused one: *rc). */
static HOT_INLINE size_t
direct_records(struct c2c_exp_msg *m, const struct c2c_exp_tmpl *t, const uint8_t *p,
    size_t n, struct rec *r, struct c2c_flow *f, struct run *s, const int tmode,
    c2c_time init, c2c_err *rc)
{
	const struct c2c_exp_plan *pl = &t->plan;
	const size_t rl = t->min_len;
	const bool o4 = pl->orig != 0 && !pl->orig6, o6 = pl->orig6;
	const bool r4 = pl->resp != 0 && !pl->resp6, r6 = pl->resp6;
	const bool resp = pl->rbytes != 0 || pl->rpkts != 0, vlan = pl->vlan != 0;
	const c2c_time exp = m->export_time;
	const uint32_t up = m->sys_uptime;
	const struct c2c_exp_out *o = m->out;
	c2c_err (*sink)(void *, const struct c2c_flow *) =
	    o->sink != NULL ? o->sink->flow : NULL;
	void *sink_ctx = o->sink != NULL ? o->sink->ctx : NULL;
	struct c2c_exp_direct d[C2C_EXP_D__N]; /* a local copy: flow stores cannot alias it */
	int32_t rec = s->rec;
	uint64_t seq = s->seq;
	c2c_time lo = s->lo, hi = s->hi;
	size_t k;

	memcpy(d, t->dir, sizeof(d));
#define LD(i) (be64(p + d[i].end8) & d[i].mask)
	for (k = 0; k < n; k++, p += rl) {
		c2c_time ts, te;
		f->first_ev.rec = f->last_ev.rec = rec++;
		if (o4)
			memcpy(f->orig.a + 12, p + s->ooff, 4);
		else if (o6)
			memcpy(f->orig.a, p + s->ooff, 16);
		if (r4)
			memcpy(f->resp.a + 12, p + s->roff, 4);
		else if (r6)
			memcpy(f->resp.a, p + s->roff, 16);
		f->have = s->have0;
		f->proto = (uint8_t)LD(C2C_EXP_D_PROTO);
		f->orig_port = (uint16_t)LD(C2C_EXP_D_SPORT);
		f->resp_port = (uint16_t)LD(C2C_EXP_D_DPORT);
		f->orig_ip_bytes = LD(C2C_EXP_D_BYTES);
		f->orig_pkts = LD(C2C_EXP_D_PKTS);
		if (resp) {
			f->resp_ip_bytes = LD(C2C_EXP_D_RBYTES);
			f->resp_pkts = LD(C2C_EXP_D_RPKTS);
		}
		if (vlan)
			f->vlan = (uint16_t)LD(C2C_EXP_D_VLAN);
		if (f->proto == 1 || f->proto == 58) {
			fill_slots(t, p, r);
			icmp_ports(r, f);
		}
		if (tmode == T_UPTIME) {
			ts = exp - (c2c_time)(int32_t)(up - (uint32_t)LD(C2C_EXP_D_T0)) * 1000;
			te = exp - (c2c_time)(int32_t)(up - (uint32_t)LD(C2C_EXP_D_T1)) * 1000;
		} else if (tmode == T_INIT) {
			ts = (init + (uint32_t)LD(C2C_EXP_D_T0)) * 1000;
			te = (init + (uint32_t)LD(C2C_EXP_D_T1)) * 1000;
		} else {
			uint64_t a = LD(C2C_EXP_D_T0), b = LD(C2C_EXP_D_T1);
			ts = (c2c_time)a * 1000;
			te = (c2c_time)b * 1000;
			if (a >= (1ull << 53) || b >= (1ull << 53)) {
				fill_slots(t, p, r);
				flow_times(m, r, f);
				ts = f->ts;
				te = f->last;
				goto timed;
			}
		}
		f->ts = ts;
		f->last = te >= ts ? te : ts;
		f->have |= C2C_HAVE_DURATION;
	timed:
		*rc = emit_record(f, &seq, &lo, &hi, sink, sink_ctx);
		if (*rc != C2C_OK) {
			k++;
			break;
		}
	}
#undef LD
	s->rec = rec;
	s->seq = seq;
	s->lo = lo;
	s->hi = hi;
	return k;
}

/* The compiled path for the records of one set (t->fast, no view). The same flows as
 * finish_record() + c2c__exp_emit() give, with what does not change between the records of a
 * set written once: `f` keeps every member no record of the template sets (zeroed by the
 * caller), and the exporter, domain, template reference, address families, source, the
 * evidence reference but its record index, the base `have` bits, the sampling interval when
 * the template has no sampling elements and, for the direct loads, the time layout are
 * settled before the loop.
 * Counters and the input's time range are kept in locals and stored when the set ends. */
static c2c_err
fast_set(struct c2c_exp_msg *m, const struct c2c_exp_tmpl *t, const uint8_t *p, size_t len,
    struct rec *r, struct c2c_flow *f, const struct c2c_evref *ev, uint32_t set_sampling)
{
	const struct c2c_exp_out *o = m->out;
	const struct c2c_exp_plan *pl = &t->plan;
	const struct c2c_exp_op *ops = t->ops, *oe = t->ops + t->n_ops;
	const struct c2c_exp_op *e_addr = ops + t->n_addr;
	const size_t rl = t->min_len, n = len / rl;
	/* records that have 7 more bytes of the set after them (all but the last, at most) */
	const size_t n8 = len >= 7 ? (len - 7) / rl : 0;
	uint16_t ooff = 0, roff = 0;
	struct c2c_input_info *info = o->info;
	c2c_err (*sink)(void *, const struct c2c_flow *) = NULL;
	void *sink_ctx = NULL;
	uint64_t tm = t->have & TIME_SLOTS;
	bool per_rec_sampling = (t->have & SAMPLING_SLOTS) != 0;
	uint32_t have0 = 0, samp_max = 0;
	c2c_time lo = 0, hi = 0, init = 0;
	int tmode = T_GENERAL;
	int32_t rec = m->rec;
	uint64_t seq = m->x->flow_seq;
	size_t k = 0;
	c2c_err rc = C2C_OK;

	if (pl->orig == 0 && pl->resp == 0) {
		/* no address: no record of this template is a flow */
		m->rec += (int32_t)n;
		m->data_records += (uint32_t)n;
		o->st->n[C2C_ST_NF_RECORDS] += n;
		o->st->n[C2C_ST_NF_NON_FLOW] += n;
		return C2C_OK;
	}
	if (o->sink != NULL && o->sink->flow != NULL) {
		sink = o->sink->flow;
		sink_ctx = o->sink->ctx;
	}
	if (info != NULL) {
		lo = info->first_ts;
		hi = info->last_ts;
		samp_max = info->sampling;
	}
	f->src = m->version == 9 ? C2C_SRC_NETFLOW9 : C2C_SRC_IPFIX;
	f->exporter = m->exporter;
	f->obs_domain = m->domain;
	f->tmpl_ev = t->ev;
	f->first_ev = f->last_ev = *ev;
	/* Addresses are copied from their offsets in the record: no slot in between. */
	for (const struct c2c_exp_op *op = ops; op < e_addr; op++) {
		if (op->slot == pl->orig)
			ooff = op->off;
		if (op->slot == pl->resp)
			roff = op->off;
	}
	if (pl->orig != 0)
		set_family(&f->orig, pl->orig6);
	if (pl->resp != 0)
		set_family(&f->resp, pl->resp6);
	if (pl->resp_counters)
		have0 |= C2C_HAVE_RESP_COUNTERS;
	if (!per_rec_sampling) {
		f->sampling = set_sampling;
		if (set_sampling > 1)
			have0 |= C2C_HAVE_SAMPLING;
		if (set_sampling > samp_max)
			samp_max = set_sampling;
	}
	if (tm == (B(M_START_UPTIME) | B(M_END_UPTIME)) && m->version == 9 && m->have_uptime)
		tmode = T_UPTIME;
	else if (tm == (B(M_START_MS) | B(M_END_MS)))
		tmode = T_MS;
	else if (tm == (B(M_START_UPTIME) | B(M_END_UPTIME)) && m->dom != NULL &&
	    m->dom->have_sys_init) {
		/* IPFIX flowStart/EndSysUpTime (softflowd, many routers) against the
		 * systemInitTimeMilliseconds its options data gave */
		tmode = T_INIT;
		init = m->dom->sys_init_ms;
	}

	if (!per_rec_sampling && tmode != T_GENERAL && p - m->base >= 8) {
		struct run s = { rec, seq, lo, hi, have0, ooff, roff };
		if (tmode == T_UPTIME)
			k = direct_records(m, t, p, n, r, f, &s, T_UPTIME, 0, &rc);
		else if (tmode == T_INIT)
			k = direct_records(m, t, p, n, r, f, &s, T_INIT, init, &rc);
		else
			k = direct_records(m, t, p, n, r, f, &s, T_MS, 0, &rc);
		rec = s.rec;
		seq = s.seq;
		lo = s.lo;
		hi = s.hi;
		p += k * rl;
	}
	for (; k < n && rc == C2C_OK; k++, p += rl) {
		const struct c2c_exp_op *op = e_addr;
		if (k < n8) {
			/* Every field is read with one 8-byte big-endian load and a shift: no
			 * branch on its length. The 7 bytes past the record are in the set, so
			 * the load stays inside the message. */
			for (; op < oe; op++)
				r->v[op->slot] = be64(p + op->off) >> op->shift;
		} else {
			for (; op < oe; op++)
				r->v[op->slot] = be_load(p + op->off, op->len);
		}
		f->first_ev.rec = f->last_ev.rec = rec++;
		if (pl->orig != 0)
			set_addr(&f->orig, p + ooff, pl->orig6);
		if (pl->resp != 0)
			set_addr(&f->resp, p + roff, pl->resp6);
		f->have = have0;
		plan_members(pl, r, f);
		record_times(m, r, f);
		if (per_rec_sampling) {
			uint64_t sid = 0;
			bool have_sid = slot(r, M_SAMPLER_ID, &sid);
			f->sampling = rec_interval(r);
			if (f->sampling == 0)
				f->sampling = c2c__exp_dom_sampling(m, have_sid, sid);
			if (f->sampling > 1)
				f->have |= C2C_HAVE_SAMPLING;
			if (f->sampling > samp_max)
				samp_max = f->sampling;
		}
		rc = emit_record(f, &seq, &lo, &hi, sink, sink_ctx);
		if (rc != C2C_OK) {
			k++;
			break;
		}
	}
	/* k records were decoded (all of them, or up to the one the sink refused) */
	m->rec = rec;
	m->x->flow_seq = seq;
	m->data_records += (uint32_t)k;
	o->st->n[C2C_ST_NF_RECORDS] += k;
	if (pl->biflow)
		o->st->n[C2C_ST_NF_BIFLOWS] += k;
	if (info != NULL) {
		info->first_ts = lo;
		info->last_ts = hi;
		info->sampling = samp_max;
	}
	return rc;
}

c2c_err
c2c__tmpl_data_set(struct c2c_exp_msg *m, const struct c2c_exp_tmpl *t, uint16_t set_id,
    const uint8_t *p, size_t len)
{
	const struct c2c_exp_out *o = m->out;
	struct c2c_flow f;
	struct rec r;
	struct c2c_evref ev;
	uint32_t set_sampling = 0;
	bool is_flow;
	c2c_err rc;

	if (t->min_len == 0)
		return C2C_OK; /* every field zero-length: no record can be told apart */
	memset(&f, 0, sizeof(f));
	memset(&ev, 0, sizeof(ev)); /* padding included: flows are compared whole */
	ev.input = o->input;
	ev.off = m->off;
	ev.len = m->len;
	if (!t->options)
		set_sampling = c2c__exp_dom_sampling(m, false, 0); /* domain-wide, per set */
	if (t->fast && o->view == NULL) {
		/* Only the template's slots are read (each filled by an op before it is read)
		 * and slot 0, which must read as 0. */
		r.have = t->have;
		r.v[M_NONE] = 0;
		return fast_set(m, t, p, len, &r, &f, &ev, set_sampling);
	}
	memset(&r, 0, sizeof(r));
	{
		const uint8_t *val[C2C_EXP_MAX_FIELDS];
		uint16_t vlen[C2C_EXP_MAX_FIELDS];
		struct c2c_exp_plan plan;
		struct c2c_cur c;
		c2c_cur_init(&c, p, len);
		/* RFC 7011 §3.3.1: padding is shorter than the shortest possible record. */
		while (c2c_cur_left(&c) >= t->min_len) {
			struct c2c_cur save = c;
			if (!split_record(&c, t, val, vlen)) {
				/* A variable-length field runs past the set: what is left is not a
				 * record. Zero bytes are padding; anything else is malformed. */
				bool zero = true;
				for (const uint8_t *q = save.p; q < save.end; q++)
					zero = zero && *q == 0;
				if (!zero)
					c2c__exp_malformed(m);
				break;
			}
			r.have = 0;
			for (uint16_t i = 0; i < t->n; i++) {
				if (t->f[i].map != M_NONE && t->f[i].map != M_KNOWN)
					put_field(&r, t->f[i].map, val[i], vlen[i]);
			}
			ev.rec = m->rec++;
			m->data_records++;
			o->st->n[C2C_ST_NF_RECORDS]++;
			plan_of(r.have, &plan);
			rc = finish_record(m, t, &plan, &r, &f, &ev, set_sampling, &is_flow);
			if (rc != C2C_OK)
				return rc;
			if (o->view != NULL)
				view_record(m, t, set_id, val, vlen, is_flow ? &f : NULL, &ev);
		}
	}
	return C2C_OK;
}

uint32_t
c2c__tmpl_count_records(const struct c2c_exp_tmpl *t, const uint8_t *p, size_t len)
{
	const uint8_t *val[C2C_EXP_MAX_FIELDS];
	uint16_t vlen[C2C_EXP_MAX_FIELDS];
	struct c2c_cur c;
	uint32_t n = 0;

	if (t->min_len == 0)
		return 0;
	if (!t->varlen)
		return (uint32_t)(len / t->min_len);
	c2c_cur_init(&c, p, len);
	while (c2c_cur_left(&c) >= t->min_len && split_record(&c, t, val, vlen))
		n++;
	return n;
}

/* t->dir[member] from the load op that fills `slot` (none: mask 0, the member reads 0). */
static void
direct_of(struct c2c_exp_tmpl *t, int member, uint8_t slot, uint64_t mask)
{
	t->dir[member].end8 = -8;
	t->dir[member].mask = 0;
	for (uint16_t i = t->n_addr; i < t->n_ops && slot != M_NONE; i++) {
		if (t->ops[i].slot == slot) {
			unsigned len = t->ops[i].len;
			t->dir[member].end8 = (int32_t)t->ops[i].off + (int32_t)len - 8;
			t->dir[member].mask = mask & (len >= 8 ? UINT64_MAX : (1ull << (8 * len)) - 1);
			return;
		}
	}
}

/* Compile a template (see struct c2c_exp_tmpl): the ops of the used fields at their fixed
 * offsets, or t->fast = false when records must be split field by field. */
static void
compile(struct c2c_exp_tmpl *t)
{
	uint32_t off = 0;
	t->fast = !t->options && !t->varlen;
	t->n_ops = 0;
	t->have = 0;
	for (uint16_t k = 0; k < t->n && t->fast; k++) {
		uint8_t map = t->f[k].map;
		uint16_t len = t->f[k].len;
		if (map != M_NONE && map != M_KNOWN && len_ok(map, len)) {
			if (t->have & B(map))
				t->fast = false; /* used twice: the field order decides */
			t->ops[t->n_ops].off = (uint16_t)off;
			/* addresses are kept as pointers to their bytes (length 0 in the op) */
			t->ops[t->n_ops].len = map <= M_DST6 ? 0 : (uint8_t)len;
			t->ops[t->n_ops].shift = (uint8_t)(64 - 8 * (map <= M_DST6 ? 8 : len));
			t->ops[t->n_ops].slot = map;
			t->n_ops++;
			t->have |= B(map);
		}
		/* A used field with an unusable length, appearing once, never fills its slot. */
		off += len;
	}
	if (!t->fast) {
		t->n_ops = 0;
		t->have = 0;
	}
	plan_of(t->have, &t->plan);
	/* Addresses first (they are pointers, not loads), then the loads in field order. */
	t->n_addr = 0;
	for (uint16_t i = 0; i < t->n_ops; i++) {
		struct c2c_exp_op op = t->ops[i];
		if (op.len != 0)
			continue;
		memmove(&t->ops[t->n_addr + 1], &t->ops[t->n_addr],
		    (size_t)(i - t->n_addr) * sizeof(op));
		t->ops[t->n_addr++] = op;
	}
	direct_of(t, C2C_EXP_D_PROTO, t->plan.proto, UINT64_MAX);
	direct_of(t, C2C_EXP_D_SPORT, t->plan.sport, UINT64_MAX);
	direct_of(t, C2C_EXP_D_DPORT, t->plan.dport, UINT64_MAX);
	direct_of(t, C2C_EXP_D_BYTES, t->plan.bytes, UINT64_MAX);
	direct_of(t, C2C_EXP_D_PKTS, t->plan.pkts, UINT64_MAX);
	direct_of(t, C2C_EXP_D_RBYTES, t->plan.rbytes, UINT64_MAX);
	direct_of(t, C2C_EXP_D_RPKTS, t->plan.rpkts, UINT64_MAX);
	direct_of(t, C2C_EXP_D_VLAN, t->plan.vlan, 0xfff);
	if ((t->have & (B(M_START_UPTIME) | B(M_END_UPTIME))) != 0) {
		direct_of(t, C2C_EXP_D_T0, M_START_UPTIME, UINT64_MAX);
		direct_of(t, C2C_EXP_D_T1, M_END_UPTIME, UINT64_MAX);
	} else {
		direct_of(t, C2C_EXP_D_T0, M_START_MS, UINT64_MAX);
		direct_of(t, C2C_EXP_D_T1, M_END_MS, UINT64_MAX);
	}
}

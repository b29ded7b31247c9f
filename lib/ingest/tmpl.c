/*
 * NetFlow v9 / IPFIX template cache and data-record decoding.
 *
 * Templates are keyed by (exporter address, version, source id / observation domain, template
 * id) in an open-addressing table of C2C_EXP_TSLOTS slots; a withdrawn template leaves a
 * tombstone, and the table is rebuilt when tombstones pile up. Each template's fields carry a
 * precomputed `map` code, so decoding a data record is one pass over its fields with a switch
 * on that code and no lookups. Caps: C2C_EXP_MAX_TEMPLATES templates, C2C_EXP_MAX_FIELDS
 * fields per template, C2C_EXP_MAX_RECLEN bytes of fixed record length.
 */
#include <string.h>

#include "core/cursor.h"
#include "ingest/export.h"

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

/* ---- cache --------------------------------------------------------------------------------- */

static bool
key_eq(const struct c2c_exp_tmpl *t, const struct c2c_exp_msg *m, uint16_t id)
{
	return t->id == id && t->version == m->version && t->domain == m->domain &&
	    t->exporter.family == m->exporter.family && c2c_ip_cmp(&t->exporter, &m->exporter) == 0;
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
	bool found;
	size_t i = slot_of(m->x, m, id, &found);
	return found ? m->x->tslots[i] : NULL;
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
	size_t i;

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
	i = slot_of(x, m, id, &found);
	if (found) {
		t = x->tslots[i];
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
		struct c2c_exp_field *nf = c2c_reallocarray(t->f, n, sizeof(*nf));
		if (nf == NULL) {
			if (!found)
				c2c_free(t);
			return C2C_ENOMEM;
		}
		t->f = nf;
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
	if (!found) {
		if (x->tslots[i] == C2C_EXP_TOMB)
			x->n_tomb--;
		x->tslots[i] = t;
		x->n_tmpl++;
	}
	m->out->st->n[C2C_ST_NF_UNKNOWN_FIELDS] += unknown;
	return C2C_OK;
}

static void
drop_slot(struct c2c_exp *x, size_t i)
{
	struct c2c_exp_tmpl *t = x->tslots[i];
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

/* Unsigned big-endian value of 1..8 bytes (RFC 7011 §6.2 reduced-size encoding). */
static bool
uval(const uint8_t *p, uint16_t len, uint64_t *v)
{
	uint64_t r = 0;
	if (len == 0 || len > 8)
		return false;
	for (uint16_t i = 0; i < len; i++)
		r = r << 8 | p[i];
	*v = r;
	return true;
}

/* NTP timestamp (RFC 7011 §6.1.9/10: dateTimeMicroseconds, dateTimeNanoseconds) to µs. */
static c2c_time
ntp_us(uint64_t v)
{
	int64_t secs = (int64_t)(v >> 32) - 2208988800LL;
	uint64_t frac = v & 0xffffffffu;
	return secs * C2C_USEC + (c2c_time)((frac * 1000000u) >> 32);
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

struct rec_acc {
	bool src, dst;
	bool bytes, pkts, bytes_tot, pkts_tot, post_bytes, post_pkts, init_bytes, init_pkts;
	bool resp, rev;
	uint64_t v_bytes, v_pkts, v_bytes_tot, v_pkts_tot, v_post_bytes, v_post_pkts;
	uint64_t v_init_bytes, v_init_pkts;
	bool start, end, dur, obs, up_start, up_end, sysinit, start_delta, end_delta;
	c2c_time t_start, t_end, t_dur, t_obs;
	uint32_t up_s, up_e;
	int64_t sysinit_ms;
	bool sport_alt, dport_alt, have_sport, have_dport, icmp, icmp_type, icmp_code;
	uint16_t v_sport_alt, v_dport_alt;
	uint16_t v_icmp;
	uint8_t v_icmp_type, v_icmp_code;
	uint32_t samp_int, pkt_int, pkt_space, samp_size, samp_pop;
	bool sampler;
	uint64_t sampler_id;
};

static void
apply_field(struct rec_acc *a, struct c2c_flow *f, uint8_t map, const uint8_t *p, uint16_t len)
{
	uint64_t v = 0;
	bool num = uval(p, len, &v);

	switch (map) {
	case M_SRC4:
		if (len == 4) {
			c2c_ip_from_v4_bytes(&f->orig, p);
			a->src = true;
		}
		break;
	case M_DST4:
		if (len == 4) {
			c2c_ip_from_v4_bytes(&f->resp, p);
			a->dst = true;
		}
		break;
	case M_SRC6:
		if (len == 16 && !a->src) {
			c2c_ip_from_v6_bytes(&f->orig, p);
			a->src = true;
		}
		break;
	case M_DST6:
		if (len == 16 && !a->dst) {
			c2c_ip_from_v6_bytes(&f->resp, p);
			a->dst = true;
		}
		break;
	case M_SPORT:
		if (num) {
			f->orig_port = (uint16_t)v;
			a->have_sport = true;
		}
		break;
	case M_DPORT:
		if (num) {
			f->resp_port = (uint16_t)v;
			a->have_dport = true;
		}
		break;
	case M_SPORT_ALT:
		if (num && v != 0) {
			a->sport_alt = true;
			a->v_sport_alt = (uint16_t)v;
		}
		break;
	case M_DPORT_ALT:
		if (num && v != 0) {
			a->dport_alt = true;
			a->v_dport_alt = (uint16_t)v;
		}
		break;
	case M_PROTO:
		if (num)
			f->proto = (uint8_t)v;
		break;
	case M_BYTES: a->bytes = num; a->v_bytes = v; break;
	case M_PKTS: a->pkts = num; a->v_pkts = v; break;
	case M_BYTES_TOT: a->bytes_tot = num; a->v_bytes_tot = v; break;
	case M_PKTS_TOT: a->pkts_tot = num; a->v_pkts_tot = v; break;
	case M_POST_BYTES: a->post_bytes = num; a->v_post_bytes = v; break;
	case M_POST_PKTS: a->post_pkts = num; a->v_post_pkts = v; break;
	case M_INIT_BYTES: a->init_bytes = num; a->v_init_bytes = v; break;
	case M_INIT_PKTS: a->init_pkts = num; a->v_init_pkts = v; break;
	case M_RESP_BYTES:
		if (num) {
			f->resp_ip_bytes = v;
			a->resp = true;
		}
		break;
	case M_RESP_PKTS:
		if (num) {
			f->resp_pkts = v;
			a->resp = true;
		}
		break;
	case M_REV_BYTES:
		if (num) {
			f->resp_ip_bytes = v;
			a->resp = a->rev = true;
		}
		break;
	case M_REV_PKTS:
		if (num) {
			f->resp_pkts = v;
			a->resp = a->rev = true;
		}
		break;
	case M_END_UPTIME:
		if (num) {
			a->up_end = true;
			a->up_e = (uint32_t)v;
		}
		break;
	case M_START_UPTIME:
		if (num) {
			a->up_start = true;
			a->up_s = (uint32_t)v;
		}
		break;
	case M_START_S: if (num) { a->start = true; a->t_start = (c2c_time)v * C2C_USEC; } break;
	case M_END_S: if (num) { a->end = true; a->t_end = (c2c_time)v * C2C_USEC; } break;
	case M_START_MS:
		if (num && v < (1ull << 53)) {
			a->start = true;
			a->t_start = (c2c_time)v * 1000;
		}
		break;
	case M_END_MS:
		if (num && v < (1ull << 53)) {
			a->end = true;
			a->t_end = (c2c_time)v * 1000;
		}
		break;
	case M_START_NTP: if (len == 8) { a->start = true; a->t_start = ntp_us(v); } break;
	case M_END_NTP: if (len == 8) { a->end = true; a->t_end = ntp_us(v); } break;
	case M_START_DUS:
		if (num) {
			a->start = a->start_delta = true;
			a->t_start = (c2c_time)(uint32_t)v;
		}
		break;
	case M_END_DUS:
		if (num) {
			a->end = a->end_delta = true;
			a->t_end = (c2c_time)(uint32_t)v;
		}
		break;
	case M_SYSINIT:
		if (num && v < (1ull << 53)) {
			a->sysinit = true;
			a->sysinit_ms = (int64_t)v;
		}
		break;
	case M_DUR_MS: if (num) { a->dur = true; a->t_dur = (c2c_time)(uint32_t)v * 1000; } break;
	case M_DUR_US: if (num) { a->dur = true; a->t_dur = (c2c_time)(uint32_t)v; } break;
	case M_OBS_MS:
		if (num && v < (1ull << 53)) {
			a->obs = true;
			a->t_obs = (c2c_time)v * 1000;
		}
		break;
	case M_ICMP: if (num) { a->icmp = true; a->v_icmp = (uint16_t)v; } break;
	case M_ICMP_TYPE: if (num) { a->icmp_type = true; a->v_icmp_type = (uint8_t)v; } break;
	case M_ICMP_CODE: if (num) { a->icmp_code = true; a->v_icmp_code = (uint8_t)v; } break;
	case M_VLAN:
		if (num && f->vlan == 0)
			f->vlan = (uint16_t)(v & 0xfff);
		break;
	case M_SAMP_INT: if (num && v <= UINT32_MAX) a->samp_int = (uint32_t)v; break;
	case M_SAMP_PKT_INT: if (num && v <= UINT32_MAX) a->pkt_int = (uint32_t)v; break;
	case M_SAMP_PKT_SPACE: if (num && v <= UINT32_MAX) a->pkt_space = (uint32_t)v; break;
	case M_SAMP_SIZE: if (num && v <= UINT32_MAX) a->samp_size = (uint32_t)v; break;
	case M_SAMP_POP: if (num && v <= UINT32_MAX) a->samp_pop = (uint32_t)v; break;
	case M_SAMPLER_ID:
		if (num) {
			a->sampler = true;
			a->sampler_id = v;
		}
		break;
	default:
		break;
	}
}

/* 1-in-N from whichever sampling elements the record carries (0 = none). */
static uint32_t
acc_interval(const struct rec_acc *a)
{
	if (a->samp_int != 0)
		return a->samp_int;
	/* RFC 5477: random n-out-of-N (samplingSize of samplingPopulation) */
	if (a->samp_size != 0 && a->samp_pop != 0)
		return a->samp_pop / a->samp_size;
	/* systematic count-based: select pkt_int packets, then skip pkt_space */
	if (a->pkt_int != 0 && a->pkt_space != 0)
		return (uint32_t)(((uint64_t)a->pkt_int + a->pkt_space) / a->pkt_int);
	return 0;
}

/* Options data: sampling intervals and the system init time become domain state. */
static void
options_record(struct c2c_exp_msg *m, const struct rec_acc *a)
{
	struct c2c_exp_dom *d = m->dom;
	uint32_t iv = acc_interval(a);
	if (d == NULL)
		return;
	if (a->sysinit) {
		d->have_sys_init = true;
		d->sys_init_ms = a->sysinit_ms;
	}
	if (iv == 0)
		return;
	if (!a->sampler) {
		d->sampling = iv;
		return;
	}
	for (unsigned i = 0; i < d->n_samplers; i++) {
		if (d->samplers[i].id == a->sampler_id) {
			d->samplers[i].interval = iv;
			return;
		}
	}
	if (d->n_samplers < C2C_EXP_MAX_SAMPLERS) {
		d->samplers[d->n_samplers].id = a->sampler_id;
		d->samplers[d->n_samplers].interval = iv;
		d->n_samplers++;
	} else {
		/* Full: the most recent definition replaces the oldest. */
		memmove(&d->samplers[0], &d->samplers[1],
		    (C2C_EXP_MAX_SAMPLERS - 1) * sizeof(d->samplers[0]));
		d->samplers[C2C_EXP_MAX_SAMPLERS - 1].id = a->sampler_id;
		d->samplers[C2C_EXP_MAX_SAMPLERS - 1].interval = iv;
	}
}

/* Absolute start/end from whichever time elements the record has (RFC 7011 §6, RFC 3954 §8). */
static void
flow_times(struct c2c_exp_msg *m, struct rec_acc *a, struct c2c_flow *f)
{
	c2c_time exp = m->export_time;
	if (a->start_delta)
		a->t_start = exp - a->t_start; /* microseconds before the export time */
	if (a->end_delta)
		a->t_end = exp - a->t_end;
	if (a->up_start || a->up_end) {
		if (m->version == 9 && m->have_uptime) {
			/* ms of router uptime; the export header pairs uptime and wall time */
			if (a->up_start && !a->start) {
				a->start = true;
				a->t_start = exp - (c2c_time)(int32_t)(m->sys_uptime - a->up_s) * 1000;
			}
			if (a->up_end && !a->end) {
				a->end = true;
				a->t_end = exp - (c2c_time)(int32_t)(m->sys_uptime - a->up_e) * 1000;
			}
		} else {
			int64_t init = 0;
			bool have = false;
			if (a->sysinit) {
				init = a->sysinit_ms;
				have = true;
			} else if (m->dom != NULL && m->dom->have_sys_init) {
				init = m->dom->sys_init_ms;
				have = true;
			}
			if (have && a->up_start && !a->start) {
				a->start = true;
				a->t_start = (init + a->up_s) * 1000;
			}
			if (have && a->up_end && !a->end) {
				a->end = true;
				a->t_end = (init + a->up_e) * 1000;
			}
		}
	}
	if (a->dur) {
		if (a->start && !a->end) {
			a->end = true;
			a->t_end = a->t_start + a->t_dur;
		} else if (a->end && !a->start) {
			a->start = true;
			a->t_start = a->t_end - a->t_dur;
		}
	}
	if (!a->start && !a->end && a->obs) {
		a->start = a->end = true;
		a->t_start = a->t_end = a->t_obs;
		a->dur = false;
	}
	if (a->start && a->end) {
		f->ts = a->t_start;
		f->last = a->t_end >= a->t_start ? a->t_end : a->t_start;
		if (!a->obs || a->dur || a->t_end != a->t_start)
			f->have |= C2C_HAVE_DURATION;
	} else if (a->start || a->end) {
		f->ts = f->last = a->start ? a->t_start : a->t_end;
	} else {
		f->ts = f->last = exp;
	}
}

static void
flow_counters(const struct rec_acc *a, struct c2c_flow *f, struct c2c_ingest_stats *st)
{
	if (a->bytes)
		f->orig_ip_bytes = a->v_bytes;
	else if (a->bytes_tot)
		f->orig_ip_bytes = a->v_bytes_tot;
	else if (a->init_bytes)
		f->orig_ip_bytes = a->v_init_bytes;
	else if (a->post_bytes)
		f->orig_ip_bytes = a->v_post_bytes;
	if (a->pkts)
		f->orig_pkts = a->v_pkts;
	else if (a->pkts_tot)
		f->orig_pkts = a->v_pkts_tot;
	else if (a->init_pkts)
		f->orig_pkts = a->v_init_pkts;
	else if (a->post_pkts)
		f->orig_pkts = a->v_post_pkts;
	if (a->resp)
		f->have |= C2C_HAVE_RESP_COUNTERS;
	if (a->rev)
		st->n[C2C_ST_NF_BIFLOWS]++;
}

static void
flow_ports(const struct rec_acc *a, struct c2c_flow *f)
{
	if (!a->have_sport && a->sport_alt)
		f->orig_port = a->v_sport_alt;
	if (!a->have_dport && a->dport_alt)
		f->resp_port = a->v_dport_alt;
	if (f->proto == 1 || f->proto == 58) {
		/* Zeek's convention: orig_port = ICMP type, resp_port = code. Exporters without
		 * icmpTypeCode elements put type * 256 + code in the destination port. */
		if (a->icmp) {
			f->orig_port = (uint16_t)(a->v_icmp >> 8);
			f->resp_port = (uint16_t)(a->v_icmp & 0xff);
		} else if (a->icmp_type || a->icmp_code) {
			f->orig_port = a->v_icmp_type;
			f->resp_port = a->v_icmp_code;
		} else if (f->orig_port == 0) {
			uint16_t tc = f->resp_port;
			f->orig_port = (uint16_t)(tc >> 8);
			f->resp_port = (uint16_t)(tc & 0xff);
		}
	}
}

static c2c_err
data_record(struct c2c_exp_msg *m, const struct c2c_exp_tmpl *t, uint16_t set_id,
    const uint8_t *const *val, const uint16_t *vlen)
{
	const struct c2c_exp_out *o = m->out;
	struct c2c_flow f;
	struct rec_acc a;
	struct c2c_exp_view v;
	struct c2c_evref ev;
	bool is_flow = false;
	c2c_err rc = C2C_OK;

	memset(&f, 0, sizeof(f));
	memset(&a, 0, sizeof(a));
	ev.input = o->input;
	ev.rec = m->rec++;
	ev.off = m->off;
	ev.len = m->len;
	m->data_records++;
	o->st->n[C2C_ST_NF_RECORDS]++;
	for (uint16_t i = 0; i < t->n; i++) {
		if (t->f[i].map != M_NONE && t->f[i].map != M_KNOWN)
			apply_field(&a, &f, t->f[i].map, val[i], vlen[i]);
	}
	if (t->options) {
		options_record(m, &a);
		o->st->n[C2C_ST_NF_OPTIONS_RECORDS]++;
	} else if (!a.src && !a.dst) {
		o->st->n[C2C_ST_NF_NON_FLOW]++;
	} else {
		is_flow = true;
		f.src = m->version == 9 ? C2C_SRC_NETFLOW9 : C2C_SRC_IPFIX;
		f.first_ev = f.last_ev = ev;
		f.tmpl_ev = t->ev;
		flow_times(m, &a, &f);
		flow_counters(&a, &f, o->st);
		flow_ports(&a, &f);
		f.sampling = acc_interval(&a);
		if (f.sampling == 0)
			f.sampling = c2c__exp_dom_sampling(m, a.sampler, a.sampler_id);
		rc = c2c__exp_emit(m, &f);
	}
	if (o->view != NULL) {
		v.version = m->version;
		v.domain = m->domain;
		v.set_id = set_id;
		v.t = t;
		v.val = val;
		v.vlen = vlen;
		v.flow = is_flow ? &f : NULL;
		v.ev = &ev;
		o->view(o->view_ctx, &v);
	}
	return rc;
}

c2c_err
c2c__tmpl_data_set(struct c2c_exp_msg *m, const struct c2c_exp_tmpl *t, uint16_t set_id,
    const uint8_t *p, size_t len)
{
	const uint8_t *val[C2C_EXP_MAX_FIELDS];
	uint16_t vlen[C2C_EXP_MAX_FIELDS];
	struct c2c_cur c;

	if (t->min_len == 0)
		return C2C_OK; /* every field zero-length: no record can be told apart */
	c2c_cur_init(&c, p, len);
	/* RFC 7011 §3.3.1: padding is shorter than the shortest possible record. */
	while (c2c_cur_left(&c) >= t->min_len) {
		struct c2c_cur save = c;
		c2c_err rc;
		if (!split_record(&c, t, val, vlen)) {
			/* A variable-length field runs past the set: what is left is not a record.
			 * Zero bytes are padding; anything else is a malformed record. */
			bool zero = true;
			for (const uint8_t *q = save.p; q < save.end; q++)
				zero = zero && *q == 0;
			if (!zero)
				c2c__exp_malformed(m);
			break;
		}
		rc = data_record(m, t, set_id, val, vlen);
		if (rc != C2C_OK)
			return rc;
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

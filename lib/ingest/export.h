/*
 * Flow-export decoding shared by NetFlow v5 (netflow5.c), NetFlow v9 (netflow9.c), IPFIX
 * (ipfix.c), the template cache (tmpl.c) and the drivers (export.c for files, export_pcap.c for
 * captures of export packets, evidence_file.c and collector.c for the collector). Internal to
 * lib/ingest, never installed.
 *
 * One decoder session (struct c2c_exp) holds the template cache and per-exporter state
 * (sequence numbers, sampling, system init time), keyed by (exporter address, protocol version,
 * source id / observation domain). Messages are decoded one at a time with c2c__exp_message();
 * nothing is allocated per message or per record, only when a template is first defined.
 */
#ifndef C2C_INGEST_EXPORT_H
#define C2C_INGEST_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "c2chain/ingest.h"

/* Caps (STYLE.md §6): past them a template is refused and counted (export.template_limit). */
#define C2C_EXP_MAX_TEMPLATES 8192 /* live templates per session, all exporters together */
#define C2C_EXP_MAX_FIELDS 256     /* fields per template */
#define C2C_EXP_MAX_RECLEN 65535   /* fixed part of a record, bytes */
#define C2C_EXP_MAX_DOMAINS 4096   /* (exporter, version, domain) states per session */
#define C2C_EXP_MAX_SAMPLERS 16    /* sampler ids remembered per domain */

#define C2C_EXP_VARLEN 65535 /* RFC 7011 §7: field length of a variable-length element */
#define C2C_PEN_REVERSE 29305u /* RFC 5103 reverse information elements */

/* One field of a template. */
struct c2c_exp_field {
	uint32_t pen; /* enterprise number, 0 = IANA */
	uint16_t id;  /* element id without the enterprise bit */
	uint16_t len; /* C2C_EXP_VARLEN = variable */
	uint8_t map;  /* what the decoder does with it (tmpl.c), 0 = not interpreted */
};

/* One step of a compiled template (tmpl.c): the raw value of `len` bytes at byte `off` of a
 * fixed-length record goes to slot `slot` (the field's map code). */
struct c2c_exp_op {
	uint16_t off;
	uint8_t len;   /* 1..8; 0 for an address (kept as a pointer to its bytes) */
	uint8_t slot;
	uint8_t shift; /* 64 - 8 * len: the value is an 8-byte big-endian load >> shift */
};

/* One flow member read straight from a record of a compiled template (struct c2c_exp_tmpl
 * `dir`): the 8 big-endian bytes that end where the field ends (`end8` = field offset +
 * length - 8, so from up to 8 bytes before the record), & mask: the field's low bytes and
 * the member's own limit. Mask 0 when the template has no field for the member (it reads as
 * 0; end8 is then -8). Never past the record, so every record of a set takes these loads; the
 * bytes before the first record are the message and set headers (at least 20). */
struct c2c_exp_direct {
	uint64_t mask;
	int32_t end8;
};
enum {
	C2C_EXP_D_PROTO, C2C_EXP_D_SPORT, C2C_EXP_D_DPORT, C2C_EXP_D_BYTES, C2C_EXP_D_PKTS,
	C2C_EXP_D_RBYTES, C2C_EXP_D_RPKTS, C2C_EXP_D_VLAN,
	C2C_EXP_D_T0, C2C_EXP_D_T1, /* the time pair: start/end uptime, else start/end ms */
	C2C_EXP_D__N
};

/* Which slot (tmpl.c) gives each part of a flow, derived from the set of filled slots: slot 0
 * is never filled and reads as 0, so a missing part costs no branch. */
struct c2c_exp_plan {
	uint8_t orig, resp;      /* address slot, 0 = none */
	bool orig6, resp6;
	uint8_t proto, sport, dport, vlan;
	uint8_t bytes, pkts;     /* forward counters */
	uint8_t rbytes, rpkts;   /* reverse / responder counters */
	bool resp_counters, biflow;
};

struct c2c_exp_tmpl {
	struct c2c_ip exporter;
	uint32_t domain;
	uint16_t id;
	uint8_t version; /* 9 or 10 */
	bool options;
	uint16_t n_scope; /* options templates: leading scope fields */
	uint16_t n;       /* fields */
	uint16_t cap;     /* allocated fields */
	uint32_t min_len; /* bytes of a record with every variable field empty */
	bool varlen;
	struct c2c_evref ev; /* the template record (message offset/length + record index) */
	struct c2c_exp_field *f;
	/* Compiled at definition time for fixed-length data templates in which every field the
	 * decoder uses has a usable length and appears once (`fast`): the record decoder then
	 * runs `ops` at fixed offsets, and `have` is the set of slots they fill. Otherwise
	 * records are split field by field. `ops` shares the allocation of `f`. */
	bool fast;
	uint16_t n_ops;
	uint16_t n_addr; /* ops[0..n_addr) are addresses, the rest loads */
	uint64_t have;
	struct c2c_exp_plan plan; /* plan of `have` */
	struct c2c_exp_op *ops;
	/* the plan's members (and the time pair) as direct loads */
	struct c2c_exp_direct dir[C2C_EXP_D__N];
};

/* Everything about one data record, for callers that want the raw elements (conformance dumps,
 * tests). `val[i]`/`vlen[i]` are the bytes of field i of `t`, borrowed for the call. */
struct c2c_exp_view {
	uint8_t version;
	uint32_t domain;
	uint16_t set_id;
	const struct c2c_exp_tmpl *t; /* NULL for NetFlow v5 */
	const uint8_t *const *val;
	const uint16_t *vlen;
	const struct c2c_flow *flow; /* the flow built from it, or NULL (options / non-flow) */
	const struct c2c_evref *ev;
};

/* Where decoded records go and what is counted. */
struct c2c_exp_out {
	uint32_t input;
	const struct c2c_sink *sink; /* may be NULL */
	struct c2c_ingest_stats *st; /* required */
	struct c2c_input_info *info; /* may be NULL */
	void (*view)(void *ctx, const struct c2c_exp_view *v); /* may be NULL */
	void *view_ctx;
	/* When set, references name this record (a captured packet carrying the message)
	 * instead of the message bytes, and info->records is left to the capture reader. */
	const struct c2c_evref *ev_base;
};

struct c2c_exp;
void c2c__exp_free(struct c2c_exp *x);
struct c2c_exp *c2c__exp_new(void) C2C_MALLOC(c2c__exp_free);

/*
 * Decode one export message (NetFlow v5, v9 or IPFIX, told apart by its version field) of
 * `len` bytes received from `exporter` (NULL or family 0 = unknown). `off` is the message's
 * byte offset in input `out->input` (it lands in every evidence reference). Flows go to
 * out->sink in record order. Malformed content is counted, never an error: returns C2C_OK,
 * C2C_ENOMEM, or the sink's error.
 */
c2c_err c2c__exp_message(struct c2c_exp *x, const struct c2c_ip *exporter, const uint8_t *p,
    size_t len, uint64_t off, const struct c2c_exp_out *out);

/* Length of the export message at the start of `p` (up to `avail` bytes of a stream of
 * messages without framing), or 0 when no plausible message starts there. IPFIX and v5 carry
 * their length; a v9 message ends where its FlowSets end (see netflow9.c). */
size_t c2c__exp_msg_len(const uint8_t *p, size_t avail);
/* True when `p` starts with a plausible NetFlow v5/v9 or IPFIX header for a datagram of
 * `len` bytes (used to recognise export packets in captures). */
bool c2c__exp_plausible(const uint8_t *p, size_t len);

/* Live templates in the session (collector counters). */
size_t c2c__exp_templates(const struct c2c_exp *x);

/* ---- collector evidence files (docs/collector.md) ------------------------------------------ */
#define C2CE_MAGIC "C2CE"
#define C2CE_VERSION 1
#define C2CE_FILE_HDR 16 /* "C2CE", version, 0, header length (be16), created µs (be64) */
#define C2CE_REC_HDR 36  /* length, CRC-32, receive µs, port, family, 0, address[16] */
#define C2CE_MAX_DATAGRAM 65535
void c2c__c2ce_file_header(uint8_t out[C2CE_FILE_HDR], c2c_time created);
/* A datagram's record header; dgram NULL leaves the CRC field 0 for the caller to fill. */
void c2c__c2ce_rec_header(uint8_t out[C2CE_REC_HDR], const uint8_t *dgram, uint32_t len,
    c2c_time received, const struct c2c_ip *exporter, uint16_t port);

/* ---- between the files of the decoder (not for drivers) ---------------------------------- */
struct c2c_exp_msg;
/* Per (exporter, version, domain) state. */
struct c2c_exp_dom {
	struct c2c_ip exporter;
	uint8_t version;
	uint32_t domain;
	bool seq_valid;
	uint32_t next_seq;
	uint32_t sampling; /* domain-wide interval from options data, 0 = none */
	uint16_t n_samplers;
	struct {
		uint64_t id;
		uint32_t interval;
	} samplers[C2C_EXP_MAX_SAMPLERS];
	bool have_sys_init;
	int64_t sys_init_ms; /* IPFIX systemInitTimeMilliseconds from options data */
};

#define C2C_EXP_TSLOTS (2 * C2C_EXP_MAX_TEMPLATES) /* power of two */
#define C2C_EXP_DSLOTS (2 * C2C_EXP_MAX_DOMAINS)
#define C2C_EXP_TOMB ((struct c2c_exp_tmpl *)(uintptr_t)1)

#define C2C_EXP_RECENT 8
struct c2c_exp {
	struct c2c_exp_tmpl **tslots; /* open addressing; C2C_EXP_TOMB marks a withdrawn slot */
	size_t n_tmpl, n_tomb;
	struct c2c_exp_dom **dslots;
	size_t n_dom;
	uint64_t flow_seq;
	/* Templates found or defined lately, by a hash of the template id, and the domain
	 * state the last lookup found: an exporter's messages (and template refreshes) hit them
	 * without hashing. A template is removed from `recent` when it is freed. */
	struct c2c_exp_tmpl *recent[C2C_EXP_RECENT];
	struct c2c_exp_dom *last_d;
};

uint64_t c2c__exp_key_hash(const struct c2c_ip *ip, uint8_t version, uint32_t domain,
    uint32_t id);
void c2c__exp_malformed(struct c2c_exp_msg *m);

/* Message context while decoding. */
struct c2c_exp_msg {
	struct c2c_exp *x;
	const struct c2c_exp_out *out;
	struct c2c_ip exporter;
	uint8_t version;
	uint32_t domain;
	c2c_time export_time; /* header export time, microseconds */
	uint32_t sys_uptime;  /* v5/v9: router uptime at export, ms */
	bool have_uptime;
	const uint8_t *base; /* the message's first byte */
	uint64_t off;
	uint32_t len;
	bool fixed_ev; /* off/len name an enclosing record (out->ev_base); keep them */
	int32_t rec; /* index of the next record in the message */
	uint32_t data_records;
	struct c2c_exp_dom *dom;
};

c2c_err c2c__nf5_decode(struct c2c_exp_msg *m, const uint8_t *p, size_t len);
c2c_err c2c__nf9_decode(struct c2c_exp_msg *m, const uint8_t *p, size_t len);
c2c_err c2c__ipfix_decode(struct c2c_exp_msg *m, const uint8_t *p, size_t len);
size_t c2c__nf9_msg_len(const uint8_t *p, size_t avail);

/* Domain state, created on first use: NULL only on ENOMEM or past C2C_EXP_MAX_DOMAINS. */
c2c_err c2c__exp_dom(struct c2c_exp_msg *m, struct c2c_exp_dom **out);
/* Sequence check. `seq` as in the header; `unit_records`: the counter counts data records
 * (v5, IPFIX) rather than packets (v9); `n` = records (or 1 packet) this message adds. */
void c2c__exp_seq(struct c2c_exp_msg *m, uint32_t seq, bool unit_records, uint32_t n);

/* Template cache (tmpl.c). Define/replace a template from its parsed fields; C2C_ELIMIT past
 * the caps (counted by the caller), C2C_ENOMEM. */
c2c_err c2c__tmpl_define(struct c2c_exp_msg *m, uint16_t id, bool options, uint16_t n_scope,
    const struct c2c_exp_field *f, uint16_t n, const struct c2c_evref *ev);
/* Withdraw one template (id) or, with all = true, every template of this domain and kind. */
void c2c__tmpl_withdraw(struct c2c_exp_msg *m, uint16_t id, bool all, bool options);
const struct c2c_exp_tmpl *c2c__tmpl_find(struct c2c_exp_msg *m, uint16_t id);
/* Decode the records of one data set with template `t`: returns C2C_OK (malformed counted),
 * C2C_ENOMEM or a sink error. */
c2c_err c2c__tmpl_data_set(struct c2c_exp_msg *m, const struct c2c_exp_tmpl *t, uint16_t set_id,
    const uint8_t *p, size_t len);
/* Count data records in a set without decoding (for the IPFIX sequence check). */
uint32_t c2c__tmpl_count_records(const struct c2c_exp_tmpl *t, const uint8_t *p, size_t len);
/* Deliver a flow: counters, info, sink. Inline: it runs once per record. */
static inline c2c_err
c2c__exp_emit(struct c2c_exp_msg *m, struct c2c_flow *f)
{
	const struct c2c_exp_out *o = m->out;
	struct c2c_input_info *info = o->info;

	f->exporter = m->exporter;
	f->obs_domain = m->domain;
	f->seq = m->x->flow_seq++;
	if (f->sampling > 1)
		f->have |= C2C_HAVE_SAMPLING;
	if (info != NULL) {
		if (f->ts < info->first_ts)
			info->first_ts = f->ts;
		if (f->last > info->last_ts)
			info->last_ts = f->last;
		if (f->sampling > info->sampling)
			info->sampling = f->sampling;
	}
	if (o->sink != NULL && o->sink->flow != NULL)
		return o->sink->flow(o->sink->ctx, f);
	return C2C_OK;
}
/* Current sampling interval of the message's domain (0 = unknown). */
uint32_t c2c__exp_dom_sampling(struct c2c_exp_msg *m, bool have_sampler, uint64_t sampler_id);

#endif

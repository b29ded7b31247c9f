/*
 * Shared inside lib/attribute/ (never installed): the build-time view of C2 endpoints that
 * infra.c assembles and cluster.c and matrix.c read, plus small JSON helpers.
 */
#ifndef C2C_ATTRIBUTE_INTERNAL_H
#define C2C_ATTRIBUTE_INTERNAL_H

#include "c2chain/infra.h"

/* Where an FQDN of a server came from (bits). */
enum { C2C__FQ_DNS = 1, C2C__FQ_SNI = 2, C2C__FQ_HTTP = 4, C2C__FQ_FINDING = 8 };

struct c2c__fq {
	char *name;
	uint8_t src;
	struct c2c_evref ev; /* first observation (DNS answer / ClientHello / request) */
	bool has_ev;
};

struct c2c__cert {
	uint8_t sha[32];
	struct c2c_evref ev;
};

struct c2c__ja3s {
	char v[33];
	struct c2c_evref ev;
};

/* What observations say about one server address. */
struct c2c__srv {
	struct c2c_ip ip;
	struct c2c__fq *fq;
	uint16_t n_fq, cap_fq;
	struct c2c__cert *cert;
	uint16_t n_cert, cap_cert;
	struct c2c__ja3s *ja3s;
	uint16_t n_ja3s, cap_ja3s;
};

/* One C2 endpoint at build time. */
struct c2c__ep {
	struct c2c_ip ip;
	const struct c2c__srv *srv; /* NULL when no observation named it */
	struct c2c_ip *hosts;       /* sorted, distinct */
	size_t n_hosts;
	uint16_t *ports; /* sorted, distinct */
	size_t n_ports;
	c2c_time first, last; /* INT64_MAX / INT64_MIN when no finding had times */
	char cc[3];           /* "??" unknown */
	uint32_t asn;
	const char *org;
	int country_db, asn_db;
	enum c2c_role role;
	char id[40]; /* "infrastructure:<16 hex>" */
	json_t *obj; /* borrowed from the result array */
};

/* JSON helpers that keep ENOMEM visible. */
c2c_err c2c__json_arr_str(json_t *arr, const char *s);
/* "<type>:" + 16 hex of SHA-256 over the canonical object (without "id"), set as "id". */
c2c_err c2c__json_set_id(json_t *obj, const char *type, char *idbuf, size_t idlen);
/* Render an evidence reference; false when its input digest is unknown. */
bool c2c__evref_str(const struct c2c_infra_opts *o, const struct c2c_evref *ev, char *buf,
    size_t len);

/* cluster.c: emit edges and clusters over eps[0..n) (sorted by ip). */
c2c_err c2c__cluster_build(struct c2c__ep *eps, size_t n, const struct c2c_infra_opts *o,
    json_t *edges, json_t *clusters);

/* matrix.c: one (endpoint, host) contact with its classification. */
struct c2c__mpair {
	uint16_t cc_c, cc_h; /* two ASCII letters packed (c0 << 8 | c1); '??' unknown */
	uint8_t role;
	uint32_t e, h; /* dense indices of the endpoint and the host */
};

struct c2c__mstats {
	uint64_t host_src[3]; /* config, geo, unknown */
};

/* Count and render the control matrix. `pairs` is reordered. `finding_ids` (sorted array of
 * strings) is stolen into the evidence. */
c2c_err c2c__matrix_build(struct c2c__mpair *pairs, size_t n, const struct c2c__mstats *st,
    const struct c2c_infra_opts *o, json_t *finding_ids, json_t **out);

uint16_t c2c__cc_pack(const char cc[3]);

/* Longest prefix of an indexed host map (c2c_host_map_index) holding `ip`, or NULL. */
const struct c2c_host_country *c2c__host_map_find(const struct c2c_host_country *v, size_t n,
    const uint32_t *parent, const struct c2c_ip *ip);

#endif

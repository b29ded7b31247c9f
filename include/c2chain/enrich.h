/*
 * Enrichment (rung L2 of DESIGN.md): country and ASN/organisation of an address from one or more
 * MaxMind DB (MMDB) files, each pinned by SHA-256, database type and build epoch; the MMDB writer
 * behind `c2chain geodb build`; and pinned reference lists (sinkholes, cloud/CDN ranges,
 * residential ASNs, Tor exits with observation times) used to assess infrastructure roles.
 *
 * Ownership follows STYLE.md §4: _new/_load hand out one owned object, _free accepts NULL,
 * everything returned by _get/_lookup is borrowed from its owner until that owner is freed.
 */
#ifndef C2C_ENRICH_H
#define C2C_ENRICH_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "c2chain/core.h"
#include "c2chain/json.h"
#include "c2chain/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== GeoIP / ASN lookups (lib/enrich/geo.c) ============================================== */

/* What a database is opened for (c2c_geo_open_db `use`). */
enum {
	C2C_GEO_COUNTRY = 1u, /* country.iso_code, else registered_country.iso_code */
	C2C_GEO_ASN = 2u,     /* autonomous_system_number / autonomous_system_organization */
	C2C_GEO_ANY = 4u      /* inspection only (geodb info / record dumps): no field required */
};

/* The pin of one database: what a case records and what a re-run must find again. */
struct c2c_geo_pin {
	uint8_t sha256[32];   /* of the exact bytes libmaxminddb mapped */
	uint64_t size;        /* bytes */
	char type[64];        /* metadata database_type ("GeoLite2-Country") */
	uint64_t build_epoch; /* metadata build_epoch, seconds since 1970 (<= 2^53 - 1) */
};

/* What was learned about an opened database. */
struct c2c_geo_db_info {
	struct c2c_geo_pin pin;
	const char *path;        /* borrowed from the geo handle */
	unsigned use;            /* C2C_GEO_* it answers for in lookups */
	unsigned provides;       /* C2C_GEO_* fields found in its data */
	unsigned ip_version;     /* 4 or 6 */
	unsigned record_size;    /* 24, 28 or 32 */
	uint32_t node_count;
	uint64_t data_records;   /* distinct data records, each decoded once at open */
};

/* The answer for one address. */
struct c2c_geo_result {
	char country[3];    /* ISO 3166-1 alpha-2 (upper case), "" when no database knows it */
	uint32_t asn;       /* 0 when unknown */
	const char *as_org; /* never NULL ("" when unknown); borrowed from the geo handle */
	int8_t country_db;  /* index of the database that answered, -1 none */
	int8_t asn_db;
};

struct c2c_geo;

/* A handle with no databases yet and a lookup cache of 2^16 entries. C2C_ENOMEM. */
c2c_err c2c_geo_new(struct c2c_geo **out);
void c2c_geo_free(struct c2c_geo *g);

/* Open the MMDB at `path` for `use` (C2C_GEO_COUNTRY and/or C2C_GEO_ASN, or C2C_GEO_ANY for a
 * database only inspected with c2c_geo_record_json), verify it completely
 * (every search-tree record, every data record decoded once, metadata ranges) and pin it.
 * Databases answer in the order they were opened: the first one that knows a fact wins.
 * With `expect` non-NULL the pin must match it exactly (a re-run with the case's refdata).
 * Returns C2C_OK; C2C_EIO (cannot open/read); C2C_EFORMAT (corrupt or not an MMDB: diag names
 * the file, the byte offset when known and what is wrong); C2C_EUNSUPPORTED (valid MMDB that
 * carries none of the fields `use` asks for); C2C_EVERIFY (pin mismatch); C2C_ELIMIT (more than
 * 16 databases); C2C_EINVAL; C2C_ENOMEM. Not thread-safe. */
c2c_err c2c_geo_open_db(struct c2c_geo *g, const char *path, unsigned use,
    const struct c2c_geo_pin *expect, struct c2c_diag *diag);

unsigned c2c_geo_db_count(const struct c2c_geo *g);
/* Borrowed; NULL when i is out of range. */
const struct c2c_geo_db_info *c2c_geo_db_get(const struct c2c_geo *g, unsigned i);

/* Resize the per-handle address cache to 2^log2 entries (0 disables it; at most 2^24).
 * Drops what it holds. C2C_EINVAL, C2C_ENOMEM. */
c2c_err c2c_geo_set_cache(struct c2c_geo *g, unsigned log2);

/* Country and ASN of `ip` (cached). Always fills *out (empty fields when nothing is known) and
 * returns C2C_OK, or C2C_ENOMEM when growing the table of decoded records fails, or C2C_EFORMAT
 * if a record cannot be decoded (cannot happen for a verified database; then diag-free).
 * The handle (cache) is mutated: one handle per thread. */
c2c_err c2c_geo_lookup(struct c2c_geo *g, const struct c2c_ip *ip, struct c2c_geo_result *out);
/* The same answer straight from libmaxminddb: tree walk plus MMDB_get_value per field, no cache
 * of any kind. For benchmarks and cross-checks. `as_org` points into a per-handle scratch
 * buffer valid until the next call. */
c2c_err c2c_geo_lookup_uncached(struct c2c_geo *g, const struct c2c_ip *ip,
    struct c2c_geo_result *out);
/* Cache hits and misses since the handle was made. */
void c2c_geo_cache_stats(const struct c2c_geo *g, uint64_t *hits, uint64_t *misses);

/* The full record of database `db` for `ip` as a JSON tree (maps, arrays, strings, integers,
 * booleans; doubles and floats as JSON reals, uint128 as "0x..." hex text, bytes as base64),
 * the prefix length of the network that holds it, for display and conformance checks (not for
 * hashing: it may hold reals). C2C_ENOTFOUND when the address has no record. */
c2c_err c2c_geo_record_json(struct c2c_geo *g, unsigned db, const struct c2c_ip *ip,
    json_t **out, unsigned *prefix_len);

/* Pin as JSON: {"sha256":hex,"size":n,"type":s,"build_epoch":n,"build_time":iso,"path":basename,
 * "use":["country","asn"]}. Canonical-safe (integers, strings). */
c2c_err c2c_geo_pin_json(const struct c2c_geo_db_info *info, json_t **out);
/* "sha256:<hex>" into buf (needs 72 bytes); returns buf. */
char *c2c_geo_pin_ref(const struct c2c_geo_pin *pin, char *buf, size_t len);

/* ==== MMDB writer (lib/enrich/mmdb_write.c) =============================================== */

enum c2c_mmdb_kind {
	C2C_MMDB_COUNTRY = 1, /* {"country":{"iso_code":CC}} */
	C2C_MMDB_ASN = 2,     /* {"autonomous_system_number":N,"autonomous_system_organization":S} */
	C2C_MMDB_BOTH = 3     /* both sets of keys in one record */
};

struct c2c_mmdb_writer;

/* C2C_EINVAL for a bad kind, C2C_ENOMEM. */
c2c_err c2c_mmdb_writer_new(enum c2c_mmdb_kind kind, struct c2c_mmdb_writer **out);
void c2c_mmdb_writer_free(struct c2c_mmdb_writer *w);

/* Add one network. `country` (two ASCII letters, upper-cased here) is required for kinds with a
 * country; `asn` (> 0) for kinds with an ASN; `org` may be NULL. IPv4 networks land in the
 * IPv4 subtree (::a.b.c.d/96+n), reachable also through ::ffff:0:0/96 and 2002::/16.
 * `src`/`line` only name the origin in diagnostics. The most specific network wins on overlap;
 * the same network twice with the same data is counted (c2c_mmdb_writer_stats); with different
 * data c2c_mmdb_writer_finish fails with C2C_EFORMAT naming both lines. C2C_EINVAL for a bad
 * field (diag names src:line), C2C_ENOMEM. */
c2c_err c2c_mmdb_writer_add(struct c2c_mmdb_writer *w, const struct c2c_ip *net,
    unsigned prefix_len, const char *country, uint32_t asn, const char *org, const char *src,
    uint64_t line, struct c2c_diag *diag);
/* Add every row of a CSV file of `cidr,country[,asn,organisation]` (RFC 4180 quoting, '#'
 * comments, blank lines, an optional header line starting with "cidr" or "network"; gzip ok).
 * C2C_EFORMAT with the line number for a bad row; C2C_EIO; C2C_ENOMEM; C2C_ELIMIT past 1 GiB. */
c2c_err c2c_mmdb_writer_add_csv(struct c2c_mmdb_writer *w, const char *path,
    struct c2c_diag *diag);
/* The same over `len` bytes of text in memory; `src` names it in diagnostics. */
c2c_err c2c_mmdb_writer_add_csv_buf(struct c2c_mmdb_writer *w, const char *text, size_t len,
    const char *src, struct c2c_diag *diag);
/* Build the database in memory: search tree (24/28/32-bit records, the smallest that fits),
 * 16-byte separator, data section with every distinct value stored once and reused through
 * pointers, metadata (binary format 2.0, ip_version 6, languages ["en"], `description` in
 * "en"). The same set of networks gives the same bytes whatever the order they were added in.
 * Call once. C2C_EINVAL when nothing was added or build_epoch is 0 or > 2^53 - 1 (libmaxminddb
 * rejects 0); C2C_EFORMAT for one network given twice with different data (diag names both
 * places; diag->src then points into the writer, valid until it is freed); C2C_ELIMIT when
 * the tree does not fit 32-bit records; C2C_ENOMEM. */
c2c_err c2c_mmdb_writer_finish(struct c2c_mmdb_writer *w, const char *database_type,
    uint64_t build_epoch, const char *description, struct c2c_buf *out, struct c2c_diag *diag);

/* What finish does with one network given twice with different data: fail (the default), or
 * keep the row added first (earlier file, then earlier line) and count the others. */
enum c2c_mmdb_conflict { C2C_MMDB_CONFLICT_ERROR = 0, C2C_MMDB_CONFLICT_FIRST = 1 };
void c2c_mmdb_writer_set_conflict(struct c2c_mmdb_writer *w, enum c2c_mmdb_conflict policy);

/* Force 24-, 28- or 32-bit search-tree records (0: the smallest that fits, the default); a
 * size too small for the tree makes finish fail with C2C_ELIMIT. For tests of readers. */
c2c_err c2c_mmdb_writer_set_record_size(struct c2c_mmdb_writer *w, unsigned bits);

struct c2c_mmdb_writer_stats {
	uint64_t networks;    /* accepted networks */
	uint64_t duplicates;  /* identical repeats dropped */
	uint64_t conflicts;   /* same network, other data, dropped (C2C_MMDB_CONFLICT_FIRST) */
	uint64_t values;      /* distinct data records */
	uint64_t nodes;       /* search-tree nodes written (after finish) */
	unsigned record_size; /* after finish */
};
void c2c_mmdb_writer_stats(const struct c2c_mmdb_writer *w, struct c2c_mmdb_writer_stats *st);

/* ==== Pinned reference lists (lib/enrich/refdata.c) ======================================= */

enum c2c_ref_kind {
	C2C_REF_SINKHOLE = 1,    /* sinkhole addresses/prefixes, or hostnames */
	C2C_REF_CLOUD = 2,       /* cloud / CDN / hosting ranges */
	C2C_REF_RESIDENTIAL = 3, /* residential / ISP access ASNs */
	C2C_REF_TOR_EXIT = 4     /* Tor exit addresses with the times they were observed */
};
const char *c2c_ref_kind_name(enum c2c_ref_kind k); /* "sinkhole", "cloud", ... */

/* One loaded list: its pin and what it holds. */
struct c2c_ref_list_info {
	enum c2c_ref_kind kind;
	char name[64];        /* warninglist "name", else the file's base name */
	char format[24];      /* "misp-warninglist", "cidr-list", "asn-list", "tor-exit-list" */
	uint8_t sha256[32];
	uint64_t size;
	uint64_t version;     /* warninglist "version", else 0 */
	uint64_t entries;     /* usable entries */
	uint64_t skipped;     /* entries of a type this kind cannot use (counted, not errors) */
	c2c_time first_ts, last_ts; /* Tor exit lists: observation span; else 0 */
	const char *path;     /* borrowed */
};

/* What matched. */
struct c2c_ref_match {
	unsigned list;            /* index of the list (c2c_refdata_list_get) */
	char entry[C2C_NAME_MAX]; /* the matching entry as written ("104.244.12.0/22", "AS7922", a name) */
	c2c_time observed;        /* Tor: the ExitAddress time that matched; else 0 */
};

struct c2c_refdata;

c2c_err c2c_refdata_new(struct c2c_refdata **out);
void c2c_refdata_free(struct c2c_refdata *r);

/* Load one list for `kind`, detecting the format from content: a MISP warninglist (JSON
 * object with "list" and "type" cidr|string|hostname|substring), a Tor exit list in
 * CollecTor/TorDNSEL form ("ExitAddress <ip> <YYYY-MM-DD HH:MM:SS>") or "<ip> <time>" lines,
 * an ASN list ("AS123" or "123", optional ",name"), or a plain CIDR list (one per line, '#'
 * comments). With `expect_sha256` the file must have that digest. C2C_EIO, C2C_EFORMAT (line
 * or byte named), C2C_EVERIFY (digest), C2C_EINVAL (kind/format mismatch), C2C_ENOMEM. */
c2c_err c2c_refdata_load(struct c2c_refdata *r, enum c2c_ref_kind kind, const char *path,
    const uint8_t *expect_sha256, struct c2c_diag *diag);

unsigned c2c_refdata_list_count(const struct c2c_refdata *r);
const struct c2c_ref_list_info *c2c_refdata_list_get(const struct c2c_refdata *r, unsigned i);

/* Is `ip` in any list of `kind` (C2C_REF_SINKHOLE, C2C_REF_CLOUD)? Longest prefix wins, then
 * the earliest loaded list. C2C_OK with *m, or C2C_ENOTFOUND. Thread-safe for readers. */
c2c_err c2c_refdata_match_ip(const struct c2c_refdata *r, enum c2c_ref_kind kind,
    const struct c2c_ip *ip, struct c2c_ref_match *m);
/* Is hostname `name` (or a parent domain of it) in a hostname list of `kind`? */
c2c_err c2c_refdata_match_name(const struct c2c_refdata *r, enum c2c_ref_kind kind,
    const char *name, struct c2c_ref_match *m);
/* Is `asn` in a residential list? */
c2c_err c2c_refdata_match_asn(const struct c2c_refdata *r, uint32_t asn, struct c2c_ref_match *m);
/* Was `ip` a Tor exit while it was observed, from `t_first` to `t_last`: is there an
 * ExitAddress observation in [t_first - window, t_last + window]? The earliest such
 * observation is reported. C2C_OK with *m, or C2C_ENOTFOUND. */
c2c_err c2c_refdata_match_tor(const struct c2c_refdata *r, const struct c2c_ip *ip,
    c2c_time t_first, c2c_time t_last, c2c_time window, struct c2c_ref_match *m);

/* Pin of list i as JSON {"sha256","size","kind","name","format","version","entries"}. */
c2c_err c2c_refdata_pin_json(const struct c2c_refdata *r, unsigned i, json_t **out);

#ifdef __cplusplus
}
#endif
#endif

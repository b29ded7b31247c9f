/*
 * Threat intelligence: feed loaders with provenance, one indicator store, and the matcher.
 *
 * Life cycle: c2c_intel_new(), then c2c_intel_load() once per feed file (or MISP feed folder),
 * then c2c_intel_freeze() which builds the lookup structures, then any number of lookups (which
 * are read-only and safe from several threads at once), then c2c_intel_free(). Loading after
 * the freeze is refused with C2C_EINVAL.
 *
 * Every indicator remembers the feed it came from (the feed file's SHA-256) and its line (text
 * feeds) or object id (STIX id, MISP attribute uuid), its labels exactly as the feed gave them
 * (typed: malware family, intrusion set, threat actor, campaign, tag, reference, category), an
 * optional score and an optional validity window. Allow-lists (MISP warninglists, or any feed
 * loaded with `allow`) live in the same store; a lookup returns their entries too, flagged, so
 * that a hit on an allow-list is reported as suppressed rather than dropped.
 *
 * Entries a loader cannot use are never dropped silently: each is a note (feed, line or object
 * id, the text, the reason) counted per feed. Only a file that cannot be read as its kind at all
 * (broken JSON, a CSV header that does not fit) is an error.
 *
 * Ownership: the store owns everything; pointers handed out (strings, label arrays, feed info)
 * stay valid until c2c_intel_free().
 */
#ifndef C2C_INTEL_H
#define C2C_INTEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "c2chain/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Indicator types. IPV4/IPV6 are single addresses (a /32 or /128 CIDR becomes one); CIDR is a
 * prefix of either family; DOMAIN matches the name only; DOMAIN_SUFFIX matches the name and
 * every name under it; URL matches "host[:port]/path?query" (scheme dropped, host lower-case);
 * SUBSTRING (allow-lists only) matches any domain or URL containing it. */
#define C2C_IOC_TYPE_MAP(X)                                                                \
	X(IPV4, "ipv4") X(IPV6, "ipv6") X(CIDR, "cidr") X(DOMAIN, "domain")                \
	    X(DOMAIN_SUFFIX, "domain-suffix") X(URL, "url") X(SUBSTRING, "substring")
enum c2c_ioc_type {
	C2C_IOC_NONE = 0,
#define C2C_X_(e, s) C2C_IOC_##e,
	C2C_IOC_TYPE_MAP(C2C_X_)
#undef C2C_X_
	C2C_IOC__COUNT
};
const char *c2c_ioc_type_name(enum c2c_ioc_type t);

/* Label types: what the feed says an indicator is associated with. Values are kept verbatim;
 * resolving aliases ("apt10" = "stone panda") is the attribution stage's job. */
#define C2C_LABEL_TYPE_MAP(X)                                                              \
	X(MALWARE, "malware") X(INTRUSION_SET, "intrusion-set")                          \
	    X(THREAT_ACTOR, "threat-actor") X(CAMPAIGN, "campaign") X(TAG, "tag")          \
		X(REFERENCE, "reference") X(CATEGORY, "category")
enum c2c_label_type {
	C2C_LABEL_NONE = 0,
#define C2C_X_(e, s) C2C_LABEL_##e,
	C2C_LABEL_TYPE_MAP(C2C_X_)
#undef C2C_X_
	C2C_LABEL__COUNT
};
const char *c2c_label_type_name(enum c2c_label_type t);

struct c2c_label {
	enum c2c_label_type type;
	const char *value;
};

/* Feed kinds. AUTO detects from content (never from the file name); the others force a kind
 * (`c2chain intel check --kind`). OTHER is a readable file that holds no indicators (a licence,
 * a JSON schema, a MISP galaxy): it loads with one note and no error. */
#define C2C_FEED_KIND_MAP(X)                                                               \
	X(AUTO, "auto") X(PLAIN, "plain") X(FEODO_CSV, "feodo-csv")                      \
	    X(THREATFOX_CSV, "threatfox-csv") X(THREATFOX_JSON, "threatfox-json")        \
		X(MALTRAIL, "maltrail") X(FIREHOL, "firehol") X(MISP_EVENT, "misp-event") \
		    X(MISP_FEED, "misp-feed") X(STIX, "stix") X(WARNINGLIST, "warninglist") \
			X(SURICATA_IPREP, "suricata-iprep")                                  \
			    X(SURICATA_DATASET, "suricata-dataset") X(OTHER, "other")
enum c2c_feed_kind {
#define C2C_X_(e, s) C2C_FEED_##e,
	C2C_FEED_KIND_MAP(C2C_X_)
#undef C2C_X_
	C2C_FEED__COUNT
};
const char *c2c_feed_kind_name(enum c2c_feed_kind k);
/* C2C_OK and *out, or C2C_ENOTFOUND for an unknown name. */
c2c_err c2c_feed_kind_parse(const char *s, enum c2c_feed_kind *out);

/* How one feed is read. Zero-initialise, then set what you need. */
struct c2c_feed_opts {
	enum c2c_feed_kind kind; /* C2C_FEED_AUTO = detect from content */
	bool allow;              /* treat every entry as an allow-list entry (warninglists always are) */
	const char *name;        /* display name; default: the warninglist's "name", else the path */
};

/* Per-feed counters and identity (c2c_intel_feed). */
struct c2c_feed_info {
	const char *path; /* as given to c2c_intel_load (for a MISP feed: path of each event file) */
	const char *name;
	enum c2c_feed_kind kind;
	bool allow;
	uint8_t sha256[32]; /* of the raw file bytes */
	uint64_t size;
	uint64_t entries;     /* lines / attributes / objects examined */
	uint64_t indicators;  /* indicators stored */
	uint64_t by_type[C2C_IOC__COUNT];
	uint64_t unsupported; /* entries of a kind the store cannot hold (hashes, regexes, ...) */
	uint64_t malformed;   /* entries that should be an indicator but do not parse */
	uint64_t duplicates;  /* same value, type and port as an earlier entry of this feed */
};

/* An entry a loader could not use. */
struct c2c_intel_note {
	uint32_t feed;
	uint64_t line;      /* 1-based line, or 0 when the entry is named by object id */
	const char *object; /* STIX/MISP id or NULL */
	const char *text;   /* the entry (truncated to 120 bytes) */
	const char *reason;
	bool malformed;     /* false: unsupported */
};

/* One indicator as stored. */
#define C2C_TIME_NONE INT64_MIN
struct c2c_indicator {
	enum c2c_ioc_type type;
	struct c2c_ip ip;  /* IPV4 / IPV6 / CIDR */
	unsigned prefix;   /* CIDR length (32 / 128 for single addresses) */
	uint16_t port;     /* 0 = any port */
	const char *value; /* canonical text: address, cidr, domain, url key, substring */
	uint32_t feed;
	uint64_t line;      /* 0 when named by object id */
	const char *object; /* STIX indicator id, MISP attribute uuid, or NULL */
	c2c_time valid_from, valid_until; /* C2C_TIME_NONE when open */
	int32_t score; /* feed score / confidence (iprep score, ThreatFox confidence); -1 none */
	bool allow;
	size_t n_labels;
	const struct c2c_label *labels; /* n_labels entries, in feed order */
};

struct c2c_intel;

/* A new empty store. C2C_ENOMEM. */
c2c_err c2c_intel_new(struct c2c_intel **out);
void c2c_intel_free(struct c2c_intel *in);

/*
 * Load one feed: a file (gzip is inflated), or a folder holding a MISP feed (manifest.json plus
 * <uuid>.json events; every event file is its own feed with its own digest).
 * Returns C2C_OK (unusable entries become notes); C2C_EIO (cannot read: diag names the path
 * and errno); C2C_EFORMAT (the file cannot be read as its kind: diag names file and line);
 * C2C_ELIMIT (file over 1 GiB, more than 65,535 feeds, or a string pool past 4 GiB);
 * C2C_EINVAL (already frozen); C2C_ENOMEM. On an error the store keeps what earlier calls
 * loaded and none of this file.
 */
c2c_err c2c_intel_load(struct c2c_intel *in, const char *path, const struct c2c_feed_opts *opts,
    struct c2c_diag *diag);
/* The same over bytes in memory (borrowed for the call); `name` stands in for the path. A MISP
 * feed folder cannot be loaded this way (C2C_EINVAL). */
c2c_err c2c_intel_load_mem(struct c2c_intel *in, const char *name, const void *p, size_t len,
    const struct c2c_feed_opts *opts, struct c2c_diag *diag);
/* Decide a file's kind from its content (gzip already inflated); never returns AUTO. JSON is
 * parsed to be classified; if memory runs out it is reported as OTHER. */
enum c2c_feed_kind c2c_feed_detect(const uint8_t *p, size_t len);

/* Build the lookup structures. C2C_OK, C2C_ENOMEM (the store stays unfrozen and usable for a
 * retry), C2C_EINVAL when already frozen. */
c2c_err c2c_intel_freeze(struct c2c_intel *in);

/* Feeds, notes and indicators, in load order (ids are dense from 0). Valid after any load. */
size_t c2c_intel_feed_count(const struct c2c_intel *in);
void c2c_intel_feed(const struct c2c_intel *in, uint32_t feed, struct c2c_feed_info *out);
size_t c2c_intel_note_count(const struct c2c_intel *in);
void c2c_intel_note(const struct c2c_intel *in, size_t i, struct c2c_intel_note *out);
size_t c2c_intel_indicator_count(const struct c2c_intel *in);
/* Fill *out for indicator `id` (< c2c_intel_indicator_count). Needs a frozen store. */
void c2c_intel_indicator(const struct c2c_intel *in, uint32_t id, struct c2c_indicator *out);

/* Values (same type, address/string, port) present in more than one feed. Frozen store. */
uint64_t c2c_intel_duplicates_across(const struct c2c_intel *in);

/* ---- matching (frozen store only; read-only, thread-safe) -------------------------------- */

/* How an indicator matched. */
enum c2c_match_how {
	C2C_MATCH_EXACT = 1,  /* address, domain or URL equal */
	C2C_MATCH_PREFIX,     /* address inside a CIDR */
	C2C_MATCH_SUFFIX,     /* name under a domain-suffix indicator */
	C2C_MATCH_SUBSTRING   /* allow-list substring */
};

struct c2c_intel_hit {
	uint32_t id; /* indicator id */
	uint8_t how; /* enum c2c_match_how */
};

/*
 * Every indicator that matches an address: exact entries first (by id), then every covering
 * CIDR from the longest prefix to the shortest (by id within one prefix). `port` 0 means
 * "unknown": port-qualified indicators then match on the address alone; otherwise an indicator
 * with a port matches only that port. `t` is checked against validity windows (C2C_TIME_NONE:
 * windows ignored). Writes at most `cap` hits and returns how many there are in total.
 */
size_t c2c_intel_match_ip(const struct c2c_intel *in, const struct c2c_ip *ip, uint16_t port,
    c2c_time t, struct c2c_intel_hit *hits, size_t cap);
/* Every indicator matching a DNS name (lower-cased here; a trailing dot is ignored): exact
 * domain entries and domain-suffix entries on the name itself, then suffix entries on each
 * parent name (closest first), then allow-list substrings. Same return convention. */
size_t c2c_intel_match_domain(const struct c2c_intel *in, const char *name, c2c_time t,
    struct c2c_intel_hit *hits, size_t cap);
/* Every URL indicator equal to host[:port]/path (as in an HTTP request: Host header and
 * request target; an absolute-form target is accepted as `path`), plus allow-list substrings. */
size_t c2c_intel_match_url(const struct c2c_intel *in, const char *host, const char *path,
    c2c_time t, struct c2c_intel_hit *hits, size_t cap);

/* Fast path for bulk filtering: true when any non-allow indicator (exact or CIDR, any port,
 * any time) covers the IPv4 address `addr` (host order). Reads one 64-byte line of a compact
 * index (docs/intel.md), the same for a hit and a miss. */
bool c2c_intel_any_v4(const struct c2c_intel *in, uint32_t addr);
/* Batch form: out[i] = c2c_intel_any_v4(in, addrs[i]) for i < n (out has n bytes); prefetches
 * 16 addresses ahead, so prefer it whenever addresses come in groups. Returns the number of
 * addresses that matched. */
size_t c2c_intel_any_v4_batch(const struct c2c_intel *in, const uint32_t *addrs, size_t n,
    uint8_t *out);

/* Approximate heap bytes held by the lookup structures and the indicator table. */
size_t c2c_intel_memory(const struct c2c_intel *in);

#ifdef __cplusplus
}
#endif
#endif

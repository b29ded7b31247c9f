/*
 * Shared inside lib/intel only (never installed): how loaders hand indicators, labels and notes
 * to the store, and the value classifier they all use.
 */
#ifndef C2C_INTEL_INTERNAL_H
#define C2C_INTEL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "c2chain/intel.h"

/* One indicator as a loader produces it (strings borrowed for the call). */
struct c2c__ioc {
	enum c2c_ioc_type type;
	struct c2c_ip ip;
	unsigned prefix;
	uint16_t port;
	const char *str; /* domain / url key / substring, already canonical (lower-case host) */
	size_t str_len;
	uint64_t line;
	const char *object; /* may be NULL */
	c2c_time from, until; /* C2C_TIME_NONE = open */
	int32_t score;        /* -1 = none */
};

/* The loader's view of one feed being loaded. */
struct c2c__feed {
	struct c2c_intel *in;
	uint32_t id;
	const char *src; /* path for diagnostics */
	struct c2c_feed_info *info;
	bool allow;
};

/* Reset an ioc to "no value, no window, no score". */
void c2c__ioc_init(struct c2c__ioc *ioc);

/* Store one indicator under label set `labels` (from c2c__intel_labelset, or 0 = none).
 * C2C_ENOMEM / C2C_ELIMIT. Counts duplicates within the feed. */
c2c_err c2c__intel_add(struct c2c__feed *f, const struct c2c__ioc *ioc, uint32_t labels);
/* Intern a label set (labels in the given order, exact duplicates removed); *id 0 for n == 0. */
c2c_err c2c__intel_labelset(struct c2c__feed *f, const struct c2c_label *labels, size_t n,
    uint32_t *id);
/* Record an unusable entry (counted as unsupported or malformed on the feed). */
c2c_err c2c__intel_note(struct c2c__feed *f, uint64_t line, const char *object, const char *text,
    size_t text_len, bool malformed, const char *reason);

/* Classify one textual value: an address, address:port, [v6]:port, CIDR, domain (".x" or "*.x"
 * = suffix), URL (with or without scheme). On success fills ioc->type/ip/prefix/port/str and
 * points ioc->str into `scratch` (which needs len + 8 bytes). On failure returns false with
 * *reason set and *malformed telling a broken value from an unsupported kind. */
bool c2c__ioc_parse_value(const char *s, size_t len, struct c2c__ioc *ioc, char *scratch,
    const char **reason, bool *malformed);
/* A DNS name check: labels of 1..63 of [A-Za-z0-9_-], total <= 253, at least two labels, top
 * label not all digits. Lower-cases into `out` (len + 1 bytes) when valid. */
bool c2c__domain_canon(const char *s, size_t len, char *out);

/* Loaders. `p`/`len` is the whole file (NUL-terminated after len). */
c2c_err c2c__load_text(struct c2c__feed *f, enum c2c_feed_kind kind, const char *p, size_t len,
    struct c2c_diag *diag);
c2c_err c2c__load_json(struct c2c__feed *f, enum c2c_feed_kind kind, json_t *root,
    struct c2c_diag *diag);
/* Kind of a text feed from its first 64 KiB. */
enum c2c_feed_kind c2c__text_kind(const char *p, size_t len);
/* Open a new feed entry in the store for `path` (digest and size filled by the caller). */
c2c_err c2c__intel_feed_open(struct c2c_intel *in, const char *path, const struct c2c_feed_opts *o,
    struct c2c__feed *f);
/* Drop everything added since the feed was opened (used when a file turns out malformed). */
void c2c__intel_feed_abort(struct c2c__feed *f);
/* The live counters of feed `id` (valid until the next feed is opened). */
struct c2c_feed_info *c2c__intel_feed_info(struct c2c_intel *in, uint32_t id);
/* Set the display name of the feed being loaded (copied). */
c2c_err c2c__intel_feed_name(struct c2c__feed *f, const char *name);
/* JSON feeds: the kind of an already parsed document (OTHER when no known shape). */
enum c2c_feed_kind c2c__json_kind(json_t *root);
/* STIX bundle loader (stix.c). */
c2c_err c2c__load_stix(struct c2c__feed *f, const json_t *root, struct c2c_diag *diag);

/* STIX 2.1 patterns (stix_pattern.c). The callback receives each usable indicator of the
 * disjunctive normal form; unusable parts are reported through `unsupported` (one call each). */
struct c2c__stix_emit {
	void *ctx;
	c2c_err (*ioc)(void *ctx, const struct c2c__ioc *ioc);
	c2c_err (*unsupported)(void *ctx, const char *what, const char *reason);
};
/* C2C_OK; C2C_EFORMAT when the pattern does not parse (msg in `err`, 120 bytes); C2C_ENOMEM. */
c2c_err c2c__stix_pattern(const char *pattern, size_t len, const struct c2c__stix_emit *emit,
    char *err, size_t errlen);

/* Tiny helpers shared by the loaders. */
static inline bool
c2c__is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

#endif

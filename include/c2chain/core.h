/*
 * Core value types and helpers shared by every stage: allocation hook, growable buffers with
 * caps, IPv4/IPv6 addresses, integer-microsecond time, hex/base64, SHA-256, canonical JSON.
 */
#ifndef C2C_CORE_H
#define C2C_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "c2chain/err.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11
#define C2C_MALLOC(f) __attribute__((malloc, malloc(f, 1)))
#else
#define C2C_MALLOC(f) __attribute__((malloc))
#endif
#define C2C_FALLTHROUGH __attribute__((fallthrough))
#define C2C_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- allocation ------------------------------------------------------------------------ */
/* Every allocation in lib/ goes through these, so tests can fail the n-th one. c2c_free(NULL)
 * is a no-op. c2c_calloc and c2c_reallocarray check multiplication overflow. */
void *c2c_malloc(size_t len);
void *c2c_calloc(size_t n, size_t size);
void *c2c_realloc(void *p, size_t len);
void *c2c_reallocarray(void *p, size_t n, size_t size);
void c2c_free(void *p);
char *c2c_strdup(const char *s);
char *c2c_strndup(const char *s, size_t len);
/* Replace the allocator (NULL restores libc). Not thread-safe: set it before any other call. */
struct c2c_allocator {
	void *(*malloc)(size_t len);
	void *(*realloc)(void *p, size_t len);
	void (*free)(void *p);
};
void c2c_set_allocator(const struct c2c_allocator *a);

/* ---- growable byte buffer with a cap ----------------------------------------------------- */
/* Growth past `cap` bytes fails with C2C_ELIMIT; input sizes never reach malloc directly. */
struct c2c_buf {
	uint8_t *data;
	size_t len;
	size_t alloc;
	size_t cap;
};
void c2c_buf_init(struct c2c_buf *b, size_t cap);
void c2c_buf_fini(struct c2c_buf *b);
void c2c_buf_reset(struct c2c_buf *b);
c2c_err c2c_buf_reserve(struct c2c_buf *b, size_t more);
c2c_err c2c_buf_add(struct c2c_buf *b, const void *p, size_t len);
c2c_err c2c_buf_addc(struct c2c_buf *b, char c);
c2c_err c2c_buf_adds(struct c2c_buf *b, const char *s);
c2c_err c2c_buf_printf(struct c2c_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* NUL-terminate without counting the NUL in len; returns data as a C string or NULL on OOM. */
const char *c2c_buf_cstr(struct c2c_buf *b);
/* Hand the bytes to the caller (who c2c_free()s them) and reset the buffer. */
uint8_t *c2c_buf_steal(struct c2c_buf *b, size_t *len);

/* ---- addresses ---------------------------------------------------------------------------- */
/* An IPv4 or IPv6 address. IPv4 is stored IPv4-mapped (::ffff:a.b.c.d) with family 4, so that
 * one 16-byte comparison orders and hashes both families; a real IPv6 ::ffff:0:0/96 address has
 * family 6 and never compares equal to the IPv4 one. Compare with c2c_ip_cmp, never memcmp on
 * the struct (padding). */
struct c2c_ip {
	uint8_t a[16]; /* network byte order */
	uint8_t family; /* 4 or 6; 0 = unset */
};
void c2c_ip_from_v4(struct c2c_ip *ip, uint32_t host_order);
void c2c_ip_from_v4_bytes(struct c2c_ip *ip, const uint8_t b[4]);
void c2c_ip_from_v6_bytes(struct c2c_ip *ip, const uint8_t b[16]);
/* IPv4 value in host order; only meaningful when family == 4. */
uint32_t c2c_ip_v4(const struct c2c_ip *ip);
int c2c_ip_cmp(const struct c2c_ip *x, const struct c2c_ip *y);
bool c2c_ip_eq(const struct c2c_ip *x, const struct c2c_ip *y);
/* Parse dotted quad or RFC 4291/5952 text (no zone, no brackets): C2C_OK or C2C_EFORMAT. */
c2c_err c2c_ip_parse(struct c2c_ip *ip, const char *s);
c2c_err c2c_ip_parsen(struct c2c_ip *ip, const char *s, size_t len);
/* RFC 5952 text (IPv4 dotted); `buf` needs C2C_IP_STRLEN bytes. Returns buf. */
#define C2C_IP_STRLEN 46
char *c2c_ip_format(const struct c2c_ip *ip, char *buf, size_t len);
/* Parse "addr/len" (or a bare address = host prefix). Host bits are cleared. */
c2c_err c2c_cidr_parse(struct c2c_ip *net, unsigned *prefix_len, const char *s);
/* True when `ip` lies in net/len (same family). */
bool c2c_ip_in_cidr(const struct c2c_ip *ip, const struct c2c_ip *net, unsigned len);
/* RFC 1918, RFC 4193, loopback, link-local, CGNAT, documentation... used to decide "internal". */
bool c2c_ip_is_private(const struct c2c_ip *ip);
uint64_t c2c_ip_hash(const struct c2c_ip *ip, uint64_t seed);

/* ---- time --------------------------------------------------------------------------------- */
/* Timestamps are signed microseconds since the Unix epoch, UTC. */
typedef int64_t c2c_time;
#define C2C_USEC 1000000LL
/* "2009-11-18T08:00:21.497582Z" (microseconds shown; buf needs 32). Returns buf. */
char *c2c_time_format_iso(c2c_time t, char *buf, size_t len);
/* "1258531221.486539" as Zeek prints ts (buf needs 32). */
char *c2c_time_format_epoch(c2c_time t, char *buf, size_t len);
/* Parse epoch seconds with up to 9 fractional digits, or ISO 8601 / RFC 3339 with 'Z' or an
 * offset. Fractions beyond microseconds are truncated toward zero. */
c2c_err c2c_time_parse(c2c_time *t, const char *s, size_t len);
/* Days-from-civil (proleptic Gregorian), used by the parser; exposed for tests. */
int64_t c2c_days_from_civil(int64_t y, unsigned m, unsigned d);

/* ---- encodings and hashes ----------------------------------------------------------------- */
/* Lowercase hex of `len` bytes into `out` (2*len+1 bytes). Returns out. */
char *c2c_hex(const uint8_t *p, size_t len, char *out);
c2c_err c2c_unhex(const char *s, size_t slen, uint8_t *out, size_t outlen);
/* Standard base64 with padding; `out` needs 4*ceil(len/3)+1. Returns the string length. */
size_t c2c_base64(const uint8_t *p, size_t len, char *out);
c2c_err c2c_unbase64(const char *s, size_t slen, uint8_t *out, size_t cap, size_t *outlen);
/* SHA-256 (OpenSSL libcrypto; SHA-NI where the CPU has it). */
struct c2c_sha256 {
	void *ctx;
};
c2c_err c2c_sha256_init(struct c2c_sha256 *h);
void c2c_sha256_update(struct c2c_sha256 *h, const void *p, size_t len);
/* Writes 32 bytes and releases the context; a finished context may be init'ed again. */
void c2c_sha256_final(struct c2c_sha256 *h, uint8_t out[32]);
void c2c_sha256_abort(struct c2c_sha256 *h);
/* One whole message; cheap enough for millions of short ones (Merkle leaves and nodes,
 * record digests). Thread-safe. */
void c2c_sha256(const void *p, size_t len, uint8_t out[32]);
/* SHA-256 of a whole file, streamed; C2C_EIO with diag on failure. */
c2c_err c2c_sha256_file(const char *path, uint8_t out[32], uint64_t *size, struct c2c_diag *diag);
void c2c_sha1(const void *p, size_t len, uint8_t out[20]);
void c2c_md5(const void *p, size_t len, uint8_t out[16]);
/* CRC-32 as zlib's crc32() computes it (start with 0; feed the result back to continue),
 * carry-less-multiplication folding where the CPU has it. */
uint32_t c2c_crc32(uint32_t crc, const void *p, size_t len);
/* SipHash-2-4 for hash tables (keyed, so hostile input cannot aim at one bucket). */
uint64_t c2c_siphash(const void *p, size_t len, const uint8_t key[16]);


/* ---- streaming reader --------------------------------------------------------------------- */
/* Sequential reader over a file (mmap'd when plain, inflated through a sliding window when
 * gzip) or a memory block, with exact logical offsets for evidence references. With
 * C2C_RD_HASH the raw file bytes are SHA-256'd as they are consumed, so fingerprinting costs no
 * second pass; a large plain file is hashed by a thread of its own over the same mapping while
 * the caller parses it (joined by c2c_rd_finish / c2c_rd_close). Not thread-safe; one reader
 * per input. */
enum { C2C_RD_HASH = 1, C2C_RD_NO_GZIP = 2 };
#define C2C_RD_MAX_PEEK (256u << 20) /* largest contiguous record a reader hands out */
struct c2c_rd {
	const char *path; /* borrowed */
	int fd;
	const uint8_t *map;
	size_t map_len;
	void *z; /* z_stream when gzip */
	uint8_t *zin;
	uint8_t *win;
	size_t win_len, win_alloc;
	uint64_t win_off; /* logical offset of win[0] */
	uint64_t pos;     /* logical offset of the next unread byte */
	uint64_t raw_read; /* raw (compressed) bytes read from the file */
	bool gzip, eof, hashing;
	struct c2c_sha256 h;
	uint64_t hashed; /* for mapped files: raw bytes fed to the hash so far (all of them when
	                  * a hashing thread covers the mapping) */
	void *hasher;    /* hashing thread over a large mapping (rd.c), or NULL */
};
c2c_err c2c_rd_open(struct c2c_rd *rd, const char *path, unsigned flags, struct c2c_diag *diag);
/* Read from memory (borrowed until close); gzip is inflated unless C2C_RD_NO_GZIP. */
c2c_err c2c_rd_open_mem(struct c2c_rd *rd, const void *data, size_t len, unsigned flags);
/* Make `n` bytes at the current position contiguous: C2C_OK with *p set; C2C_EEND when fewer
 * remain (then *p and *avail describe what is left); C2C_ELIMIT if n > C2C_RD_MAX_PEEK;
 * C2C_EFORMAT for corrupt gzip; C2C_EIO. *p is valid until the next peek/advance. */
c2c_err c2c_rd_peek(struct c2c_rd *rd, size_t n, const uint8_t **p, size_t *avail);
void c2c_rd_advance(struct c2c_rd *rd, size_t n);
static inline uint64_t
c2c_rd_pos(const struct c2c_rd *rd)
{
	return rd->pos;
}
/* Hash whatever of the raw file is not hashed yet (reading to its end) and return the digest
 * and raw size. Needs C2C_RD_HASH. */
c2c_err c2c_rd_finish(struct c2c_rd *rd, uint8_t sha[32], uint64_t *raw_size,
    struct c2c_diag *diag);
void c2c_rd_close(struct c2c_rd *rd);

/* ---- files -------------------------------------------------------------------------------- */
/* Read a whole (small) file into memory, inflating gzip, at most `cap` bytes (C2C_ELIMIT past
 * it). *out is NUL-terminated (not counted in *len) and freed with c2c_free. */
c2c_err c2c_file_slurp(const char *path, size_t cap, uint8_t **out, size_t *len,
    struct c2c_diag *diag);
/* Write `len` bytes to `path` atomically: temporary file in the same folder, fsync, rename. */
c2c_err c2c_file_write_atomic(const char *path, const void *p, size_t len, struct c2c_diag *diag);

#ifdef __cplusplus
}
#endif
#endif

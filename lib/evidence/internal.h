/*
 * Shared inside lib/evidence only (never installed): case paths, parsed evidence references,
 * the record-commitment list, the ustar reader/writer behind excerpt packages, and a read-only
 * view of a case that is either a directory or an excerpt package.
 */
#ifndef C2C_EVIDENCE_INTERNAL_H
#define C2C_EVIDENCE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "c2chain/evidence.h"
#include "c2chain/json.h"

/* File names inside a case (docs/evidence.md). */
#define C2C__INPUTS "inputs.json"
#define C2C__LEDGER "ledger/entries.jsonl"
#define C2C__TREE "ledger/tree.hashes"
#define C2C__CPDIR "ledger/checkpoints"
#define C2C__CONSDIR "ledger/consistency"
#define C2C__CHECKPOINT "checkpoint.note"
#define C2C__SKEY "key/signing.key"
#define C2C__VKEY "key/verifier.pub"
#define C2C__REFSDIR "evidence/refs"
#define C2C__RECSDIR "evidence/records"
#define C2C__REPORT "report.json"
#define C2C__EXREC "excerpt/records" /* excerpt: excerpt/records/<input sha>.bin */
#define C2C__EXPROOF "excerpt/proofs"  /* excerpt: excerpt/proofs/<index>.tlog-proof */

#define C2C__FILE_CAP ((size_t)1 << 31) /* largest case file read into memory */

/* A parsed evidence reference. */
struct c2c__ref {
	uint8_t sha[32];
	uint64_t off;
	uint32_t len;
	int32_t rec;
};
c2c_err c2c__ref_parse(const char *s, struct c2c__ref *r);
void c2c__ref_format(const struct c2c__ref *r, char buf[C2C_EVREF_STRLEN]);
/* The reference string of `r` given the lower-case hex of its digest (which r->sha is not
 * read for), NUL-terminated in `out`; returns its length. Same bytes as c2c_evref_format. */
size_t c2c__ref_text(const struct c2c__ref *r, const char hex[64], char out[C2C_EVREF_STRLEN]);
/* Order by (off, len, rec); digests compare first. The order of record commitments. */
int c2c__ref_cmp(const struct c2c__ref *a, const struct c2c__ref *b);
/* The byte order (strcmp) of the reference strings, computed on the parsed form: the order
 * of reference lists (evidence/refs). Zero exactly when the strings are equal. */
int c2c__ref_text_cmp(const struct c2c__ref *a, const struct c2c__ref *b);

/* ---- a second thread for large lists ------------------------------------------------------ */
/* Lists of at least C2C__PAR_MIN elements are split between the calling thread and one more
 * (when the case allows two threads). Results never depend on the split. */
#define C2C__PAR_MIN 2048
struct c2c__task {
	void (*fn)(void *arg);
	void *arg;
	pthread_t t;
	bool started;
};
/* Start fn(arg) on a second thread when `par` (and a thread can be had); otherwise it runs on
 * the calling thread in c2c__task_join. */
void c2c__task_start(struct c2c__task *t, bool par, void (*fn)(void *), void *arg);
void c2c__task_join(struct c2c__task *t);
/* c2c_merkle_root, the two subtrees of the root (RFC 6962 §2.1: split at the largest power of
 * two below n) hashed on two threads when `par`. */
void c2c__merkle_root_par(const uint8_t (*leaves)[32], uint64_t n, bool par, uint8_t out[32]);

/* "<dir>/<rel>" into out (reset first); C2C_ENOMEM. */
c2c_err c2c__path(struct c2c_buf *out, const char *dir, const char *rel);
/* mkdir -p of dir/rel (rel may be NULL). */
c2c_err c2c__mkdirs(const char *dir, const char *rel, struct c2c_diag *diag);
/* Write a private file (mode 0600) atomically. */
c2c_err c2c__write_private(const char *path, const void *p, size_t len, struct c2c_diag *diag);

/* Read the records named by `refs` (sorted by c2c__ref_cmp, one input) from the file at `path`
 * (through c2c_rd: decompressed offsets for gzip) and call `fn` for each with its bytes.
 * C2C_EFORMAT when a record lies beyond the end of the input (diag names it). */
typedef c2c_err (*c2c__rec_fn)(void *ctx, size_t i, const uint8_t *p, size_t len);
c2c_err c2c__read_records(const char *path, const struct c2c__ref *refs, size_t n,
    c2c__rec_fn fn, void *ctx, struct c2c_diag *diag);

/* Line `i` of a record-commitment list: "<ref> <sha256 hex of the record bytes>". */
c2c_err c2c__records_line(const struct c2c__ref *r, const uint8_t rec_sha[32],
    struct c2c_buf *out);
/* The same line into `out` (NUL-terminated) given the hex digest of the input; returns its
 * length. */
#define C2C__RECLINE_MAX 176 /* longest reference (110) + ' ' + 64 hex + NUL */
size_t c2c__records_text(const struct c2c__ref *r, const char input_hex[64],
    const uint8_t rec_sha[32], char out[C2C__RECLINE_MAX]);

/* enum c2c_format from its c2c_format_name(); C2C_FMT_UNKNOWN when none. */
enum c2c_format c2c__format_parse(const char *s);

/* ---- a read-only case: directory or excerpt package -------------------------------------- */
struct c2c__tar_member {
	char name[256];
	const uint8_t *p; /* into the archive bytes */
	size_t len;
};
struct c2c__case_src {
	const char *dir;          /* directory case, or NULL */
	uint8_t *archive;         /* excerpt package bytes (owned) */
	size_t archive_len;
	struct c2c__tar_member *m; /* members (owned) */
	size_t n;
};
/* Open `path` (a directory or an excerpt package file). C2C_ENOTFOUND, C2C_EFORMAT, C2C_EIO. */
c2c_err c2c__src_open(struct c2c__case_src *s, const char *path, struct c2c_diag *diag);
void c2c__src_close(struct c2c__case_src *s);
/* Read a case file: C2C_OK with *out (c2c_free; NUL-terminated), C2C_ENOTFOUND, C2C_EIO. */
c2c_err c2c__src_read(const struct c2c__case_src *s, const char *rel, uint8_t **out,
    size_t *len, struct c2c_diag *diag);
/* Names (relative, sorted) of the files directly under `dir_rel`; the caller frees each name
 * and the array with c2c_free. */
c2c_err c2c__src_list(const struct c2c__case_src *s, const char *dir_rel, char ***names,
    size_t *n);

/* ustar writer: append one regular file to `tar`; finish with two zero blocks. */
c2c_err c2c__tar_add(struct c2c_buf *tar, const char *name, const void *p, size_t len);
c2c_err c2c__tar_finish(struct c2c_buf *tar);
/* Parse an archive in memory: members point into `p`. C2C_EFORMAT with the byte offset. */
c2c_err c2c__tar_parse(const uint8_t *p, size_t len, struct c2c__tar_member **out, size_t *n,
    struct c2c_diag *diag);

/* ---- claim against records (claimcheck.c) ------------------------------------------------ */
/* A checker for one claim (a finding object). Per cited record: c2c__chk_rec_begin(), the
 * re-parse into the sink from c2c__chk_sink(), then c2c__chk_rec_end(), which sets *why to NULL
 * when the record supports the claim, else to the failing step ("record-parse",
 * "record-content") with the reason in msg. After all records, c2c__chk_finish() compares the
 * claim's counts with the records' (false with the reason in msg). C2C_ENOMEM. */
struct c2c__chk;
c2c_err c2c__chk_new(const json_t *claim, struct c2c__chk **out);
void c2c__chk_free(struct c2c__chk *c);
void c2c__chk_sink(struct c2c__chk *c, struct c2c_sink *out);
void c2c__chk_rec_begin(struct c2c__chk *c, uint32_t input, uint64_t off, int32_t rec);
c2c_err c2c__chk_rec_end(struct c2c__chk *c, const char **why, char *msg, size_t len);
bool c2c__chk_finish(struct c2c__chk *c, const json_t *claim, char *msg, size_t len);
/* What the records could not show (e.g. a TLS certificate in a ClientHello packet), as text
 * starting with "; " to append to the verdict, or "". Returns its length. */
size_t c2c__chk_note(const struct c2c__chk *c, char *buf, size_t len);

/* tlog-proof@v1 text for ledger entry `index` (docs/evidence.md). */
c2c_err c2c__tlog_proof_format(uint64_t index, const uint8_t (*proof)[32], size_t n,
    const uint8_t *note, size_t note_len, struct c2c_buf *out);

#endif

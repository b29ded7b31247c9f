/*
 * The evidence stage (DESIGN.md "Evidence model", docs/evidence.md): fingerprints of inputs and
 * reference data, RFC 6962 / RFC 9162 Merkle trees and proofs, Ed25519 keys and C2SP signed
 * notes carrying tlog checkpoints, the case directory with its append-only ledger, the offline
 * verifier and excerpt packages.
 *
 * Ownership: functions named _new/_open/_load hand the caller one object, released by the
 * matching _free/_close (NULL-safe). Everything else borrows. Nothing here is thread-safe on a
 * shared object; distinct objects may be used from distinct threads.
 */
#ifndef C2C_EVIDENCE_H
#define C2C_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "c2chain/core.h"
#include "c2chain/ingest.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Merkle trees (RFC 6962 §2.1, RFC 9162 §2.1) ----------------------------------------- */
/* leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right); the empty tree hashes to
 * SHA-256(""). Trees are given as arrays of leaf hashes (already leaf-hashed). */
#define C2C_MERKLE_MAX_PROOF 128 /* hashes in any proof of a tree of < 2^64 leaves */

void c2c_merkle_leaf(const void *data, size_t len, uint8_t out[32]);
void c2c_merkle_node(const uint8_t left[32], const uint8_t right[32], uint8_t out[32]);
/* Root of the tree over `n` leaf hashes (O(n) time, O(log n) memory). Cannot fail. */
void c2c_merkle_root(const uint8_t (*leaves)[32], uint64_t n, uint8_t out[32]);
/* Inclusion proof (audit path) for leaf `index` in the tree of the first `n` leaves: C2C_OK and
 * *proof_n hashes in `proof` (capacity C2C_MERKLE_MAX_PROOF), or C2C_EINVAL (index >= n). */
c2c_err c2c_merkle_inclusion_proof(const uint8_t (*leaves)[32], uint64_t n, uint64_t index,
    uint8_t (*proof)[32], size_t *proof_n);
/* Consistency proof between the trees of the first `n1` and of all `n2` leaves (RFC 9162
 * §2.1.4.1): C2C_OK, or C2C_EINVAL (n1 == 0 or n1 > n2). Empty when n1 == n2. */
c2c_err c2c_merkle_consistency_proof(const uint8_t (*leaves)[32], uint64_t n1, uint64_t n2,
    uint8_t (*proof)[32], size_t *proof_n);
/* RFC 9162 §2.1.3.2: C2C_OK when `proof` shows `leaf` at `index` in the tree of `size` leaves
 * with root `root`; C2C_EVERIFY otherwise (also for index >= size or a proof of wrong length). */
c2c_err c2c_merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[32],
    const uint8_t (*proof)[32], size_t proof_n, const uint8_t root[32]);
/* RFC 9162 §2.1.4.2: C2C_OK when `proof` shows the tree (size1, root1) is a prefix of the tree
 * (size2, root2); C2C_EVERIFY otherwise. size1 == size2 needs an empty proof and equal roots;
 * size1 == 0 is consistent with anything given an empty proof. */
c2c_err c2c_merkle_verify_consistency(uint64_t size1, uint64_t size2, const uint8_t (*proof)[32],
    size_t proof_n, const uint8_t root1[32], const uint8_t root2[32]);

/* ---- Ed25519 keys and C2SP signed notes (c2sp.org/signed-note) ---------------------------- */
/* Key files use the golang.org/x/mod/sumdb/note encodings:
 *   signer   "PRIVATE+KEY+<name>+<key id hex8>+<base64(0x01 || 32-byte seed)>"
 *   verifier "<name>+<key id hex8>+<base64(0x01 || 32-byte public key)>"
 * with key id = SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian. */
#define C2C_NOTE_NAME_MAX 256
struct c2c_signer;
struct c2c_verifier {
	char name[C2C_NOTE_NAME_MAX];
	uint32_t id;
	uint8_t pub[32];
};
void c2c_signer_free(struct c2c_signer *s);
/* New random key named `name` (non-empty, no spaces, no '+'): C2C_OK, C2C_EINVAL (bad name),
 * C2C_ECRYPTO, C2C_ENOMEM. */
c2c_err c2c_signer_new(const char *name, struct c2c_signer **out);
/* Parse a signer key string (trailing newline allowed): C2C_OK or C2C_EFORMAT (also when the
 * key id does not match the key). */
c2c_err c2c_signer_parse(const char *skey, size_t len, struct c2c_signer **out);
/* Load a signer key file: C2C_EIO / C2C_EFORMAT with diag. */
c2c_err c2c_signer_load(const char *path, struct c2c_signer **out, struct c2c_diag *diag);
/* The signer's name (borrowed) and its key strings appended to `out` (no newline). */
const char *c2c_signer_name(const struct c2c_signer *s);
c2c_err c2c_signer_skey(const struct c2c_signer *s, struct c2c_buf *out);
c2c_err c2c_signer_vkey(const struct c2c_signer *s, struct c2c_buf *out);
void c2c_signer_verifier(const struct c2c_signer *s, struct c2c_verifier *v);
/* Parse a verifier key string (surrounding white space allowed): C2C_OK or C2C_EFORMAT. */
c2c_err c2c_verifier_parse(const char *vkey, size_t len, struct c2c_verifier *out);
c2c_err c2c_verifier_load(const char *path, struct c2c_verifier *out, struct c2c_diag *diag);

/* Append the signed note for `text` (must end in '\n', valid UTF-8, no control characters but
 * '\n') to `out`: text, blank line, "— <name> base64(key id || signature)\n".
 * C2C_EINVAL for bad text; C2C_ECRYPTO; C2C_ENOMEM/C2C_ELIMIT from the buffer. */
c2c_err c2c_note_sign(const char *text, size_t len, const struct c2c_signer *s,
    struct c2c_buf *out);
/* Verify a signed note with `v` *before* anything else looks at its text. On C2C_OK,
 * *text_len is the length of the signed text (a prefix of `note`). Errors, each with diag
 * naming the byte position: C2C_EFORMAT (not a signed note), C2C_ENOTFOUND (no signature by
 * `v`), C2C_EVERIFY (a signature by `v` does not verify), C2C_ECRYPTO. */
c2c_err c2c_note_open(const uint8_t *note, size_t len, const struct c2c_verifier *v,
    size_t *text_len, struct c2c_diag *diag);

/* tlog checkpoint body (c2sp.org/tlog-checkpoint): "<origin>\n<size>\n<base64 root>\n". */
struct c2c_checkpoint {
	char origin[C2C_NOTE_NAME_MAX];
	uint64_t size;
	uint8_t root[32];
};
c2c_err c2c_checkpoint_format(const struct c2c_checkpoint *cp, struct c2c_buf *out);
/* Strict parse of a body (extension lines after the root are tolerated and ignored):
 * C2C_OK or C2C_EFORMAT. */
c2c_err c2c_checkpoint_parse(const char *text, size_t len, struct c2c_checkpoint *out);

/* ---- fingerprints ------------------------------------------------------------------------- */
/* The fingerprint record of one input (as written to inputs.json and to the ledger): sha256,
 * size, format, gzip, records, malformed, first_ts/last_ts (null when none), loss, sampling,
 * deps (evidence references of its dependency records), name (base name of `path`). The caller
 * owns the result (json_decref). C2C_ENOMEM. */
c2c_err c2c_fingerprint_input(const char *path, const struct c2c_input_info *info,
    json_t **out);
/* Reference data (MMDB, feed, actor catalogue, allow-list): `kind` is free text such as "mmdb"
 * or "feed"; the digest is computed here in one streamed read (C2C_EIO with diag). */
c2c_err c2c_fingerprint_refdata(const char *path, const char *kind, json_t **out,
    struct c2c_diag *diag);

/* ---- the case ----------------------------------------------------------------------------- */
/* A case directory (docs/evidence.md "Case layout"):
 *   inputs.json  ledger/entries.jsonl  ledger/tree.hashes  ledger/checkpoints/<size>.note
 *   ledger/consistency/<size1>-<size2>.proof  checkpoint.note  key/signing.key
 *   key/verifier.pub  evidence/refs/<root>.txt  evidence/records/<input sha256>.txt
 *   report.json
 * Call order for one scan: c2c_case_open; c2c_case_add_input for every input (in the run's
 * input order) and c2c_case_add_refdata for every reference file; then c2c_case_add_reflist
 * (or c2c_case_add_evrefs) for every finding that cites more than 64 records and c2c_case_append for every finding and
 * assessment (in report order); c2c_case_commit with the report; c2c_case_close. Opening a case
 * that already has a ledger checks the ledger against its signed checkpoint and appends. */
struct c2c_case;
struct c2c_case_opts {
	const char *key_path; /* signer key file (--key); NULL: CASE/key/signing.key, created with
	                       * a new key on first use */
	const char *origin;   /* checkpoint origin / key name for a new key; NULL: "c2chain/<case
	                       * directory base name>" */
	unsigned threads;     /* 1: all work on the calling thread; 0 or 2: long reference lists
	                       * and record commitments are split over a second thread (the same
	                       * bytes either way) */
};
/* Create the directory (and its subdirectories) if needed. Errors: C2C_EIO, C2C_EFORMAT (an
 * unreadable ledger or key), C2C_EVERIFY (the existing ledger does not match its signed
 * checkpoint: refuse to append), C2C_ECRYPTO, C2C_ENOMEM; diag names the file. */
c2c_err c2c_case_open(const char *dir, const struct c2c_case_opts *opts, struct c2c_case **out,
    struct c2c_diag *diag);
void c2c_case_close(struct c2c_case *c);
/* Record an input read by c2c_ingest_file (its `info`, filled in the same read). `path` is
 * kept (inputs.json and record commitments at commit). C2C_EINVAL (info without a digest),
 * C2C_ENOMEM. The input's position in call order is the c2c_evref.input index. */
c2c_err c2c_case_add_input(struct c2c_case *c, const char *path,
    const struct c2c_input_info *info, struct c2c_diag *diag);
/* Record a reference-data file (hashed here; C2C_EIO). *sha (OUT, may be NULL) gets its
 * digest, for the finding's evidence.refdata ("sha256:<hex>"). */
c2c_err c2c_case_add_refdata(struct c2c_case *c, const char *path, const char *kind,
    uint8_t sha[32], struct c2c_diag *diag);
/* Store a finding's full reference list ("ev:..." strings; sorted in byte order and
 * de-duplicated here) as evidence/refs/<root>.txt (written with the other case files at
 * c2c_case_commit) and return its Merkle root (leaf data = the reference string) and the count
 * after de-duplication. C2C_EFORMAT (a string that is not a reference), C2C_EINVAL (case
 * committed), C2C_EIO, C2C_ENOMEM. */
c2c_err c2c_case_add_reflist(struct c2c_case *c, const char *const *refs, size_t n,
    uint8_t root[32], uint64_t *count, struct c2c_diag *diag);
/* The same for references in binary form, without rendering them first: refs[i].input is the
 * index of an input added with c2c_case_add_input (call order). The list, its order, root and
 * file are exactly those c2c_case_add_reflist gives for the rendered strings. C2C_EINVAL (an
 * input index not added, or case committed), C2C_EIO, C2C_ENOMEM. */
c2c_err c2c_case_add_evrefs(struct c2c_case *c, const struct c2c_evref *refs, size_t n,
    uint8_t root[32], uint64_t *count, struct c2c_diag *diag);
/* The same for `n_lists` lists (list i: refs[i][0..n[i])), with the lists prepared on the
 * case's threads and stored in list order: the same files and cited set as calling
 * c2c_case_add_evrefs for each list in turn. `roots` (may be NULL): the lists' Merkle roots
 * when the caller has them already (c2c_detect_finding_root); a list given in reference-string
 * order without repeats is then stored under its given root without hashing it again (a wrong
 * root fails verify), any other list is sorted and hashed as usual. C2C_EINVAL (an input index
 * not added; diag names the list), C2C_EIO, C2C_ENOMEM. */
c2c_err c2c_case_add_evref_lists(struct c2c_case *c, const struct c2c_evref *const *refs,
    const size_t *n, const uint8_t (*roots)[32], size_t n_lists, struct c2c_diag *diag);
/* Optional, before the claims that remain are appended: compute now the record commitments
 * (§4.4 of docs/evidence.md) of every record cited so far, which is the bulk of the work of
 * c2c_case_commit when the long reference lists are in. c2c_case_commit then reads back and
 * digests only the records first cited after this call; its result is byte for byte what it
 * would have been without it. C2C_EIO/C2C_EFORMAT (a cited record
 * cannot be read), C2C_ENOMEM. */
c2c_err c2c_case_precommit(struct c2c_case *c, struct c2c_diag *diag);

/* Append a claim: `kind` is "finding" or "assessment"; `claim` (borrowed) must carry a string
 * "id" and be canonicalisable (no reals, ASCII keys). Its evidence references are collected for
 * the record commitments of c2c_case_commit. *index (OUT, may be NULL) is its ledger index.
 * C2C_EINVAL (bad kind or claim, diag says why), C2C_ENOMEM. */
c2c_err c2c_case_append(struct c2c_case *c, const char *kind, const json_t *claim,
    uint64_t *index, struct c2c_diag *diag);
/* Finish the scan: write inputs.json; read every cited record (and dependency record) once
 * from its input and append one "records" entry per input committing their digests; write
 * report.json (canonical bytes + "\n") and append its digest; write the ledger and tree
 * sidecar; sign the checkpoint (checkpoint.note and ledger/checkpoints/<size>.note); when an
 * earlier checkpoint exists, store the consistency proof ledger/consistency/<old>-<new>.proof.
 * Everything is written atomically. C2C_EINVAL (report not canonicalisable), C2C_EFORMAT (a
 * cited record lies outside its input), C2C_EVERIFY (an input changed since it was read),
 * C2C_EIO, C2C_ECRYPTO, C2C_ENOMEM. A case can be committed once per open. */
c2c_err c2c_case_commit(struct c2c_case *c, const json_t *report, struct c2c_diag *diag);
/* The ledger size and root after the last append (for tests and progress output). */
void c2c_case_tree(const struct c2c_case *c, uint64_t *size, uint8_t root[32]);

/* ---- verification ------------------------------------------------------------------------- */
enum c2c_verdict {
	C2C_V_RAW = 1,   /* verified from raw records */
	C2C_V_REF,       /* verified with pinned reference data */
	C2C_V_EXTERNAL,  /* external assertion: digests hold, content not re-derivable */
	C2C_V_MISSING,   /* data needed is not available (excerpt, absent input) */
	C2C_V_FAILED     /* a check failed: step, src and where say which and where */
};
const char *c2c_verdict_name(enum c2c_verdict v);

/* One verdict, borrowed for the callback's duration. */
struct c2c_claim_verdict {
	const char *kind;    /* checkpoint, ledger, input, refdata, finding, assessment, report */
	const char *id;      /* claim id, input digest, or file name */
	enum c2c_verdict verdict;
	const char *step;    /* first failing (or missing) step; NULL when it holds */
	const char *src;     /* file the failure is in (case-relative or input name), or NULL */
	uint64_t where;      /* byte offset in src (for a record: its offset in the input) */
	const char *msg;     /* one line of detail */
};

/* Re-derive report.json (the integrator's c2c_scan_rederive, wrapped): canonical bytes into
 * `out`. C2C_ENOTFOUND means "cannot (inputs absent)": the report claim is MISSING. */
typedef c2c_err (*c2c_rederive_fn)(void *ctx, const char *case_dir, const char *inputs_dir,
    struct c2c_buf *out, struct c2c_diag *diag);
typedef void (*c2c_verdict_fn)(void *ctx, const struct c2c_claim_verdict *v);
/* Re-parse one record: same contract as c2c_ingest_record (ingest.h). */
typedef c2c_err (*c2c_record_fn)(void *ctx, enum c2c_format fmt,
    const struct c2c_recbytes *deps, size_t n_deps, const struct c2c_recbytes *rec,
    int32_t rec_index, const struct c2c_sink *sink, struct c2c_diag *diag);

struct c2c_verify_opts {
	const char *trust_path; /* verifier key file; NULL: the case's own key/verifier.pub */
	const char *inputs_dir; /* where inputs and refdata are looked up by name first */
	c2c_rederive_fn rederive; /* NULL: report re-derivation is MISSING */
	void *rederive_ctx;
	c2c_verdict_fn verdict;   /* may be NULL */
	void *verdict_ctx;
	c2c_record_fn reparse;    /* NULL: c2c_ingest_record */
	void *reparse_ctx;
};

struct c2c_verify_summary {
	bool excerpt;        /* the case was an excerpt package */
	bool signature_ok;   /* the checkpoint verified against the trusted key */
	bool trusted_own_key; /* no trust key was given: the case's own key was used */
	uint64_t ledger_size;
	uint64_t n[C2C_V_FAILED + 1]; /* claims per verdict */
};

/* Verify the case directory or excerpt package at `path` (offline; never touches the network).
 * Order: checkpoint signature against the trusted key before anything else is parsed; ledger
 * against the checkpoint (and earlier checkpoints by their consistency proofs); input and
 * refdata digests; record commitments; each claim (ledger inclusion, identity with report.json,
 * cited records re-read, re-parsed and checked against the claim, pinned refdata); report.json
 * against its ledger digest and against the re-derived report. Each verdict goes to
 * opts->verdict and is counted in *sum.
 * Returns C2C_OK when every claim holds (no MISSING, no FAILED); C2C_EVERIFY otherwise (see
 * *sum: signature_ok false means the signature/trust step failed and nothing else was checked);
 * C2C_ENOTFOUND (no case at `path`), C2C_EIO, C2C_ENOMEM, with diag. */
c2c_err c2c_verify_case(const char *path, const struct c2c_verify_opts *opts,
    struct c2c_verify_summary *sum, struct c2c_diag *diag);

/* ---- excerpt packages --------------------------------------------------------------------- */
/* Write an excerpt package of the case at `case_dir` to `out_path` (atomically): a POSIX ustar
 * archive holding the signed checkpoints, ledger, proofs, report.json, reference lists, record
 * commitments, one tlog-proof per claim, and for each input only the committed records (cited
 * records and their dependencies). c2c_verify_case accepts the file in place of a case.
 * Errors: C2C_EIO, C2C_EVERIFY (an input no longer matches its commitment), C2C_ENOTFOUND (an
 * input with cited records is absent), C2C_EFORMAT, C2C_ENOMEM. */
c2c_err c2c_excerpt_write(const char *case_dir, const char *out_path, struct c2c_diag *diag);

#ifdef __cplusplus
}
#endif
#endif

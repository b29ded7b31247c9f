/*
 * The offline verifier (c2c_verify_case). It trusts nothing in the case but the key it is given:
 * the checkpoint signature is checked before any other byte is parsed; the ledger must hash to
 * the signed root; inputs and reference data must hash to their ledger fingerprints; the record
 * commitments must hash to their ledger roots; and every claim of the last scan is re-checked
 * from the bytes of the records it cites (re-parsed by the ingest stage and compared with what
 * the claim says) and against report.json, which is itself re-derived and compared byte for
 * byte. Each claim gets one verdict; a failure names the first failing step and byte position.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/internal.h"
#include "evidence/internal.h"

enum rederive_state { RD_UNAVAILABLE, RD_MATCH, RD_MISMATCH };

struct commit {
	struct c2c__ref r;
	uint8_t d[32];
	uint64_t blob_off; /* offset of its bytes in an excerpt's records blob */
};

struct vinput {
	json_t *e;      /* ledger entry (borrowed from lines[]) */
	const char *name;
	uint8_t sha[32];
	uint64_t size;
	enum c2c_format fmt;
	bool refdata;
	enum c2c_verdict v;
	const char *step;
	uint64_t where;
	char msg[600];
	char *path; /* file found for it (full mode), or NULL */
	struct commit *c; /* record commitments (sorted) */
	size_t nc;
	bool commits_ok;
	const char *commit_step;
	char commit_msg[600];
	uint8_t *blob; /* excerpt records */
	size_t blob_len;
	struct c2c__ref *deps; /* the input's own dependency records */
	size_t ndeps;
};

struct vline {
	size_t off, len;
	json_t *e;
	bool authentic;
	bool canonical;
};

struct vctx {
	const char *path;
	const struct c2c_verify_opts *o;
	struct c2c_verify_summary *sum;
	struct c2c__case_src src;
	struct c2c_verifier key;
	struct c2c_checkpoint cp;
	uint8_t *ledger;
	size_t ledger_len;
	struct vline *lines;
	size_t n;
	bool ledger_ok;
	int64_t last_scan;
	json_t *inputs_json;
	struct vinput *in;
	size_t nin;
	uint8_t *report;
	size_t report_len;
	json_t *report_doc;
	bool report_digest_ok;
	uint64_t report_parse_where;
	enum rederive_state rd;
	uint64_t rd_where;
	char rd_msg[600];
};

static void
emit(struct vctx *x, const char *kind, const char *id, enum c2c_verdict v, const char *step,
    const char *src, uint64_t where, const char *fmt, ...) __attribute__((format(printf, 8, 9)));

static void
emit(struct vctx *x, const char *kind, const char *id, enum c2c_verdict v, const char *step,
    const char *src, uint64_t where, const char *fmt, ...)
{
	struct c2c_claim_verdict cv;
	char msg[1400];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cv.kind = kind;
	cv.id = id;
	cv.verdict = v;
	cv.step = step;
	cv.src = src;
	cv.where = where;
	cv.msg = msg;
	x->sum->n[v]++;
	if (x->o->verdict != NULL)
		x->o->verdict(x->o->verdict_ctx, &cv);
}

const char *
c2c_verdict_name(enum c2c_verdict v)
{
	switch (v) {
	case C2C_V_RAW:
		return "verified from raw records";
	case C2C_V_REF:
		return "verified with pinned reference data";
	case C2C_V_EXTERNAL:
		return "external assertion";
	case C2C_V_MISSING:
		return "missing data";
	case C2C_V_FAILED:
		return "FAILED";
	}
	return "?";
}

static const char *
jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- signature and ledger ----------------------------------------------------------------- */

static c2c_err
check_signature(struct vctx *x)
{
	uint8_t *note = NULL, *vk = NULL;
	size_t note_len = 0, vk_len = 0, text_len = 0;
	struct c2c_diag d;
	c2c_err rc;

	memset(&d, 0, sizeof(d));
	if (x->o->trust_path != NULL) {
		rc = c2c_verifier_load(x->o->trust_path, &x->key, &d);
		if (rc == C2C_ENOMEM)
			return rc;
		if (rc != C2C_OK) {
			emit(x, "checkpoint", C2C__CHECKPOINT, C2C_V_FAILED, "trust", x->o->trust_path,
			    0, "%s", d.msg[0] ? d.msg : "unusable trust key");
			return C2C_EVERIFY;
		}
	} else {
		x->sum->trusted_own_key = true;
		rc = c2c__src_read(&x->src, C2C__VKEY, &vk, &vk_len, &d);
		if (rc == C2C_OK)
			rc = c2c_verifier_parse((const char *)vk, vk_len, &x->key);
		c2c_free(vk);
		if (rc != C2C_OK) {
			emit(x, "checkpoint", C2C__CHECKPOINT, C2C_V_FAILED, "trust", C2C__VKEY, 0,
			    "no usable public key in the case and none given with --trust");
			return rc == C2C_ENOMEM ? rc : C2C_EVERIFY;
		}
	}
	rc = c2c__src_read(&x->src, C2C__CHECKPOINT, &note, &note_len, &d);
	if (rc == C2C_ENOMEM)
		return rc;
	if (rc != C2C_OK) {
		emit(x, "checkpoint", C2C__CHECKPOINT, C2C_V_FAILED, "signature", C2C__CHECKPOINT, 0,
		    "checkpoint.note is missing: the case is truncated or not a case");
		return C2C_EVERIFY;
	}
	rc = c2c_note_open(note, note_len, &x->key, &text_len, &d);
	if (rc == C2C_OK && c2c_checkpoint_parse((const char *)note, text_len, &x->cp) != C2C_OK) {
		rc = C2C_EFORMAT;
		(void)c2c_diag_set(&d, rc, C2C__CHECKPOINT, 0, "signed text is not a checkpoint");
	}
	c2c_free(note);
	if (rc == C2C_ENOMEM)
		return rc;
	if (rc != C2C_OK) {
		emit(x, "checkpoint", C2C__CHECKPOINT, C2C_V_FAILED, "signature", C2C__CHECKPOINT,
		    d.where, "%s", d.msg[0] ? d.msg : c2c_strerror(rc));
		return C2C_EVERIFY;
	}
	x->sum->signature_ok = true;
	x->sum->ledger_size = x->cp.size;
	emit(x, "checkpoint", x->cp.origin, C2C_V_RAW, NULL, C2C__CHECKPOINT, 0,
	    "signed by %s+%08x%s; %llu ledger entries", x->key.name, (unsigned)x->key.id,
	    x->sum->trusted_own_key ? " (the case's own key: pass --trust to pin it)" : "",
	    (unsigned long long)x->cp.size);
	return C2C_OK;
}

/* Load the tree sidecar; true when it hashes to the signed root (then its leaves are
 * authentic and single altered entries can be named). */
static bool
load_sidecar(struct vctx *x, uint8_t (**out)[32])
{
	uint8_t *t = NULL;
	size_t len = 0;
	uint8_t(*lv)[32] = NULL;
	uint8_t root[32];
	struct c2c_diag d;
	bool ok = false;

	if (c2c__src_read(&x->src, C2C__TREE, &t, &len, &d) != C2C_OK)
		return false;
	if (len != x->cp.size * 65 || x->cp.size == 0)
		goto out;
	lv = c2c_calloc((size_t)x->cp.size, 32);
	if (lv == NULL)
		goto out;
	for (uint64_t i = 0; i < x->cp.size; i++)
		if (t[i * 65 + 64] != '\n' ||
		    c2c_unhex((const char *)t + i * 65, 64, lv[i], 32) != C2C_OK)
			goto out;
	c2c_merkle_root((const uint8_t(*)[32])lv, x->cp.size, root);
	ok = memcmp(root, x->cp.root, 32) == 0;
out:
	c2c_free(t);
	if (ok)
		*out = lv;
	else
		c2c_free(lv);
	return ok;
}

static c2c_err
check_ledger(struct vctx *x)
{
	struct c2c_diag d;
	uint8_t(*leaves)[32] = NULL, (*side)[32] = NULL;
	uint8_t root[32];
	size_t cap = 0;
	c2c_err rc;
	uint64_t first_bad = UINT64_MAX;

	rc = c2c__src_read(&x->src, C2C__LEDGER, &x->ledger, &x->ledger_len, &d);
	if (rc == C2C_ENOMEM)
		return rc;
	if (rc != C2C_OK) {
		emit(x, "ledger", C2C__LEDGER, C2C_V_FAILED, "ledger", C2C__LEDGER, 0,
		    "the ledger is missing: the case is truncated");
		return C2C_OK;
	}
	for (size_t pos = 0; pos < x->ledger_len;) {
		const uint8_t *nl = memchr(x->ledger + pos, '\n', x->ledger_len - pos);
		size_t l = nl != NULL ? (size_t)(nl - (x->ledger + pos)) : x->ledger_len - pos;
		if (x->n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct vline *nv = c2c_reallocarray(x->lines, ncap, sizeof(*nv));
			uint8_t(*nlv)[32] = c2c_reallocarray(leaves, ncap, 32);
			if (nv != NULL)
				x->lines = nv;
			if (nlv != NULL)
				leaves = nlv;
			if (nv == NULL || nlv == NULL) {
				c2c_free(leaves);
				return C2C_ENOMEM;
			}
			cap = ncap;
		}
		memset(&x->lines[x->n], 0, sizeof(x->lines[x->n]));
		x->lines[x->n].off = pos;
		x->lines[x->n].len = l;
		c2c_merkle_leaf(x->ledger + pos, l, leaves[x->n]);
		x->n++;
		pos += l + 1;
	}
	c2c_merkle_root((const uint8_t(*)[32])leaves, x->n, root);
	x->ledger_ok = x->n == x->cp.size && memcmp(root, x->cp.root, 32) == 0;
	if (!x->ledger_ok && load_sidecar(x, &side)) {
		for (size_t i = 0; i < x->n; i++) {
			x->lines[i].authentic = i < x->cp.size && memcmp(leaves[i], side[i], 32) == 0;
			if (!x->lines[i].authentic && first_bad == UINT64_MAX)
				first_bad = x->lines[i].off;
		}
	} else {
		for (size_t i = 0; i < x->n; i++)
			x->lines[i].authentic = x->ledger_ok;
	}
	/* Parse what is authentic; each entry must be canonical JSON on its own. */
	for (size_t i = 0; i < x->n; i++) {
		struct vline *ln = &x->lines[i];
		struct c2c_buf cb;
		c2c_err prc;
		c2c_buf_init(&cb, C2C__FILE_CAP);
		prc = c2c_json_parse((const char *)x->ledger + ln->off, ln->len, C2C__LEDGER, &ln->e,
		    &d);
		if (prc == C2C_OK)
			prc = c2c_json_canon(ln->e, &cb);
		if (prc == C2C_OK && cb.len == ln->len &&
		    memcmp(cb.data, x->ledger + ln->off, ln->len) == 0)
			ln->canonical = true;
		c2c_buf_fini(&cb);
		if (prc == C2C_ENOMEM) {
			c2c_free(leaves);
			c2c_free(side);
			return prc;
		}
		if (ln->e != NULL && !json_is_object(ln->e)) {
			json_decref(ln->e);
			ln->e = NULL;
		}
		if (ln->e != NULL && json_is_integer(json_object_get(ln->e, "scan")) &&
		    ln->authentic && json_integer_value(json_object_get(ln->e, "scan")) > x->last_scan)
			x->last_scan = json_integer_value(json_object_get(ln->e, "scan"));
		if (!ln->canonical && ln->authentic) {
			ln->authentic = false; /* cannot happen for a ledger we wrote; refuse it */
			if (first_bad == UINT64_MAX)
				first_bad = ln->off;
		}
	}
	if (x->ledger_ok && first_bad == UINT64_MAX)
		emit(x, "ledger", C2C__LEDGER, C2C_V_RAW, NULL, C2C__LEDGER, 0,
		    "%zu entries hash to the signed root", x->n);
	else if (x->n != x->cp.size && first_bad == UINT64_MAX)
		emit(x, "ledger", C2C__LEDGER, C2C_V_FAILED, "ledger", C2C__LEDGER,
		    x->n < x->cp.size ? x->ledger_len : x->lines[x->cp.size].off,
		    "the ledger has %zu entries, the signed checkpoint %llu: %s", x->n,
		    (unsigned long long)x->cp.size,
		    x->n < x->cp.size ? "the ledger is truncated" : "entries were added unsigned");
	else
		emit(x, "ledger", C2C__LEDGER, C2C_V_FAILED, "ledger", C2C__LEDGER,
		    first_bad == UINT64_MAX ? 0 : first_bad,
		    "the ledger does not hash to the signed root%s",
		    first_bad == UINT64_MAX ? "" : " (first altered entry at this offset)");
	c2c_free(leaves);
	c2c_free(side);
	return C2C_OK;
}

static c2c_err
parse_b64_hashes(const char *p, const char *end, uint8_t (*out)[32], size_t *n)
{
	size_t k = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t olen = 0;
		if (nl == NULL || nl == p)
			break;
		if (k >= C2C_MERKLE_MAX_PROOF || nl - p != 44 ||
		    c2c_unbase64(p, 44, out[k], 32, &olen) != C2C_OK || olen != 32)
			return C2C_EFORMAT;
		k++;
		p = nl + 1;
	}
	*n = k;
	return C2C_OK;
}

/* Earlier checkpoints: each signed by the trusted key, each a prefix of this ledger, and each
 * consistency proof file valid between the checkpoints it names. */
static c2c_err
check_history(struct vctx *x)
{
	char **names = NULL;
	size_t nn = 0;
	c2c_err rc = c2c__src_list(&x->src, C2C__CPDIR, &names, &nn);
	if (rc != C2C_OK)
		return rc;
	for (size_t i = 0; i < nn; i++) {
		char rel[512], id[64];
		uint8_t *note = NULL;
		size_t len = 0, tl = 0;
		struct c2c_checkpoint old;
		struct c2c_diag d;
		memset(&d, 0, sizeof(d));
		(void)snprintf(rel, sizeof(rel), "%s/%s", C2C__CPDIR, names[i]);
		(void)snprintf(id, sizeof(id), "%s", names[i]);
		rc = c2c__src_read(&x->src, rel, &note, &len, &d);
		if (rc == C2C_ENOMEM)
			break;
		rc = C2C_OK;
		if (note == NULL)
			continue;
		if (c2c_note_open(note, len, &x->key, &tl, &d) != C2C_OK ||
		    c2c_checkpoint_parse((const char *)note, tl, &old) != C2C_OK) {
			emit(x, "checkpoint", id, C2C_V_FAILED, "signature", rel, d.where, "%s",
			    d.msg[0] ? d.msg : "not a checkpoint signed by the trusted key");
		} else if (old.size > x->cp.size || strcmp(old.origin, x->cp.origin) != 0) {
			emit(x, "checkpoint", id, C2C_V_FAILED, "consistency", rel, 0,
			    "checkpoint of size %llu (origin %s) cannot precede the current one",
			    (unsigned long long)old.size, old.origin);
		} else if (x->ledger_ok) {
			uint8_t(*lv)[32] = c2c_calloc(old.size ? (size_t)old.size : 1, 32);
			uint8_t root[32];
			if (lv == NULL) {
				c2c_free(note);
				rc = C2C_ENOMEM;
				break;
			}
			for (uint64_t k = 0; k < old.size; k++)
				c2c_merkle_leaf(x->ledger + x->lines[k].off, x->lines[k].len, lv[k]);
			c2c_merkle_root((const uint8_t(*)[32])lv, old.size, root);
			c2c_free(lv);
			if (memcmp(root, old.root, 32) != 0)
				emit(x, "checkpoint", id, C2C_V_FAILED, "consistency", rel, 0,
				    "the first %llu ledger entries do not hash to this earlier "
				    "signed root: the ledger was rewritten, not appended",
				    (unsigned long long)old.size);
			else
				emit(x, "checkpoint", id, C2C_V_RAW, NULL, rel, 0,
				    "earlier checkpoint (%llu entries) is a prefix of the ledger",
				    (unsigned long long)old.size);
		}
		c2c_free(note);
	}
	for (size_t i = 0; i < nn; i++)
		c2c_free(names[i]);
	c2c_free(names);
	if (rc != C2C_OK)
		return rc;
	/* Consistency proof files between successive checkpoints. */
	rc = c2c__src_list(&x->src, C2C__CONSDIR, &names, &nn);
	if (rc != C2C_OK)
		return rc;
	for (size_t i = 0; i < nn; i++) {
		char rel[512], r1[512], r2[512];
		unsigned long long a = 0, b = 0;
		uint8_t *t = NULL, *n1 = NULL, *n2 = NULL;
		size_t tl = 0, l1 = 0, l2 = 0, t1 = 0, t2 = 0, pn = 0;
		uint8_t proof[C2C_MERKLE_MAX_PROOF][32];
		struct c2c_checkpoint c1, c2;
		struct c2c_diag d;
		const char *hdr = "c2chain.org/consistency-proof@v1\n";
		char expect[128];
		bool ok = false;

		if (sscanf(names[i], "%llu-%llu.proof", &a, &b) != 2)
			continue;
		(void)snprintf(rel, sizeof(rel), "%s/%s", C2C__CONSDIR, names[i]);
		(void)snprintf(r1, sizeof(r1), "%s/%llu.note", C2C__CPDIR, a);
		(void)snprintf(r2, sizeof(r2), "%s/%llu.note", C2C__CPDIR, b);
		(void)snprintf(expect, sizeof(expect), "%sold %llu\nnew %llu\n", hdr, a, b);
		if (c2c__src_read(&x->src, rel, &t, &tl, &d) == C2C_OK &&
		    c2c__src_read(&x->src, r1, &n1, &l1, &d) == C2C_OK &&
		    c2c__src_read(&x->src, r2, &n2, &l2, &d) == C2C_OK &&
		    c2c_note_open(n1, l1, &x->key, &t1, &d) == C2C_OK &&
		    c2c_note_open(n2, l2, &x->key, &t2, &d) == C2C_OK &&
		    c2c_checkpoint_parse((const char *)n1, t1, &c1) == C2C_OK &&
		    c2c_checkpoint_parse((const char *)n2, t2, &c2) == C2C_OK && c1.size == a &&
		    c2.size == b && tl >= strlen(expect) && memcmp(t, expect, strlen(expect)) == 0 &&
		    parse_b64_hashes((const char *)t + strlen(expect), (const char *)t + tl, proof,
			&pn) == C2C_OK &&
		    c2c_merkle_verify_consistency(a, b, (const uint8_t(*)[32])proof, pn, c1.root,
			c2.root) == C2C_OK)
			ok = true;
		if (ok)
			emit(x, "checkpoint", names[i], C2C_V_RAW, NULL, rel, 0,
			    "consistency proof %llu -> %llu holds: the later ledger only appended", a,
			    b);
		else
			emit(x, "checkpoint", names[i], C2C_V_FAILED, "consistency", rel, 0,
			    "consistency proof %llu -> %llu does not verify", a, b);
		c2c_free(t);
		c2c_free(n1);
		c2c_free(n2);
	}
	for (size_t i = 0; i < nn; i++)
		c2c_free(names[i]);
	c2c_free(names);
	return C2C_OK;
}

/* ---- inputs, refdata, record commitments -------------------------------------------------- */

static bool
is_last_scan(const struct vctx *x, const json_t *e)
{
	const json_t *s = json_object_get(e, "scan");
	return json_is_integer(s) && json_integer_value(s) == x->last_scan;
}

static const char *
recorded_path(const struct vctx *x, const char *hex, const char *list)
{
	const json_t *arr = json_object_get(x->inputs_json, list), *v;
	size_t i;
	json_array_foreach(arr, i, v) {
		const char *s = jstr(v, "sha256");
		if (s != NULL && strcmp(s, hex) == 0)
			return jstr(v, "path");
	}
	return NULL;
}

static c2c_err
locate(struct vctx *x, struct vinput *in, const char *hex)
{
	struct c2c_buf b;
	struct stat st;
	const char *rp;
	c2c_err rc = C2C_OK;
	uint64_t failures = c2c__alloc_failures();

	c2c_buf_init(&b, 1 << 16);
	if (x->o->inputs_dir != NULL && strchr(in->name, '/') == NULL) {
		rc = c2c__path(&b, x->o->inputs_dir, in->name);
		if (rc == C2C_OK && stat((const char *)b.data, &st) == 0 && S_ISREG(st.st_mode))
			in->path = c2c_strdup((const char *)b.data);
		else if (rc == C2C_OK)
			in->path = NULL;
	}
	rp = recorded_path(x, hex, in->refdata ? "refdata" : "inputs");
	if (rc == C2C_OK && in->path == NULL && rp != NULL && stat(rp, &st) == 0 &&
	    S_ISREG(st.st_mode))
		in->path = c2c_strdup(rp);
	c2c_buf_fini(&b);
	if (rc == C2C_OK && in->path == NULL && c2c__alloc_failures() != failures)
		rc = C2C_ENOMEM;
	return rc;
}

static c2c_err
load_commitments(struct vctx *x, struct vinput *in, const json_t *entry, const char *hex)
{
	char rel[256];
	uint8_t *t = NULL;
	size_t len = 0, cap = 0;
	uint8_t(*lv)[32] = NULL;
	uint8_t root[32], want[32];
	uint64_t blob = 0;
	struct c2c_diag d;
	const char *rs = jstr(entry, "root");
	const json_t *cnt = json_object_get(entry, "count");
	c2c_err rc;

	(void)snprintf(rel, sizeof(rel), "%s/%s.txt", C2C__RECSDIR, hex);
	in->commit_step = "record-commitments";
	rc = c2c__src_read(&x->src, rel, &t, &len, &d);
	if (rc == C2C_ENOMEM)
		return rc;
	if (rc != C2C_OK) {
		(void)snprintf(in->commit_msg, sizeof(in->commit_msg), "%s is missing", rel);
		return C2C_OK;
	}
	for (size_t pos = 0; pos < len;) {
		const uint8_t *nl = memchr(t + pos, '\n', len - pos);
		size_t l = nl != NULL ? (size_t)(nl - (t + pos)) : len - pos;
		char line[C2C_EVREF_STRLEN + 80];
		char *sp;
		if (in->nc == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct commit *nc = c2c_reallocarray(in->c, ncap, sizeof(*nc));
			uint8_t(*nlv)[32] = c2c_reallocarray(lv, ncap, 32);
			if (nc != NULL)
				in->c = nc;
			if (nlv != NULL)
				lv = nlv;
			if (nc == NULL || nlv == NULL) {
				rc = C2C_ENOMEM;
				goto out;
			}
			cap = ncap;
		}
		if (l >= sizeof(line))
			goto bad;
		memcpy(line, t + pos, l);
		line[l] = '\0';
		sp = strchr(line, ' ');
		if (sp == NULL)
			goto bad;
		*sp = '\0';
		if (c2c__ref_parse(line, &in->c[in->nc].r) != C2C_OK ||
		    memcmp(in->c[in->nc].r.sha, in->sha, 32) != 0 ||
		    c2c_unhex(sp + 1, strlen(sp + 1), in->c[in->nc].d, 32) != C2C_OK)
			goto bad;
		if (in->nc > 0 && c2c__ref_cmp(&in->c[in->nc - 1].r, &in->c[in->nc].r) >= 0)
			goto bad;
		in->c[in->nc].blob_off = blob;
		blob += in->c[in->nc].r.len;
		c2c_merkle_leaf(t + pos, l, lv[in->nc]);
		in->nc++;
		pos += l + 1;
	}
	c2c_merkle_root((const uint8_t(*)[32])lv, in->nc, root);
	if (rs == NULL || c2c_unhex(rs, strlen(rs), want, 32) != C2C_OK ||
	    memcmp(root, want, 32) != 0 || !json_is_integer(cnt) ||
	    (uint64_t)json_integer_value(cnt) != in->nc) {
		(void)snprintf(in->commit_msg, sizeof(in->commit_msg),
		    "%s does not hash to the root committed in the ledger", rel);
		goto out;
	}
	in->commits_ok = true;
	if (x->src.dir == NULL) {
		(void)snprintf(rel, sizeof(rel), "%s/%s.bin", C2C__EXREC, hex);
		rc = c2c__src_read(&x->src, rel, &in->blob, &in->blob_len, &d);
		if (rc == C2C_ENOTFOUND)
			rc = C2C_OK;
	}
	goto out;
bad:
	(void)snprintf(in->commit_msg, sizeof(in->commit_msg), "%s: malformed line %zu", rel,
	    in->nc + 1);
out:
	c2c_free(lv);
	c2c_free(t);
	return rc;
}

static const struct commit *
find_commit(const struct vinput *in, const struct c2c__ref *r)
{
	size_t lo = 0, hi = in->nc;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = c2c__ref_cmp(&in->c[mid].r, r);
		if (c == 0)
			return &in->c[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct first_bad {
	const struct vinput *in;
	uint64_t where;
	bool found;
};

static c2c_err
find_bad_record(void *ctx, size_t i, const uint8_t *p, size_t len)
{
	struct first_bad *fb = ctx;
	uint8_t d[32];
	c2c_sha256(p, len, d);
	if (!fb->found && memcmp(d, fb->in->c[i].d, 32) != 0) {
		fb->found = true;
		fb->where = fb->in->c[i].r.off;
	}
	return C2C_OK;
}

static c2c_err
check_file_digest(struct vctx *x, struct vinput *in, const char *hex)
{
	uint8_t sha[32];
	uint64_t size = 0;
	struct c2c_diag d;
	const char *kind = in->refdata ? "refdata" : "input";

	memset(&d, 0, sizeof(d));
	if (x->src.dir == NULL) {
		in->v = C2C_V_MISSING;
		in->step = "digest";
		(void)snprintf(in->msg, sizeof(in->msg),
		    "%s %s is not part of an excerpt package", kind, in->name);
		return C2C_OK;
	}
	if (locate(x, in, hex) != C2C_OK)
		return C2C_ENOMEM;
	if (in->path == NULL) {
		in->v = C2C_V_MISSING;
		in->step = "digest";
		(void)snprintf(in->msg, sizeof(in->msg),
		    "%s %s not found (give its folder with --inputs)", kind, in->name);
		return C2C_OK;
	}
	switch (c2c_sha256_file(in->path, sha, &size, &d)) {
	case C2C_OK:
		break;
	case C2C_ENOMEM:
		return C2C_ENOMEM;
	default:
		in->v = C2C_V_FAILED;
		in->step = "digest";
		(void)snprintf(in->msg, sizeof(in->msg), "cannot read %s: %s", in->path, d.msg);
		return C2C_OK;
	}
	if (memcmp(sha, in->sha, 32) != 0 || size != in->size) {
		struct first_bad fb = { in, 0, false };
		struct c2c__ref *refs;
		in->v = C2C_V_FAILED;
		in->step = "digest";
		/* Name the first committed record that changed, when one did. */
		if (in->commits_ok && in->nc > 0 &&
		    (refs = c2c_calloc(in->nc, sizeof(*refs))) != NULL) {
			for (size_t i = 0; i < in->nc; i++)
				refs[i] = in->c[i].r;
			(void)c2c__read_records(in->path, refs, in->nc, find_bad_record, &fb, &d);
			c2c_free(refs);
		}
		in->where = fb.found ? fb.where : 0;
		(void)snprintf(in->msg, sizeof(in->msg),
		    "%s differs from its fingerprint (sha256 %.16s..., %llu bytes; recorded %llu)%s",
		    in->path, c2c_hex(sha, 32, (char[65]){ 0 }), (unsigned long long)size,
		    (unsigned long long)in->size,
		    fb.found ? ": first altered cited record at this offset" : "");
		return C2C_OK;
	}
	in->v = in->refdata ? C2C_V_REF : C2C_V_RAW;
	(void)snprintf(in->msg, sizeof(in->msg), "%s: sha256 and size match the fingerprint",
	    in->path);
	return C2C_OK;
}

static c2c_err
load_inputs(struct vctx *x)
{
	size_t cap = 0;
	uint8_t *ij = NULL;
	size_t ijl = 0;
	struct c2c_diag d;
	c2c_err rc;

	rc = c2c__src_read(&x->src, C2C__INPUTS, &ij, &ijl, &d);
	if (rc == C2C_OK)
		rc = c2c_json_parse((const char *)ij, ijl, C2C__INPUTS, &x->inputs_json, &d);
	c2c_free(ij);
	if (rc == C2C_ENOMEM)
		return rc;
	for (size_t i = 0; i < x->n; i++) {
		const json_t *e = x->lines[i].e;
		const char *k = jstr(e, "kind"), *hex = jstr(e, "sha256");
		struct vinput *in;
		const json_t *deps, *v;
		size_t j;
		if (e == NULL || !x->lines[i].authentic || k == NULL || !is_last_scan(x, e) ||
		    (strcmp(k, "input") != 0 && strcmp(k, "refdata") != 0) || hex == NULL)
			continue;
		if (x->nin == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct vinput *ni = c2c_reallocarray(x->in, ncap, sizeof(*ni));
			if (ni == NULL)
				return C2C_ENOMEM;
			x->in = ni;
			cap = ncap;
		}
		in = &x->in[x->nin];
		memset(in, 0, sizeof(*in));
		in->e = x->lines[i].e;
		in->refdata = strcmp(k, "refdata") == 0;
		in->name = jstr(e, "name") != NULL ? jstr(e, "name") : hex;
		in->size = json_is_integer(json_object_get(e, "size"))
		    ? (uint64_t)json_integer_value(json_object_get(e, "size")) : 0;
		in->fmt = jstr(e, "format") != NULL ? c2c__format_parse(jstr(e, "format"))
						    : C2C_FMT_UNKNOWN;
		if (c2c_unhex(hex, strlen(hex), in->sha, 32) != C2C_OK)
			continue;
		x->nin++;
		deps = json_object_get(e, "deps");
		in->deps = c2c_calloc(json_array_size(deps) + 1, sizeof(*in->deps));
		if (in->deps == NULL)
			return C2C_ENOMEM;
		json_array_foreach(deps, j, v) {
			if (json_is_string(v) &&
			    c2c__ref_parse(json_string_value(v), &in->deps[in->ndeps]) == C2C_OK)
				in->ndeps++;
		}
	}
	/* Record commitments (needed to name the first altered record of an input). */
	for (size_t i = 0; i < x->n; i++) {
		const json_t *e = x->lines[i].e;
		const char *k = jstr(e, "kind"), *hex = jstr(e, "input");
		uint8_t sha[32];
		if (e == NULL || !x->lines[i].authentic || k == NULL || strcmp(k, "records") != 0 ||
		    !is_last_scan(x, e) || hex == NULL ||
		    c2c_unhex(hex, strlen(hex), sha, 32) != C2C_OK)
			continue;
		for (size_t j = 0; j < x->nin; j++)
			if (!x->in[j].refdata && memcmp(x->in[j].sha, sha, 32) == 0) {
				rc = load_commitments(x, &x->in[j], e, hex);
				if (rc != C2C_OK)
					return rc;
			}
	}
	for (size_t j = 0; j < x->nin; j++) {
		char hex[65];
		struct vinput *in = &x->in[j];
		(void)c2c_hex(in->sha, 32, hex);
		rc = check_file_digest(x, in, hex);
		if (rc != C2C_OK)
			return rc;
		emit(x, in->refdata ? "refdata" : "input", in->name, in->v, in->step,
		    in->v == C2C_V_FAILED ? in->name : NULL, in->where, "%s", in->msg);
	}
	return C2C_OK;
}

/* ---- report.json and its re-derivation ---------------------------------------------------- */

static c2c_err
load_report(struct vctx *x)
{
	const json_t *rep = NULL;
	struct c2c_diag d;
	uint8_t sha[32], want[32];
	json_error_t je;
	c2c_err rc;

	for (size_t i = 0; i < x->n; i++) {
		const char *k = jstr(x->lines[i].e, "kind");
		if (k != NULL && strcmp(k, "report") == 0 && x->lines[i].authentic &&
		    is_last_scan(x, x->lines[i].e))
			rep = x->lines[i].e;
	}
	rc = c2c__src_read(&x->src, C2C__REPORT, &x->report, &x->report_len, &d);
	if (rc == C2C_ENOMEM)
		return rc;
	if (rc != C2C_OK)
		return C2C_OK;
	c2c_sha256(x->report, x->report_len, sha);
	x->report_digest_ok = rep != NULL && jstr(rep, "sha256") != NULL &&
	    c2c_unhex(jstr(rep, "sha256"), 64, want, 32) == C2C_OK && memcmp(sha, want, 32) == 0;
	{
		uint64_t failures = c2c__alloc_failures();
		x->report_doc = json_loadb((const char *)x->report, x->report_len,
		    JSON_REJECT_DUPLICATES, &je);
		if (c2c__alloc_failures() != failures)
			return C2C_ENOMEM; /* report_doc (if any) is freed by the caller */
	}
	if (x->report_doc == NULL)
		x->report_parse_where = (uint64_t)(je.position > 0 ? je.position : 0);
	return C2C_OK;
}

static size_t
strip_nl(const uint8_t *p, size_t len)
{
	return len > 0 && p[len - 1] == '\n' ? len - 1 : len;
}

static c2c_err
rederive(struct vctx *x)
{
	struct c2c_buf out;
	struct c2c_diag d;
	c2c_err rc;
	size_t a, b, i;

	if (x->o->rederive == NULL) {
		(void)snprintf(x->rd_msg, sizeof(x->rd_msg), "re-derivation not available here");
		return C2C_OK;
	}
	if (x->src.dir == NULL) {
		(void)snprintf(x->rd_msg, sizeof(x->rd_msg),
		    "an excerpt package cannot re-run the analysis over the full inputs");
		return C2C_OK;
	}
	for (size_t j = 0; j < x->nin; j++) {
		if (x->in[j].v == C2C_V_MISSING) {
			(void)snprintf(x->rd_msg, sizeof(x->rd_msg), "%s %s is not available",
			    x->in[j].refdata ? "refdata" : "input", x->in[j].name);
			return C2C_OK;
		}
		if (x->in[j].v == C2C_V_FAILED) {
			x->rd = RD_MISMATCH;
			(void)snprintf(x->rd_msg, sizeof(x->rd_msg),
			    "%s %s does not match its fingerprint", x->in[j].refdata ? "refdata"
			    : "input", x->in[j].name);
			return C2C_OK;
		}
	}
	memset(&d, 0, sizeof(d));
	c2c_buf_init(&out, C2C__FILE_CAP);
	rc = x->o->rederive(x->o->rederive_ctx, x->path, x->o->inputs_dir, &out, &d);
	if (rc == C2C_ENOMEM) {
		c2c_buf_fini(&out);
		return rc;
	}
	if (rc != C2C_OK) {
		x->rd = rc == C2C_ENOTFOUND || rc == C2C_EUNSUPPORTED ? RD_UNAVAILABLE : RD_MISMATCH;
		(void)snprintf(x->rd_msg, sizeof(x->rd_msg), "re-derivation: %s",
		    d.msg[0] ? d.msg : c2c_strerror(rc));
		c2c_buf_fini(&out);
		return C2C_OK;
	}
	a = strip_nl(out.data, out.len);
	b = x->report != NULL ? strip_nl(x->report, x->report_len) : 0;
	for (i = 0; i < a && i < b && out.data[i] == x->report[i]; i++)
		;
	if (x->report != NULL && a == b && i == a) {
		x->rd = RD_MATCH;
		(void)snprintf(x->rd_msg, sizeof(x->rd_msg),
		    "re-derived report.json is byte-identical (%zu bytes)", a);
	} else {
		x->rd = RD_MISMATCH;
		x->rd_where = i;
		(void)snprintf(x->rd_msg, sizeof(x->rd_msg),
		    "re-derived report.json differs from the case's at byte %zu", i);
	}
	c2c_buf_fini(&out);
	return C2C_OK;
}

/* ---- claims -------------------------------------------------------------------------------- */

/* The outcome of checking one claim: the first failure, or the weakest "missing". */
struct outcome {
	bool failed, missing;
	const char *step;
	const char *src;
	uint64_t where;
	char msg[1200];
	char note[200]; /* what the records could not show, for a claim that holds */
};

static void
fail(struct outcome *oc, const char *step, const char *src, uint64_t where, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
fail(struct outcome *oc, const char *step, const char *src, uint64_t where, const char *fmt, ...)
{
	va_list ap;
	if (oc->failed)
		return;
	oc->failed = true;
	oc->step = step;
	oc->src = src;
	oc->where = where;
	va_start(ap, fmt);
	(void)vsnprintf(oc->msg, sizeof(oc->msg), fmt, ap);
	va_end(ap);
}

static void
missing(struct outcome *oc, const char *step, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
missing(struct outcome *oc, const char *step, const char *fmt, ...)
{
	va_list ap;
	if (oc->failed || oc->missing)
		return;
	oc->missing = true;
	oc->step = step;
	va_start(ap, fmt);
	(void)vsnprintf(oc->msg, sizeof(oc->msg), fmt, ap);
	va_end(ap);
}

static struct vinput *
find_input(struct vctx *x, const uint8_t sha[32], bool refdata)
{
	for (size_t i = 0; i < x->nin; i++)
		if (x->in[i].refdata == refdata && memcmp(x->in[i].sha, sha, 32) == 0)
			return &x->in[i];
	return NULL;
}

/* Bytes of committed records of one input for one claim. */
struct fetched {
	struct c2c__ref r;
	const struct commit *c;
	uint8_t *p; /* owned copy */
	bool dep;
};

struct fetch_ctx {
	struct fetched *f;
};

static c2c_err
keep_bytes(void *ctx, size_t i, const uint8_t *p, size_t len)
{
	struct fetch_ctx *fc = ctx;
	fc->f[i].p = c2c_malloc(len ? len : 1);
	if (fc->f[i].p == NULL)
		return C2C_ENOMEM;
	memcpy(fc->f[i].p, p, len);
	return C2C_OK;
}

static int
cmp_fetched(const void *a, const void *b)
{
	const struct fetched *x = a, *y = b;
	return c2c__ref_cmp(&x->r, &y->r);
}

/* Check the records of one input cited by a claim: commitments, bytes, re-parse, facts. */
static c2c_err
check_input_records(struct vctx *x, struct vinput *in, struct fetched *f, size_t n,
    struct c2c__chk *chk, struct outcome *oc)
{
	struct fetch_ctx fc = { f };
	struct c2c__ref *refs = NULL;
	struct c2c_diag d;
	size_t *dep_ix = NULL, n_dep = 0;
	c2c_err rc = C2C_OK;

	memset(&d, 0, sizeof(d));
	if (in->v == C2C_V_FAILED) {
		fail(oc, "input-digest", in->name, in->where,
		    "cites input %s, which differs from its fingerprint", in->name);
		return C2C_OK;
	}
	if (!in->commits_ok) {
		fail(oc, in->commit_step ? in->commit_step : "record-commitments", in->name, 0, "%s",
		    in->commit_msg[0] ? in->commit_msg : "no record commitments for this input");
		return C2C_OK;
	}
	for (size_t i = 0; i < n; i++) {
		f[i].c = find_commit(in, &f[i].r);
		if (f[i].c == NULL) {
			fail(oc, "record-commitment", in->name, f[i].r.off,
			    "record %llu+%u was not committed at scan time",
			    (unsigned long long)f[i].r.off, f[i].r.len);
			return C2C_OK;
		}
	}
	if (in->path != NULL && in->v != C2C_V_MISSING) {
		refs = c2c_calloc(n ? n : 1, sizeof(*refs));
		if (refs == NULL)
			return C2C_ENOMEM;
		for (size_t i = 0; i < n; i++)
			refs[i] = f[i].r;
		rc = c2c__read_records(in->path, refs, n, keep_bytes, &fc, &d);
		c2c_free(refs);
		if (rc == C2C_ENOMEM)
			return rc;
		if (rc != C2C_OK) {
			fail(oc, "record-read", in->name, d.where, "%s", d.msg);
			return C2C_OK;
		}
	} else if (in->blob != NULL) {
		for (size_t i = 0; i < n; i++) {
			if (f[i].c->blob_off + f[i].r.len > in->blob_len) {
				fail(oc, "record-read", in->name, f[i].r.off,
				    "the excerpt lacks the bytes of record %llu+%u",
				    (unsigned long long)f[i].r.off, f[i].r.len);
				return C2C_OK;
			}
			rc = keep_bytes(&fc, i, in->blob + f[i].c->blob_off, f[i].r.len);
			if (rc != C2C_OK)
				return rc;
		}
	} else {
		missing(oc, "record-read", "input %s is not available to re-read the cited records",
		    in->name);
		return C2C_OK;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t dg[32];
		c2c_sha256(f[i].p, f[i].r.len, dg);
		if (memcmp(dg, f[i].c->d, 32) != 0) {
			fail(oc, "record-digest", in->name, f[i].r.off,
			    "record %llu+%u does not hash to its commitment",
			    (unsigned long long)f[i].r.off, f[i].r.len);
			return C2C_OK;
		}
	}
	/* The dependency records, once (a claim may cite many thousand records and a handful of
	 * dependencies). */
	for (size_t i = 0; i < n; i++)
		if (f[i].dep)
			n_dep++;
	dep_ix = c2c_calloc(n_dep ? n_dep : 1, sizeof(*dep_ix));
	if (dep_ix == NULL)
		return C2C_ENOMEM;
	n_dep = 0;
	for (size_t i = 0; i < n; i++)
		if (f[i].dep)
			dep_ix[n_dep++] = i;
	/* Re-parse each cited record after its dependency records, and compare. */
	for (size_t i = 0; i < n; i++) {
		struct c2c_recbytes deps[64], rec;
		size_t nd = 0;
		struct c2c_sink sink;
		const char *why = NULL;
		char msg[400];
		if (f[i].dep)
			continue;
		for (size_t jj = 0; jj < n_dep && nd < C2C_ARRAY_LEN(deps); jj++) {
			size_t j = dep_ix[jj];
			if (f[j].r.off + f[j].r.len > f[i].r.off)
				continue;
			if (nd > 0 && f[j].r.off < deps[nd - 1].off + deps[nd - 1].len)
				continue; /* overlapping dependency: keep the first */
			deps[nd].off = f[j].r.off;
			deps[nd].p = f[j].p;
			deps[nd].len = f[j].r.len;
			nd++;
		}
		rec.off = f[i].r.off;
		rec.p = f[i].p;
		rec.len = f[i].r.len;
		memset(&d, 0, sizeof(d));
		c2c__chk_sink(chk, &sink);
		c2c__chk_rec_begin(chk, (uint32_t)(in - x->in), f[i].r.off, f[i].r.rec);
		if (x->o->reparse != NULL)
			rc = x->o->reparse(x->o->reparse_ctx, in->fmt, deps, nd, &rec, f[i].r.rec,
			    &sink, &d);
		else
			rc = c2c_ingest_record(in->fmt, deps, nd, &rec, f[i].r.rec, &sink, &d);
		if (rc == C2C_ENOMEM)
			break;
		if (rc != C2C_OK) {
			rc = C2C_OK;
			fail(oc, "record-parse", in->name, f[i].r.off, "record %llu+%u: %s",
			    (unsigned long long)f[i].r.off, f[i].r.len,
			    d.msg[0] ? d.msg : c2c_strerror(rc));
			break;
		}
		rc = c2c__chk_rec_end(chk, &why, msg, sizeof(msg));
		if (rc != C2C_OK)
			break;
		if (why != NULL) {
			fail(oc, why, in->name, f[i].r.off, "record %llu+%u %s%s%s",
			    (unsigned long long)f[i].r.off, f[i].r.len, msg,
			    strcmp(why, "record-parse") == 0 ? " as " : "",
			    strcmp(why, "record-parse") == 0 ? c2c_format_name(in->fmt) : "");
			break;
		}
	}
	c2c_free(dep_ix);
	return rc;
}


/* Gather the claim's references: refs, samples, deps, or the full list behind merkle_root. */
static c2c_err
claim_refs(struct vctx *x, const json_t *ev, struct fetched **out, size_t *n, struct outcome *oc)
{
	static const char *const lists[] = { "refs", "samples", "deps" };
	struct fetched *f = NULL;
	size_t cnt = 0, cap = 0;
	uint8_t *full = NULL;
	size_t full_len = 0;
	const char *mr = jstr(ev, "merkle_root");

	if (mr != NULL) {
		char rel[256];
		uint8_t want[32], root[32];
		uint8_t(*lv)[32] = NULL;
		size_t k = 0;
		struct c2c_diag d;
		const json_t *count = json_object_get(ev, "count");
		(void)snprintf(rel, sizeof(rel), "%s/%.64s.txt", C2C__REFSDIR, mr);
		if (c2c_unhex(mr, strlen(mr), want, 32) != C2C_OK) {
			fail(oc, "reference-list", NULL, 0, "merkle_root is not a SHA-256 hex digest");
			return C2C_OK;
		}
		switch (c2c__src_read(&x->src, rel, &full, &full_len, &d)) {
		case C2C_OK:
			break;
		case C2C_ENOMEM:
			return C2C_ENOMEM;
		default:
			missing(oc, "reference-list", "%s is not available", rel);
			return C2C_OK;
		}
		for (size_t i = 0; i < full_len; i++)
			k += full[i] == '\n';
		lv = c2c_calloc(k ? k : 1, 32);
		if (lv == NULL) {
			c2c_free(full);
			return C2C_ENOMEM;
		}
		k = 0;
		for (size_t pos = 0; pos < full_len;) {
			uint8_t *nl = memchr(full + pos, '\n', full_len - pos);
			if (nl == NULL)
				break;
			c2c_merkle_leaf(full + pos, (size_t)(nl - (full + pos)), lv[k++]);
			pos = (size_t)(nl - full) + 1;
		}
		c2c_merkle_root((const uint8_t(*)[32])lv, k, root);
		c2c_free(lv);
		if (memcmp(root, want, 32) != 0 ||
		    (count != NULL && (!json_is_integer(count) ||
					  (uint64_t)json_integer_value(count) != k))) {
			c2c_free(full);
			fail(oc, "reference-list", rel, 0,
			    "the reference list does not hash to the claim's merkle_root (or count)");
			return C2C_OK;
		}
	}
	for (int pass = 0; pass < 4; pass++) {
		const json_t *arr = pass < 3 ? json_object_get(ev, lists[pass]) : NULL;
		size_t i = 0, m = pass < 3 ? json_array_size(arr) : 0;
		size_t pos = 0;
		if (pass == 3 && full == NULL)
			break;
		for (;;) {
			const char *s;
			char line[C2C_EVREF_STRLEN + 8];
			if (pass < 3) {
				const json_t *v;
				if (i >= m)
					break;
				v = json_array_get(arr, i++);
				if (!json_is_string(v)) {
					fail(oc, "reference", NULL, 0, "a reference is not a string");
					goto out;
				}
				s = json_string_value(v);
			} else {
				uint8_t *nl;
				if (pos >= full_len)
					break;
				nl = memchr(full + pos, '\n', full_len - pos);
				if (nl == NULL || (size_t)(nl - (full + pos)) >= sizeof(line))
					break;
				memcpy(line, full + pos, (size_t)(nl - (full + pos)));
				line[nl - (full + pos)] = '\0';
				pos = (size_t)(nl - full) + 1;
				s = line;
			}
			if (cnt == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				struct fetched *nf = c2c_reallocarray(f, ncap, sizeof(*nf));
				if (nf == NULL) {
					c2c_free(f);
					c2c_free(full);
					return C2C_ENOMEM;
				}
				f = nf;
				cap = ncap;
			}
			memset(&f[cnt], 0, sizeof(f[cnt]));
			if (c2c__ref_parse(s, &f[cnt].r) != C2C_OK) {
				fail(oc, "reference", NULL, 0, "not an evidence reference: %.120s", s);
				goto out;
			}
			f[cnt].dep = pass == 2;
			cnt++;
		}
	}
out:
	c2c_free(full);
	*out = f;
	*n = cnt;
	return C2C_OK;
}

static c2c_err
check_records(struct vctx *x, const json_t *claim, struct outcome *oc)
{
	const json_t *ev = json_object_get(claim, "evidence");
	struct fetched *f = NULL;
	struct c2c__chk *chk = NULL;
	size_t n = 0;
	const char *first_src = NULL;
	uint64_t first_off = 0;
	c2c_err rc;

	if (ev == NULL)
		return C2C_OK;
	rc = claim_refs(x, ev, &f, &n, oc);
	if (rc != C2C_OK || oc->failed) {
		c2c_free(f);
		return rc;
	}
	rc = c2c__chk_new(claim, &chk);
	if (rc != C2C_OK) {
		c2c_free(f);
		return rc;
	}
	if (n > 1)
		qsort(f, n, sizeof(*f), cmp_fetched);
	for (size_t lo = 0; lo < n && rc == C2C_OK && !oc->failed;) {
		size_t hi = lo, k = 0;
		struct vinput *in = find_input(x, f[lo].r.sha, false);
		struct fetched *g;
		while (hi < n && memcmp(f[hi].r.sha, f[lo].r.sha, 32) == 0)
			hi++;
		if (in == NULL) {
			char hex[65];
			fail(oc, "input", NULL, 0, "cites input %s, which has no fingerprint in the "
			    "ledger", c2c_hex(f[lo].r.sha, 32, hex));
			break;
		}
		if (first_src == NULL) {
			for (size_t i = lo; i < hi && first_src == NULL; i++)
				if (!f[i].dep) {
					first_src = in->name;
					first_off = f[i].r.off;
				}
		}
		/* This input's own dependency records join the claim's, de-duplicated. */
		g = c2c_calloc(hi - lo + in->ndeps + 1, sizeof(*g));
		if (g == NULL) {
			rc = C2C_ENOMEM;
			break;
		}
		for (size_t i = lo; i < hi; i++)
			g[k++] = f[i];
		for (size_t i = 0; i < in->ndeps; i++) {
			g[k].r = in->deps[i];
			g[k].dep = true;
			k++;
		}
		qsort(g, k, sizeof(*g), cmp_fetched);
		{
			size_t u = 0;
			for (size_t i = 0; i < k; i++) {
				if (u > 0 && c2c__ref_cmp(&g[u - 1].r, &g[i].r) == 0) {
					g[u - 1].dep = g[u - 1].dep && g[i].dep;
					continue;
				}
				g[u++] = g[i];
			}
			k = u;
		}
		rc = check_input_records(x, in, g, k, chk, oc);
		for (size_t i = 0; i < k; i++)
			c2c_free(g[i].p);
		c2c_free(g);
		lo = hi;
	}
	/* What the records show together: counts and totals against the claim's result. */
	if (rc == C2C_OK && !oc->failed && !oc->missing) {
		char msg[400];
		if (!c2c__chk_finish(chk, claim, msg, sizeof(msg)))
			fail(oc, "record-totals", first_src, first_off, "%s", msg);
		(void)c2c__chk_note(chk, oc->note, sizeof(oc->note));
	}
	c2c__chk_free(chk);
	c2c_free(f);
	return rc;
}

static bool
refdata_checked(struct vctx *x, const json_t *claim, struct outcome *oc)
{
	const json_t *arr = json_object_get(json_object_get(claim, "evidence"), "refdata"), *v;
	size_t i;
	bool any = false;
	json_array_foreach(arr, i, v) {
		const char *s = json_is_string(v) ? json_string_value(v) : "";
		uint8_t sha[32];
		struct vinput *rd;
		if (strncmp(s, "sha256:", 7) != 0 || c2c_unhex(s + 7, strlen(s + 7), sha, 32) != C2C_OK) {
			fail(oc, "refdata", NULL, 0, "malformed refdata digest %.80s", s);
			return any;
		}
		rd = find_input(x, sha, true);
		if (rd == NULL) {
			fail(oc, "refdata", NULL, 0, "reference data %.80s is not pinned in the ledger",
			    s);
			return any;
		}
		if (rd->v == C2C_V_FAILED)
			fail(oc, "refdata", rd->name, 0, "reference data %s differs from its pinned "
			    "digest", rd->name);
		else if (rd->v == C2C_V_MISSING)
			missing(oc, "refdata", "reference data %s is not available", rd->name);
		any = true;
	}
	return any;
}

/* Locate "id":"<id>" in report.json, for a byte position. */
static uint64_t
report_pos(const struct vctx *x, const char *id)
{
	char pat[300];
	size_t pl;
	(void)snprintf(pat, sizeof(pat), "\"id\":\"%s\"", id);
	pl = strlen(pat);
	for (size_t i = 0; x->report != NULL && i + pl <= x->report_len; i++)
		if (memcmp(x->report + i, pat, pl) == 0)
			return i;
	return 0;
}

/* Where report.json keeps claims (docs/report-schema.md): arrays of findings by rung, the
 * control matrix (one object) and the assessments. */
static const char *const claim_arrays[] = { "findings", "infrastructure", "cluster_edges",
	"clusters", "assessments" };

static const json_t *
report_find(const struct vctx *x, const char *id)
{
	const char *const *arrays = claim_arrays;
	const json_t *m = json_object_get(x->report_doc, "matrix");
	if (jstr(m, "id") != NULL && strcmp(jstr(m, "id"), id) == 0)
		return m;
	for (size_t a = 0; a < C2C_ARRAY_LEN(claim_arrays); a++) {
		const json_t *arr = json_object_get(x->report_doc, arrays[a]), *v;
		size_t i;
		json_array_foreach(arr, i, v) {
			const char *s = jstr(v, "id");
			if (s != NULL && strcmp(s, id) == 0)
				return v;
		}
	}
	return NULL;
}

static c2c_err
same_json(const json_t *a, const json_t *b, bool *same)
{
	struct c2c_buf x, y;
	c2c_err rc;
	c2c_buf_init(&x, C2C__FILE_CAP);
	c2c_buf_init(&y, C2C__FILE_CAP);
	rc = c2c_json_canon(a, &x);
	if (rc == C2C_OK)
		rc = c2c_json_canon(b, &y);
	*same = rc == C2C_OK && x.len == y.len && memcmp(x.data, y.data, x.len) == 0;
	c2c_buf_fini(&x);
	c2c_buf_fini(&y);
	return rc == C2C_ENOMEM ? rc : C2C_OK;
}

static c2c_err
check_claim(struct vctx *x, size_t idx, const char *kind)
{
	const struct vline *ln = &x->lines[idx];
	const json_t *claim = json_object_get(ln->e, "claim");
	const char *id = jstr(claim, "id"), *recheck = jstr(claim, "recheck");
	struct outcome oc;
	bool has_ref = false;
	c2c_err rc;

	memset(&oc, 0, sizeof(oc));
	if (id == NULL)
		id = "?";
	/* 1. Ledger inclusion under the signed root. */
	if (!ln->authentic) {
		fail(&oc, "ledger", C2C__LEDGER, ln->off,
		    "ledger entry %zu is not the one under the signed checkpoint", idx);
		goto done;
	}
	/* 2. The same claim in report.json. */
	if (x->report == NULL) {
		fail(&oc, "report", C2C__REPORT, 0, "report.json is missing");
	} else if (x->report_doc == NULL) {
		fail(&oc, "report", C2C__REPORT, x->report_parse_where,
		    "report.json does not parse as JSON");
	} else {
		const json_t *r = report_find(x, id);
		bool same = false;
		rc = r != NULL ? same_json(r, claim, &same) : C2C_OK;
		if (rc != C2C_OK)
			return rc;
		if (r == NULL)
			fail(&oc, "report", C2C__REPORT, 0, "claim is absent from report.json");
		else if (!same)
			fail(&oc, "report", C2C__REPORT, report_pos(x, id),
			    "report.json states this claim differently from the ledger");
	}
	if (oc.failed)
		goto done;
	/* 3. Cited records, 4. pinned reference data. */
	rc = check_records(x, claim, &oc);
	if (rc != C2C_OK)
		return rc;
	has_ref = refdata_checked(x, claim, &oc);
	if (oc.failed)
		goto done;
	/* 5. What the claim needs beyond its records. */
	if (recheck != NULL && strcmp(recheck, "external") == 0) {
		emit(x, kind, id, oc.missing ? C2C_V_MISSING : C2C_V_EXTERNAL, oc.step, NULL, 0,
		    "%s", oc.missing ? oc.msg : "ledger, report and digests hold; content not re-derivable");
		return C2C_OK;
	}
	if (recheck == NULL || strcmp(recheck, "inputs") == 0 ||
	    (strcmp(recheck, "records") != 0 && strcmp(recheck, "refdata") != 0)) {
		if (x->rd == RD_MISMATCH)
			fail(&oc, "rederive", C2C__REPORT, x->rd_where, "%s", x->rd_msg);
		else if (x->rd == RD_UNAVAILABLE)
			missing(&oc, "rederive", "needs the full inputs: %s", x->rd_msg);
	}
done:
	if (oc.failed)
		emit(x, kind, id, C2C_V_FAILED, oc.step, oc.src, oc.where, "%s", oc.msg);
	else if (oc.missing)
		emit(x, kind, id, C2C_V_MISSING, oc.step, NULL, 0, "%s", oc.msg);
	else
		emit(x, kind, id, has_ref ? C2C_V_REF : C2C_V_RAW, NULL, NULL, 0, "%s%s",
		    has_ref ? "re-checked from its records and pinned reference data"
			    : "re-checked from its raw records", oc.note);
	return C2C_OK;
}

static c2c_err
check_excerpt_proofs(struct vctx *x)
{
	char **names = NULL;
	size_t nn = 0;
	c2c_err rc = c2c__src_list(&x->src, C2C__EXPROOF, &names, &nn);
	if (rc != C2C_OK)
		return rc;
	for (size_t i = 0; i < nn; i++) {
		char rel[512];
		uint8_t *t = NULL;
		size_t tl = 0, pn = 0;
		unsigned long long idx = 0;
		uint8_t proof[C2C_MERKLE_MAX_PROOF][32];
		struct c2c_diag d;
		const char *p;
		int used = 0;
		bool ok = false;
		(void)snprintf(rel, sizeof(rel), "%s/%s", C2C__EXPROOF, names[i]);
		rc = c2c__src_read(&x->src, rel, &t, &tl, &d);
		if (rc == C2C_ENOMEM)
			break;
		rc = C2C_OK;
		if (t != NULL &&
		    sscanf((const char *)t, "c2sp.org/tlog-proof@v1\nindex %llu\n%n", &idx, &used) == 1 &&
		    used > 0 && idx < x->n && idx < x->cp.size) {
			uint8_t leaf[32];
			p = (const char *)t + used;
			if (parse_b64_hashes(p, (const char *)t + tl, proof, &pn) == C2C_OK) {
				c2c_merkle_leaf(x->ledger + x->lines[idx].off, x->lines[idx].len, leaf);
				ok = c2c_merkle_verify_inclusion(idx, x->cp.size, leaf,
				    (const uint8_t(*)[32])proof, pn, x->cp.root) == C2C_OK;
			}
		}
		if (!ok)
			emit(x, "ledger", names[i], C2C_V_FAILED, "inclusion-proof", rel, 0,
			    "inclusion proof does not verify against the signed checkpoint");
		c2c_free(t);
	}
	for (size_t i = 0; i < nn; i++)
		c2c_free(names[i]);
	c2c_free(names);
	return rc;
}

static c2c_err
check_claims(struct vctx *x)
{
	const char *const *arrays = claim_arrays;
	c2c_err rc;

	for (size_t i = 0; i < x->n; i++) {
		const json_t *e = x->lines[i].e;
		const char *k = jstr(e, "kind");
		if (e != NULL && k != NULL && is_last_scan(x, e) &&
		    (strcmp(k, "finding") == 0 || strcmp(k, "assessment") == 0)) {
			rc = check_claim(x, i, k);
			if (rc != C2C_OK)
				return rc;
		} else if (!x->lines[i].authentic) {
			/* An altered input, refdata, records or report entry (or one no longer
			 * readable as JSON) is a failed claim of its own. */
			char id[64];
			(void)snprintf(id, sizeof(id), "entry %zu", i);
			emit(x, k != NULL ? k : "entry", id, C2C_V_FAILED, "ledger", C2C__LEDGER,
			    x->lines[i].off, "ledger entry %zu is not the one under the signed "
			    "checkpoint", i);
		}
	}
	/* A claim in report.json that is not in the ledger is unproven. */
	for (size_t a = 0; a < C2C_ARRAY_LEN(claim_arrays) && x->report_doc != NULL; a++) {
		const json_t *arr = json_object_get(x->report_doc, arrays[a]), *v;
		size_t j;
		json_array_foreach(arr, j, v) {
			const char *id = jstr(v, "id");
			bool found = false;
			for (size_t i = 0; i < x->n && !found && id != NULL; i++) {
				const json_t *c = json_object_get(x->lines[i].e, "claim");
				found = x->lines[i].e != NULL && is_last_scan(x, x->lines[i].e) &&
				    jstr(c, "id") != NULL && strcmp(jstr(c, "id"), id) == 0;
			}
			if (!found)
				emit(x, strcmp(arrays[a], "assessments") == 0 ? "assessment" : "finding",
				    id != NULL ? id : "?",
				    C2C_V_FAILED, "ledger", C2C__REPORT,
				    id != NULL ? report_pos(x, id) : 0,
				    "claim in report.json has no ledger entry under the signed checkpoint");
		}
	}
	/* The report itself. */
	if (x->report == NULL)
		emit(x, "report", C2C__REPORT, C2C_V_FAILED, "report-digest", C2C__REPORT, 0,
		    "report.json is missing: the case is truncated");
	else if (!x->report_digest_ok)
		emit(x, "report", C2C__REPORT, C2C_V_FAILED, "report-digest", C2C__REPORT,
		    x->rd == RD_MISMATCH ? x->rd_where : x->report_parse_where,
		    "report.json does not match the digest in the ledger%s",
		    x->rd == RD_MISMATCH ? " (first differing byte at this offset)" : "");
	else if (x->rd == RD_MATCH)
		emit(x, "report", C2C__REPORT, C2C_V_RAW, NULL, NULL, 0, "%s", x->rd_msg);
	else if (x->rd == RD_MISMATCH)
		emit(x, "report", C2C__REPORT, C2C_V_FAILED, "rederive", C2C__REPORT, x->rd_where,
		    "%s", x->rd_msg);
	else
		emit(x, "report", C2C__REPORT, C2C_V_MISSING, "rederive", NULL, 0,
		    "digest matches the ledger; %s", x->rd_msg);
	return C2C_OK;
}

c2c_err
c2c_verify_case(const char *path, const struct c2c_verify_opts *opts,
    struct c2c_verify_summary *sum, struct c2c_diag *diag)
{
	static const struct c2c_verify_opts none;
	struct vctx x;
	c2c_err rc;

	memset(sum, 0, sizeof(*sum));
	memset(&x, 0, sizeof(x));
	x.path = path;
	x.o = opts != NULL ? opts : &none;
	x.sum = sum;
	rc = c2c__src_open(&x.src, path, diag);
	if (rc != C2C_OK)
		return rc;
	sum->excerpt = x.src.dir == NULL;
	/* Nothing else is parsed before the signature has checked out. */
	rc = check_signature(&x);
	if (rc == C2C_OK)
		rc = check_ledger(&x);
	if (rc == C2C_OK)
		rc = check_history(&x);
	if (rc == C2C_OK && sum->excerpt)
		rc = check_excerpt_proofs(&x);
	if (rc == C2C_OK)
		rc = load_inputs(&x);
	if (rc == C2C_OK)
		rc = load_report(&x);
	if (rc == C2C_OK && x.report_digest_ok)
		rc = rederive(&x);
	else if (rc == C2C_OK)
		(void)snprintf(x.rd_msg, sizeof(x.rd_msg), "report.json does not match its digest");
	if (rc == C2C_OK && x.report != NULL && !x.report_digest_ok && x.o->rederive != NULL &&
	    !sum->excerpt) {
		/* Re-derive anyway to name the first altered byte of report.json. */
		rc = rederive(&x);
		if (x.rd == RD_MATCH)
			x.rd = RD_MISMATCH;
	}
	if (rc == C2C_OK)
		rc = check_claims(&x);

	for (size_t i = 0; i < x.nin; i++) {
		c2c_free(x.in[i].path);
		c2c_free(x.in[i].c);
		c2c_free(x.in[i].blob);
		c2c_free(x.in[i].deps);
	}
	c2c_free(x.in);
	for (size_t i = 0; i < x.n; i++)
		json_decref(x.lines[i].e);
	c2c_free(x.lines);
	c2c_free(x.ledger);
	c2c_free(x.report);
	json_decref(x.report_doc);
	json_decref(x.inputs_json);
	c2c__src_close(&x.src);
	if (rc == C2C_EVERIFY && !sum->signature_ok)
		return c2c_diag_set(diag, C2C_EVERIFY, path, 0,
		    "the checkpoint signature does not verify against the trusted key");
	if (rc != C2C_OK)
		return rc;
	if (sum->n[C2C_V_FAILED] > 0 || sum->n[C2C_V_MISSING] > 0)
		return c2c_diag_set(diag, C2C_EVERIFY, path, 0,
		    "%llu claims failed, %llu lack data", (unsigned long long)sum->n[C2C_V_FAILED],
		    (unsigned long long)sum->n[C2C_V_MISSING]);
	return C2C_OK;
}

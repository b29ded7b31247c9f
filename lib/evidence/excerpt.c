/*
 * Excerpt packages: what a victim can publish instead of a full capture. The package is a ustar
 * archive of the case's signed and committed metadata (checkpoints, ledger, consistency proofs,
 * report.json, reference lists, record commitments), one tlog-proof per claim of the last scan,
 * and per input only the bytes of the committed records (cited records and their dependency
 * records), concatenated in commitment order as excerpt/records/<input sha256>.bin.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "evidence/internal.h"

static c2c_err
add_file(struct c2c__case_src *s, struct c2c_buf *tar, const char *rel, bool required,
    struct c2c_diag *diag)
{
	uint8_t *p = NULL;
	size_t len = 0;
	c2c_err rc = c2c__src_read(s, rel, &p, &len, diag);
	if (rc == C2C_ENOTFOUND && !required)
		return C2C_OK;
	if (rc == C2C_OK)
		rc = c2c__tar_add(tar, rel, p, len);
	c2c_free(p);
	return rc;
}

static c2c_err
add_dir(struct c2c__case_src *s, struct c2c_buf *tar, const char *dir, struct c2c_diag *diag)
{
	char **names = NULL;
	size_t n = 0;
	c2c_err rc = c2c__src_list(s, dir, &names, &n);
	for (size_t i = 0; i < n && rc == C2C_OK; i++) {
		char rel[512];
		(void)snprintf(rel, sizeof(rel), "%s/%s", dir, names[i]);
		rc = add_file(s, tar, rel, true, diag);
	}
	for (size_t i = 0; i < n; i++)
		c2c_free(names[i]);
	c2c_free(names);
	return rc;
}

struct blob_ctx {
	struct c2c_buf *blob;
	const uint8_t (*want)[32];
	const char *path;
	struct c2c_diag *diag;
	const struct c2c__ref *refs;
};

static c2c_err
take_record(void *ctx, size_t i, const uint8_t *p, size_t len)
{
	struct blob_ctx *b = ctx;
	uint8_t d[32];
	c2c_sha256(p, len, d);
	if (memcmp(d, b->want[i], 32) != 0)
		return c2c_diag_set(b->diag, C2C_EVERIFY, b->path, b->refs[i].off,
		    "record no longer matches its commitment: the input changed");
	return c2c_buf_add(b->blob, p, len);
}

/* The records blob of one input, from its commitment list and the input file. */
static c2c_err
add_records(struct c2c__case_src *s, struct c2c_buf *tar, const char *hex, const char *path,
    struct c2c_diag *diag)
{
	char rel[256];
	uint8_t *t = NULL;
	size_t len = 0, n = 0;
	struct c2c__ref *refs = NULL;
	uint8_t(*want)[32] = NULL;
	struct c2c_buf blob;
	c2c_err rc;

	(void)snprintf(rel, sizeof(rel), "%s/%s.txt", C2C__RECSDIR, hex);
	rc = c2c__src_read(s, rel, &t, &len, diag);
	if (rc == C2C_ENOTFOUND)
		return C2C_OK; /* nothing of this input is cited */
	if (rc != C2C_OK)
		return rc;
	for (size_t i = 0; i < len; i++)
		n += t[i] == '\n';
	refs = c2c_calloc(n ? n : 1, sizeof(*refs));
	want = c2c_calloc(n ? n : 1, 32);
	c2c_buf_init(&blob, C2C__FILE_CAP);
	if (refs == NULL || want == NULL) {
		rc = C2C_ENOMEM;
		goto out;
	}
	n = 0;
	for (size_t pos = 0; pos < len;) {
		char line[C2C_EVREF_STRLEN + 80], *sp;
		uint8_t *nl = memchr(t + pos, '\n', len - pos);
		size_t l = nl != NULL ? (size_t)(nl - (t + pos)) : len - pos;
		if (l >= sizeof(line)) {
			rc = c2c_diag_set(diag, C2C_EFORMAT, rel, pos, "malformed commitment line");
			goto out;
		}
		memcpy(line, t + pos, l);
		line[l] = '\0';
		sp = strchr(line, ' ');
		if (sp == NULL || (*sp = '\0', c2c__ref_parse(line, &refs[n])) != C2C_OK ||
		    c2c_unhex(sp + 1, strlen(sp + 1), want[n], 32) != C2C_OK) {
			rc = c2c_diag_set(diag, C2C_EFORMAT, rel, pos, "malformed commitment line");
			goto out;
		}
		n++;
		pos += l + 1;
	}
	if (access(path, R_OK) != 0) {
		rc = c2c_diag_set(diag, C2C_ENOTFOUND, path, 0,
		    "input with cited records is not available to cut the excerpt from");
		goto out;
	} else {
		struct blob_ctx bc = { &blob, (const uint8_t(*)[32])want, path, diag, refs };
		rc = c2c__read_records(path, refs, n, take_record, &bc, diag);
	}
	if (rc == C2C_OK) {
		(void)snprintf(rel, sizeof(rel), "%s/%s.bin", C2C__EXREC, hex);
		rc = c2c__tar_add(tar, rel, blob.data != NULL ? (const void *)blob.data
							      : (const void *)"", blob.len);
	}
out:
	c2c_buf_fini(&blob);
	c2c_free(refs);
	c2c_free(want);
	c2c_free(t);
	return rc;
}

/* One tlog-proof per claim of the last scan, against the current checkpoint. */
static c2c_err
add_proofs(struct c2c__case_src *s, struct c2c_buf *tar, struct c2c_diag *diag)
{
	uint8_t *led = NULL, *note = NULL;
	size_t len = 0, nlen = 0, n = 0;
	uint8_t(*lv)[32] = NULL;
	json_t **ents = NULL;
	json_int_t last = 0;
	c2c_err rc;

	rc = c2c__src_read(s, C2C__LEDGER, &led, &len, diag);
	if (rc == C2C_OK)
		rc = c2c__src_read(s, C2C__CHECKPOINT, &note, &nlen, diag);
	if (rc != C2C_OK)
		goto out;
	for (size_t i = 0; i < len; i++)
		n += led[i] == '\n';
	lv = c2c_calloc(n ? n : 1, 32);
	ents = c2c_calloc(n ? n : 1, sizeof(*ents));
	if (lv == NULL || ents == NULL) {
		rc = C2C_ENOMEM;
		goto out;
	}
	n = 0;
	for (size_t pos = 0; pos < len;) {
		uint8_t *nl = memchr(led + pos, '\n', len - pos);
		size_t l;
		const json_t *sc;
		if (nl == NULL)
			break;
		l = (size_t)(nl - (led + pos));
		c2c_merkle_leaf(led + pos, l, lv[n]);
		ents[n] = json_loadb((const char *)led + pos, l, 0, NULL);
		sc = json_object_get(ents[n], "scan");
		if (json_is_integer(sc) && json_integer_value(sc) > last)
			last = json_integer_value(sc);
		n++;
		pos += l + 1;
	}
	for (size_t i = 0; i < n && rc == C2C_OK; i++) {
		const json_t *k = json_object_get(ents[i], "kind");
		const json_t *sc = json_object_get(ents[i], "scan");
		uint8_t proof[C2C_MERKLE_MAX_PROOF][32];
		size_t pn = 0;
		struct c2c_buf pf;
		char rel[256];
		if (!json_is_string(k) || !json_is_integer(sc) || json_integer_value(sc) != last ||
		    (strcmp(json_string_value(k), "finding") != 0 &&
			strcmp(json_string_value(k), "assessment") != 0))
			continue;
		rc = c2c_merkle_inclusion_proof((const uint8_t(*)[32])lv, n, i, proof, &pn);
		if (rc != C2C_OK)
			break;
		c2c_buf_init(&pf, 1 << 20);
		rc = c2c__tlog_proof_format(i, (const uint8_t(*)[32])proof, pn, note, nlen, &pf);
		(void)snprintf(rel, sizeof(rel), "%s/%zu.tlog-proof", C2C__EXPROOF, i);
		if (rc == C2C_OK)
			rc = c2c__tar_add(tar, rel, pf.data, pf.len);
		c2c_buf_fini(&pf);
	}
out:
	for (size_t i = 0; ents != NULL && i < n; i++)
		json_decref(ents[i]);
	c2c_free(ents);
	c2c_free(lv);
	c2c_free(led);
	c2c_free(note);
	return rc;
}

c2c_err
c2c_excerpt_write(const char *case_dir, const char *out_path, struct c2c_diag *diag)
{
	static const char *const files[] = { C2C__CHECKPOINT, C2C__VKEY, C2C__LEDGER, C2C__TREE,
		C2C__REPORT, C2C__INPUTS };
	static const char *const dirs[] = { C2C__CPDIR, C2C__CONSDIR, C2C__REFSDIR, C2C__RECSDIR };
	struct c2c__case_src s;
	struct c2c_buf tar;
	uint8_t *ij = NULL;
	size_t ijl = 0;
	json_t *inputs = NULL;
	c2c_err rc;

	rc = c2c__src_open(&s, case_dir, diag);
	if (rc != C2C_OK)
		return rc;
	if (s.dir == NULL) {
		c2c__src_close(&s);
		return c2c_diag_set(diag, C2C_EINVAL, case_dir, 0,
		    "already an excerpt package; give the case directory");
	}
	c2c_buf_init(&tar, C2C__FILE_CAP);
	for (size_t i = 0; i < C2C_ARRAY_LEN(files) && rc == C2C_OK; i++)
		rc = add_file(&s, &tar, files[i], i < 5, diag);
	for (size_t i = 0; i < C2C_ARRAY_LEN(dirs) && rc == C2C_OK; i++)
		rc = add_dir(&s, &tar, dirs[i], diag);
	if (rc == C2C_OK)
		rc = c2c__src_read(&s, C2C__INPUTS, &ij, &ijl, diag);
	if (rc == C2C_OK)
		rc = c2c_json_parse((const char *)ij, ijl, C2C__INPUTS, &inputs, diag);
	if (rc == C2C_OK) {
		const json_t *arr = json_object_get(inputs, "inputs"), *v;
		size_t i;
		json_array_foreach(arr, i, v) {
			const json_t *h = json_object_get(v, "sha256"), *p = json_object_get(v, "path");
			if (!json_is_string(h) || !json_is_string(p) || strlen(json_string_value(h)) != 64) {
				rc = c2c_diag_set(diag, C2C_EFORMAT, C2C__INPUTS, i,
				    "input without sha256 or path");
				break;
			}
			rc = add_records(&s, &tar, json_string_value(h), json_string_value(p), diag);
			if (rc != C2C_OK)
				break;
		}
	}
	if (rc == C2C_OK)
		rc = add_proofs(&s, &tar, diag);
	if (rc == C2C_OK)
		rc = c2c__tar_finish(&tar);
	if (rc == C2C_OK)
		rc = c2c_file_write_atomic(out_path, tar.data, tar.len, diag);
	json_decref(inputs);
	c2c_free(ij);
	c2c_buf_fini(&tar);
	c2c__src_close(&s);
	return rc;
}

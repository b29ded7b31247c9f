/*
 * Ed25519 keys (OpenSSL libcrypto), C2SP signed notes (c2sp.org/signed-note) and tlog
 * checkpoint bodies (c2sp.org/tlog-checkpoint). Key strings follow golang.org/x/mod/sumdb/note
 * so that a checkpoint signed here opens with any Go note verifier and vice versa. A note is
 * verified before its text is handed to anyone: c2c_note_open only returns a text length after
 * a signature by the trusted key has checked out.
 */
#include <string.h>

#include <openssl/evp.h>

#include "c2chain/evidence.h"

struct c2c_signer {
	char name[C2C_NOTE_NAME_MAX];
	uint32_t id;
	uint8_t seed[32];
	uint8_t pub[32];
	EVP_PKEY *pkey;
};

static const char skey_prefix[] = "PRIVATE+KEY+";

/* Key names are non-empty, contain no Unicode spaces and no '+'. We are stricter: printable
 * ASCII except space and '+', which keeps names safe in file names and signature lines. */
static bool
valid_name(const char *s, size_t len)
{
	if (len == 0 || len >= C2C_NOTE_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f || c == '+')
			return false;
	}
	return true;
}

/* key id = SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian. */
static uint32_t
key_id(const char *name, const uint8_t pub[32])
{
	struct c2c_sha256 h;
	uint8_t d[32];
	static const uint8_t sep[2] = { 0x0a, 0x01 };
	if (c2c_sha256_init(&h) != C2C_OK)
		return 0;
	c2c_sha256_update(&h, name, strlen(name));
	c2c_sha256_update(&h, sep, 2);
	c2c_sha256_update(&h, pub, 32);
	c2c_sha256_final(&h, d);
	return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

void
c2c_signer_free(struct c2c_signer *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_free(s->pkey);
	memset(s->seed, 0, sizeof(s->seed));
	c2c_free(s);
}

static c2c_err
signer_from_seed(const char *name, size_t name_len, const uint8_t seed[32],
    struct c2c_signer **out)
{
	struct c2c_signer *s;
	size_t plen = 32;

	if (!valid_name(name, name_len))
		return C2C_EINVAL;
	s = c2c_calloc(1, sizeof(*s));
	if (s == NULL)
		return C2C_ENOMEM;
	memcpy(s->name, name, name_len);
	s->name[name_len] = '\0';
	memcpy(s->seed, seed, 32);
	s->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	if (s->pkey == NULL || EVP_PKEY_get_raw_public_key(s->pkey, s->pub, &plen) != 1 ||
	    plen != 32) {
		c2c_signer_free(s);
		return C2C_ECRYPTO;
	}
	s->id = key_id(s->name, s->pub);
	*out = s;
	return C2C_OK;
}

c2c_err
c2c_signer_new(const char *name, struct c2c_signer **out)
{
	EVP_PKEY_CTX *kc;
	EVP_PKEY *k = NULL;
	uint8_t seed[32];
	size_t slen = sizeof(seed);
	c2c_err rc;

	if (name == NULL || !valid_name(name, strlen(name)))
		return C2C_EINVAL;
	kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	if (kc == NULL)
		return C2C_ECRYPTO;
	if (EVP_PKEY_keygen_init(kc) != 1 || EVP_PKEY_keygen(kc, &k) != 1 ||
	    EVP_PKEY_get_raw_private_key(k, seed, &slen) != 1 || slen != 32) {
		EVP_PKEY_free(k);
		EVP_PKEY_CTX_free(kc);
		return C2C_ECRYPTO;
	}
	EVP_PKEY_free(k);
	EVP_PKEY_CTX_free(kc);
	rc = signer_from_seed(name, strlen(name), seed, out);
	memset(seed, 0, sizeof(seed));
	return rc;
}

/* Trim ASCII white space at both ends of [*s, *s + *len). */
static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && ((*s)[0] == ' ' || (*s)[0] == '\n' || (*s)[0] == '\r' || (*s)[0] == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\n' ||
			       (*s)[*len - 1] == '\r' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

/* Split "<name>+<hex8>+<base64>" (the base64 may itself contain '+'): the name ends at the first
 * '+', the id is the next 8 characters. */
static c2c_err
split_key(const char *s, size_t len, size_t *name_len, uint32_t *id, uint8_t key[33])
{
	const char *p = memchr(s, '+', len);
	uint8_t idb[4];
	size_t klen = 0, rest;

	if (p == NULL)
		return C2C_EFORMAT;
	*name_len = (size_t)(p - s);
	rest = len - *name_len - 1;
	if (rest < 10 || p[9] != '+')
		return C2C_EFORMAT;
	if (c2c_unhex(p + 1, 8, idb, 4) != C2C_OK)
		return C2C_EFORMAT;
	for (int i = 1; i <= 8; i++)
		if (p[i] >= 'A' && p[i] <= 'F')
			return C2C_EFORMAT; /* ids are written in lower case */
	*id = (uint32_t)idb[0] << 24 | (uint32_t)idb[1] << 16 | (uint32_t)idb[2] << 8 | idb[3];
	if (c2c_unbase64(p + 10, rest - 9, key, 33, &klen) != C2C_OK || klen != 33 ||
	    key[0] != 0x01)
		return C2C_EFORMAT;
	return C2C_OK;
}

c2c_err
c2c_signer_parse(const char *skey, size_t len, struct c2c_signer **out)
{
	size_t nlen;
	uint32_t id;
	uint8_t key[33];
	struct c2c_signer *s = NULL;
	c2c_err rc;

	trim(&skey, &len);
	if (len < sizeof(skey_prefix) - 1 || memcmp(skey, skey_prefix, sizeof(skey_prefix) - 1))
		return C2C_EFORMAT;
	skey += sizeof(skey_prefix) - 1;
	len -= sizeof(skey_prefix) - 1;
	if (split_key(skey, len, &nlen, &id, key) != C2C_OK)
		return C2C_EFORMAT;
	rc = signer_from_seed(skey, nlen, key + 1, &s);
	memset(key, 0, sizeof(key));
	if (rc == C2C_EINVAL)
		return C2C_EFORMAT;
	if (rc != C2C_OK)
		return rc;
	if (s->id != id) {
		c2c_signer_free(s);
		return C2C_EFORMAT;
	}
	*out = s;
	return C2C_OK;
}

c2c_err
c2c_signer_load(const char *path, struct c2c_signer **out, struct c2c_diag *diag)
{
	uint8_t *text = NULL;
	size_t len = 0;
	c2c_err rc = c2c_file_slurp(path, 4096, &text, &len, diag);
	if (rc != C2C_OK)
		return rc;
	rc = c2c_signer_parse((const char *)text, len, out);
	memset(text, 0, len);
	c2c_free(text);
	if (rc == C2C_EFORMAT)
		return c2c_diag_set(diag, rc, path, 0,
		    "not a signer key (PRIVATE+KEY+<name>+<id>+<base64>)");
	return rc;
}

const char *
c2c_signer_name(const struct c2c_signer *s)
{
	return s->name;
}

static c2c_err
key_string(const char *prefix, const char *name, uint32_t id, const uint8_t k[32],
    struct c2c_buf *out)
{
	uint8_t raw[33];
	char b64[64];
	raw[0] = 0x01;
	memcpy(raw + 1, k, 32);
	(void)c2c_base64(raw, 33, b64);
	memset(raw, 0, sizeof(raw));
	return c2c_buf_printf(out, "%s%s+%08x+%s", prefix, name, (unsigned)id, b64);
}

c2c_err
c2c_signer_skey(const struct c2c_signer *s, struct c2c_buf *out)
{
	return key_string(skey_prefix, s->name, s->id, s->seed, out);
}

c2c_err
c2c_signer_vkey(const struct c2c_signer *s, struct c2c_buf *out)
{
	return key_string("", s->name, s->id, s->pub, out);
}

void
c2c_signer_verifier(const struct c2c_signer *s, struct c2c_verifier *v)
{
	memcpy(v->name, s->name, sizeof(v->name));
	v->id = s->id;
	memcpy(v->pub, s->pub, 32);
}

c2c_err
c2c_verifier_parse(const char *vkey, size_t len, struct c2c_verifier *out)
{
	size_t nlen;
	uint32_t id;
	uint8_t key[33];

	trim(&vkey, &len);
	if (split_key(vkey, len, &nlen, &id, key) != C2C_OK || !valid_name(vkey, nlen))
		return C2C_EFORMAT;
	memcpy(out->name, vkey, nlen);
	out->name[nlen] = '\0';
	memcpy(out->pub, key + 1, 32);
	out->id = id;
	if (key_id(out->name, out->pub) != id)
		return C2C_EFORMAT;
	return C2C_OK;
}

c2c_err
c2c_verifier_load(const char *path, struct c2c_verifier *out, struct c2c_diag *diag)
{
	uint8_t *text = NULL;
	size_t len = 0;
	c2c_err rc = c2c_file_slurp(path, 4096, &text, &len, diag);
	if (rc != C2C_OK)
		return rc;
	rc = c2c_verifier_parse((const char *)text, len, out);
	c2c_free(text);
	if (rc != C2C_OK)
		return c2c_diag_set(diag, rc, path, 0,
		    "not a verifier key (<name>+<id hex>+<base64 of 0x01 and the public key>)");
	return C2C_OK;
}

/* Valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF) without control characters other
 * than '\n'. Returns the offset of the first offending byte, or len when all is well. */
static size_t
check_note_bytes(const uint8_t *p, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint8_t c = p[i];
		size_t n;
		uint32_t cp;
		if (c < 0x80) {
			if ((c < 0x20 && c != '\n') || c == 0x7f)
				return i;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return i;
		}
		if (len - i <= n)
			return i;
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += n + 1;
	}
	return len;
}

static c2c_err
ed25519_sign(EVP_PKEY *pkey, const void *msg, size_t len, uint8_t sig[64])
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	size_t slen = 64;
	c2c_err rc = C2C_ECRYPTO;
	if (m == NULL)
		return C2C_ENOMEM;
	if (EVP_DigestSignInit(m, NULL, NULL, NULL, pkey) == 1 &&
	    EVP_DigestSign(m, sig, &slen, msg, len) == 1 && slen == 64)
		rc = C2C_OK;
	EVP_MD_CTX_free(m);
	return rc;
}

static c2c_err
ed25519_verify(const uint8_t pub[32], const void *msg, size_t len, const uint8_t sig[64])
{
	EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	EVP_MD_CTX *m;
	c2c_err rc = C2C_EVERIFY;
	if (k == NULL)
		return C2C_EVERIFY; /* not a valid point */
	m = EVP_MD_CTX_new();
	if (m == NULL) {
		EVP_PKEY_free(k);
		return C2C_ENOMEM;
	}
	if (EVP_DigestVerifyInit(m, NULL, NULL, NULL, k) == 1 &&
	    EVP_DigestVerify(m, sig, 64, msg, len) == 1)
		rc = C2C_OK;
	EVP_MD_CTX_free(m);
	EVP_PKEY_free(k);
	return rc;
}

static const char em_dash[] = "\xe2\x80\x94 "; /* U+2014 and a space */

c2c_err
c2c_note_sign(const char *text, size_t len, const struct c2c_signer *s, struct c2c_buf *out)
{
	uint8_t sig[68];
	char b64[96];
	c2c_err rc;

	if (len == 0 || text[len - 1] != '\n' ||
	    check_note_bytes((const uint8_t *)text, len) != len)
		return C2C_EINVAL;
	/* The text may not end in a blank line: the last blank line separates the signatures. */
	if (len >= 2 && text[len - 2] == '\n')
		return C2C_EINVAL;
	sig[0] = (uint8_t)(s->id >> 24);
	sig[1] = (uint8_t)(s->id >> 16);
	sig[2] = (uint8_t)(s->id >> 8);
	sig[3] = (uint8_t)s->id;
	rc = ed25519_sign(s->pkey, text, len, sig + 4);
	if (rc != C2C_OK)
		return rc;
	(void)c2c_base64(sig, sizeof(sig), b64);
	rc = c2c_buf_add(out, text, len);
	if (rc == C2C_OK)
		rc = c2c_buf_printf(out, "\n%s%s %s\n", em_dash, s->name, b64);
	return rc;
}

#define NOTE_MAX_SIGS 16

c2c_err
c2c_note_open(const uint8_t *note, size_t len, const struct c2c_verifier *v, size_t *text_len,
    struct c2c_diag *diag)
{
	static const char src[] = "checkpoint.note";
	size_t bad, sep = SIZE_MAX, pos, nsig = 0;
	bool found = false;

	bad = check_note_bytes(note, len);
	if (bad != len)
		return c2c_diag_set(diag, C2C_EFORMAT, src, bad,
		    "not valid UTF-8 or a control character in a signed note");
	if (len < 2 || note[len - 1] != '\n')
		return c2c_diag_set(diag, C2C_EFORMAT, src, len,
		    "truncated signed note (does not end in a newline)");
	/* The text ends before the last blank line ("\n\n"). */
	for (size_t i = len - 1; i > 0; i--) {
		if (note[i] == '\n' && note[i - 1] == '\n') {
			sep = i;
			break;
		}
	}
	if (sep == SIZE_MAX || sep + 1 >= len)
		return c2c_diag_set(diag, C2C_EFORMAT, src, len,
		    "truncated signed note (no blank line followed by signatures)");
	pos = sep + 1;
	while (pos < len) {
		const uint8_t *nl = memchr(note + pos, '\n', len - pos);
		size_t line_len = (size_t)(nl - (note + pos));
		const char *line = (const char *)note + pos;
		const char *sp;
		uint8_t sig[68];
		size_t slen = 0;
		uint32_t id;

		if (++nsig > NOTE_MAX_SIGS)
			return c2c_diag_set(diag, C2C_EFORMAT, src, pos, "too many signatures");
		if (line_len < 4 || memcmp(line, em_dash, 4) != 0)
			return c2c_diag_set(diag, C2C_EFORMAT, src, pos,
			    "malformed signature line (expected \"\xe2\x80\x94 <name> <base64>\")");
		sp = memchr(line + 4, ' ', line_len - 4);
		if (sp == NULL || sp == line + 4 ||
		    c2c_unbase64(sp + 1, line_len - (size_t)(sp + 1 - line), sig, sizeof(sig),
			&slen) != C2C_OK || slen < 5)
			return c2c_diag_set(diag, C2C_EFORMAT, src, pos, "malformed signature line");
		id = (uint32_t)sig[0] << 24 | (uint32_t)sig[1] << 16 | (uint32_t)sig[2] << 8 | sig[3];
		/* Signatures by unknown keys (name or id differ) are ignored, per the spec. */
		if (id == v->id && (size_t)(sp - (line + 4)) == strlen(v->name) &&
		    memcmp(line + 4, v->name, strlen(v->name)) == 0) {
			c2c_err rc = slen == 68 ? ed25519_verify(v->pub, note, sep, sig + 4)
						: C2C_EVERIFY;
			if (rc == C2C_EVERIFY)
				return c2c_diag_set(diag, rc, src, pos,
				    "signature by %s does not verify: the note was altered or "
				    "signed with another key", v->name);
			if (rc != C2C_OK)
				return rc;
			found = true;
		}
		pos += line_len + 1;
	}
	if (!found)
		return c2c_diag_set(diag, C2C_ENOTFOUND, src, sep + 1,
		    "no signature by the trusted key %s+%08x", v->name, (unsigned)v->id);
	*text_len = sep;
	return C2C_OK;
}

c2c_err
c2c_checkpoint_format(const struct c2c_checkpoint *cp, struct c2c_buf *out)
{
	char b64[48];
	if (!valid_name(cp->origin, strlen(cp->origin)))
		return C2C_EINVAL;
	(void)c2c_base64(cp->root, 32, b64);
	return c2c_buf_printf(out, "%s\n%llu\n%s\n", cp->origin, (unsigned long long)cp->size,
	    b64);
}

c2c_err
c2c_checkpoint_parse(const char *text, size_t len, struct c2c_checkpoint *out)
{
	const char *p = text, *end = text + len, *nl;
	uint64_t size = 0;
	size_t rlen = 0;
	uint8_t root[33];

	nl = memchr(p, '\n', (size_t)(end - p));
	if (nl == NULL || !valid_name(p, (size_t)(nl - p)))
		return C2C_EFORMAT;
	memcpy(out->origin, p, (size_t)(nl - p));
	out->origin[nl - p] = '\0';
	p = nl + 1;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (nl == NULL || nl == p || (p[0] == '0' && nl - p > 1) || nl - p > 20)
		return C2C_EFORMAT;
	for (const char *q = p; q < nl; q++) {
		if (*q < '0' || *q > '9' || size > (UINT64_MAX - (uint64_t)(*q - '0')) / 10)
			return C2C_EFORMAT;
		size = size * 10 + (uint64_t)(*q - '0');
	}
	p = nl + 1;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (nl == NULL || nl - p != 44 || c2c_unbase64(p, 44, root, sizeof(root), &rlen) != C2C_OK ||
	    rlen != 32)
		return C2C_EFORMAT;
	/* Extension lines, if any, must be non-empty. */
	for (p = nl + 1; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL || nl == p)
			return C2C_EFORMAT;
	}
	out->size = size;
	memcpy(out->root, root, 32);
	return C2C_OK;
}

/*
 * C2SP signed notes and tlog checkpoints against the published vector of
 * golang.org/x/mod/sumdb/note (note_test.go / the package example, also in C2SP signed-note
 * implementations): the PeterNeumann key pair, its text and its signature. Ed25519 is
 * deterministic (RFC 8032), so signing must reproduce the published note byte for byte.
 * C2C_TORTURE: rerun with every allocation failing in turn.
 */
#include "c2chain/evidence.h"
#include "test.h"

static const char skey[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char vkey[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char text[] = "If you think cryptography is the answer to your problem,\n"
			   "then you don't know what your problem is.\n";
static const char note[] = "If you think cryptography is the answer to your problem,\n"
			   "then you don't know what your problem is.\n"
			   "\n"
			   "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1"
			   "FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

static void
go_vector_signs_identically(void)
{
	struct c2c_signer *s = NULL;
	struct c2c_buf b;
	ASSERT_OK(c2c_signer_parse(skey, strlen(skey), &s));
	ASSERT_STR_EQ(c2c_signer_name(s), "PeterNeumann");
	c2c_buf_init(&b, 1 << 16);
	ASSERT_OK(c2c_note_sign(text, strlen(text), s, &b));
	ASSERT_EQ(b.len, strlen(note));
	ASSERT_MEM_EQ(b.data, note, b.len);
	c2c_buf_reset(&b);
	ASSERT_OK(c2c_signer_vkey(s, &b));
	ASSERT_NONNULL(c2c_buf_cstr(&b));
	ASSERT_STR_EQ((const char *)b.data, vkey);
	c2c_buf_reset(&b);
	ASSERT_OK(c2c_signer_skey(s, &b));
	ASSERT_NONNULL(c2c_buf_cstr(&b));
	ASSERT_STR_EQ((const char *)b.data, skey);
	c2c_buf_fini(&b);
	c2c_signer_free(s);
}

static void
go_vector_opens(void)
{
	struct c2c_verifier v;
	struct c2c_diag d;
	size_t tl = 0;
	ASSERT_OK(c2c_verifier_parse(vkey, strlen(vkey), &v));
	ASSERT_EQ(v.id, 0xc74f20a3u);
	ASSERT_OK(c2c_note_open((const uint8_t *)note, strlen(note), &v, &tl, &d));
	ASSERT_EQ(tl, strlen(text));
	ASSERT_MEM_EQ(note, text, tl);
}

/* Every single-byte change of the note is rejected: altered text, signature, separator. */
static void
every_flipped_byte_rejected(void)
{
	struct c2c_verifier v;
	char buf[sizeof(note)];
	ASSERT_OK(c2c_verifier_parse(vkey, strlen(vkey), &v));
	for (size_t i = 0; i < strlen(note); i++) {
		struct c2c_diag d;
		size_t tl = 0;
		c2c_err rc;
		memcpy(buf, note, sizeof(note));
		buf[i] ^= 0x01;
		rc = c2c_note_open((const uint8_t *)buf, strlen(note), &v, &tl, &d);
		if (rc == C2C_OK) {
			/* Only a base64 padding-bit change could decode to the same signature;
			 * the vector's last character before '=' carries no padding bits. */
			TEST_FAIL_("flipped byte %zu still verifies", i);
		}
	}
	/* Truncated at every length. */
	for (size_t n = 0; n < strlen(note); n++) {
		struct c2c_diag d;
		size_t tl = 0;
		ASSERT(c2c_note_open((const uint8_t *)note, n, &v, &tl, &d) != C2C_OK);
	}
}

static void
unknown_key_and_wrong_key(void)
{
	struct c2c_verifier v;
	struct c2c_signer *other = NULL;
	struct c2c_diag d;
	size_t tl = 0;
	/* The same name with another key: the id differs, so the signature is unknown. */
	ASSERT_OK(c2c_signer_new("PeterNeumann", &other));
	c2c_signer_verifier(other, &v);
	ASSERT_ERR(c2c_note_open((const uint8_t *)note, strlen(note), &v, &tl, &d), C2C_ENOTFOUND);
	/* Same name and id but another public key: must be verified, and fails. */
	ASSERT_OK(c2c_verifier_parse(vkey, strlen(vkey), &v));
	v.pub[5] ^= 1;
	ASSERT_ERR(c2c_note_open((const uint8_t *)note, strlen(note), &v, &tl, &d), C2C_EVERIFY);
	c2c_signer_free(other);
}

static void
key_strings_rejected(void)
{
	struct c2c_verifier v;
	struct c2c_signer *s = NULL;
	const char *bad[] = { "", "PeterNeumann", "PeterNeumann+c74f20a3",
		"PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"PeterNeumann+c74f20a3+Arpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW" };
	for (size_t i = 0; i < C2C_ARRAY_LEN(bad); i++)
		ASSERT_ERR(c2c_verifier_parse(bad[i], strlen(bad[i]), &v), C2C_EFORMAT);
	ASSERT_ERR(c2c_signer_parse(vkey, strlen(vkey), &s), C2C_EFORMAT);
	ASSERT_ERR(c2c_signer_new("has space", &s), C2C_EINVAL);
	ASSERT_ERR(c2c_signer_new("a+b", &s), C2C_EINVAL);
	ASSERT_ERR(c2c_signer_new("", &s), C2C_EINVAL);
}

static void
sign_rejects_bad_text(void)
{
	struct c2c_signer *s = NULL;
	struct c2c_buf b;
	ASSERT_OK(c2c_signer_parse(skey, strlen(skey), &s));
	c2c_buf_init(&b, 1 << 16);
	ASSERT_ERR(c2c_note_sign("no newline", 10, s, &b), C2C_EINVAL);
	ASSERT_ERR(c2c_note_sign("tab\there\n", 9, s, &b), C2C_EINVAL);
	ASSERT_ERR(c2c_note_sign("ends blank\n\n", 12, s, &b), C2C_EINVAL);
	ASSERT_ERR(c2c_note_sign("bad \xff utf8\n", 11, s, &b), C2C_EINVAL);
	c2c_buf_fini(&b);
	c2c_signer_free(s);
}

static void
checkpoint_round_trip(void)
{
	struct c2c_checkpoint cp, back;
	struct c2c_buf b;
	memset(&cp, 0, sizeof(cp));
	(void)snprintf(cp.origin, sizeof(cp.origin), "example.com/log");
	cp.size = 8;
	ASSERT_OK(c2c_unhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", 64,
	    cp.root, 32));
	c2c_buf_init(&b, 1 << 16);
	ASSERT_OK(c2c_checkpoint_format(&cp, &b));
	ASSERT_NONNULL(c2c_buf_cstr(&b));
	ASSERT_STR_EQ((const char *)b.data,
	    "example.com/log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n");
	ASSERT_OK(c2c_checkpoint_parse((const char *)b.data, b.len, &back));
	ASSERT_STR_EQ(back.origin, cp.origin);
	ASSERT_U64_EQ(back.size, 8);
	ASSERT_MEM_EQ(back.root, cp.root, 32);
	/* Extension lines are tolerated; malformed bodies are not. */
	{
		const char *ok = "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next\n";
		const char *badv[] = { "o\n08\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
			"o\n-1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
			"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n",
			"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n",
			"\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
			"o\n99999999999999999999999\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
			"o\n1\n" };
		ASSERT_OK(c2c_checkpoint_parse(ok, strlen(ok), &back));
		for (size_t i = 0; i < C2C_ARRAY_LEN(badv); i++)
			ASSERT_ERR(c2c_checkpoint_parse(badv[i], strlen(badv[i]), &back), C2C_EFORMAT);
	}
	c2c_buf_fini(&b);
}

TEST_MAIN(go_vector_signs_identically, go_vector_opens, every_flipped_byte_rejected,
    unknown_key_and_wrong_key, key_strings_rejected, sign_rejects_bad_text,
    checkpoint_round_trip)

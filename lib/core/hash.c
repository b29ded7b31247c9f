/*
 * Digests through OpenSSL libcrypto (SHA-256 uses SHA-NI where the CPU has it) and SipHash-2-4
 * for hash tables keyed against hostile input.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

/* The SHA256_* calls below are deprecated in OpenSSL 3 in favour of EVP, but for the millions
 * of short messages of the evidence stage (Merkle leaves and nodes, record digests) the EVP
 * dispatch costs more than the compression itself: 195 ns against 123 ns for a 65-byte Merkle
 * node on the reference machine. Same implementation underneath (SHA-NI where present). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "c2chain/core.h"

/* OpenSSL 3 looks an algorithm up in its provider store under a read-write lock on every
 * EVP_DigestInit with the legacy EVP_sha256() handle; fetching once keeps the many small
 * digests (Merkle leaves, record fingerprints) off that lock. The fetched handles live for the
 * life of the process. */
static pthread_once_t g_md_once = PTHREAD_ONCE_INIT;
static EVP_MD *g_sha256, *g_sha1, *g_md5;

static void
fetch_digests(void)
{
	g_sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
	g_sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	g_md5 = EVP_MD_fetch(NULL, "MD5", NULL);
}

static const EVP_MD *
md_sha256(void)
{
	(void)pthread_once(&g_md_once, fetch_digests);
	return g_sha256 != NULL ? g_sha256 : EVP_sha256();
}

c2c_err
c2c_sha256_init(struct c2c_sha256 *h)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return C2C_ENOMEM;
	if (EVP_DigestInit_ex(ctx, md_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return C2C_ECRYPTO;
	}
	h->ctx = ctx;
	return C2C_OK;
}

void
c2c_sha256_update(struct c2c_sha256 *h, const void *p, size_t len)
{
	if (h->ctx != NULL && len > 0)
		(void)EVP_DigestUpdate(h->ctx, p, len);
}

void
c2c_sha256_final(struct c2c_sha256 *h, uint8_t out[32])
{
	unsigned n = 32;
	if (h->ctx == NULL) {
		memset(out, 0, 32);
		return;
	}
	(void)EVP_DigestFinal_ex(h->ctx, out, &n);
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

void
c2c_sha256_abort(struct c2c_sha256 *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

static void
one_shot(const EVP_MD *md, const void *p, size_t len, uint8_t *out)
{
	unsigned n = 0;
	(void)EVP_Digest(p, len, out, &n, md, NULL);
}

void
c2c_sha256(const void *p, size_t len, uint8_t out[32])
{
	SHA256_CTX s;
	if (len >= ((size_t)1 << 16)) { /* long: the EVP path is as fast */
		one_shot(md_sha256(), p, len, out);
		return;
	}
	(void)SHA256_Init(&s);
	(void)SHA256_Update(&s, p, len);
	(void)SHA256_Final(out, &s);
}

void
c2c_sha1(const void *p, size_t len, uint8_t out[20])
{
	(void)pthread_once(&g_md_once, fetch_digests);
	one_shot(g_sha1 != NULL ? g_sha1 : EVP_sha1(), p, len, out);
}

void
c2c_md5(const void *p, size_t len, uint8_t out[16])
{
	(void)pthread_once(&g_md_once, fetch_digests);
	one_shot(g_md5 != NULL ? g_md5 : EVP_md5(), p, len, out);
}

c2c_err
c2c_sha256_file(const char *path, uint8_t out[32], uint64_t *size, struct c2c_diag *diag)
{
	struct c2c_sha256 h;
	uint8_t *buf;
	uint64_t total = 0;
	c2c_err rc;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return c2c_diag_errno(diag, C2C_EIO, path, "open");
	buf = c2c_malloc(1 << 20);
	if (buf == NULL) {
		(void)close(fd);
		return C2C_ENOMEM;
	}
	rc = c2c_sha256_init(&h);
	while (rc == C2C_OK) {
		ssize_t n = read(fd, buf, 1 << 20);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = c2c_diag_errno(diag, C2C_EIO, path, "read");
			c2c_sha256_abort(&h);
			break;
		}
		if (n == 0) {
			c2c_sha256_final(&h, out);
			break;
		}
		c2c_sha256_update(&h, buf, (size_t)n);
		total += (uint64_t)n;
	}
	c2c_free(buf);
	(void)close(fd);
	if (rc == C2C_OK && size != NULL)
		*size = total;
	return rc;
}

/* SipHash-2-4, reference algorithm (Aumasson & Bernstein). */
#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                  \
	do {                                                                                      \
		v0 += v1;                                                                         \
		v1 = ROTL(v1, 13);                                                                \
		v1 ^= v0;                                                                         \
		v0 = ROTL(v0, 32);                                                                \
		v2 += v3;                                                                         \
		v3 = ROTL(v3, 16);                                                                \
		v3 ^= v2;                                                                         \
		v0 += v3;                                                                         \
		v3 = ROTL(v3, 21);                                                                \
		v3 ^= v0;                                                                         \
		v2 += v1;                                                                         \
		v1 = ROTL(v1, 17);                                                                \
		v1 ^= v2;                                                                         \
		v2 = ROTL(v2, 32);                                                                \
	} while (0)

static uint64_t
le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

uint64_t
c2c_siphash(const void *data, size_t len, const uint8_t key[16])
{
	const uint8_t *in = data;
	uint64_t k0 = le64(key), k1 = le64(key + 8);
	uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
	uint64_t v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
	uint64_t b = (uint64_t)len << 56, m;
	size_t i, end = len - len % 8;

	for (i = 0; i < end; i += 8) {
		m = le64(in + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t k = 0; k < len % 8; k++)
		b |= (uint64_t)in[end + k] << (8 * k);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

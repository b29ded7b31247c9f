/*
 * RFC 6962 §2.1 Merkle tree hash over leaf hashes, inclusion and consistency proofs, and their
 * verification by the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2. The root is computed with a
 * stack of perfect subtree hashes (a compact range), so memory stays O(log n); proofs walk the
 * recursive definitions of RFC 6962 iteratively from the top, hashing the sibling subtrees.
 */
#include <string.h>

#include "evidence/internal.h"

void
c2c_merkle_leaf(const void *data, size_t len, uint8_t out[32])
{
	static const uint8_t zero = 0x00;
	struct c2c_sha256 h;
	if (len < 512) {
		/* Short leaves (references, record commitments, most ledger lines): one-shot over
		 * 0x00 || data on the stack, no streaming context. */
		uint8_t buf[512];
		buf[0] = 0x00;
		if (len > 0)
			memcpy(buf + 1, data, len);
		c2c_sha256(buf, len + 1, out);
		return;
	}
	if (c2c_sha256_init(&h) != C2C_OK) {
		memset(out, 0, 32);
		return;
	}
	c2c_sha256_update(&h, &zero, 1);
	c2c_sha256_update(&h, data, len);
	c2c_sha256_final(&h, out);
}

void
c2c_merkle_node(const uint8_t left[32], const uint8_t right[32], uint8_t out[32])
{
	uint8_t buf[65];
	buf[0] = 0x01;
	memcpy(buf + 1, left, 32);
	memcpy(buf + 33, right, 32);
	c2c_sha256(buf, sizeof(buf), out);
}

void
c2c_merkle_root(const uint8_t (*leaves)[32], uint64_t n, uint8_t out[32])
{
	uint8_t stack[65][32];
	unsigned top = 0;

	if (n == 0) {
		c2c_sha256("", 0, out);
		return;
	}
	for (uint64_t i = 0; i < n; i++) {
		memcpy(stack[top++], leaves[i], 32);
		/* Each trailing one bit of i closes a perfect subtree: merge its two halves. */
		for (uint64_t k = i + 1; (k & 1) == 0; k >>= 1) {
			top--;
			c2c_merkle_node(stack[top - 1], stack[top], stack[top - 1]);
		}
	}
	/* The remaining perfect subtrees, largest on the left, combine right to left. */
	while (top > 1) {
		top--;
		c2c_merkle_node(stack[top - 1], stack[top], stack[top - 1]);
	}
	memcpy(out, stack[0], 32);
}

struct root_job {
	const uint8_t (*leaves)[32];
	uint64_t n;
	uint8_t out[32];
};

static void
root_job_run(void *arg)
{
	struct root_job *j = arg;
	c2c_merkle_root(j->leaves, j->n, j->out);
}

void
c2c__merkle_root_par(const uint8_t (*leaves)[32], uint64_t n, bool par, uint8_t out[32])
{
	struct root_job right;
	struct c2c__task t;
	uint8_t left[32];
	uint64_t k = 1;

	if (!par || n < C2C__PAR_MIN) {
		c2c_merkle_root(leaves, n, out);
		return;
	}
	/* MTH(D[n]) = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two below n. */
	while (k * 2 < n)
		k *= 2;
	right.leaves = leaves + k;
	right.n = n - k;
	c2c__task_start(&t, true, root_job_run, &right);
	c2c_merkle_root(leaves, k, left);
	c2c__task_join(&t);
	c2c_merkle_node(left, right.out, out);
}

/* Largest power of two strictly less than n (n >= 2). */
static uint64_t
split_point(uint64_t n)
{
	uint64_t k = 1;
	while (k << 1 < n)
		k <<= 1;
	return k;
}

static void
reverse(uint8_t (*p)[32], size_t n)
{
	uint8_t t[32];
	for (size_t i = 0; i < n / 2; i++) {
		memcpy(t, p[i], 32);
		memcpy(p[i], p[n - 1 - i], 32);
		memcpy(p[n - 1 - i], t, 32);
	}
}

c2c_err
c2c_merkle_inclusion_proof(const uint8_t (*leaves)[32], uint64_t n, uint64_t index,
    uint8_t (*proof)[32], size_t *proof_n)
{
	uint64_t lo = 0, hi = n;
	size_t k = 0;

	if (index >= n)
		return C2C_EINVAL;
	/* PATH(m, D[lo:hi]) of RFC 6962 §2.1.1, top-down: the sibling of each step is the hash
	 * of the half not containing m. The proof lists them bottom-up. */
	while (hi - lo > 1) {
		uint64_t s = split_point(hi - lo);
		if (index < lo + s) {
			c2c_merkle_root(leaves + lo + s, hi - lo - s, proof[k++]);
			hi = lo + s;
		} else {
			c2c_merkle_root(leaves + lo, s, proof[k++]);
			lo += s;
		}
	}
	reverse(proof, k);
	*proof_n = k;
	return C2C_OK;
}

c2c_err
c2c_merkle_consistency_proof(const uint8_t (*leaves)[32], uint64_t n1, uint64_t n2,
    uint8_t (*proof)[32], size_t *proof_n)
{
	uint64_t lo = 0, hi = n2, m = n1;
	bool whole = true;
	size_t k = 0;

	if (n1 == 0 || n1 > n2)
		return C2C_EINVAL;
	if (n1 == n2) {
		*proof_n = 0;
		return C2C_OK;
	}
	/* SUBPROOF(m, D[lo:hi], b) of RFC 6962 §2.1.2, top-down. Collected hashes are emitted in
	 * reverse order; the base case (when the old tree is not a whole subtree of the new one)
	 * contributes MTH(D[lo:hi]) first. */
	while (m != hi - lo) {
		uint64_t s = split_point(hi - lo);
		if (m <= s) {
			c2c_merkle_root(leaves + lo + s, hi - lo - s, proof[k++]);
			hi = lo + s;
		} else {
			c2c_merkle_root(leaves + lo, s, proof[k++]);
			m -= s;
			lo += s;
			whole = false;
		}
	}
	if (!whole)
		c2c_merkle_root(leaves + lo, hi - lo, proof[k++]);
	/* proof[0..k-1] = top-down siblings then the base; the RFC order is base, then siblings
	 * bottom-up: exactly the reverse. */
	reverse(proof, k);
	*proof_n = k;
	return C2C_OK;
}

c2c_err
c2c_merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[32],
    const uint8_t (*proof)[32], size_t proof_n, const uint8_t root[32])
{
	uint64_t fn = index, sn;
	uint8_t r[32];

	if (index >= size)
		return C2C_EVERIFY;
	sn = size - 1;
	memcpy(r, leaf, 32);
	for (size_t i = 0; i < proof_n; i++) {
		if (sn == 0)
			return C2C_EVERIFY;
		if ((fn & 1) || fn == sn) {
			c2c_merkle_node(proof[i], r, r);
			if ((fn & 1) == 0)
				while ((fn & 1) == 0 && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			c2c_merkle_node(r, proof[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(r, root, 32) == 0 ? C2C_OK : C2C_EVERIFY;
}

c2c_err
c2c_merkle_verify_consistency(uint64_t size1, uint64_t size2, const uint8_t (*proof)[32],
    size_t proof_n, const uint8_t root1[32], const uint8_t root2[32])
{
	uint64_t fn, sn;
	uint8_t fr[32], sr[32];
	size_t i = 0;
	bool pow2;

	if (size1 > size2)
		return C2C_EVERIFY;
	if (size1 == size2)
		return proof_n == 0 && memcmp(root1, root2, 32) == 0 ? C2C_OK : C2C_EVERIFY;
	if (size1 == 0)
		return proof_n == 0 ? C2C_OK : C2C_EVERIFY;
	if (proof_n == 0)
		return C2C_EVERIFY;
	/* Step 1: an old tree that is a perfect subtree is its own first proof node. */
	pow2 = (size1 & (size1 - 1)) == 0;
	fn = size1 - 1;
	sn = size2 - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	if (pow2) {
		memcpy(fr, root1, 32);
	} else {
		memcpy(fr, proof[0], 32);
		i = 1;
	}
	memcpy(sr, fr, 32);
	for (; i < proof_n; i++) {
		if (sn == 0)
			return C2C_EVERIFY;
		if ((fn & 1) || fn == sn) {
			c2c_merkle_node(proof[i], fr, fr);
			c2c_merkle_node(proof[i], sr, sr);
			if ((fn & 1) == 0)
				while ((fn & 1) == 0 && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			c2c_merkle_node(sr, proof[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || memcmp(fr, root1, 32) != 0 || memcmp(sr, root2, 32) != 0)
		return C2C_EVERIFY;
	return C2C_OK;
}

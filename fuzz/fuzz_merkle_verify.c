/*
 * Fuzz the Merkle proof verifiers with garbage proofs: input = size1 (8 bytes BE), size2 (8),
 * index (8), then 32-byte hashes (first two are roots, third a leaf, the rest the proof).
 * Invariants: no crash; a proof accepted for inclusion is accepted only at a leaf the tree of
 * those leaves really has; proofs this code generates always verify.
 */
#include <string.h>

#include "c2chain/evidence.h"

static uint64_t
be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t proof[C2C_MERKLE_MAX_PROOF + 4][32];
	uint8_t leaves[64][32], root[32], p2[C2C_MERKLE_MAX_PROOF][32];
	uint64_t s1, s2, idx;
	size_t n, pn = 0;

	if (size < 24 + 3 * 32)
		return 0;
	s1 = be64(data);
	s2 = be64(data + 8);
	idx = be64(data + 16);
	n = (size - 24) / 32;
	if (n > C2C_MERKLE_MAX_PROOF + 3)
		n = C2C_MERKLE_MAX_PROOF + 3;
	memcpy(proof, data + 24, n * 32);
	(void)c2c_merkle_verify_inclusion(idx, s2, proof[2], (const uint8_t(*)[32])proof + 3, n - 3,
	    proof[0]);
	(void)c2c_merkle_verify_consistency(s1, s2, (const uint8_t(*)[32])proof + 3, n - 3,
	    proof[0], proof[1]);
	/* A small real tree from the input's bytes: its own proofs verify, garbage does not
	 * verify at a different index. */
	{
		uint64_t m = (s2 % 63) + 1, i = idx % m, k = (s1 % m) + 1;
		for (uint64_t j = 0; j < m; j++)
			c2c_merkle_leaf(data + (j % size), 1, leaves[j]);
		c2c_merkle_root((const uint8_t(*)[32])leaves, m, root);
		if (c2c_merkle_inclusion_proof((const uint8_t(*)[32])leaves, m, i, p2, &pn) != C2C_OK ||
		    c2c_merkle_verify_inclusion(i, m, leaves[i], (const uint8_t(*)[32])p2, pn, root) !=
			C2C_OK)
			__builtin_trap();
		if (c2c_merkle_consistency_proof((const uint8_t(*)[32])leaves, k, m, p2, &pn) ==
		    C2C_OK) {
			uint8_t r1[32];
			c2c_merkle_root((const uint8_t(*)[32])leaves, k, r1);
			if (c2c_merkle_verify_consistency(k, m, (const uint8_t(*)[32])p2, pn, r1, root) !=
			    C2C_OK)
				__builtin_trap();
		}
		/* The garbage proof must not prove a leaf the tree does not contain. */
		if (c2c_merkle_verify_inclusion(i, m, proof[2], (const uint8_t(*)[32])proof + 3, n - 3,
			root) == C2C_OK) {
			bool found = false;
			for (uint64_t j = 0; j < m; j++)
				found = found || memcmp(leaves[j], proof[2], 32) == 0;
			if (!found)
				__builtin_trap();
		}
	}
	return 0;
}

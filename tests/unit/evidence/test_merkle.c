/*
 * RFC 6962 / RFC 9162 Merkle trees against the published vectors of transparency-dev/merkle
 * (testonly/constants.go, proof/verify_test.go): roots of the trees over the eight standard
 * leaves, inclusion and consistency proofs, and the corruptions those tests reject.
 */
#include "c2chain/evidence.h"
#include "test.h"

static const char *const leaf_hex[8] = { "", "00", "10", "2021", "3031", "40414243",
	"5051525354555657", "606162636465666768696a6b6c6d6e6f" };

static const char *const root_hex[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct pvec {
	uint64_t a, b; /* inclusion: leaf (1-based), size; consistency: size1, size2 */
	size_t n;
	const char *h[3];
};

static const struct pvec incl[] = {
	{ 1, 1, 0, { NULL } },
	{ 1, 8, 3,
	    { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
	{ 6, 8, 3,
	    { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
	{ 3, 3, 1, { "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" } },
	{ 2, 5, 3,
	    { "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
};

static const struct pvec cons[] = {
	{ 1, 1, 0, { NULL } },
	{ 1, 8, 3,
	    { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
	{ 6, 8, 3,
	    { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
		"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
	{ 2, 5, 2,
	    { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
	{ 6, 7, 3,
	    { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
		"b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
};

static uint8_t leaves[8][32];
static uint8_t roots[9][32];

static void
hx(const char *s, uint8_t *out, size_t n)
{
	ASSERT_OK(c2c_unhex(s, strlen(s), out, n));
}

static void
setup(void)
{
	for (int i = 0; i < 8; i++) {
		uint8_t d[16];
		size_t n = strlen(leaf_hex[i]) / 2;
		hx(leaf_hex[i], d, n);
		c2c_merkle_leaf(d, n, leaves[i]);
	}
	for (int i = 0; i < 9; i++)
		hx(root_hex[i], roots[i], 32);
}

static void
roots_of_sizes_0_to_8(void)
{
	uint8_t r[32];
	setup();
	for (uint64_t n = 0; n <= 8; n++) {
		c2c_merkle_root((const uint8_t(*)[32])leaves, n, r);
		ASSERT_MEM_EQ(r, roots[n], 32);
	}
}

static void
inclusion_vectors(void)
{
	setup();
	for (size_t v = 0; v < C2C_ARRAY_LEN(incl); v++) {
		uint8_t want[3][32], got[C2C_MERKLE_MAX_PROOF][32];
		size_t gn = 0;
		uint64_t idx = incl[v].a - 1, size = incl[v].b;
		for (size_t k = 0; k < incl[v].n; k++)
			hx(incl[v].h[k], want[k], 32);
		ASSERT_OK(c2c_merkle_inclusion_proof((const uint8_t(*)[32])leaves, size, idx, got, &gn));
		ASSERT_EQ(gn, incl[v].n);
		for (size_t k = 0; k < gn; k++)
			ASSERT_MEM_EQ(got[k], want[k], 32);
		ASSERT_OK(c2c_merkle_verify_inclusion(idx, size, leaves[idx],
		    (const uint8_t(*)[32])want, incl[v].n, roots[size]));
		/* Corruptions from verify_test.go: wrong index, wrong size, wrong leaf or root,
		 * extra or missing hashes, a flipped bit. */
		ASSERT_ERR(c2c_merkle_verify_inclusion(idx + 1, size, leaves[idx],
		    (const uint8_t(*)[32])want, incl[v].n, roots[size]), C2C_EVERIFY);
		if (idx > 0)
			ASSERT_ERR(c2c_merkle_verify_inclusion(idx - 1, size, leaves[idx],
			    (const uint8_t(*)[32])want, incl[v].n, roots[size]), C2C_EVERIFY);
		ASSERT_ERR(c2c_merkle_verify_inclusion(idx, size * 2, leaves[idx],
		    (const uint8_t(*)[32])want, incl[v].n, roots[size]), C2C_EVERIFY);
		ASSERT_ERR(c2c_merkle_verify_inclusion(idx, size, leaves[(idx + 1) % 8],
		    (const uint8_t(*)[32])want, incl[v].n, roots[size]), C2C_EVERIFY);
		ASSERT_ERR(c2c_merkle_verify_inclusion(idx, size, leaves[idx],
		    (const uint8_t(*)[32])want, incl[v].n, roots[0]), C2C_EVERIFY);
		{
			uint8_t longer[4][32];
			memcpy(longer, want, sizeof(want));
			memcpy(longer[incl[v].n], roots[size], 32);
			ASSERT_ERR(c2c_merkle_verify_inclusion(idx, size, leaves[idx],
			    (const uint8_t(*)[32])longer, incl[v].n + 1, roots[size]), C2C_EVERIFY);
		}
		for (size_t k = 0; k < incl[v].n; k++) {
			uint8_t bad[3][32];
			memcpy(bad, want, sizeof(want));
			bad[k][0] ^= 8;
			ASSERT_ERR(c2c_merkle_verify_inclusion(idx, size, leaves[idx],
			    (const uint8_t(*)[32])bad, incl[v].n, roots[size]), C2C_EVERIFY);
		}
		if (incl[v].n > 0)
			ASSERT_ERR(c2c_merkle_verify_inclusion(idx, size, leaves[idx],
			    (const uint8_t(*)[32])want, incl[v].n - 1, roots[size]), C2C_EVERIFY);
	}
	/* Degenerate probes: index beyond the tree. */
	ASSERT_ERR(c2c_merkle_verify_inclusion(0, 0, leaves[0], NULL, 0, roots[0]), C2C_EVERIFY);
	ASSERT_ERR(c2c_merkle_verify_inclusion(2, 1, leaves[0], NULL, 0, roots[1]), C2C_EVERIFY);
	ASSERT_OK(c2c_merkle_verify_inclusion(0, 1, leaves[0], NULL, 0, roots[1]));
}

static void
consistency_vectors(void)
{
	setup();
	for (size_t v = 0; v < C2C_ARRAY_LEN(cons); v++) {
		uint8_t want[3][32], got[C2C_MERKLE_MAX_PROOF][32];
		size_t gn = 0;
		uint64_t s1 = cons[v].a, s2 = cons[v].b;
		for (size_t k = 0; k < cons[v].n; k++)
			hx(cons[v].h[k], want[k], 32);
		ASSERT_OK(c2c_merkle_consistency_proof((const uint8_t(*)[32])leaves, s1, s2, got, &gn));
		ASSERT_EQ(gn, cons[v].n);
		for (size_t k = 0; k < gn; k++)
			ASSERT_MEM_EQ(got[k], want[k], 32);
		ASSERT_OK(c2c_merkle_verify_consistency(s1, s2, (const uint8_t(*)[32])want, cons[v].n,
		    roots[s1], roots[s2]));
		if (cons[v].n == 0)
			continue;
		ASSERT_ERR(c2c_merkle_verify_consistency(s1 - 1, s2, (const uint8_t(*)[32])want,
		    cons[v].n, roots[s1], roots[s2]), C2C_EVERIFY);
		ASSERT_ERR(c2c_merkle_verify_consistency(s1 + 1, s2, (const uint8_t(*)[32])want,
		    cons[v].n, roots[s1], roots[s2]), C2C_EVERIFY);
		ASSERT_ERR(c2c_merkle_verify_consistency(s1, s2 * 2, (const uint8_t(*)[32])want,
		    cons[v].n, roots[s1], roots[s2]), C2C_EVERIFY);
		ASSERT_ERR(c2c_merkle_verify_consistency(s1, s2, (const uint8_t(*)[32])want,
		    cons[v].n, roots[s2], roots[s1]), C2C_EVERIFY);
		ASSERT_ERR(c2c_merkle_verify_consistency(s1, s2, (const uint8_t(*)[32])want, 0,
		    roots[s1], roots[s2]), C2C_EVERIFY);
		ASSERT_ERR(c2c_merkle_verify_consistency(s1, s2, (const uint8_t(*)[32])want,
		    cons[v].n - 1, roots[s1], roots[s2]), C2C_EVERIFY);
		for (size_t k = 0; k < cons[v].n; k++) {
			uint8_t bad[3][32];
			memcpy(bad, want, sizeof(want));
			bad[k][0] ^= 16;
			ASSERT_ERR(c2c_merkle_verify_consistency(s1, s2, (const uint8_t(*)[32])bad,
			    cons[v].n, roots[s1], roots[s2]), C2C_EVERIFY);
		}
	}
	/* Sizes that are always consistent, and time travel. */
	ASSERT_OK(c2c_merkle_verify_consistency(0, 0, NULL, 0, roots[0], roots[0]));
	ASSERT_OK(c2c_merkle_verify_consistency(0, 1, NULL, 0, roots[0], roots[1]));
	ASSERT_ERR(c2c_merkle_verify_consistency(1, 1, NULL, 0, roots[1], roots[2]), C2C_EVERIFY);
	ASSERT_ERR(c2c_merkle_verify_consistency(2, 1, NULL, 0, roots[2], roots[1]), C2C_EVERIFY);
	ASSERT_ERR(c2c_merkle_verify_consistency(1, 2, NULL, 0, roots[1], roots[2]), C2C_EVERIFY);
	ASSERT_ERR(c2c_merkle_verify_consistency(0, 1, (const uint8_t(*)[32])roots, 1, roots[0],
	    roots[1]), C2C_EVERIFY);
}

/* Every proof this code generates for trees up to 70 leaves verifies, and only at its index. */
static void
round_trip_all_small_trees(void)
{
	static uint8_t lv[70][32];
	for (int i = 0; i < 70; i++) {
		uint8_t b = (uint8_t)i;
		c2c_merkle_leaf(&b, 1, lv[i]);
	}
	for (uint64_t n = 1; n <= 70; n++) {
		uint8_t root[32];
		c2c_merkle_root((const uint8_t(*)[32])lv, n, root);
		for (uint64_t i = 0; i < n; i++) {
			uint8_t p[C2C_MERKLE_MAX_PROOF][32];
			size_t pn = 0;
			ASSERT_OK(c2c_merkle_inclusion_proof((const uint8_t(*)[32])lv, n, i, p, &pn));
			ASSERT_OK(c2c_merkle_verify_inclusion(i, n, lv[i], (const uint8_t(*)[32])p, pn,
			    root));
			if (n > 1)
				ASSERT_ERR(c2c_merkle_verify_inclusion((i + 1) % n, n, lv[i],
				    (const uint8_t(*)[32])p, pn, root), C2C_EVERIFY);
		}
		for (uint64_t m = 1; m <= n; m++) {
			uint8_t p[C2C_MERKLE_MAX_PROOF][32], r1[32];
			size_t pn = 0;
			c2c_merkle_root((const uint8_t(*)[32])lv, m, r1);
			ASSERT_OK(c2c_merkle_consistency_proof((const uint8_t(*)[32])lv, m, n, p, &pn));
			ASSERT_OK(c2c_merkle_verify_consistency(m, n, (const uint8_t(*)[32])p, pn, r1,
			    root));
			if (m < n)
				ASSERT_ERR(c2c_merkle_verify_consistency(m, n, (const uint8_t(*)[32])p, pn,
				    root, root), C2C_EVERIFY);
		}
	}
	ASSERT_ERR(c2c_merkle_inclusion_proof((const uint8_t(*)[32])lv, 3, 3, NULL, NULL),
	    C2C_EINVAL);
	ASSERT_ERR(c2c_merkle_consistency_proof((const uint8_t(*)[32])lv, 0, 3, NULL, NULL),
	    C2C_EINVAL);
}

TEST_MAIN(roots_of_sizes_0_to_8, inclusion_vectors, consistency_vectors,
    round_trip_all_small_trees)

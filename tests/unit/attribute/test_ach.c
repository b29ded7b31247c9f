/* ACH arithmetic: integer powers of ten, ICD 203 bands, Admiralty credibility. C2C_TORTURE */
#include "attribute/assess_int.h"
#include "test.h"

static void
pow10_is_exact_enough_and_monotone(void)
{
	/* 10^(-d/1024) in Q30 against values computed offline to 1e-9 (python: round(2**30 *
	 * 10**(-d/1024))); the integer square-root chain is within a few ulp. */
	static const struct {
		int64_t d;
		uint64_t q30;
	} v[] = { { 0, 1073741824 }, { 1, 1071330101 }, { 512, 339546978 },
		{ 1024, 107374182 }, { 922, 135054558 }, { 2048, 10737418 }, { 1638, 26995445 } };
	uint64_t prev = (uint64_t)1 << 31;
	for (size_t i = 0; i < C2C_ARRAY_LEN(v); i++) {
		uint64_t got = c2c__pow10_neg_q30(v[i].d);
		uint64_t diff = got > v[i].q30 ? got - v[i].q30 : v[i].q30 - got;
		if (diff > 8)
			TEST_FAIL_("10^(-%lld/1024): %llu, want %llu", (long long)v[i].d,
			    (unsigned long long)got, (unsigned long long)v[i].q30);
	}
	for (int64_t d = 0; d < 12000; d += 7) {
		uint64_t x = c2c__pow10_neg_q30(d);
		ASSERT(x <= prev);
		prev = x;
	}
	ASSERT_U64_EQ(c2c__pow10_neg_q30(10240), 0);
	ASSERT_U64_EQ(c2c__pow10_neg_q30(-5), (uint64_t)1 << 30);
}

static void
icd203_bands(void)
{
	static const struct {
		int64_t p;
		const char *term;
		int lo, hi;
	} v[] = { { 0, "almost no chance", 1, 5 }, { 49999, "almost no chance", 1, 5 },
		{ 50000, "very unlikely", 5, 20 }, { 200000, "unlikely", 20, 45 },
		{ 450000, "roughly even chance", 45, 55 }, { 550000, "roughly even chance", 45, 55 },
		{ 550001, "likely", 55, 80 }, { 666900, "likely", 55, 80 },
		{ 800000, "very likely", 80, 95 }, { 950000, "almost certain", 95, 99 },
		{ 1000000, "almost certain", 95, 99 } };
	for (size_t i = 0; i < C2C_ARRAY_LEN(v); i++) {
		const char *t;
		int lo, hi;
		c2c_icd203_term(v[i].p, &t, &lo, &hi);
		ASSERT_STR_EQ(t, v[i].term);
		ASSERT_EQ(lo, v[i].lo);
		ASSERT_EQ(hi, v[i].hi);
	}
}

static void
admiralty_credibility(void)
{
	int c;
	ASSERT_OK(c2c__admiralty_cred("A1", &c));
	ASSERT_EQ(c, C2C__LV_H);
	ASSERT_OK(c2c__admiralty_cred("B2", &c));
	ASSERT_EQ(c, C2C__LV_H);
	ASSERT_OK(c2c__admiralty_cred("B3", &c)); /* the lower of the two parts */
	ASSERT_EQ(c, C2C__LV_M);
	ASSERT_OK(c2c__admiralty_cred("C1", &c));
	ASSERT_EQ(c, C2C__LV_M);
	ASSERT_OK(c2c__admiralty_cred("A5", &c));
	ASSERT_EQ(c, C2C__LV_L);
	ASSERT_ERR(c2c__admiralty_cred("G1", &c), C2C_EINVAL);
	ASSERT_ERR(c2c__admiralty_cred("A", &c), C2C_EINVAL);
	ASSERT_ERR(c2c__admiralty_cred(NULL, &c), C2C_EINVAL);
}

/* PARC weights: H x H = 2000 exactly, L x L = 500; a group votes once with its strongest row. */
static void
weights_and_group_votes(void)
{
	struct c2c__model m;
	int64_t s[C2C__MAX_HYP];
	int lead[4];
	memset(&m, 0, sizeof(m));
	m.n_hyp = 3;
	m.hyp[0].kind = C2C__H_UNK;
	m.hyp[1].kind = C2C__H_TOOL;
	m.hyp[2].kind = C2C__H_RELAY;
	m.items = c2c_calloc(3, sizeof(*m.items));
	ASSERT_NONNULL(m.items);
	m.n_item = 3;
	m.n_group = 2;
	m.items[0].cred = C2C__LV_H, m.items[0].rel = C2C__LV_H, m.items[0].group = 0;
	m.items[1].cred = C2C__LV_L, m.items[1].rel = C2C__LV_L, m.items[1].group = 0;
	m.items[2].cred = C2C__LV_M, m.items[2].rel = C2C__LV_H, m.items[2].group = 1;
	m.items[0].rating[0] = C2C__R_C, m.items[0].rating[1] = C2C__R_I,
	m.items[0].rating[2] = C2C__R_I;
	m.items[1].rating[0] = C2C__R_C, m.items[1].rating[1] = C2C__R_II,
	m.items[1].rating[2] = C2C__R_N;
	m.items[2].rating[0] = C2C__R_N, m.items[2].rating[1] = C2C__R_N,
	m.items[2].rating[2] = C2C__R_II;
	c2c__ach_weights(&m);
	ASSERT_EQ(m.items[0].weight_e3, 2000);
	ASSERT_EQ(m.items[1].weight_e3, 500);
	ASSERT_EQ(m.items[2].weight_e3, 1414);
	c2c__ach_scores(&m, -1, s);
	ASSERT_EQ(s[0], 0);
	ASSERT_EQ(s[1], -2000); /* group 0: min(-2000, -1000), not the sum */
	ASSERT_EQ(s[2], -2000 - 2828);
	ASSERT_EQ(c2c__ach_leaders(&m, s, lead, 4), 1);
	ASSERT_EQ(lead[0], 0);
	c2c__ach_scores(&m, 0, s); /* leave group 0 out */
	ASSERT_EQ(s[1], 0);
	ASSERT_EQ(c2c__ach_leaders(&m, s, lead, 4), 2);
	c2c_free(m.items);
}

TEST_MAIN(pow10_is_exact_enough_and_monotone, icd203_bands, admiralty_credibility,
    weights_and_group_votes)

/* Community ID v1: the spec's table vectors (default, seed 1, hex) and Zeek's ICMP mapping. */
#include "ingest/flowtab.h"
#include "test.h"

static void
community_id_vectors(void)
{
	struct c2c_ip a, b;
	char out[64];
	ASSERT_OK(c2c_ip_parse(&a, "1.2.3.4"));
	ASSERT_OK(c2c_ip_parse(&b, "5.6.7.8"));
	ASSERT(c2c__community_id(&a, &b, 1122, 3344, 6, 0, true, out, sizeof(out)));
	ASSERT_STR_EQ(out, "1:wCb3OG7yAFWelaUydu0D+125CLM=");
	ASSERT(c2c__community_id(&b, &a, 3344, 1122, 6, 0, true, out, sizeof(out)));
	ASSERT_STR_EQ(out, "1:wCb3OG7yAFWelaUydu0D+125CLM=");
	ASSERT(c2c__community_id(&a, &b, 1122, 3344, 17, 1, true, out, sizeof(out)));
	ASSERT_STR_EQ(out, "1:OShq+iKDAMVouh/4bMxB9Sz4amw=");
	ASSERT(c2c__community_id(&a, &b, 1122, 3344, 132, 0, false, out, sizeof(out)));
	ASSERT_STR_EQ(out, "1:10ab7832cc6ec9a13a98bfa19ab12443d72c0c3f");
	ASSERT(c2c__community_id(&b, &a, 0, 0, 1, 0, true, out, sizeof(out)));
	ASSERT_STR_EQ(out, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=");
	ASSERT(c2c__community_id(&a, &b, 11, 0, 1, 0, true, out, sizeof(out)));
	ASSERT_STR_EQ(out, "1:f/YiSyWqczrTgfUCZlBUnvHRcPk=");
	ASSERT(c2c__community_id(&a, &b, 0, 0, 46, 0, true, out, sizeof(out)));
	ASSERT_STR_EQ(out, "1:ikv3kmf89luf73WPz1jOs49S768=");
	ASSERT_OK(c2c_ip_parse(&a, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D"));
	ASSERT_OK(c2c_ip_parse(&b, "fe80:1011:1213:1415:1617:1819:1A1B:1C1D"));
	ASSERT(c2c__community_id(&b, &a, 129, 0, 58, 0, true, out, sizeof(out)));
	ASSERT_STR_EQ(out, "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=");
	ASSERT(c2c__community_id(&a, &b, 146, 0, 58, 1, true, out, sizeof(out)));
	ASSERT_STR_EQ(out, "1:Cv4IKJe56BNkF0MBW2YxQ3Nwc3s=");
	ASSERT(!c2c__community_id(&a, &b, 1, 2, 6, 0, true, out, 10));
}

static void
icmp_counterparts(void)
{
	bool one_way;
	ASSERT_EQ(c2c__icmp_counterpart(1, 8, 0, &one_way), 0);
	ASSERT(!one_way);
	ASSERT_EQ(c2c__icmp_counterpart(1, 3, 1, &one_way), 1);
	ASSERT(one_way);
	ASSERT_EQ(c2c__icmp_counterpart(58, 135, 0, &one_way), 136);
	ASSERT_EQ(c2c__icmp_counterpart(58, 143, 0, &one_way), 0);
	ASSERT(one_way);
}

TEST_MAIN(community_id_vectors, icmp_counterparts)

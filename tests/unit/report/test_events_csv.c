/* Shadowserver-layout event CSV from the attribute fixture. */
#include "c2chain/events.h"
#include "unit/attribute/infra_fixture.h"

static void
rows_in_shadowserver_layout(void)
{
	struct fixture fx;
	struct c2c_infra *x;
	struct c2c_infra_result r;
	struct c2c_diag diag = { 0 };
	struct c2c_buf b;
	const char *text, *line;
	int n = 0;

	fx_init(&fx);
	ASSERT_OK(c2c_infra_new(&x));
	fx_feed(&fx, x, 0);
	ASSERT_OK(c2c_infra_build(x, &fx.opts, &r, &diag));
	c2c_buf_init(&b, 1 << 20);
	ASSERT_OK(c2c_events_csv(fx.findings, r.infrastructure, &fx.opts, &b, &diag));
	text = c2c_buf_cstr(&b);
	ASSERT_NONNULL(text);
	/* The real header of event4_sinkhole (anchors.md §8). */
	ASSERT(strncmp(text,
		   "timestamp,protocol,src_ip,src_port,src_asn,src_geo,src_region,src_city,"
		   "src_hostname,src_naics,src_sector,device_vendor,device_type,device_model,dst_ip,"
		   "dst_port,dst_asn,dst_geo,dst_region,dst_city,dst_hostname,dst_naics,dst_sector,"
		   "public_source,infection,family,tag,application,version,event_id\n",
		   strlen(c2c_events_csv_header()) + 1) == 0);
	for (line = text; (line = strchr(line, '\n')) != NULL && line[1] != '\0'; line++) {
		int commas = 0;
		for (const char *p = line + 1; *p && *p != '\n'; p++)
			commas += *p == ',';
		ASSERT_EQ(commas, 29);
		n++;
	}
	/* 17 distinct (host, endpoint, port) among the 18 counted findings (10.1.0.1 -> 45.0.0.1
	 * has an intel hit and a beacon). */
	ASSERT_EQ(n, 17);
	ASSERT(strstr(text, "2020-09-13 12:26:40,,10.1.0.1,,,CN,,,,,,,,,45.0.0.1,443,64500,DE,,,,,,"
			    "c2chain,emotet,emotet,beacon;intel-hit;role:owned,,,") != NULL);
	ASSERT(strstr(text, ",2.2.2.2,,3215,FR,") != NULL);
	ASSERT(strstr(text, ",46.0.0.1,443,64502,US,,,evil.example,") != NULL);
	ASSERT(strstr(text, "role:sinkhole") != NULL);
	ASSERT(strstr(text, "10.0.0.53") == NULL); /* the resolver of a DNS tunnel */
	c2c_buf_fini(&b);
	/* Deterministic: the same bytes from findings in reverse order. */
	{
		json_t *rev = json_array();
		struct c2c_buf b2;
		size_t k = json_array_size(fx.findings);
		ASSERT_NONNULL(rev);
		for (size_t i = 0; i < k; i++)
			ASSERT_NONNULL(json_array_append(rev, json_array_get(fx.findings, k - 1 - i)) == 0
				? rev
				: NULL);
		c2c_buf_init(&b, 1 << 20);
		c2c_buf_init(&b2, 1 << 20);
		ASSERT_OK(c2c_events_csv(fx.findings, r.infrastructure, &fx.opts, &b, &diag));
		ASSERT_OK(c2c_events_csv(rev, r.infrastructure, &fx.opts, &b2, &diag));
		ASSERT_EQ(b.len, b2.len);
		ASSERT_MEM_EQ(b.data, b2.data, b.len);
		c2c_buf_fini(&b);
		c2c_buf_fini(&b2);
		json_decref(rev);
	}
	c2c_infra_result_fini(&r);
	c2c_infra_free(x);
	fx_fini(&fx);
}

static void
quoting_and_no_infrastructure(void)
{
	struct c2c_buf b;
	struct c2c_diag diag = { 0 };
	json_t *f = json_pack("[{s:s,s:s,s:{s:s,s:s,s:s},s:{s:[s]}}]", "id", "intel-hit:1", "type",
	    "intel-hit", "subject", "host", "192.0.2.1", "peer", "2001:db8::1", "proto", "tcp",
	    "result", "labels", "bad,\"family\"");
	ASSERT_NONNULL(f);
	c2c_buf_init(&b, 1 << 16);
	ASSERT_OK(c2c_events_csv(f, NULL, NULL, &b, &diag));
	ASSERT(strstr(c2c_buf_cstr(&b), "1970-01-01 00:00:00,tcp,192.0.2.1,,,,,,,,,,,,2001:db8::1,,,,,,"
					",,,c2chain,\"bad,\"\"family\"\"\",\"bad,\"\"family\"\"\","
					"intel-hit,,,intel-hit:1\n") != NULL);
	c2c_buf_fini(&b);
	json_decref(f);
}

TEST_MAIN(rows_in_shadowserver_layout, quoting_and_no_infrastructure)

/* c2chain.conf: defaults, parsing, errors naming file and line, round trip. C2C_TORTURE */
#include "c2chain/config.h"
#include "test.h"

static void
defaults_are_ritas(void)
{
	struct c2c_config *cfg = NULL;
	ASSERT_OK(c2c_config_new_default(&cfg));
	ASSERT_EQ(c2c_config_int(cfg, "beacon.ts_weight"), 250000);
	ASSERT_EQ(c2c_config_int(cfg, "beacon.min_unique_timestamps"), 4);
	ASSERT_EQ(c2c_config_int(cfg, "beacon.histogram_mode_sensitivity"), 50000);
	ASSERT_EQ(c2c_config_int(cfg, "longconn.base"), 3600LL * C2C_USEC);
	ASSERT_EQ(c2c_config_int(cfg, "longconn.high"), 12 * 3600LL * C2C_USEC);
	ASSERT_EQ(c2c_config_int(cfg, "dnstunnel.base"), 100);
	ASSERT_EQ(c2c_config_int(cfg, "strobe.min_connections_per_day"), 86400);
	ASSERT_STR_EQ(c2c_config_str(cfg, "detect.mode"), "default");
	ASSERT(c2c_config_bool(cfg, "network.external_to_external"));
	ASSERT(!c2c_config_bool(cfg, "network.internal_to_internal"));
	ASSERT_EQ(c2c_config_n_subnets(cfg), 4);
	/* Unknown names read as zero, never crash. */
	ASSERT_EQ(c2c_config_int(cfg, "beacon.nope"), 0);
	ASSERT_STR_EQ(c2c_config_str(cfg, "nope"), "");
	c2c_config_free(cfg);
}

static void
parses_every_type(void)
{
	static const char text[] = "# comment\n"
				   "; other comment\n"
				   "[detect]\n"
				   "mode = rita   # inline\n"
				   "[beacon]\n"
				   "window = 36h\n"
				   "skew_min_iqr = 250ms\n"
				   "ts_weight = 0.4\n"
				   "ds_weight = 0.1\n"
				   "min_score=0.123456\n"
				   "[network]\n"
				   "internal_subnet = 198.51.100.0/24 CN\n"
				   "internal_subnet = 2001:db8::/32\n"
				   "internal_to_internal = yes\n"
				   "[dnstunnel]\n"
				   "psl_file = \"\"\n";
	struct c2c_config *cfg = NULL;
	struct c2c_diag d;
	struct c2c_ip ip;
	const struct c2c_subnet *sn;
	ASSERT_OK(c2c_config_parse(text, sizeof(text) - 1, "t.conf", &cfg, &d));
	ASSERT_STR_EQ(c2c_config_str(cfg, "detect.mode"), "rita");
	ASSERT_EQ(c2c_config_int(cfg, "beacon.window"), 36 * 3600LL * C2C_USEC);
	ASSERT_EQ(c2c_config_int(cfg, "beacon.skew_min_iqr"), 250000);
	ASSERT_EQ(c2c_config_int(cfg, "beacon.ts_weight"), 400000);
	ASSERT_EQ(c2c_config_int(cfg, "beacon.min_score"), 123456);
	ASSERT(c2c_config_bool(cfg, "network.internal_to_internal"));
	ASSERT_STR_EQ(c2c_config_str(cfg, "dnstunnel.psl_file"), "");
	ASSERT_EQ(c2c_config_n_subnets(cfg), 2); /* the file replaced the built-in list */
	ASSERT_OK(c2c_ip_parse(&ip, "198.51.100.7"));
	ASSERT(c2c_config_is_internal(cfg, &ip, &sn));
	ASSERT_STR_EQ(sn->country, "CN");
	ASSERT_OK(c2c_ip_parse(&ip, "10.1.1.1"));
	ASSERT(!c2c_config_is_internal(cfg, &ip, NULL));
	ASSERT_OK(c2c_config_set(cfg, "detect.mode", "default", &d));
	ASSERT_STR_EQ(c2c_config_str(cfg, "detect.mode"), "default");
	ASSERT_ERR(c2c_config_set(cfg, "detect.bogus", "1", &d), C2C_ENOTFOUND);
	ASSERT_ERR(c2c_config_set(cfg, "beacon.ts_weight", "0.3", &d), C2C_EFORMAT);
	c2c_config_free(cfg);
}

static void
errors_name_line(void)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *what;
	} bad[] = {
		{ "[beacon]\nnope = 1\n", 2, "unknown key" },
		{ "\n\n[wat]\n", 3, "unknown section" },
		{ "x = 1\n", 1, "outside" },
		{ "[beacon]\nwindow = 3 weeks\n", 2, "duration" },
		{ "[beacon]\nmin_score = 0.1234567\n", 2, "decimal" },
		{ "[beacon]\nmin_unique_timestamps = 2\n", 2, "out of range" },
		{ "[beacon]\nts_weight = 0.5\n", 2, "sum" },
		{ "[network]\ninternal_subnet = 10.0.0.0/33\n", 2, "CIDR" },
		{ "[network]\ninternal_subnet = 10.0.0.0/8 China\n", 2, "country" },
		{ "[detect]\nmode = fast\n", 2, "default or rita" },
		{ "[network]\nexternal_to_external = maybe\n", 2, "boolean" },
		{ "[beacon\n", 1, "section" },
		{ "[beacon]\njust words\n", 2, "key = value" },
	};
	for (size_t i = 0; i < C2C_ARRAY_LEN(bad); i++) {
		struct c2c_config *cfg = NULL;
		struct c2c_diag d;
		char msg[300];
		memset(&d, 0, sizeof(d));
		ASSERT_ERR(c2c_config_parse(bad[i].text, strlen(bad[i].text), "my.conf", &cfg, &d),
		    C2C_EFORMAT);
		ASSERT(cfg == NULL);
		ASSERT(d.where_is_line);
		ASSERT_EQ(d.where, bad[i].line);
		(void)c2c_diag_format(&d, C2C_EFORMAT, msg, sizeof(msg));
		if (strstr(msg, "my.conf") == NULL || strstr(msg, bad[i].what) == NULL)
			TEST_FAIL_("case %zu: message '%s' lacks '%s'", i, msg, bad[i].what);
	}
}

static void
defaults_file_round_trips(void)
{
	struct c2c_config *a = NULL, *b = NULL;
	struct c2c_buf t1, t2;
	struct c2c_diag d;
	json_t *o;
	c2c_buf_init(&t1, 1u << 20);
	c2c_buf_init(&t2, 1u << 20);
	ASSERT_OK(c2c_config_new_default(&a));
	ASSERT_OK(c2c_config_write(a, &t1));
	ASSERT(strstr((const char *)t1.data, "window = 7d") != NULL);
	ASSERT_OK(c2c_config_parse((const char *)t1.data, t1.len, "defaults", &b, &d));
	ASSERT_OK(c2c_config_write(b, &t2));
	ASSERT_EQ(t1.len, t2.len);
	ASSERT_MEM_EQ(t1.data, t2.data, t1.len);
	o = json_object();
	ASSERT_NONNULL(o);
	ASSERT_OK(c2c_config_section_json(b, "beacon", o));
	ASSERT_EQ(json_integer_value(json_object_get(o, "window_us")), 7 * 86400LL * C2C_USEC);
	ASSERT_EQ(json_integer_value(json_object_get(o, "hist_weight_e6")), 250000);
	ASSERT_ERR(c2c_config_section_json(b, "nosuch", o), C2C_ENOTFOUND);
	json_decref(o);
	c2c_buf_fini(&t1);
	c2c_buf_fini(&t2);
	c2c_config_free(a);
	c2c_config_free(b);
}

TEST_MAIN(defaults_are_ritas, parses_every_type, errors_name_line, defaults_file_round_trips)

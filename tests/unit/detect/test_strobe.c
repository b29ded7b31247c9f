/* Strobes: very high connection counts are strobes, never beacons (RITA's 86,400 rule), and
 * the default mode scales the threshold with the window. */
#include "c2chain/config.h"
#include "c2chain/detect.h"
#include "test.h"

static const uint8_t sha[1][32] = { { 9 } };

static json_t *
run(const char *mode, int n, int64_t step_us)
{
	struct c2c_config *cfg = NULL;
	struct c2c_detect *d = NULL;
	struct c2c_diag dg;
	json_t *arr = NULL;
	ASSERT_OK(c2c_config_new_default(&cfg));
	ASSERT_OK(c2c_config_set(cfg, "dnstunnel.psl_file", "", &dg));
	ASSERT_OK(c2c_config_set(cfg, "detect.mode", mode, &dg));
	ASSERT_OK(c2c_detect_new(cfg, &d, NULL));
	for (int i = 0; i < n; i++) {
		struct c2c_flow f;
		memset(&f, 0, sizeof(f));
		ASSERT_OK(c2c_ip_parse(&f.orig, "192.168.88.2"));
		ASSERT_OK(c2c_ip_parse(&f.resp, "165.227.88.15"));
		f.resp_port = 53;
		f.proto = 17;
		f.ts = 1700000000LL * C2C_USEC + i * step_us;
		f.last = f.ts + 1000;
		f.orig_ip_bytes = 60 + (uint64_t)(i % 3);
		f.first_ev = (struct c2c_evref){ 0, -1, (uint64_t)i * 90, 90 };
		f.last_ev = f.first_ev;
		ASSERT_OK(c2c_detect_add_flow(d, &f));
	}
	ASSERT_OK(c2c_detect_finish(d, sha, 1, &arr));
	c2c_detect_free(d);
	c2c_config_free(cfg);
	return arr;
}

static void
strobe_not_beacon(void)
{
	/* 100,000 connections in about 23 h. */
	const char *modes[] = { "rita", "default" };
	for (int m = 0; m < 2; m++) {
		json_t *arr = run(modes[m], 100000, 830000), *o;
		ASSERT_EQ(json_array_size(arr), 1);
		o = json_array_get(arr, 0);
		ASSERT_STR_EQ(json_string_value(json_object_get(o, "type")), "strobe");
		ASSERT_EQ(json_integer_value(json_object_get(json_object_get(o, "result"),
			      "connections")),
		    100000);
		ASSERT_EQ(json_integer_value(json_object_get(json_object_get(o, "evidence"),
			      "count")),
		    100000);
		json_decref(arr);
	}
}

static void
multi_day_rate_is_a_beacon(void)
{
	/* 2 s for 3 days = 129,600 connections: under 86,400 per day, so the default mode
	 * scores it as a beacon (no 86,400 cap), while the rita window sees a 24 h strobe. */
	json_t *arr = run("default", 129600, 2 * C2C_USEC);
	ASSERT_EQ(json_array_size(arr), 1);
	ASSERT_STR_EQ(json_string_value(json_object_get(json_array_get(arr, 0), "type")), "beacon");
	ASSERT_EQ(json_integer_value(json_object_get(json_object_get(json_array_get(arr, 0),
		      "result"), "connections")),
	    129600);
	json_decref(arr);
}

TEST_MAIN(strobe_not_beacon, multi_day_rate_is_a_beacon)

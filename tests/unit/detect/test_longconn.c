/* Long connections: summed duration per pair, open connections included, RITA thresholds.
 * Small enough for the torture run. C2C_TORTURE */
#include "c2chain/config.h"
#include "c2chain/detect.h"
#include "test.h"

static const uint8_t sha[1][32] = { { 1, 2, 3 } };

static void
conn_uid(struct c2c_detect *d, const char *o, const char *r, c2c_time ts, c2c_time dur,
    bool open, uint64_t off, const char *uid)
{
	struct c2c_flow f;
	memset(&f, 0, sizeof(f));
	if (uid != NULL)
		(void)snprintf(f.uid, sizeof(f.uid), "%s", uid);
	ASSERT_OK(c2c_ip_parse(&f.orig, o));
	ASSERT_OK(c2c_ip_parse(&f.resp, r));
	f.resp_port = 22;
	f.proto = 6;
	f.ts = ts;
	f.last = ts + dur;
	f.have = C2C_HAVE_DURATION | (open ? C2C_HAVE_OPEN : 0);
	f.orig_ip_bytes = 1000;
	f.first_ev = (struct c2c_evref){ 0, -1, off, 100 };
	f.last_ev = f.first_ev;
	ASSERT_OK(c2c_detect_add_flow(d, &f));
}

static void
conn(struct c2c_detect *d, const char *o, const char *r, c2c_time ts, c2c_time dur, bool open,
    uint64_t off)
{
	conn_uid(d, o, r, ts, dur, open, off, NULL);
}

static void
sums_and_open(void)
{
	struct c2c_config *cfg = NULL;
	struct c2c_detect *d = NULL;
	struct c2c_diag dg;
	json_t *arr = NULL, *o, *r;
	c2c_time t0 = 1713470872LL * C2C_USEC;
	ASSERT_OK(c2c_config_new_default(&cfg));
	ASSERT_OK(c2c_config_set(cfg, "dnstunnel.psl_file", "", &dg));
	ASSERT_OK(c2c_detect_new(cfg, &d, NULL));
	/* An SSH session open for 75 h plus two short ones to the same server. */
	conn(d, "73.54.23.243", "64.225.56.201", t0, 270001LL * C2C_USEC, true, 0);
	conn(d, "73.54.23.243", "64.225.56.201", t0 + 100 * C2C_USEC, 20 * C2C_USEC, false, 100);
	conn(d, "73.54.23.243", "64.225.56.201", t0 + 200 * C2C_USEC, 15 * C2C_USEC, false, 200);
	/* 59 minutes in total: below the 1 h base. */
	conn(d, "10.0.0.1", "198.51.100.1", t0, 59 * 60 * C2C_USEC, false, 300);
	/* Inbound (external to internal) is not analysed by default. */
	conn(d, "198.51.100.2", "10.0.0.2", t0, 10 * 3600 * C2C_USEC, false, 400);
	ASSERT_OK(c2c_detect_finish(d, sha, 1, &arr));
	ASSERT_EQ(json_array_size(arr), 1);
	o = json_array_get(arr, 0);
	ASSERT_STR_EQ(json_string_value(json_object_get(o, "type")), "long-connection");
	ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(o, "subject"), "host")),
	    "73.54.23.243");
	r = json_object_get(o, "result");
	ASSERT_EQ(json_integer_value(json_object_get(r, "total_duration_us")),
	    (270001LL + 35) * C2C_USEC);
	ASSERT_EQ(json_integer_value(json_object_get(r, "open_connections")), 1);
	ASSERT_EQ(json_integer_value(json_object_get(r, "connections")), 3);
	ASSERT_EQ(json_integer_value(json_object_get(r, "impact_e6")), 800000); /* >= 12 h */
	ASSERT_EQ(json_array_size(json_object_get(json_object_get(o, "evidence"), "refs")), 3);
	ASSERT_STR_EQ(json_string_value(json_object_get(o, "recheck")), "records");
	json_decref(arr);
	c2c_detect_free(d);
	c2c_config_free(cfg);
}

static void
buckets_follow_thresholds(void)
{
	struct c2c_config *cfg = NULL;
	int64_t imp = -1;
	ASSERT_OK(c2c_config_new_default(&cfg));
	/* 1 h -> 0.2, 4 h -> 0.4, 6 h -> 0.5, 8 h -> 0.6, 12 h and more -> 0.8 */
	struct {
		int64_t h;
		int64_t want;
	} c[] = { { 1, 200000 }, { 4, 400000 }, { 6, 500000 }, { 8, 600000 }, { 12, 800000 },
		{ 100, 800000 } };
	for (size_t i = 0; i < C2C_ARRAY_LEN(c); i++) {
		struct c2c_detect *d = NULL;
		json_t *arr = NULL;
		struct c2c_diag dg;
		ASSERT_OK(c2c_config_set(cfg, "dnstunnel.psl_file", "", &dg));
		ASSERT_OK(c2c_detect_new(cfg, &d, NULL));
		conn(d, "10.0.0.1", "198.51.100.1", 0, c[i].h * 3600 * C2C_USEC, false, 0);
		ASSERT_OK(c2c_detect_finish(d, sha, 1, &arr));
		ASSERT_EQ(json_array_size(arr), 1);
		imp = json_integer_value(json_object_get(json_object_get(json_array_get(arr, 0),
		    "result"), "impact_e6"));
		ASSERT_EQ(imp, c[i].want);
		json_decref(arr);
		c2c_detect_free(d);
	}
	c2c_config_free(cfg);
}

/* One connection seen closed in two inputs (a capture and its Zeek log share the uid) and as
 * an open snapshot: the snapshot is dropped. Grouping the join keys once looped forever when
 * a closed copy came before another copy of the same key. */
static void
closed_copies_drop_the_snapshot(void)
{
	struct c2c_config *cfg = NULL;
	struct c2c_detect *d = NULL;
	struct c2c_diag dg;
	json_t *arr = NULL, *r;
	c2c_time t0 = 1713470872LL * C2C_USEC;
	ASSERT_OK(c2c_config_new_default(&cfg));
	ASSERT_OK(c2c_config_set(cfg, "dnstunnel.psl_file", "", &dg));
	ASSERT_OK(c2c_detect_new(cfg, &d, NULL));
	conn_uid(d, "10.0.0.1", "198.51.100.7", t0, 7200LL * C2C_USEC, false, 0, "CabcXYZ1");
	conn_uid(d, "10.0.0.1", "198.51.100.7", t0, 7200LL * C2C_USEC, false, 100, "CabcXYZ1");
	conn_uid(d, "10.0.0.1", "198.51.100.7", t0, 3600LL * C2C_USEC, true, 200, "CabcXYZ1");
	ASSERT_OK(c2c_detect_finish(d, sha, 1, &arr));
	ASSERT_EQ(json_array_size(arr), 1);
	r = json_object_get(json_array_get(arr, 0), "result");
	ASSERT_EQ(json_integer_value(json_object_get(r, "open_connections")), 0);
	json_decref(arr);
	c2c_detect_free(d);
	c2c_config_free(cfg);
}

TEST_MAIN(sums_and_open, buckets_follow_thresholds, closed_copies_drop_the_snapshot)

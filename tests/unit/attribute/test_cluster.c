/* Cluster edges and clusters on the fixture: each edge re-checks on its own. */
#include "infra_fixture.h"

static const json_t *
edge_of(const json_t *edges, const char *kind, const char *a, const char *b)
{
	size_t i;
	json_t *e;
	json_array_foreach(edges, i, e) {
		const json_t *s = json_object_get(e, "subject");
		if (strcmp(json_string_value(json_object_get(json_object_get(e, "result"), "kind")),
			kind) == 0 &&
		    strcmp(json_string_value(json_object_get(s, "a")), a) == 0 &&
		    strcmp(json_string_value(json_object_get(s, "b")), b) == 0)
			return e;
	}
	TEST_FAIL_("no %s edge %s - %s", kind, a, b);
}

static void
edges_and_clusters(void)
{
	struct fixture fx;
	struct c2c_infra *x;
	struct c2c_infra_result r;
	struct c2c_diag diag = { 0 };
	const json_t *e, *c, *refs;
	const char *prev = "";
	size_t i;
	json_t *v;

	fx_init(&fx);
	ASSERT_OK(c2c_infra_new(&x));
	fx_feed(&fx, x, 0);
	ASSERT_OK(c2c_infra_build(x, &fx.opts, &r, &diag));
	ASSERT_EQ(json_array_size(r.edges), 4);
	e = edge_of(r.edges, "same-certificate", "45.0.0.1", "45.0.0.2");
	ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(e, "result"), "strength")),
	    "strong");
	ASSERT_STR_EQ(json_string_value(json_object_get(e, "rung")), "L3");
	refs = json_object_get(json_object_get(e, "evidence"), "refs");
	ASSERT_EQ(json_array_size(refs), 2); /* the record at each end */
	ASSERT(strstr(json_string_value(json_array_get(refs, 0)), "/1000+100") != NULL);
	ASSERT(strstr(json_string_value(json_array_get(refs, 1)), "/2000+100") != NULL);
	ASSERT_EQ(json_array_size(json_object_get(json_object_get(e, "evidence"), "findings")), 2);
	(void)edge_of(r.edges, "same-host-set", "45.0.0.1", "45.0.0.2");
	e = edge_of(r.edges, "same-ja3s-ports", "45.0.0.1", "45.0.0.2");
	ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(e, "result"), "value")),
	    "ja3s-abc ports 443");
	ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(e, "result"), "strength")),
	    "weak");
	e = edge_of(r.edges, "shared-fqdn", "45.0.0.3", "46.0.0.1");
	ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(e, "result"), "value")),
	    "evil.example");
	/* The DNS answer is one record for both ends. */
	ASSERT_EQ(json_array_size(json_object_get(json_object_get(e, "evidence"), "refs")), 1);
	/* Every edge re-checks against the infrastructure objects; sorted by id. */
	json_array_foreach(r.edges, i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));
		ASSERT(strncmp(id, "cluster-edge:", 13) == 0);
		ASSERT(strcmp(prev, id) < 0);
		prev = id;
		ASSERT_OK(c2c_cluster_edge_check(v, r.infrastructure, &diag));
	}
	/* Two clusters: {E1, E2} by three edges, {E3, E5} by one. */
	ASSERT_EQ(json_array_size(r.clusters), 2);
	json_array_foreach(r.clusters, i, c) {
		const json_t *res = json_object_get(c, "result");
		const json_t *mem = json_object_get(res, "members");
		ASSERT_EQ(json_array_size(mem), 2);
		if (strcmp(json_string_value(json_array_get(mem, 0)), "45.0.0.1") == 0) {
			ASSERT_STR_EQ(json_string_value(json_array_get(mem, 1)), "45.0.0.2");
			ASSERT_EQ(json_array_size(json_object_get(res, "edges")), 3);
			ASSERT_EQ(json_integer_value(json_object_get(
				      json_object_get(res, "edge_kinds"), "same-certificate")),
			    1);
		} else {
			ASSERT_STR_EQ(json_string_value(json_array_get(mem, 0)), "45.0.0.3");
			ASSERT_STR_EQ(json_string_value(json_array_get(mem, 1)), "46.0.0.1");
			ASSERT_EQ(json_array_size(json_object_get(res, "edges")), 1);
		}
		ASSERT(strncmp(json_string_value(json_object_get(c, "id")), "cluster:", 8) == 0);
	}
	c2c_infra_result_fini(&r);
	c2c_infra_free(x);
	fx_fini(&fx);
}

static void
tampered_edges_fail(void)
{
	struct fixture fx;
	struct c2c_infra *x;
	struct c2c_infra_result r;
	struct c2c_diag diag = { 0 };
	json_t *e, *res;

	fx_init(&fx);
	ASSERT_OK(c2c_infra_new(&x));
	fx_feed(&fx, x, 0);
	ASSERT_OK(c2c_infra_build(x, &fx.opts, &r, &diag));
	e = json_deep_copy(edge_of(r.edges, "shared-fqdn", "45.0.0.3", "46.0.0.1"));
	ASSERT_NONNULL(e);
	res = json_object_get(e, "result");
	ASSERT_OK(c2c_json_set_str(res, "value", "other.example"));
	ASSERT_ERR(c2c_cluster_edge_check(e, r.infrastructure, &diag), C2C_EVERIFY);
	ASSERT(strstr(diag.msg, "is not in infrastructure object") != NULL);
	ASSERT_OK(c2c_json_set_str(res, "value", "evil.example"));
	ASSERT_OK(c2c_json_set_str(res, "b", "infrastructure:0000000000000000"));
	ASSERT_ERR(c2c_cluster_edge_check(e, r.infrastructure, &diag), C2C_EVERIFY);
	json_decref(e);
	e = json_deep_copy(edge_of(r.edges, "same-host-set", "45.0.0.1", "45.0.0.2"));
	ASSERT_NONNULL(e);
	/* Another host in one endpoint's list breaks the host-set edge. */
	ASSERT_OK(c2c_cluster_edge_check(e, r.infrastructure, &diag));
	{
		json_t *io = (json_t *)(uintptr_t)fx_infra(&r, "45.0.0.1");
		json_t *hosts = json_object_get(
		    json_object_get(json_object_get(io, "result"), "controlled_hosts"), "hosts");
		ASSERT(json_array_append_new(hosts, json_string("10.9.9.9")) == 0);
	}
	ASSERT_ERR(c2c_cluster_edge_check(e, r.infrastructure, &diag), C2C_EVERIFY);
	json_decref(e);
	c2c_infra_result_fini(&r);
	c2c_infra_free(x);
	fx_fini(&fx);
}

TEST_MAIN(edges_and_clusters, tampered_edges_fail)

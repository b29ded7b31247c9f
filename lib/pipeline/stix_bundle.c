/*
 * report.json -> report.stix.json. The STIX exporter (lib/report/stix.c) reads one "findings"
 * array holding every claim; report.json keeps L1 findings, infrastructure, clusters and
 * assessments apart, so this joins them into the view the exporter expects.
 */
#include "c2chain/stix.h"
#include "pipeline/stix_bundle.h"

c2c_err
c2c__stix_bundle(const json_t *report, json_t **bundle, struct c2c_diag *diag)
{
	static const char *const parts[] = { "findings", "infrastructure", "cluster_edges",
		"clusters", "assessments" };
	json_t *view = json_deep_copy(report), *all = json_array();
	c2c_err rc = view && all ? C2C_OK : C2C_ENOMEM;
	for (size_t i = 0; i < C2C_ARRAY_LEN(parts) && rc == C2C_OK; i++)
		if (json_array_extend(all, json_object_get(report, parts[i])) != 0 &&
		    json_object_get(report, parts[i]) != NULL)
			rc = C2C_ENOMEM;
	if (rc == C2C_OK && json_object_set(view, "findings", all) != 0)
		rc = C2C_ENOMEM;
	if (rc == C2C_OK)
		rc = c2c_stix_export(view, bundle, diag);
	json_decref(all);
	json_decref(view);
	return rc;
}

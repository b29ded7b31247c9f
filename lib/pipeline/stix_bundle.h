/* Internal to lib/pipeline: report.json -> the STIX 2.1 bundle (report.stix.json). */
#ifndef C2C_PIPELINE_STIX_BUNDLE_H
#define C2C_PIPELINE_STIX_BUNDLE_H

#include <jansson.h>

#include "c2chain/core.h"

c2c_err c2c__stix_bundle(const json_t *report, json_t **bundle, struct c2c_diag *diag);

#endif

/*
 * Report stage: renders report.json (schema in docs/report-schema.md) as Markdown and as one
 * self-contained HTML page with SVG charts. Rendering is a pure function of the report object:
 * the same report.json always gives the same bytes, so `verify` can re-render and compare.
 */
#ifndef C2C_REPORT_H
#define C2C_REPORT_H

#include <jansson.h>

#include "c2chain/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Append the Markdown report to `out`. C2C_EINVAL when `report` lacks the members the schema
 * requires (diag says which), C2C_ENOMEM / C2C_ELIMIT from the buffer. */
c2c_err c2c_report_markdown(const json_t *report, struct c2c_buf *out, struct c2c_diag *diag);
/* Append the HTML report (no scripts, no external resources; charts as inline SVG). */
c2c_err c2c_report_html(const json_t *report, struct c2c_buf *out, struct c2c_diag *diag);

#ifdef __cplusplus
}
#endif
#endif

/*
 * Internal to lib/report: a tiny document model (headings, paragraphs, lists, tables, code,
 * charts) with a Markdown and an HTML backend, so every report section is written once.
 */
#ifndef C2C_REPORT_DOC_H
#define C2C_REPORT_DOC_H

#include <stdbool.h>

#include <jansson.h>

#include "c2chain/core.h"

struct doc_cell {
	const char *text;
	const char *anchor; /* link target id, or NULL */
};

struct doc {
	struct c2c_buf *out;
	bool html;
	c2c_err rc;
	unsigned cols; /* of the open table */
};

void doc_heading(struct doc *d, int level, const char *id, const char *text);
void doc_para(struct doc *d, const char *text);
/* A paragraph made of a label in bold and a text. */
void doc_kv(struct doc *d, const char *label, const char *text);
void doc_list_begin(struct doc *d);
void doc_item(struct doc *d, const char *text, const char *anchor);
void doc_list_end(struct doc *d);
void doc_table_begin(struct doc *d, const char *const *header, unsigned n);
void doc_row(struct doc *d, const struct doc_cell *cells);
void doc_table_end(struct doc *d);
void doc_code(struct doc *d, const char *text);
/* Raw markup for the HTML backend only (charts); ignored in Markdown. */
void doc_raw_html(struct doc *d, const char *markup);
/* printf into a scratch string owned by the doc's caller: helper for cells. */
const char *doc_fmt(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Escape for HTML text and attribute values. */
c2c_err c2c__html_escape(struct c2c_buf *out, const char *s);

/* SVG charts (svg.c): each appends one <svg> element. */
struct chart_bar {
	const char *label;
	int64_t value;
};
c2c_err c2c__svg_bars(struct c2c_buf *out, const char *title, const struct chart_bar *bars,
    size_t n);
c2c_err c2c__svg_heatmap(struct c2c_buf *out, const char *title, const char *const *rows,
    size_t nr, const char *const *cols, size_t nc, const int64_t *values);
/* Histogram of `values` (already binned: counts per bin, with bin labels every `label_every`). */
c2c_err c2c__svg_histogram(struct c2c_buf *out, const char *title, const int64_t *counts,
    size_t nbins, const char *x_label_lo, const char *x_label_hi);
/* Horizontal time bars [start, end] per row, on a shared axis from t0 to t1 (microseconds). */
struct chart_span {
	const char *label;
	int64_t start, end;
	int64_t ticks[64]; /* optional event marks inside the span; n_ticks of them */
	unsigned n_ticks;
};
c2c_err c2c__svg_timeline(struct c2c_buf *out, const char *title, const struct chart_span *rows,
    size_t n, int64_t t0, int64_t t1);

#endif

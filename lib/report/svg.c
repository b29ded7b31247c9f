/*
 * Inline SVG charts for report.html: bar chart, heat map, histogram and timeline. Coordinates
 * are integers computed with integer arithmetic, so the same report renders to the same bytes
 * everywhere; every chart carries a <title> and text labels, readable without scripts.
 */
#include <stdio.h>
#include <string.h>

#include "report/doc.h"

#define W 720

static c2c_err
open_svg(struct c2c_buf *out, const char *cls, const char *title, int h)
{
	c2c_err rc = c2c_buf_printf(out,
	    "<figure class=\"chart %s\"><svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\"><title>",
	    cls, W, h, W, h);
	if (rc == C2C_OK)
		rc = c2c__html_escape(out, title);
	if (rc == C2C_OK)
		rc = c2c_buf_adds(out, "</title>");
	return rc;
}

static c2c_err
close_svg(struct c2c_buf *out, const char *title)
{
	c2c_err rc = c2c_buf_adds(out, "</svg><figcaption>");
	if (rc == C2C_OK)
		rc = c2c__html_escape(out, title);
	if (rc == C2C_OK)
		rc = c2c_buf_adds(out, "</figcaption></figure>\n");
	return rc;
}

static c2c_err
label(struct c2c_buf *out, int x, int y, const char *anchor, const char *cls, const char *s)
{
	c2c_err rc = c2c_buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" class=\"%s\">",
	    x, y, anchor, cls);
	if (rc == C2C_OK)
		rc = c2c__html_escape(out, s);
	if (rc == C2C_OK)
		rc = c2c_buf_adds(out, "</text>");
	return rc;
}

c2c_err
c2c__svg_bars(struct c2c_buf *out, const char *title, const struct chart_bar *bars, size_t n)
{
	int64_t max = 1;
	int row = 22, left = 170, h = (int)n * row + 30;
	c2c_err rc;
	for (size_t i = 0; i < n; i++)
		if (bars[i].value > max)
			max = bars[i].value;
	rc = open_svg(out, "bars", title, h);
	for (size_t i = 0; i < n && rc == C2C_OK; i++) {
		int y = 10 + (int)i * row, w = (int)(bars[i].value * (W - left - 60) / max);
		char v[32];
		rc = label(out, left - 8, y + 14, "end", "lbl", bars[i].label);
		if (rc == C2C_OK)
			rc = c2c_buf_printf(out,
			    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"bar\"/>", left, y,
			    w > 1 ? w : 1, row - 6);
		(void)snprintf(v, sizeof(v), "%lld", (long long)bars[i].value);
		if (rc == C2C_OK)
			rc = label(out, left + (w > 1 ? w : 1) + 6, y + 14, "start", "val", v);
	}
	return rc == C2C_OK ? close_svg(out, title) : rc;
}

c2c_err
c2c__svg_heatmap(struct c2c_buf *out, const char *title, const char *const *rows, size_t nr,
    const char *const *cols, size_t nc, const int64_t *values)
{
	int64_t max = 1;
	int left = 70, top = 40, cw, ch = 26, h;
	c2c_err rc;
	if (nc == 0 || nr == 0)
		return C2C_OK;
	cw = (W - left - 10) / (int)nc;
	if (cw > 60)
		cw = 60;
	h = top + (int)nr * ch + 20;
	for (size_t i = 0; i < nr * nc; i++)
		if (values[i] > max)
			max = values[i];
	rc = open_svg(out, "heatmap", title, h);
	for (size_t c = 0; c < nc && rc == C2C_OK; c++)
		rc = label(out, left + (int)c * cw + cw / 2, top - 10, "middle", "lbl", cols[c]);
	for (size_t r = 0; r < nr && rc == C2C_OK; r++) {
		int y = top + (int)r * ch;
		rc = label(out, left - 8, y + 17, "end", "lbl", rows[r]);
		for (size_t c = 0; c < nc && rc == C2C_OK; c++) {
			int64_t v = values[r * nc + c];
			/* opacity in tenths of a percent: integer, so the bytes never vary */
			int shade = v == 0 ? 0 : (int)(150 + v * 850 / max);
			char t[32];
			rc = c2c_buf_printf(out,
			    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"cell\" "
			    "fill-opacity=\"%d.%03d\"/>",
			    left + (int)c * cw, y, cw - 2, ch - 2, shade / 1000, shade % 1000);
			(void)snprintf(t, sizeof(t), "%lld", (long long)v);
			if (rc == C2C_OK && v > 0)
				rc = label(out, left + (int)c * cw + cw / 2, y + 17, "middle", "val", t);
		}
	}
	return rc == C2C_OK ? close_svg(out, title) : rc;
}

c2c_err
c2c__svg_histogram(struct c2c_buf *out, const char *title, const int64_t *counts,
    size_t nbins, const char *lo, const char *hi)
{
	int64_t max = 1;
	int h = 160, base = 130, left = 40, bw;
	c2c_err rc;
	if (nbins == 0)
		return C2C_OK;
	bw = (W - left - 20) / (int)nbins;
	if (bw < 1)
		bw = 1;
	for (size_t i = 0; i < nbins; i++)
		if (counts[i] > max)
			max = counts[i];
	rc = open_svg(out, "histogram", title, h);
	for (size_t i = 0; i < nbins && rc == C2C_OK; i++) {
		int bh = (int)(counts[i] * 110 / max);
		if (counts[i] > 0 && bh < 1)
			bh = 1;
		rc = c2c_buf_printf(out,
		    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"bar\"/>",
		    left + (int)i * bw, base - bh, bw > 2 ? bw - 1 : bw, bh);
	}
	if (rc == C2C_OK)
		rc = c2c_buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>",
		    left, base, W - 20, base);
	if (rc == C2C_OK)
		rc = label(out, left, base + 18, "start", "lbl", lo);
	if (rc == C2C_OK)
		rc = label(out, W - 20, base + 18, "end", "lbl", hi);
	return rc == C2C_OK ? close_svg(out, title) : rc;
}

c2c_err
c2c__svg_timeline(struct c2c_buf *out, const char *title, const struct chart_span *rows,
    size_t n, int64_t t0, int64_t t1)
{
	int row = 20, left = 170, right = 20, h = (int)n * row + 40, span = W - left - right;
	int64_t range = t1 > t0 ? t1 - t0 : 1;
	c2c_err rc = open_svg(out, "timeline", title, h);
	for (size_t i = 0; i < n && rc == C2C_OK; i++) {
		const struct chart_span *s = &rows[i];
		int y = 10 + (int)i * row;
		int x0 = left + (int)((s->start - t0) * span / range);
		int x1 = left + (int)((s->end - t0) * span / range);
		rc = label(out, left - 8, y + 13, "end", "lbl", s->label);
		if (rc == C2C_OK)
			rc = c2c_buf_printf(out,
			    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"span\"/>", x0,
			    y + 4, x1 - x0 > 2 ? x1 - x0 : 2, row - 10);
		for (unsigned k = 0; k < s->n_ticks && rc == C2C_OK; k++) {
			int x = left + (int)((s->ticks[k] - t0) * span / range);
			rc = c2c_buf_printf(out,
			    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"tick\"/>", x, y + 1, x,
			    y + row - 3);
		}
	}
	if (rc == C2C_OK)
		rc = c2c_buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>",
		    left, h - 28, W - right, h - 28);
	if (rc == C2C_OK) {
		char a[40], b[40];
		(void)c2c_time_format_iso(t0, a, sizeof(a));
		(void)c2c_time_format_iso(t1, b, sizeof(b));
		a[19] = b[19] = '\0';
		rc = label(out, left, h - 12, "start", "lbl", a);
		if (rc == C2C_OK)
			rc = label(out, W - right, h - 12, "end", "lbl", b);
	}
	return rc == C2C_OK ? close_svg(out, title) : rc;
}

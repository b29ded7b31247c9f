/*
 * The report document model's two backends. Markdown follows CommonMark with GitHub tables;
 * HTML is plain semantic markup styled by the stylesheet html.c writes once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "report/doc.h"

static void
add(struct doc *d, const char *s)
{
	if (d->rc == C2C_OK)
		d->rc = c2c_buf_adds(d->out, s);
}

static void
text(struct doc *d, const char *s)
{
	if (d->rc != C2C_OK)
		return;
	if (d->html) {
		d->rc = c2c__html_escape(d->out, s);
		return;
	}
	/* Markdown: escape what would change meaning inside a table or a line. */
	for (; *s && d->rc == C2C_OK; s++) {
		if (*s == '|' || *s == '\\' || *s == '*' || *s == '_' || *s == '`' || *s == '<')
			d->rc = c2c_buf_addc(d->out, '\\');
		if (d->rc == C2C_OK)
			d->rc = c2c_buf_addc(d->out, *s == '\n' ? ' ' : *s);
	}
}

c2c_err
c2c__html_escape(struct c2c_buf *out, const char *s)
{
	c2c_err rc = C2C_OK;
	for (; *s && rc == C2C_OK; s++) {
		switch (*s) {
		case '&':
			rc = c2c_buf_adds(out, "&amp;");
			break;
		case '<':
			rc = c2c_buf_adds(out, "&lt;");
			break;
		case '>':
			rc = c2c_buf_adds(out, "&gt;");
			break;
		case '"':
			rc = c2c_buf_adds(out, "&quot;");
			break;
		case '\'':
			rc = c2c_buf_adds(out, "&#39;");
			break;
		default:
			rc = c2c_buf_addc(out, *s);
		}
	}
	return rc;
}

void
doc_heading(struct doc *d, int level, const char *id, const char *t)
{
	char tag[64];
	if (d->html) {
		(void)snprintf(tag, sizeof(tag), "<h%d id=\"", level);
		add(d, tag);
		text(d, id);
		add(d, "\">");
		text(d, t);
		(void)snprintf(tag, sizeof(tag), "</h%d>\n", level);
		add(d, tag);
		return;
	}
	for (int i = 0; i < level; i++)
		add(d, "#");
	add(d, " ");
	text(d, t);
	add(d, "\n\n");
	if (id != NULL && *id && level > 2) {
		/* An explicit anchor for links from the finding tables. */
		add(d, "<a id=\"");
		add(d, id);
		add(d, "\"></a>\n\n");
	}
}

void
doc_para(struct doc *d, const char *t)
{
	add(d, d->html ? "<p>" : "");
	text(d, t);
	add(d, d->html ? "</p>\n" : "\n\n");
}

void
doc_kv(struct doc *d, const char *label, const char *t)
{
	add(d, d->html ? "<p><strong>" : "**");
	text(d, label);
	add(d, d->html ? "</strong> " : "** ");
	text(d, t);
	add(d, d->html ? "</p>\n" : "\n\n");
}

void
doc_list_begin(struct doc *d)
{
	if (d->html)
		add(d, "<ul>\n");
}

static void
link(struct doc *d, const char *t, const char *anchor)
{
	if (anchor == NULL) {
		text(d, t);
		return;
	}
	if (d->html) {
		add(d, "<a href=\"#");
		text(d, anchor);
		add(d, "\">");
		text(d, t);
		add(d, "</a>");
	} else {
		add(d, "[");
		text(d, t);
		add(d, "](#");
		add(d, anchor);
		add(d, ")");
	}
}

void
doc_item(struct doc *d, const char *t, const char *anchor)
{
	add(d, d->html ? "<li>" : "- ");
	link(d, t, anchor);
	add(d, d->html ? "</li>\n" : "\n");
}

void
doc_list_end(struct doc *d)
{
	add(d, d->html ? "</ul>\n" : "\n");
}

void
doc_table_begin(struct doc *d, const char *const *header, unsigned n)
{
	d->cols = n;
	add(d, d->html ? "<table>\n<thead><tr>" : "|");
	for (unsigned i = 0; i < n; i++) {
		add(d, d->html ? "<th>" : " ");
		text(d, header[i]);
		add(d, d->html ? "</th>" : " |");
	}
	add(d, d->html ? "</tr></thead>\n<tbody>\n" : "\n|");
	if (!d->html)
		for (unsigned i = 0; i < n; i++)
			add(d, "---|");
	if (!d->html)
		add(d, "\n");
}

void
doc_row(struct doc *d, const struct doc_cell *cells)
{
	add(d, d->html ? "<tr>" : "|");
	for (unsigned i = 0; i < d->cols; i++) {
		add(d, d->html ? "<td>" : " ");
		link(d, cells[i].text ? cells[i].text : "", cells[i].anchor);
		add(d, d->html ? "</td>" : " |");
	}
	add(d, d->html ? "</tr>\n" : "\n");
}

void
doc_table_end(struct doc *d)
{
	add(d, d->html ? "</tbody>\n</table>\n" : "\n");
}

void
doc_code(struct doc *d, const char *t)
{
	if (d->html) {
		add(d, "<pre><code>");
		text(d, t);
		add(d, "</code></pre>\n");
	} else {
		add(d, "```\n");
		add(d, t);
		add(d, "\n```\n\n");
	}
}

void
doc_raw_html(struct doc *d, const char *markup)
{
	if (d->html)
		add(d, markup);
}

const char *
doc_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return buf;
}

/*
 * HTTP/1.x observations (RFC 9112 §3, §4): request method, Host, target URI and User-Agent,
 * the response status, and proxy requests (CONNECT authority-form and absolute-form targets,
 * RFC 9112 §3.2.2-3.2.3) whose real destination becomes `host`. Per direction, a header block
 * is collected from the first byte of a segment that starts a message (a method token from the
 * client, "HTTP/1." from the server) up to the empty line, bounded by C2C_HTTP_MAX_HEADER;
 * bodies are skipped by Content-Length, and after a body of unknown length the side waits for
 * the next segment that starts a message. Requests wait in a small queue for their status.
 */
#include <string.h>

#include "ingest/app.h"

static inline void
inc(struct c2c_ingest_stats *st, enum c2c_stat s)
{
	if (st != NULL)
		st->n[s]++;
}

static const char *const methods[] = { "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS",
	"CONNECT", "TRACE", "PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK",
	"UNLOCK", "SEARCH", "REPORT", "SUBSCRIBE", "NOTIFY" };

static size_t
method_len(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < C2C_ARRAY_LEN(methods); i++) {
		size_t n = strlen(methods[i]);
		if (len > n && memcmp(p, methods[i], n) == 0 && p[n] == ' ')
			return n;
	}
	return 0;
}

bool
c2c__http_probe(const uint8_t *p, size_t len)
{
	return method_len(p, len) > 0;
}

static bool
starts_response(const uint8_t *p, size_t len)
{
	return len >= 7 && memcmp(p, "HTTP/1.", 7) == 0;
}

/* Copy [p, p+n) into out as text (bytes outside printable ASCII as \xHH), truncating. */
static void
copy_text(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c >= ' ' && c < 0x7f && c != '\\') {
			if (o + 1 >= outlen)
				break;
			out[o++] = (char)c;
		} else {
			if (o + 4 >= outlen)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

static bool
ieq(const uint8_t *p, size_t n, const char *name)
{
	size_t l = strlen(name);
	if (n != l)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		if (c != (uint8_t)name[i])
			return false;
	}
	return true;
}

/* Next line of the block: [*line, *line + *n) without CRLF/LF. False at the end. */
static bool
next_line(struct c2c_cur *c, const uint8_t **line, size_t *n)
{
	const uint8_t *s = c->p, *e;
	if (c->p >= c->end)
		return false;
	e = memchr(s, '\n', (size_t)(c->end - s));
	if (e == NULL)
		e = c->end;
	*line = s;
	*n = (size_t)(e - s);
	if (*n > 0 && s[*n - 1] == '\r')
		(*n)--;
	c->p = e < c->end ? e + 1 : e;
	return true;
}

static void
trim(const uint8_t **p, size_t *n)
{
	while (*n > 0 && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
		(*n)--;
}

/* Parse the header block; also returns the Content-Length (-1 when absent or chunked). */
static c2c_err
parse_request(const uint8_t *p, size_t len, struct c2c_http *out, int64_t *clen)
{
	struct c2c_cur c;
	const uint8_t *line, *sp1, *sp2;
	size_t n, ml;

	memset(out, 0, sizeof(*out));
	*clen = -1;
	c2c_cur_init(&c, p, len);
	if (!next_line(&c, &line, &n) || (ml = method_len(line, n)) == 0)
		return C2C_EFORMAT;
	sp1 = line + ml;
	sp2 = memchr(sp1 + 1, ' ', n - ml - 1);
	if (sp2 == NULL || sp2 == sp1 + 1 || (size_t)(line + n - sp2) < 9 ||
	    memcmp(sp2 + 1, "HTTP/", 5) != 0)
		return C2C_EFORMAT;
	const uint8_t *mline = line;
	copy_text(line, ml, out->method, sizeof(out->method));
	const uint8_t *tgt = sp1 + 1;
	size_t tl = (size_t)(sp2 - tgt);
	copy_text(tgt, tl, out->uri, sizeof(out->uri));
	if (ml == 7 && memcmp(line, "CONNECT", 7) == 0) {
		/* authority-form: the tunnel's real destination */
		out->proxy = true;
		copy_text(tgt, tl, out->host, sizeof(out->host));
	} else if (tl > 7 && (ieq(tgt, 7, "http://") || (tl > 8 && ieq(tgt, 8, "https://")))) {
		/* absolute-form: a request to a proxy; the authority names the destination */
		size_t skip = tgt[4] == ':' ? 7 : 8;
		const uint8_t *a = tgt + skip, *ae = a;
		while (ae < tgt + tl && *ae != '/' && *ae != '?' && *ae != '#')
			ae++;
		const uint8_t *at = memchr(a, '@', (size_t)(ae - a));
		if (at != NULL)
			a = at + 1;
		out->proxy = true;
		copy_text(a, (size_t)(ae - a), out->host, sizeof(out->host));
	}
	while (next_line(&c, &line, &n) && n > 0) {
		const uint8_t *colon = memchr(line, ':', n);
		const uint8_t *v;
		size_t nl, vl;
		if (colon == NULL)
			continue;
		nl = (size_t)(colon - line);
		v = colon + 1;
		vl = n - nl - 1;
		trim(&v, &vl);
		if (ieq(line, nl, "host") && !out->proxy) {
			copy_text(v, vl, out->host, sizeof(out->host));
		} else if (ieq(line, nl, "user-agent")) {
			copy_text(v, vl, out->user_agent, sizeof(out->user_agent));
		} else if (ieq(line, nl, "content-length")) {
			int64_t x = 0;
			size_t i;
			for (i = 0; i < vl && v[i] >= '0' && v[i] <= '9' && x < (INT64_C(1) << 50); i++)
				x = x * 10 + (v[i] - '0');
			if (i == vl && vl > 0)
				*clen = x;
		} else if (ieq(line, nl, "transfer-encoding")) {
			*clen = -2; /* chunked or other: length unknown */
		}
	}
	if (*clen == -2)
		*clen = -1;
	else if (*clen < 0 && (ml != 4 || memcmp(mline, "POST", 4) != 0))
		*clen = 0; /* no body without a length (RFC 9112 §6.3) */
	return C2C_OK;
}

c2c_err
c2c__http_parse_request(const uint8_t *p, size_t len, struct c2c_http *out)
{
	int64_t clen;
	return parse_request(p, len, out, &clen);
}

/* ---- per-flow state ----------------------------------------------------------------------- */

struct side {
	struct c2c_buf hdr;
	bool in_header; /* collecting a header block */
	int64_t body;   /* body bytes still to skip; -1 = unknown length, wait for a resync */
};

struct req {
	struct c2c_http http;
	c2c_time ts;
	struct c2c_evref ev;
};

struct c2c_http_flow {
	struct side s[2];
	uint8_t n;
	struct req q[C2C_HTTP_MAX_PENDING];
	struct c2c_obs obs;
};

struct c2c_http_flow *
c2c__http_flow_new(void)
{
	struct c2c_http_flow *h = c2c_calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	c2c_buf_init(&h->s[0].hdr, C2C_HTTP_MAX_HEADER);
	c2c_buf_init(&h->s[1].hdr, C2C_HTTP_MAX_HEADER);
	return h;
}

void
c2c__http_flow_free(struct c2c_http_flow *h)
{
	if (h == NULL)
		return;
	c2c_buf_fini(&h->s[0].hdr);
	c2c_buf_fini(&h->s[1].hdr);
	c2c_free(h);
}

static c2c_err
emit_req(struct c2c_http_flow *h, const struct c2c_app_out *o, unsigned i)
{
	h->obs = o->tmpl;
	h->obs.kind = C2C_OBS_HTTP;
	h->obs.ts = h->q[i].ts;
	h->obs.ev = h->q[i].ev;
	h->obs.u.http = h->q[i].http;
	memmove(&h->q[i], &h->q[i + 1], sizeof(h->q[0]) * (h->n - i - 1));
	h->n--;
	if (o->sink == NULL || o->sink->obs == NULL)
		return C2C_OK;
	return o->sink->obs(o->sink->ctx, &h->obs);
}

/* Position after the empty line ending a header block, or 0. */
static size_t
header_end(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (p[i] == '\n' && p[i + 1] == '\n')
			return i + 2;
		if (i + 3 < len && p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' &&
		    p[i + 3] == '\n')
			return i + 4;
	}
	return 0;
}

static c2c_err
on_header(struct c2c_http_flow *h, int s, const uint8_t *p, size_t len,
    const struct c2c_app_out *o, int64_t *body)
{
	c2c_err rc = C2C_OK;

	if (s == 0) {
		struct c2c_http r;
		if (parse_request(p, len, &r, body) != C2C_OK) {
			inc(o->st, C2C_ST_HTTP_MALFORMED);
			*body = -1;
			return C2C_OK;
		}
		inc(o->st, C2C_ST_HTTP_REQUESTS);
		if (h->n == C2C_HTTP_MAX_PENDING)
			rc = emit_req(h, o, 0);
		h->q[h->n].http = r;
		h->q[h->n].ts = o->tmpl.ts;
		h->q[h->n].ev = o->tmpl.ev;
		h->n++;
		if (r.proxy && memcmp(r.method, "CONNECT", 8) == 0)
			*body = -1; /* a tunnel follows */
		return rc;
	}
	/* "HTTP/1.x NNN reason" */
	uint16_t status = 0;
	*body = -1;
	if (len >= 12 && p[8] == ' ') {
		for (int i = 9; i < 12; i++) {
			if (p[i] < '0' || p[i] > '9') {
				status = 0;
				break;
			}
			status = (uint16_t)(status * 10 + (p[i] - '0'));
		}
	}
	if (status == 0) {
		inc(o->st, C2C_ST_HTTP_MALFORMED);
		return C2C_OK;
	}
	/* Content-Length of the response, to find the next status line. */
	struct c2c_cur c;
	const uint8_t *line;
	size_t n;
	c2c_cur_init(&c, p, len);
	(void)next_line(&c, &line, &n);
	while (next_line(&c, &line, &n) && n > 0) {
		const uint8_t *colon = memchr(line, ':', n), *v;
		size_t vl;
		if (colon == NULL || !ieq(line, (size_t)(colon - line), "content-length"))
			continue;
		v = colon + 1;
		vl = n - (size_t)(colon - line) - 1;
		trim(&v, &vl);
		int64_t x = 0;
		size_t i;
		for (i = 0; i < vl && v[i] >= '0' && v[i] <= '9' && x < (INT64_C(1) << 50); i++)
			x = x * 10 + (v[i] - '0');
		if (i == vl && vl > 0)
			*body = x;
	}
	if (status >= 100 && status < 200) {
		*body = 0;
		return C2C_OK; /* interim responses do not answer the request */
	}
	if (status == 204 || status == 304)
		*body = 0;
	if (h->n > 0) {
		bool connect = memcmp(h->q[0].http.method, "CONNECT", 8) == 0;
		h->q[0].http.status = status;
		rc = emit_req(h, o, 0);
		if (connect)
			*body = -1;
	}
	return rc;
}

c2c_err
c2c__http_flow_data(struct c2c_http_flow *h, bool is_orig, const uint8_t *p, size_t len,
    const struct c2c_app_out *o)
{
	int s = is_orig ? 0 : 1;
	struct side *sd = &h->s[s];
	c2c_err rc = C2C_OK;
	unsigned guard = 0;

	bool seg_start = true;

	while (len > 0 && rc == C2C_OK && guard++ < 64) {
		if (!sd->in_header) {
			if (sd->body > 0) {
				size_t k = (uint64_t)sd->body < len ? (size_t)sd->body : len;
				sd->body -= (int64_t)k;
				p += k;
				len -= k;
				seg_start = false;
				continue;
			}
			/* After a body of unknown length, only a segment that starts like a
			 * message resynchronises; after a known one the next byte starts one. */
			if (sd->body < 0 && (!seg_start || (s == 0 ? !c2c__http_probe(p, len) :
			    !starts_response(p, len))))
				return C2C_OK;
			sd->in_header = true;
			sd->body = 0;
			c2c_buf_reset(&sd->hdr);
		}
		seg_start = false;
		size_t old = sd->hdr.len;
		size_t take = len;
		if (old + take > C2C_HTTP_MAX_HEADER)
			take = C2C_HTTP_MAX_HEADER - old;
		rc = c2c_buf_add(&sd->hdr, p, take);
		if (rc != C2C_OK)
			return rc;
		size_t end = header_end(sd->hdr.data, sd->hdr.len);
		if (end == 0) {
			if (sd->hdr.len >= C2C_HTTP_MAX_HEADER) {
				inc(o->st, C2C_ST_HTTP_TOO_LARGE);
				sd->in_header = false;
				sd->body = -1;
				c2c_buf_reset(&sd->hdr);
			}
			return C2C_OK;
		}
		int64_t body;
		rc = on_header(h, s, sd->hdr.data, end, o, &body);
		size_t consumed = end - old; /* bytes of this segment in the block */
		sd->in_header = false;
		c2c_buf_reset(&sd->hdr);
		sd->body = body;
		p += consumed;
		len -= consumed;
		if (body < 0)
			break;
	}
	return rc;
}

void
c2c__http_flow_gap(struct c2c_http_flow *h, bool is_orig)
{
	struct side *sd = &h->s[is_orig ? 0 : 1];
	sd->in_header = false;
	sd->body = -1;
	c2c_buf_reset(&sd->hdr);
}

c2c_err
c2c__http_flow_finish(struct c2c_http_flow *h, const struct c2c_app_out *o)
{
	c2c_err rc = C2C_OK;
	while (h->n > 0 && rc == C2C_OK)
		rc = emit_req(h, o, 0);
	return rc;
}

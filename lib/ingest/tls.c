/*
 * TLS handshake observations (RFC 5246 §7.4, RFC 8446 §4): ClientHello SNI and JA3, ServerHello
 * JA3S, and the SHA-256 of the server's leaf certificate when it travels in the clear (TLS 1.2
 * and earlier). Per direction, stream bytes are cut into records (one record buffered at a
 * time), handshake fragments are joined into a handshake buffer capped at
 * C2C_TLS_MAX_HANDSHAKE, and each complete handshake message is decoded through a cursor. A
 * Certificate message larger than the cap still yields the leaf once the leaf itself is in.
 *
 * JA3 (salesforce/ja3): "Version,Ciphers,Extensions,Curves,PointFormats" in decimal, values
 * joined by '-', GREASE values (RFC 8701) left out; JA3S: "Version,Cipher,Extensions". Both
 * are reported as the MD5 of that string in lower-case hex.
 */
#include <stdio.h>
#include <string.h>

#include "ingest/app.h"

#define MAX_RECORD (16384 + 2048 + 5)

static const uint8_t none[1]; /* an empty cursor's base (never NULL + 0) */

static inline void
inc(struct c2c_ingest_stats *st, enum c2c_stat s)
{
	if (st != NULL)
		st->n[s]++;
}

static bool
grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

bool
c2c__tls_probe(const uint8_t *p, size_t len)
{
	if (len < 3 || p[0] != 0x16 || p[1] != 3 || p[2] > 4)
		return false;
	return len < 6 || p[5] == 1;
}

/* Append "-"-joined decimal values of a list of 16-bit (or 8-bit) values to `b`. */
static c2c_err
add_list(struct c2c_buf *b, struct c2c_cur *c, size_t width, bool skip_grease)
{
	bool first = true;
	while (c2c_cur_left(c) >= width) {
		uint16_t v;
		uint8_t v8;
		if (width == 2)
			(void)c2c_cur_be16(c, &v);
		else {
			(void)c2c_cur_u8(c, &v8);
			v = v8;
		}
		if (skip_grease && grease(v))
			continue;
		c2c_err rc = c2c_buf_printf(b, first ? "%u" : "-%u", v);
		if (rc != C2C_OK)
			return rc;
		first = false;
	}
	return C2C_OK;
}

static void
md5_hex(const struct c2c_buf *b, char out[33])
{
	uint8_t d[16];
	c2c_md5(b->data != NULL ? b->data : (const uint8_t *)"", b->len, d);
	(void)c2c_hex(d, 16, out);
}

static void
copy_name(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c > ' ' && c < 0x7f && c != '\\') {
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

c2c_err
c2c__tls_client_hello(const uint8_t *p, size_t len, struct c2c_tls *out)
{
	struct c2c_cur c, ciphers, exts, curves = { NULL, NULL }, formats = { NULL, NULL };
	struct c2c_buf s, extlist;
	uint16_t ver, cl, el;
	uint8_t sl, ml;
	uint16_t maxver = 0;
	c2c_err rc;

	c2c_cur_init(&c, p, len);
	if (!c2c_cur_be16(&c, &ver) || !c2c_cur_skip(&c, 32) || !c2c_cur_u8(&c, &sl) ||
	    !c2c_cur_skip(&c, sl) || !c2c_cur_be16(&c, &cl) || !c2c_cur_sub(&c, cl, &ciphers) ||
	    !c2c_cur_u8(&c, &ml) || !c2c_cur_skip(&c, ml))
		return C2C_EFORMAT;
	if (c2c_cur_left(&c) == 0) {
		c2c_cur_init(&exts, none, 0);
	} else if (!c2c_cur_be16(&c, &el) || !c2c_cur_sub(&c, el, &exts)) {
		return C2C_EFORMAT;
	}
	c2c_buf_init(&s, 1u << 20);
	c2c_buf_init(&extlist, 1u << 20);
	out->sni[0] = '\0';
	/* Extensions first: their types go into the JA3 string, some carry more fields. */
	bool firstext = true;
	while (c2c_cur_left(&exts) > 0) {
		uint16_t type, elen;
		struct c2c_cur body;
		if (!c2c_cur_be16(&exts, &type) || !c2c_cur_be16(&exts, &elen) ||
		    !c2c_cur_sub(&exts, elen, &body)) {
			rc = C2C_EFORMAT;
			goto out;
		}
		if (!grease(type)) {
			rc = c2c_buf_printf(&extlist, firstext ? "%u" : "-%u", type);
			if (rc != C2C_OK)
				goto out;
			firstext = false;
		}
		if (type == 0 && out->sni[0] == '\0') { /* server_name (RFC 6066 §3) */
			uint16_t ll, nl;
			uint8_t nt;
			const uint8_t *name;
			if (c2c_cur_be16(&body, &ll) && c2c_cur_u8(&body, &nt) && nt == 0 &&
			    c2c_cur_be16(&body, &nl) && c2c_cur_bytes(&body, nl, &name))
				copy_name(name, nl, out->sni, sizeof(out->sni));
		} else if (type == 10) { /* supported_groups */
			uint16_t gl;
			if (c2c_cur_be16(&body, &gl))
				(void)c2c_cur_sub(&body, gl, &curves);
		} else if (type == 11) { /* ec_point_formats */
			uint8_t fl;
			if (c2c_cur_u8(&body, &fl))
				(void)c2c_cur_sub(&body, fl, &formats);
		} else if (type == 43) { /* supported_versions */
			uint8_t vl;
			struct c2c_cur vs;
			if (c2c_cur_u8(&body, &vl) && c2c_cur_sub(&body, vl, &vs)) {
				uint16_t v;
				while (c2c_cur_be16(&vs, &v))
					if (!grease(v) && v > maxver)
						maxver = v;
			}
		}
	}
	rc = c2c_buf_printf(&s, "%u,", ver);
	if (rc == C2C_OK)
		rc = add_list(&s, &ciphers, 2, true);
	if (rc == C2C_OK)
		rc = c2c_buf_addc(&s, ',');
	if (rc == C2C_OK && extlist.len > 0)
		rc = c2c_buf_add(&s, extlist.data, extlist.len);
	if (rc == C2C_OK)
		rc = c2c_buf_addc(&s, ',');
	if (rc == C2C_OK && curves.p != NULL)
		rc = add_list(&s, &curves, 2, true);
	if (rc == C2C_OK)
		rc = c2c_buf_addc(&s, ',');
	if (rc == C2C_OK && formats.p != NULL)
		rc = add_list(&s, &formats, 1, false);
	if (rc != C2C_OK)
		goto out;
	md5_hex(&s, out->ja3);
	out->version = maxver ? maxver : ver;
out:
	c2c_buf_fini(&s);
	c2c_buf_fini(&extlist);
	return rc;
}

c2c_err
c2c__tls_server_hello(const uint8_t *p, size_t len, struct c2c_tls *out)
{
	struct c2c_cur c, exts;
	struct c2c_buf s;
	uint16_t ver, cipher, el;
	uint8_t sl, comp;
	bool first = true;
	c2c_err rc;

	c2c_cur_init(&c, p, len);
	if (!c2c_cur_be16(&c, &ver) || !c2c_cur_skip(&c, 32) || !c2c_cur_u8(&c, &sl) ||
	    !c2c_cur_skip(&c, sl) || !c2c_cur_be16(&c, &cipher) || !c2c_cur_u8(&c, &comp))
		return C2C_EFORMAT;
	if (c2c_cur_left(&c) == 0)
		c2c_cur_init(&exts, none, 0);
	else if (!c2c_cur_be16(&c, &el) || !c2c_cur_sub(&c, el, &exts))
		return C2C_EFORMAT;
	c2c_buf_init(&s, 1u << 20);
	out->version = ver; /* the negotiated version; supported_versions overrides (TLS 1.3) */
	rc = c2c_buf_printf(&s, "%u,%u,", ver, cipher);
	while (rc == C2C_OK && c2c_cur_left(&exts) > 0) {
		uint16_t type, elen;
		struct c2c_cur body;
		if (!c2c_cur_be16(&exts, &type) || !c2c_cur_be16(&exts, &elen) ||
		    !c2c_cur_sub(&exts, elen, &body)) {
			rc = C2C_EFORMAT;
			break;
		}
		if (type == 43) { /* supported_versions: the selected version */
			uint16_t v;
			if (c2c_cur_be16(&body, &v))
				out->version = v;
		}
		if (grease(type))
			continue;
		rc = c2c_buf_printf(&s, first ? "%u" : "-%u", type);
		first = false;
	}
	if (rc == C2C_OK)
		md5_hex(&s, out->ja3s);
	c2c_buf_fini(&s);
	return rc;
}

/* ---- per-flow state ----------------------------------------------------------------------- */

struct dir {
	struct c2c_buf rec; /* one record being assembled */
	struct c2c_buf hs;  /* handshake bytes */
	bool done, bad;
};

struct c2c_tls_flow {
	struct dir d[2]; /* [0] client (originator), [1] server */
	struct c2c_tls tls;
	bool seen_client, seen_server, emitted;
	c2c_time ts;
	struct c2c_evref ev;
	bool have_ev;
	struct c2c_obs obs;
};

struct c2c_tls_flow *
c2c__tls_flow_new(void)
{
	struct c2c_tls_flow *t = c2c_calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	for (int i = 0; i < 2; i++) {
		c2c_buf_init(&t->d[i].rec, MAX_RECORD);
		c2c_buf_init(&t->d[i].hs, C2C_TLS_MAX_HANDSHAKE);
	}
	return t;
}

void
c2c__tls_flow_free(struct c2c_tls_flow *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < 2; i++) {
		c2c_buf_fini(&t->d[i].rec);
		c2c_buf_fini(&t->d[i].hs);
	}
	c2c_free(t);
}

static c2c_err
emit(struct c2c_tls_flow *t, const struct c2c_app_out *o)
{
	if (t->emitted || (!t->seen_client && !t->seen_server))
		return C2C_OK;
	t->emitted = true;
	for (int i = 0; i < 2; i++) {
		t->d[i].done = true;
		c2c_buf_fini(&t->d[i].rec);
		c2c_buf_fini(&t->d[i].hs);
	}
	t->obs = o->tmpl;
	t->obs.kind = C2C_OBS_TLS;
	if (t->have_ev) {
		t->obs.ts = t->ts;
		t->obs.ev = t->ev;
	}
	t->obs.u.tls = t->tls;
	if (o->sink == NULL || o->sink->obs == NULL)
		return C2C_OK;
	return o->sink->obs(o->sink->ctx, &t->obs);
}

static void
note_ev(struct c2c_tls_flow *t, const struct c2c_app_out *o)
{
	if (!t->have_ev) {
		t->have_ev = true;
		t->ts = o->tmpl.ts;
		t->ev = o->tmpl.ev;
	}
}

/* Decode the complete handshake messages at the front of `d->hs`. */
static c2c_err
handshakes(struct c2c_tls_flow *t, int s, const struct c2c_app_out *o)
{
	struct dir *d = &t->d[s];
	size_t used = 0;

	while (!d->done && d->hs.len - used >= 4) {
		const uint8_t *h = d->hs.data + used;
		uint8_t type = h[0];
		size_t ml = (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
		size_t avail = d->hs.len - used - 4;

		if (type == 11 && s == 1 && avail >= 6) {
			/* Certificate: the leaf may be complete before the whole chain is. */
			size_t cl = (size_t)h[7] << 16 | (size_t)h[8] << 8 | h[9];
			if (avail >= 6 + cl && cl > 0 && cl + 3 <= ml) {
				c2c_sha256(h + 10, cl, t->tls.cert_sha256);
				t->tls.have_cert = true;
				inc(o->st, C2C_ST_TLS_CERTS);
				d->done = true;
				break;
			}
		}
		if (avail < ml) {
			if (4 + ml > C2C_TLS_MAX_HANDSHAKE) {
				inc(o->st, C2C_ST_TLS_TOO_LARGE);
				d->done = true;
			}
			break;
		}
		if (type == 1 && s == 0) {
			c2c_err hr = c2c__tls_client_hello(h + 4, ml, &t->tls);
			if (hr == C2C_ENOMEM)
				return hr;
			if (hr == C2C_OK) {
				t->seen_client = true;
				note_ev(t, o);
				inc(o->st, C2C_ST_TLS_HELLOS);
			} else {
				inc(o->st, C2C_ST_TLS_MALFORMED);
			}
			d->done = true; /* the rest of the client's handshake is not needed */
		} else if (type == 2 && s == 1) {
			c2c_err hr = c2c__tls_server_hello(h + 4, ml, &t->tls);
			if (hr == C2C_ENOMEM)
				return hr;
			if (hr == C2C_OK) {
				t->seen_server = true;
				note_ev(t, o);
				inc(o->st, C2C_ST_TLS_HELLOS);
				/* TLS 1.3 encrypts the certificate. */
				if (t->tls.version == 0x0304)
					d->done = true;
			} else {
				inc(o->st, C2C_ST_TLS_MALFORMED);
				d->done = true;
			}
		} else if (type == 11 && s == 1) {
			d->done = true; /* an empty or malformed certificate list */
		}
		used += 4 + ml;
	}
	if (d->done) {
		c2c_buf_reset(&d->hs);
	} else if (used > 0) {
		memmove(d->hs.data, d->hs.data + used, d->hs.len - used);
		d->hs.len -= used;
	}
	return C2C_OK;
}

/* One complete record. */
static c2c_err
record(struct c2c_tls_flow *t, int s, const uint8_t *r, size_t len, const struct c2c_app_out *o)
{
	struct dir *d = &t->d[s];
	uint8_t type = r[0];
	c2c_err rc;

	if (type == 22) {
		rc = c2c_buf_add(&d->hs, r + 5, len - 5);
		if (rc == C2C_ELIMIT) {
			inc(o->st, C2C_ST_TLS_TOO_LARGE);
			d->done = true;
			return C2C_OK;
		}
		if (rc != C2C_OK)
			return rc;
		return handshakes(t, s, o);
	}
	if (type >= 20 && type <= 24) {
		/* ChangeCipherSpec, alert, application data, heartbeat: the clear handshake of this
		 * side is over. */
		d->done = true;
		return C2C_OK;
	}
	inc(o->st, C2C_ST_TLS_MALFORMED);
	d->bad = d->done = true;
	return C2C_OK;
}

c2c_err
c2c__tls_flow_data(struct c2c_tls_flow *t, bool is_orig, const uint8_t *p, size_t len,
    const struct c2c_app_out *o)
{
	int s = is_orig ? 0 : 1;
	struct dir *d = &t->d[s];
	c2c_err rc = C2C_OK;

	while (!d->done && len > 0 && rc == C2C_OK) {
		size_t need, take;
		if (d->rec.len < 5) {
			take = 5 - d->rec.len < len ? 5 - d->rec.len : len;
		} else {
			need = 5 + ((size_t)d->rec.data[3] << 8 | d->rec.data[4]);
			take = need - d->rec.len < len ? need - d->rec.len : len;
		}
		rc = c2c_buf_add(&d->rec, p, take);
		if (rc != C2C_OK)
			return rc;
		p += take;
		len -= take;
		if (d->rec.len < 5)
			break;
		if (d->rec.data[1] != 3 || d->rec.data[2] > 4) {
			inc(o->st, C2C_ST_TLS_MALFORMED);
			d->bad = d->done = true;
			break;
		}
		need = 5 + ((size_t)d->rec.data[3] << 8 | d->rec.data[4]);
		if (need > MAX_RECORD) {
			inc(o->st, C2C_ST_TLS_MALFORMED);
			d->bad = d->done = true;
			break;
		}
		if (d->rec.len == need) {
			rc = record(t, s, d->rec.data, d->rec.len, o);
			c2c_buf_reset(&d->rec);
		}
	}
	if (rc == C2C_OK && t->d[0].done && t->d[1].done)
		rc = emit(t, o);
	return rc;
}

void
c2c__tls_flow_gap(struct c2c_tls_flow *t, bool is_orig)
{
	/* Record boundaries are lost: this side is over. */
	t->d[is_orig ? 0 : 1].done = true;
}

c2c_err
c2c__tls_flow_finish(struct c2c_tls_flow *t, const struct c2c_app_out *o)
{
	return emit(t, o);
}

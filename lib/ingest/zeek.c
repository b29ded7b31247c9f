/*
 * Zeek logs: conn (and RITA's open_conn), dns, ssl and http, in Zeek's TSV format (header lines
 * #separator, #set_separator, #empty_field, #unset_field, #path, #fields, #types) and as JSON
 * lines (Zeek's JSON writer or JSON Streaming Logs, `ts` as epoch seconds or ISO 8601).
 *
 * Each data line is split into the values of the fields we use (enum zf) — TSV through the
 * #fields column map, JSON through a flat scanner that decodes strings into a per-file scratch
 * buffer — and then turned into a flow (conn) or an observation (dns -> C2C_OBS_DNS, ssl ->
 * C2C_OBS_TLS, http -> C2C_OBS_HTTP). Text values are put into one canonical form, Zeek's
 * escaping of control bytes (\xNN), whichever format they came from, so the TSV and JSON
 * copies of a log give identical records. Times and intervals are rounded to microseconds.
 * Every reference names the line (offset, length; rec = -1); TSV header lines are the
 * dependency records of the input. Malformed lines are counted with the first one's line
 * number in the diag; a last line cut off without its newline is counted as truncated (and as
 * malformed: it is not read), and a TSV log that has `#open` but no `#close` (still being
 * written, or cut) is counted as such. A TSV file with no header at all (e.g. the top of a
 * conn.log cut off from its header) is recognised from content by c2c__zeek_conn_probe() and
 * read in Zeek's default conn.log column order, which the diag says.
 */
#include <stdio.h>
#include <string.h>

#include "ingest/internal.h"

#define ZEEK_MAX_LINE (1u << 20)
#define ZEEK_MAX_COLS 256

enum zf {
	Z_NONE = 0,
	Z_PATH, Z_TS, Z_UID, Z_ORIG_H, Z_ORIG_P, Z_RESP_H, Z_RESP_P, Z_PROTO, Z_SERVICE,
	Z_DURATION, Z_ORIG_BYTES, Z_RESP_BYTES, Z_CONN_STATE, Z_LOCAL_ORIG, Z_LOCAL_RESP,
	Z_MISSED, Z_HISTORY, Z_ORIG_PKTS, Z_ORIG_IP_BYTES, Z_RESP_PKTS, Z_RESP_IP_BYTES, Z_VLAN,
	Z_INNER_VLAN, Z_COMMUNITY_ID,
	Z_TRANS_ID, Z_RTT, Z_QUERY, Z_QCLASS, Z_QTYPE, Z_RCODE, Z_AA, Z_TC, Z_RD, Z_RA,
	Z_ANSWERS, Z_TTLS,
	Z_VERSION, Z_SERVER_NAME, Z_JA3, Z_JA3S, Z_CERT_FPS, Z_CIPHER,
	Z_METHOD, Z_HOST, Z_URI, Z_USER_AGENT, Z_STATUS, Z_PROXIED,
	Z__COUNT
};

static const struct {
	const char *name;
	uint8_t f;
} znames[] = {
	{ "_path", Z_PATH }, { "ts", Z_TS }, { "uid", Z_UID }, { "id.orig_h", Z_ORIG_H },
	{ "id.orig_p", Z_ORIG_P }, { "id.resp_h", Z_RESP_H }, { "id.resp_p", Z_RESP_P },
	{ "proto", Z_PROTO }, { "service", Z_SERVICE }, { "duration", Z_DURATION },
	{ "orig_bytes", Z_ORIG_BYTES }, { "resp_bytes", Z_RESP_BYTES },
	{ "conn_state", Z_CONN_STATE }, { "local_orig", Z_LOCAL_ORIG },
	{ "local_resp", Z_LOCAL_RESP }, { "missed_bytes", Z_MISSED }, { "history", Z_HISTORY },
	{ "orig_pkts", Z_ORIG_PKTS }, { "orig_ip_bytes", Z_ORIG_IP_BYTES },
	{ "resp_pkts", Z_RESP_PKTS }, { "resp_ip_bytes", Z_RESP_IP_BYTES }, { "vlan", Z_VLAN },
	{ "inner_vlan", Z_INNER_VLAN }, { "community_id", Z_COMMUNITY_ID },
	{ "trans_id", Z_TRANS_ID }, { "rtt", Z_RTT }, { "query", Z_QUERY },
	{ "qclass", Z_QCLASS }, { "qtype", Z_QTYPE }, { "rcode", Z_RCODE }, { "AA", Z_AA },
	{ "TC", Z_TC }, { "RD", Z_RD }, { "RA", Z_RA }, { "answers", Z_ANSWERS },
	{ "TTLs", Z_TTLS }, { "version", Z_VERSION }, { "server_name", Z_SERVER_NAME },
	{ "ja3", Z_JA3 }, { "ja3s", Z_JA3S }, { "cert_chain_fps", Z_CERT_FPS },
	{ "cipher", Z_CIPHER }, { "method", Z_METHOD }, { "host", Z_HOST }, { "uri", Z_URI },
	{ "user_agent", Z_USER_AGENT }, { "status_code", Z_STATUS }, { "proxied", Z_PROXIED },
};

enum zpath { P_UNKNOWN = 0, P_CONN, P_OPEN_CONN, P_DNS, P_SSL, P_HTTP, P_OTHER };

enum zvt { V_UNSET = 0, V_STR, V_NUM, V_BOOL, V_LIST };

struct zval {
	const char *p;
	uint32_t len;
	uint8_t type;
	char sep; /* list element separator */
};

struct zk {
	struct c2c_ingest_ctx *cx;
	bool json;
	/* TSV header state */
	char sep, set_sep;
	char empty[32], unset[32];
	size_t empty_len, unset_len;
	enum zpath path;
	bool have_fields;
	uint16_t n_cols;
	uint8_t col[ZEEK_MAX_COLS];
	/* per line */
	struct zval v[Z__COUNT];
	struct c2c_buf scratch;
	uint64_t line_no, line_off;
	uint32_t line_len;
	/* reporting */
	uint64_t n_bad, first_bad_line, trunc_line;
	const char *first_bad_why;
	uint64_t n_hdr;      /* header lines seen */
	bool saw_open, saw_close;
	bool headerless;     /* no header: Zeek's default conn.log columns assumed */
	uint64_t seq;
	c2c_err buf_err;
};

static uint8_t
field_of(const char *p, size_t len)
{
	for (size_t i = 0; i < C2C_ARRAY_LEN(znames); i++) {
		if (strlen(znames[i].name) == len && memcmp(znames[i].name, p, len) == 0)
			return znames[i].f;
	}
	return Z_NONE;
}

static enum zpath
path_of(const char *p, size_t len)
{
	static const struct {
		const char *n;
		enum zpath p;
	} t[] = { { "conn", P_CONN }, { "open_conn", P_OPEN_CONN }, { "dns", P_DNS },
		{ "ssl", P_SSL }, { "open_ssl", P_SSL }, { "http", P_HTTP },
		{ "open_http", P_HTTP } };
	for (size_t i = 0; i < C2C_ARRAY_LEN(t); i++) {
		if (strlen(t[i].n) == len && memcmp(t[i].n, p, len) == 0)
			return t[i].p;
	}
	return P_OTHER;
}

static void
bad_line(struct zk *z, const char *why)
{
	z->cx->st->n[C2C_ST_ZEEK_MALFORMED]++;
	z->cx->info->malformed++;
	if (z->n_bad++ == 0) {
		z->first_bad_line = z->line_no;
		z->first_bad_why = why;
	}
}

/* ---- value conversion --------------------------------------------------------------------- */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Canonical text: Zeek's \xNN escapes are undone, then control bytes (< 0x20, 0x7f) are escaped
 * again as \xNN (lowercase hex). TSV (which escapes) and JSON (which may not) meet here. The
 * result is NUL-terminated and cut to fit `cap`; returns false when it had to be cut.
 */
static bool
canon_text(char *dst, size_t cap, const char *s, size_t len, struct c2c_ingest_stats *st)
{
	static const char hx[] = "0123456789abcdef";
	size_t o = 0;
	bool fit = true;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\' && i + 3 < len + 0 && s[i + 1] == 'x') {
			int h = hexval(s[i + 2]), l = hexval(s[i + 3]);
			if (h >= 0 && l >= 0) {
				c = (unsigned char)(h << 4 | l);
				i += 3;
			} else {
				st->n[C2C_ST_ZEEK_BAD_ESCAPE]++;
			}
		}
		if (c < 0x20 || c == 0x7f) {
			if (o + 4 >= cap) {
				fit = false;
				break;
			}
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hx[c >> 4];
			dst[o++] = hx[c & 15];
		} else {
			if (o + 1 >= cap) {
				fit = false;
				break;
			}
			dst[o++] = (char)c;
		}
	}
	dst[o] = '\0';
	return fit;
}

static bool
get_text(struct zk *z, enum zf f, char *dst, size_t cap)
{
	const struct zval *v = &z->v[f];
	dst[0] = '\0';
	if (v->type == V_UNSET)
		return false;
	(void)canon_text(dst, cap, v->p, v->len, z->cx->st);
	return true;
}

static bool
parse_u64(const char *p, size_t len, uint64_t *out)
{
	uint64_t r = 0;
	if (len == 0 || len > 20)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d;
		if (p[i] < '0' || p[i] > '9')
			return false;
		d = (unsigned)(p[i] - '0');
		if (r > (UINT64_MAX - d) / 10)
			return false;
		r = r * 10 + d;
	}
	*out = r;
	return true;
}

static bool
get_u64(struct zk *z, enum zf f, uint64_t *out)
{
	const struct zval *v = &z->v[f];
	if (v->type != V_STR && v->type != V_NUM)
		return false;
	return parse_u64(v->p, v->len, out);
}

/*
 * Decimal seconds (optionally with an exponent, as JSON writers print doubles) to microseconds,
 * rounded half up: Zeek's TSV prints 6 decimals of the same double its JSON prints in full.
 */
static bool
parse_secs_us(const char *p, size_t len, int64_t *out)
{
	uint64_t mant = 0;
	int exp10 = 0, digits = 0;
	bool neg = false, any = false;
	size_t i = 0;

	if (i < len && (p[i] == '-' || p[i] == '+'))
		neg = p[i++] == '-';
	for (; i < len && p[i] >= '0' && p[i] <= '9'; i++, any = true) {
		if (digits < 18) {
			mant = mant * 10 + (uint64_t)(p[i] - '0');
			if (mant != 0)
				digits++;
		} else {
			exp10++;
		}
	}
	if (i < len && p[i] == '.') {
		for (i++; i < len && p[i] >= '0' && p[i] <= '9'; i++, any = true) {
			if (digits < 18) {
				mant = mant * 10 + (uint64_t)(p[i] - '0');
				exp10--;
				if (mant != 0)
					digits++;
			}
		}
	}
	if (!any)
		return false;
	if (i < len && (p[i] == 'e' || p[i] == 'E')) {
		int e = 0;
		bool eneg = false;
		i++;
		if (i < len && (p[i] == '-' || p[i] == '+'))
			eneg = p[i++] == '-';
		if (i >= len)
			return false;
		for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
			if (e < 1000)
				e = e * 10 + (p[i] - '0');
		}
		exp10 += eneg ? -e : e;
	}
	if (i != len)
		return false;
	exp10 += 6; /* to microseconds */
	if (exp10 >= 0) {
		for (; exp10 > 0; exp10--) {
			if (mant > (uint64_t)INT64_MAX / 10)
				return false;
			mant *= 10;
		}
	} else if (exp10 < -19) {
		mant = 0;
	} else {
		uint64_t div = 1;
		for (; exp10 < 0; exp10++)
			div *= 10;
		mant = mant / div + (mant % div >= (div + 1) / 2 ? 1 : 0);
	}
	if (mant > (uint64_t)INT64_MAX)
		return false;
	*out = neg ? -(int64_t)mant : (int64_t)mant;
	return true;
}

static bool
get_time(struct zk *z, enum zf f, c2c_time *out)
{
	const struct zval *v = &z->v[f];
	if (v->type == V_NUM || (v->type == V_STR && v->len > 0 && v->p[0] != '-' &&
	    memchr(v->p, '-', v->len) == NULL))
		return parse_secs_us(v->p, v->len, out);
	if (v->type == V_STR)
		return c2c_time_parse(out, v->p, v->len) == C2C_OK;
	return false;
}

static bool
get_bool(struct zk *z, enum zf f, bool *out)
{
	const struct zval *v = &z->v[f];
	if (v->type == V_UNSET || v->len == 0)
		return false;
	if ((v->len == 1 && v->p[0] == 'T') || (v->len == 4 && memcmp(v->p, "true", 4) == 0))
		*out = true;
	else if ((v->len == 1 && v->p[0] == 'F') || (v->len == 5 && memcmp(v->p, "false", 5) == 0))
		*out = false;
	else
		return false;
	return true;
}

static bool
get_ip(struct zk *z, enum zf f, struct c2c_ip *ip)
{
	const struct zval *v = &z->v[f];
	if (v->type != V_STR)
		return false;
	return c2c_ip_parsen(ip, v->p, v->len) == C2C_OK;
}

/* Next element of a list value: *pos advances; false at the end. */
static bool
list_next(const struct zval *v, size_t *pos, const char **p, size_t *len)
{
	const char *e, *end;
	if (v->type == V_UNSET || *pos > v->len || v->len == 0 || v->p == NULL)
		return false;
	end = v->p + v->len;
	if (*pos == v->len) {
		*pos = v->len + 1;
		return false;
	}
	*p = v->p + *pos;
	e = memchr(*p, v->sep, (size_t)(end - *p));
	if (e == NULL)
		e = end;
	*len = (size_t)(e - *p);
	*pos = (size_t)(e - v->p) + 1;
	return true;
}

/* ---- TSV ------------------------------------------------------------------------------------ */

/* Decode a header value such as "\x09" into one character. */
static char
header_char(const char *p, size_t len)
{
	if (len == 4 && p[0] == '\\' && p[1] == 'x' && hexval(p[2]) >= 0 && hexval(p[3]) >= 0)
		return (char)(hexval(p[2]) << 4 | hexval(p[3]));
	return len >= 1 ? p[0] : '\t';
}

static void
tsv_header(struct zk *z, const char *p, size_t len)
{
	struct c2c_input_info *info = z->cx->info;
	const char *val, *sp;
	size_t klen, vlen;

	z->cx->st->n[C2C_ST_ZEEK_HEADERS]++;
	z->n_hdr++;
	if (info->n_deps < C2C_ARRAY_LEN(info->deps)) {
		struct c2c_evref *d = &info->deps[info->n_deps++];
		d->input = z->cx->input;
		d->rec = -1;
		d->off = z->line_off;
		d->len = z->line_len;
	}
	/* "#separator \x09" uses a space; the others use the separator itself */
	if (len > 11 && memcmp(p, "#separator ", 11) == 0) {
		z->sep = header_char(p + 11, len - 11);
		return;
	}
	/* Zeek writes #open when it opens a log and #close when it rotates or shuts down it */
	if (len >= 5 && memcmp(p, "#open", 5) == 0)
		z->saw_open = true;
	else if (len >= 6 && memcmp(p, "#close", 6) == 0)
		z->saw_close = true;
	sp = memchr(p, z->sep, len);
	if (sp == NULL)
		return;
	klen = (size_t)(sp - p);
	val = sp + 1;
	vlen = len - klen - 1;
	if (klen == 14 && memcmp(p, "#set_separator", 14) == 0) {
		z->set_sep = header_char(val, vlen);
	} else if (klen == 12 && memcmp(p, "#empty_field", 12) == 0) {
		z->empty_len = vlen < sizeof(z->empty) ? vlen : sizeof(z->empty) - 1;
		memcpy(z->empty, val, z->empty_len);
	} else if (klen == 12 && memcmp(p, "#unset_field", 12) == 0) {
		z->unset_len = vlen < sizeof(z->unset) ? vlen : sizeof(z->unset) - 1;
		memcpy(z->unset, val, z->unset_len);
	} else if (klen == 5 && memcmp(p, "#path", 5) == 0) {
		z->path = path_of(val, vlen);
	} else if (klen == 7 && memcmp(p, "#fields", 7) == 0) {
		size_t i = 0;
		z->n_cols = 0;
		while (i <= vlen && z->n_cols < ZEEK_MAX_COLS) {
			const char *e = memchr(val + i, z->sep, vlen - i);
			size_t l = e != NULL ? (size_t)(e - (val + i)) : vlen - i;
			z->col[z->n_cols++] = field_of(val + i, l);
			i += l + 1;
		}
		z->have_fields = true;
	}
}

static bool
tsv_split(struct zk *z, const char *p, size_t len)
{
	size_t i = 0;
	uint16_t c = 0;
	memset(z->v, 0, sizeof(z->v));
	while (i <= len) {
		const char *e = memchr(p + i, z->sep, len - i);
		size_t l = e != NULL ? (size_t)(e - (p + i)) : len - i;
		if (c >= z->n_cols)
			return false; /* more columns than #fields */
		if (z->col[c] != Z_NONE) {
			struct zval *v = &z->v[z->col[c]];
			v->p = p + i;
			v->len = (uint32_t)l;
			v->sep = z->set_sep;
			if (l == z->unset_len && memcmp(p + i, z->unset, l) == 0)
				v->type = V_UNSET;
			else if (l == z->empty_len && memcmp(p + i, z->empty, l) == 0) {
				v->len = 0;
				v->type = V_LIST;
			}
			else
				v->type = V_STR;
		}
		c++;
		i += l + 1;
	}
	return c == z->n_cols;
}

/*
 * Zeek's default conn.log columns (base/protocols/conn/main.zeek, Zeek 2.6 to 7), for a TSV log
 * whose header is missing, and the kind of value each holds: T time, U uid, A addr, P port,
 * E transport enum, S string, I interval, C count, B bool (I, C, B may be unset "-").
 */
#define ZEEK_CONN_DEFAULT_COLS 21
static const uint8_t conn_default_col[ZEEK_CONN_DEFAULT_COLS] = {
	Z_TS, Z_UID, Z_ORIG_H, Z_ORIG_P, Z_RESP_H, Z_RESP_P, Z_PROTO, Z_SERVICE, Z_DURATION,
	Z_ORIG_BYTES, Z_RESP_BYTES, Z_CONN_STATE, Z_LOCAL_ORIG, Z_LOCAL_RESP, Z_MISSED, Z_HISTORY,
	Z_ORIG_PKTS, Z_ORIG_IP_BYTES, Z_RESP_PKTS, Z_RESP_IP_BYTES, Z_NONE /* tunnel_parents */
};
static const char conn_default_kind[ZEEK_CONN_DEFAULT_COLS + 1] = "TUAPAPESICCSBBCSCCCCS";

static bool
all_digits(const char *p, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
	}
	return true;
}

/* Does one column of a headerless line hold a value of `kind`? */
static bool
col_is(char kind, const char *p, size_t len)
{
	bool unset = len == 1 && p[0] == '-';
	switch (kind) {
	case 'T':
	case 'I': {
		const char *dot = memchr(p, '.', len);
		if (kind == 'I' && unset)
			return true;
		if (dot == NULL)
			return all_digits(p, len);
		return all_digits(p, (size_t)(dot - p)) &&
		    all_digits(dot + 1, len - (size_t)(dot - p) - 1);
	}
	case 'U':
		if (len == 0 || len > 32)
			return false;
		for (size_t i = 0; i < len; i++) {
			char c = p[i];
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z')))
				return false;
		}
		return true;
	case 'A': {
		struct c2c_ip ip;
		return c2c_ip_parsen(&ip, p, len) == C2C_OK;
	}
	case 'P':
		return all_digits(p, len) && len <= 5;
	case 'E':
		return (len == 3 && (memcmp(p, "tcp", 3) == 0 || memcmp(p, "udp", 3) == 0)) ||
		    (len == 4 && memcmp(p, "icmp", 4) == 0) ||
		    (len == 17 && memcmp(p, "unknown_transport", 17) == 0);
	case 'C':
		return unset || all_digits(p, len);
	case 'B':
		return unset || (len == 1 && (p[0] == 'T' || p[0] == 'F'));
	default:
		return true;
	}
}

bool
c2c__zeek_conn_probe(const uint8_t *p, size_t len)
{
	const char *s = (const char *)p;
	const uint8_t *nl = memchr(p, '\n', len);
	size_t ll = nl != NULL ? (size_t)(nl - p) : len, i = 0;
	unsigned k = 0;

	if (ll > 0 && s[ll - 1] == '\r')
		ll--;
	/* Columns are checked while complete: ended by a tab, or by the newline when the whole
	 * line is in view. ts, uid and id.orig_h must be among them. */
	while (i < ll) {
		const char *e = memchr(s + i, '\t', ll - i);
		size_t cl;
		if (e == NULL && nl == NULL)
			break; /* the column runs past what we were given */
		cl = e != NULL ? (size_t)(e - (s + i)) : ll - i;
		if (k < ZEEK_CONN_DEFAULT_COLS && !col_is(conn_default_kind[k], s + i, cl))
			return false;
		k++;
		i += cl + 1;
		if (e == NULL)
			break;
	}
	if (k < 3)
		return false;
	return nl == NULL || k >= ZEEK_CONN_DEFAULT_COLS;
}

/* A data line in a file with no header at all: read it, and every later line, in Zeek's
 * default conn.log column order. Columns past the default ones (fields added by site policy)
 * are kept in the count, so each line must have as many as the first. */
static void
assume_default_conn(struct zk *z, const char *p, size_t len)
{
	uint16_t n = 1;
	for (size_t i = 0; i < len && n < ZEEK_MAX_COLS; i++)
		n = (uint16_t)(n + (p[i] == z->sep));
	if (n < ZEEK_CONN_DEFAULT_COLS)
		n = ZEEK_CONN_DEFAULT_COLS;
	memset(z->col, Z_NONE, sizeof(z->col));
	memcpy(z->col, conn_default_col, sizeof(conn_default_col));
	z->n_cols = n;
	z->path = P_CONN;
	z->have_fields = true;
	z->headerless = true;
	z->cx->st->n[C2C_ST_ZEEK_HEADERLESS]++;
}

/* ---- JSON ----------------------------------------------------------------------------------- */

/* Append to the scratch buffer, remembering why it failed (C2C_ENOMEM must not read as a
 * malformed line). */
static bool
sadd(struct zk *z, const void *p, size_t n)
{
	c2c_err e = c2c_buf_add(&z->scratch, p, n);
	if (e != C2C_OK) {
		z->buf_err = e;
		return false;
	}
	return true;
}

static bool
saddc(struct zk *z, char c)
{
	return sadd(z, &c, 1);
}

static void
skip_ws(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t' || **p == '\r'))
		(*p)++;
}

static bool
utf8_put(struct zk *z, uint32_t cp)
{
	uint8_t u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (uint8_t)(0xc0 | cp >> 6);
		u[1] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (uint8_t)(0xe0 | cp >> 12);
		u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (uint8_t)(0xf0 | cp >> 18);
		u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return sadd(z, u, n);
}

static bool
hex4(const char *p, const char *end, uint32_t *v)
{
	uint32_t r = 0;
	if (end - p < 4)
		return false;
	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);
		if (h < 0)
			return false;
		r = r << 4 | (uint32_t)h;
	}
	*v = r;
	return true;
}

/* A JSON string at *p (at the opening quote), decoded and appended to the scratch buffer. */
static bool
json_string(struct zk *z, const char **p, const char *end)
{
	const char *s = *p + 1;
	while (s < end && *s != '"') {
		const char *run = s;
		while (s < end && *s != '"' && *s != '\\')
			s++;
		if (s > run && !sadd(z, run, (size_t)(s - run)))
			return false;
		if (s < end && *s == '\\') {
			char c;
			if (end - s < 2)
				return false;
			c = s[1];
			s += 2;
			switch (c) {
			case '"': case '\\': case '/':
				if (!saddc(z, c))
					return false;
				break;
			case 'b': if (!saddc(z, '\b')) return false; break;
			case 'f': if (!saddc(z, '\f')) return false; break;
			case 'n': if (!saddc(z, '\n')) return false; break;
			case 'r': if (!saddc(z, '\r')) return false; break;
			case 't': if (!saddc(z, '\t')) return false; break;
			case 'u': {
				uint32_t cp, lo;
				if (!hex4(s, end, &cp))
					return false;
				s += 4;
				if (cp >= 0xd800 && cp < 0xdc00 && end - s >= 6 && s[0] == '\\' &&
				    s[1] == 'u' && hex4(s + 2, end, &lo) && lo >= 0xdc00 &&
				    lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					s += 6;
				}
				if (!utf8_put(z, cp))
					return false;
				break;
			}
			default:
				return false;
			}
		}
	}
	if (s >= end)
		return false;
	*p = s + 1;
	return true;
}

/* A scalar: string, number, true/false/null. `t` gets its type; strings land in scratch
 * (offset *soff, length *slen), other scalars are spans of the line. */
static bool
json_scalar(struct zk *z, const char **p, const char *end, uint8_t *t, size_t *soff,
    size_t *slen, const char **raw)
{
	const char *s = *p;
	if (s >= end)
		return false;
	if (*s == '"') {
		*soff = z->scratch.len;
		if (!json_string(z, p, end))
			return false;
		*slen = z->scratch.len - *soff;
		*t = V_STR;
		return true;
	}
	if (end - s >= 4 && memcmp(s, "null", 4) == 0) {
		*p = s + 4;
		*t = V_UNSET;
		return true;
	}
	*raw = s;
	while (s < end && *s != ',' && *s != '}' && *s != ']' && *s != ' ')
		s++;
	if (s == *p)
		return false;
	*slen = (size_t)(s - *p);
	*t = (**p == 't' || **p == 'f') ? V_BOOL : V_NUM;
	*p = s;
	return true;
}

/* Skip any JSON value (nested objects/arrays we do not use). */
static bool
json_skip(const char **p, const char *end)
{
	unsigned depth = 0;
	bool in_str = false;
	const char *s = *p;
	for (; s < end; s++) {
		char c = *s;
		if (in_str) {
			if (c == '\\')
				s++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				break;
			if (--depth == 0) {
				s++;
				break;
			}
		} else if (c == ',' && depth == 0) {
			break;
		}
	}
	*p = s;
	return s <= end;
}

/* Scratch offsets are fixed up to pointers after the line, since the buffer may move. */
struct pend {
	uint8_t f;
	size_t off;
};

static bool
json_split(struct zk *z, const char *p, size_t len)
{
	const char *s = p, *end = p + len;
	struct pend pend[Z__COUNT];
	size_t n_pend = 0;

	memset(z->v, 0, sizeof(z->v));
	c2c_buf_reset(&z->scratch);
	skip_ws(&s, end);
	if (s >= end || *s++ != '{')
		return false;
	for (;;) {
		size_t koff, klen;
		uint8_t f;
		skip_ws(&s, end);
		if (s < end && *s == '}')
			break;
		if (s >= end || *s != '"')
			return false;
		koff = z->scratch.len;
		if (!json_string(z, &s, end))
			return false;
		klen = z->scratch.len - koff;
		f = klen > 0 ? field_of((const char *)z->scratch.data + koff, klen) : Z_NONE;
		z->scratch.len = koff;
		skip_ws(&s, end);
		if (s >= end || *s++ != ':')
			return false;
		skip_ws(&s, end);
		if (s >= end)
			return false;
		if (*s == '[' && f != Z_NONE) {
			/* an array of scalars becomes a list joined by 0x1f */
			size_t start = z->scratch.len;
			bool first = true;
			s++;
			for (;;) {
				uint8_t t;
				size_t so = 0, sl = 0;
				const char *raw = NULL;
				skip_ws(&s, end);
				if (s < end && *s == ']') {
					s++;
					break;
				}
				if (!first && !saddc(z, '\x1f'))
					return false;
				first = false;
				if (!json_scalar(z, &s, end, &t, &so, &sl, &raw))
					return false;
				if (t != V_STR && t != V_UNSET &&
				    !sadd(z, raw, sl))
					return false;
				skip_ws(&s, end);
				if (s < end && *s == ',')
					s++;
			}
			z->v[f].type = V_LIST;
			z->v[f].sep = '\x1f';
			z->v[f].len = (uint32_t)(z->scratch.len - start);
			pend[n_pend].f = f;
			pend[n_pend++].off = start;
		} else if ((*s == '{' || *s == '[') || f == Z_NONE) {
			if (*s == '"') {
				size_t keep = z->scratch.len;
				if (!json_string(z, &s, end))
					return false;
				z->scratch.len = keep;
			} else if (!json_skip(&s, end)) {
				return false;
			}
		} else {
			uint8_t t;
			size_t so = 0, sl = 0;
			const char *raw = NULL;
			if (!json_scalar(z, &s, end, &t, &so, &sl, &raw))
				return false;
			z->v[f].type = t;
			z->v[f].len = (uint32_t)sl;
			if (t == V_STR) {
				pend[n_pend].f = f;
				pend[n_pend++].off = so;
			} else {
				z->v[f].p = raw;
			}
		}
		skip_ws(&s, end);
		if (s < end && *s == ',') {
			s++;
			continue;
		}
		if (s < end && *s == '}')
			break;
		return false;
	}
	for (size_t i = 0; i < n_pend; i++)
		z->v[pend[i].f].p = z->scratch.data != NULL ?
		    (const char *)z->scratch.data + pend[i].off : "";
	if (z->v[Z_PATH].type == V_STR)
		z->path = path_of(z->v[Z_PATH].p, z->v[Z_PATH].len);
	else if (z->v[Z_CONN_STATE].type != V_UNSET || z->v[Z_ORIG_IP_BYTES].type != V_UNSET)
		z->path = P_CONN;
	else if (z->v[Z_QUERY].type != V_UNSET || z->v[Z_TRANS_ID].type != V_UNSET)
		z->path = P_DNS;
	else if (z->v[Z_SERVER_NAME].type != V_UNSET || z->v[Z_CIPHER].type != V_UNSET ||
	    z->v[Z_JA3].type != V_UNSET)
		z->path = P_SSL;
	else if (z->v[Z_METHOD].type != V_UNSET || z->v[Z_URI].type != V_UNSET)
		z->path = P_HTTP;
	else
		z->path = P_OTHER;
	return true;
}

/* ---- records -------------------------------------------------------------------------------- */

static void
line_ev(struct zk *z, struct c2c_evref *ev)
{
	ev->input = z->cx->input;
	ev->rec = -1;
	ev->off = z->line_off;
	ev->len = z->line_len;
}

static void
note_ts(struct zk *z, c2c_time a, c2c_time b)
{
	if (a < z->cx->info->first_ts)
		z->cx->info->first_ts = a;
	if (b > z->cx->info->last_ts)
		z->cx->info->last_ts = b;
}

static uint8_t
proto_of(struct zk *z, const struct c2c_ip *orig)
{
	const struct zval *v = &z->v[Z_PROTO];
	if (v->type != V_STR)
		return 0;
	if (v->len == 3 && memcmp(v->p, "tcp", 3) == 0)
		return 6;
	if (v->len == 3 && memcmp(v->p, "udp", 3) == 0)
		return 17;
	if (v->len == 4 && memcmp(v->p, "icmp", 4) == 0)
		return orig->family == 6 ? 58 : 1;
	return 0;
}

/* The 5-tuple and time every record needs. */
static bool
common(struct zk *z, c2c_time *ts, struct c2c_ip *o, struct c2c_ip *r, uint16_t *op,
    uint16_t *rp, const char **why)
{
	uint64_t a = 0, b = 0;
	if (!get_time(z, Z_TS, ts)) {
		*why = "bad or missing ts";
		return false;
	}
	if (!get_ip(z, Z_ORIG_H, o) || !get_ip(z, Z_RESP_H, r)) {
		*why = "bad or missing id.orig_h/id.resp_h";
		return false;
	}
	if ((z->v[Z_ORIG_P].type != V_UNSET && (!get_u64(z, Z_ORIG_P, &a) || a > 65535)) ||
	    (z->v[Z_RESP_P].type != V_UNSET && (!get_u64(z, Z_RESP_P, &b) || b > 65535))) {
		*why = "bad port";
		return false;
	}
	*op = (uint16_t)a;
	*rp = (uint16_t)b;
	return true;
}

static c2c_err
conn_line(struct zk *z)
{
	struct c2c_flow f;
	const char *why = NULL;
	c2c_time dur;
	uint64_t u;
	bool b;
	char tmp[C2C_NAME_MAX];

	memset(&f, 0, sizeof(f));
	if (!common(z, &f.ts, &f.orig, &f.resp, &f.orig_port, &f.resp_port, &why)) {
		bad_line(z, why);
		return C2C_OK;
	}
	f.src = C2C_SRC_ZEEK;
	f.proto = proto_of(z, &f.orig);
	f.last = f.ts;
	if (z->v[Z_DURATION].type != V_UNSET) {
		const struct zval *v = &z->v[Z_DURATION];
		if (!parse_secs_us(v->p, v->len, &dur) || dur < 0) {
			bad_line(z, "bad duration");
			return C2C_OK;
		}
		f.last = f.ts + dur;
		f.have |= C2C_HAVE_DURATION;
	}
	if (get_text(z, Z_UID, f.uid, sizeof(f.uid)) && f.uid[0])
		f.have |= C2C_HAVE_UID;
	if (get_text(z, Z_SERVICE, f.service, sizeof(f.service)))
		f.have |= C2C_HAVE_SERVICE;
	if (get_text(z, Z_CONN_STATE, tmp, sizeof(tmp))) {
		enum c2c_conn_state cs;
		if (c2c_conn_state_parse(tmp, &cs) == C2C_OK) {
			f.state = (uint8_t)cs;
			f.have |= C2C_HAVE_STATE;
		}
	}
	if (get_text(z, Z_HISTORY, f.history, sizeof(f.history)))
		f.have |= C2C_HAVE_HISTORY;
	(void)get_text(z, Z_COMMUNITY_ID, f.community_id, sizeof(f.community_id));
	if (get_bool(z, Z_LOCAL_ORIG, &b))
		f.local_orig = b ? 2 : 1;
	if (get_bool(z, Z_LOCAL_RESP, &b))
		f.local_resp = b ? 2 : 1;
	b = get_u64(z, Z_ORIG_BYTES, &f.orig_bytes);
	if (get_u64(z, Z_RESP_BYTES, &f.resp_bytes) || b)
		f.have |= C2C_HAVE_PAYLOAD_BYTES;
	(void)get_u64(z, Z_ORIG_PKTS, &f.orig_pkts);
	(void)get_u64(z, Z_ORIG_IP_BYTES, &f.orig_ip_bytes);
	b = get_u64(z, Z_RESP_PKTS, &f.resp_pkts);
	if (get_u64(z, Z_RESP_IP_BYTES, &f.resp_ip_bytes) || b)
		f.have |= C2C_HAVE_RESP_COUNTERS;
	(void)get_u64(z, Z_MISSED, &f.missed_bytes);
	if (get_u64(z, Z_VLAN, &u))
		f.vlan = (uint16_t)(u & 0xfff);
	if (get_u64(z, Z_INNER_VLAN, &u))
		f.inner_vlan = (uint16_t)(u & 0xfff);
	if (z->path == P_OPEN_CONN)
		f.have |= C2C_HAVE_OPEN;
	line_ev(z, &f.first_ev);
	f.last_ev = f.first_ev;
	f.seq = z->seq++;
	note_ts(z, f.ts, f.last);
	if (z->cx->sink != NULL && z->cx->sink->flow != NULL)
		return z->cx->sink->flow(z->cx->sink->ctx, &f);
	return C2C_OK;
}

static uint16_t
tls_version(const char *s)
{
	static const struct {
		const char *n;
		uint16_t v;
	} t[] = { { "SSLv3", 0x0300 }, { "TLSv10", 0x0301 }, { "TLSv11", 0x0302 },
		{ "TLSv12", 0x0303 }, { "TLSv13", 0x0304 }, { "DTLSv10", 0xfeff },
		{ "DTLSv12", 0xfefd }, { "DTLSv13", 0xfefc } };
	for (size_t i = 0; i < C2C_ARRAY_LEN(t); i++) {
		if (strcmp(s, t[i].n) == 0)
			return t[i].v;
	}
	return 0;
}

static bool
is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (hexval(s[i]) < 0)
			return false;
	}
	return true;
}

static void
dns_fill(struct zk *z, struct c2c_dns *d)
{
	const struct zval *ans = &z->v[Z_ANSWERS], *ttl = &z->v[Z_TTLS];
	size_t pa = 0, pt = 0, alen, tlen;
	const char *ap, *tp;
	uint64_t u;
	bool b;

	d->rcode = -1;
	d->rtt = -1;
	if (get_u64(z, Z_TRANS_ID, &u))
		d->trans_id = (uint16_t)u;
	if (get_u64(z, Z_QTYPE, &u))
		d->qtype = (uint16_t)u;
	if (get_u64(z, Z_QCLASS, &u))
		d->qclass = (uint16_t)u;
	if (get_u64(z, Z_RCODE, &u)) {
		d->rcode = (int16_t)(u & 0x7fff);
		d->is_response = true;
	}
	if (get_bool(z, Z_AA, &b))
		d->aa = b;
	if (get_bool(z, Z_TC, &b))
		d->tc = b;
	if (get_bool(z, Z_RD, &b))
		d->rd = b;
	if (get_bool(z, Z_RA, &b))
		d->ra = b;
	if (z->v[Z_RTT].type != V_UNSET) {
		int64_t us;
		if (parse_secs_us(z->v[Z_RTT].p, z->v[Z_RTT].len, &us))
			d->rtt = us;
	}
	(void)get_text(z, Z_QUERY, d->query, sizeof(d->query));
	while (list_next(ans, &pa, &ap, &alen)) {
		struct c2c_dns_answer *a;
		int64_t t_us;
		if (d->n_answers >= C2C_DNS_MAX_ANSWERS) {
			d->answers_truncated = true;
			break;
		}
		a = &d->answers[d->n_answers++];
		if (c2c_ip_parsen(&a->ip, ap, alen) == C2C_OK) {
			a->type = a->ip.family == 4 ? 1 : 28;
		} else {
			memset(&a->ip, 0, sizeof(a->ip));
			a->type = 0; /* Zeek does not log the type of a non-address answer */
			(void)canon_text(a->text, sizeof(a->text), ap, alen, z->cx->st);
		}
		if (list_next(ttl, &pt, &tp, &tlen) && parse_secs_us(tp, tlen, &t_us) && t_us >= 0)
			a->ttl = (uint32_t)((t_us + C2C_USEC / 2) / C2C_USEC);
		if (a->ip.family != 0)
			(void)c2c_ip_format(&a->ip, a->text, sizeof(a->text));
	}
	if (d->n_answers > 0)
		d->is_response = true;
}

static c2c_err
obs_line(struct zk *z, uint8_t kind)
{
	struct c2c_obs o;
	const char *why = NULL;
	char tmp[C2C_NAME_MAX];

	memset(&o, 0, sizeof(o));
	if (!common(z, &o.ts, &o.orig, &o.resp, &o.orig_port, &o.resp_port, &why)) {
		bad_line(z, why);
		return C2C_OK;
	}
	o.kind = kind;
	o.proto = proto_of(z, &o.orig);
	if (o.proto == 0)
		o.proto = kind == C2C_OBS_DNS ? 0 : 6; /* ssl/http logs have no proto column */
	(void)get_text(z, Z_UID, o.uid, sizeof(o.uid));
	(void)get_text(z, Z_COMMUNITY_ID, o.community_id, sizeof(o.community_id));
	line_ev(z, &o.ev);
	switch (kind) {
	case C2C_OBS_DNS:
		dns_fill(z, &o.u.dns);
		break;
	case C2C_OBS_TLS: {
		struct c2c_tls *t = &o.u.tls;
		const struct zval *fps = &z->v[Z_CERT_FPS];
		const char *fp;
		size_t pos = 0, fl;
		if (get_text(z, Z_VERSION, tmp, sizeof(tmp)))
			t->version = tls_version(tmp);
		(void)get_text(z, Z_SERVER_NAME, t->sni, sizeof(t->sni));
		if (get_text(z, Z_JA3, tmp, sizeof(tmp)) && is_hex(tmp, 32))
			memcpy(t->ja3, tmp, 33);
		if (get_text(z, Z_JA3S, tmp, sizeof(tmp)) && is_hex(tmp, 32))
			memcpy(t->ja3s, tmp, 33);
		/* leaf first; only SHA-256 fingerprints are certificate digests we can use */
		if (list_next(fps, &pos, &fp, &fl) && fl == 64 &&
		    c2c_unhex(fp, fl, t->cert_sha256, 32) == C2C_OK)
			t->have_cert = true;
		break;
	}
	case C2C_OBS_HTTP: {
		struct c2c_http *h = &o.u.http;
		uint64_t st;
		(void)get_text(z, Z_METHOD, h->method, sizeof(h->method));
		(void)get_text(z, Z_HOST, h->host, sizeof(h->host));
		(void)get_text(z, Z_URI, h->uri, sizeof(h->uri));
		(void)get_text(z, Z_USER_AGENT, h->user_agent, sizeof(h->user_agent));
		if (get_u64(z, Z_STATUS, &st) && st <= 999)
			h->status = (uint16_t)st;
		/* a proxied request: CONNECT, an absolute URI, or proxy headers seen by Zeek */
		h->proxy = strcmp(h->method, "CONNECT") == 0 ||
		    strncmp(h->uri, "http://", 7) == 0 || strncmp(h->uri, "https://", 8) == 0 ||
		    (z->v[Z_PROXIED].type != V_UNSET && z->v[Z_PROXIED].len > 0);
		break;
	}
	default:
		break;
	}
	note_ts(z, o.ts, o.ts);
	if (z->cx->opts->observations && z->cx->sink != NULL && z->cx->sink->obs != NULL)
		return z->cx->sink->obs(z->cx->sink->ctx, &o);
	return C2C_OK;
}

static c2c_err
data_line(struct zk *z, const char *p, size_t len)
{
	z->cx->st->n[C2C_ST_ZEEK_LINES]++;
	z->cx->info->records++;
	if (z->json) {
		z->buf_err = C2C_OK;
		if (!json_split(z, p, len)) {
			if (z->buf_err != C2C_OK)
				return z->buf_err;
			bad_line(z, "not a JSON object");
			return C2C_OK;
		}
	} else {
		if (!z->have_fields && z->n_hdr == 0)
			assume_default_conn(z, p, len);
		if (!z->have_fields) {
			bad_line(z, "data line before #fields");
			return C2C_OK;
		}
		if (!tsv_split(z, p, len)) {
			bad_line(z, "column count differs from #fields");
			return C2C_OK;
		}
	}
	switch (z->path) {
	case P_CONN:
	case P_OPEN_CONN:
		return conn_line(z);
	case P_DNS:
		return obs_line(z, C2C_OBS_DNS);
	case P_SSL:
		return obs_line(z, C2C_OBS_TLS);
	case P_HTTP:
		return obs_line(z, C2C_OBS_HTTP);
	default:
		z->cx->st->n[C2C_ST_ZEEK_SKIPPED_PATH]++;
		return C2C_OK;
	}
}

static c2c_err
one_line(struct zk *z, const char *p, size_t len)
{
	if (len > 0 && p[len - 1] == '\r')
		len--;
	if (len == 0)
		return C2C_OK;
	if (!z->json && p[0] == '#') {
		tsv_header(z, p, len);
		return C2C_OK;
	}
	return data_line(z, p, len);
}

/*
 * Not an error: one diag line says what a reader of the counters should know about this file:
 * the column order assumed for a headerless log, where the first malformed line is, which line
 * was cut off, and a missing #close. The line number is the first bad line's, else the cut
 * line's, else the first data line's for a headerless log.
 */
static void
report(struct zk *z)
{
	struct c2c_ingest_ctx *cx = z->cx;
	char m[sizeof(cx->diag->msg)];
	size_t o = 0;
	uint64_t where = 0;
	bool no_close = !z->json && z->saw_open && !z->saw_close;

	m[0] = '\0';
	if (z->headerless) {
		o += (size_t)snprintf(m + o, sizeof(m) - o,
		    "no header: read in Zeek's default conn.log column order (%u columns)",
		    (unsigned)z->n_cols);
		where = 1;
	}
	if (z->n_bad > 0 && o < sizeof(m)) {
		o += (size_t)snprintf(m + o, sizeof(m) - o, "%s%llu malformed line(s), first: %s",
		    o ? "; " : "", (unsigned long long)z->n_bad, z->first_bad_why);
		where = z->first_bad_line;
	}
	if (z->trunc_line > 0 && o < sizeof(m)) {
		o += (size_t)snprintf(m + o, sizeof(m) - o, "%slast line (%llu) truncated",
		    o ? "; " : "", (unsigned long long)z->trunc_line);
		if (where == 0 || where == 1)
			where = z->trunc_line;
	}
	if (no_close && o < sizeof(m))
		o += (size_t)snprintf(m + o, sizeof(m) - o, "%sno #close line (log not closed)",
		    o ? "; " : "");
	if (o > 0)
		(void)c2c_diag_line(cx->diag, C2C_OK, cx->path, where, "%s", m);
}

c2c_err
c2c__ingest_zeek(struct c2c_ingest_ctx *cx, struct c2c_rd *rd)
{
	struct zk *z = c2c_calloc(1, sizeof(*z));
	c2c_err rc = C2C_OK;

	if (z == NULL)
		return C2C_ENOMEM;
	z->cx = cx;
	z->json = cx->info->format == C2C_FMT_ZEEK_JSON;
	z->sep = '\t';
	z->set_sep = ',';
	memcpy(z->empty, "(empty)", 7);
	z->empty_len = 7;
	z->unset[0] = '-';
	z->unset_len = 1;
	c2c_buf_init(&z->scratch, 4 * ZEEK_MAX_LINE);
	for (;;) {
		const uint8_t *p, *nl;
		size_t avail = 0, want = 1u << 16;
		c2c_err prc;

		for (;;) {
			prc = c2c_rd_peek(rd, want, &p, &avail);
			if (prc != C2C_OK && prc != C2C_EEND) {
				rc = c2c_diag_set(cx->diag, prc, cx->path, c2c_rd_pos(rd),
				    "read failed: %s", c2c_strerror(prc));
				goto out;
			}
			nl = memchr(p, '\n', avail);
			if (nl != NULL || prc == C2C_EEND || want >= ZEEK_MAX_LINE)
				break;
			want *= 4;
		}
		if (avail == 0)
			break;
		z->line_no++;
		z->line_off = c2c_rd_pos(rd);
		if (nl == NULL && prc == C2C_EEND) {
			/* the last line has no newline: cut off while being written */
			z->line_len = (uint32_t)avail;
			cx->st->n[C2C_ST_ZEEK_TRUNCATED]++;
			z->trunc_line = z->line_no;
			if (z->json || ((const char *)p)[0] != '#') {
				/* a cut data line is a record we could not read */
				cx->st->n[C2C_ST_ZEEK_LINES]++;
				cx->info->records++;
				bad_line(z, "cut off (no newline at end of file)");
			}
			c2c_rd_advance(rd, avail);
			break;
		}
		if (nl == NULL) {
			/* longer than ZEEK_MAX_LINE: skip to the next newline */
			bad_line(z, "line too long");
			c2c_rd_advance(rd, avail);
			for (;;) {
				prc = c2c_rd_peek(rd, want, &p, &avail);
				if ((prc != C2C_OK && prc != C2C_EEND) || avail == 0)
					break;
				nl = memchr(p, '\n', avail);
				if (nl != NULL) {
					c2c_rd_advance(rd, (size_t)(nl - p) + 1);
					break;
				}
				c2c_rd_advance(rd, avail);
			}
			continue;
		}
		z->line_len = (uint32_t)(nl - p);
		rc = one_line(z, (const char *)p, z->line_len);
		if (rc != C2C_OK)
			goto out;
		c2c_rd_advance(rd, z->line_len + 1u);
		if (cx->opts->progress != NULL && (z->line_no & 0xffff) == 0)
			cx->opts->progress(cx->opts->progress_ctx, rd->raw_read, cx->total,
			    cx->info->records);
	}
	if (!z->json && z->saw_open && !z->saw_close)
		cx->st->n[C2C_ST_ZEEK_NO_CLOSE]++;
	report(z);
out:
	c2c_buf_fini(&z->scratch);
	c2c_free(z);
	return rc;
}

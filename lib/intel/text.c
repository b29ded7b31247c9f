/*
 * Line-oriented feeds: plain lists (one value per line, '#'/';'/'//' comments, an optional
 * integer score after the value as in ipsum), maltrail trail files, FireHOL .ipset/.netset,
 * abuse.ch Feodo Tracker and ThreatFox CSV, Suricata iprep lists and dataset files.
 * Each line is numbered (1-based) and every indicator keeps its line; a line that yields nothing
 * becomes a note. Only a file that cannot be its kind at all (binary data in a text feed, a CSV
 * header lacking the value column) is C2C_EFORMAT.
 */
#include <string.h>

#include "intel/internal.h"

struct line {
	const char *p;
	size_t len;
	uint64_t no;
};

struct lines {
	const char *p, *end;
	uint64_t no;
};

static bool
next_line(struct lines *it, struct line *l)
{
	if (it->p >= it->end)
		return false;
	const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	const char *e = nl ? nl : it->end;
	l->p = it->p;
	l->len = (size_t)(e - it->p);
	l->no = ++it->no;
	while (l->len > 0 && c2c__is_space(l->p[l->len - 1]))
		l->len--;
	while (l->len > 0 && c2c__is_space(l->p[0])) {
		l->p++;
		l->len--;
	}
	it->p = nl ? nl + 1 : it->end;
	return true;
}

static bool
starts_with(const char *p, size_t len, const char *lit)
{
	size_t n = strlen(lit);
	return len >= n && memcmp(p, lit, n) == 0;
}

static bool
contains(const char *p, size_t len, const char *lit)
{
	size_t n = strlen(lit);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(p + i, lit, n) == 0)
			return true;
	return false;
}

static bool
contains_nocase(const char *p, size_t len, const char *lit)
{
	size_t n = strlen(lit);
	for (size_t i = 0; i + n <= len; i++) {
		size_t j = 0;
		while (j < n && (p[i + j] | 0x20) == (lit[j] | 0x20))
			j++;
		if (j == n)
			return true;
	}
	return false;
}

static bool
is_comment(const struct line *l)
{
	return l->len == 0 || l->p[0] == '#' || l->p[0] == ';' || starts_with(l->p, l->len, "//");
}

/* "ip[/len],int,int" */
static bool
iprep_shape(const char *p, size_t len)
{
	size_t commas = 0;
	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		if (c == ',')
			commas++;
		else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
			     c == '.' || c == ':' || c == '/'))
			return false;
	}
	return commas == 2;
}

enum c2c_feed_kind
c2c__text_kind(const char *p, size_t len)
{
	size_t n = len < 65536 ? len : 65536;
	if (memchr(p, '\0', n) != NULL)
		return C2C_FEED_OTHER;
	if (contains(p, n, "Maltrail developers") || contains(p, n, "\n# Aliases:"))
		return C2C_FEED_MALTRAIL;
	if (contains(p, n, "Feodo Tracker") || contains(p, n, "\"first_seen_utc\",\"dst_ip\""))
		return C2C_FEED_FEODO_CSV;
	if (contains(p, n, "ThreatFox") || contains(p, n, "\"ioc_value\""))
		return C2C_FEED_THREATFOX_CSV;
	struct lines it = { p, p + n, 0 };
	struct line l;
	bool firehol = false, ipset = false;
	while (next_line(&it, &l)) {
		if (is_comment(&l)) {
			if (contains_nocase(l.p, l.len, "firehol"))
				firehol = true;
			if (contains(l.p, l.len, "ipset") || contains(l.p, l.len, "netset"))
				ipset = true;
			continue;
		}
		if (firehol && ipset)
			return C2C_FEED_FIREHOL;
		return iprep_shape(l.p, l.len) ? C2C_FEED_SURICATA_IPREP : C2C_FEED_PLAIN;
	}
	return firehol && ipset ? C2C_FEED_FIREHOL : C2C_FEED_PLAIN;
}

/* ---- shared entry handling ------------------------------------------------------------------ */

struct tctx {
	struct c2c__feed *f;
	char *scratch; /* len + 16 of the longest line */
	bool maltrail;
};

/* Classify and add one value. */
static c2c_err
add_value(struct tctx *t, const char *v, size_t vlen, uint64_t line, const char *object,
    uint32_t labels, int32_t score, const char *whole, size_t whole_len)
{
	struct c2c__ioc ioc;
	const char *reason;
	bool malformed;
	c2c__ioc_init(&ioc);
	if (!c2c__ioc_parse_value(v, vlen, &ioc, t->scratch, &reason, &malformed))
		return c2c__intel_note(t->f, line, object, whole, whole_len, malformed, reason);
	if (t->maltrail && ioc.type == C2C_IOC_DOMAIN)
		ioc.type = C2C_IOC_DOMAIN_SUFFIX; /* maltrail matches a domain and its subdomains */
	ioc.line = line;
	ioc.object = object;
	ioc.score = score;
	return c2c__intel_add(t->f, &ioc, labels);
}

static int32_t
small_int(const char *p, size_t len)
{
	int64_t v = 0;
	if (len == 0 || len > 9)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return (int32_t)v;
}

/* The first token of a line and an optional integer after it. */
static void
first_token(const struct line *l, size_t *tlen, int32_t *score)
{
	size_t i = 0;
	while (i < l->len && !c2c__is_space(l->p[i]) && l->p[i] != ',' && l->p[i] != ';' &&
	    !(l->p[i] == '#' && i > 0))
		i++;
	*tlen = i;
	*score = -1;
	size_t j = i;
	while (j < l->len && (c2c__is_space(l->p[j]) || l->p[j] == ','))
		j++;
	size_t k = j;
	while (k < l->len && !c2c__is_space(l->p[k]))
		k++;
	if (k > j)
		*score = small_int(l->p + j, k - j);
}

/* ---- plain, maltrail, firehol ------------------------------------------------------------- */

static const char *
base_name(const char *path, size_t *len)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strlen(b);
	const char *dot = strrchr(b, '.');
	if (dot != NULL && dot != b)
		n = (size_t)(dot - b);
	*len = n;
	return b;
}

#define MAX_LABELS 48

static c2c_err
load_lists(struct tctx *t, enum c2c_feed_kind kind, const char *p, size_t len)
{
	struct lines it = { p, p + len, 0 };
	struct line l;
	struct c2c_label labels[MAX_LABELS];
	char names[MAX_LABELS][128];
	size_t n_fixed = 0; /* family + aliases (maltrail), set name + category (firehol) */
	bool have_ref = false;
	uint32_t lsid = 0;
	bool dirty = true;
	c2c_err err;
	size_t bl;
	const char *b = base_name(t->f->src, &bl);
	enum c2c_label_type fam = C2C_LABEL_MALWARE;

	if (kind == C2C_FEED_MALTRAIL || kind == C2C_FEED_FIREHOL) {
		if (bl >= sizeof(names[0]))
			bl = sizeof(names[0]) - 1;
		memcpy(names[0], b, bl);
		names[0][bl] = '\0';
		if (kind == C2C_FEED_MALTRAIL && starts_with(b, bl, "apt_"))
			fam = C2C_LABEL_INTRUSION_SET;
		labels[0].type = kind == C2C_FEED_MALTRAIL ? fam : C2C_LABEL_TAG;
		labels[0].value = names[0];
		n_fixed = 1;
	}
	while (next_line(&it, &l)) {
		if (is_comment(&l)) {
			const char *c = l.p + 1;
			size_t cl = l.len > 0 ? l.len - 1 : 0;
			while (cl > 0 && c2c__is_space(*c)) {
				c++;
				cl--;
			}
			if (kind == C2C_FEED_MALTRAIL && starts_with(c, cl, "Aliases:")) {
				/* "a, b, c": each alias is a label of the family's type */
				const char *a = c + 8, *e = c + cl;
				while (a < e && n_fixed < MAX_LABELS - 1) {
					const char *comma = memchr(a, ',', (size_t)(e - a));
					const char *ae = comma ? comma : e;
					const char *s = a;
					while (s < ae && c2c__is_space(*s))
						s++;
					size_t al = (size_t)(ae - s);
					while (al > 0 && c2c__is_space(s[al - 1]))
						al--;
					if (al > 0 && al < sizeof(names[0])) {
						memcpy(names[n_fixed], s, al);
						names[n_fixed][al] = '\0';
						labels[n_fixed].type = fam;
						labels[n_fixed].value = names[n_fixed];
						n_fixed++;
					}
					a = comma ? comma + 1 : e;
				}
				dirty = true;
			} else if (kind == C2C_FEED_MALTRAIL && starts_with(c, cl, "Reference:")) {
				const char *r = c + 10;
				size_t rl = cl - 10;
				while (rl > 0 && c2c__is_space(*r)) {
					r++;
					rl--;
				}
				if (rl >= sizeof(names[0]))
					rl = sizeof(names[0]) - 1;
				memcpy(names[MAX_LABELS - 1], r, rl);
				names[MAX_LABELS - 1][rl] = '\0';
				have_ref = rl > 0;
				dirty = true;
			} else if (kind == C2C_FEED_FIREHOL && starts_with(c, cl, "Category") &&
			    n_fixed < 2) {
				const char *col = memchr(c, ':', cl);
				if (col != NULL) {
					const char *v = col + 1, *e = c + cl;
					while (v < e && c2c__is_space(*v))
						v++;
					size_t vl = (size_t)(e - v);
					if (vl > 0 && vl < sizeof(names[0])) {
						memcpy(names[1], v, vl);
						names[1][vl] = '\0';
						labels[1].type = C2C_LABEL_CATEGORY;
						labels[1].value = names[1];
						n_fixed = 2;
						dirty = true;
					}
				}
			}
			continue;
		}
		if (dirty) {
			size_t n = n_fixed;
			if (have_ref) {
				labels[n].type = C2C_LABEL_REFERENCE;
				labels[n].value = names[MAX_LABELS - 1];
				n++;
			}
			if ((err = c2c__intel_labelset(t->f, labels, n, &lsid)) != C2C_OK)
				return err;
			dirty = false;
		}
		t->f->info->entries++;
		size_t tl;
		int32_t score;
		first_token(&l, &tl, &score);
		if (kind != C2C_FEED_PLAIN)
			score = -1;
		if (tl == 0) {
			err = c2c__intel_note(t->f, l.no, NULL, l.p, l.len, false,
			    "no value at the start of the line");
		} else if (kind == C2C_FEED_FIREHOL && memchr(l.p, '-', tl) != NULL &&
		    memchr(l.p, '.', tl) != NULL && l.p[0] >= '0' && l.p[0] <= '9') {
			err = c2c__intel_note(t->f, l.no, NULL, l.p, l.len, false,
			    "address range (not a CIDR)");
		} else {
			const char *v = l.p;
			size_t vl = tl;
			if (kind == C2C_FEED_MALTRAIL && vl > 0 && v[0] == '/') {
				err = c2c__intel_note(t->f, l.no, NULL, l.p, l.len, false,
				    "path-only trail (matches any host)");
			} else {
				err = add_value(t, v, vl, l.no, NULL, lsid, score, l.p, l.len);
			}
		}
		if (err != C2C_OK)
			return err;
	}
	return C2C_OK;
}

/* ---- CSV (Feodo, ThreatFox, iprep) ---------------------------------------------------------- */

#define MAX_FIELDS 24

struct csv {
	const char *f[MAX_FIELDS];
	size_t fl[MAX_FIELDS];
	size_t n;
	bool bad;
};

/* Split one line: fields separated by ',', optionally quoted with '"' ("" inside is a quote,
 * kept verbatim), blanks around fields ignored (ThreatFox writes `", "`). */
static void
csv_split(const char *p, size_t len, struct csv *c)
{
	size_t i = 0;
	c->n = 0;
	c->bad = false;
	for (;;) {
		while (i < len && (p[i] == ' ' || p[i] == '\t'))
			i++;
		const char *s;
		size_t sl;
		if (i < len && p[i] == '"') {
			size_t j = ++i;
			while (j < len) {
				if (p[j] == '"') {
					if (j + 1 < len && p[j + 1] == '"') {
						j += 2;
						continue;
					}
					break;
				}
				j++;
			}
			if (j >= len) {
				c->bad = true;
				return;
			}
			s = p + i;
			sl = j - i;
			i = j + 1;
			while (i < len && (p[i] == ' ' || p[i] == '\t'))
				i++;
			if (i < len && p[i] != ',') {
				c->bad = true;
				return;
			}
		} else {
			size_t j = i;
			while (j < len && p[j] != ',')
				j++;
			s = p + i;
			sl = j - i;
			while (sl > 0 && (s[sl - 1] == ' ' || s[sl - 1] == '\t'))
				sl--;
			i = j;
		}
		if (c->n == MAX_FIELDS) {
			c->bad = true;
			return;
		}
		c->f[c->n] = s;
		c->fl[c->n] = sl;
		c->n++;
		if (i >= len)
			return;
		i++; /* the comma */
	}
}

static int
col_of(const struct csv *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->fl[i] == strlen(name) && memcmp(h->f[i], name, h->fl[i]) == 0)
			return (int)i;
	return -1;
}

/* Copy a field into a NUL-terminated buffer (truncating). */
static const char *
fcopy(const struct csv *c, int col, char *buf, size_t cap)
{
	if (col < 0 || (size_t)col >= c->n) {
		buf[0] = '\0';
		return buf;
	}
	size_t n = c->fl[col] < cap - 1 ? c->fl[col] : cap - 1;
	memcpy(buf, c->f[col], n);
	buf[n] = '\0';
	return buf;
}

static bool
meaningful(const char *s)
{
	return s[0] != '\0' && strcmp(s, "None") != 0 && strcmp(s, "null") != 0 &&
	    strcmp(s, "-") != 0;
}

/* Append "a,b,c" as labels of one type. */
static size_t
split_labels(char *s, enum c2c_label_type type, struct c2c_label *out, size_t n, size_t cap)
{
	char *p = s;
	while (*p != '\0' && n < cap) {
		char *comma = strchr(p, ',');
		if (comma != NULL)
			*comma = '\0';
		while (*p == ' ')
			p++;
		size_t l = strlen(p);
		while (l > 0 && p[l - 1] == ' ')
			p[--l] = '\0';
		if (meaningful(p)) {
			out[n].type = type;
			out[n].value = p;
			n++;
		}
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return n;
}

static c2c_err
load_csv(struct tctx *t, enum c2c_feed_kind kind, const char *p, size_t len, struct c2c_diag *diag)
{
	struct lines it = { p, p + len, 0 };
	struct line l;
	struct csv h, c;
	bool have_header = false;
	int c_val = -1, c_port = -1, c_mal = -1, c_status = -1, c_type = -1, c_fk = -1,
	    c_alias = -1, c_print = -1, c_conf = -1, c_ref = -1, c_tags = -1, c_id = -1,
	    c_threat = -1;
	c2c_err err;
	h.n = 0;
	while (next_line(&it, &l)) {
		const char *s = l.p;
		size_t sl = l.len;
		if (sl == 0)
			continue;
		if (s[0] == '#') {
			/* A commented header: `# "first_seen_utc","ioc_id",...` */
			size_t k = 1;
			while (k < sl && c2c__is_space(s[k]))
				k++;
			if (!have_header && k < sl && s[k] == '"' && contains(s, sl, "first_seen")) {
				s += k;
				sl -= k;
			} else {
				continue;
			}
		}
		if (!have_header && contains(s, sl, "first_seen_utc")) {
			csv_split(s, sl, &h);
			if (h.bad)
				return c2c_diag_line(diag, C2C_EFORMAT, t->f->src, l.no,
				    "unreadable CSV header");
			have_header = true;
			if (kind == C2C_FEED_FEODO_CSV) {
				c_val = col_of(&h, "dst_ip");
				c_port = col_of(&h, "dst_port");
				c_mal = col_of(&h, "malware");
				c_status = col_of(&h, "c2_status");
			} else {
				c_val = col_of(&h, "ioc_value");
				c_type = col_of(&h, "ioc_type");
				c_fk = col_of(&h, "fk_malware");
				c_alias = col_of(&h, "malware_alias");
				c_print = col_of(&h, "malware_printable");
				c_conf = col_of(&h, "confidence_level");
				c_ref = col_of(&h, "reference");
				c_tags = col_of(&h, "tags");
				c_id = col_of(&h, "ioc_id");
				c_threat = col_of(&h, "threat_type");
			}
			if (c_val < 0)
				return c2c_diag_line(diag, C2C_EFORMAT, t->f->src, l.no,
				    "CSV header lacks the %s column",
				    kind == C2C_FEED_FEODO_CSV ? "dst_ip" : "ioc_value");
			continue;
		}
		if (!have_header) {
			/* Feodo's plain-text blocklist and headerless exports: upstream order */
			if (kind == C2C_FEED_FEODO_CSV) {
				c_val = 1;
				c_port = 2;
				c_status = 3;
				c_mal = 5;
			} else {
				c_id = 1;
				c_val = 2;
				c_type = 3;
				c_threat = 4;
				c_fk = 5;
				c_alias = 6;
				c_print = 7;
				c_conf = 9;
				c_ref = 10;
				c_tags = 11;
			}
			have_header = true;
			h.n = 0;
		}
		t->f->info->entries++;
		csv_split(s, sl, &c);
		if (c.bad || (h.n > 0 && c.n != h.n) || (size_t)c_val >= c.n) {
			if ((err = c2c__intel_note(t->f, l.no, NULL, l.p, l.len, true,
				 "CSV row does not fit the header")) != C2C_OK)
				return err;
			continue;
		}
		char val[512], port[16], type[32], b1[256], b2[256], b3[512], b4[512], b5[512],
		    conf[16], id[32], threat[64];
		struct c2c_label labels[64];
		size_t n = 0;
		int32_t score = -1;
		id[0] = '\0';
		fcopy(&c, c_val, val, sizeof(val));
		if (kind == C2C_FEED_FEODO_CSV) {
			if (meaningful(fcopy(&c, c_mal, b1, sizeof(b1))))
				labels[n++] = (struct c2c_label){ C2C_LABEL_MALWARE, b1 };
			if (meaningful(fcopy(&c, c_status, b2, sizeof(b2))))
				labels[n++] = (struct c2c_label){ C2C_LABEL_TAG, b2 };
			fcopy(&c, c_port, port, sizeof(port));
			size_t vl = strlen(val), pl = strlen(port);
			if (pl > 0 && vl + pl + 2 < sizeof(val) && strchr(val, ':') == NULL) {
				val[vl] = ':';
				memcpy(val + vl + 1, port, pl + 1);
			}
		} else {
			fcopy(&c, c_type, type, sizeof(type));
			if (strstr(type, "hash") != NULL || strcmp(type, "envelope_from") == 0) {
				if ((err = c2c__intel_note(t->f, l.no, NULL, l.p, l.len, false,
					 "ioc_type not matched on network data")) != C2C_OK)
					return err;
				continue;
			}
			if (meaningful(fcopy(&c, c_print, b1, sizeof(b1))))
				labels[n++] = (struct c2c_label){ C2C_LABEL_MALWARE, b1 };
			if (meaningful(fcopy(&c, c_fk, b2, sizeof(b2))))
				labels[n++] = (struct c2c_label){ C2C_LABEL_MALWARE, b2 };
			fcopy(&c, c_alias, b3, sizeof(b3));
			n = split_labels(b3, C2C_LABEL_MALWARE, labels, n, 40);
			if (meaningful(fcopy(&c, c_threat, threat, sizeof(threat))))
				labels[n++] = (struct c2c_label){ C2C_LABEL_TAG, threat };
			fcopy(&c, c_tags, b4, sizeof(b4));
			n = split_labels(b4, C2C_LABEL_TAG, labels, n, 60);
			if (meaningful(fcopy(&c, c_ref, b5, sizeof(b5))))
				labels[n++] = (struct c2c_label){ C2C_LABEL_REFERENCE, b5 };
			fcopy(&c, c_conf, conf, sizeof(conf));
			score = small_int(conf, strlen(conf));
			fcopy(&c, c_id, id, sizeof(id));
		}
		uint32_t lsid;
		if ((err = c2c__intel_labelset(t->f, labels, n, &lsid)) != C2C_OK)
			return err;
		if ((err = add_value(t, val, strlen(val), l.no,
			 kind == C2C_FEED_THREATFOX_CSV && id[0] ? id : NULL, lsid, score, l.p,
			 l.len)) != C2C_OK)
			return err;
	}
	return C2C_OK;
}

/* Suricata iprep: "ip-or-cidr,category,score" (score 0..127). */
static c2c_err
load_iprep(struct tctx *t, const char *p, size_t len)
{
	struct lines it = { p, p + len, 0 };
	struct line l;
	struct csv c;
	c2c_err err;
	while (next_line(&it, &l)) {
		if (is_comment(&l))
			continue;
		t->f->info->entries++;
		csv_split(l.p, l.len, &c);
		int32_t score = c.n == 3 ? small_int(c.f[2], c.fl[2]) : -1;
		int32_t cat = c.n == 3 ? small_int(c.f[1], c.fl[1]) : -1;
		if (c.bad || c.n != 3 || score < 0 || score > 127 || cat < 0 || cat > 60) {
			if ((err = c2c__intel_note(t->f, l.no, NULL, l.p, l.len, true,
				 "iprep line is not ip,category(0-60),score(0-127)")) != C2C_OK)
				return err;
			continue;
		}
		char cb[16];
		size_t cl = c.fl[1] < 15 ? c.fl[1] : 15;
		memcpy(cb, c.f[1], cl);
		cb[cl] = '\0';
		struct c2c_label lab = { C2C_LABEL_CATEGORY, cb };
		uint32_t lsid;
		if ((err = c2c__intel_labelset(t->f, &lab, 1, &lsid)) != C2C_OK ||
		    (err = add_value(t, c.f[0], c.fl[0], l.no, NULL, lsid, score, l.p, l.len)) !=
			C2C_OK)
			return err;
	}
	return C2C_OK;
}

/* Suricata dataset file: one value per line, base64 for string sets (datarep lines carry
 * ",value" after the data). Lines that are not base64 are taken as text (ip / ipv4 sets). */
static c2c_err
load_dataset(struct tctx *t, const char *p, size_t len)
{
	struct lines it = { p, p + len, 0 };
	struct line l;
	c2c_err err;
	uint8_t dec[1024];
	while (next_line(&it, &l)) {
		if (l.len == 0 || l.p[0] == '#')
			continue;
		t->f->info->entries++;
		const char *comma = memchr(l.p, ',', l.len);
		size_t vl = comma ? (size_t)(comma - l.p) : l.len;
		size_t dl;
		const char *v = l.p;
		struct c2c_ip ip;
		if (c2c_ip_parsen(&ip, l.p, vl) != C2C_OK &&
		    c2c_unbase64(l.p, vl, dec, sizeof(dec) - 1, &dl) == C2C_OK) {
			v = (const char *)dec;
			vl = dl;
		}
		if ((err = add_value(t, v, vl, l.no, NULL, 0, -1, l.p, l.len)) != C2C_OK)
			return err;
	}
	return C2C_OK;
}

c2c_err
c2c__load_text(struct c2c__feed *f, enum c2c_feed_kind kind, const char *p, size_t len,
    struct c2c_diag *diag)
{
	struct tctx t;
	c2c_err err;
	/* Text feeds must be text: a NUL byte means a binary file given as a feed. */
	const char *nul = memchr(p, '\0', len);
	if (nul != NULL) {
		uint64_t line = 1;
		for (const char *q = p; q < nul; q++)
			line += *q == '\n';
		return c2c_diag_line(diag, C2C_EFORMAT, f->src, line,
		    "binary data in a %s feed", c2c_feed_kind_name(kind));
	}
	size_t longest = 0, cur = 0;
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n') {
			cur = 0;
			continue;
		}
		if (++cur > longest)
			longest = cur;
	}
	t.f = f;
	t.maltrail = kind == C2C_FEED_MALTRAIL;
	t.scratch = c2c_malloc(longest + 64);
	if (t.scratch == NULL)
		return C2C_ENOMEM;
	switch (kind) {
	case C2C_FEED_FEODO_CSV:
	case C2C_FEED_THREATFOX_CSV:
		err = load_csv(&t, kind, p, len, diag);
		break;
	case C2C_FEED_SURICATA_IPREP:
		err = load_iprep(&t, p, len);
		break;
	case C2C_FEED_SURICATA_DATASET:
		err = load_dataset(&t, p, len);
		break;
	default:
		err = load_lists(&t, kind, p, len);
		break;
	}
	c2c_free(t.scratch);
	return err;
}

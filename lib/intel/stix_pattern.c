/*
 * STIX 2.1 patterning (OASIS STIX 2.1 §9): a recursive-descent parser for the whole grammar
 * (observation expressions with OR / AND / FOLLOWEDBY and qualifiers, comparison expressions
 * with OR / AND / NOT / parentheses, =, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET,
 * ISSUPERSET, EXISTS, and string / integer / float / boolean / t'' / h'' / b'' literals), then
 * a conversion of each observation expression into disjunctive normal form. Every conjunction
 * that pins one network observable (ipv4-addr, ipv6-addr, domain-name, url, or network-traffic
 * dst_ref/src_ref with an optional port) becomes one indicator; anything else (hashes, files,
 * negations, observation-level AND, ranges) is reported as unsupported, never dropped silently.
 *
 * The AST lives in a fixed array (no allocation per node) and nesting is capped, so hostile
 * patterns cost bounded time and stack.
 */
#include <stdio.h>
#include <string.h>

#include "intel/internal.h"

#define MAX_NODES 512
#define MAX_DEPTH 32
#define MAX_CONJ 256 /* conjunctions per observation after DNF */
#define MAX_CMP 64   /* comparisons per observation (bitmask width) */

enum ntype { N_OR, N_AND, N_CMP, N_OBS, N_OBS_OR, N_OBS_AND, N_OBS_FOLLOW };

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_LIKE, OP_MATCHES, OP_SUBSET,
	OP_SUPERSET, OP_EXISTS };

struct node {
	uint8_t type;
	uint8_t op;
	bool negated;
	bool qualified; /* observation with WITHIN / REPEATS / START-STOP */
	int16_t l, r;   /* children (binary nodes; N_OBS: l = comparison tree) */
	/* N_CMP: object path and value, as spans of the pattern text */
	uint16_t path_off, path_len;
	uint16_t val_off, val_len;
	uint8_t val_kind; /* 's' string, 'n' number, 'b' bool, 'o' other literal */
	int16_t cmp_index; /* position among the comparisons of its observation */
};

struct parser {
	const char *s;
	size_t len, pos;
	struct node n[MAX_NODES];
	int nn;
	int depth;
	char *err;
	size_t errlen;
	bool failed;
};

static int
fail(struct parser *p, const char *msg)
{
	if (!p->failed) {
		p->failed = true;
		(void)snprintf(p->err, p->errlen, "%s at offset %zu", msg, p->pos);
	}
	return -1;
}

static void
skip_ws(struct parser *p)
{
	while (p->pos < p->len && c2c__is_space(p->s[p->pos]))
		p->pos++;
}

static bool
is_word(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == '-';
}

/* Keyword (upper-case in the grammar; matched exactly, followed by a non-word char). */
static bool
kw(struct parser *p, const char *k)
{
	skip_ws(p);
	size_t n = strlen(k);
	if (p->len - p->pos < n || memcmp(p->s + p->pos, k, n) != 0)
		return false;
	if (p->pos + n < p->len && is_word(p->s[p->pos + n]) && is_word(k[n - 1]))
		return false;
	p->pos += n;
	return true;
}

static bool
peek_char(struct parser *p, char c)
{
	skip_ws(p);
	return p->pos < p->len && p->s[p->pos] == c;
}

static int
new_node(struct parser *p, uint8_t type)
{
	if (p->nn >= MAX_NODES)
		return fail(p, "pattern too large");
	struct node *x = &p->n[p->nn];
	memset(x, 0, sizeof(*x));
	x->type = type;
	x->l = x->r = -1;
	x->cmp_index = -1;
	return p->nn++;
}

static int
binary(struct parser *p, uint8_t type, int l, int r)
{
	if (l < 0 || r < 0)
		return -1;
	int x = new_node(p, type);
	if (x >= 0) {
		p->n[x].l = (int16_t)l;
		p->n[x].r = (int16_t)r;
	}
	return x;
}

/* A quoted string with \' and \\ escapes; returns the span inside the quotes. */
static bool
quoted(struct parser *p, size_t *off, size_t *len)
{
	if (p->pos >= p->len || p->s[p->pos] != '\'')
		return false;
	size_t i = p->pos + 1;
	while (i < p->len && p->s[i] != '\'') {
		if (p->s[i] == '\\') {
			if (i + 1 >= p->len || (p->s[i + 1] != '\'' && p->s[i + 1] != '\\'))
				return false;
			i++;
		}
		i++;
	}
	if (i >= p->len)
		return false;
	*off = p->pos + 1;
	*len = i - p->pos - 1;
	p->pos = i + 1;
	return true;
}

/* A literal: 'str', t'..', h'..', b'..', integer, float, true/false. */
static bool
literal(struct parser *p, struct node *x)
{
	size_t off, len;
	skip_ws(p);
	if (p->pos >= p->len)
		return false;
	char c = p->s[p->pos];
	if (c == '\'') {
		if (!quoted(p, &off, &len))
			return false;
		x->val_kind = 's';
	} else if ((c == 't' || c == 'h' || c == 'b') && p->pos + 1 < p->len &&
	    p->s[p->pos + 1] == '\'') {
		p->pos++;
		if (!quoted(p, &off, &len))
			return false;
		x->val_kind = 'o';
	} else if (kw(p, "true") || kw(p, "false")) {
		x->val_kind = 'b';
		return true;
	} else if ((c >= '0' && c <= '9') || c == '-' || c == '+') {
		off = p->pos++;
		bool digit = c >= '0' && c <= '9';
		while (p->pos < p->len && ((p->s[p->pos] >= '0' && p->s[p->pos] <= '9') ||
					      p->s[p->pos] == '.')) {
			digit = true;
			p->pos++;
		}
		if (!digit)
			return false;
		len = p->pos - off;
		x->val_kind = 'n';
	} else {
		return false;
	}
	if (off > UINT16_MAX || len > UINT16_MAX)
		return false;
	x->val_off = (uint16_t)off;
	x->val_len = (uint16_t)len;
	return true;
}

/* object-type ':' path, e.g. network-traffic:dst_ref.value, file:hashes.'SHA-256', x:y[*].z */
static bool
object_path(struct parser *p, struct node *x)
{
	skip_ws(p);
	size_t start = p->pos;
	while (p->pos < p->len && is_word(p->s[p->pos]))
		p->pos++;
	if (p->pos == start || p->pos >= p->len || p->s[p->pos] != ':')
		return false;
	p->pos++;
	size_t seg = 0;
	while (p->pos < p->len) {
		char c = p->s[p->pos];
		if (is_word(c)) {
			p->pos++;
			seg++;
		} else if (c == '.' && seg > 0) {
			p->pos++;
			if (p->pos < p->len && p->s[p->pos] == '\'') {
				size_t o, l;
				if (!quoted(p, &o, &l))
					return false;
			}
		} else if (c == '\'' && seg == 0) {
			size_t o, l;
			if (!quoted(p, &o, &l))
				return false;
			seg++;
		} else if (c == '[') {
			p->pos++;
			while (p->pos < p->len && p->s[p->pos] != ']')
				p->pos++;
			if (p->pos >= p->len)
				return false;
			p->pos++;
		} else {
			break;
		}
	}
	if (seg == 0 || p->pos - start > UINT16_MAX)
		return false;
	x->path_off = (uint16_t)start;
	x->path_len = (uint16_t)(p->pos - start);
	return true;
}

static int comparison_or(struct parser *p);

static int
comparison(struct parser *p)
{
	if (++p->depth > MAX_DEPTH)
		return fail(p, "pattern nested too deeply");
	int r;
	if (peek_char(p, '(')) {
		p->pos++;
		r = comparison_or(p);
		if (r >= 0 && !peek_char(p, ')'))
			r = fail(p, "expected ')'");
		else if (r >= 0)
			p->pos++;
		p->depth--;
		return r;
	}
	r = new_node(p, N_CMP);
	if (r < 0)
		return r;
	struct node *x = &p->n[r];
	if (kw(p, "EXISTS")) {
		x->op = OP_EXISTS;
		if (!object_path(p, x))
			return fail(p, "expected an object path after EXISTS");
		p->depth--;
		return r;
	}
	if (!object_path(p, x))
		return fail(p, "expected an object path");
	x->negated = kw(p, "NOT");
	static const struct {
		const char *t;
		uint8_t op;
	} ops[] = { { "==", OP_EQ }, { "!=", OP_NE }, { "<=", OP_LE }, { ">=", OP_GE },
		{ "=", OP_EQ }, { "<", OP_LT }, { ">", OP_GT }, { "LIKE", OP_LIKE },
		{ "MATCHES", OP_MATCHES }, { "ISSUBSET", OP_SUBSET },
		{ "ISSUPERSET", OP_SUPERSET }, { "IN", OP_IN } };
	size_t k;
	for (k = 0; k < C2C_ARRAY_LEN(ops); k++)
		if (kw(p, ops[k].t))
			break;
	if (k == C2C_ARRAY_LEN(ops))
		return fail(p, "expected a comparison operator");
	x->op = ops[k].op;
	if (x->op != OP_IN) {
		if (!literal(p, x))
			return fail(p, "expected a literal");
		p->depth--;
		return r;
	}
	/* IN (a, b, c) becomes an OR of equalities on the same path. */
	if (!peek_char(p, '('))
		return fail(p, "expected '(' after IN");
	p->pos++;
	int acc = -1;
	struct node proto = *x;
	p->nn--; /* reuse: each element becomes its own node */
	for (;;) {
		int e = new_node(p, N_CMP);
		if (e < 0)
			return e;
		p->n[e] = proto;
		p->n[e].op = OP_EQ;
		if (!literal(p, &p->n[e]))
			return fail(p, "expected a literal in IN list");
		acc = acc < 0 ? e : binary(p, N_OR, acc, e);
		if (acc < 0)
			return acc;
		if (peek_char(p, ',')) {
			p->pos++;
			continue;
		}
		if (peek_char(p, ')')) {
			p->pos++;
			break;
		}
		return fail(p, "expected ',' or ')' in IN list");
	}
	p->depth--;
	return acc;
}

static int
comparison_and(struct parser *p)
{
	int l = comparison(p);
	while (l >= 0 && kw(p, "AND"))
		l = binary(p, N_AND, l, comparison(p));
	return l;
}

static int
comparison_or(struct parser *p)
{
	int l = comparison_and(p);
	while (l >= 0 && kw(p, "OR"))
		l = binary(p, N_OR, l, comparison_and(p));
	return l;
}

static bool
qualifiers(struct parser *p)
{
	bool any = false;
	for (;;) {
		struct node tmp;
		if (kw(p, "WITHIN")) {
			if (!literal(p, &tmp) || tmp.val_kind != 'n' || !kw(p, "SECONDS")) {
				(void)fail(p, "bad WITHIN qualifier");
				return false;
			}
		} else if (kw(p, "REPEATS")) {
			if (!literal(p, &tmp) || tmp.val_kind != 'n' || !kw(p, "TIMES")) {
				(void)fail(p, "bad REPEATS qualifier");
				return false;
			}
		} else if (kw(p, "START")) {
			if (!literal(p, &tmp) || !kw(p, "STOP") || !literal(p, &tmp)) {
				(void)fail(p, "bad START/STOP qualifier");
				return false;
			}
		} else {
			return any;
		}
		any = true;
	}
}

static int obs_or(struct parser *p);

static int
observation(struct parser *p)
{
	int r;
	if (++p->depth > MAX_DEPTH)
		return fail(p, "pattern nested too deeply");
	if (peek_char(p, '[')) {
		p->pos++;
		int c = comparison_or(p);
		if (c < 0)
			return c;
		if (!peek_char(p, ']'))
			return fail(p, "expected ']'");
		p->pos++;
		r = new_node(p, N_OBS);
		if (r < 0)
			return r;
		p->n[r].l = (int16_t)c;
	} else if (peek_char(p, '(')) {
		p->pos++;
		r = obs_or(p);
		if (r < 0)
			return r;
		if (!peek_char(p, ')'))
			return fail(p, "expected ')'");
		p->pos++;
	} else {
		return fail(p, "expected '[' or '('");
	}
	bool q = qualifiers(p);
	if (p->failed)
		return -1;
	if (q)
		p->n[r].qualified = true;
	p->depth--;
	return r;
}

static int
obs_follow(struct parser *p)
{
	int l = observation(p);
	while (l >= 0 && kw(p, "FOLLOWEDBY"))
		l = binary(p, N_OBS_FOLLOW, l, observation(p));
	return l;
}

static int
obs_and(struct parser *p)
{
	int l = obs_follow(p);
	while (l >= 0 && kw(p, "AND"))
		l = binary(p, N_OBS_AND, l, obs_follow(p));
	return l;
}

static int
obs_or(struct parser *p)
{
	int l = obs_and(p);
	while (l >= 0 && kw(p, "OR"))
		l = binary(p, N_OBS_OR, l, obs_and(p));
	return l;
}

/* ---- conversion ---------------------------------------------------------------------------- */

struct dnf {
	uint64_t c[MAX_CONJ];
	size_t n;
	bool overflow, nomem;
};

struct conv {
	struct parser *p;
	const struct c2c__stix_emit *emit;
	int cmps[MAX_CMP]; /* node of each comparison index */
	int ncmp;
};

/* Number the comparisons under node x (an observation's comparison tree). */
static bool
number(struct conv *cv, int x)
{
	struct node *n = &cv->p->n[x];
	if (n->type == N_CMP) {
		if (cv->ncmp >= MAX_CMP)
			return false;
		n->cmp_index = (int16_t)cv->ncmp;
		cv->cmps[cv->ncmp++] = x;
		return true;
	}
	return number(cv, n->l) && number(cv, n->r);
}

/* DNF of a comparison tree. Intermediate lists live on the heap: OR chains are deep. */
static void
to_dnf(struct conv *cv, int x, struct dnf *out)
{
	struct node *n = &cv->p->n[x];
	out->n = 0;
	out->overflow = false;
	out->nomem = false;
	if (n->type == N_CMP) {
		out->c[0] = (uint64_t)1 << n->cmp_index;
		out->n = 1;
		return;
	}
	struct dnf *a = c2c_malloc(sizeof(*a)), *b = c2c_malloc(sizeof(*b));
	if (a == NULL || b == NULL) {
		out->overflow = true;
		out->nomem = true;
		c2c_free(a);
		c2c_free(b);
		return;
	}
	to_dnf(cv, n->l, a);
	to_dnf(cv, n->r, b);
	out->overflow = a->overflow || b->overflow;
	out->nomem = a->nomem || b->nomem;
	if (out->overflow) {
		/* nothing more to combine */
	} else if (n->type == N_OR) {
		if (a->n + b->n > MAX_CONJ) {
			out->overflow = true;
		} else {
			memcpy(out->c, a->c, a->n * sizeof(a->c[0]));
			memcpy(out->c + a->n, b->c, b->n * sizeof(b->c[0]));
			out->n = a->n + b->n;
		}
	} else if (a->n * b->n > MAX_CONJ) {
		out->overflow = true;
	} else {
		for (size_t i = 0; i < a->n; i++)
			for (size_t j = 0; j < b->n; j++)
				out->c[out->n++] = a->c[i] | b->c[j];
	}
	c2c_free(a);
	c2c_free(b);
}

/* Unescape a string literal into buf (cap bytes). */
static size_t
unescape(const struct parser *p, const struct node *x, char *buf, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < x->val_len && n + 1 < cap; i++) {
		char c = p->s[x->val_off + i];
		if (c == '\\' && i + 1 < x->val_len)
			c = p->s[x->val_off + ++i];
		buf[n++] = c;
	}
	buf[n] = '\0';
	return n;
}

static c2c_err
unsupported(struct conv *cv, const char *what, size_t len, const char *reason)
{
	char buf[160];
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, what, len);
	buf[len] = '\0';
	return cv->emit->unsupported(cv->emit->ctx, buf, reason);
}

/* One conjunction of comparisons -> at most one indicator. */
static c2c_err
conjunction(struct conv *cv, uint64_t mask, const char *obs_text, size_t obs_len)
{
	struct parser *p = cv->p;
	char val[1024], ipval[1024];
	const char *otype = NULL;
	size_t otype_len = 0;
	bool have_val = false, have_ip = false;
	uint16_t port = 0;
	enum c2c_ioc_type want = C2C_IOC_NONE;
	for (int i = 0; i < cv->ncmp; i++) {
		if (!(mask >> i & 1))
			continue;
		const struct node *x = &p->n[cv->cmps[i]];
		const char *path = p->s + x->path_off;
		const char *colon = memchr(path, ':', x->path_len);
		size_t tl = (size_t)(colon - path);
		const char *prop = colon + 1;
		size_t pl = x->path_len - tl - 1;
		if (otype != NULL && (tl != otype_len || memcmp(otype, path, tl) != 0))
			return unsupported(cv, obs_text, obs_len,
			    "comparisons on different object types in one observation");
		otype = path;
		otype_len = tl;
		if (x->negated || x->op == OP_NE)
			return unsupported(cv, obs_text, obs_len, "negated comparison");
		bool is_addr = (tl == 9 && (memcmp(path, "ipv4-addr", 9) == 0 ||
						   memcmp(path, "ipv6-addr", 9) == 0));
		bool is_dom = tl == 11 && memcmp(path, "domain-name", 11) == 0;
		bool is_url = tl == 3 && memcmp(path, "url", 3) == 0;
		bool is_nt = tl == 15 && memcmp(path, "network-traffic", 15) == 0;
		if ((is_addr || is_dom || is_url) && pl == 5 && memcmp(prop, "value", 5) == 0) {
			if (x->val_kind != 's')
				return unsupported(cv, obs_text, obs_len, "value is not a string");
			char tmp[1024];
			unescape(p, x, tmp, sizeof(tmp));
			if (is_addr && x->op == OP_SUBSET) {
				want = C2C_IOC_CIDR;
			} else if (is_dom && x->op == OP_LIKE) {
				/* '%.evil.example' = every name under evil.example */
				if (tmp[0] != '%' || tmp[1] != '.' || strchr(tmp + 1, '%') != NULL ||
				    strchr(tmp, '_') != NULL)
					return unsupported(cv, obs_text, obs_len,
					    "LIKE other than '%.<domain>'");
				memmove(tmp, tmp + 2, strlen(tmp + 2) + 1);
				want = C2C_IOC_DOMAIN_SUFFIX;
			} else if (x->op != OP_EQ) {
				return unsupported(cv, obs_text, obs_len,
				    "operator other than = on a value");
			}
			if (have_val && strcmp(val, tmp) != 0)
				return unsupported(cv, obs_text, obs_len,
				    "two different values required at once");
			memcpy(val, tmp, sizeof(tmp));
			have_val = true;
			continue;
		}
		if (is_nt) {
			if ((pl == 13 && memcmp(prop, "dst_ref.value", 13) == 0) ||
			    (pl == 13 && memcmp(prop, "src_ref.value", 13) == 0)) {
				if (x->op != OP_EQ && x->op != OP_SUBSET)
					return unsupported(cv, obs_text, obs_len,
					    "operator other than = on an address");
				if (x->val_kind != 's')
					return unsupported(cv, obs_text, obs_len,
					    "address is not a string");
				char tmp[1024];
				unescape(p, x, tmp, sizeof(tmp));
				if (have_ip && strcmp(ipval, tmp) != 0)
					return unsupported(cv, obs_text, obs_len,
					    "two different addresses required at once");
				memcpy(ipval, tmp, sizeof(tmp));
				have_ip = true;
				continue;
			}
			if ((pl == 8 && memcmp(prop, "dst_port", 8) == 0) ||
			    (pl == 8 && memcmp(prop, "src_port", 8) == 0)) {
				unsigned v = 0;
				if (x->op != OP_EQ || x->val_kind != 'n' || x->val_len > 5)
					return unsupported(cv, obs_text, obs_len,
					    "port test other than = <integer>");
				for (size_t k = 0; k < x->val_len; k++) {
					char c = p->s[x->val_off + k];
					if (c < '0' || c > '9')
						return unsupported(cv, obs_text, obs_len, "bad port");
					v = v * 10 + (unsigned)(c - '0');
				}
				if (v == 0 || v > 65535 || (port != 0 && port != v))
					return unsupported(cv, obs_text, obs_len, "bad port");
				port = (uint16_t)v;
				continue;
			}
			if ((pl == 12 && (memcmp(prop, "dst_ref.type", 12) == 0 ||
					     memcmp(prop, "src_ref.type", 12) == 0)) ||
			    (pl >= 9 && memcmp(prop, "protocols", 9) == 0)) {
				/* the address's own syntax says its type; protocols are not
				 * enforced (reported below, the indicator still loads) */
				if (pl >= 9 && memcmp(prop, "protocols", 9) == 0) {
					c2c_err err = unsupported(cv, obs_text, obs_len,
					    "protocols constraint not enforced");
					if (err != C2C_OK)
						return err;
				}
				continue;
			}
		}
		return unsupported(cv, obs_text, obs_len,
		    "object or property not matched on network data");
	}
	struct c2c__ioc ioc;
	const char *reason;
	bool malformed;
	char scratch[1100];
	c2c__ioc_init(&ioc);
	const char *v = have_val ? val : have_ip ? ipval : NULL;
	if (v == NULL)
		return unsupported(cv, obs_text, obs_len, "no value to match");
	if (!c2c__ioc_parse_value(v, strlen(v), &ioc, scratch, &reason, &malformed))
		return unsupported(cv, obs_text, obs_len, reason);
	bool addr = ioc.type == C2C_IOC_IPV4 || ioc.type == C2C_IOC_IPV6 ||
	    ioc.type == C2C_IOC_CIDR;
	if ((otype_len == 9 || have_ip) && !addr)
		return unsupported(cv, obs_text, obs_len, "address value is not an address");
	if (otype_len == 11 && ioc.type != C2C_IOC_DOMAIN)
		return unsupported(cv, obs_text, obs_len, "domain-name value is not a domain");
	if (otype_len == 9 && memcmp(otype, "ipv4", 4) == 0 && ioc.ip.family != 4)
		return unsupported(cv, obs_text, obs_len, "ipv4-addr value is not IPv4");
	if (otype_len == 9 && memcmp(otype, "ipv6", 4) == 0 && ioc.ip.family != 6)
		return unsupported(cv, obs_text, obs_len, "ipv6-addr value is not IPv6");
	if (want == C2C_IOC_DOMAIN_SUFFIX)
		ioc.type = C2C_IOC_DOMAIN_SUFFIX;
	if (port != 0) {
		if (!addr || ioc.type == C2C_IOC_CIDR)
			return unsupported(cv, obs_text, obs_len, "port on a non-address");
		ioc.port = port;
	}
	return cv->emit->ioc(cv->emit->ctx, &ioc);
}

static c2c_err
convert_obs(struct conv *cv, int x)
{
	struct parser *p = cv->p;
	const struct node *n = &p->n[x];
	c2c_err err;
	if (n->type == N_OBS_OR) {
		if ((err = convert_obs(cv, n->l)) != C2C_OK)
			return err;
		return convert_obs(cv, n->r);
	}
	if (n->type == N_OBS_AND || n->type == N_OBS_FOLLOW)
		return unsupported(cv, p->s, p->len,
		    n->type == N_OBS_AND ? "observation AND (needs two correlated observations)"
					 : "FOLLOWEDBY (needs ordered observations)");
	if (n->qualified && (err = unsupported(cv, p->s, p->len,
				 "qualifier (WITHIN/REPEATS/START) not enforced")) != C2C_OK)
		return err;
	cv->ncmp = 0;
	if (!number(cv, n->l))
		return unsupported(cv, p->s, p->len, "more than 64 comparisons in an observation");
	struct dnf *d = c2c_malloc(sizeof(*d));
	if (d == NULL)
		return C2C_ENOMEM;
	to_dnf(cv, n->l, d);
	if (d->nomem) {
		c2c_free(d);
		return C2C_ENOMEM;
	}
	if (d->overflow) {
		c2c_free(d);
		return unsupported(cv, p->s, p->len, "more than 256 alternatives");
	}
	err = C2C_OK;
	for (size_t i = 0; i < d->n && err == C2C_OK; i++) {
		/* name the observation text of this conjunction in notes */
		err = conjunction(cv, d->c[i], p->s, p->len);
	}
	c2c_free(d);
	return err;
}

c2c_err
c2c__stix_pattern(const char *pattern, size_t len, const struct c2c__stix_emit *emit, char *err,
    size_t errlen)
{
	if (len > 60000) {
		(void)snprintf(err, errlen, "pattern longer than 60000 bytes");
		return C2C_EFORMAT;
	}
	struct parser *p = c2c_malloc(sizeof(*p));
	if (p == NULL)
		return C2C_ENOMEM;
	p->s = pattern;
	p->len = len;
	p->pos = 0;
	p->nn = 0;
	p->depth = 0;
	p->err = err;
	p->errlen = errlen;
	p->failed = false;
	int root = obs_or(p);
	skip_ws(p);
	if (root >= 0 && p->pos != p->len)
		root = fail(p, "trailing text");
	c2c_err rc;
	if (root < 0) {
		if (!p->failed)
			(void)snprintf(err, errlen, "syntax error");
		rc = C2C_EFORMAT;
	} else {
		struct conv cv;
		cv.p = p;
		cv.emit = emit;
		cv.ncmp = 0;
		rc = convert_obs(&cv, root);
	}
	c2c_free(p);
	return rc;
}

/*
 * Public Suffix List (publicsuffix.org): registered domain = public suffix + one label, by the
 * list's rules (normal, "*." wildcard, "!" exception; the longest match prevails, exceptions
 * first; no match means the default rule "*"). The list is read at run time from the Debian
 * package's file and pinned by its SHA-256; rules live in one open-addressed table keyed by the
 * rule text with a bitmask of the rule kinds present for that text.
 *
 * Limitation: rules for internationalised names are in UTF-8 in the list and are matched as
 * bytes, so a punycode (xn--) query name only matches the ASCII rules.
 */
#include <string.h>

#include "detect/internal.h"

#define PSL_MAX_FILE (16u << 20)
#define PSL_MAX_RULES (1u << 20)

enum { R_NORMAL = 1, R_WILDCARD = 2, R_EXCEPTION = 4 };

struct psl_slot {
	uint32_t off; /* into names; 0 = empty (names[0] is a dummy byte) */
	uint16_t len;
	uint8_t kinds;
};

struct c2c_psl {
	struct psl_slot *slots;
	size_t cap, n; /* cap is a power of two */
	struct c2c_buf names;
	uint8_t sha[32];
	uint8_t key[16];
};

static uint64_t
hash_str(const struct c2c_psl *psl, const char *s, size_t len)
{
	return c2c_siphash(s, len, psl->key);
}

static struct psl_slot *
lookup(const struct c2c_psl *psl, const char *s, size_t len)
{
	size_t mask = psl->cap - 1, i = (size_t)hash_str(psl, s, len) & mask;
	for (;;) {
		struct psl_slot *sl = &psl->slots[i];
		if (sl->off == 0)
			return sl;
		if (sl->len == len && memcmp(psl->names.data + sl->off, s, len) == 0)
			return sl;
		i = (i + 1) & mask;
	}
}

static c2c_err
grow(struct c2c_psl *psl)
{
	struct psl_slot *old = psl->slots;
	size_t oldcap = psl->cap;
	psl->cap = oldcap ? oldcap * 2 : 1024;
	psl->slots = c2c_calloc(psl->cap, sizeof(*psl->slots));
	if (psl->slots == NULL) {
		psl->slots = old;
		psl->cap = oldcap;
		return C2C_ENOMEM;
	}
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i].off == 0)
			continue;
		*lookup(psl, (const char *)psl->names.data + old[i].off, old[i].len) = old[i];
	}
	c2c_free(old);
	return C2C_OK;
}

static c2c_err
add_rule(struct c2c_psl *psl, const char *s, size_t len, uint8_t kind)
{
	struct psl_slot *sl;
	c2c_err rc;
	if ((psl->n + 1) * 2 > psl->cap && (rc = grow(psl)) != C2C_OK)
		return rc;
	sl = lookup(psl, s, len);
	if (sl->off == 0) {
		size_t off = psl->names.len;
		if ((rc = c2c_buf_add(&psl->names, s, len)) != C2C_OK)
			return rc;
		sl->off = (uint32_t)off;
		sl->len = (uint16_t)len;
		psl->n++;
	}
	sl->kinds |= kind;
	return C2C_OK;
}

/* The comment line that opens the PRIVATE section. */
static bool
has_marker(const char *line, size_t l)
{
	static const char m[] = "===BEGIN PRIVATE DOMAINS===";
	for (size_t i = 0; i + sizeof(m) - 1 <= l; i++)
		if (memcmp(line + i, m, sizeof(m) - 1) == 0)
			return true;
	return false;
}

void
c2c_psl_free(struct c2c_psl *psl)
{
	if (psl == NULL)
		return;
	c2c_free(psl->slots);
	c2c_buf_fini(&psl->names);
	c2c_free(psl);
}

c2c_err
c2c_psl_parse(const char *text, size_t len, const char *src, bool private_rules,
    struct c2c_psl **out, struct c2c_diag *diag)
{
	struct c2c_psl *psl = c2c_calloc(1, sizeof(*psl));
	size_t pos = 0;
	uint64_t ln = 0;
	bool in_private = false;
	c2c_err rc = C2C_OK;

	if (psl == NULL)
		return C2C_ENOMEM;
	c2c_buf_init(&psl->names, PSL_MAX_FILE);
	memcpy(psl->key, "c2chain-psl-key!", 16); /* fixed: the table holds no hostile input */
	c2c_sha256(text, len, psl->sha);
	if ((rc = c2c_buf_addc(&psl->names, 0)) != C2C_OK || (rc = grow(psl)) != C2C_OK)
		goto out;
	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - line) : len - pos, t = 0;
		uint8_t kind = R_NORMAL;
		pos += l + (nl != NULL);
		ln++;
		if (l >= 2 && line[0] == '/' && line[1] == '/') {
			if (has_marker(line, l))
				in_private = true;
			continue;
		}
		while (t < l && line[t] != ' ' && line[t] != '\t' && line[t] != '\r')
			t++;
		if (t == 0 || (in_private && !private_rules))
			continue;
		if (line[0] == '!') {
			kind = R_EXCEPTION;
			line++;
			t--;
		} else if (t >= 2 && line[0] == '*' && line[1] == '.') {
			kind = R_WILDCARD;
			line += 2;
			t -= 2;
		}
		if (t == 0 || t > 253 || memchr(line, '*', t) != NULL || line[0] == '.' ||
		    line[t - 1] == '.') {
			rc = c2c_diag_line(diag, C2C_EFORMAT, src, ln, "bad public suffix rule");
			goto out;
		}
		if (psl->n >= PSL_MAX_RULES) {
			rc = c2c_diag_line(diag, C2C_EFORMAT, src, ln, "more than %u rules",
			    PSL_MAX_RULES);
			goto out;
		}
		char low[256];
		for (size_t i = 0; i < t; i++)
			low[i] = (char)(line[i] >= 'A' && line[i] <= 'Z' ? line[i] + 32 : line[i]);
		if ((rc = add_rule(psl, low, t, kind)) != C2C_OK)
			goto out;
	}
	if (psl->n == 0) {
		rc = c2c_diag_line(diag, C2C_EFORMAT, src, ln, "no public suffix rules");
		goto out;
	}
	*out = psl;
	psl = NULL;
out:
	c2c_psl_free(psl);
	return rc;
}

c2c_err
c2c_psl_load(const char *path, bool private_rules, struct c2c_psl **out, struct c2c_diag *diag)
{
	uint8_t *text = NULL;
	size_t len = 0;
	c2c_err rc = c2c_file_slurp(path, PSL_MAX_FILE, &text, &len, diag);
	if (rc != C2C_OK)
		return rc;
	rc = c2c_psl_parse((const char *)text, len, path, private_rules, out, diag);
	c2c_free(text);
	return rc;
}

const uint8_t *
c2c_psl_sha256(const struct c2c_psl *psl)
{
	return psl->sha;
}

static uint8_t
kinds_of(const struct c2c_psl *psl, const char *s, size_t len)
{
	const struct psl_slot *sl = lookup(psl, s, len);
	return sl->off != 0 ? sl->kinds : 0;
}

c2c_err
c2c_psl_registered(const struct c2c_psl *psl, const char *name, size_t *off)
{
	size_t len = strlen(name), starts[128], k = 0, ps;
	if (len == 0 || name[0] == '.' || name[len - 1] == '.')
		return C2C_ENOTFOUND;
	/* Label start offsets, leftmost first. */
	starts[k++] = 0;
	for (size_t i = 0; i < len; i++) {
		if (name[i] != '.')
			continue;
		if (k == C2C_ARRAY_LEN(starts) || i + 1 >= len || name[i + 1] == '.')
			return C2C_ENOTFOUND;
		starts[k++] = i + 1;
	}
	ps = k - 1; /* default rule "*": the last label */
	if (psl != NULL) {
		for (size_t i = 0; i < k; i++) {
			const char *s = name + starts[i];
			size_t sl = len - starts[i];
			uint8_t kd = kinds_of(psl, s, sl);
			if (kd & R_EXCEPTION) {
				ps = i + 1 < k ? i + 1 : i;
				break;
			}
			if (kd & R_NORMAL) {
				ps = i;
				break;
			}
			if (i + 1 < k &&
			    (kinds_of(psl, name + starts[i + 1], len - starts[i + 1]) &
				R_WILDCARD)) {
				ps = i;
				break;
			}
		}
	}
	if (ps == 0)
		return C2C_ENOTFOUND;
	*off = starts[ps - 1];
	return C2C_OK;
}

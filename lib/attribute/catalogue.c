/*
 * Actor catalogue: intrusion sets from MITRE ATT&CK STIX bundles (2.0 as in mitre/cti, 2.1 as in
 * attack-stix-data) and MISP galaxy clusters (mitre-intrusion-set, threat-actor), merged into
 * one entry per intrusion set, with a sorted index of normalised names for label resolution.
 *
 * Loading is two-phase so that the result does not depend on the order of the files: every file
 * is parsed into raw records first; the records are then merged in a fixed order (STIX by key,
 * MISP mitre clusters by uuid, MISP threat actors by uuid). A name is normalised by keeping
 * only ASCII letters and digits, lower-cased ("APT 31", "apt-31" and "Apt31" are one name).
 */
#include "c2chain/attribute.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c2chain/json.h"

#define CAT_FILE_CAP ((size_t)256 << 20) /* the ATT&CK enterprise 2.1 bundle is ~45 MB */

enum rec_kind { REC_STIX = 0, REC_MISP_MITRE = 1, REC_MISP_ACTOR = 2 };

/* A growable array of owned strings. */
struct strv {
	char **v;
	size_t n, cap;
};

/* One intrusion set as read from one file, before merging. */
struct rec {
	enum rec_kind kind;
	char *attack_id, *stix_id, *uuid, *value, *country, *sponsor;
	struct strv names; /* name/value first, then aliases/synonyms */
};

struct actor {
	char *key, *name, *attack_id, *stix_id, *misp_uuid, *misp_value, *country, *sponsor;
	struct strv aliases;
	unsigned sources;
	struct c2c_actor pub;
};

struct name_ent {
	char *norm; /* owned */
	size_t actor;
};

struct c2c_catalogue {
	struct actor *a;
	size_t n, cap;
	struct name_ent *names;
	size_t n_names;
	json_t *refdata;
};

/* ---- small helpers ---------------------------------------------------------------------------- */

static c2c_err
strv_add(struct strv *s, const char *str)
{
	char *d;
	if (str == NULL || *str == '\0')
		return C2C_OK;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 8;
		char **nv = c2c_reallocarray(s->v, nc, sizeof(*nv));
		if (nv == NULL)
			return C2C_ENOMEM;
		s->v = nv;
		s->cap = nc;
	}
	d = c2c_strdup(str);
	if (d == NULL)
		return C2C_ENOMEM;
	s->v[s->n++] = d;
	return C2C_OK;
}

static void
strv_fini(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		c2c_free(s->v[i]);
	c2c_free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and drop exact duplicates. */
static void
strv_sort_unique(struct strv *s)
{
	size_t w = 0;
	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_str);
	for (size_t i = 0; i < s->n; i++) {
		if (w > 0 && strcmp(s->v[w - 1], s->v[i]) == 0) {
			c2c_free(s->v[i]);
			continue;
		}
		s->v[w++] = s->v[i];
	}
	s->n = w;
}

/* Normalised form of a name into buf: ASCII letters and digits only, lower case. Bytes >= 0x80
 * are kept as they are, so non-Latin names still compare exactly. */
static void
norm_name(const char *s, size_t len, char *buf, size_t cap)
{
	size_t w = 0;
	for (size_t i = 0; i < len && w + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			buf[w++] = (char)(c - 'A' + 'a');
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
			buf[w++] = (char)c;
	}
	buf[w] = '\0';
}

static c2c_err
dup_opt(char **dst, const char *s)
{
	if (s == NULL || *dst != NULL)
		return C2C_OK;
	*dst = c2c_strdup(s);
	return *dst ? C2C_OK : C2C_ENOMEM;
}

static const char *
jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void
rec_fini(struct rec *r)
{
	c2c_free(r->attack_id);
	c2c_free(r->stix_id);
	c2c_free(r->uuid);
	c2c_free(r->value);
	c2c_free(r->country);
	c2c_free(r->sponsor);
	strv_fini(&r->names);
}

struct recs {
	struct rec *v;
	size_t n, cap;
};

static struct rec *
recs_push(struct recs *rs)
{
	if (rs->n == rs->cap) {
		size_t nc = rs->cap ? rs->cap * 2 : 64;
		struct rec *nv = c2c_reallocarray(rs->v, nc, sizeof(*nv));
		if (nv == NULL)
			return NULL;
		rs->v = nv;
		rs->cap = nc;
	}
	memset(&rs->v[rs->n], 0, sizeof(rs->v[0]));
	return &rs->v[rs->n++];
}

static void
recs_fini(struct recs *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		rec_fini(&rs->v[i]);
	c2c_free(rs->v);
}

/* ---- readers ---------------------------------------------------------------------------------- */

/* ATT&CK id of a STIX object: external_references[].external_id where source_name is one of the
 * ATT&CK domains. */
static const char *
attack_id_of(const json_t *o)
{
	const json_t *refs = json_object_get(o, "external_references");
	size_t i;
	const json_t *r;
	json_array_foreach(refs, i, r) {
		const char *sn = jstr(r, "source_name");
		if (sn != NULL && strncmp(sn, "mitre-", 6) == 0 && strstr(sn, "attack") != NULL)
			return jstr(r, "external_id");
	}
	return NULL;
}

static c2c_err
read_stix(const json_t *root, struct recs *rs, size_t *n_used, size_t *n_skipped)
{
	const json_t *objs = json_object_get(root, "objects");
	size_t i;
	const json_t *o;
	c2c_err rc;
	if (!json_is_array(objs))
		return C2C_EFORMAT;
	json_array_foreach(objs, i, o) {
		const char *type = jstr(o, "type"), *name = jstr(o, "name"), *id = jstr(o, "id");
		const json_t *al;
		struct rec *r;
		size_t j;
		const json_t *a;
		if (type == NULL || strcmp(type, "intrusion-set") != 0)
			continue;
		if (name == NULL || id == NULL || json_is_true(json_object_get(o, "revoked")) ||
		    json_is_true(json_object_get(o, "x_mitre_deprecated"))) {
			(*n_skipped)++;
			continue;
		}
		r = recs_push(rs);
		if (r == NULL)
			return C2C_ENOMEM;
		r->kind = REC_STIX;
		if ((rc = dup_opt(&r->attack_id, attack_id_of(o))) != C2C_OK ||
		    (rc = dup_opt(&r->stix_id, id)) != C2C_OK ||
		    (rc = dup_opt(&r->value, name)) != C2C_OK ||
		    (rc = strv_add(&r->names, name)) != C2C_OK)
			return rc;
		al = json_object_get(o, "aliases");
		json_array_foreach(al, j, a) {
			if ((rc = strv_add(&r->names, json_string_value(a))) != C2C_OK)
				return rc;
		}
		(*n_used)++;
	}
	return C2C_OK;
}

/* A MISP "mitre-intrusion-set" value is "Name - G0123"; the name part is an alias. */
static c2c_err
add_misp_value_name(struct rec *r, const char *value)
{
	const char *dash = strstr(value, " - G");
	char tmp[256];
	if (dash != NULL && strlen(dash) == 8) {
		size_t len = (size_t)(dash - value);
		if (len >= sizeof(tmp))
			len = sizeof(tmp) - 1;
		memcpy(tmp, value, len);
		tmp[len] = '\0';
		return strv_add(&r->names, tmp);
	}
	return strv_add(&r->names, value);
}

static c2c_err
read_misp(const json_t *root, enum rec_kind kind, struct recs *rs, size_t *n_used,
    size_t *n_skipped)
{
	const json_t *vals = json_object_get(root, "values");
	size_t i;
	const json_t *v;
	c2c_err rc;
	if (!json_is_array(vals))
		return C2C_EFORMAT;
	json_array_foreach(vals, i, v) {
		const char *value = jstr(v, "value"), *uuid = jstr(v, "uuid");
		const json_t *meta = json_object_get(v, "meta"), *syn, *s;
		struct rec *r;
		size_t j;
		if (value == NULL || uuid == NULL) {
			(*n_skipped)++;
			continue;
		}
		r = recs_push(rs);
		if (r == NULL)
			return C2C_ENOMEM;
		r->kind = kind;
		if ((rc = dup_opt(&r->uuid, uuid)) != C2C_OK ||
		    (rc = dup_opt(&r->value, value)) != C2C_OK ||
		    (rc = add_misp_value_name(r, value)) != C2C_OK)
			return rc;
		if (kind == REC_MISP_MITRE) {
			if ((rc = dup_opt(&r->attack_id, jstr(meta, "external_id"))) != C2C_OK)
				return rc;
		} else {
			if ((rc = dup_opt(&r->country, jstr(meta, "country"))) != C2C_OK ||
			    (rc = dup_opt(&r->sponsor, jstr(meta, "cfr-suspected-state-sponsor"))) !=
				C2C_OK)
				return rc;
		}
		syn = json_object_get(meta, "synonyms");
		json_array_foreach(syn, j, s) {
			if ((rc = strv_add(&r->names, json_string_value(s))) != C2C_OK)
				return rc;
		}
		(*n_used)++;
	}
	return C2C_OK;
}

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

static c2c_err
load_one(const struct c2c_catalogue_src *s, struct recs *rs, json_t *refdata,
    struct c2c_diag *diag)
{
	uint8_t sha[32], *text = NULL;
	char hex[65];
	uint64_t size;
	size_t len, used = 0, skipped = 0;
	json_t *root = NULL, *ent = NULL;
	const char *fmt, *type;
	c2c_err rc;

	if (s->path == NULL)
		return C2C_EINVAL;
	rc = c2c_sha256_file(s->path, sha, &size, diag);
	if (rc != C2C_OK)
		return rc;
	c2c_hex(sha, 32, hex);
	if (s->sha256 != NULL) {
		int ok = strlen(s->sha256) == 64;
		for (size_t i = 0; ok && i < 64; i++)
			ok = hexval(s->sha256[i]) == hexval(hex[i]) && hexval(hex[i]) >= 0;
		if (!ok)
			return c2c_diag_set(diag, C2C_EVERIFY, s->path, 0,
			    "SHA-256 %s does not match the pinned %s", hex, s->sha256);
	}
	rc = c2c_file_slurp(s->path, CAT_FILE_CAP, &text, &len, diag);
	if (rc != C2C_OK)
		return rc;
	rc = c2c_json_parse((const char *)text, len, s->path, &root, diag);
	c2c_free(text);
	if (rc != C2C_OK)
		return rc;
	type = jstr(root, "type");
	if (type != NULL && strcmp(type, "bundle") == 0) {
		const char *sv = jstr(root, "spec_version");
		fmt = (sv != NULL && strcmp(sv, "2.0") == 0) ? "stix-2.0" : "stix-2.1";
		rc = read_stix(root, rs, &used, &skipped);
	} else if (type != NULL && json_is_array(json_object_get(root, "values")) &&
	    (strcmp(type, "threat-actor") == 0 || strcmp(type, "mitre-intrusion-set") == 0)) {
		int mitre = strcmp(type, "mitre-intrusion-set") == 0;
		fmt = mitre ? "misp-galaxy:mitre-intrusion-set" : "misp-galaxy:threat-actor";
		rc = read_misp(root, mitre ? REC_MISP_MITRE : REC_MISP_ACTOR, rs, &used, &skipped);
	} else {
		json_decref(root);
		return c2c_diag_set(diag, C2C_EFORMAT, s->path, 0,
		    "neither a STIX bundle nor a MISP threat-actor/mitre-intrusion-set cluster");
	}
	json_decref(root);
	if (rc == C2C_EFORMAT)
		return c2c_diag_set(diag, rc, s->path, 0, "no objects/values array");
	if (rc != C2C_OK)
		return rc;
	ent = json_object();
	if (ent == NULL)
		return C2C_ENOMEM;
	if ((rc = c2c_json_set_str(ent, "path", s->path)) != C2C_OK ||
	    (rc = c2c_json_set_str(ent, "sha256", hex)) != C2C_OK ||
	    (rc = c2c_json_set_int(ent, "size", (int64_t)size)) != C2C_OK ||
	    (rc = c2c_json_set_str(ent, "format", fmt)) != C2C_OK ||
	    (rc = c2c_json_set_int(ent, "objects", (int64_t)used)) != C2C_OK ||
	    (rc = c2c_json_set_int(ent, "skipped", (int64_t)skipped)) != C2C_OK ||
	    (rc = c2c_json_set_str(ent, "kind", "actor-catalogue")) != C2C_OK) {
		json_decref(ent);
		return rc;
	}
	return c2c_json_append_new(refdata, ent);
}

/* ---- merging ---------------------------------------------------------------------------------- */

static struct actor *
actor_new(struct c2c_catalogue *cat)
{
	if (cat->n == cat->cap) {
		size_t nc = cat->cap ? cat->cap * 2 : 256;
		struct actor *nv = c2c_reallocarray(cat->a, nc, sizeof(*nv));
		if (nv == NULL)
			return NULL;
		cat->a = nv;
		cat->cap = nc;
	}
	memset(&cat->a[cat->n], 0, sizeof(cat->a[0]));
	return &cat->a[cat->n++];
}

static c2c_err
actor_take(struct actor *a, const struct rec *r, unsigned bit)
{
	c2c_err rc;
	a->sources |= bit;
	if ((rc = dup_opt(&a->attack_id, r->attack_id)) != C2C_OK)
		return rc;
	if (r->kind == REC_STIX) {
		if ((rc = dup_opt(&a->stix_id, r->stix_id)) != C2C_OK ||
		    (rc = dup_opt(&a->name, r->value)) != C2C_OK)
			return rc;
	} else if (r->kind == REC_MISP_ACTOR) {
		if ((rc = dup_opt(&a->misp_uuid, r->uuid)) != C2C_OK ||
		    (rc = dup_opt(&a->misp_value, r->value)) != C2C_OK ||
		    (rc = dup_opt(&a->country, r->country)) != C2C_OK ||
		    (rc = dup_opt(&a->sponsor, r->sponsor)) != C2C_OK)
			return rc;
	} else if (a->stix_id == NULL && r->uuid != NULL) {
		/* The MISP mitre cluster uuid is the ATT&CK intrusion-set uuid. */
		char id[80];
		(void)snprintf(id, sizeof(id), "intrusion-set--%s", r->uuid);
		if ((rc = dup_opt(&a->stix_id, id)) != C2C_OK)
			return rc;
	}
	for (size_t i = 0; i < r->names.n; i++) {
		/* Drop bare ATT&CK ids from the alias list: they resolve through attack_id. */
		const char *nm = r->names.v[i];
		if (nm[0] == 'G' && strlen(nm) == 5 && strspn(nm + 1, "0123456789") == 4)
			continue;
		if ((rc = strv_add(&a->aliases, nm)) != C2C_OK)
			return rc;
	}
	return C2C_OK;
}

static int
cmp_rec(const void *x, const void *y)
{
	const struct rec *a = x, *b = y;
	const char *ka = a->attack_id ? a->attack_id : (a->stix_id ? a->stix_id : a->uuid);
	const char *kb = b->attack_id ? b->attack_id : (b->stix_id ? b->stix_id : b->uuid);
	int c;
	if (ka == NULL || kb == NULL)
		return (ka == NULL) - (kb == NULL);
	c = strcmp(ka, kb);
	if (c == 0 && a->uuid && b->uuid)
		c = strcmp(a->uuid, b->uuid);
	if (c == 0 && a->stix_id && b->stix_id)
		c = strcmp(a->stix_id, b->stix_id);
	return c;
}

static struct actor *
find_by_attack(struct c2c_catalogue *cat, const char *gid)
{
	for (size_t i = 0; gid != NULL && i < cat->n; i++)
		if (cat->a[i].attack_id != NULL && strcmp(cat->a[i].attack_id, gid) == 0)
			return &cat->a[i];
	return NULL;
}

static struct actor *
find_by_stix(struct c2c_catalogue *cat, const char *id)
{
	for (size_t i = 0; id != NULL && i < cat->n; i++)
		if (cat->a[i].attack_id == NULL && cat->a[i].stix_id != NULL &&
		    strcmp(cat->a[i].stix_id, id) == 0)
			return &cat->a[i];
	return NULL;
}

static int
cmp_name_ent(const void *x, const void *y)
{
	const struct name_ent *a = x, *b = y;
	int c = strcmp(a->norm, b->norm);
	if (c != 0)
		return c;
	return (a->actor > b->actor) - (a->actor < b->actor);
}

static void
names_free(struct name_ent *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		c2c_free(v[i].norm);
	c2c_free(v);
}

/* Build the sorted index of normalised names (aliases, name, ATT&CK id) over cat->a. */
static c2c_err
build_index(const struct c2c_catalogue *cat, struct name_ent **out, size_t *n_out)
{
	size_t total = 0, w = 0;
	struct name_ent *v;
	char buf[256];
	for (size_t i = 0; i < cat->n; i++)
		total += cat->a[i].aliases.n + 2;
	v = c2c_calloc(total ? total : 1, sizeof(*v));
	if (v == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < cat->n; i++) {
		const struct actor *a = &cat->a[i];
		for (size_t j = 0; j < a->aliases.n + 2; j++) {
			const char *s = j < a->aliases.n ? a->aliases.v[j] :
			    (j == a->aliases.n ? a->name : a->attack_id);
			if (s == NULL)
				continue;
			norm_name(s, strlen(s), buf, sizeof(buf));
			if (buf[0] == '\0')
				continue;
			v[w].norm = c2c_strdup(buf);
			if (v[w].norm == NULL) {
				names_free(v, w);
				return C2C_ENOMEM;
			}
			v[w++].actor = i;
		}
	}
	qsort(v, w, sizeof(*v), cmp_name_ent);
	{
		size_t u = 0;
		for (size_t i = 0; i < w; i++) {
			if (u > 0 && strcmp(v[u - 1].norm, v[i].norm) == 0 &&
			    v[u - 1].actor == v[i].actor) {
				c2c_free(v[i].norm);
				continue;
			}
			v[u++] = v[i];
		}
		w = u;
	}
	*out = v;
	*n_out = w;
	return C2C_OK;
}

/* Actors whose normalised names include `norm` (indices into cat->a), via index `ix`. */
static size_t
lookup(const struct name_ent *ix, size_t n, const char *norm, size_t *res, size_t cap)
{
	size_t lo = 0, hi = n, cnt = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix[mid].norm, norm) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < n && strcmp(ix[i].norm, norm) == 0; i++) {
		if (cnt < cap)
			res[cnt] = ix[i].actor;
		cnt++;
	}
	return cnt;
}

/* Which existing ATT&CK group a MISP threat actor joins: by a G-id among its names, else by its
 * value, else by any synonym. A tier decides only when it names exactly one group; an ambiguous
 * tier falls through to the next. Returns the index or (size_t)-1, and the tier in *tier_out. */
static size_t
match_tier(const struct c2c_catalogue *cat, const struct name_ent *ix, size_t nix,
    const struct rec *r, int *tier_out)
{
	char buf[256];
	for (int tier = 0; tier < 3; tier++) {
		size_t found = (size_t)-1;
		int ambiguous = 0;
		for (size_t i = 0; i < r->names.n; i++) {
			const char *nm = r->names.v[i];
			int is_gid = nm[0] == 'G' && strlen(nm) == 5 &&
			    strspn(nm + 1, "0123456789") == 4;
			size_t res[8], k;
			if ((tier == 0 && !is_gid) || (tier == 1 && i != 0) || (tier == 2 && is_gid))
				continue;
			norm_name(nm, strlen(nm), buf, sizeof(buf));
			k = lookup(ix, nix, buf, res, 8);
			for (size_t j = 0; j < k && j < 8; j++) {
				if (cat->a[res[j]].attack_id == NULL &&
				    cat->a[res[j]].stix_id == NULL)
					continue; /* only ATT&CK/STIX groups are join targets */
				if (found == (size_t)-1)
					found = res[j];
				else if (found != res[j])
					ambiguous = 1;
			}
		}
		if (found != (size_t)-1 && !ambiguous) {
			*tier_out = tier;
			return found;
		}
	}
	return (size_t)-1;
}

static int
cmp_actor(const void *x, const void *y)
{
	return strcmp(((const struct actor *)x)->key, ((const struct actor *)y)->key);
}

static c2c_err
merge(struct c2c_catalogue *cat, struct recs *rs)
{
	struct name_ent *ix = NULL;
	size_t nix = 0;
	c2c_err rc = C2C_OK;
	char key[96];

	qsort(rs->v, rs->n, sizeof(rs->v[0]), cmp_rec);
	/* Phase 1: STIX intrusion sets, merged by ATT&CK id (or STIX id without one). */
	for (size_t i = 0; i < rs->n; i++) {
		struct rec *r = &rs->v[i];
		struct actor *a;
		if (r->kind != REC_STIX)
			continue;
		a = r->attack_id ? find_by_attack(cat, r->attack_id) : find_by_stix(cat, r->stix_id);
		if (a == NULL && (a = actor_new(cat)) == NULL)
			return C2C_ENOMEM;
		if ((rc = actor_take(a, r, C2C_CAT_STIX)) != C2C_OK)
			return rc;
	}
	/* Phase 2: MISP mitre-intrusion-set clusters, by ATT&CK id. */
	for (size_t i = 0; i < rs->n; i++) {
		struct rec *r = &rs->v[i];
		struct actor *a;
		if (r->kind != REC_MISP_MITRE)
			continue;
		a = find_by_attack(cat, r->attack_id);
		if (a == NULL) {
			if ((a = actor_new(cat)) == NULL)
				return C2C_ENOMEM;
			if (r->attack_id == NULL && (rc = dup_opt(&a->name, r->names.n ?
			    r->names.v[0] : r->value)) != C2C_OK)
				return rc;
		}
		if (a->name == NULL && r->names.n > 0 && (rc = dup_opt(&a->name, r->names.v[0])))
			return rc;
		if ((rc = actor_take(a, r, C2C_CAT_MISP_MITRE)) != C2C_OK)
			return rc;
	}
	/* Phase 3: MISP threat actors, joined to one ATT&CK group or kept on their own. Each group
	 * takes the one actor that matched it at the best tier (value before synonyms), so that
	 * "Turla" joins Turla even when "White Bear" lists Turla as a synonym; ties go to the first
	 * in uuid order. */
	if ((rc = build_index(cat, &ix, &nix)) != C2C_OK)
		return rc;
	{
		size_t n_groups = cat->n;
		size_t *target = c2c_calloc(rs->n ? rs->n : 1, sizeof(*target));
		int *tier = c2c_calloc(rs->n ? rs->n : 1, sizeof(*tier));
		size_t *best = c2c_calloc(n_groups ? n_groups : 1, sizeof(*best));
		if (target == NULL || tier == NULL || best == NULL) {
			c2c_free(target);
			c2c_free(tier);
			c2c_free(best);
			rc = C2C_ENOMEM;
			goto out;
		}
		for (size_t g = 0; g < n_groups; g++)
			best[g] = (size_t)-1;
		for (size_t i = 0; i < rs->n; i++) {
			target[i] = (size_t)-1;
			if (rs->v[i].kind != REC_MISP_ACTOR)
				continue;
			target[i] = match_tier(cat, ix, nix, &rs->v[i], &tier[i]);
			if (target[i] != (size_t)-1 && (best[target[i]] == (size_t)-1 ||
			    tier[i] < tier[best[target[i]]]))
				best[target[i]] = i;
		}
		for (size_t i = 0; i < rs->n && rc == C2C_OK; i++) {
			struct rec *r = &rs->v[i];
			struct actor *a;
			if (r->kind != REC_MISP_ACTOR)
				continue;
			if (target[i] != (size_t)-1 && best[target[i]] == i) {
				a = &cat->a[target[i]];
			} else {
				if ((a = actor_new(cat)) == NULL) {
					rc = C2C_ENOMEM;
					break;
				}
				if ((rc = dup_opt(&a->name, r->value)) != C2C_OK)
					break;
			}
			rc = actor_take(a, r, C2C_CAT_MISP_ACTOR);
		}
		c2c_free(target);
		c2c_free(tier);
		c2c_free(best);
		if (rc != C2C_OK)
			goto out;
	}
	/* Keys, then a stable order. */
	for (size_t i = 0; i < cat->n; i++) {
		struct actor *a = &cat->a[i];
		if (a->attack_id != NULL)
			(void)snprintf(key, sizeof(key), "%s", a->attack_id);
		else if (a->stix_id != NULL)
			(void)snprintf(key, sizeof(key), "stix:%s", a->stix_id);
		else
			(void)snprintf(key, sizeof(key), "misp:%s", a->misp_uuid ? a->misp_uuid : "");
		if ((rc = dup_opt(&a->key, key)) != C2C_OK)
			goto out;
		if (a->name == NULL && (rc = dup_opt(&a->name, a->misp_value ? a->misp_value :
		    key)) != C2C_OK)
			goto out;
		strv_sort_unique(&a->aliases);
	}
	qsort(cat->a, cat->n, sizeof(cat->a[0]), cmp_actor);
	for (size_t i = 0; i < cat->n; i++) {
		struct actor *a = &cat->a[i];
		a->pub.key = a->key;
		a->pub.name = a->name;
		a->pub.attack_id = a->attack_id;
		a->pub.stix_id = a->stix_id;
		a->pub.misp_uuid = a->misp_uuid;
		a->pub.misp_value = a->misp_value;
		a->pub.country = a->country;
		a->pub.sponsor = a->sponsor;
		a->pub.aliases = (const char *const *)a->aliases.v;
		a->pub.n_aliases = a->aliases.n;
		a->pub.sources = a->sources;
	}
out:
	names_free(ix, nix);
	return rc;
}

/* ---- public ------------------------------------------------------------------------------------ */

c2c_err
c2c_catalogue_load(const struct c2c_catalogue_src *src, size_t n, struct c2c_catalogue **out,
    struct c2c_diag *diag)
{
	struct c2c_catalogue *cat;
	struct recs rs = { 0 };
	c2c_err rc = C2C_OK;

	if (src == NULL || n == 0 || out == NULL)
		return C2C_EINVAL;
	cat = c2c_calloc(1, sizeof(*cat));
	if (cat == NULL)
		return C2C_ENOMEM;
	cat->refdata = json_array();
	if (cat->refdata == NULL) {
		rc = C2C_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = load_one(&src[i], &rs, cat->refdata, diag)) != C2C_OK)
			goto out;
	}
	if ((rc = merge(cat, &rs)) != C2C_OK)
		goto out;
	if ((rc = build_index(cat, &cat->names, &cat->n_names)) != C2C_OK)
		goto out;
	*out = cat;
	cat = NULL;
out:
	recs_fini(&rs);
	c2c_catalogue_free(cat);
	return rc;
}

void
c2c_catalogue_free(struct c2c_catalogue *cat)
{
	if (cat == NULL)
		return;
	for (size_t i = 0; i < cat->n; i++) {
		struct actor *a = &cat->a[i];
		c2c_free(a->key);
		c2c_free(a->name);
		c2c_free(a->attack_id);
		c2c_free(a->stix_id);
		c2c_free(a->misp_uuid);
		c2c_free(a->misp_value);
		c2c_free(a->country);
		c2c_free(a->sponsor);
		strv_fini(&a->aliases);
	}
	c2c_free(cat->a);
	names_free(cat->names, cat->n_names);
	json_decref(cat->refdata);
	c2c_free(cat);
}

size_t
c2c_catalogue_count(const struct c2c_catalogue *cat)
{
	return cat ? cat->n : 0;
}

const struct c2c_actor *
c2c_catalogue_actor(const struct c2c_catalogue *cat, size_t i)
{
	if (cat == NULL || i >= cat->n)
		return NULL;
	return &cat->a[i].pub;
}

c2c_err
c2c_catalogue_find(const struct c2c_catalogue *cat, const char *key, size_t *idx)
{
	size_t lo = 0, hi;
	if (cat == NULL || key == NULL)
		return C2C_EINVAL;
	hi = cat->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(cat->a[mid].key, key);
		if (c == 0) {
			*idx = mid;
			return C2C_OK;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return C2C_ENOTFOUND;
}

c2c_err
c2c_catalogue_resolve(const struct c2c_catalogue *cat, const char *label, size_t *idx, size_t cap,
    size_t *n)
{
	char buf[256];
	const char *s, *e;
	size_t len, cnt;

	if (cat == NULL || label == NULL || n == NULL)
		return C2C_EINVAL;
	*n = 0;
	s = label;
	len = strlen(label);
	/* MISP galaxy tag: misp-galaxy:<type>="<value>" (any machine tag key="value"). */
	e = strstr(label, "=\"");
	if (e != NULL && len > 0 && label[len - 1] == '"' && label + len - 1 > e + 1) {
		s = e + 2;
		len = (size_t)(label + len - 1 - s);
	}
	/* "Name - G0123" (MISP mitre-intrusion-set value): the ATT&CK id decides. */
	if (len > 8 && memcmp(s + len - 8, " - G", 4) == 0 &&
	    strspn(s + len - 4, "0123456789") >= 4) {
		norm_name(s + len - 5, 5, buf, sizeof(buf));
		cnt = lookup(cat->names, cat->n_names, buf, idx, cap);
		if (cnt > 0) {
			*n = cnt;
			return C2C_OK;
		}
		len -= 8;
	}
	norm_name(s, len, buf, sizeof(buf));
	if (buf[0] == '\0')
		return C2C_ENOTFOUND;
	cnt = lookup(cat->names, cat->n_names, buf, idx, cap);
	/* Maltrail trail names: "apt_judgmentpanda" -> "judgmentpanda" (but not "apt_27"). */
	if (cnt == 0 && len > 4 && (strncmp(s, "apt_", 4) == 0 || strncmp(s, "apt-", 4) == 0) &&
	    !(s[4] >= '0' && s[4] <= '9')) {
		norm_name(s + 4, len - 4, buf, sizeof(buf));
		cnt = lookup(cat->names, cat->n_names, buf, idx, cap);
	}
	*n = cnt;
	return cnt ? C2C_OK : C2C_ENOTFOUND;
}

c2c_err
c2c_catalogue_refdata(const struct c2c_catalogue *cat, json_t **out)
{
	json_t *c;
	if (cat == NULL || out == NULL)
		return C2C_EINVAL;
	c = json_deep_copy(cat->refdata);
	if (c == NULL)
		return C2C_ENOMEM;
	*out = c;
	return C2C_OK;
}

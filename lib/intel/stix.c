/*
 * STIX bundles (2.1, and 2.0 where it agrees): every `indicator` whose pattern_type is "stix"
 * (or absent, as in 2.0) goes through the pattern parser; its labels come from `indicates`
 * relationships to malware, intrusion sets, threat actors and campaigns, plus one hop of
 * `attributed-to` from a campaign or threat actor to the intrusion set behind it (apt1.json
 * attributes its intrusion set to the threat actor the indicators indicate). valid_from and
 * valid_until become the validity window. Objects are named by their STIX id.
 */
#include <stdio.h>
#include <string.h>

#include "c2chain/json.h"
#include "intel/internal.h"

static const char *
jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

#define MAX_LAB 64

struct sctx {
	struct c2c__feed *f;
	const json_t *objects;
	json_t *byid;   /* id -> index in objects */
	json_t *rels;   /* source_ref -> [relationship index, ...] */
	const char *id; /* indicator being converted */
	c2c_time from, until;
	uint32_t labels;
};

static const json_t *
obj(const struct sctx *s, const char *id)
{
	const json_t *ix = json_object_get(s->byid, id);
	return ix ? json_array_get(s->objects, (size_t)json_integer_value(ix)) : NULL;
}

struct labs {
	struct c2c_label l[MAX_LAB];
	size_t n;
};

static void
add_lab(struct labs *ls, enum c2c_label_type t, const char *v)
{
	if (v != NULL && v[0] != '\0' && ls->n < MAX_LAB) {
		ls->l[ls->n].type = t;
		ls->l[ls->n].value = v;
		ls->n++;
	}
}

/* Label(s) of one related object: its name, plus intrusion-set aliases. */
static void
object_labels(struct labs *ls, const json_t *o)
{
	const char *type = jstr(o, "type");
	if (type == NULL)
		return;
	enum c2c_label_type t;
	if (strcmp(type, "malware") == 0 || strcmp(type, "tool") == 0)
		t = C2C_LABEL_MALWARE;
	else if (strcmp(type, "intrusion-set") == 0)
		t = C2C_LABEL_INTRUSION_SET;
	else if (strcmp(type, "threat-actor") == 0)
		t = C2C_LABEL_THREAT_ACTOR;
	else if (strcmp(type, "campaign") == 0)
		t = C2C_LABEL_CAMPAIGN;
	else
		return;
	add_lab(ls, t, jstr(o, "name"));
	if (t == C2C_LABEL_INTRUSION_SET) {
		size_t i;
		json_t *a;
		json_array_foreach(json_object_get(o, "aliases"), i, a) {
			add_lab(ls, t, json_string_value(a));
		}
	}
}

/* Objects `src` points at with relationship `rtype`, in bundle order. */
static void
related(const struct sctx *s, const char *src, const char *rtype, const json_t **out, size_t *n,
    size_t cap)
{
	size_t i;
	json_t *ix;
	*n = 0;
	json_array_foreach(json_object_get(s->rels, src), i, ix) {
		const json_t *r = json_array_get(s->objects, (size_t)json_integer_value(ix));
		const char *rt = jstr(r, "relationship_type"), *tgt = jstr(r, "target_ref");
		if (rt == NULL || tgt == NULL || strcmp(rt, rtype) != 0)
			continue;
		const json_t *o = obj(s, tgt);
		if (o != NULL && *n < cap)
			out[(*n)++] = o;
	}
}

static c2c_err
emit_ioc(void *ctx, const struct c2c__ioc *ioc)
{
	struct sctx *s = ctx;
	struct c2c__ioc x = *ioc;
	x.object = s->id;
	x.from = s->from;
	x.until = s->until;
	return c2c__intel_add(s->f, &x, s->labels);
}

static c2c_err
emit_unsupported(void *ctx, const char *what, const char *reason)
{
	struct sctx *s = ctx;
	return c2c__intel_note(s->f, 0, s->id, what, strlen(what), false, reason);
}

static c2c_err
parse_time(const json_t *o, const char *key, c2c_time *t)
{
	const char *v = jstr(o, key);
	*t = C2C_TIME_NONE;
	if (v == NULL)
		return C2C_OK;
	return c2c_time_parse(t, v, strlen(v));
}

static c2c_err
indicator(struct sctx *s, const json_t *o)
{
	c2c_err err;
	const char *id = jstr(o, "id"), *pattern = jstr(o, "pattern");
	const char *ptype = jstr(o, "pattern_type");
	s->f->info->entries++;
	s->id = id;
	if (pattern == NULL)
		return c2c__intel_note(s->f, 0, id, "", 0, true, "indicator without a pattern");
	if (ptype != NULL && strcmp(ptype, "stix") != 0)
		return c2c__intel_note(s->f, 0, id, pattern, strlen(pattern), false,
		    "pattern_type other than stix");
	if (json_is_true(json_object_get(o, "revoked")))
		return c2c__intel_note(s->f, 0, id, pattern, strlen(pattern), false,
		    "revoked indicator");
	if (parse_time(o, "valid_from", &s->from) != C2C_OK ||
	    parse_time(o, "valid_until", &s->until) != C2C_OK)
		return c2c__intel_note(s->f, 0, id, pattern, strlen(pattern), true,
		    "unreadable valid_from / valid_until");
	/* labels: indicates targets, then what those are attributed to, then own labels */
	struct labs ls;
	const json_t *tg[32], *at[32];
	size_t nt, na;
	ls.n = 0;
	if (id != NULL) {
		related(s, id, "indicates", tg, &nt, 32);
		for (size_t i = 0; i < nt; i++)
			object_labels(&ls, tg[i]);
		for (size_t i = 0; i < nt; i++) {
			const char *tid = jstr(tg[i], "id");
			if (tid == NULL)
				continue;
			related(s, tid, "attributed-to", at, &na, 32);
			for (size_t k = 0; k < na; k++)
				object_labels(&ls, at[k]);
			/* threat-actor <- attributed-to <- intrusion-set (apt1.json's direction) */
			size_t i2;
			json_t *ix;
			json_array_foreach(json_object_get(s->rels, "#attributed-to"), i2, ix) {
				const json_t *r =
				    json_array_get(s->objects, (size_t)json_integer_value(ix));
				const char *t = jstr(r, "target_ref"), *src = jstr(r, "source_ref");
				if (t != NULL && src != NULL && strcmp(t, tid) == 0) {
					const json_t *so = obj(s, src);
					const char *st = so ? jstr(so, "type") : NULL;
					if (st != NULL && strcmp(st, "intrusion-set") == 0)
						object_labels(&ls, so);
				}
			}
		}
	}
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(o, "labels"), i, l) {
		add_lab(&ls, C2C_LABEL_TAG, json_string_value(l));
	}
	json_array_foreach(json_object_get(o, "indicator_types"), i, l) {
		add_lab(&ls, C2C_LABEL_TAG, json_string_value(l));
	}
	if ((err = c2c__intel_labelset(s->f, ls.l, ls.n, &s->labels)) != C2C_OK)
		return err;
	struct c2c__stix_emit emit = { s, emit_ioc, emit_unsupported };
	char msg[160];
	err = c2c__stix_pattern(pattern, strlen(pattern), &emit, msg, sizeof(msg));
	if (err == C2C_EFORMAT)
		return c2c__intel_note(s->f, 0, id, pattern, strlen(pattern), true,
		    "pattern does not parse");
	return err;
}

c2c_err
c2c__load_stix(struct c2c__feed *f, const json_t *root, struct c2c_diag *diag)
{
	struct sctx s;
	c2c_err err = C2C_OK;
	const json_t *objects = json_object_get(root, "objects");
	if (objects == NULL)
		return C2C_OK; /* an empty bundle */
	if (!json_is_array(objects))
		return c2c_diag_line(diag, C2C_EFORMAT, f->src, 1, "bundle \"objects\" is not an array");
	memset(&s, 0, sizeof(s));
	s.f = f;
	s.objects = objects;
	s.byid = json_object();
	s.rels = json_object();
	if (s.byid == NULL || s.rels == NULL) {
		err = C2C_ENOMEM;
		goto out;
	}
	size_t i;
	json_t *o;
	json_array_foreach(objects, i, o) {
		const char *id = jstr(o, "id"), *type = jstr(o, "type");
		if (id == NULL || type == NULL)
			continue;
		if (json_object_set_new(s.byid, id, json_integer((json_int_t)i)) != 0) {
			err = C2C_ENOMEM;
			goto out;
		}
		if (strcmp(type, "relationship") != 0)
			continue;
		const char *src = jstr(o, "source_ref"), *rt = jstr(o, "relationship_type");
		if (src == NULL || rt == NULL)
			continue;
		/* by source, and all attributed-to under one pseudo key for reverse lookups */
		for (int pass = 0; pass < 2; pass++) {
			const char *key = pass == 0 ? src : "#attributed-to";
			if (pass == 1 && strcmp(rt, "attributed-to") != 0)
				break;
			json_t *arr = json_object_get(s.rels, key);
			if (arr == NULL) {
				arr = json_array();
				if (arr == NULL || json_object_set_new(s.rels, key, arr) != 0) {
					err = C2C_ENOMEM;
					goto out;
				}
			}
			if (json_array_append_new(arr, json_integer((json_int_t)i)) != 0) {
				err = C2C_ENOMEM;
				goto out;
			}
		}
	}
	json_array_foreach(objects, i, o) {
		const char *type = jstr(o, "type");
		if (type == NULL || strcmp(type, "indicator") != 0)
			continue;
		if ((err = indicator(&s, o)) != C2C_OK)
			goto out;
	}
out:
	json_decref(s.byid);
	json_decref(s.rels);
	return err;
}

/*
 * JSON feeds other than STIX: MISP events (`{"Event": ...}`, `{"response": [...]}` or an array
 * of events) with attributes ip-src/ip-dst[|port], domain, hostname[|port], domain|ip, url and
 * their tags and galaxies; MISP warninglists (cidr, string, hostname, substring; always
 * allow-lists); ThreatFox JSON (the export keyed by IOC id, and the API's "data" array).
 * JSON carries no line numbers through jansson, so entries are named by object id: the MISP
 * attribute uuid, the ThreatFox IOC id, or "list/<index>" for a warninglist entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel/internal.h"

static const char *
jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

enum c2c_feed_kind
c2c__json_kind(json_t *root)
{
	if (json_is_array(root)) {
		const json_t *first = json_array_get(root, 0);
		if (json_is_object(first) && json_object_get(first, "Event") != NULL)
			return C2C_FEED_MISP_EVENT;
		return C2C_FEED_OTHER;
	}
	if (!json_is_object(root))
		return C2C_FEED_OTHER;
	const char *type = jstr(root, "type");
	if (type != NULL && strcmp(type, "bundle") == 0)
		return C2C_FEED_STIX;
	if (json_is_object(json_object_get(root, "Event")))
		return C2C_FEED_MISP_EVENT;
	const json_t *resp = json_object_get(root, "response");
	if (json_is_array(resp) && json_is_object(json_object_get(json_array_get(resp, 0), "Event")))
		return C2C_FEED_MISP_EVENT;
	if (json_is_array(json_object_get(root, "list")) && type != NULL &&
	    (json_object_get(root, "name") != NULL ||
		json_object_get(root, "matching_attributes") != NULL))
		return C2C_FEED_WARNINGLIST;
	if (json_object_get(root, "query_status") != NULL &&
	    json_is_array(json_object_get(root, "data")))
		return C2C_FEED_THREATFOX_JSON;
	/* keyed objects: ThreatFox export ({"id": [ {ioc_value...} ]}) or a MISP manifest */
	const char *key;
	json_t *val;
	json_object_foreach(root, key, val) {
		(void)key;
		if (json_is_array(val) && json_object_get(json_array_get(val, 0), "ioc_value"))
			return C2C_FEED_THREATFOX_JSON;
		if (json_is_object(val) && json_object_get(val, "info") != NULL &&
		    (json_object_get(val, "Orgc") != NULL || json_object_get(val, "timestamp") != NULL))
			return C2C_FEED_MISP_FEED;
		break;
	}
	return C2C_FEED_OTHER;
}

/* ---- labels from MISP tags and galaxies ------------------------------------------------------- */

#define MAX_LAB 64

struct labs {
	struct c2c_label l[MAX_LAB];
	char buf[MAX_LAB][160];
	size_t n;
};

static void
lab_add(struct labs *ls, enum c2c_label_type t, const char *v, size_t len)
{
	if (ls->n >= MAX_LAB || len == 0)
		return;
	if (len >= sizeof(ls->buf[0]))
		len = sizeof(ls->buf[0]) - 1;
	memcpy(ls->buf[ls->n], v, len);
	ls->buf[ls->n][len] = '\0';
	ls->l[ls->n].type = t;
	ls->l[ls->n].value = ls->buf[ls->n];
	ls->n++;
}

/* Galaxy type -> label type. */
static enum c2c_label_type
galaxy_type(const char *g, size_t len)
{
	static const struct {
		const char *name;
		enum c2c_label_type t;
	} map[] = {
		{ "threat-actor", C2C_LABEL_INTRUSION_SET },
		{ "mitre-intrusion-set", C2C_LABEL_INTRUSION_SET },
		{ "mitre-enterprise-attack-intrusion-set", C2C_LABEL_INTRUSION_SET },
		{ "malpedia", C2C_LABEL_MALWARE },
		{ "mitre-malware", C2C_LABEL_MALWARE },
		{ "mitre-enterprise-attack-malware", C2C_LABEL_MALWARE },
		{ "mitre-tool", C2C_LABEL_MALWARE },
		{ "tool", C2C_LABEL_MALWARE },
		{ "ransomware", C2C_LABEL_MALWARE },
		{ "rat", C2C_LABEL_MALWARE },
		{ "botnet", C2C_LABEL_MALWARE },
		{ "backdoor", C2C_LABEL_MALWARE },
		{ "banker", C2C_LABEL_MALWARE },
		{ "stealer", C2C_LABEL_MALWARE },
	};
	for (size_t i = 0; i < C2C_ARRAY_LEN(map); i++)
		if (strlen(map[i].name) == len && memcmp(map[i].name, g, len) == 0)
			return map[i].t;
	return C2C_LABEL_TAG;
}

/* A tag: `misp-galaxy:<type>="<value>"` names a galaxy cluster; anything else is a tag. */
static void
tag_label(struct labs *ls, const char *name)
{
	const char *pre = "misp-galaxy:";
	size_t pl = strlen(pre);
	if (strncmp(name, pre, pl) == 0) {
		const char *eq = strchr(name + pl, '=');
		if (eq != NULL) {
			enum c2c_label_type t = galaxy_type(name + pl, (size_t)(eq - name - pl));
			if (t != C2C_LABEL_TAG) {
				const char *v = eq + 1;
				size_t vl = strlen(v);
				if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
					v++;
					vl -= 2;
				}
				lab_add(ls, t, v, vl);
				return;
			}
		}
	}
	lab_add(ls, C2C_LABEL_TAG, name, strlen(name));
}

static void
misp_labels(struct labs *ls, const json_t *o)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(o, "Tag"), i, t) {
		const char *name = jstr(t, "name");
		if (name != NULL)
			tag_label(ls, name);
	}
	json_t *g;
	json_array_foreach(json_object_get(o, "Galaxy"), i, g) {
		const char *gt = jstr(g, "type");
		size_t j;
		json_t *c;
		json_array_foreach(json_object_get(g, "GalaxyCluster"), j, c) {
			const char *ct = jstr(c, "type");
			const char *v = jstr(c, "value");
			if (ct == NULL)
				ct = gt;
			if (v != NULL && ct != NULL)
				lab_add(ls, galaxy_type(ct, strlen(ct)), v, strlen(v));
		}
	}
}

/* ---- MISP events --------------------------------------------------------------------------- */

struct jctx {
	struct c2c__feed *f;
	char *scratch;
	size_t scap;
};

static c2c_err
add_json_value(struct jctx *j, const char *v, const char *object, uint32_t labels, int32_t score,
    enum c2c_ioc_type want, c2c_time from, c2c_time until)
{
	struct c2c__ioc ioc;
	const char *reason;
	bool malformed;
	size_t len = strlen(v);
	c2c__ioc_init(&ioc);
	if (len + 16 > j->scap) {
		return c2c__intel_note(j->f, 0, object, v, len, true, "value too long");
	}
	if (!c2c__ioc_parse_value(v, len, &ioc, j->scratch, &reason, &malformed))
		return c2c__intel_note(j->f, 0, object, v, len, malformed, reason);
	if (want == C2C_IOC_DOMAIN_SUFFIX && ioc.type == C2C_IOC_DOMAIN)
		ioc.type = C2C_IOC_DOMAIN_SUFFIX;
	if (want == C2C_IOC_SUBSTRING) {
		ioc.type = C2C_IOC_SUBSTRING;
		ioc.str = v;
		ioc.str_len = len;
		ioc.port = 0;
	}
	ioc.object = object;
	ioc.score = score;
	ioc.from = from;
	ioc.until = until;
	return c2c__intel_add(j->f, &ioc, labels);
}

static c2c_err
misp_attribute(struct jctx *j, const json_t *a, const struct labs *event_labs)
{
	const char *type = jstr(a, "type"), *value = jstr(a, "value"), *uuid = jstr(a, "uuid");
	c2c_err err;
	j->f->info->entries++;
	if (type == NULL || value == NULL)
		return c2c__intel_note(j->f, 0, uuid, value ? value : "", value ? strlen(value) : 0,
		    true, "attribute without type or value");
	struct labs ls = *event_labs;
	for (size_t i = 0; i < ls.n; i++)
		ls.l[i].value = ls.buf[i];
	misp_labels(&ls, a);
	uint32_t lsid;
	if ((err = c2c__intel_labelset(j->f, ls.l, ls.n, &lsid)) != C2C_OK)
		return err;
	char v[2048];
	size_t vl = strlen(value);
	if (vl >= sizeof(v))
		return c2c__intel_note(j->f, 0, uuid, value, vl, true, "value too long");
	memcpy(v, value, vl + 1);
	if (strcmp(type, "ip-src") == 0 || strcmp(type, "ip-dst") == 0 ||
	    strcmp(type, "domain") == 0 || strcmp(type, "hostname") == 0 ||
	    strcmp(type, "url") == 0) {
		/* MISP exports a `domain` as a suffix rule (dotprefix + endswith in its IDS
		 * export); a `hostname` is one exact name. */
		enum c2c_ioc_type want =
		    strcmp(type, "domain") == 0 ? C2C_IOC_DOMAIN_SUFFIX : C2C_IOC_NONE;
		return add_json_value(j, v, uuid, lsid, -1, want, C2C_TIME_NONE, C2C_TIME_NONE);
	}
	if (strcmp(type, "ip-src|port") == 0 || strcmp(type, "ip-dst|port") == 0 ||
	    strcmp(type, "hostname|port") == 0) {
		char *bar = strrchr(v, '|');
		if (bar == NULL)
			return c2c__intel_note(j->f, 0, uuid, value, vl, true, "no '|port' part");
		struct c2c_ip ip;
		if (c2c_ip_parsen(&ip, v, (size_t)(bar - v)) == C2C_OK && ip.family == 6) {
			/* [v6]:port */
			char t[128];
			if (vl + 4 > sizeof(t))
				return c2c__intel_note(j->f, 0, uuid, value, vl, true, "too long");
			(void)snprintf(t, sizeof(t), "[%.*s]:%s", (int)(bar - v), v, bar + 1);
			return add_json_value(j, t, uuid, lsid, -1, C2C_IOC_NONE, C2C_TIME_NONE, C2C_TIME_NONE);
		}
		*bar = ':';
		return add_json_value(j, v, uuid, lsid, -1, C2C_IOC_NONE, C2C_TIME_NONE, C2C_TIME_NONE);
	}
	if (strcmp(type, "domain|ip") == 0) {
		char *bar = strchr(v, '|');
		if (bar == NULL)
			return c2c__intel_note(j->f, 0, uuid, value, vl, true, "no '|ip' part");
		*bar = '\0';
		if ((err = add_json_value(j, v, uuid, lsid, -1, C2C_IOC_DOMAIN_SUFFIX, C2C_TIME_NONE,
			 C2C_TIME_NONE)) != C2C_OK)
			return err;
		return add_json_value(j, bar + 1, uuid, lsid, -1, C2C_IOC_NONE, C2C_TIME_NONE, C2C_TIME_NONE);
	}
	return c2c__intel_note(j->f, 0, uuid, value, vl, false,
	    "attribute type not matched on network data");
}

static c2c_err
misp_event(struct jctx *j, const json_t *ev)
{
	struct labs ls;
	c2c_err err;
	size_t i;
	json_t *a;
	ls.n = 0;
	misp_labels(&ls, ev);
	json_array_foreach(json_object_get(ev, "Attribute"), i, a) {
		if ((err = misp_attribute(j, a, &ls)) != C2C_OK)
			return err;
	}
	json_t *o;
	json_array_foreach(json_object_get(ev, "Object"), i, o) {
		size_t k;
		json_array_foreach(json_object_get(o, "Attribute"), k, a) {
			if ((err = misp_attribute(j, a, &ls)) != C2C_OK)
				return err;
		}
	}
	return C2C_OK;
}

/* ---- warninglists --------------------------------------------------------------------------- */

static c2c_err
warninglist(struct jctx *j, const json_t *root)
{
	const char *type = jstr(root, "type"), *name = jstr(root, "name");
	c2c_err err;
	j->f->allow = true;
	j->f->info->allow = true;
	if (name != NULL && (err = c2c__intel_feed_name(j->f, name)) != C2C_OK)
		return err;
	enum c2c_ioc_type want = C2C_IOC_NONE;
	if (strcmp(type, "hostname") == 0)
		want = C2C_IOC_DOMAIN_SUFFIX;
	else if (strcmp(type, "substring") == 0)
		want = C2C_IOC_SUBSTRING;
	else if (strcmp(type, "cidr") != 0 && strcmp(type, "string") != 0)
		want = C2C_IOC_NONE; /* regex and unknown types are notes below */
	bool usable = strcmp(type, "cidr") == 0 || strcmp(type, "string") == 0 || want != C2C_IOC_NONE;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(root, "list"), i, e) {
		char obj[32];
		(void)snprintf(obj, sizeof(obj), "list/%zu", i);
		j->f->info->entries++;
		const char *v = json_string_value(e);
		if (v == NULL) {
			err = c2c__intel_note(j->f, 0, obj, "", 0, true, "list entry is not a string");
		} else if (!usable) {
			err = c2c__intel_note(j->f, 0, obj, v, strlen(v), false,
			    "warninglist type not supported (regex)");
		} else if (want == C2C_IOC_SUBSTRING) {
			char low[512];
			size_t n = strlen(v);
			if (n == 0 || n >= sizeof(low)) {
				err = c2c__intel_note(j->f, 0, obj, v, n, true, "bad substring");
			} else {
				for (size_t k = 0; k <= n; k++)
					low[k] = (char)(v[k] >= 'A' && v[k] <= 'Z' ? v[k] + 32 : v[k]);
				struct c2c__ioc ioc;
				c2c__ioc_init(&ioc);
				ioc.type = C2C_IOC_SUBSTRING;
				ioc.str = low;
				ioc.str_len = n;
				ioc.object = obj;
				err = c2c__intel_add(j->f, &ioc, 0);
			}
		} else {
			err = add_json_value(j, v, obj, 0, -1, want, C2C_TIME_NONE, C2C_TIME_NONE);
		}
		if (err != C2C_OK)
			return err;
	}
	return C2C_OK;
}

/* ---- ThreatFox JSON ------------------------------------------------------------------------- */

static void
csv_labels(struct labs *ls, enum c2c_label_type t, const char *s)
{
	while (s != NULL && *s != '\0') {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		while (n > 0 && *s == ' ') {
			s++;
			n--;
		}
		while (n > 0 && s[n - 1] == ' ')
			n--;
		if (n > 0 && !(n == 4 && memcmp(s, "None", 4) == 0))
			lab_add(ls, t, s, n);
		s = comma ? comma + 1 : NULL;
	}
}

static c2c_err
threatfox_ioc(struct jctx *j, const json_t *o, const char *id_key)
{
	c2c_err err;
	char idbuf[32];
	const char *value = jstr(o, "ioc_value");
	if (value == NULL)
		value = jstr(o, "ioc");
	const char *type = jstr(o, "ioc_type");
	const json_t *idv = json_object_get(o, "id");
	const char *id = id_key;
	if (json_is_integer(idv)) {
		(void)snprintf(idbuf, sizeof(idbuf), "%lld", (long long)json_integer_value(idv));
		id = idbuf;
	} else if (json_is_string(idv)) {
		id = json_string_value(idv);
	}
	j->f->info->entries++;
	if (value == NULL)
		return c2c__intel_note(j->f, 0, id, "", 0, true, "IOC without ioc_value");
	if (type != NULL && (strstr(type, "hash") != NULL))
		return c2c__intel_note(j->f, 0, id, value, strlen(value), false,
		    "ioc_type not matched on network data");
	struct labs ls;
	ls.n = 0;
	const char *s;
	if ((s = jstr(o, "malware_printable")) != NULL)
		csv_labels(&ls, C2C_LABEL_MALWARE, s);
	if ((s = jstr(o, "malware")) != NULL)
		csv_labels(&ls, C2C_LABEL_MALWARE, s);
	if ((s = jstr(o, "malware_alias")) != NULL)
		csv_labels(&ls, C2C_LABEL_MALWARE, s);
	if ((s = jstr(o, "threat_type")) != NULL)
		csv_labels(&ls, C2C_LABEL_TAG, s);
	const json_t *tags = json_object_get(o, "tags");
	if (json_is_string(tags)) {
		csv_labels(&ls, C2C_LABEL_TAG, json_string_value(tags));
	} else {
		size_t i;
		json_t *t;
		json_array_foreach(tags, i, t) {
			if (json_is_string(t))
				lab_add(&ls, C2C_LABEL_TAG, json_string_value(t),
				    strlen(json_string_value(t)));
		}
	}
	if ((s = jstr(o, "reference")) != NULL && s[0] != '\0' && strcmp(s, "None") != 0)
		lab_add(&ls, C2C_LABEL_REFERENCE, s, strlen(s));
	int32_t score = -1;
	const json_t *c = json_object_get(o, "confidence_level");
	if (json_is_integer(c) && json_integer_value(c) >= 0 && json_integer_value(c) <= 100)
		score = (int32_t)json_integer_value(c);
	else if (json_is_string(c) && strlen(json_string_value(c)) <= 3)
		score = (int32_t)strtol(json_string_value(c), NULL, 10);
	uint32_t lsid;
	if ((err = c2c__intel_labelset(j->f, ls.l, ls.n, &lsid)) != C2C_OK)
		return err;
	return add_json_value(j, value, id, lsid, score, C2C_IOC_NONE, C2C_TIME_NONE, C2C_TIME_NONE);
}

static c2c_err
threatfox(struct jctx *j, json_t *root)
{
	c2c_err err;
	const json_t *data = json_object_get(root, "data");
	size_t i;
	json_t *o;
	if (json_is_array(data)) {
		json_array_foreach(data, i, o) {
			if ((err = threatfox_ioc(j, o, NULL)) != C2C_OK)
				return err;
		}
		return C2C_OK;
	}
	const char *key;
	json_t *arr;
	json_object_foreach(root, key, arr) {
		json_array_foreach(arr, i, o) {
			if ((err = threatfox_ioc(j, o, key)) != C2C_OK)
				return err;
		}
	}
	return C2C_OK;
}

c2c_err
c2c__load_json(struct c2c__feed *f, enum c2c_feed_kind kind, json_t *root,
    struct c2c_diag *diag)
{
	struct jctx j;
	c2c_err err = C2C_OK;
	j.f = f;
	j.scap = 4096;
	j.scratch = c2c_malloc(j.scap);
	if (j.scratch == NULL)
		return C2C_ENOMEM;
	switch (kind) {
	case C2C_FEED_MISP_EVENT:
	case C2C_FEED_MISP_FEED: {
		const json_t *ev = json_object_get(root, "Event");
		if (json_is_object(ev)) {
			err = misp_event(&j, ev);
			break;
		}
		const json_t *list = json_is_array(root) ? root : json_object_get(root, "response");
		size_t i;
		json_t *e;
		if (!json_is_array(list)) {
			err = c2c_diag_line(diag, C2C_EFORMAT, f->src, 1,
			    "a MISP event file holds {\"Event\": {...}}");
			break;
		}
		json_array_foreach(list, i, e) {
			ev = json_object_get(e, "Event");
			if (!json_is_object(ev)) {
				err = c2c__intel_note(f, 0, NULL, "", 0, true,
				    "array element without an Event");
			} else {
				err = misp_event(&j, ev);
			}
			if (err != C2C_OK)
				break;
		}
		break;
	}
	case C2C_FEED_WARNINGLIST:
		if (!json_is_string(json_object_get(root, "type")) ||
		    !json_is_array(json_object_get(root, "list"))) {
			err = c2c_diag_line(diag, C2C_EFORMAT, f->src, 1,
			    "a warninglist has a string \"type\" and an array \"list\"");
			break;
		}
		err = warninglist(&j, root);
		break;
	case C2C_FEED_THREATFOX_JSON:
		if (!json_is_object(root)) {
			err = c2c_diag_line(diag, C2C_EFORMAT, f->src, 1,
			    "ThreatFox JSON is an object");
			break;
		}
		err = threatfox(&j, root);
		break;
	default:
		err = c2c_diag_line(diag, C2C_EFORMAT, f->src, 1, "not a %s document",
		    c2c_feed_kind_name(kind));
		break;
	}
	c2c_free(j.scratch);
	return err;
}

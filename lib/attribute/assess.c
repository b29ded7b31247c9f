/*
 * One attribution assessment per infrastructure cluster (reference/attribution.md §4): builds
 * the model (hypotheses.c), scores it (ach.c), derives the confidence level by the rules of
 * §4.5, applies the claim-ladder ceilings of §4.1, picks the ICD 203 likelihood term from the
 * conservative posterior, and writes the statements that wording.c renders. The output is an
 * "assessment" finding (docs/findings.md) whose every number is an integer.
 */
#include <stdio.h>
#include <string.h>

#include "attribute/assess_int.h"
#include "c2chain/json.h"

enum level { LV_INSUFF = 0, LV_LOW, LV_MOD, LV_HIGH };
static const char *const level_names[] = { "Insufficient", "Low", "Moderate", "High" };
static const char *const level_lower[] = { "insufficient", "low", "moderate", "high" };
static const int stix_conf[] = { -1, 15, 50, 85 };

void
c2c_assess_params_init(struct c2c_assess_params *p)
{
	memset(p, 0, sizeof(*p));
	p->feed_rating = "C3";
	p->catalogue_rating = "C3";
	p->geo_rating = "B2";
}

static int
parse_level_name(const char *s)
{
	for (int i = 0; s != NULL && i < 4; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

struct eval {
	int64_t scores[C2C__MAX_HYP];
	int leaders[C2C__MAX_HYP];
	int n_lead, lead;
	int64_t loo_scores[C2C__MAX_HYP];
	bool *supp, *strong; /* per group */
	int n_supp, n_strong, n_diag;
	bool all_trivial, spoofable_only, stable, rule_a, rule_b, rule_c, rule_e;
	int first_changed;
	bool loo_ok_for_moderate;
	int rule_level, ceiling, final;
	const char *insuff_reason;
	const char *ceiling_reason;
	int keylink; /* supporting key-link item for the leader, or -1 */
	int64_t lr_total[C2C__MAX_HYP];
	int64_t post_least, post_most;
	int64_t pl[C2C__MAX_HYP], pm[C2C__MAX_HYP];
	const char *term;
	int term_lo, term_hi;
	const char *lowered_reason;
};

/* Ceiling of the L4 claim "cluster belongs to candidate x" (§4.1): Moderate from external
 * intelligence unless a key only x is reported to hold links them and the source rates High;
 * never above the cluster's own confidence (chain rule). *keylink gets that item or -1. */
static int
cand_ceiling(const struct c2c__model *m, int x, const char **reason, int *keylink)
{
	int ceil = LV_MOD, k = -1;
	*reason = "ext";
	for (int i = 0; i < m->n_item; i++) {
		const struct c2c__item *it = &m->items[i];
		if (it->kind != C2C__I_KEYLINK || it->cand != x || it->public_key)
			continue;
		if (k < 0 || (it->src_cred_high && !m->items[k].src_cred_high))
			k = i;
	}
	if (k >= 0) {
		if (m->items[k].src_cred_high)
			ceil = LV_HIGH;
		else
			*reason = "rating";
	}
	if (m->l3_level != NULL && parse_level_name(m->l3_level) < ceil) {
		ceil = parse_level_name(m->l3_level);
		*reason = "l3";
	}
	if (ceil == LV_HIGH)
		*reason = NULL;
	if (keylink != NULL)
		*keylink = k;
	return ceil;
}

static bool
strong_item_supports(const struct c2c__model *m, const struct c2c__item *it, int lead)
{
	int cl = it->rating[lead] == C2C__R_II ? -2 : (it->rating[lead] == C2C__R_I ? -1 : 0);
	for (int h = 0; h < m->n_hyp; h++) {
		int ch;
		if (h == lead || m->hyp[h].removed)
			continue;
		ch = it->rating[h] == C2C__R_II ? -2 : (it->rating[h] == C2C__R_I ? -1 : 0);
		if (ch < cl)
			return true;
	}
	return false;
}

static c2c_err
evaluate(struct c2c__model *m, const struct c2c_assess_params *p, struct eval *e,
    json_t *loo_out, struct c2c_diag *diag)
{
	size_t i;
	const json_t *j;
	c2c_err rc;

	c2c__ach_scores(m, -1, e->scores);
	e->n_lead = c2c__ach_leaders(m, e->scores, e->leaders, C2C__MAX_HYP);
	e->lead = e->n_lead == 1 ? e->leaders[0] : -1;
	e->keylink = -1;
	e->first_changed = -1;
	e->all_trivial = true;
	for (int it = 0; it < m->n_item; it++) {
		if (!m->items[it].diagnostic)
			continue;
		e->n_diag++;
		if (m->items[it].spoof != C2C__SP_TRIVIAL)
			e->all_trivial = false;
	}
	e->supp = c2c_calloc((size_t)(m->n_group + 1), sizeof(bool));
	e->strong = c2c_calloc((size_t)(m->n_group + 1), sizeof(bool));
	if (e->supp == NULL || e->strong == NULL)
		return C2C_ENOMEM;
	/* Leave-one-group-out: who leads without each group? */
	e->stable = true;
	e->loo_ok_for_moderate = true;
	for (int g = 0; g < m->n_group; g++) {
		int ld[C2C__MAX_HYP], n;
		json_t *o, *arr;
		bool changed;
		c2c__ach_scores(m, g, e->loo_scores);
		n = c2c__ach_leaders(m, e->loo_scores, ld, C2C__MAX_HYP);
		changed = !(n == 1 && ld[0] == e->lead);
		if (changed) {
			e->stable = false;
			if (e->first_changed < 0)
				e->first_changed = g;
			for (int k = 0; k < n && k < C2C__MAX_HYP; k++) {
				if (ld[k] == e->lead)
					continue;
				if (m->hyp[ld[k]].kind == C2C__H_CAND ||
				    e->scores[ld[k]] <= C2C__REJECT_E3)
					e->loo_ok_for_moderate = false;
			}
		}
		if ((arr = json_array()) == NULL)
			return C2C_ENOMEM;
		for (int k = 0; k < n && k < C2C__MAX_HYP; k++)
			if ((rc = c2c_json_append_new(arr, json_string(m->hyp[ld[k]].id))) != C2C_OK) {
				json_decref(arr);
				return rc;
			}
		{
			char gid[16];
			(void)snprintf(gid, sizeof(gid), "g%d", g + 1);
			o = json_pack("{s:s,s:o,s:b}", "without", gid, "leaders", arr, "changed",
			    changed);
		}
		if ((rc = c2c_json_append_new(loo_out, o)) != C2C_OK)
			return rc;
	}
	if (e->lead >= 0) {
		/* Supporting groups: they make some rival worse than the leader. */
		for (int g = 0; g < m->n_group; g++) {
			int64_t cl = c2c__ach_group_contrib(m, g, e->lead);
			for (int h = 0; h < m->n_hyp; h++)
				if (h != e->lead && !m->hyp[h].removed &&
				    c2c__ach_group_contrib(m, g, h) < cl)
					e->supp[g] = true;
			for (int it = 0; it < m->n_item; it++) {
				const struct c2c__item *x = &m->items[it];
				if (x->group == g && x->spoof >= C2C__SP_MODERATE &&
				    strong_item_supports(m, x, e->lead))
					e->strong[g] = true;
			}
			e->n_supp += e->supp[g];
			e->n_strong += e->strong[g];
		}
		e->spoofable_only = e->n_strong == 0;
		/* (a) two strong groups of different classes */
		for (int g = 0; g < m->n_group && !e->rule_a; g++)
			for (int g2 = g + 1; g2 < m->n_group; g2++)
				if (e->strong[g] && e->strong[g2] &&
				    strcmp(m->groups[g].cls, m->groups[g2].cls) != 0)
					e->rule_a = true;
		/* (b) every alternative rejected */
		e->rule_b = true;
		for (int h = 0; h < m->n_hyp; h++)
			if (h != e->lead && !m->hyp[h].removed && e->scores[h] > C2C__REJECT_E3)
				e->rule_b = false;
		e->rule_c = e->stable;
		/* (e) deception: FF(leader) rejected by an item that is hard to plant */
		e->rule_e = true;
		if (m->hyp[e->lead].kind == C2C__H_CAND) {
			int ff = -1;
			bool by_hard = false;
			for (int h = 0; h < m->n_hyp; h++)
				if (m->hyp[h].kind == C2C__H_FF && m->hyp[h].cand == m->hyp[e->lead].cand)
					ff = h;
			for (int it = 0; ff >= 0 && it < m->n_item; it++) {
				const struct c2c__item *x = &m->items[it];
				if (x->spoof == C2C__SP_HIGH && (x->rating[ff] == C2C__R_I ||
				    x->rating[ff] == C2C__R_II))
					by_hard = true;
			}
			e->rule_e = ff >= 0 && (m->hyp[ff].removed ||
			    (e->scores[ff] <= C2C__REJECT_E3 && by_hard));
			for (int it = 0; it < m->n_item; it++) {
				const struct c2c__item *x = &m->items[it];
				if (x->kind == C2C__I_KEYLINK && x->cand == m->hyp[e->lead].cand &&
				    e->supp[x->group] && !x->public_key && e->keylink < 0)
					e->keylink = it;
			}
		}
	}
	/* §4.5 levels */
	if (e->lead < 0) {
		e->rule_level = LV_INSUFF;
		e->insuff_reason = "tie at the top of the matrix";
	} else if (e->n_diag < 3) {
		e->rule_level = LV_INSUFF;
		e->insuff_reason = "fewer than 3 diagnostic evidence items";
	} else if (e->all_trivial) {
		e->rule_level = LV_INSUFF;
		e->insuff_reason = "no diagnostic evidence beyond trivially spoofable classes";
	} else if (e->rule_a && e->rule_b && e->rule_c && e->rule_e && !e->spoofable_only) {
		e->rule_level = LV_HIGH;
	} else if (e->n_supp >= 2 && !e->spoofable_only && e->loo_ok_for_moderate) {
		e->rule_level = LV_MOD;
	} else {
		e->rule_level = LV_LOW;
	}
	/* Ceilings (§4.1): L4 from external intelligence is at most Moderate unless a key only X
	 * is reported to hold links the cluster to X and the source itself rates High; the chain
	 * rule caps by the cluster's own confidence. */
	e->ceiling = LV_HIGH;
	if (e->lead >= 0 && m->hyp[e->lead].kind == C2C__H_CAND)
		e->ceiling = cand_ceiling(m, m->hyp[e->lead].cand, &e->ceiling_reason, NULL);
	else if (m->l3_level != NULL && parse_level_name(m->l3_level) < e->ceiling) {
		e->ceiling = parse_level_name(m->l3_level);
		e->ceiling_reason = "l3";
	}
	e->final = e->rule_level < e->ceiling ? e->rule_level : e->ceiling;
	json_array_foreach(p->judgements, i, j) {
		const char *k = json_string_value(json_object_get(j, "kind"));
		int to;
		if (k == NULL || strcmp(k, "lower-confidence") != 0)
			continue;
		to = parse_level_name(json_string_value(json_object_get(j, "to")));
		if (to < 0 || json_string_value(json_object_get(j, "reason")) == NULL)
			return c2c_diag_set(diag, C2C_EINVAL, "judgements", i,
			    "lower-confidence needs to (Insufficient|Low|Moderate|High) and reason");
		if (to < e->final && e->final != LV_INSUFF) {
			e->final = to;
			e->lowered_reason = json_string_value(json_object_get(j, "reason"));
		}
	}
	rc = c2c__lr_pass(m, p->priors, e->lr_total, e->pl, e->pm, diag);
	if (rc != C2C_OK)
		return rc;
	e->post_least = e->lead >= 0 ? e->pl[e->lead] : 0;
	e->post_most = e->lead >= 0 ? e->pm[e->lead] : 0;
	if (e->lead >= 0 && e->final != LV_INSUFF)
		c2c_icd203_term(e->post_least, &e->term, &e->term_lo, &e->term_hi);
	return C2C_OK;
}

/* ---- statements ------------------------------------------------------------------------------ */

/* Build {"template": id, "params": {...}} from a jansson pack format for the params. */
static json_t *
st_new(const char *id, json_t *params)
{
	if (params == NULL)
		return NULL;
	return json_pack("{s:s,s:o}", "template", id, "params", params);
}

static c2c_err
push(json_t *arr, json_t *st)
{
	if (st == NULL)
		return C2C_ENOMEM;
	return c2c_json_append_new(arr, st);
}

static const char *
alt_phrase(enum c2c__hkind k)
{
	switch (k) {
	case C2C__H_UNK: return "an unknown actor not tracked in the loaded catalogues";
	case C2C__H_CRIM: return "a financially motivated operator";
	case C2C__H_TOOL: return "users of shared, leaked or commercial tooling";
	case C2C__H_RENT: return "rented or shared hosting used by unrelated tenants";
	case C2C__H_RELAY: return "compromised relays whose operator is not identified";
	case C2C__H_ANON: return "an anonymisation service";
	case C2C__H_SINK:
		return "a sinkhole, a researcher or law-enforcement takeover, or a benign "
		       "misdetection";
	case C2C__H_LOCAL: return "an insider or a local misconfiguration";
	default: return "a false flag";
	}
}

static c2c_err
cluster_statement(const struct c2c__model *m, json_t *out)
{
	size_t n = json_array_size(m->members);
	json_t *kinds;
	size_t i;
	const json_t *e;
	if (n == 1)
		return push(out, st_new("T-CLUSTER-SINGLE", json_pack("{s:s,s:O}", "cluster",
		    m->cluster_id, "member", json_array_get(m->members, 0))));
	kinds = json_array();
	if (kinds == NULL)
		return C2C_ENOMEM;
	json_array_foreach(m->edges, i, e) {
		const char *k = json_string_value(json_object_get(e, "kind"));
		bool seen = false;
		size_t x;
		const json_t *v;
		json_array_foreach(kinds, x, v) {
			seen = seen || strcmp(json_string_value(v), k) == 0;
		}
		if (!seen && c2c_json_append_new(kinds, json_string(k)) != C2C_OK) {
			json_decref(kinds);
			return C2C_ENOMEM;
		}
	}
	if (json_array_size(kinds) == 0) {
		json_decref(kinds);
		return push(out, st_new("T-CLUSTER-NOEDGES", json_pack("{s:s,s:I,s:O}", "cluster",
		    m->cluster_id, "n", (json_int_t)n, "members", m->members)));
	}
	return push(out, st_new("T-CLUSTER-EDGES", json_pack("{s:s,s:I,s:O,s:o,s:s}", "cluster",
	    m->cluster_id, "n", (json_int_t)n, "members", m->members, "kinds", kinds, "level",
	    m->l3_level ? (m->l3_level[0] == 'H' ? "high" : (m->l3_level[0] == 'M' ? "moderate" :
	    "low")) : "high")));
}

static c2c_err
location_statements(const struct c2c__model *m, json_t *out)
{
	size_t i;
	const json_t *r;
	c2c_err rc;
	json_array_foreach(m->roles, i, r) {
		const char *role = json_string_value(json_object_get(r, "role"));
		const char *cc = json_string_value(json_object_get(r, "country"));
		const char *basis = json_string_value(json_object_get(r, "role_basis"));
		json_t *st = NULL;
		if (strcmp(role, "anonymiser") == 0) {
			st = st_new("T-ANONYMISER", json_pack("{s:O,s:s}", "ip",
			    json_object_get(r, "ip"), "basis", basis && *basis ? basis : "role basis "
			    "unrecorded"));
		} else if (cc != NULL) {
			int relay = strcmp(role, "compromised-relay") == 0;
			json_t *pp = json_pack("{s:O,s:s,s:O,s:O,s:O}", "ip", json_object_get(r, "ip"),
			    "country", cc, "db", json_object_get(r, "geo_db"), "build",
			    json_object_get(r, "geo_build"), "digest", json_object_get(r, "geo_sha256"));
			if (pp != NULL && relay && c2c_json_set_str(pp, "basis", basis && *basis ? basis :
			    "role basis unrecorded") != C2C_OK) {
				json_decref(pp);
				pp = NULL;
			}
			st = st_new(relay ? "T-LOCATION-RELAY" : "T-LOCATION", pp);
		} else {
			continue;
		}
		if ((rc = push(out, st)) != C2C_OK)
			return rc;
	}
	return C2C_OK;
}

static c2c_err
role_statements(const struct c2c__model *m, json_t *out)
{
	static const char *const phr[] = { "compromised relays", "rented or shared hosting",
		"anonymisation services", "sinkholes", "servers owned by the operator" };
	const int counts[] = { m->n_relay, m->n_rent, m->n_anon, m->n_sink, m->n_owned };
	c2c_err rc;
	for (int k = 0; k < 5; k++) {
		if (counts[k] == 0)
			continue;
		if ((rc = push(out, st_new("T-ROLE", json_pack("{s:I,s:I,s:s,s:s}", "count",
		    (json_int_t)counts[k], "total", (json_int_t)json_array_size(m->members),
		    "cluster", m->cluster_id, "role", phr[k])))) != C2C_OK)
			return rc;
	}
	return C2C_OK;
}

static c2c_err
alternatives(const struct c2c__model *m, const struct eval *e, json_t **out)
{
	json_t *alts = json_array();
	char buf[200];
	c2c_err rc;
	if (alts == NULL)
		return C2C_ENOMEM;
	for (int h = 0; h < m->n_hyp; h++) {
		if (h == e->lead || m->hyp[h].removed || e->scores[h] <= C2C__REJECT_E3)
			continue;
		if ((rc = push(alts, st_new("A-HYP", json_pack("{s:s}", "hypothesis",
		    c2c__hyp_label(m, h, buf, sizeof(buf)))))) != C2C_OK)
			goto fail;
	}
	if (e->keylink >= 0 && e->rule_level != LV_INSUFF) {
		const char *actor = m->cand[m->items[e->keylink].cand].name;
		if ((rc = push(alts, st_new("A-KEY-LEAK", json_object()))) != C2C_OK ||
		    (rc = push(alts, st_new("A-FF-STOLEN-KEY", json_pack("{s:s}", "actor", actor)))) !=
			C2C_OK)
			goto fail;
	}
	*out = alts;
	return C2C_OK;
fail:
	json_decref(alts);
	return rc;
}

static c2c_err
change_items(const struct c2c__model *m, const struct eval *e, json_t **out)
{
	json_t *w = json_array();
	c2c_err rc;
	bool named = e->lead >= 0 && m->hyp[e->lead].kind == C2C__H_CAND &&
	    e->rule_level != LV_INSUFF;
	if (w == NULL)
		return C2C_ENOMEM;
	if (named) {
		const char *actor = m->cand[m->hyp[e->lead].cand].name;
		int ff = -1;
		if (e->n_strong <= 1 &&
		    (rc = push(w, st_new("W-SECOND-LINK", json_pack("{s:s}", "actor", actor)))) !=
			C2C_OK)
			goto fail;
		if (e->keylink >= 0 && (rc = push(w, st_new("W-KEY-PUBLIC", json_pack("{s:s}", "cert",
		    m->items[e->keylink].cert_name)))) != C2C_OK)
			goto fail;
		for (int h = 0; h < m->n_hyp; h++)
			if (m->hyp[h].kind == C2C__H_FF && m->hyp[h].cand == m->hyp[e->lead].cand)
				ff = h;
		if (ff >= 0 && !m->hyp[ff].removed && e->scores[ff] > C2C__REJECT_E3 &&
		    (rc = push(w, st_new("W-FF", json_pack("{s:s}", "actor", actor)))) != C2C_OK)
			goto fail;
		for (int i = 0; i < m->n_item; i++) {
			const struct c2c__item *it = &m->items[i];
			if (e->keylink < 0 && it->kind == C2C__I_EXT_OVERLAP &&
			    it->cand == m->hyp[e->lead].cand &&
			    (rc = push(w, st_new("W-PRIVATE", json_pack("{s:s}", "source",
			    it->src_name)))) != C2C_OK)
				goto fail;
		}
	} else {
		if ((rc = push(w, st_new("W-HARD-LINK", json_pack("{s:s}", "cluster",
		    m->cluster_id)))) != C2C_OK)
			goto fail;
		if (m->n_relay > 0 && (rc = push(w, st_new("W-UPSTREAM", json_object()))) != C2C_OK)
			goto fail;
		if (json_array_size(m->unresolved) > 0 &&
		    (rc = push(w, st_new("W-UNRESOLVED", json_object()))) != C2C_OK)
			goto fail;
	}
	*out = w;
	return C2C_OK;
fail:
	json_decref(w);
	return rc;
}

static c2c_err
confidence_reasons(const struct c2c__model *m, const struct eval *e, json_t **out)
{
	json_t *r = json_array();
	char gid[16];
	c2c_err rc = C2C_ENOMEM;
	const char *actor = e->lead >= 0 && m->hyp[e->lead].cand >= 0 ?
	    m->cand[m->hyp[e->lead].cand].name : NULL;
	if (r == NULL)
		return C2C_ENOMEM;
	if (e->rule_level == LV_HIGH) {
		if ((rc = push(r, st_new("C-HIGH", json_object()))) != C2C_OK)
			goto fail;
	} else if (e->n_supp <= 1) {
		json_t *items = json_array();
		for (int g = 0; items != NULL && g < m->n_group; g++) {
			if (!e->supp[g])
				continue;
			for (int i = 0; i < m->n_item; i++)
				if (m->items[i].group == g &&
				    c2c_json_append_new(items, json_string(m->items[i].id)) != C2C_OK) {
					json_decref(items);
					goto fail;
				}
		}
		if ((rc = push(r, st_new("C-SINGLE-GROUP", json_pack("{s:o}", "items", items)))) !=
		    C2C_OK)
			goto fail;
	} else {
		json_t *groups = json_array();
		for (int g = 0; groups != NULL && g < m->n_group; g++) {
			if (!e->supp[g])
				continue;
			(void)snprintf(gid, sizeof(gid), "g%d", g + 1);
			if (c2c_json_append_new(groups, json_string(gid)) != C2C_OK) {
				json_decref(groups);
				goto fail;
			}
		}
		if ((rc = push(r, st_new("C-GROUPS", json_pack("{s:I,s:o}", "n",
		    (json_int_t)e->n_supp, "groups", groups)))) != C2C_OK)
			goto fail;
		if (e->spoofable_only && (rc = push(r, st_new("C-SPOOFABLE", json_object()))) != C2C_OK)
			goto fail;
		if (!e->stable) {
			(void)snprintf(gid, sizeof(gid), "g%d", e->first_changed + 1);
			if ((rc = push(r, st_new("C-UNSTABLE", json_pack("{s:s}", "group", gid)))) !=
			    C2C_OK)
				goto fail;
		}
	}
	if (e->n_supp <= 1 && e->spoofable_only && e->rule_level != LV_HIGH &&
	    (rc = push(r, st_new("C-SPOOFABLE", json_object()))) != C2C_OK)
		goto fail;
	if (actor != NULL && m->hyp[e->lead].kind == C2C__H_CAND) {
		for (int h = 0; h < m->n_hyp; h++)
			if (m->hyp[h].kind == C2C__H_FF && m->hyp[h].cand == m->hyp[e->lead].cand &&
			    !m->hyp[h].removed && e->scores[h] > C2C__REJECT_E3 &&
			    (rc = push(r, st_new("C-FF-OPEN", json_pack("{s:s}", "actor", actor)))) !=
				C2C_OK)
				goto fail;
	}
	if (e->rule_level > e->ceiling) {
		const char *lv = level_lower[e->ceiling];
		if (strcmp(e->ceiling_reason, "l3") == 0)
			rc = push(r, st_new("C-CEILING-L3", json_pack("{s:s,s:s}", "l3", lv, "level",
			    lv)));
		else
			rc = push(r, st_new("C-CEILING-EXT", json_pack("{s:s,s:s}", "actor",
			    actor ? actor : m->cluster_id, "level", lv)));
		if (rc != C2C_OK)
			goto fail;
	}
	if (m->n_relay > 0 && (rc = push(r, st_new("C-RELAYS", json_pack("{s:I,s:I,s:s}", "count",
	    (json_int_t)m->n_relay, "total", (json_int_t)json_array_size(m->members), "cluster",
	    m->cluster_id)))) != C2C_OK)
		goto fail;
	if (e->lowered_reason != NULL && (rc = push(r, st_new("C-LOWERED", json_pack("{s:s}",
	    "reason", e->lowered_reason)))) != C2C_OK)
		goto fail;
	*out = r;
	return C2C_OK;
fail:
	json_decref(r);
	return rc == C2C_OK ? C2C_ENOMEM : rc;
}

static c2c_err
coverage_statement(const struct c2c_assess_params *p, json_t *out)
{
	const json_t *c = p->coverage;
	const json_t *pts = json_object_get(c, "points");
	const char *from = json_string_value(json_object_get(c, "from"));
	const char *to = json_string_value(json_object_get(c, "to"));
	if (!json_is_array(pts) || from == NULL || to == NULL)
		return push(out, st_new("T-COVERAGE-UNKNOWN", json_object()));
	return push(out, st_new("T-COVERAGE", json_pack("{s:O,s:s,s:s,s:I,s:I,s:I}", "points", pts,
	    "from", from, "to", to, "loss",
	    (json_int_t)json_integer_value(json_object_get(c, "loss_packets")), "missing",
	    (json_int_t)json_integer_value(json_object_get(c, "ipfix_missing")), "sampling",
	    (json_int_t)(json_integer_value(json_object_get(c, "sampling")) > 0 ?
		json_integer_value(json_object_get(c, "sampling")) : 1))));
}

static c2c_err
statements(const struct c2c__model *m, const struct eval *e, const struct c2c_assess_params *p,
    const char *question, json_t *out)
{
	json_t *alts = NULL, *chg = NULL, *reasons = NULL;
	char buf[200];
	c2c_err rc;
	size_t i;
	const json_t *q;
	bool named = e->lead >= 0 && m->hyp[e->lead].kind == C2C__H_CAND;

	if ((rc = push(out, st_new("T-QUESTION", json_pack("{s:s}", "question", question)))) !=
	    C2C_OK)
		return rc;
	if ((rc = alternatives(m, e, &alts)) != C2C_OK)
		return rc;
	if (e->final == LV_INSUFF) {
		if ((rc = push(out, st_new("T-INSUFFICIENT", json_pack("{s:s}", "cluster",
		    m->cluster_id)))) != C2C_OK || (rc = cluster_statement(m, out)) != C2C_OK)
			goto out;
		if (json_array_size(alts) > 0) {
			rc = push(out, st_new("T-INSUFF-ALTS", json_pack("{s:O}", "alternatives", alts)));
			if (rc != C2C_OK)
				goto out;
		}
	} else {
		json_t *st;
		if (named && e->keylink >= 0) {
			const struct c2c__item *k = &m->items[e->keylink];
			st = st_new("T-LIKELIHOOD-KEY", json_pack("{s:s,s:s,s:s,s:s,s:s}", "cluster",
			    m->cluster_id, "term", e->term, "cert", k->cert_name, "source", k->src_name,
			    "actor", m->cand[k->cand].name));
		} else if (named) {
			st = st_new("T-LIKELIHOOD-ACTOR", json_pack("{s:s,s:s,s:s}", "cluster",
			    m->cluster_id, "term", e->term, "actor",
			    m->cand[m->hyp[e->lead].cand].name));
		} else {
			st = st_new("T-LIKELIHOOD-ALT", json_pack("{s:s,s:s,s:s}", "cluster",
			    m->cluster_id, "term", e->term, "alternative",
			    m->hyp[e->lead].kind == C2C__H_FF ?
				c2c__hyp_label(m, e->lead, buf, sizeof(buf)) :
				alt_phrase(m->hyp[e->lead].kind)));
		}
		if ((rc = push(out, st)) != C2C_OK || (rc = confidence_reasons(m, e, &reasons)) !=
		    C2C_OK)
			goto out;
		if ((rc = push(out, st_new("T-CONFIDENCE", json_pack("{s:s,s:o}", "level",
		    level_lower[e->final], "reasons", reasons)))) != C2C_OK)
			goto out;
		if (json_array_size(alts) > 0 && (rc = push(out, st_new("T-ALTERNATIVES",
		    json_pack("{s:O}", "alternatives", alts)))) != C2C_OK)
			goto out;
	}
	if (e->final != LV_HIGH) {
		if ((rc = change_items(m, e, &chg)) != C2C_OK)
			goto out;
		if (json_array_size(chg) > 0 && (rc = push(out, st_new("T-CHANGE", json_pack("{s:O}",
		    "items", chg)))) != C2C_OK)
			goto out;
	}
	if (e->final != LV_INSUFF && (rc = cluster_statement(m, out)) != C2C_OK)
		goto out;
	if ((rc = role_statements(m, out)) != C2C_OK || (rc = location_statements(m, out)) != C2C_OK)
		goto out;
	for (int h = 0; h < m->n_hyp; h++) {
		if (!m->hyp[h].removed)
			continue;
		if ((rc = push(out, st_new("T-REMOVED", json_pack("{s:s,s:s,s:s}", "hypothesis",
		    c2c__hyp_label(m, h, buf, sizeof(buf)), "by", m->hyp[h].removed_by ?
		    m->hyp[h].removed_by : "the analyst", "reason", m->hyp[h].removed_reason)))) !=
		    C2C_OK)
			goto out;
	}
	for (int x = 0; x < m->n_cand; x++) {
		const char *why_code;
		int kl, ceil = cand_ceiling(m, x, &why_code, &kl);
		json_t *why;
		if (ceil == LV_HIGH)
			continue;
		if ((why = json_array()) == NULL) {
			rc = C2C_ENOMEM;
			goto out;
		}
		if (strcmp(why_code, "l3") == 0)
			rc = push(why, st_new("R-L3", json_pack("{s:s}", "l3", level_lower[ceil])));
		else if (strcmp(why_code, "rating") == 0)
			rc = push(why, st_new("R-EXT-RATED", json_pack("{s:s,s:s}", "actor",
			    m->cand[x].name, "rating", m->items[kl].reliability)));
		else
			rc = push(why, st_new("R-EXT-OVERLAP", json_object()));
		if (rc != C2C_OK) {
			json_decref(why);
			goto out;
		}
		if ((rc = push(out, st_new("T-CEILING", json_pack("{s:s,s:s,s:s,s:s,s:o}", "rung",
		    "L4", "cluster", m->cluster_id, "actor", m->cand[x].name, "level",
		    level_lower[ceil], "reason", why)))) != C2C_OK)
			goto out;
	}
	if (named && (rc = push(out, st_new("T-NO-L5", json_pack("{s:s}", "actor",
	    m->cand[m->hyp[e->lead].cand].name)))) != C2C_OK)
		goto out;
	json_array_foreach(m->l5, i, q) {
		if ((rc = push(out, st_new("T-EXTERNAL", json_pack("{s:O,s:O,s:O,s:O,s:O}", "source",
		    json_object_get(q, "source"), "rating", json_object_get(q, "rating"), "subject",
		    json_object_get(q, "subject"), "relation", json_object_get(q, "relation"),
		    "object", json_object_get(q, "object"))))) != C2C_OK)
			goto out;
	}
	if (json_array_size(m->unresolved) > 0 && (rc = push(out, st_new("T-UNRESOLVED",
	    json_pack("{s:O}", "labels", m->unresolved)))) != C2C_OK)
		goto out;
	rc = coverage_statement(p, out);
out:
	json_decref(alts);
	json_decref(chg);
	return rc;
}

/* ---- JSON output ------------------------------------------------------------------------------ */

static json_t *
hypotheses_json(const struct c2c__model *m)
{
	json_t *a = json_array();
	char buf[200];
	static const char *const kinds[] = { "candidate", "false-flag", "unknown", "criminal",
		"tooling", "rented-hosting", "relay", "anonymiser", "sinkhole", "local" };
	for (int h = 0; a != NULL && h < m->n_hyp; h++) {
		const struct c2c__hyp *y = &m->hyp[h];
		json_t *o = json_pack("{s:s,s:s,s:s}", "id", y->id, "kind", kinds[y->kind], "label",
		    c2c__hyp_label(m, h, buf, sizeof(buf)));
		if (o != NULL && y->cand >= 0) {
			const struct c2c__cand *c = &m->cand[y->cand];
			json_t *ac = json_pack("{s:s,s:s,s:O}", "key", c->key, "name", c->name,
			    "suggested_by", c->via);
			if (ac != NULL && c->actor && c->actor->attack_id &&
			    c2c_json_set_str(ac, "attack_id", c->actor->attack_id) != C2C_OK) {
				json_decref(ac);
				ac = NULL;
			}
			if (ac != NULL && c->actor && c->actor->stix_id &&
			    c2c_json_set_str(ac, "stix_id", c->actor->stix_id) != C2C_OK) {
				json_decref(ac);
				ac = NULL;
			}
			if (ac == NULL || c2c_json_set_new(o, "actor", ac) != C2C_OK) {
				json_decref(o);
				o = NULL;
			}
		}
		if (o != NULL && y->removed) {
			json_t *r = json_pack("{s:s,s:s}", "reason", y->removed_reason, "by",
			    y->removed_by ? y->removed_by : "the analyst");
			if (c2c_json_set_new(o, "removed", r) != C2C_OK) {
				json_decref(o);
				o = NULL;
			}
		}
		if (c2c_json_append_new(a, o) != C2C_OK) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *
items_json(const struct c2c__model *m)
{
	json_t *a = json_array();
	for (int i = 0; a != NULL && i < m->n_item; i++) {
		const struct c2c__item *it = &m->items[i];
		json_t *rt = json_object(), *lr = json_object(), *o;
		char gid[16];
		for (int h = 0; rt != NULL && lr != NULL && h < m->n_hyp; h++) {
			if (c2c_json_set_str(rt, m->hyp[h].id,
			    c2c__rating_name((enum c2c__rating)it->rating[h])) != C2C_OK ||
			    c2c_json_set_int(lr, m->hyp[h].id, it->lr_mb[h]) != C2C_OK) {
				json_decref(rt);
				rt = NULL;
			}
		}
		(void)snprintf(gid, sizeof(gid), "g%d", it->group + 1);
		if (rt == NULL || lr == NULL) {
			json_decref(rt);
			json_decref(lr);
			json_decref(a);
			return NULL;
		}
		o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:b,s:i,s:O,s:o,s:o}",
		    "id", it->id, "class", it->cls, "derivation", it->derivation, "parts", it->parts,
		    "spoofability", c2c__spoof_name(it->spoof), "group", gid, "group_key",
		    it->group_key, "relevance", c2c__level_name(it->rel), "credibility",
		    c2c__level_name(it->cred), "reliability", it->reliability, "weight_e3",
		    it->weight_e3, "diagnostic", it->diagnostic, "lr_cap_mb", it->lr_cap_mb,
		    "sources", it->sources, "ratings", rt, "lr_mb", lr);
		if (o != NULL && c2c_json_set_str(o, "summary", it->summary) != C2C_OK) {
			json_decref(o);
			o = NULL;
		}
		if (c2c_json_append_new(a, o) != C2C_OK) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* One L4 claim per candidate: its own ceiling, confidence and likelihood (for STIX). */
static c2c_err
claims_json(const struct c2c__model *m, const struct eval *e, json_t **out)
{
	json_t *a = json_array();
	if (a == NULL)
		return C2C_ENOMEM;
	for (int h = 0; h < m->n_hyp; h++) {
		const struct c2c__hyp *y = &m->hyp[h];
		const char *why, *term, *conf;
		int kl, lo, hi, ceil, lvl = -1;
		bool top = false;
		json_t *o;
		if (y->kind != C2C__H_CAND)
			continue;
		ceil = cand_ceiling(m, y->cand, &why, &kl);
		for (int k = 0; k < e->n_lead && k < C2C__MAX_HYP; k++)
			top = top || e->leaders[k] == h;
		if (y->removed)
			conf = "None";
		else if (h == e->lead)
			conf = level_names[lvl = e->final];
		else if (top)
			conf = "Insufficient";
		else
			conf = "None";
		c2c_icd203_term(e->pl[h], &term, &lo, &hi);
		o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:{s:s,s:[i,i]}}", "hypothesis",
		    y->id, "actor", m->cand[y->cand].key, "name", m->cand[y->cand].name, "rung", "L4",
		    "verdict_class", "V-EXT", "ceiling", level_names[ceil], "confidence", conf,
		    "posterior_least_e6", (json_int_t)e->pl[h], "likelihood", "term", term, "range",
		    lo, hi);
		if (o != NULL && why != NULL && c2c_json_set_str(o, "ceiling_reason",
		    strcmp(why, "l3") == 0 ? "cluster (L3) confidence" : (strcmp(why, "rating") == 0 ?
		    "external source not rated High" : "L4 from overlap with external intelligence"))) {
			json_decref(o);
			o = NULL;
		}
		if (o != NULL && strcmp(conf, "Insufficient") != 0 &&
		    c2c_json_set_int(o, "stix_confidence", lvl >= 0 ? stix_conf[lvl] : 0)) {
			json_decref(o);
			o = NULL;
		}
		if (c2c_json_append_new(a, o) != C2C_OK) {
			json_decref(a);
			return C2C_ENOMEM;
		}
	}
	*out = a;
	return C2C_OK;
}

static c2c_err
result_json(const struct c2c__model *m, const struct eval *e, const struct c2c_assess_params *p,
    const char *question, json_t *loo, json_t *sts, json_t **out)
{
	json_t *r = json_object(), *scores = json_array(), *nd = json_array(), *groups = json_array();
	json_t *lr = json_object(), *rules = json_object(), *claim = json_object(), *cl = NULL;
	c2c_err rc = C2C_ENOMEM;
	if (!r || !scores || !nd || !groups || !lr || !rules || !claim)
		goto fail;
	for (int h = 0; h < m->n_hyp; h++) {
		int rank = 1;
		json_t *o;
		if (m->hyp[h].removed)
			continue;
		for (int k = 0; k < m->n_hyp; k++)
			if (!m->hyp[k].removed && e->scores[k] > e->scores[h])
				rank++;
		o = json_pack("{s:s,s:I,s:i,s:b,s:I}", "hypothesis", m->hyp[h].id, "score_e3",
		    (json_int_t)e->scores[h], "rank", rank, "rejected",
		    e->scores[h] <= C2C__REJECT_E3, "lr_total_mb", (json_int_t)e->lr_total[h]);
		if (c2c_json_append_new(scores, o) != C2C_OK)
			goto fail;
	}
	for (int i = 0; i < m->n_item; i++)
		if (!m->items[i].diagnostic &&
		    c2c_json_append_new(nd, json_string(m->items[i].id)) != C2C_OK)
			goto fail;
	for (int g = 0; g < m->n_group; g++) {
		char gid[16];
		json_t *its = json_array(), *o;
		for (int i = 0; its != NULL && i < m->n_item; i++)
			if (m->items[i].group == g &&
			    c2c_json_append_new(its, json_string(m->items[i].id)) != C2C_OK) {
				json_decref(its);
				its = NULL;
			}
		(void)snprintf(gid, sizeof(gid), "g%d", g + 1);
		o = its ? json_pack("{s:s,s:s,s:s,s:o,s:b,s:b}", "id", gid, "key", m->groups[g].key,
		    "class", m->groups[g].cls, "items", its, "supports_leader", e->supp[g],
		    "hard_to_spoof_support", e->strong[g]) : NULL;
		if (c2c_json_append_new(groups, o) != C2C_OK)
			goto fail;
	}
	if (c2c_json_set_new(lr, "priors", p->priors ? json_deep_copy(p->priors) :
	    json_string("uniform")) != C2C_OK ||
	    c2c_json_set_int(lr, "posterior_least_e6", e->post_least) != C2C_OK ||
	    c2c_json_set_int(lr, "posterior_most_e6", e->post_most) != C2C_OK ||
	    c2c_json_set_str(lr, "categories", "CC 0, C -300, N -300, I -1000, II -2000 mB") !=
		C2C_OK)
		goto fail;
	if (c2c_json_set_bool(rules, "a_two_hard_groups_of_different_classes", e->rule_a) ||
	    c2c_json_set_bool(rules, "b_alternatives_rejected", e->rule_b) ||
	    c2c_json_set_bool(rules, "c_stable_under_leave_one_out", e->rule_c) ||
	    c2c_json_set_bool(rules, "d_no_capped_rung", e->ceiling == LV_HIGH) ||
	    c2c_json_set_bool(rules, "e_false_flag_rejected_by_hard_evidence", e->rule_e) ||
	    c2c_json_set_int(rules, "supporting_groups", e->n_supp) ||
	    c2c_json_set_int(rules, "hard_to_spoof_groups", e->n_strong) ||
	    c2c_json_set_int(rules, "diagnostic_items", e->n_diag) ||
	    c2c_json_set_bool(rules, "spoofable_only", e->lead >= 0 && e->spoofable_only) ||
	    c2c_json_set_str(rules, "level", level_names[e->rule_level]))
		goto fail;
	if (e->insuff_reason && c2c_json_set_str(rules, "insufficient_because", e->insuff_reason))
		goto fail;
	{
		bool named = e->lead >= 0 && m->hyp[e->lead].kind == C2C__H_CAND;
		if (c2c_json_set_str(claim, "rung", named ? "L4" : "L3") ||
		    c2c_json_set_str(claim, "verdict_class", named ? "V-EXT" : "V-REF") ||
		    c2c_json_set_str(claim, "ceiling", level_names[e->ceiling]) ||
		    c2c_json_set_str(claim, "l5", "not computed; quoted only"))
			goto fail;
		if (e->ceiling_reason && c2c_json_set_str(claim, "ceiling_reason",
		    strcmp(e->ceiling_reason, "l3") == 0 ? "cluster (L3) confidence" :
		    (strcmp(e->ceiling_reason, "rating") == 0 ? "external source not rated High" :
		    "L4 from overlap with external intelligence")))
			goto fail;
		if (named && c2c_json_set_str(claim, "actor", m->cand[m->hyp[e->lead].cand].key))
			goto fail;
	}
	if ((rc = claims_json(m, e, &cl)) != C2C_OK || c2c_json_set_new(r, "claims", cl)) {
		rc = rc != C2C_OK ? rc : C2C_ENOMEM;
		goto fail;
	}
	rc = C2C_ENOMEM;
	if (c2c_json_set_str(r, "question", question) ||
	    c2c_json_set_str(r, "cluster", m->cluster_id) ||
	    c2c_json_set_new(r, "members", json_incref(m->members)) ||
	    c2c_json_set_new(r, "edges", json_incref(m->edges)) ||
	    c2c_json_set_new(r, "roles", json_incref(m->roles)) ||
	    c2c_json_set_new(r, "hypotheses", hypotheses_json(m)) ||
	    c2c_json_set_new(r, "evidence", items_json(m)) ||
	    c2c_json_set_new(r, "excluded_evidence", json_incref(m->excluded)) ||
	    c2c_json_set_new(r, "groups", groups) ||
	    c2c_json_set_new(r, "scores", scores) ||
	    c2c_json_set_new(r, "non_diagnostic", nd) ||
	    c2c_json_set_new(r, "sensitivity", json_incref(loo)) ||
	    c2c_json_set_new(r, "leader", e->lead >= 0 ? json_string(m->hyp[e->lead].id) :
		json_null()) ||
	    c2c_json_set_new(r, "lr", lr) ||
	    c2c_json_set_new(r, "confidence_rules", rules) ||
	    c2c_json_set_str(r, "confidence", level_names[e->final]) ||
	    c2c_json_set_new(r, "claim", claim) ||
	    c2c_json_set_new(r, "external", json_incref(m->external_used)) ||
	    c2c_json_set_new(r, "l5", json_incref(m->l5)) ||
	    c2c_json_set_new(r, "unresolved_labels", json_incref(m->unresolved)) ||
	    c2c_json_set_new(r, "statements", json_incref(sts)))
		goto done_fail;
	if (m->l3_level && c2c_json_set_str(r, "cluster_confidence", m->l3_level))
		goto done_fail;
	if (e->final != LV_INSUFF) {
		if (c2c_json_set_int(r, "stix_confidence", stix_conf[e->final]) ||
		    c2c_json_set_new(r, "likelihood", json_pack("{s:s,s:[i,i]}", "term", e->term,
			"range", e->term_lo, e->term_hi)))
			goto done_fail;
	} else if (c2c_json_set_new(r, "likelihood", json_null())) {
		goto done_fail;
	}
	*out = r;
	return C2C_OK;
fail:
	json_decref(scores);
	json_decref(nd);
	json_decref(groups);
	json_decref(lr);
	json_decref(rules);
	json_decref(claim);
done_fail:
	json_decref(r);
	return rc;
}

c2c_err
c2c_assess_cluster(const struct c2c_catalogue *cat, const json_t *cluster, const json_t *findings,
    const json_t *external, const struct c2c_assess_params *p, json_t **assessment_out,
    struct c2c_diag *diag)
{
	struct c2c__model m;
	struct eval e;
	struct c2c_assess_params defaults;
	json_t *loo = NULL, *sts = NULL, *res = NULL, *f = NULL, *method = NULL, *ev = NULL;
	char question[512];
	uint8_t dg[32];
	char hex[65], id[64];
	c2c_err rc;

	if (assessment_out == NULL)
		return C2C_EINVAL;
	if (p == NULL) {
		c2c_assess_params_init(&defaults);
		p = &defaults;
	}
	memset(&e, 0, sizeof(e));
	rc = c2c__model_build(&m, cat, cluster, findings, external, p, diag);
	if (rc != C2C_OK) {
		c2c__model_fini(&m);
		return rc;
	}
	rc = C2C_ENOMEM;
	if ((loo = json_array()) == NULL || (sts = json_array()) == NULL)
		goto out;
	if ((rc = evaluate(&m, p, &e, loo, diag)) != C2C_OK)
		goto out;
	if (p->question != NULL)
		(void)snprintf(question, sizeof(question), "%s", p->question);
	else if (m.first_seen[0] && m.last_seen[0])
		(void)snprintf(question, sizeof(question),
		    "Who operates the C2 infrastructure cluster %s that controlled %lld hosts "
		    "between %s and %s?", m.cluster_id, (long long)m.n_hosts, m.first_seen,
		    m.last_seen);
	else
		(void)snprintf(question, sizeof(question),
		    "Who operates the C2 infrastructure cluster %s?", m.cluster_id);
	if ((rc = statements(&m, &e, p, question, sts)) != C2C_OK)
		goto out;
	if ((rc = result_json(&m, &e, p, question, loo, sts, &res)) != C2C_OK)
		goto out;
	rc = C2C_ENOMEM;
	method = json_pack("{s:s,s:i,s:{s:s,s:i,s:s,s:s,s:s}}", "id", "c2chain.ach", "version", 1,
	    "params", "policy", C2C__POLICY, "reject_at_e3", C2C__REJECT_E3, "feed_rating",
	    p->feed_rating, "catalogue_rating", p->catalogue_rating, "geo_rating", p->geo_rating);
	/* The assessment rests on claims (finding ids), not on records: docs/findings.md. */
	ev = json_pack("{s:O,s:O}", "findings", m.refs, "refdata", m.refdata);
	f = json_object();
	if (method == NULL || ev == NULL || f == NULL)
		goto out;
	if (p->judgements && c2c_json_set_new(json_object_get(method, "params"), "judgements",
	    json_deep_copy(p->judgements)))
		goto out;
	if (c2c_json_set_str(f, "type", "assessment") || c2c_json_set_str(f, "rung", "L4") ||
	    c2c_json_set_new(f, "method", method) ||
	    c2c_json_set_new(f, "subject", json_pack("{s:s}", "cluster", m.cluster_id)) ||
	    c2c_json_set_new(f, "result", res) || c2c_json_set_new(f, "evidence", ev) ||
	    c2c_json_set_str(f, "recheck", json_array_size(m.external_used) ? "external" :
		"refdata")) {
		method = res = ev = NULL;
		goto out;
	}
	method = res = ev = NULL;
	if (m.first_seen[0] && c2c_json_set_str(f, "first_seen", m.first_seen))
		goto out;
	if (m.last_seen[0] && c2c_json_set_str(f, "last_seen", m.last_seen))
		goto out;
	if ((rc = c2c_json_digest(f, dg)) != C2C_OK)
		goto out;
	c2c_hex(dg, 32, hex);
	(void)snprintf(id, sizeof(id), "assessment:%.16s", hex);
	if ((rc = c2c_json_set_str(f, "id", id)) != C2C_OK)
		goto out;
	*assessment_out = f;
	f = NULL;
	rc = C2C_OK;
out:
	json_decref(f);
	json_decref(method);
	json_decref(res);
	json_decref(ev);
	json_decref(loo);
	json_decref(sts);
	c2c_free(e.supp);
	c2c_free(e.strong);
	c2c__model_fini(&m);
	return rc;
}

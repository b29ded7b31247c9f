/*
 * Internal model of one assessment, shared by hypotheses.c (hypothesis set and evidence items),
 * ach.c (scoring, sensitivity, likelihood-ratio pass) and assess.c (confidence rules, claim
 * ceilings, statements and the JSON finding). Not installed.
 */
#ifndef C2C_ATTRIBUTE_ASSESS_INT_H
#define C2C_ATTRIBUTE_ASSESS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "c2chain/attribute.h"

#define C2C__MAX_CAND 24 /* candidate intrusion sets per assessment */
#define C2C__MAX_HYP (2 * C2C__MAX_CAND + 8)
#define C2C__REJECT_E3 (-2000) /* weighted inconsistency at or below which a hypothesis is
				  rejected (§4.5 (b)) */
#define C2C__POLICY "c2chain.ach-policy/1"

/* ACH ratings (§2.4); the order is from most inconsistent to most consistent. */
enum c2c__rating { C2C__R_NA = 0, C2C__R_II, C2C__R_I, C2C__R_N, C2C__R_C, C2C__R_CC };
enum c2c__spoof { C2C__SP_TRIVIAL = 0, C2C__SP_LOW, C2C__SP_MODERATE, C2C__SP_HIGH };
/* Relevance / credibility as exponents of sqrt(2): L = -1, M = 0, H = +1. */
enum { C2C__LV_L = -1, C2C__LV_M = 0, C2C__LV_H = 1 };

enum c2c__hkind {
	C2C__H_CAND = 0, /* named intrusion set X */
	C2C__H_FF,       /* false flag imitating X */
	C2C__H_UNK,
	C2C__H_CRIM,
	C2C__H_TOOL,
	C2C__H_RENT,
	C2C__H_RELAY,
	C2C__H_ANON,
	C2C__H_SINK,
	C2C__H_LOCAL
};

/* Evidence item kinds, in matrix order (E1, E2, ... follow this order). */
enum c2c__ikind {
	C2C__I_BEHAVIOUR = 0, /* L1 C2 behaviour: beacon, long connection, DNS tunnel */
	C2C__I_ROLE,          /* infrastructure role of members (relay, rented, ...) */
	C2C__I_KEYLINK,       /* TLS key possession of a certificate an external source ties to X */
	C2C__I_TIMING,        /* interactive operator hours */
	C2C__I_EXT_OVERLAP,   /* overlap with indicators of an external document about X */
	C2C__I_FEED_OVERLAP,  /* intel-hit labels from a feed resolving to X */
	C2C__I_ARTEFACT,      /* language or capability artefact pointing at X */
	C2C__I_GEO,           /* geolocation of non-relay members */
	C2C__I_JUDGEMENT      /* an analyst's recorded evidence item */
};

struct c2c__cand {
	char key[96];   /* catalogue key, or "label:<label>" when not in the catalogue */
	char name[128]; /* display name */
	const struct c2c_actor *actor; /* NULL when not in the catalogue */
	json_t *via; /* array of how it was suggested: labels, documents */
};

struct c2c__hyp {
	enum c2c__hkind kind;
	int cand; /* for CAND / FF, else -1 */
	char id[112];
	bool removed;
	const char *removed_reason; /* borrowed from the judgement */
	const char *removed_by;
};

struct c2c__item {
	enum c2c__ikind kind;
	char id[16]; /* "E1" */
	const char *cls;        /* infrastructure | capability | behaviour | timing | language |
				   victimology | external | absence (static strings) */
	const char *derivation; /* raw | refdata | external | judgement */
	const char *parts;      /* e.g. "raw+external" (static) */
	enum c2c__spoof spoof;
	int rel, cred;          /* C2C__LV_* */
	char reliability[3];    /* Admiralty, e.g. "A1", "B2" */
	char group_key[200];
	int group;              /* index into groups */
	int lr_cap_mb;          /* spoofability cap on |LR| in milli-bans */
	int cand;               /* candidate the item is about, or -1 */
	char summary[400];
	json_t *sources;        /* sorted array of finding ids / document ids */
	uint8_t rating[C2C__MAX_HYP];
	/* key-link specifics */
	char cert_name[96];
	char src_name[128];
	bool src_cred_high;
	bool public_key;
	int weight_e3;
	bool diagnostic;
	int lr_mb[C2C__MAX_HYP]; /* after caps and neutrality */
};

struct c2c__group {
	char key[200];
	const char *cls;
};

struct c2c__model {
	struct c2c__cand cand[C2C__MAX_CAND];
	int n_cand;
	struct c2c__hyp hyp[C2C__MAX_HYP];
	int n_hyp;
	struct c2c__item *items;
	int n_item, cap_item;
	struct c2c__group *groups;
	int n_group;
	json_t *excluded; /* evidence considered and not used, with the reason */
	json_t *unresolved; /* labels that named no catalogue entry */
	json_t *l5;         /* quoted external assertions: [{source, rating, subject, relation,
			       object}] */
	json_t *refs;       /* evidence refs gathered from the findings used */
	json_t *refdata;    /* refdata digests gathered from the findings used */
	json_t *external_used; /* documents used */
	/* cluster facts */
	const char *cluster_id;
	json_t *members;     /* array of ip strings, sorted */
	int n_relay, n_rent, n_anon, n_sink, n_owned, n_unknown_role;
	json_t *roles;       /* per member: {ip, role, role_basis, location_used} */
	json_t *locations;   /* statements for locations (template + params) */
	int64_t n_hosts;
	char first_seen[40], last_seen[40];
	json_t *edges;       /* [{id, kind, spoofability}] */
	const char *l3_level; /* "High" | "Moderate" | "Low" | NULL (single member) */
};

/* hypotheses.c */
void c2c__model_fini(struct c2c__model *m);
c2c_err c2c__model_build(struct c2c__model *m, const struct c2c_catalogue *cat,
    const json_t *cluster, const json_t *findings, const json_t *external,
    const struct c2c_assess_params *p, struct c2c_diag *diag);
const char *c2c__rating_name(enum c2c__rating r);
const char *c2c__spoof_name(enum c2c__spoof s);
const char *c2c__level_name(int lv); /* "L" "M" "H" */
const char *c2c__hyp_label(const struct c2c__model *m, int h, char *buf, size_t len);
/* Credibility exponent from an Admiralty rating ("B2"): the lower of its two parts. C2C_EINVAL
 * for a malformed rating. */
c2c_err c2c__admiralty_cred(const char *rating, int *cred);

/* ach.c */
/* Weighted inconsistency (x1000) per hypothesis, leaving out group `skip_group` (-1: none). */
void c2c__ach_scores(const struct c2c__model *m, int skip_group, int64_t *scores);
/* Leaders (max score among active hypotheses): returns how many tie at the top and writes up to
 * `cap` of them. */
int c2c__ach_leaders(const struct c2c__model *m, const int64_t *scores, int *out, int cap);
/* Group contribution of group g to hypothesis h (the strongest rating in the group). */
int64_t c2c__ach_group_contrib(const struct c2c__model *m, int g, int h);
void c2c__ach_weights(struct c2c__model *m);
/* Bounded likelihood-ratio pass: fills item lr_mb and the per-hypothesis total (milli-bans),
 * and for every active hypothesis its least and most favourable posterior in millionths. */
c2c_err c2c__lr_pass(struct c2c__model *m, const json_t *priors, int64_t *total_mb,
    int64_t *post_least_e6, int64_t *post_most_e6, struct c2c_diag *diag);
/* 10^(-d/1024) in Q30 for d >= 0 (integer-only, identical on every machine). */
uint64_t c2c__pow10_neg_q30(int64_t d);

#endif

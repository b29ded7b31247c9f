/*
 * Attribution assessment (reference/attribution.md §4, docs/attribution.md).
 *
 *  1. An actor catalogue built from MITRE ATT&CK STIX 2.0/2.1 bundles and MISP galaxy clusters,
 *     each file pinned by SHA-256, resolving feed labels ("apt-31", "ZIRCONIUM",
 *     misp-galaxy:threat-actor="APT31", "Violet Typhoon") to one intrusion set.
 *  2. c2c_assess_cluster(): per infrastructure cluster, an explicit question, the hypothesis set
 *     (candidate intrusion sets + standing alternatives), evidence items, the ACH matrix with
 *     PARC weights in integer arithmetic, leave-one-group-out sensitivity, a bounded
 *     likelihood-ratio pass for the ICD 203 likelihood term, the confidence level by the rules of
 *     §4.5, claim ceilings, and the statements (template id + parameters) that the report renders.
 *  3. c2c_wording_render(): renders those statements through the closed template set.
 *
 * Call order: c2c_catalogue_load() once per run; c2c_assess_params_init(); c2c_assess_cluster()
 * once per cluster; c2c_wording_render() by the report stage and again by `verify`.
 * Nothing here reads the clock, the environment or a hash table order: same inputs, same bytes.
 */
#ifndef C2C_ATTRIBUTE_H
#define C2C_ATTRIBUTE_H

#include <stddef.h>

#include <jansson.h>

#include "c2chain/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- actor catalogue ------------------------------------------------------------------------ */

struct c2c_catalogue;

/* One catalogue file. `sha256` is the pinned digest (64 lowercase or uppercase hex) or NULL, in
 * which case the digest is computed and recorded but not checked. */
struct c2c_catalogue_src {
	const char *path;
	const char *sha256;
};

/* One intrusion set after merging all sources. Every pointer is borrowed from the catalogue and
 * valid until c2c_catalogue_free(). */
struct c2c_actor {
	const char *key;       /* "G0128" (ATT&CK id), else "stix:<id>" or "misp:<uuid>" */
	const char *name;      /* ATT&CK name when known ("ZIRCONIUM"), else the MISP value */
	const char *attack_id; /* "G0128" or NULL */
	const char *stix_id;   /* "intrusion-set--4283ae19-..." or NULL */
	const char *misp_uuid; /* MISP threat-actor cluster uuid or NULL */
	const char *misp_value; /* MISP threat-actor value ("APT31") or NULL */
	const char *country;   /* MISP meta.country ("CN") or NULL: an external assertion */
	const char *sponsor;   /* MISP meta.cfr-suspected-state-sponsor or NULL: ditto */
	const char *const *aliases; /* every name the sources give, sorted, unique */
	size_t n_aliases;
	unsigned sources; /* C2C_CAT_* bits */
};
enum { C2C_CAT_STIX = 1u, C2C_CAT_MISP_MITRE = 2u, C2C_CAT_MISP_ACTOR = 4u };

/* Load and merge catalogue files. Formats are detected from content: a STIX bundle (2.0 as in
 * mitre/cti, or 2.1) contributes its non-revoked, non-deprecated intrusion-set objects; a MISP
 * galaxy cluster file of type "mitre-intrusion-set" or "threat-actor" contributes its values.
 * ATT&CK objects are merged by ATT&CK id; a MISP threat-actor joins an ATT&CK group through a
 * G-id among its synonyms, else through its value, else through its synonyms, and only when that
 * tier names exactly one group. The result does not depend on the order of `src`.
 * Returns C2C_OK and *out (free with c2c_catalogue_free); C2C_EVERIFY when a pinned digest does
 * not match; C2C_EFORMAT for an unreadable or unrecognised file; C2C_EIO; C2C_ENOMEM;
 * C2C_EINVAL for n == 0. `diag` names the file (and line for JSON errors). */
c2c_err c2c_catalogue_load(const struct c2c_catalogue_src *src, size_t n,
    struct c2c_catalogue **out, struct c2c_diag *diag);
void c2c_catalogue_free(struct c2c_catalogue *cat);

size_t c2c_catalogue_count(const struct c2c_catalogue *cat);
/* Actor i (0 <= i < count, sorted by key); NULL when out of range. */
const struct c2c_actor *c2c_catalogue_actor(const struct c2c_catalogue *cat, size_t i);
/* Index of the actor with this key: C2C_OK or C2C_ENOTFOUND. */
c2c_err c2c_catalogue_find(const struct c2c_catalogue *cat, const char *key, size_t *idx);

/* Resolve a label from a feed to intrusion sets. Accepted forms: a name or alias in any case and
 * punctuation ("apt-31", "Apt 31"), an ATT&CK id ("G0128"), a MISP galaxy tag
 * (misp-galaxy:threat-actor="APT31", misp-galaxy:mitre-intrusion-set="ZIRCONIUM - G0128"), and a
 * maltrail trail name ("apt_judgmentpanda"). Writes up to `cap` actor indices (sorted) to `idx`
 * and their number to *n (which may exceed `cap`): 1 = resolved, >1 = the label is ambiguous
 * between several sets. Returns C2C_OK, or C2C_ENOTFOUND when nothing matches. */
c2c_err c2c_catalogue_resolve(const struct c2c_catalogue *cat, const char *label, size_t *idx,
    size_t cap, size_t *n);

/* The pinned reference data of the catalogue: an array, in the order loaded, of
 * {"path","sha256","format","objects","actors","skipped"} for report.json "refdata". Owned by the
 * caller. C2C_ENOMEM. */
c2c_err c2c_catalogue_refdata(const struct c2c_catalogue *cat, json_t **out);

/* ---- assessment ----------------------------------------------------------------------------- */

/* Parameters of one assessment. All JSON is borrowed. */
struct c2c_assess_params {
	/* The question; NULL generates "Who operates the C2 infrastructure cluster <id> that
	 * controlled <n> hosts between <t1> and <t2>?" */
	const char *question;
	/* Array of recorded judgements, or NULL. Each is an object with "kind":
	 *   "remove-hypothesis": {"hypothesis":"H-CRIM","reason":"...","by":"..."}
	 *   "lower-confidence":  {"to":"Low","reason":"...","by":"..."}
	 *   "evidence": {"id":"...","class":"language","spoofability":"trivial","relevance":"M",
	 *               "reliability":"C3","statement":"...","candidate":"<label>",
	 *               "ratings":{"candidate":"CC","H-UNK":"I",...},"by":"..."}
	 *   "candidate": {"label":"APT31","reason":"..."}  (add a candidate intrusion set) */
	const json_t *judgements;
	/* Array of {"hypothesis":"H-UNK","min_e6":..,"max_e6":..} priors, or NULL: uniform. */
	const json_t *priors;
	/* Coverage for the coverage statement: {"points":["P1"],"from":"..Z","to":"..Z",
	 * "loss_packets":0,"ipfix_missing":0,"sampling":1}, or NULL (statement says unrecorded). */
	const json_t *coverage;
	/* Admiralty rating of feeds whose labels are used (default "C3"). */
	const char *feed_rating;
	/* Admiralty rating of the catalogue when it is quoted for L5 statements (default "C3"). */
	const char *catalogue_rating;
	/* Rating of the geolocation database for location evidence (default "B2"). */
	const char *geo_rating;
};
void c2c_assess_params_init(struct c2c_assess_params *p);

/* Assess who operates one infrastructure cluster.
 *   cat       catalogue for label resolution (may be NULL: labels stay unresolved);
 *   cluster   the cluster object of the enrich stage ({"id","members":[ip...],"edges":[id...]},
 *             or a cluster finding whose "result" holds those keys);
 *   findings  array of every finding of the case (infrastructure, cluster-edge, intel-hit,
 *             beacon, long-connection, dns-tunnel, tls-key-possession, operator-hours, ...);
 *             only those about the cluster's members are used;
 *   external  array of external intelligence documents or NULL: each
 *             {"id","source","title","sha256","rating":"B2", and "bundle": <STIX 2.1 bundle>
 *             and/or "assertions":[...]} (docs/attribution.md lists the assertion kinds).
 * On success *assessment_out is a finding of type "assessment" (rung L4) owned by the caller.
 * Returns C2C_OK; C2C_EINVAL for a missing cluster id or a bad judgement/prior (diag says
 * which); C2C_EFORMAT for a malformed finding or external document that is needed; C2C_ENOMEM.
 * Reentrant: no global state. */
c2c_err c2c_assess_cluster(const struct c2c_catalogue *cat, const json_t *cluster,
    const json_t *findings, const json_t *external, const struct c2c_assess_params *p,
    json_t **assessment_out, struct c2c_diag *diag);

/* ---- wording -------------------------------------------------------------------------------- */

/* Render the statements of an assessment (result.statements: [{"template","params"}]) as
 * Markdown, appending to `out`. Only the closed template set of wording.c is used; an unknown
 * template, a missing or surplus parameter gives C2C_EFORMAT, so `verify` can re-render and
 * compare. C2C_ENOMEM / C2C_ELIMIT from the buffer. */
c2c_err c2c_wording_render(const json_t *assessment, struct c2c_buf *markdown_out);

/* The ACH matrix (hypotheses x evidence, scores, non-diagnostic rows, leave-one-group-out) as a
 * Markdown table, appended to `out`. C2C_EFORMAT when the assessment lacks them. */
c2c_err c2c_wording_matrix(const json_t *assessment, struct c2c_buf *out);

/* Render one statement object ({"template","params"}) without a trailing newline. */
c2c_err c2c_wording_sentence(const json_t *statement, struct c2c_buf *out);

/* The template text for an id (e.g. "T-LIKELIHOOD-KEY"), or NULL. For docs and tests. */
const char *c2c_wording_template(const char *id);
/* Number of templates and the id of the i-th (for docs/attribution.md). */
size_t c2c_wording_count(void);
const char *c2c_wording_id(size_t i);

/* ICD 203 likelihood term for a probability in millionths (clamped to 1%..99%): writes the
 * term ("likely") and its range in percent. Never fails. */
void c2c_icd203_term(int64_t p_e6, const char **term, int *lo_pct, int *hi_pct);

#ifdef __cplusplus
}
#endif
#endif

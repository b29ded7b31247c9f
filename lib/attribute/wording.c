/*
 * Wording: the closed set of sentence templates of reference/attribution.md §4.5-§4.6.
 *
 * An assessment carries statements as {"template": id, "params": {...}}; this file is the only
 * place that turns them into text, so the report and `verify` produce the same bytes and no
 * sentence can be written that is not in the table. Placeholders:
 *   {name}          string or integer parameter
 *   {name:words}    integer as an English word (zero..twenty, digits above)
 *   {name:Words}    the same, capitalised (at the start of a sentence)
 *   {name:list}     array of strings joined with ", "
 *   {name:clauses}  array of nested statements joined with "; "
 *   {name:items}    array of nested statements joined with ", "
 *   {name:bullets}  array of nested statements, each on its own "- " line
 * A parameter that the template does not use, or a used parameter that is missing, makes the
 * statement malformed (C2C_EFORMAT). Likelihood terms appear only in T-LIKELIHOOD-*, confidence
 * levels only in T-CONFIDENCE, T-CEILING and clauses nested in them: never both in one sentence.
 */
#include <string.h>

#include "attribute/assess_int.h"

struct tmpl {
	const char *id;
	const char *text;
};

/* Geolocation caveat of §4.6, part of every location template so it cannot be dropped. */
#define GEO_CAVEAT                                                                               \
	"This concerns the network location of {ip} as recorded by {db} (build {build}, "        \
	"SHA-256 {digest}). Geolocation databases are unreliable for infrastructure addresses. " \
	"This statement does not establish where, or by whom, the server is operated"

static const struct tmpl tmpls[] = {
	{ "T-QUESTION", "Question: {question}" },
	/* judgement sentences (likelihood only) */
	{ "T-LIKELIHOOD-KEY", "We assess that the operator of {cluster} *{term}* controls the "
			      "private key of certificate {cert} that [{source}] associates with "
			      "{actor}." },
	{ "T-LIKELIHOOD-ACTOR", "We assess that cluster {cluster} is *{term}* operated by the "
				"actor tracked as {actor}." },
	{ "T-LIKELIHOOD-ALT", "We assess that cluster {cluster} is *{term}* explained by "
			      "{alternative}." },
	/* confidence sentence (confidence only) */
	{ "T-CONFIDENCE", "We hold this with *{level} confidence*: {reasons:clauses}." },
	{ "C-SINGLE-GROUP", "it rests on a single independent evidence group ({items:list})" },
	{ "C-GROUPS", "it rests on {n:words} independent evidence groups ({groups:list})" },
	{ "C-RELAYS", "{count:words} of the {total:words} {cluster} addresses are assessed as "
		      "compromised relays, and their location says nothing about the operator" },
	{ "C-SPOOFABLE", "its support consists only of evidence that is cheap to plant or shared "
			 "by many parties" },
	{ "C-UNSTABLE", "the leading hypothesis does not survive the removal of evidence group "
			"{group}" },
	{ "C-FF-OPEN", "a false flag imitating {actor} is not excluded" },
	{ "C-CEILING-EXT", "the link to {actor} rests on external intelligence, which caps this "
			   "claim at {level} confidence" },
	{ "C-CEILING-L3", "the cluster itself holds only with {l3} confidence, which caps this "
			  "claim at {level} confidence" },
	{ "C-HIGH", "independent evidence groups of different classes support it, every "
		    "alternative is contradicted, it survives the removal of any one group, and "
		    "evidence that is hard to plant contradicts a false flag" },
	{ "C-LOWERED", "it was lowered by a recorded judgement ({reason})" },
	/* insufficiency (§4.6) */
	{ "T-INSUFFICIENT", "The evidence in this case file does not support attributing "
			    "{cluster} to any named actor. The highest supported statement is:" },
	{ "T-INSUFF-ALTS", "The alternatives that could not be excluded are: "
			   "{alternatives:items}." },
	{ "T-ALTERNATIVES", "Alternatives not excluded: {alternatives:items}." },
	{ "A-HYP", "{hypothesis}" },
	{ "A-KEY-LEAK", "key leak or resale (H-TOOL variant)" },
	{ "A-FF-STOLEN-KEY", "FF({actor}) with a stolen key" },
	/* what would change the assessment (Heuer step 8) */
	{ "T-CHANGE", "What would change this assessment:{items:bullets}" },
	{ "W-SECOND-LINK", "a second infrastructure link of a different class (e.g. rotation "
			   "cadence matching {actor}'s known servers)" },
	{ "W-KEY-PUBLIC", "evidence that key {cert} is public" },
	{ "W-UPSTREAM", "upstream flow data for the relays, which would show where their traffic "
			"comes from" },
	{ "W-HARD-LINK", "a link that is hard to plant (TLS key possession, a multi-month "
			 "operating pattern) between {cluster} and the infrastructure of a named "
			 "actor" },
	{ "W-FF", "evidence that is hard to plant and separates {actor} from an imitator" },
	{ "W-PRIVATE", "the private artefacts behind the indicators of {source} (key material, "
		       "server images, registrar records)" },
	{ "W-UNRESOLVED", "catalogue entries for the feed labels that resolved to no intrusion "
			  "set" },
	/* L3 and L2 statements */
	{ "T-CLUSTER-EDGES", "{cluster} groups {n:words} endpoints ({members:list}) into one "
			     "activity cluster through links of the kinds {kinds:list}; the cluster "
			     "holds with {level} confidence." },
	{ "T-CLUSTER-NOEDGES", "{cluster} groups {n:words} endpoints ({members:list}); no "
			       "clustering links that are hard to plant are recorded for it." },
	{ "T-CLUSTER-SINGLE", "{cluster} consists of the single endpoint {member}." },
	{ "T-ROLE", "{count:Words} of the {total:words} {cluster} addresses are assessed as "
		    "{role}." },
	{ "T-LOCATION", "{ip} is geolocated to {country} by {db}. " GEO_CAVEAT "." },
	{ "T-LOCATION-RELAY", "{ip} is geolocated to {country} by {db} and is assessed as a "
			      "compromised relay ({basis}). " GEO_CAVEAT
			      ", and the location of a relay is not used as evidence about the "
			      "operator." },
	{ "T-ANONYMISER", "{ip} is an anonymisation service ({basis}); no location is stated "
			  "for it, and it is evidence about tooling, not about where the operator "
			  "is." },
	/* limits, judgements, external assertions, coverage */
	{ "T-REMOVED", "Hypothesis {hypothesis} was removed by a recorded judgement of {by}: "
		       "{reason}." },
	{ "T-CEILING", "The {rung} claim that {cluster} belongs to {actor} is capped at {level} "
		       "confidence: {reason:clauses}." },
	{ "R-EXT-OVERLAP", "a link from a cluster to a named intrusion set that rests on "
			   "external intelligence is held at most with moderate confidence" },
	{ "R-EXT-RATED", "the external source that ties the key to {actor} is rated {rating}" },
	{ "R-L3", "the cluster on which it rests holds only with {l3} confidence" },
	{ "T-NO-L5", "This engine does not assess which state or organisation, if any, directs "
		     "{actor}; any such statement below is quoted from its source." },
	{ "T-EXTERNAL", "{source} (rated {rating}) states that {subject} {relation} {object}. "
			"This engine did not and cannot verify this from network telemetry." },
	{ "T-UNRESOLVED", "Feed labels that name no intrusion set in the pinned catalogue: "
			  "{labels:list}." },
	{ "T-COVERAGE", "Observations cover {points:list} from {from} to {to}, with measured loss "
			"of {loss} packets, {missing} missing IPFIX sequence numbers, and NetFlow "
			"sampling 1:{sampling}. Absence of traffic outside this coverage is not "
			"asserted." },
	{ "T-COVERAGE-UNKNOWN", "The coverage of these observations (capture points, time "
				"window, loss and sampling) was not recorded for this assessment. "
				"Absence of traffic is not asserted." },
};

static const struct tmpl *
find_tmpl(const char *id)
{
	for (size_t i = 0; id != NULL && i < C2C_ARRAY_LEN(tmpls); i++)
		if (strcmp(tmpls[i].id, id) == 0)
			return &tmpls[i];
	return NULL;
}

const char *
c2c_wording_template(const char *id)
{
	const struct tmpl *t = find_tmpl(id);
	return t ? t->text : NULL;
}

size_t
c2c_wording_count(void)
{
	return C2C_ARRAY_LEN(tmpls);
}

const char *
c2c_wording_id(size_t i)
{
	return i < C2C_ARRAY_LEN(tmpls) ? tmpls[i].id : NULL;
}

static const char *const words[] = { "zero", "one", "two", "three", "four", "five", "six",
	"seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen",
	"sixteen", "seventeen", "eighteen", "nineteen", "twenty" };

static c2c_err render(const json_t *st, struct c2c_buf *out, unsigned depth);

static c2c_err
put_scalar(const json_t *v, int as_words, struct c2c_buf *out)
{
	if (json_is_string(v))
		return c2c_buf_adds(out, json_string_value(v));
	if (json_is_integer(v)) {
		json_int_t n = json_integer_value(v);
		if (as_words && n >= 0 && n <= 20) {
			c2c_err rc;
			if (as_words == 1)
				return c2c_buf_adds(out, words[n]);
			/* capitalised: the words are ASCII lower case */
			if ((rc = c2c_buf_addc(out, (char)(words[n][0] - 'a' + 'A'))) != C2C_OK)
				return rc;
			return c2c_buf_adds(out, words[n] + 1);
		}
		return c2c_buf_printf(out, "%lld", (long long)n);
	}
	return C2C_EFORMAT;
}

static c2c_err
put_param(const json_t *v, const char *mod, size_t mlen, struct c2c_buf *out, unsigned depth)
{
	size_t i;
	const json_t *e;
	c2c_err rc;
	if (mlen == 0)
		return put_scalar(v, 0, out);
	if (mlen == 5 && memcmp(mod, "words", 5) == 0)
		return json_is_integer(v) ? put_scalar(v, 1, out) : C2C_EFORMAT;
	if (mlen == 5 && memcmp(mod, "Words", 5) == 0)
		return json_is_integer(v) ? put_scalar(v, 2, out) : C2C_EFORMAT;
	if (!json_is_array(v))
		return C2C_EFORMAT;
	if (mlen == 4 && memcmp(mod, "list", 4) == 0) {
		json_array_foreach(v, i, e) {
			if (!json_is_string(e))
				return C2C_EFORMAT;
			if ((i > 0 && (rc = c2c_buf_adds(out, ", ")) != C2C_OK) ||
			    (rc = c2c_buf_adds(out, json_string_value(e))) != C2C_OK)
				return rc;
		}
		return C2C_OK;
	}
	if ((mlen == 7 && memcmp(mod, "clauses", 7) == 0) ||
	    (mlen == 5 && memcmp(mod, "items", 5) == 0) ||
	    (mlen == 7 && memcmp(mod, "bullets", 7) == 0)) {
		const char *sep = mod[0] == 'c' ? "; " : (mod[0] == 'i' ? ", " : "\n- ");
		bool bullets = mod[0] == 'b';
		if (json_array_size(v) == 0)
			return C2C_EFORMAT;
		json_array_foreach(v, i, e) {
			if ((i > 0 || bullets) && (rc = c2c_buf_adds(out, sep)) != C2C_OK)
				return rc;
			if ((rc = render(e, out, depth + 1)) != C2C_OK)
				return rc;
		}
		return C2C_OK;
	}
	return C2C_EFORMAT;
}

static c2c_err
render(const json_t *st, struct c2c_buf *out, unsigned depth)
{
	const struct tmpl *t = find_tmpl(json_string_value(json_object_get(st, "template")));
	const json_t *params = json_object_get(st, "params");
	const char *p;
	char seen[16][40];
	size_t used = 0, n_params;
	c2c_err rc;

	if (t == NULL || depth > 3 || (params != NULL && !json_is_object(params)))
		return C2C_EFORMAT;
	n_params = json_object_size(params);
	for (p = t->text; *p != '\0';) {
		const char *open = strchr(p, '{'), *close, *colon;
		char name[40];
		size_t nlen;
		const json_t *v;
		if (open == NULL)
			return c2c_buf_adds(out, p) == C2C_OK && used == n_params ? C2C_OK :
			    (used != n_params ? C2C_EFORMAT : C2C_ENOMEM);
		if ((rc = c2c_buf_add(out, p, (size_t)(open - p))) != C2C_OK)
			return rc;
		close = strchr(open, '}');
		if (close == NULL)
			return C2C_EFORMAT;
		colon = memchr(open, ':', (size_t)(close - open));
		nlen = (size_t)((colon ? colon : close) - open - 1);
		if (nlen == 0 || nlen >= sizeof(name))
			return C2C_EFORMAT;
		memcpy(name, open + 1, nlen);
		name[nlen] = '\0';
		v = json_object_get(params, name);
		if (v == NULL)
			return C2C_EFORMAT;
		/* A placeholder used twice counts once. */
		{
			bool dup = false;
			for (size_t k = 0; k < used && k < 16; k++)
				dup = dup || strcmp(seen[k], name) == 0;
			if (!dup && used < 16)
				memcpy(seen[used++], name, nlen + 1);
		}
		if ((rc = put_param(v, colon ? colon + 1 : close, colon ? (size_t)(close - colon - 1) : 0,
		    out, depth)) != C2C_OK)
			return rc;
		p = close + 1;
	}
	return used == n_params ? C2C_OK : C2C_EFORMAT;
}

c2c_err
c2c_wording_sentence(const json_t *statement, struct c2c_buf *out)
{
	return render(statement, out, 0);
}

c2c_err
c2c_wording_render(const json_t *assessment, struct c2c_buf *out)
{
	const json_t *res = json_object_get(assessment, "result");
	const json_t *sts = json_object_get(res ? res : assessment, "statements"), *st;
	size_t i;
	c2c_err rc;
	if (!json_is_array(sts))
		return C2C_EFORMAT;
	json_array_foreach(sts, i, st) {
		if ((rc = render(st, out, 0)) != C2C_OK || (rc = c2c_buf_adds(out, "\n\n")) != C2C_OK)
			return rc;
	}
	return C2C_OK;
}

/* The ACH matrix of an assessment as a Markdown table (report section "Competing hypotheses" and
 * the STIX note): one column per hypothesis that was not removed, one row per evidence item,
 * then the weighted-inconsistency scores, the non-diagnostic rows and leave-one-group-out. */
c2c_err
c2c_wording_matrix(const json_t *assessment, struct c2c_buf *out)
{
	const json_t *r = json_object_get(assessment, "result");
	const json_t *hyps = json_object_get(r, "hypotheses"), *items = json_object_get(r, "evidence");
	const json_t *scores = json_object_get(r, "scores"), *h, *it, *v;
	size_t i, j;
	c2c_err rc;

	if (!json_is_array(hyps) || !json_is_array(items) || !json_is_array(scores))
		return C2C_EFORMAT;
	if ((rc = c2c_buf_adds(out, "| evidence |")) != C2C_OK)
		return rc;
	json_array_foreach(hyps, i, h) {
		if (json_object_get(h, "removed") != NULL)
			continue;
		if ((rc = c2c_buf_printf(out, " %s |",
		    json_string_value(json_object_get(h, "label")))) != C2C_OK)
			return rc;
	}
	if ((rc = c2c_buf_adds(out, "\n|---|")) != C2C_OK)
		return rc;
	json_array_foreach(hyps, i, h) {
		if (json_object_get(h, "removed") == NULL && (rc = c2c_buf_adds(out, "---|")) != C2C_OK)
			return rc;
	}
	json_array_foreach(items, j, it) {
		const json_t *rt = json_object_get(it, "ratings");
		rc = c2c_buf_printf(out, "\n| %s (%s, %s; %s, spoofability %s, cred %s, rel %s, w %lld) |",
		    json_string_value(json_object_get(it, "id")),
		    json_string_value(json_object_get(it, "class")),
		    json_string_value(json_object_get(it, "derivation")),
		    json_string_value(json_object_get(it, "group")),
		    json_string_value(json_object_get(it, "spoofability")),
		    json_string_value(json_object_get(it, "credibility")),
		    json_string_value(json_object_get(it, "relevance")),
		    (long long)json_integer_value(json_object_get(it, "weight_e3")));
		if (rc != C2C_OK)
			return rc;
		json_array_foreach(hyps, i, h) {
			if (json_object_get(h, "removed") != NULL)
				continue;
			v = json_object_get(rt, json_string_value(json_object_get(h, "id")));
			if ((rc = c2c_buf_printf(out, " %s |", json_is_string(v) ?
			    json_string_value(v) : "NA")) != C2C_OK)
				return rc;
		}
	}
	if ((rc = c2c_buf_adds(out, "\n| score (x1000) |")) != C2C_OK)
		return rc;
	json_array_foreach(scores, i, v) {
		if ((rc = c2c_buf_printf(out, " %lld |",
		    (long long)json_integer_value(json_object_get(v, "score_e3")))) != C2C_OK)
			return rc;
	}
	if ((rc = c2c_buf_adds(out, "\n\nNon-diagnostic rows:")) != C2C_OK)
		return rc;
	json_array_foreach(json_object_get(r, "non_diagnostic"), i, v) {
		if ((rc = c2c_buf_printf(out, " %s", json_string_value(v))) != C2C_OK)
			return rc;
	}
	if (json_array_size(json_object_get(r, "non_diagnostic")) == 0 &&
	    (rc = c2c_buf_adds(out, " none")) != C2C_OK)
		return rc;
	if ((rc = c2c_buf_adds(out, ".\n\nLeave one group out:")) != C2C_OK)
		return rc;
	json_array_foreach(json_object_get(r, "sensitivity"), i, v) {
		rc = c2c_buf_printf(out, "\n- without %s: leader %s",
		    json_string_value(json_object_get(v, "without")),
		    json_is_true(json_object_get(v, "changed")) ? "changes" : "unchanged");
		if (rc != C2C_OK)
			return rc;
	}
	return c2c_buf_adds(out, "\n");
}

/* c2chain actors: load the actor catalogue (ATT&CK STIX, MISP galaxy) and resolve labels. */
#include <stdio.h>
#include <string.h>

#include "c2chain/attribute.h"
#include "c2chain/json.h"
#include "cli.h"

#define MAX_CAT 16

extern const struct cli_cmd cli_cmd_actors;

static int
print_json(json_t *v)
{
	struct c2c_buf b;
	c2c_err rc;
	if (v == NULL)
		return cli_fail(C2C_ENOMEM, NULL);
	c2c_buf_init(&b, (size_t)1 << 26);
	rc = c2c_json_canon(v, &b);
	json_decref(v);
	if (rc == C2C_OK && c2c_buf_cstr(&b) != NULL)
		puts((const char *)b.data);
	c2c_buf_fini(&b);
	return rc == C2C_OK ? 0 : cli_fail(rc, NULL);
}

static json_t *
actor_json(const struct c2c_actor *a, int with_aliases)
{
	json_t *o = json_pack("{s:s,s:s}", "key", a->key, "name", a->name);
	if (o == NULL)
		return NULL;
	if (a->attack_id)
		json_object_set_new(o, "attack_id", json_string(a->attack_id));
	if (a->misp_value)
		json_object_set_new(o, "misp_value", json_string(a->misp_value));
	if (with_aliases) {
		json_t *al = json_array();
		for (size_t i = 0; al != NULL && i < a->n_aliases; i++)
			json_array_append_new(al, json_string(a->aliases[i]));
		json_object_set_new(o, "aliases", al);
	}
	return o;
}

static int
run(int argc, char **argv)
{
	struct c2c_catalogue_src src[MAX_CAT];
	struct c2c_catalogue *cat = NULL;
	struct c2c_diag d = { 0 };
	size_t n = 0;
	int list = 0, refdata = 0, i, rc = 0;
	c2c_err err;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--catalogue") == 0) {
			char *eq;
			if (i + 1 >= argc)
				return cli_usage_error(&cli_cmd_actors, "%s needs FILE", argv[i]);
			if (n == MAX_CAT)
				return cli_usage_error(&cli_cmd_actors, "at most %d catalogues", MAX_CAT);
			src[n].path = argv[++i];
			/* FILE=SHA256 pins the file */
			eq = strrchr(argv[i], '=');
			src[n].sha256 = NULL;
			if (eq != NULL && strlen(eq + 1) == 64) {
				*eq = '\0';
				src[n].sha256 = eq + 1;
			}
			n++;
		} else if (strcmp(argv[i], "--list") == 0) {
			list = 1;
		} else if (strcmp(argv[i], "--refdata") == 0) {
			refdata = 1;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (argv[i][0] == '-') {
			return cli_usage_error(&cli_cmd_actors, "unknown option %s", argv[i]);
		} else {
			break;
		}
	}
	if (n == 0)
		return cli_usage_error(&cli_cmd_actors, "give at least one --catalogue FILE");
	err = c2c_catalogue_load(src, n, &cat, &d);
	if (err != C2C_OK)
		return cli_fail(err, &d);
	if (refdata) {
		json_t *r = NULL;
		if ((err = c2c_catalogue_refdata(cat, &r)) != C2C_OK)
			rc = cli_fail(err, NULL);
		else
			rc = print_json(r);
	}
	for (size_t k = 0; rc == 0 && list && k < c2c_catalogue_count(cat); k++)
		rc = print_json(actor_json(c2c_catalogue_actor(cat, k), 1));
	for (; rc == 0 && i < argc; i++) {
		size_t idx[32], m = 0;
		json_t *o = json_pack("{s:s,s:[]}", "label", argv[i], "matches");
		if (o == NULL) {
			rc = cli_fail(C2C_ENOMEM, NULL);
			break;
		}
		(void)c2c_catalogue_resolve(cat, argv[i], idx, 32, &m);
		for (size_t k = 0; k < m && k < 32; k++)
			json_array_append_new(json_object_get(o, "matches"),
			    actor_json(c2c_catalogue_actor(cat, idx[k]), 0));
		rc = print_json(o);
	}
	c2c_catalogue_free(cat);
	return rc;
}

const struct cli_cmd cli_cmd_actors = {
	"actors",
	run,
	"resolve threat-actor labels through the pinned actor catalogue",
	"usage: c2chain actors -c FILE[=SHA256] [-c FILE[=SHA256]]... [--list] [--refdata] "
	"[LABEL...]\n"
	"\n"
	"Load the actor catalogue from MITRE ATT&CK STIX bundles (2.0 or 2.1) and MISP galaxy\n"
	"clusters (threat-actor, mitre-intrusion-set), merge them into one entry per intrusion set,\n"
	"and resolve each LABEL (a name or alias in any case and punctuation, an ATT&CK id, a MISP\n"
	"galaxy tag such as misp-galaxy:threat-actor=\"APT31\", or a maltrail trail name).\n"
	"\n"
	"Output: one canonical JSON line per LABEL: {\"label\",\"matches\":[{\"key\",\"name\",\n"
	"\"attack_id\",\"misp_value\"}]}. No match: an empty list; several: the label is ambiguous.\n"
	"\n"
	"Options:\n"
	"  -c, --catalogue FILE[=SHA256]  a catalogue file; with =SHA256 the file is pinned and a\n"
	"                                 different digest is an error (exit 1)\n"
	"  --list                         print every merged intrusion set with its aliases\n"
	"  --refdata                      print the catalogue files with digest, format and counts\n"
	"  -h, --help                     this text\n"
	"\n"
	"Exit status: 0 success, 1 pinned digest mismatch, 64 usage, 65 unreadable catalogue,\n"
	"74 I/O error.\n",
};

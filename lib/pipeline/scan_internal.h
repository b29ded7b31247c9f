/*
 * Internal to lib/pipeline: what a scan reads, resolved to paths and digests. Built from the
 * command line by c2c_scan() and from the case's scan.json by c2c_scan_rederive(), so both run
 * the same analysis over the same bytes.
 */
#ifndef C2C_PIPELINE_SCAN_INTERNAL_H
#define C2C_PIPELINE_SCAN_INTERNAL_H

#include <stdint.h>

#include "c2chain/enrich.h"

struct spec_file {
	char *name;  /* as recorded (the path given at scan time) */
	char *path;  /* where it is read now */
	uint8_t sha256[32];
	unsigned use; /* geo: C2C_GEO_COUNTRY / C2C_GEO_ASN */
	enum c2c_ref_kind ref_kind;
	char country[3]; /* host maps: the hosts' country */
};

struct scan_spec {
	struct spec_file *inputs; /* expanded input files (rederive) or arguments (scan) */
	size_t n_inputs;
	bool inputs_expanded;
	struct spec_file *feeds, *geo, *refdata, *catalogues, *external;
	size_t n_feeds, n_geo, n_refdata, n_catalogues, n_external;
	struct spec_file *host_maps; /* --host-map CC:FILE */
	size_t n_host_maps;
	struct spec_file config; /* path NULL: defaults */
	char **set;
	size_t n_set;
	char *title, *question;
};

#endif

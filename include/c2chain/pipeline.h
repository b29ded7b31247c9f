/*
 * The pipeline stage: `c2chain scan` end to end (ingest -> intel -> detect -> enrich -> attribute
 * -> evidence -> report) and the deterministic re-run that `c2chain verify` compares against.
 */
#ifndef C2C_PIPELINE_H
#define C2C_PIPELINE_H

#include "c2chain/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Options of one scan. Every array is borrowed for the call. Paths are recorded in the case as
 * given (scan.json) so that `verify --inputs DIR` can find the same files elsewhere by name. */
struct c2c_scan_opts {
	const char *const *inputs;     /* captures, flow exports, Zeek logs (files or folders) */
	size_t n_inputs;
	const char *const *feeds;      /* -i: threat-intel feeds and allow-lists */
	size_t n_feeds;
	const char *const *geo;        /* --geo: country MMDB files */
	size_t n_geo;
	const char *const *asn;        /* --asn: ASN MMDB files */
	size_t n_asn;
	const char *const *catalogues; /* --catalogue: ATT&CK / MISP galaxy actor catalogues */
	size_t n_catalogues;
	const char *const *refdata;    /* --refdata KIND=PATH: sinkhole, cloud, residential, ... */
	size_t n_refdata;
	const char *const *external;   /* --external: STIX 2.1 bundles used as external intel */
	size_t n_external;
	/* --host-map CC:FILE: CIDR lists (one network per line) of controlled hosts in country CC;
	 * with the configuration's `internal_subnet CIDR CC` lines they place hosts before the
	 * geo database does (longest prefix wins; a network given twice keeps its first country). */
	const char *const *host_maps;
	size_t n_host_maps;
	const char *const *set;        /* --set section.key=value config overrides */
	size_t n_set;
	const char *config;            /* --config c2chain.conf, or NULL for the defaults */
	const char *key_path;          /* --key: Ed25519 signing key; NULL: the case's own */
	const char *title;             /* report title; NULL: the case folder's name */
	const char *question;          /* the question the report answers; NULL: the standard one */
	unsigned threads;              /* 1 or 2 (0 = 2): ingest and analysis overlap */
	/* Read and analyse only, as a timing baseline for what the chain of evidence costs
	 * (bench/run_evidence.sh): no input digests, no case, no reports; case_dir is not
	 * touched and the summary's evidence and report times stay 0. */
	bool analysis_only;
	/* Progress (may be NULL): input i of n, raw bytes done/total, records so far. */
	void (*progress)(void *ctx, uint32_t input, uint32_t n_inputs, const char *path,
	    uint64_t done, uint64_t total, uint64_t records);
	void *progress_ctx;
};

/* What a scan found, for the CLI's summary table. */
struct c2c_scan_summary {
	uint32_t inputs;
	uint64_t bytes, records, malformed, flows, observations;
	uint64_t findings, intel_hits, suppressed, beacons, long_connections, dns_tunnels,
	    strobes, infrastructure, clusters, assessments;
	uint64_t controlled_hosts, c2_endpoints, countries;
	uint64_t ledger_size;
	/* Wall time of the phases (monotonic clock, microseconds; never in any output that is
	 * hashed): reading and analysing the inputs (ingest to attribute, the inputs' SHA-256
	 * computed in the same read), the evidence stage (case files, reference lists, ledger,
	 * record commitments re-read from the inputs, signature) and rendering the reports. */
	uint64_t analysis_us, evidence_us, reports_us;
};

/* Run every stage of DESIGN.md over the inputs and write the case in `case_dir` (created if
 * needed; an existing case is appended to and its earlier checkpoint proven consistent):
 * inputs.json, scan.json, ledger/, checkpoint.note, evidence/, report.json, report.md,
 * report.html, report.stix.json (nothing with o->analysis_only). The report is byte-identical
 * for the same inputs, reference data and options, whatever the thread count. Returns C2C_OK; C2C_EIO / C2C_EFORMAT /
 * C2C_EUNSUPPORTED naming the file (and offset or line) that stopped it; C2C_EINVAL for bad
 * options; C2C_ENOMEM. */
c2c_err c2c_scan(const struct c2c_scan_opts *o, const char *case_dir,
    struct c2c_scan_summary *sum, struct c2c_diag *diag);

/* Render the case's report.json as `format`: "json" (the canonical bytes), "md", "html",
 * "stix" (STIX 2.1 bundle) or "events-csv" (Shadowserver event layout; host and endpoint
 * countries from the case's recorded config and databases, re-checked by digest). Appends to
 * `out`. C2C_EINVAL (unknown format), C2C_EFORMAT (not a case), C2C_EVERIFY (a recorded
 * database changed), C2C_EIO, C2C_ENOMEM. */
c2c_err c2c_case_render(const char *case_dir, const char *format, struct c2c_buf *out,
    struct c2c_diag *diag);

/* Re-derive report.json of the case in `case_dir` from its recorded inputs and options:
 * input files are looked up under `inputs_dir` (NULL: the paths recorded in inputs.json) and
 * must match their recorded digests. The canonical report.json bytes land in `out`.
 * Returns C2C_OK; C2C_ENOTFOUND (an input is missing), C2C_EVERIFY (digest mismatch),
 * C2C_EFORMAT (unreadable case), C2C_EIO, C2C_ENOMEM. */
c2c_err c2c_scan_rederive(const char *case_dir, const char *inputs_dir, struct c2c_buf *out,
    struct c2c_diag *diag);

#ifdef __cplusplus
}
#endif
#endif

/*
 * c2chain.conf reader and writer. The table `keys[]` below is the single source of truth: it
 * gives each key's section, name, type, default, range and documentation, and drives parsing,
 * typed reads, the defaults file (`c2chain config --defaults`) and the method.params of
 * findings. Values are kept as int64 (integers, durations in us, fixed point x 10^6, booleans)
 * or owned strings, indexed like the table. Another stage adding keys adds rows here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c2chain/config.h"
#include "c2chain/json.h"

#define CFG_MAX_SUBNETS 4096
#define CFG_MAX_FILE (4u << 20)

struct key_def {
	const char *section;
	const char *key;
	enum c2c_cfg_type type;
	const char *def; /* default, in file syntax */
	int64_t min, max; /* range of the stored value (not for strings) */
	const char *doc;  /* comment lines for the defaults file, '\n'-separated */
};

#define H (3600LL * C2C_USEC)
#define D (86400LL * C2C_USEC)
#define E6 1000000LL

static const char *const section_docs[][2] = {
	{ "network", "Which addresses are internal. A connection is analysed from the internal host's\n"
		     "side; inbound, internal-to-internal and external-to-external traffic follow the\n"
		     "switches below." },
	{ "detect", "Behavioural analysis as a whole: scoring mode and memory limits." },
	{ "beacon", "Beacon scores in the style of RITA v5 (docs/detection.md has the formulas)." },
	{ "longconn", "Long connections: summed duration of a pair, open connections included." },
	{ "strobe", "Strobes: pairs with very many connections, kept apart from beacons." },
	{ "dnstunnel", "DNS tunnelling: unique names under one registered domain." },
};

static const struct key_def keys[] = {
	/* [network] (internal_subnet is handled apart: it repeats) */
	{ "network", "external_to_external", C2C_CFG_BOOL, "true", 0, 1,
	    "Analyse connections where neither side is internal, with the originator as the\n"
	    "host (a sensor on a public address, as in RITA's missing_host data)." },
	{ "network", "external_to_internal", C2C_CFG_BOOL, "false", 0, 1,
	    "Analyse inbound connections (external originator, internal responder), with the\n"
	    "internal side as the host (false = RITA filter_external_to_internal: true)." },
	{ "network", "internal_to_internal", C2C_CFG_BOOL, "false", 0, 1,
	    "Analyse connections between two internal hosts (connections through an internal\n"
	    "HTTP proxy are always analysed by the destination named in the request)." },
	/* [detect] */
	{ "detect", "mode", C2C_CFG_STR, "default", 0, 0,
	    "default: multi-day window, microsecond timestamps, server-centric evidence.\n"
	    "rita: reproduce RITA v5 exactly (24 h window, 1 s resolution, its rounding)." },
	{ "detect", "max_pairs", C2C_CFG_INT, "50000000", 1, 1LL << 32,
	    "Most (host, peer) pairs kept; connections of further pairs are counted and dropped." },
	{ "detect", "max_connections", C2C_CFG_INT, "1000000000", 1, 1LL << 40,
	    "Most connections stored over all pairs (about 8-16 bytes each)." },
	{ "detect", "max_series", C2C_CFG_INT, "20000000", 16, 1LL << 32,
	    "Most connections stored for one pair; later ones are counted, not stored, and the\n"
	    "pair's findings then say recheck \"inputs\"." },
	{ "detect", "max_domains", C2C_CFG_INT, "5000000", 1, 1LL << 32,
	    "Most registered domains tracked for DNS tunnelling." },
	{ "detect", "max_names_per_domain", C2C_CFG_INT, "1000000", 16, 1LL << 32,
	    "Most distinct query names remembered per registered domain." },
	/* [beacon] */
	{ "beacon", "min_unique_timestamps", C2C_CFG_INT, "4", 4, 1LL << 32,
	    "Pairs with fewer distinct connection times are not scored\n"
	    "(RITA unique_connection_threshold)." },
	{ "beacon", "ts_weight", C2C_CFG_FIX6, "0.25", 0, E6,
	    "Weights of the four sub-scores; they must sum to 1." },
	{ "beacon", "ds_weight", C2C_CFG_FIX6, "0.25", 0, E6, NULL },
	{ "beacon", "dur_weight", C2C_CFG_FIX6, "0.25", 0, E6, NULL },
	{ "beacon", "hist_weight", C2C_CFG_FIX6, "0.25", 0, E6, NULL },
	{ "beacon", "histogram_bins", C2C_CFG_INT, "24", 2, 10000,
	    "Bins of the connection histogram over the window (RITA: 24 one-hour bins)." },
	{ "beacon", "duration_min_bins_seen", C2C_CFG_INT, "6", 1, 10000,
	    "Non-empty bins needed before the duration sub-score counts (duration_min_hours_seen)." },
	{ "beacon", "duration_consistency_ideal", C2C_CFG_INT, "12", 1, 10000,
	    "Longest run of non-empty bins that scores consistency 1\n"
	    "(duration_consistency_ideal_hours_seen)." },
	{ "beacon", "histogram_mode_sensitivity", C2C_CFG_FIX6, "0.05", 1, E6,
	    "Bucket width for the bimodal test, as a fraction of the tallest bin." },
	{ "beacon", "histogram_bimodal_outlier_removal", C2C_CFG_INT, "1", 0, 10000,
	    "Bins dropped as outliers in the bimodal test." },
	{ "beacon", "histogram_bimodal_min_bins", C2C_CFG_INT, "11", 6, 10000,
	    "Non-empty bins needed before the bimodal test counts (histogram_bimodal_min_hours_seen)." },
	{ "beacon", "skew_min_iqr", C2C_CFG_DUR, "10s", 0, 365 * D,
	    "Bowley skewness of intervals counts only when Q3 - Q1 reaches this." },
	{ "beacon", "skew_min_iqr_bytes", C2C_CFG_INT, "10", 0, 1LL << 40,
	    "Bowley skewness of sizes counts only when Q3 - Q1 reaches this many bytes." },
	{ "beacon", "window", C2C_CFG_DUR, "7d", H, 366 * D,
	    "Default mode: analysis window, ending at the last connection of the input (the whole\n"
	    "input when shorter). The rita mode always uses 24 h." },
	{ "beacon", "min_score", C2C_CFG_FIX6, "0.8", 0, E6,
	    "Beacons scoring at least this are reported." },
	{ "beacon", "bucket_base", C2C_CFG_FIX6, "0.5", 0, E6,
	    "Impact buckets (RITA score_thresholds 50/70/90/100): a score in [base, low) maps to\n"
	    "impact 0.2-0.4, [low, medium) to 0.4-0.6, [medium, high] to 0.6-0.8." },
	{ "beacon", "bucket_low", C2C_CFG_FIX6, "0.7", 0, E6, NULL },
	{ "beacon", "bucket_medium", C2C_CFG_FIX6, "0.9", 0, E6, NULL },
	{ "beacon", "bucket_high", C2C_CFG_FIX6, "1", 0, E6, NULL },
	{ "beacon", "server_period_tolerance", C2C_CFG_FIX6, "0.1", 0, E6,
	    "Default mode, server-centric evidence: two clients share a period to one server when\n"
	    "their median intervals differ by at most this fraction." },
	{ "beacon", "server_share_bonus", C2C_CFG_FIX6, "0.05", 0, E6,
	    "Score added per further client sharing the period (weak signals lifted)..." },
	{ "beacon", "server_share_bonus_max", C2C_CFG_FIX6, "0.15", 0, E6,
	    "...up to this much in total." },
	{ "beacon", "server_suppress_min_clients", C2C_CFG_INT, "10", 2, 1LL << 32,
	    "A server that at least this many clients contact regularly (each at its own\n"
	    "period), forming at least server_suppress_fraction of the internal hosts seen, is a\n"
	    "fleet service (updates, NTP, telemetry, the resolver): its beacons are not\n"
	    "reported." },
	{ "beacon", "server_suppress_fraction", C2C_CFG_FIX6, "0.5", 0, E6, NULL },
	/* [longconn] */
	{ "longconn", "base", C2C_CFG_DUR, "1h", 1, 366 * D,
	    "A pair whose connections last this long in total is a long connection; base, low,\n"
	    "medium and high map to impact 0.2, 0.4, 0.6 and 0.8 (RITA 1/4/8/12 h)." },
	{ "longconn", "low", C2C_CFG_DUR, "4h", 1, 366 * D, NULL },
	{ "longconn", "medium", C2C_CFG_DUR, "8h", 1, 366 * D, NULL },
	{ "longconn", "high", C2C_CFG_DUR, "12h", 1, 366 * D, NULL },
	/* [strobe] */
	{ "strobe", "min_connections_per_day", C2C_CFG_INT, "86400", 1, 1LL << 40,
	    "A pair with at least this many connections per 24 h of window is a strobe and is\n"
	    "not scored as a beacon (RITA: 86400 in its 24 h window)." },
	/* [dnstunnel] */
	{ "dnstunnel", "psl_file", C2C_CFG_STR, "/usr/share/publicsuffix/public_suffix_list.dat", 0,
	    0, "Public Suffix List (Debian package publicsuffix), pinned by SHA-256 in findings.\n"
	       "Empty: the registered domain is the last two labels." },
	{ "dnstunnel", "psl_private", C2C_CFG_BOOL, "true", 0, 1,
	    "Also apply the list's PRIVATE section (e.g. each *.duckdns.org name is its own domain)." },
	{ "dnstunnel", "base", C2C_CFG_INT, "100", 1, 1LL << 32,
	    "Unique names under one registered domain: base, low, medium, high map to impact\n"
	    "0.2, 0.4, 0.6, 0.8 (RITA c2_score_thresholds); below base nothing is reported." },
	{ "dnstunnel", "low", C2C_CFG_INT, "500", 1, 1LL << 32, NULL },
	{ "dnstunnel", "medium", C2C_CFG_INT, "800", 1, 1LL << 32, NULL },
	{ "dnstunnel", "high", C2C_CFG_INT, "1000", 1, 1LL << 32, NULL },
	{ "dnstunnel", "min_entropy", C2C_CFG_FIX6, "2.5", 0, 8 * E6,
	    "Default mode also needs one sign of encoded data: mean Shannon entropy of the\n"
	    "subdomain part (bits per character) of at least min_entropy, or..." },
	{ "dnstunnel", "min_mean_length", C2C_CFG_INT, "24", 0, 255,
	    "...a mean subdomain length of at least this many characters, or..." },
	{ "dnstunnel", "min_txt_null_fraction", C2C_CFG_FIX6, "0.1", 0, E6,
	    "...at least this fraction of TXT and NULL queries. The rita mode counts names only." },
	{ "dnstunnel", "exclude", C2C_CFG_STR, "arpa local", 0, 0,
	    "Space-separated suffixes never analysed (RITA excludes .arpa and .local)." },
};

#define N_KEYS C2C_ARRAY_LEN(keys)

static const char *const default_subnets[] = { "10.0.0.0/8", "172.16.0.0/12",
	"192.168.0.0/16", "fd00::/8" };

struct c2c_config {
	int64_t v[N_KEYS];
	char *s[N_KEYS];
	struct c2c_subnet *subnets;
	size_t n_subnets;
	bool subnets_from_file; /* the file has replaced the built-in list */
};

static int
find_key(const char *section, const char *key)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].key, key) == 0)
			return (int)i;
	return -1;
}

static int
find_name(const char *name)
{
	const char *dot = strchr(name, '.');
	char sec[32];
	if (dot == NULL || (size_t)(dot - name) >= sizeof(sec))
		return -1;
	memcpy(sec, name, (size_t)(dot - name));
	sec[dot - name] = '\0';
	return find_key(sec, dot + 1);
}

static bool
known_section(const char *s)
{
	if (strcmp(s, "network") == 0)
		return true;
	for (size_t i = 0; i < N_KEYS; i++)
		if (strcmp(keys[i].section, s) == 0)
			return true;
	return false;
}

/* Parse a non-negative decimal with up to `maxfrac` fractional digits into value x 10^scale.
 * Returns false on syntax error or overflow. */
static bool
parse_decimal(const char *s, size_t len, unsigned scale, int64_t *out, size_t *used)
{
	int64_t ip = 0, fp = 0;
	unsigned nfrac = 0;
	size_t i = 0;
	bool digits = false;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		if (ip > (INT64_MAX / 10 - 9) / 1000000)
			return false;
		ip = ip * 10 + (s[i] - '0');
		digits = true;
		i++;
	}
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (nfrac == scale)
				return false; /* more precision than the type keeps */
			fp = fp * 10 + (s[i] - '0');
			nfrac++;
			digits = true;
			i++;
		}
	}
	if (!digits)
		return false;
	for (unsigned k = nfrac; k < scale; k++)
		fp *= 10;
	int64_t mul = 1;
	for (unsigned k = 0; k < scale; k++)
		mul *= 10;
	if (ip > (INT64_MAX - fp) / mul)
		return false;
	*out = ip * mul + fp;
	*used = i;
	return true;
}

static c2c_err
parse_value(const struct key_def *k, const char *s, int64_t *v, char **str)
{
	size_t len = strlen(s), used = 0;
	int64_t x = 0;
	bool neg = false;

	switch (k->type) {
	case C2C_CFG_STR:
		if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
			s++;
			len -= 2;
		}
		*str = c2c_strndup(s, len);
		return *str == NULL ? C2C_ENOMEM : C2C_OK;
	case C2C_CFG_BOOL:
		if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 || strcmp(s, "on") == 0 ||
		    strcmp(s, "1") == 0)
			x = 1;
		else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 ||
		    strcmp(s, "off") == 0 || strcmp(s, "0") == 0)
			x = 0;
		else
			return C2C_EFORMAT;
		break;
	case C2C_CFG_INT:
		if (len > 0 && s[0] == '-') {
			neg = true;
			s++;
			len--;
		}
		if (!parse_decimal(s, len, 0, &x, &used) || used != len)
			return C2C_EFORMAT;
		if (neg)
			x = -x;
		break;
	case C2C_CFG_FIX6:
		if (!parse_decimal(s, len, 6, &x, &used) || used != len)
			return C2C_EFORMAT;
		break;
	case C2C_CFG_DUR: {
		static const struct {
			const char *u;
			int64_t mul;
		} units[] = { { "", C2C_USEC }, { "us", 1 }, { "ms", 1000 }, { "s", C2C_USEC },
			{ "m", 60 * C2C_USEC }, { "h", H }, { "d", D } };
		int64_t micro; /* value x 10^6 in the unit */
		if (!parse_decimal(s, len, 6, &micro, &used))
			return C2C_EFORMAT;
		for (size_t u = 0; u < C2C_ARRAY_LEN(units); u++) {
			if (strcmp(s + used, units[u].u) != 0)
				continue;
			/* micro / 10^6 units, in microseconds: exact when it is a whole number. */
			if (units[u].mul >= C2C_USEC) {
				int64_t m = units[u].mul / C2C_USEC;
				if (micro > INT64_MAX / m)
					return C2C_ELIMIT;
				x = micro * m;
			} else {
				int64_t div = C2C_USEC / units[u].mul;
				if (micro % div != 0)
					return C2C_EFORMAT;
				x = micro / div;
			}
			goto range;
		}
		return C2C_EFORMAT;
	}
	}
range:
	if (x < k->min || x > k->max)
		return C2C_ELIMIT;
	*v = x;
	return C2C_OK;
}

static c2c_err
set_key(struct c2c_config *cfg, int i, const char *val, const char *src, uint64_t line,
    struct c2c_diag *diag)
{
	int64_t v = 0;
	char *str = NULL;
	c2c_err rc = parse_value(&keys[i], val, &v, &str);
	if (rc == C2C_ENOMEM)
		return rc;
	if (rc == C2C_ELIMIT)
		return c2c_diag_line(diag, C2C_EFORMAT, src, line,
		    "%s.%s = %s: out of range", keys[i].section, keys[i].key, val);
	if (rc != C2C_OK)
		return c2c_diag_line(diag, C2C_EFORMAT, src, line, "%s.%s = %s: not a valid %s",
		    keys[i].section, keys[i].key, val,
		    keys[i].type == C2C_CFG_BOOL   ? "boolean"
		    : keys[i].type == C2C_CFG_INT  ? "integer"
		    : keys[i].type == C2C_CFG_FIX6 ? "decimal (at most 6 fractional digits)"
						   : "duration (e.g. 90s, 4h, 7d)");
	if (keys[i].type == C2C_CFG_STR) {
		if (strcmp(keys[i].section, "detect") == 0 && strcmp(keys[i].key, "mode") == 0 &&
		    strcmp(str, "default") != 0 && strcmp(str, "rita") != 0) {
			c2c_free(str);
			return c2c_diag_line(diag, C2C_EFORMAT, src, line,
			    "detect.mode = %s: must be default or rita", val);
		}
		c2c_free(cfg->s[i]);
		cfg->s[i] = str;
	} else {
		cfg->v[i] = v;
	}
	return C2C_OK;
}

static c2c_err
add_subnet(struct c2c_config *cfg, const char *val, const char *src, uint64_t line,
    struct c2c_diag *diag)
{
	char cidr[80], cc[8] = "";
	struct c2c_subnet sn;
	const char *sp = strpbrk(val, " \t");
	size_t clen = sp ? (size_t)(sp - val) : strlen(val);

	if (clen == 0 || clen >= sizeof(cidr))
		return c2c_diag_line(diag, C2C_EFORMAT, src, line, "internal_subnet: bad CIDR");
	memcpy(cidr, val, clen);
	cidr[clen] = '\0';
	memset(&sn, 0, sizeof(sn));
	if (c2c_cidr_parse(&sn.net, &sn.prefix_len, cidr) != C2C_OK)
		return c2c_diag_line(diag, C2C_EFORMAT, src, line,
		    "internal_subnet: '%s' is not a CIDR", cidr);
	if (sp != NULL) {
		while (*sp == ' ' || *sp == '\t')
			sp++;
		if (strlen(sp) != 2 || sp[0] < 'A' || sp[0] > 'Z' || sp[1] < 'A' || sp[1] > 'Z')
			return c2c_diag_line(diag, C2C_EFORMAT, src, line,
			    "internal_subnet: country '%s' is not an ISO 3166 alpha-2 code", sp);
		memcpy(cc, sp, 3);
	}
	memcpy(sn.country, cc, 3);
	if (cfg->n_subnets >= CFG_MAX_SUBNETS)
		return c2c_diag_line(diag, C2C_EFORMAT, src, line,
		    "more than %d internal_subnet lines", CFG_MAX_SUBNETS);
	if (cfg->subnets == NULL) {
		cfg->subnets = c2c_calloc(CFG_MAX_SUBNETS, sizeof(*cfg->subnets));
		if (cfg->subnets == NULL)
			return C2C_ENOMEM;
	}
	cfg->subnets[cfg->n_subnets++] = sn;
	return C2C_OK;
}

void
c2c_config_free(struct c2c_config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < N_KEYS; i++)
		c2c_free(cfg->s[i]);
	c2c_free(cfg->subnets);
	c2c_free(cfg);
}

c2c_err
c2c_config_new_default(struct c2c_config **out)
{
	struct c2c_config *cfg = c2c_calloc(1, sizeof(*cfg));
	c2c_err rc = C2C_OK;
	if (cfg == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < N_KEYS && rc == C2C_OK; i++)
		rc = set_key(cfg, (int)i, keys[i].def, "built-in", 0, NULL);
	for (size_t i = 0; i < C2C_ARRAY_LEN(default_subnets) && rc == C2C_OK; i++)
		rc = add_subnet(cfg, default_subnets[i], "built-in", 0, NULL);
	if (rc != C2C_OK) {
		c2c_config_free(cfg);
		return rc == C2C_ENOMEM ? rc : C2C_EINVAL;
	}
	*out = cfg;
	return C2C_OK;
}

static char *
trim(char *s)
{
	char *e;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static c2c_err
parse_line(struct c2c_config *cfg, char *line, char *section, size_t seclen, const char *src,
    uint64_t ln, struct c2c_diag *diag)
{
	char *p = trim(line), *eq, *key, *val;

	if (*p == '\0' || *p == '#' || *p == ';')
		return C2C_OK;
	if (*p == '[') {
		char *end = strchr(p, ']');
		if (end == NULL || *trim(end + 1) != '\0')
			return c2c_diag_line(diag, C2C_EFORMAT, src, ln, "bad section header");
		*end = '\0';
		p = trim(p + 1);
		if (!known_section(p))
			return c2c_diag_line(diag, C2C_EFORMAT, src, ln, "unknown section [%s]", p);
		(void)snprintf(section, seclen, "%s", p);
		return C2C_OK;
	}
	eq = strchr(p, '=');
	if (eq == NULL)
		return c2c_diag_line(diag, C2C_EFORMAT, src, ln, "expected 'key = value'");
	if (section[0] == '\0')
		return c2c_diag_line(diag, C2C_EFORMAT, src, ln, "key outside any [section]");
	*eq = '\0';
	key = trim(p);
	val = eq + 1;
	/* An inline comment starts at '#' or ';' preceded by white space. */
	for (char *c = val; *c != '\0'; c++) {
		if ((*c == '#' || *c == ';') && c > val && (c[-1] == ' ' || c[-1] == '\t')) {
			*c = '\0';
			break;
		}
	}
	val = trim(val);
	if (strcmp(section, "network") == 0 && strcmp(key, "internal_subnet") == 0) {
		if (!cfg->subnets_from_file) {
			cfg->n_subnets = 0;
			cfg->subnets_from_file = true;
		}
		return add_subnet(cfg, val, src, ln, diag);
	}
	int i = find_key(section, key);
	if (i < 0)
		return c2c_diag_line(diag, C2C_EFORMAT, src, ln, "unknown key '%s' in [%s]", key,
		    section);
	return set_key(cfg, i, val, src, ln, diag);
}

static c2c_err
check_whole(const struct c2c_config *cfg, const char *src, uint64_t line, struct c2c_diag *diag)
{
	int64_t sum = c2c_config_int(cfg, "beacon.ts_weight") +
	    c2c_config_int(cfg, "beacon.ds_weight") + c2c_config_int(cfg, "beacon.dur_weight") +
	    c2c_config_int(cfg, "beacon.hist_weight");
	if (sum != E6)
		return c2c_diag_line(diag, C2C_EFORMAT, src, line,
		    "beacon weights sum to %lld.%06lld, not 1", (long long)(sum / E6),
		    (long long)(sum % E6));
	if (!(c2c_config_int(cfg, "longconn.base") <= c2c_config_int(cfg, "longconn.low") &&
		c2c_config_int(cfg, "longconn.low") <= c2c_config_int(cfg, "longconn.medium") &&
		c2c_config_int(cfg, "longconn.medium") <= c2c_config_int(cfg, "longconn.high")))
		return c2c_diag_line(diag, C2C_EFORMAT, src, line,
		    "longconn thresholds must satisfy base <= low <= medium <= high");
	if (!(c2c_config_int(cfg, "dnstunnel.base") <= c2c_config_int(cfg, "dnstunnel.low") &&
		c2c_config_int(cfg, "dnstunnel.low") <= c2c_config_int(cfg, "dnstunnel.medium") &&
		c2c_config_int(cfg, "dnstunnel.medium") <= c2c_config_int(cfg, "dnstunnel.high")))
		return c2c_diag_line(diag, C2C_EFORMAT, src, line,
		    "dnstunnel thresholds must satisfy base <= low <= medium <= high");
	if (!(c2c_config_int(cfg, "beacon.bucket_base") <= c2c_config_int(cfg, "beacon.bucket_low") &&
		c2c_config_int(cfg, "beacon.bucket_low") <=
		    c2c_config_int(cfg, "beacon.bucket_medium") &&
		c2c_config_int(cfg, "beacon.bucket_medium") <=
		    c2c_config_int(cfg, "beacon.bucket_high")))
		return c2c_diag_line(diag, C2C_EFORMAT, src, line,
		    "beacon buckets must satisfy base <= low <= medium <= high");
	return C2C_OK;
}

c2c_err
c2c_config_parse(const char *text, size_t len, const char *src, struct c2c_config **out,
    struct c2c_diag *diag)
{
	struct c2c_config *cfg = NULL;
	char section[32] = "";
	char line[1024];
	uint64_t ln = 0;
	size_t pos = 0;
	c2c_err rc = c2c_config_new_default(&cfg);

	if (rc != C2C_OK)
		return rc;
	while (pos < len && rc == C2C_OK) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
		ln++;
		if (l >= sizeof(line)) {
			rc = c2c_diag_line(diag, C2C_EFORMAT, src, ln, "line longer than %zu bytes",
			    sizeof(line) - 1);
			break;
		}
		memcpy(line, text + pos, l);
		line[l] = '\0';
		if (memchr(line, '\0', l) != NULL) {
			rc = c2c_diag_line(diag, C2C_EFORMAT, src, ln, "NUL byte in line");
			break;
		}
		rc = parse_line(cfg, line, section, sizeof(section), src, ln, diag);
		pos += l + (nl != NULL);
	}
	if (rc == C2C_OK)
		rc = check_whole(cfg, src, ln, diag);
	if (rc != C2C_OK) {
		c2c_config_free(cfg);
		return rc;
	}
	*out = cfg;
	return C2C_OK;
}

c2c_err
c2c_config_load(const char *path, struct c2c_config **out, struct c2c_diag *diag)
{
	uint8_t *text = NULL;
	size_t len = 0;
	c2c_err rc = c2c_file_slurp(path, CFG_MAX_FILE, &text, &len, diag);
	if (rc != C2C_OK)
		return rc;
	rc = c2c_config_parse((const char *)text, len, path, out, diag);
	c2c_free(text);
	return rc;
}

c2c_err
c2c_config_set(struct c2c_config *cfg, const char *name, const char *value,
    struct c2c_diag *diag)
{
	int i = find_name(name);
	char buf[1024];
	c2c_err rc;
	if (i < 0)
		return c2c_diag_set(diag, C2C_ENOTFOUND, name, 0, "unknown configuration key");
	(void)snprintf(buf, sizeof(buf), "%s", value);
	rc = set_key(cfg, i, buf, "command line", 1, diag);
	if (rc == C2C_OK)
		rc = check_whole(cfg, "command line", 1, diag);
	return rc;
}

int64_t
c2c_config_int(const struct c2c_config *cfg, const char *name)
{
	int i = find_name(name);
	if (i < 0 || keys[i].type == C2C_CFG_STR)
		return 0;
	return cfg->v[i];
}

bool
c2c_config_bool(const struct c2c_config *cfg, const char *name)
{
	int i = find_name(name);
	return i >= 0 && keys[i].type == C2C_CFG_BOOL && cfg->v[i] != 0;
}

const char *
c2c_config_str(const struct c2c_config *cfg, const char *name)
{
	int i = find_name(name);
	if (i < 0 || keys[i].type != C2C_CFG_STR || cfg->s[i] == NULL)
		return "";
	return cfg->s[i];
}

size_t
c2c_config_n_subnets(const struct c2c_config *cfg)
{
	return cfg->n_subnets;
}

const struct c2c_subnet *
c2c_config_subnet(const struct c2c_config *cfg, size_t i)
{
	return i < cfg->n_subnets ? &cfg->subnets[i] : NULL;
}

bool
c2c_config_is_internal(const struct c2c_config *cfg, const struct c2c_ip *ip,
    const struct c2c_subnet **match)
{
	const struct c2c_subnet *best = NULL;
	for (size_t i = 0; i < cfg->n_subnets; i++) {
		const struct c2c_subnet *s = &cfg->subnets[i];
		if (s->net.family == ip->family && c2c_ip_in_cidr(ip, &s->net, s->prefix_len) &&
		    (best == NULL || s->prefix_len > best->prefix_len))
			best = s;
	}
	if (match != NULL)
		*match = best;
	return best != NULL;
}

/* Text of a value in file syntax (durations in the largest exact unit). */
static void
format_value(const struct c2c_config *cfg, size_t i, char *buf, size_t len)
{
	int64_t v = cfg->v[i];
	switch (keys[i].type) {
	case C2C_CFG_STR:
		(void)snprintf(buf, len, "%s", cfg->s[i] ? cfg->s[i] : "");
		break;
	case C2C_CFG_BOOL:
		(void)snprintf(buf, len, "%s", v ? "true" : "false");
		break;
	case C2C_CFG_INT:
		(void)snprintf(buf, len, "%lld", (long long)v);
		break;
	case C2C_CFG_FIX6: {
		char frac[8];
		int n = 6;
		(void)snprintf(frac, sizeof(frac), "%06lld", (long long)(v % E6));
		while (n > 0 && frac[n - 1] == '0')
			frac[--n] = '\0';
		if (n == 0)
			(void)snprintf(buf, len, "%lld", (long long)(v / E6));
		else
			(void)snprintf(buf, len, "%lld.%s", (long long)(v / E6), frac);
		break;
	}
	case C2C_CFG_DUR:
		if (v != 0 && v % D == 0)
			(void)snprintf(buf, len, "%lldd", (long long)(v / D));
		else if (v != 0 && v % H == 0)
			(void)snprintf(buf, len, "%lldh", (long long)(v / H));
		else if (v != 0 && v % (60 * C2C_USEC) == 0)
			(void)snprintf(buf, len, "%lldm", (long long)(v / (60 * C2C_USEC)));
		else if (v % C2C_USEC == 0)
			(void)snprintf(buf, len, "%llds", (long long)(v / C2C_USEC));
		else
			(void)snprintf(buf, len, "%lldus", (long long)v);
		break;
	}
}

static c2c_err
write_comment(struct c2c_buf *out, const char *doc)
{
	c2c_err rc = C2C_OK;
	while (doc != NULL && *doc != '\0' && rc == C2C_OK) {
		const char *nl = strchr(doc, '\n');
		int l = nl ? (int)(nl - doc) : (int)strlen(doc);
		rc = c2c_buf_printf(out, "# %.*s\n", l, doc);
		doc += l + (nl != NULL);
	}
	return rc;
}

c2c_err
c2c_config_write(const struct c2c_config *cfg, struct c2c_buf *out)
{
	c2c_err rc = c2c_buf_adds(out,
	    "# c2chain.conf: thresholds, weights and internal subnets of the behavioural\n"
	    "# analysis (docs/detection.md). Syntax: [section], key = value, '#' or ';' comments.\n"
	    "# Durations take a unit (us, ms, s, m, h, d; none = seconds); decimals keep at most\n"
	    "# 6 fractional digits. Every finding records the values it used.\n");
	for (size_t s = 0; s < C2C_ARRAY_LEN(section_docs) && rc == C2C_OK; s++) {
		const char *sec = section_docs[s][0];
		rc = c2c_buf_printf(out, "\n[%s]\n", sec);
		if (rc == C2C_OK)
			rc = write_comment(out, section_docs[s][1]);
		if (rc == C2C_OK && strcmp(sec, "network") == 0) {
			rc = write_comment(out,
			    "internal_subnet = CIDR [COUNTRY]: repeat per prefix; the optional ISO 3166\n"
			    "alpha-2 code places the prefix in the country matrix. The first line in a\n"
			    "file replaces this list.");
			for (size_t i = 0; i < cfg->n_subnets && rc == C2C_OK; i++) {
				char ip[C2C_IP_STRLEN];
				const struct c2c_subnet *sn = &cfg->subnets[i];
				rc = c2c_buf_printf(out, "internal_subnet = %s/%u%s%s\n",
				    c2c_ip_format(&sn->net, ip, sizeof(ip)), sn->prefix_len,
				    sn->country[0] ? " " : "", sn->country);
			}
		}
		for (size_t i = 0; i < N_KEYS && rc == C2C_OK; i++) {
			char val[512];
			if (strcmp(keys[i].section, sec) != 0)
				continue;
			if (keys[i].doc != NULL)
				rc = write_comment(out, keys[i].doc);
			format_value(cfg, i, val, sizeof(val));
			if (rc == C2C_OK)
				rc = c2c_buf_printf(out, "%s = %s\n", keys[i].key, val);
		}
	}
	return rc;
}

c2c_err
c2c_config_section_json(const struct c2c_config *cfg, const char *section, json_t *obj)
{
	char name[96];
	c2c_err rc = C2C_OK;
	bool found = false;
	for (size_t i = 0; i < N_KEYS && rc == C2C_OK; i++) {
		if (strcmp(keys[i].section, section) != 0)
			continue;
		found = true;
		switch (keys[i].type) {
		case C2C_CFG_STR:
			rc = c2c_json_set_str(obj, keys[i].key, cfg->s[i] ? cfg->s[i] : "");
			break;
		case C2C_CFG_BOOL:
			rc = c2c_json_set_bool(obj, keys[i].key, cfg->v[i] != 0);
			break;
		case C2C_CFG_INT:
			rc = c2c_json_set_int(obj, keys[i].key, cfg->v[i]);
			break;
		case C2C_CFG_DUR:
			(void)snprintf(name, sizeof(name), "%s_us", keys[i].key);
			rc = c2c_json_set_int(obj, name, cfg->v[i]);
			break;
		case C2C_CFG_FIX6:
			(void)snprintf(name, sizeof(name), "%s_e6", keys[i].key);
			rc = c2c_json_set_int(obj, name, cfg->v[i]);
			break;
		}
	}
	if (!found)
		return C2C_ENOTFOUND;
	return rc;
}

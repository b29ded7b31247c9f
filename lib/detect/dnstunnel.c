/*
 * DNS tunnelling ("C2 over DNS"): per registered domain (public-suffix rules, psl.c), the number
 * of distinct query names under it, the length and Shannon entropy of their subdomain part
 * (fixed point, stats.c) and the share of TXT/NULL queries. The rita mode reports a domain on
 * the count alone (RITA v5: >= 100 names); the default mode also asks for one sign of encoded
 * data, which keeps CDNs with many short, readable host names out. Distinct names are kept as
 * 64-bit keyed hashes in a per-domain open-addressed set, capped per domain.
 */
#include <string.h>

#include "detect/internal.h"

static c2c_err
set_grow(struct c2c__dns_domain *dm)
{
	size_t ncap = dm->set_cap ? dm->set_cap * 2 : 16;
	uint64_t *ns = c2c_calloc(ncap, sizeof(*ns));
	if (ns == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < dm->set_cap; i++) {
		uint64_t h = dm->set[i];
		size_t j;
		if (h == 0)
			continue;
		for (j = (size_t)h & (ncap - 1); ns[j] != 0; j = (j + 1) & (ncap - 1))
			;
		ns[j] = h;
	}
	c2c_free(dm->set);
	dm->set = ns;
	dm->set_cap = ncap;
	return C2C_OK;
}

bool
c2c__dns_name_add(struct c2c__dns_domain *dm, uint64_t h, uint64_t cap, c2c_err *rc)
{
	size_t j;
	*rc = C2C_OK;
	if (h == 0)
		h = 1; /* 0 marks an empty slot */
	if ((dm->unique + 1) * 2 > dm->set_cap && !dm->capped) {
		if ((*rc = set_grow(dm)) != C2C_OK)
			return false;
	}
	for (j = (size_t)h & (dm->set_cap - 1); dm->set[j] != 0; j = (j + 1) & (dm->set_cap - 1))
		if (dm->set[j] == h)
			return false;
	if (dm->unique >= cap) {
		dm->capped = true;
		return false;
	}
	dm->set[j] = h;
	dm->unique++;
	return true;
}

bool
c2c__dns_eval(const struct c2c_config *cfg, bool rita, const struct c2c__dns_domain *dm,
    int64_t *impact_e6, const char **why)
{
	int64_t base = c2c_config_int(cfg, "dnstunnel.base");
	if ((int64_t)dm->unique < base)
		return false;
	*impact_e6 = c2c__bucket_e6((int64_t)dm->unique, base, c2c_config_int(cfg, "dnstunnel.low"),
	    c2c_config_int(cfg, "dnstunnel.medium"), c2c_config_int(cfg, "dnstunnel.high"));
	*why = "unique-names";
	if (rita)
		return true;
	/* mean entropy >= min  <=>  sum >= min * unique (exact, no division). */
	if ((c2c_i128)dm->sum_entropy_e6 >=
	    (c2c_i128)c2c_config_int(cfg, "dnstunnel.min_entropy") * (c2c_i128)dm->unique) {
		*why = "entropy";
		return true;
	}
	if ((c2c_i128)dm->sum_len >=
	    (c2c_i128)c2c_config_int(cfg, "dnstunnel.min_mean_length") * (c2c_i128)dm->unique) {
		*why = "length";
		return true;
	}
	if (dm->queries > 0 &&
	    (c2c_i128)dm->txt_null * C2C_E6 >=
		(c2c_i128)c2c_config_int(cfg, "dnstunnel.min_txt_null_fraction") *
		    (c2c_i128)dm->queries) {
		*why = "txt-null";
		return true;
	}
	return false;
}

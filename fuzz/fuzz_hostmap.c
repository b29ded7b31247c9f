/*
 * Fuzz target for host maps (c2chain scan --host-map CC:FILE): the bytes are a CIDR list. The
 * first byte splits it in two lists (countries CN and US) so repeats and conflicts occur.
 * Whatever the parser accepts is indexed, and for the first and last address of every accepted
 * network the indexed lookup must equal the linear longest-prefix rule (a mismatch aborts).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "c2chain/infra.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct c2c_host_country *lin, size_t nlin, const struct c2c_host_map *m,
    const struct c2c_ip *ip)
{
	struct c2c_infra_opts o;
	char a[3], b[3];
	c2c_infra_opts_default(&o);
	o.host_map = lin;
	o.n_host_map = nlin;
	(void)c2c_infra_host_country(&o, ip, a);
	o.host_map = m->v;
	o.n_host_map = m->n;
	o.host_map_parent = m->parent;
	(void)c2c_infra_host_country(&o, ip, b);
	if (strcmp(a, b) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct c2c_host_map m;
	struct c2c_diag diag;
	struct c2c_host_country *lin;
	size_t split, nlin;
	if (size < 1)
		return 0;
	split = size > 1 ? data[0] % size : 0;
	data++;
	size--;
	if (split > size)
		split = size;
	c2c_host_map_init(&m);
	(void)c2c_host_map_parse(&m, (const char *)data, split, "CN", "a", &diag);
	(void)c2c_host_map_parse(&m, (const char *)data + split, size - split, "US", "b", &diag);
	nlin = m.n;
	lin = c2c_reallocarray(NULL, nlin ? nlin : 1, sizeof(*lin));
	if (lin == NULL) {
		c2c_host_map_fini(&m);
		return 0;
	}
	if (nlin > 0)
		memcpy(lin, m.v, nlin * sizeof(*lin));
	if (c2c_host_map_index(&m) == C2C_OK) {
		for (size_t i = 0; i < nlin && i < 4096; i++) {
			struct c2c_ip lo = lin[i].net, hi = lin[i].net;
			unsigned bits = (lo.family == 4 ? 96 : 0) + lin[i].len;
			for (unsigned k = bits; k < 128; k++)
				hi.a[k / 8] |= (uint8_t)(0x80u >> (k % 8));
			check(lin, nlin, &m, &lo);
			check(lin, nlin, &m, &hi);
		}
	}
	c2c_free(lin);
	c2c_host_map_fini(&m);
	return 0;
}

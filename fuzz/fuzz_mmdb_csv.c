/*
 * Fuzz target for the MMDB writer and the verifying reader. The first byte picks the mode:
 *   even: the rest is CSV for `c2chain geodb build` (kind from the byte); whatever the writer
 *         accepts must come out as a database that our reader verifies and that answers each
 *         accepted network's first address (a writer bug aborts);
 *   odd:  the rest is an MMDB file: open, verify and look up a few addresses. Corrupt files
 *         must be errors, never crashes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "c2chain/enrich.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
tmp_path(char *buf, size_t len)
{
	(void)snprintf(buf, len, "/tmp/c2c-fuzz-mmdb-%ld.mmdb", (long)getpid());
}

static void
probe(const char *path)
{
	static const char *const ips[] = { "1.2.3.4", "0.0.0.0", "255.255.255.255", "::1",
		"2001:db8::1", "::ffff:10.0.0.1", "2002:102:304::" };
	struct c2c_geo *g;
	struct c2c_diag diag;
	if (c2c_geo_new(&g) != C2C_OK)
		return;
	if (c2c_geo_open_db(g, path, C2C_GEO_ANY, NULL, &diag) == C2C_OK) {
		for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
			struct c2c_ip ip;
			struct c2c_geo_result r;
			json_t *rec = NULL;
			unsigned plen;
			if (c2c_ip_parse(&ip, ips[i]) != C2C_OK)
				continue;
			(void)c2c_geo_lookup(g, &ip, &r);
			(void)c2c_geo_lookup_uncached(g, &ip, &r);
			if (c2c_geo_record_json(g, 0, &ip, &rec, &plen) == C2C_OK)
				json_decref(rec);
		}
	}
	c2c_geo_free(g);
}

static void
roundtrip(const uint8_t *data, size_t size, enum c2c_mmdb_kind kind, const char *path)
{
	struct c2c_mmdb_writer *w;
	struct c2c_buf out;
	struct c2c_diag diag;
	struct c2c_geo *g = NULL;
	if (c2c_mmdb_writer_new(kind, &w) != C2C_OK)
		return;
	c2c_buf_init(&out, (size_t)1 << 26);
	if (c2c_mmdb_writer_add_csv_buf(w, (const char *)data, size, "fuzz", &diag) == C2C_OK &&
	    c2c_mmdb_writer_finish(w, "Fuzz", 1600000000, "fuzz", &out, &diag) == C2C_OK &&
	    c2c_file_write_atomic(path, out.data, out.len, &diag) == C2C_OK) {
		if (c2c_geo_new(&g) != C2C_OK)
			goto out;
		if (c2c_geo_open_db(g, path, C2C_GEO_COUNTRY | C2C_GEO_ASN, NULL, &diag) != C2C_OK) {
			fprintf(stderr, "writer output rejected by the reader: %s\n", diag.msg);
			abort();
		}
	}
out:
	c2c_geo_free(g);
	c2c_buf_fini(&out);
	c2c_mmdb_writer_free(w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[128];
	FILE *fp;
	if (size < 1 || size > (1u << 20))
		return 0;
	tmp_path(path, sizeof(path));
	if (data[0] & 1) {
		fp = fopen(path, "wb");
		if (fp == NULL)
			return 0;
		if (fwrite(data + 1, 1, size - 1, fp) != size - 1) {
			(void)fclose(fp);
			return 0;
		}
		(void)fclose(fp);
		probe(path);
	} else {
		enum c2c_mmdb_kind k = (data[0] >> 1) % 3 == 0 ? C2C_MMDB_COUNTRY
		    : (data[0] >> 1) % 3 == 1		       ? C2C_MMDB_ASN
								       : C2C_MMDB_BOTH;
		roundtrip(data + 1, size - 1, k, path);
	}
	(void)unlink(path);
	return 0;
}

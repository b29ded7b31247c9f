/*
 * GeoIP/ASN lookups through libmaxminddb (the only file that includes <maxminddb.h>).
 *
 * A struct c2c_geo holds up to 16 opened databases, each verified completely at open: every
 * search-tree record is classified, every distinct data record is decoded once (and must be a
 * map), metadata values are range-checked, and the exact mapped bytes are SHA-256'd into the
 * pin. Decoding every record at open also fills the "leaf" table (database, data offset) ->
 * (country, ASN, organisation), so a lookup is one tree walk plus one hash probe. In front of
 * that sits a direct-mapped cache of recent addresses: skewed streams (a few hot C2 servers and
 * busy hosts) mostly stop at the cache.
 */
#include "c2chain/enrich.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <maxminddb.h>

#include "enrich/internal.h"

#define GEO_MAX_DB 16
#define GEO_MAX_DEPTH 64
/* build_epoch must survive conversion to microseconds (c2c_time) and the I-JSON range. */
#define GEO_MAX_EPOCH 9223372036853ULL

struct geo_db {
	MMDB_s mmdb;
	bool open;
	char *path;
	const char *dpath; /* the caller's path, named in diagnostics during open */
	struct c2c_geo_db_info info;
	/* IPv4 fast path: the record reached after the first 16 bits of an IPv4 address (from
	 * the IPv4 start node), so a lookup walks at most 16 more nodes in the mapped tree.
	 * Safe because verification proved every record of every node in range. */
	uint32_t *v4jump;
};

#define V4_JUMP_BITS 16

/* Decoded facts of one data record. */
struct leaf {
	uint32_t off;   /* data-section offset */
	uint8_t db;
	uint8_t used;   /* slot in use */
	char cc[3];     /* "" when the record has no country */
	uint32_t asn;   /* 0 when none */
	const char *org; /* owned (c2c_strdup) or the static "" */
};

struct cache_ent {
	uint64_t k0, k1;
	uint8_t fam; /* 0 = empty slot */
	char cc[3];
	int8_t cdb, adb;
	uint32_t asn;
	const char *org;
};

struct c2c_geo {
	struct geo_db db[GEO_MAX_DB];
	unsigned n_db;
	struct leaf *leaves;
	size_t leaf_cap, leaf_n; /* cap is a power of two */
	struct cache_ent *cache;
	uint64_t cache_mask; /* entries - 1; cache NULL when disabled */
	uint64_t hits, misses;
	char scratch_org[256];
};

static const char empty_str[] = "";

/* ---- leaf table: open addressing on (db, offset) ----------------------------------------- */

static uint64_t
leaf_hash(unsigned db, uint32_t off)
{
	uint64_t h = ((uint64_t)db << 32 | off) * 0x9E3779B97F4A7C15ULL;
	return h ^ (h >> 31);
}

static struct leaf *
leaf_find(const struct c2c_geo *g, unsigned db, uint32_t off)
{
	size_t mask, i;
	if (g->leaf_cap == 0)
		return NULL;
	mask = g->leaf_cap - 1;
	for (i = (size_t)leaf_hash(db, off) & mask;; i = (i + 1) & mask) {
		struct leaf *l = &g->leaves[i];
		if (!l->used)
			return NULL;
		if (l->off == off && l->db == db)
			return l;
	}
}

static c2c_err
leaf_grow(struct c2c_geo *g)
{
	size_t ncap = g->leaf_cap ? g->leaf_cap * 2 : 1024;
	struct leaf *nl = c2c_calloc(ncap, sizeof(*nl));
	if (nl == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < g->leaf_cap; i++) {
		struct leaf *l = &g->leaves[i];
		size_t j;
		if (!l->used)
			continue;
		for (j = (size_t)leaf_hash(l->db, l->off) & (ncap - 1); nl[j].used;
		     j = (j + 1) & (ncap - 1))
			;
		nl[j] = *l;
	}
	c2c_free(g->leaves);
	g->leaves = nl;
	g->leaf_cap = ncap;
	return C2C_OK;
}

/* Insert a slot for (db, off); *out points at it (fields to fill). */
static c2c_err
leaf_insert(struct c2c_geo *g, unsigned db, uint32_t off, struct leaf **out)
{
	size_t mask, i;
	if ((g->leaf_n + 1) * 4 > g->leaf_cap * 3) {
		c2c_err rc = leaf_grow(g);
		if (rc != C2C_OK)
			return rc;
	}
	mask = g->leaf_cap - 1;
	for (i = (size_t)leaf_hash(db, off) & mask; g->leaves[i].used; i = (i + 1) & mask)
		;
	memset(&g->leaves[i], 0, sizeof(g->leaves[i]));
	g->leaves[i].used = 1;
	g->leaves[i].db = (uint8_t)db;
	g->leaves[i].off = off;
	g->leaves[i].org = empty_str;
	g->leaf_n++;
	*out = &g->leaves[i];
	return C2C_OK;
}

/* ---- decoding one record's facts --------------------------------------------------------- */

static bool
get_cc(MMDB_entry_s *e, const char *top, char cc[3])
{
	MMDB_entry_data_s d;
	if (MMDB_get_value(e, &d, top, "iso_code", NULL) != MMDB_SUCCESS || !d.has_data ||
	    d.type != MMDB_DATA_TYPE_UTF8_STRING || d.data_size != 2)
		return false;
	for (int i = 0; i < 2; i++) {
		char c = d.utf8_string[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < 'A' || c > 'Z')
			return false;
		cc[i] = c;
	}
	cc[2] = '\0';
	return true;
}

static bool
get_asn(MMDB_entry_s *e, uint32_t *asn)
{
	MMDB_entry_data_s d;
	uint64_t v;
	if (MMDB_get_value(e, &d, "autonomous_system_number", NULL) != MMDB_SUCCESS ||
	    !d.has_data)
		return false;
	switch (d.type) {
	case MMDB_DATA_TYPE_UINT16:
		v = d.uint16;
		break;
	case MMDB_DATA_TYPE_UINT32:
		v = d.uint32;
		break;
	case MMDB_DATA_TYPE_UINT64:
		v = d.uint64;
		break;
	case MMDB_DATA_TYPE_INT32:
		v = d.int32 < 0 ? 0 : (uint64_t)d.int32;
		break;
	default:
		return false;
	}
	if (v == 0 || v > UINT32_MAX)
		return false;
	*asn = (uint32_t)v;
	return true;
}

/* Copy the organisation string (bounded) into buf; false when absent. */
static bool
get_org(MMDB_entry_s *e, char *buf, size_t len)
{
	MMDB_entry_data_s d;
	size_t n;
	if (MMDB_get_value(e, &d, "autonomous_system_organization", NULL) != MMDB_SUCCESS ||
	    !d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING)
		return false;
	n = d.data_size < len - 1 ? d.data_size : len - 1;
	memcpy(buf, d.utf8_string, n);
	buf[n] = '\0';
	/* An embedded NUL would silently truncate; keep what precedes it. */
	return true;
}

/* Decode the facts of the record at `off` of db `di` into the leaf table (once). */
static c2c_err
leaf_load(struct c2c_geo *g, unsigned di, uint32_t off, const struct leaf **out)
{
	struct geo_db *db = &g->db[di];
	MMDB_entry_s e = { .mmdb = &db->mmdb, .offset = off };
	struct leaf *l = leaf_find(g, di, off);
	char org[256];
	c2c_err rc;

	if (l != NULL) {
		*out = l;
		return C2C_OK;
	}
	rc = leaf_insert(g, di, off, &l);
	if (rc != C2C_OK)
		return rc;
	if (!get_cc(&e, "country", l->cc) && !get_cc(&e, "registered_country", l->cc))
		l->cc[0] = '\0';
	if (get_asn(&e, &l->asn) && get_org(&e, org, sizeof(org)) && org[0] != '\0') {
		char *s = c2c_strdup(org);
		if (s == NULL)
			return C2C_ENOMEM; /* the leaf stays with org "" and a valid state */
		l->org = s;
	}
	*out = l;
	return C2C_OK;
}

/* ---- reading the search tree (MaxMind-DB-spec.md "Search Tree Section") ------------------ */

/* Record `side` of node `n`; only called with n < node_count of a verified database. */
static inline uint32_t
node_record(const MMDB_s *m, uint32_t n, unsigned side)
{
	const uint8_t *p;
	switch (m->metadata.record_size) {
	case 24:
		p = m->file_content + (size_t)n * 6 + side * 3;
		return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
	case 28:
		p = m->file_content + (size_t)n * 7;
		if (side == 0)
			return (uint32_t)(p[3] & 0xf0) << 20 | (uint32_t)p[0] << 16 |
			    (uint32_t)p[1] << 8 | p[2];
		return (uint32_t)(p[3] & 0x0f) << 24 | (uint32_t)p[4] << 16 | (uint32_t)p[5] << 8 |
		    p[6];
	default:
		p = m->file_content + (size_t)n * 8 + side * 4;
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	}
}

/* Fill db->v4jump: for every 16-bit prefix, the record reached from the IPv4 start node
 * (a node, empty, or data when the network is shorter than /16). */
static c2c_err
build_v4jump(struct geo_db *db)
{
	const MMDB_s *m = &db->mmdb;
	uint32_t nodes = m->metadata.node_count, start = 0;
	uint32_t *t;
	if (m->metadata.ip_version == 6) {
		/* ::/96 is the IPv4 subtree: 96 left turns from the root. */
		for (int d = 0; d < 96 && start < nodes; d++)
			start = node_record(m, start, 0);
	}
	t = c2c_reallocarray(NULL, (size_t)1 << V4_JUMP_BITS, sizeof(*t));
	if (t == NULL)
		return C2C_ENOMEM;
	for (uint32_t pfx = 0; pfx < (1u << V4_JUMP_BITS); pfx++) {
		uint32_t r = start;
		for (int d = 0; d < V4_JUMP_BITS && r < nodes; d++)
			r = node_record(m, r, (pfx >> (V4_JUMP_BITS - 1 - d)) & 1u);
		t[pfx] = r;
	}
	db->v4jump = t;
	return C2C_OK;
}

/* Data-section offset for an IPv4 address, or false when the address has no record. */
static inline bool
walk_v4(const struct geo_db *db, uint32_t a, uint32_t *off)
{
	const MMDB_s *m = &db->mmdb;
	uint32_t nodes = m->metadata.node_count;
	uint32_t r = db->v4jump[a >> (32 - V4_JUMP_BITS)];
	for (int d = V4_JUMP_BITS; d < 32 && r < nodes; d++)
		r = node_record(m, r, (a >> (31 - d)) & 1u);
	if (r <= nodes)
		return false; /* empty (or still a node after 32 bits: no data) */
	*off = r - nodes - 16;
	return true;
}

/* ---- open and verify --------------------------------------------------------------------- */

static c2c_err
mmdb_err(struct c2c_diag *diag, const char *path, int status)
{
	switch (status) {
	case MMDB_FILE_OPEN_ERROR:
	case MMDB_IO_ERROR:
		return c2c_diag_set(diag, C2C_EIO, path, 0, "cannot read MaxMind DB: %s",
		    MMDB_strerror(status));
	case MMDB_OUT_OF_MEMORY_ERROR:
		return C2C_ENOMEM;
	default:
		return c2c_diag_set(diag, C2C_EFORMAT, path, 0, "not a usable MaxMind DB: %s",
		    MMDB_strerror(status));
	}
}

/* A set of uint32 offsets (open addressing, 0xffffffff = empty). */
struct offset_set {
	uint32_t *v;
	size_t cap, n;
};

static c2c_err
offset_set_add(struct offset_set *s, uint32_t off, bool *added)
{
	size_t i, mask;
	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 4096;
		uint32_t *nv = c2c_reallocarray(NULL, ncap, sizeof(*nv));
		if (nv == NULL)
			return C2C_ENOMEM;
		memset(nv, 0xff, ncap * sizeof(*nv));
		for (size_t j = 0; j < s->cap; j++) {
			if (s->v[j] == UINT32_MAX)
				continue;
			for (i = (size_t)leaf_hash(0, s->v[j]) & (ncap - 1); nv[i] != UINT32_MAX;
			     i = (i + 1) & (ncap - 1))
				;
			nv[i] = s->v[j];
		}
		c2c_free(s->v);
		s->v = nv;
		s->cap = ncap;
	}
	mask = s->cap - 1;
	for (i = (size_t)leaf_hash(0, off) & mask; s->v[i] != UINT32_MAX; i = (i + 1) & mask)
		if (s->v[i] == off) {
			*added = false;
			return C2C_OK;
		}
	s->v[i] = off;
	s->n++;
	*added = true;
	return C2C_OK;
}

static const char *
data_type_name(unsigned t)
{
	static const char *const names[] = { "extended", "pointer", "utf8_string", "double",
		"bytes", "uint16", "uint32", "map", "int32", "uint64", "uint128", "array",
		"container", "end_marker", "boolean", "float" };
	return t < C2C_ARRAY_LEN(names) ? names[t] : "unknown";
}

bool
c2c__utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = p[i];
		size_t k;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1fu;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0fu;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07u;
		} else {
			return false;
		}
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + j] & 0x3fu);
		}
		if ((k == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (k == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += k + 1;
	}
	return true;
}

/* Verify one data record (decoded fully by libmaxminddb, which bounds depth and sizes). */
static c2c_err
verify_record(struct c2c_geo *g, unsigned di, uint32_t off, struct c2c_diag *diag)
{
	struct geo_db *db = &g->db[di];
	MMDB_entry_s e = { .mmdb = &db->mmdb, .offset = off };
	MMDB_entry_data_list_s *list = NULL;
	const struct leaf *l;
	uint64_t where = (uint64_t)(db->mmdb.data_section - db->mmdb.file_content) + off;
	int st = MMDB_get_entry_data_list(&e, &list);
	unsigned type;
	c2c_err rc;

	if (st != MMDB_SUCCESS) {
		MMDB_free_entry_data_list(list);
		if (st == MMDB_OUT_OF_MEMORY_ERROR)
			return C2C_ENOMEM;
		return c2c_diag_set(diag, C2C_EFORMAT, db->dpath, where,
		    "corrupt data record at data-section offset %u: %s", (unsigned)off,
		    MMDB_strerror(st));
	}
	type = list != NULL ? list->entry_data.type : 0;
	for (MMDB_entry_data_list_s *n = list; n != NULL; n = n->next) {
		if (n->entry_data.type == MMDB_DATA_TYPE_UTF8_STRING &&
		    !c2c__utf8_valid((const uint8_t *)n->entry_data.utf8_string, n->entry_data.data_size)) {
			MMDB_free_entry_data_list(list);
			return c2c_diag_set(diag, C2C_EFORMAT, db->dpath, where,
			    "data record at data-section offset %u holds a string that is not "
			    "valid UTF-8", (unsigned)off);
		}
	}
	MMDB_free_entry_data_list(list);
	/* GeoIP2/GeoLite2-style records are maps; only inspection accepts anything else. */
	if (type != MMDB_DATA_TYPE_MAP && !(db->info.use & C2C_GEO_ANY))
		return c2c_diag_set(diag, C2C_EFORMAT, db->dpath, where,
		    "data record at data-section offset %u is a %s, not a map", (unsigned)off,
		    data_type_name(type));
	rc = leaf_load(g, di, off, &l);
	if (rc != C2C_OK)
		return rc;
	if (l->cc[0] != '\0')
		db->info.provides |= C2C_GEO_COUNTRY;
	if (l->asn != 0)
		db->info.provides |= C2C_GEO_ASN;
	return C2C_OK;
}

/* Walk every node; classify both records; decode each distinct data record once. */
static c2c_err
verify_tree(struct c2c_geo *g, unsigned di, struct c2c_diag *diag)
{
	struct geo_db *db = &g->db[di];
	const MMDB_s *m = &db->mmdb;
	uint32_t nodes = m->metadata.node_count;
	uint64_t rec_bytes = m->full_record_byte_size;
	struct offset_set seen = { NULL, 0, 0 };
	c2c_err rc = C2C_OK;

	for (uint32_t i = 0; i < nodes && rc == C2C_OK; i++) {
		MMDB_search_node_s node;
		int st = MMDB_read_node(m, i, &node);
		if (st != MMDB_SUCCESS) {
			rc = c2c_diag_set(diag, C2C_EFORMAT, db->dpath, i * rec_bytes,
			    "search tree node %u unreadable: %s", (unsigned)i, MMDB_strerror(st));
			break;
		}
		for (int side = 0; side < 2 && rc == C2C_OK; side++) {
			uint64_t r = side ? node.right_record : node.left_record;
			bool added;
			uint32_t off;
			/* Another node. Aliases (::ffff:0:0/96 -> the IPv4 subtree) make the tree a
			 * graph and may point to lower-numbered nodes, but never to the root or to
			 * the node itself: those are loops (all-zero nodes look like that). */
			if (r < nodes) {
				if (r == 0 || r == i)
					rc = c2c_diag_set(diag, C2C_EFORMAT, db->dpath, i * rec_bytes,
					    "search tree node %u: %s record points back to node %llu "
					    "(a loop)",
					    (unsigned)i, side ? "right" : "left", (unsigned long long)r);
				continue;
			}
			if (r == nodes)
				continue; /* empty */
			if (r < (uint64_t)nodes + 16 ||
			    r - nodes - 16 >= (uint64_t)m->data_section_size) {
				rc = c2c_diag_set(diag, C2C_EFORMAT, db->dpath, i * rec_bytes,
				    "search tree node %u: %s record %llu points outside the data "
				    "section (node_count %u, data section %u bytes)",
				    (unsigned)i, side ? "right" : "left", (unsigned long long)r,
				    (unsigned)nodes, (unsigned)m->data_section_size);
				break;
			}
			off = (uint32_t)(r - nodes - 16);
			rc = offset_set_add(&seen, off, &added);
			if (rc == C2C_OK && added)
				rc = verify_record(g, di, off, diag);
		}
	}
	db->info.data_records = seen.n;
	c2c_free(seen.v);
	return rc;
}

static c2c_err
verify_metadata(struct geo_db *db, struct c2c_diag *diag)
{
	const MMDB_metadata_s *md = &db->mmdb.metadata;
	uint64_t where = (uint64_t)(db->mmdb.metadata_section - db->mmdb.file_content);
	if (md->binary_format_major_version != 2)
		return c2c_diag_set(diag, C2C_EFORMAT, db->dpath, where,
		    "binary_format_major_version %u (only 2 is defined)",
		    (unsigned)md->binary_format_major_version);
	if (md->record_size != 24 && md->record_size != 28 && md->record_size != 32)
		return c2c_diag_set(diag, C2C_EFORMAT, db->dpath, where, "record_size %u",
		    (unsigned)md->record_size);
	if (md->ip_version != 4 && md->ip_version != 6)
		return c2c_diag_set(diag, C2C_EFORMAT, db->dpath, where, "ip_version %u",
		    (unsigned)md->ip_version);
	if (md->build_epoch > GEO_MAX_EPOCH)
		return c2c_diag_set(diag, C2C_EFORMAT, db->dpath, where,
		    "build_epoch %llu is out of range (after year 2262)",
		    (unsigned long long)md->build_epoch);
	if (md->database_type == NULL || strlen(md->database_type) >= sizeof(db->info.pin.type))
		return c2c_diag_set(diag, C2C_EFORMAT, db->dpath, where,
		    "database_type missing or longer than 63 bytes");
	if (md->node_count == 0)
		return c2c_diag_set(diag, C2C_EFORMAT, db->dpath, where, "node_count is 0");
	return C2C_OK;
}

c2c_err
c2c_geo_new(struct c2c_geo **out)
{
	struct c2c_geo *g = c2c_calloc(1, sizeof(*g));
	c2c_err rc;
	if (g == NULL)
		return C2C_ENOMEM;
	rc = c2c_geo_set_cache(g, 16);
	if (rc != C2C_OK) {
		c2c_free(g);
		return rc;
	}
	*out = g;
	return C2C_OK;
}

void
c2c_geo_free(struct c2c_geo *g)
{
	if (g == NULL)
		return;
	for (unsigned i = 0; i < g->n_db; i++) {
		if (g->db[i].open)
			MMDB_close(&g->db[i].mmdb);
		c2c_free(g->db[i].path);
		c2c_free(g->db[i].v4jump);
	}
	for (size_t i = 0; i < g->leaf_cap; i++)
		if (g->leaves[i].used && g->leaves[i].org != empty_str)
			c2c_free((void *)(uintptr_t)g->leaves[i].org);
	c2c_free(g->leaves);
	c2c_free(g->cache);
	c2c_free(g);
}

/* Retire the leaves of database di after a failed open: they keep their slots (so probe chains
 * stay intact) but move to db 0xff, which no database ever has, and release their strings. */
static void
leaf_drop_db(struct c2c_geo *g, unsigned di)
{
	for (size_t j = 0; j < g->leaf_cap; j++) {
		struct leaf *l = &g->leaves[j];
		if (!l->used || l->db != di)
			continue;
		if (l->org != empty_str)
			c2c_free((void *)(uintptr_t)l->org);
		l->org = empty_str;
		l->db = 0xff;
	}
}

c2c_err
c2c_geo_open_db(struct c2c_geo *g, const char *path, unsigned use,
    const struct c2c_geo_pin *expect, struct c2c_diag *diag)
{
	struct geo_db *db;
	unsigned di;
	int st;
	c2c_err rc;

	if (g == NULL || path == NULL || use == 0 ||
	    (use & ~(C2C_GEO_COUNTRY | C2C_GEO_ASN | C2C_GEO_ANY)))
		return C2C_EINVAL;
	if (g->n_db >= GEO_MAX_DB)
		return c2c_diag_set(diag, C2C_ELIMIT, path, 0, "more than %d databases",
		    GEO_MAX_DB);
	di = g->n_db;
	db = &g->db[di];
	memset(db, 0, sizeof(*db));
	db->path = c2c_strdup(path);
	db->dpath = path;
	if (db->path == NULL)
		return C2C_ENOMEM;
	st = MMDB_open(path, MMDB_MODE_MMAP, &db->mmdb);
	if (st != MMDB_SUCCESS) {
		rc = mmdb_err(diag, path, st);
		goto fail;
	}
	db->open = true;
	rc = verify_metadata(db, diag);
	if (rc != C2C_OK)
		goto fail;
	db->info.path = db->path;
	db->info.ip_version = db->mmdb.metadata.ip_version;
	db->info.record_size = db->mmdb.metadata.record_size;
	db->info.node_count = db->mmdb.metadata.node_count;
	db->info.pin.size = (uint64_t)db->mmdb.file_size;
	db->info.pin.build_epoch = db->mmdb.metadata.build_epoch;
	(void)snprintf(db->info.pin.type, sizeof(db->info.pin.type), "%s",
	    db->mmdb.metadata.database_type);
	/* Pin the bytes libmaxminddb actually mapped, not a second read of the path. */
	c2c_sha256(db->mmdb.file_content, (size_t)db->mmdb.file_size, db->info.pin.sha256);
	if (expect != NULL &&
	    (memcmp(expect->sha256, db->info.pin.sha256, 32) != 0 ||
		expect->size != db->info.pin.size || expect->build_epoch != db->info.pin.build_epoch ||
		strcmp(expect->type, db->info.pin.type) != 0)) {
		char want[65], got[65];
		rc = c2c_diag_set(diag, C2C_EVERIFY, path, 0,
		    "database does not match its pin: want sha256 %s type '%s' build_epoch %llu, "
		    "found sha256 %s type '%s' build_epoch %llu",
		    c2c_hex(expect->sha256, 32, want), expect->type,
		    (unsigned long long)expect->build_epoch, c2c_hex(db->info.pin.sha256, 32, got),
		    db->info.pin.type, (unsigned long long)db->info.pin.build_epoch);
		goto fail;
	}
	db->info.use = use; /* narrowed to what the data provides below */
	g->n_db++; /* leaves are keyed by di; count it now so failures can drop them */
	rc = verify_tree(g, di, diag);
	if (rc == C2C_OK && !(use & C2C_GEO_ANY) && (db->info.provides & use) == 0)
		rc = c2c_diag_set(diag, C2C_EUNSUPPORTED, path, 0,
		    "database type '%s' has no %s data", db->info.pin.type,
		    use == C2C_GEO_ASN ? "ASN" : use == C2C_GEO_COUNTRY ? "country" : "country or ASN");
	if (rc != C2C_OK) {
		g->n_db--;
		leaf_drop_db(g, di);
		goto fail;
	}
	db->info.use = use & (db->info.provides | C2C_GEO_ANY);
	rc = build_v4jump(db);
	if (rc != C2C_OK) {
		g->n_db--;
		leaf_drop_db(g, di);
		goto fail;
	}
	/* A new database can change answers: start the address cache afresh. */
	if (g->cache != NULL)
		memset(g->cache, 0, (size_t)(g->cache_mask + 1) * sizeof(*g->cache));
	return C2C_OK;
fail:
	if (db->open)
		MMDB_close(&db->mmdb);
	c2c_free(db->path);
	c2c_free(db->v4jump);
	memset(db, 0, sizeof(*db));
	return rc;
}

unsigned
c2c_geo_db_count(const struct c2c_geo *g)
{
	return g->n_db;
}

const struct c2c_geo_db_info *
c2c_geo_db_get(const struct c2c_geo *g, unsigned i)
{
	return i < g->n_db ? &g->db[i].info : NULL;
}

c2c_err
c2c_geo_set_cache(struct c2c_geo *g, unsigned log2)
{
	struct cache_ent *c = NULL;
	if (log2 > 24)
		return C2C_EINVAL;
	if (log2 > 0) {
		c = c2c_calloc((size_t)1 << log2, sizeof(*c));
		if (c == NULL)
			return C2C_ENOMEM;
	}
	c2c_free(g->cache);
	g->cache = c;
	g->cache_mask = log2 > 0 ? ((uint64_t)1 << log2) - 1 : 0;
	return C2C_OK;
}

void
c2c_geo_cache_stats(const struct c2c_geo *g, uint64_t *hits, uint64_t *misses)
{
	*hits = g->hits;
	*misses = g->misses;
}

/* ---- lookups ----------------------------------------------------------------------------- */

static void
to_sockaddr(const struct c2c_ip *ip, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ip->family == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, ip->a + 12, 4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, ip->a, 16);
	}
}

static void
result_clear(struct c2c_geo_result *out)
{
	out->country[0] = '\0';
	out->asn = 0;
	out->as_org = empty_str;
	out->country_db = -1;
	out->asn_db = -1;
}

/* Walk the databases in order until country and ASN are both known (or all were asked). */
static c2c_err
resolve(struct c2c_geo *g, const struct c2c_ip *ip, struct c2c_geo_result *out)
{
	struct sockaddr_storage ss;
	result_clear(out);
	if (ip->family != 4 && ip->family != 6)
		return C2C_OK;
	if (ip->family == 6)
		to_sockaddr(ip, &ss);
	for (unsigned i = 0; i < g->n_db; i++) {
		struct geo_db *db = &g->db[i];
		bool want_cc = (db->info.use & C2C_GEO_COUNTRY) && out->country_db < 0;
		bool want_asn = (db->info.use & C2C_GEO_ASN) && out->asn_db < 0;
		MMDB_lookup_result_s r;
		const struct leaf *l;
		int err = 0;
		c2c_err rc;
		uint32_t off;
		if (!want_cc && !want_asn)
			continue;
		if (ip->family == 4) {
			if (!walk_v4(db, c2c_ip_v4(ip), &off))
				continue;
		} else {
			r = MMDB_lookup_sockaddr(&db->mmdb, (const struct sockaddr *)&ss, &err);
			if (err != MMDB_SUCCESS || !r.found_entry)
				continue; /* e.g. an IPv6 address in an IPv4-only database */
			off = r.entry.offset;
		}
		rc = leaf_load(g, i, off, &l);
		if (rc != C2C_OK)
			return rc;
		if (want_cc && l->cc[0] != '\0') {
			memcpy(out->country, l->cc, 3);
			out->country_db = (int8_t)i;
		}
		if (want_asn && l->asn != 0) {
			out->asn = l->asn;
			out->as_org = l->org;
			out->asn_db = (int8_t)i;
		}
	}
	return C2C_OK;
}

c2c_err
c2c_geo_lookup(struct c2c_geo *g, const struct c2c_ip *ip, struct c2c_geo_result *out)
{
	struct cache_ent *e;
	uint64_t k0, k1, h;
	c2c_err rc;

	if (g->cache == NULL) {
		g->misses++;
		return resolve(g, ip, out);
	}
	memcpy(&k0, ip->a, 8);
	memcpy(&k1, ip->a + 8, 8);
	/* Multiplicative mixing is enough here: a collision costs a miss, never a long probe,
	 * so hostile addresses cannot slow the cache down beyond the uncached path. */
	h = k0 * 0x9E3779B97F4A7C15ULL ^ k1 * 0xC2B2AE3D27D4EB4FULL ^ ip->family;
	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9ULL;
	h ^= h >> 32;
	e = &g->cache[h & g->cache_mask];
	if (e->fam == ip->family && e->k0 == k0 && e->k1 == k1 && e->fam != 0) {
		g->hits++;
		memcpy(out->country, e->cc, 3);
		out->asn = e->asn;
		out->as_org = e->org;
		out->country_db = e->cdb;
		out->asn_db = e->adb;
		return C2C_OK;
	}
	g->misses++;
	rc = resolve(g, ip, out);
	if (rc != C2C_OK)
		return rc;
	e->k0 = k0;
	e->k1 = k1;
	e->fam = ip->family;
	memcpy(e->cc, out->country, 3);
	e->asn = out->asn;
	e->org = out->as_org;
	e->cdb = out->country_db;
	e->adb = out->asn_db;
	return C2C_OK;
}

c2c_err
c2c_geo_lookup_uncached(struct c2c_geo *g, const struct c2c_ip *ip, struct c2c_geo_result *out)
{
	struct sockaddr_storage ss;
	result_clear(out);
	if (ip->family != 4 && ip->family != 6)
		return C2C_OK;
	to_sockaddr(ip, &ss);
	g->scratch_org[0] = '\0';
	for (unsigned i = 0; i < g->n_db; i++) {
		struct geo_db *db = &g->db[i];
		bool want_cc = (db->info.use & C2C_GEO_COUNTRY) && out->country_db < 0;
		bool want_asn = (db->info.use & C2C_GEO_ASN) && out->asn_db < 0;
		MMDB_lookup_result_s r;
		int err = 0;
		if (!want_cc && !want_asn)
			continue;
		r = MMDB_lookup_sockaddr(&db->mmdb, (const struct sockaddr *)&ss, &err);
		if (err != MMDB_SUCCESS || !r.found_entry)
			continue;
		if (want_cc && (get_cc(&r.entry, "country", out->country) ||
				   get_cc(&r.entry, "registered_country", out->country)))
			out->country_db = (int8_t)i;
		if (want_asn && get_asn(&r.entry, &out->asn)) {
			out->asn_db = (int8_t)i;
			if (get_org(&r.entry, g->scratch_org, sizeof(g->scratch_org)))
				out->as_org = g->scratch_org;
		}
	}
	return C2C_OK;
}

/* ---- full records as JSON ---------------------------------------------------------------- */

static c2c_err list_to_json(MMDB_entry_data_list_s **pos, unsigned depth, json_t **out);

static c2c_err
scalar_to_json(const MMDB_entry_data_s *d, json_t **out)
{
	char buf[80];
	switch (d->type) {
	case MMDB_DATA_TYPE_UTF8_STRING:
		*out = json_stringn_nocheck(d->utf8_string, d->data_size);
		break;
	case MMDB_DATA_TYPE_DOUBLE:
		*out = json_real(d->double_value);
		break;
	case MMDB_DATA_TYPE_FLOAT:
		*out = json_real((double)d->float_value);
		break;
	case MMDB_DATA_TYPE_UINT16:
		*out = json_integer(d->uint16);
		break;
	case MMDB_DATA_TYPE_UINT32:
		*out = json_integer(d->uint32);
		break;
	case MMDB_DATA_TYPE_INT32:
		*out = json_integer(d->int32);
		break;
	case MMDB_DATA_TYPE_UINT64:
		if (d->uint64 > (uint64_t)INT64_MAX) {
			(void)snprintf(buf, sizeof(buf), "%llu", (unsigned long long)d->uint64);
			*out = json_string(buf);
		} else {
			*out = json_integer((json_int_t)d->uint64);
		}
		break;
	case MMDB_DATA_TYPE_UINT128: {
#if MMDB_UINT128_IS_BYTE_ARRAY
		char hex[33];
		(void)snprintf(buf, sizeof(buf), "0x%s", c2c_hex(d->uint128, 16, hex));
#else
		uint8_t b[16];
		char hex[33];
		mmdb_uint128_t v = d->uint128;
		for (int i = 15; i >= 0; i--) {
			b[i] = (uint8_t)(v & 0xff);
			v >>= 8;
		}
		(void)snprintf(buf, sizeof(buf), "0x%s", c2c_hex(b, 16, hex));
#endif
		*out = json_string(buf);
		break;
	}
	case MMDB_DATA_TYPE_BOOLEAN:
		*out = json_boolean(d->boolean);
		break;
	case MMDB_DATA_TYPE_BYTES: {
		size_t need = 4 * ((d->data_size + 2) / 3) + 1;
		char *s = c2c_malloc(need);
		if (s == NULL)
			return C2C_ENOMEM;
		(void)c2c_base64(d->bytes, d->data_size, s);
		*out = json_string(s);
		c2c_free(s);
		break;
	}
	default:
		return C2C_EFORMAT;
	}
	return *out == NULL ? C2C_ENOMEM : C2C_OK;
}

static c2c_err
list_to_json(MMDB_entry_data_list_s **pos, unsigned depth, json_t **out)
{
	MMDB_entry_data_list_s *n = *pos;
	json_t *v = NULL;
	c2c_err rc = C2C_OK;
	uint32_t count;

	if (n == NULL || depth > GEO_MAX_DEPTH)
		return C2C_EFORMAT;
	*pos = n->next;
	if (n->entry_data.type != MMDB_DATA_TYPE_MAP && n->entry_data.type != MMDB_DATA_TYPE_ARRAY)
		return scalar_to_json(&n->entry_data, out);
	count = n->entry_data.data_size;
	if (n->entry_data.type == MMDB_DATA_TYPE_ARRAY) {
		v = json_array();
		if (v == NULL)
			return C2C_ENOMEM;
		for (uint32_t i = 0; i < count && rc == C2C_OK; i++) {
			json_t *item = NULL;
			rc = list_to_json(pos, depth + 1, &item);
			if (rc == C2C_OK)
				rc = c2c_json_append_new(v, item);
		}
	} else {
		v = json_object();
		if (v == NULL)
			return C2C_ENOMEM;
		for (uint32_t i = 0; i < count && rc == C2C_OK; i++) {
			MMDB_entry_data_list_s *k = *pos;
			json_t *item = NULL;
			char key[256];
			size_t kl;
			if (k == NULL || k->entry_data.type != MMDB_DATA_TYPE_UTF8_STRING) {
				rc = C2C_EFORMAT;
				break;
			}
			kl = k->entry_data.data_size < sizeof(key) - 1 ? k->entry_data.data_size
								       : sizeof(key) - 1;
			memcpy(key, k->entry_data.utf8_string, kl);
			key[kl] = '\0';
			*pos = k->next;
			rc = list_to_json(pos, depth + 1, &item);
			if (rc == C2C_OK)
				rc = c2c_json_set_new(v, key, item);
		}
	}
	if (rc != C2C_OK) {
		json_decref(v);
		return rc;
	}
	*out = v;
	return C2C_OK;
}

c2c_err
c2c_geo_record_json(struct c2c_geo *g, unsigned di, const struct c2c_ip *ip, json_t **out,
    unsigned *prefix_len)
{
	struct sockaddr_storage ss;
	MMDB_lookup_result_s r;
	MMDB_entry_data_list_s *list = NULL, *pos;
	json_t *v = NULL;
	int err = 0;
	c2c_err rc;

	if (di >= g->n_db || (ip->family != 4 && ip->family != 6))
		return C2C_EINVAL;
	to_sockaddr(ip, &ss);
	r = MMDB_lookup_sockaddr(&g->db[di].mmdb, (const struct sockaddr *)&ss, &err);
	if (err != MMDB_SUCCESS || !r.found_entry)
		return C2C_ENOTFOUND;
	err = MMDB_get_entry_data_list(&r.entry, &list);
	if (err != MMDB_SUCCESS) {
		MMDB_free_entry_data_list(list);
		return err == MMDB_OUT_OF_MEMORY_ERROR ? C2C_ENOMEM : C2C_EFORMAT;
	}
	pos = list;
	rc = list_to_json(&pos, 0, &v);
	MMDB_free_entry_data_list(list);
	if (rc != C2C_OK)
		return rc;
	if (prefix_len != NULL) {
		unsigned nm = r.netmask;
		if (ip->family == 4 && g->db[di].info.ip_version == 6)
			nm = nm >= 96 ? nm - 96 : 0;
		*prefix_len = nm;
	}
	*out = v;
	return C2C_OK;
}

/* ---- pins -------------------------------------------------------------------------------- */

char *
c2c_geo_pin_ref(const struct c2c_geo_pin *pin, char *buf, size_t len)
{
	char hex[65];
	(void)snprintf(buf, len, "sha256:%s", c2c_hex(pin->sha256, 32, hex));
	return buf;
}

c2c_err
c2c_geo_pin_json(const struct c2c_geo_db_info *info, json_t **out)
{
	json_t *o = json_object(), *use = json_array();
	char hex[65], ts[40];
	const char *base = strrchr(info->path, '/');
	c2c_err rc = C2C_ENOMEM;

	if (o == NULL || use == NULL)
		goto fail;
	if ((info->use & C2C_GEO_COUNTRY) && json_array_append_new(use, json_string("country")))
		goto fail;
	if ((info->use & C2C_GEO_ASN) && json_array_append_new(use, json_string("asn")))
		goto fail;
	rc = c2c_json_set_new(o, "use", use);
	use = NULL;
	if (rc == C2C_OK)
		rc = c2c_json_set_str(o, "sha256", c2c_hex(info->pin.sha256, 32, hex));
	if (rc == C2C_OK)
		rc = c2c_json_set_int(o, "size", (int64_t)info->pin.size);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(o, "type", info->pin.type);
	if (rc == C2C_OK)
		rc = c2c_json_set_int(o, "build_epoch", (int64_t)info->pin.build_epoch);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(o, "build_time",
		    c2c_time_format_iso((c2c_time)info->pin.build_epoch * C2C_USEC, ts, sizeof(ts)));
	if (rc == C2C_OK)
		rc = c2c_json_set_str(o, "path", base != NULL ? base + 1 : info->path);
	if (rc != C2C_OK)
		goto fail;
	*out = o;
	return C2C_OK;
fail:
	json_decref(use);
	json_decref(o);
	return rc;
}

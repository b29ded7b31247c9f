/*
 * Feed loading: read the file (gzip inflated), fingerprint the raw bytes (SHA-256, size),
 * decide the kind from content unless forced, and hand the bytes to the text, JSON or STIX
 * loader. A folder is a MISP feed: manifest.json names the events, each event file becomes its
 * own feed with its own digest. On an error everything this call added is rolled back.
 */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

#include "c2chain/json.h"
#include "core/internal.h"
#include "intel/internal.h"

#define FEED_CAP ((size_t)1 << 30)

static bool
json_looking(const uint8_t *p, size_t len)
{
	size_t i = 0;
	if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		i = 3;
	while (i < len && c2c__is_space((char)p[i]))
		i++;
	return i < len && (p[i] == '{' || p[i] == '[');
}

enum c2c_feed_kind
c2c_feed_detect(const uint8_t *p, size_t len)
{
	if (json_looking(p, len)) {
		json_t *root = json_loadb((const char *)p, len, 0, NULL);
		enum c2c_feed_kind k = root != NULL ? c2c__json_kind(root) : C2C_FEED_OTHER;
		json_decref(root);
		return k;
	}
	return c2c__text_kind((const char *)p, len);
}

static bool
is_json_kind(enum c2c_feed_kind k)
{
	return k == C2C_FEED_THREATFOX_JSON || k == C2C_FEED_MISP_EVENT || k == C2C_FEED_MISP_FEED ||
	    k == C2C_FEED_STIX || k == C2C_FEED_WARNINGLIST;
}

/* Load a parsed JSON document into an opened feed entry (kind AUTO: from its shape). */
static c2c_err
load_root(struct c2c__feed *f, enum c2c_feed_kind kind, json_t *root, struct c2c_diag *diag)
{
	if (kind == C2C_FEED_AUTO)
		kind = c2c__json_kind(root);
	f->info->kind = kind;
	if (kind == C2C_FEED_OTHER)
		return c2c__intel_note(f, 0, NULL, "", 0, false,
		    "JSON document of no known feed shape (not an indicator feed)");
	if (kind == C2C_FEED_STIX)
		return c2c__load_stix(f, root, diag);
	return c2c__load_json(f, kind, root, diag);
}

/* Load one feed's bytes into an opened feed entry. */
static c2c_err
load_bytes(struct c2c__feed *f, enum c2c_feed_kind forced, const char *p, size_t len,
    struct c2c_diag *diag)
{
	c2c_err err;
	enum c2c_feed_kind kind = forced;
	if (kind == C2C_FEED_AUTO && !json_looking((const uint8_t *)p, len))
		kind = c2c__text_kind(p, len);
	if (kind == C2C_FEED_OTHER && !json_looking((const uint8_t *)p, len)) {
		f->info->kind = C2C_FEED_OTHER;
		return c2c__intel_note(f, 0, NULL, "", 0, false, "not an indicator feed");
	}
	if (kind != C2C_FEED_AUTO && !is_json_kind(kind) && kind != C2C_FEED_OTHER) {
		f->info->kind = kind;
		return c2c__load_text(f, kind, p, len, diag);
	}
	json_t *root = NULL;
	/* jansson can swallow a failed allocation and return a damaged tree: count them */
	uint64_t failures = c2c__alloc_failures();
	if ((err = c2c_json_parse(p, len, f->src, &root, diag)) != C2C_OK)
		return err;
	if (c2c__alloc_failures() != failures) {
		json_decref(root);
		return C2C_ENOMEM;
	}
	err = load_root(f, kind, root, diag);
	json_decref(root);
	return err;
}

static c2c_err
load_dir(struct c2c_intel *in, const char *dir, const struct c2c_feed_opts *opts,
    struct c2c_diag *diag);

c2c_err
c2c_intel_load_mem(struct c2c_intel *in, const char *name, const void *p, size_t len,
    const struct c2c_feed_opts *opts, struct c2c_diag *diag)
{
	struct c2c__feed f;
	c2c_err err;
	struct c2c_rd rd;
	const uint8_t *data;
	size_t avail;
	enum c2c_feed_kind forced = opts != NULL ? opts->kind : C2C_FEED_AUTO;
	if (forced == C2C_FEED_MISP_FEED)
		return C2C_EINVAL;
	if ((err = c2c__intel_feed_open(in, name, opts, &f)) != C2C_OK)
		return err;
	c2c_sha256(p, len, f.info->sha256);
	f.info->size = len;
	/* inflate gzip through the core reader; plain bytes pass through */
	if ((err = c2c_rd_open_mem(&rd, p, len, 0)) != C2C_OK) {
		c2c__intel_feed_abort(&f);
		return err;
	}
	struct c2c_buf b;
	c2c_buf_init(&b, FEED_CAP);
	for (;;) {
		err = c2c_rd_peek(&rd, 65536, &data, &avail);
		if (err == C2C_OK)
			avail = 65536;
		else if (err != C2C_EEND)
			break;
		if (avail > 0 && (err = c2c_buf_add(&b, data, avail)) != C2C_OK)
			break;
		c2c_rd_advance(&rd, avail);
		if (avail < 65536) {
			err = C2C_OK;
			break;
		}
	}
	c2c_rd_close(&rd);
	const char *text = err == C2C_OK ? c2c_buf_cstr(&b) : NULL;
	if (err == C2C_OK && text == NULL)
		err = C2C_ENOMEM;
	if (err == C2C_EFORMAT)
		err = c2c_diag_set(diag, C2C_EFORMAT, name, rd.pos, "corrupt gzip stream");
	if (err == C2C_OK)
		err = load_bytes(&f, forced, text, b.len, diag);
	c2c_buf_fini(&b);
	if (err != C2C_OK)
		c2c__intel_feed_abort(&f);
	return err;
}

c2c_err
c2c_intel_load(struct c2c_intel *in, const char *path, const struct c2c_feed_opts *opts,
    struct c2c_diag *diag)
{
	struct stat st;
	c2c_err err;
	uint8_t *data = NULL;
	size_t len = 0;
	if (stat(path, &st) != 0)
		return c2c_diag_errno(diag, C2C_EIO, path, "stat");
	if (S_ISDIR(st.st_mode))
		return load_dir(in, path, opts, diag);
	enum c2c_feed_kind forced = opts != NULL ? opts->kind : C2C_FEED_AUTO;
	struct c2c__feed f;
	if ((err = c2c__intel_feed_open(in, path, opts, &f)) != C2C_OK)
		return err;
	if ((err = c2c_sha256_file(path, f.info->sha256, &f.info->size, diag)) != C2C_OK ||
	    (err = c2c_file_slurp(path, FEED_CAP, &data, &len, diag)) != C2C_OK) {
		c2c__intel_feed_abort(&f);
		return err;
	}
	if (forced == C2C_FEED_AUTO && json_looking(data, len)) {
		/* Parse once: the document decides its kind and is then loaded as it is. */
		json_t *root = NULL;
		uint64_t failures = c2c__alloc_failures();
		err = c2c_json_parse((const char *)data, len, path, &root, diag);
		if (err == C2C_OK && c2c__alloc_failures() != failures) {
			json_decref(root);
			err = C2C_ENOMEM;
		}
		if (err == C2C_ENOMEM) {
			c2c_free(data);
			c2c__intel_feed_abort(&f);
			return err;
		}
		enum c2c_feed_kind k = C2C_FEED_AUTO;
		if (err == C2C_OK) {
			k = c2c__json_kind(root);
			if (k != C2C_FEED_MISP_FEED) {
				err = load_root(&f, k, root, diag);
				json_decref(root);
				c2c_free(data);
				if (err != C2C_OK)
					c2c__intel_feed_abort(&f);
				return err;
			}
			json_decref(root);
		} else {
			/* Not strict JSON (duplicate keys, say): a lenient parse may still show a
			 * MISP manifest; anything else fails below with the strict parser's message. */
			root = json_loadb((const char *)data, len, 0, NULL);
			k = root ? c2c__json_kind(root) : C2C_FEED_AUTO;
			json_decref(root);
		}
		/* A MISP feed's manifest given as a file stands for its folder. */
		if (k == C2C_FEED_MISP_FEED) {
			c2c_free(data);
			c2c__intel_feed_abort(&f);
			char dir[4096];
			const char *slash = strrchr(path, '/');
			size_t dl = slash ? (size_t)(slash - path) : 1;
			if (dl >= sizeof(dir))
				return c2c_diag_set(diag, C2C_ELIMIT, path, 0, "path too long");
			memcpy(dir, slash ? path : ".", dl);
			dir[dl] = '\0';
			return load_dir(in, dir, opts, diag);
		}
	}
	err = load_bytes(&f, forced, (const char *)data, len, diag);
	c2c_free(data);
	if (err != C2C_OK)
		c2c__intel_feed_abort(&f);
	return err;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* MISP feed folder: manifest.json is an object keyed by event uuid. */
static c2c_err
load_dir(struct c2c_intel *in, const char *dir, const struct c2c_feed_opts *opts,
    struct c2c_diag *diag)
{
	char path[4096];
	uint8_t *data = NULL;
	size_t len;
	json_t *root = NULL;
	c2c_err err;
	struct c2c__feed mf;
	struct c2c_feed_opts eo = { C2C_FEED_MISP_EVENT, opts ? opts->allow : false, NULL };
	size_t feeds_before = c2c_intel_feed_count(in);
	uint64_t failures = c2c__alloc_failures();
	size_t n = 0, k = 0;
	const char **keys = NULL;
	const char *key;
	json_t *val;
	if ((size_t)snprintf(path, sizeof(path), "%s/manifest.json", dir) >= sizeof(path))
		return c2c_diag_set(diag, C2C_ELIMIT, dir, 0, "path too long");
	if ((err = c2c__intel_feed_open(in, path, opts, &mf)) != C2C_OK)
		return err;
	mf.info->kind = C2C_FEED_MISP_FEED;
	if ((err = c2c_sha256_file(path, mf.info->sha256, &mf.info->size, diag)) != C2C_OK ||
	    (err = c2c_file_slurp(path, FEED_CAP, &data, &len, diag)) != C2C_OK ||
	    (err = c2c_json_parse((const char *)data, len, path, &root, diag)) != C2C_OK)
		goto out;
	if (c2c__alloc_failures() != failures) {
		err = C2C_ENOMEM;
		goto out;
	}
	if (!json_is_object(root)) {
		err = c2c_diag_line(diag, C2C_EFORMAT, path, 1,
		    "a MISP feed manifest is an object keyed by event uuid");
		goto out;
	}
	n = json_object_size(root);
	keys = c2c_calloc(n ? n : 1, sizeof(*keys));
	if (keys == NULL) {
		err = C2C_ENOMEM;
		goto out;
	}
	json_object_foreach(root, key, val)
		keys[k++] = key;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (size_t i = 0; i < n && err == C2C_OK; i++) {
		mf.info->entries++;
		bool ok_name = strlen(keys[i]) < 64 && strchr(keys[i], '/') == NULL &&
		    keys[i][0] != '.';
		if (!ok_name) {
			err = c2c__intel_note(&mf, 0, keys[i], keys[i], strlen(keys[i]), true,
			    "manifest key is not an event uuid");
			continue;
		}
		char ep[4096];
		(void)snprintf(ep, sizeof(ep), "%s/%s.json", dir, keys[i]);
		struct stat st;
		if (stat(ep, &st) != 0) {
			err = c2c__intel_note(&mf, 0, keys[i], keys[i], strlen(keys[i]), true,
			    "event listed in the manifest is missing");
			continue;
		}
		/* mf.info may move when the feed table grows: re-fetch after each load */
		uint32_t mid = mf.id;
		err = c2c_intel_load(in, ep, &eo, diag);
		mf.info = c2c__intel_feed_info(in, mid);
	}
out:
	c2c_free(keys);
	json_decref(root);
	c2c_free(data);
	if (err != C2C_OK) {
		/* roll back the manifest and every event loaded so far */
		while (c2c_intel_feed_count(in) > feeds_before) {
			struct c2c__feed last = mf;
			last.id = (uint32_t)c2c_intel_feed_count(in) - 1;
			c2c__intel_feed_abort(&last);
		}
	}
	return err;
}

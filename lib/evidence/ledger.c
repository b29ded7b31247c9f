/*
 * The case and its ledger: an append-only file of canonical JSON lines (ledger/entries.jsonl)
 * whose RFC 6962 tree head is signed as a C2SP checkpoint. The case keeps all entry bytes and
 * leaf hashes in memory (entries are claims and fingerprints, never raw data), the inputs of
 * the current scan, and every evidence reference cited so far (parsed, never as strings);
 * c2c_case_commit turns the cited references into per-input record commitments, writes
 * report.json and signs the new head.
 *
 * Reference lists, record commitments and report.json are written as temporary files first
 * and made durable together (one file-system sync instead of one fsync per file) before they
 * are renamed into place and before the ledger and the signed checkpoint, which are written
 * last, each with its own fsync.
 */
#define _GNU_SOURCE 1 /* syncfs, sync_file_range */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence/internal.h"

struct case_input {
	char *path;
	json_t *fp; /* fingerprint (inputs.json form, without path) */
	struct c2c_input_info info;
};

struct pending_file {
	char *tmp;  /* written and closed; NULL once renamed */
	char *path; /* where it goes */
};

struct c2c_case {
	char *dir;
	struct c2c_signer *signer;
	struct c2c_buf ledger; /* all entry lines, each ending in '\n' */
	uint8_t (*leaves)[32];
	uint64_t n, cap;
	bool have_old;
	uint64_t old_size;
	uint8_t old_root[32];
	int64_t scan; /* number of this scan: 1 + report entries already in the ledger */
	struct case_input *inputs;
	size_t n_inputs;
	json_t *refdata;       /* array of fingerprints with "path" */
	struct c2c__ref *refs; /* cited references */
	size_t n_refs, cap_refs;
	struct pending_file *pend; /* written, not yet durable nor in place */
	size_t n_pend;
	uint64_t n_tmp; /* temporary names handed out */
	unsigned threads; /* c2c_case_opts.threads */
	struct writer *writer; /* started with the first file when threads != 1 */
	struct precommit *pre; /* c2c_case_precommit's work, one per input (NULL: none) */
	size_t pre_refs;       /* refs[0..pre_refs) were cited when it was done */
	bool committed;
};

static void precommit_free(struct c2c_case *c);

/* ---- files made durable as one batch ----------------------------------------------------- */
/* Case files are written as temporary files next to their place, by a writer thread when the
 * case may use two threads (the caller goes on computing the next list meanwhile), then made
 * durable together and renamed into place by flush_files(). */

struct wjob {
	char *tmp;
	uint8_t *data[2]; /* owned; written one after the other */
	size_t len[2];
};

struct writer {
	pthread_t t;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct wjob *q;
	size_t head, n, cap;
	bool closing;
	int err;         /* errno of the first failure, 0 when none */
	const char *bad; /* its temporary file (a pending_file's tmp) */
};

static const char *
write_tmp(const char *tmp, uint8_t *const data[2], const size_t len[2], int *err)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		*err = errno;
		return "create";
	}
	for (int i = 0; i < 2; i++) {
		const uint8_t *q = data[i];
		size_t left = len[i];
		while (left > 0) {
			ssize_t n = write(fd, q, left);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				*err = n < 0 ? errno : EIO;
				(void)close(fd);
				return "write";
			}
			q += n;
			left -= (size_t)n;
		}
	}
#ifdef __linux__
	/* Start writing back now, so that the sync of the batch finds little left to do. */
	(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
	if (close(fd) != 0) {
		*err = errno;
		return "write";
	}
	return NULL;
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	(void)pthread_mutex_lock(&w->mu);
	for (;;) {
		struct wjob j;
		int err = 0;
		while (w->n == 0 && !w->closing)
			(void)pthread_cond_wait(&w->cv, &w->mu);
		if (w->n == 0)
			break;
		j = w->q[w->head];
		w->head = (w->head + 1) % w->cap;
		w->n--;
		(void)pthread_mutex_unlock(&w->mu);
		if (write_tmp(j.tmp, j.data, j.len, &err) != NULL && err == 0)
			err = EIO;
		c2c_free(j.data[0]);
		c2c_free(j.data[1]);
		(void)pthread_mutex_lock(&w->mu);
		if (err != 0 && w->err == 0) {
			w->err = err;
			w->bad = j.tmp;
		}
	}
	(void)pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Start the writer (NULL: write on the calling thread). */
static struct writer *
writer_new(void)
{
	struct writer *w = c2c_calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	if (pthread_mutex_init(&w->mu, NULL) != 0) {
		c2c_free(w);
		return NULL;
	}
	if (pthread_cond_init(&w->cv, NULL) != 0) {
		(void)pthread_mutex_destroy(&w->mu);
		c2c_free(w);
		return NULL;
	}
	if (pthread_create(&w->t, NULL, writer_main, w) != 0) {
		(void)pthread_cond_destroy(&w->cv);
		(void)pthread_mutex_destroy(&w->mu);
		c2c_free(w);
		return NULL;
	}
	return w;
}

/* Queue a write; takes data[] (also when it fails). */
static c2c_err
writer_push(struct writer *w, char *tmp, uint8_t *data[2], const size_t len[2])
{
	c2c_err rc = C2C_OK;
	(void)pthread_mutex_lock(&w->mu);
	if (w->n == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 64;
		struct wjob *nq = c2c_reallocarray(NULL, ncap, sizeof(*nq));
		if (nq == NULL) {
			rc = C2C_ENOMEM;
		} else {
			for (size_t i = 0; i < w->n; i++)
				nq[i] = w->q[(w->head + i) % w->cap];
			c2c_free(w->q);
			w->q = nq;
			w->head = 0;
			w->cap = ncap;
		}
	}
	if (rc == C2C_OK) {
		struct wjob *j = &w->q[(w->head + w->n) % w->cap];
		j->tmp = tmp;
		for (int i = 0; i < 2; i++) {
			j->data[i] = data[i];
			j->len[i] = len[i];
		}
		w->n++;
		(void)pthread_cond_signal(&w->cv);
	}
	(void)pthread_mutex_unlock(&w->mu);
	if (rc != C2C_OK) {
		c2c_free(data[0]);
		c2c_free(data[1]);
	}
	return rc;
}

/* Wait until everything queued is written and stop the writer; *err and *bad name the first
 * failure. */
static void
writer_free(struct writer *w, int *err, const char **bad)
{
	if (w == NULL)
		return;
	(void)pthread_mutex_lock(&w->mu);
	w->closing = true;
	(void)pthread_cond_signal(&w->cv);
	(void)pthread_mutex_unlock(&w->mu);
	(void)pthread_join(w->t, NULL);
	if (err != NULL) {
		*err = w->err;
		*bad = w->bad;
	}
	(void)pthread_cond_destroy(&w->cv);
	(void)pthread_mutex_destroy(&w->mu);
	c2c_free(w->q);
	c2c_free(w);
}

/* Write `path` as a temporary file next to it (now, or queued to the writer): data[0] then
 * data[1]. flush_files() makes the batch durable and renames each into place. A path written
 * twice ends with the last bytes. Takes data[] (c2c_free'd), also on failure. */
static c2c_err
put_file_take(struct c2c_case *c, const char *path, uint8_t *data[2], const size_t len[2],
    struct c2c_diag *diag)
{
	struct pending_file *np;
	size_t tl = strlen(path) + 64;
	char *tmp, *dst;
	const char *what;
	int err = 0;

	np = c2c_reallocarray(c->pend, c->n_pend + 1, sizeof(*np));
	if (np == NULL) {
		c2c_free(data[0]);
		c2c_free(data[1]);
		return C2C_ENOMEM;
	}
	c->pend = np;
	tmp = c2c_malloc(tl);
	dst = c2c_strdup(path);
	if (tmp == NULL || dst == NULL) {
		c2c_free(tmp);
		c2c_free(dst);
		c2c_free(data[0]);
		c2c_free(data[1]);
		return C2C_ENOMEM;
	}
	(void)snprintf(tmp, tl, "%s.tmp.%ld.%llu", path, (long)getpid(),
	    (unsigned long long)c->n_tmp++);
	c->pend[c->n_pend].tmp = tmp;
	c->pend[c->n_pend].path = dst;
	c->n_pend++;
	if (c->threads != 1 && c->writer == NULL)
		c->writer = writer_new(); /* NULL: write here */
	if (c->writer != NULL)
		return writer_push(c->writer, tmp, data, len);
	what = write_tmp(tmp, data, len, &err);
	c2c_free(data[0]);
	c2c_free(data[1]);
	if (what != NULL) {
		errno = err;
		return c2c_diag_errno(diag, C2C_EIO, path, what);
	}
	return C2C_OK;
}

/* put_file_take of the bytes in `b`, then those in `b2` (may be NULL); the buffers are left
 * empty. */
static c2c_err
put_buf2(struct c2c_case *c, const char *path, struct c2c_buf *b, struct c2c_buf *b2,
    struct c2c_diag *diag)
{
	size_t len[2] = { 0, 0 };
	uint8_t *data[2];
	data[0] = b->len > 0 ? c2c_buf_steal(b, &len[0]) : NULL;
	data[1] = b2 != NULL && b2->len > 0 ? c2c_buf_steal(b2, &len[1]) : NULL;
	return put_file_take(c, path, data, len, diag);
}

static c2c_err
put_buf(struct c2c_case *c, const char *path, struct c2c_buf *b, struct c2c_diag *diag)
{
	return put_buf2(c, path, b, NULL, diag);
}

/* Wait for the writer; its first failure (naming the final path). */
static c2c_err
writer_wait(struct c2c_case *c, struct c2c_diag *diag)
{
	const char *bad = NULL;
	int err = 0;
	writer_free(c->writer, &err, &bad);
	c->writer = NULL;
	if (err == 0)
		return C2C_OK;
	for (size_t i = 0; i < c->n_pend; i++)
		if (c->pend[i].tmp == bad) {
			errno = err;
			return c2c_diag_errno(diag, C2C_EIO, c->pend[i].path, "write");
		}
	errno = err;
	return c2c_diag_errno(diag, C2C_EIO, c->dir, "write");
}

/* Drop the batch: temporary files not renamed yet are removed. */
static void
drop_files(struct c2c_case *c)
{
	writer_free(c->writer, NULL, NULL);
	c->writer = NULL;
	for (size_t i = 0; i < c->n_pend; i++) {
		if (c->pend[i].tmp != NULL)
			(void)unlink(c->pend[i].tmp);
		c2c_free(c->pend[i].tmp);
		c2c_free(c->pend[i].path);
	}
	c2c_free(c->pend);
	c->pend = NULL;
	c->n_pend = 0;
}

/* Make every pending file durable: one syncfs(2) of the case's file system where there is
 * one, else an fsync of each file. */
static c2c_err
sync_files(struct c2c_case *c, struct c2c_diag *diag)
{
#ifdef __linux__
	int dfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		int r = syncfs(dfd);
		(void)close(dfd);
		if (r == 0)
			return C2C_OK;
	}
#endif
	for (size_t i = 0; i < c->n_pend; i++) {
		int fd = open(c->pend[i].tmp, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fsync(fd) != 0) {
			c2c_err rc = c2c_diag_errno(diag, C2C_EIO, c->pend[i].path, "fsync");
			if (fd >= 0)
				(void)close(fd);
			return rc;
		}
		(void)close(fd);
	}
	return C2C_OK;
}

/* Written, durable, then in place (in the order queued). */
static c2c_err
flush_files(struct c2c_case *c, struct c2c_diag *diag)
{
	c2c_err rc = writer_wait(c, diag);
	if (rc == C2C_OK && c->n_pend > 0)
		rc = sync_files(c, diag);
	for (size_t i = 0; i < c->n_pend && rc == C2C_OK; i++) {
		if (rename(c->pend[i].tmp, c->pend[i].path) != 0) {
			rc = c2c_diag_errno(diag, C2C_EIO, c->pend[i].path, "rename");
			break;
		}
		c2c_free(c->pend[i].tmp);
		c->pend[i].tmp = NULL;
	}
	drop_files(c);
	return rc;
}

/* Room for `more` cited references. */
static c2c_err
refs_reserve(struct c2c_case *c, size_t more)
{
	size_t ncap = c->cap_refs ? c->cap_refs : 256;
	struct c2c__ref *nr;
	if (c->cap_refs - c->n_refs >= more)
		return C2C_OK;
	while (ncap - c->n_refs < more) {
		if (ncap > SIZE_MAX / 2 / sizeof(*nr))
			return C2C_ENOMEM;
		ncap *= 2;
	}
	nr = c2c_reallocarray(c->refs, ncap, sizeof(*nr));
	if (nr == NULL)
		return C2C_ENOMEM;
	c->refs = nr;
	c->cap_refs = ncap;
	return C2C_OK;
}

static c2c_err
push_leaf(struct c2c_case *c, const void *line, size_t len)
{
	if (c->n == c->cap) {
		uint64_t ncap = c->cap ? c->cap * 2 : 256;
		uint8_t(*nl)[32] = c2c_reallocarray(c->leaves, (size_t)ncap, 32);
		if (nl == NULL)
			return C2C_ENOMEM;
		c->leaves = nl;
		c->cap = ncap;
	}
	c2c_merkle_leaf(line, len, c->leaves[c->n]);
	c->n++;
	return C2C_OK;
}

/* Append `entry` plus "kind" and "scan" (added to a copy) as one canonical line. */
static c2c_err
append_entry(struct c2c_case *c, const char *kind, json_t *entry, uint64_t *index)
{
	size_t start = c->ledger.len;
	c2c_err rc = c2c_json_set_str(entry, "kind", kind);
	if (rc == C2C_OK)
		rc = c2c_json_set_int(entry, "scan", c->scan);
	if (rc == C2C_OK)
		rc = c2c_json_canon(entry, &c->ledger);
	if (rc == C2C_OK)
		rc = c2c_buf_addc(&c->ledger, '\n');
	if (rc == C2C_OK)
		rc = push_leaf(c, c->ledger.data + start, c->ledger.len - start - 1);
	if (rc != C2C_OK) {
		c->ledger.len = start; /* nothing of a failed entry stays */
		return rc;
	}
	if (index != NULL)
		*index = c->n - 1;
	return C2C_OK;
}

static c2c_err
add_ref(struct c2c_case *c, const char *s, struct c2c_diag *diag)
{
	c2c_err rc = refs_reserve(c, 1);
	if (rc != C2C_OK)
		return rc;
	if (c2c__ref_parse(s, &c->refs[c->n_refs]) != C2C_OK)
		return c2c_diag_set(diag, C2C_EFORMAT, "claim", 0, "not an evidence reference: %.120s",
		    s);
	c->n_refs++;
	return C2C_OK;
}

/* Load the existing ledger and check it against the signed checkpoint before appending. */
static c2c_err
load_existing(struct c2c_case *c, struct c2c_diag *diag)
{
	struct c2c_buf path;
	uint8_t *data = NULL, *note = NULL;
	size_t len = 0, note_len = 0, text_len = 0;
	struct c2c_verifier v;
	struct c2c_checkpoint cp;
	uint8_t root[32];
	c2c_err rc;

	c2c_buf_init(&path, 1 << 16);
	rc = c2c__path(&path, c->dir, C2C__CHECKPOINT);
	if (rc != C2C_OK)
		goto out;
	{
		struct stat st;
		if (stat((const char *)path.data, &st) != 0) {
			/* A fresh case: no ledger may exist without a checkpoint. */
			rc = c2c__path(&path, c->dir, C2C__LEDGER);
			if (rc == C2C_OK && stat((const char *)path.data, &st) == 0)
				rc = c2c_diag_set(diag, C2C_EVERIFY, C2C__LEDGER, 0,
				    "ledger without a checkpoint: refusing to append");
			goto out;
		}
	}
	rc = c2c_file_slurp((const char *)path.data, 1 << 20, &note, &note_len, diag);
	if (rc != C2C_OK)
		goto out;
	/* The existing checkpoint must carry our signature (a case changes keys only through a
	 * new case). */
	c2c_signer_verifier(c->signer, &v);
	rc = c2c_note_open(note, note_len, &v, &text_len, diag);
	if (rc == C2C_OK && c2c_checkpoint_parse((const char *)note, text_len, &cp) != C2C_OK)
		rc = c2c_diag_set(diag, C2C_EFORMAT, C2C__CHECKPOINT, 0, "malformed checkpoint");
	if (rc != C2C_OK) {
		if (rc == C2C_ENOTFOUND)
			rc = C2C_EVERIFY;
		goto out;
	}
	rc = c2c__path(&path, c->dir, C2C__LEDGER);
	if (rc == C2C_OK)
		rc = c2c_file_slurp((const char *)path.data, C2C__FILE_CAP, &data, &len, diag);
	if (rc != C2C_OK)
		goto out;
	for (size_t pos = 0; pos < len;) {
		const uint8_t *nl = memchr(data + pos, '\n', len - pos);
		size_t l;
		if (nl == NULL) {
			rc = c2c_diag_set(diag, C2C_EVERIFY, C2C__LEDGER, pos, "truncated ledger line");
			goto out;
		}
		l = (size_t)(nl - (data + pos));
		rc = push_leaf(c, data + pos, l);
		if (rc != C2C_OK)
			goto out;
		pos += l + 1;
	}
	c2c_merkle_root((const uint8_t(*)[32])c->leaves, c->n, root);
	if (c->n != cp.size || memcmp(root, cp.root, 32) != 0) {
		rc = c2c_diag_set(diag, C2C_EVERIFY, C2C__LEDGER, 0,
		    "ledger (%llu entries) does not match the signed checkpoint (%llu entries): "
		    "refusing to append", (unsigned long long)c->n, (unsigned long long)cp.size);
		goto out;
	}
	/* Authentic entries: count the scans (one report entry closes each). */
	for (size_t pos = 0; pos < len;) {
		const uint8_t *nl = memchr(data + pos, '\n', len - pos);
		size_t l = (size_t)(nl - (data + pos));
		json_t *e = NULL;
		rc = c2c_json_parse((const char *)data + pos, l, C2C__LEDGER, &e, diag);
		if (rc != C2C_OK)
			goto out;
		if (json_is_string(json_object_get(e, "kind")) &&
		    strcmp(json_string_value(json_object_get(e, "kind")), "report") == 0)
			c->scan++;
		json_decref(e);
		pos += l + 1;
	}
	rc = c2c_buf_add(&c->ledger, data, len);
	c->have_old = true;
	c->old_size = cp.size;
	memcpy(c->old_root, cp.root, 32);
out:
	c2c_free(data);
	c2c_free(note);
	c2c_buf_fini(&path);
	return rc;
}

static c2c_err
load_or_create_key(struct c2c_case *c, const struct c2c_case_opts *opts, struct c2c_diag *diag)
{
	struct c2c_buf path, kb;
	struct stat st;
	c2c_err rc;

	c2c_buf_init(&path, 1 << 16);
	c2c_buf_init(&kb, 4096);
	if (opts != NULL && opts->key_path != NULL) {
		rc = c2c_signer_load(opts->key_path, &c->signer, diag);
	} else {
		rc = c2c__path(&path, c->dir, C2C__SKEY);
		if (rc == C2C_OK && stat((const char *)path.data, &st) == 0) {
			rc = c2c_signer_load((const char *)path.data, &c->signer, diag);
		} else if (rc == C2C_OK) {
			char name[C2C_NOTE_NAME_MAX];
			const char *base = strrchr(c->dir, '/');
			base = base != NULL && base[1] != '\0' ? base + 1 : c->dir;
			if (opts != NULL && opts->origin != NULL)
				(void)snprintf(name, sizeof(name), "%s", opts->origin);
			else
				(void)snprintf(name, sizeof(name), "c2chain/%s", base);
			for (char *p = name; *p; p++)
				if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '+')
					*p = '_';
			rc = c2c_signer_new(name, &c->signer);
			if (rc == C2C_EINVAL)
				rc = c2c_diag_set(diag, rc, c->dir, 0, "unusable origin name");
			if (rc == C2C_OK)
				rc = c2c_signer_skey(c->signer, &kb);
			if (rc == C2C_OK)
				rc = c2c_buf_addc(&kb, '\n');
			if (rc == C2C_OK)
				rc = c2c__write_private((const char *)path.data, kb.data, kb.len, diag);
		}
	}
	if (rc != C2C_OK)
		goto out;
	/* The public key file third parties use with `verify --trust`. */
	c2c_buf_reset(&kb);
	rc = c2c_signer_vkey(c->signer, &kb);
	if (rc == C2C_OK)
		rc = c2c_buf_addc(&kb, '\n');
	if (rc == C2C_OK)
		rc = c2c__path(&path, c->dir, C2C__VKEY);
	if (rc == C2C_OK)
		rc = c2c_file_write_atomic((const char *)path.data, kb.data, kb.len, diag);
out:
	c2c_buf_fini(&path);
	c2c_buf_fini(&kb);
	return rc;
}

c2c_err
c2c_case_open(const char *dir, const struct c2c_case_opts *opts, struct c2c_case **out,
    struct c2c_diag *diag)
{
	static const char *const subdirs[] = { "ledger/checkpoints", "ledger/consistency", "key",
		"evidence/refs", "evidence/records" };
	struct c2c_case *c;
	c2c_err rc = C2C_ENOMEM;

	c = c2c_calloc(1, sizeof(*c));
	if (c == NULL)
		return C2C_ENOMEM;
	c2c_buf_init(&c->ledger, C2C__FILE_CAP);
	c->scan = 1;
	c->threads = opts != NULL ? opts->threads : 0;
	c->dir = c2c_strdup(dir);
	c->refdata = json_array();
	if (c->dir == NULL || c->refdata == NULL)
		goto fail;
	for (size_t i = 0; i < C2C_ARRAY_LEN(subdirs); i++) {
		rc = c2c__mkdirs(dir, subdirs[i], diag);
		if (rc != C2C_OK)
			goto fail;
	}
	rc = load_or_create_key(c, opts, diag);
	if (rc == C2C_OK)
		rc = load_existing(c, diag);
	if (rc != C2C_OK)
		goto fail;
	*out = c;
	return C2C_OK;
fail:
	c2c_case_close(c);
	return rc;
}

void
c2c_case_close(struct c2c_case *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_inputs; i++) {
		c2c_free(c->inputs[i].path);
		json_decref(c->inputs[i].fp);
	}
	drop_files(c);
	precommit_free(c);
	c2c_free(c->refs);
	c2c_free(c->inputs);
	json_decref(c->refdata);
	c2c_free(c->leaves);
	c2c_buf_fini(&c->ledger);
	c2c_signer_free(c->signer);
	c2c_free(c->dir);
	c2c_free(c);
}

void
c2c_case_tree(const struct c2c_case *c, uint64_t *size, uint8_t root[32])
{
	*size = c->n;
	c2c_merkle_root((const uint8_t(*)[32])c->leaves, c->n, root);
}

static const uint8_t zero_sha[32];

c2c_err
c2c_case_add_input(struct c2c_case *c, const char *path, const struct c2c_input_info *info,
    struct c2c_diag *diag)
{
	struct case_input *ni, *in;
	json_t *entry = NULL;
	c2c_err rc;

	if (c->committed || memcmp(info->sha256, zero_sha, 32) == 0)
		return c2c_diag_set(diag, C2C_EINVAL, path, 0,
		    c->committed ? "case already committed" : "input has no digest (hash off?)");
	ni = c2c_reallocarray(c->inputs, c->n_inputs + 1, sizeof(*ni));
	if (ni == NULL)
		return C2C_ENOMEM;
	c->inputs = ni;
	in = &c->inputs[c->n_inputs];
	memset(in, 0, sizeof(*in));
	in->info = *info;
	in->path = c2c_strdup(path);
	if (in->path == NULL)
		return C2C_ENOMEM;
	rc = c2c_fingerprint_input(path, info, &in->fp);
	if (rc == C2C_OK) {
		entry = json_deep_copy(in->fp);
		rc = entry != NULL ? append_entry(c, "input", entry, NULL) : C2C_ENOMEM;
	}
	json_decref(entry);
	if (rc != C2C_OK) {
		c2c_free(in->path);
		json_decref(in->fp);
		return rc;
	}
	c->n_inputs++;
	return C2C_OK;
}

c2c_err
c2c_case_add_refdata(struct c2c_case *c, const char *path, const char *kind, uint8_t sha[32],
    struct c2c_diag *diag)
{
	json_t *fp = NULL, *entry = NULL;
	c2c_err rc;

	if (c->committed)
		return c2c_diag_set(diag, C2C_EINVAL, path, 0, "case already committed");
	rc = c2c_fingerprint_refdata(path, kind, &fp, diag);
	if (rc != C2C_OK)
		return rc;
	entry = json_deep_copy(fp);
	rc = entry != NULL ? append_entry(c, "refdata", entry, NULL) : C2C_ENOMEM;
	if (rc == C2C_OK && sha != NULL)
		rc = c2c_unhex(json_string_value(json_object_get(fp, "sha256")), 64, sha, 32);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(fp, "path", path);
	if (rc == C2C_OK) {
		rc = c2c_json_append_new(c->refdata, fp);
		fp = NULL;
	}
	json_decref(entry);
	json_decref(fp);
	return rc;
}

static int
cmp_ref_text(const void *a, const void *b)
{
	return c2c__ref_text_cmp(a, b);
}

/* Render references [lo, hi) of a sorted list into `text` (one per line) and hash each as a
 * Merkle leaf. One of these may run on a second thread: it touches only its own range. */
struct leaf_job {
	const struct c2c__ref *v;
	size_t lo, hi;
	uint8_t (*leaves)[32]; /* NULL: render only */
	struct c2c_buf text;
	c2c_err rc;
};

static void
leaf_job_run(void *arg)
{
	struct leaf_job *j = arg;
	const uint8_t *hex_of = NULL;
	char hex[65];

	j->rc = c2c_buf_reserve(&j->text, (j->hi - j->lo) * 96);
	for (size_t i = j->lo; i < j->hi && j->rc == C2C_OK; i++) {
		char line[1 + C2C_EVREF_STRLEN]; /* 0x00 || reference: the leaf's input */
		size_t len;
		if (hex_of == NULL || memcmp(hex_of, j->v[i].sha, 32) != 0) {
			(void)c2c_hex(j->v[i].sha, 32, hex);
			hex_of = j->v[i].sha;
		}
		line[0] = 0x00;
		len = c2c__ref_text(&j->v[i], hex, line + 1);
		if (j->leaves != NULL)
			c2c_sha256(line, len + 1, j->leaves[i]);
		line[len + 1] = '\n';
		j->rc = c2c_buf_add(&j->text, line + 1, len + 1);
	}
}

/* A reference list made ready to store: sorted and unique refs, the file text, the root. */
struct list_prep {
	struct c2c__ref *v; /* owned when from a batch */
	size_t n, k;        /* given, after de-duplication */
	struct c2c_buf text;
	uint8_t root[32];
	bool have_root; /* the caller gave the root of the list as given */
	c2c_err rc;
};

/* Sort p->v in reference-string order, drop repeats, render each reference once into the
 * list's text and hash it as a leaf, and compute the root; with `par`, a long list is rendered
 * and hashed in two halves on two threads. Touches nothing but `p`. */
static void
prep_list(struct list_prep *p, bool par)
{
	struct c2c__ref *v = p->v;
	uint8_t(*leaves)[32];
	struct leaf_job job[2];
	struct c2c__task t;
	size_t k, n = p->n;

	/* Lists from detection arrive sorted and unique already: check before sorting. */
	for (k = 1; k < n && c2c__ref_text_cmp(&v[k - 1], &v[k]) < 0; k++)
		;
	if (k < n) {
		qsort(v, n, sizeof(*v), cmp_ref_text);
		k = 0;
		for (size_t i = 0; i < n; i++)
			if (k == 0 || c2c__ref_text_cmp(&v[k - 1], &v[i]) != 0)
				v[k++] = v[i];
		p->have_root = false; /* a root given was not of this order */
	} else {
		k = n;
	}
	p->k = k;
	leaves = NULL;
	if (!p->have_root && (leaves = c2c_reallocarray(NULL, k ? k : 1, 32)) == NULL) {
		p->rc = C2C_ENOMEM; /* (written in full below) */
		return;
	}
	par = par && k >= C2C__PAR_MIN;
	for (int i = 0; i < 2; i++) {
		job[i].v = v;
		job[i].leaves = leaves;
		job[i].rc = C2C_OK;
	}
	job[0].text = p->text; /* the first half renders straight into the list's text */
	c2c_buf_init(&job[1].text, C2C__FILE_CAP);
	job[0].lo = 0;
	job[0].hi = job[1].lo = par ? k / 2 : k;
	job[1].hi = k;
	c2c__task_start(&t, par, leaf_job_run, &job[1]);
	leaf_job_run(&job[0]);
	c2c__task_join(&t);
	p->text = job[0].text;
	p->rc = job[0].rc != C2C_OK ? job[0].rc : job[1].rc;
	if (p->rc == C2C_OK && job[1].text.len > 0)
		p->rc = c2c_buf_add(&p->text, job[1].text.data, job[1].text.len);
	c2c_buf_fini(&job[1].text);
	if (p->rc == C2C_OK && leaves != NULL)
		c2c__merkle_root_par((const uint8_t(*)[32])leaves, k, par, p->root);
	c2c_free(leaves);
}

/* Add a prepared list to the case: its references join the cited set and its text is written
 * as evidence/refs/<root>.txt. */
static c2c_err
store_prep(struct c2c_case *c, struct list_prep *p, struct c2c_diag *diag)
{
	struct c2c_buf path;
	char hex[65];
	c2c_err rc = p->rc;

	if (rc == C2C_OK)
		rc = refs_reserve(c, p->k);
	if (rc != C2C_OK)
		return rc;
	if (p->k > 0)
		memcpy(c->refs + c->n_refs, p->v, p->k * sizeof(*p->v));
	c->n_refs += p->k;
	c2c_buf_init(&path, 1 << 16);
	rc = c2c_buf_printf(&path, "%s/%s/%s.txt", c->dir, C2C__REFSDIR, c2c_hex(p->root, 32, hex));
	if (rc == C2C_OK && c2c_buf_cstr(&path) == NULL)
		rc = C2C_ENOMEM;
	if (rc == C2C_OK)
		rc = put_buf(c, (const char *)path.data, &p->text, diag);
	c2c_buf_fini(&path);
	return rc;
}

/* One list: prepare (on two threads when long) and store. */
static c2c_err
store_reflist(struct c2c_case *c, struct c2c__ref *v, size_t n, uint8_t root[32],
    uint64_t *count, struct c2c_diag *diag)
{
	struct list_prep p;
	c2c_err rc;

	memset(&p, 0, sizeof(p));
	p.v = v;
	p.n = n;
	c2c_buf_init(&p.text, C2C__FILE_CAP);
	prep_list(&p, c->threads != 1);
	rc = store_prep(c, &p, diag);
	if (rc == C2C_OK) {
		memcpy(root, p.root, 32);
		if (count != NULL)
			*count = p.k;
	}
	c2c_buf_fini(&p.text);
	return rc;
}

c2c_err
c2c_case_add_reflist(struct c2c_case *c, const char *const *refs, size_t n, uint8_t root[32],
    uint64_t *count, struct c2c_diag *diag)
{
	struct c2c__ref *v;
	c2c_err rc;

	if (c->committed)
		return c2c_diag_set(diag, C2C_EINVAL, c->dir, 0, "case already committed");
	v = c2c_reallocarray(NULL, n ? n : 1, sizeof(*v)); /* every element parsed below */
	if (v == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (c2c__ref_parse(refs[i], &v[i]) != C2C_OK) {
			rc = c2c_diag_set(diag, C2C_EFORMAT, "reference list", i,
			    "not an evidence reference: %.120s", refs[i]);
			c2c_free(v);
			return rc;
		}
	rc = store_reflist(c, v, n, root, count, diag);
	c2c_free(v);
	return rc;
}

c2c_err
c2c_case_add_evrefs(struct c2c_case *c, const struct c2c_evref *refs, size_t n,
    uint8_t root[32], uint64_t *count, struct c2c_diag *diag)
{
	struct c2c__ref *v;
	c2c_err rc;

	if (c->committed)
		return c2c_diag_set(diag, C2C_EINVAL, c->dir, 0, "case already committed");
	v = c2c_reallocarray(NULL, n ? n : 1, sizeof(*v)); /* every element set below */
	if (v == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (refs[i].input >= c->n_inputs) {
			rc = c2c_diag_set(diag, C2C_EINVAL, "reference list", i,
			    "reference to input %u of %zu", refs[i].input, c->n_inputs);
			c2c_free(v);
			return rc;
		}
		memcpy(v[i].sha, c->inputs[refs[i].input].info.sha256, 32);
		v[i].off = refs[i].off;
		v[i].len = refs[i].len;
		v[i].rec = refs[i].rec;
	}
	rc = store_reflist(c, v, n, root, count, diag);
	c2c_free(v);
	return rc;
}

/* ---- many lists at once ------------------------------------------------------------------ */

#define BATCH_WINDOW 64 /* lists prepared ahead of storing (bounds the texts held) */

struct batch {
	const struct c2c_case *c;
	const struct c2c_evref *const *refs;
	struct list_prep *p; /* the window's lists */
	size_t n;
	atomic_size_t next;
};

/* Parse-free preparation of one list: binary references named by input index. */
static void
prep_evrefs(struct batch *b, size_t i, const struct c2c_evref *refs)
{
	struct list_prep *p = &b->p[i];
	p->v = c2c_reallocarray(NULL, p->n ? p->n : 1, sizeof(*p->v)); /* set in full below */
	if (p->v == NULL) {
		p->rc = C2C_ENOMEM;
		return;
	}
	for (size_t k = 0; k < p->n; k++) {
		if (refs[k].input >= b->c->n_inputs) {
			p->rc = C2C_EINVAL;
			return;
		}
		memcpy(p->v[k].sha, b->c->inputs[refs[k].input].info.sha256, 32);
		p->v[k].off = refs[k].off;
		p->v[k].len = refs[k].len;
		p->v[k].rec = refs[k].rec;
	}
	prep_list(p, false);
}

/* Both threads take the window's lists in turn. */
static void
batch_run(void *arg)
{
	struct batch *b = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&b->next, 1);
		if (i >= b->n)
			break;
		prep_evrefs(b, i, b->refs[i]);
	}
}

c2c_err
c2c_case_add_evref_lists(struct c2c_case *c, const struct c2c_evref *const *refs,
    const size_t *n, const uint8_t (*roots)[32], size_t n_lists, struct c2c_diag *diag)
{
	struct list_prep p[BATCH_WINDOW];
	struct batch b;
	c2c_err rc = C2C_OK;

	if (c->committed)
		return c2c_diag_set(diag, C2C_EINVAL, c->dir, 0, "case already committed");
	b.c = c;
	b.p = p;
	for (size_t w = 0; w < n_lists && rc == C2C_OK; w += BATCH_WINDOW) {
		struct c2c__task t;
		b.refs = refs + w;
		b.n = n_lists - w < BATCH_WINDOW ? n_lists - w : BATCH_WINDOW;
		atomic_init(&b.next, 0);
		for (size_t i = 0; i < b.n; i++) {
			memset(&p[i], 0, sizeof(p[i]));
			p[i].n = n[w + i];
			if (roots != NULL) {
				memcpy(p[i].root, roots[w + i], 32);
				p[i].have_root = true;
			}
			c2c_buf_init(&p[i].text, C2C__FILE_CAP);
		}
		c2c__task_start(&t, c->threads != 1 && b.n > 1, batch_run, &b);
		batch_run(&b);
		c2c__task_join(&t);
		/* Stored in list order, whatever thread prepared them. */
		for (size_t i = 0; i < b.n; i++) {
			if (rc == C2C_OK) {
				rc = store_prep(c, &p[i], diag);
				if (rc == C2C_EINVAL)
					(void)c2c_diag_set(diag, rc, "reference list", w + i,
					    "reference to an input that was not added");
			}
			c2c_free(p[i].v);
			c2c_buf_fini(&p[i].text);
		}
	}
	return rc;
}

static c2c_err
collect_refs(struct c2c_case *c, const json_t *arr, struct c2c_diag *diag)
{
	size_t i;
	json_t *v;
	if (arr == NULL)
		return C2C_OK;
	if (!json_is_array(arr))
		return c2c_diag_set(diag, C2C_EINVAL, "claim", 0, "evidence lists must be arrays");
	json_array_foreach(arr, i, v) {
		c2c_err rc;
		if (!json_is_string(v))
			return c2c_diag_set(diag, C2C_EINVAL, "claim", i,
			    "evidence references must be strings");
		rc = add_ref(c, json_string_value(v), diag);
		if (rc != C2C_OK)
			return rc;
	}
	return C2C_OK;
}

c2c_err
c2c_case_append(struct c2c_case *c, const char *kind, const json_t *claim, uint64_t *index,
    struct c2c_diag *diag)
{
	const json_t *ev;
	json_t *entry;
	c2c_err rc;

	if (c->committed)
		return c2c_diag_set(diag, C2C_EINVAL, kind, 0, "case already committed");
	if (kind == NULL || (strcmp(kind, "finding") != 0 && strcmp(kind, "assessment") != 0))
		return c2c_diag_set(diag, C2C_EINVAL, "claim", 0,
		    "ledger claims are findings or assessments");
	if (!json_is_object(claim) || !json_is_string(json_object_get(claim, "id")))
		return c2c_diag_set(diag, C2C_EINVAL, "claim", 0, "a claim is an object with an id");
	ev = json_object_get(claim, "evidence");
	if (ev != NULL) {
		rc = collect_refs(c, json_object_get(ev, "refs"), diag);
		if (rc == C2C_OK)
			rc = collect_refs(c, json_object_get(ev, "deps"), diag);
		if (rc == C2C_OK)
			rc = collect_refs(c, json_object_get(ev, "samples"), diag);
		if (rc != C2C_OK)
			return rc;
	}
	entry = json_object();
	if (entry == NULL)
		return C2C_ENOMEM;
	rc = json_object_set(entry, "claim", (json_t *)(uintptr_t)claim) == 0 ? C2C_OK
									     : C2C_ENOMEM;
	if (rc == C2C_OK)
		rc = append_entry(c, kind, entry, index);
	if (rc == C2C_EINVAL)
		(void)c2c_diag_set(diag, rc, json_string_value(json_object_get(claim, "id")), 0,
		    "claim is not canonical JSON (a real number or a non-ASCII key)");
	json_decref(entry);
	return rc;
}

/* ---- commit ------------------------------------------------------------------------------ */

/* Read records [0, n) of `refs` (sorted, one input) back from the input, digest each, and
 * write its commitment line and leaf. One of these may run on a second thread over its own
 * range, reader, buffer and diag. */
struct rec_job {
	const char *path;
	const struct c2c__ref *refs;
	size_t n;
	const char *hex; /* of the input's digest */
	uint8_t (*leaves)[32];
	struct c2c_buf text;
	struct c2c_diag diag;
	c2c_err rc;
};

static c2c_err
commit_record(void *ctx, size_t i, const uint8_t *p, size_t len)
{
	struct rec_job *j = ctx;
	char line[1 + C2C__RECLINE_MAX]; /* 0x00 || line: the leaf's input */
	uint8_t d[32];
	size_t n;
	c2c_sha256(p, len, d);
	line[0] = 0x00;
	n = c2c__records_text(&j->refs[i], j->hex, d, line + 1);
	c2c_sha256(line, n + 1, j->leaves[i]);
	line[n + 1] = '\n';
	return c2c_buf_add(&j->text, line + 1, n + 1);
}

static void
rec_job_run(void *arg)
{
	struct rec_job *j = arg;
	memset(&j->diag, 0, sizeof(j->diag));
	j->rc = j->n > 0 ? c2c_buf_reserve(&j->text, j->n * 160) : C2C_OK;
	if (j->rc != C2C_OK || j->n == 0)
		return;
	j->rc = c2c__read_records(j->path, j->refs, j->n, commit_record, j, &j->diag);
}

/* A cited record of a known input, for sorting: (offset, length, record) is the order of
 * c2c__ref_cmp inside one input. */
struct rkey {
	uint64_t off;
	uint32_t len;
	int32_t rec;
};

static int
cmp_rkey(const void *pa, const void *pb)
{
	const struct rkey *a = pa, *b = pb;
	if (a->off != b->off)
		return a->off < b->off ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return (a->rec > b->rec) - (a->rec < b->rec);
}

struct sort_job {
	struct rkey *v;
	size_t n;
};

static void
sort_job_run(void *arg)
{
	struct sort_job *j = arg;
	qsort(j->v, j->n, sizeof(*j->v), cmp_rkey);
}

/* Sort the n keys at *v and drop repeats, returning the count kept: a long array as two
 * halves on two threads, merged into a new array that replaces *v. */
static c2c_err
sort_keys(const struct c2c_case *c, struct rkey **v, size_t n, size_t *kept)
{
	struct sort_job h[2] = { { *v, n / 2 }, { *v + n / 2, n - n / 2 } };
	struct rkey *out = *v;
	struct c2c__task t;
	size_t a = 0, b = 0, k = 0;

	if (c->threads == 1 || n < 2 * C2C__PAR_MIN) {
		qsort(*v, n, sizeof(**v), cmp_rkey);
		for (size_t i = 0; i < n; i++)
			if (k == 0 || cmp_rkey(&out[k - 1], &out[i]) != 0)
				out[k++] = out[i];
		*kept = k;
		return C2C_OK;
	}
	out = c2c_reallocarray(NULL, n, sizeof(*out)); /* the merge fills it */
	if (out == NULL)
		return C2C_ENOMEM;
	c2c__task_start(&t, true, sort_job_run, &h[1]);
	sort_job_run(&h[0]);
	c2c__task_join(&t);
	while (a < h[0].n || b < h[1].n) {
		const struct rkey *x;
		if (b == h[1].n || (a < h[0].n && cmp_rkey(&h[0].v[a], &h[1].v[b]) <= 0))
			x = &h[0].v[a++];
		else
			x = &h[1].v[b++];
		if (k == 0 || cmp_rkey(&out[k - 1], x) != 0)
			out[k++] = *x;
	}
	c2c_free(*v);
	*v = out;
	*kept = k;
	return C2C_OK;
}

/* The index of the input whose digest is `sha`, or -1; `hint` is tried first. */
static long
input_of(const struct c2c_case *c, const uint8_t sha[32], long hint)
{
	if (hint >= 0 && memcmp(c->inputs[hint].info.sha256, sha, 32) == 0)
		return hint;
	for (size_t i = 0; i < c->n_inputs; i++)
		if (memcmp(c->inputs[i].info.sha256, sha, 32) == 0)
			return (long)i;
	return -1;
}

/* The commitments of one input's records `keys` (sorted, unique): every record read back (on
 * two threads for a long list), its line appended to `text` and its leaf to `leaves`. */
static c2c_err
compute_input(const struct c2c_case *c, const struct case_input *in, const struct rkey *keys,
    size_t k, struct c2c_buf *text, uint8_t (*leaves)[32], struct c2c_diag *diag)
{
	struct c2c__ref *uniq;
	struct rec_job job[2];
	bool par = c->threads != 1 && k >= C2C__PAR_MIN;
	size_t half = par ? k / 2 : k;
	struct c2c__task t;
	char hex[65];
	c2c_err rc;

	if (k == 0)
		return C2C_OK;
	uniq = c2c_reallocarray(NULL, k, sizeof(*uniq)); /* filled below */
	if (uniq == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < k; i++) {
		memcpy(uniq[i].sha, in->info.sha256, 32);
		uniq[i].off = keys[i].off;
		uniq[i].len = keys[i].len;
		uniq[i].rec = keys[i].rec;
	}
	(void)c2c_hex(in->info.sha256, 32, hex);
	for (int h = 0; h < 2; h++) {
		c2c_buf_init(&job[h].text, C2C__FILE_CAP);
		job[h].path = in->path;
		job[h].refs = uniq + (h == 0 ? 0 : half);
		job[h].n = h == 0 ? half : k - half;
		job[h].hex = hex;
		job[h].leaves = leaves + (h == 0 ? 0 : half);
	}
	job[0].text = *text; /* the first half appends straight to `text` */
	c2c__task_start(&t, par, rec_job_run, &job[1]);
	rec_job_run(&job[0]);
	c2c__task_join(&t);
	*text = job[0].text;
	rc = job[0].rc != C2C_OK ? job[0].rc : job[1].rc;
	if (rc != C2C_OK && diag != NULL)
		*diag = job[0].rc != C2C_OK ? job[0].diag : job[1].diag;
	if (rc == C2C_OK && job[1].text.len > 0)
		rc = c2c_buf_add(text, job[1].text.data, job[1].text.len);
	c2c_buf_fini(&job[1].text);
	c2c_free(uniq);
	return rc;
}

/* Commitments computed ahead (c2c_case_precommit) for one input. */
struct precommit {
	struct rkey *keys; /* sorted, unique */
	size_t k;
	struct c2c_buf text; /* one line per key */
	uint8_t (*leaves)[32];
	bool done;
};

static void
precommit_free(struct c2c_case *c)
{
	if (c->pre == NULL)
		return;
	for (size_t i = 0; i < c->n_inputs; i++) {
		c2c_free(c->pre[i].keys);
		c2c_buf_fini(&c->pre[i].text);
		c2c_free(c->pre[i].leaves);
	}
	c2c_free(c->pre);
	c->pre = NULL;
}

/* The commitments of `keys` from those computed ahead in `pre`: lines and leaves of keys it
 * has are taken from it, the others computed now. */
static c2c_err
reuse_input(const struct c2c_case *c, const struct case_input *in, const struct precommit *pre,
    const struct rkey *keys, size_t k, struct c2c_buf *text, uint8_t (*leaves)[32],
    struct c2c_diag *diag)
{
	struct rkey *fresh;
	struct c2c_buf ftext;
	uint8_t(*fleaves)[32] = NULL;
	const char *fp, *pp = (const char *)pre->text.data, *pend = pp + pre->text.len;
	size_t nf = 0, a = 0, x = 0;
	c2c_err rc;

	fresh = c2c_reallocarray(NULL, k ? k : 1, sizeof(*fresh)); /* filled below */
	if (fresh == NULL)
		return C2C_ENOMEM;
	for (size_t i = 0; i < k; i++) {
		while (a < pre->k && cmp_rkey(&pre->keys[a], &keys[i]) < 0)
			a++;
		if (a == pre->k || cmp_rkey(&pre->keys[a], &keys[i]) != 0)
			fresh[nf++] = keys[i];
	}
	c2c_buf_init(&ftext, C2C__FILE_CAP);
	fleaves = c2c_reallocarray(NULL, nf ? nf : 1, 32); /* every leaf is written */
	rc = fleaves != NULL ? compute_input(c, in, fresh, nf, &ftext, fleaves, diag) : C2C_ENOMEM;
	if (rc == C2C_OK)
		rc = c2c_buf_reserve(text, pre->text.len + ftext.len);
	fp = (const char *)ftext.data;
	a = 0;
	for (size_t i = 0; i < k && rc == C2C_OK; i++) {
		const char *nl;
		/* Skip the lines of keys computed ahead that are no longer cited. */
		while (a < pre->k && cmp_rkey(&pre->keys[a], &keys[i]) < 0) {
			pp = (const char *)memchr(pp, '\n', (size_t)(pend - pp)) + 1;
			a++;
		}
		if (a < pre->k && cmp_rkey(&pre->keys[a], &keys[i]) == 0) {
			nl = memchr(pp, '\n', (size_t)(pend - pp));
			rc = c2c_buf_add(text, pp, (size_t)(nl + 1 - pp));
			memcpy(leaves[i], pre->leaves[a], 32);
			pp = nl + 1;
			a++;
		} else {
			nl = memchr(fp, '\n', ftext.len - (size_t)(fp - (const char *)ftext.data));
			rc = c2c_buf_add(text, fp, (size_t)(nl + 1 - fp));
			memcpy(leaves[i], fleaves[x++], 32);
			fp = nl + 1;
		}
	}
	c2c_buf_fini(&ftext);
	c2c_free(fleaves);
	c2c_free(fresh);
	return rc;
}

/* One input's record commitments: computed (or taken from c2c_case_precommit), written to
 * evidence/records/<input>.txt, and the "records" entry appended. */
static c2c_err
commit_input(struct c2c_case *c, size_t idx, const struct rkey *keys, size_t k,
    struct c2c_diag *diag)
{
	struct case_input *in = &c->inputs[idx];
	const struct precommit *pre = c->pre != NULL && c->pre[idx].done ? &c->pre[idx] : NULL;
	uint8_t(*leaves)[32];
	struct c2c_buf text, path;
	bool par = c->threads != 1 && k >= C2C__PAR_MIN;
	uint8_t root[32];
	char hex[65];
	json_t *entry = NULL;
	c2c_err rc;

	leaves = c2c_reallocarray(NULL, k ? k : 1, 32); /* every leaf is written */
	if (leaves == NULL)
		return C2C_ENOMEM;
	c2c_buf_init(&text, C2C__FILE_CAP);
	c2c_buf_init(&path, 1 << 16);
	if (pre != NULL && pre->k == k && (k == 0 || memcmp(pre->keys, keys, k * sizeof(*keys)) == 0)) {
		/* Exactly the records committed ahead: take the work as it is. */
		text = pre->text;
		c2c_buf_init(&c->pre[idx].text, C2C__FILE_CAP);
		memcpy(leaves, pre->leaves, k * 32);
		rc = C2C_OK;
	} else if (pre != NULL) {
		rc = reuse_input(c, in, pre, keys, k, &text, leaves, diag);
	} else {
		rc = compute_input(c, in, keys, k, &text, leaves, diag);
	}
	(void)c2c_hex(in->info.sha256, 32, hex);
	if (rc == C2C_OK)
		rc = c2c_buf_printf(&path, "%s/%s/%s.txt", c->dir, C2C__RECSDIR, hex);
	if (rc == C2C_OK && c2c_buf_cstr(&path) == NULL)
		rc = C2C_ENOMEM;
	if (rc == C2C_OK)
		rc = put_buf(c, (const char *)path.data, &text, diag);
	if (rc == C2C_OK)
		c2c__merkle_root_par((const uint8_t(*)[32])leaves, k, par, root);
	entry = rc == C2C_OK ? json_object() : NULL;
	if (rc == C2C_OK && entry == NULL)
		rc = C2C_ENOMEM;
	if (rc == C2C_OK)
		rc = c2c_json_set_str(entry, "input", hex);
	if (rc == C2C_OK)
		rc = c2c_json_set_int(entry, "count", (int64_t)k);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(entry, "root", c2c_hex(root, 32, hex));
	if (rc == C2C_OK)
		rc = append_entry(c, "records", entry, NULL);
	json_decref(entry);
	c2c_free(leaves);
	c2c_buf_fini(&text);
	c2c_buf_fini(&path);
	return rc;
}

/* The records cited so far and every input's dependency records, per input (by index):
 * keys[i][0..k[i]) sorted and unique; inputs that repeat an earlier input's digest get none
 * (its records are committed once, under the first). Free with free_keys. */
static c2c_err
gather_keys(const struct c2c_case *c, size_t from, bool deps, struct rkey ***keys_out,
    size_t **k_out, struct c2c_diag *diag)
{
	struct rkey **keys;
	size_t *cnt;
	long hint = -1;
	c2c_err rc = C2C_OK;

	keys = c2c_calloc(c->n_inputs + 1, sizeof(*keys));
	cnt = c2c_calloc(c->n_inputs + 1, sizeof(*cnt));
	*keys_out = keys;
	*k_out = cnt;
	if (keys == NULL || cnt == NULL)
		return C2C_ENOMEM;
	/* Count per input, then fill: the cited references (from refs[from]), then each input's
	 * dependencies (with `deps`). */
	for (size_t i = from; i < c->n_refs; i++) {
		hint = input_of(c, c->refs[i].sha, hint);
		if (hint < 0) {
			char hex[65];
			return c2c_diag_set(diag, C2C_EINVAL, "claim", 0,
			    "a claim cites input %s, which is not an input of this scan",
			    c2c_hex(c->refs[i].sha, 32, hex));
		}
		cnt[hint]++;
	}
	for (size_t i = 0; i < c->n_inputs; i++) {
		if (input_of(c, c->inputs[i].info.sha256, -1) != (long)i)
			continue; /* a repeat */
		if (deps)
			cnt[i] += c->inputs[i].info.n_deps < 16 ? c->inputs[i].info.n_deps : 16;
		keys[i] = c2c_reallocarray(NULL, cnt[i] ? cnt[i] : 1, sizeof(**keys)); /* filled */
		if (keys[i] == NULL)
			return C2C_ENOMEM;
		cnt[i] = 0;
	}
	for (size_t i = from; i < c->n_refs; i++) {
		const struct c2c__ref *r = &c->refs[i];
		hint = input_of(c, r->sha, hint);
		keys[hint][cnt[hint]++] = (struct rkey){ r->off, r->len, r->rec };
	}
	for (size_t i = 0; i < c->n_inputs && deps; i++)
		for (uint32_t k = 0; keys[i] != NULL && k < c->inputs[i].info.n_deps && k < 16; k++) {
			const struct c2c_evref *d = &c->inputs[i].info.deps[k];
			keys[i][cnt[i]++] = (struct rkey){ d->off, d->len, d->rec };
		}
	for (size_t i = 0; i < c->n_inputs && rc == C2C_OK; i++)
		if (keys[i] != NULL)
			rc = sort_keys(c, &keys[i], cnt[i], &cnt[i]);
	return rc;
}

static void
free_keys(const struct c2c_case *c, struct rkey **keys, size_t *cnt)
{
	if (keys != NULL)
		for (size_t i = 0; i < c->n_inputs; i++)
			c2c_free(keys[i]);
	c2c_free(keys);
	c2c_free(cnt);
}

c2c_err
c2c_case_precommit(struct c2c_case *c, struct c2c_diag *diag)
{
	struct rkey **keys = NULL;
	size_t *cnt = NULL;
	c2c_err rc;

	if (c->committed)
		return c2c_diag_set(diag, C2C_EINVAL, c->dir, 0, "case already committed");
	precommit_free(c);
	c->pre = c2c_calloc(c->n_inputs + 1, sizeof(*c->pre));
	c->pre_refs = c->n_refs;
	rc = c->pre != NULL ? gather_keys(c, 0, true, &keys, &cnt, diag) : C2C_ENOMEM;
	for (size_t i = 0; i < c->n_inputs && rc == C2C_OK; i++) {
		struct precommit *p = &c->pre[i];
		c2c_buf_init(&p->text, C2C__FILE_CAP);
		if (keys[i] == NULL || cnt[i] == 0)
			continue;
		p->leaves = c2c_reallocarray(NULL, cnt[i], 32); /* every leaf is written */
		if (p->leaves == NULL) {
			rc = C2C_ENOMEM;
			break;
		}
		rc = compute_input(c, &c->inputs[i], keys[i], cnt[i], &p->text, p->leaves, diag);
		p->keys = keys[i];
		p->k = cnt[i];
		keys[i] = NULL;
		p->done = rc == C2C_OK;
	}
	free_keys(c, keys, cnt);
	if (rc != C2C_OK)
		precommit_free(c);
	return rc;
}

/* *keys (sorted, unique) becomes its union with the keys of `pre`. */
static c2c_err
union_keys(const struct precommit *pre, struct rkey **keys, size_t *k)
{
	struct rkey *out = c2c_reallocarray(NULL, pre->k + *k + 1, sizeof(*out)); /* merged */
	size_t a = 0, b = 0, m = 0;
	if (out == NULL)
		return C2C_ENOMEM;
	while (a < pre->k || b < *k) {
		int c = a == pre->k ? 1 : b == *k ? -1 : cmp_rkey(&pre->keys[a], &(*keys)[b]);
		out[m++] = c <= 0 ? pre->keys[a] : (*keys)[b];
		a += c <= 0;
		b += c >= 0;
	}
	c2c_free(*keys);
	*keys = out;
	*k = m;
	return C2C_OK;
}

/* One "records" entry per input with cited records (in the order of the inputs' digests):
 * digests of every cited record and dependency record. */
static c2c_err
commit_records(struct c2c_case *c, struct c2c_diag *diag)
{
	struct rkey **keys = NULL;
	size_t *cnt = NULL, *order;
	c2c_err rc;

	order = c2c_calloc(c->n_inputs + 1, sizeof(*order));
	/* After c2c_case_precommit, only the references cited since are sorted here: references
	 * are never taken back, so the final set is its set plus those. */
	rc = order != NULL ? gather_keys(c, c->pre != NULL ? c->pre_refs : 0, c->pre == NULL, &keys,
				 &cnt, diag)
			   : C2C_ENOMEM;
	for (size_t i = 0; i < c->n_inputs && rc == C2C_OK && c->pre != NULL; i++)
		if (keys[i] != NULL && c->pre[i].done)
			rc = union_keys(&c->pre[i], &keys[i], &cnt[i]);
	/* Inputs in digest order. */
	for (size_t i = 0; i < c->n_inputs && rc == C2C_OK; i++) {
		size_t j = i;
		while (j > 0 && memcmp(c->inputs[order[j - 1]].info.sha256, c->inputs[i].info.sha256,
				    32) > 0) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	for (size_t o = 0; o < c->n_inputs && rc == C2C_OK; o++) {
		size_t i = order[o];
		if (keys[i] != NULL && cnt[i] > 0)
			rc = commit_input(c, i, keys[i], cnt[i], diag);
	}
	free_keys(c, keys, cnt);
	c2c_free(order);
	precommit_free(c);
	return rc;
}

static c2c_err
write_inputs_json(struct c2c_case *c, struct c2c_diag *diag)
{
	json_t *doc = json_object(), *arr = json_array();
	struct c2c_buf path;
	c2c_err rc = C2C_ENOMEM;

	c2c_buf_init(&path, 1 << 16);
	if (doc == NULL || arr == NULL)
		goto out;
	rc = C2C_OK;
	for (size_t i = 0; i < c->n_inputs && rc == C2C_OK; i++) {
		json_t *o = json_deep_copy(c->inputs[i].fp);
		rc = o != NULL ? c2c_json_set_str(o, "path", c->inputs[i].path) : C2C_ENOMEM;
		if (rc == C2C_OK)
			rc = c2c_json_append_new(arr, o);
		else
			json_decref(o);
	}
	if (rc == C2C_OK) {
		rc = c2c_json_set_new(doc, "inputs", arr);
		arr = NULL;
	}
	if (rc == C2C_OK)
		rc = json_object_set(doc, "refdata", c->refdata) == 0 ? C2C_OK : C2C_ENOMEM;
	if (rc == C2C_OK)
		rc = c2c_json_set_str(doc, "schema", "c2chain.inputs/1");
	if (rc == C2C_OK)
		rc = c2c_json_set_int(doc, "scan", c->scan);
	if (rc == C2C_OK)
		rc = c2c__path(&path, c->dir, C2C__INPUTS);
	if (rc == C2C_OK)
		rc = c2c_json_write_file(doc, (const char *)path.data, diag);
out:
	json_decref(arr);
	json_decref(doc);
	c2c_buf_fini(&path);
	return rc;
}

static c2c_err
write_consistency(struct c2c_case *c, struct c2c_diag *diag)
{
	uint8_t proof[C2C_MERKLE_MAX_PROOF][32];
	size_t pn = 0;
	struct c2c_buf text, path;
	char b64[48];
	c2c_err rc;

	rc = c2c_merkle_consistency_proof((const uint8_t(*)[32])c->leaves, c->old_size, c->n, proof,
	    &pn);
	if (rc == C2C_EINVAL)
		return C2C_OK; /* an empty old tree is consistent with anything */
	c2c_buf_init(&text, 1 << 20);
	c2c_buf_init(&path, 1 << 16);
	rc = c2c_buf_printf(&text, "c2chain.org/consistency-proof@v1\nold %llu\nnew %llu\n",
	    (unsigned long long)c->old_size, (unsigned long long)c->n);
	for (size_t i = 0; i < pn && rc == C2C_OK; i++) {
		(void)c2c_base64(proof[i], 32, b64);
		rc = c2c_buf_printf(&text, "%s\n", b64);
	}
	if (rc == C2C_OK)
		rc = c2c_buf_printf(&path, "%s/%s/%llu-%llu.proof", c->dir, C2C__CONSDIR,
		    (unsigned long long)c->old_size, (unsigned long long)c->n);
	if (rc == C2C_OK && c2c_buf_cstr(&path) == NULL)
		rc = C2C_ENOMEM;
	if (rc == C2C_OK)
		rc = c2c_file_write_atomic((const char *)path.data, text.data, text.len, diag);
	c2c_buf_fini(&text);
	c2c_buf_fini(&path);
	return rc;
}

c2c_err
c2c_case_commit(struct c2c_case *c, const json_t *report, struct c2c_diag *diag)
{
	struct c2c_buf rep, path, tree, note, body;
	struct c2c_checkpoint cp;
	size_t rep_len;
	uint8_t d[32];
	char hex[65];
	json_t *entry = NULL;
	c2c_err rc;

	if (c->committed)
		return c2c_diag_set(diag, C2C_EINVAL, c->dir, 0, "case already committed");
	c2c_buf_init(&rep, C2C__FILE_CAP);
	c2c_buf_init(&path, 1 << 16);
	c2c_buf_init(&tree, C2C__FILE_CAP);
	c2c_buf_init(&note, 1 << 16);
	c2c_buf_init(&body, 1 << 16);
	rc = commit_records(c, diag);
	if (rc == C2C_OK)
		rc = write_inputs_json(c, diag);
	if (rc != C2C_OK)
		goto out;
	rc = c2c_json_canon(report, &rep);
	if (rc == C2C_EINVAL) {
		rc = c2c_diag_set(diag, rc, C2C__REPORT, 0,
		    "report is not canonical JSON (a real number or a non-ASCII key)");
		goto out;
	}
	if (rc == C2C_OK)
		rc = c2c_buf_addc(&rep, '\n');
	if (rc == C2C_OK)
		rc = c2c__path(&path, c->dir, C2C__REPORT);
	if (rc != C2C_OK)
		goto out;
	c2c_sha256(rep.data, rep.len, d);
	rep_len = rep.len;
	rc = put_buf(c, (const char *)path.data, &rep, diag);
	/* Reference lists, record commitments and report.json: durable and in place before the
	 * ledger that commits to them. */
	if (rc == C2C_OK)
		rc = flush_files(c, diag);
	if (rc != C2C_OK)
		goto out;
	entry = json_object();
	rc = entry != NULL ? c2c_json_set_str(entry, "sha256", c2c_hex(d, 32, hex)) : C2C_ENOMEM;
	if (rc == C2C_OK)
		rc = c2c_json_set_int(entry, "size", (int64_t)rep_len);
	if (rc == C2C_OK)
		rc = c2c_json_set_str(entry, "name", C2C__REPORT);
	if (rc == C2C_OK)
		rc = append_entry(c, "report", entry, NULL);
	if (rc != C2C_OK)
		goto out;

	/* Ledger, then its tree sidecar (diagnosis only), then the signed head. */
	rc = c2c__path(&path, c->dir, C2C__LEDGER);
	if (rc == C2C_OK)
		rc = c2c_file_write_atomic((const char *)path.data, c->ledger.data, c->ledger.len,
		    diag);
	for (uint64_t i = 0; i < c->n && rc == C2C_OK; i++)
		rc = c2c_buf_printf(&tree, "%s\n", c2c_hex(c->leaves[i], 32, hex));
	if (rc == C2C_OK)
		rc = c2c__path(&path, c->dir, C2C__TREE);
	if (rc == C2C_OK)
		rc = c2c_file_write_atomic((const char *)path.data, tree.data, tree.len, diag);
	if (rc != C2C_OK)
		goto out;
	memset(&cp, 0, sizeof(cp));
	(void)snprintf(cp.origin, sizeof(cp.origin), "%s", c2c_signer_name(c->signer));
	cp.size = c->n;
	c2c_merkle_root((const uint8_t(*)[32])c->leaves, c->n, cp.root);
	rc = c2c_checkpoint_format(&cp, &body);
	if (rc == C2C_OK)
		rc = c2c_note_sign((const char *)body.data, body.len, c->signer, &note);
	if (rc == C2C_OK) {
		c2c_buf_reset(&path);
		rc = c2c_buf_printf(&path, "%s/%s/%llu.note", c->dir, C2C__CPDIR,
		    (unsigned long long)c->n);
		if (rc == C2C_OK && c2c_buf_cstr(&path) == NULL)
			rc = C2C_ENOMEM;
	}
	if (rc == C2C_OK)
		rc = c2c_file_write_atomic((const char *)path.data, note.data, note.len, diag);
	if (rc == C2C_OK && c->have_old)
		rc = write_consistency(c, diag);
	if (rc == C2C_OK)
		rc = c2c__path(&path, c->dir, C2C__CHECKPOINT);
	if (rc == C2C_OK)
		rc = c2c_file_write_atomic((const char *)path.data, note.data, note.len, diag);
	if (rc == C2C_OK)
		c->committed = true;
out:
	json_decref(entry);
	c2c_buf_fini(&rep);
	c2c_buf_fini(&path);
	c2c_buf_fini(&tree);
	c2c_buf_fini(&note);
	c2c_buf_fini(&body);
	return rc;
}

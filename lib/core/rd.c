/*
 * Streaming input reader (core.h, struct c2c_rd). Plain regular files are mmap'd and handed out
 * in place; gzip files (and anything that cannot be mapped) are read in 1 MiB chunks and, for
 * gzip, inflated into a sliding window that always starts at the caller's position. Logical
 * offsets are those of the (decompressed) byte stream. With C2C_RD_HASH the raw bytes are fed to
 * SHA-256 as they are consumed, so fingerprinting an input costs no second read. A plain mapped
 * file of HASH_THREAD_MIN bytes or more is hashed by a thread of its own, front to back over
 * the same mapping, while the caller parses it; the thread runs at idle priority (SCHED_IDLE),
 * on whatever CPU time the parse and the analysis leave, and finishes at c2c_rd_finish. Pages the caller drops behind it (MADV_DONTNEED) are faulted
 * back in from the page cache should the thread lag.
 */
#define _GNU_SOURCE /* SCHED_IDLE */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "c2chain/core.h"

#define CHUNK (1u << 20)
#define HASH_STEP (4u << 20)
#define HASH_THREAD_MIN ((size_t)32 << 20)

/* The hashing thread of a mapped file: owns rd->h until joined. */
struct hasher {
	pthread_t t;
	const uint8_t *p;
	size_t len;
	struct c2c_sha256 *h;
	atomic_bool stop;
};

static void *
hasher_main(void *arg)
{
	struct hasher *hs = arg;
	/* Run only on a core the parse leaves idle: the digest must not slow the reader and the
	 * analysis down; whatever is left when the reader reaches the end is hashed then. */
	struct sched_param sp = { 0 };
	(void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
	for (size_t off = 0; off < hs->len;) {
		size_t n = hs->len - off < HASH_STEP ? hs->len - off : HASH_STEP;
		if (atomic_load_explicit(&hs->stop, memory_order_relaxed))
			break;
		c2c_sha256_update(hs->h, hs->p + off, n);
		off += n;
	}
	return NULL;
}

/* Start hashing the whole mapping on a thread; when that is not possible the reader hashes
 * inline as it advances. */
static void
hasher_start(struct c2c_rd *rd)
{
	struct hasher *hs = c2c_malloc(sizeof(*hs));
	if (hs == NULL)
		return;
	hs->p = rd->map;
	hs->len = rd->map_len;
	hs->h = &rd->h;
	atomic_init(&hs->stop, false);
	if (pthread_create(&hs->t, NULL, hasher_main, hs) != 0) {
		c2c_free(hs);
		return;
	}
	rd->hasher = hs;
	rd->hashed = rd->map_len;
}

/* Wait for the thread (cut short when `stop`); rd->h is the reader's again. */
static void
hasher_join(struct c2c_rd *rd, bool stop)
{
	struct hasher *hs = rd->hasher;
	if (hs == NULL)
		return;
	if (stop)
		atomic_store_explicit(&hs->stop, true, memory_order_relaxed);
	(void)pthread_join(hs->t, NULL);
	c2c_free(hs);
	rd->hasher = NULL;
}

static void
rd_zero(struct c2c_rd *rd)
{
	memset(rd, 0, sizeof(*rd));
	rd->fd = -1;
}

/* Raw bytes for the inflater or the plain stream: from the mapping or from read(2). Returns
 * bytes made available at *p, 0 at end of file, -1 on error (errno set). */
static ssize_t
raw_next(struct c2c_rd *rd, const uint8_t **p)
{
	if (rd->map != NULL) {
		size_t left = rd->map_len - (size_t)rd->raw_read, n = left < CHUNK ? left : CHUNK;
		*p = rd->map + rd->raw_read;
		rd->raw_read += n;
		if (rd->hashing)
			c2c_sha256_update(&rd->h, *p, n);
		return (ssize_t)n;
	}
	for (;;) {
		ssize_t n = read(rd->fd, rd->zin, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0) {
			rd->raw_read += (uint64_t)n;
			if (rd->hashing)
				c2c_sha256_update(&rd->h, rd->zin, (size_t)n);
		}
		*p = rd->zin;
		return n;
	}
}

static c2c_err
start_stream(struct c2c_rd *rd, bool gzip)
{
	rd->gzip = gzip;
	if (rd->map == NULL) {
		rd->zin = c2c_malloc(CHUNK);
		if (rd->zin == NULL)
			return C2C_ENOMEM;
	}
	if (gzip) {
		z_stream *z = c2c_calloc(1, sizeof(*z));
		if (z == NULL)
			return C2C_ENOMEM;
		if (inflateInit2(z, 15 + 32) != Z_OK) {
			c2c_free(z);
			return C2C_ENOMEM;
		}
		rd->z = z;
	}
	return C2C_OK;
}

static c2c_err
rd_init(struct c2c_rd *rd, unsigned flags)
{
	c2c_err rc;
	if (flags & C2C_RD_HASH) {
		rc = c2c_sha256_init(&rd->h);
		if (rc != C2C_OK)
			return rc;
		rd->hashing = true;
	}
	return C2C_OK;
}

c2c_err
c2c_rd_open(struct c2c_rd *rd, const char *path, unsigned flags, struct c2c_diag *diag)
{
	struct stat st;
	c2c_err rc;
	bool gzip = false;

	rd_zero(rd);
	rd->path = path;
	rd->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (rd->fd < 0)
		return c2c_diag_errno(diag, C2C_EIO, path, "open");
	if (fstat(rd->fd, &st) != 0) {
		rc = c2c_diag_errno(diag, C2C_EIO, path, "stat");
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		rc = c2c_diag_errno(diag, C2C_EIO, path, "open");
		goto fail;
	}
	rc = rd_init(rd, flags);
	if (rc != C2C_OK)
		goto fail;
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, rd->fd, 0);
		if (m != MAP_FAILED) {
			rd->map = m;
			rd->map_len = (size_t)st.st_size;
			(void)madvise(m, rd->map_len, MADV_SEQUENTIAL);
			gzip = !(flags & C2C_RD_NO_GZIP) && rd->map_len >= 2 && rd->map[0] == 0x1f &&
			    rd->map[1] == 0x8b;
			if (!gzip) {
				if (rd->hashing && rd->map_len >= HASH_THREAD_MIN)
					hasher_start(rd);
				return C2C_OK;
			}
		}
	}
	if (rd->map == NULL && !(flags & C2C_RD_NO_GZIP)) {
		/* Not mappable (pipe, empty): peek at the first bytes through the stream path. */
		uint8_t m2[2];
		ssize_t n = pread(rd->fd, m2, 2, 0);
		gzip = n == 2 && m2[0] == 0x1f && m2[1] == 0x8b;
	}
	rc = start_stream(rd, gzip);
	if (rc != C2C_OK)
		goto fail;
	return C2C_OK;
fail:
	c2c_rd_close(rd);
	return rc;
}

c2c_err
c2c_rd_open_mem(struct c2c_rd *rd, const void *data, size_t len, unsigned flags)
{
	c2c_err rc;
	rd_zero(rd);
	rd->path = "(memory)";
	rd->map = data;
	rd->map_len = len;
	rc = rd_init(rd, flags);
	if (rc != C2C_OK)
		return rc;
	if (!(flags & C2C_RD_NO_GZIP) && len >= 2 && rd->map[0] == 0x1f && rd->map[1] == 0x8b) {
		rc = start_stream(rd, true);
		if (rc != C2C_OK)
			c2c_rd_close(rd);
	}
	return rc;
}

static bool
is_mapped_plain(const struct c2c_rd *rd)
{
	return rd->map != NULL && !rd->gzip;
}

/* Append decoded bytes to the window until it holds `want` bytes or the input ends. */
static c2c_err
fill(struct c2c_rd *rd, size_t want)
{
	z_stream *z = rd->z;

	if (rd->win_alloc < want) {
		size_t n = rd->win_alloc ? rd->win_alloc : CHUNK;
		uint8_t *w;
		while (n < want)
			n *= 2;
		w = c2c_realloc(rd->win, n);
		if (w == NULL)
			return C2C_ENOMEM;
		rd->win = w;
		rd->win_alloc = n;
	}
	while (rd->win_len < want && !rd->eof) {
		if (z == NULL) {
			/* Plain stream: read straight into the window. */
			ssize_t n;
			do
				n = read(rd->fd, rd->win + rd->win_len, rd->win_alloc - rd->win_len);
			while (n < 0 && errno == EINTR);
			if (n < 0)
				return C2C_EIO;
			if (n == 0) {
				rd->eof = true;
				break;
			}
			if (rd->hashing)
				c2c_sha256_update(&rd->h, rd->win + rd->win_len, (size_t)n);
			rd->raw_read += (uint64_t)n;
			rd->win_len += (size_t)n;
			continue;
		}
		if (z->avail_in == 0) {
			const uint8_t *p;
			ssize_t n = raw_next(rd, &p);
			if (n < 0)
				return C2C_EIO;
			if (n == 0) {
				/* A gzip stream that stops before its trailer is truncated. */
				rd->eof = true;
				return C2C_EFORMAT;
			}
			z->next_in = (Bytef *)(uintptr_t)p;
			z->avail_in = (uInt)n;
		}
		z->next_out = rd->win + rd->win_len;
		z->avail_out = (uInt)(rd->win_alloc - rd->win_len);
		{
			uInt before = z->avail_out;
			int zr = inflate(z, Z_NO_FLUSH);
			rd->win_len += before - z->avail_out;
			if (zr == Z_STREAM_END) {
				/* Concatenated gzip members (RFC 1952 §2.2) continue; else we are done. */
				if (z->avail_in == 0) {
					const uint8_t *p;
					ssize_t n = raw_next(rd, &p);
					if (n < 0)
						return C2C_EIO;
					if (n == 0) {
						rd->eof = true;
						break;
					}
					z->next_in = (Bytef *)(uintptr_t)p;
					z->avail_in = (uInt)n;
				}
				if (inflateReset(z) != Z_OK)
					return C2C_EFORMAT;
			} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
				return C2C_EFORMAT;
			}
		}
	}
	return C2C_OK;
}

c2c_err
c2c_rd_peek(struct c2c_rd *rd, size_t n, const uint8_t **p, size_t *avail)
{
	size_t off, have;
	c2c_err rc = C2C_OK;

	if (n > C2C_RD_MAX_PEEK)
		return C2C_ELIMIT;
	if (is_mapped_plain(rd)) {
		size_t left = rd->map_len - (size_t)rd->pos;
		*p = rd->map + rd->pos;
		if (avail != NULL)
			*avail = left;
		return left >= n ? C2C_OK : C2C_EEND;
	}
	/* The caller may have advanced past the window (skipping a record it did not peek in
	 * full): drop the window and decode forward to the position. */
	while (rd->pos - rd->win_off > rd->win_len && !rd->eof) {
		rd->win_off += rd->win_len;
		rd->win_len = 0;
		rc = fill(rd, CHUNK);
		if (rc != C2C_OK && rc != C2C_EFORMAT)
			return rc;
		if (rc == C2C_EFORMAT && rd->pos - rd->win_off > rd->win_len)
			return rc;
		rc = C2C_OK;
	}
	if (rd->pos - rd->win_off > rd->win_len) {
		*p = rd->win + rd->win_len;
		if (avail != NULL)
			*avail = 0;
		return C2C_EEND;
	}
	off = (size_t)(rd->pos - rd->win_off);
	if (rd->win_len - off < n && !rd->eof) {
		/* Slide: drop consumed bytes, then decode more. */
		if (off > 0) {
			memmove(rd->win, rd->win + off, rd->win_len - off);
			rd->win_len -= off;
			rd->win_off = rd->pos;
			off = 0;
		}
		rc = fill(rd, n > CHUNK ? n : CHUNK);
	}
	have = rd->win_len - off;
	*p = rd->win + off;
	if (avail != NULL)
		*avail = have;
	if (rc == C2C_EFORMAT && have >= n)
		rc = C2C_OK; /* report the corruption when the reader actually reaches it */
	if (rc != C2C_OK)
		return rc;
	return have >= n ? C2C_OK : C2C_EEND;
}

void
c2c_rd_advance(struct c2c_rd *rd, size_t n)
{
	rd->pos += n;
	if (is_mapped_plain(rd) && rd->hashing && rd->hasher == NULL &&
	    rd->pos - rd->hashed >= HASH_STEP) {
		uint64_t upto = rd->pos > rd->map_len ? rd->map_len : rd->pos;
		c2c_sha256_update(&rd->h, rd->map + rd->hashed, (size_t)(upto - rd->hashed));
		rd->hashed = upto;
	}
}

c2c_err
c2c_rd_finish(struct c2c_rd *rd, uint8_t sha[32], uint64_t *raw_size, struct c2c_diag *diag)
{
	if (!rd->hashing)
		return C2C_EINVAL;
	if (rd->hasher != NULL) {
		hasher_join(rd, false); /* the thread hashed all of the mapping */
		rd->raw_read = rd->map_len;
	} else if (is_mapped_plain(rd)) {
		c2c_sha256_update(&rd->h, rd->map + rd->hashed, rd->map_len - (size_t)rd->hashed);
		rd->hashed = rd->map_len;
		rd->raw_read = rd->map_len;
	} else if (rd->map != NULL) {
		/* gzip from a mapping: hash what the inflater has not pulled yet. */
		c2c_sha256_update(&rd->h, rd->map + rd->raw_read, rd->map_len - (size_t)rd->raw_read);
		rd->raw_read = rd->map_len;
	} else {
		/* Read the rest of the raw file so the digest covers all of it. */
		uint8_t *buf = rd->zin;
		for (;;) {
			ssize_t n = read(rd->fd, buf, CHUNK);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return c2c_diag_errno(diag, C2C_EIO, rd->path, "read");
			if (n == 0)
				break;
			c2c_sha256_update(&rd->h, buf, (size_t)n);
			rd->raw_read += (uint64_t)n;
		}
	}
	c2c_sha256_final(&rd->h, sha);
	rd->hashing = false;
	if (raw_size != NULL)
		*raw_size = rd->raw_read;
	return C2C_OK;
}

void
c2c_rd_close(struct c2c_rd *rd)
{
	hasher_join(rd, true);
	if (rd->z != NULL) {
		(void)inflateEnd(rd->z);
		c2c_free(rd->z);
	}
	if (rd->fd >= 0) {
		if (rd->map != NULL)
			(void)munmap((void *)(uintptr_t)rd->map, rd->map_len);
		(void)close(rd->fd);
	}
	if (rd->hashing)
		c2c_sha256_abort(&rd->h);
	c2c_free(rd->zin);
	c2c_free(rd->win);
	rd_zero(rd);
}

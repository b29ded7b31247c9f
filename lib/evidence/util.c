/*
 * Small helpers of the evidence stage: evidence references in parsed form, case paths and
 * directories, private key files, reading cited records back from an input, and the text lines
 * of record commitments and tlog proofs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence/internal.h"

c2c_err
c2c__ref_parse(const char *s, struct c2c__ref *r)
{
	struct c2c_evref ev;
	if (c2c_evref_parse(s, r->sha, &ev) != C2C_OK)
		return C2C_EFORMAT;
	r->off = ev.off;
	r->len = ev.len;
	r->rec = ev.rec;
	return C2C_OK;
}

/* Decimal digits of v (at least one). */
static unsigned
dec_len(uint64_t v)
{
	unsigned n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* v in decimal at p, no terminator; returns the number of characters. */
static size_t
put_dec(char *p, uint64_t v)
{
	unsigned n = dec_len(v);
	for (unsigned i = n; i > 0; i--) {
		p[i - 1] = (char)('0' + v % 10);
		v /= 10;
	}
	return n;
}

size_t
c2c__ref_text(const struct c2c__ref *r, const char hex[64], char out[C2C_EVREF_STRLEN])
{
	/* "ev:" 64 hex "/" <= 20 digits "+" <= 10 digits "#" <= 10 digits NUL: 111 bytes. */
	char *p = out;
	memcpy(p, "ev:", 3);
	memcpy(p + 3, hex, 64);
	p += 67;
	*p++ = '/';
	p += put_dec(p, r->off);
	*p++ = '+';
	p += put_dec(p, r->len);
	if (r->rec >= 0) {
		*p++ = '#';
		p += put_dec(p, (uint64_t)r->rec);
	}
	*p = '\0';
	return (size_t)(p - out);
}

void
c2c__ref_format(const struct c2c__ref *r, char buf[C2C_EVREF_STRLEN])
{
	char hex[65];
	(void)c2c__ref_text(r, c2c_hex(r->sha, 32, hex), buf);
}

int
c2c__ref_text_cmp(const struct c2c__ref *a, const struct c2c__ref *b)
{
	struct c2c_evref x = { 0, a->rec, a->off, a->len }, y = { 0, b->rec, b->off, b->len };
	return c2c_evref_text_cmp(&x, a->sha, &y, b->sha);
}

int
c2c__ref_cmp(const struct c2c__ref *a, const struct c2c__ref *b)
{
	int c = memcmp(a->sha, b->sha, 32);
	if (c != 0)
		return c;
	if (a->off != b->off)
		return a->off < b->off ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	if (a->rec != b->rec)
		return a->rec < b->rec ? -1 : 1;
	return 0;
}

static void *
task_main(void *arg)
{
	struct c2c__task *t = arg;
	t->fn(t->arg);
	return NULL;
}

void
c2c__task_start(struct c2c__task *t, bool par, void (*fn)(void *), void *arg)
{
	t->fn = fn;
	t->arg = arg;
	t->started = par && pthread_create(&t->t, NULL, task_main, t) == 0;
}

void
c2c__task_join(struct c2c__task *t)
{
	if (t->started)
		(void)pthread_join(t->t, NULL);
	else
		t->fn(t->arg);
	t->started = false;
}

c2c_err
c2c__path(struct c2c_buf *out, const char *dir, const char *rel)
{
	c2c_buf_reset(out);
	if (c2c_buf_printf(out, "%s/%s", dir, rel) != C2C_OK || c2c_buf_cstr(out) == NULL)
		return C2C_ENOMEM;
	return C2C_OK;
}

c2c_err
c2c__mkdirs(const char *dir, const char *rel, struct c2c_diag *diag)
{
	struct c2c_buf b;
	char *p;
	c2c_err rc = C2C_OK;

	c2c_buf_init(&b, 1 << 16);
	if (rel != NULL)
		rc = c2c__path(&b, dir, rel);
	else if (c2c_buf_adds(&b, dir) != C2C_OK || c2c_buf_cstr(&b) == NULL)
		rc = C2C_ENOMEM;
	if (rc != C2C_OK) {
		c2c_buf_fini(&b);
		return rc;
	}
	p = (char *)b.data;
	for (char *q = p + 1;; q++) {
		char save = *q;
		if (save != '/' && save != '\0')
			continue;
		*q = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			rc = c2c_diag_errno(diag, C2C_EIO, p, "mkdir");
			break;
		}
		*q = save;
		if (save == '\0')
			break;
	}
	c2c_buf_fini(&b);
	return rc;
}

c2c_err
c2c__write_private(const char *path, const void *p, size_t len, struct c2c_diag *diag)
{
	char tmp[4096];
	int fd;
	ssize_t n;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return c2c_diag_set(diag, C2C_EINVAL, path, 0, "path too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return c2c_diag_errno(diag, C2C_EIO, path, "create");
	do
		n = write(fd, p, len);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != len || fsync(fd) != 0) {
		c2c_err rc = c2c_diag_errno(diag, C2C_EIO, path, "write");
		(void)close(fd);
		(void)unlink(tmp);
		return rc;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		c2c_err rc = c2c_diag_errno(diag, C2C_EIO, path, "rename");
		(void)unlink(tmp);
		return rc;
	}
	return C2C_OK;
}

c2c_err
c2c__read_records(const char *path, const struct c2c__ref *refs, size_t n, c2c__rec_fn fn,
    void *ctx, struct c2c_diag *diag)
{
	struct c2c_rd rd;
	c2c_err rc;

	rc = c2c_rd_open(&rd, path, 0, diag);
	if (rc != C2C_OK)
		return rc;
#ifdef MADV_POPULATE_READ
	/* Records cited densely across a mapped file: map the span's pages in one call rather
	 * than fault them in a few at a time (the pages are in the page cache: this reads no
	 * disk that the loop below would not). */
	if (rd.map != NULL && !rd.gzip && n > 0 && refs[0].off < rd.map_len) {
		uint64_t lo = refs[0].off & ~(uint64_t)4095, hi = refs[n - 1].off + refs[n - 1].len;
		if (hi > rd.map_len)
			hi = rd.map_len;
		if (hi > lo && (hi - lo) / n <= 65536)
			(void)madvise((void *)(uintptr_t)(rd.map + lo), (size_t)(hi - lo),
			    MADV_POPULATE_READ);
	}
#endif
	for (size_t i = 0; i < n && rc == C2C_OK; i++) {
		const uint8_t *p;
		size_t avail = 0;
		/* Skip forward in bounded steps (the reader's window cannot jump). Overlapping or
		 * repeated references rewind nothing: they are re-read only when sorted after. */
		if (refs[i].off < c2c_rd_pos(&rd)) {
			c2c_rd_close(&rd);
			rc = c2c_rd_open(&rd, path, 0, diag);
			if (rc != C2C_OK)
				return rc;
		}
		while (c2c_rd_pos(&rd) < refs[i].off) {
			uint64_t gap = refs[i].off - c2c_rd_pos(&rd);
			size_t step = gap > (1u << 20) ? (1u << 20) : (size_t)gap;
			rc = c2c_rd_peek(&rd, step, &p, &avail);
			if (rc == C2C_EEND && avail == 0)
				break;
			if (rc != C2C_OK && rc != C2C_EEND)
				break;
			rc = C2C_OK;
			c2c_rd_advance(&rd, avail < step ? avail : step);
		}
		if (rc != C2C_OK && rc != C2C_EEND)
			break;
		rc = c2c_rd_peek(&rd, refs[i].len, &p, &avail);
		if (rc == C2C_EEND || c2c_rd_pos(&rd) != refs[i].off) {
			rc = c2c_diag_set(diag, C2C_EFORMAT, path, refs[i].off,
			    "cited record %llu+%u lies beyond the end of the input",
			    (unsigned long long)refs[i].off, refs[i].len);
			break;
		}
		if (rc != C2C_OK) {
			rc = c2c_diag_set(diag, rc, path, refs[i].off, "cannot read cited record");
			break;
		}
		rc = fn(ctx, i, p, refs[i].len);
	}
	c2c_rd_close(&rd);
	return rc;
}

size_t
c2c__records_text(const struct c2c__ref *r, const char input_hex[64], const uint8_t rec_sha[32],
    char out[C2C__RECLINE_MAX])
{
	size_t n = c2c__ref_text(r, input_hex, out);
	out[n++] = ' ';
	(void)c2c_hex(rec_sha, 32, out + n);
	return n + 64;
}

c2c_err
c2c__records_line(const struct c2c__ref *r, const uint8_t rec_sha[32], struct c2c_buf *out)
{
	char line[C2C__RECLINE_MAX], hex[65];
	size_t n = c2c__records_text(r, c2c_hex(r->sha, 32, hex), rec_sha, line);
	return c2c_buf_add(out, line, n);
}

enum c2c_format
c2c__format_parse(const char *s)
{
	for (int f = C2C_FMT_PCAP; f <= C2C_FMT_EVIDENCE; f++)
		if (strcmp(s, c2c_format_name((enum c2c_format)f)) == 0)
			return (enum c2c_format)f;
	return C2C_FMT_UNKNOWN;
}

c2c_err
c2c__tlog_proof_format(uint64_t index, const uint8_t (*proof)[32], size_t n,
    const uint8_t *note, size_t note_len, struct c2c_buf *out)
{
	char b64[48];
	c2c_err rc = c2c_buf_printf(out, "c2sp.org/tlog-proof@v1\nindex %llu\n",
	    (unsigned long long)index);
	for (size_t i = 0; i < n && rc == C2C_OK; i++) {
		(void)c2c_base64(proof[i], 32, b64);
		rc = c2c_buf_printf(out, "%s\n", b64);
	}
	if (rc == C2C_OK)
		rc = c2c_buf_addc(out, '\n');
	if (rc == C2C_OK)
		rc = c2c_buf_add(out, note, note_len);
	return rc;
}

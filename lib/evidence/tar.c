/*
 * POSIX ustar archives (IEEE Std 1003.1, "pax" interchange format without extended headers)
 * for excerpt packages: a writer of regular files, and a strict reader of an archive held in
 * memory. Also the read-only case view used by the verifier, which reads a case either from a
 * directory or from such an archive.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evidence/internal.h"

#define BLK 512u

static void
octal(char *field, size_t width, uint64_t v)
{
	/* width-1 octal digits, zero padded, then NUL. */
	field[width - 1] = '\0';
	for (size_t i = width - 1; i > 0; i--) {
		field[i - 1] = (char)('0' + (v & 7));
		v >>= 3;
	}
}

c2c_err
c2c__tar_add(struct c2c_buf *tar, const char *name, const void *p, size_t len)
{
	char h[BLK];
	unsigned sum = 0;
	size_t nlen = strlen(name), pad;
	c2c_err rc;

	if (nlen == 0 || nlen > 100 || (uint64_t)len >= (uint64_t)1 << 33)
		return C2C_EINVAL;
	memset(h, 0, sizeof(h));
	memcpy(h, name, nlen);
	octal(h + 100, 8, 0644);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, len);
	octal(h + 136, 12, 0); /* mtime 0: packages are deterministic */
	memset(h + 148, ' ', 8);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (size_t i = 0; i < BLK; i++)
		sum += (unsigned char)h[i];
	octal(h + 148, 7, sum);
	h[155] = ' ';
	rc = c2c_buf_add(tar, h, BLK);
	if (rc == C2C_OK && len > 0)
		rc = c2c_buf_add(tar, p, len);
	pad = (BLK - len % BLK) % BLK;
	memset(h, 0, sizeof(h));
	if (rc == C2C_OK && pad > 0)
		rc = c2c_buf_add(tar, h, pad);
	return rc;
}

c2c_err
c2c__tar_finish(struct c2c_buf *tar)
{
	char z[2 * BLK];
	memset(z, 0, sizeof(z));
	return c2c_buf_add(tar, z, sizeof(z));
}

static bool
parse_octal(const uint8_t *f, size_t width, uint64_t *v)
{
	size_t i = 0;
	uint64_t x = 0;
	while (i < width && f[i] == ' ')
		i++;
	if (i == width || f[i] < '0' || f[i] > '7')
		return false;
	for (; i < width && f[i] >= '0' && f[i] <= '7'; i++) {
		if (x > (UINT64_MAX >> 3))
			return false;
		x = x << 3 | (uint64_t)(f[i] - '0');
	}
	for (; i < width; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return false;
	*v = x;
	return true;
}

static bool
all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

#define TAR_MAX_MEMBERS 1000000u

c2c_err
c2c__tar_parse(const uint8_t *p, size_t len, struct c2c__tar_member **out, size_t *n,
    struct c2c_diag *diag)
{
	static const char src[] = "excerpt package";
	struct c2c__tar_member *m = NULL;
	size_t cnt = 0, cap = 0, pos = 0;

	while (pos + BLK <= len) {
		const uint8_t *h = p + pos;
		uint64_t size, sum;
		unsigned calc = 0;
		size_t nlen;

		if (all_zero(h, BLK))
			break;
		for (size_t i = 0; i < BLK; i++)
			calc += (i >= 148 && i < 156) ? ' ' : h[i];
		if (!parse_octal(h + 148, 8, &sum) || sum != calc || !parse_octal(h + 124, 12, &size))
			goto bad;
		if (size > len - pos - BLK)
			goto bad;
		if (h[156] == '0' || h[156] == '\0') {
			nlen = strnlen((const char *)h, 100);
			if (nlen == 0 || memchr(h, '\0', nlen) != NULL)
				goto bad;
			if (cnt == cap) {
				size_t ncap = cap ? cap * 2 : 32;
				struct c2c__tar_member *nm;
				if (ncap > TAR_MAX_MEMBERS) {
					c2c_free(m);
					return c2c_diag_set(diag, C2C_ELIMIT, src, pos,
					    "too many members");
				}
				nm = c2c_reallocarray(m, ncap, sizeof(*m));
				if (nm == NULL) {
					c2c_free(m);
					return C2C_ENOMEM;
				}
				m = nm;
				cap = ncap;
			}
			memcpy(m[cnt].name, h, nlen);
			m[cnt].name[nlen] = '\0';
			m[cnt].p = h + BLK;
			m[cnt].len = (size_t)size;
			cnt++;
		}
		pos += BLK + (size_t)((size + BLK - 1) / BLK * BLK);
		if (pos > len)
			goto bad;
	}
	*out = m;
	*n = cnt;
	return C2C_OK;
bad:
	c2c_free(m);
	return c2c_diag_set(diag, C2C_EFORMAT, src, pos, "malformed ustar header");
}

c2c_err
c2c__src_open(struct c2c__case_src *s, const char *path, struct c2c_diag *diag)
{
	struct stat st;
	c2c_err rc;

	memset(s, 0, sizeof(*s));
	if (stat(path, &st) != 0)
		return c2c_diag_set(diag, C2C_ENOTFOUND, path, 0, "no case or excerpt package here");
	if (S_ISDIR(st.st_mode)) {
		s->dir = path;
		return C2C_OK;
	}
	rc = c2c_file_slurp(path, C2C__FILE_CAP, &s->archive, &s->archive_len, diag);
	if (rc != C2C_OK)
		return rc;
	rc = c2c__tar_parse(s->archive, s->archive_len, &s->m, &s->n, diag);
	if (rc != C2C_OK) {
		if (diag != NULL)
			diag->src = path;
		c2c_free(s->archive);
		s->archive = NULL;
	}
	return rc;
}

void
c2c__src_close(struct c2c__case_src *s)
{
	c2c_free(s->m);
	c2c_free(s->archive);
	memset(s, 0, sizeof(*s));
}

c2c_err
c2c__src_read(const struct c2c__case_src *s, const char *rel, uint8_t **out, size_t *len,
    struct c2c_diag *diag)
{
	if (s->dir != NULL) {
		struct c2c_buf b;
		struct stat st;
		c2c_err rc;
		c2c_buf_init(&b, 1 << 16);
		rc = c2c__path(&b, s->dir, rel);
		if (rc == C2C_OK && stat((const char *)b.data, &st) != 0)
			rc = c2c_diag_set(diag, C2C_ENOTFOUND, rel, 0, "missing from the case");
		if (rc == C2C_OK) {
			/* Case files are never gzip; read them raw so a flipped byte cannot turn
			 * one into a gzip stream. */
			FILE *fp = fopen((const char *)b.data, "rb");
			uint8_t *buf = NULL;
			if (fp == NULL) {
				rc = c2c_diag_errno(diag, C2C_EIO, rel, "open");
			} else if ((uint64_t)st.st_size >= C2C__FILE_CAP) {
				rc = c2c_diag_set(diag, C2C_ELIMIT, rel, 0, "file too large");
			} else if ((buf = c2c_malloc((size_t)st.st_size + 1)) == NULL) {
				rc = C2C_ENOMEM;
			} else if (fread(buf, 1, (size_t)st.st_size, fp) != (size_t)st.st_size) {
				rc = c2c_diag_errno(diag, C2C_EIO, rel, "read");
			} else {
				buf[st.st_size] = '\0';
				*out = buf;
				*len = (size_t)st.st_size;
				buf = NULL;
			}
			c2c_free(buf);
			if (fp != NULL)
				(void)fclose(fp);
		}
		c2c_buf_fini(&b);
		return rc;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->m[i].name, rel) == 0) {
			uint8_t *buf = c2c_malloc(s->m[i].len + 1);
			if (buf == NULL)
				return C2C_ENOMEM;
			if (s->m[i].len > 0)
				memcpy(buf, s->m[i].p, s->m[i].len);
			buf[s->m[i].len] = '\0';
			*out = buf;
			*len = s->m[i].len;
			return C2C_OK;
		}
	}
	return c2c_diag_set(diag, C2C_ENOTFOUND, rel, 0, "missing from the excerpt package");
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static c2c_err
push_name(char ***names, size_t *n, size_t *cap, const char *s)
{
	char *d;
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		char **nn = c2c_reallocarray(*names, ncap, sizeof(char *));
		if (nn == NULL)
			return C2C_ENOMEM;
		*names = nn;
		*cap = ncap;
	}
	d = c2c_strdup(s);
	if (d == NULL)
		return C2C_ENOMEM;
	(*names)[(*n)++] = d;
	return C2C_OK;
}

c2c_err
c2c__src_list(const struct c2c__case_src *s, const char *dir_rel, char ***names, size_t *n)
{
	size_t cap = 0, dlen = strlen(dir_rel);
	c2c_err rc = C2C_OK;

	*names = NULL;
	*n = 0;
	if (s->dir != NULL) {
		struct c2c_buf b;
		DIR *d;
		struct dirent *e;
		c2c_buf_init(&b, 1 << 16);
		rc = c2c__path(&b, s->dir, dir_rel);
		d = rc == C2C_OK ? opendir((const char *)b.data) : NULL;
		c2c_buf_fini(&b);
		if (rc != C2C_OK || d == NULL)
			return rc;
		while (rc == C2C_OK && (e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.' || strstr(e->d_name, ".tmp.") != NULL)
				continue;
			rc = push_name(names, n, &cap, e->d_name);
		}
		(void)closedir(d);
	} else {
		for (size_t i = 0; i < s->n && rc == C2C_OK; i++) {
			const char *nm = s->m[i].name;
			if (strncmp(nm, dir_rel, dlen) == 0 && nm[dlen] == '/' &&
			    strchr(nm + dlen + 1, '/') == NULL && nm[dlen + 1] != '\0')
				rc = push_name(names, n, &cap, nm + dlen + 1);
		}
	}
	if (rc != C2C_OK) {
		for (size_t i = 0; i < *n; i++)
			c2c_free((*names)[i]);
		c2c_free(*names);
		*names = NULL;
		*n = 0;
		return rc;
	}
	if (*n > 1)
		qsort(*names, *n, sizeof(char *), cmp_names);
	return C2C_OK;
}

/*
 * c2c_ingest_expand: one input argument to the list of files to read. A directory is walked
 * recursively and its regular files are returned sorted by path in byte order, so a folder of
 * rotated hourly Zeek logs (conn.00:00:00-01:00:00.log.gz, ...) loads as one ordered input set
 * on every machine. Hidden entries are skipped; symbolic links are followed for the argument
 * itself but not inside the walk (no cycles).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ingest/internal.h"

#define EXPAND_MAX_FILES 1000000u
#define EXPAND_MAX_DEPTH 64

struct list {
	char **v;
	size_t n, cap;
};

static c2c_err
push(struct list *l, const char *s)
{
	char *d;
	if (l->n >= EXPAND_MAX_FILES)
		return C2C_ELIMIT;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		char **nv = c2c_reallocarray(l->v, nc, sizeof(*nv));
		if (nv == NULL)
			return C2C_ENOMEM;
		l->v = nv;
		l->cap = nc;
	}
	d = c2c_strdup(s);
	if (d == NULL)
		return C2C_ENOMEM;
	l->v[l->n++] = d;
	return C2C_OK;
}

static int
cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static c2c_err
walk(const char *dir, unsigned depth, struct list *out, struct c2c_diag *diag)
{
	struct list names = { NULL, 0, 0 };
	struct dirent *de;
	c2c_err rc = C2C_OK;
	DIR *d;

	if (depth > EXPAND_MAX_DEPTH)
		return c2c_diag_set(diag, C2C_ELIMIT, dir, 0, "directories nested too deep");
	d = opendir(dir);
	if (d == NULL)
		return c2c_diag_errno(diag, C2C_EIO, dir, "opendir");
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		rc = push(&names, de->d_name);
		if (rc != C2C_OK)
			break;
	}
	(void)closedir(d);
	if (rc == C2C_OK)
		qsort(names.v, names.n, sizeof(*names.v), cmp_path);
	for (size_t i = 0; rc == C2C_OK && i < names.n; i++) {
		struct c2c_buf b;
		struct stat st;
		const char *p;
		c2c_buf_init(&b, 1u << 16);
		rc = c2c_buf_printf(&b, "%s/%s", dir, names.v[i]);
		p = rc == C2C_OK ? c2c_buf_cstr(&b) : NULL;
		if (rc == C2C_OK && p == NULL)
			rc = C2C_ENOMEM;
		if (rc == C2C_OK) {
			if (lstat(p, &st) != 0)
				rc = c2c_diag_errno(diag, C2C_EIO, p, "stat");
			else if (S_ISDIR(st.st_mode))
				rc = walk(p, depth + 1, out, diag);
			else if (S_ISREG(st.st_mode))
				rc = push(out, p);
		}
		c2c_buf_fini(&b);
	}
	for (size_t i = 0; i < names.n; i++)
		c2c_free(names.v[i]);
	c2c_free(names.v);
	return rc;
}

c2c_err
c2c_ingest_expand(const char *path, char ***paths, size_t *n, struct c2c_diag *diag)
{
	struct list out = { NULL, 0, 0 };
	struct stat st;
	c2c_err rc;

	if (stat(path, &st) != 0)
		return c2c_diag_errno(diag, C2C_EIO, path, "stat");
	if (S_ISDIR(st.st_mode)) {
		rc = walk(path, 0, &out, diag);
		/* Sorting the whole list (not per directory) keeps "a/x" before "a.b" consistent
		 * with a plain byte-order sort of full paths. */
		if (rc == C2C_OK)
			qsort(out.v, out.n, sizeof(*out.v), cmp_path);
	} else {
		rc = push(&out, path);
	}
	if (rc == C2C_ELIMIT && diag != NULL && diag->msg[0] == '\0')
		(void)c2c_diag_set(diag, rc, path, 0, "more than %u files", EXPAND_MAX_FILES);
	if (rc != C2C_OK) {
		c2c_ingest_expand_free(out.v, out.n);
		return rc;
	}
	*paths = out.v;
	*n = out.n;
	return C2C_OK;
}

void
c2c_ingest_expand_free(char **paths, size_t n)
{
	if (paths == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		c2c_free(paths[i]);
	c2c_free(paths);
}

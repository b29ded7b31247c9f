/*
 * Whole-file helpers: read a small file (feeds, configs, catalogues) into memory, and write a
 * file atomically (temporary name in the same folder, fsync, rename) so that a crash never leaves
 * a half-written file under its final name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "c2chain/core.h"

c2c_err
c2c_file_slurp(const char *path, size_t cap, uint8_t **out, size_t *len, struct c2c_diag *diag)
{
	struct c2c_rd rd;
	struct c2c_buf b;
	c2c_err rc = c2c_rd_open(&rd, path, 0, diag);

	if (rc != C2C_OK)
		return rc;
	c2c_buf_init(&b, cap);
	for (;;) {
		const uint8_t *p;
		size_t avail = 0;
		rc = c2c_rd_peek(&rd, 1u << 20, &p, &avail);
		if (rc != C2C_OK && rc != C2C_EEND)
			break;
		if (avail > 0) {
			c2c_err rc2 = c2c_buf_add(&b, p, avail);
			if (rc2 != C2C_OK) {
				rc = rc2;
				break;
			}
			c2c_rd_advance(&rd, avail);
		}
		if (rc == C2C_EEND || avail == 0) {
			rc = C2C_OK;
			break;
		}
	}
	c2c_rd_close(&rd);
	if (rc == C2C_OK && c2c_buf_cstr(&b) == NULL)
		rc = C2C_ENOMEM;
	if (rc != C2C_OK) {
		c2c_buf_fini(&b);
		if (rc == C2C_ELIMIT)
			return c2c_diag_set(diag, rc, path, 0, "file larger than %zu bytes", cap);
		if (rc == C2C_EFORMAT)
			return c2c_diag_set(diag, rc, path, 0, "corrupt or truncated gzip data");
		return rc;
	}
	*out = c2c_buf_steal(&b, len);
	return C2C_OK;
}

c2c_err
c2c_file_write_atomic(const char *path, const void *p, size_t len, struct c2c_diag *diag)
{
	char tmp[4096];
	int fd;
	const uint8_t *q = p;
	size_t left = len;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return c2c_diag_set(diag, C2C_EINVAL, path, 0, "path too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return c2c_diag_errno(diag, C2C_EIO, path, "create");
	while (left > 0) {
		ssize_t n = write(fd, q, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			c2c_err rc = c2c_diag_errno(diag, C2C_EIO, path, "write");
			(void)close(fd);
			(void)unlink(tmp);
			return rc;
		}
		q += n;
		left -= (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		c2c_err rc = c2c_diag_errno(diag, C2C_EIO, path, "fsync");
		(void)unlink(tmp);
		return rc;
	}
	if (rename(tmp, path) != 0) {
		c2c_err rc = c2c_diag_errno(diag, C2C_EIO, path, "rename");
		(void)unlink(tmp);
		return rc;
	}
	return C2C_OK;
}

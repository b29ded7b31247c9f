/*
 * The error table (err.h) rendered as names and messages, plus the diag helpers every parser
 * uses to say where input went wrong: file, byte offset or line, and a short reason.
 */
#include "c2chain/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *
c2c_strerror(c2c_err err)
{
	switch (err) {
	case C2C_OK:
		return "success";
#define C2C_X_(name, val, msg)                                                                    \
	case C2C_E##name:                                                                          \
		return msg;
		C2C_ERR_MAP(C2C_X_)
#undef C2C_X_
	}
	return "unknown error";
}

const char *
c2c_errname(c2c_err err)
{
	switch (err) {
	case C2C_OK:
		return "C2C_OK";
#define C2C_X_(name, val, msg)                                                                    \
	case C2C_E##name:                                                                          \
		return "C2C_E" #name;
		C2C_ERR_MAP(C2C_X_)
#undef C2C_X_
	}
	return "C2C_E?";
}

static c2c_err diag_vset(struct c2c_diag *diag, c2c_err err, const char *src, uint64_t where,
    int is_line, const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

static c2c_err
diag_vset(struct c2c_diag *diag, c2c_err err, const char *src, uint64_t where, int is_line,
    const char *fmt, va_list ap)
{
	if (diag == NULL)
		return err;
	diag->src = src;
	diag->where = where;
	diag->where_is_line = is_line;
	diag->sys_errno = 0;
	(void)vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
	return err;
}

c2c_err
c2c_diag_set(struct c2c_diag *diag, c2c_err err, const char *src, uint64_t where,
    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	(void)diag_vset(diag, err, src, where, 0, fmt, ap);
	va_end(ap);
	return err;
}

c2c_err
c2c_diag_line(struct c2c_diag *diag, c2c_err err, const char *src, uint64_t line,
    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	(void)diag_vset(diag, err, src, line, 1, fmt, ap);
	va_end(ap);
	return err;
}

c2c_err
c2c_diag_errno(struct c2c_diag *diag, c2c_err err, const char *src, const char *what)
{
	int e = errno;
	if (diag == NULL)
		return err;
	diag->src = src;
	diag->where = 0;
	diag->where_is_line = 0;
	diag->sys_errno = e;
	(void)snprintf(diag->msg, sizeof(diag->msg), "%s: %s", what, strerror(e));
	return err;
}

int
c2c_diag_format(const struct c2c_diag *diag, c2c_err err, char *buf, unsigned long len)
{
	if (diag == NULL || diag->msg[0] == '\0')
		return snprintf(buf, len, "%s", c2c_strerror(err));
	if (diag->src == NULL)
		return snprintf(buf, len, "%s", diag->msg);
	if (diag->where_is_line)
		return snprintf(buf, len, "%s:%llu: %s", diag->src, (unsigned long long)diag->where,
		    diag->msg);
	if (diag->where != 0)
		return snprintf(buf, len, "%s: byte %llu: %s", diag->src,
		    (unsigned long long)diag->where, diag->msg);
	return snprintf(buf, len, "%s: %s", diag->src, diag->msg);
}

/*
 * c2chain error table. One X-macro feeds the enum, c2c_strerror() and c2c_errname() (libuv).
 * Functions that can fail return c2c_err; objects come out through a trailing **out written only
 * on success. A struct c2c_diag (may be NULL) receives where and why.
 */
#ifndef C2C_ERR_H
#define C2C_ERR_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define C2C_ERR_MAP(X)                                                                   \
	X(NOMEM, -1, "out of memory")                                                     \
	X(IO, -2, "I/O error")                                                            \
	X(INVAL, -3, "invalid argument")                                                  \
	X(FORMAT, -4, "malformed input")                                                  \
	X(LIMIT, -5, "limit exceeded")                                                    \
	X(NOTFOUND, -6, "not found")                                                      \
	X(END, -7, "end of input")                                                        \
	X(UNSUPPORTED, -8, "unsupported format or feature")                               \
	X(VERIFY, -9, "verification failed")                                              \
	X(CRYPTO, -10, "cryptographic library error")                                     \
	X(EXISTS, -11, "already exists")

typedef enum c2c_err {
	C2C_OK = 0,
#define C2C_X_(name, val, msg) C2C_E##name = (val),
	C2C_ERR_MAP(C2C_X_)
#undef C2C_X_
} c2c_err;

/* Where and why an operation failed. `src` is borrowed (usually the input path); `where` is a
 * byte offset, or a 1-based line number when `where_is_line` is set. */
struct c2c_diag {
	const char *src;
	uint64_t where;
	int where_is_line;
	int sys_errno;
	char msg[200];
};

/* Human-readable message / symbolic name ("C2C_EFORMAT") for an error; never NULL. */
const char *c2c_strerror(c2c_err err);
const char *c2c_errname(c2c_err err);

/* Fill `diag` (NULL-safe) and return `err`: a one-line way out of a parser. `fmt` is printf. */
c2c_err c2c_diag_set(struct c2c_diag *diag, c2c_err err, const char *src, uint64_t where,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Same, `where` is a 1-based line number. */
c2c_err c2c_diag_line(struct c2c_diag *diag, c2c_err err, const char *src, uint64_t line,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Record errno (read by the callee) for a failed system call on `src`; returns `err`. */
c2c_err c2c_diag_errno(struct c2c_diag *diag, c2c_err err, const char *src, const char *what);
/* Render as "src:where: msg" (or "src:line N: msg") into buf; snprintf semantics. */
int c2c_diag_format(const struct c2c_diag *diag, c2c_err err, char *buf, unsigned long len);

#ifdef __cplusplus
}
#endif
#endif

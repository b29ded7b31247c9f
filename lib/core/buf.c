/*
 * Growable byte buffer with a hard cap (curl's dynbuf): growth doubles up to `cap`, and a request
 * past it fails with C2C_ELIMIT, so input-controlled sizes never reach the allocator unchecked.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "c2chain/core.h"

void
c2c_buf_init(struct c2c_buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

void
c2c_buf_fini(struct c2c_buf *b)
{
	c2c_free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
}

void
c2c_buf_reset(struct c2c_buf *b)
{
	b->len = 0;
}

c2c_err
c2c_buf_reserve(struct c2c_buf *b, size_t more)
{
	size_t need, n;
	uint8_t *p;

	if (more > b->cap || b->len > b->cap - more)
		return C2C_ELIMIT;
	need = b->len + more + 1; /* room for a NUL */
	if (need <= b->alloc)
		return C2C_OK;
	n = b->alloc ? b->alloc : 64;
	while (n < need)
		n = n > SIZE_MAX / 2 ? need : n * 2;
	if (n > b->cap + 1)
		n = b->cap + 1;
	p = c2c_realloc(b->data, n);
	if (p == NULL)
		return C2C_ENOMEM;
	b->data = p;
	b->alloc = n;
	return C2C_OK;
}

c2c_err
c2c_buf_add(struct c2c_buf *b, const void *p, size_t len)
{
	c2c_err rc = c2c_buf_reserve(b, len);
	if (rc != C2C_OK)
		return rc;
	if (len)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	return C2C_OK;
}

c2c_err
c2c_buf_addc(struct c2c_buf *b, char c)
{
	return c2c_buf_add(b, &c, 1);
}

c2c_err
c2c_buf_adds(struct c2c_buf *b, const char *s)
{
	return c2c_buf_add(b, s, strlen(s));
}

c2c_err
c2c_buf_printf(struct c2c_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	c2c_err rc;
	char small[256];

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return C2C_EINVAL;
	if ((size_t)n < sizeof(small))
		return c2c_buf_add(b, small, (size_t)n);
	rc = c2c_buf_reserve(b, (size_t)n);
	if (rc != C2C_OK)
		return rc;
	va_start(ap, fmt);
	(void)vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return C2C_OK;
}

const char *
c2c_buf_cstr(struct c2c_buf *b)
{
	if (c2c_buf_reserve(b, 0) != C2C_OK)
		return NULL;
	b->data[b->len] = '\0';
	return (const char *)b->data;
}

uint8_t *
c2c_buf_steal(struct c2c_buf *b, size_t *len)
{
	uint8_t *p = b->data;
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->alloc = 0;
	return p;
}

/*
 * Bounded byte cursor for parsers of hostile bytes (nfdump's cursor_t, made const). Every read
 * checks the remaining length and returns false instead of reading past the end; fields are
 * decoded one by one, never by casting bytes to a struct.
 */
#ifndef C2C_CURSOR_H
#define C2C_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct c2c_cur {
	const uint8_t *p, *end;
};

static inline void
c2c_cur_init(struct c2c_cur *c, const void *p, size_t len)
{
	c->p = (const uint8_t *)p;
	c->end = c->p + len;
}

static inline size_t
c2c_cur_left(const struct c2c_cur *c)
{
	return (size_t)(c->end - c->p);
}

static inline bool
c2c_cur_skip(struct c2c_cur *c, size_t n)
{
	if (c2c_cur_left(c) < n)
		return false;
	c->p += n;
	return true;
}

static inline bool
c2c_cur_u8(struct c2c_cur *c, uint8_t *v)
{
	if (c->p >= c->end)
		return false;
	*v = *c->p++;
	return true;
}

static inline bool
c2c_cur_be16(struct c2c_cur *c, uint16_t *v)
{
	if (c2c_cur_left(c) < 2)
		return false;
	*v = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
	c->p += 2;
	return true;
}

static inline bool
c2c_cur_be24(struct c2c_cur *c, uint32_t *v)
{
	if (c2c_cur_left(c) < 3)
		return false;
	*v = (uint32_t)c->p[0] << 16 | (uint32_t)c->p[1] << 8 | c->p[2];
	c->p += 3;
	return true;
}

static inline bool
c2c_cur_be32(struct c2c_cur *c, uint32_t *v)
{
	if (c2c_cur_left(c) < 4)
		return false;
	*v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 | (uint32_t)c->p[2] << 8 | c->p[3];
	c->p += 4;
	return true;
}

static inline bool
c2c_cur_be64(struct c2c_cur *c, uint64_t *v)
{
	uint32_t hi, lo;
	if (c2c_cur_left(c) < 8)
		return false;
	(void)c2c_cur_be32(c, &hi);
	(void)c2c_cur_be32(c, &lo);
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

static inline bool
c2c_cur_le16(struct c2c_cur *c, uint16_t *v)
{
	if (c2c_cur_left(c) < 2)
		return false;
	*v = (uint16_t)((unsigned)c->p[1] << 8 | c->p[0]);
	c->p += 2;
	return true;
}

static inline bool
c2c_cur_le32(struct c2c_cur *c, uint32_t *v)
{
	if (c2c_cur_left(c) < 4)
		return false;
	*v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 | (uint32_t)c->p[1] << 8 | c->p[0];
	c->p += 4;
	return true;
}

static inline bool
c2c_cur_le64(struct c2c_cur *c, uint64_t *v)
{
	uint32_t lo, hi;
	if (c2c_cur_left(c) < 8)
		return false;
	(void)c2c_cur_le32(c, &lo);
	(void)c2c_cur_le32(c, &hi);
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

/* Borrow `n` bytes: *p points into the buffer. */
static inline bool
c2c_cur_bytes(struct c2c_cur *c, size_t n, const uint8_t **p)
{
	if (c2c_cur_left(c) < n)
		return false;
	*p = c->p;
	c->p += n;
	return true;
}

/* A sub-cursor over the next `n` bytes, which the parent skips. */
static inline bool
c2c_cur_sub(struct c2c_cur *c, size_t n, struct c2c_cur *sub)
{
	if (c2c_cur_left(c) < n)
		return false;
	sub->p = c->p;
	sub->end = c->p + n;
	c->p += n;
	return true;
}

/* Big-endian loads from a pointer the caller has already bounds-checked. */
static inline uint16_t
c2c_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t
c2c_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif

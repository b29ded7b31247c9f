/*
 * Test-side frame builder for the capture and decoder tests: appends headers to a byte buffer
 * and fixes up lengths and checksums afterwards (begin/end pairs, ended innermost first).
 */
#ifndef C2C_TEST_PKTBUILD_H
#define C2C_TEST_PKTBUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fb {
	uint8_t b[70000];
	size_t n;
};

static inline void
fb_reset(struct fb *f)
{
	f->n = 0;
}

static inline size_t
put(struct fb *f, const void *p, size_t n)
{
	size_t at = f->n;
	if (f->n + n > sizeof(f->b)) {
		fprintf(stderr, "frame builder overflow\n");
		exit(1);
	}
	if (p != NULL)
		memcpy(f->b + f->n, p, n);
	else
		memset(f->b + f->n, 0, n);
	f->n += n;
	return at;
}

static inline void
put8(struct fb *f, unsigned v)
{
	uint8_t b = (uint8_t)v;
	put(f, &b, 1);
}

static inline void
put16(struct fb *f, unsigned v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	put(f, b, 2);
}

static inline void
put32(struct fb *f, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	put(f, b, 4);
}

/* In a file's byte order (le: little-endian). */
static inline void
putx16(struct fb *f, unsigned v, bool le)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	if (le) {
		b[0] = (uint8_t)v;
		b[1] = (uint8_t)(v >> 8);
	}
	put(f, b, 2);
}

static inline void
putx32(struct fb *f, uint32_t v, bool le)
{
	if (le) {
		putx16(f, v & 0xffff, true);
		putx16(f, v >> 16, true);
	} else {
		put32(f, v);
	}
}

static inline void
putx64(struct fb *f, uint64_t v, bool le)
{
	if (le) {
		putx32(f, (uint32_t)v, true);
		putx32(f, (uint32_t)(v >> 32), true);
	} else {
		put32(f, (uint32_t)(v >> 32));
		put32(f, (uint32_t)v);
	}
}

static inline void
setx32(struct fb *f, size_t at, uint32_t v, bool le)
{
	for (int i = 0; i < 4; i++)
		f->b[at + i] = (uint8_t)(le ? v >> (8 * i) : v >> (24 - 8 * i));
}

static inline void
set16(struct fb *f, size_t at, unsigned v)
{
	f->b[at] = (uint8_t)(v >> 8);
	f->b[at + 1] = (uint8_t)v;
}

static inline uint16_t
csum16(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static inline void
eth(struct fb *f, unsigned type)
{
	static const uint8_t mac[12] = { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10 };
	put(f, mac, 12);
	put16(f, type);
}

static inline size_t
ip4_begin(struct fb *f, unsigned proto, uint32_t src, uint32_t dst)
{
	size_t at = f->n;
	put8(f, 0x45);
	put8(f, 0);
	put16(f, 0); /* total length, fixed by ip4_end */
	put16(f, 0x1234);
	put16(f, 0x4000); /* DF */
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put32(f, src);
	put32(f, dst);
	return at;
}

static inline void
ip4_end(struct fb *f, size_t at)
{
	unsigned hl = (unsigned)(f->b[at] & 15) * 4;
	set16(f, at + 2, (unsigned)(f->n - at));
	set16(f, at + 10, 0);
	set16(f, at + 10, csum16(f->b + at, hl, 0));
}

static inline size_t
ip6_begin(struct fb *f, unsigned nh, unsigned src_last, unsigned dst_last)
{
	size_t at = f->n;
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	put32(f, 0x60000000);
	put16(f, 0);
	put8(f, nh);
	put8(f, 64);
	a[15] = (uint8_t)src_last;
	put(f, a, 16);
	a[15] = (uint8_t)dst_last;
	put(f, a, 16);
	return at;
}

static inline void
ip6_end(struct fb *f, size_t at)
{
	set16(f, at + 4, (unsigned)(f->n - at - 40));
}

static inline size_t
udp_begin(struct fb *f, unsigned sport, unsigned dport)
{
	size_t at = f->n;
	put16(f, sport);
	put16(f, dport);
	put16(f, 0);
	put16(f, 0);
	return at;
}

static inline void
udp_end(struct fb *f, size_t at)
{
	set16(f, at + 4, (unsigned)(f->n - at));
}

static inline void
tcp(struct fb *f, unsigned sport, unsigned dport, uint32_t seq, uint32_t ack, unsigned flags)
{
	put16(f, sport);
	put16(f, dport);
	put32(f, seq);
	put32(f, ack);
	put8(f, 0x50);
	put8(f, flags);
	put16(f, 8192);
	put16(f, 0);
	put16(f, 0);
}

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

#endif

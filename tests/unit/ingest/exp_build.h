/*
 * Builders for synthetic NetFlow/IPFIX messages in the export unit tests, and a collecting
 * sink. Test-only.
 */
#ifndef C2C_TEST_EXP_BUILD_H
#define C2C_TEST_EXP_BUILD_H

#include <string.h>

#include "ingest/export.h"
#include "test.h"

struct mb {
	uint8_t b[70000];
	size_t n;
};

static inline void
mb_u8(struct mb *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)v;
}
static inline void
mb_u16(struct mb *m, unsigned v)
{
	mb_u8(m, v >> 8);
	mb_u8(m, v & 0xff);
}
static inline void
mb_u32(struct mb *m, uint32_t v)
{
	mb_u16(m, v >> 16);
	mb_u16(m, v & 0xffff);
}
static inline void
mb_bytes(struct mb *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}
/* Patch a 16-bit length at `at` to the bytes from `at - 2` (set start) to the end. */
static inline void
mb_set_len(struct mb *m, size_t set_start)
{
	size_t l = m->n - set_start;
	m->b[set_start + 2] = (uint8_t)(l >> 8);
	m->b[set_start + 3] = (uint8_t)l;
}

/* IPFIX header; the length is patched by mb_ipfix_end. */
static inline void
mb_ipfix(struct mb *m, uint32_t etime, uint32_t seq, uint32_t domain)
{
	m->n = 0;
	mb_u16(m, 10);
	mb_u16(m, 0);
	mb_u32(m, etime);
	mb_u32(m, seq);
	mb_u32(m, domain);
}
static inline void
mb_ipfix_end(struct mb *m)
{
	m->b[2] = (uint8_t)(m->n >> 8);
	m->b[3] = (uint8_t)m->n;
}
static inline size_t
mb_set(struct mb *m, unsigned id)
{
	size_t at = m->n;
	mb_u16(m, id);
	mb_u16(m, 0);
	return at;
}

/* Collecting sink. */
#define SINK_MAX 64
struct coll {
	size_t n;
	struct c2c_flow f[SINK_MAX];
};
static inline c2c_err
coll_flow(void *ctx, const struct c2c_flow *f)
{
	struct coll *c = ctx;
	if (c->n < SINK_MAX)
		c->f[c->n] = *f;
	c->n++;
	return C2C_OK;
}

struct env {
	struct c2c_exp *x;
	struct coll c;
	struct c2c_sink sink;
	struct c2c_ingest_stats st;
	struct c2c_input_info info;
	struct c2c_exp_out out;
};
static inline void
env_init(struct env *e)
{
	memset(e, 0, sizeof(*e));
	e->x = c2c__exp_new();
	ASSERT_NONNULL(e->x);
	e->sink.ctx = &e->c;
	e->sink.flow = coll_flow;
	e->info.first_ts = INT64_MAX;
	e->info.last_ts = INT64_MIN;
	e->out.input = 7;
	e->out.sink = &e->sink;
	e->out.st = &e->st;
	e->out.info = &e->info;
}
static inline void
env_fini(struct env *e)
{
	c2c__exp_free(e->x);
}
static inline void
env_feed(struct env *e, const struct c2c_ip *exporter, const struct mb *m, uint64_t off)
{
	ASSERT_OK(c2c__exp_message(e->x, exporter, m->b, m->n, off, &e->out));
}

#endif

/*
 * Batches and the bounded queue between the ingest and analysis threads (batch.h). Records are
 * stored as [kind:4][size:4][bytes] in one arena; observations are stored only up to the end of
 * their used union member, so DNS-heavy streams do not copy 4 KiB per record.
 */
#include <stddef.h>
#include <string.h>

#include "pipeline/batch.h"

enum { REC_FLOW = 1, REC_OBS = 2 };

c2c_err
c2c__bq_init(struct bqueue *q)
{
	memset(q, 0, sizeof(*q));
	if (pthread_mutex_init(&q->mu, NULL) != 0)
		return C2C_ENOMEM;
	if (pthread_cond_init(&q->not_empty, NULL) != 0) {
		(void)pthread_mutex_destroy(&q->mu);
		return C2C_ENOMEM;
	}
	if (pthread_cond_init(&q->not_full, NULL) != 0) {
		(void)pthread_cond_destroy(&q->not_empty);
		(void)pthread_mutex_destroy(&q->mu);
		return C2C_ENOMEM;
	}
	return C2C_OK;
}

void
c2c__bq_fini(struct bqueue *q)
{
	for (unsigned i = 0; i < q->count; i++)
		c2c__batch_free(q->slots[(q->head + i) % QUEUE_DEPTH]);
	(void)pthread_cond_destroy(&q->not_full);
	(void)pthread_cond_destroy(&q->not_empty);
	(void)pthread_mutex_destroy(&q->mu);
}

c2c_err
c2c__bq_push(struct bqueue *q, struct batch *b)
{
	c2c_err rc;
	(void)pthread_mutex_lock(&q->mu);
	while (q->count == QUEUE_DEPTH && q->consumer_err == C2C_OK)
		(void)pthread_cond_wait(&q->not_full, &q->mu);
	rc = q->consumer_err;
	if (rc == C2C_OK) {
		q->slots[(q->head + q->count) % QUEUE_DEPTH] = b;
		q->count++;
		(void)pthread_cond_signal(&q->not_empty);
	}
	(void)pthread_mutex_unlock(&q->mu);
	if (rc != C2C_OK)
		c2c__batch_free(b);
	return rc;
}

struct batch *
c2c__bq_pop(struct bqueue *q)
{
	struct batch *b = NULL;
	(void)pthread_mutex_lock(&q->mu);
	while (q->count == 0 && !q->closed)
		(void)pthread_cond_wait(&q->not_empty, &q->mu);
	if (q->count > 0) {
		b = q->slots[q->head];
		q->head = (q->head + 1) % QUEUE_DEPTH;
		q->count--;
		(void)pthread_cond_signal(&q->not_full);
	}
	(void)pthread_mutex_unlock(&q->mu);
	return b;
}

void
c2c__bq_close(struct bqueue *q)
{
	(void)pthread_mutex_lock(&q->mu);
	q->closed = true;
	(void)pthread_cond_broadcast(&q->not_empty);
	(void)pthread_mutex_unlock(&q->mu);
}

void
c2c__bq_fail(struct bqueue *q, c2c_err err)
{
	(void)pthread_mutex_lock(&q->mu);
	q->consumer_err = err;
	(void)pthread_cond_broadcast(&q->not_full);
	(void)pthread_mutex_unlock(&q->mu);
}

struct batch *
c2c__batch_new(void)
{
	struct batch *b = c2c_calloc(1, sizeof(*b));
	if (b == NULL)
		return NULL;
	b->arena = c2c_malloc(BATCH_BYTES);
	if (b->arena == NULL) {
		c2c_free(b);
		return NULL;
	}
	return b;
}

void
c2c__batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	c2c_free(b->arena);
	c2c_free(b);
}

static bool
add(struct batch *b, uint32_t kind, const void *p, size_t len)
{
	uint32_t hdr[2] = { kind, (uint32_t)len };
	size_t need = sizeof(hdr) + ((len + 7) & ~(size_t)7);
	if (b->len + need > BATCH_BYTES)
		return false;
	memcpy(b->arena + b->len, hdr, sizeof(hdr));
	memcpy(b->arena + b->len + sizeof(hdr), p, len);
	b->len += need;
	return true;
}

bool
c2c__batch_add_flow(struct batch *b, const struct c2c_flow *f)
{
	return add(b, REC_FLOW, f, sizeof(*f));
}

static size_t
obs_used(const struct c2c_obs *o)
{
	size_t base = offsetof(struct c2c_obs, u);
	switch (o->kind) {
	case C2C_OBS_DNS:
		return base + offsetof(struct c2c_dns, answers) +
		    (size_t)o->u.dns.n_answers * sizeof(struct c2c_dns_answer);
	case C2C_OBS_TLS:
		return base + sizeof(struct c2c_tls);
	case C2C_OBS_HTTP:
		return base + sizeof(struct c2c_http);
	default:
		return sizeof(*o);
	}
}

bool
c2c__batch_add_obs(struct batch *b, const struct c2c_obs *o)
{
	return add(b, REC_OBS, o, obs_used(o));
}

c2c_err
c2c__batch_replay(const struct batch *b, const struct c2c_sink *sink)
{
	size_t off = 0;
	c2c_err rc = C2C_OK;
	/* Aligned scratch records: the arena copy may be shorter than the struct (observations). */
	static _Thread_local struct c2c_obs obs;
	static _Thread_local struct c2c_flow flow;
	while (off < b->len && rc == C2C_OK) {
		uint32_t hdr[2];
		memcpy(hdr, b->arena + off, sizeof(hdr));
		if (hdr[0] == REC_FLOW) {
			memcpy(&flow, b->arena + off + sizeof(hdr), sizeof(flow));
			if (sink->flow != NULL)
				rc = sink->flow(sink->ctx, &flow);
		} else {
			memset(&obs, 0, sizeof(obs));
			memcpy(&obs, b->arena + off + sizeof(hdr), hdr[1]);
			if (sink->obs != NULL)
				rc = sink->obs(sink->ctx, &obs);
		}
		off += sizeof(hdr) + ((hdr[1] + 7) & ~(size_t)7);
	}
	return rc;
}

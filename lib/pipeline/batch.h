/*
 * Internal to lib/pipeline: the two-thread hand-off between ingest and analysis. The ingest
 * thread appends flows and observations, in the order the readers deliver them, to a batch
 * (one arena of tagged records); full batches pass through a bounded queue to the analysis
 * thread, which replays them in the same order. Analysis therefore sees exactly the sequence a
 * single-threaded run sees, and the report is byte-identical whatever the thread count.
 */
#ifndef C2C_PIPELINE_BATCH_H
#define C2C_PIPELINE_BATCH_H

#include <pthread.h>
#include <stdbool.h>

#include "c2chain/types.h"

#define BATCH_BYTES (4u << 20)
#define QUEUE_DEPTH 4

struct batch {
	uint8_t *arena;
	size_t len;
	uint32_t input; /* the input these records came from */
	bool end_of_input;
};

struct bqueue {
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	struct batch *slots[QUEUE_DEPTH];
	unsigned head, count;
	bool closed;
	c2c_err consumer_err; /* set by the consumer to stop the producer early */
};

c2c_err c2c__bq_init(struct bqueue *q);
void c2c__bq_fini(struct bqueue *q);
/* Blocks while full; returns the consumer's error if it has stopped. Takes `b`. */
c2c_err c2c__bq_push(struct bqueue *q, struct batch *b);
/* Blocks while empty; NULL when closed and drained. */
struct batch *c2c__bq_pop(struct bqueue *q);
void c2c__bq_close(struct bqueue *q);
void c2c__bq_fail(struct bqueue *q, c2c_err err);

struct batch *c2c__batch_new(void);
void c2c__batch_free(struct batch *b);
/* Append one record; false when the batch is full (the caller pushes it and starts another). */
bool c2c__batch_add_flow(struct batch *b, const struct c2c_flow *f);
bool c2c__batch_add_obs(struct batch *b, const struct c2c_obs *o);
/* Replay a batch through a sink, in order. */
c2c_err c2c__batch_replay(const struct batch *b, const struct c2c_sink *sink);

#endif

/*
 * DNS parser: the input is one message (UDP) and, framed with TCP length prefixes, the same
 * bytes as a stream from both sides split at an input-chosen point. No state is kept.
 */
#include <stdint.h>
#include <string.h>

#include "ingest/app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static c2c_err
sink_obs(void *ctx, const struct c2c_obs *o)
{
	(void)ctx;
	/* Touch what a consumer would read. */
	volatile size_t n = strlen(o->u.dns.query);
	for (unsigned i = 0; i < o->u.dns.n_answers; i++)
		n += strlen(o->u.dns.answers[i].text);
	(void)n;
	return C2C_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct c2c_sink sink = { NULL, NULL, sink_obs };
	struct c2c_ingest_stats st;
	struct c2c_app_out o;
	struct c2c_dns_msg m;
	struct c2c_dns_flow *d;
	size_t cut = size > 0 ? data[0] % (size + 1) : 0;

	memset(&st, 0, sizeof(st));
	memset(&o, 0, sizeof(o));
	o.sink = &sink;
	o.st = &st;
	(void)c2c__dns_parse(data, size, &m);
	d = c2c__dns_flow_new(false);
	if (d != NULL) {
		c2c__dns_flow_ports(d, size > 1 && (data[1] & 1) ? 137 : 53);
		(void)c2c__dns_flow_data(d, true, data, size, &o);
		(void)c2c__dns_flow_data(d, false, data, size, &o);
		(void)c2c__dns_flow_finish(d, &o);
		c2c__dns_flow_free(d);
	}
	d = c2c__dns_flow_new(true);
	if (d != NULL) {
		(void)c2c__dns_flow_data(d, true, data, cut, &o);
		(void)c2c__dns_flow_data(d, true, data + cut, size - cut, &o);
		(void)c2c__dns_flow_data(d, false, data, size, &o);
		(void)c2c__dns_flow_finish(d, &o);
		c2c__dns_flow_free(d);
	}
	return 0;
}

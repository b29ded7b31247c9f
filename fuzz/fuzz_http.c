/*
 * HTTP parser: the request parser on the raw input, then a flow fed the bytes before an
 * input-chosen split as the client's stream and the rest as the server's, in small segments.
 */
#include <stdint.h>
#include <string.h>

#include "ingest/app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static c2c_err
sink_obs(void *ctx, const struct c2c_obs *o)
{
	(void)ctx;
	volatile size_t n = strlen(o->u.http.host) + strlen(o->u.http.uri) +
	    strlen(o->u.http.user_agent) + strlen(o->u.http.method);
	(void)n;
	return C2C_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct c2c_sink sink = { NULL, NULL, sink_obs };
	struct c2c_ingest_stats st;
	struct c2c_app_out o;
	struct c2c_http h;
	struct c2c_http_flow *f;
	size_t cut, step;

	if (size < 2)
		return 0;
	cut = (size - 2) * data[0] / 255;
	step = 1 + data[1] % 64;
	data += 2;
	size -= 2;
	memset(&st, 0, sizeof(st));
	memset(&o, 0, sizeof(o));
	o.sink = &sink;
	o.st = &st;
	(void)c2c__http_parse_request(data, size, &h);
	(void)c2c__http_probe(data, size);
	f = c2c__http_flow_new();
	if (f == NULL)
		return 0;
	for (size_t i = 0; i < cut; i += step)
		(void)c2c__http_flow_data(f, true, data + i, cut - i < step ? cut - i : step, &o);
	for (size_t i = cut; i < size; i += step)
		(void)c2c__http_flow_data(f, false, data + i, size - i < step ? size - i : step, &o);
	c2c__http_flow_gap(f, true);
	(void)c2c__http_flow_data(f, true, data, size, &o);
	(void)c2c__http_flow_finish(f, &o);
	c2c__http_flow_free(f);
	return 0;
}

/*
 * TLS handshake parser: the first byte chooses a split point; the bytes before it are the
 * client's stream, the rest the server's, each fed in two segments. The hello parsers are also
 * run directly on the raw input.
 */
#include <stdint.h>
#include <string.h>

#include "ingest/app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static c2c_err
sink_obs(void *ctx, const struct c2c_obs *o)
{
	(void)ctx;
	volatile size_t n = strlen(o->u.tls.sni) + strlen(o->u.tls.ja3) + strlen(o->u.tls.ja3s);
	(void)n;
	return C2C_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct c2c_sink sink = { NULL, NULL, sink_obs };
	struct c2c_ingest_stats st;
	struct c2c_app_out o;
	struct c2c_tls t;
	struct c2c_tls_flow *f;
	size_t cut, half;

	if (size < 1)
		return 0;
	cut = 1 + (size - 1) * data[0] / 255;
	data++;
	size--;
	if (cut > size)
		cut = size;
	memset(&st, 0, sizeof(st));
	memset(&o, 0, sizeof(o));
	memset(&t, 0, sizeof(t));
	o.sink = &sink;
	o.st = &st;
	(void)c2c__tls_client_hello(data, size, &t);
	(void)c2c__tls_server_hello(data, size, &t);
	(void)c2c__tls_probe(data, size);
	f = c2c__tls_flow_new();
	if (f == NULL)
		return 0;
	half = cut / 2;
	(void)c2c__tls_flow_data(f, true, data, half, &o);
	(void)c2c__tls_flow_data(f, true, data + half, cut - half, &o);
	half = (size - cut) / 3;
	(void)c2c__tls_flow_data(f, false, data + cut, half, &o);
	c2c__tls_flow_gap(f, size & 1);
	(void)c2c__tls_flow_data(f, false, data + cut + half, size - cut - half, &o);
	(void)c2c__tls_flow_finish(f, &o);
	c2c__tls_flow_free(f);
	return 0;
}

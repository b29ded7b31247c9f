/* Shared body of the NetFlow v9 and IPFIX fuzz targets: a stream of export datagrams (templates
 * and data in one input) framed as a raw file would be (c2c__exp_msg_len), from two exporters so
 * template scoping is exercised; every decoded record is also viewed field by field. The
 * decoder dispatches on the version in each header; the targets differ in their corpora. */
#ifndef C2C_FUZZ_EXPORT_TARGET_H
#define C2C_FUZZ_EXPORT_TARGET_H
#include <stdint.h>
#include <string.h>

#include "ingest/export.h"

static uint64_t sum;

static void
view(void *ctx, const struct c2c_exp_view *v)
{
	(void)ctx;
	for (uint16_t i = 0; v->t != NULL && i < v->t->n; i++)
		sum += v->vlen[i] ? v->val[i][v->vlen[i] - 1] : 0;
}

static int
fuzz_export_stream(const uint8_t *data, size_t size)
{
	struct c2c_exp *x = c2c__exp_new();
	struct c2c_ingest_stats st;
	struct c2c_input_info info;
	struct c2c_exp_out out;
	struct c2c_ip a, b;
	size_t off = 0;
	unsigned k = 0;
	if (x == NULL)
		return 0;
	memset(&st, 0, sizeof(st));
	memset(&info, 0, sizeof(info));
	memset(&out, 0, sizeof(out));
	c2c_ip_from_v4(&a, 0x7f000001);
	c2c_ip_from_v4(&b, 0x7f000002);
	out.st = &st;
	out.info = &info;
	out.view = view;
	while (off < size) {
		size_t n = c2c__exp_msg_len(data + off, size - off);
		if (n == 0)
			n = size - off; /* not framed: one datagram of what is left */
		(void)c2c__exp_message(x, (k++ % 3) == 2 ? &b : &a, data + off, n, off, &out);
		off += n;
	}
	c2c__exp_free(x);
	return 0;
}
#endif

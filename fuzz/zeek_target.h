/* Shared body of the Zeek TSV and JSON fuzz targets: a Zeek log through the Zeek reader, from
 * memory, in the given format. */
#ifndef C2C_FUZZ_ZEEK_TARGET_H
#define C2C_FUZZ_ZEEK_TARGET_H
#include <stdint.h>
#include <string.h>

#include "ingest/internal.h"

static c2c_err
on_flow(void *ctx, const struct c2c_flow *f)
{
	(void)ctx;
	return f->uid[C2C_UID_MAX - 1] == 0 ? C2C_OK : C2C_EINVAL;
}

static c2c_err
on_obs(void *ctx, const struct c2c_obs *o)
{
	(void)ctx;
	return o->u.dns.query[C2C_NAME_MAX - 1] == 0 ? C2C_OK : C2C_EINVAL;
}

static int
fuzz_zeek_log(const uint8_t *data, size_t size, enum c2c_format format)
{
	struct c2c_ingest_opts opts;
	struct c2c_ingest_stats st;
	struct c2c_input_info info;
	struct c2c_sink sink = { NULL, on_flow, on_obs };
	struct c2c_ingest_ctx cx;
	struct c2c_diag diag;
	struct c2c_rd rd;
	c2c_ingest_opts_default(&opts);
	/* the content probe for headerless conn logs sees the same bytes */
	(void)c2c_format_detect(data, size < C2C_FORMAT_PEEK ? size : C2C_FORMAT_PEEK);
	memset(&st, 0, sizeof(st));
	memset(&info, 0, sizeof(info));
	memset(&diag, 0, sizeof(diag));
	info.format = format;
	info.first_ts = INT64_MAX;
	info.last_ts = INT64_MIN;
	if (c2c_rd_open_mem(&rd, data, size, C2C_RD_NO_GZIP) != C2C_OK)
		return 0;
	memset(&cx, 0, sizeof(cx));
	cx.path = "fuzz";
	cx.opts = &opts;
	cx.sink = &sink;
	cx.info = &info;
	cx.st = &st;
	cx.diag = &diag;
	(void)c2c__ingest_zeek(&cx, &rd);
	c2c_rd_close(&rd);
	return 0;
}
#endif

/*
 * Benchmark helper for bench/run_collector.sh (compiled by the script against the release
 * libraries). Not part of the library or the CLI.
 *
 *   nfsend send HOST PORT DATAGRAMS RATE [FILE]
 *       NetFlow v9 over UDP (loopback): DATAGRAMS datagrams of 30 data records each, a template
 *       FlowSet in every 20th, at RATE datagrams per second (0 = as fast as possible), with a
 *       continuous packet sequence. FILE, when given, also gets the datagrams back to back (a
 *       raw NetFlow stream c2chain reads as an input). Prints the records sent and the send
 *       time.
 *   nfsend decode FILE...
 *       c2c_ingest_file on each input (no SHA-256, so the figure is decoding alone) with a
 *       sink that counts flows; prints flows, CPU seconds (user + system) and flows per CPU
 *       second.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "c2chain/c2chain.h"

#define RECS 30
#define REC_LEN 35

static size_t
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return 2;
}

static size_t
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
	return 4;
}

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One v9 datagram: header, optional template FlowSet (id 256), data FlowSet of 30 records. */
static size_t
build(uint8_t *b, uint32_t seq, int with_template, uint32_t base)
{
	static const uint16_t fields[][2] = { { 8, 4 }, { 12, 4 }, { 7, 2 }, { 11, 2 }, { 4, 1 },
		{ 1, 4 }, { 2, 4 }, { 22, 4 }, { 21, 4 }, { 6, 1 }, { 10, 2 }, { 14, 2 },
		{ 5, 1 } };
	size_t n = 0, fs;
	uint32_t up = 3600000 + seq;
	n += put16(b + n, 9);
	n += put16(b + n, RECS + (with_template ? 1 : 0));
	n += put32(b + n, up);
	n += put32(b + n, (uint32_t)time(NULL));
	n += put32(b + n, seq);
	n += put32(b + n, 1);
	if (with_template) {
		n += put16(b + n, 0);
		n += put16(b + n, 4 + 4 + 13 * 4);
		n += put16(b + n, 256);
		n += put16(b + n, 13);
		for (int i = 0; i < 13; i++) {
			n += put16(b + n, fields[i][0]);
			n += put16(b + n, fields[i][1]);
		}
	}
	fs = n;
	n += put16(b + n, 256);
	n += put16(b + n, 0);
	for (uint32_t r = 0; r < RECS; r++) {
		uint32_t k = base + r;
		n += put32(b + n, 0x0a000000u | (k & 0xffffff));
		n += put32(b + n, 0xc6336400u | (k % 200));
		n += put16(b + n, 1024 + k % 60000);
		n += put16(b + n, k % 3 ? 443 : 53);
		b[n++] = k % 3 ? 6 : 17;
		n += put32(b + n, 40 + k % 1400);
		n += put32(b + n, 1 + k % 10);
		n += put32(b + n, up - 2000);
		n += put32(b + n, up - 100);
		b[n++] = 0x1b;
		n += put16(b + n, 1);
		n += put16(b + n, 2);
		b[n++] = 0;
	}
	while ((n - fs) % 4)
		b[n++] = 0;
	put16(b + fs + 2, (unsigned)(n - fs));
	return n;
}

static int
do_send(int argc, char **argv)
{
	struct sockaddr_in a;
	uint8_t b[2048];
	unsigned long count, rate;
	FILE *fp = NULL;
	double t0, t1;
	int s;

	if (argc < 4)
		return 2;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)atoi(argv[1]));
	if (inet_pton(AF_INET, argv[0], &a.sin_addr) != 1)
		return 2;
	count = strtoul(argv[2], NULL, 10);
	rate = strtoul(argv[3], NULL, 10);
	if (argc > 4 && (fp = fopen(argv[4], "wb")) == NULL)
		return 1;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return 1;
	t0 = now();
	for (unsigned long i = 0; i < count; i++) {
		size_t n = build(b, (uint32_t)i, i % 20 == 0, (uint32_t)(i * RECS));
		if (rate > 0) {
			double due = t0 + (double)i / (double)rate;
			while (now() < due)
				;
		}
		if (sendto(s, b, n, 0, (struct sockaddr *)&a, sizeof(a)) != (ssize_t)n)
			perror("sendto");
		if (fp != NULL && fwrite(b, 1, n, fp) != n)
			return 1;
	}
	t1 = now();
	if (fp != NULL && fclose(fp) != 0)
		return 1;
	close(s);
	printf("sent_datagrams=%lu sent_records=%lu send_seconds=%.3f offered_rps=%.0f\n", count,
	    count * RECS, t1 - t0, (double)(count * RECS) / (t1 - t0));
	return 0;
}

static c2c_err
count_flow(void *ctx, const struct c2c_flow *f)
{
	(void)f;
	(*(uint64_t *)ctx)++;
	return C2C_OK;
}

static double
cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int
do_decode(int argc, char **argv)
{
	struct c2c_ingest_opts o;
	uint64_t flows = 0;
	struct c2c_sink sink = { &flows, count_flow, NULL };
	double c0 = cpu_seconds(), c;

	c2c_ingest_opts_default(&o);
	o.hash = false;
	for (int i = 0; i < argc; i++) {
		struct c2c_diag d;
		c2c_err rc = c2c_ingest_file(argv[i], (uint32_t)i, &o, &sink, NULL, NULL, &d);
		if (rc != C2C_OK) {
			fprintf(stderr, "%s: %s\n", argv[i], d.msg);
			return 1;
		}
	}
	c = cpu_seconds() - c0;
	printf("flows=%llu cpu_seconds=%.3f flows_per_cpu_second=%.0f\n",
	    (unsigned long long)flows, c, c > 0 ? (double)flows / c : 0.0);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "send") == 0)
		return do_send(argc - 2, argv + 2);
	if (argc >= 3 && strcmp(argv[1], "decode") == 0)
		return do_decode(argc - 2, argv + 2);
	fprintf(stderr, "usage: nfsend send HOST PORT DATAGRAMS RATE [FILE] | decode FILE...\n");
	return 2;
}

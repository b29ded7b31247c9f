/* UDP collector on loopback: evidence files, rotation, re-reading, leftovers. */
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "c2chain/collector.h"
#include "exp_build.h"

/* A NetFlow v5 datagram with `count` records and sequence `seq`. */
static size_t
nf5(uint8_t *b, uint16_t count, uint32_t seq)
{
	struct mb *m = calloc(1, sizeof(*m));
	size_t n;
	ASSERT(m != NULL);
	mb_u16(m, 5);
	mb_u16(m, count);
	mb_u32(m, 50000);
	mb_u32(m, 1700000000);
	mb_u32(m, 0);
	mb_u32(m, seq);
	mb_u32(m, 0);
	for (uint16_t i = 0; i < count; i++) {
		mb_u32(m, 0x0a000000u + i);
		mb_u32(m, 0xc6336401);
		mb_u32(m, 0);
		mb_u32(m, 0);
		mb_u32(m, 2);
		mb_u32(m, 100);
		mb_u32(m, 40000);
		mb_u32(m, 41000);
		mb_u32(m, 1000u + i);
		mb_u32(m, 0x00061100 | 0);
		mb_u32(m, 0);
		mb_u32(m, 0);
	}
	memcpy(b, m->b, m->n);
	n = m->n;
	free(m);
	return n;
}

static void
send_to(int family, uint16_t port, const uint8_t *b, size_t n)
{
	int s = socket(family, SOCK_DGRAM, 0);
	ASSERT(s >= 0);
	if (family == AF_INET) {
		struct sockaddr_in a;
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_port = htons(port);
		a.sin_addr.s_addr = htonl(0x7f000001);
		ASSERT(sendto(s, b, n, 0, (struct sockaddr *)&a, sizeof(a)) == (ssize_t)n);
	} else {
		struct sockaddr_in6 a;
		memset(&a, 0, sizeof(a));
		a.sin6_family = AF_INET6;
		a.sin6_port = htons(port);
		a.sin6_addr = in6addr_loopback;
		ASSERT(sendto(s, b, n, 0, (struct sockaddr *)&a, sizeof(a)) == (ssize_t)n);
	}
	close(s);
}

static size_t
list_dir(const char *dir, char names[][256], size_t cap)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;
	ASSERT(d != NULL);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n < cap)
			(void)snprintf(names[n], 256, "%s", de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static void
collect(const char *listen, int family, uint64_t rotate_bytes, const char *dir, int datagrams)
{
	struct c2c_collector_opts o;
	struct c2c_collector *c;
	struct c2c_collector_stats st;
	struct c2c_diag diag;
	uint8_t b[2048];

	memset(&o, 0, sizeof(o));
	o.listen = listen;
	o.dir = dir;
	o.rotate_bytes = rotate_bytes;
	o.max_datagrams = (uint64_t)datagrams;
	o.max_seconds = 20;
	o.rcvbuf = 1u << 20;
	ASSERT_OK(c2c_collector_open(&o, &c, &diag));
	for (int i = 0; i < datagrams; i++) {
		size_t n = nf5(b, 3, (uint32_t)(i < datagrams - 1 ? 3 * i : 3 * i + 30));
		send_to(family, c2c_collector_port(c), b, n);
	}
	ASSERT_OK(c2c_collector_run(c, NULL, NULL, NULL, NULL, &diag));
	ASSERT_OK(c2c_collector_flush(c, &diag));
	c2c_collector_stats(c, &st);
	ASSERT_U64_EQ(st.datagrams, (uint64_t)datagrams);
	ASSERT_U64_EQ(st.records, 3u * (uint64_t)datagrams);
	ASSERT_U64_EQ(st.flows, 3u * (uint64_t)datagrams);
	ASSERT_U64_EQ(st.seq_gaps, 30);
	ASSERT_U64_EQ(st.malformed, 0);
	ASSERT(st.files >= 1);
	ASSERT_OK(c2c_collector_close(c, &diag));
}

struct cnt {
	uint64_t flows;
	struct c2c_flow first;
};

static c2c_err
count_flows(void *ctx, const struct c2c_flow *f)
{
	struct cnt *k = ctx;
	if (k->flows++ == 0)
		k->first = *f;
	return C2C_OK;
}

static void
evidence_files_reload_with_exporter(void)
{
	char dir[512], names[64][256], path[1024];
	size_t n;
	struct cnt k;
	struct c2c_sink sink = { &k, count_flows, NULL };
	struct c2c_input_info info;

	(void)snprintf(dir, sizeof(dir), "%s/col4", test_tmpdir());
	ASSERT(mkdir(dir, 0700) == 0);
	collect("127.0.0.1:0", AF_INET, 0, dir, 5);
	n = list_dir(dir, names, 64);
	ASSERT_EQ(n, 1);
	ASSERT(names[0][0] != '.'); /* final name, no temporary left */
	ASSERT(strstr(names[0], ".c2ce") != NULL);
	(void)snprintf(path, sizeof(path), "%s/%s", dir, names[0]);
	memset(&k, 0, sizeof(k));
	ASSERT_OK(c2c_ingest_file(path, 0, NULL, &sink, &info, NULL, NULL));
	ASSERT_EQ(info.format, C2C_FMT_EVIDENCE);
	ASSERT_U64_EQ(k.flows, 15);
	ASSERT_U64_EQ(info.loss, 30);
	ASSERT_EQ(c2c_ip_v4(&k.first.exporter), 0x7f000001);
	/* the reference names the datagram inside the file: file header + record header */
	ASSERT_U64_EQ(k.first.first_ev.off, 16 + 36);
	ASSERT_EQ(k.first.first_ev.len, 24 + 3 * 48);
}

static void
ipv6_and_rotation_by_size(void)
{
	char dir[512], names[64][256];
	size_t n;
	(void)snprintf(dir, sizeof(dir), "%s/col6", test_tmpdir());
	ASSERT(mkdir(dir, 0700) == 0);
	/* each record is 36 + 168 bytes: rotation past 4096 bytes gives several files */
	collect("[::1]:0", AF_INET6, 4096, dir, 60);
	n = list_dir(dir, names, 64);
	ASSERT(n >= 3);
	for (size_t i = 0; i < n && i < 64; i++)
		ASSERT(names[i][0] != '.');
}

static void
leftover_temporary_files_are_reported(void)
{
	char dir[512], tmp[1024];
	struct c2c_collector_opts o;
	struct c2c_collector *c;
	struct c2c_diag diag;
	FILE *fp;
	(void)snprintf(dir, sizeof(dir), "%s/colx", test_tmpdir());
	ASSERT(mkdir(dir, 0700) == 0);
	(void)snprintf(tmp, sizeof(tmp), "%s/.c2c-20240101T000000Z-000001.c2ce.tmp", dir);
	fp = fopen(tmp, "wb");
	ASSERT(fp != NULL);
	ASSERT(fclose(fp) == 0);
	memset(&o, 0, sizeof(o));
	o.listen = "127.0.0.1:0";
	o.dir = dir;
	ASSERT_OK(c2c_collector_open(&o, &c, &diag));
	ASSERT(c2c_collector_leftover(c, 0) != NULL);
	ASSERT_STR_EQ(c2c_collector_leftover(c, 0), tmp);
	ASSERT(c2c_collector_leftover(c, 1) == NULL);
	ASSERT_OK(c2c_collector_close(c, &diag));
	o.listen = "127.0.0.1";
	ASSERT_ERR(c2c_collector_open(&o, &c, &diag), C2C_EINVAL);
	o.listen = "[::1:9";
	ASSERT_ERR(c2c_collector_open(&o, &c, &diag), C2C_EINVAL);
}

/* A stream through a 16 MiB ring: 1800 datagrams, every other one a 30-60 KB datagram that
 * is no export (kept as evidence, counted malformed), so the ring wraps twice or more while a
 * sender thread keeps sending and the writer rotates files past 8 MiB; the sender then stops
 * the collector with a signal, as `c2chain collect` is stopped. Every datagram the kernel did
 * not drop is in the files, and re-reading them gives the same flows. */
struct stream {
	uint16_t port;
	int sent;
	pthread_t collector;
};

static volatile sig_atomic_t stream_stop;

static void
on_stream_stop(int sig)
{
	(void)sig;
	stream_stop = 1;
}

static void *
send_stream(void *arg)
{
	struct stream *sm = arg;
	static uint8_t big[60000];
	uint8_t b[2048];
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a;
	ASSERT(s >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(sm->port);
	a.sin_addr.s_addr = htonl(0x7f000001);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	big[0] = 0;
	big[1] = 10; /* IPFIX, with a length that does not match */
	for (int i = 0; i < 1800; i++) {
		const uint8_t *p = b;
		size_t n;
		if (i % 2 == 0) {
			n = nf5(b, 3, (uint32_t)(3 * (i / 2)));
		} else {
			p = big;
			n = 30000 + (size_t)(i * 7919) % 30000;
		}
		ASSERT(sendto(s, p, n, 0, (struct sockaddr *)&a, sizeof(a)) == (ssize_t)n);
		sm->sent++;
		if (i % 8 == 7)
			usleep(2000); /* 8 datagrams (<= 0.5 MB) per 2 ms: the 1 MiB socket buffer */
	}
	close(s);
	usleep(300000);
	ASSERT(pthread_kill(sm->collector, SIGUSR2) == 0);
	return NULL;
}

static void
ring_wraps_under_a_stream(void)
{
	char dir[512], names[64][256], path[1024];
	struct sigaction sa;
	struct c2c_collector_opts o;
	struct c2c_collector *c;
	struct c2c_collector_stats st;
	struct c2c_diag diag;
	struct stream sm;
	pthread_t th;
	uint64_t flows = 0, datagrams = 0;
	size_t n;

	(void)snprintf(dir, sizeof(dir), "%s/colr", test_tmpdir());
	ASSERT(mkdir(dir, 0700) == 0);
	memset(&o, 0, sizeof(o));
	o.listen = "127.0.0.1:0";
	o.dir = dir;
	o.rotate_bytes = 8u << 20;
	o.max_seconds = 60;
	o.rcvbuf = 1u << 20;
	o.ring_bytes = C2C_COLLECTOR_RING_MIN;
	ASSERT_OK(c2c_collector_open(&o, &c, &diag));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stream_stop;
	sigemptyset(&sa.sa_mask);
	ASSERT(sigaction(SIGUSR2, &sa, NULL) == 0);
	memset(&sm, 0, sizeof(sm));
	sm.port = c2c_collector_port(c);
	sm.collector = pthread_self();
	ASSERT(pthread_create(&th, NULL, send_stream, &sm) == 0);
	ASSERT_OK(c2c_collector_run(c, &stream_stop, NULL, NULL, NULL, &diag));
	ASSERT(pthread_join(th, NULL) == 0);
	ASSERT_OK(c2c_collector_flush(c, &diag));
	c2c_collector_stats(c, &st);
	ASSERT_OK(c2c_collector_close(c, &diag));
	ASSERT_EQ(sm.sent, 1800);
	ASSERT_U64_EQ(st.datagrams + st.drops, 1800);
	ASSERT(st.datagrams >= 900); /* most arrive even on a loaded machine */
	ASSERT(st.bytes > 2 * C2C_COLLECTOR_RING_MIN || st.drops > 0);
	ASSERT(st.files >= 2);
	n = list_dir(dir, names, 64);
	ASSERT_U64_EQ(n, st.files);
	for (size_t i = 0; i < n && i < 64; i++) {
		struct cnt k;
		struct c2c_sink sink = { &k, count_flows, NULL };
		struct c2c_ingest_stats ist;
		struct c2c_input_info info;
		ASSERT(names[i][0] != '.');
		(void)snprintf(path, sizeof(path), "%.500s/%.255s", dir, names[i]);
		memset(&k, 0, sizeof(k));
		memset(&ist, 0, sizeof(ist));
		ASSERT_OK(c2c_ingest_file(path, 0, NULL, &sink, &info, &ist, NULL));
		ASSERT_U64_EQ(ist.n[C2C_ST_NF_EVIDENCE_BAD_CRC], 0);
		ASSERT_U64_EQ(ist.n[C2C_ST_NF_EVIDENCE_TRUNCATED], 0);
		flows += k.flows;
		datagrams += ist.n[C2C_ST_NF_MESSAGES];
	}
	ASSERT_U64_EQ(datagrams, st.datagrams);
	ASSERT_U64_EQ(flows, st.flows);
}

TEST_MAIN(evidence_files_reload_with_exporter, ipv6_and_rotation_by_size,
    leftover_temporary_files_are_reported, ring_wraps_under_a_stream)

/*
 * UDP collector for NetFlow v5/v9 and IPFIX (include/c2chain/collector.h, docs/collector.md).
 *
 * Two threads per run. The calling thread only drains the socket: recvmmsg(2) batches into
 * buffers allocated once at open, each datagram copied behind its 36-byte evidence record
 * header (receive time, exporter, CRC-32) into a ring in memory (256 MiB by default), so a
 * burst larger than the kernel's socket buffer (net.core.rmem_max for an unprivileged
 * process) waits there instead of being dropped. A writer thread, at a lower priority so
 * that receiving comes first on a busy machine, decodes each record in the ring with one
 * export decoder session whose templates outlive file rotation and writes the ring's bytes
 * to the current evidence file as they are; ring space is released only once written.
 * Nothing is allocated per datagram. An evidence file lives under a temporary name
 * (".c2c-<start>-<n>.c2ce.tmp") until it is complete: rotation and close write, fsync,
 * rename to "c2c-<start>-<n>.c2ce" and fsync the directory, so a kill -9 can only ever leave
 * a temporary file, which the next open reports.
 */
#define _GNU_SOURCE 1 /* recvmmsg, SO_RXQ_OVFL */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "c2chain/collector.h"
#include "core/cursor.h"
#include "ingest/export.h"
#include "ingest/internal.h"

#define BATCH 64
#define DGRAM_MAX 65536
#define MAX_LEFTOVER 64
#define RING_DEFAULT (256ull << 20)
/* Free ring space the receiving thread needs before a batch: the batch and one wrap. */
#define RING_SLACK ((size_t)(BATCH + 1) * (C2CE_REC_HDR + DGRAM_MAX))
#define WRAP_MARK 0xffffffffu /* in a record's length field: the next record is at offset 0 */
#define DRAIN_STEP (8u << 20) /* bytes the writer handles before it looks at flags and clocks */
#define WRITER_NICE 10      /* added to the writer thread's nice value */
#define WRITER_NAP_MS 5     /* longest a writer waits with an empty ring */
#define WAKE_BYTES (1u << 20) /* received bytes that wake a waiting writer before that */

struct c2c_collector {
	struct c2c_collector_opts o;
	char dir[4096];
	int fd;   /* socket */
	int out;  /* current evidence file, -1 = none */
	uint16_t port;
	char tmp_path[4200], final_path[4200];
	uint64_t file_bytes;
	c2c_time file_start;
	uint64_t file_seq;
	c2c_time started;
	/* receive batch, allocated once */
	uint8_t *bufs;
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage from[BATCH];
	uint8_t ctl[BATCH][CMSG_SPACE(sizeof(uint32_t))];
	/* The ring: evidence records (header + datagram) back to back as they go to the file. A
	 * record never wraps: WRAP_MARK in its length field, or fewer than C2CE_REC_HDR bytes
	 * before the end, send the reader to offset 0. head (written by the receiving thread)
	 * and tail (by the writer) are byte counts since open, read across threads with
	 * acquire/release. */
	uint8_t *ring;
	size_t ring_size;
	uint64_t head, tail;
	pthread_mutex_t mu;
	pthread_cond_t more; /* head moved or the receiving thread ended */
	pthread_cond_t room; /* tail moved or the writer asks the receiving thread to stop */
	bool sync_ok;
	uint64_t rx_total;    /* datagrams taken from the socket since open */
	uint32_t rx_drops;    /* SO_RXQ_OVFL, cumulative (atomic) */
	/* the writer thread of a run */
	int w_stop, w_failed, report_req; /* atomics */
	int w_waiting, rx_waiting; /* atomics: a thread is (about to be) waiting on `more`/`room` */
	c2c_err w_rc;
	struct c2c_diag w_diag;
	void (*on_report)(void *ctx, const struct c2c_collector_stats *st);
	void *report_ctx;
	/* decoding */
	struct c2c_exp *x;
	struct c2c_ingest_stats st;
	struct c2c_sink sink;
	struct c2c_exp_out eo;
	struct c2c_collector_stats cs;
	char *leftover[MAX_LEFTOVER];
	size_t n_leftover;
};

static c2c_time
now_us(void)
{
	struct timespec ts;
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (c2c_time)ts.tv_sec * C2C_USEC + ts.tv_nsec / 1000;
}

static c2c_time
mono_us(void)
{
	struct timespec ts;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (c2c_time)ts.tv_sec * C2C_USEC + ts.tv_nsec / 1000;
}

static c2c_err
count_flow(void *ctx, const struct c2c_flow *f)
{
	struct c2c_collector *c = ctx;
	(void)f;
	c->cs.flows++;
	return C2C_OK;
}

/* "host:port", "[v6]:port", ":port". */
static c2c_err
parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sl, struct c2c_diag *diag)
{
	char host[128];
	const char *port;
	unsigned long pn = 0;
	char *end = NULL;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (rb == NULL || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof(host))
			goto bad;
		memcpy(host, s + 1, (size_t)(rb - s - 1));
		host[rb - s - 1] = '\0';
		port = rb + 2;
	} else {
		const char *colon = strrchr(s, ':');
		if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
			goto bad;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		port = colon + 1;
	}
	errno = 0;
	pn = strtoul(port, &end, 10);
	if (*port == '\0' || end == NULL || *end != '\0' || errno != 0 || pn > 65535)
		goto bad;
	if (host[0] == '\0' || strchr(host, ':') == NULL) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)pn);
		if (host[0] != '\0' && inet_pton(AF_INET, host, &a->sin_addr) != 1)
			goto bad;
		*sl = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)pn);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			goto bad;
		*sl = sizeof(*a);
	}
	return C2C_OK;
bad:
	return c2c_diag_set(diag, C2C_EINVAL, s, 0, "listen address must be ADDR:PORT or [ADDR6]:PORT");
}

static void
find_leftovers(struct c2c_collector *c)
{
	DIR *d = opendir(c->dir);
	struct dirent *de;
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL && c->n_leftover < MAX_LEFTOVER) {
		size_t n = strlen(de->d_name);
		char path[4400];
		if (strncmp(de->d_name, ".c2c-", 5) != 0 || n < 9 ||
		    strcmp(de->d_name + n - 4, ".tmp") != 0)
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", c->dir, de->d_name);
		c->leftover[c->n_leftover] = c2c_strdup(path);
		if (c->leftover[c->n_leftover] != NULL)
			c->n_leftover++;
	}
	(void)closedir(d);
}

c2c_err
c2c_collector_open(const struct c2c_collector_opts *opts, struct c2c_collector **out,
    struct c2c_diag *diag)
{
	struct c2c_collector *c;
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	struct stat st;
	int one = 1, want;
	socklen_t ol;
	c2c_err rc;

	if (opts == NULL || opts->listen == NULL || opts->dir == NULL)
		return c2c_diag_set(diag, C2C_EINVAL, "collector", 0, "listen and dir are required");
	rc = parse_listen(opts->listen, &ss, &sl, diag);
	if (rc != C2C_OK)
		return rc;
	if (stat(opts->dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return c2c_diag_errno(diag, C2C_EIO, opts->dir, "not a directory");
	if (strlen(opts->dir) >= sizeof(c->dir))
		return c2c_diag_set(diag, C2C_EINVAL, opts->dir, 0, "path too long");
	c = c2c_calloc(1, sizeof(*c));
	if (c == NULL)
		return C2C_ENOMEM;
	c->o = *opts;
	if (c->o.rotate_bytes == 0)
		c->o.rotate_bytes = 256ull << 20;
	if (c->o.rotate_seconds == 0)
		c->o.rotate_seconds = 3600;
	if (c->o.rcvbuf == 0)
		c->o.rcvbuf = 256u << 20;
	if (c->o.ring_bytes == 0)
		c->o.ring_bytes = RING_DEFAULT;
	memcpy(c->dir, opts->dir, strlen(opts->dir) + 1);
	c->fd = -1;
	c->out = -1;
	if (c->o.ring_bytes < C2C_COLLECTOR_RING_MIN || c->o.ring_bytes > SIZE_MAX / 2) {
		rc = c2c_diag_set(diag, C2C_EINVAL, "collector", 0,
		    "receive ring of %llu bytes: at least %llu", (unsigned long long)c->o.ring_bytes,
		    (unsigned long long)C2C_COLLECTOR_RING_MIN);
		goto fail;
	}
	if (pthread_mutex_init(&c->mu, NULL) != 0) {
		rc = C2C_ENOMEM;
		goto fail;
	}
	if (pthread_cond_init(&c->more, NULL) != 0) {
		(void)pthread_mutex_destroy(&c->mu);
		rc = C2C_ENOMEM;
		goto fail;
	}
	if (pthread_cond_init(&c->room, NULL) != 0) {
		(void)pthread_cond_destroy(&c->more);
		(void)pthread_mutex_destroy(&c->mu);
		rc = C2C_ENOMEM;
		goto fail;
	}
	c->sync_ok = true;
	c->ring_size = (size_t)c->o.ring_bytes;
	c->bufs = c2c_malloc((size_t)BATCH * DGRAM_MAX);
	c->ring = c2c_malloc(c->ring_size); /* pages are touched (committed) as the ring fills */
	c->x = c2c__exp_new();
	if (c->bufs == NULL || c->ring == NULL || c->x == NULL) {
		rc = C2C_ENOMEM;
		goto fail;
	}
	c->sink.ctx = c;
	c->sink.flow = count_flow;
	c->eo.sink = &c->sink;
	c->eo.st = &c->st;
	c->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		rc = c2c_diag_errno(diag, C2C_EIO, opts->listen, "socket");
		goto fail;
	}
	if (ss.ss_family == AF_INET6) {
		int zero = 0; /* "::" also takes IPv4 exporters (as mapped addresses) */
		(void)setsockopt(c->fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	}
	want = (int)(c->o.rcvbuf > INT32_MAX / 2 ? INT32_MAX / 2 : c->o.rcvbuf);
	/* SO_RCVBUFFORCE passes net.core.rmem_max when privileged; SO_RCVBUF is capped by it */
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)) != 0)
		(void)setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want));
	(void)setsockopt(c->fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	{
		int got = 0;
		ol = sizeof(got);
		if (getsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &got, &ol) == 0 && got > 0)
			c->cs.rcvbuf = (uint32_t)got;
	}
	if (bind(c->fd, (struct sockaddr *)&ss, sl) != 0) {
		rc = c2c_diag_errno(diag, C2C_EIO, opts->listen, "bind");
		goto fail;
	}
	{
		struct sockaddr_storage b;
		ol = sizeof(b);
		if (getsockname(c->fd, (struct sockaddr *)&b, &ol) == 0)
			c->port = ntohs(b.ss_family == AF_INET6 ?
			    ((struct sockaddr_in6 *)&b)->sin6_port : ((struct sockaddr_in *)&b)->sin_port);
	}
	for (int i = 0; i < BATCH; i++) {
		c->iov[i].iov_base = c->bufs + (size_t)i * DGRAM_MAX;
		c->iov[i].iov_len = DGRAM_MAX;
	}
	find_leftovers(c);
	c->started = mono_us();
	*out = c;
	return C2C_OK;
fail:
	(void)c2c_collector_close(c, NULL);
	return rc;
}

const char *
c2c_collector_leftover(const struct c2c_collector *c, size_t i)
{
	return i < c->n_leftover ? c->leftover[i] : NULL;
}

uint16_t
c2c_collector_port(const struct c2c_collector *c)
{
	return c->port;
}

void
c2c_collector_stats(const struct c2c_collector *c, struct c2c_collector_stats *out)
{
	*out = c->cs;
	out->drops = __atomic_load_n(&c->rx_drops, __ATOMIC_RELAXED);
	out->records = c->st.n[C2C_ST_NF_RECORDS];
	out->templates = c->st.n[C2C_ST_NF_TEMPLATES];
	out->templates_live = c2c__exp_templates(c->x);
	out->malformed = c->st.n[C2C_ST_NF_MALFORMED];
	out->no_template = c->st.n[C2C_ST_NF_NO_TEMPLATE];
	out->seq_gaps = c->st.n[C2C_ST_NF_SEQ_GAPS] + c->st.n[C2C_ST_NF_SEQ_GAP_PACKETS];
}

static c2c_err
write_all(struct c2c_collector *c, const uint8_t *p, size_t n, struct c2c_diag *diag)
{
	while (n > 0) {
		ssize_t w = write(c->out, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return c2c_diag_errno(diag, C2C_EIO, c->tmp_path, "write");
		p += w;
		n -= (size_t)w;
	}
	return C2C_OK;
}

static c2c_err
start_file(struct c2c_collector *c, struct c2c_diag *diag)
{
	uint8_t hdr[C2CE_FILE_HDR];
	char stamp[32];
	struct tm tm;
	time_t t;

	c->file_start = now_us();
	t = (time_t)(c->file_start / C2C_USEC);
	(void)gmtime_r(&t, &tm);
	(void)strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	c->file_seq++;
	(void)snprintf(c->final_path, sizeof(c->final_path), "%s/c2c-%s-%06llu.c2ce", c->dir,
	    stamp, (unsigned long long)c->file_seq);
	(void)snprintf(c->tmp_path, sizeof(c->tmp_path), "%s/.c2c-%s-%06llu.c2ce.tmp", c->dir,
	    stamp, (unsigned long long)c->file_seq);
	c->out = open(c->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (c->out < 0)
		return c2c_diag_errno(diag, C2C_EIO, c->tmp_path, "open");
	c2c__c2ce_file_header(hdr, c->file_start);
	c->file_bytes = C2CE_FILE_HDR;
	return write_all(c, hdr, sizeof(hdr), diag);
}

/* Complete the current file: fsync, rename to its final name, fsync the directory. */
static c2c_err
finish_file(struct c2c_collector *c, struct c2c_diag *diag)
{
	c2c_err rc = C2C_OK;
	int dfd;
	if (c->out < 0)
		return C2C_OK;
	if (fsync(c->out) != 0)
		rc = c2c_diag_errno(diag, C2C_EIO, c->tmp_path, "fsync");
	if (close(c->out) != 0 && rc == C2C_OK)
		rc = c2c_diag_errno(diag, C2C_EIO, c->tmp_path, "close");
	c->out = -1;
	if (rc != C2C_OK)
		return rc;
	if (rename(c->tmp_path, c->final_path) != 0)
		return c2c_diag_errno(diag, C2C_EIO, c->final_path, "rename");
	dfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		(void)close(dfd);
	}
	c->cs.files++;
	return C2C_OK;
}

static void
exporter_of(const struct sockaddr_storage *ss, struct c2c_ip *ip, uint16_t *port)
{
	memset(ip, 0, sizeof(*ip));
	*port = 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		c2c_ip_from_v4_bytes(ip, (const uint8_t *)&a->sin_addr);
		*port = ntohs(a->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		const uint8_t *b = (const uint8_t *)&a->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr))
			c2c_ip_from_v4_bytes(ip, b + 12);
		else
			c2c_ip_from_v6_bytes(ip, b);
		*port = ntohs(a->sin6_port);
	}
}

/* ---- receiving thread ------------------------------------------------------------------ */

static void
wake(struct c2c_collector *c, pthread_cond_t *cv)
{
	(void)pthread_mutex_lock(&c->mu);
	(void)pthread_cond_signal(cv);
	(void)pthread_mutex_unlock(&c->mu);
}

/* Copy a received batch into the ring as evidence records and publish them. */
static void
rx_batch(struct c2c_collector *c, int n)
{
	c2c_time rt = now_us();
	uint64_t head = c->head;
	for (int i = 0; i < n; i++) {
		struct mmsghdr *mh = &c->msgs[i];
		const uint8_t *d = c->iov[i].iov_base;
		uint32_t len = mh->msg_len;
		size_t off, left;
		struct c2c_ip ip;
		uint16_t port;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh->msg_hdr); cm != NULL;
		     cm = CMSG_NXTHDR(&mh->msg_hdr, cm)) {
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
				uint32_t drops; /* cumulative since the socket opened */
				memcpy(&drops, CMSG_DATA(cm), sizeof(drops));
				if (drops > __atomic_load_n(&c->rx_drops, __ATOMIC_RELAXED))
					__atomic_store_n(&c->rx_drops, drops, __ATOMIC_RELAXED);
			}
		}
		if (len > C2CE_MAX_DATAGRAM)
			len = C2CE_MAX_DATAGRAM;
		off = (size_t)(head % c->ring_size);
		left = c->ring_size - off;
		if (left < C2CE_REC_HDR + (size_t)len) {
			uint8_t mark[4] = { 0xff, 0xff, 0xff, 0xff };
			if (left >= C2CE_REC_HDR)
				memcpy(c->ring + off, mark, sizeof(mark));
			head += left;
			off = 0;
		}
		exporter_of(&c->from[i], &ip, &port);
		/* the writer fills in the CRC: receiving stays as short as it can be */
		c2c__c2ce_rec_header(c->ring + off, NULL, len, rt, &ip, port);
		memcpy(c->ring + off + C2CE_REC_HDR, d, len);
		head += C2CE_REC_HDR + (uint64_t)len;
	}
	c->rx_total += (uint64_t)n;
	__atomic_store_n(&c->head, head, __ATOMIC_SEQ_CST);
	/* A waiting writer looks again every WRITER_NAP_MS anyway: waking it for each batch
	 * would cost two context switches per datagram at low rates. */
	if (__atomic_load_n(&c->w_waiting, __ATOMIC_SEQ_CST) &&
	    head - __atomic_load_n(&c->tail, __ATOMIC_ACQUIRE) >= WAKE_BYTES)
		wake(c, &c->more);
}

/* ---- writer: decode and write what the ring holds ----------------------------------------- */

static c2c_err
write_run(struct c2c_collector *c, size_t *run_off, size_t *run_len, struct c2c_diag *diag)
{
	c2c_err rc = C2C_OK;
	if (*run_len > 0)
		rc = write_all(c, c->ring + *run_off, *run_len, diag);
	*run_len = 0;
	return rc;
}

/* Decode and write the records in [tail, head), at most about `budget` bytes, then release
 * their ring space. Contiguous records go to the file in one write. */
static c2c_err
drain(struct c2c_collector *c, uint64_t head, size_t budget, struct c2c_diag *diag)
{
	uint64_t t = c->tail, t0 = t;
	size_t run_off = 0, run_len = 0;
	c2c_err rc = C2C_OK;

	while (t < head && t - t0 < budget) {
		size_t off = (size_t)(t % c->ring_size), left = c->ring_size - off;
		const uint8_t *r = c->ring + off;
		struct c2c_ip ip;
		uint32_t len;
		if (left < C2CE_REC_HDR || (len = c2c_be32(r)) == WRAP_MARK) {
			rc = write_run(c, &run_off, &run_len, diag);
			if (rc != C2C_OK)
				break;
			t += left;
			continue;
		}
		if (c->out < 0 || c->file_bytes >= c->o.rotate_bytes) {
			/* rotate between records, so files stay near the size asked for */
			rc = write_run(c, &run_off, &run_len, diag);
			if (rc == C2C_OK)
				rc = finish_file(c, diag);
			if (rc == C2C_OK)
				rc = start_file(c, diag);
			if (rc != C2C_OK)
				break;
		}
		{
			uint8_t *crc = c->ring + off + 4;
			uint32_t v = c2c_crc32(0, r + C2CE_REC_HDR, len);
			crc[0] = (uint8_t)(v >> 24);
			crc[1] = (uint8_t)(v >> 16);
			crc[2] = (uint8_t)(v >> 8);
			crc[3] = (uint8_t)v;
		}
		memset(&ip, 0, sizeof(ip));
		if (r[18] == 4 || r[18] == 6) {
			ip.family = r[18];
			memcpy(ip.a, r + 20, 16);
		}
		c->eo.input = 0;
		/* the offset the datagram will have in the file, so decoding matches re-reading */
		rc = c2c__exp_message(c->x, &ip, r + C2CE_REC_HDR, len,
		    c->file_bytes + C2CE_REC_HDR, &c->eo);
		if (rc != C2C_OK)
			break;
		if (run_len == 0)
			run_off = off;
		run_len += C2CE_REC_HDR + (size_t)len;
		c->file_bytes += C2CE_REC_HDR + (uint64_t)len;
		c->cs.datagrams++;
		c->cs.bytes += len;
		t += C2CE_REC_HDR + (uint64_t)len;
	}
	if (rc == C2C_OK)
		rc = write_run(c, &run_off, &run_len, diag);
	if (rc == C2C_OK && t != c->tail) {
		__atomic_store_n(&c->tail, t, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&c->rx_waiting, __ATOMIC_SEQ_CST))
			wake(c, &c->room);
	}
	return rc;
}

static void
deadline_in(struct timespec *ts, long ms)
{
	(void)clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_nsec += ms * 1000 * 1000;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* The writer thread: decodes and writes what the ring holds, rotates files, answers report
 * requests (it owns the counters), and once asked to stop writes everything left. It runs
 * at a lower priority (nice + WRITER_NICE) than the receiving thread, so that on a busy
 * machine a burst is moved from the socket into the ring first and written after (on the
 * 2-vCPU reference machine, with the sender on one vCPU, an unprivileged collector kept
 * 90-100% of an nfreplay -d 0 burst at equal priority and 100% with this). */
static void *
writer_main(void *arg)
{
	struct c2c_collector *c = arg;
	c2c_err rc = C2C_OK;

	{
		int nice_now;
		errno = 0;
		nice_now = getpriority(PRIO_PROCESS, (id_t)gettid());
		if (errno == 0)
			(void)setpriority(PRIO_PROCESS, (id_t)gettid(),
			    nice_now + WRITER_NICE > 19 ? 19 : nice_now + WRITER_NICE);
	}
	for (;;) {
		uint64_t head = __atomic_load_n(&c->head, __ATOMIC_ACQUIRE);
		bool stopping = __atomic_load_n(&c->w_stop, __ATOMIC_ACQUIRE);
		if (__atomic_exchange_n(&c->report_req, 0, __ATOMIC_ACQ_REL) && c->on_report != NULL) {
			struct c2c_collector_stats st;
			c2c_collector_stats(c, &st);
			c->on_report(c->report_ctx, &st);
		}
		if (c->out >= 0 && (c->file_bytes >= c->o.rotate_bytes ||
		    now_us() - c->file_start >= (c2c_time)c->o.rotate_seconds * C2C_USEC)) {
			rc = finish_file(c, &c->w_diag);
			if (rc != C2C_OK)
				break;
		}
		if (head != c->tail) {
			rc = drain(c, head, stopping ? SIZE_MAX : DRAIN_STEP, &c->w_diag);
			if (rc != C2C_OK)
				break;
			continue;
		}
		if (stopping)
			break; /* asked to stop, and everything received is written */
		{
			struct timespec ts;
			deadline_in(&ts, WRITER_NAP_MS);
			(void)pthread_mutex_lock(&c->mu);
			__atomic_store_n(&c->w_waiting, 1, __ATOMIC_SEQ_CST);
			if (__atomic_load_n(&c->head, __ATOMIC_SEQ_CST) == c->tail &&
			    !__atomic_load_n(&c->w_stop, __ATOMIC_ACQUIRE) &&
			    !__atomic_load_n(&c->report_req, __ATOMIC_ACQUIRE))
				(void)pthread_cond_timedwait(&c->more, &c->mu, &ts);
			__atomic_store_n(&c->w_waiting, 0, __ATOMIC_SEQ_CST);
			(void)pthread_mutex_unlock(&c->mu);
		}
	}
	c->w_rc = rc;
	__atomic_store_n(&c->w_failed, rc != C2C_OK, __ATOMIC_RELEASE);
	wake(c, &c->room);
	return NULL;
}

/* Receiving, in the calling thread: recvmmsg batches into the ring while it has room. */
c2c_err
c2c_collector_run(struct c2c_collector *c, volatile sig_atomic_t *stop,
    volatile sig_atomic_t *report,
    void (*on_report)(void *ctx, const struct c2c_collector_stats *st), void *ctx,
    struct c2c_diag *diag)
{
	c2c_err rc = C2C_OK;
	pthread_t th;
	sigset_t all, old;
	bool full = false;
	int e;

	if (c->o.max_datagrams > 0 && c->rx_total >= c->o.max_datagrams)
		return C2C_OK;
	c->on_report = on_report;
	c->report_ctx = ctx;
	c->w_rc = C2C_OK;
	memset(&c->w_diag, 0, sizeof(c->w_diag));
	__atomic_store_n(&c->w_stop, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&c->w_failed, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&c->report_req, 0, __ATOMIC_RELEASE);
	/* signals (stop, report) are for the calling thread: the writer blocks them all */
	(void)sigfillset(&all);
	(void)pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&th, NULL, writer_main, c);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		errno = e;
		return c2c_diag_errno(diag, C2C_ENOMEM, c->o.listen, "cannot start the writer thread");
	}
	for (;;) {
		struct pollfd pfd = { c->fd, POLLIN, 0 };
		unsigned want = BATCH;
		int n;

		if (report != NULL && *report) {
			*report = 0;
			__atomic_store_n(&c->report_req, 1, __ATOMIC_RELEASE);
			wake(c, &c->more);
		}
		if ((stop != NULL && *stop) || __atomic_load_n(&c->w_failed, __ATOMIC_ACQUIRE))
			break;
		if (c->o.max_seconds > 0 &&
		    mono_us() - c->started >= (c2c_time)c->o.max_seconds * C2C_USEC)
			break;
		if (c->o.max_datagrams > 0) {
			if (c->rx_total >= c->o.max_datagrams)
				break;
			if (c->o.max_datagrams - c->rx_total < want)
				want = (unsigned)(c->o.max_datagrams - c->rx_total);
		}
		if (c->ring_size - (c->head - __atomic_load_n(&c->tail, __ATOMIC_ACQUIRE)) <
		    RING_SLACK) {
			/* the writer is behind: wait for room; the socket buffer holds the rest */
			struct timespec ts;
			deadline_in(&ts, 20);
			(void)pthread_mutex_lock(&c->mu);
			__atomic_store_n(&c->rx_waiting, 1, __ATOMIC_SEQ_CST);
			if (c->ring_size - (c->head - __atomic_load_n(&c->tail, __ATOMIC_SEQ_CST)) <
			        RING_SLACK && !__atomic_load_n(&c->w_failed, __ATOMIC_ACQUIRE))
				(void)pthread_cond_timedwait(&c->room, &c->mu, &ts);
			__atomic_store_n(&c->rx_waiting, 0, __ATOMIC_SEQ_CST);
			(void)pthread_mutex_unlock(&c->mu);
			continue;
		}
		/* after a full batch more is likely waiting: no poll before the next */
		if (!full && poll(&pfd, 1, 100) <= 0)
			continue; /* timeout or EINTR: look at the flags and the clock again */
		for (int i = 0; i < BATCH; i++) {
			struct msghdr *h = &c->msgs[i].msg_hdr;
			memset(h, 0, sizeof(*h));
			h->msg_name = &c->from[i];
			h->msg_namelen = sizeof(c->from[i]);
			h->msg_iov = &c->iov[i];
			h->msg_iovlen = 1;
			h->msg_control = c->ctl[i];
			h->msg_controllen = sizeof(c->ctl[i]);
		}
		n = recvmmsg(c->fd, c->msgs, want, MSG_DONTWAIT, NULL);
		full = n == BATCH;
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			rc = c2c_diag_errno(diag, C2C_EIO, c->o.listen, "recvmmsg");
			break;
		}
		if (n > 0)
			rx_batch(c, n);
	}
	/* the writer writes what was received, then ends */
	__atomic_store_n(&c->w_stop, 1, __ATOMIC_RELEASE);
	wake(c, &c->more);
	(void)pthread_join(th, NULL);
	if (report != NULL && *report && on_report != NULL) {
		struct c2c_collector_stats st;
		*report = 0;
		c2c_collector_stats(c, &st);
		on_report(ctx, &st);
	}
	if (c->w_rc != C2C_OK) {
		if (diag != NULL)
			*diag = c->w_diag;
		return c->w_rc;
	}
	return rc;
}

c2c_err
c2c_collector_flush(struct c2c_collector *c, struct c2c_diag *diag)
{
	return finish_file(c, diag);
}

c2c_err
c2c_collector_close(struct c2c_collector *c, struct c2c_diag *diag)
{
	c2c_err rc;
	if (c == NULL)
		return C2C_OK;
	rc = finish_file(c, diag);
	if (c->fd >= 0)
		(void)close(c->fd);
	for (size_t i = 0; i < c->n_leftover; i++)
		c2c_free(c->leftover[i]);
	c2c__exp_free(c->x);
	c2c_free(c->bufs);
	c2c_free(c->ring);
	if (c->sync_ok) {
		(void)pthread_cond_destroy(&c->room);
		(void)pthread_cond_destroy(&c->more);
		(void)pthread_mutex_destroy(&c->mu);
	}
	c2c_free(c);
	return rc;
}

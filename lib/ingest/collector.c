/*
 * UDP collector for NetFlow v5/v9 and IPFIX (include/c2chain/collector.h, docs/collector.md).
 *
 * Datagrams are read in batches with recvmmsg(2) into buffers allocated once at open; each is
 * appended, behind a 36-byte record header, to an output buffer that is written to the current
 * evidence file once per batch, and decoded by one export decoder session whose templates
 * outlive file rotation. Nothing is allocated per datagram. An evidence file lives under a
 * temporary name (".c2c-<start>-<n>.c2ce.tmp") until it is complete: rotation and close write,
 * fsync, rename to "c2c-<start>-<n>.c2ce" and fsync the directory, so a kill -9 can only ever
 * leave a temporary file, which the next open reports.
 */
#define _GNU_SOURCE 1 /* recvmmsg, SO_RXQ_OVFL */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "c2chain/collector.h"
#include "ingest/export.h"
#include "ingest/internal.h"

#define BATCH 64
#define DGRAM_MAX 65536
#define OUTBUF (BATCH * (DGRAM_MAX + C2CE_REC_HDR))
#define MAX_LEFTOVER 64

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
	uint8_t *obuf;
	size_t olen;
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
	memcpy(c->dir, opts->dir, strlen(opts->dir) + 1);
	c->fd = -1;
	c->out = -1;
	c->bufs = c2c_malloc((size_t)BATCH * DGRAM_MAX);
	c->obuf = c2c_malloc(OUTBUF);
	c->x = c2c__exp_new();
	if (c->bufs == NULL || c->obuf == NULL || c->x == NULL) {
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

static c2c_err
flush_out(struct c2c_collector *c, struct c2c_diag *diag)
{
	c2c_err rc = C2C_OK;
	if (c->olen > 0 && c->out >= 0)
		rc = write_all(c, c->obuf, c->olen, diag);
	c->olen = 0;
	return rc;
}

/* Complete the current file: flush, fsync, rename to its final name, fsync the directory. */
static c2c_err
finish_file(struct c2c_collector *c, struct c2c_diag *diag)
{
	c2c_err rc;
	int dfd;
	if (c->out < 0)
		return C2C_OK;
	rc = flush_out(c, diag);
	if (rc == C2C_OK && fsync(c->out) != 0)
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

static c2c_err
handle_batch(struct c2c_collector *c, int n, struct c2c_diag *diag)
{
	c2c_err rc;
	c2c_time rt = now_us();

	if (c->out < 0) {
		rc = start_file(c, diag);
		if (rc != C2C_OK)
			return rc;
	}
	for (int i = 0; i < n; i++) {
		struct mmsghdr *mh = &c->msgs[i];
		const uint8_t *d = c->iov[i].iov_base;
		uint32_t len = mh->msg_len;
		struct c2c_ip ip;
		uint16_t port;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh->msg_hdr); cm != NULL;
		     cm = CMSG_NXTHDR(&mh->msg_hdr, cm)) {
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
				uint32_t drops;
				memcpy(&drops, CMSG_DATA(cm), sizeof(drops));
				if (drops > c->cs.drops)
					c->cs.drops = drops; /* cumulative since the socket opened */
			}
		}
		if (len > C2CE_MAX_DATAGRAM)
			len = C2CE_MAX_DATAGRAM;
		if (c->file_bytes >= c->o.rotate_bytes) {
			/* rotate inside a batch too, so files stay near the size asked for */
			rc = finish_file(c, diag);
			if (rc == C2C_OK)
				rc = start_file(c, diag);
			if (rc != C2C_OK)
				return rc;
		}
		exporter_of(&c->from[i], &ip, &port);
		c2c__c2ce_rec_header(c->obuf + c->olen, d, len, rt, &ip, port);
		memcpy(c->obuf + c->olen + C2CE_REC_HDR, d, len);
		c->eo.input = 0;
		/* the offset the datagram will have in the file, so decoding matches re-reading */
		rc = c2c__exp_message(c->x, &ip, d, len, c->file_bytes + C2CE_REC_HDR, &c->eo);
		if (rc != C2C_OK)
			return rc;
		c->olen += C2CE_REC_HDR + len;
		c->file_bytes += C2CE_REC_HDR + len;
		c->cs.datagrams++;
		c->cs.bytes += len;
	}
	return flush_out(c, diag);
}

c2c_err
c2c_collector_run(struct c2c_collector *c, volatile sig_atomic_t *stop,
    volatile sig_atomic_t *report,
    void (*on_report)(void *ctx, const struct c2c_collector_stats *st), void *ctx,
    struct c2c_diag *diag)
{
	c2c_err rc = C2C_OK;

	while (stop == NULL || !*stop) {
		struct pollfd pfd = { c->fd, POLLIN, 0 };
		c2c_time mono = mono_us();
		int n;

		if (report != NULL && *report) {
			struct c2c_collector_stats s;
			*report = 0;
			c2c_collector_stats(c, &s);
			if (on_report != NULL)
				on_report(ctx, &s);
		}
		if (c->o.max_seconds > 0 &&
		    mono - c->started >= (c2c_time)c->o.max_seconds * C2C_USEC)
			break;
		if (c->o.max_datagrams > 0 && c->cs.datagrams >= c->o.max_datagrams)
			break;
		if (c->out >= 0 && (c->file_bytes >= c->o.rotate_bytes ||
		    now_us() - c->file_start >= (c2c_time)c->o.rotate_seconds * C2C_USEC)) {
			rc = finish_file(c, diag);
			if (rc != C2C_OK)
				break;
		}
		n = poll(&pfd, 1, 200);
		if (n <= 0)
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
		{
			unsigned want = BATCH;
			if (c->o.max_datagrams > 0 && c->o.max_datagrams - c->cs.datagrams < want)
				want = (unsigned)(c->o.max_datagrams - c->cs.datagrams);
			n = recvmmsg(c->fd, c->msgs, want, MSG_DONTWAIT, NULL);
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			rc = c2c_diag_errno(diag, C2C_EIO, c->o.listen, "recvmmsg");
			break;
		}
		rc = handle_batch(c, n, diag);
		if (rc != C2C_OK)
			break;
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
	c2c_free(c->obuf);
	c2c_free(c);
	return rc;
}

/*
 * NetFlow v5/v9 and IPFIX collector over UDP (IPv4 or IPv6) that keeps raw evidence: every
 * datagram is appended verbatim, with its receive time and exporter address, to the current
 * evidence file ("C2CE", docs/collector.md), and decoded (templates persist across files).
 * Evidence files are written under a temporary name and fsync'd and renamed when they rotate
 * and at close, so a crash never leaves a partial file under a final name. They are ordinary
 * c2chain inputs (c2c_ingest_file).
 *
 * Call order: c2c_collector_open -> c2c_collector_run (until *stop or a limit) ->
 * [c2c_collector_flush, c2c_collector_stats] -> c2c_collector_close. One collector per thread; the functions are not thread-safe.
 */
#ifndef C2C_COLLECTOR_H
#define C2C_COLLECTOR_H

#include <signal.h>
#include <stdint.h>

#include "c2chain/core.h"

#ifdef __cplusplus
extern "C" {
#endif

struct c2c_collector_opts {
	const char *listen;      /* "127.0.0.1:9995", "[::1]:9995", "0.0.0.0:2055", ":2055" */
	const char *dir;         /* existing directory for evidence files */
	uint64_t rotate_bytes;   /* rotate past this size; 0 = 256 MiB */
	uint32_t rotate_seconds; /* rotate after this long; 0 = 3600 */
	uint32_t max_seconds;    /* stop after this long; 0 = no limit */
	uint64_t max_datagrams;  /* stop after this many datagrams; 0 = no limit */
	uint32_t rcvbuf;         /* socket receive buffer asked for, bytes; 0 = 256 MiB */
	/* Memory between the receiving thread and the writer, bytes; 0 = 256 MiB, else at least
	 * C2C_COLLECTOR_RING_MIN. Bursts wait here when the writer is behind. */
	uint64_t ring_bytes;
};
#define C2C_COLLECTOR_RING_MIN (16ull << 20)

struct c2c_collector_stats {
	uint64_t datagrams;   /* received and written */
	uint64_t bytes;       /* datagram payload bytes */
	uint64_t records;     /* data records decoded (flows and options data) */
	uint64_t flows;       /* flows decoded */
	uint64_t templates;   /* template records received */
	uint64_t templates_live; /* templates in the cache now */
	uint64_t malformed;   /* malformed messages/records (export.malformed) */
	uint64_t no_template; /* data sets whose template was not (yet) known */
	uint64_t seq_gaps;    /* records (v5, IPFIX) + packets (v9) missing by sequence numbers */
	uint64_t drops;       /* datagrams the kernel dropped on the socket (SO_RXQ_OVFL) */
	uint64_t files;       /* evidence files completed (renamed to their final name) */
	uint32_t rcvbuf;      /* receive buffer the kernel granted, bytes */
};

struct c2c_collector;

/*
 * Bind the socket, raise its receive buffer (SO_RCVBUFFORCE when privileged, else SO_RCVBUF up
 * to net.core.rmem_max), enable drop counting, and look for temporary evidence files a previous
 * run left behind (c2c_collector_leftover). Returns C2C_OK and *out; C2C_EINVAL (bad listen
 * address or options), C2C_EIO (socket, bind or directory error, with errno in diag),
 * C2C_ENOMEM.
 */
c2c_err c2c_collector_open(const struct c2c_collector_opts *opts, struct c2c_collector **out,
    struct c2c_diag *diag);

/* Leftover temporary files found by open: the i-th path (borrowed), or NULL past the end. */
const char *c2c_collector_leftover(const struct c2c_collector *c, size_t i);

/*
 * Receive, record and decode until *stop becomes non-zero or a limit of the options is reached.
 * Whenever *report is non-zero it is cleared and `on_report` (may be NULL) gets the counters.
 * Both flags are typically set by signal handlers. The calling thread receives; a writer
 * thread, started and joined here (signals blocked, nice +10), decodes and writes, and calls
 * `on_report`. Everything received is written before this returns. Returns C2C_OK, C2C_EIO (write, fsync or
 * rename of an evidence file failed; diag names it), C2C_ENOMEM.
 */
c2c_err c2c_collector_run(struct c2c_collector *c, volatile sig_atomic_t *stop,
    volatile sig_atomic_t *report,
    void (*on_report)(void *ctx, const struct c2c_collector_stats *st), void *ctx,
    struct c2c_diag *diag);

/* Complete the current evidence file now (flush, fsync, rename); the next datagram starts a
 * new one. C2C_OK or C2C_EIO. */
c2c_err c2c_collector_flush(struct c2c_collector *c, struct c2c_diag *diag);

/* Current counters. */
void c2c_collector_stats(const struct c2c_collector *c, struct c2c_collector_stats *out);

/* The local port bound (useful with port 0). */
uint16_t c2c_collector_port(const struct c2c_collector *c);

/* Finish the current evidence file (fsync, rename), close the socket and free `c` (NULL is
 * fine). Returns C2C_OK or C2C_EIO; `c` is freed either way. */
c2c_err c2c_collector_close(struct c2c_collector *c, struct c2c_diag *diag);

#ifdef __cplusplus
}
#endif
#endif

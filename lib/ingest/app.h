/*
 * Application parsers (dns.c, tls.c, http.c): bounded, cursor-based decoders of hostile bytes
 * that turn flow payload into observations (types.h struct c2c_obs). The flow table owns one
 * parser state per flow and feeds it UDP datagrams or in-order TCP bytes per direction; each
 * state emits observations through the sink, copying identity (addresses, ports, uid,
 * community id, evidence) from the template the flow table fills for the current packet.
 */
#ifndef C2C_INGEST_APP_H
#define C2C_INGEST_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest/internal.h"

/* Where parsers deliver: the sink, the counters and the identity of the current packet. */
struct c2c_app_out {
	const struct c2c_sink *sink;
	struct c2c_ingest_stats *st;
	struct c2c_obs tmpl; /* kind and union unset; ts/ev of the current packet */
};

/* ---- DNS (RFC 1035; RFC 7766 for TCP) ------------------------------------------------ */
#define C2C_DNS_MAX_PENDING 16 /* unanswered queries remembered per flow */
#define C2C_DNS_MAX_PTRS 32    /* compression pointers followed per name */

/* One parsed DNS message. */
struct c2c_dns_msg {
	uint16_t id;
	bool qr, aa, tc, rd, ra;
	uint8_t opcode, z, rcode;
	uint16_t qdcount, ancount, nscount, arcount;
	bool have_question;
	char qname[C2C_NAME_MAX];
	uint16_t qtype, qclass;
	uint8_t n_answers;
	bool answers_truncated;
	struct c2c_dns_answer answers[C2C_DNS_MAX_ANSWERS];
	char first_rr_name[C2C_NAME_MAX]; /* owner of the first logged answer (names replies) */
};
/* Parse one message (no TCP length prefix). C2C_OK, or C2C_EFORMAT when the header or the
 * question is malformed; answers after a malformed RR are dropped (answers_truncated). */
c2c_err c2c__dns_parse(const uint8_t *p, size_t len, struct c2c_dns_msg *m);
/* Read a possibly compressed name at `off` into `out` (lower case, no trailing dot, bytes
 * outside [!-~] and '\\' escaped as \xHH like Zeek). *next is the offset after the name in
 * the message (not following pointers). Loops and over-long names are C2C_EFORMAT. */
c2c_err c2c__dns_name(const uint8_t *msg, size_t len, size_t off, char *out, size_t outlen,
    size_t *next);

struct c2c_dns_flow;
struct c2c_dns_flow *c2c__dns_flow_new(bool tcp);
void c2c__dns_flow_free(struct c2c_dns_flow *d);
/* The flow's responder port after Zeek's orientation: 5353 keeps mDNS replies apart from
 * queries, 137 decodes NetBIOS names (Zeek's decode_netbios_name). */
void c2c__dns_flow_ports(struct c2c_dns_flow *d, uint16_t resp_port);
/* A datagram (UDP) or in-order stream bytes (TCP) from one side. Matched query/response
 * pairs are emitted as one observation like a dns.log line. */
c2c_err c2c__dns_flow_data(struct c2c_dns_flow *d, bool is_orig, const uint8_t *p, size_t len,
    const struct c2c_app_out *o);
/* A gap in the TCP stream of one side: drop partial messages. */
void c2c__dns_flow_gap(struct c2c_dns_flow *d, bool is_orig);
/* End of the flow: emit queries still unanswered. */
c2c_err c2c__dns_flow_finish(struct c2c_dns_flow *d, const struct c2c_app_out *o);

/* ---- TLS (RFC 5246, RFC 8446; JA3/JA3S) --------------------------------------------- */
#define C2C_TLS_MAX_HANDSHAKE (64u * 1024) /* handshake bytes buffered per direction */

struct c2c_tls_flow;
struct c2c_tls_flow *c2c__tls_flow_new(void);
void c2c__tls_flow_free(struct c2c_tls_flow *t);
/* True when `p` starts like a TLS handshake record carrying a ClientHello. */
bool c2c__tls_probe(const uint8_t *p, size_t len);
/* In-order stream bytes from one side. Returns C2C_OK (also when the bytes are not TLS: the
 * state then ignores the rest and counts it), C2C_ENOMEM, or the sink's error when the
 * handshake is complete and the observation is emitted. */
c2c_err c2c__tls_flow_data(struct c2c_tls_flow *t, bool is_orig, const uint8_t *p, size_t len,
    const struct c2c_app_out *o);
void c2c__tls_flow_gap(struct c2c_tls_flow *t, bool is_orig);
/* End of the flow: emit what was seen if not emitted yet. */
c2c_err c2c__tls_flow_finish(struct c2c_tls_flow *t, const struct c2c_app_out *o);
/* JA3 / JA3S of a single ClientHello / ServerHello handshake message body (after the 4-byte
 * handshake header), for tests and fuzzing: fills out (sni, ja3 or ja3s, version). */
c2c_err c2c__tls_client_hello(const uint8_t *p, size_t len, struct c2c_tls *out);
c2c_err c2c__tls_server_hello(const uint8_t *p, size_t len, struct c2c_tls *out);

/* ---- HTTP/1.x (RFC 9112) ------------------------------------------------------------ */
#define C2C_HTTP_MAX_HEADER (16u * 1024) /* request/response header block buffered */
#define C2C_HTTP_MAX_PENDING 8           /* requests awaiting a status line */

struct c2c_http_flow;
struct c2c_http_flow *c2c__http_flow_new(void);
void c2c__http_flow_free(struct c2c_http_flow *h);
/* True when `p` starts with an HTTP request line token ("GET ", "POST ", ...). */
bool c2c__http_probe(const uint8_t *p, size_t len);
c2c_err c2c__http_flow_data(struct c2c_http_flow *h, bool is_orig, const uint8_t *p, size_t len,
    const struct c2c_app_out *o);
void c2c__http_flow_gap(struct c2c_http_flow *h, bool is_orig);
c2c_err c2c__http_flow_finish(struct c2c_http_flow *h, const struct c2c_app_out *o);
/* Parse one request header block ("METHOD SP target SP version CRLF headers CRLF CRLF") into
 * method, host, uri, user_agent and proxy. C2C_OK or C2C_EFORMAT. */
c2c_err c2c__http_parse_request(const uint8_t *p, size_t len, struct c2c_http *out);

#endif

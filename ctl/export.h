/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IPFIX exporter behind "flowctl export ipfix": flow records in,
 * IPFIX messages out to one collector over UDP or TCP.
 *
 * UDP: each message is one datagram, sent at once. Templates go in the
 * first message, every template-refresh seconds and after the collector's
 * host refused a datagram (ICMP unreachable, read from the socket's error
 * queue, which quotes the refused message's sequence number: its records
 * are counted as lost).
 *
 * TCP: messages queue (up to a byte limit) while the collector is down or
 * slow; a new connection starts a new transport session (sequence numbers
 * from 0, templates first). Messages written but not acknowledged by the
 * collector's TCP when the connection breaks are sent again on the next
 * one; records that do not fit in the queue are counted as lost.
 */
#ifndef FLOWCTL_EXPORT_H
#define FLOWCTL_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ipfix.h"

struct fs_record;
struct output;

enum exp_transport {
	EXP_UDP,
	EXP_TCP,
};

struct exp_opts {
	char host[256];			/* name or address, no brackets */
	char port[8];
	enum exp_transport transport;
	uint32_t domain;		/* observation domain ID */
	unsigned int template_refresh;	/* seconds (UDP) */
	size_t buffer;			/* bytes queued at most (TCP) */
	unsigned int flush_ms;		/* a record waits at most this long */
	int rcvbuf;			/* netlink receive buffer, bytes */
	unsigned int retry_max_ms;	/* longest wait between attempts */
};

#define EXP_DEF_PORT		"4739"
#define EXP_DEF_REFRESH		60
#define EXP_DEF_BUFFER		(8u << 20)
#define EXP_DEF_FLUSH_MS	1000
#define EXP_DEF_RCVBUF		(16 << 20)
#define EXP_UDP_MSG_SIZE	1400	/* fits a 1500-byte MTU over IPv6 */
#define EXP_TCP_MSG_SIZE	16384
#define EXP_RETRY_MIN_MS	1000
#define EXP_DEF_RETRY_MAX_MS	30000
#define EXP_SENT_RING		1024	/* UDP messages remembered */

int exp_parse_collector(const char *arg, struct exp_opts *opts,
			char *err, size_t errlen);

/* What the exporter did; printed at exit and on SIGUSR1. */
struct exp_stats {
	uint64_t received;		/* records from the kernel */
	uint64_t lost_kernel;		/* missed: gaps in their sequence */
	uint64_t overruns;		/* netlink socket overruns (ENOBUFS) */
	uint64_t exported;		/* UDP: sent; TCP: acknowledged */
	uint64_t lost_collector;	/* UDP: refused or not sent */
	uint64_t lost_buffer;		/* TCP: did not fit in the queue */
	uint64_t resent;		/* TCP: sent again after a reconnect */
	uint64_t skipped;		/* of no known address family */
	uint64_t messages;		/* messages sent */
	uint64_t templates;		/* template sets sent */
	uint64_t connects;		/* TCP connections made */
	uint64_t disconnects;		/* TCP connections lost */
};

/* A finished message waiting to be written (TCP) or remembered (UDP). */
struct exp_msg {
	struct exp_msg *next;
	uint32_t records;
	uint32_t len;
	uint64_t end_off;		/* TCP: stream offset past its end */
	uint8_t data[];
};

/* A UDP message sent lately: its sequence number, length and records. */
struct exp_sent {
	uint32_t seq;
	uint16_t len;
	bool refused;
	uint32_t records;
};

enum exp_state {
	EXP_DOWN,			/* no socket; retry at retry_at */
	EXP_CONNECTING,			/* TCP connect in progress */
	EXP_UP,
};

struct exporter {
	struct exp_opts opts;
	struct exp_stats st;
	enum exp_state state;
	int fd;
	char name[300];			/* "HOST:PORT" for messages */
	struct sockaddr_storage addr;	/* resolved collector */
	socklen_t addrlen;
	uint64_t retry_ms;		/* next retry delay */
	uint64_t retry_at;		/* monotonic ms */
	char last_err[192];		/* last connection error, logged once */

	/* The message being filled. */
	uint8_t *cur;
	size_t cur_cap;
	struct ipfix_msg msg;
	uint64_t cur_since;		/* monotonic ms of its first record */
	bool cur_templates;		/* it holds the template set */

	uint32_t seq;			/* data records sent this session */
	uint64_t next_template;		/* UDP: monotonic ms */
	bool want_templates;		/* UDP: in the next message */

	/* TCP queue: unsent messages, head maybe partly written. */
	struct exp_msg *q_head, *q_tail;
	size_t q_bytes;			/* queued + unacknowledged */
	size_t head_off;
	/* Written, not yet acknowledged, oldest first. */
	struct exp_msg *ack_head, *ack_tail;
	uint64_t wr_off;		/* bytes written this connection */

	/* UDP: messages sent lately, to match refusals. */
	struct exp_sent sent[EXP_SENT_RING];
	unsigned int sent_next;

	/* Loss reports, at most one line a second. */
	uint64_t report_at;
	uint64_t reported_kernel;
	uint64_t reported_collector;
	uint64_t reported_buffer;

	uint64_t (*clock)(void);	/* monotonic ms; replaceable in tests */
};

int exp_init(struct exporter *e, const struct exp_opts *opts);
void exp_free(struct exporter *e);
int exp_record(struct exporter *e, const struct fs_record *rec);
void exp_flush(struct exporter *e);
void exp_lost_kernel(struct exporter *e, uint64_t n);
int exp_poll_fd(struct exporter *e, short *events);
void exp_io(struct exporter *e, short revents);
int exp_timeout(struct exporter *e);
void exp_tick(struct exporter *e);
void exp_wait(struct exporter *e, int ms);
bool exp_drained(const struct exporter *e);
void exp_finish(struct exporter *e);
void exp_report_losses(struct exporter *e, bool force);
void exp_stats_print(struct output *o, const struct exporter *e);

/* Pure parts, for the unit tests. */
void exp_sent_add(struct exporter *e, uint32_t seq, uint16_t len,
		  uint32_t records);
uint32_t exp_sent_refused(struct exporter *e, const uint8_t *quote,
			  size_t len);
uint64_t exp_acked(struct exporter *e, uint64_t acked_off);

#endif /* FLOWCTL_EXPORT_H */

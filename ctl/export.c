// SPDX-License-Identifier: GPL-2.0
/*
 * The IPFIX exporter: collector address, connection, message queue and
 * loss accounting. See export.h for the rules it follows.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/errqueue.h>
#include <linux/sockios.h>

#include "export.h"
#include "output.h"
#include "parse.h"
#include "record.h"

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void logmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("flowctl export: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * "HOST:PORT", "[IPV6]:PORT", "HOST" or "[IPV6]" (port 4739, IANA's for
 * IPFIX) into @opts; 0, or -EINVAL with a message in @err.
 */
int exp_parse_collector(const char *arg, struct exp_opts *opts,
			char *err, size_t errlen)
{
	const char *host = arg, *port = NULL, *end;
	size_t hlen;
	uint64_t p;

	if (!*arg) {
		snprintf(err, errlen, "empty collector address");
		return -EINVAL;
	}
	if (*arg == '[') {
		end = strchr(arg, ']');
		if (!end || end == arg + 1) {
			snprintf(err, errlen,
				 "invalid collector \"%s\": expected [IPV6-ADDRESS]:PORT",
				 arg);
			return -EINVAL;
		}
		host = arg + 1;
		hlen = end - host;
		if (end[1] == ':')
			port = end + 2;
		else if (end[1]) {
			snprintf(err, errlen,
				 "invalid collector \"%s\": expected [IPV6-ADDRESS]:PORT",
				 arg);
			return -EINVAL;
		}
	} else {
		end = strchr(arg, ':');
		if (end && strchr(end + 1, ':')) {
			snprintf(err, errlen,
				 "invalid collector \"%s\": write an IPv6 address in brackets, [ADDRESS]:PORT",
				 arg);
			return -EINVAL;
		}
		hlen = end ? (size_t)(end - arg) : strlen(arg);
		if (end)
			port = end + 1;
	}
	if (!hlen || hlen >= sizeof(opts->host)) {
		snprintf(err, errlen, "invalid collector \"%s\": %s host", arg,
			 hlen ? "too long a" : "no");
		return -EINVAL;
	}
	if (port && (parse_uint(port, 65535, &p) != PARSE_OK || !p)) {
		snprintf(err, errlen,
			 "invalid collector \"%s\": the port must be a number from 1 to 65535",
			 arg);
		return -EINVAL;
	}
	memcpy(opts->host, host, hlen);
	opts->host[hlen] = '\0';
	snprintf(opts->port, sizeof(opts->port), "%s", port ? port : EXP_DEF_PORT);
	if (port)
		snprintf(opts->port, sizeof(opts->port), "%u", (unsigned int)p);
	return 0;
}

int exp_init(struct exporter *e, const struct exp_opts *opts)
{
	bool v6 = strchr(opts->host, ':');

	memset(e, 0, sizeof(*e));
	e->opts = *opts;
	e->fd = -1;
	e->state = EXP_DOWN;
	e->retry_ms = EXP_RETRY_MIN_MS;
	if (!e->opts.retry_max_ms)
		e->opts.retry_max_ms = EXP_DEF_RETRY_MAX_MS;
	e->want_templates = true;
	e->clock = mono_ms;
	snprintf(e->name, sizeof(e->name), v6 ? "[%s]:%s" : "%s:%s",
		 opts->host, opts->port);
	e->cur_cap = opts->transport == EXP_TCP ? EXP_TCP_MSG_SIZE :
						  EXP_UDP_MSG_SIZE;
	e->cur = malloc(e->cur_cap);
	if (!e->cur)
		return -ENOMEM;
	ipfix_msg_begin(&e->msg, e->cur, e->cur_cap);
	return 0;
}

static void free_list(struct exp_msg *m)
{
	struct exp_msg *next;

	for (; m; m = next) {
		next = m->next;
		free(m);
	}
}

void exp_free(struct exporter *e)
{
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	free_list(e->q_head);
	free_list(e->ack_head);
	e->q_head = e->q_tail = e->ack_head = e->ack_tail = NULL;
	free(e->cur);
	e->cur = NULL;
}

/* Remember a UDP message sent, to match a later refusal. */
void exp_sent_add(struct exporter *e, uint32_t seq, uint16_t len,
		  uint32_t records)
{
	struct exp_sent *s = &e->sent[e->sent_next++ % EXP_SENT_RING];

	s->seq = seq;
	s->len = len;
	s->records = records;
	s->refused = false;
}

/*
 * The collector's host refused the datagram whose first @len bytes an
 * ICMP error quoted as @quote: the records it carried, if it is one of the
 * messages remembered and not already counted; else 0.
 */
uint32_t exp_sent_refused(struct exporter *e, const uint8_t *quote,
			  size_t len)
{
	uint32_t seq;
	uint16_t mlen;
	unsigned int i;

	if (len < IPFIX_HDR_LEN || quote[0] != 0 || quote[1] != IPFIX_VERSION)
		return 0;
	seq = ipfix_msg_seq(quote);
	mlen = ipfix_msg_len(quote);
	for (i = 1; i <= EXP_SENT_RING; i++) {
		struct exp_sent *s = &e->sent[(e->sent_next - i) % EXP_SENT_RING];

		if (!s->len || s->seq != seq || s->len != mlen || s->refused)
			continue;
		s->refused = true;
		return s->records;
	}
	return 0;
}

/*
 * TCP: the collector acknowledged the stream up to @acked_off; forget the
 * messages that ended there. Returns the records they held.
 */
uint64_t exp_acked(struct exporter *e, uint64_t acked_off)
{
	uint64_t n = 0;
	struct exp_msg *m;

	while ((m = e->ack_head) && m->end_off <= acked_off) {
		e->ack_head = m->next;
		if (!e->ack_head)
			e->ack_tail = NULL;
		n += m->records;
		e->q_bytes -= m->len;
		free(m);
	}
	e->st.exported += n;
	return n;
}

static void tcp_acks(struct exporter *e);
static void set_down(struct exporter *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Close the connection; retry after the current delay, doubling it. */
static void set_down(struct exporter *e, const char *fmt, ...)
{
	struct exp_msg *m, **pp;
	char why[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	/* What the collector acknowledged is not sent again. */
	tcp_acks(e);
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	if (e->state == EXP_UP && e->opts.transport == EXP_TCP)
		e->st.disconnects++;
	e->state = EXP_DOWN;

	if (e->opts.transport == EXP_TCP) {
		/* What was written but not acknowledged goes again, first. */
		for (pp = &e->ack_head; (m = *pp);) {
			if (!m->records) {	/* a template set: sent anew */
				*pp = m->next;
				e->q_bytes -= m->len;
				free(m);
				continue;
			}
			e->st.resent += m->records;
			pp = &m->next;
		}
		if (e->ack_head) {
			for (m = e->ack_head; m->next; m = m->next)
				;
			m->next = e->q_head;
			if (!e->q_head)
				e->q_tail = m;
			e->q_head = e->ack_head;
		}
		e->ack_head = e->ack_tail = NULL;
		/* A template set partly written is dropped too. */
		if (e->q_head && !e->q_head->records) {
			m = e->q_head;
			e->q_head = m->next;
			if (!e->q_head)
				e->q_tail = NULL;
			e->q_bytes -= m->len;
			free(m);
		}
		e->head_off = 0;
	}
	e->retry_at = e->clock() + e->retry_ms;
	if (strcmp(why, e->last_err)) {
		logmsg("collector %s: %s; retrying every %u s at most", e->name,
		       why, e->opts.retry_max_ms / 1000);
		snprintf(e->last_err, sizeof(e->last_err), "%s", why);
	}
	e->retry_ms *= 2;
	if (e->retry_ms > e->opts.retry_max_ms)
		e->retry_ms = e->opts.retry_max_ms;
}

/* Queue @m at the head (TCP), ahead of what waits. */
static void queue_front(struct exporter *e, struct exp_msg *m)
{
	m->next = e->q_head;
	e->q_head = m;
	if (!e->q_tail)
		e->q_tail = m;
	e->q_bytes += m->len;
}

static void queue_back(struct exporter *e, struct exp_msg *m)
{
	m->next = NULL;
	if (e->q_tail)
		e->q_tail->next = m;
	else
		e->q_head = m;
	e->q_tail = m;
	e->q_bytes += m->len;
}

static struct exp_msg *msg_copy(const uint8_t *data, size_t len,
				uint32_t records)
{
	struct exp_msg *m = malloc(sizeof(*m) + len);

	if (!m)
		return NULL;
	memset(m, 0, sizeof(*m));
	memcpy(m->data, data, len);
	m->len = len;
	m->records = records;
	return m;
}

static void tcp_connected(struct exporter *e)
{
	struct ipfix_msg tm;
	uint8_t buf[512];
	struct exp_msg *m;

	e->state = EXP_UP;
	e->st.connects++;
	e->retry_ms = EXP_RETRY_MIN_MS;
	e->seq = 0;			/* a new transport session */
	e->wr_off = 0;
	e->head_off = 0;
	logmsg("collector %s: connected (TCP)", e->name);
	e->last_err[0] = '\0';

	ipfix_msg_begin(&tm, buf, sizeof(buf));
	ipfix_msg_add_templates(&tm);
	ipfix_msg_finish(&tm, time(NULL), 0, e->opts.domain);
	m = msg_copy(buf, tm.len, 0);
	if (!m) {
		set_down(e, "out of memory");
		return;
	}
	queue_front(e, m);
}

/* Resolve the collector and open a socket to it. */
static void exp_connect(struct exporter *e)
{
	struct addrinfo hints = { 0 }, *res;
	int fd, ret, on = 1;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = e->opts.transport == EXP_TCP ? SOCK_STREAM :
							   SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	ret = getaddrinfo(e->opts.host, e->opts.port, &hints, &res);
	if (ret) {
		set_down(e, "cannot resolve \"%s\": %s", e->opts.host,
			 ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret));
		return;
	}
	memcpy(&e->addr, res->ai_addr, res->ai_addrlen);
	e->addrlen = res->ai_addrlen;
	freeaddrinfo(res);

	fd = socket(e->addr.ss_family, hints.ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
	if (fd < 0) {
		set_down(e, "cannot open a socket: %s", strerror(errno));
		return;
	}
	e->fd = fd;
	if (e->opts.transport == EXP_UDP) {
		/* ICMP errors quote the refused message: see exp_io(). */
		if (e->addr.ss_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on,
				   sizeof(on));
		else
			setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	}
	ret = connect(fd, (struct sockaddr *)&e->addr, e->addrlen);
	if (ret < 0 && errno == EINPROGRESS) {
		e->state = EXP_CONNECTING;
		return;
	}
	if (ret < 0) {
		set_down(e, "cannot connect: %s", strerror(errno));
		return;
	}
	if (e->opts.transport == EXP_TCP) {
		tcp_connected(e);
	} else {
		e->state = EXP_UP;
		e->retry_ms = EXP_RETRY_MIN_MS;
		if (e->last_err[0])
			logmsg("collector %s: socket open again", e->name);
		e->last_err[0] = '\0';
	}
}

/* TCP: write what is queued, as far as the socket takes it. */
static void tcp_write(struct exporter *e)
{
	struct exp_msg *m;
	ssize_t n;

	while (e->state == EXP_UP && (m = e->q_head)) {
		if (!e->head_off)
			ipfix_msg_set_seq(m->data, e->seq);
		n = send(e->fd, m->data + e->head_off, m->len - e->head_off,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				set_down(e, "connection lost: %s",
					 strerror(errno));
			return;
		}
		e->head_off += n;
		e->wr_off += n;
		if (e->head_off < m->len)
			continue;
		e->q_head = m->next;
		if (!e->q_head)
			e->q_tail = NULL;
		e->head_off = 0;
		e->seq += m->records;
		m->end_off = e->wr_off;
		m->next = NULL;
		if (e->ack_tail)
			e->ack_tail->next = m;
		else
			e->ack_head = m;
		e->ack_tail = m;
		e->st.messages++;
		if (!m->records)
			e->st.templates++;
	}
}

/* TCP: collect the acknowledgements (SIOCOUTQ: bytes not yet acked). */
static void tcp_acks(struct exporter *e)
{
	int outq;

	if (e->state != EXP_UP || !e->ack_head)
		return;
	if (ioctl(e->fd, SIOCOUTQ, &outq) < 0 || outq < 0)
		return;
	if ((uint64_t)outq <= e->wr_off)
		exp_acked(e, e->wr_off - outq);
}

static void udp_send(struct exporter *e, uint32_t records)
{
	const size_t len = e->msg.len;
	int tries = 0;
	ssize_t n;

	if (e->state == EXP_DOWN && e->clock() >= e->retry_at)
		exp_connect(e);
	if (e->state != EXP_UP) {
		e->st.lost_collector += records;
		return;
	}
	do {
		/*
		 * ECONNREFUSED reports an earlier datagram's refusal (it was
		 * counted from the error queue); this one was not sent: once
		 * more.
		 */
		n = send(e->fd, e->cur, len, MSG_DONTWAIT);
	} while (n < 0 && (errno == EINTR ||
			   (errno == ECONNREFUSED && !tries++)));
	if (n < 0) {
		e->st.lost_collector += records;
		if (e->cur_templates)
			e->want_templates = true;
		if (strcmp(strerror(errno), e->last_err)) {
			logmsg("collector %s: cannot send: %s", e->name,
			       strerror(errno));
			snprintf(e->last_err, sizeof(e->last_err), "%s",
				 strerror(errno));
		}
		return;
	}
	if (e->last_err[0]) {
		logmsg("collector %s: sending again", e->name);
		e->last_err[0] = '\0';
	}
	e->st.messages++;
	e->st.exported += records;
	if (e->cur_templates) {
		e->st.templates++;
		e->want_templates = false;
		e->next_template = e->clock() +
				   (uint64_t)e->opts.template_refresh * 1000;
	}
	exp_sent_add(e, e->seq, len, records);
	e->seq += records;
}

/* Send the message being filled, if it holds anything. */
void exp_flush(struct exporter *e)
{
	uint32_t records = e->msg.records;
	struct exp_msg *m;

	if (ipfix_msg_empty(&e->msg))
		return;
	ipfix_msg_finish(&e->msg, time(NULL), e->seq, e->opts.domain);
	if (e->opts.transport == EXP_UDP) {
		udp_send(e, records);
	} else if (e->q_bytes + e->msg.len > e->opts.buffer) {
		e->st.lost_buffer += records;
	} else {
		m = msg_copy(e->cur, e->msg.len, records);
		if (m)
			queue_back(e, m);
		else
			e->st.lost_buffer += records;
		tcp_write(e);
	}
	ipfix_msg_begin(&e->msg, e->cur, e->cur_cap);
	e->cur_templates = false;
}

/* Start a message: on UDP with the templates, when they are due. */
static void msg_start(struct exporter *e)
{
	uint64_t now = e->clock();

	e->cur_since = now;
	if (e->opts.transport == EXP_UDP &&
	    (e->want_templates ||
	     (e->opts.template_refresh && now >= e->next_template))) {
		ipfix_msg_add_templates(&e->msg);
		e->cur_templates = true;
	}
}

/* One record from the kernel. */
int exp_record(struct exporter *e, const struct fs_record *rec)
{
	int ret;

	e->st.received++;
	if (rec->family != AF_INET && rec->family != AF_INET6) {
		e->st.skipped++;
		return 0;
	}
	if (ipfix_msg_empty(&e->msg))
		msg_start(e);
	ret = ipfix_msg_add_record(&e->msg, rec);
	if (ret == -ENOSPC) {
		exp_flush(e);
		msg_start(e);
		ret = ipfix_msg_add_record(&e->msg, rec);
	}
	return ret;
}

void exp_lost_kernel(struct exporter *e, uint64_t n)
{
	e->st.lost_kernel += n;
}

/* The socket to poll and its events, or -1. */
int exp_poll_fd(struct exporter *e, short *events)
{
	*events = 0;
	if (e->fd < 0)
		return -1;
	if (e->state == EXP_CONNECTING)
		*events = POLLOUT;
	else if (e->opts.transport == EXP_TCP)
		*events = POLLIN | (e->q_head ? POLLOUT : 0);
	/* UDP: POLLERR (always polled) tells of a refusal. */
	return e->fd;
}

/* UDP: read the ICMP errors queued and count what they refused. */
static void udp_errqueue(struct exporter *e)
{
	uint8_t quote[64], cbuf[512];
	struct iovec iov = { .iov_base = quote, .iov_len = sizeof(quote) };
	struct msghdr mh;
	struct cmsghdr *c;
	uint32_t lost;
	int err, soerr;
	socklen_t sl;
	ssize_t n;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		n = recvmsg(e->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0)
			break;
		err = 0;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			const struct sock_extended_err *ee;

			if (!((c->cmsg_level == IPPROTO_IP &&
			       c->cmsg_type == IP_RECVERR) ||
			      (c->cmsg_level == IPPROTO_IPV6 &&
			       c->cmsg_type == IPV6_RECVERR)))
				continue;
			ee = (const void *)CMSG_DATA(c);
			err = ee->ee_errno;
		}
		lost = exp_sent_refused(e, quote, n);
		e->st.lost_collector += lost;
		e->st.exported -= lost;
		e->want_templates = true;
		if (err && strcmp(strerror(err), e->last_err)) {
			logmsg("collector %s: %s; its records are lost until it is back",
			       e->name, strerror(err));
			snprintf(e->last_err, sizeof(e->last_err), "%s",
				 strerror(err));
		}
	}
	/* Clear the pending error, or the next send fails with it. */
	sl = sizeof(soerr);
	getsockopt(e->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
}

void exp_io(struct exporter *e, short revents)
{
	char sink[256];
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	ssize_t n;

	if (e->fd < 0 || !revents)
		return;
	if (e->opts.transport == EXP_UDP) {
		if (revents & POLLERR)
			udp_errqueue(e);
		return;
	}
	if (e->state == EXP_CONNECTING) {
		getsockopt(e->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
		if (soerr)
			set_down(e, "cannot connect: %s", strerror(soerr));
		else
			tcp_connected(e);
		tcp_write(e);
		return;
	}
	if (revents & POLLIN) {
		/* A collector sends nothing: data is ignored, EOF is the end. */
		n = recv(e->fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n == 0) {
			set_down(e, "the collector closed the connection");
			return;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			set_down(e, "connection lost: %s", strerror(errno));
			return;
		}
	}
	if (revents & (POLLERR | POLLHUP)) {
		getsockopt(e->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
		set_down(e, "connection lost: %s",
			 soerr ? strerror(soerr) : "hung up");
		return;
	}
	if (revents & POLLOUT)
		tcp_write(e);
	tcp_acks(e);
}

static void deadline(int64_t *best, uint64_t at, uint64_t now)
{
	int64_t left = at > now ? (int64_t)(at - now) : 0;

	if (*best < 0 || left < *best)
		*best = left;
}

/* Milliseconds until exp_tick() has something to do, or -1. */
int exp_timeout(struct exporter *e)
{
	uint64_t now = e->clock();
	int64_t t = -1;

	if (!ipfix_msg_empty(&e->msg))
		deadline(&t, e->cur_since + e->opts.flush_ms, now);
	if (e->state == EXP_DOWN && (e->opts.transport == EXP_TCP))
		deadline(&t, e->retry_at, now);
	if (e->ack_head && e->state == EXP_UP)
		deadline(&t, now + 100, now);	/* acks come unannounced */
	if (e->st.lost_kernel != e->reported_kernel ||
	    e->st.lost_collector != e->reported_collector ||
	    e->st.lost_buffer != e->reported_buffer)
		deadline(&t, e->report_at, now);
	return t > 60000 ? 60000 : (int)t;
}

void exp_tick(struct exporter *e)
{
	uint64_t now = e->clock();

	if (!ipfix_msg_empty(&e->msg) && now >= e->cur_since + e->opts.flush_ms)
		exp_flush(e);
	if (e->state == EXP_DOWN && now >= e->retry_at &&
	    (e->opts.transport == EXP_TCP || e->fd < 0))
		exp_connect(e);
	if (e->opts.transport == EXP_TCP && e->state == EXP_UP) {
		tcp_write(e);
		tcp_acks(e);
	}
	exp_report_losses(e, false);
}

/*
 * The exporter alone for up to @ms milliseconds: its socket served when
 * it is ready (or a sleep when it has none), then exp_tick().
 */
void exp_wait(struct exporter *e, int ms)
{
	struct pollfd pfd;

	pfd.fd = exp_poll_fd(e, &pfd.events);
	pfd.revents = 0;
	if (pfd.fd >= 0 && poll(&pfd, 1, ms) > 0)
		exp_io(e, pfd.revents);
	else if (pfd.fd < 0)
		poll(NULL, 0, ms);
	exp_tick(e);
}

bool exp_drained(const struct exporter *e)
{
	return ipfix_msg_empty(&e->msg) && !e->q_head && !e->ack_head;
}

/* At exit: what is still queued or unacknowledged was not delivered. */
void exp_finish(struct exporter *e)
{
	uint64_t n = 0;
	struct exp_msg *m;

	tcp_acks(e);
	for (m = e->q_head; m; m = m->next)
		n += m->records;
	for (m = e->ack_head; m; m = m->next)
		n += m->records;
	n += e->msg.records;
	if (n)
		logmsg("collector %s: %" PRIu64
		       " records not delivered (or not acknowledged) at exit",
		       e->name, n);
	e->st.lost_collector += n;
	free_list(e->q_head);
	free_list(e->ack_head);
	e->q_head = e->q_tail = e->ack_head = e->ack_tail = NULL;
	e->q_bytes = 0;
	ipfix_msg_begin(&e->msg, e->cur, e->cur_cap);
	exp_report_losses(e, true);
}

/* Log what was lost since the last report, at most once a second. */
void exp_report_losses(struct exporter *e, bool force)
{
	uint64_t now = e->clock(), d;

	if (!force && now < e->report_at)
		return;
	d = e->st.lost_kernel - e->reported_kernel;
	if (d)
		logmsg("lost %" PRIu64 " records from the kernel (netlink socket overrun), %"
		       PRIu64 " in all", d, e->st.lost_kernel);
	d = e->st.lost_collector - e->reported_collector;
	if (d)
		logmsg("collector %s: %" PRIu64 " records not delivered, %"
		       PRIu64 " in all", e->name, d, e->st.lost_collector);
	d = e->st.lost_buffer - e->reported_buffer;
	if (d)
		logmsg("collector %s: queue full (%zu bytes): %" PRIu64
		       " records dropped, %" PRIu64 " in all", e->name,
		       e->opts.buffer, d, e->st.lost_buffer);
	e->reported_kernel = e->st.lost_kernel;
	e->reported_collector = e->st.lost_collector;
	e->reported_buffer = e->st.lost_buffer;
	e->report_at = now + 1000;
}

static const char *state_name(const struct exporter *e)
{
	switch (e->state) {
	case EXP_UP:
		return e->opts.transport == EXP_TCP ? "connected" : "sending";
	case EXP_CONNECTING:
		return "connecting";
	default:
		return "down";
	}
}

void exp_stats_print(struct output *o, const struct exporter *e)
{
	const struct exp_stats *s = &e->st;

	out_str(o, "collector", "collector", e->name);
	out_str(o, "transport", "transport",
		e->opts.transport == EXP_TCP ? "tcp" : "udp");
	out_u64(o, "domain", "domain", e->opts.domain);
	out_str(o, "state", "state", state_name(e));
	out_u64(o, "received", "received", s->received);
	out_u64(o, "exported", "exported", s->exported);
	out_u64(o, "lost_kernel", "lost_kernel", s->lost_kernel);
	out_u64(o, "lost_collector", "lost_collector", s->lost_collector);
	out_u64(o, "lost_buffer", "lost_buffer", s->lost_buffer);
	out_u64(o, "skipped", "skipped", s->skipped);
	out_u64(o, "overruns", "overruns", s->overruns);
	out_u64(o, "resent", "resent", s->resent);
	out_u64(o, "messages", "messages", s->messages);
	out_u64(o, "templates", "templates", s->templates);
	out_u64(o, "connects", "connects", s->connects);
	out_u64(o, "disconnects", "disconnects", s->disconnects);
}

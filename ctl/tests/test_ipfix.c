// SPDX-License-Identifier: GPL-2.0
/*
 * IPFIX encoding against bytes worked out by hand from RFC 7011 (message
 * header 3.1, set header 3.3.2, template record 3.4.1, data records 3.4.3)
 * and the IANA element list; the exporter's collector address parsing, its
 * loss matching, and a real UDP exchange over loopback.
 */
#include <errno.h>
#include <poll.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "test.h"
#include "export.h"
#include "ipfix.h"

/* The template set: set ID 2, length 132, templates 256 and 257. */
static const uint8_t templates[] = {
	0x00, 0x02, 0x00, 0x84,
	/* template 256, 15 fields */
	0x01, 0x00, 0x00, 0x0f,
	0x00, 0x08, 0x00, 0x04,		/* sourceIPv4Address */
	0x00, 0x0c, 0x00, 0x04,		/* destinationIPv4Address */
	0x00, 0x07, 0x00, 0x02,		/* sourceTransportPort */
	0x00, 0x0b, 0x00, 0x02,		/* destinationTransportPort */
	0x00, 0x20, 0x00, 0x02,		/* icmpTypeCodeIPv4 (32) */
	0x00, 0x04, 0x00, 0x01,		/* protocolIdentifier */
	0x00, 0x05, 0x00, 0x01,		/* ipClassOfService */
	0x00, 0x06, 0x00, 0x02,		/* tcpControlBits */
	0x00, 0x88, 0x00, 0x01,		/* flowEndReason (136) */
	0x00, 0x0a, 0x00, 0x04,		/* ingressInterface */
	0x00, 0x0e, 0x00, 0x04,		/* egressInterface */
	0x00, 0x01, 0x00, 0x08,		/* octetDeltaCount */
	0x00, 0x02, 0x00, 0x08,		/* packetDeltaCount */
	0x00, 0x98, 0x00, 0x08,		/* flowStartMilliseconds (152) */
	0x00, 0x99, 0x00, 0x08,		/* flowEndMilliseconds (153) */
	/* template 257, 15 fields */
	0x01, 0x01, 0x00, 0x0f,
	0x00, 0x1b, 0x00, 0x10,		/* sourceIPv6Address (27) */
	0x00, 0x1c, 0x00, 0x10,		/* destinationIPv6Address (28) */
	0x00, 0x07, 0x00, 0x02,
	0x00, 0x0b, 0x00, 0x02,
	0x00, 0x8b, 0x00, 0x02,		/* icmpTypeCodeIPv6 (139) */
	0x00, 0x04, 0x00, 0x01,
	0x00, 0x05, 0x00, 0x01,
	0x00, 0x06, 0x00, 0x02,
	0x00, 0x88, 0x00, 0x01,
	0x00, 0x0a, 0x00, 0x04,
	0x00, 0x0e, 0x00, 0x04,
	0x00, 0x01, 0x00, 0x08,
	0x00, 0x02, 0x00, 0x08,
	0x00, 0x98, 0x00, 0x08,
	0x00, 0x99, 0x00, 0x08,
};

/* 1700000000000 ms = 0x0000018bcfe56800. */
#define T0	1700000000000ULL

static struct fs_record tcp4(void)
{
	struct fs_record r = {
		.family = AF_INET, .proto = IPPROTO_TCP,
		.src = { 10, 1, 0, 2 }, .dst = { 10, 2, 0, 2 },
		.sport = 40000, .dport = 5201, .dscp = 10, .tcp_flags = 0x1b,
		.end = FLOWSTREAM_END_EOF, .iif = 2, .oif = 3,
		.packets = 10, .bytes = 1500,
		.first_ms = T0, .last_ms = T0 + 1234,
	};

	return r;
}

/* tcp4() as a data record of template 256 (59 bytes). */
static const uint8_t tcp4_bytes[] = {
	10, 1, 0, 2,  10, 2, 0, 2,
	0x9c, 0x40,  0x14, 0x51,	/* 40000, 5201 */
	0x00, 0x00,			/* not ICMP */
	0x06,				/* TCP */
	0x28,				/* DSCP 10 << 2 */
	0x00, 0x1b,			/* FIN SYN PSH ACK */
	0x03,				/* endOfFlowDetected */
	0x00, 0x00, 0x00, 0x02,  0x00, 0x00, 0x00, 0x03,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdc,	/* 1500 bytes */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a,	/* 10 packets */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00,	/* T0 */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x6c, 0xd2,	/* T0 + 1234 */
};

static struct fs_record icmp6(void)
{
	struct fs_record r = {
		.family = AF_INET6, .proto = IPPROTO_ICMPV6,
		.src = { 0xfd, 0x01, [15] = 2 }, .dst = { 0xfd, 0x02, [15] = 2 },
		.icmp_type = 128, .icmp_code = 0, .sport = 7, .dport = 9,
		.end = FLOWSTREAM_END_IDLE, .packets = 3, .bytes = 312,
		.first_ms = T0 + 1, .last_ms = T0 + 2001,
	};

	return r;
}

/* icmp6() as a data record of template 257 (83 bytes). */
static const uint8_t icmp6_bytes[] = {
	0xfd, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	0xfd, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	0x00, 0x00,  0x00, 0x00,	/* ports 0 for ICMP */
	0x80, 0x00,			/* echo request 128, code 0 */
	0x3a,				/* ICMPv6 */
	0x00,
	0x00, 0x00,
	0x01,				/* idleTimeout */
	0x00, 0x00, 0x00, 0x00,  0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x38,	/* 312 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x01,
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x6f, 0xd1,	/* T0 + 2001 */
};

static void test_lengths(void **state)
{
	(void)state;
	assert_int_equal(ipfix_record_len(AF_INET), sizeof(tcp4_bytes));
	assert_int_equal(ipfix_record_len(AF_INET6), sizeof(icmp6_bytes));
	assert_int_equal(ipfix_templates_len(), sizeof(templates));
}

static void test_template_message(void **state)
{
	static const uint8_t hdr[] = {
		0x00, 0x0a, 0x00, 0x94,	/* version 10, length 16 + 132 */
		0x65, 0x53, 0xf1, 0x00,	/* export time 1700000000 */
		0x00, 0x00, 0x00, 0x00,	/* sequence 0 */
		0x00, 0x00, 0x00, 0x2a,	/* observation domain 42 */
	};
	struct ipfix_msg m;
	uint8_t buf[1400];

	(void)state;
	ipfix_msg_begin(&m, buf, sizeof(buf));
	assert_true(ipfix_msg_empty(&m));
	assert_int_equal(ipfix_msg_add_templates(&m), 0);
	assert_int_equal(ipfix_msg_finish(&m, 1700000000, 0, 42), 148);
	assert_int_equal(m.records, 0);
	assert_memory_equal(buf, hdr, sizeof(hdr));
	assert_memory_equal(buf + 16, templates, sizeof(templates));
}

static void test_data_message(void **state)
{
	static const uint8_t hdr[] = {
		0x00, 0x0a, 0x00, 0xa6,	/* 16 + 4 + 59 + 4 + 83 = 166 */
		0x00, 0x00, 0x00, 0x01,	/* export time 1 */
		0xff, 0xff, 0xff, 0xfe,	/* sequence 2^32 - 2 */
		0x00, 0x00, 0x00, 0x00,
	};
	struct fs_record a = tcp4(), b = icmp6();
	struct ipfix_msg m;
	uint8_t buf[1400];

	(void)state;
	ipfix_msg_begin(&m, buf, sizeof(buf));
	assert_int_equal(ipfix_msg_add_record(&m, &a), 0);
	assert_int_equal(ipfix_msg_add_record(&m, &b), 0);
	assert_int_equal(ipfix_msg_finish(&m, 1, 0xfffffffe, 0), 166);
	assert_int_equal(m.records, 2);
	assert_memory_equal(buf, hdr, sizeof(hdr));
	/* Data set 256, length 63, then data set 257, length 87. */
	assert_memory_equal(buf + 16, "\x01\x00\x00\x3f", 4);
	assert_memory_equal(buf + 20, tcp4_bytes, sizeof(tcp4_bytes));
	assert_memory_equal(buf + 79, "\x01\x01\x00\x57", 4);
	assert_memory_equal(buf + 83, icmp6_bytes, sizeof(icmp6_bytes));
	assert_int_equal(ipfix_msg_seq(buf), 0xfffffffe);
	assert_int_equal(ipfix_msg_len(buf), 166);
	ipfix_msg_set_seq(buf, 7);
	assert_memory_equal(buf + 8, "\x00\x00\x00\x07", 4);
}

/* Records of one family after each other share one set. */
static void test_shared_set(void **state)
{
	struct fs_record a = tcp4();
	struct ipfix_msg m;
	uint8_t buf[1400];

	(void)state;
	ipfix_msg_begin(&m, buf, sizeof(buf));
	assert_int_equal(ipfix_msg_add_templates(&m), 0);
	assert_int_equal(ipfix_msg_add_record(&m, &a), 0);
	a.sport = 40001;
	assert_int_equal(ipfix_msg_add_record(&m, &a), 0);
	assert_int_equal(ipfix_msg_finish(&m, 1, 0, 0), 16 + 132 + 4 + 2 * 59);
	assert_memory_equal(buf + 148, "\x01\x00\x00\x7a", 4);	/* 4 + 118 */
	assert_memory_equal(buf + 152, tcp4_bytes, sizeof(tcp4_bytes));
	assert_memory_equal(buf + 211, tcp4_bytes, 8);
	assert_memory_equal(buf + 219, "\x9c\x41", 2);
}

/* A record that does not fit leaves the message as it was. */
static void test_full(void **state)
{
	struct fs_record a = tcp4(), b = icmp6();
	struct ipfix_msg m;
	uint8_t buf[16 + 4 + 59 + 4 + 82];
	size_t len;

	(void)state;
	ipfix_msg_begin(&m, buf, sizeof(buf));
	assert_int_equal(ipfix_msg_add_record(&m, &a), 0);
	len = m.len;
	assert_int_equal(ipfix_msg_add_record(&m, &b), -ENOSPC);
	assert_int_equal(m.len, len);
	assert_int_equal(m.records, 1);
	assert_int_equal(ipfix_msg_add_templates(&m), -ENOSPC);
	assert_int_equal(ipfix_msg_finish(&m, 1, 0, 0), 79);
	assert_memory_equal(buf + 16, "\x01\x00\x00\x3f", 4);
	b.family = 0;
	ipfix_msg_begin(&m, buf, sizeof(buf));
	assert_int_equal(ipfix_msg_add_record(&m, &b), -EAFNOSUPPORT);
	assert_true(ipfix_msg_empty(&m));
}

static void test_end_reason(void **state)
{
	(void)state;
	assert_int_equal(ipfix_end_reason(FLOWSTREAM_END_IDLE), 1);
	assert_int_equal(ipfix_end_reason(FLOWSTREAM_END_ACTIVE), 2);
	assert_int_equal(ipfix_end_reason(FLOWSTREAM_END_EOF), 3);
	assert_int_equal(ipfix_end_reason(FLOWSTREAM_END_FLUSHED), 4);
	assert_int_equal(ipfix_end_reason(FLOWSTREAM_END_NETNS), 4);
	assert_int_equal(ipfix_end_reason(FLOWSTREAM_END_EVICTED), 5);
}

static void test_collector(void **state)
{
	struct exp_opts o;
	char err[256];

	(void)state;
	assert_int_equal(exp_parse_collector("192.0.2.1:2055", &o, err,
					     sizeof(err)), 0);
	assert_string_equal(o.host, "192.0.2.1");
	assert_string_equal(o.port, "2055");
	assert_int_equal(exp_parse_collector("[2001:db8::1]:4740", &o, err,
					     sizeof(err)), 0);
	assert_string_equal(o.host, "2001:db8::1");
	assert_string_equal(o.port, "4740");
	assert_int_equal(exp_parse_collector("collector.example", &o, err,
					     sizeof(err)), 0);
	assert_string_equal(o.host, "collector.example");
	assert_string_equal(o.port, "4739");
	assert_int_equal(exp_parse_collector("[::1]", &o, err, sizeof(err)), 0);
	assert_string_equal(o.port, "4739");

	assert_int_equal(exp_parse_collector("2001:db8::1", &o, err,
					     sizeof(err)), -EINVAL);
	assert_string_equal(err, "invalid collector \"2001:db8::1\": write an IPv6 address in brackets, [ADDRESS]:PORT");
	assert_int_equal(exp_parse_collector("h:0", &o, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "invalid collector \"h:0\": the port must be a number from 1 to 65535");
	assert_int_equal(exp_parse_collector("h:65536", &o, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(exp_parse_collector("h:x", &o, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(exp_parse_collector(":4739", &o, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "invalid collector \":4739\": no host");
	assert_int_equal(exp_parse_collector("[::1", &o, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(exp_parse_collector("[::1]x", &o, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(exp_parse_collector("", &o, err, sizeof(err)),
			 -EINVAL);
}

static struct exp_opts udp_opts(unsigned short port)
{
	struct exp_opts o = {
		.transport = EXP_UDP, .domain = 9, .template_refresh = 60,
		.buffer = EXP_DEF_BUFFER, .flush_ms = 1000,
	};

	snprintf(o.host, sizeof(o.host), "127.0.0.1");
	snprintf(o.port, sizeof(o.port), "%u", port);
	return o;
}

static void test_refused_match(void **state)
{
	struct exp_opts o = udp_opts(9);
	uint8_t q[16] = { 0x00, 0x0a, 0x00, 0x4f, 0, 0, 0, 1, 0, 0, 0, 5 };
	struct exporter e;

	(void)state;
	assert_int_equal(exp_init(&e, &o), 0);
	exp_sent_add(&e, 0, 200, 5);
	exp_sent_add(&e, 5, 79, 1);
	exp_sent_add(&e, 6, 300, 7);
	assert_int_equal(exp_sent_refused(&e, q, sizeof(q)), 1);
	/* Counted once only. */
	assert_int_equal(exp_sent_refused(&e, q, sizeof(q)), 0);
	/* Unknown length, short quote, not IPFIX. */
	q[11] = 6;
	assert_int_equal(exp_sent_refused(&e, q, sizeof(q)), 0);
	q[3] = 0x2c;
	q[2] = 0x01;
	assert_int_equal(exp_sent_refused(&e, q, 15), 0);
	assert_int_equal(exp_sent_refused(&e, q, sizeof(q)), 7);
	q[1] = 9;
	q[11] = 0;
	q[2] = 0;
	q[3] = 200;
	assert_int_equal(exp_sent_refused(&e, q, sizeof(q)), 0);
	exp_free(&e);
}

/* The exporter against a UDP socket of ours, then against a closed port. */
static void test_udp_exchange(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct fs_record r = tcp4();
	socklen_t sl = sizeof(sin);
	uint8_t buf[2048];
	struct exp_opts o;
	struct exporter e;
	struct pollfd pfd;
	int fd, i;
	ssize_t n;

	(void)state;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	o = udp_opts(ntohs(sin.sin_port));
	assert_int_equal(exp_init(&e, &o), 0);

	/* 30 records: 21 fit in 1400 bytes with the templates, 9 after. */
	for (i = 0; i < 30; i++) {
		r.sport = 1000 + i;
		assert_int_equal(exp_record(&e, &r), 0);
	}
	exp_flush(&e);
	n = recv(fd, buf, sizeof(buf), 0);
	assert_int_equal(n, 16 + 132 + 4 + 21 * 59);
	assert_memory_equal(buf + 16, templates, sizeof(templates));
	assert_int_equal(ipfix_msg_seq(buf), 0);
	assert_memory_equal(buf + 12, "\x00\x00\x00\x09", 4);
	n = recv(fd, buf, sizeof(buf), 0);
	assert_int_equal(n, 16 + 4 + 9 * 59);	/* no templates: not due */
	assert_int_equal(ipfix_msg_seq(buf), 21);
	assert_memory_equal(buf + 20 + 8 * 59, tcp4_bytes, 4);
	assert_int_equal(e.st.exported, 30);
	assert_int_equal(e.st.messages, 2);
	assert_int_equal(e.st.templates, 1);

	/* The collector goes away: its host refuses, the loss is counted. */
	close(fd);
	assert_int_equal(exp_record(&e, &r), 0);
	exp_flush(&e);
	pfd.fd = exp_poll_fd(&e, &pfd.events);
	assert_true(pfd.fd >= 0);
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_true(pfd.revents & POLLERR);
	exp_io(&e, pfd.revents);
	assert_int_equal(e.st.lost_collector, 1);
	assert_int_equal(e.st.exported, 30);
	/* The next message carries the templates again. */
	assert_true(e.want_templates);
	exp_free(&e);
}

/* Drive the exporter's socket for up to @ms milliseconds. */
static void pump(struct exporter *e, int ms)
{
	for (; ms > 0; ms -= 10)
		exp_wait(e, 10);
}

/* Read one IPFIX message from a stream socket into @buf; its length. */
static size_t read_msg(int fd, uint8_t *buf)
{
	size_t len, got = 0;
	ssize_t n;

	while (got < 16) {
		n = read(fd, buf + got, 16 - got);
		assert_true(n > 0);
		got += n;
	}
	len = ipfix_msg_len(buf);
	while (got < len) {
		n = read(fd, buf + got, len - got);
		assert_true(n > 0);
		got += n;
	}
	return len;
}

/*
 * TCP: templates first in each connection, sequence numbers from 0 in
 * each, the records held while the collector is away delivered after.
 */
static void test_tcp_exchange(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct fs_record r = tcp4();
	socklen_t sl = sizeof(sin);
	uint8_t buf[65536];
	struct exp_opts o;
	struct exporter e;
	int lfd, cfd, on = 1;

	(void)state;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &sl), 0);
	o = udp_opts(ntohs(sin.sin_port));
	o.transport = EXP_TCP;
	o.retry_max_ms = 1000;
	assert_int_equal(exp_init(&e, &o), 0);

	pump(&e, 100);
	cfd = accept(lfd, NULL, NULL);
	assert_true(cfd >= 0);
	assert_int_equal(exp_record(&e, &r), 0);
	assert_int_equal(exp_record(&e, &r), 0);
	exp_flush(&e);
	pump(&e, 300);
	assert_int_equal(read_msg(cfd, buf), 16 + 132);
	assert_memory_equal(buf + 16, templates, sizeof(templates));
	assert_int_equal(read_msg(cfd, buf), 16 + 4 + 2 * 59);
	assert_int_equal(ipfix_msg_seq(buf), 0);
	assert_memory_equal(buf + 20, tcp4_bytes, sizeof(tcp4_bytes));
	assert_int_equal(e.st.exported, 2);
	assert_int_equal(e.st.connects, 1);

	/* The collector closes; a record comes meanwhile; it comes back. */
	close(cfd);
	pump(&e, 100);
	assert_int_equal(e.st.disconnects, 1);
	assert_int_equal(exp_record(&e, &r), 0);
	exp_flush(&e);
	pump(&e, 100);
	assert_int_equal(e.st.exported, 2);
	pump(&e, 2500);			/* the retry, within 1 s, then 2 s */
	cfd = accept(lfd, NULL, NULL);
	assert_true(cfd >= 0);
	pump(&e, 300);
	assert_int_equal(read_msg(cfd, buf), 16 + 132);	/* templates again */
	assert_int_equal(ipfix_msg_seq(buf), 0);
	assert_int_equal(read_msg(cfd, buf), 16 + 4 + 59);
	assert_int_equal(ipfix_msg_seq(buf), 0);	/* a new session */
	assert_int_equal(e.st.exported, 3);
	assert_int_equal(e.st.connects, 2);
	assert_int_equal(e.st.lost_buffer + e.st.lost_collector, 0);
	assert_true(exp_drained(&e));
	close(cfd);
	close(lfd);
	exp_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_template_message),
		cmocka_unit_test(test_data_message),
		cmocka_unit_test(test_shared_set),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_end_reason),
		cmocka_unit_test(test_collector),
		cmocka_unit_test(test_refused_match),
		cmocka_unit_test(test_udp_exchange),
		cmocka_unit_test(test_tcp_exchange),
	};

	return cmocka_run_group_tests_name("ipfix", tests, NULL, NULL);
}

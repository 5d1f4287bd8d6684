// SPDX-License-Identifier: GPL-2.0
/* flowctl monitor: sequence gaps, notification lines, JSON Lines. */
#include <errno.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include "test.h"

#define FAMILY	0x1f
#define T0	1700000000000ULL

static struct fs_record with_seq(uint64_t seq)
{
	struct fs_record r = { .seen = REC_BIT(FLOWSTREAM_REC_A_SEQ),
			       .seq = seq };

	return r;
}

static void test_seq_track(void **state)
{
	struct seq_track t = { 0 };
	struct fs_record r;
	uint64_t from = 0, to = 0;

	(void)state;
	/* The first record sets the baseline: nothing known before it. */
	r = with_seq(17);
	assert_int_equal(seq_track(&t, &r, &from, &to), 0);
	r = with_seq(18);
	assert_int_equal(seq_track(&t, &r, &from, &to), 0);
	/* 19 and 20 missed. */
	r = with_seq(21);
	assert_int_equal(seq_track(&t, &r, &from, &to), 2);
	assert_int_equal(from, 19);
	assert_int_equal(to, 20);
	assert_int_equal(t.lost, 2);
	/* One missed. */
	r = with_seq(23);
	assert_int_equal(seq_track(&t, &r, &from, &to), 1);
	assert_int_equal(from, 22);
	assert_int_equal(to, 22);
	assert_int_equal(t.lost, 3);
	r = with_seq(24);
	assert_int_equal(seq_track(&t, &r, &from, &to), 0);
	/* A record without a sequence number counts, but changes nothing. */
	r = (struct fs_record){ .seen = 0 };
	assert_int_equal(seq_track(&t, &r, &from, &to), 0);
	r = with_seq(25);
	assert_int_equal(seq_track(&t, &r, &from, &to), 0);
	/* Back to a lower number (module reloaded): a new baseline. */
	r = with_seq(0);
	assert_int_equal(seq_track(&t, &r, &from, &to), 0);
	r = with_seq(1);
	assert_int_equal(seq_track(&t, &r, &from, &to), 0);
	/* A repeated number is no loss either. */
	r = with_seq(1);
	assert_int_equal(seq_track(&t, &r, &from, &to), 0);
	r = with_seq(1001);
	assert_int_equal(seq_track(&t, &r, &from, &to), 999);
	assert_int_equal(from, 2);
	assert_int_equal(to, 1000);
	assert_int_equal(t.records, 11);
	assert_int_equal(t.lost, 1002);

	/* Large numbers. */
	t = (struct seq_track){ 0 };
	r = with_seq(UINT64_MAX - 3);
	seq_track(&t, &r, &from, &to);
	r = with_seq(UINT64_MAX - 1);
	assert_int_equal(seq_track(&t, &r, &from, &to), 1);
	assert_true(from == UINT64_MAX - 2 && to == UINT64_MAX - 2);
}

/* A RECORD_NTF as the module multicasts it (seq 0, portid 0). */
static size_t put_ntf(char *buf, uint64_t seq, uint8_t end, uint16_t sport)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint8_t a[4];

	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_RECORD_NTF, 0, 0);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_RECORD);
	mnl_attr_put_u8(nlh, FLOWSTREAM_REC_A_FAMILY, AF_INET);
	inet_pton(AF_INET, "10.0.0.1", a);
	mnl_attr_put(nlh, FLOWSTREAM_REC_A_SRC, 4, a);
	inet_pton(AF_INET, "10.0.0.2", a);
	mnl_attr_put(nlh, FLOWSTREAM_REC_A_DST, 4, a);
	mnl_attr_put_u8(nlh, FLOWSTREAM_REC_A_PROTO, IPPROTO_TCP);
	mnl_attr_put_u16(nlh, FLOWSTREAM_REC_A_SPORT, sport);
	mnl_attr_put_u16(nlh, FLOWSTREAM_REC_A_DPORT, 5201);
	mnl_attr_put_u32(nlh, FLOWSTREAM_REC_A_IIF, 0);
	mnl_attr_put_u32(nlh, FLOWSTREAM_REC_A_OIF, 0);
	mnl_attr_put_u64(nlh, FLOWSTREAM_REC_A_PACKETS, 10);
	mnl_attr_put_u64(nlh, FLOWSTREAM_REC_A_BYTES, 1500);
	mnl_attr_put_u64(nlh, FLOWSTREAM_REC_A_FIRST_MS, T0);
	mnl_attr_put_u64(nlh, FLOWSTREAM_REC_A_LAST_MS, T0 + 1000);
	mnl_attr_put_u8(nlh, FLOWSTREAM_REC_A_DSCP, 0);
	mnl_attr_put_u8(nlh, FLOWSTREAM_REC_A_TCP_FLAGS, 0x11);
	mnl_attr_put_u8(nlh, FLOWSTREAM_REC_A_END, end);
	mnl_attr_put_u64(nlh, FLOWSTREAM_REC_A_SEQ, seq);
	mnl_attr_nest_end(nlh, nest);
	return nlh->nlmsg_len;
}

/* Messages the monitor must skip: another command, another family. */
static size_t put_other(char *buf, uint16_t type, uint8_t cmd)
{
	struct nlmsghdr *nlh = genl_msg(buf, type, cmd, 0, 0);
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_CONFIG);
	mnl_attr_put_u32(nlh, FLOWSTREAM_CFG_A_NODE_ID, 1);
	mnl_attr_nest_end(nlh, nest);
	return nlh->nlmsg_len;
}

/* A datagram: seq 17, a config notification, 18, 21 (19, 20 lost). */
static size_t datagram(char *buf)
{
	size_t len = 0;

	len += put_ntf(buf + len, 17, FLOWSTREAM_END_IDLE, 40000);
	len += put_other(buf + len, FAMILY, FLOWSTREAM_CMD_CONFIG_NTF);
	len += put_ntf(buf + len, 18, FLOWSTREAM_END_EOF, 40001);
	len += put_other(buf + len, FAMILY + 1, FLOWSTREAM_CMD_RECORD_NTF);
	len += put_ntf(buf + len, 21, FLOWSTREAM_END_ACTIVE, 40002);
	return len;
}

static void mon_start(struct monitor *m, struct capture *c,
		      unsigned int flags)
{
	memset(c, 0, sizeof(*c));
	c->fp = open_memstream(&c->buf, &c->len);
	assert_non_null(c->fp);
	c->o = out_new(c->fp, flags);
	assert_non_null(c->o);
	monitor_init(m, c->o, FAMILY);	/* as cmd_monitor() does */
	m->fmt.now_ms = T0 + 2000;
}

/* The stream is written as it goes: no document at the end. */
static const char *mon_end(struct capture *c)
{
	out_free(c->o);
	fclose(c->fp);
	return c->buf;
}

static void test_monitor_text(void **state)
{
	char buf[4096];
	struct monitor m;
	struct capture c;
	size_t len;

	(void)state;
	mon_start(&m, &c, 0);
	len = datagram(buf);
	assert_int_equal(mnl_cb_run(buf, len, 0, 0, monitor_msg, &m),
			 MNL_CB_OK);
	/* Written through at once (a reader of a pipe sees every line). */
	fflush(c.fp);
	assert_non_null(strstr(c.buf, "seq 21 active"));
	assert_int_equal(monitor_overrun(&m), 0);
	len = put_ntf(buf, 30, FLOWSTREAM_END_FLUSHED, 40003);
	assert_int_equal(mnl_cb_run(buf, len, 0, 0, monitor_msg, &m),
			 MNL_CB_OK);
	assert_string_equal(mon_end(&c),
			    "seq 17 idle tcp 10.0.0.1:40000 > 10.0.0.2:5201 iif - oif - packets 10 bytes 1500 dscp 0 flags ...A...F age 2.0s idle 1.0s\n"
			    "seq 18 eof tcp 10.0.0.1:40001 > 10.0.0.2:5201 iif - oif - packets 10 bytes 1500 dscp 0 flags ...A...F age 2.0s idle 1.0s\n"
			    "lost 2 records (seq 19..20)\n"
			    "seq 21 active tcp 10.0.0.1:40002 > 10.0.0.2:5201 iif - oif - packets 10 bytes 1500 dscp 0 flags ...A...F age 2.0s idle 1.0s\n"
			    "overrun: records lost\n"
			    "lost 8 records (seq 22..29)\n"
			    "seq 30 flushed tcp 10.0.0.1:40003 > 10.0.0.2:5201 iif - oif - packets 10 bytes 1500 dscp 0 flags ...A...F age 2.0s idle 1.0s\n");
	free(c.buf);
	assert_int_equal(m.seq.records, 4);
	assert_int_equal(m.seq.lost, 10);
	assert_false(m.done);
}

static void test_monitor_json(void **state)
{
	char buf[4096];
	struct monitor m;
	struct capture c;
	size_t len;

	(void)state;
	mon_start(&m, &c, OUT_JSON | OUT_PRETTY);	/* lines all the same */
	len = datagram(buf);
	assert_int_equal(mnl_cb_run(buf, len, 0, 0, monitor_msg, &m),
			 MNL_CB_OK);
	assert_int_equal(monitor_overrun(&m), 0);
	assert_string_equal(mon_end(&c),
			    "{\"seq\":17,\"family\":\"inet\",\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\",\"proto\":6,\"proto_name\":\"tcp\",\"sport\":40000,\"dport\":5201,\"iif\":0,\"oif\":0,\"packets\":10,\"bytes\":1500,\"first_ms\":1700000000000,\"last_ms\":1700000001000,\"dscp\":0,\"tcp_flags\":17,\"end\":\"idle\"}\n"
			    "{\"seq\":18,\"family\":\"inet\",\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\",\"proto\":6,\"proto_name\":\"tcp\",\"sport\":40001,\"dport\":5201,\"iif\":0,\"oif\":0,\"packets\":10,\"bytes\":1500,\"first_ms\":1700000000000,\"last_ms\":1700000001000,\"dscp\":0,\"tcp_flags\":17,\"end\":\"eof\"}\n"
			    "{\"lost\":2,\"from\":19,\"to\":20}\n"
			    "{\"seq\":21,\"family\":\"inet\",\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\",\"proto\":6,\"proto_name\":\"tcp\",\"sport\":40002,\"dport\":5201,\"iif\":0,\"oif\":0,\"packets\":10,\"bytes\":1500,\"first_ms\":1700000000000,\"last_ms\":1700000001000,\"dscp\":0,\"tcp_flags\":17,\"end\":\"active\"}\n"
			    "{\"overrun\":true}\n");
	free(c.buf);
}

static void test_monitor_count(void **state)
{
	char buf[4096];
	struct monitor m;
	struct capture c;
	size_t len;

	(void)state;
	mon_start(&m, &c, 0);
	m.count = 2;
	len = datagram(buf);
	/* Stops in the middle of the datagram. */
	assert_int_equal(mnl_cb_run(buf, len, 0, 0, monitor_msg, &m),
			 MNL_CB_STOP);
	assert_true(m.done);
	assert_int_equal(m.seq.records, 2);
	mon_end(&c);
	assert_null(strstr(c.buf, "seq 21"));
	assert_non_null(strstr(c.buf, "seq 18 eof "));
	free(c.buf);
}

static void test_monitor_malformed(void **state)
{
	char buf[512], err[512];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct monitor m;
	struct capture c;

	(void)state;
	mon_start(&m, &c, 0);
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_RECORD_NTF, 0, 0);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_RECORD);
	mnl_attr_put_u8(nlh, FLOWSTREAM_REC_A_FAMILY, AF_INET);
	mnl_attr_nest_end(nlh, nest);
	stderr_begin();
	assert_int_equal(mnl_cb_run(buf, nlh->nlmsg_len, 0, 0, monitor_msg,
				    &m), MNL_CB_OK);
	stderr_end(err, sizeof(err));
	assert_string_equal(err,
			    "Warning: malformed record notification skipped\n");
	assert_string_equal(mon_end(&c), "");
	free(c.buf);
	assert_int_equal(m.seq.records, 0);
}

static void test_monitor_args(void **state)
{
	struct monitor m;
	char *a1[] = { "count", "5", "-j" };
	char *a2[] = { "count", "0" };
	char *a3[] = { "count" };
	char *a4[] = { "follow" };
	char err[512];
	bool json = false;

	(void)state;
	monitor_init(&m, NULL, FAMILY);
	assert_int_equal(monitor_parse_args(3, a1, &m, &json), 0);
	assert_int_equal(m.count, 5);
	assert_true(json);
	stderr_begin();
	assert_int_equal(monitor_parse_args(2, a2, &m, &json), EXIT_USAGE);
	assert_int_equal(monitor_parse_args(1, a3, &m, &json), EXIT_USAGE);
	assert_int_equal(monitor_parse_args(1, a4, &m, &json), EXIT_USAGE);
	stderr_end(err, sizeof(err));
	assert_string_equal(err,
			    "Error: invalid value \"0\" for \"count\": must be at least 1\n"
			    "Try \"flowctl monitor help\".\n"
			    "Error: missing value for \"count\"\n"
			    "Try \"flowctl monitor help\".\n"
			    "Error: unknown argument \"follow\"\n"
			    "Try \"flowctl monitor help\".\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq_track),
		cmocka_unit_test(test_monitor_text),
		cmocka_unit_test(test_monitor_json),
		cmocka_unit_test(test_monitor_count),
		cmocka_unit_test(test_monitor_malformed),
		cmocka_unit_test(test_monitor_args),
	};

	return cmocka_run_group_tests_name("monitor", tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * FlowOS sessions: GET_SESSION dump messages into text and JSON, with
 * each PM's result nest printed generically (u64, u32, hex), keyed by
 * attachment id and PM name.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "test.h"

#define FAMILY	0x1f

static void put_addr(struct nlmsghdr *nlh, uint16_t type, uint8_t family,
		     const char *addr)
{
	uint8_t a[16];

	assert_int_equal(inet_pton(family, addr, a), 1);
	mnl_attr_put(nlh, type, family == AF_INET ? 4 : 16, a);
}

/* One PM's result: ID, maybe PM, then RESULT with @put's attributes. */
static void put_result(struct nlmsghdr *nlh, uint32_t id, const char *pm,
		       void (*put)(struct nlmsghdr *nlh))
{
	struct nlattr *r, *res;

	r = mnl_attr_nest_start(nlh, FLOWSTREAM_SESS_A_RESULT);
	mnl_attr_put_u32(nlh, FLOWSTREAM_ATT_A_ID, id);
	if (pm)
		mnl_attr_put_strz(nlh, FLOWSTREAM_ATT_A_PM, pm);
	res = mnl_attr_nest_start(nlh, FLOWSTREAM_ATT_A_RESULT);
	if (put)
		put(nlh);
	mnl_attr_nest_end(nlh, res);
	mnl_attr_nest_end(nlh, r);
}

/* u64, u32, 3 bytes, 2 bytes, none: u64, u32, then hex. */
static void put_counter(struct nlmsghdr *nlh)
{
	static const uint8_t three[] = { 0x0a, 0x0b, 0x0c };
	static const uint8_t two[] = { 0x12, 0x34 };

	mnl_attr_put_u64(nlh, 1, 42);
	mnl_attr_put_u32(nlh, 2, 7);
	mnl_attr_put(nlh, 3, sizeof(three), three);
	mnl_attr_put(nlh, 4, sizeof(two), two);
	mnl_attr_put(nlh, 5, 0, NULL);
}

/* A type that repeats: a list in JSON, each value in text. */
static void put_list(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, 1, 80);
	mnl_attr_put_strz(nlh, 2, "POST");	/* 5 bytes: hex */
	mnl_attr_put_u32(nlh, 1, 443);
}

static struct nlmsghdr *session_msg(void *buf, bool v6)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint8_t family = v6 ? AF_INET6 : AF_INET;

	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_SESSION, 1, 0);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_SESSION);
	mnl_attr_put_u8(nlh, FLOWSTREAM_SESS_A_FAMILY, family);
	mnl_attr_put_u8(nlh, FLOWSTREAM_SESS_A_PROTO, IPPROTO_TCP);
	put_addr(nlh, FLOWSTREAM_SESS_A_ADDR_A, family,
		 v6 ? "2001:db8::1" : "10.0.0.1");
	put_addr(nlh, FLOWSTREAM_SESS_A_ADDR_B, family,
		 v6 ? "2001:db8::2" : "10.0.2.5");
	mnl_attr_put_u16(nlh, FLOWSTREAM_SESS_A_PORT_A, 40000);
	mnl_attr_put_u16(nlh, FLOWSTREAM_SESS_A_PORT_B, 80);
	mnl_attr_put(nlh, FLOWSTREAM_SESS_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, FLOWSTREAM_SESS_A_PACKETS_AB, 12);
	mnl_attr_put_u64(nlh, FLOWSTREAM_SESS_A_BYTES_AB, 3456);
	mnl_attr_put_u64(nlh, FLOWSTREAM_SESS_A_PACKETS_BA, 10);
	mnl_attr_put_u64(nlh, FLOWSTREAM_SESS_A_BYTES_BA, 12000);
	mnl_attr_put_u32(nlh, FLOWSTREAM_SESS_A_HELD, 2);
	mnl_attr_put_u64(nlh, FLOWSTREAM_SESS_A_AGE_MS, 3249);
	mnl_attr_put_u64(nlh, FLOWSTREAM_SESS_A_IDLE_MS, 51);
	mnl_attr_put_u64(nlh, FLOWSTREAM_SESS_A_GAPS, 1);
	put_result(nlh, 1, NULL, put_counter);
	put_result(nlh, 2, NULL, put_list);
	put_result(nlh, 9, NULL, NULL);			/* empty, unknown id */
	put_result(nlh, 3, "named", put_list);		/* names itself */
	mnl_attr_put_u32(nlh, 40, 1);			/* newer: skipped */
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static const struct fos_att_name name_v[] = {
	{ 1, "counter" }, { 2, "http" }, { 3, "other" },
};
static const struct fos_att_names names = {
	.v = (struct fos_att_name *)name_v, .n = 3, .cap = 3,
};

static void test_session_text(void **state)
{
	struct fos_session s;
	struct capture c;
	char buf[2048];

	(void)state;
	assert_int_equal(fos_session_msg_parse(session_msg(buf, false), &s), 1);
	assert_int_equal(s.nresults, 4);
	cap_start(&c, 0);
	fos_session_print(c.o, &s, &names);
	assert_string_equal(cap_end(&c),
		"tcp 10.0.0.1:40000 <> 10.0.2.5:80 packets 12/10 bytes 3456/12000 held 2 age 3.2s idle 0.1s gaps 1\n"
		"  pm 1 counter 1=42 2=7 3=0a0b0c 4=1234 5=\n"
		"  pm 2 http 1=80 2=504f535400 1=443\n"
		"  pm 9 -\n"
		"  pm 3 named 1=80 2=504f535400 1=443\n");
	free(c.buf);

	/* IPv6 in brackets; without the names table, ids only. */
	assert_int_equal(fos_session_msg_parse(session_msg(buf, true), &s), 1);
	cap_start(&c, 0);
	fos_session_print(c.o, &s, NULL);
	assert_string_equal(cap_end(&c),
		"tcp [2001:db8::1]:40000 <> [2001:db8::2]:80 packets 12/10 bytes 3456/12000 held 2 age 3.2s idle 0.1s gaps 1\n"
		"  pm 1 - 1=42 2=7 3=0a0b0c 4=1234 5=\n"
		"  pm 2 - 1=80 2=504f535400 1=443\n"
		"  pm 9 -\n"
		"  pm 3 named 1=80 2=504f535400 1=443\n");
	free(c.buf);
}

static void test_session_json(void **state)
{
	struct fos_session s;
	struct capture c;
	char buf[2048];

	(void)state;
	assert_int_equal(fos_session_msg_parse(session_msg(buf, false), &s), 1);
	cap_start(&c, OUT_JSON);
	fos_session_print(c.o, &s, &names);
	assert_string_equal(cap_end(&c),
		"{\"family\":\"inet\",\"proto\":6,\"proto_name\":\"tcp\","
		"\"addr_a\":\"10.0.0.1\",\"port_a\":40000,"
		"\"addr_b\":\"10.0.2.5\",\"port_b\":80,"
		"\"packets_ab\":12,\"bytes_ab\":3456,\"packets_ba\":10,"
		"\"bytes_ba\":12000,\"held\":2,\"age_ms\":3249,\"idle_ms\":51,"
		"\"gaps\":1,\"results\":["
		"{\"id\":1,\"pm\":\"counter\",\"values\":{\"1\":42,\"2\":7,"
		"\"3\":\"0a0b0c\",\"4\":\"1234\",\"5\":\"\"}},"
		"{\"id\":2,\"pm\":\"http\",\"values\":{\"1\":[80,443],"
		"\"2\":\"504f535400\"}},"
		"{\"id\":9,\"values\":{}},"
		"{\"id\":3,\"pm\":\"named\",\"values\":{\"1\":[80,443],"
		"\"2\":\"504f535400\"}}]}\n");
	free(c.buf);
}

/* ICMP without ports; a result that is not a sequence of attributes. */
static void test_session_icmp_raw(void **state)
{
	static const uint8_t junk[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06 };
	struct nlattr *nest, *r;
	struct fos_session s;
	struct nlmsghdr *nlh;
	struct capture c;
	char buf[1024];

	(void)state;
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_SESSION, 1, 0);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_SESSION);
	mnl_attr_put_u8(nlh, FLOWSTREAM_SESS_A_FAMILY, AF_INET);
	mnl_attr_put_u8(nlh, FLOWSTREAM_SESS_A_PROTO, IPPROTO_ICMP);
	put_addr(nlh, FLOWSTREAM_SESS_A_ADDR_A, AF_INET, "10.0.0.1");
	put_addr(nlh, FLOWSTREAM_SESS_A_ADDR_B, AF_INET, "10.0.0.2");
	mnl_attr_put_u64(nlh, FLOWSTREAM_SESS_A_PACKETS_AB, 1);
	r = mnl_attr_nest_start(nlh, FLOWSTREAM_SESS_A_RESULT);
	mnl_attr_put_u32(nlh, FLOWSTREAM_ATT_A_ID, 4);
	mnl_attr_put(nlh, FLOWSTREAM_ATT_A_RESULT, sizeof(junk), junk);
	mnl_attr_nest_end(nlh, r);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(fos_session_msg_parse(nlh, &s), 1);
	cap_start(&c, 0);
	fos_session_print(c.o, &s, &names);
	assert_string_equal(cap_end(&c),
		"icmp 10.0.0.1 <> 10.0.0.2 packets 1/0 bytes 0/0 held 0 age 0.0s idle 0.0s gaps 0\n"
		"  pm 4 - raw=010203040506\n");
	free(c.buf);
	cap_start(&c, OUT_JSON);
	fos_session_print(c.o, &s, &names);
	assert_string_equal(cap_end(&c),
		"{\"family\":\"inet\",\"proto\":1,\"proto_name\":\"icmp\","
		"\"addr_a\":\"10.0.0.1\",\"port_a\":0,\"addr_b\":\"10.0.0.2\","
		"\"port_b\":0,\"packets_ab\":1,\"bytes_ab\":0,\"packets_ba\":0,"
		"\"bytes_ba\":0,\"held\":0,\"age_ms\":0,\"idle_ms\":0,\"gaps\":0,"
		"\"results\":[{\"id\":4,\"values\":{\"raw\":\"010203040506\"}}]}\n");
	free(c.buf);
}

static void test_session_malformed(void **state)
{
	struct nlattr *nest;
	struct fos_session s;
	struct nlmsghdr *nlh;
	char buf[1024];

	(void)state;
	/* No family. */
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_SESSION, 1, 0);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_SESSION);
	put_addr(nlh, FLOWSTREAM_SESS_A_ADDR_A, AF_INET, "10.0.0.1");
	put_addr(nlh, FLOWSTREAM_SESS_A_ADDR_B, AF_INET, "10.0.0.2");
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(fos_session_msg_parse(nlh, &s), -1);
	assert_int_equal(errno, EBADMSG);

	/* An IPv6 session with an IPv4 address. */
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_SESSION, 1, 0);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_SESSION);
	mnl_attr_put_u8(nlh, FLOWSTREAM_SESS_A_FAMILY, AF_INET6);
	put_addr(nlh, FLOWSTREAM_SESS_A_ADDR_A, AF_INET, "10.0.0.1");
	put_addr(nlh, FLOWSTREAM_SESS_A_ADDR_B, AF_INET6, "::1");
	mnl_attr_put_u64(nlh, FLOWSTREAM_SESS_A_PACKETS_AB, 1);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(fos_session_msg_parse(nlh, &s), -1);

	/* A counter of the wrong size. */
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_SESSION, 1, 0);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_SESSION);
	mnl_attr_put_u8(nlh, FLOWSTREAM_SESS_A_FAMILY, AF_INET);
	put_addr(nlh, FLOWSTREAM_SESS_A_ADDR_A, AF_INET, "10.0.0.1");
	put_addr(nlh, FLOWSTREAM_SESS_A_ADDR_B, AF_INET, "10.0.0.2");
	mnl_attr_put_u32(nlh, FLOWSTREAM_SESS_A_GAPS, 1);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(fos_session_msg_parse(nlh, &s), -1);

	/* A message without a session. */
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_SESSION, 1, 0);
	assert_int_equal(fos_session_msg_parse(nlh, &s), 0);
}

/* More results than kept: the first FOS_RESULTS_MAX are. */
static void test_session_many_results(void **state)
{
	struct fos_session s;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	char buf[8192];
	uint32_t i;

	(void)state;
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_SESSION, 1, 0);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_SESSION);
	mnl_attr_put_u8(nlh, FLOWSTREAM_SESS_A_FAMILY, AF_INET);
	put_addr(nlh, FLOWSTREAM_SESS_A_ADDR_A, AF_INET, "10.0.0.1");
	put_addr(nlh, FLOWSTREAM_SESS_A_ADDR_B, AF_INET, "10.0.0.2");
	for (i = 0; i < FOS_RESULTS_MAX + 3; i++)
		put_result(nlh, i, NULL, NULL);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(fos_session_msg_parse(nlh, &s), 1);
	assert_int_equal(s.nresults, FOS_RESULTS_MAX);
	assert_int_equal(s.results[FOS_RESULTS_MAX - 1].id,
			 FOS_RESULTS_MAX - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_text),
		cmocka_unit_test(test_session_json),
		cmocka_unit_test(test_session_icmp_raw),
		cmocka_unit_test(test_session_malformed),
		cmocka_unit_test(test_session_many_results),
	};

	return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Flow records: reply parsing into text and JSON, dumps, top N, the
 * filter and the key of "record get" as bytes.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include "test.h"

#define FAMILY	0x1f
#define T0	1700000000000ULL	/* first_ms of the test records */

/* Interface names without touching the host: 2 and 3 exist. */
static const char *fake_ifname(unsigned int ifindex, char *buf)
{
	if (ifindex == 2)
		return strcpy(buf, "v-a");
	if (ifindex == 3)
		return strcpy(buf, "v-b");
	return NULL;
}

static const struct rec_fmt fmt = {
	.now_ms = T0 + 3200,
	.ifname = fake_ifname,
};

struct rec_in {
	uint8_t family;
	const char *src, *dst;
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t type, code;
	uint32_t iif, oif;
	uint64_t packets, bytes, first, last;
	uint8_t dscp, flags, end;
};

static void put_addr(struct nlmsghdr *nlh, uint16_t type, uint8_t family,
		     const char *addr)
{
	uint8_t a[16];

	assert_int_equal(inet_pton(family, addr, a), 1);
	mnl_attr_put(nlh, type, family == AF_INET ? 4 : 16, a);
}

/*
 * The record nest as the module would send it, with padding and a newer
 * module's attribute thrown in.
 */
static void put_record(struct nlmsghdr *nlh, const struct rec_in *r)
{
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_RECORD);
	mnl_attr_put_u8(nlh, FLOWSTREAM_REC_A_FAMILY, r->family);
	put_addr(nlh, FLOWSTREAM_REC_A_SRC, r->family, r->src);
	put_addr(nlh, FLOWSTREAM_REC_A_DST, r->family, r->dst);
	mnl_attr_put_u8(nlh, FLOWSTREAM_REC_A_PROTO, r->proto);
	if (r->proto == IPPROTO_ICMP || r->proto == IPPROTO_ICMPV6) {
		mnl_attr_put_u8(nlh, FLOWSTREAM_REC_A_ICMP_TYPE, r->type);
		mnl_attr_put_u8(nlh, FLOWSTREAM_REC_A_ICMP_CODE, r->code);
	} else {
		mnl_attr_put_u16(nlh, FLOWSTREAM_REC_A_SPORT, r->sport);
		mnl_attr_put_u16(nlh, FLOWSTREAM_REC_A_DPORT, r->dport);
	}
	mnl_attr_put_u32(nlh, FLOWSTREAM_REC_A_IIF, r->iif);
	mnl_attr_put_u32(nlh, FLOWSTREAM_REC_A_OIF, r->oif);
	mnl_attr_put(nlh, FLOWSTREAM_REC_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, FLOWSTREAM_REC_A_PACKETS, r->packets);
	mnl_attr_put_u64(nlh, FLOWSTREAM_REC_A_BYTES, r->bytes);
	mnl_attr_put_u64(nlh, FLOWSTREAM_REC_A_FIRST_MS, r->first);
	mnl_attr_put_u64(nlh, FLOWSTREAM_REC_A_LAST_MS, r->last);
	mnl_attr_put_u8(nlh, FLOWSTREAM_REC_A_DSCP, r->dscp);
	mnl_attr_put_u8(nlh, FLOWSTREAM_REC_A_TCP_FLAGS, r->flags);
	mnl_attr_put_u8(nlh, FLOWSTREAM_REC_A_END, r->end);
	mnl_attr_put_str(nlh, 99, "from the future");
	mnl_attr_nest_end(nlh, nest);
}

static struct nlmsghdr *record_reply(void *buf, const struct rec_in *r)
{
	struct nlmsghdr *nlh;

	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_RECORD, 4, 77);
	mnl_attr_put_u32(nlh, 200, 1);		/* unknown top-level: skipped */
	put_record(nlh, r);
	return nlh;
}

static const struct rec_in tcp4 = {
	.family = AF_INET, .src = "10.0.0.1", .dst = "10.0.0.2",
	.proto = IPPROTO_TCP, .sport = 40000, .dport = 5201,
	.iif = 2, .oif = 3, .packets = 12, .bytes = 3456,
	.first = T0, .last = T0 + 3100, .dscp = 0,
	.flags = 0x13,			/* ACK SYN FIN */
};

static const struct rec_in udp6 = {
	.family = AF_INET6, .src = "2001:db8::1", .dst = "2001:db8::2",
	.proto = IPPROTO_UDP, .sport = 5353, .dport = 53,
	.iif = 0, .oif = 77, .packets = 1, .bytes = 76,
	.first = T0 + 3200, .last = T0 + 3200, .dscp = 46,
};

static const struct rec_in icmp4 = {
	.family = AF_INET, .src = "10.0.0.1", .dst = "10.0.0.2",
	.proto = IPPROTO_ICMP, .type = 8, .code = 0,
	.iif = 0, .oif = 2, .packets = 3, .bytes = 252,
	.first = T0 + 1000, .last = T0 + 2951, .dscp = 0,
	.end = FLOWSTREAM_END_IDLE,
};

static const char tcp4_text[] =
	"tcp 10.0.0.1:40000 > 10.0.0.2:5201 iif v-a oif v-b packets 12 bytes 3456 dscp 0 flags ...A..SF age 3.2s idle 0.1s\n";
static const char tcp4_json[] =
	"{\"family\":\"inet\",\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\","
	"\"proto\":6,\"proto_name\":\"tcp\",\"sport\":40000,\"dport\":5201,"
	"\"iif\":2,\"oif\":3,\"packets\":12,\"bytes\":3456,"
	"\"first_ms\":1700000000000,\"last_ms\":1700000003100,\"dscp\":0,"
	"\"tcp_flags\":19,\"end\":\"live\"}";
static const char udp6_text[] =
	"udp [2001:db8::1]:5353 > [2001:db8::2]:53 iif - oif 77 packets 1 bytes 76 dscp 46 age 0.0s idle 0.0s\n";
static const char udp6_json[] =
	"{\"family\":\"inet6\",\"src\":\"2001:db8::1\",\"dst\":\"2001:db8::2\","
	"\"proto\":17,\"proto_name\":\"udp\",\"sport\":5353,\"dport\":53,"
	"\"iif\":0,\"oif\":77,\"packets\":1,\"bytes\":76,"
	"\"first_ms\":1700000003200,\"last_ms\":1700000003200,\"dscp\":46,"
	"\"tcp_flags\":0,\"end\":\"live\"}";
static const char icmp4_text[] =
	"icmp 10.0.0.1 > 10.0.0.2 type 8 code 0 iif - oif v-a packets 3 bytes 252 dscp 0 age 2.2s idle 0.2s\n";
static const char icmp4_json[] =
	"{\"family\":\"inet\",\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\","
	"\"proto\":1,\"proto_name\":\"icmp\",\"icmp_type\":8,\"icmp_code\":0,"
	"\"iif\":0,\"oif\":2,\"packets\":3,\"bytes\":252,"
	"\"first_ms\":1700000001000,\"last_ms\":1700000002951,\"dscp\":0,"
	"\"tcp_flags\":0,\"end\":\"idle\"}";

/* Parse @r from a reply and print it as text and as one JSON object. */
static void check_record(const struct rec_in *r, const char *text,
			 const char *json)
{
	char buf[1024], want[1024];
	struct fs_record rec;
	struct capture c;

	assert_int_equal(record_msg_parse(record_reply(buf, r), &rec), 1);
	assert_int_equal(rec.family, r->family);
	assert_int_equal(rec.proto, r->proto);

	cap_start(&c, 0);
	record_print(c.o, &rec, &fmt);
	assert_string_equal(cap_end(&c), text);
	free(c.buf);

	cap_start(&c, OUT_JSON);
	record_print(c.o, &rec, &fmt);
	snprintf(want, sizeof(want), "%s\n", json);
	assert_string_equal(cap_end(&c), want);
	free(c.buf);
}

static void test_record_tcp4(void **state)
{
	(void)state;
	check_record(&tcp4, tcp4_text, tcp4_json);
}

static void test_record_udp6(void **state)
{
	(void)state;
	check_record(&udp6, udp6_text, udp6_json);
}

static void test_record_icmp(void **state)
{
	struct rec_in icmp6 = {
		.family = AF_INET6, .src = "fe80::1", .dst = "ff02::1",
		.proto = IPPROTO_ICMPV6, .type = 135, .code = 0, .iif = 3,
		.packets = 1, .bytes = 72, .first = T0, .last = T0,
	};

	(void)state;
	check_record(&icmp4, icmp4_text, icmp4_json);
	/* ICMPv6: no brackets without ports. */
	check_record(&icmp6,
		     "icmpv6 fe80::1 > ff02::1 type 135 code 0 iif v-b oif - packets 1 bytes 72 dscp 0 age 3.2s idle 3.2s\n",
		     "{\"family\":\"inet6\",\"src\":\"fe80::1\",\"dst\":\"ff02::1\","
		     "\"proto\":58,\"proto_name\":\"icmpv6\",\"icmp_type\":135,"
		     "\"icmp_code\":0,\"iif\":3,\"oif\":0,\"packets\":1,"
		     "\"bytes\":72,\"first_ms\":1700000000000,"
		     "\"last_ms\":1700000000000,\"dscp\":0,\"tcp_flags\":0,"
		     "\"end\":\"live\"}");
}

static void test_record_other_proto(void **state)
{
	struct rec_in gre = {
		.family = AF_INET, .src = "192.0.2.1", .dst = "192.0.2.2",
		.proto = 253, .iif = 2, .oif = 3, .packets = 5, .bytes = 500,
		.first = T0, .last = T0 + 3200, .end = 200,
	};

	(void)state;
	/* No name, no ports (they are 0), an end reason from the future. */
	check_record(&gre,
		     "253 192.0.2.1 > 192.0.2.2 iif v-a oif v-b packets 5 bytes 500 dscp 0 age 3.2s idle 0.0s\n",
		     "{\"family\":\"inet\",\"src\":\"192.0.2.1\","
		     "\"dst\":\"192.0.2.2\",\"proto\":253,\"sport\":0,"
		     "\"dport\":0,\"iif\":2,\"oif\":3,\"packets\":5,"
		     "\"bytes\":500,\"first_ms\":1700000000000,"
		     "\"last_ms\":1700000003200,\"dscp\":0,\"tcp_flags\":0,"
		     "\"end\":\"end_200\"}");
	/* A port protocol shows its ports even when they are 0 (fragments). */
	gre.proto = IPPROTO_UDP;
	gre.end = FLOWSTREAM_END_FLUSHED;
	check_record(&gre,
		     "udp 192.0.2.1:0 > 192.0.2.2:0 iif v-a oif v-b packets 5 bytes 500 dscp 0 age 3.2s idle 0.0s\n",
		     "{\"family\":\"inet\",\"src\":\"192.0.2.1\","
		     "\"dst\":\"192.0.2.2\",\"proto\":17,\"proto_name\":\"udp\","
		     "\"sport\":0,\"dport\":0,\"iif\":2,\"oif\":3,\"packets\":5,"
		     "\"bytes\":500,\"first_ms\":1700000000000,"
		     "\"last_ms\":1700000003200,\"dscp\":0,\"tcp_flags\":0,"
		     "\"end\":\"flushed\"}");
}

static void test_formats(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(fmt_tcp_flags(0, buf), "........");
	assert_string_equal(fmt_tcp_flags(0xff, buf), "CEUAPRSF");
	assert_string_equal(fmt_tcp_flags(0x02, buf), "......S.");
	assert_string_equal(fmt_tcp_flags(0x14, buf), "...A.R..");
	assert_string_equal(fmt_tcp_flags(0x18, buf), "...AP...");
	assert_string_equal(fmt_tenths(0, buf, sizeof(buf)), "0.0s");
	assert_string_equal(fmt_tenths(49, buf, sizeof(buf)), "0.0s");
	assert_string_equal(fmt_tenths(50, buf, sizeof(buf)), "0.1s");
	assert_string_equal(fmt_tenths(3249, buf, sizeof(buf)), "3.2s");
	assert_string_equal(fmt_tenths(9950, buf, sizeof(buf)), "10.0s");
	assert_string_equal(fmt_tenths(1800000, buf, sizeof(buf)), "1800.0s");
}

/* A clock behind the record's times shows 0, not a huge number. */
static void test_record_clock_skew(void **state)
{
	struct rec_fmt early = { .now_ms = T0 - 5000, .ifname = fake_ifname };
	char buf[1024];
	struct fs_record rec;
	struct capture c;

	(void)state;
	assert_int_equal(record_msg_parse(record_reply(buf, &tcp4), &rec), 1);
	cap_start(&c, 0);
	record_print(c.o, &rec, &early);
	assert_non_null(strstr(cap_end(&c), " age 0.0s idle 0.0s\n"));
	free(c.buf);
}

static void test_record_malformed(void **state)
{
	char buf[512];
	struct fs_record rec;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int i;

	(void)state;
	for (i = 0; i < 7; i++) {
		nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_RECORD, 1, 0);
		nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_RECORD);
		/* 0: an IPv6 address in an inet record */
		mnl_attr_put_u8(nlh, FLOWSTREAM_REC_A_FAMILY,
				i == 1 ? 99 : AF_INET);
		if (i == 0)
			put_addr(nlh, FLOWSTREAM_REC_A_SRC, AF_INET6, "::1");
		else if (i == 2)	/* 5 bytes */
			mnl_attr_put(nlh, FLOWSTREAM_REC_A_SRC, 5, "abcde");
		else if (i != 3)	/* 3: no source */
			put_addr(nlh, FLOWSTREAM_REC_A_SRC, AF_INET, "10.0.0.1");
		put_addr(nlh, FLOWSTREAM_REC_A_DST, AF_INET, "10.0.0.2");
		if (i != 4)		/* 4: no protocol */
			mnl_attr_put_u8(nlh, FLOWSTREAM_REC_A_PROTO, 6);
		if (i == 5)		/* a port as a u32 */
			mnl_attr_put_u32(nlh, FLOWSTREAM_REC_A_SPORT, 80);
		if (i == 6)		/* a counter as a u32 */
			mnl_attr_put_u32(nlh, FLOWSTREAM_REC_A_BYTES, 80);
		mnl_attr_nest_end(nlh, nest);
		errno = 0;
		assert_int_equal(record_msg_parse(nlh, &rec), -1);
		assert_int_equal(errno, EBADMSG);
	}

	/* A message without a record is no record. */
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_RECORD, 1, 0);
	assert_int_equal(record_msg_parse(nlh, &rec), 0);
	/* A u32 where the nest should be. */
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_RECORD, 1, 0);
	mnl_attr_put_u32(nlh, FLOWSTREAM_A_RECORD, 1);
	assert_int_equal(record_msg_parse(nlh, &rec), -1);
}

/* struct rec_list from the records of @in. */
static void list_of(struct rec_list *l, const struct rec_in *const *in,
		    int n)
{
	char buf[1024];
	struct fs_record rec;
	int i;

	for (i = 0; i < n; i++) {
		assert_int_equal(record_msg_parse(record_reply(buf, in[i]),
						  &rec), 1);
		assert_int_equal(rec_list_add(l, &rec), 0);
	}
}

static void test_records_output(void **state)
{
	const struct rec_in *in[] = { &tcp4, &udp6, &icmp4 };
	struct rec_list l = { 0 };
	struct capture c;
	char want[2048];

	(void)state;
	list_of(&l, in, 3);
	cap_start(&c, 0);
	records_print(c.o, &l, &fmt);
	snprintf(want, sizeof(want), "%s%s%s", tcp4_text, udp6_text,
		 icmp4_text);
	assert_string_equal(cap_end(&c), want);
	free(c.buf);

	cap_start(&c, OUT_JSON);
	assert_int_equal(out_root_array(c.o), 0);
	records_print(c.o, &l, &fmt);
	snprintf(want, sizeof(want), "[%s,%s,%s]\n", tcp4_json, udp6_json,
		 icmp4_json);
	assert_string_equal(cap_end(&c), want);
	free(c.buf);

	/* No records: nothing, or an empty array. */
	l.n = 0;
	cap_start(&c, 0);
	records_print(c.o, &l, &fmt);
	assert_string_equal(cap_end(&c), "");
	free(c.buf);
	cap_start(&c, OUT_JSON);
	out_root_array(c.o);
	records_print(c.o, &l, &fmt);
	assert_string_equal(cap_end(&c), "[]\n");
	free(c.buf);
	rec_list_free(&l);
}

static struct nlmsghdr *done_msg(void *buf, int error, const char *msg)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int *err;

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = 4;
	nlh->nlmsg_pid = 77;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	*err = error;
	if (msg) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	}
	return nlh;
}

/* A dump: multipart messages over two datagrams, then NLMSG_DONE. */
static void test_dump_process(void **state)
{
	char buf[4096];
	struct rec_list l = { 0 };
	struct fs_ext_ack ack;
	struct nlmsghdr *nlh;
	size_t len = 0;

	(void)state;
	nlh = record_reply(buf, &tcp4);
	nlh->nlmsg_flags = NLM_F_MULTI;
	len += nlh->nlmsg_len;
	nlh = record_reply(buf + len, &udp6);
	nlh->nlmsg_flags = NLM_F_MULTI;
	len += nlh->nlmsg_len;
	assert_int_equal(fs_nl_process(buf, len, 4, 77, records_collect, &l,
				       &ack), 1);
	assert_int_equal(l.n, 2);

	len = 0;
	nlh = record_reply(buf, &icmp4);
	nlh->nlmsg_flags = NLM_F_MULTI;
	len += nlh->nlmsg_len;
	len += done_msg(buf + len, 0, NULL)->nlmsg_len;
	assert_int_equal(fs_nl_process(buf, len, 4, 77, records_collect, &l,
				       &ack), 0);
	assert_int_equal(ack.error, 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[2].proto, IPPROTO_ICMP);

	/* An empty dump: only NLMSG_DONE. */
	nlh = done_msg(buf, 0, NULL);
	assert_int_equal(fs_nl_process(buf, nlh->nlmsg_len, 4, 77,
				       records_collect, &l, &ack), 0);

	/* A bare NLMSG_DONE (no error int) is success too. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_seq = 4;
	assert_int_equal(fs_nl_process(buf, nlh->nlmsg_len, 4, 77,
				       records_collect, &l, &ack), 0);

	/* The dump failed half way: the error and extack ride on DONE. */
	len = 0;
	nlh = record_reply(buf, &tcp4);
	nlh->nlmsg_flags = NLM_F_MULTI;
	len += nlh->nlmsg_len;
	len += done_msg(buf + len, -EINVAL, "bad filter")->nlmsg_len;
	assert_int_equal(fs_nl_process(buf, len, 4, 77, records_collect, &l,
				       &ack), -EINVAL);
	assert_int_equal(ack.error, EINVAL);
	assert_string_equal(ack.msg, "bad filter");
	assert_int_equal(l.n, 4);

	/* ...without a message. */
	nlh = done_msg(buf, -ENOMEM, NULL);
	assert_int_equal(fs_nl_process(buf, nlh->nlmsg_len, 4, 77,
				       records_collect, &l, &ack), -ENOMEM);
	assert_string_equal(ack.msg, "");

	/* The dump was interrupted by a change: -EINTR. */
	nlh = record_reply(buf, &tcp4);
	nlh->nlmsg_flags = NLM_F_MULTI | NLM_F_DUMP_INTR;
	assert_int_equal(fs_nl_process(buf, nlh->nlmsg_len, 4, 77,
				       records_collect, &l, &ack), -EINTR);

	/* A malformed record fails the dump. */
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_RECORD, 4, 77);
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, FLOWSTREAM_A_RECORD));
	assert_int_equal(fs_nl_process(buf, nlh->nlmsg_len, 4, 77,
				       records_collect, &l, &ack), -EBADMSG);
	rec_list_free(&l);
}

/* The dump never started: NLMSG_ERROR with the kernel's extack. */
static void test_dump_error(void **state)
{
	char buf[512], text[512];
	struct fs_ext_ack ack;
	struct nlmsghdr *nlh;
	struct nlmsgerr *err;
	struct rec_list l = { 0 };

	(void)state;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	nlh->nlmsg_seq = 4;
	nlh->nlmsg_pid = 77;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = -EINVAL;
	err->msg.nlmsg_len = 40;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG,
			  "prefix length 33 out of range for AF_INET");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 36);
	assert_int_equal(fs_nl_process(buf, nlh->nlmsg_len, 4, 77,
				       records_collect, &l, &ack), -EINVAL);
	assert_true(ack.has_offs);
	fs_ack_format(&ack, text, sizeof(text));
	assert_string_equal(text,
			    "Error: prefix length 33 out of range for AF_INET");
	assert_int_equal(l.n, 0);
	rec_list_free(&l);
}

static struct fs_record rec_counts(uint64_t bytes, uint64_t packets,
				   uint64_t first, uint8_t last_octet)
{
	struct fs_record r = {
		.family = AF_INET, .proto = IPPROTO_UDP, .bytes = bytes,
		.packets = packets, .first_ms = first,
		.src = { 10, 0, 0, last_octet }, .dst = { 10, 0, 0, 254 },
	};

	return r;
}

static void test_top(void **state)
{
	struct rec_list l = { .top = 3, .by = REC_BY_BYTES };
	struct fs_record r;
	uint64_t i;

	(void)state;
	/* 1000 records with bytes 0..999 in a shuffled order. */
	for (i = 0; i < 1000; i++) {
		r = rec_counts(i * 7 % 1000, 1000 - i * 7 % 1000, 0, i % 200);
		assert_int_equal(rec_list_add(&l, &r), 0);
		assert_true(l.n <= 64 || l.n <= 2 * l.top);
	}
	assert_true(l.cap <= 64);		/* never held them all */
	rec_list_finish(&l);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].bytes, 999);
	assert_int_equal(l.v[1].bytes, 998);
	assert_int_equal(l.v[2].bytes, 997);
	rec_list_free(&l);

	/* By packets. */
	l = (struct rec_list){ .top = 2, .by = REC_BY_PACKETS };
	for (i = 0; i < 10; i++) {
		r = rec_counts(i, 100 - i * 10, 0, i);
		assert_int_equal(rec_list_add(&l, &r), 0);
	}
	rec_list_finish(&l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].packets, 100);
	assert_int_equal(l.v[1].packets, 90);
	rec_list_free(&l);

	/* Ties: by the other counter, then the oldest, then by key. */
	l = (struct rec_list){ .top = 0, .by = REC_BY_BYTES };
	r = rec_counts(100, 1, 5, 1);
	rec_list_add(&l, &r);
	r = rec_counts(100, 2, 5, 2);
	rec_list_add(&l, &r);
	r = rec_counts(100, 2, 4, 3);
	rec_list_add(&l, &r);
	r = rec_counts(100, 2, 4, 0);
	rec_list_add(&l, &r);
	r = rec_counts(200, 0, 9, 9);
	rec_list_add(&l, &r);
	rec_list_finish(&l);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.v[0].src[3], 9);
	assert_int_equal(l.v[1].src[3], 0);
	assert_int_equal(l.v[2].src[3], 3);
	assert_int_equal(l.v[3].src[3], 2);
	assert_int_equal(l.v[4].src[3], 1);
	rec_list_free(&l);

	/* Fewer records than N: all of them, sorted. */
	l = (struct rec_list){ .top = 10, .by = REC_BY_BYTES };
	r = rec_counts(1, 1, 0, 1);
	rec_list_add(&l, &r);
	r = rec_counts(2, 1, 0, 2);
	rec_list_add(&l, &r);
	rec_list_finish(&l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].bytes, 2);
	rec_list_free(&l);
}

/* records_parse_args() on @argc words; returns its result. */
PARSE_WORDS_FN(fargs, struct records_args, records_parse_args)

static void test_records_args(void **state)
{
	struct records_args a;
	char err[512];

	(void)state;
	assert_int_equal(fargs(&a, err, 0), 0);
	assert_false(a.flush);
	assert_int_equal(a.flt.present, 0);
	assert_int_equal(a.top, 0);
	assert_int_equal(a.by, REC_BY_NONE);

	assert_int_equal(fargs(&a, err, 2, "top", "10"), 0);
	assert_int_equal(a.top, 10);
	assert_int_equal(a.by, REC_BY_BYTES);
	assert_int_equal(fargs(&a, err, 6, "show", "proto", "tcp", "top", "5",
			       "by"), EXIT_USAGE);
	assert_string_equal(err, "Error: missing value for \"by\"\n"
			    "Try \"flowctl records help\".\n");
	assert_int_equal(fargs(&a, err, 7, "show", "proto", "tcp", "top", "5",
			       "by", "packets"), 0);
	assert_int_equal(a.top, 5);
	assert_int_equal(a.by, REC_BY_PACKETS);
	assert_int_equal(a.flt.present, REC_BIT(FLOWSTREAM_FLT_A_PROTO));
	assert_int_equal(a.flt.proto, IPPROTO_TCP);
	assert_int_equal(fargs(&a, err, 2, "by", "packets"), 0);
	assert_int_equal(a.top, 0);
	assert_int_equal(a.by, REC_BY_PACKETS);

	assert_int_equal(fargs(&a, err, 2, "top", "0"), EXIT_USAGE);
	assert_int_equal(fargs(&a, err, 2, "top", "-1"), EXIT_USAGE);
	assert_int_equal(fargs(&a, err, 2, "by", "flows"), EXIT_USAGE);
	assert_string_equal(err, "Error: invalid value \"flows\" for \"by\": expected \"bytes\" or \"packets\"\n"
			    "Try \"flowctl records help\".\n");
	assert_int_equal(fargs(&a, err, 4, "top", "1", "top", "2"),
			 EXIT_USAGE);
	assert_int_equal(fargs(&a, err, 1, "bogus"), EXIT_USAGE);
	assert_string_equal(err, "Error: unknown argument \"bogus\"\n"
			    "Try \"flowctl records help\".\n");

	/* flush takes a filter, nothing else. */
	assert_int_equal(fargs(&a, err, 1, "flush"), 0);
	assert_true(a.flush);
	assert_int_equal(a.flt.present, 0);
	assert_int_equal(fargs(&a, err, 3, "flush", "port", "53"), 0);
	assert_true(a.flush);
	assert_int_equal(a.flt.port, 53);
	assert_int_equal(fargs(&a, err, 3, "flush", "top", "1"), EXIT_USAGE);
	assert_int_equal(fargs(&a, err, 2, "proto", "flush"), EXIT_USAGE);
}

static void test_filter_errors(void **state)
{
	struct records_args a;
	char err[512];

	(void)state;
	assert_int_equal(fargs(&a, err, 2, "family", "ipv4"), EXIT_USAGE);
	assert_string_equal(err, "Error: invalid value \"ipv4\" for \"family\": expected \"inet\" or \"inet6\"\n"
			    "Try \"flowctl records help\".\n");
	assert_int_equal(fargs(&a, err, 2, "prefix", "10.0.0.0/33"),
			 EXIT_USAGE);
	assert_string_equal(err, "Error: invalid prefix length in \"10.0.0.0/33\": not a number 0..32\n"
			    "Try \"flowctl records help\".\n");
	assert_int_equal(fargs(&a, err, 2, "prefix", "::/129"), EXIT_USAGE);
	assert_int_equal(fargs(&a, err, 2, "prefix", "10.0.0.0/"),
			 EXIT_USAGE);
	assert_int_equal(fargs(&a, err, 2, "prefix", "10.0.0/8"), EXIT_USAGE);
	assert_string_equal(err, "Error: invalid prefix \"10.0.0/8\": not an IPv4 or IPv6 ADDR/LEN\n"
			    "Try \"flowctl records help\".\n");
	assert_int_equal(fargs(&a, err, 2, "prefix", "/8"), EXIT_USAGE);
	assert_int_equal(fargs(&a, err, 4, "family", "inet6", "prefix",
			       "10.0.0.0/8"), EXIT_USAGE);
	assert_string_equal(err, "Error: \"family\" and the address of \"prefix\" disagree\n"
			    "Try \"flowctl records help\".\n");
	assert_int_equal(fargs(&a, err, 4, "prefix", "10.0.0.0/8", "family",
			       "inet6"), EXIT_USAGE);
	assert_int_equal(fargs(&a, err, 4, "prefix", "10.0.0.0/8", "family",
			       "inet"), 0);
	assert_int_equal(fargs(&a, err, 2, "proto", "ipv9"), EXIT_USAGE);
	assert_int_equal(fargs(&a, err, 2, "proto", "256"), EXIT_USAGE);
	assert_int_equal(fargs(&a, err, 2, "port", "65536"), EXIT_USAGE);
	assert_string_equal(err, "Error: invalid value \"65536\" for \"port\": out of range (maximum 65535)\n"
			    "Try \"flowctl records help\".\n");
	assert_int_equal(fargs(&a, err, 1, "port"), EXIT_USAGE);
	assert_string_equal(err, "Error: missing value for \"port\"\n"
			    "Try \"flowctl records help\".\n");
	assert_int_equal(fargs(&a, err, 4, "port", "1", "port", "2"),
			 EXIT_USAGE);
	assert_string_equal(err, "Error: duplicate \"port\"\n"
			    "Try \"flowctl records help\".\n");
	assert_int_equal(fargs(&a, err, 4, "dev", "eth0", "ifindex", "2"),
			 EXIT_USAGE);
	assert_string_equal(err, "Error: only one of \"dev\" and \"ifindex\"\n"
			    "Try \"flowctl records help\".\n");
	assert_int_equal(fargs(&a, err, 2, "dev", "a-very-long-interface-name"),
			 EXIT_USAGE);
	assert_int_equal(fargs(&a, err, 2, "ifindex", "x"), EXIT_USAGE);

	/* dev is kept by name for later, in the target namespace. */
	assert_int_equal(fargs(&a, err, 2, "dev", "v-a"), 0);
	assert_string_equal(a.flt.dev, "v-a");
	assert_int_equal(a.flt.present, REC_BIT(FLOWSTREAM_FLT_A_IFINDEX));
	assert_int_equal(a.flt.ifindex, 0);
}

struct seen_attrs {
	int n;
	uint16_t raw_type[16];
	const struct nlattr *attr[16];
};

static int collect_cb(const struct nlattr *attr, void *data)
{
	struct seen_attrs *s = data;

	if (s->n == 16)
		return MNL_CB_ERROR;
	s->raw_type[s->n] = attr->nla_type;
	s->attr[s->n++] = attr;
	return MNL_CB_OK;
}

/* The one top-level nest of @nlh, with NLA_F_NESTED, parsed into @in. */
static void nest_of(const struct nlmsghdr *nlh, uint16_t type,
		    struct seen_attrs *in)
{
	struct seen_attrs top = { 0 };

	memset(in, 0, sizeof(*in));
	assert_int_equal(mnl_attr_parse(nlh, GENL_HDRLEN, collect_cb, &top),
			 MNL_CB_OK);
	assert_int_equal(top.n, 1);
	assert_int_equal(top.raw_type[0], NLA_F_NESTED | type);
	assert_int_equal(mnl_attr_parse_nested(top.attr[0], collect_cb, in),
			 MNL_CB_OK);
}

static void test_filter_put(void **state)
{
	char buf[256];
	struct seen_attrs in;
	struct records_args a;
	struct nlmsghdr *nlh;
	char err[512];

	(void)state;
	/* Zeroed, as by fs_nl_req(): libmnl 1.0.4 leaves padding alone. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(fargs(&a, err, 8, "prefix", "10.1.2.3/16", "proto",
			       "tcp", "port", "443", "ifindex", "7"), 0);
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_GET_RECORD,
				FLOWSTREAM_GENL_VERSION, 42);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	filter_put(nlh, &a.flt);
	nest_of(nlh, FLOWSTREAM_A_FILTER, &in);
	assert_int_equal(in.n, 6);
	assert_int_equal(in.raw_type[0], FLOWSTREAM_FLT_A_FAMILY);
	assert_int_equal(mnl_attr_get_u8(in.attr[0]), AF_INET);
	assert_int_equal(in.raw_type[1], FLOWSTREAM_FLT_A_PREFIX);
	assert_int_equal(mnl_attr_get_payload_len(in.attr[1]), 4);
	assert_memory_equal(mnl_attr_get_payload(in.attr[1]),
			    "\x0a\x01\x00\x00", 4);	/* host bits cleared */

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	{
		static const unsigned char want[] = {
			0x48, 0x00, 0x00, 0x00,	/* nlmsg_len 72 */
			0x1f, 0x00,		/* family */
			0x01, 0x03,		/* NLM_F_REQUEST | NLM_F_DUMP */
			0x2a, 0x00, 0x00, 0x00,	/* seq 42 */
			0x00, 0x00, 0x00, 0x00,	/* pid */
			0x07, 0x01, 0x00, 0x00,	/* GET_RECORD, version 1 */
			0x34, 0x00, 0x09, 0x80,	/* FILTER | NLA_F_NESTED */
			0x05, 0x00, 0x01, 0x00,	/* FLT_A_FAMILY */
			0x02, 0x00, 0x00, 0x00,	/* AF_INET + pad */
			0x08, 0x00, 0x02, 0x00,	/* FLT_A_PREFIX */
			0x0a, 0x01, 0x00, 0x00,	/* 10.1.0.0 */
			0x05, 0x00, 0x03, 0x00,	/* FLT_A_PREFIX_LEN */
			0x10, 0x00, 0x00, 0x00,	/* 16 + pad */
			0x05, 0x00, 0x04, 0x00,	/* FLT_A_PROTO */
			0x06, 0x00, 0x00, 0x00,	/* tcp + pad */
			0x06, 0x00, 0x05, 0x00,	/* FLT_A_PORT */
			0xbb, 0x01, 0x00, 0x00,	/* 443 + pad */
			0x08, 0x00, 0x06, 0x00,	/* FLT_A_IFINDEX */
			0x07, 0x00, 0x00, 0x00,	/* 7 */
		};

		assert_int_equal(nlh->nlmsg_len, sizeof(want));
		assert_memory_equal(buf, want, sizeof(want));
	}
#endif

	/* IPv6: the family comes from the prefix. */
	assert_int_equal(fargs(&a, err, 2, "prefix", "2001:db8:ffff::1/35"),
			 0);
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_FLUSH_RECORDS,
				FLOWSTREAM_GENL_VERSION, 43);
	filter_put(nlh, &a.flt);
	nest_of(nlh, FLOWSTREAM_A_FILTER, &in);
	assert_int_equal(in.n, 3);
	assert_int_equal(mnl_attr_get_u8(in.attr[0]), AF_INET6);
	assert_int_equal(mnl_attr_get_payload_len(in.attr[1]), 16);
	assert_memory_equal(mnl_attr_get_payload(in.attr[1]),
			    "\x20\x01\x0d\xb8\xe0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(mnl_attr_get_u8(in.attr[2]), 35);

	/* A host, /0 and the family alone. */
	assert_int_equal(fargs(&a, err, 2, "prefix", "10.9.8.7"), 0);
	assert_int_equal(a.flt.prefix_len, 32);
	assert_memory_equal(a.flt.prefix, "\x0a\x09\x08\x07", 4);
	assert_int_equal(fargs(&a, err, 2, "prefix", "10.9.8.7/0"), 0);
	assert_int_equal(a.flt.prefix_len, 0);
	assert_memory_equal(a.flt.prefix, "\0\0\0\0", 4);
	assert_int_equal(fargs(&a, err, 2, "prefix", "10.9.8.7/31"), 0);
	assert_memory_equal(a.flt.prefix, "\x0a\x09\x08\x06", 4);
	assert_int_equal(fargs(&a, err, 2, "family", "inet6"), 0);
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_GET_RECORD, 1, 1);
	filter_put(nlh, &a.flt);
	nest_of(nlh, FLOWSTREAM_A_FILTER, &in);
	assert_int_equal(in.n, 1);
	assert_int_equal(in.raw_type[0], FLOWSTREAM_FLT_A_FAMILY);
	assert_int_equal(mnl_attr_get_u8(in.attr[0]), AF_INET6);

	/* No filter: no nest at all. */
	assert_int_equal(fargs(&a, err, 0), 0);
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_GET_RECORD, 1, 1);
	filter_put(nlh, &a.flt);
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN);
}

/* rec_key_parse_args() on @argc words; returns its result. */
PARSE_WORDS_FN(kargs, struct fs_rec_key, rec_key_parse_args)

static void test_key_put(void **state)
{
	char buf[256], err[512];
	struct fs_rec_key key;
	struct seen_attrs in;
	struct nlmsghdr *nlh;

	(void)state;
	/* Zeroed, as by fs_nl_req(): libmnl 1.0.4 leaves padding alone. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(kargs(&key, err, 12, "proto", "tcp", "src",
			       "10.0.0.1", "dst", "10.0.0.2", "sport", "40000",
			       "dport", "5201", "ifindex", "4"), 0);
	assert_string_equal(err, "");
	assert_null(key.dev);
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_GET_RECORD,
				FLOWSTREAM_GENL_VERSION, 42);
	rec_key_put(nlh, &key.rec);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	{
		static const unsigned char want[] = {
			0x50, 0x00, 0x00, 0x00,	/* nlmsg_len 80 */
			0x1f, 0x00,		/* family */
			0x05, 0x00,		/* NLM_F_REQUEST | NLM_F_ACK */
			0x2a, 0x00, 0x00, 0x00,	/* seq 42 */
			0x00, 0x00, 0x00, 0x00,	/* pid */
			0x07, 0x01, 0x00, 0x00,	/* GET_RECORD, version 1 */
			0x3c, 0x00, 0x08, 0x80,	/* RECORD | NLA_F_NESTED */
			0x05, 0x00, 0x02, 0x00,	/* REC_A_FAMILY */
			0x02, 0x00, 0x00, 0x00,	/* AF_INET + pad */
			0x08, 0x00, 0x03, 0x00,	/* REC_A_SRC */
			0x0a, 0x00, 0x00, 0x01,
			0x08, 0x00, 0x04, 0x00,	/* REC_A_DST */
			0x0a, 0x00, 0x00, 0x02,
			0x05, 0x00, 0x05, 0x00,	/* REC_A_PROTO */
			0x06, 0x00, 0x00, 0x00,
			0x06, 0x00, 0x06, 0x00,	/* REC_A_SPORT, host order */
			0x40, 0x9c, 0x00, 0x00,	/* 40000 */
			0x06, 0x00, 0x07, 0x00,	/* REC_A_DPORT */
			0x51, 0x14, 0x00, 0x00,	/* 5201 */
			0x08, 0x00, 0x0a, 0x00,	/* REC_A_IIF */
			0x04, 0x00, 0x00, 0x00,
		};

		assert_int_equal(nlh->nlmsg_len, sizeof(want));
		assert_memory_equal(buf, want, sizeof(want));
	}
#endif
	nest_of(nlh, FLOWSTREAM_A_RECORD, &in);
	assert_int_equal(in.n, 7);

	/* ICMP: type and code instead of ports; iif 0 by default. */
	assert_int_equal(kargs(&key, err, 10, "type", "8", "code", "0",
			       "proto", "icmp", "dst", "192.0.2.1", "src",
			       "192.0.2.2"), 0);
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_GET_RECORD, 1, 1);
	rec_key_put(nlh, &key.rec);
	nest_of(nlh, FLOWSTREAM_A_RECORD, &in);
	assert_int_equal(in.n, 7);
	assert_int_equal(in.raw_type[4], FLOWSTREAM_REC_A_ICMP_TYPE);
	assert_int_equal(mnl_attr_get_u8(in.attr[4]), 8);
	assert_int_equal(in.raw_type[5], FLOWSTREAM_REC_A_ICMP_CODE);
	assert_int_equal(mnl_attr_get_u8(in.attr[5]), 0);
	assert_int_equal(in.raw_type[6], FLOWSTREAM_REC_A_IIF);
	assert_int_equal(mnl_attr_get_u32(in.attr[6]), 0);
	assert_memory_equal(mnl_attr_get_payload(in.attr[1]),
			    "\xc0\x00\x02\x02", 4);

	/* IPv6 UDP, ports default to 0, an interface by name. */
	assert_int_equal(kargs(&key, err, 8, "proto", "17", "src", "2001:db8::1",
			       "dst", "2001:db8::2", "iif", "v-a"), 0);
	assert_string_equal(key.dev, "v-a");
	key.rec.iif = 9;		/* as resolve_dev() would */
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_GET_RECORD, 1, 1);
	rec_key_put(nlh, &key.rec);
	nest_of(nlh, FLOWSTREAM_A_RECORD, &in);
	assert_int_equal(in.n, 7);
	assert_int_equal(mnl_attr_get_u8(in.attr[0]), AF_INET6);
	assert_int_equal(mnl_attr_get_payload_len(in.attr[1]), 16);
	assert_int_equal(mnl_attr_get_payload_len(in.attr[2]), 16);
	assert_int_equal(mnl_attr_get_u16(in.attr[4]), 0);
	assert_int_equal(mnl_attr_get_u16(in.attr[5]), 0);
	assert_int_equal(mnl_attr_get_u32(in.attr[6]), 9);
}

static void test_key_errors(void **state)
{
	struct fs_rec_key key;
	char err[512];

	(void)state;
	assert_int_equal(kargs(&key, err, 4, "src", "10.0.0.1", "dst",
			       "10.0.0.2"), EXIT_USAGE);
	assert_string_equal(err, "Error: missing \"proto\"\n"
			    "Try \"flowctl record help\".\n");
	assert_int_equal(kargs(&key, err, 4, "proto", "tcp", "dst",
			       "10.0.0.2"), EXIT_USAGE);
	assert_string_equal(err, "Error: missing \"src\"\n"
			    "Try \"flowctl record help\".\n");
	assert_int_equal(kargs(&key, err, 6, "proto", "tcp", "src",
			       "10.0.0.1", "dst", "::1"), EXIT_USAGE);
	assert_string_equal(err, "Error: \"src\" and \"dst\" are not of the same address family\n"
			    "Try \"flowctl record help\".\n");
	assert_int_equal(kargs(&key, err, 8, "proto", "icmp", "src",
			       "10.0.0.1", "dst", "10.0.0.2", "sport", "1"),
			 EXIT_USAGE);
	assert_int_equal(kargs(&key, err, 8, "proto", "udp", "src",
			       "10.0.0.1", "dst", "10.0.0.2", "code", "1"),
			 EXIT_USAGE);
	assert_string_equal(err, "Error: \"type\" and \"code\" need proto icmp or icmpv6\n"
			    "Try \"flowctl record help\".\n");
	assert_int_equal(kargs(&key, err, 8, "proto", "icmp", "src",
			       "10.0.0.1", "dst", "10.0.0.2", "type", "256"),
			 EXIT_USAGE);
	assert_string_equal(err, "Error: invalid value \"256\" for \"type\": out of range (maximum 255)\n"
			    "Try \"flowctl record help\".\n");
	assert_int_equal(kargs(&key, err, 8, "proto", "tcp", "src",
			       "10.0.0.1", "dst", "10.0.0.2", "sport", "65536"),
			 EXIT_USAGE);
	assert_int_equal(kargs(&key, err, 6, "proto", "tcp", "src",
			       "10.0.0.300", "dst", "10.0.0.2"), EXIT_USAGE);
	assert_string_equal(err, "Error: invalid value \"10.0.0.300\" for \"src\": not an IPv4 or IPv6 address\n"
			    "Try \"flowctl record help\".\n");
	assert_int_equal(kargs(&key, err, 7, "proto", "tcp", "src",
			       "10.0.0.1", "dst", "10.0.0.2", "sport"),
			 EXIT_USAGE);
	assert_string_equal(err, "Error: missing value for \"sport\"\n"
			    "Try \"flowctl record help\".\n");
	assert_int_equal(kargs(&key, err, 8, "proto", "tcp", "src",
			       "10.0.0.1", "dst", "10.0.0.2", "port", "1"),
			 EXIT_USAGE);
	assert_string_equal(err, "Error: unknown argument \"port\"\n"
			    "Try \"flowctl record help\".\n");
	assert_int_equal(kargs(&key, err, 10, "proto", "tcp", "src",
			       "10.0.0.1", "dst", "10.0.0.2", "iif", "x",
			       "ifindex", "1"), EXIT_USAGE);
	assert_string_equal(err, "Error: only one of \"iif\" and \"ifindex\"\n"
			    "Try \"flowctl record help\".\n");
	assert_int_equal(kargs(&key, err, 8, "proto", "tcp", "src",
			       "10.0.0.1", "dst", "10.0.0.2", "src", "10.0.0.3"),
			 EXIT_USAGE);
	assert_string_equal(err, "Error: duplicate \"src\"\n"
			    "Try \"flowctl record help\".\n");
}

static void test_flushed(void **state)
{
	char buf[128];
	struct nlmsghdr *nlh;
	int64_t n = -1;

	(void)state;
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_FLUSH_RECORDS, 1, 0);
	mnl_attr_put_u32(nlh, FLOWSTREAM_A_FLUSHED, 4000000000u);
	assert_int_equal(flushed_parse(nlh, &n), MNL_CB_OK);
	assert_true(n == 4000000000LL);

	n = -1;
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_FLUSH_RECORDS, 1, 0);
	assert_int_equal(flushed_parse(nlh, &n), MNL_CB_OK);
	assert_true(n == -1);

	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_FLUSH_RECORDS, 1, 0);
	mnl_attr_put_u64(nlh, FLOWSTREAM_A_FLUSHED, 1);
	assert_int_equal(flushed_parse(nlh, &n), MNL_CB_ERROR);
}

/* "flows" and "flow get": a note on stderr in text mode only. */
static void test_deprecated_note(void **state)
{
	struct flowctl fc = { 0 };
	struct capture c;
	char err[256];

	(void)state;
	cap_start(&c, 0);
	fc.out = c.o;
	stderr_begin();
	deprecated_note(&fc, "flows", "records");
	assert_string_equal(stderr_end(err, sizeof(err)),
			    "Note: \"flowctl flows\" is deprecated, use \"flowctl records\"\n");
	assert_string_equal(cap_end(&c), "");
	free(c.buf);

	cap_start(&c, OUT_JSON);
	fc.out = c.o;
	stderr_begin();
	deprecated_note(&fc, "flow get", "record get");
	assert_string_equal(stderr_end(err, sizeof(err)), "");
	free((void *)cap_end(&c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_tcp4),
		cmocka_unit_test(test_record_udp6),
		cmocka_unit_test(test_record_icmp),
		cmocka_unit_test(test_record_other_proto),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_record_clock_skew),
		cmocka_unit_test(test_record_malformed),
		cmocka_unit_test(test_records_output),
		cmocka_unit_test(test_dump_process),
		cmocka_unit_test(test_dump_error),
		cmocka_unit_test(test_top),
		cmocka_unit_test(test_records_args),
		cmocka_unit_test(test_filter_errors),
		cmocka_unit_test(test_filter_put),
		cmocka_unit_test(test_key_put),
		cmocka_unit_test(test_key_errors),
		cmocka_unit_test(test_flushed),
		cmocka_unit_test(test_deprecated_note),
	};

	return cmocka_run_group_tests_name("records", tests, NULL, NULL);
}

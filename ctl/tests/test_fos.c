// SPDX-License-Identifier: GPL-2.0
/*
 * FlowOS: match words, "flow add" and "pm attach" arguments, the
 * ADD_FLOW, ATTACH, DETACH and flow-naming requests as bytes, GET_FLOW,
 * GET_ATTACH and GET_PM replies into text and JSON.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include "test.h"

#define FAMILY	0x1f

/* Split @s at spaces into @argv (modifies @s); returns the count. */
static int split(char *s, char **argv, int max)
{
	char *save = NULL, *w;
	int n = 0;

	for (w = strtok_r(s, " ", &save); w && n < max;
	     w = strtok_r(NULL, " ", &save))
		argv[n++] = w;
	return n;
}

/* The match words of @words into @m: 0, or -1 with the message in @err. */
static int match(const char *words, struct fos_match *m, char *err)
{
	char buf[256], *argv[32];
	int argc, i, n;

	memset(m, 0, sizeof(*m));
	err[0] = '\0';
	snprintf(buf, sizeof(buf), "%s", words);
	argc = split(buf, argv, 32);
	for (i = 0; i < argc; i += n) {
		n = fos_match_word(argc - i, argv + i, m, err, 256);
		if (n < 0)
			return -1;
		assert_int_equal(n, 2);
	}
	return fos_match_check(m, err, 256);
}

static void test_match_words(void **state)
{
	struct fos_match m;
	char err[256];
	uint8_t a[16];

	(void)state;
	assert_int_equal(match("proto tcp dst 10.0.2.0/24 dport 80", &m, err), 0);
	assert_int_equal(m.present,
			 FOS_BIT(FLOWSTREAM_MATCH_A_FAMILY) |
			 FOS_BIT(FLOWSTREAM_MATCH_A_PROTO) |
			 FOS_BIT(FLOWSTREAM_MATCH_A_DST) |
			 FOS_BIT(FLOWSTREAM_MATCH_A_DST_LEN) |
			 FOS_BIT(FLOWSTREAM_MATCH_A_DPORT));
	assert_int_equal(m.family, AF_INET);
	assert_int_equal(m.proto, IPPROTO_TCP);
	inet_pton(AF_INET, "10.0.2.0", a);
	assert_memory_equal(m.dst, a, 4);
	assert_int_equal(m.dst_len, 24);
	assert_int_equal(m.dport, 80);

	/* A host address is a full-length prefix; the family is implied. */
	assert_int_equal(match("src 2001:db8::1 dst 2001:db8::/32 dscp 63", &m,
			       err), 0);
	assert_int_equal(m.family, AF_INET6);
	assert_int_equal(m.src_len, 128);
	assert_int_equal(m.dst_len, 32);
	assert_int_equal(m.dscp, 63);

	/* Host bits are kept: the module decides. */
	assert_int_equal(match("src 10.1.2.3/8", &m, err), 0);
	inet_pton(AF_INET, "10.1.2.3", a);
	assert_memory_equal(m.src, a, 4);
	assert_int_equal(m.src_len, 8);

	/* "family" alone, and agreeing with an address. */
	assert_int_equal(match("family inet6", &m, err), 0);
	assert_int_equal(m.present, FOS_BIT(FLOWSTREAM_MATCH_A_FAMILY));
	assert_int_equal(m.family, AF_INET6);
	assert_int_equal(match("dst 10.0.0.0/8 family inet", &m, err), 0);
	assert_int_equal(m.family, AF_INET);

	/* Protocols by name or number; ports with UDP, SCTP, UDP-Lite. */
	assert_int_equal(match("proto 132 sport 1", &m, err), 0);
	assert_int_equal(m.proto, IPPROTO_SCTP);
	assert_int_equal(match("proto udplite sport 65535 dport 0", &m, err), 0);
	assert_int_equal(m.sport, 65535);
	assert_int_equal(match("proto icmp", &m, err), 0);
	assert_int_equal(m.proto, IPPROTO_ICMP);

	/* iif: a name to resolve later, not an attribute yet. */
	assert_int_equal(match("iif eth0 proto udp", &m, err), 0);
	assert_string_equal(m.dev, "eth0");
	assert_int_equal(m.present, FOS_BIT(FLOWSTREAM_MATCH_A_PROTO));

	/* Nothing: an empty match. */
	assert_int_equal(match("", &m, err), 0);
	assert_int_equal(m.present, 0);

	/* Not a match word. */
	{
		char *argv[] = { "prio", "1" };

		memset(&m, 0, sizeof(m));
		assert_int_equal(fos_match_word(2, argv, &m, err, 256), 0);
	}
}

static void test_match_errors(void **state)
{
	static const struct {
		const char *words;
		const char *err;
	} cases[] = {
		{ "proto tcp proto udp", "duplicate \"proto\"" },
		{ "dport", "missing value for \"dport\"" },
		{ "family ipx", "invalid value \"ipx\" for \"family\": expected \"inet\" or \"inet6\"" },
		{ "proto tcpp", "invalid value \"tcpp\" for \"proto\": not a protocol name or a number 0..255" },
		{ "proto 256", "invalid value \"256\" for \"proto\": not a protocol name or a number 0..255" },
		{ "src 10.0.0.0/33", "invalid value \"10.0.0.0/33\" for \"src\": not an IPv4 or IPv6 ADDR[/LEN]" },
		{ "dst ::/129", "invalid value \"::/129\" for \"dst\": not an IPv4 or IPv6 ADDR[/LEN]" },
		{ "dst 10.0.0.0/", "invalid value \"10.0.0.0/\" for \"dst\": not an IPv4 or IPv6 ADDR[/LEN]" },
		{ "src web", "invalid value \"web\" for \"src\": not an IPv4 or IPv6 ADDR[/LEN]" },
		{ "src 10.0.0.1 dst ::1", "\"src\" and \"dst\" are not of the same address family" },
		{ "family inet6 src 10.0.0.1", "\"family\" and the address of \"src\" disagree" },
		{ "dst 10.0.0.1 family inet6", "\"family\" and the address of \"dst\" disagree" },
		{ "dport 80", "\"dport\" needs proto tcp, udp, sctp or udplite" },
		{ "proto icmp sport 1", "\"sport\" needs proto tcp, udp, sctp or udplite" },
		{ "proto dccp dport 1", "\"dport\" needs proto tcp, udp, sctp or udplite" },
		{ "proto tcp dport 65536", "invalid value \"65536\" for \"dport\": out of range (maximum 65535)" },
		{ "proto tcp sport -1", "invalid value \"-1\" for \"sport\": must not be negative" },
		{ "dscp 64", "invalid value \"64\" for \"dscp\": out of range (maximum 63)" },
		{ "dscp ef", "invalid value \"ef\" for \"dscp\": not a decimal or 0x-prefixed hexadecimal number" },
		{ "iif abcdefghijklmnopq", "invalid device name \"abcdefghijklmnopq\"" },
	};
	struct fos_match m;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(match(cases[i].words, &m, err), -1);
		assert_string_equal(err, cases[i].err);
	}
}

/* fos_add_parse_args() on @words; returns its result, stderr in @err. */
static int add_args(struct fos_flow *f, char *err, const char *words)
{
	char buf[512], *argv[64];
	int argc, ret;

	snprintf(buf, sizeof(buf), "%s", words);
	argc = split(buf, argv, 64);
	stderr_begin();
	ret = fos_add_parse_args(argc, argv, f);
	stderr_end(err, 512);
	return ret;
}

static void test_add_args(void **state)
{
	struct fos_flow f;
	char err[512];

	(void)state;
	assert_int_equal(add_args(&f, err, "web prio 10 proto tcp dport 80 stream tcp policy bypass max-sessions 100 max-held 200 max-held-bytes 65536 max-session-held 16 idle-timeout 30 hole-timeout 50"),
			 0);
	assert_string_equal(err, "");
	assert_string_equal(f.name, "web");
	assert_int_equal(f.seen,
			 FOS_BIT(FLOWSTREAM_FLOW_A_PRIO) |
			 FOS_BIT(FLOWSTREAM_FLOW_A_STREAM) |
			 FOS_BIT(FLOWSTREAM_FLOW_A_POLICY) |
			 FOS_BIT(FLOWSTREAM_FLOW_A_MAX_SESSIONS) |
			 FOS_BIT(FLOWSTREAM_FLOW_A_MAX_HELD) |
			 FOS_BIT(FLOWSTREAM_FLOW_A_MAX_HELD_BYTES) |
			 FOS_BIT(FLOWSTREAM_FLOW_A_MAX_SESSION_HELD) |
			 FOS_BIT(FLOWSTREAM_FLOW_A_IDLE_TIMEOUT) |
			 FOS_BIT(FLOWSTREAM_FLOW_A_HOLE_TIMEOUT));
	assert_int_equal(f.val[FLOWSTREAM_FLOW_A_PRIO], 10);
	assert_int_equal(f.val[FLOWSTREAM_FLOW_A_STREAM], FLOWSTREAM_STREAM_TCP);
	assert_int_equal(f.val[FLOWSTREAM_FLOW_A_POLICY],
			 FLOWSTREAM_FOS_POLICY_BYPASS);
	assert_int_equal(f.val[FLOWSTREAM_FLOW_A_MAX_HELD_BYTES], 65536);
	assert_int_equal(f.val[FLOWSTREAM_FLOW_A_HOLE_TIMEOUT], 50);
	assert_int_equal(f.match.dport, 80);

	/* Just a name: every setting and the match left to the module. */
	assert_int_equal(add_args(&f, err, "a.b:c-d_0"), 0);
	assert_int_equal(f.seen, 0);
	assert_int_equal(f.match.present, 0);
	/* Numbers are only checked against u32: the module has the limits. */
	assert_int_equal(add_args(&f, err, "x max-sessions 4294967295"), 0);
	assert_int_equal(f.val[FLOWSTREAM_FLOW_A_MAX_SESSIONS], UINT32_MAX);
}

static void test_add_args_errors(void **state)
{
	static const struct {
		const char *words;
		const char *err;
	} cases[] = {
		{ "", "missing flow name" },
		{ "web/1", "invalid flow name \"web/1\": 1 to 31 characters of A-Z a-z 0-9 _ . : -" },
		{ "abcdefghijklmnopqrstuvwxyz012345", "invalid flow name \"abcdefghijklmnopqrstuvwxyz012345\": 1 to 31 characters of A-Z a-z 0-9 _ . : -" },
		{ "web frob 1", "unknown argument \"frob\"" },
		{ "web prio 1 prio 2", "duplicate \"prio\"" },
		{ "web prio", "missing value for \"prio\"" },
		{ "web prio 4294967296", "invalid value \"4294967296\" for \"prio\": out of range (maximum 4294967295)" },
		{ "web stream sctp", "invalid value \"sctp\" for \"stream\": expected \"ip\", \"tcp\" or \"udp\"" },
		{ "web policy accept", "invalid value \"accept\" for \"policy\": expected \"drop\" or \"bypass\"" },
		{ "web idle-timeout 1s", "invalid value \"1s\" for \"idle-timeout\": not a decimal or 0x-prefixed hexadecimal number" },
		{ "web dport 80", "\"dport\" needs proto tcp, udp, sctp or udplite" },
	};
	struct fos_flow f;
	char err[512], want[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(add_args(&f, err, cases[i].words), EXIT_USAGE);
		snprintf(want, sizeof(want),
			 "Error: %s\nTry \"flowctl flow help\".\n", cases[i].err);
		assert_string_equal(err, want);
	}
}

static struct nlmsghdr *request(void *buf, uint8_t cmd)
{
	memset(buf, 0, 1024);
	return fs_nl_put_request(buf, FAMILY, cmd, FLOWSTREAM_GENL_VERSION, 42);
}

/* The first attribute of type @type in @nest (or the message), or NULL. */
static const struct nlattr *find(const struct nlattr *nest, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

static const struct nlattr *top(const struct nlmsghdr *nlh)
{
	return mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN);
}

/* flow add with a match and settings, a pipeline of two: every byte. */
static void test_add_flow_msg(void **state)
{
	static const unsigned char want[] = {
		0x98, 0x00, 0x00, 0x00,		/* nlmsg_len 152 */
		0x1f, 0x00, 0x05, 0x00,		/* family, REQUEST | ACK */
		0x2a, 0x00, 0x00, 0x00,		/* seq 42 */
		0x00, 0x00, 0x00, 0x00,		/* pid */
		0x10, 0x01, 0x00, 0x00,		/* ADD_FLOW, version 1 */
		0x84, 0x00, 0x0f, 0x80,		/* A_FLOW | NESTED, 132 */
		0x08, 0x00, 0x03, 0x00,		/* FLOW_A_NAME */
		'w', 'e', 'b', 0x00,
		0x08, 0x00, 0x04, 0x00,		/* FLOW_A_PRIO 10 */
		0x0a, 0x00, 0x00, 0x00,
		0x2c, 0x00, 0x05, 0x80,		/* FLOW_A_MATCH | NESTED, 44 */
		0x05, 0x00, 0x02, 0x00,		/* MATCH_A_FAMILY AF_INET */
		0x02, 0x00, 0x00, 0x00,
		0x05, 0x00, 0x03, 0x00,		/* MATCH_A_PROTO TCP */
		0x06, 0x00, 0x00, 0x00,
		0x08, 0x00, 0x06, 0x00,		/* MATCH_A_DST 10.0.2.0 */
		0x0a, 0x00, 0x02, 0x00,
		0x05, 0x00, 0x07, 0x00,		/* MATCH_A_DST_LEN 24 */
		0x18, 0x00, 0x00, 0x00,
		0x06, 0x00, 0x09, 0x00,		/* MATCH_A_DPORT 80 */
		0x50, 0x00, 0x00, 0x00,
		0x05, 0x00, 0x06, 0x00,		/* FLOW_A_STREAM tcp */
		0x01, 0x00, 0x00, 0x00,
		0x08, 0x00, 0x0c, 0x00,		/* FLOW_A_IDLE_TIMEOUT 30 */
		0x1e, 0x00, 0x00, 0x00,
		0x34, 0x00, 0x0e, 0x80,		/* FLOW_A_PIPELINE | NESTED, 52 */
		0x1c, 0x00, 0x12, 0x80,		/* A_ATTACH | NESTED, 28 */
		0x06, 0x00, 0x04, 0x00,		/* ATT_A_PM "a" */
		'a', 0x00, 0x00, 0x00,
		0x08, 0x00, 0x05, 0x00,		/* ATT_A_ORDER 10 */
		0x0a, 0x00, 0x00, 0x00,
		0x06, 0x00, 0x06, 0x00,		/* ATT_A_ARGS "x" */
		'x', 0x00, 0x00, 0x00,
		0x14, 0x00, 0x12, 0x80,		/* A_ATTACH | NESTED, 20 */
		0x06, 0x00, 0x04, 0x00,		/* ATT_A_PM "b" */
		'b', 0x00, 0x00, 0x00,
		0x08, 0x00, 0x05, 0x00,		/* ATT_A_ORDER 20 */
		0x14, 0x00, 0x00, 0x00,
	};
	struct fos_attach pipe[2] = {
		{ .seen = FOS_BIT(FLOWSTREAM_ATT_A_PM) |
			  FOS_BIT(FLOWSTREAM_ATT_A_ORDER) |
			  FOS_BIT(FLOWSTREAM_ATT_A_ARGS),
		  .pm = "a", .order = 10, .args = "x" },
		{ .seen = FOS_BIT(FLOWSTREAM_ATT_A_PM) |
			  FOS_BIT(FLOWSTREAM_ATT_A_ORDER),
		  .pm = "b", .order = 20, .args = "ignored" },
	};
	const struct nlattr *flow, *m, *p, *a;
	struct nlmsghdr *nlh;
	struct fos_flow f;
	char buf[1024], err[512];
	int n = 0;

	(void)state;
	assert_int_equal(add_args(&f, err, "web idle-timeout 30 stream tcp proto tcp dst 10.0.2.0/24 dport 80 prio 10"),
			 0);
	f.pipe = pipe;
	f.npipe = 2;
	nlh = request(buf, FLOWSTREAM_CMD_ADD_FLOW);
	fos_flow_put(nlh, &f);

	/* As the kernel will read it. */
	flow = top(nlh);
	assert_int_equal(flow->nla_type, NLA_F_NESTED | FLOWSTREAM_A_FLOW);
	assert_string_equal(mnl_attr_get_str(find(flow, FLOWSTREAM_FLOW_A_NAME)),
			    "web");
	m = find(flow, FLOWSTREAM_FLOW_A_MATCH);
	assert_non_null(m);
	assert_int_equal(m->nla_type, NLA_F_NESTED | FLOWSTREAM_FLOW_A_MATCH);
	assert_null(find(m, FLOWSTREAM_MATCH_A_SRC));
	assert_int_equal(mnl_attr_get_u16(find(m, FLOWSTREAM_MATCH_A_DPORT)), 80);
	p = find(flow, FLOWSTREAM_FLOW_A_PIPELINE);
	assert_int_equal(p->nla_type, NLA_F_NESTED | FLOWSTREAM_FLOW_A_PIPELINE);
	mnl_attr_for_each_nested(a, p) {
		assert_int_equal(a->nla_type, NLA_F_NESTED | FLOWSTREAM_A_ATTACH);
		n++;
	}
	assert_int_equal(n, 2);
	assert_null(find(flow, FLOWSTREAM_FLOW_A_POLICY));

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	assert_int_equal(nlh->nlmsg_len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
#endif
}

/* An IPv6 match, iif resolved, every setting: attribute order and sizes. */
static void test_add_flow_all(void **state)
{
	static const uint16_t order[] = {
		FLOWSTREAM_FLOW_A_NAME, FLOWSTREAM_FLOW_A_PRIO,
		FLOWSTREAM_FLOW_A_MATCH, FLOWSTREAM_FLOW_A_STREAM,
		FLOWSTREAM_FLOW_A_POLICY, FLOWSTREAM_FLOW_A_MAX_SESSIONS,
		FLOWSTREAM_FLOW_A_MAX_HELD, FLOWSTREAM_FLOW_A_MAX_HELD_BYTES,
		FLOWSTREAM_FLOW_A_MAX_SESSION_HELD,
		FLOWSTREAM_FLOW_A_IDLE_TIMEOUT, FLOWSTREAM_FLOW_A_HOLE_TIMEOUT,
	};
	static const struct {
		uint16_t type;
		uint16_t len;
	} match_attrs[] = {
		{ FLOWSTREAM_MATCH_A_IIF, 4 }, { FLOWSTREAM_MATCH_A_FAMILY, 1 },
		{ FLOWSTREAM_MATCH_A_PROTO, 1 }, { FLOWSTREAM_MATCH_A_SRC, 16 },
		{ FLOWSTREAM_MATCH_A_SRC_LEN, 1 }, { FLOWSTREAM_MATCH_A_DST, 16 },
		{ FLOWSTREAM_MATCH_A_DST_LEN, 1 }, { FLOWSTREAM_MATCH_A_SPORT, 2 },
		{ FLOWSTREAM_MATCH_A_DPORT, 2 }, { FLOWSTREAM_MATCH_A_DSCP, 1 },
	};
	const struct nlattr *flow, *a;
	struct nlmsghdr *nlh;
	struct fos_flow f;
	char buf[1024], err[512];
	size_t i = 0;

	(void)state;
	assert_int_equal(add_args(&f, err, "v6 hole-timeout 7 idle-timeout 6 max-session-held 5 max-held-bytes 4096 max-held 3 max-sessions 2 policy drop stream udp prio 1 dscp 46 dport 53 sport 5353 dst 2001:db8::/64 src 2001:db8:1::/48 proto udp iif lo"),
			 0);
	f.match.iif = 1;	/* as fos_match_resolve() would */
	f.match.present |= FOS_BIT(FLOWSTREAM_MATCH_A_IIF);
	nlh = request(buf, FLOWSTREAM_CMD_ADD_FLOW);
	fos_flow_put(nlh, &f);
	flow = top(nlh);
	mnl_attr_for_each_nested(a, flow) {
		assert_true(i < sizeof(order) / sizeof(order[0]));
		assert_int_equal(mnl_attr_get_type(a), order[i]);
		if (order[i] == FLOWSTREAM_FLOW_A_STREAM ||
		    order[i] == FLOWSTREAM_FLOW_A_POLICY)
			assert_int_equal(mnl_attr_get_payload_len(a), 1);
		else if (order[i] != FLOWSTREAM_FLOW_A_NAME &&
			 order[i] != FLOWSTREAM_FLOW_A_MATCH)
			assert_int_equal(mnl_attr_get_payload_len(a), 4);
		i++;
	}
	assert_int_equal(i, sizeof(order) / sizeof(order[0]));
	assert_int_equal(mnl_attr_get_u8(find(flow, FLOWSTREAM_FLOW_A_STREAM)),
			 FLOWSTREAM_STREAM_UDP);
	assert_int_equal(mnl_attr_get_u8(find(flow, FLOWSTREAM_FLOW_A_POLICY)),
			 FLOWSTREAM_FOS_POLICY_DROP);
	i = 0;
	mnl_attr_for_each_nested(a, find(flow, FLOWSTREAM_FLOW_A_MATCH)) {
		assert_true(i < sizeof(match_attrs) / sizeof(match_attrs[0]));
		assert_int_equal(a->nla_type, match_attrs[i].type);
		assert_int_equal(mnl_attr_get_payload_len(a), match_attrs[i].len);
		i++;
	}
	assert_int_equal(i, sizeof(match_attrs) / sizeof(match_attrs[0]));
	assert_null(find(flow, FLOWSTREAM_FLOW_A_PIPELINE));
}

/* del, show, sessions name the flow by NAME; alloc delete by ID. */
static void test_flow_ref(void **state)
{
	static const unsigned char by_name[] = {
		0x0c, 0x00, 0x0f, 0x80, 0x08, 0x00, 0x03, 0x00,
		'w', 'e', 'b', 0x00,
	};
	static const unsigned char by_id[] = {
		0x0c, 0x00, 0x0f, 0x80, 0x08, 0x00, 0x02, 0x00,
		0x07, 0x00, 0x00, 0x00,
	};
	struct nlmsghdr *nlh;
	char buf[1024];

	(void)state;
	nlh = request(buf, FLOWSTREAM_CMD_DEL_FLOW);
	fos_flow_ref_put(nlh, "web", 0);
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN + 12);
	nlh = request(buf, FLOWSTREAM_CMD_DEL_FLOW);
	fos_flow_ref_put(nlh, NULL, 7);
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN + 12);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	nlh = request(buf, FLOWSTREAM_CMD_DEL_FLOW);
	fos_flow_ref_put(nlh, "web", 0);
	assert_memory_equal(top(nlh), by_name, sizeof(by_name));
	nlh = request(buf, FLOWSTREAM_CMD_DEL_FLOW);
	fos_flow_ref_put(nlh, NULL, 7);
	assert_memory_equal(top(nlh), by_id, sizeof(by_id));
#else
	(void)by_name;
	(void)by_id;
#endif
}

/* pm_attach_parse_args() on @words; stderr in @err. */
static int attach_args(struct fos_attach *a, char *err, const char *words)
{
	char buf[512], *argv[16];
	int argc, ret;

	snprintf(buf, sizeof(buf), "%s", words);
	argc = split(buf, argv, 16);
	stderr_begin();
	ret = pm_attach_parse_args(argc, argv, a);
	stderr_end(err, 512);
	return ret;
}

static void test_attach_msg(void **state)
{
	static const unsigned char want[] = {
		0x2c, 0x00, 0x12, 0x80,		/* A_ATTACH | NESTED, 44 */
		0x08, 0x00, 0x02, 0x00,		/* ATT_A_FLOW "web" */
		'w', 'e', 'b', 0x00,
		0x0c, 0x00, 0x04, 0x00,		/* ATT_A_PM "counter" */
		'c', 'o', 'u', 'n', 't', 'e', 'r', 0x00,
		0x08, 0x00, 0x05, 0x00,		/* ATT_A_ORDER 20 */
		0x14, 0x00, 0x00, 0x00,
		0x0a, 0x00, 0x06, 0x00,		/* ATT_A_ARGS "a=b,c" */
		'a', '=', 'b', ',', 'c', 0x00, 0x00, 0x00,
	};
	static const unsigned char detach[] = {
		0x14, 0x00, 0x12, 0x80,		/* A_ATTACH | NESTED, 20 */
		0x08, 0x00, 0x02, 0x00,		/* ATT_A_FLOW "web" */
		'w', 'e', 'b', 0x00,
		0x08, 0x00, 0x03, 0x00,		/* ATT_A_ID 3 */
		0x03, 0x00, 0x00, 0x00,
	};
	struct fos_attach a = { 0 };
	struct nlmsghdr *nlh;
	char buf[1024], err[512];

	(void)state;
	assert_int_equal(attach_args(&a, err, "web counter order 20 args a=b,c"), 0);
	nlh = request(buf, FLOWSTREAM_CMD_ATTACH);
	fos_attach_put(nlh, &a);
	assert_int_equal(nlh->nlmsg_len,
			 NLMSG_HDRLEN + GENL_HDRLEN + sizeof(want));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	assert_memory_equal(top(nlh), want, sizeof(want));
#endif
	/* Without order and args: FLOW and PM only. */
	assert_int_equal(attach_args(&a, err, "web counter"), 0);
	nlh = request(buf, FLOWSTREAM_CMD_ATTACH);
	fos_attach_put(nlh, &a);
	assert_null(find(top(nlh), FLOWSTREAM_ATT_A_ORDER));
	assert_null(find(top(nlh), FLOWSTREAM_ATT_A_ARGS));
	assert_string_equal(mnl_attr_get_str(find(top(nlh), FLOWSTREAM_ATT_A_PM)),
			    "counter");

	/* DETACH: FLOW and ID. */
	memset(&a, 0, sizeof(a));
	strcpy(a.flow, "web");
	a.id = 3;
	a.seen = FOS_BIT(FLOWSTREAM_ATT_A_FLOW) | FOS_BIT(FLOWSTREAM_ATT_A_ID);
	nlh = request(buf, FLOWSTREAM_CMD_DETACH);
	fos_attach_put(nlh, &a);
	assert_int_equal(nlh->nlmsg_len,
			 NLMSG_HDRLEN + GENL_HDRLEN + sizeof(detach));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	assert_memory_equal(top(nlh), detach, sizeof(detach));
#endif
}

static void test_attach_args_errors(void **state)
{
	static const struct {
		const char *words;
		const char *err;
	} cases[] = {
		{ "web", "\"attach\" needs a flow and a PM" },
		{ "we/b counter", "invalid flow name \"we/b\": 1 to 31 characters of A-Z a-z 0-9 _ . : -" },
		{ "web count=er", "invalid PM name \"count=er\": 1 to 31 characters of A-Z a-z 0-9 _ . : -" },
		{ "web counter prio 1", "unknown argument \"prio\"" },
		{ "web counter order", "missing value for \"order\"" },
		{ "web counter order 1 order 2", "duplicate \"order\"" },
		{ "web counter order 65536", "invalid value \"65536\" for \"order\": out of range (maximum 65535)" },
		{ "web counter args a args b", "duplicate \"args\"" },
	};
	struct fos_attach a;
	char err[512], want[512], words[400];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(attach_args(&a, err, cases[i].words),
				 EXIT_USAGE);
		snprintf(want, sizeof(want),
			 "Error: %s\nTry \"flowctl pm help\".\n", cases[i].err);
		assert_string_equal(err, want);
	}
	/* 255 characters of arguments pass, 256 do not. */
	memset(words, 'x', sizeof(words));
	memcpy(words, "web c args ", 11);
	words[11 + 255] = '\0';
	assert_int_equal(attach_args(&a, err, words), 0);
	assert_int_equal(strlen(a.args), 255);
	words[11 + 255] = 'x';
	words[11 + 256] = '\0';
	assert_int_equal(attach_args(&a, err, words), EXIT_USAGE);
	assert_string_equal(err, "Error: \"args\" longer than 255 characters\nTry \"flowctl pm help\".\n");
}

/* A GET_FLOW reply, with padding and what a newer module might add. */
static struct nlmsghdr *flow_reply(void *buf, bool v6)
{
	struct nlattr *flow, *m, *st;
	struct nlmsghdr *nlh;
	uint8_t a[16];

	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_FLOW, 1, 0);
	flow = mnl_attr_nest_start(nlh, FLOWSTREAM_A_FLOW);
	mnl_attr_put_u32(nlh, FLOWSTREAM_FLOW_A_ID, 3);
	mnl_attr_put_strz(nlh, FLOWSTREAM_FLOW_A_NAME, "web");
	mnl_attr_put_u32(nlh, FLOWSTREAM_FLOW_A_PRIO, 10);
	m = mnl_attr_nest_start(nlh, FLOWSTREAM_FLOW_A_MATCH);
	if (v6) {
		mnl_attr_put_u8(nlh, FLOWSTREAM_MATCH_A_FAMILY, AF_INET6);
		inet_pton(AF_INET6, "2001:db8::", a);
		mnl_attr_put(nlh, FLOWSTREAM_MATCH_A_SRC, 16, a);
		mnl_attr_put_u8(nlh, FLOWSTREAM_MATCH_A_SRC_LEN, 32);
	} else {
		mnl_attr_put_u32(nlh, FLOWSTREAM_MATCH_A_IIF, 2);
		mnl_attr_put_u8(nlh, FLOWSTREAM_MATCH_A_FAMILY, AF_INET);
		mnl_attr_put_u8(nlh, FLOWSTREAM_MATCH_A_PROTO, IPPROTO_TCP);
		inet_pton(AF_INET, "10.0.2.0", a);
		mnl_attr_put(nlh, FLOWSTREAM_MATCH_A_DST, 4, a);
		mnl_attr_put_u8(nlh, FLOWSTREAM_MATCH_A_DST_LEN, 24);
		mnl_attr_put_u16(nlh, FLOWSTREAM_MATCH_A_DPORT, 80);
		mnl_attr_put_u8(nlh, FLOWSTREAM_MATCH_A_DSCP, 10);
		mnl_attr_put_u32(nlh, 60, 1);		/* newer: skipped */
	}
	mnl_attr_nest_end(nlh, m);
	mnl_attr_put_u8(nlh, FLOWSTREAM_FLOW_A_STREAM, FLOWSTREAM_STREAM_TCP);
	mnl_attr_put_u8(nlh, FLOWSTREAM_FLOW_A_POLICY, v6 ? 7 : 0);
	mnl_attr_put_u32(nlh, FLOWSTREAM_FLOW_A_MAX_SESSIONS, 65536);
	mnl_attr_put_u32(nlh, FLOWSTREAM_FLOW_A_MAX_HELD, 8192);
	mnl_attr_put_u32(nlh, FLOWSTREAM_FLOW_A_MAX_HELD_BYTES, 16777216);
	mnl_attr_put_u32(nlh, FLOWSTREAM_FLOW_A_MAX_SESSION_HELD, 1024);
	mnl_attr_put_u32(nlh, FLOWSTREAM_FLOW_A_IDLE_TIMEOUT, 60);
	mnl_attr_put_u32(nlh, FLOWSTREAM_FLOW_A_HOLE_TIMEOUT, 200);
	mnl_attr_put(nlh, FLOWSTREAM_FLOW_A_PAD, 0, NULL);
	st = mnl_attr_nest_start(nlh, FLOWSTREAM_FLOW_A_STATS);
	mnl_attr_put(nlh, FLOWSTREAM_FOS_STAT_UNSPEC, 0, NULL);	/* pad */
	mnl_attr_put_u64(nlh, FLOWSTREAM_FOS_STAT_PACKETS_IN, 10);
	mnl_attr_put_u64(nlh, FLOWSTREAM_FOS_STAT_BYTES_IN, 1000);
	mnl_attr_put_u64(nlh, FLOWSTREAM_FOS_STAT_PACKETS_OUT, 9);
	mnl_attr_put_u64(nlh, FLOWSTREAM_FOS_STAT_BYTES_OUT, 900);
	mnl_attr_put_u64(nlh, FLOWSTREAM_FOS_STAT_BYPASS_SESSIONS, 0);
	mnl_attr_put_u64(nlh, FLOWSTREAM_FOS_STAT_DROP_PM, 1);
	mnl_attr_put_u64(nlh, FLOWSTREAM_FOS_STAT_DROP_OUTPUT, 0);
	mnl_attr_put_u64(nlh, FLOWSTREAM_FOS_STAT_HELD, 0);
	mnl_attr_put_u64(nlh, FLOWSTREAM_FOS_STAT_SESSIONS, 2);
	mnl_attr_put_u64(nlh, FLOWSTREAM_FOS_STAT_TCP_GAPS, 0);
	mnl_attr_put_u64(nlh, FLOWSTREAM_FOS_STAT_TCP_OOO, 4);
	mnl_attr_put_u64(nlh, 40, 5);				/* newer */
	mnl_attr_put_u32(nlh, 41, 5);			/* not u64: skipped */
	mnl_attr_nest_end(nlh, st);
	mnl_attr_put_strz(nlh, 30, "from the future");
	mnl_attr_nest_end(nlh, flow);
	return nlh;
}

static const char *fake_ifname(unsigned int ifindex, char *buf)
{
	return ifindex == 2 ? strcpy(buf, "v-a") : NULL;
}

static void test_flow_print(void **state)
{
	struct fos_flow f;
	struct capture c;
	char buf[2048];

	(void)state;
	assert_int_equal(fos_flow_msg_parse(flow_reply(buf, false), &f), 1);
	assert_int_equal(f.id, 3);
	assert_int_equal(f.nstats, 12);
	cap_start(&c, 0);
	fos_flow_print(c.o, &f, fake_ifname);
	assert_string_equal(cap_end(&c),
		"flow web id 3 prio 10\n"
		"  match iif v-a proto tcp dst 10.0.2.0/24 dport 80 dscp 10\n"
		"  stream tcp policy drop idle-timeout 60 hole-timeout 200\n"
		"  max-sessions 65536 max-held 8192 max-held-bytes 16777216 max-session-held 1024\n"
		"  packets_in 10 bytes_in 1000 packets_out 9 bytes_out 900\n"
		"  bypass_sessions 0\n"
		"  drop_pm 1 drop_output 0\n"
		"  held 0 sessions 2\n"
		"  tcp_gaps 0 tcp_ooo 4\n"
		"  stat_40 5\n");
	free(c.buf);

	cap_start(&c, OUT_JSON);
	fos_flow_print(c.o, &f, fake_ifname);
	assert_string_equal(cap_end(&c),
		"{\"id\":3,\"name\":\"web\",\"prio\":10,"
		"\"match\":{\"iif\":2,\"family\":\"inet\",\"proto\":6,"
		"\"proto_name\":\"tcp\",\"dst\":\"10.0.2.0/24\",\"dport\":80,"
		"\"dscp\":10},"
		"\"stream\":\"tcp\",\"policy\":\"drop\",\"idle_timeout\":60,"
		"\"hole_timeout\":200,\"max_sessions\":65536,\"max_held\":8192,"
		"\"max_held_bytes\":16777216,\"max_session_held\":1024,"
		"\"stats\":{\"packets_in\":10,\"bytes_in\":1000,"
		"\"packets_out\":9,\"bytes_out\":900,\"bypass_sessions\":0,"
		"\"drop_pm\":1,\"drop_output\":0,\"held\":0,\"sessions\":2,"
		"\"tcp_gaps\":0,\"tcp_ooo\":4,\"stat_40\":5}}\n");
	free(c.buf);

	/* IPv6, an unknown policy value, an unnamed interface. */
	assert_int_equal(fos_flow_msg_parse(flow_reply(buf, true), &f), 1);
	cap_start(&c, 0);
	fos_flow_print(c.o, &f, fake_ifname);
	assert_string_equal(cap_end(&c),
		"flow web id 3 prio 10\n"
		"  match src 2001:db8::/32\n"
		"  stream tcp policy policy_7 idle-timeout 60 hole-timeout 200\n"
		"  max-sessions 65536 max-held 8192 max-held-bytes 16777216 max-session-held 1024\n"
		"  packets_in 10 bytes_in 1000 packets_out 9 bytes_out 900\n"
		"  bypass_sessions 0\n"
		"  drop_pm 1 drop_output 0\n"
		"  held 0 sessions 2\n"
		"  tcp_gaps 0 tcp_ooo 4\n"
		"  stat_40 5\n");
	free(c.buf);
}

/* An ADD_FLOW reply: ID and NAME only; an empty match prints "any". */
static void test_flow_print_minimal(void **state)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct fos_flow f;
	struct capture c;
	char buf[512];

	(void)state;
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_ADD_FLOW, 1, 0);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_FLOW);
	mnl_attr_put_u32(nlh, FLOWSTREAM_FLOW_A_ID, 12);
	mnl_attr_put_strz(nlh, FLOWSTREAM_FLOW_A_NAME, "all");
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(fos_flow_msg_parse(nlh, &f), 1);
	assert_int_equal(f.id, 12);
	assert_string_equal(f.name, "all");
	cap_start(&c, 0);
	fos_flow_print(c.o, &f, fake_ifname);
	assert_string_equal(cap_end(&c), "flow all id 12\n  match any\n");
	free(c.buf);
	cap_start(&c, OUT_JSON);
	fos_flow_print(c.o, &f, fake_ifname);
	assert_string_equal(cap_end(&c),
			    "{\"id\":12,\"name\":\"all\",\"match\":{}}\n");
	free(c.buf);

	/* A message without a flow. */
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_ADD_FLOW, 1, 0);
	assert_int_equal(fos_flow_msg_parse(nlh, &f), 0);
}

static void test_flow_malformed(void **state)
{
	struct nlattr *nest, *m;
	struct nlmsghdr *nlh;
	struct fos_flow f;
	char buf[512];
	uint8_t a[16] = { 10 };

	(void)state;
	/* ID not a u32. */
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_FLOW, 1, 0);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_FLOW);
	mnl_attr_put_u16(nlh, FLOWSTREAM_FLOW_A_ID, 1);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(fos_flow_msg_parse(nlh, &f), -1);
	assert_int_equal(errno, EBADMSG);

	/* A 16-byte address with family AF_INET. */
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_FLOW, 1, 0);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_FLOW);
	m = mnl_attr_nest_start(nlh, FLOWSTREAM_FLOW_A_MATCH);
	mnl_attr_put_u8(nlh, FLOWSTREAM_MATCH_A_FAMILY, AF_INET);
	mnl_attr_put(nlh, FLOWSTREAM_MATCH_A_SRC, 16, a);
	mnl_attr_nest_end(nlh, m);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(fos_flow_msg_parse(nlh, &f), -1);

	/* An address without a family. */
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_FLOW, 1, 0);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_FLOW);
	m = mnl_attr_nest_start(nlh, FLOWSTREAM_FLOW_A_MATCH);
	mnl_attr_put(nlh, FLOWSTREAM_MATCH_A_DST, 4, a);
	mnl_attr_nest_end(nlh, m);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(fos_flow_msg_parse(nlh, &f), -1);

	/* A known counter that is not a u64. */
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_FLOW, 1, 0);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_FLOW);
	m = mnl_attr_nest_start(nlh, FLOWSTREAM_FLOW_A_STATS);
	mnl_attr_put_u32(nlh, FLOWSTREAM_FOS_STAT_HELD, 1);
	mnl_attr_nest_end(nlh, m);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(fos_flow_msg_parse(nlh, &f), -1);

	/* A match without a family but no address: fine, printed "any". */
	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_FLOW, 1, 0);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_FLOW);
	m = mnl_attr_nest_start(nlh, FLOWSTREAM_FLOW_A_MATCH);
	mnl_attr_nest_end(nlh, m);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(fos_flow_msg_parse(nlh, &f), 1);
}

static struct nlmsghdr *attach_reply(void *buf)
{
	struct nlattr *nest, *st;
	struct nlmsghdr *nlh;

	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_ATTACH, 1, 0);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_ATTACH);
	mnl_attr_put_strz(nlh, FLOWSTREAM_ATT_A_FLOW, "web");
	mnl_attr_put_u32(nlh, FLOWSTREAM_ATT_A_ID, 2);
	mnl_attr_put_strz(nlh, FLOWSTREAM_ATT_A_PM, "counter");
	mnl_attr_put_u32(nlh, FLOWSTREAM_ATT_A_ORDER, 20);
	mnl_attr_put_strz(nlh, FLOWSTREAM_ATT_A_ARGS, "bytes on");
	mnl_attr_put_u8(nlh, FLOWSTREAM_ATT_A_MODE, FLOWSTREAM_PM_MODE_RO);
	mnl_attr_put(nlh, FLOWSTREAM_ATT_A_PAD, 0, NULL);
	st = mnl_attr_nest_start(nlh, FLOWSTREAM_ATT_A_STATS);
	mnl_attr_put_u64(nlh, FLOWSTREAM_ATT_STAT_UNITS, 5);
	mnl_attr_put_u64(nlh, FLOWSTREAM_ATT_STAT_BYTES, 500);
	mnl_attr_put_u64(nlh, FLOWSTREAM_ATT_STAT_DROPPED, 0);
	mnl_attr_put_u64(nlh, FLOWSTREAM_ATT_STAT_WINDOWS, 3);
	mnl_attr_put_u64(nlh, FLOWSTREAM_ATT_STAT_QUEUED, 1);
	mnl_attr_put_u64(nlh, FLOWSTREAM_ATT_STAT_SESSIONS, 2);
	mnl_attr_put_u64(nlh, FLOWSTREAM_ATT_STAT_CPU_NS, 12345);
	mnl_attr_nest_end(nlh, st);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void test_attach_print(void **state)
{
	struct fos_att_names names = { 0 };
	struct fos_attach a;
	struct capture c;
	char buf[1024];

	(void)state;
	assert_int_equal(fos_attach_msg_parse(attach_reply(buf), &a), 1);
	cap_start(&c, 0);
	fos_attach_print(c.o, &a);
	assert_string_equal(cap_end(&c),
		"flow web id 2 pm counter order 20 mode ro args \"bytes on\"\n"
		"  units 5 bytes 500 dropped 0 windows 3 queued 1 sessions 2 cpu_ns 12345\n");
	free(c.buf);
	cap_start(&c, OUT_JSON);
	fos_attach_print(c.o, &a);
	assert_string_equal(cap_end(&c),
		"{\"flow\":\"web\",\"id\":2,\"pm\":\"counter\",\"order\":20,"
		"\"mode\":\"ro\",\"args\":\"bytes on\",\"stats\":{\"units\":5,"
		"\"bytes\":500,\"dropped\":0,\"windows\":3,\"queued\":1,"
		"\"sessions\":2,\"cpu_ns\":12345}}\n");
	free(c.buf);

	/* The id -> PM name table of "flow sessions". */
	assert_int_equal(fos_att_names_msg(attach_reply(buf), &names),
			 MNL_CB_OK);
	assert_int_equal(names.n, 1);
	assert_string_equal(fos_att_names_find(&names, 2), "counter");
	assert_null(fos_att_names_find(&names, 3));
	fos_att_names_free(&names);
}

static struct nlmsghdr *pm_reply(void *buf, bool full, uint32_t streams)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = genl_msg(buf, FAMILY, FLOWSTREAM_CMD_GET_PM, 1, 0);
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_PM);
	mnl_attr_put_strz(nlh, FLOWSTREAM_PM_A_NAME, "counter");
	if (full) {
		mnl_attr_put_strz(nlh, FLOWSTREAM_PM_A_DESC,
				  "Counts each session's units and bytes.");
		mnl_attr_put_strz(nlh, FLOWSTREAM_PM_A_PARAMS,
				  "bytes: on or off\nlimit: at most N units\n");
		mnl_attr_put(nlh, FLOWSTREAM_PM_A_MIGRATABLE, 0, NULL);
	}
	mnl_attr_put_u8(nlh, FLOWSTREAM_PM_A_STREAM, FLOWSTREAM_STREAM_UDP);
	mnl_attr_put_u8(nlh, FLOWSTREAM_PM_A_MODE, FLOWSTREAM_PM_MODE_RW);
	mnl_attr_put_u32(nlh, FLOWSTREAM_PM_A_STATE_SIZE, 16);
	mnl_attr_put_u32(nlh, FLOWSTREAM_PM_A_ATTACHED, 1);
	if (streams)
		mnl_attr_put_u32(nlh, FLOWSTREAM_PM_A_STREAMS, streams);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void test_pm_print(void **state)
{
	struct fos_pm pm;
	struct capture c;
	char buf[1024];

	(void)state;
	assert_int_equal(fos_pm_msg_parse(pm_reply(buf, true, 0), &pm), 1);
	cap_start(&c, 0);
	fos_pm_print_line(c.o, &pm);
	assert_string_equal(cap_end(&c),
		"counter stream udp mode rw attached 1 migratable  Counts each session's units and bytes.\n");
	free(c.buf);
	cap_start(&c, 0);
	fos_pm_print_info(c.o, &pm);
	assert_string_equal(cap_end(&c),
		"name counter\n"
		"desc Counts each session's units and bytes.\n"
		"stream udp\n"
		"mode rw\n"
		"state-size 16\n"
		"attached 1\n"
		"migratable yes\n"
		"params\n"
		"  bytes: on or off\n"
		"  limit: at most N units\n");
	free(c.buf);
	cap_start(&c, OUT_JSON);
	fos_pm_print_info(c.o, &pm);
	assert_string_equal(cap_end(&c),
		"{\"name\":\"counter\","
		"\"desc\":\"Counts each session's units and bytes.\","
		"\"params\":\"bytes: on or off\\nlimit: at most N units\\n\","
		"\"stream\":\"udp\",\"streams\":[\"udp\"],\"mode\":\"rw\","
		"\"state_size\":16,\"attached\":1,\"migratable\":true}\n");
	free(c.buf);
	fos_pm_free(&pm);

	/* No description nor parameters. */
	assert_int_equal(fos_pm_msg_parse(pm_reply(buf, false, 0), &pm), 1);
	cap_start(&c, 0);
	fos_pm_print_line(c.o, &pm);
	assert_string_equal(cap_end(&c),
			    "counter stream udp mode rw attached 1\n");
	free(c.buf);
	cap_start(&c, 0);
	fos_pm_print_info(c.o, &pm);
	assert_string_equal(cap_end(&c),
		"name counter\ndesc \nstream udp\nmode rw\nstate-size 16\n"
		"attached 1\nmigratable no\nparams none\n");
	free(c.buf);
	fos_pm_free(&pm);

	/* A PM for several streams; one flowctl does not know by name. */
	assert_int_equal(fos_pm_msg_parse(pm_reply(buf, false, 0x7), &pm), 1);
	cap_start(&c, 0);
	fos_pm_print_line(c.o, &pm);
	assert_string_equal(cap_end(&c),
			    "counter stream ip,tcp,udp mode rw attached 1\n");
	free(c.buf);
	cap_start(&c, 0);
	fos_pm_print_info(c.o, &pm);
	assert_string_equal(cap_end(&c),
		"name counter\ndesc \nstream ip,tcp,udp\nmode rw\n"
		"state-size 16\nattached 1\nmigratable no\nparams none\n");
	free(c.buf);
	cap_start(&c, OUT_JSON);
	fos_pm_print_line(c.o, &pm);
	assert_string_equal(cap_end(&c),
		"{\"name\":\"counter\",\"stream\":\"udp\","
		"\"streams\":[\"ip\",\"tcp\",\"udp\"],\"mode\":\"rw\","
		"\"state_size\":16,\"attached\":1,\"migratable\":false}\n");
	free(c.buf);
	fos_pm_free(&pm);
	assert_int_equal(fos_pm_msg_parse(pm_reply(buf, false, 0x14), &pm), 1);
	cap_start(&c, 0);
	fos_pm_print_line(c.o, &pm);
	assert_string_equal(cap_end(&c),
			    "counter stream udp,stream_4 mode rw attached 1\n");
	free(c.buf);
	fos_pm_free(&pm);
}

/* Names of the FlowOS enums and counters, generated for unknown ones. */
static void test_fos_names(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(fs_fos_stat_name(FLOWSTREAM_FOS_STAT_DROP_TEARDOWN,
					     buf, sizeof(buf)), "drop_teardown");
	assert_string_equal(fs_fos_stat_name(FLOWSTREAM_FOS_STAT_SPLIT, buf,
					     sizeof(buf)), "split");
	assert_string_equal(fs_fos_stat_name(FLOWSTREAM_FOS_STAT_MAX + 1, buf,
					     sizeof(buf)), "stat_25");
	assert_string_equal(fs_fos_stat_name(FLOWSTREAM_FOS_STAT_MIG_CHAINED, buf,
					     sizeof(buf)), "mig_chained");
	assert_string_equal(fs_att_stat_name(FLOWSTREAM_ATT_STAT_CPU_NS, buf,
					     sizeof(buf)), "cpu_ns");
	assert_string_equal(fs_enum_name(fs_stream_names,
					 __FLOWSTREAM_STREAM_MAX, "stream", 1,
					 buf, sizeof(buf)), "tcp");
	assert_string_equal(fs_enum_name(fs_pm_mode_names,
					 __FLOWSTREAM_PM_MODE_MAX, "mode", 9,
					 buf, sizeof(buf)), "mode_9");
	assert_int_equal(fs_enum_parse(fs_fos_policy_names,
				       __FLOWSTREAM_FOS_POLICY_MAX, "bypass"),
			 FLOWSTREAM_FOS_POLICY_BYPASS);
	assert_int_equal(fs_enum_parse(fs_fos_policy_names,
				       __FLOWSTREAM_FOS_POLICY_MAX, "Drop"), -1);
	assert_true(fos_name_ok("a"));
	assert_true(fos_name_ok("abcdefghijklmnopqrstuvwxyz01234"));
	assert_false(fos_name_ok(""));
	assert_false(fos_name_ok("abcdefghijklmnopqrstuvwxyz012345"));
	assert_false(fos_name_ok("a b"));
	assert_false(fos_name_ok("a/b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_words),
		cmocka_unit_test(test_match_errors),
		cmocka_unit_test(test_add_args),
		cmocka_unit_test(test_add_args_errors),
		cmocka_unit_test(test_add_flow_msg),
		cmocka_unit_test(test_add_flow_all),
		cmocka_unit_test(test_flow_ref),
		cmocka_unit_test(test_attach_msg),
		cmocka_unit_test(test_attach_args_errors),
		cmocka_unit_test(test_flow_print),
		cmocka_unit_test(test_flow_print_minimal),
		cmocka_unit_test(test_flow_malformed),
		cmocka_unit_test(test_attach_print),
		cmocka_unit_test(test_pm_print),
		cmocka_unit_test(test_fos_names),
	};

	return cmocka_run_group_tests_name("fos", tests, NULL, NULL);
}

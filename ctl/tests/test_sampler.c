// SPDX-License-Identifier: GPL-2.0
/*
 * Prefix sampling: sub-prefix addresses, the sampler reply, the GET_PREFIX
 * dump merged over messages, text and JSON output, argument parsing and
 * the requests as bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include "test.h"

#define FAMILY	0x1f
#define SEQ	4
#define PORTID	77
#define T0	1700000000000ULL	/* 2023-11-14 22:13:20 UTC */

/* --- sub-prefix addresses ---------------------------------------------- */

/* Sub-prefix @index of @pfx/@len by @depth as "ADDR/LEN", or "error". */
static const char *sub(const char *pfx, unsigned int len, unsigned int depth,
		       uint32_t index)
{
	static char out[64];
	uint8_t a[16], s[16], family;

	assert_int_equal(parse_addr(pfx, &family, a), 0);
	if (pfx_sub_addr(family, a, len, depth, index, s))
		return "error";
	return fmt_prefix(family, s, len + depth, out, sizeof(out));
}

static void test_sub_addr_inet(void **state)
{
	(void)state;
	assert_string_equal(sub("10.0.0.0", 8, 4, 0), "10.0.0.0/12");
	assert_string_equal(sub("10.0.0.0", 8, 4, 1), "10.16.0.0/12");
	assert_string_equal(sub("10.0.0.0", 8, 4, 15), "10.240.0.0/12");
	assert_string_equal(sub("10.0.0.0", 8, 4, 16), "error");
	/* Bits inside one byte, not at its start: 10.0.0.0/13 depth 3. */
	assert_string_equal(sub("10.0.0.0", 13, 3, 0), "10.0.0.0/16");
	assert_string_equal(sub("10.0.0.0", 13, 3, 5), "10.5.0.0/16");
	assert_string_equal(sub("10.8.0.0", 13, 3, 7), "10.15.0.0/16");
	/* Across a byte boundary: bits 14..17. */
	assert_string_equal(sub("10.0.0.0", 14, 4, 15), "10.3.192.0/18");
	assert_string_equal(sub("10.0.0.0", 14, 4, 6), "10.1.128.0/18");
	assert_string_equal(sub("10.0.0.0", 14, 4, 9), "10.2.64.0/18");
	/* Depth 0: the prefix itself, index 0 only. */
	assert_string_equal(sub("192.0.2.0", 24, 0, 0), "192.0.2.0/24");
	assert_string_equal(sub("192.0.2.0", 24, 0, 1), "error");
	/* Depth 16. */
	assert_string_equal(sub("10.0.0.0", 8, 16, 0), "10.0.0.0/24");
	assert_string_equal(sub("10.0.0.0", 8, 16, 0xabcd), "10.171.205.0/24");
	assert_string_equal(sub("10.0.0.0", 8, 16, 0xffff), "10.255.255.0/24");
	assert_string_equal(sub("10.0.0.0", 8, 16, 0x10000), "error");
	assert_string_equal(sub("10.0.0.0", 16, 16, 0x0102), "10.0.1.2/32");
	/* LEN 0. */
	assert_string_equal(sub("0.0.0.0", 0, 2, 3), "192.0.0.0/2");
	assert_string_equal(sub("0.0.0.0", 0, 0, 0), "0.0.0.0/0");
	assert_string_equal(sub("0.0.0.0", 0, 16, 0x8001), "128.1.0.0/16");
	/* LEN 32. */
	assert_string_equal(sub("192.0.2.1", 32, 0, 0), "192.0.2.1/32");
	assert_string_equal(sub("192.0.2.1", 32, 1, 0), "error");
	assert_string_equal(sub("10.0.0.0", 24, 16, 0), "error");
	assert_string_equal(sub("10.0.0.0", 33, 0, 0), "error");
	/* Bits already set where the index goes are overwritten. */
	assert_string_equal(sub("10.255.0.0", 8, 8, 0x0f), "10.15.0.0/16");
	/* Bits past LEN + DEPTH are cleared. */
	assert_string_equal(sub("10.1.2.3", 8, 4, 2), "10.32.0.0/12");
}

static void test_sub_addr_inet6(void **state)
{
	uint8_t a[16] = { 0 }, s[16];

	(void)state;
	assert_string_equal(sub("2001:db8::", 32, 16, 0x1234),
			    "2001:db8:1234::/48");
	assert_string_equal(sub("2001:db8::", 32, 4, 15), "2001:db8:f000::/36");
	assert_string_equal(sub("fd00::", 8, 0, 0), "fd00::/8");
	/* LEN 0, depth 16: the whole first group. */
	assert_string_equal(sub("::", 0, 16, 0xfd00), "fd00::/16");
	assert_string_equal(sub("::", 0, 1, 1), "8000::/1");
	/* LEN 128 and the last bits of the address. */
	assert_string_equal(sub("2001:db8::1", 128, 0, 0), "2001:db8::1/128");
	assert_string_equal(sub("2001:db8::1", 128, 1, 0), "error");
	assert_string_equal(sub("::", 120, 8, 0xff), "::ff/128");
	assert_string_equal(sub("::", 112, 16, 0xbeef), "::beef/128");
	assert_string_equal(sub("::", 121, 8, 0), "error");
	/* Byte boundary inside a group: bits 60..67. */
	assert_string_equal(sub("2001:db8::", 60, 8, 0xa5),
			    "2001:db8:0:a:5000::/68");
	assert_string_equal(sub("2001:db8::", 61, 3, 5),
			    "2001:db8:0:5::/64");
	/* Not a family. */
	assert_int_equal(pfx_sub_addr(AF_UNIX, a, 0, 0, 0, s), -1);
}

/* --- arguments ------------------------------------------------------------ */

static void test_prefix_args(void **state)
{
	char *add16[] = { "add", "10.1.0.0/16" };
	char *hostbits[] = { "add", "10.1.2.3/8", "depth", "4" };
	char *v6[] = { "add", "fd00::/16", "depth", "16" };
	char *del[] = { "del", "10.1.0.0/16" };
	char *host[] = { "add", "192.0.2.1" };
	struct prefix_args a;
	uint8_t want[16];

	(void)state;
	assert_int_equal(prefix_parse_args(2, add16, &a), 0);
	assert_false(a.del);
	assert_false(a.has_depth);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.len, 16);
	assert_int_equal(inet_pton(AF_INET, "10.1.0.0", want), 1);
	assert_memory_equal(a.addr, want, 4);

	/* Host bits are sent as given: the module refuses them. */
	assert_int_equal(prefix_parse_args(4, hostbits, &a), 0);
	assert_int_equal(inet_pton(AF_INET, "10.1.2.3", want), 1);
	assert_memory_equal(a.addr, want, 4);
	assert_int_equal(a.len, 8);
	assert_true(a.has_depth);
	assert_int_equal(a.depth, 4);

	assert_int_equal(prefix_parse_args(4, v6, &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.len, 16);
	assert_int_equal(a.depth, 16);
	assert_int_equal(inet_pton(AF_INET6, "fd00::", want), 1);
	assert_memory_equal(a.addr, want, 16);

	assert_int_equal(prefix_parse_args(2, del, &a), 0);
	assert_true(a.del);
	assert_int_equal(a.len, 16);

	assert_int_equal(prefix_parse_args(2, host, &a), 0);
	assert_int_equal(a.len, 32);
}

/* prefix_parse_args() fails with EXIT_USAGE and a message holding @msg. */
static void prefix_bad(int argc, char **argv, const char *msg)
{
	struct prefix_args a;
	char err[512];

	stderr_begin();
	assert_int_equal(prefix_parse_args(argc, argv, &a), EXIT_USAGE);
	stderr_end(err, sizeof(err));
	if (!strstr(err, msg))
		fail_msg("\"%s\" not in \"%s\"", msg, err);
	assert_non_null(strstr(err, "Try \"flowctl prefix help\"."));
}

static void test_prefix_args_errors(void **state)
{
	char *v1[] = { "add" };
	char *v2[] = { "add", "10.0.0.0/33" };
	char *v3[] = { "add", "10.0.0.0/" };
	char *v4[] = { "add", "10.0.0/8" };
	char *v5[] = { "add", "fd00::/129" };
	char *v6[] = { "add", "10.0.0.0/8", "depth" };
	char *v7[] = { "add", "10.0.0.0/8", "depth", "256" };
	char *v8[] = { "add", "10.0.0.0/8", "depth", "-1" };
	char *v9[] = { "add", "10.0.0.0/8", "depth", "1", "depth", "2" };
	char *v10[] = { "del", "10.0.0.0/8", "depth", "1" };
	char *v11[] = { "add", "10.0.0.0/8", "deep", "1" };
	char *v12[] = { "move", "10.0.0.0/8" };
	char *v13[] = { "add", "10.0.0.0/8x" };

	(void)state;
	prefix_bad(1, v1, "missing PREFIX");
	prefix_bad(2, v2, "invalid prefix length in \"10.0.0.0/33\": not a number 0..32");
	prefix_bad(2, v3, "invalid prefix length");
	prefix_bad(2, v4, "invalid prefix \"10.0.0/8\": not an IPv4 or IPv6 ADDR/LEN");
	prefix_bad(2, v5, "not a number 0..128");
	prefix_bad(3, v6, "missing value for \"depth\"");
	prefix_bad(4, v7, "invalid value \"256\" for \"depth\": out of range (maximum 255)");
	prefix_bad(4, v8, "must not be negative");
	prefix_bad(6, v9, "duplicate \"depth\"");
	prefix_bad(4, v10, "unexpected argument \"depth\"");
	prefix_bad(4, v11, "unexpected argument \"deep\"");
	prefix_bad(2, v12, "unknown command \"move\"");
	prefix_bad(2, v13, "invalid prefix length");
}

static void test_sampler_args(void **state)
{
	char *all[] = { "enable", "on", "rate", "1000", "mode",
			"deterministic", "key", "src", "max-prefixes", "0x10",
			"max-counters", "4096" };
	char *off[] = { "enable", "off", "mode", "random", "key", "dst" };
	struct fs_sampler smp;

	(void)state;
	assert_int_equal(sampler_parse_args(12, all, &smp), 0);
	assert_int_equal(smp.present,
			 1ULL << FLOWSTREAM_SMP_A_ENABLE |
			 1ULL << FLOWSTREAM_SMP_A_RATE |
			 1ULL << FLOWSTREAM_SMP_A_MODE |
			 1ULL << FLOWSTREAM_SMP_A_KEY |
			 1ULL << FLOWSTREAM_SMP_A_MAX_PREFIXES |
			 1ULL << FLOWSTREAM_SMP_A_MAX_COUNTERS);
	assert_int_equal(smp.val[FLOWSTREAM_SMP_A_ENABLE], 1);
	assert_int_equal(smp.val[FLOWSTREAM_SMP_A_RATE], 1000);
	assert_int_equal(smp.val[FLOWSTREAM_SMP_A_MODE],
			 FLOWSTREAM_SMP_MODE_DETERMINISTIC);
	assert_int_equal(smp.val[FLOWSTREAM_SMP_A_KEY], FLOWSTREAM_SMP_KEY_SRC);
	assert_int_equal(smp.val[FLOWSTREAM_SMP_A_MAX_PREFIXES], 16);
	assert_int_equal(smp.val[FLOWSTREAM_SMP_A_MAX_COUNTERS], 4096);

	assert_int_equal(sampler_parse_args(6, off, &smp), 0);
	assert_int_equal(smp.val[FLOWSTREAM_SMP_A_ENABLE], 0);
	assert_int_equal(smp.val[FLOWSTREAM_SMP_A_MODE],
			 FLOWSTREAM_SMP_MODE_RANDOM);
	assert_int_equal(smp.val[FLOWSTREAM_SMP_A_KEY], FLOWSTREAM_SMP_KEY_DST);
}

static void sampler_bad(int argc, char **argv, const char *msg)
{
	struct fs_sampler smp;
	char err[512];

	stderr_begin();
	assert_int_equal(sampler_parse_args(argc, argv, &smp), EXIT_USAGE);
	stderr_end(err, sizeof(err));
	if (!strstr(err, msg))
		fail_msg("\"%s\" not in \"%s\"", msg, err);
	assert_non_null(strstr(err, "Try \"flowctl sampler help\"."));
}

static void test_sampler_args_errors(void **state)
{
	char *v1[] = { "rate" };
	char *v2[] = { "speed", "1" };
	char *v3[] = { "prefixes", "1" };
	char *v4[] = { "memory", "1" };
	char *v5[] = { "rate", "1", "rate", "2" };
	char *v6[] = { "rate", "fast" };
	char *v7[] = { "rate", "4294967296" };
	char *v8[] = { "enable", "yes" };
	char *v9[] = { "mode", "sometimes" };
	char *v10[] = { "key", "both" };
	char *v11[] = { "max-counters", "-5" };

	(void)state;
	sampler_bad(0, NULL, "nothing to set");
	sampler_bad(1, v1, "missing value for \"rate\"");
	sampler_bad(2, v2, "unknown sampler key \"speed\"");
	sampler_bad(2, v3, "sampler key \"prefixes\" is read-only");
	sampler_bad(2, v4, "sampler key \"memory\" is read-only");
	sampler_bad(4, v5, "duplicate \"rate\"");
	sampler_bad(2, v6, "invalid value \"fast\" for \"rate\": not a decimal");
	sampler_bad(2, v7, "out of range (maximum 4294967295)");
	sampler_bad(2, v8, "expected \"on\" or \"off\"");
	sampler_bad(2, v9, "invalid value \"sometimes\" for \"mode\": expected \"deterministic\" or \"random\"");
	sampler_bad(2, v10, "invalid value \"both\" for \"key\": expected \"dst\" or \"src\"");
	sampler_bad(2, v11, "must not be negative");
}

static void test_prefixes_args(void **state)
{
	char *v1[] = { "--reset", "-j" };
	char *v2[] = { "reset" };
	char *v3[] = { "--json" };
	char *v4[] = { "-p" };
	char *v5[] = { "--flush" };
	char *v6[] = { "--window", "12", "-j" };
	char *v7[] = { "ack", "0x10" };
	char *v8[] = { "--window", "0" };
	char *v9[] = { "--reset", "--window", "3" };
	char *v10[] = { "ack" };
	char *v11[] = { "ack", "3", "4" };
	char *v12[] = { "--window" };
	char *v13[] = { "--window", "x" };
	struct prefixes_args a;
	char err[256];

	(void)state;
	assert_int_equal(prefixes_parse_args(0, NULL, &a), 0);
	assert_false(a.reset || a.json || a.pretty);
	assert_int_equal(prefixes_parse_args(2, v1, &a), 0);
	assert_true(a.reset && a.json);
	assert_false(a.pretty);
	assert_int_equal(prefixes_parse_args(1, v2, &a), 0);
	assert_true(a.reset);
	assert_false(a.json);
	assert_int_equal(prefixes_parse_args(1, v3, &a), 0);
	assert_true(a.json && !a.reset);
	assert_int_equal(prefixes_parse_args(1, v4, &a), 0);
	assert_true(a.json && a.pretty);
	stderr_begin();
	assert_int_equal(prefixes_parse_args(1, v5, &a), EXIT_USAGE);
	assert_non_null(strstr(stderr_end(err, sizeof(err)),
			       "Error: unknown argument \"--flush\"\nTry \"flowctl prefixes help\".\n"));

	/* Reading a kept window again, dropping it. */
	assert_int_equal(prefixes_parse_args(3, v6, &a), 0);
	assert_true(a.window == 12 && a.json && !a.reset && !a.ack);
	assert_int_equal(prefixes_parse_args(2, v7, &a), 0);
	assert_true(a.ack && a.window == 16);
	stderr_begin();
	assert_int_equal(prefixes_parse_args(2, v8, &a), EXIT_USAGE);
	assert_non_null(strstr(stderr_end(err, sizeof(err)),
			       "windows are numbered from 1"));
	stderr_begin();
	assert_int_equal(prefixes_parse_args(3, v9, &a), EXIT_USAGE);
	assert_non_null(strstr(stderr_end(err, sizeof(err)),
			       "give --reset or --window, not both"));
	stderr_begin();
	assert_int_equal(prefixes_parse_args(1, v10, &a), EXIT_USAGE);
	assert_non_null(strstr(stderr_end(err, sizeof(err)),
			       "missing window number after \"ack\""));
	stderr_begin();
	assert_int_equal(prefixes_parse_args(3, v11, &a), EXIT_USAGE);
	assert_non_null(strstr(stderr_end(err, sizeof(err)),
			       "unexpected argument \"4\""));
	stderr_begin();
	assert_int_equal(prefixes_parse_args(1, v12, &a), EXIT_USAGE);
	assert_non_null(strstr(stderr_end(err, sizeof(err)),
			       "missing window number after \"--window\""));
	stderr_begin();
	assert_int_equal(prefixes_parse_args(2, v13, &a), EXIT_USAGE);
	assert_non_null(strstr(stderr_end(err, sizeof(err)), "window"));
}

/* Usage errors and help exit before any netlink I/O. */
static void test_commands_usage(void **state)
{
	char *bogus[] = { "bogus" };
	char *extra[] = { "show", "x" };
	char *add[] = { "add" };
	char *nodepth[] = { "del", "10.0.0.0/8", "depth", "3" };
	char *setnone[] = { "set" };
	char *help[] = { "help" };
	struct flowctl fc = { .nl = NULL };
	char err[1024];
	int saved, null;

	(void)state;
	stderr_begin();
	assert_int_equal(cmd_sampler(&fc, 1, bogus), EXIT_USAGE);
	assert_int_equal(cmd_sampler(&fc, 2, extra), EXIT_USAGE);
	assert_int_equal(cmd_sampler(&fc, 1, setnone), EXIT_USAGE);
	assert_int_equal(cmd_prefix(&fc, 0, NULL), EXIT_USAGE);
	assert_int_equal(cmd_prefix(&fc, 1, add), EXIT_USAGE);
	assert_int_equal(cmd_prefix(&fc, 4, nodepth), EXIT_USAGE);
	assert_int_equal(cmd_prefixes(&fc, 1, bogus), EXIT_USAGE);
	stderr_end(err, sizeof(err));
	assert_non_null(strstr(err, "Error: unknown command \"bogus\"\nTry \"flowctl sampler help\"."));
	assert_non_null(strstr(err, "Usage: flowctl prefix add PREFIX [depth D]"));

	/* help goes to stdout (here /dev/null) and succeeds. */
	fflush(stdout);
	saved = dup(1);
	null = open("/dev/null", O_WRONLY);
	assert_true(saved >= 0 && null >= 0);
	assert_int_equal(dup2(null, 1), 1);
	assert_int_equal(cmd_sampler(&fc, 1, help), 0);
	assert_int_equal(cmd_prefix(&fc, 1, help), 0);
	assert_int_equal(cmd_prefixes(&fc, 1, help), 0);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(null);
}

/* --- requests --------------------------------------------------------- */

struct attrs {
	int n;
	uint16_t raw_type[16];
	const struct nlattr *a[16];
};

static int collect_cb(const struct nlattr *attr, void *data)
{
	struct attrs *s = data;

	if (s->n == 16)
		return MNL_CB_ERROR;
	s->raw_type[s->n] = attr->nla_type;
	s->a[s->n++] = attr;
	return MNL_CB_OK;
}

/* The one nest of request @nlh, checked for NLA_F_NESTED, into @in. */
static void request_nest(const struct nlmsghdr *nlh, uint16_t type,
			 struct attrs *in)
{
	struct attrs top = { 0 };

	assert_int_equal(mnl_attr_parse(nlh, GENL_HDRLEN, collect_cb, &top),
			 MNL_CB_OK);
	assert_int_equal(top.n, 1);
	assert_int_equal(top.raw_type[0], NLA_F_NESTED | type);
	memset(in, 0, sizeof(*in));
	assert_int_equal(mnl_attr_parse_nested(top.a[0], collect_cb, in),
			 MNL_CB_OK);
}

static void test_sampler_put(void **state)
{
	char *argv[] = { "max-counters", "4096", "rate", "1000", "enable", "on",
			 "key", "src", "mode", "deterministic" };
	struct fs_sampler smp;
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	struct attrs in;
	char buf[256];

	(void)state;
	memset(buf, 0, sizeof(buf));
	assert_int_equal(sampler_parse_args(10, argv, &smp), 0);
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_SET_SAMPLER,
				FLOWSTREAM_GENL_VERSION, 42);
	sampler_put(nlh, &smp);
	genl = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(genl->cmd, FLOWSTREAM_CMD_SET_SAMPLER);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	request_nest(nlh, FLOWSTREAM_A_SAMPLER, &in);
	/* In attribute order, each with its type's size. */
	assert_int_equal(in.n, 5);
	assert_int_equal(in.raw_type[0], FLOWSTREAM_SMP_A_ENABLE);
	assert_int_equal(mnl_attr_validate(in.a[0], MNL_TYPE_U8), 0);
	assert_int_equal(mnl_attr_get_u8(in.a[0]), 1);
	assert_int_equal(in.raw_type[1], FLOWSTREAM_SMP_A_RATE);
	assert_int_equal(mnl_attr_validate(in.a[1], MNL_TYPE_U32), 0);
	assert_int_equal(mnl_attr_get_u32(in.a[1]), 1000);
	assert_int_equal(in.raw_type[2], FLOWSTREAM_SMP_A_MODE);
	assert_int_equal(mnl_attr_validate(in.a[2], MNL_TYPE_U8), 0);
	assert_int_equal(mnl_attr_get_u8(in.a[2]),
			 FLOWSTREAM_SMP_MODE_DETERMINISTIC);
	assert_int_equal(in.raw_type[3], FLOWSTREAM_SMP_A_KEY);
	assert_int_equal(mnl_attr_get_u8(in.a[3]), FLOWSTREAM_SMP_KEY_SRC);
	assert_int_equal(in.raw_type[4], FLOWSTREAM_SMP_A_MAX_COUNTERS);
	assert_int_equal(mnl_attr_validate(in.a[4], MNL_TYPE_U32), 0);
	assert_int_equal(mnl_attr_get_u32(in.a[4]), 4096);
}

static void test_prefix_put(void **state)
{
	char *v4[] = { "add", "10.1.2.3/8", "depth", "3" };
	char *v6[] = { "del", "fd00::/16" };
	char *nodepth[] = { "add", "10.1.0.0/16" };
	struct prefix_args a;
	struct nlmsghdr *nlh;
	struct attrs in;
	uint8_t want[16];
	char buf[256];

	(void)state;
	memset(buf, 0, sizeof(buf));
	assert_int_equal(prefix_parse_args(4, v4, &a), 0);
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_ADD_PREFIX, 1, 1);
	prefix_put(nlh, &a);
	request_nest(nlh, FLOWSTREAM_A_PREFIX, &in);
	assert_int_equal(in.n, 4);
	assert_int_equal(in.raw_type[0], FLOWSTREAM_PFX_A_FAMILY);
	assert_int_equal(mnl_attr_validate(in.a[0], MNL_TYPE_U8), 0);
	assert_int_equal(mnl_attr_get_u8(in.a[0]), AF_INET);
	assert_int_equal(in.raw_type[1], FLOWSTREAM_PFX_A_ADDR);
	assert_int_equal(mnl_attr_get_payload_len(in.a[1]), 4);
	assert_int_equal(inet_pton(AF_INET, "10.1.2.3", want), 1);
	assert_memory_equal(mnl_attr_get_payload(in.a[1]), want, 4);
	assert_int_equal(in.raw_type[2], FLOWSTREAM_PFX_A_LEN);
	assert_int_equal(mnl_attr_get_u8(in.a[2]), 8);
	assert_int_equal(in.raw_type[3], FLOWSTREAM_PFX_A_DEPTH);
	assert_int_equal(mnl_attr_validate(in.a[3], MNL_TYPE_U8), 0);
	assert_int_equal(mnl_attr_get_u8(in.a[3]), 3);

	/* Without "depth", no DEPTH attribute: the module's default 0. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(prefix_parse_args(2, nodepth, &a), 0);
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_ADD_PREFIX, 1, 1);
	prefix_put(nlh, &a);
	request_nest(nlh, FLOWSTREAM_A_PREFIX, &in);
	assert_int_equal(in.n, 3);
	assert_int_equal(in.raw_type[2], FLOWSTREAM_PFX_A_LEN);
	assert_int_equal(mnl_attr_get_u8(in.a[2]), 16);

	memset(buf, 0, sizeof(buf));
	assert_int_equal(prefix_parse_args(2, v6, &a), 0);
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_DEL_PREFIX, 1, 1);
	prefix_put(nlh, &a);
	request_nest(nlh, FLOWSTREAM_A_PREFIX, &in);
	assert_int_equal(in.n, 3);
	assert_int_equal(mnl_attr_get_u8(in.a[0]), AF_INET6);
	assert_int_equal(mnl_attr_get_payload_len(in.a[1]), 16);
	assert_int_equal(inet_pton(AF_INET6, "fd00::", want), 1);
	assert_memory_equal(mnl_attr_get_payload(in.a[1]), want, 16);
	assert_int_equal(mnl_attr_get_u8(in.a[2]), 16);
}

static void test_prefixes_request(void **state)
{
	struct prefixes_args args = { .reset = true };
	struct attrs top = { 0 };
	struct nlmsghdr *nlh;
	char buf[64];

	(void)state;
	memset(buf, 0, sizeof(buf));
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_GET_PREFIX, 1, 1);
	prefixes_request(nlh, &args);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(mnl_attr_parse(nlh, GENL_HDRLEN, collect_cb, &top),
			 MNL_CB_OK);
	assert_int_equal(top.n, 1);
	assert_int_equal(top.raw_type[0], FLOWSTREAM_A_RESET);
	assert_int_equal(mnl_attr_get_payload_len(top.a[0]), 0);

	/* Without --reset: a plain dump, no attributes. */
	args.reset = false;
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_GET_PREFIX, 1, 1);
	prefixes_request(nlh, &args);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN);

	/* --window N: a dump of that window. */
	args.window = 9;
	memset(&top, 0, sizeof(top));
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_GET_PREFIX, 1, 1);
	prefixes_request(nlh, &args);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(mnl_attr_parse(nlh, GENL_HDRLEN, collect_cb, &top),
			 MNL_CB_OK);
	assert_int_equal(top.n, 1);
	assert_int_equal(top.raw_type[0], FLOWSTREAM_A_WINDOW);
	assert_int_equal(mnl_attr_get_u64(top.a[0]), 9);

	/* ack N: ACK_WINDOW is a plain request, not a dump. */
	args.ack = true;
	memset(&top, 0, sizeof(top));
	nlh = fs_nl_put_request(buf, FAMILY, FLOWSTREAM_CMD_ACK_WINDOW, 1, 1);
	prefixes_request(nlh, &args);
	assert_false(nlh->nlmsg_flags & NLM_F_DUMP);
	assert_int_equal(mnl_attr_parse(nlh, GENL_HDRLEN, collect_cb, &top),
			 MNL_CB_OK);
	assert_int_equal(top.n, 1);
	assert_int_equal(mnl_attr_get_u64(top.a[0]), 9);
}

/* --- replies -------------------------------------------------------------- */

struct cnt_in {
	uint64_t v[FS_CNT_N];
};

/* A counts nest, padding and a newer module's counter thrown in. */
static void put_counts(struct nlmsghdr *nlh, uint16_t type, int index,
		       const struct cnt_in *c)
{
	struct nlattr *nest;
	unsigned int i;

	nest = mnl_attr_nest_start(nlh, type);
	if (index >= 0)
		mnl_attr_put_u32(nlh, FLOWSTREAM_CNT_A_INDEX, index);
	mnl_attr_put(nlh, FLOWSTREAM_CNT_A_PAD, 0, NULL);
	for (i = 0; i < FS_CNT_N; i++)
		mnl_attr_put_u64(nlh, FS_CNT_FIRST + i, c->v[i]);
	mnl_attr_put_u64(nlh, __FLOWSTREAM_CNT_A_MAX + 3, 12345);
	mnl_attr_nest_end(nlh, nest);
}

/* sampled packets, bytes, est packets [lo, hi], est bytes [lo, hi] */
static const struct cnt_in unmatched = {
	{ 3, 180, 300, 97, 703, 18000, 5800, 42000 } };
static const struct cnt_in total = {
	{ 10, 15000, 1000, 540, 1850, 1500000, 900000, 2100000 } };
static const struct cnt_in sub_a = { { 7, 10500, 700, 340, 1400, 1050000,
				       600000, 1500000 } };
static const struct cnt_in sub_b = { { 3, 4500, 300, 97, 703, 450000,
				       100000, 800000 } };
static const struct cnt_in zero = { { 0 } };

static void put_sampler(struct nlmsghdr *nlh, bool dump)
{
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_SAMPLER);
	mnl_attr_put_u8(nlh, FLOWSTREAM_SMP_A_ENABLE, 1);
	mnl_attr_put_u32(nlh, FLOWSTREAM_SMP_A_RATE, 100);
	mnl_attr_put_u8(nlh, FLOWSTREAM_SMP_A_MODE, FLOWSTREAM_SMP_MODE_RANDOM);
	mnl_attr_put_u8(nlh, FLOWSTREAM_SMP_A_KEY, FLOWSTREAM_SMP_KEY_DST);
	mnl_attr_put_u32(nlh, FLOWSTREAM_SMP_A_MAX_PREFIXES, 16384);
	mnl_attr_put_u32(nlh, FLOWSTREAM_SMP_A_MAX_COUNTERS, 262144);
	mnl_attr_put_u32(nlh, FLOWSTREAM_SMP_A_PREFIXES, 2);
	mnl_attr_put_u32(nlh, FLOWSTREAM_SMP_A_COUNTERS, 17);
	mnl_attr_put(nlh, FLOWSTREAM_SMP_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, FLOWSTREAM_SMP_A_MEMORY, 65536);
	mnl_attr_put_u32(nlh, FLOWSTREAM_SMP_A_MAX_LEN, 1500);
	mnl_attr_put_u64(nlh, FLOWSTREAM_SMP_A_WINDOW, 7);
	mnl_attr_put_u64(nlh, FLOWSTREAM_SMP_A_KEPT_WINDOW, 6);
	mnl_attr_put_u64(nlh, FLOWSTREAM_SMP_A_WINDOW_START_MS, T0);
	if (dump)
		mnl_attr_put_u64(nlh, FLOWSTREAM_SMP_A_WINDOW_END_MS, T0 + 5500);
	put_counts(nlh, FLOWSTREAM_SMP_A_UNMATCHED, -1, &unmatched);
	mnl_attr_put_strz(nlh, __FLOWSTREAM_SMP_A_MAX + 5, "from the future");
	mnl_attr_nest_end(nlh, nest);
}

static struct nlmsghdr *msg(void *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = genl_msg(buf, FAMILY, cmd, SEQ, PORTID);

	nlh->nlmsg_flags = NLM_F_MULTI;
	mnl_attr_put_u32(nlh, 200, 1);		/* unknown top-level: skipped */
	return nlh;
}

static const char sampler_text[] =
	"enable on\n"
	"rate 100\n"
	"mode random\n"
	"key dst\n"
	"max-prefixes 16384\n"
	"max-counters 262144\n"
	"prefixes 2\n"
	"counters 17\n"
	"memory 65536\n"
	"max-len 1500\n"
	"window 7\n"
	"kept-window 6\n"
	"window-start 1700000000000 (2023-11-14 22:13:20.000)\n"
	"unmatched sampled 3 packets 180 bytes, estimated 300 [97, 703] packets 18000 [5800, 42000] bytes\n";

#define UNMATCHED_JSON \
	"{\"sampled_packets\":3,\"sampled_bytes\":180,\"packets\":300," \
	"\"packets_low\":97,\"packets_high\":703,\"bytes\":18000," \
	"\"bytes_low\":5800,\"bytes_high\":42000}"

static const char sampler_json[] =
	"{\"enable\":true,\"rate\":100,\"mode\":\"random\",\"key\":\"dst\","
	"\"max_prefixes\":16384,\"max_counters\":262144,\"prefixes\":2,"
	"\"counters\":17,\"memory\":65536,\"max_len\":1500,\"window\":7,"
	"\"kept_window\":6,\"window_start_ms\":1700000000000,"
	"\"unmatched\":" UNMATCHED_JSON "}\n";

static void test_sampler_show(void **state)
{
	struct fs_sampler smp = { .seen = false };
	struct nlmsghdr *nlh;
	struct capture c;
	char buf[1024];

	(void)state;
	nlh = msg(buf, FLOWSTREAM_CMD_GET_SAMPLER);
	nlh->nlmsg_flags = 0;
	put_sampler(nlh, false);
	assert_int_equal(sampler_parse(nlh, &smp), MNL_CB_OK);
	assert_true(smp.seen);
	assert_int_equal(smp.val[FLOWSTREAM_SMP_A_RATE], 100);
	assert_int_equal(smp.unmatched.v[0], 3);

	cap_start(&c, 0);
	sampler_print(c.o, &smp);
	assert_string_equal(cap_end(&c), sampler_text);
	free(c.buf);

	cap_start(&c, OUT_JSON);
	sampler_print(c.o, &smp);
	assert_string_equal(cap_end(&c), sampler_json);
	free(c.buf);

	/* Enumerations from a newer module show by number. */
	smp.val[FLOWSTREAM_SMP_A_MODE] = 7;
	cap_start(&c, 0);
	sampler_print(c.o, &smp);
	assert_non_null(strstr(cap_end(&c), "\nmode mode_7\n"));
	free(c.buf);
}

static void test_sampler_malformed(void **state)
{
	struct fs_sampler smp;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	char buf[256];
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		nlh = msg(buf, FLOWSTREAM_CMD_GET_SAMPLER);
		nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_SAMPLER);
		if (i == 0)		/* a u8 as a u32 */
			mnl_attr_put_u32(nlh, FLOWSTREAM_SMP_A_ENABLE, 1);
		else if (i == 1)	/* a u32 as a u8 */
			mnl_attr_put_u8(nlh, FLOWSTREAM_SMP_A_RATE, 1);
		else if (i == 2)	/* a u64 as a u32 */
			mnl_attr_put_u32(nlh, FLOWSTREAM_SMP_A_WINDOW_START_MS, 1);
		else			/* a u64 as a u32, after the counts */
			put_counts(nlh, FLOWSTREAM_SMP_A_UNMATCHED, -1, &zero);
		if (i == 3)
			mnl_attr_put_u32(nlh, FLOWSTREAM_SMP_A_MEMORY, 1);
		mnl_attr_nest_end(nlh, nest);
		errno = 0;
		assert_int_equal(sampler_parse(nlh, &smp), MNL_CB_ERROR);
		assert_int_equal(errno, EBADMSG);
	}
}

/* A FLOWSTREAM_A_PREFIX nest: identity, TOTAL if @tot, then SUBs. */
struct pfx_in {
	uint8_t family;
	const char *addr;
	uint8_t len, depth;
	uint64_t start;
};

static struct nlattr *pfx_begin(struct nlmsghdr *nlh, const struct pfx_in *p)
{
	struct nlattr *nest;
	uint8_t a[16];

	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_PREFIX);
	mnl_attr_put_u8(nlh, FLOWSTREAM_PFX_A_FAMILY, p->family);
	assert_int_equal(inet_pton(p->family, p->addr, a), 1);
	mnl_attr_put(nlh, FLOWSTREAM_PFX_A_ADDR,
		     p->family == AF_INET ? 4 : 16, a);
	mnl_attr_put_u8(nlh, FLOWSTREAM_PFX_A_LEN, p->len);
	mnl_attr_put_u8(nlh, FLOWSTREAM_PFX_A_DEPTH, p->depth);
	mnl_attr_put(nlh, FLOWSTREAM_PFX_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, FLOWSTREAM_PFX_A_WINDOW_START_MS, p->start);
	mnl_attr_put_u64(nlh, FLOWSTREAM_PFX_A_WINDOW_END_MS, T0 + 5500);
	mnl_attr_put_u16(nlh, __FLOWSTREAM_PFX_A_MAX + 1, 9);
	return nest;
}

static const struct pfx_in p8 = { AF_INET, "10.0.0.0", 8, 4, T0 };
static const struct pfx_in p6 = { AF_INET6, "2001:db8::", 32, 1, T0 + 1500 };

/*
 * The dump: sampler; 10.0.0.0/8 depth 4 over three messages (sub-prefixes
 * 0, 3 | 5 | 15); 2001:db8::/32 depth 1 in one (sub-prefix 1 only).
 */
static size_t build_dump(char *buf)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	size_t len = 0;

	nlh = msg(buf, FLOWSTREAM_CMD_GET_PREFIX);
	put_sampler(nlh, true);
	len += nlh->nlmsg_len;

	nlh = msg(buf + len, FLOWSTREAM_CMD_GET_PREFIX);
	nest = pfx_begin(nlh, &p8);
	put_counts(nlh, FLOWSTREAM_PFX_A_TOTAL, -1, &total);
	put_counts(nlh, FLOWSTREAM_PFX_A_SUB, 0, &sub_a);
	put_counts(nlh, FLOWSTREAM_PFX_A_SUB, 3, &zero);
	mnl_attr_nest_end(nlh, nest);
	len += nlh->nlmsg_len;

	nlh = msg(buf + len, FLOWSTREAM_CMD_GET_PREFIX);
	nest = pfx_begin(nlh, &p8);
	put_counts(nlh, FLOWSTREAM_PFX_A_SUB, 5, &zero);
	mnl_attr_nest_end(nlh, nest);
	len += nlh->nlmsg_len;

	nlh = msg(buf + len, FLOWSTREAM_CMD_GET_PREFIX);
	nest = pfx_begin(nlh, &p8);
	put_counts(nlh, FLOWSTREAM_PFX_A_SUB, 15, &sub_b);
	mnl_attr_nest_end(nlh, nest);
	len += nlh->nlmsg_len;

	nlh = msg(buf + len, FLOWSTREAM_CMD_GET_PREFIX);
	nest = pfx_begin(nlh, &p6);
	put_counts(nlh, FLOWSTREAM_PFX_A_TOTAL, -1, &sub_b);
	put_counts(nlh, FLOWSTREAM_PFX_A_SUB, 1, &sub_b);
	mnl_attr_nest_end(nlh, nest);
	len += nlh->nlmsg_len;

	nlh = mnl_nlmsg_put_header(buf + len);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = SEQ;
	nlh->nlmsg_pid = PORTID;
	mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	len += nlh->nlmsg_len;
	return len;
}

static void test_dump_merge(void **state)
{
	struct pfx_dump d = { .n = 0 };
	struct fs_ext_ack ack;
	char buf[8192];
	size_t len;

	(void)state;
	len = build_dump(buf);
	assert_int_equal(fs_nl_process(buf, len, SEQ, PORTID, pfx_dump_msg, &d,
				       &ack), 0);
	assert_true(d.smp.seen);
	assert_int_equal(d.smp.val[FLOWSTREAM_SMP_A_WINDOW_END_MS], T0 + 5500);
	assert_int_equal(d.n, 2);

	assert_int_equal(d.v[0].family, AF_INET);
	assert_int_equal(d.v[0].len, 8);
	assert_int_equal(d.v[0].depth, 4);
	assert_int_equal(d.v[0].total.v[0], 10);
	assert_int_equal(d.v[0].nsubs, 4);
	assert_int_equal(d.v[0].subs[0].index, 0);
	assert_int_equal(d.v[0].subs[0].v[1], 10500);
	assert_int_equal(d.v[0].subs[1].index, 3);
	assert_int_equal(d.v[0].subs[2].index, 5);
	assert_int_equal(d.v[0].subs[3].index, 15);
	assert_int_equal(FS_CNT(&d.v[0].subs[3], EST_BYTES_HI), 800000);

	assert_int_equal(d.v[1].family, AF_INET6);
	assert_int_equal(d.v[1].window_start_ms, T0 + 1500);
	assert_int_equal(d.v[1].nsubs, 1);
	assert_int_equal(d.v[1].subs[0].index, 1);
	pfx_dump_free(&d);
	assert_null(d.v);
}

#define SUB_A_JSON \
	"\"sampled_packets\":7,\"sampled_bytes\":10500,\"packets\":700," \
	"\"packets_low\":340,\"packets_high\":1400,\"bytes\":1050000," \
	"\"bytes_low\":600000,\"bytes_high\":1500000"
#define SUB_B_JSON \
	"\"sampled_packets\":3,\"sampled_bytes\":4500,\"packets\":300," \
	"\"packets_low\":97,\"packets_high\":703,\"bytes\":450000," \
	"\"bytes_low\":100000,\"bytes_high\":800000"
#define ZERO_JSON \
	"\"sampled_packets\":0,\"sampled_bytes\":0,\"packets\":0," \
	"\"packets_low\":0,\"packets_high\":0,\"bytes\":0," \
	"\"bytes_low\":0,\"bytes_high\":0"

static const char dump_json[] =
	"{\"window\":{\"number\":7,\"start_ms\":1700000000000,\"end_ms\":1700000005500,"
	"\"rate\":100,\"mode\":\"random\",\"key\":\"dst\"},"
	"\"unmatched\":" UNMATCHED_JSON ","
	"\"prefixes\":["
	"{\"prefix\":\"10.0.0.0/8\",\"family\":\"inet\",\"depth\":4,"
	"\"window_start_ms\":1700000000000,\"window_end_ms\":1700000005500,"
	"\"total\":{\"sampled_packets\":10,\"sampled_bytes\":15000,"
	"\"packets\":1000,\"packets_low\":540,\"packets_high\":1850,"
	"\"bytes\":1500000,\"bytes_low\":900000,\"bytes_high\":2100000},"
	"\"subprefixes\":["
	"{\"prefix\":\"10.0.0.0/12\",\"index\":0," SUB_A_JSON "},"
	"{\"prefix\":\"10.48.0.0/12\",\"index\":3," ZERO_JSON "},"
	"{\"prefix\":\"10.80.0.0/12\",\"index\":5," ZERO_JSON "},"
	"{\"prefix\":\"10.240.0.0/12\",\"index\":15," SUB_B_JSON "}]},"
	"{\"prefix\":\"2001:db8::/32\",\"family\":\"inet6\",\"depth\":1,"
	"\"window_start_ms\":1700000001500,\"window_end_ms\":1700000005500,"
	"\"total\":{" SUB_B_JSON "},"
	"\"subprefixes\":["
	"{\"prefix\":\"2001:db8:8000::/33\",\"index\":1," SUB_B_JSON "}]}]}\n";

static const char dump_text[] =
	"window 7 from 2023-11-14 22:13:20.000 .. 2023-11-14 22:13:25.500 (5.5s) rate 100 mode random key dst\n"
	"PREFIX                SAMPLED-PKTS  SAMPLED-BYTES  EST-PKTS [95%]    EST-BYTES [95%]\n"
	"unmatched                        3            180  300 [97, 703]     18000 [5800, 42000]\n"
	"10.0.0.0/8                      10          15000  1000 [540, 1850]  1500000 [900000, 2100000]  depth 4\n"
	"  10.0.0.0/12                    7          10500  700 [340, 1400]   1050000 [600000, 1500000]\n"
	"  10.48.0.0/12                   0              0  0 [0, 0]          0 [0, 0]\n"
	"  10.80.0.0/12                   0              0  0 [0, 0]          0 [0, 0]\n"
	"  10.240.0.0/12                  3           4500  300 [97, 703]     450000 [100000, 800000]\n"
	"2001:db8::/32                    3           4500  300 [97, 703]     450000 [100000, 800000]    depth 1, window from 2023-11-14 22:13:21.500\n"
	"  2001:db8:8000::/33             3           4500  300 [97, 703]     450000 [100000, 800000]\n";

static void test_dump_output(void **state)
{
	struct pfx_dump d = { .n = 0 };
	struct fs_ext_ack ack;
	struct capture c;
	char buf[8192];
	size_t len;

	(void)state;
	len = build_dump(buf);
	assert_int_equal(fs_nl_process(buf, len, SEQ, PORTID, pfx_dump_msg, &d,
				       &ack), 0);

	cap_start(&c, OUT_JSON);
	prefixes_print(c.o, &d);
	assert_string_equal(cap_end(&c), dump_json);
	free(c.buf);

	cap_start(&c, 0);
	prefixes_print(c.o, &d);
	assert_string_equal(cap_end(&c), dump_text);
	free(c.buf);
	pfx_dump_free(&d);
}

/* No prefixes: the window, the unmatched counts, an empty list. */
static void test_dump_empty(void **state)
{
	struct pfx_dump d = { .n = 0 };
	struct nlmsghdr *nlh;
	struct capture c;
	char buf[1024];

	(void)state;
	nlh = msg(buf, FLOWSTREAM_CMD_GET_PREFIX);
	put_sampler(nlh, true);
	assert_int_equal(pfx_dump_msg(nlh, &d), MNL_CB_OK);
	cap_start(&c, OUT_JSON);
	prefixes_print(c.o, &d);
	assert_non_null(strstr(cap_end(&c), "\"prefixes\":[]}\n"));
	free(c.buf);
	cap_start(&c, 0);
	prefixes_print(c.o, &d);
	assert_string_equal(cap_end(&c),
			    "window 7 from 2023-11-14 22:13:20.000 .. 2023-11-14 22:13:25.500 (5.5s) rate 100 mode random key dst\n"
			    "PREFIX     SAMPLED-PKTS  SAMPLED-BYTES  EST-PKTS [95%]  EST-BYTES [95%]\n"
			    "unmatched             3            180  300 [97, 703]   18000 [5800, 42000]\n");
	free(c.buf);
	pfx_dump_free(&d);
}

/* Messages that break the protocol fail with EBADMSG. */
static void dump_bad(int what)
{
	struct pfx_in p = p8;
	struct pfx_dump d = { .n = 0 };
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	char buf[2048];

	nlh = msg(buf, FLOWSTREAM_CMD_GET_PREFIX);
	nest = pfx_begin(nlh, &p);
	put_counts(nlh, FLOWSTREAM_PFX_A_TOTAL, -1, &total);
	put_counts(nlh, FLOWSTREAM_PFX_A_SUB, 4, &zero);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(pfx_dump_msg(nlh, &d), MNL_CB_OK);

	nlh = msg(buf, FLOWSTREAM_CMD_GET_PREFIX);
	if (what == 4) {
		p.len = 30;		/* 30 + 4 > 32 */
		p.addr = "10.0.0.0";
	} else if (what == 5) {
		p.family = AF_INET6;	/* but 4 address bytes below */
	}
	if (what == 5) {
		nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_PREFIX);
		mnl_attr_put_u8(nlh, FLOWSTREAM_PFX_A_FAMILY, AF_INET6);
		mnl_attr_put(nlh, FLOWSTREAM_PFX_A_ADDR, 4, "\x0a\0\0\0");
		mnl_attr_put_u8(nlh, FLOWSTREAM_PFX_A_LEN, 8);
	} else if (what == 6) {
		nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_PREFIX);
		mnl_attr_put_u8(nlh, FLOWSTREAM_PFX_A_FAMILY, AF_INET);
		mnl_attr_put_u8(nlh, FLOWSTREAM_PFX_A_LEN, 8);	/* no ADDR */
	} else {
		nest = pfx_begin(nlh, &p);
	}
	if (what == 0)		/* TOTAL again in a continuation */
		put_counts(nlh, FLOWSTREAM_PFX_A_TOTAL, -1, &total);
	else if (what == 1)	/* index going back */
		put_counts(nlh, FLOWSTREAM_PFX_A_SUB, 4, &zero);
	else if (what == 2)	/* index past 2^depth */
		put_counts(nlh, FLOWSTREAM_PFX_A_SUB, 16, &zero);
	else if (what == 3)	/* no index */
		put_counts(nlh, FLOWSTREAM_PFX_A_SUB, -1, &zero);
	else if (what == 7)	/* a counter as a u32 */
		mnl_attr_put_u32(nlh, FLOWSTREAM_PFX_A_WINDOW_END_MS, 1);
	mnl_attr_nest_end(nlh, nest);
	errno = 0;
	assert_int_equal(pfx_dump_msg(nlh, &d), MNL_CB_ERROR);
	assert_int_equal(errno, EBADMSG);
	pfx_dump_free(&d);
}

static void test_dump_malformed(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 8; i++)
		dump_bad(i);
}

/*
 * Depth 16: 65536 sub-prefixes over 128 messages (a nest holds at most
 * 64 KiB), merged into one prefix in order; the last is 10.255.255.0/24.
 */
static void test_dump_depth16(void **state)
{
	const struct pfx_in p = { AF_INET, "10.0.0.0", 8, 16, T0 };
	struct pfx_dump d = { .n = 0 };
	struct cnt_in c = { { 1, 100, 100, 5, 557, 10000, 500, 55700 } };
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint64_t packets = 0;
	char label[64];
	uint8_t a[16];
	size_t i, m;
	char *buf;

	(void)state;
	buf = malloc(1 << 17);
	assert_non_null(buf);
	nlh = msg(buf, FLOWSTREAM_CMD_GET_PREFIX);
	put_sampler(nlh, true);
	assert_int_equal(pfx_dump_msg(nlh, &d), MNL_CB_OK);
	for (m = 0; m < 128; m++) {
		nlh = msg(buf, FLOWSTREAM_CMD_GET_PREFIX);
		nest = pfx_begin(nlh, &p);
		if (!m)
			put_counts(nlh, FLOWSTREAM_PFX_A_TOTAL, -1, &c);
		for (i = 0; i < 512; i++)
			put_counts(nlh, FLOWSTREAM_PFX_A_SUB, m * 512 + i, &c);
		mnl_attr_nest_end(nlh, nest);
		assert_true(nlh->nlmsg_len < UINT16_MAX);
		assert_int_equal(pfx_dump_msg(nlh, &d), MNL_CB_OK);
	}
	free(buf);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].nsubs, 65536);
	for (i = 0; i < d.v[0].nsubs; i++) {
		assert_int_equal(d.v[0].subs[i].index, i);
		packets += d.v[0].subs[i].v[0];
	}
	assert_int_equal(packets, 65536);
	assert_int_equal(pfx_sub_addr(AF_INET, d.v[0].addr, 8, 16,
				      d.v[0].subs[65535].index, a), 0);
	assert_string_equal(fmt_prefix(AF_INET, a, 24, label, sizeof(label)),
			    "10.255.255.0/24");
	pfx_dump_free(&d);
}

static void test_names(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(fs_stat_name(FLOWSTREAM_STAT_SMP_SAMPLED, buf,
					 sizeof(buf)), "smp_sampled");
	assert_string_equal(fs_stat_name(FLOWSTREAM_STAT_SMP_UNMATCHED, buf,
					 sizeof(buf)), "smp_unmatched");
	assert_string_equal(fs_stat_name(FLOWSTREAM_STAT_SMP_DROP_MALFORMED,
					 buf, sizeof(buf)),
			    "smp_drop_malformed");
	assert_string_equal(fs_stat_name(FLOWSTREAM_STAT_SMP_WINDOWS, buf,
					 sizeof(buf)), "smp_windows");
	assert_string_equal(fs_feature_name(FLOWSTREAM_FEAT_SAMPLER_BIT, buf,
					    sizeof(buf)), "sampler");
	assert_string_equal(fs_smp_mode_names[FLOWSTREAM_SMP_MODE_RANDOM],
			    "random");
	assert_string_equal(fs_smp_key_names[FLOWSTREAM_SMP_KEY_SRC], "src");
	assert_non_null(fs_smp_key_find("max-counters"));
	assert_null(fs_smp_key_find("window-start"));
	assert_true(fs_smp_key_by_attr(FLOWSTREAM_SMP_A_MEMORY)->readonly);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sub_addr_inet),
		cmocka_unit_test(test_sub_addr_inet6),
		cmocka_unit_test(test_prefix_args),
		cmocka_unit_test(test_prefix_args_errors),
		cmocka_unit_test(test_sampler_args),
		cmocka_unit_test(test_sampler_args_errors),
		cmocka_unit_test(test_prefixes_args),
		cmocka_unit_test(test_commands_usage),
		cmocka_unit_test(test_sampler_put),
		cmocka_unit_test(test_prefix_put),
		cmocka_unit_test(test_prefixes_request),
		cmocka_unit_test(test_sampler_show),
		cmocka_unit_test(test_sampler_malformed),
		cmocka_unit_test(test_dump_merge),
		cmocka_unit_test(test_dump_output),
		cmocka_unit_test(test_dump_empty),
		cmocka_unit_test(test_dump_malformed),
		cmocka_unit_test(test_dump_depth16),
		cmocka_unit_test(test_names),
	};

	/* Times print in local time: make that UTC. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests_name("sampler", tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation requests ("alloc install"): good files into the ADD_FLOW
 * they make, and every error with its line number.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include "test.h"

static int parse(const char *path, const char *text, struct fos_flow *f,
		 char *err)
{
	err[0] = '\0';
	return alloc_parse(path, text, strlen(text), f, err, 512);
}

static void check_pm(const struct fos_flow *f, size_t i, const char *pm,
		     uint32_t order, const char *args)
{
	const struct fos_attach *a = &f->pipe[i];
	uint32_t seen = FOS_BIT(FLOWSTREAM_ATT_A_PM) |
			FOS_BIT(FLOWSTREAM_ATT_A_ORDER);

	assert_true(i < f->npipe);
	assert_string_equal(a->pm, pm);
	assert_int_equal(a->order, order);
	if (args) {
		seen |= FOS_BIT(FLOWSTREAM_ATT_A_ARGS);
		assert_string_equal(a->args, args);
	}
	assert_int_equal(a->seen, seen);
}

static void test_alloc_good(void **state)
{
	static const char text[] =
		"# web traffic to the farm\n"
		"\n"
		"  prio 10\n"
		"stream tcp policy bypass\n"
		"max-held 4096\r\n"
		"FromNet(\"proto tcp dst 10.0.2.0/24 dport 80\") -> HttpParse(\"x=1\") ->\n"
		"   # a comment inside the chain\n"
		"\n"
		"   [Count(), Log(\"say \\\"hi\\\" \\\\o/\")] ->\n"
		"   Rewrite() -> ToNet()\n"
		"idle-timeout 30\n";
	struct fos_flow f;
	char err[512];
	uint8_t a[4];

	(void)state;
	assert_int_equal(parse("/etc/flowstream/web-farm.alloc", text, &f, err),
			 0);
	assert_string_equal(err, "");
	assert_string_equal(f.name, "web-farm");
	assert_int_equal(f.seen,
			 FOS_BIT(FLOWSTREAM_FLOW_A_PRIO) |
			 FOS_BIT(FLOWSTREAM_FLOW_A_STREAM) |
			 FOS_BIT(FLOWSTREAM_FLOW_A_POLICY) |
			 FOS_BIT(FLOWSTREAM_FLOW_A_MAX_HELD) |
			 FOS_BIT(FLOWSTREAM_FLOW_A_IDLE_TIMEOUT));
	assert_int_equal(f.val[FLOWSTREAM_FLOW_A_PRIO], 10);
	assert_int_equal(f.val[FLOWSTREAM_FLOW_A_STREAM], FLOWSTREAM_STREAM_TCP);
	assert_int_equal(f.val[FLOWSTREAM_FLOW_A_POLICY],
			 FLOWSTREAM_FOS_POLICY_BYPASS);
	assert_int_equal(f.val[FLOWSTREAM_FLOW_A_MAX_HELD], 4096);
	assert_int_equal(f.match.proto, IPPROTO_TCP);
	assert_int_equal(f.match.family, AF_INET);
	inet_pton(AF_INET, "10.0.2.0", a);
	assert_memory_equal(f.match.dst, a, 4);
	assert_int_equal(f.match.dst_len, 24);
	assert_int_equal(f.match.dport, 80);
	assert_int_equal(f.npipe, 4);
	check_pm(&f, 0, "HttpParse", 10, "x=1");
	check_pm(&f, 1, "Count", 20, NULL);
	check_pm(&f, 2, "Log", 20, "say \"hi\" \\o/");
	check_pm(&f, 3, "Rewrite", 30, NULL);
	fos_flow_free(&f);
}

static void test_alloc_minimal(void **state)
{
	struct fos_flow f;
	char err[512];

	(void)state;
	/* No PM, no match, a name line. */
	assert_int_equal(parse("x.alloc", "name all\nFromNet() -> ToNet()", &f,
			       err), 0);
	assert_string_equal(f.name, "all");
	assert_int_equal(f.npipe, 0);
	assert_int_equal(f.match.present, 0);
	assert_int_equal(f.seen, 0);
	fos_flow_free(&f);

	/* An empty match string, spaces anywhere, no final newline. */
	assert_int_equal(parse("a", " FromNet ( \"\" )->A( )->[ B ( \"\" ) ]->ToNet( ) ",
			       &f, err), 0);
	assert_string_equal(f.name, "a");
	assert_int_equal(f.npipe, 2);
	check_pm(&f, 0, "A", 10, NULL);
	check_pm(&f, 1, "B", 20, NULL);
	fos_flow_free(&f);

	/* An IPv6 match with every word, the chain over many lines. */
	assert_int_equal(parse("v6", "FromNet(\"iif eth1 family inet6 proto udp src 2001:db8::/32 dst 2001:db8:1::1 sport 1 dport 2 dscp 46\") ->\n"
			       "X() ->\n->\nToNet()\n", &f, err), -1);
	assert_string_equal(err, "v6:3: expected a PM, \"[\" or ToNet()");
	assert_int_equal(parse("v6", "FromNet(\"iif eth1 family inet6 proto udp src 2001:db8::/32 dst 2001:db8:1::1 sport 1 dport 2 dscp 46\") ->\n"
			       "X() ->\nToNet()\n", &f, err), 0);
	assert_string_equal(f.match.dev, "eth1");
	assert_int_equal(f.match.family, AF_INET6);
	assert_int_equal(f.match.dst_len, 128);
	assert_int_equal(f.match.dscp, 46);
	fos_flow_free(&f);

	/* The most PMs one request takes. */
	{
		char *text = malloc(16 + 8 * FOS_PIPE_MAX + 16);
		size_t i, n = 0;

		n += sprintf(text, "FromNet()");
		for (i = 0; i < FOS_PIPE_MAX; i++)
			n += sprintf(text + n, "->P%02zx()", i);
		sprintf(text + n, "->ToNet()");
		assert_int_equal(parse("many", text, &f, err), 0);
		assert_int_equal(f.npipe, FOS_PIPE_MAX);
		check_pm(&f, FOS_PIPE_MAX - 1, "P7f", 10 * FOS_PIPE_MAX, NULL);
		fos_flow_free(&f);
		free(text);
	}
}

static void test_alloc_name(void **state)
{
	static const struct {
		const char *path;
		const char *name;	/* NULL: none */
	} cases[] = {
		{ "web.alloc", "web" },
		{ "/a/b/web.v2.alloc", "web.v2" },
		{ "./my flow+1.txt", "my_flow_1" },
		{ "noext", "noext" },
		{ ".hidden", ".hidden" },
		{ "dir/", NULL },
		{ ".alloc/x.y", "x" },
		{ "/0123456789012345678901234567890123456789.alloc",
		  "0123456789012345678901234567890" },
	};
	char name[FOS_NAME_MAX + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!cases[i].name) {
			assert_int_equal(alloc_name_from_path(cases[i].path, name,
							      sizeof(name)), -1);
			continue;
		}
		assert_int_equal(alloc_name_from_path(cases[i].path, name,
						      sizeof(name)), 0);
		assert_string_equal(name, cases[i].name);
		assert_true(fos_name_ok(name));
	}
}

static void test_alloc_errors(void **state)
{
	static const struct {
		const char *text;
		const char *err;
	} cases[] = {
		{ "", "f:1: no FromNet(\"MATCH\") -> ... -> ToNet() chain" },
		{ "# nothing\n\nprio 1\n",
		  "f:3: no FromNet(\"MATCH\") -> ... -> ToNet() chain" },
		{ "prio 1\nprio 2\n", "f:2: duplicate \"prio\"" },
		{ "name a\nname b\n", "f:2: duplicate \"name\"" },
		{ "name\n", "f:1: missing value for \"name\"" },
		{ "name a/b\n",
		  "f:1: invalid flow name \"a/b\": 1 to 31 characters of A-Z a-z 0-9 _ . : -" },
		{ "\n\nstream sctp\n",
		  "f:3: invalid value \"sctp\" for \"stream\": expected \"ip\", \"tcp\" or \"udp\"" },
		{ "max-held\n", "f:1: missing value for \"max-held\"" },
		{ "hole-timeout -1\n",
		  "f:1: invalid value \"-1\" for \"hole-timeout\": must not be negative" },
		{ "frob 1\n", "f:1: unknown word \"frob\"" },
		{ "dport 80\n",
		  "f:1: \"dport\" is a match word: it goes in FromNet(\"...\")" },
		{ "A() -> ToNet()\n",
		  "f:1: the chain starts with FromNet(\"MATCH\")" },
		{ "FromNet() -> A() ->\n# the end\n",
		  "f:1: the chain goes on past the end of the file (a line ending with \"->\")" },
		{ "FromNet() -> ToNet()\nFromNet() -> ToNet()\n",
		  "f:2: a second chain: one flow per file" },
		{ "FromNet(\"proto tcp\")\n",
		  "f:1: the chain must end with -> ToNet()" },
		{ "FromNet() A() -> ToNet()\n", "f:1: expected \"->\"" },
		{ "FromNet -> ToNet()\n", "f:1: expected \"(\"" },
		{ "FromNet(\"a\" \"b\") -> ToNet()\n",
		  "f:1: expected \")\" after the argument of FromNet()" },
		{ "FromNet(x) -> ToNet()\n",
		  "f:1: expected a \"string\" or \")\" after FromNet(" },
		{ "FromNet(\"proto tcp\n", "f:1: unterminated string" },
		{ "FromNet(\"a\\nb\") -> ToNet()\n",
		  "f:1: unknown escape \"\\n\" in a string (only \\\" and \\\\)" },
		{ "FromNet() -> A() ; B()\n", "f:1: unexpected character \";\"" },
		{ "FromNet(\"proto tcp dport\") -> ToNet()\n",
		  "f:1: missing value for \"dport\"" },
		{ "FromNet(\"prio 1\") -> ToNet()\n",
		  "f:1: unknown match word \"prio\"" },
		{ "\nFromNet(\"dport 80\") -> ToNet()\n",
		  "f:2: \"dport\" needs proto tcp, udp, sctp or udplite" },
		{ "FromNet(\"src 10.0.0.1 dst ::1\") -> ToNet()\n",
		  "f:1: \"src\" and \"dst\" are not of the same address family" },
		{ "FromNet() ->\nA() ->\nFromNet() -> ToNet()\n",
		  "f:3: FromNet() can only start the chain" },
		{ "FromNet() ->\n  -> ToNet()\n",
		  "f:2: expected a PM, \"[\" or ToNet()" },
		{ "FromNet() -> [A(), ToNet()] -> ToNet()\n",
		  "f:1: ToNet() cannot be inside [...]" },
		{ "FromNet() -> [] -> ToNet()\n",
		  "f:1: expected a PM, NAME(\"ARGS\") or NAME()" },
		{ "FromNet() -> [A() B()] -> ToNet()\n",
		  "f:1: expected \",\" or \"]\"" },
		{ "FromNet() -> [A(),\n B()] -> ToNet()\n",
		  "f:2: only a line ending with \"->\" continues the chain" },
		{ "FromNet() -> A ->\n ToNet()\n", "f:1: expected \"(\"" },
		{ "FromNet() ->\n ToNet(\"x\")\n",
		  "f:2: ToNet() takes no arguments" },
		{ "FromNet() -> ToNet() -> A()\n",
		  "f:1: nothing may follow ToNet()" },
		{ "FromNet() -> abcdefghijklmnopqrstuvwxyz012345() -> ToNet()\n",
		  "f:1: invalid PM name \"abcdefghijklmnopqrstuvwxyz012345\": 1 to 31 characters of A-Z a-z 0-9 _ . : -" },
		{ "FromNet() -> A(\"x\") ->\n\n"
		  "B(\"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
		  "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
		  "01234567890123456789012345678901234567890123456789012345\") -> ToNet()\n",
		  "f:3: the arguments of B() are longer than 255 characters" },
	};
	struct fos_flow f;
	char err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse("f", cases[i].text, &f, err), -1);
		assert_string_equal(err, cases[i].err);
		assert_null(f.pipe);
	}
}

static void test_alloc_errors_other(void **state)
{
	struct fos_flow f;
	char err[512], *text;
	size_t i, n = 0;

	(void)state;
	/* A NUL byte, on line 2. */
	assert_int_equal(alloc_parse("f", "prio 1\nFrom\0Net()", 17, &f, err,
				     sizeof(err)), -1);
	assert_string_equal(err, "f:2: a NUL byte: not a text file");

	/* No name line and nothing left of the file name. */
	assert_int_equal(parse("dir/", "FromNet() -> ToNet()", &f, err), -1);
	assert_string_equal(err, "dir/:1: no name line, and no flow name in the file name");

	/* One PM too many. */
	text = malloc(16 + 8 * (FOS_PIPE_MAX + 1) + 16);
	n += sprintf(text, "FromNet()");
	for (i = 0; i <= FOS_PIPE_MAX; i++)
		n += sprintf(text + n, "->P%02zx()", i);
	sprintf(text + n, "->ToNet()");
	assert_int_equal(parse("many", text, &f, err), -1);
	assert_string_equal(err, "many:1: more than 128 PMs");
	free(text);

	/* 256 characters of arguments: the limit is 255. */
	text = malloc(300);
	n = sprintf(text, "FromNet() -> A(\"");
	memset(text + n, 'a', 255);
	n += 255;
	sprintf(text + n, "\") -> ToNet()");
	assert_int_equal(parse("f", text, &f, err), 0);
	assert_int_equal(strlen(f.pipe[0].args), 255);
	fos_flow_free(&f);
	free(text);

	/* A truncated error message is still a string. */
	assert_int_equal(alloc_parse("f", "frob 1", 6, &f, err, 8), -1);
	assert_string_equal(err, "f:1: un");
}

/* What a good file sends: one ADD_FLOW with MATCH and PIPELINE. */
static void test_alloc_message(void **state)
{
	static const char text[] =
		"name web\n"
		"FromNet(\"proto tcp dport 80\") -> A(\"x\") -> [B(), C()] -> ToNet()\n";
	const struct nlattr *flow, *attr, *att;
	uint32_t orders[3] = { 0 };
	const char *pms[3] = { 0 };
	char buf[1024], err[512];
	struct nlmsghdr *nlh;
	struct fos_flow f;
	int n = 0;

	(void)state;
	assert_int_equal(parse("web.alloc", text, &f, err), 0);
	memset(buf, 0, sizeof(buf));
	nlh = fs_nl_put_request(buf, 0x1f, FLOWSTREAM_CMD_ADD_FLOW,
				FLOWSTREAM_GENL_VERSION, 1);
	fos_flow_put(nlh, &f);
	flow = mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN);
	assert_int_equal(flow->nla_type, NLA_F_NESTED | FLOWSTREAM_A_FLOW);
	assert_ptr_equal((char *)flow + MNL_ALIGN(flow->nla_len),
			 (char *)nlh + nlh->nlmsg_len);
	mnl_attr_for_each_nested(attr, flow) {
		switch (mnl_attr_get_type(attr)) {
		case FLOWSTREAM_FLOW_A_NAME:
			assert_string_equal(mnl_attr_get_str(attr), "web");
			break;
		case FLOWSTREAM_FLOW_A_MATCH:
			assert_true(attr->nla_type & NLA_F_NESTED);
			break;
		case FLOWSTREAM_FLOW_A_PIPELINE:
			mnl_attr_for_each_nested(att, attr) {
				const struct nlattr *x;

				assert_true(n < 3);
				mnl_attr_for_each_nested(x, att) {
					if (mnl_attr_get_type(x) == FLOWSTREAM_ATT_A_PM)
						pms[n] = mnl_attr_get_str(x);
					if (mnl_attr_get_type(x) == FLOWSTREAM_ATT_A_ORDER)
						orders[n] = mnl_attr_get_u32(x);
				}
				n++;
			}
			break;
		default:
			fail_msg("unexpected attribute %u",
				 mnl_attr_get_type(attr));
		}
	}
	assert_int_equal(n, 3);
	assert_string_equal(pms[0], "A");
	assert_string_equal(pms[1], "B");
	assert_string_equal(pms[2], "C");
	assert_int_equal(orders[0], 10);
	assert_int_equal(orders[1], 20);
	assert_int_equal(orders[2], 20);
	fos_flow_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_good),
		cmocka_unit_test(test_alloc_minimal),
		cmocka_unit_test(test_alloc_name),
		cmocka_unit_test(test_alloc_errors),
		cmocka_unit_test(test_alloc_errors_other),
		cmocka_unit_test(test_alloc_message),
	};

	return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}

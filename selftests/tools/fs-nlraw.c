// SPDX-License-Identifier: GPL-2.0
/*
 * fs-nlraw: send one raw request to the flowstream generic netlink family
 * and print the kernel's answer, for selftests that need messages flowctl
 * would never build (wrong lengths, unknown types, bad nests).
 *
 *	fs-nlraw [-n NETNS] [-d] CMD [ATTR...]
 *
 * CMD is a number or get_version, get_status, get_config, set_config,
 * reset_stats. Each ATTR is one of
 *
 *	TYPE:u8:N  TYPE:u16:N  TYPE:u32:N  TYPE:u64:N
 *	TYPE:str:TEXT		string with its terminating NUL
 *	TYPE:flag		no payload
 *	TYPE:bin:HEX		raw payload, e.g. 0102ff (may be empty)
 *	nest:TYPE ... end	a nest (NLA_F_NESTED is set)
 *
 * TYPE and N are decimal or 0x hexadecimal; TYPE may carry NLA_F_* bits
 * (up to 0xffff). The request has NLM_F_REQUEST | NLM_F_ACK, extended ACKs
 * are enabled, and the answer is printed as one line:
 *
 *	errno=N extack="MESSAGE" [offset=N] [miss_type=N] [miss_nest=N]
 *
 * errno is positive (0 for an ACK); offset (NLMSGERR_ATTR_OFFS) counts
 * bytes from the start of the request's struct nlmsghdr, so the first
 * attribute is at offset 20. Reply data messages are not printed.
 *
 * With -d the request is a dump (NLM_F_DUMP) and fs-nlraw reads only the
 * first datagram of the answer, prints "first=BYTES" and exits: a reader
 * that goes away in the middle of a dump (an error is printed as above).
 *
 * Exit status: 0 if the kernel answered (whatever errno), 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/flowstream.h>

#include "nl.h"
#include "parse.h"

#define MAX_NEST	16

static struct fs_nl nl;

static const char *const cmd_names[] = {
	[FLOWSTREAM_CMD_GET_VERSION]	= "get_version",
	[FLOWSTREAM_CMD_GET_STATUS]	= "get_status",
	[FLOWSTREAM_CMD_GET_CONFIG]	= "get_config",
	[FLOWSTREAM_CMD_SET_CONFIG]	= "set_config",
	[FLOWSTREAM_CMD_RESET_STATS]	= "reset_stats",
};

static void usage(void)
{
	fputs("Usage: fs-nlraw [-n NETNS] [-d] CMD [ATTR...]\n"
	      "CMD  := NUMBER | get_version | get_status | get_config |\n"
	      "        set_config | reset_stats\n"
	      "ATTR := TYPE:{u8|u16|u32|u64}:NUMBER | TYPE:str:TEXT |\n"
	      "        TYPE:flag | TYPE:bin:HEX | nest:TYPE | end\n", stderr);
}

static int fail(const char *fmt, const char *arg)
{
	fputs("fs-nlraw: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

static int parse_cmd(const char *arg, uint8_t *cmd)
{
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++) {
		if (cmd_names[i] && !strcmp(arg, cmd_names[i])) {
			*cmd = i;
			return 0;
		}
	}
	if (parse_uint(arg, UINT8_MAX, &v) != PARSE_OK)
		return -1;
	*cmd = v;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Add one TYPE:KIND[:VALUE] attribute; returns 0 or -1. */
static int put_attr(struct nlmsghdr *nlh, char *spec)
{
	static unsigned char bin[UINT16_MAX];
	char *kind, *val;
	uint64_t type, v;
	size_t i, len;

	kind = strchr(spec, ':');
	if (!kind)
		return -1;
	*kind++ = '\0';
	val = strchr(kind, ':');
	if (val)
		*val++ = '\0';
	if (parse_uint(spec, UINT16_MAX, &type) != PARSE_OK)
		return -1;

	if (!strcmp(kind, "flag")) {
		if (val && *val)
			return -1;
		return mnl_attr_put_check(nlh, FS_NL_SEND_SIZE, type, 0,
					  bin) ? 0 : -1;
	}
	if (!val)
		return -1;
	if (!strcmp(kind, "str"))
		return mnl_attr_put_strz_check(nlh, FS_NL_SEND_SIZE, type,
					       val) ? 0 : -1;
	if (!strcmp(kind, "bin")) {
		len = strlen(val);
		if (len % 2 || len / 2 > sizeof(bin))
			return -1;
		for (i = 0; i < len / 2; i++) {
			int hi = hexval(val[2 * i]), lo = hexval(val[2 * i + 1]);

			if (hi < 0 || lo < 0)
				return -1;
			bin[i] = hi << 4 | lo;
		}
		return mnl_attr_put_check(nlh, FS_NL_SEND_SIZE, type, len / 2,
					  bin) ? 0 : -1;
	}
	if (!strcmp(kind, "u8") && parse_uint(val, UINT8_MAX, &v) == PARSE_OK)
		return mnl_attr_put_u8_check(nlh, FS_NL_SEND_SIZE, type, v) ?
			0 : -1;
	if (!strcmp(kind, "u16") && parse_uint(val, UINT16_MAX, &v) == PARSE_OK)
		return mnl_attr_put_u16_check(nlh, FS_NL_SEND_SIZE, type, v) ?
			0 : -1;
	if (!strcmp(kind, "u32") && parse_uint(val, UINT32_MAX, &v) == PARSE_OK)
		return mnl_attr_put_u32_check(nlh, FS_NL_SEND_SIZE, type, v) ?
			0 : -1;
	if (!strcmp(kind, "u64") && parse_uint(val, UINT64_MAX, &v) == PARSE_OK)
		return mnl_attr_put_u64_check(nlh, FS_NL_SEND_SIZE, type, v) ?
			0 : -1;
	return -1;
}

/* The extack message, quoted: '"', '\\' and non-printables escaped. */
static void print_quoted(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('"');
}

int main(int argc, char **argv)
{
	struct nlattr *nest[MAX_NEST];
	struct fs_ext_ack ack;
	struct nlmsghdr *nlh;
	int opt, depth = 0, i, ret;
	bool dump_first = false;
	uint8_t cmd;

	while ((opt = getopt(argc, argv, "+n:dh")) != -1) {
		switch (opt) {
		case 'd':
			dump_first = true;
			break;
		case 'n':
			if (!fs_netns_name_ok(optarg))
				return fail("invalid network namespace name \"%s\"",
					    optarg);
			nl.netns = optarg;
			break;
		default:
			usage();
			return 1;
		}
	}
	if (optind >= argc) {
		usage();
		return 1;
	}
	if (parse_cmd(argv[optind], &cmd))
		return fail("invalid command \"%s\"", argv[optind]);

	nlh = fs_nl_req(&nl, cmd);
	if (!nlh)
		return 1;
	for (i = optind + 1; i < argc; i++) {
		char *arg = argv[i];
		uint64_t type;

		if (!strcmp(arg, "end")) {
			if (!depth)
				return fail("\"%s\" without \"nest:TYPE\"", arg);
			mnl_attr_nest_end(nlh, nest[--depth]);
		} else if (!strncmp(arg, "nest:", 5)) {
			if (parse_uint(arg + 5, UINT16_MAX, &type) != PARSE_OK)
				return fail("invalid attribute \"%s\"", arg);
			if (depth == MAX_NEST)
				return fail("nests too deep at \"%s\"", arg);
			nest[depth] = mnl_attr_nest_start_check(nlh,
								FS_NL_SEND_SIZE,
								type);
			if (!nest[depth++])
				return fail("message too long at \"%s\"", arg);
		} else {
			char *copy = strdup(arg);

			ret = copy ? put_attr(nlh, copy) : -1;
			free(copy);
			if (ret)
				return fail("invalid attribute \"%s\"", arg);
		}
	}
	if (depth)
		return fail("%s", "unterminated \"nest:TYPE\" (missing \"end\")");

	if (dump_first) {
		static char rbuf[1 << 16];
		ssize_t n;

		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		if (mnl_socket_sendto(nl.sock, nlh, nlh->nlmsg_len) < 0)
			return fail("send: %s", strerror(errno));
		n = mnl_socket_recvfrom(nl.sock, rbuf, sizeof(rbuf));
		if (n < 0)
			return fail("receive: %s", strerror(errno));
		memset(&ack, 0, sizeof(ack));
		ret = fs_nl_process(rbuf, n, nlh->nlmsg_seq, nl.portid, NULL,
				    NULL, &ack);
		fs_nl_close(&nl);
		if (ret > 0 || !ack.error) {
			printf("first=%zd\n", n);
			return fflush(stdout) ? 1 : 0;
		}
	} else {
		ret = fs_nl_transact(&nl, nlh, NULL, NULL, &ack);
		fs_nl_close(&nl);
	}
	if (ret && !ack.error)
		return fail("%s", strerror(-ret));
	printf("errno=%d extack=", ack.error);
	print_quoted(ack.msg);
	if (ack.has_offs)
		printf(" offset=%u", ack.offs);
	if (ack.has_miss_type)
		printf(" miss_type=%u", ack.miss_type);
	if (ack.has_miss_nest)
		printf(" miss_nest=%u", ack.miss_nest);
	putchar('\n');
	return fflush(stdout) ? 1 : 0;
}

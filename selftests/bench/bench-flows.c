// SPDX-License-Identifier: GPL-2.0
/*
 * bench-flows: add many FlowOS flows over one netlink socket, for the
 * classifier rows of "make bench" (a flowctl process per flow takes
 * milliseconds to start under emulation).
 *
 *	bench-flows [-n NETNS] add FIRST COUNT
 *	bench-flows [-n NETNS] del FIRST COUNT
 *
 * Adds flows FIRST .. FIRST + COUNT - 1, named "cls-I", of priority 100,
 * none of which the bench's traffic (UDP from 10.1.0.1-8, source ports
 * 10000-10124, to 10.0.2.2 port 9) matches. Flow I has one of four match
 * shapes, I % 4, with J = I / 4 (J < 10000) making it distinct from the
 * others of its shape:
 *
 *	0  proto udp, sport 30000 + J				(any family)
 *	1  family inet, proto udp, src 172.16.0.0 + J, sport 10000
 *	2  family inet, proto tcp, src 172.20.0.0 + J, sport 1024
 *	3  family inet, proto udp, dst 10.0.2.2, sport 50000 + J, dport 9
 *
 * Every shape has a field the traffic's flows differ in (the source port,
 * the source address), so the traffic's keys, masked by a group's mask,
 * spread over the group's buckets: a lookup's cost is the average over
 * the buckets, not the length of the one chain the hash seed (random for
 * each build) happened to put the traffic in. "del" deletes the same
 * flows by name.
 * so the classifier has four mask groups (tuple-space search) from four
 * flows on, whatever COUNT. Stops at the first error, which it prints as
 * flowctl does. Exit status 0 if every request succeeded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/flowstream.h>

#include "nl.h"

static struct fs_nl nl;

static int usage(void)
{
	fputs("Usage: bench-flows [-n NETNS] { add | del } FIRST COUNT\n",
	      stderr);
	return 2;
}

static void put_addr(struct nlmsghdr *nlh, uint16_t attr, uint16_t len_attr,
		     uint32_t host, uint8_t len)
{
	uint32_t a = htonl(host);

	mnl_attr_put(nlh, attr, sizeof(a), &a);
	mnl_attr_put_u8(nlh, len_attr, len);
}

static void put_match(struct nlmsghdr *nlh, unsigned long i)
{
	uint32_t j = i / 4;
	struct nlattr *m;

	m = mnl_attr_nest_start(nlh, FLOWSTREAM_FLOW_A_MATCH);
	switch (i % 4) {
	case 0:
		mnl_attr_put_u8(nlh, FLOWSTREAM_MATCH_A_PROTO, IPPROTO_UDP);
		mnl_attr_put_u16(nlh, FLOWSTREAM_MATCH_A_SPORT, 30000 + j);
		break;
	case 1:
		mnl_attr_put_u8(nlh, FLOWSTREAM_MATCH_A_FAMILY, AF_INET);
		mnl_attr_put_u8(nlh, FLOWSTREAM_MATCH_A_PROTO, IPPROTO_UDP);
		put_addr(nlh, FLOWSTREAM_MATCH_A_SRC, FLOWSTREAM_MATCH_A_SRC_LEN,
			 0xac100000 + j, 32);
		mnl_attr_put_u16(nlh, FLOWSTREAM_MATCH_A_SPORT, 10000);
		break;
	case 2:
		mnl_attr_put_u8(nlh, FLOWSTREAM_MATCH_A_FAMILY, AF_INET);
		mnl_attr_put_u8(nlh, FLOWSTREAM_MATCH_A_PROTO, IPPROTO_TCP);
		put_addr(nlh, FLOWSTREAM_MATCH_A_SRC, FLOWSTREAM_MATCH_A_SRC_LEN,
			 0xac140000 + j, 32);
		mnl_attr_put_u16(nlh, FLOWSTREAM_MATCH_A_SPORT, 1024);
		break;
	default:
		mnl_attr_put_u8(nlh, FLOWSTREAM_MATCH_A_FAMILY, AF_INET);
		mnl_attr_put_u8(nlh, FLOWSTREAM_MATCH_A_PROTO, IPPROTO_UDP);
		put_addr(nlh, FLOWSTREAM_MATCH_A_DST, FLOWSTREAM_MATCH_A_DST_LEN,
			 0x0a000202, 32);
		mnl_attr_put_u16(nlh, FLOWSTREAM_MATCH_A_SPORT, 50000 + j);
		mnl_attr_put_u16(nlh, FLOWSTREAM_MATCH_A_DPORT, 9);
		break;
	}
	mnl_attr_nest_end(nlh, m);
}

int main(int argc, char **argv)
{
	unsigned long first, count, i;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	char name[32], *end;
	bool add;
	int opt;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n')
			return usage();
		nl.netns = optarg;
	}
	argc -= optind;
	argv += optind;
	if (argc != 3)
		return usage();
	add = !strcmp(argv[0], "add");
	if (!add && strcmp(argv[0], "del"))
		return usage();
	first = strtoul(argv[1], &end, 10);
	if (*end)
		return usage();
	count = strtoul(argv[2], &end, 10);
	if (*end || first + count > 4 * 10000UL)
		return usage();
	for (i = first; i < first + count; i++) {
		nlh = fs_nl_req(&nl, add ? FLOWSTREAM_CMD_ADD_FLOW :
				     FLOWSTREAM_CMD_DEL_FLOW);
		if (!nlh)
			return 1;
		snprintf(name, sizeof(name), "cls-%lu", i);
		nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_FLOW);
		mnl_attr_put_strz(nlh, FLOWSTREAM_FLOW_A_NAME, name);
		if (add) {
			mnl_attr_put_u32(nlh, FLOWSTREAM_FLOW_A_PRIO, 100);
			put_match(nlh, i);
		}
		mnl_attr_nest_end(nlh, nest);
		if (fs_nl_run(&nl, nlh, NULL, NULL)) {
			fprintf(stderr, "bench-flows: at flow %lu (%lu of %lu)\n",
				i, i - first + 1, count);
			return 1;
		}
	}
	fs_nl_close(&nl);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * bench-prefixes: add or remove many consecutive IPv4 prefixes of the prefix
 * sampler over one netlink socket, for "make bench". Under emulation a
 * flowctl process per prefix takes milliseconds to start, and the benchmark
 * adds 10,000 prefixes in every round.
 *
 *	bench-prefixes [-n NETNS] add ADDR/LEN COUNT DEPTH
 *	bench-prefixes [-n NETNS] del ADDR/LEN COUNT
 *
 * COUNT prefixes of length LEN, the first at ADDR, each the next block of
 * 2^(32 - LEN) addresses; added with DEPTH. Stops at the first error, which
 * it prints as flowctl does. Exit status 0 if every request succeeded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/flowstream.h>

#include "nl.h"

static struct fs_nl nl;

static int usage(void)
{
	fputs("Usage: bench-prefixes [-n NETNS] add ADDR/LEN COUNT DEPTH\n"
	      "       bench-prefixes [-n NETNS] del ADDR/LEN COUNT\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	unsigned long count, len, depth = 0, i;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct in_addr a;
	char *slash, *end;
	uint32_t base;
	bool add;
	int opt;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n')
			return usage();
		nl.netns = optarg;
	}
	argc -= optind;
	argv += optind;
	if (argc < 3)
		return usage();
	add = !strcmp(argv[0], "add");
	if (!add && strcmp(argv[0], "del"))
		return usage();
	if (argc != (add ? 4 : 3))
		return usage();
	slash = strchr(argv[1], '/');
	if (!slash)
		return usage();
	*slash = '\0';
	if (inet_pton(AF_INET, argv[1], &a) != 1)
		return usage();
	len = strtoul(slash + 1, &end, 10);
	if (*end || len < 1 || len > 32)
		return usage();
	count = strtoul(argv[2], &end, 10);
	if (*end)
		return usage();
	if (add) {
		depth = strtoul(argv[3], &end, 10);
		if (*end || depth > 255)
			return usage();
	}
	base = ntohl(a.s_addr);
	for (i = 0; i < count; i++) {
		uint32_t addr = htonl(base + (uint32_t)(i << (32 - len)));

		nlh = fs_nl_req(&nl, add ? FLOWSTREAM_CMD_ADD_PREFIX :
				     FLOWSTREAM_CMD_DEL_PREFIX);
		if (!nlh)
			return 1;
		nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_PREFIX);
		mnl_attr_put_u8(nlh, FLOWSTREAM_PFX_A_FAMILY, AF_INET);
		mnl_attr_put(nlh, FLOWSTREAM_PFX_A_ADDR, sizeof(addr), &addr);
		mnl_attr_put_u8(nlh, FLOWSTREAM_PFX_A_LEN, len);
		if (add)
			mnl_attr_put_u8(nlh, FLOWSTREAM_PFX_A_DEPTH, depth);
		mnl_attr_nest_end(nlh, nest);
		if (fs_nl_run(&nl, nlh, NULL, NULL)) {
			fprintf(stderr, "bench-prefixes: at prefix %lu of %lu\n",
				i + 1, count);
			return 1;
		}
	}
	fs_nl_close(&nl);
	return 0;
}

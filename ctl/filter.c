// SPDX-License-Identifier: GPL-2.0
/*
 * The record filter (FLOWSTREAM_A_FILTER) of "records" and "records flush":
 *
 *	FILTER := { family { inet | inet6 } | prefix ADDR[/LEN] |
 *		    proto PROTO | port PORT | dev IFNAME | ifindex N } ...
 *
 * Interface names are resolved by the command once it is in the target
 * network namespace (resolve_dev()).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>

#include "flowctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *word;
	uint16_t attr;			/* FLOWSTREAM_FLT_A_* */
} filter_words[] = {
	{ "family",	FLOWSTREAM_FLT_A_FAMILY },
	{ "prefix",	FLOWSTREAM_FLT_A_PREFIX },
	{ "proto",	FLOWSTREAM_FLT_A_PROTO },
	{ "port",	FLOWSTREAM_FLT_A_PORT },
	{ "dev",	FLOWSTREAM_FLT_A_IFINDEX },
	{ "ifindex",	FLOWSTREAM_FLT_A_IFINDEX },
};

/* The family of the prefix and the one given with "family" must agree. */
static int set_family(struct fs_filter *flt, uint8_t family,
		      const char *object)
{
	if ((flt->present & REC_BIT(FLOWSTREAM_FLT_A_FAMILY)) &&
	    flt->family != family)
		return -usage_error(object,
				    "\"family\" and the address of \"prefix\" disagree");
	flt->family = family;
	flt->present |= REC_BIT(FLOWSTREAM_FLT_A_FAMILY);
	return 0;
}

/* Clear the bits of @addr (@bytes long) after the first @len. */
static void mask_prefix(uint8_t *addr, unsigned int bytes, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < bytes; i++) {
		if (len >= (i + 1) * 8)
			continue;
		addr[i] &= len > i * 8 ? 0xff << (8 - (len - i * 8)) : 0;
	}
}

/* ADDR/LEN, or ADDR for a host; host bits are cleared. */
static int parse_prefix(const char *arg, struct fs_filter *flt,
			const char *object)
{
	const char *slash = strchr(arg, '/');
	size_t alen = slash ? (size_t)(slash - arg) : strlen(arg);
	char addr[INET6_ADDRSTRLEN + 1];
	unsigned int bits;
	uint8_t family;
	uint64_t len;

	if (alen >= sizeof(addr))
		goto bad;
	memcpy(addr, arg, alen);
	addr[alen] = '\0';
	if (parse_addr(addr, &family, flt->prefix) < 0)
		goto bad;
	bits = family == AF_INET ? 32 : 128;
	if (!slash)
		len = bits;
	else if (parse_uint(slash + 1, bits, &len) != PARSE_OK)
		return -usage_error(object,
				    "invalid prefix length in \"%s\": not a number 0..%u",
				    arg, bits);
	mask_prefix(flt->prefix, bits / 8, len);
	flt->prefix_len = len;
	flt->present |= REC_BIT(FLOWSTREAM_FLT_A_PREFIX) |
			REC_BIT(FLOWSTREAM_FLT_A_PREFIX_LEN);
	return set_family(flt, family, object);
bad:
	return -usage_error(object,
			    "invalid prefix \"%s\": not an IPv4 or IPv6 ADDR/LEN",
			    arg);
}

/* A number up to @max for word @what; 0 or -EXIT_USAGE. */
static int parse_num(const char *object, const char *what, const char *arg,
		     uint64_t max, uint64_t *val)
{
	enum parse_err err = parse_uint(arg, max, val);
	char msg[256];

	if (err == PARSE_OK)
		return 0;
	parse_errmsg(msg, sizeof(msg), what, arg, err, max);
	return -usage_error(object, "%s", msg);
}

/*
 * Parse the filter word argv[0] and its value into @flt. Returns the
 * number of words used (2), 0 if argv[0] is no filter word, or
 * -EXIT_USAGE after a message pointing to @object's help.
 */
int filter_parse_word(int argc, char **argv, struct fs_filter *flt,
		      const char *object)
{
	uint64_t val;
	uint8_t family;
	uint16_t attr;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(filter_words); i++)
		if (!strcmp(argv[0], filter_words[i].word))
			break;
	if (i == ARRAY_SIZE(filter_words))
		return 0;
	attr = filter_words[i].attr;
	if (argc < 2)
		return -usage_error(object, "missing value for \"%s\"",
				    argv[0]);
	if (flt->words & REC_BIT(attr)) {
		if (attr == FLOWSTREAM_FLT_A_IFINDEX)
			return -usage_error(object,
					    "only one of \"dev\" and \"ifindex\"");
		return -usage_error(object, "duplicate \"%s\"", argv[0]);
	}
	flt->words |= REC_BIT(attr);

	switch (attr) {
	case FLOWSTREAM_FLT_A_FAMILY:
		if (fs_family_parse(argv[1], &family) < 0)
			return -usage_error(object,
					    "invalid value \"%s\" for \"family\": expected \"inet\" or \"inet6\"",
					    argv[1]);
		ret = set_family(flt, family, object);
		if (ret)
			return ret;
		break;
	case FLOWSTREAM_FLT_A_PREFIX:
		ret = parse_prefix(argv[1], flt, object);
		if (ret)
			return ret;
		break;
	case FLOWSTREAM_FLT_A_PROTO:
		if (fs_proto_parse(argv[1], &flt->proto) < 0)
			return -usage_error(object,
					    "invalid value \"%s\" for \"proto\": not a protocol name or a number 0..255",
					    argv[1]);
		break;
	case FLOWSTREAM_FLT_A_PORT:
		ret = parse_num(object, "port", argv[1], UINT16_MAX, &val);
		if (ret)
			return ret;
		flt->port = val;
		break;
	case FLOWSTREAM_FLT_A_IFINDEX:
		if (!strcmp(argv[0], "dev")) {
			if (!argv[1][0] || strlen(argv[1]) >= IF_NAMESIZE)
				return -usage_error(object,
						    "invalid device name \"%s\"",
						    argv[1]);
			flt->dev = argv[1];
			break;
		}
		ret = parse_num(object, "ifindex", argv[1], UINT32_MAX, &val);
		if (ret)
			return ret;
		flt->ifindex = val;
		break;
	}
	flt->present |= REC_BIT(attr);
	return 2;
}

/* Append FLOWSTREAM_A_FILTER to @nlh, unless the filter is empty. */
void filter_put(struct nlmsghdr *nlh, const struct fs_filter *flt)
{
	struct nlattr *nest;

	if (!flt->present)
		return;
	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_FILTER);
	if (flt->present & REC_BIT(FLOWSTREAM_FLT_A_FAMILY))
		mnl_attr_put_u8(nlh, FLOWSTREAM_FLT_A_FAMILY, flt->family);
	if (flt->present & REC_BIT(FLOWSTREAM_FLT_A_PREFIX))
		mnl_attr_put(nlh, FLOWSTREAM_FLT_A_PREFIX,
			     flt->family == AF_INET ? 4 : 16, flt->prefix);
	if (flt->present & REC_BIT(FLOWSTREAM_FLT_A_PREFIX_LEN))
		mnl_attr_put_u8(nlh, FLOWSTREAM_FLT_A_PREFIX_LEN,
				flt->prefix_len);
	if (flt->present & REC_BIT(FLOWSTREAM_FLT_A_PROTO))
		mnl_attr_put_u8(nlh, FLOWSTREAM_FLT_A_PROTO, flt->proto);
	if (flt->present & REC_BIT(FLOWSTREAM_FLT_A_PORT))
		mnl_attr_put_u16(nlh, FLOWSTREAM_FLT_A_PORT, flt->port);
	if (flt->present & REC_BIT(FLOWSTREAM_FLT_A_IFINDEX))
		mnl_attr_put_u32(nlh, FLOWSTREAM_FLT_A_IFINDEX, flt->ifindex);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * The index of interface @dev in the current network namespace. Returns 0,
 * or 1 (an exit status) after a message.
 */
int resolve_dev(const char *dev, uint32_t *ifindex)
{
	unsigned int idx = if_nametoindex(dev);

	if (!idx) {
		fprintf(stderr, "Error: cannot find device \"%s\"\n", dev);
		return 1;
	}
	*ifindex = idx;
	return 0;
}

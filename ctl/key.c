// SPDX-License-Identifier: GPL-2.0
/*
 * The key of a GET_RECORD (do) request, "record get":
 *
 *	proto PROTO src ADDR dst ADDR [ sport PORT dport PORT |
 *	type TYPE code CODE ] [ iif IFNAME | ifindex N ]
 *
 * Ports, type and code not given are 0, and so is the ingress interface
 * (locally generated packets). The family comes from the addresses.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <sys/socket.h>

#include "flowctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *word;
	uint16_t attr;			/* FLOWSTREAM_REC_A_* */
	uint64_t max;			/* for numbers */
} key_words[] = {
	{ "proto",	FLOWSTREAM_REC_A_PROTO,		0 },
	{ "src",	FLOWSTREAM_REC_A_SRC,		0 },
	{ "dst",	FLOWSTREAM_REC_A_DST,		0 },
	{ "sport",	FLOWSTREAM_REC_A_SPORT,		UINT16_MAX },
	{ "dport",	FLOWSTREAM_REC_A_DPORT,		UINT16_MAX },
	{ "type",	FLOWSTREAM_REC_A_ICMP_TYPE,	UINT8_MAX },
	{ "code",	FLOWSTREAM_REC_A_ICMP_CODE,	UINT8_MAX },
	{ "iif",	FLOWSTREAM_REC_A_IIF,		0 },
	{ "ifindex",	FLOWSTREAM_REC_A_IIF,		UINT32_MAX },
};

static int key_word(struct fs_rec_key *key, size_t w, const char *arg,
		    uint8_t *dst_family)
{
	struct fs_record *rec = &key->rec;
	uint16_t attr = key_words[w].attr;
	enum parse_err err;
	char msg[256];
	uint8_t family;
	uint64_t val;

	switch (attr) {
	case FLOWSTREAM_REC_A_PROTO:
		if (fs_proto_parse(arg, &rec->proto) < 0)
			return usage_error("record",
					   "invalid value \"%s\" for \"proto\": not a protocol name or a number 0..255",
					   arg);
		return 0;
	case FLOWSTREAM_REC_A_SRC:
	case FLOWSTREAM_REC_A_DST:
		if (parse_addr(arg, &family, attr == FLOWSTREAM_REC_A_SRC ?
			       rec->src : rec->dst) < 0)
			return usage_error("record",
					   "invalid value \"%s\" for \"%s\": not an IPv4 or IPv6 address",
					   arg, key_words[w].word);
		if (attr == FLOWSTREAM_REC_A_SRC)
			rec->family = family;
		else
			*dst_family = family;
		return 0;
	case FLOWSTREAM_REC_A_IIF:
		if (!key_words[w].max) {
			if (!arg[0] || strlen(arg) >= IF_NAMESIZE)
				return usage_error("record",
						   "invalid device name \"%s\"",
						   arg);
			key->dev = arg;
			return 0;
		}
		break;
	}
	err = parse_uint(arg, key_words[w].max, &val);
	if (err != PARSE_OK) {
		parse_errmsg(msg, sizeof(msg), key_words[w].word, arg, err,
			     key_words[w].max);
		return usage_error("record", "%s", msg);
	}
	switch (attr) {
	case FLOWSTREAM_REC_A_SPORT:
		rec->sport = val;
		break;
	case FLOWSTREAM_REC_A_DPORT:
		rec->dport = val;
		break;
	case FLOWSTREAM_REC_A_ICMP_TYPE:
		rec->icmp_type = val;
		break;
	case FLOWSTREAM_REC_A_ICMP_CODE:
		rec->icmp_code = val;
		break;
	case FLOWSTREAM_REC_A_IIF:
		rec->iif = val;
		break;
	}
	return 0;
}

/* Parse "record get" arguments into @key; returns 0 or EXIT_USAGE. */
int rec_key_parse_args(int argc, char **argv, struct fs_rec_key *key)
{
	const uint32_t ports = REC_BIT(FLOWSTREAM_REC_A_SPORT) |
			       REC_BIT(FLOWSTREAM_REC_A_DPORT);
	const uint32_t icmp = REC_BIT(FLOWSTREAM_REC_A_ICMP_TYPE) |
			      REC_BIT(FLOWSTREAM_REC_A_ICMP_CODE);
	struct fs_record *rec = &key->rec;
	uint8_t dst_family = 0;
	size_t w;
	int i, ret;

	memset(key, 0, sizeof(*key));
	for (i = 0; i < argc; i += 2) {
		for (w = 0; w < ARRAY_SIZE(key_words); w++)
			if (!strcmp(argv[i], key_words[w].word))
				break;
		if (w == ARRAY_SIZE(key_words))
			return usage_error("record", "unknown argument \"%s\"",
					   argv[i]);
		if (i + 1 >= argc)
			return usage_error("record", "missing value for \"%s\"",
					   argv[i]);
		if (rec->seen & REC_BIT(key_words[w].attr)) {
			if (key_words[w].attr == FLOWSTREAM_REC_A_IIF)
				return usage_error("record",
						   "only one of \"iif\" and \"ifindex\"");
			return usage_error("record", "duplicate \"%s\"", argv[i]);
		}
		ret = key_word(key, w, argv[i + 1], &dst_family);
		if (ret)
			return ret;
		rec->seen |= REC_BIT(key_words[w].attr);
	}
	if (!(rec->seen & REC_BIT(FLOWSTREAM_REC_A_PROTO)))
		return usage_error("record", "missing \"proto\"");
	if (!(rec->seen & REC_BIT(FLOWSTREAM_REC_A_SRC)))
		return usage_error("record", "missing \"src\"");
	if (!(rec->seen & REC_BIT(FLOWSTREAM_REC_A_DST)))
		return usage_error("record", "missing \"dst\"");
	if (rec->family != dst_family)
		return usage_error("record",
				   "\"src\" and \"dst\" are not of the same address family");
	if (fs_proto_is_icmp(rec->proto) && (rec->seen & ports))
		return usage_error("record",
				   "\"sport\" and \"dport\" do not go with an ICMP protocol: use \"type\" and \"code\"");
	if (!fs_proto_is_icmp(rec->proto) && (rec->seen & icmp))
		return usage_error("record",
				   "\"type\" and \"code\" need proto icmp or icmpv6");
	rec->seen |= REC_BIT(FLOWSTREAM_REC_A_FAMILY);
	return 0;
}

/*
 * Append FLOWSTREAM_A_RECORD with the whole key of @rec: family, addresses,
 * protocol, ICMP type and code or ports, ingress interface.
 */
void rec_key_put(struct nlmsghdr *nlh, const struct fs_record *rec)
{
	size_t alen = rec->family == AF_INET ? 4 : 16;
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_RECORD);
	mnl_attr_put_u8(nlh, FLOWSTREAM_REC_A_FAMILY, rec->family);
	mnl_attr_put(nlh, FLOWSTREAM_REC_A_SRC, alen, rec->src);
	mnl_attr_put(nlh, FLOWSTREAM_REC_A_DST, alen, rec->dst);
	mnl_attr_put_u8(nlh, FLOWSTREAM_REC_A_PROTO, rec->proto);
	if (fs_proto_is_icmp(rec->proto)) {
		mnl_attr_put_u8(nlh, FLOWSTREAM_REC_A_ICMP_TYPE, rec->icmp_type);
		mnl_attr_put_u8(nlh, FLOWSTREAM_REC_A_ICMP_CODE, rec->icmp_code);
	} else {
		mnl_attr_put_u16(nlh, FLOWSTREAM_REC_A_SPORT, rec->sport);
		mnl_attr_put_u16(nlh, FLOWSTREAM_REC_A_DPORT, rec->dport);
	}
	mnl_attr_put_u32(nlh, FLOWSTREAM_REC_A_IIF, rec->iif);
	mnl_attr_nest_end(nlh, nest);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The match of a FlowOS flow (FLOWSTREAM_FLOW_A_MATCH), in the words of
 * "flow add" and of FromNet("...") in an allocation request:
 *
 *	iif DEV | family { inet | inet6 } | proto PROTO | src PREFIX |
 *	dst PREFIX | sport PORT | dport PORT | dscp N
 *
 * each at most once; a PREFIX is ADDR[/LEN] and gives the family. The
 * address is sent as written: the module refuses host bits set past LEN.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "flowctl.h"
#include "fos.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *word;
	uint16_t attr;			/* FLOWSTREAM_MATCH_A_* */
	uint64_t max;			/* for numbers */
} match_words[] = {
	{ "iif",	FLOWSTREAM_MATCH_A_IIF,		0 },
	{ "family",	FLOWSTREAM_MATCH_A_FAMILY,	0 },
	{ "proto",	FLOWSTREAM_MATCH_A_PROTO,	0 },
	{ "src",	FLOWSTREAM_MATCH_A_SRC,		0 },
	{ "dst",	FLOWSTREAM_MATCH_A_DST,		0 },
	{ "sport",	FLOWSTREAM_MATCH_A_SPORT,	UINT16_MAX },
	{ "dport",	FLOWSTREAM_MATCH_A_DPORT,	UINT16_MAX },
	{ "dscp",	FLOWSTREAM_MATCH_A_DSCP,	63 },
};

/* ADDR[/LEN] into @family, @addr (as written) and @len; 0 or -1. */
static int parse_prefix(const char *arg, uint8_t *family, uint8_t addr[16],
			uint8_t *len)
{
	const char *slash = strchr(arg, '/');
	size_t alen = slash ? (size_t)(slash - arg) : strlen(arg);
	char buf[INET6_ADDRSTRLEN + 1];
	unsigned int bits;
	uint64_t v;

	if (alen >= sizeof(buf))
		return -1;
	memcpy(buf, arg, alen);
	buf[alen] = '\0';
	if (parse_addr(buf, family, addr) < 0)
		return -1;
	bits = *family == AF_INET ? 32 : 128;
	if (!slash)
		v = bits;
	else if (parse_uint(slash + 1, bits, &v) != PARSE_OK)
		return -1;
	*len = v;
	return 0;
}

static int match_value(struct fos_match *m, size_t w, const char *arg,
		       char *err, size_t errlen)
{
	uint16_t attr = match_words[w].attr;
	const char *word = match_words[w].word;
	enum parse_err perr;
	uint64_t val;

	switch (attr) {
	case FLOWSTREAM_MATCH_A_IIF:
		if (!arg[0] || strlen(arg) >= IF_NAMESIZE) {
			snprintf(err, errlen, "invalid device name \"%s\"", arg);
			return -1;
		}
		snprintf(m->dev, sizeof(m->dev), "%s", arg);
		return 0;
	case FLOWSTREAM_MATCH_A_FAMILY:
		if (fs_family_parse(arg, &m->word_family) < 0) {
			snprintf(err, errlen,
				 "invalid value \"%s\" for \"family\": expected \"inet\" or \"inet6\"",
				 arg);
			return -1;
		}
		return 0;
	case FLOWSTREAM_MATCH_A_PROTO:
		if (fs_proto_parse(arg, &m->proto) < 0) {
			snprintf(err, errlen,
				 "invalid value \"%s\" for \"proto\": not a protocol name or a number 0..255",
				 arg);
			return -1;
		}
		return 0;
	case FLOWSTREAM_MATCH_A_SRC:
	case FLOWSTREAM_MATCH_A_DST: {
		bool src = attr == FLOWSTREAM_MATCH_A_SRC;
		uint8_t family;

		if (parse_prefix(arg, &family, src ? m->src : m->dst,
				 src ? &m->src_len : &m->dst_len) < 0) {
			snprintf(err, errlen,
				 "invalid value \"%s\" for \"%s\": not an IPv4 or IPv6 ADDR[/LEN]",
				 arg, word);
			return -1;
		}
		if ((m->present & (FOS_BIT(FLOWSTREAM_MATCH_A_SRC) |
				   FOS_BIT(FLOWSTREAM_MATCH_A_DST))) &&
		    m->family != family) {
			snprintf(err, errlen,
				 "\"src\" and \"dst\" are not of the same address family");
			return -1;
		}
		m->family = family;
		m->present |= FOS_BIT(src ? FLOWSTREAM_MATCH_A_SRC_LEN :
				      FLOWSTREAM_MATCH_A_DST_LEN);
		return 0;
	}
	}
	perr = parse_uint(arg, match_words[w].max, &val);
	if (perr != PARSE_OK) {
		parse_errmsg(err, errlen, word, arg, perr, match_words[w].max);
		return -1;
	}
	if (attr == FLOWSTREAM_MATCH_A_SPORT)
		m->sport = val;
	else if (attr == FLOWSTREAM_MATCH_A_DPORT)
		m->dport = val;
	else
		m->dscp = val;
	return 0;
}

/*
 * Parse the match word argv[0] and its value into @m. Returns the number
 * of words used (2), 0 if argv[0] is no match word, or -1 with a message.
 */
int fos_match_word(int argc, char **argv, struct fos_match *m,
		   char *err, size_t errlen)
{
	size_t w;

	for (w = 0; w < ARRAY_SIZE(match_words); w++)
		if (!strcmp(argv[0], match_words[w].word))
			break;
	if (w == ARRAY_SIZE(match_words))
		return 0;
	if (m->words & (1u << w)) {
		snprintf(err, errlen, "duplicate \"%s\"", argv[0]);
		return -1;
	}
	if (argc < 2) {
		snprintf(err, errlen, "missing value for \"%s\"", argv[0]);
		return -1;
	}
	if (match_value(m, w, argv[1], err, errlen) < 0)
		return -1;
	m->words |= 1u << w;
	/* "iif DEV" becomes IIF once resolved, "family" is checked below. */
	if (match_words[w].attr != FLOWSTREAM_MATCH_A_IIF &&
	    match_words[w].attr != FLOWSTREAM_MATCH_A_FAMILY)
		m->present |= FOS_BIT(match_words[w].attr);
	return 2;
}

/* Ports need one of the protocols the match has ports for. */
static bool proto_has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_SCTP || proto == IPPROTO_UDPLITE;
}

/*
 * Once every word is in: the family of "family" and of the addresses
 * agree, ports come with a protocol that has them. 0, or -1 with a
 * message.
 */
int fos_match_check(struct fos_match *m, char *err, size_t errlen)
{
	const uint32_t addrs = FOS_BIT(FLOWSTREAM_MATCH_A_SRC) |
			       FOS_BIT(FLOWSTREAM_MATCH_A_DST);
	const char *port = NULL;

	if (m->word_family) {
		if ((m->present & addrs) && m->family != m->word_family) {
			snprintf(err, errlen,
				 "\"family\" and the address of \"%s\" disagree",
				 m->present & FOS_BIT(FLOWSTREAM_MATCH_A_SRC) ?
				 "src" : "dst");
			return -1;
		}
		m->family = m->word_family;
	}
	if (m->word_family || (m->present & addrs))
		m->present |= FOS_BIT(FLOWSTREAM_MATCH_A_FAMILY);
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_SPORT))
		port = "sport";
	else if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_DPORT))
		port = "dport";
	if (port && (!(m->present & FOS_BIT(FLOWSTREAM_MATCH_A_PROTO)) ||
		     !proto_has_ports(m->proto))) {
		snprintf(err, errlen,
			 "\"%s\" needs proto tcp, udp, sctp or udplite", port);
		return -1;
	}
	return 0;
}

/* Append FLOWSTREAM_FLOW_A_MATCH with what @m has, in attribute order. */
void fos_match_put(struct nlmsghdr *nlh, const struct fos_match *m)
{
	size_t alen = m->family == AF_INET ? 4 : 16;
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_FLOW_A_MATCH);
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_IIF))
		mnl_attr_put_u32(nlh, FLOWSTREAM_MATCH_A_IIF, m->iif);
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_FAMILY))
		mnl_attr_put_u8(nlh, FLOWSTREAM_MATCH_A_FAMILY, m->family);
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_PROTO))
		mnl_attr_put_u8(nlh, FLOWSTREAM_MATCH_A_PROTO, m->proto);
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_SRC)) {
		mnl_attr_put(nlh, FLOWSTREAM_MATCH_A_SRC, alen, m->src);
		mnl_attr_put_u8(nlh, FLOWSTREAM_MATCH_A_SRC_LEN, m->src_len);
	}
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_DST)) {
		mnl_attr_put(nlh, FLOWSTREAM_MATCH_A_DST, alen, m->dst);
		mnl_attr_put_u8(nlh, FLOWSTREAM_MATCH_A_DST_LEN, m->dst_len);
	}
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_SPORT))
		mnl_attr_put_u16(nlh, FLOWSTREAM_MATCH_A_SPORT, m->sport);
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_DPORT))
		mnl_attr_put_u16(nlh, FLOWSTREAM_MATCH_A_DPORT, m->dport);
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_DSCP))
		mnl_attr_put_u8(nlh, FLOWSTREAM_MATCH_A_DSCP, m->dscp);
	mnl_attr_nest_end(nlh, nest);
}

static const enum mnl_attr_data_type match_types[] = {
	[FLOWSTREAM_MATCH_A_IIF]	= MNL_TYPE_U32,
	[FLOWSTREAM_MATCH_A_FAMILY]	= MNL_TYPE_U8,
	[FLOWSTREAM_MATCH_A_PROTO]	= MNL_TYPE_U8,
	[FLOWSTREAM_MATCH_A_SRC]	= MNL_TYPE_BINARY,
	[FLOWSTREAM_MATCH_A_SRC_LEN]	= MNL_TYPE_U8,
	[FLOWSTREAM_MATCH_A_DST]	= MNL_TYPE_BINARY,
	[FLOWSTREAM_MATCH_A_DST_LEN]	= MNL_TYPE_U8,
	[FLOWSTREAM_MATCH_A_SPORT]	= MNL_TYPE_U16,
	[FLOWSTREAM_MATCH_A_DPORT]	= MNL_TYPE_U16,
	[FLOWSTREAM_MATCH_A_DSCP]	= MNL_TYPE_U8,
};

_Static_assert(ARRAY_SIZE(match_types) == __FLOWSTREAM_MATCH_A_MAX,
	       "a type for every FLOWSTREAM_MATCH_A_*");

struct match_parse {
	struct fos_match *m;
	uint16_t src_bytes;
	uint16_t dst_bytes;
};

static int match_attr_cb(const struct nlattr *attr, void *data)
{
	struct match_parse *p = data;
	struct fos_match *m = p->m;
	uint16_t type = mnl_attr_get_type(attr);
	uint16_t len = mnl_attr_get_payload_len(attr);

	if (type >= ARRAY_SIZE(match_types) ||
	    match_types[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;	/* a newer module's */
	if (mnl_attr_validate(attr, match_types[type]) < 0)
		return MNL_CB_ERROR;
	switch (type) {
	case FLOWSTREAM_MATCH_A_IIF:
		m->iif = mnl_attr_get_u32(attr);
		break;
	case FLOWSTREAM_MATCH_A_FAMILY:
		m->family = mnl_attr_get_u8(attr);
		break;
	case FLOWSTREAM_MATCH_A_PROTO:
		m->proto = mnl_attr_get_u8(attr);
		break;
	case FLOWSTREAM_MATCH_A_SRC:
	case FLOWSTREAM_MATCH_A_DST:
		if (len != 4 && len != 16)
			return MNL_CB_ERROR;
		memcpy(type == FLOWSTREAM_MATCH_A_SRC ? m->src : m->dst,
		       mnl_attr_get_payload(attr), len);
		*(type == FLOWSTREAM_MATCH_A_SRC ? &p->src_bytes :
		  &p->dst_bytes) = len;
		break;
	case FLOWSTREAM_MATCH_A_SRC_LEN:
		m->src_len = mnl_attr_get_u8(attr);
		break;
	case FLOWSTREAM_MATCH_A_DST_LEN:
		m->dst_len = mnl_attr_get_u8(attr);
		break;
	case FLOWSTREAM_MATCH_A_SPORT:
		m->sport = mnl_attr_get_u16(attr);
		break;
	case FLOWSTREAM_MATCH_A_DPORT:
		m->dport = mnl_attr_get_u16(attr);
		break;
	case FLOWSTREAM_MATCH_A_DSCP:
		m->dscp = mnl_attr_get_u8(attr);
		break;
	}
	m->present |= FOS_BIT(type);
	return MNL_CB_OK;
}

/*
 * A FLOWSTREAM_FLOW_A_MATCH of a reply into @m. Addresses need a family
 * of their length; a missing prefix length is the full one. Returns 0 or
 * -EBADMSG.
 */
int fos_match_parse_nest(const struct nlattr *nest, struct fos_match *m)
{
	struct match_parse p = { .m = m };
	unsigned int bytes;

	memset(m, 0, sizeof(*m));
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(nest, match_attr_cb, &p) < 0)
		return -EBADMSG;
	if (!(m->present & (FOS_BIT(FLOWSTREAM_MATCH_A_SRC) |
			    FOS_BIT(FLOWSTREAM_MATCH_A_DST))))
		return 0;
	if (!(m->present & FOS_BIT(FLOWSTREAM_MATCH_A_FAMILY)))
		return -EBADMSG;
	bytes = m->family == AF_INET ? 4 : m->family == AF_INET6 ? 16 : 0;
	if ((p.src_bytes && p.src_bytes != bytes) ||
	    (p.dst_bytes && p.dst_bytes != bytes))
		return -EBADMSG;
	if (!(m->present & FOS_BIT(FLOWSTREAM_MATCH_A_SRC_LEN)))
		m->src_len = bytes * 8;
	if (!(m->present & FOS_BIT(FLOWSTREAM_MATCH_A_DST_LEN)))
		m->dst_len = bytes * 8;
	return 0;
}

static const char *dev_name(uint32_t ifindex, char *buf,
			    const char *(*ifname)(unsigned int, char *))
{
	const char *name = ifname ? ifname(ifindex, buf) :
			   if_indextoname(ifindex, buf);

	if (name)
		return name;
	snprintf(buf, IF_NAMESIZE, "%u", ifindex);
	return buf;
}

static void print_prefix(struct output *o, const char *key,
			 const struct fos_match *m, const uint8_t *addr,
			 uint8_t len)
{
	char a[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN + 8];

	inet_ntop(m->family, addr, a, sizeof(a));
	snprintf(buf, sizeof(buf), "%s/%u", a, len);
	out_text(o, " %s %s", key, buf);
	out_str(o, key, NULL, buf);
}

/*
 * Text: the words of "flow add" after a space each (" proto tcp dport
 * 80"), or " any"; the family only without an address. JSON: the present
 * members (iif, family, proto, proto_name, src, dst, sport, dport, dscp)
 * in the current object, prefixes as "ADDR/LEN".
 */
void fos_match_print(struct output *o, const struct fos_match *m,
		     const char *(*ifname)(unsigned int, char *))
{
	const char *pname = fs_proto_name(m->proto);
	char buf[IF_NAMESIZE];
	bool addr = m->present & (FOS_BIT(FLOWSTREAM_MATCH_A_SRC) |
				  FOS_BIT(FLOWSTREAM_MATCH_A_DST));

	if (!m->present)
		out_text(o, " any");
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_IIF)) {
		out_text(o, " iif %s", dev_name(m->iif, buf, ifname));
		out_u64(o, "iif", NULL, m->iif);
	}
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_FAMILY)) {
		const char *fname = fs_family_name(m->family);

		if (!fname) {
			snprintf(buf, sizeof(buf), "%u", m->family);
			fname = buf;
		}
		if (!addr)
			out_text(o, " family %s", fname);
		out_str(o, "family", NULL, fname);
	}
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_PROTO)) {
		if (pname)
			out_text(o, " proto %s", pname);
		else
			out_text(o, " proto %u", m->proto);
		out_u64(o, "proto", NULL, m->proto);
		if (pname)
			out_str(o, "proto_name", NULL, pname);
	}
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_SRC))
		print_prefix(o, "src", m, m->src, m->src_len);
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_DST))
		print_prefix(o, "dst", m, m->dst, m->dst_len);
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_SPORT)) {
		out_text(o, " sport %u", m->sport);
		out_u64(o, "sport", NULL, m->sport);
	}
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_DPORT)) {
		out_text(o, " dport %u", m->dport);
		out_u64(o, "dport", NULL, m->dport);
	}
	if (m->present & FOS_BIT(FLOWSTREAM_MATCH_A_DSCP)) {
		out_text(o, " dscp %u", m->dscp);
		out_u64(o, "dscp", NULL, m->dscp);
	}
}

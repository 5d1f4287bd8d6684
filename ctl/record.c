// SPDX-License-Identifier: GPL-2.0
/*
 * Flow records: parsing FLOWSTREAM_A_RECORD, printing one record as a text
 * line or a JSON object, sorting for "top N".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "flowctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Type of each record attribute this flowctl knows; others are skipped. */
static const enum mnl_attr_data_type rec_attr_types[] = {
	[FLOWSTREAM_REC_A_FAMILY]	= MNL_TYPE_U8,
	[FLOWSTREAM_REC_A_SRC]		= MNL_TYPE_BINARY,
	[FLOWSTREAM_REC_A_DST]		= MNL_TYPE_BINARY,
	[FLOWSTREAM_REC_A_PROTO]	= MNL_TYPE_U8,
	[FLOWSTREAM_REC_A_SPORT]	= MNL_TYPE_U16,
	[FLOWSTREAM_REC_A_DPORT]	= MNL_TYPE_U16,
	[FLOWSTREAM_REC_A_ICMP_TYPE]	= MNL_TYPE_U8,
	[FLOWSTREAM_REC_A_ICMP_CODE]	= MNL_TYPE_U8,
	[FLOWSTREAM_REC_A_IIF]		= MNL_TYPE_U32,
	[FLOWSTREAM_REC_A_OIF]		= MNL_TYPE_U32,
	[FLOWSTREAM_REC_A_PACKETS]	= MNL_TYPE_U64,
	[FLOWSTREAM_REC_A_BYTES]	= MNL_TYPE_U64,
	[FLOWSTREAM_REC_A_FIRST_MS]	= MNL_TYPE_U64,
	[FLOWSTREAM_REC_A_LAST_MS]	= MNL_TYPE_U64,
	[FLOWSTREAM_REC_A_DSCP]		= MNL_TYPE_U8,
	[FLOWSTREAM_REC_A_TCP_FLAGS]	= MNL_TYPE_U8,
	[FLOWSTREAM_REC_A_END]		= MNL_TYPE_U8,
	[FLOWSTREAM_REC_A_SEQ]		= MNL_TYPE_U64,
};

_Static_assert(ARRAY_SIZE(rec_attr_types) == __FLOWSTREAM_REC_A_MAX,
	       "a type for every FLOWSTREAM_REC_A_*");

struct rec_parse {
	struct fs_record *rec;
	uint16_t src_len;
	uint16_t dst_len;
};

static int rec_attr_cb(const struct nlattr *attr, void *data)
{
	struct rec_parse *p = data;
	struct fs_record *rec = p->rec;
	uint16_t type = mnl_attr_get_type(attr);
	uint16_t len = mnl_attr_get_payload_len(attr);

	if (type >= ARRAY_SIZE(rec_attr_types) ||
	    rec_attr_types[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;	/* padding, or a newer module's */
	if (mnl_attr_validate(attr, rec_attr_types[type]) < 0)
		return MNL_CB_ERROR;
	switch (type) {
	case FLOWSTREAM_REC_A_FAMILY:
		rec->family = mnl_attr_get_u8(attr);
		break;
	case FLOWSTREAM_REC_A_SRC:
	case FLOWSTREAM_REC_A_DST:
		if (len != 4 && len != 16)
			return MNL_CB_ERROR;
		memcpy(type == FLOWSTREAM_REC_A_SRC ? rec->src : rec->dst,
		       mnl_attr_get_payload(attr), len);
		*(type == FLOWSTREAM_REC_A_SRC ? &p->src_len : &p->dst_len) = len;
		break;
	case FLOWSTREAM_REC_A_PROTO:
		rec->proto = mnl_attr_get_u8(attr);
		break;
	case FLOWSTREAM_REC_A_SPORT:
		rec->sport = mnl_attr_get_u16(attr);
		break;
	case FLOWSTREAM_REC_A_DPORT:
		rec->dport = mnl_attr_get_u16(attr);
		break;
	case FLOWSTREAM_REC_A_ICMP_TYPE:
		rec->icmp_type = mnl_attr_get_u8(attr);
		break;
	case FLOWSTREAM_REC_A_ICMP_CODE:
		rec->icmp_code = mnl_attr_get_u8(attr);
		break;
	case FLOWSTREAM_REC_A_IIF:
		rec->iif = mnl_attr_get_u32(attr);
		break;
	case FLOWSTREAM_REC_A_OIF:
		rec->oif = mnl_attr_get_u32(attr);
		break;
	case FLOWSTREAM_REC_A_PACKETS:
		rec->packets = mnl_attr_get_u64(attr);
		break;
	case FLOWSTREAM_REC_A_BYTES:
		rec->bytes = mnl_attr_get_u64(attr);
		break;
	case FLOWSTREAM_REC_A_FIRST_MS:
		rec->first_ms = mnl_attr_get_u64(attr);
		break;
	case FLOWSTREAM_REC_A_LAST_MS:
		rec->last_ms = mnl_attr_get_u64(attr);
		break;
	case FLOWSTREAM_REC_A_DSCP:
		rec->dscp = mnl_attr_get_u8(attr);
		break;
	case FLOWSTREAM_REC_A_TCP_FLAGS:
		rec->tcp_flags = mnl_attr_get_u8(attr);
		break;
	case FLOWSTREAM_REC_A_END:
		rec->end = mnl_attr_get_u8(attr);
		break;
	case FLOWSTREAM_REC_A_SEQ:
		rec->seq = mnl_attr_get_u64(attr);
		break;
	}
	rec->seen |= REC_BIT(type);
	return MNL_CB_OK;
}

/*
 * Parse a FLOWSTREAM_A_RECORD nest into @rec. It must have a family, both
 * addresses of that family's length and a protocol. Returns 0 or -EBADMSG.
 */
int record_parse_nest(const struct nlattr *nest, struct fs_record *rec)
{
	const uint32_t need = REC_BIT(FLOWSTREAM_REC_A_FAMILY) |
		REC_BIT(FLOWSTREAM_REC_A_SRC) | REC_BIT(FLOWSTREAM_REC_A_DST) |
		REC_BIT(FLOWSTREAM_REC_A_PROTO);
	struct rec_parse p = { .rec = rec };
	uint16_t alen;

	memset(rec, 0, sizeof(*rec));
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(nest, rec_attr_cb, &p) < 0 ||
	    (rec->seen & need) != need)
		return -EBADMSG;
	if (rec->family == AF_INET)
		alen = 4;
	else if (rec->family == AF_INET6)
		alen = 16;
	else
		return -EBADMSG;
	if (p.src_len != alen || p.dst_len != alen)
		return -EBADMSG;
	return 0;
}

static int record_msg_cb(const struct nlattr *attr, void *data)
{
	struct fs_record *rec = data;

	if (mnl_attr_get_type(attr) != FLOWSTREAM_A_RECORD)
		return MNL_CB_OK;
	if (record_parse_nest(attr, rec) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/*
 * The record of a GET_RECORD reply or a RECORD_NTF. Returns 1 and fills
 * @rec, 0 if the message has no record, or -1 with errno EBADMSG.
 */
int record_msg_parse(const struct nlmsghdr *nlh, struct fs_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	if (fs_nl_parse_genl(nlh, record_msg_cb, rec) != MNL_CB_OK) {
		errno = EBADMSG;
		return -1;
	}
	return rec->seen ? 1 : 0;
}

/*
 * The record of a message of the "records" group: 1 and @rec filled for
 * a RECORD_NTF of the generic netlink family @family, 0 for any other
 * message (to skip), -1 for a RECORD_NTF without a record or malformed.
 */
int record_ntf_parse(const struct nlmsghdr *nlh, uint16_t family,
		     struct fs_record *rec)
{
	const struct genlmsghdr *genl;

	if (nlh->nlmsg_type != family ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return 0;
	genl = mnl_nlmsg_get_payload(nlh);
	if (genl->cmd != FLOWSTREAM_CMD_RECORD_NTF)
		return 0;
	return record_msg_parse(nlh, rec) > 0 ? 1 : -1;
}

/*
 * TCP flags as 8 characters, "CEUAPRSF" from bit 7 to bit 0 (CWR, ECE,
 * URG, ACK, PSH, RST, SYN, FIN), '.' for a flag not seen.
 */
char *fmt_tcp_flags(uint8_t flags, char buf[9])
{
	static const char letters[] = "CEUAPRSF";
	int i;

	for (i = 0; i < 8; i++)
		buf[i] = flags & (0x80 >> i) ? letters[i] : '.';
	buf[8] = '\0';
	return buf;
}

/* Milliseconds as seconds rounded to a tenth: "3.2s". */
char *fmt_tenths(uint64_t ms, char *buf, size_t len)
{
	uint64_t t = ms / 100 + (ms % 100 >= 50);

	snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "s", t / 10, t % 10);
	return buf;
}

/* Wall clock in ms since the epoch, like FLOWSTREAM_REC_A_FIRST_MS. */
uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Text "-" for 0, the interface's name, else its number. */
static const char *ifname(const struct rec_fmt *fmt, uint32_t ifindex,
			  char *buf)
{
	const char *name;

	if (!ifindex)
		return "-";
	name = fmt->ifname ? fmt->ifname(ifindex, buf) :
	       if_indextoname(ifindex, buf);
	if (name)
		return name;
	snprintf(buf, IF_NAMESIZE, "%u", ifindex);
	return buf;
}

static void record_json(struct output *o, const struct fs_record *rec,
			const struct rec_fmt *fmt, const char *src,
			const char *dst)
{
	const char *pname = fs_proto_name(rec->proto);
	char buf[32];

	if (fmt->notify && (rec->seen & REC_BIT(FLOWSTREAM_REC_A_SEQ)))
		out_u64(o, "seq", NULL, rec->seq);
	out_str(o, "family", NULL, fs_family_name(rec->family));
	out_str(o, "src", NULL, src);
	out_str(o, "dst", NULL, dst);
	out_u64(o, "proto", NULL, rec->proto);
	if (pname)
		out_str(o, "proto_name", NULL, pname);
	if (fs_proto_is_icmp(rec->proto)) {
		out_u64(o, "icmp_type", NULL, rec->icmp_type);
		out_u64(o, "icmp_code", NULL, rec->icmp_code);
	} else {
		out_u64(o, "sport", NULL, rec->sport);
		out_u64(o, "dport", NULL, rec->dport);
	}
	out_u64(o, "iif", NULL, rec->iif);
	out_u64(o, "oif", NULL, rec->oif);
	out_u64(o, "packets", NULL, rec->packets);
	out_u64(o, "bytes", NULL, rec->bytes);
	out_u64(o, "first_ms", NULL, rec->first_ms);
	out_u64(o, "last_ms", NULL, rec->last_ms);
	out_u64(o, "dscp", NULL, rec->dscp);
	out_u64(o, "tcp_flags", NULL, rec->tcp_flags);
	out_str(o, "end", NULL, fs_end_name(rec->end, buf, sizeof(buf)));
}

/*
 * Text: one line,
 *   [seq N END ]PROTO SRC[:SPORT] > DST[:DPORT][ type T code C]
 *   iif IIF oif OIF packets N bytes N dscp N[ flags CEUAPRSF] age S idle S
 * JSON: the record's members in the current object.
 */
void record_print(struct output *o, const struct fs_record *rec,
		  const struct rec_fmt *fmt)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char pbuf[16], fbuf[9], ibuf[IF_NAMESIZE], obuf[IF_NAMESIZE];
	char age[32], idle[32];
	const char *pname = fs_proto_name(rec->proto);
	bool ports, v6 = rec->family == AF_INET6;
	uint64_t now = fmt->now_ms ? fmt->now_ms : now_ms();

	inet_ntop(rec->family, rec->src, src, sizeof(src));
	inet_ntop(rec->family, rec->dst, dst, sizeof(dst));
	if (out_is_json(o)) {
		record_json(o, rec, fmt, src, dst);
		return;
	}
	if (fmt->notify) {
		if (rec->seen & REC_BIT(FLOWSTREAM_REC_A_SEQ))
			out_text(o, "seq %" PRIu64 " ", rec->seq);
		out_text(o, "%s ", fs_end_name(rec->end, pbuf, sizeof(pbuf)));
	}
	if (!pname) {
		snprintf(pbuf, sizeof(pbuf), "%u", rec->proto);
		pname = pbuf;
	}
	ports = !fs_proto_is_icmp(rec->proto) &&
		(fs_proto_has_ports(rec->proto) || rec->sport || rec->dport);
	if (ports)
		out_text(o, "%s %s%s%s:%u > %s%s%s:%u", pname, v6 ? "[" : "",
			 src, v6 ? "]" : "", rec->sport, v6 ? "[" : "", dst,
			 v6 ? "]" : "", rec->dport);
	else
		out_text(o, "%s %s > %s", pname, src, dst);
	if (fs_proto_is_icmp(rec->proto))
		out_text(o, " type %u code %u", rec->icmp_type, rec->icmp_code);
	out_text(o, " iif %s oif %s packets %" PRIu64 " bytes %" PRIu64
		 " dscp %u", ifname(fmt, rec->iif, ibuf),
		 ifname(fmt, rec->oif, obuf), rec->packets, rec->bytes,
		 rec->dscp);
	if (rec->proto == IPPROTO_TCP)
		out_text(o, " flags %s", fmt_tcp_flags(rec->tcp_flags, fbuf));
	out_text(o, " age %s idle %s\n",
		 fmt_tenths(now > rec->first_ms ? now - rec->first_ms : 0,
			    age, sizeof(age)),
		 fmt_tenths(now > rec->last_ms ? now - rec->last_ms : 0,
			    idle, sizeof(idle)));
}

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static enum rec_order sort_by;	/* qsort() has no context argument */

/*
 * Largest counter first; ties by the other counter, then the oldest
 * first, then by key, so that the order does not depend on qsort().
 */
static int rec_cmp(const void *pa, const void *pb)
{
	const struct fs_record *a = pa, *b = pb;
	int c;

	if (sort_by == REC_BY_PACKETS) {
		c = cmp_u64_desc(a->packets, b->packets);
		if (!c)
			c = cmp_u64_desc(a->bytes, b->bytes);
	} else {
		c = cmp_u64_desc(a->bytes, b->bytes);
		if (!c)
			c = cmp_u64_desc(a->packets, b->packets);
	}
	if (!c)
		c = -cmp_u64_desc(a->first_ms, b->first_ms);
	if (!c)
		c = (int)a->family - (int)b->family;
	if (!c)
		c = memcmp(a->src, b->src, sizeof(a->src));
	if (!c)
		c = memcmp(a->dst, b->dst, sizeof(a->dst));
	if (!c)
		c = (int)a->proto - (int)b->proto;
	if (!c)
		c = (int)a->sport - (int)b->sport;
	if (!c)
		c = (int)a->dport - (int)b->dport;
	if (!c)
		c = (int)a->icmp_type - (int)b->icmp_type;
	if (!c)
		c = (int)a->icmp_code - (int)b->icmp_code;
	if (!c)
		c = -cmp_u64_desc(a->iif, b->iif);
	return c;
}

void rec_sort(struct fs_record *v, size_t n, enum rec_order by)
{
	if (by == REC_BY_NONE || n < 2)
		return;
	sort_by = by;
	qsort(v, n, sizeof(*v), rec_cmp);
}

/* Sort (unless REC_BY_NONE) and keep the first l->top records. */
void rec_list_finish(struct rec_list *l)
{
	rec_sort(l->v, l->n, l->by);
	if (l->top && l->n > l->top)
		l->n = l->top;
}

/*
 * Append a record. With l->top set the list never holds more than about
 * twice that many: when full it is sorted and cut to the top. Returns 0
 * or -ENOMEM.
 */
int rec_list_add(struct rec_list *l, const struct fs_record *rec)
{
	struct fs_record *v;
	size_t cap;

	if (l->n == l->cap && l->top && l->n >= 2 * l->top)
		rec_list_finish(l);
	if (l->n == l->cap) {
		cap = l->cap ? 2 * l->cap : 64;
		v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *rec;
	return 0;
}

void rec_list_free(struct rec_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
	l->cap = 0;
}

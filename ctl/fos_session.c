// SPDX-License-Identifier: GPL-2.0
/*
 * FlowOS sessions (FLOWSTREAM_A_SESSION) of a GET_SESSION dump, and the
 * per-session results of their PMs: nests whose attribute types each PM
 * defines, printed generically as TYPE=VALUE (u64 when 8 bytes, u32 when
 * 4, hexadecimal otherwise).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "flowctl.h"
#include "fos.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const enum mnl_attr_data_type sess_types[] = {
	[FLOWSTREAM_SESS_A_FAMILY]	= MNL_TYPE_U8,
	[FLOWSTREAM_SESS_A_PROTO]	= MNL_TYPE_U8,
	[FLOWSTREAM_SESS_A_ADDR_A]	= MNL_TYPE_BINARY,
	[FLOWSTREAM_SESS_A_ADDR_B]	= MNL_TYPE_BINARY,
	[FLOWSTREAM_SESS_A_PORT_A]	= MNL_TYPE_U16,
	[FLOWSTREAM_SESS_A_PORT_B]	= MNL_TYPE_U16,
	[FLOWSTREAM_SESS_A_PACKETS_AB]	= MNL_TYPE_U64,
	[FLOWSTREAM_SESS_A_BYTES_AB]	= MNL_TYPE_U64,
	[FLOWSTREAM_SESS_A_PACKETS_BA]	= MNL_TYPE_U64,
	[FLOWSTREAM_SESS_A_BYTES_BA]	= MNL_TYPE_U64,
	[FLOWSTREAM_SESS_A_HELD]	= MNL_TYPE_U32,
	[FLOWSTREAM_SESS_A_AGE_MS]	= MNL_TYPE_U64,
	[FLOWSTREAM_SESS_A_IDLE_MS]	= MNL_TYPE_U64,
	[FLOWSTREAM_SESS_A_GAPS]	= MNL_TYPE_U64,
	[FLOWSTREAM_SESS_A_RESULT]	= MNL_TYPE_NESTED,
};

_Static_assert(ARRAY_SIZE(sess_types) == __FLOWSTREAM_SESS_A_MAX,
	       "a type for every FLOWSTREAM_SESS_A_*");

struct sess_parse {
	struct fos_session *s;
	uint16_t a_len;
	uint16_t b_len;
};

static int result_attr_cb(const struct nlattr *attr, void *data)
{
	struct fos_result *r = data;

	switch (mnl_attr_get_type(attr)) {
	case FLOWSTREAM_ATT_A_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		r->id = mnl_attr_get_u32(attr);
		break;
	case FLOWSTREAM_ATT_A_PM:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		r->pm = mnl_attr_get_str(attr);
		break;
	case FLOWSTREAM_ATT_A_RESULT:
		r->attr = attr;
		break;
	}
	return MNL_CB_OK;
}

static int sess_attr_cb(const struct nlattr *attr, void *data)
{
	struct sess_parse *p = data;
	struct fos_session *s = p->s;
	uint16_t type = mnl_attr_get_type(attr);
	uint16_t len = mnl_attr_get_payload_len(attr);
	struct fos_result r = { 0 };

	if (type >= ARRAY_SIZE(sess_types) ||
	    sess_types[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;	/* padding, or a newer module's */
	if (mnl_attr_validate(attr, sess_types[type]) < 0)
		return MNL_CB_ERROR;
	switch (type) {
	case FLOWSTREAM_SESS_A_FAMILY:
		s->family = mnl_attr_get_u8(attr);
		break;
	case FLOWSTREAM_SESS_A_PROTO:
		s->proto = mnl_attr_get_u8(attr);
		break;
	case FLOWSTREAM_SESS_A_ADDR_A:
	case FLOWSTREAM_SESS_A_ADDR_B:
		if (len != 4 && len != 16)
			return MNL_CB_ERROR;
		memcpy(type == FLOWSTREAM_SESS_A_ADDR_A ? s->addr_a : s->addr_b,
		       mnl_attr_get_payload(attr), len);
		*(type == FLOWSTREAM_SESS_A_ADDR_A ? &p->a_len : &p->b_len) =
			len;
		break;
	case FLOWSTREAM_SESS_A_PORT_A:
		s->port_a = mnl_attr_get_u16(attr);
		break;
	case FLOWSTREAM_SESS_A_PORT_B:
		s->port_b = mnl_attr_get_u16(attr);
		break;
	case FLOWSTREAM_SESS_A_PACKETS_AB:
		s->packets_ab = mnl_attr_get_u64(attr);
		break;
	case FLOWSTREAM_SESS_A_BYTES_AB:
		s->bytes_ab = mnl_attr_get_u64(attr);
		break;
	case FLOWSTREAM_SESS_A_PACKETS_BA:
		s->packets_ba = mnl_attr_get_u64(attr);
		break;
	case FLOWSTREAM_SESS_A_BYTES_BA:
		s->bytes_ba = mnl_attr_get_u64(attr);
		break;
	case FLOWSTREAM_SESS_A_HELD:
		s->held = mnl_attr_get_u32(attr);
		break;
	case FLOWSTREAM_SESS_A_AGE_MS:
		s->age_ms = mnl_attr_get_u64(attr);
		break;
	case FLOWSTREAM_SESS_A_IDLE_MS:
		s->idle_ms = mnl_attr_get_u64(attr);
		break;
	case FLOWSTREAM_SESS_A_GAPS:
		s->gaps = mnl_attr_get_u64(attr);
		break;
	case FLOWSTREAM_SESS_A_RESULT:
		if (mnl_attr_parse_nested(attr, result_attr_cb, &r) < 0)
			return MNL_CB_ERROR;
		if (s->nresults < FOS_RESULTS_MAX)
			s->results[s->nresults++] = r;
		break;
	}
	s->seen |= FOS_BIT(type);
	return MNL_CB_OK;
}

static int sess_msg_cb(const struct nlattr *attr, void *data)
{
	struct sess_parse *p = data;
	unsigned int alen;

	if (mnl_attr_get_type(attr) != FLOWSTREAM_A_SESSION)
		return MNL_CB_OK;
	memset(p->s, 0, sizeof(*p->s));
	p->a_len = 0;
	p->b_len = 0;
	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(attr, sess_attr_cb, p) < 0)
		return MNL_CB_ERROR;
	alen = p->s->family == AF_INET ? 4 : p->s->family == AF_INET6 ? 16 : 0;
	if (!alen || p->a_len != alen || p->b_len != alen)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/*
 * The session of a GET_SESSION dump message. It needs a family and both
 * addresses of its length. Returns 1 and fills @s, 0 if the message has
 * none, or -1 with errno EBADMSG.
 */
int fos_session_msg_parse(const struct nlmsghdr *nlh, struct fos_session *s)
{
	struct sess_parse p = { .s = s };

	memset(s, 0, sizeof(*s));
	if (fs_nl_parse_genl(nlh, sess_msg_cb, &p) != MNL_CB_OK) {
		errno = EBADMSG;
		return -1;
	}
	return s->seen ? 1 : 0;
}

/* @len bytes as lowercase hexadecimal, allocated; NULL without memory. */
static char *hex(const uint8_t *p, size_t len)
{
	char *s = malloc(2 * len + 1);
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < len; i++)
		snprintf(s + 2 * i, 3, "%02x", p[i]);
	s[2 * len] = '\0';
	return s;
}

/* One value: u64 (8 bytes), u32 (4), else hex; @key NULL in a JSON array. */
static void result_value(struct output *o, const char *key,
			 const struct nlattr *attr)
{
	uint16_t len = mnl_attr_get_payload_len(attr);
	char *h;

	if (len == 8 || len == 4) {
		uint64_t v = len == 8 ? mnl_attr_get_u64(attr) :
			     mnl_attr_get_u32(attr);

		out_text(o, "%" PRIu64, v);
		out_u64(o, key ? key : "", NULL, v);
		return;
	}
	h = hex(mnl_attr_get_payload(attr), len);
	out_text(o, "%s", h ? h : "?");
	out_str(o, key ? key : "", NULL, h ? h : "");
	free(h);
}

/* Do the attributes fill the whole payload of @nest? */
static bool all_attrs(const struct nlattr *nest)
{
	const struct nlattr *attr;
	size_t used = 0;

	mnl_attr_for_each_nested(attr, nest)
		used += MNL_ALIGN(attr->nla_len);
	return used == (size_t)MNL_ALIGN(mnl_attr_get_payload_len(nest));
}

/*
 * The attributes of a PM's result nest @result. Text: " TYPE=VALUE" for
 * each, in order. JSON: "TYPE":VALUE members of the current object, an
 * array of the values for a type that repeats. A payload that is not a
 * sequence of attributes is shown whole as raw=HEX ("raw":"HEX").
 */
void fos_result_print(struct output *o, const struct nlattr *result)
{
	const struct nlattr *attr, *other;
	unsigned int n, before;
	char key[8];
	uint16_t t;

	if (!all_attrs(result)) {
		char *h = hex(mnl_attr_get_payload(result),
			      mnl_attr_get_payload_len(result));

		out_text(o, " raw=%s", h ? h : "?");
		out_str(o, "raw", NULL, h ? h : "");
		free(h);
		return;
	}
	mnl_attr_for_each_nested(attr, result) {
		t = mnl_attr_get_type(attr);
		snprintf(key, sizeof(key), "%u", t);
		out_text(o, " %s=", key);
		if (!out_is_json(o)) {
			result_value(o, key, attr);
			continue;
		}
		n = 0;
		before = 0;
		mnl_attr_for_each_nested(other, result) {
			if (mnl_attr_get_type(other) != t)
				continue;
			n++;
			if (other < attr)
				before++;
		}
		if (n == 1) {
			result_value(o, key, attr);
		} else if (!before) {
			out_list_begin(o, key, NULL);
			mnl_attr_for_each_nested(other, result)
				if (mnl_attr_get_type(other) == t)
					result_value(o, NULL, other);
			out_list_end(o);
		}
	}
}

static void print_endpoint(struct output *o, const struct fos_session *s,
			   const uint8_t *addr, uint16_t port, bool ports)
{
	char a[INET6_ADDRSTRLEN];
	bool v6 = s->family == AF_INET6;

	inet_ntop(s->family, addr, a, sizeof(a));
	if (ports)
		out_text(o, "%s%s%s:%u", v6 ? "[" : "", a, v6 ? "]" : "", port);
	else
		out_text(o, "%s", a);
}

static void session_json(struct output *o, const struct fos_session *s)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	const char *pname = fs_proto_name(s->proto);

	inet_ntop(s->family, s->addr_a, a, sizeof(a));
	inet_ntop(s->family, s->addr_b, b, sizeof(b));
	out_str(o, "family", NULL, fs_family_name(s->family));
	out_u64(o, "proto", NULL, s->proto);
	if (pname)
		out_str(o, "proto_name", NULL, pname);
	out_str(o, "addr_a", NULL, a);
	out_u64(o, "port_a", NULL, s->port_a);
	out_str(o, "addr_b", NULL, b);
	out_u64(o, "port_b", NULL, s->port_b);
	out_u64(o, "packets_ab", NULL, s->packets_ab);
	out_u64(o, "bytes_ab", NULL, s->bytes_ab);
	out_u64(o, "packets_ba", NULL, s->packets_ba);
	out_u64(o, "bytes_ba", NULL, s->bytes_ba);
	out_u64(o, "held", NULL, s->held);
	out_u64(o, "age_ms", NULL, s->age_ms);
	out_u64(o, "idle_ms", NULL, s->idle_ms);
	out_u64(o, "gaps", NULL, s->gaps);
}

/*
 * Text: a line
 *   PROTO A[:PORT] <> B[:PORT] packets AB/BA bytes AB/BA held N age S
 *   idle S gaps N
 * then a line per PM result, "  pm ID NAME TYPE=VALUE ..." (NAME "-" if
 * unknown). JSON: the session's members and "results": [{"id", "pm",
 * "values": {"TYPE": VALUE}}]. @names maps attachment ids to PM names.
 */
void fos_session_print(struct output *o, const struct fos_session *s,
		       const struct fos_att_names *names)
{
	const char *pname = fs_proto_name(s->proto);
	char pbuf[16], age[32], idle[32];
	const struct fos_result *r;
	const char *pm;
	unsigned int i;
	bool ports;

	if (out_is_json(o)) {
		session_json(o, s);
	} else {
		if (!pname) {
			snprintf(pbuf, sizeof(pbuf), "%u", s->proto);
			pname = pbuf;
		}
		ports = !fs_proto_is_icmp(s->proto) &&
			(fs_proto_has_ports(s->proto) || s->port_a ||
			 s->port_b);
		out_text(o, "%s ", pname);
		print_endpoint(o, s, s->addr_a, s->port_a, ports);
		out_text(o, " <> ");
		print_endpoint(o, s, s->addr_b, s->port_b, ports);
		out_text(o, " packets %" PRIu64 "/%" PRIu64 " bytes %" PRIu64
			 "/%" PRIu64 " held %u age %s idle %s gaps %" PRIu64
			 "\n", s->packets_ab, s->packets_ba, s->bytes_ab,
			 s->bytes_ba, s->held,
			 fmt_tenths(s->age_ms, age, sizeof(age)),
			 fmt_tenths(s->idle_ms, idle, sizeof(idle)), s->gaps);
	}
	if (out_is_json(o))
		out_list_begin(o, "results", NULL);
	for (i = 0; i < s->nresults; i++) {
		r = &s->results[i];
		pm = r->pm ? r->pm : fos_att_names_find(names, r->id);
		out_text(o, "  pm %u %s", r->id, pm ? pm : "-");
		out_obj_begin(o, NULL);
		out_u64(o, "id", NULL, r->id);
		if (pm)
			out_str(o, "pm", NULL, pm);
		out_obj_begin(o, "values");
		if (r->attr)
			fos_result_print(o, r->attr);
		out_obj_end(o);
		out_obj_end(o);
		out_text(o, "\n");
	}
	if (out_is_json(o))
		out_list_end(o);
}

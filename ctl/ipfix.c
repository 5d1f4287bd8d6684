// SPDX-License-Identifier: GPL-2.0
/*
 * IPFIX (RFC 7011) encoding of flow records.
 *
 * Both templates list the same elements in the same order, only the
 * address elements (and the ICMP type-code element) differing by family:
 *
 *   source and destination address	4 or 16	sourceIPv{4,6}Address...
 *   sourceTransportPort		2	0 for ICMP
 *   destinationTransportPort		2	0 for ICMP
 *   icmpTypeCodeIPv{4,6}		2	type * 256 + code, 0 if not ICMP
 *   protocolIdentifier			1
 *   ipClassOfService			1	DSCP << 2 (ECN not recorded)
 *   tcpControlBits			2
 *   flowEndReason			1
 *   ingressInterface, egressInterface	4 + 4	ifindex, 0 for the host
 *   octetDeltaCount, packetDeltaCount	8 + 8	since the last report
 *   flowStartMilliseconds, flowEndMilliseconds	8 + 8	first and last packet
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "ipfix.h"
#include "record.h"

struct ipfix_field {
	uint16_t ie;
	uint16_t len;			/* 0: address, 4 or 16 by family */
};

static const struct ipfix_field ipfix_fields[] = {
	{ 0, 0 },			/* source address */
	{ 0, 0 },			/* destination address */
	{ IPFIX_IE_SOURCE_TRANSPORT_PORT, 2 },
	{ IPFIX_IE_DESTINATION_TRANSPORT_PORT, 2 },
	{ 0, 2 },			/* ICMP type and code */
	{ IPFIX_IE_PROTOCOL_IDENTIFIER, 1 },
	{ IPFIX_IE_IP_CLASS_OF_SERVICE, 1 },
	{ IPFIX_IE_TCP_CONTROL_BITS, 2 },
	{ IPFIX_IE_FLOW_END_REASON, 1 },
	{ IPFIX_IE_INGRESS_INTERFACE, 4 },
	{ IPFIX_IE_EGRESS_INTERFACE, 4 },
	{ IPFIX_IE_OCTET_DELTA_COUNT, 8 },
	{ IPFIX_IE_PACKET_DELTA_COUNT, 8 },
	{ IPFIX_IE_FLOW_START_MILLISECONDS, 8 },
	{ IPFIX_IE_FLOW_END_MILLISECONDS, 8 },
};

#define IPFIX_NFIELDS	(sizeof(ipfix_fields) / sizeof(ipfix_fields[0]))
/* One template record: ID and field count, then 4 bytes a field. */
#define IPFIX_TMPL_LEN	(4 + 4 * IPFIX_NFIELDS)

static uint16_t field_ie(unsigned int i, bool v6)
{
	switch (i) {
	case 0:
		return v6 ? IPFIX_IE_SOURCE_IPV6_ADDRESS :
			    IPFIX_IE_SOURCE_IPV4_ADDRESS;
	case 1:
		return v6 ? IPFIX_IE_DESTINATION_IPV6_ADDRESS :
			    IPFIX_IE_DESTINATION_IPV4_ADDRESS;
	case 4:
		return v6 ? IPFIX_IE_ICMP_TYPE_CODE_IPV6 :
			    IPFIX_IE_ICMP_TYPE_CODE_IPV4;
	default:
		return ipfix_fields[i].ie;
	}
}

static uint16_t field_len(unsigned int i, bool v6)
{
	if (!ipfix_fields[i].len)
		return v6 ? 16 : 4;
	return ipfix_fields[i].len;
}

size_t ipfix_record_len(uint8_t family)
{
	bool v6 = family == AF_INET6;
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < IPFIX_NFIELDS; i++)
		len += field_len(i, v6);
	return len;
}

size_t ipfix_templates_len(void)
{
	return IPFIX_SET_HDR_LEN + 2 * IPFIX_TMPL_LEN;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	p = put16(p, v >> 16);
	return put16(p, v);
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
	p = put32(p, v >> 32);
	return put32(p, v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

void ipfix_msg_begin(struct ipfix_msg *m, uint8_t *buf, size_t cap)
{
	memset(m, 0, sizeof(*m));
	m->buf = buf;
	m->cap = cap > IPFIX_MSG_MAX ? IPFIX_MSG_MAX : cap;
	m->len = IPFIX_HDR_LEN;
}

bool ipfix_msg_empty(const struct ipfix_msg *m)
{
	return m->len <= IPFIX_HDR_LEN;
}

/* Close the open data set, if any, writing its length. */
static void close_set(struct ipfix_msg *m)
{
	if (!m->set_off)
		return;
	put16(m->buf + m->set_off + 2, m->len - m->set_off);
	m->set_off = 0;
	m->set_id = 0;
}

/* The template set with both templates; -ENOSPC if it does not fit. */
int ipfix_msg_add_templates(struct ipfix_msg *m)
{
	uint8_t *p;
	unsigned int t, i;

	close_set(m);
	if (m->cap - m->len < ipfix_templates_len())
		return -ENOSPC;
	p = m->buf + m->len;
	p = put16(p, IPFIX_SET_TEMPLATE);
	p = put16(p, ipfix_templates_len());
	for (t = 0; t < 2; t++) {
		bool v6 = t == 1;

		p = put16(p, v6 ? IPFIX_TMPL_V6 : IPFIX_TMPL_V4);
		p = put16(p, IPFIX_NFIELDS);
		for (i = 0; i < IPFIX_NFIELDS; i++) {
			p = put16(p, field_ie(i, v6));
			p = put16(p, field_len(i, v6));
		}
	}
	m->len = p - m->buf;
	return 0;
}

uint8_t ipfix_end_reason(uint8_t end)
{
	switch (end) {
	case FLOWSTREAM_END_IDLE:
		return IPFIX_END_IDLE_TIMEOUT;
	case FLOWSTREAM_END_ACTIVE:
		return IPFIX_END_ACTIVE_TIMEOUT;
	case FLOWSTREAM_END_EOF:
		return IPFIX_END_OF_FLOW_DETECTED;
	case FLOWSTREAM_END_EVICTED:
		return IPFIX_END_LACK_OF_RESOURCES;
	default:			/* flushed, netns gone, or unknown */
		return IPFIX_END_FORCED_END;
	}
}

static bool is_icmp(const struct fs_record *rec)
{
	return (rec->family == AF_INET && rec->proto == IPPROTO_ICMP) ||
	       (rec->family == AF_INET6 && rec->proto == IPPROTO_ICMPV6);
}

/*
 * Append @rec as a data record, opening a data set of its family's
 * template unless the open one is. -ENOSPC if it does not fit (the
 * message is unchanged), -EAFNOSUPPORT for a record of no known family.
 */
int ipfix_msg_add_record(struct ipfix_msg *m, const struct fs_record *rec)
{
	bool v6 = rec->family == AF_INET6;
	uint16_t id = v6 ? IPFIX_TMPL_V6 : IPFIX_TMPL_V4;
	size_t need = ipfix_record_len(rec->family);
	size_t alen = v6 ? 16 : 4;
	bool icmp = is_icmp(rec);
	uint8_t *p;

	if (rec->family != AF_INET && rec->family != AF_INET6)
		return -EAFNOSUPPORT;
	if (m->set_id != id)
		need += IPFIX_SET_HDR_LEN;
	if (m->cap - m->len < need)
		return -ENOSPC;
	if (m->set_id != id) {
		close_set(m);
		m->set_off = m->len;
		m->set_id = id;
		put16(m->buf + m->len, id);
		m->len += IPFIX_SET_HDR_LEN;
	}
	p = m->buf + m->len;
	memcpy(p, rec->src, alen);
	p += alen;
	memcpy(p, rec->dst, alen);
	p += alen;
	p = put16(p, icmp ? 0 : rec->sport);
	p = put16(p, icmp ? 0 : rec->dport);
	p = put16(p, icmp ? (uint16_t)(rec->icmp_type << 8 | rec->icmp_code) :
		  0);
	*p++ = rec->proto;
	*p++ = (uint8_t)(rec->dscp << 2);
	p = put16(p, rec->tcp_flags);
	*p++ = ipfix_end_reason(rec->end);
	p = put32(p, rec->iif);
	p = put32(p, rec->oif);
	p = put64(p, rec->bytes);
	p = put64(p, rec->packets);
	p = put64(p, rec->first_ms);
	p = put64(p, rec->last_ms);
	m->len = p - m->buf;
	put16(m->buf + m->set_off + 2, m->len - m->set_off);
	m->records++;
	return 0;
}

/* Close the message: write its header; returns its length. */
size_t ipfix_msg_finish(struct ipfix_msg *m, uint32_t export_time,
			uint32_t seq, uint32_t domain)
{
	uint8_t *p = m->buf;

	close_set(m);
	p = put16(p, IPFIX_VERSION);
	p = put16(p, m->len);
	p = put32(p, export_time);
	p = put32(p, seq);
	put32(p, domain);
	return m->len;
}

void ipfix_msg_set_seq(uint8_t *msg, uint32_t seq)
{
	put32(msg + 8, seq);
}

uint32_t ipfix_msg_seq(const uint8_t *msg)
{
	return get32(msg + 8);
}

uint16_t ipfix_msg_len(const uint8_t *msg)
{
	return get16(msg + 2);
}

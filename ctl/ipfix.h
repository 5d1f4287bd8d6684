/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IPFIX (RFC 7011) message encoding for flow records: the message header,
 * the template set describing the IPv4 and IPv6 records, and data sets.
 * No I/O: a message is built in a caller's buffer.
 *
 * A message is begun, filled with a template set and/or records (records
 * of one family share a data set while they follow each other), and
 * finished, which writes the header. Numbers are in network order.
 */
#ifndef FLOWCTL_IPFIX_H
#define FLOWCTL_IPFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fs_record;

#define IPFIX_VERSION		10
#define IPFIX_HDR_LEN		16
#define IPFIX_SET_HDR_LEN	4
#define IPFIX_SET_TEMPLATE	2
#define IPFIX_MSG_MAX		65535

/* Our template IDs (data set IDs); 256 is the first one allowed. */
#define IPFIX_TMPL_V4		256
#define IPFIX_TMPL_V6		257

/* IANA information element IDs (https://www.iana.org/assignments/ipfix). */
enum ipfix_ie {
	IPFIX_IE_OCTET_DELTA_COUNT		= 1,
	IPFIX_IE_PACKET_DELTA_COUNT		= 2,
	IPFIX_IE_PROTOCOL_IDENTIFIER		= 4,
	IPFIX_IE_IP_CLASS_OF_SERVICE		= 5,
	IPFIX_IE_TCP_CONTROL_BITS		= 6,
	IPFIX_IE_SOURCE_TRANSPORT_PORT		= 7,
	IPFIX_IE_SOURCE_IPV4_ADDRESS		= 8,
	IPFIX_IE_INGRESS_INTERFACE		= 10,
	IPFIX_IE_DESTINATION_TRANSPORT_PORT	= 11,
	IPFIX_IE_DESTINATION_IPV4_ADDRESS	= 12,
	IPFIX_IE_EGRESS_INTERFACE		= 14,
	IPFIX_IE_SOURCE_IPV6_ADDRESS		= 27,
	IPFIX_IE_DESTINATION_IPV6_ADDRESS	= 28,
	IPFIX_IE_ICMP_TYPE_CODE_IPV4		= 32,
	IPFIX_IE_FLOW_END_REASON		= 136,
	IPFIX_IE_ICMP_TYPE_CODE_IPV6		= 139,
	IPFIX_IE_FLOW_START_MILLISECONDS	= 152,
	IPFIX_IE_FLOW_END_MILLISECONDS		= 153,
};

/* flowEndReason values (IANA). */
enum ipfix_end_reason {
	IPFIX_END_IDLE_TIMEOUT		= 1,
	IPFIX_END_ACTIVE_TIMEOUT	= 2,
	IPFIX_END_OF_FLOW_DETECTED	= 3,
	IPFIX_END_FORCED_END		= 4,
	IPFIX_END_LACK_OF_RESOURCES	= 5,
};

/* Sizes of one data record, and of the template set with both templates. */
size_t ipfix_record_len(uint8_t family);
size_t ipfix_templates_len(void);

/* A message under construction in @buf[0..cap). */
struct ipfix_msg {
	uint8_t *buf;
	size_t cap;
	size_t len;			/* bytes used, header included */
	size_t set_off;			/* offset of the open data set, or 0 */
	uint16_t set_id;		/* its template ID */
	uint32_t records;		/* data records in the message */
};

void ipfix_msg_begin(struct ipfix_msg *m, uint8_t *buf, size_t cap);
int ipfix_msg_add_templates(struct ipfix_msg *m);
int ipfix_msg_add_record(struct ipfix_msg *m, const struct fs_record *rec);
size_t ipfix_msg_finish(struct ipfix_msg *m, uint32_t export_time,
			uint32_t seq, uint32_t domain);
bool ipfix_msg_empty(const struct ipfix_msg *m);

/* Header fields of a finished message (for resending and error reports). */
void ipfix_msg_set_seq(uint8_t *msg, uint32_t seq);
uint32_t ipfix_msg_seq(const uint8_t *msg);
uint16_t ipfix_msg_len(const uint8_t *msg);

uint8_t ipfix_end_reason(uint8_t end);

#endif /* FLOWCTL_IPFIX_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: from a packet to a flow record key.
 *
 * Every header is read with skb_header_pointer(), so nothing is read past
 * the packet whatever its lengths claim. What is done with odd packets:
 * - an IPv4 header shorter than 20 bytes or with IHL < 5, an IPv6 header
 *   shorter than 40 bytes, an IPv6 extension header chain that runs past
 *   the packet, or an L4 header (of a protocol whose ports or type we read)
 *   cut short: malformed, not accounted (counted in acct_drop_malformed);
 * - a non-first fragment: accounted with ports 0 (counted in
 *   acct_fragments too); a first fragment carries the L4 header and is
 *   accounted to the flow's own record;
 * - IPv6 extension headers (hop-by-hop, routing, destination options,
 *   fragment) are skipped to find the L4 protocol; AH and ESP and any
 *   unknown protocol: the record has that protocol and ports 0.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/dsfield.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "acct.h"

static int fs_parse_l4(const struct sk_buff *skb, unsigned int off,
		       struct fs_acct_key *key, struct fs_acct_pkt *pkt)
{
	switch (key->proto) {
	case IPPROTO_TCP: {
		struct tcphdr _th;
		const struct tcphdr *th;

		th = skb_header_pointer(skb, off, sizeof(_th), &_th);
		if (!th)
			return -EINVAL;
		key->sport = th->source;
		key->dport = th->dest;
		pkt->tcp_flags = tcp_flag_byte(th);
		return 0;
	}
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP: {
		__be16 _ports[2];
		const __be16 *ports;

		ports = skb_header_pointer(skb, off, sizeof(_ports), _ports);
		if (!ports)
			return -EINVAL;
		key->sport = ports[0];
		key->dport = ports[1];
		return 0;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		u8 _tc[2];
		const u8 *tc;

		tc = skb_header_pointer(skb, off, sizeof(_tc), _tc);
		if (!tc)
			return -EINVAL;
		key->sport = htons(tc[0] << 8 | tc[1]);
		return 0;
	}
	default:
		return 0;
	}
}

static int fs_parse_ipv4(const struct sk_buff *skb, struct fs_acct_key *key,
			 struct fs_acct_pkt *pkt)
{
	unsigned int off = skb_network_offset(skb);
	const struct iphdr *iph;
	struct iphdr _iph;

	iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
	if (!iph || iph->ihl < 5 || iph->version != 4)
		return -EINVAL;
	memcpy(&key->src, &iph->saddr, sizeof(iph->saddr));
	memcpy(&key->dst, &iph->daddr, sizeof(iph->daddr));
	key->proto = iph->protocol;
	pkt->dscp = iph->tos >> 2;
	if (iph->frag_off & htons(IP_OFFSET)) {
		pkt->fragment = true;
		return 0;
	}
	return fs_parse_l4(skb, off + iph->ihl * 4, key, pkt);
}

static int fs_parse_ipv6(const struct sk_buff *skb, struct fs_acct_key *key,
			 struct fs_acct_pkt *pkt)
{
	unsigned int off = skb_network_offset(skb);
	const struct ipv6hdr *ip6h;
	struct ipv6hdr _ip6h;
	__be16 frag_off = 0;
	u8 nexthdr;
	int l4off;

	ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6)
		return -EINVAL;
	key->src = ip6h->saddr;
	key->dst = ip6h->daddr;
	pkt->dscp = ipv6_get_dsfield(ip6h) >> 2;
	nexthdr = ip6h->nexthdr;
	l4off = ipv6_skip_exthdr(skb, off + sizeof(*ip6h), &nexthdr, &frag_off);
	if (l4off < 0)
		return -EINVAL;
	key->proto = nexthdr;
	if (frag_off & htons(IP6_OFFSET)) {
		const struct frag_hdr *fh;
		struct frag_hdr _fh;

		/* The chain stops at the fragment header: its next header
		 * is the protocol, as the IPv4 header's is for IPv4.
		 */
		fh = skb_header_pointer(skb, l4off, sizeof(_fh), &_fh);
		if (!fh)
			return -EINVAL;
		key->proto = fh->nexthdr;
		pkt->fragment = true;
		return 0;
	}
	return fs_parse_l4(skb, l4off, key, pkt);
}

/**
 * fs_acct_parse() - the key of a packet
 * @skb: the packet, network header set
 * @family: NFPROTO_IPV4 or NFPROTO_IPV6
 * @key: filled but for the interface
 * @pkt: filled
 *
 * Return: 0, or -EINVAL for a packet not to account (malformed).
 */
int fs_acct_parse(const struct sk_buff *skb, u8 family,
		  struct fs_acct_key *key, struct fs_acct_pkt *pkt)
{
	memset(key, 0, sizeof(*key));
	memset(pkt, 0, sizeof(*pkt));
	pkt->len = skb->len - skb_network_offset(skb);
	if (family == NFPROTO_IPV4) {
		key->family = AF_INET;
		return fs_parse_ipv4(skb, key, pkt);
	}
	key->family = AF_INET6;
	return fs_parse_ipv6(skb, key, pkt);
}

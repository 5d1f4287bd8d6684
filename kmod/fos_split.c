// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream FlowOS: splitting a held TCP segment in two, so that a
 * read-write PM can release the first part of a unit and keep the rest
 * (struct fos_window's @release_bytes).
 *
 * The packet stays the first part: its payload is cut at the split point
 * (a GSO packet stays GSO while its payload is longer than one segment).
 * The second part is a linear copy of the packet's headers and of the
 * payload from the split point on (only those bytes are copied), its
 * sequence number moved on by the bytes cut before it. The FIN goes with
 * the second part. Lengths and checksums are set on both:
 * IPv4's header checksum, and the TCP checksum in full (or, for a GSO
 * packet, the pseudo-header sum that its segmentation completes).
 */
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "fos.h"

/* The TCP header's offset from skb->data, or -1. */
static int fos_split_l4off(const struct sk_buff *skb)
{
	__be16 frag = 0;
	int off;
	u8 nh;

	if (skb->protocol == htons(ETH_P_IP)) {
		if (ip_hdr(skb)->protocol != IPPROTO_TCP ||
		    ip_is_fragment(ip_hdr(skb)))
			return -1;
		return ip_hdrlen(skb);
	}
	if (skb->protocol != htons(ETH_P_IPV6))
		return -1;
	nh = ipv6_hdr(skb)->nexthdr;
	off = ipv6_skip_exthdr(skb, sizeof(struct ipv6hdr), &nh, &frag);
	if (off < 0 || nh != IPPROTO_TCP || frag)
		return -1;
	return off;
}

/*
 * Lengths, sequence number and checksums of @skb (linear headers up to
 * the payload at @poff) after its payload changed; @seq_add moves the
 * sequence number on, @fin says whether it keeps the FIN.
 */
static void fos_split_fix(struct sk_buff *skb, int l4off, u32 seq_add,
			  bool fin)
{
	struct tcphdr *th = (struct tcphdr *)(skb->data + l4off);
	unsigned int l4len = skb->len - l4off;
	unsigned int plen = l4len - th->doff * 4;
	__wsum sum;

	th->seq = htonl(ntohl(th->seq) + seq_add);
	th->fin = fin;
	if (skb->protocol == htons(ETH_P_IP)) {
		ip_hdr(skb)->tot_len = htons(skb->len);
		ip_send_check(ip_hdr(skb));
	} else {
		ipv6_hdr(skb)->payload_len = htons(skb->len -
						   sizeof(struct ipv6hdr));
	}
	if (skb_is_gso(skb) && plen > skb_shinfo(skb)->gso_size) {
		/* Segmentation completes the sum; it needs the length. */
		skb_shinfo(skb)->gso_segs =
			DIV_ROUND_UP(plen, skb_shinfo(skb)->gso_size);
		if (skb->protocol == htons(ETH_P_IP))
			th->check = ~tcp_v4_check(l4len, ip_hdr(skb)->saddr,
						  ip_hdr(skb)->daddr, 0);
		else
			th->check = ~tcp_v6_check(l4len, &ipv6_hdr(skb)->saddr,
						  &ipv6_hdr(skb)->daddr, 0);
		return;
	}
	if (skb_is_gso(skb))
		skb_gso_reset(skb);
	th->check = 0;
	sum = skb_checksum(skb, l4off, l4len, 0);
	if (skb->protocol == htons(ETH_P_IP))
		th->check = tcp_v4_check(l4len, ip_hdr(skb)->saddr,
					 ip_hdr(skb)->daddr, sum);
	else
		th->check = tcp_v6_check(l4len, &ipv6_hdr(skb)->saddr,
					 &ipv6_hdr(skb)->daddr, sum);
	skb->ip_summed = CHECKSUM_NONE;
}

/**
 * fos_split_skb() - split a TCP segment in two at a payload byte
 * @skb: the packet, skb->data at its IP header; it becomes the first part
 * @at: offset from skb->data of the second part's first payload byte,
 *	past the TCP header and before the packet's end
 *
 * Return: the second part (a new packet with @skb's route, device and
 * control block), or NULL if @skb is no TCP segment that can be split
 * there (SYN, RST or URG set, a fragment) or there is no memory; @skb is
 * then unchanged.
 */
struct sk_buff *fos_split_skb(struct sk_buff *skb, unsigned int at)
{
	const struct tcphdr *th;
	struct tcphdr thb;
	unsigned int poff, hr, rest;
	struct sk_buff *n;
	int l4off;
	bool fin;

	l4off = fos_split_l4off(skb);
	if (l4off < 0)
		return NULL;
	th = skb_header_pointer(skb, l4off, sizeof(thb), &thb);
	if (!th || th->syn || th->rst || th->urg)
		return NULL;
	poff = l4off + th->doff * 4;
	fin = th->fin;
	if (at <= poff || at >= skb->len)
		return NULL;
	/* Both parts' headers private and linear. */
	if (skb_ensure_writable(skb, poff))
		return NULL;
	/*
	 * The second part: the headroom and headers, then the payload from
	 * @at on, copied into a linear packet of its own (as skb_copy() does,
	 * but without the payload before @at: a read-write PM keeps the end
	 * of a segment, usually a few bytes of a long one).
	 */
	hr = skb_headroom(skb);
	rest = skb->len - at;
	n = __alloc_skb(hr + poff + rest, GFP_KERNEL,
			skb_pfmemalloc(skb) ? SKB_ALLOC_RX : 0, NUMA_NO_NODE);
	if (!n)
		return NULL;
	skb_reserve(n, hr);
	skb_put(n, poff + rest);
	if (skb_copy_bits(skb, -(int)hr, n->head, hr + poff) ||
	    skb_copy_bits(skb, at, n->data + poff, rest)) {
		kfree_skb(n);
		return NULL;
	}
	skb_copy_header(n, skb);
	if (skb_is_gso(n))
		skb_gso_reset(n);
	if (pskb_trim(skb, at)) {
		kfree_skb(n);
		return NULL;
	}
	fos_split_fix(n, l4off, at - poff, fin);
	fos_split_fix(skb, l4off, 0, false);
	return n;
}

/**
 * fos_split_trim() - cut a TCP segment's payload at a byte
 * @skb: the packet, skb->data at its IP header
 * @at: offset from skb->data of the first payload byte to cut off, past
 *	the TCP header and before the packet's end
 *
 * The bytes from @at on are gone, and the FIN with them; the sequence
 * number stays. Lengths and checksums are set as for fos_split_skb().
 *
 * Return: 0, -EINVAL if @skb is no TCP segment with a payload byte at @at
 * (or a fragment), -ENOMEM; @skb is then unchanged.
 */
int fos_split_trim(struct sk_buff *skb, unsigned int at)
{
	const struct tcphdr *th;
	struct tcphdr thb;
	unsigned int poff;
	int l4off;

	l4off = fos_split_l4off(skb);
	if (l4off < 0)
		return -EINVAL;
	th = skb_header_pointer(skb, l4off, sizeof(thb), &thb);
	if (!th)
		return -EINVAL;
	poff = l4off + th->doff * 4;
	if (at <= poff || at >= skb->len)
		return -EINVAL;
	/* Headers private and linear, then the payload cut. */
	if (skb_ensure_writable(skb, poff) || pskb_trim(skb, at))
		return -ENOMEM;
	fos_split_fix(skb, l4off, 0, false);
	return 0;
}

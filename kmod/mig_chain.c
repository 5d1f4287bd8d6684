// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: state migration, daisy-chaining (the idle phase).
 *
 * While a migration with a next hop (FLOWSTREAM_MIG_A_VIA4/VIA6) exists, a
 * forwarded packet of its set that has no state here creates none: it is
 * sent to the next hop, the host taking the set over, which counts it and
 * creates the state there. "No state here": for a packet that a FlowOS
 * flow takes, no live session of that flow (FlowOS decides, at FORWARD:
 * fos_hook.c; accounting then neither counts nor chains it again); for
 * any other packet, no live flow record (accounting decides, at
 * POST_ROUTING). A packet of a FlowOS session that stays here is
 * accounted here, in a new record if its record left with MIG_EXPORT. Flows that started before the
 * migration keep being counted here until MIG_EXPORT hands them out; from
 * then on their packets find no record and follow the rest to B. The
 * packet keeps its addresses: only its route changes, to a gateway route
 * through the next hop (FLOWI_FLAG_KNOWN_NH, as nf_dup_ipv4/6 do for TEE).
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/route.h>

#include "acct.h"
#include "mig.h"
#include "netns.h"
#include "stats.h"

/*
 * Was @skb forwarded by this host (and not sent by it)? At POST_ROUTING
 * IPv4 says so in its control block; IPv6 marks only multicast, so a
 * packet that came in on an interface (skb_iif) and has no local socket
 * counts as forwarded.
 */
bool fs_mig_forwarded(const struct sk_buff *skb, u8 pf)
{
	if (pf == NFPROTO_IPV4)
		return IPCB(skb)->flags & IPSKB_FORWARDED;
	return skb->skb_iif && !skb->sk;
}

static bool fs_mig_route4(struct net *net, struct sk_buff *skb, __be32 via)
{
	struct flowi4 fl4 = {
		.daddr = via,
		.flowi4_scope = RT_SCOPE_UNIVERSE,
		.flowi4_flags = FLOWI_FLAG_KNOWN_NH,
		.flowi4_mark = skb->mark,
	};
	struct rtable *rt;

	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return false;
	if (rt->rt_type != RTN_UNICAST) {
		ip_rt_put(rt);
		return false;
	}
	skb_dst_drop(skb);
	skb_dst_set(skb, &rt->dst);
	skb->dev = rt->dst.dev;
	return true;
}

static bool fs_mig_route6(struct net *net, struct sk_buff *skb,
			  const struct in6_addr *via)
{
	struct flowi6 fl6 = {
		.daddr = *via,
		.flowi6_flags = FLOWI_FLAG_KNOWN_NH,
		.flowi6_mark = skb->mark,
	};
	struct dst_entry *dst;

	dst = ip6_route_output(net, NULL, &fl6);
	if (dst->error ||
	    (container_of(dst, struct rt6_info, dst)->rt6i_flags & RTF_LOCAL)) {
		dst_release(dst);
		return false;
	}
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	skb->dev = dst->dev;
	return true;
}

/**
 * fs_mig_chainer() - the daisy-chaining migration a flow belongs to
 * @fsn: the namespace
 * @family: the flow's family
 * @src: its source address (IPv4 in the first 4 bytes)
 * @dst: its destination
 *
 * Packet path, under RCU. Return: the first migration with a next hop for
 * @family whose set holds the flow, or NULL.
 */
struct fs_mig *fs_mig_chainer(struct fs_net *fsn, u8 family,
			      const struct in6_addr *src,
			      const struct in6_addr *dst)
{
	struct fs_mig *mig;

	list_for_each_entry_rcu(mig, &fsn->mig->list, list) {
		if (family == AF_INET ? !mig->has_via4 : !mig->has_via6)
			continue;
		if (fs_mig_wants_addr(mig, family, src, dst))
			return mig;
	}
	return NULL;
}

/**
 * fs_mig_send() - send a packet to a migration's next hop
 * @fsn: the namespace
 * @mig: a daisy-chaining migration, from fs_mig_chainer()
 * @skb: a forwarded packet, at FORWARD or POST_ROUTING
 * @family: its family
 *
 * Packet path, under RCU. Return: true if @skb now goes to @mig's next hop
 * (counted in mig_chained and the migration's chained); false if the next
 * hop has no unicast route (counted in mig_chain_noroute; @skb unchanged).
 */
bool fs_mig_send(struct fs_net *fsn, struct fs_mig *mig, struct sk_buff *skb,
		 u8 family)
{
	bool ok;

	ok = family == AF_INET ? fs_mig_route4(fsn->net, skb, mig->via4) :
				 fs_mig_route6(fsn->net, skb, &mig->via6);
	if (!ok) {
		fs_stat_inc(fsn, FLOWSTREAM_STAT_MIG_CHAIN_NOROUTE);
		return false;
	}
	atomic64_inc(&mig->chained);
	fs_stat_inc(fsn, FLOWSTREAM_STAT_MIG_CHAINED);
	return true;
}

/**
 * fs_mig_chain() - daisy-chain a packet that has no flow record here
 * @fsn: the namespace
 * @skb: a forwarded packet, at POST_ROUTING
 * @key: its flow's key
 *
 * Packet path, under RCU. Return: 1 if @skb now goes to the next hop of a
 * migration whose set holds @key (it must not be accounted here); 0 if no
 * such migration daisy-chains; -EHOSTUNREACH if its next hop has no
 * unicast route (counted: the packet is forwarded and accounted here as
 * usual).
 */
int fs_mig_chain(struct fs_net *fsn, struct sk_buff *skb,
		 const struct fs_acct_key *key)
{
	struct fs_mig *mig;

	mig = fs_mig_chainer(fsn, key->family, &key->src, &key->dst);
	if (!mig)
		return 0;
	return fs_mig_send(fsn, mig, skb, key->family) ? 1 : -EHOSTUNREACH;
}

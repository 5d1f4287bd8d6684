// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: state migration, daisy-chaining (the idle phase).
 *
 * While a migration with a next hop (FLOWSTREAM_MIG_A_VIA4/VIA6) exists, a
 * forwarded packet of its set that has no live flow record here creates
 * none: it is sent to the next hop, the host taking the set over, which
 * counts it and creates the record there. Flows that started before the
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
 * fs_mig_chain() - daisy-chain a packet that has no flow record here
 * @fsn: the namespace
 * @skb: a forwarded packet, at POST_ROUTING
 * @key: its flow's key
 *
 * Packet path, under RCU. Return: true if @skb now goes to the next hop of
 * a migration whose set holds @key (it must not be accounted here); false
 * if no such migration daisy-chains or its next hop has no unicast route
 * (counted: the packet is forwarded and accounted here as usual).
 */
bool fs_mig_chain(struct fs_net *fsn, struct sk_buff *skb,
		  const struct fs_acct_key *key)
{
	struct net *net = fsn->net;
	struct fs_mig *mig;
	bool ok;

	list_for_each_entry_rcu(mig, &fsn->mig->list, list) {
		if (key->family == AF_INET ? !mig->has_via4 : !mig->has_via6)
			continue;
		if (!fs_mig_wants(mig, key))
			continue;
		ok = key->family == AF_INET ?
		     fs_mig_route4(net, skb, mig->via4) :
		     fs_mig_route6(net, skb, &mig->via6);
		if (!ok) {
			fs_stat_inc(fsn, FLOWSTREAM_STAT_MIG_CHAIN_NOROUTE);
			return false;
		}
		atomic64_inc(&mig->chained);
		fs_stat_inc(fsn, FLOWSTREAM_STAT_MIG_CHAINED);
		return true;
	}
	return false;
}

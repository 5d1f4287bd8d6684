// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: the prefix sampler's netfilter hooks.
 *
 * PRE_ROUTING, IPv4 and IPv6, at priority -500: ahead of defragmentation
 * (-400) and conntrack, so each arriving packet (or fragment) is seen once,
 * as it came in. A packet that is not sampled costs a per-CPU decrement and
 * a branch: each CPU counts down to its next sample, the gap being the rate
 * (deterministic) or a geometric draw (random).
 */
#include <linux/bottom_half.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/skbuff.h>

#include "sampler.h"
#include "stats.h"

/* -500: before the raw table's before-defrag hooks (-450), defrag (-400) */
#define FS_SMP_PRIORITY	(NF_IP_PRI_RAW_BEFORE_DEFRAG - 50)

u32 fs_smp_first_gap(const struct fs_smp_run *run, struct fs_smp_pcpu *pc)
{
	if (run->mode == FLOWSTREAM_SMP_MODE_DETERMINISTIC)
		return run->rate;
	return fs_smp_geometric(run->log_q, prandom_u32_state(&pc->rnd));
}

/*
 * Count one sampled packet: three atomic additions to the one copy of the
 * counters that every CPU shares (sampled packets are few, so the memory
 * does not grow with the number of CPUs). The run, and with it the set,
 * stays the same until the packet is counted: a new window waits for a
 * grace period before it reads the old set.
 */
static void fs_smp_count(struct fs_smp_prefix *p, const struct fs_smp_run *run,
			 u32 index, u32 len)
{
	struct fs_smp_ctr *c = p->ctr + (((size_t)run->set << p->depth) + index);

	atomic64_inc(&c->packets);
	atomic64_add(len, &c->bytes);
	atomic64_add((u64)len * len, &c->sq);
}

static noinline void fs_smp_sample(struct fs_net *fsn,
				   const struct fs_smp_run *run,
				   struct sk_buff *skb, u8 pf)
{
	struct fs_sampler *smp = run->smp;
	struct fs_smp_prefix *p;
	struct fs_smp_pcpu *pc;
	const struct fs_rt *t;
	u8 family;
	u64 key[2];
	u32 len;

	local_bh_disable();
	pc = this_cpu_ptr(run->pcpu);
	pc->countdown = fs_smp_first_gap(run, pc);
	fs_stat_inc(fsn, FLOWSTREAM_STAT_SMP_SAMPLED);
	len = skb->len - skb_network_offset(skb);
	if (pf == NFPROTO_IPV4) {
		struct iphdr _iph;
		const struct iphdr *iph;

		iph = skb_header_pointer(skb, skb_network_offset(skb),
					 sizeof(_iph), &_iph);
		if (unlikely(!iph))
			goto malformed;
		family = AF_INET;
		fs_smp_key_from_addr(family, run->key == FLOWSTREAM_SMP_KEY_SRC ?
				     &iph->saddr : &iph->daddr, key);
		t = &smp->tree4;
	} else {
		struct ipv6hdr _ip6h;
		const struct ipv6hdr *ip6h;

		ip6h = skb_header_pointer(skb, skb_network_offset(skb),
					  sizeof(_ip6h), &_ip6h);
		if (unlikely(!ip6h))
			goto malformed;
		family = AF_INET6;
		fs_smp_key_from_addr(family, run->key == FLOWSTREAM_SMP_KEY_SRC ?
				     &ip6h->saddr : &ip6h->daddr, key);
		t = &smp->tree6;
	}
	p = fs_rt_lookup(t, key);
	if (p) {
		fs_smp_count(p, run, fs_rt_bits(key, p->plen, p->depth), len);
	} else {
		fs_smp_count(smp->unmatched, run, 0, len);
		fs_stat_inc(fsn, FLOWSTREAM_STAT_SMP_UNMATCHED);
	}
	local_bh_enable();
	return;
malformed:
	fs_stat_inc(fsn, FLOWSTREAM_STAT_SMP_DROP_MALFORMED);
	local_bh_enable();
}

static unsigned int fs_smp_hook(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	struct fs_net *fsn = priv;	/* no net_generic() lookup */
	struct fs_smp_run *run = rcu_dereference(fsn->smp_run);

	if (unlikely(!run))
		return NF_ACCEPT;
	/*
	 * One per-CPU instruction, safe whatever interrupts it. A packet
	 * that takes the count to zero or below is sampled and restarts it;
	 * should a softirq come between the two and see it below zero too
	 * (receive from process context only), both are sampled.
	 */
	if (likely(this_cpu_dec_return(run->pcpu->countdown) > 0))
		return NF_ACCEPT;
	fs_smp_sample(fsn, run, skb, state->pf);
	return NF_ACCEPT;
}

static const struct nf_hook_ops fs_smp_ops[] = {
	{
		.hook = fs_smp_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = FS_SMP_PRIORITY,
	},
	{
		.hook = fs_smp_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = FS_SMP_PRIORITY,
	},
};

/*
 * The namespace's own copy of the hooks, each with the namespace's state as
 * its priv, so that the hook finds it without a lookup.
 */
int fs_smp_hooks_register(struct fs_net *fsn)
{
	unsigned int i;

	BUILD_BUG_ON(sizeof(fsn->smp_ops) != sizeof(fs_smp_ops));
	memcpy(fsn->smp_ops, fs_smp_ops, sizeof(fs_smp_ops));
	for (i = 0; i < ARRAY_SIZE(fs_smp_ops); i++)
		fsn->smp_ops[i].priv = fsn;
	return nf_register_net_hooks(fsn->net, fsn->smp_ops,
				     ARRAY_SIZE(fs_smp_ops));
}

void fs_smp_hooks_unregister(struct fs_net *fsn)
{
	nf_unregister_net_hooks(fsn->net, fsn->smp_ops,
				ARRAY_SIZE(fs_smp_ops));
}

// SPDX-License-Identifier: GPL-2.0
/*
 * fs-hookbench.ko: the cost of one call of each netfilter hook registered
 * in a network namespace, for "make bench".
 *
 * Loaded with pid=PID (a process in the namespace) and iters=N, it builds
 * one IPv4 UDP packet (10.1.0.1:4000 -> 10.200.0.1:5000, 60 bytes: its
 * source in the first of the bench's monitored prefixes; from the
 * namespace's loopback device as if forwarded), and for each hook on
 * IPv4 PRE_ROUTING and POST_ROUTING calls the hook function N times
 * through its entry, as nf_hook_slow() would, timing the loop with
 * ktime_get_ns() under rcu_read_lock() with BHs off. A noinline function
 * that returns NF_ACCEPT, called the same way, is the baseline: what
 * entering any hook costs at least. It prints one line a hook,
 *
 *	fs-hookbench: HOOK PRIORITY NS_PER_CALL_X1000
 *
 * ("baseline" for HOOK and 0 for PRIORITY), and fails the load with
 * -EAGAIN so that nothing stays behind. The hooks run for real: the
 * packet's flow record and counters are updated N times.
 */
#include <linux/bottom_half.h>
#include <linux/etherdevice.h>
#include <linux/ip.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/net_namespace.h>

static int pid;
module_param(pid, int, 0444);
MODULE_PARM_DESC(pid, "a process in the network namespace to measure");
static unsigned int iters = 1000000;
module_param(iters, uint, 0444);
MODULE_PARM_DESC(iters, "calls per hook");

static noinline unsigned int hb_nop(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	return NF_ACCEPT;
}

static struct sk_buff *hb_skb(struct net_device *dev)
{
	struct sk_buff *skb = alloc_skb(LL_MAX_HEADER + 64, GFP_KERNEL);
	struct udphdr *uh;
	struct iphdr *iph;

	if (!skb)
		return NULL;
	skb_reserve(skb, LL_MAX_HEADER);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = htonl(0x0a010001);
	iph->daddr = htonl(0x0ac80001);
	iph->tot_len = htons(60);
	iph->check = ip_fast_csum(iph, iph->ihl);
	skb_set_transport_header(skb, sizeof(*iph));
	uh = skb_put_zero(skb, sizeof(*uh));
	uh->source = htons(4000);
	uh->dest = htons(5000);
	uh->len = htons(40);
	skb_put_zero(skb, 32);
	skb->protocol = htons(ETH_P_IP);
	skb->dev = dev;
	skb->skb_iif = dev->ifindex;
	return skb;
}

/* Nanoseconds per call, times 1000, of @fn(@priv) on @skb. */
static u64 hb_time(nf_hookfn *fn, void *priv, struct sk_buff *skb,
		   const struct nf_hook_state *state)
{
	unsigned int i;
	u64 t0, t1;

	local_bh_disable();
	rcu_read_lock();
	for (i = 0; i < 1000; i++)	/* warm */
		fn(priv, skb, state);
	t0 = ktime_get_ns();
	for (i = 0; i < iters; i++)
		fn(priv, skb, state);
	t1 = ktime_get_ns();
	rcu_read_unlock();
	local_bh_enable();
	return div_u64((t1 - t0) * 1000, iters);
}

static void hb_hooks(struct net *net, struct sk_buff *skb,
		     struct net_device *dev, unsigned int hook,
		     const char *name)
{
	struct nf_hook_entries *e;
	struct nf_hook_ops **ops;
	struct nf_hook_state state;
	unsigned int i, n;

	nf_hook_state_init(&state, hook, NFPROTO_IPV4,
			   hook == NF_INET_PRE_ROUTING ? dev : NULL,
			   hook == NF_INET_POST_ROUTING ? dev : NULL,
			   NULL, net, NULL);
	rcu_read_lock();
	e = rcu_dereference(net->nf.hooks_ipv4[hook]);
	n = e ? e->num_hook_entries : 0;
	rcu_read_unlock();
	for (i = 0; i < n; i++) {
		struct nf_hook_entry entry;
		int prio;
		u64 ns;

		/*
		 * The entries may be replaced when hooks change: the bench
		 * changes none while it runs, but copies each under RCU.
		 */
		rcu_read_lock();
		e = rcu_dereference(net->nf.hooks_ipv4[hook]);
		if (!e || i >= e->num_hook_entries) {
			rcu_read_unlock();
			break;
		}
		entry = e->hooks[i];
		ops = nf_hook_entries_get_hook_ops(e);
		prio = ops[i]->priority;
		rcu_read_unlock();
		ns = hb_time(entry.hook, entry.priv, skb, &state);
		pr_info("fs-hookbench: %s %d %llu\n", name, prio, ns);
	}
}

static int __init hb_init(void)
{
	struct net_device *dev;
	struct sk_buff *skb;
	struct nf_hook_state state;
	struct task_struct *task;
	struct net *net = NULL;

	rcu_read_lock();
	task = pid_task(find_vpid(pid), PIDTYPE_PID);
	if (task) {
		task_lock(task);
		if (task->nsproxy)
			net = get_net(task->nsproxy->net_ns);
		task_unlock(task);
	}
	rcu_read_unlock();
	if (!net) {
		pr_err("fs-hookbench: no process %d\n", pid);
		return -ESRCH;
	}
	dev = net->loopback_dev;
	skb = hb_skb(dev);
	if (!skb) {
		put_net(net);
		return -ENOMEM;
	}
	nf_hook_state_init(&state, NF_INET_PRE_ROUTING, NFPROTO_IPV4, dev,
			   NULL, NULL, net, NULL);
	pr_info("fs-hookbench: baseline 0 %llu\n",
		hb_time(hb_nop, NULL, skb, &state));
	hb_hooks(net, skb, dev, NF_INET_PRE_ROUTING, "prerouting");
	hb_hooks(net, skb, dev, NF_INET_POST_ROUTING, "postrouting");
	kfree_skb(skb);
	put_net(net);
	return -EAGAIN;
}

module_init(hb_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("flowstream bench: the cost of a netfilter hook call");

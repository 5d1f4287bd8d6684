// SPDX-License-Identifier: GPL-2.0
/*
 * fs-nophook.ko: netfilter hooks that do nothing, registered in a network
 * namespace where flowstream's own sit, for "make bench". Its row in the
 * table is the floor for any hook at that point: what netfilter's
 * dispatch costs a packet (the hook entry, the indirect call, the
 * verdict), with no work done.
 *
 * Loaded with pid=PID (a process in the namespace) and at=acct (IPv4 and
 * IPv6 LOCAL_IN and POST_ROUTING at NF_IP_PRI_LAST - 1, as flowstream's
 * accounting) or at=smp (IPv4 and IPv6 PRE_ROUTING at -500, as its
 * prefix sampler). The hooks stay until the module is unloaded; it holds
 * a reference to the namespace meanwhile.
 */
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/nsproxy.h>
#include <net/net_namespace.h>

static int pid;
module_param(pid, int, 0444);
MODULE_PARM_DESC(pid, "a process in the network namespace to hook");
static char *at = "acct";
module_param(at, charp, 0444);
MODULE_PARM_DESC(at, "where: acct (LOCAL_IN, POST_ROUTING) or smp (PRE_ROUTING)");

static unsigned int nh_accept(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	return NF_ACCEPT;
}

static const struct nf_hook_ops nh_acct_ops[] = {
	{ .hook = nh_accept, .pf = NFPROTO_IPV4, .hooknum = NF_INET_LOCAL_IN,
	  .priority = NF_IP_PRI_LAST - 1 },
	{ .hook = nh_accept, .pf = NFPROTO_IPV4, .hooknum = NF_INET_POST_ROUTING,
	  .priority = NF_IP_PRI_LAST - 1 },
	{ .hook = nh_accept, .pf = NFPROTO_IPV6, .hooknum = NF_INET_LOCAL_IN,
	  .priority = NF_IP6_PRI_LAST - 1 },
	{ .hook = nh_accept, .pf = NFPROTO_IPV6, .hooknum = NF_INET_POST_ROUTING,
	  .priority = NF_IP6_PRI_LAST - 1 },
};

static const struct nf_hook_ops nh_smp_ops[] = {
	{ .hook = nh_accept, .pf = NFPROTO_IPV4, .hooknum = NF_INET_PRE_ROUTING,
	  .priority = NF_IP_PRI_RAW_BEFORE_DEFRAG - 50 },
	{ .hook = nh_accept, .pf = NFPROTO_IPV6, .hooknum = NF_INET_PRE_ROUTING,
	  .priority = NF_IP_PRI_RAW_BEFORE_DEFRAG - 50 },
};

static struct net *nh_net;
static const struct nf_hook_ops *nh_ops;
static unsigned int nh_n;

static int __init nh_init(void)
{
	struct task_struct *task;
	int err;

	if (!strcmp(at, "acct")) {
		nh_ops = nh_acct_ops;
		nh_n = ARRAY_SIZE(nh_acct_ops);
	} else if (!strcmp(at, "smp")) {
		nh_ops = nh_smp_ops;
		nh_n = ARRAY_SIZE(nh_smp_ops);
	} else {
		pr_err("fs-nophook: at=%s: acct or smp\n", at);
		return -EINVAL;
	}
	rcu_read_lock();
	task = pid_task(find_vpid(pid), PIDTYPE_PID);
	if (task) {
		task_lock(task);
		if (task->nsproxy)
			nh_net = get_net(task->nsproxy->net_ns);
		task_unlock(task);
	}
	rcu_read_unlock();
	if (!nh_net) {
		pr_err("fs-nophook: no process %d\n", pid);
		return -ESRCH;
	}
	err = nf_register_net_hooks(nh_net, nh_ops, nh_n);
	if (err)
		put_net(nh_net);
	return err;
}

static void __exit nh_exit(void)
{
	nf_unregister_net_hooks(nh_net, nh_ops, nh_n);
	put_net(nh_net);
}

module_init(nh_init);
module_exit(nh_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("flowstream bench: no-op netfilter hooks");

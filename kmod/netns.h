/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowstream: per-network-namespace state.
 */
#ifndef _FLOWSTREAM_NETNS_H
#define _FLOWSTREAM_NETNS_H

#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

struct fs_acct;
struct fs_config;
struct fs_pcpu_stats;
struct fs_sampler;
struct fs_smp_run;
struct fos_net;
struct fs_mig_net;
struct proc_dir_entry;

/* Ended flow records on their way to FLOWSTREAM_MCGRP_RECORDS (acct_events.c) */
struct fs_events {
	spinlock_t lock;	/* protects the fields below */
	struct list_head queue;
	unsigned int len;
	u64 seq;
	struct work_struct work;
};

/**
 * struct fs_net - flowstream state of one network namespace
 * @net: the namespace this state belongs to
 * @lock: serializes writers of @cfg, statistics resets and the capability
 *	state that hangs off this structure
 * @cfg: current configuration, replaced as a whole under @lock and read
 *	under RCU (see config.c)
 * @stats: per-CPU counters (see stats.c)
 * @stats_base: counter values at the last reset, under @lock
 * @created_ns: boot-time clock when this state was created
 * @proc_dir: /proc/net/flowstream of this namespace
 * @acct: flow record table while accounting is on; changed under @lock,
 *	read under RCU
 * @events: ended records on their way to listeners
 * @smp: prefix sampling state, under @lock
 * @smp_run: the sampler's current window while sampling is on; changed
 *	under @lock, read under RCU
 * @fos: FlowOS state (fos.h)
 * @mig: state migrations (mig.h), under @lock
 */
struct fs_net {
	struct net *net;
	struct mutex lock; /* serializes writers, see above */
	struct fs_config __rcu *cfg;
	struct fs_pcpu_stats __percpu *stats;
	u64 *stats_base;
	u64 created_ns;
	struct proc_dir_entry *proc_dir;
	struct fs_acct __rcu *acct;
	struct fs_events events;
	struct fs_sampler *smp;
	struct fs_smp_run __rcu *smp_run;
	/* The sampler's hooks, their priv this struct (sampler_hook.c). */
	struct nf_hook_ops smp_ops[2];
	struct fos_net *fos;
	struct fs_mig_net *mig;
};

extern unsigned int fs_net_id;

static inline struct fs_net *fs_net(const struct net *net)
{
	return net_generic(net, fs_net_id);
}

struct netlink_ext_ack;

int fs_netns_register(void);
void fs_netns_unregister(void);
u64 fs_net_features_supported(void);
u64 fs_net_features_enabled(struct fs_net *fsn);
int fs_net_apply(struct fs_net *fsn, const struct fs_config *old,
		 struct fs_config *new, struct netlink_ext_ack *extack);

#endif /* _FLOWSTREAM_NETNS_H */

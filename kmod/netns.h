/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowstream: per-network-namespace state.
 */
#ifndef _FLOWSTREAM_NETNS_H
#define _FLOWSTREAM_NETNS_H

#include <linux/mutex.h>
#include <linux/types.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

struct fs_config;
struct fs_pcpu_stats;
struct proc_dir_entry;

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
 */
struct fs_net {
	struct net *net;
	struct mutex lock; /* serializes writers, see above */
	struct fs_config __rcu *cfg;
	struct fs_pcpu_stats __percpu *stats;
	u64 *stats_base;
	u64 created_ns;
	struct proc_dir_entry *proc_dir;
};

extern unsigned int fs_net_id;

static inline struct fs_net *fs_net(const struct net *net)
{
	return net_generic(net, fs_net_id);
}

int fs_netns_register(void);
void fs_netns_unregister(void);

#endif /* _FLOWSTREAM_NETNS_H */

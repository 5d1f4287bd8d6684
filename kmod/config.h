/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowstream: per-namespace configuration.
 */
#ifndef _FLOWSTREAM_CONFIG_H
#define _FLOWSTREAM_CONFIG_H

#include <linux/rcupdate.h>
#include <linux/types.h>
#include <net/netlink.h>
#include <uapi/linux/flowstream.h>

#include "netns.h"

/**
 * struct fs_config - configuration of one namespace
 * @node_id: FLOWSTREAM_CFG_A_NODE_ID
 * @rcu: for freeing a replaced configuration
 *
 * Never changed in place: a change builds a new copy, validates it whole and
 * then publishes it, so readers (including the packet path) see either the
 * old or the new configuration and a rejected change leaves no trace.
 */
struct fs_config {
	u32 node_id;
	struct rcu_head rcu;
};

extern const struct nla_policy fs_config_policy[FLOWSTREAM_CFG_A_MAX + 1];

int fs_config_net_init(struct fs_net *fsn);
void fs_config_net_exit(struct fs_net *fsn);

/* The current configuration; caller holds @fsn->lock. */
static inline const struct fs_config *fs_config_locked(struct fs_net *fsn)
{
	return rcu_dereference_protected(fsn->cfg, lockdep_is_held(&fsn->lock));
}

int fs_config_build(const struct fs_config *old, struct nlattr *const *tb,
		    struct fs_config *new, struct netlink_ext_ack *extack);
void fs_config_replace(struct fs_net *fsn, struct fs_config *new);
int fs_config_fill_nest(const struct fs_config *cfg, struct sk_buff *skb,
			int attr);

#endif /* _FLOWSTREAM_CONFIG_H */

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
 * @acct_enable: FLOWSTREAM_CFG_A_ACCT_ENABLE
 * @acct_overload: FLOWSTREAM_CFG_A_ACCT_OVERLOAD
 * @acct_idle_timeout: FLOWSTREAM_CFG_A_ACCT_IDLE_TIMEOUT, seconds
 * @acct_active_timeout: FLOWSTREAM_CFG_A_ACCT_ACTIVE_TIMEOUT, seconds
 * @acct_fin_timeout: FLOWSTREAM_CFG_A_ACCT_FIN_TIMEOUT, seconds
 * @acct_max_records: FLOWSTREAM_CFG_A_ACCT_MAX_RECORDS
 * @acct_buckets: FLOWSTREAM_CFG_A_ACCT_BUCKETS (read only)
 * @rcu: for freeing a replaced configuration
 *
 * Never changed in place: a change builds a new copy, validates it whole and
 * then publishes it, so readers (including the packet path) see either the
 * old or the new configuration and a rejected change leaves no trace.
 */
struct fs_config {
	u32 node_id;
	u8 acct_enable;
	u8 acct_overload;
	u32 acct_idle_timeout;
	u32 acct_active_timeout;
	u32 acct_fin_timeout;
	u32 acct_max_records;
	u32 acct_buckets;
	u32 fos_max_held;
	u32 fos_max_held_bytes;
	struct rcu_head rcu;
};

/* Defaults of namespaces created from now on (module parameters). */
extern bool fs_acct_enable_default;
extern unsigned int fs_acct_max_records_default;

extern const struct nla_policy fs_config_policy[FLOWSTREAM_CFG_A_MAX + 1];
extern struct netlink_range_validation fs_max_records_range;

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

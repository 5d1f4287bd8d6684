// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: per-namespace configuration.
 */
#include <linux/slab.h>

#include "config.h"

static struct netlink_range_validation fs_idle_range = {
	.min = 1, .max = 86400,
};

static struct netlink_range_validation fs_active_range = {
	.min = 1, .max = 604800,
};

static struct netlink_range_validation fs_fin_range = {
	.min = 0, .max = 300,
};

struct netlink_range_validation fs_max_records_range = {
	.min = 16, .max = 16777216,
};

static struct netlink_range_validation fs_fos_held_range = {
	.min = 1, .max = 1 << 20,
};

static struct netlink_range_validation fs_fos_held_bytes_range = {
	.min = 4096, .max = 1 << 30,
};

const struct nla_policy fs_config_policy[FLOWSTREAM_CFG_A_MAX + 1] = {
	[FLOWSTREAM_CFG_A_NODE_ID] = { .type = NLA_U32 },
	[FLOWSTREAM_CFG_A_ACCT_ENABLE] = NLA_POLICY_MAX(NLA_U8, 1),
	[FLOWSTREAM_CFG_A_ACCT_IDLE_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &fs_idle_range),
	[FLOWSTREAM_CFG_A_ACCT_ACTIVE_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &fs_active_range),
	[FLOWSTREAM_CFG_A_ACCT_FIN_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &fs_fin_range),
	[FLOWSTREAM_CFG_A_ACCT_MAX_RECORDS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &fs_max_records_range),
	[FLOWSTREAM_CFG_A_ACCT_OVERLOAD] =
		NLA_POLICY_MAX(NLA_U8, __FLOWSTREAM_OVERLOAD_MAX - 1),
	[FLOWSTREAM_CFG_A_ACCT_BUCKETS] = {
		.type = NLA_REJECT,
		.reject_message = "buckets is read-only",
	},
	[FLOWSTREAM_CFG_A_FOS_MAX_HELD] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &fs_fos_held_range),
	[FLOWSTREAM_CFG_A_FOS_MAX_HELD_BYTES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &fs_fos_held_bytes_range),
};

int fs_config_net_init(struct fs_net *fsn)
{
	struct fs_config *cfg;

	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	cfg->acct_enable = READ_ONCE(fs_acct_enable_default);
	cfg->acct_overload = FLOWSTREAM_OVERLOAD_REFUSE;
	cfg->acct_idle_timeout = 15;
	cfg->acct_active_timeout = 1800;
	cfg->acct_fin_timeout = 2;
	cfg->acct_max_records = READ_ONCE(fs_acct_max_records_default);
	cfg->fos_max_held = 65536;
	cfg->fos_max_held_bytes = 64 << 20;
	RCU_INIT_POINTER(fsn->cfg, cfg);
	return 0;
}

void fs_config_net_exit(struct fs_net *fsn)
{
	/* No reader is left: the namespace (or the module) is going away. */
	kfree(rcu_dereference_protected(fsn->cfg, 1));
	RCU_INIT_POINTER(fsn->cfg, NULL);
}

/**
 * fs_config_build() - apply requested changes to a copy of a configuration
 * @old: the current configuration
 * @tb: FLOWSTREAM_CFG_A_* attributes, already checked by fs_config_policy
 * @new: receives @old with the changes applied
 * @extack: where to explain a refusal
 *
 * Checks that the result as a whole is valid. Return: 0 or a negative errno
 * with @extack set; @old is never touched.
 */
int fs_config_build(const struct fs_config *old, struct nlattr *const *tb,
		    struct fs_config *new, struct netlink_ext_ack *extack)
{
	*new = *old;
	if (tb[FLOWSTREAM_CFG_A_NODE_ID])
		new->node_id = nla_get_u32(tb[FLOWSTREAM_CFG_A_NODE_ID]);
	if (tb[FLOWSTREAM_CFG_A_ACCT_ENABLE])
		new->acct_enable = nla_get_u8(tb[FLOWSTREAM_CFG_A_ACCT_ENABLE]);
	if (tb[FLOWSTREAM_CFG_A_ACCT_OVERLOAD])
		new->acct_overload =
			nla_get_u8(tb[FLOWSTREAM_CFG_A_ACCT_OVERLOAD]);
	if (tb[FLOWSTREAM_CFG_A_ACCT_IDLE_TIMEOUT])
		new->acct_idle_timeout =
			nla_get_u32(tb[FLOWSTREAM_CFG_A_ACCT_IDLE_TIMEOUT]);
	if (tb[FLOWSTREAM_CFG_A_ACCT_ACTIVE_TIMEOUT])
		new->acct_active_timeout =
			nla_get_u32(tb[FLOWSTREAM_CFG_A_ACCT_ACTIVE_TIMEOUT]);
	if (tb[FLOWSTREAM_CFG_A_ACCT_FIN_TIMEOUT])
		new->acct_fin_timeout =
			nla_get_u32(tb[FLOWSTREAM_CFG_A_ACCT_FIN_TIMEOUT]);
	if (tb[FLOWSTREAM_CFG_A_ACCT_MAX_RECORDS])
		new->acct_max_records =
			nla_get_u32(tb[FLOWSTREAM_CFG_A_ACCT_MAX_RECORDS]);
	if (tb[FLOWSTREAM_CFG_A_FOS_MAX_HELD])
		new->fos_max_held =
			nla_get_u32(tb[FLOWSTREAM_CFG_A_FOS_MAX_HELD]);
	if (tb[FLOWSTREAM_CFG_A_FOS_MAX_HELD_BYTES])
		new->fos_max_held_bytes =
			nla_get_u32(tb[FLOWSTREAM_CFG_A_FOS_MAX_HELD_BYTES]);
	return 0;
}

/* Publish @new (allocated by the caller) in place of the current one. */
void fs_config_replace(struct fs_net *fsn, struct fs_config *new)
{
	struct fs_config *old = rcu_replace_pointer(fsn->cfg, new,
						    lockdep_is_held(&fsn->lock));

	kfree_rcu(old, rcu);
}

int fs_config_fill_nest(const struct fs_config *cfg, struct sk_buff *skb,
			int attr)
{
	struct nlattr *nest = nla_nest_start(skb, attr);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, FLOWSTREAM_CFG_A_NODE_ID, cfg->node_id) ||
	    nla_put_u8(skb, FLOWSTREAM_CFG_A_ACCT_ENABLE, cfg->acct_enable) ||
	    nla_put_u32(skb, FLOWSTREAM_CFG_A_ACCT_IDLE_TIMEOUT,
			cfg->acct_idle_timeout) ||
	    nla_put_u32(skb, FLOWSTREAM_CFG_A_ACCT_ACTIVE_TIMEOUT,
			cfg->acct_active_timeout) ||
	    nla_put_u32(skb, FLOWSTREAM_CFG_A_ACCT_FIN_TIMEOUT,
			cfg->acct_fin_timeout) ||
	    nla_put_u32(skb, FLOWSTREAM_CFG_A_ACCT_MAX_RECORDS,
			cfg->acct_max_records) ||
	    nla_put_u8(skb, FLOWSTREAM_CFG_A_ACCT_OVERLOAD, cfg->acct_overload) ||
	    nla_put_u32(skb, FLOWSTREAM_CFG_A_ACCT_BUCKETS, cfg->acct_buckets) ||
	    nla_put_u32(skb, FLOWSTREAM_CFG_A_FOS_MAX_HELD, cfg->fos_max_held) ||
	    nla_put_u32(skb, FLOWSTREAM_CFG_A_FOS_MAX_HELD_BYTES,
			cfg->fos_max_held_bytes)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: per-namespace configuration.
 */
#include <linux/slab.h>

#include "config.h"

const struct nla_policy fs_config_policy[FLOWSTREAM_CFG_A_MAX + 1] = {
	[FLOWSTREAM_CFG_A_NODE_ID] = { .type = NLA_U32 },
};

static const struct fs_config fs_config_defaults = {
	.node_id = 0,
};

int fs_config_net_init(struct fs_net *fsn)
{
	struct fs_config *cfg;

	cfg = kmemdup(&fs_config_defaults, sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
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
	if (nla_put_u32(skb, FLOWSTREAM_CFG_A_NODE_ID, cfg->node_id)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

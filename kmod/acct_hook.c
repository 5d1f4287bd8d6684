// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: flow accounting on and off, and its netfilter hooks.
 *
 * Where accounting is on, hooks at LOCAL_IN and POST_ROUTING (IPv4 and
 * IPv6) see each packet once: a locally received packet at LOCAL_IN, a
 * forwarded or locally sent one at POST_ROUTING, where its egress
 * interface is known. Loopback packets were already counted as sent and
 * are skipped at LOCAL_IN. The hooks run at the last priority but
 * conntrack's confirmation, so they count packets that the filter let
 * through, with addresses after NAT. While a migration daisy-chains, a
 * forwarded packet of its set with no state here is handed to it
 * (mig_chain.c) instead of creating one; for a packet a FlowOS flow takes,
 * FlowOS's session decides (fos_mig_state()).
 */
#include <linux/netdevice.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>

#include "acct.h"
#include "config.h"
#include "mig.h"
#include "stats.h"

/*
 * A forwarded packet at POST_ROUTING while a migration daisy-chains: true
 * if it was counted here or is going to the next hop (not to count).
 * FlowOS decides for a packet one of its flows takes (FlowOS sessions
 * hold both directions: either may be in the set), the flow record for
 * any other packet of the set.
 */
static bool fs_acct_mig(struct fs_net *fsn, struct fs_acct *acct,
			struct sk_buff *skb, u8 pf, const struct fs_acct_key *key,
			const struct fs_acct_pkt *pkt, u32 oif)
{
	bool fwd = fs_mig_chainer(fsn, key->family, &key->src, &key->dst);

	if (!fwd && !fs_mig_chainer(fsn, key->family, &key->dst, &key->src))
		return false;
	switch (fos_mig_state(fsn, skb, pf)) {
	case FS_MIG_FOS_GONE:
		return true;		/* sent to the next hop by FlowOS */
	case FS_MIG_FOS_HERE:
		return false;		/* its session is here: count it */
	case FS_MIG_FOS_NONE:
		break;
	}
	return fwd && (fs_acct_account_live(acct, key, pkt, oif) ||
		       fs_mig_chain(fsn, skb, key) > 0);
}

static unsigned int fs_acct_hook(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct fs_net *fsn = fs_net(state->net);
	struct fs_acct *acct = rcu_dereference(fsn->acct);
	struct fs_acct_key key;
	struct fs_acct_pkt pkt;
	u32 oif = 0;

	if (unlikely(!acct))
		return NF_ACCEPT;
	if (state->hook == NF_INET_LOCAL_IN && (state->in->flags & IFF_LOOPBACK))
		return NF_ACCEPT;
	if (unlikely(fs_acct_parse(skb, state->pf, &key, &pkt))) {
		fs_stat_inc(fsn, FLOWSTREAM_STAT_ACCT_DROP_MALFORMED);
		return NF_ACCEPT;
	}
	if (state->hook == NF_INET_LOCAL_IN) {
		key.iif = state->in->ifindex;
	} else {
		key.iif = skb->skb_iif;
		oif = state->out->ifindex;
		if (unlikely(fs_mig_chaining(fsn->mig)) &&
		    fs_mig_forwarded(skb, state->pf) &&
		    fs_acct_mig(fsn, acct, skb, state->pf, &key, &pkt, oif))
			return NF_ACCEPT;
	}
	fs_acct_account(acct, &key, &pkt, oif);
	return NF_ACCEPT;
}

static const struct nf_hook_ops fs_acct_ops[] = {
	{
		.hook = fs_acct_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP_PRI_LAST - 1,
	},
	{
		.hook = fs_acct_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP_PRI_LAST - 1,
	},
	{
		.hook = fs_acct_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP6_PRI_LAST - 1,
	},
	{
		.hook = fs_acct_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP6_PRI_LAST - 1,
	},
};

/* Caller holds fsn->lock. */
static int fs_acct_on(struct fs_net *fsn, struct fs_config *cfg,
		      struct netlink_ext_ack *extack)
{
	struct fs_acct *acct;
	int err;

	acct = fs_acct_create(fsn, cfg);
	if (!acct) {
		NL_SET_ERR_MSG_MOD(extack, "no memory for the flow record table");
		return -ENOMEM;
	}
	rcu_assign_pointer(fsn->acct, acct);
	err = nf_register_net_hooks(fsn->net, fs_acct_ops,
				    ARRAY_SIZE(fs_acct_ops));
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot register netfilter hooks");
		RCU_INIT_POINTER(fsn->acct, NULL);
		synchronize_rcu();
		fs_acct_destroy(acct, FLOWSTREAM_END_FLUSHED);
		return err;
	}
	cfg->acct_buckets = acct->mask + 1;
	fs_acct_expire_start(acct);
	return 0;
}

/* Caller holds fsn->lock (or the namespace is going away). */
static void fs_acct_off(struct fs_net *fsn, u8 reason)
{
	struct fs_acct *acct = rcu_dereference_protected(fsn->acct, 1);

	if (!acct)
		return;
	/* Returns when no hook runs any more. */
	nf_unregister_net_hooks(fsn->net, fs_acct_ops, ARRAY_SIZE(fs_acct_ops));
	cancel_delayed_work_sync(&acct->expire_work);
	RCU_INIT_POINTER(fsn->acct, NULL);
	/* Dumps and lookups read the table under RCU. */
	synchronize_rcu();
	fs_acct_destroy(acct, reason);
}

/**
 * fs_acct_apply() - bring accounting in line with a new configuration
 * @fsn: namespace state; caller holds fsn->lock
 * @old: the configuration in force
 * @new: the one about to be published; acct_buckets is set here
 * @extack: where to say why it failed
 *
 * Return: 0, or an error with nothing changed.
 */
int fs_acct_apply(struct fs_net *fsn, const struct fs_config *old,
		  struct fs_config *new, struct netlink_ext_ack *extack)
{
	struct fs_acct *acct = rcu_dereference_protected(fsn->acct,
						lockdep_is_held(&fsn->lock));

	if (new->acct_enable && !acct)
		return fs_acct_on(fsn, new, extack);
	if (!new->acct_enable && acct) {
		fs_acct_off(fsn, FLOWSTREAM_END_FLUSHED);
		new->acct_buckets = 0;
		return 0;
	}
	if (acct) {
		fs_acct_update(acct, new);
		/* Shorter timeouts may make records due sooner. */
		fs_acct_expire_soon(acct, get_jiffies_64());
	}
	return 0;
}

/* Whether accounting is on in @fsn; caller holds fsn->lock. */
bool fs_acct_enabled(struct fs_net *fsn)
{
	return rcu_access_pointer(fsn->acct);
}

int fs_acct_net_init(struct fs_net *fsn)
{
	struct fs_config *cfg = rcu_dereference_protected(fsn->cfg, 1);
	int err = 0;

	if (cfg->acct_enable) {
		mutex_lock(&fsn->lock);
		err = fs_acct_on(fsn, cfg, NULL);
		mutex_unlock(&fsn->lock);
	}
	return err;
}

void fs_acct_net_exit(struct fs_net *fsn)
{
	fs_acct_off(fsn, FLOWSTREAM_END_NETNS);
}

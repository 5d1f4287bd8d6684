// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: the "flowstream" generic netlink family.
 *
 * The protocol is documented in uapi/linux/flowstream.h. Every operation
 * acts on the caller's network namespace and needs CAP_NET_ADMIN over it
 * (GENL_UNS_ADMIN_PERM). Each operation has its own strict policy: an
 * operation that takes no attributes rejects any, and resv_start_op is 0 so
 * the reserved header fields are checked too.
 */
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <uapi/linux/flowstream.h>

#include "acct.h"
#include "config.h"
#include "flowstream.h"
#include "fos.h"
#include "mig.h"
#include "netlink.h"
#include "netns.h"
#include "sampler.h"
#include "stats.h"

static const struct genl_multicast_group fs_mcgrps[] = {
	[FS_MCGRP_CONFIG] = { .name = FLOWSTREAM_MCGRP_CONFIG },
	[FS_MCGRP_RECORDS] = { .name = FLOWSTREAM_MCGRP_RECORDS },
	[FS_MCGRP_MIGRATE] = { .name = FLOWSTREAM_MCGRP_MIGRATE },
};

static const struct nla_policy fs_set_config_policy[FLOWSTREAM_A_MAX + 1] = {
	[FLOWSTREAM_A_CONFIG] = NLA_POLICY_NESTED(fs_config_policy),
};

struct fs_net *fs_nl_begin(struct genl_info *info)
{
	struct fs_net *fsn = fs_net(genl_info_net(info));

	fs_stat_inc(fsn, FLOWSTREAM_STAT_NL_REQUESTS);
	return fsn;
}

/* An address family attribute: AF_INET or AF_INET6, or an error. */
int fs_nl_family(const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	u8 family = nla_get_u8(attr);

	if (family != AF_INET && family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	return family;
}

/* An address attribute of @family into @addr (IPv4 in its first bytes). */
int fs_nl_addr(const struct nlattr *attr, u8 family, struct in6_addr *addr,
	       struct netlink_ext_ack *extack)
{
	int alen = family == AF_INET ? 4 : 16;

	if (nla_len(attr) != alen) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "address length does not match the family");
		return -EINVAL;
	}
	memset(addr, 0, sizeof(*addr));
	memcpy(addr, nla_data(attr), alen);
	return 0;
}

/* A handler refused the request: count it and, if asked to, log why. */
int fs_nl_reject(struct fs_net *fsn, struct genl_info *info, int err)
{
	fs_stat_inc(fsn, FLOWSTREAM_STAT_NL_REJECTED);
	if (READ_ONCE(fs_debug) & FS_DEBUG_NL_REJECT)
		pr_info_ratelimited("flowstream: netns %u: command %u refused: %d %s\n",
				    fsn->net->ns.inum, info->genlhdr->cmd, err,
				    info->extack && info->extack->_msg ?
				    info->extack->_msg : "");
	return err;
}

/*
 * A dump's request, checked in its first call (before 6.2, start() has no
 * extended ACK to explain a refusal with): counted, and its top-level
 * attributes parsed again with @policy, because where the generic netlink
 * core keeps a dump's attributes differs between kernels (they were
 * validated already). A refusal here is counted too.
 */
int fs_nl_dump_attrs(struct netlink_callback *cb, struct fs_net *fsn,
		     const struct nla_policy *policy, struct nlattr **attrs)
{
	int err;

	fs_stat_inc(fsn, FLOWSTREAM_STAT_NL_REQUESTS);
	err = nlmsg_parse(cb->nlh, GENL_HDRLEN, attrs, FLOWSTREAM_A_MAX,
			  policy, cb->extack);
	if (err)
		fs_stat_inc(fsn, FLOWSTREAM_STAT_NL_REJECTED);
	return err;
}

static struct sk_buff *fs_nl_reply_new(struct genl_info *info, void **hdr)
{
	struct sk_buff *skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);

	if (!skb)
		return NULL;
	*hdr = genlmsg_put_reply(skb, info, &fs_genl_family, 0,
				 info->genlhdr->cmd);
	if (!*hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static int fs_nl_reply_send(struct genl_info *info, struct sk_buff *skb,
			    void *hdr, int err)
{
	if (err) {
		nlmsg_free(skb);
		return err;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

static int fs_nl_get_version(struct sk_buff *req, struct genl_info *info)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	fs_nl_begin(info);
	skb = fs_nl_reply_new(info, &hdr);
	if (!skb)
		return -ENOMEM;
	err = nla_put_string(skb, FLOWSTREAM_A_VERSION, FLOWSTREAM_VERSION) ||
	      nla_put_u32(skb, FLOWSTREAM_A_API_VERSION,
			  FLOWSTREAM_GENL_VERSION) ||
	      nla_put_u64_64bit(skb, FLOWSTREAM_A_FEATURES,
				fs_net_features_supported(), FLOWSTREAM_A_PAD) ?
	      -EMSGSIZE : 0;
	return fs_nl_reply_send(info, skb, hdr, err);
}

static int fs_nl_get_status(struct sk_buff *req, struct genl_info *info)
{
	struct fs_net *fsn = fs_nl_begin(info);
	struct sk_buff *skb;
	u64 uptime_ms;
	void *hdr;
	int err;

	skb = fs_nl_reply_new(info, &hdr);
	if (!skb)
		return -ENOMEM;
	uptime_ms = div_u64(ktime_get_boottime_ns() - fsn->created_ns,
			    NSEC_PER_MSEC);

	mutex_lock(&fsn->lock);
	err = nla_put_u64_64bit(skb, FLOWSTREAM_A_UPTIME_MS, uptime_ms,
				FLOWSTREAM_A_PAD) ||
	      nla_put_u64_64bit(skb, FLOWSTREAM_A_FEATURES,
				fs_net_features_enabled(fsn), FLOWSTREAM_A_PAD) ?
	      -EMSGSIZE : 0;
	if (!err)
		err = fs_config_fill_nest(fs_config_locked(fsn), skb,
					  FLOWSTREAM_A_CONFIG);
	if (!err)
		err = fs_stats_fill_nest(fsn, skb, FLOWSTREAM_A_STATS);
	mutex_unlock(&fsn->lock);

	return fs_nl_reply_send(info, skb, hdr, err);
}

static int fs_nl_get_config(struct sk_buff *req, struct genl_info *info)
{
	struct fs_net *fsn = fs_nl_begin(info);
	struct sk_buff *skb;
	void *hdr;
	int err;

	skb = fs_nl_reply_new(info, &hdr);
	if (!skb)
		return -ENOMEM;
	mutex_lock(&fsn->lock);
	err = fs_config_fill_nest(fs_config_locked(fsn), skb,
				  FLOWSTREAM_A_CONFIG);
	mutex_unlock(&fsn->lock);
	return fs_nl_reply_send(info, skb, hdr, err);
}

/* Tell FLOWSTREAM_MCGRP_CONFIG listeners of @fsn's new configuration. */
static void fs_nl_notify_config(struct fs_net *fsn, const struct fs_config *cfg)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		goto fail;
	hdr = genlmsg_put(skb, 0, 0, &fs_genl_family, 0,
			  FLOWSTREAM_CMD_CONFIG_NTF);
	if (!hdr || fs_config_fill_nest(cfg, skb, FLOWSTREAM_A_CONFIG)) {
		nlmsg_free(skb);
		goto fail;
	}
	genlmsg_end(skb, hdr);
	err = genlmsg_multicast_netns(&fs_genl_family, fsn->net, skb, 0,
				      FS_MCGRP_CONFIG, GFP_KERNEL);
	/* -ESRCH only means that nobody listens. */
	if (err && err != -ESRCH)
		goto fail;
	return;
fail:
	fs_stat_inc(fsn, FLOWSTREAM_STAT_NOTIFY_FAILED);
}

static int fs_nl_set_config(struct sk_buff *req, struct genl_info *info)
{
	struct fs_net *fsn = fs_nl_begin(info);
	struct nlattr *tb[FLOWSTREAM_CFG_A_MAX + 1];
	struct fs_config *new;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, FLOWSTREAM_A_CONFIG)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "missing configuration attribute");
		return fs_nl_reject(fsn, info, -EINVAL);
	}
	err = nla_parse_nested(tb, FLOWSTREAM_CFG_A_MAX,
			       info->attrs[FLOWSTREAM_A_CONFIG],
			       fs_config_policy, info->extack);
	if (err)
		return fs_nl_reject(fsn, info, err);

	new = kmalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;

	mutex_lock(&fsn->lock);
	err = fs_config_build(fs_config_locked(fsn), tb, new, info->extack);
	if (!err)
		err = fs_net_apply(fsn, fs_config_locked(fsn), new,
				   info->extack);
	if (err) {
		mutex_unlock(&fsn->lock);
		kfree(new);
		return fs_nl_reject(fsn, info, err);
	}
	fs_config_replace(fsn, new);
	fs_stat_inc(fsn, FLOWSTREAM_STAT_CONFIG_CHANGES);
	fs_nl_notify_config(fsn, new);
	mutex_unlock(&fsn->lock);
	return 0;
}

static int fs_nl_reset_stats(struct sk_buff *req, struct genl_info *info)
{
	struct fs_net *fsn = fs_nl_begin(info);

	mutex_lock(&fsn->lock);
	fs_stats_reset(fsn);
	mutex_unlock(&fsn->lock);
	return 0;
}

static const struct genl_ops fs_core_ops[] = {
	{
		.cmd = FLOWSTREAM_CMD_GET_VERSION,
		.doit = fs_nl_get_version,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_GET_STATUS,
		.doit = fs_nl_get_status,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_GET_CONFIG,
		.doit = fs_nl_get_config,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_SET_CONFIG,
		.doit = fs_nl_set_config,
		.policy = fs_set_config_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_RESET_STATS,
		.doit = fs_nl_reset_stats,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

struct genl_family fs_genl_family __ro_after_init = {
	.name = FLOWSTREAM_GENL_NAME,
	.version = FLOWSTREAM_GENL_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.mcgrps = fs_mcgrps,
	.n_mcgrps = ARRAY_SIZE(fs_mcgrps),
	.resv_start_op = 0,
};

static const struct fs_nl_part fs_core_nl = {
	.name = "core",
	.ops = fs_core_ops,
	.n_ops = ARRAY_SIZE(fs_core_ops),
};

/*
 * Each part of flowstream brings its own operations; the family's table is
 * put together from these rows when the module loads. A capability adds its
 * row here, as it adds its per-namespace row to netns.c's fs_net_parts[].
 */
static const struct fs_nl_part *const fs_nl_parts[] = {
	&fs_core_nl,
	&fs_acct_nl,
	&fs_smp_nl,
	&fos_nl,
	&fs_mig_nl,
};

int __init fs_genl_register(void)
{
	struct genl_ops *ops;
	unsigned int i, n = 0;
	int err;

	for (i = 0; i < ARRAY_SIZE(fs_nl_parts); i++)
		n += fs_nl_parts[i]->n_ops;
	ops = kcalloc(n, sizeof(*ops), GFP_KERNEL);
	if (!ops)
		return -ENOMEM;
	for (i = 0, n = 0; i < ARRAY_SIZE(fs_nl_parts); i++) {
		memcpy(&ops[n], fs_nl_parts[i]->ops,
		       fs_nl_parts[i]->n_ops * sizeof(*ops));
		n += fs_nl_parts[i]->n_ops;
	}
	fs_genl_family.ops = ops;
	fs_genl_family.n_ops = n;
	/* Two rows naming one command make this fail with -EINVAL. */
	err = genl_register_family(&fs_genl_family);
	if (err) {
		fs_genl_family.ops = NULL;
		kfree(ops);
	}
	return err;
}

void fs_genl_unregister(void)
{
	const struct genl_ops *ops = fs_genl_family.ops;

	genl_unregister_family(&fs_genl_family);
	kfree(ops);
}

MODULE_ALIAS_GENL_FAMILY(FLOWSTREAM_GENL_NAME);

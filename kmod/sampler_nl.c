// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: prefix sampling operations (GET_SAMPLER, SET_SAMPLER,
 * ADD_PREFIX, DEL_PREFIX, the GET_PREFIX dump) and the netlink form of
 * counts and estimates.
 */
#include <linux/ktime.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "compat.h"
#include "netlink.h"
#include "sampler.h"
#include "stats.h"

static struct netlink_range_validation fs_smp_rate_range = {
	.min = 1, .max = 1 << 24,
};

static struct netlink_range_validation fs_smp_max_prefixes_range = {
	.min = 1, .max = 1 << 20,
};

static struct netlink_range_validation fs_smp_max_counters_range = {
	.min = 1, .max = 1 << 24,
};

static struct netlink_range_validation fs_smp_max_len_range = {
	.min = 20, .max = 1 << 20,
};

#define FS_SMP_RO(name) {					\
	.type = NLA_REJECT,					\
	.reject_message = name " is read-only",		\
}

static const struct nla_policy fs_smp_policy[FLOWSTREAM_SMP_A_MAX + 1] = {
	[FLOWSTREAM_SMP_A_ENABLE] = NLA_POLICY_MAX(NLA_U8, 1),
	[FLOWSTREAM_SMP_A_RATE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &fs_smp_rate_range),
	[FLOWSTREAM_SMP_A_MODE] =
		NLA_POLICY_MAX(NLA_U8, __FLOWSTREAM_SMP_MODE_MAX - 1),
	[FLOWSTREAM_SMP_A_KEY] =
		NLA_POLICY_MAX(NLA_U8, __FLOWSTREAM_SMP_KEY_MAX - 1),
	[FLOWSTREAM_SMP_A_MAX_PREFIXES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &fs_smp_max_prefixes_range),
	[FLOWSTREAM_SMP_A_MAX_COUNTERS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &fs_smp_max_counters_range),
	[FLOWSTREAM_SMP_A_PREFIXES] = FS_SMP_RO("prefixes"),
	[FLOWSTREAM_SMP_A_COUNTERS] = FS_SMP_RO("counters"),
	[FLOWSTREAM_SMP_A_MEMORY] = FS_SMP_RO("memory"),
	[FLOWSTREAM_SMP_A_WINDOW_START_MS] = FS_SMP_RO("window start"),
	[FLOWSTREAM_SMP_A_WINDOW_END_MS] = FS_SMP_RO("window end"),
	[FLOWSTREAM_SMP_A_UNMATCHED] = FS_SMP_RO("unmatched"),
	[FLOWSTREAM_SMP_A_MAX_LEN] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &fs_smp_max_len_range),
	[FLOWSTREAM_SMP_A_WINDOW] = FS_SMP_RO("window"),
	[FLOWSTREAM_SMP_A_KEPT_WINDOW] = FS_SMP_RO("kept window"),
};

static const struct nla_policy fs_pfx_policy[FLOWSTREAM_PFX_A_MAX + 1] = {
	[FLOWSTREAM_PFX_A_FAMILY] = { .type = NLA_U8 },
	[FLOWSTREAM_PFX_A_ADDR] = { .type = NLA_BINARY, .len = 16 },
	[FLOWSTREAM_PFX_A_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[FLOWSTREAM_PFX_A_DEPTH] = NLA_POLICY_MAX(NLA_U8, 16),
	[FLOWSTREAM_PFX_A_WINDOW_START_MS] = FS_SMP_RO("window start"),
	[FLOWSTREAM_PFX_A_WINDOW_END_MS] = FS_SMP_RO("window end"),
	[FLOWSTREAM_PFX_A_TOTAL] = FS_SMP_RO("total"),
	[FLOWSTREAM_PFX_A_SUB] = FS_SMP_RO("sub-prefix counts"),
	[FLOWSTREAM_PFX_A_WINDOW] = FS_SMP_RO("window"),
};

/* SET_SAMPLER */
static const struct nla_policy fs_smp_ops_policy[FLOWSTREAM_A_MAX + 1] = {
	[FLOWSTREAM_A_SAMPLER] = NLA_POLICY_NESTED(fs_smp_policy),
};

/* ADD_PREFIX, DEL_PREFIX */
static const struct nla_policy fs_pfx_ops_policy[FLOWSTREAM_A_MAX + 1] = {
	[FLOWSTREAM_A_PREFIX] = NLA_POLICY_NESTED(fs_pfx_policy),
};

/* GET_PREFIX dump */
static const struct nla_policy fs_pfx_dump_policy[FLOWSTREAM_A_MAX + 1] = {
	[FLOWSTREAM_A_RESET] = { .type = NLA_FLAG },
	[FLOWSTREAM_A_WINDOW] = NLA_POLICY_MIN(NLA_U64, 1),
};

/* ACK_WINDOW */
static const struct nla_policy fs_win_ops_policy[FLOWSTREAM_A_MAX + 1] = {
	[FLOWSTREAM_A_WINDOW] = NLA_POLICY_MIN(NLA_U64, 1),
};

static u64 fs_ns_to_ms(u64 ns)
{
	return div_u64(ns, NSEC_PER_MSEC);
}

/* A FLOWSTREAM_CNT_A_* nest of @s's counts and estimates at @rate. */
static int fs_nl_put_counts(struct sk_buff *skb, int attr,
			    const struct fs_smp_sum *s,
			    const struct fs_smp_cfg *cfg, int index)
{
	struct fs_smp_est e;
	struct nlattr *nest;

	fs_smp_estimate(s, cfg->rate, cfg->max_len, &e);
	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	if ((index >= 0 && nla_put_u32(skb, FLOWSTREAM_CNT_A_INDEX, index)) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_CNT_A_PACKETS, s->packets,
			      FLOWSTREAM_CNT_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_CNT_A_BYTES, s->bytes,
			      FLOWSTREAM_CNT_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_CNT_A_EST_PACKETS, e.packets,
			      FLOWSTREAM_CNT_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_CNT_A_EST_PACKETS_LO,
			      e.packets_lo, FLOWSTREAM_CNT_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_CNT_A_EST_PACKETS_HI,
			      e.packets_hi, FLOWSTREAM_CNT_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_CNT_A_EST_BYTES, e.bytes,
			      FLOWSTREAM_CNT_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_CNT_A_EST_BYTES_LO, e.bytes_lo,
			      FLOWSTREAM_CNT_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_CNT_A_EST_BYTES_HI, e.bytes_hi,
			      FLOWSTREAM_CNT_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * FLOWSTREAM_A_SAMPLER from a snapshot: configuration, use, window and
 * unmatched counts; the window's end only if @end.
 */
static int fs_nl_put_sampler(struct sk_buff *skb, const struct fs_smp_snap *s,
			     bool end)
{
	struct nlattr *nest = nla_nest_start(skb, FLOWSTREAM_A_SAMPLER);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, FLOWSTREAM_SMP_A_ENABLE, s->cfg.enable) ||
	    nla_put_u32(skb, FLOWSTREAM_SMP_A_RATE, s->cfg.rate) ||
	    nla_put_u8(skb, FLOWSTREAM_SMP_A_MODE, s->cfg.mode) ||
	    nla_put_u8(skb, FLOWSTREAM_SMP_A_KEY, s->cfg.key) ||
	    nla_put_u32(skb, FLOWSTREAM_SMP_A_MAX_PREFIXES, s->cfg.max_prefixes) ||
	    nla_put_u32(skb, FLOWSTREAM_SMP_A_MAX_COUNTERS, s->cfg.max_counters) ||
	    nla_put_u32(skb, FLOWSTREAM_SMP_A_MAX_LEN, s->cfg.max_len) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_SMP_A_WINDOW, s->window,
			      FLOWSTREAM_SMP_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_SMP_A_KEPT_WINDOW, s->kept_window,
			      FLOWSTREAM_SMP_A_PAD) ||
	    nla_put_u32(skb, FLOWSTREAM_SMP_A_PREFIXES, s->prefixes) ||
	    nla_put_u32(skb, FLOWSTREAM_SMP_A_COUNTERS, s->counters) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_SMP_A_MEMORY, s->memory,
			      FLOWSTREAM_SMP_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_SMP_A_WINDOW_START_MS,
			      fs_ns_to_ms(s->start_ns), FLOWSTREAM_SMP_A_PAD) ||
	    (end && nla_put_u64_64bit(skb, FLOWSTREAM_SMP_A_WINDOW_END_MS,
				      fs_ns_to_ms(s->end_ns),
				      FLOWSTREAM_SMP_A_PAD)) ||
	    fs_nl_put_counts(skb, FLOWSTREAM_SMP_A_UNMATCHED, &s->unmatched,
			     &s->cfg, -1)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int fs_nl_get_sampler(struct sk_buff *req, struct genl_info *info)
{
	struct fs_net *fsn = fs_nl_begin(info);
	struct fs_smp_snap *snap;
	struct sk_buff *skb;
	void *hdr;
	int err;

	/* The unmatched counts so far need a read of their counters. */
	snap = fs_smp_snapshot(fsn, FS_SMP_READ_SAMPLER, 0, info->extack);
	if (IS_ERR(snap))
		return PTR_ERR(snap);
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb) {
		fs_smp_snap_put(snap);
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(skb, info, &fs_genl_family, 0,
				FLOWSTREAM_CMD_GET_SAMPLER);
	err = hdr ? fs_nl_put_sampler(skb, snap, false) : -EMSGSIZE;
	fs_smp_snap_put(snap);
	if (err) {
		nlmsg_free(skb);
		return err;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

static int fs_nl_set_sampler(struct sk_buff *req, struct genl_info *info)
{
	struct fs_net *fsn = fs_nl_begin(info);
	struct nlattr *tb[FLOWSTREAM_SMP_A_MAX + 1];
	struct fs_smp_cfg cfg;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, FLOWSTREAM_A_SAMPLER)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing sampler attribute");
		return fs_nl_reject(fsn, info, -EINVAL);
	}
	err = nla_parse_nested(tb, FLOWSTREAM_SMP_A_MAX,
			       info->attrs[FLOWSTREAM_A_SAMPLER], fs_smp_policy,
			       info->extack);
	if (err)
		return fs_nl_reject(fsn, info, err);

	mutex_lock(&fsn->lock);
	fs_smp_cfg_get(fsn->smp, &cfg);
	if (tb[FLOWSTREAM_SMP_A_ENABLE])
		cfg.enable = nla_get_u8(tb[FLOWSTREAM_SMP_A_ENABLE]);
	if (tb[FLOWSTREAM_SMP_A_RATE])
		cfg.rate = nla_get_u32(tb[FLOWSTREAM_SMP_A_RATE]);
	if (tb[FLOWSTREAM_SMP_A_MODE])
		cfg.mode = nla_get_u8(tb[FLOWSTREAM_SMP_A_MODE]);
	if (tb[FLOWSTREAM_SMP_A_KEY])
		cfg.key = nla_get_u8(tb[FLOWSTREAM_SMP_A_KEY]);
	if (tb[FLOWSTREAM_SMP_A_MAX_PREFIXES])
		cfg.max_prefixes = nla_get_u32(tb[FLOWSTREAM_SMP_A_MAX_PREFIXES]);
	if (tb[FLOWSTREAM_SMP_A_MAX_COUNTERS])
		cfg.max_counters = nla_get_u32(tb[FLOWSTREAM_SMP_A_MAX_COUNTERS]);
	if (tb[FLOWSTREAM_SMP_A_MAX_LEN])
		cfg.max_len = nla_get_u32(tb[FLOWSTREAM_SMP_A_MAX_LEN]);
	/* Only a change starts a new window: a controller may apply the
	 * same configuration again without losing counts.
	 */
	cfg.new_window = cfg.enable != fsn->smp->cfg.enable ||
			 cfg.rate != fsn->smp->cfg.rate ||
			 cfg.mode != fsn->smp->cfg.mode ||
			 cfg.key != fsn->smp->cfg.key;
	err = fs_smp_configure(fsn, &cfg, info->extack);
	mutex_unlock(&fsn->lock);
	return err ? fs_nl_reject(fsn, info, err) : 0;
}

/* The prefix of an ADD_PREFIX or DEL_PREFIX request. */
static int fs_nl_parse_prefix(struct genl_info *info, u8 *family, u64 *key,
			      u8 *plen, u8 *depth)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[FLOWSTREAM_PFX_A_MAX + 1];
	struct nlattr *nest = info->attrs[FLOWSTREAM_A_PREFIX];
	unsigned int bits, alen;
	u64 masked[2];
	int err;

	if (GENL_REQ_ATTR_CHECK(info, FLOWSTREAM_A_PREFIX)) {
		NL_SET_ERR_MSG_MOD(extack, "missing prefix attribute");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, FLOWSTREAM_PFX_A_MAX, nest, fs_pfx_policy,
			       extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, FLOWSTREAM_PFX_A_FAMILY) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, FLOWSTREAM_PFX_A_ADDR) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, FLOWSTREAM_PFX_A_LEN)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "a prefix needs family, address and length");
		return -EINVAL;
	}
	*family = nla_get_u8(tb[FLOWSTREAM_PFX_A_FAMILY]);
	if (*family != AF_INET && *family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FLOWSTREAM_PFX_A_FAMILY],
				    "family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	alen = *family == AF_INET ? 4 : 16;
	bits = alen * 8;
	if (nla_len(tb[FLOWSTREAM_PFX_A_ADDR]) != alen) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FLOWSTREAM_PFX_A_ADDR],
				    "address length does not match the family");
		return -EINVAL;
	}
	*plen = nla_get_u8(tb[FLOWSTREAM_PFX_A_LEN]);
	if (*plen > bits) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, tb[FLOWSTREAM_PFX_A_LEN],
					"prefix length %u is longer than the address (%u bits)",
					*plen, bits);
		return -EINVAL;
	}
	fs_smp_key_from_addr(*family, nla_data(tb[FLOWSTREAM_PFX_A_ADDR]), key);
	masked[0] = key[0];
	masked[1] = key[1];
	fs_rt_mask(masked, *plen);
	if (masked[0] != key[0] || masked[1] != key[1]) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, tb[FLOWSTREAM_PFX_A_ADDR],
					"the address has bits set past the prefix length %u",
					*plen);
		return -EINVAL;
	}
	*depth = 0;
	if (tb[FLOWSTREAM_PFX_A_DEPTH]) {
		*depth = nla_get_u8(tb[FLOWSTREAM_PFX_A_DEPTH]);
		if (*plen + *depth > bits) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[FLOWSTREAM_PFX_A_DEPTH],
						"depth %u too deep for a /%u: over %u bits",
						*depth, *plen, bits);
			return -EINVAL;
		}
	}
	return 0;
}

static int fs_nl_add_prefix(struct sk_buff *req, struct genl_info *info)
{
	struct fs_net *fsn = fs_nl_begin(info);
	u8 family, plen, depth;
	u64 key[2];
	int err;

	err = fs_nl_parse_prefix(info, &family, key, &plen, &depth);
	if (err)
		return fs_nl_reject(fsn, info, err);
	mutex_lock(&fsn->lock);
	err = fs_smp_prefix_add(fsn->smp, family, key, plen, depth,
				info->extack);
	mutex_unlock(&fsn->lock);
	return err ? fs_nl_reject(fsn, info, err) : 0;
}

static int fs_nl_del_prefix(struct sk_buff *req, struct genl_info *info)
{
	struct fs_net *fsn = fs_nl_begin(info);
	u8 family, plen, depth;
	u64 key[2];
	int err;

	err = fs_nl_parse_prefix(info, &family, key, &plen, &depth);
	if (!err && depth) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "depth is for adding a prefix");
		err = -EINVAL;
	}
	if (err)
		return fs_nl_reject(fsn, info, err);
	mutex_lock(&fsn->lock);
	err = fs_smp_prefix_del(fsn->smp, family, key, plen, info->extack);
	mutex_unlock(&fsn->lock);
	return err ? fs_nl_reject(fsn, info, err) : 0;
}

/* Where a prefix dump is, kept in the callback between calls. */
struct fs_pfx_dump_ctx {
	struct fs_smp_snap *snap;
	u32 pfx;		/* next prefix */
	u32 sub;		/* its next sub-prefix */
	bool started;
	bool sampler_sent;
};

static struct fs_pfx_dump_ctx *fs_pfx_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct fs_pfx_dump_ctx) > sizeof(cb->ctx));
	return (struct fs_pfx_dump_ctx *)cb->ctx;
}

static int fs_nl_dump_prefixes_start(struct netlink_callback *cb)
{
	memset(fs_pfx_dump_ctx(cb), 0, sizeof(struct fs_pfx_dump_ctx));
	return 0;
}

static int fs_nl_dump_prefixes_done(struct netlink_callback *cb)
{
	fs_smp_snap_put(fs_pfx_dump_ctx(cb)->snap);
	return 0;
}

/*
 * The request is read in the first dump call rather than in start():
 * before 6.2, start() has no extended ACK to explain a refusal with.
 */
static int fs_pfx_dump_begin(struct netlink_callback *cb, struct fs_net *fsn,
			     struct fs_pfx_dump_ctx *ctx)
{
	struct nlattr *attrs[FLOWSTREAM_A_MAX + 1];
	enum fs_smp_read how = FS_SMP_READ_CURRENT;
	struct fs_smp_snap *snap;
	u64 window = 0;
	int err;

	err = fs_nl_dump_attrs(cb, fsn, fs_pfx_dump_policy, attrs);
	if (err)
		return err;
	if (attrs[FLOWSTREAM_A_RESET] && attrs[FLOWSTREAM_A_WINDOW]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[FLOWSTREAM_A_WINDOW],
				    "a read-and-reset reads the current window: give reset or window, not both");
		fs_stat_inc(fsn, FLOWSTREAM_STAT_NL_REJECTED);
		return -EINVAL;
	}
	if (attrs[FLOWSTREAM_A_RESET]) {
		how = FS_SMP_READ_RESET;
	} else if (attrs[FLOWSTREAM_A_WINDOW]) {
		how = FS_SMP_READ_WINDOW;
		window = nla_get_u64(attrs[FLOWSTREAM_A_WINDOW]);
	}
	snap = fs_smp_snapshot(fsn, how, window, cb->extack);
	if (IS_ERR(snap)) {
		if (PTR_ERR(snap) == -ENOENT)
			fs_stat_inc(fsn, FLOWSTREAM_STAT_NL_REJECTED);
		return PTR_ERR(snap);
	}
	ctx->snap = snap;
	ctx->started = true;
	return 0;
}

static void *fs_pfx_dump_msg(struct sk_buff *skb, struct netlink_callback *cb)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   &fs_genl_family, NLM_F_MULTI,
			   FLOWSTREAM_CMD_GET_PREFIX);
}

/*
 * One message of prefix @ctx->pfx from sub-prefix @ctx->sub on, as many
 * sub-prefixes as fit. Return: true if it went out (@ctx moves on).
 */
static bool fs_pfx_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
			    struct fs_pfx_dump_ctx *ctx)
{
	const struct fs_smp_snap *s = ctx->snap;
	const struct fs_smp_snap_pfx *p = &s->pfx[ctx->pfx];
	u32 n = 1U << p->depth, i = ctx->sub;
	struct nlattr *nest;
	u8 addr[16];
	void *hdr;

	hdr = fs_pfx_dump_msg(skb, cb);
	if (!hdr)
		return false;
	fs_smp_addr_from_key(p->family, p->key, addr);
	nest = nla_nest_start(skb, FLOWSTREAM_A_PREFIX);
	if (!nest ||
	    nla_put_u8(skb, FLOWSTREAM_PFX_A_FAMILY, p->family) ||
	    nla_put(skb, FLOWSTREAM_PFX_A_ADDR,
		    p->family == AF_INET ? 4 : 16, addr) ||
	    nla_put_u8(skb, FLOWSTREAM_PFX_A_LEN, p->plen) ||
	    nla_put_u8(skb, FLOWSTREAM_PFX_A_DEPTH, p->depth) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_PFX_A_WINDOW, s->window,
			      FLOWSTREAM_PFX_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_PFX_A_WINDOW_START_MS,
			      fs_ns_to_ms(p->start_ns), FLOWSTREAM_PFX_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_PFX_A_WINDOW_END_MS,
			      fs_ns_to_ms(s->end_ns), FLOWSTREAM_PFX_A_PAD) ||
	    (!i && fs_nl_put_counts(skb, FLOWSTREAM_PFX_A_TOTAL, &p->total,
				    &s->cfg, -1)))
		goto cancel;
	for (; i < n; i++)
		if (fs_nl_put_counts(skb, FLOWSTREAM_PFX_A_SUB, &p->sub[i],
				     &s->cfg, i))
			break;
	/* Every message carries at least one sub-prefix (an empty skb has
	 * room for many), so the total is never sent twice.
	 */
	if (i == ctx->sub)
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	if (i == n) {
		ctx->pfx++;
		ctx->sub = 0;
	} else {
		ctx->sub = i;
	}
	return true;
cancel:
	genlmsg_cancel(skb, hdr);
	return false;
}

static int fs_nl_dump_prefixes(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct fs_net *fsn = fs_net(sock_net(cb->skb->sk));
	struct fs_pfx_dump_ctx *ctx = fs_pfx_dump_ctx(cb);
	void *hdr;
	int err;

	if (!ctx->started) {
		err = fs_pfx_dump_begin(cb, fsn, ctx);
		if (err)
			return err;
	}
	if (!ctx->sampler_sent) {
		hdr = fs_pfx_dump_msg(skb, cb);
		if (!hdr)
			return skb->len;
		if (fs_nl_put_sampler(skb, ctx->snap, true)) {
			genlmsg_cancel(skb, hdr);
			return skb->len;
		}
		genlmsg_end(skb, hdr);
		ctx->sampler_sent = true;
	}
	while (ctx->pfx < ctx->snap->nprefixes)
		if (!fs_pfx_dump_one(skb, cb, ctx))
			break;
	return skb->len;
}

static int fs_nl_ack_window(struct sk_buff *req, struct genl_info *info)
{
	struct fs_net *fsn = fs_nl_begin(info);
	int err;

	if (GENL_REQ_ATTR_CHECK(info, FLOWSTREAM_A_WINDOW)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing window attribute");
		return fs_nl_reject(fsn, info, -EINVAL);
	}
	err = fs_smp_ack(fsn, nla_get_u64(info->attrs[FLOWSTREAM_A_WINDOW]),
			 info->extack);
	return err ? fs_nl_reject(fsn, info, err) : 0;
}

static const struct genl_ops fs_smp_nl_ops[] = {
	{
		.cmd = FLOWSTREAM_CMD_GET_SAMPLER,
		.doit = fs_nl_get_sampler,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_SET_SAMPLER,
		.doit = fs_nl_set_sampler,
		.policy = fs_smp_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_ADD_PREFIX,
		.doit = fs_nl_add_prefix,
		.policy = fs_pfx_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_DEL_PREFIX,
		.doit = fs_nl_del_prefix,
		.policy = fs_pfx_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_GET_PREFIX,
		.start = fs_nl_dump_prefixes_start,
		.dumpit = fs_nl_dump_prefixes,
		.done = fs_nl_dump_prefixes_done,
		.policy = fs_pfx_dump_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_ACK_WINDOW,
		.doit = fs_nl_ack_window,
		.policy = fs_win_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

/* The prefix sampler's operations, a row of netlink.c's fs_nl_parts[]. */
const struct fs_nl_part fs_smp_nl = {
	.name = "sampler",
	.ops = fs_smp_nl_ops,
	.n_ops = ARRAY_SIZE(fs_smp_nl_ops),
};

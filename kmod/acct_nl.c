// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: flow record operations (GET_RECORD, FLUSH_RECORDS) and the
 * netlink form of a record.
 */
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "acct.h"
#include "netlink.h"
#include "stats.h"

const struct nla_policy fs_rec_policy[FLOWSTREAM_REC_A_MAX + 1] = {
	[FLOWSTREAM_REC_A_FAMILY] = { .type = NLA_U8 },
	[FLOWSTREAM_REC_A_SRC] = { .type = NLA_BINARY, .len = 16 },
	[FLOWSTREAM_REC_A_DST] = { .type = NLA_BINARY, .len = 16 },
	[FLOWSTREAM_REC_A_PROTO] = { .type = NLA_U8 },
	[FLOWSTREAM_REC_A_SPORT] = { .type = NLA_U16 },
	[FLOWSTREAM_REC_A_DPORT] = { .type = NLA_U16 },
	[FLOWSTREAM_REC_A_ICMP_TYPE] = { .type = NLA_U8 },
	[FLOWSTREAM_REC_A_ICMP_CODE] = { .type = NLA_U8 },
	[FLOWSTREAM_REC_A_IIF] = { .type = NLA_U32 },
};

const struct nla_policy fs_flt_policy[FLOWSTREAM_FLT_A_MAX + 1];

/* GET_RECORD and FLUSH_RECORDS */
static const struct nla_policy fs_record_ops_policy[FLOWSTREAM_A_MAX + 1] = {
	[FLOWSTREAM_A_RECORD] = NLA_POLICY_NESTED(fs_rec_policy),
	[FLOWSTREAM_A_FILTER] = NLA_POLICY_NESTED(fs_flt_policy),
};

const struct nla_policy fs_flt_policy[FLOWSTREAM_FLT_A_MAX + 1] = {
	[FLOWSTREAM_FLT_A_FAMILY] = { .type = NLA_U8 },
	[FLOWSTREAM_FLT_A_PREFIX] = { .type = NLA_BINARY, .len = 16 },
	[FLOWSTREAM_FLT_A_PREFIX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[FLOWSTREAM_FLT_A_PROTO] = { .type = NLA_U8 },
	[FLOWSTREAM_FLT_A_PORT] = { .type = NLA_U16 },
	[FLOWSTREAM_FLT_A_IFINDEX] = { .type = NLA_U32 },
};

u64 fs_jiffies_to_epoch_ms(u64 j, u64 now_j, u64 now_ms)
{
	return now_ms - jiffies64_to_msecs(now_j - j);
}

int fs_nl_rec_fill(struct sk_buff *skb, const struct fs_rec_snap *s, u64 seq)
{
	return fs_nl_rec_fill_as(skb, FLOWSTREAM_A_RECORD, s, seq);
}

/* fs_nl_rec_fill() as a nest of type @type. */
int fs_nl_rec_fill_as(struct sk_buff *skb, int type,
		      const struct fs_rec_snap *s, u64 seq)
{
	const struct fs_acct_key *k = &s->key;
	int alen = k->family == AF_INET ? 4 : 16;
	u64 now_ms = ktime_get_real_ns() / NSEC_PER_MSEC;
	u64 now_j = get_jiffies_64();
	struct nlattr *nest;

	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, FLOWSTREAM_REC_A_FAMILY, k->family) ||
	    nla_put(skb, FLOWSTREAM_REC_A_SRC, alen, &k->src) ||
	    nla_put(skb, FLOWSTREAM_REC_A_DST, alen, &k->dst) ||
	    nla_put_u8(skb, FLOWSTREAM_REC_A_PROTO, k->proto))
		goto cancel;
	if (fs_is_icmp(k->proto)) {
		if (nla_put_u8(skb, FLOWSTREAM_REC_A_ICMP_TYPE,
			       ntohs(k->sport) >> 8) ||
		    nla_put_u8(skb, FLOWSTREAM_REC_A_ICMP_CODE,
			       ntohs(k->sport) & 0xff))
			goto cancel;
	} else if (nla_put_u16(skb, FLOWSTREAM_REC_A_SPORT, ntohs(k->sport)) ||
		   nla_put_u16(skb, FLOWSTREAM_REC_A_DPORT, ntohs(k->dport))) {
		goto cancel;
	}
	if (nla_put_u32(skb, FLOWSTREAM_REC_A_IIF, k->iif) ||
	    nla_put_u32(skb, FLOWSTREAM_REC_A_OIF, s->oif) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_REC_A_PACKETS, s->packets,
			      FLOWSTREAM_REC_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_REC_A_BYTES, s->bytes,
			      FLOWSTREAM_REC_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_REC_A_FIRST_MS,
			      fs_jiffies_to_epoch_ms(s->first, now_j, now_ms),
			      FLOWSTREAM_REC_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_REC_A_LAST_MS,
			      fs_jiffies_to_epoch_ms(s->last, now_j, now_ms),
			      FLOWSTREAM_REC_A_PAD) ||
	    nla_put_u8(skb, FLOWSTREAM_REC_A_DSCP, s->dscp) ||
	    nla_put_u8(skb, FLOWSTREAM_REC_A_TCP_FLAGS, s->tcp_flags) ||
	    nla_put_u8(skb, FLOWSTREAM_REC_A_END, s->end))
		goto cancel;
	if (seq && nla_put_u64_64bit(skb, FLOWSTREAM_REC_A_SEQ, seq,
				     FLOWSTREAM_REC_A_PAD))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/*
 * The family, addresses and protocol of a record's key (a GET_RECORD key
 * or an imported record), from its parsed attributes, which the caller
 * has checked are there.
 */
int fs_nl_rec_key_head(struct nlattr **tb, struct fs_acct_key *key,
		       struct netlink_ext_ack *extack)
{
	int err, family;

	family = fs_nl_family(tb[FLOWSTREAM_REC_A_FAMILY], extack);
	if (family < 0)
		return family;
	key->family = family;
	err = fs_nl_addr(tb[FLOWSTREAM_REC_A_SRC], family, &key->src, extack) ?:
	      fs_nl_addr(tb[FLOWSTREAM_REC_A_DST], family, &key->dst, extack);
	if (err)
		return err;
	key->proto = nla_get_u8(tb[FLOWSTREAM_REC_A_PROTO]);
	return 0;
}

/* A whole key from FLOWSTREAM_A_RECORD. */
static int fs_nl_parse_key(struct nlattr *nest, struct fs_acct_key *key,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FLOWSTREAM_REC_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, FLOWSTREAM_REC_A_MAX, nest, fs_rec_policy,
			       extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, FLOWSTREAM_REC_A_FAMILY) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, FLOWSTREAM_REC_A_SRC) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, FLOWSTREAM_REC_A_DST) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, FLOWSTREAM_REC_A_PROTO)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "a record key needs family, src, dst and proto");
		return -EINVAL;
	}
	memset(key, 0, sizeof(*key));
	err = fs_nl_rec_key_head(tb, key, extack);
	if (err)
		return err;
	if (fs_is_icmp(key->proto)) {
		u8 type = tb[FLOWSTREAM_REC_A_ICMP_TYPE] ?
			  nla_get_u8(tb[FLOWSTREAM_REC_A_ICMP_TYPE]) : 0;
		u8 code = tb[FLOWSTREAM_REC_A_ICMP_CODE] ?
			  nla_get_u8(tb[FLOWSTREAM_REC_A_ICMP_CODE]) : 0;

		key->sport = htons(type << 8 | code);
	} else {
		if (tb[FLOWSTREAM_REC_A_SPORT])
			key->sport = htons(nla_get_u16(tb[FLOWSTREAM_REC_A_SPORT]));
		if (tb[FLOWSTREAM_REC_A_DPORT])
			key->dport = htons(nla_get_u16(tb[FLOWSTREAM_REC_A_DPORT]));
	}
	if (tb[FLOWSTREAM_REC_A_IIF])
		key->iif = nla_get_u32(tb[FLOWSTREAM_REC_A_IIF]);
	return 0;
}

/* FLOWSTREAM_A_FILTER, or match-all without it. */
static int fs_nl_parse_filter(struct nlattr *nest, struct fs_acct_filter *flt,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FLOWSTREAM_FLT_A_MAX + 1];
	int err, family;

	memset(flt, 0, sizeof(*flt));
	flt->proto = -1;
	flt->port = -1;
	if (!nest)
		return 0;
	err = nla_parse_nested(tb, FLOWSTREAM_FLT_A_MAX, nest, fs_flt_policy,
			       extack);
	if (err)
		return err;
	if (tb[FLOWSTREAM_FLT_A_FAMILY]) {
		family = fs_nl_family(tb[FLOWSTREAM_FLT_A_FAMILY], extack);
		if (family < 0)
			return family;
		flt->family = family;
	}
	if (tb[FLOWSTREAM_FLT_A_PREFIX] || tb[FLOWSTREAM_FLT_A_PREFIX_LEN]) {
		if (!flt->family || !tb[FLOWSTREAM_FLT_A_PREFIX] ||
		    !tb[FLOWSTREAM_FLT_A_PREFIX_LEN]) {
			NL_SET_ERR_MSG_MOD(extack,
					   "a prefix filter needs family, prefix and prefix length");
			return -EINVAL;
		}
		err = fs_nl_addr(tb[FLOWSTREAM_FLT_A_PREFIX], flt->family,
				 &flt->prefix, extack);
		if (err)
			return err;
		flt->prefix_len = nla_get_u8(tb[FLOWSTREAM_FLT_A_PREFIX_LEN]);
		if (flt->prefix_len > (flt->family == AF_INET ? 32 : 128)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[FLOWSTREAM_FLT_A_PREFIX_LEN],
					    "prefix length too long for the family");
			return -EINVAL;
		}
		flt->has_prefix = true;
	}
	if (tb[FLOWSTREAM_FLT_A_PROTO])
		flt->proto = nla_get_u8(tb[FLOWSTREAM_FLT_A_PROTO]);
	if (tb[FLOWSTREAM_FLT_A_PORT])
		flt->port = nla_get_u16(tb[FLOWSTREAM_FLT_A_PORT]);
	if (tb[FLOWSTREAM_FLT_A_IFINDEX])
		flt->ifindex = nla_get_u32(tb[FLOWSTREAM_FLT_A_IFINDEX]);
	return 0;
}

#define FS_ACCT_OFF_MSG "flow accounting is off in this namespace"

static int fs_nl_get_record(struct sk_buff *req, struct genl_info *info)
{
	struct fs_net *fsn = fs_nl_begin(info);
	struct fs_rec_snap snap;
	struct fs_acct_key key;
	struct fs_acct *acct;
	struct sk_buff *skb;
	bool found = false;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, FLOWSTREAM_A_RECORD)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing record key");
		err = -EINVAL;
		goto reject;
	}
	if (info->attrs[FLOWSTREAM_A_FILTER]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[FLOWSTREAM_A_FILTER],
				    "a filter is for dumps");
		err = -EINVAL;
		goto reject;
	}
	err = fs_nl_parse_key(info->attrs[FLOWSTREAM_A_RECORD], &key,
			      info->extack);
	if (err)
		goto reject;

	rcu_read_lock();
	acct = rcu_dereference(fsn->acct);
	if (acct)
		found = fs_acct_lookup(acct, &key, &snap);
	rcu_read_unlock();
	if (!acct) {
		NL_SET_ERR_MSG_MOD(info->extack, FS_ACCT_OFF_MSG);
		return -ENOENT;
	}
	if (!found) {
		NL_SET_ERR_MSG_MOD(info->extack, "no such flow record");
		return -ENOENT;
	}

	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put_reply(skb, info, &fs_genl_family, 0,
				FLOWSTREAM_CMD_GET_RECORD);
	if (!hdr || fs_nl_rec_fill(skb, &snap, 0)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
reject:
	return fs_nl_reject(fsn, info, err);
}

/* Where a dump is, kept in the callback between calls. */
struct fs_dump_ctx {
	u32 bucket;
	u32 skip;
	bool started;
	struct fs_acct_filter flt;
};

static struct fs_dump_ctx *fs_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct fs_dump_ctx) > sizeof(cb->ctx));
	return (struct fs_dump_ctx *)cb->ctx;
}

static int fs_nl_dump_records_start(struct netlink_callback *cb)
{
	memset(fs_dump_ctx(cb), 0, sizeof(struct fs_dump_ctx));
	return 0;
}

/*
 * The request is checked in the first dump call rather than in start():
 * before 6.2, start() has no extended ACK to explain a refusal with.
 */
static int fs_nl_dump_check(struct netlink_callback *cb, struct fs_net *fsn,
			    struct fs_dump_ctx *ctx)
{
	struct nlattr *attrs[FLOWSTREAM_A_MAX + 1];
	int err;

	err = fs_nl_dump_attrs(cb, fsn, fs_record_ops_policy, attrs);
	if (err)
		return err;
	if (attrs[FLOWSTREAM_A_RECORD]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[FLOWSTREAM_A_RECORD],
				    "a dump takes a filter, not a record key");
		err = -EINVAL;
		goto reject;
	}
	err = fs_nl_parse_filter(attrs[FLOWSTREAM_A_FILTER], &ctx->flt,
				 cb->extack);
	if (err)
		goto reject;
	if (!rcu_access_pointer(fsn->acct)) {
		NL_SET_ERR_MSG_MOD(cb->extack, FS_ACCT_OFF_MSG);
		return -ENOENT;
	}
	ctx->started = true;
	return 0;
reject:
	fs_stat_inc(fsn, FLOWSTREAM_STAT_NL_REJECTED);
	return err;
}

/* Put one record; false when the skb is full. */
static bool fs_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
			const struct fs_rec_snap *snap)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &fs_genl_family, NLM_F_MULTI,
			  FLOWSTREAM_CMD_GET_RECORD);
	if (!hdr)
		return false;
	if (fs_nl_rec_fill(skb, snap, 0)) {
		genlmsg_cancel(skb, hdr);
		return false;
	}
	genlmsg_end(skb, hdr);
	return true;
}

static int fs_nl_dump_records(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct fs_net *fsn = fs_net(sock_net(cb->skb->sk));
	struct fs_dump_ctx *ctx = fs_dump_ctx(cb);
	struct fs_rec_snap snap;
	struct fs_record *rec;
	struct fs_acct *acct;
	bool full = false;
	u32 idx;
	int err;

	if (!ctx->started) {
		err = fs_nl_dump_check(cb, fsn, ctx);
		if (err)
			return err;
	}
	rcu_read_lock();
	acct = rcu_dereference(fsn->acct);
	for (; acct && ctx->bucket <= acct->mask && !full; ctx->bucket++) {
		idx = 0;
		hlist_for_each_entry_rcu(rec, &acct->buckets[ctx->bucket], hnode) {
			bool match;

			if (idx++ < ctx->skip)
				continue;
			spin_lock_bh(&rec->lock);
			match = !rec->dead &&
				fs_acct_match(&ctx->flt, &rec->key, rec->oif);
			if (match)
				fs_rec_snapshot(rec, &snap);
			spin_unlock_bh(&rec->lock);
			if (match && !fs_dump_one(skb, cb, &snap)) {
				/* Resume at this record next time. */
				ctx->skip = idx - 1;
				full = true;
				break;
			}
		}
		if (!full)
			ctx->skip = 0;
		else
			break;
	}
	rcu_read_unlock();
	return skb->len;
}

static int fs_nl_flush_records(struct sk_buff *req, struct genl_info *info)
{
	struct fs_net *fsn = fs_nl_begin(info);
	struct fs_acct_filter flt;
	struct fs_acct *acct;
	struct sk_buff *skb;
	u32 n = 0;
	void *hdr;
	int err;

	if (info->attrs[FLOWSTREAM_A_RECORD]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[FLOWSTREAM_A_RECORD],
				    "flush takes a filter, not a record key");
		err = -EINVAL;
		goto reject;
	}
	err = fs_nl_parse_filter(info->attrs[FLOWSTREAM_A_FILTER], &flt,
				 info->extack);
	if (err)
		goto reject;

	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	mutex_lock(&fsn->lock);
	acct = rcu_dereference_protected(fsn->acct, lockdep_is_held(&fsn->lock));
	if (acct)
		n = fs_acct_flush(acct, &flt);
	mutex_unlock(&fsn->lock);
	if (!acct) {
		nlmsg_free(skb);
		NL_SET_ERR_MSG_MOD(info->extack, FS_ACCT_OFF_MSG);
		return -ENOENT;
	}
	hdr = genlmsg_put_reply(skb, info, &fs_genl_family, 0,
				FLOWSTREAM_CMD_FLUSH_RECORDS);
	if (!hdr || nla_put_u32(skb, FLOWSTREAM_A_FLUSHED, n)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
reject:
	return fs_nl_reject(fsn, info, err);
}

static const struct genl_ops fs_acct_nl_ops[] = {
	{
		.cmd = FLOWSTREAM_CMD_GET_RECORD,
		.doit = fs_nl_get_record,
		.start = fs_nl_dump_records_start,
		.dumpit = fs_nl_dump_records,
		.policy = fs_record_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_FLUSH_RECORDS,
		.doit = fs_nl_flush_records,
		.policy = fs_record_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

/* The flow record operations, a row of netlink.c's fs_nl_parts[]. */
const struct fs_nl_part fs_acct_nl = {
	.name = "acct",
	.ops = fs_acct_nl_ops,
	.n_ops = ARRAY_SIZE(fs_acct_nl_ops),
};

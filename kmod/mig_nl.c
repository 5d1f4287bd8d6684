// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: state migration operations: the migrations themselves
 * (MIG_ADD, MIG_DEL, MIG_GET) and the table of every operation, MIG_EXPORT
 * (mig_export.c) and MIG_IMPORT (mig_import.c) included.
 */
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "acct.h"
#include "compat.h"
#include "mig.h"
#include "netlink.h"
#include "stats.h"

static const struct nla_policy fs_mpfx_policy[FLOWSTREAM_MPFX_A_MAX + 1] = {
	[FLOWSTREAM_MPFX_A_FAMILY] = { .type = NLA_U8 },
	[FLOWSTREAM_MPFX_A_ADDR] = { .type = NLA_BINARY, .len = 16 },
	[FLOWSTREAM_MPFX_A_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[FLOWSTREAM_MPFX_A_KEY] = NLA_POLICY_MAX(NLA_U8, FLOWSTREAM_SMP_KEY_SRC),
};

static const struct nla_policy fs_mig_policy[FLOWSTREAM_MIG_A_MAX + 1] = {
	[FLOWSTREAM_MIG_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[FLOWSTREAM_MIG_A_PREFIX] = NLA_POLICY_NESTED(fs_mpfx_policy),
	[FLOWSTREAM_MIG_A_BATCH_SIZE] = NLA_POLICY_MIN(NLA_U32, 1),
	[FLOWSTREAM_MIG_A_VIA4] = NLA_POLICY_EXACT_LEN(4),
	[FLOWSTREAM_MIG_A_VIA6] = NLA_POLICY_EXACT_LEN(16),
	[FLOWSTREAM_MIG_A_PHASE] = NLA_POLICY_MAX(NLA_U8,
						  __FLOWSTREAM_MIG_PHASE_MAX - 1),
	[FLOWSTREAM_MIG_A_OWNED] = { .type = NLA_FLAG },
	[FLOWSTREAM_MIG_A_SEQ] = NLA_POLICY_MIN(NLA_U32, 1),
};

const struct nla_policy fs_mig_ops_policy[FLOWSTREAM_A_MAX + 1] = {
	[FLOWSTREAM_A_MIGRATION] = NLA_POLICY_NESTED(fs_mig_policy),
	[FLOWSTREAM_A_BATCH] = NLA_POLICY_NESTED(fs_batch_policy),
};

u8 fs_mig_addr_len(u8 family)
{
	return family == AF_INET ? 4 : 16;
}

/* One FLOWSTREAM_MIG_A_PREFIX. */
static int fs_mig_parse_pfx(const struct nlattr *nest, struct fs_mig_pfx *p,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FLOWSTREAM_MPFX_A_MAX + 1];
	unsigned int i;
	int err, family;

	err = nla_parse_nested(tb, FLOWSTREAM_MPFX_A_MAX, nest, fs_mpfx_policy,
			       extack);
	if (err)
		return err;
	if (!tb[FLOWSTREAM_MPFX_A_FAMILY] || !tb[FLOWSTREAM_MPFX_A_ADDR] ||
	    !tb[FLOWSTREAM_MPFX_A_LEN]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a prefix needs family, address and length");
		return -EINVAL;
	}
	family = fs_nl_family(tb[FLOWSTREAM_MPFX_A_FAMILY], extack);
	if (family < 0)
		return family;
	p->family = family;
	err = fs_nl_addr(tb[FLOWSTREAM_MPFX_A_ADDR], family, &p->addr, extack);
	if (err)
		return err;
	p->len = nla_get_u8(tb[FLOWSTREAM_MPFX_A_LEN]);
	if (p->len > fs_mig_addr_len(family) * 8) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FLOWSTREAM_MPFX_A_LEN],
				    "prefix length too long for the family");
		return -EINVAL;
	}
	for (i = p->len; i < 128; i++) {
		if (p->addr.s6_addr[i / 8] & (0x80 >> (i % 8))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[FLOWSTREAM_MPFX_A_ADDR],
					    "the prefix has host bits set");
			return -EINVAL;
		}
	}
	p->key = tb[FLOWSTREAM_MPFX_A_KEY] ?
		 nla_get_u8(tb[FLOWSTREAM_MPFX_A_KEY]) : FLOWSTREAM_SMP_KEY_DST;
	return 0;
}

/* A next hop of MIG_ADD: a unicast address of its family. */
static int fs_mig_parse_via(struct fs_mig *mig, const struct nlattr *attr,
			    struct netlink_ext_ack *extack)
{
	if (nla_type(attr) == FLOWSTREAM_MIG_A_VIA4) {
		__be32 a = nla_get_in_addr(attr);

		if (mig->has_via4)
			goto twice;
		if (ipv4_is_zeronet(a) || ipv4_is_loopback(a) ||
		    ipv4_is_multicast(a) || ipv4_is_lbcast(a))
			goto bad;
		mig->via4 = a;
		mig->has_via4 = true;
	} else {
		struct in6_addr a = nla_get_in6_addr(attr);
		int type = ipv6_addr_type(&a);

		if (mig->has_via6)
			goto twice;
		if (!(type & IPV6_ADDR_UNICAST) ||
		    (type & (IPV6_ADDR_LOOPBACK | IPV6_ADDR_MAPPED)))
			goto bad;
		mig->via6 = a;
		mig->has_via6 = true;
	}
	return 0;
twice:
	NL_SET_ERR_MSG_ATTR(extack, attr, "one next hop per family");
	return -EINVAL;
bad:
	NL_SET_ERR_MSG_ATTR(extack, attr, "the next hop must be a unicast address");
	return -EINVAL;
}

/* With a next hop, every prefix family has one, and every next hop a prefix. */
static int fs_mig_check_via(const struct fs_mig *mig, const struct nlattr *nest,
			    struct netlink_ext_ack *extack)
{
	bool v4 = false, v6 = false;
	u32 i;

	if (!mig->has_via4 && !mig->has_via6)
		return 0;
	for (i = 0; i < mig->n_pfx; i++) {
		if (mig->pfx[i].family == AF_INET)
			v4 = true;
		else
			v6 = true;
	}
	if (v4 != mig->has_via4 || v6 != mig->has_via6) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a daisy-chaining migration needs one next hop for each family of its prefixes, and no other");
		return -EINVAL;
	}
	return 0;
}

/* Room fs_mig_fill() takes for @mig (nest included). */
size_t fs_mig_size(const struct fs_mig *mig)
{
	size_t pfx = 0;
	u32 i;

	for (i = 0; i < mig->n_pfx; i++)
		pfx += nla_total_size(0) +			/* the nest */
		       3 * nla_total_size(sizeof(u8)) +	/* family, len, key */
		       nla_total_size(fs_mig_addr_len(mig->pfx[i].family));
	return nla_total_size(0) +				/* A_MIGRATION */
	       nla_total_size(sizeof(u32)) +			/* ID */
	       pfx +
	       (mig->has_via4 ? nla_total_size(sizeof(__be32)) : 0) +
	       (mig->has_via6 ? nla_total_size(sizeof(struct in6_addr)) : 0) +
	       11 * nla_total_size_64bit(sizeof(u64)) +	/* the counts */
	       2 * nla_total_size(sizeof(u8)) +		/* phase, event */
	       nla_total_size(0);				/* owned */
}

/* The size of a message holding only @mig. */
static size_t fs_mig_msg_size(const struct fs_mig *mig)
{
	return nlmsg_total_size(GENL_HDRLEN + fs_mig_size(mig));
}

/*
 * @mig into @skb; fs_net.lock held. A reply (@event FS_MIG_REPLY) has the
 * sessions and records of the set still here (a walk of the tables); an
 * announcement (fs_mig_notify()) has the @event instead.
 */
int fs_mig_fill(struct sk_buff *skb, struct fs_net *fsn,
		const struct fs_mig *mig, int event)
{
	struct nlattr *nest, *pn;
	u32 i;

	nest = nla_nest_start(skb, FLOWSTREAM_A_MIGRATION);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, FLOWSTREAM_MIG_A_ID, mig->id))
		goto cancel;
	for (i = 0; i < mig->n_pfx; i++) {
		const struct fs_mig_pfx *p = &mig->pfx[i];

		pn = nla_nest_start(skb, FLOWSTREAM_MIG_A_PREFIX);
		if (!pn ||
		    nla_put_u8(skb, FLOWSTREAM_MPFX_A_FAMILY, p->family) ||
		    nla_put(skb, FLOWSTREAM_MPFX_A_ADDR, fs_mig_addr_len(p->family),
			    &p->addr) ||
		    nla_put_u8(skb, FLOWSTREAM_MPFX_A_LEN, p->len) ||
		    nla_put_u8(skb, FLOWSTREAM_MPFX_A_KEY, p->key))
			goto cancel;
		nla_nest_end(skb, pn);
	}
	if ((mig->has_via4 &&
	     nla_put_in_addr(skb, FLOWSTREAM_MIG_A_VIA4, mig->via4)) ||
	    (mig->has_via6 &&
	     nla_put_in6_addr(skb, FLOWSTREAM_MIG_A_VIA6, &mig->via6)) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_MIG_A_CHAINED,
			      atomic64_read(&mig->chained),
			      FLOWSTREAM_MIG_A_PAD))
		goto cancel;
	if (nla_put_u64_64bit(skb, FLOWSTREAM_MIG_A_EXPORTED, mig->exported,
			      FLOWSTREAM_MIG_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_MIG_A_PACKETS, mig->packets,
			      FLOWSTREAM_MIG_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_MIG_A_BYTES, mig->bytes,
			      FLOWSTREAM_MIG_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_MIG_A_BATCHES, mig->batches,
			      FLOWSTREAM_MIG_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_MIG_A_IMPORTED, mig->imported,
			      FLOWSTREAM_MIG_A_PAD) ||
	    nla_put_u8(skb, FLOWSTREAM_MIG_A_PHASE, mig->phase))
		goto cancel;
	if ((mig->owned && nla_put_flag(skb, FLOWSTREAM_MIG_A_OWNED)) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_MIG_A_PENDING, mig->pending,
			      FLOWSTREAM_MIG_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_MIG_A_TAKEN_BACK,
			      mig->taken_back, FLOWSTREAM_MIG_A_PAD) ||
	    nla_put_u64_64bit(skb, FLOWSTREAM_MIG_A_TAKEBACK_FAILED,
			      mig->takeback_failed, FLOWSTREAM_MIG_A_PAD))
		goto cancel;
	if (event != FS_MIG_REPLY) {
		if (nla_put_u8(skb, FLOWSTREAM_MIG_A_EVENT, event))
			goto cancel;
	} else if (nla_put_u64_64bit(skb, FLOWSTREAM_MIG_A_SESSIONS,
				     fs_mig_sessions(fsn, mig),
				     FLOWSTREAM_MIG_A_PAD) ||
		   nla_put_u64_64bit(skb, FLOWSTREAM_MIG_A_RECORDS,
				     fs_mig_records(fsn, mig),
				     FLOWSTREAM_MIG_A_PAD)) {
		goto cancel;
	}
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/*
 * The one builder of a reply holding a migration (MIG_ADD, MIG_GET), in
 * an skb sized with fs_mig_size(); fs_net.lock held.
 */
static int fs_mig_reply_fill(struct sk_buff *skb, struct genl_info *info,
			     u8 cmd, const struct fs_mig *mig)
{
	void *hdr;

	hdr = genlmsg_put_reply(skb, info, &fs_genl_family, 0, cmd);
	if (WARN_ON_ONCE(!hdr))
		return -EMSGSIZE;
	if (WARN_ON_ONCE(fs_mig_fill(skb, fs_net(genl_info_net(info)), mig,
				     FS_MIG_REPLY))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Every operation but MIG_IMPORT refuses a FLOWSTREAM_A_BATCH. */
static int fs_mig_no_batch(struct nlattr **attrs,
			   struct netlink_ext_ack *extack)
{
	if (!attrs[FLOWSTREAM_A_BATCH])
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attrs[FLOWSTREAM_A_BATCH],
			    "a batch is for MIG_IMPORT");
	return -EINVAL;
}

static int fs_nl_mig_add(struct sk_buff *req, struct genl_info *info)
{
	struct fs_net *fsn = fs_nl_begin(info);
	struct nlattr *nest = info->attrs[FLOWSTREAM_A_MIGRATION];
	struct fs_mig_net *mn = fsn->mig;
	struct fs_mig *mig = NULL;
	struct nlattr *attr;
	struct sk_buff *skb;
	u32 n = 0, max;
	int rem, err;

	if (GENL_REQ_ATTR_CHECK(info, FLOWSTREAM_A_MIGRATION)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing migration attribute");
		err = -EINVAL;
		goto reject;
	}
	err = fs_mig_no_batch(info->attrs, info->extack);
	if (err)
		goto reject;
	max = READ_ONCE(fs_mig_max_prefixes);
	nla_for_each_nested(attr, nest, rem) {
		if (nla_type(attr) == FLOWSTREAM_MIG_A_VIA4 ||
		    nla_type(attr) == FLOWSTREAM_MIG_A_VIA6 ||
		    nla_type(attr) == FLOWSTREAM_MIG_A_OWNED)
			continue;
		if (nla_type(attr) != FLOWSTREAM_MIG_A_PREFIX) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "a new migration takes prefixes, next hops and the owned flag only");
			err = -EINVAL;
			goto reject;
		}
		if (++n > max) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "more prefixes than mig_max_prefixes");
			err = -E2BIG;
			goto reject;
		}
	}
	if (!n) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest,
				    "a migration needs at least one prefix");
		err = -EINVAL;
		goto reject;
	}
	mig = kzalloc(struct_size(mig, pfx, n), GFP_KERNEL);
	if (!mig)
		return -ENOMEM;
	INIT_LIST_HEAD(&mig->pend);
	mig->next_seq = 1;
	nla_for_each_nested(attr, nest, rem) {
		if (nla_type(attr) == FLOWSTREAM_MIG_A_PREFIX)
			err = fs_mig_parse_pfx(attr, &mig->pfx[mig->n_pfx++],
					       info->extack);
		else if (nla_type(attr) == FLOWSTREAM_MIG_A_OWNED)
			mig->owned = true;
		else
			err = fs_mig_parse_via(mig, attr, info->extack);
		if (err)
			goto reject;
	}
	mig->owner = info->snd_portid;
	err = fs_mig_check_via(mig, nest, info->extack);
	if (err)
		goto reject;
	/* The reply, as MIG_GET's, is allocated first: all or nothing. */
	skb = genlmsg_new(GENL_HDRLEN + fs_mig_size(mig), GFP_KERNEL);
	if (!skb) {
		kfree(mig);
		return -ENOMEM;
	}
	mutex_lock(&fsn->lock);
	if (mn->count >= READ_ONCE(fs_mig_max)) {
		mutex_unlock(&fsn->lock);
		nlmsg_free(skb);
		NL_SET_ERR_MSG_MOD(info->extack,
				   "this namespace has mig_max migrations already (flowctl migrate del)");
		err = -ENOSPC;
		goto reject;
	}
	mig->id = mn->next_id++;
	err = fs_mig_reply_fill(skb, info, FLOWSTREAM_CMD_MIG_ADD, mig);
	if (!err) {
		fs_mig_link(mn, mig);
		fs_mig_notify(fsn, mig, FLOWSTREAM_MIG_EV_ADDED);
	}
	mutex_unlock(&fsn->lock);
	if (err) {
		nlmsg_free(skb);
		kfree(mig);
		return err;
	}
	return genlmsg_reply(skb, info);
reject:
	kfree(mig);
	return fs_nl_reject(fsn, info, err);
}

/*
 * The ID of a request's FLOWSTREAM_A_MIGRATION, which must hold only it,
 * but for MIG_EXPORT's optional batch size (@batch not NULL), MIG_SET's
 * phase (@phase not NULL, then required) and MIG_ACK's sequence number
 * (@seq not NULL, then required).
 */
int fs_mig_req_id(struct nlattr *nest, u32 *id, u32 *batch, u8 *phase,
		  u32 *seq, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FLOWSTREAM_MIG_A_MAX + 1];
	int err, i;

	if (!nest) {
		NL_SET_ERR_MSG_MOD(extack, "missing migration attribute");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, FLOWSTREAM_MIG_A_MAX, nest, fs_mig_policy,
			       extack);
	if (err)
		return err;
	if (seq) {
		for (i = 0; i <= FLOWSTREAM_MIG_A_MAX; i++) {
			if (!tb[i] || i == FLOWSTREAM_MIG_A_ID ||
			    i == FLOWSTREAM_MIG_A_SEQ)
				continue;
			NL_SET_ERR_MSG_ATTR(extack, tb[i],
					    "MIG_ACK takes a migration id and a sequence number only");
			return -EINVAL;
		}
		if (!tb[FLOWSTREAM_MIG_A_ID] || !tb[FLOWSTREAM_MIG_A_SEQ]) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "MIG_ACK takes a migration id and a sequence number");
			return -EINVAL;
		}
		*id = nla_get_u32(tb[FLOWSTREAM_MIG_A_ID]);
		*seq = nla_get_u32(tb[FLOWSTREAM_MIG_A_SEQ]);
		return 0;
	}
	if (phase) {
		if (!tb[FLOWSTREAM_MIG_A_ID] || !tb[FLOWSTREAM_MIG_A_PHASE]) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "MIG_SET takes a migration id and a phase");
			return -EINVAL;
		}
		if (tb[FLOWSTREAM_MIG_A_PREFIX] || tb[FLOWSTREAM_MIG_A_VIA4] ||
		    tb[FLOWSTREAM_MIG_A_VIA6] ||
		    tb[FLOWSTREAM_MIG_A_BATCH_SIZE] ||
		    tb[FLOWSTREAM_MIG_A_OWNED] || tb[FLOWSTREAM_MIG_A_SEQ]) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "MIG_SET changes the phase only");
			return -EINVAL;
		}
		*id = nla_get_u32(tb[FLOWSTREAM_MIG_A_ID]);
		*phase = nla_get_u8(tb[FLOWSTREAM_MIG_A_PHASE]);
		return 0;
	}
	if (!tb[FLOWSTREAM_MIG_A_ID]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "missing migration id");
		return -EINVAL;
	}
	if (tb[FLOWSTREAM_MIG_A_PREFIX]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FLOWSTREAM_MIG_A_PREFIX],
				    "a migration's prefixes are given when it is added");
		return -EINVAL;
	}
	if (tb[FLOWSTREAM_MIG_A_VIA4] || tb[FLOWSTREAM_MIG_A_VIA6]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FLOWSTREAM_MIG_A_VIA4] ?:
				    tb[FLOWSTREAM_MIG_A_VIA6],
				    "a migration's next hops are given when it is added");
		return -EINVAL;
	}
	if (tb[FLOWSTREAM_MIG_A_PHASE]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FLOWSTREAM_MIG_A_PHASE],
				    "a phase is set with MIG_SET");
		return -EINVAL;
	}
	if (tb[FLOWSTREAM_MIG_A_OWNED]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FLOWSTREAM_MIG_A_OWNED],
				    "a migration is owned when it is added");
		return -EINVAL;
	}
	if (tb[FLOWSTREAM_MIG_A_SEQ]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FLOWSTREAM_MIG_A_SEQ],
				    "a sequence number is for MIG_ACK");
		return -EINVAL;
	}
	if (tb[FLOWSTREAM_MIG_A_BATCH_SIZE] && !batch) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FLOWSTREAM_MIG_A_BATCH_SIZE],
				    "a batch size is for MIG_EXPORT");
		return -EINVAL;
	}
	*id = nla_get_u32(tb[FLOWSTREAM_MIG_A_ID]);
	if (batch) {
		*batch = tb[FLOWSTREAM_MIG_A_BATCH_SIZE] ?
			 nla_get_u32(tb[FLOWSTREAM_MIG_A_BATCH_SIZE]) :
			 min_t(u32, FS_MIG_BATCH_DEFAULT,
			       READ_ONCE(fs_mig_max_batch));
		if (*batch > READ_ONCE(fs_mig_max_batch)) {
			NL_SET_ERR_MSG_ATTR(extack,
					    tb[FLOWSTREAM_MIG_A_BATCH_SIZE],
					    "batch size over mig_max_batch");
			return -ERANGE;
		}
	}
	return 0;
}

/**
 * fs_mig_doit_find() - the doit of MIG_DEL, MIG_GET, MIG_SET and MIG_ACK
 * @info: the request (MIG_SET's has a phase to parse, MIG_ACK's a
 *	sequence number, the others only the ID)
 * @req: filled with what the request holds, for @op
 * @op: what the operation does to the migration found, under fs_net.lock
 *
 * The request parsed (no batch; the migration's ID, and the phase or
 * sequence number), the migration found under fs_net.lock and @op called
 * on it. A malformed request and an -EINVAL of @op count as rejected.
 *
 * Return: 0, or an error (-ENOENT: no such migration).
 */
int fs_mig_doit_find(struct genl_info *info, struct fs_mig_req *req,
		     fs_mig_op_t op)
{
	struct fs_net *fsn = fs_nl_begin(info);
	u8 cmd = info->genlhdr->cmd;
	struct fs_mig *mig;
	int err;

	err = fs_mig_no_batch(info->attrs, info->extack) ?:
	      fs_mig_req_id(info->attrs[FLOWSTREAM_A_MIGRATION], &req->id, NULL,
			    cmd == FLOWSTREAM_CMD_MIG_SET ? &req->phase : NULL,
			    cmd == FLOWSTREAM_CMD_MIG_ACK ? &req->seq : NULL,
			    info->extack);
	if (err)
		return fs_nl_reject(fsn, info, err);
	mutex_lock(&fsn->lock);
	mig = fs_mig_find(fsn->mig, req->id);
	if (!mig) {
		NL_SET_ERR_MSG_MOD(info->extack, "no such migration");
		err = -ENOENT;
	} else {
		err = op(fsn, mig, req, info);
	}
	mutex_unlock(&fsn->lock);
	if (err == -EINVAL)
		return fs_nl_reject(fsn, info, err);
	return err;
}

static int fs_mig_del_one(struct fs_net *fsn, struct fs_mig *mig,
			  struct fs_mig_req *req, struct genl_info *info)
{
	fs_mig_drop(fsn, mig);	/* pending records back first */
	return 0;
}

static int fs_nl_mig_del(struct sk_buff *skb, struct genl_info *info)
{
	struct fs_mig_req req;

	return fs_mig_doit_find(info, &req, fs_mig_del_one);
}

static const char *const fs_mig_phase_names[] = {
	[FLOWSTREAM_MIG_PHASE_NEW] = "new",
	[FLOWSTREAM_MIG_PHASE_IDLE] = "idle",
	[FLOWSTREAM_MIG_PHASE_COPY] = "copy",
	[FLOWSTREAM_MIG_PHASE_DONE] = "done",
	[FLOWSTREAM_MIG_PHASE_CANCELED] = "canceled",
};

const char *fs_mig_phase_name(u8 phase)
{
	return phase < ARRAY_SIZE(fs_mig_phase_names) ?
	       fs_mig_phase_names[phase] : "?";
}

/* MIG_SET: a migration's phase, which only moves forward. */
static int fs_mig_set_one(struct fs_net *fsn, struct fs_mig *mig,
			  struct fs_mig_req *req, struct genl_info *info)
{
	if (req->phase == mig->phase)
		return 0;
	if (mig->phase >= FLOWSTREAM_MIG_PHASE_DONE) {
		NL_SET_ERR_MSG_FMT_MOD(info->extack,
				       "the migration has ended (%s)",
				       fs_mig_phase_name(mig->phase));
		return -EINVAL;
	}
	if (req->phase < mig->phase) {
		NL_SET_ERR_MSG_FMT_MOD(info->extack,
				       "a migration's phase only moves forward (it is %s)",
				       fs_mig_phase_name(mig->phase));
		return -EINVAL;
	}
	WRITE_ONCE(mig->phase, req->phase);
	fs_mig_notify(fsn, mig, FLOWSTREAM_MIG_EV_PHASE);
	return 0;
}

static int fs_nl_mig_set(struct sk_buff *skb, struct genl_info *info)
{
	struct fs_mig_req req;

	return fs_mig_doit_find(info, &req, fs_mig_set_one);
}

/* MIG_GET of one migration: the reply built under the lock, sent after. */
static int fs_mig_get_one(struct fs_net *fsn, struct fs_mig *mig,
			  struct fs_mig_req *req, struct genl_info *info)
{
	struct sk_buff *skb;
	int err;

	skb = genlmsg_new(GENL_HDRLEN + fs_mig_size(mig), GFP_KERNEL);
	err = skb ? fs_mig_reply_fill(skb, info, FLOWSTREAM_CMD_MIG_GET, mig) :
		    -ENOMEM;
	if (err) {
		nlmsg_free(skb);
		return err;
	}
	req->reply = skb;
	return 0;
}

static int fs_nl_mig_get(struct sk_buff *skb, struct genl_info *info)
{
	struct fs_mig_req req;

	return fs_mig_doit_find(info, &req, fs_mig_get_one) ?:
	       genlmsg_reply(req.reply, info);
}

struct fs_mig_dump *fs_mig_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct fs_mig_dump) > sizeof(cb->ctx));
	return (struct fs_mig_dump *)cb->ctx;
}

int fs_mig_dump_start(struct netlink_callback *cb)
{
	memset(fs_mig_dump_ctx(cb), 0, sizeof(struct fs_mig_dump));
	return 0;
}

/*
 * The request of a dump, checked in its first call (before 6.2 start()
 * has no extended ACK). @export: MIG_EXPORT, which needs a migration.
 */
int fs_mig_dump_check(struct netlink_callback *cb, struct fs_net *fsn,
		      struct fs_mig_dump *ctx, bool export)
{
	struct nlattr *attrs[FLOWSTREAM_A_MAX + 1];
	int err;

	err = fs_nl_dump_attrs(cb, fsn, fs_mig_ops_policy, attrs);
	if (err)
		return err;
	err = fs_mig_no_batch(attrs, cb->extack);
	if (err)
		goto reject;
	if (export) {
		err = fs_mig_req_id(attrs[FLOWSTREAM_A_MIGRATION], &ctx->id,
				    &ctx->batch, NULL, NULL, cb->extack);
		if (err)
			goto reject;
	} else if (attrs[FLOWSTREAM_A_MIGRATION]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[FLOWSTREAM_A_MIGRATION],
				    "a dump of migrations takes no attributes");
		err = -EINVAL;
		goto reject;
	}
	ctx->started = true;
	return 0;
reject:
	fs_stat_inc(fsn, FLOWSTREAM_STAT_NL_REJECTED);
	return err;
}

/*
 * MIG_GET's dump: every message big enough for the largest migration (up
 * to mig_max_prefixes prefixes may not fit the default size); a migration
 * added later with more prefixes than any now ends the dump early with
 * -EMSGSIZE rather than being left out silently.
 */
static int fs_mig_get_start(struct netlink_callback *cb)
{
	struct fs_net *fsn = fs_net(sock_net(cb->skb->sk));
	const struct fs_mig *mig;
	size_t max = 0;

	fs_mig_dump_start(cb);
	mutex_lock(&fsn->lock);
	list_for_each_entry(mig, &fsn->mig->list, list)
		max = max(max, fs_mig_msg_size(mig));
	mutex_unlock(&fsn->lock);
	cb->min_dump_alloc = max_t(u32, cb->min_dump_alloc, max);
	return 0;
}

static int fs_nl_mig_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct fs_net *fsn = fs_net(sock_net(cb->skb->sk));
	struct fs_mig_dump *ctx = fs_mig_dump_ctx(cb);
	struct fs_mig *mig;
	void *hdr;
	int err;

	if (!ctx->started) {
		err = fs_mig_dump_check(cb, fsn, ctx, false);
		if (err)
			return err;
	}
	mutex_lock(&fsn->lock);
	list_for_each_entry(mig, &fsn->mig->list, list) {
		if (mig->id <= ctx->id)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &fs_genl_family,
				  NLM_F_MULTI, FLOWSTREAM_CMD_MIG_GET);
		if (!hdr)
			break;
		if (fs_mig_fill(skb, fsn, mig, FS_MIG_REPLY)) {
			genlmsg_cancel(skb, hdr);
			if (!skb->len) {	/* not even alone: see start */
				mutex_unlock(&fsn->lock);
				return -EMSGSIZE;
			}
			break;
		}
		genlmsg_end(skb, hdr);
		ctx->id = mig->id;
	}
	mutex_unlock(&fsn->lock);
	return skb->len;
}

static const struct genl_ops fs_mig_nl_ops[] = {
	{
		.cmd = FLOWSTREAM_CMD_MIG_ADD,
		.doit = fs_nl_mig_add,
		.policy = fs_mig_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_MIG_DEL,
		.doit = fs_nl_mig_del,
		.policy = fs_mig_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_MIG_GET,
		.doit = fs_nl_mig_get,
		.start = fs_mig_get_start,
		.dumpit = fs_nl_mig_dump,
		.policy = fs_mig_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_MIG_EXPORT,
		.start = fs_mig_dump_start,
		.dumpit = fs_nl_mig_export,
		.policy = fs_mig_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_MIG_IMPORT,
		.doit = fs_nl_mig_import,
		.policy = fs_mig_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_MIG_SET,
		.doit = fs_nl_mig_set,
		.policy = fs_mig_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FLOWSTREAM_CMD_MIG_ACK,
		.doit = fs_nl_mig_ack,
		.policy = fs_mig_ops_policy,
		.maxattr = FLOWSTREAM_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

/* The state migration operations, a row of netlink.c's fs_nl_parts[]. */
const struct fs_nl_part fs_mig_nl = {
	.name = "migrate",
	.ops = fs_mig_nl_ops,
	.n_ops = ARRAY_SIZE(fs_mig_nl_ops),
};

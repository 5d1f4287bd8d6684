// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: state migration, MIG_EXPORT: the flow records of a
 * migration's set handed out in batches (a dump), each ended here in the
 * step that hands it out.
 */
#include <net/genetlink.h>
#include <net/sock.h>

#include "acct.h"
#include "mig.h"
#include "netlink.h"
#include "stats.h"

/* One MIG_EXPORT call: the message being filled. */
struct fs_mig_out {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct fs_mig *mig;
	void *hdr;		/* the message, NULL if none is open */
	struct nlattr *batch;	/* its FLOWSTREAM_A_BATCH */
	u32 in_msg;		/* records in it */
	u32 taken;		/* records handed out in this call */
	u32 max;		/* records per message */
	u64 packets;		/* in it */
	u64 bytes;
};

static bool fs_mig_out_want(void *arg, const struct fs_acct_key *key)
{
	struct fs_mig_out *o = arg;

	return fs_mig_wants(o->mig, key);
}

/* Close the open message, or drop it if it has no record. */
static void fs_mig_out_close(struct fs_mig_out *o)
{
	struct fs_mig *mig = o->mig;

	if (!o->hdr)
		return;
	if (!o->in_msg) {
		genlmsg_cancel(o->skb, o->hdr);
	} else {
		nla_nest_end(o->skb, o->batch);
		genlmsg_end(o->skb, o->hdr);
		mig->exported += o->in_msg;
		mig->packets += o->packets;
		mig->bytes += o->bytes;
		mig->batches++;
	}
	o->hdr = NULL;
}

static int fs_mig_out_open(struct fs_mig_out *o)
{
	struct nlattr *nest;

	o->hdr = genlmsg_put(o->skb, NETLINK_CB(o->cb->skb).portid,
			     o->cb->nlh->nlmsg_seq, &fs_genl_family,
			     NLM_F_MULTI, FLOWSTREAM_CMD_MIG_EXPORT);
	if (!o->hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(o->skb, FLOWSTREAM_A_MIGRATION);
	if (!nest || nla_put_u32(o->skb, FLOWSTREAM_MIG_A_ID, o->mig->id))
		goto cancel;
	nla_nest_end(o->skb, nest);
	o->batch = nla_nest_start(o->skb, FLOWSTREAM_A_BATCH);
	if (!o->batch)
		goto cancel;
	o->in_msg = 0;
	o->packets = 0;
	o->bytes = 0;
	return 0;
cancel:
	genlmsg_cancel(o->skb, o->hdr);
	o->hdr = NULL;
	return -EMSGSIZE;
}

/* Put one record; under its bucket and record locks. */
static int fs_mig_out_take(void *arg, const struct fs_rec_snap *snap)
{
	struct fs_mig_out *o = arg;

	if (o->hdr && o->in_msg >= o->max)
		fs_mig_out_close(o);
	if (!o->hdr && fs_mig_out_open(o))
		return -EMSGSIZE;
	if (fs_nl_rec_fill_as(o->skb, FLOWSTREAM_BATCH_A_RECORD, snap, 0))
		return -EMSGSIZE;
	o->in_msg++;
	o->taken++;
	o->packets += snap->packets;
	o->bytes += snap->bytes;
	return 0;
}

int fs_nl_mig_export(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct fs_net *fsn = fs_net(sock_net(cb->skb->sk));
	struct fs_mig_dump *ctx = fs_mig_dump_ctx(cb);
	struct fs_mig_out o = { .skb = skb, .cb = cb };
	struct fs_acct *acct;
	int err = 0;

	if (!ctx->started) {
		err = fs_mig_dump_check(cb, fsn, ctx, true);
		if (err)
			return err;
	}
	if (ctx->done)
		return 0;
	mutex_lock(&fsn->lock);
	o.mig = fs_mig_find(fsn->mig, ctx->id);
	acct = rcu_dereference_protected(fsn->acct,
					 lockdep_is_held(&fsn->lock));
	if (!o.mig || !acct) {
		mutex_unlock(&fsn->lock);
		if (!o.mig)
			NL_SET_ERR_MSG_MOD(cb->extack, "no such migration");
		else
			NL_SET_ERR_MSG_MOD(cb->extack,
					   "flow accounting is off in this namespace");
		return -ENOENT;
	}
	o.max = ctx->batch;
	for (; ctx->bucket <= acct->mask; ctx->bucket++) {
		if (fs_acct_take_bucket(acct, ctx->bucket, fs_mig_out_want,
					fs_mig_out_take, &o) < 0)
			break;	/* full: this bucket again next time */
		if (!(ctx->bucket & 1023))
			cond_resched();
	}
	if (ctx->bucket > acct->mask)
		ctx->done = true;
	fs_stat_add(fsn, FLOWSTREAM_STAT_MIG_EXPORTED, o.taken);
	fs_mig_out_close(&o);
	if (o.taken)
		fs_mig_notify(fsn, o.mig, FLOWSTREAM_MIG_EV_EXPORTED);
	mutex_unlock(&fsn->lock);
	return skb->len;
}

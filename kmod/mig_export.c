// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: state migration, MIG_EXPORT: the flow records of a
 * migration's set handed out in batches (a dump), each ended here in the
 * step that hands it out. An owned migration's messages are numbered and
 * their records kept until acknowledged (mig_pend.c).
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
	struct fs_mig_pend *pend; /* owned: the open message's copies */
	struct fs_mig_pend *spare; /* owned: room for the next message */
	u32 room;		/* owned: records that may still be pending */
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
		if (o->pend && !o->spare)	/* room for the next one */
			o->spare = o->pend;
		else if (o->pend)
			fs_mig_pend_free(o->pend);
		o->pend = NULL;
	} else {
		nla_nest_end(o->skb, o->batch);
		genlmsg_end(o->skb, o->hdr);
		if (o->pend) {
			fs_mig_pend_add(mig, o->pend, mig->next_seq++);
			o->pend = NULL;
		}
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

	/* Owned: room for its copies, under mig_max_pending. */
	if (o->mig->owned && (!o->spare || o->room < o->max))
		return -EMSGSIZE;
	o->hdr = genlmsg_put(o->skb, NETLINK_CB(o->cb->skb).portid,
			     o->cb->nlh->nlmsg_seq, &fs_genl_family,
			     NLM_F_MULTI, FLOWSTREAM_CMD_MIG_EXPORT);
	if (!o->hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(o->skb, FLOWSTREAM_A_MIGRATION);
	if (!nest || nla_put_u32(o->skb, FLOWSTREAM_MIG_A_ID, o->mig->id) ||
	    (o->mig->owned &&
	     nla_put_u32(o->skb, FLOWSTREAM_MIG_A_SEQ, o->mig->next_seq)))
		goto cancel;
	nla_nest_end(o->skb, nest);
	o->batch = nla_nest_start(o->skb, FLOWSTREAM_A_BATCH);
	if (!o->batch)
		goto cancel;
	o->in_msg = 0;
	o->packets = 0;
	o->bytes = 0;
	if (o->mig->owned) {
		o->pend = o->spare;
		o->spare = NULL;
	}
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
	if (o->pend) {
		fs_mig_pend_put(o->pend, snap);
		o->room--;
	}
	o->in_msg++;
	o->taken++;
	o->packets += snap->packets;
	o->bytes += snap->bytes;
	return 0;
}

/*
 * An owned migration is exported by its owner only, its records kept
 * within mig_max_pending. fs_net.lock held.
 */
static int fs_mig_out_owned(struct fs_mig_out *o, struct netlink_callback *cb)
{
	struct fs_mig *mig = o->mig;
	u32 max = READ_ONCE(fs_mig_max_pending);

	if (!mig->owned)
		return 0;
	if (mig->owner != NETLINK_CB(cb->skb).portid) {
		NL_SET_ERR_MSG_MOD(cb->extack,
				   "an owned migration is exported by the socket that added it");
		return -EPERM;
	}
	o->room = mig->pending < max ? max - (u32)mig->pending : 0;
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
	err = fs_mig_out_owned(&o, cb);
	if (err) {
		mutex_unlock(&fsn->lock);
		return err;
	}
	for (; ctx->bucket <= acct->mask; ctx->bucket++) {
		if (o.mig->owned && !o.spare) {
			/* Room for the next message: no lock to sleep under. */
			o.spare = fs_mig_pend_alloc(o.max);
			if (!o.spare)
				break;	/* the dump goes on with what it has */
		}
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
	fs_mig_pend_free(o.spare);
	if (o.taken)
		fs_mig_notify(fsn, o.mig, FLOWSTREAM_MIG_EV_EXPORTED);
	mutex_unlock(&fsn->lock);
	if (!skb->len && !ctx->done) {
		/* Not one message could be made: say why, not "done". */
		if (o.room < o.max) {
			NL_SET_ERR_MSG_MOD(cb->extack,
					   "mig_max_pending records await acknowledgment (MIG_ACK)");
			return -ENOBUFS;
		}
		NL_SET_ERR_MSG_MOD(cb->extack,
				   "no memory for the records kept until acknowledged");
		return -ENOMEM;
	}
	return skb->len;
}

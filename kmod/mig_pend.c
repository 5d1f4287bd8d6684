// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: state migration, the records an owned migration has handed
 * out and the other host has not acknowledged yet (MIG_ACK).
 *
 * MIG_EXPORT ends each record it hands out. For an owned migration
 * (FLOWSTREAM_MIG_A_OWNED) it also keeps a copy of every export message's
 * records here, numbered as the message (FLOWSTREAM_MIG_A_SEQ), until
 * MIG_ACK says the other host has them. If it never does (the process
 * driving the migration deletes it, or exits or is killed: its socket
 * closes), the copies go back into the record table: nothing handed out
 * is lost with a process. Everything here is under fs_net.lock.
 */
#include <linux/moduleparam.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "acct.h"
#include "compat.h"
#include "mig.h"
#include "netns.h"
#include "stats.h"

/* The records of one export message of an owned migration. */
struct fs_mig_pend {
	struct list_head list;	/* in fs_mig.pend */
	u32 seq;		/* the message's FLOWSTREAM_MIG_A_SEQ */
	u32 n;
	struct fs_rec_snap v[];
};

unsigned int fs_mig_max_pending = 65536;
FS_MIG_PARAM(mig_max_pending, fs_mig_max_pending, 64, 1 << 20, 0644);
MODULE_PARM_DESC(mig_max_pending,
		 "Flow records of one migration handed out and not acknowledged (64..1048576, default 65536)");

/**
 * fs_mig_pend_alloc() - room for one export message's records
 * @max: records per message
 *
 * Process context, no lock held (the records are copied in under the
 * table's locks). Return: the block, or NULL.
 */
struct fs_mig_pend *fs_mig_pend_alloc(u32 max)
{
	struct fs_mig_pend *p = kvmalloc(struct_size(p, v, max), GFP_KERNEL);

	if (p)
		p->n = 0;
	return p;
}

void fs_mig_pend_free(struct fs_mig_pend *p)
{
	kvfree(p);
}

/* Copy one record handed out; under the table's locks, room checked. */
void fs_mig_pend_put(struct fs_mig_pend *p, const struct fs_rec_snap *snap)
{
	p->v[p->n++] = *snap;
}

/* Keep the records of message @seq (@p, not empty) until acknowledged. */
void fs_mig_pend_add(struct fs_mig *mig, struct fs_mig_pend *p, u32 seq)
{
	p->seq = seq;
	list_add_tail(&p->list, &mig->pend);
	mig->pending += p->n;
}

/* Forget the records of messages up to @seq. */
static void fs_mig_pend_ack(struct fs_mig *mig, u32 seq)
{
	struct fs_mig_pend *p, *tmp;

	list_for_each_entry_safe(p, tmp, &mig->pend, list) {
		if (p->seq > seq)
			break;
		list_del(&p->list);
		mig->pending -= p->n;
		kvfree(p);
	}
	mig->acked = max(mig->acked, seq);
}

/**
 * fs_mig_take_back() - put every pending record of @mig back in the table
 * @fsn: the namespace
 * @mig: the migration
 *
 * A message's records have distinct keys (one walk of the table); one
 * whose key was created here again since is merged with it. A message
 * that cannot go back (max-records, memory, accounting off) is counted
 * in mig_takeback_failed. fs_net.lock held.
 */
void fs_mig_take_back(struct fs_net *fsn, struct fs_mig *mig)
{
	struct fs_acct *acct = rcu_dereference_protected(fsn->acct,
							 lockdep_is_held(&fsn->lock));
	struct fs_mig_pend *p, *tmp;
	u32 merged;

	list_for_each_entry_safe(p, tmp, &mig->pend, list) {
		if (acct && !fs_acct_import(acct, p->v, p->n, &merged, NULL)) {
			mig->taken_back += p->n;
			fs_stat_add(fsn, FLOWSTREAM_STAT_MIG_TAKEN_BACK, p->n);
		} else {
			mig->takeback_failed += p->n;
			fs_stat_add(fsn, FLOWSTREAM_STAT_MIG_TAKEBACK_FAILED,
				    p->n);
		}
		list_del(&p->list);
		kvfree(p);
	}
	mig->pending = 0;
}

/**
 * fs_mig_drop() - take a migration out and free it
 * @fsn: the namespace
 * @mig: the migration, linked
 *
 * Its pending records go back first; listeners are told (DELETED, with
 * what went back). fs_net.lock held.
 */
void fs_mig_drop(struct fs_net *fsn, struct fs_mig *mig)
{
	fs_mig_take_back(fsn, mig);
	fs_mig_unlink(fsn->mig, mig);
	fs_mig_notify(fsn, mig, FLOWSTREAM_MIG_EV_DELETED);
	/* The packet path may still be reading it. */
	kfree_rcu(mig, rcu);
}

/*
 * Free what a migration keeps, at namespace exit: nothing goes back. The
 * migration itself is freed next (fs_mig_net_exit()).
 */
void fs_mig_pend_destroy(struct fs_mig *mig)
{
	struct fs_mig_pend *p, *tmp;

	list_for_each_entry_safe(p, tmp, &mig->pend, list)
		kvfree(p);
}

/* MIG_ACK: the other host has an owned migration's messages up to SEQ. */
static int fs_mig_ack_one(struct fs_net *fsn, struct fs_mig *mig,
			  struct fs_mig_req *req, struct genl_info *info)
{
	if (!mig->owned) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "the migration is not owned: its records are not kept");
		return -EINVAL;
	}
	if (req->seq >= mig->next_seq) {
		NL_SET_ERR_MSG_FMT_MOD(info->extack,
				       "export message %u was not handed out (the last is %u)",
				       req->seq, mig->next_seq - 1);
		return -EINVAL;
	}
	fs_mig_pend_ack(mig, req->seq);
	return 0;
}

int fs_nl_mig_ack(struct sk_buff *skb, struct genl_info *info)
{
	struct fs_mig_req req;

	return fs_mig_doit_find(info, &req, fs_mig_ack_one);
}

/*
 * A netlink socket closes: the owned migrations it drove that are not
 * done take back what they handed out and go (their daisy-chaining
 * stops: this host processes the set again). A done one with nothing
 * pending stays, unowned, daisy-chaining until deleted.
 */
static int fs_mig_netlink_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct fs_mig *mig, *tmp;
	struct fs_net *fsn;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC ||
	    !n->portid)
		return NOTIFY_DONE;
	fsn = fs_net(n->net);
	if (!fsn || !fsn->mig || !READ_ONCE(fsn->mig->n_owned))
		return NOTIFY_DONE;
	mutex_lock(&fsn->lock);
	list_for_each_entry_safe(mig, tmp, &fsn->mig->list, list) {
		if (!mig->owned || mig->owner != n->portid)
			continue;
		fs_mig_disown(fsn->mig, mig);
		if (mig->phase == FLOWSTREAM_MIG_PHASE_DONE && !mig->pending)
			continue;
		fs_mig_drop(fsn, mig);
	}
	mutex_unlock(&fsn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block fs_mig_netlink_nb = {
	.notifier_call = fs_mig_netlink_event,
};

int __init fs_mig_init(void)
{
	return netlink_register_notifier(&fs_mig_netlink_nb);
}

void fs_mig_exit(void)
{
	netlink_unregister_notifier(&fs_mig_netlink_nb);
}

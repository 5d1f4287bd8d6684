// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: ended flow records to FLOWSTREAM_MCGRP_RECORDS.
 *
 * Ended records (and active-timeout reports) are copied into a bounded
 * per-namespace queue and sent by a work item, several per datagram. Each
 * record takes the next sequence number of its namespace whether it is
 * queued or not, so a listener tells lost records by the gaps; records not
 * queued (queue full, no memory) or not delivered (no memory for the
 * message, listener socket full) are counted in events_dropped.
 */
#include <linux/slab.h>
#include <net/genetlink.h>

#include "acct.h"
#include "netlink.h"
#include "stats.h"

unsigned int fs_acct_events_max = 16384;
static bool fs_events_stopped;

int fs_events_net_init(struct fs_net *fsn)
{
	struct fs_events *ev = &fsn->events;

	spin_lock_init(&ev->lock);
	INIT_LIST_HEAD(&ev->queue);
	INIT_WORK(&ev->work, fs_events_work);
	return 0;
}

static void fs_events_free(struct list_head *list)
{
	struct fs_rec_snap *e, *tmp;

	list_for_each_entry_safe(e, tmp, list, list)
		kfree(e);
}

void fs_events_net_exit(struct fs_net *fsn)
{
	cancel_work_sync(&fsn->events.work);
	fs_events_free(&fsn->events.queue);
}

/* Module unload: from now on nothing is sent. */
void fs_events_stop(void)
{
	WRITE_ONCE(fs_events_stopped, true);
}

void fs_events_queue(struct fs_net *fsn, const struct fs_rec_snap *snap,
		     gfp_t gfp)
{
	struct fs_events *ev = &fsn->events;
	struct fs_rec_snap *e = NULL;
	bool queued = false;

	if (!genl_has_listeners(&fs_genl_family, fsn->net, FS_MCGRP_RECORDS)) {
		spin_lock_bh(&ev->lock);
		ev->seq++;
		spin_unlock_bh(&ev->lock);
		return;
	}
	if (READ_ONCE(ev->len) < READ_ONCE(fs_acct_events_max))
		e = kmemdup(snap, sizeof(*snap), gfp);

	spin_lock_bh(&ev->lock);
	ev->seq++;
	if (e && ev->len < READ_ONCE(fs_acct_events_max)) {
		e->seq = ev->seq;
		list_add_tail(&e->list, &ev->queue);
		ev->len++;
		queued = true;
	}
	spin_unlock_bh(&ev->lock);

	if (!queued) {
		kfree(e);
		fs_stat_inc(fsn, FLOWSTREAM_STAT_EVENTS_DROPPED);
		return;
	}
	queue_work(fs_wq, &ev->work);
}

/* Fill one datagram from @batch; returns how many records it holds. */
static unsigned int fs_events_fill(struct sk_buff *skb, struct list_head *batch)
{
	struct fs_rec_snap *e, *tmp;
	unsigned int n = 0;
	void *hdr;

	list_for_each_entry_safe(e, tmp, batch, list) {
		hdr = genlmsg_put(skb, 0, 0, &fs_genl_family, 0,
				  FLOWSTREAM_CMD_RECORD_NTF);
		if (!hdr)
			break;
		if (fs_nl_rec_fill(skb, e, e->seq)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		list_del(&e->list);
		kfree(e);
		n++;
	}
	return n;
}

void fs_events_work(struct work_struct *work)
{
	struct fs_events *ev = container_of(work, struct fs_events, work);
	struct fs_net *fsn = container_of(ev, struct fs_net, events);
	struct sk_buff *skb;
	LIST_HEAD(batch);
	unsigned int n;
	int err;

	spin_lock_bh(&ev->lock);
	list_splice_init(&ev->queue, &batch);
	ev->len = 0;
	spin_unlock_bh(&ev->lock);

	while (!list_empty(&batch)) {
		if (READ_ONCE(fs_events_stopped))
			break;
		skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
		if (!skb)
			break;
		n = fs_events_fill(skb, &batch);
		if (!n) {
			nlmsg_free(skb);
			break;
		}
		err = genlmsg_multicast_netns(&fs_genl_family, fsn->net, skb, 0,
					      FS_MCGRP_RECORDS, GFP_KERNEL);
		if (!err)
			fs_stat_add(fsn, FLOWSTREAM_STAT_EVENTS_SENT, n);
		else if (err != -ESRCH)
			fs_stat_add(fsn, FLOWSTREAM_STAT_EVENTS_DROPPED, n);
		cond_resched();
	}
	/* Whatever is left could not be sent. */
	n = 0;
	while (!list_empty(&batch)) {
		struct fs_rec_snap *e = list_first_entry(&batch,
							 struct fs_rec_snap,
							 list);

		list_del(&e->list);
		kfree(e);
		n++;
	}
	if (n)
		fs_stat_add(fsn, FLOWSTREAM_STAT_EVENTS_DROPPED, n);
}

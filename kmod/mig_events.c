// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: state migration, its events on the "migrate" multicast group
 * (FLOWSTREAM_CMD_MIG_NTF).
 */
#include <net/genetlink.h>

#include "flowstream.h"
#include "mig.h"
#include "netlink.h"
#include "netns.h"
#include "stats.h"

/*
 * Tell FLOWSTREAM_MCGRP_MIGRATE listeners of @fsn what happened to @mig
 * (@event, enum flowstream_mig_event); fs_net.lock held, process context.
 * Without the walks of the tables (SESSIONS, RECORDS): an export sends
 * one announcement per message. Nothing is built when nobody listens.
 */
void fs_mig_notify(struct fs_net *fsn, const struct fs_mig *mig, u8 event)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	lockdep_assert_held(&fsn->lock);
	if (!genl_has_listeners(&fs_genl_family, fsn->net, FS_MCGRP_MIGRATE))
		return;
	skb = genlmsg_new(GENL_HDRLEN + fs_mig_size(mig), GFP_KERNEL);
	if (!skb)
		goto fail;
	hdr = genlmsg_put(skb, 0, 0, &fs_genl_family, 0,
			  FLOWSTREAM_CMD_MIG_NTF);
	if (!hdr)
		goto free;
	if (WARN_ON_ONCE(fs_mig_fill(skb, fsn, mig, event)))
		goto free;
	genlmsg_end(skb, hdr);
	err = genlmsg_multicast_netns(&fs_genl_family, fsn->net, skb, 0,
				      FS_MCGRP_MIGRATE, GFP_KERNEL);
	/* -ESRCH only means that nobody listens. */
	if (err && err != -ESRCH)
		goto fail;
	return;
free:
	nlmsg_free(skb);
fail:
	fs_stat_inc(fsn, FLOWSTREAM_STAT_NOTIFY_FAILED);
}

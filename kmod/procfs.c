// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: /proc/net/flowstream/ of each network namespace.
 *
 * Reading needs CAP_NET_ADMIN over the namespace, checked against the
 * credentials of whoever opened the file.
 */
#include <linux/capability.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "procfs.h"
#include "stats.h"

static int fs_proc_check(struct seq_file *seq, struct net *net)
{
	if (!file_ns_capable(seq->file, net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	return 0;
}

static int fs_proc_stat_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	struct fs_net *fsn = fs_net(net);
	int err;

	err = fs_proc_check(seq, net);
	if (err)
		return err;
	mutex_lock(&fsn->lock);
	fs_stats_seq_show(fsn, seq);
	mutex_unlock(&fsn->lock);
	return 0;
}

int fs_proc_net_init(struct fs_net *fsn)
{
	struct net *net = fsn->net;

	if (!IS_ENABLED(CONFIG_PROC_FS))
		return 0;
	fsn->proc_dir = proc_net_mkdir(net, "flowstream", net->proc_net);
	if (!fsn->proc_dir)
		return -ENOMEM;
	if (!proc_create_net_single("stat", 0444, fsn->proc_dir,
				    fs_proc_stat_show, NULL)) {
		remove_proc_subtree("flowstream", net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

void fs_proc_net_exit(struct fs_net *fsn)
{
	remove_proc_subtree("flowstream", fsn->net->proc_net);
}

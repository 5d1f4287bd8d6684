/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowstream: /proc/net/flowstream/.
 */
#ifndef _FLOWSTREAM_PROCFS_H
#define _FLOWSTREAM_PROCFS_H

#include "netns.h"

int fs_proc_net_init(struct fs_net *fsn);
void fs_proc_net_exit(struct fs_net *fsn);

struct seq_file;
/* 0 if the reader may read @net's state (CAP_NET_ADMIN over it) */
int fs_proc_check(struct seq_file *seq, struct net *net);

#endif /* _FLOWSTREAM_PROCFS_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: per-network-namespace state.
 *
 * Each part of flowstream that keeps per-namespace state has a row in
 * fs_net_parts[]; rows are set up in order when a namespace appears (or the
 * module loads) and torn down in reverse order when it goes away (or the
 * module unloads). A capability adds its row here and its state to
 * struct fs_net.
 */
#include <linux/ktime.h>
#include <linux/kernel.h>

#include "acct.h"
#include "config.h"
#include "fos.h"
#include "netns.h"
#include "procfs.h"
#include "sampler.h"
#include "stats.h"

unsigned int fs_net_id __read_mostly;

struct fs_net_part {
	const char *name;
	int (*init)(struct fs_net *fsn);
	void (*exit)(struct fs_net *fsn);
};

static const struct fs_net_part fs_net_parts[] = {
	{ "stats", fs_stats_net_init, fs_stats_net_exit },
	{ "config", fs_config_net_init, fs_config_net_exit },
	{ "events", fs_events_net_init, fs_events_net_exit },
	{ "acct", fs_acct_net_init, fs_acct_net_exit },
	{ "sampler", fs_smp_net_init, fs_smp_net_exit },
	{ "procfs", fs_proc_net_init, fs_proc_net_exit },
	{ "flowos", fos_net_part_init, fos_net_part_exit },
};

static void fs_net_unwind(struct fs_net *fsn, int n)
{
	while (n-- > 0)
		fs_net_parts[n].exit(fsn);
}

static int __net_init fs_net_init(struct net *net)
{
	struct fs_net *fsn = fs_net(net);
	int i, err;

	fsn->net = net;
	mutex_init(&fsn->lock);
	fsn->created_ns = ktime_get_boottime_ns();

	for (i = 0; i < ARRAY_SIZE(fs_net_parts); i++) {
		err = fs_net_parts[i].init(fsn);
		if (err) {
			pr_err("flowstream: %s setup failed in a namespace: %d\n",
			       fs_net_parts[i].name, err);
			fs_net_unwind(fsn, i);
			return err;
		}
	}
	return 0;
}

static void __net_exit fs_net_exit(struct net *net)
{
	struct fs_net *fsn = fs_net(net);

	fs_net_unwind(fsn, ARRAY_SIZE(fs_net_parts));
	mutex_destroy(&fsn->lock);
}

static struct pernet_operations fs_net_ops = {
	.init = fs_net_init,
	.exit = fs_net_exit,
	.id = &fs_net_id,
	.size = sizeof(struct fs_net),
};

int fs_netns_register(void)
{
	return register_pernet_subsys(&fs_net_ops);
}

void fs_netns_unregister(void)
{
	unregister_pernet_subsys(&fs_net_ops);
}

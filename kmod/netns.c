// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: per-network-namespace state.
 *
 * Each part of flowstream that keeps per-namespace state has a row in
 * fs_net_parts[]; rows are set up in order when a namespace appears (or the
 * module loads) and torn down in reverse order when it goes away (or the
 * module unloads). A capability adds its row here and its state to
 * struct fs_net; the core reaches it only through its row: the feature bit
 * it offers and whether it is on in a namespace (GET_VERSION, GET_STATUS),
 * and how it follows a configuration change (SET_CONFIG).
 */
#include <linux/ktime.h>
#include <linux/kernel.h>

#include "acct.h"
#include "config.h"
#include "fos.h"
#include "mig.h"
#include "netns.h"
#include "procfs.h"
#include "sampler.h"
#include "stats.h"

unsigned int fs_net_id __read_mostly;

/**
 * struct fs_net_part - one part of flowstream's per-namespace state
 * @name: for messages
 * @init: set up the part in a namespace
 * @exit: tear it down
 * @feature: the FLOWSTREAM_FEAT_*_BIT the part offers, or -1 for none
 * @enabled: whether the feature is on in a namespace (its lock held)
 * @apply: follow a configuration change from @old to @new (the namespace's
 *	lock held; it may fill in @new's derived fields); fails with a
 *	message in @extack and changes nothing, or succeeds. Called again
 *	from @new back to a copy of @old to undo it when a later part
 *	refuses the change.
 */
struct fs_net_part {
	const char *name;
	int (*init)(struct fs_net *fsn);
	void (*exit)(struct fs_net *fsn);
	int feature;
	bool (*enabled)(struct fs_net *fsn);
	int (*apply)(struct fs_net *fsn, const struct fs_config *old,
		     struct fs_config *new, struct netlink_ext_ack *extack);
};

static const struct fs_net_part fs_net_parts[] = {
	{ "stats", fs_stats_net_init, fs_stats_net_exit, -1 },
	{ "config", fs_config_net_init, fs_config_net_exit, -1 },
	{ "events", fs_events_net_init, fs_events_net_exit, -1 },
	/* Before acct: the accounting hooks read the migrations. */
	{ "migrate", fs_mig_net_init, fs_mig_net_exit,
	  FLOWSTREAM_FEAT_MIGRATE_BIT, fs_mig_enabled },
	{ "acct", fs_acct_net_init, fs_acct_net_exit,
	  FLOWSTREAM_FEAT_ACCT_BIT, fs_acct_enabled, fs_acct_apply },
	{ "sampler", fs_smp_net_init, fs_smp_net_exit,
	  FLOWSTREAM_FEAT_SAMPLER_BIT, fs_smp_enabled },
	{ "procfs", fs_proc_net_init, fs_proc_net_exit, -1 },
	{ "flowos", fos_net_part_init, fos_net_part_exit,
	  FLOWSTREAM_FEAT_FLOWOS_BIT, fos_enabled, fos_apply },
};

/* The capabilities this module offers (FLOWSTREAM_FEAT_*). */
u64 fs_net_features_supported(void)
{
	u64 f = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(fs_net_parts); i++)
		if (fs_net_parts[i].feature >= 0)
			f |= BIT_ULL(fs_net_parts[i].feature);
	return f;
}

/* The capabilities on in @fsn; its lock held. */
u64 fs_net_features_enabled(struct fs_net *fsn)
{
	u64 f = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(fs_net_parts); i++)
		if (fs_net_parts[i].enabled && fs_net_parts[i].enabled(fsn))
			f |= BIT_ULL(fs_net_parts[i].feature);
	return f;
}

/**
 * fs_net_apply() - bring every part in line with a new configuration
 * @fsn: the namespace, its lock held
 * @old: its configuration now
 * @new: the one about to replace it
 * @extack: why a part refused
 *
 * All or nothing: when a part refuses, the parts before it that took the
 * change are brought back to @old.
 *
 * Return: 0, or the refusing part's error.
 */
int fs_net_apply(struct fs_net *fsn, const struct fs_config *old,
		 struct fs_config *new, struct netlink_ext_ack *extack)
{
	struct fs_config back;
	int i, err;

	for (i = 0; i < ARRAY_SIZE(fs_net_parts); i++) {
		if (!fs_net_parts[i].apply)
			continue;
		err = fs_net_parts[i].apply(fsn, old, new, extack);
		if (err)
			goto undo;
	}
	return 0;
undo:
	while (i-- > 0) {
		if (!fs_net_parts[i].apply)
			continue;
		back = *old;
		WARN_ON_ONCE(fs_net_parts[i].apply(fsn, new, &back, NULL));
	}
	return err;
}

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

// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream FlowOS: /proc/net/flowstream/flowos (the namespace's sums),
 * /proc/net/flowstream/flowos_flows (one line per flow) and the module
 * parameters that sum every namespace.
 */
#include <linux/moduleparam.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "fos.h"
#include "netns.h"
#include "procfs.h"

const char *const fos_stat_names[__FLOWSTREAM_FOS_STAT_MAX] = {
	[FLOWSTREAM_FOS_STAT_PACKETS_IN] = "packets_in",
	[FLOWSTREAM_FOS_STAT_BYTES_IN] = "bytes_in",
	[FLOWSTREAM_FOS_STAT_PACKETS_OUT] = "packets_out",
	[FLOWSTREAM_FOS_STAT_BYTES_OUT] = "bytes_out",
	[FLOWSTREAM_FOS_STAT_BYPASS_SESSIONS] = "bypass_sessions",
	[FLOWSTREAM_FOS_STAT_BYPASS_HELD] = "bypass_held",
	[FLOWSTREAM_FOS_STAT_BYPASS_NOMEM] = "bypass_nomem",
	[FLOWSTREAM_FOS_STAT_DROP_SESSIONS] = "drop_sessions",
	[FLOWSTREAM_FOS_STAT_DROP_HELD] = "drop_held",
	[FLOWSTREAM_FOS_STAT_DROP_NOMEM] = "drop_nomem",
	[FLOWSTREAM_FOS_STAT_DROP_PM] = "drop_pm",
	[FLOWSTREAM_FOS_STAT_DROP_TEARDOWN] = "drop_teardown",
	[FLOWSTREAM_FOS_STAT_DROP_DEV] = "drop_dev",
	[FLOWSTREAM_FOS_STAT_DROP_OUTPUT] = "drop_output",
	[FLOWSTREAM_FOS_STAT_HELD] = "held",
	[FLOWSTREAM_FOS_STAT_HELD_BYTES] = "held_bytes",
	[FLOWSTREAM_FOS_STAT_SESSIONS] = "sessions",
	[FLOWSTREAM_FOS_STAT_SESSIONS_CREATED] = "sessions_created",
	[FLOWSTREAM_FOS_STAT_SESSIONS_ENDED] = "sessions_ended",
	[FLOWSTREAM_FOS_STAT_TCP_GAPS] = "tcp_gaps",
	[FLOWSTREAM_FOS_STAT_TCP_OOO] = "tcp_ooo",
	[FLOWSTREAM_FOS_STAT_SPLIT] = "split",
	[FLOWSTREAM_FOS_STAT_MIG_CHAINED] = "mig_chained",
	[FLOWSTREAM_FOS_STAT_MIG_NOROUTE] = "mig_noroute",
};

static int fos_proc_sums_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	struct fs_net *fsn = fs_net(net);
	u64 sum[__FLOWSTREAM_FOS_STAT_MAX];
	int i, err;

	err = fs_proc_check(seq, net);
	if (err)
		return err;
	mutex_lock(&fsn->lock);
	fos_net_totals(fsn->fos, sum);
	seq_printf(seq, "%-20s %u\n", "flows", fsn->fos->nflows);
	mutex_unlock(&fsn->lock);
	for (i = 1; i < __FLOWSTREAM_FOS_STAT_MAX; i++)
		seq_printf(seq, "%-20s %llu\n", fos_stat_names[i], sum[i]);
	return 0;
}

static int fos_proc_flows_show(struct seq_file *seq, void *v)
{
	static const char *const streams[] = { "ip", "tcp", "udp" };
	struct net *net = seq_file_single_net(seq);
	struct fs_net *fsn = fs_net(net);
	u64 c[__FLOWSTREAM_FOS_STAT_MAX];
	struct fos_flow *f;
	int i, err;

	err = fs_proc_check(seq, net);
	if (err)
		return err;
	seq_puts(seq, "id name prio stream pms");
	for (i = 1; i < __FLOWSTREAM_FOS_STAT_MAX; i++)
		seq_printf(seq, " %s", fos_stat_names[i]);
	seq_putc(seq, '\n');
	mutex_lock(&fsn->lock);
	list_for_each_entry(f, &fsn->fos->flows, list) {
		fos_flow_read(f, c);
		seq_printf(seq, "%u %s %u %s %u", f->id, f->name, f->prio,
			   streams[f->stream], f->pipe.l.n);
		for (i = 1; i < __FLOWSTREAM_FOS_STAT_MAX; i++)
			seq_printf(seq, " %llu", c[i]);
		seq_putc(seq, '\n');
	}
	mutex_unlock(&fsn->lock);
	return 0;
}

int fos_proc_init(struct fs_net *fsn)
{
	if (!IS_ENABLED(CONFIG_PROC_FS))
		return 0;
	if (!proc_create_net_single("flowos", 0444, fsn->proc_dir,
				    fos_proc_sums_show, NULL) ||
	    !proc_create_net_single("flowos_flows", 0444, fsn->proc_dir,
				    fos_proc_flows_show, NULL)) {
		fos_proc_exit(fsn);
		return -ENOMEM;
	}
	return 0;
}

void fos_proc_exit(struct fs_net *fsn)
{
	if (!IS_ENABLED(CONFIG_PROC_FS))
		return;
	remove_proc_entry("flowos_flows", fsn->proc_dir);
	remove_proc_entry("flowos", fsn->proc_dir);
}

/* /sys/module/flowstream/parameters/fos_*: sums over every namespace. */
static int fos_param_get(char *buf, const struct kernel_param *kp)
{
	unsigned long which = (unsigned long)kp->arg;
	u64 sum[__FLOWSTREAM_FOS_STAT_MAX], total = 0;
	struct fos_net *fn;
	int i;

	mutex_lock(&fos_nets_lock);
	list_for_each_entry(fn, &fos_nets, all) {
		struct fs_net *fsn = fn->fsn;

		mutex_lock(&fsn->lock);
		if (which == 0) {
			total += fn->nflows;
		} else {
			fos_net_totals(fn, sum);
			total += sum[which];
		}
		mutex_unlock(&fsn->lock);
	}
	mutex_unlock(&fos_nets_lock);
	i = sysfs_emit(buf, "%llu\n", total);
	return i;
}

static const struct kernel_param_ops fos_param_ops = {
	.get = fos_param_get,
};

#define FOS_PARAM(name, id, desc)					\
	module_param_cb(fos_##name, &fos_param_ops, (void *)(id), 0444); \
	MODULE_PARM_DESC(fos_##name, desc " (read only)")

FOS_PARAM(flows, 0, "FlowOS flows, all namespaces");
FOS_PARAM(sessions, FLOWSTREAM_FOS_STAT_SESSIONS,
	  "FlowOS live sessions, all namespaces");
FOS_PARAM(held, FLOWSTREAM_FOS_STAT_HELD,
	  "Packets held by FlowOS flows, all namespaces");
FOS_PARAM(held_bytes, FLOWSTREAM_FOS_STAT_HELD_BYTES,
	  "Truesize of the packets held by FlowOS flows, all namespaces");
FOS_PARAM(packets_in, FLOWSTREAM_FOS_STAT_PACKETS_IN,
	  "Packets taken by FlowOS flows, all namespaces");
FOS_PARAM(packets_out, FLOWSTREAM_FOS_STAT_PACKETS_OUT,
	  "Packets FlowOS flows sent on, all namespaces");
FOS_PARAM(drop_pm, FLOWSTREAM_FOS_STAT_DROP_PM,
	  "Packets dropped by PMs, all namespaces");
FOS_PARAM(drop_teardown, FLOWSTREAM_FOS_STAT_DROP_TEARDOWN,
	  "Packets held when their flow went away, all namespaces");

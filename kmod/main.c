// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: flow processing for Linux hosts.
 *
 * Module entry points and global knobs (/sys/module/flowstream/parameters).
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/workqueue.h>

#include "acct.h"
#include "config.h"
#include "flowstream.h"
#include "netlink.h"
#include "netns.h"
#include "fos.h"
#include "mig.h"
#include "sampler.h"

unsigned int fs_debug;
module_param_named(debug, fs_debug, uint, 0644);
MODULE_PARM_DESC(debug, "Debug bitmask: 1 = log refused netlink requests");

bool fs_acct_enable_default;
module_param_named(acct_enable, fs_acct_enable_default, bool, 0644);
MODULE_PARM_DESC(acct_enable,
		 "Flow accounting on in namespaces created from now on (and, at load, in all)");

unsigned int fs_acct_max_records_default = 65536;

static int fs_param_set_max_records(const char *val,
				    const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err)
		return err;
	if (v < fs_max_records_range.min || v > fs_max_records_range.max)
		return -ERANGE;
	WRITE_ONCE(fs_acct_max_records_default, v);
	return 0;
}

static const struct kernel_param_ops fs_param_max_records_ops = {
	.set = fs_param_set_max_records,
	.get = param_get_uint,
};

module_param_cb(acct_max_records, &fs_param_max_records_ops,
		&fs_acct_max_records_default, 0644);
MODULE_PARM_DESC(acct_max_records,
		 "max-records of namespaces created from now on (16..16777216)");

module_param_named(events_max, fs_acct_events_max, uint, 0644);
MODULE_PARM_DESC(events_max,
		 "Ended flow records queued per namespace for listeners, at most");

static int fs_param_get_record_size(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%u\n", fs_acct_record_size());
}

static const struct kernel_param_ops fs_param_record_size_ops = {
	.get = fs_param_get_record_size,
};

module_param_cb(acct_record_size, &fs_param_record_size_ops, NULL, 0444);
MODULE_PARM_DESC(acct_record_size, "Bytes of slab per flow record (read only)");

/* Global figures over the record tables of every namespace. */
enum fs_total { FS_TOTAL_TABLES, FS_TOTAL_RECORDS, FS_TOTAL_BYTES };

static int fs_param_get_total(char *buf, const struct kernel_param *kp)
{
	struct fs_acct_totals t;

	fs_acct_totals(&t);
	switch ((unsigned long)kp->arg) {
	case FS_TOTAL_TABLES:
		return sysfs_emit(buf, "%u\n", t.tables);
	case FS_TOTAL_RECORDS:
		return sysfs_emit(buf, "%llu\n", t.records);
	default:
		return sysfs_emit(buf, "%llu\n", t.bytes);
	}
}

static const struct kernel_param_ops fs_param_total_ops = {
	.get = fs_param_get_total,
};

module_param_cb(acct_tables, &fs_param_total_ops, (void *)FS_TOTAL_TABLES, 0444);
MODULE_PARM_DESC(acct_tables,
		 "Namespaces where flow accounting is on (read only)");
module_param_cb(acct_records, &fs_param_total_ops, (void *)FS_TOTAL_RECORDS, 0444);
MODULE_PARM_DESC(acct_records,
		 "Live flow records in all namespaces (read only)");
module_param_cb(acct_memory, &fs_param_total_ops, (void *)FS_TOTAL_BYTES, 0444);
MODULE_PARM_DESC(acct_memory,
		 "Bytes held by flow records and their hash tables, all namespaces (read only)");

static int fs_param_get_smp_memory(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&fs_smp_total_memory));
}

static const struct kernel_param_ops fs_param_smp_memory_ops = {
	.get = fs_param_get_smp_memory,
};

module_param_cb(smp_memory, &fs_param_smp_memory_ops, NULL, 0444);
MODULE_PARM_DESC(smp_memory,
		 "Bytes held by the prefix samplers (prefixes, counters, trees, kept windows), all namespaces (read only)");

struct workqueue_struct *fs_wq;

static int __init fs_init(void)
{
	int err;

	fs_wq = alloc_workqueue("flowstream", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!fs_wq)
		return -ENOMEM;
	err = fs_acct_cache_init();
	if (err)
		goto err_wq;
	err = fs_smp_init();
	if (err)
		goto err_cache;
	err = fos_init();
	if (err)
		goto err_smp;
	err = fs_netns_register();
	if (err)
		goto err_fos;
	err = fos_netdev_register();
	if (err)
		goto err_netns;
	err = fs_mig_init();
	if (err)
		goto err_netdev;
	err = fs_genl_register();
	if (err)
		goto err_mig;
	pr_info("flowstream %s loaded\n", FLOWSTREAM_VERSION);
	return 0;

err_mig:
	fs_mig_exit();
err_netdev:
	fos_netdev_unregister();
err_netns:
	fs_netns_unregister();
	rcu_barrier();
err_fos:
	fos_exit();
err_smp:
	fs_smp_exit();
err_cache:
	fs_acct_cache_exit();
err_wq:
	destroy_workqueue(fs_wq);
	return err;
}

static void __exit fs_exit(void)
{
	/* Nothing is multicast once the family starts to go. */
	fs_events_stop();
	flush_workqueue(fs_wq);
	/* No new request can arrive once the family is gone. */
	fs_genl_unregister();
	/* No socket's close reaches the migrations once they can go. */
	fs_mig_exit();
	fos_netdev_unregister();
	fs_netns_unregister();
	/* Prefixes deleted at run time are freed by RCU callbacks. */
	rcu_barrier();
	fos_exit();
	fs_smp_exit();
	fs_acct_cache_exit();
	destroy_workqueue(fs_wq);
}

module_init(fs_init);
module_exit(fs_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The flowstream authors");
MODULE_DESCRIPTION("flowstream: flow accounting and processing for Linux hosts");
MODULE_VERSION(FLOWSTREAM_VERSION);

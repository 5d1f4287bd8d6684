// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: flow processing for Linux hosts.
 *
 * Module entry points and global knobs.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "flowstream.h"
#include "netlink.h"
#include "netns.h"

unsigned int fs_debug;
module_param_named(debug, fs_debug, uint, 0644);
MODULE_PARM_DESC(debug, "Debug bitmask: 1 = log refused netlink requests");

static int __init fs_init(void)
{
	int err;

	err = fs_netns_register();
	if (err)
		return err;
	err = fs_genl_register();
	if (err) {
		fs_netns_unregister();
		return err;
	}
	pr_info("flowstream %s loaded\n", FLOWSTREAM_VERSION);
	return 0;
}

static void __exit fs_exit(void)
{
	/* No new request can arrive once the family is gone. */
	fs_genl_unregister();
	fs_netns_unregister();
}

module_init(fs_init);
module_exit(fs_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The flowstream authors");
MODULE_DESCRIPTION("flowstream: flow accounting and processing for Linux hosts");
MODULE_VERSION(FLOWSTREAM_VERSION);

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowstream: generic netlink family.
 */
#ifndef _FLOWSTREAM_NETLINK_H
#define _FLOWSTREAM_NETLINK_H

#include <linux/in6.h>
#include <net/genetlink.h>

enum fs_mcgrp {
	FS_MCGRP_CONFIG,
	FS_MCGRP_RECORDS,
	FS_MCGRP_MIGRATE,
};

extern struct genl_family fs_genl_family;

/**
 * struct fs_nl_part - the generic netlink operations of one part of
 *	flowstream, a row of netlink.c's fs_nl_parts[]
 * @name: for messages
 * @ops: its operations, each with its own strict policy
 * @n_ops: how many
 */
struct fs_nl_part {
	const char *name;
	const struct genl_ops *ops;
	unsigned int n_ops;
};

struct fs_net;

struct fs_net *fs_nl_begin(struct genl_info *info);
int fs_nl_reject(struct fs_net *fsn, struct genl_info *info, int err);
int fs_nl_dump_attrs(struct netlink_callback *cb, struct fs_net *fsn,
		     const struct nla_policy *policy, struct nlattr **attrs);
int fs_nl_family(const struct nlattr *attr, struct netlink_ext_ack *extack);
int fs_nl_addr(const struct nlattr *attr, u8 family, struct in6_addr *addr,
	       struct netlink_ext_ack *extack);

int fs_genl_register(void);
void fs_genl_unregister(void);

#endif /* _FLOWSTREAM_NETLINK_H */

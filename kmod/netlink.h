/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowstream: generic netlink family.
 */
#ifndef _FLOWSTREAM_NETLINK_H
#define _FLOWSTREAM_NETLINK_H

int fs_genl_register(void);
void fs_genl_unregister(void);

#endif /* _FLOWSTREAM_NETLINK_H */

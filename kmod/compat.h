/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowstream: what newer kernels have and the oldest supported (6.1) lacks.
 */
#ifndef _FLOWSTREAM_COMPAT_H
#define _FLOWSTREAM_COMPAT_H

#include <linux/netlink.h>

#ifndef NL_SET_ERR_MSG_FMT_MOD
/*
 * Formatted extended-ACK messages came in 6.2, with a buffer in struct
 * netlink_ext_ack. Before, the message must outlive the handler until the
 * ACK is built, so it is formatted into the next of a ring of buffers
 * (fs_compat_msg(), main.c). A message is copied into its ACK right after
 * the handler returns; it would be overwritten only by that many refusals
 * in between, so the ring is many times larger than the requests that can
 * be in flight at once on a small machine. Messages are cut at 80 bytes,
 * like the kernel's own.
 */
#define FS_COMPAT_MSG_LEN	80

const char *fs_compat_msg(const char *fmt, ...) __printf(1, 2);

#define NL_SET_ERR_MSG_ATTR_FMT(extack, attr, fmt, args...) do {	\
	struct netlink_ext_ack *__extack = (extack);			\
									\
	if (__extack) {							\
		__extack->_msg = fs_compat_msg(fmt, ##args);		\
		__extack->bad_attr = (attr);				\
	}								\
} while (0)

#define NL_SET_ERR_MSG_FMT_MOD(extack, fmt, args...) do {		\
	struct netlink_ext_ack *__extack = (extack);			\
									\
	if (__extack)							\
		__extack->_msg = fs_compat_msg(KBUILD_MODNAME ": " fmt,	\
					       ##args);			\
} while (0)
#endif

#endif /* _FLOWSTREAM_COMPAT_H */

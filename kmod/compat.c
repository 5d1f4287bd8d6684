// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: fallbacks for older kernels (see compat.h).
 */
#include <linux/kernel.h>
#include <linux/spinlock.h>

#include "compat.h"

#ifdef FS_COMPAT_MSG_LEN
#define FS_COMPAT_MSGS	64

static char fs_compat_msgs[FS_COMPAT_MSGS][FS_COMPAT_MSG_LEN];
static unsigned int fs_compat_next;
static DEFINE_SPINLOCK(fs_compat_lock);

const char *fs_compat_msg(const char *fmt, ...)
{
	va_list args;
	char *buf;

	spin_lock(&fs_compat_lock);
	buf = fs_compat_msgs[fs_compat_next++ % FS_COMPAT_MSGS];
	va_start(args, fmt);
	vsnprintf(buf, FS_COMPAT_MSG_LEN, fmt, args);
	va_end(args);
	spin_unlock(&fs_compat_lock);
	return buf;
}
#endif

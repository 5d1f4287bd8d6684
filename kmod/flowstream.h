/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowstream: state shared by the core files.
 */
#ifndef _FLOWSTREAM_H
#define _FLOWSTREAM_H

#include <linux/types.h>

#define FLOWSTREAM_VERSION	"0.1.0"

/* Bits of the "debug" module parameter. */
#define FS_DEBUG_NL_REJECT	BIT(0)	/* log refused netlink requests */

extern unsigned int fs_debug;

#endif /* _FLOWSTREAM_H */

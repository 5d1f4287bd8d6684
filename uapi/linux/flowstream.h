/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * flowstream: generic netlink protocol between the flowstream kernel modules
 * and userspace (flowctl, controllers, exporters).
 *
 * Family:  FLOWSTREAM_GENL_NAME ("flowstream"), version FLOWSTREAM_GENL_VERSION.
 *
 * Every request acts on the network namespace of the requesting socket and
 * needs CAP_NET_ADMIN over that namespace (the family is registered with
 * netnsok and every operation carries GENL_UNS_ADMIN_PERM); without it the
 * request fails with EPERM. Attributes are validated strictly: unknown
 * attribute types, wrong lengths and out-of-range values are rejected with
 * an extended ACK naming the offending attribute, and a rejected request
 * changes nothing. Nested attributes must carry NLA_F_NESTED and the
 * reserved byte of the generic netlink header must be zero.
 *
 * Commands (request -> reply):
 *
 * FLOWSTREAM_CMD_GET_VERSION
 *	Request: no attributes.
 *	Reply:   FLOWSTREAM_A_VERSION, FLOWSTREAM_A_API_VERSION,
 *		 FLOWSTREAM_A_FEATURES.
 *
 * FLOWSTREAM_CMD_GET_STATUS
 *	Request: no attributes.
 *	Reply:   FLOWSTREAM_A_UPTIME_MS, FLOWSTREAM_A_FEATURES (the features
 *		 enabled in this namespace), FLOWSTREAM_A_CONFIG,
 *		 FLOWSTREAM_A_STATS.
 *
 * FLOWSTREAM_CMD_GET_CONFIG
 *	Request: no attributes.
 *	Reply:   FLOWSTREAM_A_CONFIG with every FLOWSTREAM_CFG_A_* attribute.
 *
 * FLOWSTREAM_CMD_SET_CONFIG
 *	Request: FLOWSTREAM_A_CONFIG holding the FLOWSTREAM_CFG_A_* attributes
 *		 to change; absent ones keep their value. All or nothing.
 *	Reply:   ACK. On success the new configuration is also multicast to
 *		 FLOWSTREAM_MCGRP_CONFIG as FLOWSTREAM_CMD_CONFIG_NTF.
 *
 * FLOWSTREAM_CMD_RESET_STATS
 *	Request: no attributes. Sets this namespace's FLOWSTREAM_STAT_*
 *		 counters to zero.
 *	Reply:   ACK.
 *
 * FLOWSTREAM_CMD_CONFIG_NTF
 *	Notification only (never a request): FLOWSTREAM_A_CONFIG with every
 *	FLOWSTREAM_CFG_A_* attribute, after each successful SET_CONFIG.
 *
 * Multicast groups:
 *	FLOWSTREAM_MCGRP_CONFIG ("config"): configuration changes.
 */
#ifndef _UAPI_LINUX_FLOWSTREAM_H
#define _UAPI_LINUX_FLOWSTREAM_H

#include <linux/types.h>

#define FLOWSTREAM_GENL_NAME		"flowstream"
#define FLOWSTREAM_GENL_VERSION		1

#define FLOWSTREAM_MCGRP_CONFIG		"config"

enum flowstream_cmd {
	FLOWSTREAM_CMD_UNSPEC,
	FLOWSTREAM_CMD_GET_VERSION,
	FLOWSTREAM_CMD_GET_STATUS,
	FLOWSTREAM_CMD_GET_CONFIG,
	FLOWSTREAM_CMD_SET_CONFIG,
	FLOWSTREAM_CMD_RESET_STATS,
	FLOWSTREAM_CMD_CONFIG_NTF,

	__FLOWSTREAM_CMD_MAX
};

#define FLOWSTREAM_CMD_MAX (__FLOWSTREAM_CMD_MAX - 1)

/*
 * enum flowstream_attr - top-level attributes
 * @FLOWSTREAM_A_PAD: padding for 64-bit attributes
 * @FLOWSTREAM_A_VERSION: string, the module's version ("0.1.0"), at most
 *	31 characters
 * @FLOWSTREAM_A_API_VERSION: u32, FLOWSTREAM_GENL_VERSION of the module
 * @FLOWSTREAM_A_FEATURES: u64, bitmask of FLOWSTREAM_FEAT_*; in a version
 *	reply what the module supports, in a status reply what is enabled in
 *	the namespace
 * @FLOWSTREAM_A_UPTIME_MS: u64, milliseconds since flowstream state was
 *	created in this namespace (module load or namespace creation)
 * @FLOWSTREAM_A_CONFIG: nest of FLOWSTREAM_CFG_A_*
 * @FLOWSTREAM_A_STATS: nest of u64 counters; each attribute's type is an
 *	enum flowstream_stat value. Readers may skip types they do not know or
 *	show them by number; FLOWSTREAM_STAT_UNSPEC is the padding type for
 *	64-bit alignment.
 */
enum flowstream_attr {
	FLOWSTREAM_A_UNSPEC,
	FLOWSTREAM_A_PAD,
	FLOWSTREAM_A_VERSION,
	FLOWSTREAM_A_API_VERSION,
	FLOWSTREAM_A_FEATURES,
	FLOWSTREAM_A_UPTIME_MS,
	FLOWSTREAM_A_CONFIG,
	FLOWSTREAM_A_STATS,

	__FLOWSTREAM_A_MAX
};

#define FLOWSTREAM_A_MAX (__FLOWSTREAM_A_MAX - 1)

/*
 * enum flowstream_feature - bits of FLOWSTREAM_A_FEATURES
 *
 * Capabilities are added as they land; a bit is never reused. The core
 * module (status, configuration, statistics) has no bit of its own. Tools
 * name the bits "acct", "sampler", "flowos" and "migrate".
 */
enum flowstream_feature {
	FLOWSTREAM_FEAT_ACCT_BIT,	/* flow accounting */
	FLOWSTREAM_FEAT_SAMPLER_BIT,	/* prefix sampling */
	FLOWSTREAM_FEAT_FLOWOS_BIT,	/* FlowOS streams */
	FLOWSTREAM_FEAT_MIGRATE_BIT,	/* state migration */

	__FLOWSTREAM_FEAT_BIT_MAX
};

/*
 * enum flowstream_cfg_attr - per-namespace configuration (FLOWSTREAM_A_CONFIG)
 * @FLOWSTREAM_CFG_A_UNSPEC: the padding type for 64-bit values; never valid
 *	in a request
 * @FLOWSTREAM_CFG_A_NODE_ID: u32, "node-id": the identifier of this module
 *	host within a Flowstream deployment (used by controllers and
 *	exporters). Default 0, meaning unassigned.
 */
enum flowstream_cfg_attr {
	FLOWSTREAM_CFG_A_UNSPEC,
	FLOWSTREAM_CFG_A_NODE_ID,

	__FLOWSTREAM_CFG_A_MAX
};

#define FLOWSTREAM_CFG_A_MAX (__FLOWSTREAM_CFG_A_MAX - 1)

/*
 * enum flowstream_stat - per-namespace counters (FLOWSTREAM_A_STATS and
 * /proc/net/flowstream/stat, where they appear under the names given here)
 * @FLOWSTREAM_STAT_NL_REQUESTS: "nl_requests", netlink requests handled
 * @FLOWSTREAM_STAT_NL_REJECTED: "nl_rejected", netlink requests refused for
 *	bad input by a flowstream handler (policy failures caught by the
 *	generic netlink core before the handler runs are not counted)
 * @FLOWSTREAM_STAT_CONFIG_CHANGES: "config_changes", successful SET_CONFIG
 * @FLOWSTREAM_STAT_NOTIFY_FAILED: "notify_failed", multicast notifications
 *	that could not be built or delivered to any listener for lack of memory
 */
enum flowstream_stat {
	FLOWSTREAM_STAT_UNSPEC,
	FLOWSTREAM_STAT_NL_REQUESTS,
	FLOWSTREAM_STAT_NL_REJECTED,
	FLOWSTREAM_STAT_CONFIG_CHANGES,
	FLOWSTREAM_STAT_NOTIFY_FAILED,

	__FLOWSTREAM_STAT_MAX
};

#define FLOWSTREAM_STAT_MAX (__FLOWSTREAM_STAT_MAX - 1)

#endif /* _UAPI_LINUX_FLOWSTREAM_H */

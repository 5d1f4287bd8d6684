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
 * FLOWSTREAM_CMD_GET_RECORD (flow accounting)
 *	do:   Request FLOWSTREAM_A_RECORD holding a key: FAMILY, SRC, DST and
 *	      PROTO are required; SPORT, DPORT (or ICMP_TYPE, ICMP_CODE) and
 *	      IIF default to 0. Reply: FLOWSTREAM_A_RECORD, or ENOENT.
 *	dump: Request optionally FLOWSTREAM_A_FILTER. One message per live
 *	      flow record, each with FLOWSTREAM_A_RECORD.
 *	Both fail with ENOENT ("flow accounting is off in this namespace")
 *	where accounting is off.
 *
 * FLOWSTREAM_CMD_FLUSH_RECORDS (flow accounting)
 *	Request: optionally FLOWSTREAM_A_FILTER. Ends every matching record
 *		 with FLOWSTREAM_END_FLUSHED (each is announced like any
 *		 ended record).
 *	Reply:   FLOWSTREAM_A_FLUSHED, the number of records ended.
 *
 * FLOWSTREAM_CMD_RECORD_NTF (flow accounting)
 *	Notification only: sent to FLOWSTREAM_MCGRP_RECORDS for every ended
 *	record and for every active-timeout report of a long flow. Carries
 *	FLOWSTREAM_A_RECORD with FLOWSTREAM_REC_A_SEQ: a per-namespace
 *	sequence number that starts at 1 and grows by one per reported
 *	record, listened to or not, so a listener that sees a gap knows how
 *	many records it missed (netlink overrun, or records the kernel could
 *	not queue, counted in events_dropped). Several notifications may
 *	share one datagram.
 *
 * FLOWSTREAM_CMD_GET_SAMPLER (prefix sampling)
 *	Request: no attributes.
 *	Reply:   FLOWSTREAM_A_SAMPLER with every FLOWSTREAM_SMP_A_* attribute
 *		 but WINDOW_END_MS: the configuration, the limits, what is in
 *		 use, the start of the current window and its unmatched
 *		 counts so far.
 *
 * FLOWSTREAM_CMD_SET_SAMPLER (prefix sampling)
 *	Request: FLOWSTREAM_A_SAMPLER holding the settable FLOWSTREAM_SMP_A_*
 *		 attributes to change (ENABLE, RATE, MODE, KEY, MAX_PREFIXES,
 *		 MAX_COUNTERS, MAX_LEN); absent ones keep their value, read-only ones
 *		 are refused. All or nothing. A request that changes ENABLE,
 *		 RATE, MODE or KEY starts a new window: every counter restarts
 *		 from zero and the per-CPU samplers restart, so read the old
 *		 window (GET_PREFIX with FLOWSTREAM_A_RESET) first to keep it.
 *		 Giving the values in force changes nothing.
 *	Reply:   ACK.
 *
 * FLOWSTREAM_CMD_ADD_PREFIX (prefix sampling)
 *	Request: FLOWSTREAM_A_PREFIX with FAMILY, ADDR, LEN and optionally
 *		 DEPTH (default 0). The prefix must have no host bits set,
 *		 LEN + DEPTH must not exceed the address length, and it must
 *		 not overlap (contain or be contained in) a monitored prefix
 *		 (EEXIST). Fails with ENOSPC when max-prefixes or max-counters
 *		 would be exceeded. Its window starts now.
 *	Reply:   ACK.
 *
 * FLOWSTREAM_CMD_DEL_PREFIX (prefix sampling)
 *	Request: FLOWSTREAM_A_PREFIX with FAMILY, ADDR and LEN of a monitored
 *		 prefix (ENOENT otherwise). Its counters are dropped.
 *	Reply:   ACK.
 *
 * FLOWSTREAM_CMD_GET_PREFIX (prefix sampling)
 *	dump: Request optionally FLOWSTREAM_A_RESET: read and reset, or
 *	      FLOWSTREAM_A_WINDOW: read that window again (not both). The
 *	      counters are read as one snapshot when the dump starts. With
 *	      RESET the window ends at that instant and the next one starts
 *	      there: every sampled packet is counted in exactly one window
 *	      (see "Windows" below). The window so taken is kept: it can be
 *	      read again, the same counts, by its number (WINDOW) until the
 *	      next read-and-reset or ACK_WINDOW, so a reader that failed
 *	      half-way loses nothing. WINDOW may also name the current
 *	      window (a read without reset); another number fails with
 *	      ENOENT.
 *	      The first message carries FLOWSTREAM_A_SAMPLER (configuration,
 *	      WINDOW, WINDOW_START_MS, WINDOW_END_MS and UNMATCHED). Then,
 *	      for each monitored prefix of the window in address order (IPv4
 *	      first), one or more messages with FLOWSTREAM_A_PREFIX: FAMILY,
 *	      ADDR, LEN, DEPTH, WINDOW, WINDOW_START_MS and WINDOW_END_MS in
 *	      each; TOTAL in the first message of the prefix; then SUB nests
 *	      in index order. A prefix with more sub-prefixes than fit in
 *	      one message continues in the next, which repeats the prefix's
 *	      identity.
 *
 * FLOWSTREAM_CMD_ACK_WINDOW (prefix sampling)
 *	Request: FLOWSTREAM_A_WINDOW, the kept window (ENOENT otherwise,
 *		 nothing changed). Drops it: its memory is freed.
 *	Reply:   ACK.
 *
 * FLOWSTREAM_CMD_ADD_FLOW (FlowOS)
 *	Request: FLOWSTREAM_A_FLOW with NAME (required, unique in the
 *		 namespace), and optionally PRIO, MATCH, STREAM, POLICY, the
 *		 limits and PIPELINE: nests of FLOWSTREAM_A_ATTACH (PM, ORDER,
 *		 ARGS) attached at once. The flow and its pipeline are created
 *		 all at once or not at all.
 *	Reply:   FLOWSTREAM_A_FLOW with ID and NAME.
 *
 * FLOWSTREAM_CMD_DEL_FLOW (FlowOS)
 *	Request: FLOWSTREAM_A_FLOW with NAME or ID. The flow stops taking
 *		 packets at once; the packets it holds are dropped and counted
 *		 (fos_drop_teardown), its PMs are detached.
 *	Reply:   ACK.
 *
 * FLOWSTREAM_CMD_GET_FLOW (FlowOS)
 *	do:   Request FLOWSTREAM_A_FLOW with NAME or ID. Reply FLOWSTREAM_A_FLOW
 *	      with every attribute and STATS.
 *	dump: one message per flow, in creation order.
 *
 * FLOWSTREAM_CMD_GET_SESSION (FlowOS)
 *	dump: Request FLOWSTREAM_A_FLOW with NAME or ID. One message per
 *	      live session of that flow, each with FLOWSTREAM_A_SESSION.
 *
 * FLOWSTREAM_CMD_GET_PM (FlowOS)
 *	do:   Request FLOWSTREAM_A_PM with NAME (the PM's module is loaded on
 *	      demand, see ATTACH). Reply FLOWSTREAM_A_PM.
 *	dump: one message per registered PM.
 *
 * FLOWSTREAM_CMD_ATTACH (FlowOS)
 *	Request: FLOWSTREAM_A_ATTACH with FLOW (name), PM (name), optionally
 *		 ORDER (default: after the last) and ARGS. A PM that is not
 *		 registered is loaded as module "flowstream-pm-NAME". The
 *		 flow's stream must be one of the PM's STREAMS; a read-write
 *		 PM's window may not overlap another PM's, so two PMs of one
 *		 flow may not share an ORDER unless both are read-only
 *		 (EBUSY). The PM's module is held while attached.
 *	Reply:   FLOWSTREAM_A_ATTACH with ID.
 *
 * FLOWSTREAM_CMD_DETACH (FlowOS)
 *	Request: FLOWSTREAM_A_ATTACH with FLOW and ID. The PM finishes the
 *		 window it holds, releases it to the next PM, and is removed.
 *	Reply:   ACK.
 *
 * FLOWSTREAM_CMD_GET_ATTACH (FlowOS)
 *	dump: Request optionally FLOWSTREAM_A_FLOW with NAME or ID. One
 *	      message per attachment (of that flow), each FLOWSTREAM_A_ATTACH
 *	      with FLOW, ID, PM, ORDER, ARGS, MODE and STATS.
 *
 * FLOWSTREAM_CMD_MIG_ADD (state migration)
 *	Request: FLOWSTREAM_A_MIGRATION with one or more PREFIX nests (at
 *		 most 16 migrations per namespace, the "mig_max" module
 *		 parameter; deleted ones make room). Prefixes must have no
 *		 host bits set. With VIA4 and/or VIA6 (one for each family
 *		 of the prefixes) the migration daisy-chains: a forwarded
 *		 packet of its set with no flow record here is sent to that
 *		 next hop instead of creating one (the idle phase,
 *		 Documentation/migration.rst). With OWNED the migration
 *		 belongs to the requesting socket: see MIG_ACK.
 *	Reply:   FLOWSTREAM_A_MIGRATION as MIG_GET's, ID included.
 *
 * FLOWSTREAM_CMD_MIG_DEL (state migration)
 *	Request: FLOWSTREAM_A_MIGRATION with ID (ENOENT otherwise). An
 *		 OWNED migration's PENDING records are taken back first.
 *	Reply:   ACK.
 *
 * FLOWSTREAM_CMD_MIG_GET (state migration)
 *	do:   Request FLOWSTREAM_A_MIGRATION with ID. Reply FLOWSTREAM_A_MIGRATION
 *	      with ID, every PREFIX and the progress counters.
 *	dump: one message per migration of the namespace.
 *
 * FLOWSTREAM_CMD_MIG_EXPORT (state migration)
 *	dump: Request FLOWSTREAM_A_MIGRATION with ID and optionally
 *	      BATCH_SIZE. Every live flow record of the migration's set is
 *	      handed out once and ended here (FLOWSTREAM_END_MIGRATED, not
 *	      announced); each message carries FLOWSTREAM_A_MIGRATION (ID)
 *	      and FLOWSTREAM_A_BATCH with up to BATCH_SIZE records. Records
 *	      created after the dump passed their place stay here. ENOENT
 *	      where accounting is off. An OWNED migration is exported by
 *	      its owner socket only (EPERM); each message's MIGRATION also
 *	      has SEQ, and its records stay PENDING here until MIG_ACK
 *	      (ENOBUFS once "mig_max_pending" records are pending).
 *
 * FLOWSTREAM_CMD_MIG_IMPORT (state migration)
 *	Request: FLOWSTREAM_A_BATCH with 1 to "mig_max_batch" records, as
 *		 MIG_EXPORT hands them out (interfaces renamed to this
 *		 host's), optionally FLOWSTREAM_A_MIGRATION with ID: then a
 *		 record outside that migration's prefixes refuses the batch.
 *		 Every record is validated first; one bad attribute refuses
 *		 the whole batch (nothing imported). A record without packets
 *		 (reset by the active timeout) has no bytes nor TCP flags and
 *		 may have its first time after its last. A record whose key
 *		 is live here is added to (packets, bytes saturating, flags;
 *		 the earlier first and later last time), else it is created
 *		 with the counts and times given. Fails with ENOSPC, nothing
 *		 imported, if max-records could be passed.
 *	Reply:   ACK. With ID, the migration's IMPORTED grows by the
 *		 batch's records and MIGRATE listeners are told (IMPORTED).
 *
 * FLOWSTREAM_CMD_MIG_SET (state migration)
 *	Request: FLOWSTREAM_A_MIGRATION with ID and PHASE. A migration's
 *		 phase only moves forward (NEW, IDLE, COPY, DONE; CANCELED
 *		 from any phase before DONE); the phase it has already is
 *		 accepted and changes nothing, an earlier one or any phase
 *		 after DONE or CANCELED is refused (EINVAL). The kernel does
 *		 not act on the phase: the process that drives the migration
 *		 (flowctl migrate send) says where it is, and a CANCELED set
 *		 by another process asks that one to stop and take back what
 *		 B has not acknowledged (flowctl migrate cancel).
 *	Reply:   ACK.
 *
 * FLOWSTREAM_CMD_MIG_ACK (state migration)
 *	Request: FLOWSTREAM_A_MIGRATION with ID and SEQ only: the OWNED
 *		 migration's export messages up to SEQ are on the other host;
 *		 their records are forgotten here. A SEQ not handed out yet
 *		 is refused (EINVAL), one acknowledged already changes
 *		 nothing. Until acknowledged, records are PENDING: the
 *		 kernel takes them back into the table (as they were when
 *		 handed out, merged with any record of the same key created
 *		 since) when the migration is deleted, and when its owner
 *		 socket closes (the process that drove it exited or was
 *		 killed) before the migration is DONE with nothing pending;
 *		 then the migration is also deleted (its daisy-chaining
 *		 stops) and MIGRATE listeners are told (DELETED). Records
 *		 that cannot be taken back (max-records, memory, accounting
 *		 turned off) are counted in "mig_takeback_failed".
 *	Reply:   ACK.
 *
 * FLOWSTREAM_CMD_MIG_NTF (state migration)
 *	Notification only: sent to FLOWSTREAM_MCGRP_MIGRATE when a
 *	migration is added, changes phase, hands out records (one per part
 *	of a MIG_EXPORT dump, which holds one or more messages; the counts
 *	are the totals so far), takes records in (one per MIG_IMPORT naming
 *	it) or is deleted. FLOWSTREAM_A_MIGRATION as MIG_GET's with EVENT
 *	and without SESSIONS and RECORDS (those take a walk of the tables).
 *
 * FlowOS (see Documentation/flowos.rst): a flow takes the forwarded
 * packets its MATCH selects (the highest PRIO wins, then the older flow)
 * at NF_INET_FORWARD, IPv4 and IPv6; packets that match no flow pass
 * untouched. Inside a flow, packets belong to bidirectional sessions (the
 * 5-tuple); each session builds the flow's STREAM, which the attached PMs
 * process in ORDER, each over its window, and the merger sends the
 * packets on in order once the last PM has released them.
 *
 * Windows (prefix sampling): a window starts when sampling is turned on,
 * when RATE, MODE or KEY change, and at each read-and-reset; a prefix added
 * later starts its own window at that time (its WINDOW_START_MS). Windows
 * are numbered from 1 in each namespace, one more for each new window. Packets
 * are sampled at NF_INET_PRE_ROUTING ahead of defragmentation and
 * conntrack, IPv4 and IPv6: traffic arriving at the host, forwarded or
 * not; locally generated packets are not sampled. A sampled packet is
 * counted once, against the monitored prefix that holds its source or
 * destination address (KEY), in the sub-prefix given by the DEPTH bits
 * that follow the prefix; a sampled packet in no monitored prefix counts
 * as unmatched.
 *
 * Multicast groups:
 *	FLOWSTREAM_MCGRP_CONFIG ("config"): configuration changes.
 *	FLOWSTREAM_MCGRP_RECORDS ("records"): ended flow records.
 *	FLOWSTREAM_MCGRP_MIGRATE ("migrate"): state migrations' events.
 */
#ifndef _UAPI_LINUX_FLOWSTREAM_H
#define _UAPI_LINUX_FLOWSTREAM_H

#include <linux/types.h>

#define FLOWSTREAM_GENL_NAME		"flowstream"
#define FLOWSTREAM_GENL_VERSION		1

#define FLOWSTREAM_MCGRP_CONFIG		"config"
#define FLOWSTREAM_MCGRP_RECORDS	"records"
#define FLOWSTREAM_MCGRP_MIGRATE	"migrate"

enum flowstream_cmd {
	FLOWSTREAM_CMD_UNSPEC,
	FLOWSTREAM_CMD_GET_VERSION,
	FLOWSTREAM_CMD_GET_STATUS,
	FLOWSTREAM_CMD_GET_CONFIG,
	FLOWSTREAM_CMD_SET_CONFIG,
	FLOWSTREAM_CMD_RESET_STATS,
	FLOWSTREAM_CMD_CONFIG_NTF,
	FLOWSTREAM_CMD_GET_RECORD,
	FLOWSTREAM_CMD_FLUSH_RECORDS,
	FLOWSTREAM_CMD_RECORD_NTF,
	FLOWSTREAM_CMD_GET_SAMPLER,
	FLOWSTREAM_CMD_SET_SAMPLER,
	FLOWSTREAM_CMD_ADD_PREFIX,
	FLOWSTREAM_CMD_DEL_PREFIX,
	FLOWSTREAM_CMD_GET_PREFIX,
	FLOWSTREAM_CMD_ACK_WINDOW,
	FLOWSTREAM_CMD_ADD_FLOW,
	FLOWSTREAM_CMD_DEL_FLOW,
	FLOWSTREAM_CMD_GET_FLOW,
	FLOWSTREAM_CMD_GET_SESSION,
	FLOWSTREAM_CMD_GET_PM,
	FLOWSTREAM_CMD_ATTACH,
	FLOWSTREAM_CMD_DETACH,
	FLOWSTREAM_CMD_GET_ATTACH,
	FLOWSTREAM_CMD_MIG_ADD,
	FLOWSTREAM_CMD_MIG_DEL,
	FLOWSTREAM_CMD_MIG_GET,
	FLOWSTREAM_CMD_MIG_EXPORT,
	FLOWSTREAM_CMD_MIG_IMPORT,
	FLOWSTREAM_CMD_MIG_SET,
	FLOWSTREAM_CMD_MIG_NTF,
	FLOWSTREAM_CMD_MIG_ACK,

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
 * @FLOWSTREAM_A_RECORD: nest of FLOWSTREAM_REC_A_*, one flow record
 * @FLOWSTREAM_A_FILTER: nest of FLOWSTREAM_FLT_A_*, selects flow records
 * @FLOWSTREAM_A_FLUSHED: u32, records ended by FLUSH_RECORDS
 * @FLOWSTREAM_A_SAMPLER: nest of FLOWSTREAM_SMP_A_*, the prefix sampler
 * @FLOWSTREAM_A_PREFIX: nest of FLOWSTREAM_PFX_A_*, one monitored prefix
 * @FLOWSTREAM_A_RESET: flag, in a GET_PREFIX dump request: read and reset
 * @FLOWSTREAM_A_WINDOW: u64, a window number (1 and up): in a GET_PREFIX
 *	dump request, the window to read (the kept one or the current one);
 *	in ACK_WINDOW, the kept window to drop
 * @FLOWSTREAM_A_FLOW: nest of FLOWSTREAM_FLOW_A_*, a FlowOS flow
 * @FLOWSTREAM_A_SESSION: nest of FLOWSTREAM_SESS_A_*, a FlowOS session
 * @FLOWSTREAM_A_PM: nest of FLOWSTREAM_PM_A_*, a processing module
 * @FLOWSTREAM_A_ATTACH: nest of FLOWSTREAM_ATT_A_*, a PM attached to a flow
 * @FLOWSTREAM_A_MIGRATION: nest of FLOWSTREAM_MIG_A_*, a state migration
 * @FLOWSTREAM_A_BATCH: nest of FLOWSTREAM_BATCH_A_*, a batch of migrated
 *	flow records
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
	FLOWSTREAM_A_RECORD,
	FLOWSTREAM_A_FILTER,
	FLOWSTREAM_A_FLUSHED,
	FLOWSTREAM_A_SAMPLER,
	FLOWSTREAM_A_PREFIX,
	FLOWSTREAM_A_RESET,
	FLOWSTREAM_A_WINDOW,
	FLOWSTREAM_A_FLOW,
	FLOWSTREAM_A_SESSION,
	FLOWSTREAM_A_PM,
	FLOWSTREAM_A_ATTACH,
	FLOWSTREAM_A_MIGRATION,
	FLOWSTREAM_A_BATCH,

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
 * @FLOWSTREAM_CFG_A_ACCT_ENABLE: u8 0 or 1, "acct": flow accounting on in
 *	this namespace. Default 0 (the "acct_enable" module parameter sets
 *	the default of namespaces created later). Turning it off ends every
 *	record with FLOWSTREAM_END_FLUSHED.
 * @FLOWSTREAM_CFG_A_ACCT_IDLE_TIMEOUT: u32 seconds 1..86400, "idle-timeout":
 *	a record with no packet for this long ends (FLOWSTREAM_END_IDLE).
 *	Default 15.
 * @FLOWSTREAM_CFG_A_ACCT_ACTIVE_TIMEOUT: u32 seconds 1..604800,
 *	"active-timeout": a record older than this is reported
 *	(FLOWSTREAM_END_ACTIVE) and counts on from zero. Default 1800.
 * @FLOWSTREAM_CFG_A_ACCT_FIN_TIMEOUT: u32 seconds 0..300, "fin-timeout": a
 *	TCP record that saw FIN or RST ends this long after its last packet
 *	(FLOWSTREAM_END_EOF). Default 2.
 * @FLOWSTREAM_CFG_A_ACCT_MAX_RECORDS: u32 16..16777216, "max-records": the
 *	hard limit on live records in this namespace. Default 65536.
 * @FLOWSTREAM_CFG_A_ACCT_OVERLOAD: u8 enum flowstream_overload, "overload":
 *	what a packet of a new flow does when the limit is reached. Default
 *	FLOWSTREAM_OVERLOAD_REFUSE.
 * @FLOWSTREAM_CFG_A_ACCT_BUCKETS: u32, read only: hash buckets of the
 *	record table (chosen from max-records when accounting is turned on)
 * @FLOWSTREAM_CFG_A_FOS_MAX_HELD: u32 1..1048576, "fos-max-held": packets
 *	FlowOS may hold in this namespace, all flows together (each flow has
 *	its own limit too). A packet over it is given up by its flow's
 *	policy and counted in the flow's drop_held or bypass_held. Default
 *	65536.
 * @FLOWSTREAM_CFG_A_FOS_MAX_HELD_BYTES: u32 4096..1073741824,
 *	"fos-max-held-bytes": the same in bytes (the packets' truesize).
 *	Default 67108864.
 */
enum flowstream_cfg_attr {
	FLOWSTREAM_CFG_A_UNSPEC,
	FLOWSTREAM_CFG_A_NODE_ID,
	FLOWSTREAM_CFG_A_ACCT_ENABLE,
	FLOWSTREAM_CFG_A_ACCT_IDLE_TIMEOUT,
	FLOWSTREAM_CFG_A_ACCT_ACTIVE_TIMEOUT,
	FLOWSTREAM_CFG_A_ACCT_FIN_TIMEOUT,
	FLOWSTREAM_CFG_A_ACCT_MAX_RECORDS,
	FLOWSTREAM_CFG_A_ACCT_OVERLOAD,
	FLOWSTREAM_CFG_A_ACCT_BUCKETS,
	FLOWSTREAM_CFG_A_FOS_MAX_HELD,
	FLOWSTREAM_CFG_A_FOS_MAX_HELD_BYTES,

	__FLOWSTREAM_CFG_A_MAX
};

#define FLOWSTREAM_CFG_A_MAX (__FLOWSTREAM_CFG_A_MAX - 1)

/*
 * enum flowstream_overload - FLOWSTREAM_CFG_A_ACCT_OVERLOAD
 * @FLOWSTREAM_OVERLOAD_REFUSE: "refuse": the packet is not accounted
 *	(counted in acct_drop_limit); existing records are kept
 * @FLOWSTREAM_OVERLOAD_EVICT: "evict": the oldest record (by creation) ends
 *	with FLOWSTREAM_END_EVICTED to make room
 */
enum flowstream_overload {
	FLOWSTREAM_OVERLOAD_REFUSE,
	FLOWSTREAM_OVERLOAD_EVICT,

	__FLOWSTREAM_OVERLOAD_MAX
};

/*
 * enum flowstream_end - why a record was reported (FLOWSTREAM_REC_A_END)
 * @FLOWSTREAM_END_NONE: "live": the record is still live (GET_RECORD)
 * @FLOWSTREAM_END_IDLE: "idle": idle timeout
 * @FLOWSTREAM_END_ACTIVE: "active": active timeout; the flow goes on and
 *	its record counts on from zero
 * @FLOWSTREAM_END_EOF: "eof": end of connection (TCP FIN or RST, then
 *	fin-timeout)
 * @FLOWSTREAM_END_EVICTED: "evicted": removed to make room at the limit
 * @FLOWSTREAM_END_FLUSHED: "flushed": FLUSH_RECORDS, or accounting turned
 *	off
 * @FLOWSTREAM_END_NETNS: "netns": the namespace went away (such records
 *	cannot be announced: nobody is left to listen; counted only)
 * @FLOWSTREAM_END_MIGRATED: "migrated": handed out by MIG_EXPORT to be
 *	carried on by another host (not announced: the host that imports it
 *	reports the flow, counts and all)
 */
enum flowstream_end {
	FLOWSTREAM_END_NONE,
	FLOWSTREAM_END_IDLE,
	FLOWSTREAM_END_ACTIVE,
	FLOWSTREAM_END_EOF,
	FLOWSTREAM_END_EVICTED,
	FLOWSTREAM_END_FLUSHED,
	FLOWSTREAM_END_NETNS,
	FLOWSTREAM_END_MIGRATED,

	__FLOWSTREAM_END_MAX
};

/*
 * enum flowstream_rec_attr - one flow record (FLOWSTREAM_A_RECORD)
 *
 * Key: FAMILY, SRC, DST, PROTO, SPORT and DPORT (TCP, UDP, UDP-Lite, SCTP,
 * DCCP) or ICMP_TYPE and ICMP_CODE (ICMP, ICMPv6; echo requests and replies
 * are one flow each way), IIF. Other protocols, and non-first fragments
 * (which carry no ports), have ports 0.
 *
 * @FLOWSTREAM_REC_A_PAD: padding
 * @FLOWSTREAM_REC_A_FAMILY: u8, AF_INET or AF_INET6
 * @FLOWSTREAM_REC_A_SRC: binary, 4 or 16 bytes, network order
 * @FLOWSTREAM_REC_A_DST: binary, 4 or 16 bytes, network order
 * @FLOWSTREAM_REC_A_PROTO: u8, IP protocol
 * @FLOWSTREAM_REC_A_SPORT: u16, host order
 * @FLOWSTREAM_REC_A_DPORT: u16, host order
 * @FLOWSTREAM_REC_A_ICMP_TYPE: u8
 * @FLOWSTREAM_REC_A_ICMP_CODE: u8
 * @FLOWSTREAM_REC_A_IIF: u32, ingress interface index, 0 for locally
 *	generated packets
 * @FLOWSTREAM_REC_A_OIF: u32, egress interface index, 0 for packets
 *	delivered locally
 * @FLOWSTREAM_REC_A_PACKETS: u64
 * @FLOWSTREAM_REC_A_BYTES: u64, IP bytes (header included)
 * @FLOWSTREAM_REC_A_FIRST_MS: u64, first packet, ms since the Unix epoch
 * @FLOWSTREAM_REC_A_LAST_MS: u64, last packet, ms since the Unix epoch
 * @FLOWSTREAM_REC_A_DSCP: u8, DSCP of the first packet
 * @FLOWSTREAM_REC_A_TCP_FLAGS: u8, OR of the TCP flags seen
 * @FLOWSTREAM_REC_A_END: u8, enum flowstream_end
 * @FLOWSTREAM_REC_A_SEQ: u64, in FLOWSTREAM_CMD_RECORD_NTF only, see there
 */
enum flowstream_rec_attr {
	FLOWSTREAM_REC_A_UNSPEC,
	FLOWSTREAM_REC_A_PAD,
	FLOWSTREAM_REC_A_FAMILY,
	FLOWSTREAM_REC_A_SRC,
	FLOWSTREAM_REC_A_DST,
	FLOWSTREAM_REC_A_PROTO,
	FLOWSTREAM_REC_A_SPORT,
	FLOWSTREAM_REC_A_DPORT,
	FLOWSTREAM_REC_A_ICMP_TYPE,
	FLOWSTREAM_REC_A_ICMP_CODE,
	FLOWSTREAM_REC_A_IIF,
	FLOWSTREAM_REC_A_OIF,
	FLOWSTREAM_REC_A_PACKETS,
	FLOWSTREAM_REC_A_BYTES,
	FLOWSTREAM_REC_A_FIRST_MS,
	FLOWSTREAM_REC_A_LAST_MS,
	FLOWSTREAM_REC_A_DSCP,
	FLOWSTREAM_REC_A_TCP_FLAGS,
	FLOWSTREAM_REC_A_END,
	FLOWSTREAM_REC_A_SEQ,

	__FLOWSTREAM_REC_A_MAX
};

#define FLOWSTREAM_REC_A_MAX (__FLOWSTREAM_REC_A_MAX - 1)

/*
 * enum flowstream_flt_attr - record filter (FLOWSTREAM_A_FILTER); a record
 * matches if it matches every attribute given
 * @FLOWSTREAM_FLT_A_FAMILY: u8, AF_INET or AF_INET6
 * @FLOWSTREAM_FLT_A_PREFIX: binary, 4 or 16 bytes: source or destination
 *	in this prefix (needs FAMILY and PREFIX_LEN)
 * @FLOWSTREAM_FLT_A_PREFIX_LEN: u8, 0..32 or 0..128
 * @FLOWSTREAM_FLT_A_PROTO: u8
 * @FLOWSTREAM_FLT_A_PORT: u16, source or destination port
 * @FLOWSTREAM_FLT_A_IFINDEX: u32, ingress or egress interface
 */
enum flowstream_flt_attr {
	FLOWSTREAM_FLT_A_UNSPEC,
	FLOWSTREAM_FLT_A_FAMILY,
	FLOWSTREAM_FLT_A_PREFIX,
	FLOWSTREAM_FLT_A_PREFIX_LEN,
	FLOWSTREAM_FLT_A_PROTO,
	FLOWSTREAM_FLT_A_PORT,
	FLOWSTREAM_FLT_A_IFINDEX,

	__FLOWSTREAM_FLT_A_MAX
};

#define FLOWSTREAM_FLT_A_MAX (__FLOWSTREAM_FLT_A_MAX - 1)

/*
 * enum flowstream_smp_mode - how 1 in RATE packets are chosen
 * @FLOWSTREAM_SMP_MODE_DETERMINISTIC: "deterministic": exactly every
 *	RATE-th packet of each CPU, counted from the start of the window
 * @FLOWSTREAM_SMP_MODE_RANDOM: "random": each packet with probability
 *	1/RATE, independently (per-CPU generators drawing geometric gaps)
 */
enum flowstream_smp_mode {
	FLOWSTREAM_SMP_MODE_DETERMINISTIC,
	FLOWSTREAM_SMP_MODE_RANDOM,

	__FLOWSTREAM_SMP_MODE_MAX
};

/*
 * enum flowstream_smp_key - which address places a sampled packet
 * @FLOWSTREAM_SMP_KEY_DST: "dst": the destination address
 * @FLOWSTREAM_SMP_KEY_SRC: "src": the source address
 */
enum flowstream_smp_key {
	FLOWSTREAM_SMP_KEY_DST,
	FLOWSTREAM_SMP_KEY_SRC,

	__FLOWSTREAM_SMP_KEY_MAX
};

/*
 * enum flowstream_smp_attr - the prefix sampler of a namespace
 * (FLOWSTREAM_A_SAMPLER)
 * @FLOWSTREAM_SMP_A_PAD: padding for 64-bit values
 * @FLOWSTREAM_SMP_A_ENABLE: u8 0 or 1, "enable": sampling on. Default 0.
 * @FLOWSTREAM_SMP_A_RATE: u32 1..16777216, "rate": sample 1 in RATE
 *	packets. Default 100.
 * @FLOWSTREAM_SMP_A_MODE: u8 enum flowstream_smp_mode, "mode". Default
 *	random.
 * @FLOWSTREAM_SMP_A_KEY: u8 enum flowstream_smp_key, "key", for every
 *	prefix of the namespace. Default dst.
 * @FLOWSTREAM_SMP_A_MAX_PREFIXES: u32 1..1048576, "max-prefixes": limit on
 *	monitored prefixes (IPv4 and IPv6 together). Default 16384.
 * @FLOWSTREAM_SMP_A_MAX_COUNTERS: u32 1..16777216, "max-counters": limit on
 *	sub-prefix counters, the sum of 2^DEPTH over monitored prefixes.
 *	Default 262144. Each counter takes 48 bytes, whatever the number of
 *	CPUs (Documentation/sampler.rst gives the whole formula).
 * @FLOWSTREAM_SMP_A_PREFIXES: u32, read only: monitored prefixes
 * @FLOWSTREAM_SMP_A_COUNTERS: u32, read only: sub-prefix counters in use
 * @FLOWSTREAM_SMP_A_MEMORY: u64, read only: bytes held by the prefixes,
 *	their counters, the prefix tree and the kept window
 * @FLOWSTREAM_SMP_A_WINDOW_START_MS: u64, read only: start of the current
 *	window (GET_SAMPLER) or of the window read (GET_PREFIX), ms since
 *	the Unix epoch
 * @FLOWSTREAM_SMP_A_WINDOW_END_MS: u64, GET_PREFIX only: end of the window
 *	read, ms since the Unix epoch (the time of the read)
 * @FLOWSTREAM_SMP_A_UNMATCHED: nest of FLOWSTREAM_CNT_A_*: sampled packets
 *	in no monitored prefix, in the window
 * @FLOWSTREAM_SMP_A_MAX_LEN: u32 20..1048576, "max-len": the longest packet
 *	(IP header included) that the byte intervals assume. Default 1500.
 *	Used when reading, never changes a window.
 * @FLOWSTREAM_SMP_A_WINDOW: u64, read only: the number of the current
 *	window (GET_SAMPLER) or of the window read (GET_PREFIX)
 * @FLOWSTREAM_SMP_A_KEPT_WINDOW: u64, read only: the window kept for
 *	reading again, 0 if none
 */
enum flowstream_smp_attr {
	FLOWSTREAM_SMP_A_UNSPEC,
	FLOWSTREAM_SMP_A_PAD,
	FLOWSTREAM_SMP_A_ENABLE,
	FLOWSTREAM_SMP_A_RATE,
	FLOWSTREAM_SMP_A_MODE,
	FLOWSTREAM_SMP_A_KEY,
	FLOWSTREAM_SMP_A_MAX_PREFIXES,
	FLOWSTREAM_SMP_A_MAX_COUNTERS,
	FLOWSTREAM_SMP_A_PREFIXES,
	FLOWSTREAM_SMP_A_COUNTERS,
	FLOWSTREAM_SMP_A_MEMORY,
	FLOWSTREAM_SMP_A_WINDOW_START_MS,
	FLOWSTREAM_SMP_A_WINDOW_END_MS,
	FLOWSTREAM_SMP_A_UNMATCHED,
	FLOWSTREAM_SMP_A_MAX_LEN,
	FLOWSTREAM_SMP_A_WINDOW,
	FLOWSTREAM_SMP_A_KEPT_WINDOW,

	__FLOWSTREAM_SMP_A_MAX
};

#define FLOWSTREAM_SMP_A_MAX (__FLOWSTREAM_SMP_A_MAX - 1)

/*
 * enum flowstream_pfx_attr - a monitored prefix (FLOWSTREAM_A_PREFIX)
 * @FLOWSTREAM_PFX_A_PAD: padding for 64-bit values
 * @FLOWSTREAM_PFX_A_FAMILY: u8, AF_INET or AF_INET6
 * @FLOWSTREAM_PFX_A_ADDR: binary, 4 or 16 bytes, network order, no host
 *	bits set
 * @FLOWSTREAM_PFX_A_LEN: u8, prefix length, 0..32 or 0..128
 * @FLOWSTREAM_PFX_A_DEPTH: u8 0..16: the prefix is split into 2^DEPTH
 *	sub-prefixes of length LEN + DEPTH, each counted on its own
 * @FLOWSTREAM_PFX_A_WINDOW_START_MS: u64, dump only: start of this
 *	prefix's window (the sampler's, or when the prefix was added if
 *	later)
 * @FLOWSTREAM_PFX_A_WINDOW_END_MS: u64, dump only: end of the window read
 * @FLOWSTREAM_PFX_A_TOTAL: nest of FLOWSTREAM_CNT_A_*, dump only: the
 *	whole prefix
 * @FLOWSTREAM_PFX_A_SUB: nest of FLOWSTREAM_CNT_A_* with INDEX, dump only,
 *	repeated: sub-prefix INDEX, whose address is ADDR with INDEX in the
 *	DEPTH bits after the first LEN
 * @FLOWSTREAM_PFX_A_WINDOW: u64, dump only: the number of the window read
 */
enum flowstream_pfx_attr {
	FLOWSTREAM_PFX_A_UNSPEC,
	FLOWSTREAM_PFX_A_PAD,
	FLOWSTREAM_PFX_A_FAMILY,
	FLOWSTREAM_PFX_A_ADDR,
	FLOWSTREAM_PFX_A_LEN,
	FLOWSTREAM_PFX_A_DEPTH,
	FLOWSTREAM_PFX_A_WINDOW_START_MS,
	FLOWSTREAM_PFX_A_WINDOW_END_MS,
	FLOWSTREAM_PFX_A_TOTAL,
	FLOWSTREAM_PFX_A_SUB,
	FLOWSTREAM_PFX_A_WINDOW,

	__FLOWSTREAM_PFX_A_MAX
};

#define FLOWSTREAM_PFX_A_MAX (__FLOWSTREAM_PFX_A_MAX - 1)

/*
 * enum flowstream_cnt_attr - the counts of a window (sub-prefix, prefix
 * total, unmatched), all u64 but INDEX
 *
 * Estimates scale the sampled counts by RATE. The 95% intervals bound the
 * true count: for packets the score interval of a binomial count with
 * p = 1/RATE (never below the sampled count); for bytes, with fewer than
 * 30 sampled packets, from the sampled bytes to the sampled bytes plus
 * MAX_LEN for each packet the packet interval allows beyond those sampled,
 * and from 30 on the normal interval of the Horvitz-Thompson estimate
 * (never below the sampled bytes). They treat sampling as random;
 * deterministic sampling of traffic that is not periodic in RATE behaves
 * the same. With RATE 1 every packet is counted and the intervals are
 * exact.
 *
 * @FLOWSTREAM_CNT_A_PAD: padding for 64-bit values
 * @FLOWSTREAM_CNT_A_INDEX: u32, sub-prefix index (FLOWSTREAM_PFX_A_SUB only)
 * @FLOWSTREAM_CNT_A_PACKETS: sampled packets
 * @FLOWSTREAM_CNT_A_BYTES: sampled IP bytes (header included)
 * @FLOWSTREAM_CNT_A_EST_PACKETS: estimated packets
 * @FLOWSTREAM_CNT_A_EST_PACKETS_LO: 95% interval, low end
 * @FLOWSTREAM_CNT_A_EST_PACKETS_HI: 95% interval, high end
 * @FLOWSTREAM_CNT_A_EST_BYTES: estimated bytes
 * @FLOWSTREAM_CNT_A_EST_BYTES_LO: 95% interval, low end
 * @FLOWSTREAM_CNT_A_EST_BYTES_HI: 95% interval, high end
 */
enum flowstream_cnt_attr {
	FLOWSTREAM_CNT_A_UNSPEC,
	FLOWSTREAM_CNT_A_PAD,
	FLOWSTREAM_CNT_A_INDEX,
	FLOWSTREAM_CNT_A_PACKETS,
	FLOWSTREAM_CNT_A_BYTES,
	FLOWSTREAM_CNT_A_EST_PACKETS,
	FLOWSTREAM_CNT_A_EST_PACKETS_LO,
	FLOWSTREAM_CNT_A_EST_PACKETS_HI,
	FLOWSTREAM_CNT_A_EST_BYTES,
	FLOWSTREAM_CNT_A_EST_BYTES_LO,
	FLOWSTREAM_CNT_A_EST_BYTES_HI,

	__FLOWSTREAM_CNT_A_MAX
};

#define FLOWSTREAM_CNT_A_MAX (__FLOWSTREAM_CNT_A_MAX - 1)

/*
 * enum flowstream_stat - per-namespace counters (FLOWSTREAM_A_STATS and
 * /proc/net/flowstream/stat, where they appear under the names given here)
 * @FLOWSTREAM_STAT_NL_REQUESTS: "nl_requests", netlink requests handled
 * @FLOWSTREAM_STAT_NL_REJECTED: "nl_rejected", netlink requests refused for
 *	bad input by a flowstream handler (policy failures caught by the
 *	generic netlink core before the handler runs are not counted)
 * @FLOWSTREAM_STAT_CONFIG_CHANGES: "config_changes", successful SET_CONFIG
 * @FLOWSTREAM_STAT_NOTIFY_FAILED: "notify_failed", configuration and
 *	migration notifications that could not be built or delivered to any
 *	listener for lack of memory
 * @FLOWSTREAM_STAT_ACCT_PACKETS: "acct_packets", packets accounted
 * @FLOWSTREAM_STAT_ACCT_BYTES: "acct_bytes", bytes accounted
 * @FLOWSTREAM_STAT_ACCT_FRAGMENTS: "acct_fragments", non-first fragments
 *	accounted (to the record with ports 0)
 * @FLOWSTREAM_STAT_ACCT_RECORDS_CREATED: "records_created"
 * @FLOWSTREAM_STAT_ACCT_RECORDS_ENDED: "records_ended", for any reason
 *	but FLOWSTREAM_END_ACTIVE (a record that lives on)
 * @FLOWSTREAM_STAT_ACCT_RECORDS_EVICTED: "records_evicted", ended to make
 *	room at the limit (also in records_ended)
 * @FLOWSTREAM_STAT_ACCT_DROP_LIMIT: "acct_drop_limit", packets not
 *	accounted: their flow had no record and the table was full (refuse)
 * @FLOWSTREAM_STAT_ACCT_DROP_NOMEM: "acct_drop_nomem", packets not
 *	accounted: no memory for a new record
 * @FLOWSTREAM_STAT_ACCT_DROP_MALFORMED: "acct_drop_malformed", packets not
 *	accounted: truncated or malformed L3/L4 headers
 * @FLOWSTREAM_STAT_EVENTS_SENT: "events_sent", records multicast to
 *	FLOWSTREAM_MCGRP_RECORDS
 * @FLOWSTREAM_STAT_EVENTS_DROPPED: "events_dropped", ended records that
 *	were not announced: the queue of unsent records was full, there was
 *	no memory for the message, or a listener that set
 *	NETLINK_BROADCAST_ERROR had its socket full (each record still takes
 *	a sequence number)
 * @FLOWSTREAM_STAT_SMP_SAMPLED: "smp_sampled", packets sampled (matched or
 *	not)
 * @FLOWSTREAM_STAT_SMP_UNMATCHED: "smp_unmatched", sampled packets in no
 *	monitored prefix
 * @FLOWSTREAM_STAT_SMP_DROP_MALFORMED: "smp_drop_malformed", sampled
 *	packets not counted: their IP header could not be read
 * @FLOWSTREAM_STAT_SMP_WINDOWS: "smp_windows", windows ended (by a
 *	read-and-reset or a configuration change)
 * @FLOWSTREAM_STAT_MIG_EXPORTED: "mig_exported", flow records handed out
 *	by MIG_EXPORT (and ended here with FLOWSTREAM_END_MIGRATED)
 * @FLOWSTREAM_STAT_MIG_IMPORTED: "mig_imported", flow records taken in by
 *	MIG_IMPORT (new or merged)
 * @FLOWSTREAM_STAT_MIG_MERGED: "mig_merged", imported records added to a
 *	live record of the same key (also in mig_imported)
 * @FLOWSTREAM_STAT_MIG_BATCHES_REFUSED: "mig_batches_refused", MIG_IMPORT
 *	requests refused (malformed, or over a limit): nothing imported
 * @FLOWSTREAM_STAT_MIG_CHAINED: "mig_chained", forwarded packets of a
 *	daisy-chaining migration's set, with no flow record here, sent to
 *	the migration's next hop
 * @FLOWSTREAM_STAT_MIG_CHAIN_NOROUTE: "mig_chain_noroute", such packets
 *	for which the next hop had no unicast route: forwarded and accounted
 *	here as usual
 * @FLOWSTREAM_STAT_MIG_TAKEN_BACK: "mig_taken_back", flow records handed
 *	out by MIG_EXPORT of an owned migration and, never acknowledged,
 *	taken back into the table (MIG_ACK)
 * @FLOWSTREAM_STAT_MIG_TAKEBACK_FAILED: "mig_takeback_failed", such
 *	records that could not be taken back (max-records, memory, or
 *	accounting off): their counts are lost
 */
enum flowstream_stat {
	FLOWSTREAM_STAT_UNSPEC,
	FLOWSTREAM_STAT_NL_REQUESTS,
	FLOWSTREAM_STAT_NL_REJECTED,
	FLOWSTREAM_STAT_CONFIG_CHANGES,
	FLOWSTREAM_STAT_NOTIFY_FAILED,
	FLOWSTREAM_STAT_ACCT_PACKETS,
	FLOWSTREAM_STAT_ACCT_BYTES,
	FLOWSTREAM_STAT_ACCT_FRAGMENTS,
	FLOWSTREAM_STAT_ACCT_RECORDS_CREATED,
	FLOWSTREAM_STAT_ACCT_RECORDS_ENDED,
	FLOWSTREAM_STAT_ACCT_RECORDS_EVICTED,
	FLOWSTREAM_STAT_ACCT_DROP_LIMIT,
	FLOWSTREAM_STAT_ACCT_DROP_NOMEM,
	FLOWSTREAM_STAT_ACCT_DROP_MALFORMED,
	FLOWSTREAM_STAT_EVENTS_SENT,
	FLOWSTREAM_STAT_EVENTS_DROPPED,
	FLOWSTREAM_STAT_SMP_SAMPLED,
	FLOWSTREAM_STAT_SMP_UNMATCHED,
	FLOWSTREAM_STAT_SMP_DROP_MALFORMED,
	FLOWSTREAM_STAT_SMP_WINDOWS,
	FLOWSTREAM_STAT_MIG_EXPORTED,
	FLOWSTREAM_STAT_MIG_IMPORTED,
	FLOWSTREAM_STAT_MIG_MERGED,
	FLOWSTREAM_STAT_MIG_BATCHES_REFUSED,
	FLOWSTREAM_STAT_MIG_CHAINED,
	FLOWSTREAM_STAT_MIG_CHAIN_NOROUTE,
	FLOWSTREAM_STAT_MIG_TAKEN_BACK,
	FLOWSTREAM_STAT_MIG_TAKEBACK_FAILED,

	__FLOWSTREAM_STAT_MAX
};

#define FLOWSTREAM_STAT_MAX (__FLOWSTREAM_STAT_MAX - 1)

/*
 * enum flowstream_stream - what a FlowOS flow's sessions build
 * @FLOWSTREAM_STREAM_IP: "ip": every packet of the session, both
 *	directions, in arrival order
 * @FLOWSTREAM_STREAM_TCP: "tcp": each direction's TCP payload as an
 *	in-order byte stream (see Documentation/flowos.rst for the overlap
 *	and hole policy); packets of other protocols pass as in "ip"
 * @FLOWSTREAM_STREAM_UDP: "udp": UDP datagrams, their payload as units;
 *	packets of other protocols pass as in "ip"
 */
enum flowstream_stream {
	FLOWSTREAM_STREAM_IP,
	FLOWSTREAM_STREAM_TCP,
	FLOWSTREAM_STREAM_UDP,

	__FLOWSTREAM_STREAM_MAX
};

/*
 * enum flowstream_fos_policy - what a flow does with a packet it cannot
 * hold (a limit is reached, or no memory)
 * @FLOWSTREAM_FOS_POLICY_DROP: "drop": the packet is dropped
 * @FLOWSTREAM_FOS_POLICY_BYPASS: "bypass": the packet goes on unprocessed
 *	(fail-open); it may overtake held packets of its session
 */
enum flowstream_fos_policy {
	FLOWSTREAM_FOS_POLICY_DROP,
	FLOWSTREAM_FOS_POLICY_BYPASS,

	__FLOWSTREAM_FOS_POLICY_MAX
};

/*
 * enum flowstream_pm_mode - what a PM does to the data in its window
 * @FLOWSTREAM_PM_MODE_RO: "ro": reads only; RO PMs may share an ORDER
 * @FLOWSTREAM_PM_MODE_RW: "rw": may change bytes and drop units
 */
enum flowstream_pm_mode {
	FLOWSTREAM_PM_MODE_RO,
	FLOWSTREAM_PM_MODE_RW,

	__FLOWSTREAM_PM_MODE_MAX
};

/*
 * enum flowstream_match_attr - a flow's match (FLOWSTREAM_FLOW_A_MATCH);
 * an absent attribute is a wildcard, an empty match takes every forwarded
 * packet
 * @FLOWSTREAM_MATCH_A_IIF: u32, ingress interface index
 * @FLOWSTREAM_MATCH_A_FAMILY: u8, AF_INET or AF_INET6 (required with SRC
 *	or DST)
 * @FLOWSTREAM_MATCH_A_PROTO: u8, L4 protocol
 * @FLOWSTREAM_MATCH_A_SRC: binary, 4 or 16 bytes (as FAMILY), network
 *	order, no host bits set beyond SRC_LEN
 * @FLOWSTREAM_MATCH_A_SRC_LEN: u8, prefix length (default the full length)
 * @FLOWSTREAM_MATCH_A_DST: as SRC
 * @FLOWSTREAM_MATCH_A_DST_LEN: as SRC_LEN
 * @FLOWSTREAM_MATCH_A_SPORT: u16 (host order), exact source port; needs
 *	PROTO TCP, UDP, SCTP or UDP-Lite
 * @FLOWSTREAM_MATCH_A_DPORT: u16 (host order), as SPORT
 * @FLOWSTREAM_MATCH_A_DSCP: u8 0..63
 */
enum flowstream_match_attr {
	FLOWSTREAM_MATCH_A_UNSPEC,
	FLOWSTREAM_MATCH_A_IIF,
	FLOWSTREAM_MATCH_A_FAMILY,
	FLOWSTREAM_MATCH_A_PROTO,
	FLOWSTREAM_MATCH_A_SRC,
	FLOWSTREAM_MATCH_A_SRC_LEN,
	FLOWSTREAM_MATCH_A_DST,
	FLOWSTREAM_MATCH_A_DST_LEN,
	FLOWSTREAM_MATCH_A_SPORT,
	FLOWSTREAM_MATCH_A_DPORT,
	FLOWSTREAM_MATCH_A_DSCP,

	__FLOWSTREAM_MATCH_A_MAX
};

#define FLOWSTREAM_MATCH_A_MAX (__FLOWSTREAM_MATCH_A_MAX - 1)

/*
 * enum flowstream_flow_attr - a FlowOS flow (FLOWSTREAM_A_FLOW)
 * @FLOWSTREAM_FLOW_A_PAD: padding for 64-bit values
 * @FLOWSTREAM_FLOW_A_ID: u32, assigned by ADD_FLOW, never reused in the
 *	namespace while the module is loaded
 * @FLOWSTREAM_FLOW_A_NAME: string, 1..31 characters of [A-Za-z0-9_.:-]
 * @FLOWSTREAM_FLOW_A_PRIO: u32, higher wins. Default 0
 * @FLOWSTREAM_FLOW_A_MATCH: nest of FLOWSTREAM_MATCH_A_*
 * @FLOWSTREAM_FLOW_A_STREAM: u8 enum flowstream_stream. Default ip
 * @FLOWSTREAM_FLOW_A_POLICY: u8 enum flowstream_fos_policy. Default drop
 * @FLOWSTREAM_FLOW_A_MAX_SESSIONS: u32 1..4194304, "max-sessions": live
 *	sessions of the flow. Default 65536. A packet of a new session beyond
 *	it is given up by POLICY (reason "sessions")
 * @FLOWSTREAM_FLOW_A_MAX_HELD: u32 1..1048576, "max-held": packets held by
 *	the flow (queued for PMs, the merger or TCP reordering). Default 8192
 * @FLOWSTREAM_FLOW_A_MAX_HELD_BYTES: u32 4096..1073741824,
 *	"max-held-bytes": truesize of the packets the flow holds. Default
 *	16 MiB
 * @FLOWSTREAM_FLOW_A_MAX_SESSION_HELD: u32 1..1048576, "max-session-held":
 *	packets one session holds. Default 1024
 * @FLOWSTREAM_FLOW_A_IDLE_TIMEOUT: u32 seconds 1..86400, "idle-timeout":
 *	a session with no packet for this long ends. Default 60
 * @FLOWSTREAM_FLOW_A_HOLE_TIMEOUT: u32 milliseconds 1..60000,
 *	"hole-timeout": a TCP stream waits this long for a missing segment,
 *	then reports a gap and goes on. Default 200
 * @FLOWSTREAM_FLOW_A_PIPELINE: nest of FLOWSTREAM_A_ATTACH nests (PM,
 *	ORDER, ARGS), in ADD_FLOW only
 * @FLOWSTREAM_FLOW_A_STATS: nest of u64 counters, enum flowstream_fos_stat
 *	(reply only)
 */
enum flowstream_flow_attr {
	FLOWSTREAM_FLOW_A_UNSPEC,
	FLOWSTREAM_FLOW_A_PAD,
	FLOWSTREAM_FLOW_A_ID,
	FLOWSTREAM_FLOW_A_NAME,
	FLOWSTREAM_FLOW_A_PRIO,
	FLOWSTREAM_FLOW_A_MATCH,
	FLOWSTREAM_FLOW_A_STREAM,
	FLOWSTREAM_FLOW_A_POLICY,
	FLOWSTREAM_FLOW_A_MAX_SESSIONS,
	FLOWSTREAM_FLOW_A_MAX_HELD,
	FLOWSTREAM_FLOW_A_MAX_HELD_BYTES,
	FLOWSTREAM_FLOW_A_MAX_SESSION_HELD,
	FLOWSTREAM_FLOW_A_IDLE_TIMEOUT,
	FLOWSTREAM_FLOW_A_HOLE_TIMEOUT,
	FLOWSTREAM_FLOW_A_PIPELINE,
	FLOWSTREAM_FLOW_A_STATS,

	__FLOWSTREAM_FLOW_A_MAX
};

#define FLOWSTREAM_FLOW_A_MAX (__FLOWSTREAM_FLOW_A_MAX - 1)

/*
 * enum flowstream_pm_attr - a processing module (FLOWSTREAM_A_PM)
 * @FLOWSTREAM_PM_A_NAME: string, at most 31 characters
 * @FLOWSTREAM_PM_A_DESC: string, what it does
 * @FLOWSTREAM_PM_A_PARAMS: string, its arguments, one "name: meaning" per
 *	line
 * @FLOWSTREAM_PM_A_STREAM: u8 enum flowstream_stream it processes (the one
 *	it is made for when it accepts several; see STREAMS)
 * @FLOWSTREAM_PM_A_MODE: u8 enum flowstream_pm_mode
 * @FLOWSTREAM_PM_A_STATE_SIZE: u32, bytes of per-session state
 * @FLOWSTREAM_PM_A_ATTACHED: u32, attachments in all namespaces
 * @FLOWSTREAM_PM_A_MIGRATABLE: flag, the PM can export and import a
 *	session's state
 * @FLOWSTREAM_PM_A_STREAMS: u32, every stream it can be attached to, bit
 *	(1 << enum flowstream_stream) for each; STREAM is among them
 */
enum flowstream_pm_attr {
	FLOWSTREAM_PM_A_UNSPEC,
	FLOWSTREAM_PM_A_NAME,
	FLOWSTREAM_PM_A_DESC,
	FLOWSTREAM_PM_A_PARAMS,
	FLOWSTREAM_PM_A_STREAM,
	FLOWSTREAM_PM_A_MODE,
	FLOWSTREAM_PM_A_STATE_SIZE,
	FLOWSTREAM_PM_A_ATTACHED,
	FLOWSTREAM_PM_A_MIGRATABLE,
	FLOWSTREAM_PM_A_STREAMS,

	__FLOWSTREAM_PM_A_MAX
};

#define FLOWSTREAM_PM_A_MAX (__FLOWSTREAM_PM_A_MAX - 1)

/*
 * enum flowstream_att_attr - a PM attached to a flow (FLOWSTREAM_A_ATTACH)
 * @FLOWSTREAM_ATT_A_PAD: padding for 64-bit values
 * @FLOWSTREAM_ATT_A_FLOW: string, the flow's name
 * @FLOWSTREAM_ATT_A_ID: u32, the attachment's id within its flow
 * @FLOWSTREAM_ATT_A_PM: string, the PM's name
 * @FLOWSTREAM_ATT_A_ORDER: u32 0..65535: PMs run in increasing ORDER;
 *	read-only PMs of equal ORDER run side by side over the same data
 * @FLOWSTREAM_ATT_A_ARGS: string, at most 255 characters, given to the PM
 * @FLOWSTREAM_ATT_A_MODE: u8 enum flowstream_pm_mode (reply only)
 * @FLOWSTREAM_ATT_A_STATS: nest of u64 counters, enum flowstream_att_stat
 *	(reply only)
 * @FLOWSTREAM_ATT_A_RESULT: nest, in FLOWSTREAM_SESS_A_RESULT only: the
 *	PM's own per-session results, attribute types defined by the PM
 *	(Documentation/flowos.rst lists those of the shipped PMs)
 */
enum flowstream_att_attr {
	FLOWSTREAM_ATT_A_UNSPEC,
	FLOWSTREAM_ATT_A_PAD,
	FLOWSTREAM_ATT_A_FLOW,
	FLOWSTREAM_ATT_A_ID,
	FLOWSTREAM_ATT_A_PM,
	FLOWSTREAM_ATT_A_ORDER,
	FLOWSTREAM_ATT_A_ARGS,
	FLOWSTREAM_ATT_A_MODE,
	FLOWSTREAM_ATT_A_STATS,
	FLOWSTREAM_ATT_A_RESULT,

	__FLOWSTREAM_ATT_A_MAX
};

#define FLOWSTREAM_ATT_A_MAX (__FLOWSTREAM_ATT_A_MAX - 1)

/*
 * enum flowstream_sess_attr - a FlowOS session (FLOWSTREAM_A_SESSION);
 * side A sent the session's first packet
 * @FLOWSTREAM_SESS_A_PAD: padding for 64-bit values
 * @FLOWSTREAM_SESS_A_FAMILY: u8, AF_INET or AF_INET6
 * @FLOWSTREAM_SESS_A_PROTO: u8
 * @FLOWSTREAM_SESS_A_ADDR_A: binary, 4 or 16 bytes
 * @FLOWSTREAM_SESS_A_ADDR_B: binary, 4 or 16 bytes
 * @FLOWSTREAM_SESS_A_PORT_A: u16 (host order), 0 without ports
 * @FLOWSTREAM_SESS_A_PORT_B: u16
 * @FLOWSTREAM_SESS_A_PACKETS_AB: u64, packets from A to B taken
 * @FLOWSTREAM_SESS_A_BYTES_AB: u64
 * @FLOWSTREAM_SESS_A_PACKETS_BA: u64
 * @FLOWSTREAM_SESS_A_BYTES_BA: u64
 * @FLOWSTREAM_SESS_A_HELD: u32, packets held now
 * @FLOWSTREAM_SESS_A_AGE_MS: u64, since the first packet
 * @FLOWSTREAM_SESS_A_IDLE_MS: u64, since the last packet
 * @FLOWSTREAM_SESS_A_GAPS: u64, TCP holes given up on (both directions)
 * @FLOWSTREAM_SESS_A_RESULT: nest of FLOWSTREAM_ATT_A_ID and
 *	FLOWSTREAM_ATT_A_RESULT, repeated: each attached PM's results
 */
enum flowstream_sess_attr {
	FLOWSTREAM_SESS_A_UNSPEC,
	FLOWSTREAM_SESS_A_PAD,
	FLOWSTREAM_SESS_A_FAMILY,
	FLOWSTREAM_SESS_A_PROTO,
	FLOWSTREAM_SESS_A_ADDR_A,
	FLOWSTREAM_SESS_A_ADDR_B,
	FLOWSTREAM_SESS_A_PORT_A,
	FLOWSTREAM_SESS_A_PORT_B,
	FLOWSTREAM_SESS_A_PACKETS_AB,
	FLOWSTREAM_SESS_A_BYTES_AB,
	FLOWSTREAM_SESS_A_PACKETS_BA,
	FLOWSTREAM_SESS_A_BYTES_BA,
	FLOWSTREAM_SESS_A_HELD,
	FLOWSTREAM_SESS_A_AGE_MS,
	FLOWSTREAM_SESS_A_IDLE_MS,
	FLOWSTREAM_SESS_A_GAPS,
	FLOWSTREAM_SESS_A_RESULT,

	__FLOWSTREAM_SESS_A_MAX
};

#define FLOWSTREAM_SESS_A_MAX (__FLOWSTREAM_SESS_A_MAX - 1)

/*
 * enum flowstream_fos_stat - a FlowOS flow's counters
 * (FLOWSTREAM_FLOW_A_STATS and /proc/net/flowstream/flowos_flows under these
 * names; their sums over the flows of the namespace, deleted ones
 * included, in /proc/net/flowstream/flowos, and over every namespace in
 * /sys/module/flowstream/parameters/fos_*)
 * @FLOWSTREAM_FOS_STAT_PACKETS_IN: "packets_in", packets taken
 * @FLOWSTREAM_FOS_STAT_BYTES_IN: "bytes_in"
 * @FLOWSTREAM_FOS_STAT_PACKETS_OUT: "packets_out", packets sent on by
 *	the merger
 * @FLOWSTREAM_FOS_STAT_BYTES_OUT: "bytes_out"
 * @FLOWSTREAM_FOS_STAT_BYPASS_SESSIONS: "bypass_sessions", passed
 *	unprocessed: max-sessions reached (policy bypass)
 * @FLOWSTREAM_FOS_STAT_BYPASS_HELD: "bypass_held", passed unprocessed: a
 *	held limit reached (policy bypass)
 * @FLOWSTREAM_FOS_STAT_BYPASS_NOMEM: "bypass_nomem", passed unprocessed:
 *	no memory for a session (policy bypass)
 * @FLOWSTREAM_FOS_STAT_DROP_SESSIONS: "drop_sessions", max-sessions
 *	reached (policy drop)
 * @FLOWSTREAM_FOS_STAT_DROP_HELD: "drop_held", a held limit reached
 *	(policy drop)
 * @FLOWSTREAM_FOS_STAT_DROP_NOMEM: "drop_nomem" (policy drop)
 * @FLOWSTREAM_FOS_STAT_DROP_PM: "drop_pm", dropped by a read-write PM or
 *	after one (a copy of a TCP segment held for reordering)
 * @FLOWSTREAM_FOS_STAT_DROP_TEARDOWN: "drop_teardown", held when the flow
 *	was deleted, the namespace went away or the module was unloaded
 * @FLOWSTREAM_FOS_STAT_DROP_DEV: "drop_dev", held when their output or
 *	input device went away
 * @FLOWSTREAM_FOS_STAT_DROP_OUTPUT: "drop_output", refused by the stack
 *	when sent on
 * @FLOWSTREAM_FOS_STAT_HELD: "held", packets held now
 * @FLOWSTREAM_FOS_STAT_HELD_BYTES: "held_bytes", their truesize
 * @FLOWSTREAM_FOS_STAT_SESSIONS: "sessions", live sessions
 * @FLOWSTREAM_FOS_STAT_SESSIONS_CREATED: "sessions_created"
 * @FLOWSTREAM_FOS_STAT_SESSIONS_ENDED: "sessions_ended" (idle, or their
 *	flow deleted)
 * @FLOWSTREAM_FOS_STAT_TCP_GAPS: "tcp_gaps", holes given up on after
 *	hole-timeout
 * @FLOWSTREAM_FOS_STAT_TCP_OOO: "tcp_ooo", segments held for reordering
 * @FLOWSTREAM_FOS_STAT_SPLIT: "split", packets a read-write PM released in
 *	part, sent on as two (so packets_in + split = packets_out + bypass_*
 *	+ drop_* + held)
 * @FLOWSTREAM_FOS_STAT_MIG_CHAINED: "mig_chained", packets of a state
 *	migration's set that daisy-chains (FLOWSTREAM_MIG_A_VIA4/VIA6) with
 *	no session here: not taken, no session created, sent on to the
 *	migration's next hop (not in packets_in)
 * @FLOWSTREAM_FOS_STAT_MIG_NOROUTE: "mig_noroute", such packets whose
 *	next hop had no unicast route: taken here as if no migration ran (in
 *	packets_in)
 */
enum flowstream_fos_stat {
	FLOWSTREAM_FOS_STAT_UNSPEC,
	FLOWSTREAM_FOS_STAT_PACKETS_IN,
	FLOWSTREAM_FOS_STAT_BYTES_IN,
	FLOWSTREAM_FOS_STAT_PACKETS_OUT,
	FLOWSTREAM_FOS_STAT_BYTES_OUT,
	FLOWSTREAM_FOS_STAT_BYPASS_SESSIONS,
	FLOWSTREAM_FOS_STAT_BYPASS_HELD,
	FLOWSTREAM_FOS_STAT_BYPASS_NOMEM,
	FLOWSTREAM_FOS_STAT_DROP_SESSIONS,
	FLOWSTREAM_FOS_STAT_DROP_HELD,
	FLOWSTREAM_FOS_STAT_DROP_NOMEM,
	FLOWSTREAM_FOS_STAT_DROP_PM,
	FLOWSTREAM_FOS_STAT_DROP_TEARDOWN,
	FLOWSTREAM_FOS_STAT_DROP_DEV,
	FLOWSTREAM_FOS_STAT_DROP_OUTPUT,
	FLOWSTREAM_FOS_STAT_HELD,
	FLOWSTREAM_FOS_STAT_HELD_BYTES,
	FLOWSTREAM_FOS_STAT_SESSIONS,
	FLOWSTREAM_FOS_STAT_SESSIONS_CREATED,
	FLOWSTREAM_FOS_STAT_SESSIONS_ENDED,
	FLOWSTREAM_FOS_STAT_TCP_GAPS,
	FLOWSTREAM_FOS_STAT_TCP_OOO,
	FLOWSTREAM_FOS_STAT_SPLIT,
	FLOWSTREAM_FOS_STAT_MIG_CHAINED,
	FLOWSTREAM_FOS_STAT_MIG_NOROUTE,

	__FLOWSTREAM_FOS_STAT_MAX
};

#define FLOWSTREAM_FOS_STAT_MAX (__FLOWSTREAM_FOS_STAT_MAX - 1)

/*
 * enum flowstream_att_stat - an attachment's counters
 * (FLOWSTREAM_ATT_A_STATS)
 * @FLOWSTREAM_ATT_STAT_UNITS: "units", data units released by the PM
 * @FLOWSTREAM_ATT_STAT_BYTES: "bytes", their stream bytes
 * @FLOWSTREAM_ATT_STAT_DROPPED: "dropped", units the PM dropped
 * @FLOWSTREAM_ATT_STAT_WINDOWS: "windows", windows processed (calls)
 * @FLOWSTREAM_ATT_STAT_QUEUED: "queued", units in its windows now
 * @FLOWSTREAM_ATT_STAT_SESSIONS: "sessions", sessions with its state
 * @FLOWSTREAM_ATT_STAT_CPU_NS: "cpu_ns", time spent in the PM's
 *	callbacks
 */
enum flowstream_att_stat {
	FLOWSTREAM_ATT_STAT_UNSPEC,
	FLOWSTREAM_ATT_STAT_UNITS,
	FLOWSTREAM_ATT_STAT_BYTES,
	FLOWSTREAM_ATT_STAT_DROPPED,
	FLOWSTREAM_ATT_STAT_WINDOWS,
	FLOWSTREAM_ATT_STAT_QUEUED,
	FLOWSTREAM_ATT_STAT_SESSIONS,
	FLOWSTREAM_ATT_STAT_CPU_NS,

	__FLOWSTREAM_ATT_STAT_MAX
};

#define FLOWSTREAM_ATT_STAT_MAX (__FLOWSTREAM_ATT_STAT_MAX - 1)

/*
 * enum flowstream_mpfx_attr - one prefix of a migration's set
 * (FLOWSTREAM_MIG_A_PREFIX)
 * @FLOWSTREAM_MPFX_A_FAMILY: u8, AF_INET or AF_INET6
 * @FLOWSTREAM_MPFX_A_ADDR: binary, 4 or 16 bytes (as FAMILY), network
 *	order, no host bits set beyond LEN
 * @FLOWSTREAM_MPFX_A_LEN: u8, 0..32 or 0..128
 * @FLOWSTREAM_MPFX_A_KEY: u8 enum flowstream_smp_key: the flow's source
 *	or destination address is in the prefix. Default dst
 */
enum flowstream_mpfx_attr {
	FLOWSTREAM_MPFX_A_UNSPEC,
	FLOWSTREAM_MPFX_A_FAMILY,
	FLOWSTREAM_MPFX_A_ADDR,
	FLOWSTREAM_MPFX_A_LEN,
	FLOWSTREAM_MPFX_A_KEY,

	__FLOWSTREAM_MPFX_A_MAX
};

#define FLOWSTREAM_MPFX_A_MAX (__FLOWSTREAM_MPFX_A_MAX - 1)

/*
 * enum flowstream_mig_attr - a state migration (FLOWSTREAM_A_MIGRATION),
 * see Documentation/migration.rst
 * @FLOWSTREAM_MIG_A_PAD: padding for 64-bit values
 * @FLOWSTREAM_MIG_A_ID: u32, assigned by MIG_ADD, never reused in the
 *	namespace while the module is loaded
 * @FLOWSTREAM_MIG_A_PREFIX: nest of FLOWSTREAM_MPFX_A_*, repeated: the set
 *	of flows that moves is the union of the prefixes (at most the
 *	"mig_max_prefixes" module parameter, default 64, at most 1024)
 * @FLOWSTREAM_MIG_A_BATCH_SIZE: u32, in a MIG_EXPORT request: records per
 *	message, 1 to the "mig_max_batch" module parameter (default 256).
 *	Default 64
 * @FLOWSTREAM_MIG_A_EXPORTED: u64, records handed out so far (reply only)
 * @FLOWSTREAM_MIG_A_PACKETS: u64, their packets (reply only)
 * @FLOWSTREAM_MIG_A_BYTES: u64, their bytes (reply only)
 * @FLOWSTREAM_MIG_A_BATCHES: u64, export messages sent (reply only)
 * @FLOWSTREAM_MIG_A_VIA4: binary (4 bytes, network order), in MIG_ADD:
 *	the IPv4 next hop (the host taking the set over, on a link shared
 *	with this one) to which packets of the set's IPv4 prefixes with no
 *	flow record here are daisy-chained
 * @FLOWSTREAM_MIG_A_VIA6: binary (16 bytes), in MIG_ADD: the same for the
 *	IPv6 prefixes
 * @FLOWSTREAM_MIG_A_CHAINED: u64, packets daisy-chained so far (reply
 *	only)
 * @FLOWSTREAM_MIG_A_SESSIONS: u64, FlowOS sessions of the set still on
 *	this host (the states left), when the reply was built (reply only)
 * @FLOWSTREAM_MIG_A_RECORDS: u64, flow records of the set still on this
 *	host (the other states left), when the reply was built: a walk of
 *	the whole record table (reply only)
 * @FLOWSTREAM_MIG_A_PHASE: u8 enum flowstream_mig_phase, set by MIG_SET;
 *	NEW when added
 * @FLOWSTREAM_MIG_A_IMPORTED: u64, records MIG_IMPORT took in for this
 *	migration (on the receiving host; reply only)
 * @FLOWSTREAM_MIG_A_EVENT: u8 enum flowstream_mig_event, what a MIG_NTF
 *	announces (notification only)
 * @FLOWSTREAM_MIG_A_OWNED: flag, in MIG_ADD: the migration belongs to the
 *	requesting socket, its exported records stay pending until
 *	acknowledged (see MIG_ACK); in replies: it is owned
 * @FLOWSTREAM_MIG_A_SEQ: u32, in each MIG_EXPORT message of an OWNED
 *	migration: the message's number, from 1; in MIG_ACK: the last
 *	message the other host has
 * @FLOWSTREAM_MIG_A_PENDING: u64, records handed out and not acknowledged
 *	(reply only)
 * @FLOWSTREAM_MIG_A_TAKEN_BACK: u64, records taken back into the table
 *	(reply only; a DELETED MIG_NTF has the final count)
 * @FLOWSTREAM_MIG_A_TAKEBACK_FAILED: u64, pending records that could not
 *	be taken back (reply only)
 */
enum flowstream_mig_attr {
	FLOWSTREAM_MIG_A_UNSPEC,
	FLOWSTREAM_MIG_A_PAD,
	FLOWSTREAM_MIG_A_ID,
	FLOWSTREAM_MIG_A_PREFIX,
	FLOWSTREAM_MIG_A_BATCH_SIZE,
	FLOWSTREAM_MIG_A_EXPORTED,
	FLOWSTREAM_MIG_A_PACKETS,
	FLOWSTREAM_MIG_A_BYTES,
	FLOWSTREAM_MIG_A_BATCHES,
	FLOWSTREAM_MIG_A_VIA4,
	FLOWSTREAM_MIG_A_VIA6,
	FLOWSTREAM_MIG_A_CHAINED,
	FLOWSTREAM_MIG_A_SESSIONS,
	FLOWSTREAM_MIG_A_RECORDS,
	FLOWSTREAM_MIG_A_PHASE,
	FLOWSTREAM_MIG_A_IMPORTED,
	FLOWSTREAM_MIG_A_EVENT,
	FLOWSTREAM_MIG_A_OWNED,
	FLOWSTREAM_MIG_A_SEQ,
	FLOWSTREAM_MIG_A_PENDING,
	FLOWSTREAM_MIG_A_TAKEN_BACK,
	FLOWSTREAM_MIG_A_TAKEBACK_FAILED,

	__FLOWSTREAM_MIG_A_MAX
};

#define FLOWSTREAM_MIG_A_MAX (__FLOWSTREAM_MIG_A_MAX - 1)

/*
 * enum flowstream_mig_phase - where a migration is (FLOWSTREAM_MIG_A_PHASE)
 * @FLOWSTREAM_MIG_PHASE_NEW: added, nothing moved yet
 * @FLOWSTREAM_MIG_PHASE_IDLE: daisy-chaining: new flows of the set start
 *	on the other host while this one's end
 * @FLOWSTREAM_MIG_PHASE_COPY: the states left are being copied
 * @FLOWSTREAM_MIG_PHASE_DONE: every state of the set has moved
 * @FLOWSTREAM_MIG_PHASE_CANCELED: stopped before the end (by the
 *	operator, or because the other host failed); what it had not
 *	acknowledged is back here
 */
enum flowstream_mig_phase {
	FLOWSTREAM_MIG_PHASE_NEW,
	FLOWSTREAM_MIG_PHASE_IDLE,
	FLOWSTREAM_MIG_PHASE_COPY,
	FLOWSTREAM_MIG_PHASE_DONE,
	FLOWSTREAM_MIG_PHASE_CANCELED,

	__FLOWSTREAM_MIG_PHASE_MAX
};

/*
 * enum flowstream_mig_event - what a MIG_NTF announces
 * (FLOWSTREAM_MIG_A_EVENT)
 * @FLOWSTREAM_MIG_EV_ADDED: MIG_ADD
 * @FLOWSTREAM_MIG_EV_PHASE: MIG_SET changed the phase
 * @FLOWSTREAM_MIG_EV_EXPORTED: a part of a MIG_EXPORT dump handed records out
 * @FLOWSTREAM_MIG_EV_IMPORTED: a MIG_IMPORT took records in
 * @FLOWSTREAM_MIG_EV_DELETED: MIG_DEL
 */
enum flowstream_mig_event {
	FLOWSTREAM_MIG_EV_ADDED,
	FLOWSTREAM_MIG_EV_PHASE,
	FLOWSTREAM_MIG_EV_EXPORTED,
	FLOWSTREAM_MIG_EV_IMPORTED,
	FLOWSTREAM_MIG_EV_DELETED,

	__FLOWSTREAM_MIG_EV_MAX
};

/*
 * enum flowstream_batch_attr - a batch of migrated flow records
 * (FLOWSTREAM_A_BATCH)
 * @FLOWSTREAM_BATCH_A_RECORD: nest of FLOWSTREAM_REC_A_*, repeated: one
 *	flow record with its key, PACKETS, BYTES, FIRST_MS and LAST_MS (and
 *	optionally OIF, DSCP, TCP_FLAGS, END "migrated")
 */
enum flowstream_batch_attr {
	FLOWSTREAM_BATCH_A_UNSPEC,
	FLOWSTREAM_BATCH_A_RECORD,

	__FLOWSTREAM_BATCH_A_MAX
};

#define FLOWSTREAM_BATCH_A_MAX (__FLOWSTREAM_BATCH_A_MAX - 1)

#endif /* _UAPI_LINUX_FLOWSTREAM_H */

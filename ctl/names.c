// SPDX-License-Identifier: GPL-2.0
/*
 * Names of features, counters, configuration keys, end reasons and
 * protocols, as documented in <linux/flowstream.h>. Unknown values get
 * generated names ("bitN", "stat_N", "end_N") so an older flowctl still
 * shows everything a newer module sends.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/flowstream.h>

#include "parse.h"

#include "names.h"
#include "output.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const feature_names[] = {
	[FLOWSTREAM_FEAT_ACCT_BIT]	= "acct",
	[FLOWSTREAM_FEAT_SAMPLER_BIT]	= "sampler",
	[FLOWSTREAM_FEAT_FLOWOS_BIT]	= "flowos",
	[FLOWSTREAM_FEAT_MIGRATE_BIT]	= "migrate",
};

_Static_assert(ARRAY_SIZE(feature_names) == __FLOWSTREAM_FEAT_BIT_MAX,
	       "name every FLOWSTREAM_FEAT_*_BIT");

static const char *const stat_names[] = {
	[FLOWSTREAM_STAT_NL_REQUESTS]		= "nl_requests",
	[FLOWSTREAM_STAT_NL_REJECTED]		= "nl_rejected",
	[FLOWSTREAM_STAT_CONFIG_CHANGES]	= "config_changes",
	[FLOWSTREAM_STAT_NOTIFY_FAILED]		= "notify_failed",
	[FLOWSTREAM_STAT_ACCT_PACKETS]		= "acct_packets",
	[FLOWSTREAM_STAT_ACCT_BYTES]		= "acct_bytes",
	[FLOWSTREAM_STAT_ACCT_FRAGMENTS]	= "acct_fragments",
	[FLOWSTREAM_STAT_ACCT_RECORDS_CREATED]	= "records_created",
	[FLOWSTREAM_STAT_ACCT_RECORDS_ENDED]	= "records_ended",
	[FLOWSTREAM_STAT_ACCT_RECORDS_EVICTED]	= "records_evicted",
	[FLOWSTREAM_STAT_ACCT_DROP_LIMIT]	= "acct_drop_limit",
	[FLOWSTREAM_STAT_ACCT_DROP_NOMEM]	= "acct_drop_nomem",
	[FLOWSTREAM_STAT_ACCT_DROP_MALFORMED]	= "acct_drop_malformed",
	[FLOWSTREAM_STAT_EVENTS_SENT]		= "events_sent",
	[FLOWSTREAM_STAT_EVENTS_DROPPED]	= "events_dropped",
	[FLOWSTREAM_STAT_SMP_SAMPLED]		= "smp_sampled",
	[FLOWSTREAM_STAT_SMP_UNMATCHED]		= "smp_unmatched",
	[FLOWSTREAM_STAT_SMP_DROP_MALFORMED]	= "smp_drop_malformed",
	[FLOWSTREAM_STAT_SMP_WINDOWS]		= "smp_windows",
	[FLOWSTREAM_STAT_MIG_EXPORTED]		= "mig_exported",
	[FLOWSTREAM_STAT_MIG_IMPORTED]		= "mig_imported",
	[FLOWSTREAM_STAT_MIG_MERGED]		= "mig_merged",
	[FLOWSTREAM_STAT_MIG_BATCHES_REFUSED]	= "mig_batches_refused",
	[FLOWSTREAM_STAT_MIG_CHAINED]		= "mig_chained",
	[FLOWSTREAM_STAT_MIG_CHAIN_NOROUTE]	= "mig_chain_noroute",
	[FLOWSTREAM_STAT_MIG_TAKEN_BACK]	= "mig_taken_back",
	[FLOWSTREAM_STAT_MIG_TAKEBACK_FAILED]	= "mig_takeback_failed",
};

_Static_assert(ARRAY_SIZE(stat_names) == __FLOWSTREAM_STAT_MAX,
	       "name every FLOWSTREAM_STAT_*");

static const char *const end_names[] = {
	[FLOWSTREAM_END_NONE]		= "live",
	[FLOWSTREAM_END_IDLE]		= "idle",
	[FLOWSTREAM_END_ACTIVE]		= "active",
	[FLOWSTREAM_END_EOF]		= "eof",
	[FLOWSTREAM_END_EVICTED]	= "evicted",
	[FLOWSTREAM_END_FLUSHED]	= "flushed",
	[FLOWSTREAM_END_NETNS]		= "netns",
	[FLOWSTREAM_END_MIGRATED]	= "migrated",
};

_Static_assert(ARRAY_SIZE(end_names) == __FLOWSTREAM_END_MAX,
	       "name every FLOWSTREAM_END_*");

static const char *const fos_stat_names[] = {
	[FLOWSTREAM_FOS_STAT_PACKETS_IN]	= "packets_in",
	[FLOWSTREAM_FOS_STAT_BYTES_IN]		= "bytes_in",
	[FLOWSTREAM_FOS_STAT_PACKETS_OUT]	= "packets_out",
	[FLOWSTREAM_FOS_STAT_BYTES_OUT]		= "bytes_out",
	[FLOWSTREAM_FOS_STAT_BYPASS_SESSIONS]	= "bypass_sessions",
	[FLOWSTREAM_FOS_STAT_BYPASS_HELD]	= "bypass_held",
	[FLOWSTREAM_FOS_STAT_BYPASS_NOMEM]	= "bypass_nomem",
	[FLOWSTREAM_FOS_STAT_DROP_SESSIONS]	= "drop_sessions",
	[FLOWSTREAM_FOS_STAT_DROP_HELD]		= "drop_held",
	[FLOWSTREAM_FOS_STAT_DROP_NOMEM]	= "drop_nomem",
	[FLOWSTREAM_FOS_STAT_DROP_PM]		= "drop_pm",
	[FLOWSTREAM_FOS_STAT_DROP_TEARDOWN]	= "drop_teardown",
	[FLOWSTREAM_FOS_STAT_DROP_DEV]		= "drop_dev",
	[FLOWSTREAM_FOS_STAT_DROP_OUTPUT]	= "drop_output",
	[FLOWSTREAM_FOS_STAT_HELD]		= "held",
	[FLOWSTREAM_FOS_STAT_HELD_BYTES]	= "held_bytes",
	[FLOWSTREAM_FOS_STAT_SESSIONS]		= "sessions",
	[FLOWSTREAM_FOS_STAT_SESSIONS_CREATED]	= "sessions_created",
	[FLOWSTREAM_FOS_STAT_SESSIONS_ENDED]	= "sessions_ended",
	[FLOWSTREAM_FOS_STAT_TCP_GAPS]		= "tcp_gaps",
	[FLOWSTREAM_FOS_STAT_TCP_OOO]		= "tcp_ooo",
	[FLOWSTREAM_FOS_STAT_SPLIT]		= "split",
	[FLOWSTREAM_FOS_STAT_MIG_CHAINED]	= "mig_chained",
	[FLOWSTREAM_FOS_STAT_MIG_NOROUTE]	= "mig_noroute",
};

_Static_assert(ARRAY_SIZE(fos_stat_names) == __FLOWSTREAM_FOS_STAT_MAX,
	       "name every FLOWSTREAM_FOS_STAT_*");

static const char *const att_stat_names[] = {
	[FLOWSTREAM_ATT_STAT_UNITS]	= "units",
	[FLOWSTREAM_ATT_STAT_BYTES]	= "bytes",
	[FLOWSTREAM_ATT_STAT_DROPPED]	= "dropped",
	[FLOWSTREAM_ATT_STAT_WINDOWS]	= "windows",
	[FLOWSTREAM_ATT_STAT_QUEUED]	= "queued",
	[FLOWSTREAM_ATT_STAT_SESSIONS]	= "sessions",
	[FLOWSTREAM_ATT_STAT_CPU_NS]	= "cpu_ns",
};

_Static_assert(ARRAY_SIZE(att_stat_names) == __FLOWSTREAM_ATT_STAT_MAX,
	       "name every FLOWSTREAM_ATT_STAT_*");

const char *const fs_stream_names[] = {
	[FLOWSTREAM_STREAM_IP]	= "ip",
	[FLOWSTREAM_STREAM_TCP]	= "tcp",
	[FLOWSTREAM_STREAM_UDP]	= "udp",
};

_Static_assert(ARRAY_SIZE(fs_stream_names) == __FLOWSTREAM_STREAM_MAX,
	       "name every FLOWSTREAM_STREAM_*");

const char *const fs_fos_policy_names[] = {
	[FLOWSTREAM_FOS_POLICY_DROP]	= "drop",
	[FLOWSTREAM_FOS_POLICY_BYPASS]	= "bypass",
};

_Static_assert(ARRAY_SIZE(fs_fos_policy_names) == __FLOWSTREAM_FOS_POLICY_MAX,
	       "name every FLOWSTREAM_FOS_POLICY_*");

const char *const fs_pm_mode_names[] = {
	[FLOWSTREAM_PM_MODE_RO]	= "ro",
	[FLOWSTREAM_PM_MODE_RW]	= "rw",
};

_Static_assert(ARRAY_SIZE(fs_pm_mode_names) == __FLOWSTREAM_PM_MODE_MAX,
	       "name every FLOWSTREAM_PM_MODE_*");

const char *const fs_overload_names[] = {
	[FLOWSTREAM_OVERLOAD_REFUSE]	= "refuse",
	[FLOWSTREAM_OVERLOAD_EVICT]	= "evict",
};

_Static_assert(ARRAY_SIZE(fs_overload_names) == __FLOWSTREAM_OVERLOAD_MAX,
	       "name every FLOWSTREAM_OVERLOAD_*");

const char *const fs_smp_mode_names[] = {
	[FLOWSTREAM_SMP_MODE_DETERMINISTIC]	= "deterministic",
	[FLOWSTREAM_SMP_MODE_RANDOM]		= "random",
};

_Static_assert(ARRAY_SIZE(fs_smp_mode_names) == __FLOWSTREAM_SMP_MODE_MAX,
	       "name every FLOWSTREAM_SMP_MODE_*");

const char *const fs_smp_key_names[] = {
	[FLOWSTREAM_SMP_KEY_DST]	= "dst",
	[FLOWSTREAM_SMP_KEY_SRC]	= "src",
};

_Static_assert(ARRAY_SIZE(fs_smp_key_names) == __FLOWSTREAM_SMP_KEY_MAX,
	       "name every FLOWSTREAM_SMP_KEY_*");

#define CFG_U32(n, j, a, v)	{ .name = n, .json = j, .attr = a, \
				  .type = FS_CFG_U32, .value = v }

const struct fs_cfg_key fs_cfg_keys[] = {
	CFG_U32("node-id", "node_id", FLOWSTREAM_CFG_A_NODE_ID, "U32"),
	{ .name = "acct", .json = "acct", .attr = FLOWSTREAM_CFG_A_ACCT_ENABLE,
	  .type = FS_CFG_BOOL, .value = "{ on | off }" },
	CFG_U32("idle-timeout", "idle_timeout",
		FLOWSTREAM_CFG_A_ACCT_IDLE_TIMEOUT, "SECONDS"),
	CFG_U32("active-timeout", "active_timeout",
		FLOWSTREAM_CFG_A_ACCT_ACTIVE_TIMEOUT, "SECONDS"),
	CFG_U32("fin-timeout", "fin_timeout",
		FLOWSTREAM_CFG_A_ACCT_FIN_TIMEOUT, "SECONDS"),
	CFG_U32("max-records", "max_records",
		FLOWSTREAM_CFG_A_ACCT_MAX_RECORDS, "N"),
	{ .name = "overload", .json = "overload",
	  .attr = FLOWSTREAM_CFG_A_ACCT_OVERLOAD, .type = FS_CFG_ENUM,
	  .value = "{ refuse | evict }", .names = fs_overload_names,
	  .nnames = __FLOWSTREAM_OVERLOAD_MAX },
	{ .name = "buckets", .json = "buckets",
	  .attr = FLOWSTREAM_CFG_A_ACCT_BUCKETS, .type = FS_CFG_U32,
	  .value = "N", .readonly = true },
	CFG_U32("fos-max-held", "fos_max_held",
		FLOWSTREAM_CFG_A_FOS_MAX_HELD, "N"),
	CFG_U32("fos-max-held-bytes", "fos_max_held_bytes",
		FLOWSTREAM_CFG_A_FOS_MAX_HELD_BYTES, "BYTES"),
};

const size_t fs_cfg_nkeys = ARRAY_SIZE(fs_cfg_keys);
_Static_assert(ARRAY_SIZE(fs_cfg_keys) == FLOWSTREAM_CFG_A_MAX,
	       "one fs_cfg_keys[] row per FLOWSTREAM_CFG_A_*");
_Static_assert(__FLOWSTREAM_CFG_A_MAX <= 64, "struct fs_config.present");

/*
 * The keys of "sampler show" and "sampler set", in FLOWSTREAM_SMP_A_*
 * order; the window and the unmatched counts are printed on their own.
 */
const struct fs_cfg_key fs_smp_keys[] = {
	{ .name = "enable", .json = "enable", .attr = FLOWSTREAM_SMP_A_ENABLE,
	  .type = FS_CFG_BOOL, .value = "{ on | off }" },
	CFG_U32("rate", "rate", FLOWSTREAM_SMP_A_RATE, "N"),
	{ .name = "mode", .json = "mode", .attr = FLOWSTREAM_SMP_A_MODE,
	  .type = FS_CFG_ENUM, .value = "{ deterministic | random }",
	  .names = fs_smp_mode_names, .nnames = __FLOWSTREAM_SMP_MODE_MAX },
	{ .name = "key", .json = "key", .attr = FLOWSTREAM_SMP_A_KEY,
	  .type = FS_CFG_ENUM, .value = "{ src | dst }",
	  .names = fs_smp_key_names, .nnames = __FLOWSTREAM_SMP_KEY_MAX },
	CFG_U32("max-prefixes", "max_prefixes", FLOWSTREAM_SMP_A_MAX_PREFIXES,
		"N"),
	CFG_U32("max-counters", "max_counters", FLOWSTREAM_SMP_A_MAX_COUNTERS,
		"N"),
	{ .name = "prefixes", .json = "prefixes",
	  .attr = FLOWSTREAM_SMP_A_PREFIXES, .type = FS_CFG_U32,
	  .value = "N", .readonly = true },
	{ .name = "counters", .json = "counters",
	  .attr = FLOWSTREAM_SMP_A_COUNTERS, .type = FS_CFG_U32,
	  .value = "N", .readonly = true },
	{ .name = "memory", .json = "memory", .attr = FLOWSTREAM_SMP_A_MEMORY,
	  .type = FS_CFG_U64, .value = "BYTES", .readonly = true },
	CFG_U32("max-len", "max_len", FLOWSTREAM_SMP_A_MAX_LEN, "BYTES"),
	{ .name = "window", .json = "window", .attr = FLOWSTREAM_SMP_A_WINDOW,
	  .type = FS_CFG_U64, .value = "N", .readonly = true },
	{ .name = "kept-window", .json = "kept_window",
	  .attr = FLOWSTREAM_SMP_A_KEPT_WINDOW, .type = FS_CFG_U64,
	  .value = "N", .readonly = true },
};

const size_t fs_smp_nkeys = ARRAY_SIZE(fs_smp_keys);
_Static_assert(__FLOWSTREAM_SMP_A_MAX <= 64, "struct fs_sampler.present");

const char *fs_feature_name(unsigned int bit, char *buf, size_t len)
{
	if (bit < ARRAY_SIZE(feature_names) && feature_names[bit])
		return feature_names[bit];
	snprintf(buf, len, "bit%u", bit);
	return buf;
}

const char *fs_stat_name(uint16_t type, char *buf, size_t len)
{
	if (type < ARRAY_SIZE(stat_names) && stat_names[type])
		return stat_names[type];
	snprintf(buf, len, "stat_%u", type);
	return buf;
}

/* A FlowOS flow's counter (enum flowstream_fos_stat), or "stat_N". */
const char *fs_fos_stat_name(uint16_t type, char *buf, size_t len)
{
	if (type < ARRAY_SIZE(fos_stat_names) && fos_stat_names[type])
		return fos_stat_names[type];
	snprintf(buf, len, "stat_%u", type);
	return buf;
}

/* An attachment's counter (enum flowstream_att_stat), or "stat_N". */
const char *fs_att_stat_name(uint16_t type, char *buf, size_t len)
{
	if (type < ARRAY_SIZE(att_stat_names) && att_stat_names[type])
		return att_stat_names[type];
	snprintf(buf, len, "stat_%u", type);
	return buf;
}

/* Value @val of an enum with @n names, or "@what_N" if it has none. */
const char *fs_enum_name(const char *const *names, unsigned int n,
			 const char *what, uint64_t val, char *buf, size_t len)
{
	if (val < n && names[val])
		return names[val];
	snprintf(buf, len, "%s_%llu", what, (unsigned long long)val);
	return buf;
}

/* The index of @arg among @n names; -1 if it is none of them. */
int fs_enum_parse(const char *const *names, unsigned int n, const char *arg)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(arg, names[i]))
			return i;
	return -1;
}

const char *fs_end_name(unsigned int end, char *buf, size_t len)
{
	if (end < ARRAY_SIZE(end_names))
		return end_names[end];
	snprintf(buf, len, "end_%u", end);
	return buf;
}

static const struct {
	uint8_t proto;
	const char *name;
} protos[] = {
	{ IPPROTO_ICMP,		"icmp" },
	{ IPPROTO_TCP,		"tcp" },
	{ IPPROTO_UDP,		"udp" },
	{ IPPROTO_DCCP,		"dccp" },
	{ IPPROTO_GRE,		"gre" },
	{ IPPROTO_ESP,		"esp" },
	{ IPPROTO_AH,		"ah" },
	{ IPPROTO_ICMPV6,	"icmpv6" },
	{ IPPROTO_SCTP,		"sctp" },
	{ IPPROTO_UDPLITE,	"udplite" },
};

const char *fs_proto_name(uint8_t proto)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(protos); i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	return NULL;
}

/* A protocol name or a number 0..255; returns 0 or -1. */
int fs_proto_parse(const char *arg, uint8_t *proto)
{
	uint64_t val;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		if (!strcmp(arg, protos[i].name)) {
			*proto = protos[i].proto;
			return 0;
		}
	}
	if (parse_uint(arg, UINT8_MAX, &val) != PARSE_OK)
		return -1;
	*proto = val;
	return 0;
}

/* The protocols whose records are keyed by ports (see enum flowstream_rec_attr). */
bool fs_proto_has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_DCCP || proto == IPPROTO_SCTP ||
	       proto == IPPROTO_UDPLITE;
}

/* The protocols whose records are keyed by ICMP type and code. */
bool fs_proto_is_icmp(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

const char *fs_family_name(uint8_t family)
{
	switch (family) {
	case AF_INET:
		return "inet";
	case AF_INET6:
		return "inet6";
	}
	return NULL;
}

int fs_family_parse(const char *arg, uint8_t *family)
{
	if (!strcmp(arg, "inet"))
		*family = AF_INET;
	else if (!strcmp(arg, "inet6"))
		*family = AF_INET6;
	else
		return -1;
	return 0;
}

/* Text "features: acct bit9" or "features: none"; JSON "features":[...]. */
void fs_print_features(struct output *o, uint64_t mask)
{
	unsigned int bit;
	char buf[16];

	out_list_begin(o, "features", "features:");
	for (bit = 0; bit < 64; bit++)
		if (mask & (1ULL << bit))
			out_list_item(o, fs_feature_name(bit, buf, sizeof(buf)));
	out_list_end(o);
}

const struct fs_cfg_key *fs_cfg_key_find(const char *name)
{
	size_t i;

	for (i = 0; i < fs_cfg_nkeys; i++)
		if (!strcmp(fs_cfg_keys[i].name, name))
			return &fs_cfg_keys[i];
	return NULL;
}

const struct fs_cfg_key *fs_cfg_key_by_attr(uint16_t attr)
{
	size_t i;

	for (i = 0; i < fs_cfg_nkeys; i++)
		if (fs_cfg_keys[i].attr == attr)
			return &fs_cfg_keys[i];
	return NULL;
}

static const struct fs_cfg_key *key_find(const struct fs_cfg_key *keys,
				       size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

static const struct fs_cfg_key *key_by_attr(const struct fs_cfg_key *keys,
					  size_t n, uint16_t attr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (keys[i].attr == attr)
			return &keys[i];
	return NULL;
}

const struct fs_cfg_key *fs_smp_key_find(const char *name)
{
	return key_find(fs_smp_keys, fs_smp_nkeys, name);
}

const struct fs_cfg_key *fs_smp_key_by_attr(uint16_t attr)
{
	return key_by_attr(fs_smp_keys, fs_smp_nkeys, attr);
}

uint64_t fs_cfg_type_max(enum fs_cfg_type type)
{
	switch (type) {
	case FS_CFG_U32:
		return UINT32_MAX;
	case FS_CFG_U64:
		return UINT64_MAX;
	case FS_CFG_BOOL:
	case FS_CFG_ENUM:
		break;
	}
	return UINT8_MAX;
}

/* The keyword of value @val of an FS_CFG_ENUM key, or "JSONKEY_N". */
const char *fs_cfg_enum_name(const struct fs_cfg_key *key, uint64_t val,
			     char *buf, size_t len)
{
	if (val < key->nnames && key->names[val])
		return key->names[val];
	snprintf(buf, len, "%s_%llu", key->json, (unsigned long long)val);
	return buf;
}

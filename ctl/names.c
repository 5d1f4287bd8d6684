// SPDX-License-Identifier: GPL-2.0
/*
 * Names of features, counters and configuration keys, as documented in
 * <linux/flowstream.h>. Unknown values get generated names ("bitN",
 * "stat_N") so an older flowctl still shows everything a newer module sends.
 */
#include <stdio.h>
#include <string.h>
#include <linux/flowstream.h>

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
};

_Static_assert(ARRAY_SIZE(stat_names) == __FLOWSTREAM_STAT_MAX,
	       "name every FLOWSTREAM_STAT_*");

const struct fs_cfg_key fs_cfg_keys[] = {
	{ "node-id", "node_id", FLOWSTREAM_CFG_A_NODE_ID, FS_CFG_U32, "U32" },
};

const size_t fs_cfg_nkeys = ARRAY_SIZE(fs_cfg_keys);
_Static_assert(ARRAY_SIZE(fs_cfg_keys) == FLOWSTREAM_CFG_A_MAX,
	       "one fs_cfg_keys[] row per FLOWSTREAM_CFG_A_*");
_Static_assert(__FLOWSTREAM_CFG_A_MAX <= 64, "struct fs_config.present");

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

uint64_t fs_cfg_type_max(enum fs_cfg_type type)
{
	return type == FS_CFG_U32 ? UINT32_MAX : UINT64_MAX;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of features, counters and configuration keys.
 */
#ifndef FLOWCTL_NAMES_H
#define FLOWCTL_NAMES_H

#include <stddef.h>
#include <stdint.h>

struct output;

const char *fs_feature_name(unsigned int bit, char *buf, size_t len);
const char *fs_stat_name(uint16_t type, char *buf, size_t len);
void fs_print_features(struct output *o, uint64_t mask);

/* How a configuration value travels and is parsed. */
enum fs_cfg_type {
	FS_CFG_U32,
	FS_CFG_U64,
};

/*
 * One row per FLOWSTREAM_CFG_A_* attribute: adding a key to flowctl
 * (show and set) is adding a row to fs_cfg_keys[].
 */
struct fs_cfg_key {
	const char *name;	/* command line keyword and text label */
	const char *json;	/* JSON key */
	uint16_t attr;		/* FLOWSTREAM_CFG_A_* */
	enum fs_cfg_type type;
	const char *value;	/* what VALUE is, for usage text */
};

extern const struct fs_cfg_key fs_cfg_keys[];
extern const size_t fs_cfg_nkeys;

const struct fs_cfg_key *fs_cfg_key_find(const char *name);
const struct fs_cfg_key *fs_cfg_key_by_attr(uint16_t attr);
uint64_t fs_cfg_type_max(enum fs_cfg_type type);

#endif /* FLOWCTL_NAMES_H */

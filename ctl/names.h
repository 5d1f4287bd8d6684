/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of features, counters and configuration keys.
 */
#ifndef FLOWCTL_NAMES_H
#define FLOWCTL_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct output;

const char *fs_feature_name(unsigned int bit, char *buf, size_t len);
const char *fs_stat_name(uint16_t type, char *buf, size_t len);
const char *fs_end_name(unsigned int end, char *buf, size_t len);
const char *fs_fos_stat_name(uint16_t type, char *buf, size_t len);
const char *fs_att_stat_name(uint16_t type, char *buf, size_t len);
const char *fs_enum_name(const char *const *names, unsigned int n,
			 const char *what, uint64_t val, char *buf, size_t len);
int fs_enum_parse(const char *const *names, unsigned int n, const char *arg);
void fs_print_features(struct output *o, uint64_t mask);

extern const char *const fs_overload_names[];
extern const char *const fs_smp_mode_names[];
extern const char *const fs_smp_key_names[];
extern const char *const fs_stream_names[];	/* FlowOS "ip", "tcp", "udp" */
extern const char *const fs_fos_policy_names[];	/* "drop", "bypass" */
extern const char *const fs_pm_mode_names[];	/* "ro", "rw" */

/* IP protocols by name ("tcp"), NULL for a protocol without one. */
const char *fs_proto_name(uint8_t proto);
int fs_proto_parse(const char *arg, uint8_t *proto);
bool fs_proto_has_ports(uint8_t proto);
bool fs_proto_is_icmp(uint8_t proto);

/* Address families: "inet" and "inet6". */
const char *fs_family_name(uint8_t family);
int fs_family_parse(const char *arg, uint8_t *family);

/* How a configuration value travels and is parsed. */
enum fs_cfg_type {
	FS_CFG_U32,
	FS_CFG_U64,
	FS_CFG_BOOL,	/* u8 0 or 1: "on" or "off", JSON false or true */
	FS_CFG_ENUM,	/* u8: a keyword from names[], JSON string */
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
	const char *const *names;	/* FS_CFG_ENUM: keyword of each value */
	unsigned int nnames;
	bool readonly;		/* shown, never set */
};

extern const struct fs_cfg_key fs_cfg_keys[];
extern const size_t fs_cfg_nkeys;

const struct fs_cfg_key *fs_cfg_key_find(const char *name);
const struct fs_cfg_key *fs_cfg_key_by_attr(uint16_t attr);
/* The same rows for FLOWSTREAM_SMP_A_* ("sampler show" and "sampler set"). */
extern const struct fs_cfg_key fs_smp_keys[];
extern const size_t fs_smp_nkeys;

const struct fs_cfg_key *fs_smp_key_find(const char *name);
const struct fs_cfg_key *fs_smp_key_by_attr(uint16_t attr);
uint64_t fs_cfg_type_max(enum fs_cfg_type type);
const char *fs_cfg_enum_name(const struct fs_cfg_key *key, uint64_t val,
			     char *buf, size_t len);

#endif /* FLOWCTL_NAMES_H */

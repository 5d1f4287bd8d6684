/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Key-value settings (configuration, sampler): one fs_cfg_key row per
 * attribute; reading them from a reply, printing, parsing "KEY VALUE..."
 * and putting them in a request, shared by "config" and "sampler".
 */
#ifndef FLOWCTL_SETTINGS_H
#define FLOWCTL_SETTINGS_H

#include <stdint.h>
#include <libmnl/libmnl.h>

#include "names.h"

struct output;

/* A set of keys and how its messages name it. */
struct fs_keyset {
	const char *object;		/* "config": for usage errors */
	const char *what;		/* "configuration key" */
	const struct fs_cfg_key *keys;
	size_t nkeys;
};

int keys_attr(const struct fs_cfg_key *key, const struct nlattr *attr,
	      uint64_t *val);
void keys_print(struct output *o, const struct fs_cfg_key *key, uint64_t val);
/* Values of a keyset: bit N of @present says attribute N is in @val[N]. */
int keys_parse_args(const struct fs_keyset *ks, int argc, char **argv,
		    uint64_t *present, uint64_t *val);
void keys_put(struct nlmsghdr *nlh, const struct fs_keyset *ks,
	      uint64_t present, const uint64_t *val);

#endif /* FLOWCTL_SETTINGS_H */

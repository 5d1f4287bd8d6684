// SPDX-License-Identifier: GPL-2.0
/*
 * Key-value settings shared by "config" and "sampler" (settings.h).
 */
#include <stdio.h>
#include <string.h>

#include "settings.h"
#include "output.h"
#include "parse.h"

/* The value of @attr, of @key's type; MNL_CB_OK or MNL_CB_ERROR. */
int keys_attr(const struct fs_cfg_key *key, const struct nlattr *attr,
	      uint64_t *val)
{
	switch (key->type) {
	case FS_CFG_U32:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		*val = mnl_attr_get_u32(attr);
		return MNL_CB_OK;
	case FS_CFG_U64:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		*val = mnl_attr_get_u64(attr);
		return MNL_CB_OK;
	case FS_CFG_BOOL:
	case FS_CFG_ENUM:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		*val = mnl_attr_get_u8(attr);
		return MNL_CB_OK;
	}
	return MNL_CB_ERROR;
}

/* Text "NAME VALUE" ("acct on", "overload refuse"); JSON "json":VALUE. */
void keys_print(struct output *o, const struct fs_cfg_key *key, uint64_t val)
{
	char buf[32];

	switch (key->type) {
	case FS_CFG_U32:
	case FS_CFG_U64:
		out_u64(o, key->json, key->name, val);
		break;
	case FS_CFG_BOOL:
		out_bool(o, key->json, key->name, val);
		break;
	case FS_CFG_ENUM:
		out_str(o, key->json, key->name,
			fs_cfg_enum_name(key, val, buf, sizeof(buf)));
		break;
	}
}

static int keys_parse_enum(const char *object, const struct fs_cfg_key *key,
			   const char *arg, uint64_t *val)
{
	char msg[256];
	unsigned int i;
	int len = 0;

	for (i = 0; i < key->nnames; i++) {
		if (key->names[i] && !strcmp(arg, key->names[i])) {
			*val = i;
			return 0;
		}
	}
	for (i = 0; i < key->nnames && len < (int)sizeof(msg); i++)
		len += snprintf(msg + len, sizeof(msg) - len, "%s\"%s\"",
				!i ? "" : i + 1 < key->nnames ? ", " : " or ",
				key->names[i]);
	return usage_error(object, "invalid value \"%s\" for \"%s\": expected %s",
			   arg, key->name, msg);
}

/* VALUE of @key into *@val: syntax only, the module checks ranges. */
static int keys_parse_value(const char *object, const struct fs_cfg_key *key,
			    const char *arg, uint64_t *val)
{
	enum parse_err err;
	char msg[256];

	switch (key->type) {
	case FS_CFG_U32:
	case FS_CFG_U64:
		err = parse_uint(arg, fs_cfg_type_max(key->type), val);
		if (err == PARSE_OK)
			return 0;
		parse_errmsg(msg, sizeof(msg), key->name, arg, err,
			     fs_cfg_type_max(key->type));
		return usage_error(object, "%s", msg);
	case FS_CFG_BOOL:
		if (!strcmp(arg, "on") || !strcmp(arg, "off")) {
			*val = !strcmp(arg, "on");
			return 0;
		}
		return usage_error(object,
				   "invalid value \"%s\" for \"%s\": expected \"on\" or \"off\"",
				   arg, key->name);
	case FS_CFG_ENUM:
		return keys_parse_enum(object, key, arg, val);
	}
	return usage_error(object, "cannot parse \"%s\"", key->name);
}

static const struct fs_cfg_key *keys_find(const struct fs_keyset *ks,
					  const char *name)
{
	size_t i;

	for (i = 0; i < ks->nkeys; i++)
		if (!strcmp(ks->keys[i].name, name))
			return &ks->keys[i];
	return NULL;
}

/*
 * "KEY VALUE..." into @present and @val (@present cleared first); returns
 * 0 or EXIT_USAGE after a message.
 */
int keys_parse_args(const struct fs_keyset *ks, int argc, char **argv,
		    uint64_t *present, uint64_t *val)
{
	const struct fs_cfg_key *key;
	uint64_t v;
	int i, ret;

	*present = 0;
	if (argc == 0)
		return usage_error(ks->object, "nothing to set");
	for (i = 0; i < argc; i += 2) {
		key = keys_find(ks, argv[i]);
		if (!key)
			return usage_error(ks->object, "unknown %s \"%s\"",
					   ks->what, argv[i]);
		if (i + 1 >= argc)
			return usage_error(ks->object,
					   "missing value for \"%s\"", argv[i]);
		if (key->readonly)
			return usage_error(ks->object, "%s \"%s\" is read-only",
					   ks->what, argv[i]);
		if (*present & (1ULL << key->attr))
			return usage_error(ks->object, "duplicate \"%s\"",
					   argv[i]);
		ret = keys_parse_value(ks->object, key, argv[i + 1], &v);
		if (ret)
			return ret;
		*present |= 1ULL << key->attr;
		val[key->attr] = v;
	}
	return 0;
}

/* Put the settable keys present, as attributes of their type. */
void keys_put(struct nlmsghdr *nlh, const struct fs_keyset *ks,
	      uint64_t present, const uint64_t *val)
{
	size_t i;

	for (i = 0; i < ks->nkeys; i++) {
		const struct fs_cfg_key *key = &ks->keys[i];

		if (key->readonly || !(present & (1ULL << key->attr)))
			continue;
		switch (key->type) {
		case FS_CFG_U32:
			mnl_attr_put_u32(nlh, key->attr, val[key->attr]);
			break;
		case FS_CFG_U64:
			mnl_attr_put_u64(nlh, key->attr, val[key->attr]);
			break;
		case FS_CFG_BOOL:
		case FS_CFG_ENUM:
			mnl_attr_put_u8(nlh, key->attr, val[key->attr]);
			break;
		}
	}
}

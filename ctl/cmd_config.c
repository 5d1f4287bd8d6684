// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl config: show and set the per-namespace configuration. Keys come
 * from fs_cfg_keys[] (names.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "flowctl.h"

static void usage(FILE *fp)
{
	size_t i;

	const char *sep = " ";

	fputs("Usage: flowctl config [show]\n"
	      "       flowctl config set KEY VALUE [KEY VALUE]...\n"
	      "       flowctl config help\n"
	      "where  KEY VALUE := {", fp);
	for (i = 0; i < fs_cfg_nkeys; i++) {
		if (fs_cfg_keys[i].readonly)
			continue;
		fprintf(fp, "%s%s %s", sep, fs_cfg_keys[i].name,
			fs_cfg_keys[i].value);
		sep = "\n                    | ";
	}
	fputs(" }\n"
	      "Numbers are decimal or 0x-prefixed hexadecimal. Keys not given\n"
	      "keep their value; the change is all or nothing. The module checks\n"
	      "the ranges.\n", fp);
}

static int cfg_attr_cb(const struct nlattr *attr, void *data)
{
	const struct fs_cfg_key *key;
	struct fs_config *cfg = data;
	uint64_t val;

	key = fs_cfg_key_by_attr(mnl_attr_get_type(attr));
	if (!key)
		return MNL_CB_OK;	/* a newer module's key */
	switch (key->type) {
	case FS_CFG_U32:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		val = mnl_attr_get_u32(attr);
		break;
	case FS_CFG_U64:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		val = mnl_attr_get_u64(attr);
		break;
	case FS_CFG_BOOL:
	case FS_CFG_ENUM:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		val = mnl_attr_get_u8(attr);
		break;
	default:
		return MNL_CB_ERROR;
	}
	cfg->present |= 1ULL << key->attr;
	cfg->val[key->attr] = val;
	return MNL_CB_OK;
}

/* Parse a FLOWSTREAM_A_CONFIG nest into @cfg; returns 0 or -1. */
int config_parse_nest(const struct nlattr *nest, struct fs_config *cfg)
{
	if (mnl_attr_parse_nested(nest, cfg_attr_cb, cfg) < 0)
		return -1;
	cfg->seen = true;
	return 0;
}

static int config_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) != FLOWSTREAM_A_CONFIG)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
	    config_parse_nest(attr, data) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/* mnl_cb_t for the GET_CONFIG reply; @data is a struct fs_config. */
int config_parse(const struct nlmsghdr *nlh, void *data)
{
	return fs_nl_parse_genl(nlh, config_attr_cb, data);
}

/*
 * Text "node-id 7", "acct on", "overload refuse" lines; JSON "node_id":7,
 * "acct":true, "overload":"refuse" members of the current object.
 */
void config_print(struct output *o, const struct fs_config *cfg)
{
	char buf[32];
	uint64_t val;
	size_t i;

	for (i = 0; i < fs_cfg_nkeys; i++) {
		const struct fs_cfg_key *key = &fs_cfg_keys[i];

		if (!(cfg->present & (1ULL << key->attr)))
			continue;
		val = cfg->val[key->attr];
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
}

/* VALUE of @key into *@val: syntax only, the module checks ranges. */
static int config_parse_value(const struct fs_cfg_key *key, const char *arg,
			      uint64_t *val)
{
	enum parse_err err;
	char msg[256];
	int len = 0;
	unsigned int i;

	switch (key->type) {
	case FS_CFG_U32:
	case FS_CFG_U64:
		err = parse_uint(arg, fs_cfg_type_max(key->type), val);
		if (err == PARSE_OK)
			return 0;
		parse_errmsg(msg, sizeof(msg), key->name, arg, err,
			     fs_cfg_type_max(key->type));
		return usage_error("config", "%s", msg);
	case FS_CFG_BOOL:
		if (!strcmp(arg, "on") || !strcmp(arg, "off")) {
			*val = !strcmp(arg, "on");
			return 0;
		}
		return usage_error("config",
				   "invalid value \"%s\" for \"%s\": expected \"on\" or \"off\"",
				   arg, key->name);
	case FS_CFG_ENUM:
		for (i = 0; i < key->nnames; i++) {
			if (key->names[i] && !strcmp(arg, key->names[i])) {
				*val = i;
				return 0;
			}
		}
		for (i = 0; i < key->nnames && len < (int)sizeof(msg); i++)
			len += snprintf(msg + len, sizeof(msg) - len, "%s\"%s\"",
					!i ? "" : i + 1 < key->nnames ? ", " :
					" or ", key->names[i]);
		return usage_error("config",
				   "invalid value \"%s\" for \"%s\": expected %s",
				   arg, key->name, msg);
	}
	return usage_error("config", "cannot parse \"%s\"", key->name);
}

/* Parse "KEY VALUE..." into @cfg; returns 0 or EXIT_USAGE after a message. */
int config_parse_args(int argc, char **argv, struct fs_config *cfg)
{
	const struct fs_cfg_key *key;
	uint64_t val;
	int i, ret;

	memset(cfg, 0, sizeof(*cfg));
	if (argc == 0)
		return usage_error("config", "nothing to set");
	for (i = 0; i < argc; i += 2) {
		key = fs_cfg_key_find(argv[i]);
		if (!key)
			return usage_error("config",
					   "unknown configuration key \"%s\"",
					   argv[i]);
		if (i + 1 >= argc)
			return usage_error("config", "missing value for \"%s\"",
					   argv[i]);
		if (key->readonly)
			return usage_error("config",
					   "configuration key \"%s\" is read-only",
					   argv[i]);
		if (cfg->present & (1ULL << key->attr))
			return usage_error("config", "duplicate \"%s\"",
					   argv[i]);
		ret = config_parse_value(key, argv[i + 1], &val);
		if (ret)
			return ret;
		cfg->present |= 1ULL << key->attr;
		cfg->val[key->attr] = val;
	}
	return 0;
}

/* Append FLOWSTREAM_A_CONFIG with the keys present in @cfg to @nlh. */
void config_put(struct nlmsghdr *nlh, const struct fs_config *cfg)
{
	struct nlattr *nest;
	size_t i;

	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_CONFIG);
	for (i = 0; i < fs_cfg_nkeys; i++) {
		const struct fs_cfg_key *key = &fs_cfg_keys[i];

		if (!(cfg->present & (1ULL << key->attr)))
			continue;
		switch (key->type) {
		case FS_CFG_U32:
			mnl_attr_put_u32(nlh, key->attr, cfg->val[key->attr]);
			break;
		case FS_CFG_U64:
			mnl_attr_put_u64(nlh, key->attr, cfg->val[key->attr]);
			break;
		case FS_CFG_BOOL:
		case FS_CFG_ENUM:
			mnl_attr_put_u8(nlh, key->attr, cfg->val[key->attr]);
			break;
		}
	}
	mnl_attr_nest_end(nlh, nest);
}

static int config_show(struct flowctl *fc)
{
	struct fs_config cfg = { 0 };
	struct nlmsghdr *nlh;
	int ret;

	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_GET_CONFIG);
	if (!nlh)
		return 1;
	ret = fs_nl_run(fc->nl, nlh, config_parse, &cfg);
	if (ret)
		return ret;
	if (!cfg.seen)
		return fs_nl_incomplete();
	config_print(fc->out, &cfg);
	return out_finish(fc->out) ? 1 : 0;
}

static int config_set(struct flowctl *fc, int argc, char **argv)
{
	struct fs_config cfg;
	struct nlmsghdr *nlh;
	int ret;

	ret = config_parse_args(argc, argv, &cfg);
	if (ret)
		return ret;
	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_SET_CONFIG);
	if (!nlh)
		return 1;
	config_put(nlh, &cfg);
	return fs_nl_run(fc->nl, nlh, NULL, NULL);
}

int cmd_config(struct flowctl *fc, int argc, char **argv)
{
	if (argc == 0 || !strcmp(argv[0], "show")) {
		if (argc > 1)
			return usage_error("config",
					   "unexpected argument \"%s\"",
					   argv[1]);
		return config_show(fc);
	}
	if (!strcmp(argv[0], "set"))
		return config_set(fc, argc - 1, argv + 1);
	if (is_help(argv[0])) {
		usage(stdout);
		return 0;
	}
	return usage_error("config", "unknown command \"%s\"", argv[0]);
}

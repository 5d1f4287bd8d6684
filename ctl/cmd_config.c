// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl config: show and set the per-namespace configuration. Keys come
 * from fs_cfg_keys[] (names.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "flowctl.h"
#include "settings.h"

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
	if (keys_attr(key, attr, &val) != MNL_CB_OK)
		return MNL_CB_ERROR;
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
	size_t i;

	for (i = 0; i < fs_cfg_nkeys; i++)
		if (cfg->present & (1ULL << fs_cfg_keys[i].attr))
			keys_print(o, &fs_cfg_keys[i],
				   cfg->val[fs_cfg_keys[i].attr]);
}

static struct fs_keyset config_keyset(void)
{
	return (struct fs_keyset){
		.object = "config",
		.what = "configuration key",
		.keys = fs_cfg_keys,
		.nkeys = fs_cfg_nkeys,
	};
}

/* Parse "KEY VALUE..." into @cfg; returns 0 or EXIT_USAGE after a message. */
int config_parse_args(int argc, char **argv, struct fs_config *cfg)
{
	struct fs_keyset ks = config_keyset();

	memset(cfg, 0, sizeof(*cfg));
	return keys_parse_args(&ks, argc, argv, &cfg->present, cfg->val);
}

/* Append FLOWSTREAM_A_CONFIG with the keys present in @cfg to @nlh. */
void config_put(struct nlmsghdr *nlh, const struct fs_config *cfg)
{
	struct fs_keyset ks = config_keyset();
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_CONFIG);
	keys_put(nlh, &ks, cfg->present, cfg->val);
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

// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl version: flowctl's and the module's versions and features.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "flowctl.h"

static void usage(FILE *fp)
{
	fputs("Usage: flowctl version\n"
	      "Show the versions of flowctl and of the flowstream module, the\n"
	      "module's API version and the features it supports.\n", fp);
}

static int version_attr_cb(const struct nlattr *attr, void *data)
{
	struct fs_version *ver = data;
	uint16_t type = mnl_attr_get_type(attr);

	switch (type) {
	case FLOWSTREAM_A_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		snprintf(ver->module, sizeof(ver->module), "%s",
			 mnl_attr_get_str(attr));
		break;
	case FLOWSTREAM_A_API_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		ver->api = mnl_attr_get_u32(attr);
		break;
	case FLOWSTREAM_A_FEATURES:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		ver->features = mnl_attr_get_u64(attr);
		break;
	default:
		return MNL_CB_OK;	/* unknown to us, or padding */
	}
	ver->seen |= SEEN(type);
	return MNL_CB_OK;
}

/* mnl_cb_t for the GET_VERSION reply; @data is a struct fs_version. */
int version_parse(const struct nlmsghdr *nlh, void *data)
{
	return fs_nl_parse_genl(nlh, version_attr_cb, data);
}

void version_print(struct output *o, const struct fs_version *ver)
{
	out_str(o, "flowctl", "flowctl", FLOWCTL_VERSION);
	out_text(o, "module %s (api %u)\n", ver->module, ver->api);
	out_str(o, "module", NULL, ver->module);
	out_u64(o, "api", NULL, ver->api);
	fs_print_features(o, ver->features);
}

int cmd_version(struct flowctl *fc, int argc, char **argv)
{
	const unsigned int need = SEEN(FLOWSTREAM_A_VERSION) |
		SEEN(FLOWSTREAM_A_API_VERSION) | SEEN(FLOWSTREAM_A_FEATURES);
	struct fs_version ver = { 0 };
	struct nlmsghdr *nlh;
	int ret;

	if (argc > 0) {
		if (is_help(argv[0])) {
			usage(stdout);
			return 0;
		}
		return usage_error("version", "unexpected argument \"%s\"",
				   argv[0]);
	}
	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_GET_VERSION);
	if (!nlh)
		return 1;
	ret = fs_nl_run(fc->nl, nlh, version_parse, &ver);
	if (ret)
		return ret;
	if ((ver.seen & need) != need)
		return fs_nl_incomplete();
	version_print(fc->out, &ver);
	return out_finish(fc->out) ? 1 : 0;
}

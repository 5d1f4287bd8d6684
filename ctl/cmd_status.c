// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl status: uptime, enabled features, configuration and counters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "flowctl.h"

static void usage(FILE *fp)
{
	fputs("Usage: flowctl status\n"
	      "Show the flowstream state of the network namespace: uptime,\n"
	      "enabled features, configuration and counters.\n", fp);
}

/*
 * Counters are u64 attributes typed by enum flowstream_stat. Type
 * FLOWSTREAM_STAT_UNSPEC is alignment padding; counters newer than this
 * flowctl are kept (and shown as "stat_N") if they are u64, else skipped.
 */
static int stats_parse_nest(const struct nlattr *nest, struct fs_status *st)
{
	const struct nlattr *attr;
	unsigned int n = 0;
	uint16_t type;

	mnl_attr_for_each_nested(attr, nest)
		n++;
	free(st->stats);
	st->nstats = 0;
	st->stats = n ? calloc(n, sizeof(*st->stats)) : NULL;
	if (n && !st->stats)
		return -1;
	mnl_attr_for_each_nested(attr, nest) {
		type = mnl_attr_get_type(attr);
		if (type == FLOWSTREAM_STAT_UNSPEC)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0) {
			if (type <= FLOWSTREAM_STAT_MAX)
				return -1;
			continue;
		}
		st->stats[st->nstats].type = type;
		st->stats[st->nstats].value = mnl_attr_get_u64(attr);
		st->nstats++;
	}
	return 0;
}

static int status_attr_cb(const struct nlattr *attr, void *data)
{
	struct fs_status *st = data;
	uint16_t type = mnl_attr_get_type(attr);

	switch (type) {
	case FLOWSTREAM_A_UPTIME_MS:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		st->uptime_ms = mnl_attr_get_u64(attr);
		break;
	case FLOWSTREAM_A_FEATURES:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		st->features = mnl_attr_get_u64(attr);
		break;
	case FLOWSTREAM_A_CONFIG:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
		    config_parse_nest(attr, &st->cfg) < 0)
			return MNL_CB_ERROR;
		break;
	case FLOWSTREAM_A_STATS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
		    stats_parse_nest(attr, st) < 0)
			return MNL_CB_ERROR;
		break;
	default:
		return MNL_CB_OK;	/* unknown to us, or padding */
	}
	st->seen |= SEEN(type);
	return MNL_CB_OK;
}

/* mnl_cb_t for the GET_STATUS reply; @data is a struct fs_status. */
int status_parse(const struct nlmsghdr *nlh, void *data)
{
	return fs_nl_parse_genl(nlh, status_attr_cb, data);
}

void status_free(struct fs_status *st)
{
	free(st->stats);
	st->stats = NULL;
	st->nstats = 0;
}

/* GET_STATUS into @st (status_free() it); returns an exit status. */
int status_get(struct fs_nl *nl, struct fs_status *st)
{
	const unsigned int need = SEEN(FLOWSTREAM_A_UPTIME_MS) |
		SEEN(FLOWSTREAM_A_FEATURES) | SEEN(FLOWSTREAM_A_CONFIG) |
		SEEN(FLOWSTREAM_A_STATS);
	struct nlmsghdr *nlh;
	int ret;

	nlh = fs_nl_req(nl, FLOWSTREAM_CMD_GET_STATUS);
	if (!nlh)
		return 1;
	ret = fs_nl_run(nl, nlh, status_parse, st);
	if (ret)
		return ret;
	if ((st->seen & need) != need)
		return fs_nl_incomplete();
	return 0;
}

void status_print(struct output *o, const struct fs_status *st)
{
	char buf[64];

	out_text(o, "uptime %s\n",
		 fmt_duration_ms(st->uptime_ms, buf, sizeof(buf)));
	out_u64(o, "uptime_ms", NULL, st->uptime_ms);
	fs_print_features(o, st->features);
	out_obj_begin(o, "config");
	config_print(o, &st->cfg);
	out_obj_end(o);
	out_obj_begin(o, "stats");
	stats_print(o, st);
	out_obj_end(o);
}

int cmd_status(struct flowctl *fc, int argc, char **argv)
{
	struct fs_status st = { 0 };
	int ret;

	if (argc > 0) {
		if (is_help(argv[0])) {
			usage(stdout);
			return 0;
		}
		return usage_error("status", "unexpected argument \"%s\"",
				   argv[0]);
	}
	ret = status_get(fc->nl, &st);
	if (!ret) {
		status_print(fc->out, &st);
		ret = out_finish(fc->out) ? 1 : 0;
	}
	status_free(&st);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl stats: show or reset the per-namespace counters.
 */
#include <stdio.h>
#include <string.h>

#include "flowctl.h"

static void usage(FILE *fp)
{
	fputs("Usage: flowctl stats [show]\n"
	      "       flowctl stats reset\n"
	      "       flowctl stats help\n", fp);
}

/* Text "nl_requests 12" lines; JSON "nl_requests":12 members. */
void stats_print(struct output *o, const struct fs_status *st)
{
	unsigned int i;
	const char *name;
	char buf[16];

	for (i = 0; i < st->nstats; i++) {
		name = fs_stat_name(st->stats[i].type, buf, sizeof(buf));
		out_u64(o, name, name, st->stats[i].value);
	}
}

static int stats_show(struct flowctl *fc)
{
	struct fs_status st = { 0 };
	int ret;

	ret = status_get(fc->nl, &st);
	if (!ret) {
		stats_print(fc->out, &st);
		ret = out_finish(fc->out) ? 1 : 0;
	}
	status_free(&st);
	return ret;
}

static int stats_reset(struct flowctl *fc)
{
	struct nlmsghdr *nlh;

	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_RESET_STATS);
	if (!nlh)
		return 1;
	return fs_nl_run(fc->nl, nlh, NULL, NULL);
}

int cmd_stats(struct flowctl *fc, int argc, char **argv)
{
	if (argc > 1)
		return usage_error("stats", "unexpected argument \"%s\"",
				   argv[1]);
	if (argc == 0 || !strcmp(argv[0], "show"))
		return stats_show(fc);
	if (!strcmp(argv[0], "reset"))
		return stats_reset(fc);
	if (is_help(argv[0])) {
		usage(stdout);
		return 0;
	}
	return usage_error("stats", "unknown command \"%s\"", argv[0]);
}

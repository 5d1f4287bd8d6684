// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl: control the flowstream kernel module.
 *
 *	flowctl [OPTIONS] OBJECT [COMMAND [ARGS]]
 *
 * Exit status: 0 success, 1 kernel or runtime error, 2 usage error.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "flowctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct fs_nl nl;		/* large buffers: keep off the stack */

/*
 * flowctl-net (FLOWCTL_NET) runs every object; flowctl hands those that
 * need the HTTP and crypto libraries to it (delegate.c).
 */
#ifdef FLOWCTL_NET
#define NET_OBJECT(fn) fn
#else
#define NET_OBJECT(fn) cmd_delegate
#endif

static void usage(FILE *fp)
{
	fputs("Usage: flowctl [OPTIONS] OBJECT [COMMAND [ARGS]]\n"
	      "       flowctl help\n"
	      "       flowctl OBJECT help\n"
	      "where  OBJECT := { version | status | config | stats | records |\n"
	      "                   record | flow | pm | alloc | monitor | sampler |\n"
	      "                   prefix | prefixes | export | agent |\n"
	      "                   migrate | balance }\n"
	      "       OPTIONS := { -j[son] | -p[retty] | -n[etns] NAME |\n"
	      "                    -V[ersion] | -h[elp] }\n", fp);
}

static int cmd_help(struct flowctl *fc, int argc, char **argv)
{
	(void)fc;
	if (argc > 0)
		return usage_error(NULL, "unexpected argument \"%s\"", argv[0]);
	usage(stdout);
	return 0;
}

static const struct subcmd objects[] = {
	{ "version",	cmd_version },
	{ "status",	cmd_status },
	{ "config",	cmd_config },
	{ "stats",	cmd_stats },
	{ "records",	cmd_records },
	{ "record",	cmd_record },
	{ "flows",	cmd_flows },	/* deprecated: records */
	{ "flow",	cmd_flow },
	{ "pm",		cmd_pm },
	{ "alloc",	cmd_alloc },
	{ "monitor",	cmd_monitor },
	{ "sampler",	cmd_sampler },
	{ "prefix",	cmd_prefix },
	{ "prefixes",	cmd_prefixes },
	{ "export",	cmd_export },
	{ "agent",	NET_OBJECT(cmd_agent) },
	{ "migrate",	NET_OBJECT(cmd_migrate) },
	{ "balance",	NET_OBJECT(cmd_balance) },
	{ "help",	cmd_help },
};

static const struct option long_opts[] = {
	{ "json",	no_argument,		NULL, 'j' },
	{ "pretty",	no_argument,		NULL, 'p' },
	{ "netns",	required_argument,	NULL, 'n' },
	{ "version",	no_argument,		NULL, 'V' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL,		0,			NULL, 0 },
};

int main(int argc, char **argv)
{
	unsigned int flags = 0;
	struct flowctl fc = { .nl = &nl };
	const struct subcmd *obj;
	int opt, ret;

	flowctl_argv = argv;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+jpn:Vh", long_opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'j':
			flags |= OUT_JSON;
			break;
		case 'p':
			flags |= OUT_JSON | OUT_PRETTY;
			break;
		case 'n':
			if (!fs_netns_name_ok(optarg))
				return usage_error(NULL,
						   "invalid network namespace name \"%s\"",
						   optarg);
			nl.netns = optarg;
			break;
		case 'V':
			printf("flowctl %s\n", FLOWCTL_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			if (optopt == 'n')
				return usage_error(NULL,
						   "option \"-n\" needs a namespace name");
			return usage_error(NULL, "unknown option \"%s\"",
					   argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}

	obj = subcmd_find(objects, ARRAY_SIZE(objects), argv[0]);
	if (!obj)
		return usage_error(NULL, "unknown object \"%s\"", argv[0]);

	fc.out = out_new(stdout, flags);
	if (!fc.out) {
		fputs("Error: out of memory\n", stderr);
		return 1;
	}
	ret = obj->fn(&fc, argc - 1, argv + 1);
	out_free(fc.out);
	fs_nl_close(&nl);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl flow: FlowOS flows. "flow get" is the deprecated name of
 * "record get".
 */
#include <stdio.h>
#include <string.h>

#include "flowctl.h"

static void usage(FILE *fp)
{
	fputs("Usage: flowctl flow help\n", fp);
}

int cmd_flow(struct flowctl *fc, int argc, char **argv)
{
	if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "get")) {
		deprecated_note(fc, "flow get", "record get");
		return record_get(fc, argc - 1, argv + 1);
	}
	if (is_help(argv[0])) {
		usage(stdout);
		return 0;
	}
	return usage_error("flow", "unknown command \"%s\"", argv[0]);
}

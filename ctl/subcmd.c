// SPDX-License-Identifier: GPL-2.0
/*
 * Commands by name: flowctl's objects and an object's commands.
 */
#include <string.h>

#include "parse.h"
#include "subcmd.h"

const struct subcmd *subcmd_find(const struct subcmd *cmds, size_t n,
				 const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(name, cmds[i].name))
			return &cmds[i];
	return NULL;
}

int subcmd_run(struct flowctl *fc, const char *object,
	       const struct subcmd *cmds, size_t n, void (*usage)(FILE *fp),
	       int argc, char **argv)
{
	const struct subcmd *c;

	if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	c = subcmd_find(cmds, n, argv[0]);
	if (c)
		return c->fn(fc, argc - 1, argv + 1);
	if (is_help(argv[0])) {
		usage(stdout);
		return 0;
	}
	return usage_error(object, "unknown command \"%s\"", argv[0]);
}

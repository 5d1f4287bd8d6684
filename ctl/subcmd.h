/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Commands by name: flowctl's objects and an object's commands.
 */
#ifndef FLOWCTL_SUBCMD_H
#define FLOWCTL_SUBCMD_H

#include <stddef.h>
#include <stdio.h>

struct flowctl;

struct subcmd {
	const char *name;
	int (*fn)(struct flowctl *fc, int argc, char **argv);
};

/* The command @name of the @n in @cmds, or NULL. */
const struct subcmd *subcmd_find(const struct subcmd *cmds, size_t n,
				 const char *name);

/*
 * Run @object's command argv[0] of the @n in @cmds with the arguments
 * after it. No command: @usage on stderr, EXIT_USAGE; "help" (is_help()):
 * @usage on stdout, 0; another: a usage error.
 */
int subcmd_run(struct flowctl *fc, const char *object,
	       const struct subcmd *cmds, size_t n, void (*usage)(FILE *fp),
	       int argc, char **argv);

#endif /* FLOWCTL_SUBCMD_H */

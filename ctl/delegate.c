// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl's agent, balance and migrate objects are in flowctl-net, a
 * second program built from the same sources and installed beside it:
 * they need libmicrohttpd, libcurl and libcrypto, whose three dozen shared
 * libraries every other command would otherwise map and relocate at each
 * start (most of a short command's run time on a slow machine). flowctl
 * hands these objects to flowctl-net with its own arguments unchanged, so
 * both programs take the same command lines.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "flowctl.h"

#define NET_PROGRAM "flowctl-net"

char **flowctl_argv;

int cmd_delegate(struct flowctl *fc, int argc, char **argv)
{
	char path[PATH_MAX];
	ssize_t len;
	char *slash;

	(void)fc;
	(void)argc;
	(void)argv;
	len = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (len < 0) {
		fprintf(stderr, "Error: cannot find flowctl's own path: %s\n",
			strerror(errno));
		return 1;
	}
	path[len] = '\0';
	slash = strrchr(path, '/');
	if (!slash || (size_t)(slash + 1 - path) + sizeof(NET_PROGRAM) > sizeof(path)) {
		fprintf(stderr, "Error: cannot place %s beside %s\n", NET_PROGRAM, path);
		return 1;
	}
	strcpy(slash + 1, NET_PROGRAM);
	fflush(NULL);
	execv(path, flowctl_argv);
	fprintf(stderr, "Error: cannot run %s: %s\n", path, strerror(errno));
	return 1;
}

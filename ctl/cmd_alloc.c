// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl alloc: allocation requests in the high-level Flowstream API
 * format (alloc.c). install sends the file's flow, match and pipeline as
 * one ADD_FLOW, all or nothing; delete is DEL_FLOW by id.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALLOC_FILE_MAX	(1 << 20)	/* bytes of an allocation request */

static void usage(FILE *fp)
{
	fputs("Usage: flowctl alloc install FILE\n"
	      "       flowctl alloc delete ID\n"
	      "       flowctl alloc help\n"
	      "FILE holds optional header lines (name NAME, prio N, stream S,\n"
	      "policy P, the limits of \"flow add\") and one chain:\n"
	      "    FromNet(\"MATCH\") -> PM(\"ARGS\") -> [RO1(), RO2()] -> ToNet()\n"
	      "install prints the new flow's id; see flowctl(8).\n", fp);
}

/*
 * Read @path whole (at most ALLOC_FILE_MAX bytes) into *@text, allocated.
 * Returns 0, or 1 (an exit status) after a message.
 */
int alloc_read(const char *path, char **text, size_t *len)
{
	size_t n = 0, cap = 4096;
	char *buf = NULL, *p;
	FILE *fp;
	size_t got;

	fp = fopen(path, "r");
	if (!fp) {
		fprintf(stderr, "Error: cannot open \"%s\": %s\n", path,
			strerror(errno));
		return 1;
	}
	for (;;) {
		if (n == cap || !buf) {
			if (buf)
				cap *= 2;
			p = realloc(buf, cap + 1);
			if (!p) {
				fputs("Error: out of memory\n", stderr);
				goto fail;
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (n > ALLOC_FILE_MAX) {
			fprintf(stderr, "Error: \"%s\" is larger than %d bytes\n",
				path, ALLOC_FILE_MAX);
			goto fail;
		}
		if (got)
			continue;
		if (ferror(fp)) {
			fprintf(stderr, "Error: cannot read \"%s\": %s\n", path,
				strerror(errno));
			goto fail;
		}
		break;
	}
	fclose(fp);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
fail:
	free(buf);
	fclose(fp);
	return 1;
}

static int alloc_install(struct flowctl *fc, int argc, char **argv)
{
	struct fos_flow f;
	char err[512];
	size_t len;
	char *text;
	int ret;

	if (argc != 1)
		return argc ? usage_error("alloc", "unexpected argument \"%s\"",
					  argv[1]) :
		       usage_error("alloc", "\"install\" needs a file");
	if (alloc_read(argv[0], &text, &len))
		return 1;
	ret = alloc_parse(argv[0], text, len, &f, err, sizeof(err));
	free(text);
	if (ret) {
		/* FILE:LINE: reason, as compilers write it for editors. */
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	ret = fos_flow_add(fc, &f);
	fos_flow_free(&f);
	return ret;
}

static int alloc_delete(struct flowctl *fc, int argc, char **argv)
{
	struct fs_ext_ack ack;
	struct nlmsghdr *nlh;
	enum parse_err err;
	char msg[256];
	uint32_t id;
	int ret;

	if (argc != 1)
		return argc ? usage_error("alloc", "unexpected argument \"%s\"",
					  argv[1]) :
		       usage_error("alloc", "\"delete\" needs a flow id");
	err = parse_u32(argv[0], &id);
	if (err != PARSE_OK) {
		parse_errmsg(msg, sizeof(msg), "ID", argv[0], err, UINT32_MAX);
		return usage_error("alloc", "%s", msg);
	}
	nlh = fs_nl_req(fc->nl, FLOWSTREAM_CMD_DEL_FLOW);
	if (!nlh)
		return 1;
	fos_flow_ref_put(nlh, NULL, id);
	ret = fs_nl_transact(fc->nl, nlh, NULL, NULL, &ack);
	snprintf(msg, sizeof(msg), "flow with id %u", id);
	return fos_report(ret, &ack, msg);
}

int cmd_alloc(struct flowctl *fc, int argc, char **argv)
{
	static const struct subcmd cmds[] = {
		{ "install",	alloc_install },
		{ "delete",	alloc_delete },
	};

	return subcmd_run(fc, "alloc", cmds, ARRAY_SIZE(cmds), usage, argc,
			  argv);
}

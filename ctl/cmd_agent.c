// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl agent: serve this namespace's counters, sampler windows and
 * status over HTTP (agent_http.c) to Prometheus and the balancer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "flowctl.h"

static void usage(FILE *fp)
{
	fputs("Usage: flowctl [-n NETNS] agent [--listen ADDR:PORT] [--allow PREFIX]...\n"
	      "                    [--key-file FILE] [--max-connections N]\n"
	      "                    [--timeout SECONDS]\n"
	      "       flowctl agent help\n"
	      "Serve the namespace's flowstream counters (GET /metrics, Prometheus\n"
	      "text), the prefix sampler's windows (GET /sampler, POST\n"
	      "/sampler/reset, POST /sampler/ack?window=N, JSON), the monitored\n"
	      "prefixes (PUT /sampler/prefixes, all or nothing) and a status\n"
	      "document (GET /status) over HTTP until SIGTERM or SIGINT. With -n,\n"
	      "serve NETNS while listening in the namespace flowctl started in.\n"
	      "--listen defaults to " AGENT_DEFAULT_LISTEN "; [IPV6ADDR]:PORT for IPv6.\n"
	      "--allow: client prefixes allowed (repeatable, up to 64; default\n"
	      "127.0.0.0/8 and ::1). --key-file: a shared key (first line, 16 to\n"
	      "1024 printable characters) that clients must send as\n"
	      "\"Authorization: Bearer KEY\". Others get 403 and are counted.\n",
	      fp);
}

static char agent_key[AGENT_KEY_MAX + 1];

int cmd_agent(struct flowctl *fc, int argc, char **argv)
{
	struct agent_opts opts;
	size_t keylen = 0;
	char err[256], path[256];
	int ret;

	if (argc > 0 && is_help(argv[0])) {
		if (argc > 1)
			return usage_error("agent", "unexpected argument \"%s\"",
					   argv[1]);
		usage(stdout);
		return 0;
	}
	/* argv[-1] is "agent": getopt_long() wants a program name first. */
	ret = agent_parse_args(argc + 1, argv - 1, &opts);
	if (ret)
		return ret;
	if (opts.key_file &&
	    agent_key_load(opts.key_file, agent_key, sizeof(agent_key), &keylen))
		return 1;
	/*
	 * With -n, the server listens here and its thread enters NETNS for
	 * netlink on the first request: check now that NETNS is there.
	 * Without, say now whether the module answers (the agent serves
	 * flowstream_up 0 until it does).
	 */
	if (fc->nl->netns) {
		snprintf(path, sizeof(path), "/run/netns/%s", fc->nl->netns);
		if (access(path, R_OK)) {
			fprintf(stderr, "Error: network namespace \"%s\": %s\n",
				fc->nl->netns, strerror(errno));
			return 1;
		}
	} else if (fs_nl_open(fc->nl, err, sizeof(err))) {
		fs_nl_close(fc->nl);
		fprintf(stderr, "flowctl agent: %s (serving flowstream_up 0)\n",
			err);
	}
	ret = agent_run(fc->nl, &opts, opts.key_file ? agent_key : NULL,
			keylen);
	explicit_bzero(agent_key, sizeof(agent_key));
	return ret;
}

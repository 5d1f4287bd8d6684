// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl export ipfix: a long-lived exporter from the module's "records"
 * multicast group (ended records and active-timeout reports) to an IPFIX
 * collector.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "export.h"
#include "flowctl.h"

#ifndef NETLINK_BROADCAST_ERROR
#define NETLINK_BROADCAST_ERROR	4
#endif

/* At exit, how long queued messages may take to reach a TCP collector. */
#define EXP_DRAIN_MS	5000

static void usage(FILE *fp)
{
	fputs("Usage: flowctl export ipfix --collector HOST:PORT [--transport udp|tcp]\n"
	      "                            [--domain ID] [--template-refresh SECONDS]\n"
	      "                            [--buffer BYTES] [--flush-interval MS]\n"
	      "                            [--rcvbuf BYTES] [--reconnect-max SECONDS]\n"
	      "       flowctl export help\n"
	      "Send flow records to an IPFIX (RFC 7011) collector as they end (and\n"
	      "active-timeout reports of long flows), until SIGINT or SIGTERM.\n"
	      "HOST is a name or an address, an IPv6 one in brackets; PORT defaults\n"
	      "to 4739. Losses are logged to standard error; SIGUSR1 prints the\n"
	      "counters, and they are printed at exit (as JSON with -j).\n"
	      "Defaults: udp, domain 0, template-refresh 60, buffer 8388608 (TCP),\n"
	      "flush-interval 1000, rcvbuf 16777216, reconnect-max 30.\n", fp);
}

/* "ipfix" arguments into @opts; 0 or EXIT_USAGE after a message. */
int export_parse_args(int argc, char **argv, struct exp_opts *opts)
{
	static const struct option lopts[] = {
		{ "collector",		required_argument, NULL, 'c' },
		{ "transport",		required_argument, NULL, 't' },
		{ "domain",		required_argument, NULL, 'd' },
		{ "template-refresh",	required_argument, NULL, 'r' },
		{ "buffer",		required_argument, NULL, 'b' },
		{ "flush-interval",	required_argument, NULL, 'f' },
		{ "rcvbuf",		required_argument, NULL, 'R' },
		{ "reconnect-max",	required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	char msg[256];
	uint64_t v;
	int opt, seen = 0;

	memset(opts, 0, sizeof(*opts));
	opts->transport = EXP_UDP;
	opts->template_refresh = EXP_DEF_REFRESH;
	opts->buffer = EXP_DEF_BUFFER;
	opts->flush_ms = EXP_DEF_FLUSH_MS;
	opts->rcvbuf = EXP_DEF_RCVBUF;
	opts->retry_max_ms = EXP_DEF_RETRY_MAX_MS;

	if (argc < 1 || strcmp(argv[0], "ipfix"))
		return usage_error("export", argc < 1 ?
				   "missing exporter type (ipfix)" :
				   "unknown exporter type \"%s\" (ipfix)",
				   argc < 1 ? "" : argv[0]);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", lopts, NULL)) != -1) {
		const char *name = opt == ':' || opt == '?' ? argv[optind - 1] :
				   NULL;
		uint64_t max = UINT32_MAX;
		const char *what = NULL;

		switch (opt) {
		case 'c':
			if (exp_parse_collector(optarg, opts, msg, sizeof(msg)))
				return usage_error("export", "%s", msg);
			seen |= 1;
			continue;
		case 't':
			if (!strcmp(optarg, "udp"))
				opts->transport = EXP_UDP;
			else if (!strcmp(optarg, "tcp"))
				opts->transport = EXP_TCP;
			else
				return usage_error("export",
						   "invalid transport \"%s\": udp or tcp",
						   optarg);
			continue;
		case 'd':
			what = "--domain";
			break;
		case 'r':
			what = "--template-refresh";
			max = 86400;
			break;
		case 'b':
			what = "--buffer";
			max = 1u << 30;
			break;
		case 'f':
			what = "--flush-interval";
			max = 60000;
			break;
		case 'R':
			what = "--rcvbuf";
			max = 1u << 30;
			break;
		case 'm':
			what = "--reconnect-max";
			max = 3600;
			break;
		case ':':
			return usage_error("export", "missing value for \"%s\"",
					   name);
		default:
			return usage_error("export", "unknown argument \"%s\"",
					   name);
		}
		{
			enum parse_err err = parse_uint(optarg, max, &v);

			if (err != PARSE_OK) {
				parse_errmsg(msg, sizeof(msg), what, optarg,
					     err, max);
				return usage_error("export", "%s", msg);
			}
		}
		switch (opt) {
		case 'd':
			opts->domain = v;
			break;
		case 'r':
			opts->template_refresh = v;
			break;
		case 'b':
			if (v < EXP_TCP_MSG_SIZE)
				return usage_error("export",
						   "invalid value \"%s\" for \"--buffer\": at least %u bytes",
						   optarg, EXP_TCP_MSG_SIZE);
			opts->buffer = v;
			break;
		case 'f':
			if (!v)
				return usage_error("export",
						   "invalid value \"0\" for \"--flush-interval\": at least 1 ms");
			opts->flush_ms = v;
			break;
		case 'R':
			if (v < 4096)
				return usage_error("export",
						   "invalid value \"%s\" for \"--rcvbuf\": at least 4096 bytes",
						   optarg);
			opts->rcvbuf = v;
			break;
		case 'm':
			if (!v)
				return usage_error("export",
						   "invalid value \"0\" for \"--reconnect-max\": at least 1 s");
			opts->retry_max_ms = v * 1000;
			break;
		}
	}
	if (optind < argc)
		return usage_error("export", "unknown argument \"%s\"",
				   argv[optind]);
	if (!(seen & 1))
		return usage_error("export", "missing --collector HOST:PORT");
	return 0;
}

struct export_ctx {
	struct exporter *e;
	uint16_t family;
	struct seq_track seq;
};

/* mnl_cb_t: a RECORD_NTF into the exporter, after accounting for gaps. */
int export_msg(const struct nlmsghdr *nlh, void *data)
{
	struct export_ctx *x = data;
	uint64_t gap, from, to;
	struct fs_record rec;
	int ret;

	ret = record_ntf_parse(nlh, x->family, &rec);
	if (ret < 0)
		fputs("flowctl export: malformed record notification skipped\n",
		      stderr);
	if (ret <= 0)
		return MNL_CB_OK;
	gap = seq_track(&x->seq, &rec, &from, &to);
	if (gap)
		exp_lost_kernel(x->e, gap);
	exp_record(x->e, &rec);
	return MNL_CB_OK;
}

static volatile sig_atomic_t stop, dump;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump = 1;
	else
		stop = 1;
}

static int export_open(struct fs_nl *nl, int rcvbuf)
{
	char err[256];
	int ret, on = 1;

	if (!nl->sock && fs_nl_open(nl, err, sizeof(err))) {
		fprintf(stderr, "Error: %s\n", err);
		return 1;
	}
	if (!nl->fam.mcgrp_records) {
		fprintf(stderr,
			"Error: the flowstream module has no \"%s\" multicast group (no flow accounting)\n",
			FLOWSTREAM_MCGRP_RECORDS);
		return 1;
	}
	ret = fs_nl_subscribe(nl, nl->fam.mcgrp_records, rcvbuf);
	if (ret) {
		fprintf(stderr, "Error: cannot join multicast group \"%s\": %s\n",
			FLOWSTREAM_MCGRP_RECORDS, strerror(-ret));
		return 1;
	}
	/* The module counts what this socket misses in events_dropped. */
	mnl_socket_setsockopt(nl->sock, NETLINK_BROADCAST_ERROR, &on,
			      sizeof(on));
	return 0;
}

/* The counters: into @json if given, else as text to @fp. */
static void print_stats(struct output *json, struct exporter *e, FILE *fp)
{
	struct output *o = json ? json : out_new(fp, 0);

	if (!o)
		return;
	exp_stats_print(o, e);
	if (o == json)
		out_emit(o);
	else
		out_free(o);
	fflush(fp);
}

static int export_loop(struct fs_nl *nl, struct export_ctx *x,
		       const sigset_t *waitmask)
{
	int nlfd = mnl_socket_get_fd(nl->sock);
	struct exporter *e = x->e;
	struct sockaddr_nl addr;
	struct pollfd pfd[2];
	struct timespec ts;
	socklen_t alen;
	int n, tmo;
	ssize_t len;

	exp_tick(e);			/* connect at once */
	while (!stop) {
		n = 0;
		pfd[n].fd = nlfd;
		pfd[n++].events = POLLIN;
		pfd[1].revents = 0;
		pfd[n].fd = exp_poll_fd(e, &pfd[n].events);
		if (pfd[n].fd >= 0)
			n++;
		tmo = exp_timeout(e);
		ts.tv_sec = tmo / 1000;
		ts.tv_nsec = (long)(tmo % 1000) * 1000000;
		if (ppoll(pfd, n, tmo < 0 ? NULL : &ts, waitmask) < 0) {
			if (errno != EINTR) {
				fprintf(stderr, "Error: poll: %s\n",
					strerror(errno));
				return 1;
			}
			pfd[0].revents = pfd[1].revents = 0;
		}
		if (dump) {
			dump = 0;
			print_stats(NULL, e, stderr);
		}
		if (n > 1 && pfd[1].revents)
			exp_io(e, pfd[1].revents);
		while (pfd[0].revents & (POLLIN | POLLERR)) {
			alen = sizeof(addr);
			len = recvfrom(nlfd, nl->rbuf, sizeof(nl->rbuf),
				       MSG_DONTWAIT, (struct sockaddr *)&addr,
				       &alen);
			if (len < 0) {
				if (errno == ENOBUFS) {
					e->st.overruns++;
					continue;
				}
				if (errno == EAGAIN || errno == EINTR)
					break;
				fprintf(stderr, "Error: cannot receive: %s\n",
					strerror(errno));
				return 1;
			}
			if (addr.nl_pid != 0)
				continue;
			if (mnl_cb_run(nl->rbuf, len, 0, 0, export_msg, x) ==
			    MNL_CB_ERROR)
				fputs("flowctl export: malformed message skipped\n",
				      stderr);
			break;	/* one datagram, then the collector's turn */
		}
		exp_tick(e);
	}
	return 0;
}

/* After a stop: send what is left, within EXP_DRAIN_MS. */
static void export_drain(struct exporter *e)
{
	int left = EXP_DRAIN_MS / 10;

	exp_flush(e);
	while (!exp_drained(e) && e->opts.transport == EXP_TCP && left--)
		exp_wait(e, 10);
	exp_finish(e);
}

int cmd_export(struct flowctl *fc, int argc, char **argv)
{
	struct export_ctx x = { 0 };
	struct exp_opts opts;
	struct exporter e;
	struct sigaction sa;
	sigset_t block, orig;
	int ret;

	if (argc > 0 && is_help(argv[0])) {
		usage(stdout);
		return 0;
	}
	ret = export_parse_args(argc, argv, &opts);
	if (ret)
		return ret;
	if (exp_init(&e, &opts)) {
		fputs("Error: out of memory\n", stderr);
		return 1;
	}
	x.e = &e;

	/* Signals are taken only while waiting in ppoll(). */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &orig);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	ret = export_open(fc->nl, opts.rcvbuf);
	if (!ret) {
		x.family = fc->nl->fam.id;
		fprintf(stderr, "flowctl export: IPFIX to %s over %s, domain %"
			PRIu32 "\n", e.name,
			opts.transport == EXP_TCP ? "TCP" : "UDP", opts.domain);
		ret = export_loop(fc->nl, &x, &orig);
		export_drain(&e);
		print_stats(out_is_json(fc->out) ? fc->out : NULL, &e, stdout);
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
	exp_free(&e);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl monitor: print the flow records the module multicasts to the
 * "records" group (FLOWSTREAM_CMD_RECORD_NTF) as they end, and account for
 * the ones missed, from the gaps in their sequence numbers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "flowctl.h"

/* Receive buffer asked for: room for a burst of some 50000 records. */
#define MONITOR_RCVBUF	(16 << 20)

static void usage(FILE *fp)
{
	fputs("Usage: flowctl monitor [count N] [-j]\n"
	      "       flowctl monitor help\n"
	      "Print flow records as the module reports them (ended records and\n"
	      "active-timeout reports), one per line, or one JSON object per line\n"
	      "with -j. Exit after N records, or on SIGINT or SIGTERM.\n", fp);
}

/*
 * Account for the record @rec. Returns the number of records missed just
 * before it (sequence numbers *@from..*@to), or 0. The first record seen
 * sets the baseline; a sequence number going back (the module was
 * reloaded) sets a new one.
 */
uint64_t seq_track(struct seq_track *t, const struct fs_record *rec,
		   uint64_t *from, uint64_t *to)
{
	uint64_t seq = rec->seq, gap;

	t->records++;
	if (!(rec->seen & REC_BIT(FLOWSTREAM_REC_A_SEQ)))
		return 0;
	if (!t->started || seq < t->next) {
		t->started = true;
		t->next = seq + 1;
		return 0;
	}
	gap = seq - t->next;
	if (gap) {
		*from = t->next;
		*to = seq - 1;
		t->lost += gap;
	}
	t->next = seq + 1;
	return gap;
}

/* A monitor printing to @o the notifications of generic netlink @family. */
void monitor_init(struct monitor *m, struct output *o, uint16_t family)
{
	memset(m, 0, sizeof(*m));
	m->o = o;
	m->family = family;
	m->fmt.notify = true;		/* "seq N END" first, "seq" in JSON */
}

/* Parse "monitor" arguments; returns 0 or EXIT_USAGE after a message. */
int monitor_parse_args(int argc, char **argv, struct monitor *m, bool *json)
{
	enum parse_err err;
	bool count = false;
	char msg[256];
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "-json") ||
		    !strcmp(argv[i], "--json")) {
			*json = true;
			continue;
		}
		if (strcmp(argv[i], "count"))
			return usage_error("monitor", "unknown argument \"%s\"",
					   argv[i]);
		if (i + 1 >= argc)
			return usage_error("monitor",
					   "missing value for \"count\"");
		if (count)
			return usage_error("monitor", "duplicate \"count\"");
		count = true;
		err = parse_uint(argv[++i], UINT64_MAX, &m->count);
		if (err == PARSE_OK && !m->count)
			return usage_error("monitor",
					   "invalid value \"0\" for \"count\": must be at least 1");
		if (err != PARSE_OK) {
			parse_errmsg(msg, sizeof(msg), "count", argv[i], err,
				     UINT64_MAX);
			return usage_error("monitor", "%s", msg);
		}
	}
	return 0;
}

static int emit(struct monitor *m)
{
	if (out_emit(m->o) < 0)
		m->err = 1;
	return m->err;
}

/*
 * mnl_cb_t for each received message: print a RECORD_NTF as a line, after
 * a "lost" line if records were missed before it; skip anything else.
 */
int monitor_msg(const struct nlmsghdr *nlh, void *data)
{
	struct monitor *m = data;
	uint64_t gap, from = 0, to = 0;
	struct fs_record rec;
	int ret;

	if (m->done || m->err)
		return MNL_CB_STOP;
	ret = record_ntf_parse(nlh, m->family, &rec);
	if (ret < 0)
		fputs("Warning: malformed record notification skipped\n",
		      stderr);
	if (ret <= 0)
		return MNL_CB_OK;
	gap = seq_track(&m->seq, &rec, &from, &to);
	if (gap) {
		out_text(m->o, "lost %" PRIu64 " records (seq %" PRIu64 "..%"
			 PRIu64 ")\n", gap, from, to);
		out_u64(m->o, "lost", NULL, gap);
		out_u64(m->o, "from", NULL, from);
		out_u64(m->o, "to", NULL, to);
		if (emit(m))
			return MNL_CB_STOP;
	}
	record_print(m->o, &rec, &m->fmt);
	if (emit(m))
		return MNL_CB_STOP;
	if (m->count && m->seq.records >= m->count) {
		m->done = true;
		return MNL_CB_STOP;
	}
	return MNL_CB_OK;
}

/* The socket overran: records were lost, the next gap tells how many. */
int monitor_overrun(struct monitor *m)
{
	out_text(m->o, "overrun: records lost\n");
	out_bool(m->o, "overrun", NULL, true);
	return emit(m);
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * SIGINT and SIGTERM end monitor_recv(): block them (but in its ppoll())
 * and catch them. The mask before goes to *@orig, for monitor_recv() and
 * to be restored after.
 */
void monitor_signals(sigset_t *orig)
{
	struct sigaction sa;
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, orig);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* The id of the flowstream multicast group @name; 0 if there is none. */
static uint32_t mcgrp_id(const struct fs_family *fam, const char *name)
{
	if (!strcmp(name, FLOWSTREAM_MCGRP_RECORDS))
		return fam->mcgrp_records;
	if (!strcmp(name, FLOWSTREAM_MCGRP_MIGRATE))
		return fam->mcgrp_migrate;
	if (!strcmp(name, FLOWSTREAM_MCGRP_CONFIG))
		return fam->mcgrp_config;
	return 0;
}

/*
 * Open @nl if need be and join the multicast group @name with a receive
 * buffer of @rcvbuf bytes; @why says what a module without the group
 * lacks. 0, or 1 after an error message.
 */
int monitor_join(struct fs_nl *nl, const char *name, const char *why,
		 int rcvbuf)
{
	char err[256];
	uint32_t group;
	int ret;

	if (!nl->sock && fs_nl_open(nl, err, sizeof(err))) {
		fprintf(stderr, "Error: %s\n", err);
		return 1;
	}
	group = mcgrp_id(&nl->fam, name);
	if (!group) {
		fprintf(stderr,
			"Error: the flowstream module has no \"%s\" multicast group (%s)\n",
			name, why);
		return 1;
	}
	ret = fs_nl_subscribe(nl, group, rcvbuf);
	if (ret) {
		fprintf(stderr, "Error: cannot join multicast group \"%s\": %s\n",
			name, strerror(-ret));
		return 1;
	}
	return 0;
}

/*
 * Receive the notifications of the joined socket @nl, each message to
 * @cb, until @cb returns MNL_CB_STOP or SIGINT or SIGTERM comes (see
 * monitor_signals(); @waitmask is the mask to wait with). A receive
 * buffer overrun calls @overrun and goes on. Returns 0, or 1 if
 * receiving failed.
 */
int monitor_recv(struct fs_nl *nl, mnl_cb_t cb, void *data,
		 void (*overrun)(void *data), const sigset_t *waitmask)
{
	int fd = mnl_socket_get_fd(nl->sock);
	struct sockaddr_nl addr;
	socklen_t alen;
	ssize_t n;
	int ret;

	while (!stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		/* Signals are delivered only while waiting here. */
		if (ppoll(&pfd, 1, NULL, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "Error: poll: %s\n", strerror(errno));
			return 1;
		}
		alen = sizeof(addr);
		n = recvfrom(fd, nl->rbuf, sizeof(nl->rbuf), MSG_DONTWAIT,
			     (struct sockaddr *)&addr, &alen);
		if (n < 0) {
			if (errno == ENOBUFS) {
				overrun(data);
				continue;
			}
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "Error: cannot receive: %s\n",
				strerror(errno));
			return 1;
		}
		if (addr.nl_pid != 0)
			continue;	/* not from the kernel */
		ret = mnl_cb_run(nl->rbuf, n, 0, 0, cb, data);
		if (ret == MNL_CB_STOP)
			break;
		if (ret == MNL_CB_ERROR)
			fprintf(stderr, "Warning: malformed message skipped: %s\n",
				strerror(errno));
	}
	return 0;
}

static void records_overrun(void *data)
{
	monitor_overrun(data);
}

int cmd_monitor(struct flowctl *fc, int argc, char **argv)
{
	struct monitor m;
	sigset_t orig;
	struct output *o;
	bool json = false;
	int ret;

	if (argc > 0 && is_help(argv[0])) {
		usage(stdout);
		return 0;
	}
	monitor_init(&m, fc->out, 0);
	ret = monitor_parse_args(argc, argv, &m, &json);
	if (ret)
		return ret;
	if (json && !out_is_json(fc->out)) {
		o = out_new(stdout, OUT_JSON);
		if (!o) {
			fputs("Error: out of memory\n", stderr);
			return 1;
		}
		out_free(fc->out);
		fc->out = o;
	}

	monitor_signals(&orig);
	ret = monitor_join(fc->nl, FLOWSTREAM_MCGRP_RECORDS,
			   "no flow accounting", MONITOR_RCVBUF);
	if (!ret) {
		m.family = fc->nl->fam.id;
		m.o = fc->out;
		ret = monitor_recv(fc->nl, monitor_msg, &m, records_overrun,
				   &orig);
		if (!ret)
			ret = m.err;
		fprintf(stderr, "monitor: %" PRIu64 " records, %" PRIu64
			" lost\n", m.seq.records, m.seq.lost);
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
	return ret;
}

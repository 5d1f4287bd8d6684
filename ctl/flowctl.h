/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowctl: shared types and the command handlers.
 *
 * Each command file has a handler (cmd_*) that does the netlink request,
 * a reply parser usable as an mnl_cb_t and a printer; parsers and printers
 * do no I/O besides printing to the given output, so tests can call them.
 */
#ifndef FLOWCTL_H
#define FLOWCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/flowstream.h>

#include "names.h"
#include "nl.h"
#include "output.h"
#include "parse.h"
#include "record.h"

#ifndef FLOWCTL_VERSION
#error "FLOWCTL_VERSION must be defined by the build"
#endif

struct flowctl {
	struct fs_nl *nl;
	struct output *out;
};

/* Bit for attribute type @t in a "seen" mask. */
#define SEEN(t)		(1u << (t))

struct fs_version {
	unsigned int seen;		/* SEEN(FLOWSTREAM_A_*) */
	char module[64];
	uint32_t api;
	uint64_t features;
};

struct fs_config {
	bool seen;			/* a FLOWSTREAM_A_CONFIG was parsed */
	uint64_t present;		/* bit N: FLOWSTREAM_CFG_A N is set */
	uint64_t val[__FLOWSTREAM_CFG_A_MAX];
};

struct fs_stat {
	uint16_t type;			/* enum flowstream_stat, maybe unknown */
	uint64_t value;
};

struct fs_status {
	unsigned int seen;		/* SEEN(FLOWSTREAM_A_*) */
	uint64_t uptime_ms;
	uint64_t features;
	struct fs_config cfg;
	unsigned int nstats;
	struct fs_stat *stats;		/* in the order the kernel sent them */
};

int cmd_version(struct flowctl *fc, int argc, char **argv);
int cmd_status(struct flowctl *fc, int argc, char **argv);
int cmd_config(struct flowctl *fc, int argc, char **argv);
int cmd_stats(struct flowctl *fc, int argc, char **argv);
int cmd_flows(struct flowctl *fc, int argc, char **argv);
int cmd_flow(struct flowctl *fc, int argc, char **argv);
int cmd_monitor(struct flowctl *fc, int argc, char **argv);

/* cmd_version.c */
int version_parse(const struct nlmsghdr *nlh, void *ver);
void version_print(struct output *o, const struct fs_version *ver);

/* cmd_status.c */
int status_parse(const struct nlmsghdr *nlh, void *st);
int status_get(struct fs_nl *nl, struct fs_status *st);
void status_print(struct output *o, const struct fs_status *st);
void status_free(struct fs_status *st);

/* cmd_config.c */
int config_parse_nest(const struct nlattr *nest, struct fs_config *cfg);
int config_parse(const struct nlmsghdr *nlh, void *cfg);
void config_print(struct output *o, const struct fs_config *cfg);
int config_parse_args(int argc, char **argv, struct fs_config *cfg);
void config_put(struct nlmsghdr *nlh, const struct fs_config *cfg);

/* cmd_stats.c */
void stats_print(struct output *o, const struct fs_status *st);

/* cmd_flows.c */
struct flows_args {
	bool flush;			/* "flows flush" */
	struct fs_filter flt;
	size_t top;			/* "top N", 0 for all */
	enum rec_order by;		/* "by bytes|packets" */
};

int flows_parse_args(int argc, char **argv, struct flows_args *args);
int flows_collect(const struct nlmsghdr *nlh, void *list);
int flushed_parse(const struct nlmsghdr *nlh, void *flushed);
void flows_print(struct output *o, const struct rec_list *l,
		 const struct rec_fmt *fmt);

/* cmd_monitor.c */
struct monitor {
	struct output *o;
	struct rec_fmt fmt;
	uint16_t family;		/* generic netlink family id */
	struct seq_track seq;
	uint64_t count;			/* stop after this many records, or 0 */
	bool done;			/* count reached */
	int err;			/* exit status if an output error */
};

void monitor_init(struct monitor *m, struct output *o, uint16_t family);
int monitor_parse_args(int argc, char **argv, struct monitor *m,
		       bool *json);
int monitor_msg(const struct nlmsghdr *nlh, void *monitor);
int monitor_overrun(struct monitor *m);

#endif /* FLOWCTL_H */

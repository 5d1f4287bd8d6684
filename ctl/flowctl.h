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

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/flowstream.h>

#include "fos.h"
#include "names.h"
#include "nl.h"
#include "output.h"
#include "parse.h"
#include "record.h"
#include "subcmd.h"

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
int cmd_records(struct flowctl *fc, int argc, char **argv);
int cmd_record(struct flowctl *fc, int argc, char **argv);
int cmd_flows(struct flowctl *fc, int argc, char **argv);
int cmd_flow(struct flowctl *fc, int argc, char **argv);
int cmd_pm(struct flowctl *fc, int argc, char **argv);
int cmd_alloc(struct flowctl *fc, int argc, char **argv);
int cmd_monitor(struct flowctl *fc, int argc, char **argv);
int cmd_sampler(struct flowctl *fc, int argc, char **argv);
int cmd_prefix(struct flowctl *fc, int argc, char **argv);
int cmd_prefixes(struct flowctl *fc, int argc, char **argv);
int cmd_export(struct flowctl *fc, int argc, char **argv);
int cmd_agent(struct flowctl *fc, int argc, char **argv);
int cmd_migrate(struct flowctl *fc, int argc, char **argv);
int cmd_balance(struct flowctl *fc, int argc, char **argv);

/*
 * delegate.c: flowctl's main arguments, and the command that runs them
 * again in flowctl-net (the objects that need the HTTP and crypto
 * libraries).
 */
extern char **flowctl_argv;
int cmd_delegate(struct flowctl *fc, int argc, char **argv);

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

/* cmd_records.c */
struct records_args {
	bool flush;			/* "records flush" */
	struct fs_filter flt;
	size_t top;			/* "top N", 0 for all */
	enum rec_order by;		/* "by bytes|packets" */
};

int records_parse_args(int argc, char **argv, struct records_args *args);
int records_collect(const struct nlmsghdr *nlh, void *list);
int flushed_parse(const struct nlmsghdr *nlh, void *flushed);
void records_print(struct output *o, const struct rec_list *l,
		   const struct rec_fmt *fmt);
int record_get(struct flowctl *fc, int argc, char **argv);
void deprecated_note(struct flowctl *fc, const char *old, const char *now);

/* cmd_fos_flow.c, cmd_pm.c, cmd_alloc.c: FlowOS (see fos.h) */
int fos_add_parse_args(int argc, char **argv, struct fos_flow *f);
int fos_match_resolve(struct fos_match *m);
int fos_flow_add(struct flowctl *fc, struct fos_flow *f);
int fos_report(int ret, const struct fs_ext_ack *ack, const char *what);
int fos_run_list(struct flowctl *fc, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data, const char *what);
int fos_att_names_get(struct flowctl *fc, const char *flow,
		      struct fos_att_names *names);
int pm_attach_parse_args(int argc, char **argv, struct fos_attach *a);
int alloc_read(const char *path, char **text, size_t *len);

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
void monitor_signals(sigset_t *orig);
int monitor_join(struct fs_nl *nl, const char *name, const char *why,
		 int rcvbuf);
int monitor_recv(struct fs_nl *nl, mnl_cb_t cb, void *data,
		 void (*overrun)(void *data), const sigset_t *waitmask);

/* cmd_sampler.c: the prefix sampler, and counts shared with cmd_prefix.c */

/* FLOWSTREAM_CNT_A_PACKETS..EST_BYTES_HI, in that order. */
#define FS_CNT_FIRST	FLOWSTREAM_CNT_A_PACKETS
#define FS_CNT_N	(FLOWSTREAM_CNT_A_EST_BYTES_HI - FS_CNT_FIRST + 1)

/* The counts of a window; counters the kernel did not send are zero. */
struct fs_counts {
	uint32_t index;			/* FLOWSTREAM_CNT_A_INDEX (SUB only) */
	bool has_index;
	uint64_t v[FS_CNT_N];		/* v[FLOWSTREAM_CNT_A_* - FS_CNT_FIRST] */
};

/* Counter FLOWSTREAM_CNT_A_@a of struct fs_counts *@c. */
#define FS_CNT(c, a)	((c)->v[FLOWSTREAM_CNT_A_##a - FS_CNT_FIRST])

struct fs_sampler {
	bool seen;			/* a FLOWSTREAM_A_SAMPLER was parsed */
	uint64_t present;		/* bit N: FLOWSTREAM_SMP_A N is set */
	uint64_t val[__FLOWSTREAM_SMP_A_MAX];	/* scalar attributes */
	struct fs_counts unmatched;
};

int counts_parse_nest(const struct nlattr *nest, struct fs_counts *c);
void counts_print_json(struct output *o, const struct fs_counts *c);
char *fmt_est(const struct fs_counts *c, bool bytes, char *buf, size_t len);
char *fmt_time_ms(uint64_t ms, char *buf, size_t len);
int sampler_parse_nest(const struct nlattr *nest, struct fs_sampler *smp);
int sampler_parse(const struct nlmsghdr *nlh, void *smp);
void sampler_print(struct output *o, const struct fs_sampler *smp);
int sampler_parse_args(int argc, char **argv, struct fs_sampler *smp);
void sampler_put(struct nlmsghdr *nlh, const struct fs_sampler *smp);

/* cmd_prefix.c: monitored prefixes and the GET_PREFIX dump */
struct prefix_args {
	bool del;			/* "prefix del" */
	bool has_depth;			/* "depth D" given */
	uint8_t family;
	uint8_t len;
	uint8_t depth;
	uint8_t addr[16];		/* as given, host bits and all */
};

int prefix_parse_args(int argc, char **argv, struct prefix_args *args);
void prefix_put(struct nlmsghdr *nlh, const struct prefix_args *args);
int pfx_sub_addr(uint8_t family, const uint8_t *addr, unsigned int len,
		 unsigned int depth, uint32_t index, uint8_t out[16]);
char *fmt_prefix(uint8_t family, const uint8_t *addr, unsigned int len,
		 char *buf, size_t size);

/* One monitored prefix of a dump, merged over its messages. */
struct fs_prefix {
	uint32_t seen;			/* REC_BIT(FLOWSTREAM_PFX_A_*) */
	uint8_t family;
	uint8_t len;
	uint8_t depth;
	uint8_t addr[16];
	uint64_t window_start_ms;
	uint64_t window_end_ms;
	struct fs_counts total;
	struct fs_counts *subs;		/* in index order */
	size_t nsubs;
	size_t cap;
};

struct pfx_dump {
	struct fs_sampler smp;		/* the first message's */
	struct fs_prefix *v;
	size_t n;
	size_t cap;
	int err;			/* errno of a failed message */
};

struct prefixes_args {
	bool reset;			/* "--reset" or "reset" */
	bool ack;			/* "ack N": drop kept window N */
	uint64_t window;		/* "--window N" or "ack N", else 0 */
	bool json;			/* "-j" after the object */
	bool pretty;			/* "-p" after the object */
};

int prefixes_parse_args(int argc, char **argv, struct prefixes_args *args);
void prefixes_request(struct nlmsghdr *nlh, const struct prefixes_args *args);
int pfx_dump_msg(const struct nlmsghdr *nlh, void *dump);
void pfx_dump_free(struct pfx_dump *d);
void prefixes_print(struct output *o, const struct pfx_dump *d);

/* cmd_export.c */
struct exp_opts;
int export_parse_args(int argc, char **argv, struct exp_opts *opts);
int export_msg(const struct nlmsghdr *nlh, void *ctx);

#endif /* FLOWCTL_H */

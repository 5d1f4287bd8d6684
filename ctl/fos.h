/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FlowOS: flows (FLOWSTREAM_A_FLOW) with their match, sessions, processing
 * modules (PMs) and their attachments to flows. Word parsing, request
 * building, reply parsing and printing; no I/O besides printing, so tests
 * can feed them byte buffers.
 *
 * Parsers of words report a problem as a message in @err (no "Error: "
 * prefix, no newline) and return -1: the command line turns it into a
 * usage error, "alloc install" prefixes FILE:LINE.
 */
#ifndef FLOWCTL_FOS_H
#define FLOWCTL_FOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/flowstream.h>

struct output;

#define FOS_NAME_MAX	31		/* flow and PM names */
#define FOS_ARGS_MAX	255		/* FLOWSTREAM_ATT_A_ARGS */
#define FOS_PIPE_MAX	128		/* PMs in one ADD_FLOW pipeline */
#define FOS_STATS_MAX	64		/* counters kept of one reply nest */
#define FOS_RESULTS_MAX	64		/* PM results kept of one session */

/* Bit for attribute type @t of a FlowOS nest in a mask. */
#define FOS_BIT(t)	(1u << (t))

_Static_assert(__FLOWSTREAM_MATCH_A_MAX <= 32, "struct fos_match.present");
_Static_assert(__FLOWSTREAM_FLOW_A_MAX <= 32, "struct fos_flow.seen");
_Static_assert(__FLOWSTREAM_ATT_A_MAX <= 32, "struct fos_attach.seen");
_Static_assert(__FLOWSTREAM_PM_A_MAX <= 32, "struct fos_pm.seen");
_Static_assert(__FLOWSTREAM_SESS_A_MAX <= 32, "struct fos_session.seen");

/* A u64 counter of a stats nest, by its attribute type. */
struct fos_stat {
	uint16_t type;
	uint64_t value;
};

/* FLOWSTREAM_FLOW_A_MATCH; absent attributes are wildcards. */
struct fos_match {
	uint32_t present;		/* FOS_BIT(FLOWSTREAM_MATCH_A_*) */
	uint32_t words;			/* words given, for duplicates */
	char dev[IF_NAMESIZE];		/* "iif DEV", to resolve into iif */
	uint32_t iif;
	uint8_t family;			/* "family", or that of src/dst */
	uint8_t word_family;		/* the one "family" gave, or 0 */
	uint8_t proto;
	uint8_t src[16];
	uint8_t src_len;
	uint8_t dst[16];
	uint8_t dst_len;
	uint8_t dscp;
	uint16_t sport;
	uint16_t dport;
};

int fos_match_word(int argc, char **argv, struct fos_match *m,
		   char *err, size_t errlen);
int fos_match_check(struct fos_match *m, char *err, size_t errlen);
void fos_match_put(struct nlmsghdr *nlh, const struct fos_match *m);
int fos_match_parse_nest(const struct nlattr *nest, struct fos_match *m);
void fos_match_print(struct output *o, const struct fos_match *m,
		     const char *(*ifname)(unsigned int, char *));

/*
 * A PM attached to a flow (FLOWSTREAM_A_ATTACH): a request (ATTACH,
 * DETACH, a PIPELINE entry: the attributes in @seen are sent) or a
 * GET_ATTACH reply.
 */
struct fos_attach {
	uint32_t seen;			/* FOS_BIT(FLOWSTREAM_ATT_A_*) */
	char flow[FOS_NAME_MAX + 1];
	uint32_t id;
	char pm[FOS_NAME_MAX + 1];
	uint32_t order;
	char args[FOS_ARGS_MAX + 1];
	uint8_t mode;			/* enum flowstream_pm_mode */
	unsigned int nstats;
	struct fos_stat stats[FOS_STATS_MAX];
};

void fos_attach_put(struct nlmsghdr *nlh, const struct fos_attach *a);
int fos_attach_parse_nest(const struct nlattr *nest, struct fos_attach *a);
int fos_attach_msg_parse(const struct nlmsghdr *nlh, struct fos_attach *a);
void fos_attach_print(struct output *o, const struct fos_attach *a);

/*
 * A flow: the request of ADD_FLOW (name, the settings in @seen, match,
 * pipeline) or a GET_FLOW reply (then also id and stats).
 */
struct fos_flow {
	uint32_t seen;			/* FOS_BIT(FLOWSTREAM_FLOW_A_*) */
	uint32_t words;			/* settings words given */
	uint32_t id;
	char name[FOS_NAME_MAX + 1];
	struct fos_match match;		/* seen if match.present */
	uint64_t val[__FLOWSTREAM_FLOW_A_MAX];	/* PRIO, STREAM, POLICY, limits */
	struct fos_attach *pipe;	/* PIPELINE entries (request only) */
	size_t npipe;
	unsigned int nstats;
	struct fos_stat stats[FOS_STATS_MAX];
};

bool fos_name_ok(const char *name);
int fos_flow_word(int argc, char **argv, struct fos_flow *f,
		  char *err, size_t errlen);
void fos_flow_put(struct nlmsghdr *nlh, const struct fos_flow *f);
void fos_flow_ref_put(struct nlmsghdr *nlh, const char *name, uint32_t id);
int fos_flow_parse_nest(const struct nlattr *nest, struct fos_flow *f);
int fos_flow_msg_parse(const struct nlmsghdr *nlh, struct fos_flow *f);
void fos_flow_print(struct output *o, const struct fos_flow *f,
		    const char *(*ifname)(unsigned int, char *));
void fos_flow_free(struct fos_flow *f);

/* A processing module (FLOWSTREAM_A_PM); desc and params are allocated. */
struct fos_pm {
	uint32_t seen;			/* FOS_BIT(FLOWSTREAM_PM_A_*) */
	char name[FOS_NAME_MAX + 1];
	char *desc;
	char *params;
	uint8_t stream;			/* enum flowstream_stream */
	uint8_t mode;			/* enum flowstream_pm_mode */
	uint32_t streams;		/* 1 << enum flowstream_stream */
	uint32_t state_size;
	uint32_t attached;
	bool migratable;
};

int fos_pm_msg_parse(const struct nlmsghdr *nlh, struct fos_pm *pm);
void fos_pm_print_line(struct output *o, const struct fos_pm *pm);
void fos_pm_print_info(struct output *o, const struct fos_pm *pm);
void fos_pm_free(struct fos_pm *pm);

/* Attachment id -> PM name, from a GET_ATTACH dump. */
struct fos_att_names {
	struct fos_att_name {
		uint32_t id;
		char pm[FOS_NAME_MAX + 1];
	} *v;
	size_t n;
	size_t cap;
};

int fos_att_names_msg(const struct nlmsghdr *nlh, void *names);
const char *fos_att_names_find(const struct fos_att_names *names,
			       uint32_t id);
void fos_att_names_free(struct fos_att_names *names);

/*
 * A session (FLOWSTREAM_A_SESSION). The results point into the message
 * they were parsed from: print before the buffer is reused.
 */
struct fos_session {
	uint32_t seen;			/* FOS_BIT(FLOWSTREAM_SESS_A_*) */
	uint8_t family;
	uint8_t proto;
	uint8_t addr_a[16];
	uint8_t addr_b[16];
	uint16_t port_a;
	uint16_t port_b;
	uint64_t packets_ab, bytes_ab, packets_ba, bytes_ba;
	uint32_t held;
	uint64_t age_ms, idle_ms, gaps;
	unsigned int nresults;
	struct fos_result {
		uint32_t id;			/* FLOWSTREAM_ATT_A_ID */
		const char *pm;			/* FLOWSTREAM_ATT_A_PM, or NULL */
		const struct nlattr *attr;	/* FLOWSTREAM_ATT_A_RESULT */
	} results[FOS_RESULTS_MAX];
};

int fos_session_msg_parse(const struct nlmsghdr *nlh, struct fos_session *s);
void fos_session_print(struct output *o, const struct fos_session *s,
		       const struct fos_att_names *names);
void fos_result_print(struct output *o, const struct nlattr *result);

/* Counters of a stats nest into @v (at most FOS_STATS_MAX kept). */
int fos_stats_parse(const struct nlattr *nest, struct fos_stat *v,
		    unsigned int *n, uint16_t max_known);
void fos_stats_print(struct output *o, const struct fos_stat *v,
		     unsigned int n,
		     const char *(*name)(uint16_t, char *, size_t),
		     const unsigned char *groups, size_t ngroups);

/* alloc.c: an allocation request file into one ADD_FLOW. */
int alloc_parse(const char *path, const char *text, size_t len,
		struct fos_flow *f, char *err, size_t errlen);
int alloc_name_from_path(const char *path, char *name, size_t len);

#endif /* FLOWCTL_FOS_H */

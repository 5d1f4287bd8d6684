/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Flow records (FLOWSTREAM_A_RECORD): parsing, printing, sorting, the key
 * of a GET_RECORD request, the filter (FLOWSTREAM_A_FILTER) and the
 * sequence number tracking of the monitor. No I/O besides printing.
 */
#ifndef FLOWCTL_RECORD_H
#define FLOWCTL_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/flowstream.h>

struct output;

/* Bit for FLOWSTREAM_REC_A_* or FLOWSTREAM_FLT_A_* @t in a mask. */
#define REC_BIT(t)	(1u << (t))

_Static_assert(__FLOWSTREAM_REC_A_MAX <= 32, "struct fs_record.seen");
_Static_assert(__FLOWSTREAM_FLT_A_MAX <= 32, "struct fs_filter.present");

/* One flow record; attributes not in @seen are zero. */
struct fs_record {
	uint32_t seen;			/* REC_BIT(FLOWSTREAM_REC_A_*) */
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t proto;
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint8_t dscp;
	uint8_t tcp_flags;
	uint8_t end;			/* enum flowstream_end */
	uint16_t sport;
	uint16_t dport;
	uint32_t iif;
	uint32_t oif;
	uint8_t src[16];		/* 4 bytes used for AF_INET */
	uint8_t dst[16];
	uint64_t packets;
	uint64_t bytes;
	uint64_t first_ms;
	uint64_t last_ms;
	uint64_t seq;
};

int record_parse_nest(const struct nlattr *nest, struct fs_record *rec);
int record_msg_parse(const struct nlmsghdr *nlh, struct fs_record *rec);
int record_ntf_parse(const struct nlmsghdr *nlh, uint16_t family,
		     struct fs_record *rec);

/* How to print records. */
struct rec_fmt {
	uint64_t now_ms;		/* "age" and "idle" from; 0: the clock */
	bool notify;			/* monitor: "seq N END" first, "seq" key */
	/* Interface name of @ifindex into @buf (IF_NAMESIZE), or NULL. */
	const char *(*ifname)(unsigned int ifindex, char *buf);
};

void record_print(struct output *o, const struct fs_record *rec,
		  const struct rec_fmt *fmt);
char *fmt_tcp_flags(uint8_t flags, char buf[9]);
char *fmt_tenths(uint64_t ms, char *buf, size_t len);
uint64_t now_ms(void);

/* Records sorted by a counter, the largest first; only the top kept. */
enum rec_order {
	REC_BY_NONE,			/* the kernel's order */
	REC_BY_BYTES,
	REC_BY_PACKETS,
};

struct rec_list {
	struct fs_record *v;
	size_t n;
	size_t cap;
	size_t top;			/* keep this many, 0 for all */
	enum rec_order by;
};

int rec_list_add(struct rec_list *l, const struct fs_record *rec);
void rec_list_finish(struct rec_list *l);
void rec_list_free(struct rec_list *l);
void rec_sort(struct fs_record *v, size_t n, enum rec_order by);

/* The key of GET_RECORD (do), from "proto P src A dst B ..." words. */
struct fs_rec_key {
	struct fs_record rec;		/* family, addresses, proto, ports... */
	const char *dev;		/* "iif DEV": resolved in the netns */
};

int rec_key_parse_args(int argc, char **argv, struct fs_rec_key *key);
void rec_key_put(struct nlmsghdr *nlh, const struct fs_record *rec);

/* FLOWSTREAM_A_FILTER. */
struct fs_filter {
	uint32_t present;		/* REC_BIT(FLOWSTREAM_FLT_A_*) to send */
	uint32_t words;			/* ... given on the command line */
	uint8_t family;
	uint8_t prefix[16];
	uint8_t prefix_len;
	uint8_t proto;
	uint16_t port;
	uint32_t ifindex;
	const char *dev;		/* "dev IFNAME": resolved in the netns */
};

int filter_parse_word(int argc, char **argv, struct fs_filter *flt,
		      const char *object);
void filter_put(struct nlmsghdr *nlh, const struct fs_filter *flt);
int resolve_dev(const char *dev, uint32_t *ifindex);

/* Sequence numbers of RECORD_NTF: gaps are records missed. */
struct seq_track {
	bool started;
	uint64_t next;			/* the sequence number expected next */
	uint64_t records;		/* records seen */
	uint64_t lost;			/* records missed in total */
};

uint64_t seq_track(struct seq_track *t, const struct fs_record *rec,
		   uint64_t *from, uint64_t *to);

#endif /* FLOWCTL_RECORD_H */

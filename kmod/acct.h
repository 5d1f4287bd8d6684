/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowstream: flow accounting.
 */
#ifndef _FLOWSTREAM_ACCT_H
#define _FLOWSTREAM_ACCT_H

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/netfilter.h>
#include <linux/rculist.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <net/netlink.h>
#include <uapi/linux/flowstream.h>

#include "netns.h"

static inline bool fs_is_icmp(u8 proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

struct fs_config;
struct genl_info;
struct netlink_callback;
struct netlink_ext_ack;
struct seq_file;
struct sk_buff;

/*
 * The key of a flow record. Addresses are stored in 16 bytes whatever the
 * family (IPv4 in the first 4, the rest zero) and every byte is defined, so
 * keys are hashed and compared as words.
 */
struct fs_acct_key {
	struct in6_addr src;
	struct in6_addr dst;
	__be16 sport;		/* or ICMP type << 8 | code */
	__be16 dport;
	u32 iif;
	u8 family;
	u8 proto;
	u8 pad[2];
};

/* What the packet path learns about a packet besides its key. */
struct fs_acct_pkt {
	u32 len;
	u8 dscp;
	u8 tcp_flags;
	bool fragment;		/* a non-first fragment: no ports */
};

/*
 * struct fs_record - one flow record
 * @hnode: in its hash bucket, under the bucket lock; readers use RCU
 * @key: immutable after insertion
 * @lock: protects the fields below it
 * @dead: ended; a packet that finds a dead record creates a new one
 * @closing: a TCP FIN or RST was seen, in this interval or an earlier one
 * @age: creation-ordered list (for evicting the oldest), under age_lock
 * @rcu: frees the record; shares memory with @age, which is no longer used
 *	once the record has ended
 */
struct fs_record {
	struct hlist_node hnode;
	struct fs_acct_key key;
	spinlock_t lock;	/* see above */
	u8 dscp;
	u8 tcp_flags;
	u8 dead;
	u8 closing;
	u32 oif;
	u64 packets;
	u64 bytes;
	u64 first;		/* jiffies64 of the interval's first packet */
	u64 last;		/* jiffies64 of the last packet */
	union {
		struct list_head age;
		struct rcu_head rcu;
	};
};

/* A copy of a record, as reported (dumps, events). */
struct fs_rec_snap {
	struct list_head list;	/* in the event queue */
	u64 seq;		/* events only */
	struct fs_acct_key key;
	u32 oif;
	u64 packets;
	u64 bytes;
	u64 first;
	u64 last;
	u8 dscp;
	u8 tcp_flags;
	u8 end;
};

/* A record filter (FLOWSTREAM_A_FILTER). */
struct fs_acct_filter {
	struct in6_addr prefix;
	u8 family;		/* 0: any */
	u8 prefix_len;
	bool has_prefix;
	int proto;		/* -1: any */
	int port;		/* -1: any */
	u32 ifindex;		/* 0: any */
};

/*
 * struct fs_acct - the record table of a namespace where accounting is on
 */
struct fs_acct {
	struct fs_net *fsn;
	struct hlist_head *buckets;
	spinlock_t *locks;	/* bucket i is under locks[i & lock_mask] */
	u32 mask;		/* buckets - 1 */
	u32 lock_mask;		/* locks - 1, <= mask */
	u32 seed;
	atomic_t count;
	u32 max;		/* READ_ONCE: may change while running */
	u8 overload;
	u64 idle_j;
	u64 active_j;
	u64 fin_j;
	spinlock_t age_lock;	/* nests inside a bucket lock */
	struct list_head age_list;
	struct delayed_work expire_work;
	spinlock_t sched_lock;	/* protects next_scan's changes */
	u64 next_scan;		/* jiffies64 of the next walk; 0: none yet,
				 * U64_MAX: one in progress (acct_expire.c)
				 */
	struct list_head all;	/* every table, for the global figures */
};

/* Figures over the tables of every namespace (sysfs, read only). */
struct fs_acct_totals {
	u32 tables;
	u64 records;
	u64 bytes;		/* records' slab plus hash tables and locks */
};

extern unsigned int fs_acct_events_max;
extern struct workqueue_struct *fs_wq;

/* acct_parse.c */
int fs_acct_parse(const struct sk_buff *skb, u8 family,
		  struct fs_acct_key *key, struct fs_acct_pkt *pkt);

/* acct_table.c */
int fs_acct_cache_init(void);
void fs_acct_cache_exit(void);
unsigned int fs_acct_record_size(void);
struct fs_acct *fs_acct_create(struct fs_net *fsn, const struct fs_config *cfg);
void fs_acct_destroy(struct fs_acct *acct, u8 reason);
void fs_acct_totals(struct fs_acct_totals *t);
void fs_acct_update(struct fs_acct *acct, const struct fs_config *cfg);
bool fs_acct_account_live(struct fs_acct *acct, const struct fs_acct_key *key,
			  const struct fs_acct_pkt *pkt, u32 oif);
void fs_acct_account(struct fs_acct *acct, const struct fs_acct_key *key,
		     const struct fs_acct_pkt *pkt, u32 oif);
u32 fs_acct_flush(struct fs_acct *acct, const struct fs_acct_filter *flt);
bool fs_acct_lookup(struct fs_acct *acct, const struct fs_acct_key *key,
		    struct fs_rec_snap *snap);
bool fs_acct_match(const struct fs_acct_filter *flt,
		   const struct fs_acct_key *key, u32 oif);
void fs_rec_snapshot(const struct fs_record *rec, struct fs_rec_snap *snap);
void fs_acct_end_locked(struct fs_acct *acct, struct fs_record *rec, u8 reason);
u64 fs_acct_count(struct fs_acct *acct,
		  bool (*want)(void *arg, const struct fs_acct_key *key),
		  void *arg);
int fs_acct_take_bucket(struct fs_acct *acct, u32 bucket,
			bool (*want)(void *arg, const struct fs_acct_key *key),
			int (*take)(void *arg, const struct fs_rec_snap *snap),
			void *arg);
int fs_acct_import(struct fs_acct *acct, const struct fs_rec_snap *v, u32 n,
		   u32 *merged, struct netlink_ext_ack *extack);

/* acct_expire.c */
void fs_acct_expire_work(struct work_struct *work);
u64 fs_acct_expire_scan(struct fs_acct *acct, u64 now);
void fs_acct_expire_start(struct fs_acct *acct);
void fs_acct_expire_soon(struct fs_acct *acct, u64 at);

/* acct_hook.c */
int fs_acct_net_init(struct fs_net *fsn);
void fs_acct_net_exit(struct fs_net *fsn);
int fs_acct_apply(struct fs_net *fsn, const struct fs_config *old,
		  struct fs_config *new, struct netlink_ext_ack *extack);
bool fs_acct_enabled(struct fs_net *fsn);

/* acct_events.c */
int fs_events_net_init(struct fs_net *fsn);
void fs_events_net_exit(struct fs_net *fsn);
void fs_events_queue(struct fs_net *fsn, const struct fs_rec_snap *snap,
		     gfp_t gfp);
void fs_events_work(struct work_struct *work);
void fs_events_stop(void);

/* acct_nl.c */
extern const struct fs_nl_part fs_acct_nl;
int fs_nl_rec_fill(struct sk_buff *skb, const struct fs_rec_snap *snap,
		   u64 seq);
int fs_nl_rec_fill_as(struct sk_buff *skb, int type,
		      const struct fs_rec_snap *snap, u64 seq);
u64 fs_jiffies_to_epoch_ms(u64 j, u64 now_j, u64 now_ms);
int fs_nl_rec_key_head(struct nlattr **tb, struct fs_acct_key *key,
		       struct netlink_ext_ack *extack);
extern const struct nla_policy fs_rec_policy[FLOWSTREAM_REC_A_MAX + 1];
extern const struct nla_policy fs_flt_policy[FLOWSTREAM_FLT_A_MAX + 1];

#endif /* _FLOWSTREAM_ACCT_H */

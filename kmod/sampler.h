/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowstream: prefix sampling.
 */
#ifndef _FLOWSTREAM_SAMPLER_H
#define _FLOWSTREAM_SAMPLER_H

#include <linux/atomic.h>
#include <linux/prandom.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <net/netlink.h>
#include <uapi/linux/flowstream.h>

#include "netns.h"

struct genl_info;
struct netlink_callback;
struct netlink_ext_ack;
struct sk_buff;

/* --- the radix tree (sampler_tree.c) ---------------------------------- */

/*
 * A key is 128 bits, most significant bit first: key[0] holds bits 0..63
 * and key[1] bits 64..127. IPv4 addresses fill the first 32 bits. Bits past
 * a node's length are zero.
 */
struct fs_rt_node {
	struct fs_rt_node __rcu *child[2];
	void __rcu *value;	/* NULL in a branching node */
	u64 key[2];
	u8 plen;
	struct rcu_head rcu;
};

/**
 * struct fs_rt - a path-compressed binary tree of prefixes
 * @root: the top node; readers walk it under RCU
 * @bits: key length, 32 or 128
 * @nodes: nodes in the tree (writers)
 *
 * Every node holds a prefix; a node without a value is a branching node
 * and always has two children. A child's prefix extends its parent's, with
 * the bit after the parent's length choosing the side. Writers are
 * serialized by the caller; lookups are lockless under RCU, and removed
 * nodes are freed after a grace period.
 */
struct fs_rt {
	struct fs_rt_node __rcu *root;
	u8 bits;
	u32 nodes;
};

void fs_rt_init(struct fs_rt *t, u8 bits);
void *fs_rt_lookup(const struct fs_rt *t, const u64 *key);
void *fs_rt_overlap(const struct fs_rt *t, const u64 *key, u8 plen);
int fs_rt_insert(struct fs_rt *t, const u64 *key, u8 plen, void *value);
void *fs_rt_delete(struct fs_rt *t, const u64 *key, u8 plen);
void fs_rt_destroy(struct fs_rt *t, void (*fn)(void *value));
bool fs_rt_prefix_match(const u64 *a, const u64 *b, u8 plen);
void fs_rt_mask(u64 *key, u8 plen);
u32 fs_rt_bits(const u64 *key, u8 pos, u8 n);

/* --- counts and estimates (sampler_est.c) ----------------------------- */

/* Counts of one window: sampled packets, bytes, sum of squared lengths. */
struct fs_smp_sum {
	u64 packets;
	u64 bytes;
	u64 sq;
};

/*
 * The same counts as the packet path writes them: one copy for all CPUs,
 * each sampled packet three atomic additions.
 */
struct fs_smp_ctr {
	atomic64_t packets;
	atomic64_t bytes;
	atomic64_t sq;
};

struct fs_smp_est {
	u64 packets;
	u64 packets_lo;
	u64 packets_hi;
	u64 bytes;
	u64 bytes_lo;
	u64 bytes_hi;
};

/* Below this many sampled packets, bytes are bounded by max-len. */
#define FS_SMP_BYTES_MIN_SAMPLES	30

void fs_smp_estimate(const struct fs_smp_sum *s, u32 rate, u32 max_len,
		     struct fs_smp_est *e);
u64 fs_log2_q48(u64 x);
u64 fs_smp_log_q(u32 rate);
u32 fs_smp_geometric(u64 log_q, u32 r);

/* --- the sampler (sampler.c) ------------------------------------------ */

/* Counters of prefixes up to this depth come from slab caches of their own. */
#define FS_SMP_SLAB_DEPTH	7

/*
 * struct fs_smp_prefix - a monitored prefix, or the unmatched counters
 * @list: in fs_sampler's list of prefixes, under fsn->lock
 * @rcu: frees it after lookups are done with it
 * @key: the prefix (tree key form)
 * @added_ns: real time when it was added
 * @ctr: two sets of 2^depth counters, set 0 then set 1; the packet path
 *	adds to the set its window names
 * @family: AF_INET or AF_INET6
 * @plen: prefix length
 * @depth: 2^depth sub-prefixes
 */
struct fs_smp_prefix {
	struct list_head list;
	struct rcu_head rcu;
	u64 key[2];
	u64 added_ns;
	struct fs_smp_ctr *ctr;
	u8 family;
	u8 plen;
	u8 depth;
};

struct fs_smp_pcpu {
	int countdown;		/* packets to the next sample */
	struct rnd_state rnd;
};

/*
 * struct fs_smp_run - one window of a sampler that is on
 *
 * Published in fs_net->smp_run and replaced as a whole, never changed in
 * place (but for the per-CPU state, which only its CPU writes): a new
 * window is a new run naming the other counter set.
 */
struct fs_smp_run {
	struct fs_sampler *smp;
	u32 rate;
	u8 mode;
	u8 key;
	u8 set;			/* counter set written in this window */
	u64 log_q;		/* random mode: -log2(1 - 1/rate), Q48 */
	u64 start_ns;
	struct fs_smp_pcpu __percpu *pcpu;
};

/* A sampler configuration: a request (checked by fs_smp_policy) or a read. */
struct fs_smp_cfg {
	bool enable;
	u32 rate;
	u8 mode;
	u8 key;
	u32 max_prefixes;
	u32 max_counters;
	u32 max_len;
	bool new_window;	/* enable, rate, mode or key changed */
};

struct fs_smp_snap;

/*
 * struct fs_sampler - prefix sampling state of a namespace; everything but
 * the trees' lockless readers and the counters is under fs_net->lock
 */
struct fs_sampler {
	struct fs_net *fsn;
	struct fs_rt tree4;
	struct fs_rt tree6;
	struct list_head list;	/* every monitored prefix */
	struct fs_smp_prefix *unmatched;
	struct fs_smp_cfg cfg;	/* in force; new_window is false */
	bool hooked;
	u8 set;			/* the set the current (or next) window writes */
	u32 prefixes;
	u32 counters;
	u64 memory;		/* fs_smp_memory() when last changed */
	u64 start_ns;		/* start of the current window */
	u64 window;		/* number of the current window, from 1 */
	struct fs_smp_snap *kept;	/* the last window read and reset */
};

/* A monitored prefix as read. */
struct fs_smp_snap_pfx {
	u64 key[2];
	u8 family;
	u8 plen;
	u8 depth;
	u64 start_ns;
	struct fs_smp_sum total;
	struct fs_smp_sum *sub;	/* 2^depth */
};

/*
 * One read of every counter (dumps, procfs). A window taken by a
 * read-and-reset is kept in the sampler (fs_sampler.kept) for reading
 * again; readers hold references.
 */
struct fs_smp_snap {
	refcount_t ref;
	size_t mem;		/* bytes allocated for it */
	u64 window;		/* its number */
	struct fs_smp_cfg cfg;	/* the sampler's configuration */
	u32 prefixes;
	u32 counters;
	u64 memory;
	u64 kept_window;	/* the sampler's kept window when read */
	u64 start_ns;
	u64 end_ns;
	struct fs_smp_sum unmatched;
	u32 nprefixes;
	struct fs_smp_snap_pfx *pfx;
	struct fs_smp_sum *subs;	/* what pfx[].sub point into */
};

/* What fs_smp_snapshot() reads. */
enum fs_smp_read {
	FS_SMP_READ_SAMPLER,	/* the sampler and the unmatched counts only */
	FS_SMP_READ_CURRENT,	/* the current window */
	FS_SMP_READ_RESET,	/* the current window, ended and kept */
	FS_SMP_READ_WINDOW,	/* the window numbered @window */
};

extern atomic64_t fs_smp_total_memory;

int fs_smp_init(void);
void fs_smp_exit(void);
int fs_smp_net_init(struct fs_net *fsn);
void fs_smp_net_exit(struct fs_net *fsn);
bool fs_smp_enabled(struct fs_net *fsn);
void fs_smp_cfg_get(struct fs_sampler *smp, struct fs_smp_cfg *cfg);
int fs_smp_configure(struct fs_net *fsn, const struct fs_smp_cfg *cfg,
		     struct netlink_ext_ack *extack);
int fs_smp_prefix_add(struct fs_sampler *smp, u8 family, const u64 *key,
		      u8 plen, u8 depth, struct netlink_ext_ack *extack);
int fs_smp_prefix_del(struct fs_sampler *smp, u8 family, const u64 *key,
		      u8 plen, struct netlink_ext_ack *extack);
u64 fs_smp_memory(const struct fs_sampler *smp);
struct fs_smp_snap *fs_smp_snapshot(struct fs_net *fsn, enum fs_smp_read how,
				    u64 window, struct netlink_ext_ack *extack);
void fs_smp_snap_put(struct fs_smp_snap *snap);
int fs_smp_ack(struct fs_net *fsn, u64 window, struct netlink_ext_ack *extack);
void fs_smp_key_from_addr(u8 family, const void *addr, u64 *key);
void fs_smp_addr_from_key(u8 family, const u64 *key, void *addr);
void fs_smp_sub_key(const u64 *key, u8 plen, u8 depth, u32 index, u64 *out);

/* sampler_hook.c */
int fs_smp_hooks_register(struct fs_net *fsn);
void fs_smp_hooks_unregister(struct fs_net *fsn);
u32 fs_smp_first_gap(const struct fs_smp_run *run, struct fs_smp_pcpu *pc);

/* sampler_nl.c */
extern const struct fs_nl_part fs_smp_nl;

/* sampler_proc.c */
int fs_smp_proc_init(struct fs_net *fsn);

#endif /* _FLOWSTREAM_SAMPLER_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowstream: state migration (Documentation/migration.rst).
 */
#ifndef _FLOWSTREAM_MIG_H
#define _FLOWSTREAM_MIG_H

#include <linux/in6.h>
#include <linux/list.h>
#include <linux/types.h>
#include <net/netlink.h>
#include <uapi/linux/flowstream.h>

#include "netlink.h"

struct fs_acct_key;
struct fs_net;
struct genl_info;
struct netlink_callback;
struct netlink_ext_ack;
struct nlattr;
struct sk_buff;

/* One prefix of a migration's set. */
struct fs_mig_pfx {
	struct in6_addr addr;	/* host bits zero, IPv4 in the first 4 bytes */
	u8 family;
	u8 len;
	u8 key;			/* enum flowstream_smp_key */
};

/*
 * struct fs_mig - one migration of a namespace; changed under fs_net.lock,
 * read by the packet path under RCU (the list, and what MIG_ADD set)
 * @list: in fs_mig_net.list, by creation
 * @rcu: freed after a grace period
 * @id: FLOWSTREAM_MIG_A_ID
 * @n_pfx: prefixes in @pfx
 * @via4, @via6: next hops to daisy-chain to (FLOWSTREAM_MIG_A_VIA*)
 * @has_via4, @has_via6: whether they are set
 * @chained: packets daisy-chained (FLOWSTREAM_MIG_A_CHAINED)
 * @exported, @packets, @bytes, @batches: progress of MIG_EXPORT
 * @imported: records MIG_IMPORT took in for it (FLOWSTREAM_MIG_A_IMPORTED)
 * @phase: enum flowstream_mig_phase, set by MIG_SET
 * @owned: FLOWSTREAM_MIG_A_OWNED: @owner's, its exports kept until acked
 * @owner: the netlink port id of the socket that added it
 * @next_seq: the number of its next export message (FLOWSTREAM_MIG_A_SEQ)
 * @acked: the last message acknowledged (MIG_ACK)
 * @pend: struct fs_mig_pend, the messages not acknowledged, in order
 * @pending: their records
 * @taken_back, @takeback_failed: pending records put back, or not
 * @pfx: the set
 */
struct fs_mig {
	struct list_head list;
	struct rcu_head rcu;
	u32 id;
	u32 n_pfx;
	__be32 via4;
	struct in6_addr via6;
	bool has_via4;
	bool has_via6;
	atomic64_t chained;
	u64 exported;
	u64 packets;
	u64 bytes;
	u64 batches;
	u64 imported;
	u8 phase;
	bool owned;
	u32 owner;
	u32 next_seq;
	u32 acked;
	struct list_head pend;
	u64 pending;
	u64 taken_back;
	u64 takeback_failed;
	struct fs_mig_pfx pfx[];
};

/*
 * The migrations of a namespace (fs_net.mig), under fs_net.lock; @nchain
 * (those that daisy-chain) is read by the packet path without it.
 */
struct fs_mig_net {
	struct list_head list;
	u32 count;
	u32 nchain;
	u32 n_owned;
	u32 next_id;
};

/*
 * Module parameter @name, the unsigned int @var, which can be set from
 * @min to @max only (else -EINVAL, as param_set_uint_minmax()).
 */
#define FS_MIG_PARAM(name, var, min, max, perm)				\
	static int fs_mig_set_##name(const char *val,			\
				     const struct kernel_param *kp)	\
	{								\
		return param_set_uint_minmax(val, kp, min, max);	\
	}								\
	static const struct kernel_param_ops fs_##name##_ops = {	\
		.set = fs_mig_set_##name,				\
		.get = param_get_uint,					\
	};								\
	module_param_cb(name, &fs_##name##_ops, &(var), perm)

extern unsigned int fs_mig_max;
extern unsigned int fs_mig_max_prefixes;
extern unsigned int fs_mig_max_batch;
extern unsigned int fs_mig_max_pending;

/* mig.c */
int fs_mig_net_init(struct fs_net *fsn);
void fs_mig_net_exit(struct fs_net *fsn);
bool fs_mig_enabled(struct fs_net *fsn);
bool fs_mig_wants(const struct fs_mig *mig, const struct fs_acct_key *key);
bool fs_mig_wants_addr(const struct fs_mig *mig, u8 family,
		       const struct in6_addr *src, const struct in6_addr *dst);
u64 fs_mig_sessions(struct fs_net *fsn, const struct fs_mig *mig);
u64 fs_mig_records(struct fs_net *fsn, const struct fs_mig *mig);
int fs_mig_proc_init(struct fs_net *fsn);
struct fs_mig *fs_mig_find(struct fs_mig_net *mn, u32 id);
void fs_mig_link(struct fs_mig_net *mn, struct fs_mig *mig);
void fs_mig_disown(struct fs_mig_net *mn, struct fs_mig *mig);
void fs_mig_unlink(struct fs_mig_net *mn, struct fs_mig *mig);

/* mig_chain.c */
bool fs_mig_forwarded(const struct sk_buff *skb, u8 pf);
struct fs_mig *fs_mig_chainer(struct fs_net *fsn, u8 family,
			      const struct in6_addr *src,
			      const struct in6_addr *dst);
bool fs_mig_send(struct fs_net *fsn, struct fs_mig *mig, struct sk_buff *skb,
		 u8 family);
int fs_mig_chain(struct fs_net *fsn, struct sk_buff *skb,
		 const struct fs_acct_key *key);

/*
 * What FlowOS holds here of a forwarded packet of a daisy-chaining set
 * (fos_hook.c), asked by accounting at POST_ROUTING: no FlowOS flow takes
 * it (accounting decides), a live session of its flow does (it stays
 * here), or its flow has no session for it (FlowOS sent it to the next
 * hop at FORWARD: not accounted here).
 */
enum fs_mig_fos {
	FS_MIG_FOS_NONE,
	FS_MIG_FOS_HERE,
	FS_MIG_FOS_GONE,
};

struct fos_net;
enum fs_mig_fos fos_mig_state(struct fs_net *fsn, struct sk_buff *skb, u8 pf);
u64 fos_mig_sessions(struct fos_net *fn, const struct fs_mig *mig);

/* Does any migration of the namespace daisy-chain? Packet path. */
static inline bool fs_mig_chaining(const struct fs_mig_net *mn)
{
	return READ_ONCE(mn->nchain);
}

/* Where a MIG_GET or MIG_EXPORT dump is, kept in the callback. */
struct fs_mig_dump {
	u32 id;			/* GET: the last sent; EXPORT: the migration */
	u32 batch;		/* EXPORT: records per message */
	u32 bucket;		/* EXPORT: the next bucket to walk */
	bool started;
	bool done;
};

#define FS_MIG_BATCH_DEFAULT	64
#define FS_MIG_PREFIXES_LIMIT	1024	/* most mig_max_prefixes can be */

/* mig_nl.c */
extern const struct fs_nl_part fs_mig_nl;
extern const struct nla_policy fs_mig_ops_policy[FLOWSTREAM_A_MAX + 1];
u8 fs_mig_addr_len(u8 family);
const char *fs_mig_phase_name(u8 phase);
#define FS_MIG_REPLY	(-1)	/* fs_mig_fill() for a reply, not an event */
size_t fs_mig_size(const struct fs_mig *mig);
int fs_mig_fill(struct sk_buff *skb, struct fs_net *fsn,
		const struct fs_mig *mig, int event);
int fs_mig_req_id(struct nlattr *nest, u32 *id, u32 *batch, u8 *phase,
		  u32 *seq, struct netlink_ext_ack *extack);
struct fs_mig_dump *fs_mig_dump_ctx(struct netlink_callback *cb);
int fs_mig_dump_start(struct netlink_callback *cb);
int fs_mig_dump_check(struct netlink_callback *cb, struct fs_net *fsn,
		      struct fs_mig_dump *ctx, bool export);

/* A request of MIG_DEL, MIG_GET, MIG_SET or MIG_ACK (fs_mig_doit_find()). */
struct fs_mig_req {
	u32 id;
	u32 seq;		/* MIG_ACK */
	u8 phase;		/* MIG_SET */
	struct sk_buff *reply;	/* MIG_GET, for its op to fill */
};

typedef int (*fs_mig_op_t)(struct fs_net *fsn, struct fs_mig *mig,
			   struct fs_mig_req *req, struct genl_info *info);
int fs_mig_doit_find(struct genl_info *info, struct fs_mig_req *req,
		     fs_mig_op_t op);

/* mig_pend.c */
struct fs_mig_pend;
struct fs_rec_snap;
struct fs_mig_pend *fs_mig_pend_alloc(u32 max);
void fs_mig_pend_free(struct fs_mig_pend *p);
void fs_mig_pend_put(struct fs_mig_pend *p, const struct fs_rec_snap *snap);
void fs_mig_pend_add(struct fs_mig *mig, struct fs_mig_pend *p, u32 seq);
void fs_mig_take_back(struct fs_net *fsn, struct fs_mig *mig);
void fs_mig_drop(struct fs_net *fsn, struct fs_mig *mig);
void fs_mig_pend_destroy(struct fs_mig *mig);
int fs_nl_mig_ack(struct sk_buff *req, struct genl_info *info);
int fs_mig_init(void);
void fs_mig_exit(void);

/* mig_events.c */
void fs_mig_notify(struct fs_net *fsn, const struct fs_mig *mig, u8 event);

/* mig_export.c */
int fs_nl_mig_export(struct sk_buff *skb, struct netlink_callback *cb);

/* mig_import.c */
extern const struct nla_policy fs_batch_policy[FLOWSTREAM_BATCH_A_MAX + 1];
int fs_nl_mig_import(struct sk_buff *req, struct genl_info *info);

#endif /* _FLOWSTREAM_MIG_H */

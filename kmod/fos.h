/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowstream FlowOS: internal structures shared by the fos_*.c files.
 *
 * Objects and their locks:
 *  - struct fos_net, one per namespace: the flows (list under fs_net.lock),
 *    the classifier (RCU), the namespace's totals.
 *  - struct fos_flow: a definition, its pipeline (pipe, under pipe_sem),
 *    its sessions (rhashtable for lookups under RCU, list under sess_lock
 *    for walks) and per-CPU counters.
 *  - struct fos_session: one 5-tuple; its held units (a ring of packets),
 *    the window positions and PM states, under its spinlock; PM callbacks
 *    run without it, under the flow's pipe_sem held for reading.
 * A flow, attach or detach change takes pipe_sem for writing, which waits
 * for every PM callback of the flow to return.
 */
#ifndef _FLOWSTREAM_FOS_H
#define _FLOWSTREAM_FOS_H

#include <flowstream/pm.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/rhashtable.h>
#include <linux/rwsem.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "fos_cls.h"
#include "fos_tcp.h"
#include "fos_win.h"

struct fs_net;
struct genl_info;

typedef int (*fos_okfn_t)(struct net *net, struct sock *sk, struct sk_buff *skb);
struct fs_config;
struct netlink_ext_ack;

#define FOS_NAME_MAX		32
/* Index of the merger among the worker stages. */
#define FOS_MERGER		FOS_WIN_MAX

/* Per-unit metadata, in skb->cb after the IP layer's own control block. */
struct fos_cb {
	u64 stream_off;
	u32 len;
	u32 gap;
	/* The truesize charged to the held limits when the packet was taken:
	 * a PM's write may change skb->truesize before it is given back.
	 */
	u32 charged;
	u16 off;
	u8 dir;
	u8 flags;
};

#define FOS_CB_OFFSET ALIGN(max(sizeof(struct inet_skb_parm), \
				sizeof(struct inet6_skb_parm)), 8)
#define FOS_CB_DEAD	0x20	/* its device went away: drop when sent */

static inline struct fos_cb *fos_cb(const struct sk_buff *skb)
{
	BUILD_BUG_ON(FOS_CB_OFFSET + sizeof(struct fos_cb) >
		     sizeof_field(struct sk_buff, cb));
	return (struct fos_cb *)&skb->cb[FOS_CB_OFFSET];
}

struct fos_flow_pcpu {
	u64_stats_t cnt[__FLOWSTREAM_FOS_STAT_MAX];
	struct u64_stats_sync syncp;
};

/* An attachment of a PM to a flow. */
struct fos_att {
	struct fos_flow *flow;
	struct fos_pm *pm;
	u32 id;
	u32 order;
	char args[FOS_PM_ARGS_MAX];
	atomic64_t st[__FLOWSTREAM_ATT_STAT_MAX];
	/* Being detached: finishes its window, takes no new data. */
	bool leaving;
	unsigned long priv[] __aligned(8);
};

/* The PMs of a flow in ORDER, with the layout of their windows. */
struct fos_pipe {
	struct fos_win_layout l;
	struct fos_att *att[FOS_WIN_MAX];
};

struct fos_flow {
	struct list_head list;
	struct fos_net *fn;
	refcount_t ref;
	u32 id;
	u32 order;
	char name[FOS_NAME_MAX];
	u32 prio;
	struct fos_match m;
	u8 stream;
	u8 policy;
	u32 max_sessions;
	u32 max_held;
	u32 max_held_bytes;
	u32 max_session_held;
	u32 idle_timeout;	/* seconds */
	u32 hole_timeout;	/* milliseconds */
	/* Cleared when the flow is deleted; the hook checks it. */
	bool live;

	struct fos_flow_pcpu __percpu *stats;
	atomic_t held;
	atomic_t held_bytes;
	atomic_t nsess;

	struct rw_semaphore pipe_sem;	/* PM callbacks vs. pipeline changes */
	struct fos_pipe pipe;		/* under pipe_sem */
	int npms;			/* pipe.l.n, read by the hook */
	u32 next_att_id;

	struct rhashtable sessions;	/* lookups, under RCU */
	spinlock_t sess_lock;		/* sess_list */
	struct list_head sess_list;
	u32 finish_gen;			/* fos_pipe_finish() passes */
	struct rcu_work rwork;
};

/* Canonical (direction-free) session key: lower endpoint first. */
struct fos_hkey {
	u32 a[4];
	u32 b[4];
	__be16 pa, pb;
	u8 family;
	u8 proto;
	u8 pad[2];
};

struct fos_session {
	struct rhash_head node;
	struct fos_hkey hkey;
	struct fos_session_key key;
	struct fos_flow *flow;	/* holds a reference */
	refcount_t ref;
	spinlock_t lock;	/* everything below */
	unsigned long queued;	/* bit s: waiting for stage s's worker */
	bool dead;
	bool a_is_lo;		/* side A is hkey.a */
	u16 wk;			/* worker index */
	struct fos_win w;
	struct sk_buff **ring;	/* held units, w.sent .. w.tail - 1 */
	u32 ring_size;		/* power of two */
	u32 held;
	u32 held_bytes;
	u64 pkts[2];
	u64 bytes[2];
	u64 gaps;
	unsigned long first;	/* jiffies */
	unsigned long last;
	u32 finish_gen;
	u8 kept;		/* bit p: PM p kept units of its window */
	u8 kept_n[FOS_WIN_MAX];	/* how many, when PM p last kept */
	unsigned long kept_since;	/* last new data to a keeping PM */
	void *state[FOS_WIN_MAX];	/* PM state, by pipeline position */
	struct fos_tcp_dir tcp[2];
	struct list_head work[FOS_WIN_MAX + 1];
	struct list_head all;	/* flow->sess_list */
	struct rcu_head rcu;
};

struct fos_net {
	struct fs_net *fsn;
	struct net *net;
	struct list_head flows;		/* under fsn->lock */
	unsigned int nflows;
	u32 next_id;
	u32 next_order;
	struct fos_cls __rcu *cls;
	/* Counters of deleted flows, so that the namespace's sums hold. */
	u64 gone[__FLOWSTREAM_FOS_STAT_MAX];
	fos_okfn_t okfn[2];		/* the forward path's continuation */
	struct nf_hook_ops ops[2];
	bool hooked;
	struct delayed_work reap;
	atomic_t alive;			/* flows not yet freed */
	/* Held by all flows, and the limits (fs_config's, set by apply). */
	atomic_t held;
	atomic_t held_bytes;
	u32 max_held;
	u32 max_held_bytes;
	struct list_head all;		/* fos_nets */
};

/* Packets and bytes (truesize) @f starts or stops holding. */
static inline void fos_held_add(struct fos_flow *f, int pkts, int bytes)
{
	atomic_add(pkts, &f->held);
	atomic_add(bytes, &f->held_bytes);
	atomic_add(pkts, &f->fn->held);
	atomic_add(bytes, &f->fn->held_bytes);
}

static inline void fos_held_sub(struct fos_flow *f, int pkts, int bytes)
{
	fos_held_add(f, -pkts, -bytes);
}

/* fos_stat names, for procfs */
extern const char *const fos_stat_names[__FLOWSTREAM_FOS_STAT_MAX];
extern const char *const fos_att_stat_names[__FLOWSTREAM_ATT_STAT_MAX];

static inline void fos_flow_stat_add(struct fos_flow *f,
				     enum flowstream_fos_stat id, u64 n)
{
	struct fos_flow_pcpu *s = get_cpu_ptr(f->stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_add(&s->cnt[id], n);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(f->stats);
}

/*
 * Count a packet of @len bytes in (with @in) and out (with @out): its
 * packet and byte counters in one update.
 */
static inline void fos_flow_stat_pkt(struct fos_flow *f, unsigned int len,
				     bool in, bool out)
{
	struct fos_flow_pcpu *s = get_cpu_ptr(f->stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	if (in) {
		u64_stats_inc(&s->cnt[FLOWSTREAM_FOS_STAT_PACKETS_IN]);
		u64_stats_add(&s->cnt[FLOWSTREAM_FOS_STAT_BYTES_IN], len);
	}
	if (out) {
		u64_stats_inc(&s->cnt[FLOWSTREAM_FOS_STAT_PACKETS_OUT]);
		u64_stats_add(&s->cnt[FLOWSTREAM_FOS_STAT_BYTES_OUT], len);
	}
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(f->stats);
}

/*
 * Units a PM keeps are flushed after this long without new data: twice
 * the flow's hole-timeout. What completes them may only come once they
 * were acknowledged: a sender whose congestion window they fill sends on
 * with its tail loss probe, at its minimum RTO (200 ms) and a quarter of
 * its RTT after the last segment when that segment is all it has out.
 */
static inline unsigned long fos_kept_max(const struct fos_flow *f)
{
	return max(msecs_to_jiffies(2 * READ_ONCE(f->hole_timeout)), 1UL);
}

/* fos_flow.c */
void fos_flow_read(struct fos_flow *f, u64 *out);
void fos_flow_put(struct fos_flow *f);
struct fos_flow *fos_flow_find(struct fos_net *fn, const char *name, u32 id);
int fos_flow_add(struct fos_net *fn, struct fos_flow *f,
		 struct fos_att **pipeline, unsigned int n,
		 struct netlink_ext_ack *extack);
struct fos_flow *fos_flow_new(struct fos_net *fn);
void fos_flow_free(struct fos_flow *f);
void fos_flow_del(struct fos_net *fn, struct fos_flow *f);
int fos_flow_attach(struct fos_flow *f, struct fos_att *att,
		    struct netlink_ext_ack *extack);
int fos_flow_detach(struct fos_flow *f, u32 id,
		    struct netlink_ext_ack *extack);
void fos_net_totals(struct fos_net *fn, u64 *out);
int fos_net_part_init(struct fs_net *fsn);
void fos_net_part_exit(struct fs_net *fsn);
bool fos_enabled(struct fs_net *fsn);
int fos_apply(struct fs_net *fsn, const struct fs_config *old,
	      struct fs_config *new, struct netlink_ext_ack *extack);
int fos_init(void);
void fos_exit(void);
int fos_netdev_register(void);
void fos_netdev_unregister(void);
extern struct mutex fos_nets_lock;
extern struct list_head fos_nets;

/* fos_pm.c */
struct fos_pm *fos_pm_get(const char *name, struct netlink_ext_ack *extack);
void fos_pm_put(struct fos_pm *pm);
struct fos_att *fos_att_new(struct fos_pm *pm, u32 order, const char *args,
			    struct netlink_ext_ack *extack);
void fos_att_free(struct fos_att *att);
int fos_pm_fill(struct sk_buff *msg, const struct fos_pm *pm);
struct fos_pm *fos_pm_nth(unsigned int n);
void fos_streams_str(u32 streams, char *buf, size_t len);

/* The streams @pm can be attached to (FOS_STREAM() bits). */
static inline u32 fos_pm_streams(const struct fos_pm *pm)
{
	return pm->streams ?: FOS_STREAM(pm->stream);
}

/* fos_sess.c */
int fos_sess_table_init(struct fos_flow *f);
void fos_sess_table_destroy(struct fos_flow *f);
struct fos_session *fos_sess_get(struct fos_flow *f,
				 const struct fos_pkt_key *k, int *dir,
				 int *why);
void fos_sess_put(struct fos_session *s);
bool fos_sess_live(struct fos_flow *f, const struct fos_pkt_key *k);
int fos_sess_reap(struct fos_flow *f, bool all);
int fos_sess_reserve(struct fos_session *s, u32 need, u32 limit);
int fos_sess_push(struct fos_session *s, struct sk_buff *skb);

/* fos_engine.c */
void fos_kick(struct fos_session *s, unsigned int stage);
int fos_engine_stages(unsigned int n);
int fos_engine_init(void);
void fos_engine_exit(void);
void fos_engine_flush(void);
void fos_send_all(struct fos_session *s, bool drop,
		  enum flowstream_fos_stat why);
void fos_state_end(struct fos_session *s, unsigned int p);
void fos_engine_finish(struct fos_session *s, unsigned int p,
		       struct fos_window *w);
void fos_skb_dev_gone(struct sk_buff *skb, void *dev);
void fos_sess_expire(struct fos_flow *f);
bool fos_sess_flush(struct fos_flow *f);

/* fos_split.c */
struct sk_buff *fos_split_skb(struct sk_buff *skb, unsigned int at);
int fos_split_trim(struct sk_buff *skb, unsigned int at);

/* fos_hook.c */
int fos_hook_register(struct fos_net *fn);
void fos_hook_unregister(struct fos_net *fn);

/* fos_nl.c */
extern const struct fs_nl_part fos_nl;
const char *fos_stream_name(unsigned int stream);

/* fos_proc.c */
int fos_proc_init(struct fs_net *fsn);
void fos_proc_exit(struct fs_net *fsn);

#endif /* _FLOWSTREAM_FOS_H */

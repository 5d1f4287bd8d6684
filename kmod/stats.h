/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowstream: per-namespace counters.
 */
#ifndef _FLOWSTREAM_STATS_H
#define _FLOWSTREAM_STATS_H

#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <uapi/linux/flowstream.h>

#include "netns.h"

struct sk_buff;
struct seq_file;

struct fs_pcpu_stats {
	u64_stats_t cnt[__FLOWSTREAM_STAT_MAX];
	struct u64_stats_sync syncp;
};

/* Names of the counters in /proc/net/flowstream/stat and flowctl. */
extern const char *const fs_stat_names[__FLOWSTREAM_STAT_MAX];

/**
 * fs_stat_add() - add to a counter of the current CPU
 * @fsn: namespace state
 * @id: which counter
 * @n: amount
 *
 * Safe from any context, including hard interrupts; touches only this
 * CPU's cache line.
 */
static inline void fs_stat_add(struct fs_net *fsn, enum flowstream_stat id,
			       u64 n)
{
	struct fs_pcpu_stats *s = get_cpu_ptr(fsn->stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_add(&s->cnt[id], n);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(fsn->stats);
}

static inline void fs_stat_inc(struct fs_net *fsn, enum flowstream_stat id)
{
	fs_stat_add(fsn, id, 1);
}

/**
 * fs_stat_add_local() - add to a counter of this CPU's block
 * @s: this_cpu_ptr(fsn->stats), taken with preemption (or BHs) off, which
 *	stays off while @s is in use
 * @id: which counter
 * @n: amount
 *
 * The packet path's form of fs_stat_add(): one per-CPU lookup for several
 * counters, and no preemption toggling around each.
 */
static inline void fs_stat_add_local(struct fs_pcpu_stats *s,
				     enum flowstream_stat id, u64 n)
{
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_add(&s->cnt[id], n);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
}

int fs_stats_net_init(struct fs_net *fsn);
void fs_stats_net_exit(struct fs_net *fsn);
void fs_stats_read(struct fs_net *fsn, u64 *out);
void fs_stats_reset(struct fs_net *fsn);
int fs_stats_fill_nest(struct fs_net *fsn, struct sk_buff *skb, int attr);
void fs_stats_seq_show(struct fs_net *fsn, struct seq_file *seq);

#endif /* _FLOWSTREAM_STATS_H */

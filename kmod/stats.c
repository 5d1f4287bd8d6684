// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: per-namespace counters.
 *
 * Counters are per CPU so the packet path never writes a shared cache line.
 * A reset does not write the per-CPU values (that would race with writers);
 * it records the current totals as a base that later reads subtract, so a
 * reset loses no increment that happens at the same time.
 */
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "stats.h"

const char *const fs_stat_names[__FLOWSTREAM_STAT_MAX] = {
	[FLOWSTREAM_STAT_NL_REQUESTS] = "nl_requests",
	[FLOWSTREAM_STAT_NL_REJECTED] = "nl_rejected",
	[FLOWSTREAM_STAT_CONFIG_CHANGES] = "config_changes",
	[FLOWSTREAM_STAT_NOTIFY_FAILED] = "notify_failed",
	[FLOWSTREAM_STAT_ACCT_PACKETS] = "acct_packets",
	[FLOWSTREAM_STAT_ACCT_BYTES] = "acct_bytes",
	[FLOWSTREAM_STAT_ACCT_FRAGMENTS] = "acct_fragments",
	[FLOWSTREAM_STAT_ACCT_RECORDS_CREATED] = "records_created",
	[FLOWSTREAM_STAT_ACCT_RECORDS_ENDED] = "records_ended",
	[FLOWSTREAM_STAT_ACCT_RECORDS_EVICTED] = "records_evicted",
	[FLOWSTREAM_STAT_ACCT_DROP_LIMIT] = "acct_drop_limit",
	[FLOWSTREAM_STAT_ACCT_DROP_NOMEM] = "acct_drop_nomem",
	[FLOWSTREAM_STAT_ACCT_DROP_MALFORMED] = "acct_drop_malformed",
	[FLOWSTREAM_STAT_EVENTS_SENT] = "events_sent",
	[FLOWSTREAM_STAT_EVENTS_DROPPED] = "events_dropped",
	[FLOWSTREAM_STAT_SMP_SAMPLED] = "smp_sampled",
	[FLOWSTREAM_STAT_SMP_UNMATCHED] = "smp_unmatched",
	[FLOWSTREAM_STAT_SMP_DROP_MALFORMED] = "smp_drop_malformed",
	[FLOWSTREAM_STAT_SMP_WINDOWS] = "smp_windows",
	[FLOWSTREAM_STAT_MIG_EXPORTED] = "mig_exported",
	[FLOWSTREAM_STAT_MIG_IMPORTED] = "mig_imported",
	[FLOWSTREAM_STAT_MIG_MERGED] = "mig_merged",
	[FLOWSTREAM_STAT_MIG_BATCHES_REFUSED] = "mig_batches_refused",
	[FLOWSTREAM_STAT_MIG_CHAINED] = "mig_chained",
	[FLOWSTREAM_STAT_MIG_CHAIN_NOROUTE] = "mig_chain_noroute",
	[FLOWSTREAM_STAT_MIG_TAKEN_BACK] = "mig_taken_back",
	[FLOWSTREAM_STAT_MIG_TAKEBACK_FAILED] = "mig_takeback_failed",
};

int fs_stats_net_init(struct fs_net *fsn)
{
	int cpu;

	fsn->stats = alloc_percpu(struct fs_pcpu_stats);
	if (!fsn->stats)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(fsn->stats, cpu)->syncp);

	fsn->stats_base = kcalloc(__FLOWSTREAM_STAT_MAX, sizeof(u64),
				  GFP_KERNEL);
	if (!fsn->stats_base) {
		free_percpu(fsn->stats);
		return -ENOMEM;
	}
	return 0;
}

void fs_stats_net_exit(struct fs_net *fsn)
{
	kfree(fsn->stats_base);
	free_percpu(fsn->stats);
}

/* Sum of all CPUs since the namespace state was created. */
static void fs_stats_sum(struct fs_net *fsn, u64 *out)
{
	int cpu, i;

	memset(out, 0, sizeof(u64) * __FLOWSTREAM_STAT_MAX);
	for_each_possible_cpu(cpu) {
		const struct fs_pcpu_stats *s = per_cpu_ptr(fsn->stats, cpu);
		u64 v[__FLOWSTREAM_STAT_MAX];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < __FLOWSTREAM_STAT_MAX; i++)
				v[i] = u64_stats_read(&s->cnt[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));

		for (i = 0; i < __FLOWSTREAM_STAT_MAX; i++)
			out[i] += v[i];
	}
}

/**
 * fs_stats_read() - counters since the last reset
 * @fsn: namespace state; caller holds @fsn->lock
 * @out: __FLOWSTREAM_STAT_MAX values
 */
void fs_stats_read(struct fs_net *fsn, u64 *out)
{
	int i;

	lockdep_assert_held(&fsn->lock);
	fs_stats_sum(fsn, out);
	for (i = 0; i < __FLOWSTREAM_STAT_MAX; i++)
		out[i] -= fsn->stats_base[i];
}

/* Caller holds @fsn->lock. */
void fs_stats_reset(struct fs_net *fsn)
{
	lockdep_assert_held(&fsn->lock);
	fs_stats_sum(fsn, fsn->stats_base);
}

/* Caller holds @fsn->lock. */
int fs_stats_fill_nest(struct fs_net *fsn, struct sk_buff *skb, int attr)
{
	u64 v[__FLOWSTREAM_STAT_MAX];
	struct nlattr *nest;
	int i;

	fs_stats_read(fsn, v);
	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	for (i = FLOWSTREAM_STAT_UNSPEC + 1; i < __FLOWSTREAM_STAT_MAX; i++) {
		if (nla_put_u64_64bit(skb, i, v[i], FLOWSTREAM_STAT_UNSPEC)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* One "name value" line per counter. Caller holds @fsn->lock. */
void fs_stats_seq_show(struct fs_net *fsn, struct seq_file *seq)
{
	u64 v[__FLOWSTREAM_STAT_MAX];
	int i;

	fs_stats_read(fsn, v);
	for (i = FLOWSTREAM_STAT_UNSPEC + 1; i < __FLOWSTREAM_STAT_MAX; i++)
		seq_printf(seq, "%s %llu\n", fs_stat_names[i], v[i]);
}

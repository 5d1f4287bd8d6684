// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: /proc/net/flowstream/ of each network namespace.
 *
 * Reading needs CAP_NET_ADMIN over the namespace, checked against the
 * credentials of whoever opened the file.
 */
#include <linux/capability.h>
#include <linux/jiffies.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "acct.h"
#include "mig.h"
#include "procfs.h"
#include "sampler.h"
#include "stats.h"

int fs_proc_check(struct seq_file *seq, struct net *net)
{
	if (!file_ns_capable(seq->file, net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	return 0;
}

static int fs_proc_stat_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	struct fs_net *fsn = fs_net(net);
	int err;

	err = fs_proc_check(seq, net);
	if (err)
		return err;
	mutex_lock(&fsn->lock);
	fs_stats_seq_show(fsn, seq);
	mutex_unlock(&fsn->lock);
	return 0;
}

/*
 * /proc/net/flowstream/flows: one line per live flow record, e.g.
 *   inet proto=6 src=10.0.0.1 sport=40000 dst=10.0.0.2 dport=5201 iif=3
 *   oif=4 packets=12 bytes=3456 dscp=0 tcp_flags=0x1b age_ms=3200
 *   idle_ms=100
 * (ICMP records show type= and code= instead of the ports). Read under RCU
 * like conntrack's table: a record created or ended during the read may or
 * may not appear.
 */
struct fs_rec_iter {
	struct seq_net_private p;	/* must be first */
	u32 bucket;	/* of the current record */
	u32 idx;	/* its place in the bucket */
	loff_t pos;	/* its place in the file */
};

static struct fs_record *
fs_rec_first_from(struct fs_acct *acct, struct fs_rec_iter *it)
{
	struct hlist_node *n;

	for (it->idx = 0; it->bucket <= acct->mask; it->bucket++) {
		n = rcu_dereference(hlist_first_rcu(&acct->buckets[it->bucket]));
		if (n)
			return hlist_entry(n, struct fs_record, hnode);
	}
	return NULL;
}

static struct fs_record *fs_rec_next(struct fs_acct *acct,
				     struct fs_rec_iter *it,
				     struct fs_record *rec)
{
	struct hlist_node *n = rcu_dereference(hlist_next_rcu(&rec->hnode));

	if (n) {
		it->idx++;
		return hlist_entry(n, struct fs_record, hnode);
	}
	it->bucket++;
	return fs_rec_first_from(acct, it);
}

/* The record at it->bucket, it->idx, if the bucket still has one there. */
static struct fs_record *fs_rec_resume(struct fs_acct *acct,
				       struct fs_rec_iter *it)
{
	struct fs_record *rec;
	u32 i = 0;

	if (it->bucket > acct->mask)
		return NULL;
	hlist_for_each_entry_rcu(rec, &acct->buckets[it->bucket], hnode)
		if (i++ == it->idx)
			return rec;
	/* The bucket shrank: go on with the next one. */
	it->bucket++;
	return fs_rec_first_from(acct, it);
}

static void *fs_rec_seq_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct fs_net *fsn = fs_net(seq_file_net(seq));
	struct fs_rec_iter *it = seq->private;
	struct fs_record *rec = NULL;
	struct fs_acct *acct;
	loff_t n = *pos;

	rcu_read_lock();
	if (!file_ns_capable(seq->file, seq_file_net(seq)->user_ns,
			     CAP_NET_ADMIN))
		return ERR_PTR(-EPERM);
	acct = rcu_dereference(fsn->acct);
	if (!acct)
		return NULL;
	/* A read that goes on where the last one stopped resumes there
	 * instead of walking the table from the start again.
	 */
	if (n && n == it->pos)
		return fs_rec_resume(acct, it);
	it->bucket = 0;
	rec = fs_rec_first_from(acct, it);
	while (rec && n--)
		rec = fs_rec_next(acct, it, rec);
	it->pos = *pos;
	return rec;
}

static void *fs_rec_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct fs_acct *acct = rcu_dereference(fs_net(seq_file_net(seq))->acct);
	struct fs_rec_iter *it = seq->private;

	(*pos)++;
	it->pos = *pos;
	return acct ? fs_rec_next(acct, it, v) : NULL;
}

static void fs_rec_seq_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

static int fs_rec_seq_show(struct seq_file *seq, void *v)
{
	struct fs_record *rec = v;
	const struct fs_acct_key *k = &rec->key;
	u64 now = get_jiffies_64();
	struct fs_rec_snap s;
	bool dead;

	spin_lock_bh(&rec->lock);
	dead = rec->dead;
	fs_rec_snapshot(rec, &s);
	spin_unlock_bh(&rec->lock);
	if (dead)
		return 0;

	if (k->family == AF_INET)
		seq_printf(seq, "inet proto=%u src=%pI4 ", k->proto, &k->src);
	else
		seq_printf(seq, "inet6 proto=%u src=%pI6c ", k->proto, &k->src);
	if (k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6)
		seq_printf(seq, "type=%u code=%u ", ntohs(k->sport) >> 8,
			   ntohs(k->sport) & 0xff);
	else
		seq_printf(seq, "sport=%u ", ntohs(k->sport));
	if (k->family == AF_INET)
		seq_printf(seq, "dst=%pI4 ", &k->dst);
	else
		seq_printf(seq, "dst=%pI6c ", &k->dst);
	if (k->proto != IPPROTO_ICMP && k->proto != IPPROTO_ICMPV6)
		seq_printf(seq, "dport=%u ", ntohs(k->dport));
	seq_printf(seq,
		   "iif=%u oif=%u packets=%llu bytes=%llu dscp=%u tcp_flags=0x%02x age_ms=%u idle_ms=%u\n",
		   k->iif, s.oif, s.packets, s.bytes, s.dscp, s.tcp_flags,
		   jiffies_to_msecs(now - s.first), jiffies_to_msecs(now - s.last));
	return 0;
}

static const struct seq_operations fs_rec_seq_ops = {
	.start = fs_rec_seq_start,
	.next = fs_rec_seq_next,
	.stop = fs_rec_seq_stop,
	.show = fs_rec_seq_show,
};

int fs_proc_net_init(struct fs_net *fsn)
{
	struct net *net = fsn->net;

	if (!IS_ENABLED(CONFIG_PROC_FS))
		return 0;
	fsn->proc_dir = proc_net_mkdir(net, "flowstream", net->proc_net);
	if (!fsn->proc_dir)
		return -ENOMEM;
	if (!proc_create_net_single("stat", 0444, fsn->proc_dir,
				    fs_proc_stat_show, NULL) ||
	    !proc_create_net("flows", 0444, fsn->proc_dir, &fs_rec_seq_ops,
			     sizeof(struct fs_rec_iter)) ||
	    fs_smp_proc_init(fsn) || fs_mig_proc_init(fsn)) {
		remove_proc_subtree("flowstream", net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

void fs_proc_net_exit(struct fs_net *fsn)
{
	remove_proc_subtree("flowstream", fsn->net->proc_net);
}

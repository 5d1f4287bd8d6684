// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: /proc/net/flowstream/prefixes, the current window of the
 * prefix sampler (never reset by reading):
 *
 *   window start_ms=S end_ms=E rate=R mode=M key=K number=N kept=W max_len=L
 *   unmatched sampled_packets=.. sampled_bytes=.. est_packets=..
 *     est_packets_lo=.. est_packets_hi=.. est_bytes=.. est_bytes_lo=..
 *     est_bytes_hi=..
 *   prefix 10.0.0.0/8 depth=4 start_ms=S sampled_packets=.. (as above)
 *   sub 10.0.0.0/12 prefix=10.0.0.0/8 index=0 sampled_packets=.. (...)
 *
 * one line each. The counters are read once, when the file is opened.
 * Reading needs CAP_NET_ADMIN over the namespace.
 */
#include <linux/capability.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "sampler.h"

struct fs_pfx_iter {
	struct net *net;	/* held while the file is open */
	struct fs_smp_snap *snap;
	loff_t pos;		/* of the line @pfx, @sub */
	u32 pfx;
	u32 sub;		/* 0: the prefix's own line, else sub - 1 */
};

/* Lines 0 and 1 are the window and unmatched; then each prefix's. */
static bool fs_pfx_seek(struct fs_pfx_iter *it, loff_t pos)
{
	const struct fs_smp_snap *s = it->snap;
	loff_t at, n;		/* @at: the line of prefix @it->pfx */

	if (pos < 2) {
		it->pos = pos;
		it->pfx = 0;
		it->sub = 0;
		return true;
	}
	/* Going forward goes on from where the last line was. */
	if (it->pos < 2 || pos < it->pos) {
		it->pfx = 0;
		it->sub = 0;
		at = 2;
	} else {
		at = it->pos - it->sub;
	}
	it->pos = pos;
	for (; it->pfx < s->nprefixes; it->pfx++) {
		n = 1 + (1U << s->pfx[it->pfx].depth);
		if (pos < at + n) {
			it->sub = pos - at;
			return true;
		}
		at += n;
	}
	it->sub = 0;
	return false;
}

static void *fs_pfx_seq_start(struct seq_file *seq, loff_t *pos)
{
	struct fs_pfx_iter *it = seq->private;

	return fs_pfx_seek(it, *pos) ? it : NULL;
}

static void *fs_pfx_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct fs_pfx_iter *it = seq->private;

	++*pos;
	return fs_pfx_seek(it, *pos) ? it : NULL;
}

static void fs_pfx_seq_stop(struct seq_file *seq, void *v)
{
}

static const char *const fs_smp_mode_names[] = {
	[FLOWSTREAM_SMP_MODE_DETERMINISTIC] = "deterministic",
	[FLOWSTREAM_SMP_MODE_RANDOM] = "random",
};

static void fs_pfx_show_counts(struct seq_file *seq,
			       const struct fs_smp_sum *s,
			       const struct fs_smp_cfg *cfg)
{
	struct fs_smp_est e;

	fs_smp_estimate(s, cfg->rate, cfg->max_len, &e);
	seq_printf(seq,
		   "sampled_packets=%llu sampled_bytes=%llu est_packets=%llu est_packets_lo=%llu est_packets_hi=%llu est_bytes=%llu est_bytes_lo=%llu est_bytes_hi=%llu\n",
		   s->packets, s->bytes, e.packets, e.packets_lo, e.packets_hi,
		   e.bytes, e.bytes_lo, e.bytes_hi);
}

static void fs_pfx_show_prefix(struct seq_file *seq, u8 family,
			       const u64 *key, u8 plen)
{
	u8 addr[16];

	fs_smp_addr_from_key(family, key, addr);
	if (family == AF_INET)
		seq_printf(seq, "%pI4/%u", addr, plen);
	else
		seq_printf(seq, "%pI6c/%u", addr, plen);
}

static int fs_pfx_seq_show(struct seq_file *seq, void *v)
{
	struct fs_pfx_iter *it = v;
	const struct fs_smp_snap *s = it->snap;
	const struct fs_smp_snap_pfx *p;
	u64 key[2];

	if (it->pos == 0) {
		seq_printf(seq, "window start_ms=%llu end_ms=%llu rate=%u mode=%s key=%s number=%llu kept=%llu max_len=%u\n",
			   div_u64(s->start_ns, NSEC_PER_MSEC),
			   div_u64(s->end_ns, NSEC_PER_MSEC), s->cfg.rate,
			   fs_smp_mode_names[s->cfg.mode],
			   s->cfg.key == FLOWSTREAM_SMP_KEY_SRC ? "src" : "dst",
			   s->window, s->kept_window, s->cfg.max_len);
		return 0;
	}
	if (it->pos == 1) {
		seq_puts(seq, "unmatched ");
		fs_pfx_show_counts(seq, &s->unmatched, &s->cfg);
		return 0;
	}
	p = &s->pfx[it->pfx];
	if (!it->sub) {
		seq_puts(seq, "prefix ");
		fs_pfx_show_prefix(seq, p->family, p->key, p->plen);
		seq_printf(seq, " depth=%u start_ms=%llu ", p->depth,
			   div_u64(p->start_ns, NSEC_PER_MSEC));
		fs_pfx_show_counts(seq, &p->total, &s->cfg);
		return 0;
	}
	seq_puts(seq, "sub ");
	fs_smp_sub_key(p->key, p->plen, p->depth, it->sub - 1, key);
	fs_pfx_show_prefix(seq, p->family, key, p->plen + p->depth);
	seq_puts(seq, " prefix=");
	fs_pfx_show_prefix(seq, p->family, p->key, p->plen);
	seq_printf(seq, " index=%u ", it->sub - 1);
	fs_pfx_show_counts(seq, &p->sub[it->sub - 1], &s->cfg);
	return 0;
}

static const struct seq_operations fs_pfx_seq_ops = {
	.start = fs_pfx_seq_start,
	.next = fs_pfx_seq_next,
	.stop = fs_pfx_seq_stop,
	.show = fs_pfx_seq_show,
};

static int fs_pfx_proc_open(struct inode *inode, struct file *file)
{
	struct net *net = maybe_get_net(pde_data(inode));
	struct fs_pfx_iter *it;
	int err;

	if (!net)
		return -ENXIO;
	if (!file_ns_capable(file, net->user_ns, CAP_NET_ADMIN)) {
		err = -EPERM;
		goto put;
	}
	it = __seq_open_private(file, &fs_pfx_seq_ops, sizeof(*it));
	if (!it) {
		err = -ENOMEM;
		goto put;
	}
	it->net = net;
	it->snap = fs_smp_snapshot(fs_net(net), FS_SMP_READ_CURRENT, 0, NULL);
	if (IS_ERR(it->snap)) {
		err = PTR_ERR(it->snap);
		seq_release_private(inode, file);
		goto put;
	}
	return 0;
put:
	put_net(net);
	return err;
}

static int fs_pfx_proc_release(struct inode *inode, struct file *file)
{
	struct fs_pfx_iter *it = ((struct seq_file *)file->private_data)->private;

	fs_smp_snap_put(it->snap);
	put_net(it->net);
	return seq_release_private(inode, file);
}

static const struct proc_ops fs_pfx_proc_ops = {
	.proc_open = fs_pfx_proc_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = fs_pfx_proc_release,
};

int fs_smp_proc_init(struct fs_net *fsn)
{
	if (!proc_create_data("prefixes", 0444, fsn->proc_dir,
			      &fs_pfx_proc_ops, fsn->net))
		return -ENOMEM;
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream FlowOS: the threads that run the PMs and the merger.
 *
 * There is one worker thread per pipeline stage and CPU index
 * ("flowstream/s<stage>:<index>"), and one merger per CPU index
 * ("flowstream/m:<index>"), shared by every flow of every namespace: their
 * number grows with CPUs and with the longest pipeline in use, not with
 * flows or sessions. A session always goes to the same index, so each of
 * its stages is run by one thread at a time, in order. A session with new
 * data for a stage is queued on that stage's worker once (a bit per stage
 * says it is queued); the worker then takes everything the session has,
 * in batches of FOS_WINDOW_BATCH units, so a busy session costs one
 * wake-up per batch, not per packet. Only the unit that finds a worker's
 * queue empty wakes it, and workers are SCHED_BATCH: a wake-up does not
 * preempt the packet path that made it, so on a busy CPU the work of many
 * packets is taken in one go (at the latest at the next scheduler tick),
 * while on a CPU with time to spare the worker runs at once.
 *
 * A stage is the PMs of one ORDER: read-only PMs side by side over the
 * same units, or one read-write PM. Units a stage releases go to the next
 * stage, and those the last releases to the merger, which sends them on
 * with the forward path's own continuation (ip_forward_finish and its IPv6
 * twin), in stream order.
 */
#include <linux/kthread.h>
#include <linux/sched/clock.h>
#include <uapi/linux/sched/types.h>
#include <linux/slab.h>
#include <net/ip6_checksum.h>
#include <net/tcp.h>
#include <net/udp.h>

#include "fos.h"

struct fos_worker {
	spinlock_t lock;	/* queue */
	struct list_head queue;
	struct task_struct *task;
	unsigned int stage;
	bool busy;
};

/* fos_workers[stage][index]; stage FOS_MERGER is the merger. */
static struct fos_worker *fos_workers[FOS_WIN_MAX + 1];
static unsigned int fos_nstages;	/* worker stages started */
static DEFINE_MUTEX(fos_engine_lock);
static DECLARE_WAIT_QUEUE_HEAD(fos_idle_wq);

static const struct sched_attr fos_worker_attr = {
	.size = sizeof(struct sched_attr),
	.sched_policy = SCHED_BATCH,
};

/*
 * Queue @s on @stage's worker. Only the unit that finds the worker's queue
 * empty wakes it: the worker empties its queue before it sleeps, so a
 * queue with sessions in it belongs to a worker that was woken already.
 */
void fos_kick(struct fos_session *s, unsigned int stage)
{
	struct fos_worker *wk = &fos_workers[stage][s->wk];
	bool wake;

	if (test_and_set_bit(stage, &s->queued))
		return;
	refcount_inc(&s->ref);
	spin_lock_bh(&wk->lock);
	wake = list_empty(&wk->queue);
	list_add_tail(&s->work[stage], &wk->queue);
	spin_unlock_bh(&wk->lock);
	if (wake)
		wake_up_process(wk->task);
}

/* Counts one packet given up by @s's flow; the caller frees it. */
static void fos_count_drop(struct fos_flow *f, struct sk_buff *skb,
			   enum flowstream_fos_stat why)
{
	fos_flow_stat_add(f, why, 1);
}

static void fos_unheld(struct fos_session *s, struct sk_buff *skb)
{
	struct fos_flow *f = s->flow;

	s->held--;
	s->held_bytes -= fos_cb(skb)->charged;
	fos_held_sub(f, 1, fos_cb(skb)->charged);
}

/* Fix the L4 checksum of a packet a PM wrote to. */
static int fos_fix_csum(struct sk_buff *skb)
{
	unsigned int l4off, len, csum_off;
	u8 proto;
	__sum16 *csum;
	__wsum sum;

	if (skb->ip_summed == CHECKSUM_PARTIAL || skb_is_gso(skb))
		return 0;	/* the device or the GSO layer computes it */
	if (skb->protocol == htons(ETH_P_IP)) {
		struct iphdr *iph = ip_hdr(skb);

		l4off = skb_network_offset(skb) + iph->ihl * 4;
		proto = iph->protocol;
	} else {
		l4off = skb_transport_offset(skb);
		proto = ipv6_hdr(skb)->nexthdr;
	}
	if (proto == IPPROTO_TCP)
		csum_off = offsetof(struct tcphdr, check);
	else if (proto == IPPROTO_UDP)
		csum_off = offsetof(struct udphdr, check);
	else
		return 0;
	if (skb_ensure_writable(skb, l4off + csum_off + 2))
		return -ENOMEM;
	csum = (__sum16 *)(skb->data + l4off + csum_off);
	if (proto == IPPROTO_UDP && skb->protocol == htons(ETH_P_IP) &&
	    !*csum)
		return 0;	/* IPv4 UDP without a checksum */
	*csum = 0;
	len = skb->len - l4off;
	sum = skb_checksum(skb, l4off, len, 0);
	if (skb->protocol == htons(ETH_P_IP))
		*csum = csum_tcpudp_magic(ip_hdr(skb)->saddr,
					  ip_hdr(skb)->daddr, len, proto, sum);
	else
		*csum = csum_ipv6_magic(&ipv6_hdr(skb)->saddr,
					&ipv6_hdr(skb)->daddr, len, proto, sum);
	if (proto == IPPROTO_UDP && !*csum)
		*csum = CSUM_MANGLED_0;
	skb->ip_summed = CHECKSUM_NONE;
	return 0;
}

/* Send @skb on its way; BHs off, under rcu_read_lock(). */
static void fos_output(struct fos_flow *f, struct sk_buff *skb)
{
	struct fos_net *fn = f->fn;
	int idx = skb->protocol == htons(ETH_P_IP) ? 0 : 1;
	struct fos_cb *cb = fos_cb(skb);
	unsigned int len = skb->len;

	if (cb->flags & FOS_UNIT_DROP) {
		/* With data and ahead: it could not be cut (fos_cut_ahead). */
		fos_count_drop(f, skb, (cb->flags & FOS_UNIT_AHEAD) && cb->len ?
				       FLOWSTREAM_FOS_STAT_DROP_NOMEM :
				       FLOWSTREAM_FOS_STAT_DROP_PM);
		kfree_skb(skb);
		return;
	}
	if (cb->flags & FOS_CB_DEAD) {
		fos_count_drop(f, skb, FLOWSTREAM_FOS_STAT_DROP_DEV);
		kfree_skb(skb);
		return;
	}
	if ((cb->flags & FOS_UNIT_DIRTY) && fos_fix_csum(skb)) {
		fos_count_drop(f, skb, FLOWSTREAM_FOS_STAT_DROP_OUTPUT);
		kfree_skb(skb);
		return;
	}
	/* The IP layer's control block is intact; ours is in its tail. */
	memset(cb, 0, sizeof(*cb));
	fos_flow_stat_pkt(f, len, false, true);
	fn->okfn[idx](fn->net, NULL, skb);
}

/* Packets sent with BHs off at a time. */
#define FOS_SEND_BATCH	32

/*
 * Send every unit of @s from the merger's position as far as every PM has
 * released; with @drop, drop every unit @s holds instead, as @why.
 */
static void fos_send(struct fos_session *s, bool drop,
		     enum flowstream_fos_stat why)
{
	struct fos_flow *f = s->flow;
	struct sk_buff_head q;
	struct sk_buff *skb;
	unsigned int n;
	u64 i, upto;

	__skb_queue_head_init(&q);
	spin_lock_bh(&s->lock);
	if (drop)
		upto = s->w.tail;
	else
		upto = s->dead ? s->w.sent : fos_win_sendable(&f->pipe.l, &s->w);
	for (i = s->w.sent; i < upto; i++) {
		skb = s->ring[i & (s->ring_size - 1)];
		fos_unheld(s, skb);
		__skb_queue_tail(&q, skb);
	}
	if (drop)
		fos_win_drain(&f->pipe.l, &s->w);
	else if (upto > s->w.sent)
		fos_win_sent(&f->pipe.l, &s->w, upto);
	spin_unlock_bh(&s->lock);

	if (drop) {
		while ((skb = __skb_dequeue(&q))) {
			fos_count_drop(f, skb, why);
			kfree_skb(skb);
		}
		return;
	}
	while (!skb_queue_empty(&q)) {
		local_bh_disable();
		rcu_read_lock();
		for (n = 0; n < FOS_SEND_BATCH && (skb = __skb_dequeue(&q)); n++)
			fos_output(f, skb);
		rcu_read_unlock();
		local_bh_enable();
	}
}

/* Drop everything @s holds, as @why; caller holds the flow's pipe_sem. */
void fos_send_all(struct fos_session *s, bool drop,
		  enum flowstream_fos_stat why)
{
	struct fos_flow *f = s->flow;
	int d;

	for (d = 0; d < 2; d++) {
		unsigned int n;

		spin_lock_bh(&s->lock);
		n = fos_tcp_held(&s->tcp[d]);
		fos_held_sub(f, n, fos_tcp_held_bytes(&s->tcp[d]));
		fos_tcp_purge(&s->tcp[d]);
		spin_unlock_bh(&s->lock);
		if (n)
			fos_flow_stat_add(f, why, n);
	}
	fos_send(s, drop, why);
}

static void fos_merge(struct fos_session *s)
{
	struct fos_flow *f = s->flow;

	clear_bit(FOS_MERGER, &s->queued);
	/* Units pushed after this point queue the session again. */
	smp_mb__after_atomic();
	down_read(&f->pipe_sem);
	fos_send(s, false, 0);
	up_read(&f->pipe_sem);
}

/* End @s's state of the PM at pipeline position @p; pipe_sem held. */
void fos_state_end(struct fos_session *s, unsigned int p)
{
	struct fos_att *att = s->flow->pipe.att[p];

	if (!s->state[p])
		return;
	if (att->pm->session_end)
		att->pm->session_end(att, s, s->state[p]);
	kfree(s->state[p]);
	s->state[p] = NULL;
}

static void *fos_state(struct fos_session *s, unsigned int p)
{
	struct fos_att *att = s->flow->pipe.att[p];

	if (s->state[p])
		return s->state[p];
	s->state[p] = kzalloc(max(att->pm->state_size, 1U), GFP_KERNEL);
	if (!s->state[p])
		return NULL;
	if (att->pm->session_start)
		att->pm->session_start(att, s, s->state[p]);
	return s->state[p];
}

/* The unit of @skb, from its control block. */
static void fos_unit_fill(struct fos_unit *u, struct sk_buff *skb)
{
	struct fos_cb *cb = fos_cb(skb);

	u->skb = skb;
	u->off = cb->off;
	u->len = cb->len;
	u->stream_off = cb->stream_off;
	u->gap = cb->gap;
	u->dir = cb->dir;
	u->flags = cb->flags;
}

/* Fill @w with up to a batch of PM @p's window; under s->lock. */
static bool fos_snapshot(struct fos_session *s, unsigned int p,
			 struct fos_window *w)
{
	struct fos_flow *f = s->flow;
	u64 head, tail, i;

	if (s->dead || !fos_win_window(&f->pipe.l, &s->w, p, &head, &tail))
		return false;
	w->first = head;
	w->n = min_t(u64, tail - head, FOS_WINDOW_BATCH);
	for (i = 0; i < w->n; i++)
		fos_unit_fill(&w->units[i],
			      s->ring[(head + i) & (s->ring_size - 1)]);
	return true;
}

/*
 * PM @p kept the units of @w->keep_mask: move them, in order, after the
 * units it released, in the ring and in @w, and set @w->release to the
 * number released. Only a read-write PM may: it is a stage of its own,
 * and no other stage holds these units. Returns false (nothing moved) if
 * the PM may not, or keeps too much.
 */
static bool fos_keep_units(struct fos_session *s, unsigned int p,
			   struct fos_window *w)
{
	struct sk_buff *kept[FOS_WINDOW_BATCH];
	unsigned int i, r = 0, k = 0, mask;
	u64 m = w->keep_mask;

	if (w->n < 64)
		m &= BIT_ULL(w->n) - 1;
	if (!fos_win_may_drop(&s->flow->pipe.l, p) || !m ||
	    hweight64(m) >= FOS_WINDOW_BATCH)
		return false;
	mask = s->ring_size - 1;
	spin_lock_bh(&s->lock);
	for (i = 0; i < w->n; i++) {
		struct sk_buff *skb = s->ring[(w->first + i) & mask];

		if (m & BIT_ULL(i)) {
			kept[k++] = skb;
			continue;
		}
		w->units[r] = w->units[i];
		s->ring[(w->first + r++) & mask] = skb;
	}
	/* The PM's marks are in the control blocks too. */
	for (i = 0; i < k; i++) {
		s->ring[(w->first + r + i) & mask] = kept[i];
		fos_unit_fill(&w->units[r + i], kept[i]);
	}
	spin_unlock_bh(&s->lock);
	w->release = r;
	return true;
}

/*
 * PM @p released unit @w->release in part (@w->release_bytes of its data):
 * split its packet, put the second part into the ring right after the
 * first, and count the unit released. Returns whether it did; the unit is
 * kept whole if not. pipe_sem held; PM @p owns the unit, as it is in its
 * window, so the packet can be changed without the session's lock.
 */
static bool fos_split_unit(struct fos_session *s, unsigned int p,
			   struct fos_window *w)
{
	struct fos_flow *f = s->flow;
	struct fos_unit *u = &w->units[w->release];
	u64 j = w->first + w->release, i;
	unsigned int len = u->skb->len, q;
	struct sk_buff *n;
	struct fos_cb *cb;

	if (!fos_win_may_drop(&f->pipe.l, p) ||
	    f->stream != FLOWSTREAM_STREAM_TCP || !w->release_bytes ||
	    w->release_bytes >= u->len || (u->flags & FOS_UNIT_DROP))
		return false;
	n = fos_split_skb(u->skb, u->off + w->release_bytes);
	if (!n)
		return false;
	/* The second part is a unit of its own, at the split point. */
	cb = fos_cb(n);
	cb->off = n->len - (len - (u->off + w->release_bytes));
	cb->len = u->len - w->release_bytes;
	cb->stream_off = u->stream_off + w->release_bytes;
	cb->gap = 0;
	cb->flags &= ~FOS_UNIT_DUP;
	cb->charged = n->truesize;
	u->len = w->release_bytes;
	u->flags &= ~FOS_UNIT_FIN;
	fos_cb(u->skb)->len = u->len;
	fos_cb(u->skb)->flags &= ~FOS_UNIT_FIN;
	fos_flow_stat_add(f, FLOWSTREAM_FOS_STAT_SPLIT, 1);

	spin_lock_bh(&s->lock);
	if (s->dead || fos_sess_reserve(s, s->w.tail - s->w.sent + 1 +
					fos_tcp_held(&s->tcp[0]) +
					fos_tcp_held(&s->tcp[1]), U32_MAX)) {
		spin_unlock_bh(&s->lock);
		/* Sent without its second part: TCP sends those bytes again. */
		fos_count_drop(f, n, FLOWSTREAM_FOS_STAT_DROP_NOMEM);
		kfree_skb(n);
		return true;
	}
	for (i = s->w.tail; i > j + 1; i--)
		s->ring[i & (s->ring_size - 1)] =
			s->ring[(i - 1) & (s->ring_size - 1)];
	s->ring[(j + 1) & (s->ring_size - 1)] = n;
	s->w.tail++;
	/* Earlier stages hold units past it; later ones and the merger none. */
	for (q = 0; q < f->pipe.l.n; q++)
		if (s->w.head[q] > j)
			s->w.head[q]++;
	s->held++;
	s->held_bytes += cb->charged;
	fos_held_add(f, 1, cb->charged);
	spin_unlock_bh(&s->lock);
	return true;
}

/*
 * Before read-write PM @p sees @w: a unit whose packet carries payload
 * past the unit's end, bytes the stream has not reached (FOS_UNIT_AHEAD;
 * they are a held unit's, or no unit's), has its packet cut at the unit's
 * end. Those bytes then reach the receiver only in the unit that carries
 * them, after this PM, or the sender sends them again. A packet that
 * cannot be cut is dropped (drop_nomem). PM @p owns the units of its
 * window, so their packets can be changed without the session's lock.
 */
static void fos_cut_ahead(struct fos_flow *f, unsigned int p,
			  struct fos_window *w)
{
	unsigned int i;

	if (!fos_win_may_drop(&f->pipe.l, p) ||
	    f->stream != FLOWSTREAM_STREAM_TCP)
		return;
	for (i = 0; i < w->n; i++) {
		struct fos_unit *u = &w->units[i];
		struct fos_cb *cb = fos_cb(u->skb);

		if (!(u->flags & FOS_UNIT_AHEAD) || !u->len ||
		    (u->flags & FOS_UNIT_DROP))
			continue;
		if (fos_split_trim(u->skb, u->off + u->len)) {
			u->flags |= FOS_UNIT_DROP;
			cb->flags |= FOS_UNIT_DROP;
			continue;
		}
		u->flags &= ~(FOS_UNIT_AHEAD | FOS_UNIT_FIN);
		cb->flags &= ~(FOS_UNIT_AHEAD | FOS_UNIT_FIN);
	}
}

/*
 * Read-write PM @p released copies of bytes held for reordering (len-0
 * units still FOS_UNIT_AHEAD): dropped, whether the PM dropped them or
 * not. Sent, they would give the receiver bytes the PM has not seen yet,
 * before the units that carry them (TCP needs no copy: the held segment
 * follows).
 */
static void fos_drop_ahead(struct fos_flow *f, unsigned int p,
			   struct fos_window *w)
{
	unsigned int i;

	if (!fos_win_may_drop(&f->pipe.l, p))
		return;
	for (i = 0; i < w->release; i++) {
		struct fos_unit *u = &w->units[i];

		if ((u->flags & (FOS_UNIT_AHEAD | FOS_UNIT_DROP)) !=
		    FOS_UNIT_AHEAD)
			continue;
		u->flags |= FOS_UNIT_DROP;
		fos_cb(u->skb)->flags |= FOS_UNIT_DROP;
	}
}

/*
 * Run PM @p over everything in its window; pipe_sem held. With @flush the
 * PM must release everything it has; otherwise it may keep the last units
 * of its window, and the session is looked at again by the reaper.
 */
static void fos_run_pm(struct fos_session *s, unsigned int p,
		       struct fos_window *w, bool flush)
{
	struct fos_att *att = s->flow->pipe.att[p];
	u64 bytes, t0;
	unsigned int i;
	void *state;
	bool more;
	int err;

	for (;;) {
		spin_lock_bh(&s->lock);
		if (!fos_snapshot(s, p, w)) {
			spin_unlock_bh(&s->lock);
			return;
		}
		spin_unlock_bh(&s->lock);

		/* Without memory for its state the PM cannot see the data. */
		state = fos_state(s, p);
		fos_cut_ahead(s->flow, p, w);
		w->release = w->n;
		w->release_bytes = 0;
		w->keep_mask = 0;
		w->flush = flush;
		t0 = local_clock();
		if (state)
			att->pm->process(att, s, state, w);
		if (!flush && w->keep_mask && !fos_keep_units(s, p, w))
			w->release = w->n;
		if (flush || w->release > w->n ||
		    (w->release < w->n && w->n - w->release >= FOS_WINDOW_BATCH))
			w->release = w->n;
		atomic64_add(local_clock() - t0,
			     &att->st[FLOWSTREAM_ATT_STAT_CPU_NS]);
		/* A unit released in part: the window has one unit more. */
		if (w->release < w->n && fos_split_unit(s, p, w)) {
			w->release++;
			w->n++;
		}
		fos_drop_ahead(s->flow, p, w);
		bytes = 0;
		for (i = 0; i < w->release; i++) {
			bytes += w->units[i].len;
			if (w->units[i].flags & FOS_UNIT_DROP)
				atomic64_inc(&att->st[FLOWSTREAM_ATT_STAT_DROPPED]);
		}
		atomic64_inc(&att->st[FLOWSTREAM_ATT_STAT_WINDOWS]);
		atomic64_add(w->release, &att->st[FLOWSTREAM_ATT_STAT_UNITS]);
		atomic64_add(bytes, &att->st[FLOWSTREAM_ATT_STAT_BYTES]);

		spin_lock_bh(&s->lock);
		err = fos_win_release(&s->flow->pipe.l, &s->w, p,
				      w->first + w->release);
		if (w->release < w->n) {
			/*
			 * Kept: look again with more data, or flush once none
			 * has come for fos_kept_max(). The kept units come first
			 * in the next window: a longer window has new data.
			 */
			if (!(s->kept & BIT(p)) || w->n > s->kept_n[p])
				s->kept_since = jiffies;
			s->kept_n[p] = w->n - w->release;
			s->kept |= BIT(p);
		} else {
			s->kept &= ~BIT(p);
		}
		/* Data past this window: look again at once. */
		more = w->first + w->n < fos_win_tail(&s->flow->pipe.l, &s->w,
						      p);
		spin_unlock_bh(&s->lock);
		if (WARN_ON_ONCE(err) || !more)
			return;
		cond_resched();
	}
}

void fos_engine_finish(struct fos_session *s, unsigned int p,
		       struct fos_window *w)
{
	fos_run_pm(s, p, w, true);
}

static void fos_run_stage(struct fos_session *s, unsigned int stage,
			  struct fos_window *w)
{
	struct fos_flow *f = s->flow;
	unsigned int p;
	bool flush;

	clear_bit(stage, &s->queued);
	/* Units released after this point queue the session again. */
	smp_mb__after_atomic();
	down_read(&f->pipe_sem);
	if (READ_ONCE(s->dead)) {
		up_read(&f->pipe_sem);
		return;
	}
	/* Units kept by a PM for a while are flushed (see fos_sess_flush). */
	flush = READ_ONCE(s->kept) &&
		time_after(jiffies, READ_ONCE(s->kept_since) + fos_kept_max(f));
	for (p = 0; p < f->pipe.l.n; p++)
		if (f->pipe.l.stage[p] == stage)
			fos_run_pm(s, p, w, flush);
	/* Whatever this stage released goes on. */
	if (stage + 1 < f->pipe.l.nstages)
		fos_kick(s, stage + 1);
	else
		fos_kick(s, FOS_MERGER);
	up_read(&f->pipe_sem);
}

static int fos_worker_fn(void *arg)
{
	struct fos_worker *wk = arg;
	struct fos_window *w = NULL;
	struct fos_session *s;
	LIST_HEAD(batch);

	if (wk->stage != FOS_MERGER) {
		w = kmalloc(sizeof(*w), GFP_KERNEL);
		if (!w)
			return -ENOMEM;
	}
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		spin_lock_bh(&wk->lock);
		if (list_empty(&wk->queue)) {
			wk->busy = false;
			spin_unlock_bh(&wk->lock);
			wake_up_all(&fos_idle_wq);
			if (kthread_should_stop())
				break;
			schedule();
			continue;
		}
		wk->busy = true;
		list_splice_init(&wk->queue, &batch);
		spin_unlock_bh(&wk->lock);
		__set_current_state(TASK_RUNNING);

		while (!list_empty(&batch)) {
			s = list_first_entry(&batch, struct fos_session,
					     work[wk->stage]);
			list_del_init(&s->work[wk->stage]);
			if (wk->stage == FOS_MERGER)
				fos_merge(s);
			else
				fos_run_stage(s, wk->stage, w);
			fos_sess_put(s);
			cond_resched();
		}
	}
	__set_current_state(TASK_RUNNING);
	kfree(w);
	return 0;
}

static bool fos_worker_idle(struct fos_worker *wk)
{
	bool idle;

	spin_lock_bh(&wk->lock);
	idle = !wk->busy && list_empty(&wk->queue);
	spin_unlock_bh(&wk->lock);
	return idle;
}

/* Wait until every worker has run out of work. */
void fos_engine_flush(void)
{
	unsigned int st, i;

	mutex_lock(&fos_engine_lock);
	for (st = 0; st <= FOS_WIN_MAX; st++) {
		if (!fos_workers[st])
			continue;
		for (i = 0; i < nr_cpu_ids; i++)
			wait_event(fos_idle_wq,
				   fos_worker_idle(&fos_workers[st][i]));
	}
	mutex_unlock(&fos_engine_lock);
}

static void fos_stage_stop(unsigned int st)
{
	unsigned int i;

	if (!fos_workers[st])
		return;
	for (i = 0; i < nr_cpu_ids; i++)
		if (fos_workers[st][i].task)
			kthread_stop(fos_workers[st][i].task);
	kfree(fos_workers[st]);
	fos_workers[st] = NULL;
}

static int fos_stage_start(unsigned int st)
{
	struct fos_worker *wks;
	unsigned int i;

	wks = kcalloc(nr_cpu_ids, sizeof(*wks), GFP_KERNEL);
	if (!wks)
		return -ENOMEM;
	fos_workers[st] = wks;
	for (i = 0; i < nr_cpu_ids; i++) {
		struct fos_worker *wk = &wks[i];
		struct task_struct *t;

		spin_lock_init(&wk->lock);
		INIT_LIST_HEAD(&wk->queue);
		wk->stage = st;
		if (st == FOS_MERGER)
			t = kthread_create(fos_worker_fn, wk,
					   "flowstream/m:%u", i);
		else
			t = kthread_create(fos_worker_fn, wk,
					   "flowstream/s%u:%u", st, i);
		if (IS_ERR(t)) {
			fos_stage_stop(st);
			return PTR_ERR(t);
		}
		wk->task = t;
		/*
		 * SCHED_BATCH: a woken worker does not preempt the task that
		 * woke it (the packet path, a sender), it runs on a CPU that
		 * is idle or at the next tick. On a busy CPU work builds up
		 * and is taken in batches instead of a context switch per
		 * packet and stage.
		 */
		if (sched_setattr_nocheck(t, &fos_worker_attr))
			pr_warn_once("FlowOS workers run as SCHED_NORMAL\n");
		wake_up_process(t);
	}
	return 0;
}

/**
 * fos_engine_stages() - make sure workers run for @n pipeline stages
 * @n: stages of the longest pipeline about to exist
 *
 * Process context. Threads, once started, stay until the module unloads.
 */
int fos_engine_stages(unsigned int n)
{
	int err = 0;

	mutex_lock(&fos_engine_lock);
	while (fos_nstages < n && !err) {
		err = fos_stage_start(fos_nstages);
		if (!err)
			fos_nstages++;
	}
	mutex_unlock(&fos_engine_lock);
	return err;
}

int fos_engine_init(void)
{
	return fos_stage_start(FOS_MERGER);
}

void fos_engine_exit(void)
{
	unsigned int st;

	for (st = 0; st < fos_nstages; st++)
		fos_stage_stop(st);
	fos_nstages = 0;
	fos_stage_stop(FOS_MERGER);
}

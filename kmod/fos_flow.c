// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream FlowOS: flows, their pipelines, and the per-namespace part.
 *
 * Flows are created, changed and deleted under the namespace's lock
 * (fs_net.lock). Each change rebuilds the classifier and publishes it
 * with RCU. A pipeline change (attach, detach) takes the flow's pipe_sem
 * for writing, which waits for every PM callback of the flow to return,
 * then moves every session's window positions to the new layout under
 * the session's lock.
 */
#include <linux/bitops.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "acct.h"
#include "config.h"
#include "flowstream.h"
#include "compat.h"
#include "fos.h"
#include "netns.h"

/* Every namespace's FlowOS state, for the module-wide sums in sysfs. */
LIST_HEAD(fos_nets);
DEFINE_MUTEX(fos_nets_lock);	/* protects fos_nets */

void fos_flow_read(struct fos_flow *f, u64 *out)
{
	int cpu, i;

	memset(out, 0, sizeof(u64) * __FLOWSTREAM_FOS_STAT_MAX);
	for_each_possible_cpu(cpu) {
		struct fos_flow_pcpu *s = per_cpu_ptr(f->stats, cpu);
		u64 v[__FLOWSTREAM_FOS_STAT_MAX];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < __FLOWSTREAM_FOS_STAT_MAX; i++)
				v[i] = u64_stats_read(&s->cnt[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < __FLOWSTREAM_FOS_STAT_MAX; i++)
			out[i] += v[i];
	}
	out[FLOWSTREAM_FOS_STAT_HELD] = atomic_read(&f->held);
	out[FLOWSTREAM_FOS_STAT_HELD_BYTES] = atomic_read(&f->held_bytes);
	out[FLOWSTREAM_FOS_STAT_SESSIONS] = atomic_read(&f->nsess);
}

/* The namespace's sums over its flows, deleted ones included. */
void fos_net_totals(struct fos_net *fn, u64 *out)
{
	u64 v[__FLOWSTREAM_FOS_STAT_MAX];
	struct fos_flow *f;
	int i;

	memcpy(out, fn->gone, sizeof(fn->gone));
	list_for_each_entry(f, &fn->flows, list) {
		fos_flow_read(f, v);
		for (i = 0; i < __FLOWSTREAM_FOS_STAT_MAX; i++)
			out[i] += v[i];
	}
}

static void fos_flow_free_work(struct work_struct *work)
{
	struct fos_flow *f = container_of(to_rcu_work(work), struct fos_flow,
					  rwork);
	struct fos_net *fn = f->fn;

	fos_sess_table_destroy(f);
	free_percpu(f->stats);
	kfree(f);
	if (atomic_dec_and_test(&fn->alive))
		wake_up_var(&fn->alive);
}

void fos_flow_put(struct fos_flow *f)
{
	if (!refcount_dec_and_test(&f->ref))
		return;
	/* The hook may still see it until a grace period has passed. */
	INIT_RCU_WORK(&f->rwork, fos_flow_free_work);
	queue_rcu_work(fs_wq, &f->rwork);
}

struct fos_flow *fos_flow_new(struct fos_net *fn)
{
	struct fos_flow *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	f->stats = alloc_percpu(struct fos_flow_pcpu);
	if (!f->stats || fos_sess_table_init(f)) {
		free_percpu(f->stats);
		kfree(f);
		return NULL;
	}
	f->fn = fn;
	refcount_set(&f->ref, 1);
	init_rwsem(&f->pipe_sem);
	f->stream = FLOWSTREAM_STREAM_IP;
	f->policy = FLOWSTREAM_FOS_POLICY_DROP;
	f->max_sessions = 65536;
	f->max_held = 8192;
	f->max_held_bytes = 16 << 20;
	f->max_session_held = 1024;
	f->idle_timeout = 60;
	f->hole_timeout = 200;
	fos_win_layout_init(&f->pipe.l, 0, 0);
	atomic_inc(&fn->alive);
	return f;
}

/* Undo fos_flow_new() for a flow that never went live. */
void fos_flow_free(struct fos_flow *f)
{
	fos_flow_put(f);
}

struct fos_flow *fos_flow_find(struct fos_net *fn, const char *name, u32 id)
{
	struct fos_flow *f;

	list_for_each_entry(f, &fn->flows, list)
		if (name ? !strcmp(f->name, name) : f->id == id)
			return f;
	return NULL;
}

/* Rebuild and publish the classifier from the live flows. */
static int fos_cls_update(struct fos_net *fn, struct fos_flow *extra,
			  struct fos_flow *without)
{
	struct fos_cls_rule *rules;
	struct fos_cls *cls, *old;
	struct fos_flow *f;
	unsigned int n = 0;

	rules = kvcalloc(fn->nflows + 1, sizeof(*rules), GFP_KERNEL);
	if (!rules)
		return -ENOMEM;
	list_for_each_entry(f, &fn->flows, list)
		if (f != without)
			rules[n++] = (struct fos_cls_rule){ .m = f->m,
				.prio = f->prio, .order = f->order, .priv = f };
	if (extra)
		rules[n++] = (struct fos_cls_rule){ .m = extra->m,
			.prio = extra->prio, .order = extra->order,
			.priv = extra };
	cls = fos_cls_build(rules, n, GFP_KERNEL);
	kvfree(rules);
	if (IS_ERR(cls))
		return PTR_ERR(cls);
	old = rcu_replace_pointer(fn->cls, cls, true);
	fos_cls_free_rcu(old);
	return 0;
}

/* Which layout @atts (n of them, in pipeline order) make. */
static void fos_layout_of(struct fos_win_layout *l, struct fos_att **atts,
			  unsigned int n)
{
	u8 rw = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (atts[i]->pm->mode == FLOWSTREAM_PM_MODE_RW)
			rw |= BIT(i);
	fos_win_layout_init(l, n, rw);
}

/*
 * Where @att goes among @atts (n of them): after every PM of lower or
 * equal ORDER. A read-write PM shares its ORDER with no other.
 */
static int fos_pipe_slot(struct fos_att **atts, unsigned int n,
			 struct fos_att *att, struct netlink_ext_ack *extack)
{
	bool rw = att->pm->mode == FLOWSTREAM_PM_MODE_RW;
	unsigned int i, slot = n;

	if (n >= FOS_WIN_MAX) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "a flow takes at most %d PMs",
				       FOS_WIN_MAX);
		return -ENOSPC;
	}
	for (i = 0; i < n; i++) {
		if (atts[i]->order == att->order &&
		    (rw || atts[i]->pm->mode == FLOWSTREAM_PM_MODE_RW)) {
			NL_SET_ERR_MSG_FMT_MOD(extack,
					       "order %u is taken by %s; a read-write PM shares none",
					       att->order, atts[i]->pm->name);
			return -EBUSY;
		}
		if (slot == n && atts[i]->order > att->order)
			slot = i;
	}
	/*
	 * Read-only PMs next to each other form one stage, over the same
	 * data; a read-write PM between two of them would split the stage
	 * under the data it holds.
	 */
	if (rw && slot > 0 && slot < n &&
	    atts[slot - 1]->pm->mode == FLOWSTREAM_PM_MODE_RO &&
	    atts[slot]->pm->mode == FLOWSTREAM_PM_MODE_RO) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "order %u splits the read-only PMs %s and %s",
				       att->order, atts[slot - 1]->pm->name,
				       atts[slot]->pm->name);
		return -EBUSY;
	}
	return slot;
}

static int fos_pipe_check_pm(struct fos_flow *f, struct fos_att *att,
			     struct netlink_ext_ack *extack)
{
	u32 streams = fos_pm_streams(att->pm);
	char names[32];

	if (!(streams & FOS_STREAM(f->stream))) {
		fos_streams_str(streams, names, sizeof(names));
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "PM %s processes stream%s %s, flow %s builds %s",
				       att->pm->name,
				       hweight32(streams) > 1 ? "s" : "", names,
				       f->name, fos_stream_name(f->stream));
		return -EINVAL;
	}
	return 0;
}

/* Move every session of @f to a pipeline with @att inserted at @slot. */
static void fos_pipe_insert(struct fos_flow *f, struct fos_att *att,
			    unsigned int slot)
{
	struct fos_pipe np = f->pipe;
	struct fos_session *s;
	unsigned int i;

	for (i = np.l.n; i > slot; i--)
		np.att[i] = np.att[i - 1];
	np.att[slot] = att;
	fos_layout_of(&np.l, np.att, f->pipe.l.n + 1);

	spin_lock_bh(&f->sess_lock);
	list_for_each_entry(s, &f->sess_list, all) {
		spin_lock(&s->lock);
		WARN_ON_ONCE(fos_win_attach(&f->pipe.l, &np.l, slot, &s->w));
		for (i = np.l.n - 1; i > slot; i--)
			s->state[i] = s->state[i - 1];
		s->state[slot] = NULL;
		spin_unlock(&s->lock);
	}
	spin_unlock_bh(&f->sess_lock);
	att->flow = f;
	f->pipe = np;
	WRITE_ONCE(f->npms, np.l.n);
}

/**
 * fos_flow_attach() - attach @att to live flow @f
 * @f: the flow; caller holds the namespace's lock
 * @att: from fos_att_new(), owned by the flow on success
 * @extack: why not
 *
 * Return: 0 or -errno, nothing changed.
 */
int fos_flow_attach(struct fos_flow *f, struct fos_att *att,
		    struct netlink_ext_ack *extack)
{
	int slot, err;

	err = fos_pipe_check_pm(f, att, extack);
	if (err)
		return err;
	slot = fos_pipe_slot(f->pipe.att, f->pipe.l.n, att, extack);
	if (slot < 0)
		return slot;
	/* Workers for one more stage, at most. */
	err = fos_engine_stages(f->pipe.l.nstages + 1);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot start worker threads");
		return err;
	}
	att->id = ++f->next_att_id;
	down_write(&f->pipe_sem);
	fos_pipe_insert(f, att, slot);
	up_write(&f->pipe_sem);
	return 0;
}

/* Run PM @p over every session's window; pipe_sem held for writing. */
static void fos_pipe_finish(struct fos_flow *f, unsigned int p)
{
	struct fos_session *batch[64], *s;
	struct fos_window *w;
	unsigned int n, i;
	bool more = true;

	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return;	/* its windows pass on unprocessed */
	while (more) {
		n = 0;
		more = false;
		spin_lock_bh(&f->sess_lock);
		list_for_each_entry(s, &f->sess_list, all) {
			if (s->finish_gen == f->finish_gen)
				continue;
			s->finish_gen = f->finish_gen;
			refcount_inc(&s->ref);
			batch[n++] = s;
			if (n == ARRAY_SIZE(batch)) {
				more = true;
				break;
			}
		}
		spin_unlock_bh(&f->sess_lock);
		for (i = 0; i < n; i++) {
			fos_engine_finish(batch[i], p, w);
			fos_sess_put(batch[i]);
		}
	}
	kfree(w);
}

/* Remove pipeline position @p from every session, and from @f. */
static void fos_pipe_remove(struct fos_flow *f, unsigned int p)
{
	struct fos_pipe np = f->pipe;
	struct fos_session *s;
	unsigned int i;
	u64 head, tail;

	for (i = p; i + 1 < np.l.n; i++)
		np.att[i] = np.att[i + 1];
	np.att[np.l.n - 1] = NULL;
	fos_layout_of(&np.l, np.att, f->pipe.l.n - 1);

	spin_lock_bh(&f->sess_lock);
	list_for_each_entry(s, &f->sess_list, all) {
		spin_lock(&s->lock);
		/* What arrived while it finished passes on unprocessed. */
		if (fos_win_window(&f->pipe.l, &s->w, p, &head, &tail))
			fos_win_release(&f->pipe.l, &s->w, p, tail);
		fos_state_end(s, p);
		WARN_ON_ONCE(fos_win_detach(&f->pipe.l, &np.l, p, &s->w));
		for (i = p; i + 1 < f->pipe.l.n; i++)
			s->state[i] = s->state[i + 1];
		s->state[f->pipe.l.n - 1] = NULL;
		spin_unlock(&s->lock);
	}
	spin_unlock_bh(&f->sess_lock);
	f->pipe = np;
	WRITE_ONCE(f->npms, np.l.n);
}

/* After a pipeline change, push every session's data on. */
static void fos_pipe_kick(struct fos_flow *f)
{
	struct fos_session *s;

	spin_lock_bh(&f->sess_lock);
	list_for_each_entry(s, &f->sess_list, all)
		if (READ_ONCE(s->held))
			fos_kick(s, f->npms ? 0 : FOS_MERGER);
	spin_unlock_bh(&f->sess_lock);
}

/**
 * fos_flow_detach() - detach attachment @id from @f: the PM finishes the
 * windows it holds, which then go to the next PM
 * @f: the flow; caller holds the namespace's lock
 * @id: the attachment
 * @extack: why not
 *
 * Return: 0 or -ENOENT.
 */
int fos_flow_detach(struct fos_flow *f, u32 id,
		    struct netlink_ext_ack *extack)
{
	struct fos_att *att = NULL;
	unsigned int p;

	for (p = 0; p < f->pipe.l.n; p++)
		if (f->pipe.att[p]->id == id) {
			att = f->pipe.att[p];
			break;
		}
	if (!att) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "flow %s has no attachment %u",
				       f->name, id);
		return -ENOENT;
	}
	down_write(&f->pipe_sem);
	f->finish_gen++;
	fos_pipe_finish(f, p);
	fos_pipe_remove(f, p);
	up_write(&f->pipe_sem);
	fos_pipe_kick(f);
	fos_att_free(att);
	return 0;
}

static int fos_hooks_needed(struct fos_net *fn)
{
	if (fn->hooked || !fn->nflows)
		return 0;
	return fos_hook_register(fn);
}

/**
 * fos_flow_add() - make @f live with its pipeline
 * @fn: the namespace; caller holds its lock
 * @f: from fos_flow_new(), its definition filled and checked
 * @atts: its attachments (from fos_att_new()), @n of them
 * @n: how many
 * @extack: why not
 *
 * On success @f and @atts belong to the namespace; on error the caller
 * still owns them.
 *
 * Return: 0 or -errno, nothing changed.
 */
int fos_flow_add(struct fos_net *fn, struct fos_flow *f, struct fos_att **atts,
		 unsigned int n, struct netlink_ext_ack *extack)
{
	unsigned int i, k;
	int slot, err;

	if (fos_flow_find(fn, f->name, 0)) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "flow %s exists", f->name);
		return -EEXIST;
	}
	for (i = 0; i < n; i++) {
		err = fos_pipe_check_pm(f, atts[i], extack);
		if (err)
			return err;
		slot = fos_pipe_slot(f->pipe.att, f->pipe.l.n, atts[i], extack);
		if (slot < 0)
			goto undo;
		for (k = f->pipe.l.n; k > slot; k--)
			f->pipe.att[k] = f->pipe.att[k - 1];
		f->pipe.att[slot] = atts[i];
		atts[i]->flow = f;
		atts[i]->id = ++f->next_att_id;
		fos_layout_of(&f->pipe.l, f->pipe.att, f->pipe.l.n + 1);
	}
	err = fos_engine_stages(f->pipe.l.nstages);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot start worker threads");
		goto undo_all;
	}
	f->npms = f->pipe.l.n;
	f->id = ++fn->next_id;
	f->order = ++fn->next_order;
	err = fos_cls_update(fn, f, NULL);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "no memory for the classifier");
		goto undo_all;
	}
	f->live = true;
	list_add_tail(&f->list, &fn->flows);
	fn->nflows++;
	err = fos_hooks_needed(fn);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot register the forward hook");
		list_del(&f->list);
		fn->nflows--;
		f->live = false;
		fos_cls_update(fn, NULL, NULL);
		synchronize_rcu();
		goto undo_all;
	}
	return 0;
undo:
	err = slot;
undo_all:
	/* The caller frees the attachments; the flow forgets them. */
	memset(&f->pipe, 0, sizeof(f->pipe));
	fos_win_layout_init(&f->pipe.l, 0, 0);
	f->npms = 0;
	return err;
}

/**
 * fos_flow_del() - delete @f: it takes no more packets, what it holds is
 * dropped (counted as teardown), its PMs are detached
 * @fn: the namespace; caller holds its lock
 * @f: a live flow of @fn
 */
void fos_flow_del(struct fos_net *fn, struct fos_flow *f)
{
	u64 v[__FLOWSTREAM_FOS_STAT_MAX];
	unsigned int p, i;

	WRITE_ONCE(f->live, false);
	list_del(&f->list);
	fn->nflows--;
	if (fos_cls_update(fn, NULL, NULL)) {
		/* No memory for a new classifier: take every flow out. */
		fos_cls_free_rcu(rcu_replace_pointer(fn->cls, NULL, true));
	}
	synchronize_rcu();

	down_write(&f->pipe_sem);
	fos_sess_reap(f, true);
	up_write(&f->pipe_sem);
	for (p = 0; p < f->pipe.l.n; p++)
		fos_att_free(f->pipe.att[p]);
	f->pipe.l.n = 0;
	WRITE_ONCE(f->npms, 0);

	fos_flow_read(f, v);
	for (i = 0; i < __FLOWSTREAM_FOS_STAT_MAX; i++)
		fn->gone[i] += v[i];
	fn->gone[FLOWSTREAM_FOS_STAT_HELD] = 0;
	fn->gone[FLOWSTREAM_FOS_STAT_HELD_BYTES] = 0;
	fn->gone[FLOWSTREAM_FOS_STAT_SESSIONS] = 0;
	fos_flow_put(f);
}

static void fos_reap_work(struct work_struct *work)
{
	struct fos_net *fn = container_of(to_delayed_work(work),
					  struct fos_net, reap);
	struct fs_net *fsn = fn->fsn;
	unsigned long next = HZ;
	struct fos_flow *f;

	mutex_lock(&fsn->lock);
	list_for_each_entry(f, &fn->flows, list) {
		fos_sess_reap(f, false);
		if (f->npms && fos_sess_flush(f))
			next = min(next, max(fos_kept_max(f) / 2, 1UL));
		if (f->stream == FLOWSTREAM_STREAM_TCP) {
			fos_sess_expire(f);
			next = min(next, max(msecs_to_jiffies(f->hole_timeout) / 2,
					     1UL));
		}
	}
	if (fn->nflows)
		queue_delayed_work(fs_wq, &fn->reap, next);
	mutex_unlock(&fsn->lock);
}

static int fos_net_init(struct fs_net *fsn)
{
	struct fos_net *fn = kzalloc(sizeof(*fn), GFP_KERNEL);
	const struct fs_config *cfg;

	if (!fn)
		return -ENOMEM;
	fn->fsn = fsn;
	fn->net = fsn->net;
	/* The config row is set up before this one; nobody else sees it yet. */
	cfg = rcu_dereference_protected(fsn->cfg, 1);
	fn->max_held = cfg->fos_max_held;
	fn->max_held_bytes = cfg->fos_max_held_bytes;
	INIT_LIST_HEAD(&fn->flows);
	INIT_DELAYED_WORK(&fn->reap, fos_reap_work);
	atomic_set(&fn->alive, 0);
	fsn->fos = fn;
	mutex_lock(&fos_nets_lock);
	list_add_tail(&fn->all, &fos_nets);
	mutex_unlock(&fos_nets_lock);
	return 0;
}

static void fos_net_exit(struct fs_net *fsn)
{
	struct fos_net *fn = fsn->fos;
	struct fos_flow *f, *tmp;

	mutex_lock(&fsn->lock);
	list_for_each_entry_safe(f, tmp, &fn->flows, list)
		fos_flow_del(fn, f);
	mutex_unlock(&fsn->lock);
	fos_hook_unregister(fn);
	cancel_delayed_work_sync(&fn->reap);
	/* Sessions still on worker queues hold their flows. */
	wait_var_event(&fn->alive, !atomic_read(&fn->alive));
	fos_cls_free(rcu_dereference_protected(fn->cls, true));
	mutex_lock(&fos_nets_lock);
	list_del(&fn->all);
	mutex_unlock(&fos_nets_lock);
	kfree(fn);
	fsn->fos = NULL;
}

/* fs_net_parts[]'s apply: the namespace's limits on held packets. */
int fos_apply(struct fs_net *fsn, const struct fs_config *old,
	      struct fs_config *new, struct netlink_ext_ack *extack)
{
	WRITE_ONCE(fsn->fos->max_held, new->fos_max_held);
	WRITE_ONCE(fsn->fos->max_held_bytes, new->fos_max_held_bytes);
	return 0;
}

/* Whether @fsn has FlowOS flows; caller holds fsn->lock. */
bool fos_enabled(struct fs_net *fsn)
{
	return fsn->fos && fsn->fos->nflows;
}

int fos_net_part_init(struct fs_net *fsn)
{
	int err = fos_net_init(fsn);

	if (err)
		return err;
	err = fos_proc_init(fsn);
	if (err)
		fos_net_exit(fsn);
	return err;
}

void fos_net_part_exit(struct fs_net *fsn)
{
	fos_proc_exit(fsn);
	fos_net_exit(fsn);
}

/*
 * A device goes away: packets held that came in or go out through it are
 * marked, and dropped (counted as drop_dev) when their turn comes; the
 * input device pointer is cleared, as nothing may use it any more.
 */
static void fos_dev_gone(struct fos_net *fn, struct net_device *dev)
{
	struct fos_session *s;
	struct fos_flow *f;
	u64 i;

	list_for_each_entry(f, &fn->flows, list) {
		spin_lock_bh(&f->sess_lock);
		list_for_each_entry(s, &f->sess_list, all) {
			spin_lock(&s->lock);
			for (i = s->w.sent; i < s->w.tail; i++)
				fos_skb_dev_gone(s->ring[i & (s->ring_size - 1)],
						 dev);
			fos_tcp_visit_held(&s->tcp[0], fos_skb_dev_gone, dev);
			fos_tcp_visit_held(&s->tcp[1], fos_skb_dev_gone, dev);
			spin_unlock(&s->lock);
		}
		spin_unlock_bh(&f->sess_lock);
	}
}

void fos_skb_dev_gone(struct sk_buff *skb, void *arg)
{
	struct net_device *dev = arg;
	struct dst_entry *dst = skb_dst(skb);

	if (skb->dev == dev || (dst && dst->dev == dev)) {
		fos_cb(skb)->flags |= FOS_CB_DEAD;
		skb->dev = NULL;
	}
}

/* Set while the per-namespace state exists (see fos_netdev_register). */
static bool fos_netdev_live;

static int fos_netdev_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct fs_net *fsn;

	if (event != NETDEV_UNREGISTER || !READ_ONCE(fos_netdev_live))
		return NOTIFY_DONE;
	fsn = fs_net(dev_net(dev));
	if (!fsn || !fsn->fos)
		return NOTIFY_DONE;
	mutex_lock(&fsn->lock);
	fos_dev_gone(fsn->fos, dev);
	mutex_unlock(&fsn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block fos_netdev_nb = {
	.notifier_call = fos_netdev_event,
};

/*
 * The device notifier needs the per-namespace state: registered after it,
 * unregistered before it goes (unregistering replays NETDEV_UNREGISTER
 * for every device, which must not be taken for a real one).
 */
int fos_netdev_register(void)
{
	WRITE_ONCE(fos_netdev_live, true);
	return register_netdevice_notifier(&fos_netdev_nb);
}

void fos_netdev_unregister(void)
{
	WRITE_ONCE(fos_netdev_live, false);
	unregister_netdevice_notifier(&fos_netdev_nb);
}

int fos_init(void)
{
	return fos_engine_init();
}

void fos_exit(void)
{
	fos_engine_exit();
}

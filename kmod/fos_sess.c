// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream FlowOS: sessions, the bidirectional 5-tuples inside a flow.
 *
 * Each flow keeps its sessions in an rhashtable keyed by the 5-tuple with
 * its lower endpoint first, so both directions find the same session;
 * lookups and inserts run in the packet path under RCU. A list beside it
 * serves walks (reaping, dumps, teardown). A session holds a reference on
 * its flow; the table, each worker queue it sits on and each user hold one
 * on the session.
 */
#include <linux/jiffies.h>
#include <linux/slab.h>

#include "fos.h"

static const struct rhashtable_params fos_sess_params = {
	.key_len = sizeof(struct fos_hkey),
	.key_offset = offsetof(struct fos_session, hkey),
	.head_offset = offsetof(struct fos_session, node),
	.automatic_shrinking = true,
};

int fos_sess_table_init(struct fos_flow *f)
{
	INIT_LIST_HEAD(&f->sess_list);
	spin_lock_init(&f->sess_lock);
	return rhashtable_init(&f->sessions, &fos_sess_params);
}

void fos_sess_table_destroy(struct fos_flow *f)
{
	rhashtable_destroy(&f->sessions);
}

static void fos_addr_copy(u32 *dst, u8 family, const union nf_inet_addr *a)
{
	memset(dst, 0, 16);
	memcpy(dst, a, family == AF_INET ? 4 : 16);
}

/* The canonical key of @k; *a_lo tells whether k's source is the lower. */
static void fos_hkey_of(const struct fos_pkt_key *k, struct fos_hkey *hk,
			bool *src_lo)
{
	u32 s[4], d[4];
	int c;

	fos_addr_copy(s, k->family, &k->src);
	fos_addr_copy(d, k->family, &k->dst);
	c = memcmp(s, d, sizeof(s));
	if (!c)
		c = (__force u16)k->sport - (__force u16)k->dport;
	*src_lo = c <= 0;
	memset(hk, 0, sizeof(*hk));
	if (*src_lo) {
		memcpy(hk->a, s, 16);
		memcpy(hk->b, d, 16);
		hk->pa = k->sport;
		hk->pb = k->dport;
	} else {
		memcpy(hk->a, d, 16);
		memcpy(hk->b, s, 16);
		hk->pa = k->dport;
		hk->pb = k->sport;
	}
	hk->family = k->family;
	hk->proto = k->proto;
}

static struct fos_session *fos_sess_new(struct fos_flow *f,
					const struct fos_pkt_key *k,
					const struct fos_hkey *hk, bool src_lo)
{
	struct fos_session *s;
	int i;

	s = kzalloc(sizeof(*s), GFP_ATOMIC);
	if (!s)
		return NULL;
	s->hkey = *hk;
	s->a_is_lo = src_lo;
	s->key.family = k->family;
	s->key.proto = k->proto;
	memcpy(&s->key.addr_a, &k->src, k->family == AF_INET ? 4 : 16);
	memcpy(&s->key.addr_b, &k->dst, k->family == AF_INET ? 4 : 16);
	s->key.port_a = k->sport;
	s->key.port_b = k->dport;
	s->flow = f;
	refcount_set(&s->ref, 2);	/* the table's and the caller's */
	spin_lock_init(&s->lock);
	fos_win_init(&s->w);
	fos_tcp_dir_init(&s->tcp[0]);
	fos_tcp_dir_init(&s->tcp[1]);
	for (i = 0; i <= FOS_WIN_MAX; i++)
		INIT_LIST_HEAD(&s->work[i]);
	INIT_LIST_HEAD(&s->all);
	s->first = jiffies;
	s->last = s->first;
	s->wk = jhash(hk, sizeof(*hk), 0) % nr_cpu_ids;
	return s;
}

/*
 * Has @f a live session of @k? Packet path, under RCU; creates nothing
 * and takes no reference (the answer may change right after).
 */
bool fos_sess_live(struct fos_flow *f, const struct fos_pkt_key *k)
{
	struct fos_session *s;
	struct fos_hkey hk;
	bool src_lo;

	fos_hkey_of(k, &hk, &src_lo);
	s = rhashtable_lookup(&f->sessions, &hk, fos_sess_params);
	return s && !READ_ONCE(s->dead);
}

/**
 * fos_sess_get() - the session of @k in @f, created if needed
 * @f: a live flow
 * @k: the packet's key
 * @dir: set to the packet's direction in the session: 0 if it goes from
 *	side A (the first packet's source) to side B, 1 otherwise
 * @why: on failure, the counter saying why (FLOWSTREAM_FOS_STAT_DROP_*)
 *
 * Called under rcu_read_lock() from the packet path.
 *
 * Return: a referenced session, or NULL.
 */
struct fos_session *fos_sess_get(struct fos_flow *f,
				 const struct fos_pkt_key *k, int *dir,
				 int *why)
{
	struct fos_session *s, *old;
	struct fos_hkey hk;
	bool src_lo;

	fos_hkey_of(k, &hk, &src_lo);
	s = rhashtable_lookup(&f->sessions, &hk, fos_sess_params);
	if (s && refcount_inc_not_zero(&s->ref)) {
		if (!READ_ONCE(s->dead)) {
			*dir = src_lo != s->a_is_lo;
			return s;
		}
		fos_sess_put(s);
	}
	if (atomic_inc_return(&f->nsess) > f->max_sessions) {
		atomic_dec(&f->nsess);
		*why = FLOWSTREAM_FOS_STAT_DROP_SESSIONS;
		return NULL;
	}
	s = fos_sess_new(f, k, &hk, src_lo);
	if (!s)
		goto nomem;
	refcount_inc(&f->ref);
	old = rhashtable_lookup_get_insert_fast(&f->sessions, &s->node,
						fos_sess_params);
	if (old) {
		/* Lost a race with another CPU, or no memory. */
		refcount_set(&s->ref, 1);
		fos_sess_put(s);
		if (IS_ERR(old) || !refcount_inc_not_zero(&old->ref))
			goto nomem;
		*dir = src_lo != old->a_is_lo;
		return old;
	}
	spin_lock(&f->sess_lock);
	list_add_tail(&s->all, &f->sess_list);
	spin_unlock(&f->sess_lock);
	fos_flow_stat_add(f, FLOWSTREAM_FOS_STAT_SESSIONS_CREATED, 1);
	*dir = 0;
	return s;
nomem:
	atomic_dec(&f->nsess);
	*why = FLOWSTREAM_FOS_STAT_DROP_NOMEM;
	return NULL;
}

void fos_sess_put(struct fos_session *s)
{
	struct fos_flow *f = s->flow;

	if (!refcount_dec_and_test(&s->ref))
		return;
	WARN_ON_ONCE(s->held);
	kfree(s->ring);
	kfree_rcu(s, rcu);
	fos_flow_put(f);
}

/*
 * End @s: out of the table and the list, its PM states ended, what it
 * holds dropped (counted as teardown). With @timeout, only if it has been
 * idle that long with nothing held or queued, checked under its lock at
 * the moment it is marked dead, so that no packet or worker can be using
 * it. Caller holds the flow's pipe_sem and a reference on @s.
 */
static bool fos_sess_unlink(struct fos_session *s, unsigned long timeout)
{
	struct fos_flow *f = s->flow;
	unsigned int p;

	spin_lock_bh(&s->lock);
	if (s->dead || (timeout && (s->held || READ_ONCE(s->queued) ||
				    !time_after(jiffies, s->last + timeout)))) {
		spin_unlock_bh(&s->lock);
		return false;
	}
	/* Out of the table first: a lookup that finds it sees it dead. */
	rhashtable_remove_fast(&f->sessions, &s->node, fos_sess_params);
	WRITE_ONCE(s->dead, true);
	spin_unlock_bh(&s->lock);
	spin_lock_bh(&f->sess_lock);
	list_del_init(&s->all);
	spin_unlock_bh(&f->sess_lock);
	fos_send_all(s, true, FLOWSTREAM_FOS_STAT_DROP_TEARDOWN);
	for (p = 0; p < f->pipe.l.n; p++)
		fos_state_end(s, p);
	atomic_dec(&f->nsess);
	fos_flow_stat_add(f, FLOWSTREAM_FOS_STAT_SESSIONS_ENDED, 1);
	fos_sess_put(s);	/* the table's */
	return true;
}

#define FOS_REAP_BATCH 64

/**
 * fos_sess_reap() - end idle sessions of @f, or all of them
 * @f: the flow
 * @all: end every session (the flow goes away; caller holds pipe_sem for
 *	writing), dropping what they hold
 *
 * Process context.
 *
 * Return: sessions ended.
 */
int fos_sess_reap(struct fos_flow *f, bool all)
{
	unsigned long timeout = (unsigned long)f->idle_timeout * HZ;
	struct fos_session *batch[FOS_REAP_BATCH], *s;
	int n, i, ended = 0, rounds = 0;

	do {
		n = 0;
		spin_lock_bh(&f->sess_lock);
		list_for_each_entry(s, &f->sess_list, all) {
			if (!all && !time_after(jiffies, READ_ONCE(s->last) +
						timeout))
				continue;
			if (!refcount_inc_not_zero(&s->ref))
				continue;
			batch[n++] = s;
			if (n == FOS_REAP_BATCH)
				break;
		}
		spin_unlock_bh(&f->sess_lock);

		if (!all)
			down_read(&f->pipe_sem);
		for (i = 0; i < n; i++) {
			s = batch[i];
			if (fos_sess_unlink(s, all ? 0 : timeout))
				ended++;
			fos_sess_put(s);
		}
		if (!all)
			up_read(&f->pipe_sem);
		cond_resched();
		/*
		 * The idle reaper gives up after 1024 batches and comes back
		 * at its next tick; a flow going away must end every session:
		 * each holds the flow.
		 */
	} while (n == FOS_REAP_BATCH && (all || ++rounds < 1024));
	return ended;
}

/**
 * fos_sess_reserve() - make room for @need held units in @s's ring
 * @s: the session, locked
 * @need: units the ring must be able to hold
 * @limit: the flow's max-session-held
 *
 * Return: 0, -ENOBUFS beyond @limit, -ENOMEM.
 */
int fos_sess_reserve(struct fos_session *s, u32 need, u32 limit)
{
	struct sk_buff **ring;
	u32 size;
	u64 i;

	if (need <= s->ring_size)
		return 0;
	if (need > limit)
		return -ENOBUFS;
	size = roundup_pow_of_two(max(need, 8U));
	ring = kmalloc_array(size, sizeof(*ring), GFP_ATOMIC);
	if (!ring)
		return -ENOMEM;
	for (i = s->w.sent; i < s->w.tail; i++)
		ring[i & (size - 1)] = s->ring[i & (s->ring_size - 1)];
	kfree(s->ring);
	s->ring = ring;
	s->ring_size = size;
	return 0;
}

/**
 * fos_sess_push() - append @skb as the next unit of @s's stream
 * @s: the session, locked, with room reserved by fos_sess_reserve()
 * @skb: the unit, its fos_cb filled
 *
 * Return: 0, or -ENOBUFS if no room was reserved (@skb not taken).
 */
int fos_sess_push(struct fos_session *s, struct sk_buff *skb)
{
	if (WARN_ON_ONCE(s->w.tail - s->w.sent >= s->ring_size))
		return -ENOBUFS;
	s->ring[s->w.tail & (s->ring_size - 1)] = skb;
	fos_win_push(&s->w, 1);
	s->held++;
	s->held_bytes += fos_cb(skb)->charged;
	return 0;
}

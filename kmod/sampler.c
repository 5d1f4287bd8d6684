// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: prefix sampling state of a namespace: configuration,
 * windows, monitored prefixes and reading their counters.
 *
 * Counters come in two sets. The window in force (struct fs_smp_run,
 * published in fs_net->smp_run) names the set the packet path writes; the
 * other set is all zero. A new window publishes a run naming the other set
 * and waits for a grace period: no packet writes the old set any more, so
 * it is read (or dropped) and zeroed, and the invariant holds again. Every
 * sampled packet is therefore in exactly one window.
 *
 * Everything here runs under fs_net->lock but the lockless tree lookups of
 * the packet path (sampler_hook.c).
 */
#include <linux/cache.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "sampler.h"
#include "stats.h"

atomic64_t fs_smp_total_memory = ATOMIC64_INIT(0);

void fs_smp_key_from_addr(u8 family, const void *addr, u64 *key)
{
	__be64 w[2];
	__be32 a4;

	if (family == AF_INET) {
		memcpy(&a4, addr, sizeof(a4));
		key[0] = (u64)be32_to_cpu(a4) << 32;
		key[1] = 0;
	} else {
		memcpy(w, addr, sizeof(w));
		key[0] = be64_to_cpu(w[0]);
		key[1] = be64_to_cpu(w[1]);
	}
}

void fs_smp_addr_from_key(u8 family, const u64 *key, void *addr)
{
	__be64 w[2];
	__be32 a4;

	if (family == AF_INET) {
		a4 = cpu_to_be32(key[0] >> 32);
		memcpy(addr, &a4, sizeof(a4));
	} else {
		w[0] = cpu_to_be64(key[0]);
		w[1] = cpu_to_be64(key[1]);
		memcpy(addr, w, sizeof(w));
	}
}

/* The key of sub-prefix @index of @key/@plen split @depth deep. */
void fs_smp_sub_key(const u64 *key, u8 plen, u8 depth, u32 index, u64 *out)
{
	unsigned int end = plen + depth, w, s;
	u64 v = index;

	out[0] = key[0];
	out[1] = key[1];
	if (!depth)
		return;
	/* The index's bits end at bit @end - 1 of the 128-bit key. */
	for (w = 0; w < 2; w++) {
		unsigned int lo = w * 64, hi = lo + 64;

		if (end <= lo || plen >= hi)
			continue;
		s = hi - end;	/* index bit 0 lands at bit (hi - 1 - s) */
		if (end > hi)
			out[w] |= v >> (end - hi);
		else
			out[w] |= v << s;
	}
}

/*
 * Memory. Prefixes come from a slab cache of their own, and so do the
 * counters of prefixes up to FS_SMP_SLAB_DEPTH deep (48 to 6144 bytes), one
 * cache per depth; deeper ones are vmalloc'ed, a whole number of pages. So
 * a prefix of depth d takes exactly sizeof(struct fs_smp_prefix) + 48 * 2^d
 * bytes of objects, whatever the number of CPUs.
 */
#ifndef FS_SMP_CACHE_NAME
#define FS_SMP_CACHE_NAME "flowstream_smp"
#endif

static struct kmem_cache *fs_smp_prefix_cache;
static struct kmem_cache *fs_smp_ctr_cache[FS_SMP_SLAB_DEPTH + 1];

static size_t fs_smp_ctr_size(u8 depth)
{
	return sizeof(struct fs_smp_ctr) << (depth + 1);
}

static struct fs_smp_ctr *fs_smp_ctr_alloc(u8 depth)
{
	if (depth <= FS_SMP_SLAB_DEPTH)
		return kmem_cache_zalloc(fs_smp_ctr_cache[depth],
					 GFP_KERNEL_ACCOUNT);
	return __vmalloc(fs_smp_ctr_size(depth),
			 GFP_KERNEL_ACCOUNT | __GFP_ZERO);
}

static void fs_smp_ctr_free(struct fs_smp_ctr *ctr, u8 depth)
{
	if (depth <= FS_SMP_SLAB_DEPTH)
		kmem_cache_free(fs_smp_ctr_cache[depth], ctr);
	else
		vfree(ctr);
}

/* Bytes that kzalloc() (up to a page) or vzalloc() gives for @size. */
static size_t fs_smp_alloc_size(size_t size)
{
	return size <= PAGE_SIZE ? kmalloc_size_roundup(size) :
				   PAGE_ALIGN(size);
}

/* kzalloc() up to a page, vzalloc() above; @mem grows by what it took. */
static void *fs_smp_alloc(size_t size, size_t *mem)
{
	void *p;

	if (size <= PAGE_SIZE)
		p = kzalloc(size, GFP_KERNEL_ACCOUNT);
	else
		p = __vmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (p)
		*mem += fs_smp_alloc_size(size);
	return p;
}

int fs_smp_init(void)
{
	char name[32];
	unsigned int d;

	fs_smp_prefix_cache = kmem_cache_create(FS_SMP_CACHE_NAME "_prefix",
						sizeof(struct fs_smp_prefix),
						0, 0, NULL);
	if (!fs_smp_prefix_cache)
		return -ENOMEM;
	for (d = 0; d <= FS_SMP_SLAB_DEPTH; d++) {
		snprintf(name, sizeof(name), FS_SMP_CACHE_NAME "_ctr%u", d);
		fs_smp_ctr_cache[d] = kmem_cache_create(name,
							fs_smp_ctr_size(d),
							0, 0, NULL);
		if (!fs_smp_ctr_cache[d]) {
			fs_smp_exit();
			return -ENOMEM;
		}
	}
	return 0;
}

/* After every namespace is gone and rcu_barrier(). */
void fs_smp_exit(void)
{
	unsigned int d;

	for (d = 0; d <= FS_SMP_SLAB_DEPTH; d++) {
		kmem_cache_destroy(fs_smp_ctr_cache[d]);
		fs_smp_ctr_cache[d] = NULL;
	}
	kmem_cache_destroy(fs_smp_prefix_cache);
	fs_smp_prefix_cache = NULL;
}

/**
 * fs_smp_memory() - bytes held by a namespace's sampler
 * @smp: the sampler; caller holds fsn->lock
 *
 * Prefixes (the unmatched counters among them) and their counters, the
 * tree's nodes and the kept window: sizeof(struct fs_smp_prefix) * (P + 1)
 * + 48 * (C + 1) + node * N + kept, for P prefixes of C counters in all and
 * N tree nodes (Documentation/sampler.rst).
 */
u64 fs_smp_memory(const struct fs_sampler *smp)
{
	u64 m;

	m = (u64)sizeof(struct fs_smp_prefix) * (smp->prefixes + 1);
	m += (u64)sizeof(struct fs_smp_ctr) * 2 * (smp->counters + 1);
	m += (u64)kmalloc_size_roundup(sizeof(struct fs_rt_node)) *
	     (smp->tree4.nodes + smp->tree6.nodes);
	if (smp->kept)
		m += smp->kept->mem;
	return m;
}

/* Bring smp->memory and the global figure up to date after a change. */
static void fs_smp_memory_update(struct fs_sampler *smp)
{
	u64 m = fs_smp_memory(smp);

	atomic64_add((s64)(m - smp->memory), &fs_smp_total_memory);
	smp->memory = m;
}

static struct fs_smp_prefix *fs_smp_prefix_new(u8 family, const u64 *key,
					       u8 plen, u8 depth)
{
	struct fs_smp_prefix *p;

	p = kmem_cache_zalloc(fs_smp_prefix_cache, GFP_KERNEL_ACCOUNT);
	if (!p)
		return NULL;
	p->key[0] = key[0];
	p->key[1] = key[1];
	p->family = family;
	p->plen = plen;
	p->depth = depth;
	p->ctr = fs_smp_ctr_alloc(depth);
	if (!p->ctr) {
		kmem_cache_free(fs_smp_prefix_cache, p);
		return NULL;
	}
	p->added_ns = ktime_get_real_ns();
	return p;
}

static void fs_smp_prefix_free(struct fs_smp_prefix *p)
{
	fs_smp_ctr_free(p->ctr, p->depth);
	kmem_cache_free(fs_smp_prefix_cache, p);
}

static void fs_smp_prefix_free_rcu(struct rcu_head *head)
{
	fs_smp_prefix_free(container_of(head, struct fs_smp_prefix, rcu));
}

/* Counters of set @set. */
static struct fs_smp_ctr *fs_smp_set(const struct fs_smp_prefix *p,
				     unsigned int set)
{
	return p->ctr + ((size_t)set << p->depth);
}

/* Read set @set of @p into @sub (2^depth), then zero it if @clear. */
static void fs_smp_prefix_read(struct fs_smp_prefix *p, unsigned int set,
			       struct fs_smp_sum *sub, bool clear)
{
	struct fs_smp_ctr *c = fs_smp_set(p, set);
	u32 i, n = 1U << p->depth;

	for (i = 0; i < n; i++) {
		sub[i].packets = atomic64_read(&c[i].packets);
		sub[i].bytes = atomic64_read(&c[i].bytes);
		sub[i].sq = atomic64_read(&c[i].sq);
	}
	if (clear)
		memset(c, 0, sizeof(*c) * n);
}

static void fs_smp_clear_one(struct fs_smp_prefix *p, unsigned int set)
{
	memset(fs_smp_set(p, set), 0, sizeof(struct fs_smp_ctr) << p->depth);
}

/* Zero set @set everywhere; nothing may be writing it. */
static void fs_smp_clear_set(struct fs_sampler *smp, unsigned int set)
{
	struct fs_smp_prefix *p;

	fs_smp_clear_one(smp->unmatched, set);
	list_for_each_entry(p, &smp->list, list)
		fs_smp_clear_one(p, set);
}

/* A window of configuration @cfg writing counter set @set. */
static struct fs_smp_run *fs_smp_run_new(struct fs_sampler *smp,
					 const struct fs_smp_cfg *cfg, u8 set)
{
	struct fs_smp_run *run = kzalloc(sizeof(*run), GFP_KERNEL);
	int cpu;

	if (!run)
		return NULL;
	run->pcpu = alloc_percpu(struct fs_smp_pcpu);
	if (!run->pcpu) {
		kfree(run);
		return NULL;
	}
	run->smp = smp;
	run->rate = cfg->rate;
	run->mode = cfg->mode;
	run->key = cfg->key;
	run->set = set;
	run->log_q = fs_smp_log_q(cfg->rate);
	for_each_possible_cpu(cpu) {
		struct fs_smp_pcpu *pc = per_cpu_ptr(run->pcpu, cpu);

		prandom_seed_state(&pc->rnd, get_random_u64());
		pc->countdown = fs_smp_first_gap(run, pc);
	}
	return run;
}

static void fs_smp_run_free(struct fs_smp_run *run)
{
	if (!run)
		return;
	free_percpu(run->pcpu);
	kfree(run);
}

static struct fs_smp_run *fs_smp_run_locked(struct fs_net *fsn)
{
	return rcu_dereference_protected(fsn->smp_run,
					 lockdep_is_held(&fsn->lock));
}

/*
 * Start a new window with the sampler's configuration (or none if it is
 * off): @new (allocated by the caller unless the sampler is off) replaces
 * the current run. Return: the counter set the old window wrote, which no
 * packet writes any more and which the caller reads or drops, then zeroes.
 */
static u8 fs_smp_new_window(struct fs_net *fsn, struct fs_smp_run *new,
			    u64 now)
{
	struct fs_sampler *smp = fsn->smp;
	struct fs_smp_run *old = fs_smp_run_locked(fsn);
	u8 old_set = smp->set;

	smp->set = !old_set;
	if (new)
		new->start_ns = now;
	rcu_assign_pointer(fsn->smp_run, new);
	synchronize_rcu();
	fs_smp_run_free(old);
	smp->start_ns = now;
	smp->window++;
	return old_set;
}

void fs_smp_cfg_get(struct fs_sampler *smp, struct fs_smp_cfg *cfg)
{
	*cfg = smp->cfg;
	cfg->new_window = false;
}

/**
 * fs_smp_configure() - apply a sampler configuration, all or nothing
 * @fsn: namespace state; caller holds fsn->lock
 * @cfg: the whole new configuration
 * @extack: where to say why it was refused
 *
 * Return: 0, or an error with nothing changed.
 */
int fs_smp_configure(struct fs_net *fsn, const struct fs_smp_cfg *cfg,
		     struct netlink_ext_ack *extack)
{
	struct fs_sampler *smp = fsn->smp;
	struct fs_smp_run *run = NULL;
	int err;

	if (cfg->max_prefixes < smp->prefixes) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "max-prefixes %u is below the %u prefixes monitored",
				       cfg->max_prefixes, smp->prefixes);
		return -EBUSY;
	}
	if (cfg->max_counters < smp->counters) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "max-counters %u is below the %u counters in use",
				       cfg->max_counters, smp->counters);
		return -EBUSY;
	}
	if (cfg->new_window && cfg->enable) {
		run = fs_smp_run_new(smp, cfg, !smp->set);
		if (!run) {
			NL_SET_ERR_MSG_MOD(extack, "no memory for the sampler");
			return -ENOMEM;
		}
		if (!smp->hooked) {
			err = fs_smp_hooks_register(fsn);
			if (err) {
				NL_SET_ERR_MSG_MOD(extack,
						   "cannot register netfilter hooks");
				fs_smp_run_free(run);
				return err;
			}
			smp->hooked = true;
		}
	}
	/* Nothing can fail from here on; without a new window only the
	 * limits change.
	 */
	smp->cfg = *cfg;
	smp->cfg.new_window = false;
	if (!cfg->new_window)
		return 0;
	/* The old window's counts are dropped. */
	fs_smp_clear_set(smp, fs_smp_new_window(fsn, run, ktime_get_real_ns()));
	fs_stat_inc(fsn, FLOWSTREAM_STAT_SMP_WINDOWS);
	if (!cfg->enable && smp->hooked) {
		fs_smp_hooks_unregister(fsn);
		smp->hooked = false;
	}
	return 0;
}

static struct fs_rt *fs_smp_tree(struct fs_sampler *smp, u8 family)
{
	return family == AF_INET ? &smp->tree4 : &smp->tree6;
}

static void fs_smp_fmt(char *buf, size_t len, u8 family, const u64 *key,
		       u8 plen)
{
	u8 addr[16];

	fs_smp_addr_from_key(family, key, addr);
	if (family == AF_INET)
		snprintf(buf, len, "%pI4/%u", addr, plen);
	else
		snprintf(buf, len, "%pI6c/%u", addr, plen);
}

/**
 * fs_smp_prefix_add() - monitor a prefix
 * @smp: the sampler; caller holds fsn->lock
 * @family: AF_INET or AF_INET6
 * @key: the prefix in key form, no bits set past @plen
 * @plen: its length
 * @depth: 0..16, with @plen + @depth within the address
 * @extack: where to say why it was refused
 *
 * Return: 0, -EEXIST if it overlaps a monitored prefix, -ENOSPC at a
 * limit, or -ENOMEM; nothing is changed on error.
 */
int fs_smp_prefix_add(struct fs_sampler *smp, u8 family, const u64 *key,
		      u8 plen, u8 depth, struct netlink_ext_ack *extack)
{
	struct fs_rt *t = fs_smp_tree(smp, family);
	struct fs_smp_prefix *p, *o;
	char buf[2][48];
	int err;

	o = fs_rt_overlap(t, key, plen);
	if (o) {
		fs_smp_fmt(buf[0], sizeof(buf[0]), family, key, plen);
		fs_smp_fmt(buf[1], sizeof(buf[1]), o->family, o->key, o->plen);
		if (o->plen == plen)
			NL_SET_ERR_MSG_FMT_MOD(extack, "%s is already monitored",
					       buf[0]);
		else
			NL_SET_ERR_MSG_FMT_MOD(extack, "overlaps monitored %s",
					       buf[1]);
		return -EEXIST;
	}
	if (smp->prefixes >= smp->cfg.max_prefixes) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "max-prefixes reached: %u prefixes are monitored",
				       smp->prefixes);
		return -ENOSPC;
	}
	if (smp->counters + (1U << depth) > smp->cfg.max_counters) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "max-counters %u reached: %u in use, %u more needed",
				       smp->cfg.max_counters, smp->counters,
				       1U << depth);
		return -ENOSPC;
	}
	p = fs_smp_prefix_new(family, key, plen, depth);
	if (!p) {
		NL_SET_ERR_MSG_MOD(extack, "no memory for the prefix's counters");
		return -ENOMEM;
	}
	err = fs_rt_insert(t, key, plen, p);
	if (err) {
		fs_smp_prefix_free(p);
		NL_SET_ERR_MSG_MOD(extack, "no memory for the prefix tree");
		return err;
	}
	list_add_tail(&p->list, &smp->list);
	smp->prefixes++;
	smp->counters += 1U << depth;
	fs_smp_memory_update(smp);
	return 0;
}

/**
 * fs_smp_prefix_del() - stop monitoring a prefix
 * @smp: the sampler; caller holds fsn->lock
 * @family: AF_INET or AF_INET6
 * @key: the prefix in key form
 * @plen: its length
 * @extack: where to say why it was refused
 *
 * Return: 0 or -ENOENT.
 */
int fs_smp_prefix_del(struct fs_sampler *smp, u8 family, const u64 *key,
		      u8 plen, struct netlink_ext_ack *extack)
{
	struct fs_smp_prefix *p = fs_rt_delete(fs_smp_tree(smp, family), key,
					       plen);
	char buf[48];

	if (!p) {
		fs_smp_fmt(buf, sizeof(buf), family, key, plen);
		NL_SET_ERR_MSG_FMT_MOD(extack, "%s is not monitored", buf);
		return -ENOENT;
	}
	list_del(&p->list);
	smp->prefixes--;
	smp->counters -= 1U << p->depth;
	fs_smp_memory_update(smp);
	/* Lookups may still hold it. */
	call_rcu(&p->rcu, fs_smp_prefix_free_rcu);
	return 0;
}

static void fs_smp_add(struct fs_smp_sum *to, const struct fs_smp_sum *s)
{
	to->packets += s->packets;
	to->bytes += s->bytes;
	to->sq += s->sq;
}

/* Address order, IPv4 first. */
static int fs_smp_snap_cmp(const void *a, const void *b)
{
	const struct fs_smp_snap_pfx *x = a, *y = b;

	if (x->family != y->family)
		return x->family == AF_INET ? -1 : 1;
	if (x->key[0] != y->key[0])
		return x->key[0] < y->key[0] ? -1 : 1;
	if (x->key[1] != y->key[1])
		return x->key[1] < y->key[1] ? -1 : 1;
	return x->plen - y->plen;
}

/* Read set @set of @p into the next entry of @snap, zeroing it if @clear. */
static void fs_smp_snap_one(struct fs_smp_snap *snap, struct fs_smp_sum **next,
			    struct fs_smp_prefix *p, unsigned int set,
			    bool clear)
{
	struct fs_smp_snap_pfx *sp = &snap->pfx[snap->nprefixes++];
	u32 i;

	sp->key[0] = p->key[0];
	sp->key[1] = p->key[1];
	sp->family = p->family;
	sp->plen = p->plen;
	sp->depth = p->depth;
	sp->start_ns = max(p->added_ns, snap->start_ns);
	sp->sub = *next;
	*next += 1U << p->depth;
	fs_smp_prefix_read(p, set, sp->sub, clear);
	memset(&sp->total, 0, sizeof(sp->total));
	for (i = 0; i < 1U << p->depth; i++)
		fs_smp_add(&sp->total, &sp->sub[i]);
}

static void fs_smp_snap_free(struct fs_smp_snap *snap)
{
	if (!snap)
		return;
	kvfree(snap->subs);
	kvfree(snap->pfx);
	kfree(snap);
}

/* Drop a reference to a snapshot; the last one frees it. */
void fs_smp_snap_put(struct fs_smp_snap *snap)
{
	if (snap && refcount_dec_and_test(&snap->ref))
		fs_smp_snap_free(snap);
}

/* A snapshot with room for the sampler's prefixes unless @how says not. */
static struct fs_smp_snap *fs_smp_snap_alloc(struct fs_sampler *smp,
					     enum fs_smp_read how)
{
	struct fs_smp_snap *snap;
	size_t mem = 0;

	snap = fs_smp_alloc(sizeof(*snap), &mem);
	if (!snap)
		return NULL;
	refcount_set(&snap->ref, 1);
	if (how != FS_SMP_READ_SAMPLER) {
		snap->pfx = fs_smp_alloc(array_size(max(smp->prefixes, 1U),
						    sizeof(*snap->pfx)), &mem);
		snap->subs = fs_smp_alloc(array_size(max(smp->counters, 1U),
						     sizeof(*snap->subs)), &mem);
		if (!snap->pfx || !snap->subs) {
			fs_smp_snap_free(snap);
			return NULL;
		}
	}
	snap->mem = mem;
	return snap;
}

/* Read counter set @set of every prefix into @snap, zeroing it if @clear. */
static void fs_smp_snap_fill(struct fs_sampler *smp, struct fs_smp_snap *snap,
			     unsigned int set, bool all, bool clear)
{
	struct fs_smp_prefix *p;
	struct fs_smp_sum *next;

	fs_smp_prefix_read(smp->unmatched, set, &snap->unmatched, clear);
	if (!all)
		return;
	next = snap->subs;
	list_for_each_entry(p, &smp->list, list)
		fs_smp_snap_one(snap, &next, p, set, clear);
	sort(snap->pfx, snap->nprefixes, sizeof(*snap->pfx), fs_smp_snap_cmp,
	     NULL);
}

/* The kept window @window, with a reference, or an error. */
static struct fs_smp_snap *fs_smp_kept_get(struct fs_sampler *smp, u64 window,
					   struct netlink_ext_ack *extack)
{
	if (smp->kept && smp->kept->window == window) {
		refcount_inc(&smp->kept->ref);
		return smp->kept;
	}
	if (smp->kept)
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "window %llu is not kept: the kept window is %llu, the current one %llu",
				       window, smp->kept->window, smp->window);
	else
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "window %llu is not kept: no window is kept, the current one is %llu",
				       window, smp->window);
	return ERR_PTR(-ENOENT);
}

/* Keep @snap (one more reference) instead of the kept window. */
static void fs_smp_keep(struct fs_sampler *smp, struct fs_smp_snap *snap)
{
	if (snap)
		refcount_inc(&snap->ref);
	fs_smp_snap_put(smp->kept);
	smp->kept = snap;
	fs_smp_memory_update(smp);
}

/**
 * fs_smp_snapshot() - read the counters of a window
 * @fsn: namespace state
 * @how: which window, and whether to end it (enum fs_smp_read)
 * @window: with FS_SMP_READ_WINDOW, its number: the kept or the current one
 * @extack: where to say why it failed
 *
 * Takes fsn->lock. Memory is bounded by max-prefixes and max-counters.
 * With FS_SMP_READ_RESET the window ends here and a new one starts; the
 * snapshot becomes the kept window, readable again by its number until the
 * next read-and-reset or fs_smp_ack().
 *
 * Return: the snapshot, to be released with fs_smp_snap_put(), or an
 * ERR_PTR: -ENOMEM (nothing is reset then) or -ENOENT (no such window).
 */
struct fs_smp_snap *fs_smp_snapshot(struct fs_net *fsn, enum fs_smp_read how,
				    u64 window, struct netlink_ext_ack *extack)
{
	bool reset = how == FS_SMP_READ_RESET;
	struct fs_sampler *smp = fsn->smp;
	struct fs_smp_run *run = NULL;
	struct fs_smp_snap *snap;
	struct fs_smp_cfg cfg;
	unsigned int set;
	u64 now;

	mutex_lock(&fsn->lock);
	if (how == FS_SMP_READ_WINDOW) {
		if (window != smp->window) {
			snap = fs_smp_kept_get(smp, window, extack);
			mutex_unlock(&fsn->lock);
			return snap;
		}
		how = FS_SMP_READ_CURRENT;
	}
	snap = fs_smp_snap_alloc(smp, how);
	if (!snap)
		goto nomem;
	fs_smp_cfg_get(smp, &cfg);
	if (reset && cfg.enable) {
		run = fs_smp_run_new(smp, &cfg, !smp->set);
		if (!run)
			goto nomem;
	}
	snap->cfg = cfg;
	snap->window = smp->window;
	snap->prefixes = smp->prefixes;
	snap->counters = smp->counters;
	snap->start_ns = smp->start_ns;
	now = ktime_get_real_ns();
	if (reset) {
		set = fs_smp_new_window(fsn, run, now);
		fs_stat_inc(fsn, FLOWSTREAM_STAT_SMP_WINDOWS);
	} else {
		set = smp->set;
	}
	snap->end_ns = now;
	fs_smp_snap_fill(smp, snap, set, how != FS_SMP_READ_SAMPLER, reset);
	if (reset)
		fs_smp_keep(smp, snap);
	snap->memory = smp->memory;
	snap->kept_window = smp->kept ? smp->kept->window : 0;
	mutex_unlock(&fsn->lock);
	return snap;

nomem:
	mutex_unlock(&fsn->lock);
	fs_smp_snap_free(snap);
	NL_SET_ERR_MSG_MOD(extack, "no memory to read the counters");
	return ERR_PTR(-ENOMEM);
}

/**
 * fs_smp_ack() - drop the kept window
 * @fsn: namespace state
 * @window: its number
 * @extack: where to say why it was refused
 *
 * Return: 0, or -ENOENT (nothing changed) if @window is not the kept one.
 */
int fs_smp_ack(struct fs_net *fsn, u64 window, struct netlink_ext_ack *extack)
{
	struct fs_sampler *smp = fsn->smp;
	struct fs_smp_snap *snap;

	mutex_lock(&fsn->lock);
	snap = fs_smp_kept_get(smp, window, extack);
	if (!IS_ERR(snap)) {
		fs_smp_snap_put(snap);
		fs_smp_keep(smp, NULL);
	}
	mutex_unlock(&fsn->lock);
	return PTR_ERR_OR_ZERO(snap);
}

/* Whether the sampler is sampling in @fsn; caller holds fsn->lock. */
bool fs_smp_enabled(struct fs_net *fsn)
{
	return rcu_access_pointer(fsn->smp_run);
}

int fs_smp_net_init(struct fs_net *fsn)
{
	struct fs_sampler *smp = kzalloc(sizeof(*smp), GFP_KERNEL);
	static const u64 zero[2];

	if (!smp)
		return -ENOMEM;
	smp->unmatched = fs_smp_prefix_new(AF_UNSPEC, zero, 0, 0);
	if (!smp->unmatched) {
		kfree(smp);
		return -ENOMEM;
	}
	smp->fsn = fsn;
	INIT_LIST_HEAD(&smp->list);
	fs_rt_init(&smp->tree4, 32);
	fs_rt_init(&smp->tree6, 128);
	smp->cfg.rate = 100;
	smp->cfg.mode = FLOWSTREAM_SMP_MODE_RANDOM;
	smp->cfg.key = FLOWSTREAM_SMP_KEY_DST;
	smp->cfg.max_prefixes = 16384;
	smp->cfg.max_counters = 262144;
	smp->cfg.max_len = 1500;
	smp->start_ns = ktime_get_real_ns();
	smp->window = 1;
	fsn->smp = smp;
	RCU_INIT_POINTER(fsn->smp_run, NULL);
	fs_smp_memory_update(smp);
	return 0;
}

static void fs_smp_destroy_value(void *value)
{
	fs_smp_prefix_free(value);
}

void fs_smp_net_exit(struct fs_net *fsn)
{
	struct fs_sampler *smp = fsn->smp;
	struct fs_smp_run *run = rcu_dereference_protected(fsn->smp_run, 1);

	/* Returns when no hook runs any more. */
	if (smp->hooked)
		fs_smp_hooks_unregister(fsn);
	RCU_INIT_POINTER(fsn->smp_run, NULL);
	synchronize_rcu();
	fs_smp_run_free(run);
	fs_rt_destroy(&smp->tree4, fs_smp_destroy_value);
	fs_rt_destroy(&smp->tree6, fs_smp_destroy_value);
	fs_smp_prefix_free(smp->unmatched);
	fs_smp_snap_put(smp->kept);
	atomic64_sub(smp->memory, &fs_smp_total_memory);
	kfree(smp);
	fsn->smp = NULL;
}
